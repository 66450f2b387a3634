/* cs-appointment.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-appointment.h"

G_DEFINE_BOXED_TYPE (CsAppointment, cs_appointment, cs_appointment_copy, cs_appointment_free)

/**
 * cs_appointment_new:
 *
 * Returns: (transfer full): a new appointment with `pending` tracking fields
 */
CsAppointment *
cs_appointment_new (void)
{
  CsAppointment *self = g_new0 (CsAppointment, 1);

  self->status = CS_CRM_STATUS_SCHEDULED;
  cs_sync_tracking_init (&self->sync);

  return self;
}

/**
 * cs_appointment_copy:
 * @self: an appointment
 *
 * Returns: (transfer full): a deep copy of @self
 */
CsAppointment *
cs_appointment_copy (const CsAppointment *self)
{
  CsAppointment *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new (CsAppointment, 1);
  *copy = *self;
  copy->number = g_strdup (self->number);
  copy->title = g_strdup (self->title);
  copy->customer_name = g_strdup (self->customer_name);
  copy->customer_email = g_strdup (self->customer_email);
  copy->customer_phone = g_strdup (self->customer_phone);
  copy->calcom_booking_uid = g_strdup (self->calcom_booking_uid);
  copy->source = g_strdup (self->source);
  copy->resolution = g_strdup (self->resolution);
  copy->resolution_note = g_strdup (self->resolution_note);
  copy->sync.sync_error_message = g_strdup (self->sync.sync_error_message);

  return copy;
}

/**
 * cs_appointment_free:
 * @self: (nullable): an appointment
 *
 * Frees @self and everything it owns.
 */
void
cs_appointment_free (CsAppointment *self)
{
  if (self == NULL)
    return;

  g_free (self->number);
  g_free (self->title);
  g_free (self->customer_name);
  g_free (self->customer_email);
  g_free (self->customer_phone);
  g_free (self->calcom_booking_uid);
  g_free (self->source);
  g_free (self->resolution);
  g_free (self->resolution_note);
  cs_sync_tracking_clear (&self->sync);
  g_free (self);
}

/**
 * cs_appointment_is_valid:
 * @self: an appointment
 * @reason: (out) (optional) (transfer none): why it is not, in words that
 *   contain no customer data, so they may be logged
 *
 * Checks what every layer relies on: an id, a company, a start and an end,
 * and an end that is not before the start.
 *
 * Returns: %TRUE if @self may be reconciled and stored
 */
gboolean
cs_appointment_is_valid (const CsAppointment  *self,
                         const char          **reason)
{
  const char *why = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->id <= 0)
    why = "id is missing or not positive";
  else if (self->company_id <= 0)
    why = "company_id is missing or not positive";
  else if (self->starts_at == CS_TIME_UNSET)
    why = "starts_at is missing";
  else if (self->ends_at == CS_TIME_UNSET)
    why = "ends_at is missing";
  else if (self->ends_at < self->starts_at)
    why = "ends_at is before starts_at";
  else if ((guint) self->status > CS_CRM_STATUS_LAST)
    why = "status is unknown";

  if (reason != NULL)
    *reason = why;

  return why == NULL;
}
