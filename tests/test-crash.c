/* test-crash.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#include "cli-test-util.h"
#include "cs-sim-dataset.h"
#include "cs-store.h"

/* Crash consistency: `calsync --once` and each kind of `calsync --action`
 * are killed (SIGKILL) at points drawn from a seed, and after every kill
 * the cache must be whole, the next process must finish what the killed
 * one kept, and nothing may happen twice.
 *
 * The kill points are events, never times:
 *
 *   - mid-request: the simulator holds the answer to the N-th request of
 *     the run (cs_sim_server_hold_nth_answer(): the request is done on the
 *     server, its answer never comes), and the test kills the child once
 *     the simulator holds it;
 *   - mid-write: the disk shim (tests/disk-shim.c, LD_PRELOAD) lets the
 *     N-th write to the cache's folder put half its bytes on the file and
 *     then kills the child.
 *
 * N is drawn up to the number of requests or writes a whole run of that
 * kind made on this data (measured first). The seed is printed; set
 * CALSYNC_CRASH_SEED to replay a run. */

#define KILLS_ONCE   6
#define KILLS_ACTION 2

typedef struct
{
  CliFixture  cli;
  GRand      *rand;
  guint       n_fresh;
  guint       n_kills;

  /* A whole run's size, measured by calibrate() */
  guint       requests;
  guint       writes;
} Fixture;

typedef enum
{
  OUTCOME_COMPLETED,
  OUTCOME_KILLED_MID_REQUEST,
  OUTCOME_KILLED_MID_WRITE,
} Outcome;

static guint32
crash_seed (void)
{
  static guint32 seed;
  static gsize once;

  if (g_once_init_enter (&once))
    {
      const char *given = g_getenv ("CALSYNC_CRASH_SEED");

      seed = given != NULL ? (guint32) g_ascii_strtoull (given, NULL, 10) : g_random_int ();
      g_once_init_leave (&once, 1);
    }

  return seed;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const char *name = data;

  /* Enough rows of every kind for a calibration and the kills. */
  cli_fixture_set_up_sized (&f->cli, 400);
  f->rand = g_rand_new_with_seed (crash_seed () ^ g_str_hash (name));
  g_test_message ("crash seed %u (replay with CALSYNC_CRASH_SEED=%u)", crash_seed (),
                  crash_seed ());
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_test_message ("%u kills", f->n_kills);
  g_rand_free (f->rand);
  cli_fixture_tear_down (&f->cli, data);
}

static char *
cache_folder (Fixture *f)
{
  return g_build_filename (f->cli.home, "data", "calsync", NULL);
}

static char *
cache_path (Fixture *f)
{
  return g_build_filename (f->cli.home, "data", "calsync", "cache.sqlite3", NULL);
}

static guint
n_requests (Fixture *f)
{
  return cs_sim_server_get_service_request_count (f->cli.sim, CS_SIM_SERVICE_CALCOM) +
         cs_sim_server_get_service_request_count (f->cli.sim, CS_SIM_SERVICE_BACKEND);
}

static void
exited_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *) user_data = TRUE;
}

/* Runs calsync with @args through the disk shim. @kill_at_request > 0:
 * kills it once the simulator holds the answer to that request of the run;
 * @kill_at_write > 0: the shim kills it in that write. */
static Outcome
run_child (Fixture            *f,
           guint               kill_at_request,
           guint               kill_at_write,
           const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = cache_folder (f);
  g_autofree char *count_file = g_build_filename (f->cli.home, "writes", NULL);
  g_autofree char *count_text = NULL;
  g_autofree char *asan = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  guint held = cs_sim_server_get_n_held (f->cli.sim);
  guint requests = n_requests (f);
  gboolean exited = FALSE;

  g_ptr_array_add (argv, (gpointer) g_getenv ("CALSYNC_BIN"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_mkdir_with_parents (folder, 0700);
  g_unlink (count_file);
  launcher = cli_launcher_new (&f->cli, NULL, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                              G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "LD_PRELOAD", g_getenv ("CALSYNC_DISK_SHIM"), TRUE);
  g_subprocess_launcher_setenv (launcher, "CALSYNC_TEST_DISK_DIR", folder, TRUE);
  g_subprocess_launcher_setenv (launcher, "CALSYNC_TEST_WRITE_COUNT_FILE", count_file, TRUE);
  /* An AddressSanitizer build wants its runtime first; the shim comes
   * before it here, which is harmless. */
  asan = g_strdup_printf ("%s:verify_asan_link_order=0", g_getenv ("ASAN_OPTIONS") ?: "");
  g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", asan, TRUE);
  if (kill_at_write > 0)
    {
      g_autofree char *n = g_strdup_printf ("%u", kill_at_write);

      g_subprocess_launcher_setenv (launcher, "CALSYNC_TEST_KILL_AT_WRITE", n, TRUE);
    }
  cs_sim_server_hold_nth_answer (f->cli.sim, kill_at_request);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  /* The simulator is served from this thread: turn until the child ends or
   * the answer is held (bounded, never a sleep). */
  g_subprocess_wait_async (process, NULL, exited_cb, &exited);
  while (g_get_monotonic_time () < deadline && !exited)
    {
      if (kill_at_request > 0 && cs_sim_server_get_n_held (f->cli.sim) > held)
        break;
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_true (g_get_monotonic_time () < deadline);
  cs_sim_server_hold_nth_answer (f->cli.sim, 0);

  if (!exited)
    {
      g_subprocess_force_exit (process);
      g_assert_true (g_subprocess_wait (process, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_if_signaled (process));
      return OUTCOME_KILLED_MID_REQUEST;
    }

  if (g_subprocess_get_if_signaled (process))
    {
      g_assert_cmpint (g_subprocess_get_term_sig (process), ==, SIGKILL);
      g_assert_cmpuint (kill_at_write, >, 0);
      return OUTCOME_KILLED_MID_WRITE;
    }

  /* A whole run: its size, for the next draws. */
  f->requests = n_requests (f) - requests;
  if (g_file_get_contents (count_file, &count_text, NULL, NULL))
    f->writes = (guint) g_ascii_strtoull (count_text, NULL, 10);
  return OUTCOME_COMPLETED;
}

/* Runs @args until the draw's kill point: mid-request or mid-write, N up
 * to the size of the calibration run. */
static Outcome
run_and_kill (Fixture            *f,
              const char * const *args)
{
  gboolean by_request = g_rand_boolean (f->rand);
  guint requests = f->requests, writes = f->writes;
  guint n;
  Outcome outcome;

  g_assert_cmpuint (requests, >, 0);
  g_assert_cmpuint (writes, >, 0);
  n = (guint) g_rand_int_range (f->rand, 1, (by_request ? requests : writes) + 1);
  g_test_message ("%s killed %s %u of %u", args[0] + 2,
                  by_request ? "at request" : "in write", n, by_request ? requests : writes);

  outcome = run_child (f, by_request ? n : 0, by_request ? 0 : n, args);
  /* A kill run measures nothing. */
  f->requests = requests;
  f->writes = writes;
  if (outcome != OUTCOME_COMPLETED)
    f->n_kills++;

  return outcome;
}

/* What the cache must be after any kill: not taken for damaged, whole. */
static void
assert_cache_whole (Fixture *f)
{
  g_autofree char *folder = cache_folder (f);
  g_autofree char *path = cache_path (f);
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_null (strstr (name, ".damaged-"));

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* Runs one SQL query with up to two text parameters on @path and returns
 * its rows, each row's columns joined by '|', in the order of the query. */
static GPtrArray *
query (const char *path,
       const char *sql,
       const char *param1,
       const char *param2)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_free);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (param1 != NULL)
    sqlite3_bind_text (stmt, 1, param1, -1, SQLITE_TRANSIENT);
  if (param2 != NULL)
    sqlite3_bind_text (stmt, 2, param2, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      GString *row = g_string_new (NULL);

      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        g_string_append_printf (row, "%s%s", i > 0 ? "|" : "",
                                sqlite3_column_text (stmt, i) != NULL
                                ? (const char *) sqlite3_column_text (stmt, i) : "");
      g_ptr_array_add (rows, g_string_free (row, FALSE));
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return rows;
}

/* Every appointment's status and error code ("status|code") by id, and
 * whether each booking is an orphan, by "uid:UID", in the cache at @path. */
static GHashTable *
statuses (const char *path)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) appointments = NULL;
  g_autoptr(GPtrArray) bookings = NULL;

  appointments = query (path, "SELECT id, calcom_sync_status, sync_error_code FROM appointments "
                              "WHERE deleted_at IS NULL", NULL, NULL);
  bookings = query (path, "SELECT uid, calcom_sync_status FROM bookings", NULL, NULL);
  for (guint i = 0; i < appointments->len; i++)
    {
      const char *row = g_ptr_array_index (appointments, i);
      const char *bar = strchr (row, '|');

      g_hash_table_insert (table, g_strndup (row, bar - row), g_strdup (bar + 1));
    }
  for (guint i = 0; i < bookings->len; i++)
    {
      const char *row = g_ptr_array_index (bookings, i);
      const char *bar = strchr (row, '|');

      /* A claimed booking keeps no tracking of its own (pending, or the
       * synced that ended an orphan finding): only "orphan or not" counts. */
      g_hash_table_insert (table, g_strdup_printf ("uid:%.*s", (int) (bar - row), row),
                           g_strdup (g_str_equal (bar + 1, "orphaned_calcom") ? "orphaned_calcom"
                                                                            : "claimed"));
    }

  return table;
}

/* A clean `calsync --once` on the cache that survived, then one on a fresh
 * cache: the survivor must see what a cache that never crashed sees. */
static void
assert_clean_run_matches_fresh (Fixture *f)
{
  const char *once[] = { "--once", "--json", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) survivor = NULL;
  g_autoptr(GHashTable) fresh = NULL;
  g_autofree char *out = NULL;
  g_autofree char *fresh_home = NULL;
  g_autofree char *fresh_path = NULL;
  g_autofree char *path = cache_path (f);
  GHashTableIter iter;
  gpointer key, value;
  JsonObject *report;
  int status;

  status = cli_run (&f->cli, NULL, &out, once);
  g_assert_true (status == 0 || status == 1);
  report = cli_parse_object (out, parser);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (report, "warnings")),
                    ==, 0);
  assert_cache_whole (f);

  fresh_home = g_strdup_printf ("%s/fresh-%u", f->cli.home, f->n_fresh++);
  {
    const char *argv[] = { g_getenv ("CALSYNC_BIN"), "--once", NULL };
    gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
    gboolean exited = FALSE;

    launcher = cli_launcher_new (&f->cli, NULL, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                G_SUBPROCESS_FLAGS_STDERR_SILENCE);
    g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", fresh_home, TRUE);

    process = g_subprocess_launcher_spawnv (launcher, argv, &error);
    g_assert_no_error (error);
    g_subprocess_wait_async (process, NULL, exited_cb, &exited);
    while (!exited && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    g_assert_true (exited);
    g_assert_true (g_subprocess_get_if_exited (process));
    g_assert_cmpint (g_subprocess_get_exit_status (process), <=, 1);
  }

  fresh_path = g_build_filename (fresh_home, "calsync", "cache.sqlite3", NULL);
  survivor = statuses (path);
  fresh = statuses (fresh_path);
  g_assert_cmpuint (g_hash_table_size (fresh), >, 0);
  g_hash_table_iter_init (&iter, fresh);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *kept = g_hash_table_lookup (survivor, key);

      if (g_strcmp0 (kept, value) != 0)
        g_error ("%s is %s after the crash, %s in a fresh cache", (const char *) key,
                 kept ? kept : "missing", (const char *) value);
    }
}

/* No appointment has two active bookings in Cal.com. */
static void
assert_no_double_booking (Fixture *f)
{
  GPtrArray *bookings = cs_sim_dataset_get_bookings (cs_sim_server_get_dataset (f->cli.sim));
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < bookings->len; i++)
    {
      const CsSimBooking *row = g_ptr_array_index (bookings, i);
      const char *id = cs_booking_get_crm_appointment_id (row->booking);

      if (id == NULL || !cs_booking_status_is_active (row->booking->status))
        continue;
      if (g_hash_table_contains (seen, id))
        g_error ("Appointment %s has two active bookings in Cal.com", id);
      g_hash_table_add (seen, (gpointer) id);
    }
}

/* --once */

static void
test_once (Fixture       *f,
           gconstpointer  data)
{
  const char *once[] = { "--once", NULL };
  guint kills = 0;

  cli_set_up_secrets (&f->cli);
  g_assert_cmpint (cli_run (&f->cli, NULL, NULL, once), ==, 1);
  /* A run on a filled cache: the size of the runs to kill. */
  g_assert_cmpint (run_child (f, 0, 0, once), ==, OUTCOME_COMPLETED);

  for (guint i = 0; kills < KILLS_ONCE && i < 4 * KILLS_ONCE; i++)
    {
      if (run_and_kill (f, once) != OUTCOME_COMPLETED)
        kills++;
      assert_cache_whole (f);
      assert_clean_run_matches_fresh (f);
      assert_no_double_booking (f);
    }
  g_assert_cmpuint (kills, ==, KILLS_ONCE);
}

/* --action */

typedef struct
{
  const char *action;
  gint64      appointment_id;   /* 0: a booking only in Cal.com */
  char       *booking_uid;      /* --booking: the one to link or create from */
  char       *old_uid;          /* use_database_values: the booking to move */
} Target;

static void
target_free (Target *target)
{
  g_free (target->booking_uid);
  g_free (target->old_uid);
  g_free (target);
}

static gboolean
bookable (CsSimDataset        *dataset,
          const CsAppointment *a)
{
  const CsSimEventType *type = cs_sim_lookup_event_type (a->calcom_event_type_id);

  return type != NULL && a->customer_email != NULL &&
         a->starts_at > g_get_real_time () + CS_USEC_PER_DAY &&
         cs_sim_within_opening_hours (a->starts_at,
                                      a->starts_at + type->minutes * CS_USEC_PER_MINUTE) &&
         cs_sim_dataset_find_active_booking (dataset, type->id, a->starts_at, NULL) == NULL;
}

/* The appointments and bookings @action can act on, from the simulator's
 * truth, in id order. */
static GPtrArray *
find_targets (Fixture    *f,
              const char *action)
{
  CsSimDataset *dataset = cs_sim_server_get_dataset (f->cli.sim);
  GPtrArray *appointments = cs_sim_dataset_get_appointments (dataset);
  GPtrArray *bookings = cs_sim_dataset_get_bookings (dataset);
  GPtrArray *targets = g_ptr_array_new_with_free_func ((GDestroyNotify) target_free);
  gint64 future = g_get_real_time () + CS_USEC_PER_DAY;

  if (g_str_equal (action, "create_in_crm"))
    {
      for (guint i = 0; i < bookings->len; i++)
        {
          const CsSimBooking *row = g_ptr_array_index (bookings, i);
          const CsSimTruth *truth = cs_sim_dataset_get_booking_truth (dataset,
                                                                      row->booking->uid);
          Target *target;

          if (truth == NULL || truth->category != CS_SIM_CATEGORY_ORPHANED_CALCOM)
            continue;
          target = g_new0 (Target, 1);
          target->action = action;
          target->booking_uid = g_strdup (row->booking->uid);
          g_ptr_array_add (targets, target);
        }
      return targets;
    }

  for (guint i = 0; i < appointments->len; i++)
    {
      const CsSimAppointment *row = g_ptr_array_index (appointments, i);
      const CsAppointment *a = row->appointment;
      const CsSimTruth *truth = cs_sim_dataset_get_truth (dataset, a->id);
      const CsSimBooking *booking = NULL;
      gboolean fits;

      if (truth == NULL || a->company_id != CS_SIM_DEFAULT_COMPANY_ID)
        continue;
      if (a->calcom_booking_uid != NULL)
        booking = cs_sim_dataset_lookup_booking (dataset, a->calcom_booking_uid);

      if (g_str_equal (action, "create_in_calcom"))
        fits = truth->category == CS_SIM_CATEGORY_ORPHANED_LOCAL && bookable (dataset, a);
      else if (g_str_equal (action, "use_database_values"))
        fits = truth->category == CS_SIM_CATEGORY_MISMATCH_START && booking != NULL &&
               a->starts_at > future && booking->booking->start > future;
      else if (g_str_equal (action, "use_calcom_values"))
        fits = truth->category == CS_SIM_CATEGORY_MISMATCH_START ||
               truth->category == CS_SIM_CATEGORY_MISMATCH_END;
      else if (g_str_equal (action, "link"))
        fits = truth->category == CS_SIM_CATEGORY_SUGGESTED &&
               truth->suggested_booking_uid != NULL;
      else if (g_str_equal (action, "cancel"))
        fits = truth->category == CS_SIM_CATEGORY_ORPHANED_LOCAL && a->starts_at > future;
      else
        fits = truth->category == CS_SIM_CATEGORY_ORPHANED_LOCAL ||
               truth->category == CS_SIM_CATEGORY_MISMATCH_END;

      if (fits)
        {
          Target *target = g_new0 (Target, 1);

          target->action = action;
          target->appointment_id = a->id;
          if (g_str_equal (action, "link"))
            target->booking_uid = g_strdup (truth->suggested_booking_uid);
          target->old_uid = g_strdup (a->calcom_booking_uid);
          g_ptr_array_add (targets, target);
        }
    }

  return targets;
}

static GPtrArray *
action_args (const Target *target)
{
  GPtrArray *args = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (args, g_strdup ("--action"));
  g_ptr_array_add (args, g_strdup (target->action));
  if (target->appointment_id > 0)
    {
      g_ptr_array_add (args, g_strdup ("--appointment"));
      g_ptr_array_add (args, g_strdup_printf ("%" G_GINT64_FORMAT, target->appointment_id));
    }
  if (target->booking_uid != NULL)
    {
      g_ptr_array_add (args, g_strdup ("--booking"));
      g_ptr_array_add (args, g_strdup (target->booking_uid));
    }
  if (g_str_equal (target->action, "snooze"))
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autoptr(GDateTime) later = g_date_time_add_days (now, 7);

      g_ptr_array_add (args, g_strdup ("--until"));
      g_ptr_array_add (args, g_date_time_format (later, "%Y-%m-%dT%H:%M:%S+00:00"));
    }
  g_ptr_array_add (args, g_strdup ("--note"));
  g_ptr_array_add (args, g_strdup ("crash test"));
  g_ptr_array_add (args, NULL);

  return args;
}

/* The child's own record of the click: "key|result|uploaded_at", or NULL
 * when the click was never kept. */
static char *
local_entry (Fixture      *f,
             const Target *target)
{
  g_autofree char *path = cache_path (f);
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, target->appointment_id);
  g_autoptr(GPtrArray) rows = NULL;

  if (target->appointment_id > 0)
    rows = query (path, "SELECT key, result, uploaded_at FROM audit_entries "
                        "WHERE action = ?1 AND appointment_id = ?2", target->action, id);
  else
    rows = query (path, "SELECT key, result, uploaded_at FROM audit_entries "
                        "WHERE action = ?1 AND booking_uid = ?2", target->action,
                  target->booking_uid);
  g_assert_cmpuint (rows->len, <=, 1);

  return rows->len == 1 ? g_strdup (g_ptr_array_index (rows, 0)) : NULL;
}

/* The CRM's audit entries for @target's action: with @key, or (key NULL)
 * any for the same action and appointment. */
static guint
remote_entries (Fixture      *f,
                const Target *target,
                const char   *key,
                const char  **out_result)
{
  GPtrArray *entries = cs_sim_server_get_audit_entries (f->cli.sim);
  guint n = 0;

  for (guint i = 0; i < entries->len; i++)
    {
      JsonObject *entry = g_ptr_array_index (entries, i);
      gboolean same;

      if (key != NULL)
        same = g_strcmp0 (json_object_get_string_member (entry, "key"), key) == 0;
      else
        same = g_strcmp0 (json_object_get_string_member (entry, "action"), target->action) == 0 &&
               target->appointment_id > 0 &&
               !json_object_get_null_member (entry, "appointment_id") &&
               json_object_get_int_member (entry, "appointment_id") == target->appointment_id;
      if (same)
        {
          if (out_result != NULL)
            *out_result = json_object_get_string_member (entry, "result");
          n++;
        }
    }

  return n;
}

/* Cal.com's active bookings that name @id in their metadata. */
static guint
active_bookings_of (Fixture *f,
                    gint64   id)
{
  GPtrArray *bookings = cs_sim_dataset_get_bookings (cs_sim_server_get_dataset (f->cli.sim));
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  guint n = 0;

  for (guint i = 0; i < bookings->len; i++)
    {
      const CsSimBooking *row = g_ptr_array_index (bookings, i);

      if (cs_booking_status_is_active (row->booking->status) &&
          g_strcmp0 (cs_booking_get_crm_appointment_id (row->booking), text) == 0)
        n++;
    }

  return n;
}

/* The click's effect on the servers, seen there: TRUE when it happened. */
static gboolean
effect_reached (Fixture      *f,
                const Target *target)
{
  CsSimDataset *dataset = cs_sim_server_get_dataset (f->cli.sim);
  CsSimAppointment *row = target->appointment_id > 0
                          ? cs_sim_dataset_lookup_appointment (dataset, target->appointment_id)
                          : NULL;
  const char *action = target->action;

  if (g_str_equal (action, "create_in_calcom"))
    return active_bookings_of (f, target->appointment_id) == 1;
  if (g_str_equal (action, "cancel"))
    return row->appointment->status == CS_CRM_STATUS_CANCELLED;
  if (g_str_equal (action, "link"))
    return g_strcmp0 (row->appointment->calcom_booking_uid, target->booking_uid) == 0;
  if (g_str_equal (action, "use_calcom_values"))
    return cs_sim_server_get_patch (f->cli.sim, target->appointment_id) != NULL;
  if (g_str_equal (action, "use_database_values"))
    {
      GPtrArray *rescheduled = cs_sim_server_get_rescheduled_uids (f->cli.sim);
      guint n = 0;

      for (guint i = 0; i < rescheduled->len; i++)
        n += g_strcmp0 (g_ptr_array_index (rescheduled, i), target->old_uid) == 0;
      g_assert_cmpuint (n, <=, 1);
      return n == 1;
    }
  if (g_str_equal (action, "create_in_crm"))
    {
      GPtrArray *appointments = cs_sim_dataset_get_appointments (dataset);
      guint n = 0;

      for (guint i = 0; i < appointments->len; i++)
        {
          const CsSimAppointment *a = g_ptr_array_index (appointments, i);

          n += g_strcmp0 (a->appointment->calcom_booking_uid, target->booking_uid) == 0;
        }
      g_assert_cmpuint (n, <=, 1);
      return n == 1;
    }

  /* The local decisions (mark_resolved, dismiss, snooze) and a retry: the
   * audit entry is their effect on the servers. */
  return remote_entries (f, target, NULL, NULL) > 0;
}

/* The actions whose only effect on the servers is their audit entry. */
static gboolean
is_local (const char *action)
{
  return g_str_equal (action, "mark_resolved") || g_str_equal (action, "dismiss") ||
         g_str_equal (action, "snooze") || g_str_equal (action, "retry");
}

/* After a kill and one clean run: a click the killed process kept is
 * done, once, and its audit entry reached the CRM once with its result; a
 * click it had not kept left nothing anywhere. */
static void
assert_click (Fixture      *f,
              const Target *target,
              gboolean      kept)
{
  g_autofree char *entry = local_entry (f, target);

  if (!kept)
    {
      g_assert_null (entry);
      g_assert_cmpuint (remote_entries (f, target, NULL, NULL), ==, 0);
      if (!is_local (target->action))
        g_assert_false (effect_reached (f, target));
      return;
    }

  {
    g_auto(GStrv) fields = g_strsplit (entry, "|", 3);
    const char *result = NULL;

    g_assert_cmpuint (remote_entries (f, target, fields[0], &result), ==, 1);
    g_assert_cmpstr (result, ==, fields[1]);
    g_assert_cmpstr (fields[1], ==, "ok");
    g_assert_cmpstr (fields[2], !=, "");
    g_assert_true (effect_reached (f, target));
  }
}

static void
test_action (Fixture       *f,
             gconstpointer  data)
{
  const char *action = strrchr ((const char *) data, '/') + 1;
  const char *once[] = { "--once", NULL };
  g_autoptr(GPtrArray) targets = NULL;
  guint kills = 0;
  guint next = 0;

  cli_set_up_secrets (&f->cli);
  g_assert_cmpint (cli_run (&f->cli, NULL, NULL, once), ==, 1);
  targets = find_targets (f, action);
  g_test_message ("%s: %u targets", action, targets->len);
  g_assert_cmpuint (targets->len, >=, KILLS_ACTION + 1);

  /* A whole click first: its size, and the check that it works at all. */
  {
    Target *target = g_ptr_array_index (targets, next++);
    g_autoptr(GPtrArray) args = action_args (target);

    g_assert_cmpint (run_child (f, 0, 0, (const char * const *) args->pdata), ==,
                     OUTCOME_COMPLETED);
    assert_click (f, target, TRUE);
  }

  while (kills < KILLS_ACTION && next < targets->len)
    {
      Target *target = g_ptr_array_index (targets, next++);
      g_autoptr(GPtrArray) args = action_args (target);
      g_autofree char *entry = NULL;
      Outcome outcome;

      outcome = run_and_kill (f, (const char * const *) args->pdata);
      if (outcome != OUTCOME_COMPLETED)
        kills++;
      assert_cache_whole (f);
      entry = local_entry (f, target);

      assert_clean_run_matches_fresh (f);
      assert_click (f, target, entry != NULL || remote_entries (f, target, NULL, NULL) > 0);
      assert_no_double_booking (f);
    }
  g_assert_cmpuint (kills, ==, KILLS_ACTION);
}

int
main (int   argc,
      char *argv[])
{
  static const char * const actions[] = {
    "mark_resolved", "create_in_calcom", "use_database_values", "use_calcom_values", "cancel",
    "link", "dismiss", "snooze", "retry", "create_in_crm",
  };

  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/calsync/crash/once", Fixture, "once", fixture_set_up, test_once,
              fixture_tear_down);
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    {
      char *path = g_strdup_printf ("/calsync/crash/%s", actions[i]);

      g_ptr_array_add (paths, path);
      g_test_add (path, Fixture, path, fixture_set_up, test_action, fixture_tear_down);
    }

  return g_test_run ();
}
