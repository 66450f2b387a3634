/* fuzz-calcom-me.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-calcom-json.h"
#include "fuzz-common.h"

/* `GET /v2/me`: the fields the set-up check shows and compares. */

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsCalcomMe) me = NULL;

  cs_fuzz_init ();

  body = g_bytes_new (data, size);
  me = cs_calcom_parse_me (body, &error);
  if (me == NULL)
    {
      cs_fuzz_check_error (error);
      return 0;
    }

  g_assert_no_error (error);
  g_assert_cmpint (me->id, >, 0);
  g_assert_cmpint (me->organization_id, >=, 0);
  g_assert (me->email != NULL && me->email[0] != '\0');
  g_assert (me->time_zone != NULL && me->time_zone[0] != '\0');
  cs_fuzz_check_text (me->username);
  cs_fuzz_check_text (me->email);
  cs_fuzz_check_text (me->time_zone);

  return 0;
}
