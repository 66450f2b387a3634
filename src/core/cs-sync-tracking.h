/* cs-sync-tracking.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "cs-enums.h"
#include "cs-time.h"

G_BEGIN_DECLS

/**
 * CsSyncTracking:
 * @status: `calcom_sync_status`
 * @last_sync_attempt_at: `last_sync_attempt_at`, or %CS_TIME_UNSET
 * @sync_attempt_count: `sync_attempt_count`
 * @sync_error_message: (nullable): `sync_error_message`, a human sentence
 *   without customer data
 * @sync_error_code: `sync_error_code`
 * @sync_verified_at: `sync_verified_at`, or %CS_TIME_UNSET
 * @requires_manual_review: `requires_manual_review`
 * @manual_review_flagged_at: `manual_review_flagged_at`, or %CS_TIME_UNSET
 *
 * The eight tracking fields every appointment carries (the seeds' eight),
 * kept together because they travel together: into the retry policy, into
 * the cache, and back to the backend.
 */
typedef struct
{
  CsSyncStatus  status;
  CsTime        last_sync_attempt_at;
  guint         sync_attempt_count;
  char         *sync_error_message;
  CsErrorCode   sync_error_code;
  CsTime        sync_verified_at;
  gboolean      requires_manual_review;
  CsTime        manual_review_flagged_at;
} CsSyncTracking;

void     cs_sync_tracking_init      (CsSyncTracking       *tracking);
void     cs_sync_tracking_clear     (CsSyncTracking       *tracking);
void     cs_sync_tracking_copy_into (const CsSyncTracking *src,
                                     CsSyncTracking       *dest);
gboolean cs_sync_tracking_equal     (const CsSyncTracking *a,
                                     const CsSyncTracking *b);

G_END_DECLS
