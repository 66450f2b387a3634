/* cs-retry-policy.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-retry-policy.h"

static CsSyncStatus
status_for_problem (CsAttemptKind kind)
{
  switch (kind)
    {
    case CS_ATTEMPT_ORPHANED_LOCAL:
      return CS_SYNC_STATUS_ORPHANED_LOCAL;
    case CS_ATTEMPT_ORPHANED_CALCOM:
      return CS_SYNC_STATUS_ORPHANED_CALCOM;
    case CS_ATTEMPT_DATA_MISMATCH:
    case CS_ATTEMPT_VERIFICATION_ERROR:
      return CS_SYNC_STATUS_FAILED;
    case CS_ATTEMPT_SYNCED:
    case CS_ATTEMPT_CIRCUIT_OPEN:
    default:
      g_assert_not_reached ();
    }
}

static CsErrorCode
code_for_problem (CsAttemptKind kind)
{
  switch (kind)
    {
    case CS_ATTEMPT_ORPHANED_LOCAL:
      return CS_ERROR_CODE_ORPHANED_LOCAL;
    case CS_ATTEMPT_ORPHANED_CALCOM:
      return CS_ERROR_CODE_ORPHANED_CALCOM;
    case CS_ATTEMPT_DATA_MISMATCH:
      return CS_ERROR_CODE_DATA_MISMATCH;
    case CS_ATTEMPT_VERIFICATION_ERROR:
      return CS_ERROR_CODE_VERIFICATION_ERROR;
    case CS_ATTEMPT_SYNCED:
    case CS_ATTEMPT_CIRCUIT_OPEN:
    default:
      g_assert_not_reached ();
    }
}

/**
 * cs_retry_policy_is_due:
 * @current: an item's tracking fields
 * @due_at: its next attempt time (`next_attempt_at`), or %CS_TIME_UNSET
 * @now: the instant of the check
 *
 * Whether a check at @now counts as an attempt for the item: it is not
 * flagged, and it is new (no attempt counted yet), has no next attempt
 * time, or that time has come.
 *
 * Returns: %TRUE if a problem found at @now counts an attempt
 */
gboolean
cs_retry_policy_is_due (const CsSyncTracking *current,
                        CsTime                due_at,
                        CsTime                now)
{
  g_return_val_if_fail (current != NULL, FALSE);

  if (current->requires_manual_review)
    return FALSE;

  return current->sync_attempt_count == 0 || due_at == CS_TIME_UNSET || due_at <= now;
}

/**
 * cs_retry_policy_apply:
 * @current: the item's tracking fields before this check
 * @due_at: the item's next attempt time before this check (its
 *   `next_attempt_at`), or %CS_TIME_UNSET
 * @result: what this check found
 * @now: the instant of this check
 * @decision: (out caller-allocates): the new tracking fields and the next
 *   due time; release with cs_retry_decision_clear()
 *
 * The retry schedule of DESIGN.md §1 as a pure function. It is a rule of
 * the data, not of whoever runs the check: a scheduled run, "Verify now",
 * `--once` and a retry all apply it the same way.
 *
 * - success: `synced`, the count back to 0, `sync_verified_at` = @now, any
 *   error and any flag cleared (the problem is gone);
 * - %CS_ATTEMPT_CIRCUIT_OPEN: no attempt was made, so nothing counts; the
 *   status stays what the last real attempt found, the code says why
 *   nothing happened, and the next try waits for the circuit;
 * - a problem on a due item (cs_retry_policy_is_due()): one attempt more;
 *   after attempt 1 the next is due in 1 minute, after attempt 2 in 5
 *   minutes; attempt 3 flags the item for manual review and records when;
 * - a problem on an item that is not due yet (a run met it before its next
 *   attempt time): the item is checked, so its status, code and message say
 *   what was found, but no attempt counts and the next attempt time stays;
 * - a problem on a flagged item: the count has stopped (a flag means "a
 *   person must look", not "tried N times"); status, code and message follow
 *   what was found, the flag and its time stay, nothing more is due.
 *
 * An orphan keeps its orphan status from attempt 1 on, so the list shows
 * what was found while the attempts confirm it.
 */
void
cs_retry_policy_apply (const CsSyncTracking  *current,
                       CsTime                 due_at,
                       const CsAttemptResult *result,
                       CsTime                 now,
                       CsRetryDecision       *decision)
{
  CsSyncTracking *t;

  g_return_if_fail (current != NULL);
  g_return_if_fail (result != NULL);
  g_return_if_fail (decision != NULL);

  *decision = (CsRetryDecision) { 0 };
  cs_sync_tracking_copy_into (current, &decision->tracking);
  t = &decision->tracking;

  switch (result->kind)
    {
    case CS_ATTEMPT_SYNCED:
      t->status = CS_SYNC_STATUS_SYNCED;
      t->last_sync_attempt_at = now;
      t->sync_attempt_count = 0;
      g_clear_pointer (&t->sync_error_message, g_free);
      t->sync_error_code = CS_ERROR_CODE_NONE;
      t->sync_verified_at = now;
      t->requires_manual_review = FALSE;
      t->manual_review_flagged_at = CS_TIME_UNSET;
      decision->next_attempt_at = CS_TIME_UNSET;
      return;

    case CS_ATTEMPT_CIRCUIT_OPEN:
      g_free (t->sync_error_message);
      t->sync_error_message = g_strdup (result->message);
      t->sync_error_code = CS_ERROR_CODE_CIRCUIT_OPEN;
      decision->next_attempt_at = result->retry_at > now ? result->retry_at
                                                         : now + CS_RETRY_DELAY_FIRST;
      return;

    case CS_ATTEMPT_ORPHANED_LOCAL:
    case CS_ATTEMPT_ORPHANED_CALCOM:
    case CS_ATTEMPT_DATA_MISMATCH:
    case CS_ATTEMPT_VERIFICATION_ERROR:
      break;

    default:
      g_return_if_reached ();
    }

  t->status = status_for_problem (result->kind);
  t->sync_error_code = code_for_problem (result->kind);
  g_free (t->sync_error_message);
  t->sync_error_message = g_strdup (result->message);

  if (current->requires_manual_review)
    {
      decision->next_attempt_at = CS_TIME_UNSET;
      return;
    }

  if (!cs_retry_policy_is_due (current, due_at, now))
    {
      decision->next_attempt_at = due_at;
      return;
    }

  decision->counted = TRUE;
  t->last_sync_attempt_at = now;
  if (t->sync_attempt_count < G_MAXUINT)
    t->sync_attempt_count++;

  if (t->sync_attempt_count >= CS_RETRY_MAX_ATTEMPTS)
    {
      t->requires_manual_review = TRUE;
      t->manual_review_flagged_at = now;
      decision->newly_flagged = TRUE;
      decision->next_attempt_at = CS_TIME_UNSET;
    }
  else if (t->sync_attempt_count == 1)
    {
      decision->next_attempt_at = now + CS_RETRY_DELAY_FIRST;
    }
  else
    {
      decision->next_attempt_at = now + CS_RETRY_DELAY_SECOND;
    }
}

/**
 * cs_retry_decision_clear:
 * @decision: a decision filled by cs_retry_policy_apply()
 *
 * Frees what @decision owns.
 */
void
cs_retry_decision_clear (CsRetryDecision *decision)
{
  g_return_if_fail (decision != NULL);

  cs_sync_tracking_clear (&decision->tracking);
  decision->next_attempt_at = CS_TIME_UNSET;
  decision->newly_flagged = FALSE;
  decision->counted = FALSE;
}
