/* cs-retry-policy.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "cs-sync-tracking.h"

G_BEGIN_DECLS

/* DESIGN.md §1: attempt 1 at once, attempt 2 after 1 minute, attempt 3
 * after 5 more minutes, then manual review. An attempt counts only when the
 * item is due; once flagged, the count stops. */
#define CS_RETRY_MAX_ATTEMPTS  3
#define CS_RETRY_DELAY_FIRST   (G_GINT64_CONSTANT (1) * 60 * CS_USEC_PER_SECOND)
#define CS_RETRY_DELAY_SECOND  (G_GINT64_CONSTANT (5) * 60 * CS_USEC_PER_SECOND)

/**
 * CsAttemptKind:
 * @CS_ATTEMPT_SYNCED: the booking exists and agrees
 * @CS_ATTEMPT_ORPHANED_LOCAL: the appointment has no booking
 * @CS_ATTEMPT_ORPHANED_CALCOM: the booking has no appointment
 * @CS_ATTEMPT_DATA_MISMATCH: the two disagree on start, end or status
 * @CS_ATTEMPT_VERIFICATION_ERROR: the check itself failed (network, 5xx,
 *   timeout, 429)
 * @CS_ATTEMPT_CIRCUIT_OPEN: no check was made: the circuit is open
 *
 * What one verification attempt found.
 */
typedef enum
{
  CS_ATTEMPT_SYNCED,
  CS_ATTEMPT_ORPHANED_LOCAL,
  CS_ATTEMPT_ORPHANED_CALCOM,
  CS_ATTEMPT_DATA_MISMATCH,
  CS_ATTEMPT_VERIFICATION_ERROR,
  CS_ATTEMPT_CIRCUIT_OPEN,
} CsAttemptKind;

/**
 * CsAttemptResult:
 * @kind: what the attempt found
 * @message: (nullable): a sentence for `sync_error_message`, without
 *   customer data
 * @retry_at: for %CS_ATTEMPT_CIRCUIT_OPEN, when the circuit lets a probe
 *   through (or %CS_TIME_UNSET for "in a minute")
 */
typedef struct
{
  CsAttemptKind  kind;
  const char    *message;
  CsTime         retry_at;
} CsAttemptResult;

/**
 * CsRetryDecision:
 * @tracking: the new tracking fields
 * @next_attempt_at: when the next automatic attempt is due, or
 *   %CS_TIME_UNSET for none
 * @newly_flagged: %TRUE if this attempt flagged the appointment for manual
 *   review: the one moment to notify
 * @counted: %TRUE if the check counted as an attempt (the item was due and
 *   not flagged, and found a problem)
 */
typedef struct
{
  CsSyncTracking tracking;
  CsTime         next_attempt_at;
  gboolean       newly_flagged;
  gboolean       counted;
} CsRetryDecision;

gboolean cs_retry_policy_is_due (const CsSyncTracking *current,
                                 CsTime                due_at,
                                 CsTime                now);
void cs_retry_policy_apply   (const CsSyncTracking  *current,
                              CsTime                 due_at,
                              const CsAttemptResult *result,
                              CsTime                 now,
                              CsRetryDecision       *decision);
void cs_retry_decision_clear (CsRetryDecision       *decision);

G_END_DECLS
