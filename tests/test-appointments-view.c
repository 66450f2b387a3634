/* test-appointments-view.c
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

#include "cs-appointments-view.h"
#include "cs-ui-util.h"
#include "ui-test-util.h"

#define PROBLEMS (CS_APPOINTMENT_FILTER_NEEDS_REVIEW | \
                  CS_APPOINTMENT_FILTER_STATUS (CS_SYNC_STATUS_FAILED) | \
                  CS_APPOINTMENT_FILTER_STATUS (CS_SYNC_STATUS_ORPHANED_LOCAL))

typedef struct
{
  UiTestFixture       ui;
  GtkWindow          *window;
  CsAppointmentsView *view;
  CsAppointmentModel *model;
  guint               changes;
} Fixture;

/* Helpers */

static gboolean
model_reloaded (gpointer user_data)
{
  Fixture *f = user_data;

  return f->changes > 0;
}

static void
reloaded_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_appointment_model_reload_finish (CS_APPOINTMENT_MODEL (object), result, &error));
  g_assert_no_error (error);
  f->changes++;
}

/* What CsWindow does with the shared model: reload it on every change. */
static void
changed_cb (Fixture *f)
{
  cs_appointment_model_reload_async (f->model, NULL, reloaded_cb, f);
}

/* The view in a window with a toast overlay, as CsWindow holds it, on the
 * simulator's engine, after one check if @verify, with the list loaded. */
static void
fixture_setup (Fixture  *f,
               gboolean  verify)
{
  GtkWidget *overlay;
  CsTime start, end;

  ui_test_fixture_setup (&f->ui, 120, FALSE);
  if (verify)
    ui_test_verify (&f->ui);

  f->model = cs_appointment_model_new (cs_engine_get_store (f->ui.engine), f->ui.clock);
  cs_engine_get_window (f->ui.engine, &start, &end);
  cs_appointment_model_set_window (f->model, start, end);

  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 1200, 800);
  overlay = adw_toast_overlay_new ();
  f->view = g_object_new (CS_TYPE_APPOINTMENTS_VIEW, NULL);
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), GTK_WIDGET (f->view));
  gtk_window_set_child (f->window, overlay);
  cs_appointments_view_set_model (f->view, f->model);
  cs_appointments_view_set_engine (f->view, f->ui.engine);
  gtk_window_present (f->window);

  g_signal_connect_swapped (f->ui.engine, "changed", G_CALLBACK (changed_cb), f);
  changed_cb (f);
  ui_test_wait_until (model_reloaded, f, "the list to load");
  f->changes = 0;
}

static void
fixture_teardown (Fixture *f)
{
  g_signal_handlers_disconnect_by_data (f->ui.engine, f);
  gtk_window_destroy (f->window);
  ui_test_drain ();
  g_assert_finalize_object (f->model);
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

static GtkToggleButton *
chip (Fixture    *f,
      const char *label)
{
  GtkWidget *button = ui_test_find_button (find (f, "filter-chips"), label);

  g_assert_true (GTK_IS_TOGGLE_BUTTON (button));
  return GTK_TOGGLE_BUTTON (button);
}

static guint
n_items (Fixture *f)
{
  return g_list_model_get_n_items (G_LIST_MODEL (f->model));
}

static CsAppointmentRow *
item (Fixture *f,
      guint    position)
{
  CsAppointmentRow *row = g_list_model_get_item (G_LIST_MODEL (f->model), position);

  g_assert_nonnull (row);
  g_object_unref (row);
  return row;
}

static const char *
content_page (Fixture *f)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (find (f, "content-stack")));
}

static const char *
status_title (Fixture *f)
{
  return adw_status_page_get_title (ADW_STATUS_PAGE (find (f, "status-page")));
}

typedef struct
{
  Fixture *f;
  guint    changes;
} ChangeWait;

static gboolean
reloaded_after_change (gpointer user_data)
{
  ChangeWait *wait = user_data;

  /* A change was heard and the window's reload of it is done. */
  return wait->f->changes > wait->changes;
}

static gboolean
search_applied (gpointer user_data)
{
  Fixture *f = user_data;

  return g_strcmp0 (cs_appointment_model_get_search_text (f->model),
                    gtk_editable_get_text (GTK_EDITABLE (find (f, "search-entry")))) == 0;
}

static GtkColumnViewColumn *
column (Fixture    *f,
        const char *id)
{
  GListModel *columns = gtk_column_view_get_columns (GTK_COLUMN_VIEW (find (f, "column-view")));

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) col = g_list_model_get_item (columns, i);

      if (g_strcmp0 (g_object_get_data (G_OBJECT (col), "cs-column-id"), id) == 0)
        return col;
    }

  g_assert_not_reached ();
}

/* Tests */

/* The chips set the model's status filter and the list shows only those
 * rows; "All" shows everything again. */
static void
test_chips (void)
{
  Fixture f = { 0 };
  CsStoreCounts counts;

  fixture_setup (&f, TRUE);
  cs_appointment_model_get_counts (f.model, &counts);
  g_assert_cmpuint (counts.by_status[CS_SYNC_STATUS_FAILED], >, 0);
  g_assert_true (gtk_toggle_button_get_active (chip (&f, "All")));

  gtk_toggle_button_set_active (chip (&f, "Failed"), TRUE);
  g_assert_false (gtk_toggle_button_get_active (chip (&f, "All")));
  g_assert_cmpuint (cs_appointment_model_get_status_filter (f.model), ==,
                    CS_APPOINTMENT_FILTER_STATUS (CS_SYNC_STATUS_FAILED));
  g_assert_cmpuint (n_items (&f), ==, counts.by_status[CS_SYNC_STATUS_FAILED]);
  for (guint i = 0; i < n_items (&f); i++)
    g_assert_cmpint (cs_appointment_row_get_status (item (&f, i)), ==, CS_SYNC_STATUS_FAILED);

  /* A second chip widens the filter. */
  gtk_toggle_button_set_active (chip (&f, "Not in Cal.com"), TRUE);
  g_assert_cmpuint (n_items (&f), ==, counts.by_status[CS_SYNC_STATUS_FAILED] +
                                      counts.by_status[CS_SYNC_STATUS_ORPHANED_LOCAL]);

  gtk_toggle_button_set_active (chip (&f, "All"), TRUE);
  g_assert_false (gtk_toggle_button_get_active (chip (&f, "Failed")));
  g_assert_cmpuint (cs_appointment_model_get_status_filter (f.model), ==, CS_APPOINTMENT_FILTER_ALL);
  g_assert_cmpuint (n_items (&f), ==, counts.total);
  g_assert_cmpstr (content_page (&f), ==, "list");

  fixture_teardown (&f);
}

/* The dashboard's cards set the filter from outside: the chips follow. */
static void
test_set_status_filter (void)
{
  Fixture f = { 0 };
  CsStoreCounts counts;

  fixture_setup (&f, TRUE);
  cs_appointment_model_get_counts (f.model, &counts);

  cs_appointments_view_set_status_filter (f.view, CS_APPOINTMENT_FILTER_NEEDS_REVIEW);
  g_assert_true (gtk_toggle_button_get_active (chip (&f, "Needs review")));
  g_assert_false (gtk_toggle_button_get_active (chip (&f, "All")));
  g_assert_false (gtk_toggle_button_get_active (chip (&f, "Failed")));
  g_assert_cmpuint (cs_appointment_model_get_status_filter (f.model), ==,
                    CS_APPOINTMENT_FILTER_NEEDS_REVIEW);
  g_assert_cmpuint (n_items (&f), ==, counts.needs_review);

  cs_appointments_view_set_status_filter (f.view, CS_APPOINTMENT_FILTER_ALL);
  g_assert_true (gtk_toggle_button_get_active (chip (&f, "All")));
  g_assert_false (gtk_toggle_button_get_active (chip (&f, "Needs review")));

  fixture_teardown (&f);
}

/* The search entry searches the model; Escape clears it. */
static void
test_search (void)
{
  Fixture f = { 0 };
  GtkWidget *entry;
  g_autofree char *needle = NULL;
  CsAppointmentRow *row;

  fixture_setup (&f, TRUE);
  cs_appointments_view_focus_search (f.view);
  entry = find (&f, "search-entry");

  /* Search by an appointment's id. */
  cs_appointment_model_set_sort (f.model, CS_APPOINTMENT_SORT_ID);
  row = item (&f, 0);
  needle = g_strdup_printf ("%" G_GINT64_FORMAT, cs_appointment_row_get_id (row));
  /* A row chosen before the search is not selected after it: another
   * row may be at its position now. */
  gtk_selection_model_select_item (gtk_column_view_get_model (GTK_COLUMN_VIEW (find (&f, "column-view"))),
                                   3, TRUE);
  gtk_editable_set_text (GTK_EDITABLE (entry), needle);
  ui_test_wait_until (search_applied, &f, "the search to apply");
  g_assert_cmpuint (n_items (&f), >=, 1);
  {
    g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (
      gtk_column_view_get_model (GTK_COLUMN_VIEW (find (&f, "column-view"))));

    g_assert_true (gtk_bitset_is_empty (selected));
  }
  /* The widgets on screen show the rows found, not the rows that were at
   * their places before. */
  ui_test_drain ();
  g_assert_nonnull (ui_test_find_label (find (&f, "column-view"),
                                        cs_appointment_row_get_number (item (&f, 0))));
  for (guint i = 0; i < n_items (&f); i++)
    {
      CsAppointmentRow *match = item (&f, i);
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT,
                                             cs_appointment_row_get_id (match));

      g_assert_true (strstr (id, needle) != NULL ||
                     strstr (cs_appointment_row_get_number (match), needle) != NULL);
    }

  g_signal_emit_by_name (entry, "stop-search");
  ui_test_wait_until (search_applied, &f, "the search to clear");
  g_assert_cmpuint (n_items (&f), ==, cs_appointment_model_get_n_loaded (f.model));

  fixture_teardown (&f);
}

typedef struct
{
  const char *prefix;
  const char *found;
} LabelSearch;

static void
find_label_with_prefix (GtkWidget   *widget,
                        LabelSearch *search)
{
  if (search->found != NULL)
    return;
  if (GTK_IS_LABEL (widget) && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (widget)), search->prefix))
    {
      search->found = gtk_label_get_text (GTK_LABEL (widget));
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    find_label_with_prefix (child, search);
}

/* An upcoming problem says how soon it is ("Nov 27, 14:30  in 2 days"),
 * a row in order or long past does not. */
static void
test_says_how_soon (void)
{
  Fixture f = { 0 };
  CsAppointmentRow *first;
  g_autofree char *date = NULL;
  LabelSearch search = { NULL, NULL };
  CsTime now = g_get_real_time ();

  fixture_setup (&f, TRUE);
  /* Urgency order: the nearest problem first. */
  first = item (&f, 0);
  g_assert_cmpint (cs_appointment_row_get_status (first), !=, CS_SYNC_STATUS_SYNCED);
  g_assert_cmpint (cs_appointment_row_get_starts_at (first), >, now);
  g_assert_cmpint (cs_appointment_row_get_starts_at (first), <, now + 7 * CS_USEC_PER_DAY);

  date = cs_ui_format_date_time (cs_appointment_row_get_starts_at (first));
  search.prefix = date;
  ui_test_drain ();
  find_label_with_prefix (find (&f, "column-view"), &search);
  g_assert_nonnull (search.found);
  g_assert_nonnull (strstr (search.found, "  in "));

  fixture_teardown (&f);
}

/* A column's header sorts the model by that column, both ways; no sorted
 * column is the urgency order. */
static void
test_sort (void)
{
  Fixture f = { 0 };
  GtkColumnView *view;

  fixture_setup (&f, TRUE);
  view = GTK_COLUMN_VIEW (find (&f, "column-view"));
  g_assert_cmpint (cs_appointment_model_get_sort (f.model), ==, CS_APPOINTMENT_SORT_URGENCY);

  gtk_column_view_sort_by_column (view, column (&f, "customer"), GTK_SORT_ASCENDING);
  g_assert_cmpint (cs_appointment_model_get_sort (f.model), ==, CS_APPOINTMENT_SORT_CUSTOMER);
  g_assert_false (cs_appointment_model_get_sort_descending (f.model));

  gtk_column_view_sort_by_column (view, column (&f, "attempts"), GTK_SORT_DESCENDING);
  g_assert_cmpint (cs_appointment_model_get_sort (f.model), ==, CS_APPOINTMENT_SORT_ATTEMPTS);
  g_assert_true (cs_appointment_model_get_sort_descending (f.model));
  for (guint i = 1; i < n_items (&f); i++)
    g_assert_cmpuint (cs_appointment_row_get_attempts (item (&f, i - 1)), >=,
                      cs_appointment_row_get_attempts (item (&f, i)));

  gtk_column_view_sort_by_column (view, column (&f, "starts-at"), GTK_SORT_ASCENDING);
  g_assert_cmpint (cs_appointment_model_get_sort (f.model), ==, CS_APPOINTMENT_SORT_STARTS_AT);
  for (guint i = 1; i < n_items (&f); i++)
    g_assert_cmpint (cs_appointment_row_get_starts_at (item (&f, i - 1)), <=,
                     cs_appointment_row_get_starts_at (item (&f, i)));

  gtk_column_view_sort_by_column (view, NULL, GTK_SORT_ASCENDING);
  g_assert_cmpint (cs_appointment_model_get_sort (f.model), ==, CS_APPOINTMENT_SORT_URGENCY);
  g_assert_false (cs_appointment_model_get_sort_descending (f.model));

  fixture_teardown (&f);
}

static gboolean
row_buttons_shown (gpointer user_data)
{
  Fixture *f = user_data;
  GtkWidget *button = ui_test_find_by_name (GTK_WIDGET (f->view), "row-retry");

  return button != NULL && gtk_widget_get_mapped (button);
}

static void
review_requested_cb (CsAppointmentsView *view,
                     gint64              appointment_id,
                     const char         *booking_uid,
                     gint64             *out_id)
{
  *out_id = appointment_id;
}

typedef struct
{
  CsStore       *store;
  CsAppointment *before;
} AttemptWait;

static gboolean
attempted (gpointer user_data)
{
  AttemptWait *wait = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsAppointment) after = cs_store_get_appointment (wait->store, wait->before->id, &error);

  g_assert_no_error (error);
  return after->sync.last_sync_attempt_at != wait->before->sync.last_sync_attempt_at ||
         after->sync.sync_attempt_count != wait->before->sync.sync_attempt_count ||
         after->sync.status != wait->before->sync.status;
}

static gboolean
retry_idle (gpointer user_data)
{
  Fixture *f = user_data;
  GtkWidget *button = ui_test_find_by_name (GTK_WIDGET (f->view), "row-retry");

  return button == NULL || gtk_widget_get_sensitive (button);
}

static gboolean
problem_still_there_shown (gpointer user_data)
{
  Fixture *f = user_data;
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (f->view), ADW_TYPE_TOAST_OVERLAY);

  return ui_test_find_label (overlay, "Verified again: the problem is still there.") != NULL &&
         ui_test_find_label (overlay, "Retried") == NULL;
}

/* A row's Retry runs the action against the simulator and the list
 * follows; its Details asks for the review of that row. */
static void
test_row_retry (void)
{
  Fixture f = { 0 };
  g_autoptr(CsAppointment) before = NULL;
  g_autoptr(GError) error = NULL;
  AttemptWait attempt;
  CsStore *store;
  GtkWidget *retry;
  ChangeWait wait;
  gint64 id;
  gint64 requested = -1;

  fixture_setup (&f, TRUE);
  store = cs_engine_get_store (f.ui.engine);
  /* One failed appointment, so the first row's buttons are its. */
  cs_appointments_view_set_status_filter (f.view, CS_APPOINTMENT_FILTER_STATUS (CS_SYNC_STATUS_FAILED));
  gtk_editable_set_text (GTK_EDITABLE (find (&f, "search-entry")), "");
  g_assert_cmpuint (n_items (&f), >, 0);
  id = cs_appointment_row_get_id (item (&f, 0));
  {
    g_autofree char *needle = g_strdup_printf ("%" G_GINT64_FORMAT, id);

    cs_appointment_model_set_search_text (f.model, needle);
  }
  g_assert_cmpuint (n_items (&f), >=, 1);
  g_assert_cmpint (cs_appointment_row_get_id (item (&f, 0)), ==, id);

  ui_test_wait_until (row_buttons_shown, &f, "the rows to show");

  g_signal_connect (f.view, "review-requested", G_CALLBACK (review_requested_cb), &requested);
  g_signal_emit_by_name (ui_test_find_by_name (GTK_WIDGET (f.view), "row-details"), "clicked");
  g_assert_cmpint (requested, ==, id);
  g_signal_handlers_disconnect_by_func (f.view, review_requested_cb, &requested);

  before = cs_store_get_appointment (store, id, &error);
  g_assert_no_error (error);
  retry = ui_test_find_by_name (GTK_WIDGET (f.view), "row-retry");
  wait.f = &f;
  wait.changes = f.changes;
  g_signal_emit_by_name (retry, "clicked");
  /* The spinner shows while it runs. */
  g_assert_false (gtk_widget_get_sensitive (retry));
  attempt.store = store;
  attempt.before = before;
  ui_test_wait_until (attempted, &attempt, "the retry to reach the store");
  ui_test_wait_until (reloaded_after_change, &wait, "the list to follow");
  ui_test_wait_until (retry_idle, &f, "the spinner to stop");
  /* The toast says what the check found: the row still fails. */
  ui_test_wait_until (problem_still_there_shown, &f, "the retry's finding");

  fixture_teardown (&f);
}

typedef struct
{
  CsStore *store;
  GArray  *ids;
} ResolvedWait;

static gboolean
all_resolved (gpointer user_data)
{
  ResolvedWait *wait = user_data;

  for (guint i = 0; i < wait->ids->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CsAppointment) a = cs_store_get_appointment (wait->store,
                                                             g_array_index (wait->ids, gint64, i),
                                                             &error);

      g_assert_no_error (error);
      if (a->resolved_at == CS_TIME_UNSET)
        return FALSE;
    }

  return TRUE;
}

static gboolean
bulk_idle (gpointer user_data)
{
  return gtk_widget_get_sensitive (user_data);
}

/* A selection reveals the action bar; bulk "Mark as resolved" resolves
 * each selected appointment. */
static void
test_bulk_resolve (void)
{
  Fixture f = { 0 };
  CsStore *store;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GtkSelectionModel *selection;
  GtkWidget *bar;
  ResolvedWait resolved;
  guint n;

  fixture_setup (&f, TRUE);
  store = cs_engine_get_store (f.ui.engine);
  cs_appointments_view_set_status_filter (f.view, CS_APPOINTMENT_FILTER_STATUS (CS_SYNC_STATUS_FAILED));
  n = MIN (n_items (&f), 3);
  g_assert_cmpuint (n, >, 0);

  bar = find (&f, "action-bar");
  g_assert_false (gtk_action_bar_get_revealed (GTK_ACTION_BAR (bar)));
  selection = gtk_column_view_get_model (GTK_COLUMN_VIEW (find (&f, "column-view")));
  gtk_selection_model_select_range (selection, 0, n, TRUE);
  g_assert_true (gtk_action_bar_get_revealed (GTK_ACTION_BAR (bar)));
  for (guint i = 0; i < n; i++)
    {
      gint64 id = cs_appointment_row_get_id (item (&f, i));

      g_array_append_val (ids, id);
    }

  resolved.store = store;
  resolved.ids = ids;
  g_assert_false (all_resolved (&resolved));
  g_signal_emit_by_name (find (&f, "bulk-resolve"), "clicked");
  /* Both bulk buttons wait while it runs. */
  g_assert_false (gtk_widget_get_sensitive (find (&f, "bulk-retry")));
  ui_test_wait_until (all_resolved, &resolved, "the rows to be resolved");
  ui_test_wait_until (bulk_idle, find (&f, "bulk-retry"), "the bulk action to finish");

  fixture_teardown (&f);
}

static gboolean
model_has_rows (gpointer user_data)
{
  return n_items (user_data) > 0;
}

/* Before any check the cache is empty; a run fills the list. Empty
 * states: no appointments, everything synced (a problem filter with no
 * rows), no match (with "Clear filters"). */
static void
test_empty_states_and_update (void)
{
  Fixture f = { 0 };
  GtkWidget *button;

  fixture_setup (&f, FALSE);
  ui_test_drain ();
  g_assert_cmpuint (n_items (&f), ==, 0);
  g_assert_cmpstr (content_page (&f), ==, "empty");
  g_assert_cmpstr (status_title (&f), ==, "No Appointments");

  cs_appointments_view_set_status_filter (f.view, PROBLEMS);
  g_assert_cmpstr (status_title (&f), ==, "Everything Is in Sync");

  /* A run fills the list: the window reloads the shared model. */
  cs_appointments_view_set_status_filter (f.view, CS_APPOINTMENT_FILTER_ALL);
  ui_test_verify (&f.ui);
  ui_test_wait_until (model_has_rows, &f, "the list to follow the run");
  g_assert_cmpstr (content_page (&f), ==, "list");

  cs_appointment_model_set_search_text (f.model, NULL);
  gtk_editable_set_text (GTK_EDITABLE (find (&f, "search-entry")), "no such customer at all");
  ui_test_wait_until (search_applied, &f, "the search to apply");
  g_assert_cmpuint (n_items (&f), ==, 0);
  g_assert_cmpstr (content_page (&f), ==, "empty");
  g_assert_cmpstr (status_title (&f), ==, "No Matching Appointments");

  button = find (&f, "status-button");
  g_assert_true (gtk_widget_get_visible (button));
  g_signal_emit_by_name (button, "clicked");
  ui_test_wait_until (search_applied, &f, "the search to clear");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find (&f, "search-entry"))), ==, "");
  g_assert_cmpuint (n_items (&f), >, 0);
  g_assert_cmpstr (content_page (&f), ==, "list");

  fixture_teardown (&f);
}

/* Not set up: the page says so and leads to the preferences. */
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
  CsAppointmentsView *view;
  GtkWidget *window;

  engine = cs_engine_new (settings, NULL, path);
  cs_engine_start_async (engine, NULL, ui_test_async_cb, &pending);
  result = ui_test_wait_result (&pending);
  g_assert_true (cs_engine_start_finish (engine, result, &error));
  g_assert_nonnull (cs_engine_get_setup_error (engine));

  window = gtk_window_new ();
  view = g_object_new (CS_TYPE_APPOINTMENTS_VIEW, NULL);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  cs_appointments_view_set_engine (view, engine);
  gtk_window_present (GTK_WINDOW (window));

  g_assert_cmpstr (gtk_stack_get_visible_child_name (
                     GTK_STACK (ui_test_find_by_name (GTK_WIDGET (view), "content-stack"))),
                   ==, "empty");
  g_assert_cmpstr (adw_status_page_get_title (
                     ADW_STATUS_PAGE (ui_test_find_by_name (GTK_WIDGET (view), "status-page"))),
                   ==, "Not Set Up Yet");
  g_assert_nonnull (ui_test_find_button (GTK_WIDGET (view), "Open _Preferences"));

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

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  g_test_add_func ("/calsync/ui/appointments-view/chips", test_chips);
  g_test_add_func ("/calsync/ui/appointments-view/set-status-filter", test_set_status_filter);
  g_test_add_func ("/calsync/ui/appointments-view/search", test_search);
  g_test_add_func ("/calsync/ui/appointments-view/says-how-soon", test_says_how_soon);
  g_test_add_func ("/calsync/ui/appointments-view/sort", test_sort);
  g_test_add_func ("/calsync/ui/appointments-view/row-retry", test_row_retry);
  g_test_add_func ("/calsync/ui/appointments-view/bulk-resolve", test_bulk_resolve);
  g_test_add_func ("/calsync/ui/appointments-view/empty-states", test_empty_states_and_update);
  g_test_add_func ("/calsync/ui/appointments-view/not-set-up", test_not_set_up);

  return g_test_run ();
}
