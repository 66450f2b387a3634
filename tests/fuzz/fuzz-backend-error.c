/* fuzz-backend-error.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-backend-json.h"
#include "fuzz-common.h"

/*
 * Laravel's error shape, whose message is shown to people, and the count
 * answers of the two bulk writes, which share its reader.
 */

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) body = NULL;
  g_autofree char *message = NULL;
  g_autoptr(GError) error = NULL;
  guint count = G_MAXUINT;

  cs_fuzz_init ();

  body = g_bytes_new (data, size);
  message = cs_backend_parse_error_message (body);
  cs_fuzz_check_message (message);

  if (cs_backend_parse_count (body, "updated", &count, &error))
    g_assert_cmpuint (count, <=, G_MAXINT);
  else
    {
      cs_fuzz_check_error (error);
      g_assert_cmpuint (count, ==, 0);
    }

  return 0;
}
