/* cs-sim-backend.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-sim-server-private.h"

/* The CRM backend API v1 side of CsSimServer, as shared/backend-api.md
 * defines it: Laravel-shaped JSON and errors, `page`/`per_page` paging
 * ordered by id, idempotency keys on every write, 403 for the `staff`
 * role, 409 on a second create for one booking uid.
 *
 * The list serves the rows of every company on purpose (the client must
 * reject foreign rows); the single-row endpoints serve only the token's
 * company, as a real scoped backend would. */

#define API_PREFIX        "/api/v1"
#define DEFAULT_PER_PAGE  100
#define MAX_PER_PAGE      500
#define MAX_SYNC_UPDATES  500
#define USER_ID           12
#define USER_NAME         "Anna Schmidt"
#define COMPANY_NAME      "Salon Beispiel"

/* A write's first answer, replayed for a repeated idempotency key. */
typedef struct
{
  guint       status;
  const char *content_type;
  GBytes     *body;
} SimCachedReply;

void
_cs_sim_cached_reply_free (gpointer data)
{
  SimCachedReply *cached = data;

  g_clear_pointer (&cached->body, g_bytes_unref);
  g_free (cached);
}

/* Routing */

static gboolean
parse_id (const char *text,
          gint64     *id)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    return FALSE;

  *id = (gint64) value;
  return TRUE;
}

void
_cs_sim_backend_route (CsSimCall *request)
{
  g_autofree char *path = g_strdup (request->path);
  gsize length = strlen (path);
  const char *method = request->method;
  const char *rest;
  gint64 id;

  if (length > 1 && path[length - 1] == '/')
    path[length - 1] = '\0';

  request->endpoint = CS_SIM_ENDPOINT_UNKNOWN;

  if (g_str_equal (path, API_PREFIX "/me"))
    {
      if (g_str_equal (method, "GET"))
        request->endpoint = CS_SIM_ENDPOINT_BACKEND_ME;
      return;
    }

  if (g_str_equal (path, API_PREFIX "/audit-log"))
    {
      if (g_str_equal (method, "POST"))
        request->endpoint = CS_SIM_ENDPOINT_BACKEND_AUDIT_LOG;
      return;
    }

  if (g_str_equal (path, API_PREFIX "/appointments"))
    {
      if (g_str_equal (method, "GET"))
        request->endpoint = CS_SIM_ENDPOINT_BACKEND_LIST;
      else if (g_str_equal (method, "POST"))
        request->endpoint = CS_SIM_ENDPOINT_BACKEND_CREATE;
      return;
    }

  if (g_str_equal (path, API_PREFIX "/appointments/sync-status"))
    {
      if (g_str_equal (method, "PATCH"))
        request->endpoint = CS_SIM_ENDPOINT_BACKEND_SYNC_STATUS;
      return;
    }

  if (!g_str_has_prefix (path, API_PREFIX "/appointments/"))
    return;

  rest = path + strlen (API_PREFIX "/appointments/");
  if (g_str_has_suffix (rest, "/cancel"))
    {
      g_autofree char *id_text = g_strndup (rest, strlen (rest) - strlen ("/cancel"));

      if (g_str_equal (method, "POST") && parse_id (id_text, &id))
        {
          request->endpoint = CS_SIM_ENDPOINT_BACKEND_CANCEL;
          request->arg = g_steal_pointer (&id_text);
        }
      return;
    }

  if (!parse_id (rest, &id))
    return;

  if (g_str_equal (method, "GET"))
    request->endpoint = CS_SIM_ENDPOINT_BACKEND_GET;
  else if (g_str_equal (method, "PATCH"))
    request->endpoint = CS_SIM_ENDPOINT_BACKEND_PATCH;
  else
    return;

  request->arg = g_strdup (rest);
}

/* Errors */

static void
add_error (JsonObject *errors,
           const char *field,
           const char *message)
{
  JsonArray *messages;

  if (!json_object_has_member (errors, field))
    json_object_set_array_member (errors, field, json_array_new ());

  messages = json_object_get_array_member (errors, field);
  json_array_add_string_element (messages, message);
}

static const char *
default_message (guint status)
{
  switch (status)
    {
    case 401:
      return "Unauthenticated.";
    case 403:
      return "This action is unauthorized.";
    case 404:
      return "Not Found.";
    case 409:
      return "Conflict.";
    case 422:
      return "The given data was invalid.";
    case 429:
      return "Too Many Attempts.";
    case 500:
      return "Server Error";
    case 503:
      return "Service Unavailable";
    default:
      {
        const char *phrase = soup_status_get_phrase (status);

        return phrase != NULL ? phrase : "Error";
      }
    }
}

/**
 * _cs_sim_backend_error:
 * @message: (nullable): the message, or %NULL for Laravel's for @status
 * @errors: (nullable) (transfer full): the field errors, or %NULL for none
 *
 * Laravel's error shape: `{"message": "...", "errors": {"field": ["..."]}}`.
 */
void
_cs_sim_backend_error (CsSimReply *reply,
                       guint       status,
                       const char *message,
                       JsonObject *errors)
{
  JsonObject *root = json_object_new ();

  json_object_set_string_member (root, "message",
                                 message != NULL ? message : default_message (status));
  json_object_set_object_member (root, "errors", errors != NULL ? errors : json_object_new ());
  _cs_sim_reply_take_object (reply, status, root);
}

/* Laravel's 422: the message is the first error, "(and N more errors)". */
static void
reply_invalid (CsSimReply *reply,
               JsonObject *errors)
{
  g_autoptr(GList) members = json_object_get_members (errors);
  g_autofree char *message = NULL;
  guint n = 0;
  const char *first;

  for (GList *l = members; l != NULL; l = l->next)
    n += json_array_get_length (json_object_get_array_member (errors, l->data));

  first = json_array_get_string_element (json_object_get_array_member (errors, members->data), 0);
  if (n > 1)
    message = g_strdup_printf ("%s (and %u more error%s)", first, n - 1, n > 2 ? "s" : "");
  else
    message = g_strdup (first);

  _cs_sim_backend_error (reply, 422, message, errors);
}

/* Serialization */

static void
set_crm_time (CsSimServer            *self,
              JsonObject             *object,
              const char             *name,
              const CsSimAppointment *row,
              CsTime                  time)
{
  g_autofree char *text = cs_sim_dataset_format_crm_time (self->dataset, row, time);

  _cs_sim_set_nullable_string (object, name, text);
}

static JsonObject *
appointment_to_object (CsSimServer            *self,
                       const CsSimAppointment *row)
{
  const CsAppointment *a = row->appointment;
  const CsSyncTracking *t = &a->sync;
  JsonObject *object = json_object_new ();
  JsonObject *customer = json_object_new ();
  JsonObject *sync = json_object_new ();

  json_object_set_int_member (object, "id", a->id);
  /* An ill-typed row: a string where the contract says integer. */
  if (row->ill_typed)
    {
      g_autofree char *company = g_strdup_printf ("%" G_GINT64_FORMAT, a->company_id);

      json_object_set_string_member (object, "company_id", company);
    }
  else
    json_object_set_int_member (object, "company_id", a->company_id);
  _cs_sim_set_nullable_string (object, "number", a->number);
  set_crm_time (self, object, "starts_at", row, a->starts_at);
  set_crm_time (self, object, "ends_at", row, a->ends_at);
  json_object_set_string_member (object, "status", cs_crm_status_to_string (a->status));
  _cs_sim_set_nullable_string (object, "title", a->title);

  _cs_sim_set_nullable_string (customer, "name", a->customer_name);
  _cs_sim_set_nullable_string (customer, "email", a->customer_email);
  _cs_sim_set_nullable_string (customer, "phone", a->customer_phone);
  json_object_set_object_member (object, "customer", customer);

  _cs_sim_set_nullable_string (object, "calcom_booking_uid", a->calcom_booking_uid);
  if (a->calcom_event_type_id != 0)
    json_object_set_int_member (object, "calcom_event_type_id", a->calcom_event_type_id);
  else
    json_object_set_null_member (object, "calcom_event_type_id");
  _cs_sim_set_nullable_string (object, "source", a->source);
  set_crm_time (self, object, "created_at", row, a->created_at);
  set_crm_time (self, object, "updated_at", row, a->updated_at);
  set_crm_time (self, object, "deleted_at", row, a->deleted_at);

  json_object_set_string_member (sync, "calcom_sync_status", cs_sync_status_to_string (t->status));
  set_crm_time (self, sync, "last_sync_attempt_at", row, t->last_sync_attempt_at);
  json_object_set_int_member (sync, "sync_attempt_count", t->sync_attempt_count);
  _cs_sim_set_nullable_string (sync, "sync_error_message", t->sync_error_message);
  _cs_sim_set_nullable_string (sync, "sync_error_code",
                               t->sync_error_code == CS_ERROR_CODE_NONE
                               ? NULL : cs_error_code_to_string (t->sync_error_code));
  set_crm_time (self, sync, "sync_verified_at", row, t->sync_verified_at);
  json_object_set_boolean_member (sync, "requires_manual_review", t->requires_manual_review);
  set_crm_time (self, sync, "manual_review_flagged_at", row, t->manual_review_flagged_at);
  json_object_set_object_member (object, "sync", sync);

  return object;
}

static void
reply_data (CsSimReply *reply,
            guint       status,
            JsonObject *data)
{
  JsonObject *root = json_object_new ();

  json_object_set_object_member (root, "data", data);
  _cs_sim_reply_take_object (reply, status, root);
}

static CsSimAppointment *
lookup_own (CsSimServer *self,
            CsSimCall   *request)
{
  CsSimAppointment *row;
  gint64 id;

  if (request->arg == NULL || !parse_id (request->arg, &id))
    return NULL;

  row = cs_sim_dataset_lookup_appointment (self->dataset, id);
  if (row == NULL || row->appointment->deleted_at != CS_TIME_UNSET ||
      row->appointment->company_id != self->company_id)
    return NULL;

  return row;
}

static void
reply_not_found (CsSimReply *reply)
{
  _cs_sim_backend_error (reply, 404, "No query results for model [App\\Models\\Appointment].",
                         NULL);
}

/* GET /api/v1/me */

static void
handle_me (CsSimServer *self,
           CsSimReply  *reply)
{
  JsonObject *data = json_object_new ();
  JsonObject *user = json_object_new ();
  JsonObject *company = json_object_new ();

  json_object_set_int_member (user, "id", USER_ID);
  json_object_set_string_member (user, "name", USER_NAME);
  json_object_set_string_member (user, "role", self->role);
  json_object_set_int_member (company, "id", self->company_id);
  json_object_set_string_member (company, "name", COMPANY_NAME);
  json_object_set_string_member (company, "timezone", "Europe/Berlin");
  json_object_set_object_member (data, "user", user);
  json_object_set_object_member (data, "company", company);

  reply_data (reply, 200, data);
}

/* GET /api/v1/appointments */

static const char *
query_get (CsSimCall  *request,
           const char *name)
{
  return request->query != NULL ? g_hash_table_lookup (request->query, name) : NULL;
}

static void
read_time_param (CsSimCall  *request,
                 const char *name,
                 CsTime     *out,
                 JsonObject *errors)
{
  const char *text = query_get (request, name);

  *out = CS_TIME_UNSET;
  if (text != NULL && !cs_time_parse_iso8601 (text, out))
    {
      g_autofree char *message = g_strdup_printf ("The %s field must be a valid date with a "
                                                  "time zone offset.", name);

      add_error (errors, name, message);
    }
}

static void
read_int_param (CsSimCall  *request,
                const char *name,
                gint64      minimum,
                gint64      maximum,
                gint64     *out,
                JsonObject *errors)
{
  const char *text = query_get (request, name);
  guint64 value;

  if (text == NULL)
    return;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT32, &value, NULL) ||
      (gint64) value < minimum || (gint64) value > maximum)
    {
      g_autofree char *message = g_strdup_printf ("The %s field must be an integer between "
                                                  "%" G_GINT64_FORMAT " and %" G_GINT64_FORMAT ".",
                                                  name, minimum, maximum);

      add_error (errors, name, message);
      return;
    }

  *out = (gint64) value;
}

static void
handle_list (CsSimServer *self,
             CsSimCall   *request,
             CsSimReply  *reply)
{
  g_autoptr(JsonObject) errors = json_object_new ();
  CsTime starts_after, starts_before, updated_since;
  gint64 page = 1, per_page = DEFAULT_PER_PAGE;
  gint64 total = 0, first, last_page;
  g_autoptr(GPtrArray) answered = g_ptr_array_new ();
  g_autoptr(GPtrArray) leading = g_ptr_array_new ();
  JsonObject *root, *meta;
  JsonArray *data;
  GPtrArray *rows;

  read_int_param (request, "page", 1, G_MAXINT32, &page, errors);
  read_int_param (request, "per_page", 1, MAX_PER_PAGE, &per_page, errors);
  read_time_param (request, "starts_after", &starts_after, errors);
  read_time_param (request, "starts_before", &starts_before, errors);
  read_time_param (request, "updated_since", &updated_since, errors);

  if (json_object_get_size (errors) > 0)
    {
      reply_invalid (reply, g_steal_pointer (&errors));
      return;
    }

  first = (page - 1) * per_page;
  data = json_array_new ();
  rows = cs_sim_dataset_get_appointments (self->dataset);

  /* One scan in id order counts the matches and serializes the page. */
  for (guint i = 0; i < rows->len; i++)
    {
      const CsSimAppointment *row = g_ptr_array_index (rows, i);
      const CsAppointment *a = row->appointment;

      if (updated_since != CS_TIME_UNSET)
        {
          if (a->updated_at < updated_since)
            continue;
        }
      else if (a->deleted_at != CS_TIME_UNSET)
        continue;

      if (starts_after != CS_TIME_UNSET && a->starts_at < starts_after)
        continue;
      if (starts_before != CS_TIME_UNSET && a->starts_at >= starts_before)
        continue;

      if (total >= first && total < first + per_page)
        {
          json_array_add_object_element (data, appointment_to_object (self, row));
          g_ptr_array_add (answered, (gpointer) row);
        }
      if (leading->len < request->faults->duplicate_rows)
        g_ptr_array_add (leading, (gpointer) row);
      total++;
    }

  /* Rows that come twice: the listing's first rows again on a later page. */
  for (guint i = 0; page > 1 && i < leading->len; i++)
    json_array_add_object_element (data, appointment_to_object (self,
                                                                g_ptr_array_index (leading, i)));

  last_page = MAX (1, (total + per_page - 1) / per_page);

  meta = json_object_new ();
  json_object_set_int_member (meta, "current_page", page);
  json_object_set_int_member (meta, "last_page", last_page);
  json_object_set_int_member (meta, "per_page", per_page);
  json_object_set_int_member (meta, "total", total);

  root = json_object_new ();
  json_object_set_array_member (root, "data", data);
  json_object_set_object_member (root, "meta", meta);
  _cs_sim_reply_take_object (reply, 200, root);

  _cs_sim_server_list_page_answered (self, CS_SIM_SERVICE_BACKEND, page == 1, answered);
}

/* GET /api/v1/appointments/{id} */

static void
handle_get (CsSimServer *self,
            CsSimCall   *request,
            CsSimReply  *reply)
{
  CsSimAppointment *row = lookup_own (self, request);

  if (row == NULL)
    {
      reply_not_found (reply);
      return;
    }

  reply_data (reply, 200, appointment_to_object (self, row));
}

/* Body helpers */

static JsonObject *
body_object (CsSimCall  *request,
             JsonNode  **node)
{
  *node = _cs_sim_parse_body (request);
  if (*node == NULL || !JSON_NODE_HOLDS_OBJECT (*node))
    return NULL;

  return json_node_get_object (*node);
}

/* A required (or, with @optional, present) RFC 3339 member. */
static void
read_time_member (JsonObject *input,
                  const char *name,
                  gboolean    optional,
                  CsTime     *out,
                  JsonObject *errors)
{
  const char *text = _cs_sim_json_get_string (input, name);
  g_autofree char *message = NULL;

  if (optional && !json_object_has_member (input, name))
    return;

  if (text == NULL && !json_object_has_member (input, name))
    message = g_strdup_printf ("The %s field is required.", name);
  else if (text == NULL || !cs_time_parse_iso8601 (text, out))
    message = g_strdup_printf ("The %s field must be a valid date with a time zone offset.",
                               name);

  if (message != NULL)
    add_error (errors, name, message);
}

/* POST /api/v1/appointments */

static CsSimAppointment *
find_by_booking_uid (CsSimServer *self,
                     const char  *uid)
{
  GPtrArray *rows = cs_sim_dataset_get_appointments (self->dataset);

  for (guint i = 0; i < rows->len; i++)
    {
      CsSimAppointment *row = g_ptr_array_index (rows, i);
      const CsAppointment *a = row->appointment;

      if (a->deleted_at == CS_TIME_UNSET && a->company_id == self->company_id &&
          g_strcmp0 (a->calcom_booking_uid, uid) == 0)
        return row;
    }

  return NULL;
}

static void
handle_create (CsSimServer *self,
               CsSimCall   *request,
               CsSimReply  *reply)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonObject) errors = json_object_new ();
  g_autoptr(CsAppointment) a = NULL;
  JsonObject *input = body_object (request, &node);
  JsonObject *customer = NULL;
  CsSimAppointment *row;
  const char *uid, *status_text, *title, *source;
  CsCrmStatus status = CS_CRM_STATUS_SCHEDULED;
  CsTime starts_at = CS_TIME_UNSET, ends_at = CS_TIME_UNSET;
  gint64 event_type_id = 0;

  if (input == NULL)
    {
      add_error (errors, "starts_at", "The starts_at field is required.");
      reply_invalid (reply, g_steal_pointer (&errors));
      return;
    }

  read_time_member (input, "starts_at", FALSE, &starts_at, errors);
  read_time_member (input, "ends_at", FALSE, &ends_at, errors);
  if (starts_at != CS_TIME_UNSET && ends_at != CS_TIME_UNSET && ends_at <= starts_at)
    add_error (errors, "ends_at", "The ends_at field must be a date after starts_at.");

  uid = _cs_sim_json_get_string (input, "calcom_booking_uid");
  if (uid == NULL || uid[0] == '\0')
    add_error (errors, "calcom_booking_uid", "The calcom_booking_uid field is required.");

  title = _cs_sim_json_get_string (input, "title");
  if (json_object_has_member (input, "title") && title == NULL &&
      !JSON_NODE_HOLDS_NULL (json_object_get_member (input, "title")))
    add_error (errors, "title", "The title field must be a string.");

  status_text = _cs_sim_json_get_string (input, "status");
  if (status_text != NULL && !cs_crm_status_from_string (status_text, &status))
    add_error (errors, "status", "The selected status is invalid.");

  source = _cs_sim_json_get_string (input, "source");
  if (source != NULL && !g_str_equal (source, "calcom") && !g_str_equal (source, "voice_agent"))
    add_error (errors, "source", "The selected source is invalid.");

  if (json_object_has_member (input, "customer"))
    {
      JsonNode *member = json_object_get_member (input, "customer");

      if (JSON_NODE_HOLDS_OBJECT (member))
        customer = json_node_get_object (member);
      else if (!JSON_NODE_HOLDS_NULL (member))
        add_error (errors, "customer", "The customer field must be an object.");
    }

  if (json_object_has_member (input, "calcom_event_type_id") &&
      !JSON_NODE_HOLDS_NULL (json_object_get_member (input, "calcom_event_type_id")) &&
      !_cs_sim_json_get_int (input, "calcom_event_type_id", &event_type_id))
    add_error (errors, "calcom_event_type_id",
               "The calcom_event_type_id field must be an integer.");

  if (json_object_get_size (errors) > 0)
    {
      reply_invalid (reply, g_steal_pointer (&errors));
      return;
    }

  row = find_by_booking_uid (self, uid);
  if (row != NULL)
    {
      JsonObject *root = json_object_new ();
      JsonObject *conflict = json_object_new ();

      add_error (conflict, "calcom_booking_uid", "The calcom_booking_uid has already been taken.");
      json_object_set_string_member (root, "message",
                                     "An appointment for this booking already exists.");
      json_object_set_object_member (root, "errors", conflict);
      json_object_set_object_member (root, "data", appointment_to_object (self, row));
      _cs_sim_reply_take_object (reply, 409, root);
      reply->cacheable = TRUE;
      return;
    }

  a = cs_appointment_new ();
  a->id = cs_sim_dataset_next_appointment_id (self->dataset);
  a->company_id = self->company_id;
  a->number = g_strdup_printf ("%" G_GINT64_FORMAT, a->id);
  a->starts_at = starts_at;
  a->ends_at = ends_at;
  a->status = status;
  a->title = g_strdup (title);
  if (customer != NULL)
    {
      a->customer_name = g_strdup (_cs_sim_json_get_string (customer, "name"));
      a->customer_email = g_strdup (_cs_sim_json_get_string (customer, "email"));
      a->customer_phone = g_strdup (_cs_sim_json_get_string (customer, "phone"));
    }
  a->calcom_booking_uid = g_strdup (uid);
  a->calcom_event_type_id = event_type_id;
  a->source = g_strdup (source != NULL ? source : "calcom");
  a->created_at = cs_clock_get_now (self->clock);
  a->updated_at = a->created_at;

  row = cs_sim_dataset_put_appointment (self->dataset, a);
  g_array_append_val (self->created_appointments, a->id);

  reply_data (reply, 201, appointment_to_object (self, row));
  reply->cacheable = TRUE;
}

/* PATCH /api/v1/appointments/{id} */

static void
record_patch (CsSimServer *self,
              gint64       id,
              JsonObject  *input)
{
  g_autoptr(GList) members = json_object_get_members (input);
  JsonObject *merged = g_hash_table_lookup (self->patches, &id);

  if (merged == NULL)
    {
      merged = json_object_new ();
      g_hash_table_insert (self->patches, g_memdup2 (&id, sizeof id), merged);
    }

  for (GList *l = members; l != NULL; l = l->next)
    json_object_set_member (merged, l->data,
                            json_node_copy (json_object_get_member (input, l->data)));
}

static void
handle_patch (CsSimServer *self,
              CsSimCall   *request,
              CsSimReply  *reply)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonObject) errors = json_object_new ();
  CsSimAppointment *row = lookup_own (self, request);
  JsonObject *input;
  CsAppointment *a;
  CsTime starts_at, ends_at;
  CsCrmStatus status;
  const char *status_text;
  JsonNode *uid_node;

  if (row == NULL)
    {
      reply_not_found (reply);
      return;
    }

  a = row->appointment;
  input = body_object (request, &node);
  if (input == NULL)
    {
      add_error (errors, "body", "The body must be a JSON object.");
      reply_invalid (reply, g_steal_pointer (&errors));
      return;
    }

  starts_at = a->starts_at;
  ends_at = a->ends_at;
  status = a->status;
  read_time_member (input, "starts_at", TRUE, &starts_at, errors);
  read_time_member (input, "ends_at", TRUE, &ends_at, errors);
  if (json_object_get_size (errors) == 0 && ends_at <= starts_at)
    add_error (errors, "ends_at", "The ends_at field must be a date after starts_at.");

  status_text = _cs_sim_json_get_string (input, "status");
  if (json_object_has_member (input, "status") &&
      (status_text == NULL || !cs_crm_status_from_string (status_text, &status)))
    add_error (errors, "status", "The selected status is invalid.");

  uid_node = json_object_get_member (input, "calcom_booking_uid");
  if (uid_node != NULL && !JSON_NODE_HOLDS_NULL (uid_node) &&
      _cs_sim_json_get_string (input, "calcom_booking_uid") == NULL)
    add_error (errors, "calcom_booking_uid", "The calcom_booking_uid field must be a string.");

  if (json_object_get_size (errors) > 0)
    {
      reply_invalid (reply, g_steal_pointer (&errors));
      return;
    }

  a->starts_at = starts_at;
  a->ends_at = ends_at;
  a->status = status;
  if (uid_node != NULL)
    {
      g_free (a->calcom_booking_uid);
      a->calcom_booking_uid = g_strdup (_cs_sim_json_get_string (input, "calcom_booking_uid"));
    }
  cs_sim_dataset_touch_appointment (self->dataset, row);
  record_patch (self, a->id, input);

  reply_data (reply, 200, appointment_to_object (self, row));
  reply->cacheable = TRUE;
}

/* POST /api/v1/appointments/{id}/cancel */

static void
handle_cancel (CsSimServer *self,
               CsSimCall   *request,
               CsSimReply  *reply)
{
  CsSimAppointment *row = lookup_own (self, request);

  if (row == NULL)
    {
      reply_not_found (reply);
      return;
    }

  row->appointment->status = CS_CRM_STATUS_CANCELLED;
  cs_sim_dataset_touch_appointment (self->dataset, row);
  g_array_append_val (self->cancelled_appointments, row->appointment->id);

  reply_data (reply, 200, appointment_to_object (self, row));
  reply->cacheable = TRUE;
}

/* PATCH /api/v1/appointments/sync-status */

static void
check_nullable_time (JsonObject *update,
                     const char *name,
                     const char *field,
                     JsonObject *errors)
{
  JsonNode *node = json_object_get_member (update, name);
  const char *text = _cs_sim_json_get_string (update, name);
  CsTime time;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return;

  if (text == NULL || !cs_time_parse_iso8601 (text, &time))
    {
      g_autofree char *key = g_strdup_printf ("%s.%s", field, name);

      add_error (errors, key, "Must be null or a valid date with a time zone offset.");
    }
}

static void
check_update (JsonNode   *node,
              guint       index,
              JsonObject *errors)
{
  g_autofree char *field = g_strdup_printf ("updates.%u", index);
  g_autofree char *key = NULL;
  JsonObject *update;
  const char *text;
  CsSyncStatus status;
  CsErrorCode code;
  JsonNode *member;
  gint64 value;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      add_error (errors, field, "Each update must be an object.");
      return;
    }
  update = json_node_get_object (node);

  if (!_cs_sim_json_get_int (update, "id", &value) || value <= 0)
    {
      key = g_strdup_printf ("%s.id", field);
      add_error (errors, key, "The id field is required and must be a positive integer.");
      g_clear_pointer (&key, g_free);
    }

  text = _cs_sim_json_get_string (update, "calcom_sync_status");
  if (json_object_has_member (update, "calcom_sync_status") &&
      (text == NULL || !cs_sync_status_from_string (text, &status)))
    {
      key = g_strdup_printf ("%s.calcom_sync_status", field);
      add_error (errors, key, "The selected calcom_sync_status is invalid.");
      g_clear_pointer (&key, g_free);
    }

  member = json_object_get_member (update, "sync_error_code");
  text = _cs_sim_json_get_string (update, "sync_error_code");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member) &&
      (text == NULL || !cs_error_code_from_string (text, &code)))
    {
      key = g_strdup_printf ("%s.sync_error_code", field);
      add_error (errors, key, "The selected sync_error_code is invalid.");
      g_clear_pointer (&key, g_free);
    }

  if (json_object_has_member (update, "sync_attempt_count") &&
      (!_cs_sim_json_get_int (update, "sync_attempt_count", &value) || value < 0))
    {
      key = g_strdup_printf ("%s.sync_attempt_count", field);
      add_error (errors, key, "The sync_attempt_count field must be a non-negative integer.");
      g_clear_pointer (&key, g_free);
    }

  member = json_object_get_member (update, "requires_manual_review");
  if (member != NULL && (!JSON_NODE_HOLDS_VALUE (member) ||
                         json_node_get_value_type (member) != G_TYPE_BOOLEAN))
    {
      key = g_strdup_printf ("%s.requires_manual_review", field);
      add_error (errors, key, "The requires_manual_review field must be true or false.");
      g_clear_pointer (&key, g_free);
    }

  check_nullable_time (update, "last_sync_attempt_at", field, errors);
  check_nullable_time (update, "sync_verified_at", field, errors);
  check_nullable_time (update, "manual_review_flagged_at", field, errors);
}

static void
apply_time (JsonObject *update,
            const char *name,
            CsTime     *out)
{
  const char *text;

  if (!json_object_has_member (update, name))
    return;

  text = _cs_sim_json_get_string (update, name);
  *out = CS_TIME_UNSET;
  if (text != NULL)
    cs_time_parse_iso8601 (text, out);
}

static void
apply_update (CsSyncTracking *t,
              JsonObject     *update)
{
  const char *text;
  gint64 count;

  text = _cs_sim_json_get_string (update, "calcom_sync_status");
  if (text != NULL)
    cs_sync_status_from_string (text, &t->status);

  if (json_object_has_member (update, "sync_error_code"))
    {
      t->sync_error_code = CS_ERROR_CODE_NONE;
      text = _cs_sim_json_get_string (update, "sync_error_code");
      if (text != NULL)
        cs_error_code_from_string (text, &t->sync_error_code);
    }

  if (json_object_has_member (update, "sync_error_message"))
    {
      g_free (t->sync_error_message);
      t->sync_error_message = g_strdup (_cs_sim_json_get_string (update, "sync_error_message"));
    }

  if (_cs_sim_json_get_int (update, "sync_attempt_count", &count))
    t->sync_attempt_count = (guint) CLAMP (count, 0, G_MAXUINT);

  if (json_object_has_member (update, "requires_manual_review"))
    t->requires_manual_review = json_object_get_boolean_member (update, "requires_manual_review");

  apply_time (update, "last_sync_attempt_at", &t->last_sync_attempt_at);
  apply_time (update, "sync_verified_at", &t->sync_verified_at);
  apply_time (update, "manual_review_flagged_at", &t->manual_review_flagged_at);
}

static void
handle_sync_status (CsSimServer *self,
                    CsSimCall   *request,
                    CsSimReply  *reply)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonObject) errors = json_object_new ();
  JsonObject *input = body_object (request, &node);
  JsonObject *data;
  JsonArray *updates;
  guint n, updated = 0;

  if (input == NULL || !json_object_has_member (input, "updates") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (input, "updates")))
    {
      add_error (errors, "updates", "The updates field is required and must be an array.");
      reply_invalid (reply, g_steal_pointer (&errors));
      return;
    }

  updates = json_object_get_array_member (input, "updates");
  n = json_array_get_length (updates);
  if (n > MAX_SYNC_UPDATES)
    {
      add_error (errors, "updates", "The updates field must not have more than 500 items.");
      reply_invalid (reply, g_steal_pointer (&errors));
      return;
    }

  /* All or nothing, as one validated request. */
  for (guint i = 0; i < n; i++)
    check_update (json_array_get_element (updates, i), i, errors);

  if (json_object_get_size (errors) > 0)
    {
      reply_invalid (reply, g_steal_pointer (&errors));
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      JsonObject *update = json_array_get_object_element (updates, i);
      CsSimAppointment *row;
      gint64 id;

      _cs_sim_json_get_int (update, "id", &id);
      row = cs_sim_dataset_lookup_appointment (self->dataset, id);
      if (row == NULL || row->appointment->deleted_at != CS_TIME_UNSET ||
          row->appointment->company_id != self->company_id)
        continue;

      /* The tracking fields are Calsync's report, not a change of the
       * appointment: `updated_at` stays, or every report would make the
       * next incremental sync fetch everything again. */
      apply_update (&row->appointment->sync, update);
      g_hash_table_replace (self->sync_updates, g_memdup2 (&id, sizeof id),
                            json_object_ref (update));
      updated++;
    }

  data = json_object_new ();
  json_object_set_int_member (data, "updated", updated);
  reply_data (reply, 200, data);
  reply->cacheable = TRUE;
}

/* POST /api/v1/audit-log */

static void
handle_audit_log (CsSimServer *self,
                  CsSimCall   *request,
                  CsSimReply  *reply)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonObject) errors = json_object_new ();
  JsonObject *input = body_object (request, &node);
  JsonObject *data;
  JsonArray *entries;
  guint n, accepted = 0;

  if (input == NULL || !json_object_has_member (input, "entries") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (input, "entries")))
    {
      add_error (errors, "entries", "The entries field is required and must be an array.");
      reply_invalid (reply, g_steal_pointer (&errors));
      return;
    }

  entries = json_object_get_array_member (input, "entries");
  n = json_array_get_length (entries);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *entry = json_array_get_element (entries, i);
      const char *key = NULL, *action = NULL;

      if (JSON_NODE_HOLDS_OBJECT (entry))
        {
          key = _cs_sim_json_get_string (json_node_get_object (entry), "key");
          action = _cs_sim_json_get_string (json_node_get_object (entry), "action");
        }

      if (key == NULL || key[0] == '\0')
        {
          g_autofree char *field = g_strdup_printf ("entries.%u.key", i);

          add_error (errors, field, "The key field is required.");
        }
      if (action == NULL || action[0] == '\0')
        {
          g_autofree char *field = g_strdup_printf ("entries.%u.action", i);

          add_error (errors, field, "The action field is required.");
        }
    }

  if (json_object_get_size (errors) > 0)
    {
      reply_invalid (reply, g_steal_pointer (&errors));
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);
      const char *key = _cs_sim_json_get_string (entry, "key");

      if (g_hash_table_contains (self->audit_seen, key))
        continue;

      g_hash_table_add (self->audit_seen, g_strdup (key));
      g_ptr_array_add (self->audit_keys, g_strdup (key));
      g_ptr_array_add (self->audit_entries, json_object_ref (entry));
      accepted++;
    }

  data = json_object_new ();
  json_object_set_int_member (data, "accepted", accepted);
  reply_data (reply, 201, data);
  reply->cacheable = TRUE;
}

/* Dispatch */

static gboolean
is_write (CsSimEndpoint endpoint)
{
  switch (endpoint)
    {
    case CS_SIM_ENDPOINT_BACKEND_CREATE:
    case CS_SIM_ENDPOINT_BACKEND_PATCH:
    case CS_SIM_ENDPOINT_BACKEND_CANCEL:
    case CS_SIM_ENDPOINT_BACKEND_SYNC_STATUS:
    case CS_SIM_ENDPOINT_BACKEND_AUDIT_LOG:
      return TRUE;

    case CS_SIM_ENDPOINT_UNKNOWN:
    case CS_SIM_ENDPOINT_CALCOM_ME:
    case CS_SIM_ENDPOINT_CALCOM_LIST:
    case CS_SIM_ENDPOINT_CALCOM_GET:
    case CS_SIM_ENDPOINT_CALCOM_CREATE:
    case CS_SIM_ENDPOINT_CALCOM_CANCEL:
    case CS_SIM_ENDPOINT_CALCOM_RESCHEDULE:
    case CS_SIM_ENDPOINT_CALCOM_EVENT_TYPE:
    case CS_SIM_ENDPOINT_BACKEND_ME:
    case CS_SIM_ENDPOINT_BACKEND_LIST:
    case CS_SIM_ENDPOINT_BACKEND_GET:
    default:
      return FALSE;
    }
}

static void
handle_write (CsSimServer *self,
              CsSimCall   *request,
              CsSimReply  *reply)
{
  switch (request->endpoint)
    {
    case CS_SIM_ENDPOINT_BACKEND_CREATE:
      handle_create (self, request, reply);
      break;

    case CS_SIM_ENDPOINT_BACKEND_PATCH:
      handle_patch (self, request, reply);
      break;

    case CS_SIM_ENDPOINT_BACKEND_CANCEL:
      handle_cancel (self, request, reply);
      break;

    case CS_SIM_ENDPOINT_BACKEND_SYNC_STATUS:
      handle_sync_status (self, request, reply);
      break;

    case CS_SIM_ENDPOINT_BACKEND_AUDIT_LOG:
      handle_audit_log (self, request, reply);
      break;

    case CS_SIM_ENDPOINT_UNKNOWN:
    case CS_SIM_ENDPOINT_CALCOM_ME:
    case CS_SIM_ENDPOINT_CALCOM_LIST:
    case CS_SIM_ENDPOINT_CALCOM_GET:
    case CS_SIM_ENDPOINT_CALCOM_CREATE:
    case CS_SIM_ENDPOINT_CALCOM_CANCEL:
    case CS_SIM_ENDPOINT_CALCOM_RESCHEDULE:
    case CS_SIM_ENDPOINT_CALCOM_EVENT_TYPE:
    case CS_SIM_ENDPOINT_BACKEND_ME:
    case CS_SIM_ENDPOINT_BACKEND_LIST:
    case CS_SIM_ENDPOINT_BACKEND_GET:
    default:
      g_assert_not_reached ();
    }
}

/* Every write carries an idempotency key: a repeated key gets the first
 * answer and changes nothing. Only answers of work done (2xx, and the 409
 * of a duplicate) are kept; a refused request may be sent again and
 * succeed. */
static void
handle_idempotent (CsSimServer *self,
                   CsSimCall   *request,
                   CsSimReply  *reply)
{
  const char *key = soup_message_headers_get_one (request->headers, "Idempotency-Key");
  SimCachedReply *cached;

  if (key == NULL || key[0] == '\0')
    {
      JsonObject *errors = json_object_new ();

      add_error (errors, "Idempotency-Key", "The Idempotency-Key header is required.");
      _cs_sim_backend_error (reply, 422, "The Idempotency-Key header is required.", errors);
      return;
    }

  cached = g_hash_table_lookup (self->idempotency, key);
  if (cached != NULL)
    {
      reply->status = cached->status;
      reply->content_type = cached->content_type;
      reply->raw = g_bytes_ref (cached->body);
      _cs_sim_reply_add_header (reply, "Idempotent-Replayed", "true");
      return;
    }

  handle_write (self, request, reply);

  if (reply->cacheable)
    {
      _cs_sim_reply_freeze (reply);
      cached = g_new0 (SimCachedReply, 1);
      cached->status = reply->status;
      cached->content_type = reply->content_type;
      cached->body = g_bytes_ref (reply->raw);
      g_hash_table_insert (self->idempotency, g_strdup (key), cached);
    }
}

void
_cs_sim_backend_handle (CsSimServer *self,
                        CsSimCall   *request,
                        CsSimReply  *reply)
{
  if (!_cs_sim_check_bearer (request, self->backend_token))
    {
      _cs_sim_backend_error (reply, 401, NULL, NULL);
      return;
    }

  if (request->endpoint == CS_SIM_ENDPOINT_UNKNOWN)
    {
      g_autofree char *message = g_strdup_printf ("The route %s could not be found.",
                                                  request->path + 1);

      _cs_sim_backend_error (reply, 404, message, NULL);
      return;
    }

  if (is_write (request->endpoint))
    {
      if (g_strcmp0 (self->role, "staff") == 0)
        {
          _cs_sim_backend_error (reply, 403, NULL, NULL);
          return;
        }

      handle_idempotent (self, request, reply);
      return;
    }

  switch (request->endpoint)
    {
    case CS_SIM_ENDPOINT_BACKEND_ME:
      handle_me (self, reply);
      break;

    case CS_SIM_ENDPOINT_BACKEND_LIST:
      handle_list (self, request, reply);
      break;

    case CS_SIM_ENDPOINT_BACKEND_GET:
      handle_get (self, request, reply);
      break;

    case CS_SIM_ENDPOINT_UNKNOWN:
    case CS_SIM_ENDPOINT_CALCOM_ME:
    case CS_SIM_ENDPOINT_CALCOM_LIST:
    case CS_SIM_ENDPOINT_CALCOM_GET:
    case CS_SIM_ENDPOINT_CALCOM_CREATE:
    case CS_SIM_ENDPOINT_CALCOM_CANCEL:
    case CS_SIM_ENDPOINT_CALCOM_RESCHEDULE:
    case CS_SIM_ENDPOINT_CALCOM_EVENT_TYPE:
    case CS_SIM_ENDPOINT_BACKEND_CREATE:
    case CS_SIM_ENDPOINT_BACKEND_PATCH:
    case CS_SIM_ENDPOINT_BACKEND_CANCEL:
    case CS_SIM_ENDPOINT_BACKEND_SYNC_STATUS:
    case CS_SIM_ENDPOINT_BACKEND_AUDIT_LOG:
    default:
      g_assert_not_reached ();
    }
}
