/* bench-ui.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cs-appointments-view.h"
#include "cs-demo.h"
#include "cs-window.h"
#include "ui-test-util.h"

/* The window with 100,000 cached appointments, under Xvfb
 * (build-aux/headless.sh): time to the first frame showing rows
 * (< 0.5 s), one search keystroke and one filter change until the next
 * frame (< 50 ms), a scroll to the middle, and the resident memory
 * (< 150 MB). Optionally renders the list to a PNG. */

#define N_ROWS    100000
#define BATCH     5000
#define FIRST_ID  1000000
#define WAIT_USEC (10 * G_USEC_PER_SEC)

static const char * const first_names[] = {
  "Anna", "Bernd", "Clara", "David", "Eva", "Frank", "Gül", "Hannah", "Ivan", "Jörg",
  "Katrin", "Lars", "Mira", "Niklas", "Olga", "Paul",
};

static const char * const last_names[] = {
  "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
  "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
  "Schwarz", "Zimmermann", "Braun", "Krüger",
};

static guint n_paints;

/* CPU time of this thread in ms: the work itself, whatever else runs on
 * the machine. */
static double
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* VmRSS or VmHWM of this process, in MB. */
static double
status_mb (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, field)) == NULL)
    return 0;

  return g_ascii_strtod (line + strlen (field) + 1, NULL) / 1024.0;
}

/* The main thread's context switches so far: every wake-up of an idle
 * window (a frame, a timer, an X request answered) is one. */
static double
context_switches (void)
{
  g_autofree char *status = NULL;
  g_auto(GStrv) lines = NULL;
  double n = 0;

  if (!g_file_get_contents ("/proc/thread-self/status", &status, NULL, NULL))
    return 0;

  lines = g_strsplit (status, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *value = NULL;

      if (g_str_has_prefix (lines[i], "voluntary_ctxt_switches:"))
        value = lines[i] + strlen ("voluntary_ctxt_switches:");
      else if (g_str_has_prefix (lines[i], "nonvoluntary_ctxt_switches:"))
        value = lines[i] + strlen ("nonvoluntary_ctxt_switches:");
      if (value != NULL)
        n += g_ascii_strtod (value, NULL);
    }

  return n;
}

static double
process_cpu_s (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static gboolean
idle_over_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
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
async_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **result)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  while (*result == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  if (*result == NULL)
    g_error ("Timed out");

  return *result;
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates until @n_paints passes @after, bounded. */
static void
wait_paint (guint after)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_USEC;

  while (n_paints <= after && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  if (n_paints <= after)
    g_error ("No frame was painted");
}

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  n_paints++;
}

static void
seed (CsStore *store)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GError) error = NULL;
  CsTime now = g_get_real_time ();
  gint64 company_id = cs_store_get_company_id (store);

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

          a->id = FIRST_ID + i;
          a->company_id = company_id;
          a->number = g_strdup_printf ("%u", FIRST_ID + i);
          a->customer_name = g_strdup_printf ("%s %s", first_names[first], last_names[last]);
          /* Inside the default window: 30 days back, 90 ahead. */
          a->starts_at = now + g_rand_int_range (rand, -29 * 24, 89 * 24) * CS_USEC_PER_HOUR;
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
              a->sync.last_sync_attempt_at = now - g_rand_int_range (rand, 1, 1000) * CS_USEC_PER_MINUTE;
              a->sync.requires_manual_review = a->sync.sync_attempt_count == 3;
            }
          else if (a->sync.status == CS_SYNC_STATUS_ORPHANED_LOCAL)
            {
              a->sync.sync_error_code = CS_ERROR_CODE_ORPHANED_LOCAL;
              a->sync.sync_attempt_count = 1;
              a->sync.last_sync_attempt_at = now - CS_USEC_PER_HOUR;
            }
          g_ptr_array_add (batch, a);
        }

      if (!cs_store_save_appointments (store, batch, &error))
        g_error ("Seeding failed: %s", error->message);
    }
}

/* bench-ui --seed PATH COMPANY: writes the rows into the cache at PATH. */
static int
seed_main (const char *path,
           const char *company)
{
  g_autoptr(CsStore) store = NULL;
  g_autoptr(GError) error = NULL;

  store = cs_store_open (path, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  cs_store_set_company_id (store, g_ascii_strtoll (company, NULL, 10));
  seed (store);
  return 0;
}

static void
seed_in_child (const char *self,
               CsEngine   *engine)
{
  CsStore *store = cs_engine_get_store (engine);
  g_autofree char *company = g_strdup_printf ("%" G_GINT64_FORMAT, cs_store_get_company_id (store));
  const char *child_argv[] = { self, "--seed", cs_store_get_path (store), company, NULL };
  g_autoptr(GError) error = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char **) child_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                     &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("Seeding failed: %s", error->message);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CsDemo) demo = NULL;
  g_autoptr(CsEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *pending = NULL;
  const char *png = argc == 2 ? argv[1] : NULL;
  static const char * const keystrokes[] = { "m", "mü", "mül", "müll", "mülle", "müller" };
  double keys_ms[G_N_ELEMENTS (keystrokes)];
  double handled_ms[G_N_ELEMENTS (keystrokes)];
  double keys_cpu_ms[G_N_ELEMENTS (keystrokes)];
  double chip_cpu_ms, cpu_start;
  int pos;
  CsAppointmentModel *model;
  CsWindow *window;
  GtkWidget *view;
  GtkWidget *entry;
  GtkWidget *stack;
  GtkWidget *column_view;
  GtkAdjustment *adjustment;
  GdkFrameClock *frame_clock;
  gint64 start;
  double seed_s, window_frame_s, first_frame_s, filter_ms, chip_ms, scroll_ms;
  double rss_mb, hwm_mb;
  guint n_loaded;
  guint paints;
  guint tick_id;
  double idle_seconds, idle_ctxt, idle_cpu, idle_wakeups_per_min, idle_cpu_per_min;
  gboolean idle_over = FALSE;
  guint idle_paints;

  if (argc == 4 && g_str_equal (argv[1], "--seed"))
    return seed_main (argv[2], argv[3]);

  g_setenv ("GSETTINGS_BACKEND", "memory", FALSE);
  g_setenv ("GSETTINGS_SCHEMA_DIR", BENCH_SCHEMA_DIR, FALSE);
  g_setenv ("GTK_A11Y", "none", FALSE);
  g_setenv ("GDK_BACKEND", "x11", FALSE);
  gtk_init ();
  adw_init ();
  /* Keep the main context awake, so iterations never block long (not
   * while the idle window is measured). */
  tick_id = g_timeout_add (5, tick_cb, NULL);

  /* A company from the simulator, checked once, then 100,000 more rows. */
  demo = cs_demo_new (50);
  if (!cs_demo_start (demo, &error))
    g_error ("%s", error->message);
  engine = cs_demo_new_engine (demo);
  cs_engine_start_async (engine, NULL, async_cb, &pending);
  result = wait_result (&pending);
  if (!cs_engine_start_finish (engine, result, &error))
    g_error ("%s", error->message);
  g_clear_object (&result);
  pending = NULL;
  cs_engine_verify_async (engine, CS_VERIFICATION_COMPREHENSIVE, FALSE, NULL, async_cb, &pending);
  result = wait_result (&pending);
  if (!(report = cs_engine_verify_finish (engine, result, &error)))
    g_error ("%s", error->message);

  /* The 100,000 rows are written by a child process, so this process's
   * memory is that of a window opening an existing cache, not of the
   * seeding's garbage. */
  start = g_get_monotonic_time ();
  seed_in_child (argv[0], engine);
  seed_s = ms_since (start) / 1000.0;

  /* First frame: the window presented, then the first frame with rows. */
  start = g_get_monotonic_time ();
  window = cs_window_new (NULL, NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  cs_window_set_engine (window, engine);
  view = ui_test_find_by_type (GTK_WIDGET (window), CS_TYPE_APPOINTMENTS_VIEW);
  stack = ui_test_find_by_type (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK);
  g_assert (view != NULL && stack != NULL);
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), "appointments");
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_realize (GTK_WIDGET (window));
  frame_clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_signal_connect (frame_clock, "after-paint", G_CALLBACK (after_paint_cb), NULL);
  wait_paint (0);
  window_frame_s = ms_since (start) / 1000.0;

  model = cs_window_get_model (window);
  while (g_list_model_get_n_items (G_LIST_MODEL (model)) == 0 &&
         ms_since (start) < WAIT_USEC / 1000)
    g_main_context_iteration (NULL, TRUE);
  n_loaded = cs_appointment_model_get_n_loaded (model);
  wait_paint (n_paints);
  first_frame_s = ms_since (start) / 1000.0;

  /* Let the first reloads and frames settle. */
  for (guint i = 0; i < 5; i++)
    wait_paint (n_paints);

  /* Keystrokes: the entry's text, its search-changed now (not after the
   * entry's typing delay), the model's change, the next frame. */
  entry = ui_test_find_by_type (view, GTK_TYPE_SEARCH_ENTRY);
  g_assert (entry != NULL);
  for (guint i = 0; i < G_N_ELEMENTS (keystrokes); i++)
    {

      paints = n_paints;
      start = g_get_monotonic_time ();
      cpu_start = thread_cpu_ms ();
      /* One character typed at the end, as a key press inserts it:
       * gtk_editable_set_text() would empty the entry first, and an
       * empty search entry reports at once. */
      pos = -1;
      gtk_editable_insert_text (GTK_EDITABLE (entry),
                                g_utf8_offset_to_pointer (keystrokes[i], i),
                                g_utf8_next_char (g_utf8_offset_to_pointer (keystrokes[i], i)) -
                                g_utf8_offset_to_pointer (keystrokes[i], i),
                                &pos);
      g_assert (g_str_equal (gtk_editable_get_text (GTK_EDITABLE (entry)), keystrokes[i]));
      g_signal_emit_by_name (entry, "search-changed");
      handled_ms[i] = ms_since (start);
      wait_paint (paints);
      keys_ms[i] = ms_since (start);
      keys_cpu_ms[i] = thread_cpu_ms () - cpu_start;
    }
  filter_ms = keys_ms[0];
  qsort (keys_ms, G_N_ELEMENTS (keystrokes), sizeof (double), compare_double);
  qsort (handled_ms, G_N_ELEMENTS (keystrokes), sizeof (double), compare_double);
  qsort (keys_cpu_ms, G_N_ELEMENTS (keystrokes), sizeof (double), compare_double);

  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  g_signal_emit_by_name (entry, "search-changed");
  wait_paint (n_paints);

  /* A filter change, as the "Failed" chip does it. */
  paints = n_paints;
  start = g_get_monotonic_time ();
  cpu_start = thread_cpu_ms ();
  cs_appointments_view_set_status_filter (CS_APPOINTMENTS_VIEW (view),
                                          CS_APPOINTMENT_FILTER_STATUS (CS_SYNC_STATUS_FAILED));
  wait_paint (paints);
  chip_ms = ms_since (start);
  chip_cpu_ms = thread_cpu_ms () - cpu_start;
  cs_appointments_view_set_status_filter (CS_APPOINTMENTS_VIEW (view), CS_APPOINTMENT_FILTER_ALL);
  wait_paint (n_paints);

  /* A jump to the middle of the list. */
  column_view = ui_test_find_by_type (view, GTK_TYPE_COLUMN_VIEW);
  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (column_view));
  scroll_ms = 0;
  if (adjustment != NULL)
    {
      paints = n_paints;
      start = g_get_monotonic_time ();
      gtk_adjustment_set_value (adjustment, (gtk_adjustment_get_upper (adjustment) -
                                             gtk_adjustment_get_page_size (adjustment)) / 2);
      wait_paint (paints);
      scroll_ms = ms_since (start);
      gtk_adjustment_set_value (adjustment, 0);
      wait_paint (n_paints);
    }

  rss_mb = status_mb ("VmRSS:");
  hwm_mb = status_mb ("VmHWM:");

  /* The window open with nothing happening, as an office PC keeps it all
   * day: its wake-ups and CPU, per minute (target: under 50 and 0.05 s, as
   * a minimal libadwaita window). BENCH_IDLE_SECONDS sets the span. */
  g_source_remove (tick_id);
  /* Nothing happening: no focus in the search entry (its cursor blinks),
   * and the animations of the last steps (the scroll indicator fading)
   * over: until a whole second passes without a frame (at most 20). */
  gtk_root_set_focus (GTK_ROOT (window), NULL);
  for (guint second = 0; second < 20; second++)
    {
      guint before = n_paints;

      idle_over = FALSE;
      g_timeout_add (1000, idle_over_cb, &idle_over);
      while (!idle_over)
        g_main_context_iteration (NULL, TRUE);
      if (n_paints == before)
        break;
    }
  idle_over = FALSE;
  idle_seconds = g_ascii_strtod (g_getenv ("BENCH_IDLE_SECONDS") ? g_getenv ("BENCH_IDLE_SECONDS")
                                                                  : "20", NULL);
  idle_seconds = MAX (idle_seconds, 1);
  idle_ctxt = context_switches ();
  idle_cpu = process_cpu_s ();
  idle_paints = n_paints;
  g_timeout_add ((guint) (idle_seconds * 1000), idle_over_cb, &idle_over);
  while (!idle_over)
    g_main_context_iteration (NULL, TRUE);
  idle_wakeups_per_min = (context_switches () - idle_ctxt) * 60 / idle_seconds;
  idle_paints = n_paints - idle_paints;
  idle_cpu_per_min = (process_cpu_s () - idle_cpu) * 60 / idle_seconds;
  tick_id = g_timeout_add (5, tick_cb, NULL);

  if (png != NULL)
    if (!ui_test_save_png (GTK_WIDGET (window), FALSE, png))
      g_warning ("Could not save %s", png);

  g_print ("rows in the window: %u (seeded %u in %.1f s)\n", n_loaded, N_ROWS, seed_s);
  g_print ("first frame: %.3f s (window only: %.3f s)\n", first_frame_s, window_frame_s);
  g_print ("search keystroke to frame: first %.1f ms, median %.1f ms, max %.1f ms\n",
           filter_ms, keys_ms[G_N_ELEMENTS (keystrokes) / 2], keys_ms[G_N_ELEMENTS (keystrokes) - 1]);
  g_print ("search keystroke handled (model and view, before the frame): median %.1f ms, max %.1f ms\n",
           handled_ms[G_N_ELEMENTS (keystrokes) / 2], handled_ms[G_N_ELEMENTS (keystrokes) - 1]);
  g_print ("search keystroke to frame, main thread CPU: median %.1f ms, max %.1f ms\n",
           keys_cpu_ms[G_N_ELEMENTS (keystrokes) / 2], keys_cpu_ms[G_N_ELEMENTS (keystrokes) - 1]);
  g_print ("status filter to frame: %.1f ms (main thread CPU %.1f ms)\n", chip_ms, chip_cpu_ms);
  g_print ("scroll to the middle to frame: %.1f ms\n", scroll_ms);
  g_print ("RSS: %.1f MB (peak %.1f MB)\n", rss_mb, hwm_mb);
  g_print ("idle window: %.0f wake-ups and %.3f s CPU a minute, %u frames (measured over %.0f s)\n",
           idle_wakeups_per_min, idle_cpu_per_min, idle_paints, idle_seconds);
  g_print ("{\"bench\": \"ui\", \"n\": %u, \"first_frame_s\": %.3f, \"filter_ms\": %.2f, "
           "\"filter_max_ms\": %.2f, \"filter_cpu_ms\": %.2f, \"chip_ms\": %.2f, \"scroll_ms\": %.2f, \"rss_mb\": %.0f, "
           "\"idle_wakeups_per_min\": %.0f, \"idle_cpu_s_per_min\": %.3f}\n",
           n_loaded, first_frame_s, keys_ms[G_N_ELEMENTS (keystrokes) / 2],
           keys_ms[G_N_ELEMENTS (keystrokes) - 1], keys_cpu_ms[G_N_ELEMENTS (keystrokes) / 2],
           chip_ms, scroll_ms, rss_mb, idle_wakeups_per_min, idle_cpu_per_min);

  /* The process ends here: the window and the engine go with it. */
  return EXIT_SUCCESS;
}
