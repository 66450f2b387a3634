/* cs-calcom-json.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-calcom-json.h"
#include "cs-json-util.h"
#include "cs-net-error.h"

/*
 * Cal.com API v2 (cal-api-version 2024-08-13) answers, read strictly: a
 * booking that lacks a required field or carries an ill-typed or absurd one
 * is rejected on its own with a logged reason, the rest of the page is kept.
 * Reasons name the array index and the field, never a value: bookings carry
 * customers' names, e-mail addresses and phone numbers.
 */

/* Cal.com allows 50 metadata keys; leave room for a later, larger limit. */
#define MAX_METADATA_KEYS 256

/**
 * cs_calcom_me_free:
 * @me: (nullable): a /me answer
 */
void
cs_calcom_me_free (CsCalcomMe *me)
{
  if (me == NULL)
    return;

  g_free (me->username);
  g_free (me->email);
  g_free (me->time_zone);
  g_free (me);
}

/* The `error.message` of an error envelope: a string, or NestJS's list of
 * validation messages. */
/* The reasons of a validation error: Cal.com's ValidationPipe answers
 * `"message": "Bad Request Exception"` with class-validator's errors in
 * `details.errors`, each with `constraints` (property → reason) and
 * `children` for nested inputs (`attendee.email`). */
static void
collect_constraints (JsonArray *errors,
                     GString   *out,
                     guint      depth)
{
  for (guint i = 0; i < json_array_get_length (errors) && out->len < 1024; i++)
    {
      JsonNode *node = json_array_get_element (errors, i);
      JsonObject *item, *constraints = NULL;
      JsonArray *children = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      item = json_node_get_object (node);

      if (cs_json_get_object (item, "constraints", CS_JSON_OPTIONAL, &constraints, NULL) &&
          constraints != NULL)
        {
          g_autoptr(GList) members = json_object_get_members (constraints);

          for (GList *l = members; l != NULL; l = l->next)
            {
              const char *reason = NULL;

              if (!cs_json_get_string (constraints, l->data, CS_JSON_OPTIONAL, &reason, NULL) ||
                  reason == NULL)
                continue;
              if (out->len > 0)
                g_string_append (out, "; ");
              g_string_append (out, reason);
            }
        }

      if (depth < 4 &&
          cs_json_get_array (item, "children", CS_JSON_OPTIONAL, &children, NULL) &&
          children != NULL)
        collect_constraints (children, out, depth + 1);
    }
}

static char *
error_details_message (JsonObject *error_object)
{
  g_autoptr(GString) reasons = g_string_new (NULL);
  JsonObject *details = NULL;
  JsonArray *errors = NULL;

  if (!cs_json_get_object (error_object, "details", CS_JSON_OPTIONAL, &details, NULL) ||
      details == NULL ||
      !cs_json_get_array (details, "errors", CS_JSON_OPTIONAL, &errors, NULL) ||
      errors == NULL)
    return NULL;

  collect_constraints (errors, reasons, 0);
  if (reasons->len == 0)
    return NULL;

  return cs_json_clean_message (reasons->str);
}

static char *
error_envelope_message (JsonObject *root)
{
  JsonObject *error_object = NULL;
  JsonNode *message;
  const char *status = NULL;
  char *details;

  if (!cs_json_get_string (root, "status", CS_JSON_OPTIONAL, &status, NULL) ||
      (status != NULL && g_strcmp0 (status, "error") != 0) ||
      !cs_json_get_object (root, "error", CS_JSON_REQUIRED, &error_object, NULL))
    return NULL;

  /* The real reasons beat "Bad Request Exception". */
  details = error_details_message (error_object);
  if (details != NULL)
    return details;

  message = json_object_get_member (error_object, "message");
  if (message == NULL)
    return NULL;

  if (JSON_NODE_HOLDS_ARRAY (message))
    {
      JsonArray *array = json_node_get_array (message);
      g_autoptr(GString) joined = g_string_new (NULL);
      guint length = json_array_get_length (array);

      /* The first few are enough: the result is cut to 300 characters. */
      for (guint i = 0; i < length && i < 16; i++)
        {
          const char *part = NULL;

          if (!cs_json_node_get_string (json_array_get_element (array, i), "message", &part, NULL))
            return NULL;

          if (joined->len > 0)
            g_string_append (joined, "; ");
          g_string_append (joined, part);
        }

      return cs_json_clean_message (joined->str);
    }
  else
    {
      const char *text = NULL;

      if (!cs_json_node_get_string (message, "message", &text, NULL))
        return NULL;

      return cs_json_clean_message (text);
    }
}

/* Parses @body and checks the `{"status": "success", "data": …}` envelope. */
static JsonNode *
parse_envelope (GBytes      *body,
                JsonObject **root_object,
                GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  const char *status = NULL;

  root = cs_json_parse_bytes (body, error);
  if (root == NULL)
    return NULL;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                           "Cal.com's answer is not a JSON object");
      return NULL;
    }

  object = json_node_get_object (root);

  if (!cs_json_get_string (object, "status", CS_JSON_REQUIRED, &status, error))
    {
      g_prefix_error (error, "Cal.com's answer is not in the expected shape: ");
      return NULL;
    }

  if (g_strcmp0 (status, "success") != 0)
    {
      g_autofree char *message = error_envelope_message (object);

      if (message != NULL)
        g_set_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                     "Cal.com reported an error: %s", message);
      else
        g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                             "Cal.com reported an error without a message");
      return NULL;
    }

  *root_object = object;
  return g_steal_pointer (&root);
}

static gboolean
parse_status (const char      *text,
              CsBookingStatus *status)
{
  g_autofree char *lower = NULL;

  /* The 2024-08-13 outputs are lower case; the database's enum is upper
   * case, and one serializer slip must not reject every booking. */
  lower = g_ascii_strdown (text, -1);

  return cs_booking_status_from_string (lower, status);
}

static gboolean
parse_attendees (CsBooking  *booking,
                 JsonArray  *attendees,
                 GError    **error)
{
  guint length = json_array_get_length (attendees);

  for (guint i = 0; i < length; i++)
    {
      JsonNode *node = json_array_get_element (attendees, i);
      JsonObject *object;
      const char *name = NULL;
      const char *email = NULL;
      const char *phone = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                       "“attendees[%u]” is not an object", i);
          return FALSE;
        }

      object = json_node_get_object (node);

      if (!cs_json_get_string (object, "name", CS_JSON_OPTIONAL, &name, error) ||
          !cs_json_get_string (object, "email", CS_JSON_OPTIONAL, &email, error) ||
          !cs_json_get_string (object, "phoneNumber", CS_JSON_OPTIONAL, &phone, error))
        {
          g_prefix_error (error, "attendees[%u]: ", i);
          return FALSE;
        }

      cs_booking_add_attendee (booking, name, email, phone);
    }

  return TRUE;
}

/* Numbers as people write them: 1236 as "1236", not "1236.0". */
static char *
format_number (JsonNode  *node,
               GError   **error)
{
  double d;
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));

  d = json_node_get_double (node);

  if (!(d >= -G_MAXDOUBLE && d <= G_MAXDOUBLE))
    {
      g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                           "“metadata” holds a number out of range");
      return NULL;
    }

  if (d >= -9007199254740992.0 && d <= 9007199254740992.0 && (double) (gint64) d == d)
    return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) d);

  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.15g", d));
}

static gboolean
parse_metadata (CsBooking   *booking,
                JsonObject  *metadata,
                GError     **error)
{
  JsonObjectIter iter;
  const char *key;
  JsonNode *node;

  if (json_object_get_size (metadata) > MAX_METADATA_KEYS)
    {
      g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                           "“metadata” has too many keys");
      return FALSE;
    }

  json_object_iter_init_ordered (&iter, metadata);
  while (json_object_iter_next_ordered (&iter, &key, &node))
    {
      g_autofree char *value = NULL;

      /* Keys are not quoted in reasons: they are the server's text. */
      if (!cs_json_check_text (key, "metadata", error))
        return FALSE;

      if (JSON_NODE_HOLDS_NULL (node))
        continue;

      if (!JSON_NODE_HOLDS_VALUE (node))
        {
          g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                               "“metadata” holds a value that is not a string, number or boolean");
          return FALSE;
        }

      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          {
            const char *text = NULL;

            if (!cs_json_node_get_string (node, "metadata", &text, error))
              return FALSE;
            value = g_strdup (text);
          }
          break;

        case G_TYPE_INT64:
        case G_TYPE_DOUBLE:
          value = format_number (node, error);
          if (value == NULL)
            return FALSE;
          break;

        case G_TYPE_BOOLEAN:
          value = g_strdup (json_node_get_boolean (node) ? "true" : "false");
          break;

        default:
          g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                               "“metadata” holds a value that is not a string, number or boolean");
          return FALSE;
        }

      cs_booking_set_metadata (booking, key, value);
    }

  return TRUE;
}

static gboolean looks_seated (JsonObject *object);

static CsBooking *
parse_booking (JsonObject  *object,
               GError     **error)
{
  g_autoptr(CsBooking) booking = NULL;
  const char *uid = NULL;
  const char *status_text = NULL;
  const char *title = NULL;
  const char *rescheduled_to = NULL;
  const char *rescheduled_from = NULL;
  const char *recurring = NULL;
  JsonArray *attendees = NULL;
  JsonObject *metadata = NULL;
  JsonObject *event_type = NULL;
  gint64 id = 0;
  gint64 event_type_id = 0;
  CsTime start = CS_TIME_UNSET;
  CsTime end = CS_TIME_UNSET;
  CsTime updated_at = CS_TIME_UNSET;
  CsBookingStatus status;

  if (!cs_json_get_string (object, "uid", CS_JSON_REQUIRED | CS_JSON_NON_EMPTY, &uid, error) ||
      !cs_json_get_int (object, "id", CS_JSON_REQUIRED, 1, G_MAXINT64, &id, error) ||
      !cs_json_get_time (object, "start", CS_JSON_REQUIRED, &start, error) ||
      !cs_json_get_time (object, "end", CS_JSON_REQUIRED, &end, error) ||
      !cs_json_get_string (object, "status", CS_JSON_REQUIRED, &status_text, error) ||
      !cs_json_get_string (object, "title", CS_JSON_OPTIONAL, &title, error) ||
      !cs_json_get_int (object, "eventTypeId", CS_JSON_OPTIONAL, 1, G_MAXINT64,
                        &event_type_id, error) ||
      !cs_json_get_object (object, "eventType", CS_JSON_OPTIONAL, &event_type, error) ||
      !cs_json_get_time (object, "updatedAt", CS_JSON_OPTIONAL, &updated_at, error) ||
      !cs_json_get_array (object, "attendees", CS_JSON_OPTIONAL, &attendees, error) ||
      !cs_json_get_object (object, "metadata", CS_JSON_OPTIONAL, &metadata, error) ||
      !cs_json_get_string (object, "rescheduledToUid", CS_JSON_OPTIONAL, &rescheduled_to,
                           error) ||
      !cs_json_get_string (object, "rescheduledFromUid", CS_JSON_OPTIONAL, &rescheduled_from,
                           error) ||
      !cs_json_get_string (object, "recurringBookingUid", CS_JSON_OPTIONAL, &recurring, error))
    return NULL;

  if (end < start)
    {
      g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                           "“end” is before “start”");
      return NULL;
    }

  if (!parse_status (status_text, &status))
    {
      g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                           "“status” is unknown");
      return NULL;
    }

  /* `eventTypeId` is deprecated in favour of `eventType.id`. */
  if (event_type != NULL)
    {
      gint64 nested_id = 0;

      if (!cs_json_get_int (event_type, "id", CS_JSON_OPTIONAL, 1, G_MAXINT64, &nested_id, error))
        {
          g_prefix_error (error, "eventType: ");
          return NULL;
        }

      if (event_type_id == 0)
        event_type_id = nested_id;
    }

  booking = cs_booking_new (uid);
  booking->id = id;
  booking->start = start;
  booking->end = end;
  booking->status = status;
  booking->title = g_strdup (title);
  booking->event_type_id = event_type_id;
  booking->updated_at = updated_at;
  /* Empty strings are as good as absent. */
  booking->rescheduled_to_uid = rescheduled_to != NULL && rescheduled_to[0] != '\0'
                                ? g_strdup (rescheduled_to) : NULL;
  booking->rescheduled_from_uid = rescheduled_from != NULL && rescheduled_from[0] != '\0'
                                  ? g_strdup (rescheduled_from) : NULL;
  booking->recurring_booking_uid = recurring != NULL && recurring[0] != '\0'
                                   ? g_strdup (recurring) : NULL;
  booking->seated = looks_seated (object);

  if (attendees != NULL && !parse_attendees (booking, attendees, error))
    return NULL;

  if (metadata != NULL && !parse_metadata (booking, metadata, error))
    return NULL;

  return g_steal_pointer (&booking);
}

/* Seated bookings carry `seatUid` on themselves (create) or on their
 * attendees (get). */
static gboolean
looks_seated (JsonObject *object)
{
  JsonArray *attendees = NULL;

  if (json_object_has_member (object, "seatUid"))
    return TRUE;

  if (!cs_json_get_array (object, "attendees", CS_JSON_OPTIONAL, &attendees, NULL) ||
      attendees == NULL)
    return FALSE;

  for (guint i = 0; i < json_array_get_length (attendees); i++)
    {
      JsonNode *node = json_array_get_element (attendees, i);

      if (JSON_NODE_HOLDS_OBJECT (node) &&
          json_object_has_member (json_node_get_object (node), "seatUid"))
        return TRUE;
    }

  return FALSE;
}

static const char *
booking_kind (JsonObject *object)
{
  if (looks_seated (object))
    return "seated booking";

  if (json_object_has_member (object, "recurringBookingUid"))
    return "recurring booking";

  return "booking";
}

/* The uid of a list element, if it has a readable one, even when the
 * booking itself is refused: it names the booking in logs and to the pager. */
static char *
element_uid (JsonNode *node)
{
  const char *uid = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node) ||
      !cs_json_get_string (json_node_get_object (node), "uid", CS_JSON_REQUIRED | CS_JSON_NON_EMPTY,
                           &uid, NULL))
    return NULL;

  return g_strdup (uid);
}

static gboolean
parse_pagination (JsonObject    *root,
                  CsCalcomPage  *page,
                  GError       **error)
{
  JsonObject *pagination = NULL;
  gboolean has_previous_page = FALSE;

  if (!cs_json_get_object (root, "pagination", CS_JSON_REQUIRED, &pagination, error))
    return FALSE;

  if (!cs_json_get_uint (pagination, "totalItems", CS_JSON_REQUIRED, &page->total_items, error) ||
      !cs_json_get_uint (pagination, "remainingItems", CS_JSON_REQUIRED,
                         &page->remaining_items, error) ||
      !cs_json_get_uint (pagination, "returnedItems", CS_JSON_REQUIRED,
                         &page->returned_items, error) ||
      !cs_json_get_uint (pagination, "itemsPerPage", CS_JSON_REQUIRED,
                         &page->items_per_page, error) ||
      !cs_json_get_uint (pagination, "currentPage", CS_JSON_REQUIRED,
                         &page->current_page, error) ||
      !cs_json_get_uint (pagination, "totalPages", CS_JSON_REQUIRED, &page->total_pages, error) ||
      !cs_json_get_boolean (pagination, "hasNextPage", CS_JSON_REQUIRED,
                            &page->has_next_page, error) ||
      !cs_json_get_boolean (pagination, "hasPreviousPage", CS_JSON_REQUIRED,
                            &has_previous_page, error))
    {
      g_prefix_error (error, "pagination: ");
      return FALSE;
    }

  return TRUE;
}

/**
 * cs_calcom_parse_bookings_page:
 * @body: the body of a `GET /v2/bookings` answer
 * @page: (out caller-allocates) (optional): the page's `pagination`
 * @n_rejected: (out) (optional): how many bookings were rejected
 * @keys: (out caller-allocates) (optional): the uids of the first and last
 *   booking and of the rejected ones (where the uid could be read); clear
 *   with cs_json_page_keys_clear()
 * @error: return location for a #CS_NET_ERROR
 *
 * Reads a GetBookingsOutput_2024_08_13. A booking (a plain one, an
 * occurrence of a recurring series, or a seated one) must have a non-empty
 * `uid`, an integer `id`, valid `start` and `end` with an offset and the
 * end not before the start, and a known `status`; the optional fields it
 * has must be well typed. A booking that fails is left out, counted in
 * @n_rejected and logged by its uid (or index) and the field, never a
 * value.
 *
 * Returns: (transfer full) (element-type CsBooking) (nullable): the
 *   bookings, or %NULL with %CS_NET_ERROR_INVALID_RESPONSE if the body is
 *   not JSON, is truncated, has another envelope, or reports an error
 */
GPtrArray *
cs_calcom_parse_bookings_page (GBytes          *body,
                               CsCalcomPage    *page,
                               guint           *n_rejected,
                               CsJsonPageKeys  *keys,
                               GError         **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) bookings = NULL;
  JsonObject *object = NULL;
  JsonArray *data = NULL;
  CsCalcomPage local_page = { 0 };
  guint rejected = 0;
  guint length;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (page != NULL)
    *page = (CsCalcomPage) { 0 };
  if (n_rejected != NULL)
    *n_rejected = 0;
  if (keys != NULL)
    *keys = (CsJsonPageKeys) { NULL };

  root = parse_envelope (body, &object, error);
  if (root == NULL)
    return NULL;

  if (!cs_json_get_array (object, "data", CS_JSON_REQUIRED, &data, error) ||
      !parse_pagination (object, &local_page, error))
    {
      g_prefix_error (error, "Cal.com's booking list is not in the expected shape: ");
      return NULL;
    }

  length = json_array_get_length (data);
  bookings = g_ptr_array_new_full (length, (GDestroyNotify) cs_booking_free);

  for (guint i = 0; i < length; i++)
    {
      JsonNode *node = json_array_get_element (data, i);
      g_autoptr(GError) local_error = NULL;
      CsBooking *booking = NULL;

      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonObject *element = json_node_get_object (node);

          booking = parse_booking (element, &local_error);
          if (booking == NULL)
            g_prefix_error (&local_error, "%s: ", booking_kind (element));
        }
      else
        g_set_error_literal (&local_error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                             "the element is not an object");

      if (booking == NULL)
        {
          g_autofree char *uid = element_uid (node);

          /* Said where it can be seen: the booking's appointment is left
           * undecided rather than orphaned, and someone may ask why. */
          rejected++;
          if (uid != NULL)
            g_message ("Refused Cal.com booking %s (index %u): %s", uid, i,
                       local_error->message);
          else
            g_message ("Refused the Cal.com booking at index %u: %s", i, local_error->message);

          if (keys != NULL && uid != NULL)
            {
              if (keys->refused == NULL)
                keys->refused = g_ptr_array_new_with_free_func (g_free);
              g_ptr_array_add (keys->refused, g_steal_pointer (&uid));
            }
          continue;
        }

      g_ptr_array_add (bookings, booking);
    }

  if (keys != NULL && length > 0)
    {
      keys->first = element_uid (json_array_get_element (data, 0));
      keys->last = element_uid (json_array_get_element (data, length - 1));
    }

  if (page != NULL)
    *page = local_page;
  if (n_rejected != NULL)
    *n_rejected = rejected;

  return g_steal_pointer (&bookings);
}

/**
 * cs_calcom_parse_booking_response:
 * @body: the body of a get, create or cancel answer
 * @error: return location for a #CS_NET_ERROR
 *
 * Reads the booking in `data` with the rules of
 * cs_calcom_parse_bookings_page(). Cal.com answers a get or cancel of a
 * recurring series (and a create on a recurring event type) with an array
 * of its occurrences: the occurrence whose uid is @uid is the answer, else
 * the first one (a series uid), each occurrence read like a booking. A
 * seated booking without the single-booking fields gives
 * %CS_NET_ERROR_UNSUPPORTED; an invalid booking or an empty series gives
 * %CS_NET_ERROR_INVALID_RESPONSE with the reason.
 *
 * Returns: (transfer full) (nullable): the booking, or %NULL
 */
CsBooking *
cs_calcom_parse_booking_response (GBytes      *body,
                                  const char  *uid,
                                  GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *object = NULL;
  JsonObject *data;
  JsonNode *node;
  CsBooking *booking;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = parse_envelope (body, &object, error);
  if (root == NULL)
    return NULL;

  node = json_object_get_member (object, "data");

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *occurrences = json_node_get_array (node);
      JsonObject *chosen = NULL;

      for (guint i = 0; i < json_array_get_length (occurrences); i++)
        {
          JsonNode *element = json_array_get_element (occurrences, i);
          const char *element_uid = NULL;

          if (!JSON_NODE_HOLDS_OBJECT (element))
            continue;
          if (chosen == NULL)
            chosen = json_node_get_object (element);
          if (uid != NULL &&
              cs_json_get_string (json_node_get_object (element), "uid", CS_JSON_OPTIONAL,
                                  &element_uid, NULL) &&
              g_strcmp0 (element_uid, uid) == 0)
            {
              chosen = json_node_get_object (element);
              break;
            }
        }

      if (chosen == NULL)
        {
          g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                               "Cal.com answered with a recurring series without occurrences");
          return NULL;
        }

      booking = parse_booking (chosen, &local_error);
      if (booking == NULL)
        g_set_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                     "Cal.com's recurring booking is invalid: %s", local_error->message);
      return booking;
    }

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                           node == NULL ? "Cal.com's answer has no “data”"
                                        : "Cal.com's “data” is not a booking");
      return NULL;
    }

  data = json_node_get_object (node);
  booking = parse_booking (data, &local_error);
  if (booking != NULL)
    return booking;

  if (looks_seated (data))
    g_set_error (error, CS_NET_ERROR, CS_NET_ERROR_UNSUPPORTED,
                 "Cal.com answered with a seated booking that lacks a single booking's fields "
                 "(%s); Calsync handles single bookings only", local_error->message);
  else
    g_set_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                 "Cal.com's booking is invalid: %s", local_error->message);

  return NULL;
}

/**
 * cs_calcom_parse_me:
 * @body: the body of a `GET /v2/me` answer
 * @error: return location for a #CS_NET_ERROR
 *
 * Requires `id`, `email` and `timeZone`; `username` and `organizationId`
 * may be missing or null.
 *
 * Returns: (transfer full) (nullable): the user, or %NULL with
 *   %CS_NET_ERROR_INVALID_RESPONSE
 */
CsCalcomMe *
cs_calcom_parse_me (GBytes  *body,
                    GError **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(CsCalcomMe) me = NULL;
  JsonObject *object = NULL;
  JsonObject *data = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = parse_envelope (body, &object, error);
  if (root == NULL)
    return NULL;

  me = g_new0 (CsCalcomMe, 1);

  if (!cs_json_get_object (object, "data", CS_JSON_REQUIRED, &data, error) ||
      !cs_json_get_int (data, "id", CS_JSON_REQUIRED, 1, G_MAXINT64, &me->id, error) ||
      !cs_json_dup_string (data, "username", CS_JSON_OPTIONAL, &me->username, error) ||
      !cs_json_dup_string (data, "email", CS_JSON_REQUIRED | CS_JSON_NON_EMPTY,
                           &me->email, error) ||
      !cs_json_dup_string (data, "timeZone", CS_JSON_REQUIRED | CS_JSON_NON_EMPTY,
                           &me->time_zone, error) ||
      !cs_json_get_int (data, "organizationId", CS_JSON_OPTIONAL, 0, G_MAXINT64,
                        &me->organization_id, error))
    {
      g_prefix_error (error, "Cal.com's /me answer is invalid: ");
      return NULL;
    }

  return g_steal_pointer (&me);
}

/**
 * cs_calcom_event_type_free:
 * @event_type: (nullable): an event type
 */
void
cs_calcom_event_type_free (CsCalcomEventType *event_type)
{
  if (event_type == NULL)
    return;

  g_clear_pointer (&event_type->length_options, g_array_unref);
  g_free (event_type);
}

/**
 * cs_calcom_event_type_has_length:
 * @event_type: an event type
 * @minutes: a length
 *
 * Returns: %TRUE if a booking may ask for @minutes: the event type has
 *   several lengths and @minutes is one of them
 */
gboolean
cs_calcom_event_type_has_length (const CsCalcomEventType *event_type,
                                 guint                    minutes)
{
  g_return_val_if_fail (event_type != NULL, FALSE);

  for (guint i = 0; i < event_type->length_options->len; i++)
    if (g_array_index (event_type->length_options, guint, i) == minutes)
      return TRUE;

  return FALSE;
}

/**
 * cs_calcom_parse_event_type:
 * @body: the body of a `GET /v2/event-types/{id}` answer
 * @error: return location for a #CS_NET_ERROR
 *
 * Requires `id` and `lengthInMinutes`; `lengthInMinutesOptions` and
 * `bookingFields` may be missing. Only the `email` field's `required` is
 * read of the booking fields.
 *
 * Returns: (transfer full) (nullable): the event type, or %NULL with
 *   %CS_NET_ERROR_INVALID_RESPONSE
 */
CsCalcomEventType *
cs_calcom_parse_event_type (GBytes  *body,
                            GError **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(CsCalcomEventType) event_type = NULL;
  JsonObject *object = NULL;
  JsonObject *data = NULL;
  JsonArray *options = NULL;
  JsonArray *fields = NULL;
  gint64 length = 0;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = parse_envelope (body, &object, error);
  if (root == NULL)
    return NULL;

  event_type = g_new0 (CsCalcomEventType, 1);
  event_type->length_options = g_array_new (FALSE, FALSE, sizeof (guint));
  event_type->email_required = TRUE;

  if (!cs_json_get_object (object, "data", CS_JSON_REQUIRED, &data, error) ||
      !cs_json_get_int (data, "id", CS_JSON_REQUIRED, 1, G_MAXINT64, &event_type->id, error) ||
      !cs_json_get_int (data, "lengthInMinutes", CS_JSON_REQUIRED, 1, 7 * 24 * 60, &length,
                        error) ||
      !cs_json_get_array (data, "lengthInMinutesOptions", CS_JSON_OPTIONAL, &options, error) ||
      !cs_json_get_array (data, "bookingFields", CS_JSON_OPTIONAL, &fields, error))
    {
      g_prefix_error (error, "Cal.com's event type is invalid: ");
      return NULL;
    }
  event_type->length_minutes = (guint) length;

  for (guint i = 0; options != NULL && i < json_array_get_length (options); i++)
    {
      JsonNode *node = json_array_get_element (options, i);
      gint64 minutes;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
          (minutes = json_node_get_int (node)) < 1 || minutes > 7 * 24 * 60)
        {
          g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                               "Cal.com's event type is invalid: “lengthInMinutesOptions” "
                               "holds something other than lengths");
          return NULL;
        }
      g_array_append_vals (event_type->length_options, &(guint) { (guint) minutes }, 1);
    }

  for (guint i = 0; fields != NULL && i < json_array_get_length (fields); i++)
    {
      JsonNode *node = json_array_get_element (fields, i);
      const char *slug = NULL;
      gboolean required = TRUE;

      if (!JSON_NODE_HOLDS_OBJECT (node) ||
          !cs_json_get_string (json_node_get_object (node), "slug", CS_JSON_OPTIONAL, &slug,
                               NULL) ||
          g_strcmp0 (slug, "email") != 0)
        continue;

      if (cs_json_get_boolean (json_node_get_object (node), "required", CS_JSON_OPTIONAL,
                               &required, NULL))
        event_type->email_required = required;
    }

  return g_steal_pointer (&event_type);
}

/**
 * cs_calcom_parse_error_message:
 * @body: (nullable): the body of a failed request
 *
 * Reads Cal.com's error envelope,
 * `{"status": "error", "error": {"code": …, "message": …}}`.
 *
 * Returns: (transfer full) (nullable): `error.message`, cleaned and cut to
 *   %CS_JSON_MAX_MESSAGE_CHARS characters, or %NULL if @body is not an
 *   error envelope
 */
char *
cs_calcom_parse_error_message (GBytes *body)
{
  g_autoptr(JsonNode) root = NULL;

  root = cs_json_parse_bytes (body, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  return error_envelope_message (json_node_get_object (root));
}

/**
 * cs_calcom_build_create_booking:
 * @request: what to book
 *
 * Builds a CreateBookingInput_2024_08_13: `start` in UTC, `eventTypeId`,
 * `lengthInMinutes` only when @request asks for one (Cal.com refuses it for
 * an event type without several lengths), `attendee` (`name`, `email` and `phoneNumber` if given, `timeZone`), and
 * the `metadata` that links the booking to the CRM appointment, as strings.
 *
 * Returns: (transfer full): the compact JSON body
 */
GBytes *
cs_calcom_build_create_booking (const CsCalcomCreateRequest *request)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *appointment_id = NULL;
  g_autofree char *company_id = NULL;

  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (request->event_type_id > 0, NULL);
  g_return_val_if_fail (request->start != CS_TIME_UNSET, NULL);
  g_return_val_if_fail (request->attendee_name != NULL, NULL);
  g_return_val_if_fail (request->crm_appointment_id > 0, NULL);
  g_return_val_if_fail (request->crm_company_id > 0, NULL);

  appointment_id = g_strdup_printf ("%" G_GINT64_FORMAT, request->crm_appointment_id);
  company_id = g_strdup_printf ("%" G_GINT64_FORMAT, request->crm_company_id);

  builder = json_builder_new ();
  json_builder_begin_object (builder);

  cs_json_builder_add_time (builder, "start", request->start);

  json_builder_set_member_name (builder, "eventTypeId");
  json_builder_add_int_value (builder, request->event_type_id);

  if (request->length_minutes > 0)
    {
      json_builder_set_member_name (builder, "lengthInMinutes");
      json_builder_add_int_value (builder, request->length_minutes);
    }

  json_builder_set_member_name (builder, "attendee");
  json_builder_begin_object (builder);
  cs_json_builder_add_string (builder, "name", request->attendee_name);
  if (request->attendee_email != NULL && request->attendee_email[0] != '\0')
    cs_json_builder_add_string (builder, "email", request->attendee_email);
  cs_json_builder_add_string (builder, "timeZone",
                              request->time_zone != NULL && request->time_zone[0] != '\0'
                              ? request->time_zone : CS_CALCOM_DEFAULT_TIME_ZONE);
  if (request->attendee_phone != NULL && request->attendee_phone[0] != '\0')
    cs_json_builder_add_string (builder, "phoneNumber", request->attendee_phone);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "metadata");
  json_builder_begin_object (builder);
  cs_json_builder_add_string (builder, CS_METADATA_CRM_APPOINTMENT_ID, appointment_id);
  cs_json_builder_add_string (builder, CS_METADATA_CRM_COMPANY_ID, company_id);
  json_builder_end_object (builder);

  json_builder_end_object (builder);

  return cs_json_builder_to_bytes (builder);
}

/**
 * cs_calcom_build_cancel:
 * @reason: (nullable): why the booking is cancelled
 *
 * Builds a CancelBookingInput_2024_08_13. Cal.com refuses a host's cancel
 * without a reason, so there always is one.
 *
 * Returns: (transfer full): `{"cancellationReason": …}`, with
 *   %CS_CALCOM_DEFAULT_CANCEL_REASON when @reason is %NULL or empty
 */
GBytes *
cs_calcom_build_cancel (const char *reason)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  cs_json_builder_add_string (builder, "cancellationReason",
                              reason != NULL && reason[0] != '\0'
                              ? reason : CS_CALCOM_DEFAULT_CANCEL_REASON);
  json_builder_end_object (builder);

  return cs_json_builder_to_bytes (builder);
}

/**
 * cs_calcom_build_reschedule:
 * @start: the new start
 * @reason: (nullable): why
 *
 * Builds a RescheduleBookingInput_2024_08_13.
 *
 * Returns: (transfer full): `{"start": …, "reschedulingReason": …}`, with
 *   %CS_CALCOM_DEFAULT_RESCHEDULE_REASON when @reason is %NULL or empty
 */
GBytes *
cs_calcom_build_reschedule (CsTime      start,
                            const char *reason)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (start != CS_TIME_UNSET, NULL);

  json_builder_begin_object (builder);
  cs_json_builder_add_time (builder, "start", start);
  cs_json_builder_add_string (builder, "reschedulingReason",
                              reason != NULL && reason[0] != '\0'
                              ? reason : CS_CALCOM_DEFAULT_RESCHEDULE_REASON);
  json_builder_end_object (builder);

  return cs_json_builder_to_bytes (builder);
}
