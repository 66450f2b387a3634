/* cs-sim-calcom.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-sim-server-private.h"

/* The Cal.com API v2 side of CsSimServer (cal-api-version 2024-08-13, as
 * in shared/calcom/openapi-bookings.json and NOTES.md): the bookings list
 * with its filters and offset paging, one booking (or a recurring series),
 * create, cancel, reschedule, one event type (2024-06-14) and /me; the
 * error envelopes; the rate limit. The write paths check what Cal.com's
 * source checks, with its messages (docs/simulator.md lists each rule and
 * its test). Where real Cal.com is lenient in a way that hides client bugs
 * (a missing version header), the simulator is strict and says so in the
 * error. Unknown query parameters are ignored, as Cal.com does: tests check
 * the recorded requests instead. */

#define API_VERSION   "2024-08-13"
#define EVENT_TYPES_API_VERSION "2024-06-14"
#define DEFAULT_TAKE  100
#define MAX_TAKE      250
#define USER_ID       1001
#define USER_NAME     "Anna Schmidt"
#define USER_EMAIL    "anna.schmidt@salon-beispiel.example.test"
#define USER_USERNAME "salon-beispiel"
#define TIME_ZONE     "Europe/Berlin"
#define LOCATION      "Salon Beispiel, Musterstraße 1, 10115 Berlin"

/* Status filter words (not booking statuses). */
enum
{
  FILTER_UPCOMING    = 1 << 0,
  FILTER_RECURRING   = 1 << 1,
  FILTER_PAST        = 1 << 2,
  FILTER_CANCELLED   = 1 << 3,
  FILTER_UNCONFIRMED = 1 << 4,
};

typedef enum
{
  SORT_START,
  SORT_END,
  SORT_CREATED,
  SORT_UPDATED,
} SortKey;

typedef struct
{
  guint       status_mask;   /* 0: no status filter */
  CsTime      after_start;
  CsTime      before_end;
  CsTime      after_updated;
  CsTime      before_updated;
  CsTime      after_created;
  CsTime      before_created;
  const char *attendee_email;
  const char *attendee_name;
  const char *booking_uid;
  GArray     *event_type_ids;  /* gint64, nullable */
  SortKey     sort_key;
  gboolean    descending;
  gint64      take;
  gint64      skip;
  CsTime      now;
} ListQuery;

/* Routing */

void
_cs_sim_calcom_route (CsSimCall *request)
{
  static const struct { const char *suffix; CsSimEndpoint endpoint; } actions[] = {
    { "/cancel", CS_SIM_ENDPOINT_CALCOM_CANCEL },
    { "/reschedule", CS_SIM_ENDPOINT_CALCOM_RESCHEDULE },
  };
  g_autofree char *path = g_strdup (request->path);
  gsize length = strlen (path);
  const char *method = request->method;
  const char *rest;

  /* Express routes ignore one trailing slash. */
  if (length > 1 && path[length - 1] == '/')
    path[length - 1] = '\0';

  request->endpoint = CS_SIM_ENDPOINT_UNKNOWN;

  if (g_str_equal (path, "/v2/me"))
    {
      if (g_str_equal (method, "GET"))
        request->endpoint = CS_SIM_ENDPOINT_CALCOM_ME;
      return;
    }

  if (g_str_equal (path, "/v2/bookings"))
    {
      if (g_str_equal (method, "GET"))
        request->endpoint = CS_SIM_ENDPOINT_CALCOM_LIST;
      else if (g_str_equal (method, "POST"))
        request->endpoint = CS_SIM_ENDPOINT_CALCOM_CREATE;
      return;
    }

  if (g_str_has_prefix (path, "/v2/event-types/"))
    {
      rest = path + strlen ("/v2/event-types/");
      if (rest[0] != '\0' && strchr (rest, '/') == NULL && g_str_equal (method, "GET"))
        {
          request->endpoint = CS_SIM_ENDPOINT_CALCOM_EVENT_TYPE;
          request->arg = g_strdup (rest);
        }
      return;
    }

  if (!g_str_has_prefix (path, "/v2/bookings/"))
    return;

  rest = path + strlen ("/v2/bookings/");
  if (rest[0] == '\0')
    return;

  if (strchr (rest, '/') == NULL)
    {
      if (g_str_equal (method, "GET"))
        {
          request->endpoint = CS_SIM_ENDPOINT_CALCOM_GET;
          request->arg = g_strdup (rest);
        }
      return;
    }

  if (!g_str_equal (method, "POST"))
    return;

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    {
      g_autofree char *uid = NULL;

      if (!g_str_has_suffix (rest, actions[i].suffix))
        continue;

      uid = g_strndup (rest, strlen (rest) - strlen (actions[i].suffix));
      if (uid[0] != '\0' && strchr (uid, '/') == NULL)
        {
          request->endpoint = actions[i].endpoint;
          request->arg = g_steal_pointer (&uid);
        }
      return;
    }
}

/* Errors */

static const char *
exception_name (guint status)
{
  switch (status)
    {
    case 400:
      return "BadRequestException";
    case 401:
      return "UnauthorizedException";
    case 403:
      return "ForbiddenException";
    case 404:
      return "NotFoundException";
    case 409:
      return "ConflictException";
    case 429:
      return "ThrottlerException";
    case 500:
      return "InternalServerErrorException";
    case 502:
      return "BadGatewayException";
    case 503:
      return "ServiceUnavailableException";
    case 504:
      return "GatewayTimeoutException";
    default:
      return "HttpException";
    }
}

/* Cal.com's error envelope as its exception filters write it:
 * `{"status":"error","timestamp":…,"path":…,"error":{"code":…,"message":…,
 * "details":…}}`; @details NULL leaves `details` out (the ZodExceptionFilter
 * writes none). */
static void
reply_envelope (CsSimServer *self,
                CsSimCall   *request,
                CsSimReply  *reply,
                guint        status,
                const char  *code,
                const char  *message,
                JsonObject  *details)
{
  JsonObject *root = json_object_new ();
  JsonObject *error = json_object_new ();
  g_autofree char *path = NULL;

  if (request->raw_query != NULL)
    path = g_strdup_printf ("%s?%s", request->path, request->raw_query);
  else
    path = g_strdup (request->path);

  json_object_set_string_member (error, "code", code);
  json_object_set_string_member (error, "message", message);
  if (details != NULL)
    json_object_set_object_member (error, "details", details);

  json_object_set_string_member (root, "status", "error");
  _cs_sim_set_utc_time (root, "timestamp", cs_clock_get_now (self->clock));
  json_object_set_string_member (root, "path", path);
  json_object_set_object_member (root, "error", error);

  _cs_sim_reply_take_object (reply, status, root);
}

/**
 * _cs_sim_calcom_error:
 * @message: (nullable): the message, or %NULL for the status's phrase
 *
 * A thrown NestJS HttpException (`new BadRequestException("…")`) as
 * Cal.com's HttpExceptionFilter writes it: the message is the reason, the
 * details are NestJS's `{message, error, statusCode}`.
 */
void
_cs_sim_calcom_error (CsSimServer *self,
                      CsSimCall   *request,
                      CsSimReply  *reply,
                      guint        status,
                      const char  *message)
{
  JsonObject *details = json_object_new ();
  const char *phrase = soup_status_get_phrase (status);

  if (phrase == NULL)
    phrase = "Error";
  if (message == NULL)
    message = status == 429 ? "ThrottlerException: Too Many Requests" : phrase;

  json_object_set_string_member (details, "message", message);
  json_object_set_string_member (details, "error", phrase);
  json_object_set_int_member (details, "statusCode", status);

  reply_envelope (self, request, reply, status, exception_name (status), message, details);
}

/* Cal.com's ValidationPipe (apps/api/v2/src/app.ts) throws
 * `new BadRequestException({ errors })` with class-validator's errors
 * (target and value included): NestJS names an exception made from an
 * object "Bad Request Exception", and the HttpExceptionFilter puts the
 * object, `{"errors":[…]}`, in the details. The reasons are only there. */
static void
reply_validation_errors (CsSimServer *self,
                         CsSimCall   *request,
                         CsSimReply  *reply,
                         JsonArray   *errors)
{
  JsonObject *details = json_object_new ();

  json_object_set_array_member (details, "errors", errors);
  reply_envelope (self, request, reply, SOUP_STATUS_BAD_REQUEST, "BadRequestException",
                  "Bad Request Exception", details);
}

/* One class-validator ValidationError: the object validated, the value of
 * the property (left out when undefined), no children, one constraint. */
static JsonObject *
validation_error (JsonObject *target,
                  const char *property,
                  const char *constraint,
                  const char *message)
{
  JsonObject *error = json_object_new ();
  JsonObject *constraints = json_object_new ();
  JsonNode *value = target != NULL ? json_object_get_member (target, property) : NULL;

  json_object_set_object_member (error, "target",
                                 target != NULL ? json_object_ref (target) : json_object_new ());
  if (value != NULL)
    json_object_set_member (error, "value", json_node_copy (value));
  json_object_set_string_member (error, "property", property);
  json_object_set_array_member (error, "children", json_array_new ());
  json_object_set_string_member (constraints, constraint, message);
  json_object_set_object_member (error, "constraints", constraints);

  return error;
}

/* Cal.com's limit per API key: a window opens with the first request and
 * every answer tells what is left of it. The request that goes over blocks
 * the key for a window's length counted from that request (the throttler's
 * block duration): everything in the block is refused, whatever the window,
 * and without Retry-After unless the knob asks for it. */
static gboolean
check_rate_limit (CsSimServer *self,
                  CsSimReply  *reply)
{
  const CsSimRateLimit *limit = &self->rate_limit;
  CsTime now = cs_clock_get_now (self->clock);
  gint64 window = (gint64) limit->window_seconds * CS_USEC_PER_SECOND;
  g_autofree char *limit_text = NULL;
  g_autofree char *remaining_text = NULL;
  g_autofree char *reset_text = NULL;
  gboolean blocked;
  CsTime reset_at;

  if (!limit->enabled)
    return TRUE;

  if (self->rate_blocked_until != CS_TIME_UNSET && now >= self->rate_blocked_until)
    {
      self->rate_blocked_until = CS_TIME_UNSET;
      self->rate_window_start = CS_TIME_UNSET;
    }

  blocked = self->rate_blocked_until != CS_TIME_UNSET;
  if (!blocked)
    {
      if (self->rate_window_start == CS_TIME_UNSET || now < self->rate_window_start ||
          now >= self->rate_window_start + window)
        {
          self->rate_window_start = now;
          self->rate_count = 0;
        }

      if (self->rate_count < G_MAXUINT)
        self->rate_count++;

      if (self->rate_count > limit->limit)
        {
          self->rate_blocked_until = now + window;
          blocked = TRUE;
        }
    }

  reset_at = blocked ? self->rate_blocked_until : self->rate_window_start + window;
  limit_text = g_strdup_printf ("%u", limit->limit);
  remaining_text = g_strdup_printf ("%u", blocked || self->rate_count >= limit->limit
                                          ? 0 : limit->limit - self->rate_count);
  reset_text = g_strdup_printf ("%" G_GINT64_FORMAT,
                                (reset_at - now + CS_USEC_PER_SECOND - 1) / CS_USEC_PER_SECOND);

  _cs_sim_reply_add_header (reply, "X-RateLimit-Limit-Default", limit_text);
  _cs_sim_reply_add_header (reply, "X-RateLimit-Remaining-Default", remaining_text);
  _cs_sim_reply_add_header (reply, "X-RateLimit-Reset-Default", reset_text);

  if (!blocked)
    return TRUE;

  if (limit->retry_after)
    _cs_sim_reply_add_header (reply, "Retry-After", reset_text);

  return FALSE;
}

/* Serialization */

static int
compare_keys (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static JsonObject *
booking_to_object (const CsSimBooking *row)
{
  const CsBooking *b = row->booking;
  const CsSimEventType *type = cs_sim_lookup_event_type (b->event_type_id);
  JsonObject *object = json_object_new ();
  JsonObject *host = json_object_new ();
  JsonObject *event_type = json_object_new ();
  JsonObject *metadata = json_object_new ();
  JsonObject *responses = json_object_new ();
  JsonArray *hosts = json_array_new ();
  JsonArray *attendees = json_array_new ();
  g_autofree char *slug = NULL;

  /* An ill-typed row: a string where Cal.com writes a number. */
  if (row->ill_typed)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, b->id);

      json_object_set_string_member (object, "id", id);
    }
  else
    json_object_set_int_member (object, "id", b->id);
  json_object_set_string_member (object, "uid", b->uid);
  json_object_set_string_member (object, "title", b->title != NULL ? b->title : "");
  json_object_set_string_member (object, "description", "");

  json_object_set_int_member (host, "id", USER_ID);
  json_object_set_string_member (host, "name", USER_NAME);
  json_object_set_string_member (host, "email", USER_EMAIL);
  json_object_set_string_member (host, "username", USER_USERNAME);
  json_object_set_string_member (host, "timeZone", TIME_ZONE);
  json_array_add_object_element (hosts, host);
  json_object_set_array_member (object, "hosts", hosts);

  json_object_set_string_member (object, "status", cs_booking_status_to_string (b->status));
  if (!cs_booking_status_is_active (b->status))
    {
      json_object_set_string_member (object, "cancellationReason",
                                     row->cancellation_reason != NULL
                                     ? row->cancellation_reason : "");
      json_object_set_string_member (object, "cancelledByEmail", USER_EMAIL);
    }

  _cs_sim_set_utc_time (object, "start", b->start);
  _cs_sim_set_utc_time (object, "end", b->end);
  json_object_set_int_member (object, "duration", (b->end - b->start) / CS_USEC_PER_MINUTE);
  json_object_set_int_member (object, "eventTypeId", b->event_type_id);

  slug = type != NULL ? g_strdup (type->slug)
                      : g_strdup_printf ("event-type-%" G_GINT64_FORMAT, b->event_type_id);
  json_object_set_int_member (event_type, "id", b->event_type_id);
  json_object_set_string_member (event_type, "slug", slug);
  json_object_set_object_member (object, "eventType", event_type);

  if (b->rescheduled_to_uid != NULL)
    json_object_set_string_member (object, "rescheduledToUid", b->rescheduled_to_uid);
  if (b->rescheduled_from_uid != NULL)
    json_object_set_string_member (object, "rescheduledFromUid", b->rescheduled_from_uid);
  if (b->recurring_booking_uid != NULL)
    json_object_set_string_member (object, "recurringBookingUid", b->recurring_booking_uid);

  json_object_set_string_member (object, "location", LOCATION);
  json_object_set_boolean_member (object, "absentHost", FALSE);
  _cs_sim_set_utc_time (object, "createdAt", row->created_at);
  _cs_sim_set_utc_time (object, "updatedAt",
                        b->updated_at != CS_TIME_UNSET ? b->updated_at : row->created_at);

  for (guint i = 0; i < b->attendees->len; i++)
    {
      const CsAttendee *a = g_ptr_array_index (b->attendees, i);
      JsonObject *attendee = json_object_new ();

      json_object_set_string_member (attendee, "name", a->name != NULL ? a->name : "");
      json_object_set_string_member (attendee, "email", a->email != NULL ? a->email : "");
      json_object_set_string_member (attendee, "timeZone",
                                     row->time_zone != NULL ? row->time_zone : TIME_ZONE);
      json_object_set_string_member (attendee, "language", "de");
      json_object_set_boolean_member (attendee, "absent", FALSE);
      if (a->phone != NULL)
        json_object_set_string_member (attendee, "phoneNumber", a->phone);
      json_array_add_object_element (attendees, attendee);

      if (i == 0)
        {
          json_object_set_string_member (responses, "name", a->name != NULL ? a->name : "");
          json_object_set_string_member (responses, "email", a->email != NULL ? a->email : "");
          if (a->phone != NULL)
            json_object_set_string_member (responses, "attendeePhoneNumber", a->phone);
        }
    }
  json_object_set_array_member (object, "attendees", attendees);
  json_object_set_array_member (object, "guests", json_array_new ());
  json_object_set_object_member (object, "bookingFieldsResponses", responses);

  if (b->metadata != NULL)
    {
      g_autofree gpointer *keys = g_hash_table_get_keys_as_array (b->metadata, NULL);
      guint n = g_hash_table_size (b->metadata);

      /* Sorted, so the same data always gives the same bytes. */
      g_qsort_with_data (keys, (gint) n, sizeof (gpointer), compare_keys, NULL);
      for (guint i = 0; i < n; i++)
        json_object_set_string_member (metadata, keys[i],
                                       g_hash_table_lookup (b->metadata, keys[i]));
    }
  json_object_set_object_member (object, "metadata", metadata);

  return object;
}

static void
reply_success (CsSimReply *reply,
               guint       status,
               JsonNode   *data)
{
  JsonObject *root = json_object_new ();

  json_object_set_string_member (root, "status", "success");
  json_object_set_member (root, "data", data);
  _cs_sim_reply_take_object (reply, status, root);
}

static void
reply_booking (CsSimReply         *reply,
               guint               status,
               const CsSimBooking *row)
{
  JsonNode *data = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (data, booking_to_object (row));
  reply_success (reply, status, data);
}

/* GET /v2/me */

static void
handle_me (CsSimServer *self,
           CsSimReply  *reply)
{
  JsonObject *me = json_object_new ();
  JsonNode *data = json_node_new (JSON_NODE_OBJECT);

  json_object_set_int_member (me, "id", USER_ID);
  json_object_set_string_member (me, "username", USER_USERNAME);
  json_object_set_string_member (me, "email", USER_EMAIL);
  json_object_set_int_member (me, "timeFormat", 24);
  json_object_set_int_member (me, "defaultScheduleId", 7);
  json_object_set_string_member (me, "weekStart", "Monday");
  json_object_set_string_member (me, "timeZone", TIME_ZONE);
  json_object_set_null_member (me, "organizationId");
  json_node_take_object (data, me);

  reply_success (reply, SOUP_STATUS_OK, data);
}

/* GET /v2/bookings */

static const char *
query_get (CsSimCall  *request,
           const char *name)
{
  return request->query != NULL ? g_hash_table_lookup (request->query, name) : NULL;
}

static gboolean
parse_count (const char *text,
             gint64      minimum,
             gint64     *out)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, (guint64) minimum, G_MAXINT32, &value, NULL))
    return FALSE;

  *out = (gint64) value;
  return TRUE;
}

static gboolean
parse_time_param (CsSimCall   *request,
                  const char  *name,
                  CsTime      *out,
                  char       **message)
{
  const char *text = query_get (request, name);

  *out = CS_TIME_UNSET;
  if (text == NULL)
    return TRUE;

  if (!cs_time_parse_iso8601 (text, out))
    {
      *message = g_strdup_printf ("%s must be a valid ISO 8601 date", name);
      return FALSE;
    }

  return TRUE;
}

static gboolean
parse_list_query (CsSimCall  *request,
                  ListQuery  *q,
                  char      **message)
{
  static const struct { const char *name; SortKey key; } sorts[] = {
    { "sortStart", SORT_START },
    { "sortEnd", SORT_END },
    { "sortCreated", SORT_CREATED },
    { "sortUpdatedAt", SORT_UPDATED },
  };
  const char *text;
  gboolean sorted = FALSE;

  q->take = DEFAULT_TAKE;
  text = query_get (request, "take");
  if (text != NULL)
    {
      if (!parse_count (text, 1, &q->take))
        {
          *message = g_strdup ("take must be a positive integer");
          return FALSE;
        }
      if (q->take > MAX_TAKE)
        {
          *message = g_strdup_printf ("take must not be greater than %d", MAX_TAKE);
          return FALSE;
        }
    }

  text = query_get (request, "skip");
  if (text != NULL && !parse_count (text, 0, &q->skip))
    {
      *message = g_strdup ("skip must not be less than 0");
      return FALSE;
    }

  text = query_get (request, "status");
  if (text != NULL && text[0] != '\0')
    {
      g_auto(GStrv) words = g_strsplit (text, ",", -1);

      for (guint i = 0; words[i] != NULL; i++)
        {
          const char *word = g_strstrip (words[i]);

          if (g_str_equal (word, "upcoming"))
            q->status_mask |= FILTER_UPCOMING;
          else if (g_str_equal (word, "recurring"))
            q->status_mask |= FILTER_RECURRING;
          else if (g_str_equal (word, "past"))
            q->status_mask |= FILTER_PAST;
          else if (g_str_equal (word, "cancelled"))
            q->status_mask |= FILTER_CANCELLED;
          else if (g_str_equal (word, "unconfirmed"))
            q->status_mask |= FILTER_UNCONFIRMED;
          else
            {
              *message = g_strdup ("each value in status must be one of the following values: "
                                   "upcoming, recurring, past, cancelled, unconfirmed");
              return FALSE;
            }
        }
    }

  if (!parse_time_param (request, "afterStart", &q->after_start, message) ||
      !parse_time_param (request, "beforeEnd", &q->before_end, message) ||
      !parse_time_param (request, "afterUpdatedAt", &q->after_updated, message) ||
      !parse_time_param (request, "beforeUpdatedAt", &q->before_updated, message) ||
      !parse_time_param (request, "afterCreatedAt", &q->after_created, message) ||
      !parse_time_param (request, "beforeCreatedAt", &q->before_created, message))
    return FALSE;

  q->attendee_email = query_get (request, "attendeeEmail");
  q->attendee_name = query_get (request, "attendeeName");
  q->booking_uid = query_get (request, "bookingUid");

  text = query_get (request, "eventTypeIds");
  if (text == NULL)
    text = query_get (request, "eventTypeId");
  if (text != NULL && text[0] != '\0')
    {
      g_auto(GStrv) ids = g_strsplit (text, ",", -1);

      q->event_type_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      for (guint i = 0; ids[i] != NULL; i++)
        {
          gint64 id;

          if (!parse_count (g_strstrip (ids[i]), 1, &id))
            {
              *message = g_strdup ("eventTypeIds must be a comma-separated list of numbers");
              return FALSE;
            }
          g_array_append_val (q->event_type_ids, id);
        }
    }

  q->sort_key = SORT_START;
  for (guint i = 0; i < G_N_ELEMENTS (sorts); i++)
    {
      text = query_get (request, sorts[i].name);
      if (text == NULL)
        continue;

      if (!g_str_equal (text, "asc") && !g_str_equal (text, "desc"))
        {
          *message = g_strdup_printf ("%s must be one of the following values: asc, desc",
                                      sorts[i].name);
          return FALSE;
        }

      if (!sorted)
        {
          q->sort_key = sorts[i].key;
          q->descending = g_str_equal (text, "desc");
          sorted = TRUE;
        }
    }

  return TRUE;
}

/* Cal.com's meaning of the status words: upcoming and past split the live
 * bookings by their end; cancelled takes cancelled and rejected ones;
 * unconfirmed the pending ones still ahead; recurring the live occurrences
 * of series still ahead. */
static gboolean
matches_status (const ListQuery       *q,
                const CsSimBookingKey *key)
{
  gboolean live = cs_booking_status_is_active (key->status);

  if (q->status_mask == 0)
    return TRUE;

  if ((q->status_mask & FILTER_UPCOMING) && live && key->end >= q->now)
    return TRUE;
  if ((q->status_mask & FILTER_PAST) && live && key->end <= q->now)
    return TRUE;
  if ((q->status_mask & FILTER_CANCELLED) && !live)
    return TRUE;
  if ((q->status_mask & FILTER_UNCONFIRMED) && key->status == CS_BOOKING_STATUS_PENDING &&
      key->end >= q->now)
    return TRUE;
  if ((q->status_mask & FILTER_RECURRING) && live && key->end >= q->now &&
      key->row->booking->recurring_booking_uid != NULL)
    return TRUE;

  return FALSE;
}

/* afterUpdatedAt and afterCreatedAt: in 2024-08-13, Cal.com counts the
 * totals without them (packages/trpc/server/routers/viewer/bookings/
 * get.handler.ts) and applies them to the rows only. */
static gboolean
matches_after_filters (const ListQuery       *q,
                       const CsSimBookingKey *key)
{
  if (q->after_updated != CS_TIME_UNSET && key->updated_at < q->after_updated)
    return FALSE;
  if (q->after_created != CS_TIME_UNSET && key->created_at < q->after_created)
    return FALSE;

  return TRUE;
}

/* The filters the totals count with. The common ones read the index entry
 * only; the rare ones look at the booking itself. */
static gboolean
matches (const ListQuery       *q,
         const CsSimBookingKey *key)
{
  const CsBooking *b;

  if (!matches_status (q, key))
    return FALSE;
  if (q->after_start != CS_TIME_UNSET && key->start < q->after_start)
    return FALSE;
  if (q->before_end != CS_TIME_UNSET && key->end > q->before_end)
    return FALSE;
  if (q->before_updated != CS_TIME_UNSET && key->updated_at > q->before_updated)
    return FALSE;
  if (q->before_created != CS_TIME_UNSET && key->created_at > q->before_created)
    return FALSE;

  if (q->booking_uid == NULL && q->event_type_ids == NULL &&
      q->attendee_email == NULL && q->attendee_name == NULL)
    return TRUE;

  b = key->row->booking;
  if (q->booking_uid != NULL && !g_str_equal (q->booking_uid, b->uid))
    return FALSE;

  if (q->event_type_ids != NULL)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < q->event_type_ids->len && !found; i++)
        found = g_array_index (q->event_type_ids, gint64, i) == b->event_type_id;
      if (!found)
        return FALSE;
    }

  if (q->attendee_email != NULL || q->attendee_name != NULL)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < b->attendees->len && !found; i++)
        {
          const CsAttendee *a = g_ptr_array_index (b->attendees, i);

          found = (q->attendee_email == NULL ||
                   (a->email != NULL && g_ascii_strcasecmp (a->email, q->attendee_email) == 0)) &&
                  (q->attendee_name == NULL ||
                   (a->name != NULL && strstr (a->name, q->attendee_name) != NULL));
        }
      if (!found)
        return FALSE;
    }

  return TRUE;
}

static CsTime
sort_value (const CsSimBookingKey *key,
            SortKey                sort)
{
  switch (sort)
    {
    case SORT_END:
      return key->end;
    case SORT_CREATED:
      return key->created_at;
    case SORT_UPDATED:
      return key->updated_at;
    case SORT_START:
    default:
      return key->start;
    }
}

static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  const ListQuery *q = user_data;
  const CsSimBookingKey *x = *(const CsSimBookingKey * const *) a;
  const CsSimBookingKey *y = *(const CsSimBookingKey * const *) b;
  CsTime vx = sort_value (x, q->sort_key);
  CsTime vy = sort_value (y, q->sort_key);
  int order;

  if (vx != vy)
    order = vx < vy ? -1 : 1;
  else if (x->row->booking->id != y->row->booking->id)
    order = x->row->booking->id < y->row->booking->id ? -1 : 1;
  else
    order = strcmp (x->row->booking->uid, y->row->booking->uid);

  return q->descending ? -order : order;
}

/* The first entry that starts at or after @start. */
static guint
lower_bound (GArray *index,
             CsTime  start)
{
  guint low = 0, high = index->len;

  while (low < high)
    {
      guint mid = low + (high - low) / 2;

      if (g_array_index (index, CsSimBookingKey, mid).start < start)
        low = mid + 1;
      else
        high = mid;
    }

  return low;
}

static void
handle_list (CsSimServer *self,
             CsSimCall   *request,
             CsSimReply  *reply)
{
  g_autoptr(GPtrArray) selected = NULL;
  g_autoptr(GPtrArray) answered = NULL;
  g_autofree char *message = NULL;
  ListQuery q = { 0, };
  GArray *by_start;
  guint first = 0;
  JsonObject *root, *pagination;
  JsonArray *data;
  gint64 total = 0, returned, skip, total_pages, current_page;

  if (!parse_list_query (request, &q, &message))
    {
      g_clear_pointer (&q.event_type_ids, g_array_unref);
      _cs_sim_calcom_error (self, request, reply, SOUP_STATUS_BAD_REQUEST, message);
      return;
    }

  q.now = cs_clock_get_now (self->clock);
  by_start = cs_sim_dataset_get_bookings_by_start (self->dataset);
  selected = g_ptr_array_new ();

  /* The dataset keeps an index by start: a bounded scan, no sort, per
   * page. A booking ending by beforeEnd starts by then too. */
  if (q.after_start != CS_TIME_UNSET)
    first = lower_bound (by_start, q.after_start);
  for (guint i = first; i < by_start->len; i++)
    {
      const CsSimBookingKey *key = &g_array_index (by_start, CsSimBookingKey, i);

      if (q.before_end != CS_TIME_UNSET && key->start > q.before_end)
        break;
      if (!matches (&q, key))
        continue;
      total++;
      if (matches_after_filters (&q, key))
        g_ptr_array_add (selected, (gpointer) key);
    }

  if (q.sort_key != SORT_START || q.descending)
    g_ptr_array_sort_with_data (selected, compare_rows, &q);

  data = json_array_new ();
  answered = g_ptr_array_new ();
  for (gint64 i = q.skip; i < (gint64) selected->len && i < q.skip + q.take; i++)
    {
      const CsSimBookingKey *key = g_ptr_array_index (selected, (guint) i);

      json_array_add_object_element (data, booking_to_object (key->row));
      g_ptr_array_add (answered, key->row);
    }

  /* Rows that come twice: the listing's first rows again on a later page. */
  for (guint i = 0; q.skip > 0 && i < request->faults->duplicate_rows && i < selected->len; i++)
    {
      const CsSimBookingKey *key = g_ptr_array_index (selected, i);

      json_array_add_object_element (data, booking_to_object (key->row));
    }

  /* Every number comes from the total, as Cal.com's getPagination
   * (apps/api/v2/src/lib/pagination/pagination.ts) computes them, whatever
   * `data` holds. */
  skip = CLAMP (q.skip, 0, total);
  returned = CLAMP (total - skip, 0, q.take);
  total_pages = (total + q.take - 1) / q.take;
  current_page = total_pages == 0 ? 0 : CLAMP (skip / q.take + 1, 1, total_pages);

  pagination = json_object_new ();
  json_object_set_int_member (pagination, "totalItems", total);
  json_object_set_int_member (pagination, "remainingItems",
                              CLAMP (total - (skip + q.take), 0, total));
  json_object_set_int_member (pagination, "returnedItems", returned);
  json_object_set_int_member (pagination, "itemsPerPage", q.take);
  json_object_set_int_member (pagination, "currentPage", current_page);
  json_object_set_int_member (pagination, "totalPages", total_pages);
  json_object_set_boolean_member (pagination, "hasNextPage", skip + q.take < total);
  json_object_set_boolean_member (pagination, "hasPreviousPage", skip > 0);

  root = json_object_new ();
  json_object_set_string_member (root, "status", "success");
  json_object_set_array_member (root, "data", data);
  json_object_set_object_member (root, "pagination", pagination);
  _cs_sim_reply_take_object (reply, SOUP_STATUS_OK, root);

  /* Last: a drift changes the dataset, and with it the index `selected`
   * points into. */
  g_clear_pointer (&selected, g_ptr_array_unref);
  _cs_sim_server_list_page_answered (self, CS_SIM_SERVICE_CALCOM, q.skip == 0, answered);

  g_clear_pointer (&q.event_type_ids, g_array_unref);
}

/* GET /v2/bookings/{uid} */

static void
reply_not_found (CsSimServer *self,
                 CsSimCall   *request,
                 CsSimReply  *reply)
{
  g_autofree char *message = g_strdup_printf ("Booking with uid=%s was not found in the database",
                                              request->arg);

  _cs_sim_calcom_error (self, request, reply, SOUP_STATUS_NOT_FOUND, message);
}

/* On an occurrence's own uid, one booking; on the uid of a recurring
 * series (`recurringBookingUid`), Cal.com answers the occurrences as a
 * `data` array. */
static void
handle_get (CsSimServer *self,
            CsSimCall   *request,
            CsSimReply  *reply)
{
  CsSimBooking *row = cs_sim_dataset_lookup_booking (self->dataset, request->arg);
  g_autoptr(GPtrArray) series = NULL;
  JsonArray *data;
  JsonNode *node;

  if (row != NULL)
    {
      reply_booking (reply, SOUP_STATUS_OK, row);
      return;
    }

  series = cs_sim_dataset_get_recurring_series (self->dataset, request->arg);
  if (series == NULL)
    {
      reply_not_found (self, request, reply);
      return;
    }

  data = json_array_new ();
  for (guint i = 0; i < series->len; i++)
    json_array_add_object_element (data, booking_to_object (g_ptr_array_index (series, i)));
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, data);
  reply_success (reply, SOUP_STATUS_OK, node);
}

/* POST /v2/bookings */

/* Cal.com's metadata rules: at most 50 keys of at most 40 characters,
 * values strings of at most 500 characters, numbers or booleans. */
static gboolean
read_metadata (JsonObject  *input,
               CsBooking   *booking,
               char       **message)
{
  JsonNode *node = json_object_get_member (input, "metadata");
  g_autoptr(GList) members = NULL;
  JsonObject *metadata;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      *message = g_strdup ("metadata must be an object");
      return FALSE;
    }

  metadata = json_node_get_object (node);
  if (json_object_get_size (metadata) > 50)
    {
      *message = g_strdup ("metadata must have at most 50 keys");
      return FALSE;
    }

  members = json_object_get_members (metadata);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *value = json_object_get_member (metadata, key);
      g_autofree char *text = NULL;
      GType type;

      if (g_utf8_strlen (key, -1) > 40)
        {
          *message = g_strdup ("metadata keys must be at most 40 characters");
          return FALSE;
        }

      if (!JSON_NODE_HOLDS_VALUE (value))
        {
          *message = g_strdup ("metadata values must be strings, numbers or booleans");
          return FALSE;
        }

      type = json_node_get_value_type (value);
      if (type == G_TYPE_STRING)
        {
          if (g_utf8_strlen (json_node_get_string (value), -1) > 500)
            {
              *message = g_strdup ("metadata values must be at most 500 characters");
              return FALSE;
            }
          text = g_strdup (json_node_get_string (value));
        }
      else if (type == G_TYPE_INT64)
        text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));
      else if (type == G_TYPE_DOUBLE)
        {
          char buffer[G_ASCII_DTOSTR_BUF_SIZE];

          text = g_strdup (g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (value)));
        }
      else if (type == G_TYPE_BOOLEAN)
        text = g_strdup (json_node_get_boolean (value) ? "true" : "false");
      else
        {
          *message = g_strdup ("metadata values must be strings, numbers or booleans");
          return FALSE;
        }

      cs_booking_set_metadata (booking, key, text);
    }

  return TRUE;
}

/* The slot checks a create and a reschedule share (handleNewBooking and
 * ErrorsBookingsService_2024_08_13.handleBookingError): no start in the
 * past of the simulator's clock, the whole slot inside the opening hours,
 * and no other active booking of the event type at that start. Cal.com
 * gives the last two one message ("no_available_users_found_error"). */
static gboolean
check_slot (CsSimServer          *self,
            CsSimCall            *request,
            CsSimReply           *reply,
            const CsSimEventType *type,
            CsTime                start,
            CsTime                end,
            const char           *except_uid)
{
  if (start < cs_clock_get_now (self->clock))
    {
      _cs_sim_calcom_error (self, request, reply, SOUP_STATUS_BAD_REQUEST,
                            "Attempting to book a meeting in the past.");
      return FALSE;
    }

  if (!cs_sim_within_opening_hours (start, end) ||
      cs_sim_dataset_find_active_booking (self->dataset, type->id, start, except_uid) != NULL)
    {
      _cs_sim_calcom_error (self, request, reply, SOUP_STATUS_BAD_REQUEST,
                            "User either already has booking at this time or is not available");
      return FALSE;
    }

  return TRUE;
}

static gboolean
is_time_zone (const char *name)
{
  g_autoptr(GTimeZone) zone = NULL;

  if (name == NULL || name[0] == '\0')
    return FALSE;

  zone = g_time_zone_new_identifier (name);
  return zone != NULL;
}

/* What Cal.com's ValidationPipe checks of CreateBookingInput_2024_08_13
 * (packages/platform/types/bookings/2024-08-13/inputs/
 * create-booking.input.ts), with class-validator's default messages. The
 * simulator books by eventTypeId only, so it asks for one. */
static JsonArray *
validate_create_input (JsonObject *input)
{
  JsonArray *errors = json_array_new ();
  JsonNode *node = json_object_get_member (input, "attendee");
  const char *start = _cs_sim_json_get_string (input, "start");
  CsTime time;
  gint64 number;

  if (start == NULL || !cs_time_parse_iso8601 (start, &time))
    json_array_add_object_element (errors,
                                   validation_error (input, "start", "isDateString",
                                                     "start must be a valid ISO 8601 date "
                                                     "string"));

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    json_array_add_object_element (errors,
                                   validation_error (input, "attendee", "isDefined",
                                                     "attendee should not be null or undefined"));
  else if (!JSON_NODE_HOLDS_OBJECT (node))
    json_array_add_object_element (errors,
                                   validation_error (input, "attendee", "nestedValidation",
                                                     "nested property attendee must be either "
                                                     "object or array"));
  else
    {
      JsonObject *attendee = json_node_get_object (node);
      JsonArray *children = json_array_new ();
      const char *email = _cs_sim_json_get_string (attendee, "email");
      const char *phone = _cs_sim_json_get_string (attendee, "phoneNumber");

      if (_cs_sim_json_get_string (attendee, "name") == NULL)
        json_array_add_object_element (children,
                                       validation_error (attendee, "name", "isString",
                                                         "name must be a string"));
      if (!is_time_zone (_cs_sim_json_get_string (attendee, "timeZone")))
        json_array_add_object_element (children,
                                       validation_error (attendee, "timeZone", "isTimeZone",
                                                         "timeZone must be a valid IANA "
                                                         "time-zone"));
      /* A class decorator (RequireEmailOrPhone) on a made-up property. */
      if ((email == NULL || email[0] == '\0') && (phone == NULL || phone[0] == '\0'))
        json_array_add_object_element (children,
                                       validation_error (attendee, "attendee email or phone",
                                                         "requireEmailOrPhone",
                                                         "Attendee must have at least one "
                                                         "contact method (email or phone "
                                                         "number)"));

      if (json_array_get_length (children) > 0)
        {
          JsonObject *parent = json_object_new ();

          json_object_set_object_member (parent, "target", json_object_ref (input));
          json_object_set_member (parent, "value", json_node_copy (node));
          json_object_set_string_member (parent, "property", "attendee");
          json_object_set_array_member (parent, "children", g_steal_pointer (&children));
          json_array_add_object_element (errors, parent);
        }
      g_clear_pointer (&children, json_array_unref);
    }

  if (!_cs_sim_json_get_int (input, "eventTypeId", &number))
    json_array_add_object_element (errors,
                                   validation_error (input, "eventTypeId", "isInt",
                                                     "eventTypeId must be an integer number"));

  node = json_object_get_member (input, "lengthInMinutes");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node) &&
      !_cs_sim_json_get_int (input, "lengthInMinutes", &number))
    json_array_add_object_element (errors,
                                   validation_error (input, "lengthInMinutes", "isInt",
                                                     "lengthInMinutes must be an integer "
                                                     "number"));

  return errors;
}

/* InputBookingsService_2024_08_13.validateBookingLengthInMinutes: a length
 * only for an event type with several, and only one of those. */
static gboolean
check_length (CsSimServer          *self,
              CsSimCall            *request,
              CsSimReply           *reply,
              const CsSimEventType *type,
              gint64                minutes)
{
  g_autoptr(GString) lengths = NULL;
  g_autofree char *message = NULL;

  /* `if (inputBooking.lengthInMinutes && …)`: 0 counts as absent. */
  if (minutes == 0 || cs_sim_event_type_allows_length (type, minutes))
    return TRUE;

  if (type->length_options[0] == 0)
    {
      _cs_sim_calcom_error (self, request, reply, SOUP_STATUS_BAD_REQUEST,
                            "Can't specify 'lengthInMinutes' because event type does not have "
                            "multiple possible lengths. Please, remove the 'lengthInMinutes' "
                            "field from the request.");
      return FALSE;
    }

  lengths = g_string_new (NULL);
  for (guint i = 0; type->length_options[i] != 0; i++)
    g_string_append_printf (lengths, "%s%u", i > 0 ? ", " : "", type->length_options[i]);
  message = g_strdup_printf ("Provided 'lengthInMinutes' is not one of the possible lengths for "
                             "the event type. The possible lengths are: %s", lengths->str);
  _cs_sim_calcom_error (self, request, reply, SOUP_STATUS_BAD_REQUEST, message);

  return FALSE;
}

static void
handle_create (CsSimServer *self,
               CsSimCall   *request,
               CsSimReply  *reply)
{
  g_autoptr(JsonNode) body = _cs_sim_parse_body (request);
  g_autoptr(CsBooking) booking = NULL;
  g_autoptr(JsonArray) errors = NULL;
  g_autofree char *message = NULL;
  g_autofree char *uid = NULL;
  g_autofree char *email = NULL;
  const CsSimEventType *type;
  JsonObject *input, *attendee;
  const char *name, *time_zone, *phone;
  gint64 event_type_id, minutes = 0;
  CsSimBooking *row;
  CsTime start, end;

  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body))
    {
      _cs_sim_calcom_error (self, request, reply, SOUP_STATUS_BAD_REQUEST,
                            "The body must be a JSON object");
      return;
    }
  input = json_node_get_object (body);

  errors = validate_create_input (input);
  if (json_array_get_length (errors) > 0)
    {
      reply_validation_errors (self, request, reply, g_steal_pointer (&errors));
      return;
    }

  cs_time_parse_iso8601 (_cs_sim_json_get_string (input, "start"), &start);
  attendee = json_object_get_object_member (input, "attendee");
  name = _cs_sim_json_get_string (attendee, "name");
  time_zone = _cs_sim_json_get_string (attendee, "timeZone");
  phone = _cs_sim_json_get_string (attendee, "phoneNumber");
  email = g_strdup (_cs_sim_json_get_string (attendee, "email"));
  _cs_sim_json_get_int (input, "eventTypeId", &event_type_id);
  _cs_sim_json_get_int (input, "lengthInMinutes", &minutes);

  type = cs_sim_lookup_event_type (event_type_id);
  if (type == NULL)
    {
      /* ErrorsBookingsService_2024_08_13.handleEventTypeToBeBookedNotFound */
      message = g_strdup_printf ("Event type with id %" G_GINT64_FORMAT " not found.",
                                 event_type_id);
      _cs_sim_calcom_error (self, request, reply, SOUP_STATUS_NOT_FOUND, message);
      return;
    }

  if (!check_length (self, request, reply, type, minutes))
    return;
  if (minutes == 0)
    minutes = type->minutes;

  if (email == NULL || email[0] == '\0')
    {
      GString *number;

      /* The e-mail booking field, when required, fails handleNewBooking's
       * zod check of the responses, which the ZodExceptionFilter writes
       * without details. */
      if (!type->email_optional)
        {
          reply_envelope (self, request, reply, SOUP_STATUS_BAD_REQUEST, "BAD_REQUEST",
                          "responses - {email}error_required_field, ", NULL);
          return;
        }

      /* Cal.com makes up an address for bookings by phone. */
      number = g_string_new (NULL);
      for (const char *p = phone; *p != '\0'; p++)
        {
          if (g_ascii_isdigit (*p))
            g_string_append_c (number, *p);
        }
      g_free (email);
      email = g_strdup_printf ("%s@sms.cal.com", number->str);
      g_string_free (number, TRUE);
    }

  uid = cs_sim_dataset_new_booking_uid (self->dataset);
  booking = cs_booking_new (uid);
  if (!read_metadata (input, booking, &message))
    {
      _cs_sim_calcom_error (self, request, reply, SOUP_STATUS_BAD_REQUEST, message);
      return;
    }

  end = start + minutes * CS_USEC_PER_MINUTE;
  if (!check_slot (self, request, reply, type, start, end, NULL))
    return;

  booking->start = start;
  booking->end = end;
  booking->status = CS_BOOKING_STATUS_ACCEPTED;
  booking->title = g_strdup_printf ("%s between %s and %s", type->title, USER_NAME, name);
  booking->event_type_id = type->id;
  booking->updated_at = cs_clock_get_now (self->clock);
  cs_booking_add_attendee (booking, name, email, phone);

  row = cs_sim_dataset_put_booking (self->dataset, booking);
  g_free (row->time_zone);
  row->time_zone = g_strdup (time_zone);
  g_ptr_array_add (self->created_bookings, g_strdup (uid));

  reply_booking (reply, SOUP_STATUS_CREATED, row);
}

/* POST /v2/bookings/{uid}/cancel */

/* In Cal.com's order: InputBookingsService_2024_08_13.
 * createCancelBookingRequest refuses a cancelled booking, then
 * handleCancelBooking (packages/features/bookings/lib/
 * handleCancelBooking.ts) asks the host for a reason and refuses a booking
 * that has ended. The simulator's key is the host's. */
static void
handle_cancel (CsSimServer *self,
               CsSimCall   *request,
               CsSimReply  *reply)
{
  g_autoptr(JsonNode) body = _cs_sim_parse_body (request);
  CsSimBooking *row = cs_sim_dataset_lookup_booking (self->dataset, request->arg);
  g_autofree char *reason = NULL;

  if (row == NULL)
    {
      reply_not_found (self, request, reply);
      return;
    }

  if (body != NULL && !JSON_NODE_HOLDS_OBJECT (body))
    {
      _cs_sim_calcom_error (self, request, reply, SOUP_STATUS_BAD_REQUEST,
                            "The body must be a JSON object");
      return;
    }

  /* `!cancellationReason?.trim()`: blanks are no reason. */
  if (body != NULL && _cs_sim_json_get_string (json_node_get_object (body),
                                               "cancellationReason") != NULL)
    reason = g_strstrip (g_strdup (_cs_sim_json_get_string (json_node_get_object (body),
                                                            "cancellationReason")));

  if (row->booking->status == CS_BOOKING_STATUS_CANCELLED)
    {
      g_autofree char *message =
        g_strdup_printf ("Can't cancel booking with uid=%s because it has been cancelled "
                         "already. Please provide uid of a booking that is not cancelled.",
                         request->arg);

      _cs_sim_calcom_error (self, request, reply, SOUP_STATUS_BAD_REQUEST, message);
      return;
    }

  /* Cal.com lets a rejected booking through to its later checks; the
   * simulator refuses it as handleCancelBooking refuses a cancelled one, so
   * a client never "cancels" what never held a slot. */
  if (row->booking->status == CS_BOOKING_STATUS_REJECTED)
    {
      _cs_sim_calcom_error (self, request, reply, SOUP_STATUS_BAD_REQUEST,
                            "This booking has already been cancelled.");
      return;
    }

  if (reason == NULL || reason[0] == '\0')
    {
      _cs_sim_calcom_error (self, request, reply, SOUP_STATUS_BAD_REQUEST,
                            "Cancellation reason is required when you are the host");
      return;
    }

  if (row->booking->end < cs_clock_get_now (self->clock))
    {
      _cs_sim_calcom_error (self, request, reply, SOUP_STATUS_BAD_REQUEST,
                            "Cannot cancel a booking that has already ended");
      return;
    }

  row->booking->status = CS_BOOKING_STATUS_CANCELLED;
  g_free (row->cancellation_reason);
  row->cancellation_reason = g_strdup (_cs_sim_json_get_string (json_node_get_object (body),
                                                                "cancellationReason"));
  cs_sim_dataset_touch_booking (self->dataset, row);
  g_ptr_array_add (self->cancelled_uids, g_strdup (row->booking->uid));

  reply_booking (reply, SOUP_STATUS_OK, row);
}

/* POST /v2/bookings/{uid}/reschedule */

/* BookingsService_2024_08_13.rescheduleBooking: canRescheduleBooking
 * refuses a cancelled booking (naming the booking a reschedule made), the
 * body is RescheduleBookingInput_2024_08_13, and handleNewBooking makes a
 * new booking of the event type's length with the old one's attendees and
 * metadata, cancelling the old one. The old booking's own slot does not
 * count as taken. */
static void
handle_reschedule (CsSimServer *self,
                   CsSimCall   *request,
                   CsSimReply  *reply)
{
  g_autoptr(JsonNode) body = _cs_sim_parse_body (request);
  CsSimBooking *row = cs_sim_dataset_lookup_booking (self->dataset, request->arg);
  g_autoptr(CsBooking) booking = NULL;
  g_autofree char *uid = NULL;
  g_autofree char *old_uid = NULL;
  g_autofree char *time_zone = NULL;
  const CsSimEventType *type;
  const char *start_text, *reason;
  JsonObject *input;
  CsSimBooking *new_row;
  CsTime start, end;

  if (row == NULL)
    {
      reply_not_found (self, request, reply);
      return;
    }

  if (row->booking->status == CS_BOOKING_STATUS_CANCELLED)
    {
      g_autofree char *message = NULL;

      if (row->booking->rescheduled_to_uid != NULL)
        message = g_strdup_printf ("Can't reschedule booking with uid=%s because it has been "
                                   "cancelled and rescheduled already to booking with uid=%s. "
                                   "You probably want to reschedule %s instead by passing it "
                                   "within the request URL.",
                                   request->arg, row->booking->rescheduled_to_uid,
                                   row->booking->rescheduled_to_uid);
      else
        message = g_strdup_printf ("Can't reschedule booking with uid=%s because it has been "
                                   "cancelled. Please provide uid of a booking that is not "
                                   "cancelled.", request->arg);
      _cs_sim_calcom_error (self, request, reply, SOUP_STATUS_BAD_REQUEST, message);
      return;
    }

  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body))
    {
      _cs_sim_calcom_error (self, request, reply, SOUP_STATUS_BAD_REQUEST,
                            "The body must be a JSON object");
      return;
    }
  input = json_node_get_object (body);

  start_text = _cs_sim_json_get_string (input, "start");
  if (start_text == NULL || !cs_time_parse_iso8601 (start_text, &start))
    {
      JsonArray *errors = json_array_new ();

      json_array_add_object_element (errors,
                                     validation_error (input, "start", "isDateString",
                                                       "start must be a valid ISO 8601 date "
                                                       "string"));
      reply_validation_errors (self, request, reply, errors);
      return;
    }

  type = cs_sim_lookup_event_type (row->booking->event_type_id);
  if (type == NULL)
    {
      g_autofree char *message = g_strdup_printf ("Event type with id=%" G_GINT64_FORMAT
                                                  " not found", row->booking->event_type_id);

      _cs_sim_calcom_error (self, request, reply, SOUP_STATUS_NOT_FOUND, message);
      return;
    }

  /* The event type's length: the old end is not kept. */
  end = start + type->minutes * CS_USEC_PER_MINUTE;
  if (!check_slot (self, request, reply, type, start, end, row->booking->uid))
    return;

  uid = cs_sim_dataset_new_booking_uid (self->dataset);
  booking = cs_booking_copy (row->booking);
  g_free (booking->uid);
  booking->uid = g_strdup (uid);
  booking->id = 0;
  booking->start = start;
  booking->end = end;
  booking->status = CS_BOOKING_STATUS_ACCEPTED;
  booking->updated_at = cs_clock_get_now (self->clock);
  g_clear_pointer (&booking->rescheduled_to_uid, g_free);
  g_free (booking->rescheduled_from_uid);
  booking->rescheduled_from_uid = g_strdup (row->booking->uid);

  old_uid = g_strdup (row->booking->uid);
  time_zone = g_strdup (row->time_zone);
  reason = _cs_sim_json_get_string (input, "reschedulingReason");

  row->booking->status = CS_BOOKING_STATUS_CANCELLED;
  g_free (row->booking->rescheduled_to_uid);
  row->booking->rescheduled_to_uid = g_strdup (uid);
  g_free (row->cancellation_reason);
  row->cancellation_reason = g_strdup (reason);
  cs_sim_dataset_touch_booking (self->dataset, row);

  new_row = cs_sim_dataset_put_booking (self->dataset, booking);
  g_free (new_row->time_zone);
  new_row->time_zone = g_steal_pointer (&time_zone);

  g_ptr_array_add (self->rescheduled_uids, g_strdup (old_uid));
  g_hash_table_replace (self->reschedules, g_strdup (old_uid), g_strdup (uid));

  reply_booking (reply, SOUP_STATUS_CREATED, new_row);
}

/* GET /v2/event-types/{id} */

static JsonObject *
default_field (const char *slug,
               gboolean    required)
{
  JsonObject *field = json_object_new ();

  json_object_set_boolean_member (field, "isDefault", TRUE);
  json_object_set_string_member (field, "slug", slug);
  json_object_set_string_member (field, "type", slug);
  json_object_set_boolean_member (field, "required", required);
  json_object_set_boolean_member (field, "hidden", FALSE);

  return field;
}

/* EventTypeOutput_2024_06_14 (packages/platform/types/event-types/
 * event-types_2024_06_14/outputs/event-type.output.ts), with the default
 * booking fields name and email whose `required` carries the setting. */
static JsonObject *
event_type_to_object (const CsSimEventType *type)
{
  JsonObject *object = json_object_new ();
  JsonArray *fields = json_array_new ();
  JsonArray *users = json_array_new ();
  JsonObject *user = json_object_new ();

  json_object_set_int_member (object, "id", type->id);
  json_object_set_string_member (object, "title", type->title);
  json_object_set_string_member (object, "slug", type->slug);
  json_object_set_string_member (object, "description", "");
  json_object_set_int_member (object, "lengthInMinutes", type->minutes);
  if (type->length_options[0] != 0)
    {
      JsonArray *options = json_array_new ();

      for (guint i = 0; type->length_options[i] != 0; i++)
        json_array_add_int_element (options, type->length_options[i]);
      json_object_set_array_member (object, "lengthInMinutesOptions", options);
    }

  json_array_add_object_element (fields, default_field ("name", TRUE));
  json_array_add_object_element (fields, default_field ("email", !type->email_optional));
  json_object_set_array_member (object, "bookingFields", fields);

  json_object_set_array_member (object, "locations", json_array_new ());
  json_object_set_boolean_member (object, "disableGuests", FALSE);
  json_object_set_null_member (object, "slotInterval");
  json_object_set_int_member (object, "minimumBookingNotice", 0);
  json_object_set_int_member (object, "beforeEventBuffer", 0);
  json_object_set_int_member (object, "afterEventBuffer", 0);
  json_object_set_null_member (object, "recurrence");
  json_object_set_object_member (object, "metadata", json_object_new ());
  json_object_set_int_member (object, "price", 0);
  json_object_set_string_member (object, "currency", "eur");
  json_object_set_boolean_member (object, "lockTimeZoneToggleOnBookingPage", FALSE);
  json_object_set_null_member (object, "seatsPerTimeSlot");
  json_object_set_null_member (object, "forwardParamsSuccessRedirect");
  json_object_set_null_member (object, "successRedirectUrl");
  json_object_set_boolean_member (object, "isInstantEvent", FALSE);
  json_object_set_null_member (object, "scheduleId");
  json_object_set_boolean_member (object, "hidden", FALSE);
  json_object_set_int_member (object, "ownerId", USER_ID);

  json_object_set_int_member (user, "id", USER_ID);
  json_object_set_string_member (user, "name", USER_NAME);
  json_object_set_string_member (user, "username", USER_USERNAME);
  json_object_set_null_member (user, "avatarUrl");
  json_object_set_string_member (user, "weekStart", "Monday");
  json_object_set_null_member (user, "brandColor");
  json_object_set_null_member (user, "darkBrandColor");
  json_object_set_object_member (user, "metadata", json_object_new ());
  json_array_add_object_element (users, user);
  json_object_set_array_member (object, "users", users);

  return object;
}

static void
handle_event_type (CsSimServer *self,
                   CsSimCall   *request,
                   CsSimReply  *reply)
{
  const CsSimEventType *type = NULL;
  guint64 id;
  JsonNode *data;

  if (g_ascii_string_to_unsigned (request->arg, 10, 1, G_MAXINT64, &id, NULL))
    type = cs_sim_lookup_event_type ((gint64) id);

  if (type == NULL)
    {
      /* EventTypesController_2024_06_14.getEventTypeById */
      g_autofree char *message = g_strdup_printf ("Event type with id %s not found", request->arg);

      _cs_sim_calcom_error (self, request, reply, SOUP_STATUS_NOT_FOUND, message);
      return;
    }

  data = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (data, event_type_to_object (type));
  reply_success (reply, SOUP_STATUS_OK, data);
}

/* Dispatch */

void
_cs_sim_calcom_handle (CsSimServer *self,
                       CsSimCall   *request,
                       CsSimReply  *reply)
{
  const char *version;

  if (soup_message_headers_get_one (request->headers, "Authorization") == NULL)
    {
      _cs_sim_calcom_error (self, request, reply, SOUP_STATUS_UNAUTHORIZED,
                            "No authentication method provided. Either pass an API key as "
                            "'Bearer' header or OAuth client credentials.");
      return;
    }

  if (!_cs_sim_check_bearer (request, self->calcom_api_key))
    {
      _cs_sim_calcom_error (self, request, reply, SOUP_STATUS_UNAUTHORIZED,
                            "Invalid API Key");
      return;
    }

  if (!check_rate_limit (self, reply))
    {
      _cs_sim_calcom_error (self, request, reply, 429, NULL);
      return;
    }

  if (request->endpoint == CS_SIM_ENDPOINT_UNKNOWN)
    {
      g_autofree char *message = g_strdup_printf ("Cannot %s %s", request->method, request->path);

      _cs_sim_calcom_error (self, request, reply, SOUP_STATUS_NOT_FOUND, message);
      return;
    }

  /* Real Cal.com answers an older version's shapes without the header;
   * the simulator refuses, so a client that forgets it fails in tests. */
  version = soup_message_headers_get_one (request->headers, "cal-api-version");
  if (request->endpoint == CS_SIM_ENDPOINT_CALCOM_EVENT_TYPE)
    {
      if (g_strcmp0 (version, EVENT_TYPES_API_VERSION) != 0)
        {
          _cs_sim_calcom_error (self, request, reply, SOUP_STATUS_BAD_REQUEST,
                                "The simulator requires the header cal-api-version: "
                                EVENT_TYPES_API_VERSION);
          return;
        }
    }
  else if (request->endpoint != CS_SIM_ENDPOINT_CALCOM_ME && g_strcmp0 (version, API_VERSION) != 0)
    {
      _cs_sim_calcom_error (self, request, reply, SOUP_STATUS_BAD_REQUEST,
                            "The simulator requires the header cal-api-version: " API_VERSION);
      return;
    }

  switch (request->endpoint)
    {
    case CS_SIM_ENDPOINT_CALCOM_ME:
      handle_me (self, reply);
      break;

    case CS_SIM_ENDPOINT_CALCOM_LIST:
      handle_list (self, request, reply);
      break;

    case CS_SIM_ENDPOINT_CALCOM_GET:
      handle_get (self, request, reply);
      break;

    case CS_SIM_ENDPOINT_CALCOM_CREATE:
      handle_create (self, request, reply);
      break;

    case CS_SIM_ENDPOINT_CALCOM_CANCEL:
      handle_cancel (self, request, reply);
      break;

    case CS_SIM_ENDPOINT_CALCOM_RESCHEDULE:
      handle_reschedule (self, request, reply);
      break;

    case CS_SIM_ENDPOINT_CALCOM_EVENT_TYPE:
      handle_event_type (self, request, reply);
      break;

    case CS_SIM_ENDPOINT_UNKNOWN:
    case CS_SIM_ENDPOINT_BACKEND_ME:
    case CS_SIM_ENDPOINT_BACKEND_LIST:
    case CS_SIM_ENDPOINT_BACKEND_GET:
    case CS_SIM_ENDPOINT_BACKEND_CREATE:
    case CS_SIM_ENDPOINT_BACKEND_PATCH:
    case CS_SIM_ENDPOINT_BACKEND_CANCEL:
    case CS_SIM_ENDPOINT_BACKEND_SYNC_STATUS:
    case CS_SIM_ENDPOINT_BACKEND_AUDIT_LOG:
    default:
      g_assert_not_reached ();
    }
}
