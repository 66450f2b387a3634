/* test-window.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>

#include "cs-review-dialog.h"
#include "cs-window.h"
#include "ui-test-util.h"

static CsWindow *
window_new (GSettings *settings)
{
  CsWindow *window = cs_window_new (NULL, settings);

  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static const char *
main_page (CsWindow *window)
{
  GtkWidget *stack = ui_test_find_by_name (GTK_WIDGET (window), "main-stack");

  g_assert_true (GTK_IS_STACK (stack));
  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

static gboolean
model_loaded (gpointer user_data)
{
  CsWindow *window = user_data;

  return cs_window_get_model (window) != NULL &&
         cs_appointment_model_get_n_loaded (cs_window_get_model (window)) > 0;
}

/* The window builds from its templates, with no critical or warning
 * (both abort here), and waits for the engine with a spinner. */
static void
test_builds (void)
{
  CsWindow *window = window_new (NULL);

  g_assert_cmpstr (main_page (window), ==, "loading");
  g_assert_null (cs_window_get_engine (window));
  g_assert_cmpstr (cs_window_get_banner_text (window), ==, "");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_shows_cache (void)
{
  UiTestFixture fixture = { 0 };
  CsWindow *window;

  ui_test_fixture_setup (&fixture, 120, FALSE);
  ui_test_verify (&fixture);
  window = window_new (NULL);
  cs_window_set_engine (window, fixture.engine);
  g_assert_cmpstr (main_page (window), ==, "main");
  ui_test_wait_until (model_loaded, window, "the list to load");
  g_assert_cmpstr (cs_window_get_banner_text (window), ==, "");
  g_assert_true (gtk_widget_get_sensitive (ui_test_find_by_type (GTK_WIDGET (window),
                                                                 ADW_TYPE_VIEW_SWITCHER_TITLE)));

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_fixture_teardown (&fixture);
}

static void
count_frame (GdkFrameClock *clock,
             guint         *frames)
{
  (*frames)++;
}

static gboolean
set_done (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* An open window with nothing happening draws nothing: no spinner spins
 * on a page that is not shown (it kept the frame clock running, about
 * 1,100 X requests a second all day). Over half a second a running frame
 * clock paints some 30 frames; an idle one none. */
static void
test_idle_draws_nothing (void)
{
  UiTestFixture fixture = { 0 };
  CsWindow *window;
  GdkFrameClock *clock;
  GtkWidget *spinner;
  gboolean done = FALSE;
  guint frames = 0;
  gulong handler;

  ui_test_fixture_setup (&fixture, 120, FALSE);
  ui_test_verify (&fixture);
  window = window_new (NULL);
  cs_window_set_engine (window, fixture.engine);
  ui_test_wait_until (model_loaded, window, "the list to load");
  g_assert_cmpstr (main_page (window), ==, "main");

  spinner = ui_test_find_by_name (GTK_WIDGET (window), "loading-spinner");
  g_assert_nonnull (spinner);
  g_assert_false (gtk_spinner_get_spinning (GTK_SPINNER (spinner)));

  /* Whatever the first frames after loading were, let them pass. */
  ui_test_drain ();
  g_timeout_add (300, set_done, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  ui_test_drain ();

  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  handler = g_signal_connect (clock, "paint", G_CALLBACK (count_frame), &frames);
  done = FALSE;
  g_timeout_add (500, set_done, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
  g_assert_cmpuint (frames, <=, 2);

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_fixture_teardown (&fixture);
}

/* Not set up: the set-up page and a banner with what is missing, instead
 * of empty views. */
static void
test_not_set_up (void)
{
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
  g_autoptr(GSettings) settings = g_settings_new_with_backend (APPLICATION_ID, backend);
  g_autoptr(CsEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("calsync-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "cache.sqlite3", NULL);
  GAsyncResult *pending = NULL;
  CsWindow *window;

  engine = cs_engine_new (settings, NULL, path);
  cs_engine_start_async (engine, NULL, ui_test_async_cb, &pending);
  result = ui_test_wait_result (&pending);
  g_assert_true (cs_engine_start_finish (engine, result, &error));
  g_assert_nonnull (cs_engine_get_setup_error (engine));

  window = window_new (settings);
  cs_window_set_engine (window, engine);
  g_assert_cmpstr (main_page (window), ==, "setup");
  /* The welcome page leads to the set-up: no banner repeats it, and the
   * views' switcher, which would lead nowhere, is off. */
  g_assert_cmpstr (cs_window_get_banner_text (window), ==, "");
  g_assert_false (gtk_widget_get_sensitive (ui_test_find_by_type (GTK_WIDGET (window),
                                                                  ADW_TYPE_VIEW_SWITCHER_TITLE)));
  /* Nothing to verify with: "Verify now" is off, and pressing it does
   * nothing. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.verify", NULL);
  g_assert_null (cs_engine_get_verifier (engine));

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&engine);
  ui_test_drain ();
  for (guint i = 0; i < 3; i++)
    {
      static const char * const suffixes[] = { "", "-wal", "-shm" };
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_remove (file);
    }
  g_rmdir (dir);
}

/* A cache found damaged at start was rebuilt: the banner says so, with
 * the name of the kept file, until the person dismisses it; the views work
 * on the fresh cache meanwhile. */
static void
test_cache_rebuilt (void)
{
  g_autoptr(CsDemo) demo = cs_demo_new (40);
  g_autoptr(CsEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *garbage = g_strnfill (8192, 'x');
  GAsyncResult *pending = NULL;
  const GError *recovery;
  CsWindow *window;

  g_assert_true (cs_demo_start (demo, &error));
  g_assert_no_error (error);
  g_file_set_contents (cs_demo_get_store_path (demo), garbage, -1, &error);
  g_assert_no_error (error);

  engine = cs_demo_new_engine (demo);
  cs_engine_start_async (engine, NULL, ui_test_async_cb, &pending);
  result = ui_test_wait_result (&pending);
  g_assert_true (cs_engine_start_finish (engine, result, &error));
  recovery = cs_engine_get_store_recovery (engine);
  g_assert_nonnull (recovery);

  window = window_new (NULL);
  cs_window_set_engine (window, engine);
  g_assert_cmpstr (main_page (window), ==, "main");
  g_assert_cmpstr (cs_window_get_banner_text (window), ==, recovery->message);
  g_assert_nonnull (strstr (cs_window_get_banner_text (window), ".damaged-"));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.dismiss-recovery", NULL);
  g_assert_cmpstr (cs_window_get_banner_text (window), ==, "");

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&engine);
  ui_test_drain ();
}

static gboolean
verifier_idle (gpointer user_data)
{
  return !cs_verifier_get_running (CS_VERIFIER (user_data));
}

static void
changed_cb (gpointer user_data)
{
  (*(guint *) user_data)++;
}

/* "Verify now" runs a check against the simulator, the window follows it
 * and every view hears of its end. */
static void
test_verify_now (void)
{
  UiTestFixture fixture = { 0 };
  CsWindow *window;
  CsVerifier *verifier;
  guint changes = 0;
  g_autoptr(CsRunRecord) before = NULL;
  g_autoptr(CsRunRecord) after = NULL;

  ui_test_fixture_setup (&fixture, 60, FALSE);
  verifier = cs_engine_get_verifier (fixture.engine);
  window = window_new (NULL);
  cs_window_set_engine (window, fixture.engine);
  g_signal_connect_swapped (fixture.engine, "changed", G_CALLBACK (changed_cb), &changes);

  before = cs_store_get_last_run (cs_engine_get_store (fixture.engine), NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.verify", NULL));
  g_assert_true (cs_verifier_get_running (verifier));
  ui_test_wait_until (verifier_idle, verifier, "the check to end");
  ui_test_drain ();

  after = cs_store_get_last_run (cs_engine_get_store (fixture.engine), NULL);
  g_assert_null (before);
  g_assert_nonnull (after);
  g_assert_cmpstr (after->result, ==, CS_RUN_RESULT_OK);
  g_assert_cmpuint (changes, >=, 1);
  ui_test_wait_until (model_loaded, window, "the list to load");

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_fixture_teardown (&fixture);
}

/* Pressing it again while our check runs cancels it: nothing changes. */
static void
test_verify_cancel (void)
{
  UiTestFixture fixture = { 0 };
  CsWindow *window;
  CsVerifier *verifier;
  g_autoptr(CsRunRecord) last = NULL;
  CsSimFaults faults;

  ui_test_fixture_setup (&fixture, 60, FALSE);
  /* Slow answers, so the check is still running at the second press. */
  cs_sim_faults_init (&faults);
  faults.latency_ms = 200;
  cs_sim_server_set_faults (cs_demo_get_server (fixture.demo), CS_SIM_SERVICE_CALCOM, &faults);

  verifier = cs_engine_get_verifier (fixture.engine);
  window = window_new (NULL);
  cs_window_set_engine (window, fixture.engine);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.verify", NULL));
  g_assert_true (cs_verifier_get_running (verifier));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.verify", NULL));
  ui_test_wait_until (verifier_idle, verifier, "the check to stop");
  ui_test_drain ();

  last = cs_store_get_last_run (cs_engine_get_store (fixture.engine), NULL);
  if (last != NULL)
    g_assert_cmpstr (last->result, ==, CS_RUN_RESULT_CANCELLED);
  g_assert_cmpuint (cs_appointment_model_get_n_loaded (cs_window_get_model (window)), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_fixture_teardown (&fixture);
}

static gboolean
banner_mentions_calcom (gpointer user_data)
{
  return strstr (cs_window_get_banner_text (CS_WINDOW (user_data)), "Cal.com is not answering") != NULL;
}

/* Cal.com down: after the failures that open the circuit, the banner says
 * so and when Calsync tries again. */
static void
test_banner_circuit_open (void)
{
  UiTestFixture fixture = { 0 };
  CsWindow *window;
  CsSimFaults faults;
  CsCircuitBreaker *breaker;

  ui_test_fixture_setup (&fixture, 30, FALSE);
  window = window_new (NULL);
  cs_window_set_engine (window, fixture.engine);

  cs_sim_faults_init (&faults);
  faults.force_status = 503;
  cs_sim_server_set_faults (cs_demo_get_server (fixture.demo), CS_SIM_SERVICE_CALCOM, &faults);
  breaker = cs_http_client_get_circuit_breaker (cs_calcom_client_get_http (cs_engine_get_calcom (fixture.engine)));

  for (guint i = 0; i < 10 && cs_circuit_breaker_get_state (breaker) == CS_CIRCUIT_CLOSED; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(CsVerifyReport) report = NULL;
      g_autoptr(GError) error = NULL;
      GAsyncResult *pending = NULL;

      cs_engine_verify_async (fixture.engine, CS_VERIFICATION_COMPREHENSIVE, FALSE, NULL,
                              ui_test_async_cb, &pending);
      result = ui_test_wait_result (&pending);
      report = cs_engine_verify_finish (fixture.engine, result, &error);
      g_assert_null (report);
      g_assert_nonnull (error);
    }

  g_assert_cmpint (cs_circuit_breaker_get_state (breaker), !=, CS_CIRCUIT_CLOSED);
  ui_test_wait_until (banner_mentions_calcom, window, "the circuit banner");

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_fixture_teardown (&fixture);
}

static gboolean
banner_shown (gpointer user_data)
{
  return *cs_window_get_banner_text (CS_WINDOW (user_data)) != '\0';
}

static gboolean
banner_gone (gpointer user_data)
{
  return *cs_window_get_banner_text (CS_WINDOW (user_data)) == '\0';
}

static gboolean
last_run_ok (gpointer user_data)
{
  UiTestFixture *fixture = user_data;
  g_autoptr(CsRunRecord) last = cs_store_get_last_run (cs_engine_get_store (fixture->engine), NULL);

  return last != NULL && g_strcmp0 (last->result, CS_RUN_RESULT_OK) == 0 &&
         !cs_verifier_get_running (cs_engine_get_verifier (fixture->engine));
}

/* Empties Cal.com and checks: the orphan guard holds the run back. */
static void
make_suspect (UiTestFixture *fixture)
{
  CsSimDataset *dataset = cs_sim_server_get_dataset (cs_demo_get_server (fixture->demo));
  GPtrArray *bookings = cs_sim_dataset_get_bookings (dataset);
  g_autoptr(GPtrArray) uids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CsRunRecord) suspect = NULL;

  for (guint i = 0; i < bookings->len; i++)
    g_ptr_array_add (uids, g_strdup (((CsSimBooking *) g_ptr_array_index (bookings, i))->booking->uid));
  for (guint i = 0; i < uids->len; i++)
    cs_sim_dataset_remove_booking (dataset, g_ptr_array_index (uids, i));

  ui_test_verify (fixture);
  suspect = cs_engine_dup_suspect_run (fixture->engine);
  g_assert_nonnull (suspect);
}

/* A check held back as suspect is answered in the banner: Discard puts it
 * aside (the cache is as before); Apply Anyway checks again without the
 * guard and applies what it finds. */
static void
test_banner_suspect (void)
{
  UiTestFixture fixture = { 0 };
  CsWindow *window;
  GtkWidget *apply, *discard;
  CsStoreCounts before = { { 0 } }, after = { { 0 } };
  CsStore *store;

  ui_test_fixture_setup (&fixture, 120, FALSE);
  ui_test_verify (&fixture);
  store = cs_engine_get_store (fixture.engine);
  g_assert_true (cs_store_get_counts (store, &before, NULL));
  window = window_new (NULL);
  cs_window_set_engine (window, fixture.engine);

  make_suspect (&fixture);
  ui_test_wait_until (banner_shown, window, "the suspect banner");
  apply = ui_test_find_by_name (GTK_WIDGET (window), "banner-button");
  discard = ui_test_find_by_name (GTK_WIDGET (window), "banner-secondary-button");
  g_assert_true (gtk_widget_get_visible (apply));
  g_assert_true (gtk_widget_get_visible (discard));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (apply)), ==, "win.accept-suspect");
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (discard)), ==, "win.discard-suspect");

  /* Discard: the banner goes, nothing changed. */
  g_signal_emit_by_name (discard, "clicked");
  ui_test_wait_until (banner_gone, window, "the banner to go");
  g_assert_null (cs_engine_dup_suspect_run (fixture.engine));
  g_assert_true (cs_store_get_counts (store, &after, NULL));
  g_assert_cmpuint (after.by_status[CS_SYNC_STATUS_ORPHANED_LOCAL], ==,
                    before.by_status[CS_SYNC_STATUS_ORPHANED_LOCAL]);

  /* Held back again; this time a person says it is right. */
  make_suspect (&fixture);
  ui_test_wait_until (banner_shown, window, "the suspect banner again");
  g_signal_emit_by_name (apply, "clicked");
  ui_test_wait_until (last_run_ok, &fixture, "the applied check");
  ui_test_wait_until (banner_gone, window, "the banner to go after applying");
  g_assert_true (cs_store_get_counts (store, &after, NULL));
  g_assert_cmpuint (after.by_status[CS_SYNC_STATUS_ORPHANED_LOCAL], >,
                    before.by_status[CS_SYNC_STATUS_ORPHANED_LOCAL]);

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_fixture_teardown (&fixture);
}

/* A first start (nothing saved: -1) opens at the template's size, which
 * fits the welcome page, not at the window's natural size. */
static void
test_first_size (void)
{
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
  g_autoptr(GSettings) settings = g_settings_new_with_backend (APPLICATION_ID, backend);
  CsWindow *window;
  int width, height;

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, -1);
  window = window_new (settings);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 1100);
  g_assert_cmpint (height, ==, 720);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The view and the size come back from the settings, and a switch is
 * written to them. */
static void
test_remembers_view (void)
{
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
  g_autoptr(GSettings) settings = g_settings_new_with_backend (APPLICATION_ID, backend);
  g_autofree char *view = NULL;
  CsWindow *window;
  AdwViewStack *stack;
  int width, height;

  g_settings_set_string (settings, "last-view", "appointments");
  g_settings_set_int (settings, "window-width", 900);
  g_settings_set_int (settings, "window-height", 640);

  window = window_new (settings);
  stack = ADW_VIEW_STACK (ui_test_find_by_type (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "appointments");
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 900);
  g_assert_cmpint (height, ==, 640);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", "metrics"));
  view = g_settings_get_string (settings, "last-view");
  g_assert_cmpstr (view, ==, "metrics");

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_close (GTK_WINDOW (window));
  ui_test_drain ();
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1000);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 700);
}

static gboolean
has_label_with_prefix (GtkWidget  *widget,
                       const char *prefix)
{
  if (GTK_IS_LABEL (widget) && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (widget)), prefix))
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_label_with_prefix (child, prefix))
      return TRUE;

  return FALSE;
}

static gboolean
read_failure_shown (gpointer user_data)
{
  return has_label_with_prefix (GTK_WIDGET (user_data), "The appointment list could not be read: ");
}

/* The cache cannot be read any more while the window is open: the views
 * keep what they show and a toast says what happened. */
static void
test_reload_failure (void)
{
  UiTestFixture fixture = { 0 };
  CsWindow *window;

  ui_test_fixture_setup (&fixture, 30, FALSE);
  ui_test_verify (&fixture);
  window = window_new (NULL);
  cs_window_set_engine (window, fixture.engine);
  ui_test_wait_until (model_loaded, window, "the list to load");

  /* The list reads through its own connection: it finds no file now. */
  g_assert_cmpint (g_unlink (cs_demo_get_store_path (fixture.demo)), ==, 0);
  cs_engine_notify_changed (fixture.engine);
  ui_test_wait_until (read_failure_shown, window, "the toast");
  g_assert_cmpuint (cs_appointment_model_get_n_loaded (cs_window_get_model (window)), >, 0);

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_fixture_teardown (&fixture);
}

/* A cache that cannot be opened: a page that says so and what to do, not
 * empty views. */
static void
test_failure_page (void)
{
  CsWindow *window = window_new (NULL);
  const char *message = "The local cache could not be opened: the disk is full.";

  cs_window_show_failure (window, message);
  g_assert_cmpstr (main_page (window), ==, "failed");
  g_assert_cmpstr (adw_status_page_get_description (ADW_STATUS_PAGE (ui_test_find_by_type (GTK_WIDGET (window),
                                                                                           ADW_TYPE_STATUS_PAGE))),
                   ==, message);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* One review dialog per problem: asking again raises the open one. */
static void
test_review_once (void)
{
  UiTestFixture fixture = { 0 };
  CsWindow *window;
  GtkWindow *first, *second, *other;

  ui_test_fixture_setup (&fixture, 30, FALSE);
  window = window_new (NULL);
  cs_window_set_engine (window, fixture.engine);

  first = cs_window_review (window, 1001, NULL);
  second = cs_window_review (window, 1001, NULL);
  other = cs_window_review (window, 1002, NULL);
  g_assert_true (CS_IS_REVIEW_DIALOG (first));
  g_assert_true (first == second);
  g_assert_true (first != other);
  g_assert_true (gtk_window_get_transient_for (first) == GTK_WINDOW (window));
  g_assert_null (cs_window_review (window, 0, NULL));

  gtk_window_destroy (other);
  gtk_window_destroy (first);
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_fixture_teardown (&fixture);
}

/* The shortcuts window (Ctrl+?) builds from its resource and names every
 * shortcut of the window. */
static void
test_help_overlay (void)
{
  g_autoptr(GtkBuilder) builder = gtk_builder_new ();
  g_autoptr(GError) error = NULL;
  GObject *overlay;

  g_assert_true (gtk_builder_add_from_resource (builder, "/io/github/calsync/Calsync/gtk/help-overlay.ui", &error));
  g_assert_no_error (error);
  overlay = gtk_builder_get_object (builder, "help_overlay");
  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (overlay));
  gtk_window_destroy (GTK_WINDOW (overlay));
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  ui_test_init (&argc, &argv);

  g_test_add_func ("/window/builds", test_builds);
  g_test_add_func ("/window/shows-cache", test_shows_cache);
  g_test_add_func ("/window/idle-draws-nothing", test_idle_draws_nothing);
  g_test_add_func ("/window/not-set-up", test_not_set_up);
  g_test_add_func ("/window/cache-rebuilt", test_cache_rebuilt);
  g_test_add_func ("/window/verify-now", test_verify_now);
  g_test_add_func ("/window/verify-cancel", test_verify_cancel);
  g_test_add_func ("/window/banner-circuit-open", test_banner_circuit_open);
  g_test_add_func ("/window/banner-suspect", test_banner_suspect);
  g_test_add_func ("/window/remembers-view", test_remembers_view);
  g_test_add_func ("/window/first-size", test_first_size);
  g_test_add_func ("/window/review-once", test_review_once);
  g_test_add_func ("/window/failure-page", test_failure_page);
  g_test_add_func ("/window/reload-failure", test_reload_failure);
  g_test_add_func ("/window/help-overlay", test_help_overlay);

  return g_test_run ();
}
