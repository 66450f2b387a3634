/* cs-calcom-client.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cs-calcom-client.h"
#include "cs-net-error.h"
#include "cs-pager-private.h"
#include "cs-write.h"

/**
 * CsCalcomClient:
 *
 * The Cal.com API v2 client: the bookings of a window (all statuses, every
 * page), one booking by uid, create, cancel, reschedule, one event type,
 * and `/me` for the connection test. Requests go through a #CsHttpClient
 * with Cal.com's published rate limit.
 *
 * The paging strategy lives here, and only here; the API versions and the
 * writes' paths and bodies live in cs-write.h: a later Cal.com (cursor
 * paging under a newer `cal-api-version`) changes those lines and nothing
 * else.
 */
struct _CsCalcomClient
{
  GObject       parent_instance;

  CsHttpClient *http;
  guint         page_size;
};

G_DEFINE_FINAL_TYPE (CsCalcomClient, cs_calcom_client, G_TYPE_OBJECT)

/* Offset paging: `take` up to the server's maximum of 250, sorted by
 * creation time, which is stable and puts bookings created during the
 * listing at the end instead of shifting earlier pages. Each page after the
 * first steps one row less than a page (`skip` = k × (take − 1)), so that it
 * starts with the previous page's last booking: a booking deleted or moved
 * in front of the read position shifts that row, and the pager sees the
 * listing move even where the totals stay the same. */
#define PAGE_SIZE         250
#define MAX_PAGES         4000
#define MAX_IN_FLIGHT     4
#define ALL_STATUSES      "upcoming,recurring,past,cancelled,unconfirmed"

/* 120 requests a minute for an API key. */
#define RATE_LIMIT        120
#define RATE_WINDOW       (G_GINT64_CONSTANT (60) * CS_USEC_PER_SECOND)

typedef struct
{
  char      *after_start;
  char      *before_end;
  char      *after_updated;
  guint      page_size;
  guint      n_rejected;
  GPtrArray *refused_uids;
} ListData;

static void
list_data_free (ListData *data)
{
  g_free (data->after_start);
  g_free (data->before_end);
  g_free (data->after_updated);
  g_clear_pointer (&data->refused_uids, g_ptr_array_unref);
  g_free (data);
}

/**
 * cs_calcom_listing_free:
 * @listing: (nullable): a listing
 */
void
cs_calcom_listing_free (CsCalcomListing *listing)
{
  if (listing == NULL)
    return;

  g_clear_pointer (&listing->bookings, g_ptr_array_unref);
  g_clear_pointer (&listing->refused_uids, g_ptr_array_unref);
  g_free (listing);
}

static void
cs_calcom_client_dispose (GObject *object)
{
  CsCalcomClient *self = CS_CALCOM_CLIENT (object);

  g_clear_object (&self->http);

  G_OBJECT_CLASS (cs_calcom_client_parent_class)->dispose (object);
}

static void
cs_calcom_client_class_init (CsCalcomClientClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cs_calcom_client_dispose;
}

static void
cs_calcom_client_init (CsCalcomClient *self)
{
  self->page_size = PAGE_SIZE;
}

/**
 * cs_calcom_client_new:
 * @base_url: the API's base URL, e.g. %CS_CALCOM_DEFAULT_URL
 * @clock: (nullable): the clock, or %NULL for the system clock
 * @error: return location for a #CsNetError
 *
 * Returns: (transfer full) (nullable): a new client, or %NULL if the URL is
 *   not acceptable
 */
CsCalcomClient *
cs_calcom_client_new (const char  *base_url,
                      CsClock     *clock,
                      GError     **error)
{
  g_autoptr(CsHttpClient) http = NULL;
  CsCalcomClient *self;

  http = cs_http_client_new (CS_SERVICE_CALCOM, base_url, clock, error);
  if (http == NULL)
    return NULL;

  cs_http_client_set_error_message_func (http, cs_calcom_parse_error_message);
  cs_http_client_set_rate_limit (http, RATE_LIMIT, RATE_WINDOW);

  self = g_object_new (CS_TYPE_CALCOM_CLIENT, NULL);
  self->http = g_steal_pointer (&http);

  return self;
}

/**
 * cs_calcom_client_set_api_key:
 * @self: a client
 * @api_key: (nullable): the Cal.com API key
 */
void
cs_calcom_client_set_api_key (CsCalcomClient *self,
                              const char     *api_key)
{
  g_return_if_fail (CS_IS_CALCOM_CLIENT (self));

  cs_http_client_set_token (self->http, api_key);
}

/**
 * cs_calcom_client_get_http:
 * @self: a client
 *
 * Returns: (transfer none): the HTTP client (circuit breaker, limiter,
 *   request count)
 */
CsHttpClient *
cs_calcom_client_get_http (CsCalcomClient *self)
{
  g_return_val_if_fail (CS_IS_CALCOM_CLIENT (self), NULL);

  return self->http;
}

/**
 * cs_calcom_client_set_page_size:
 * @self: a client
 * @page_size: bookings a page, from 2 to 250 (Cal.com's maximum)
 *
 * Sets the `take` of the listings that start from now on; 250 unless set.
 * Smaller pages cost more requests: for tests and benchmarks that want many
 * pages from a small data set.
 */
void
cs_calcom_client_set_page_size (CsCalcomClient *self,
                                guint           page_size)
{
  g_return_if_fail (CS_IS_CALCOM_CLIENT (self));
  g_return_if_fail (page_size >= 2 && page_size <= PAGE_SIZE);

  self->page_size = page_size;
}

static GStrv
build_list_query (gpointer user_data,
                  guint    index)
{
  ListData *data = user_data;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *skip = g_strdup_printf ("%u", index * (data->page_size - 1));
  g_autofree char *take = g_strdup_printf ("%u", data->page_size);

  g_strv_builder_add_many (builder,
                           "status", ALL_STATUSES,
                           "afterStart", data->after_start,
                           "beforeEnd", data->before_end,
                           NULL);
  if (data->after_updated != NULL)
    g_strv_builder_add_many (builder, "afterUpdatedAt", data->after_updated, NULL);
  g_strv_builder_add_many (builder,
                           "sortCreated", "asc",
                           "take", take,
                           "skip", skip,
                           NULL);

  return g_strv_builder_end (builder);
}

static GPtrArray *
parse_list_page (gpointer      user_data,
                 GBytes       *body,
                 CsPagerPage  *info,
                 GError      **error)
{
  ListData *data = user_data;
  CsCalcomPage page = { 0 };
  CsJsonPageKeys keys = { NULL };
  guint n_rejected = 0;
  guint stride = data->page_size - 1;
  GPtrArray *bookings;

  bookings = cs_calcom_parse_bookings_page (body, &page, &n_rejected, &keys, error);
  if (bookings == NULL)
    return NULL;

  data->n_rejected += n_rejected;
  for (guint i = 0; keys.refused != NULL && i < keys.refused->len; i++)
    g_ptr_array_add (data->refused_uids, g_strdup (g_ptr_array_index (keys.refused, i)));
  info->first_key = g_steal_pointer (&keys.first);
  info->last_key = g_steal_pointer (&keys.last);
  cs_json_page_keys_clear (&keys);

  /* Our pages overlap by a row, so their number is ours to count, not
   * Cal.com's `totalPages`. */
  info->total_items = page.total_items;
  info->total_pages = page.total_items <= data->page_size
                      ? 1 : 1 + (page.total_items - data->page_size + stride - 1) / stride;
  info->has_next = page.has_next_page;

  /* With afterUpdatedAt, Cal.com counts totalItems and totalPages before
   * that filter (NOTES.md): they tell nothing about the length of this
   * listing, which goes page by page and stops at the first page that is
   * not full. They still describe the window, so the pager compares them. */
  if (data->after_updated != NULL)
    {
      info->total_pages = 0;
      info->has_next = page.has_next_page && bookings->len + n_rejected >= data->page_size;
    }

  return bookings;
}

static void
restart_list (gpointer user_data)
{
  ListData *data = user_data;

  data->n_rejected = 0;
  g_ptr_array_set_size (data->refused_uids, 0);
}

static char *
booking_key (gpointer item)
{
  return g_strdup (((CsBooking *) item)->uid);
}

static gboolean
base_url_has_version (const char *base_url)
{
  g_autofree char *trimmed = g_strdup (base_url);
  gsize len = strlen (trimmed);

  while (len > 0 && trimmed[len - 1] == '/')
    trimmed[--len] = '\0';

  return g_str_has_suffix (trimmed, "/v2");
}

static void
list_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ListData *data = g_task_get_task_data (task);
  g_autoptr(CsPagerResult) pages = NULL;
  g_autoptr(GError) error = NULL;
  CsCalcomListing *listing;

  pages = _cs_pager_fetch_finish (CS_HTTP_CLIENT (object), result, &error);
  if (pages == NULL)
    {
      /* Cal.com answers "Cannot GET /bookings" when the version is left
       * out of the address: say what to change instead. */
      if (g_error_matches (error, CS_NET_ERROR, CS_NET_ERROR_NOT_FOUND) &&
          !base_url_has_version (cs_http_client_get_base_url (CS_HTTP_CLIENT (object))))
        {
          g_clear_error (&error);
          error = g_error_new_literal (CS_NET_ERROR, CS_NET_ERROR_NOT_FOUND,
                                       _("The Cal.com address should end in /v2 "
                                         "(e.g. https://api.cal.com/v2)."));
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  listing = g_new0 (CsCalcomListing, 1);
  listing->bookings = g_steal_pointer (&pages->items);
  listing->n_pages = pages->n_pages;
  listing->n_duplicates = pages->n_duplicates;
  listing->n_rejected = data->n_rejected;
  listing->n_reads = pages->n_reads;
  listing->drifted = pages->drifted;
  listing->refused_uids = g_steal_pointer (&data->refused_uids);

  g_debug ("Cal.com listing: %u bookings in %u pages, %u rejected, %u repeated, %u reads%s",
           listing->bookings->len, listing->n_pages, listing->n_rejected, listing->n_duplicates,
           listing->n_reads, listing->drifted ? ", still moving" : "");

  g_task_return_pointer (task, listing, (GDestroyNotify) cs_calcom_listing_free);
}

/**
 * cs_calcom_client_list_bookings_async:
 * @self: a client
 * @after_start: the window's first start instant
 * @before_end: the window's last end instant
 * @after_updated: only bookings changed since then, or %CS_TIME_UNSET for
 *   all
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with every booking of the window, or an error
 * @user_data: data for @callback
 *
 * Lists the bookings of a window in every status (upcoming, recurring,
 * past, cancelled, unconfirmed), every page: page 1 alone, the others up to
 * four at a time once the total is known, each within the rate limit.
 * Repeats across pages are dropped. A failing page fails the listing. A
 * listing that moved while it was read is read again (twice at most); the
 * listing's @drifted says if it still moved.
 */
void
cs_calcom_client_list_bookings_async (CsCalcomClient      *self,
                                      CsTime               after_start,
                                      CsTime               before_end,
                                      CsTime               after_updated,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ListData *data;
  CsPagerSpec spec = {
    .path = "/bookings",
    .api_version = CS_CALCOM_BOOKINGS_API_VERSION,
    .max_in_flight = MAX_IN_FLIGHT,
    .max_pages = MAX_PAGES,
    .overlap = 1,
    .build_query = build_list_query,
    .parse = parse_list_page,
    .restart = restart_list,
    .item_key = booking_key,
    .item_free = (GDestroyNotify) cs_booking_free,
  };

  g_return_if_fail (CS_IS_CALCOM_CLIENT (self));
  g_return_if_fail (after_start != CS_TIME_UNSET && before_end > after_start);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_calcom_client_list_bookings_async);

  data = g_new0 (ListData, 1);
  data->after_start = cs_time_format_iso8601 (after_start);
  data->before_end = cs_time_format_iso8601 (before_end);
  data->after_updated = cs_time_format_iso8601 (after_updated);
  data->page_size = self->page_size;
  data->refused_uids = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, data, (GDestroyNotify) list_data_free);

  spec.user_data = data;
  _cs_pager_fetch_async (self->http, &spec, cancellable, list_cb, g_steal_pointer (&task));
}

/**
 * cs_calcom_client_list_bookings_finish:
 * @self: a client
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the listing
 */
CsCalcomListing *
cs_calcom_client_list_bookings_finish (CsCalcomClient  *self,
                                       GAsyncResult    *result,
                                       GError         **error)
{
  g_return_val_if_fail (CS_IS_CALCOM_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The single-object calls share one shape: send, parse one answer, return
 * it. @uid picks the occurrence when Cal.com answers a booking call with a
 * recurring series. */
typedef gpointer (*ParseFunc) (GBytes      *body,
                               const char  *uid,
                               GError     **error);

typedef struct
{
  ParseFunc       parse;
  GDestroyNotify  free_answer;
  char           *uid;
} Reply;

static void
reply_free (Reply *reply)
{
  g_free (reply->uid);
  g_free (reply);
}

static void
reply_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CsHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  Reply *reply = g_task_get_task_data (task);
  gpointer answer;

  response = cs_http_client_send_finish (CS_HTTP_CLIENT (object), result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  answer = reply->parse (response->body, reply->uid, &error);
  if (answer == NULL)
    {
      cs_http_client_refuse_answer (CS_HTTP_CLIENT (object), response, &error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, answer, reply->free_answer);
}

static void
send_for_reply (CsCalcomClient      *self,
                gpointer             source_tag,
                const CsHttpRequest *request,
                ParseFunc            parse,
                GDestroyNotify       free_answer,
                const char          *uid,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Reply *reply = g_new0 (Reply, 1);

  reply->parse = parse;
  reply->free_answer = free_answer;
  reply->uid = g_strdup (uid);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, reply, (GDestroyNotify) reply_free);
  cs_http_client_send_async (self->http, request, cancellable, reply_cb, g_steal_pointer (&task));
}

static gpointer
reply_finish (CsCalcomClient  *self,
              GAsyncResult    *result,
              gpointer         source_tag,
              GError         **error)
{
  g_return_val_if_fail (CS_IS_CALCOM_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
parse_booking_reply (GBytes      *body,
                     const char  *uid,
                     GError     **error)
{
  return cs_calcom_parse_booking_response (body, uid, error);
}

static gpointer
parse_event_type_reply (GBytes      *body,
                        const char  *uid,
                        GError     **error)
{
  return cs_calcom_parse_event_type (body, error);
}

static gpointer
parse_me_reply (GBytes      *body,
                const char  *uid,
                GError     **error)
{
  return cs_calcom_parse_me (body, error);
}

static void
send_for_booking (CsCalcomClient      *self,
                  gpointer             source_tag,
                  const char          *method,
                  const char          *path,
                  GBytes              *body,
                  const char          *uid,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  CsHttpRequest request = {
    .method = method,
    .path = path,
    .body = body,
    .api_version = CS_CALCOM_BOOKINGS_API_VERSION,
  };

  send_for_reply (self, source_tag, &request, parse_booking_reply,
                  (GDestroyNotify) cs_booking_free, uid, cancellable, callback, user_data);
}

static void
send_write (CsCalcomClient      *self,
            gpointer             source_tag,
            CsWrite             *write,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  send_for_booking (self, source_tag, cs_write_kind_get_method (write->kind), write->path,
                    write->body, write->booking_uid, cancellable, callback, user_data);
}

/**
 * cs_calcom_client_get_booking_async:
 * @self: a client
 * @uid: the booking uid
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the booking, or an error
 * @user_data: data for @callback
 *
 * Looks one booking up by uid. A booking Cal.com does not know fails with
 * %CS_NET_ERROR_NOT_FOUND, which is a finding, not a failure. For the uid
 * of a recurring series, the answer is its first occurrence.
 */
void
cs_calcom_client_get_booking_async (CsCalcomClient      *self,
                                    const char          *uid,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (CS_IS_CALCOM_CLIENT (self));
  g_return_if_fail (uid != NULL && uid[0] != '\0');

  path = cs_calcom_path_booking (uid);
  send_for_booking (self, cs_calcom_client_get_booking_async, "GET", path, NULL, uid,
                    cancellable, callback, user_data);
}

/**
 * cs_calcom_client_get_booking_finish:
 * @self: a client
 * @result: the result
 * @error: return location for an error; %CS_NET_ERROR_NOT_FOUND if Cal.com
 *   does not know the uid
 *
 * Returns: (transfer full): the booking
 */
CsBooking *
cs_calcom_client_get_booking_finish (CsCalcomClient  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  return reply_finish (self, result, cs_calcom_client_get_booking_async, error);
}

/**
 * cs_calcom_client_create_booking_async:
 * @self: a client
 * @request: the booking to create, with the CRM ids for its metadata
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the new booking, or an error
 * @user_data: data for @callback
 *
 * Creates a booking. Cal.com knows no idempotency key: callers make the
 * create idempotent by looking for a booking with the same
 * `crm_appointment_id` first (DESIGN.md §3), and ask for a length only
 * where the event type has several (cs_calcom_client_get_event_type_async()).
 */
void
cs_calcom_client_create_booking_async (CsCalcomClient              *self,
                                       const CsCalcomCreateRequest *request,
                                       GCancellable                *cancellable,
                                       GAsyncReadyCallback          callback,
                                       gpointer                     user_data)
{
  g_autoptr(CsWrite) write = NULL;

  g_return_if_fail (CS_IS_CALCOM_CLIENT (self));
  g_return_if_fail (request != NULL);

  write = cs_write_calcom_create_booking (request);
  send_write (self, cs_calcom_client_create_booking_async, write, cancellable, callback,
              user_data);
}

/**
 * cs_calcom_client_create_booking_finish:
 * @self: a client
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the created booking
 */
CsBooking *
cs_calcom_client_create_booking_finish (CsCalcomClient  *self,
                                        GAsyncResult    *result,
                                        GError         **error)
{
  return reply_finish (self, result, cs_calcom_client_create_booking_async, error);
}

/**
 * cs_calcom_client_cancel_booking_async:
 * @self: a client
 * @uid: the booking uid
 * @reason: (nullable): the cancellation reason shown in Cal.com; %NULL
 *   sends %CS_CALCOM_DEFAULT_CANCEL_REASON (Cal.com requires one)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the cancelled booking, or an error
 * @user_data: data for @callback
 */
void
cs_calcom_client_cancel_booking_async (CsCalcomClient      *self,
                                       const char          *uid,
                                       const char          *reason,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(CsWrite) write = NULL;

  g_return_if_fail (CS_IS_CALCOM_CLIENT (self));
  g_return_if_fail (uid != NULL && uid[0] != '\0');

  write = cs_write_calcom_cancel_booking (uid, reason);
  send_write (self, cs_calcom_client_cancel_booking_async, write, cancellable, callback,
              user_data);
}

/**
 * cs_calcom_client_cancel_booking_finish:
 * @self: a client
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the cancelled booking
 */
CsBooking *
cs_calcom_client_cancel_booking_finish (CsCalcomClient  *self,
                                        GAsyncResult    *result,
                                        GError         **error)
{
  return reply_finish (self, result, cs_calcom_client_cancel_booking_async, error);
}

/**
 * cs_calcom_client_reschedule_booking_async:
 * @self: a client
 * @uid: the booking uid
 * @start: the new start; Cal.com keeps the event type's length
 * @reason: (nullable): the reason shown in Cal.com
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the NEW booking, or an error
 * @user_data: data for @callback
 *
 * Moves a booking. Cal.com answers with a new booking under a new uid and
 * cancels the old one (its `rescheduledToUid` names the new one).
 */
void
cs_calcom_client_reschedule_booking_async (CsCalcomClient      *self,
                                           const char          *uid,
                                           CsTime               start,
                                           const char          *reason,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autoptr(CsWrite) write = NULL;

  g_return_if_fail (CS_IS_CALCOM_CLIENT (self));
  g_return_if_fail (uid != NULL && uid[0] != '\0');
  g_return_if_fail (start != CS_TIME_UNSET);

  write = cs_write_calcom_reschedule_booking (uid, start, reason);
  /* The answer is the new booking: no uid to pick from a series. */
  g_clear_pointer (&write->booking_uid, g_free);
  send_write (self, cs_calcom_client_reschedule_booking_async, write, cancellable, callback,
              user_data);
}

/**
 * cs_calcom_client_reschedule_booking_finish:
 * @self: a client
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the new booking
 */
CsBooking *
cs_calcom_client_reschedule_booking_finish (CsCalcomClient  *self,
                                            GAsyncResult    *result,
                                            GError         **error)
{
  return reply_finish (self, result, cs_calcom_client_reschedule_booking_async, error);
}

/**
 * cs_calcom_client_get_event_type_async:
 * @self: a client
 * @id: the event type id
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the event type, or an error
 * @user_data: data for @callback
 *
 * Reads an event type (`GET /v2/event-types/{id}`, version 2024-06-14):
 * its length, the lengths a booking may choose, and whether a booking
 * needs the attendee's e-mail. An unknown id fails with
 * %CS_NET_ERROR_NOT_FOUND.
 */
void
cs_calcom_client_get_event_type_async (CsCalcomClient      *self,
                                       gint64               id,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autofree char *path = NULL;
  CsHttpRequest request = {
    .method = "GET",
    .api_version = CS_CALCOM_EVENT_TYPES_API_VERSION,
  };

  g_return_if_fail (CS_IS_CALCOM_CLIENT (self));
  g_return_if_fail (id > 0);

  path = cs_calcom_path_event_type (id);
  request.path = path;
  send_for_reply (self, cs_calcom_client_get_event_type_async, &request, parse_event_type_reply,
                  (GDestroyNotify) cs_calcom_event_type_free, NULL, cancellable, callback,
                  user_data);
}

/**
 * cs_calcom_client_get_event_type_finish:
 * @self: a client
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the event type
 */
CsCalcomEventType *
cs_calcom_client_get_event_type_finish (CsCalcomClient  *self,
                                        GAsyncResult    *result,
                                        GError         **error)
{
  return reply_finish (self, result, cs_calcom_client_get_event_type_async, error);
}

/**
 * cs_calcom_client_get_me_async:
 * @self: a client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the account, or an error
 * @user_data: data for @callback
 *
 * Asks who the API key belongs to: the connection test of Preferences.
 * `/v2/me` takes no version header.
 */
void
cs_calcom_client_get_me_async (CsCalcomClient      *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  CsHttpRequest request = { .method = "GET", .path = "/me" };

  g_return_if_fail (CS_IS_CALCOM_CLIENT (self));

  send_for_reply (self, cs_calcom_client_get_me_async, &request, parse_me_reply,
                  (GDestroyNotify) cs_calcom_me_free, NULL, cancellable, callback, user_data);
}

/**
 * cs_calcom_client_get_me_finish:
 * @self: a client
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the account of the API key
 */
CsCalcomMe *
cs_calcom_client_get_me_finish (CsCalcomClient  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  return reply_finish (self, result, cs_calcom_client_get_me_async, error);
}
