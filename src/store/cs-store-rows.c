/* cs-store-rows.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-store-private.h"
#include "cs-store-rows.h"

/* A reader of the appointment list's lines: its own read-only connection
 * to the store's file. The cache runs in WAL mode, so a reader sees one
 * committed snapshot per statement and never waits for the store's lock
 * or its writers; the store's own connection and statement cache stay
 * untouched. A reader is used by one thread at a time. */

#define BUSY_TIMEOUT_MSEC 5000

#define ROW_APPOINTMENT_COLUMNS(error_message)                                   \
  "id, 0, number, customer_name, calcom_booking_uid, " error_message ", "        \
  "starts_at, calcom_sync_status, sync_error_code, sync_attempt_count, "         \
  "last_sync_attempt_at, requires_manual_review, resolved_at, snoozed_until"

#define ROW_BOOKING_COLUMNS(error_message)                                       \
  "rowid, 1, NULL, json_extract (attendees, '$[0].name'), uid, "                 \
  error_message ", starts_at, calcom_sync_status, sync_error_code, "             \
  "sync_attempt_count, last_sync_attempt_at, requires_manual_review, "           \
  "resolved_at, snoozed_until"

/* Only a booking no appointment claims is a line of the list. */
#define ROW_BOOKING_WHERE "company_id = ?1 AND calcom_sync_status = 'orphaned_calcom'"

struct _CsStoreRows
{
  sqlite3      *db;
  sqlite3_stmt *read_appointment;
  sqlite3_stmt *read_booking;

  /* The strings of the last row read: the statement is reset at once, so
   * that the connection holds no read transaction between calls. */
  char         *number;
  char         *customer_name;
  char         *booking_uid;
  char         *error_message;
};

/**
 * _cs_store_rows_open:
 * @store: a store
 * @error: return location for a #GError
 *
 * Opens a reader on the file of @store. It blocks on disk I/O.
 *
 * Returns: (transfer full) (nullable): the reader, or %NULL with @error set
 */
CsStoreRows *
_cs_store_rows_open (CsStore  *store,
                     GError  **error)
{
  g_autoptr(CsStoreRows) self = NULL;
  const char *path;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  path = cs_store_get_path (store);
  self = g_new0 (CsStoreRows, 1);

  rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MSEC);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v3 (self->db,
                             "SELECT " ROW_APPOINTMENT_COLUMNS ("sync_error_message")
                             " FROM appointments WHERE company_id = ?1 AND id = ?2",
                             -1, SQLITE_PREPARE_PERSISTENT, &self->read_appointment, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v3 (self->db,
                             "SELECT " ROW_BOOKING_COLUMNS ("sync_error_message")
                             " FROM bookings WHERE " ROW_BOOKING_WHERE " AND rowid = ?2",
                             -1, SQLITE_PREPARE_PERSISTENT, &self->read_booking, NULL);

  if (rc != SQLITE_OK)
    {
      _cs_store_set_sqlite_error (error, self->db, rc);
      return NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * _cs_store_rows_free:
 * @self: a reader
 *
 * Closes the reader.
 */
void
_cs_store_rows_free (CsStoreRows *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->read_appointment, sqlite3_finalize);
  g_clear_pointer (&self->read_booking, sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_free (self->number);
  g_free (self->customer_name);
  g_free (self->booking_uid);
  g_free (self->error_message);
  g_free (self);
}

static gint64
column_optional (sqlite3_stmt *stmt,
                 int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return CS_TIME_UNSET;

  return sqlite3_column_int64 (stmt, column);
}

static void
info_from_row (sqlite3_stmt   *stmt,
               CsStoreRowInfo *info)
{
  const char *code;

  g_assert (stmt != NULL);
  g_assert (info != NULL);

  info->key = sqlite3_column_int64 (stmt, 0);
  info->is_booking = sqlite3_column_int (stmt, 1) != 0;
  info->number = (const char *) sqlite3_column_text (stmt, 2);
  info->customer_name = (const char *) sqlite3_column_text (stmt, 3);
  info->booking_uid = (const char *) sqlite3_column_text (stmt, 4);
  info->error_message = (const char *) sqlite3_column_text (stmt, 5);
  info->starts_at = sqlite3_column_int64 (stmt, 6);

  /* The schema's CHECKs admit only known names; an unknown one would be
   * a newer Calsync's, shown as the most neutral value. */
  if (!cs_sync_status_from_string ((const char *) sqlite3_column_text (stmt, 7),
                                   &info->status))
    info->status = CS_SYNC_STATUS_PENDING;

  code = (const char *) sqlite3_column_text (stmt, 8);
  if (code == NULL || !cs_error_code_from_string (code, &info->error_code))
    info->error_code = CS_ERROR_CODE_NONE;

  info->attempts = (guint) CLAMP (sqlite3_column_int64 (stmt, 9), 0, G_MAXUINT);
  info->last_attempt_at = column_optional (stmt, 10);
  info->requires_manual_review = sqlite3_column_int (stmt, 11) != 0;
  info->resolved_at = column_optional (stmt, 12);
  info->snoozed_until = column_optional (stmt, 13);
}

/**
 * _cs_store_rows_foreach:
 * @self: a reader
 * @company_id: the company whose rows to read
 * @func: (scope call): called for each row
 * @user_data: data for @func
 * @error: return location for a #GError
 *
 * Calls @func for every appointment of @company_id and every Cal.com
 * booking of it that no appointment claims, in no particular order, all
 * from one snapshot. The @error_message of each row is %NULL: the list
 * reads it per visible row.
 *
 * Returns: %TRUE on success
 */
gboolean
_cs_store_rows_foreach (CsStoreRows     *self,
                        gint64           company_id,
                        CsStoreRowFunc   func,
                        gpointer         user_data,
                        GError         **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  rc = sqlite3_prepare_v2 (self->db,
                           "SELECT " ROW_APPOINTMENT_COLUMNS ("NULL")
                           " FROM appointments WHERE company_id = ?1"
                           " UNION ALL "
                           "SELECT " ROW_BOOKING_COLUMNS ("NULL")
                           " FROM bookings WHERE " ROW_BOOKING_WHERE,
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64 (stmt, 1, company_id);
  if (rc != SQLITE_OK)
    {
      _cs_store_set_sqlite_error (error, self->db, rc);
      return FALSE;
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CsStoreRowInfo info;

      info_from_row (stmt, &info);
      if (!func (&info, user_data))
        return TRUE;
    }

  if (rc != SQLITE_DONE)
    {
      _cs_store_set_sqlite_error (error, self->db, rc);
      return FALSE;
    }

  return TRUE;
}

/**
 * _cs_store_rows_read:
 * @self: a reader
 * @company_id: the company of the row
 * @is_booking: whether @key is a booking's rowid rather than a CRM id
 * @key: the row's key, as _cs_store_rows_foreach() gave it
 * @out_info: (out caller-allocates): the row
 * @error: return location for a #GError
 *
 * Reads one row by its key with a prepared statement.
 *
 * Returns: %TRUE on success; %FALSE with %CS_STORE_ERROR_NOT_FOUND if the
 *   row is gone
 */
gboolean
_cs_store_rows_read (CsStoreRows     *self,
                     gint64           company_id,
                     gboolean         is_booking,
                     gint64           key,
                     CsStoreRowInfo  *out_info,
                     GError         **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out_info != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = is_booking ? self->read_booking : self->read_appointment;
  sqlite3_reset (stmt);

  rc = sqlite3_bind_int64 (stmt, 1, company_id);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64 (stmt, 2, key);
  if (rc != SQLITE_OK)
    {
      _cs_store_set_sqlite_error (error, self->db, rc);
      return FALSE;
    }

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      info_from_row (stmt, out_info);

      g_free (self->number);
      g_free (self->customer_name);
      g_free (self->booking_uid);
      g_free (self->error_message);
      out_info->number = self->number = g_strdup (out_info->number);
      out_info->customer_name = self->customer_name = g_strdup (out_info->customer_name);
      out_info->booking_uid = self->booking_uid = g_strdup (out_info->booking_uid);
      out_info->error_message = self->error_message = g_strdup (out_info->error_message);

      /* Ends the read transaction, so the next call sees newer commits. */
      sqlite3_reset (stmt);
      return TRUE;
    }

  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error_literal (error, CS_STORE_ERROR, CS_STORE_ERROR_NOT_FOUND,
                           "The row no longer exists");
      return FALSE;
    }

  _cs_store_set_sqlite_error (error, self->db, rc);
  return FALSE;
}
