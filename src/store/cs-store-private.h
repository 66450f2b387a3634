/* cs-store-private.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "cs-store.h"

G_BEGIN_DECLS

/* The schema version this build writes (`PRAGMA user_version`). A file with
 * a higher version was made by a newer Calsync and is moved aside. */
#define CS_STORE_SCHEMA_VERSION 6

/* The columns the store reads, in the order of the row readers in
 * cs-store.c; the schema check at open prepares a SELECT of each list. */
#define CS_STORE_APPOINTMENT_COLUMNS                                              \
  "company_id, id, number, starts_at, ends_at, status, title, customer_name, "    \
  "customer_email, customer_phone, calcom_booking_uid, calcom_event_type_id, "    \
  "source, created_at, updated_at, deleted_at, calcom_sync_status, "              \
  "last_sync_attempt_at, sync_attempt_count, sync_error_message, "                \
  "sync_error_code, sync_verified_at, requires_manual_review, "                   \
  "manual_review_flagged_at, next_attempt_at, resolved_at, resolved_by, "         \
  "resolution, resolution_note, snoozed_until"

#define CS_STORE_BOOKING_COLUMNS                                                  \
  "uid, id, starts_at, ends_at, status, title, event_type_id, attendees, "        \
  "metadata, updated_at, seen_at, calcom_sync_status, last_sync_attempt_at, "     \
  "sync_attempt_count, sync_error_message, sync_error_code, sync_verified_at, "   \
  "requires_manual_review, manual_review_flagged_at, next_attempt_at, "           \
  "resolved_at, resolved_by, resolution, resolution_note, snoozed_until"

#define CS_STORE_RUN_COLUMNS                                                      \
  "id, kind, started_at, finished_at, n_pending, n_verification_pending, "        \
  "n_synced, n_failed, n_orphaned_local, n_orphaned_calcom, n_flagged, "          \
  "calcom_requests, backend_requests, duration_usec, result, error_message"

#define CS_STORE_HISTORY_COLUMNS                                                  \
  "id, appointment_id, at, kind, message, attempt, run_id"

#define CS_STORE_AUDIT_COLUMNS                                                    \
  "key, appointment_id, action, result, note, performed_at, performed_by, "       \
  "uploaded_at, reason, settled_at, booking_uid"

#define CS_STORE_OUTBOX_COLUMNS                                                   \
  "id, idempotency_key, service, method, path, body, appointment_id, "            \
  "created_at, attempts, next_attempt_at, last_error, done_at, kind, booking_uid, "  \
  "audit_key"

int       _cs_store_read_user_version (sqlite3  *db,
                                       int      *out_version);
gboolean  _cs_store_migrate_to        (sqlite3  *db,
                                       int       target_version,
                                       int      *out_sqlite_rc,
                                       GError  **error);
gboolean  _cs_store_check_schema      (sqlite3  *db,
                                       int      *out_sqlite_rc,
                                       GError  **error);
void      _cs_store_set_sqlite_error  (GError  **error,
                                       sqlite3  *db,
                                       int       rc);
sqlite3  *_cs_store_get_db            (CsStore  *self);

/* Owning cleanups for one-off statements and connections (the statement
 * cache of CsStore uses its own, which only resets). */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3, sqlite3_close_v2)

G_END_DECLS
