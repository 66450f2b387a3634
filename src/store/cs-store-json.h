/* cs-store-json.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "cs-reconciler.h"

G_BEGIN_DECLS

char      *cs_sync_diff_to_json   (GPtrArray  *diffs);
GPtrArray *cs_sync_diff_from_json (const char *json);

G_END_DECLS
