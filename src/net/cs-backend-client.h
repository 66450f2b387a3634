/* cs-backend-client.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cs-appointment.h"
#include "cs-backend-json.h"
#include "cs-booking.h"
#include "cs-http-client.h"

G_BEGIN_DECLS

/* backend-api.md: at most 500 rows per sync-status request and per page. */
#define CS_BACKEND_BATCH_SIZE 500

/**
 * CsBackendListing:
 * @appointments: (element-type CsAppointment): the appointments, once each
 * @n_pages: pages fetched (in the last read)
 * @n_rejected: rows refused by the parser (logged with the reason)
 * @n_foreign: rows of another company, refused
 * @n_duplicates: rows seen on two pages
 * @n_reads: how often the listing was read: more than once when it moved
 *   while it was read
 * @drifted: the listing still moved in its last read (after two reads
 *   again): an appointment it lacks may have slipped past a page boundary,
 *   so its absence proves nothing
 * @refused_ids: (element-type gint64): the ids of the rows the parser
 *   refused as invalid (where the id could be read): present, but
 *   unreadable
 */
typedef struct
{
  GPtrArray *appointments;
  guint      n_pages;
  guint      n_rejected;
  guint      n_foreign;
  guint      n_duplicates;
  guint      n_reads;
  gboolean   drifted;
  GArray    *refused_ids;
} CsBackendListing;

void cs_backend_listing_free (CsBackendListing *listing);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsBackendListing, cs_backend_listing_free)

#define CS_TYPE_BACKEND_CLIENT (cs_backend_client_get_type ())

G_DECLARE_FINAL_TYPE (CsBackendClient, cs_backend_client, CS, BACKEND_CLIENT, GObject)

CsBackendClient  *cs_backend_client_new                        (const char                 *base_url,
                                                                CsClock                    *clock,
                                                                GError                    **error);
void              cs_backend_client_set_token                  (CsBackendClient            *self,
                                                                const char                 *token);
CsHttpClient     *cs_backend_client_get_http                   (CsBackendClient            *self);
void              cs_backend_client_set_page_size              (CsBackendClient            *self,
                                                                guint                       page_size);
gint64            cs_backend_client_get_company_id             (CsBackendClient            *self);
void              cs_backend_client_get_me_async               (CsBackendClient            *self,
                                                                GCancellable               *cancellable,
                                                                GAsyncReadyCallback         callback,
                                                                gpointer                    user_data);
CsBackendMe      *cs_backend_client_get_me_finish              (CsBackendClient            *self,
                                                                GAsyncResult               *result,
                                                                GError                    **error);
void              cs_backend_client_list_appointments_async    (CsBackendClient            *self,
                                                                CsTime                      starts_after,
                                                                CsTime                      starts_before,
                                                                CsTime                      updated_since,
                                                                GCancellable               *cancellable,
                                                                GAsyncReadyCallback         callback,
                                                                gpointer                    user_data);
CsBackendListing *cs_backend_client_list_appointments_finish   (CsBackendClient            *self,
                                                                GAsyncResult               *result,
                                                                GError                    **error);
void              cs_backend_client_get_appointment_async      (CsBackendClient            *self,
                                                                gint64                      id,
                                                                GCancellable               *cancellable,
                                                                GAsyncReadyCallback         callback,
                                                                gpointer                    user_data);
CsAppointment    *cs_backend_client_get_appointment_finish     (CsBackendClient            *self,
                                                                GAsyncResult               *result,
                                                                GError                    **error);
void              cs_backend_client_create_appointment_async   (CsBackendClient            *self,
                                                                const CsBooking            *booking,
                                                                const char                 *title,
                                                                const char                 *customer_name,
                                                                const char                 *customer_email,
                                                                const char                 *customer_phone,
                                                                const char                 *idempotency_key,
                                                                GCancellable               *cancellable,
                                                                GAsyncReadyCallback         callback,
                                                                gpointer                    user_data);
CsAppointment    *cs_backend_client_create_appointment_finish  (CsBackendClient            *self,
                                                                GAsyncResult               *result,
                                                                gboolean                   *existed,
                                                                GError                    **error);
void              cs_backend_client_patch_appointment_async    (CsBackendClient            *self,
                                                                gint64                      id,
                                                                CsTime                      starts_at,
                                                                CsTime                      ends_at,
                                                                const char                 *status,
                                                                const char                 *calcom_booking_uid,
                                                                const char                 *idempotency_key,
                                                                GCancellable               *cancellable,
                                                                GAsyncReadyCallback         callback,
                                                                gpointer                    user_data);
CsAppointment    *cs_backend_client_patch_appointment_finish   (CsBackendClient            *self,
                                                                GAsyncResult               *result,
                                                                GError                    **error);
void              cs_backend_client_cancel_appointment_async   (CsBackendClient            *self,
                                                                gint64                      id,
                                                                const char                 *reason,
                                                                const char                 *idempotency_key,
                                                                GCancellable               *cancellable,
                                                                GAsyncReadyCallback         callback,
                                                                gpointer                    user_data);
CsAppointment    *cs_backend_client_cancel_appointment_finish  (CsBackendClient            *self,
                                                                GAsyncResult               *result,
                                                                GError                    **error);
void              cs_backend_client_report_sync_status_async   (CsBackendClient            *self,
                                                                GPtrArray                  *appointments,
                                                                const char                 *idempotency_key,
                                                                GCancellable               *cancellable,
                                                                GAsyncReadyCallback         callback,
                                                                gpointer                    user_data);
gboolean          cs_backend_client_report_sync_status_finish  (CsBackendClient            *self,
                                                                GAsyncResult               *result,
                                                                guint                      *n_updated,
                                                                GError                    **error);
void              cs_backend_client_post_audit_log_async       (CsBackendClient            *self,
                                                                const CsBackendAuditEntry  *entries,
                                                                guint                       n_entries,
                                                                const char                 *idempotency_key,
                                                                GCancellable               *cancellable,
                                                                GAsyncReadyCallback         callback,
                                                                gpointer                    user_data);
gboolean          cs_backend_client_post_audit_log_finish      (CsBackendClient            *self,
                                                                GAsyncResult               *result,
                                                                guint                      *n_accepted,
                                                                GError                    **error);

G_END_DECLS
