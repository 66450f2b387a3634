/* cs-circuit-breaker.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-circuit-breaker.h"
#include "cs-core-enum-types.h"

/**
 * CsCircuitBreaker:
 *
 * The circuit breaker of one remote service (DESIGN.md §2), a state machine
 * over an injected #CsClock:
 *
 * - closed: every request may go; #CS_CIRCUIT_FAILURE_THRESHOLD consecutive
 *   failures open the circuit for the current wait (1 minute at first);
 * - open: requests are refused until the wait is over; the first request
 *   after it becomes the one probe and the circuit is half-open;
 * - half-open: no other request may go while the probe is out; its success
 *   closes the circuit and resets the wait, its failure opens it again with
 *   the wait doubled, up to 30 minutes.
 *
 * It does no I/O and starts no timer: callers ask before each request and
 * report each outcome.
 */
struct _CsCircuitBreaker
{
  GObject         parent_instance;

  CsClock        *clock;
  CsCircuitState  state;
  guint           failures;
  gint64          wait;
  CsTime          open_until;
  gboolean        probe_out;
};

G_DEFINE_FINAL_TYPE (CsCircuitBreaker, cs_circuit_breaker, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLOCK,
  PROP_STATE,
  PROP_OPEN_UNTIL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_state (CsCircuitBreaker *self,
           CsCircuitState    state,
           CsTime            open_until)
{
  gboolean state_changed = self->state != state;
  gboolean until_changed = self->open_until != open_until;

  self->state = state;
  self->open_until = open_until;

  if (state_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  if (until_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPEN_UNTIL]);
}

static void
cs_circuit_breaker_dispose (GObject *object)
{
  CsCircuitBreaker *self = CS_CIRCUIT_BREAKER (object);

  g_clear_object (&self->clock);

  G_OBJECT_CLASS (cs_circuit_breaker_parent_class)->dispose (object);
}

static void
cs_circuit_breaker_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CsCircuitBreaker *self = CS_CIRCUIT_BREAKER (object);

  switch (prop_id)
    {
    case PROP_CLOCK:
      g_value_set_object (value, self->clock);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_OPEN_UNTIL:
      g_value_set_int64 (value, self->open_until);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_circuit_breaker_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  CsCircuitBreaker *self = CS_CIRCUIT_BREAKER (object);

  switch (prop_id)
    {
    case PROP_CLOCK:
      self->clock = g_value_dup_object (value);
      if (self->clock == NULL)
        self->clock = g_object_ref (cs_clock_get_system ());
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_circuit_breaker_class_init (CsCircuitBreakerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_circuit_breaker_dispose;
  object_class->get_property = cs_circuit_breaker_get_property;
  object_class->set_property = cs_circuit_breaker_set_property;

  /**
   * CsCircuitBreaker:clock:
   *
   * The clock the waits are measured on.
   */
  properties[PROP_CLOCK] =
    g_param_spec_object ("clock", NULL, NULL,
                         CS_TYPE_CLOCK,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * CsCircuitBreaker:state:
   *
   * The current state. It changes only when a request is asked for or an
   * outcome is recorded, never by itself.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       CS_TYPE_CIRCUIT_STATE,
                       CS_CIRCUIT_CLOSED,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CsCircuitBreaker:open-until:
   *
   * While open, the instant from which a probe may go; otherwise
   * %CS_TIME_UNSET.
   */
  properties[PROP_OPEN_UNTIL] =
    g_param_spec_int64 ("open-until", NULL, NULL,
                        G_MININT64, G_MAXINT64, CS_TIME_UNSET,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_circuit_breaker_init (CsCircuitBreaker *self)
{
  self->state = CS_CIRCUIT_CLOSED;
  self->wait = CS_CIRCUIT_INITIAL_WAIT;
}

/**
 * cs_circuit_breaker_new:
 * @clock: (nullable): the clock, or %NULL for the system clock
 *
 * Returns: (transfer full): a new, closed circuit breaker
 */
CsCircuitBreaker *
cs_circuit_breaker_new (CsClock *clock)
{
  g_return_val_if_fail (clock == NULL || CS_IS_CLOCK (clock), NULL);

  return g_object_new (CS_TYPE_CIRCUIT_BREAKER, "clock", clock, NULL);
}

/**
 * cs_circuit_breaker_try_acquire:
 * @self: a circuit breaker
 * @retry_at: (out) (optional): when refused, the instant to ask again
 *
 * Asks whether a request may go now. When the wait of an open circuit is
 * over, the caller's request becomes the probe and the circuit half-open;
 * the caller must then report its outcome.
 *
 * Returns: %TRUE if the request may go
 */
gboolean
cs_circuit_breaker_try_acquire (CsCircuitBreaker *self,
                                CsTime           *retry_at)
{
  CsTime now;

  g_return_val_if_fail (CS_IS_CIRCUIT_BREAKER (self), FALSE);

  if (retry_at != NULL)
    *retry_at = CS_TIME_UNSET;

  switch (self->state)
    {
    case CS_CIRCUIT_CLOSED:
      return TRUE;

    case CS_CIRCUIT_OPEN:
      now = cs_clock_get_now (self->clock);
      if (now < self->open_until)
        {
          if (retry_at != NULL)
            *retry_at = self->open_until;
          return FALSE;
        }
      self->probe_out = TRUE;
      set_state (self, CS_CIRCUIT_HALF_OPEN, CS_TIME_UNSET);
      return TRUE;

    case CS_CIRCUIT_HALF_OPEN:
      /* One probe at a time; the others wait for its outcome. */
      if (self->probe_out)
        {
          if (retry_at != NULL)
            *retry_at = cs_clock_get_now (self->clock) + CS_USEC_PER_SECOND;
          return FALSE;
        }
      self->probe_out = TRUE;
      return TRUE;

    default:
      g_assert_not_reached ();
    }
}

/**
 * cs_circuit_breaker_record_success:
 * @self: a circuit breaker
 *
 * Reports a request that reached the service and got a sound answer: the
 * circuit closes, the failure count and the wait are reset.
 */
void
cs_circuit_breaker_record_success (CsCircuitBreaker *self)
{
  g_return_if_fail (CS_IS_CIRCUIT_BREAKER (self));

  self->failures = 0;
  self->wait = CS_CIRCUIT_INITIAL_WAIT;
  self->probe_out = FALSE;
  set_state (self, CS_CIRCUIT_CLOSED, CS_TIME_UNSET);
}

/**
 * cs_circuit_breaker_record_failure:
 * @self: a circuit breaker
 *
 * Reports a request that failed for a reason of the service's (network,
 * timeout, 5xx, 429). Answers that prove the service up (4xx) are successes
 * for the breaker.
 */
void
cs_circuit_breaker_record_failure (CsCircuitBreaker *self)
{
  CsTime now;

  g_return_if_fail (CS_IS_CIRCUIT_BREAKER (self));

  now = cs_clock_get_now (self->clock);
  self->failures++;

  switch (self->state)
    {
    case CS_CIRCUIT_CLOSED:
      if (self->failures >= CS_CIRCUIT_FAILURE_THRESHOLD)
        set_state (self, CS_CIRCUIT_OPEN, now + self->wait);
      break;

    case CS_CIRCUIT_HALF_OPEN:
      self->probe_out = FALSE;
      self->wait = MIN (self->wait * 2, CS_CIRCUIT_MAX_WAIT);
      set_state (self, CS_CIRCUIT_OPEN, now + self->wait);
      break;

    case CS_CIRCUIT_OPEN:
      /* A request that was already out when the circuit opened: the wait
       * that is running stays as it is. */
      break;

    default:
      g_assert_not_reached ();
    }
}

/**
 * cs_circuit_breaker_release:
 * @self: a circuit breaker
 *
 * Reports a request that ended without telling anything about the service
 * (it was cancelled): if it was the half-open probe, the next request may
 * probe instead; nothing else changes.
 */
void
cs_circuit_breaker_release (CsCircuitBreaker *self)
{
  g_return_if_fail (CS_IS_CIRCUIT_BREAKER (self));

  self->probe_out = FALSE;
}

/**
 * cs_circuit_breaker_get_state:
 * @self: a circuit breaker
 *
 * Returns: the current state
 */
CsCircuitState
cs_circuit_breaker_get_state (CsCircuitBreaker *self)
{
  g_return_val_if_fail (CS_IS_CIRCUIT_BREAKER (self), CS_CIRCUIT_CLOSED);

  return self->state;
}

/**
 * cs_circuit_breaker_get_open_until:
 * @self: a circuit breaker
 *
 * Returns: while open, when the next probe may go; else %CS_TIME_UNSET
 */
CsTime
cs_circuit_breaker_get_open_until (CsCircuitBreaker *self)
{
  g_return_val_if_fail (CS_IS_CIRCUIT_BREAKER (self), CS_TIME_UNSET);

  return self->open_until;
}

/**
 * cs_circuit_breaker_get_failures:
 * @self: a circuit breaker
 *
 * Returns: the number of failures since the last success
 */
guint
cs_circuit_breaker_get_failures (CsCircuitBreaker *self)
{
  g_return_val_if_fail (CS_IS_CIRCUIT_BREAKER (self), 0);

  return self->failures;
}
