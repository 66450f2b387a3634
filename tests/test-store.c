/* test-store.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "cs-store.h"
#include "cs-store-json.h"
#include "cs-store-private.h"

/* 2025-10-13T08:00:00Z */
#define T0 (G_GINT64_CONSTANT (1760342400) * CS_USEC_PER_SECOND)

#define COMPANY_A 3
#define COMPANY_B 4

typedef struct
{
  char *tmpdir;
  char *folder;
  char *path;
} Fixture;

/* Helpers */

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) dir = NULL;
      const char *name;

      g_chmod (path, 0700);
      dir = g_dir_open (path, 0, NULL);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    {
      g_remove (path);
    }
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_dir_make_tmp ("calsync-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->folder = g_build_filename (f->tmpdir, "calsync", NULL);
  f->path = g_build_filename (f->folder, "cache.sqlite3", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  remove_tree (f->tmpdir);
  g_clear_pointer (&f->tmpdir, g_free);
  g_clear_pointer (&f->folder, g_free);
  g_clear_pointer (&f->path, g_free);
}

static CsStore *
open_store (Fixture *f,
            gint64   company_id)
{
  g_autoptr(GError) error = NULL;
  CsStore *store;

  store = cs_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_null (cs_store_get_recovery_error (store));

  if (company_id > 0)
    cs_store_set_company_id (store, company_id);

  return store;
}

static sqlite3 *
raw_open (const char *path)
{
  sqlite3 *db = NULL;
  int rc;

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);

  return db;
}

static void
raw_exec (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;
  int rc;

  rc = sqlite3_exec (db, sql, NULL, NULL, &message);
  if (rc != SQLITE_OK)
    g_error ("SQL failed: %s: %s", sql, message);
}

static int
raw_user_version (sqlite3 *db)
{
  int version = -1;

  g_assert_cmpint (_cs_store_read_user_version (db, &version), ==, SQLITE_OK);
  return version;
}

static gboolean
raw_prepares (sqlite3    *db,
              const char *sql)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  return sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK;
}

static void
prepare_folder (Fixture *f)
{
  g_assert_cmpint (g_mkdir_with_parents (f->folder, 0700), ==, 0);
}

static guint
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The names of the moved-aside main files in @folder, sorted. */
static GPtrArray *
list_damaged (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      if (g_str_has_prefix (name, "cache.sqlite3.damaged-") &&
          !g_str_has_suffix (name, "-wal") &&
          !g_str_has_suffix (name, "-shm"))
        g_ptr_array_add (names, g_strdup (name));
    }

  g_ptr_array_sort (names, compare_names);
  return names;
}

static CsAppointment *
make_appointment (gint64 id,
                  gint64 company_id,
                  CsTime starts_at)
{
  CsAppointment *appointment = cs_appointment_new ();

  appointment->id = id;
  appointment->company_id = company_id;
  appointment->starts_at = starts_at;
  appointment->ends_at = starts_at + 45 * CS_USEC_PER_MINUTE;

  return appointment;
}

static CsAppointment *
make_full_appointment (gint64 id,
                       gint64 company_id)
{
  CsAppointment *a = make_appointment (id, company_id, T0);

  a->number = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  a->status = CS_CRM_STATUS_CONFIRMED;
  a->title = g_strdup ("Hairstyling – Herrenschnitt ✂");
  a->customer_name = g_strdup ("Jörg \"Joe\" O'Brien \\ 山田");
  a->customer_email = g_strdup ("joerg@example.com");
  a->customer_phone = g_strdup ("+49 123 456789");
  a->calcom_booking_uid = g_strdup ("abc-def-123");
  a->calcom_event_type_id = 42;
  a->source = g_strdup ("voice_agent");
  a->created_at = T0 - 10 * CS_USEC_PER_DAY;
  a->updated_at = T0 - 9 * CS_USEC_PER_DAY + 1;
  a->deleted_at = T0 + 3;
  a->sync.status = CS_SYNC_STATUS_FAILED;
  a->sync.last_sync_attempt_at = T0 - CS_USEC_PER_HOUR + 7;
  a->sync.sync_attempt_count = 3;
  a->sync.sync_error_message = g_strdup ("Start differs; “quoted”");
  a->sync.sync_error_code = CS_ERROR_CODE_DATA_MISMATCH;
  a->sync.sync_verified_at = T0 - 2 * CS_USEC_PER_DAY;
  a->sync.requires_manual_review = TRUE;
  a->sync.manual_review_flagged_at = T0 - 5;
  a->next_attempt_at = T0 + CS_USEC_PER_MINUTE;
  a->resolved_at = T0 + 2 * CS_USEC_PER_HOUR;
  a->resolved_by = 12;
  a->resolution = g_strdup ("use_calcom_values");
  a->resolution_note = g_strdup ("Kunde hat angerufen 📞\nZweite Zeile");
  a->snoozed_until = T0 + CS_USEC_PER_DAY;

  return a;
}

static void
assert_appointment_equal (const CsAppointment *a,
                          const CsAppointment *b)
{
  g_assert_cmpint (a->id, ==, b->id);
  g_assert_cmpint (a->company_id, ==, b->company_id);
  g_assert_cmpstr (a->number, ==, b->number);
  g_assert_cmpint (a->starts_at, ==, b->starts_at);
  g_assert_cmpint (a->ends_at, ==, b->ends_at);
  g_assert_cmpint (a->status, ==, b->status);
  g_assert_cmpstr (a->title, ==, b->title);
  g_assert_cmpstr (a->customer_name, ==, b->customer_name);
  g_assert_cmpstr (a->customer_email, ==, b->customer_email);
  g_assert_cmpstr (a->customer_phone, ==, b->customer_phone);
  g_assert_cmpstr (a->calcom_booking_uid, ==, b->calcom_booking_uid);
  g_assert_cmpint (a->calcom_event_type_id, ==, b->calcom_event_type_id);
  g_assert_cmpstr (a->source, ==, b->source);
  g_assert_cmpint (a->created_at, ==, b->created_at);
  g_assert_cmpint (a->updated_at, ==, b->updated_at);
  g_assert_cmpint (a->deleted_at, ==, b->deleted_at);
  g_assert_true (cs_sync_tracking_equal (&a->sync, &b->sync));
  g_assert_cmpint (a->sync.status, ==, b->sync.status);
  g_assert_cmpstr (a->sync.sync_error_message, ==, b->sync.sync_error_message);
  g_assert_cmpint (a->next_attempt_at, ==, b->next_attempt_at);
  g_assert_cmpint (a->resolved_at, ==, b->resolved_at);
  g_assert_cmpint (a->resolved_by, ==, b->resolved_by);
  g_assert_cmpstr (a->resolution, ==, b->resolution);
  g_assert_cmpstr (a->resolution_note, ==, b->resolution_note);
  g_assert_cmpint (a->snoozed_until, ==, b->snoozed_until);
}

static void
assert_booking_equal (const CsBooking *a,
                      const CsBooking *b)
{
  g_assert_cmpstr (a->uid, ==, b->uid);
  g_assert_cmpint (a->id, ==, b->id);
  g_assert_cmpint (a->start, ==, b->start);
  g_assert_cmpint (a->end, ==, b->end);
  g_assert_cmpint (a->status, ==, b->status);
  g_assert_cmpstr (a->title, ==, b->title);
  g_assert_cmpint (a->event_type_id, ==, b->event_type_id);
  g_assert_cmpint (a->updated_at, ==, b->updated_at);
  g_assert_true (cs_sync_tracking_equal (&a->sync, &b->sync));
  g_assert_cmpint (a->sync.status, ==, b->sync.status);
  g_assert_cmpint (a->sync.last_sync_attempt_at, ==, b->sync.last_sync_attempt_at);
  g_assert_cmpuint (a->sync.sync_attempt_count, ==, b->sync.sync_attempt_count);
  g_assert_cmpstr (a->sync.sync_error_message, ==, b->sync.sync_error_message);
  g_assert_cmpint (a->sync.sync_error_code, ==, b->sync.sync_error_code);
  g_assert_cmpint (a->sync.sync_verified_at, ==, b->sync.sync_verified_at);
  g_assert_cmpint (a->sync.requires_manual_review, ==, b->sync.requires_manual_review);
  g_assert_cmpint (a->sync.manual_review_flagged_at, ==, b->sync.manual_review_flagged_at);
  g_assert_cmpint (a->next_attempt_at, ==, b->next_attempt_at);
  g_assert_cmpint (a->resolved_at, ==, b->resolved_at);
  g_assert_cmpint (a->resolved_by, ==, b->resolved_by);
  g_assert_cmpstr (a->resolution, ==, b->resolution);
  g_assert_cmpstr (a->resolution_note, ==, b->resolution_note);
  g_assert_cmpint (a->snoozed_until, ==, b->snoozed_until);

  g_assert_cmpuint (a->attendees->len, ==, b->attendees->len);
  for (guint i = 0; i < a->attendees->len; i++)
    {
      const CsAttendee *x = g_ptr_array_index (a->attendees, i);
      const CsAttendee *y = g_ptr_array_index (b->attendees, i);

      g_assert_cmpstr (x->name, ==, y->name);
      g_assert_cmpstr (x->email, ==, y->email);
      g_assert_cmpstr (x->phone, ==, y->phone);
    }

  g_assert_true ((a->metadata == NULL) == (b->metadata == NULL));
  if (a->metadata != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_assert_cmpuint (g_hash_table_size (a->metadata), ==, g_hash_table_size (b->metadata));
      g_hash_table_iter_init (&iter, a->metadata);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_assert_cmpstr (value, ==, g_hash_table_lookup (b->metadata, key));
    }
}

static GPtrArray *
appointment_array (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) cs_appointment_free);
}

static GPtrArray *
booking_array (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) cs_booking_free);
}

static GPtrArray *
event_array (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) cs_history_event_free);
}

static void
save_one (CsStore       *store,
          CsAppointment *appointment)
{
  g_autoptr(GPtrArray) list = appointment_array ();
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (list, appointment);
  g_assert_true (cs_store_save_appointments (store, list, &error));
  g_assert_no_error (error);
}

static void
assert_not_found (CsStore *store,
                  gint64   id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsAppointment) got = NULL;

  got = cs_store_get_appointment (store, id, &error);
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_NOT_FOUND);
  g_assert_null (got);
}

static char *
get_title (CsStore *store,
           gint64   id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsAppointment) got = NULL;

  got = cs_store_get_appointment (store, id, &error);
  g_assert_no_error (error);
  return g_strdup (got->title);
}

static CsBooking *
make_tricky_booking (const char *uid)
{
  CsBooking *booking = cs_booking_new (uid);

  booking->id = 77;
  booking->start = T0;
  booking->end = T0 + 45 * CS_USEC_PER_MINUTE;
  booking->status = CS_BOOKING_STATUS_CANCELLED;
  booking->title = g_strdup ("Herrenschnitt \"Deluxe\" – 30 €");
  booking->event_type_id = 42;
  booking->updated_at = T0 - 1;
  cs_booking_add_attendee (booking, "O\"Brien \\ Backslash", NULL, "+49\n123\t\001\037");
  cs_booking_add_attendee (booking, NULL, NULL, NULL);
  cs_booking_add_attendee (booking, "名前 😀", "a/b@example.com", "");
  cs_booking_set_metadata (booking, CS_METADATA_CRM_APPOINTMENT_ID, "1236");
  cs_booking_set_metadata (booking, CS_METADATA_CRM_COMPANY_ID, "3");
  cs_booking_set_metadata (booking, "note \"key\"", "quote \" backslash \\ emoji 😀 \x1f end");
  cs_booking_set_metadata (booking, "empty", "");

  return booking;
}

static CsBooking *
make_booking (const char *uid,
              CsTime      start)
{
  CsBooking *booking = cs_booking_new (uid);

  booking->start = start;
  booking->end = start + 30 * CS_USEC_PER_MINUTE;

  return booking;
}

/* An orphaned Cal.com booking with every tracking and resolution field set. */
static CsBooking *
make_tracked_booking (const char *uid)
{
  CsBooking *b = make_tricky_booking (uid);

  b->sync.status = CS_SYNC_STATUS_ORPHANED_CALCOM;
  b->sync.last_sync_attempt_at = T0 - CS_USEC_PER_HOUR + 7;
  b->sync.sync_attempt_count = 3;
  b->sync.sync_error_message = g_strdup ("No appointment claims it; “quoted” \\ 😀");
  b->sync.sync_error_code = CS_ERROR_CODE_ORPHANED_CALCOM;
  b->sync.sync_verified_at = T0 - 2 * CS_USEC_PER_DAY + 1;
  b->sync.requires_manual_review = TRUE;
  b->sync.manual_review_flagged_at = T0 - 5;
  b->next_attempt_at = T0 + CS_USEC_PER_MINUTE;
  b->resolved_at = T0 + 2 * CS_USEC_PER_HOUR;
  b->resolved_by = 12;
  b->resolution = g_strdup ("cancel_calcom_booking");
  b->resolution_note = g_strdup ("Kunde hat angerufen 📞\nZweite Zeile");
  b->snoozed_until = T0 + CS_USEC_PER_DAY;

  return b;
}

static void
save_bookings (CsStore   *store,
               GPtrArray *bookings)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_store_save_bookings (store, bookings, T0, &error));
  g_assert_no_error (error);
}

/* Opening, permissions, paths */

static void
test_default_path (void)
{
  g_autofree char *path = cs_store_get_default_path ();
  g_autofree char *expected = NULL;

  expected = g_build_filename (g_get_user_data_dir (), "calsync", "cache.sqlite3", NULL);
  g_assert_cmpstr (path, ==, expected);
  g_assert_true (g_path_is_absolute (path));
}

static void
test_open_permissions (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autoptr(GError) error = NULL;
  CsStore *store;

  g_assert_false (g_file_test (f->folder, G_FILE_TEST_EXISTS));

  store = open_store (f, COMPANY_A);
  g_assert_cmpstr (cs_store_get_path (store), ==, f->path);
  g_assert_cmpuint (file_mode (f->folder), ==, 0700);
  g_assert_cmpuint (file_mode (f->path), ==, 0600);

  /* SQLite gives its write-ahead log the mode of the database. */
  g_assert_true (cs_store_set_state (store, "k", "v", &error));
  g_assert_no_error (error);
  if (g_file_test (wal, G_FILE_TEST_EXISTS))
    g_assert_cmpuint (file_mode (wal), ==, 0600);

  g_assert_finalize_object (store);
}

static void
test_open_fixes_permissions (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CsStore *store;

  g_assert_cmpint (g_mkdir_with_parents (f->folder, 0755), ==, 0);
  g_assert_cmpint (g_chmod (f->folder, 0755), ==, 0);
  g_file_set_contents (f->path, "", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (f->path, 0644), ==, 0);

  /* An empty file is an empty database: no recovery. */
  store = open_store (f, 0);
  g_assert_cmpuint (file_mode (f->folder), ==, 0700);
  g_assert_cmpuint (file_mode (f->path), ==, 0600);

  g_assert_finalize_object (store);
}

static void
test_open_unusable_folder (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *blocker = g_build_filename (f->tmpdir, "file", NULL);
  g_autofree char *path = g_build_filename (blocker, "calsync", "cache.sqlite3", NULL);
  CsStore *store;

  /* The folder would have to be made inside a plain file. */
  g_file_set_contents (blocker, "x", 1, &error);
  g_assert_no_error (error);

  store = cs_store_open (path, &error);
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_IO);
  g_assert_null (store);
  g_assert_nonnull (strstr (error->message, "could not be created"));
}

static int
pragma_int (sqlite3    *db,
            const char *sql)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int (stmt, 0);
}

static void
test_open_pragmas (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  CsStore *store = open_store (f, COMPANY_A);
  sqlite3 *db = _cs_store_get_db (store);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
  g_assert_cmpint (pragma_int (db, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (pragma_int (db, "PRAGMA busy_timeout"), ==, 5000);
  g_assert_cmpint (pragma_int (db, "PRAGMA synchronous"), ==, 1);
  g_assert_cmpint (pragma_int (db, "PRAGMA temp_store"), ==, 2);

  g_clear_pointer (&stmt, sqlite3_finalize);
  g_assert_finalize_object (store);
}

static void
test_reopen (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  g_autofree char *title = NULL;
  CsStore *store;
  CsStore *second;
  g_autoptr(CsAppointment) appointment = make_full_appointment (1, COMPANY_A);

  store = open_store (f, COMPANY_A);
  save_one (store, cs_appointment_copy (appointment));
  g_assert_true (cs_store_set_state (store, "k", "v", &error));
  g_assert_no_error (error);

  /* A second connection to the same file (another window, a helper)
   * sees the first one's writes and may write too. */
  second = open_store (f, COMPANY_A);
  title = get_title (second, 1);
  g_assert_cmpstr (title, ==, appointment->title);
  g_assert_true (cs_store_set_state (second, "k2", "v2", &error));
  g_assert_no_error (error);
  g_assert_finalize_object (second);
  g_assert_finalize_object (store);

  /* Opening again migrates nothing and keeps everything. */
  store = open_store (f, COMPANY_A);
  g_assert_cmpint (raw_user_version (_cs_store_get_db (store)), ==, CS_STORE_SCHEMA_VERSION);
  g_assert_true (cs_store_get_state (store, "k2", &value, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "v2");
  g_clear_pointer (&title, g_free);
  title = get_title (store, 1);
  g_assert_cmpstr (title, ==, appointment->title);
  g_assert_finalize_object (store);
}

/* Migrations */

static void
test_migrate_empty_file (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CsStore *store;
  sqlite3 *db;

  prepare_folder (f);
  g_file_set_contents (f->path, "", 0, &error);
  g_assert_no_error (error);

  store = open_store (f, COMPANY_A);
  db = _cs_store_get_db (store);
  g_assert_cmpint (raw_user_version (db), ==, CS_STORE_SCHEMA_VERSION);
  g_assert_true (_cs_store_check_schema (db, NULL, &error));
  g_assert_no_error (error);
  g_assert_finalize_object (store);
}

static void
test_migrate_every_version (Fixture       *f,
                            gconstpointer  data)
{
  for (int version = 0; version < CS_STORE_SCHEMA_VERSION; version++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) runs = NULL;
      g_autoptr(GPtrArray) bookings = booking_array ();
      g_autoptr(GPtrArray) due = NULL;
      g_autoptr(CsBooking) booking = NULL;
      g_autoptr(CsOutboxItem) item = NULL;
      CsStore *store;
      sqlite3 *db;

      remove_tree (f->folder);
      prepare_folder (f);

      db = raw_open (f->path);
      g_assert_true (_cs_store_migrate_to (db, version, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (raw_user_version (db), ==, version);
      sqlite3_close (db);

      store = open_store (f, COMPANY_A);
      g_assert_cmpint (raw_user_version (_cs_store_get_db (store)), ==, CS_STORE_SCHEMA_VERSION);

      /* Every table of the newest version works. */
      save_one (store, make_full_appointment (1, COMPANY_A));
      runs = cs_store_list_runs (store, CS_TIME_UNSET, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (runs->len, ==, 0);
      item = cs_outbox_item_new (NULL, "backend", "POST", "/api/v1/audit-log", "{}", T0);
      g_assert_true (cs_store_enqueue_outbox (store, item, &error));
      g_assert_no_error (error);
      g_ptr_array_add (bookings, make_tracked_booking ("uid-tracked"));
      save_bookings (store, bookings);
      booking = cs_store_get_booking (store, "uid-tracked", &error);
      g_assert_no_error (error);
      assert_booking_equal (booking, g_ptr_array_index (bookings, 0));
      /* A resolved item waits for no attempt: unresolved, it is due. */
      ((CsBooking *) g_ptr_array_index (bookings, 0))->resolved_at = CS_TIME_UNSET;
      save_bookings (store, bookings);
      due = cs_store_list_due_bookings (store, T0 + CS_USEC_PER_HOUR, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (due->len, ==, 1);

      g_assert_finalize_object (store);
    }
}

static void
test_migrate_from_v1 (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsAppointment) appointment = NULL;
  g_autoptr(CsBooking) booking = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(CsHistoryEvent) event = NULL;
  g_autoptr(CsAuditEntry) entry = NULL;
  g_autofree char *diff = NULL;
  const CsAttendee *attendee;
  gint64 due = 0;
  CsStore *store;
  sqlite3 *db;

  prepare_folder (f);
  db = raw_open (f->path);
  g_assert_true (_cs_store_migrate_to (db, 1, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_user_version (db), ==, 1);
  g_assert_false (raw_prepares (db, "SELECT resolved_at FROM appointments"));
  g_assert_false (raw_prepares (db, "SELECT id FROM runs"));

  raw_exec (db,
            "INSERT INTO appointments (company_id, id, number, starts_at, ends_at, status, title, "
            "customer_name, calcom_booking_uid, calcom_sync_status, sync_attempt_count, "
            "sync_error_code, requires_manual_review, next_attempt_at, sync_diff) "
            "VALUES (3, 101, '101', 1000000, 2000000, 'confirmed', 'Herrenschnitt', "
            "'Jörg Ü', 'uid-1', 'failed', 2, 'DATA_MISMATCH', 1, 5000000, "
            "'[{\"field\":\"start\"}]')");
  raw_exec (db,
            "INSERT INTO bookings (company_id, uid, starts_at, ends_at, status, attendees, "
            "metadata, seen_at) VALUES (3, 'uid-1', 1000000, 2000000, 'accepted', "
            "'[{\"name\":\"Anna\",\"email\":null,\"phone\":\"+49\"}]', "
            "'{\"crm_appointment_id\":\"101\"}', 3000000)");
  raw_exec (db, "INSERT INTO state (company_id, key, value) VALUES (3, 'next-cycle', '123')");
  sqlite3_close (db);

  store = open_store (f, COMPANY_A);
  g_assert_cmpint (raw_user_version (_cs_store_get_db (store)), ==, CS_STORE_SCHEMA_VERSION);

  appointment = cs_store_get_appointment (store, 101, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (appointment->title, ==, "Herrenschnitt");
  g_assert_cmpstr (appointment->customer_name, ==, "Jörg Ü");
  g_assert_cmpint (appointment->status, ==, CS_CRM_STATUS_CONFIRMED);
  g_assert_cmpint (appointment->sync.status, ==, CS_SYNC_STATUS_FAILED);
  g_assert_cmpint (appointment->sync.sync_error_code, ==, CS_ERROR_CODE_DATA_MISMATCH);
  g_assert_cmpuint (appointment->sync.sync_attempt_count, ==, 2);
  g_assert_true (appointment->sync.requires_manual_review);
  g_assert_cmpint (appointment->next_attempt_at, ==, 5000000);
  /* The columns v3 added start empty. */
  g_assert_cmpint (appointment->resolved_at, ==, CS_TIME_UNSET);
  g_assert_cmpint (appointment->resolved_by, ==, 0);
  g_assert_null (appointment->resolution);
  g_assert_null (appointment->resolution_note);
  g_assert_cmpint (appointment->snoozed_until, ==, CS_TIME_UNSET);

  g_assert_true (cs_store_get_sync_diff (store, 101, &diff, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (diff, ==, "[{\"field\":\"start\"}]");

  booking = cs_store_get_booking (store, "uid-1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (booking->attendees->len, ==, 1);
  attendee = g_ptr_array_index (booking->attendees, 0);
  g_assert_cmpstr (attendee->name, ==, "Anna");
  g_assert_null (attendee->email);
  g_assert_cmpstr (attendee->phone, ==, "+49");
  g_assert_cmpstr (cs_booking_get_crm_appointment_id (booking), ==, "101");

  g_assert_true (cs_store_get_state_int64 (store, "next-cycle", 0, &due, &error));
  g_assert_no_error (error);
  g_assert_cmpint (due, ==, 123);

  /* The tables of v2 and v3 work with the old rows. */
  event = cs_history_event_new (101, T0, CS_HISTORY_KIND_RESOLVED, "Resolved");
  g_assert_true (cs_store_add_history_event (store, event, &error));
  g_assert_no_error (error);
  history = cs_store_list_history (store, 101, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 1);
  entry = cs_audit_entry_new (NULL, 101, "mark_resolved", "ok", T0, 12);
  g_assert_true (cs_store_add_audit_entry (store, entry, &error));
  g_assert_no_error (error);

  g_assert_finalize_object (store);
}

static void
test_migrate_from_v2 (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(CsOutboxItem) item = NULL;
  g_autoptr(CsAppointment) appointment = NULL;
  const CsHistoryEvent *event;
  const CsRunRecord *run;
  CsStore *store;
  sqlite3 *db;

  prepare_folder (f);
  db = raw_open (f->path);
  g_assert_true (_cs_store_migrate_to (db, 2, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_user_version (db), ==, 2);
  g_assert_false (raw_prepares (db, "SELECT id FROM outbox"));

  raw_exec (db, "PRAGMA foreign_keys = ON");
  raw_exec (db,
            "INSERT INTO appointments (company_id, id, starts_at, ends_at, status, "
            "calcom_sync_status) VALUES (3, 7, 1000000, 2000000, 'scheduled', 'synced')");
  raw_exec (db,
            "INSERT INTO runs (id, company_id, kind, started_at, finished_at, n_synced, "
            "n_flagged, calcom_requests, backend_requests, duration_usec, result) "
            "VALUES (5, 3, 'cycle', 4000000, 4500000, 1, 0, 2, 3, 500000, 'ok')");
  raw_exec (db,
            "INSERT INTO history_events (company_id, appointment_id, at, kind, message, "
            "attempt, run_id) VALUES (3, 7, 4400000, 'verified', 'Verified', 1, 5)");
  sqlite3_close (db);

  store = open_store (f, COMPANY_A);
  g_assert_cmpint (raw_user_version (_cs_store_get_db (store)), ==, CS_STORE_SCHEMA_VERSION);

  appointment = cs_store_get_appointment (store, 7, &error);
  g_assert_no_error (error);
  g_assert_cmpint (appointment->sync.status, ==, CS_SYNC_STATUS_SYNCED);

  history = cs_store_list_history (store, 7, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 1);
  event = g_ptr_array_index (history, 0);
  g_assert_cmpstr (event->kind, ==, "verified");
  g_assert_cmpstr (event->message, ==, "Verified");
  g_assert_cmpuint (event->attempt, ==, 1);
  g_assert_cmpint (event->run_id, ==, 5);
  g_assert_cmpint (event->at, ==, 4400000);

  runs = cs_store_list_runs (store, CS_TIME_UNSET, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 1);
  run = g_ptr_array_index (runs, 0);
  g_assert_cmpint (run->id, ==, 5);
  g_assert_cmpstr (run->kind, ==, "cycle");
  g_assert_cmpuint (run->counts[CS_SYNC_STATUS_SYNCED], ==, 1);
  g_assert_cmpuint (run->calcom_requests, ==, 2);
  g_assert_cmpuint (run->backend_requests, ==, 3);
  g_assert_cmpint (run->duration_usec, ==, 500000);

  /* The outbox of v3 works. */
  item = cs_outbox_item_new (NULL, "calcom", "POST", "/v2/bookings", "{\"a\":1}", T0);
  g_assert_true (cs_store_enqueue_outbox (store, item, &error));
  g_assert_no_error (error);
  pending = cs_store_list_pending_outbox (store, T0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 1);

  g_assert_finalize_object (store);
}

static void
test_migrate_from_v3 (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GPtrArray) flagged = NULL;
  g_autoptr(CsBooking) booking = NULL;
  g_autoptr(GPtrArray) list = booking_array ();
  const CsAttendee *attendee;
  CsStoreCounts counts;
  CsBooking *b;
  CsStore *store;
  sqlite3 *db;

  prepare_folder (f);
  db = raw_open (f->path);
  g_assert_true (_cs_store_migrate_to (db, 3, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_user_version (db), ==, 3);
  g_assert_false (raw_prepares (db, "SELECT calcom_sync_status FROM bookings"));
  g_assert_false (raw_prepares (db, "SELECT snoozed_until FROM bookings"));

  raw_exec (db,
            "INSERT INTO bookings (company_id, uid, id, starts_at, ends_at, status, title, "
            "event_type_id, attendees, metadata, updated_at, seen_at) VALUES "
            "(3, 'uid-1', 11, 1000000, 2000000, 'accepted', 'Herrenschnitt', 42, "
            "'[{\"name\":\"Anna\",\"email\":null,\"phone\":\"+49\"}]', "
            "'{\"crm_appointment_id\":\"101\"}', 900000, 3000000), "
            "(3, 'uid-2', NULL, 500000, 600000, 'cancelled', NULL, NULL, '[]', NULL, NULL, "
            "3000000), "
            "(4, 'uid-1', NULL, 1000000, 2000000, 'pending', NULL, NULL, '[]', NULL, NULL, "
            "3000000)");
  raw_exec (db,
            "INSERT INTO appointments (company_id, id, starts_at, ends_at, status, "
            "calcom_sync_status) VALUES (3, 7, 1000000, 2000000, 'scheduled', 'synced')");
  sqlite3_close (db);

  store = open_store (f, COMPANY_A);
  db = _cs_store_get_db (store);
  g_assert_cmpint (raw_user_version (db), ==, CS_STORE_SCHEMA_VERSION);

  /* Every row survives, of both companies, and starts pending with no
   * attempts and nothing set. */
  g_assert_cmpint (pragma_int (db, "SELECT count(*) FROM bookings"), ==, 3);
  g_assert_cmpint (pragma_int (db, "SELECT count(*) FROM bookings WHERE "
                                   "calcom_sync_status = 'pending' AND sync_attempt_count = 0 "
                                   "AND requires_manual_review = 0 AND sync_error_code IS NULL "
                                   "AND next_attempt_at IS NULL AND resolved_at IS NULL"), ==, 3);
  g_assert_cmpint (pragma_int (db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                                   "AND name IN ('bookings_by_next_attempt', "
                                   "'bookings_by_review')"), ==, 2);

  booking = cs_store_get_booking (store, "uid-1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (booking->id, ==, 11);
  g_assert_cmpint (booking->start, ==, 1000000);
  g_assert_cmpint (booking->end, ==, 2000000);
  g_assert_cmpint (booking->status, ==, CS_BOOKING_STATUS_ACCEPTED);
  g_assert_cmpstr (booking->title, ==, "Herrenschnitt");
  g_assert_cmpint (booking->event_type_id, ==, 42);
  g_assert_cmpint (booking->updated_at, ==, 900000);
  g_assert_cmpuint (booking->attendees->len, ==, 1);
  attendee = g_ptr_array_index (booking->attendees, 0);
  g_assert_cmpstr (attendee->name, ==, "Anna");
  g_assert_cmpstr (cs_booking_get_crm_appointment_id (booking), ==, "101");
  g_assert_cmpint (booking->sync.status, ==, CS_SYNC_STATUS_PENDING);
  g_assert_cmpint (booking->sync.last_sync_attempt_at, ==, CS_TIME_UNSET);
  g_assert_cmpuint (booking->sync.sync_attempt_count, ==, 0);
  g_assert_null (booking->sync.sync_error_message);
  g_assert_cmpint (booking->sync.sync_error_code, ==, CS_ERROR_CODE_NONE);
  g_assert_cmpint (booking->sync.sync_verified_at, ==, CS_TIME_UNSET);
  g_assert_false (booking->sync.requires_manual_review);
  g_assert_cmpint (booking->sync.manual_review_flagged_at, ==, CS_TIME_UNSET);
  g_assert_cmpint (booking->next_attempt_at, ==, CS_TIME_UNSET);
  g_assert_cmpint (booking->resolved_at, ==, CS_TIME_UNSET);
  g_assert_cmpint (booking->resolved_by, ==, 0);
  g_assert_null (booking->resolution);
  g_assert_null (booking->resolution_note);
  g_assert_cmpint (booking->snoozed_until, ==, CS_TIME_UNSET);

  listed = cs_store_list_bookings (store, CS_TIME_UNSET, CS_TIME_UNSET, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 2);
  g_assert_cmpstr (((CsBooking *) g_ptr_array_index (listed, 0))->uid, ==, "uid-2");

  /* Nothing old is due, flagged or counted. */
  due = cs_store_list_due_bookings (store, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 0);
  flagged = cs_store_list_flagged_bookings (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (flagged->len, ==, 0);
  g_assert_true (cs_store_get_counts (store, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.total, ==, 1);
  g_assert_cmpuint (counts.by_status[CS_SYNC_STATUS_ORPHANED_CALCOM], ==, 0);
  g_assert_cmpuint (counts.needs_review, ==, 0);

  /* An old row takes the new fields. */
  b = make_tracked_booking ("uid-2");
  b->resolved_at = CS_TIME_UNSET;
  g_ptr_array_add (list, b);
  save_bookings (store, list);
  g_clear_pointer (&booking, cs_booking_free);
  booking = cs_store_get_booking (store, "uid-2", &error);
  g_assert_no_error (error);
  assert_booking_equal (booking, b);
  g_assert_true (cs_store_get_counts (store, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.by_status[CS_SYNC_STATUS_ORPHANED_CALCOM], ==, 1);
  g_assert_cmpuint (counts.needs_review, ==, 1);

  g_assert_finalize_object (store);
}

/* v6: entries written before it were `ok` when the person acted and count
 * as settled then (they are still uploaded); outbox items of v5 belong to
 * no audit entry and are still sent. */
static void
test_migrate_from_v5 (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) unsent = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GPtrArray) pending_audit = NULL;
  g_autoptr(GPtrArray) of_action = NULL;
  g_autoptr(CsAuditEntry) old = NULL;
  g_autoptr(CsAuditEntry) fresh = NULL;
  g_autoptr(CsAuditEntry) got = NULL;
  g_autoptr(CsOutboxItem) item = NULL;
  const CsOutboxItem *kept;
  CsStore *store;
  sqlite3 *db;

  prepare_folder (f);
  db = raw_open (f->path);
  g_assert_true (_cs_store_migrate_to (db, 5, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_user_version (db), ==, 5);
  g_assert_false (raw_prepares (db, "SELECT reason FROM audit_entries"));
  g_assert_false (raw_prepares (db, "SELECT audit_key FROM outbox"));

  raw_exec (db,
            "INSERT INTO audit_entries (company_id, key, appointment_id, action, result, note, "
            "performed_at, performed_by, uploaded_at) VALUES "
            "(3, 'k-old', 101, 'cancel', 'ok', 'Kundin rief an', 1000000, 12, NULL)");
  raw_exec (db,
            "INSERT INTO outbox (company_id, idempotency_key, service, method, path, body, "
            "appointment_id, created_at, attempts, kind) VALUES "
            "(3, 'k-old', 'backend', 'POST', '/api/v1/audit-log', '{\"entries\":[]}', 101, "
            "1000000, 2, 'backend.audit_log')");
  sqlite3_close (db);

  store = open_store (f, COMPANY_A);
  g_assert_cmpint (raw_user_version (_cs_store_get_db (store)), ==, CS_STORE_SCHEMA_VERSION);

  /* The old entry is settled as it was, still to be uploaded. */
  old = cs_store_get_audit_entry (store, "k-old", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (old->result, ==, CS_AUDIT_RESULT_OK);
  g_assert_cmpint (old->settled_at, ==, 1000000);
  g_assert_null (old->reason);
  g_assert_null (old->booking_uid);
  g_assert_cmpstr (old->note, ==, "Kundin rief an");
  unsent = cs_store_list_unsent_audit_entries (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (unsent->len, ==, 1);
  pending_audit = cs_store_list_pending_audit (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending_audit->len, ==, 0);
  g_clear_pointer (&pending_audit, g_ptr_array_unref);

  /* The old outbox item keeps its attempts and belongs to no action. */
  pending = cs_store_list_pending_outbox (store, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 1);
  kept = g_ptr_array_index (pending, 0);
  g_assert_cmpstr (kept->kind, ==, "backend.audit_log");
  g_assert_cmpuint (kept->attempts, ==, 2);
  g_assert_null (kept->audit_key);

  /* The new columns work: a pending entry, its write, its settling. */
  fresh = cs_audit_entry_new ("k-new", 0, "create_in_crm", CS_AUDIT_RESULT_PENDING, T0, 12);
  fresh->booking_uid = g_strdup ("uid-9");
  g_assert_true (cs_store_add_audit_entry (store, fresh, &error));
  g_assert_no_error (error);
  item = cs_outbox_item_new (NULL, "backend", "POST", "/api/v1/appointments", "{}", T0);
  item->audit_key = g_strdup ("k-new");
  g_assert_true (cs_store_enqueue_outbox (store, item, &error));
  g_assert_no_error (error);
  of_action = cs_store_list_outbox_for_audit (store, "k-new", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (of_action->len, ==, 1);
  g_assert_cmpstr (((CsOutboxItem *) g_ptr_array_index (of_action, 0))->audit_key, ==, "k-new");
  pending_audit = cs_store_list_pending_audit (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending_audit->len, ==, 1);
  got = cs_store_get_audit_entry (store, "k-new", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->booking_uid, ==, "uid-9");
  g_assert_cmpint (got->settled_at, ==, CS_TIME_UNSET);

  g_assert_finalize_object (store);
}

static void
test_migrate_failed_step_rolls_back (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  int rc = SQLITE_OK;
  sqlite3 *db;

  prepare_folder (f);
  db = raw_open (f->path);
  g_assert_true (_cs_store_migrate_to (db, 1, NULL, &error));
  g_assert_no_error (error);

  /* A table in the way of step 3, which runs after its ALTER TABLEs. */
  raw_exec (db, "CREATE TABLE audit_entries (x INTEGER)");

  g_assert_false (_cs_store_migrate_to (db, CS_STORE_SCHEMA_VERSION, &rc, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FAILED);
  g_assert_cmpint (rc & 0xff, ==, SQLITE_ERROR);

  /* Step 2 is kept; step 3 left nothing behind, not even its new columns. */
  g_assert_cmpint (raw_user_version (db), ==, 2);
  g_assert_true (raw_prepares (db, "SELECT id FROM runs"));
  g_assert_false (raw_prepares (db, "SELECT resolved_at FROM appointments"));
  g_assert_false (raw_prepares (db, "SELECT id FROM outbox"));
  g_assert_true (sqlite3_get_autocommit (db));

  sqlite3_close (db);
}

static void
test_migrate_two_connections (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *first;
  sqlite3 *second;

  /* Two processes starting on the same fresh file: the one that comes
   * second finds the work done, and takes nothing for damage. */
  prepare_folder (f);
  first = raw_open (f->path);
  second = raw_open (f->path);
  sqlite3_busy_timeout (first, 5000);
  sqlite3_busy_timeout (second, 5000);

  g_assert_true (_cs_store_migrate_to (first, 1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (_cs_store_migrate_to (second, CS_STORE_SCHEMA_VERSION, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (_cs_store_migrate_to (first, CS_STORE_SCHEMA_VERSION, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_user_version (first), ==, CS_STORE_SCHEMA_VERSION);

  /* Going back is refused, and changes nothing. */
  g_assert_false (_cs_store_migrate_to (first, 1, NULL, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FAILED);
  g_assert_cmpint (raw_user_version (first), ==, CS_STORE_SCHEMA_VERSION);

  sqlite3_close (first);
  sqlite3_close (second);
}

static void
test_schema_constraints (Fixture       *f,
                         gconstpointer  data)
{
  CsStore *store = open_store (f, COMPANY_A);
  sqlite3 *db = _cs_store_get_db (store);

  /* The schema itself refuses names that are not the design's. */
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO appointments (company_id, id, starts_at, ends_at, "
                                 "status) VALUES (3, 1, 1, 2, 'Scheduled')",
                                 NULL, NULL, NULL) & 0xff, ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO appointments (company_id, id, starts_at, ends_at, "
                                 "status, calcom_sync_status) "
                                 "VALUES (3, 1, 1, 2, 'scheduled', 'in_sync')",
                                 NULL, NULL, NULL) & 0xff, ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO appointments (company_id, id, starts_at, ends_at, "
                                 "status, sync_error_code) "
                                 "VALUES (3, 1, 1, 2, 'scheduled', 'orphaned_local')",
                                 NULL, NULL, NULL) & 0xff, ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO history_events (company_id, appointment_id, at, "
                                 "kind) VALUES (3, 999, 1, 'created')",
                                 NULL, NULL, NULL) & 0xff, ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO bookings (company_id, uid, starts_at, ends_at, "
                                 "status, seen_at, calcom_sync_status) "
                                 "VALUES (3, 'u', 1, 2, 'accepted', 1, 'orphaned')",
                                 NULL, NULL, NULL) & 0xff, ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO bookings (company_id, uid, starts_at, ends_at, "
                                 "status, seen_at, sync_error_code) "
                                 "VALUES (3, 'u', 1, 2, 'accepted', 1, 'orphaned_calcom')",
                                 NULL, NULL, NULL) & 0xff, ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO bookings (company_id, uid, starts_at, ends_at, "
                                 "status, seen_at, calcom_sync_status) "
                                 "VALUES (3, 'u', 1, 2, 'accepted', 1, NULL)",
                                 NULL, NULL, NULL) & 0xff, ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO bookings (company_id, uid, starts_at, ends_at, "
                                 "status, seen_at, requires_manual_review) "
                                 "VALUES (3, 'u', 1, 2, 'accepted', 1, 2)",
                                 NULL, NULL, NULL) & 0xff, ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO bookings (company_id, uid, starts_at, ends_at, "
                                 "status, seen_at, sync_attempt_count) "
                                 "VALUES (3, 'u', 1, 2, 'accepted', 1, -1)",
                                 NULL, NULL, NULL) & 0xff, ==, SQLITE_CONSTRAINT);

  g_assert_finalize_object (store);
}

/* Recovery */

static void
test_recover_corrupt_file (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) damaged = NULL;
  g_autofree char *garbage = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *kept_path = NULL;
  g_autofree char *title = NULL;
  gsize kept_len = 0;
  const GError *recovery;
  CsStore *store;

  prepare_folder (f);
  garbage = g_malloc (8192);
  for (guint i = 0; i < 8192; i++)
    garbage[i] = (char) (i * 31 + 7);
  g_file_set_contents (f->path, garbage, 8192, &error);
  g_assert_no_error (error);

  store = cs_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);

  recovery = cs_store_get_recovery_error (store);
  g_assert_nonnull (recovery);
  g_assert_error ((GError *) recovery, CS_STORE_ERROR, CS_STORE_ERROR_REBUILT);
  g_assert_true (g_str_has_prefix (recovery->message,
                                   "The local cache was damaged and has been rebuilt; "));

  /* The user's bytes are kept, under a name the message gives. */
  damaged = list_damaged (f->folder);
  g_assert_cmpuint (damaged->len, ==, 1);
  kept_path = g_build_filename (f->folder, g_ptr_array_index (damaged, 0), NULL);
  g_assert_nonnull (strstr (recovery->message, kept_path));
  g_file_get_contents (kept_path, &kept, &kept_len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (kept, kept_len, garbage, 8192);

  /* The fresh cache is private and works. */
  g_assert_cmpuint (file_mode (f->path), ==, 0600);
  cs_store_set_company_id (store, COMPANY_A);
  save_one (store, make_full_appointment (1, COMPANY_A));
  title = get_title (store, 1);
  g_assert_cmpstr (title, ==, "Hairstyling – Herrenschnitt ✂");
  g_assert_finalize_object (store);

  /* Opening again finds nothing wrong. */
  store = open_store (f, COMPANY_A);
  g_assert_finalize_object (store);
}

static void
test_recover_damaged_pages (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = appointment_array ();
  g_autoptr(GPtrArray) damaged = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  CsStore *store;

  /* A real cache, then pages of it overwritten: the header is intact, so
   * only the integrity check can tell. */
  store = open_store (f, COMPANY_A);
  for (gint64 id = 1; id <= 200; id++)
    g_ptr_array_add (list, make_full_appointment (id, COMPANY_A));
  g_assert_true (cs_store_save_appointments (store, list, &error));
  g_assert_no_error (error);
  g_assert_finalize_object (store);

  g_file_get_contents (f->path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 16 * 4096);
  memset (contents + 4 * 4096, 0x5a, 8 * 4096);
  g_file_set_contents (f->path, contents, length, &error);
  g_assert_no_error (error);

  store = cs_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_error ((GError *) cs_store_get_recovery_error (store),
                  CS_STORE_ERROR, CS_STORE_ERROR_REBUILT);

  damaged = list_damaged (f->folder);
  g_assert_cmpuint (damaged->len, ==, 1);

  cs_store_set_company_id (store, COMPANY_A);
  assert_not_found (store, 1);
  g_assert_finalize_object (store);
}

static void
test_recover_bad_schema (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) damaged = NULL;
  CsStore *store;
  sqlite3 *db;

  /* A valid database that claims our version but has other tables. */
  prepare_folder (f);
  db = raw_open (f->path);
  raw_exec (db, "CREATE TABLE appointments (x TEXT); PRAGMA user_version = 3;");
  sqlite3_close (db);

  store = cs_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_error ((GError *) cs_store_get_recovery_error (store),
                  CS_STORE_ERROR, CS_STORE_ERROR_REBUILT);

  damaged = list_damaged (f->folder);
  g_assert_cmpuint (damaged->len, ==, 1);

  cs_store_set_company_id (store, COMPANY_A);
  save_one (store, make_appointment (1, COMPANY_A, T0));
  g_assert_finalize_object (store);
}

/* A damaged cache is rebuilt, but a person's changes that had not reached
 * the servers are carried over into the fresh one: the waiting outbox
 * items, the unsent audit entries and the actions' own state, and the
 * message counts them. What the servers will tell again (appointments, the
 * window that was verified) is not carried. */
static void
test_recover_carries_unsent (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsOutboxItem) waiting = NULL;
  g_autoptr(CsOutboxItem) sent = NULL;
  g_autoptr(CsAuditEntry) entry = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GPtrArray) unsent = NULL;
  g_autofree char *creates = NULL;
  g_autofree char *through = NULL;
  const GError *recovery;
  CsStore *store;
  sqlite3 *db;

  store = open_store (f, COMPANY_A);
  save_one (store, make_appointment (1, COMPANY_A, T0));
  waiting = cs_outbox_item_new ("key-waiting", "backend", "PATCH", "/api/v1/appointments/1",
                                "{}", T0);
  g_assert_true (cs_store_enqueue_outbox (store, waiting, &error));
  sent = cs_outbox_item_new ("key-sent", "backend", "PATCH", "/api/v1/appointments/1", "{}", T0);
  g_assert_true (cs_store_enqueue_outbox (store, sent, &error));
  g_assert_true (cs_store_complete_outbox (store, sent->id, T0 + 1, &error));
  entry = cs_audit_entry_new ("key-waiting", 1, "mark_resolved", "pending", T0, 7);
  g_assert_true (cs_store_add_audit_entry (store, entry, &error));
  g_assert_true (cs_store_set_state (store, CS_STORE_STATE_CARRIED_PREFIX "calcom-creates",
                                     "5 1 0 key-create", &error));
  g_assert_true (cs_store_set_state (store, "verified-through", "123", &error));
  g_assert_no_error (error);
  g_assert_finalize_object (store);

  /* Damage the file where the clicks are not: the run table loses a
   * column, so the schema check refuses the file. */
  db = raw_open (f->path);
  raw_exec (db, "ALTER TABLE runs DROP COLUMN n_flagged;");
  sqlite3_close (db);

  store = cs_store_open (f->path, &error);
  g_assert_no_error (error);
  recovery = cs_store_get_recovery_error (store);
  g_assert_error ((GError *) recovery, CS_STORE_ERROR, CS_STORE_ERROR_REBUILT);
  g_assert_nonnull (strstr (recovery->message,
                            "It held 2 changes that were not sent yet; they were carried over "
                            "and will be sent."));
  g_assert_null (strstr (recovery->message, "could not all be read"));

  cs_store_set_company_id (store, COMPANY_A);
  pending = cs_store_list_pending_outbox (store, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_cmpstr (((CsOutboxItem *) g_ptr_array_index (pending, 0))->idempotency_key, ==,
                   "key-waiting");
  unsent = cs_store_list_unsent_audit_entries (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (unsent->len, ==, 1);
  g_assert_true (cs_store_get_state (store, CS_STORE_STATE_CARRIED_PREFIX "calcom-creates",
                                     &creates, &error));
  g_assert_cmpstr (creates, ==, "5 1 0 key-create");
  g_assert_true (cs_store_get_state (store, "verified-through", &through, &error));
  g_assert_null (through);
  assert_not_found (store, 1);
  g_assert_finalize_object (store);
}

static void
test_recover_newer_version (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) damaged = NULL;
  g_autofree char *original = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *kept_path = NULL;
  gsize original_len = 0;
  gsize kept_len = 0;
  const GError *recovery;
  CsStore *store;
  sqlite3 *db;

  prepare_folder (f);
  db = raw_open (f->path);
  raw_exec (db, "CREATE TABLE future (x); INSERT INTO future VALUES (1); "
                "PRAGMA user_version = 99;");
  sqlite3_close (db);
  g_file_get_contents (f->path, &original, &original_len, &error);
  g_assert_no_error (error);

  store = cs_store_open (f->path, &error);
  g_assert_no_error (error);

  recovery = cs_store_get_recovery_error (store);
  g_assert_error ((GError *) recovery, CS_STORE_ERROR, CS_STORE_ERROR_REBUILT);
  g_assert_true (g_str_has_prefix (recovery->message,
                                   "The local cache was made by a newer version of Calsync"));

  damaged = list_damaged (f->folder);
  g_assert_cmpuint (damaged->len, ==, 1);
  kept_path = g_build_filename (f->folder, g_ptr_array_index (damaged, 0), NULL);
  g_assert_nonnull (strstr (recovery->message, kept_path));
  g_file_get_contents (kept_path, &kept, &kept_len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (kept, kept_len, original, original_len);

  g_assert_cmpint (raw_user_version (_cs_store_get_db (store)), ==, CS_STORE_SCHEMA_VERSION);
  g_assert_finalize_object (store);
}

static void
test_recover_twice_keeps_both (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) damaged = NULL;
  g_autofree char *one = NULL;
  g_autofree char *two = NULL;
  g_autofree char *path_one = NULL;
  g_autofree char *path_two = NULL;
  CsStore *store;

  /* Two recoveries within the same second must not overwrite each other. */
  prepare_folder (f);
  for (guint round = 0; round < 2; round++)
    {
      const char *garbage = round == 0 ? "first garbage, not a database" : "second garbage!";

      g_file_set_contents (f->path, garbage, -1, &error);
      g_assert_no_error (error);
      store = cs_store_open (f->path, &error);
      g_assert_no_error (error);
      g_assert_nonnull (cs_store_get_recovery_error (store));
      g_assert_finalize_object (store);
    }

  damaged = list_damaged (f->folder);
  g_assert_cmpuint (damaged->len, ==, 2);
  path_one = g_build_filename (f->folder, g_ptr_array_index (damaged, 0), NULL);
  path_two = g_build_filename (f->folder, g_ptr_array_index (damaged, 1), NULL);
  g_file_get_contents (path_one, &one, NULL, &error);
  g_assert_no_error (error);
  g_file_get_contents (path_two, &two, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (one, !=, two);
  g_assert_true (g_str_equal (one, "first garbage, not a database") ||
                 g_str_equal (two, "first garbage, not a database"));
  g_assert_true (g_str_equal (one, "second garbage!") || g_str_equal (two, "second garbage!"));
}

/* Appointments */

static void
test_appointment_round_trip (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsAppointment) full = make_full_appointment (1236, COMPANY_A);
  g_autoptr(CsAppointment) minimal = make_appointment (7, COMPANY_A, T0 + 1);
  g_autoptr(CsAppointment) got = NULL;
  g_autoptr(CsStoreCounts) counts = cs_store_counts_new ();
  CsStore *store = open_store (f, COMPANY_A);

  save_one (store, cs_appointment_copy (full));
  save_one (store, cs_appointment_copy (minimal));

  got = cs_store_get_appointment (store, 1236, &error);
  g_assert_no_error (error);
  assert_appointment_equal (got, full);
  g_clear_pointer (&got, cs_appointment_free);

  /* NULL strings and unset times come back as NULL and unset. */
  got = cs_store_get_appointment (store, 7, &error);
  g_assert_no_error (error);
  assert_appointment_equal (got, minimal);
  g_assert_null (got->number);
  g_assert_null (got->sync.sync_error_message);
  g_assert_cmpint (got->sync.sync_error_code, ==, CS_ERROR_CODE_NONE);
  g_assert_cmpint (got->created_at, ==, CS_TIME_UNSET);
  g_clear_pointer (&got, cs_appointment_free);

  /* Saving again updates every field, also back to empty. */
  full->title = (g_free (full->title), NULL);
  full->resolution = (g_free (full->resolution), g_strdup ("dismissed"));
  full->resolved_at = CS_TIME_UNSET;
  full->sync.status = CS_SYNC_STATUS_SYNCED;
  full->sync.sync_error_code = CS_ERROR_CODE_NONE;
  full->sync.requires_manual_review = FALSE;
  save_one (store, cs_appointment_copy (full));
  got = cs_store_get_appointment (store, 1236, &error);
  g_assert_no_error (error);
  assert_appointment_equal (got, full);

  g_assert_true (cs_store_get_counts (store, counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts->total, ==, 2);

  assert_not_found (store, 99);
  g_assert_finalize_object (store);
}

/* Changes field @field of @a, for each of the 28 fields saved by an update. */
static gboolean
change_field (CsAppointment *a,
              guint          field)
{
  switch (field)
    {
    case 0: g_free (a->number); a->number = g_strdup ("N-2"); break;
    case 1: a->starts_at -= 1; break;
    case 2: a->ends_at += 1; break;
    case 3: a->status = CS_CRM_STATUS_NO_SHOW; break;
    case 4: g_free (a->title); a->title = g_strdup ("Damenschnitt"); break;
    case 5: g_free (a->customer_name); a->customer_name = NULL; break;
    case 6: g_free (a->customer_email); a->customer_email = g_strdup ("neu@example.com"); break;
    case 7: g_free (a->customer_phone); a->customer_phone = g_strdup ("+49 1"); break;
    case 8: g_free (a->calcom_booking_uid); a->calcom_booking_uid = g_strdup ("uid-2"); break;
    case 9: a->calcom_event_type_id = 0; break;
    case 10: g_free (a->source); a->source = g_strdup ("calcom"); break;
    case 11: a->created_at += 1; break;
    case 12: a->updated_at += 1; break;
    case 13: a->deleted_at = CS_TIME_UNSET; break;
    case 14: a->sync.status = CS_SYNC_STATUS_ORPHANED_LOCAL; break;
    case 15: a->sync.last_sync_attempt_at += 1; break;
    case 16: a->sync.sync_attempt_count += 1; break;
    case 17: g_free (a->sync.sync_error_message); a->sync.sync_error_message = NULL; break;
    case 18: a->sync.sync_error_code = CS_ERROR_CODE_ORPHANED_LOCAL; break;
    case 19: a->sync.sync_verified_at = CS_TIME_UNSET; break;
    case 20: a->sync.requires_manual_review = !a->sync.requires_manual_review; break;
    case 21: a->sync.manual_review_flagged_at += 1; break;
    case 22: a->next_attempt_at = CS_TIME_UNSET; break;
    case 23: a->resolved_at += 1; break;
    case 24: a->resolved_by = 13; break;
    case 25: g_free (a->resolution); a->resolution = g_strdup ("dismissed"); break;
    case 26: g_free (a->resolution_note); a->resolution_note = g_strdup (""); break;
    case 27: a->snoozed_until = CS_TIME_UNSET; break;
    default: return FALSE;
    }

  return TRUE;
}

static void
test_appointment_update_each_field (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(CsAppointment) a = make_full_appointment (1, COMPANY_A);
  CsStore *store = open_store (f, COMPANY_A);
  guint field;

  save_one (store, cs_appointment_copy (a));

  /* Rows that did not change are not rewritten: each single change must
   * still count as a change. */
  for (field = 0; change_field (a, field); field++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CsAppointment) got = NULL;

      save_one (store, cs_appointment_copy (a));
      got = cs_store_get_appointment (store, 1, &error);
      g_assert_no_error (error);
      assert_appointment_equal (got, a);
    }
  g_assert_cmpuint (field, ==, 28);

  g_assert_finalize_object (store);
}

static void
test_appointment_list (Fixture       *f,
                       gconstpointer  data)
{
  static const gint64 expected_all[] = { 3, 9, 1, 5 };
  static const gint64 expected_range[] = { 3, 9, 1 };
  static const gint64 expected_from[] = { 1, 5 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = appointment_array ();
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) range = NULL;
  g_autoptr(GPtrArray) from = NULL;
  CsStore *store = open_store (f, COMPANY_A);

  g_ptr_array_add (list, make_appointment (5, COMPANY_A, T0 + 2 * CS_USEC_PER_HOUR));
  g_ptr_array_add (list, make_appointment (9, COMPANY_A, T0));
  g_ptr_array_add (list, make_appointment (3, COMPANY_A, T0));
  g_ptr_array_add (list, make_appointment (1, COMPANY_A, T0 + CS_USEC_PER_HOUR));
  g_assert_true (cs_store_save_appointments (store, list, &error));
  g_assert_no_error (error);

  all = cs_store_list_appointments (store, CS_TIME_UNSET, CS_TIME_UNSET, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, G_N_ELEMENTS (expected_all));
  for (guint i = 0; i < all->len; i++)
    g_assert_cmpint (((CsAppointment *) g_ptr_array_index (all, i))->id, ==, expected_all[i]);

  /* The start bound is inclusive, the end bound exclusive. */
  range = cs_store_list_appointments (store, T0, T0 + 2 * CS_USEC_PER_HOUR, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (range->len, ==, G_N_ELEMENTS (expected_range));
  for (guint i = 0; i < range->len; i++)
    g_assert_cmpint (((CsAppointment *) g_ptr_array_index (range, i))->id, ==,
                     expected_range[i]);

  from = cs_store_list_appointments (store, T0 + CS_USEC_PER_HOUR, CS_TIME_UNSET, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (from->len, ==, G_N_ELEMENTS (expected_from));
  for (guint i = 0; i < from->len; i++)
    g_assert_cmpint (((CsAppointment *) g_ptr_array_index (from, i))->id, ==, expected_from[i]);

  g_assert_finalize_object (store);
}

static void
test_appointment_due (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = appointment_array ();
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GPtrArray) none = NULL;
  CsStore *store = open_store (f, COMPANY_A);
  CsTime now = T0 + CS_USEC_PER_DAY;
  CsAppointment *a;

  a = make_appointment (1, COMPANY_A, T0);
  a->next_attempt_at = now;
  g_ptr_array_add (list, a);
  a = make_appointment (2, COMPANY_A, T0);
  a->next_attempt_at = now - 10;
  g_ptr_array_add (list, a);
  a = make_appointment (3, COMPANY_A, T0);
  a->next_attempt_at = now + 1;
  g_ptr_array_add (list, a);
  g_ptr_array_add (list, make_appointment (4, COMPANY_A, T0));
  g_assert_true (cs_store_save_appointments (store, list, &error));
  g_assert_no_error (error);

  /* The most overdue first; "now" itself is due; unset never is. */
  due = cs_store_list_due_appointments (store, now, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 2);
  g_assert_cmpint (((CsAppointment *) g_ptr_array_index (due, 0))->id, ==, 2);
  g_assert_cmpint (((CsAppointment *) g_ptr_array_index (due, 1))->id, ==, 1);

  none = cs_store_list_due_appointments (store, now - 11, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);

  g_assert_finalize_object (store);
}

/* What the retry timer is armed with: the earliest wait of any item after
 * a given instant, appointments and bookings alike; a resolved or flagged
 * item waits for nobody. */
static void
test_next_due (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = appointment_array ();
  g_autoptr(GPtrArray) bookings = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_booking_free);
  g_autoptr(GPtrArray) due = NULL;
  CsStore *store = open_store (f, COMPANY_A);
  CsTime next = 42;
  CsAppointment *a;
  CsBooking *b;

  g_assert_true (cs_store_get_next_due (store, CS_TIME_UNSET, &next, &error));
  g_assert_no_error (error);
  g_assert_cmpint (next, ==, CS_TIME_UNSET);

  a = make_appointment (1, COMPANY_A, T0);
  a->next_attempt_at = T0 + 10;
  a->resolved_at = T0;
  g_ptr_array_add (list, a);
  a = make_appointment (2, COMPANY_A, T0);
  a->next_attempt_at = T0 + 20;
  a->sync.requires_manual_review = TRUE;
  a->sync.manual_review_flagged_at = T0;
  g_ptr_array_add (list, a);
  a = make_appointment (3, COMPANY_A, T0);
  a->next_attempt_at = T0 + 40;
  g_ptr_array_add (list, a);
  a = make_appointment (4, COMPANY_A, T0);
  a->next_attempt_at = T0 - 5;
  g_ptr_array_add (list, a);
  g_assert_true (cs_store_save_appointments (store, list, &error));
  g_assert_no_error (error);

  b = make_booking ("uid-due", T0);
  b->next_attempt_at = T0 + 30;
  g_ptr_array_add (bookings, b);
  save_bookings (store, bookings);

  g_assert_true (cs_store_get_next_due (store, CS_TIME_UNSET, &next, &error));
  g_assert_cmpint (next, ==, T0 - 5);
  g_assert_true (cs_store_get_next_due (store, T0, &next, &error));
  g_assert_cmpint (next, ==, T0 + 30);
  g_assert_true (cs_store_get_next_due (store, T0 + 30, &next, &error));
  g_assert_cmpint (next, ==, T0 + 40);
  g_assert_true (cs_store_get_next_due (store, T0 + 40, &next, &error));
  g_assert_cmpint (next, ==, CS_TIME_UNSET);
  g_assert_no_error (error);

  /* The retry run's list leaves the resolved one out too. */
  due = cs_store_list_due_appointments (store, T0 + 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 3);

  g_assert_finalize_object (store);
}

static void
test_appointment_counts (Fixture       *f,
                         gconstpointer  data)
{
  static const struct {
    CsSyncStatus status;
    gboolean     flagged;
    gboolean     resolved;
  } rows[] = {
    { CS_SYNC_STATUS_SYNCED, FALSE, FALSE },
    { CS_SYNC_STATUS_SYNCED, FALSE, FALSE },
    { CS_SYNC_STATUS_FAILED, TRUE, FALSE },
    { CS_SYNC_STATUS_ORPHANED_LOCAL, TRUE, TRUE },
    { CS_SYNC_STATUS_ORPHANED_CALCOM, TRUE, FALSE },
    { CS_SYNC_STATUS_PENDING, FALSE, FALSE },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = appointment_array ();
  CsStoreCounts counts;
  CsStore *store = open_store (f, COMPANY_A);

  g_assert_true (cs_store_get_counts (store, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.total, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      CsAppointment *a = make_appointment (i + 1, COMPANY_A, T0);

      a->sync.status = rows[i].status;
      a->sync.requires_manual_review = rows[i].flagged;
      a->resolved_at = rows[i].resolved ? T0 + 1 : CS_TIME_UNSET;
      g_ptr_array_add (list, a);
    }
  g_assert_true (cs_store_save_appointments (store, list, &error));
  g_assert_no_error (error);

  g_assert_true (cs_store_get_counts (store, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.by_status[CS_SYNC_STATUS_PENDING], ==, 1);
  g_assert_cmpuint (counts.by_status[CS_SYNC_STATUS_VERIFICATION_PENDING], ==, 0);
  g_assert_cmpuint (counts.by_status[CS_SYNC_STATUS_SYNCED], ==, 2);
  g_assert_cmpuint (counts.by_status[CS_SYNC_STATUS_FAILED], ==, 1);
  g_assert_cmpuint (counts.by_status[CS_SYNC_STATUS_ORPHANED_LOCAL], ==, 1);
  g_assert_cmpuint (counts.by_status[CS_SYNC_STATUS_ORPHANED_CALCOM], ==, 1);
  g_assert_cmpuint (counts.needs_review, ==, 2);
  g_assert_cmpuint (counts.total, ==, 6);

  g_assert_finalize_object (store);
}

static void
test_appointment_refused (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = appointment_array ();
  CsStore *store = open_store (f, COMPANY_A);
  CsAppointment *a;

  /* A valid row, then one of another company: neither is written. */
  g_ptr_array_add (list, make_appointment (1, COMPANY_A, T0));
  g_ptr_array_add (list, make_appointment (2, COMPANY_B, T0));
  g_assert_false (cs_store_save_appointments (store, list, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FAILED);
  g_clear_error (&error);
  assert_not_found (store, 1);
  assert_not_found (store, 2);

  /* An end before the start, and an unknown error code. */
  g_ptr_array_set_size (list, 0);
  a = make_appointment (3, COMPANY_A, T0);
  a->ends_at = T0 - 1;
  g_ptr_array_add (list, a);
  g_assert_false (cs_store_save_appointments (store, list, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FAILED);
  g_clear_error (&error);

  g_ptr_array_set_size (list, 0);
  a = make_appointment (4, COMPANY_A, T0);
  a->sync.sync_error_code = 42;
  g_ptr_array_add (list, a);
  g_assert_false (cs_store_save_appointments (store, list, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FAILED);
  g_clear_error (&error);

  assert_not_found (store, 3);
  assert_not_found (store, 4);
  g_assert_finalize_object (store);
}

static void
test_appointment_sync_diff (Fixture       *f,
                            gconstpointer  data)
{
  static const char diff[] =
    "[{\"field\":\"start\",\"local\":\"2025-10-13T08:00:00Z\",\"calcom\":\"…\"}]";
  g_autoptr(GError) error = NULL;
  g_autoptr(CsAppointment) a = make_appointment (1, COMPANY_A, T0);
  g_autofree char *got = NULL;
  CsStore *store = open_store (f, COMPANY_A);

  a->sync.status = CS_SYNC_STATUS_FAILED;
  a->sync.sync_error_code = CS_ERROR_CODE_DATA_MISMATCH;
  save_one (store, cs_appointment_copy (a));

  g_assert_true (cs_store_get_sync_diff (store, 1, &got, &error));
  g_assert_no_error (error);
  g_assert_null (got);

  g_assert_true (cs_store_set_sync_diff (store, 1, diff, &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_get_sync_diff (store, 1, &got, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, diff);
  g_clear_pointer (&got, g_free);

  /* Still a mismatch: the diff stays. */
  a->sync.sync_attempt_count = 2;
  save_one (store, cs_appointment_copy (a));
  g_assert_true (cs_store_get_sync_diff (store, 1, &got, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, diff);
  g_clear_pointer (&got, g_free);

  /* Synced: the diff goes with the mismatch. */
  a->sync.status = CS_SYNC_STATUS_SYNCED;
  a->sync.sync_error_code = CS_ERROR_CODE_NONE;
  save_one (store, cs_appointment_copy (a));
  g_assert_true (cs_store_get_sync_diff (store, 1, &got, &error));
  g_assert_no_error (error);
  g_assert_null (got);

  g_assert_false (cs_store_set_sync_diff (store, 1, "{not json", &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FAILED);
  g_clear_error (&error);

  g_assert_false (cs_store_set_sync_diff (store, 2, diff, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (cs_store_get_sync_diff (store, 2, &got, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_NOT_FOUND);

  g_assert_finalize_object (store);
}

/* The diff's values are the two sides' text: a CRM uid may hold anything.
 * g_strescape() used to write é as \303\251 and DEL as \177, which is not
 * JSON, so the CHECK refused the diff and the dialog showed none. */
static void
test_appointment_sync_diff_text (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsAppointment) a = make_appointment (1, COMPANY_A, T0);
  g_autoptr(GPtrArray) diffs = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_field_diff_free);
  g_autoptr(GPtrArray) back = NULL;
  g_autofree char *json = NULL;
  g_autofree char *got = NULL;
  CsFieldDiff *diff = g_new0 (CsFieldDiff, 1);
  CsStore *store = open_store (f, COMPANY_A);

  a->sync.status = CS_SYNC_STATUS_FAILED;
  a->sync.sync_error_code = CS_ERROR_CODE_DATA_MISMATCH;
  save_one (store, cs_appointment_copy (a));

  diff->field = CS_DIFF_FIELD_BOOKING_UID;
  diff->local_value = g_strdup ("Grüße \"quoted\" back\\slash\x7f\x01\ttab");
  diff->calcom_value = NULL;
  g_ptr_array_add (diffs, diff);

  json = cs_sync_diff_to_json (diffs);
  g_assert_true (cs_store_set_sync_diff (store, 1, json, &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_get_sync_diff (store, 1, &got, &error));
  g_assert_no_error (error);

  back = cs_sync_diff_from_json (got);
  g_assert_nonnull (back);
  g_assert_cmpuint (back->len, ==, 1);
  diff = g_ptr_array_index (back, 0);
  g_assert_cmpint (diff->field, ==, CS_DIFF_FIELD_BOOKING_UID);
  g_assert_cmpstr (diff->local_value, ==, "Grüße \"quoted\" back\\slash\x7f\x01\ttab");
  g_assert_null (diff->calcom_value);

  /* Entries of fields a later version adds are left out, not the diff. */
  g_clear_pointer (&back, g_ptr_array_unref);
  back = cs_sync_diff_from_json ("[{\"field\":\"colour\",\"local\":\"red\"},"
                                 "{\"field\":\"end\",\"local\":null,\"calcom\":\"x\"}]");
  g_assert_nonnull (back);
  g_assert_cmpuint (back->len, ==, 1);
  g_assert_null (cs_sync_diff_from_json ("[{\"field\":\"end\"}"));
  g_assert_null (cs_sync_diff_from_json ("{}"));
  g_assert_null (cs_sync_diff_from_json (NULL));

  g_assert_finalize_object (store);
}

/* Bookings */

static void
test_booking_round_trip (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = booking_array ();
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(CsBooking) got = NULL;
  CsStore *store = open_store (f, COMPANY_A);
  CsBooking *plain;
  CsBooking *empty;

  g_ptr_array_add (list, make_tricky_booking ("uid-\"tricky\"-1"));
  plain = cs_booking_new ("uid-plain");
  plain->start = T0 + 1;
  plain->end = T0 + 2;
  g_ptr_array_add (list, plain);
  empty = cs_booking_new ("uid-empty-metadata");
  empty->start = T0 + 2;
  empty->end = T0 + 3;
  empty->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_ptr_array_add (list, empty);
  g_assert_true (cs_store_save_bookings (store, list, T0, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < list->len; i++)
    {
      const CsBooking *expected = g_ptr_array_index (list, i);

      got = cs_store_get_booking (store, expected->uid, &error);
      g_assert_no_error (error);
      assert_booking_equal (got, expected);
      g_clear_pointer (&got, cs_booking_free);
    }

  listed = cs_store_list_bookings (store, CS_TIME_UNSET, CS_TIME_UNSET, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 3);
  for (guint i = 0; i < listed->len; i++)
    assert_booking_equal (g_ptr_array_index (listed, i), g_ptr_array_index (list, i));

  /* Saving again replaces attendees and metadata. */
  plain = g_ptr_array_index (list, 0);
  g_ptr_array_set_size (plain->attendees, 0);
  cs_booking_add_attendee (plain, "Neu", "neu@example.com", NULL);
  cs_booking_set_metadata (plain, "note \"key\"", NULL);
  g_assert_true (cs_store_save_bookings (store, list, T0 + 1, &error));
  g_assert_no_error (error);
  got = cs_store_get_booking (store, plain->uid, &error);
  g_assert_no_error (error);
  assert_booking_equal (got, plain);
  g_clear_pointer (&got, cs_booking_free);

  got = cs_store_get_booking (store, "uid-missing", &error);
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_NOT_FOUND);
  g_assert_null (got);

  g_assert_finalize_object (store);
}

static void
test_booking_escaped_json (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsBooking) got = NULL;
  CsStore *store = open_store (f, COMPANY_A);
  const CsAttendee *attendee;

  /* JSON another writer might produce: escapes, surrogate pairs, spaces,
   * keys we do not know. */
  g_assert_cmpint (sqlite3_exec (_cs_store_get_db (store),
                                 "INSERT INTO bookings (company_id, uid, starts_at, ends_at, "
                                 "status, attendees, metadata, seen_at) VALUES (3, 'u', 1, 2, "
                                 "'accepted', "
                                 "' [ { \"name\" : \"\\u00e9\\ud83d\\ude00\", \"email\":"
                                 "\"a\\/b\", \"extra\": \"x\", \"phone\": null } ] ', "
                                 "'{\"k\":\"\\\"\\\\\\b\\f\\n\\r\\t\", \"drop\": null}', 3)",
                                 NULL, NULL, NULL), ==, SQLITE_OK);

  got = cs_store_get_booking (store, "u", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->attendees->len, ==, 1);
  attendee = g_ptr_array_index (got->attendees, 0);
  g_assert_cmpstr (attendee->name, ==, "é😀");
  g_assert_cmpstr (attendee->email, ==, "a/b");
  g_assert_null (attendee->phone);
  g_assert_cmpuint (g_hash_table_size (got->metadata), ==, 1);
  g_assert_cmpstr (cs_booking_get_metadata (got, "k"), ==, "\"\\\b\f\n\r\t");

  g_assert_finalize_object (store);
}

static void
test_booking_refused (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = booking_array ();
  g_autoptr(CsBooking) got = NULL;
  CsStore *store = open_store (f, COMPANY_A);
  CsBooking *booking;

  g_ptr_array_add (list, make_tricky_booking ("ours"));
  booking = make_tricky_booking ("theirs");
  cs_booking_set_metadata (booking, CS_METADATA_CRM_COMPANY_ID, "4");
  g_ptr_array_add (list, booking);
  g_assert_false (cs_store_save_bookings (store, list, T0, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FAILED);
  g_clear_error (&error);

  got = cs_store_get_booking (store, "ours", &error);
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_NOT_FOUND);
  g_assert_null (got);

  g_assert_finalize_object (store);
}

static void
test_booking_tracking_round_trip (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = booking_array ();
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(CsBooking) got = NULL;
  CsStore *store = open_store (f, COMPANY_A);
  CsBooking *set;
  CsBooking *unset;
  sqlite3 *db = _cs_store_get_db (store);

  /* Every field set, and every field unset. */
  set = make_tracked_booking ("uid-set");
  g_ptr_array_add (list, set);
  unset = make_tricky_booking ("uid-unset");
  unset->start = T0 + 1;
  unset->end = T0 + 2;
  g_ptr_array_add (list, unset);
  save_bookings (store, list);

  for (guint i = 0; i < list->len; i++)
    {
      const CsBooking *expected = g_ptr_array_index (list, i);

      got = cs_store_get_booking (store, expected->uid, &error);
      g_assert_no_error (error);
      assert_booking_equal (got, expected);
      g_clear_pointer (&got, cs_booking_free);
    }

  listed = cs_store_list_bookings (store, CS_TIME_UNSET, CS_TIME_UNSET, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 2);
  for (guint i = 0; i < listed->len; i++)
    assert_booking_equal (g_ptr_array_index (listed, i), g_ptr_array_index (list, i));
  g_clear_pointer (&listed, g_ptr_array_unref);

  /* Unset is SQL NULL, not 0 or "". */
  g_assert_cmpint (pragma_int (db, "SELECT count(*) FROM bookings WHERE uid = 'uid-unset' "
                                   "AND calcom_sync_status = 'pending' "
                                   "AND last_sync_attempt_at IS NULL "
                                   "AND sync_attempt_count = 0 AND sync_error_message IS NULL "
                                   "AND sync_error_code IS NULL AND sync_verified_at IS NULL "
                                   "AND requires_manual_review = 0 "
                                   "AND manual_review_flagged_at IS NULL "
                                   "AND next_attempt_at IS NULL AND resolved_at IS NULL "
                                   "AND resolved_by IS NULL AND resolution IS NULL "
                                   "AND resolution_note IS NULL AND snoozed_until IS NULL"),
                   ==, 1);
  g_assert_cmpint (pragma_int (db, "SELECT count(*) FROM bookings WHERE uid = 'uid-set' "
                                   "AND calcom_sync_status = 'orphaned_calcom' "
                                   "AND sync_error_code = 'ORPHANED_CALCOM' "
                                   "AND requires_manual_review = 1"), ==, 1);

  /* Saving again swaps them: set becomes unset and the other way round. */
  set = make_tricky_booking ("uid-set");
  unset = make_tracked_booking ("uid-unset");
  unset->start = T0 + 1;
  unset->end = T0 + 2;
  g_ptr_array_set_size (list, 0);
  g_ptr_array_add (list, set);
  g_ptr_array_add (list, unset);
  g_assert_true (cs_store_save_bookings (store, list, T0 + 1, &error));
  g_assert_no_error (error);

  listed = cs_store_list_bookings (store, CS_TIME_UNSET, CS_TIME_UNSET, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 2);
  for (guint i = 0; i < listed->len; i++)
    assert_booking_equal (g_ptr_array_index (listed, i), g_ptr_array_index (list, i));

  /* Each status and each code goes in and comes out as itself. */
  for (guint status = 0; status <= CS_SYNC_STATUS_LAST; status++)
    {
      for (guint code = 0; code <= CS_ERROR_CODE_LAST; code++)
        {
          g_autoptr(GPtrArray) one = booking_array ();
          CsBooking *b = make_booking ("uid-enum", T0);

          b->sync.status = status;
          b->sync.sync_error_code = code;
          g_ptr_array_add (one, b);
          save_bookings (store, one);
          got = cs_store_get_booking (store, "uid-enum", &error);
          g_assert_no_error (error);
          assert_booking_equal (got, b);
          g_clear_pointer (&got, cs_booking_free);
        }
    }

  g_assert_finalize_object (store);
}

static void
test_booking_tracking_refused (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  CsStore *store = open_store (f, COMPANY_A);
  CsBooking *b;

  {
    g_autoptr(GPtrArray) list = booking_array ();

    g_ptr_array_add (list, make_tracked_booking ("before"));
    save_bookings (store, list);
  }

  /* A bad code, a bad status: the whole call is refused, nothing written,
   * not even the good booking in front of it or the change to "before". */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GPtrArray) list = booking_array ();
      g_autoptr(CsBooking) got = NULL;

      b = make_tracked_booking ("before");
      g_free (b->resolution_note);
      b->resolution_note = g_strdup ("changed");
      g_ptr_array_add (list, b);
      g_ptr_array_add (list, make_booking ("good", T0));
      b = make_booking ("bad", T0);
      if (i == 0)
        b->sync.sync_error_code = CS_ERROR_CODE_LAST + 1;
      else
        b->sync.status = CS_SYNC_STATUS_LAST + 1;
      g_ptr_array_add (list, b);

      g_assert_false (cs_store_save_bookings (store, list, T0, &error));
      g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FAILED);
      g_assert_nonnull (strstr (error->message, i == 0 ? "sync_error_code" : "calcom_sync_status"));
      g_clear_error (&error);

      got = cs_store_get_booking (store, "good", &error);
      g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_NOT_FOUND);
      g_assert_null (got);
      g_clear_error (&error);
      got = cs_store_get_booking (store, "before", &error);
      g_assert_no_error (error);
      g_assert_cmpstr (got->resolution_note, !=, "changed");
      g_assert_true (sqlite3_get_autocommit (_cs_store_get_db (store)));
    }

  listed = cs_store_list_bookings (store, CS_TIME_UNSET, CS_TIME_UNSET, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 1);

  g_assert_finalize_object (store);
}

static void
test_booking_due (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = booking_array ();
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GPtrArray) none = NULL;
  CsStore *store = open_store (f, COMPANY_A);
  CsTime now = T0 + CS_USEC_PER_DAY;
  CsBooking *b;

  b = make_booking ("b-now", T0);
  b->next_attempt_at = now;
  g_ptr_array_add (list, b);
  b = make_booking ("a-overdue", T0 + 5);
  b->next_attempt_at = now - 10;
  g_ptr_array_add (list, b);
  b = make_booking ("c-later", T0);
  b->next_attempt_at = now + 1;
  g_ptr_array_add (list, b);
  g_ptr_array_add (list, make_booking ("d-unset", T0));
  save_bookings (store, list);

  /* The most overdue first; "now" itself is due; unset never is. */
  due = cs_store_list_due_bookings (store, now, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 2);
  assert_booking_equal (g_ptr_array_index (due, 0), g_ptr_array_index (list, 1));
  assert_booking_equal (g_ptr_array_index (due, 1), g_ptr_array_index (list, 0));

  none = cs_store_list_due_bookings (store, now - 11, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);

  g_assert_finalize_object (store);
}

static void
test_booking_counts (Fixture       *f,
                     gconstpointer  data)
{
  static const struct {
    CsSyncStatus status;
    gboolean     flagged;
    gboolean     resolved;
  } rows[] = {
    { CS_SYNC_STATUS_ORPHANED_CALCOM, FALSE, FALSE },
    { CS_SYNC_STATUS_ORPHANED_CALCOM, TRUE, FALSE },
    { CS_SYNC_STATUS_ORPHANED_CALCOM, TRUE, TRUE },
    { CS_SYNC_STATUS_PENDING, FALSE, FALSE },
    { CS_SYNC_STATUS_SYNCED, FALSE, FALSE },
    { CS_SYNC_STATUS_FAILED, TRUE, FALSE },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) appointments = appointment_array ();
  g_autoptr(GPtrArray) bookings = booking_array ();
  CsStoreCounts counts;
  CsStore *store = open_store (f, COMPANY_A);
  CsAppointment *a;

  /* Two appointments: one orphaned in Cal.com's sense, one flagged. */
  a = make_appointment (1, COMPANY_A, T0);
  a->sync.status = CS_SYNC_STATUS_ORPHANED_CALCOM;
  g_ptr_array_add (appointments, a);
  a = make_appointment (2, COMPANY_A, T0);
  a->sync.status = CS_SYNC_STATUS_FAILED;
  a->sync.requires_manual_review = TRUE;
  g_ptr_array_add (appointments, a);
  g_assert_true (cs_store_save_appointments (store, appointments, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *uid = g_strdup_printf ("uid-%u", i);
      CsBooking *b = make_booking (uid, T0);

      b->sync.status = rows[i].status;
      b->sync.requires_manual_review = rows[i].flagged;
      b->resolved_at = rows[i].resolved ? T0 + 1 : CS_TIME_UNSET;
      g_ptr_array_add (bookings, b);
    }
  save_bookings (store, bookings);

  /* Orphaned bookings count like appointments, in their status and the
   * total; flagged unresolved ones in the review figure; the others not. */
  g_assert_true (cs_store_get_counts (store, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.by_status[CS_SYNC_STATUS_PENDING], ==, 0);
  g_assert_cmpuint (counts.by_status[CS_SYNC_STATUS_VERIFICATION_PENDING], ==, 0);
  g_assert_cmpuint (counts.by_status[CS_SYNC_STATUS_SYNCED], ==, 0);
  g_assert_cmpuint (counts.by_status[CS_SYNC_STATUS_FAILED], ==, 1);
  g_assert_cmpuint (counts.by_status[CS_SYNC_STATUS_ORPHANED_LOCAL], ==, 0);
  g_assert_cmpuint (counts.by_status[CS_SYNC_STATUS_ORPHANED_CALCOM], ==, 1 + 3);
  g_assert_cmpuint (counts.needs_review, ==, 1 + 2);
  g_assert_cmpuint (counts.total, ==, 2 + 3);

  /* Another company's orphans are not counted. */
  cs_store_set_company_id (store, COMPANY_B);
  g_assert_true (cs_store_get_counts (store, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.by_status[CS_SYNC_STATUS_ORPHANED_CALCOM], ==, 0);
  g_assert_cmpuint (counts.needs_review, ==, 0);
  g_assert_cmpuint (counts.total, ==, 0);

  g_assert_finalize_object (store);
}

static void
test_booking_flagged (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = booking_array ();
  g_autoptr(GPtrArray) flagged = NULL;
  CsStore *store = open_store (f, COMPANY_A);
  CsBooking *b;

  b = make_tracked_booking ("late");        /* flagged, not resolved */
  b->start = T0 + CS_USEC_PER_HOUR;
  b->end = b->start + 1;
  b->resolved_at = CS_TIME_UNSET;
  g_ptr_array_add (list, b);
  b = make_tracked_booking ("resolved");    /* flagged and resolved */
  g_ptr_array_add (list, b);
  b = make_booking ("plain", T0);           /* not flagged */
  g_ptr_array_add (list, b);
  b = make_tracked_booking ("early");       /* flagged, snoozed, not resolved */
  b->start = T0 - CS_USEC_PER_HOUR;
  b->end = b->start + 1;
  b->resolved_at = CS_TIME_UNSET;
  g_ptr_array_add (list, b);
  save_bookings (store, list);

  flagged = cs_store_list_flagged_bookings (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (flagged->len, ==, 2);
  assert_booking_equal (g_ptr_array_index (flagged, 0), g_ptr_array_index (list, 3));
  assert_booking_equal (g_ptr_array_index (flagged, 1), g_ptr_array_index (list, 0));

  g_assert_finalize_object (store);
}

/* History */

static void
test_history_newest_first (Fixture       *f,
                           gconstpointer  data)
{
  static const CsTime times[] = { 1, 3, 2, 3 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(CsHistoryEvent) orphan = NULL;
  gint64 ids[G_N_ELEMENTS (times)];
  const CsHistoryEvent *event;
  CsStore *store = open_store (f, COMPANY_A);

  save_one (store, make_appointment (1, COMPANY_A, T0));
  save_one (store, make_appointment (2, COMPANY_A, T0));

  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      g_autoptr(CsHistoryEvent) e = NULL;

      e = cs_history_event_new (1, T0 + times[i], CS_HISTORY_KIND_ATTEMPT_FAILED,
                                i == 0 ? NULL : "Cal.com did not answer");
      e->attempt = i + 1;
      g_assert_true (cs_store_add_history_event (store, e, &error));
      g_assert_no_error (error);
      g_assert_cmpint (e->id, >, 0);
      ids[i] = e->id;
    }

  /* Another appointment's line does not show. */
  orphan = cs_history_event_new (2, T0, CS_HISTORY_KIND_CREATED, NULL);
  g_assert_true (cs_store_add_history_event (store, orphan, &error));
  g_assert_no_error (error);

  /* Newest first; the later of two at the same time first. */
  history = cs_store_list_history (store, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 4);
  g_assert_cmpint (((CsHistoryEvent *) g_ptr_array_index (history, 0))->id, ==, ids[3]);
  g_assert_cmpint (((CsHistoryEvent *) g_ptr_array_index (history, 1))->id, ==, ids[1]);
  g_assert_cmpint (((CsHistoryEvent *) g_ptr_array_index (history, 2))->id, ==, ids[2]);
  g_assert_cmpint (((CsHistoryEvent *) g_ptr_array_index (history, 3))->id, ==, ids[0]);

  event = g_ptr_array_index (history, 3);
  g_assert_cmpint (event->appointment_id, ==, 1);
  g_assert_cmpint (event->at, ==, T0 + 1);
  g_assert_cmpstr (event->kind, ==, CS_HISTORY_KIND_ATTEMPT_FAILED);
  g_assert_null (event->message);
  g_assert_cmpuint (event->attempt, ==, 1);
  g_assert_cmpint (event->run_id, ==, 0);
  event = g_ptr_array_index (history, 0);
  g_assert_cmpstr (event->message, ==, "Cal.com did not answer");
  g_clear_pointer (&history, g_ptr_array_unref);

  /* The history goes with its appointment. */
  g_assert_true (cs_store_delete_appointment (store, 1, &error));
  g_assert_no_error (error);
  history = cs_store_list_history (store, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 0);
  g_assert_false (cs_store_delete_appointment (store, 1, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* No line for an appointment that is not there. */
  orphan->appointment_id = 1;
  orphan->id = 0;
  g_assert_false (cs_store_add_history_event (store, orphan, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FAILED);
  g_assert_cmpint (orphan->id, ==, 0);

  g_assert_finalize_object (store);
}

/* Runs */

static CsRunRecord *
make_run (const char *kind,
          CsTime      started_at)
{
  CsRunRecord *run = cs_run_record_new (kind, started_at);

  run->finished_at = started_at + 2 * CS_USEC_PER_SECOND;
  for (guint i = 0; i <= CS_SYNC_STATUS_LAST; i++)
    run->counts[i] = 10 * i + 1;
  run->n_flagged = 4;
  run->calcom_requests = 3;
  run->backend_requests = 5;
  run->duration_usec = 2 * CS_USEC_PER_SECOND;

  return run;
}

static void
test_run_round_trip (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsRunRecord) first = make_run (CS_RUN_KIND_CYCLE, T0);
  g_autoptr(CsRunRecord) second = make_run (CS_RUN_KIND_COMPREHENSIVE, T0 + CS_USEC_PER_HOUR);
  g_autoptr(CsRunRecord) bad = make_run ("weekly", T0 + 2 * CS_USEC_PER_HOUR);
  g_autoptr(CsRunRecord) last = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  CsStore *store = open_store (f, COMPANY_A);
  const CsRunRecord *got;

  last = cs_store_get_last_run (store, &error);
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_NOT_FOUND);
  g_assert_null (last);
  g_clear_error (&error);

  second->result = (g_free (second->result), g_strdup (CS_RUN_RESULT_FAILED));
  second->error_message = g_strdup ("Cal.com answered 503 “Service Unavailable”");
  second->finished_at = CS_TIME_UNSET;

  /* Committed out of order: listing goes by start. */
  g_assert_true (cs_store_commit_run (store, second, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_commit_run (store, first, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (first->id, >, 0);
  g_assert_cmpint (second->id, >, 0);
  g_assert_cmpint (first->id, !=, second->id);

  /* A kind the design does not know is refused. */
  g_assert_false (cs_store_commit_run (store, bad, NULL, NULL, NULL, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpint (bad->id, ==, 0);

  runs = cs_store_list_runs (store, CS_TIME_UNSET, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 2);
  got = g_ptr_array_index (runs, 0);
  g_assert_cmpint (got->id, ==, first->id);
  g_assert_cmpstr (got->kind, ==, CS_RUN_KIND_CYCLE);
  g_assert_cmpint (got->started_at, ==, first->started_at);
  g_assert_cmpint (got->finished_at, ==, first->finished_at);
  for (guint i = 0; i <= CS_SYNC_STATUS_LAST; i++)
    g_assert_cmpuint (got->counts[i], ==, first->counts[i]);
  g_assert_cmpuint (got->n_flagged, ==, 4);
  g_assert_cmpuint (got->calcom_requests, ==, 3);
  g_assert_cmpuint (got->backend_requests, ==, 5);
  g_assert_cmpint (got->duration_usec, ==, 2 * CS_USEC_PER_SECOND);
  g_assert_cmpstr (got->result, ==, CS_RUN_RESULT_OK);
  g_assert_null (got->error_message);

  got = g_ptr_array_index (runs, 1);
  g_assert_cmpint (got->id, ==, second->id);
  g_assert_cmpstr (got->result, ==, CS_RUN_RESULT_FAILED);
  g_assert_cmpstr (got->error_message, ==, second->error_message);
  g_assert_cmpint (got->finished_at, ==, CS_TIME_UNSET);
  g_clear_pointer (&runs, g_ptr_array_unref);

  runs = cs_store_list_runs (store, T0 + 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 1);

  last = cs_store_get_last_run (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (last->id, ==, second->id);

  g_assert_finalize_object (store);
}

static void
test_run_commit (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsRunRecord) run = make_run (CS_RUN_KIND_MANUAL, T0);
  g_autoptr(GPtrArray) appointments = appointment_array ();
  g_autoptr(GPtrArray) bookings = booking_array ();
  g_autoptr(GPtrArray) events = event_array ();
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(CsBooking) booking = NULL;
  g_autoptr(CsAppointment) got = NULL;
  CsStore *store = open_store (f, COMPANY_A);
  CsHistoryEvent *event;

  g_ptr_array_add (appointments, make_full_appointment (1, COMPANY_A));
  g_ptr_array_add (appointments, make_appointment (2, COMPANY_A, T0));
  g_ptr_array_add (bookings, make_tricky_booking ("uid-1"));
  g_ptr_array_add (events, cs_history_event_new (1, T0, CS_HISTORY_KIND_FLAGGED, "Flagged"));
  g_ptr_array_add (events, cs_history_event_new (2, T0, CS_HISTORY_KIND_VERIFIED, NULL));

  g_assert_true (cs_store_commit_run (store, run, appointments, bookings, events, &error));
  g_assert_no_error (error);
  g_assert_cmpint (run->id, >, 0);
  for (guint i = 0; i < events->len; i++)
    {
      event = g_ptr_array_index (events, i);
      g_assert_cmpint (event->id, >, 0);
      g_assert_cmpint (event->run_id, ==, run->id);
    }

  got = cs_store_get_appointment (store, 1, &error);
  g_assert_no_error (error);
  assert_appointment_equal (got, g_ptr_array_index (appointments, 0));

  booking = cs_store_get_booking (store, "uid-1", &error);
  g_assert_no_error (error);
  assert_booking_equal (booking, g_ptr_array_index (bookings, 0));

  history = cs_store_list_history (store, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 1);
  event = g_ptr_array_index (history, 0);
  g_assert_cmpint (event->run_id, ==, run->id);
  g_assert_cmpstr (event->message, ==, "Flagged");

  g_assert_finalize_object (store);
}

typedef enum
{
  BREAK_APPOINTMENT_STATUS,
  BREAK_APPOINTMENT_COMPANY,
  BREAK_BOOKING,
  BREAK_BOOKING_TRACKING,
  BREAK_EVENT,
} BreakKind;

static void
test_run_commit_atomic (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsRunRecord) before = make_run (CS_RUN_KIND_CYCLE, T0);
  g_autoptr(GPtrArray) appointments = appointment_array ();
  g_autoptr(GPtrArray) events = event_array ();
  CsStore *store = open_store (f, COMPANY_A);
  CsAppointment *a;

  /* The state before: one appointment, one booking, one run with a line. */
  a = make_full_appointment (1, COMPANY_A);
  g_free (a->title);
  a->title = g_strdup ("before");
  g_ptr_array_add (appointments, a);
  g_ptr_array_add (events, cs_history_event_new (1, T0, CS_HISTORY_KIND_VERIFIED, NULL));
  g_assert_true (cs_store_commit_run (store, before, appointments, NULL, events, &error));
  g_assert_no_error (error);

  for (BreakKind kind = BREAK_APPOINTMENT_STATUS; kind <= BREAK_EVENT; kind++)
    {
      g_autoptr(CsRunRecord) run = make_run (CS_RUN_KIND_CYCLE, T0 + CS_USEC_PER_HOUR);
      g_autoptr(GPtrArray) run_appointments = appointment_array ();
      g_autoptr(GPtrArray) run_bookings = booking_array ();
      g_autoptr(GPtrArray) run_events = event_array ();
      g_autoptr(GPtrArray) runs = NULL;
      g_autoptr(GPtrArray) history = NULL;
      g_autoptr(CsRunRecord) last = NULL;
      g_autoptr(CsBooking) booking = NULL;
      g_autoptr(GPtrArray) due = NULL;
      g_autofree char *title = NULL;
      CsStoreCounts counts;
      CsBooking *b;

      a = make_full_appointment (1, COMPANY_A);
      g_free (a->title);
      a->title = g_strdup ("after");
      g_ptr_array_add (run_appointments, a);
      g_ptr_array_add (run_appointments, make_appointment (2, COMPANY_A, T0));
      a = make_appointment (3, COMPANY_A, T0);
      if (kind == BREAK_APPOINTMENT_STATUS)
        a->sync.status = 99; /* NOT NULL fails in SQLite */
      else if (kind == BREAK_APPOINTMENT_COMPANY)
        a->company_id = COMPANY_B;
      g_ptr_array_add (run_appointments, a);

      g_ptr_array_add (run_bookings, make_tracked_booking ("uid-new"));
      b = make_tracked_booking ("uid-bad");
      if (kind == BREAK_BOOKING)
        b->end = b->start - 1;
      else if (kind == BREAK_BOOKING_TRACKING)
        b->sync.sync_error_code = CS_ERROR_CODE_LAST + 1;
      g_ptr_array_add (run_bookings, b);

      g_ptr_array_add (run_events, cs_history_event_new (1, T0 + 5, "verified", NULL));
      g_ptr_array_add (run_events,
                       cs_history_event_new (kind == BREAK_EVENT ? 999 : 2, T0 + 5,
                                             "created", NULL)); /* FOREIGN KEY fails */

      g_assert_false (cs_store_commit_run (store, run, run_appointments, run_bookings,
                                           run_events, &error));
      g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FAILED);
      g_clear_error (&error);

      /* Nothing of the run is visible, and nothing was handed out. */
      g_assert_cmpint (run->id, ==, 0);
      g_assert_cmpint (((CsHistoryEvent *) g_ptr_array_index (run_events, 0))->id, ==, 0);
      title = get_title (store, 1);
      g_assert_cmpstr (title, ==, "before");
      assert_not_found (store, 2);
      assert_not_found (store, 3);
      booking = cs_store_get_booking (store, "uid-new", &error);
      g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_NOT_FOUND);
      g_clear_error (&error);

      runs = cs_store_list_runs (store, CS_TIME_UNSET, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (runs->len, ==, 1);
      last = cs_store_get_last_run (store, &error);
      g_assert_no_error (error);
      g_assert_cmpint (last->id, ==, before->id);

      history = cs_store_list_history (store, 1, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (history->len, ==, 1);
      g_assert_cmpint (((CsHistoryEvent *) g_ptr_array_index (history, 0))->run_id, ==,
                       before->id);

      g_assert_true (cs_store_get_counts (store, &counts, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (counts.total, ==, 1);
      g_assert_cmpuint (counts.by_status[CS_SYNC_STATUS_ORPHANED_CALCOM], ==, 0);
      due = cs_store_list_due_bookings (store, G_MAXINT64, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (due->len, ==, 0);
    }

  /* No transaction was left open: the next run goes through. */
  {
    g_autoptr(CsRunRecord) run = make_run (CS_RUN_KIND_RETRY, T0 + CS_USEC_PER_DAY);
    g_autofree char *title = NULL;

    g_assert_true (cs_store_commit_run (store, run, appointments, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (sqlite3_get_autocommit (_cs_store_get_db (store)));
    title = get_title (store, 1);
    g_assert_cmpstr (title, ==, "before");
  }

  g_assert_finalize_object (store);
}

/* Company scoping */

typedef struct
{
  gint64 outbox_id;
  char   *audit_key;
} CompanyRows;

static void
fill_company (CsStore     *store,
              gint64       company_id,
              const char  *title,
              CompanyRows *rows)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsRunRecord) run = make_run (CS_RUN_KIND_CYCLE, T0 + company_id);
  g_autoptr(GPtrArray) events = event_array ();
  g_autoptr(GPtrArray) bookings = booking_array ();
  g_autoptr(CsOutboxItem) item = NULL;
  g_autoptr(CsAuditEntry) entry = NULL;
  g_autofree char *booking_uid = g_strdup_printf ("uid-of-%s", title);
  CsAppointment *a;
  CsBooking *b;

  cs_store_set_company_id (store, company_id);
  g_assert_cmpint (cs_store_get_company_id (store), ==, company_id);

  /* The same appointment id in both companies. */
  a = make_appointment (1, company_id, T0);
  a->title = g_strdup (title);
  a->sync.requires_manual_review = TRUE;
  a->next_attempt_at = T0;
  save_one (store, a);

  b = cs_booking_new (booking_uid);
  b->start = T0;
  b->end = T0 + 1;
  b->sync.status = CS_SYNC_STATUS_ORPHANED_CALCOM;
  b->sync.requires_manual_review = TRUE;
  b->next_attempt_at = T0;
  g_ptr_array_add (bookings, b);
  g_ptr_array_add (events, cs_history_event_new (1, T0, "verified", title));
  g_assert_true (cs_store_commit_run (store, run, NULL, bookings, events, &error));
  g_assert_no_error (error);

  g_assert_true (cs_store_set_state (store, "shared-key", title, &error));
  g_assert_no_error (error);

  /* The same idempotency key in both companies. */
  item = cs_outbox_item_new ("same-key", "backend", "POST", "/api/v1/audit-log", NULL, T0);
  g_assert_true (cs_store_enqueue_outbox (store, item, &error));
  g_assert_no_error (error);
  rows->outbox_id = item->id;

  entry = cs_audit_entry_new (NULL, 1, "mark_resolved", "ok", T0, 12);
  entry->note = g_strdup (title);
  g_assert_true (cs_store_add_audit_entry (store, entry, &error));
  g_assert_no_error (error);
  rows->audit_key = g_strdup (entry->key);
}

static void
assert_sees_only (CsStore     *store,
                  gint64       company_id,
                  const char  *title,
                  const char  *other_title)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(GPtrArray) audit = NULL;
  g_autoptr(GPtrArray) bookings = NULL;
  g_autoptr(GPtrArray) due_bookings = NULL;
  g_autoptr(GPtrArray) flagged_bookings = NULL;
  g_autoptr(CsBooking) booking = NULL;
  g_autofree char *value = NULL;
  g_autofree char *title_got = NULL;
  g_autofree char *other_uid = g_strdup_printf ("uid-of-%s", other_title);
  CsStoreCounts counts;
  guint n_pending = 0;

  cs_store_set_company_id (store, company_id);

  title_got = get_title (store, 1);
  g_assert_cmpstr (title_got, ==, title);

  list = cs_store_list_appointments (store, CS_TIME_UNSET, CS_TIME_UNSET, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpint (((CsAppointment *) g_ptr_array_index (list, 0))->company_id, ==, company_id);

  due = cs_store_list_due_appointments (store, T0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 1);

  g_assert_true (cs_store_get_counts (store, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.total, ==, 2);
  g_assert_cmpuint (counts.by_status[CS_SYNC_STATUS_ORPHANED_CALCOM], ==, 1);
  g_assert_cmpuint (counts.needs_review, ==, 2);

  history = cs_store_list_history (store, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 1);
  g_assert_cmpstr (((CsHistoryEvent *) g_ptr_array_index (history, 0))->message, ==, title);

  runs = cs_store_list_runs (store, CS_TIME_UNSET, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 1);
  g_assert_cmpint (((CsRunRecord *) g_ptr_array_index (runs, 0))->started_at, ==,
                   T0 + company_id);

  bookings = cs_store_list_bookings (store, CS_TIME_UNSET, CS_TIME_UNSET, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bookings->len, ==, 1);
  due_bookings = cs_store_list_due_bookings (store, T0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due_bookings->len, ==, 1);
  g_assert_cmpstr (((CsBooking *) g_ptr_array_index (due_bookings, 0))->uid, !=, other_uid);
  flagged_bookings = cs_store_list_flagged_bookings (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (flagged_bookings->len, ==, 1);
  g_assert_cmpstr (((CsBooking *) g_ptr_array_index (flagged_bookings, 0))->uid, !=, other_uid);
  booking = cs_store_get_booking (store, other_uid, &error);
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_NOT_FOUND);
  g_assert_null (booking);
  g_clear_error (&error);

  g_assert_true (cs_store_get_state (store, "shared-key", &value, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, title);

  outbox = cs_store_list_pending_outbox (store, T0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outbox->len, ==, 1);
  g_assert_true (cs_store_count_pending_outbox (store, &n_pending, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_pending, ==, 1);

  audit = cs_store_list_unsent_audit_entries (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (audit->len, ==, 1);
  g_assert_cmpstr (((CsAuditEntry *) g_ptr_array_index (audit, 0))->note, ==, title);
}

static void
test_company_scoping (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CompanyRows rows_a = { 0 };
  CompanyRows rows_b = { 0 };
  CsStore *store = open_store (f, 0);
  const char *b_keys[2] = { NULL, NULL };

  fill_company (store, COMPANY_A, "A", &rows_a);
  fill_company (store, COMPANY_B, "B", &rows_b);
  g_assert_cmpint (rows_a.outbox_id, !=, rows_b.outbox_id);

  assert_sees_only (store, COMPANY_A, "A", "B");
  assert_sees_only (store, COMPANY_B, "B", "A");

  /* Scoped to A, nothing of B can be changed. */
  cs_store_set_company_id (store, COMPANY_A);
  save_one (store, make_appointment (2, COMPANY_A, T0));
  g_assert_false (cs_store_complete_outbox (store, rows_b.outbox_id, T0, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (cs_store_fail_outbox (store, rows_b.outbox_id, "x", T0, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  b_keys[0] = rows_b.audit_key;
  g_assert_true (cs_store_mark_audit_entries_sent (store, b_keys, T0, &error));
  g_assert_no_error (error);
  {
    g_autoptr(GPtrArray) list = appointment_array ();
    CsAppointment *theirs = make_appointment (1, COMPANY_B, T0);

    theirs->title = g_strdup ("overwritten by A");
    g_ptr_array_add (list, theirs);
    g_assert_false (cs_store_save_appointments (store, list, &error));
    g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FAILED);
    g_clear_error (&error);
  }
  g_assert_false (cs_store_delete_appointment (store, 99, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (cs_store_delete_appointment (store, 2, &error));
  g_assert_no_error (error);

  /* B's rows are all still there, unchanged. */
  assert_sees_only (store, COMPANY_B, "B", "A");
  assert_sees_only (store, COMPANY_A, "A", "B");

  g_free (rows_a.audit_key);
  g_free (rows_b.audit_key);
  g_assert_finalize_object (store);
}

static void
test_no_company (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) appointments = appointment_array ();
  g_autoptr(GPtrArray) bookings = booking_array ();
  g_autoptr(CsRunRecord) run = make_run (CS_RUN_KIND_CYCLE, T0);
  g_autoptr(CsHistoryEvent) event = cs_history_event_new (1, T0, "created", NULL);
  g_autoptr(CsAuditEntry) entry = cs_audit_entry_new (NULL, 1, "x", "ok", T0, 1);
  g_autoptr(CsOutboxItem) item = cs_outbox_item_new (NULL, "backend", "POST", "/x", NULL, T0);
  g_autofree char *value = NULL;
  CsStoreCounts counts;
  gint64 number = 0;
  guint n = 0;
  CsStore *store = open_store (f, 0);

  g_assert_cmpint (cs_store_get_company_id (store), ==, 0);

#define ASSERT_NO_COMPANY(call)                                                 \
  G_STMT_START {                                                                \
    g_assert_false ((call) != 0);                                               \
    g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_NO_COMPANY);          \
    g_clear_error (&error);                                                     \
  } G_STMT_END

  g_ptr_array_add (appointments, make_appointment (1, COMPANY_A, T0));
  ASSERT_NO_COMPANY (cs_store_save_appointments (store, appointments, &error));
  ASSERT_NO_COMPANY (cs_store_get_appointment (store, 1, &error));
  ASSERT_NO_COMPANY (cs_store_list_appointments (store, 0, 0, &error));
  ASSERT_NO_COMPANY (cs_store_list_due_appointments (store, T0, &error));
  ASSERT_NO_COMPANY (cs_store_delete_appointment (store, 1, &error));
  ASSERT_NO_COMPANY (cs_store_get_counts (store, &counts, &error));
  ASSERT_NO_COMPANY (cs_store_set_sync_diff (store, 1, "[]", &error));
  ASSERT_NO_COMPANY (cs_store_get_sync_diff (store, 1, &value, &error));
  ASSERT_NO_COMPANY (cs_store_save_bookings (store, bookings, T0, &error));
  ASSERT_NO_COMPANY (cs_store_get_booking (store, "uid", &error));
  ASSERT_NO_COMPANY (cs_store_list_bookings (store, 0, 0, &error));
  ASSERT_NO_COMPANY (cs_store_list_due_bookings (store, T0, &error));
  ASSERT_NO_COMPANY (cs_store_list_flagged_bookings (store, &error));
  ASSERT_NO_COMPANY (cs_store_add_history_event (store, event, &error));
  ASSERT_NO_COMPANY (cs_store_list_history (store, 1, &error));
  ASSERT_NO_COMPANY (cs_store_commit_run (store, run, NULL, NULL, NULL, &error));
  ASSERT_NO_COMPANY (cs_store_list_runs (store, 0, &error));
  ASSERT_NO_COMPANY (cs_store_get_last_run (store, &error));
  ASSERT_NO_COMPANY (cs_store_add_audit_entry (store, entry, &error));
  ASSERT_NO_COMPANY (cs_store_list_unsent_audit_entries (store, &error));
  ASSERT_NO_COMPANY (cs_store_enqueue_outbox (store, item, &error));
  ASSERT_NO_COMPANY (cs_store_list_pending_outbox (store, T0, &error));
  ASSERT_NO_COMPANY (cs_store_complete_outbox (store, 1, T0, &error));
  ASSERT_NO_COMPANY (cs_store_fail_outbox (store, 1, NULL, 0, &error));
  ASSERT_NO_COMPANY (cs_store_count_pending_outbox (store, &n, &error));
  ASSERT_NO_COMPANY (cs_store_set_state (store, "k", "v", &error));
  ASSERT_NO_COMPANY (cs_store_get_state (store, "k", &value, &error));
  ASSERT_NO_COMPANY (cs_store_set_state_int64 (store, "k", 1, &error));
  ASSERT_NO_COMPANY (cs_store_get_state_int64 (store, "k", 0, &number, &error));

#undef ASSERT_NO_COMPANY

  g_assert_cmpint (run->id, ==, 0);
  g_assert_finalize_object (store);
}

/* Audit entries and outbox */

static void
test_audit_round_trip (Fixture       *f,
                       gconstpointer  data)
{
  static const CsTime times[] = { 3, 1, 2 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) unsent = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  const char *sent[4] = { NULL, NULL, "no-such-key", NULL };
  const CsAuditEntry *got;
  CsStore *store = open_store (f, COMPANY_A);

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_audit_entry_free);
  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      CsAuditEntry *entry = cs_audit_entry_new (NULL, 100 + i, "create_in_calcom", "ok",
                                                T0 + times[i], 12);

      entry->note = i == 1 ? g_strdup ("Notiz mit „Anführungszeichen“ und \\") : NULL;
      g_assert_true (cs_store_add_audit_entry (store, entry, &error));
      g_assert_no_error (error);
      g_ptr_array_add (entries, entry);
    }

  /* The same key again is ignored, as on the backend. */
  g_assert_true (cs_store_add_audit_entry (store, g_ptr_array_index (entries, 0), &error));
  g_assert_no_error (error);

  /* Oldest action first. */
  unsent = cs_store_list_unsent_audit_entries (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (unsent->len, ==, 3);
  got = g_ptr_array_index (unsent, 0);
  g_assert_cmpstr (got->key, ==, ((CsAuditEntry *) g_ptr_array_index (entries, 1))->key);
  g_assert_cmpint (got->appointment_id, ==, 101);
  g_assert_cmpstr (got->action, ==, "create_in_calcom");
  g_assert_cmpstr (got->result, ==, "ok");
  g_assert_cmpstr (got->note, ==, "Notiz mit „Anführungszeichen“ und \\");
  g_assert_cmpint (got->performed_at, ==, T0 + 1);
  g_assert_cmpint (got->performed_by, ==, 12);
  g_assert_cmpint (got->uploaded_at, ==, CS_TIME_UNSET);
  g_assert_cmpstr (((CsAuditEntry *) g_ptr_array_index (unsent, 1))->key, ==,
                   ((CsAuditEntry *) g_ptr_array_index (entries, 2))->key);
  g_assert_cmpstr (((CsAuditEntry *) g_ptr_array_index (unsent, 2))->key, ==,
                   ((CsAuditEntry *) g_ptr_array_index (entries, 0))->key);
  g_clear_pointer (&unsent, g_ptr_array_unref);

  sent[0] = ((CsAuditEntry *) g_ptr_array_index (entries, 0))->key;
  sent[1] = ((CsAuditEntry *) g_ptr_array_index (entries, 1))->key;
  g_assert_true (cs_store_mark_audit_entries_sent (store, sent, T0 + 10, &error));
  g_assert_no_error (error);

  unsent = cs_store_list_unsent_audit_entries (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (unsent->len, ==, 1);
  g_assert_cmpstr (((CsAuditEntry *) g_ptr_array_index (unsent, 0))->key, ==,
                   ((CsAuditEntry *) g_ptr_array_index (entries, 2))->key);

  g_assert_finalize_object (store);
}

/* A pending entry is settled once: the first result stays. */
static void
test_audit_settle (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsAuditEntry) entry = NULL;
  g_autoptr(CsAuditEntry) got = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  CsStore *store = open_store (f, COMPANY_A);
  gboolean settled = TRUE;

  entry = cs_audit_entry_new ("k", 101, "use_database_values", CS_AUDIT_RESULT_PENDING, T0, 12);
  g_assert_true (cs_store_add_audit_entry (store, entry, &error));
  g_assert_no_error (error);

  g_assert_true (cs_store_settle_audit_entry (store, "k", CS_AUDIT_RESULT_FAILED,
                                              "Slot taken", T0 + 5, &settled, &error));
  g_assert_no_error (error);
  g_assert_true (settled);
  g_assert_true (cs_store_settle_audit_entry (store, "k", CS_AUDIT_RESULT_OK, NULL, T0 + 9,
                                              &settled, &error));
  g_assert_no_error (error);
  g_assert_false (settled);

  got = cs_store_get_audit_entry (store, "k", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->result, ==, CS_AUDIT_RESULT_FAILED);
  g_assert_cmpstr (got->reason, ==, "Slot taken");
  g_assert_cmpint (got->settled_at, ==, T0 + 5);
  pending = cs_store_list_pending_audit (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 0);

  g_assert_null (cs_store_get_audit_entry (store, "no-such-key", &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_NOT_FOUND);

  g_assert_finalize_object (store);
}

/* An action's parts are written all or not at all; a public call that
 * fails inside the transaction undoes only its own part. */
static void
test_transaction (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsAuditEntry) entry = NULL;
  g_autoptr(CsOutboxItem) item = NULL;
  g_autoptr(CsOutboxItem) bad = NULL;
  g_autoptr(GPtrArray) unsent = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autofree char *value = NULL;
  CsStore *store = open_store (f, COMPANY_A);

  entry = cs_audit_entry_new ("k1", 101, "cancel", CS_AUDIT_RESULT_PENDING, T0, 12);
  item = cs_outbox_item_new (NULL, "backend", "POST", "/api/v1/appointments/101/cancel", "{}",
                             T0);
  item->audit_key = g_strdup ("k1");

  /* Rolled back: nothing of it stays. */
  g_assert_true (cs_store_begin (store, &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_add_audit_entry (store, entry, &error));
  g_assert_true (cs_store_enqueue_outbox (store, item, &error));
  g_assert_true (cs_store_set_state (store, "x", "1", &error));
  g_assert_no_error (error);
  cs_store_rollback (store);
  unsent = cs_store_list_unsent_audit_entries (store, &error);
  g_assert_cmpuint (unsent->len, ==, 0);
  g_clear_pointer (&unsent, g_ptr_array_unref);
  pending = cs_store_list_pending_outbox (store, G_MAXINT64, &error);
  g_assert_cmpuint (pending->len, ==, 0);
  g_clear_pointer (&pending, g_ptr_array_unref);
  g_assert_true (cs_store_get_state (store, "x", &value, &error));
  g_assert_null (value);

  /* A failing call inside (an invalid body) loses only itself. */
  bad = cs_outbox_item_new (NULL, "backend", "POST", "/api/v1/audit-log", "{not json", T0);
  g_assert_true (cs_store_begin (store, &error));
  g_assert_true (cs_store_add_audit_entry (store, entry, &error));
  g_assert_false (cs_store_enqueue_outbox (store, bad, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_true (cs_store_enqueue_outbox (store, item, &error));
  g_assert_true (cs_store_commit (store, &error));
  g_assert_no_error (error);

  unsent = cs_store_list_unsent_audit_entries (store, &error);
  g_assert_cmpuint (unsent->len, ==, 1);
  pending = cs_store_list_pending_outbox (store, G_MAXINT64, &error);
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_cmpstr (((CsOutboxItem *) g_ptr_array_index (pending, 0))->audit_key, ==, "k1");

  g_assert_finalize_object (store);
}

static void
test_outbox_round_trip (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(CsOutboxItem) again = NULL;
  g_autoptr(CsOutboxItem) bad = NULL;
  const CsOutboxItem *got;
  CsOutboxItem *item;
  CsStore *store = open_store (f, COMPANY_A);
  CsTime now = T0 + CS_USEC_PER_HOUR;
  guint n = 0;

  items = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_outbox_item_free);
  item = cs_outbox_item_new (NULL, CS_OUTBOX_SERVICE_CALCOM, "POST", "/v2/bookings",
                             "{\"metadata\":{\"crm_appointment_id\":\"1236\"},\"n\":\"é\\\"\"}",
                             T0);
  item->appointment_id = 1236;
  g_ptr_array_add (items, item);
  g_ptr_array_add (items, cs_outbox_item_new (NULL, CS_OUTBOX_SERVICE_BACKEND, "PATCH",
                                              "/api/v1/appointments/7", "{}", T0 + 1));
  g_ptr_array_add (items, cs_outbox_item_new (NULL, CS_OUTBOX_SERVICE_BACKEND, "POST",
                                              "/api/v1/appointments/8/cancel", NULL, T0 + 2));
  for (guint i = 0; i < items->len; i++)
    {
      item = g_ptr_array_index (items, i);
      g_assert_true (cs_store_enqueue_outbox (store, item, &error));
      g_assert_no_error (error);
      g_assert_cmpint (item->id, >, 0);
      if (i > 0)
        g_assert_cmpint (item->id, >, ((CsOutboxItem *) g_ptr_array_index (items, i - 1))->id);
    }

  /* A second click with the same key is the same item. */
  again = cs_outbox_item_copy (g_ptr_array_index (items, 0));
  again->id = 0;
  g_assert_true (cs_store_enqueue_outbox (store, again, &error));
  g_assert_no_error (error);
  g_assert_cmpint (again->id, ==, ((CsOutboxItem *) g_ptr_array_index (items, 0))->id);
  g_assert_true (cs_store_count_pending_outbox (store, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3);

  /* Not JSON, or a method that is no write: refused. */
  bad = cs_outbox_item_new (NULL, "backend", "POST", "/x", "{oops", T0);
  g_assert_false (cs_store_enqueue_outbox (store, bad, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_free (bad->body);
  bad->body = NULL;
  g_free (bad->method);
  bad->method = g_strdup ("GET");
  g_assert_false (cs_store_enqueue_outbox (store, bad, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpint (bad->id, ==, 0);

  pending = cs_store_list_pending_outbox (store, now, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 3);
  for (guint i = 0; i < pending->len; i++)
    {
      const CsOutboxItem *expected = g_ptr_array_index (items, i);

      got = g_ptr_array_index (pending, i);
      g_assert_cmpint (got->id, ==, expected->id);
      g_assert_cmpstr (got->idempotency_key, ==, expected->idempotency_key);
      g_assert_cmpstr (got->service, ==, expected->service);
      g_assert_cmpstr (got->method, ==, expected->method);
      g_assert_cmpstr (got->path, ==, expected->path);
      g_assert_cmpstr (got->body, ==, expected->body);
      g_assert_cmpint (got->appointment_id, ==, expected->appointment_id);
      g_assert_cmpint (got->created_at, ==, expected->created_at);
      g_assert_cmpuint (got->attempts, ==, 0);
      g_assert_cmpint (got->next_attempt_at, ==, CS_TIME_UNSET);
      g_assert_null (got->last_error);
      g_assert_cmpint (got->done_at, ==, CS_TIME_UNSET);
    }
  g_clear_pointer (&pending, g_ptr_array_unref);

  /* A failure postpones the item until its next attempt is due. */
  item = g_ptr_array_index (items, 0);
  g_assert_true (cs_store_fail_outbox (store, item->id, "Timeout", now + CS_USEC_PER_MINUTE,
                                       &error));
  g_assert_no_error (error);
  pending = cs_store_list_pending_outbox (store, now, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 2);
  g_clear_pointer (&pending, g_ptr_array_unref);

  pending = cs_store_list_pending_outbox (store, now + CS_USEC_PER_MINUTE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 3);
  got = g_ptr_array_index (pending, 0);
  g_assert_cmpint (got->id, ==, item->id);
  g_assert_cmpuint (got->attempts, ==, 1);
  g_assert_cmpstr (got->last_error, ==, "Timeout");
  g_assert_cmpint (got->next_attempt_at, ==, now + CS_USEC_PER_MINUTE);
  g_clear_pointer (&pending, g_ptr_array_unref);

  /* Done items leave the queue; completing twice is harmless. */
  item = g_ptr_array_index (items, 1);
  g_assert_true (cs_store_complete_outbox (store, item->id, now, &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_complete_outbox (store, item->id, now + 1, &error));
  g_assert_no_error (error);
  g_assert_false (cs_store_fail_outbox (store, item->id, "late", CS_TIME_UNSET, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (cs_store_complete_outbox (store, 9999, now, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  pending = cs_store_list_pending_outbox (store, now + CS_USEC_PER_HOUR, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 2);
  g_assert_cmpint (((CsOutboxItem *) g_ptr_array_index (pending, 0))->id, ==,
                   ((CsOutboxItem *) g_ptr_array_index (items, 0))->id);
  g_assert_cmpint (((CsOutboxItem *) g_ptr_array_index (pending, 1))->id, ==,
                   ((CsOutboxItem *) g_ptr_array_index (items, 2))->id);
  g_assert_true (cs_store_count_pending_outbox (store, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);

  g_assert_finalize_object (store);
}

/* Key/value state */

static void
test_state (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  gint64 number = 0;
  CsStore *store = open_store (f, COMPANY_A);

  g_assert_true (cs_store_get_state (store, "missing", &value, &error));
  g_assert_no_error (error);
  g_assert_null (value);

  g_assert_true (cs_store_set_state (store, "k", "eins", &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_set_state (store, "k", "zwei – ß \"'\\", &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_get_state (store, "k", &value, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "zwei – ß \"'\\");
  g_clear_pointer (&value, g_free);

  g_assert_true (cs_store_set_state (store, "k", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_get_state (store, "k", &value, &error));
  g_assert_no_error (error);
  g_assert_null (value);

  g_assert_true (cs_store_get_state_int64 (store, "due", 42, &number, &error));
  g_assert_no_error (error);
  g_assert_cmpint (number, ==, 42);
  g_assert_true (cs_store_set_state_int64 (store, "due", G_MININT64, &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_get_state_int64 (store, "due", 42, &number, &error));
  g_assert_no_error (error);
  g_assert_cmpint (number, ==, G_MININT64);
  g_assert_true (cs_store_set_state_int64 (store, "due", T0, &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_get_state_int64 (store, "due", 42, &number, &error));
  g_assert_no_error (error);
  g_assert_cmpint (number, ==, T0);

  /* A garbled due time gives the default instead of stopping anyone. */
  g_assert_true (cs_store_set_state (store, "due", "soon", &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_get_state_int64 (store, "due", 7, &number, &error));
  g_assert_no_error (error);
  g_assert_cmpint (number, ==, 7);

  g_assert_finalize_object (store);
}

/* Threads */

#define N_THREADS 4
#define N_PER_THREAD 50

typedef struct
{
  CsStore *store;
  gint64   base;
} ThreadData;

static gpointer
writer_thread (gpointer user_data)
{
  ThreadData *data = user_data;

  for (gint64 i = 0; i < N_PER_THREAD; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CsAppointment) got = NULL;
      g_autoptr(GPtrArray) list = appointment_array ();
      CsStoreCounts counts;

      g_ptr_array_add (list, make_full_appointment (data->base + i, COMPANY_A));
      g_assert_true (cs_store_save_appointments (data->store, list, &error));
      g_assert_no_error (error);
      got = cs_store_get_appointment (data->store, data->base + i, &error);
      g_assert_no_error (error);
      g_assert_true (cs_store_get_counts (data->store, &counts, &error));
      g_assert_no_error (error);
    }

  return NULL;
}

static void
test_threads (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ThreadData thread_data[N_THREADS];
  GThread *threads[N_THREADS];
  CsStoreCounts counts;
  CsStore *store = open_store (f, COMPANY_A);

  for (guint i = 0; i < N_THREADS; i++)
    {
      thread_data[i] = (ThreadData) { store, 1 + i * 1000 };
      threads[i] = g_thread_new ("store-writer", writer_thread, &thread_data[i]);
    }
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);

  g_assert_true (cs_store_get_counts (store, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.total, ==, N_THREADS * N_PER_THREAD);

  g_assert_finalize_object (store);
}

/* Boxed types */

static void
test_types_copy (void)
{
  g_autoptr(CsHistoryEvent) event = cs_history_event_new (1, T0, "created", "m");
  g_autoptr(CsHistoryEvent) event_copy = NULL;
  g_autoptr(CsRunRecord) run = make_run (CS_RUN_KIND_CYCLE, T0);
  g_autoptr(CsRunRecord) run_copy = NULL;
  g_autoptr(CsAuditEntry) entry = cs_audit_entry_new (NULL, 1, "a", "ok", T0, 2);
  g_autoptr(CsAuditEntry) other_entry = cs_audit_entry_new (NULL, 1, "a", "ok", T0, 2);
  g_autoptr(CsAuditEntry) entry_copy = NULL;
  g_autoptr(CsOutboxItem) item = cs_outbox_item_new ("k", "calcom", "POST", "/p", "{}", T0);
  g_autoptr(CsOutboxItem) item_copy = NULL;
  g_autoptr(CsStoreCounts) counts = cs_store_counts_new ();
  g_autoptr(CsStoreCounts) counts_copy = NULL;

  g_assert_true (g_type_is_a (CS_TYPE_HISTORY_EVENT, G_TYPE_BOXED));
  g_assert_true (g_type_is_a (CS_TYPE_RUN_RECORD, G_TYPE_BOXED));
  g_assert_true (g_type_is_a (CS_TYPE_AUDIT_ENTRY, G_TYPE_BOXED));
  g_assert_true (g_type_is_a (CS_TYPE_OUTBOX_ITEM, G_TYPE_BOXED));
  g_assert_true (g_type_is_a (CS_TYPE_STORE_COUNTS, G_TYPE_BOXED));

  event_copy = cs_history_event_copy (event);
  g_assert_cmpstr (event_copy->message, ==, "m");
  g_assert_true (event_copy->message != event->message);

  run->error_message = g_strdup ("e");
  run_copy = cs_run_record_copy (run);
  g_assert_cmpstr (run_copy->error_message, ==, "e");
  g_assert_cmpuint (run_copy->counts[CS_SYNC_STATUS_LAST], ==, run->counts[CS_SYNC_STATUS_LAST]);

  /* Keys are random UUIDs unless given. */
  g_assert_true (g_uuid_string_is_valid (entry->key));
  g_assert_cmpstr (entry->key, !=, other_entry->key);
  entry->note = g_strdup ("n");
  entry_copy = cs_audit_entry_copy (entry);
  g_assert_cmpstr (entry_copy->key, ==, entry->key);
  g_assert_cmpstr (entry_copy->note, ==, "n");

  item->last_error = g_strdup ("x");
  item_copy = cs_outbox_item_copy (item);
  g_assert_cmpstr (item_copy->idempotency_key, ==, "k");
  g_assert_cmpstr (item_copy->last_error, ==, "x");

  counts->total = 5;
  counts_copy = cs_store_counts_copy (counts);
  g_assert_cmpuint (counts_copy->total, ==, 5);
}

int
main (int   argc,
      char *argv[])
{
  /* No G_TEST_OPTION_ISOLATE_DIRS: GLib 2.74 leaks the directories it
   * replaces, which fails the sanitizer runs. Every test here works in its
   * own g_dir_make_tmp() folder, and the default path is only computed. */
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/calsync/store/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)

  g_test_add_func ("/calsync/store/default-path", test_default_path);
  g_test_add_func ("/calsync/store/types-copy", test_types_copy);
  ADD ("open-permissions", test_open_permissions);
  ADD ("open-fixes-permissions", test_open_fixes_permissions);
  ADD ("open-unusable-folder", test_open_unusable_folder);
  ADD ("open-pragmas", test_open_pragmas);
  ADD ("reopen", test_reopen);
  ADD ("migrate-empty-file", test_migrate_empty_file);
  ADD ("migrate-every-version", test_migrate_every_version);
  ADD ("migrate-from-v1", test_migrate_from_v1);
  ADD ("migrate-from-v2", test_migrate_from_v2);
  ADD ("migrate-from-v3", test_migrate_from_v3);
  ADD ("migrate-from-v5", test_migrate_from_v5);
  ADD ("migrate-failed-step-rolls-back", test_migrate_failed_step_rolls_back);
  ADD ("migrate-two-connections", test_migrate_two_connections);
  ADD ("schema-constraints", test_schema_constraints);
  ADD ("recover-corrupt-file", test_recover_corrupt_file);
  ADD ("recover-damaged-pages", test_recover_damaged_pages);
  ADD ("recover-bad-schema", test_recover_bad_schema);
  ADD ("recover-newer-version", test_recover_newer_version);
  ADD ("recover-carries-unsent", test_recover_carries_unsent);
  ADD ("recover-twice-keeps-both", test_recover_twice_keeps_both);
  ADD ("appointment-round-trip", test_appointment_round_trip);
  ADD ("appointment-update-each-field", test_appointment_update_each_field);
  ADD ("appointment-list", test_appointment_list);
  ADD ("appointment-due", test_appointment_due);
  ADD ("next-due", test_next_due);
  ADD ("appointment-counts", test_appointment_counts);
  ADD ("appointment-refused", test_appointment_refused);
  ADD ("appointment-sync-diff", test_appointment_sync_diff);
  ADD ("appointment-sync-diff-text", test_appointment_sync_diff_text);
  ADD ("booking-round-trip", test_booking_round_trip);
  ADD ("booking-escaped-json", test_booking_escaped_json);
  ADD ("booking-refused", test_booking_refused);
  ADD ("booking-tracking-round-trip", test_booking_tracking_round_trip);
  ADD ("booking-tracking-refused", test_booking_tracking_refused);
  ADD ("booking-due", test_booking_due);
  ADD ("booking-counts", test_booking_counts);
  ADD ("booking-flagged", test_booking_flagged);
  ADD ("history-newest-first", test_history_newest_first);
  ADD ("run-round-trip", test_run_round_trip);
  ADD ("run-commit", test_run_commit);
  ADD ("run-commit-atomic", test_run_commit_atomic);
  ADD ("company-scoping", test_company_scoping);
  ADD ("no-company", test_no_company);
  ADD ("audit-round-trip", test_audit_round_trip);
  ADD ("audit-settle", test_audit_settle);
  ADD ("transaction", test_transaction);
  ADD ("outbox-round-trip", test_outbox_round_trip);
  ADD ("state", test_state);
  ADD ("threads", test_threads);

#undef ADD

  return g_test_run ();
}
