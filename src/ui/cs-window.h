/* cs-window.h
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

#define CS_TYPE_WINDOW (cs_window_get_type ())

G_DECLARE_FINAL_TYPE (CsWindow, cs_window, CS, WINDOW, AdwApplicationWindow)

CsWindow           *cs_window_new              (GtkApplication *application,
                                                GSettings      *settings);
void                cs_window_set_engine       (CsWindow       *self,
                                                CsEngine       *engine);
void                cs_window_show_failure     (CsWindow       *self,
                                                const char     *message);
CsEngine           *cs_window_get_engine       (CsWindow       *self);
CsAppointmentModel *cs_window_get_model        (CsWindow       *self);
void                cs_window_show_view        (CsWindow       *self,
                                                const char     *name);
void                cs_window_open_list        (CsWindow       *self,
                                                guint           status_filter);
GtkWindow          *cs_window_review           (CsWindow       *self,
                                                gint64          appointment_id,
                                                const char     *booking_uid);
void                cs_window_add_toast        (CsWindow       *self,
                                                AdwToast       *toast);
const char         *cs_window_get_banner_text  (CsWindow       *self);

G_END_DECLS
