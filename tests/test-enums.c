/* test-enums.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-enums.h"

/* The names are a contract with the database, the backend and DESIGN.md:
 * each is spelled out here once more, on purpose. */
static void
test_sync_status_names (void)
{
  static const struct { CsSyncStatus value; const char *name; } table[] = {
    { CS_SYNC_STATUS_PENDING, "pending" },
    { CS_SYNC_STATUS_VERIFICATION_PENDING, "verification_pending" },
    { CS_SYNC_STATUS_SYNCED, "synced" },
    { CS_SYNC_STATUS_FAILED, "failed" },
    { CS_SYNC_STATUS_ORPHANED_LOCAL, "orphaned_local" },
    { CS_SYNC_STATUS_ORPHANED_CALCOM, "orphaned_calcom" },
  };
  CsSyncStatus parsed;

  G_STATIC_ASSERT (G_N_ELEMENTS (table) == CS_SYNC_STATUS_LAST + 1);

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_assert_cmpstr (cs_sync_status_to_string (table[i].value), ==, table[i].name);
      g_assert_true (cs_sync_status_from_string (table[i].name, &parsed));
      g_assert_cmpint (parsed, ==, table[i].value);
    }

  g_assert_false (cs_sync_status_from_string ("Synced", &parsed));
  g_assert_false (cs_sync_status_from_string ("", &parsed));
  g_assert_false (cs_sync_status_from_string (NULL, &parsed));
  g_assert_null (cs_sync_status_to_string ((CsSyncStatus) 42));
}

static void
test_error_code_names (void)
{
  static const struct { CsErrorCode value; const char *name; } table[] = {
    { CS_ERROR_CODE_ORPHANED_LOCAL, "ORPHANED_LOCAL" },
    { CS_ERROR_CODE_ORPHANED_CALCOM, "ORPHANED_CALCOM" },
    { CS_ERROR_CODE_DATA_MISMATCH, "DATA_MISMATCH" },
    { CS_ERROR_CODE_VERIFICATION_ERROR, "VERIFICATION_ERROR" },
    { CS_ERROR_CODE_CIRCUIT_OPEN, "CIRCUIT_OPEN" },
  };
  CsErrorCode parsed = CS_ERROR_CODE_DATA_MISMATCH;

  G_STATIC_ASSERT (G_N_ELEMENTS (table) == CS_ERROR_CODE_LAST);

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_assert_cmpstr (cs_error_code_to_string (table[i].value), ==, table[i].name);
      g_assert_true (cs_error_code_from_string (table[i].name, &parsed));
      g_assert_cmpint (parsed, ==, table[i].value);
    }

  /* No code is SQL NULL / JSON null, both ways. */
  g_assert_null (cs_error_code_to_string (CS_ERROR_CODE_NONE));
  g_assert_true (cs_error_code_from_string (NULL, &parsed));
  g_assert_cmpint (parsed, ==, CS_ERROR_CODE_NONE);
  g_assert_false (cs_error_code_from_string ("orphaned_local", &parsed));
}

static void
test_crm_and_booking_status_names (void)
{
  static const char * const crm[] = { "scheduled", "confirmed", "completed", "no_show",
                                      "cancelled" };
  static const char * const booking[] = { "accepted", "pending", "cancelled", "rejected",
                                          "awaiting_host" };
  static const char * const fields[] = { "start", "end", "status", "booking_uid" };

  G_STATIC_ASSERT (G_N_ELEMENTS (crm) == CS_CRM_STATUS_LAST + 1);
  G_STATIC_ASSERT (G_N_ELEMENTS (booking) == CS_BOOKING_STATUS_LAST + 1);
  G_STATIC_ASSERT (G_N_ELEMENTS (fields) == CS_DIFF_FIELD_LAST + 1);

  for (guint i = 0; i < G_N_ELEMENTS (crm); i++)
    {
      CsCrmStatus parsed;

      g_assert_cmpstr (cs_crm_status_to_string (i), ==, crm[i]);
      g_assert_true (cs_crm_status_from_string (crm[i], &parsed));
      g_assert_cmpuint (parsed, ==, i);
    }

  for (guint i = 0; i < G_N_ELEMENTS (booking); i++)
    {
      CsBookingStatus parsed;

      g_assert_cmpstr (cs_booking_status_to_string (i), ==, booking[i]);
      g_assert_true (cs_booking_status_from_string (booking[i], &parsed));
      g_assert_cmpuint (parsed, ==, i);
    }

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      CsDiffField parsed;

      g_assert_cmpstr (cs_diff_field_to_string (i), ==, fields[i]);
      g_assert_true (cs_diff_field_from_string (fields[i], &parsed));
      g_assert_cmpuint (parsed, ==, i);
    }
}

static void
test_status_mapping (void)
{
  /* backend-api.md, "Status mapping to Cal.com". */
  for (CsCrmStatus crm = 0; crm <= CS_CRM_STATUS_LAST; crm++)
    {
      gboolean active = crm != CS_CRM_STATUS_CANCELLED;

      g_assert_cmpint (cs_status_agrees (crm, CS_BOOKING_STATUS_ACCEPTED), ==, active);
      g_assert_cmpint (cs_status_agrees (crm, CS_BOOKING_STATUS_PENDING), ==, active);
      g_assert_cmpint (cs_status_agrees (crm, CS_BOOKING_STATUS_AWAITING_HOST), ==, active);
      g_assert_cmpint (cs_status_agrees (crm, CS_BOOKING_STATUS_CANCELLED), ==, !active);
      g_assert_cmpint (cs_status_agrees (crm, CS_BOOKING_STATUS_REJECTED), ==, !active);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/calsync/core/enums/sync-status", test_sync_status_names);
  g_test_add_func ("/calsync/core/enums/error-code", test_error_code_names);
  g_test_add_func ("/calsync/core/enums/crm-booking-field", test_crm_and_booking_status_names);
  g_test_add_func ("/calsync/core/enums/status-mapping", test_status_mapping);

  return g_test_run ();
}
