/* test-rate-limiter.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-manual-clock.h"
#include "cs-rate-limiter.h"

#define T0     ((CsTime) G_GINT64_CONSTANT (1795424400) * CS_USEC_PER_SECOND)
#define SECOND CS_USEC_PER_SECOND
#define MINUTE (60 * SECOND)

static void
test_limit_per_window (void)
{
  g_autoptr(CsClock) clock = cs_manual_clock_new (T0);
  g_autoptr(CsRateLimiter) limiter = cs_rate_limiter_new (clock, 120, MINUTE);
  CsTime last = 0;

  /* 120 at once, then one a window (plus a second of margin) later. */
  for (guint i = 0; i < 120; i++)
    g_assert_cmpint (cs_rate_limiter_reserve (limiter), ==, T0);
  g_assert_cmpint (cs_rate_limiter_reserve (limiter), ==, T0 + MINUTE + SECOND);

  /* Any window of a minute holds at most 120 slots: check 600. */
  for (guint i = 121; i < 600; i++)
    {
      CsTime slot = cs_rate_limiter_reserve (limiter);

      g_assert_cmpint (slot, >=, last);
      last = slot;
    }
  g_assert_cmpint (last, >=, T0 + 4 * (MINUTE + SECOND));
}

static void
test_sliding_window_frees_slots (void)
{
  g_autoptr(CsClock) clock = cs_manual_clock_new (T0);
  g_autoptr(CsRateLimiter) limiter = cs_rate_limiter_new (clock, 2, MINUTE);

  g_assert_cmpint (cs_rate_limiter_reserve (limiter), ==, T0);
  cs_manual_clock_advance (CS_MANUAL_CLOCK (clock), 30 * SECOND);
  g_assert_cmpint (cs_rate_limiter_reserve (limiter), ==, T0 + 30 * SECOND);

  /* The first slot leaves the window 61 s after it was used. */
  g_assert_cmpint (cs_rate_limiter_reserve (limiter), ==, T0 + MINUTE + SECOND);
  cs_manual_clock_advance (CS_MANUAL_CLOCK (clock), 10 * MINUTE);
  g_assert_cmpint (cs_rate_limiter_reserve (limiter), ==, cs_clock_get_now (clock));
}

static void
test_server_remaining (void)
{
  g_autoptr(CsClock) clock = cs_manual_clock_new (T0);
  g_autoptr(CsRateLimiter) limiter = cs_rate_limiter_new (clock, 120, MINUTE);

  /* Another client of the same key used most of the window: two more may
   * go, the third waits for the window's end (and a second of margin). */
  cs_rate_limiter_update_from_server (limiter, 120, 2, 30);
  g_assert_cmpint (cs_rate_limiter_reserve (limiter), ==, T0);
  g_assert_cmpint (cs_rate_limiter_reserve (limiter), ==, T0);
  g_assert_cmpint (cs_rate_limiter_reserve (limiter), ==, T0 + 31 * SECOND);

  cs_rate_limiter_update_from_server (limiter, 120, 0, 10);
  g_assert_cmpint (cs_rate_limiter_reserve (limiter), ==, T0 + 11 * SECOND);

  /* Past the server's reset its figure no longer counts. */
  cs_manual_clock_advance (CS_MANUAL_CLOCK (clock), 2 * MINUTE);
  g_assert_cmpint (cs_rate_limiter_reserve (limiter), ==, T0 + 2 * MINUTE);
}

static void
test_published_limit_and_block (void)
{
  g_autoptr(CsClock) clock = cs_manual_clock_new (T0);
  g_autoptr(CsRateLimiter) limiter = cs_rate_limiter_new (clock, 120, MINUTE);

  cs_rate_limiter_update_from_server (limiter, 500, -1, -1);
  g_assert_cmpuint (cs_rate_limiter_get_limit (limiter), ==, 500);
  cs_rate_limiter_update_from_server (limiter, 0, -1, -1);
  g_assert_cmpuint (cs_rate_limiter_get_limit (limiter), ==, 500);

  cs_rate_limiter_block_until (limiter, T0 + MINUTE);
  cs_rate_limiter_block_until (limiter, T0 + SECOND);
  g_assert_cmpint (cs_rate_limiter_get_blocked_until (limiter), ==, T0 + MINUTE);
  g_assert_cmpint (cs_rate_limiter_reserve (limiter), ==, T0 + MINUTE);
}

static void
test_reserve_before_deadline (void)
{
  g_autoptr(CsClock) clock = cs_manual_clock_new (T0);
  g_autoptr(CsRateLimiter) limiter = cs_rate_limiter_new (clock, 1, MINUTE);
  CsTime slot = CS_TIME_UNSET;

  g_assert_true (cs_rate_limiter_reserve_before (limiter, T0 + 30 * SECOND, &slot));
  g_assert_cmpint (slot, ==, T0);

  /* The next slot is past the deadline: told, not booked, as often as
   * asked. */
  for (guint i = 0; i < 3; i++)
    {
      g_assert_false (cs_rate_limiter_reserve_before (limiter, T0 + 30 * SECOND, &slot));
      g_assert_cmpint (slot, ==, T0 + MINUTE + SECOND);
    }
  g_assert_cmpint (cs_rate_limiter_reserve (limiter), ==, T0 + MINUTE + SECOND);

  /* The server's own count is not spent by a refused slot either. */
  cs_manual_clock_advance (CS_MANUAL_CLOCK (clock), 10 * MINUTE);
  cs_rate_limiter_update_from_server (limiter, 120, 0, 100);
  g_assert_false (cs_rate_limiter_reserve_before (limiter, cs_clock_get_now (clock) + MINUTE,
                                                  &slot));
  g_assert_cmpint (slot, ==, cs_clock_get_now (clock) + 101 * SECOND);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/calsync/net/rate-limiter/limit-per-window", test_limit_per_window);
  g_test_add_func ("/calsync/net/rate-limiter/sliding-window", test_sliding_window_frees_slots);
  g_test_add_func ("/calsync/net/rate-limiter/server-remaining", test_server_remaining);
  g_test_add_func ("/calsync/net/rate-limiter/published-limit-and-block", test_published_limit_and_block);
  g_test_add_func ("/calsync/net/rate-limiter/reserve-before-deadline", test_reserve_before_deadline);

  return g_test_run ();
}
