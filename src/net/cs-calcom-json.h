/* cs-calcom-json.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "cs-booking.h"
#include "cs-json-util.h"
#include "cs-time.h"

G_BEGIN_DECLS

/* Calsync's default time zone for attendees it books. */
#define CS_CALCOM_DEFAULT_TIME_ZONE "Europe/Berlin"

/**
 * CsCalcomPage:
 * @total_items: `totalItems`
 * @remaining_items: `remainingItems`
 * @returned_items: `returnedItems`
 * @items_per_page: `itemsPerPage`
 * @current_page: `currentPage`
 * @total_pages: `totalPages`
 * @has_next_page: `hasNextPage`
 *
 * The `pagination` member of a Cal.com list answer (PaginationMetaDto).
 */
typedef struct
{
  guint    total_items;
  guint    remaining_items;
  guint    returned_items;
  guint    items_per_page;
  guint    current_page;
  guint    total_pages;
  gboolean has_next_page;
} CsCalcomPage;

/**
 * CsCalcomMe:
 * @id: the Cal.com user id
 * @username: (nullable): the user name
 * @email: the user's e-mail address
 * @time_zone: the user's time zone, e.g. "Europe/Berlin"
 * @organization_id: the organization, or 0
 *
 * The answer of `GET /v2/me` (MeOutput).
 */
typedef struct
{
  gint64  id;
  char   *username;
  char   *email;
  char   *time_zone;
  gint64  organization_id;
} CsCalcomMe;

/**
 * CsCalcomEventType:
 * @id: the event type id
 * @length_minutes: its length
 * @length_options: (element-type guint): the lengths a booking may choose
 *   (`lengthInMinutesOptions`), empty for an event type of one length
 * @email_required: whether a booking needs the attendee's e-mail (the
 *   `email` booking field's `required`; %TRUE when the answer says nothing)
 *
 * What Calsync reads of an event type (`GET /v2/event-types/{id}`,
 * 2024-06-14) before it books.
 */
typedef struct
{
  gint64    id;
  guint     length_minutes;
  GArray   *length_options;
  gboolean  email_required;
} CsCalcomEventType;

void     cs_calcom_event_type_free        (CsCalcomEventType *event_type);
gboolean cs_calcom_event_type_has_length  (const CsCalcomEventType *event_type,
                                           guint                    minutes);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsCalcomEventType, cs_calcom_event_type_free)

/**
 * CS_CALCOM_DEFAULT_CANCEL_REASON:
 *
 * The cancellation reason sent when the person gave none: Cal.com refuses
 * a host's cancel without one. English on the wire, as Cal.com shows it to
 * the attendee in its own e-mails.
 */
#define CS_CALCOM_DEFAULT_CANCEL_REASON "Cancelled in the CRM"

/**
 * CS_CALCOM_DEFAULT_RESCHEDULE_REASON:
 *
 * The rescheduling reason sent when the person gave none.
 */
#define CS_CALCOM_DEFAULT_RESCHEDULE_REASON "Moved to the time in the CRM"

/**
 * CsCalcomCreateRequest:
 * @event_type_id: the event type to book
 * @start: the start instant
 * @length_minutes: sent as `lengthInMinutes` when above 0: only for an
 *   event type with several lengths, and only one of them (Cal.com answers
 *   400 otherwise); 0 books the event type's own length
 * @attendee_name: the attendee's name
 * @attendee_email: (nullable): the attendee's e-mail address
 * @attendee_phone: (nullable): the attendee's phone number
 * @time_zone: (nullable): the attendee's time zone, or %NULL for
 *   %CS_CALCOM_DEFAULT_TIME_ZONE
 * @crm_appointment_id: the CRM appointment, written into the metadata
 * @crm_company_id: the CRM company, written into the metadata
 *
 * What cs_calcom_build_create_booking() needs. Borrowed strings.
 */
typedef struct
{
  gint64      event_type_id;
  CsTime      start;
  guint       length_minutes;
  const char *attendee_name;
  const char *attendee_email;
  const char *attendee_phone;
  const char *time_zone;
  gint64      crm_appointment_id;
  gint64      crm_company_id;
} CsCalcomCreateRequest;

void        cs_calcom_me_free                (CsCalcomMe                  *me);

GPtrArray  *cs_calcom_parse_bookings_page    (GBytes                      *body,
                                              CsCalcomPage                *page,
                                              guint                       *n_rejected,
                                              CsJsonPageKeys              *keys,
                                              GError                     **error);
CsBooking  *cs_calcom_parse_booking_response (GBytes                      *body,
                                              const char                  *uid,
                                              GError                     **error);
CsCalcomMe *cs_calcom_parse_me               (GBytes                      *body,
                                              GError                     **error);
char       *cs_calcom_parse_error_message    (GBytes                      *body);
CsCalcomEventType *cs_calcom_parse_event_type (GBytes                 *body,
                                               GError                **error);

GBytes     *cs_calcom_build_create_booking   (const CsCalcomCreateRequest *request);
GBytes     *cs_calcom_build_cancel           (const char                  *reason);
GBytes     *cs_calcom_build_reschedule       (CsTime                       start,
                                              const char                  *reason);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsCalcomMe, cs_calcom_me_free)

G_END_DECLS
