/* fuzz-time.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-time.h"
#include "fuzz-common.h"

/*
 * ISO 8601 / RFC 3339 times: every time Calsync accepts it writes into the
 * cache and into request bodies as UTC text, and reads that text again.
 * parse → format → parse must give the same instant, and formatting that
 * instant the same text.
 */

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;
  g_autofree char *formatted = NULL;
  g_autofree char *again_text = NULL;
  CsTime time = CS_TIME_UNSET;
  CsTime again = CS_TIME_UNSET;

  cs_fuzz_init ();

  /* Longer texts are refused before they are parsed (cs_json_get_time). */
  if (size > 256)
    return 0;

  text = cs_fuzz_dup_text (data, size);
  if (!cs_time_parse_iso8601 (text, &time))
    return 0;

  g_assert (time != CS_TIME_UNSET);
  formatted = cs_time_format_iso8601 (time);
  g_assert (formatted != NULL);
  cs_fuzz_check_text (formatted);

  if (!cs_time_parse_iso8601 (formatted, &again))
    g_error ("An accepted time does not read back: %s", formatted);
  if (again != time)
    g_error ("%s reads back %" G_GINT64_FORMAT " µs off", formatted, again - time);

  again_text = cs_time_format_iso8601 (again);
  g_assert_cmpstr (again_text, ==, formatted);

  return 0;
}
