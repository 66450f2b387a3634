/* cs-manual-clock.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cs-clock.h"

G_BEGIN_DECLS

#define CS_TYPE_MANUAL_CLOCK (cs_manual_clock_get_type ())

G_DECLARE_FINAL_TYPE (CsManualClock, cs_manual_clock, CS, MANUAL_CLOCK, CsClock)

CsClock *cs_manual_clock_new                  (CsTime         now);
void     cs_manual_clock_set_now              (CsManualClock *self,
                                               CsTime         now);
void     cs_manual_clock_advance              (CsManualClock *self,
                                               gint64         usec);
CsTime   cs_manual_clock_get_next_due         (CsManualClock *self);
gboolean cs_manual_clock_advance_to_next      (CsManualClock *self);
guint    cs_manual_clock_get_n_timeouts       (CsManualClock *self);
void     cs_manual_clock_set_follow_real_time (CsManualClock *self,
                                               gboolean       follow);

G_END_DECLS
