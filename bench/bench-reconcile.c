/* bench-reconcile.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "cs-reconciler.h"

/* Measures the reconciler on a window of N appointments and N bookings:
 * 1% orphaned each way, 1% mismatched, 0.5% of the bookings' times written
 * with another UTC offset of the same instant. Prints each repetition, then
 * the median as one JSON line (DESIGN.md §6).
 *
 *   bench-reconcile [N] [REPETITIONS]
 */

#define COMPANY 3
#define T0 ((CsTime) G_GINT64_CONSTANT (1795424400) * CS_USEC_PER_SECOND)

static double
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
peak_rss_mb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The booking times go through the same parser as the network layer's. */
static CsTime
parse_with_offset (CsTime  instant,
                   int     offset_hours)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (instant / CS_USEC_PER_SECOND);
  g_autoptr(GTimeZone) tz = g_time_zone_new_offset (offset_hours * 3600);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, tz);
  g_autofree char *text = g_date_time_format_iso8601 (local);
  CsTime parsed = CS_TIME_UNSET;

  if (!cs_time_parse_iso8601 (text, &parsed))
    g_error ("could not parse a generated time");

  return parsed;
}

static void
generate (guint      n,
          GPtrArray *appointments,
          GPtrArray *bookings)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (424242);

  for (guint i = 0; i < n; i++)
    {
      CsAppointment *a = cs_appointment_new ();
      CsBooking *b;
      CsTime start = T0 + (CsTime) (i % 2000) * 15 * CS_USEC_PER_MINUTE + (i / 2000) * CS_USEC_PER_DAY;
      guint kind = i % 200;   /* 0,1: orphaned local; 2,3: mismatched; 4: other offset */
      g_autofree char *uid = g_strdup_printf ("bk-%08u-%08x", i, g_rand_int (rand));
      g_autofree char *crm_id = NULL;

      a->id = 1000 + i;
      a->company_id = COMPANY;
      a->number = g_strdup_printf ("%u", 1000 + i);
      a->starts_at = start;
      a->ends_at = start + 45 * CS_USEC_PER_MINUTE;
      a->status = CS_CRM_STATUS_SCHEDULED;
      a->title = g_strdup ("Hairstyling - Herrenschnitt");
      a->customer_name = g_strdup_printf ("Customer %u", i);
      a->customer_email = g_strdup_printf ("customer-%u@example.test", i);
      a->customer_phone = g_strdup_printf ("+49 30 %08u", i);
      a->calcom_booking_uid = kind < 2 ? NULL : g_strdup (uid);
      g_ptr_array_add (appointments, a);

      if (kind < 2)
        continue;

      b = cs_booking_new (uid);
      b->id = i + 1;
      b->start = kind == 4 ? parse_with_offset (start, 2) : parse_with_offset (start, 0);
      b->end = b->start + 45 * CS_USEC_PER_MINUTE;
      if (kind == 2)
        b->start += 30 * CS_USEC_PER_MINUTE;
      if (kind == 3)
        b->status = CS_BOOKING_STATUS_CANCELLED;
      crm_id = g_strdup_printf ("%u", 1000 + i);
      cs_booking_set_metadata (b, CS_METADATA_CRM_APPOINTMENT_ID, crm_id);
      cs_booking_set_metadata (b, CS_METADATA_CRM_COMPANY_ID, "3");
      cs_booking_add_attendee (b, a->customer_name, a->customer_email, a->customer_phone);
      g_ptr_array_add (bookings, b);
    }

  /* Bookings no appointment claims, 1% of N; and fill the bookings up to N. */
  for (guint i = 0; bookings->len < n; i++)
    {
      g_autofree char *uid = g_strdup_printf ("walk-in-%08u", i);
      CsBooking *b = cs_booking_new (uid);

      b->start = T0 + (CsTime) i * 7 * CS_USEC_PER_MINUTE;
      b->end = b->start + 30 * CS_USEC_PER_MINUTE;
      cs_booking_add_attendee (b, "Walk-in", NULL, NULL);
      g_ptr_array_add (bookings, b);
    }
}

int
main (int   argc,
      char *argv[])
{
  guint n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 100000;
  guint reps = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 7;
  g_autoptr(GPtrArray) appointments = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_appointment_free);
  g_autoptr(GPtrArray) bookings = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_booking_free);
  g_autofree double *walls = NULL;
  g_autofree double *cpus = NULL;
  CsReconcileOptions options = { .company_id = COMPANY };

  if (n == 0 || reps == 0)
    {
      g_printerr ("usage: %s [N] [REPETITIONS]\n", argv[0]);
      return EXIT_FAILURE;
    }

  walls = g_new0 (double, reps);
  cpus = g_new0 (double, reps);

  generate (n, appointments, bookings);
  g_print ("generated %u appointments and %u bookings\n", appointments->len, bookings->len);

  for (guint r = 0; r < reps; r++)
    {
      g_autoptr(CsReconcileResult) result = NULL;
      gint64 wall_start = g_get_monotonic_time ();
      double cpu_start = cpu_seconds ();

      result = cs_reconcile (appointments, bookings, &options);

      walls[r] = (g_get_monotonic_time () - wall_start) / 1e6;
      cpus[r] = cpu_seconds () - cpu_start;

      g_print ("run %u: wall %.3f s, cpu %.3f s; synced %u, mismatch %u, orphaned local %u, "
               "orphaned Cal.com %u, lookups %u, conflicts %u\n",
               r + 1, walls[r], cpus[r],
               result->counts[CS_OUTCOME_SYNCED],
               result->counts[CS_OUTCOME_DATA_MISMATCH],
               result->counts[CS_OUTCOME_ORPHANED_LOCAL],
               result->counts[CS_OUTCOME_ORPHANED_CALCOM],
               result->counts[CS_OUTCOME_LOOKUP_NEEDED],
               result->counts[CS_OUTCOME_CONFLICT]);
    }

  qsort (walls, reps, sizeof (double), compare_doubles);
  qsort (cpus, reps, sizeof (double), compare_doubles);

  g_print ("{\"bench\": \"reconcile\", \"n\": %u, \"wall_s\": %.3f, \"cpu_s\": %.3f, "
           "\"rss_mb\": %.0f}\n",
           n, walls[reps / 2], cpus[reps / 2], peak_rss_mb ());

  return EXIT_SUCCESS;
}
