/* cs-store-migrations.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-store-private.h"

/* The migration ladder. Step N takes a database at version N - 1 to version
 * N; each runs in its own transaction that also sets `PRAGMA user_version`,
 * so a step is either wholly applied or not at all. Steps are never edited
 * once released: a change to the schema is a new step at the end.
 *
 * The SQL holds no values, only schema, so it is run as it stands. Times are
 * INTEGER microseconds since the epoch, UTC, and NULL when unset; enum
 * columns hold the exact names of cs-enums.c, guarded by CHECK constraints.
 */

/* v1: the appointments with their eight tracking fields, the bookings seen
 * in Cal.com, and the key/value state (due times). */
static const char migration_v1[] =
  "CREATE TABLE appointments ("
  "  company_id               INTEGER NOT NULL CHECK (company_id > 0),"
  "  id                       INTEGER NOT NULL CHECK (id > 0),"
  "  number                   TEXT,"
  "  starts_at                INTEGER NOT NULL,"
  "  ends_at                  INTEGER NOT NULL,"
  "  status                   TEXT NOT NULL CHECK (status IN"
  "                             ('scheduled', 'confirmed', 'completed', 'no_show',"
  "                              'cancelled')),"
  "  title                    TEXT,"
  "  customer_name            TEXT,"
  "  customer_email           TEXT,"
  "  customer_phone           TEXT,"
  "  calcom_booking_uid       TEXT,"
  "  calcom_event_type_id     INTEGER,"
  "  source                   TEXT,"
  "  created_at               INTEGER,"
  "  updated_at               INTEGER,"
  "  deleted_at               INTEGER,"
  "  calcom_sync_status       TEXT NOT NULL DEFAULT 'pending' CHECK (calcom_sync_status IN"
  "                             ('pending', 'verification_pending', 'synced', 'failed',"
  "                              'orphaned_local', 'orphaned_calcom')),"
  "  last_sync_attempt_at     INTEGER,"
  "  sync_attempt_count       INTEGER NOT NULL DEFAULT 0 CHECK (sync_attempt_count >= 0),"
  "  sync_error_message       TEXT,"
  "  sync_error_code          TEXT CHECK (sync_error_code IN"
  "                             ('ORPHANED_LOCAL', 'ORPHANED_CALCOM', 'DATA_MISMATCH',"
  "                              'VERIFICATION_ERROR', 'CIRCUIT_OPEN')),"
  "  sync_verified_at         INTEGER,"
  "  requires_manual_review   INTEGER NOT NULL DEFAULT 0"
  "                             CHECK (requires_manual_review IN (0, 1)),"
  "  manual_review_flagged_at INTEGER,"
  "  next_attempt_at          INTEGER,"
  "  sync_diff                TEXT CHECK (sync_diff IS NULL OR json_valid (sync_diff)),"
  "  PRIMARY KEY (company_id, id)"
  ");"
  "CREATE INDEX appointments_by_start ON appointments (company_id, starts_at, id);"
  "CREATE INDEX appointments_by_review"
  "  ON appointments (company_id, requires_manual_review, starts_at);"
  "CREATE INDEX appointments_by_status"
  "  ON appointments (company_id, calcom_sync_status, requires_manual_review);"
  "CREATE INDEX appointments_by_next_attempt ON appointments (company_id, next_attempt_at)"
  "  WHERE next_attempt_at IS NOT NULL;"
  "CREATE INDEX appointments_by_booking_uid ON appointments (company_id, calcom_booking_uid)"
  "  WHERE calcom_booking_uid IS NOT NULL;"
  ""
  "CREATE TABLE bookings ("
  "  company_id    INTEGER NOT NULL CHECK (company_id > 0),"
  "  uid           TEXT NOT NULL CHECK (uid <> ''),"
  "  id            INTEGER,"
  "  starts_at     INTEGER NOT NULL,"
  "  ends_at       INTEGER NOT NULL,"
  "  status        TEXT NOT NULL CHECK (status IN"
  "                  ('accepted', 'pending', 'cancelled', 'rejected')),"
  "  title         TEXT,"
  "  event_type_id INTEGER,"
  "  attendees     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid (attendees)),"
  "  metadata      TEXT CHECK (metadata IS NULL OR json_valid (metadata)),"
  "  updated_at    INTEGER,"
  "  seen_at       INTEGER NOT NULL,"
  "  PRIMARY KEY (company_id, uid)"
  ");"
  "CREATE INDEX bookings_by_start ON bookings (company_id, starts_at);"
  ""
  "CREATE TABLE state ("
  "  company_id INTEGER NOT NULL CHECK (company_id > 0),"
  "  key        TEXT NOT NULL,"
  "  value      TEXT NOT NULL,"
  "  PRIMARY KEY (company_id, key)"
  ");"
  "PRAGMA user_version = 1;";

/* v2: the history of each appointment and the figures of each run. */
static const char migration_v2[] =
  "CREATE TABLE runs ("
  "  id                     INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  company_id             INTEGER NOT NULL CHECK (company_id > 0),"
  "  kind                   TEXT NOT NULL CHECK (kind IN"
  "                           ('cycle', 'comprehensive', 'retry', 'manual')),"
  "  started_at             INTEGER NOT NULL,"
  "  finished_at            INTEGER,"
  "  n_pending              INTEGER NOT NULL DEFAULT 0,"
  "  n_verification_pending INTEGER NOT NULL DEFAULT 0,"
  "  n_synced               INTEGER NOT NULL DEFAULT 0,"
  "  n_failed               INTEGER NOT NULL DEFAULT 0,"
  "  n_orphaned_local       INTEGER NOT NULL DEFAULT 0,"
  "  n_orphaned_calcom      INTEGER NOT NULL DEFAULT 0,"
  "  n_flagged              INTEGER NOT NULL DEFAULT 0,"
  "  calcom_requests        INTEGER NOT NULL DEFAULT 0,"
  "  backend_requests       INTEGER NOT NULL DEFAULT 0,"
  "  duration_usec          INTEGER NOT NULL DEFAULT 0,"
  "  result                 TEXT NOT NULL CHECK (result IN"
  "                           ('ok', 'failed', 'suspect', 'cancelled')),"
  "  error_message          TEXT"
  ");"
  "CREATE INDEX runs_by_start ON runs (company_id, started_at);"
  ""
  "CREATE TABLE history_events ("
  "  id             INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  company_id     INTEGER NOT NULL CHECK (company_id > 0),"
  "  appointment_id INTEGER NOT NULL,"
  "  at             INTEGER NOT NULL,"
  "  kind           TEXT NOT NULL CHECK (kind <> ''),"
  "  message        TEXT,"
  "  attempt        INTEGER NOT NULL DEFAULT 0 CHECK (attempt >= 0),"
  "  run_id         INTEGER REFERENCES runs (id) ON DELETE SET NULL,"
  "  FOREIGN KEY (company_id, appointment_id)"
  "    REFERENCES appointments (company_id, id) ON DELETE CASCADE"
  ");"
  "CREATE INDEX history_by_appointment ON history_events (company_id, appointment_id, at);"
  "CREATE INDEX history_by_run ON history_events (run_id) WHERE run_id IS NOT NULL;"
  "PRAGMA user_version = 2;";

/* v3: resolution columns on appointments, the audit log and the outbox. */
static const char migration_v3[] =
  "ALTER TABLE appointments ADD COLUMN resolved_at INTEGER;"
  "ALTER TABLE appointments ADD COLUMN resolved_by INTEGER;"
  "ALTER TABLE appointments ADD COLUMN resolution TEXT;"
  "ALTER TABLE appointments ADD COLUMN resolution_note TEXT;"
  "ALTER TABLE appointments ADD COLUMN snoozed_until INTEGER;"
  /* The dashboard's "needs review" figure now depends on resolved_at. */
  "DROP INDEX appointments_by_status;"
  "CREATE INDEX appointments_by_status ON appointments"
  "  (company_id, calcom_sync_status, requires_manual_review, resolved_at);"
  ""
  "CREATE TABLE audit_entries ("
  "  company_id     INTEGER NOT NULL CHECK (company_id > 0),"
  "  key            TEXT NOT NULL CHECK (key <> ''),"
  "  appointment_id INTEGER NOT NULL,"
  "  action         TEXT NOT NULL CHECK (action <> ''),"
  "  result         TEXT NOT NULL,"
  "  note           TEXT,"
  "  performed_at   INTEGER NOT NULL,"
  "  performed_by   INTEGER NOT NULL,"
  "  uploaded_at    INTEGER,"
  "  PRIMARY KEY (company_id, key)"
  ");"
  "CREATE INDEX audit_entries_unsent ON audit_entries (company_id, performed_at)"
  "  WHERE uploaded_at IS NULL;"
  ""
  "CREATE TABLE outbox ("
  "  id              INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  company_id      INTEGER NOT NULL CHECK (company_id > 0),"
  "  idempotency_key TEXT NOT NULL CHECK (idempotency_key <> ''),"
  "  service         TEXT NOT NULL CHECK (service IN ('calcom', 'backend')),"
  "  method          TEXT NOT NULL CHECK (method IN ('POST', 'PATCH', 'PUT', 'DELETE')),"
  "  path            TEXT NOT NULL CHECK (path <> ''),"
  "  body            TEXT CHECK (body IS NULL OR json_valid (body)),"
  "  appointment_id  INTEGER,"
  "  created_at      INTEGER NOT NULL,"
  "  attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),"
  "  next_attempt_at INTEGER,"
  "  last_error      TEXT,"
  "  done_at         INTEGER,"
  "  UNIQUE (company_id, idempotency_key)"
  ");"
  "CREATE INDEX outbox_pending ON outbox (company_id, id) WHERE done_at IS NULL;"
  "PRAGMA user_version = 3;";

/* v4: the tracking and resolution fields on bookings. A booking no
 * appointment claims (`orphaned_calcom`) goes through the same retry
 * schedule, flag and resolution as an appointment; every other booking stays
 * `pending` with no attempts, which is also what the rows already there
 * become. Same names and rules as the appointments' columns; no sync_diff,
 * since an orphan has nothing to differ from. */
static const char migration_v4[] =
  "ALTER TABLE bookings ADD COLUMN calcom_sync_status TEXT NOT NULL DEFAULT 'pending'"
  "  CHECK (calcom_sync_status IN"
  "    ('pending', 'verification_pending', 'synced', 'failed',"
  "     'orphaned_local', 'orphaned_calcom'));"
  "ALTER TABLE bookings ADD COLUMN last_sync_attempt_at INTEGER;"
  "ALTER TABLE bookings ADD COLUMN sync_attempt_count INTEGER NOT NULL DEFAULT 0"
  "  CHECK (sync_attempt_count >= 0);"
  "ALTER TABLE bookings ADD COLUMN sync_error_message TEXT;"
  "ALTER TABLE bookings ADD COLUMN sync_error_code TEXT"
  "  CHECK (sync_error_code IN"
  "    ('ORPHANED_LOCAL', 'ORPHANED_CALCOM', 'DATA_MISMATCH',"
  "     'VERIFICATION_ERROR', 'CIRCUIT_OPEN'));"
  "ALTER TABLE bookings ADD COLUMN sync_verified_at INTEGER;"
  "ALTER TABLE bookings ADD COLUMN requires_manual_review INTEGER NOT NULL DEFAULT 0"
  "  CHECK (requires_manual_review IN (0, 1));"
  "ALTER TABLE bookings ADD COLUMN manual_review_flagged_at INTEGER;"
  "ALTER TABLE bookings ADD COLUMN next_attempt_at INTEGER;"
  "ALTER TABLE bookings ADD COLUMN resolved_at INTEGER;"
  "ALTER TABLE bookings ADD COLUMN resolved_by INTEGER;"
  "ALTER TABLE bookings ADD COLUMN resolution TEXT;"
  "ALTER TABLE bookings ADD COLUMN resolution_note TEXT;"
  "ALTER TABLE bookings ADD COLUMN snoozed_until INTEGER;"
  "CREATE INDEX bookings_by_next_attempt ON bookings (company_id, next_attempt_at)"
  "  WHERE next_attempt_at IS NOT NULL;"
  "CREATE INDEX bookings_by_review"
  "  ON bookings (company_id, requires_manual_review, resolved_at, starts_at);"
  "PRAGMA user_version = 4;";

/* v5: Cal.com's `awaiting_host` status is a booking's too (a booking that
 * waits for its host), so the bookings table is rebuilt with it in the
 * status check (SQLite cannot change a CHECK in place), same columns in
 * the same order, same indexes. Also what kind of write an outbox item is
 * (the net layer's names), and
 * the Cal.com booking a cancel or reschedule is about: replays are decided
 * by kind, never by matching path strings. The items already there get
 * their kind from the paths older builds wrote (uids unescaped then). */
static const char migration_v5[] =
  "CREATE TABLE bookings_v5 ("
  "  company_id    INTEGER NOT NULL CHECK (company_id > 0),"
  "  uid           TEXT NOT NULL CHECK (uid <> ''),"
  "  id            INTEGER,"
  "  starts_at     INTEGER NOT NULL,"
  "  ends_at       INTEGER NOT NULL,"
  "  status        TEXT NOT NULL CHECK (status IN"
  "                  ('accepted', 'pending', 'cancelled', 'rejected', 'awaiting_host')),"
  "  title         TEXT,"
  "  event_type_id INTEGER,"
  "  attendees     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid (attendees)),"
  "  metadata      TEXT CHECK (metadata IS NULL OR json_valid (metadata)),"
  "  updated_at    INTEGER,"
  "  seen_at       INTEGER NOT NULL,"
  "  calcom_sync_status TEXT NOT NULL DEFAULT 'pending'"
  "    CHECK (calcom_sync_status IN"
  "      ('pending', 'verification_pending', 'synced', 'failed',"
  "       'orphaned_local', 'orphaned_calcom')),"
  "  last_sync_attempt_at INTEGER,"
  "  sync_attempt_count INTEGER NOT NULL DEFAULT 0 CHECK (sync_attempt_count >= 0),"
  "  sync_error_message TEXT,"
  "  sync_error_code TEXT"
  "    CHECK (sync_error_code IN"
  "      ('ORPHANED_LOCAL', 'ORPHANED_CALCOM', 'DATA_MISMATCH',"
  "       'VERIFICATION_ERROR', 'CIRCUIT_OPEN')),"
  "  sync_verified_at INTEGER,"
  "  requires_manual_review INTEGER NOT NULL DEFAULT 0"
  "    CHECK (requires_manual_review IN (0, 1)),"
  "  manual_review_flagged_at INTEGER,"
  "  next_attempt_at INTEGER,"
  "  resolved_at INTEGER,"
  "  resolved_by INTEGER,"
  "  resolution TEXT,"
  "  resolution_note TEXT,"
  "  snoozed_until INTEGER,"
  "  PRIMARY KEY (company_id, uid)"
  ");"
  "INSERT INTO bookings_v5 SELECT * FROM bookings;"
  "DROP TABLE bookings;"
  "ALTER TABLE bookings_v5 RENAME TO bookings;"
  "CREATE INDEX bookings_by_start ON bookings (company_id, starts_at);"
  "CREATE INDEX bookings_by_next_attempt ON bookings (company_id, next_attempt_at)"
  "  WHERE next_attempt_at IS NOT NULL;"
  "CREATE INDEX bookings_by_review"
  "  ON bookings (company_id, requires_manual_review, resolved_at, starts_at);"
  "ALTER TABLE outbox ADD COLUMN kind TEXT;"
  "ALTER TABLE outbox ADD COLUMN booking_uid TEXT;"
  "UPDATE outbox SET kind = CASE"
  "  WHEN service = 'calcom' AND method = 'POST' AND path = '/bookings'"
  "    THEN 'calcom.create_booking'"
  "  WHEN service = 'calcom' AND method = 'POST' AND path GLOB '/bookings/*/cancel'"
  "    THEN 'calcom.cancel_booking'"
  "  WHEN service = 'calcom' AND method = 'POST' AND path GLOB '/bookings/*/reschedule'"
  "    THEN 'calcom.reschedule_booking'"
  "  WHEN service = 'backend' AND method = 'POST' AND path = '/api/v1/appointments'"
  "    THEN 'backend.create_appointment'"
  "  WHEN service = 'backend' AND method = 'PATCH' AND path GLOB '/api/v1/appointments/[0-9]*'"
  "    THEN 'backend.update_appointment'"
  "  WHEN service = 'backend' AND method = 'POST'"
  "       AND path GLOB '/api/v1/appointments/[0-9]*/cancel'"
  "    THEN 'backend.cancel_appointment'"
  "  WHEN service = 'backend' AND method = 'POST' AND path = '/api/v1/audit-log'"
  "    THEN 'backend.audit_log'"
  "  ELSE 'unknown' END;"
  "UPDATE outbox SET booking_uid = substr (path, 11, length (path) - 17)"
  "  WHERE kind = 'calcom.cancel_booking';"
  "UPDATE outbox SET booking_uid = substr (path, 11, length (path) - 21)"
  "  WHERE kind = 'calcom.reschedule_booking';"
  "PRAGMA user_version = 5;";

/* v6: the audit log tells the truth. An entry is `pending` until the
 * servers have answered the action's writes, then `ok` or `failed` with the
 * server's reason (`reason`) and the time it settled; only settled entries
 * go to the CRM. Each outbox item names the audit entry of the action it
 * belongs to (`audit_key`), so the entry is settled when the last of them is
 * answered, in this process or the next. The booking acted on is kept too
 * (an orphaned Cal.com booking has no appointment), so a failed action can
 * take back its decision. Entries already there were written `ok` when the
 * person acted: they count as settled then. */
static const char migration_v6[] =
  "ALTER TABLE audit_entries ADD COLUMN reason TEXT;"
  "ALTER TABLE audit_entries ADD COLUMN settled_at INTEGER;"
  "ALTER TABLE audit_entries ADD COLUMN booking_uid TEXT;"
  "UPDATE audit_entries SET settled_at = performed_at WHERE result <> 'pending';"
  "CREATE INDEX audit_entries_pending ON audit_entries (company_id, performed_at)"
  "  WHERE result = 'pending';"
  "ALTER TABLE outbox ADD COLUMN audit_key TEXT;"
  "CREATE INDEX outbox_by_audit_key ON outbox (company_id, audit_key)"
  "  WHERE audit_key IS NOT NULL;"
  "PRAGMA user_version = 6;";

static const char * const migrations[] = {
  NULL, /* version 0: the empty file */
  migration_v1,
  migration_v2,
  migration_v3,
  migration_v4,
  migration_v5,
  migration_v6,
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == CS_STORE_SCHEMA_VERSION + 1);

/* One statement per table naming every column this build reads or writes:
 * preparing it fails if a table or a column is missing. */
static const char * const schema_probes[] = {
  "SELECT " CS_STORE_APPOINTMENT_COLUMNS ", sync_diff FROM appointments LIMIT 0",
  "SELECT company_id, " CS_STORE_BOOKING_COLUMNS " FROM bookings LIMIT 0",
  "SELECT company_id, key, value FROM state LIMIT 0",
  "SELECT company_id, " CS_STORE_RUN_COLUMNS " FROM runs LIMIT 0",
  "SELECT company_id, " CS_STORE_HISTORY_COLUMNS " FROM history_events LIMIT 0",
  "SELECT company_id, " CS_STORE_AUDIT_COLUMNS " FROM audit_entries LIMIT 0",
  "SELECT company_id, " CS_STORE_OUTBOX_COLUMNS " FROM outbox LIMIT 0",
};

/**
 * _cs_store_read_user_version:
 * @db: an open database
 * @out_version: (out): the database's `PRAGMA user_version`
 *
 * Reading the version is the first read of the file, so it is also where a
 * file that is not a database shows itself (`SQLITE_NOTADB`).
 *
 * Returns: %SQLITE_OK, or the SQLite result code of the failure
 */
int
_cs_store_read_user_version (sqlite3 *db,
                             int     *out_version)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_assert (db != NULL);
  g_assert (out_version != NULL);

  rc = sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rc;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return rc == SQLITE_DONE ? SQLITE_CORRUPT : rc;

  *out_version = sqlite3_column_int (stmt, 0);
  return SQLITE_OK;
}

/* Takes the database one step towards @target_version, or sees that it is
 * there. The version is read again inside the write transaction: another
 * process opening the same file at the same moment may have migrated it
 * while this one waited for the lock, and must not be taken for damage. */
static gboolean
migrate_step (sqlite3  *db,
              int       target_version,
              gboolean *out_done,
              int      *out_rc,
              GError  **error)
{
  int version = 0;
  int rc;

  rc = sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = _cs_store_read_user_version (db, &version);

  if (rc == SQLITE_OK && version > target_version)
    {
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FAILED,
                   "The cache has schema version %d, newer than %d", version, target_version);
      *out_rc = SQLITE_ERROR;
      return FALSE;
    }

  *out_done = rc == SQLITE_OK && version == target_version;

  if (rc == SQLITE_OK && !*out_done)
    rc = sqlite3_exec (db, migrations[version + 1], NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      /* Take the message before the rollback replaces it. */
      _cs_store_set_sqlite_error (error, db, rc);
      g_debug ("Migration to schema version %d failed (SQLite %d)", version + 1, rc);
      if (!sqlite3_get_autocommit (db))
        sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      *out_rc = rc;
      return FALSE;
    }

  if (!*out_done)
    g_debug ("Migrated the cache to schema version %d", version + 1);

  return TRUE;
}

/**
 * _cs_store_migrate_to:
 * @db: an open database, with no transaction open
 * @target_version: the version to reach, at most %CS_STORE_SCHEMA_VERSION
 * @out_sqlite_rc: (out) (optional): the SQLite result code of a failure
 * @error: return location for a #GError
 *
 * Applies the steps after the database's version up to @target_version,
 * each in its own transaction. A failing step is rolled back and leaves the
 * database at the version of the step before. A database past
 * @target_version is an error and is left alone.
 *
 * Returns: %TRUE if the database is at @target_version
 */
gboolean
_cs_store_migrate_to (sqlite3  *db,
                      int       target_version,
                      int      *out_sqlite_rc,
                      GError  **error)
{
  gboolean done = FALSE;
  int rc = SQLITE_OK;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (target_version >= 0 && target_version <= CS_STORE_SCHEMA_VERSION, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Each step advances the version by one, so this many always suffice. */
  for (int i = 0; !done && i <= CS_STORE_SCHEMA_VERSION; i++)
    {
      if (!migrate_step (db, target_version, &done, &rc, error))
        break;
    }

  if (!done && rc == SQLITE_OK)
    {
      g_set_error_literal (error, CS_STORE_ERROR, CS_STORE_ERROR_FAILED,
                           "A migration step did not advance the schema version");
      rc = SQLITE_ERROR;
    }

  if (out_sqlite_rc != NULL)
    *out_sqlite_rc = rc;

  return done;
}

/**
 * _cs_store_check_schema:
 * @db: an open database at %CS_STORE_SCHEMA_VERSION
 * @out_sqlite_rc: (out) (optional): the SQLite result code of a failure
 * @error: return location for a #GError
 *
 * Checks that every table and column the store uses exists, so a file whose
 * version says one thing and whose tables say another is found at open
 * rather than at the first query.
 *
 * Returns: %TRUE if the schema is complete
 */
gboolean
_cs_store_check_schema (sqlite3  *db,
                        int      *out_sqlite_rc,
                        GError  **error)
{
  g_return_val_if_fail (db != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (schema_probes); i++)
    {
      g_autoptr(sqlite3_stmt) stmt = NULL;
      int rc;

      rc = sqlite3_prepare_v2 (db, schema_probes[i], -1, &stmt, NULL);
      if (rc != SQLITE_OK)
        {
          _cs_store_set_sqlite_error (error, db, rc);
          if (out_sqlite_rc != NULL)
            *out_sqlite_rc = rc;
          return FALSE;
        }
    }

  if (out_sqlite_rc != NULL)
    *out_sqlite_rc = SQLITE_OK;

  return TRUE;
}
