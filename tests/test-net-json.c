/* test-net-json.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "cs-backend-json.h"
#include "cs-calcom-json.h"
#include "cs-json-util.h"
#include "cs-net-error.h"

#define COMPANY 3
#define OTHER_COMPANY 4

#define TEN_MB (10 * 1024 * 1024)

/* The mutation test's seed: fixed so that a failure can be replayed;
 * CALSYNC_FUZZ_SEED overrides it. */
#define FUZZ_SEED       20261124
#define FUZZ_ITERATIONS 20000

/* Helpers */

static GBytes *
load_fixture (const char *folder,
              const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  char *contents = NULL;
  gsize length = 0;

  path = g_test_build_filename (G_TEST_DIST, "data", folder, name, NULL);
  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);

  return g_bytes_new_take (contents, length);
}

static GBytes *
bytes_from_string (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

static CsTime
iso (const char *text)
{
  CsTime t = CS_TIME_UNSET;

  g_assert_true (cs_time_parse_iso8601 (text, &t));
  return t;
}

static void
assert_time (CsTime      t,
             const char *expected)
{
  g_assert_cmpint (t, ==, iso (expected));
}

/* The fixture's object at `data` (or `data[index]`), as JSON text. */
static char *
fixture_member_text (const char *folder,
                     const char *name,
                     int         index)
{
  g_autoptr(GBytes) bytes = load_fixture (folder, name);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *data;

  json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                              (gssize) g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);

  data = json_object_get_member (json_node_get_object (json_parser_get_root (parser)), "data");
  if (index >= 0)
    data = json_array_get_element (json_node_get_array (data), (guint) index);

  return json_to_string (data, FALSE);
}

/* Replaces (or removes, for a %NULL @value) @member of the object in
 * @object_text. @value is spliced in as raw JSON text: json-glib would wrap
 * a huge integer or cut a string at \u0000 if it parsed it here. */
static char *
with_member (const char *object_text,
             const char *member,
             const char *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (object_text, &error);
  g_autofree char *text = NULL;
  g_auto(GStrv) parts = NULL;
  JsonObject *object;

  g_assert_no_error (error);
  object = json_node_get_object (node);

  if (value == NULL)
    {
      json_object_remove_member (object, member);
      return json_to_string (node, FALSE);
    }

  json_object_set_string_member (object, member, "@@value@@");
  text = json_to_string (node, FALSE);
  parts = g_strsplit (text, "\"@@value@@\"", 2);
  g_assert_cmpuint (g_strv_length (parts), ==, 2);

  return g_strconcat (parts[0], value, parts[1], NULL);
}

static GBytes *
take_string (char *text)
{
  return g_bytes_new_take (text, strlen (text));
}

static const char calcom_pagination[] =
  "{\"totalItems\":3,\"remainingItems\":0,\"returnedItems\":3,\"itemsPerPage\":100,"
  "\"currentPage\":1,\"totalPages\":1,\"hasNextPage\":false,\"hasPreviousPage\":false}";

static char *
calcom_booking_text (const char *uid)
{
  g_autofree char *text = fixture_member_text ("calcom", "booking-get.json", -1);
  g_autofree char *quoted = g_strdup_printf ("\"%s\"", uid);

  return with_member (text, "uid", quoted);
}

/* A page of three bookings, "first", @middle and "last". */
static GBytes *
calcom_page_around (const char *middle)
{
  g_autofree char *first = calcom_booking_text ("first");
  g_autofree char *last = calcom_booking_text ("last");

  return take_string (g_strdup_printf ("{\"status\":\"success\",\"data\":[%s,%s,%s],"
                                       "\"pagination\":%s}",
                                       first, middle, last, calcom_pagination));
}

static void
assert_first_and_last_only (GPtrArray *bookings,
                            guint      n_rejected)
{
  g_assert_nonnull (bookings);
  g_assert_cmpuint (bookings->len, ==, 2);
  g_assert_cmpuint (n_rejected, ==, 1);
  g_assert_cmpstr (((CsBooking *) g_ptr_array_index (bookings, 0))->uid, ==, "first");
  g_assert_cmpstr (((CsBooking *) g_ptr_array_index (bookings, 1))->uid, ==, "last");
}

/* The page with the middle booking's @member replaced must keep the other
 * two and reject the middle one. */
static void
assert_calcom_member_rejected (const char *member,
                               const char *value)
{
  g_autofree char *middle_base = calcom_booking_text ("middle");
  g_autofree char *middle = with_member (middle_base, member, value);
  g_autoptr(GBytes) body = calcom_page_around (middle);
  g_autoptr(GPtrArray) bookings = NULL;
  g_autoptr(GError) error = NULL;
  guint n_rejected = 99;

  g_test_message ("Cal.com booking with %s = %.80s", member, value != NULL ? value : "(missing)");

  bookings = cs_calcom_parse_bookings_page (body, NULL, &n_rejected, NULL, &error);
  g_assert_no_error (error);
  assert_first_and_last_only (bookings, n_rejected);
}

static void
assert_calcom_member_accepted (const char *member,
                               const char *value)
{
  g_autofree char *middle_base = calcom_booking_text ("middle");
  g_autofree char *middle = with_member (middle_base, member, value);
  g_autoptr(GBytes) body = calcom_page_around (middle);
  g_autoptr(GPtrArray) bookings = NULL;
  g_autoptr(GError) error = NULL;
  guint n_rejected = 99;

  g_test_message ("Cal.com booking with %s = %.80s", member, value != NULL ? value : "(missing)");

  bookings = cs_calcom_parse_bookings_page (body, NULL, &n_rejected, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bookings);
  g_assert_cmpuint (bookings->len, ==, 3);
  g_assert_cmpuint (n_rejected, ==, 0);
}

static char *
backend_row_text (gint64 id)
{
  g_autofree char *text = fixture_member_text ("backend", "appointment.json", -1);
  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, id);

  return with_member (text, "id", number);
}

static const char backend_meta[] =
  "{\"current_page\":1,\"last_page\":1,\"per_page\":100,\"total\":3}";

/* A page of three rows, 1, @middle and 3. */
static GBytes *
backend_page_around (const char *middle)
{
  g_autofree char *first = backend_row_text (1);
  g_autofree char *last = backend_row_text (3);

  return take_string (g_strdup_printf ("{\"data\":[%s,%s,%s],\"meta\":%s}",
                                       first, middle, last, backend_meta));
}

static void
assert_backend_member_rejected (const char *member,
                                const char *value)
{
  g_autofree char *middle_base = backend_row_text (2);
  g_autofree char *middle = with_member (middle_base, member, value);
  g_autoptr(GBytes) body = backend_page_around (middle);
  g_autoptr(GPtrArray) appointments = NULL;
  g_autoptr(GError) error = NULL;
  guint n_rejected = 99;
  guint n_foreign = 99;

  g_test_message ("CRM row with %s = %.80s", member, value != NULL ? value : "(missing)");

  appointments = cs_backend_parse_appointments_page (body, COMPANY, NULL, &n_rejected, &n_foreign,
                                                     NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (appointments);
  g_assert_cmpuint (appointments->len, ==, 2);
  g_assert_cmpuint (n_rejected, ==, 1);
  g_assert_cmpuint (n_foreign, ==, 0);
  g_assert_cmpint (((CsAppointment *) g_ptr_array_index (appointments, 0))->id, ==, 1);
  g_assert_cmpint (((CsAppointment *) g_ptr_array_index (appointments, 1))->id, ==, 3);
}

static JsonNode *
reparse (GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JsonNode *node;

  g_assert_nonnull (bytes);
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_assert_null (strchr (text, '\n'));

  node = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));

  return node;
}

static void
assert_member_string (JsonObject *object,
                      const char *member,
                      const char *expected)
{
  JsonNode *node = json_object_get_member (object, member);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_true (json_node_get_value_type (node) == G_TYPE_STRING);
  g_assert_cmpstr (json_node_get_string (node), ==, expected);
}

static void
assert_member_int (JsonObject *object,
                   const char *member,
                   gint64      expected)
{
  JsonNode *node = json_object_get_member (object, member);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_true (json_node_get_value_type (node) == G_TYPE_INT64);
  g_assert_cmpint (json_node_get_int (node), ==, expected);
}

static void
assert_member_boolean (JsonObject *object,
                       const char *member,
                       gboolean    expected)
{
  JsonNode *node = json_object_get_member (object, member);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_true (json_node_get_value_type (node) == G_TYPE_BOOLEAN);
  g_assert_cmpint (!json_node_get_boolean (node), ==, !expected);
}

static void
assert_member_null (JsonObject *object,
                    const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_NULL (node));
}

/* The errors every parser may give for a bad body. */
static void
assert_typed_error (const GError *error)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == CS_NET_ERROR);
  g_assert_true (error->code == CS_NET_ERROR_INVALID_RESPONSE ||
                 error->code == CS_NET_ERROR_UNSUPPORTED ||
                 error->code == CS_NET_ERROR_WRONG_COMPANY ||
                 error->code == CS_NET_ERROR_TOO_LARGE);
  g_assert_nonnull (error->message);
}

/* Cal.com: the OpenAPI examples */

static void
assert_openapi_example_booking (const CsBooking *booking)
{
  const CsAttendee *attendee;

  g_assert_cmpstr (booking->uid, ==, "booking_uid_123");
  g_assert_cmpint (booking->id, ==, 123);
  assert_time (booking->start, "2024-08-13T15:30:00Z");
  assert_time (booking->end, "2024-08-13T16:30:00Z");
  g_assert_cmpint (booking->status, ==, CS_BOOKING_STATUS_ACCEPTED);
  g_assert_cmpstr (booking->title, ==, "Consultation");
  /* `eventTypeId` (50) wins over the example's `eventType.id` (1). */
  g_assert_cmpint (booking->event_type_id, ==, 50);
  assert_time (booking->updated_at, "2024-08-13T15:30:00Z");

  g_assert_cmpuint (booking->attendees->len, ==, 1);
  attendee = g_ptr_array_index (booking->attendees, 0);
  g_assert_cmpstr (attendee->name, ==, "John Doe");
  g_assert_cmpstr (attendee->email, ==, "john@example.com");
  g_assert_cmpstr (attendee->phone, ==, "+1234567890");

  g_assert_cmpstr (cs_booking_get_metadata (booking, "key"), ==, "value");
  g_assert_null (cs_booking_get_crm_appointment_id (booking));
  g_assert_true (cs_booking_is_valid (booking, NULL));
}

static void
test_calcom_openapi_page (void)
{
  g_autoptr(GBytes) body = load_fixture ("calcom", "bookings-page.json");
  g_autoptr(GPtrArray) bookings = NULL;
  g_autoptr(GError) error = NULL;
  CsCalcomPage page;
  const CsBooking *recurring;
  const CsBooking *seated;
  const CsAttendee *attendee;
  guint n_rejected = 99;

  bookings = cs_calcom_parse_bookings_page (body, &page, &n_rejected, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bookings);
  g_assert_cmpuint (bookings->len, ==, 3);
  g_assert_cmpuint (n_rejected, ==, 0);

  g_assert_cmpuint (page.total_items, ==, 123);
  g_assert_cmpuint (page.remaining_items, ==, 103);
  g_assert_cmpuint (page.returned_items, ==, 10);
  g_assert_cmpuint (page.items_per_page, ==, 10);
  g_assert_cmpuint (page.current_page, ==, 2);
  g_assert_cmpuint (page.total_pages, ==, 13);
  g_assert_true (page.has_next_page);

  assert_openapi_example_booking (g_ptr_array_index (bookings, 0));

  /* An occurrence of a recurring series is a normal booking. */
  recurring = g_ptr_array_index (bookings, 1);
  g_assert_cmpstr (recurring->uid, ==, "recurring_occurrence_uid_124");
  g_assert_cmpint (recurring->id, ==, 124);
  g_assert_cmpint (recurring->status, ==, CS_BOOKING_STATUS_PENDING);
  assert_time (recurring->start, "2024-08-20T15:30:00Z");
  assert_time (recurring->end, "2024-08-20T16:30:00Z");
  /* Metadata values become strings; integral numbers without a fraction. */
  g_assert_cmpstr (cs_booking_get_crm_appointment_id (recurring), ==, "1236");
  g_assert_cmpstr (cs_booking_get_metadata (recurring, CS_METADATA_CRM_COMPANY_ID), ==, "3");
  g_assert_cmpstr (cs_booking_get_metadata (recurring, "reminder"), ==, "true");

  /* A seated booking with the single-booking fields is read too. */
  seated = g_ptr_array_index (bookings, 2);
  g_assert_cmpstr (seated->uid, ==, "seated_uid_125");
  g_assert_cmpint (seated->status, ==, CS_BOOKING_STATUS_CANCELLED);
  g_assert_cmpuint (seated->attendees->len, ==, 1);
  attendee = g_ptr_array_index (seated->attendees, 0);
  g_assert_cmpstr (attendee->name, ==, "John Doe");
  g_assert_cmpstr (attendee->email, ==, "john@example.com");
}

static void
test_calcom_openapi_get (void)
{
  g_autoptr(GBytes) body = load_fixture ("calcom", "booking-get.json");
  g_autoptr(CsBooking) booking = NULL;
  g_autoptr(GError) error = NULL;

  booking = cs_calcom_parse_booking_response (body, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (booking);
  assert_openapi_example_booking (booking);
}

static void
test_calcom_seated_create (void)
{
  g_autoptr(GBytes) body = load_fixture ("calcom", "booking-seated-create.json");
  g_autoptr(CsBooking) booking = NULL;
  g_autoptr(GError) error = NULL;

  booking = cs_calcom_parse_booking_response (body, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (booking);
  g_assert_cmpstr (booking->uid, ==, "booking_uid_123");
}

static void
test_calcom_recurring_series (void)
{
  g_autoptr(GBytes) body = load_fixture ("calcom", "booking-recurring-series.json");
  g_autoptr(CsBooking) booking = NULL;
  g_autoptr(GError) error = NULL;

  /* Per occurrence: the one asked for, each read as a booking. */
  booking = cs_calcom_parse_booking_response (body, "recurring_occurrence_uid_126", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (booking->uid, ==, "recurring_occurrence_uid_126");
  g_assert_cmpstr (booking->recurring_booking_uid, ==, "recurring_uid_987");
  g_clear_pointer (&booking, cs_booking_free);

  /* The series' own uid: its first occurrence. */
  booking = cs_calcom_parse_booking_response (body, "recurring_uid_987", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (booking->uid, ==, "recurring_occurrence_uid_124");
  g_clear_pointer (&booking, cs_booking_free);

  /* An empty series is no booking. */
  g_clear_pointer (&body, g_bytes_unref);
  body = bytes_from_string ("{\"status\":\"success\",\"data\":[]}");
  booking = cs_calcom_parse_booking_response (body, NULL, &error);
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
  g_assert_null (booking);
}

static void
test_calcom_seated_without_fields (void)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(CsBooking) booking = NULL;
  g_autoptr(GError) error = NULL;

  body = bytes_from_string ("{\"status\":\"success\",\"data\":{\"seatUid\":\"3be561a9\","
                            "\"attendees\":[{\"name\":\"John Doe\",\"seatUid\":\"3be561a9\"}]}}");
  booking = cs_calcom_parse_booking_response (body, NULL, &error);
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_UNSUPPORTED);
  g_assert_null (booking);
  g_assert_nonnull (strstr (error->message, "seated booking"));
  g_assert_null (strstr (error->message, "John"));
}

static void
test_calcom_single_invalid (void)
{
  g_autofree char *base = fixture_member_text ("calcom", "booking-get.json", -1);
  g_autofree char *data = with_member (base, "uid", NULL);
  g_autofree char *text = g_strdup_printf ("{\"status\":\"success\",\"data\":%s}", data);
  g_autoptr(GBytes) body = bytes_from_string (text);
  g_autoptr(GBytes) null_data = bytes_from_string ("{\"status\":\"success\",\"data\":null}");
  g_autoptr(GBytes) no_status = bytes_from_string ("{\"data\":{}}");
  g_autoptr(CsBooking) booking = NULL;
  g_autoptr(GError) error = NULL;

  booking = cs_calcom_parse_booking_response (body, NULL, &error);
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
  g_assert_null (booking);
  g_assert_nonnull (strstr (error->message, "uid"));
  g_clear_error (&error);

  booking = cs_calcom_parse_booking_response (null_data, NULL, &error);
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
  g_assert_null (booking);
  g_clear_error (&error);

  booking = cs_calcom_parse_booking_response (no_status, NULL, &error);
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
  g_assert_null (booking);
}

static void
test_calcom_required_fields (void)
{
  static const struct {
    const char *member;
    const char *value;
  } rejected[] = {
    { "uid", NULL }, { "uid", "null" }, { "uid", "123" }, { "uid", "\"\"" }, { "uid", "[]" },
    { "uid", "{}" },
    { "id", NULL }, { "id", "null" }, { "id", "\"123\"" }, { "id", "1.5" }, { "id", "0" },
    { "id", "-7" }, { "id", "true" }, { "id", "1e300" }, { "id", "[123]" },
    { "start", NULL }, { "start", "null" }, { "start", "1723563000" },
    { "start", "\"2024-08-13T15:30:00\"" }, { "start", "\"yesterday\"" }, { "start", "\"\"" },
    { "end", NULL }, { "end", "false" }, { "end", "\"2024-08-13 16:30\"" },
    { "status", NULL }, { "status", "\"confirmed\"" }, { "status", "1" }, { "status", "\"\"" },
    /* Optional members must be well typed when present. */
    { "title", "5" }, { "title", "{}" },
    { "attendees", "\"John Doe\"" }, { "attendees", "[5]" }, { "attendees", "[null]" },
    { "attendees", "[{\"name\":\"John Doe\",\"email\":5}]" },
    { "attendees", "[{\"name\":[\"John\"]}]" },
    { "attendees", "[{\"phoneNumber\":{}}]" },
    { "metadata", "\"crm\"" }, { "metadata", "[]" }, { "metadata", "{\"a\":{}}" },
    { "metadata", "{\"a\":[1]}" },
    { "eventTypeId", "\"50\"" }, { "eventTypeId", "1.5" }, { "eventTypeId", "0" },
    { "eventType", "\"some-event\"" }, { "eventType", "{\"id\":\"1\"}" },
    { "updatedAt", "\"garbage\"" }, { "updatedAt", "7" },
  };
  static const struct {
    const char *member;
    const char *value;
  } accepted[] = {
    { "title", NULL }, { "title", "null" }, { "attendees", NULL }, { "attendees", "[]" },
    { "attendees", "[{}]" }, { "attendees", "[{\"name\":null,\"email\":null}]" },
    { "metadata", NULL }, { "metadata", "null" }, { "metadata", "{\"a\":null}" },
    { "eventTypeId", NULL }, { "eventType", NULL }, { "updatedAt", "null" },
    { "status", "\"ACCEPTED\"" }, { "id", "123.0" },
    { "start", "\"2024-08-13T17:30:00+02:00\"" },
    { "description", "{\"ignored\":[1,2,{\"x\":null}]}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rejected); i++)
    assert_calcom_member_rejected (rejected[i].member, rejected[i].value);

  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    assert_calcom_member_accepted (accepted[i].member, accepted[i].value);
}

static void
test_calcom_absurd_values (void)
{
  /* End before start, and the years core refuses. */
  assert_calcom_member_rejected ("end", "\"2024-08-13T15:29:59Z\"");
  assert_calcom_member_rejected ("start", "\"0001-01-01T00:00:00Z\"");
  assert_calcom_member_rejected ("start", "\"9999-12-31T00:00:00Z\"");
  assert_calcom_member_rejected ("end", "\"9999-12-31T00:00:00Z\"");
  assert_calcom_member_rejected ("end", "\"0001-01-01T00:00:00Z\"");
  assert_calcom_member_rejected ("updatedAt", "\"0001-01-01T00:00:00Z\"");
  /* Integers beyond 64 bits: json-glib would wrap them silently. */
  assert_calcom_member_rejected ("id", "99999999999999999999");
  assert_calcom_member_rejected ("id", "-9223372036854775809");
  assert_calcom_member_rejected ("eventTypeId", "12345678901234567890");
  assert_calcom_member_rejected ("id", "1e400");
}

static void
test_calcom_huge_string (void)
{
  g_autofree char *huge = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *attendee = NULL;

  huge = g_malloc (TEN_MB + 1);
  memset (huge, 'x', TEN_MB);
  huge[TEN_MB] = '\0';
  quoted = g_strdup_printf ("\"%s\"", huge);

  assert_calcom_member_rejected ("title", quoted);
  assert_calcom_member_rejected ("uid", quoted);

  attendee = g_strdup_printf ("[{\"name\":\"John Doe\",\"email\":%s}]", quoted);
  assert_calcom_member_rejected ("attendees", attendee);

  /* A member Calsync does not keep does not matter. */
  assert_calcom_member_accepted ("description", quoted);

  /* The limit itself is kept; one byte more is not. */
  huge[CS_JSON_MAX_STRING_LENGTH] = '\0';
  g_free (quoted);
  quoted = g_strdup_printf ("\"%s\"", huge);
  assert_calcom_member_accepted ("title", quoted);

  huge[CS_JSON_MAX_STRING_LENGTH] = 'x';
  huge[CS_JSON_MAX_STRING_LENGTH + 1] = '\0';
  g_free (quoted);
  quoted = g_strdup_printf ("\"%s\"", huge);
  assert_calcom_member_rejected ("title", quoted);
}

static void
test_calcom_escapes (void)
{
  g_autofree char *middle_base = calcom_booking_text ("middle");
  g_autofree char *middle = with_member (middle_base, "title", "\"\\ud83d\\ude00 \\u00e9\"");
  g_autoptr(GBytes) body = calcom_page_around (middle);
  g_autoptr(GPtrArray) bookings = NULL;
  g_autoptr(GError) error = NULL;
  guint n_rejected = 99;

  /* An escaped NUL or an unpaired surrogate cannot be held in a C string:
   * the record is rejected, the page kept. */
  assert_calcom_member_rejected ("title", "\"a\\u0000b\"");
  assert_calcom_member_rejected ("uid", "\"\\ud800\"");
  assert_calcom_member_rejected ("uid", "\"\\udc00x\"");
  assert_calcom_member_rejected ("title", "\"\\ud800\\u0041\"");
  assert_calcom_member_rejected ("title", "\"\\uffff\"");

  /* A proper surrogate pair and other escapes are fine. */
  bookings = cs_calcom_parse_bookings_page (body, NULL, &n_rejected, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bookings->len, ==, 3);
  g_assert_cmpstr (((CsBooking *) g_ptr_array_index (bookings, 1))->title, ==,
                   "\xf0\x9f\x98\x80 \xc3\xa9");
}

static void
test_calcom_pagination_required (void)
{
  static const char * const members[] = {
    "totalItems", "remainingItems", "returnedItems", "itemsPerPage", "currentPage",
    "totalPages", "hasNextPage", "hasPreviousPage",
  };

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      for (guint j = 0; j < 2; j++)
        {
          g_autofree char *pagination = with_member (calcom_pagination, members[i],
                                                     j == 0 ? NULL : "\"1\"");
          g_autofree char *text = g_strdup_printf ("{\"status\":\"success\",\"data\":[],"
                                                   "\"pagination\":%s}", pagination);
          g_autoptr(GBytes) body = bytes_from_string (text);
          g_autoptr(GPtrArray) bookings = NULL;
          g_autoptr(GError) error = NULL;

          bookings = cs_calcom_parse_bookings_page (body, NULL, NULL, NULL, &error);
          g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
          g_assert_null (bookings);
          g_assert_nonnull (strstr (error->message, members[i]));
        }
    }
}

static void
test_calcom_envelope_error (void)
{
  g_autoptr(GBytes) body = load_fixture ("calcom", "error-not-found.json");
  g_autoptr(GBytes) success = load_fixture ("calcom", "booking-get.json");
  g_autoptr(GBytes) html = bytes_from_string ("<html><body>502 Bad Gateway</body></html>");
  g_autoptr(GBytes) list = NULL;
  g_autoptr(GBytes) long_body = NULL;
  g_autoptr(GPtrArray) bookings = NULL;
  g_autoptr(CsBooking) booking = NULL;
  g_autoptr(CsCalcomMe) me = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *long_text = NULL;
  g_autofree char *long_message = NULL;

  bookings = cs_calcom_parse_bookings_page (body, NULL, NULL, NULL, &error);
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
  g_assert_null (bookings);
  g_assert_nonnull (strstr (error->message,
                            "Booking with uid=booking_uid_404 was not found in the database"));
  g_clear_error (&error);

  booking = cs_calcom_parse_booking_response (body, NULL, &error);
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
  g_assert_null (booking);
  g_clear_error (&error);

  me = cs_calcom_parse_me (body, &error);
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
  g_assert_null (me);

  message = cs_calcom_parse_error_message (body);
  g_assert_cmpstr (message, ==, "Booking with uid=booking_uid_404 was not found in the database");
  g_assert_null (cs_calcom_parse_error_message (success));
  g_assert_null (cs_calcom_parse_error_message (html));
  g_assert_null (cs_calcom_parse_error_message (NULL));

  /* NestJS validation: a list of messages. */
  list = bytes_from_string ("{\"status\":\"error\",\"error\":{\"code\":\"BadRequestException\","
                            "\"message\":[\"start must be a date\",\"attendee\\nis required\"]}}");
  g_clear_pointer (&message, g_free);
  message = cs_calcom_parse_error_message (list);
  g_assert_cmpstr (message, ==, "start must be a date; attendee is required");

  /* Cut to 300 characters (ä is two bytes), the last one an ellipsis. */
  long_text = g_strnfill (500, 'a');
  long_body = take_string (g_strdup_printf ("{\"status\":\"error\",\"error\":{\"message\":"
                                            "\"%s\\u00e4\"}}", long_text));
  long_message = cs_calcom_parse_error_message (long_body);
  g_assert_nonnull (long_message);
  g_assert_cmpuint (g_utf8_strlen (long_message, -1), ==, 300);
  g_assert_true (g_str_has_suffix (long_message, "a…"));
}

static void
test_calcom_me (void)
{
  g_autoptr(GBytes) body = load_fixture ("calcom", "me.json");
  g_autoptr(GBytes) bad = bytes_from_string ("{\"status\":\"success\",\"data\":"
                                             "{\"username\":\"x\",\"email\":\"a@b\","
                                             "\"timeZone\":\"UTC\"}}");
  g_autoptr(CsCalcomMe) me = NULL;
  g_autoptr(GError) error = NULL;

  me = cs_calcom_parse_me (body, &error);
  g_assert_no_error (error);
  g_assert_nonnull (me);
  g_assert_cmpint (me->id, ==, 42);
  g_assert_cmpstr (me->username, ==, "jane100");
  g_assert_cmpstr (me->email, ==, "jane100@example.com");
  g_assert_cmpstr (me->time_zone, ==, "Europe/Berlin");
  g_assert_cmpint (me->organization_id, ==, 0);
  g_clear_pointer (&me, cs_calcom_me_free);

  me = cs_calcom_parse_me (bad, &error);
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
  g_assert_null (me);
  g_assert_nonnull (strstr (error->message, "“id” is missing"));
}

static void
test_calcom_build_create (void)
{
  CsCalcomCreateRequest request = {
    .event_type_id = 42,
    .start = iso ("2025-10-13T10:00:00+02:00"),
    .attendee_name = "Tom Klein",
    .attendee_email = "tom.klein@example.com",
    .attendee_phone = "+49 123 456789",
    .time_zone = NULL,
    .crm_appointment_id = 1236,
    .crm_company_id = 3,
  };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  JsonObject *attendee;
  JsonObject *metadata;

  bytes = cs_calcom_build_create_booking (&request);
  root = reparse (bytes);
  object = json_node_get_object (root);

  assert_member_string (object, "start", "2025-10-13T08:00:00Z");
  assert_member_int (object, "eventTypeId", 42);
  /* No length unless asked: Cal.com refuses one for an ordinary event type. */
  g_assert_false (json_object_has_member (object, "lengthInMinutes"));
  g_assert_cmpuint (json_object_get_size (object), ==, 4);

  attendee = json_object_get_object_member (object, "attendee");
  assert_member_string (attendee, "name", "Tom Klein");
  assert_member_string (attendee, "email", "tom.klein@example.com");
  assert_member_string (attendee, "timeZone", "Europe/Berlin");
  assert_member_string (attendee, "phoneNumber", "+49 123 456789");
  g_assert_cmpuint (json_object_get_size (attendee), ==, 4);

  metadata = json_object_get_object_member (object, "metadata");
  assert_member_string (metadata, "crm_appointment_id", "1236");
  assert_member_string (metadata, "crm_company_id", "3");
  g_assert_cmpuint (json_object_get_size (metadata), ==, 2);

  /* A length where the event type offers several; missing contact data
   * is left out. */
  request.length_minutes = 45;
  request.attendee_email = NULL;
  request.attendee_phone = "";
  request.time_zone = "America/New_York";
  g_clear_pointer (&bytes, g_bytes_unref);
  g_clear_pointer (&root, json_node_unref);
  bytes = cs_calcom_build_create_booking (&request);
  root = reparse (bytes);
  object = json_node_get_object (root);
  assert_member_int (object, "lengthInMinutes", 45);
  attendee = json_object_get_object_member (object, "attendee");
  g_assert_false (json_object_has_member (attendee, "email"));
  g_assert_false (json_object_has_member (attendee, "phoneNumber"));
  assert_member_string (attendee, "timeZone", "America/New_York");
  metadata = json_object_get_object_member (object, "metadata");

  /* Re-read as a booking would be: the metadata links back. */
  {
    CsBooking *booking = cs_booking_new ("x");

    cs_booking_set_metadata (booking, CS_METADATA_CRM_APPOINTMENT_ID,
                             json_object_get_string_member (metadata, "crm_appointment_id"));
    g_assert_cmpstr (cs_booking_get_crm_appointment_id (booking), ==, "1236");
    cs_booking_free (booking);
  }
}

static void
test_calcom_build_cancel (void)
{
  g_autoptr(GBytes) bytes = cs_calcom_build_cancel ("Kunde hat abgesagt \"heute\"");
  g_autoptr(GBytes) empty = cs_calcom_build_cancel (NULL);
  g_autoptr(GBytes) blank = cs_calcom_build_cancel ("");
  g_autoptr(JsonNode) root = reparse (bytes);
  g_autoptr(JsonNode) empty_root = reparse (empty);
  g_autoptr(JsonNode) blank_root = reparse (blank);

  assert_member_string (json_node_get_object (root), "cancellationReason",
                        "Kunde hat abgesagt \"heute\"");
  g_assert_cmpuint (json_object_get_size (json_node_get_object (root)), ==, 1);
  /* Cal.com refuses a host's cancel without a reason: there always is one. */
  assert_member_string (json_node_get_object (empty_root), "cancellationReason",
                        CS_CALCOM_DEFAULT_CANCEL_REASON);
  assert_member_string (json_node_get_object (blank_root), "cancellationReason",
                        CS_CALCOM_DEFAULT_CANCEL_REASON);
}

/* A reason with umlauts and quotes is JSON on the wire, not C escapes. */
static void
test_calcom_build_reschedule (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) plain_root = NULL;
  g_autofree char *text = NULL;

  bytes = cs_calcom_build_reschedule (iso ("2025-10-13T10:00:00+02:00"),
                                      "Kundin möchte \"später\" – Grüße");
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_assert_null (strstr (text, "\\303"));
  root = reparse (bytes);
  assert_member_string (json_node_get_object (root), "start", "2025-10-13T08:00:00Z");
  assert_member_string (json_node_get_object (root), "reschedulingReason",
                        "Kundin möchte \"später\" – Grüße");
  g_assert_cmpuint (json_object_get_size (json_node_get_object (root)), ==, 2);

  plain = cs_calcom_build_reschedule (iso ("2025-10-13T10:00:00+02:00"), NULL);
  plain_root = reparse (plain);
  assert_member_string (json_node_get_object (plain_root), "reschedulingReason",
                        CS_CALCOM_DEFAULT_RESCHEDULE_REASON);
}

/* Cal.com's validation errors: the reasons, not "Bad Request Exception". */
static void
test_calcom_validation_details (void)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autofree char *message = NULL;
  g_autofree char *plain_message = NULL;

  body = bytes_from_string ("{\"status\":\"error\",\"timestamp\":\"2025-10-13T08:00:00Z\","
                            "\"path\":\"/v2/bookings\",\"error\":{\"code\":\"BadRequestException\","
                            "\"message\":\"Bad Request Exception\",\"details\":{\"errors\":["
                            "{\"property\":\"start\",\"constraints\":{\"isISO8601\":"
                            "\"start must be a valid ISO 8601 date string\"}},"
                            "{\"property\":\"attendee\",\"children\":[{\"property\":\"email\","
                            "\"constraints\":{\"isEmail\":\"email must be an email\"}}]}]}}}");
  message = cs_calcom_parse_error_message (body);
  g_assert_cmpstr (message, ==,
                   "start must be a valid ISO 8601 date string; email must be an email");

  plain = bytes_from_string ("{\"status\":\"error\",\"error\":{\"code\":\"BadRequestException\","
                             "\"message\":\"Cancellation reason is required when you are the "
                             "host\",\"details\":{\"message\":\"x\",\"statusCode\":400}}}");
  plain_message = cs_calcom_parse_error_message (plain);
  g_assert_cmpstr (plain_message, ==, "Cancellation reason is required when you are the host");
}

/* GET /v2/event-types/{id}, 2024-06-14. */
static void
test_calcom_event_type (void)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) single = NULL;
  g_autoptr(GBytes) broken = NULL;
  g_autoptr(CsCalcomEventType) event_type = NULL;
  g_autoptr(CsCalcomEventType) single_type = NULL;
  g_autoptr(GError) error = NULL;

  body = bytes_from_string ("{\"status\":\"success\",\"data\":{\"id\":42,\"title\":\"Schnitt\","
                            "\"lengthInMinutes\":30,\"lengthInMinutesOptions\":[15,30,45],"
                            "\"bookingFields\":[{\"type\":\"name\",\"slug\":\"name\","
                            "\"required\":true},{\"type\":\"email\",\"slug\":\"email\","
                            "\"required\":false,\"hidden\":false,\"isDefault\":true}]}}");
  event_type = cs_calcom_parse_event_type (body, &error);
  g_assert_no_error (error);
  g_assert_cmpint (event_type->id, ==, 42);
  g_assert_cmpuint (event_type->length_minutes, ==, 30);
  g_assert_true (cs_calcom_event_type_has_length (event_type, 45));
  g_assert_false (cs_calcom_event_type_has_length (event_type, 60));
  g_assert_false (event_type->email_required);

  single = bytes_from_string ("{\"status\":\"success\",\"data\":{\"id\":7,"
                              "\"lengthInMinutes\":60}}");
  single_type = cs_calcom_parse_event_type (single, &error);
  g_assert_no_error (error);
  g_assert_false (cs_calcom_event_type_has_length (single_type, 60));
  g_assert_true (single_type->email_required);

  broken = bytes_from_string ("{\"status\":\"success\",\"data\":{\"id\":7,"
                              "\"lengthInMinutes\":60,\"lengthInMinutesOptions\":[\"x\"]}}");
  g_assert_null (cs_calcom_parse_event_type (broken, &error));
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
}

/* Bodies that are not JSON */

static void
test_not_json (void)
{
  static const char * const bodies[] = {
    "",
    "   \n",
    "<html><head><title>502 Bad Gateway</title></head></html>",
    "null",
    "[]",
    "\"success\"",
    "{\"status\":\"success\",\"data\":[],\"pagination\":{}}x",
    "{\"a\":1} {\"b\":2}",
    "{'status':'success'}",
    "/* comment */ {}",
    "{\"a\":0x10}",
    "{\"a\":01}",
    "{\"a\":1.}",
    "{\"a\":.5}",
    "{\"a\":NaN}",
    "{\"a\":Infinity}",
    "{\"a\":-}",
    "{\"a\":tru}",
    "{\"a\":nulls}",
    "{\"a\":[1,]}",
    "{\"a\":1,}",
    "{\"a\" 1}",
    "{1:2}",
    "{\"a\":\"\\x41\"}",
    "{\"a\":\"\\u12\"}",
    "{\"a\":\"tab\there\"}",
    "\xef\xbb\xbf{}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GBytes) body = bytes_from_string (bodies[i]);
      g_autoptr(GPtrArray) bookings = NULL;
      g_autoptr(GPtrArray) appointments = NULL;
      g_autoptr(CsBooking) booking = NULL;
      g_autoptr(CsAppointment) appointment = NULL;
      g_autoptr(CsCalcomMe) calcom_me = NULL;
      g_autoptr(CsBackendMe) backend_me = NULL;
      g_autoptr(GError) error = NULL;
      guint count = 0;

      g_test_message ("body %u", i);

      bookings = cs_calcom_parse_bookings_page (body, NULL, NULL, NULL, &error);
      g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
      g_assert_null (bookings);
      g_clear_error (&error);

      booking = cs_calcom_parse_booking_response (body, NULL, &error);
      g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
      g_assert_null (booking);
      g_clear_error (&error);

      calcom_me = cs_calcom_parse_me (body, &error);
      g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
      g_assert_null (calcom_me);
      g_clear_error (&error);

      appointments = cs_backend_parse_appointments_page (body, COMPANY, NULL, NULL, NULL, NULL,
                                                         &error);
      g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
      g_assert_null (appointments);
      g_clear_error (&error);

      appointment = cs_backend_parse_appointment_response (body, COMPANY, &error);
      g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
      g_assert_null (appointment);
      g_clear_error (&error);

      backend_me = cs_backend_parse_me (body, &error);
      g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
      g_assert_null (backend_me);
      g_clear_error (&error);

      g_assert_false (cs_backend_parse_count (body, "updated", &count, &error));
      g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
      g_clear_error (&error);

      g_assert_null (cs_calcom_parse_error_message (body));
      g_assert_null (cs_backend_parse_error_message (body));
    }
}

static gboolean
is_blank (const char *text,
          gsize       length)
{
  for (gsize i = 0; i < length; i++)
    {
      if (text[i] != ' ' && text[i] != '\n' && text[i] != '\r' && text[i] != '\t')
        return FALSE;
    }

  return TRUE;
}

static void
test_truncated (void)
{
  static const struct {
    const char *folder;
    const char *name;
  } fixtures[] = {
    { "calcom", "bookings-page.json" },
    { "backend", "appointments-page.json" },
  };

  for (guint f = 0; f < G_N_ELEMENTS (fixtures); f++)
    {
      g_autoptr(GBytes) full = load_fixture (fixtures[f].folder, fixtures[f].name);
      const char *data = g_bytes_get_data (full, NULL);
      gsize length = g_bytes_get_size (full);

      /* Every prefix, from nothing to the whole page. */
      for (gsize n = 0; n <= length; n++)
        {
          g_autoptr(GBytes) prefix = g_bytes_new_from_bytes (full, 0, n);
          g_autoptr(GPtrArray) result = NULL;
          g_autoptr(GError) error = NULL;
          guint n_rejected = 0;
          guint n_foreign = 0;

          if (f == 0)
            result = cs_calcom_parse_bookings_page (prefix, NULL, &n_rejected, NULL, &error);
          else
            result = cs_backend_parse_appointments_page (prefix, COMPANY, NULL, &n_rejected,
                                                         &n_foreign, NULL, &error);

          if (is_blank (data + n, length - n))
            {
              g_assert_no_error (error);
              g_assert_nonnull (result);
              g_assert_cmpuint (n_rejected, ==, 0);
            }
          else
            {
              g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
              g_assert_null (result);
            }
        }
    }
}

static void
test_deep_nesting (void)
{
  const gsize depth = 100000;
  g_autofree char *deep = g_malloc (depth);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GPtrArray) bookings = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) objects = g_string_new ("{\"data\":");
  g_autoptr(GBytes) objects_body = NULL;
  g_autoptr(GPtrArray) appointments = NULL;
  char ok[2 * CS_JSON_MAX_DEPTH + 1];
  char too_deep[2 * (CS_JSON_MAX_DEPTH + 1) + 1];

  memset (deep, '[', depth);
  body = g_bytes_new (deep, depth);
  bookings = cs_calcom_parse_bookings_page (body, NULL, NULL, NULL, &error);
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
  g_assert_null (bookings);
  g_assert_nonnull (strstr (error->message, "deeper"));
  g_clear_error (&error);

  /* Deep objects, complete and closed, inside a valid envelope. */
  for (gsize i = 0; i < depth; i++)
    g_string_append (objects, "{\"a\":");
  g_string_append (objects, "1");
  for (gsize i = 0; i < depth; i++)
    g_string_append_c (objects, '}');
  g_string_append (objects, ",\"meta\":{}}");
  objects_body = g_bytes_new (objects->str, objects->len);
  appointments = cs_backend_parse_appointments_page (objects_body, COMPANY, NULL, NULL, NULL, NULL,
                                                     &error);
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
  g_assert_null (appointments);
  g_clear_error (&error);

  /* The limit itself passes. */
  memset (ok, '[', CS_JSON_MAX_DEPTH);
  memset (ok + CS_JSON_MAX_DEPTH, ']', CS_JSON_MAX_DEPTH);
  g_assert_true (cs_json_check_syntax (ok, 2 * CS_JSON_MAX_DEPTH, &error));
  g_assert_no_error (error);

  memset (too_deep, '[', CS_JSON_MAX_DEPTH + 1);
  memset (too_deep + CS_JSON_MAX_DEPTH + 1, ']', CS_JSON_MAX_DEPTH + 1);
  g_assert_false (cs_json_check_syntax (too_deep, 2 * (CS_JSON_MAX_DEPTH + 1), &error));
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
}

static void
test_nul_and_utf8 (void)
{
  static const struct {
    const char *data;
    gsize length;
  } bodies[] = {
#define BODY(s) { s, sizeof s - 1 }
    BODY ("{\"status\":\"success\",\"data\":[],\"x\":\"a\0b\"}"),
    BODY ("\0"),
    BODY ("{}\0"),
    BODY ("{\"status\":\"\xff\"}"),
    BODY ("{\"status\":\"\xc0\xaf\"}"),
    BODY ("{\"status\":\"\xed\xa0\x80\"}"),
    BODY ("{\"status\":\"\xe2\x82\"}"),
#undef BODY
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GBytes) body = g_bytes_new (bodies[i].data, bodies[i].length);
      g_autoptr(GPtrArray) bookings = NULL;
      g_autoptr(GPtrArray) appointments = NULL;
      g_autoptr(GError) error = NULL;

      bookings = cs_calcom_parse_bookings_page (body, NULL, NULL, NULL, &error);
      g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
      g_assert_null (bookings);
      g_clear_error (&error);

      appointments = cs_backend_parse_appointments_page (body, COMPANY, NULL, NULL, NULL, NULL,
                                                         &error);
      g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
      g_assert_null (appointments);
    }
}

/* Backend */

static void
test_backend_contract_example (void)
{
  g_autoptr(GBytes) body = load_fixture ("backend", "appointments-page.json");
  g_autoptr(GPtrArray) appointments = NULL;
  g_autoptr(GError) error = NULL;
  const CsAppointment *a;
  const CsAppointment *b;
  CsBackendPage page;
  guint n_rejected = 99;
  guint n_foreign = 99;

  appointments = cs_backend_parse_appointments_page (body, COMPANY, &page, &n_rejected,
                                                     &n_foreign, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (appointments);
  g_assert_cmpuint (appointments->len, ==, 2);
  g_assert_cmpuint (n_rejected, ==, 0);
  g_assert_cmpuint (n_foreign, ==, 0);
  g_assert_cmpuint (page.current_page, ==, 1);
  g_assert_cmpuint (page.last_page, ==, 5);
  g_assert_cmpuint (page.per_page, ==, 100);
  g_assert_cmpuint (page.total, ==, 431);

  a = g_ptr_array_index (appointments, 0);
  g_assert_cmpint (a->id, ==, 1236);
  g_assert_cmpint (a->company_id, ==, COMPANY);
  g_assert_cmpstr (a->number, ==, "1236");
  /* Berlin summer time is the same instant as UTC two hours earlier. */
  assert_time (a->starts_at, "2025-10-13T08:00:00Z");
  assert_time (a->ends_at, "2025-10-13T08:45:00Z");
  g_assert_cmpint (a->starts_at, ==, G_GINT64_CONSTANT (1760342400) * CS_USEC_PER_SECOND);
  g_assert_cmpint (a->status, ==, CS_CRM_STATUS_SCHEDULED);
  g_assert_cmpstr (a->title, ==, "Hairstyling - Herrenschnitt");
  g_assert_cmpstr (a->customer_name, ==, "Tom Klein");
  g_assert_cmpstr (a->customer_email, ==, "tom.klein@example.com");
  g_assert_cmpstr (a->customer_phone, ==, "+49 123 456789");
  g_assert_cmpstr (a->calcom_booking_uid, ==, "abc-def-123");
  g_assert_cmpint (a->calcom_event_type_id, ==, 42);
  g_assert_cmpstr (a->source, ==, "voice_agent");
  assert_time (a->created_at, "2025-10-01T07:12:00Z");
  assert_time (a->updated_at, "2025-10-02T15:30:05Z");
  g_assert_cmpint (a->deleted_at, ==, CS_TIME_UNSET);
  g_assert_cmpint (a->sync.status, ==, CS_SYNC_STATUS_PENDING);
  g_assert_cmpint (a->sync.last_sync_attempt_at, ==, CS_TIME_UNSET);
  g_assert_cmpuint (a->sync.sync_attempt_count, ==, 0);
  g_assert_null (a->sync.sync_error_message);
  g_assert_cmpint (a->sync.sync_error_code, ==, CS_ERROR_CODE_NONE);
  g_assert_cmpint (a->sync.sync_verified_at, ==, CS_TIME_UNSET);
  g_assert_false (a->sync.requires_manual_review);
  g_assert_cmpint (a->sync.manual_review_flagged_at, ==, CS_TIME_UNSET);

  b = g_ptr_array_index (appointments, 1);
  g_assert_cmpint (b->id, ==, 1237);
  /* Winter time: one hour. */
  assert_time (b->starts_at, "2025-11-24T13:00:00Z");
  g_assert_cmpint (b->status, ==, CS_CRM_STATUS_CANCELLED);
  g_assert_cmpstr (b->title, ==, "F\xc3\xa4rben");
  g_assert_cmpstr (b->customer_name, ==, "J\xc3\xbcrgen Gro\xc3\x9f");
  g_assert_null (b->customer_email);
  g_assert_null (b->calcom_booking_uid);
  g_assert_cmpint (b->calcom_event_type_id, ==, 0);
  assert_time (b->deleted_at, "2025-10-05T08:00:00Z");
  g_assert_cmpint (b->sync.status, ==, CS_SYNC_STATUS_ORPHANED_LOCAL);
  assert_time (b->sync.last_sync_attempt_at, "2025-10-06T08:00:00Z");
  g_assert_cmpuint (b->sync.sync_attempt_count, ==, 3);
  g_assert_cmpstr (b->sync.sync_error_message, ==, "Not found in Cal.com");
  g_assert_cmpint (b->sync.sync_error_code, ==, CS_ERROR_CODE_ORPHANED_LOCAL);
  g_assert_true (b->sync.requires_manual_review);
  assert_time (b->sync.manual_review_flagged_at, "2025-10-06T08:00:01Z");
}

static void
test_backend_berlin_offset (void)
{
  g_autofree char *base = backend_row_text (2);
  g_autofree char *berlin = with_member (base, "starts_at", "\"2026-11-23T09:00:00+01:00\"");
  g_autofree char *utc = with_member (base, "starts_at", "\"2026-11-23T08:00:00Z\"");
  g_autofree char *berlin_row = with_member (berlin, "ends_at", "\"2026-11-23T10:00:00+01:00\"");
  g_autofree char *utc_row = with_member (utc, "ends_at", "\"2026-11-23T09:00:00.000000Z\"");
  g_autofree char *berlin_text = g_strdup_printf ("{\"data\":%s}", berlin_row);
  g_autofree char *utc_text = g_strdup_printf ("{\"data\":%s}", utc_row);
  g_autoptr(GBytes) berlin_body = bytes_from_string (berlin_text);
  g_autoptr(GBytes) utc_body = bytes_from_string (utc_text);
  g_autoptr(CsAppointment) a = NULL;
  g_autoptr(CsAppointment) b = NULL;
  g_autoptr(GError) error = NULL;

  a = cs_backend_parse_appointment_response (berlin_body, COMPANY, &error);
  g_assert_no_error (error);
  b = cs_backend_parse_appointment_response (utc_body, COMPANY, &error);
  g_assert_no_error (error);

  g_assert_cmpint (a->starts_at, ==, b->starts_at);
  g_assert_cmpint (a->ends_at, ==, b->ends_at);
  g_assert_cmpint (a->starts_at, ==, G_GINT64_CONSTANT (1795420800) * CS_USEC_PER_SECOND);
}

static void
test_backend_required_fields (void)
{
  static const struct {
    const char *member;
    const char *value;
  } rejected[] = {
    { "id", NULL }, { "id", "null" }, { "id", "\"2\"" }, { "id", "2.5" }, { "id", "0" },
    { "id", "99999999999999999999" },
    { "company_id", NULL }, { "company_id", "null" }, { "company_id", "\"3\"" },
    { "company_id", "3.5" }, { "company_id", "true" },
    { "starts_at", NULL }, { "starts_at", "null" }, { "starts_at", "\"2025-10-13T10:00:00\"" },
    { "starts_at", "\"0001-01-01T00:00:00Z\"" }, { "starts_at", "\"9999-06-01T00:00:00Z\"" },
    { "starts_at", "1760342400" },
    { "ends_at", NULL }, { "ends_at", "{}" }, { "ends_at", "\"2025-10-13T09:59:59+02:00\"" },
    { "status", NULL }, { "status", "\"accepted\"" }, { "status", "\"SCHEDULED\"" },
    { "status", "0" },
    /* Optional members must be well typed when present. */
    { "number", "true" }, { "number", "{}" }, { "title", "[]" }, { "customer", "\"Tom\"" },
    { "customer", "{\"email\":5}" }, { "customer", "{\"name\":{}}" },
    { "calcom_booking_uid", "7" }, { "calcom_event_type_id", "\"42\"" },
    { "calcom_event_type_id", "4.2" }, { "source", "1" }, { "created_at", "\"garbage\"" },
    { "updated_at", "0" }, { "deleted_at", "\"2025-13-01T00:00:00Z\"" }, { "sync", "[]" },
    { "sync", "{\"calcom_sync_status\":\"done\"}" },
    { "sync", "{\"calcom_sync_status\":1}" },
    { "sync", "{\"last_sync_attempt_at\":\"soon\"}" },
    { "sync", "{\"sync_attempt_count\":-1}" },
    { "sync", "{\"sync_attempt_count\":\"3\"}" },
    { "sync", "{\"sync_error_message\":false}" },
    { "sync", "{\"sync_error_code\":\"OOPS\"}" },
    { "sync", "{\"sync_verified_at\":1}" },
    { "sync", "{\"requires_manual_review\":\"true\"}" },
    { "sync", "{\"requires_manual_review\":1}" },
    { "sync", "{\"manual_review_flagged_at\":[]}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rejected); i++)
    assert_backend_member_rejected (rejected[i].member, rejected[i].value);
}

static void
test_backend_optional_fields (void)
{
  g_autofree char *base = backend_row_text (2);
  g_autofree char *minimal_text = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(CsAppointment) a = NULL;
  g_autoptr(GError) error = NULL;
  char *row = g_strdup (base);
  static const char * const optional[] = {
    "number", "title", "customer", "calcom_booking_uid", "calcom_event_type_id", "source",
    "created_at", "updated_at", "deleted_at", "sync",
  };

  for (guint i = 0; i < G_N_ELEMENTS (optional); i++)
    {
      char *next = with_member (row, optional[i], NULL);

      g_free (row);
      row = next;
    }

  minimal_text = g_strdup_printf ("{\"data\":%s}", row);
  g_free (row);
  body = bytes_from_string (minimal_text);

  a = cs_backend_parse_appointment_response (body, COMPANY, &error);
  g_assert_no_error (error);
  g_assert_cmpint (a->id, ==, 2);
  g_assert_null (a->number);
  g_assert_null (a->title);
  g_assert_null (a->customer_name);
  g_assert_null (a->calcom_booking_uid);
  g_assert_cmpint (a->sync.status, ==, CS_SYNC_STATUS_PENDING);

  g_clear_pointer (&a, cs_appointment_free);
  g_clear_pointer (&body, g_bytes_unref);
  g_free (minimal_text);
  {
    g_autofree char *numbered = with_member (base, "number", "1236");
    g_autofree char *empty_uid = with_member (numbered, "calcom_booking_uid", "\"\"");

    minimal_text = g_strdup_printf ("{\"data\":%s}", empty_uid);
  }
  body = bytes_from_string (minimal_text);
  a = cs_backend_parse_appointment_response (body, COMPANY, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (a->number, ==, "1236");
  g_assert_null (a->calcom_booking_uid);
}

static void
test_backend_foreign (void)
{
  g_autofree char *base = backend_row_text (2);
  g_autofree char *foreign = with_member (base, "company_id", "4");
  g_autofree char *single_text = g_strdup_printf ("{\"data\":%s}", foreign);
  g_autoptr(GBytes) body = backend_page_around (foreign);
  g_autoptr(GBytes) single = bytes_from_string (single_text);
  g_autoptr(GPtrArray) appointments = NULL;
  g_autoptr(CsAppointment) appointment = NULL;
  g_autoptr(GError) error = NULL;
  guint n_rejected = 99;
  guint n_foreign = 99;

  appointments = cs_backend_parse_appointments_page (body, COMPANY, NULL, &n_rejected, &n_foreign,
                                                     NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (appointments->len, ==, 2);
  g_assert_cmpuint (n_rejected, ==, 0);
  g_assert_cmpuint (n_foreign, ==, 1);
  g_clear_pointer (&appointments, g_ptr_array_unref);

  /* Seen from the other company, only that row belongs to it. */
  appointments = cs_backend_parse_appointments_page (body, OTHER_COMPANY, NULL, &n_rejected,
                                                     &n_foreign, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (appointments->len, ==, 1);
  g_assert_cmpuint (n_foreign, ==, 2);
  g_assert_cmpint (((CsAppointment *) g_ptr_array_index (appointments, 0))->company_id, ==,
                   OTHER_COMPANY);

  appointment = cs_backend_parse_appointment_response (single, COMPANY, &error);
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_WRONG_COMPANY);
  g_assert_null (appointment);
}

static void
test_backend_me (void)
{
  g_autoptr(GBytes) body = load_fixture ("backend", "me.json");
  g_autoptr(GBytes) bad_role = bytes_from_string ("{\"data\":{\"user\":{\"id\":1,"
                                                  "\"role\":\"root\"},\"company\":{\"id\":3}}}");
  g_autoptr(GBytes) no_company = bytes_from_string ("{\"data\":{\"user\":{\"id\":1,"
                                                    "\"role\":\"staff\"}}}");
  g_autoptr(CsBackendMe) me = NULL;
  g_autoptr(GError) error = NULL;
  CsRole role;

  me = cs_backend_parse_me (body, &error);
  g_assert_no_error (error);
  g_assert_cmpint (me->user_id, ==, 12);
  g_assert_cmpstr (me->user_name, ==, "Anna Schmidt");
  g_assert_cmpint (me->role, ==, CS_ROLE_ADMIN);
  g_assert_cmpint (me->company_id, ==, 3);
  g_assert_cmpstr (me->company_name, ==, "Salon Beispiel");
  g_assert_cmpstr (me->time_zone, ==, "Europe/Berlin");
  g_clear_pointer (&me, cs_backend_me_free);

  me = cs_backend_parse_me (bad_role, &error);
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
  g_assert_nonnull (strstr (error->message, "role"));
  g_assert_null (me);
  g_clear_error (&error);

  me = cs_backend_parse_me (no_company, &error);
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
  g_assert_nonnull (strstr (error->message, "company"));
  g_assert_null (me);

  g_assert_true (cs_role_may_act (CS_ROLE_ADMIN));
  g_assert_true (cs_role_may_act (CS_ROLE_MANAGER));
  g_assert_false (cs_role_may_act (CS_ROLE_STAFF));
  for (guint i = CS_ROLE_ADMIN; i <= CS_ROLE_STAFF; i++)
    {
      g_assert_true (cs_role_from_string (cs_role_to_string ((CsRole) i), &role));
      g_assert_cmpint (role, ==, i);
    }
  g_assert_cmpstr (cs_role_to_string (CS_ROLE_MANAGER), ==, "manager");
  g_assert_false (cs_role_from_string ("Admin", &role));
  g_assert_false (cs_role_from_string (NULL, &role));
}

static void
test_backend_count (void)
{
  static const struct {
    const char *body;
    const char *member;
    gboolean ok;
    guint count;
  } cases[] = {
    { "{\"data\":{\"updated\":5}}", "updated", TRUE, 5 },
    { "{\"data\":{\"accepted\":0}}", "accepted", TRUE, 0 },
    { "{\"data\":{\"accepted\":3}}", "updated", FALSE, 0 },
    { "{\"data\":{\"updated\":-1}}", "updated", FALSE, 0 },
    { "{\"data\":{\"updated\":\"5\"}}", "updated", FALSE, 0 },
    { "{\"data\":{\"updated\":1e12}}", "updated", FALSE, 0 },
    { "{\"data\":5}", "updated", FALSE, 0 },
    { "{\"updated\":5}", "updated", FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) body = bytes_from_string (cases[i].body);
      g_autoptr(GError) error = NULL;
      guint count = 99;

      if (cases[i].ok)
        {
          g_assert_true (cs_backend_parse_count (body, cases[i].member, &count, &error));
          g_assert_no_error (error);
          g_assert_cmpuint (count, ==, cases[i].count);
        }
      else
        {
          g_assert_false (cs_backend_parse_count (body, cases[i].member, &count, &error));
          g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
          g_assert_cmpuint (count, ==, 0);
        }
    }
}

static void
test_backend_error_message (void)
{
  g_autoptr(GBytes) laravel = load_fixture ("backend", "error-validation.json");
  g_autoptr(GBytes) plain = bytes_from_string ("{\"message\":\"Unauthenticated.\"}");
  g_autoptr(GBytes) odd = bytes_from_string ("{\"message\":\"Conflict\",\"errors\":"
                                             "{\"a\":[],\"b\":[7],\"c\":\"single\",\"d\":null}}");
  g_autoptr(GBytes) no_message = bytes_from_string ("{\"errors\":{\"a\":[\"x\"]}}");
  g_autoptr(GBytes) html = bytes_from_string ("<!DOCTYPE html><html></html>");
  g_autoptr(GBytes) long_body = NULL;
  g_autofree char *message = NULL;
  g_autofree char *long_text = NULL;

  message = cs_backend_parse_error_message (laravel);
  g_assert_cmpstr (message, ==,
                   "The given data was invalid. (starts_at: The starts at field is required.; "
                   "customer.email: The customer.email must be a valid email address.)");
  g_clear_pointer (&message, g_free);

  message = cs_backend_parse_error_message (plain);
  g_assert_cmpstr (message, ==, "Unauthenticated.");
  g_clear_pointer (&message, g_free);

  message = cs_backend_parse_error_message (odd);
  g_assert_cmpstr (message, ==, "Conflict (c: single)");
  g_clear_pointer (&message, g_free);

  g_assert_null (cs_backend_parse_error_message (no_message));
  g_assert_null (cs_backend_parse_error_message (html));
  g_assert_null (cs_backend_parse_error_message (NULL));

  long_text = g_strnfill (1000, 'b');
  long_body = take_string (g_strdup_printf ("{\"message\":\"%s\",\"errors\":{\"f\":[\"x\"]}}",
                                            long_text));
  message = cs_backend_parse_error_message (long_body);
  g_assert_cmpuint (g_utf8_strlen (message, -1), ==, CS_JSON_MAX_MESSAGE_CHARS);
  g_assert_true (g_str_has_suffix (message, "b…"));
}

static void
test_backend_build_sync_status (void)
{
  g_autoptr(CsAppointment) a = cs_appointment_new ();
  g_autoptr(CsAppointment) b = cs_appointment_new ();
  CsAppointment *list[2];
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) empty = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) empty_root = NULL;
  JsonArray *updates;
  JsonObject *first;
  JsonObject *second;

  a->id = 1236;
  a->sync.status = CS_SYNC_STATUS_ORPHANED_LOCAL;
  a->sync.last_sync_attempt_at = iso ("2025-10-13T10:00:00+02:00");
  a->sync.sync_attempt_count = 3;
  a->sync.sync_error_message = g_strdup ("Not found in Cal.com");
  a->sync.sync_error_code = CS_ERROR_CODE_ORPHANED_LOCAL;
  a->sync.requires_manual_review = TRUE;
  a->sync.manual_review_flagged_at = iso ("2025-10-13T10:00:01.5+02:00");
  b->id = 1237;
  b->sync.status = CS_SYNC_STATUS_SYNCED;
  b->sync.sync_verified_at = iso ("2025-10-13T08:00:00Z");
  list[0] = a;
  list[1] = b;

  bytes = cs_backend_build_sync_status (list, 2);
  root = reparse (bytes);
  updates = json_object_get_array_member (json_node_get_object (root), "updates");
  g_assert_cmpuint (json_array_get_length (updates), ==, 2);

  first = json_array_get_object_element (updates, 0);
  g_assert_cmpuint (json_object_get_size (first), ==, 9);
  assert_member_int (first, "id", 1236);
  assert_member_string (first, "calcom_sync_status", "orphaned_local");
  assert_member_string (first, "last_sync_attempt_at", "2025-10-13T08:00:00Z");
  assert_member_int (first, "sync_attempt_count", 3);
  assert_member_string (first, "sync_error_message", "Not found in Cal.com");
  assert_member_string (first, "sync_error_code", "ORPHANED_LOCAL");
  assert_member_null (first, "sync_verified_at");
  assert_member_boolean (first, "requires_manual_review", TRUE);
  assert_member_string (first, "manual_review_flagged_at", "2025-10-13T08:00:01.500000Z");

  second = json_array_get_object_element (updates, 1);
  assert_member_int (second, "id", 1237);
  assert_member_string (second, "calcom_sync_status", "synced");
  assert_member_null (second, "last_sync_attempt_at");
  assert_member_int (second, "sync_attempt_count", 0);
  assert_member_null (second, "sync_error_message");
  assert_member_null (second, "sync_error_code");
  assert_member_string (second, "sync_verified_at", "2025-10-13T08:00:00Z");
  assert_member_boolean (second, "requires_manual_review", FALSE);
  assert_member_null (second, "manual_review_flagged_at");

  empty = cs_backend_build_sync_status (NULL, 0);
  empty_root = reparse (empty);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_node_get_object (empty_root), "updates")), ==, 0);
}

static void
test_backend_build_audit_log (void)
{
  const CsBackendAuditEntry entries[] = {
    {
      .key = "5f0c7a3e-8d7b-4c7e-9a51-0a4f1e2b3c4d",
      .appointment_id = 1236,
      .action = "create_in_calcom",
      .result = "ok",
      .note = "Kunde angerufen",
      .performed_at = iso ("2025-10-13T10:05:00+02:00"),
      .performed_by = 12,
    },
    {
      .key = "6a1d8b4f-9e8c-4d8f-8b62-1b5f2f3c4d5e",
      .appointment_id = 0,
      .action = "snooze",
      .result = "ok",
      .note = NULL,
      .performed_at = CS_TIME_UNSET,
      .performed_by = 0,
    },
  };
  g_autoptr(GBytes) bytes = cs_backend_build_audit_log (entries, G_N_ELEMENTS (entries));
  g_autoptr(JsonNode) root = reparse (bytes);
  JsonArray *array = json_object_get_array_member (json_node_get_object (root), "entries");
  JsonObject *first;
  JsonObject *second;

  g_assert_cmpuint (json_array_get_length (array), ==, 2);

  first = json_array_get_object_element (array, 0);
  g_assert_cmpuint (json_object_get_size (first), ==, 7);
  assert_member_string (first, "key", "5f0c7a3e-8d7b-4c7e-9a51-0a4f1e2b3c4d");
  assert_member_int (first, "appointment_id", 1236);
  assert_member_string (first, "action", "create_in_calcom");
  assert_member_string (first, "result", "ok");
  assert_member_string (first, "note", "Kunde angerufen");
  assert_member_string (first, "performed_at", "2025-10-13T08:05:00Z");
  assert_member_int (first, "performed_by", 12);

  second = json_array_get_object_element (array, 1);
  assert_member_null (second, "appointment_id");
  assert_member_null (second, "note");
  assert_member_null (second, "performed_at");
  assert_member_null (second, "performed_by");
}

static void
test_backend_build_create_appointment (void)
{
  g_autoptr(CsBooking) booking = cs_booking_new ("booking_uid_123");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) bare = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) bare_root = NULL;
  JsonObject *object;
  JsonObject *customer;

  booking->start = iso ("2024-08-13T17:30:00+02:00");
  booking->end = iso ("2024-08-13T16:30:00Z");

  bytes = cs_backend_build_create_appointment (booking, "Consultation", "John Doe",
                                               "john@example.com", "+1234567890");
  root = reparse (bytes);
  object = json_node_get_object (root);
  g_assert_cmpuint (json_object_get_size (object), ==, 6);
  assert_member_string (object, "starts_at", "2024-08-13T15:30:00Z");
  assert_member_string (object, "ends_at", "2024-08-13T16:30:00Z");
  assert_member_string (object, "title", "Consultation");
  assert_member_string (object, "calcom_booking_uid", "booking_uid_123");
  assert_member_string (object, "source", "calcom");
  customer = json_object_get_object_member (object, "customer");
  g_assert_cmpuint (json_object_get_size (customer), ==, 3);
  assert_member_string (customer, "name", "John Doe");
  assert_member_string (customer, "email", "john@example.com");
  assert_member_string (customer, "phone", "+1234567890");

  /* The contract requires a title: without one the booking's is sent. */
  bare = cs_backend_build_create_appointment (booking, NULL, "John Doe", NULL, NULL);
  bare_root = reparse (bare);
  object = json_node_get_object (bare_root);
  g_assert_true (json_object_has_member (object, "title"));
  g_assert_cmpstr (json_object_get_string_member (object, "title"), ==,
                   booking->title != NULL ? booking->title : "");
  customer = json_object_get_object_member (object, "customer");
  g_assert_cmpuint (json_object_get_size (customer), ==, 1);
}

static void
test_backend_build_patch_appointment (void)
{
  g_autoptr(GBytes) full = NULL;
  g_autoptr(GBytes) partial = NULL;
  g_autoptr(GBytes) empty = NULL;
  g_autoptr(JsonNode) full_root = NULL;
  g_autoptr(JsonNode) partial_root = NULL;
  g_autoptr(JsonNode) empty_root = NULL;
  JsonObject *object;

  full = cs_backend_build_patch_appointment (iso ("2025-10-13T10:00:00+02:00"),
                                             iso ("2025-10-13T10:45:00+02:00"),
                                             "confirmed", "abc-def-123");
  full_root = reparse (full);
  object = json_node_get_object (full_root);
  g_assert_cmpuint (json_object_get_size (object), ==, 4);
  assert_member_string (object, "starts_at", "2025-10-13T08:00:00Z");
  assert_member_string (object, "ends_at", "2025-10-13T08:45:00Z");
  assert_member_string (object, "status", "confirmed");
  assert_member_string (object, "calcom_booking_uid", "abc-def-123");

  partial = cs_backend_build_patch_appointment (CS_TIME_UNSET, CS_TIME_UNSET, NULL,
                                                "abc-def-123");
  partial_root = reparse (partial);
  object = json_node_get_object (partial_root);
  g_assert_cmpuint (json_object_get_size (object), ==, 1);
  assert_member_string (object, "calcom_booking_uid", "abc-def-123");

  empty = cs_backend_build_patch_appointment (CS_TIME_UNSET, CS_TIME_UNSET, NULL, NULL);
  empty_root = reparse (empty);
  g_assert_cmpuint (json_object_get_size (json_node_get_object (empty_root)), ==, 0);
}

static void
test_backend_build_cancel (void)
{
  g_autoptr(GBytes) bytes = cs_backend_build_cancel ("Doppelt gebucht\n\t\\ \"x\" \xc3\xa4");
  g_autoptr(GBytes) empty = cs_backend_build_cancel (NULL);
  g_autoptr(JsonNode) root = reparse (bytes);
  g_autoptr(JsonNode) empty_root = reparse (empty);

  assert_member_string (json_node_get_object (root), "reason",
                        "Doppelt gebucht\n\t\\ \"x\" \xc3\xa4");
  /* The contract requires the member even without a reason. */
  assert_member_string (json_node_get_object (empty_root), "reason", "");
}

/* Helpers, checked on their own */

static const char getters_body[] =
  "{\"i\":7,\"d\":7.0,\"f\":7.25,\"big\":1e16,\"neg\":-3,\"s\":\"x\",\"e\":\"\","
  "\"n\":null,\"b\":true,\"huge\":123456789012345678901}";

static void
test_util_getters (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  gint64 value = 0;
  const char *text = NULL;
  gboolean flag = TRUE;
  guint count = 0;

  root = cs_json_parse_data (getters_body, strlen (getters_body), &error);
  g_assert_no_error (error);
  object = json_node_get_object (root);

  g_assert_true (cs_json_get_int (object, "i", CS_JSON_REQUIRED, 0, 10, &value, &error));
  g_assert_cmpint (value, ==, 7);
  g_assert_true (cs_json_get_int (object, "d", CS_JSON_REQUIRED, 0, 10, &value, &error));
  g_assert_cmpint (value, ==, 7);
  g_assert_false (cs_json_get_int (object, "f", CS_JSON_REQUIRED, 0, 10, &value, &error));
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
  g_assert_cmpstr (error->message, ==, "“f” is not an integer");
  g_clear_error (&error);
  g_assert_false (cs_json_get_int (object, "big", CS_JSON_REQUIRED, 0, G_MAXINT64, &value,
                                   &error));
  g_assert_cmpstr (error->message, ==, "“big” is out of range");
  g_clear_error (&error);
  g_assert_false (cs_json_get_int (object, "huge", CS_JSON_REQUIRED, G_MININT64, G_MAXINT64,
                                   &value, &error));
  g_assert_cmpstr (error->message, ==, "“huge” is out of range");
  g_clear_error (&error);
  g_assert_false (cs_json_get_int (object, "i", CS_JSON_REQUIRED, 8, 10, &value, &error));
  g_assert_cmpstr (error->message, ==, "“i” is out of range");
  g_clear_error (&error);
  g_assert_false (cs_json_get_uint (object, "neg", CS_JSON_REQUIRED, &count, &error));
  g_clear_error (&error);
  g_assert_false (cs_json_get_int (object, "missing", CS_JSON_REQUIRED, 0, 10, &value, &error));
  g_assert_cmpstr (error->message, ==, "“missing” is missing");
  g_clear_error (&error);
  g_assert_false (cs_json_get_int (object, "n", CS_JSON_REQUIRED, 0, 10, &value, &error));
  g_assert_cmpstr (error->message, ==, "“n” is null");
  g_clear_error (&error);
  value = 5;
  g_assert_true (cs_json_get_int (object, "n", CS_JSON_OPTIONAL, 1, 10, &value, &error));
  g_assert_cmpint (value, ==, 0);
  g_assert_false (cs_json_get_int (object, "s", CS_JSON_OPTIONAL, 0, 10, &value, &error));
  g_assert_cmpstr (error->message, ==, "“s” is not an integer");
  g_clear_error (&error);

  g_assert_true (cs_json_get_string (object, "e", CS_JSON_REQUIRED, &text, &error));
  g_assert_cmpstr (text, ==, "");
  g_assert_false (cs_json_get_string (object, "e", CS_JSON_REQUIRED | CS_JSON_NON_EMPTY, &text,
                                      &error));
  g_assert_cmpstr (error->message, ==, "“e” is empty");
  g_clear_error (&error);
  g_assert_false (cs_json_get_string (object, "i", CS_JSON_OPTIONAL, &text, &error));
  g_assert_cmpstr (error->message, ==, "“i” is not a string");
  g_clear_error (&error);

  g_assert_true (cs_json_get_boolean (object, "b", CS_JSON_REQUIRED, &flag, &error));
  g_assert_true (flag);
  g_assert_false (cs_json_get_boolean (object, "i", CS_JSON_REQUIRED, &flag, &error));
  g_assert_cmpstr (error->message, ==, "“i” is not a boolean");
  g_clear_error (&error);
}

static void
test_util_clean_message (void)
{
  g_autofree char *a = cs_json_clean_message ("  two\n\nlines\tand\x01 control  ");
  g_autofree char *b = cs_json_clean_message ("bad \xff utf-8");
  g_autofree char *exact = g_strnfill (CS_JSON_MAX_MESSAGE_CHARS, 'e');
  g_autofree char *c = cs_json_clean_message (exact);

  g_assert_cmpstr (a, ==, "two lines and control");
  g_assert_true (g_utf8_validate (b, -1, NULL));
  g_assert_cmpstr (c, ==, exact);
  g_assert_null (cs_json_clean_message (" \n "));
  g_assert_null (cs_json_clean_message (NULL));
}

/* Logs carry no customer data */

typedef struct
{
  GPtrArray *messages;
} LogCapture;

static void
capture_log (const char     *log_domain,
             GLogLevelFlags  log_level,
             const char     *message,
             gpointer        user_data)
{
  LogCapture *capture = user_data;

  g_ptr_array_add (capture->messages, g_strdup (message));
}

static void
test_log_privacy (void)
{
  static const char * const secrets[] = {
    "secret.customer@example.com", "Geheim Kundin", "+49 555 0101",
  };
  LogCapture capture = { g_ptr_array_new_with_free_func (g_free) };
  guint handler;
  g_autofree char *calcom_base = calcom_booking_text ("middle");
  g_autofree char *attendees = g_strdup_printf ("[{\"name\":\"%s\",\"email\":\"%s\","
                                                "\"phoneNumber\":\"%s\"}]",
                                                secrets[1], secrets[0], secrets[2]);
  g_autofree char *with_attendees = with_member (calcom_base, "attendees", attendees);
  g_autofree char *calcom_bad_uid = with_member (with_attendees, "uid", NULL);
  g_autofree char *calcom_bad_title = with_member (with_attendees, "title",
                                                   "\"secret.customer@example.com\\u0000\"");
  g_autofree char *calcom_bad_status = with_member (with_attendees, "status",
                                                    "\"secret.customer@example.com\"");
  g_autofree char *customer = g_strdup_printf ("{\"name\":\"%s\",\"email\":\"%s\","
                                               "\"phone\":\"%s\"}",
                                               secrets[1], secrets[0], secrets[2]);
  g_autofree char *backend_base = backend_row_text (2);
  g_autofree char *with_customer = with_member (backend_base, "customer", customer);
  g_autofree char *backend_bad_status = with_member (with_customer, "status",
                                                     "\"+49 555 0101\"");
  g_autofree char *backend_foreign = with_member (with_customer, "company_id", "4");
  g_autofree char *backend_bad_customer = with_member (backend_base, "customer",
                                                       "{\"name\":\"Geheim Kundin\",\"email\":7}");
  const char *calcom_middles[] = { calcom_bad_uid, calcom_bad_title, calcom_bad_status };
  const char *backend_middles[] = { backend_bad_status, backend_foreign, backend_bad_customer };

  handler = g_log_set_handler ("Calsync-Net", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL, capture_log,
                               &capture);

  for (guint i = 0; i < G_N_ELEMENTS (calcom_middles); i++)
    {
      g_autoptr(GBytes) body = calcom_page_around (calcom_middles[i]);
      g_autoptr(GPtrArray) bookings = NULL;
      g_autoptr(CsBooking) booking = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *single = g_strdup_printf ("{\"status\":\"success\",\"data\":%s}",
                                                 calcom_middles[i]);
      g_autoptr(GBytes) single_body = bytes_from_string (single);
      guint n_rejected = 0;

      bookings = cs_calcom_parse_bookings_page (body, NULL, &n_rejected, NULL, &error);
      g_assert_no_error (error);
      assert_first_and_last_only (bookings, n_rejected);

      booking = cs_calcom_parse_booking_response (single_body, NULL, &error);
      g_assert_null (booking);
      for (guint s = 0; s < G_N_ELEMENTS (secrets); s++)
        g_assert_null (strstr (error->message, secrets[s]));
    }

  for (guint i = 0; i < G_N_ELEMENTS (backend_middles); i++)
    {
      g_autoptr(GBytes) body = backend_page_around (backend_middles[i]);
      g_autoptr(GPtrArray) appointments = NULL;
      g_autoptr(CsAppointment) appointment = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *single = g_strdup_printf ("{\"data\":%s}", backend_middles[i]);
      g_autoptr(GBytes) single_body = bytes_from_string (single);

      appointments = cs_backend_parse_appointments_page (body, COMPANY, NULL, NULL, NULL, NULL,
                                                         &error);
      g_assert_no_error (error);
      g_assert_cmpuint (appointments->len, ==, 2);

      appointment = cs_backend_parse_appointment_response (single_body, COMPANY, &error);
      g_assert_null (appointment);
      for (guint s = 0; s < G_N_ELEMENTS (secrets); s++)
        g_assert_null (strstr (error->message, secrets[s]));
    }

  g_log_remove_handler ("Calsync-Net", handler);

  /* One reason per rejected record and per foreign row, at least. */
  g_assert_cmpuint (capture.messages->len, >=, 6);
  for (guint i = 0; i < capture.messages->len; i++)
    {
      const char *message = g_ptr_array_index (capture.messages, i);

      g_test_message ("logged: %s", message);
      for (guint s = 0; s < G_N_ELEMENTS (secrets); s++)
        g_assert_null (strstr (message, secrets[s]));
      g_assert_null (strstr (message, "example.com"));
    }

  g_ptr_array_unref (capture.messages);
}

/* Mutations */

/* The fixtures' customer data, which no log line may repeat. */
static const char * const fixture_secrets[] = {
  "example.com", "John Doe", "Tom Klein", "+1234567890", "+49 123", "Anna Schmidt",
};

static void
check_private_log (const char     *log_domain,
                   GLogLevelFlags  log_level,
                   const char     *message,
                   gpointer        user_data)
{
  guint *n_messages = user_data;

  for (guint s = 0; s < G_N_ELEMENTS (fixture_secrets); s++)
    g_assert_null (strstr (message, fixture_secrets[s]));

  (*n_messages)++;
}

/* Returns whether any parser found something in @body. */
static gboolean
check_parsers_survive (GBytes *body)
{
  g_autoptr(GError) error = NULL;
  gboolean any = FALSE;

  {
    g_autoptr(GPtrArray) bookings = NULL;
    CsCalcomPage page;
    guint n_rejected = 0;

    bookings = cs_calcom_parse_bookings_page (body, &page, &n_rejected, NULL, &error);
    g_assert_true ((bookings == NULL) != (error == NULL));
    any |= bookings != NULL;
    if (bookings == NULL)
      assert_typed_error (error);
    else
      for (guint i = 0; i < bookings->len; i++)
        g_assert_true (cs_booking_is_valid (g_ptr_array_index (bookings, i), NULL));
    g_clear_error (&error);
  }

  {
    g_autoptr(CsBooking) booking = cs_calcom_parse_booking_response (body, NULL, &error);

    g_assert_true ((booking == NULL) != (error == NULL));
    any |= booking != NULL;
    if (booking == NULL)
      assert_typed_error (error);
    else
      g_assert_true (cs_booking_is_valid (booking, NULL));
    g_clear_error (&error);
  }

  {
    g_autoptr(CsCalcomMe) me = cs_calcom_parse_me (body, &error);

    g_assert_true ((me == NULL) != (error == NULL));
    any |= me != NULL;
    if (me == NULL)
      assert_typed_error (error);
    g_clear_error (&error);
  }

  {
    g_autoptr(GPtrArray) appointments = NULL;
    CsBackendPage page;
    guint n_rejected = 0;
    guint n_foreign = 0;

    appointments = cs_backend_parse_appointments_page (body, COMPANY, &page, &n_rejected,
                                                       &n_foreign, NULL, &error);
    g_assert_true ((appointments == NULL) != (error == NULL));
    any |= appointments != NULL;
    if (appointments == NULL)
      assert_typed_error (error);
    else
      for (guint i = 0; i < appointments->len; i++)
        {
          const CsAppointment *a = g_ptr_array_index (appointments, i);

          g_assert_true (cs_appointment_is_valid (a, NULL));
          g_assert_cmpint (a->company_id, ==, COMPANY);
        }
    g_clear_error (&error);
  }

  {
    g_autoptr(CsAppointment) appointment = NULL;

    appointment = cs_backend_parse_appointment_response (body, COMPANY, &error);
    g_assert_true ((appointment == NULL) != (error == NULL));
    any |= appointment != NULL;
    if (appointment == NULL)
      assert_typed_error (error);
    else
      g_assert_cmpint (appointment->company_id, ==, COMPANY);
    g_clear_error (&error);
  }

  {
    g_autoptr(CsBackendMe) me = cs_backend_parse_me (body, &error);

    g_assert_true ((me == NULL) != (error == NULL));
    any |= me != NULL;
    if (me == NULL)
      assert_typed_error (error);
    g_clear_error (&error);
  }

  {
    guint count = 0;

    if (!cs_backend_parse_count (body, "updated", &count, &error))
      assert_typed_error (error);
    else
      g_assert_no_error (error);
    g_clear_error (&error);
  }

  g_free (cs_calcom_parse_error_message (body));
  g_free (cs_backend_parse_error_message (body));

  return any;
}

/* Compact, so that each mutation is likely to hit structure. */
static GBytes *
compact_fixture (const char *folder,
                 const char *name)
{
  g_autoptr(GBytes) bytes = load_fixture (folder, name);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  char *compact;

  node = json_from_string (text, &error);
  g_assert_no_error (error);
  compact = json_to_string (node, FALSE);

  return g_bytes_new_take (compact, strlen (compact));
}

static void
test_mutations (void)
{
  static const char interesting[] = "{}[]\",:\\0123456789.eE+-tfnu \x00\xff\xc3";
  static const struct {
    const char *folder;
    const char *name;
  } fixtures[] = {
    { "calcom", "bookings-page.json" },
    { "calcom", "booking-get.json" },
    { "calcom", "me.json" },
    { "calcom", "error-not-found.json" },
    { "backend", "appointments-page.json" },
    { "backend", "appointment.json" },
    { "backend", "me.json" },
    { "backend", "error-validation.json" },
  };
  GBytes *bodies[G_N_ELEMENTS (fixtures)];
  const char *seed_text = g_getenv ("CALSYNC_FUZZ_SEED");
  guint32 seed = seed_text != NULL ? (guint32) g_ascii_strtoull (seed_text, NULL, 10) : FUZZ_SEED;
  g_autoptr(GRand) rng = g_rand_new_with_seed (seed);
  guint iterations = g_test_thorough () ? 10 * FUZZ_ITERATIONS : FUZZ_ITERATIONS;
  guint n_parsed = 0;
  guint n_messages = 0;
  guint handler;

  g_test_message ("mutation seed %u (set CALSYNC_FUZZ_SEED to replay another), %u iterations",
                  seed, iterations);

  for (guint i = 0; i < G_N_ELEMENTS (fixtures); i++)
    bodies[i] = compact_fixture (fixtures[i].folder, fixtures[i].name);

  /* Rejection reasons of mutated bodies: checked, not printed. */
  handler = g_log_set_handler ("Calsync-Net", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL,
                               check_private_log, &n_messages);

  for (guint iteration = 0; iteration < iterations; iteration++)
    {
      GBytes *source = bodies[g_rand_int_range (rng, 0, G_N_ELEMENTS (bodies))];
      g_autoptr(GByteArray) data = g_byte_array_new ();
      g_autoptr(GBytes) body = NULL;
      guint n_mutations = (guint) g_rand_int_range (rng, 1, 9);

      g_byte_array_append (data, g_bytes_get_data (source, NULL), g_bytes_get_size (source));

      for (guint m = 0; m < n_mutations; m++)
        {
          guint pos = data->len > 0 ? (guint) g_rand_int_range (rng, 0, (gint32) data->len) : 0;
          guint8 byte;

          if (g_rand_boolean (rng))
            byte = (guint8) interesting[g_rand_int_range (rng, 0, sizeof interesting - 1)];
          else
            byte = (guint8) g_rand_int_range (rng, 0, 256);

          switch (g_rand_int_range (rng, 0, 4))
            {
            case 0:
              if (data->len > 0)
                data->data[pos] ^= (guint8) (1u << g_rand_int_range (rng, 0, 8));
              break;

            case 1:
              g_byte_array_set_size (data, data->len + 1);
              memmove (data->data + pos + 1, data->data + pos, data->len - 1 - pos);
              data->data[pos] = byte;
              break;

            case 2:
              if (data->len > 0)
                g_byte_array_remove_index (data, pos);
              break;

            default:
              if (data->len > 0)
                data->data[pos] = byte;
              break;
            }
        }

      body = g_byte_array_free_to_bytes (g_steal_pointer (&data));
      if (check_parsers_survive (body))
        n_parsed++;
    }

  /* Some mutations must leave a readable body, or the parsers' paths past
   * the syntax check were never taken. */
  g_log_remove_handler ("Calsync-Net", handler);

  g_test_message ("%u of %u mutated bodies still gave a result, %u records logged as rejected",
                  n_parsed, iterations, n_messages);
  g_assert_cmpuint (n_parsed, >, iterations / 20);

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    g_bytes_unref (bodies[i]);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/calsync/net/json/calcom-openapi-page", test_calcom_openapi_page);
  g_test_add_func ("/calsync/net/json/calcom-openapi-get", test_calcom_openapi_get);
  g_test_add_func ("/calsync/net/json/calcom-seated-create", test_calcom_seated_create);
  g_test_add_func ("/calsync/net/json/calcom-recurring-series", test_calcom_recurring_series);
  g_test_add_func ("/calsync/net/json/calcom-seated-without-fields",
                   test_calcom_seated_without_fields);
  g_test_add_func ("/calsync/net/json/calcom-single-invalid", test_calcom_single_invalid);
  g_test_add_func ("/calsync/net/json/calcom-required-fields", test_calcom_required_fields);
  g_test_add_func ("/calsync/net/json/calcom-absurd-values", test_calcom_absurd_values);
  g_test_add_func ("/calsync/net/json/calcom-huge-string", test_calcom_huge_string);
  g_test_add_func ("/calsync/net/json/calcom-escapes", test_calcom_escapes);
  g_test_add_func ("/calsync/net/json/calcom-pagination-required",
                   test_calcom_pagination_required);
  g_test_add_func ("/calsync/net/json/calcom-envelope-error", test_calcom_envelope_error);
  g_test_add_func ("/calsync/net/json/calcom-me", test_calcom_me);
  g_test_add_func ("/calsync/net/json/calcom-build-create", test_calcom_build_create);
  g_test_add_func ("/calsync/net/json/calcom-build-cancel", test_calcom_build_cancel);
  g_test_add_func ("/calsync/net/json/calcom-build-reschedule", test_calcom_build_reschedule);
  g_test_add_func ("/calsync/net/json/calcom-validation-details", test_calcom_validation_details);
  g_test_add_func ("/calsync/net/json/calcom-event-type", test_calcom_event_type);
  g_test_add_func ("/calsync/net/json/not-json", test_not_json);
  g_test_add_func ("/calsync/net/json/truncated", test_truncated);
  g_test_add_func ("/calsync/net/json/deep-nesting", test_deep_nesting);
  g_test_add_func ("/calsync/net/json/nul-and-utf8", test_nul_and_utf8);
  g_test_add_func ("/calsync/net/json/backend-contract-example", test_backend_contract_example);
  g_test_add_func ("/calsync/net/json/backend-berlin-offset", test_backend_berlin_offset);
  g_test_add_func ("/calsync/net/json/backend-required-fields", test_backend_required_fields);
  g_test_add_func ("/calsync/net/json/backend-optional-fields", test_backend_optional_fields);
  g_test_add_func ("/calsync/net/json/backend-foreign", test_backend_foreign);
  g_test_add_func ("/calsync/net/json/backend-me", test_backend_me);
  g_test_add_func ("/calsync/net/json/backend-count", test_backend_count);
  g_test_add_func ("/calsync/net/json/backend-error-message", test_backend_error_message);
  g_test_add_func ("/calsync/net/json/backend-build-sync-status", test_backend_build_sync_status);
  g_test_add_func ("/calsync/net/json/backend-build-audit-log", test_backend_build_audit_log);
  g_test_add_func ("/calsync/net/json/backend-build-create-appointment",
                   test_backend_build_create_appointment);
  g_test_add_func ("/calsync/net/json/backend-build-patch-appointment",
                   test_backend_build_patch_appointment);
  g_test_add_func ("/calsync/net/json/backend-build-cancel", test_backend_build_cancel);
  g_test_add_func ("/calsync/net/json/util-getters", test_util_getters);
  g_test_add_func ("/calsync/net/json/util-clean-message", test_util_clean_message);
  g_test_add_func ("/calsync/net/json/log-privacy", test_log_privacy);
  g_test_add_func ("/calsync/net/json/mutations", test_mutations);

  return g_test_run ();
}
