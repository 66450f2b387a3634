/* cs-appointment-row.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cs-enums.h"
#include "cs-time.h"

G_BEGIN_DECLS

#define CS_TYPE_APPOINTMENT_ROW (cs_appointment_row_get_type ())

G_DECLARE_FINAL_TYPE (CsAppointmentRow, cs_appointment_row, CS, APPOINTMENT_ROW, GObject)

gint64        cs_appointment_row_get_id                     (CsAppointmentRow *self);
const char   *cs_appointment_row_get_number                 (CsAppointmentRow *self);
const char   *cs_appointment_row_get_customer_name          (CsAppointmentRow *self);
CsTime        cs_appointment_row_get_starts_at              (CsAppointmentRow *self);
CsSyncStatus  cs_appointment_row_get_status                 (CsAppointmentRow *self);
CsErrorCode   cs_appointment_row_get_error_code             (CsAppointmentRow *self);
const char   *cs_appointment_row_get_error_message          (CsAppointmentRow *self);
guint         cs_appointment_row_get_attempts               (CsAppointmentRow *self);
CsTime        cs_appointment_row_get_last_attempt_at        (CsAppointmentRow *self);
gboolean      cs_appointment_row_get_requires_manual_review (CsAppointmentRow *self);
gboolean      cs_appointment_row_get_needs_review           (CsAppointmentRow *self);
const char   *cs_appointment_row_get_booking_uid            (CsAppointmentRow *self);
gboolean      cs_appointment_row_get_is_orphaned_booking    (CsAppointmentRow *self);

G_END_DECLS
