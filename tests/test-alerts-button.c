/* test-alerts-button.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-alerts-button.h"
#include "cs-appointment-model.h"
#include "cs-net-error.h"
#include "cs-ui-util.h"
#include "ui-test-util.h"

/* The bell: its badge follows the engine's alerts, opening it marks them
 * read, an alert's button asks to review its appointment, and a customer
 * name is shown as the text it is. */

typedef struct
{
  UiTestFixture   fixture;
  GtkWindow      *window;
  CsAlertsButton *button;
  CsAlertLog     *log;
  CsAppointment  *appointment;
} Fixture;

static gboolean
log_idle (gpointer user_data)
{
  return !cs_alert_log_get_busy (CS_ALERT_LOG (user_data));
}

static void
fixture_set_up (Fixture *f)
{
  CsStore *store;
  g_autoptr(GPtrArray) appointments = NULL;
  g_autoptr(GPtrArray) changed = NULL;
  g_autoptr(GError) error = NULL;
  CsTime start, end;

  ui_test_fixture_setup (&f->fixture, 40, FALSE);
  ui_test_verify (&f->fixture);
  f->log = cs_engine_get_alerts (f->fixture.engine);
  ui_test_wait_until (log_idle, f->log, "the stored alerts to load");
  /* The check may have flagged nothing yet: start from an empty list. */
  cs_alert_log_clear (f->log);

  /* A customer whose name looks like markup. */
  store = cs_engine_get_store (f->fixture.engine);
  cs_engine_get_window (f->fixture.engine, &start, &end);
  appointments = cs_store_list_appointments (store, start, end, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (appointments->len, >, 0);
  f->appointment = cs_appointment_copy (g_ptr_array_index (appointments, 0));
  g_free (f->appointment->customer_name);
  f->appointment->customer_name = g_strdup ("<b>Tom</b> & Klein");
  changed = g_ptr_array_new ();
  g_ptr_array_add (changed, f->appointment);
  g_assert_true (cs_store_save_appointments (store, changed, &error));
  g_assert_no_error (error);

  f->button = g_object_new (CS_TYPE_ALERTS_BUTTON, NULL);
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 480, 120);
  gtk_window_set_child (f->window, GTK_WIDGET (f->button));
  gtk_widget_set_halign (GTK_WIDGET (f->button), GTK_ALIGN_END);
  gtk_widget_set_valign (GTK_WIDGET (f->button), GTK_ALIGN_START);
  cs_alerts_button_set_engine (f->button, f->fixture.engine);
  gtk_window_present (f->window);
}

static void
fixture_tear_down (Fixture *f)
{
  gtk_window_destroy (f->window);
  ui_test_wait_until (log_idle, f->log, "the alerts to be stored");
  g_clear_pointer (&f->appointment, cs_appointment_free);
  ui_test_fixture_teardown (&f->fixture);
}

static GtkWidget *
badge (Fixture *f)
{
  GtkWidget *label = ui_test_find_by_type (GTK_WIDGET (f->button), GTK_TYPE_OVERLAY);

  /* The overlay's second child is the badge. */
  label = gtk_widget_get_last_child (label);
  g_assert_true (GTK_IS_LABEL (label));
  g_assert_true (gtk_widget_has_css_class (label, "cs-badge"));
  return label;
}

static GtkMenuButton *
menu_button (Fixture *f)
{
  return GTK_MENU_BUTTON (ui_test_find_by_type (GTK_WIDGET (f->button), GTK_TYPE_MENU_BUTTON));
}

static GtkWidget *
popover (Fixture *f)
{
  return GTK_WIDGET (gtk_menu_button_get_popover (menu_button (f)));
}

static void
add_alerts (Fixture *f)
{
  CsTime now = cs_clock_get_now (cs_alert_log_get_clock (f->log));
  g_autoptr(CsAlert) restored = cs_alert_new_restored (now - 26 * CS_USEC_PER_HOUR,
                                                       CS_NOTIFIER_SERVICE_CALCOM);
  g_autoptr(CsAlert) flagged = NULL;
  GError timeout = { CS_NET_ERROR, CS_NET_ERROR_TIMEOUT, (char *) "a server's words" };

  cs_alert_log_add (f->log, restored);
  cs_alert_log_add_run_failed (f->log, &timeout);
  flagged = cs_alert_new_flagged (now, f->appointment->id, "1236", NULL,
                                  CS_ERROR_CODE_ORPHANED_LOCAL, 1);
  cs_alert_log_add (f->log, flagged);
}

typedef struct
{
  GtkWidget  *root;
  const char *prefix;
  GtkWidget  *found;
} LabelSearch;

static GtkWidget *
find_label_prefix (GtkWidget  *root,
                   const char *prefix)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_visible (root) &&
      g_str_has_prefix (gtk_label_get_text (GTK_LABEL (root)), prefix))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label_prefix (child, prefix);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
label_shown (gpointer user_data)
{
  LabelSearch *search = user_data;

  search->found = find_label_prefix (search->root, search->prefix);
  return search->found != NULL;
}

static gboolean
popover_mapped (gpointer user_data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (user_data));
}

static gboolean
popover_unmapped (gpointer user_data)
{
  return !gtk_widget_get_visible (GTK_WIDGET (user_data));
}

static gboolean
count_frame_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  (*(guint *) user_data)++;
  return G_SOURCE_CONTINUE;
}

static gboolean
frames_drawn (gpointer user_data)
{
  return *(guint *) user_data >= 3;
}

/* Renders @widget, for a person to look at: CALSYNC_SCREENSHOT=DIR writes
 * DIR/alerts-@name.png. */
static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  const char *dir = g_getenv ("CALSYNC_SCREENSHOT");
  g_autofree char *path = NULL;
  guint frames = 0;
  guint tick;

  if (dir == NULL)
    return;
  path = g_strdup_printf ("%s/alerts-%s.png", dir, name);

  /* A few frames, so a line shown late (the customer's) is laid out. */
  tick = gtk_widget_add_tick_callback (widget, count_frame_cb, &frames, NULL);
  ui_test_wait_until (frames_drawn, &frames, "a few frames");
  gtk_widget_remove_tick_callback (widget, tick);
  g_assert_true (ui_test_save_png (widget, TRUE, path));
}

static void
review_requested_cb (CsAlertsButton *button,
                     gint64          appointment_id,
                     const char     *booking_uid,
                     gpointer        user_data)
{
  *(gint64 *) user_data = appointment_id;
  g_assert_null (booking_uid);
}

static void
test_badge_and_popover (void)
{
  Fixture f = { 0 };
  LabelSearch search = { 0 };
  GtkWidget *review;
  gint64 requested = 0;
  g_autofree char *expected = NULL;
  g_autofree char *when = NULL;

  fixture_set_up (&f);

  /* The badge is styled by the program's style sheet. */
  {
    g_autoptr(GBytes) css = g_resources_lookup_data ("/io/github/calsync/Calsync/style.css", 0, NULL);

    g_assert_nonnull (css);
    g_assert_nonnull (g_strstr_len (g_bytes_get_data (css, NULL), g_bytes_get_size (css), ".cs-badge {"));
  }

  /* Nothing unread: no badge, and a plain tooltip. */
  g_assert_false (gtk_widget_get_visible (badge (&f)));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (menu_button (&f))), ==, "Notifications");

  /* The badge follows the log. */
  add_alerts (&f);
  g_assert_cmpuint (cs_alert_log_get_n_unread (f.log), ==, 3);
  g_assert_true (gtk_widget_get_visible (badge (&f)));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (badge (&f))), ==, "3");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (menu_button (&f))), ==,
                   "Notifications, 3 unread");
  screenshot (GTK_WIDGET (f.window), "badge");

  /* Opening the list marks everything read. */
  gtk_menu_button_popup (menu_button (&f));
  ui_test_wait_until (popover_mapped, popover (&f), "the popover to show");
  g_assert_cmpuint (cs_alert_log_get_n_unread (f.log), ==, 0);
  g_assert_false (gtk_widget_get_visible (badge (&f)));
  g_assert_nonnull (ui_test_find_label (popover (&f), "Cal.com sync issue"));
  g_assert_nonnull (ui_test_find_label (popover (&f), "Appointment #1236 requires manual review"));
  g_assert_nonnull (ui_test_find_label (popover (&f), "Sync verification failed"));
  g_assert_nonnull (ui_test_find_label (popover (&f), "Reason: API timeout"));
  g_assert_nonnull (ui_test_find_label (popover (&f), "Sync restored"));
  g_assert_nonnull (ui_test_find_label (popover (&f), "1 day ago"));
  g_assert_null (find_label_prefix (popover (&f), "a server's words"));

  /* The customer line comes from the cache, as text, not markup. */
  search.root = popover (&f);
  search.prefix = "Customer: ";
  ui_test_wait_until (label_shown, &search, "the customer line");
  when = cs_ui_format_date_time (f.appointment->starts_at);
  expected = g_strdup_printf ("Customer: <b>Tom</b> & Klein │ Time: %s", when);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (search.found)), ==, expected);
  g_assert_false (gtk_label_get_use_markup (GTK_LABEL (search.found)));

  screenshot (gtk_popover_get_child (GTK_POPOVER (popover (&f))), "popover");

  /* "Review Now" asks for the appointment and closes the list. */
  g_signal_connect (f.button, "review-requested", G_CALLBACK (review_requested_cb), &requested);
  review = ui_test_find_button (popover (&f), "Review Now");
  g_assert_nonnull (review);
  g_signal_emit_by_name (review, "clicked");
  g_assert_cmpint (requested, ==, f.appointment->id);
  ui_test_wait_until (popover_unmapped, popover (&f), "the popover to close");

  /* A new alert shows on the badge again. */
  cs_alert_log_add_run_failed (f.log, &(GError) { CS_NET_ERROR, CS_NET_ERROR_NETWORK, (char *) "x" });
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (badge (&f))), ==, "1");
  g_assert_true (gtk_widget_get_visible (badge (&f)));

  fixture_tear_down (&f);
}

static void
test_clear_and_empty (void)
{
  Fixture f = { 0 };

  fixture_set_up (&f);
  add_alerts (&f);

  gtk_menu_button_popup (menu_button (&f));
  ui_test_wait_until (popover_mapped, popover (&f), "the popover to show");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (ui_test_find_by_type (popover (&f), GTK_TYPE_STACK))),
                   ==, "list");

  g_signal_emit_by_name (ui_test_find_button (popover (&f), "_Clear"), "clicked");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f.log)), ==, 0);
  g_assert_nonnull (ui_test_find_label (popover (&f), "No notifications"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (ui_test_find_by_type (popover (&f), GTK_TYPE_STACK))),
                   ==, "empty");
  g_assert_false (gtk_widget_get_sensitive (ui_test_find_button (popover (&f), "_Clear")));

  fixture_tear_down (&f);
}

static void
activated_cb (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  GPtrArray *log = user_data;
  g_autofree char *text = g_variant_print (parameter, TRUE);

  g_ptr_array_add (log, g_strdup_printf ("%s %s", g_action_get_name (G_ACTION (action)), text));
}

/* A summary's button opens the list of what needs review, a failure's the
 * dashboard: the window's actions, since there is no one appointment. */
static void
test_summary_and_failure_buttons (void)
{
  Fixture f = { 0 };
  g_autoptr(GPtrArray) activated = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GSimpleAction) open_list = g_simple_action_new ("open-list", G_VARIANT_TYPE_UINT32);
  g_autoptr(GSimpleAction) show_view = g_simple_action_new ("show-view", G_VARIANT_TYPE_STRING);
  g_autoptr(CsAlert) summary = NULL;
  g_autofree char *expected = NULL;
  gint64 requested = -1;

  fixture_set_up (&f);
  g_signal_connect (open_list, "activate", G_CALLBACK (activated_cb), activated);
  g_signal_connect (show_view, "activate", G_CALLBACK (activated_cb), activated);
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (open_list));
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (show_view));
  gtk_widget_insert_action_group (GTK_WIDGET (f.window), "win", G_ACTION_GROUP (group));
  g_signal_connect (f.button, "review-requested", G_CALLBACK (review_requested_cb), &requested);

  summary = cs_alert_new_flagged (cs_clock_get_now (cs_alert_log_get_clock (f.log)), 0, NULL, NULL,
                                  CS_ERROR_CODE_NONE, 4);
  cs_alert_log_add (f.log, summary);

  gtk_menu_button_popup (menu_button (&f));
  ui_test_wait_until (popover_mapped, popover (&f), "the popover to show");
  g_assert_nonnull (ui_test_find_label (popover (&f), "4 appointments require manual review"));
  g_signal_emit_by_name (ui_test_find_button (popover (&f), "Review Now"), "clicked");
  ui_test_wait_until (popover_unmapped, popover (&f), "the popover to close");

  cs_alert_log_add_run_failed (f.log, &(GError) { CS_NET_ERROR, CS_NET_ERROR_SERVER, (char *) "x" });
  gtk_menu_button_popup (menu_button (&f));
  ui_test_wait_until (popover_mapped, popover (&f), "the popover to show");
  g_signal_emit_by_name (ui_test_find_button (popover (&f), "View Details"), "clicked");

  g_assert_cmpint (requested, ==, -1);
  g_assert_cmpuint (activated->len, ==, 2);
  expected = g_strdup_printf ("open-list uint32 %u", CS_APPOINTMENT_FILTER_NEEDS_REVIEW);
  g_assert_cmpstr (g_ptr_array_index (activated, 0), ==, expected);
  g_assert_cmpstr (g_ptr_array_index (activated, 1), ==, "show-view 'dashboard'");

  fixture_tear_down (&f);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkCssProvider) css = NULL;

  ui_test_init (&argc, &argv);

  /* The program's styles (the badge's), as the application loads them:
   * a mistake in them is a warning, fatal here. */
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/io/github/calsync/Calsync/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  g_test_add_func ("/calsync/ui/alerts-button/badge-and-popover", test_badge_and_popover);
  g_test_add_func ("/calsync/ui/alerts-button/clear-and-empty", test_clear_and_empty);
  g_test_add_func ("/calsync/ui/alerts-button/summary-and-failure-buttons",
                   test_summary_and_failure_buttons);

  return g_test_run ();
}
