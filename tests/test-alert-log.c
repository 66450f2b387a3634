/* test-alert-log.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>

#include "cs-alert-log.h"
#include "cs-engine.h"
#include "cs-net-error.h"
#include "net-test-util.h"

/* The in-app alerts: what the engine adds after its runs (the simulator, a
 * real cache, the clock in the test's hand), and what the log keeps in the
 * cache across a restart. */

typedef struct
{
  CsClock     *clock;
  CsSimServer *sim;
  GSettings   *settings;
  CsEngine    *engine;
  char        *dir;
  char        *path;
} Fixture;

static void
start_engine (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NetTestAsync async = { NULL };

  f->engine = cs_engine_new (f->settings, f->clock, f->path);
  cs_engine_set_secrets (f->engine, cs_sim_server_get_calcom_api_key (f->sim),
                         cs_sim_server_get_backend_token (f->sim));
  cs_engine_start_async (f->engine, NULL, net_test_async_cb, &async);
  result = net_test_wait (&async, f->clock, NULL);
  g_assert_true (cs_engine_start_finish (f->engine, result, &error));
  g_assert_no_error (error);
  g_assert_nonnull (cs_engine_get_alerts (f->engine));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
  g_autoptr(GError) error = NULL;

  f->clock = cs_manual_clock_new (NET_TEST_NOW);
  f->sim = net_test_start_sim (f->clock, 300, 31);

  f->settings = g_settings_new_with_backend (APPLICATION_ID, backend);
  g_settings_set_string (f->settings, "calcom-url", cs_sim_server_get_calcom_url (f->sim));
  g_settings_set_string (f->settings, "backend-url", cs_sim_server_get_backend_url (f->sim));

  f->dir = g_dir_make_tmp ("calsync-alerts-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "cache.sqlite3", NULL);

  start_engine (f);
}

static gboolean
wake_cb (gpointer user_data)
{
  *(guint *) user_data = 0;
  return G_SOURCE_REMOVE;
}

/* Drops the engine and waits until its log has written what it holds. */
static void
stop_engine (Fixture *f)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  GWeakRef log;
  gboolean gone = FALSE;

  g_weak_ref_init (&log, cs_engine_get_alerts (f->engine));
  g_clear_object (&f->engine);

  /* The last reference may go in a worker thread (a write's task), which
   * wakes no one: look again every few milliseconds. */
  while (!gone && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GObject) alive = g_weak_ref_get (&log);
      guint tick;

      gone = alive == NULL;
      g_clear_object (&alive);
      if (gone)
        break;
      tick = g_timeout_add (5, wake_cb, &tick);
      g_main_context_iteration (NULL, TRUE);
      if (tick != 0)
        g_source_remove (tick);
    }
  g_weak_ref_clear (&log);
  g_assert_true (gone);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->dir);

  if (f->engine != NULL)
    stop_engine (f);
  g_clear_object (&f->settings);
  cs_sim_server_stop (f->sim);
  g_clear_object (&f->sim);
  g_clear_object (&f->clock);
  g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  g_free (f->path);
  g_free (f->dir);
}

static void
wait_idle (CsAlertLog *log)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (cs_alert_log_get_busy (log) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (cs_alert_log_get_busy (log));
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

static void
start_schedule (Fixture *f)
{
  cs_engine_start_schedule (f->engine, NULL);
  cs_scheduler_set_online (cs_engine_get_scheduler (f->engine), TRUE);
  settle (f);
}

static CsAlert *
alert_at (CsAlertLog *log,
          guint       position)
{
  CsAlert *alert = g_list_model_get_item (G_LIST_MODEL (log), position);

  g_assert_nonnull (alert);
  g_object_unref (alert);  /* the log holds it */
  return alert;
}

static guint
count_kind (CsAlertLog  *log,
            CsAlertKind  kind)
{
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (log)); i++)
    {
      if (cs_alert_get_kind (alert_at (log, i)) == kind)
        n++;
    }

  return n;
}

/* Runs a check through the engine, as "Verify now" does. */
static CsVerifyReport *
verify_full (Fixture       *f,
             gboolean       dry_run,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  NetTestAsync async = { NULL };

  cs_engine_verify_async (f->engine, CS_VERIFICATION_COMPREHENSIVE, dry_run, cancellable,
                          net_test_async_cb, &async);
  result = net_test_wait_many (&async, f->clock,
                               cs_calcom_client_get_http (cs_engine_get_calcom (f->engine)),
                               cs_backend_client_get_http (cs_engine_get_backend (f->engine)), NULL);
  return cs_engine_verify_finish (f->engine, result, error);
}

static CsVerifyReport *
verify (Fixture       *f,
        GCancellable  *cancellable,
        GError       **error)
{
  return verify_full (f, FALSE, cancellable, error);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  (*(guint *) user_data)++;
}

/* The third attempt flags many at once: one summary alert, unread, after
 * two runs that flagged nothing and added nothing. */
static void
test_flagged_run (Fixture       *f,
                  gconstpointer  data)
{
  CsAlertLog *log = cs_engine_get_alerts (f->engine);
  CsStoreCounts counts = { 0 };
  guint notified = 0;
  CsAlert *alert;

  g_signal_connect (log, "notify::n-unread", G_CALLBACK (count_notify_cb), &notified);

  start_schedule (f);
  advance (f, CS_USEC_PER_MINUTE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 0);
  g_assert_cmpuint (cs_alert_log_get_n_unread (log), ==, 0);

  advance (f, 5 * CS_USEC_PER_MINUTE);
  g_assert_true (cs_store_get_counts (cs_engine_get_store (f->engine), &counts, NULL));
  g_assert_cmpuint (counts.needs_review, >, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 1);
  alert = alert_at (log, 0);
  g_assert_cmpint (cs_alert_get_kind (alert), ==, CS_ALERT_FLAGGED);
  g_assert_true (cs_alert_is_summary (alert));
  g_assert_cmpuint (cs_alert_get_count (alert), ==, counts.needs_review);
  g_assert_cmpint (cs_alert_get_time (alert), ==, cs_clock_get_now (f->clock));
  g_assert_false (cs_alert_get_read (alert));
  g_assert_cmpuint (cs_alert_log_get_n_unread (log), ==, 1);
  g_assert_cmpuint (notified, ==, 1);

  /* Found again by the next cycle and the daily check: no new alert. */
  advance (f, 6 * CS_USEC_PER_HOUR);
  advance (f, 24 * CS_USEC_PER_HOUR);
  g_assert_cmpuint (count_kind (log, CS_ALERT_FLAGGED), ==, 1);

  cs_alert_log_mark_all_read (log);
  g_assert_cmpuint (cs_alert_log_get_n_unread (log), ==, 0);
  g_assert_true (cs_alert_get_read (alert));
  g_assert_cmpuint (notified, ==, 2);
}

static CsVerifyReport *
report_new (void)
{
  CsVerifyReport *report = g_atomic_rc_box_new0 (CsVerifyReport);

  report->newly_flagged_appointments = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_appointment_free);
  report->newly_flagged_bookings = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_booking_free);
  report->next_due = CS_TIME_UNSET;
  return report;
}

static CsAppointment *
flagged_appointment (gint64       id,
                     const char  *number,
                     CsErrorCode  code)
{
  CsAppointment *appointment = cs_appointment_new ();

  appointment->id = id;
  appointment->number = g_strdup (number);
  appointment->customer_name = g_strdup ("Tom <b>Klein</b>");
  appointment->customer_email = g_strdup ("tom@example.org");
  appointment->sync.requires_manual_review = TRUE;
  appointment->sync.sync_error_code = code;
  return appointment;
}

/* One flagged item, one alert naming it; several, one summary; what a run
 * did not flag, nothing; and nothing of the customer is stored. */
static void
test_single_and_summary (Fixture       *f,
                         gconstpointer  data)
{
  CsAlertLog *log = cs_engine_get_alerts (f->engine);
  CsStore *store = cs_engine_get_store (f->engine);
  g_autoptr(CsVerifyReport) one = report_new ();
  g_autoptr(CsVerifyReport) booking = report_new ();
  g_autoptr(CsVerifyReport) many = report_new ();
  g_autoptr(CsVerifyReport) none = report_new ();
  g_autofree char *stored = NULL;
  CsAppointment *unflagged;
  CsBooking *b;
  CsAlert *alert;

  cs_store_set_company_id (store, 7);
  wait_idle (log);

  g_ptr_array_add (one->newly_flagged_appointments,
                   flagged_appointment (1236, "1236", CS_ERROR_CODE_ORPHANED_LOCAL));
  cs_alert_log_add_report (log, one);
  alert = alert_at (log, 0);
  g_assert_false (cs_alert_is_summary (alert));
  g_assert_cmpint (cs_alert_get_appointment_id (alert), ==, 1236);
  g_assert_cmpstr (cs_alert_get_number (alert), ==, "1236");
  g_assert_cmpint (cs_alert_get_error_code (alert), ==, CS_ERROR_CODE_ORPHANED_LOCAL);

  b = cs_booking_new ("uid-only-in-calcom");
  b->sync.requires_manual_review = TRUE;
  b->sync.sync_error_code = CS_ERROR_CODE_ORPHANED_CALCOM;
  g_ptr_array_add (booking->newly_flagged_bookings, b);
  cs_alert_log_add_report (log, booking);
  alert = alert_at (log, 0);
  g_assert_cmpint (cs_alert_get_appointment_id (alert), ==, 0);
  g_assert_cmpstr (cs_alert_get_booking_uid (alert), ==, "uid-only-in-calcom");

  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (many->newly_flagged_appointments,
                     flagged_appointment (2000 + i, NULL, CS_ERROR_CODE_DATA_MISMATCH));
  unflagged = flagged_appointment (3000, "3000", CS_ERROR_CODE_DATA_MISMATCH);
  unflagged->sync.requires_manual_review = FALSE;
  g_ptr_array_add (many->newly_flagged_appointments, unflagged);
  cs_alert_log_add_report (log, many);
  alert = alert_at (log, 0);
  g_assert_true (cs_alert_is_summary (alert));
  g_assert_cmpuint (cs_alert_get_count (alert), ==, 3);
  g_assert_cmpint (cs_alert_get_appointment_id (alert), ==, 0);
  g_assert_null (cs_alert_get_booking_uid (alert));
  g_assert_cmpint (cs_alert_get_error_code (alert), ==, CS_ERROR_CODE_DATA_MISMATCH);

  cs_alert_log_add_report (log, none);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 3);
  g_assert_cmpuint (cs_alert_log_get_n_unread (log), ==, 3);

  /* Marking one read counts, and is stored too. */
  cs_alert_set_read (alert_at (log, 2), TRUE);
  g_assert_cmpuint (cs_alert_log_get_n_unread (log), ==, 2);

  wait_idle (log);
  g_assert_true (cs_store_get_state (store, CS_ALERT_LOG_STATE_KEY, &stored, NULL));
  g_assert_nonnull (stored);
  g_assert_nonnull (strstr (stored, "1236"));
  g_assert_nonnull (strstr (stored, "uid-only-in-calcom"));
  g_assert_null (strstr (stored, "Tom"));
  g_assert_null (strstr (stored, "Klein"));
  g_assert_null (strstr (stored, "example.org"));

  /* Only the newest CS_ALERT_LOG_MAX are kept. */
  for (guint i = 0; i < CS_ALERT_LOG_MAX + 5; i++)
    {
      g_autoptr(CsAlert) extra = cs_alert_new_restored (NET_TEST_NOW + i, CS_NOTIFIER_SERVICE_CRM);

      cs_alert_log_add (log, extra);
    }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, CS_ALERT_LOG_MAX);
  g_assert_cmpint (cs_alert_get_time (alert_at (log, 0)), ==, NET_TEST_NOW + CS_ALERT_LOG_MAX + 4);

  cs_alert_log_clear (log);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 0);
  g_assert_cmpuint (cs_alert_log_get_n_unread (log), ==, 0);
}

/* A check that cannot finish adds one alert with a fixed reason; the same
 * failure again updates it; a cancelled check is no failure. */
static void
test_run_failed (Fixture       *f,
                 gconstpointer  data)
{
  CsAlertLog *log = cs_engine_get_alerts (f->engine);
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  CsSimFaults faults;
  CsAlert *alert;

  report = verify (f, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&report, cs_verify_report_free);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 0);

  cs_sim_faults_init (&faults);
  faults.force_status = 503;
  cs_sim_server_set_faults (f->sim, CS_SIM_SERVICE_BACKEND, &faults);

  report = verify (f, NULL, &error);
  g_assert_null (report);
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_SERVER);
  g_clear_error (&error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 1);
  alert = alert_at (log, 0);
  g_assert_cmpint (cs_alert_get_kind (alert), ==, CS_ALERT_RUN_FAILED);
  g_assert_cmpstr (cs_alert_get_reason (alert), ==, CS_LOOKUP_REASON_SERVER);
  g_assert_cmpuint (cs_alert_get_count (alert), ==, 1);
  g_assert_cmpuint (cs_alert_log_get_n_unread (log), ==, 1);

  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_USEC_PER_MINUTE);
  report = verify (f, NULL, &error);
  g_assert_null (report);
  g_clear_error (&error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 1);
  g_assert_cmpuint (cs_alert_get_count (alert), ==, 2);
  g_assert_cmpint (cs_alert_get_time (alert), ==, cs_clock_get_now (f->clock));

  cs_sim_server_clear_faults (f->sim, CS_SIM_SERVICE_BACKEND);
  g_cancellable_cancel (cancellable);
  report = verify (f, cancellable, &error);
  g_assert_null (report);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 1);
  g_assert_cmpuint (cs_alert_get_count (alert), ==, 2);
}

/* Cal.com down, then back: one failure alert for the outage, and "sync
 * restored" with the appointments the run after it verified. */
static void
test_restored (Fixture       *f,
               gconstpointer  data)
{
  CsAlertLog *log = cs_engine_get_alerts (f->engine);
  CsCircuitBreaker *breaker =
    cs_http_client_get_circuit_breaker (cs_calcom_client_get_http (cs_engine_get_calcom (f->engine)));
  CsSimFaults faults;
  CsAlert *alert;

  start_schedule (f);

  cs_sim_faults_init (&faults);
  faults.force_status = 503;
  cs_sim_server_set_faults (f->sim, CS_SIM_SERVICE_CALCOM, &faults);
  for (guint i = 0; i < 8; i++)
    advance (f, CS_USEC_PER_MINUTE);
  g_assert_cmpint (cs_circuit_breaker_get_state (breaker), ==, CS_CIRCUIT_OPEN);
  g_assert_cmpuint (count_kind (log, CS_ALERT_RUN_FAILED), ==, 1);
  g_assert_cmpuint (count_kind (log, CS_ALERT_RESTORED), ==, 0);
  g_assert_cmpuint (cs_alert_get_count (alert_at (log, 0)), >, 1);

  cs_sim_server_clear_faults (f->sim, CS_SIM_SERVICE_CALCOM);
  for (guint i = 0; i < 40 && cs_circuit_breaker_get_state (breaker) != CS_CIRCUIT_CLOSED; i++)
    advance (f, CS_USEC_PER_MINUTE);
  g_assert_cmpint (cs_circuit_breaker_get_state (breaker), ==, CS_CIRCUIT_CLOSED);

  g_assert_cmpuint (count_kind (log, CS_ALERT_RESTORED), ==, 1);
  g_assert_cmpuint (count_kind (log, CS_ALERT_RUN_FAILED), ==, 1);
  alert = alert_at (log, 0);
  g_assert_cmpint (cs_alert_get_kind (alert), ==, CS_ALERT_RESTORED);
  g_assert_cmpint (cs_alert_get_service (alert), ==, CS_NOTIFIER_SERVICE_CALCOM);
  g_assert_cmpuint (cs_alert_get_count (alert), >, 0);
  g_assert_cmpuint (cs_alert_log_get_n_unread (log), ==, 2);
}

/* What a dry run would flag is no alert; the real run after it is. */
static void
test_dry_run (Fixture       *f,
              gconstpointer  data)
{
  CsAlertLog *log = cs_engine_get_alerts (f->engine);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(CsVerifyReport) report = verify (f, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (report->newly_flagged_appointments->len, ==, 0);
      cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), (i == 0 ? 1 : 5) * CS_USEC_PER_MINUTE);
    }

  {
    g_autoptr(CsVerifyReport) report = verify_full (f, TRUE, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (report->newly_flagged_appointments->len + report->newly_flagged_bookings->len, >, 0);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 0);
  }

  {
    g_autoptr(CsVerifyReport) report = verify (f, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (report->newly_flagged_appointments->len + report->newly_flagged_bookings->len, >, 1);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 1);
    g_assert_true (cs_alert_is_summary (alert_at (log, 0)));
  }
}

/* A new engine on the same cache shows the alerts, read or not, and what
 * was stored holds no customer data. */
static void
test_persisted (Fixture       *f,
                gconstpointer  data)
{
  CsAlertLog *log = cs_engine_get_alerts (f->engine);
  g_autoptr(GPtrArray) appointments = NULL;
  g_autofree char *stored = NULL;
  CsTime start, end;
  CsAlert *alert;
  CsTime flagged_at;
  guint count;

  start_schedule (f);
  advance (f, CS_USEC_PER_MINUTE);
  advance (f, 5 * CS_USEC_PER_MINUTE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 1);
  flagged_at = cs_alert_get_time (alert_at (log, 0));
  count = cs_alert_get_count (alert_at (log, 0));
  wait_idle (log);

  /* No customer of the company appears in what was stored. */
  g_assert_true (cs_store_get_state (cs_engine_get_store (f->engine), CS_ALERT_LOG_STATE_KEY,
                                     &stored, NULL));
  g_assert_nonnull (stored);
  cs_engine_get_window (f->engine, &start, &end);
  appointments = cs_store_list_appointments (cs_engine_get_store (f->engine), start - CS_USEC_PER_DAY,
                                             end + CS_USEC_PER_DAY, NULL);
  g_assert_nonnull (appointments);
  g_assert_cmpuint (appointments->len, >, 0);
  for (guint i = 0; i < appointments->len; i++)
    {
      const CsAppointment *a = g_ptr_array_index (appointments, i);

      if (a->customer_name != NULL && a->customer_name[0] != '\0')
        g_assert_null (strstr (stored, a->customer_name));
      if (a->customer_email != NULL && a->customer_email[0] != '\0')
        g_assert_null (strstr (stored, a->customer_email));
    }

  /* A failure after it, then a restart. */
  cs_alert_log_add_run_failed (log, &(GError) { CS_NET_ERROR, CS_NET_ERROR_TIMEOUT, (char *) "x" });
  cs_alert_set_read (alert_at (log, 1), TRUE);
  stop_engine (f);
  start_engine (f);
  log = cs_engine_get_alerts (f->engine);
  wait_idle (log);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 2);
  alert = alert_at (log, 0);
  g_assert_cmpint (cs_alert_get_kind (alert), ==, CS_ALERT_RUN_FAILED);
  g_assert_cmpstr (cs_alert_get_reason (alert), ==, CS_LOOKUP_REASON_TIMEOUT);
  g_assert_false (cs_alert_get_read (alert));
  alert = alert_at (log, 1);
  g_assert_cmpint (cs_alert_get_kind (alert), ==, CS_ALERT_FLAGGED);
  g_assert_cmpint (cs_alert_get_time (alert), ==, flagged_at);
  g_assert_cmpuint (cs_alert_get_count (alert), ==, count);
  g_assert_true (cs_alert_get_read (alert));
  g_assert_cmpuint (cs_alert_log_get_n_unread (log), ==, 1);

  /* Cleared stays cleared. */
  cs_alert_log_clear (log);
  stop_engine (f);
  start_engine (f);
  wait_idle (cs_engine_get_alerts (f->engine));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (cs_engine_get_alerts (f->engine))), ==, 0);
}

/* A damaged stored value shows nothing rather than failing. */
static void
test_damaged_state (Fixture       *f,
                    gconstpointer  data)
{
  CsStore *store = cs_engine_get_store (f->engine);
  CsAlertLog *log = cs_engine_get_alerts (f->engine);

  cs_store_set_company_id (store, 9);
  wait_idle (log);
  g_assert_true (cs_store_set_state (store, CS_ALERT_LOG_STATE_KEY,
                                     "{\"version\":1,\"alerts\":[{\"kind\":\"flagged\",\"time\":5,"
                                     "\"count\":1,\"error_code\":\"nonsense\"},{\"kind\":\"restored\","
                                     "\"time\":6,\"service\":\"calcom\"},7]}", NULL));
  cs_store_set_company_id (store, 10);
  cs_store_set_company_id (store, 9);
  wait_idle (log);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 1);
  g_assert_cmpint (cs_alert_get_kind (alert_at (log, 0)), ==, CS_ALERT_RESTORED);

  g_assert_true (cs_store_set_state (store, CS_ALERT_LOG_STATE_KEY, "[not json", NULL));
  cs_store_set_company_id (store, 10);
  cs_store_set_company_id (store, 9);
  wait_idle (log);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/calsync/engine/alert-log/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("flagged-run", test_flagged_run);
  ADD ("single-and-summary", test_single_and_summary);
  ADD ("run-failed", test_run_failed);
  ADD ("restored", test_restored);
  ADD ("dry-run", test_dry_run);
  ADD ("persisted", test_persisted);
  ADD ("damaged-state", test_damaged_state);

#undef ADD

  return g_test_run ();
}
