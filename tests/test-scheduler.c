/* test-scheduler.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "cs-manual-clock.h"
#include "cs-scheduler.h"

/* The engine stand-in answers every request with run_finished() from
 * inside the signal handler (synchronously), as a run that took no time:
 * the scheduler must cope with that re-entrancy, and the tests need no
 * main loop. Tests that need a run to stay open turn the answer off. */

/* A clock whose timers run on the monotonic clock, as GLib's do: a suspend
 * moves the wall clock and fires nothing. For the watchdog. */
#define TEST_TYPE_SUSPEND_CLOCK (test_suspend_clock_get_type ())
G_DECLARE_FINAL_TYPE (TestSuspendClock, test_suspend_clock, TEST, SUSPEND_CLOCK, CsClock)

struct _TestSuspendClock
{
  CsClock    parent_instance;

  CsTime     now;
  gint64     monotonic;
  GPtrArray *timers;
  guint      last_id;
};

typedef struct
{
  guint           id;
  gint64          monotonic_due;
  CsClockFunc     func;
  gpointer        user_data;
  GDestroyNotify  notify;
} SuspendTimer;

G_DEFINE_FINAL_TYPE (TestSuspendClock, test_suspend_clock, CS_TYPE_CLOCK)

static void
suspend_timer_free (gpointer data)
{
  SuspendTimer *timer = data;

  if (timer->notify != NULL)
    timer->notify (timer->user_data);
  g_free (timer);
}

static CsTime
suspend_clock_get_now (CsClock *clock)
{
  return TEST_SUSPEND_CLOCK (clock)->now;
}

static gint64
suspend_clock_get_monotonic (CsClock *clock)
{
  return TEST_SUSPEND_CLOCK (clock)->monotonic;
}

static guint
suspend_clock_add_timeout (CsClock        *clock,
                           CsTime          due,
                           CsClockFunc     func,
                           gpointer        user_data,
                           GDestroyNotify  notify)
{
  TestSuspendClock *self = TEST_SUSPEND_CLOCK (clock);
  SuspendTimer *timer = g_new0 (SuspendTimer, 1);

  timer->id = ++self->last_id;
  timer->monotonic_due = self->monotonic + MAX (due - self->now, 0);
  timer->func = func;
  timer->user_data = user_data;
  timer->notify = notify;
  g_ptr_array_add (self->timers, timer);

  return timer->id;
}

static void
suspend_clock_remove_timeout (CsClock *clock,
                              guint    id)
{
  TestSuspendClock *self = TEST_SUSPEND_CLOCK (clock);

  for (guint i = 0; i < self->timers->len; i++)
    {
      if (((SuspendTimer *) g_ptr_array_index (self->timers, i))->id == id)
        {
          g_ptr_array_remove_index (self->timers, i);
          return;
        }
    }
}

static void
test_suspend_clock_finalize (GObject *object)
{
  TestSuspendClock *self = TEST_SUSPEND_CLOCK (object);

  g_clear_pointer (&self->timers, g_ptr_array_unref);

  G_OBJECT_CLASS (test_suspend_clock_parent_class)->finalize (object);
}

static void
test_suspend_clock_class_init (TestSuspendClockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  CsClockClass *clock_class = CS_CLOCK_CLASS (klass);

  object_class->finalize = test_suspend_clock_finalize;
  clock_class->get_now = suspend_clock_get_now;
  clock_class->get_monotonic = suspend_clock_get_monotonic;
  clock_class->add_timeout = suspend_clock_add_timeout;
  clock_class->remove_timeout = suspend_clock_remove_timeout;
}

static void
test_suspend_clock_init (TestSuspendClock *self)
{
  self->timers = g_ptr_array_new_with_free_func (suspend_timer_free);
  self->monotonic = CS_USEC_PER_SECOND;
}

/* Time passing while awake: timers fire by the monotonic clock. */
static void
suspend_clock_advance (TestSuspendClock *self,
                       gint64            usec)
{
  self->now += usec;
  self->monotonic += usec;

  for (;;)
    {
      SuspendTimer *timer;
      gint64 best_due = G_MAXINT64;
      int best = -1;

      for (guint i = 0; i < self->timers->len; i++)
        {
          SuspendTimer *t = g_ptr_array_index (self->timers, i);

          if (t->monotonic_due <= self->monotonic && t->monotonic_due < best_due)
            {
              best = (int) i;
              best_due = t->monotonic_due;
            }
        }
      if (best < 0)
        break;

      timer = g_ptr_array_steal_index (self->timers, best);
      timer->func (timer->user_data);
      suspend_timer_free (timer);
    }
}

/* Fixture */

typedef struct
{
  char        *tmpdir;
  char        *path;
  GTimeZone   *tz;
  CsClock     *clock;
  CsStore     *store;
  CsScheduler *scheduler;
  GArray      *requests;
  gboolean     answer;
  CsTime       retry_answer;
} Fixture;

static CsTime
berlin (GTimeZone *tz,
        int        year,
        int        month,
        int        day,
        int        hour,
        int        minute)
{
  g_autoptr(GDateTime) dt = g_date_time_new (tz, year, month, day, hour, minute, 0);

  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt) * CS_USEC_PER_SECOND;
}

static CsTime
utc (const char *text)
{
  CsTime value = CS_TIME_UNSET;

  g_assert_true (cs_time_parse_iso8601 (text, &value));
  return value;
}

static void
on_run_requested (CsScheduler        *scheduler,
                  CsSchedulerRunKind  kind,
                  Fixture            *f)
{
  g_array_append_val (f->requests, kind);

  if (f->answer)
    {
      CsTime retry = f->retry_answer;

      f->retry_answer = CS_TIME_UNSET;
      cs_scheduler_run_finished (scheduler, kind, TRUE, retry);
    }
}

static void
open_store (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  f->store = cs_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
  cs_store_set_company_id (f->store, 3);
}

/* A scheduler, not started: tests set properties first. */
static void
create_scheduler (Fixture *f)
{
  g_assert_null (f->scheduler);

  f->scheduler = cs_scheduler_new (f->clock, f->store, f->tz);
  g_signal_connect (f->scheduler, "run-requested", G_CALLBACK (on_run_requested), f);
}

static void
drop_scheduler (Fixture *f)
{
  g_assert_finalize_object (g_steal_pointer (&f->scheduler));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_dir_make_tmp ("calsync-scheduler-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->tmpdir, "cache.sqlite3", NULL);
  f->tz = g_time_zone_new_identifier ("Europe/Berlin");
  g_assert_nonnull (f->tz);
  f->clock = cs_manual_clock_new (berlin (f->tz, 2026, 5, 10, 10, 0));
  f->requests = g_array_new (FALSE, FALSE, sizeof (CsSchedulerRunKind));
  f->answer = TRUE;
  open_store (f);
  create_scheduler (f);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_remove (child);
    }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->scheduler != NULL)
    drop_scheduler (f);
  g_clear_object (&f->store);
  g_assert_finalize_object (g_steal_pointer (&f->clock));
  g_clear_pointer (&f->requests, g_array_unref);
  g_clear_pointer (&f->tz, g_time_zone_unref);
  remove_tree (f->tmpdir);
  g_clear_pointer (&f->tmpdir, g_free);
  g_clear_pointer (&f->path, g_free);
}

static CsManualClock *
manual (Fixture *f)
{
  return CS_MANUAL_CLOCK (f->clock);
}

static CsTime
now (Fixture *f)
{
  return cs_clock_get_now (f->clock);
}

static void
assert_requests (Fixture            *f,
                 guint               n,
                 CsSchedulerRunKind  kind)
{
  g_assert_cmpuint (f->requests->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (g_array_index (f->requests, CsSchedulerRunKind, i), ==, kind);
  g_array_set_size (f->requests, 0);
}

static void
assert_no_requests (Fixture *f)
{
  g_assert_cmpuint (f->requests->len, ==, 0);
}

/* Lets time pass up to @target, timer by timer, as it would in real life
 * (one cs_manual_clock_advance() would be a single jump). */
static void
advance_to (Fixture *f,
            CsTime   target)
{
  CsTime next;

  g_assert_cmpint (target, >=, now (f));

  while ((next = cs_manual_clock_get_next_due (manual (f))) != CS_TIME_UNSET && next <= target)
    cs_manual_clock_advance_to_next (manual (f));

  cs_manual_clock_advance (manual (f), target - now (f));
}

static gint64
stored (Fixture    *f,
        const char *key)
{
  g_autoptr(GError) error = NULL;
  gint64 value = -1;

  g_assert_true (cs_store_get_state_int64 (f->store, key, -1, &value, &error));
  g_assert_no_error (error);
  return value;
}

/* Tests */

static void
test_first_start (Fixture       *f,
                  gconstpointer  data)
{
  CsTime start = now (f);

  g_object_set (f->scheduler, "watchdog-interval", (gint64) 0, NULL);
  g_assert_cmpint (cs_scheduler_get_next_cycle_at (f->scheduler), ==, CS_TIME_UNSET);

  cs_scheduler_start (f->scheduler);

  assert_requests (f, 1, CS_SCHEDULER_RUN_CYCLE);
  g_assert_false (cs_scheduler_get_running (f->scheduler));
  g_assert_cmpint (cs_scheduler_get_next_cycle_at (f->scheduler), ==, start + 6 * CS_USEC_PER_HOUR);
  g_assert_cmpint (cs_scheduler_get_next_check_at (f->scheduler), ==,
                   berlin (f->tz, 2026, 5, 11, 0, 0));
  g_assert_cmpint (cs_scheduler_get_next_retry_at (f->scheduler), ==, CS_TIME_UNSET);

  /* One timer, for the earlier of the two. */
  g_assert_cmpuint (cs_manual_clock_get_n_timeouts (manual (f)), ==, 1);
  g_assert_cmpint (cs_manual_clock_get_next_due (manual (f)), ==, start + 6 * CS_USEC_PER_HOUR);

  /* Starting twice changes nothing. */
  cs_scheduler_start (f->scheduler);
  assert_no_requests (f);
}

static void
test_cycle (Fixture       *f,
            gconstpointer  data)
{
  CsTime start = now (f);

  cs_scheduler_start (f->scheduler);
  assert_requests (f, 1, CS_SCHEDULER_RUN_CYCLE);

  advance_to (f, start + 6 * CS_USEC_PER_HOUR - CS_USEC_PER_SECOND);
  assert_no_requests (f);

  cs_manual_clock_advance (manual (f), CS_USEC_PER_SECOND);
  assert_requests (f, 1, CS_SCHEDULER_RUN_CYCLE);
  g_assert_cmpint (cs_scheduler_get_next_cycle_at (f->scheduler), ==,
                   start + 12 * CS_USEC_PER_HOUR);
  g_assert_cmpint (stored (f, "next-cycle-at"), ==, start + 12 * CS_USEC_PER_HOUR);
}

static void
test_daily_check (Fixture       *f,
                  gconstpointer  data)
{
  CsTime midnight = berlin (f->tz, 2026, 5, 11, 0, 0);

  cs_scheduler_start (f->scheduler);
  assert_requests (f, 1, CS_SCHEDULER_RUN_CYCLE);

  /* 16:00 and 22:00: cycles. */
  advance_to (f, midnight - CS_USEC_PER_SECOND);
  assert_requests (f, 2, CS_SCHEDULER_RUN_CYCLE);

  advance_to (f, midnight);
  assert_requests (f, 1, CS_SCHEDULER_RUN_COMPREHENSIVE);
  g_assert_cmpint (cs_scheduler_get_next_check_at (f->scheduler), ==,
                   berlin (f->tz, 2026, 5, 12, 0, 0));

  /* The comprehensive run covers a cycle: the next is six hours after it. */
  g_assert_cmpint (cs_scheduler_get_next_cycle_at (f->scheduler), ==,
                   midnight + 6 * CS_USEC_PER_HOUR);
}

static void
test_check_time (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *text = NULL;

  g_object_set (f->scheduler, "check-time", "03:30", NULL);
  g_assert_cmpuint (cs_scheduler_get_check_hour (f->scheduler), ==, 3);
  g_assert_cmpuint (cs_scheduler_get_check_minute (f->scheduler), ==, 30);

  cs_scheduler_start (f->scheduler);
  assert_requests (f, 1, CS_SCHEDULER_RUN_CYCLE);
  g_assert_cmpint (cs_scheduler_get_next_check_at (f->scheduler), ==,
                   berlin (f->tz, 2026, 5, 11, 3, 30));

  /* Garbage falls back to 00:00, without a warning (they are fatal here). */
  g_object_set (f->scheduler, "check-time", "25:99", NULL);
  g_object_get (f->scheduler, "check-time", &text, NULL);
  g_assert_cmpstr (text, ==, "00:00");
  g_assert_cmpint (cs_scheduler_get_next_check_at (f->scheduler), ==,
                   berlin (f->tz, 2026, 5, 11, 0, 0));
  g_object_set (f->scheduler, "check-time", "7:05", NULL);
  g_assert_cmpuint (cs_scheduler_get_check_hour (f->scheduler), ==, 7);
  g_assert_cmpuint (cs_scheduler_get_check_minute (f->scheduler), ==, 5);
  g_object_set (f->scheduler, "check-time", NULL, NULL);
  g_assert_cmpuint (cs_scheduler_get_check_hour (f->scheduler), ==, 0);

  for (guint i = 0; i < 6; i++)
    {
      const char *bad[] = { "", "12", "12:5", "-1:00", "1:2:3", "ab:cd" };
      guint hour = 9;
      guint minute = 9;

      g_assert_false (cs_scheduler_parse_check_time (bad[i], &hour, &minute));
      g_assert_cmpuint (hour, ==, 0);
      g_assert_cmpuint (minute, ==, 0);
    }
}

static void
test_both_due (Fixture       *f,
               gconstpointer  data)
{
  CsTime midnight = berlin (f->tz, 2026, 5, 11, 0, 0);

  cs_manual_clock_set_now (manual (f), berlin (f->tz, 2026, 5, 10, 18, 0));
  cs_scheduler_start (f->scheduler);
  assert_requests (f, 1, CS_SCHEDULER_RUN_CYCLE);
  g_assert_cmpint (cs_scheduler_get_next_cycle_at (f->scheduler), ==, midnight);
  g_assert_cmpint (cs_scheduler_get_next_check_at (f->scheduler), ==, midnight);

  advance_to (f, midnight);
  assert_requests (f, 1, CS_SCHEDULER_RUN_COMPREHENSIVE);
  g_assert_cmpint (cs_scheduler_get_next_cycle_at (f->scheduler), ==,
                   midnight + 6 * CS_USEC_PER_HOUR);
  g_assert_cmpint (cs_scheduler_get_next_check_at (f->scheduler), ==,
                   berlin (f->tz, 2026, 5, 12, 0, 0));
}

static void
test_restart_missed_check (Fixture       *f,
                           gconstpointer  data)
{
  CsTime one = berlin (f->tz, 2026, 5, 11, 1, 0);

  cs_manual_clock_set_now (manual (f), berlin (f->tz, 2026, 5, 10, 22, 0));
  cs_scheduler_start (f->scheduler);
  assert_requests (f, 1, CS_SCHEDULER_RUN_CYCLE);

  /* The program is not running at midnight. */
  drop_scheduler (f);
  g_assert_cmpuint (cs_manual_clock_get_n_timeouts (manual (f)), ==, 0);
  cs_manual_clock_set_now (manual (f), one);

  create_scheduler (f);
  cs_scheduler_start (f->scheduler);
  assert_requests (f, 1, CS_SCHEDULER_RUN_COMPREHENSIVE);
  g_assert_cmpint (cs_scheduler_get_next_check_at (f->scheduler), ==,
                   berlin (f->tz, 2026, 5, 12, 0, 0));
  g_assert_cmpint (cs_scheduler_get_next_cycle_at (f->scheduler), ==,
                   one + 6 * CS_USEC_PER_HOUR);
}

static void
test_wall_jump (Fixture       *f,
                gconstpointer  data)
{
  CsTime start;

  /* Across midnight: three cycle slots and the check, one run. */
  cs_scheduler_start (f->scheduler);
  assert_requests (f, 1, CS_SCHEDULER_RUN_CYCLE);

  cs_manual_clock_set_now (manual (f), now (f) + 20 * CS_USEC_PER_HOUR);
  assert_requests (f, 1, CS_SCHEDULER_RUN_COMPREHENSIVE);
  g_assert_cmpint (cs_scheduler_get_next_cycle_at (f->scheduler), ==,
                   now (f) + 6 * CS_USEC_PER_HOUR);

  /* Within a day (01:00 to 21:00): three cycle slots, one cycle. */
  cs_manual_clock_set_now (manual (f), berlin (f->tz, 2026, 5, 12, 1, 0));
  assert_requests (f, 1, CS_SCHEDULER_RUN_COMPREHENSIVE);
  start = now (f);
  cs_manual_clock_set_now (manual (f), start + 20 * CS_USEC_PER_HOUR);
  assert_requests (f, 1, CS_SCHEDULER_RUN_CYCLE);
  g_assert_cmpint (cs_scheduler_get_next_cycle_at (f->scheduler), ==,
                   start + 26 * CS_USEC_PER_HOUR);
  g_assert_cmpint (cs_scheduler_get_next_check_at (f->scheduler), ==,
                   berlin (f->tz, 2026, 5, 13, 0, 0));
}

static void
test_persisted (Fixture       *f,
                gconstpointer  data)
{
  CsTime cycle;
  CsTime check;

  cs_scheduler_start (f->scheduler);
  assert_requests (f, 1, CS_SCHEDULER_RUN_CYCLE);
  cycle = cs_scheduler_get_next_cycle_at (f->scheduler);
  check = cs_scheduler_get_next_check_at (f->scheduler);
  g_assert_cmpint (stored (f, "next-cycle-at"), ==, cycle);
  g_assert_cmpint (stored (f, "next-check-at"), ==, check);

  /* A restart an hour later, over a store opened afresh. */
  drop_scheduler (f);
  g_assert_finalize_object (g_steal_pointer (&f->store));
  cs_manual_clock_advance (manual (f), CS_USEC_PER_HOUR);
  open_store (f);
  create_scheduler (f);
  cs_scheduler_start (f->scheduler);

  assert_no_requests (f);
  g_assert_cmpint (cs_scheduler_get_next_cycle_at (f->scheduler), ==, cycle);
  g_assert_cmpint (cs_scheduler_get_next_check_at (f->scheduler), ==, check);

  advance_to (f, cycle);
  assert_requests (f, 1, CS_SCHEDULER_RUN_CYCLE);
}

static void
test_retry (Fixture       *f,
            gconstpointer  data)
{
  CsTime start = now (f);

  /* The first cycle leaves a retry at +1 min. */
  f->retry_answer = start + CS_USEC_PER_MINUTE;
  cs_scheduler_start (f->scheduler);
  assert_requests (f, 1, CS_SCHEDULER_RUN_CYCLE);
  g_assert_cmpint (cs_scheduler_get_next_retry_at (f->scheduler), ==, start + CS_USEC_PER_MINUTE);
  g_assert_cmpint (stored (f, "next-retry-at"), ==, start + CS_USEC_PER_MINUTE);

  cs_manual_clock_advance (manual (f), CS_USEC_PER_MINUTE - 1);
  assert_no_requests (f);

  /* That retry leaves the next at +5 min. */
  f->retry_answer = start + 6 * CS_USEC_PER_MINUTE;
  cs_manual_clock_advance (manual (f), 1);
  assert_requests (f, 1, CS_SCHEDULER_RUN_RETRY);
  g_assert_cmpint (cs_scheduler_get_next_retry_at (f->scheduler), ==,
                   start + 6 * CS_USEC_PER_MINUTE);

  advance_to (f, start + 6 * CS_USEC_PER_MINUTE);
  assert_requests (f, 1, CS_SCHEDULER_RUN_RETRY);
  g_assert_cmpint (cs_scheduler_get_next_retry_at (f->scheduler), ==, CS_TIME_UNSET);
  g_assert_cmpint (stored (f, "next-retry-at"), ==, CS_TIME_UNSET);

  /* Set directly, and survives a restart. */
  cs_scheduler_set_retry_due (f->scheduler, now (f) + CS_USEC_PER_MINUTE);
  drop_scheduler (f);
  create_scheduler (f);
  cs_scheduler_start (f->scheduler);
  assert_no_requests (f);
  g_assert_cmpint (cs_scheduler_get_next_retry_at (f->scheduler), ==, now (f) + CS_USEC_PER_MINUTE);
  cs_manual_clock_advance (manual (f), CS_USEC_PER_MINUTE);
  assert_requests (f, 1, CS_SCHEDULER_RUN_RETRY);

  /* Cleared again. */
  cs_scheduler_set_retry_due (f->scheduler, now (f) + CS_USEC_PER_MINUTE);
  cs_scheduler_set_retry_due (f->scheduler, CS_TIME_UNSET);
  cs_manual_clock_advance (manual (f), CS_USEC_PER_MINUTE);
  assert_no_requests (f);
}

static void
test_busy (Fixture       *f,
           gconstpointer  data)
{
  CsTime start = now (f);

  /* A run is open: nothing else is asked for, what fell due comes after. */
  f->answer = FALSE;
  cs_scheduler_start (f->scheduler);
  assert_requests (f, 1, CS_SCHEDULER_RUN_CYCLE);
  g_assert_true (cs_scheduler_get_running (f->scheduler));

  cs_scheduler_set_retry_due (f->scheduler, start + CS_USEC_PER_MINUTE);
  advance_to (f, berlin (f->tz, 2026, 5, 11, 0, 30));
  assert_no_requests (f);

  /* A failed run moves its due time forward anyway. */
  f->answer = TRUE;
  cs_scheduler_run_finished (f->scheduler, CS_SCHEDULER_RUN_CYCLE, FALSE, CS_TIME_UNSET);
  g_assert_cmpuint (f->requests->len, ==, 2);
  g_assert_cmpint (g_array_index (f->requests, CsSchedulerRunKind, 0), ==,
                   CS_SCHEDULER_RUN_COMPREHENSIVE);
  g_assert_cmpint (g_array_index (f->requests, CsSchedulerRunKind, 1), ==,
                   CS_SCHEDULER_RUN_RETRY);
  g_array_set_size (f->requests, 0);
  g_assert_false (cs_scheduler_get_running (f->scheduler));
  g_assert_cmpint (cs_scheduler_get_next_cycle_at (f->scheduler), ==,
                   now (f) + 6 * CS_USEC_PER_HOUR);
  g_assert_cmpint (cs_scheduler_get_next_retry_at (f->scheduler), ==, CS_TIME_UNSET);
}

static void
test_offline (Fixture       *f,
              gconstpointer  data)
{
  cs_scheduler_start (f->scheduler);
  assert_requests (f, 1, CS_SCHEDULER_RUN_CYCLE);

  g_object_set (f->scheduler, "online", FALSE, NULL);
  cs_manual_clock_advance (manual (f), 20 * CS_USEC_PER_HOUR);
  assert_no_requests (f);

  g_object_set (f->scheduler, "online", TRUE, NULL);
  assert_requests (f, 1, CS_SCHEDULER_RUN_COMPREHENSIVE);
  g_assert_cmpint (cs_scheduler_get_next_cycle_at (f->scheduler), >, now (f));

  /* Offline from the start: nothing until back. */
  drop_scheduler (f);
  cs_manual_clock_advance (manual (f), 7 * CS_USEC_PER_HOUR);
  create_scheduler (f);
  cs_scheduler_set_online (f->scheduler, FALSE);
  cs_scheduler_start (f->scheduler);
  assert_no_requests (f);
  cs_scheduler_set_online (f->scheduler, TRUE);
  assert_requests (f, 1, CS_SCHEDULER_RUN_CYCLE);
}

static void
test_paused (Fixture       *f,
             gconstpointer  data)
{
  cs_scheduler_set_paused (f->scheduler, TRUE);
  cs_scheduler_start (f->scheduler);
  assert_no_requests (f);

  cs_manual_clock_advance (manual (f), 15 * CS_USEC_PER_HOUR);
  assert_no_requests (f);

  g_object_set (f->scheduler, "paused", FALSE, NULL);
  assert_requests (f, 1, CS_SCHEDULER_RUN_COMPREHENSIVE);

  cs_manual_clock_advance (manual (f), 6 * CS_USEC_PER_HOUR);
  assert_requests (f, 1, CS_SCHEDULER_RUN_CYCLE);
}

static void
test_dst (Fixture       *f,
          gconstpointer  data)
{
  /* The spring change (2026-03-29, 02:00 CET → 03:00 CEST): that night's
   * 00:00 is still CET, the next one CEST, 23 hours later. */
  g_assert_cmpint (cs_scheduler_next_local_time (f->tz, utc ("2026-03-28T12:00:00Z"), 0, 0), ==,
                   utc ("2026-03-28T23:00:00Z"));
  g_assert_cmpint (cs_scheduler_next_local_time (f->tz, utc ("2026-03-28T23:00:00Z"), 0, 0), ==,
                   utc ("2026-03-29T22:00:00Z"));
  /* The autumn change (2026-10-25, 03:00 CEST → 02:00 CET): 25 hours. */
  g_assert_cmpint (cs_scheduler_next_local_time (f->tz, utc ("2026-10-24T22:00:00Z"), 0, 0), ==,
                   utc ("2026-10-25T23:00:00Z"));
  g_assert_cmpint (cs_scheduler_next_local_time (f->tz, utc ("2026-10-25T01:30:00Z"), 0, 0), ==,
                   utc ("2026-10-25T23:00:00Z"));
  /* A time of day other than midnight, on the change day itself. */
  g_assert_cmpint (cs_scheduler_next_local_time (f->tz, utc ("2026-03-29T00:30:00Z"), 4, 15), ==,
                   utc ("2026-03-29T02:15:00Z"));

  /* The scheduler itself, across both nights. */
  cs_manual_clock_set_now (manual (f), utc ("2026-03-28T12:00:00Z"));
  cs_scheduler_start (f->scheduler);
  assert_requests (f, 1, CS_SCHEDULER_RUN_CYCLE);
  g_assert_cmpint (cs_scheduler_get_next_check_at (f->scheduler), ==, utc ("2026-03-28T23:00:00Z"));
  advance_to (f, utc ("2026-03-28T23:00:00Z"));
  g_assert_cmpuint (f->requests->len, >=, 1);
  g_assert_cmpint (g_array_index (f->requests, CsSchedulerRunKind, f->requests->len - 1), ==,
                   CS_SCHEDULER_RUN_COMPREHENSIVE);
  g_array_set_size (f->requests, 0);
  g_assert_cmpint (cs_scheduler_get_next_check_at (f->scheduler), ==, utc ("2026-03-29T22:00:00Z"));

  drop_scheduler (f);
  cs_manual_clock_set_now (manual (f), utc ("2026-10-24T22:00:00Z"));
  create_scheduler (f);
  cs_scheduler_start (f->scheduler);
  assert_requests (f, 1, CS_SCHEDULER_RUN_COMPREHENSIVE);
  g_assert_cmpint (cs_scheduler_get_next_check_at (f->scheduler), ==, utc ("2026-10-25T23:00:00Z"));
  advance_to (f, utc ("2026-10-25T23:00:00Z") - 1);
  /* 25 hours: cycles at 06:00, 12:00, 18:00 CEST and 23:00 CET. */
  assert_requests (f, 4, CS_SCHEDULER_RUN_CYCLE);
  advance_to (f, utc ("2026-10-25T23:00:00Z"));
  assert_requests (f, 1, CS_SCHEDULER_RUN_COMPREHENSIVE);
}

static void
test_watchdog_manual (Fixture       *f,
                      gconstpointer  data)
{
  /* With the manual clock the watchdog and the due timer both fire on a
   * jump: still one run. */
  g_object_set (f->scheduler, "watchdog-interval", (gint64) 60 * CS_USEC_PER_SECOND, NULL);
  cs_scheduler_start (f->scheduler);
  assert_requests (f, 1, CS_SCHEDULER_RUN_CYCLE);
  g_assert_cmpuint (cs_manual_clock_get_n_timeouts (manual (f)), ==, 2);
  g_assert_cmpint (cs_manual_clock_get_next_due (manual (f)), ==, now (f) + CS_USEC_PER_MINUTE);

  cs_manual_clock_set_now (manual (f), now (f) + 20 * CS_USEC_PER_HOUR);
  assert_requests (f, 1, CS_SCHEDULER_RUN_COMPREHENSIVE);

  /* A wall clock set back a year does not leave the cycle months away. */
  cs_manual_clock_set_now (manual (f), now (f) - 365 * CS_USEC_PER_DAY);
  cs_scheduler_check_overdue (f->scheduler);
  g_assert_cmpint (cs_scheduler_get_next_cycle_at (f->scheduler), <=,
                   now (f) + 6 * CS_USEC_PER_HOUR);
  g_assert_cmpint (cs_scheduler_get_next_check_at (f->scheduler), <=, now (f) + CS_USEC_PER_DAY);
  assert_no_requests (f);
  g_assert_cmpint (cs_manual_clock_get_next_due (manual (f)), ==, now (f) + CS_USEC_PER_MINUTE);

  /* Off: only the due timer is left. */
  cs_scheduler_set_watchdog_interval (f->scheduler, 0);
  g_assert_cmpuint (cs_manual_clock_get_n_timeouts (manual (f)), ==, 1);
}

static void
test_watchdog_suspend (void)
{
  g_autofree char *tmpdir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Europe/Berlin");
  g_autoptr(CsStore) store = NULL;
  TestSuspendClock *clock;
  CsScheduler *scheduler;
  Fixture f = { 0 };

  tmpdir = g_dir_make_tmp ("calsync-scheduler-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (tmpdir, "cache.sqlite3", NULL);
  store = cs_store_open (path, &error);
  g_assert_no_error (error);
  cs_store_set_company_id (store, 3);

  clock = g_object_new (TEST_TYPE_SUSPEND_CLOCK, NULL);
  clock->now = berlin (tz, 2026, 5, 10, 10, 0);

  f.requests = g_array_new (FALSE, FALSE, sizeof (CsSchedulerRunKind));
  f.answer = TRUE;
  scheduler = cs_scheduler_new (CS_CLOCK (clock), store, tz);
  g_signal_connect (scheduler, "run-requested", G_CALLBACK (on_run_requested), &f);
  cs_scheduler_set_watchdog_interval (scheduler, CS_USEC_PER_MINUTE);
  cs_scheduler_start (scheduler);
  assert_requests (&f, 1, CS_SCHEDULER_RUN_CYCLE);

  /* Asleep for 20 hours: the wall clock moves, no timer fires, and on
   * waking the cycle timer still has its six monotonic hours to go. */
  clock->now += 20 * CS_USEC_PER_HOUR;
  assert_no_requests (&f);
  suspend_clock_advance (clock, CS_USEC_PER_MINUTE - 1);
  assert_no_requests (&f);

  /* The watchdog's next tick finds it: one run. */
  suspend_clock_advance (clock, 1);
  assert_requests (&f, 1, CS_SCHEDULER_RUN_COMPREHENSIVE);
  g_assert_cmpint (cs_scheduler_get_next_cycle_at (scheduler), ==,
                   clock->now + 6 * CS_USEC_PER_HOUR);

  /* Without the watchdog, a suspend goes unnoticed until a timer fires. */
  cs_scheduler_set_watchdog_interval (scheduler, 0);
  clock->now += 10 * CS_USEC_PER_HOUR;
  suspend_clock_advance (clock, 10 * CS_USEC_PER_MINUTE);
  assert_no_requests (&f);
  cs_scheduler_check_overdue (scheduler);
  assert_requests (&f, 1, CS_SCHEDULER_RUN_CYCLE);

  g_assert_finalize_object (scheduler);
  g_assert_cmpuint (clock->timers->len, ==, 0);
  g_assert_finalize_object (clock);
  g_assert_finalize_object (g_steal_pointer (&store));
  g_array_unref (f.requests);
  remove_tree (tmpdir);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *counter)
{
  (*counter)++;
}

static void
test_properties (Fixture       *f,
                 gconstpointer  data)
{
  guint cycle_notified = 0;
  guint hours_notified = 0;
  guint cycle_hours = 0;
  gint64 watchdog = -1;
  gboolean online = FALSE;

  g_object_get (f->scheduler,
                "cycle-hours", &cycle_hours,
                "watchdog-interval", &watchdog,
                "online", &online,
                NULL);
  g_assert_cmpuint (cycle_hours, ==, 6);
  g_assert_cmpint (watchdog, ==, 60 * CS_USEC_PER_SECOND);
  g_assert_true (online);
  g_assert_false (cs_scheduler_get_paused (f->scheduler));

  g_signal_connect (f->scheduler, "notify::next-cycle-at", G_CALLBACK (count_notify),
                    &cycle_notified);
  g_signal_connect (f->scheduler, "notify::cycle-hours", G_CALLBACK (count_notify),
                    &hours_notified);
  cs_scheduler_start (f->scheduler);
  assert_requests (f, 1, CS_SCHEDULER_RUN_CYCLE);
  g_assert_cmpuint (cycle_notified, >=, 1);

  /* Notified on change only; a shorter cycle pulls the next one in. */
  g_object_set (f->scheduler, "cycle-hours", 6u, NULL);
  g_assert_cmpuint (hours_notified, ==, 0);
  cycle_notified = 0;
  cs_scheduler_set_cycle_hours (f->scheduler, 2);
  g_assert_cmpuint (hours_notified, ==, 1);
  g_assert_cmpuint (cycle_notified, ==, 1);
  g_assert_cmpint (cs_scheduler_get_next_cycle_at (f->scheduler), ==,
                   now (f) + 2 * CS_USEC_PER_HOUR);
  cs_manual_clock_advance (manual (f), 2 * CS_USEC_PER_HOUR);
  assert_requests (f, 1, CS_SCHEDULER_RUN_CYCLE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/calsync/engine/scheduler/" name, Fixture, NULL, \
              fixture_setup, func, fixture_teardown)

  ADD ("first-start", test_first_start);
  ADD ("cycle", test_cycle);
  ADD ("daily-check", test_daily_check);
  ADD ("check-time", test_check_time);
  ADD ("both-due", test_both_due);
  ADD ("restart-missed-check", test_restart_missed_check);
  ADD ("wall-jump", test_wall_jump);
  ADD ("persisted", test_persisted);
  ADD ("retry", test_retry);
  ADD ("busy", test_busy);
  ADD ("offline", test_offline);
  ADD ("paused", test_paused);
  ADD ("dst", test_dst);
  ADD ("watchdog-manual", test_watchdog_manual);
  ADD ("properties", test_properties);
  g_test_add_func ("/calsync/engine/scheduler/watchdog-suspend", test_watchdog_suspend);

#undef ADD

  return g_test_run ();
}
