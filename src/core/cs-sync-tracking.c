/* cs-sync-tracking.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-sync-tracking.h"

/**
 * cs_sync_tracking_init:
 * @tracking: tracking fields to initialize
 *
 * Sets the fields of a new, never verified appointment: `pending`, no
 * attempt, no error, no flag.
 */
void
cs_sync_tracking_init (CsSyncTracking *tracking)
{
  g_return_if_fail (tracking != NULL);

  *tracking = (CsSyncTracking) { .status = CS_SYNC_STATUS_PENDING };
}

/**
 * cs_sync_tracking_clear:
 * @tracking: tracking fields
 *
 * Frees what @tracking owns and sets it back to the initial state.
 */
void
cs_sync_tracking_clear (CsSyncTracking *tracking)
{
  g_return_if_fail (tracking != NULL);

  g_clear_pointer (&tracking->sync_error_message, g_free);
  cs_sync_tracking_init (tracking);
}

/**
 * cs_sync_tracking_copy_into:
 * @src: tracking fields to copy
 * @dest: tracking fields to overwrite; what they owned is freed
 *
 * Deep-copies @src into @dest. @src and @dest may be the same.
 */
void
cs_sync_tracking_copy_into (const CsSyncTracking *src,
                            CsSyncTracking       *dest)
{
  char *message;

  g_return_if_fail (src != NULL);
  g_return_if_fail (dest != NULL);

  if (src == dest)
    return;

  message = g_strdup (src->sync_error_message);
  g_free (dest->sync_error_message);
  *dest = *src;
  dest->sync_error_message = message;
}

/**
 * cs_sync_tracking_equal:
 * @a: tracking fields
 * @b: tracking fields
 *
 * Returns: %TRUE if all eight fields are equal
 */
gboolean
cs_sync_tracking_equal (const CsSyncTracking *a,
                        const CsSyncTracking *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  return a->status == b->status &&
         a->last_sync_attempt_at == b->last_sync_attempt_at &&
         a->sync_attempt_count == b->sync_attempt_count &&
         g_strcmp0 (a->sync_error_message, b->sync_error_message) == 0 &&
         a->sync_error_code == b->sync_error_code &&
         a->sync_verified_at == b->sync_verified_at &&
         !a->requires_manual_review == !b->requires_manual_review &&
         a->manual_review_flagged_at == b->manual_review_flagged_at;
}
