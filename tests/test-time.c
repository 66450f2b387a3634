/* test-time.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-appointment.h"
#include "cs-booking.h"
#include "cs-time.h"

static void
test_parse_offsets (void)
{
  CsTime a, b, c;

  g_assert_true (cs_time_parse_iso8601 ("2026-11-23T09:00:00+01:00", &a));
  g_assert_true (cs_time_parse_iso8601 ("2026-11-23T08:00:00Z", &b));
  g_assert_true (cs_time_parse_iso8601 ("2026-11-23T03:00:00.000000-05:00", &c));
  g_assert_cmpint (a, ==, b);
  g_assert_cmpint (b, ==, c);
  g_assert_cmpint (b, ==, G_GINT64_CONSTANT (1795420800) * CS_USEC_PER_SECOND);
}

static void
test_parse_rejects (void)
{
  static const char * const bad[] = {
    "",
    "2026-11-23T09:00:00",        /* no offset: depends on the reader's zone */
    "2026-11-23",
    "yesterday",
    "2026-13-01T00:00:00Z",
    "2026-11-23T25:00:00Z",
    "0001-01-01T00:00:00Z",       /* out of range */
    "9999-12-31T23:59:59Z",
    "2026-11-23T09:00:00+01:00trailing",
    "1971-01-01T00:30:00+01:00",  /* 1970 in UTC, which is how it is written */
    "9998-12-31T23:30:00-01:00",  /* 9999 in UTC */
    "9999-12-31T23:30:01-10",     /* past 9999 in UTC: GLib has no such time */
  };
  CsTime t = 42;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (cs_time_parse_iso8601 (bad[i], &t));
      g_assert_cmpint (t, ==, 42);
    }

  g_assert_false (cs_time_parse_iso8601 (NULL, &t));
}

static void
test_format (void)
{
  g_autofree char *whole = NULL;
  g_autofree char *fraction = NULL;
  CsTime t, back;

  g_assert_true (cs_time_parse_iso8601 ("2025-10-13T10:00:00+02:00", &t));
  whole = cs_time_format_iso8601 (t);
  g_assert_cmpstr (whole, ==, "2025-10-13T08:00:00Z");

  fraction = cs_time_format_iso8601 (t + 250000);
  g_assert_cmpstr (fraction, ==, "2025-10-13T08:00:00.250000Z");
  g_assert_true (cs_time_parse_iso8601 (fraction, &back));
  g_assert_cmpint (back, ==, t + 250000);

  g_assert_null (cs_time_format_iso8601 (CS_TIME_UNSET));
}

/* Every accepted time reads back from the text Calsync writes for it (the
 * fuzz target fuzz-time checks the same on any input). */
static void
test_round_trip (void)
{
  static const char * const edges[] = {
    "1971-01-01T00:00:00Z",
    "1971-01-01T01:30:00+01:00",
    "9998-12-31T23:59:59.999999Z",
    "9999-01-01T00:30:00+01:00",
    "2026-11-23T08:00:00.000001-09:30",
  };

  for (guint i = 0; i < G_N_ELEMENTS (edges); i++)
    {
      g_autofree char *text = NULL;
      CsTime t, back;

      g_assert_true (cs_time_parse_iso8601 (edges[i], &t));
      text = cs_time_format_iso8601 (t);
      g_assert_true (cs_time_parse_iso8601 (text, &back));
      g_assert_cmpint (back, ==, t);
    }
}

static void
test_appointment_copy_and_validity (void)
{
  g_autoptr(CsAppointment) a = cs_appointment_new ();
  g_autoptr(CsAppointment) copy = NULL;
  const char *reason = NULL;

  g_assert_cmpint (a->sync.status, ==, CS_SYNC_STATUS_PENDING);
  g_assert_false (cs_appointment_is_valid (a, &reason));
  g_assert_cmpstr (reason, ==, "id is missing or not positive");

  a->id = 1236;
  a->company_id = 3;
  a->starts_at = 10 * CS_USEC_PER_HOUR;
  a->ends_at = a->starts_at - 1;
  g_assert_false (cs_appointment_is_valid (a, &reason));
  g_assert_cmpstr (reason, ==, "ends_at is before starts_at");

  a->ends_at = a->starts_at + 45 * CS_USEC_PER_MINUTE;
  a->customer_name = g_strdup ("Tom Klein");
  a->sync.sync_error_message = g_strdup ("Not in Cal.com");
  g_assert_true (cs_appointment_is_valid (a, &reason));
  g_assert_null (reason);

  copy = cs_appointment_copy (a);
  g_assert_true (copy->customer_name != a->customer_name);
  g_assert_cmpstr (copy->customer_name, ==, "Tom Klein");
  g_assert_true (copy->sync.sync_error_message != a->sync.sync_error_message);
  g_assert_true (cs_sync_tracking_equal (&copy->sync, &a->sync));
  g_assert_cmpint (copy->ends_at, ==, a->ends_at);
}

static void
test_booking_copy_and_metadata (void)
{
  g_autoptr(CsBooking) b = cs_booking_new ("abc-def-123");
  g_autoptr(CsBooking) copy = NULL;
  const CsAttendee *att;

  g_assert_null (cs_booking_get_crm_appointment_id (b));
  cs_booking_set_metadata (b, CS_METADATA_CRM_APPOINTMENT_ID, "1236");
  cs_booking_add_attendee (b, "Tom Klein", "tom@example.test", "+49 123 456789");
  b->start = CS_USEC_PER_DAY * 400;
  b->end = b->start + CS_USEC_PER_HOUR;

  copy = cs_booking_copy (b);
  g_assert_cmpstr (cs_booking_get_crm_appointment_id (copy), ==, "1236");
  g_assert_cmpuint (copy->attendees->len, ==, 1);
  att = g_ptr_array_index (copy->attendees, 0);
  g_assert_cmpstr (att->email, ==, "tom@example.test");
  g_assert_true (cs_booking_is_valid (copy, NULL));

  cs_booking_set_metadata (b, CS_METADATA_CRM_APPOINTMENT_ID, NULL);
  g_assert_null (cs_booking_get_crm_appointment_id (b));
  g_assert_cmpstr (cs_booking_get_crm_appointment_id (copy), ==, "1236");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/calsync/core/time/parse-offsets", test_parse_offsets);
  g_test_add_func ("/calsync/core/time/parse-rejects", test_parse_rejects);
  g_test_add_func ("/calsync/core/time/format", test_format);
  g_test_add_func ("/calsync/core/time/round-trip", test_round_trip);
  g_test_add_func ("/calsync/core/values/appointment", test_appointment_copy_and_validity);
  g_test_add_func ("/calsync/core/values/booking", test_booking_copy_and_metadata);

  return g_test_run ();
}
