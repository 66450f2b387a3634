/* cs-window.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "cs-alerts-button.h"
#include "cs-appointments-view.h"
#include "cs-dashboard.h"
#include "cs-metrics-view.h"
#include "cs-review-dialog.h"
#include "cs-ui-util.h"
#include "cs-window.h"

/**
 * CsWindow:
 *
 * The main window: "Verify now" in the header bar, a view switcher
 * between the dashboard, the appointment list and the metrics, a banner
 * when something keeps Calsync from checking, and the review dialogs.
 *
 * The window opens at once with a spinner; cs_window_set_engine() gives it
 * the started engine, and from then on every view follows
 * #CsEngine::changed: a run that ended, an answer of the outbox, an
 * action. One #CsAppointmentModel serves the dashboard's figures and the
 * list, so they never disagree.
 */
struct _CsWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  CsEngine             *engine;
  CsAppointmentModel   *model;
  GCancellable         *cancellable;
  GCancellable         *verify_cancellable;
  gboolean              reload_again;
  gboolean              reloading;
  /* The person read that the cache was rebuilt (the banner's Dismiss). */
  gboolean              recovery_seen;

  /* What the window listens to, as weak pointers (the engine owns them),
   * to notice the objects of a new set-up. */
  CsVerifier           *watched_verifier;
  CsOutbox             *watched_outbox;
  CsCalcomClient       *watched_calcom;
  CsBackendClient      *watched_backend;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  GtkButton            *verify_button;
  GtkStack             *verify_stack;
  GtkSpinner           *verify_spinner;
  GtkSpinner           *loading_spinner;
  GtkWidget            *switcher_title;
  GtkWidget            *switcher_bar;
  GtkLabel             *verify_label;
  GtkProgressBar       *progress_bar;
  GtkRevealer          *banner_revealer;
  GtkWidget            *banner;
  GtkImage             *banner_icon;
  GtkLabel             *banner_label;
  GtkButton            *banner_button;
  GtkButton            *banner_secondary_button;
  GtkStack             *main_stack;
  AdwStatusPage        *failed_page;
  AdwViewStack         *view_stack;
  CsDashboard          *dashboard;
  CsAppointmentsView   *appointments_view;
  CsMetricsView        *metrics_view;
  CsAlertsButton       *alerts_button;
};

G_DEFINE_FINAL_TYPE (CsWindow, cs_window, ADW_TYPE_APPLICATION_WINDOW)

/* The list and the dashboard */

static void model_reloaded_cb (GObject      *object,
                               GAsyncResult *result,
                               gpointer      user_data);

static void
reload_model (CsWindow *self)
{
  if (self->model == NULL)
    return;

  /* One reload at a time; a change during one asks for another. */
  if (self->reloading)
    {
      self->reload_again = TRUE;
      return;
    }

  self->reloading = TRUE;
  /* A run that is going shows what it checks as being verified; the
   * engine's verifier is new after a change of addresses. */
  if (self->engine != NULL)
    cs_appointment_model_set_verifier (self->model, cs_engine_get_verifier (self->engine));
  cs_appointment_model_reload_async (self->model, self->cancellable, model_reloaded_cb,
                                     g_object_ref (self));
}

static void
model_reloaded_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CsWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  self->reloading = FALSE;
  if (!cs_appointment_model_reload_finish (CS_APPOINTMENT_MODEL (object), result, &error))
    {
      /* A closed window does not care how its last reload ended: the
       * cache may be gone by then (the demo removes it). */
      if (self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable))
        return;
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* The views keep what they show; the next change reads again. */
          g_message ("The appointment list could not be read: %s", error->message);
          adw_toast_overlay_add_toast (self->toast_overlay,
                                       cs_ui_toast_new_printf (_("The appointment list could not be read: %s"),
                                                               error->message));
        }
      return;
    }

  if (self->reload_again)
    {
      self->reload_again = FALSE;
      reload_model (self);
      return;
    }

  cs_dashboard_refresh (self->dashboard);
  cs_metrics_view_refresh (self->metrics_view);
}

/* The banner: what keeps Calsync from checking, most important first. */

static void
set_banner (CsWindow   *self,
            const char *text,
            gboolean    error,
            const char *button_label,
            const char *action)
{
  gboolean shown = text != NULL;

  gtk_revealer_set_reveal_child (self->banner_revealer, shown);
  if (!shown)
    {
      gtk_label_set_label (self->banner_label, "");
      return;
    }

  gtk_label_set_label (self->banner_label, text);
  gtk_image_set_from_icon_name (self->banner_icon,
                                error ? "dialog-error-symbolic" : "dialog-warning-symbolic");
  if (error)
    gtk_widget_add_css_class (self->banner, "error");
  else
    gtk_widget_remove_css_class (self->banner, "error");

  gtk_widget_set_visible (GTK_WIDGET (self->banner_button), button_label != NULL);
  if (button_label != NULL)
    {
      gtk_button_set_label (self->banner_button, button_label);
      gtk_button_set_use_underline (self->banner_button, TRUE);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->banner_button), action);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->banner_secondary_button), FALSE);
}

/* A second answer beside the banner's button (set after set_banner()). */
static void
set_banner_secondary (CsWindow   *self,
                      const char *button_label,
                      const char *action)
{
  gtk_button_set_label (self->banner_secondary_button, button_label);
  gtk_button_set_use_underline (self->banner_secondary_button, TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->banner_secondary_button), action);
  gtk_widget_set_visible (GTK_WIDGET (self->banner_secondary_button), TRUE);
}

static CsCircuitBreaker *
breaker_of (CsHttpClient *http)
{
  return http != NULL ? cs_http_client_get_circuit_breaker (http) : NULL;
}

static gboolean
circuit_open (CsCircuitBreaker *breaker)
{
  return breaker != NULL && cs_circuit_breaker_get_state (breaker) != CS_CIRCUIT_CLOSED;
}

static void
update_banner (CsWindow *self)
{
  const GError *setup;
  CsCalcomClient *calcom;
  CsBackendClient *backend;
  CsCircuitBreaker *calcom_breaker;
  CsCircuitBreaker *backend_breaker;
  g_autoptr(CsRunRecord) last = NULL;
  guint waiting = 0;

  if (self->engine == NULL)
    {
      set_banner (self, NULL, FALSE, NULL, NULL);
      return;
    }

  setup = cs_engine_get_setup_error (self->engine);
  if (setup != NULL)
    {
      /* The welcome page already says it and leads to Preferences. */
      if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "setup") == 0)
        set_banner (self, NULL, FALSE, NULL, NULL);
      else
        set_banner (self, setup->message, TRUE, _("_Preferences"), "app.preferences");
      return;
    }

  /* A cache found damaged (or from a newer Calsync) at start was moved
   * aside and rebuilt: the list is empty until the next check, and the
   * sentence says why, where the old file is and what was carried over.
   * It stays until the person has read it. */
  if (cs_engine_get_store_recovery (self->engine) != NULL && !self->recovery_seen)
    {
      set_banner (self, cs_engine_get_store_recovery (self->engine)->message, TRUE,
                  _("_Dismiss"), "win.dismiss-recovery");
      return;
    }

  calcom = cs_engine_get_calcom (self->engine);
  backend = cs_engine_get_backend (self->engine);
  calcom_breaker = calcom != NULL ? breaker_of (cs_calcom_client_get_http (calcom)) : NULL;
  backend_breaker = backend != NULL ? breaker_of (cs_backend_client_get_http (backend)) : NULL;

  if (circuit_open (calcom_breaker) || circuit_open (backend_breaker))
    {
      CsCircuitBreaker *open = circuit_open (calcom_breaker) ? calcom_breaker : backend_breaker;
      g_autofree char *until = cs_ui_format_time (cs_circuit_breaker_get_open_until (open));
      g_autofree char *text = NULL;

      text = g_strdup_printf (open == calcom_breaker
                              ? _("Cal.com is not answering. Calsync pauses its checks and tries again at %s.")
                              : _("The CRM server is not answering. Calsync pauses its checks and tries again at %s."),
                              until);
      set_banner (self, text, TRUE, _("_Try Now"), "win.verify");
      return;
    }

  last = cs_store_get_last_run (cs_engine_get_store (self->engine), NULL);
  if (last != NULL && g_strcmp0 (last->result, CS_RUN_RESULT_FAILED) == 0)
    {
      g_autofree char *text = g_strdup_printf (_("The last check could not finish: %s"),
                                               last->error_message != NULL ? last->error_message : "");

      set_banner (self, text, TRUE, _("_Try Again"), "win.verify");
      return;
    }

  if (cs_engine_suspect_waits (self->engine, last))
    {
      /* The run's own sentence says what it would have found and that
       * nothing changed. */
      set_banner (self, last->error_message != NULL ? last->error_message
                                                       : _("The last check looked wrong; nothing was changed."),
                  FALSE, _("_Apply Anyway"), "win.accept-suspect");
      set_banner_secondary (self, _("_Discard"), "win.discard-suspect");
      return;
    }

  if (cs_engine_get_actions (self->engine) != NULL)
    waiting = cs_actions_get_n_waiting (cs_engine_get_actions (self->engine));
  if (cs_engine_get_outbox (self->engine) != NULL)
    waiting += cs_outbox_get_n_pending (cs_engine_get_outbox (self->engine));
  if (waiting > 0)
    {
      g_autofree char *text = NULL;

      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%u change waits to be sent; it goes out when the server answers.",
                                           "%u changes wait to be sent; they go out when the servers answer.",
                                           waiting),
                              waiting);
      set_banner (self, text, FALSE, NULL, NULL);
      return;
    }

  set_banner (self, NULL, FALSE, NULL, NULL);
}

/**
 * cs_window_get_banner_text:
 * @self: a window
 *
 * Returns: the banner's sentence, or "" when no banner shows
 */
const char *
cs_window_get_banner_text (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->banner_revealer))
    return "";
  return gtk_label_get_label (self->banner_label);
}

static void update_progress (CsWindow *self);
static void watch_engine_parts (CsWindow *self);

/* Set up or not: the welcome page until Calsync can check (or has a cache
 * of an earlier set-up to show), the views from then on. */
static void
update_setup_state (CsWindow *self)
{
  gboolean set_up = cs_engine_get_setup_error (self->engine) == NULL;
  const char *page = gtk_stack_get_visible_child_name (self->main_stack);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.verify", set_up);

  if (!set_up && cs_store_get_company_id (cs_engine_get_store (self->engine)) <= 0)
    gtk_stack_set_visible_child_name (self->main_stack, "setup");
  else if (g_strcmp0 (page, "failed") != 0)
    gtk_stack_set_visible_child_name (self->main_stack, "main");

  /* The views' switcher leads nowhere while the welcome page shows. */
  page = gtk_stack_get_visible_child_name (self->main_stack);
  gtk_widget_set_sensitive (GTK_WIDGET (self->switcher_title), g_strcmp0 (page, "main") == 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->switcher_bar), g_strcmp0 (page, "main") == 0);
}

static void
engine_changed_cb (CsWindow *self)
{
  /* A new set-up (Preferences) may have brought new clients. */
  watch_engine_parts (self);
  update_setup_state (self);
  reload_model (self);
  update_banner (self);
  update_progress (self);
}

/* Verify now */

static void
update_progress (CsWindow *self)
{
  CsVerifier *verifier = self->engine != NULL ? cs_engine_get_verifier (self->engine) : NULL;
  gboolean running = verifier != NULL && cs_verifier_get_running (verifier);
  gboolean ours = self->verify_cancellable != NULL;
  guint total;

  gtk_stack_set_visible_child_name (self->verify_stack, running || ours ? "running" : "idle");
  gtk_spinner_set_spinning (self->verify_spinner, running || ours);
  gtk_label_set_label (self->verify_label, ours ? _("Cancel") : _("Checking…"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->verify_button),
                               ours ? _("Stop the check that is running")
                                    : running ? _("A scheduled check is running")
                                              : _("Compare both calendars now (Ctrl+R)"));
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), running);

  if (!running)
    return;

  total = cs_verifier_get_total (verifier);
  if (total > 0)
    gtk_progress_bar_set_fraction (self->progress_bar,
                                   MIN (1.0, (double) cs_verifier_get_done (verifier) / total));
  else
    gtk_progress_bar_pulse (self->progress_bar);
}

static void
verify_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CsWindow) self = user_data;
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;
  AdwToast *toast;

  report = cs_engine_verify_finish (CS_ENGINE (object), result, &error);
  g_clear_object (&self->verify_cancellable);
  update_progress (self);

  if (report == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast = cs_ui_toast_new (_("Check cancelled; nothing was changed"));
      else
        toast = cs_ui_toast_new_printf (_("The check could not finish: %s"), error->message);
    }
  else if (report->suspect)
    toast = cs_ui_toast_new (_("Check finished; it looked wrong, so nothing was flagged"));
  else if (report->issues->len == 0)
    toast = cs_ui_toast_new (_("Check finished: everything is in sync"));
  else
    toast = cs_ui_toast_new_printf (g_dngettext (GETTEXT_PACKAGE,
                                               "Check finished: %u problem",
                                               "Check finished: %u problems",
                                               report->issues->len),
                                  report->issues->len);

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
verify_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);

  if (self->engine == NULL)
    return;

  if (self->verify_cancellable != NULL)
    {
      g_cancellable_cancel (self->verify_cancellable);
      return;
    }

  if (cs_engine_get_verifier (self->engine) != NULL &&
      cs_verifier_get_running (cs_engine_get_verifier (self->engine)))
    return;

  self->verify_cancellable = g_cancellable_new ();
  cs_engine_verify_async (self->engine, CS_VERIFICATION_COMPREHENSIVE, FALSE,
                          self->verify_cancellable, verify_done_cb, g_object_ref (self));
  update_progress (self);
}

/* The answers to a check the orphan guard held back. */
static void
accept_suspect_activated (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);

  if (self->engine == NULL || self->verify_cancellable != NULL)
    return;

  self->verify_cancellable = g_cancellable_new ();
  cs_engine_accept_suspect_async (self->engine, self->verify_cancellable, verify_done_cb,
                                  g_object_ref (self));
  update_progress (self);
}

static void
discard_suspect_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (self->engine == NULL)
    return;

  if (!cs_engine_discard_suspect (self->engine, &error))
    {
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   cs_ui_toast_new_printf (_("The result could not be discarded: %s"),
                                                           error->message));
      return;
    }

  adw_toast_overlay_add_toast (self->toast_overlay,
                               cs_ui_toast_new (_("Result discarded; the next check decides afresh")));
  update_banner (self);
}

static void
dismiss_recovery_activated (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);

  self->recovery_seen = TRUE;
  update_banner (self);
}

static void
search_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "main") != 0)
    return;
  cs_window_show_view (self, "appointments");
  cs_appointments_view_focus_search (self->appointments_view);
}

static void
show_view_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  cs_window_show_view (CS_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
open_list_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  cs_window_open_list (CS_WINDOW (widget), g_variant_get_uint32 (parameter));
}

static void
review_requested_cb (CsWindow   *self,
                     gint64      appointment_id,
                     const char *booking_uid)
{
  cs_window_review (self, appointment_id, booking_uid);
}

static void
open_list_cb (CsWindow *self,
              guint     status_filter)
{
  cs_window_open_list (self, status_filter);
}

/* The window's size and view, remembered */

static void
visible_view_cb (CsWindow *self)
{
  const char *name = adw_view_stack_get_visible_child_name (self->view_stack);

  if (name != NULL && self->settings != NULL)
    g_settings_set_string (self->settings, "last-view", name);
}

static gboolean
cs_window_close_request (GtkWindow *window)
{
  CsWindow *self = CS_WINDOW (window);
  int width, height;

  if (self->settings != NULL)
    {
      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
    }

  return GTK_WINDOW_CLASS (cs_window_parent_class)->close_request (window);
}

static void
cs_window_dispose (GObject *object)
{
  CsWindow *self = CS_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->verify_cancellable != NULL)
    g_cancellable_cancel (self->verify_cancellable);
  g_clear_object (&self->verify_cancellable);
  g_clear_object (&self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_WINDOW);

  g_clear_weak_pointer (&self->watched_verifier);
  g_clear_weak_pointer (&self->watched_outbox);
  g_clear_weak_pointer (&self->watched_calcom);
  g_clear_weak_pointer (&self->watched_backend);
  g_clear_object (&self->model);
  g_clear_object (&self->engine);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (cs_window_parent_class)->dispose (object);
}

static void
cs_window_class_init (CsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cs_window_dispose;
  window_class->close_request = cs_window_close_request;

  g_type_ensure (CS_TYPE_ALERTS_BUTTON);
  g_type_ensure (CS_TYPE_APPOINTMENTS_VIEW);
  g_type_ensure (CS_TYPE_DASHBOARD);
  g_type_ensure (CS_TYPE_METRICS_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/calsync/Calsync/cs-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, verify_button);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, verify_stack);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, verify_spinner);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, verify_label);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, banner_revealer);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, banner);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, banner_icon);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, banner_button);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, banner_secondary_button);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, failed_page);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, dashboard);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, appointments_view);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, metrics_view);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, alerts_button);

  gtk_widget_class_install_action (widget_class, "win.verify", NULL, verify_activated);
  gtk_widget_class_install_action (widget_class, "win.accept-suspect", NULL,
                                   accept_suspect_activated);
  gtk_widget_class_install_action (widget_class, "win.discard-suspect", NULL,
                                   discard_suspect_activated);
  gtk_widget_class_install_action (widget_class, "win.dismiss-recovery", NULL,
                                   dismiss_recovery_activated);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_activated);
  gtk_widget_class_install_action (widget_class, "win.show-view", "s", show_view_activated);
  gtk_widget_class_install_action (widget_class, "win.open-list", "u", open_list_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.verify", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.verify", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.show-view", "s", "dashboard");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.show-view", "s", "appointments");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK, "win.show-view", "s", "metrics");
}

static void
loading_page_changed_cb (CsWindow *self)
{
  gtk_spinner_set_spinning (self->loading_spinner,
                            g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack),
                                       "loading") == 0);
}

static void
cs_window_init (CsWindow *self)
{
  GtkIconTheme *icons = gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (self)));

  /* GtkApplication adds the resource's icons for the application's
   * windows; a window without one (the tests, the screenshots) too. */
  if (!gtk_icon_theme_has_icon (icons, "cs-metrics-symbolic"))
    gtk_icon_theme_add_resource_path (icons, "/io/github/calsync/Calsync/icons");

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  g_signal_connect_swapped (self->dashboard, "open-list", G_CALLBACK (open_list_cb), self);
  g_signal_connect_swapped (self->appointments_view, "review-requested",
                            G_CALLBACK (review_requested_cb), self);
  g_signal_connect_swapped (self->alerts_button, "review-requested",
                            G_CALLBACK (review_requested_cb), self);

  /* A spinning spinner keeps the frame clock running even on a page that
   * is not shown: the window would redraw many times a second all day. */
  g_signal_connect_swapped (self->main_stack, "notify::visible-child-name",
                            G_CALLBACK (loading_page_changed_cb), self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.verify", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", FALSE);
}

/**
 * cs_window_new:
 * @application: the application
 * @settings: (nullable): the settings to remember the size and view in
 *
 * Returns: (transfer full): a new window, showing a spinner until
 *   cs_window_set_engine()
 */
CsWindow *
cs_window_new (GtkApplication *application,
               GSettings      *settings)
{
  CsWindow *self = g_object_new (CS_TYPE_WINDOW, "application", application, NULL);

  if (settings != NULL)
    {
      g_autofree char *view = g_settings_get_string (settings, "last-view");

      int width = g_settings_get_int (settings, "window-width");
      int height = g_settings_get_int (settings, "window-height");

      self->settings = g_object_ref (settings);
      /* -1 is "never saved": the template's size stands (-1 given to
       * GTK would unset it and the window would open at its natural
       * size, cutting the welcome page). */
      if (width > 0 && height > 0)
        gtk_window_set_default_size (GTK_WINDOW (self), width, height);
      if (g_settings_get_boolean (settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
      if (adw_view_stack_get_child_by_name (self->view_stack, view) != NULL)
        adw_view_stack_set_visible_child_name (self->view_stack, view);
    }

  g_signal_connect_swapped (self->view_stack, "notify::visible-child",
                            G_CALLBACK (visible_view_cb), self);

  return self;
}

static void
breaker_changed_cb (CsWindow *self)
{
  update_banner (self);
}

static void
watch_breaker (CsWindow     *self,
               CsHttpClient *http)
{
  if (http == NULL)
    return;
  g_signal_connect_object (cs_http_client_get_circuit_breaker (http), "notify::state",
                           G_CALLBACK (breaker_changed_cb), self, G_CONNECT_SWAPPED);
}

/* Follows the verifier's progress, the outbox and both circuits; again
 * when a new set-up replaced them. */
static void
watch_engine_parts (CsWindow *self)
{
  CsVerifier *verifier = cs_engine_get_verifier (self->engine);
  CsOutbox *outbox = cs_engine_get_outbox (self->engine);
  CsCalcomClient *calcom = cs_engine_get_calcom (self->engine);
  CsBackendClient *backend = cs_engine_get_backend (self->engine);

  if (verifier != self->watched_verifier)
    {
      g_set_weak_pointer (&self->watched_verifier, verifier);
      if (verifier != NULL)
        {
          g_signal_connect_object (verifier, "notify::running", G_CALLBACK (update_progress), self,
                                   G_CONNECT_SWAPPED);
          g_signal_connect_object (verifier, "notify::done", G_CALLBACK (update_progress), self,
                                   G_CONNECT_SWAPPED);
          g_signal_connect_object (verifier, "notify::total", G_CALLBACK (update_progress), self,
                                   G_CONNECT_SWAPPED);
        }
    }

  if (outbox != self->watched_outbox)
    {
      g_set_weak_pointer (&self->watched_outbox, outbox);
      if (outbox != NULL)
        g_signal_connect_object (outbox, "notify::n-pending", G_CALLBACK (update_banner), self,
                                 G_CONNECT_SWAPPED);
    }

  if (calcom != self->watched_calcom)
    {
      g_set_weak_pointer (&self->watched_calcom, calcom);
      if (calcom != NULL)
        watch_breaker (self, cs_calcom_client_get_http (calcom));
    }

  if (backend != self->watched_backend)
    {
      g_set_weak_pointer (&self->watched_backend, backend);
      if (backend != NULL)
        watch_breaker (self, cs_backend_client_get_http (backend));
    }
}

/**
 * cs_window_set_engine:
 * @self: a window
 * @engine: the started engine
 *
 * Shows the views of @engine's cache, or the set-up page when Calsync is
 * not set up.
 */
void
cs_window_set_engine (CsWindow *self,
                      CsEngine *engine)
{
  CsTime window_start;
  CsTime window_end;

  g_return_if_fail (CS_IS_WINDOW (self));
  g_return_if_fail (CS_IS_ENGINE (engine));
  g_return_if_fail (self->engine == NULL);

  self->engine = g_object_ref (engine);
  self->model = cs_appointment_model_new (cs_engine_get_store (engine), cs_engine_get_clock (engine));
  /* The list and the dashboard show what the checks cover. */
  cs_engine_get_window (engine, &window_start, &window_end);
  cs_appointment_model_set_window (self->model, window_start, window_end);

  cs_dashboard_set_model (self->dashboard, self->model);
  cs_dashboard_set_engine (self->dashboard, engine);
  cs_appointments_view_set_model (self->appointments_view, self->model);
  cs_appointments_view_set_engine (self->appointments_view, engine);
  cs_metrics_view_set_engine (self->metrics_view, engine);
  cs_alerts_button_set_engine (self->alerts_button, engine);

  g_signal_connect_object (engine, "changed", G_CALLBACK (engine_changed_cb), self,
                           G_CONNECT_SWAPPED);

  watch_engine_parts (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", TRUE);
  update_setup_state (self);

  update_banner (self);
  update_progress (self);
  reload_model (self);
}

/**
 * cs_window_show_failure:
 * @self: a window
 * @message: what went wrong and what to do
 *
 * Shows that the engine could not start (the cache cannot be opened).
 */
void
cs_window_show_failure (CsWindow   *self,
                        const char *message)
{
  g_return_if_fail (CS_IS_WINDOW (self));

  adw_status_page_set_description (self->failed_page, message);
  gtk_stack_set_visible_child_name (self->main_stack, "failed");
}

/**
 * cs_window_get_engine:
 * @self: a window
 *
 * Returns: (transfer none) (nullable): the engine
 */
CsEngine *
cs_window_get_engine (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);

  return self->engine;
}

/**
 * cs_window_get_model:
 * @self: a window
 *
 * Returns: (transfer none) (nullable): the model of the list and the
 *   dashboard
 */
CsAppointmentModel *
cs_window_get_model (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);

  return self->model;
}

/**
 * cs_window_show_view:
 * @self: a window
 * @name: "dashboard", "appointments" or "metrics"
 */
void
cs_window_show_view (CsWindow   *self,
                     const char *name)
{
  g_return_if_fail (CS_IS_WINDOW (self));

  if (adw_view_stack_get_child_by_name (self->view_stack, name) != NULL)
    adw_view_stack_set_visible_child_name (self->view_stack, name);
}

/**
 * cs_window_open_list:
 * @self: a window
 * @status_filter: the status filter of #CsAppointmentModel
 *
 * Shows the appointment list filtered to @status_filter (a dashboard
 * card's click).
 */
void
cs_window_open_list (CsWindow *self,
                     guint     status_filter)
{
  g_return_if_fail (CS_IS_WINDOW (self));

  cs_appointments_view_set_status_filter (self->appointments_view, status_filter);
  cs_window_show_view (self, "appointments");
}

/**
 * cs_window_review:
 * @self: a window
 * @appointment_id: the appointment, or 0 for a booking only in Cal.com
 * @booking_uid: (nullable): the booking only in Cal.com
 *
 * Opens the review dialog of one problem, or raises it if it is open.
 *
 * Returns: (transfer none) (nullable): the dialog
 */
GtkWindow *
cs_window_review (CsWindow   *self,
                  gint64      appointment_id,
                  const char *booking_uid)
{
  g_autoptr(GListModel) toplevels = NULL;
  CsReviewDialog *dialog;

  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);

  if (self->engine == NULL || (appointment_id <= 0 && booking_uid == NULL))
    return NULL;

  toplevels = g_object_ref (gtk_window_get_toplevels ());
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (!CS_IS_REVIEW_DIALOG (item))
        continue;
      dialog = CS_REVIEW_DIALOG (item);
      if (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (self) &&
          cs_review_dialog_get_appointment_id (dialog) == appointment_id &&
          g_strcmp0 (cs_review_dialog_get_booking_uid (dialog), appointment_id > 0 ? cs_review_dialog_get_booking_uid (dialog) : booking_uid) == 0)
        {
          gtk_window_present (GTK_WINDOW (dialog));
          return GTK_WINDOW (dialog);
        }
    }

  dialog = cs_review_dialog_new (GTK_WINDOW (self), self->engine, appointment_id, booking_uid);
  gtk_window_present (GTK_WINDOW (dialog));
  return GTK_WINDOW (dialog);
}

/**
 * cs_window_add_toast:
 * @self: a window
 * @toast: (transfer full): a toast
 */
void
cs_window_add_toast (CsWindow *self,
                     AdwToast *toast)
{
  g_return_if_fail (CS_IS_WINDOW (self));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}
