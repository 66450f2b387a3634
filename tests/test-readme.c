/* test-readme.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "cli-test-util.h"

/* The README is a test: every `calsync …` line of its "Using it" block runs
 * as written (split as a shell splits it, `< file` fed on standard input,
 * the trailing `# comment` dropped), with the simulator's addresses and
 * keys in place of the examples, and its outcome is checked against what
 * the line and its comment promise. A line this test does not know fails
 * it: a new promise needs its check here. */

#define EXAMPLE_CALCOM_URL  "https://api.cal.com/v2"
#define EXAMPLE_BACKEND_URL "https://crm.example.com"
#define EXAMPLE_APPOINTMENT "1236"

typedef struct
{
  char  *text;      /* the line as the README writes it */
  char **argv;      /* after `calsync`, without the redirection */
  char  *input;     /* the file named after `<`, or NULL */
} Line;

static void
line_free (Line *line)
{
  g_free (line->text);
  g_strfreev (line->argv);
  g_free (line->input);
  g_free (line);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Line, line_free)

/* Drops a `#` comment that starts a word outside quotes, as sh does. */
static char *
strip_comment (const char *text)
{
  char quote = '\0';

  for (const char *p = text; *p != '\0'; p++)
    {
      if (quote != '\0')
        {
          if (*p == quote)
            quote = '\0';
        }
      else if (*p == '"' || *p == '\'')
        quote = *p;
      else if (*p == '#' && (p == text || g_ascii_isspace (p[-1])))
        return g_strstrip (g_strndup (text, p - text));
    }

  return g_strstrip (g_strdup (text));
}

static Line *
parse_line (const char *text)
{
  g_autoptr(Line) line = g_new0 (Line, 1);
  g_autofree char *command = strip_comment (text);
  g_auto(GStrv) words = NULL;
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
  g_autoptr(GError) error = NULL;

  line->text = g_strdup (text);
  g_assert_true (g_shell_parse_argv (command, NULL, &words, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (words[0], ==, "calsync");

  for (guint i = 1; words[i] != NULL; i++)
    {
      if (g_str_equal (words[i], "<"))
        {
          g_assert_nonnull (words[i + 1]);
          line->input = g_strdup (words[++i]);
          continue;
        }
      g_strv_builder_add (argv, words[i]);
    }
  line->argv = g_strv_builder_end (argv);

  return g_steal_pointer (&line);
}

/* The ```sh block under "## Using it". */
static GPtrArray *
read_usage_lines (void)
{
  const char *path = g_getenv ("CALSYNC_README");
  g_autofree char *readme = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *usage = g_ptr_array_new_with_free_func ((GDestroyNotify) line_free);
  gboolean in_section = FALSE, in_block = FALSE;

  g_assert_nonnull (path);
  g_file_get_contents (path, &readme, NULL, &error);
  g_assert_no_error (error);

  lines = g_strsplit (readme, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *text = lines[i];

      if (g_str_has_prefix (text, "## "))
        {
          in_section = g_str_equal (text, "## Using it");
          continue;
        }
      if (!in_section)
        continue;
      if (!in_block)
        {
          in_block = g_str_equal (text, "```sh");
          continue;
        }
      if (g_str_has_prefix (text, "```"))
        break;
      if (text[0] == '\0')
        continue;

      g_ptr_array_add (usage, parse_line (text));
    }

  g_assert_cmpuint (usage->len, >, 0);
  return usage;
}

/* What each line promises */

typedef struct
{
  CliFixture *f;
  char       *appointment_id;   /* one with a problem, from a --once --json */
} Run;

static gboolean
argv_is (char       **argv,
         const char  *first,
         ...)
{
  va_list args;
  const char *word = first;
  guint i = 0;

  va_start (args, first);
  for (; word != NULL; word = va_arg (args, const char *), i++)
    if (argv[i] == NULL || !g_str_equal (argv[i], word))
      {
        va_end (args);
        return FALSE;
      }
  va_end (args);

  return argv[i] == NULL;
}

/* Puts the simulator where the README names the example servers, keys
 * and appointment. */
static char **
substitute (Run         *run,
            char       **argv)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; argv[i] != NULL; i++)
    {
      if (g_str_equal (argv[i], EXAMPLE_CALCOM_URL))
        g_strv_builder_add (builder, run->f->calcom_url);
      else if (g_str_equal (argv[i], EXAMPLE_BACKEND_URL))
        g_strv_builder_add (builder, run->f->backend_url);
      else if (g_str_equal (argv[i], EXAMPLE_APPOINTMENT) && i > 0 &&
               g_str_equal (argv[i - 1], "--appointment"))
        g_strv_builder_add (builder, run->appointment_id);
      else
        g_strv_builder_add (builder, argv[i]);
    }

  return g_strv_builder_end (builder);
}

static const char *
file_content (Run        *run,
              const char *name)
{
  if (name == NULL)
    return NULL;
  if (g_str_equal (name, "calcom-key.txt"))
    return cs_sim_server_get_calcom_api_key (run->f->sim);
  if (g_str_equal (name, "crm-token.txt"))
    return cs_sim_server_get_backend_token (run->f->sim);

  g_error ("The README reads a file this test does not write: %s", name);
}

static void
remember_problem (Run        *run,
                  JsonObject *report)
{
  JsonArray *issues = json_object_get_array_member (report, "issues");

  for (guint i = 0; i < json_array_get_length (issues) && run->appointment_id == NULL; i++)
    {
      JsonObject *issue = json_array_get_object_element (issues, i);

      if (!json_object_get_null_member (issue, "appointment_id"))
        run->appointment_id = g_strdup_printf ("%" G_GINT64_FORMAT,
                                               json_object_get_int_member (issue,
                                                                           "appointment_id"));
    }
}

/* `--once --json`: "ok, counts and one entry per problem (or the error)". */
static void
check_once_json (Run        *run,
                 const char *out)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *report = cli_parse_object (out, parser);
  JsonArray *issues;

  g_assert_true (json_object_get_boolean_member (report, "ok"));
  g_assert_true (json_object_get_null_member (report, "error"));
  g_assert_true (json_object_has_member (json_object_get_object_member (report, "counts"),
                                         "synced"));
  issues = json_object_get_array_member (report, "issues");
  g_assert_cmpuint (json_array_get_length (issues), >, 0);
  for (guint i = 0; i < json_array_get_length (issues); i++)
    {
      JsonObject *issue = json_array_get_object_element (issues, i);

      g_assert_true (json_object_has_member (issue, "appointment_id"));
      g_assert_true (json_object_has_member (issue, "status"));
      g_assert_true (json_object_has_member (issue, "error_code"));
    }
  remember_problem (run, report);
}

static void
ensure_problem (Run *run)
{
  const char *once[] = { "--once", "--json", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;

  if (run->appointment_id != NULL)
    return;

  g_assert_cmpint (cli_run (run->f, NULL, &out, once), ==, 1);
  remember_problem (run, cli_parse_object (out, parser));
  g_assert_nonnull (run->appointment_id);
}

static guint
sim_requests (CliFixture *f)
{
  return cs_sim_server_get_service_request_count (f->sim, CS_SIM_SERVICE_CALCOM) +
         cs_sim_server_get_service_request_count (f->sim, CS_SIM_SERVICE_BACKEND);
}

static void
run_line (Run  *run,
          Line *line)
{
  CliFixture *f = run->f;
  g_auto(GStrv) argv = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  g_test_message ("README: %s", line->text);

  /* The window and the service stay until they are told to quit. */
  if (argv_is (line->argv, NULL) || argv_is (line->argv, "--background", NULL))
    {
      g_assert_cmpint (cli_run_service (f, (const char * const *) line->argv), ==, 0);
      return;
    }

  if (argv_is (line->argv, "--action", "mark_resolved", "--appointment", EXAMPLE_APPOINTMENT,
               "--note", "Customer called", NULL))
    ensure_problem (run);

  argv = substitute (run, line->argv);
  if (argv_is (line->argv, "--status", NULL))
    {
      /* "no network": the simulator sees no request. */
      guint before = sim_requests (f);

      status = cli_run_full (f, NULL, NULL, &out, &err, (const char * const *) argv);
      g_assert_cmpuint (sim_requests (f), ==, before);
    }
  else
    status = cli_run_full (f, NULL, file_content (run, line->input), &out, &err,
                           (const char * const *) argv);
  g_test_message ("exit %d\nstdout:\n%s\nstderr:\n%s", status, out, err);

  if (argv_is (line->argv, "--calcom-url", EXAMPLE_CALCOM_URL,
               "--backend-url", EXAMPLE_BACKEND_URL, NULL))
    {
      g_autofree char *calcom = cli_get_setting (f, "calcom-url");
      g_autofree char *backend = cli_get_setting (f, "backend-url");

      /* Both saved: the checks of the lines below reach the simulator. */
      g_assert_cmpint (status, ==, 0);
      g_assert_cmpstr (calcom, ==, f->calcom_url);
      g_assert_cmpstr (backend, ==, f->backend_url);
    }
  else if (argv_is (line->argv, "--set-secret", "calcom", NULL) ||
           argv_is (line->argv, "--set-secret", "backend", NULL))
    {
      /* "keys go to the keyring, read from stdin only" */
      g_assert_nonnull (line->input);
      g_assert_cmpint (status, ==, 0);
      g_assert_nonnull (strstr (out, "keyring"));
    }
  else if (argv_is (line->argv, "--once", NULL))
    {
      /* "exit 0 all in order, 1 problems, 2 could not check": the
       * simulator's data has problems of every kind. */
      g_assert_cmpint (status, ==, 1);
      g_assert_true (g_str_has_prefix (out, "Checked "));
      g_assert_nonnull (strstr (out, "To look at:"));
    }
  else if (argv_is (line->argv, "--once", "--json", NULL))
    {
      g_assert_cmpint (status, ==, 1);
      check_once_json (run, out);
    }
  else if (argv_is (line->argv, "--once", "--accept-suspect", NULL))
    {
      /* Nothing was held back: the check is applied as any other. */
      g_assert_cmpint (status, ==, 1);
      g_assert_true (g_str_has_prefix (out, "Checked "));
    }
  else if (argv_is (line->argv, "--status", NULL))
    {
      /* "the figures of the local cache" */
      g_assert_cmpint (status, ==, 0);
      g_assert_nonnull (strstr (out, "Synced"));
      g_assert_nonnull (strstr (out, "Needs review"));
      g_assert_nonnull (strstr (out, "Last check: "));
    }
  else if (argv_is (line->argv, "--action", "mark_resolved", "--appointment", EXAMPLE_APPOINTMENT,
                    "--note", "Customer called", NULL))
    {
      /* "resolve one problem", its audit entry sent to the CRM. */
      g_assert_cmpint (status, ==, 0);
      g_assert_cmpstr (out, !=, "");
      g_assert_cmpuint (cs_sim_server_get_audit_keys (f->sim)->len, ==, 1);
    }
  else
    g_error ("The README promises something this test does not check: %s", line->text);
}

static void
test_usage_lines (CliFixture    *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) lines = read_usage_lines ();
  Run run = { f, NULL };

  /* The README's first line sets both addresses, the keys follow. */
  g_assert_true (argv_is (((Line *) g_ptr_array_index (lines, 0))->argv, "--calcom-url",
                          EXAMPLE_CALCOM_URL, "--backend-url", EXAMPLE_BACKEND_URL, NULL));

  for (guint i = 0; i < lines->len; i++)
    run_line (&run, g_ptr_array_index (lines, i));

  g_free (run.appointment_id);
}

/* The splitting itself, on lines of the README's kind. */
static void
test_parse (void)
{
  g_autoptr(Line) redirect = parse_line ("calsync --set-secret calcom  < calcom-key.txt     "
                                         "# keys go to the keyring");
  g_autoptr(Line) quoted = parse_line ("calsync --action x --note \"a # b\"   # c");
  g_autoptr(Line) alone = parse_line ("calsync                     # the window");

  g_assert_true (argv_is (redirect->argv, "--set-secret", "calcom", NULL));
  g_assert_cmpstr (redirect->input, ==, "calcom-key.txt");
  g_assert_true (argv_is (quoted->argv, "--action", "x", "--note", "a # b", NULL));
  g_assert_null (quoted->input);
  g_assert_true (argv_is (alone->argv, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/calsync/cli/readme/parse", test_parse);
  g_test_add ("/calsync/cli/readme/usage", CliFixture, NULL, cli_fixture_set_up,
              test_usage_lines, cli_fixture_tear_down);

  return g_test_run ();
}
