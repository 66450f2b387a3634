/* test-demo.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "cs-demo.h"

/* `--demo` shows every state at once: cs_demo_prepare_async() fills the
 * cache by real runs of the engine against the simulator. */

#define N_APPOINTMENTS 300

typedef struct
{
  GAsyncResult *result;
} Async;

static void
async_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Async *async = user_data;

  g_assert_null (async->result);
  async->result = g_object_ref (result);
}

static GAsyncResult *
wait_result (Async *async)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  while (async->result == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_assert_nonnull (async->result);
  return g_steal_pointer (&async->result);
}

static CsDemo *
prepared_demo (guint history_days)
{
  g_autoptr(CsDemo) demo = cs_demo_new (N_APPOINTMENTS);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Async async = { NULL };

  g_assert_true (cs_demo_start (demo, &error));
  g_assert_no_error (error);

  cs_demo_set_history_days (demo, history_days);
  g_assert_cmpuint (cs_demo_get_history_days (demo), ==, history_days);
  cs_demo_prepare_async (demo, NULL, async_cb, &async);
  result = wait_result (&async);
  g_assert_true (cs_demo_prepare_finish (demo, result, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&demo);
}

static CsEngine *
started_engine (CsDemo *demo)
{
  g_autoptr(CsEngine) engine = cs_demo_new_engine (demo);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Async async = { NULL };

  cs_engine_start_async (engine, NULL, async_cb, &async);
  result = wait_result (&async);
  g_assert_true (cs_engine_start_finish (engine, result, &error));
  g_assert_no_error (error);
  g_assert_null (cs_engine_get_setup_error (engine));

  return g_steal_pointer (&engine);
}

static guint
count_code (GPtrArray   *appointments,
            CsErrorCode  code,
            CsSyncStatus status,
            guint        min_attempts,
            guint        max_attempts)
{
  guint n = 0;

  for (guint i = 0; i < appointments->len; i++)
    {
      CsAppointment *a = g_ptr_array_index (appointments, i);

      if (a->sync.sync_error_code == code && a->sync.status == status &&
          a->sync.sync_attempt_count >= min_attempts &&
          a->sync.sync_attempt_count <= max_attempts && !a->sync.requires_manual_review)
        n++;
    }

  return n;
}

static void
test_prepare_every_state (gconstpointer data)
{
  guint history_days = GPOINTER_TO_UINT (data);
  g_autoptr(CsDemo) demo = prepared_demo (history_days);
  g_autoptr(CsEngine) engine = started_engine (demo);
  CsStore *store = cs_engine_get_store (engine);
  g_autoptr(GPtrArray) appointments = NULL;
  g_autoptr(GPtrArray) bookings = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GHashTable) days = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;
  CsTime now = cs_clock_get_now (cs_clock_get_system ());
  CsStoreCounts counts = { 0 };
  CsTime start, end;
  guint n_resolved = 0, n_flagged_orphans = 0, n_failed_runs = 0, n_recent_runs = 0;
  Async async = { NULL };

  g_assert_true (cs_store_get_counts (store, &counts, &error));
  g_assert_no_error (error);
  for (CsSyncStatus s = 0; s <= CS_SYNC_STATUS_LAST; s++)
    {
      if (s == CS_SYNC_STATUS_VERIFICATION_PENDING)
        continue;   /* the engine writes it nowhere */
      g_test_message ("%s: %u", cs_sync_status_to_string (s), counts.by_status[s]);
      g_assert_cmpuint (counts.by_status[s], >, 0);
    }
  g_assert_cmpuint (counts.needs_review, >, 0);

  cs_engine_get_window (engine, &start, &end);
  appointments = cs_store_list_appointments (store, start, end, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < appointments->len; i++)
    {
      CsAppointment *a = g_ptr_array_index (appointments, i);

      if (a->sync.status != CS_SYNC_STATUS_SYNCED)
        g_test_message ("%" G_GINT64_FORMAT " %s %s %u%s%s", a->id,
                        cs_sync_status_to_string (a->sync.status),
                        cs_error_code_to_string (a->sync.sync_error_code),
                        a->sync.sync_attempt_count,
                        a->sync.requires_manual_review ? " flagged" : "",
                        a->resolved_at != CS_TIME_UNSET ? " resolved" : "");
    }

  /* Lookups that failed, mismatches, orphans at attempt 1–2, not flagged. */
  g_assert_cmpuint (count_code (appointments, CS_ERROR_CODE_VERIFICATION_ERROR,
                                CS_SYNC_STATUS_FAILED, 1, 2), >, 0);
  g_assert_cmpuint (count_code (appointments, CS_ERROR_CODE_DATA_MISMATCH,
                                CS_SYNC_STATUS_FAILED, 1, 2), >, 0);
  g_assert_cmpuint (count_code (appointments, CS_ERROR_CODE_ORPHANED_LOCAL,
                                CS_SYNC_STATUS_ORPHANED_LOCAL, 1, 2) +
                    count_code (appointments, CS_ERROR_CODE_VERIFICATION_ERROR,
                                CS_SYNC_STATUS_ORPHANED_LOCAL, 1, 2), >, 0);
  bookings = cs_store_list_bookings (store, start, end, &error);
  g_assert_no_error (error);
  {
    guint n = 0;

    for (guint i = 0; i < bookings->len; i++)
      {
        CsBooking *b = g_ptr_array_index (bookings, i);

        if (b->sync.status == CS_SYNC_STATUS_ORPHANED_CALCOM && !b->sync.requires_manual_review &&
            b->sync.sync_attempt_count >= 1 && b->sync.sync_attempt_count <= 2)
          n++;
      }
    g_assert_cmpuint (n, >, 0);
  }

  /* Flagged after three attempts, some of them resolved. */
  for (guint i = 0; i < appointments->len; i++)
    {
      CsAppointment *a = g_ptr_array_index (appointments, i);

      if (a->resolved_at != CS_TIME_UNSET)
        n_resolved++;
      if (a->sync.requires_manual_review && a->resolved_at == CS_TIME_UNSET &&
          a->sync.status == CS_SYNC_STATUS_ORPHANED_LOCAL)
        {
          g_assert_cmpuint (a->sync.sync_attempt_count, >=, 3);
          g_assert_cmpint (a->sync.manual_review_flagged_at, <, now);
          n_flagged_orphans++;
        }
    }
  g_assert_cmpuint (n_resolved, >, 0);
  g_assert_cmpuint (n_flagged_orphans, >, 0);

  /* Runs within the last hour and on each of the past days (local dates,
   * as the demo plans them and the chart counts them, whatever the time of
   * day now); the outage day's failed. */
  runs = cs_store_list_runs (store, CS_TIME_UNSET, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < runs->len; i++)
    {
      CsRunRecord *run = g_ptr_array_index (runs, i);
      g_autoptr(GDateTime) local = g_date_time_new_from_unix_local (run->started_at /
                                                                    CS_USEC_PER_SECOND);
      gint64 *day = g_new (gint64, 1);

      g_assert_cmpint (run->started_at, <, now);
      /* The seeding clock follows real time during a run: the metrics
       * show real durations. */
      if (g_strcmp0 (run->result, CS_RUN_RESULT_OK) == 0)
        g_assert_cmpint (run->duration_usec, >, 0);
      *day = g_date_time_get_year (local) * 10000 + g_date_time_get_month (local) * 100 +
             g_date_time_get_day_of_month (local);
      g_hash_table_add (days, day);
      if (now - run->started_at < CS_USEC_PER_HOUR)
        n_recent_runs++;
      if (g_strcmp0 (run->result, CS_RUN_RESULT_FAILED) == 0)
        n_failed_runs++;
    }
  g_assert_cmpuint (n_recent_runs, >, 0);
  for (guint d = 1; d <= history_days; d++)
    {
      g_autoptr(GDateTime) local = g_date_time_new_from_unix_local (now / CS_USEC_PER_SECOND -
                                                                    (gint64) d * 86400);
      gint64 day = g_date_time_get_year (local) * 10000 + g_date_time_get_month (local) * 100 +
                   g_date_time_get_day_of_month (local);

      g_assert_true (g_hash_table_contains (days, &day));
    }
  if (history_days >= 3)
    g_assert_cmpuint (n_failed_runs, >, 0);

  /* The retries the seeding runs left are due on the real clock, around
   * now: the app's engine serves them, neither stuck in the past nor far
   * ahead. */
  {
    g_autoptr(GPtrArray) due = cs_store_list_due_appointments (store, now + 10 * CS_USEC_PER_MINUTE,
                                                               &error);

    g_assert_no_error (error);
    g_assert_cmpuint (due->len, >, 0);
    for (guint i = 0; i < appointments->len; i++)
      {
        CsAppointment *a = g_ptr_array_index (appointments, i);

        if (a->next_attempt_at == CS_TIME_UNSET)
          continue;
        g_assert_cmpint (a->next_attempt_at, >, now - 15 * CS_USEC_PER_MINUTE);
        g_assert_cmpint (a->next_attempt_at, <, now + 15 * CS_USEC_PER_MINUTE);
      }
  }

  /* The schedule's due times are where the schedule would have left
   * them: the app's scheduler runs nothing at once, so the window shows
   * the prepared states, not the result of an extra check. */
  {
    gint64 next_cycle = 0, next_check = 0;

    g_assert_true (cs_store_get_state_int64 (store, CS_SCHEDULER_STATE_NEXT_CYCLE, 0, &next_cycle, &error));
    g_assert_true (cs_store_get_state_int64 (store, CS_SCHEDULER_STATE_NEXT_CHECK, 0, &next_check, &error));
    g_assert_no_error (error);
    g_assert_cmpint (next_cycle, >, now + 5 * CS_USEC_PER_HOUR);
    g_assert_cmpint (next_check, >, now);
    g_assert_cmpint (next_check, <=, now + CS_USEC_PER_DAY + CS_USEC_PER_HOUR);
  }

  /* The app's engine, on the system clock, verifies fine afterwards. */
  cs_engine_verify_async (engine, CS_VERIFICATION_CYCLE, FALSE, NULL, async_cb, &async);
  result = wait_result (&async);
  report = cs_engine_verify_finish (engine, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (report->run->result, ==, CS_RUN_RESULT_OK);
  g_assert_cmpint (report->run->started_at, >=, now);
  g_assert_cmpuint (report->run->counts[CS_SYNC_STATUS_SYNCED], >, 0);
}

static void
test_dispose_removes_folder (void)
{
  g_autoptr(CsDemo) demo = prepared_demo (0);
  g_autofree char *dir = NULL;

  dir = g_path_get_dirname (cs_demo_get_store_path (demo));
  g_assert_true (g_file_test (cs_demo_get_store_path (demo), G_FILE_TEST_EXISTS));
  g_clear_object (&demo);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/demo/prepare/today", GUINT_TO_POINTER (0), test_prepare_every_state);
  g_test_add_data_func ("/demo/prepare/history", GUINT_TO_POINTER (3), test_prepare_every_state);
  /* What the app shows (slow: `-m perf`). */
  if (g_test_perf ())
    g_test_add_data_func ("/demo/prepare/default", GUINT_TO_POINTER (CS_DEMO_HISTORY_DAYS),
                          test_prepare_every_state);
  g_test_add_func ("/demo/dispose-removes-folder", test_dispose_removes_folder);

  return g_test_run ();
}
