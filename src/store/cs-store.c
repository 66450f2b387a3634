/* cs-store.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "cs-store-json-private.h"
#include "cs-store-private.h"

/**
 * CsStore:
 *
 * The local SQLite cache (DESIGN.md §4): appointments with their tracking
 * and resolution fields, the bookings seen in Cal.com, each appointment's
 * history, the figures of each verification run, the audit log, the outbox
 * and a little key/value state such as due times.
 *
 * Every operation is scoped to the company set with
 * cs_store_set_company_id(): rows of another company in the same file are
 * never returned, changed or counted. Every value reaches SQLite through a
 * bound parameter of a prepared statement. Each public function takes the
 * store's lock, so the store may be used from worker threads; each blocks
 * on disk I/O, so the UI thread should call them through a #GTask.
 *
 * The file lives in a folder only its owner may enter and is readable only
 * by its owner. A file that is damaged or was made by a newer Calsync is
 * moved aside, never deleted, and replaced by a fresh cache: see
 * cs_store_get_recovery_error().
 */

#define BUSY_TIMEOUT_MSEC 5000

struct _CsStore
{
  GObject     parent_instance;

  /* Held by every public function around its use of @db and @statements. */
  GRecMutex   lock;

  /* Owned */
  sqlite3    *db;
  GHashTable *statements;
  char       *path;
  GError     *recovery_error;

  gint64      company_id;

  /* How deep the transactions of cs_store_begin() and the public calls
   * inside them are; while above 0 the caller holds @lock. */
  guint       tx_depth;
};

G_DEFINE_FINAL_TYPE (CsStore, cs_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (cs-store-error-quark, cs_store_error)

enum {
  PROP_0,
  PROP_COMPANY_ID,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Column positions of CS_STORE_APPOINTMENT_COLUMNS; a statement that binds
 * an appointment uses parameter position + 1 for each. */
enum {
  APPT_COMPANY_ID,
  APPT_ID,
  APPT_NUMBER,
  APPT_STARTS_AT,
  APPT_ENDS_AT,
  APPT_STATUS,
  APPT_TITLE,
  APPT_CUSTOMER_NAME,
  APPT_CUSTOMER_EMAIL,
  APPT_CUSTOMER_PHONE,
  APPT_BOOKING_UID,
  APPT_EVENT_TYPE_ID,
  APPT_SOURCE,
  APPT_CREATED_AT,
  APPT_UPDATED_AT,
  APPT_DELETED_AT,
  APPT_SYNC_STATUS,
  APPT_LAST_ATTEMPT_AT,
  APPT_ATTEMPT_COUNT,
  APPT_ERROR_MESSAGE,
  APPT_ERROR_CODE,
  APPT_VERIFIED_AT,
  APPT_REQUIRES_REVIEW,
  APPT_FLAGGED_AT,
  APPT_NEXT_ATTEMPT_AT,
  APPT_RESOLVED_AT,
  APPT_RESOLVED_BY,
  APPT_RESOLUTION,
  APPT_RESOLUTION_NOTE,
  APPT_SNOOZED_UNTIL,
  APPT_N_COLUMNS
};

/* Column positions of CS_STORE_BOOKING_COLUMNS. */
enum {
  BOOKING_UID,
  BOOKING_ID,
  BOOKING_STARTS_AT,
  BOOKING_ENDS_AT,
  BOOKING_STATUS,
  BOOKING_TITLE,
  BOOKING_EVENT_TYPE_ID,
  BOOKING_ATTENDEES,
  BOOKING_METADATA,
  BOOKING_UPDATED_AT,
  BOOKING_SEEN_AT,
  BOOKING_SYNC_STATUS,
  BOOKING_LAST_ATTEMPT_AT,
  BOOKING_ATTEMPT_COUNT,
  BOOKING_ERROR_MESSAGE,
  BOOKING_ERROR_CODE,
  BOOKING_VERIFIED_AT,
  BOOKING_REQUIRES_REVIEW,
  BOOKING_FLAGGED_AT,
  BOOKING_NEXT_ATTEMPT_AT,
  BOOKING_RESOLVED_AT,
  BOOKING_RESOLVED_BY,
  BOOKING_RESOLUTION,
  BOOKING_RESOLUTION_NOTE,
  BOOKING_SNOOZED_UNTIL,
  BOOKING_N_COLUMNS
};

/* write_booking() binds the company and then each column. */
G_STATIC_ASSERT (BOOKING_N_COLUMNS == 25);

/* Column positions of CS_STORE_RUN_COLUMNS; the per-status counts follow
 * each other in #CsSyncStatus order from RUN_N_PENDING. */
enum {
  RUN_ID,
  RUN_KIND,
  RUN_STARTED_AT,
  RUN_FINISHED_AT,
  RUN_N_PENDING,
  RUN_N_FLAGGED = RUN_N_PENDING + CS_SYNC_STATUS_LAST + 1,
  RUN_CALCOM_REQUESTS,
  RUN_BACKEND_REQUESTS,
  RUN_DURATION_USEC,
  RUN_RESULT,
  RUN_ERROR_MESSAGE,
};

G_STATIC_ASSERT (CS_SYNC_STATUS_LAST == CS_SYNC_STATUS_ORPHANED_CALCOM);
G_STATIC_ASSERT (RUN_N_FLAGGED == 10);

/* Column positions of CS_STORE_HISTORY_COLUMNS. */
enum {
  HISTORY_ID,
  HISTORY_APPOINTMENT_ID,
  HISTORY_AT,
  HISTORY_KIND,
  HISTORY_MESSAGE,
  HISTORY_ATTEMPT,
  HISTORY_RUN_ID,
};

/* Column positions of CS_STORE_AUDIT_COLUMNS. */
enum {
  AUDIT_KEY,
  AUDIT_APPOINTMENT_ID,
  AUDIT_ACTION,
  AUDIT_RESULT,
  AUDIT_NOTE,
  AUDIT_PERFORMED_AT,
  AUDIT_PERFORMED_BY,
  AUDIT_UPLOADED_AT,
  AUDIT_REASON,
  AUDIT_SETTLED_AT,
  AUDIT_BOOKING_UID,
};

/* Column positions of CS_STORE_OUTBOX_COLUMNS. */
enum {
  OUTBOX_ID,
  OUTBOX_IDEMPOTENCY_KEY,
  OUTBOX_SERVICE,
  OUTBOX_METHOD,
  OUTBOX_PATH,
  OUTBOX_BODY,
  OUTBOX_APPOINTMENT_ID,
  OUTBOX_CREATED_AT,
  OUTBOX_ATTEMPTS,
  OUTBOX_NEXT_ATTEMPT_AT,
  OUTBOX_LAST_ERROR,
  OUTBOX_DONE_AT,
  OUTBOX_KIND,
  OUTBOX_BOOKING_UID,
  OUTBOX_AUDIT_KEY,
};

/* A statement borrowed from the cache: its cleanup resets it and clears its
 * bindings, so the next user starts clean and no bound text outlives the
 * operation. */
typedef sqlite3_stmt CsCachedStmt;

static void
cs_cached_stmt_release (CsCachedStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsCachedStmt, cs_cached_stmt_release)

typedef gpointer (*RowReader) (sqlite3_stmt  *stmt,
                               GError       **error);

/* Errors */

/**
 * _cs_store_set_sqlite_error:
 * @error: return location for a #GError
 * @db: (nullable): the connection that failed
 * @rc: the SQLite result code
 *
 * Maps a SQLite failure to a #CsStoreError whose message says what to do.
 * SQLite's own text goes to the debug log; it names tables and columns,
 * never values.
 */
void
_cs_store_set_sqlite_error (GError  **error,
                            sqlite3  *db,
                            int       rc)
{
  const char *detail;

  if (db != NULL && (sqlite3_extended_errcode (db) == rc || sqlite3_errcode (db) == rc))
    detail = sqlite3_errmsg (db);
  else
    detail = sqlite3_errstr (rc);

  g_debug ("SQLite error %d: %s", rc, detail);

  /* A full disk is said as such whichever write found it: SQLite calls it
   * SQLITE_FULL for its files' pages, but an I/O error when the index in
   * shared memory (the -shm file) cannot grow; the system's ENOSPC tells. */
  if ((rc & 0xff) == SQLITE_FULL ||
      ((rc & 0xff) == SQLITE_IOERR && db != NULL && sqlite3_system_errno (db) == ENOSPC))
    {
      g_set_error_literal (error, CS_STORE_ERROR, CS_STORE_ERROR_DISK_FULL,
                           _("The disk that holds the local cache is full; free some space on it "
                             "and try again."));
      return;
    }

  switch (rc & 0xff)
    {

    case SQLITE_IOERR:
      g_set_error_literal (error, CS_STORE_ERROR, CS_STORE_ERROR_IO,
                           _("The local cache could not be read or written because of a disk "
                             "error; check the disk and try again."));
      break;

    case SQLITE_READONLY:
    case SQLITE_PERM:
      g_set_error_literal (error, CS_STORE_ERROR, CS_STORE_ERROR_IO,
                           _("The local cache cannot be written; check that you may write to "
                             "its folder and try again."));
      break;

    case SQLITE_CANTOPEN:
      g_set_error_literal (error, CS_STORE_ERROR, CS_STORE_ERROR_IO,
                           _("The local cache could not be opened; check that its folder "
                             "exists and that you may write to it."));
      break;

    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error_literal (error, CS_STORE_ERROR, CS_STORE_ERROR_FAILED,
                           _("The local cache is in use by another program; try again in a "
                             "moment."));
      break;

    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error_literal (error, CS_STORE_ERROR, CS_STORE_ERROR_FAILED,
                           _("The local cache is damaged; quit Calsync and start it again to "
                             "rebuild it."));
      break;

    case SQLITE_CONSTRAINT:
      g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FAILED,
                   /* Translators: %s is SQLite's English description of the rule broken */
                   _("The local cache refused to save an entry (%s)."), detail);
      break;

    default:
      g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FAILED,
                   /* Translators: %s is SQLite's English error message */
                   _("The local cache reported an error: %s"), detail);
      break;
    }
}

static void
set_unreadable_error (GError **error)
{
  g_set_error_literal (error, CS_STORE_ERROR, CS_STORE_ERROR_FAILED,
                       _("An entry of the local cache could not be read."));
}

static void
set_refused_error (GError     **error,
                   const char  *what)
{
  /* @what is one of our own English reasons: never customer data. */
  g_debug ("Refused a row: %s", what);
  g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FAILED,
               /* Translators: %s is an English reason such as "end is before start" */
               _("An entry was refused by the local cache (%s); nothing was saved."), what);
}

static void
set_appointment_not_found (GError **error,
                           gint64   id)
{
  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, id);

  g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_NOT_FOUND,
               /* Translators: %s is the appointment's number, e.g. 1236 */
               _("Appointment %s is not in the local cache."), number);
}

static gboolean
store_require_company (CsStore  *self,
                       GError  **error)
{
  if (self->company_id > 0)
    return TRUE;

  g_set_error_literal (error, CS_STORE_ERROR, CS_STORE_ERROR_NO_COMPANY,
                       _("No company is selected for the local cache; sign in first."));
  return FALSE;
}

/* Statements, bindings and columns */

static void
statement_free (gpointer data)
{
  sqlite3_finalize (data);
}

/* Returns a cached statement for @sql, which must be a string constant: the
 * cache keys on its text and does not copy it. */
static CsCachedStmt *
store_prepare (CsStore     *self,
               const char  *sql,
               GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_assert (self->db != NULL);

  stmt = g_hash_table_lookup (self->statements, sql);
  if (stmt != NULL)
    return stmt;

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _cs_store_set_sqlite_error (error, self->db, rc);
      return NULL;
    }

  g_hash_table_insert (self->statements, (gpointer) sql, stmt);
  return stmt;
}

/* The bind helpers keep the first failure in @rc and do nothing after it, so
 * a run of bindings is checked once. */
static void
bind_int64 (sqlite3_stmt *stmt,
            int           param,
            gint64        value,
            int          *rc)
{
  if (*rc == SQLITE_OK)
    *rc = sqlite3_bind_int64 (stmt, param, value);
}

/* 0 stands for "none" in ids and times (CS_TIME_UNSET): SQL NULL. */
static void
bind_optional (sqlite3_stmt *stmt,
               int           param,
               gint64        value,
               int          *rc)
{
  if (*rc != SQLITE_OK)
    return;

  if (value == 0)
    *rc = sqlite3_bind_null (stmt, param);
  else
    *rc = sqlite3_bind_int64 (stmt, param, value);
}

static void
bind_text (sqlite3_stmt *stmt,
           int           param,
           const char   *value,
           int          *rc)
{
  if (*rc != SQLITE_OK)
    return;

  if (value == NULL)
    *rc = sqlite3_bind_null (stmt, param);
  else
    *rc = sqlite3_bind_text (stmt, param, value, -1, SQLITE_TRANSIENT);
}

static gint64
column_optional (sqlite3_stmt *stmt,
                 int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return 0;

  return sqlite3_column_int64 (stmt, column);
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  return g_strdup (column_text (stmt, column));
}

static guint
column_uint (sqlite3_stmt *stmt,
             int           column)
{
  return (guint) CLAMP (sqlite3_column_int64 (stmt, column), 0, G_MAXUINT);
}

static gboolean
check_bind (CsStore  *self,
            int       rc,
            GError  **error)
{
  if (rc == SQLITE_OK)
    return TRUE;

  _cs_store_set_sqlite_error (error, self->db, rc);
  return FALSE;
}

/* Steps a statement that returns no rows. */
static gboolean
step_done (CsStore       *self,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE)
    return TRUE;

  _cs_store_set_sqlite_error (error, self->db, rc == SQLITE_ROW ? SQLITE_MISUSE : rc);
  return FALSE;
}

/* Steps @stmt to its end, reading each row with @read_row. */
static GPtrArray *
collect_rows (CsStore         *self,
              sqlite3_stmt    *stmt,
              RowReader        read_row,
              GDestroyNotify   free_func,
              GError         **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (free_func);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gpointer row = read_row (stmt, error);

      if (row == NULL)
        return NULL;

      g_ptr_array_add (rows, row);
    }

  if (rc != SQLITE_DONE)
    {
      _cs_store_set_sqlite_error (error, self->db, rc);
      return NULL;
    }

  return g_steal_pointer (&rows);
}

/* Runs a statement without parameters and rows, e.g. BEGIN. */
static gboolean
store_exec (CsStore     *self,
            const char  *sql,
            GError     **error)
{
  g_autoptr(CsCachedStmt) stmt = NULL;

  if (!(stmt = store_prepare (self, sql, error)))
    return FALSE;

  return step_done (self, stmt, error);
}

/* Transactions. BEGIN IMMEDIATE takes the write lock at once, so a second
 * process waits for the busy timeout instead of failing halfway. */

/* Inside a transaction of cs_store_begin(), a public call's own
 * transaction is a savepoint: its failure undoes only its part, and
 * nothing is written before the outer one commits. */

static gboolean
store_begin (CsStore  *self,
             GError  **error)
{
  if (!store_exec (self, self->tx_depth == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT cs_nested", error))
    return FALSE;

  self->tx_depth++;
  return TRUE;
}

static void
store_rollback (CsStore *self)
{
  g_autoptr(GError) error = NULL;

  /* Some failures (a full disk, for one) have rolled back already. */
  if (sqlite3_get_autocommit (self->db))
    {
      self->tx_depth = 0;
      return;
    }

  if (self->tx_depth == 0)
    return;

  if (self->tx_depth == 1)
    {
      if (!store_exec (self, "ROLLBACK", &error))
        g_debug ("Rollback failed: %s", error->message);
    }
  else if (!store_exec (self, "ROLLBACK TO cs_nested", &error) ||
           !store_exec (self, "RELEASE cs_nested", &error))
    g_debug ("Rollback to a savepoint failed: %s", error->message);

  self->tx_depth--;
}

static gboolean
store_commit (CsStore  *self,
              GError  **error)
{
  /* A failed COMMIT leaves the transaction open for the rollback. */
  if (!store_exec (self, self->tx_depth > 1 ? "RELEASE cs_nested" : "COMMIT", error))
    return FALSE;

  self->tx_depth--;
  return TRUE;
}

/* Opening, and moving a damaged file aside */

typedef enum
{
  OPEN_OK,
  OPEN_FAILED,
  OPEN_DAMAGED,
  OPEN_NEWER,
} OpenResult;

/* The failures that say "this file is not a cache we can use", as opposed
 * to "the disk or the lock is in the way right now". Only the first kind
 * moves a user's file aside. */
static gboolean
is_damage (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_ERROR:
    case SQLITE_SCHEMA:
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_FORMAT:
    case SQLITE_RANGE:
      return TRUE;

    default:
      return FALSE;
    }
}

static gboolean
prepare_folder (const char  *path,
                GError     **error)
{
  g_autofree char *folder = g_path_get_dirname (path);
  GStatBuf st;

  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved_errno = errno;
      g_autofree char *display = g_filename_display_name (folder);

      g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_IO,
                   /* Translators: the first %s is a folder, the second the system's reason */
                   _("The folder %s for the local cache could not be created: %s"),
                   display, g_strerror (saved_errno));
      return FALSE;
    }

  /* Narrow a folder made before (or by someone else's umask) to its owner;
   * never a shared folder such as /tmp, which is not ours to change. */
  if (g_stat (folder, &st) == 0 &&
      (st.st_mode & 077) != 0 &&
      (st.st_mode & S_ISVTX) == 0 &&
      st.st_uid == getuid () &&
      g_chmod (folder, 0700) != 0)
    g_debug ("Could not make the cache folder private: %s", g_strerror (errno));

  return TRUE;
}

/* Creates the file with mode 0600 before SQLite opens it, so it is never
 * readable by others, not even for a moment; narrows an existing one. */
static gboolean
create_private_file (const char  *path,
                     GError     **error)
{
  static const char * const companions[] = { "-wal", "-shm", "-journal" };
  struct stat st;
  int fd;

  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_IO,
                   /* Translators: the first %s is a file, the second the system's reason */
                   _("The local cache %s could not be opened for writing: %s"),
                   display, g_strerror (saved_errno));
      return FALSE;
    }

  if (fstat (fd, &st) == 0 && (st.st_mode & 077) != 0 && fchmod (fd, 0600) != 0)
    g_debug ("Could not make the cache file private: %s", g_strerror (errno));

  g_close (fd, NULL);

  /* SQLite gives its -wal, -shm and -journal files the mode of the
   * database; narrow those left by an older build. */
  for (guint i = 0; i < G_N_ELEMENTS (companions); i++)
    {
      g_autofree char *companion = g_strconcat (path, companions[i], NULL);
      GStatBuf cst;

      if (g_stat (companion, &cst) == 0 && (cst.st_mode & 077) != 0)
        g_chmod (companion, 0600);
    }

  return TRUE;
}

/* The database itself, then the files SQLite keeps beside it: moved with it,
 * so that a fresh cache never replays another file's journal. */
static const char * const database_files[] = { "", "-wal", "-shm", "-journal" };

static gboolean
any_exists (const char *path)
{
  for (guint i = 0; i < G_N_ELEMENTS (database_files); i++)
    {
      g_autofree char *file = g_strconcat (path, database_files[i], NULL);

      if (g_file_test (file, G_FILE_TEST_EXISTS))
        return TRUE;
    }

  return FALSE;
}

/* Renames @path and its companions to `PATH.damaged-YYYYMMDD-HHMMSS` (with
 * a counter if that is taken). A user's file is never deleted. */
static gboolean
move_aside (const char  *path,
            char       **out_moved,
            GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *base = g_strdup_printf ("%s.damaged-%s", path, stamp);
  g_autofree char *target = NULL;

  for (guint n = 1; target == NULL; n++)
    {
      g_autofree char *candidate = NULL;

      candidate = n == 1 ? g_strdup (base) : g_strdup_printf ("%s-%u", base, n);
      if (!any_exists (candidate))
        target = g_steal_pointer (&candidate);
    }

  for (guint i = 0; i < G_N_ELEMENTS (database_files); i++)
    {
      g_autofree char *from = g_strconcat (path, database_files[i], NULL);
      g_autofree char *to = g_strconcat (target, database_files[i], NULL);

      if (i > 0 && !g_file_test (from, G_FILE_TEST_EXISTS))
        continue;

      if (g_rename (from, to) != 0)
        {
          int saved_errno = errno;
          g_autofree char *display = g_filename_display_name (from);

          g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_IO,
                       /* Translators: the first %s is a file, the second the system's reason */
                       _("The damaged local cache %s could not be moved aside: %s"),
                       display, g_strerror (saved_errno));
          return FALSE;
        }
    }

  *out_moved = g_steal_pointer (&target);
  return TRUE;
}

static OpenResult
open_failed (sqlite3  *db,
             int       rc,
             GError  **error)
{
  _cs_store_set_sqlite_error (error, db, rc);
  return is_damage (rc) ? OPEN_DAMAGED : OPEN_FAILED;
}

/* Runs a PRAGMA and returns the text of its first row, if any, in
 * @out_text (freeing what it held). */
static int
query_pragma (sqlite3     *db,
              const char  *sql,
              char       **out_text)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_clear_pointer (out_text, g_free);

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rc;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_text = column_dup (stmt, 0);
      return SQLITE_OK;
    }

  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Opens @path, checks it, migrates it and configures the connection. Every
 * result other than OPEN_OK sets @error. The checks come before anything
 * that writes: a file that is then moved aside is moved as it was found. */
static OpenResult
try_open (const char  *path,
          sqlite3    **out_db,
          GError     **error)
{
  g_autoptr(sqlite3) db = NULL;
  g_autofree char *check = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *ignored = NULL;
  int version = 0;
  int rc;

  if (!create_private_file (path, error))
    return OPEN_FAILED;

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      _cs_store_set_sqlite_error (error, db, rc);
      return OPEN_FAILED;
    }

  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MSEC);

  /* The first read: a file that is not a database fails here. */
  if ((rc = _cs_store_read_user_version (db, &version)) != SQLITE_OK)
    return open_failed (db, rc, error);

  if (version > CS_STORE_SCHEMA_VERSION)
    {
      g_debug ("The cache has schema version %d; this build knows %d",
               version, CS_STORE_SCHEMA_VERSION);
      g_set_error_literal (error, CS_STORE_ERROR, CS_STORE_ERROR_FAILED,
                           _("The local cache was made by a newer version of Calsync."));
      return OPEN_NEWER;
    }

  if ((rc = query_pragma (db, "PRAGMA quick_check", &check)) != SQLITE_OK)
    return open_failed (db, rc, error);

  if (g_strcmp0 (check, "ok") != 0)
    {
      g_debug ("The cache failed its integrity check");
      return open_failed (db, SQLITE_CORRUPT, error);
    }

  if ((rc = query_pragma (db, "PRAGMA foreign_keys = ON", &ignored)) != SQLITE_OK)
    return open_failed (db, rc, error);

  /* Statement journals and sorters in memory: no customer data in temporary
   * files, and no 64 KiB spill buffer allocated and trimmed again for every
   * upsert (which made saving 100,000 rows five times slower). */
  if ((rc = query_pragma (db, "PRAGMA temp_store = MEMORY", &ignored)) != SQLITE_OK)
    return open_failed (db, rc, error);

  if (!_cs_store_migrate_to (db, CS_STORE_SCHEMA_VERSION, &rc, error))
    return is_damage (rc) ? OPEN_DAMAGED : OPEN_FAILED;

  if (!_cs_store_check_schema (db, &rc, error))
    return is_damage (rc) ? OPEN_DAMAGED : OPEN_FAILED;

  if ((rc = query_pragma (db, "PRAGMA journal_mode = WAL", &mode)) != SQLITE_OK)
    return open_failed (db, rc, error);

  /* A file system without shared memory keeps the rollback journal; the
   * cache works either way. */
  if (g_strcmp0 (mode, "wal") != 0)
    g_debug ("The cache runs in journal mode %s, not WAL", mode);

  if ((rc = query_pragma (db, "PRAGMA synchronous = NORMAL", &ignored)) != SQLITE_OK)
    return open_failed (db, rc, error);

  *out_db = g_steal_pointer (&db);
  return OPEN_OK;
}

/**
 * cs_store_get_default_path:
 *
 * Returns: (transfer full) (type filename): where the cache lives:
 *   `$XDG_DATA_HOME/calsync/cache.sqlite3`
 */
char *
cs_store_get_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "calsync", "cache.sqlite3", NULL);
}

/* Carrying a person's unsent clicks out of a damaged file */

/* What a rebuilt cache must not lose: the changes a person made that have
 * not reached the servers yet. The rest is filled again from the servers. */
static const struct
{
  const char *table;
  const char *unsent;   /* which rows */
} carried_tables[] = {
  { "outbox", "done_at IS NULL" },
  { "audit_entries", "uploaded_at IS NULL" },
  { "state", "key LIKE '" CS_STORE_STATE_CARRIED_PREFIX "%'" },
};

/* Copies the unsent rows of @table from @old into @db, column by column
 * (both files have the same schema version, so the same columns). Adds to
 * @carried the rows that are changes to send. */
static gboolean
carry_table (sqlite3    *old,
             sqlite3    *db,
             guint       index,
             guint      *carried)
{
  g_autofree char *select = NULL;
  g_autoptr(sqlite3_stmt) read = NULL;
  g_autoptr(sqlite3_stmt) write = NULL;
  g_autoptr(GString) insert = NULL;
  int n_columns;
  int rc;

  select = g_strdup_printf ("SELECT * FROM %s WHERE %s", carried_tables[index].table,
                            carried_tables[index].unsent);
  if (sqlite3_prepare_v2 (old, select, -1, &read, NULL) != SQLITE_OK)
    return FALSE;

  n_columns = sqlite3_column_count (read);
  insert = g_string_new (NULL);
  g_string_printf (insert, "INSERT OR REPLACE INTO %s VALUES (", carried_tables[index].table);
  for (int i = 0; i < n_columns; i++)
    g_string_append (insert, i == 0 ? "?" : ", ?");
  g_string_append_c (insert, ')');
  if (sqlite3_prepare_v2 (db, insert->str, -1, &write, NULL) != SQLITE_OK)
    return FALSE;

  while ((rc = sqlite3_step (read)) == SQLITE_ROW)
    {
      for (int i = 0; i < n_columns; i++)
        sqlite3_bind_value (write, i + 1, sqlite3_column_value (read, i));
      if (sqlite3_step (write) != SQLITE_DONE)
        return FALSE;
      sqlite3_reset (write);
      sqlite3_clear_bindings (write);

      /* An outbox item is a change to send; a kept create in Cal.com is one
       * line of its state value. Audit entries go with their change. */
      if (index == 0)
        (*carried)++;
      else if (index == 2 && sqlite3_column_text (read, 2) != NULL)
        {
          g_auto(GStrv) lines = g_strsplit ((const char *) sqlite3_column_text (read, 2), "\n", -1);

          for (guint l = 0; lines[l] != NULL; l++)
            if (*g_strstrip (lines[l]) != '\0' &&
                g_str_has_suffix ((const char *) sqlite3_column_text (read, 1), "creates"))
              (*carried)++;
        }
    }

  return rc == SQLITE_DONE;
}

/* Reads what a person changed and the servers have not received yet out of
 * the damaged file at @old_path into the fresh cache @db, as far as it can
 * be read. Returns the number of changes carried over; @out_lost says that
 * some could not be read. */
static guint
carry_unsent (sqlite3    *db,
              const char *old_path,
              gboolean   *out_lost)
{
  g_autoptr(sqlite3) old = NULL;
  guint carried = 0;
  int version = 0;

  *out_lost = FALSE;

  if (sqlite3_open_v2 (old_path, &old, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
      _cs_store_read_user_version (old, &version) != SQLITE_OK)
    {
      *out_lost = TRUE;
      return 0;
    }

  /* An older or newer layout: its rows do not fit this one's columns. */
  if (version != CS_STORE_SCHEMA_VERSION)
    {
      *out_lost = version > 0;
      return 0;
    }

  for (guint i = 0; i < G_N_ELEMENTS (carried_tables); i++)
    {
      guint table_carried = 0;

      sqlite3_exec (db, "SAVEPOINT carry", NULL, NULL, NULL);
      if (carry_table (old, db, i, &table_carried))
        {
          sqlite3_exec (db, "RELEASE carry", NULL, NULL, NULL);
          carried += table_carried;
        }
      else
        {
          g_debug ("The unsent rows of %s could not be read from the damaged cache",
                   carried_tables[i].table);
          sqlite3_exec (db, "ROLLBACK TO carry", NULL, NULL, NULL);
          sqlite3_exec (db, "RELEASE carry", NULL, NULL, NULL);
          *out_lost = TRUE;
        }
    }

  return carried;
}

/**
 * cs_store_open:
 * @path: (type filename): the cache file, usually cs_store_get_default_path(),
 *   in a folder of its own
 * @error: return location for a #GError
 *
 * Opens the cache at @path, creating its folder (mode 0700) and the file
 * (mode 0600) if needed, and migrates it to the current schema. A folder or
 * file that others may read is narrowed to its owner. This blocks on disk
 * I/O and checks the whole file (`PRAGMA quick_check`, about a third of a
 * second for 100,000 appointments): call it from a worker thread.
 *
 * A file that is damaged (not a database, failing its integrity check, or
 * with an unexpected schema) or that was made by a newer Calsync is renamed
 * to `PATH.damaged-YYYYMMDD-HHMMSS`, never deleted, and a fresh cache is
 * created in its place; cs_store_get_recovery_error() then returns an error
 * to show. The cache is filled again from the servers at the next check.
 *
 * Returns: (transfer full) (nullable): the store, or %NULL when no usable
 *   cache can be made at all (the folder cannot be created, the disk is full
 *   or read-only, …), with @error set
 */
CsStore *
cs_store_open (const char  *path,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) recovery_error = NULL;
  g_autoptr(sqlite3) db = NULL;
  CsStore *self;
  OpenResult result;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!prepare_folder (path, error))
    return NULL;

  result = try_open (path, &db, &local_error);

  if (result == OPEN_DAMAGED || result == OPEN_NEWER)
    {
      OpenResult found = result;
      g_autofree char *moved = NULL;
      g_autofree char *display = NULL;

      g_debug ("The cache cannot be used (%s); moving it aside", local_error->message);
      g_clear_error (&local_error);

      if (!move_aside (path, &moved, error))
        return NULL;

      display = g_filename_display_name (moved);

      if (result == OPEN_NEWER)
        recovery_error = g_error_new (CS_STORE_ERROR, CS_STORE_ERROR_REBUILT,
                                      /* Translators: %s is the old file's new name */
                                      _("The local cache was made by a newer version of "
                                        "Calsync and has been replaced; it will be filled "
                                        "again from the servers at the next check. The old "
                                        "file was kept as %s."),
                                      display);
      else
        recovery_error = g_error_new (CS_STORE_ERROR, CS_STORE_ERROR_REBUILT,
                                      /* Translators: %s is the old file's new name */
                                      _("The local cache was damaged and has been rebuilt; "
                                        "it will be filled again from the servers at the next "
                                        "check. The old file was kept as %s."),
                                      display);

      /* The caller shows the message; the log only records that it happened. */
      g_debug ("Moved the unusable cache aside and created a fresh one");

      /* A fresh file that fails again is a real failure, not a loop. */
      result = try_open (path, &db, &local_error);

      /* A person's unsent changes are carried over, as far as the damaged
       * file can be read; the message says what happened to them. */
      if (result == OPEN_OK && found == OPEN_DAMAGED)
        {
          gboolean lost = FALSE;
          guint carried = carry_unsent (db, moved, &lost);
          g_autofree char *first = g_steal_pointer (&recovery_error->message);

          if (carried > 0)
            {
              g_autofree char *kept = NULL;

              kept = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                   /* Translators: added to "The local cache was damaged…" */
                                                   "It held %u change that was not sent yet; it was "
                                                   "carried over and will be sent.",
                                                   "It held %u changes that were not sent yet; they "
                                                   "were carried over and will be sent.",
                                                   carried),
                                      carried);
              recovery_error->message = g_strdup_printf ("%s %s", first, kept);
            }
          else
            recovery_error->message = g_steal_pointer (&first);

          if (lost)
            {
              g_autofree char *with = g_steal_pointer (&recovery_error->message);

              recovery_error->message =
                g_strdup_printf ("%s %s", with,
                                 _("Changes it held that were not sent yet could not all be "
                                   "read; if one is missing, make it again."));
            }
        }
    }

  if (result != OPEN_OK)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  self = g_object_new (CS_TYPE_STORE, NULL);
  self->db = g_steal_pointer (&db);
  self->path = g_strdup (path);
  self->recovery_error = g_steal_pointer (&recovery_error);

  return self;
}

/* GObject */

static void
cs_store_finalize (GObject *object)
{
  CsStore *self = (CsStore *)object;

  /* Statements first: a connection with live statements does not close. */
  g_clear_pointer (&self->statements, g_hash_table_unref);

  if (self->db != NULL)
    {
      int rc = sqlite3_close (self->db);

      if (rc != SQLITE_OK)
        g_debug ("Closing the cache failed (SQLite %d)", rc);
      self->db = NULL;
    }

  g_clear_error (&self->recovery_error);
  g_clear_pointer (&self->path, g_free);
  g_rec_mutex_clear (&self->lock);

  G_OBJECT_CLASS (cs_store_parent_class)->finalize (object);
}

static void
cs_store_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  CsStore *self = CS_STORE (object);

  switch (prop_id)
    {
    case PROP_COMPANY_ID:
      g_value_set_int64 (value, cs_store_get_company_id (self));
      break;

    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_store_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  CsStore *self = CS_STORE (object);

  switch (prop_id)
    {
    case PROP_COMPANY_ID:
      cs_store_set_company_id (self, g_value_get_int64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_store_class_init (CsStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cs_store_finalize;
  object_class->get_property = cs_store_get_property;
  object_class->set_property = cs_store_set_property;

  /**
   * CsStore:company-id:
   *
   * The company every operation is scoped to, or 0 before sign-in.
   */
  properties[PROP_COMPANY_ID] =
    g_param_spec_int64 ("company-id", NULL, NULL,
                        0, G_MAXINT64, 0,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CsStore:path:
   *
   * The cache file.
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_store_init (CsStore *self)
{
  g_rec_mutex_init (&self->lock);
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, statement_free);
}

/**
 * cs_store_get_recovery_error:
 * @self: a store
 *
 * Returns: (nullable) (transfer none): a %CS_STORE_ERROR_REBUILT error to
 *   show once if cs_store_open() had to move a damaged or newer file aside,
 *   or %NULL
 */
const GError *
cs_store_get_recovery_error (CsStore *self)
{
  g_return_val_if_fail (CS_IS_STORE (self), NULL);

  return self->recovery_error;
}

/**
 * cs_store_get_path:
 * @self: a store
 *
 * Returns: (type filename): the cache file
 */
const char *
cs_store_get_path (CsStore *self)
{
  g_return_val_if_fail (CS_IS_STORE (self), NULL);

  return self->path;
}

/**
 * cs_store_set_company_id:
 * @self: a store
 * @company_id: the signed-in company, or 0 for none
 *
 * Scopes every later operation to @company_id. The same file may hold the
 * rows of several companies (a user switching accounts); they stay apart.
 */
void
cs_store_set_company_id (CsStore *self,
                         gint64   company_id)
{
  gboolean changed;

  g_return_if_fail (CS_IS_STORE (self));
  g_return_if_fail (company_id >= 0);

  g_rec_mutex_lock (&self->lock);
  changed = self->company_id != company_id;
  self->company_id = company_id;
  g_rec_mutex_unlock (&self->lock);

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPANY_ID]);
}

/**
 * cs_store_get_company_id:
 * @self: a store
 *
 * Returns: the company operations are scoped to, or 0
 */
gint64
cs_store_get_company_id (CsStore *self)
{
  g_autoptr(GRecMutexLocker) locker = NULL;

  g_return_val_if_fail (CS_IS_STORE (self), 0);

  locker = g_rec_mutex_locker_new (&self->lock);
  return self->company_id;
}

/**
 * _cs_store_get_db:
 * @self: a store
 *
 * For tests: the connection, to look at the file with raw SQL.
 *
 * Returns: (transfer none): the connection
 */
sqlite3 *
_cs_store_get_db (CsStore *self)
{
  g_return_val_if_fail (CS_IS_STORE (self), NULL);

  return self->db;
}

/* Appointments */

static gpointer
appointment_from_row (sqlite3_stmt  *stmt,
                      GError       **error)
{
  g_autoptr(CsAppointment) appointment = cs_appointment_new ();
  CsSyncTracking *sync = &appointment->sync;

  if (!cs_crm_status_from_string (column_text (stmt, APPT_STATUS), &appointment->status) ||
      !cs_sync_status_from_string (column_text (stmt, APPT_SYNC_STATUS), &sync->status) ||
      !cs_error_code_from_string (column_text (stmt, APPT_ERROR_CODE), &sync->sync_error_code))
    {
      set_unreadable_error (error);
      return NULL;
    }

  appointment->company_id = sqlite3_column_int64 (stmt, APPT_COMPANY_ID);
  appointment->id = sqlite3_column_int64 (stmt, APPT_ID);
  appointment->number = column_dup (stmt, APPT_NUMBER);
  appointment->starts_at = sqlite3_column_int64 (stmt, APPT_STARTS_AT);
  appointment->ends_at = sqlite3_column_int64 (stmt, APPT_ENDS_AT);
  appointment->title = column_dup (stmt, APPT_TITLE);
  appointment->customer_name = column_dup (stmt, APPT_CUSTOMER_NAME);
  appointment->customer_email = column_dup (stmt, APPT_CUSTOMER_EMAIL);
  appointment->customer_phone = column_dup (stmt, APPT_CUSTOMER_PHONE);
  appointment->calcom_booking_uid = column_dup (stmt, APPT_BOOKING_UID);
  appointment->calcom_event_type_id = column_optional (stmt, APPT_EVENT_TYPE_ID);
  appointment->source = column_dup (stmt, APPT_SOURCE);
  appointment->created_at = column_optional (stmt, APPT_CREATED_AT);
  appointment->updated_at = column_optional (stmt, APPT_UPDATED_AT);
  appointment->deleted_at = column_optional (stmt, APPT_DELETED_AT);

  sync->last_sync_attempt_at = column_optional (stmt, APPT_LAST_ATTEMPT_AT);
  sync->sync_attempt_count = column_uint (stmt, APPT_ATTEMPT_COUNT);
  sync->sync_error_message = column_dup (stmt, APPT_ERROR_MESSAGE);
  sync->sync_verified_at = column_optional (stmt, APPT_VERIFIED_AT);
  sync->requires_manual_review = sqlite3_column_int (stmt, APPT_REQUIRES_REVIEW) != 0;
  sync->manual_review_flagged_at = column_optional (stmt, APPT_FLAGGED_AT);

  appointment->next_attempt_at = column_optional (stmt, APPT_NEXT_ATTEMPT_AT);
  appointment->resolved_at = column_optional (stmt, APPT_RESOLVED_AT);
  appointment->resolved_by = column_optional (stmt, APPT_RESOLVED_BY);
  appointment->resolution = column_dup (stmt, APPT_RESOLUTION);
  appointment->resolution_note = column_dup (stmt, APPT_RESOLUTION_NOTE);
  appointment->snoozed_until = column_optional (stmt, APPT_SNOOZED_UNTIL);

  return g_steal_pointer (&appointment);
}

/* Checks in code what the schema would also refuse, for a message that
 * says which rule was broken; an unknown error code would otherwise be
 * stored as "none". */
static gboolean
check_appointment (CsStore              *self,
                   const CsAppointment  *appointment,
                   GError              **error)
{
  const char *reason = NULL;

  if (appointment == NULL)
    reason = "appointment is missing";
  else if (appointment->company_id != self->company_id)
    reason = "company_id is not the signed-in company";
  else if (cs_appointment_is_valid (appointment, &reason) &&
           (guint) appointment->sync.sync_error_code > CS_ERROR_CODE_LAST)
    reason = "sync_error_code is unknown";

  if (reason == NULL)
    return TRUE;

  set_refused_error (error, reason);
  return FALSE;
}

static gboolean
write_appointment (CsStore              *self,
                   const CsAppointment  *appointment,
                   GError              **error)
{
  /* An upsert, not a REPLACE: REPLACE deletes the row first, and the
   * deletion would cascade to the appointment's history. A diff only
   * describes a mismatch: it goes when the mismatch does. A row that did not
   * change is not rewritten: a comprehensive check saves mostly those. */
  static const char sql[] =
    "INSERT INTO appointments (" CS_STORE_APPOINTMENT_COLUMNS ") VALUES ("
    "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "
    "?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30) "
    "ON CONFLICT (company_id, id) DO UPDATE SET "
    "number = excluded.number, starts_at = excluded.starts_at, ends_at = excluded.ends_at, "
    "status = excluded.status, title = excluded.title, "
    "customer_name = excluded.customer_name, customer_email = excluded.customer_email, "
    "customer_phone = excluded.customer_phone, "
    "calcom_booking_uid = excluded.calcom_booking_uid, "
    "calcom_event_type_id = excluded.calcom_event_type_id, source = excluded.source, "
    "created_at = excluded.created_at, updated_at = excluded.updated_at, "
    "deleted_at = excluded.deleted_at, calcom_sync_status = excluded.calcom_sync_status, "
    "last_sync_attempt_at = excluded.last_sync_attempt_at, "
    "sync_attempt_count = excluded.sync_attempt_count, "
    "sync_error_message = excluded.sync_error_message, "
    "sync_error_code = excluded.sync_error_code, sync_verified_at = excluded.sync_verified_at, "
    "requires_manual_review = excluded.requires_manual_review, "
    "manual_review_flagged_at = excluded.manual_review_flagged_at, "
    "next_attempt_at = excluded.next_attempt_at, resolved_at = excluded.resolved_at, "
    "resolved_by = excluded.resolved_by, resolution = excluded.resolution, "
    "resolution_note = excluded.resolution_note, snoozed_until = excluded.snoozed_until, "
    "sync_diff = CASE WHEN excluded.sync_error_code IS 'DATA_MISMATCH' THEN sync_diff END "
    "WHERE (number, starts_at, ends_at, status, title, customer_name, customer_email, "
    "customer_phone, calcom_booking_uid, calcom_event_type_id, source, created_at, updated_at, "
    "deleted_at, calcom_sync_status, last_sync_attempt_at, sync_attempt_count, "
    "sync_error_message, sync_error_code, sync_verified_at, requires_manual_review, "
    "manual_review_flagged_at, next_attempt_at, resolved_at, resolved_by, resolution, "
    "resolution_note, snoozed_until) IS NOT (excluded.number, excluded.starts_at, "
    "excluded.ends_at, excluded.status, excluded.title, excluded.customer_name, "
    "excluded.customer_email, excluded.customer_phone, excluded.calcom_booking_uid, "
    "excluded.calcom_event_type_id, excluded.source, excluded.created_at, "
    "excluded.updated_at, excluded.deleted_at, excluded.calcom_sync_status, "
    "excluded.last_sync_attempt_at, excluded.sync_attempt_count, "
    "excluded.sync_error_message, excluded.sync_error_code, excluded.sync_verified_at, "
    "excluded.requires_manual_review, excluded.manual_review_flagged_at, "
    "excluded.next_attempt_at, excluded.resolved_at, excluded.resolved_by, "
    "excluded.resolution, excluded.resolution_note, excluded.snoozed_until)";
  g_autoptr(CsCachedStmt) stmt = NULL;
  const CsSyncTracking *sync;
  int rc = SQLITE_OK;

  if (!check_appointment (self, appointment, error))
    return FALSE;

  if (!(stmt = store_prepare (self, sql, error)))
    return FALSE;

  sync = &appointment->sync;

  bind_int64 (stmt, 1 + APPT_COMPANY_ID, self->company_id, &rc);
  bind_int64 (stmt, 1 + APPT_ID, appointment->id, &rc);
  bind_text (stmt, 1 + APPT_NUMBER, appointment->number, &rc);
  bind_int64 (stmt, 1 + APPT_STARTS_AT, appointment->starts_at, &rc);
  bind_int64 (stmt, 1 + APPT_ENDS_AT, appointment->ends_at, &rc);
  bind_text (stmt, 1 + APPT_STATUS, cs_crm_status_to_string (appointment->status), &rc);
  bind_text (stmt, 1 + APPT_TITLE, appointment->title, &rc);
  bind_text (stmt, 1 + APPT_CUSTOMER_NAME, appointment->customer_name, &rc);
  bind_text (stmt, 1 + APPT_CUSTOMER_EMAIL, appointment->customer_email, &rc);
  bind_text (stmt, 1 + APPT_CUSTOMER_PHONE, appointment->customer_phone, &rc);
  bind_text (stmt, 1 + APPT_BOOKING_UID, appointment->calcom_booking_uid, &rc);
  bind_optional (stmt, 1 + APPT_EVENT_TYPE_ID, appointment->calcom_event_type_id, &rc);
  bind_text (stmt, 1 + APPT_SOURCE, appointment->source, &rc);
  bind_optional (stmt, 1 + APPT_CREATED_AT, appointment->created_at, &rc);
  bind_optional (stmt, 1 + APPT_UPDATED_AT, appointment->updated_at, &rc);
  bind_optional (stmt, 1 + APPT_DELETED_AT, appointment->deleted_at, &rc);
  bind_text (stmt, 1 + APPT_SYNC_STATUS, cs_sync_status_to_string (sync->status), &rc);
  bind_optional (stmt, 1 + APPT_LAST_ATTEMPT_AT, sync->last_sync_attempt_at, &rc);
  bind_int64 (stmt, 1 + APPT_ATTEMPT_COUNT, sync->sync_attempt_count, &rc);
  bind_text (stmt, 1 + APPT_ERROR_MESSAGE, sync->sync_error_message, &rc);
  bind_text (stmt, 1 + APPT_ERROR_CODE, cs_error_code_to_string (sync->sync_error_code), &rc);
  bind_optional (stmt, 1 + APPT_VERIFIED_AT, sync->sync_verified_at, &rc);
  bind_int64 (stmt, 1 + APPT_REQUIRES_REVIEW, sync->requires_manual_review ? 1 : 0, &rc);
  bind_optional (stmt, 1 + APPT_FLAGGED_AT, sync->manual_review_flagged_at, &rc);
  bind_optional (stmt, 1 + APPT_NEXT_ATTEMPT_AT, appointment->next_attempt_at, &rc);
  bind_optional (stmt, 1 + APPT_RESOLVED_AT, appointment->resolved_at, &rc);
  bind_optional (stmt, 1 + APPT_RESOLVED_BY, appointment->resolved_by, &rc);
  bind_text (stmt, 1 + APPT_RESOLUTION, appointment->resolution, &rc);
  bind_text (stmt, 1 + APPT_RESOLUTION_NOTE, appointment->resolution_note, &rc);
  bind_optional (stmt, 1 + APPT_SNOOZED_UNTIL, appointment->snoozed_until, &rc);

  return check_bind (self, rc, error) && step_done (self, stmt, error);
}

static gboolean
write_appointments (CsStore    *self,
                    GPtrArray  *appointments,
                    GError    **error)
{
  for (guint i = 0; i < appointments->len; i++)
    {
      if (!write_appointment (self, g_ptr_array_index (appointments, i), error))
        return FALSE;
    }

  return TRUE;
}

/**
 * cs_store_save_appointments:
 * @self: a store
 * @appointments: (element-type CsAppointment): the appointments to save
 * @error: return location for a #GError
 *
 * Inserts or updates every field of each appointment, in one transaction.
 * An appointment of another company, or one that is not valid, fails the
 * whole call: nothing is written. The per-field diff kept with
 * cs_store_set_sync_diff() is dropped when an appointment is saved with an
 * error code other than %CS_ERROR_CODE_DATA_MISMATCH.
 *
 * Returns: %TRUE on success
 */
gboolean
cs_store_save_appointments (CsStore    *self,
                            GPtrArray  *appointments,
                            GError    **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (appointments != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error) || !store_begin (self, error))
    return FALSE;

  if (!write_appointments (self, appointments, error) || !store_commit (self, error))
    {
      store_rollback (self);
      return FALSE;
    }

  return TRUE;
}

/**
 * cs_store_get_appointment:
 * @self: a store
 * @id: the CRM id
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the appointment, or %NULL with
 *   %CS_STORE_ERROR_NOT_FOUND if the company has none with @id
 */
CsAppointment *
cs_store_get_appointment (CsStore  *self,
                          gint64    id,
                          GError  **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return NULL;

  if (!(stmt = store_prepare (self,
                              "SELECT " CS_STORE_APPOINTMENT_COLUMNS " FROM appointments "
                              "WHERE company_id = ?1 AND id = ?2",
                              error)))
    return NULL;

  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_int64 (stmt, 2, id, &rc);
  if (!check_bind (self, rc, error))
    return NULL;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return appointment_from_row (stmt, error);

  if (rc == SQLITE_DONE)
    set_appointment_not_found (error, id);
  else
    _cs_store_set_sqlite_error (error, self->db, rc);

  return NULL;
}

/**
 * cs_store_list_appointments:
 * @self: a store
 * @starts_from: the earliest start, inclusive, or %CS_TIME_UNSET for no bound
 * @starts_before: the latest start, exclusive, or %CS_TIME_UNSET for no bound
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type CsAppointment) (nullable): the
 *   company's appointments that start in the range, ordered by start and id,
 *   or %NULL on error
 */
GPtrArray *
cs_store_list_appointments (CsStore  *self,
                            CsTime    starts_from,
                            CsTime    starts_before,
                            GError  **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return NULL;

  /* Open bounds become the extremes, so the range always uses the index. */
  if (!(stmt = store_prepare (self,
                              "SELECT " CS_STORE_APPOINTMENT_COLUMNS " FROM appointments "
                              "WHERE company_id = ?1 AND starts_at >= ?2 AND starts_at < ?3 "
                              "ORDER BY starts_at, id",
                              error)))
    return NULL;

  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_int64 (stmt, 2, starts_from != CS_TIME_UNSET ? starts_from : G_MININT64, &rc);
  bind_int64 (stmt, 3, starts_before != CS_TIME_UNSET ? starts_before : G_MAXINT64, &rc);
  if (!check_bind (self, rc, error))
    return NULL;

  return collect_rows (self, stmt, appointment_from_row,
                       (GDestroyNotify) cs_appointment_free, error);
}

/**
 * cs_store_list_due_appointments:
 * @self: a store
 * @now: the current time
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type CsAppointment) (nullable): the
 *   company's appointments whose `next_attempt_at` is set and not after
 *   @now, the most overdue first, or %NULL on error
 */
GPtrArray *
cs_store_list_due_appointments (CsStore  *self,
                                CsTime    now,
                                GError  **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return NULL;

  if (!(stmt = store_prepare (self,
                              "SELECT " CS_STORE_APPOINTMENT_COLUMNS " FROM appointments "
                              "WHERE company_id = ?1 AND next_attempt_at IS NOT NULL "
                              "AND next_attempt_at <= ?2 AND resolved_at IS NULL "
                              "ORDER BY next_attempt_at, id",
                              error)))
    return NULL;

  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_int64 (stmt, 2, now, &rc);
  if (!check_bind (self, rc, error))
    return NULL;

  return collect_rows (self, stmt, appointment_from_row,
                       (GDestroyNotify) cs_appointment_free, error);
}

/**
 * cs_store_get_next_due:
 * @self: a store
 * @after: only due times after this instant count, or %CS_TIME_UNSET for all
 * @out_due: (out): the earliest `next_attempt_at` of the company's
 *   appointments and bookings that wait for an automatic attempt (not
 *   resolved, not flagged), or %CS_TIME_UNSET if none does
 * @error: return location for a #GError
 *
 * What the retry timer is armed with after a run: every due item, not only
 * those the run looked at.
 *
 * Returns: %TRUE on success
 */
gboolean
cs_store_get_next_due (CsStore  *self,
                       CsTime    after,
                       CsTime   *out_due,
                       GError  **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_due != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return FALSE;

  if (!(stmt = store_prepare (self,
                              "SELECT min(due) FROM ("
                              "SELECT min(next_attempt_at) AS due FROM appointments "
                              "WHERE company_id = ?1 AND next_attempt_at > ?2 "
                              "AND resolved_at IS NULL AND requires_manual_review = 0 "
                              "UNION ALL "
                              "SELECT min(next_attempt_at) FROM bookings "
                              "WHERE company_id = ?1 AND next_attempt_at > ?2 "
                              "AND resolved_at IS NULL AND requires_manual_review = 0)",
                              error)))
    return FALSE;

  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_int64 (stmt, 2, after == CS_TIME_UNSET ? G_MININT64 : after, &rc);
  if (!check_bind (self, rc, error))
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _cs_store_set_sqlite_error (error, self->db, rc);
      return FALSE;
    }

  *out_due = column_optional (stmt, 0);
  return TRUE;
}

/**
 * cs_store_delete_appointment:
 * @self: a store
 * @id: the CRM id
 * @error: return location for a #GError
 *
 * Removes an appointment and, with it, its history.
 *
 * Returns: %TRUE on success; %FALSE with %CS_STORE_ERROR_NOT_FOUND if the
 *   company has no appointment with @id
 */
gboolean
cs_store_delete_appointment (CsStore  *self,
                             gint64    id,
                             GError  **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return FALSE;

  if (!(stmt = store_prepare (self,
                              "DELETE FROM appointments WHERE company_id = ?1 AND id = ?2",
                              error)))
    return FALSE;

  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_int64 (stmt, 2, id, &rc);
  if (!check_bind (self, rc, error) || !step_done (self, stmt, error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      set_appointment_not_found (error, id);
      return FALSE;
    }

  return TRUE;
}

/**
 * cs_store_get_counts:
 * @self: a store
 * @out_counts: (out caller-allocates): the dashboard figures
 * @error: return location for a #GError
 *
 * Counts the company's appointments per sync status, those that need a
 * review (flagged and not resolved), and all of them.
 *
 * An orphaned Cal.com booking (a booking no appointment claims, in status
 * %CS_SYNC_STATUS_ORPHANED_CALCOM) counts like an appointment: it adds one
 * to that status's figure and to the total. A booking flagged for manual
 * review and not resolved adds one to the review figure. Other bookings are
 * not counted.
 *
 * Returns: %TRUE on success
 */
gboolean
cs_store_get_counts (CsStore        *self,
                     CsStoreCounts  *out_counts,
                     GError        **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  CsStoreCounts counts = { { 0 } };
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_counts != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return FALSE;

  /* The appointments are answered from the appointments_by_status index
   * alone. The bookings that count like appointments come as one more row
   * (always there: total() is 0, not NULL, without bookings); one statement
   * reads both tables at the same moment. */
  if (!(stmt = store_prepare (self,
                              "SELECT calcom_sync_status, count(*), "
                              "sum(requires_manual_review = 1 AND resolved_at IS NULL), "
                              "sum(requires_manual_review = 0 AND resolved_at IS NULL) "
                              "FROM appointments WHERE company_id = ?1 "
                              "GROUP BY calcom_sync_status "
                              "UNION ALL "
                              "SELECT 'orphaned_calcom', "
                              "total(calcom_sync_status = 'orphaned_calcom'), "
                              "total(requires_manual_review = 1 AND resolved_at IS NULL), "
                              "total(calcom_sync_status = 'orphaned_calcom' AND "
                              "requires_manual_review = 0 AND resolved_at IS NULL) "
                              "FROM bookings WHERE company_id = ?1",
                              error)))
    return FALSE;

  bind_int64 (stmt, 1, self->company_id, &rc);
  if (!check_bind (self, rc, error))
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CsSyncStatus status;
      guint n = column_uint (stmt, 1);

      if (!cs_sync_status_from_string (column_text (stmt, 0), &status))
        {
          set_unreadable_error (error);
          return FALSE;
        }

      counts.by_status[status] += n;
      counts.needs_review += column_uint (stmt, 2);
      if (status == CS_SYNC_STATUS_FAILED || status == CS_SYNC_STATUS_ORPHANED_LOCAL ||
          status == CS_SYNC_STATUS_ORPHANED_CALCOM)
        counts.retrying += column_uint (stmt, 3);
      counts.total += n;
    }

  if (rc != SQLITE_DONE)
    {
      _cs_store_set_sqlite_error (error, self->db, rc);
      return FALSE;
    }

  *out_counts = counts;
  return TRUE;
}

/**
 * cs_store_set_sync_diff:
 * @self: a store
 * @appointment_id: the CRM id
 * @json: (nullable): the per-field diff of a data mismatch as JSON text, or
 *   %NULL to clear it
 * @error: return location for a #GError
 *
 * Keeps the diff beside the appointment for the review dialog. It is
 * dropped when the appointment is next saved without
 * %CS_ERROR_CODE_DATA_MISMATCH.
 *
 * Returns: %TRUE on success; %FALSE with %CS_STORE_ERROR_NOT_FOUND if the
 *   company has no appointment with @appointment_id, or
 *   %CS_STORE_ERROR_FAILED if @json is not valid JSON
 */
gboolean
cs_store_set_sync_diff (CsStore     *self,
                        gint64       appointment_id,
                        const char  *json,
                        GError     **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return FALSE;

  if (!(stmt = store_prepare (self,
                              "UPDATE appointments SET sync_diff = ?3 "
                              "WHERE company_id = ?1 AND id = ?2",
                              error)))
    return FALSE;

  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_int64 (stmt, 2, appointment_id, &rc);
  bind_text (stmt, 3, json, &rc);
  if (!check_bind (self, rc, error) || !step_done (self, stmt, error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      set_appointment_not_found (error, appointment_id);
      return FALSE;
    }

  return TRUE;
}

/**
 * cs_store_get_sync_diff:
 * @self: a store
 * @appointment_id: the CRM id
 * @out_json: (out) (transfer full) (nullable): the diff as JSON text, or
 *   %NULL if none is kept
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success; %FALSE with %CS_STORE_ERROR_NOT_FOUND if the
 *   company has no appointment with @appointment_id
 */
gboolean
cs_store_get_sync_diff (CsStore  *self,
                        gint64    appointment_id,
                        char    **out_json,
                        GError  **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_json != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return FALSE;

  if (!(stmt = store_prepare (self,
                              "SELECT sync_diff FROM appointments "
                              "WHERE company_id = ?1 AND id = ?2",
                              error)))
    return FALSE;

  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_int64 (stmt, 2, appointment_id, &rc);
  if (!check_bind (self, rc, error))
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_json = column_dup (stmt, 0);
      return TRUE;
    }

  if (rc == SQLITE_DONE)
    set_appointment_not_found (error, appointment_id);
  else
    _cs_store_set_sqlite_error (error, self->db, rc);

  return FALSE;
}

/* Bookings */

static gpointer
booking_from_row (sqlite3_stmt  *stmt,
                  GError       **error)
{
  g_autoptr(CsBooking) booking = cs_booking_new (column_text (stmt, BOOKING_UID));
  const char *metadata = column_text (stmt, BOOKING_METADATA);
  CsSyncTracking *sync = &booking->sync;

  if (!cs_booking_status_from_string (column_text (stmt, BOOKING_STATUS), &booking->status) ||
      !cs_sync_status_from_string (column_text (stmt, BOOKING_SYNC_STATUS), &sync->status) ||
      !cs_error_code_from_string (column_text (stmt, BOOKING_ERROR_CODE), &sync->sync_error_code) ||
      !_cs_store_json_decode_attendees (column_text (stmt, BOOKING_ATTENDEES),
                                        booking->attendees) ||
      (metadata != NULL && !_cs_store_json_decode_metadata (metadata, &booking->metadata)))
    {
      set_unreadable_error (error);
      return NULL;
    }

  booking->id = column_optional (stmt, BOOKING_ID);
  booking->start = sqlite3_column_int64 (stmt, BOOKING_STARTS_AT);
  booking->end = sqlite3_column_int64 (stmt, BOOKING_ENDS_AT);
  booking->title = column_dup (stmt, BOOKING_TITLE);
  booking->event_type_id = column_optional (stmt, BOOKING_EVENT_TYPE_ID);
  booking->updated_at = column_optional (stmt, BOOKING_UPDATED_AT);

  sync->last_sync_attempt_at = column_optional (stmt, BOOKING_LAST_ATTEMPT_AT);
  sync->sync_attempt_count = column_uint (stmt, BOOKING_ATTEMPT_COUNT);
  sync->sync_error_message = column_dup (stmt, BOOKING_ERROR_MESSAGE);
  sync->sync_verified_at = column_optional (stmt, BOOKING_VERIFIED_AT);
  sync->requires_manual_review = sqlite3_column_int (stmt, BOOKING_REQUIRES_REVIEW) != 0;
  sync->manual_review_flagged_at = column_optional (stmt, BOOKING_FLAGGED_AT);

  booking->next_attempt_at = column_optional (stmt, BOOKING_NEXT_ATTEMPT_AT);
  booking->resolved_at = column_optional (stmt, BOOKING_RESOLVED_AT);
  booking->resolved_by = column_optional (stmt, BOOKING_RESOLVED_BY);
  booking->resolution = column_dup (stmt, BOOKING_RESOLUTION);
  booking->resolution_note = column_dup (stmt, BOOKING_RESOLUTION_NOTE);
  booking->snoozed_until = column_optional (stmt, BOOKING_SNOOZED_UNTIL);

  return g_steal_pointer (&booking);
}

/* As check_appointment(): the tracking fields are checked in code too, so an
 * unknown status or error code is refused with a reason instead of failing
 * on NOT NULL or being stored as "none". */
static gboolean
check_booking (CsStore          *self,
               const CsBooking  *booking,
               GError          **error)
{
  const char *reason = NULL;
  const char *company;
  gint64 company_id = 0;

  /* As in the reconciler: a crm_company_id that is no number is not ours. */
  if (booking == NULL)
    reason = "booking is missing";
  else if (cs_booking_is_valid (booking, &reason) &&
           (company = cs_booking_get_metadata (booking, CS_METADATA_CRM_COMPANY_ID)) != NULL &&
           (!g_ascii_string_to_signed (company, 10, 1, G_MAXINT64, &company_id, NULL) ||
            company_id != self->company_id))
    reason = "crm_company_id is not the signed-in company";
  else if (reason == NULL && (guint) booking->sync.status > CS_SYNC_STATUS_LAST)
    reason = "calcom_sync_status is unknown";
  else if (reason == NULL && (guint) booking->sync.sync_error_code > CS_ERROR_CODE_LAST)
    reason = "sync_error_code is unknown";

  if (reason == NULL)
    return TRUE;

  set_refused_error (error, reason);
  return FALSE;
}

static gboolean
write_booking (CsStore          *self,
               const CsBooking  *booking,
               CsTime            seen_at,
               GError          **error)
{
  /* Every row is rewritten, unlike an appointment's: seen_at changes with
   * every save. The tracking fields are written as given, so a booking just
   * fetched from Cal.com must carry the tracking of the stored one. */
  static const char sql[] =
    "INSERT INTO bookings (company_id, " CS_STORE_BOOKING_COLUMNS ") VALUES ("
    "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
    "?20, ?21, ?22, ?23, ?24, ?25, ?26) "
    "ON CONFLICT (company_id, uid) DO UPDATE SET "
    "id = excluded.id, starts_at = excluded.starts_at, ends_at = excluded.ends_at, "
    "status = excluded.status, title = excluded.title, "
    "event_type_id = excluded.event_type_id, attendees = excluded.attendees, "
    "metadata = excluded.metadata, updated_at = excluded.updated_at, "
    "seen_at = excluded.seen_at, calcom_sync_status = excluded.calcom_sync_status, "
    "last_sync_attempt_at = excluded.last_sync_attempt_at, "
    "sync_attempt_count = excluded.sync_attempt_count, "
    "sync_error_message = excluded.sync_error_message, "
    "sync_error_code = excluded.sync_error_code, sync_verified_at = excluded.sync_verified_at, "
    "requires_manual_review = excluded.requires_manual_review, "
    "manual_review_flagged_at = excluded.manual_review_flagged_at, "
    "next_attempt_at = excluded.next_attempt_at, resolved_at = excluded.resolved_at, "
    "resolved_by = excluded.resolved_by, resolution = excluded.resolution, "
    "resolution_note = excluded.resolution_note, snoozed_until = excluded.snoozed_until";
  g_autoptr(CsCachedStmt) stmt = NULL;
  g_autofree char *attendees = NULL;
  g_autofree char *metadata = NULL;
  const CsSyncTracking *sync;
  int rc = SQLITE_OK;

  if (!check_booking (self, booking, error))
    return FALSE;

  if (!(stmt = store_prepare (self, sql, error)))
    return FALSE;

  attendees = _cs_store_json_encode_attendees (booking->attendees);
  metadata = _cs_store_json_encode_metadata (booking->metadata);

  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_text (stmt, 2 + BOOKING_UID, booking->uid, &rc);
  bind_optional (stmt, 2 + BOOKING_ID, booking->id, &rc);
  bind_int64 (stmt, 2 + BOOKING_STARTS_AT, booking->start, &rc);
  bind_int64 (stmt, 2 + BOOKING_ENDS_AT, booking->end, &rc);
  bind_text (stmt, 2 + BOOKING_STATUS, cs_booking_status_to_string (booking->status), &rc);
  bind_text (stmt, 2 + BOOKING_TITLE, booking->title, &rc);
  bind_optional (stmt, 2 + BOOKING_EVENT_TYPE_ID, booking->event_type_id, &rc);
  bind_text (stmt, 2 + BOOKING_ATTENDEES, attendees, &rc);
  bind_text (stmt, 2 + BOOKING_METADATA, metadata, &rc);
  bind_optional (stmt, 2 + BOOKING_UPDATED_AT, booking->updated_at, &rc);
  bind_int64 (stmt, 2 + BOOKING_SEEN_AT, seen_at, &rc);

  sync = &booking->sync;
  bind_text (stmt, 2 + BOOKING_SYNC_STATUS, cs_sync_status_to_string (sync->status), &rc);
  bind_optional (stmt, 2 + BOOKING_LAST_ATTEMPT_AT, sync->last_sync_attempt_at, &rc);
  bind_int64 (stmt, 2 + BOOKING_ATTEMPT_COUNT, sync->sync_attempt_count, &rc);
  bind_text (stmt, 2 + BOOKING_ERROR_MESSAGE, sync->sync_error_message, &rc);
  bind_text (stmt, 2 + BOOKING_ERROR_CODE, cs_error_code_to_string (sync->sync_error_code), &rc);
  bind_optional (stmt, 2 + BOOKING_VERIFIED_AT, sync->sync_verified_at, &rc);
  bind_int64 (stmt, 2 + BOOKING_REQUIRES_REVIEW, sync->requires_manual_review ? 1 : 0, &rc);
  bind_optional (stmt, 2 + BOOKING_FLAGGED_AT, sync->manual_review_flagged_at, &rc);
  bind_optional (stmt, 2 + BOOKING_NEXT_ATTEMPT_AT, booking->next_attempt_at, &rc);
  bind_optional (stmt, 2 + BOOKING_RESOLVED_AT, booking->resolved_at, &rc);
  bind_optional (stmt, 2 + BOOKING_RESOLVED_BY, booking->resolved_by, &rc);
  bind_text (stmt, 2 + BOOKING_RESOLUTION, booking->resolution, &rc);
  bind_text (stmt, 2 + BOOKING_RESOLUTION_NOTE, booking->resolution_note, &rc);
  bind_optional (stmt, 2 + BOOKING_SNOOZED_UNTIL, booking->snoozed_until, &rc);

  return check_bind (self, rc, error) && step_done (self, stmt, error);
}

static gboolean
write_bookings (CsStore    *self,
                GPtrArray  *bookings,
                CsTime      seen_at,
                GError    **error)
{
  for (guint i = 0; i < bookings->len; i++)
    {
      if (!write_booking (self, g_ptr_array_index (bookings, i), seen_at, error))
        return FALSE;
    }

  return TRUE;
}

/**
 * cs_store_save_bookings:
 * @self: a store
 * @bookings: (element-type CsBooking): the bookings seen in Cal.com
 * @seen_at: when they were seen
 * @error: return location for a #GError
 *
 * Inserts or updates each booking, with its attendees and metadata, in one
 * transaction. A booking that is not valid, or whose `crm_company_id`
 * metadata names another company, fails the whole call: nothing is written.
 *
 * Returns: %TRUE on success
 */
gboolean
cs_store_save_bookings (CsStore    *self,
                        GPtrArray  *bookings,
                        CsTime      seen_at,
                        GError    **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (bookings != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error) || !store_begin (self, error))
    return FALSE;

  if (!write_bookings (self, bookings, seen_at, error) || !store_commit (self, error))
    {
      store_rollback (self);
      return FALSE;
    }

  return TRUE;
}

/**
 * cs_store_get_booking:
 * @self: a store
 * @uid: the booking uid
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the booking as last seen, or %NULL
 *   with %CS_STORE_ERROR_NOT_FOUND if the company has none with @uid
 */
CsBooking *
cs_store_get_booking (CsStore     *self,
                      const char  *uid,
                      GError     **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (uid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return NULL;

  if (!(stmt = store_prepare (self,
                              "SELECT " CS_STORE_BOOKING_COLUMNS " FROM bookings "
                              "WHERE company_id = ?1 AND uid = ?2",
                              error)))
    return NULL;

  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_text (stmt, 2, uid, &rc);
  if (!check_bind (self, rc, error))
    return NULL;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return booking_from_row (stmt, error);

  if (rc == SQLITE_DONE)
    g_set_error_literal (error, CS_STORE_ERROR, CS_STORE_ERROR_NOT_FOUND,
                         _("The booking is not in the local cache."));
  else
    _cs_store_set_sqlite_error (error, self->db, rc);

  return NULL;
}

/**
 * cs_store_list_bookings:
 * @self: a store
 * @starts_from: the earliest start, inclusive, or %CS_TIME_UNSET for no bound
 * @starts_before: the latest start, exclusive, or %CS_TIME_UNSET for no bound
 * @error: return location for a #GError
 *
 * The bookings seen before, for a cycle that fetches only what changed.
 *
 * Returns: (transfer container) (element-type CsBooking) (nullable): the
 *   company's bookings that start in the range, ordered by start and uid, or
 *   %NULL on error
 */
GPtrArray *
cs_store_list_bookings (CsStore  *self,
                        CsTime    starts_from,
                        CsTime    starts_before,
                        GError  **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return NULL;

  if (!(stmt = store_prepare (self,
                              "SELECT " CS_STORE_BOOKING_COLUMNS " FROM bookings "
                              "WHERE company_id = ?1 AND starts_at >= ?2 AND starts_at < ?3 "
                              "ORDER BY starts_at, uid",
                              error)))
    return NULL;

  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_int64 (stmt, 2, starts_from != CS_TIME_UNSET ? starts_from : G_MININT64, &rc);
  bind_int64 (stmt, 3, starts_before != CS_TIME_UNSET ? starts_before : G_MAXINT64, &rc);
  if (!check_bind (self, rc, error))
    return NULL;

  return collect_rows (self, stmt, booking_from_row, (GDestroyNotify) cs_booking_free, error);
}

/**
 * cs_store_list_due_bookings:
 * @self: a store
 * @now: the current time
 * @error: return location for a #GError
 *
 * The orphaned Cal.com bookings whose next attempt is due, for the same
 * retry schedule as cs_store_list_due_appointments().
 *
 * Returns: (transfer container) (element-type CsBooking) (nullable): the
 *   company's bookings whose `next_attempt_at` is set and not after @now,
 *   the most overdue first, or %NULL on error
 */
GPtrArray *
cs_store_list_due_bookings (CsStore  *self,
                            CsTime    now,
                            GError  **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return NULL;

  if (!(stmt = store_prepare (self,
                              "SELECT " CS_STORE_BOOKING_COLUMNS " FROM bookings "
                              "WHERE company_id = ?1 AND next_attempt_at IS NOT NULL "
                              "AND next_attempt_at <= ?2 AND resolved_at IS NULL "
                              "ORDER BY next_attempt_at, uid",
                              error)))
    return NULL;

  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_int64 (stmt, 2, now, &rc);
  if (!check_bind (self, rc, error))
    return NULL;

  return collect_rows (self, stmt, booking_from_row, (GDestroyNotify) cs_booking_free, error);
}

/**
 * cs_store_list_flagged_bookings:
 * @self: a store
 * @error: return location for a #GError
 *
 * The bookings for the review list: flagged for manual review and not
 * resolved. Snoozed ones are included, with their @snoozed_until, for the
 * caller to hide.
 *
 * Returns: (transfer container) (element-type CsBooking) (nullable): the
 *   company's flagged, unresolved bookings, ordered by start and uid, or
 *   %NULL on error
 */
GPtrArray *
cs_store_list_flagged_bookings (CsStore  *self,
                                GError  **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return NULL;

  /* Answered in order from the bookings_by_review index. */
  if (!(stmt = store_prepare (self,
                              "SELECT " CS_STORE_BOOKING_COLUMNS " FROM bookings "
                              "WHERE company_id = ?1 AND requires_manual_review = 1 "
                              "AND resolved_at IS NULL "
                              "ORDER BY starts_at, uid",
                              error)))
    return NULL;

  bind_int64 (stmt, 1, self->company_id, &rc);
  if (!check_bind (self, rc, error))
    return NULL;

  return collect_rows (self, stmt, booking_from_row, (GDestroyNotify) cs_booking_free, error);
}

/* History */

static gpointer
history_event_from_row (sqlite3_stmt  *stmt,
                        GError       **error)
{
  CsHistoryEvent *event;

  event = cs_history_event_new (sqlite3_column_int64 (stmt, HISTORY_APPOINTMENT_ID),
                                sqlite3_column_int64 (stmt, HISTORY_AT),
                                column_text (stmt, HISTORY_KIND),
                                column_text (stmt, HISTORY_MESSAGE));
  event->id = sqlite3_column_int64 (stmt, HISTORY_ID);
  event->attempt = column_uint (stmt, HISTORY_ATTEMPT);
  event->run_id = column_optional (stmt, HISTORY_RUN_ID);

  return event;
}

/* Inserts @event with @run_id and returns the new row's id in @out_id. */
static gboolean
write_history_event (CsStore               *self,
                     const CsHistoryEvent  *event,
                     gint64                 run_id,
                     gint64                *out_id,
                     GError               **error)
{
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  if (event == NULL)
    {
      set_refused_error (error, "history event is missing");
      return FALSE;
    }

  if (!(stmt = store_prepare (self,
                              "INSERT INTO history_events (company_id, appointment_id, at, "
                              "kind, message, attempt, run_id) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                              error)))
    return FALSE;

  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_int64 (stmt, 2, event->appointment_id, &rc);
  bind_int64 (stmt, 3, event->at, &rc);
  bind_text (stmt, 4, event->kind, &rc);
  bind_text (stmt, 5, event->message, &rc);
  bind_int64 (stmt, 6, event->attempt, &rc);
  bind_optional (stmt, 7, run_id, &rc);

  if (!check_bind (self, rc, error) || !step_done (self, stmt, error))
    return FALSE;

  *out_id = sqlite3_last_insert_rowid (self->db);
  return TRUE;
}

/**
 * cs_store_add_history_event:
 * @self: a store
 * @event: (inout): the event; its @id is set on success
 * @error: return location for a #GError
 *
 * Adds a line to an appointment's history. The appointment must be in the
 * cache: the line goes when the appointment does.
 *
 * Returns: %TRUE on success
 */
gboolean
cs_store_add_history_event (CsStore         *self,
                            CsHistoryEvent  *event,
                            GError         **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  gint64 id = 0;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (event != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error) ||
      !write_history_event (self, event, event->run_id, &id, error))
    return FALSE;

  event->id = id;
  return TRUE;
}

/**
 * cs_store_list_history:
 * @self: a store
 * @appointment_id: the CRM id
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type CsHistoryEvent) (nullable):
 *   the appointment's history, newest first, or %NULL on error
 */
GPtrArray *
cs_store_list_history (CsStore  *self,
                       gint64    appointment_id,
                       GError  **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return NULL;

  if (!(stmt = store_prepare (self,
                              "SELECT " CS_STORE_HISTORY_COLUMNS " FROM history_events "
                              "WHERE company_id = ?1 AND appointment_id = ?2 "
                              "ORDER BY at DESC, id DESC",
                              error)))
    return NULL;

  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_int64 (stmt, 2, appointment_id, &rc);
  if (!check_bind (self, rc, error))
    return NULL;

  return collect_rows (self, stmt, history_event_from_row,
                       (GDestroyNotify) cs_history_event_free, error);
}

/* Runs */

static gpointer
run_record_from_row (sqlite3_stmt  *stmt,
                     GError       **error)
{
  CsRunRecord *run;

  run = cs_run_record_new (column_text (stmt, RUN_KIND),
                           sqlite3_column_int64 (stmt, RUN_STARTED_AT));
  run->id = sqlite3_column_int64 (stmt, RUN_ID);
  run->finished_at = column_optional (stmt, RUN_FINISHED_AT);
  for (guint i = 0; i <= CS_SYNC_STATUS_LAST; i++)
    run->counts[i] = column_uint (stmt, RUN_N_PENDING + (int) i);
  run->n_flagged = column_uint (stmt, RUN_N_FLAGGED);
  run->calcom_requests = column_uint (stmt, RUN_CALCOM_REQUESTS);
  run->backend_requests = column_uint (stmt, RUN_BACKEND_REQUESTS);
  run->duration_usec = sqlite3_column_int64 (stmt, RUN_DURATION_USEC);
  g_free (run->result);
  run->result = column_dup (stmt, RUN_RESULT);
  run->error_message = column_dup (stmt, RUN_ERROR_MESSAGE);

  return run;
}

static gboolean
write_run (CsStore            *self,
           const CsRunRecord  *run,
           gint64             *out_id,
           GError            **error)
{
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  /* The id is the database's; the column list starts after it. */
  if (!(stmt = store_prepare (self,
                              "INSERT INTO runs (company_id, kind, started_at, finished_at, "
                              "n_pending, n_verification_pending, n_synced, n_failed, "
                              "n_orphaned_local, n_orphaned_calcom, n_flagged, "
                              "calcom_requests, backend_requests, duration_usec, result, "
                              "error_message) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                              "?13, ?14, ?15, ?16)",
                              error)))
    return FALSE;

  /* Parameter n + 1 holds column n of CS_STORE_RUN_COLUMNS (whose column 0,
   * the id, is replaced by company_id). */
  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_text (stmt, 1 + RUN_KIND, run->kind, &rc);
  bind_int64 (stmt, 1 + RUN_STARTED_AT, run->started_at, &rc);
  bind_optional (stmt, 1 + RUN_FINISHED_AT, run->finished_at, &rc);
  for (guint i = 0; i <= CS_SYNC_STATUS_LAST; i++)
    bind_int64 (stmt, 1 + RUN_N_PENDING + (int) i, run->counts[i], &rc);
  bind_int64 (stmt, 1 + RUN_N_FLAGGED, run->n_flagged, &rc);
  bind_int64 (stmt, 1 + RUN_CALCOM_REQUESTS, run->calcom_requests, &rc);
  bind_int64 (stmt, 1 + RUN_BACKEND_REQUESTS, run->backend_requests, &rc);
  bind_int64 (stmt, 1 + RUN_DURATION_USEC, run->duration_usec, &rc);
  bind_text (stmt, 1 + RUN_RESULT, run->result, &rc);
  bind_text (stmt, 1 + RUN_ERROR_MESSAGE, run->error_message, &rc);

  if (!check_bind (self, rc, error) || !step_done (self, stmt, error))
    return FALSE;

  *out_id = sqlite3_last_insert_rowid (self->db);
  return TRUE;
}

/**
 * cs_store_commit_run:
 * @self: a store
 * @run: (inout): the run's figures; its @id is set on success
 * @appointments: (nullable) (element-type CsAppointment): the appointments
 *   the run verified, with their new tracking fields
 * @bookings: (nullable) (element-type CsBooking): the bookings the run saw;
 *   their `seen_at` is the run's end (or start, if it has no end)
 * @events: (nullable) (element-type CsHistoryEvent) (inout): the history the
 *   run wrote; each event's @id and @run_id are set on success
 * @error: return location for a #GError
 *
 * Writes everything one verification run found in one transaction (DESIGN.md
 * §2, step 6): the run's row, the appointments, the bookings and the
 * history. Any failure (a refused row, a constraint, a full disk) rolls all
 * of it back: the cache keeps the state from before the run, and @run and
 * @events are left as they were.
 *
 * Returns: %TRUE on success
 */
gboolean
cs_store_commit_run (CsStore      *self,
                     CsRunRecord  *run,
                     GPtrArray    *appointments,
                     GPtrArray    *bookings,
                     GPtrArray    *events,
                     GError      **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(GArray) event_ids = NULL;
  gint64 run_id = 0;
  CsTime seen_at;
  gboolean ok;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (run != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error) || !store_begin (self, error))
    return FALSE;

  seen_at = run->finished_at != CS_TIME_UNSET ? run->finished_at : run->started_at;
  event_ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), events ? events->len : 0);

  ok = write_run (self, run, &run_id, error);
  if (ok && appointments != NULL)
    ok = write_appointments (self, appointments, error);
  if (ok && bookings != NULL)
    ok = write_bookings (self, bookings, seen_at, error);
  for (guint i = 0; ok && events != NULL && i < events->len; i++)
    {
      gint64 id = 0;

      ok = write_history_event (self, g_ptr_array_index (events, i), run_id, &id, error);
      g_array_append_val (event_ids, id);
    }
  if (ok)
    ok = store_commit (self, error);

  if (!ok)
    {
      store_rollback (self);
      g_debug ("A run was rolled back");
      return FALSE;
    }

  /* Only now: a rolled-back run must not hand out ids of rows that are gone. */
  run->id = run_id;
  for (guint i = 0; events != NULL && i < events->len; i++)
    {
      CsHistoryEvent *event = g_ptr_array_index (events, i);

      event->id = g_array_index (event_ids, gint64, i);
      event->run_id = run_id;
    }

  g_debug ("Committed run %" G_GINT64_FORMAT ": %u appointments, %u bookings, %u events",
           run_id,
           appointments != NULL ? appointments->len : 0,
           bookings != NULL ? bookings->len : 0,
           events != NULL ? events->len : 0);

  return TRUE;
}

/**
 * cs_store_list_runs:
 * @self: a store
 * @since: the earliest start, or %CS_TIME_UNSET for all runs
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type CsRunRecord) (nullable): the
 *   company's runs that started at or after @since, oldest first, or %NULL
 *   on error
 */
GPtrArray *
cs_store_list_runs (CsStore  *self,
                    CsTime    since,
                    GError  **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return NULL;

  if (!(stmt = store_prepare (self,
                              "SELECT " CS_STORE_RUN_COLUMNS " FROM runs "
                              "WHERE company_id = ?1 AND started_at >= ?2 "
                              "ORDER BY started_at, id",
                              error)))
    return NULL;

  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_int64 (stmt, 2, since != CS_TIME_UNSET ? since : G_MININT64, &rc);
  if (!check_bind (self, rc, error))
    return NULL;

  return collect_rows (self, stmt, run_record_from_row,
                       (GDestroyNotify) cs_run_record_free, error);
}

/**
 * cs_store_get_last_run:
 * @self: a store
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the company's latest run, or %NULL
 *   with %CS_STORE_ERROR_NOT_FOUND if none was recorded yet
 */
CsRunRecord *
cs_store_get_last_run (CsStore  *self,
                       GError  **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return NULL;

  if (!(stmt = store_prepare (self,
                              "SELECT " CS_STORE_RUN_COLUMNS " FROM runs "
                              "WHERE company_id = ?1 "
                              "ORDER BY started_at DESC, id DESC LIMIT 1",
                              error)))
    return NULL;

  bind_int64 (stmt, 1, self->company_id, &rc);
  if (!check_bind (self, rc, error))
    return NULL;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return run_record_from_row (stmt, error);

  if (rc == SQLITE_DONE)
    g_set_error_literal (error, CS_STORE_ERROR, CS_STORE_ERROR_NOT_FOUND,
                         _("No verification has run yet."));
  else
    _cs_store_set_sqlite_error (error, self->db, rc);

  return NULL;
}

/* Transactions of several calls */

/**
 * cs_store_begin:
 * @self: a store
 * @error: return location for a #GError
 *
 * Starts a transaction that holds the next calls of this thread together
 * until cs_store_commit() or cs_store_rollback(): a resolution's decision,
 * its audit entry and its outbox items are written all or not at all, so
 * a crash never leaves one without the others. Until then the store's lock
 * stays taken: other threads wait. Transactions may nest.
 *
 * Returns: %TRUE if the transaction started; %FALSE and nothing held on
 *   error
 */
gboolean
cs_store_begin (CsStore  *self,
                GError  **error)
{
  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_rec_mutex_lock (&self->lock);

  if (!store_require_company (self, error) || !store_begin (self, error))
    {
      g_rec_mutex_unlock (&self->lock);
      return FALSE;
    }

  return TRUE;
}

/**
 * cs_store_commit:
 * @self: a store
 * @error: return location for a #GError
 *
 * Ends the transaction of cs_store_begin(), keeping what it wrote. If that
 * fails, it is rolled back: either way the transaction is over.
 *
 * Returns: %TRUE if it was kept
 */
gboolean
cs_store_commit (CsStore  *self,
                 GError  **error)
{
  gboolean ok;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ok = store_commit (self, error);
  if (!ok)
    store_rollback (self);

  g_rec_mutex_unlock (&self->lock);
  return ok;
}

/**
 * cs_store_rollback:
 * @self: a store
 *
 * Ends the transaction of cs_store_begin(), dropping what it wrote.
 */
void
cs_store_rollback (CsStore *self)
{
  g_return_if_fail (CS_IS_STORE (self));

  store_rollback (self);
  g_rec_mutex_unlock (&self->lock);
}

/* Audit entries */

static gpointer
audit_entry_from_row (sqlite3_stmt  *stmt,
                      GError       **error)
{
  CsAuditEntry *entry;

  entry = cs_audit_entry_new (column_text (stmt, AUDIT_KEY),
                              sqlite3_column_int64 (stmt, AUDIT_APPOINTMENT_ID),
                              column_text (stmt, AUDIT_ACTION),
                              column_text (stmt, AUDIT_RESULT),
                              sqlite3_column_int64 (stmt, AUDIT_PERFORMED_AT),
                              sqlite3_column_int64 (stmt, AUDIT_PERFORMED_BY));
  entry->note = column_dup (stmt, AUDIT_NOTE);
  entry->uploaded_at = column_optional (stmt, AUDIT_UPLOADED_AT);
  entry->reason = column_dup (stmt, AUDIT_REASON);
  entry->settled_at = column_optional (stmt, AUDIT_SETTLED_AT);
  entry->booking_uid = column_dup (stmt, AUDIT_BOOKING_UID);

  return entry;
}

/**
 * cs_store_add_audit_entry:
 * @self: a store
 * @entry: the entry, with a key
 * @error: return location for a #GError
 *
 * Keeps a manual action until the backend has it. Adding a key the company
 * has already is a no-op, as it is on the backend.
 *
 * Returns: %TRUE on success
 */
gboolean
cs_store_add_audit_entry (CsStore             *self,
                          const CsAuditEntry  *entry,
                          GError             **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (entry != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return FALSE;

  if (!(stmt = store_prepare (self,
                              "INSERT INTO audit_entries (company_id, " CS_STORE_AUDIT_COLUMNS ") "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
                              "ON CONFLICT (company_id, key) DO NOTHING",
                              error)))
    return FALSE;

  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_text (stmt, 2 + AUDIT_KEY, entry->key, &rc);
  bind_int64 (stmt, 2 + AUDIT_APPOINTMENT_ID, entry->appointment_id, &rc);
  bind_text (stmt, 2 + AUDIT_ACTION, entry->action, &rc);
  bind_text (stmt, 2 + AUDIT_RESULT, entry->result, &rc);
  bind_text (stmt, 2 + AUDIT_NOTE, entry->note, &rc);
  bind_int64 (stmt, 2 + AUDIT_PERFORMED_AT, entry->performed_at, &rc);
  bind_int64 (stmt, 2 + AUDIT_PERFORMED_BY, entry->performed_by, &rc);
  bind_optional (stmt, 2 + AUDIT_UPLOADED_AT, entry->uploaded_at, &rc);
  bind_text (stmt, 2 + AUDIT_REASON, entry->reason, &rc);
  bind_optional (stmt, 2 + AUDIT_SETTLED_AT, entry->settled_at, &rc);
  bind_text (stmt, 2 + AUDIT_BOOKING_UID, entry->booking_uid, &rc);

  return check_bind (self, rc, error) && step_done (self, stmt, error);
}

/**
 * cs_store_list_unsent_audit_entries:
 * @self: a store
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type CsAuditEntry) (nullable): the
 *   company's entries the backend does not have yet, oldest first, or %NULL
 *   on error
 */
GPtrArray *
cs_store_list_unsent_audit_entries (CsStore  *self,
                                    GError  **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return NULL;

  if (!(stmt = store_prepare (self,
                              "SELECT " CS_STORE_AUDIT_COLUMNS " FROM audit_entries "
                              "WHERE company_id = ?1 AND uploaded_at IS NULL "
                              "ORDER BY performed_at, rowid",
                              error)))
    return NULL;

  bind_int64 (stmt, 1, self->company_id, &rc);
  if (!check_bind (self, rc, error))
    return NULL;

  return collect_rows (self, stmt, audit_entry_from_row,
                       (GDestroyNotify) cs_audit_entry_free, error);
}

/**
 * cs_store_mark_audit_entries_sent:
 * @self: a store
 * @keys: (array zero-terminated=1): the keys the backend accepted
 * @at: when it accepted them
 * @error: return location for a #GError
 *
 * Marks entries as uploaded, in one transaction. Unknown keys and entries
 * marked before are left alone.
 *
 * Returns: %TRUE on success
 */
gboolean
cs_store_mark_audit_entries_sent (CsStore             *self,
                                  const char * const  *keys,
                                  CsTime               at,
                                  GError             **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (keys != NULL, FALSE);
  g_return_val_if_fail (at != CS_TIME_UNSET, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error) || !store_begin (self, error))
    return FALSE;

  for (guint i = 0; ok && keys[i] != NULL; i++)
    {
      g_autoptr(CsCachedStmt) stmt = NULL;
      int rc = SQLITE_OK;

      if (!(stmt = store_prepare (self,
                                  "UPDATE audit_entries SET uploaded_at = ?3 "
                                  "WHERE company_id = ?1 AND key = ?2 AND uploaded_at IS NULL",
                                  error)))
        {
          ok = FALSE;
          break;
        }

      bind_int64 (stmt, 1, self->company_id, &rc);
      bind_text (stmt, 2, keys[i], &rc);
      bind_int64 (stmt, 3, at, &rc);

      ok = check_bind (self, rc, error) && step_done (self, stmt, error);
    }

  if (!ok || !store_commit (self, error))
    {
      store_rollback (self);
      return FALSE;
    }

  return TRUE;
}

/**
 * cs_store_get_audit_entry:
 * @self: a store
 * @key: the entry's key
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the entry, or %NULL with
 *   %CS_STORE_ERROR_NOT_FOUND if the company has none with @key
 */
CsAuditEntry *
cs_store_get_audit_entry (CsStore     *self,
                          const char  *key,
                          GError     **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return NULL;

  if (!(stmt = store_prepare (self,
                              "SELECT " CS_STORE_AUDIT_COLUMNS " FROM audit_entries "
                              "WHERE company_id = ?1 AND key = ?2",
                              error)))
    return NULL;

  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_text (stmt, 2, key, &rc);
  if (!check_bind (self, rc, error))
    return NULL;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return audit_entry_from_row (stmt, error);

  if (rc == SQLITE_DONE)
    g_set_error_literal (error, CS_STORE_ERROR, CS_STORE_ERROR_NOT_FOUND,
                         _("The action is not in the local audit log."));
  else
    _cs_store_set_sqlite_error (error, self->db, rc);

  return NULL;
}

/**
 * cs_store_list_pending_audit:
 * @self: a store
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type CsAuditEntry) (nullable): the
 *   company's entries whose result is still %CS_AUDIT_RESULT_PENDING,
 *   oldest first, or %NULL on error
 */
GPtrArray *
cs_store_list_pending_audit (CsStore  *self,
                                     GError  **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return NULL;

  if (!(stmt = store_prepare (self,
                              "SELECT " CS_STORE_AUDIT_COLUMNS " FROM audit_entries "
                              "WHERE company_id = ?1 AND result = '" CS_AUDIT_RESULT_PENDING "' "
                              "ORDER BY performed_at, rowid",
                              error)))
    return NULL;

  bind_int64 (stmt, 1, self->company_id, &rc);
  if (!check_bind (self, rc, error))
    return NULL;

  return collect_rows (self, stmt, audit_entry_from_row,
                       (GDestroyNotify) cs_audit_entry_free, error);
}

/**
 * cs_store_settle_audit_entry:
 * @self: a store
 * @key: the entry's key
 * @result: %CS_AUDIT_RESULT_OK or %CS_AUDIT_RESULT_FAILED
 * @reason: (nullable): why it failed
 * @settled_at: when the servers answered
 * @out_settled: (out) (optional): whether this call settled it
 * @error: return location for a #GError
 *
 * Gives a pending entry its result. An entry settled before keeps its
 * result: a result is told once.
 *
 * Returns: %TRUE on success, whether the entry was pending or not
 */
gboolean
cs_store_settle_audit_entry (CsStore     *self,
                             const char  *key,
                             const char  *result,
                             const char  *reason,
                             CsTime       settled_at,
                             gboolean    *out_settled,
                             GError     **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (g_strcmp0 (result, CS_AUDIT_RESULT_OK) == 0 ||
                        g_strcmp0 (result, CS_AUDIT_RESULT_FAILED) == 0, FALSE);
  g_return_val_if_fail (settled_at != CS_TIME_UNSET, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (out_settled != NULL)
    *out_settled = FALSE;

  if (!store_require_company (self, error))
    return FALSE;

  if (!(stmt = store_prepare (self,
                              "UPDATE audit_entries SET result = ?3, reason = ?4, settled_at = ?5 "
                              "WHERE company_id = ?1 AND key = ?2 "
                              "AND result = '" CS_AUDIT_RESULT_PENDING "'",
                              error)))
    return FALSE;

  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_text (stmt, 2, key, &rc);
  bind_text (stmt, 3, result, &rc);
  bind_text (stmt, 4, reason, &rc);
  bind_int64 (stmt, 5, settled_at, &rc);
  if (!check_bind (self, rc, error) || !step_done (self, stmt, error))
    return FALSE;

  if (out_settled != NULL)
    *out_settled = sqlite3_changes (self->db) > 0;

  return TRUE;
}

/* Outbox */

static gpointer
outbox_item_from_row (sqlite3_stmt  *stmt,
                      GError       **error)
{
  CsOutboxItem *item;

  item = cs_outbox_item_new (column_text (stmt, OUTBOX_IDEMPOTENCY_KEY),
                             column_text (stmt, OUTBOX_SERVICE),
                             column_text (stmt, OUTBOX_METHOD),
                             column_text (stmt, OUTBOX_PATH),
                             column_text (stmt, OUTBOX_BODY),
                             sqlite3_column_int64 (stmt, OUTBOX_CREATED_AT));
  item->id = sqlite3_column_int64 (stmt, OUTBOX_ID);
  item->appointment_id = column_optional (stmt, OUTBOX_APPOINTMENT_ID);
  item->attempts = column_uint (stmt, OUTBOX_ATTEMPTS);
  item->next_attempt_at = column_optional (stmt, OUTBOX_NEXT_ATTEMPT_AT);
  item->last_error = column_dup (stmt, OUTBOX_LAST_ERROR);
  item->done_at = column_optional (stmt, OUTBOX_DONE_AT);
  item->kind = column_dup (stmt, OUTBOX_KIND);
  item->booking_uid = column_dup (stmt, OUTBOX_BOOKING_UID);
  item->audit_key = column_dup (stmt, OUTBOX_AUDIT_KEY);

  return item;
}

static gboolean
find_outbox_id (CsStore     *self,
                const char  *idempotency_key,
                gint64      *out_id,
                GError     **error)
{
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  if (!(stmt = store_prepare (self,
                              "SELECT id FROM outbox "
                              "WHERE company_id = ?1 AND idempotency_key = ?2",
                              error)))
    return FALSE;

  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_text (stmt, 2, idempotency_key, &rc);
  if (!check_bind (self, rc, error))
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _cs_store_set_sqlite_error (error, self->db, rc == SQLITE_DONE ? SQLITE_INTERNAL : rc);
      return FALSE;
    }

  *out_id = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/**
 * cs_store_enqueue_outbox:
 * @self: a store
 * @item: (inout): the request to keep; its @id is set on success
 * @error: return location for a #GError
 *
 * Keeps a write for a server until it succeeds. Enqueueing an idempotency
 * key the company has already is a no-op that sets @item's @id to the
 * existing item's: a repeated click never sends twice.
 *
 * Returns: %TRUE on success
 */
gboolean
cs_store_enqueue_outbox (CsStore       *self,
                         CsOutboxItem  *item,
                         GError       **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  gint64 id = 0;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (item != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return FALSE;

  /* The column list starts after the id, which is the database's. */
  if (!(stmt = store_prepare (self,
                              "INSERT INTO outbox (company_id, idempotency_key, service, "
                              "method, path, body, appointment_id, created_at, attempts, "
                              "next_attempt_at, last_error, done_at, kind, booking_uid, "
                              "audit_key) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                              "?14, ?15) "
                              "ON CONFLICT (company_id, idempotency_key) DO NOTHING",
                              error)))
    return FALSE;

  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_text (stmt, 1 + OUTBOX_IDEMPOTENCY_KEY, item->idempotency_key, &rc);
  bind_text (stmt, 1 + OUTBOX_SERVICE, item->service, &rc);
  bind_text (stmt, 1 + OUTBOX_METHOD, item->method, &rc);
  bind_text (stmt, 1 + OUTBOX_PATH, item->path, &rc);
  bind_text (stmt, 1 + OUTBOX_BODY, item->body, &rc);
  bind_optional (stmt, 1 + OUTBOX_APPOINTMENT_ID, item->appointment_id, &rc);
  bind_int64 (stmt, 1 + OUTBOX_CREATED_AT, item->created_at, &rc);
  bind_int64 (stmt, 1 + OUTBOX_ATTEMPTS, item->attempts, &rc);
  bind_optional (stmt, 1 + OUTBOX_NEXT_ATTEMPT_AT, item->next_attempt_at, &rc);
  bind_text (stmt, 1 + OUTBOX_LAST_ERROR, item->last_error, &rc);
  bind_optional (stmt, 1 + OUTBOX_DONE_AT, item->done_at, &rc);
  bind_text (stmt, 1 + OUTBOX_KIND, item->kind, &rc);
  bind_text (stmt, 1 + OUTBOX_BOOKING_UID, item->booking_uid, &rc);
  bind_text (stmt, 1 + OUTBOX_AUDIT_KEY, item->audit_key, &rc);

  if (!store_begin (self, error))
    return FALSE;

  if (!check_bind (self, rc, error) || !step_done (self, stmt, error))
    {
      store_rollback (self);
      return FALSE;
    }

  if (sqlite3_changes (self->db) > 0)
    id = sqlite3_last_insert_rowid (self->db);
  else if (!find_outbox_id (self, item->idempotency_key, &id, error))
    {
      store_rollback (self);
      return FALSE;
    }

  if (!store_commit (self, error))
    {
      store_rollback (self);
      return FALSE;
    }

  item->id = id;
  return TRUE;
}

/**
 * cs_store_list_pending_outbox:
 * @self: a store
 * @now: the current time
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type CsOutboxItem) (nullable): the
 *   company's items not done yet whose next attempt is due at @now, in the
 *   order they were enqueued, or %NULL on error
 */
GPtrArray *
cs_store_list_pending_outbox (CsStore  *self,
                              CsTime    now,
                              GError  **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return NULL;

  if (!(stmt = store_prepare (self,
                              "SELECT " CS_STORE_OUTBOX_COLUMNS " FROM outbox "
                              "WHERE company_id = ?1 AND done_at IS NULL "
                              "AND (next_attempt_at IS NULL OR next_attempt_at <= ?2) "
                              "ORDER BY id",
                              error)))
    return NULL;

  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_int64 (stmt, 2, now, &rc);
  if (!check_bind (self, rc, error))
    return NULL;

  return collect_rows (self, stmt, outbox_item_from_row,
                       (GDestroyNotify) cs_outbox_item_free, error);
}

/**
 * cs_store_list_outbox_for_audit:
 * @self: a store
 * @audit_key: the key of an action's audit entry
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type CsOutboxItem) (nullable): the
 *   company's items of that action, done or not, in the order they were
 *   enqueued, or %NULL on error
 */
GPtrArray *
cs_store_list_outbox_for_audit (CsStore     *self,
                                const char  *audit_key,
                                GError     **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (audit_key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return NULL;

  if (!(stmt = store_prepare (self,
                              "SELECT " CS_STORE_OUTBOX_COLUMNS " FROM outbox "
                              "WHERE company_id = ?1 AND audit_key = ?2 "
                              "ORDER BY id",
                              error)))
    return NULL;

  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_text (stmt, 2, audit_key, &rc);
  if (!check_bind (self, rc, error))
    return NULL;

  return collect_rows (self, stmt, outbox_item_from_row,
                       (GDestroyNotify) cs_outbox_item_free, error);
}

static void
set_outbox_not_found (GError **error,
                      gint64   id)
{
  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, id);

  g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_NOT_FOUND,
               /* Translators: %s is the number of an action waiting to be sent */
               _("The pending action %s is not in the local cache."), number);
}

/**
 * cs_store_complete_outbox:
 * @self: a store
 * @id: the item's id
 * @at: when the server accepted it
 * @error: return location for a #GError
 *
 * Marks an item done. Completing an item twice keeps the first time.
 *
 * Returns: %TRUE on success; %FALSE with %CS_STORE_ERROR_NOT_FOUND if the
 *   company has no item with @id
 */
gboolean
cs_store_complete_outbox (CsStore  *self,
                          gint64    id,
                          CsTime    at,
                          GError  **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (at != CS_TIME_UNSET, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return FALSE;

  if (!(stmt = store_prepare (self,
                              "UPDATE outbox SET done_at = coalesce (done_at, ?3) "
                              "WHERE company_id = ?1 AND id = ?2",
                              error)))
    return FALSE;

  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_int64 (stmt, 2, id, &rc);
  bind_int64 (stmt, 3, at, &rc);
  if (!check_bind (self, rc, error) || !step_done (self, stmt, error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      set_outbox_not_found (error, id);
      return FALSE;
    }

  return TRUE;
}

/**
 * cs_store_fail_outbox:
 * @self: a store
 * @id: the item's id
 * @error_message: (nullable): why the attempt failed, without customer data
 * @next_attempt_at: not to be tried again before then, or %CS_TIME_UNSET
 *   for at once
 * @error: return location for a #GError
 *
 * Records a failed attempt: the item's attempts go up by one.
 *
 * Returns: %TRUE on success; %FALSE with %CS_STORE_ERROR_NOT_FOUND if the
 *   company has no pending item with @id
 */
gboolean
cs_store_fail_outbox (CsStore     *self,
                      gint64       id,
                      const char  *error_message,
                      CsTime       next_attempt_at,
                      GError     **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return FALSE;

  if (!(stmt = store_prepare (self,
                              "UPDATE outbox SET attempts = attempts + 1, last_error = ?3, "
                              "next_attempt_at = ?4 "
                              "WHERE company_id = ?1 AND id = ?2 AND done_at IS NULL",
                              error)))
    return FALSE;

  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_int64 (stmt, 2, id, &rc);
  bind_text (stmt, 3, error_message, &rc);
  bind_optional (stmt, 4, next_attempt_at, &rc);
  if (!check_bind (self, rc, error) || !step_done (self, stmt, error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      set_outbox_not_found (error, id);
      return FALSE;
    }

  return TRUE;
}

/**
 * cs_store_count_pending_outbox:
 * @self: a store
 * @out_count: (out): the number of items not done yet, due or not
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
cs_store_count_pending_outbox (CsStore  *self,
                               guint    *out_count,
                               GError  **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_count != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return FALSE;

  if (!(stmt = store_prepare (self,
                              "SELECT count(*) FROM outbox "
                              "WHERE company_id = ?1 AND done_at IS NULL",
                              error)))
    return FALSE;

  bind_int64 (stmt, 1, self->company_id, &rc);
  if (!check_bind (self, rc, error))
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _cs_store_set_sqlite_error (error, self->db, rc);
      return FALSE;
    }

  *out_count = column_uint (stmt, 0);
  return TRUE;
}

/* Key/value state */

/**
 * cs_store_set_state:
 * @self: a store
 * @key: the key
 * @value: (nullable): the value, or %NULL to remove the key
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
cs_store_set_state (CsStore     *self,
                    const char  *key,
                    const char  *value,
                    GError     **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return FALSE;

  if (value != NULL)
    stmt = store_prepare (self,
                          "INSERT INTO state (company_id, key, value) VALUES (?1, ?2, ?3) "
                          "ON CONFLICT (company_id, key) DO UPDATE SET value = excluded.value",
                          error);
  else
    stmt = store_prepare (self, "DELETE FROM state WHERE company_id = ?1 AND key = ?2", error);

  if (stmt == NULL)
    return FALSE;

  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_text (stmt, 2, key, &rc);
  if (value != NULL)
    bind_text (stmt, 3, value, &rc);

  return check_bind (self, rc, error) && step_done (self, stmt, error);
}

/**
 * cs_store_get_state:
 * @self: a store
 * @key: the key
 * @out_value: (out) (transfer full) (nullable): the value, or %NULL if
 *   @key is not set
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success, whether @key is set or not
 */
gboolean
cs_store_get_state (CsStore     *self,
                    const char  *key,
                    char       **out_value,
                    GError     **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(CsCachedStmt) stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (out_value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_rec_mutex_locker_new (&self->lock);

  if (!store_require_company (self, error))
    return FALSE;

  if (!(stmt = store_prepare (self,
                              "SELECT value FROM state WHERE company_id = ?1 AND key = ?2",
                              error)))
    return FALSE;

  bind_int64 (stmt, 1, self->company_id, &rc);
  bind_text (stmt, 2, key, &rc);
  if (!check_bind (self, rc, error))
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_value = column_dup (stmt, 0);
      return TRUE;
    }

  if (rc == SQLITE_DONE)
    {
      *out_value = NULL;
      return TRUE;
    }

  _cs_store_set_sqlite_error (error, self->db, rc);
  return FALSE;
}

/**
 * cs_store_set_state_int64:
 * @self: a store
 * @key: the key
 * @value: the value, e.g. a due time
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
cs_store_set_state_int64 (CsStore     *self,
                          const char  *key,
                          gint64       value,
                          GError     **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  text = g_strdup_printf ("%" G_GINT64_FORMAT, value);
  return cs_store_set_state (self, key, text, error);
}

/**
 * cs_store_get_state_int64:
 * @self: a store
 * @key: the key
 * @default_value: the value to give when @key is not set, or not a number
 * @out_value: (out): the value
 * @error: return location for a #GError
 *
 * A value that is not a number gives @default_value: a garbled due time
 * must not stop the scheduler, which then simply runs when it would for a
 * first start.
 *
 * Returns: %TRUE on success
 */
gboolean
cs_store_get_state_int64 (CsStore     *self,
                          const char  *key,
                          gint64       default_value,
                          gint64      *out_value,
                          GError     **error)
{
  g_autofree char *text = NULL;
  gint64 value;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (out_value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!cs_store_get_state (self, key, &text, error))
    return FALSE;

  if (text == NULL)
    value = default_value;
  else if (!g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &value, NULL))
    {
      g_debug ("State %s holds no number; using the default", key);
      value = default_value;
    }

  *out_value = value;
  return TRUE;
}
