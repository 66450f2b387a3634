/* cs-slot-model.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cs-row-slot.h"

G_BEGIN_DECLS

#define CS_TYPE_SLOT_MODEL (cs_slot_model_get_type ())

G_DECLARE_FINAL_TYPE (CsSlotModel, cs_slot_model, CS, SLOT_MODEL, GObject)

CsSlotModel *cs_slot_model_new          (GListModel  *model);
guint        cs_slot_model_get_n_live   (CsSlotModel *self);

G_END_DECLS
