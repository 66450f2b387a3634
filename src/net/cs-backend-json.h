/* cs-backend-json.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "cs-appointment.h"
#include "cs-booking.h"
#include "cs-json-util.h"
#include "cs-time.h"

G_BEGIN_DECLS

/* The most rows one `PATCH /appointments/sync-status` may carry. */
#define CS_BACKEND_MAX_SYNC_STATUS_UPDATES 500

/**
 * CsRole:
 * @CS_ROLE_ADMIN: `admin`
 * @CS_ROLE_MANAGER: `manager`
 * @CS_ROLE_STAFF: `staff`
 *
 * The role of the signed-in CRM user.
 */
typedef enum
{
  CS_ROLE_ADMIN,
  CS_ROLE_MANAGER,
  CS_ROLE_STAFF,
} CsRole;

/**
 * CsBackendMe:
 * @user_id: the CRM user
 * @user_name: (nullable): the user's name
 * @role: the user's role
 * @company_id: the company every request is scoped to
 * @company_name: (nullable): the company's name
 * @time_zone: (nullable): the company's time zone, e.g. "Europe/Berlin"
 *
 * The answer of `GET /api/v1/me`.
 */
typedef struct
{
  gint64  user_id;
  char   *user_name;
  CsRole  role;
  gint64  company_id;
  char   *company_name;
  char   *time_zone;
} CsBackendMe;

/**
 * CsBackendPage:
 * @current_page: `meta.current_page`
 * @last_page: `meta.last_page`
 * @per_page: `meta.per_page`
 * @total: `meta.total`
 *
 * The `meta` member of a paginated backend answer.
 */
typedef struct
{
  guint current_page;
  guint last_page;
  guint per_page;
  guint total;
} CsBackendPage;

/**
 * CsBackendAuditEntry:
 * @key: the entry's idempotency key (a UUID)
 * @appointment_id: the appointment acted on
 * @action: the action's name, e.g. "create_in_calcom"
 * @result: the result, e.g. "ok"
 * @note: (nullable): what the person wrote
 * @performed_at: when
 * @performed_by: the CRM user, or 0 (sent as null)
 *
 * One entry for `POST /api/v1/audit-log`. Borrowed strings.
 */
typedef struct
{
  const char *key;
  gint64      appointment_id;
  const char *action;
  const char *result;
  const char *note;
  CsTime      performed_at;
  gint64      performed_by;
} CsBackendAuditEntry;

const char    *cs_role_to_string                     (CsRole                      role);
gboolean       cs_role_from_string                   (const char                 *str,
                                                      CsRole                     *role);
gboolean       cs_role_may_act                       (CsRole                      role);

void           cs_backend_me_free                    (CsBackendMe                *me);

GPtrArray     *cs_backend_parse_appointments_page    (GBytes                     *body,
                                                      gint64                      company_id,
                                                      CsBackendPage              *page,
                                                      guint                      *n_rejected,
                                                      guint                      *n_foreign,
                                                      CsJsonPageKeys             *keys,
                                                      GError                    **error);
CsAppointment *cs_backend_parse_appointment_response (GBytes                     *body,
                                                      gint64                      company_id,
                                                      GError                    **error);
CsBackendMe   *cs_backend_parse_me                   (GBytes                     *body,
                                                      GError                    **error);
gboolean       cs_backend_parse_count                (GBytes                     *body,
                                                      const char                 *member,
                                                      guint                      *count,
                                                      GError                    **error);
char          *cs_backend_parse_error_message        (GBytes                     *body);

GBytes        *cs_backend_build_sync_status          (CsAppointment * const      *appointments,
                                                      guint                       n);
GBytes        *cs_backend_build_audit_log            (const CsBackendAuditEntry  *entries,
                                                      guint                       n);
GBytes        *cs_backend_build_create_appointment   (const CsBooking            *booking,
                                                      const char                 *title,
                                                      const char                 *customer_name,
                                                      const char                 *customer_email,
                                                      const char                 *customer_phone);
GBytes        *cs_backend_build_patch_appointment    (CsTime                      starts_at,
                                                      CsTime                      ends_at,
                                                      const char                 *status,
                                                      const char                 *booking_uid);
GBytes        *cs_backend_build_cancel               (const char                 *reason);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsBackendMe, cs_backend_me_free)

G_END_DECLS
