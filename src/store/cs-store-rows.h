/* cs-store-rows.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cs-store.h"

G_BEGIN_DECLS

/**
 * CsStoreRowInfo:
 * @key: the appointment's CRM id, or the booking's rowid if @is_booking
 * @is_booking: the row is a Cal.com booking no appointment claims
 * @number: (nullable): the appointment's number; %NULL for a booking
 * @customer_name: (nullable): the customer, or the booking's first attendee
 * @booking_uid: (nullable): the Cal.com booking uid
 * @error_message: (nullable): `sync_error_message`; always %NULL from
 *   _cs_store_rows_foreach()
 * @starts_at: start instant
 * @status: `calcom_sync_status`
 * @error_code: `sync_error_code`
 * @attempts: `sync_attempt_count`
 * @last_attempt_at: `last_sync_attempt_at`, or %CS_TIME_UNSET
 * @requires_manual_review: `requires_manual_review`
 * @resolved_at: `resolved_at`, or %CS_TIME_UNSET
 * @snoozed_until: `snoozed_until`, or %CS_TIME_UNSET
 *
 * The columns of one line of the appointment list. The strings belong to
 * the reader and stay valid until its next call.
 */
typedef struct
{
  gint64        key;
  gboolean      is_booking;
  const char   *number;
  const char   *customer_name;
  const char   *booking_uid;
  const char   *error_message;
  CsTime        starts_at;
  CsSyncStatus  status;
  CsErrorCode   error_code;
  guint         attempts;
  CsTime        last_attempt_at;
  gboolean      requires_manual_review;
  CsTime        resolved_at;
  CsTime        snoozed_until;
} CsStoreRowInfo;

/**
 * CsStoreRowFunc:
 * @info: one row
 * @user_data: the data given to _cs_store_rows_foreach()
 *
 * Returns: %TRUE to go on, %FALSE to stop
 */
typedef gboolean (*CsStoreRowFunc) (const CsStoreRowInfo *info,
                                    gpointer              user_data);

typedef struct _CsStoreRows CsStoreRows;

CsStoreRows *_cs_store_rows_open    (CsStore         *store,
                                     GError         **error);
void         _cs_store_rows_free    (CsStoreRows     *self);
gboolean     _cs_store_rows_foreach (CsStoreRows     *self,
                                     gint64           company_id,
                                     CsStoreRowFunc   func,
                                     gpointer         user_data,
                                     GError         **error);
gboolean     _cs_store_rows_read    (CsStoreRows     *self,
                                     gint64           company_id,
                                     gboolean         is_booking,
                                     gint64           key,
                                     CsStoreRowInfo  *out_info,
                                     GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsStoreRows, _cs_store_rows_free)

G_END_DECLS
