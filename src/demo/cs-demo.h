/* cs-demo.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cs-engine.h"
#include "cs-sim-server.h"

G_BEGIN_DECLS

#define CS_DEMO_APPOINTMENTS 300
#define CS_DEMO_SEED         2026
#define CS_DEMO_HISTORY_DAYS 14

#define CS_TYPE_DEMO (cs_demo_get_type ())

G_DECLARE_FINAL_TYPE (CsDemo, cs_demo, CS, DEMO, GObject)

CsDemo      *cs_demo_new                (guint          n_appointments);
gboolean     cs_demo_start              (CsDemo        *self,
                                         GError       **error);
void         cs_demo_prepare_async      (CsDemo        *self,
                                         GCancellable  *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer       user_data);
gboolean     cs_demo_prepare_finish     (CsDemo        *self,
                                         GAsyncResult  *result,
                                         GError       **error);
GSettings   *cs_demo_get_settings       (CsDemo        *self);
const char  *cs_demo_get_store_path     (CsDemo        *self);
CsSimServer *cs_demo_get_server         (CsDemo        *self);
CsEngine    *cs_demo_new_engine         (CsDemo        *self);
CsEngine    *cs_demo_new_engine_with_clock (CsDemo     *self,
                                            CsClock    *clock);
void         cs_demo_set_history_days   (CsDemo        *self,
                                         guint          days);
guint        cs_demo_get_history_days   (CsDemo        *self);

G_END_DECLS
