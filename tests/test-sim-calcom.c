/* test-sim-calcom.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "cs-manual-clock.h"
#include "cs-manual-clock.h"
#include "cs-sim-server.h"

/* The simulator's Cal.com rules, each as a real HTTP request through
 * libsoup that Cal.com would refuse or answer so (docs/simulator.md lists
 * the rules and the source they come from). Time moves on a manual clock;
 * the main context is iterated until an answer is in, never sleeping.
 * T0 is Monday 2026-11-23 09:00 UTC (10:00 in Berlin). */

#define T0 ((CsTime) G_GINT64_CONSTANT (1795424400) * CS_USEC_PER_SECOND)
#define WAIT_LIMIT_SECONDS 20

typedef struct
{
  CsClock      *clock;
  CsSimDataset *dataset;
  CsSimServer  *server;
  SoupSession  *session;
} Fixture;

typedef struct
{
  guint               status;
  SoupMessageHeaders *headers;
  GBytes             *body;
  GError             *error;
  JsonNode           *json;
  gboolean            done;
} Response;

static void
response_free (Response *r)
{
  g_clear_pointer (&r->headers, soup_message_headers_unref);
  g_clear_pointer (&r->body, g_bytes_unref);
  g_clear_pointer (&r->json, json_node_unref);
  g_clear_error (&r->error);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Response, response_free)

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CsSimDatasetConfig config;

  cs_sim_dataset_config_init (&config);
  config.seed = 42;
  config.n_appointments = 300;

  f->clock = cs_manual_clock_new (T0);
  f->dataset = cs_sim_dataset_new (f->clock, &config, &error);
  g_assert_no_error (error);
  f->server = cs_sim_server_new (f->clock, f->dataset);
  g_assert_true (cs_sim_server_start (f->server, 0, 0, &error));
  g_assert_no_error (error);
  f->session = soup_session_new ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->session);
  cs_sim_server_stop (f->server);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (f->server);
  g_assert_finalize_object (f->dataset);
  g_assert_finalize_object (f->clock);
}

/* Requests */

static gboolean
flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Response *r = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  r->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &r->error);
  r->status = soup_message_get_status (msg);
  r->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  r->done = TRUE;
}

/* Sends @msg (taken) and iterates the main context until the answer is in,
 * for at most 20 s. */
static Response *
send (Fixture     *f,
      SoupMessage *msg)
{
  Response *r = g_new0 (Response, 1);
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (WAIT_LIMIT_SECONDS, flag_cb, &timed_out);

  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, send_cb, r);
  while (!r->done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (id);
  g_object_unref (msg);

  return r;
}

static SoupMessage *
new_request (Fixture      *f,
             CsSimService  service,
             const char   *method,
             const char   *path,
             const char   *body)
{
  g_autofree char *url = NULL;
  g_autofree char *auth = NULL;
  SoupMessageHeaders *headers;
  SoupMessage *msg;

  if (service == CS_SIM_SERVICE_CALCOM)
    {
      url = g_strconcat (cs_sim_server_get_calcom_url (f->server), path, NULL);
      auth = g_strdup_printf ("Bearer %s", cs_sim_server_get_calcom_api_key (f->server));
    }
  else
    {
      url = g_strconcat (cs_sim_server_get_backend_url (f->server), path, NULL);
      auth = g_strdup_printf ("Bearer %s", cs_sim_server_get_backend_token (f->server));
    }

  msg = soup_message_new (method, url);
  g_assert_nonnull (msg);
  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "Authorization", auth);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (service == CS_SIM_SERVICE_CALCOM)
    soup_message_headers_replace (headers, "cal-api-version", "2024-08-13");
  else if (!g_str_equal (method, "GET"))
    {
      g_autofree char *key = g_uuid_string_random ();

      soup_message_headers_replace (headers, "Idempotency-Key", key);
    }

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }

  return msg;
}

static Response *
calcom (Fixture    *f,
        const char *method,
        const char *path,
        const char *body)
{
  return send (f, new_request (f, CS_SIM_SERVICE_CALCOM, method, path, body));
}

static JsonObject *
response_object (Response *r)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_no_error (r->error);
  g_assert_nonnull (r->body);

  if (r->json == NULL)
    {
      text = g_strndup (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body));
      r->json = json_from_string (text, &error);
      g_assert_no_error (error);
    }

  g_assert_true (JSON_NODE_HOLDS_OBJECT (r->json));
  return json_node_get_object (r->json);
}

static JsonObject *
response_data (Response *r,
               guint     status)
{
  g_assert_cmpuint (r->status, ==, status);
  g_assert_cmpstr (json_object_get_string_member (response_object (r), "status"), ==, "success");
  return json_object_get_object_member (response_object (r), "data");
}

/* Asserts Cal.com's envelope of a thrown exception with @message. */
static void
assert_calcom_error (Response   *r,
                     guint       status,
                     const char *code,
                     const char *message)
{
  JsonObject *root = response_object (r);
  JsonObject *error;

  g_assert_cmpuint (r->status, ==, status);
  g_assert_cmpstr (json_object_get_string_member (root, "status"), ==, "error");
  g_assert_nonnull (json_object_get_string_member (root, "timestamp"));
  g_assert_nonnull (json_object_get_string_member (root, "path"));
  error = json_object_get_object_member (root, "error");
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  g_assert_cmpstr (json_object_get_string_member (error, "message"), ==, message);
}

/* Asserts the ValidationPipe's envelope; returns `error.details.errors`. */
static JsonArray *
assert_validation_error (Response *r)
{
  JsonObject *error;

  assert_calcom_error (r, 400, "BadRequestException", "Bad Request Exception");
  error = json_object_get_object_member (response_object (r), "error");
  return json_object_get_array_member (json_object_get_object_member (error, "details"),
                                       "errors");
}

static char *
create_body (gint64      event_type_id,
             const char *start,
             const char *email,
             const char *extra)
{
  g_autofree char *email_member = email != NULL ? g_strdup_printf ("\"email\":\"%s\",", email)
                                                : g_strdup ("");

  return g_strdup_printf ("{\"start\":\"%s\",\"eventTypeId\":%" G_GINT64_FORMAT ","
                          "\"attendee\":{\"name\":\"Kunde 9999\",%s\"timeZone\":\"Europe/Berlin\","
                          "\"phoneNumber\":\"+49 30 5559999\"}%s}",
                          start, event_type_id, email_member, extra != NULL ? extra : "");
}

static Response *
create (Fixture    *f,
        gint64      event_type_id,
        const char *start,
        const char *extra)
{
  g_autofree char *body = create_body (event_type_id, start, "kunde9999@example.test", extra);

  return calcom (f, "POST", "/bookings", body);
}

static char *
format_utc (CsTime time)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (time / CS_USEC_PER_SECOND);

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S.000Z");
}

/* Event types */

static void
test_event_types (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(Response) several = NULL;
  g_autoptr(Response) one = NULL;
  g_autoptr(Response) phone = NULL;
  g_autoptr(Response) unknown = NULL;
  g_autoptr(Response) old_version = NULL;
  JsonObject *type, *field;
  JsonArray *options, *fields;
  SoupMessage *msg;

  msg = new_request (f, CS_SIM_SERVICE_CALCOM, "GET", "/event-types/43", NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "cal-api-version",
                                "2024-06-14");
  several = send (f, msg);
  type = response_data (several, 200);
  g_assert_cmpint (json_object_get_int_member (type, "id"), ==, 43);
  g_assert_cmpstr (json_object_get_string_member (type, "slug"), ==, "damenschnitt");
  g_assert_cmpstr (json_object_get_string_member (type, "title"), ==,
                   "Hairstyling - Damenschnitt");
  g_assert_cmpint (json_object_get_int_member (type, "lengthInMinutes"), ==, 60);
  options = json_object_get_array_member (type, "lengthInMinutesOptions");
  g_assert_cmpuint (json_array_get_length (options), ==, 3);
  g_assert_cmpint (json_array_get_int_element (options, 0), ==, 45);
  g_assert_cmpint (json_array_get_int_element (options, 2), ==, 90);
  fields = json_object_get_array_member (type, "bookingFields");
  g_assert_cmpuint (json_array_get_length (fields), ==, 2);
  field = json_array_get_object_element (fields, 0);
  g_assert_cmpstr (json_object_get_string_member (field, "slug"), ==, "name");
  g_assert_cmpstr (json_object_get_string_member (field, "type"), ==, "name");
  g_assert_true (json_object_get_boolean_member (field, "isDefault"));
  g_assert_true (json_object_get_boolean_member (field, "required"));
  g_assert_false (json_object_get_boolean_member (field, "hidden"));
  field = json_array_get_object_element (fields, 1);
  g_assert_cmpstr (json_object_get_string_member (field, "slug"), ==, "email");
  g_assert_true (json_object_get_boolean_member (field, "required"));

  msg = new_request (f, CS_SIM_SERVICE_CALCOM, "GET", "/event-types/42", NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "cal-api-version",
                                "2024-06-14");
  one = send (f, msg);
  type = response_data (one, 200);
  g_assert_cmpint (json_object_get_int_member (type, "lengthInMinutes"), ==, 30);
  g_assert_false (json_object_has_member (type, "lengthInMinutesOptions"));

  /* Bookings by phone: the e-mail is optional. */
  msg = new_request (f, CS_SIM_SERVICE_CALCOM, "GET", "/event-types/45", NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "cal-api-version",
                                "2024-06-14");
  phone = send (f, msg);
  field = json_array_get_object_element (
    json_object_get_array_member (response_data (phone, 200), "bookingFields"), 1);
  g_assert_cmpstr (json_object_get_string_member (field, "slug"), ==, "email");
  g_assert_false (json_object_get_boolean_member (field, "required"));

  msg = new_request (f, CS_SIM_SERVICE_CALCOM, "GET", "/event-types/4711", NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "cal-api-version",
                                "2024-06-14");
  unknown = send (f, msg);
  assert_calcom_error (unknown, 404, "NotFoundException", "Event type with id 4711 not found");

  /* The event types' version, not the bookings'. */
  old_version = calcom (f, "GET", "/event-types/42", NULL);
  g_assert_cmpuint (old_version->status, ==, 400);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->server, CS_SIM_CALCOM_EVENT_TYPE), ==, 5);
}

/* Create */

static void
test_create_length (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(Response) single = NULL;
  g_autoptr(Response) not_offered = NULL;
  g_autoptr(Response) offered = NULL;
  g_autoptr(Response) defaults = NULL;
  g_autoptr(Response) not_integer = NULL;
  JsonObject *booking, *error;
  JsonArray *errors;

  single = create (f, 42, "2026-11-30T10:05:00Z", ",\"lengthInMinutes\":30");
  assert_calcom_error (single, 400, "BadRequestException",
                       "Can't specify 'lengthInMinutes' because event type does not have "
                       "multiple possible lengths. Please, remove the 'lengthInMinutes' field "
                       "from the request.");
  error = json_object_get_object_member (response_object (single), "error");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (error, "details"),
                                               "statusCode"), ==, 400);

  not_offered = create (f, 43, "2026-11-30T10:05:00Z", ",\"lengthInMinutes\":50");
  assert_calcom_error (not_offered, 400, "BadRequestException",
                       "Provided 'lengthInMinutes' is not one of the possible lengths for the "
                       "event type. The possible lengths are: 45, 60, 90");

  not_integer = create (f, 43, "2026-11-30T10:05:00Z", ",\"lengthInMinutes\":\"long\"");
  errors = assert_validation_error (not_integer);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (errors, 0),
                                                  "property"), ==, "lengthInMinutes");

  g_assert_cmpuint (cs_sim_server_get_created_bookings (f->server)->len, ==, 0);

  offered = create (f, 43, "2026-11-30T10:05:00Z", ",\"lengthInMinutes\":90");
  booking = response_data (offered, 201);
  g_assert_cmpstr (json_object_get_string_member (booking, "end"), ==,
                   "2026-11-30T11:35:00.000Z");

  /* Without it, the event type's length. */
  defaults = create (f, 42, "2026-11-30T10:05:00Z", NULL);
  booking = response_data (defaults, 201);
  g_assert_cmpstr (json_object_get_string_member (booking, "end"), ==,
                   "2026-11-30T10:35:00.000Z");
  g_assert_cmpuint (cs_sim_server_get_created_bookings (f->server)->len, ==, 2);
}

static void
test_create_email (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(Response) required = NULL;
  g_autoptr(Response) optional = NULL;
  g_autoptr(Response) no_contact = NULL;
  g_autoptr(Response) bad_start = NULL;
  g_autofree char *phone_only = create_body (42, "2026-11-30T10:05:00Z", NULL, NULL);
  g_autofree char *phone_only_45 = create_body (45, "2026-11-30T10:05:00Z", NULL, NULL);
  JsonObject *booking, *error, *attendee_error, *child;
  JsonArray *errors;

  /* The e-mail field is required: handleNewBooking's zod check, written
   * by the ZodExceptionFilter (no details). */
  required = calcom (f, "POST", "/bookings", phone_only);
  assert_calcom_error (required, 400, "BAD_REQUEST", "responses - {email}error_required_field, ");
  error = json_object_get_object_member (response_object (required), "error");
  g_assert_false (json_object_has_member (error, "details"));

  /* Optional: Cal.com makes up an address from the phone number. */
  optional = calcom (f, "POST", "/bookings", phone_only_45);
  booking = response_data (optional, 201);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (
                       json_object_get_array_member (booking, "attendees"), 0), "email"), ==,
                   "49305559999@sms.cal.com");

  /* Neither e-mail nor phone: class-validator's error in the details. */
  no_contact = calcom (f, "POST", "/bookings",
                       "{\"start\":\"2026-11-30T10:05:00Z\",\"eventTypeId\":45,"
                       "\"attendee\":{\"name\":\"Kunde 9999\",\"timeZone\":\"Europe/Berlin\"}}");
  errors = assert_validation_error (no_contact);
  g_assert_cmpuint (json_array_get_length (errors), ==, 1);
  attendee_error = json_array_get_object_element (errors, 0);
  g_assert_cmpstr (json_object_get_string_member (attendee_error, "property"), ==, "attendee");
  g_assert_true (json_object_has_member (attendee_error, "target"));
  child = json_array_get_object_element (json_object_get_array_member (attendee_error,
                                                                       "children"), 0);
  g_assert_cmpstr (json_object_get_string_member (child, "property"), ==,
                   "attendee email or phone");
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (child, "constraints"),
                     "requireEmailOrPhone"), ==,
                   "Attendee must have at least one contact method (email or phone number)");

  bad_start = calcom (f, "POST", "/bookings",
                      "{\"start\":\"soon\",\"eventTypeId\":42,\"attendee\":{\"name\":\"X\","
                      "\"timeZone\":\"Mars/Olympus\",\"email\":\"x@example.test\"}}");
  errors = assert_validation_error (bad_start);
  g_assert_cmpuint (json_array_get_length (errors), ==, 2);
  error = json_array_get_object_element (errors, 0);
  g_assert_cmpstr (json_object_get_string_member (error, "property"), ==, "start");
  g_assert_cmpstr (json_object_get_string_member (error, "value"), ==, "soon");
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (error, "constraints"), "isDateString"), ==,
                   "start must be a valid ISO 8601 date string");
  child = json_array_get_object_element (
    json_object_get_array_member (json_array_get_object_element (errors, 1), "children"), 0);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (child, "constraints"), "isTimeZone"), ==,
                   "timeZone must be a valid IANA time-zone");

  g_assert_cmpuint (cs_sim_server_get_created_bookings (f->server)->len, ==, 1);
}

/* The first active generated booking of the future, or of the past. */
static CsSimBooking *
find_booking (Fixture         *f,
              gboolean         future,
              CsBookingStatus  status)
{
  GPtrArray *rows = cs_sim_dataset_get_bookings (f->dataset);

  for (guint i = 0; i < rows->len; i++)
    {
      CsSimBooking *row = g_ptr_array_index (rows, i);

      if (row->booking->status == status && (row->booking->end > T0) == future)
        return row;
    }

  g_assert_not_reached ();
}

static void
test_create_slot (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(Response) past = NULL;
  g_autoptr(Response) early = NULL;
  g_autoptr(Response) late = NULL;
  g_autoptr(Response) last = NULL;
  g_autoptr(Response) taken = NULL;
  g_autoptr(Response) other_type = NULL;
  g_autoptr(Response) first = NULL;
  g_autoptr(Response) second = NULL;
  g_autoptr(Response) suggested = NULL;
  g_autofree char *taken_start = NULL;
  g_autofree char *suggested_start = NULL;
  CsSimBooking *row = find_booking (f, TRUE, CS_BOOKING_STATUS_ACCEPTED);
  const char *unavailable = "User either already has booking at this time or is not available";
  GPtrArray *appointments;
  gint64 other;

  past = create (f, 42, "2026-11-23T08:45:00Z", NULL);
  assert_calcom_error (past, 400, "BadRequestException",
                       "Attempting to book a meeting in the past.");

  /* The salon opens at 07:00 and closes at 21:00, Berlin time. */
  early = create (f, 42, "2026-11-30T05:45:00Z", NULL);
  assert_calcom_error (early, 400, "BadRequestException", unavailable);
  late = create (f, 42, "2026-11-30T19:45:00Z", NULL);
  assert_calcom_error (late, 400, "BadRequestException", unavailable);
  last = create (f, 42, "2026-11-30T19:30:00Z", NULL);
  g_assert_cmpuint (last->status, ==, 201);

  /* An active booking of the same event type at the same start. */
  taken_start = format_utc (row->booking->start);
  taken = create (f, row->booking->event_type_id, taken_start, NULL);
  assert_calcom_error (taken, 400, "BadRequestException", unavailable);
  other = row->booking->event_type_id == 42 ? 44 : 42;
  other_type = create (f, other, taken_start, NULL);
  g_assert_cmpuint (other_type->status, ==, 201);

  first = create (f, 44, "2026-12-01T09:05:00Z", NULL);
  g_assert_cmpuint (first->status, ==, 201);
  second = create (f, 44, "2026-12-01T09:05:00Z", NULL);
  assert_calcom_error (second, 400, "BadRequestException", unavailable);

  /* A suggested pair's booking sits on its orphaned appointment's slot: a
   * create for that appointment is refused as taken, as Cal.com would. */
  appointments = cs_sim_dataset_get_appointments (f->dataset);
  for (guint i = 0; i < appointments->len && suggested == NULL; i++)
    {
      const CsAppointment *a = ((CsSimAppointment *) g_ptr_array_index (appointments, i))->appointment;
      const CsSimTruth *truth = cs_sim_dataset_get_truth (f->dataset, a->id);

      if (truth == NULL || truth->category != CS_SIM_CATEGORY_SUGGESTED || a->ends_at <= T0)
        continue;

      suggested_start = format_utc (a->starts_at);
      suggested = create (f, a->calcom_event_type_id, suggested_start, NULL);
    }
  g_assert_nonnull (suggested);
  assert_calcom_error (suggested, 400, "BadRequestException", unavailable);

  g_assert_cmpuint (cs_sim_server_get_created_bookings (f->server)->len, ==, 3);
}

/* Cancel */

static void
test_cancel_rules (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(Response) created = NULL;
  g_autoptr(Response) no_reason = NULL;
  g_autoptr(Response) blank = NULL;
  g_autoptr(Response) no_body = NULL;
  g_autoptr(Response) cancelled = NULL;
  g_autoptr(Response) again = NULL;
  g_autoptr(Response) ended = NULL;
  g_autoptr(Response) rejected = NULL;
  g_autofree char *path = NULL;
  g_autofree char *ended_path = NULL;
  g_autofree char *rejected_path = NULL;
  g_autofree char *message = NULL;
  CsSimBooking *past = find_booking (f, FALSE, CS_BOOKING_STATUS_ACCEPTED);
  CsSimBooking *refused = find_booking (f, FALSE, CS_BOOKING_STATUS_REJECTED);
  const char *uid;

  created = create (f, 42, "2026-11-30T10:05:00Z", NULL);
  uid = json_object_get_string_member (response_data (created, 201), "uid");
  path = g_strdup_printf ("/bookings/%s/cancel", uid);

  /* The simulator's key is the host's: a reason is required. */
  no_reason = calcom (f, "POST", path, "{}");
  assert_calcom_error (no_reason, 400, "BadRequestException",
                       "Cancellation reason is required when you are the host");
  blank = calcom (f, "POST", path, "{\"cancellationReason\":\"   \"}");
  assert_calcom_error (blank, 400, "BadRequestException",
                       "Cancellation reason is required when you are the host");
  no_body = calcom (f, "POST", path, NULL);
  g_assert_cmpuint (no_body->status, ==, 400);
  g_assert_cmpuint (cs_sim_server_get_cancelled_uids (f->server)->len, ==, 0);

  cancelled = calcom (f, "POST", path, "{\"cancellationReason\":\"Kunde krank\"}");
  g_assert_cmpstr (json_object_get_string_member (response_data (cancelled, 200), "status"), ==,
                   "cancelled");

  again = calcom (f, "POST", path, "{\"cancellationReason\":\"Kunde krank\"}");
  message = g_strdup_printf ("Can't cancel booking with uid=%s because it has been cancelled "
                             "already. Please provide uid of a booking that is not cancelled.",
                             uid);
  assert_calcom_error (again, 400, "BadRequestException", message);

  ended_path = g_strdup_printf ("/bookings/%s/cancel", past->booking->uid);
  ended = calcom (f, "POST", ended_path, "{\"cancellationReason\":\"zu spät\"}");
  assert_calcom_error (ended, 400, "BadRequestException",
                       "Cannot cancel a booking that has already ended");
  g_assert_cmpint (past->booking->status, ==, CS_BOOKING_STATUS_ACCEPTED);

  rejected_path = g_strdup_printf ("/bookings/%s/cancel", refused->booking->uid);
  rejected = calcom (f, "POST", rejected_path, "{\"cancellationReason\":\"egal\"}");
  assert_calcom_error (rejected, 400, "BadRequestException",
                       "This booking has already been cancelled.");

  g_assert_cmpuint (cs_sim_server_get_cancelled_uids (f->server)->len, ==, 1);
}

/* Reschedule */

static void
test_reschedule (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(Response) created = NULL;
  g_autoptr(Response) moved = NULL;
  g_autoptr(Response) old = NULL;
  g_autoptr(Response) replay = NULL;
  g_autoptr(Response) in_place = NULL;
  g_autoptr(Response) past = NULL;
  g_autoptr(Response) taken = NULL;
  g_autoptr(Response) no_start = NULL;
  g_autoptr(Response) blocker = NULL;
  g_autofree char *old_uid = NULL;
  g_autofree char *new_uid = NULL;
  g_autofree char *path = NULL;
  g_autofree char *new_path = NULL;
  g_autofree char *get_path = NULL;
  g_autofree char *message = NULL;
  JsonObject *booking, *old_booking;
  GPtrArray *rescheduled;
  const char *old_updated;

  created = create (f, 43, "2026-11-30T10:05:00Z",
                    ",\"lengthInMinutes\":90,\"metadata\":{\"crm_appointment_id\":\"77\"}");
  booking = response_data (created, 201);
  old_uid = g_strdup (json_object_get_string_member (booking, "uid"));
  old_updated = json_object_get_string_member (booking, "updatedAt");
  path = g_strdup_printf ("/bookings/%s/reschedule", old_uid);

  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_USEC_PER_HOUR);
  moved = calcom (f, "POST", path,
                  "{\"start\":\"2026-12-02T13:05:00Z\",\"rescheduledBy\":"
                  "\"anna.schmidt@salon-beispiel.example.test\",\"reschedulingReason\":\"Krank\"}");
  booking = response_data (moved, 201);
  new_uid = g_strdup (json_object_get_string_member (booking, "uid"));
  g_assert_cmpstr (new_uid, !=, old_uid);
  g_assert_cmpstr (json_object_get_string_member (booking, "status"), ==, "accepted");
  g_assert_cmpstr (json_object_get_string_member (booking, "rescheduledFromUid"), ==, old_uid);
  g_assert_cmpint (json_object_get_int_member (booking, "eventTypeId"), ==, 43);
  /* The event type's length, not the old booking's 90 minutes. */
  g_assert_cmpstr (json_object_get_string_member (booking, "start"), ==,
                   "2026-12-02T13:05:00.000Z");
  g_assert_cmpstr (json_object_get_string_member (booking, "end"), ==,
                   "2026-12-02T14:05:00.000Z");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (booking,
                                                                                 "metadata"),
                                                  "crm_appointment_id"), ==, "77");
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (
                       json_object_get_array_member (booking, "attendees"), 0), "email"), ==,
                   "kunde9999@example.test");

  get_path = g_strdup_printf ("/bookings/%s", old_uid);
  old = calcom (f, "GET", get_path, NULL);
  old_booking = response_data (old, 200);
  g_assert_cmpstr (json_object_get_string_member (old_booking, "status"), ==, "cancelled");
  g_assert_cmpstr (json_object_get_string_member (old_booking, "rescheduledToUid"), ==, new_uid);
  g_assert_cmpstr (json_object_get_string_member (old_booking, "updatedAt"), >, old_updated);

  rescheduled = cs_sim_server_get_rescheduled_uids (f->server);
  g_assert_cmpuint (rescheduled->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (rescheduled, 0), ==, old_uid);
  g_assert_cmpstr (cs_sim_server_lookup_reschedule (f->server, old_uid), ==, new_uid);

  /* A replay of the same reschedule. */
  replay = calcom (f, "POST", path, "{\"start\":\"2026-12-02T13:05:00Z\"}");
  message = g_strdup_printf ("Can't reschedule booking with uid=%s because it has been cancelled "
                             "and rescheduled already to booking with uid=%s. You probably want "
                             "to reschedule %s instead by passing it within the request URL.",
                             old_uid, new_uid, new_uid);
  assert_calcom_error (replay, 400, "BadRequestException", message);

  /* The same checks as a create, but a booking's own slot is no obstacle. */
  new_path = g_strdup_printf ("/bookings/%s/reschedule", new_uid);
  in_place = calcom (f, "POST", new_path, "{\"start\":\"2026-12-02T13:05:00Z\"}");
  g_assert_cmpuint (in_place->status, ==, 201);
  g_clear_pointer (&new_path, g_free);
  new_path = g_strdup_printf ("/bookings/%s/reschedule",
                              json_object_get_string_member (response_data (in_place, 201),
                                                             "uid"));
  past = calcom (f, "POST", new_path, "{\"start\":\"2026-11-20T10:00:00Z\"}");
  assert_calcom_error (past, 400, "BadRequestException",
                       "Attempting to book a meeting in the past.");
  blocker = create (f, 43, "2026-12-03T10:05:00Z", NULL);
  g_assert_cmpuint (blocker->status, ==, 201);
  taken = calcom (f, "POST", new_path, "{\"start\":\"2026-12-03T10:05:00Z\"}");
  assert_calcom_error (taken, 400, "BadRequestException",
                       "User either already has booking at this time or is not available");
  no_start = calcom (f, "POST", new_path, "{\"reschedulingReason\":\"?\"}");
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (assert_validation_error (no_start), 0),
                     "property"), ==, "start");

  g_assert_cmpuint (rescheduled->len, ==, 2);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->server, CS_SIM_CALCOM_RESCHEDULE), ==, 6);
}

/* Generated data */

static void
test_recurring_and_awaiting_host (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(Response) series = NULL;
  g_autoptr(Response) occurrence = NULL;
  g_autoptr(Response) awaiting = NULL;
  g_autoptr(Response) recurring_list = NULL;
  g_autofree char *series_path = NULL;
  g_autofree char *occurrence_path = NULL;
  g_autofree char *awaiting_path = NULL;
  GPtrArray *rows = cs_sim_dataset_get_bookings (f->dataset);
  CsSimBooking *first = NULL, *waiting = NULL;
  guint n_occurrences = 0;
  JsonNode *answer;
  JsonArray *items;

  for (guint i = 0; i < rows->len; i++)
    {
      CsSimBooking *row = g_ptr_array_index (rows, i);

      if (row->booking->recurring_booking_uid != NULL && first == NULL)
        first = row;
      if (row->booking->status == CS_BOOKING_STATUS_AWAITING_HOST && waiting == NULL)
        waiting = row;
    }
  g_assert_nonnull (first);
  g_assert_nonnull (waiting);
  for (guint i = 0; i < rows->len; i++)
    {
      CsSimBooking *row = g_ptr_array_index (rows, i);

      if (g_strcmp0 (row->booking->recurring_booking_uid, first->booking->recurring_booking_uid) == 0)
        {
          const char *crm_id = cs_booking_get_crm_appointment_id (row->booking);
          const CsSimTruth *truth = cs_sim_dataset_get_truth (f->dataset,
                                                              g_ascii_strtoll (crm_id, NULL, 10));

          /* Each occurrence its own appointment, matched one to one. */
          g_assert_nonnull (truth);
          g_assert_cmpint (truth->category, ==, CS_SIM_CATEGORY_RECURRING);
          g_assert_cmpint (truth->status, ==, CS_SYNC_STATUS_SYNCED);
          g_assert_cmpstr (truth->booking_uid, ==, row->booking->uid);
          n_occurrences++;
        }
    }
  g_assert_cmpuint (n_occurrences, ==, 3);
  g_assert_cmpint (cs_sim_dataset_get_truth (f->dataset,
                                             g_ascii_strtoll (
                                               cs_booking_get_crm_appointment_id (
                                                 waiting->booking), NULL, 10))->status,
                   ==, CS_SYNC_STATUS_SYNCED);

  /* The series uid answers an array, an occurrence's uid one object. */
  series_path = g_strdup_printf ("/bookings/%s", first->booking->recurring_booking_uid);
  series = calcom (f, "GET", series_path, NULL);
  g_assert_cmpuint (series->status, ==, 200);
  answer = json_object_get_member (response_object (series), "data");
  g_assert_true (JSON_NODE_HOLDS_ARRAY (answer));
  items = json_node_get_array (answer);
  g_assert_cmpuint (json_array_get_length (items), ==, n_occurrences);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);

      g_assert_cmpstr (json_object_get_string_member (item, "recurringBookingUid"), ==,
                       first->booking->recurring_booking_uid);
      if (i > 0)
        g_assert_cmpstr (json_object_get_string_member (item, "start"), >,
                         json_object_get_string_member (json_array_get_object_element (items,
                                                                                       i - 1),
                                                        "start"));
    }

  occurrence_path = g_strdup_printf ("/bookings/%s", first->booking->uid);
  occurrence = calcom (f, "GET", occurrence_path, NULL);
  g_assert_cmpstr (json_object_get_string_member (response_data (occurrence, 200),
                                                  "recurringBookingUid"), ==,
                   first->booking->recurring_booking_uid);

  awaiting_path = g_strdup_printf ("/bookings/%s", waiting->booking->uid);
  awaiting = calcom (f, "GET", awaiting_path, NULL);
  g_assert_cmpstr (json_object_get_string_member (response_data (awaiting, 200), "status"), ==,
                   "awaiting_host");

  recurring_list = calcom (f, "GET", "/bookings?status=recurring&take=250", NULL);
  items = json_object_get_array_member (response_object (recurring_list), "data");
  for (guint i = 0; i < json_array_get_length (items); i++)
    g_assert_true (json_object_has_member (json_array_get_object_element (items, i),
                                           "recurringBookingUid"));
}

static void
test_dataset_slots (void)
{
  g_autoptr(CsClock) clock = cs_manual_clock_new (T0);
  guint32 seeds[] = { 1, 42, 7 };
  guint sizes[] = { 300, 300, 3000 };

  for (guint s = 0; s < G_N_ELEMENTS (seeds); s++)
    {
      g_autoptr(CsSimDataset) dataset = NULL;
      g_autoptr(GHashTable) slots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_autoptr(GError) error = NULL;
      CsSimDatasetConfig config;
      GPtrArray *rows;

      cs_sim_dataset_config_init (&config);
      config.seed = seeds[s];
      config.n_appointments = sizes[s];
      dataset = cs_sim_dataset_new (clock, &config, &error);
      g_assert_no_error (error);

      g_assert_cmpuint (cs_sim_dataset_count_category (dataset, CS_SIM_CATEGORY_AWAITING_HOST), ==,
                        (guint) (sizes[s] * 0.01 + 0.5));
      g_assert_cmpuint (cs_sim_dataset_count_category (dataset, CS_SIM_CATEGORY_RECURRING), ==,
                        (guint) (sizes[s] * 0.01 + 0.5));

      /* No two active bookings hold one slot, and every appointment lies
       * in the opening hours. */
      rows = cs_sim_dataset_get_bookings (dataset);
      for (guint i = 0; i < rows->len; i++)
        {
          const CsBooking *b = ((CsSimBooking *) g_ptr_array_index (rows, i))->booking;
          g_autofree char *key = NULL;

          if (!cs_booking_status_is_active (b->status))
            continue;
          key = g_strdup_printf ("%" G_GINT64_FORMAT "@%" G_GINT64_FORMAT, b->event_type_id,
                                 b->start);
          g_assert_false (g_hash_table_contains (slots, key));
          g_hash_table_add (slots, g_steal_pointer (&key));
          g_assert_true (cs_sim_dataset_find_active_booking (dataset, b->event_type_id, b->start,
                                                             NULL) != NULL);
          g_assert_null (cs_sim_dataset_find_active_booking (dataset, b->event_type_id, b->start,
                                                             b->uid));
        }

      rows = cs_sim_dataset_get_appointments (dataset);
      for (guint i = 0; i < rows->len; i++)
        {
          const CsAppointment *a = ((CsSimAppointment *) g_ptr_array_index (rows, i))->appointment;

          g_assert_true (cs_sim_within_opening_hours (a->starts_at, a->ends_at));
        }
    }
}

/* Listing */

static void
test_list_totals (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(Response) all = NULL;
  g_autoptr(Response) updated = NULL;
  g_autoptr(Response) created_after = NULL;
  g_autoptr(Response) second_page = NULL;
  g_autofree char *since = NULL;
  g_autofree char *path = NULL;
  JsonObject *pagination;
  gint64 total;

  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_USEC_PER_HOUR);
  since = format_utc (cs_clock_get_now (f->clock));
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *start = g_strdup_printf ("2026-12-0%uT10:05:00Z", i + 1);
      g_autoptr(Response) r = create (f, 42, start, NULL);

      g_assert_cmpuint (r->status, ==, 201);
    }

  all = calcom (f, "GET", "/bookings?take=10", NULL);
  total = json_object_get_int_member (json_object_get_object_member (response_object (all),
                                                                     "pagination"),
                                      "totalItems");
  g_assert_cmpint (total, ==, cs_sim_dataset_get_bookings (f->dataset)->len);

  /* The totals count every booking; data holds the three new ones. */
  path = g_strdup_printf ("/bookings?take=10&afterUpdatedAt=%s", since);
  updated = calcom (f, "GET", path, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (response_object (updated),
                                                                         "data")), ==, 3);
  pagination = json_object_get_object_member (response_object (updated), "pagination");
  g_assert_cmpint (json_object_get_int_member (pagination, "totalItems"), ==, total);
  g_assert_cmpint (json_object_get_int_member (pagination, "totalPages"), ==, (total + 9) / 10);
  g_assert_cmpint (json_object_get_int_member (pagination, "remainingItems"), ==, total - 10);
  g_assert_cmpint (json_object_get_int_member (pagination, "returnedItems"), ==, 10);
  g_assert_true (json_object_get_boolean_member (pagination, "hasNextPage"));

  g_clear_pointer (&path, g_free);
  path = g_strdup_printf ("/bookings?take=10&afterCreatedAt=%s", since);
  created_after = calcom (f, "GET", path, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                                             response_object (created_after), "data")), ==, 3);
  pagination = json_object_get_object_member (response_object (created_after), "pagination");
  g_assert_cmpint (json_object_get_int_member (pagination, "totalItems"), ==, total);

  /* The second page of the filtered rows is empty, yet announced. */
  g_clear_pointer (&path, g_free);
  path = g_strdup_printf ("/bookings?take=10&skip=10&afterUpdatedAt=%s", since);
  second_page = calcom (f, "GET", path, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                                             response_object (second_page), "data")), ==, 0);
  pagination = json_object_get_object_member (response_object (second_page), "pagination");
  g_assert_cmpint (json_object_get_int_member (pagination, "currentPage"), ==, 2);
  g_assert_true (json_object_get_boolean_member (pagination, "hasPreviousPage"));
}

/* Dropped answers */

static void
test_drop_next_answer (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(Response) lost = NULL;
  g_autoptr(Response) retry = NULL;
  g_autoptr(Response) lost_cancel = NULL;
  g_autoptr(Response) retry_cancel = NULL;
  g_autoptr(Response) lost_appointment = NULL;
  g_autoptr(Response) next = NULL;
  g_autofree char *cancel_path = NULL;
  const CsSimRequest *recorded;
  GPtrArray *created;
  const char *uid;

  /* The create is made, the answer lost: a retry finds the slot taken. */
  cs_sim_server_drop_next_answer (f->server, "POST", "/v2/bookings");
  lost = create (f, 42, "2026-11-30T10:05:00Z", NULL);
  g_assert_nonnull (lost->error);
  g_assert_cmpuint (lost->status, ==, 0);
  created = cs_sim_server_get_created_bookings (f->server);
  g_assert_cmpuint (created->len, ==, 1);
  uid = g_ptr_array_index (created, 0);
  g_assert_nonnull (cs_sim_dataset_lookup_booking (f->dataset, uid));
  recorded = cs_sim_server_get_last_request (f->server, CS_SIM_CALCOM_CREATE);
  g_assert_cmpuint (recorded->status, ==, 0);

  retry = create (f, 42, "2026-11-30T10:05:00Z", NULL);
  assert_calcom_error (retry, 400, "BadRequestException",
                       "User either already has booking at this time or is not available");

  /* One shot only; a cancel's answer lost, then the replay refused. */
  cancel_path = g_strdup_printf ("/bookings/%s/cancel", uid);
  cs_sim_server_drop_next_answer (f->server, "POST", "/v2/bookings/");
  lost_cancel = calcom (f, "POST", cancel_path, "{\"cancellationReason\":\"weg\"}");
  g_assert_nonnull (lost_cancel->error);
  g_assert_cmpint (cs_sim_dataset_lookup_booking (f->dataset, uid)->booking->status, ==,
                   CS_BOOKING_STATUS_CANCELLED);
  retry_cancel = calcom (f, "POST", cancel_path, "{\"cancellationReason\":\"weg\"}");
  g_assert_cmpuint (retry_cancel->status, ==, 400);

  /* The backend's writes too. */
  cs_sim_server_drop_next_answer (f->server, "POST", "/api/v1/appointments");
  lost_appointment =
    send (f, new_request (f, CS_SIM_SERVICE_BACKEND, "POST", "/api/v1/appointments",
                          "{\"starts_at\":\"2026-11-30T10:00:00+01:00\",\"ends_at\":"
                          "\"2026-11-30T10:30:00+01:00\",\"title\":\"Hairstyling - "
                          "Herrenschnitt\",\"customer\":{\"name\":\"Kunde 9998\",\"email\":"
                          "\"kunde9998@example.test\",\"phone\":null},\"calcom_booking_uid\":"
                          "\"sim-dropped-1\",\"source\":\"calcom\"}"));
  g_assert_nonnull (lost_appointment->error);
  g_assert_cmpuint (cs_sim_server_get_created_appointments (f->server)->len, ==, 1);

  next = send (f, new_request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/me", NULL));
  g_assert_cmpuint (next->status, ==, 200);
}

/* A held answer: the write is done, its answer never comes, and the
 * simulator counts it until the client goes away. */
static void
test_hold_next_answer (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(Response) next = NULL;
  g_autofree char *body = create_body (42, "2026-11-30T10:05:00Z", "kunde9999@example.test",
                                       NULL);
  Response *held = g_new0 (Response, 1);
  SoupMessage *msg = new_request (f, CS_SIM_SERVICE_CALCOM, "POST", "/bookings", body);
  gboolean timed_out = FALSE;
  guint id;

  cs_sim_server_hold_next_answer (f->server, "POST", "/v2/bookings");
  g_assert_cmpuint (cs_sim_server_get_n_held (f->server), ==, 0);

  id = g_timeout_add_seconds (WAIT_LIMIT_SECONDS, flag_cb, &timed_out);
  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, cancellable, send_cb,
                                    held);
  while (cs_sim_server_get_n_held (f->server) == 0 && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);

  /* Done, recorded without an answer, and the client still waits. */
  g_assert_cmpuint (cs_sim_server_get_created_bookings (f->server)->len, ==, 1);
  g_assert_cmpuint (cs_sim_server_get_last_request (f->server, CS_SIM_CALCOM_CREATE)->status, ==,
                    0);
  for (guint i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (held->done);

  /* The client gives up; the answer stays held until the server stops. */
  g_cancellable_cancel (cancellable);
  while (!held->done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (id);
  g_assert_error (held->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_object_unref (msg);
  response_free (held);

  /* One shot only. */
  next = send (f, new_request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/me", NULL));
  g_assert_cmpuint (next->status, ==, 200);
}

/* The third request from now, whatever it asks, is held; the ones before
 * and after are answered. */
static void
test_hold_nth_answer (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(Response) first = NULL;
  g_autoptr(Response) second = NULL;
  g_autoptr(Response) next = NULL;
  Response *held = g_new0 (Response, 1);
  SoupMessage *msg = new_request (f, CS_SIM_SERVICE_CALCOM, "GET", "/me", NULL);
  gboolean timed_out = FALSE;
  guint id;

  cs_sim_server_hold_nth_answer (f->server, 3);
  first = send (f, new_request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/me", NULL));
  g_assert_cmpuint (first->status, ==, 200);
  second = send (f, new_request (f, CS_SIM_SERVICE_CALCOM, "GET", "/me", NULL));
  g_assert_cmpuint (second->status, ==, 200);
  g_assert_cmpuint (cs_sim_server_get_n_held (f->server), ==, 0);

  id = g_timeout_add_seconds (WAIT_LIMIT_SECONDS, flag_cb, &timed_out);
  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, cancellable, send_cb,
                                    held);
  while (cs_sim_server_get_n_held (f->server) == 0 && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_assert_cmpuint (cs_sim_server_get_last_request (f->server, CS_SIM_CALCOM_ME)->status, ==, 0);

  g_cancellable_cancel (cancellable);
  while (!held->done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (id);
  g_object_unref (msg);
  response_free (held);

  /* One shot only. */
  next = send (f, new_request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/me", NULL));
  g_assert_cmpuint (next->status, ==, 200);
}

#define ADD_SERVER_TEST(path, func) \
  g_test_add ("/calsync/sim/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/calsync/sim/dataset/unique-slots", test_dataset_slots);
  ADD_SERVER_TEST ("calcom/event-types", test_event_types);
  ADD_SERVER_TEST ("calcom/create-length", test_create_length);
  ADD_SERVER_TEST ("calcom/create-email", test_create_email);
  ADD_SERVER_TEST ("calcom/create-slot", test_create_slot);
  ADD_SERVER_TEST ("calcom/cancel-rules", test_cancel_rules);
  ADD_SERVER_TEST ("calcom/reschedule", test_reschedule);
  ADD_SERVER_TEST ("calcom/recurring-awaiting-host", test_recurring_and_awaiting_host);
  ADD_SERVER_TEST ("calcom/list-totals", test_list_totals);
  ADD_SERVER_TEST ("faults/drop-next-answer", test_drop_next_answer);
  ADD_SERVER_TEST ("faults/hold-next-answer", test_hold_next_answer);
  ADD_SERVER_TEST ("faults/hold-nth-answer", test_hold_nth_answer);

  return g_test_run ();
}
