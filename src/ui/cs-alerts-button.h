/* cs-alerts-button.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_ALERTS_BUTTON (cs_alerts_button_get_type ())

G_DECLARE_FINAL_TYPE (CsAlertsButton, cs_alerts_button, CS, ALERTS_BUTTON, AdwBin)

void cs_alerts_button_set_engine (CsAlertsButton *self,
                                  CsEngine       *engine);

G_END_DECLS
