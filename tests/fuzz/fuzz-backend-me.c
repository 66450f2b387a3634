/* fuzz-backend-me.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-backend-json.h"
#include "fuzz-common.h"

/* `GET /api/v1/me`: the company every request is scoped to, and the role. */

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsBackendMe) me = NULL;

  cs_fuzz_init ();

  body = g_bytes_new (data, size);
  me = cs_backend_parse_me (body, &error);
  if (me == NULL)
    {
      cs_fuzz_check_error (error);
      return 0;
    }

  g_assert_no_error (error);
  g_assert_cmpint (me->user_id, >, 0);
  g_assert_cmpint (me->company_id, >, 0);
  g_assert (cs_role_to_string (me->role) != NULL);
  cs_fuzz_check_text (me->user_name);
  cs_fuzz_check_text (me->company_name);
  cs_fuzz_check_text (me->time_zone);

  return 0;
}
