/* fuzz-calcom-bookings-page.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-calcom-json.h"
#include "fuzz-common.h"

/*
 * A `GET /v2/bookings` answer. Every booking that passes must be valid and
 * survive the cache and the request builders; a refused page must say why.
 * The page keys name rows of the page, so they are text too.
 */

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GPtrArray) bookings = NULL;
  g_autoptr(GError) error = NULL;
  CsCalcomPage page;
  CsJsonPageKeys keys;
  guint n_rejected = G_MAXUINT;

  cs_fuzz_init ();

  body = g_bytes_new (data, size);
  bookings = cs_calcom_parse_bookings_page (body, &page, &n_rejected, &keys, &error);

  if (bookings == NULL)
    {
      cs_fuzz_check_error (error);
      g_assert (keys.first == NULL && keys.last == NULL && keys.refused == NULL);
      return 0;
    }

  g_assert_no_error (error);
  g_assert (n_rejected != G_MAXUINT);

  for (guint i = 0; i < bookings->len; i++)
    cs_fuzz_check_booking (g_ptr_array_index (bookings, i));

  cs_fuzz_check_text (keys.first);
  cs_fuzz_check_text (keys.last);
  if (keys.refused != NULL)
    {
      g_assert_cmpuint (keys.refused->len, <=, n_rejected);
      for (guint i = 0; i < keys.refused->len; i++)
        cs_fuzz_check_text (g_ptr_array_index (keys.refused, i));
    }

  cs_json_page_keys_clear (&keys);
  return 0;
}
