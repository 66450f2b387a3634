/* cs-dashboard.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* PLACEHOLDER: the window's skeleton; the real widget replaces this file. */

#include "config.h"

#include "cs-dashboard.h"

struct _CsDashboard
{
  AdwBin    parent_instance;

  CsEngine *engine;
};

G_DEFINE_FINAL_TYPE (CsDashboard, cs_dashboard, ADW_TYPE_BIN)
enum { SIG_0, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
cs_dashboard_dispose (GObject *object)
{
  CsDashboard *self = CS_DASHBOARD (object);

  g_clear_object (&self->engine);

  G_OBJECT_CLASS (cs_dashboard_parent_class)->dispose (object);
}

static void
cs_dashboard_class_init (CsDashboardClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cs_dashboard_dispose;
  signals[SIG_0] = g_signal_new ("open-list", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
cs_dashboard_init (CsDashboard *self)
{
}

void
cs_dashboard_set_engine (CsDashboard *self, CsEngine *engine)
{
  g_set_object (&self->engine, engine);
}

void
cs_dashboard_set_model (CsDashboard *self, CsAppointmentModel *model)
{
}

void
cs_dashboard_refresh (CsDashboard *self)
{
}
