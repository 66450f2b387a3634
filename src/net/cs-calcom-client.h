/* cs-calcom-client.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cs-booking.h"
#include "cs-calcom-json.h"
#include "cs-http-client.h"

G_BEGIN_DECLS

/* The hosted service; self-hosted instances have their own base URL. */
#define CS_CALCOM_DEFAULT_URL "https://api.cal.com/v2"

/**
 * CsCalcomListing:
 * @bookings: (element-type CsBooking): every booking of the window, once
 * @n_pages: pages fetched (in the last read)
 * @n_rejected: records refused by the parser (logged with the reason)
 * @n_duplicates: bookings seen on two pages (offset paging shifted)
 * @n_reads: how often the listing was read: more than once when it moved
 *   while it was read
 * @drifted: the listing still moved in its last read (after two reads
 *   again): a booking it lacks may have slipped past a page boundary, so
 *   its absence proves nothing
 * @refused_uids: (element-type utf8): the uids of the bookings the parser
 *   refused (where the uid could be read): present, but unreadable
 */
typedef struct
{
  GPtrArray *bookings;
  guint      n_pages;
  guint      n_rejected;
  guint      n_duplicates;
  guint      n_reads;
  gboolean   drifted;
  GPtrArray *refused_uids;
} CsCalcomListing;

void cs_calcom_listing_free (CsCalcomListing *listing);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsCalcomListing, cs_calcom_listing_free)

#define CS_TYPE_CALCOM_CLIENT (cs_calcom_client_get_type ())

G_DECLARE_FINAL_TYPE (CsCalcomClient, cs_calcom_client, CS, CALCOM_CLIENT, GObject)

CsCalcomClient  *cs_calcom_client_new                 (const char                   *base_url,
                                                       CsClock                      *clock,
                                                       GError                      **error);
void             cs_calcom_client_set_api_key         (CsCalcomClient               *self,
                                                       const char                   *api_key);
CsHttpClient    *cs_calcom_client_get_http            (CsCalcomClient               *self);
void             cs_calcom_client_set_page_size       (CsCalcomClient               *self,
                                                       guint                         page_size);
void             cs_calcom_client_list_bookings_async (CsCalcomClient               *self,
                                                       CsTime                        after_start,
                                                       CsTime                        before_end,
                                                       CsTime                        after_updated,
                                                       GCancellable                 *cancellable,
                                                       GAsyncReadyCallback           callback,
                                                       gpointer                      user_data);
CsCalcomListing *cs_calcom_client_list_bookings_finish (CsCalcomClient              *self,
                                                       GAsyncResult                 *result,
                                                       GError                      **error);
void             cs_calcom_client_get_booking_async   (CsCalcomClient               *self,
                                                       const char                   *uid,
                                                       GCancellable                 *cancellable,
                                                       GAsyncReadyCallback           callback,
                                                       gpointer                      user_data);
CsBooking       *cs_calcom_client_get_booking_finish  (CsCalcomClient               *self,
                                                       GAsyncResult                 *result,
                                                       GError                      **error);
void             cs_calcom_client_create_booking_async (CsCalcomClient              *self,
                                                       const CsCalcomCreateRequest  *request,
                                                       GCancellable                 *cancellable,
                                                       GAsyncReadyCallback           callback,
                                                       gpointer                      user_data);
CsBooking       *cs_calcom_client_create_booking_finish (CsCalcomClient             *self,
                                                       GAsyncResult                 *result,
                                                       GError                      **error);
void             cs_calcom_client_cancel_booking_async (CsCalcomClient              *self,
                                                       const char                   *uid,
                                                       const char                   *reason,
                                                       GCancellable                 *cancellable,
                                                       GAsyncReadyCallback           callback,
                                                       gpointer                      user_data);
CsBooking       *cs_calcom_client_cancel_booking_finish (CsCalcomClient             *self,
                                                       GAsyncResult                 *result,
                                                       GError                      **error);
void             cs_calcom_client_reschedule_booking_async (CsCalcomClient         *self,
                                                       const char                   *uid,
                                                       CsTime                        start,
                                                       const char                   *reason,
                                                       GCancellable                 *cancellable,
                                                       GAsyncReadyCallback           callback,
                                                       gpointer                      user_data);
CsBooking       *cs_calcom_client_reschedule_booking_finish (CsCalcomClient        *self,
                                                       GAsyncResult                 *result,
                                                       GError                      **error);
void             cs_calcom_client_get_event_type_async (CsCalcomClient              *self,
                                                       gint64                        id,
                                                       GCancellable                 *cancellable,
                                                       GAsyncReadyCallback           callback,
                                                       gpointer                      user_data);
CsCalcomEventType *cs_calcom_client_get_event_type_finish (CsCalcomClient         *self,
                                                       GAsyncResult                 *result,
                                                       GError                      **error);
void             cs_calcom_client_get_me_async        (CsCalcomClient               *self,
                                                       GCancellable                 *cancellable,
                                                       GAsyncReadyCallback           callback,
                                                       gpointer                      user_data);
CsCalcomMe      *cs_calcom_client_get_me_finish       (CsCalcomClient               *self,
                                                       GAsyncResult                 *result,
                                                       GError                      **error);

G_END_DECLS
