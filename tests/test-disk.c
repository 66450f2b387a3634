/* test-disk.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "cli-test-util.h"

/* Full disks and damaged cache files, on every command of the program.
 *
 * The full disk is the test-only disk shim (tests/disk-shim.c, LD_PRELOAD):
 * writes that would grow the files in the cache's folder by more than
 * CALSYNC_TEST_DISK_FREE_BYTES fail with ENOSPC, as on a file system that
 * fills up; the program carries no test code for it. */

/* Free bytes for "the disk fills up during the run": enough to open the
 * cache and its shared-memory index (32 KiB), not for a check's commit. */
#define NEARLY_FULL_BYTES (40 * 1024)

static char *
cache_folder (CliFixture *f)
{
  return g_build_filename (f->home, "data", "calsync", NULL);
}

static char *
cache_path (CliFixture *f)
{
  return g_build_filename (f->home, "data", "calsync", "cache.sqlite3", NULL);
}

static void
exited_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *) user_data = TRUE;
}

typedef struct
{
  gboolean  done;
  char     *out;
  char     *err;
} Output;

static void
communicated_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Output *output = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &output->out,
                                        &output->err, &error);
  g_assert_no_error (error);
  output->done = TRUE;
}

/* Runs calsync with @args on a disk with @free_bytes free (-1: no limit),
 * while this process serves the simulator. */
static int
run_on_disk (CliFixture          *f,
             gssize               free_bytes,
             char               **out,
             char               **err,
             const char * const  *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = cache_folder (f);
  g_autofree char *asan = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  gboolean exited = FALSE;
  Output output = { 0 };

  g_ptr_array_add (argv, (gpointer) g_getenv ("CALSYNC_BIN"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = cli_launcher_new (f, NULL, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (free_bytes >= 0)
    {
      g_autofree char *free_text = g_strdup_printf ("%" G_GSSIZE_FORMAT, free_bytes);

      g_subprocess_launcher_setenv (launcher, "LD_PRELOAD", g_getenv ("CALSYNC_DISK_SHIM"), TRUE);
      g_subprocess_launcher_setenv (launcher, "CALSYNC_TEST_DISK_DIR", folder, TRUE);
      g_subprocess_launcher_setenv (launcher, "CALSYNC_TEST_DISK_FREE_BYTES", free_text, TRUE);
      /* An AddressSanitizer build wants its runtime first; the shim
       * before it is harmless. */
      asan = g_strdup_printf ("%s:verify_asan_link_order=0", g_getenv ("ASAN_OPTIONS") ?: "");
      g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", asan, TRUE);
    }

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicated_cb, &output);
  g_subprocess_wait_async (process, NULL, exited_cb, &exited);
  while (!(exited && output.done) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (exited && output.done);
  g_assert_true (g_subprocess_get_if_exited (process));

  if (out != NULL)
    *out = g_steal_pointer (&output.out);
  if (err != NULL)
    *err = g_steal_pointer (&output.err);
  g_free (output.out);
  g_free (output.err);

  return g_subprocess_get_exit_status (process);
}

/* One number from the cache: the first column of the first row of @sql. */
static gint64
count (CliFixture *f,
       const char *sql)
{
  g_autofree char *path = cache_path (f);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return n;
}

static void
assert_integrity (CliFixture *f)
{
  g_autofree char *path = cache_path (f);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* The files in the cache's folder named "*.damaged-*". */
static guint
count_damaged (CliFixture *f)
{
  g_autofree char *folder = cache_folder (f);
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (strstr (name, ".damaged-") != NULL && !g_str_has_suffix (name, "-wal") &&
        !g_str_has_suffix (name, "-shm"))
      n++;

  return n;
}

/* The cache as a first check left it: its figures, to compare after. */
typedef struct
{
  gint64 appointments;
  gint64 runs;
  gint64 audit;
} Figures;

static void
read_figures (CliFixture *f,
              Figures    *figures)
{
  figures->appointments = count (f, "SELECT count(*) FROM appointments");
  figures->runs = count (f, "SELECT count(*) FROM runs");
  figures->audit = count (f, "SELECT count(*) FROM audit_entries");
}

static void
assert_figures (CliFixture    *f,
                const Figures *before)
{
  Figures now;

  assert_integrity (f);
  read_figures (f, &now);
  g_assert_cmpint (now.appointments, ==, before->appointments);
  g_assert_cmpint (now.runs, ==, before->runs);
  g_assert_cmpint (now.audit, ==, before->audit);
  g_assert_cmpuint (count_damaged (f), ==, 0);
}

#define DISK_FULL "The disk that holds the local cache is full"

/* `--once` on a full disk: the sentence says the disk is full and what to
 * do, exit 2, and the cache that was there is whole with its old data;
 * both when not a byte is free and when the disk fills during the run. */
static void
test_once_full (CliFixture    *f,
                gconstpointer  data)
{
  const char *once[] = { "--once", NULL };
  const char *once_json[] = { "--once", "--json", NULL };
  const gssize sizes[] = { 0, NEARLY_FULL_BYTES };
  Figures before;

  cli_set_up_secrets (f);
  g_assert_cmpint (cli_run (f, NULL, NULL, once), ==, 1);
  read_figures (f, &before);
  g_assert_cmpint (before.appointments, >, 0);

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *out = NULL, *err = NULL, *json_out = NULL, *json_err = NULL;
      JsonObject *error;

      g_test_message ("%" G_GSSIZE_FORMAT " bytes free", sizes[i]);
      g_assert_cmpint (run_on_disk (f, sizes[i], &out, &err, once), ==, 2);
      g_assert_nonnull (strstr (err, DISK_FULL));
      g_assert_null (strstr (err, "damaged"));
      assert_figures (f, &before);

      g_assert_cmpint (run_on_disk (f, sizes[i], &json_out, &json_err, once_json), ==, 2);
      error = json_object_get_object_member (cli_parse_object (json_out, parser), "error");
      g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "disk_full");
      g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), DISK_FULL));
      assert_figures (f, &before);
    }

  /* Space again: the next check works on the same cache. */
  g_assert_cmpint (cli_run (f, NULL, NULL, once), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM runs"), ==, before.runs + 1);
}

/* An action on a full disk is refused with the sentence (exit 2: the cache
 * could not be used), and nothing of it is kept or sent: no decision, no
 * audit entry, no write to a server. */
static void
test_action_full (CliFixture    *f,
                  gconstpointer  data)
{
  const char *once[] = { "--once", "--json", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *id = NULL;
  g_autofree char *resolution = NULL;
  JsonArray *issues;
  Figures before;

  cli_set_up_secrets (f);
  g_assert_cmpint (cli_run (f, NULL, &out, once), ==, 1);
  issues = json_object_get_array_member (cli_parse_object (out, parser), "issues");
  for (guint i = 0; i < json_array_get_length (issues) && id == NULL; i++)
    {
      JsonObject *issue = json_array_get_object_element (issues, i);

      if (!json_object_get_null_member (issue, "appointment_id"))
        id = g_strdup_printf ("%" G_GINT64_FORMAT,
                              json_object_get_int_member (issue, "appointment_id"));
    }
  g_assert_nonnull (id);
  read_figures (f, &before);

  {
    const char *cancel[] = { "--action", "cancel", "--appointment", id, NULL };
    const char *resolve_json[] = { "--action", "mark_resolved", "--appointment", id, "--json",
                                   NULL };
    g_autoptr(JsonParser) p2 = json_parser_new ();
    g_autofree char *err = NULL, *json_out = NULL;
    JsonObject *report;
    guint n_requests = cs_sim_server_get_service_request_count (f->sim, CS_SIM_SERVICE_BACKEND);
    guint n_audit = cs_sim_server_get_audit_entries (f->sim)->len;

    g_assert_cmpint (run_on_disk (f, NEARLY_FULL_BYTES, NULL, &err, cancel), ==, 2);
    g_assert_nonnull (strstr (err, DISK_FULL));
    assert_figures (f, &before);

    g_assert_cmpint (run_on_disk (f, 0, &json_out, NULL, resolve_json), ==, 2);
    report = cli_parse_object (json_out, p2);
    g_assert_false (json_object_get_boolean_member (report, "ok"));
    g_assert_false (json_object_get_boolean_member (report, "queued"));
    g_assert_true (json_object_get_null_member (report, "key"));
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (report,
                                                                                 "error"),
                                                    "code"), ==, "disk_full");
    assert_figures (f, &before);

    /* Nothing reached the CRM: no cancel, no audit entry (a /me may). */
    g_assert_cmpuint (cs_sim_server_get_cancelled_appointments (f->sim)->len, ==, 0);
    g_assert_cmpuint (cs_sim_server_get_audit_entries (f->sim)->len, ==, n_audit);
    g_assert_cmpuint (cs_sim_server_get_service_request_count (f->sim, CS_SIM_SERVICE_BACKEND) -
                      n_requests, <=, 2);
  }

  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM appointments WHERE id = %s "
                                            "AND resolution IS NOT NULL", id);

    g_assert_cmpint (count (f, sql), ==, 0);
  }
}

/* A damaged cache: a valid SQLite file whose schema is not ours any more
 * (a column gone), so it is refused, while its unsent rows still read. */
static void
damage_cache (CliFixture *f)
{
  g_autofree char *path = cache_path (f);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "ALTER TABLE runs DROP COLUMN n_flagged", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);
}

/* A cache of a newer Calsync. */
static void
make_newer (CliFixture *f)
{
  g_autofree char *path = cache_path (f);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  sqlite3_close (db);
}

/* A click kept while the CRM is down, waiting in the cache. */
static char *
keep_click (CliFixture *f)
{
  const char *once[] = { "--once", "--json", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) p2 = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *action_out = NULL;
  g_autofree char *id = NULL;
  JsonArray *issues;
  CsSimFaults faults;
  JsonObject *result;

  cli_set_up_secrets (f);
  g_assert_cmpint (cli_run (f, NULL, &out, once), ==, 1);
  issues = json_object_get_array_member (cli_parse_object (out, parser), "issues");
  for (guint i = 0; i < json_array_get_length (issues) && id == NULL; i++)
    {
      JsonObject *issue = json_array_get_object_element (issues, i);

      if (!json_object_get_null_member (issue, "appointment_id"))
        id = g_strdup_printf ("%" G_GINT64_FORMAT,
                              json_object_get_int_member (issue, "appointment_id"));
    }
  g_assert_nonnull (id);

  /* An action while the CRM answers names the role the later one keeps. */
  {
    const char *retry[] = { "--action", "retry", "--appointment", id, NULL };

    g_assert_cmpint (cli_run (f, NULL, NULL, retry), ==, 0);
  }

  cs_sim_faults_init (&faults);
  faults.force_status = 503;
  cs_sim_server_set_faults (f->sim, CS_SIM_SERVICE_BACKEND, &faults);
  {
    const char *resolve[] = { "--action", "mark_resolved", "--appointment", id, "--json", NULL };

    g_assert_cmpint (cli_run (f, NULL, &action_out, resolve), ==, 0);
  }
  cs_sim_server_clear_faults (f->sim, CS_SIM_SERVICE_BACKEND);
  result = cli_parse_object (action_out, p2);
  g_assert_true (json_object_get_boolean_member (result, "queued"));

  return g_strdup (json_object_get_string_member (result, "key"));
}

static guint
remote_audit (CliFixture *f,
              const char *key)
{
  GPtrArray *entries = cs_sim_server_get_audit_entries (f->sim);
  guint n = 0;

  for (guint i = 0; i < entries->len; i++)
    n += g_strcmp0 (json_object_get_string_member (g_ptr_array_index (entries, i), "key"),
                    key) == 0;

  return n;
}

/* Each command on a damaged cache, and then on a cache of a newer
 * Calsync: the sentence on stderr (with the name the old file was kept
 * under), the old file kept, and the click that was waiting in it carried
 * over and delivered once. */
static void
test_damaged_every_command (CliFixture    *f,
                            gconstpointer  data)
{
  const char *once[] = { "--once", NULL };
  const char *status[] = { "--status", NULL };
  const char *check[] = { "--check-cache", NULL };
  const char *dismiss_nothing[] = { "--action", "dismiss", "--appointment", "1", NULL };
  const char * const *commands[] = { status, check, once, dismiss_nothing };
  g_autofree char *key = keep_click (f);
  guint damaged = 0;

  for (guint newer = 0; newer <= 1; newer++)
    for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
      {
        g_autofree char *err = NULL;
        const char *said = newer ? "made by a newer version of Calsync" : "was damaged";

        g_test_message ("%s on a %s cache", commands[i][0], newer ? "newer" : "damaged");
        if (newer)
          make_newer (f);
        else
          damage_cache (f);
        run_on_disk (f, -1, NULL, &err, commands[i]);
        g_assert_nonnull (strstr (err, said));
        g_assert_nonnull (strstr (err, ".damaged-"));
        g_assert_cmpuint (count_damaged (f), ==, ++damaged);
        assert_integrity (f);

        /* The waiting click goes with each rebuild until the check sends
         * it, once. */
        if (!newer && i <= 2)
          g_assert_nonnull (strstr (err, "It held 1 change that was not sent yet; it was "
                                         "carried over and will be sent."));
        else
          g_assert_null (strstr (err, "not sent yet"));
        g_assert_cmpuint (remote_audit (f, key), ==, !newer && i < 2 ? 0 : 1);
      }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/calsync/disk/" path, CliFixture, NULL, cli_fixture_set_up, func, \
              cli_fixture_tear_down)

  ADD ("once-full", test_once_full);
  ADD ("action-full", test_action_full);
  ADD ("damaged-every-command", test_damaged_every_command);

#undef ADD

  return g_test_run ();
}
