/* cs-write.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-write.h"

/**
 * SECTION:cs-write
 *
 * The one home of the REST contract's writes (docs/backend-api.md,
 * docs/calcom-rules.md): each #CsWrite is built here from typed values,
 * with its path's segments escaped and its body built by json-glib. The
 * typed clients send them, the actions keep them in the outbox, and the
 * outbox replays them by their kind; nothing above `src/net` spells a
 * request path.
 */

#define BACKEND_PREFIX "/api/v1"

typedef struct
{
  const char *name;
  CsService   service;
  const char *method;
  gboolean    is_create;
} KindInfo;

static const KindInfo kinds[] = {
  [CS_WRITE_UNKNOWN] = { "unknown", CS_SERVICE_BACKEND, "POST", FALSE },
  [CS_WRITE_CALCOM_CREATE_BOOKING] = { "calcom.create_booking", CS_SERVICE_CALCOM, "POST", TRUE },
  [CS_WRITE_CALCOM_CANCEL_BOOKING] = { "calcom.cancel_booking", CS_SERVICE_CALCOM, "POST", FALSE },
  [CS_WRITE_CALCOM_RESCHEDULE_BOOKING] = { "calcom.reschedule_booking", CS_SERVICE_CALCOM, "POST",
                                           FALSE },
  [CS_WRITE_BACKEND_CREATE_APPOINTMENT] = { "backend.create_appointment", CS_SERVICE_BACKEND,
                                            "POST", TRUE },
  [CS_WRITE_BACKEND_UPDATE_APPOINTMENT] = { "backend.update_appointment", CS_SERVICE_BACKEND,
                                            "PATCH", FALSE },
  [CS_WRITE_BACKEND_CANCEL_APPOINTMENT] = { "backend.cancel_appointment", CS_SERVICE_BACKEND,
                                            "POST", FALSE },
  [CS_WRITE_BACKEND_AUDIT_LOG] = { "backend.audit_log", CS_SERVICE_BACKEND, "POST", FALSE },
};

G_STATIC_ASSERT (G_N_ELEMENTS (kinds) == CS_WRITE_KIND_LAST + 1);

/**
 * cs_write_free:
 * @write: (nullable): a write
 */
void
cs_write_free (CsWrite *write)
{
  if (write == NULL)
    return;

  g_free (write->path);
  g_clear_pointer (&write->body, g_bytes_unref);
  g_free (write->booking_uid);
  g_free (write);
}

/**
 * cs_write_kind_to_string:
 * @kind: a kind of write
 *
 * Returns: the kind's stored name, e.g. "calcom.cancel_booking"
 */
const char *
cs_write_kind_to_string (CsWriteKind kind)
{
  g_return_val_if_fail (kind <= CS_WRITE_KIND_LAST, NULL);

  return kinds[kind].name;
}

/**
 * cs_write_kind_from_string:
 * @str: (nullable): a stored name
 * @kind: (out): the kind
 *
 * Returns: %TRUE if @str names a kind of write
 */
gboolean
cs_write_kind_from_string (const char  *str,
                           CsWriteKind *kind)
{
  g_return_val_if_fail (kind != NULL, FALSE);

  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (kinds); i++)
    {
      if (g_str_equal (str, kinds[i].name))
        {
          *kind = (CsWriteKind) i;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * cs_write_kind_get_service:
 * @kind: a kind of write
 *
 * Returns: the service the write goes to
 */
CsService
cs_write_kind_get_service (CsWriteKind kind)
{
  g_return_val_if_fail (kind <= CS_WRITE_KIND_LAST, CS_SERVICE_BACKEND);

  return kinds[kind].service;
}

/**
 * cs_write_kind_get_method:
 * @kind: a kind of write
 *
 * Returns: the HTTP method
 */
const char *
cs_write_kind_get_method (CsWriteKind kind)
{
  g_return_val_if_fail (kind <= CS_WRITE_KIND_LAST, NULL);

  return kinds[kind].method;
}

/**
 * cs_write_kind_is_create:
 * @kind: a kind of write
 *
 * Returns: %TRUE for a create, whose 409 means the thing is there already
 */
gboolean
cs_write_kind_is_create (CsWriteKind kind)
{
  g_return_val_if_fail (kind <= CS_WRITE_KIND_LAST, FALSE);

  return kinds[kind].is_create;
}

/**
 * cs_write_kind_init_request:
 * @kind: a kind of write
 * @request: (out caller-allocates): the request to fill
 *
 * Sets what the kind decides in @request: the method, `cal-api-version`
 * for Cal.com's bookings, and whether a 409 answers the create. The caller
 * sets the path, the body and the idempotency key.
 */
void
cs_write_kind_init_request (CsWriteKind    kind,
                            CsHttpRequest *request)
{
  g_return_if_fail (kind <= CS_WRITE_KIND_LAST);
  g_return_if_fail (request != NULL);

  *request = (CsHttpRequest) { NULL };
  request->method = kinds[kind].method;
  request->accept_conflict = kinds[kind].is_create;
  if (kinds[kind].service == CS_SERVICE_CALCOM)
    request->api_version = CS_CALCOM_BOOKINGS_API_VERSION;
}

static CsWrite *
write_new (CsWriteKind  kind,
           char        *path,
           GBytes      *body)
{
  CsWrite *write = g_new0 (CsWrite, 1);

  write->kind = kind;
  write->path = path;
  write->body = body;

  return write;
}

/**
 * cs_calcom_path_booking:
 * @uid: a booking uid
 *
 * Returns: (transfer full): `/bookings/{uid}`, the uid escaped
 */
char *
cs_calcom_path_booking (const char *uid)
{
  g_autofree char *escaped = NULL;

  g_return_val_if_fail (uid != NULL && uid[0] != '\0', NULL);

  escaped = g_uri_escape_string (uid, NULL, FALSE);
  return g_strconcat ("/bookings/", escaped, NULL);
}

/**
 * cs_calcom_path_event_type:
 * @id: an event type id
 *
 * Returns: (transfer full): `/event-types/{id}`
 */
char *
cs_calcom_path_event_type (gint64 id)
{
  g_return_val_if_fail (id > 0, NULL);

  return g_strdup_printf ("/event-types/%" G_GINT64_FORMAT, id);
}

static char *
booking_action_path (const char *uid,
                     const char *action)
{
  g_autofree char *booking = cs_calcom_path_booking (uid);

  return g_strconcat (booking, "/", action, NULL);
}

/**
 * cs_write_calcom_create_booking:
 * @request: what to book
 *
 * Returns: (transfer full): `POST /bookings` with
 *   cs_calcom_build_create_booking()'s body
 */
CsWrite *
cs_write_calcom_create_booking (const CsCalcomCreateRequest *request)
{
  CsWrite *write;

  g_return_val_if_fail (request != NULL, NULL);

  write = write_new (CS_WRITE_CALCOM_CREATE_BOOKING, g_strdup ("/bookings"),
                     cs_calcom_build_create_booking (request));
  write->appointment_id = request->crm_appointment_id;

  return write;
}

/**
 * cs_write_calcom_cancel_booking:
 * @uid: the booking
 * @reason: (nullable): why; %NULL or empty for
 *   %CS_CALCOM_DEFAULT_CANCEL_REASON (Cal.com refuses a host's cancel
 *   without a reason)
 *
 * Returns: (transfer full): `POST /bookings/{uid}/cancel`
 */
CsWrite *
cs_write_calcom_cancel_booking (const char *uid,
                                const char *reason)
{
  CsWrite *write;

  g_return_val_if_fail (uid != NULL && uid[0] != '\0', NULL);

  write = write_new (CS_WRITE_CALCOM_CANCEL_BOOKING, booking_action_path (uid, "cancel"),
                     cs_calcom_build_cancel (reason));
  write->booking_uid = g_strdup (uid);

  return write;
}

/**
 * cs_write_calcom_reschedule_booking:
 * @uid: the booking
 * @start: the new start; Cal.com keeps the event type's length
 * @reason: (nullable): why; %NULL or empty for
 *   %CS_CALCOM_DEFAULT_RESCHEDULE_REASON
 *
 * Returns: (transfer full): `POST /bookings/{uid}/reschedule`
 */
CsWrite *
cs_write_calcom_reschedule_booking (const char *uid,
                                    CsTime      start,
                                    const char *reason)
{
  CsWrite *write;

  g_return_val_if_fail (uid != NULL && uid[0] != '\0', NULL);
  g_return_val_if_fail (start != CS_TIME_UNSET, NULL);

  write = write_new (CS_WRITE_CALCOM_RESCHEDULE_BOOKING, booking_action_path (uid, "reschedule"),
                     cs_calcom_build_reschedule (start, reason));
  write->booking_uid = g_strdup (uid);

  return write;
}

/**
 * cs_write_backend_create_appointment:
 * @booking: the Cal.com booking the appointment is made from
 * @title: (nullable): the service booked
 * @customer_name: (nullable): the customer's name
 * @customer_email: (nullable): the customer's e-mail
 * @customer_phone: (nullable): the customer's phone
 *
 * Returns: (transfer full): `POST /api/v1/appointments`
 */
CsWrite *
cs_write_backend_create_appointment (const CsBooking *booking,
                                     const char      *title,
                                     const char      *customer_name,
                                     const char      *customer_email,
                                     const char      *customer_phone)
{
  CsWrite *write;

  g_return_val_if_fail (booking != NULL, NULL);

  write = write_new (CS_WRITE_BACKEND_CREATE_APPOINTMENT, g_strdup (BACKEND_PREFIX "/appointments"),
                     cs_backend_build_create_appointment (booking, title, customer_name,
                                                          customer_email, customer_phone));
  write->booking_uid = g_strdup (booking->uid);

  return write;
}

/**
 * cs_write_backend_update_appointment:
 * @id: the appointment
 * @starts_at: the new start, or %CS_TIME_UNSET to keep it
 * @ends_at: the new end, or %CS_TIME_UNSET to keep it
 * @status: (nullable): the new CRM status name, or %NULL to keep it
 * @booking_uid: (nullable): the booking to link, or %NULL to keep it
 *
 * Returns: (transfer full): `PATCH /api/v1/appointments/{id}`
 */
CsWrite *
cs_write_backend_update_appointment (gint64      id,
                                     CsTime      starts_at,
                                     CsTime      ends_at,
                                     const char *status,
                                     const char *booking_uid)
{
  CsWrite *write;

  g_return_val_if_fail (id > 0, NULL);
  /* An empty patch is no change; the contract wants at least one member. */
  g_return_val_if_fail (starts_at != CS_TIME_UNSET || ends_at != CS_TIME_UNSET ||
                        status != NULL || booking_uid != NULL, NULL);

  write = write_new (CS_WRITE_BACKEND_UPDATE_APPOINTMENT,
                     g_strdup_printf (BACKEND_PREFIX "/appointments/%" G_GINT64_FORMAT, id),
                     cs_backend_build_patch_appointment (starts_at, ends_at, status, booking_uid));
  write->appointment_id = id;
  write->booking_uid = g_strdup (booking_uid);

  return write;
}

/**
 * cs_write_backend_cancel_appointment:
 * @id: the appointment
 * @reason: (nullable): why it is cancelled
 *
 * Returns: (transfer full): `POST /api/v1/appointments/{id}/cancel`
 */
CsWrite *
cs_write_backend_cancel_appointment (gint64      id,
                                     const char *reason)
{
  CsWrite *write;

  g_return_val_if_fail (id > 0, NULL);

  write = write_new (CS_WRITE_BACKEND_CANCEL_APPOINTMENT,
                     g_strdup_printf (BACKEND_PREFIX "/appointments/%" G_GINT64_FORMAT "/cancel",
                                      id),
                     cs_backend_build_cancel (reason));
  write->appointment_id = id;

  return write;
}

/**
 * cs_write_backend_audit_log:
 * @entries: (array length=n): the entries
 * @n: how many, at least one
 *
 * Returns: (transfer full): `POST /api/v1/audit-log`
 */
CsWrite *
cs_write_backend_audit_log (const CsBackendAuditEntry *entries,
                            guint                      n)
{
  CsWrite *write;

  g_return_val_if_fail (entries != NULL && n > 0, NULL);

  write = write_new (CS_WRITE_BACKEND_AUDIT_LOG, g_strdup (BACKEND_PREFIX "/audit-log"),
                     cs_backend_build_audit_log (entries, n));
  write->appointment_id = n == 1 ? entries[0].appointment_id : 0;

  return write;
}
