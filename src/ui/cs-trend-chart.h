/* cs-trend-chart.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cs-store-metrics.h"

G_BEGIN_DECLS

#define CS_TYPE_TREND_CHART (cs_trend_chart_get_type ())

G_DECLARE_FINAL_TYPE (CsTrendChart, cs_trend_chart, CS, TREND_CHART, GtkWidget)

GtkWidget *cs_trend_chart_new                (void);
void       cs_trend_chart_set_days           (CsTrendChart       *self,
                                              const CsMetricsDay *days,
                                              guint               n_days);
guint      cs_trend_chart_get_n_days         (CsTrendChart       *self);
gboolean   cs_trend_chart_is_gap             (CsTrendChart       *self,
                                              guint               day);
gboolean   cs_trend_chart_get_day_area       (CsTrendChart       *self,
                                              guint               day,
                                              graphene_rect_t    *out_area);
int        cs_trend_chart_get_day_at         (CsTrendChart       *self,
                                              double              x);
char      *cs_trend_chart_dup_axis_label     (CsTrendChart       *self,
                                              guint               day);
char      *cs_trend_chart_dup_day_text       (CsTrendChart       *self,
                                              guint               day);
int        cs_trend_chart_get_hover_day      (CsTrendChart       *self);

G_END_DECLS
