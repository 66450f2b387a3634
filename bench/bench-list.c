/* bench-list.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sys/resource.h>

#include "cs-appointment-model.h"
#include "cs-manual-clock.h"

/* The appointment list at 100,000 rows (DESIGN.md §6): reload, a filter
 * keystroke (< 50 ms), the rows of one screen, the dashboard figures
 * (< 50 ms) and the peak resident memory (< 150 MB). */

#define COMPANY  7
#define N_ROWS   100000
#define BATCH    5000
#define N_VISIBLE 50

/* 2026-06-01 12:00:00 UTC */
#define NOW (G_GINT64_CONSTANT (1780315200) * CS_USEC_PER_SECOND)

static const char * const first_names[] = {
  "Anna", "Bernd", "Clara", "David", "Eva", "Frank", "Gül", "Hannah", "Ivan", "Jörg",
  "Katrin", "Lars", "Mira", "Niklas", "Olga", "Paul",
};

static const char * const last_names[] = {
  "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
  "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
  "Schwarz", "Zimmermann", "Braun", "Krüger",
};

static double
peak_rss_mb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double da = *(const double *) a;
  double db = *(const double *) b;

  return (da > db) - (da < db);
}

static void
seed (CsStore *store)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GError) error = NULL;

  for (guint start = 0; start < N_ROWS; start += BATCH)
    {
      g_autoptr(GPtrArray) batch = NULL;

      batch = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_appointment_free);

      for (guint i = start; i < start + BATCH; i++)
        {
          CsAppointment *a = cs_appointment_new ();
          guint pick = g_rand_int_range (rand, 0, 100);
          guint first = g_rand_int_range (rand, 0, G_N_ELEMENTS (first_names));
          guint last = g_rand_int_range (rand, 0, G_N_ELEMENTS (last_names));

          a->id = i + 1;
          a->company_id = COMPANY;
          a->number = g_strdup_printf ("%u", 100000 + i);
          a->customer_name = g_strdup_printf ("%s %s", first_names[first], last_names[last]);
          a->starts_at = NOW + g_rand_int_range (rand, -180 * 24, 180 * 24) * CS_USEC_PER_HOUR;
          a->ends_at = a->starts_at + 30 * CS_USEC_PER_MINUTE;
          a->status = CS_CRM_STATUS_CONFIRMED;
          a->sync.status = pick < 80 ? CS_SYNC_STATUS_SYNCED :
                           pick < 88 ? CS_SYNC_STATUS_PENDING :
                           pick < 94 ? CS_SYNC_STATUS_FAILED : CS_SYNC_STATUS_ORPHANED_LOCAL;
          if (a->sync.status == CS_SYNC_STATUS_FAILED)
            {
              a->sync.sync_error_code = CS_ERROR_CODE_DATA_MISMATCH;
              a->sync.sync_error_message = g_strdup ("The start differs");
              a->sync.sync_attempt_count = g_rand_int_range (rand, 1, 4);
              a->sync.last_sync_attempt_at =
                NOW - g_rand_int_range (rand, 1, 1000) * CS_USEC_PER_MINUTE;
              a->sync.requires_manual_review = a->sync.sync_attempt_count == 3;
            }
          g_ptr_array_add (batch, a);
        }

      if (!cs_store_save_appointments (store, batch, &error))
        g_error ("Seeding failed: %s", error->message);
    }
}

static void
reload_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  if (!cs_appointment_model_reload_finish (CS_APPOINTMENT_MODEL (object), result, &error))
    g_error ("Reload failed: %s", error->message);
  *done = TRUE;
}

static double
reload (CsAppointmentModel *model)
{
  gboolean done = FALSE;
  gint64 start = g_get_monotonic_time ();

  cs_appointment_model_reload_async (model, NULL, reload_done, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);

  return ms_since (start);
}

static double
visible_rows_ms (CsAppointmentModel *model)
{
  gint64 start = g_get_monotonic_time ();
  guint n = MIN (N_VISIBLE, g_list_model_get_n_items (G_LIST_MODEL (model)));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsAppointmentRow) row = g_list_model_get_item (G_LIST_MODEL (model), i);

      g_assert (row != NULL);
    }

  return ms_since (start);
}

int
main (int   argc,
      char *argv[])
{
  static const char * const searches[] = {
    "m", "mü", "mül", "müll", "mülle", "müller", "k", "kr", "krü", "1", "10", "105", "1053",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStore) store = NULL;
  g_autoptr(CsClock) clock = NULL;
  g_autoptr(CsAppointmentModel) model = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  CsStoreCounts counts;
  double reload_ms, reload2_ms, rows_ms, sort_ms, counts_ms, store_counts_ms, filter_ms, max_ms = 0;
  gint64 start;

  tmpdir = g_dir_make_tmp ("calsync-bench-list-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (tmpdir, "calsync", "cache.sqlite3", NULL);

  store = cs_store_open (path, &error);
  g_assert_no_error (error);
  cs_store_set_company_id (store, COMPANY);

  start = g_get_monotonic_time ();
  seed (store);
  g_print ("seed: %u appointments in %.1f s\n", N_ROWS, ms_since (start) / 1000.0);

  clock = cs_manual_clock_new (NOW);
  model = cs_appointment_model_new (store, clock);

  reload_ms = reload (model);
  reload2_ms = reload (model);
  g_print ("reload: %.1f ms (again: %.1f ms), %u rows\n",
           reload_ms, reload2_ms, g_list_model_get_n_items (G_LIST_MODEL (model)));

  rows_ms = visible_rows_ms (model);
  g_print ("get_item: %.2f ms for %u visible rows (from SQLite)\n", rows_ms, N_VISIBLE);

  /* Keystrokes: growing prefixes, each followed by a status chip toggle. */
  for (guint i = 0; i < G_N_ELEMENTS (searches); i++)
    {
      double ms;

      start = g_get_monotonic_time ();
      cs_appointment_model_set_search_text (model, searches[i]);
      ms = ms_since (start);
      g_array_append_val (times, ms);
      max_ms = MAX (max_ms, ms);

      if (i % 2 == 1)
        {
          guint chips = CS_APPOINTMENT_FILTER_STATUS (CS_SYNC_STATUS_FAILED) |
                        CS_APPOINTMENT_FILTER_NEEDS_REVIEW;

          if (cs_appointment_model_get_status_filter (model) != CS_APPOINTMENT_FILTER_ALL)
            chips = CS_APPOINTMENT_FILTER_ALL;
          start = g_get_monotonic_time ();
          cs_appointment_model_set_status_filter (model, chips);
          ms = ms_since (start);
          g_array_append_val (times, ms);
          max_ms = MAX (max_ms, ms);
        }
    }
  g_array_sort (times, compare_double);
  filter_ms = g_array_index (times, double, times->len / 2);
  g_print ("filter: median %.2f ms, max %.2f ms over %u keystrokes and toggles\n",
           filter_ms, max_ms, times->len);

  cs_appointment_model_set_search_text (model, NULL);
  cs_appointment_model_set_status_filter (model, CS_APPOINTMENT_FILTER_ALL);

  start = g_get_monotonic_time ();
  cs_appointment_model_set_sort (model, CS_APPOINTMENT_SORT_CUSTOMER);
  sort_ms = ms_since (start);
  g_print ("sort by customer: %.1f ms; ", sort_ms);
  start = g_get_monotonic_time ();
  cs_appointment_model_set_sort_descending (model, TRUE);
  g_print ("reversed: %.1f ms\n", ms_since (start));
  g_print ("get_item after sort: %.2f ms for %u rows\n", visible_rows_ms (model), N_VISIBLE);

  start = g_get_monotonic_time ();
  cs_appointment_model_get_counts (model, &counts);
  counts_ms = ms_since (start);
  start = g_get_monotonic_time ();
  if (!cs_store_get_counts (store, &counts, &error))
    g_error ("Counting failed: %s", error->message);
  store_counts_ms = ms_since (start);
  g_print ("dashboard counts: %.2f ms from the model, %.2f ms from the store "
           "(%u total, %u need review)\n",
           counts_ms, store_counts_ms, counts.total, counts.needs_review);
  g_print ("peak RSS: %.0f MB\n", peak_rss_mb ());

  g_clear_object (&model);
  g_clear_object (&store);
  g_unlink (path);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);
    g_autofree char *folder = g_path_get_dirname (path);

    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (folder);
    g_rmdir (tmpdir);
  }

  g_print ("{\"bench\": \"list\", \"n\": %u, \"filter_ms\": %.2f, \"rss_mb\": %.0f, "
           "\"wall_s\": %.3f}\n",
           N_ROWS, filter_ms, peak_rss_mb (), reload_ms / 1000.0);

  return 0;
}
