/* cs-metrics-view.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* PLACEHOLDER: the window's skeleton; the real widget replaces this file. */

#include "config.h"

#include "cs-metrics-view.h"

struct _CsMetricsView
{
  AdwBin    parent_instance;

  CsEngine *engine;
};

G_DEFINE_FINAL_TYPE (CsMetricsView, cs_metrics_view, ADW_TYPE_BIN)

static void
cs_metrics_view_dispose (GObject *object)
{
  CsMetricsView *self = CS_METRICS_VIEW (object);

  g_clear_object (&self->engine);

  G_OBJECT_CLASS (cs_metrics_view_parent_class)->dispose (object);
}

static void
cs_metrics_view_class_init (CsMetricsViewClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cs_metrics_view_dispose;
}

static void
cs_metrics_view_init (CsMetricsView *self)
{
}

void
cs_metrics_view_set_engine (CsMetricsView *self, CsEngine *engine)
{
  g_set_object (&self->engine, engine);
}

void
cs_metrics_view_refresh (CsMetricsView *self)
{
}
