/* cs-appointments-view.h
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

#define CS_TYPE_APPOINTMENTS_VIEW (cs_appointments_view_get_type ())

G_DECLARE_FINAL_TYPE (CsAppointmentsView, cs_appointments_view, CS, APPOINTMENTS_VIEW, AdwBin)

void cs_appointments_view_set_engine        (CsAppointmentsView *self,
                                            CsEngine           *engine);
void cs_appointments_view_set_model         (CsAppointmentsView *self,
                                            CsAppointmentModel *model);
void cs_appointments_view_set_status_filter (CsAppointmentsView *self,
                                            guint               status_filter);
void cs_appointments_view_focus_search      (CsAppointmentsView *self);

G_END_DECLS
