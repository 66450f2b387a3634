/* cs-backend-client.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cs-backend-client.h"
#include "cs-net-error.h"
#include "cs-pager-private.h"
#include "cs-write.h"

/**
 * CsBackendClient:
 *
 * The client of the company's CRM backend (API v1, backend-api.md): who
 * the token belongs to, the appointments of a window (every page), one
 * appointment, the writes of the resolution actions, the sync-status
 * report and the audit log.
 *
 * The company of the token (from `/me`) scopes everything: rows of another
 * company are refused and counted. Every write carries an
 * `Idempotency-Key` (the caller's, so an outbox replay repeats it; else a
 * fresh one), so a retried write is done once.
 */
struct _CsBackendClient
{
  GObject       parent_instance;

  CsHttpClient *http;
  gint64        company_id;
  guint         page_size;
};

G_DEFINE_FINAL_TYPE (CsBackendClient, cs_backend_client, G_TYPE_OBJECT)

#define API_PREFIX     "/api/v1"
#define PAGE_SIZE      CS_BACKEND_BATCH_SIZE
#define MAX_PAGES      2000
#define MAX_IN_FLIGHT  4

typedef void (*Continuation) (GTask *task);

typedef struct
{
  CsBackendClient *self;
  Continuation     next;

  /* The operation's own data. */
  char            *method;
  char            *path;
  GBytes          *body;
  char            *idempotency_key;
  gboolean         accept_conflict;
  gboolean         existed;

  char            *starts_after;
  char            *starts_before;
  char            *updated_since;
  guint            page_size;
  guint            n_rejected;
  guint            n_foreign;
  GArray          *refused_ids;

  GPtrArray       *appointments;
  guint            offset;
  guint            batch;
  guint            counted;
} OpData;

static void
op_data_free (OpData *data)
{
  g_free (data->method);
  g_free (data->path);
  g_clear_pointer (&data->body, g_bytes_unref);
  g_free (data->idempotency_key);
  g_free (data->starts_after);
  g_free (data->starts_before);
  g_free (data->updated_since);
  g_clear_pointer (&data->refused_ids, g_array_unref);
  g_clear_pointer (&data->appointments, g_ptr_array_unref);
  g_free (data);
}

/**
 * cs_backend_listing_free:
 * @listing: (nullable): a listing
 */
void
cs_backend_listing_free (CsBackendListing *listing)
{
  if (listing == NULL)
    return;

  g_clear_pointer (&listing->appointments, g_ptr_array_unref);
  g_clear_pointer (&listing->refused_ids, g_array_unref);
  g_free (listing);
}

static void
cs_backend_client_dispose (GObject *object)
{
  CsBackendClient *self = CS_BACKEND_CLIENT (object);

  g_clear_object (&self->http);

  G_OBJECT_CLASS (cs_backend_client_parent_class)->dispose (object);
}

static void
cs_backend_client_class_init (CsBackendClientClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cs_backend_client_dispose;
}

static void
cs_backend_client_init (CsBackendClient *self)
{
  self->page_size = PAGE_SIZE;
}

/**
 * cs_backend_client_new:
 * @base_url: the CRM's base URL, e.g. `https://crm.example.com`
 * @clock: (nullable): the clock, or %NULL for the system clock
 * @error: return location for a #CsNetError
 *
 * Returns: (transfer full) (nullable): a new client, or %NULL if the URL is
 *   not acceptable
 */
CsBackendClient *
cs_backend_client_new (const char  *base_url,
                       CsClock     *clock,
                       GError     **error)
{
  g_autoptr(CsHttpClient) http = NULL;
  CsBackendClient *self;

  http = cs_http_client_new (CS_SERVICE_BACKEND, base_url, clock, error);
  if (http == NULL)
    return NULL;

  cs_http_client_set_error_message_func (http, cs_backend_parse_error_message);

  self = g_object_new (CS_TYPE_BACKEND_CLIENT, NULL);
  self->http = g_steal_pointer (&http);

  return self;
}

/**
 * cs_backend_client_set_token:
 * @self: a client
 * @token: (nullable): the access token
 *
 * A new token may belong to another company: the company is asked again.
 */
void
cs_backend_client_set_token (CsBackendClient *self,
                             const char      *token)
{
  g_return_if_fail (CS_IS_BACKEND_CLIENT (self));

  cs_http_client_set_token (self->http, token);
  self->company_id = 0;
}

/**
 * cs_backend_client_get_http:
 * @self: a client
 *
 * Returns: (transfer none): the HTTP client
 */
CsHttpClient *
cs_backend_client_get_http (CsBackendClient *self)
{
  g_return_val_if_fail (CS_IS_BACKEND_CLIENT (self), NULL);

  return self->http;
}

/**
 * cs_backend_client_set_page_size:
 * @self: a client
 * @page_size: rows a page, from 1 to 500 (the contract's maximum)
 *
 * Sets the `per_page` of the listings that start from now on; 500 unless
 * set. Smaller pages cost more requests: for tests and benchmarks that want
 * many pages from a small data set.
 */
void
cs_backend_client_set_page_size (CsBackendClient *self,
                                 guint            page_size)
{
  g_return_if_fail (CS_IS_BACKEND_CLIENT (self));
  g_return_if_fail (page_size >= 1 && page_size <= PAGE_SIZE);

  self->page_size = page_size;
}

/**
 * cs_backend_client_get_company_id:
 * @self: a client
 *
 * Returns: the company of the token, or 0 until `/me` answered
 */
gint64
cs_backend_client_get_company_id (CsBackendClient *self)
{
  g_return_val_if_fail (CS_IS_BACKEND_CLIENT (self), 0);

  return self->company_id;
}

static GTask *
new_task (CsBackendClient     *self,
          gpointer             source_tag,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  OpData *data = g_new0 (OpData, 1);

  g_task_set_source_tag (task, source_tag);
  data->self = self;
  g_task_set_task_data (task, data, (GDestroyNotify) op_data_free);

  return task;
}

static gpointer
propagate (CsBackendClient  *self,
           GAsyncResult     *result,
           GError          **error)
{
  g_return_val_if_fail (CS_IS_BACKEND_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* /me */

static void
me_cb (GObject      *object,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  OpData *data = g_task_get_task_data (task);
  g_autoptr(CsHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  CsBackendMe *me;

  response = cs_http_client_send_finish (CS_HTTP_CLIENT (object), result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  me = cs_backend_parse_me (response->body, &error);
  if (me == NULL)
    {
      cs_http_client_refuse_answer (CS_HTTP_CLIENT (object), response, &error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data->self->company_id = me->company_id;

  if (data->next != NULL)
    {
      cs_backend_me_free (me);
      data->next (g_steal_pointer (&task));
      return;
    }

  g_task_return_pointer (task, me, (GDestroyNotify) cs_backend_me_free);
}

static void
request_me (GTask *task)
{
  OpData *data = g_task_get_task_data (task);
  CsHttpRequest request = { .method = "GET", .path = API_PREFIX "/me" };

  cs_http_client_send_async (data->self->http, &request, g_task_get_cancellable (task), me_cb,
                             task);
}

/* Runs @next once the company of the token is known. */
static void
with_company (GTask        *task,
              Continuation  next)
{
  OpData *data = g_task_get_task_data (task);

  if (data->self->company_id > 0)
    {
      next (task);
      return;
    }

  data->next = next;
  request_me (task);
}

/**
 * cs_backend_client_get_me_async:
 * @self: a client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the user and company of the token, or an error
 * @user_data: data for @callback
 *
 * Asks who the token belongs to; the answer's company scopes every later
 * call of this client.
 */
void
cs_backend_client_get_me_async (CsBackendClient     *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (CS_IS_BACKEND_CLIENT (self));

  request_me (new_task (self, cs_backend_client_get_me_async, cancellable, callback, user_data));
}

/**
 * cs_backend_client_get_me_finish:
 * @self: a client
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the user, the role and the company
 */
CsBackendMe *
cs_backend_client_get_me_finish (CsBackendClient  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  return propagate (self, result, error);
}

/* The appointment list */

static GStrv
build_list_query (gpointer user_data,
                  guint    index)
{
  OpData *data = user_data;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *page = g_strdup_printf ("%u", index + 1);
  g_autofree char *per_page = g_strdup_printf ("%u", data->page_size);

  g_strv_builder_add_many (builder,
                           "starts_after", data->starts_after,
                           "starts_before", data->starts_before,
                           NULL);
  if (data->updated_since != NULL)
    g_strv_builder_add_many (builder, "updated_since", data->updated_since, NULL);
  g_strv_builder_add_many (builder, "page", page, "per_page", per_page, NULL);

  return g_strv_builder_end (builder);
}

static GPtrArray *
parse_list_page (gpointer      user_data,
                 GBytes       *body,
                 CsPagerPage  *info,
                 GError      **error)
{
  OpData *data = user_data;
  CsBackendPage page = { 0 };
  CsJsonPageKeys keys = { NULL };
  guint n_rejected = 0, n_foreign = 0;
  GPtrArray *appointments;

  appointments = cs_backend_parse_appointments_page (body, data->self->company_id, &page,
                                                     &n_rejected, &n_foreign, &keys, error);
  if (appointments == NULL)
    return NULL;

  data->n_rejected += n_rejected;
  data->n_foreign += n_foreign;
  for (guint i = 0; keys.refused != NULL && i < keys.refused->len; i++)
    {
      gint64 id = g_ascii_strtoll (g_ptr_array_index (keys.refused, i), NULL, 10);

      g_array_append_val (data->refused_ids, id);
    }
  cs_json_page_keys_clear (&keys);

  /* Pages by number cannot overlap: the pager compares the totals and
   * looks for rows that come twice (a shift backwards over a boundary). */
  info->total_items = page.total;
  info->total_pages = page.last_page;
  info->has_next = page.current_page < page.last_page;

  return appointments;
}

static void
restart_list (gpointer user_data)
{
  OpData *data = user_data;

  data->n_rejected = 0;
  data->n_foreign = 0;
  g_array_set_size (data->refused_ids, 0);
}

static char *
appointment_key (gpointer item)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, ((CsAppointment *) item)->id);
}

static void
list_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  OpData *data = g_task_get_task_data (task);
  g_autoptr(CsPagerResult) pages = NULL;
  g_autoptr(GError) error = NULL;
  CsBackendListing *listing;

  pages = _cs_pager_fetch_finish (CS_HTTP_CLIENT (object), result, &error);
  if (pages == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  listing = g_new0 (CsBackendListing, 1);
  listing->appointments = g_steal_pointer (&pages->items);
  listing->n_pages = pages->n_pages;
  listing->n_duplicates = pages->n_duplicates;
  listing->n_rejected = data->n_rejected;
  listing->n_foreign = data->n_foreign;
  listing->n_reads = pages->n_reads;
  listing->drifted = pages->drifted;
  listing->refused_ids = g_steal_pointer (&data->refused_ids);

  /* Counted in the run's report (and the --once output); the log says it
   * only when asked, not on every run. */
  if (listing->n_foreign > 0)
    g_debug ("The CRM server sent %u appointments of another company; they were ignored",
             listing->n_foreign);
  g_debug ("CRM listing: %u appointments in %u pages, %u rejected, %u repeated, %u reads%s",
           listing->appointments->len, listing->n_pages, listing->n_rejected,
           listing->n_duplicates, listing->n_reads, listing->drifted ? ", still moving" : "");

  g_task_return_pointer (task, listing, (GDestroyNotify) cs_backend_listing_free);
}

static void
list_with_company (GTask *task)
{
  OpData *data = g_task_get_task_data (task);
  CsPagerSpec spec = {
    .path = API_PREFIX "/appointments",
    .max_in_flight = MAX_IN_FLIGHT,
    .max_pages = MAX_PAGES,
    .build_query = build_list_query,
    .parse = parse_list_page,
    .restart = restart_list,
    .item_key = appointment_key,
    .item_free = (GDestroyNotify) cs_appointment_free,
    .user_data = data,
  };

  _cs_pager_fetch_async (data->self->http, &spec, g_task_get_cancellable (task), list_cb, task);
}

/**
 * cs_backend_client_list_appointments_async:
 * @self: a client
 * @starts_after: the window's first start (inclusive)
 * @starts_before: the window's end (exclusive)
 * @updated_since: only rows changed since then (deleted ones included), or
 *   %CS_TIME_UNSET for all
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the appointments, or an error
 * @user_data: data for @callback
 *
 * Lists the appointments of a window, every page, 500 a page. Rows of
 * another company are refused and counted; so are malformed rows. A
 * listing that moved while it was read is read again (twice at most); the
 * listing's @drifted says if it still moved.
 */
void
cs_backend_client_list_appointments_async (CsBackendClient     *self,
                                           CsTime               starts_after,
                                           CsTime               starts_before,
                                           CsTime               updated_since,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  GTask *task;
  OpData *data;

  g_return_if_fail (CS_IS_BACKEND_CLIENT (self));
  g_return_if_fail (starts_after != CS_TIME_UNSET && starts_before > starts_after);

  task = new_task (self, cs_backend_client_list_appointments_async, cancellable, callback,
                   user_data);
  data = g_task_get_task_data (task);
  data->starts_after = cs_time_format_iso8601 (starts_after);
  data->starts_before = cs_time_format_iso8601 (starts_before);
  data->updated_since = cs_time_format_iso8601 (updated_since);
  data->page_size = self->page_size;
  data->refused_ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  with_company (task, list_with_company);
}

/**
 * cs_backend_client_list_appointments_finish:
 * @self: a client
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the listing
 */
CsBackendListing *
cs_backend_client_list_appointments_finish (CsBackendClient  *self,
                                            GAsyncResult     *result,
                                            GError          **error)
{
  return propagate (self, result, error);
}

/* One appointment: get, create, patch, cancel */

static void
appointment_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  OpData *data = g_task_get_task_data (task);
  g_autoptr(CsHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  CsAppointment *appointment;

  response = cs_http_client_send_finish (CS_HTTP_CLIENT (object), result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  appointment = cs_backend_parse_appointment_response (response->body, data->self->company_id,
                                                       &error);
  if (appointment == NULL)
    {
      cs_http_client_refuse_answer (CS_HTTP_CLIENT (object), response, &error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* A create answered 409: the appointment was there already. */
  data->existed = response->status == SOUP_STATUS_CONFLICT;
  g_task_return_pointer (task, appointment, (GDestroyNotify) cs_appointment_free);
}

static void
send_with_company (GTask *task)
{
  OpData *data = g_task_get_task_data (task);
  CsHttpRequest request = {
    .method = data->method,
    .path = data->path,
    .body = data->body,
    .idempotency_key = data->idempotency_key,
    .accept_conflict = data->accept_conflict,
  };

  cs_http_client_send_async (data->self->http, &request, g_task_get_cancellable (task),
                             appointment_cb, task);
}

static void
send_appointment_request (CsBackendClient     *self,
                          gpointer             source_tag,
                          const char          *method,
                          char                *path,
                          GBytes              *body,
                          const char          *idempotency_key,
                          gboolean             accept_conflict,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = new_task (self, source_tag, cancellable, callback, user_data);
  OpData *data = g_task_get_task_data (task);

  data->method = g_strdup (method);
  data->path = path;
  data->body = body;
  if (body != NULL)
    data->idempotency_key = idempotency_key != NULL ? g_strdup (idempotency_key)
                                                    : g_uuid_string_random ();
  data->accept_conflict = accept_conflict;

  with_company (task, send_with_company);
}

/* Sends a write built by cs-write.c; takes @write. */
static void
send_write (CsBackendClient     *self,
            gpointer             source_tag,
            CsWrite             *write,
            const char          *idempotency_key,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(CsWrite) owned = write;

  send_appointment_request (self, source_tag, cs_write_kind_get_method (write->kind),
                            g_steal_pointer (&write->path), g_steal_pointer (&write->body),
                            idempotency_key, cs_write_kind_is_create (write->kind),
                            cancellable, callback, user_data);
}

/**
 * cs_backend_client_get_appointment_async:
 * @self: a client
 * @id: the appointment id
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the appointment, or an error
 * @user_data: data for @callback
 *
 * Looks one appointment up; %CS_NET_ERROR_NOT_FOUND if the CRM does not
 * know it (or it belongs to another company).
 */
void
cs_backend_client_get_appointment_async (CsBackendClient     *self,
                                         gint64               id,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_return_if_fail (CS_IS_BACKEND_CLIENT (self));
  g_return_if_fail (id > 0);

  send_appointment_request (self, cs_backend_client_get_appointment_async, "GET",
                            g_strdup_printf (API_PREFIX "/appointments/%" G_GINT64_FORMAT, id),
                            NULL, NULL, FALSE, cancellable, callback, user_data);
}

/**
 * cs_backend_client_get_appointment_finish:
 * @self: a client
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the appointment
 */
CsAppointment *
cs_backend_client_get_appointment_finish (CsBackendClient  *self,
                                          GAsyncResult     *result,
                                          GError          **error)
{
  return propagate (self, result, error);
}

/**
 * cs_backend_client_create_appointment_async:
 * @self: a client
 * @booking: the Cal.com booking the appointment is made from
 * @title: (nullable): the service booked
 * @customer_name: (nullable): the customer's name
 * @customer_email: (nullable): the customer's e-mail
 * @customer_phone: (nullable): the customer's phone
 * @idempotency_key: (nullable): the key of this action, or %NULL for a new
 *   one
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the appointment, or an error
 * @user_data: data for @callback
 *
 * Creates an appointment from an orphaned Cal.com booking. If the CRM has
 * one for that booking already (409), that one is the answer.
 */
void
cs_backend_client_create_appointment_async (CsBackendClient     *self,
                                            const CsBooking     *booking,
                                            const char          *title,
                                            const char          *customer_name,
                                            const char          *customer_email,
                                            const char          *customer_phone,
                                            const char          *idempotency_key,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_return_if_fail (CS_IS_BACKEND_CLIENT (self));
  g_return_if_fail (booking != NULL);

  send_write (self, cs_backend_client_create_appointment_async,
              cs_write_backend_create_appointment (booking, title, customer_name, customer_email,
                                                   customer_phone),
              idempotency_key, cancellable, callback, user_data);
}

/**
 * cs_backend_client_create_appointment_finish:
 * @self: a client
 * @result: the result
 * @existed: (out) (optional): %TRUE if the CRM had it already
 * @error: return location for an error
 *
 * Returns: (transfer full): the created (or existing) appointment
 */
CsAppointment *
cs_backend_client_create_appointment_finish (CsBackendClient  *self,
                                             GAsyncResult     *result,
                                             gboolean         *existed,
                                             GError          **error)
{
  OpData *data;

  g_return_val_if_fail (CS_IS_BACKEND_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  data = g_task_get_task_data (G_TASK (result));
  if (existed != NULL)
    *existed = data->existed;

  return propagate (self, result, error);
}

/**
 * cs_backend_client_patch_appointment_async:
 * @self: a client
 * @id: the appointment id
 * @starts_at: the new start, or %CS_TIME_UNSET to keep it
 * @ends_at: the new end, or %CS_TIME_UNSET to keep it
 * @status: (nullable): the new CRM status name, or %NULL to keep it
 * @calcom_booking_uid: (nullable): the booking to link, or %NULL to keep it
 * @idempotency_key: (nullable): the key of this action, or %NULL for a new
 *   one
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the updated appointment, or an error
 * @user_data: data for @callback
 *
 * Changes an appointment: the "use Cal.com values" and "link" resolutions.
 */
void
cs_backend_client_patch_appointment_async (CsBackendClient     *self,
                                           gint64               id,
                                           CsTime               starts_at,
                                           CsTime               ends_at,
                                           const char          *status,
                                           const char          *calcom_booking_uid,
                                           const char          *idempotency_key,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_return_if_fail (CS_IS_BACKEND_CLIENT (self));
  g_return_if_fail (id > 0);
  /* An empty patch is no change; the contract wants at least one member. */
  g_return_if_fail (starts_at != CS_TIME_UNSET || ends_at != CS_TIME_UNSET || status != NULL ||
                    calcom_booking_uid != NULL);

  send_write (self, cs_backend_client_patch_appointment_async,
              cs_write_backend_update_appointment (id, starts_at, ends_at, status,
                                                   calcom_booking_uid),
              idempotency_key, cancellable, callback, user_data);
}

/**
 * cs_backend_client_patch_appointment_finish:
 * @self: a client
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the updated appointment
 */
CsAppointment *
cs_backend_client_patch_appointment_finish (CsBackendClient  *self,
                                            GAsyncResult     *result,
                                            GError          **error)
{
  return propagate (self, result, error);
}

/**
 * cs_backend_client_cancel_appointment_async:
 * @self: a client
 * @id: the appointment id
 * @reason: (nullable): why it is cancelled
 * @idempotency_key: (nullable): the key of this action, or %NULL for a new
 *   one
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the cancelled appointment, or an error
 * @user_data: data for @callback
 */
void
cs_backend_client_cancel_appointment_async (CsBackendClient     *self,
                                            gint64               id,
                                            const char          *reason,
                                            const char          *idempotency_key,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_return_if_fail (CS_IS_BACKEND_CLIENT (self));
  g_return_if_fail (id > 0);

  send_write (self, cs_backend_client_cancel_appointment_async,
              cs_write_backend_cancel_appointment (id, reason),
              idempotency_key, cancellable, callback, user_data);
}

/**
 * cs_backend_client_cancel_appointment_finish:
 * @self: a client
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the cancelled appointment
 */
CsAppointment *
cs_backend_client_cancel_appointment_finish (CsBackendClient  *self,
                                             GAsyncResult     *result,
                                             GError          **error)
{
  return propagate (self, result, error);
}

/* Counted writes: sync-status (in batches) and the audit log */

static void send_next_batch (GTask *task);

static void
count_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  OpData *data = g_task_get_task_data (task);
  g_autoptr(CsHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  guint count = 0;

  response = cs_http_client_send_finish (CS_HTTP_CLIENT (object), result, &error);
  if (response == NULL ||
      !cs_backend_parse_count (response->body,
                               data->appointments != NULL ? "updated" : "accepted",
                               &count, &error))
    {
      if (response != NULL)
        cs_http_client_refuse_answer (CS_HTTP_CLIENT (object), response, &error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data->counted += count;

  if (data->appointments != NULL && data->offset < data->appointments->len)
    {
      send_next_batch (g_steal_pointer (&task));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
send_next_batch (GTask *task)
{
  OpData *data = g_task_get_task_data (task);
  guint n = MIN (CS_BACKEND_BATCH_SIZE, data->appointments->len - data->offset);
  g_autoptr(GBytes) body = NULL;
  g_autofree char *key = NULL;
  CsHttpRequest request = {
    .method = "PATCH",
    .path = API_PREFIX "/appointments/sync-status",
  };

  body = cs_backend_build_sync_status ((CsAppointment * const *) &data->appointments->pdata[data->offset], n);
  key = g_strdup_printf ("%s-%u", data->idempotency_key, data->batch++);
  data->offset += n;

  request.body = body;
  request.idempotency_key = key;
  cs_http_client_send_async (data->self->http, &request, g_task_get_cancellable (task), count_cb,
                             task);
}

/**
 * cs_backend_client_report_sync_status_async:
 * @self: a client
 * @appointments: (element-type CsAppointment): the appointments whose
 *   tracking fields to report
 * @idempotency_key: (nullable): the key of this report (each batch sends
 *   it with its number), or %NULL for a new one
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when every batch was acknowledged, or one failed
 * @user_data: data for @callback
 *
 * Reports the tracking fields after a run, 500 rows a request, so web
 * admins see what Calsync sees.
 */
void
cs_backend_client_report_sync_status_async (CsBackendClient     *self,
                                            GPtrArray           *appointments,
                                            const char          *idempotency_key,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  GTask *task;
  OpData *data;

  g_return_if_fail (CS_IS_BACKEND_CLIENT (self));
  g_return_if_fail (appointments != NULL);

  task = new_task (self, cs_backend_client_report_sync_status_async, cancellable, callback,
                   user_data);
  data = g_task_get_task_data (task);
  data->appointments = g_ptr_array_ref (appointments);
  data->idempotency_key = idempotency_key != NULL ? g_strdup (idempotency_key)
                                                  : g_uuid_string_random ();

  if (appointments->len == 0)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  send_next_batch (task);
}

/**
 * cs_backend_client_report_sync_status_finish:
 * @self: a client
 * @result: the result
 * @n_updated: (out) (optional): rows the backend updated
 * @error: return location for an error
 *
 * Returns: %TRUE if every batch was acknowledged
 */
gboolean
cs_backend_client_report_sync_status_finish (CsBackendClient  *self,
                                             GAsyncResult     *result,
                                             guint            *n_updated,
                                             GError          **error)
{
  g_return_val_if_fail (CS_IS_BACKEND_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (n_updated != NULL)
    *n_updated = ((OpData *) g_task_get_task_data (G_TASK (result)))->counted;

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * cs_backend_client_post_audit_log_async:
 * @self: a client
 * @entries: (array length=n_entries): the audit entries
 * @n_entries: the number of entries, at most %CS_BACKEND_BATCH_SIZE
 * @idempotency_key: (nullable): the key of this post, or %NULL for a new one
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the backend acknowledged, or an error
 * @user_data: data for @callback
 *
 * Sends audit entries; the backend ignores entries whose key it has seen.
 */
void
cs_backend_client_post_audit_log_async (CsBackendClient           *self,
                                        const CsBackendAuditEntry *entries,
                                        guint                      n_entries,
                                        const char                *idempotency_key,
                                        GCancellable              *cancellable,
                                        GAsyncReadyCallback        callback,
                                        gpointer                   user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(CsWrite) write = NULL;
  g_autofree char *key = NULL;
  CsHttpRequest request;

  g_return_if_fail (CS_IS_BACKEND_CLIENT (self));
  g_return_if_fail (entries != NULL && n_entries > 0);
  g_return_if_fail (n_entries <= CS_BACKEND_BATCH_SIZE);

  task = new_task (self, cs_backend_client_post_audit_log_async, cancellable, callback,
                   user_data);
  write = cs_write_backend_audit_log (entries, n_entries);
  key = idempotency_key != NULL ? g_strdup (idempotency_key) : g_uuid_string_random ();

  cs_write_kind_init_request (write->kind, &request);
  request.path = write->path;
  request.body = write->body;
  request.idempotency_key = key;
  cs_http_client_send_async (self->http, &request, cancellable, count_cb, g_steal_pointer (&task));
}

/**
 * cs_backend_client_post_audit_log_finish:
 * @self: a client
 * @result: the result
 * @n_accepted: (out) (optional): entries the backend accepted
 * @error: return location for an error
 *
 * Returns: %TRUE if the backend acknowledged the entries
 */
gboolean
cs_backend_client_post_audit_log_finish (CsBackendClient  *self,
                                         GAsyncResult     *result,
                                         guint            *n_accepted,
                                         GError          **error)
{
  g_return_val_if_fail (CS_IS_BACKEND_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (n_accepted != NULL)
    *n_accepted = ((OpData *) g_task_get_task_data (G_TASK (result)))->counted;

  return g_task_propagate_boolean (G_TASK (result), error);
}
