/* fuzz-calcom-error.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-calcom-json.h"
#include "fuzz-common.h"

/*
 * Cal.com's error envelope, whose message is shown to people: a string, a
 * list of strings, or class-validator's nested `details.errors`.
 */

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) body = NULL;
  g_autofree char *message = NULL;

  cs_fuzz_init ();

  body = g_bytes_new (data, size);
  message = cs_calcom_parse_error_message (body);
  cs_fuzz_check_message (message);

  return 0;
}
