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
 * CsClockFunc:
 * @user_data: the data given to cs_clock_add_timeout()
 *
 * A one-shot timer callback.
 */
typedef void (*CsClockFunc) (gpointer user_data);

/**
 * CsClockClass:
 * @get_now: the wall-clock instant
 * @get_monotonic: a monotonic time in microseconds, for measuring spans
 * @add_timeout: calls a function once, at or after a wall-clock instant
 * @remove_timeout: cancels a timer that has not fired
 *
 * Every piece of Calsync that needs the time asks a #CsClock, so tests and
 * the simulator can move time forward instead of sleeping.
 */
struct _CsClockClass
{
  GObjectClass parent_class;

  CsTime (*get_now)       (CsClock *self);
  gint64 (*get_monotonic) (CsClock *self);
  guint  (*add_timeout)    (CsClock        *self,
                            CsTime          due,
                            CsClockFunc     func,
                            gpointer        user_data,
                            GDestroyNotify  notify);
  void   (*remove_timeout) (CsClock        *self,
                            guint           id);

  /*< private >*/
  gpointer _reserved[8];
};

CsClock *cs_clock_get_system     (void);
CsTime   cs_clock_get_now        (CsClock        *self);
gint64   cs_clock_get_monotonic  (CsClock        *self);
guint    cs_clock_add_timeout    (CsClock        *self,
                                  CsTime          due,
                                  CsClockFunc     func,
                                  gpointer        user_data,
                                  GDestroyNotify  notify);
void     cs_clock_remove_timeout (CsClock        *self,
                                  guint           id);

G_END_DECLS
