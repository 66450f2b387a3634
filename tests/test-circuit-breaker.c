/* test-circuit-breaker.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-circuit-breaker.h"
#include "cs-manual-clock.h"

#define T0 ((CsTime) G_GINT64_CONSTANT (1795424400) * CS_USEC_PER_SECOND)
#define MINUTE CS_USEC_PER_MINUTE

typedef struct
{
  CsClock          *clock;
  CsCircuitBreaker *breaker;
  guint             state_notifies;
} Fixture;

static void
on_state_notify (Fixture *f)
{
  f->state_notifies++;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->clock = cs_manual_clock_new (T0);
  f->breaker = cs_circuit_breaker_new (f->clock);
  g_signal_connect_swapped (f->breaker, "notify::state", G_CALLBACK (on_state_notify), f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_finalize_object (f->breaker);
  g_assert_finalize_object (f->clock);
}

static void
advance (Fixture *f,
         gint64   usec)
{
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), usec);
}

static void
fail_times (Fixture *f,
            guint    n)
{
  for (guint i = 0; i < n; i++)
    {
      g_assert_true (cs_circuit_breaker_try_acquire (f->breaker, NULL));
      cs_circuit_breaker_record_failure (f->breaker);
    }
}

static void
test_opens_after_five_failures (Fixture       *f,
                                gconstpointer  data)
{
  CsTime retry_at = 0;

  fail_times (f, 4);
  g_assert_cmpint (cs_circuit_breaker_get_state (f->breaker), ==, CS_CIRCUIT_CLOSED);
  g_assert_cmpuint (cs_circuit_breaker_get_failures (f->breaker), ==, 4);
  g_assert_cmpuint (f->state_notifies, ==, 0);

  fail_times (f, 1);
  g_assert_cmpint (cs_circuit_breaker_get_state (f->breaker), ==, CS_CIRCUIT_OPEN);
  g_assert_cmpint (cs_circuit_breaker_get_open_until (f->breaker), ==, T0 + MINUTE);
  g_assert_cmpuint (f->state_notifies, ==, 1);

  g_assert_false (cs_circuit_breaker_try_acquire (f->breaker, &retry_at));
  g_assert_cmpint (retry_at, ==, T0 + MINUTE);
}

static void
test_success_resets_count (Fixture       *f,
                           gconstpointer  data)
{
  fail_times (f, 4);
  g_assert_true (cs_circuit_breaker_try_acquire (f->breaker, NULL));
  cs_circuit_breaker_record_success (f->breaker);
  g_assert_cmpuint (cs_circuit_breaker_get_failures (f->breaker), ==, 0);

  /* Consecutive failures count, not failures in total. */
  fail_times (f, 4);
  g_assert_cmpint (cs_circuit_breaker_get_state (f->breaker), ==, CS_CIRCUIT_CLOSED);
}

static void
test_half_open_single_probe (Fixture       *f,
                             gconstpointer  data)
{
  CsTime retry_at = 0;

  fail_times (f, 5);

  advance (f, MINUTE - 1);
  g_assert_false (cs_circuit_breaker_try_acquire (f->breaker, NULL));

  advance (f, 1);
  g_assert_true (cs_circuit_breaker_try_acquire (f->breaker, NULL));
  g_assert_cmpint (cs_circuit_breaker_get_state (f->breaker), ==, CS_CIRCUIT_HALF_OPEN);

  /* While the probe is out, nobody else goes. */
  g_assert_false (cs_circuit_breaker_try_acquire (f->breaker, &retry_at));
  g_assert_cmpint (retry_at, >, cs_clock_get_now (f->clock));

  cs_circuit_breaker_record_success (f->breaker);
  g_assert_cmpint (cs_circuit_breaker_get_state (f->breaker), ==, CS_CIRCUIT_CLOSED);
  g_assert_cmpint (cs_circuit_breaker_get_open_until (f->breaker), ==, CS_TIME_UNSET);
  g_assert_true (cs_circuit_breaker_try_acquire (f->breaker, NULL));
  g_assert_true (cs_circuit_breaker_try_acquire (f->breaker, NULL));
}

static void
test_wait_doubles_to_thirty_minutes (Fixture       *f,
                                     gconstpointer  data)
{
  const gint64 expected[] = { 1, 2, 4, 8, 16, 30, 30 };

  fail_times (f, 5);
  g_assert_cmpint (cs_circuit_breaker_get_open_until (f->breaker), ==,
                   cs_clock_get_now (f->clock) + expected[0] * MINUTE);

  for (guint i = 1; i < G_N_ELEMENTS (expected); i++)
    {
      advance (f, expected[i - 1] * MINUTE);
      g_assert_true (cs_circuit_breaker_try_acquire (f->breaker, NULL));
      cs_circuit_breaker_record_failure (f->breaker);
      g_assert_cmpint (cs_circuit_breaker_get_state (f->breaker), ==, CS_CIRCUIT_OPEN);
      g_assert_cmpint (cs_circuit_breaker_get_open_until (f->breaker), ==,
                       cs_clock_get_now (f->clock) + expected[i] * MINUTE);
    }

  /* Success resets the wait to one minute. */
  advance (f, 30 * MINUTE);
  g_assert_true (cs_circuit_breaker_try_acquire (f->breaker, NULL));
  cs_circuit_breaker_record_success (f->breaker);
  fail_times (f, 5);
  g_assert_cmpint (cs_circuit_breaker_get_open_until (f->breaker), ==,
                   cs_clock_get_now (f->clock) + MINUTE);
}

static void
test_late_failure_while_open (Fixture       *f,
                              gconstpointer  data)
{
  CsTime until;

  fail_times (f, 5);
  until = cs_circuit_breaker_get_open_until (f->breaker);

  /* A request that was already out fails after the circuit opened. */
  advance (f, 10 * CS_USEC_PER_SECOND);
  cs_circuit_breaker_record_failure (f->breaker);
  g_assert_cmpint (cs_circuit_breaker_get_open_until (f->breaker), ==, until);
}

static void
test_cancelled_probe_released (Fixture       *f,
                               gconstpointer  data)
{
  fail_times (f, 5);
  advance (f, MINUTE);

  g_assert_true (cs_circuit_breaker_try_acquire (f->breaker, NULL));
  g_assert_false (cs_circuit_breaker_try_acquire (f->breaker, NULL));

  /* The probe was cancelled: it proved nothing, and must not block for ever. */
  cs_circuit_breaker_release (f->breaker);
  g_assert_cmpint (cs_circuit_breaker_get_state (f->breaker), ==, CS_CIRCUIT_HALF_OPEN);
  g_assert_true (cs_circuit_breaker_try_acquire (f->breaker, NULL));
  cs_circuit_breaker_record_success (f->breaker);
  g_assert_cmpint (cs_circuit_breaker_get_state (f->breaker), ==, CS_CIRCUIT_CLOSED);
}

static void
test_wall_clock_jump (Fixture       *f,
                      gconstpointer  data)
{
  fail_times (f, 5);

  /* A suspend of an hour: the wait is long over on return. */
  cs_manual_clock_set_now (CS_MANUAL_CLOCK (f->clock), T0 + 60 * MINUTE);
  g_assert_true (cs_circuit_breaker_try_acquire (f->breaker, NULL));
  g_assert_cmpint (cs_circuit_breaker_get_state (f->breaker), ==, CS_CIRCUIT_HALF_OPEN);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/calsync/core/circuit-breaker/" path, Fixture, NULL, \
              fixture_set_up, func, fixture_tear_down)

  ADD ("opens-after-five-failures", test_opens_after_five_failures);
  ADD ("success-resets-count", test_success_resets_count);
  ADD ("half-open-single-probe", test_half_open_single_probe);
  ADD ("wait-doubles-to-thirty-minutes", test_wait_doubles_to_thirty_minutes);
  ADD ("late-failure-while-open", test_late_failure_while_open);
  ADD ("cancelled-probe-released", test_cancelled_probe_released);
  ADD ("wall-clock-jump", test_wall_clock_jump);

#undef ADD

  return g_test_run ();
}
