/* cs-time.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-time.h"

/* Years outside this range are taken as garbage, not as appointments. */
#define MIN_YEAR 1971
#define MAX_YEAR 9998

/**
 * cs_time_parse_iso8601:
 * @text: an RFC 3339 / ISO 8601 date and time *with* a UTC offset
 * @out: (out): the instant
 *
 * Instants whose UTC year is outside 1971–9998 are refused. A text
 * without an offset is rejected: its instant would depend on the time zone
 * of the machine that reads it.
 *
 * Returns: %TRUE if @text is a valid time with an offset in a sane range
 */
gboolean
cs_time_parse_iso8601 (const char *text,
                       CsTime     *out)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) utc = NULL;
  int year;

  g_return_val_if_fail (out != NULL, FALSE);

  if (text == NULL || text[0] == '\0')
    return FALSE;

  /* A NULL default zone makes GLib reject texts without an offset. */
  dt = g_date_time_new_from_iso8601 (text, NULL);
  if (dt == NULL)
    return FALSE;

  /* The year in UTC, as cs_time_format_iso8601() writes it: judged in the
   * text's own offset, 1971-01-01T00:30+01:00 would pass and its UTC text
   * (1970-12-31T23:30Z) would then be refused when read back. */
  utc = g_date_time_to_utc (dt);
  if (utc == NULL)
    return FALSE;  /* past the end of year 9999 in UTC */

  year = g_date_time_get_year (utc);
  if (year < MIN_YEAR || year > MAX_YEAR)
    return FALSE;

  *out = g_date_time_to_unix (dt) * CS_USEC_PER_SECOND + g_date_time_get_microsecond (dt);
  return TRUE;
}

/**
 * cs_time_format_iso8601:
 * @time: an instant, or %CS_TIME_UNSET
 *
 * Returns: (transfer full) (nullable): @time in UTC, e.g.
 *   `2026-11-23T08:00:00Z`, or %NULL for %CS_TIME_UNSET
 */
char *
cs_time_format_iso8601 (CsTime time)
{
  g_autoptr(GDateTime) dt = NULL;

  if (time == CS_TIME_UNSET)
    return NULL;

  dt = g_date_time_new_from_unix_utc (time / CS_USEC_PER_SECOND);
  if (dt == NULL)
    return NULL;

  if (time % CS_USEC_PER_SECOND != 0)
    {
      g_autoptr(GDateTime) precise = NULL;

      precise = g_date_time_add (dt, time % CS_USEC_PER_SECOND);
      return g_date_time_format (precise, "%Y-%m-%dT%H:%M:%S.%fZ");
    }

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}
