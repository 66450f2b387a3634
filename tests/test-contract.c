/* test-contract.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "cs-contract.h"

#define REF_PREFIX "#/components/schemas/"

/* The query the Cal.com client builds for a page of the list, as sent (escaped). */
#define LIST_QUERY "status=upcoming%2Crecurring%2Cpast%2Ccancelled%2Cunconfirmed" \
                   "&afterStart=2025-10-01T00%3A00%3A00Z&beforeEnd=2026-01-01T00%3A00%3A00Z" \
                   "&sortCreated=asc&take=250&skip=0"

#define SYNC_UPDATE_JSON "{\"id\": %u, \"calcom_sync_status\": \"orphaned_local\", " \
                         "\"last_sync_attempt_at\": \"2025-10-13T08:00:00Z\", " \
                         "\"sync_attempt_count\": 3, \"sync_error_message\": \"not in Cal.com\", " \
                         "\"sync_error_code\": \"ORPHANED_LOCAL\", \"sync_verified_at\": null, " \
                         "\"requires_manual_review\": true, " \
                         "\"manual_review_flagged_at\": \"2025-10-13T08:06:00Z\"}"

#define APPOINTMENT_JSON \
  "{\"id\": 1236, \"company_id\": 3, \"number\": \"1236\"," \
  " \"starts_at\": \"2025-10-13T10:00:00+02:00\", \"ends_at\": \"2025-10-13T10:45:00+02:00\"," \
  " \"status\": \"%s\", \"title\": \"Hairstyling - Herrenschnitt\"," \
  " \"customer\": {\"name\": \"Tom Klein\", \"email\": \"tom.klein@example.com\"," \
  "              \"phone\": \"+49 123 456789\"}," \
  " \"calcom_booking_uid\": \"abc-def-123\", \"calcom_event_type_id\": 42," \
  " \"source\": \"voice_agent\", \"created_at\": \"2025-10-01T09:12:00+02:00\"," \
  " \"updated_at\": \"2025-10-02T17:30:05+02:00\", \"deleted_at\": null," \
  " \"sync\": {\"calcom_sync_status\": \"pending\", \"last_sync_attempt_at\": null," \
  "          \"sync_attempt_count\": 0, \"sync_error_message\": null," \
  "          \"sync_error_code\": null, \"sync_verified_at\": null," \
  "          \"requires_manual_review\": false, \"manual_review_flagged_at\": null}}"

static const char * const calcom_headers[] = {
  "Authorization", "cal-api-version", "Accept", NULL
};

static const char * const calcom_write_headers[] = {
  "Authorization", "cal-api-version", "Accept", "Content-Type", NULL
};

static const char * const backend_read_headers[] = {
  "Authorization: Bearer token-123", "Accept: application/json", NULL
};

static const char * const backend_write_headers[] = {
  "Authorization: Bearer token-123", "Accept: application/json",
  "Content-Type: application/json", "Idempotency-Key: 6f1c7f2e-3d5b-4d0a-9a57-2b7f0c8e1d42",
  NULL
};

typedef struct
{
  CsOpenApi  *api;
  JsonParser *spec;     /* the same document, read here to build examples */
  JsonObject *schemas;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  path = g_test_build_filename (G_TEST_DIST, "data", "calcom", "openapi-bookings.json", NULL);
  fixture->api = cs_openapi_load (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->api);

  fixture->spec = json_parser_new ();
  json_parser_load_from_file (fixture->spec, path, &error);
  g_assert_no_error (error);
  fixture->schemas = json_object_get_object_member (
    json_object_get_object_member (json_node_get_object (json_parser_get_root (fixture->spec)),
                                   "components"),
    "schemas");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->api, cs_openapi_free);
  g_clear_object (&fixture->spec);
}

static GBytes *
bytes_from_text (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

static GBytes *
bytes_from_node (JsonNode *node)
{
  char *text = json_to_string (node, FALSE);

  return g_bytes_new_take (text, strlen (text));
}

static JsonNode *
node_from_text (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  return json_node_copy (json_parser_get_root (parser));
}

/*
 * An instance of @schema made of the spec's own "example" values; where a
 * schema has none, the first enum value, the first alternative of a
 * combinator, or a plain value of its type.
 */
static JsonNode *
build_example (JsonObject *schemas,
               JsonObject *schema,
               guint       depth)
{
  static const char * const combinators[] = { "allOf", "oneOf", "anyOf", NULL };
  const char *ref = json_object_get_string_member_with_default (schema, "$ref", NULL);
  const char *type = json_object_get_string_member_with_default (schema, "type", "");

  g_assert_cmpuint (depth, <, 16);

  if (ref != NULL)
    {
      g_assert_true (g_str_has_prefix (ref, REF_PREFIX));
      return build_example (schemas,
                            json_object_get_object_member (schemas, ref + strlen (REF_PREFIX)),
                            depth + 1);
    }

  if (json_object_has_member (schema, "example"))
    return json_node_copy (json_object_get_member (schema, "example"));

  if (json_object_has_member (schema, "enum"))
    return json_node_copy (json_array_get_element (json_object_get_array_member (schema, "enum"),
                                                   0));

  for (guint i = 0; combinators[i] != NULL; i++)
    {
      if (json_object_has_member (schema, combinators[i]))
        {
          JsonArray *alternatives = json_object_get_array_member (schema, combinators[i]);

          return build_example (schemas, json_array_get_object_element (alternatives, 0),
                                depth + 1);
        }
    }

  if (g_str_equal (type, "object") || json_object_has_member (schema, "properties"))
    {
      g_autoptr(JsonObject) object = json_object_new ();
      g_autoptr(GList) names = NULL;
      JsonObject *properties = NULL;

      if (json_object_has_member (schema, "properties"))
        properties = json_object_get_object_member (schema, "properties");
      if (properties != NULL)
        names = json_object_get_members (properties);

      for (const GList *l = names; l != NULL; l = l->next)
        json_object_set_member (object, l->data,
                                build_example (schemas,
                                               json_object_get_object_member (properties, l->data),
                                               depth + 1));

      return json_node_init_object (json_node_alloc (), object);
    }

  if (g_str_equal (type, "array"))
    {
      g_autoptr(JsonArray) array = json_array_new ();

      if (json_object_has_member (schema, "items"))
        json_array_add_element (array,
                                build_example (schemas,
                                               json_object_get_object_member (schema, "items"),
                                               depth + 1));

      return json_node_init_array (json_node_alloc (), array);
    }

  if (g_str_equal (type, "string"))
    return json_node_init_string (json_node_alloc (), "text");
  if (g_str_equal (type, "number") || g_str_equal (type, "integer"))
    return json_node_init_int (json_node_alloc (), 1);
  if (g_str_equal (type, "boolean"))
    return json_node_init_boolean (json_node_alloc (), FALSE);

  return json_node_init_null (json_node_alloc ());
}

static JsonNode *
build_named_example (Fixture    *fixture,
                     const char *name)
{
  g_assert_true (json_object_has_member (fixture->schemas, name));

  return build_example (fixture->schemas, json_object_get_object_member (fixture->schemas, name),
                        0);
}

/* A list answer (GetBookingsOutput) carrying @bookings, which it takes. */
static GBytes *
bookings_page (Fixture   *fixture,
               JsonNode **bookings,
               guint      n)
{
  g_autoptr(JsonNode) page = build_named_example (fixture, "GetBookingsOutput_2024_08_13");
  g_autoptr(JsonArray) data = json_array_new ();

  for (guint i = 0; i < n; i++)
    json_array_add_element (data, bookings[i]);
  json_object_set_array_member (json_node_get_object (page), "data", g_steal_pointer (&data));

  return bytes_from_node (page);
}

static void
assert_message_contains (const GError *error,
                         const char   *text)
{
  g_assert_nonnull (error);
  if (strstr (error->message, text) == NULL)
    g_error ("expected \"%s\" in: %s", text, error->message);
}

static void
test_list_request_valid (Fixture       *fixture,
                         gconstpointer  data)
{
  const char * const with_values[] = {
    "authorization: Bearer cal_test_123", "CAL-API-VERSION: 2024-08-13",
    "Accept: application/json", NULL
  };
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_openapi_validate_request (fixture->api, "GET", "/v2/bookings", LIST_QUERY,
                                              calcom_headers, NULL, &error));
  g_assert_no_error (error);

  /* Header names in any case, with values; commas unescaped; a base URL prefix. */
  g_assert_true (cs_openapi_validate_request (fixture->api, "GET", "/cal/v2/bookings",
                                              "status=upcoming,past&afterUpdatedAt="
                                              "2025-10-01T00:00:00.000Z&take=10",
                                              with_values, NULL, &error));
  g_assert_no_error (error);

  /* The query may still sit on the path. */
  g_assert_true (cs_openapi_validate_request (fixture->api, "GET", "/v2/bookings?" LIST_QUERY,
                                              NULL, calcom_headers, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (cs_openapi_validate_request (fixture->api, "GET", "/v2/bookings/abc-123", NULL,
                                              calcom_headers, NULL, &error));
  g_assert_no_error (error);
}

static void
test_misspelled_query_name (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (cs_openapi_validate_request (fixture->api, "GET", "/v2/bookings",
                                               "afterStrat=2025-10-01T00%3A00%3A00Z&take=250",
                                               calcom_headers, NULL, &error));
  g_assert_error (error, CS_CONTRACT_ERROR, CS_CONTRACT_ERROR_QUERY);
  assert_message_contains (error, "query afterStrat");
  assert_message_contains (error, "did you mean \"afterStart\"?");
  g_clear_error (&error);

  /* A name of another operation is no better: get-one takes no query. */
  g_assert_false (cs_openapi_validate_request (fixture->api, "GET", "/v2/bookings/abc",
                                               "take=1", calcom_headers, NULL, &error));
  assert_message_contains (error, "query take");
}

static void
test_missing_api_version (Fixture       *fixture,
                          gconstpointer  data)
{
  const char * const headers[] = { "Authorization", "Accept", NULL };
  const char * const wrong_version[] = {
    "Authorization", "Accept", "cal-api-version: 2024-06-14", NULL
  };
  g_autoptr(GError) error = NULL;

  g_assert_false (cs_openapi_validate_request (fixture->api, "GET", "/v2/bookings", LIST_QUERY,
                                               headers, NULL, &error));
  g_assert_error (error, CS_CONTRACT_ERROR, CS_CONTRACT_ERROR_HEADER);
  assert_message_contains (error, "header cal-api-version: required header missing");
  g_clear_error (&error);

  g_assert_false (cs_openapi_validate_request (fixture->api, "GET", "/v2/bookings", LIST_QUERY,
                                               wrong_version, NULL, &error));
  assert_message_contains (error, "2024-06-14");
  g_clear_error (&error);

  /* The list requires Authorization too; /v2/me takes no version header. */
  g_assert_false (cs_openapi_validate_request (fixture->api, "GET", "/v2/bookings", LIST_QUERY,
                                               (const char * const []) { "cal-api-version", NULL },
                                               NULL, &error));
  assert_message_contains (error, "header Authorization");
  g_clear_error (&error);

  g_assert_true (cs_openapi_validate_request (fixture->api, "GET", "/v2/me", NULL, headers, NULL,
                                              &error));
  g_assert_no_error (error);
}

static void
test_wrong_sort_enum (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (cs_openapi_validate_request (fixture->api, "GET", "/v2/bookings",
                                               "sortStart=ascending", calcom_headers, NULL,
                                               &error));
  g_assert_error (error, CS_CONTRACT_ERROR, CS_CONTRACT_ERROR_QUERY);
  assert_message_contains (error, "query sortStart: expected one of \"asc\", \"desc\", "
                                  "got \"ascending\"");
  g_clear_error (&error);

  /* take is a number; status a comma list of its enum; times ISO 8601. */
  g_assert_false (cs_openapi_validate_request (fixture->api, "GET", "/v2/bookings", "take=ten",
                                               calcom_headers, NULL, &error));
  assert_message_contains (error, "query take: expected a number, got \"ten\"");
  g_clear_error (&error);

  g_assert_false (cs_openapi_validate_request (fixture->api, "GET", "/v2/bookings",
                                               "status=upcoming,future", calcom_headers, NULL,
                                               &error));
  assert_message_contains (error, "got \"future\"");
  g_clear_error (&error);

  /* An unescaped + in the offset reaches the server as a space. */
  g_assert_false (cs_openapi_validate_request (fixture->api, "GET", "/v2/bookings",
                                               "afterStart=2025-10-01T00:00:00+02:00",
                                               calcom_headers, NULL, &error));
  assert_message_contains (error, "query afterStart");
  assert_message_contains (error, "unescaped '+'");
  g_clear_error (&error);

  /* Above the server's page maximum (NOTES.md); given twice. */
  g_assert_false (cs_openapi_validate_request (fixture->api, "GET", "/v2/bookings",
                                               "take=500&skip=0&skip=250", calcom_headers, NULL,
                                               &error));
  assert_message_contains (error, "query take: expected 1 to 250");
  assert_message_contains (error, "query skip: given 2 times");
}

static void
test_spec_examples (Fixture       *fixture,
                    gconstpointer  data)
{
  static const struct
  {
    const char *method;
    const char *path;
    guint       status;
    const char *schema;
  } answers[] = {
    { "GET", "/v2/bookings", 200, "GetBookingsOutput_2024_08_13" },
    { "GET", "/v2/bookings/booking_uid_123", 200, "GetBookingOutput_2024_08_13" },
    { "POST", "/v2/bookings", 201, "CreateBookingOutput_2024_08_13" },
    { "POST", "/v2/bookings/booking_uid_123/cancel", 200, "CancelBookingOutput_2024_08_13" },
    { "POST", "/v2/bookings/booking_uid_123/reschedule", 201,
      "RescheduleBookingOutput_2024_08_13" },
    { "GET", "/v2/me", 200, "GetMeOutput" },
  };
  static const struct
  {
    const char *path;
    const char *schema;
  } requests[] = {
    { "/v2/bookings", "CreateBookingInput_2024_08_13" },
    { "/v2/bookings", "CreateInstantBookingInput_2024_08_13" },
    { "/v2/bookings", "CreateRecurringBookingInput_2024_08_13" },
    { "/v2/bookings/booking_uid_123/cancel", "CancelBookingInput_2024_08_13" },
    { "/v2/bookings/booking_uid_123/cancel", "CancelSeatedBookingInput_2024_08_13" },
    { "/v2/bookings/booking_uid_123/reschedule", "RescheduleBookingInput_2024_08_13" },
  };
  g_autoptr(GList) names = json_object_get_members (fixture->schemas);
  g_autoptr(GError) error = NULL;

  /* Every schema of the subset accepts an instance made of its own examples. */
  g_assert_cmpuint (g_list_length (names), ==, 36);
  for (const GList *l = names; l != NULL; l = l->next)
    {
      g_autoptr(JsonNode) example = build_named_example (fixture, l->data);

      if (!cs_openapi_validate_schema (fixture->api, l->data, example, &error))
        g_error ("%s: %s", (const char *) l->data, error->message);
    }

  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      g_autoptr(JsonNode) example = build_named_example (fixture, requests[i].schema);
      g_autoptr(GBytes) body = bytes_from_node (example);

      if (!cs_openapi_validate_request (fixture->api, "POST", requests[i].path, NULL,
                                        calcom_write_headers, body, &error))
        g_error ("%s: %s", requests[i].schema, error->message);
    }

  for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
    {
      g_autoptr(JsonNode) example = build_named_example (fixture, answers[i].schema);
      g_autoptr(GBytes) body = bytes_from_node (example);

      if (!cs_openapi_validate_response (fixture->api, answers[i].method, answers[i].path,
                                         answers[i].status, body, &error))
        g_error ("%s: %s", answers[i].schema, error->message);
    }
}

static void
test_booking_missing_uid (Fixture       *fixture,
                          gconstpointer  data)
{
  JsonNode *bookings[2];
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) lone = NULL;
  g_autoptr(GError) error = NULL;

  bookings[0] = build_named_example (fixture, "BookingOutput_2024_08_13");
  bookings[1] = build_named_example (fixture, "BookingOutput_2024_08_13");
  json_object_remove_member (json_node_get_object (bookings[1]), "uid");
  body = bookings_page (fixture, bookings, 2);

  g_assert_false (cs_openapi_validate_response (fixture->api, "GET", "/v2/bookings", 200, body,
                                                &error));
  g_assert_error (error, CS_CONTRACT_ERROR, CS_CONTRACT_ERROR_BODY);
  assert_message_contains (error, "data[1].uid: required property missing");
  g_clear_error (&error);

  lone = build_named_example (fixture, "BookingOutput_2024_08_13");
  json_object_remove_member (json_node_get_object (lone), "uid");
  g_assert_false (cs_openapi_validate_schema (fixture->api, "BookingOutput_2024_08_13", lone,
                                              &error));
  assert_message_contains (error, "uid: required property missing");
}

static void
test_wrong_type (Fixture       *fixture,
                 gconstpointer  data)
{
  JsonNode *bookings[1];
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) body_id = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *attendee;

  bookings[0] = build_named_example (fixture, "BookingOutput_2024_08_13");
  attendee = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (bookings[0]), "attendees"), 0);
  json_object_set_int_member (attendee, "email", 42);
  body = bookings_page (fixture, bookings, 1);

  g_assert_false (cs_openapi_validate_response (fixture->api, "GET", "/v2/bookings", 200, body,
                                                &error));
  assert_message_contains (error, "data[0].attendees[0].email: expected string, got integer");
  g_clear_error (&error);

  /* A number as text and a wrong booking status are caught the same way. */
  bookings[0] = build_named_example (fixture, "BookingOutput_2024_08_13");
  json_object_set_string_member (json_node_get_object (bookings[0]), "id", "123");
  json_object_set_string_member (json_node_get_object (bookings[0]), "status", "upcoming");
  body_id = bookings_page (fixture, bookings, 1);

  g_assert_false (cs_openapi_validate_response (fixture->api, "GET", "/v2/bookings", 200, body_id,
                                                &error));
  assert_message_contains (error, "data[0].id: expected number, got string");
  assert_message_contains (error, "data[0].status: expected one of");
}

static void
test_error_envelope (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GBytes) envelope = NULL;
  g_autoptr(GBytes) broken = NULL;
  g_autoptr(GBytes) created = NULL;
  g_autoptr(JsonNode) example = NULL;
  g_autoptr(GError) error = NULL;

  envelope = bytes_from_text ("{\"status\": \"error\", \"timestamp\": \"2025-10-07T12:00:00.000Z\","
                              " \"path\": \"/v2/bookings/nope\", \"error\": {\"code\":"
                              " \"NotFoundException\", \"message\": \"Booking with uid=nope was"
                              " not found in the database\", \"details\": {}}}");
  g_assert_true (cs_openapi_validate_response (fixture->api, "GET", "/v2/bookings/nope", 404,
                                               envelope, &error));
  g_assert_no_error (error);
  g_assert_true (cs_openapi_validate_response (fixture->api, "GET", "/v2/bookings", 429,
                                               envelope, &error));
  g_assert_no_error (error);

  broken = bytes_from_text ("{\"status\": \"error\", \"timestamp\": \"yesterday\","
                            " \"path\": \"/v2/bookings/nope\", \"error\": {\"code\": \"x\"}}");
  g_assert_false (cs_openapi_validate_response (fixture->api, "GET", "/v2/bookings/nope", 404,
                                                broken, &error));
  assert_message_contains (error, "error.message: required property missing");
  assert_message_contains (error, "timestamp: expected an RFC 3339 date-time");
  g_clear_error (&error);

  g_assert_false (cs_openapi_validate_response (fixture->api, "GET", "/v2/bookings/nope", 404,
                                                NULL, &error));
  assert_message_contains (error, "body: empty");
  g_clear_error (&error);

  /* Create answers 201, not 200. */
  example = build_named_example (fixture, "CreateBookingOutput_2024_08_13");
  created = bytes_from_node (example);
  g_assert_false (cs_openapi_validate_response (fixture->api, "POST", "/v2/bookings", 200,
                                                created, &error));
  g_assert_error (error, CS_CONTRACT_ERROR, CS_CONTRACT_ERROR_STATUS);
  assert_message_contains (error, "200 is not declared (declared: 201)");
}

static void
test_operations (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GBytes) cancel = bytes_from_text ("{\"cancellationReason\": \"Moved to the CRM\"}");
  g_autoptr(GBytes) not_json = bytes_from_text ("{\"cancellationReason\": ");
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_openapi_validate_request (fixture->api, "POST", "/v2/bookings/abc/cancel",
                                              NULL, calcom_write_headers, cancel, &error));
  g_assert_no_error (error);

  g_assert_false (cs_openapi_validate_request (fixture->api, "GET", "/v2/bookings/abc/cancel",
                                               NULL, calcom_headers, NULL, &error));
  g_assert_error (error, CS_CONTRACT_ERROR, CS_CONTRACT_ERROR_OPERATION);
  assert_message_contains (error, "has no GET operation (it has: post)");
  g_clear_error (&error);

  g_assert_false (cs_openapi_validate_request (fixture->api, "GET", "/v2/booking", NULL,
                                               calcom_headers, NULL, &error));
  g_assert_error (error, CS_CONTRACT_ERROR, CS_CONTRACT_ERROR_OPERATION);
  g_clear_error (&error);

  g_assert_false (cs_openapi_validate_request (fixture->api, "POST", "/v2/bookings/abc/cancel",
                                               NULL, calcom_write_headers, NULL, &error));
  assert_message_contains (error, "body: required");
  g_clear_error (&error);

  g_assert_false (cs_openapi_validate_request (fixture->api, "POST", "/v2/bookings/abc/cancel",
                                               NULL, calcom_write_headers, not_json, &error));
  assert_message_contains (error, "body: not JSON");
  g_clear_error (&error);

  /* A body needs its media type; a GET takes none. */
  g_assert_false (cs_openapi_validate_request (fixture->api, "POST", "/v2/bookings/abc/cancel",
                                               NULL, calcom_headers, cancel, &error));
  assert_message_contains (error, "header Content-Type");
  g_clear_error (&error);

  g_assert_false (cs_openapi_validate_request (fixture->api, "GET", "/v2/bookings/abc", NULL,
                                               calcom_write_headers, cancel, &error));
  assert_message_contains (error, "takes no body");
}

/* A small spec for what the Cal.com subset does not use; ' stands for ". */
static const char synthetic_spec[] =
  "{'openapi': '3.0.3', 'info': {'title': 't', 'version': '1'},"
  " 'paths': {'/v2/things/{id}': {"
  "   'parameters': [{'name': 'id', 'in': 'path', 'required': true,"
  "                   'schema': {'type': 'integer', 'minimum': 1}}],"
  "   'get': {'parameters': [{'name': 'flag', 'in': 'query', 'schema': {'type': 'boolean'}}],"
  "           'responses': {'200': {'description': '', 'content': {'application/json':"
  "                           {'schema': {'$ref': '#/components/schemas/Thing'}}}},"
  "                         '204': {'description': ''}}}}},"
  " 'components': {'schemas': {'Thing': {'type': 'object', 'additionalProperties': false,"
  "   'required': ['id', 'when'],"
  "   'properties': {'id': {'type': 'integer', 'minimum': 1},"
  "     'when': {'type': 'string', 'format': 'date-time'},"
  "     'note': {'type': 'string', 'nullable': true, 'maxLength': 5},"
  "     'size': {'anyOf': [{'type': 'integer'}, {'type': 'string', 'enum': ['small', 'large']}]},"
  "     'tags': {'type': 'array', 'minItems': 1, 'items': {'type': 'string'}}}}}}}";

static char *
write_spec (const char *text)
{
  g_autofree char *json = g_strdup (text);
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd;

  g_strdelimit (json, "'", '"');
  fd = g_file_open_tmp ("test-contract-XXXXXX.json", &path, &error);
  g_assert_no_error (error);
  g_close (fd, NULL);
  g_file_set_contents (path, json, -1, &error);
  g_assert_no_error (error);

  return path;
}

static void
assert_thing (CsOpenApi  *api,
              const char *json,
              const char *expected_problem)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = g_strdup (json);
  g_autoptr(GError) error = NULL;

  g_strdelimit (text, "'", '"');
  node = node_from_text (text);

  if (expected_problem == NULL)
    {
      g_assert_true (cs_openapi_validate_schema (api, "Thing", node, &error));
      g_assert_no_error (error);
    }
  else
    {
      g_assert_false (cs_openapi_validate_schema (api, "Thing", node, &error));
      assert_message_contains (error, expected_problem);
    }
}

static void
test_schema_keywords (void)
{
  g_autofree char *path = write_spec (synthetic_spec);
  g_autoptr(CsOpenApi) api = NULL;
  g_autoptr(GBytes) thing = bytes_from_text ("{\"id\": 2, \"when\": \"2025-10-13T10:00:00Z\"}");
  g_autoptr(GError) error = NULL;

  api = cs_openapi_load (path, &error);
  g_assert_no_error (error);
  g_unlink (path);

  assert_thing (api, "{'id': 1, 'when': '2025-10-13T10:00:00+02:00'}", NULL);
  assert_thing (api, "{'id': 2.0, 'when': '2025-10-13T10:00:00.5Z', 'note': null, 'size': 3}",
                NULL);
  assert_thing (api, "{'id': 1, 'when': '2025-10-13T10:00:00Z', 'size': 'small', 'tags': ['a']}",
                NULL);
  assert_thing (api, "{'id': 1, 'when': '2025-10-13 10:00'}",
                "when: expected an RFC 3339 date-time");
  assert_thing (api, "{'id': 1, 'when': '2025-10-13T10:00:00'}",
                "when: expected an RFC 3339 date-time");
  assert_thing (api, "{'id': 1, 'when': null}", "when: expected string, got null");
  assert_thing (api, "{'id': 1.5, 'when': '2025-10-13T10:00:00Z'}",
                "id: expected integer, got number");
  assert_thing (api, "{'id': 0, 'when': '2025-10-13T10:00:00Z'}", "id: expected a number >= 1");
  assert_thing (api, "{'id': 1, 'when': '2025-10-13T10:00:00Z', 'colour': 'red'}",
                "colour: unknown property");
  assert_thing (api, "{'id': 1, 'when': '2025-10-13T10:00:00Z', 'note': 'too long'}",
                "note: expected at most 5 characters");
  assert_thing (api, "{'id': 1, 'when': '2025-10-13T10:00:00Z', 'size': 'huge'}",
                "size: matches none of the 2 anyOf alternatives");
  assert_thing (api, "{'id': 1, 'when': '2025-10-13T10:00:00Z', 'tags': []}",
                "tags: expected at least 1 item(s)");
  assert_thing (api, "[{'id': 1}]", "$: expected object, got array");

  /* Path parameters of the path item, a boolean query, a status without content. */
  g_assert_true (cs_openapi_validate_request (api, "GET", "/v2/things/7", "flag=true", NULL, NULL,
                                              &error));
  g_assert_no_error (error);
  g_assert_false (cs_openapi_validate_request (api, "GET", "/v2/things/0", "flag=yes", NULL, NULL,
                                               &error));
  assert_message_contains (error, "path id: expected a number >= 1");
  assert_message_contains (error, "query flag: expected true or false");
  g_clear_error (&error);

  g_assert_true (cs_openapi_validate_response (api, "GET", "/v2/things/7", 200, thing, &error));
  g_assert_no_error (error);
  g_assert_true (cs_openapi_validate_response (api, "GET", "/v2/things/7", 204, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (cs_openapi_validate_response (api, "GET", "/v2/things/7", 204, thing, &error));
  assert_message_contains (error, "declares no content for 204");
}

static void
test_load_rejects_unsupported (void)
{
  static const struct
  {
    const char *from;
    const char *to;
    const char *problem;
  } edits[] = {
    { "'maxLength': 5", "'pattern': '^a'", "unsupported schema keyword \"pattern\"" },
    { "'format': 'date-time'", "'format': 'email'", "unsupported format" },
    { "{'$ref': '#/components/schemas/Thing'}",
      "{'$ref': '#/components/schemas/Thing', 'nullable': true}", "beside \"$ref\"" },
    { "{'$ref': '#/components/schemas/Thing'}", "{'$ref': '#/components/schemas/Nope'}",
      "resolvable" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    {
      g_autoptr(GString) text = g_string_new (synthetic_spec);
      g_autofree char *path = NULL;
      g_autoptr(CsOpenApi) api = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpuint (g_string_replace (text, edits[i].from, edits[i].to, 1), ==, 1);
      path = write_spec (text->str);
      api = cs_openapi_load (path, &error);
      g_unlink (path);

      g_assert_null (api);
      g_assert_error (error, CS_CONTRACT_ERROR, CS_CONTRACT_ERROR_SPEC);
      assert_message_contains (error, edits[i].problem);
    }
}

static GBytes *
sync_status_body (guint n)
{
  g_autoptr(GString) text = g_string_new ("{\"updates\": [");

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (text, ", ");
      g_string_append_printf (text, SYNC_UPDATE_JSON, 1000 + i);
    }
  g_string_append (text, "]}");

  return g_bytes_new (text->str, text->len);
}

static void
test_backend_idempotency_key (void)
{
  const char * const no_key[] = {
    "Authorization", "Accept", "Content-Type", NULL
  };
  const char * const bad_key[] = {
    "Authorization", "Accept", "Content-Type", "Idempotency-Key: 42", NULL
  };
  g_autoptr(GBytes) body = sync_status_body (2);
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_backend_contract_validate_request ("PATCH", "/api/v1/appointments/sync-status",
                                                       NULL, backend_write_headers, body, &error));
  g_assert_no_error (error);

  g_assert_false (cs_backend_contract_validate_request ("PATCH",
                                                        "/api/v1/appointments/sync-status", NULL,
                                                        no_key, body, &error));
  g_assert_error (error, CS_CONTRACT_ERROR, CS_CONTRACT_ERROR_HEADER);
  assert_message_contains (error, "header Idempotency-Key: required on writes");
  g_clear_error (&error);

  g_assert_false (cs_backend_contract_validate_request ("PATCH",
                                                        "/api/v1/appointments/sync-status", NULL,
                                                        bad_key, body, &error));
  assert_message_contains (error, "header Idempotency-Key: expected a UUID");
  g_clear_error (&error);

  /* Reads need Authorization and Accept, and no more. */
  g_assert_true (cs_backend_contract_validate_request ("GET", "/api/v1/me", NULL,
                                                       backend_read_headers, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (cs_backend_contract_validate_request ("GET", "/api/v1/me", NULL,
                                                        (const char * const []) {
                                                          "Authorization: Token abc", NULL
                                                        },
                                                        NULL, &error));
  assert_message_contains (error, "header Accept: required");
  assert_message_contains (error, "expected \"Bearer <token>\"");
  g_assert_null (strstr (error->message, "abc"));
}

static void
test_backend_sync_status_limit (void)
{
  g_autoptr(GBytes) full = sync_status_body (500);
  g_autoptr(GBytes) too_many = sync_status_body (501);
  g_autoptr(GBytes) eight_keys = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_backend_contract_validate_request ("PATCH", "/api/v1/appointments/sync-status",
                                                       NULL, backend_write_headers, full, &error));
  g_assert_no_error (error);

  g_assert_false (cs_backend_contract_validate_request ("PATCH",
                                                        "/api/v1/appointments/sync-status", NULL,
                                                        backend_write_headers, too_many, &error));
  g_assert_error (error, CS_CONTRACT_ERROR, CS_CONTRACT_ERROR_BODY);
  assert_message_contains (error, "updates: expected at most 500 item(s), got 501");
  g_clear_error (&error);

  eight_keys = bytes_from_text ("{\"updates\": [{\"id\": 1, \"calcom_sync_status\": \"synced\","
                                " \"last_sync_attempt_at\": null, \"sync_attempt_count\": 1,"
                                " \"sync_error_message\": null, \"sync_error_code\": \"OOPS\","
                                " \"sync_verified_at\": \"2025-10-13T08:00:00Z\","
                                " \"requires_manual_review\": \"no\"}]}");
  g_assert_false (cs_backend_contract_validate_request ("PATCH",
                                                        "/api/v1/appointments/sync-status", NULL,
                                                        backend_write_headers, eight_keys,
                                                        &error));
  assert_message_contains (error, "updates[0].manual_review_flagged_at: required property missing");
  assert_message_contains (error, "updates[0].sync_error_code: expected one of");
  assert_message_contains (error, "updates[0].requires_manual_review: expected boolean");
}

static void
test_backend_unknown_query (void)
{
  const char *query = "starts_after=2025-09-13T00%3A00%3A00Z"
                      "&starts_before=2026-01-11T00%3A00%3A00%2B01%3A00"
                      "&updated_since=2025-10-01T00%3A00%3A00Z&page=1&per_page=500";
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_backend_contract_validate_request ("GET", "/api/v1/appointments", query,
                                                       backend_read_headers, NULL, &error));
  g_assert_no_error (error);

  g_assert_false (cs_backend_contract_validate_request ("GET", "/api/v1/appointments",
                                                        "starts_after=2025-09-13T00%3A00%3A00Z"
                                                        "&start_before=2026-01-11T00%3A00%3A00Z",
                                                        backend_read_headers, NULL, &error));
  g_assert_error (error, CS_CONTRACT_ERROR, CS_CONTRACT_ERROR_QUERY);
  assert_message_contains (error, "query start_before: not a parameter");
  assert_message_contains (error, "did you mean \"starts_before\"?");
  g_clear_error (&error);

  g_assert_false (cs_backend_contract_validate_request ("GET", "/api/v1/appointments",
                                                        "starts_after=2025-09-13T00:00:00+02:00"
                                                        "&per_page=1000&page=0",
                                                        backend_read_headers, NULL, &error));
  assert_message_contains (error, "unescaped '+'");
  assert_message_contains (error, "query per_page: expected a number <= 500");
  assert_message_contains (error, "query page: expected a number >= 1");
  g_clear_error (&error);

  g_assert_false (cs_backend_contract_validate_request ("GET", "/api/v1/appointments/1236",
                                                        "page=1", backend_read_headers, NULL,
                                                        &error));
  assert_message_contains (error, "takes no query parameters");
  g_clear_error (&error);

  g_assert_false (cs_backend_contract_validate_request ("GET", "/api/v1/appointments/abc", NULL,
                                                        backend_read_headers, NULL, &error));
  g_assert_error (error, CS_CONTRACT_ERROR, CS_CONTRACT_ERROR_OPERATION);
}

static GBytes *
single_appointment (const char *status)
{
  g_autofree char *appointment = g_strdup_printf (APPOINTMENT_JSON, status);
  g_autofree char *text = g_strdup_printf ("{\"data\": %s}", appointment);

  return bytes_from_text (text);
}

static void
test_backend_appointment (void)
{
  g_autoptr(GBytes) valid = single_appointment ("scheduled");
  g_autoptr(GBytes) done = single_appointment ("done");
  g_autoptr(GBytes) page = NULL;
  g_autoptr(GBytes) minimal = NULL;
  g_autoptr(GBytes) no_company = NULL;
  g_autofree char *appointment = g_strdup_printf (APPOINTMENT_JSON, "confirmed");
  g_autofree char *page_text = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_backend_contract_validate_response ("GET", "/api/v1/appointments/1236", 200,
                                                        valid, &error));
  g_assert_no_error (error);

  g_assert_false (cs_backend_contract_validate_response ("GET", "/api/v1/appointments/1236", 200,
                                                         done, &error));
  g_assert_error (error, CS_CONTRACT_ERROR, CS_CONTRACT_ERROR_BODY);
  assert_message_contains (error, "data.status: expected one of \"scheduled\"");
  assert_message_contains (error, "got \"done\"");
  g_clear_error (&error);

  /* Only the five required fields; unknown ones are ignored. */
  minimal = bytes_from_text ("{\"data\": {\"id\": 7, \"company_id\": 3, \"status\": \"no_show\","
                             " \"starts_at\": \"2025-10-13T08:00:00Z\", \"ends_at\":"
                             " \"2025-10-13T08:30:00Z\", \"colour\": \"red\"}}");
  g_assert_true (cs_backend_contract_validate_response ("PATCH", "/api/v1/appointments/7", 200,
                                                        minimal, &error));
  g_assert_no_error (error);

  no_company = bytes_from_text ("{\"data\": {\"id\": 7, \"status\": \"no_show\","
                                " \"starts_at\": \"2025-10-13T08:00:00\", \"ends_at\":"
                                " \"2025-10-13T08:30:00Z\", \"sync\": {}}}");
  g_assert_false (cs_backend_contract_validate_response ("GET", "/api/v1/appointments/7", 200,
                                                         no_company, &error));
  assert_message_contains (error, "data.company_id: required property missing");
  assert_message_contains (error, "data.starts_at: expected an RFC 3339 date-time");
  assert_message_contains (error, "data.sync.calcom_sync_status: required property missing");
  g_clear_error (&error);

  page_text = g_strdup_printf ("{\"data\": [%s, %s], \"meta\": {\"current_page\": 1,"
                               " \"last_page\": 5, \"per_page\": 100, \"total\": 431}}",
                               appointment, appointment);
  page = bytes_from_text (page_text);
  g_assert_true (cs_backend_contract_validate_response ("GET", "/api/v1/appointments?page=1", 200,
                                                        page, &error));
  g_assert_no_error (error);
}

static void
test_backend_bodies_and_statuses (void)
{
  g_autoptr(GBytes) create = NULL;
  g_autoptr(GBytes) create_extra = NULL;
  g_autoptr(GBytes) patch_title = NULL;
  g_autoptr(GBytes) empty_object = bytes_from_text ("{}");
  g_autoptr(GBytes) cancel = bytes_from_text ("{\"reason\": \"Customer called\"}");
  g_autoptr(GBytes) audit = NULL;
  g_autoptr(GBytes) me = NULL;
  g_autoptr(GBytes) laravel = bytes_from_text ("{\"message\": \"Unauthenticated.\"}");
  g_autoptr(GBytes) conflict = single_appointment ("scheduled");
  g_autoptr(GError) error = NULL;

  create = bytes_from_text ("{\"starts_at\": \"2025-10-13T08:00:00Z\", \"ends_at\":"
                            " \"2025-10-13T08:45:00Z\", \"title\": \"Consultation\","
                            " \"customer\": {\"name\": \"John Doe\", \"email\":"
                            " \"john@example.com\"}, \"calcom_booking_uid\": \"booking_uid_123\","
                            " \"source\": \"calcom\"}");
  g_assert_true (cs_backend_contract_validate_request ("POST", "/api/v1/appointments", NULL,
                                                       backend_write_headers, create, &error));
  g_assert_no_error (error);

  create_extra = bytes_from_text ("{\"starts_at\": \"2025-10-13T08:00:00Z\", \"ends_at\":"
                                  " \"2025-10-13T07:45:00Z\", \"title\": \"Consultation\","
                                  " \"customer\": {}, \"calcom_booking_uid\": \"b\","
                                  " \"source\": \"voice_agent\", \"status\": \"scheduled\"}");
  g_assert_false (cs_backend_contract_validate_request ("POST", "/api/v1/appointments", NULL,
                                                        backend_write_headers, create_extra,
                                                        &error));
  assert_message_contains (error, "status: unknown property");
  assert_message_contains (error, "source: expected one of \"calcom\"");
  assert_message_contains (error, "ends_at: not after starts_at");
  g_clear_error (&error);

  patch_title = bytes_from_text ("{\"starts_at\": \"2025-10-13T08:00:00Z\", \"title\": \"x\"}");
  g_assert_false (cs_backend_contract_validate_request ("PATCH", "/api/v1/appointments/7", NULL,
                                                        backend_write_headers, patch_title,
                                                        &error));
  assert_message_contains (error, "title: unknown property");
  g_clear_error (&error);
  g_assert_false (cs_backend_contract_validate_request ("PATCH", "/api/v1/appointments/7", NULL,
                                                        backend_write_headers, empty_object,
                                                        &error));
  assert_message_contains (error, "expected at least 1 member(s), got 0");
  g_clear_error (&error);

  g_assert_true (cs_backend_contract_validate_request ("POST", "/api/v1/appointments/7/cancel",
                                                       NULL, backend_write_headers, cancel,
                                                       &error));
  g_assert_no_error (error);
  g_assert_false (cs_backend_contract_validate_request ("POST", "/api/v1/appointments/7/cancel",
                                                        NULL, backend_write_headers, empty_object,
                                                        &error));
  assert_message_contains (error, "reason: required property missing");
  g_clear_error (&error);

  audit = bytes_from_text ("{\"entries\": [{\"key\": \"0b8e2f4c-6a0e-4f8f-9d5e-3c2a1b0f9e8d\","
                           " \"appointment_id\": 1236, \"action\": \"create_in_calcom\","
                           " \"result\": \"ok\", \"note\": null, \"performed_at\":"
                           " \"2025-10-13T08:00:00Z\", \"performed_by\": 12},"
                           " {\"key\": \"not-a-uuid\", \"appointment_id\": null,"
                           " \"action\": \"dismiss\", \"result\": \"ok\", \"note\": \"dup\","
                           " \"performed_at\": \"2025-10-13T08:00:00Z\", \"performed_by\": 12}]}");
  g_assert_false (cs_backend_contract_validate_request ("POST", "/api/v1/audit-log", NULL,
                                                        backend_write_headers, audit, &error));
  assert_message_contains (error, "entries[1].key: expected a UUID");
  g_assert_null (strstr (error->message, "entries[0]"));
  g_clear_error (&error);

  /* Answers: shapes, listed error statuses, 422 with errors, 409 with data. */
  me = bytes_from_text ("{\"data\": {\"user\": {\"id\": 12, \"name\": \"Anna Schmidt\","
                        " \"role\": \"admin\"}, \"company\": {\"id\": 3, \"name\":"
                        " \"Salon Beispiel\", \"timezone\": \"Europe/Berlin\"}}}");
  g_assert_true (cs_backend_contract_validate_response ("GET", "/api/v1/me", 200, me, &error));
  g_assert_no_error (error);
  g_assert_true (cs_backend_contract_validate_response ("GET", "/api/v1/me", 401, laravel,
                                                        &error));
  g_assert_no_error (error);
  g_assert_true (cs_backend_contract_validate_response ("POST", "/api/v1/appointments", 409,
                                                        conflict, &error));
  g_assert_no_error (error);

  g_assert_false (cs_backend_contract_validate_response ("POST", "/api/v1/appointments", 422,
                                                         laravel, &error));
  assert_message_contains (error, "errors: required property missing");
  g_clear_error (&error);

  g_assert_false (cs_backend_contract_validate_response ("GET", "/api/v1/me", 418, laravel,
                                                         &error));
  g_assert_error (error, CS_CONTRACT_ERROR, CS_CONTRACT_ERROR_STATUS);
  g_clear_error (&error);

  g_assert_false (cs_backend_contract_validate_response ("POST", "/api/v1/audit-log", 200, me,
                                                         &error));
  g_assert_error (error, CS_CONTRACT_ERROR, CS_CONTRACT_ERROR_STATUS);
  g_clear_error (&error);

  g_assert_false (cs_backend_contract_validate_response ("DELETE", "/api/v1/appointments/7", 200,
                                                         NULL, &error));
  g_assert_error (error, CS_CONTRACT_ERROR, CS_CONTRACT_ERROR_OPERATION);
  assert_message_contains (error, "allowed: GET, PATCH");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD_FIXTURE_TEST(path, func) \
  g_test_add ("/calsync/contract/validator/" path, Fixture, NULL, fixture_set_up, func, \
              fixture_tear_down)

  ADD_FIXTURE_TEST ("list-request-valid", test_list_request_valid);
  ADD_FIXTURE_TEST ("misspelled-query-name", test_misspelled_query_name);
  ADD_FIXTURE_TEST ("missing-api-version", test_missing_api_version);
  ADD_FIXTURE_TEST ("wrong-sort-enum", test_wrong_sort_enum);
  ADD_FIXTURE_TEST ("spec-examples", test_spec_examples);
  ADD_FIXTURE_TEST ("booking-missing-uid", test_booking_missing_uid);
  ADD_FIXTURE_TEST ("wrong-type", test_wrong_type);
  ADD_FIXTURE_TEST ("error-envelope", test_error_envelope);
  ADD_FIXTURE_TEST ("operations", test_operations);

#undef ADD_FIXTURE_TEST

  g_test_add_func ("/calsync/contract/validator/schema-keywords", test_schema_keywords);
  g_test_add_func ("/calsync/contract/validator/load-rejects-unsupported",
                   test_load_rejects_unsupported);
  g_test_add_func ("/calsync/contract/validator/backend-idempotency-key",
                   test_backend_idempotency_key);
  g_test_add_func ("/calsync/contract/validator/backend-sync-status-limit",
                   test_backend_sync_status_limit);
  g_test_add_func ("/calsync/contract/validator/backend-unknown-query",
                   test_backend_unknown_query);
  g_test_add_func ("/calsync/contract/validator/backend-appointment", test_backend_appointment);
  g_test_add_func ("/calsync/contract/validator/backend-bodies-and-statuses",
                   test_backend_bodies_and_statuses);

  return g_test_run ();
}
