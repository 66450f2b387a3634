/* cs-review-dialog.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_REVIEW_DIALOG (cs_review_dialog_get_type ())

G_DECLARE_FINAL_TYPE (CsReviewDialog, cs_review_dialog, CS, REVIEW_DIALOG, AdwWindow)

CsReviewDialog   *cs_review_dialog_new                (GtkWindow      *parent,
                                                      CsEngine       *engine,
                                                      gint64          appointment_id,
                                                      const char     *booking_uid);
gint64            cs_review_dialog_get_appointment_id (CsReviewDialog *self);
const char       *cs_review_dialog_get_booking_uid    (CsReviewDialog *self);
AdwMessageDialog *cs_review_dialog_get_message_dialog (CsReviewDialog *self);
gboolean          cs_review_dialog_get_busy           (CsReviewDialog *self);

G_END_DECLS
