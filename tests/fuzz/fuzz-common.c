/* fuzz-common.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "cs-backend-json.h"
#include "cs-calcom-json.h"
#include "cs-json-util.h"
#include "cs-net-error.h"
#include "cs-store-json-private.h"
#include "fuzz-common.h"

/*
 * What every target shares: a log writer that turns a warning or a critical
 * (a g_return_if_fail() tripped by what a parser handed on) into a crash the
 * fuzzer keeps, and the invariants of what the parsers return. A failed
 * check aborts: libFuzzer and the replay driver both see the crash.
 */

static GLogWriterOutput
fuzz_log_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  /* The parsers log every refused row by design: millions of lines. */
  if (!(log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)))
    return G_LOG_WRITER_HANDLED;

  g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
  abort ();
}

/**
 * cs_fuzz_init:
 *
 * Sets the log writer once; each target calls it first.
 */
void
cs_fuzz_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
      g_once_init_leave (&initialized, 1);
    }
}

/**
 * cs_fuzz_dup_text:
 * @data: (array length=size): the input
 * @size: its length
 *
 * Returns: (transfer full): @data as a C string (cut at a NUL byte, as a C
 *   caller would see it)
 */
char *
cs_fuzz_dup_text (const uint8_t *data,
                  size_t         size)
{
  return g_strndup ((const char *) data, size);
}

/**
 * cs_fuzz_check_text:
 * @text: (nullable): a string a parser returned
 *
 * Strings from the parsers reach GTK labels, SQLite and JSON bodies: they
 * must be valid UTF-8.
 */
void
cs_fuzz_check_text (const char *text)
{
  if (text != NULL)
    g_assert (g_utf8_validate (text, -1, NULL));
}

/**
 * cs_fuzz_check_message:
 * @message: (nullable): a server's message after cs_json_clean_message()
 *
 * What is shown to people: valid UTF-8, not empty, at most
 * %CS_JSON_MAX_MESSAGE_CHARS characters, no control characters and no
 * white space but single spaces inside.
 */
void
cs_fuzz_check_message (const char *message)
{
  if (message == NULL)
    return;

  g_assert (g_utf8_validate (message, -1, NULL));
  g_assert (message[0] != '\0');
  g_assert (g_utf8_strlen (message, -1) <= CS_JSON_MAX_MESSAGE_CHARS);

  for (const char *p = message; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_assert (!g_unichar_iscntrl (c));
      g_assert (c == ' ' || !g_unichar_isspace (c));
    }

  g_assert (message[0] != ' ');
}

/**
 * cs_fuzz_check_error:
 * @error: the error a parser set
 *
 * Parser errors reach the log, the CLI's JSON and the window.
 */
void
cs_fuzz_check_error (const GError *error)
{
  g_assert (error != NULL);
  g_assert (error->domain == CS_NET_ERROR);
  g_assert (error->message != NULL);
  g_assert (g_utf8_validate (error->message, -1, NULL));
}

/**
 * cs_fuzz_check_json:
 * @body: a body Calsync built
 *
 * A body Calsync sends or stores must be JSON by the strict check and by
 * json-glib both.
 */
void
cs_fuzz_check_json (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *data;
  gsize length;

  g_assert (body != NULL);
  data = g_bytes_get_data (body, &length);

  if (!cs_json_check_syntax (data, length, &error))
    g_error ("A built body is not JSON: %s", error->message);

  root = cs_json_parse_bytes (body, &error);
  g_assert_no_error (error);
  g_assert (root != NULL);

  g_assert (json_parser_load_from_data (parser, data, (gssize) length, NULL));
}

static void
check_time (CsTime time)
{
  g_autofree char *text = NULL;
  CsTime again = CS_TIME_UNSET;

  if (time == CS_TIME_UNSET)
    return;

  /* What Calsync writes it must read back: the cache and every request
   * body carry times as this text. */
  text = cs_time_format_iso8601 (time);
  g_assert (text != NULL);
  if (!cs_time_parse_iso8601 (text, &again))
    g_error ("A parsed time does not read back after formatting: %s", text);
  g_assert_cmpint (again, ==, time);
}

static gboolean
same_string (const char *a,
             const char *b)
{
  return g_strcmp0 (a, b) == 0;
}

/* The cache keeps attendees and metadata in its own JSON: what a parser
 * accepted must come back from it unchanged. */
static void
check_store_round_trip (const CsBooking *booking)
{
  g_autoptr(GPtrArray) attendees = NULL;
  g_autoptr(GHashTable) metadata = NULL;
  g_autofree char *attendees_json = NULL;
  g_autofree char *metadata_json = NULL;

  attendees = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_attendee_free);
  attendees_json = _cs_store_json_encode_attendees (booking->attendees);
  g_assert (cs_json_check_syntax (attendees_json, strlen (attendees_json), NULL));
  g_assert (_cs_store_json_decode_attendees (attendees_json, attendees));
  g_assert_cmpuint (attendees->len, ==, booking->attendees->len);

  for (guint i = 0; i < attendees->len; i++)
    {
      const CsAttendee *a = g_ptr_array_index (attendees, i);
      const CsAttendee *b = g_ptr_array_index (booking->attendees, i);

      g_assert (same_string (a->name, b->name));
      g_assert (same_string (a->email, b->email));
      g_assert (same_string (a->phone, b->phone));
    }

  metadata_json = _cs_store_json_encode_metadata (booking->metadata);
  if (metadata_json == NULL)
    {
      g_assert (booking->metadata == NULL);
      return;
    }

  g_assert (cs_json_check_syntax (metadata_json, strlen (metadata_json), NULL));
  g_assert (_cs_store_json_decode_metadata (metadata_json, &metadata));
  g_assert_cmpuint (g_hash_table_size (metadata), ==, g_hash_table_size (booking->metadata));

  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, booking->metadata);
    while (g_hash_table_iter_next (&iter, &key, &value))
      g_assert (same_string (g_hash_table_lookup (metadata, key), value));
  }
}

/**
 * cs_fuzz_check_booking:
 * @booking: a booking a Cal.com parser accepted
 *
 * The reconciler, the cache and the request builders take an accepted
 * booking as it is: it must be valid, its text UTF-8, its times must read
 * back, and the bodies built from it must be JSON.
 */
void
cs_fuzz_check_booking (const CsBooking *booking)
{
  const CsAttendee *first = NULL;
  const char *reason = NULL;
  g_autoptr(GBytes) create = NULL;
  g_autoptr(GBytes) reschedule = NULL;

  g_assert (booking != NULL);
  if (!cs_booking_is_valid (booking, &reason))
    g_error ("An accepted booking is invalid: %s", reason);
  g_assert_cmpint (booking->id, >, 0);

  cs_fuzz_check_text (booking->uid);
  cs_fuzz_check_text (booking->title);
  cs_fuzz_check_text (booking->rescheduled_to_uid);
  cs_fuzz_check_text (booking->rescheduled_from_uid);
  cs_fuzz_check_text (booking->recurring_booking_uid);
  check_time (booking->start);
  check_time (booking->end);
  check_time (booking->updated_at);

  for (guint i = 0; i < booking->attendees->len; i++)
    {
      const CsAttendee *attendee = g_ptr_array_index (booking->attendees, i);

      cs_fuzz_check_text (attendee->name);
      cs_fuzz_check_text (attendee->email);
      cs_fuzz_check_text (attendee->phone);
    }

  if (booking->metadata != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, booking->metadata);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          cs_fuzz_check_text (key);
          cs_fuzz_check_text (value);
        }
    }

  check_store_round_trip (booking);

  /* An orphaned booking becomes a CRM appointment; a mismatch may move
   * the booking. */
  if (booking->attendees->len > 0)
    first = g_ptr_array_index (booking->attendees, 0);
  create = cs_backend_build_create_appointment (booking, NULL,
                                                first != NULL ? first->name : NULL,
                                                first != NULL ? first->email : NULL,
                                                first != NULL ? first->phone : NULL);
  cs_fuzz_check_json (create);

  reschedule = cs_calcom_build_reschedule (booking->start, booking->title);
  cs_fuzz_check_json (reschedule);
}

/**
 * cs_fuzz_check_appointment:
 * @appointment: an appointment a backend parser accepted
 * @company_id: the signed-in company
 *
 * No row of another company may pass; the rest as for bookings.
 */
void
cs_fuzz_check_appointment (const CsAppointment *appointment,
                           gint64               company_id)
{
  const char *reason = NULL;

  g_assert (appointment != NULL);
  if (appointment->company_id != company_id)
    g_error ("A row of company %" G_GINT64_FORMAT " passed for company %" G_GINT64_FORMAT,
             appointment->company_id, company_id);
  if (!cs_appointment_is_valid (appointment, &reason))
    g_error ("An accepted appointment is invalid: %s", reason);
  g_assert_cmpint (appointment->id, >, 0);

  cs_fuzz_check_text (appointment->number);
  cs_fuzz_check_text (appointment->title);
  cs_fuzz_check_text (appointment->customer_name);
  cs_fuzz_check_text (appointment->customer_email);
  cs_fuzz_check_text (appointment->customer_phone);
  cs_fuzz_check_text (appointment->calcom_booking_uid);
  cs_fuzz_check_text (appointment->source);
  cs_fuzz_check_text (appointment->sync.sync_error_message);

  check_time (appointment->starts_at);
  check_time (appointment->ends_at);
  check_time (appointment->created_at);
  check_time (appointment->updated_at);
  check_time (appointment->deleted_at);
  check_time (appointment->sync.last_sync_attempt_at);
  check_time (appointment->sync.sync_verified_at);
  check_time (appointment->sync.manual_review_flagged_at);
}
