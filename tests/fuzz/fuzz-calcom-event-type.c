/* fuzz-calcom-event-type.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-calcom-json.h"
#include "fuzz-common.h"

/* `GET /v2/event-types/{id}`: the lengths a booking may ask for. */

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsCalcomEventType) event_type = NULL;

  cs_fuzz_init ();

  body = g_bytes_new (data, size);
  event_type = cs_calcom_parse_event_type (body, &error);
  if (event_type == NULL)
    {
      cs_fuzz_check_error (error);
      return 0;
    }

  g_assert_no_error (error);
  g_assert_cmpint (event_type->id, >, 0);
  g_assert_cmpuint (event_type->length_minutes, >=, 1);
  g_assert_cmpuint (event_type->length_minutes, <=, 7 * 24 * 60);
  g_assert (event_type->length_options != NULL);

  for (guint i = 0; i < event_type->length_options->len; i++)
    {
      guint minutes = g_array_index (event_type->length_options, guint, i);

      g_assert_cmpuint (minutes, >=, 1);
      g_assert_cmpuint (minutes, <=, 7 * 24 * 60);
      g_assert (cs_calcom_event_type_has_length (event_type, minutes));
    }

  return 0;
}
