/* cs-booking.h
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

#define CS_TYPE_BOOKING (cs_booking_get_type ())

/* The metadata keys that tie a booking to a CRM appointment (backend-api.md). */
#define CS_METADATA_CRM_APPOINTMENT_ID "crm_appointment_id"
#define CS_METADATA_CRM_COMPANY_ID     "crm_company_id"

/**
 * CsAttendee:
 * @name: (nullable): customer data
 * @email: (nullable): customer data
 * @phone: (nullable): customer data
 *
 * One attendee of a booking.
 */
typedef struct
{
  char *name;
  char *email;
  char *phone;
} CsAttendee;

/**
 * CsBooking:
 * @uid: the booking uid (required)
 * @id: the numeric booking id, or 0
 * @start: start instant
 * @end: end instant
 * @status: the Cal.com status
 * @title: (nullable): the booking's title
 * @event_type_id: the event type, or 0
 * @attendees: (element-type CsAttendee): the attendees, never %NULL
 * @metadata: (nullable) (element-type utf8 utf8): the booking's metadata,
 *   values as strings
 * @updated_at: the last change in Cal.com, or %CS_TIME_UNSET
 * @rescheduled_to_uid: (nullable): for a booking cancelled by a
 *   reschedule, the uid of the booking that took its place
 * @rescheduled_from_uid: (nullable): for a booking made by a reschedule,
 *   the uid of the booking it replaced
 * @recurring_booking_uid: (nullable): the series an occurrence of a
 *   recurring booking belongs to
 * @seated: %TRUE for a seated booking (attendees with a `seatUid`)
 * @sync: the tracking fields of a booking no appointment claims (an
 *   `orphaned_calcom` finding goes through the same three attempts and the
 *   same flag as an appointment's); `pending` for every other booking
 * @next_attempt_at: when the retry policy wants the next attempt, or
 *   %CS_TIME_UNSET
 * @resolved_at: when a person resolved the finding, or %CS_TIME_UNSET
 * @resolved_by: the CRM user id who resolved it, or 0
 * @resolution: (nullable): the resolution action's name
 * @resolution_note: (nullable): the note the person wrote
 * @snoozed_until: the review is hidden until then, or %CS_TIME_UNSET
 *
 * A Cal.com booking (API v2). A plain value: copy it with cs_booking_copy().
 */
typedef struct _CsBooking
{
  char            *uid;
  gint64           id;
  CsTime           start;
  CsTime           end;
  CsBookingStatus  status;
  char            *title;
  gint64           event_type_id;
  GPtrArray       *attendees;
  GHashTable      *metadata;
  CsTime           updated_at;
  char            *rescheduled_to_uid;
  char            *rescheduled_from_uid;
  char            *recurring_booking_uid;
  gboolean         seated;

  CsSyncTracking   sync;
  CsTime           next_attempt_at;
  CsTime           resolved_at;
  gint64           resolved_by;
  char            *resolution;
  char            *resolution_note;
  CsTime           snoozed_until;
} CsBooking;

GType       cs_booking_get_type               (void) G_GNUC_CONST;
CsBooking  *cs_booking_new                    (const char       *uid);
CsBooking  *cs_booking_copy                   (const CsBooking  *self);
void        cs_booking_free                   (CsBooking        *self);
void        cs_booking_add_attendee           (CsBooking        *self,
                                               const char       *name,
                                               const char       *email,
                                               const char       *phone);
void        cs_booking_set_metadata           (CsBooking        *self,
                                               const char       *key,
                                               const char       *value);
const char *cs_booking_get_metadata           (const CsBooking  *self,
                                               const char       *key);
const char *cs_booking_get_crm_appointment_id (const CsBooking  *self);
gboolean    cs_booking_is_valid               (const CsBooking  *self,
                                               const char      **reason);

CsAttendee *cs_attendee_new                   (const char       *name,
                                               const char       *email,
                                               const char       *phone);
void        cs_attendee_free                  (CsAttendee       *attendee);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsBooking, cs_booking_free)

G_END_DECLS
