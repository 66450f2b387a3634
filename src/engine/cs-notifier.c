/* cs-notifier.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cs-notifier.h"

/**
 * CsNotifier:
 *
 * Desktop notifications of the engine, sent through
 * g_application_send_notification() (the Notification portal inside
 * Flatpak, the desktop's notification server outside it).
 *
 * - cs_notifier_flagged(): one notification when a run newly flagged one
 *   appointment, one summary when it flagged several;
 * - cs_notifier_sync_restored(): "Sync restored" when a circuit closes after
 *   an outage.
 *
 * Notifications carry no customer data (DESIGN.md §5): an appointment is
 * named by its number (or its id) and its issue type only.
 *
 * The ids are stable so that a newer notification replaces a stale one:
 * `flagged-<appointment id>`, `flagged-summary` and `sync-restored`.
 *
 * Actions: the default action of a flag is `app.review` with the appointment
 * id as an int64 target; the button "Retry now" is `app.retry` with the same
 * target. The summary's default action is `app.review` with the target 0,
 * which means "the review list" rather than one appointment, so the action
 * keeps one parameter type ("x").
 *
 * The notifier never notifies the same flag twice: it remembers, for the
 * life of the process, each (appointment id, `manual_review_flagged_at`) it
 * has seen, also while #CsNotifier:enabled is %FALSE, so enabling
 * notifications again replays nothing.
 *
 * The notifier holds a weak reference on its application: the application
 * owns the notifier, and a strong reference would make a cycle.
 */
struct _CsNotifier
{
  GObject             parent_instance;

  GWeakRef            application;

  CsNotifierSendFunc  send_func;
  gpointer            send_data;
  GDestroyNotify      send_destroy;

  /* "<id>:<manual_review_flagged_at>" of every flag seen */
  GHashTable         *seen;

  guint               enabled : 1;
};

G_DEFINE_FINAL_TYPE (CsNotifier, cs_notifier, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_APPLICATION,
  PROP_ENABLED,
  N_PROPS
};

enum {
  SENT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
default_send (CsNotifier    *self,
              const char    *id,
              GNotification *notification,
              gpointer       user_data)
{
  g_autoptr(GApplication) application = NULL;

  g_assert (CS_IS_NOTIFIER (self));
  g_assert (id != NULL);
  g_assert (G_IS_NOTIFICATION (notification));

  application = g_weak_ref_get (&self->application);

  /* Headless runs (--once, tests) may have no registered application */
  if (application == NULL ||
      !g_application_get_is_registered (application) ||
      g_application_get_is_remote (application))
    {
      g_debug ("No registered application: notification %s not shown", id);
      return;
    }

  g_application_send_notification (application, id, notification);
}

static void
cs_notifier_send (CsNotifier    *self,
                  const char    *id,
                  GNotification *notification)
{
  g_assert (CS_IS_NOTIFIER (self));

  g_debug ("Sending notification %s", id);

  if (self->send_func != NULL)
    self->send_func (self, id, notification, self->send_data);
  else
    default_send (self, id, notification, NULL);

  g_signal_emit (self, signals[SENT], 0, id, notification);
}

/* The issue type of a flag as one sentence, never with customer data. */
static const char *
issue_sentence (CsErrorCode code)
{
  switch (code)
    {
    case CS_ERROR_CODE_ORPHANED_LOCAL:
      /* Translators: body of a notification about one appointment */
      return _("Not found in Cal.com.");

    case CS_ERROR_CODE_ORPHANED_CALCOM:
      /* Translators: body of a notification about one appointment */
      return _("In Cal.com but not in the database.");

    case CS_ERROR_CODE_DATA_MISMATCH:
      /* Translators: body of a notification about one appointment */
      return _("Time or status differ between the database and Cal.com.");

    case CS_ERROR_CODE_VERIFICATION_ERROR:
      /* Translators: body of a notification about one appointment */
      return _("Could not be verified after three attempts.");

    case CS_ERROR_CODE_NONE:
    case CS_ERROR_CODE_CIRCUIT_OPEN:
    default:
      /* Translators: body of a notification about one appointment whose
       * problem has no more specific description */
      return _("Needs a manual review.");
    }
}

static GNotification *
single_notification (const CsAppointment *appointment)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *number = NULL;
  g_autofree char *title = NULL;

  g_assert (appointment != NULL);

  if (appointment->number != NULL && appointment->number[0] != '\0')
    number = g_strdup (appointment->number);
  else
    number = g_strdup_printf ("%" G_GINT64_FORMAT, appointment->id);

  /* Translators: title of a notification; %s is the appointment's number,
   * e.g. "1236". Customer data never appears in notifications. */
  title = g_strdup_printf (_("Appointment #%s needs review"), number);

  notification = g_notification_new (title);
  g_notification_set_body (notification, issue_sentence (appointment->sync.sync_error_code));
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_NORMAL);
  g_notification_set_default_action_and_target_value (notification, "app.review",
                                                      g_variant_new_int64 (appointment->id));
  /* Translators: button of a notification about one appointment */
  g_notification_add_button_with_target_value (notification, _("Retry now"), "app.retry",
                                               g_variant_new_int64 (appointment->id));

  return g_steal_pointer (&notification);
}

static GNotification *
summary_notification (GPtrArray *appointments)
{
  g_autoptr(GNotification) notification = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *title = NULL;
  guint orphaned_local = 0;
  guint orphaned_calcom = 0;
  guint mismatch = 0;
  guint unverified = 0;
  guint other = 0;

  g_assert (appointments != NULL);
  g_assert (appointments->len > 1);

  for (guint i = 0; i < appointments->len; i++)
    {
      const CsAppointment *appointment = g_ptr_array_index (appointments, i);

      switch (appointment->sync.sync_error_code)
        {
        case CS_ERROR_CODE_ORPHANED_LOCAL:
          orphaned_local++;
          break;

        case CS_ERROR_CODE_ORPHANED_CALCOM:
          orphaned_calcom++;
          break;

        case CS_ERROR_CODE_DATA_MISMATCH:
          mismatch++;
          break;

        case CS_ERROR_CODE_VERIFICATION_ERROR:
          unverified++;
          break;

        case CS_ERROR_CODE_NONE:
        case CS_ERROR_CODE_CIRCUIT_OPEN:
        default:
          other++;
          break;
        }
    }

  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                        /* Translators: title of a notification
                                         * summarizing one run */
                                        "%u appointment needs review",
                                        "%u appointments need review",
                                        appointments->len),
                           appointments->len);

  /* One line per kind, in a fixed order */
  if (orphaned_local > 0)
    {
      g_string_append_printf (body,
                              g_dngettext (GETTEXT_PACKAGE,
                                           /* Translators: one line of a summary notification */
                                           "%u not found in Cal.com",
                                           "%u not found in Cal.com",
                                           orphaned_local),
                              orphaned_local);
      g_string_append_c (body, '\n');
    }

  if (orphaned_calcom > 0)
    {
      g_string_append_printf (body,
                              g_dngettext (GETTEXT_PACKAGE,
                                           /* Translators: one line of a summary notification */
                                           "%u in Cal.com but not in the database",
                                           "%u in Cal.com but not in the database",
                                           orphaned_calcom),
                              orphaned_calcom);
      g_string_append_c (body, '\n');
    }

  if (mismatch > 0)
    {
      g_string_append_printf (body,
                              g_dngettext (GETTEXT_PACKAGE,
                                           /* Translators: one line of a summary notification */
                                           "%u with a different time or status",
                                           "%u with a different time or status",
                                           mismatch),
                              mismatch);
      g_string_append_c (body, '\n');
    }

  if (unverified > 0)
    {
      g_string_append_printf (body,
                              g_dngettext (GETTEXT_PACKAGE,
                                           /* Translators: one line of a summary notification */
                                           "%u could not be verified",
                                           "%u could not be verified",
                                           unverified),
                              unverified);
      g_string_append_c (body, '\n');
    }

  if (other > 0)
    {
      g_string_append_printf (body,
                              g_dngettext (GETTEXT_PACKAGE,
                                           /* Translators: one line of a summary notification */
                                           "%u for another reason",
                                           "%u for another reason",
                                           other),
                              other);
      g_string_append_c (body, '\n');
    }

  if (body->len > 0)
    g_string_truncate (body, body->len - 1);

  notification = g_notification_new (title);
  g_notification_set_body (notification, body->str);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_NORMAL);
  /* 0: the review list, not one appointment */
  g_notification_set_default_action_and_target_value (notification, "app.review",
                                                      g_variant_new_int64 (0));

  return g_steal_pointer (&notification);
}

static void
cs_notifier_dispose (GObject *object)
{
  CsNotifier *self = (CsNotifier *)object;

  cs_notifier_set_send_func (self, NULL, NULL, NULL);

  G_OBJECT_CLASS (cs_notifier_parent_class)->dispose (object);
}

static void
cs_notifier_finalize (GObject *object)
{
  CsNotifier *self = (CsNotifier *)object;

  g_weak_ref_clear (&self->application);
  g_clear_pointer (&self->seen, g_hash_table_unref);

  G_OBJECT_CLASS (cs_notifier_parent_class)->finalize (object);
}

static void
cs_notifier_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CsNotifier *self = CS_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_APPLICATION:
      g_value_take_object (value, cs_notifier_dup_application (self));
      break;

    case PROP_ENABLED:
      g_value_set_boolean (value, cs_notifier_get_enabled (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_notifier_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  CsNotifier *self = CS_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_APPLICATION:
      g_weak_ref_set (&self->application, g_value_get_object (value));
      break;

    case PROP_ENABLED:
      cs_notifier_set_enabled (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_notifier_class_init (CsNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_notifier_dispose;
  object_class->finalize = cs_notifier_finalize;
  object_class->get_property = cs_notifier_get_property;
  object_class->set_property = cs_notifier_set_property;

  /**
   * CsNotifier:application:
   *
   * The application that sends the notifications, held by a weak reference.
   */
  properties[PROP_APPLICATION] =
    g_param_spec_object ("application", NULL, NULL,
                         G_TYPE_APPLICATION,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * CsNotifier:enabled:
   *
   * Whether notifications are sent; bound to the GSettings key
   * `notifications`. Flags are remembered while it is %FALSE.
   */
  properties[PROP_ENABLED] =
    g_param_spec_boolean ("enabled", NULL, NULL,
                          TRUE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CsNotifier::sent:
   * @self: the notifier
   * @id: the notification id
   * @notification: the notification
   *
   * Emitted after each notification was handed to the send function, so
   * an in-app list can show the same notifications.
   */
  signals[SENT] =
    g_signal_new ("sent",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE,
                  2,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_NOTIFICATION);
}

static void
cs_notifier_init (CsNotifier *self)
{
  g_weak_ref_init (&self->application, NULL);
  self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->enabled = TRUE;
}

/**
 * cs_notifier_new:
 * @application: (nullable): the application that sends the notifications
 *
 * Creates a notifier. It holds a weak reference on @application; without
 * a live, registered application the default send function shows nothing
 * (the #CsNotifier::sent signal is still emitted).
 *
 * Returns: (transfer full): a new #CsNotifier
 */
CsNotifier *
cs_notifier_new (GApplication *application)
{
  g_return_val_if_fail (application == NULL || G_IS_APPLICATION (application), NULL);

  return g_object_new (CS_TYPE_NOTIFIER,
                       "application", application,
                       NULL);
}

/**
 * cs_notifier_dup_application:
 * @self: a #CsNotifier
 *
 * Returns: (transfer full) (nullable): the application, if it still lives
 */
GApplication *
cs_notifier_dup_application (CsNotifier *self)
{
  g_return_val_if_fail (CS_IS_NOTIFIER (self), NULL);

  return g_weak_ref_get (&self->application);
}

/**
 * cs_notifier_get_enabled:
 * @self: a #CsNotifier
 *
 * Returns: whether notifications are sent
 */
gboolean
cs_notifier_get_enabled (CsNotifier *self)
{
  g_return_val_if_fail (CS_IS_NOTIFIER (self), FALSE);

  return self->enabled;
}

/**
 * cs_notifier_set_enabled:
 * @self: a #CsNotifier
 * @enabled: whether to send notifications
 *
 * Turns notifications on or off. While off, flags are still remembered, so
 * turning them on again does not replay old ones.
 */
void
cs_notifier_set_enabled (CsNotifier *self,
                         gboolean    enabled)
{
  g_return_if_fail (CS_IS_NOTIFIER (self));

  enabled = !!enabled;

  if (self->enabled != enabled)
    {
      self->enabled = enabled;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENABLED]);
    }
}

/**
 * cs_notifier_set_send_func:
 * @self: a #CsNotifier
 * @func: (nullable): the send function, or %NULL for the default
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Replaces how notifications are shown. The default sends them with
 * g_application_send_notification() on the notifier's application.
 */
void
cs_notifier_set_send_func (CsNotifier         *self,
                           CsNotifierSendFunc  func,
                           gpointer            user_data,
                           GDestroyNotify      destroy)
{
  gpointer old_data;
  GDestroyNotify old_destroy;

  g_return_if_fail (CS_IS_NOTIFIER (self));

  old_data = self->send_data;
  old_destroy = self->send_destroy;

  self->send_func = func;
  self->send_data = func != NULL ? user_data : NULL;
  self->send_destroy = func != NULL ? destroy : NULL;

  if (old_destroy != NULL)
    old_destroy (old_data);
}

/**
 * cs_notifier_flagged:
 * @self: a #CsNotifier
 * @appointments: (array length=n): the appointments a run newly flagged
 * @n: the length of @appointments
 *
 * Notifies about the appointments one run flagged for manual review: one
 * notification (id `flagged-<id>`) for one appointment, one summary (id
 * `flagged-summary`) with the counts by kind for several.
 *
 * Appointments whose `requires_manual_review` is not set are skipped, and
 * so is every flag (appointment id and `manual_review_flagged_at`) this
 * notifier has seen before: the same flag is never notified twice. Flags
 * are remembered even while #CsNotifier:enabled is %FALSE.
 */
void
cs_notifier_flagged (CsNotifier                  *self,
                     const CsAppointment * const *appointments,
                     guint                        n)
{
  g_autoptr(GPtrArray) fresh = NULL;
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = NULL;

  g_return_if_fail (CS_IS_NOTIFIER (self));
  g_return_if_fail (appointments != NULL || n == 0);

  fresh = g_ptr_array_new ();

  for (guint i = 0; i < n; i++)
    {
      const CsAppointment *appointment = appointments[i];
      char *key;

      if (appointment == NULL || !appointment->sync.requires_manual_review)
        continue;

      key = g_strdup_printf ("%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT,
                             appointment->id,
                             (gint64) appointment->sync.manual_review_flagged_at);

      /* Takes @key either way; FALSE when the flag was seen before */
      if (!g_hash_table_add (self->seen, key))
        continue;

      g_ptr_array_add (fresh, (gpointer) appointment);
    }

  if (fresh->len == 0)
    return;

  if (!self->enabled)
    {
      g_debug ("Notifications are off: %u new flags not notified", fresh->len);
      return;
    }

  if (fresh->len == 1)
    {
      const CsAppointment *appointment = g_ptr_array_index (fresh, 0);

      notification = single_notification (appointment);
      id = g_strdup_printf ("flagged-%" G_GINT64_FORMAT, appointment->id);
    }
  else
    {
      notification = summary_notification (fresh);
      id = g_strdup ("flagged-summary");
    }

  cs_notifier_send (self, id, notification);
}

/**
 * cs_notifier_sync_restored:
 * @self: a #CsNotifier
 * @service: the service that answers again
 *
 * Notifies that @service answers again after an outage (its circuit
 * closed), under the id `sync-restored`.
 */
void
cs_notifier_sync_restored (CsNotifier        *self,
                           CsNotifierService  service)
{
  g_autoptr(GNotification) notification = NULL;
  const char *body;

  g_return_if_fail (CS_IS_NOTIFIER (self));
  g_return_if_fail (service == CS_NOTIFIER_SERVICE_CALCOM ||
                    service == CS_NOTIFIER_SERVICE_CRM);

  if (!self->enabled)
    {
      g_debug ("Notifications are off: sync restored not notified");
      return;
    }

  switch (service)
    {
    case CS_NOTIFIER_SERVICE_CALCOM:
      /* Translators: body of the "Sync restored" notification */
      body = _("Cal.com is answering again.");
      break;

    case CS_NOTIFIER_SERVICE_CRM:
    default:
      /* Translators: body of the "Sync restored" notification; the CRM
       * server is the company's own appointment database */
      body = _("The CRM server is answering again.");
      break;
    }

  /* Translators: title of a notification after an outage ended */
  notification = g_notification_new (_("Sync restored"));
  g_notification_set_body (notification, body);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_LOW);

  cs_notifier_send (self, "sync-restored", notification);
}
