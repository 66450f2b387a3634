/* cs-alerts-button.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "cs-alerts-button.h"
#include "cs-appointment-model.h"
#include "cs-ui-util.h"

/**
 * CsAlertsButton:
 *
 * The bell at the end of the header bar: the engine's #CsAlertLog with an
 * unread badge, and a popover that lists the alerts, newest first, each
 * with its icon, title, body and age. Opening the popover marks them all
 * read.
 *
 * A flagged appointment's alert shows its customer and time, read from the
 * cache in a worker thread when the row is made (the alert itself holds no
 * customer data), as plain text. Its "Review Now" emits
 * #CsAlertsButton::review-requested; a summary's opens the list of what
 * needs review (`win.open-list`), a failure's "View Details" the dashboard
 * (`win.show-view`).
 */
struct _CsAlertsButton
{
  AdwBin         parent_instance;

  /* template widgets */
  GtkMenuButton *menu_button;
  GtkPopover    *popover;
  GtkLabel      *badge;
  GtkStack      *stack;
  GtkListBox    *list_box;
  GtkButton     *clear_button;

  /* owned refs */
  CsEngine      *engine;
  CsAlertLog    *log;
  GCancellable  *cancellable;
};

G_DEFINE_FINAL_TYPE (CsAlertsButton, cs_alerts_button, ADW_TYPE_BIN)

enum {
  REVIEW_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The badge, the tooltip and the page of the popover */

static void
update_count (CsAlertsButton *self)
{
  guint n_unread = self->log != NULL ? cs_alert_log_get_n_unread (self->log) : 0;
  guint n_items = self->log != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->log)) : 0;
  g_autofree char *tooltip = NULL;

  if (n_unread > 0)
    {
      g_autofree char *count = n_unread > 99 ? g_strdup ("99+") : g_strdup_printf ("%u", n_unread);

      gtk_label_set_text (self->badge, count);
      /* Translators: tooltip of the bell in the header bar */
      tooltip = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Notifications, %u unread",
                                              "Notifications, %u unread", n_unread),
                                 n_unread);
    }
  else
    {
      tooltip = g_strdup (_("Notifications"));
    }

  gtk_widget_set_visible (GTK_WIDGET (self->badge), n_unread > 0);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->menu_button), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);

  gtk_stack_set_visible_child_name (self->stack, n_items > 0 ? "list" : "empty");
  gtk_widget_set_sensitive (GTK_WIDGET (self->clear_button), n_items > 0);
}

/* The customer line of a flagged item, read from the cache */

typedef struct
{
  gint64  appointment_id;
  char   *booking_uid;
  char   *customer;
  CsTime  starts_at;
} DetailData;

static void
detail_data_free (DetailData *data)
{
  g_free (data->booking_uid);
  g_free (data->customer);
  g_free (data);
}

static void
detail_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CsStore *store = source_object;
  DetailData *data = task_data;

  if (data->appointment_id > 0)
    {
      g_autoptr(CsAppointment) appointment = cs_store_get_appointment (store, data->appointment_id, NULL);

      if (appointment != NULL)
        {
          data->customer = g_strdup (appointment->customer_name);
          data->starts_at = appointment->starts_at;
        }
    }
  else if (data->booking_uid != NULL)
    {
      g_autoptr(CsBooking) booking = cs_store_get_booking (store, data->booking_uid, NULL);

      if (booking != NULL)
        {
          if (booking->attendees->len > 0)
            data->customer = g_strdup (((CsAttendee *) g_ptr_array_index (booking->attendees, 0))->name);
          data->starts_at = booking->start;
        }
    }

  g_task_return_boolean (task, TRUE);
}

static void
detail_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GtkLabel) label = user_data;
  DetailData *data = g_task_get_task_data (G_TASK (result));
  g_autofree char *when = NULL;
  g_autofree char *text = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), NULL) ||
      g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;

  if (data->starts_at == CS_TIME_UNSET || data->starts_at == 0)
    return;

  when = cs_ui_format_date_time (data->starts_at);
  if (data->customer != NULL && data->customer[0] != '\0')
    /* Translators: the customer and the start of a flagged appointment,
     * e.g. "Customer: Tom Klein │ Time: 13.10. 10:00" */
    text = g_strdup_printf (_("Customer: %s │ Time: %s"), data->customer, when);
  else
    /* Translators: the start of a flagged appointment */
    text = g_strdup_printf (_("Time: %s"), when);

  /* Plain text: a customer's name is never markup. */
  gtk_label_set_use_markup (label, FALSE);
  gtk_label_set_text (label, text);
  gtk_widget_set_visible (GTK_WIDGET (label), TRUE);
}

static void
load_detail (CsAlertsButton *self,
             CsAlert        *alert,
             GtkLabel       *label)
{
  g_autoptr(GTask) task = NULL;
  DetailData *data;
  CsStore *store = cs_engine_get_store (self->engine);

  if (store == NULL)
    return;

  data = g_new0 (DetailData, 1);
  data->appointment_id = cs_alert_get_appointment_id (alert);
  data->booking_uid = g_strdup (cs_alert_get_booking_uid (alert));
  data->starts_at = CS_TIME_UNSET;

  task = g_task_new (store, self->cancellable, detail_cb, g_object_ref (label));
  g_task_set_source_tag (task, load_detail);
  g_task_set_task_data (task, data, (GDestroyNotify) detail_data_free);
  g_task_run_in_thread (task, detail_worker);
}

/* The rows */

static void
action_clicked_cb (GtkButton      *button,
                   CsAlertsButton *self)
{
  CsAlert *alert = g_object_get_data (G_OBJECT (button), "cs-alert");

  g_assert (CS_IS_ALERT (alert));

  /* Keep the alert: closing the popover may drop the row and the button. */
  g_object_ref (alert);
  gtk_popover_popdown (self->popover);

  if (cs_alert_get_kind (alert) == CS_ALERT_RUN_FAILED)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.show-view", "s", "dashboard");
  else if (cs_alert_is_summary (alert))
    gtk_widget_activate_action (GTK_WIDGET (self), "win.open-list", "u",
                                (guint32) CS_APPOINTMENT_FILTER_NEEDS_REVIEW);
  else
    g_signal_emit (self, signals[REVIEW_REQUESTED], 0,
                   cs_alert_get_appointment_id (alert), cs_alert_get_booking_uid (alert));

  g_object_unref (alert);
}

static GtkWidget *
new_label (const char *css_class,
           gboolean    wrap)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_label_set_use_markup (GTK_LABEL (label), FALSE);
  if (wrap)
    {
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
    }
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);

  return label;
}

static char *
flagged_body (CsAlert *alert)
{
  const char *number = cs_alert_get_number (alert);
  g_autofree char *id = NULL;

  if (cs_alert_is_summary (alert))
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         /* Translators: body of an in-app alert */
                                         "%u appointment requires manual review",
                                         "%u appointments require manual review",
                                         cs_alert_get_count (alert)),
                            cs_alert_get_count (alert));

  if (cs_alert_get_appointment_id (alert) <= 0)
    /* Translators: body of an in-app alert */
    return g_strdup (_("A booking only in Cal.com requires manual review"));

  /* Without a number, the id names it, as in the notifications. */
  if (number == NULL || number[0] == '\0')
    number = id = g_strdup_printf ("%" G_GINT64_FORMAT, cs_alert_get_appointment_id (alert));

  /* Translators: body of an in-app alert; %s is the appointment's number */
  return g_strdup_printf (_("Appointment #%s requires manual review"), number);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  CsAlertsButton *self = user_data;
  CsAlert *alert = item;
  CsTime now = cs_clock_get_now (cs_alert_log_get_clock (self->log));
  GtkWidget *row;
  GtkWidget *box;
  GtkWidget *icon;
  GtkWidget *column;
  GtkWidget *header;
  GtkWidget *title;
  GtkWidget *age;
  GtkWidget *body;
  GtkWidget *detail;
  g_autofree char *age_text = NULL;
  g_autofree char *body_text = NULL;
  g_autofree char *detail_text = NULL;
  const char *button_label = NULL;

  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  if (!cs_alert_get_read (alert))
    gtk_widget_add_css_class (row, "cs-unread");

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  icon = gtk_image_new ();
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_widget_add_css_class (icon, "cs-alert-icon");
  gtk_box_append (GTK_BOX (box), icon);

  column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  gtk_widget_set_hexpand (column, TRUE);
  gtk_box_append (GTK_BOX (box), column);

  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (column), header);
  title = new_label ("heading", TRUE);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_box_append (GTK_BOX (header), title);
  age_text = cs_ui_format_relative (cs_alert_get_time (alert), now);
  age = new_label ("dim-label", FALSE);
  gtk_widget_add_css_class (age, "caption");
  gtk_widget_set_valign (age, GTK_ALIGN_START);
  gtk_label_set_text (GTK_LABEL (age), age_text);
  gtk_box_append (GTK_BOX (header), age);

  body = new_label (NULL, TRUE);
  gtk_box_append (GTK_BOX (column), body);
  /* One line: a long name is cut rather than changing the row's height
   * after the popover was sized. */
  detail = new_label ("dim-label", FALSE);
  gtk_label_set_ellipsize (GTK_LABEL (detail), PANGO_ELLIPSIZE_END);
  gtk_widget_set_visible (detail, FALSE);
  gtk_box_append (GTK_BOX (column), detail);

  switch (cs_alert_get_kind (alert))
    {
    case CS_ALERT_FLAGGED:
      gtk_image_set_from_icon_name (GTK_IMAGE (icon), "dialog-warning-symbolic");
      gtk_widget_add_css_class (icon, "warning");
      /* Translators: title of an in-app alert */
      gtk_label_set_text (GTK_LABEL (title), _("Cal.com sync issue"));
      body_text = flagged_body (alert);
      if (cs_alert_get_error_code (alert) != CS_ERROR_CODE_NONE)
        /* Translators: why an appointment was flagged, e.g. "Reason: Not in Cal.com" */
        detail_text = g_strdup_printf (_("Reason: %s"),
                                       cs_ui_error_label (cs_alert_get_error_code (alert), NULL));
      /* Translators: button of an in-app alert */
      button_label = _("Review Now");
      if (!cs_alert_is_summary (alert))
        load_detail (self, alert, GTK_LABEL (detail));
      break;

    case CS_ALERT_RUN_FAILED:
      gtk_image_set_from_icon_name (GTK_IMAGE (icon), "dialog-error-symbolic");
      gtk_widget_add_css_class (icon, "error");
      /* Translators: title of an in-app alert */
      gtk_label_set_text (GTK_LABEL (title), _("Sync verification failed"));
      /* Translators: body of an in-app alert */
      body_text = g_strdup (_("A check could not finish"));
      if (cs_alert_get_count (alert) > 1)
        detail_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                    /* Translators: why checks failed, and how often */
                                                    "Reason: %s │ %u time in a row",
                                                    "Reason: %s │ %u times in a row",
                                                    cs_alert_get_count (alert)),
                                       cs_ui_error_label (CS_ERROR_CODE_VERIFICATION_ERROR,
                                                          cs_alert_get_reason (alert)),
                                       cs_alert_get_count (alert));
      else
        detail_text = g_strdup_printf (_("Reason: %s"),
                                       cs_ui_error_label (CS_ERROR_CODE_VERIFICATION_ERROR,
                                                          cs_alert_get_reason (alert)));
      /* Translators: button of an in-app alert */
      button_label = _("View Details");
      break;

    case CS_ALERT_RESTORED:
      gtk_image_set_from_icon_name (GTK_IMAGE (icon), "emblem-ok-symbolic");
      gtk_widget_add_css_class (icon, "success");
      /* Translators: title of an in-app alert */
      gtk_label_set_text (GTK_LABEL (title), _("Sync restored"));
      if (cs_alert_get_service (alert) == CS_NOTIFIER_SERVICE_CALCOM)
        /* Translators: body of an in-app alert */
        body_text = g_strdup (_("Cal.com is answering again."));
      else
        /* Translators: body of an in-app alert */
        body_text = g_strdup (_("The CRM server is answering again."));
      if (cs_alert_get_count (alert) > 0)
        detail_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                    /* Translators: detail of an in-app alert */
                                                    "%u appointment successfully verified",
                                                    "%u appointments successfully verified",
                                                    cs_alert_get_count (alert)),
                                       cs_alert_get_count (alert));
      break;

    default:
      g_assert_not_reached ();
    }

  gtk_label_set_text (GTK_LABEL (body), body_text);
  if (detail_text != NULL)
    {
      GtkWidget *reason = new_label ("dim-label", TRUE);

      gtk_label_set_text (GTK_LABEL (reason), detail_text);
      gtk_box_insert_child_after (GTK_BOX (column), reason, body);
    }

  if (button_label != NULL)
    {
      GtkWidget *button = gtk_button_new_with_label (button_label);

      gtk_widget_set_halign (button, GTK_ALIGN_START);
      gtk_widget_add_css_class (button, "cs-alert-action");
      g_object_set_data_full (G_OBJECT (button), "cs-alert", g_object_ref (alert), g_object_unref);
      g_signal_connect (button, "clicked", G_CALLBACK (action_clicked_cb), self);
      gtk_box_append (GTK_BOX (column), button);
    }

  return row;
}

static void
bind_model (CsAlertsButton *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  gtk_list_box_bind_model (self->list_box,
                           self->log != NULL ? G_LIST_MODEL (self->log) : NULL,
                           self->log != NULL ? create_row : NULL,
                           self, NULL);
}

/* Callbacks */

static void
popover_show_cb (CsAlertsButton *self)
{
  if (self->log == NULL)
    return;

  /* Made anew, so the ages are the ones of now and what was unread stands
   * out for as long as the popover is open. */
  bind_model (self);
  cs_alert_log_mark_all_read (self->log);
}

static void
clear_clicked_cb (CsAlertsButton *self)
{
  if (self->log != NULL)
    cs_alert_log_clear (self->log);
}

/* GObject */

static void
cs_alerts_button_dispose (GObject *object)
{
  CsAlertsButton *self = CS_ALERTS_BUTTON (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->log != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->log, self);
      gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);
    }
  g_clear_object (&self->log);
  g_clear_object (&self->engine);

  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_ALERTS_BUTTON);

  G_OBJECT_CLASS (cs_alerts_button_parent_class)->dispose (object);
}

static void
cs_alerts_button_class_init (CsAlertsButtonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_alerts_button_dispose;

  /**
   * CsAlertsButton::review-requested:
   * @self: the button
   * @appointment_id: the appointment, or 0 for a booking only in Cal.com
   * @booking_uid: (nullable): the booking only in Cal.com
   *
   * Emitted when "Review Now" of a flagged item's alert is pressed.
   */
  signals[REVIEW_REQUESTED] =
    g_signal_new ("review-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE,
                  2,
                  G_TYPE_INT64,
                  G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/calsync/Calsync/cs-alerts-button.ui");
  gtk_widget_class_bind_template_child (widget_class, CsAlertsButton, menu_button);
  gtk_widget_class_bind_template_child (widget_class, CsAlertsButton, popover);
  gtk_widget_class_bind_template_child (widget_class, CsAlertsButton, badge);
  gtk_widget_class_bind_template_child (widget_class, CsAlertsButton, stack);
  gtk_widget_class_bind_template_child (widget_class, CsAlertsButton, list_box);
  gtk_widget_class_bind_template_child (widget_class, CsAlertsButton, clear_button);
  gtk_widget_class_bind_template_callback (widget_class, popover_show_cb);
  gtk_widget_class_bind_template_callback (widget_class, clear_clicked_cb);
}

static void
cs_alerts_button_init (CsAlertsButton *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  update_count (self);
}

/**
 * cs_alerts_button_set_engine:
 * @self: an alerts button
 * @engine: (nullable): a started engine
 *
 * Shows the alerts of @engine.
 */
void
cs_alerts_button_set_engine (CsAlertsButton *self,
                             CsEngine       *engine)
{
  g_return_if_fail (CS_IS_ALERTS_BUTTON (self));
  g_return_if_fail (engine == NULL || CS_IS_ENGINE (engine));

  if (self->engine == engine)
    return;

  if (self->log != NULL)
    g_signal_handlers_disconnect_by_data (self->log, self);
  g_clear_object (&self->log);
  g_set_object (&self->engine, engine);

  if (engine != NULL && cs_engine_get_alerts (engine) != NULL)
    {
      self->log = g_object_ref (cs_engine_get_alerts (engine));
      g_signal_connect_swapped (self->log, "notify::n-unread", G_CALLBACK (update_count), self);
      g_signal_connect_swapped (self->log, "items-changed", G_CALLBACK (update_count), self);
    }

  bind_model (self);
  update_count (self);
}
