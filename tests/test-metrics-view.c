/* test-metrics-view.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <glib/gstdio.h>

#include "cs-metrics-view.h"
#include "cs-sim-server.h"
#include "cs-store-metrics.h"
#include "cs-trend-chart.h"
#include "cs-ui-util.h"
#include "ui-test-util.h"

#define WEEK_DAYS 7

typedef struct
{
  UiTestFixture  ui;
  GtkWindow     *window;
  CsMetricsView *view;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  /* An empty cache: the only runs are the test's own, so the days
   * without runs are known. */
  ui_test_fixture_setup (&f->ui, 40, FALSE);

  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_decorated (f->window, FALSE);
  gtk_window_set_default_size (f->window, 720, 860);
  f->view = g_object_new (CS_TYPE_METRICS_VIEW, NULL);
  gtk_window_set_child (f->window, GTK_WIDGET (f->view));
  gtk_window_present (f->window);
  cs_metrics_view_set_engine (f->view, f->ui.engine);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (f->window);
  ui_test_fixture_teardown (&f->ui);
}

static GtkWidget *
find (Fixture    *f,
      const char *name)
{
  GtkWidget *widget = ui_test_find_by_name (GTK_WIDGET (f->view), name);

  g_assert_nonnull (widget);
  return widget;
}

static CsTrendChart *
chart (Fixture *f)
{
  return CS_TREND_CHART (find (f, "metrics-chart"));
}

typedef struct
{
  GtkLabel   *label;
  const char *text;
} LabelWait;

static gboolean
label_is (gpointer user_data)
{
  LabelWait *wait = user_data;

  return g_strcmp0 (gtk_label_get_text (wait->label), wait->text) == 0;
}

static void
wait_label (Fixture    *f,
            const char *name,
            const char *text)
{
  LabelWait wait = { GTK_LABEL (find (f, name)), text };
  g_autofree char *what = g_strdup_printf ("%s to read “%s”", name, text);

  ui_test_wait_until (label_is, &wait, what);
}

/* The figures of the period, computed here from cs_store_list_runs() and
 * the appointments, independently of cs-store-metrics.c. */
typedef struct
{
  guint   n_runs;
  guint64 checked;
  guint64 synced;
  gint64  checked_usec;
  gint64  appointment_max;
  gint64  appointment_min;
  gint64  total_usec;
  gint64  run_max;
  gint64  run_min;
  guint   found;
  guint   resolved;
  guint   pending;
  guint   today_synced;
  guint   today_issues;
  guint   today_runs;
  guint   n_checking;
} Expected;

static void
count_review (Expected             *expected,
              const CsSyncTracking *sync,
              CsTime                resolved_at,
              CsTime                since)
{
  if (sync->manual_review_flagged_at >= since || resolved_at >= since)
    expected->found++;
  if (resolved_at >= since)
    expected->resolved++;
  if (sync->requires_manual_review && resolved_at == CS_TIME_UNSET)
    expected->pending++;
}

static void
compute_expected (Fixture  *f,
                  guint     n_days,
                  Expected *expected)
{
  CsStore *store = cs_engine_get_store (f->ui.engine);
  CsTime now = g_get_real_time ();
  CsTime since = cs_metrics_period_start (now, n_days);
  CsTime today = cs_metrics_period_start (now, 1);
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GPtrArray) appointments = NULL;
  g_autoptr(GPtrArray) bookings = NULL;
  g_autoptr(GError) error = NULL;
  guint n_checking = 0;

  memset (expected, 0, sizeof *expected);

  runs = cs_store_list_runs (store, since, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < runs->len; i++)
    {
      CsRunRecord *run = g_ptr_array_index (runs, i);
      guint checked = 0;

      for (guint s = 0; s <= CS_SYNC_STATUS_LAST; s++)
        checked += run->counts[s];

      expected->n_runs++;
      if (run->started_at >= today)
        expected->today_runs++;
      if (checked == 0)
        continue;

      n_checking++;
      expected->total_usec += run->duration_usec;
      expected->run_max = MAX (expected->run_max, run->duration_usec);
      expected->run_min = n_checking == 1 ? run->duration_usec : MIN (expected->run_min, run->duration_usec);
      expected->checked += checked;
      expected->synced += run->counts[CS_SYNC_STATUS_SYNCED];
      expected->checked_usec += run->duration_usec;
      expected->appointment_max = MAX (expected->appointment_max, run->duration_usec / checked);
      expected->appointment_min = n_checking == 1
                                  ? run->duration_usec / checked
                                  : MIN (expected->appointment_min, run->duration_usec / checked);
      if (run->started_at >= today)
        {
          expected->today_synced = run->counts[CS_SYNC_STATUS_SYNCED];
          expected->today_issues = run->counts[CS_SYNC_STATUS_FAILED] +
                                   run->counts[CS_SYNC_STATUS_ORPHANED_LOCAL] +
                                   run->counts[CS_SYNC_STATUS_ORPHANED_CALCOM];
        }
    }

  expected->n_checking = n_checking;
  appointments = cs_store_list_appointments (store, G_MININT64, G_MAXINT64, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < appointments->len; i++)
    {
      CsAppointment *a = g_ptr_array_index (appointments, i);

      count_review (expected, &a->sync, a->resolved_at, since);
    }
  bookings = cs_store_list_bookings (store, G_MININT64, G_MAXINT64, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < bookings->len; i++)
    {
      CsBooking *b = g_ptr_array_index (bookings, i);

      count_review (expected, &b->sync, b->resolved_at, since);
    }
}

static char *
expected_duration (gint64 usec)
{
  if (usec < G_USEC_PER_SEC)
    return g_strdup_printf ("%u ms", (guint) (usec / 1000));
  return cs_ui_format_duration (usec);
}

static char *
expected_times (gint64 avg,
                gint64 max,
                gint64 min)
{
  g_autofree char *a = expected_duration (avg);
  g_autofree char *x = expected_duration (max);
  g_autofree char *n = expected_duration (min);

  return g_strdup_printf ("Avg %s │ Max %s │ Min %s", a, x, n);
}

static void
assert_figures (Fixture *f,
                guint    n_days)
{
  Expected e;
  g_autofree char *success = NULL;
  g_autofree char *times = NULL;
  g_autofree char *run_times = NULL;
  g_autofree char *issues = NULL;
  g_autofree char *reviews = NULL;

  compute_expected (f, n_days, &e);
  g_assert_cmpuint (e.n_runs, >, 0);
  g_assert_cmpuint (e.checked, >, 0);

  success = cs_ui_format_percent ((double) e.synced / e.checked);
  times = expected_times (e.checked_usec / (gint64) e.checked, e.appointment_max, e.appointment_min);
  run_times = expected_times (e.total_usec / e.n_checking, e.run_max, e.run_min);
  if (e.found > 0)
    {
      g_autofree char *percent = cs_ui_format_percent ((double) e.resolved / e.found);

      issues = g_strdup_printf ("%u / %u (%s)", e.resolved, e.found, percent);
    }
  else
    issues = g_strdup_printf ("%u / %u", e.resolved, e.found);
  reviews = g_strdup_printf ("%u pending │ %u resolved", e.pending, e.resolved);

  /* The last label written: when it is right, all are. */
  wait_label (f, "metrics-reviews", reviews);
  wait_label (f, "metrics-success", success);
  wait_label (f, "metrics-appointment-time", times);
  wait_label (f, "metrics-run-time", run_times);
  wait_label (f, "metrics-issues", issues);
  g_assert_cmpfloat_with_epsilon (gtk_level_bar_get_value (GTK_LEVEL_BAR (find (f, "metrics-success-bar"))),
                                  (double) e.synced / e.checked, 1e-9);

  {
    CsStoreCounts counts;
    g_autoptr(GError) error = NULL;

    /* The dashboard's "needs review" is the same figure. */
    g_assert_true (cs_store_get_counts (cs_engine_get_store (f->ui.engine), &counts, &error));
    g_assert_cmpuint (counts.needs_review, ==, e.pending);
  }
}

static const char *
visible_page (Fixture *f)
{
  GtkWidget *page = find (f, "metrics-empty");

  return gtk_stack_get_visible_child_name (GTK_STACK (gtk_widget_get_parent (page)));
}

static gboolean
shows_metrics (gpointer user_data)
{
  return g_strcmp0 (visible_page (user_data), "metrics") == 0;
}

static gboolean
shows_empty (gpointer user_data)
{
  return g_strcmp0 (visible_page (user_data), "empty") == 0;
}

static gboolean
transition_done (gpointer user_data)
{
  GtkWidget *page = find (user_data, "metrics-empty");

  return !gtk_stack_get_transition_running (GTK_STACK (gtk_widget_get_parent (page)));
}

static gboolean
chart_has_days (gpointer user_data)
{
  Fixture *f = ((gpointer *) user_data)[0];
  guint n = GPOINTER_TO_UINT (((gpointer *) user_data)[1]);

  return cs_trend_chart_get_n_days (chart (f)) == n;
}

static void
wait_chart_days (Fixture *f,
                 guint    n)
{
  gpointer data[] = { f, GUINT_TO_POINTER (n) };

  ui_test_wait_until (chart_has_days, data, "the chart's days");
}

/* A failed verification: every Cal.com request answered 503. */
static void
verify_failing (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *pending = NULL;
  CsSimServer *server = cs_demo_get_server (f->ui.demo);
  CsSimFaults faults;

  cs_sim_faults_init (&faults);
  faults.force_status = 503;
  cs_sim_server_set_faults (server, CS_SIM_SERVICE_CALCOM, &faults);

  cs_engine_verify_async (f->ui.engine, CS_VERIFICATION_COMPREHENSIVE, FALSE, NULL,
                          ui_test_async_cb, &pending);
  result = ui_test_wait_result (&pending);
  report = cs_engine_verify_finish (f->ui.engine, result, &error);
  /* It may fail or end with every appointment failed: either is a run. */
  g_clear_error (&error);

  cs_sim_server_clear_faults (server, CS_SIM_SERVICE_CALCOM);
}

/* A run dated @days_ago, as a check on that day would have stored it. */
static void add_past_run_of_kind (Fixture    *f,
                                  const char *kind,
                                  guint       hour,
                                  guint       days_ago,
                                  guint       synced,
                                  guint       failed);

static void
add_past_run (Fixture *f,
              guint    days_ago,
              guint    synced,
              guint    failed)
{
  add_past_run_of_kind (f, CS_RUN_KIND_CYCLE, 12, days_ago, synced, failed);
}

static void
add_past_run_of_kind (Fixture    *f,
                      const char *kind,
                      guint       hour,
                      guint       days_ago,
                      guint       synced,
                      guint       failed)
{
  CsStore *store = cs_engine_get_store (f->ui.engine);
  CsTime today = cs_metrics_period_start (g_get_real_time (), 1);
  g_autoptr(CsRunRecord) run = NULL;
  g_autoptr(GPtrArray) appointments = g_ptr_array_new ();
  g_autoptr(GPtrArray) bookings = g_ptr_array_new ();
  g_autoptr(GPtrArray) events = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) midnight = g_date_time_new_from_unix_local (today / G_USEC_PER_SEC);
  g_autoptr(GDateTime) day = g_date_time_add_days (midnight, -(gint) days_ago);
  g_autoptr(GDateTime) noon = g_date_time_add_hours (day, hour);

  run = cs_run_record_new (kind, g_date_time_to_unix (noon) * G_USEC_PER_SEC);
  run->finished_at = run->started_at + 3 * G_USEC_PER_SEC;
  run->counts[CS_SYNC_STATUS_SYNCED] = synced;
  run->counts[CS_SYNC_STATUS_FAILED] = failed;
  run->duration_usec = 3 * G_USEC_PER_SEC;
  g_free (run->result);
  run->result = g_strdup (CS_RUN_RESULT_OK);
  cs_store_commit_run (store, run, appointments, bookings, events, &error);
  g_assert_no_error (error);
}

static gboolean
has_size (gpointer user_data)
{
  return gtk_widget_get_width (user_data) > 0 && gtk_widget_get_height (user_data) > 0;
}

/* Tests */

static void
test_figures (Fixture       *f,
              gconstpointer  data)
{
  ui_test_verify (&f->ui);
  cs_metrics_view_refresh (f->view);
  ui_test_wait_until (shows_metrics, f, "the figures");
  assert_figures (f, WEEK_DAYS);

  ui_test_verify (&f->ui);
  verify_failing (f);
  ui_test_verify (&f->ui);
  cs_metrics_view_refresh (f->view);
  assert_figures (f, WEEK_DAYS);

  /* The period is the view's title. */
  wait_label (f, "metrics-title", "Sync Health Metrics (Last 7 Days)");

  /* Two flagged today, one of them resolved; one resolved of an issue
   * flagged long before the period. */
  {
    CsStore *store = cs_engine_get_store (f->ui.engine);
    g_autoptr(GPtrArray) appointments = NULL;
    g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_appointment_free);
    g_autoptr(GError) error = NULL;
    CsTime now = g_get_real_time ();
    Expected e;

    appointments = cs_store_list_appointments (store, G_MININT64, G_MAXINT64, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (appointments->len, >=, 3);
    for (guint i = 0; i < 3; i++)
      {
        CsAppointment *a = cs_appointment_copy (g_ptr_array_index (appointments, i));

        a->sync.requires_manual_review = TRUE;
        a->sync.manual_review_flagged_at = i < 2 ? now - CS_USEC_PER_MINUTE
                                                 : now - 60 * CS_USEC_PER_DAY;
        a->resolved_at = i > 0 ? now : CS_TIME_UNSET;
        g_ptr_array_add (changed, a);
      }
    g_assert_true (cs_store_save_appointments (store, changed, &error));
    g_assert_no_error (error);

    cs_metrics_view_refresh (f->view);
    compute_expected (f, WEEK_DAYS, &e);
    g_assert_cmpuint (e.resolved, >=, 2);
    g_assert_cmpuint (e.pending, >=, 1);
    assert_figures (f, WEEK_DAYS);
  }
}

static void
test_empty (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(CsMetrics) metrics = NULL;
  g_autoptr(GError) error = NULL;
  CsStore *store = cs_engine_get_store (f->ui.engine);

  /* No run yet: the figures say so, and the view shows its status page. */
  metrics = cs_store_compute_metrics (store, cs_store_get_company_id (store), g_get_real_time (),
                                      WEEK_DAYS, &error);
  g_assert_no_error (error);
  g_assert_cmpint (metrics->last_run_at, ==, CS_TIME_UNSET);
  g_assert_cmpuint (metrics->n_runs, ==, 0);
  g_assert_cmpfloat (cs_metrics_get_success_rate (metrics), <, 0);
  ui_test_wait_until (shows_empty, f, "the status page");

  ui_test_verify (&f->ui);
  cs_metrics_view_refresh (f->view);
  ui_test_wait_until (shows_metrics, f, "the figures after the first run");
}

static void
test_chart (Fixture       *f,
            gconstpointer  data)
{
  CsTrendChart *trend;
  graphene_rect_t area;
  g_autofree char *text = NULL;
  g_autofree char *expected_synced = NULL;
  g_autofree char *past = NULL;
  GListModel *controllers;
  Expected e;
  float x;

  ui_test_verify (&f->ui);
  add_past_run (f, 3, 17, 2);
  cs_metrics_view_refresh (f->view);
  wait_chart_days (f, WEEK_DAYS);
  assert_figures (f, WEEK_DAYS);
  trend = chart (f);
  ui_test_wait_until (has_size, trend, "the chart's size");

  /* One group per day, oldest first: today and three days ago had runs,
   * the other days are gaps. */
  for (guint i = 0; i < WEEK_DAYS; i++)
    g_assert_cmpint (cs_trend_chart_is_gap (trend, i), ==, i != 6 && i != 3);

  /* The pointer over today's column: today's figures. */
  compute_expected (f, WEEK_DAYS, &e);
  g_assert_true (cs_trend_chart_get_day_area (trend, 6, &area));
  x = area.origin.x + area.size.width / 2;
  g_assert_cmpint (cs_trend_chart_get_day_at (trend, x), ==, 6);
  text = cs_trend_chart_dup_day_text (trend, 6);
  expected_synced = g_strdup_printf ("Synced: %u\nIssues: %u\n", e.today_synced, e.today_issues);
  g_assert_nonnull (strstr (text, expected_synced));

  past = cs_trend_chart_dup_day_text (trend, 3);
  g_assert_nonnull (strstr (past, "Synced: 17\nIssues: 2\n1 check"));
  g_clear_pointer (&past, g_free);
  past = cs_trend_chart_dup_day_text (trend, 4);
  g_assert_nonnull (strstr (past, "No checks on this day"));

  /* The motion controller marks the day under the pointer. */
  controllers = gtk_widget_observe_controllers (GTK_WIDGET (trend));
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_MOTION (controller))
        {
          g_signal_emit_by_name (controller, "motion", (double) x, 100.0);
          g_assert_cmpint (cs_trend_chart_get_hover_day (trend), ==, 6);
          g_signal_emit_by_name (controller, "leave");
          g_assert_cmpint (cs_trend_chart_get_hover_day (trend), ==, -1);
        }
    }
  g_object_unref (controllers);

  /* Outside the plot there is no day. */
  g_assert_cmpint (cs_trend_chart_get_day_at (trend, 1), ==, -1);
  ui_test_wait_until (has_size, trend, "the chart's size");
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (trend)), >=, 200);
}

static void
test_period (Fixture       *f,
             gconstpointer  data)
{
  CsTrendChart *trend;

  ui_test_verify (&f->ui);
  add_past_run (f, 10, 30, 1);
  cs_metrics_view_refresh (f->view);
  wait_chart_days (f, WEEK_DAYS);
  assert_figures (f, WEEK_DAYS);

  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (find (f, "metrics-period-30")), TRUE);
  wait_chart_days (f, 30);
  wait_label (f, "metrics-title", "Sync Health Metrics (Last 30 Days)");
  assert_figures (f, 30);

  trend = chart (f);
  g_assert_false (cs_trend_chart_is_gap (trend, 29));
  g_assert_false (cs_trend_chart_is_gap (trend, 19));
  g_assert_true (cs_trend_chart_is_gap (trend, 20));
  /* A label every seventh day, counted back from today. */
  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *label = cs_trend_chart_dup_axis_label (trend, i);

      g_assert_true ((label != NULL) == ((29 - i) % 7 == 0));
    }

  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (find (f, "metrics-period-7")), TRUE);
  wait_chart_days (f, WEEK_DAYS);
  assert_figures (f, WEEK_DAYS);
}

static CsFlaggedRow *
flagged_row (const char *number,
             const char *name)
{
  CsFlaggedRow *row = g_new0 (CsFlaggedRow, 1);

  row->number = g_strdup (number);
  row->customer_name = g_strdup (name);
  row->status = g_strdup ("failed");
  row->error_code = g_strdup ("DATA_MISMATCH");
  row->attempts = 3;
  return row;
}

static void
test_csv_writer (void)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_flagged_row_free);
  g_autofree char *csv = NULL;
  g_autoptr(GString) field = g_string_new (NULL);

  g_ptr_array_add (rows, flagged_row ("1236", "Müller, Anna"));
  g_ptr_array_add (rows, flagged_row ("1237", "Jörg \"Joe\" O'Brien"));
  g_ptr_array_add (rows, flagged_row ("1238", "two\nlines"));
  g_ptr_array_add (rows, flagged_row (NULL, NULL));

  csv = cs_flagged_rows_to_csv (rows);
  g_assert_cmpstr (csv, ==,
                   "appointment_number,starts_at,status,error_code,attempts,flagged_at,"
                   "customer_name,calcom_booking_uid\r\n"
                   "1236,,failed,DATA_MISMATCH,3,,\"Müller, Anna\",\r\n"
                   "1237,,failed,DATA_MISMATCH,3,,\"Jörg \"\"Joe\"\" O'Brien\",\r\n"
                   "1238,,failed,DATA_MISMATCH,3,,\"two\nlines\",\r\n"
                   ",,failed,DATA_MISMATCH,3,,,\r\n");

  cs_csv_append_field (field, " padded");
  cs_csv_append_field (field, "cr\rhere");
  g_assert_cmpstr (field->str, ==, "\" padded\"\"cr\rhere\"");
}

static CsAppointment *
appointment (gint64      id,
             gint64      company_id,
             CsTime      starts_at,
             gboolean    flagged,
             CsTime      resolved_at,
             const char *name)
{
  CsAppointment *a = cs_appointment_new ();

  a->id = id;
  a->company_id = company_id;
  a->number = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  a->starts_at = starts_at;
  a->ends_at = starts_at + CS_USEC_PER_HOUR;
  a->customer_name = g_strdup (name);
  a->sync.status = CS_SYNC_STATUS_ORPHANED_LOCAL;
  a->sync.sync_error_code = CS_ERROR_CODE_ORPHANED_LOCAL;
  a->sync.sync_attempt_count = 5;
  a->sync.requires_manual_review = flagged;
  a->sync.manual_review_flagged_at = flagged ? starts_at - CS_USEC_PER_DAY : CS_TIME_UNSET;
  a->resolved_at = resolved_at;
  return a;
}

static void
save (CsStore       *store,
      gint64         company_id,
      CsAppointment *a)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_appointment_free);
  g_autoptr(GError) error = NULL;

  cs_store_set_company_id (store, company_id);
  g_ptr_array_add (list, a);
  g_assert_true (cs_store_save_appointments (store, list, &error));
  g_assert_no_error (error);
}

static void
test_csv_store (void)
{
  g_autofree char *dir = g_dir_make_tmp ("calsync-metrics-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "cache.sqlite", NULL);
  g_autoptr(CsStore) store = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *pending = NULL;
  g_autofree char *expected_start = NULL;
  g_autoptr(GDateTime) start = g_date_time_new_local (2026, 11, 24, 10, 0, 0);
  CsTime t = g_date_time_to_unix (start) * G_USEC_PER_SEC;
  guint n_rows = 0;
  const char *csv;

  store = cs_store_open (path, &error);
  g_assert_no_error (error);

  save (store, 1, appointment (11, 1, t, TRUE, CS_TIME_UNSET, "Anna, A."));
  save (store, 1, appointment (12, 1, t, TRUE, t, "Resolved"));
  save (store, 1, appointment (13, 1, t, FALSE, CS_TIME_UNSET, "Fine"));
  save (store, 2, appointment (21, 2, t, TRUE, CS_TIME_UNSET, "Other company"));

  /* Only the flagged, unresolved rows of the company asked for. */
  rows = cs_store_list_flagged_rows (store, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpstr (((CsFlaggedRow *) rows->pdata[0])->number, ==, "11");

  cs_store_set_company_id (store, 1);
  cs_store_export_flagged_async (store, NULL, ui_test_async_cb, &pending);
  result = ui_test_wait_result (&pending);
  bytes = cs_store_export_flagged_finish (store, result, &n_rows, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_rows, ==, 1);
  csv = g_bytes_get_data (bytes, NULL);
  expected_start = g_date_time_format (start, "%Y-%m-%dT%H:%M:%S%:z");
  g_assert_true (g_str_has_prefix (csv, "appointment_number,"));
  g_assert_nonnull (strstr (csv, "\r\n11,"));
  g_assert_nonnull (strstr (csv, expected_start));
  g_assert_nonnull (strstr (csv, ",orphaned_local,ORPHANED_LOCAL,5,"));
  g_assert_nonnull (strstr (csv, "\"Anna, A.\""));
  g_assert_null (strstr (csv, "Other company"));
  g_assert_null (strstr (csv, "Resolved"));

  g_clear_object (&store);
  g_unlink (path);
  g_remove (dir);
}

static void
test_german_weekdays (void)
{
  g_autoptr(GDateTime) monday = g_date_time_new_local (2026, 11, 23, 0, 0, 0);
  CsMetricsDay days[WEEK_DAYS] = { { 0, } };
  const char *expected[WEEK_DAYS] = { "Mo", "Di", "Mi", "Do", "Fr", "Sa", "So" };
  g_autofree char *old = g_strdup (setlocale (LC_ALL, NULL));
  GtkWidget *trend;

  /* build-aux/deps.sh generates the locale. */
  g_assert_nonnull (setlocale (LC_ALL, "de_DE.UTF-8"));

  for (guint i = 0; i < WEEK_DAYS; i++)
    {
      g_autoptr(GDateTime) day = g_date_time_add_days (monday, i);

      days[i].day = g_date_time_to_unix (day) * G_USEC_PER_SEC;
      days[i].n_runs = i % 2;
    }

  trend = g_object_ref_sink (cs_trend_chart_new ());
  cs_trend_chart_set_days (CS_TREND_CHART (trend), days, WEEK_DAYS);
  for (guint i = 0; i < WEEK_DAYS; i++)
    {
      g_autofree char *label = cs_trend_chart_dup_axis_label (CS_TREND_CHART (trend), i);

      g_assert_cmpstr (label, ==, expected[i]);
    }
  g_object_unref (trend);

  setlocale (LC_ALL, old);
}


static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  (*(guint *) user_data)++;
  return G_SOURCE_CONTINUE;
}

static gboolean
ticked_twice (gpointer user_data)
{
  return *(guint *) user_data >= 2;
}

/* Waits for two frames, so that what is rendered is what is shown. */
static void
wait_frames (GtkWidget *widget)
{
  guint ticks = 0;
  guint id = gtk_widget_add_tick_callback (widget, tick_cb, &ticks, NULL);

  gtk_widget_queue_draw (widget);
  ui_test_wait_until (ticked_twice, &ticks, "two frames");
  gtk_widget_remove_tick_callback (widget, id);
}

/* With CS_METRICS_PNG_DIR set, renders the view in light and dark for a
 * person to look at. */
static void
test_render (Fixture       *f,
             gconstpointer  data)
{
  gboolean temporary;
  g_autofree char *dir = ui_test_png_dir ("CS_METRICS_PNG_DIR", &temporary);
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autofree char *light = NULL;
  g_autofree char *dark = NULL;
  g_autofree char *month = NULL;
  CsTrendChart *trend;
  graphene_rect_t area;
  GListModel *controllers;


  ui_test_verify (&f->ui);
  add_past_run (f, 6, 33, 4);
  add_past_run (f, 5, 35, 3);
  add_past_run (f, 4, 36, 1);
  add_past_run (f, 2, 38, 2);
  add_past_run (f, 1, 37, 0);
  ui_test_verify (&f->ui);
  cs_metrics_view_refresh (f->view);
  wait_chart_days (f, WEEK_DAYS);
  assert_figures (f, WEEK_DAYS);
  trend = chart (f);
  ui_test_wait_until (has_size, trend, "the chart's size");

  /* The pointer over yesterday. */
  g_assert_true (cs_trend_chart_get_day_area (trend, 5, &area));
  controllers = gtk_widget_observe_controllers (GTK_WIDGET (trend));
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_MOTION (controller))
        g_signal_emit_by_name (controller, "motion", (double) area.origin.x + 10, 100.0);
    }
  g_object_unref (controllers);
  ui_test_wait_until (transition_done, f, "the page's transition");
  wait_frames (GTK_WIDGET (f->view));

  light = g_build_filename (dir, "metrics-light.png", NULL);
  g_assert_true (ui_test_save_png (GTK_WIDGET (f->view), TRUE, light));
  ui_test_check_png (light, temporary);

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  wait_frames (GTK_WIDGET (f->view));
  dark = g_build_filename (dir, "metrics-dark.png", NULL);
  g_assert_true (ui_test_save_png (GTK_WIDGET (f->view), TRUE, dark));
  ui_test_check_png (dark, temporary);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);

  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (find (f, "metrics-period-30")), TRUE);
  wait_chart_days (f, 30);
  wait_frames (GTK_WIDGET (f->view));
  month = g_build_filename (dir, "metrics-30-days.png", NULL);
  g_assert_true (ui_test_save_png (GTK_WIDGET (f->view), TRUE, month));
  ui_test_check_png (month, temporary);
  ui_test_png_dir_done (dir, temporary);
}

/* A retry after the day's whole check looks at a few due items only: the
 * day's bar keeps the whole check's figures; a day with retries only
 * shows the last retry's. */
static void
test_day_of_retries (Fixture       *f,
                     gconstpointer  data)
{
  CsStore *store = cs_engine_get_store (f->ui.engine);
  g_autoptr(CsMetrics) metrics = NULL;
  g_autoptr(GError) error = NULL;
  const CsMetricsDay *whole, *retries_only;

  ui_test_verify (&f->ui);
  add_past_run_of_kind (f, CS_RUN_KIND_CYCLE, 12, 3, 40, 2);
  add_past_run_of_kind (f, CS_RUN_KIND_RETRY, 13, 3, 1, 1);
  add_past_run_of_kind (f, CS_RUN_KIND_RETRY, 12, 2, 3, 1);

  metrics = cs_store_compute_metrics (store, cs_store_get_company_id (store), g_get_real_time (),
                                      WEEK_DAYS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (metrics->days->len, ==, WEEK_DAYS);
  whole = &g_array_index (metrics->days, CsMetricsDay, WEEK_DAYS - 1 - 3);
  retries_only = &g_array_index (metrics->days, CsMetricsDay, WEEK_DAYS - 1 - 2);
  g_assert_cmpuint (whole->n_runs, ==, 2);
  g_assert_cmpuint (whole->n_synced, ==, 40);
  g_assert_cmpuint (whole->n_issues, ==, 2);
  g_assert_cmpuint (retries_only->n_runs, ==, 1);
  g_assert_cmpuint (retries_only->n_synced, ==, 3);
}

static void
add (const char *path,
     void      (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  ui_test_init (&argc, &argv);

  add ("/metrics-view/figures", test_figures);
  add ("/metrics-view/empty", test_empty);
  add ("/metrics-view/chart", test_chart);
  add ("/metrics-view/period", test_period);
  add ("/metrics-view/render", test_render);
  add ("/metrics-view/day-of-retries", test_day_of_retries);
  g_test_add_func ("/metrics-view/csv-writer", test_csv_writer);
  g_test_add_func ("/metrics-view/csv-store", test_csv_store);
  g_test_add_func ("/metrics-view/german-weekdays", test_german_weekdays);

  return g_test_run ();
}
