/* cs-metrics-view.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_METRICS_VIEW (cs_metrics_view_get_type ())

G_DECLARE_FINAL_TYPE (CsMetricsView, cs_metrics_view, CS, METRICS_VIEW, AdwBin)

void cs_metrics_view_set_engine (CsMetricsView *self,
                                 CsEngine      *engine);
void cs_metrics_view_refresh    (CsMetricsView *self);

G_END_DECLS
