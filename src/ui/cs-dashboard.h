/* cs-dashboard.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cs-appointment-model.h"
#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_DASHBOARD (cs_dashboard_get_type ())

G_DECLARE_FINAL_TYPE (CsDashboard, cs_dashboard, CS, DASHBOARD, AdwBin)

void cs_dashboard_set_engine (CsDashboard        *self,
                               CsEngine           *engine);
void cs_dashboard_set_model  (CsDashboard        *self,
                               CsAppointmentModel *model);
void cs_dashboard_refresh    (CsDashboard        *self);

G_END_DECLS
