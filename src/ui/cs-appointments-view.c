/* cs-appointments-view.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* PLACEHOLDER: the window's skeleton; the real widget replaces this file. */

#include "config.h"

#include "cs-appointments-view.h"

struct _CsAppointmentsView
{
  AdwBin    parent_instance;

  CsEngine *engine;
};

G_DEFINE_FINAL_TYPE (CsAppointmentsView, cs_appointments_view, ADW_TYPE_BIN)
enum { SIG_0, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
cs_appointments_view_dispose (GObject *object)
{
  CsAppointmentsView *self = CS_APPOINTMENTS_VIEW (object);

  g_clear_object (&self->engine);

  G_OBJECT_CLASS (cs_appointments_view_parent_class)->dispose (object);
}

static void
cs_appointments_view_class_init (CsAppointmentsViewClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cs_appointments_view_dispose;
  signals[SIG_0] = g_signal_new ("review-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_STRING);
}

static void
cs_appointments_view_init (CsAppointmentsView *self)
{
}

void
cs_appointments_view_set_engine (CsAppointmentsView *self, CsEngine *engine)
{
  g_set_object (&self->engine, engine);
}

void
cs_appointments_view_set_model (CsAppointmentsView *self, CsAppointmentModel *model)
{
}

void
cs_appointments_view_set_status_filter (CsAppointmentsView *self, guint status_filter)
{
}

void
cs_appointments_view_focus_search (CsAppointmentsView *self)
{
}
