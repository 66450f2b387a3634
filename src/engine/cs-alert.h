/* cs-alert.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cs-enums.h"
#include "cs-notifier.h"
#include "cs-time.h"

G_BEGIN_DECLS

/**
 * CsAlertKind:
 * @CS_ALERT_FLAGGED: a run flagged an appointment or a booking for manual
 *   review (or, as one summary, several)
 * @CS_ALERT_RUN_FAILED: a check could not finish
 * @CS_ALERT_RESTORED: a service answers again after an outage
 *
 * What an in-app alert tells about.
 */
typedef enum
{
  CS_ALERT_FLAGGED,
  CS_ALERT_RUN_FAILED,
  CS_ALERT_RESTORED,
} CsAlertKind;

#define CS_TYPE_ALERT (cs_alert_get_type ())

G_DECLARE_FINAL_TYPE (CsAlert, cs_alert, CS, ALERT, GObject)

CsAlert           *cs_alert_new_flagged        (CsTime              time,
                                                gint64              appointment_id,
                                                const char         *number,
                                                const char         *booking_uid,
                                                CsErrorCode         error_code,
                                                guint               count);
CsAlert           *cs_alert_new_run_failed     (CsTime              time,
                                                const char         *reason);
CsAlert           *cs_alert_new_restored       (CsTime              time,
                                                CsNotifierService   service);
CsAlertKind        cs_alert_get_kind           (CsAlert            *self);
CsTime             cs_alert_get_time           (CsAlert            *self);
gboolean           cs_alert_get_read           (CsAlert            *self);
void               cs_alert_set_read           (CsAlert            *self,
                                                gboolean            read);
gint64             cs_alert_get_appointment_id (CsAlert            *self);
const char        *cs_alert_get_number         (CsAlert            *self);
const char        *cs_alert_get_booking_uid    (CsAlert            *self);
CsErrorCode        cs_alert_get_error_code     (CsAlert            *self);
guint              cs_alert_get_count          (CsAlert            *self);
const char        *cs_alert_get_reason         (CsAlert            *self);
CsNotifierService  cs_alert_get_service        (CsAlert            *self);
gboolean           cs_alert_is_summary         (CsAlert            *self);

G_END_DECLS
