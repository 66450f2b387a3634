/* cs-alert-private.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "cs-alert.h"

G_BEGIN_DECLS

/* For CsAlertLog: the fields that change after an alert was made (a
 * failure repeated, the count of a restored sync), and the stored form. */
void     _cs_alert_set_time      (CsAlert     *self,
                                  CsTime       time);
void     _cs_alert_set_count     (CsAlert     *self,
                                  guint        count);
void     _cs_alert_to_json       (CsAlert     *self,
                                  JsonBuilder *builder);
CsAlert *_cs_alert_new_from_json (JsonObject  *object);

G_END_DECLS
