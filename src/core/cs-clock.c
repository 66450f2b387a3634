/* cs-clock.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-clock.h"

G_DEFINE_TYPE (CsClock, cs_clock, G_TYPE_OBJECT)

static CsTime
cs_clock_real_get_now (CsClock *self)
{
  return g_get_real_time ();
}

static gint64
cs_clock_real_get_monotonic (CsClock *self)
{
  return g_get_monotonic_time ();
}

static void
cs_clock_class_init (CsClockClass *klass)
{
  klass->get_now = cs_clock_real_get_now;
  klass->get_monotonic = cs_clock_real_get_monotonic;
}

static void
cs_clock_init (CsClock *self)
{
}

/**
 * cs_clock_get_system:
 *
 * Returns: (transfer none): the clock of the system, shared by the process
 */
CsClock *
cs_clock_get_system (void)
{
  static CsClock *system_clock;
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      system_clock = g_object_new (CS_TYPE_CLOCK, NULL);
      g_once_init_leave (&initialized, 1);
    }

  return system_clock;
}

/**
 * cs_clock_get_now:
 * @self: a clock
 *
 * Returns: the current wall-clock instant
 */
CsTime
cs_clock_get_now (CsClock *self)
{
  g_return_val_if_fail (CS_IS_CLOCK (self), CS_TIME_UNSET);

  return CS_CLOCK_GET_CLASS (self)->get_now (self);
}

/**
 * cs_clock_get_monotonic:
 * @self: a clock
 *
 * Returns: the current monotonic time in microseconds
 */
gint64
cs_clock_get_monotonic (CsClock *self)
{
  g_return_val_if_fail (CS_IS_CLOCK (self), 0);

  return CS_CLOCK_GET_CLASS (self)->get_monotonic (self);
}
