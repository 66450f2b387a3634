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
 */
struct _CsManualClock
{
  CsClock parent_instance;

  CsTime  now;
  gint64  monotonic;
};

G_DEFINE_FINAL_TYPE (CsManualClock, cs_manual_clock, CS_TYPE_CLOCK)

static CsTime
cs_manual_clock_get_now (CsClock *clock)
{
  return CS_MANUAL_CLOCK (clock)->now;
}

static gint64
cs_manual_clock_get_monotonic (CsClock *clock)
{
  return CS_MANUAL_CLOCK (clock)->monotonic;
}

static void
cs_manual_clock_class_init (CsManualClockClass *klass)
{
  CsClockClass *clock_class = CS_CLOCK_CLASS (klass);

  clock_class->get_now = cs_manual_clock_get_now;
  clock_class->get_monotonic = cs_manual_clock_get_monotonic;
}

static void
cs_manual_clock_init (CsManualClock *self)
{
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

  self->now = now;
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

  self->now += usec;
  self->monotonic += usec;
}
