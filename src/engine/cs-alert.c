/* cs-alert.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-alert-private.h"
#include "cs-json-util.h"
#include "cs-verifier.h"

/**
 * CsAlert:
 *
 * One in-app alert of #CsAlertLog: what happened, when, and whether the
 * user has seen it.
 *
 * An alert holds no customer data (DESIGN.md §5), so it may be stored as it
 * is: a flag names its appointment by id and number (or its booking by
 * uid) and its error code; the window reads the customer and the time from
 * the cache when it shows the alert. A failure keeps one of the fixed
 * reasons of cs-verifier.h (`CS_LOOKUP_REASON_*`), never a server's words.
 */
struct _CsAlert
{
  GObject            parent_instance;

  CsAlertKind        kind;
  CsTime             time;
  gint64             appointment_id;
  char              *number;
  char              *booking_uid;
  CsErrorCode        error_code;
  guint              count;
  const char        *reason;
  CsNotifierService  service;
  gboolean           read;
};

G_DEFINE_FINAL_TYPE (CsAlert, cs_alert, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_READ,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The reasons a failure may carry; anything else read back is "failed". */
static const char * const reasons[] = {
  CS_LOOKUP_REASON_TIMEOUT,
  CS_LOOKUP_REASON_UNREACHABLE,
  CS_LOOKUP_REASON_SERVER,
  CS_LOOKUP_REASON_RATE_LIMITED,
  CS_LOOKUP_REASON_CIRCUIT_OPEN,
  CS_LOOKUP_REASON_REJECTED,
  CS_LOOKUP_REASON_INVALID_ANSWER,
  CS_LOOKUP_REASON_FAILED,
};

static const char *
intern_reason (const char *reason)
{
  for (guint i = 0; reason != NULL && i < G_N_ELEMENTS (reasons); i++)
    {
      if (g_str_equal (reason, reasons[i]))
        return reasons[i];
    }

  return CS_LOOKUP_REASON_FAILED;
}

static const char * const kind_names[] = { "flagged", "run-failed", "restored" };
static const char * const service_names[] = { "calcom", "crm" };

static void
cs_alert_finalize (GObject *object)
{
  CsAlert *self = CS_ALERT (object);

  g_free (self->number);
  g_free (self->booking_uid);

  G_OBJECT_CLASS (cs_alert_parent_class)->finalize (object);
}

static void
cs_alert_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  CsAlert *self = CS_ALERT (object);

  switch (prop_id)
    {
    case PROP_READ:
      g_value_set_boolean (value, self->read);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_alert_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  CsAlert *self = CS_ALERT (object);

  switch (prop_id)
    {
    case PROP_READ:
      cs_alert_set_read (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_alert_class_init (CsAlertClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cs_alert_finalize;
  object_class->get_property = cs_alert_get_property;
  object_class->set_property = cs_alert_set_property;

  /**
   * CsAlert:read:
   *
   * Whether the user has seen the alert.
   */
  properties[PROP_READ] =
    g_param_spec_boolean ("read", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_alert_init (CsAlert *self)
{
  self->count = 1;
}

static CsAlert *
alert_new (CsAlertKind kind,
           CsTime      time)
{
  CsAlert *self = g_object_new (CS_TYPE_ALERT, NULL);

  self->kind = kind;
  self->time = time;

  return self;
}

/**
 * cs_alert_new_flagged:
 * @time: when the run flagged it
 * @appointment_id: the appointment, or 0 for a booking only in Cal.com or
 *   a summary
 * @number: (nullable): the appointment's number for people
 * @booking_uid: (nullable): the booking only in Cal.com
 * @error_code: why it was flagged
 * @count: how many items the alert stands for: 1, or more for a summary
 *   (then @appointment_id is 0 and @booking_uid %NULL)
 *
 * Returns: (transfer full): a new unread alert
 */
CsAlert *
cs_alert_new_flagged (CsTime       time,
                      gint64       appointment_id,
                      const char  *number,
                      const char  *booking_uid,
                      CsErrorCode  error_code,
                      guint        count)
{
  CsAlert *self;

  g_return_val_if_fail (count > 0, NULL);

  self = alert_new (CS_ALERT_FLAGGED, time);
  self->appointment_id = appointment_id;
  self->number = g_strdup (number);
  self->booking_uid = g_strdup (booking_uid);
  self->error_code = error_code;
  self->count = count;

  return self;
}

/**
 * cs_alert_new_run_failed:
 * @time: when the check ended
 * @reason: (nullable): one of the `CS_LOOKUP_REASON_*` phrases; anything
 *   else is kept as %CS_LOOKUP_REASON_FAILED
 *
 * Returns: (transfer full): a new unread alert
 */
CsAlert *
cs_alert_new_run_failed (CsTime      time,
                         const char *reason)
{
  CsAlert *self = alert_new (CS_ALERT_RUN_FAILED, time);

  self->reason = intern_reason (reason);

  return self;
}

/**
 * cs_alert_new_restored:
 * @time: when the service answered again
 * @service: which service
 *
 * Returns: (transfer full): a new unread alert; its count (appointments
 *   verified after the outage) is 0 until a run tells it
 */
CsAlert *
cs_alert_new_restored (CsTime            time,
                       CsNotifierService service)
{
  CsAlert *self = alert_new (CS_ALERT_RESTORED, time);

  self->service = service;
  self->count = 0;

  return self;
}

/**
 * cs_alert_get_kind:
 * @self: an alert
 *
 * Returns: what the alert tells about
 */
CsAlertKind
cs_alert_get_kind (CsAlert *self)
{
  g_return_val_if_fail (CS_IS_ALERT (self), CS_ALERT_FLAGGED);

  return self->kind;
}

/**
 * cs_alert_get_time:
 * @self: an alert
 *
 * Returns: when it happened (for a repeated failure, the last time)
 */
CsTime
cs_alert_get_time (CsAlert *self)
{
  g_return_val_if_fail (CS_IS_ALERT (self), CS_TIME_UNSET);

  return self->time;
}

/**
 * cs_alert_get_read:
 * @self: an alert
 *
 * Returns: whether the user has seen it
 */
gboolean
cs_alert_get_read (CsAlert *self)
{
  g_return_val_if_fail (CS_IS_ALERT (self), FALSE);

  return self->read;
}

/**
 * cs_alert_set_read:
 * @self: an alert
 * @read: whether the user has seen it
 *
 * Marks one alert; #CsAlertLog follows, counts and stores it.
 */
void
cs_alert_set_read (CsAlert  *self,
                   gboolean  read)
{
  g_return_if_fail (CS_IS_ALERT (self));

  read = !!read;
  if (self->read == read)
    return;

  self->read = read;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READ]);
}

/**
 * cs_alert_get_appointment_id:
 * @self: an alert
 *
 * Returns: the flagged appointment, or 0
 */
gint64
cs_alert_get_appointment_id (CsAlert *self)
{
  g_return_val_if_fail (CS_IS_ALERT (self), 0);

  return self->appointment_id;
}

/**
 * cs_alert_get_number:
 * @self: an alert
 *
 * Returns: (nullable): the flagged appointment's number
 */
const char *
cs_alert_get_number (CsAlert *self)
{
  g_return_val_if_fail (CS_IS_ALERT (self), NULL);

  return self->number;
}

/**
 * cs_alert_get_booking_uid:
 * @self: an alert
 *
 * Returns: (nullable): the flagged booking only in Cal.com
 */
const char *
cs_alert_get_booking_uid (CsAlert *self)
{
  g_return_val_if_fail (CS_IS_ALERT (self), NULL);

  return self->booking_uid;
}

/**
 * cs_alert_get_error_code:
 * @self: an alert
 *
 * Returns: why a single flagged item was flagged
 */
CsErrorCode
cs_alert_get_error_code (CsAlert *self)
{
  g_return_val_if_fail (CS_IS_ALERT (self), CS_ERROR_CODE_NONE);

  return self->error_code;
}

/**
 * cs_alert_get_count:
 * @self: an alert
 *
 * Returns: for a flag, the items it stands for; for a failure, how many
 *   checks in a row failed so; for a restored sync, the appointments the
 *   first run after it verified (0 while unknown)
 */
guint
cs_alert_get_count (CsAlert *self)
{
  g_return_val_if_fail (CS_IS_ALERT (self), 0);

  return self->count;
}

/**
 * cs_alert_get_reason:
 * @self: an alert
 *
 * Returns: (nullable): for a failure, one of the `CS_LOOKUP_REASON_*`
 *   phrases (English: translate with cs_ui_error_label())
 */
const char *
cs_alert_get_reason (CsAlert *self)
{
  g_return_val_if_fail (CS_IS_ALERT (self), NULL);

  return self->reason;
}

/**
 * cs_alert_get_service:
 * @self: an alert
 *
 * Returns: for a restored sync, the service that answers again
 */
CsNotifierService
cs_alert_get_service (CsAlert *self)
{
  g_return_val_if_fail (CS_IS_ALERT (self), CS_NOTIFIER_SERVICE_CALCOM);

  return self->service;
}

/**
 * cs_alert_is_summary:
 * @self: an alert
 *
 * Returns: whether it is a flag standing for several items (no single
 *   appointment to open)
 */
gboolean
cs_alert_is_summary (CsAlert *self)
{
  g_return_val_if_fail (CS_IS_ALERT (self), FALSE);

  return self->kind == CS_ALERT_FLAGGED && self->count > 1;
}

void
_cs_alert_set_time (CsAlert *self,
                    CsTime   time)
{
  g_return_if_fail (CS_IS_ALERT (self));

  self->time = time;
}

void
_cs_alert_set_count (CsAlert *self,
                     guint    count)
{
  g_return_if_fail (CS_IS_ALERT (self));

  self->count = count;
}

/* The stored form: ids, codes and counts, never customer data. */
void
_cs_alert_to_json (CsAlert     *self,
                   JsonBuilder *builder)
{
  g_return_if_fail (CS_IS_ALERT (self));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind_names[self->kind]);
  json_builder_set_member_name (builder, "time");
  json_builder_add_int_value (builder, self->time);
  json_builder_set_member_name (builder, "read");
  json_builder_add_boolean_value (builder, self->read);
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, self->count);

  switch (self->kind)
    {
    case CS_ALERT_FLAGGED:
      json_builder_set_member_name (builder, "appointment_id");
      json_builder_add_int_value (builder, self->appointment_id);
      if (self->number != NULL)
        cs_json_builder_add_string (builder, "number", self->number);
      if (self->booking_uid != NULL)
        cs_json_builder_add_string (builder, "booking_uid", self->booking_uid);
      if (self->error_code != CS_ERROR_CODE_NONE)
        cs_json_builder_add_string (builder, "error_code", cs_error_code_to_string (self->error_code));
      break;

    case CS_ALERT_RUN_FAILED:
      cs_json_builder_add_string (builder, "reason", self->reason);
      break;

    case CS_ALERT_RESTORED:
      cs_json_builder_add_string (builder, "service", service_names[self->service]);
      break;

    default:
      g_assert_not_reached ();
    }

  json_builder_end_object (builder);
}

static gboolean
lookup_name (const char         *name,
             const char * const *names,
             guint               n_names,
             guint              *value)
{
  for (guint i = 0; name != NULL && i < n_names; i++)
    {
      if (g_str_equal (name, names[i]))
        {
          *value = i;
          return TRUE;
        }
    }

  return FALSE;
}

/* Returns NULL for anything this build did not write: a stored alert of a
 * newer version, or a damaged one, is dropped rather than shown wrong. */
CsAlert *
_cs_alert_new_from_json (JsonObject *object)
{
  g_autoptr(CsAlert) self = NULL;
  const char *kind = NULL;
  const char *number = NULL;
  const char *booking_uid = NULL;
  const char *error_code = NULL;
  const char *reason = NULL;
  const char *service = NULL;
  gint64 time = 0;
  gint64 appointment_id = 0;
  guint count = 0;
  gboolean read = FALSE;
  guint value;

  g_return_val_if_fail (object != NULL, NULL);

  if (!cs_json_get_string (object, "kind", CS_JSON_REQUIRED, &kind, NULL) ||
      !cs_json_get_int (object, "time", CS_JSON_REQUIRED, 0, G_MAXINT64, &time, NULL) ||
      !cs_json_get_boolean (object, "read", 0, &read, NULL) ||
      !cs_json_get_uint (object, "count", 0, &count, NULL) ||
      !cs_json_get_int (object, "appointment_id", 0, 0, G_MAXINT64, &appointment_id, NULL) ||
      !cs_json_get_string (object, "number", 0, &number, NULL) ||
      !cs_json_get_string (object, "booking_uid", 0, &booking_uid, NULL) ||
      !cs_json_get_string (object, "error_code", 0, &error_code, NULL) ||
      !cs_json_get_string (object, "reason", 0, &reason, NULL) ||
      !cs_json_get_string (object, "service", 0, &service, NULL) ||
      !lookup_name (kind, kind_names, G_N_ELEMENTS (kind_names), &value))
    return NULL;

  self = alert_new ((CsAlertKind) value, time);
  self->read = read;
  self->count = count;

  switch (self->kind)
    {
    case CS_ALERT_FLAGGED:
      if (count == 0 || !cs_error_code_from_string (error_code, &self->error_code))
        return NULL;
      self->appointment_id = appointment_id;
      self->number = g_strdup (number);
      self->booking_uid = g_strdup (booking_uid);
      break;

    case CS_ALERT_RUN_FAILED:
      self->reason = intern_reason (reason);
      break;

    case CS_ALERT_RESTORED:
      if (!lookup_name (service, service_names, G_N_ELEMENTS (service_names), &value))
        return NULL;
      self->service = (CsNotifierService) value;
      break;

    default:
      g_assert_not_reached ();
    }

  return g_steal_pointer (&self);
}
