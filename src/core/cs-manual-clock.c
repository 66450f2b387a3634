/* cs-manual-clock.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-manual-clock.h"

/**
 * CsManualClock:
 *
 * A clock that moves only when told to: for tests, benchmarks and the
 * simulator. Its wall clock can jump (as after a suspend or a time-zone
 * change) independently of its monotonic clock, which only ever advances.
 *
 * Its timers fire when the clock is moved past their due time, inside the
 * call that moved it, in the order of their due times: a test that advances
 * the clock by six hours sees every timer of those six hours run, at once.
 *
 * It can also follow real time between its moves
 * (cs_manual_clock_set_follow_real_time()): every reading then adds the
 * real time passed since the last move, so a piece of work measured on it
 * takes its real duration however coarse the moves are, and the next move
 * (cs_manual_clock_advance() by 0 will do) makes that time its own and
 * fires what fell due in it.
 */
struct _CsManualClock
{
  CsClock    parent_instance;

  CsTime     now;
  gint64     monotonic;
  GPtrArray *timers;   /* ManualTimer, unsorted: there are only ever a few */
  guint      last_id;
  gboolean   firing;
  gboolean   follow_real;
  gint64     real_base;   /* real monotonic time of the last move, when following */
};

typedef struct
{
  guint           id;
  CsTime          due;
  CsClockFunc     func;
  gpointer        user_data;
  GDestroyNotify  notify;
} ManualTimer;

G_DEFINE_FINAL_TYPE (CsManualClock, cs_manual_clock, CS_TYPE_CLOCK)

static void
manual_timer_free (gpointer data)
{
  ManualTimer *timer = data;

  if (timer->notify != NULL)
    timer->notify (timer->user_data);
  g_free (timer);
}

/* The due timer that should fire first, or -1. */
static int
find_next_due (CsManualClock *self,
               CsTime         limit)
{
  int best = -1;

  for (guint i = 0; i < self->timers->len; i++)
    {
      ManualTimer *t = g_ptr_array_index (self->timers, i);
      ManualTimer *b = best >= 0 ? g_ptr_array_index (self->timers, best) : NULL;

      if (t->due > limit)
        continue;
      if (b == NULL || t->due < b->due || (t->due == b->due && t->id < b->id))
        best = (int) i;
    }

  return best;
}

/* The real time passed since the last move, while following real time. */
static gint64
pending_real (CsManualClock *self)
{
  if (!self->follow_real)
    return 0;

  return MAX (g_get_monotonic_time () - self->real_base, 0);
}

/* Makes the real time passed since the last move the clock's own. */
static void
take_real_time (CsManualClock *self)
{
  gint64 passed = pending_real (self);

  self->now += passed;
  self->monotonic += passed;
  self->real_base += passed;
}

static void
fire_due_timers (CsManualClock *self)
{
  int index;

  /* A timer added by a callback and already due fires in the same loop. */
  if (self->firing)
    return;

  self->firing = TRUE;
  while ((index = find_next_due (self, self->now)) >= 0)
    {
      ManualTimer *timer = g_ptr_array_steal_index (self->timers, index);

      timer->func (timer->user_data);
      manual_timer_free (timer);
    }
  self->firing = FALSE;
}

static guint
cs_manual_clock_add_timeout (CsClock        *clock,
                             CsTime          due,
                             CsClockFunc     func,
                             gpointer        user_data,
                             GDestroyNotify  notify)
{
  CsManualClock *self = CS_MANUAL_CLOCK (clock);
  ManualTimer *timer = g_new0 (ManualTimer, 1);

  timer->id = ++self->last_id;
  timer->due = due;
  timer->func = func;
  timer->user_data = user_data;
  timer->notify = notify;
  g_ptr_array_add (self->timers, timer);

  return timer->id;
}

static void
cs_manual_clock_remove_timeout (CsClock *clock,
                                guint    id)
{
  CsManualClock *self = CS_MANUAL_CLOCK (clock);

  for (guint i = 0; i < self->timers->len; i++)
    {
      ManualTimer *timer = g_ptr_array_index (self->timers, i);

      if (timer->id == id)
        {
          g_ptr_array_remove_index (self->timers, i);
          return;
        }
    }
}

static void
cs_manual_clock_finalize (GObject *object)
{
  CsManualClock *self = CS_MANUAL_CLOCK (object);

  g_clear_pointer (&self->timers, g_ptr_array_unref);

  G_OBJECT_CLASS (cs_manual_clock_parent_class)->finalize (object);
}

static CsTime
cs_manual_clock_get_now (CsClock *clock)
{
  CsManualClock *self = CS_MANUAL_CLOCK (clock);

  return self->now + pending_real (self);
}

static gint64
cs_manual_clock_get_monotonic (CsClock *clock)
{
  CsManualClock *self = CS_MANUAL_CLOCK (clock);

  return self->monotonic + pending_real (self);
}

static void
cs_manual_clock_class_init (CsManualClockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  CsClockClass *clock_class = CS_CLOCK_CLASS (klass);

  object_class->finalize = cs_manual_clock_finalize;

  clock_class->get_now = cs_manual_clock_get_now;
  clock_class->get_monotonic = cs_manual_clock_get_monotonic;
  clock_class->add_timeout = cs_manual_clock_add_timeout;
  clock_class->remove_timeout = cs_manual_clock_remove_timeout;
}

static void
cs_manual_clock_init (CsManualClock *self)
{
  self->timers = g_ptr_array_new_with_free_func (manual_timer_free);

  /* Any positive start will do; it only needs to be non-zero. */
  self->monotonic = CS_USEC_PER_SECOND;
}

/**
 * cs_manual_clock_new:
 * @now: the initial wall-clock instant
 *
 * Returns: (transfer full): a new manual clock
 */
CsClock *
cs_manual_clock_new (CsTime now)
{
  CsManualClock *self = g_object_new (CS_TYPE_MANUAL_CLOCK, NULL);

  self->now = now;

  return CS_CLOCK (self);
}

/**
 * cs_manual_clock_set_now:
 * @self: a manual clock
 * @now: the new wall-clock instant
 *
 * Moves the wall clock alone, as a suspend or a clock change would; the
 * monotonic clock stays where it is.
 */
void
cs_manual_clock_set_now (CsManualClock *self,
                         CsTime         now)
{
  g_return_if_fail (CS_IS_MANUAL_CLOCK (self));

  take_real_time (self);
  self->now = now;
  fire_due_timers (self);
}

/**
 * cs_manual_clock_advance:
 * @self: a manual clock
 * @usec: microseconds to move forward, not negative
 *
 * Moves both clocks forward, as time passing normally does.
 */
void
cs_manual_clock_advance (CsManualClock *self,
                         gint64         usec)
{
  g_return_if_fail (CS_IS_MANUAL_CLOCK (self));
  g_return_if_fail (usec >= 0);

  take_real_time (self);
  self->now += usec;
  self->monotonic += usec;
  fire_due_timers (self);
}

/**
 * cs_manual_clock_get_next_due:
 * @self: a manual clock
 *
 * Returns: the due time of the earliest pending timer, or %CS_TIME_UNSET
 */
CsTime
cs_manual_clock_get_next_due (CsManualClock *self)
{
  int index;

  g_return_val_if_fail (CS_IS_MANUAL_CLOCK (self), CS_TIME_UNSET);

  index = find_next_due (self, G_MAXINT64);
  if (index < 0)
    return CS_TIME_UNSET;

  return ((ManualTimer *) g_ptr_array_index (self->timers, index))->due;
}

/**
 * cs_manual_clock_advance_to_next:
 * @self: a manual clock
 *
 * Moves the clock to the earliest pending timer (if it lies ahead) and fires
 * what is due: the way a test lets "as much time as needed" pass.
 *
 * Returns: %FALSE if no timer was pending
 */
gboolean
cs_manual_clock_advance_to_next (CsManualClock *self)
{
  CsTime due;

  g_return_val_if_fail (CS_IS_MANUAL_CLOCK (self), FALSE);

  due = cs_manual_clock_get_next_due (self);
  if (due == CS_TIME_UNSET)
    return FALSE;

  cs_manual_clock_advance (self, MAX (due - cs_clock_get_now (CS_CLOCK (self)), 0));
  return TRUE;
}

/**
 * cs_manual_clock_get_n_timeouts:
 * @self: a manual clock
 *
 * Returns: the number of pending timers
 */
guint
cs_manual_clock_get_n_timeouts (CsManualClock *self)
{
  g_return_val_if_fail (CS_IS_MANUAL_CLOCK (self), 0);

  return self->timers->len;
}

/**
 * cs_manual_clock_set_follow_real_time:
 * @self: a manual clock
 * @follow: whether readings add the real time passed since the last move
 *
 * While @follow is %TRUE the clock runs at real speed between its moves
 * (readings only: timers fire at the next move). Turning it off keeps the
 * time passed so far.
 */
void
cs_manual_clock_set_follow_real_time (CsManualClock *self,
                                      gboolean       follow)
{
  g_return_if_fail (CS_IS_MANUAL_CLOCK (self));

  follow = !!follow;
  if (follow == self->follow_real)
    return;

  take_real_time (self);
  self->follow_real = follow;
  self->real_base = g_get_monotonic_time ();
}
