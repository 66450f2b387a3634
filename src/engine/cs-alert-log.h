/* cs-alert-log.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cs-alert.h"
#include "cs-clock.h"
#include "cs-notifier.h"
#include "cs-store.h"
#include "cs-verifier.h"

G_BEGIN_DECLS

/* How many alerts are kept, per company. */
#define CS_ALERT_LOG_MAX 50

/* The store's state key the alerts are kept under. */
#define CS_ALERT_LOG_STATE_KEY "alerts"

#define CS_TYPE_ALERT_LOG (cs_alert_log_get_type ())

G_DECLARE_FINAL_TYPE (CsAlertLog, cs_alert_log, CS, ALERT_LOG, GObject)

CsAlertLog *cs_alert_log_new            (CsStore              *store,
                                         CsClock              *clock);
CsClock    *cs_alert_log_get_clock      (CsAlertLog           *self);
guint       cs_alert_log_get_n_unread   (CsAlertLog           *self);
gboolean    cs_alert_log_get_busy       (CsAlertLog           *self);
void        cs_alert_log_mark_all_read  (CsAlertLog           *self);
void        cs_alert_log_clear          (CsAlertLog           *self);
void        cs_alert_log_add            (CsAlertLog           *self,
                                         CsAlert              *alert);
void        cs_alert_log_add_report     (CsAlertLog           *self,
                                         const CsVerifyReport *report);
void        cs_alert_log_add_run_failed (CsAlertLog           *self,
                                         const GError         *error);
void        cs_alert_log_add_restored   (CsAlertLog           *self,
                                         CsNotifierService     service);

G_END_DECLS
