/* test-retry-policy.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-manual-clock.h"
#include "cs-retry-policy.h"

#define T0 ((CsTime) G_GINT64_CONSTANT (1795424400) * CS_USEC_PER_SECOND)

typedef struct
{
  CsClock        *clock;
  CsSyncTracking  tracking;
  CsTime          due;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->clock = cs_manual_clock_new (T0);
  cs_sync_tracking_init (&f->tracking);
  f->due = CS_TIME_UNSET;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  cs_sync_tracking_clear (&f->tracking);
  g_assert_finalize_object (f->clock);
}

/* Applies @kind at the clock's time and keeps the new tracking fields and
 * the next due time, as the cache does. */
static void
attempt (Fixture         *f,
         CsAttemptKind    kind,
         const char      *message,
         CsRetryDecision *decision)
{
  CsAttemptResult result = { .kind = kind, .message = message };

  cs_retry_policy_apply (&f->tracking, f->due, &result, cs_clock_get_now (f->clock), decision);
  cs_sync_tracking_copy_into (&decision->tracking, &f->tracking);
  f->due = decision->next_attempt_at;
}

static void
advance_to (Fixture *f,
            CsTime   when)
{
  CsTime now = cs_clock_get_now (f->clock);

  g_assert_cmpint (when, >=, now);
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), when - now);
}

static void
test_success_first_time (Fixture       *f,
                         gconstpointer  data)
{
  CsRetryDecision d;

  attempt (f, CS_ATTEMPT_SYNCED, NULL, &d);
  g_assert_cmpint (d.tracking.status, ==, CS_SYNC_STATUS_SYNCED);
  g_assert_cmpuint (d.tracking.sync_attempt_count, ==, 0);
  g_assert_cmpint (d.tracking.sync_verified_at, ==, T0);
  g_assert_cmpint (d.tracking.last_sync_attempt_at, ==, T0);
  g_assert_cmpint (d.tracking.sync_error_code, ==, CS_ERROR_CODE_NONE);
  g_assert_null (d.tracking.sync_error_message);
  g_assert_false (d.tracking.requires_manual_review);
  g_assert_cmpint (d.next_attempt_at, ==, CS_TIME_UNSET);
  g_assert_false (d.newly_flagged);
  cs_retry_decision_clear (&d);
}

static void
test_schedule_to_manual_review (Fixture       *f,
                                gconstpointer  data)
{
  CsRetryDecision d;
  CsTime second, third;

  /* Attempt 1, at once. */
  attempt (f, CS_ATTEMPT_VERIFICATION_ERROR, "API timeout", &d);
  g_assert_cmpint (d.tracking.status, ==, CS_SYNC_STATUS_FAILED);
  g_assert_cmpint (d.tracking.sync_error_code, ==, CS_ERROR_CODE_VERIFICATION_ERROR);
  g_assert_cmpstr (d.tracking.sync_error_message, ==, "API timeout");
  g_assert_cmpuint (d.tracking.sync_attempt_count, ==, 1);
  g_assert_false (d.tracking.requires_manual_review);
  second = d.next_attempt_at;
  g_assert_cmpint (second, ==, T0 + CS_USEC_PER_MINUTE);
  cs_retry_decision_clear (&d);

  /* Attempt 2, one minute later. */
  advance_to (f, second);
  attempt (f, CS_ATTEMPT_VERIFICATION_ERROR, "API timeout", &d);
  g_assert_cmpuint (d.tracking.sync_attempt_count, ==, 2);
  g_assert_cmpint (d.tracking.last_sync_attempt_at, ==, second);
  third = d.next_attempt_at;
  g_assert_cmpint (third, ==, second + 5 * CS_USEC_PER_MINUTE);
  g_assert_false (d.newly_flagged);
  cs_retry_decision_clear (&d);

  /* Attempt 3, five minutes after that: flagged, notified once. */
  advance_to (f, third);
  attempt (f, CS_ATTEMPT_VERIFICATION_ERROR, "API timeout", &d);
  g_assert_cmpuint (d.tracking.sync_attempt_count, ==, 3);
  g_assert_true (d.tracking.requires_manual_review);
  g_assert_cmpint (d.tracking.manual_review_flagged_at, ==, third);
  g_assert_true (d.newly_flagged);
  g_assert_cmpint (d.next_attempt_at, ==, CS_TIME_UNSET);
  cs_retry_decision_clear (&d);

  /* Later checks (the daily ones) find it still wrong: the count has
   * stopped, no second flag, no second notification, the first flag time
   * stays, nothing is due. */
  for (guint day = 1; day <= 20; day++)
    {
      advance_to (f, third + day * CS_USEC_PER_DAY);
      attempt (f, CS_ATTEMPT_VERIFICATION_ERROR, "API timeout", &d);
      g_assert_cmpuint (d.tracking.sync_attempt_count, ==, 3);
      g_assert_cmpint (d.tracking.last_sync_attempt_at, ==, third);
      g_assert_true (d.tracking.requires_manual_review);
      g_assert_cmpint (d.tracking.manual_review_flagged_at, ==, third);
      g_assert_false (d.newly_flagged);
      g_assert_false (d.counted);
      g_assert_cmpint (d.next_attempt_at, ==, CS_TIME_UNSET);
      cs_retry_decision_clear (&d);
    }
}

/* Runs that meet an item before its next attempt time check it without
 * counting: three runs within a second leave one attempt, and the +1 and
 * +5 minute attempts still come and flag. */
static void
test_early_checks_count_nothing (Fixture       *f,
                                 gconstpointer  data)
{
  CsRetryDecision d;
  CsTime second;

  attempt (f, CS_ATTEMPT_ORPHANED_LOCAL, "Not in Cal.com", &d);
  g_assert_true (d.counted);
  second = d.next_attempt_at;
  cs_retry_decision_clear (&d);

  for (guint i = 0; i < 3; i++)
    {
      advance_to (f, cs_clock_get_now (f->clock) + CS_USEC_PER_SECOND / 3);
      g_assert_false (cs_retry_policy_is_due (&f->tracking, f->due, cs_clock_get_now (f->clock)));
      attempt (f, CS_ATTEMPT_DATA_MISMATCH, "Data mismatch: start", &d);
      g_assert_false (d.counted);
      g_assert_false (d.newly_flagged);
      g_assert_cmpuint (d.tracking.sync_attempt_count, ==, 1);
      g_assert_cmpint (d.tracking.last_sync_attempt_at, ==, T0);
      g_assert_cmpint (d.next_attempt_at, ==, second);
      /* What was found is shown at once. */
      g_assert_cmpint (d.tracking.sync_error_code, ==, CS_ERROR_CODE_DATA_MISMATCH);
      g_assert_cmpstr (d.tracking.sync_error_message, ==, "Data mismatch: start");
      cs_retry_decision_clear (&d);
    }

  advance_to (f, second);
  g_assert_true (cs_retry_policy_is_due (&f->tracking, f->due, cs_clock_get_now (f->clock)));
  attempt (f, CS_ATTEMPT_DATA_MISMATCH, "Data mismatch: start", &d);
  g_assert_true (d.counted);
  g_assert_cmpuint (d.tracking.sync_attempt_count, ==, 2);
  g_assert_cmpint (d.next_attempt_at, ==, second + CS_RETRY_DELAY_SECOND);
  cs_retry_decision_clear (&d);

  /* Early again (4 of the 5 minutes), then due. */
  advance_to (f, second + 4 * CS_USEC_PER_MINUTE);
  attempt (f, CS_ATTEMPT_DATA_MISMATCH, "Data mismatch: start", &d);
  g_assert_false (d.counted);
  g_assert_false (d.tracking.requires_manual_review);
  cs_retry_decision_clear (&d);

  advance_to (f, second + CS_RETRY_DELAY_SECOND);
  attempt (f, CS_ATTEMPT_DATA_MISMATCH, "Data mismatch: start", &d);
  g_assert_true (d.counted);
  g_assert_true (d.newly_flagged);
  g_assert_cmpuint (d.tracking.sync_attempt_count, ==, 3);
  cs_retry_decision_clear (&d);
}

/* A flagged item that changes its problem shows the new one and keeps its
 * flag: a person must still look. */
static void
test_flagged_follows_finding (Fixture       *f,
                              gconstpointer  data)
{
  CsRetryDecision d;
  CsTime flagged_at;

  for (guint i = 0; i < CS_RETRY_MAX_ATTEMPTS; i++)
    {
      if (f->due != CS_TIME_UNSET)
        advance_to (f, f->due);
      attempt (f, CS_ATTEMPT_ORPHANED_LOCAL, "Not in Cal.com", &d);
      cs_retry_decision_clear (&d);
    }
  flagged_at = f->tracking.manual_review_flagged_at;

  advance_to (f, cs_clock_get_now (f->clock) + CS_USEC_PER_DAY);
  attempt (f, CS_ATTEMPT_DATA_MISMATCH, "Data mismatch: status", &d);
  g_assert_cmpint (d.tracking.status, ==, CS_SYNC_STATUS_FAILED);
  g_assert_cmpint (d.tracking.sync_error_code, ==, CS_ERROR_CODE_DATA_MISMATCH);
  g_assert_true (d.tracking.requires_manual_review);
  g_assert_cmpint (d.tracking.manual_review_flagged_at, ==, flagged_at);
  g_assert_cmpuint (d.tracking.sync_attempt_count, ==, 3);
  g_assert_false (d.newly_flagged);
  cs_retry_decision_clear (&d);
}

static void
test_orphan_confirmed_over_three_attempts (Fixture       *f,
                                           gconstpointer  data)
{
  CsRetryDecision d;

  /* An orphan shows its status from attempt 1 but is flagged only at 3:
   * a booking written a second ago may not be listed yet. */
  attempt (f, CS_ATTEMPT_ORPHANED_LOCAL, "Not in Cal.com", &d);
  g_assert_cmpint (d.tracking.status, ==, CS_SYNC_STATUS_ORPHANED_LOCAL);
  g_assert_cmpint (d.tracking.sync_error_code, ==, CS_ERROR_CODE_ORPHANED_LOCAL);
  g_assert_false (d.tracking.requires_manual_review);
  advance_to (f, d.next_attempt_at);
  cs_retry_decision_clear (&d);

  attempt (f, CS_ATTEMPT_ORPHANED_LOCAL, "Not in Cal.com", &d);
  g_assert_false (d.tracking.requires_manual_review);
  advance_to (f, d.next_attempt_at);
  cs_retry_decision_clear (&d);

  attempt (f, CS_ATTEMPT_ORPHANED_LOCAL, "Not in Cal.com", &d);
  g_assert_true (d.tracking.requires_manual_review);
  g_assert_true (d.newly_flagged);
  cs_retry_decision_clear (&d);
}

static void
test_race_resolves_before_flag (Fixture       *f,
                                gconstpointer  data)
{
  CsRetryDecision d;

  attempt (f, CS_ATTEMPT_ORPHANED_CALCOM, "Not in the database", &d);
  g_assert_cmpint (d.tracking.status, ==, CS_SYNC_STATUS_ORPHANED_CALCOM);
  g_assert_cmpint (d.tracking.sync_error_code, ==, CS_ERROR_CODE_ORPHANED_CALCOM);
  advance_to (f, d.next_attempt_at);
  cs_retry_decision_clear (&d);

  attempt (f, CS_ATTEMPT_SYNCED, NULL, &d);
  g_assert_cmpint (d.tracking.status, ==, CS_SYNC_STATUS_SYNCED);
  g_assert_cmpuint (d.tracking.sync_attempt_count, ==, 0);
  g_assert_cmpint (d.tracking.sync_verified_at, ==, T0 + CS_USEC_PER_MINUTE);
  g_assert_cmpint (d.tracking.sync_error_code, ==, CS_ERROR_CODE_NONE);
  g_assert_null (d.tracking.sync_error_message);
  cs_retry_decision_clear (&d);
}

static void
test_mismatch_is_failed_with_code (Fixture       *f,
                                   gconstpointer  data)
{
  CsRetryDecision d;

  attempt (f, CS_ATTEMPT_DATA_MISMATCH, "Data mismatch", &d);
  g_assert_cmpint (d.tracking.status, ==, CS_SYNC_STATUS_FAILED);
  g_assert_cmpint (d.tracking.sync_error_code, ==, CS_ERROR_CODE_DATA_MISMATCH);
  cs_retry_decision_clear (&d);
}

static void
test_circuit_open_counts_nothing (Fixture       *f,
                                  gconstpointer  data)
{
  CsAttemptResult open = { CS_ATTEMPT_CIRCUIT_OPEN, "Cal.com is not answering", T0 + 10 * CS_USEC_PER_MINUTE };
  CsAttemptResult open_no_time = { CS_ATTEMPT_CIRCUIT_OPEN, NULL, CS_TIME_UNSET };
  CsRetryDecision d;

  attempt (f, CS_ATTEMPT_VERIFICATION_ERROR, "API timeout", &d);
  cs_retry_decision_clear (&d);

  cs_retry_policy_apply (&f->tracking, f->due, &open, T0 + CS_USEC_PER_MINUTE, &d);
  g_assert_cmpuint (d.tracking.sync_attempt_count, ==, 1);
  g_assert_cmpint (d.tracking.last_sync_attempt_at, ==, T0);
  g_assert_cmpint (d.tracking.status, ==, CS_SYNC_STATUS_FAILED);
  g_assert_cmpint (d.tracking.sync_error_code, ==, CS_ERROR_CODE_CIRCUIT_OPEN);
  g_assert_cmpstr (d.tracking.sync_error_message, ==, "Cal.com is not answering");
  g_assert_cmpint (d.next_attempt_at, ==, open.retry_at);
  g_assert_false (d.tracking.requires_manual_review);
  g_assert_false (d.newly_flagged);
  cs_retry_decision_clear (&d);

  /* Without a known reopening time it asks again in a minute. */
  cs_retry_policy_apply (&f->tracking, f->due, &open_no_time, T0 + CS_USEC_PER_MINUTE, &d);
  g_assert_cmpint (d.next_attempt_at, ==, T0 + 2 * CS_USEC_PER_MINUTE);
  g_assert_cmpuint (d.tracking.sync_attempt_count, ==, 1);
  cs_retry_decision_clear (&d);
}

static void
test_success_clears_flag (Fixture       *f,
                          gconstpointer  data)
{
  CsRetryDecision d;

  for (guint i = 0; i < CS_RETRY_MAX_ATTEMPTS; i++)
    {
      if (f->due != CS_TIME_UNSET)
        advance_to (f, f->due);
      attempt (f, CS_ATTEMPT_ORPHANED_LOCAL, "Not in Cal.com", &d);
      cs_retry_decision_clear (&d);
    }
  g_assert_true (f->tracking.requires_manual_review);

  attempt (f, CS_ATTEMPT_SYNCED, NULL, &d);
  g_assert_false (d.tracking.requires_manual_review);
  g_assert_cmpint (d.tracking.manual_review_flagged_at, ==, CS_TIME_UNSET);
  g_assert_cmpuint (d.tracking.sync_attempt_count, ==, 0);
  cs_retry_decision_clear (&d);
}

static void
test_input_not_modified (Fixture       *f,
                         gconstpointer  data)
{
  CsAttemptResult result = { CS_ATTEMPT_ORPHANED_LOCAL, "Not in Cal.com", CS_TIME_UNSET };
  CsSyncTracking before = { 0 };
  CsRetryDecision d;

  f->tracking.sync_error_message = g_strdup ("old");
  cs_sync_tracking_copy_into (&f->tracking, &before);

  cs_retry_policy_apply (&f->tracking, CS_TIME_UNSET, &result, T0, &d);
  g_assert_true (cs_sync_tracking_equal (&f->tracking, &before));
  g_assert_false (cs_sync_tracking_equal (&d.tracking, &before));

  cs_retry_decision_clear (&d);
  cs_sync_tracking_clear (&before);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/calsync/core/retry-policy/" path, Fixture, NULL, \
              fixture_set_up, func, fixture_tear_down)

  ADD ("success-first-time", test_success_first_time);
  ADD ("schedule-to-manual-review", test_schedule_to_manual_review);
  ADD ("orphan-confirmed-over-three-attempts", test_orphan_confirmed_over_three_attempts);
  ADD ("race-resolves-before-flag", test_race_resolves_before_flag);
  ADD ("mismatch-is-failed-with-code", test_mismatch_is_failed_with_code);
  ADD ("circuit-open-counts-nothing", test_circuit_open_counts_nothing);
  ADD ("success-clears-flag", test_success_clears_flag);
  ADD ("early-checks-count-nothing", test_early_checks_count_nothing);
  ADD ("flagged-follows-finding", test_flagged_follows_finding);
  ADD ("input-not-modified", test_input_not_modified);

#undef ADD

  return g_test_run ();
}
