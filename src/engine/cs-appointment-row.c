/* cs-appointment-row.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-appointment-row-private.h"
#include "cs-core-enum-types.h"

/**
 * CsAppointmentRow:
 *
 * One line of the appointment list: the columns of an appointment, or of a
 * Cal.com booking no appointment claims, as #CsAppointmentModel read them
 * for a visible position. A snapshot: its properties are read-only and
 * never change; the model makes a new row after a reload.
 */

struct _CsAppointmentRow
{
  GObject       parent_instance;

  /* Owned */
  char         *number;
  char         *customer_name;
  char         *error_message;
  char         *booking_uid;

  gint64        id;
  CsTime        starts_at;
  CsTime        last_attempt_at;
  CsSyncStatus  status;
  CsErrorCode   error_code;
  guint         attempts;
  guint         requires_manual_review : 1;
  guint         needs_review : 1;
  guint         is_orphaned_booking : 1;
};

G_DEFINE_FINAL_TYPE (CsAppointmentRow, cs_appointment_row, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NUMBER,
  PROP_CUSTOMER_NAME,
  PROP_STARTS_AT,
  PROP_STATUS,
  PROP_ERROR_CODE,
  PROP_ERROR_MESSAGE,
  PROP_ATTEMPTS,
  PROP_LAST_ATTEMPT_AT,
  PROP_REQUIRES_MANUAL_REVIEW,
  PROP_NEEDS_REVIEW,
  PROP_BOOKING_UID,
  PROP_IS_ORPHANED_BOOKING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cs_appointment_row_finalize (GObject *object)
{
  CsAppointmentRow *self = (CsAppointmentRow *) object;

  g_clear_pointer (&self->number, g_free);
  g_clear_pointer (&self->customer_name, g_free);
  g_clear_pointer (&self->error_message, g_free);
  g_clear_pointer (&self->booking_uid, g_free);

  G_OBJECT_CLASS (cs_appointment_row_parent_class)->finalize (object);
}

static void
cs_appointment_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CsAppointmentRow *self = CS_APPOINTMENT_ROW (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;

    case PROP_NUMBER:
      g_value_set_string (value, self->number);
      break;

    case PROP_CUSTOMER_NAME:
      g_value_set_string (value, self->customer_name);
      break;

    case PROP_STARTS_AT:
      g_value_set_int64 (value, self->starts_at);
      break;

    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;

    case PROP_ERROR_CODE:
      g_value_set_enum (value, self->error_code);
      break;

    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;

    case PROP_ATTEMPTS:
      g_value_set_uint (value, self->attempts);
      break;

    case PROP_LAST_ATTEMPT_AT:
      g_value_set_int64 (value, self->last_attempt_at);
      break;

    case PROP_REQUIRES_MANUAL_REVIEW:
      g_value_set_boolean (value, self->requires_manual_review);
      break;

    case PROP_NEEDS_REVIEW:
      g_value_set_boolean (value, self->needs_review);
      break;

    case PROP_BOOKING_UID:
      g_value_set_string (value, self->booking_uid);
      break;

    case PROP_IS_ORPHANED_BOOKING:
      g_value_set_boolean (value, self->is_orphaned_booking);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_appointment_row_class_init (CsAppointmentRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cs_appointment_row_finalize;
  object_class->get_property = cs_appointment_row_get_property;

  /**
   * CsAppointmentRow:id:
   *
   * The appointment's CRM id, or 0 for an orphaned booking.
   */
  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL,
                        G_MININT64, G_MAXINT64, 0,
                        (G_PARAM_READABLE |
                         G_PARAM_STATIC_STRINGS |
                         G_PARAM_EXPLICIT_NOTIFY));

  /**
   * CsAppointmentRow:number:
   *
   * The number shown to people, or %NULL.
   */
  properties[PROP_NUMBER] =
    g_param_spec_string ("number", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE |
                          G_PARAM_STATIC_STRINGS |
                          G_PARAM_EXPLICIT_NOTIFY));

  /**
   * CsAppointmentRow:customer-name:
   *
   * The customer (for an orphaned booking: its first attendee), or %NULL.
   */
  properties[PROP_CUSTOMER_NAME] =
    g_param_spec_string ("customer-name", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE |
                          G_PARAM_STATIC_STRINGS |
                          G_PARAM_EXPLICIT_NOTIFY));

  /**
   * CsAppointmentRow:starts-at:
   *
   * The start instant.
   */
  properties[PROP_STARTS_AT] =
    g_param_spec_int64 ("starts-at", NULL, NULL,
                        G_MININT64, G_MAXINT64, 0,
                        (G_PARAM_READABLE |
                         G_PARAM_STATIC_STRINGS |
                         G_PARAM_EXPLICIT_NOTIFY));

  /**
   * CsAppointmentRow:status:
   *
   * The `calcom_sync_status`.
   */
  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL,
                       CS_TYPE_SYNC_STATUS, CS_SYNC_STATUS_PENDING,
                       (G_PARAM_READABLE |
                        G_PARAM_STATIC_STRINGS |
                        G_PARAM_EXPLICIT_NOTIFY));

  /**
   * CsAppointmentRow:error-code:
   *
   * The `sync_error_code`.
   */
  properties[PROP_ERROR_CODE] =
    g_param_spec_enum ("error-code", NULL, NULL,
                       CS_TYPE_ERROR_CODE, CS_ERROR_CODE_NONE,
                       (G_PARAM_READABLE |
                        G_PARAM_STATIC_STRINGS |
                        G_PARAM_EXPLICIT_NOTIFY));

  /**
   * CsAppointmentRow:error-message:
   *
   * The `sync_error_message`, or %NULL.
   */
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE |
                          G_PARAM_STATIC_STRINGS |
                          G_PARAM_EXPLICIT_NOTIFY));

  /**
   * CsAppointmentRow:attempts:
   *
   * The `sync_attempt_count`.
   */
  properties[PROP_ATTEMPTS] =
    g_param_spec_uint ("attempts", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE |
                        G_PARAM_STATIC_STRINGS |
                        G_PARAM_EXPLICIT_NOTIFY));

  /**
   * CsAppointmentRow:last-attempt-at:
   *
   * The last verification attempt, or %CS_TIME_UNSET.
   */
  properties[PROP_LAST_ATTEMPT_AT] =
    g_param_spec_int64 ("last-attempt-at", NULL, NULL,
                        G_MININT64, G_MAXINT64, 0,
                        (G_PARAM_READABLE |
                         G_PARAM_STATIC_STRINGS |
                         G_PARAM_EXPLICIT_NOTIFY));

  /**
   * CsAppointmentRow:requires-manual-review:
   *
   * Whether the row is flagged for manual review.
   */
  properties[PROP_REQUIRES_MANUAL_REVIEW] =
    g_param_spec_boolean ("requires-manual-review", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE |
                           G_PARAM_STATIC_STRINGS |
                           G_PARAM_EXPLICIT_NOTIFY));

  /**
   * CsAppointmentRow:needs-review:
   *
   * Flagged for manual review and not resolved.
   */
  properties[PROP_NEEDS_REVIEW] =
    g_param_spec_boolean ("needs-review", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE |
                           G_PARAM_STATIC_STRINGS |
                           G_PARAM_EXPLICIT_NOTIFY));

  /**
   * CsAppointmentRow:booking-uid:
   *
   * The Cal.com booking uid, or %NULL.
   */
  properties[PROP_BOOKING_UID] =
    g_param_spec_string ("booking-uid", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE |
                          G_PARAM_STATIC_STRINGS |
                          G_PARAM_EXPLICIT_NOTIFY));

  /**
   * CsAppointmentRow:is-orphaned-booking:
   *
   * Whether the row is a Cal.com booking no appointment claims.
   */
  properties[PROP_IS_ORPHANED_BOOKING] =
    g_param_spec_boolean ("is-orphaned-booking", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE |
                           G_PARAM_STATIC_STRINGS |
                           G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_appointment_row_init (CsAppointmentRow *self)
{
}

/**
 * _cs_appointment_row_new:
 * @info: the row's columns
 *
 * Returns: (transfer full): a new row holding copies of @info's values
 */
CsAppointmentRow *
_cs_appointment_row_new (const CsStoreRowInfo *info)
{
  CsAppointmentRow *self;

  g_return_val_if_fail (info != NULL, NULL);

  self = g_object_new (CS_TYPE_APPOINTMENT_ROW, NULL);
  self->id = info->is_booking ? 0 : info->key;
  self->number = g_strdup (info->number);
  self->customer_name = g_strdup (info->customer_name);
  self->error_message = g_strdup (info->error_message);
  self->booking_uid = g_strdup (info->booking_uid);
  self->starts_at = info->starts_at;
  self->last_attempt_at = info->last_attempt_at;
  self->status = info->status;
  self->error_code = info->error_code;
  self->attempts = info->attempts;
  self->requires_manual_review = !!info->requires_manual_review;
  self->needs_review = info->requires_manual_review && info->resolved_at == CS_TIME_UNSET;
  self->is_orphaned_booking = !!info->is_booking;

  return self;
}

/**
 * cs_appointment_row_get_id:
 * @self: a row
 *
 * Returns: the appointment's CRM id, or 0 for an orphaned booking
 */
gint64
cs_appointment_row_get_id (CsAppointmentRow *self)
{
  g_return_val_if_fail (CS_IS_APPOINTMENT_ROW (self), 0);

  return self->id;
}

/**
 * cs_appointment_row_get_number:
 * @self: a row
 *
 * Returns: (nullable): the number shown to people, or %NULL
 */
const char *
cs_appointment_row_get_number (CsAppointmentRow *self)
{
  g_return_val_if_fail (CS_IS_APPOINTMENT_ROW (self), NULL);

  return self->number;
}

/**
 * cs_appointment_row_get_customer_name:
 * @self: a row
 *
 * Returns: (nullable): the customer (for an orphaned booking: its first attendee), or %NULL
 */
const char *
cs_appointment_row_get_customer_name (CsAppointmentRow *self)
{
  g_return_val_if_fail (CS_IS_APPOINTMENT_ROW (self), NULL);

  return self->customer_name;
}

/**
 * cs_appointment_row_get_starts_at:
 * @self: a row
 *
 * Returns: the start instant
 */
CsTime
cs_appointment_row_get_starts_at (CsAppointmentRow *self)
{
  g_return_val_if_fail (CS_IS_APPOINTMENT_ROW (self), 0);

  return self->starts_at;
}

/**
 * cs_appointment_row_get_status:
 * @self: a row
 *
 * Returns: the `calcom_sync_status`
 */
CsSyncStatus
cs_appointment_row_get_status (CsAppointmentRow *self)
{
  g_return_val_if_fail (CS_IS_APPOINTMENT_ROW (self), CS_SYNC_STATUS_PENDING);

  return self->status;
}

/**
 * cs_appointment_row_get_error_code:
 * @self: a row
 *
 * Returns: the `sync_error_code`
 */
CsErrorCode
cs_appointment_row_get_error_code (CsAppointmentRow *self)
{
  g_return_val_if_fail (CS_IS_APPOINTMENT_ROW (self), CS_ERROR_CODE_NONE);

  return self->error_code;
}

/**
 * cs_appointment_row_get_error_message:
 * @self: a row
 *
 * Returns: (nullable): the `sync_error_message`, or %NULL
 */
const char *
cs_appointment_row_get_error_message (CsAppointmentRow *self)
{
  g_return_val_if_fail (CS_IS_APPOINTMENT_ROW (self), NULL);

  return self->error_message;
}

/**
 * cs_appointment_row_get_attempts:
 * @self: a row
 *
 * Returns: the `sync_attempt_count`
 */
guint
cs_appointment_row_get_attempts (CsAppointmentRow *self)
{
  g_return_val_if_fail (CS_IS_APPOINTMENT_ROW (self), 0);

  return self->attempts;
}

/**
 * cs_appointment_row_get_last_attempt_at:
 * @self: a row
 *
 * Returns: the last verification attempt, or %CS_TIME_UNSET
 */
CsTime
cs_appointment_row_get_last_attempt_at (CsAppointmentRow *self)
{
  g_return_val_if_fail (CS_IS_APPOINTMENT_ROW (self), 0);

  return self->last_attempt_at;
}

/**
 * cs_appointment_row_get_requires_manual_review:
 * @self: a row
 *
 * Returns: whether the row is flagged for manual review
 */
gboolean
cs_appointment_row_get_requires_manual_review (CsAppointmentRow *self)
{
  g_return_val_if_fail (CS_IS_APPOINTMENT_ROW (self), FALSE);

  return self->requires_manual_review;
}

/**
 * cs_appointment_row_get_needs_review:
 * @self: a row
 *
 * Returns: flagged for manual review and not resolved
 */
gboolean
cs_appointment_row_get_needs_review (CsAppointmentRow *self)
{
  g_return_val_if_fail (CS_IS_APPOINTMENT_ROW (self), FALSE);

  return self->needs_review;
}

/**
 * cs_appointment_row_get_booking_uid:
 * @self: a row
 *
 * Returns: (nullable): the Cal.com booking uid, or %NULL
 */
const char *
cs_appointment_row_get_booking_uid (CsAppointmentRow *self)
{
  g_return_val_if_fail (CS_IS_APPOINTMENT_ROW (self), NULL);

  return self->booking_uid;
}

/**
 * cs_appointment_row_get_is_orphaned_booking:
 * @self: a row
 *
 * Returns: whether the row is a Cal.com booking no appointment claims
 */
gboolean
cs_appointment_row_get_is_orphaned_booking (CsAppointmentRow *self)
{
  g_return_val_if_fail (CS_IS_APPOINTMENT_ROW (self), FALSE);

  return self->is_orphaned_booking;
}
