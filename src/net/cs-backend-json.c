/* cs-backend-json.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-backend-json.h"
#include "cs-json-util.h"
#include "cs-net-error.h"

/*
 * The CRM backend's answers (backend-api.md, v1), read strictly: a row that
 * lacks a required field or carries an ill-typed or absurd one is rejected
 * on its own with a logged reason; a row of another company is never
 * returned. Reasons name the index, the row's id and the field, never a
 * value: rows carry customers' names, e-mail addresses and phone numbers.
 */

/* Laravel lists every invalid field; the first few fill 300 characters. */
#define MAX_ERROR_FIELDS 16

typedef enum
{
  ROW_OK,
  ROW_REJECTED,
  ROW_FOREIGN,
} RowResult;

static const char * const role_names[] = {
  [CS_ROLE_ADMIN] = "admin",
  [CS_ROLE_MANAGER] = "manager",
  [CS_ROLE_STAFF] = "staff",
};

/**
 * cs_role_to_string:
 * @role: a role
 *
 * Returns: (nullable): the role's name in the backend API, or %NULL for an
 *   unknown value
 */
const char *
cs_role_to_string (CsRole role)
{
  if ((guint) role >= G_N_ELEMENTS (role_names))
    return NULL;

  return role_names[role];
}

/**
 * cs_role_from_string:
 * @str: (nullable): a role's name
 * @role: (out): the role
 *
 * Returns: %TRUE if @str is `admin`, `manager` or `staff`
 */
gboolean
cs_role_from_string (const char *str,
                     CsRole     *role)
{
  g_return_val_if_fail (role != NULL, FALSE);

  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (role_names); i++)
    {
      if (strcmp (role_names[i], str) == 0)
        {
          *role = (CsRole) i;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * cs_role_may_act:
 * @role: a role
 *
 * Returns: %TRUE if @role may run resolution actions (admin and manager)
 */
gboolean
cs_role_may_act (CsRole role)
{
  return role == CS_ROLE_ADMIN || role == CS_ROLE_MANAGER;
}

/**
 * cs_backend_me_free:
 * @me: (nullable): a /me answer
 */
void
cs_backend_me_free (CsBackendMe *me)
{
  if (me == NULL)
    return;

  g_free (me->user_name);
  g_free (me->company_name);
  g_free (me->time_zone);
  g_free (me);
}

static JsonObject *
parse_root_object (GBytes     *body,
                   JsonNode  **root,
                   GError    **error)
{
  *root = cs_json_parse_bytes (body, error);
  if (*root == NULL)
    return NULL;

  if (!JSON_NODE_HOLDS_OBJECT (*root))
    {
      g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                           "The CRM's answer is not a JSON object");
      return NULL;
    }

  return json_node_get_object (*root);
}

/* `number` is a string in the contract; an integer is taken as well, as a
 * Laravel model may cast it so. */
static gboolean
parse_number (JsonObject  *object,
              char       **number,
              GError     **error)
{
  JsonNode *node = json_object_get_member (object, "number");

  *number = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) != G_TYPE_STRING)
    {
      gint64 value = 0;

      if (!cs_json_node_get_int (node, "number", G_MININT64, G_MAXINT64, &value, error))
        return FALSE;

      *number = g_strdup_printf ("%" G_GINT64_FORMAT, value);
      return TRUE;
    }

  return cs_json_dup_string (object, "number", CS_JSON_OPTIONAL, number, error);
}

static gboolean
parse_customer (JsonObject     *customer,
                CsAppointment  *appointment,
                GError        **error)
{
  if (!cs_json_dup_string (customer, "name", CS_JSON_OPTIONAL, &appointment->customer_name,
                           error) ||
      !cs_json_dup_string (customer, "email", CS_JSON_OPTIONAL, &appointment->customer_email,
                           error) ||
      !cs_json_dup_string (customer, "phone", CS_JSON_OPTIONAL, &appointment->customer_phone,
                           error))
    {
      g_prefix_error (error, "customer: ");
      return FALSE;
    }

  return TRUE;
}

static gboolean
parse_sync (JsonObject      *sync,
            CsSyncTracking  *tracking,
            GError         **error)
{
  const char *status = NULL;
  const char *code = NULL;

  cs_sync_tracking_clear (tracking);

  if (!cs_json_get_string (sync, "calcom_sync_status", CS_JSON_OPTIONAL, &status, error) ||
      !cs_json_get_time (sync, "last_sync_attempt_at", CS_JSON_OPTIONAL,
                         &tracking->last_sync_attempt_at, error) ||
      !cs_json_get_uint (sync, "sync_attempt_count", CS_JSON_OPTIONAL,
                         &tracking->sync_attempt_count, error) ||
      !cs_json_dup_string (sync, "sync_error_message", CS_JSON_OPTIONAL,
                           &tracking->sync_error_message, error) ||
      !cs_json_get_string (sync, "sync_error_code", CS_JSON_OPTIONAL, &code, error) ||
      !cs_json_get_time (sync, "sync_verified_at", CS_JSON_OPTIONAL,
                         &tracking->sync_verified_at, error) ||
      !cs_json_get_boolean (sync, "requires_manual_review", CS_JSON_OPTIONAL,
                            &tracking->requires_manual_review, error) ||
      !cs_json_get_time (sync, "manual_review_flagged_at", CS_JSON_OPTIONAL,
                         &tracking->manual_review_flagged_at, error))
    goto failed;

  if (status != NULL && !cs_sync_status_from_string (status, &tracking->status))
    {
      g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                           "“calcom_sync_status” is unknown");
      goto failed;
    }

  if (code != NULL && !cs_error_code_from_string (code, &tracking->sync_error_code))
    {
      g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                           "“sync_error_code” is unknown");
      goto failed;
    }

  return TRUE;

failed:
  g_prefix_error (error, "sync: ");
  return FALSE;
}

static RowResult
parse_appointment (JsonObject     *object,
                   gint64          company_id,
                   gint64         *row_id,
                   CsAppointment **out,
                   GError        **error)
{
  g_autoptr(CsAppointment) appointment = cs_appointment_new ();
  const char *status = NULL;
  const char *reason = NULL;
  JsonObject *customer = NULL;
  JsonObject *sync = NULL;

  *row_id = 0;
  *out = NULL;

  if (!cs_json_get_int (object, "id", CS_JSON_REQUIRED, 1, G_MAXINT64, &appointment->id, error))
    return ROW_REJECTED;

  *row_id = appointment->id;

  if (!cs_json_get_int (object, "company_id", CS_JSON_REQUIRED, 1, G_MAXINT64,
                        &appointment->company_id, error))
    return ROW_REJECTED;

  if (appointment->company_id != company_id)
    return ROW_FOREIGN;

  if (!parse_number (object, &appointment->number, error) ||
      !cs_json_get_time (object, "starts_at", CS_JSON_REQUIRED, &appointment->starts_at, error) ||
      !cs_json_get_time (object, "ends_at", CS_JSON_REQUIRED, &appointment->ends_at, error) ||
      !cs_json_get_string (object, "status", CS_JSON_REQUIRED, &status, error) ||
      !cs_json_dup_string (object, "title", CS_JSON_OPTIONAL, &appointment->title, error) ||
      !cs_json_get_object (object, "customer", CS_JSON_OPTIONAL, &customer, error) ||
      !cs_json_dup_string (object, "calcom_booking_uid", CS_JSON_OPTIONAL,
                           &appointment->calcom_booking_uid, error) ||
      !cs_json_get_int (object, "calcom_event_type_id", CS_JSON_OPTIONAL, 1, G_MAXINT64,
                        &appointment->calcom_event_type_id, error) ||
      !cs_json_dup_string (object, "source", CS_JSON_OPTIONAL, &appointment->source, error) ||
      !cs_json_get_time (object, "created_at", CS_JSON_OPTIONAL, &appointment->created_at,
                         error) ||
      !cs_json_get_time (object, "updated_at", CS_JSON_OPTIONAL, &appointment->updated_at,
                         error) ||
      !cs_json_get_time (object, "deleted_at", CS_JSON_OPTIONAL, &appointment->deleted_at,
                         error) ||
      !cs_json_get_object (object, "sync", CS_JSON_OPTIONAL, &sync, error))
    return ROW_REJECTED;

  if (!cs_crm_status_from_string (status, &appointment->status))
    {
      g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                           "“status” is unknown");
      return ROW_REJECTED;
    }

  if (appointment->ends_at < appointment->starts_at)
    {
      g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                           "“ends_at” is before “starts_at”");
      return ROW_REJECTED;
    }

  /* An empty uid links nothing. */
  if (appointment->calcom_booking_uid != NULL && appointment->calcom_booking_uid[0] == '\0')
    g_clear_pointer (&appointment->calcom_booking_uid, g_free);

  if (customer != NULL && !parse_customer (customer, appointment, error))
    return ROW_REJECTED;

  if (sync != NULL && !parse_sync (sync, &appointment->sync, error))
    return ROW_REJECTED;

  if (!cs_appointment_is_valid (appointment, &reason))
    {
      g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE, reason);
      return ROW_REJECTED;
    }

  *out = g_steal_pointer (&appointment);
  return ROW_OK;
}

/* The id of a list element, if it has a readable one, even when the row
 * itself is refused: the pager compares page boundaries by it. */
static char *
element_id (JsonNode *node)
{
  gint64 id = 0;

  if (!JSON_NODE_HOLDS_OBJECT (node) ||
      !cs_json_get_int (json_node_get_object (node), "id", CS_JSON_REQUIRED, 1, G_MAXINT64, &id,
                        NULL))
    return NULL;

  return g_strdup_printf ("%" G_GINT64_FORMAT, id);
}

/**
 * cs_backend_parse_appointments_page:
 * @body: the body of a `GET /api/v1/appointments` answer
 * @company_id: the signed-in company, from /me
 * @page: (out caller-allocates) (optional): the answer's `meta`
 * @n_rejected: (out) (optional): how many rows were rejected as invalid
 * @n_foreign: (out) (optional): how many rows of another company were
 *   rejected
 * @keys: (out caller-allocates) (optional): the ids (in decimal) of the
 *   first and last row and of the invalid rows (where the id could be
 *   read); clear with cs_json_page_keys_clear()
 * @error: return location for a #CS_NET_ERROR
 *
 * Reads a page of appointments. A row needs `id`, `company_id`,
 * `starts_at`, `ends_at` (with offsets, not before the start) and a known
 * `status`; the optional fields it has, `sync` included, must be well
 * typed. Invalid rows are left out, counted in @n_rejected and logged by
 * id (or index) and field; rows of another company are left out, counted
 * in @n_foreign and logged by id. Unknown members are ignored.
 *
 * Returns: (transfer full) (element-type CsAppointment) (nullable):
 *   the appointments, or %NULL with %CS_NET_ERROR_INVALID_RESPONSE if the
 *   body is not JSON, is truncated or lacks `data` or `meta`
 */
GPtrArray *
cs_backend_parse_appointments_page (GBytes         *body,
                                    gint64          company_id,
                                    CsBackendPage  *page,
                                    guint          *n_rejected,
                                    guint          *n_foreign,
                                    CsJsonPageKeys *keys,
                                    GError        **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) appointments = NULL;
  CsBackendPage local_page = { 0 };
  JsonObject *object;
  JsonObject *meta = NULL;
  JsonArray *data = NULL;
  guint rejected = 0;
  guint foreign = 0;
  guint length;

  g_return_val_if_fail (company_id > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (page != NULL)
    *page = (CsBackendPage) { 0 };
  if (n_rejected != NULL)
    *n_rejected = 0;
  if (n_foreign != NULL)
    *n_foreign = 0;
  if (keys != NULL)
    *keys = (CsJsonPageKeys) { NULL };

  object = parse_root_object (body, &root, error);
  if (object == NULL)
    return NULL;

  if (!cs_json_get_array (object, "data", CS_JSON_REQUIRED, &data, error) ||
      !cs_json_get_object (object, "meta", CS_JSON_REQUIRED, &meta, error) ||
      !cs_json_get_uint (meta, "current_page", CS_JSON_REQUIRED, &local_page.current_page,
                         error) ||
      !cs_json_get_uint (meta, "last_page", CS_JSON_REQUIRED, &local_page.last_page, error) ||
      !cs_json_get_uint (meta, "per_page", CS_JSON_REQUIRED, &local_page.per_page, error) ||
      !cs_json_get_uint (meta, "total", CS_JSON_REQUIRED, &local_page.total, error))
    {
      g_prefix_error (error, "The CRM's appointment list is not in the expected shape: ");
      return NULL;
    }

  length = json_array_get_length (data);
  appointments = g_ptr_array_new_full (length, (GDestroyNotify) cs_appointment_free);

  for (guint i = 0; i < length; i++)
    {
      JsonNode *node = json_array_get_element (data, i);
      g_autoptr(GError) local_error = NULL;
      CsAppointment *appointment = NULL;
      gint64 row_id = 0;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          rejected++;
          g_message ("Refused the CRM appointment at index %u: the element is not an object", i);
          continue;
        }

      switch (parse_appointment (json_node_get_object (node), company_id,
                                 &row_id, &appointment, &local_error))
        {
        case ROW_OK:
          g_ptr_array_add (appointments, appointment);
          break;

        case ROW_FOREIGN:
          foreign++;
          g_debug ("Rejected CRM appointment %" G_GINT64_FORMAT ": it belongs to another company",
                     row_id);
          break;

        case ROW_REJECTED:
        default:
          /* Said where it can be seen: the appointment's booking is left
           * undecided rather than orphaned, and someone may ask why. */
          rejected++;
          if (row_id > 0)
            {
              g_message ("Refused CRM appointment %" G_GINT64_FORMAT " (index %u): %s",
                         row_id, i, local_error->message);
              if (keys != NULL)
                {
                  if (keys->refused == NULL)
                    keys->refused = g_ptr_array_new_with_free_func (g_free);
                  g_ptr_array_add (keys->refused, g_strdup_printf ("%" G_GINT64_FORMAT, row_id));
                }
            }
          else
            g_message ("Refused the CRM appointment at index %u: %s", i, local_error->message);
          break;
        }
    }

  if (keys != NULL && length > 0)
    {
      keys->first = element_id (json_array_get_element (data, 0));
      keys->last = element_id (json_array_get_element (data, length - 1));
    }

  if (page != NULL)
    *page = local_page;
  if (n_rejected != NULL)
    *n_rejected = rejected;
  if (n_foreign != NULL)
    *n_foreign = foreign;

  return g_steal_pointer (&appointments);
}

/**
 * cs_backend_parse_appointment_response:
 * @body: a `{"data": Appointment}` answer
 * @company_id: the signed-in company, from /me
 * @error: return location for a #CS_NET_ERROR
 *
 * Reads one appointment with the rules of
 * cs_backend_parse_appointments_page().
 *
 * Returns: (transfer full) (nullable): the appointment, or %NULL with
 *   %CS_NET_ERROR_WRONG_COMPANY for another company's row or
 *   %CS_NET_ERROR_INVALID_RESPONSE with the reason
 */
CsAppointment *
cs_backend_parse_appointment_response (GBytes  *body,
                                       gint64   company_id,
                                       GError **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  CsAppointment *appointment = NULL;
  JsonObject *object;
  JsonObject *data = NULL;
  gint64 row_id = 0;

  g_return_val_if_fail (company_id > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  object = parse_root_object (body, &root, error);
  if (object == NULL)
    return NULL;

  if (!cs_json_get_object (object, "data", CS_JSON_REQUIRED, &data, error))
    {
      g_prefix_error (error, "The CRM's answer is not in the expected shape: ");
      return NULL;
    }

  switch (parse_appointment (data, company_id, &row_id, &appointment, &local_error))
    {
    case ROW_OK:
      return appointment;

    case ROW_FOREIGN:
      g_message ("Rejected CRM appointment %" G_GINT64_FORMAT ": it belongs to another company",
                 row_id);
      g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_WRONG_COMPANY,
                           "The CRM answered with an appointment of another company");
      return NULL;

    case ROW_REJECTED:
    default:
      g_set_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                   "The CRM's appointment is invalid: %s", local_error->message);
      return NULL;
    }
}

/**
 * cs_backend_parse_me:
 * @body: the body of a `GET /api/v1/me` answer
 * @error: return location for a #CS_NET_ERROR
 *
 * Requires `user.id`, a known `user.role` and `company.id`; the names and
 * the time zone may be missing or null.
 *
 * Returns: (transfer full) (nullable): the user and company, or %NULL with
 *   %CS_NET_ERROR_INVALID_RESPONSE
 */
CsBackendMe *
cs_backend_parse_me (GBytes  *body,
                     GError **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(CsBackendMe) me = NULL;
  JsonObject *object;
  JsonObject *data = NULL;
  JsonObject *user = NULL;
  JsonObject *company = NULL;
  const char *role = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  object = parse_root_object (body, &root, error);
  if (object == NULL)
    return NULL;

  me = g_new0 (CsBackendMe, 1);

  if (!cs_json_get_object (object, "data", CS_JSON_REQUIRED, &data, error) ||
      !cs_json_get_object (data, "user", CS_JSON_REQUIRED, &user, error) ||
      !cs_json_get_object (data, "company", CS_JSON_REQUIRED, &company, error))
    goto failed;

  if (!cs_json_get_int (user, "id", CS_JSON_REQUIRED, 1, G_MAXINT64, &me->user_id, error) ||
      !cs_json_dup_string (user, "name", CS_JSON_OPTIONAL, &me->user_name, error) ||
      !cs_json_get_string (user, "role", CS_JSON_REQUIRED, &role, error))
    {
      g_prefix_error (error, "user: ");
      goto failed;
    }

  if (!cs_role_from_string (role, &me->role))
    {
      g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                           "user: “role” is unknown");
      goto failed;
    }

  if (!cs_json_get_int (company, "id", CS_JSON_REQUIRED, 1, G_MAXINT64, &me->company_id,
                        error) ||
      !cs_json_dup_string (company, "name", CS_JSON_OPTIONAL, &me->company_name, error) ||
      !cs_json_dup_string (company, "timezone", CS_JSON_OPTIONAL, &me->time_zone, error))
    {
      g_prefix_error (error, "company: ");
      goto failed;
    }

  return g_steal_pointer (&me);

failed:
  g_prefix_error (error, "The CRM's /me answer is invalid: ");
  return NULL;
}

/**
 * cs_backend_parse_count:
 * @body: a `{"data": {"updated": N}}` or `{"data": {"accepted": N}}` answer
 * @member: the count's name, e.g. "updated"
 * @count: (out) (optional): the count
 * @error: return location for a #CS_NET_ERROR
 *
 * Returns: %TRUE if @body holds the count, or %FALSE with
 *   %CS_NET_ERROR_INVALID_RESPONSE
 */
gboolean
cs_backend_parse_count (GBytes      *body,
                        const char  *member,
                        guint       *count,
                        GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  JsonObject *data = NULL;
  guint value = 0;

  g_return_val_if_fail (member != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (count != NULL)
    *count = 0;

  object = parse_root_object (body, &root, error);
  if (object == NULL)
    return FALSE;

  if (!cs_json_get_object (object, "data", CS_JSON_REQUIRED, &data, error) ||
      !cs_json_get_uint (data, member, CS_JSON_REQUIRED, &value, error))
    {
      g_prefix_error (error, "The CRM's answer is not in the expected shape: ");
      return FALSE;
    }

  if (count != NULL)
    *count = value;

  return TRUE;
}

/* The first message of a Laravel `errors` entry: a list of strings, or a
 * string. */
static const char *
first_field_error (JsonNode *node)
{
  const char *text = NULL;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      if (json_array_get_length (array) == 0)
        return NULL;

      node = json_array_get_element (array, 0);
    }

  if (!cs_json_node_get_string (node, "errors", &text, NULL))
    return NULL;

  return text;
}

/**
 * cs_backend_parse_error_message:
 * @body: (nullable): the body of a failed request
 *
 * Reads Laravel's error shape, `{"message": …, "errors": {"field": […]}}`,
 * into "message (field: first error; other: first error)".
 *
 * Returns: (transfer full) (nullable): the message, cleaned and cut to
 *   %CS_JSON_MAX_MESSAGE_CHARS characters, or %NULL if @body is not that
 *   shape
 */
char *
cs_backend_parse_error_message (GBytes *body)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GString) text = NULL;
  JsonObject *object;
  JsonObject *errors = NULL;
  const char *message = NULL;

  object = parse_root_object (body, &root, NULL);
  if (object == NULL)
    return NULL;

  if (!cs_json_get_string (object, "message", CS_JSON_REQUIRED, &message, NULL))
    return NULL;

  text = g_string_new (message);

  if (cs_json_get_object (object, "errors", CS_JSON_OPTIONAL, &errors, NULL) && errors != NULL)
    {
      JsonObjectIter iter;
      const char *field;
      JsonNode *node;
      guint n_fields = 0;

      json_object_iter_init_ordered (&iter, errors);
      while (n_fields < MAX_ERROR_FIELDS && json_object_iter_next_ordered (&iter, &field, &node))
        {
          const char *first = first_field_error (node);

          if (first == NULL || !cs_json_check_text (field, "errors", NULL))
            continue;

          g_string_append (text, n_fields == 0 ? " (" : "; ");
          g_string_append_printf (text, "%s: %s", field, first);
          n_fields++;
        }

      if (n_fields > 0)
        g_string_append_c (text, ')');
    }

  return cs_json_clean_message (text->str);
}

/**
 * cs_backend_build_sync_status:
 * @appointments: (array length=n): the appointments whose tracking fields
 *   are reported
 * @n: how many, at most %CS_BACKEND_MAX_SYNC_STATUS_UPDATES
 *
 * Builds the body of `PATCH /api/v1/appointments/sync-status`: for each
 * appointment its id and the eight tracking fields, unset times and the
 * absent error as null.
 *
 * Returns: (transfer full): the compact JSON body
 */
GBytes *
cs_backend_build_sync_status (CsAppointment * const *appointments,
                              guint                  n)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_val_if_fail (appointments != NULL || n == 0, NULL);
  g_return_val_if_fail (n <= CS_BACKEND_MAX_SYNC_STATUS_UPDATES, NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "updates");
  json_builder_begin_array (builder);

  for (guint i = 0; i < n; i++)
    {
      const CsAppointment *appointment = appointments[i];
      const CsSyncTracking *sync;

      g_return_val_if_fail (appointment != NULL, NULL);
      sync = &appointment->sync;

      json_builder_begin_object (builder);

      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, appointment->id);

      cs_json_builder_add_string (builder, "calcom_sync_status",
                                  cs_sync_status_to_string (sync->status));
      cs_json_builder_add_time (builder, "last_sync_attempt_at", sync->last_sync_attempt_at);

      json_builder_set_member_name (builder, "sync_attempt_count");
      json_builder_add_int_value (builder, sync->sync_attempt_count);

      cs_json_builder_add_string (builder, "sync_error_message", sync->sync_error_message);
      cs_json_builder_add_string (builder, "sync_error_code",
                                  cs_error_code_to_string (sync->sync_error_code));
      cs_json_builder_add_time (builder, "sync_verified_at", sync->sync_verified_at);

      json_builder_set_member_name (builder, "requires_manual_review");
      json_builder_add_boolean_value (builder, sync->requires_manual_review);

      cs_json_builder_add_time (builder, "manual_review_flagged_at",
                                sync->manual_review_flagged_at);

      json_builder_end_object (builder);
    }

  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return cs_json_builder_to_bytes (builder);
}

static void
add_id_or_null (JsonBuilder *builder,
                const char  *member,
                gint64       id)
{
  json_builder_set_member_name (builder, member);

  if (id > 0)
    json_builder_add_int_value (builder, id);
  else
    json_builder_add_null_value (builder);
}

/**
 * cs_backend_build_audit_log:
 * @entries: (array length=n): the entries
 * @n: how many
 *
 * Builds the body of `POST /api/v1/audit-log`. An id of 0 and an unset
 * time are sent as null.
 *
 * Returns: (transfer full): the compact JSON body
 */
GBytes *
cs_backend_build_audit_log (const CsBackendAuditEntry *entries,
                            guint                      n)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_val_if_fail (entries != NULL || n == 0, NULL);

  for (guint i = 0; i < n; i++)
    {
      g_return_val_if_fail (entries[i].key != NULL, NULL);
      g_return_val_if_fail (entries[i].action != NULL, NULL);
      g_return_val_if_fail (entries[i].result != NULL, NULL);
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "entries");
  json_builder_begin_array (builder);

  for (guint i = 0; i < n; i++)
    {
      const CsBackendAuditEntry *entry = &entries[i];

      json_builder_begin_object (builder);
      cs_json_builder_add_string (builder, "key", entry->key);
      add_id_or_null (builder, "appointment_id", entry->appointment_id);
      cs_json_builder_add_string (builder, "action", entry->action);
      cs_json_builder_add_string (builder, "result", entry->result);
      cs_json_builder_add_string (builder, "note", entry->note);
      cs_json_builder_add_time (builder, "performed_at", entry->performed_at);
      add_id_or_null (builder, "performed_by", entry->performed_by);
      json_builder_end_object (builder);
    }

  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return cs_json_builder_to_bytes (builder);
}

/**
 * cs_backend_build_create_appointment:
 * @booking: the Cal.com booking the appointment is made from
 * @title: (nullable): the appointment's title; %NULL takes the booking's,
 *   and an empty one if that is missing too (the contract requires the member)
 * @customer_name: (nullable): left out if %NULL
 * @customer_email: (nullable): left out if %NULL
 * @customer_phone: (nullable): left out if %NULL
 *
 * Builds the body of `POST /api/v1/appointments`: the booking's start, end
 * and uid, the title and customer, and `source: "calcom"`.
 *
 * Returns: (transfer full): the compact JSON body
 */
GBytes *
cs_backend_build_create_appointment (const CsBooking *booking,
                                     const char      *title,
                                     const char      *customer_name,
                                     const char      *customer_email,
                                     const char      *customer_phone)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_val_if_fail (booking != NULL, NULL);
  g_return_val_if_fail (booking->uid != NULL, NULL);
  g_return_val_if_fail (booking->start != CS_TIME_UNSET, NULL);
  g_return_val_if_fail (booking->end != CS_TIME_UNSET, NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);

  cs_json_builder_add_time (builder, "starts_at", booking->start);
  cs_json_builder_add_time (builder, "ends_at", booking->end);
  cs_json_builder_add_string (builder, "title",
                              title != NULL ? title : booking->title != NULL ? booking->title : "");

  json_builder_set_member_name (builder, "customer");
  json_builder_begin_object (builder);
  if (customer_name != NULL)
    cs_json_builder_add_string (builder, "name", customer_name);
  if (customer_email != NULL)
    cs_json_builder_add_string (builder, "email", customer_email);
  if (customer_phone != NULL)
    cs_json_builder_add_string (builder, "phone", customer_phone);
  json_builder_end_object (builder);

  cs_json_builder_add_string (builder, "calcom_booking_uid", booking->uid);
  cs_json_builder_add_string (builder, "source", "calcom");

  json_builder_end_object (builder);

  return cs_json_builder_to_bytes (builder);
}

/**
 * cs_backend_build_patch_appointment:
 * @starts_at: the new start, or %CS_TIME_UNSET to leave it
 * @ends_at: the new end, or %CS_TIME_UNSET to leave it
 * @status: (nullable): the new CRM status (`scheduled`, …), or %NULL
 * @booking_uid: (nullable): the booking to link, or %NULL
 *
 * Builds the body of `PATCH /api/v1/appointments/{id}` with the members
 * that are set.
 *
 * Returns: (transfer full): the compact JSON body
 */
GBytes *
cs_backend_build_patch_appointment (CsTime      starts_at,
                                    CsTime      ends_at,
                                    const char *status,
                                    const char *booking_uid)
{
  g_autoptr(JsonBuilder) builder = NULL;
  CsCrmStatus crm_status;

  g_return_val_if_fail (status == NULL || cs_crm_status_from_string (status, &crm_status), NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);

  if (starts_at != CS_TIME_UNSET)
    cs_json_builder_add_time (builder, "starts_at", starts_at);
  if (ends_at != CS_TIME_UNSET)
    cs_json_builder_add_time (builder, "ends_at", ends_at);
  if (status != NULL)
    cs_json_builder_add_string (builder, "status", status);
  if (booking_uid != NULL)
    cs_json_builder_add_string (builder, "calcom_booking_uid", booking_uid);

  json_builder_end_object (builder);

  return cs_json_builder_to_bytes (builder);
}

/**
 * cs_backend_build_cancel:
 * @reason: (nullable): why the appointment is cancelled
 *
 * Builds the body of `POST /api/v1/appointments/{id}/cancel`.
 *
 * Returns: (transfer full): `{"reason": …}`; the member is required by the
 *   contract, so a %NULL reason is sent as an empty one
 */
GBytes *
cs_backend_build_cancel (const char *reason)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  cs_json_builder_add_string (builder, "reason", reason != NULL ? reason : "");
  json_builder_end_object (builder);

  return cs_json_builder_to_bytes (builder);
}
