/* cs-rate-limiter.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-rate-limiter.h"

/**
 * CsRateLimiter:
 *
 * Keeps a client below a server's published request rate without being
 * told (Cal.com: 120 requests a minute for an API key, then blocked for a
 * minute), and obeys the server when it does tell.
 *
 * It hands out send times: cs_rate_limiter_reserve() books the earliest
 * slot such that no window of the configured length (plus a margin for
 * jitter between sending and arriving) holds more than the limit. The
 * server's own figures (`X-RateLimit-Remaining-*`, `-Reset-*`, also
 * counting requests of other clients with the same key) and a 429 block
 * slots until the server's window ends. All time comes from a #CsClock.
 */
struct _CsRateLimiter
{
  GObject  parent_instance;

  CsClock *clock;
  guint    limit;
  gint64   window;

  /* The send times of the last `limit` slots, oldest first. */
  GQueue   slots;

  CsTime   blocked_until;
  gint64   server_remaining;   /* -1: unknown */
  CsTime   server_reset_at;
};

G_DEFINE_FINAL_TYPE (CsRateLimiter, cs_rate_limiter, G_TYPE_OBJECT)

/* Requests sent back to back may arrive in another order: one second of
 * slack keeps the last of a window from landing in the next one early. */
#define JITTER_MARGIN (CS_USEC_PER_SECOND)

static void
cs_rate_limiter_finalize (GObject *object)
{
  CsRateLimiter *self = CS_RATE_LIMITER (object);

  g_queue_clear_full (&self->slots, g_free);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (cs_rate_limiter_parent_class)->finalize (object);
}

static void
cs_rate_limiter_class_init (CsRateLimiterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cs_rate_limiter_finalize;
}

static void
cs_rate_limiter_init (CsRateLimiter *self)
{
  g_queue_init (&self->slots);
  self->server_remaining = -1;
}

/**
 * cs_rate_limiter_new:
 * @clock: (nullable): the clock, or %NULL for the system clock
 * @limit: requests allowed per window, at least 1
 * @window: the window's length in microseconds
 *
 * Returns: (transfer full): a new limiter
 */
CsRateLimiter *
cs_rate_limiter_new (CsClock *clock,
                     guint    limit,
                     gint64   window)
{
  CsRateLimiter *self;

  g_return_val_if_fail (clock == NULL || CS_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (limit > 0, NULL);
  g_return_val_if_fail (window > 0, NULL);

  self = g_object_new (CS_TYPE_RATE_LIMITER, NULL);
  self->clock = g_object_ref (clock != NULL ? clock : cs_clock_get_system ());
  self->limit = limit;
  self->window = window;

  return self;
}

/**
 * cs_rate_limiter_reserve:
 * @self: a limiter
 *
 * Books the earliest slot a request may be sent in. The caller must send
 * at (or after) the returned time, and should not ask for a slot it will
 * not use.
 *
 * Returns: the instant to send at; the clock's now if that is at once
 */
CsTime
cs_rate_limiter_reserve (CsRateLimiter *self)
{
  CsTime slot = CS_TIME_UNSET;

  g_return_val_if_fail (CS_IS_RATE_LIMITER (self), CS_TIME_UNSET);

  cs_rate_limiter_reserve_before (self, G_MAXINT64, &slot);

  return slot;
}

/**
 * cs_rate_limiter_reserve_before:
 * @self: a limiter
 * @deadline: the latest acceptable slot
 * @slot: (out): the instant to send at, or, if that is after @deadline,
 *   the earliest slot there is
 *
 * Books the earliest slot, as cs_rate_limiter_reserve() does, but only if
 * it is no later than @deadline: a run that must end by then gives up at
 * once instead of waiting for a slot it cannot use, and books nothing, so
 * the requests that do fit keep their places.
 *
 * Returns: %TRUE if the slot in @slot is booked
 */
gboolean
cs_rate_limiter_reserve_before (CsRateLimiter *self,
                                CsTime         deadline,
                                CsTime        *slot)
{
  CsTime now, earliest;
  CsTime *stored;
  gboolean window_full;

  g_return_val_if_fail (CS_IS_RATE_LIMITER (self), FALSE);
  g_return_val_if_fail (slot != NULL, FALSE);

  now = cs_clock_get_now (self->clock);
  earliest = MAX (now, self->blocked_until);

  /* The server said how many requests its window has left. */
  if (self->server_remaining >= 0 && self->server_reset_at <= now)
    self->server_remaining = -1;
  if (self->server_remaining == 0)
    earliest = MAX (earliest, self->server_reset_at);

  /* Sliding window: the slot `limit` places back must be a window old. */
  while (g_queue_get_length (&self->slots) > self->limit)
    g_free (g_queue_pop_head (&self->slots));

  window_full = g_queue_get_length (&self->slots) == self->limit;
  if (window_full)
    {
      CsTime oldest = *(CsTime *) g_queue_peek_head (&self->slots);

      earliest = MAX (earliest, oldest + self->window + JITTER_MARGIN);
    }

  *slot = earliest;
  if (earliest > deadline)
    return FALSE;

  /* Booked: only now does the slot count against the windows. */
  if (self->server_remaining > 0)
    self->server_remaining--;
  if (window_full)
    g_free (g_queue_pop_head (&self->slots));

  stored = g_new (CsTime, 1);
  *stored = earliest;
  g_queue_push_tail (&self->slots, stored);

  return TRUE;
}

/**
 * cs_rate_limiter_block_until:
 * @self: a limiter
 * @until: no slot before this instant
 *
 * Called after a 429: nothing goes until the server's wait is over.
 */
void
cs_rate_limiter_block_until (CsRateLimiter *self,
                             CsTime         until)
{
  g_return_if_fail (CS_IS_RATE_LIMITER (self));

  self->blocked_until = MAX (self->blocked_until, until);
}

/**
 * cs_rate_limiter_update_from_server:
 * @self: a limiter
 * @limit: the server's limit per window, or -1 if not told
 * @remaining: requests left in the server's window, or -1 if not told
 * @reset_seconds: seconds until the server's window ends, or -1
 *
 * Takes in the rate-limit headers of an answer.
 */
void
cs_rate_limiter_update_from_server (CsRateLimiter *self,
                                    gint64         limit,
                                    gint64         remaining,
                                    gint64         reset_seconds)
{
  CsTime now;

  g_return_if_fail (CS_IS_RATE_LIMITER (self));

  now = cs_clock_get_now (self->clock);

  /* A key with a higher or lower published limit (OAuth tokens get 500). */
  if (limit > 0 && limit <= 100000)
    self->limit = (guint) limit;

  if (remaining >= 0 && reset_seconds >= 0)
    {
      self->server_remaining = remaining;
      self->server_reset_at = now + (reset_seconds + 1) * CS_USEC_PER_SECOND;
    }
}

/**
 * cs_rate_limiter_get_limit:
 * @self: a limiter
 *
 * Returns: the current limit per window
 */
guint
cs_rate_limiter_get_limit (CsRateLimiter *self)
{
  g_return_val_if_fail (CS_IS_RATE_LIMITER (self), 0);

  return self->limit;
}

/**
 * cs_rate_limiter_get_blocked_until:
 * @self: a limiter
 *
 * Returns: the instant a 429 blocks sending until, or %CS_TIME_UNSET
 */
CsTime
cs_rate_limiter_get_blocked_until (CsRateLimiter *self)
{
  g_return_val_if_fail (CS_IS_RATE_LIMITER (self), CS_TIME_UNSET);

  return self->blocked_until;
}
