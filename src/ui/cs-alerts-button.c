/* cs-alerts-button.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* PLACEHOLDER: the window's skeleton; the real widget replaces this file. */

#include "config.h"

#include "cs-alerts-button.h"

struct _CsAlertsButton
{
  AdwBin    parent_instance;

  CsEngine *engine;
};

G_DEFINE_FINAL_TYPE (CsAlertsButton, cs_alerts_button, ADW_TYPE_BIN)
enum { SIG_0, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
cs_alerts_button_dispose (GObject *object)
{
  CsAlertsButton *self = CS_ALERTS_BUTTON (object);

  g_clear_object (&self->engine);

  G_OBJECT_CLASS (cs_alerts_button_parent_class)->dispose (object);
}

static void
cs_alerts_button_class_init (CsAlertsButtonClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cs_alerts_button_dispose;
  signals[SIG_0] = g_signal_new ("review-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_STRING);
}

static void
cs_alerts_button_init (CsAlertsButton *self)
{
}

void
cs_alerts_button_set_engine (CsAlertsButton *self, CsEngine *engine)
{
  g_set_object (&self->engine, engine);
}
