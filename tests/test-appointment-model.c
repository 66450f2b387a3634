/* test-appointment-model.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cs-appointment-model.h"
#include "cs-manual-clock.h"

#define COMPANY_A 3
#define COMPANY_B 4

#define N_APPOINTMENTS 300
#define N_OTHER        20
#define N_ORPHANS      3

/* 2026-06-01 12:00:00 UTC */
#define NOW (G_GINT64_CONSTANT (1780315200) * CS_USEC_PER_SECOND)

/* Flagged but resolved, and flagged but snoozed: neither is in the first
 * group. */
#define ID_RESOLVED 50
#define ID_SNOOZED  75

static const char * const names[] = {
  "Anna Müller", "bernd Schmidt", "Clara Weiß", "David Öz", "Eva Klein",
};

typedef struct
{
  char               *tmpdir;
  CsStore            *store;
  CsClock            *clock;
  CsAppointmentModel *model;
  GArray             *changes;
} Fixture;

typedef struct
{
  guint position;
  guint removed;
  guint added;
} Change;

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

static CsAppointment *
make_appointment (gint64 company_id,
                  gint64 id)
{
  CsAppointment *a = cs_appointment_new ();

  a->id = id;
  a->company_id = company_id;
  a->number = g_strdup_printf ("%" G_GINT64_FORMAT, 5000 + id);
  a->starts_at = NOW + (id - N_APPOINTMENTS / 2) * CS_USEC_PER_HOUR + 30 * CS_USEC_PER_MINUTE;
  a->ends_at = a->starts_at + 30 * CS_USEC_PER_MINUTE;
  a->status = CS_CRM_STATUS_CONFIRMED;

  if (company_id == COMPANY_A)
    a->customer_name = g_strdup_printf ("%s %" G_GINT64_FORMAT,
                                        names[id % G_N_ELEMENTS (names)], id);
  else
    a->customer_name = g_strdup ("Zed Other");

  switch (id % 6)
    {
    case 0:
      a->sync.status = CS_SYNC_STATUS_PENDING;
      break;

    case 1:
      a->sync.status = CS_SYNC_STATUS_VERIFICATION_PENDING;
      break;

    case 3:
      a->sync.status = CS_SYNC_STATUS_FAILED;
      a->sync.sync_error_code = CS_ERROR_CODE_DATA_MISMATCH;
      a->sync.sync_error_message = g_strdup ("The start differs");
      break;

    case 4:
      a->sync.status = CS_SYNC_STATUS_ORPHANED_LOCAL;
      a->sync.sync_error_code = CS_ERROR_CODE_ORPHANED_LOCAL;
      a->sync.sync_error_message = g_strdup ("Not in Cal.com");
      break;

    default:
      a->sync.status = CS_SYNC_STATUS_SYNCED;
      a->calcom_booking_uid = g_strdup_printf ("uid-%" G_GINT64_FORMAT, id);
      break;
    }

  a->sync.sync_attempt_count = id % 4;
  if (id % 4 != 0)
    a->sync.last_sync_attempt_at = NOW - id * CS_USEC_PER_MINUTE;

  if (id % 25 == 0)
    {
      a->sync.status = CS_SYNC_STATUS_FAILED;
      a->sync.sync_error_code = CS_ERROR_CODE_VERIFICATION_ERROR;
      g_free (a->sync.sync_error_message);
      a->sync.sync_error_message = g_strdup ("Cal.com did not answer");
      a->sync.requires_manual_review = TRUE;
      a->sync.manual_review_flagged_at = NOW - CS_USEC_PER_HOUR;
    }

  if (id == ID_RESOLVED)
    a->resolved_at = NOW - CS_USEC_PER_MINUTE;
  if (id == ID_SNOOZED)
    a->snoozed_until = NOW + CS_USEC_PER_DAY;

  return a;
}

static CsBooking *
make_booking (guint    n,
              gboolean orphaned)
{
  g_autofree char *uid = g_strdup_printf ("%s-%u", orphaned ? "orphan" : "claimed", n);
  CsBooking *b = cs_booking_new (uid);

  b->start = NOW + (gint64) (n * 2 + 1) * CS_USEC_PER_HOUR;
  b->end = b->start + 30 * CS_USEC_PER_MINUTE;
  b->status = CS_BOOKING_STATUS_ACCEPTED;
  cs_booking_add_attendee (b, orphaned ? "Olga Orphan" : "Claimed Person", NULL, NULL);

  if (orphaned)
    {
      b->sync.status = CS_SYNC_STATUS_ORPHANED_CALCOM;
      b->sync.sync_error_code = CS_ERROR_CODE_ORPHANED_CALCOM;
      b->sync.sync_error_message = g_strdup ("No appointment claims it");
      b->sync.sync_attempt_count = 3;
      b->sync.last_sync_attempt_at = NOW - 10 * CS_USEC_PER_MINUTE;
      b->sync.requires_manual_review = n == 1;
    }

  return b;
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Fixture    *f)
{
  Change change = { position, removed, added };

  g_array_append_val (f->changes, change);
}

static void
reload_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_appointment_model_reload_finish (CS_APPOINTMENT_MODEL (object),
                                                     result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Reloads, iterating the main context until done: bounded by a timeout. */
static void
reload (Fixture *f)
{
  gboolean done = FALSE;
  gboolean timed_out = FALSE;
  guint timeout_id;

  cs_appointment_model_reload_async (f->model, NULL, reload_done, &done);

  timeout_id = g_timeout_add_seconds (30, on_timeout, &timed_out);
  while (!done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (timeout_id);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) appointments = appointment_array ();
  g_autoptr(GPtrArray) other = appointment_array ();
  g_autoptr(GPtrArray) bookings = booking_array ();
  g_autoptr(GPtrArray) other_bookings = booking_array ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->tmpdir = g_dir_make_tmp ("calsync-list-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->tmpdir, "calsync", "cache.sqlite3", NULL);

  f->store = cs_store_open (path, &error);
  g_assert_no_error (error);

  for (gint64 id = 1; id <= N_APPOINTMENTS; id++)
    g_ptr_array_add (appointments, make_appointment (COMPANY_A, id));
  for (gint64 id = 1001; id < 1001 + N_OTHER; id++)
    g_ptr_array_add (other, make_appointment (COMPANY_B, id));
  for (guint n = 1; n <= N_ORPHANS; n++)
    g_ptr_array_add (bookings, make_booking (n, TRUE));
  g_ptr_array_add (bookings, make_booking (1, FALSE));
  g_ptr_array_add (bookings, make_booking (2, FALSE));
  g_ptr_array_add (other_bookings, make_booking (9, TRUE));

  cs_store_set_company_id (f->store, COMPANY_B);
  g_assert_true (cs_store_save_appointments (f->store, other, &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_save_bookings (f->store, other_bookings, NOW, &error));
  g_assert_no_error (error);

  cs_store_set_company_id (f->store, COMPANY_A);
  g_assert_true (cs_store_save_appointments (f->store, appointments, &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_save_bookings (f->store, bookings, NOW, &error));
  g_assert_no_error (error);

  f->clock = cs_manual_clock_new (NOW);
  f->model = cs_appointment_model_new (f->store, f->clock);
  f->changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_signal_connect (f->model, "items-changed", G_CALLBACK (on_items_changed), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->model);
  g_clear_object (&f->clock);
  g_assert_finalize_object (f->store);
  g_clear_pointer (&f->changes, g_array_unref);
  remove_tree (f->tmpdir);
  g_clear_pointer (&f->tmpdir, g_free);
}

static CsAppointmentRow *
item (Fixture *f,
      guint    position)
{
  CsAppointmentRow *row = g_list_model_get_item (G_LIST_MODEL (f->model), position);

  g_assert_nonnull (row);
  /* The model keeps its own reference in its cache. */
  g_object_unref (row);
  return row;
}

static guint
n_items (Fixture *f)
{
  return g_list_model_get_n_items (G_LIST_MODEL (f->model));
}

/* Asserts one items-changed (0, @removed, @added) since the last call. */
static void
assert_one_change (Fixture *f,
                   guint    removed,
                   guint    added)
{
  Change *change;

  g_assert_cmpuint (f->changes->len, ==, 1);
  change = &g_array_index (f->changes, Change, 0);
  g_assert_cmpuint (change->position, ==, 0);
  g_assert_cmpuint (change->removed, ==, removed);
  g_assert_cmpuint (change->added, ==, added);
  g_array_set_size (f->changes, 0);
}

static CsAppointmentRow *
find_row (Fixture    *f,
          gint64      id,
          const char *uid)
{
  for (guint i = 0; i < n_items (f); i++)
    {
      CsAppointmentRow *row = item (f, i);

      if (uid != NULL ? g_strcmp0 (cs_appointment_row_get_booking_uid (row), uid) == 0 &&
                        cs_appointment_row_get_is_orphaned_booking (row)
                      : cs_appointment_row_get_id (row) == id)
        return row;
    }

  return NULL;
}

/* The urgency group of a row, from what the test knows it stored. */
static int
group_of (CsAppointmentRow *row)
{
  gboolean snoozed = cs_appointment_row_get_id (row) == ID_SNOOZED;
  gboolean resolved = cs_appointment_row_get_id (row) == ID_RESOLVED;

  if (cs_appointment_row_get_needs_review (row) && !snoozed)
    return 0;
  if (!resolved &&
      (cs_appointment_row_get_needs_review (row) ||
       cs_appointment_row_get_error_code (row) != CS_ERROR_CODE_NONE))
    return 1;
  return 2;
}

/* Tests */

static void
test_load (Fixture       *f,
           gconstpointer  data)
{
  CsStoreCounts counts, store_counts;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (f->model)) == CS_TYPE_APPOINTMENT_ROW);
  g_assert_cmpuint (n_items (f), ==, 0);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (f->model), 0));

  reload (f);
  g_assert_cmpuint (n_items (f), ==, N_APPOINTMENTS + N_ORPHANS);
  g_assert_cmpuint (cs_appointment_model_get_n_loaded (f->model), ==, N_APPOINTMENTS + N_ORPHANS);
  assert_one_change (f, 0, N_APPOINTMENTS + N_ORPHANS);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (f->model), n_items (f)));

  cs_appointment_model_get_counts (f->model, &counts);
  g_assert_true (cs_store_get_counts (f->store, &store_counts, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (&counts, sizeof counts, &store_counts, sizeof store_counts);
  g_assert_cmpuint (counts.total, ==, N_APPOINTMENTS + N_ORPHANS);

  /* A second reload replaces the rows in one change, and sees new ones. */
  {
    g_autoptr(GPtrArray) more = appointment_array ();

    g_ptr_array_add (more, make_appointment (COMPANY_A, N_APPOINTMENTS + 1));
    g_assert_true (cs_store_save_appointments (f->store, more, &error));
    g_assert_no_error (error);
  }
  reload (f);
  assert_one_change (f, N_APPOINTMENTS + N_ORPHANS, N_APPOINTMENTS + N_ORPHANS + 1);
}

static void
test_urgency (Fixture       *f,
              gconstpointer  data)
{
  guint n_flagged = 0;

  reload (f);
  g_assert_cmpint (cs_appointment_model_get_sort (f->model), ==, CS_APPOINTMENT_SORT_URGENCY);

  for (guint i = 0; i + 1 < n_items (f); i++)
    {
      CsAppointmentRow *a = item (f, i);
      CsAppointmentRow *b = item (f, i + 1);
      int group_a = group_of (a);
      int group_b = group_of (b);
      CsTime start_a = cs_appointment_row_get_starts_at (a);
      CsTime start_b = cs_appointment_row_get_starts_at (b);

      g_assert_cmpint (group_a, <=, group_b);
      if (group_a != group_b)
        continue;

      if (start_a >= NOW && start_b >= NOW)
        g_assert_cmpint (start_a, <=, start_b);
      else if (start_a < NOW && start_b < NOW)
        g_assert_cmpint (start_a, >=, start_b);
      else
        g_assert_cmpint (start_a, >=, NOW);
    }

  for (guint i = 0; i < n_items (f); i++)
    if (group_of (item (f, i)) == 0)
      n_flagged++;

  /* 12 flagged appointments, one resolved, one snoozed; one booking. */
  g_assert_cmpuint (n_flagged, ==, 11);

  /* The flagged ones starting soonest come first: appointment 150 in half
   * an hour, the orphaned booking in three hours, appointment 175... */
  g_assert_cmpint (cs_appointment_row_get_id (item (f, 0)), ==, 150);
  g_assert_true (cs_appointment_row_get_is_orphaned_booking (item (f, 1)));
  g_assert_cmpint (cs_appointment_row_get_id (item (f, 2)), ==, 175);
  /* ...and the last flagged one is the oldest past one. */
  g_assert_cmpint (cs_appointment_row_get_id (item (f, n_flagged - 1)), ==, 25);
}

static void
test_status_filter (Fixture       *f,
                    gconstpointer  data)
{
  CsStoreCounts counts;
  guint all;

  reload (f);
  g_array_set_size (f->changes, 0);
  cs_appointment_model_get_counts (f->model, &counts);
  all = n_items (f);

  for (CsSyncStatus status = 0; status <= CS_SYNC_STATUS_LAST; status++)
    {
      guint old_n = n_items (f);

      cs_appointment_model_set_status_filter (f->model, CS_APPOINTMENT_FILTER_STATUS (status));
      g_assert_cmpuint (cs_appointment_model_get_status_filter (f->model), ==,
                        CS_APPOINTMENT_FILTER_STATUS (status));
      g_assert_cmpuint (n_items (f), ==, counts.by_status[status]);
      g_assert_cmpuint (n_items (f), >, 0);
      assert_one_change (f, old_n, counts.by_status[status]);

      for (guint i = 0; i < n_items (f); i++)
        g_assert_cmpint (cs_appointment_row_get_status (item (f, i)), ==, status);
    }

  cs_appointment_model_set_status_filter (f->model, CS_APPOINTMENT_FILTER_NEEDS_REVIEW);
  g_assert_cmpuint (n_items (f), ==, counts.needs_review);
  g_assert_cmpuint (n_items (f), ==, 12);
  for (guint i = 0; i < n_items (f); i++)
    g_assert_true (cs_appointment_row_get_needs_review (item (f, i)));
  g_array_set_size (f->changes, 0);

  /* Setting the same filter changes nothing. */
  cs_appointment_model_set_status_filter (f->model, CS_APPOINTMENT_FILTER_NEEDS_REVIEW);
  g_assert_cmpuint (f->changes->len, ==, 0);

  /* The problems still retried on their own: failed or orphaned, neither
   * flagged nor resolved; as many as the store counts. */
  cs_appointment_model_set_status_filter (f->model, CS_APPOINTMENT_FILTER_RETRYING);
  g_assert_cmpuint (n_items (f), ==, counts.retrying);
  g_assert_cmpuint (n_items (f), >, 0);
  for (guint i = 0; i < n_items (f); i++)
    {
      CsAppointmentRow *row = item (f, i);
      CsSyncStatus status = cs_appointment_row_get_status (row);

      g_assert_false (cs_appointment_row_get_needs_review (row));
      g_assert_true (status == CS_SYNC_STATUS_FAILED || status == CS_SYNC_STATUS_ORPHANED_LOCAL ||
                     status == CS_SYNC_STATUS_ORPHANED_CALCOM);
    }
  cs_appointment_model_set_status_filter (f->model, CS_APPOINTMENT_FILTER_NEEDS_REVIEW);
  g_array_set_size (f->changes, 0);

  cs_appointment_model_set_status_filter (f->model,
                                          CS_APPOINTMENT_FILTER_STATUS (CS_SYNC_STATUS_SYNCED) |
                                          CS_APPOINTMENT_FILTER_STATUS (CS_SYNC_STATUS_PENDING));
  g_assert_cmpuint (n_items (f), ==,
                    counts.by_status[CS_SYNC_STATUS_SYNCED] +
                    counts.by_status[CS_SYNC_STATUS_PENDING]);
  assert_one_change (f, 12, n_items (f));

  cs_appointment_model_set_status_filter (f->model, CS_APPOINTMENT_FILTER_ALL);
  g_assert_cmpuint (n_items (f), ==, all);
}

static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  CsAppointmentRow *row;
  guint n_a, n_an;

  reload (f);
  g_array_set_size (f->changes, 0);

  /* By number. */
  cs_appointment_model_set_search_text (f->model, "5123");
  g_assert_cmpstr (cs_appointment_model_get_search_text (f->model), ==, "5123");
  g_assert_cmpuint (n_items (f), ==, 1);
  assert_one_change (f, N_APPOINTMENTS + N_ORPHANS, 1);
  row = item (f, 0);
  g_assert_cmpint (cs_appointment_row_get_id (row), ==, 123);

  /* By customer, case-insensitively, beyond ASCII too. */
  cs_appointment_model_set_search_text (f->model, "ANNA MÜLLER");
  g_assert_cmpuint (n_items (f), ==, N_APPOINTMENTS / G_N_ELEMENTS (names));
  for (guint i = 0; i < n_items (f); i++)
    g_assert_true (g_str_has_prefix (cs_appointment_row_get_customer_name (item (f, i)),
                                     "Anna Müller"));
  cs_appointment_model_set_search_text (f->model, "  BERND schmidt 1 ");
  g_assert_cmpuint (n_items (f), >, 0);
  for (guint i = 0; i < n_items (f); i++)
    g_assert_true (g_str_has_prefix (cs_appointment_row_get_customer_name (item (f, i)),
                                     "bernd Schmidt 1"));

  /* Orphaned bookings by attendee and uid. */
  cs_appointment_model_set_search_text (f->model, "olga");
  g_assert_cmpuint (n_items (f), ==, N_ORPHANS);
  cs_appointment_model_set_search_text (f->model, "ORPHAN-2");
  g_assert_cmpuint (n_items (f), ==, 1);
  g_assert_cmpstr (cs_appointment_row_get_booking_uid (item (f, 0)), ==, "orphan-2");

  /* Never another company's rows, nor claimed bookings. */
  cs_appointment_model_set_search_text (f->model, "zed");
  g_assert_cmpuint (n_items (f), ==, 0);
  cs_appointment_model_set_search_text (f->model, "claimed");
  g_assert_cmpuint (n_items (f), ==, 0);
  cs_appointment_model_set_search_text (f->model, "1001");
  g_assert_cmpuint (n_items (f), ==, 0);

  /* Growing prefixes narrow; a shorter one widens again. */
  g_array_set_size (f->changes, 0);
  cs_appointment_model_set_search_text (f->model, "a");
  n_a = n_items (f);
  assert_one_change (f, 0, n_a);
  cs_appointment_model_set_search_text (f->model, "an");
  n_an = n_items (f);
  assert_one_change (f, n_a, n_an);
  g_assert_cmpuint (n_an, <=, n_a);
  cs_appointment_model_set_search_text (f->model, "ann");
  assert_one_change (f, n_an, n_items (f));
  cs_appointment_model_set_search_text (f->model, "a");
  g_assert_cmpuint (n_items (f), ==, n_a);
  f->changes->len = 0;

  /* Search and status filter together. */
  cs_appointment_model_set_status_filter (f->model, CS_APPOINTMENT_FILTER_NEEDS_REVIEW);
  cs_appointment_model_set_search_text (f->model, "olga");
  g_assert_cmpuint (n_items (f), ==, 1);

  /* Blank shows all again. */
  cs_appointment_model_set_status_filter (f->model, CS_APPOINTMENT_FILTER_ALL);
  cs_appointment_model_set_search_text (f->model, "   ");
  g_assert_cmpuint (n_items (f), ==, N_APPOINTMENTS + N_ORPHANS);
  cs_appointment_model_set_search_text (f->model, NULL);
  g_assert_cmpuint (n_items (f), ==, N_APPOINTMENTS + N_ORPHANS);
}

static int
compare_times (CsTime a,
               CsTime b)
{
  return (a > b) - (a < b);
}

static int
compare_rows (CsAppointmentRow  *a,
              CsAppointmentRow  *b,
              CsAppointmentSort  sort)
{
  gboolean orphan_a = cs_appointment_row_get_is_orphaned_booking (a);
  gboolean orphan_b = cs_appointment_row_get_is_orphaned_booking (b);

  switch (sort)
    {
    case CS_APPOINTMENT_SORT_ID:
      if (orphan_a != orphan_b)
        return orphan_a ? 1 : -1;
      return compare_times (cs_appointment_row_get_id (a), cs_appointment_row_get_id (b));

    case CS_APPOINTMENT_SORT_CUSTOMER:
      {
        g_autofree char *fa = g_utf8_casefold (cs_appointment_row_get_customer_name (a), -1);
        g_autofree char *fb = g_utf8_casefold (cs_appointment_row_get_customer_name (b), -1);

        return strcmp (fa, fb);
      }

    case CS_APPOINTMENT_SORT_STARTS_AT:
      return compare_times (cs_appointment_row_get_starts_at (a),
                            cs_appointment_row_get_starts_at (b));

    case CS_APPOINTMENT_SORT_STATUS:
      return (int) cs_appointment_row_get_status (a) - (int) cs_appointment_row_get_status (b);

    case CS_APPOINTMENT_SORT_ERROR:
      return (int) cs_appointment_row_get_error_code (a) -
             (int) cs_appointment_row_get_error_code (b);

    case CS_APPOINTMENT_SORT_ATTEMPTS:
      return (int) cs_appointment_row_get_attempts (a) - (int) cs_appointment_row_get_attempts (b);

    case CS_APPOINTMENT_SORT_LAST_ATTEMPT:
      return compare_times (cs_appointment_row_get_last_attempt_at (a),
                            cs_appointment_row_get_last_attempt_at (b));

    case CS_APPOINTMENT_SORT_URGENCY:
      return group_of (a) - group_of (b);

    default:
      g_assert_not_reached ();
    }
}

static void
test_sort (Fixture       *f,
           gconstpointer  data)
{
  guint n;

  reload (f);
  n = n_items (f);

  for (CsAppointmentSort sort = 0; sort <= CS_APPOINTMENT_SORT_LAST; sort++)
    {
      g_autoptr(GPtrArray) ascending = g_ptr_array_new_with_free_func (g_object_unref);

      g_array_set_size (f->changes, 0);
      cs_appointment_model_set_sort_descending (f->model, FALSE);
      cs_appointment_model_set_sort (f->model, sort);
      g_assert_cmpint (cs_appointment_model_get_sort (f->model), ==, sort);
      /* One change per call that changed something. */
      g_assert_cmpuint (f->changes->len, <=, 2);
      for (guint i = 0; i < f->changes->len; i++)
        {
          g_assert_cmpuint (g_array_index (f->changes, Change, i).removed, ==, n);
          g_assert_cmpuint (g_array_index (f->changes, Change, i).added, ==, n);
        }
      g_assert_cmpuint (n_items (f), ==, n);

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (ascending, g_list_model_get_item (G_LIST_MODEL (f->model), i));
      for (guint i = 0; i + 1 < n; i++)
        g_assert_cmpint (compare_rows (ascending->pdata[i], ascending->pdata[i + 1], sort), <=, 0);

      /* Descending is the exact reverse, in one change. */
      g_array_set_size (f->changes, 0);
      cs_appointment_model_set_sort_descending (f->model, TRUE);
      g_assert_true (cs_appointment_model_get_sort_descending (f->model));
      assert_one_change (f, n, n);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(CsAppointmentRow) row = g_list_model_get_item (G_LIST_MODEL (f->model), i);
          CsAppointmentRow *expected = ascending->pdata[n - 1 - i];

          g_assert_cmpint (cs_appointment_row_get_id (row), ==,
                           cs_appointment_row_get_id (expected));
          g_assert_cmpstr (cs_appointment_row_get_booking_uid (row), ==,
                           cs_appointment_row_get_booking_uid (expected));
        }

      /* The filter keeps the order. */
      cs_appointment_model_set_search_text (f->model, "eva");
      for (guint i = 0; i + 1 < n_items (f); i++)
        g_assert_cmpint (compare_rows (item (f, i), item (f, i + 1), sort), >=, 0);
      cs_appointment_model_set_search_text (f->model, NULL);
    }

  /* The order survives a reload. */
  cs_appointment_model_set_sort (f->model, CS_APPOINTMENT_SORT_ID);
  cs_appointment_model_set_sort_descending (f->model, FALSE);
  reload (f);
  g_assert_cmpint (cs_appointment_row_get_id (item (f, 0)), ==, 1);
  g_assert_cmpint (cs_appointment_row_get_id (item (f, N_APPOINTMENTS - 1)), ==, N_APPOINTMENTS);
}

static void
test_rows (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(CsAppointmentRow) again = NULL;
  g_autoptr(GError) error = NULL;
  CsAppointmentRow *row;
  CsSyncStatus status;
  gint64 id;

  reload (f);

  row = find_row (f, 100, NULL);
  g_assert_nonnull (row);
  g_assert_cmpstr (cs_appointment_row_get_number (row), ==, "5100");
  g_assert_cmpstr (cs_appointment_row_get_customer_name (row), ==, "Anna Müller 100");
  g_assert_cmpint (cs_appointment_row_get_starts_at (row), ==,
                   NOW - 50 * CS_USEC_PER_HOUR + 30 * CS_USEC_PER_MINUTE);
  g_assert_cmpint (cs_appointment_row_get_status (row), ==, CS_SYNC_STATUS_FAILED);
  g_assert_cmpint (cs_appointment_row_get_error_code (row), ==, CS_ERROR_CODE_VERIFICATION_ERROR);
  g_assert_cmpstr (cs_appointment_row_get_error_message (row), ==, "Cal.com did not answer");
  g_assert_cmpuint (cs_appointment_row_get_attempts (row), ==, 0);
  g_assert_cmpint (cs_appointment_row_get_last_attempt_at (row), ==, CS_TIME_UNSET);
  g_assert_true (cs_appointment_row_get_requires_manual_review (row));
  g_assert_true (cs_appointment_row_get_needs_review (row));
  g_assert_null (cs_appointment_row_get_booking_uid (row));
  g_assert_false (cs_appointment_row_get_is_orphaned_booking (row));

  row = find_row (f, 101, NULL);
  g_object_get (row, "id", &id, "status", &status, NULL);
  g_assert_cmpint (id, ==, 101);
  g_assert_cmpint (status, ==, CS_SYNC_STATUS_SYNCED);
  g_assert_cmpstr (cs_appointment_row_get_booking_uid (row), ==, "uid-101");
  g_assert_cmpuint (cs_appointment_row_get_attempts (row), ==, 1);
  g_assert_cmpint (cs_appointment_row_get_last_attempt_at (row), ==,
                   NOW - 101 * CS_USEC_PER_MINUTE);
  g_assert_cmpint (cs_appointment_row_get_error_code (row), ==, CS_ERROR_CODE_NONE);
  g_assert_null (cs_appointment_row_get_error_message (row));

  row = find_row (f, ID_RESOLVED, NULL);
  g_assert_true (cs_appointment_row_get_requires_manual_review (row));
  g_assert_false (cs_appointment_row_get_needs_review (row));

  row = find_row (f, 0, "orphan-1");
  g_assert_nonnull (row);
  g_assert_cmpint (cs_appointment_row_get_id (row), ==, 0);
  g_assert_null (cs_appointment_row_get_number (row));
  g_assert_cmpstr (cs_appointment_row_get_customer_name (row), ==, "Olga Orphan");
  g_assert_cmpint (cs_appointment_row_get_status (row), ==, CS_SYNC_STATUS_ORPHANED_CALCOM);
  g_assert_cmpint (cs_appointment_row_get_error_code (row), ==, CS_ERROR_CODE_ORPHANED_CALCOM);
  g_assert_cmpstr (cs_appointment_row_get_error_message (row), ==, "No appointment claims it");
  g_assert_cmpuint (cs_appointment_row_get_attempts (row), ==, 3);
  g_assert_cmpint (cs_appointment_row_get_starts_at (row), ==, NOW + 3 * CS_USEC_PER_HOUR);
  g_assert_true (cs_appointment_row_get_needs_review (row));
  g_assert_true (cs_appointment_row_get_is_orphaned_booking (row));
  g_assert_null (find_row (f, 0, "claimed-1"));
  g_assert_null (find_row (f, 1001, NULL));

  /* The cache hands out the same object for the same row. */
  again = g_list_model_get_item (G_LIST_MODEL (f->model), 0);
  g_assert_true (again == item (f, 0));

  /* A row deleted after the reload still has an item, from the keys. */
  cs_appointment_model_set_sort (f->model, CS_APPOINTMENT_SORT_ID);
  reload (f);
  g_assert_true (cs_store_delete_appointment (f->store, 2, &error));
  g_assert_no_error (error);
  row = item (f, 1);
  g_assert_cmpint (cs_appointment_row_get_id (row), ==, 2);
  g_assert_null (cs_appointment_row_get_customer_name (row));
  reload (f);
  g_assert_cmpint (cs_appointment_row_get_id (item (f, 1)), ==, 3);
}

static void
test_company (Fixture       *f,
              gconstpointer  data)
{
  reload (f);
  g_assert_cmpuint (n_items (f), ==, N_APPOINTMENTS + N_ORPHANS);

  cs_store_set_company_id (f->store, COMPANY_B);
  reload (f);
  g_assert_cmpuint (n_items (f), ==, N_OTHER + 1);
  for (guint i = 0; i < n_items (f); i++)
    {
      CsAppointmentRow *row = item (f, i);

      if (cs_appointment_row_get_is_orphaned_booking (row))
        g_assert_cmpstr (cs_appointment_row_get_booking_uid (row), ==, "orphan-9");
      else
        g_assert_cmpstr (cs_appointment_row_get_customer_name (row), ==, "Zed Other");
    }
}

/* Only what starts in the verification window is listed and counted: the
 * appointments and the orphaned bookings that left it are not. */
static void
test_window (Fixture       *f,
             gconstpointer  data)
{
  CsTime start = NOW - 10 * CS_USEC_PER_HOUR;
  CsTime end = NOW + 6 * CS_USEC_PER_HOUR;
  CsTime got_start, got_end;
  CsStoreCounts counts;
  guint n_orphans = 0;

  g_assert_false (cs_appointment_model_get_window (f->model, NULL, NULL));
  reload (f);
  g_assert_cmpuint (n_items (f), ==, N_APPOINTMENTS + N_ORPHANS);

  /* Used by the next reload, not before. */
  cs_appointment_model_set_window (f->model, start, end);
  g_assert_true (cs_appointment_model_get_window (f->model, &got_start, &got_end));
  g_assert_cmpint (got_start, ==, start);
  g_assert_cmpint (got_end, ==, end);
  g_assert_cmpuint (n_items (f), ==, N_APPOINTMENTS + N_ORPHANS);

  /* Appointments 140 to 155 start from 9.5 h before to 5.5 h after now;
   * the orphans at +3 h and +5 h, not the one at +7 h. */
  reload (f);
  g_assert_cmpuint (n_items (f), ==, 16 + 2);
  g_assert_cmpuint (cs_appointment_model_get_n_loaded (f->model), ==, 16 + 2);
  for (guint i = 0; i < n_items (f); i++)
    {
      CsAppointmentRow *row = item (f, i);

      g_assert_cmpint (cs_appointment_row_get_starts_at (row), >=, start);
      g_assert_cmpint (cs_appointment_row_get_starts_at (row), <, end);
      if (cs_appointment_row_get_is_orphaned_booking (row))
        n_orphans++;
      else
        g_assert_cmpint (cs_appointment_row_get_id (row), >=, 140);
    }
  g_assert_cmpuint (n_orphans, ==, 2);
  g_assert_null (find_row (f, 0, "orphan-3"));
  g_assert_nonnull (find_row (f, 155, NULL));
  g_assert_null (find_row (f, 156, NULL));

  /* The dashboard's figures cover the window too. */
  cs_appointment_model_get_counts (f->model, &counts);
  g_assert_cmpuint (counts.total, ==, 16 + 2);
  g_assert_cmpuint (counts.by_status[CS_SYNC_STATUS_ORPHANED_CALCOM], ==, 2);

  /* No window: every row again. */
  cs_appointment_model_set_window (f->model, CS_TIME_UNSET, CS_TIME_UNSET);
  g_assert_false (cs_appointment_model_get_window (f->model, NULL, NULL));
  reload (f);
  g_assert_cmpuint (n_items (f), ==, N_APPOINTMENTS + N_ORPHANS);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_system_clock (Fixture       *f,
                   gconstpointer  data)
{
  CsAppointmentModel *model = cs_appointment_model_new (f->store, NULL);

  g_assert_true (cs_appointment_model_get_clock (model) == cs_clock_get_system ());
  g_assert_true (cs_appointment_model_get_store (model) == f->store);
  g_assert_finalize_object (model);
  g_assert_true (CS_IS_CLOCK (cs_clock_get_system ()));
}

static void
test_notify (Fixture       *f,
             gconstpointer  data)
{
  guint n_notify = 0;
  guint n_items_prop = 0;

  g_signal_connect (f->model, "notify::n-items", G_CALLBACK (count_notify), &n_notify);

  reload (f);
  g_assert_cmpuint (n_notify, ==, 1);

  g_object_set (f->model, "search-text", "olga", NULL);
  g_assert_cmpuint (n_notify, ==, 2);
  g_object_get (f->model, "n-items", &n_items_prop, NULL);
  g_assert_cmpuint (n_items_prop, ==, N_ORPHANS);

  /* A new order of as many rows changes the items, not their number. */
  g_object_set (f->model, "sort", CS_APPOINTMENT_SORT_CUSTOMER, NULL);
  g_assert_cmpuint (n_notify, ==, 2);
}

static void
reload_cancelled (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_false (cs_appointment_model_reload_finish (CS_APPOINTMENT_MODEL (object),
                                                      result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  *done = TRUE;
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gboolean done = FALSE;
  gboolean timed_out = FALSE;
  guint timeout_id;

  g_cancellable_cancel (cancellable);
  cs_appointment_model_reload_async (f->model, cancellable, reload_cancelled, &done);

  timeout_id = g_timeout_add_seconds (30, on_timeout, &timed_out);
  while (!done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (timeout_id);

  g_assert_cmpuint (n_items (f), ==, 0);
  g_assert_cmpuint (f->changes->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/calsync/engine/appointment-model/" path, Fixture, NULL, \
              fixture_setup, func, fixture_teardown)

  ADD ("load", test_load);
  ADD ("urgency", test_urgency);
  ADD ("status-filter", test_status_filter);
  ADD ("search", test_search);
  ADD ("sort", test_sort);
  ADD ("rows", test_rows);
  ADD ("company", test_company);
  ADD ("window", test_window);
  ADD ("system-clock", test_system_clock);
  ADD ("notify", test_notify);
  ADD ("cancel", test_cancel);

#undef ADD

  return g_test_run ();
}
