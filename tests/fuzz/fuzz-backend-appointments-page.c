/* fuzz-backend-appointments-page.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>

#include "cs-backend-json.h"
#include "fuzz-common.h"

/*
 * A `GET /api/v1/appointments` page, read for company 3 (the contract's
 * and the simulator's). No row of another company may pass; every row that
 * passes must be valid; and the `PATCH /appointments/sync-status` body
 * built from the rows, which goes back to the CRM, must be JSON that says
 * what the rows say.
 */

#define COMPANY_ID 3

static void
check_sync_status_body (GPtrArray *appointments)
{
  guint n = MIN (appointments->len, CS_BACKEND_MAX_SYNC_STATUS_UPDATES);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *updates;
  gsize length;
  const char *text;

  body = cs_backend_build_sync_status ((CsAppointment * const *) appointments->pdata, n);
  cs_fuzz_check_json (body);

  text = g_bytes_get_data (body, &length);
  g_assert (json_parser_load_from_data (parser, text, (gssize) length, NULL));
  updates = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                          "updates");
  g_assert (updates != NULL);
  g_assert_cmpuint (json_array_get_length (updates), ==, n);

  for (guint i = 0; i < n; i++)
    {
      const CsAppointment *appointment = g_ptr_array_index (appointments, i);
      JsonObject *update = json_array_get_object_element (updates, i);

      g_assert_cmpint (json_object_get_int_member (update, "id"), ==, appointment->id);
      g_assert_cmpstr (json_object_get_string_member (update, "calcom_sync_status"), ==,
                       cs_sync_status_to_string (appointment->sync.status));
      g_assert_cmpint (json_object_get_int_member (update, "sync_attempt_count"), ==,
                       appointment->sync.sync_attempt_count);
      g_assert_cmpstr (json_object_get_string_member_with_default (update, "sync_error_message",
                                                                   NULL),
                       ==, appointment->sync.sync_error_message);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GPtrArray) appointments = NULL;
  g_autoptr(GError) error = NULL;
  CsBackendPage page;
  CsJsonPageKeys keys;
  guint n_rejected = G_MAXUINT;
  guint n_foreign = G_MAXUINT;

  cs_fuzz_init ();

  body = g_bytes_new (data, size);
  appointments = cs_backend_parse_appointments_page (body, COMPANY_ID, &page, &n_rejected,
                                                     &n_foreign, &keys, &error);
  if (appointments == NULL)
    {
      cs_fuzz_check_error (error);
      g_assert (keys.first == NULL && keys.last == NULL && keys.refused == NULL);
      return 0;
    }

  g_assert_no_error (error);
  g_assert (n_rejected != G_MAXUINT && n_foreign != G_MAXUINT);

  for (guint i = 0; i < appointments->len; i++)
    cs_fuzz_check_appointment (g_ptr_array_index (appointments, i), COMPANY_ID);

  check_sync_status_body (appointments);

  cs_fuzz_check_text (keys.first);
  cs_fuzz_check_text (keys.last);
  if (keys.refused != NULL)
    g_assert_cmpuint (keys.refused->len, <=, n_rejected);

  cs_json_page_keys_clear (&keys);
  return 0;
}
