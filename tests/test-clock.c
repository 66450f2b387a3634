/* test-clock.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-manual-clock.h"

#define T0 ((CsTime) G_GINT64_CONSTANT (1795424400) * CS_USEC_PER_SECOND)

static void
append_tag (gpointer user_data)
{
  GString *log = g_object_get_data (G_OBJECT (user_data), "log");
  const char *tag = g_object_get_data (G_OBJECT (user_data), "tag");

  g_string_append (log, tag);
}

typedef struct
{
  GString *log;
  char     tag;
  CsClock *clock;
} Tagged;

static void
tagged_fire (gpointer user_data)
{
  Tagged *t = user_data;

  g_string_append_c (t->log, t->tag);

  /* A timer added by a callback that is already due fires in the same
   * advance. */
  if (t->tag == 'b')
    {
      static Tagged chained;

      chained = (Tagged) { t->log, 'c', NULL };
      cs_clock_add_timeout (t->clock, cs_clock_get_now (t->clock), tagged_fire, &chained, NULL);
    }
}

static void
do_nothing (gpointer user_data)
{
}

static void
count_free (gpointer user_data)
{
  (*(guint *) user_data)++;
}

static void
test_manual_timers_fire_in_order (void)
{
  g_autoptr(GString) log = g_string_new (NULL);
  CsClock *clock = cs_manual_clock_new (T0);
  CsManualClock *manual = CS_MANUAL_CLOCK (clock);
  Tagged a = { log, 'a', clock }, b = { log, 'b', clock }, d = { log, 'd', clock };
  Tagged removed = { log, 'x', clock };
  guint freed = 0;
  guint id;

  cs_clock_add_timeout (clock, T0 + 5 * CS_USEC_PER_MINUTE, tagged_fire, &d, NULL);
  cs_clock_add_timeout (clock, T0 + CS_USEC_PER_MINUTE, tagged_fire, &b, NULL);
  cs_clock_add_timeout (clock, T0 + CS_USEC_PER_SECOND, tagged_fire, &a, NULL);
  id = cs_clock_add_timeout (clock, T0 + 2 * CS_USEC_PER_MINUTE, tagged_fire, &removed, NULL);
  cs_clock_add_timeout (clock, T0 + 3 * CS_USEC_PER_MINUTE, do_nothing, &freed,
                        count_free);

  g_assert_cmpuint (cs_manual_clock_get_n_timeouts (manual), ==, 5);
  g_assert_cmpint (cs_manual_clock_get_next_due (manual), ==, T0 + CS_USEC_PER_SECOND);

  cs_clock_remove_timeout (clock, id);
  cs_clock_remove_timeout (clock, id);
  g_assert_cmpuint (cs_manual_clock_get_n_timeouts (manual), ==, 4);

  cs_manual_clock_advance (manual, CS_USEC_PER_MINUTE);
  g_assert_cmpstr (log->str, ==, "abc");

  g_assert_true (cs_manual_clock_advance_to_next (manual));
  g_assert_cmpint (cs_clock_get_now (clock), ==, T0 + 3 * CS_USEC_PER_MINUTE);
  g_assert_cmpuint (freed, ==, 1);

  g_assert_true (cs_manual_clock_advance_to_next (manual));
  g_assert_cmpstr (log->str, ==, "abcd");
  g_assert_false (cs_manual_clock_advance_to_next (manual));
  g_assert_cmpint (cs_manual_clock_get_next_due (manual), ==, CS_TIME_UNSET);

  g_assert_finalize_object (clock);
}

static void
test_manual_wall_jump_fires (void)
{
  g_autoptr(GString) log = g_string_new (NULL);
  CsClock *clock = cs_manual_clock_new (T0);
  Tagged a = { log, 'a', clock };
  gint64 mono = cs_clock_get_monotonic (clock);

  cs_clock_add_timeout (clock, T0 + CS_USEC_PER_HOUR, tagged_fire, &a, NULL);

  /* A suspend: the wall clock jumps, the monotonic clock does not. */
  cs_manual_clock_set_now (CS_MANUAL_CLOCK (clock), T0 + 2 * CS_USEC_PER_HOUR);
  g_assert_cmpstr (log->str, ==, "a");
  g_assert_cmpint (cs_clock_get_monotonic (clock), ==, mono);

  g_assert_finalize_object (clock);
}

/* Following real time: readings move with it however rarely the clock is
 * moved, timers fire at the next move, and turning it off keeps the time. */
static void
test_manual_follow_real_time (void)
{
  g_autoptr(GString) log = g_string_new (NULL);
  CsClock *clock = cs_manual_clock_new (T0);
  CsManualClock *manual = CS_MANUAL_CLOCK (clock);
  Tagged a = { log, 'a', clock };
  gint64 mono = cs_clock_get_monotonic (clock);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  CsTime now;

  cs_clock_add_timeout (clock, T0 + 1, tagged_fire, &a, NULL);
  cs_manual_clock_set_follow_real_time (manual, TRUE);

  /* Real time passes (at least a microsecond): the readings follow it. */
  while (cs_clock_get_now (clock) == T0 && g_get_monotonic_time () < deadline)
    ;
  g_assert_cmpint (cs_clock_get_now (clock), >, T0);
  g_assert_cmpint (cs_clock_get_monotonic (clock) - mono, >, 0);
  g_assert_cmpstr (log->str, ==, "");

  cs_manual_clock_advance (manual, 0);
  g_assert_cmpstr (log->str, ==, "a");

  /* A jump of the wall clock still counts from where it is set. */
  cs_manual_clock_set_now (manual, T0 + CS_USEC_PER_HOUR);
  g_assert_cmpint (cs_clock_get_now (clock), >=, T0 + CS_USEC_PER_HOUR);

  cs_manual_clock_set_follow_real_time (manual, FALSE);
  now = cs_clock_get_now (clock);
  g_assert_cmpint (now, >=, T0 + CS_USEC_PER_HOUR);
  mono = cs_clock_get_monotonic (clock);
  deadline = g_get_monotonic_time () + 2;
  while (g_get_monotonic_time () < deadline)
    ;
  g_assert_cmpint (cs_clock_get_now (clock), ==, now);
  g_assert_cmpint (cs_clock_get_monotonic (clock), ==, mono);

  g_assert_finalize_object (clock);
}

static void
test_system_clock_timer (void)
{
  g_autoptr(GObject) data = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(GString) log = g_string_new (NULL);
  CsClock *clock = cs_clock_get_system ();
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint id;

  g_object_set_data (data, "log", log);
  g_object_set_data (data, "tag", (gpointer) "s");

  g_assert_true (cs_clock_get_system () == clock);
  g_assert_cmpint (ABS (cs_clock_get_now (clock) - g_get_real_time ()), <, 10 * CS_USEC_PER_SECOND);

  /* Removed before it is due: never fires. */
  id = cs_clock_add_timeout (clock, cs_clock_get_now (clock), append_tag, data, NULL);
  cs_clock_remove_timeout (clock, id);
  cs_clock_add_timeout (clock, cs_clock_get_now (clock) + 1000, append_tag, data, NULL);

  while (log->len == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpstr (log->str, ==, "s");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/calsync/core/clock/manual-timers-fire-in-order", test_manual_timers_fire_in_order);
  g_test_add_func ("/calsync/core/clock/manual-wall-jump-fires", test_manual_wall_jump_fires);
  g_test_add_func ("/calsync/core/clock/manual-follow-real-time", test_manual_follow_real_time);
  g_test_add_func ("/calsync/core/clock/system-clock-timer", test_system_clock_timer);

  return g_test_run ();
}
