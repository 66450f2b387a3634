/* test-engine.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cs-engine.h"
#include "cs-net-error.h"
#include "cs-retry-policy.h"
#include "net-test-util.h"

/* The engine on its own schedule, end to end: the simulator, a real cache,
 * a notifier whose notifications the test collects, and the clock in the
 * test's hand. */

typedef struct
{
  CsClock     *clock;
  CsSimServer *sim;
  GSettings   *settings;
  CsEngine    *engine;
  CsNotifier  *notifier;
  GPtrArray   *sent;      /* notification ids, in order */
  char        *dir;
} Fixture;

static void
record_sent (CsNotifier    *notifier,
             const char    *id,
             GNotification *notification,
             gpointer       user_data)
{
  Fixture *f = user_data;

  g_ptr_array_add (f->sent, g_strdup (id));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  NetTestAsync async = { NULL };

  f->clock = cs_manual_clock_new (NET_TEST_NOW);
  f->sim = net_test_start_sim (f->clock, 300, 31);
  f->sent = g_ptr_array_new_with_free_func (g_free);

  f->settings = g_settings_new_with_backend (APPLICATION_ID, backend);
  g_settings_set_string (f->settings, "calcom-url", cs_sim_server_get_calcom_url (f->sim));
  g_settings_set_string (f->settings, "backend-url", cs_sim_server_get_backend_url (f->sim));

  f->dir = g_dir_make_tmp ("calsync-engine-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "cache.sqlite3", NULL);

  f->engine = cs_engine_new (f->settings, f->clock, path);
  cs_engine_set_secrets (f->engine, cs_sim_server_get_calcom_api_key (f->sim),
                         cs_sim_server_get_backend_token (f->sim));
  cs_engine_start_async (f->engine, NULL, net_test_async_cb, &async);
  result = net_test_wait (&async, f->clock, NULL);
  g_assert_true (cs_engine_start_finish (f->engine, result, &error));
  g_assert_no_error (error);
  g_assert_null (cs_engine_get_setup_error (f->engine));

  f->notifier = cs_notifier_new (NULL);
  cs_notifier_set_send_func (f->notifier, record_sent, f, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->dir);

  g_clear_object (&f->engine);
  g_clear_object (&f->notifier);
  g_clear_object (&f->settings);
  cs_sim_server_stop (f->sim);
  g_clear_object (&f->sim);
  g_clear_object (&f->clock);
  g_clear_pointer (&f->sent, g_ptr_array_unref);
  g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  g_free (f->dir);
}

/* Lets the scheduled run that is going finish, bounded, without moving the
 * clock: the simulator answers on loopback. */
static void
settle (Fixture *f)
{
  CsScheduler *scheduler = cs_engine_get_scheduler (f->engine);
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while ((!cs_scheduler_get_started (scheduler) || cs_scheduler_get_running (scheduler) ||
          cs_verifier_get_running (cs_engine_get_verifier (f->engine))) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_assert_false (cs_scheduler_get_running (scheduler));
}

static void
advance (Fixture *f,
         gint64   usec)
{
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), usec);
  settle (f);
}

static guint
count_sent (Fixture    *f,
            const char *prefix)
{
  guint n = 0;

  for (guint i = 0; i < f->sent->len; i++)
    {
      if (g_str_has_prefix (g_ptr_array_index (f->sent, i), prefix))
        n++;
    }

  return n;
}

static void
start_schedule (Fixture *f)
{
  cs_engine_start_schedule (f->engine, f->notifier);
  /* Loopback needs no network: the machine's route table does not matter. */
  cs_scheduler_set_online (cs_engine_get_scheduler (f->engine), TRUE);
  settle (f);
}

static void
test_retry_schedule_end_to_end (Fixture       *f,
                                gconstpointer  data)
{
  CsStore *store = cs_engine_get_store (f->engine);
  CsStoreCounts counts = { 0 };
  g_autoptr(CsRunRecord) first = NULL;

  /* The first start runs a check at once: problems found, none flagged. */
  start_schedule (f);
  first = cs_store_get_last_run (store, NULL);
  g_assert_nonnull (first);
  g_assert_cmpstr (first->result, ==, CS_RUN_RESULT_OK);
  g_assert_true (cs_store_get_counts (store, &counts, NULL));
  g_assert_cmpuint (counts.needs_review, ==, 0);
  g_assert_cmpuint (f->sent->len, ==, 0);
  g_assert_cmpint (cs_scheduler_get_next_retry_at (cs_engine_get_scheduler (f->engine)), ==,
                   NET_TEST_NOW + CS_USEC_PER_MINUTE);

  /* +1 min: attempt 2 on its own timer, just the due items. */
  advance (f, CS_USEC_PER_MINUTE);
  g_assert_cmpuint (f->sent->len, ==, 0);
  g_assert_cmpint (cs_scheduler_get_next_retry_at (cs_engine_get_scheduler (f->engine)), ==,
                   NET_TEST_NOW + 6 * CS_USEC_PER_MINUTE);

  /* +5 min: attempt 3 flags them; one notification for all of them. */
  advance (f, 5 * CS_USEC_PER_MINUTE);
  g_assert_true (cs_store_get_counts (store, &counts, NULL));
  g_assert_cmpuint (counts.needs_review, >, 1);
  g_assert_cmpuint (f->sent->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->sent, 0), ==, "flagged-summary");

  /* The next cycle and the daily check find them again: never twice. */
  advance (f, 6 * CS_USEC_PER_HOUR);
  advance (f, 24 * CS_USEC_PER_HOUR);
  g_assert_cmpuint (count_sent (f, "flagged"), ==, 1);
}

/* Removes the booking of an appointment that is in sync: a new orphan.
 * Returns the appointment's id. */
static gint64
orphan_one (Fixture *f)
{
  CsSimDataset *dataset = cs_sim_server_get_dataset (f->sim);
  GPtrArray *appointments = cs_sim_dataset_get_appointments (dataset);

  for (guint i = 0; i < appointments->len; i++)
    {
      CsSimAppointment *row = g_ptr_array_index (appointments, i);
      const CsSimTruth *truth = cs_sim_dataset_get_truth (dataset, row->appointment->id);

      if (truth != NULL && truth->category == CS_SIM_CATEGORY_SYNCED && truth->booking_uid != NULL)
        {
          g_assert_true (cs_sim_dataset_remove_booking (dataset, truth->booking_uid));
          return row->appointment->id;
        }
    }

  g_assert_not_reached ();
}

static CsVerifyReport *
verify_now (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NetTestAsync async = { NULL };
  CsVerifyReport *report;

  /* The clock stands still meanwhile: the schedule's timers are armed and
   * must not fire (the data set is small enough for no rate limit). */
  cs_engine_verify_async (f->engine, CS_VERIFICATION_COMPREHENSIVE, FALSE, NULL,
                          net_test_async_cb, &async);
  result = net_test_wait (&async, NULL, NULL);
  report = cs_engine_verify_finish (f->engine, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);

  return report;
}

/* "Verify now" is a run like any other: it arms the retries of what it
 * found, and a flag it raises is notified (once) like a scheduled one. */
static void
test_verify_now_arms_and_tells (Fixture       *f,
                                gconstpointer  data)
{
  CsScheduler *scheduler;
  CsTime start;
  gint64 id;

  start_schedule (f);
  scheduler = cs_engine_get_scheduler (f->engine);
  /* The schedule stays out of the way: only "Verify now" checks. */
  cs_scheduler_set_paused (scheduler, TRUE);
  cs_scheduler_set_retry_due (scheduler, CS_TIME_UNSET);

  start = cs_clock_get_now (f->clock);
  {
    g_autoptr(CsVerifyReport) first = verify_now (f);
  }
  /* Nothing was due yet (the start's check counted attempt 1 a moment
   * ago): armed for the start's +1 minute. */
  g_assert_cmpint (cs_scheduler_get_next_retry_at (scheduler), ==, start + CS_USEC_PER_MINUTE);

  /* Each time the timer is cleared first: what it shows after is what
   * "Verify now" armed. */
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_USEC_PER_MINUTE);
  cs_scheduler_set_retry_due (scheduler, CS_TIME_UNSET);
  {
    g_autoptr(CsVerifyReport) second = verify_now (f);
  }
  g_assert_cmpint (cs_scheduler_get_next_retry_at (scheduler), ==,
                   start + CS_USEC_PER_MINUTE + CS_RETRY_DELAY_SECOND);
  g_assert_cmpuint (count_sent (f, "flagged"), ==, 0);

  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_RETRY_DELAY_SECOND);
  cs_scheduler_set_retry_due (scheduler, CS_TIME_UNSET);
  {
    g_autoptr(CsVerifyReport) third = verify_now (f);

    g_assert_cmpuint (third->newly_flagged_appointments->len, >, 1);
  }
  g_assert_cmpuint (count_sent (f, "flagged"), ==, 1);
  g_assert_cmpint (cs_scheduler_get_next_retry_at (scheduler), ==, CS_TIME_UNSET);

  /* One new problem, found by "Verify now", flagged by "Verify now". */
  id = orphan_one (f);
  for (guint i = 0; i < CS_RETRY_MAX_ATTEMPTS; i++)
    {
      g_autoptr(CsVerifyReport) report = NULL;

      cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_RETRY_DELAY_SECOND);
      report = verify_now (f);
    }
  g_assert_cmpuint (count_sent (f, "flagged"), ==, 2);
  {
    g_autofree char *single = g_strdup_printf ("flagged-%" G_GINT64_FORMAT, id);

    g_assert_cmpstr (g_ptr_array_index (f->sent, f->sent->len - 1), ==, single);
  }
}

/* An item that becomes due between two retries is served at its own time,
 * even when the retry before it serves others only. */
static void
test_lone_due_item_on_time (Fixture       *f,
                            gconstpointer  data)
{
  CsScheduler *scheduler;
  CsStore *store = cs_engine_get_store (f->engine);
  g_autoptr(CsAppointment) lone = NULL;
  CsTime start;
  gint64 id;

  start_schedule (f);
  scheduler = cs_engine_get_scheduler (f->engine);
  start = cs_clock_get_now (f->clock);

  /* 30 s later a new orphan, found by "Verify now": due at +1:30. */
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), 30 * CS_USEC_PER_SECOND);
  id = orphan_one (f);
  {
    g_autoptr(CsVerifyReport) report = verify_now (f);
  }
  g_assert_cmpint (cs_scheduler_get_next_retry_at (scheduler), ==, start + CS_USEC_PER_MINUTE);

  /* The retry at +1:00 serves the first problems (next at +6:00) and arms
   * the timer for the lone one at +1:30, not for +6:00. */
  advance (f, 30 * CS_USEC_PER_SECOND);
  g_assert_cmpint (cs_scheduler_get_next_retry_at (scheduler), ==,
                   start + 90 * CS_USEC_PER_SECOND);

  advance (f, 30 * CS_USEC_PER_SECOND);
  lone = cs_store_get_appointment (store, id, NULL);
  g_assert_cmpuint (lone->sync.sync_attempt_count, ==, 2);
  g_assert_cmpint (lone->sync.last_sync_attempt_at, ==, start + 90 * CS_USEC_PER_SECOND);
}

static void
test_calcom_down_then_restored (Fixture       *f,
                                gconstpointer  data)
{
  CsStore *store = cs_engine_get_store (f->engine);
  CsCircuitBreaker *breaker =
    cs_http_client_get_circuit_breaker (cs_calcom_client_get_http (cs_engine_get_calcom (f->engine)));
  CsStoreCounts before = { 0 }, after = { 0 };
  CsSimFaults faults;

  start_schedule (f);
  g_assert_true (cs_store_get_counts (store, &before, NULL));

  /* Cal.com goes down: the checks fail, retried each minute, until the
   * circuit opens; nothing is flagged meanwhile, nothing is orphaned. */
  cs_sim_faults_init (&faults);
  faults.force_status = 503;
  cs_sim_server_set_faults (f->sim, CS_SIM_SERVICE_CALCOM, &faults);
  for (guint i = 0; i < 8; i++)
    advance (f, CS_USEC_PER_MINUTE);

  g_assert_cmpint (cs_circuit_breaker_get_state (breaker), ==, CS_CIRCUIT_OPEN);
  g_assert_true (cs_store_get_counts (store, &after, NULL));
  g_assert_cmpuint (after.needs_review, ==, 0);
  g_assert_cmpuint (after.by_status[CS_SYNC_STATUS_ORPHANED_LOCAL], ==,
                    before.by_status[CS_SYNC_STATUS_ORPHANED_LOCAL]);
  g_assert_cmpuint (count_sent (f, "flagged"), ==, 0);

  /* Back: the probe succeeds, the circuit closes, one "sync restored". */
  cs_sim_server_clear_faults (f->sim, CS_SIM_SERVICE_CALCOM);
  for (guint i = 0; i < 40 && cs_circuit_breaker_get_state (breaker) != CS_CIRCUIT_CLOSED; i++)
    advance (f, CS_USEC_PER_MINUTE);
  g_assert_cmpint (cs_circuit_breaker_get_state (breaker), ==, CS_CIRCUIT_CLOSED);
  g_assert_cmpuint (count_sent (f, "sync-restored"), ==, 1);
}

static void
test_storm_429_honoured (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;
  NetTestAsync async = { NULL };
  GPtrArray *requests;
  CsSimFaults faults;
  CsTime told_until = CS_TIME_UNSET;

  /* Two 429s asking for 30 s: no request goes before the time is up. */
  cs_sim_faults_init (&faults);
  faults.storm_429 = 2;
  faults.storm_retry_after = 30;
  cs_sim_server_set_faults (f->sim, CS_SIM_SERVICE_CALCOM, &faults);

  cs_engine_verify_async (f->engine, CS_VERIFICATION_COMPREHENSIVE, FALSE, NULL,
                          net_test_async_cb, &async);
  result = net_test_wait_many (&async, f->clock,
                               cs_calcom_client_get_http (cs_engine_get_calcom (f->engine)),
                               cs_backend_client_get_http (cs_engine_get_backend (f->engine)), NULL);
  report = cs_engine_verify_finish (f->engine, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (report->run->result, ==, CS_RUN_RESULT_OK);

  requests = cs_sim_server_get_requests (f->sim);
  for (guint i = 0; i < requests->len; i++)
    {
      const CsSimRequest *r = g_ptr_array_index (requests, i);

      if (r->service != CS_SIM_SERVICE_CALCOM)
        continue;
      if (told_until != CS_TIME_UNSET)
        g_assert_cmpint (r->time, >=, told_until);
      if (r->status == 429)
        told_until = r->time + 30 * CS_USEC_PER_SECOND;
    }
  g_assert_cmpint (told_until, !=, CS_TIME_UNSET);
}

static void
test_rate_limit_past_deadline (Fixture       *f,
                               gconstpointer  data)
{
  CsStore *store = cs_engine_get_store (f->engine);
  CsTime asked = NET_TEST_NOW + CS_USEC_PER_MINUTE + CS_USEC_PER_HOUR;
  g_autoptr(CsRunRecord) failed = NULL;
  g_autoptr(CsRunRecord) later = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  CsSimFaults faults;
  guint n_runs;

  g_assert_cmpint (cs_verifier_get_time_limit (cs_engine_get_verifier (f->engine)), ==,
                   g_settings_get_int (f->settings, "check-time-limit") * CS_USEC_PER_SECOND);

  start_schedule (f);

  /* Cal.com asks for an hour, the run has five minutes: the retry a
   * minute later ends at once (settle() does not move the clock, so a run
   * that waited would never end) ... */
  cs_sim_faults_init (&faults);
  faults.storm_429 = 1000;
  faults.storm_retry_after = 3600;
  cs_sim_server_set_faults (f->sim, CS_SIM_SERVICE_CALCOM, &faults);
  advance (f, CS_USEC_PER_MINUTE);

  failed = cs_store_get_last_run (store, NULL);
  g_assert_cmpstr (failed->result, ==, CS_RUN_RESULT_FAILED);
  g_assert_nonnull (strstr (failed->error_message, "wait until"));
  g_assert_cmpint (failed->finished_at, ==, NET_TEST_NOW + CS_USEC_PER_MINUTE);
  g_assert_cmpint (cs_circuit_breaker_get_state (cs_http_client_get_circuit_breaker (
                     cs_calcom_client_get_http (cs_engine_get_calcom (f->engine)))),
                   ==, CS_CIRCUIT_CLOSED);

  /* Between runs the clients carry no deadline (the outbox's writes wait
   * as long as the server asks). */
  g_assert_cmpint (cs_http_client_get_deadline (cs_calcom_client_get_http (cs_engine_get_calcom (f->engine))),
                   ==, CS_TIME_UNSET);
  g_assert_cmpint (cs_http_client_get_deadline (cs_backend_client_get_http (cs_engine_get_backend (f->engine))),
                   ==, CS_TIME_UNSET);

  /* ... and the scheduler comes back when Cal.com asked, not in a minute. */
  g_assert_cmpint (cs_scheduler_get_next_retry_at (cs_engine_get_scheduler (f->engine)), ==, asked);
  runs = cs_store_list_runs (store, CS_TIME_UNSET, NULL);
  n_runs = runs->len;
  g_clear_pointer (&runs, g_ptr_array_unref);
  advance (f, 30 * CS_USEC_PER_MINUTE);
  runs = cs_store_list_runs (store, CS_TIME_UNSET, NULL);
  g_assert_cmpuint (runs->len, ==, n_runs);
  g_clear_pointer (&runs, g_ptr_array_unref);

  cs_sim_server_clear_faults (f->sim, CS_SIM_SERVICE_CALCOM);
  advance (f, asked - cs_clock_get_now (f->clock));
  runs = cs_store_list_runs (store, CS_TIME_UNSET, NULL);
  g_assert_cmpuint (runs->len, ==, n_runs + 1);
  later = cs_store_get_last_run (store, NULL);
  g_assert_cmpstr (later->result, ==, CS_RUN_RESULT_OK);
}

static void
test_restart_after_missed_check (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsRunRecord) last = NULL;
  g_autofree char *path = g_build_filename (f->dir, "cache.sqlite3", NULL);
  NetTestAsync async = { NULL };
  guint runs_before, runs_after;
  g_autoptr(GPtrArray) runs = NULL;

  start_schedule (f);

  /* The program is closed over midnight and started two days later. */
  g_clear_object (&f->engine);
  cs_manual_clock_set_now (CS_MANUAL_CLOCK (f->clock), NET_TEST_NOW + 2 * CS_USEC_PER_DAY);

  f->engine = cs_engine_new (f->settings, f->clock, path);
  cs_engine_set_secrets (f->engine, cs_sim_server_get_calcom_api_key (f->sim),
                         cs_sim_server_get_backend_token (f->sim));
  cs_engine_start_async (f->engine, NULL, net_test_async_cb, &async);
  result = net_test_wait (&async, f->clock, NULL);
  g_assert_true (cs_engine_start_finish (f->engine, result, &error));

  runs = cs_store_list_runs (cs_engine_get_store (f->engine), CS_TIME_UNSET, NULL);
  runs_before = runs->len;
  start_schedule (f);
  g_clear_pointer (&runs, g_ptr_array_unref);
  runs = cs_store_list_runs (cs_engine_get_store (f->engine), CS_TIME_UNSET, NULL);
  runs_after = runs->len;

  /* Exactly one run on return, and it is the comprehensive one. */
  g_assert_cmpuint (runs_after, ==, runs_before + 1);
  last = cs_store_get_last_run (cs_engine_get_store (f->engine), NULL);
  g_assert_cmpstr (last->kind, ==, CS_RUN_KIND_COMPREHENSIVE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/calsync/engine/engine/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("retry-schedule-end-to-end", test_retry_schedule_end_to_end);
  ADD ("calcom-down-then-restored", test_calcom_down_then_restored);
  ADD ("storm-429-honoured", test_storm_429_honoured);
  ADD ("rate-limit-past-deadline", test_rate_limit_past_deadline);
  ADD ("restart-after-missed-check", test_restart_after_missed_check);
  ADD ("verify-now-arms-and-tells", test_verify_now_arms_and_tells);
  ADD ("lone-due-item-on-time", test_lone_due_item_on_time);

#undef ADD

  return g_test_run ();
}
