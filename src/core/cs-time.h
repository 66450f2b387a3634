/* cs-time.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * CsTime:
 *
 * An instant, in microseconds since the Unix epoch, UTC. Calsync compares
 * instants, never wall times: `10:00+02:00` and `08:00Z` are the same #CsTime.
 * %CS_TIME_UNSET (0) stands for a missing time (SQL NULL, JSON null).
 */
typedef gint64 CsTime;

#define CS_TIME_UNSET      ((CsTime) 0)
#define CS_USEC_PER_SECOND G_GINT64_CONSTANT (1000000)
#define CS_USEC_PER_MINUTE (60 * CS_USEC_PER_SECOND)
#define CS_USEC_PER_HOUR   (60 * CS_USEC_PER_MINUTE)
#define CS_USEC_PER_DAY    (24 * CS_USEC_PER_HOUR)

gboolean  cs_time_parse_iso8601  (const char *text,
                                  CsTime     *out);
char     *cs_time_format_iso8601 (CsTime      time);

G_END_DECLS
