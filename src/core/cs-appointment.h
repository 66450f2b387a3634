/* cs-appointment.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "cs-enums.h"
#include "cs-sync-tracking.h"
#include "cs-time.h"

G_BEGIN_DECLS

#define CS_TYPE_APPOINTMENT (cs_appointment_get_type ())

/**
 * CsAppointment:
 * @id: the CRM id
 * @company_id: the company the appointment belongs to
 * @number: (nullable): the number shown to people ("1236")
 * @starts_at: start instant
 * @ends_at: end instant
 * @status: the CRM status
 * @title: (nullable): the service booked, e.g. "Hairstyling - Herrenschnitt"
 * @customer_name: (nullable): customer data: never logged, never notified
 * @customer_email: (nullable): customer data: never logged, never notified
 * @customer_phone: (nullable): customer data: never logged, never notified
 * @calcom_booking_uid: (nullable): the Cal.com booking, if one is known
 * @calcom_event_type_id: the Cal.com event type, or 0 if unknown
 * @source: (nullable): where the appointment came from ("voice_agent", "calcom")
 * @created_at: creation time in the CRM
 * @updated_at: last change in the CRM
 * @deleted_at: deletion time in the CRM, or %CS_TIME_UNSET
 * @sync: the eight tracking fields
 * @next_attempt_at: when the retry policy wants the next attempt, or
 *   %CS_TIME_UNSET
 * @resolved_at: when a person resolved the problem, or %CS_TIME_UNSET
 * @resolved_by: the CRM user id who resolved it, or 0
 * @resolution: (nullable): the resolution action's name
 * @resolution_note: (nullable): the note the person wrote
 * @snoozed_until: the review is hidden until then, or %CS_TIME_UNSET
 *
 * A CRM appointment (backend-api.md) with its tracking and resolution fields.
 * A plain value: copy it with cs_appointment_copy().
 */
typedef struct _CsAppointment
{
  gint64          id;
  gint64          company_id;
  char           *number;
  CsTime          starts_at;
  CsTime          ends_at;
  CsCrmStatus     status;
  char           *title;
  char           *customer_name;
  char           *customer_email;
  char           *customer_phone;
  char           *calcom_booking_uid;
  gint64          calcom_event_type_id;
  char           *source;
  CsTime          created_at;
  CsTime          updated_at;
  CsTime          deleted_at;

  CsSyncTracking  sync;

  CsTime          next_attempt_at;
  CsTime          resolved_at;
  gint64          resolved_by;
  char           *resolution;
  char           *resolution_note;
  CsTime          snoozed_until;
} CsAppointment;

GType          cs_appointment_get_type (void) G_GNUC_CONST;
CsAppointment *cs_appointment_new      (void);
CsAppointment *cs_appointment_copy     (const CsAppointment *self);
void           cs_appointment_free     (CsAppointment       *self);
gboolean       cs_appointment_is_valid (const CsAppointment *self,
                                        const char         **reason);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsAppointment, cs_appointment_free)

G_END_DECLS
