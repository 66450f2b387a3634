/* cli-test-util.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "cli-test-util.h"

/* The `calsync` program as a user runs it: a child process against the
 * simulator served from this test, its keys in the test's gnome-keyring,
 * its settings and cache in throwaway folders. */

typedef struct
{
  gboolean  done;
  int       status;
  char     *out;
  char     *err;
} Child;

static void
communicate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Child *child = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &child->out, &child->err,
                                        &error);
  g_assert_no_error (error);
  child->status = g_subprocess_get_exit_status (G_SUBPROCESS (object));
  child->done = TRUE;
}

/**
 * cli_launcher_new:
 * @f: the fixture
 * @language: (nullable): the language, or %NULL for untranslated
 * @flags: the pipes
 *
 * A launcher with the child's environment: settings (keyfile) and cache in
 * the fixture's home, the language, notifications through the desktop's
 * interface.
 */
GSubprocessLauncher *
cli_launcher_new (CliFixture       *f,
                  const char       *language,
                  GSubprocessFlags  flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);
  g_autofree char *config = g_build_filename (f->home, "config", NULL);
  g_autofree char *data = g_build_filename (f->home, "data", NULL);

  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  g_subprocess_launcher_setenv (launcher, "LANGUAGE", language ? language : "C", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", language ? "de_DE.UTF-8" : "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  /* Notifications go to org.gtk.Notifications, which a test may serve. */
  g_subprocess_launcher_setenv (launcher, "GNOTIFICATION_BACKEND", "gtk", TRUE);

  return launcher;
}

/**
 * cli_run_full:
 * @f: the fixture
 * @language: (nullable): the language, or %NULL for untranslated
 * @input: (nullable): standard input
 * @out: (out) (optional): standard output
 * @err: (out) (optional): standard error
 * @args: the arguments after the program's name
 *
 * Runs calsync while this process serves the simulator: the main context
 * turns until the child is done (bounded).
 *
 * Returns: the exit status
 */
int
cli_run_full (CliFixture          *f,
              const char          *language,
              const char          *input,
              char               **out,
              char               **err,
              const char * const  *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  Child child = { 0 };

  g_ptr_array_add (argv, (gpointer) g_getenv ("CALSYNC_BIN"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = cli_launcher_new (f, language, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                            G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                            G_SUBPROCESS_FLAGS_STDERR_PIPE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, input ? input : "", NULL, communicate_cb, &child);

  while (!child.done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (child.done);

  if (out != NULL)
    *out = g_steal_pointer (&child.out);
  if (err != NULL)
    *err = g_steal_pointer (&child.err);
  g_free (child.out);
  g_free (child.err);

  return child.status;
}

int
cli_run (CliFixture          *f,
         const char          *input,
         char               **out,
         const char * const  *args)
{
  return cli_run_full (f, NULL, input, out, NULL, args);
}

typedef struct
{
  gboolean  appeared;
  gboolean  answered;
  gboolean  exited;
} Service;

static void
name_appeared_cb (GDBusConnection *connection,
                  const char      *name,
                  const char      *owner,
                  gpointer         user_data)
{
  ((Service *) user_data)->appeared = TRUE;
}

static void
quit_answered_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  g_assert_no_error (error);
  ((Service *) user_data)->answered = TRUE;
}

static void
exited_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, &error);
  g_assert_no_error (error);
  ((Service *) user_data)->exited = TRUE;
}

static void
turn_until (gboolean *done)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!*done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (*done);
}

/**
 * cli_run_service:
 * @f: the fixture
 * @args: the arguments after the program's name (`--background`, …)
 *
 * Starts calsync as a service that stays (the window or the background),
 * waits until it serves on the session bus under the application id, asks
 * it to quit as "Quit" does (the app.quit action: a D-Bus call is answered
 * from its main loop, so it cannot come before the program is ready, as a
 * signal could), and waits for it to end. Fails if it ends by itself.
 *
 * Returns: the exit status
 */
int
cli_run_service (CliFixture          *f,
                 const char * const  *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GError) error = NULL;
  Service service = { 0 };
  guint watch;

  g_assert_nonnull (bus);
  g_ptr_array_add (argv, (gpointer) g_getenv ("CALSYNC_BIN"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  watch = g_bus_watch_name_on_connection (bus, APPLICATION_ID, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                          name_appeared_cb, NULL, &service, NULL);
  launcher = cli_launcher_new (f, NULL, G_SUBPROCESS_FLAGS_STDIN_PIPE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_wait_async (process, NULL, exited_cb, &service);

  /* It stays: the name appears while the program still runs. */
  while (!service.appeared && !service.exited)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (service.exited);
  g_bus_unwatch_name (watch);

  g_dbus_connection_call (bus, APPLICATION_ID, "/io/github/calsync/Calsync", "org.gtk.Actions",
                          "Activate",
                          g_variant_new ("(sava{sv})", "quit", NULL, NULL),
                          NULL, G_DBUS_CALL_FLAGS_NONE, 60000, NULL, quit_answered_cb, &service);
  turn_until (&service.answered);
  turn_until (&service.exited);

  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

/**
 * cli_fixture_set_up:
 * @data: the test's data, not used (tests pass their case here)
 *
 * A simulator of 150 appointments (seed 5) on loopback and a throwaway home.
 */
void
cli_fixture_set_up (CliFixture    *f,
                    gconstpointer  data)
{
  cli_fixture_set_up_sized (f, 150);
}

/**
 * cli_fixture_set_up_sized:
 * @n_appointments: the size of the simulator's company
 *
 * Like cli_fixture_set_up(), with @n_appointments.
 */
void
cli_fixture_set_up_sized (CliFixture *f,
                          guint       n_appointments)
{
  g_autoptr(CsSimDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  CsSimDatasetConfig config;

  cs_sim_dataset_config_init (&config);
  config.seed = 5;
  config.n_appointments = n_appointments;
  dataset = cs_sim_dataset_new (cs_clock_get_system (), &config, &error);
  g_assert_no_error (error);
  f->sim = cs_sim_server_new (cs_clock_get_system (), dataset);
  cs_sim_server_start (f->sim, 0, 0, &error);
  g_assert_no_error (error);

  f->home = g_dir_make_tmp ("calsync-cli-XXXXXX", &error);
  g_assert_no_error (error);
  f->calcom_url = g_strdup (cs_sim_server_get_calcom_url (f->sim));
  f->backend_url = g_strdup (cs_sim_server_get_backend_url (f->sim));
}

void
cli_fixture_tear_down (CliFixture    *f,
                       gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->home);

  cs_sim_server_stop (f->sim);
  g_clear_object (&f->sim);
  g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  g_free (f->home);
  g_free (f->calcom_url);
  g_free (f->backend_url);
}

/* Every member the program prints is in docs/cli-json.md, as `name` or as
 * the last part of a path (`error.code`, `issues[].status`). */
static void
assert_documented (JsonNode   *node,
                   const char *doc)
{
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        assert_documented (json_array_get_element (array, i), doc);
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) names = json_object_get_members (object);

      for (GList *l = names; l != NULL; l = l->next)
        {
          g_autofree char *alone = g_strdup_printf ("`%s`", (const char *) l->data);
          g_autofree char *in_path = g_strdup_printf (".%s`", (const char *) l->data);

          if (strstr (doc, alone) == NULL && strstr (doc, in_path) == NULL)
            g_error ("docs/cli-json.md does not describe the member '%s'",
                     (const char *) l->data);
          assert_documented (json_object_get_member (object, l->data), doc);
        }
    }
}

/**
 * cli_parse_object:
 * @text: what the program printed
 * @parser: the parser that keeps the object
 *
 * Parses one JSON object (the whole text, nothing beside it) and checks
 * that docs/cli-json.md describes each of its members.
 *
 * Returns: (transfer none): the object
 */
JsonObject *
cli_parse_object (const char *text,
                  JsonParser *parser)
{
  g_autoptr(GError) error = NULL;
  const char *doc_path = g_getenv ("CALSYNC_CLI_JSON_DOC");

  g_assert_nonnull (text);
  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  if (doc_path != NULL)
    {
      g_autofree char *doc = NULL;

      g_file_get_contents (doc_path, &doc, NULL, &error);
      g_assert_no_error (error);
      assert_documented (json_parser_get_root (parser), doc);
    }

  return json_node_get_object (json_parser_get_root (parser));
}

/**
 * cli_set_up_secrets:
 *
 * Sets both addresses and stores both secrets, as a person does.
 */
void
cli_set_up_secrets (CliFixture *f)
{
  const char *calcom[] = { "--calcom-url", f->calcom_url, "--set-secret", "calcom", NULL };
  const char *backend[] = { "--backend-url", f->backend_url, "--set-secret", "backend", NULL };

  g_assert_cmpint (cli_run (f, cs_sim_server_get_calcom_api_key (f->sim), NULL, calcom), ==, 0);
  g_assert_cmpint (cli_run (f, cs_sim_server_get_backend_token (f->sim), NULL, backend), ==, 0);
}

/**
 * cli_get_setting:
 *
 * Returns: (transfer full) (nullable): a string setting the child saved
 *   (the keyfile backend writes GVariant text: the value unquoted here)
 */
char *
cli_get_setting (CliFixture *f,
                 const char *key)
{
  g_autofree char *path = g_build_filename (f->home, "config", "glib-2.0", "settings", "keyfile",
                                            NULL);
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autofree char *text = NULL;
  g_autoptr(GVariant) value = NULL;

  if (!g_key_file_load_from_file (keyfile, path, G_KEY_FILE_NONE, NULL))
    return NULL;
  text = g_key_file_get_value (keyfile, "io/github/calsync/Calsync", key, NULL);
  if (text == NULL)
    return NULL;
  value = g_variant_parse (G_VARIANT_TYPE_STRING, text, NULL, NULL, NULL);
  return value != NULL ? g_variant_dup_string (value, NULL) : NULL;
}
