/* test-dashboard.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-dashboard.h"
#include "cs-ui-util.h"
#include "cs-window.h"
#include "ui-test-util.h"

static const char * const count_names[] = {
  "synced-count", "pending-count", "review-count", "failed-count",
};

/* The dashboard in a window of its own, wired as CsWindow wires it: the
 * engine's "changed" reloads the shared model, and the reload refreshes
 * the dashboard. */
typedef struct
{
  UiTestFixture       ui;
  GtkWindow          *window;
  CsDashboard        *dashboard;
  CsAppointmentModel *model;
  guint               reloads;
  gboolean            reloading;
  gboolean            reload_again;
} Fixture;

static void reload_model (Fixture *f);

static void
model_reloaded_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_appointment_model_reload_finish (CS_APPOINTMENT_MODEL (object), result,
                                                     &error));
  g_assert_no_error (error);
  f->reloading = FALSE;
  if (f->reload_again)
    {
      f->reload_again = FALSE;
      reload_model (f);
      return;
    }
  f->reloads++;
  cs_dashboard_refresh (f->dashboard);
}

static void
reload_model (Fixture *f)
{
  if (f->reloading)
    {
      f->reload_again = TRUE;
      return;
    }
  f->reloading = TRUE;
  cs_appointment_model_reload_async (f->model, NULL, model_reloaded_cb, f);
}

static gboolean
reloaded (gpointer user_data)
{
  Fixture *f = user_data;

  return f->reloads > 0 && !f->reloading;
}

/* The demo company, checked @n_checks times, in a window of @width. */
static void
fixture_setup (Fixture *f,
               guint    n_checks,
               int      width)
{
  ui_test_fixture_setup (&f->ui, 120, FALSE);
  for (guint i = 0; i < n_checks; i++)
    ui_test_verify (&f->ui);

  f->model = cs_appointment_model_new (cs_engine_get_store (f->ui.engine), f->ui.clock);
  f->dashboard = g_object_new (CS_TYPE_DASHBOARD, NULL);
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, width, 800);
  gtk_window_set_child (f->window, GTK_WIDGET (f->dashboard));
  cs_dashboard_set_model (f->dashboard, f->model);
  cs_dashboard_set_engine (f->dashboard, f->ui.engine);
  g_signal_connect_swapped (f->ui.engine, "changed", G_CALLBACK (reload_model), f);
  gtk_window_present (f->window);

  reload_model (f);
  ui_test_wait_until (reloaded, f, "the model to load");
  ui_test_drain ();
}

static void
fixture_teardown (Fixture *f)
{
  g_signal_handlers_disconnect_by_data (f->ui.engine, f);
  ui_test_wait_until (reloaded, f, "the last reload");
  gtk_window_destroy (f->window);
  g_clear_object (&f->model);
  ui_test_fixture_teardown (&f->ui);
}

static const char *
label_text (Fixture    *f,
            const char *name)
{
  GtkWidget *label = ui_test_find_by_name (GTK_WIDGET (f->dashboard), name);

  g_assert_true (GTK_IS_LABEL (label));
  return gtk_label_get_text (GTK_LABEL (label));
}

static void
store_counts (Fixture       *f,
              CsStoreCounts *counts)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_store_get_counts (cs_engine_get_store (f->ui.engine), counts, &error));
  g_assert_no_error (error);
}

/* Whether every card shows the figure of the store. */
static gboolean
cards_match_store (gpointer user_data)
{
  Fixture *f = user_data;
  CsStoreCounts counts = { { 0 } };

  store_counts (f, &counts);
  for (guint card = 0; card < CS_DASHBOARD_N_CARDS; card++)
    {
      g_autofree char *expected = cs_ui_format_count (cs_dashboard_card_count (card, &counts));

      if (g_strcmp0 (label_text (f, count_names[card]), expected) != 0)
        return FALSE;
    }
  return TRUE;
}

/* Before the engine: zeros, "Never" and "Not scheduled", no warning. */
static void
test_empty (void)
{
  CsDashboard *dashboard = g_object_ref_sink (g_object_new (CS_TYPE_DASHBOARD, NULL));

  cs_dashboard_refresh (dashboard);
  g_assert_cmpstr (cs_dashboard_get_card_label (dashboard, CS_DASHBOARD_CARD_NEEDS_REVIEW), ==,
                   "Needs review: 0 appointments. Open the list");
  g_assert_finalize_object (dashboard);
}

static gboolean synced_uid (CsSimDataset  *dataset,
                            char         **out_uid);

/* The cards show the counts of the store for the demo company, the same
 * the model counts in memory, with words for screen readers. */
static void
test_counts (void)
{
  Fixture f = { 0 };
  CsStoreCounts from_store = { { 0 } };
  CsStoreCounts from_model = { { 0 } };
  g_autofree char *review = NULL;
  g_autofree char *expected_label = NULL;

  fixture_setup (&f, 3, 1000);
  /* Three checks flag every problem; one more found after them is still
   * retried on its own. */
  {
    CsSimDataset *dataset = cs_sim_server_get_dataset (cs_demo_get_server (f.ui.demo));
    g_autofree char *uid = NULL;

    g_assert_true (synced_uid (dataset, &uid));
    g_assert_true (cs_sim_dataset_remove_booking (dataset, uid));
    ui_test_verify (&f.ui);
    ui_test_wait_until (cards_match_store, &f, "the cards to follow the check");
  }
  store_counts (&f, &from_store);
  cs_appointment_model_get_counts (f.model, &from_model);
  g_assert_cmpmem (&from_store, sizeof from_store, &from_model, sizeof from_model);
  g_assert_true (cards_match_store (&f));

  /* The demo has every kind: no card is trivially zero. */
  g_assert_cmpuint (cs_dashboard_card_count (CS_DASHBOARD_CARD_SYNCED, &from_store), >, 0);
  g_assert_cmpuint (cs_dashboard_card_count (CS_DASHBOARD_CARD_FAILED, &from_store), >, 0);
  g_assert_cmpuint (cs_dashboard_card_count (CS_DASHBOARD_CARD_NEEDS_REVIEW, &from_store), >, 0);
  /* No problem is on both the Failed and the Needs review card. */
  g_assert_cmpuint (from_store.retrying + from_store.needs_review, <=,
                    from_store.by_status[CS_SYNC_STATUS_FAILED] +
                    from_store.by_status[CS_SYNC_STATUS_ORPHANED_LOCAL] +
                    from_store.by_status[CS_SYNC_STATUS_ORPHANED_CALCOM]);

  review = cs_ui_format_count (from_store.needs_review);
  expected_label = g_strdup_printf ("Needs review: %s appointments. Open the list", review);
  g_assert_cmpstr (cs_dashboard_get_card_label (f.dashboard, CS_DASHBOARD_CARD_NEEDS_REVIEW), ==,
                   expected_label);
  g_assert_true (g_str_has_suffix (label_text (&f, "synced-caption"), "in sync"));

  /* The last run: its figures, in words. */
  g_assert_cmpstr (label_text (&f, "result-label"), ==, "Finished");
  /* The status is what needs a person, not only how the last run ended. */
  {
    g_autofree char *status = g_strdup_printf ("Status: %u appointments need review",
                                               from_store.needs_review);

    g_assert_cmpstr (label_text (&f, "status-label"), ==, status);
  }
  g_assert_cmpstr (label_text (&f, "calcom-health-label"), ==, "Online");
  g_assert_cmpstr (label_text (&f, "backend-health-label"), ==, "Online");
  {
    g_autoptr(CsRunRecord) last = cs_store_get_last_run (cs_engine_get_store (f.ui.engine), NULL);
    g_autofree char *total = cs_ui_format_count (last->calcom_requests + last->backend_requests);
    g_autofree char *duration = cs_ui_format_duration (last->duration_usec);

    g_assert_true (g_str_has_prefix (label_text (&f, "requests-label"), total));
    g_assert_cmpstr (label_text (&f, "duration-label"), ==, duration);
  }

  fixture_teardown (&f);
}

static void
open_list_cb (CsDashboard *dashboard,
              guint        status_filter,
              gpointer     user_data)
{
  guint *out = user_data;

  *out = status_filter;
}

/* A click on a card asks for the list filtered to exactly what the card
 * counts. */
static void
test_click_opens_list (void)
{
  Fixture f = { 0 };
  CsAppointmentModel *model;
  CsStoreCounts counts = { { 0 } };
  guint filter = G_MAXUINT;

  fixture_setup (&f, 3, 1000);
  model = f.model;
  cs_appointment_model_get_counts (model, &counts);
  g_signal_connect (f.dashboard, "open-list", G_CALLBACK (open_list_cb), &filter);

  for (guint card = 0; card < CS_DASHBOARD_N_CARDS; card++)
    {
      GtkWidget *button = cs_dashboard_get_card (f.dashboard, card);

      g_assert_true (GTK_IS_BUTTON (button));
      g_assert_true (gtk_widget_get_focusable (button));
      filter = G_MAXUINT;
      g_signal_emit_by_name (button, "clicked");
      g_assert_cmpuint (filter, ==, cs_dashboard_card_get_filter (card));

      /* The filter admits exactly the rows the card counts. */
      cs_appointment_model_set_search_text (model, NULL);
      cs_appointment_model_set_status_filter (model, filter);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==,
                        cs_dashboard_card_count (card, &counts));
    }
  cs_appointment_model_set_status_filter (model, CS_APPOINTMENT_FILTER_ALL);

  fixture_teardown (&f);
}

/* The cards are reached with Tab, in reading order. */
static void
test_keyboard (void)
{
  Fixture f = { 0 };

  fixture_setup (&f, 1, 1000);
  gtk_window_set_focus (f.window, NULL);
  for (guint card = 0; card < CS_DASHBOARD_N_CARDS; card++)
    {
      GtkWidget *focus;

      g_assert_true (gtk_widget_child_focus (GTK_WIDGET (f.dashboard), GTK_DIR_TAB_FORWARD));
      focus = gtk_window_get_focus (f.window);
      if (focus != cs_dashboard_get_card (f.dashboard, card))
        g_error ("Card %u: focus on a %s named %s", card, G_OBJECT_TYPE_NAME (focus),
                 gtk_widget_get_name (focus));
    }

  fixture_teardown (&f);
}

static gboolean
synced_uid (CsSimDataset *dataset,
            char        **out_uid)
{
  GPtrArray *appointments = cs_sim_dataset_get_appointments (dataset);

  for (guint i = 0; i < appointments->len; i++)
    {
      CsSimAppointment *row = g_ptr_array_index (appointments, i);
      const CsSimTruth *truth = cs_sim_dataset_get_truth (dataset, row->appointment->id);

      if (truth != NULL && truth->category == CS_SIM_CATEGORY_SYNCED && truth->booking_uid != NULL)
        {
          *out_uid = g_strdup (truth->booking_uid);
          return TRUE;
        }
    }
  return FALSE;
}

/* A booking deleted in Cal.com and another check: the same widget shows
 * one synced appointment less and one problem more. */
static void
test_live_update (void)
{
  Fixture f = { 0 };
  CsDashboard *before;
  CsStoreCounts old = { { 0 } };
  CsStoreCounts now = { { 0 } };
  g_autofree char *uid = NULL;
  CsSimDataset *dataset;

  fixture_setup (&f, 1, 1000);
  before = f.dashboard;
  store_counts (&f, &old);
  g_assert_true (cards_match_store (&f));

  dataset = cs_sim_server_get_dataset (cs_demo_get_server (f.ui.demo));
  g_assert_true (synced_uid (dataset, &uid));
  g_assert_true (cs_sim_dataset_remove_booking (dataset, uid));
  ui_test_verify (&f.ui);

  store_counts (&f, &now);
  g_assert_cmpuint (now.by_status[CS_SYNC_STATUS_SYNCED], ==,
                    old.by_status[CS_SYNC_STATUS_SYNCED] - 1);
  g_assert_cmpuint (cs_dashboard_card_count (CS_DASHBOARD_CARD_FAILED, &now), ==,
                    cs_dashboard_card_count (CS_DASHBOARD_CARD_FAILED, &old) + 1);
  ui_test_wait_until (cards_match_store, &f, "the cards to follow the check");
  g_assert_true (gtk_window_get_child (f.window) == GTK_WIDGET (before));

  /* Nothing flagged yet after one check: the status says what is retried. */
  g_assert_cmpuint (now.needs_review, ==, 0);
  {
    g_autofree char *status = g_strdup_printf ("Status: %u problems are being retried",
                                               now.retrying);

    g_assert_cmpuint (now.retrying, >, 1);
    g_assert_cmpstr (label_text (&f, "status-label"), ==, status);
  }

  fixture_teardown (&f);
}

static gboolean
verifier_idle (gpointer user_data)
{
  Fixture *f = user_data;

  return !cs_verifier_get_running (cs_engine_get_verifier (f->ui.engine));
}

/* Reloads the model now and waits for that reload (the engine's own
 * reloads are blocked meanwhile, so this is the one that counts). */
static void
reload_now (Fixture *f)
{
  guint before = f->reloads;

  reload_model (f);
  while (f->reloads == before || f->reloading)
    g_main_context_iteration (NULL, TRUE);
}

/* While a check runs, what it checks and waits for a verdict shows as
 * "Verifying N" on the Pending card; nothing stays in that state once the
 * run ends, or once it is cancelled half-way. */
static void
test_verifying (void)
{
  Fixture f = { 0 };
  CsStoreCounts before = { { 0 } };
  CsStoreCounts during = { { 0 } };
  CsStoreCounts after = { { 0 } };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *caption = NULL;
  guint waiting;

  fixture_setup (&f, 1, 1000);
  g_signal_handlers_block_by_func (f.ui.engine, reload_model, &f);
  cs_appointment_model_set_verifier (f.model, cs_engine_get_verifier (f.ui.engine));
  store_counts (&f, &before);
  waiting = before.by_status[CS_SYNC_STATUS_PENDING] + before.retrying;
  g_assert_cmpuint (waiting, >, 0);
  g_assert_cmpuint (before.by_status[CS_SYNC_STATUS_VERIFICATION_PENDING], ==, 0);

  for (guint round = 0; round < 2; round++)
    {
      GAsyncResult *pending = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(CsVerifyReport) report = NULL;
      g_autoptr(GError) error = NULL;

      cs_engine_verify_async (f.ui.engine, CS_VERIFICATION_COMPREHENSIVE, FALSE,
                              round == 1 ? cancellable : NULL, ui_test_async_cb, &pending);
      g_assert_true (cs_verifier_get_running (cs_engine_get_verifier (f.ui.engine)));
      reload_now (&f);
      cs_appointment_model_get_counts (f.model, &during);
      g_assert_cmpuint (during.by_status[CS_SYNC_STATUS_VERIFICATION_PENDING], ==, waiting);
      g_assert_cmpuint (during.total, ==, before.total);
      caption = g_strdup_printf ("Verifying %u", waiting);
      g_assert_cmpstr (label_text (&f, "pending-caption"), ==, caption);
      g_clear_pointer (&caption, g_free);

      /* The second run is stopped half-way, as a quit would. */
      if (round == 1)
        g_cancellable_cancel (cancellable);
      result = ui_test_wait_result (&pending);
      report = cs_engine_verify_finish (f.ui.engine, result, &error);
      ui_test_wait_until (verifier_idle, &f, "the run to end");

      reload_now (&f);
      cs_appointment_model_get_counts (f.model, &after);
      g_assert_cmpuint (after.by_status[CS_SYNC_STATUS_VERIFICATION_PENDING], ==, 0);
      store_counts (&f, &after);
      g_assert_cmpuint (after.by_status[CS_SYNC_STATUS_VERIFICATION_PENDING], ==, 0);
      g_assert_cmpstr (label_text (&f, "pending-caption"), !=, "");
      g_assert_null (strstr (label_text (&f, "pending-caption"), "Verifying"));
    }

  g_signal_handlers_unblock_by_func (f.ui.engine, reload_model, &f);
  fixture_teardown (&f);
}

/* Cal.com answers 503 until its circuit opens. */
static CsCircuitBreaker *
open_calcom_circuit (Fixture *f)
{
  CsSimFaults faults;
  CsCalcomClient *calcom;
  CsCircuitBreaker *breaker;

  cs_sim_faults_init (&faults);
  faults.force_status = 503;
  cs_sim_server_set_faults (cs_demo_get_server (f->ui.demo), CS_SIM_SERVICE_CALCOM, &faults);
  calcom = cs_engine_get_calcom (f->ui.engine);
  breaker = cs_http_client_get_circuit_breaker (cs_calcom_client_get_http (calcom));

  for (guint i = 0; i < 10 && cs_circuit_breaker_get_state (breaker) == CS_CIRCUIT_CLOSED; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(CsVerifyReport) report = NULL;
      g_autoptr(GError) error = NULL;
      GAsyncResult *pending = NULL;

      cs_engine_verify_async (f->ui.engine, CS_VERIFICATION_COMPREHENSIVE, FALSE, NULL,
                              ui_test_async_cb, &pending);
      result = ui_test_wait_result (&pending);
      report = cs_engine_verify_finish (f->ui.engine, result, &error);
      g_assert_null (report);
    }
  return breaker;
}

static gboolean
calcom_circuit_shown (gpointer user_data)
{
  Fixture *f = user_data;

  return g_str_has_prefix (label_text (f, "calcom-health-label"), "Not answering — retry at ");
}

/* Cal.com down: its health row says until when Calsync waits, and the
 * status line names it; the CRM server stays online. */
static void
test_circuit_open (void)
{
  Fixture f = { 0 };
  CsCircuitBreaker *breaker;
  g_autofree char *until = NULL;
  g_autofree char *expected = NULL;

  fixture_setup (&f, 1, 1000);
  g_assert_cmpstr (label_text (&f, "calcom-health-label"), ==, "Online");

  breaker = open_calcom_circuit (&f);
  g_assert_cmpint (cs_circuit_breaker_get_state (breaker), ==, CS_CIRCUIT_OPEN);

  ui_test_wait_until (calcom_circuit_shown, &f, "the open circuit in the health row");
  until = cs_ui_format_time (cs_circuit_breaker_get_open_until (breaker));
  expected = g_strdup_printf ("Not answering — retry at %s", until);
  g_assert_cmpstr (label_text (&f, "calcom-health-label"), ==, expected);
  g_assert_cmpstr (label_text (&f, "backend-health-label"), ==, "Online");
  g_assert_cmpstr (label_text (&f, "status-label"), ==, "Status: Cal.com is not answering");

  fixture_teardown (&f);
}

/* Without the key and the token: both servers say what is missing, and
 * nothing is scheduled. */
static void
test_not_set_up (void)
{
  g_autoptr(CsDemo) demo = cs_demo_new (30);
  g_autoptr(CsEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *pending = NULL;
  CsDashboard *dashboard;
  GtkWindow *window;
  Fixture f = { 0 };

  g_assert_true (cs_demo_start (demo, &error));
  engine = cs_engine_new (cs_demo_get_settings (demo), NULL, cs_demo_get_store_path (demo));
  cs_engine_start_async (engine, NULL, ui_test_async_cb, &pending);
  result = ui_test_wait_result (&pending);
  g_assert_true (cs_engine_start_finish (engine, result, &error));
  g_assert_nonnull (cs_engine_get_setup_error (engine));
  g_assert_nonnull (cs_engine_get_calcom (engine));

  dashboard = g_object_new (CS_TYPE_DASHBOARD, NULL);
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_child (window, GTK_WIDGET (dashboard));
  cs_dashboard_set_engine (dashboard, engine);
  cs_engine_start_schedule (engine, NULL);
  cs_dashboard_refresh (dashboard);
  gtk_window_present (window);

  f.dashboard = dashboard;
  g_assert_cmpstr (label_text (&f, "calcom-health-label"), ==, "Credentials missing");
  g_assert_cmpstr (label_text (&f, "backend-health-label"), ==, "Credentials missing");
  g_assert_cmpstr (label_text (&f, "status-label"), ==, "Status: Not set up");
  g_assert_cmpstr (label_text (&f, "next-check-label"), ==, "Paused until Calsync is set up");
  g_assert_cmpstr (label_text (&f, "last-check-label"), ==, "Never");

  gtk_window_destroy (window);
  g_clear_object (&engine);
  ui_test_drain ();
}

static gboolean
next_check_shown (gpointer user_data)
{
  return g_str_has_prefix (label_text (user_data, "next-check-label"), "in ");
}

/* No schedule: "Not scheduled"; once it runs, when the next check is. */
static void
test_schedule (void)
{
  Fixture f = { 0 };

  fixture_setup (&f, 1, 1000);
  g_assert_null (cs_engine_get_scheduler (f.ui.engine));
  g_assert_cmpstr (label_text (&f, "next-check-label"), ==, "Not scheduled");

  cs_engine_start_schedule (f.ui.engine, NULL);
  /* The engine makes its scheduler here; the dashboard finds it at its
   * next refresh (the window refreshes after every change of the engine;
   * the program starts the schedule before the window gets the engine). */
  cs_dashboard_refresh (f.dashboard);
  ui_test_wait_until (next_check_shown, &f, "the next check");

  fixture_teardown (&f);
}

static gboolean
window_model_loaded (gpointer user_data)
{
  CsAppointmentModel *model = cs_window_get_model (CS_WINDOW (user_data));

  return model != NULL && cs_appointment_model_get_n_loaded (model) > 0;
}

/* In the real window: the figures follow a check, and a card's click shows
 * the list filtered to the rows the card counts. */
static void
test_in_window (void)
{
  Fixture f = { 0 };
  CsWindow *window;
  CsAppointmentModel *model;
  CsStoreCounts counts = { { 0 } };
  AdwViewStack *stack;

  ui_test_fixture_setup (&f.ui, 120, FALSE);
  window = cs_window_new (NULL, NULL);
  gtk_window_present (GTK_WINDOW (window));
  cs_window_set_engine (window, f.ui.engine);
  cs_window_show_view (window, "dashboard");
  f.dashboard = CS_DASHBOARD (ui_test_find_by_type (GTK_WIDGET (window), CS_TYPE_DASHBOARD));
  g_assert_nonnull (f.dashboard);

  ui_test_verify (&f.ui);
  ui_test_wait_until (window_model_loaded, window, "the list to load");
  ui_test_wait_until (cards_match_store, &f, "the cards to follow the check");

  model = cs_window_get_model (window);
  cs_appointment_model_get_counts (model, &counts);
  g_signal_emit_by_name (cs_dashboard_get_card (f.dashboard, CS_DASHBOARD_CARD_FAILED), "clicked");
  stack = ADW_VIEW_STACK (ui_test_find_by_type (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "appointments");
  g_assert_cmpuint (cs_appointment_model_get_status_filter (model), ==,
                    cs_dashboard_card_get_filter (CS_DASHBOARD_CARD_FAILED));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==,
                    cs_dashboard_card_count (CS_DASHBOARD_CARD_FAILED, &counts));

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_fixture_teardown (&f.ui);
}

/* Narrow (the window's least width): the cards wrap, nothing warns. */
static void
test_narrow (void)
{
  Fixture f = { 0 };
  GtkWidget *synced;
  GtkWidget *failed;
  graphene_point_t a, b;

  fixture_setup (&f, 1, 360);
  synced = cs_dashboard_get_card (f.dashboard, CS_DASHBOARD_CARD_SYNCED);
  failed = cs_dashboard_get_card (f.dashboard, CS_DASHBOARD_CARD_FAILED);
  g_assert_true (gtk_widget_compute_point (failed, synced, &GRAPHENE_POINT_INIT (0, 0), &b));
  g_assert_true (gtk_widget_compute_point (synced, synced, &GRAPHENE_POINT_INIT (0, 0), &a));
  /* The last card sits below the first, not beside it. */
  g_assert_cmpfloat (b.y, >, a.y);

  fixture_teardown (&f);
}


static void
test_screenshots (void)
{
  gboolean temporary;
  g_autofree char *dir = ui_test_png_dir ("CS_DASHBOARD_SCREENSHOTS", &temporary);
  const int widths[] = { 1000, 360 };
  g_autoptr(GtkCssProvider) provider = NULL;

  /* The program's styles, which AdwApplication loads by itself. */
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/io/github/calsync/Calsync/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      Fixture f = { 0 };
      g_autofree char *name = g_strdup_printf ("dashboard-%d.png", widths[i]);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      fixture_setup (&f, 3, widths[i]);
      for (guint j = 0; j < 20; j++)
        ui_test_drain ();
      g_assert_true (ui_test_save_png (GTK_WIDGET (f.window), FALSE, path));
      ui_test_check_png (path, temporary);

      /* The same with Cal.com down. */
      g_free (path);
      g_free (name);
      name = g_strdup_printf ("dashboard-%d-circuit.png", widths[i]);
      path = g_build_filename (dir, name, NULL);
      open_calcom_circuit (&f);
      ui_test_wait_until (calcom_circuit_shown, &f, "the open circuit");
      for (guint j = 0; j < 20; j++)
        ui_test_drain ();
      g_assert_true (ui_test_save_png (GTK_WIDGET (f.window), FALSE, path));
      ui_test_check_png (path, temporary);
      fixture_teardown (&f);
    }

  gtk_style_context_remove_provider_for_display (gdk_display_get_default (),
                                                 GTK_STYLE_PROVIDER (provider));
  ui_test_png_dir_done (dir, temporary);
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  g_test_add_func ("/calsync/ui/dashboard/empty", test_empty);
  g_test_add_func ("/calsync/ui/dashboard/counts", test_counts);
  g_test_add_func ("/calsync/ui/dashboard/click-opens-list", test_click_opens_list);
  g_test_add_func ("/calsync/ui/dashboard/keyboard", test_keyboard);
  g_test_add_func ("/calsync/ui/dashboard/live-update", test_live_update);
  g_test_add_func ("/calsync/ui/dashboard/verifying", test_verifying);
  g_test_add_func ("/calsync/ui/dashboard/circuit-open", test_circuit_open);
  g_test_add_func ("/calsync/ui/dashboard/not-set-up", test_not_set_up);
  g_test_add_func ("/calsync/ui/dashboard/schedule", test_schedule);
  g_test_add_func ("/calsync/ui/dashboard/in-window", test_in_window);
  g_test_add_func ("/calsync/ui/dashboard/narrow", test_narrow);
  g_test_add_func ("/calsync/ui/dashboard/screenshots", test_screenshots);

  return g_test_run ();
}
