/* cs-reset-model.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CS_TYPE_RESET_MODEL (cs_reset_model_get_type ())

G_DECLARE_FINAL_TYPE (CsResetModel, cs_reset_model, CS, RESET_MODEL, GObject)

CsResetModel *cs_reset_model_new (GListModel *model);

G_END_DECLS
