/* cs-clock.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "cs-time.h"

G_BEGIN_DECLS

#define CS_TYPE_CLOCK (cs_clock_get_type ())

G_DECLARE_DERIVABLE_TYPE (CsClock, cs_clock, CS, CLOCK, GObject)

/**
 * CsClockClass:
 * @get_now: the wall-clock instant
 * @get_monotonic: a monotonic time in microseconds, for measuring spans
 *
 * Every piece of Calsync that needs the time asks a #CsClock, so tests and
 * the simulator can move time forward instead of sleeping.
 */
struct _CsClockClass
{
  GObjectClass parent_class;

  CsTime (*get_now)       (CsClock *self);
  gint64 (*get_monotonic) (CsClock *self);

  /*< private >*/
  gpointer _reserved[8];
};

CsClock *cs_clock_get_system    (void);
CsTime   cs_clock_get_now       (CsClock *self);
gint64   cs_clock_get_monotonic (CsClock *self);

G_END_DECLS
