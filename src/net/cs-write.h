/* cs-write.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "cs-backend-json.h"
#include "cs-calcom-json.h"
#include "cs-http-client.h"

G_BEGIN_DECLS

/**
 * CsWriteKind:
 * @CS_WRITE_UNKNOWN: a stored write no kind could be found for
 * @CS_WRITE_CALCOM_CREATE_BOOKING: `POST /v2/bookings`
 * @CS_WRITE_CALCOM_CANCEL_BOOKING: `POST /v2/bookings/{uid}/cancel`
 * @CS_WRITE_CALCOM_RESCHEDULE_BOOKING: `POST /v2/bookings/{uid}/reschedule`
 * @CS_WRITE_BACKEND_CREATE_APPOINTMENT: `POST /api/v1/appointments`
 * @CS_WRITE_BACKEND_UPDATE_APPOINTMENT: `PATCH /api/v1/appointments/{id}`
 * @CS_WRITE_BACKEND_CANCEL_APPOINTMENT: `POST /api/v1/appointments/{id}/cancel`
 * @CS_WRITE_BACKEND_AUDIT_LOG: `POST /api/v1/audit-log`
 *
 * Every write Calsync makes to Cal.com or the CRM. The kind decides the
 * service, the method, the `cal-api-version` and whether a 409 means "there
 * already"; the outbox stores it with each write it keeps.
 */
typedef enum
{
  CS_WRITE_UNKNOWN,
  CS_WRITE_CALCOM_CREATE_BOOKING,
  CS_WRITE_CALCOM_CANCEL_BOOKING,
  CS_WRITE_CALCOM_RESCHEDULE_BOOKING,
  CS_WRITE_BACKEND_CREATE_APPOINTMENT,
  CS_WRITE_BACKEND_UPDATE_APPOINTMENT,
  CS_WRITE_BACKEND_CANCEL_APPOINTMENT,
  CS_WRITE_BACKEND_AUDIT_LOG,
} CsWriteKind;

#define CS_WRITE_KIND_LAST CS_WRITE_BACKEND_AUDIT_LOG

/**
 * CS_CALCOM_BOOKINGS_API_VERSION:
 *
 * The `cal-api-version` of every bookings endpoint Calsync uses.
 */
#define CS_CALCOM_BOOKINGS_API_VERSION "2024-08-13"

/**
 * CS_CALCOM_EVENT_TYPES_API_VERSION:
 *
 * The `cal-api-version` of `GET /v2/event-types/{id}`.
 */
#define CS_CALCOM_EVENT_TYPES_API_VERSION "2024-06-14"

/**
 * CsWrite:
 * @kind: what the write does
 * @path: the request path below the service's base URL, every segment
 *   escaped
 * @body: (nullable): the JSON body
 * @booking_uid: (nullable): the Cal.com booking a cancel or reschedule is
 *   about
 * @appointment_id: the CRM appointment it is about, or 0
 *
 * One write, built by the functions below from typed values: the only
 * place where Calsync spells a request path or a request body.
 */
typedef struct
{
  CsWriteKind  kind;
  char        *path;
  GBytes      *body;
  char        *booking_uid;
  gint64       appointment_id;
} CsWrite;

void         cs_write_free                  (CsWrite                     *write);

const char  *cs_write_kind_to_string        (CsWriteKind                  kind);
gboolean     cs_write_kind_from_string      (const char                  *str,
                                             CsWriteKind                 *kind);
CsService    cs_write_kind_get_service      (CsWriteKind                  kind);
const char  *cs_write_kind_get_method       (CsWriteKind                  kind);
gboolean     cs_write_kind_is_create        (CsWriteKind                  kind);
void         cs_write_kind_init_request     (CsWriteKind                  kind,
                                             CsHttpRequest               *request);

CsWrite     *cs_write_calcom_create_booking     (const CsCalcomCreateRequest *request);
CsWrite     *cs_write_calcom_cancel_booking     (const char                  *uid,
                                                 const char                  *reason);
CsWrite     *cs_write_calcom_reschedule_booking (const char                  *uid,
                                                 CsTime                       start,
                                                 const char                  *reason);
CsWrite     *cs_write_backend_create_appointment (const CsBooking            *booking,
                                                  const char                 *title,
                                                  const char                 *customer_name,
                                                  const char                 *customer_email,
                                                  const char                 *customer_phone);
CsWrite     *cs_write_backend_update_appointment (gint64                      id,
                                                  CsTime                      starts_at,
                                                  CsTime                      ends_at,
                                                  const char                 *status,
                                                  const char                 *booking_uid);
CsWrite     *cs_write_backend_cancel_appointment (gint64                      id,
                                                  const char                 *reason);
CsWrite     *cs_write_backend_audit_log          (const CsBackendAuditEntry  *entries,
                                                  guint                       n);

char        *cs_calcom_path_booking         (const char                  *uid);
char        *cs_calcom_path_event_type      (gint64                       id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsWrite, cs_write_free)

G_END_DECLS
