/* cs-store-json-private.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "cs-booking.h"
#include "cs-store-json.h"

G_BEGIN_DECLS

/* The cache's own JSON for a booking's attendees and metadata, kept apart
 * from the store so that tests and fuzz targets can reach it. */

char     *_cs_store_json_encode_attendees (GPtrArray   *attendees);
gboolean  _cs_store_json_decode_attendees (const char  *json,
                                           GPtrArray   *attendees);
char     *_cs_store_json_encode_metadata  (GHashTable  *metadata);
gboolean  _cs_store_json_decode_metadata  (const char  *json,
                                           GHashTable **out_metadata);

G_END_DECLS
