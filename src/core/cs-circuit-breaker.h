/* cs-circuit-breaker.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "cs-clock.h"

G_BEGIN_DECLS

/**
 * CsCircuitState:
 * @CS_CIRCUIT_CLOSED: requests flow
 * @CS_CIRCUIT_OPEN: the service is considered down; requests are refused
 *   until the wait is over
 * @CS_CIRCUIT_HALF_OPEN: the wait is over and one probe request is allowed
 *
 * The state of a #CsCircuitBreaker.
 */
typedef enum
{
  CS_CIRCUIT_CLOSED,
  CS_CIRCUIT_OPEN,
  CS_CIRCUIT_HALF_OPEN,
} CsCircuitState;

/* DESIGN.md §2: open after 5 consecutive failures, wait 1 minute, doubling
 * up to 30 minutes. */
#define CS_CIRCUIT_FAILURE_THRESHOLD 5
#define CS_CIRCUIT_INITIAL_WAIT      (G_GINT64_CONSTANT (60) * CS_USEC_PER_SECOND)
#define CS_CIRCUIT_MAX_WAIT          (G_GINT64_CONSTANT (30) * 60 * CS_USEC_PER_SECOND)

#define CS_TYPE_CIRCUIT_BREAKER (cs_circuit_breaker_get_type ())

G_DECLARE_FINAL_TYPE (CsCircuitBreaker, cs_circuit_breaker, CS, CIRCUIT_BREAKER, GObject)

CsCircuitBreaker *cs_circuit_breaker_new            (CsClock          *clock);
gboolean          cs_circuit_breaker_try_acquire    (CsCircuitBreaker *self,
                                                     CsTime           *retry_at);
void              cs_circuit_breaker_record_success (CsCircuitBreaker *self);
void              cs_circuit_breaker_record_failure (CsCircuitBreaker *self);
void              cs_circuit_breaker_release        (CsCircuitBreaker *self);
CsCircuitState    cs_circuit_breaker_get_state      (CsCircuitBreaker *self);
CsTime            cs_circuit_breaker_get_open_until (CsCircuitBreaker *self);
guint             cs_circuit_breaker_get_failures   (CsCircuitBreaker *self);

G_END_DECLS
