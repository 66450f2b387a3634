/* cs-rate-limiter.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "cs-clock.h"

G_BEGIN_DECLS

#define CS_TYPE_RATE_LIMITER (cs_rate_limiter_get_type ())

G_DECLARE_FINAL_TYPE (CsRateLimiter, cs_rate_limiter, CS, RATE_LIMITER, GObject)

CsRateLimiter *cs_rate_limiter_new              (CsClock       *clock,
                                                 guint          limit,
                                                 gint64         window);
CsTime         cs_rate_limiter_reserve          (CsRateLimiter *self);
gboolean       cs_rate_limiter_reserve_before   (CsRateLimiter *self,
                                                 CsTime         deadline,
                                                 CsTime        *slot);
void           cs_rate_limiter_block_until      (CsRateLimiter *self,
                                                 CsTime         until);
void           cs_rate_limiter_update_from_server (CsRateLimiter *self,
                                                   gint64         limit,
                                                   gint64         remaining,
                                                   gint64         reset_seconds);
guint          cs_rate_limiter_get_limit        (CsRateLimiter *self);
CsTime         cs_rate_limiter_get_blocked_until (CsRateLimiter *self);

G_END_DECLS
