/* cs-appointment-row-private.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cs-appointment-row.h"
#include "cs-store-rows.h"

G_BEGIN_DECLS

CsAppointmentRow *_cs_appointment_row_new (const CsStoreRowInfo *info);

G_END_DECLS
