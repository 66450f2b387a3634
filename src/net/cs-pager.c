/* cs-pager.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cs-net-error.h"
#include "cs-pager-private.h"

/* One page as it was read: its items and what it said of the listing. */
typedef struct
{
  GPtrArray *items;
  char      *first_key;
  char      *last_key;
  guint      total_items;
  guint      total_pages;
} Page;

typedef struct
{
  CsHttpClient *client;
  CsPagerSpec   spec;
  GCancellable *cancellable;     /* ours: cancelled when a page fails */
  gulong        cancel_handler;
  GCancellable *user_cancellable;
  GPtrArray    *pages;           /* index → Page, NULL until fetched */
  guint         known_pages;     /* pages known to exist */
  guint         next_index;
  guint         in_flight;
  guint         reads;           /* reads started */
  gboolean      done;
} Pager;

typedef struct
{
  GTask *task;
  guint  index;
} PageRequest;

static void fetch_more (GTask *task);

/* Pages not fetched (a failure stopped the listing) are NULL slots. */
static void
page_free (gpointer data)
{
  Page *page = data;

  if (page == NULL)
    return;

  g_clear_pointer (&page->items, g_ptr_array_unref);
  g_free (page->first_key);
  g_free (page->last_key);
  g_free (page);
}

static void
pager_free (Pager *pager)
{
  if (pager->user_cancellable != NULL)
    g_cancellable_disconnect (pager->user_cancellable, pager->cancel_handler);
  g_clear_object (&pager->user_cancellable);
  g_clear_object (&pager->cancellable);
  g_clear_object (&pager->client);
  g_clear_pointer (&pager->pages, g_ptr_array_unref);
  g_free (pager);
}

/**
 * _cs_pager_result_free:
 * @result: (nullable): a result
 */
void
_cs_pager_result_free (CsPagerResult *result)
{
  if (result == NULL)
    return;

  g_clear_pointer (&result->items, g_ptr_array_unref);
  g_free (result);
}

static void
fail (GTask  *task,
      GError *error)
{
  Pager *pager = g_task_get_task_data (task);

  if (pager->done)
    {
      g_error_free (error);
      return;
    }

  pager->done = TRUE;
  g_cancellable_cancel (pager->cancellable);
  g_task_return_error (task, error);
}

/* Whether page @index starts with the row page @index - 1 ended with: the
 * one row of overlap. Unknown keys (a row whose key could not be read) and
 * empty pages prove nothing either way. */
static gboolean
is_overlap_row (Pager      *pager,
                guint       index,
                const char *key)
{
  Page *page, *previous;

  if (pager->spec.overlap == 0 || index == 0)
    return FALSE;

  page = g_ptr_array_index (pager->pages, index);
  previous = g_ptr_array_index (pager->pages, index - 1);

  return page->first_key != NULL && previous->last_key != NULL &&
         g_str_equal (page->first_key, key) && g_str_equal (previous->last_key, key);
}

/* Whether the listing held still while this read went: every page repeats
 * the first page's totals, each page after the first starts with the
 * previous page's last row (with an overlap), and no row comes twice. A row
 * that slipped back over a boundary comes twice; one that slipped forward
 * leaves the next page's first row different from the overlap; rows that
 * came or went before the read position change the totals. */
static gboolean
held_still (Pager *pager)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Page *first = g_ptr_array_index (pager->pages, 0);

  for (guint i = 0; i < pager->pages->len; i++)
    {
      Page *page = g_ptr_array_index (pager->pages, i);

      if (page->total_items != first->total_items || page->total_pages != first->total_pages)
        {
          g_debug ("Listing of %s moved: page %u counts %u rows in %u pages, page 1 %u in %u",
                   pager->spec.path, i + 1, page->total_items, page->total_pages,
                   first->total_items, first->total_pages);
          return FALSE;
        }

      if (pager->spec.overlap > 0 && i > 0)
        {
          Page *previous = g_ptr_array_index (pager->pages, i - 1);

          if (page->first_key != NULL && previous->last_key != NULL &&
              !g_str_equal (page->first_key, previous->last_key))
            {
              g_debug ("Listing of %s moved: page %u does not start where page %u ended",
                       pager->spec.path, i + 1, i);
              return FALSE;
            }
        }

      for (guint k = 0; k < page->items->len; k++)
        {
          char *key = pager->spec.item_key (g_ptr_array_index (page->items, k));

          if (k == 0 && is_overlap_row (pager, i, key))
            {
              g_free (key);
              continue;
            }

          if (!g_hash_table_add (seen, key))
            {
              g_debug ("Listing of %s moved: a row came twice (page %u)",
                       pager->spec.path, i + 1);
              return FALSE;
            }
        }
    }

  return TRUE;
}

static void
complete (GTask    *task,
          gboolean  drifted)
{
  Pager *pager = g_task_get_task_data (task);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  CsPagerResult *result = g_new0 (CsPagerResult, 1);

  result->n_pages = pager->pages->len;
  result->n_reads = pager->reads;
  result->drifted = drifted;
  result->items = g_ptr_array_new_with_free_func (pager->spec.item_free);

  for (guint i = 0; i < pager->pages->len; i++)
    {
      Page *page = g_ptr_array_index (pager->pages, i);

      for (guint k = 0; k < page->items->len; k++)
        {
          gpointer item = g_ptr_array_index (page->items, k);
          char *key = pager->spec.item_key (item);
          gboolean overlap = k == 0 && is_overlap_row (pager, i, key);

          if (!g_hash_table_add (seen, key))
            {
              if (!overlap)
                result->n_duplicates++;
              continue;
            }

          /* Moved, not copied: the page forgets it (its free function
           * accepts NULL). */
          g_ptr_array_add (result->items, item);
          page->items->pdata[k] = NULL;
        }
    }

  pager->done = TRUE;
  g_task_return_pointer (task, result, (GDestroyNotify) _cs_pager_result_free);
}

static void
start_read (GTask *task)
{
  Pager *pager = g_task_get_task_data (task);

  if (pager->reads > 0 && pager->spec.restart != NULL)
    pager->spec.restart (pager->spec.user_data);

  pager->reads++;
  g_ptr_array_set_size (pager->pages, 0);
  pager->known_pages = 1;
  pager->next_index = 0;
  fetch_more (task);
}

/* All pages of one read are in. */
static void
read_done (GTask *task)
{
  Pager *pager = g_task_get_task_data (task);

  if (held_still (pager))
    {
      complete (task, FALSE);
      return;
    }

  if (pager->reads <= CS_PAGER_MAX_REREADS)
    {
      g_debug ("Reading the listing of %s again (read %u moved)", pager->spec.path,
               pager->reads);
      start_read (task);
      return;
    }

  /* The caller decides what a listing that would not hold still can still
   * tell: what it holds is there, what it lacks is not proven missing. */
  complete (task, TRUE);
}

static void
page_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  PageRequest *request = user_data;
  g_autoptr(GTask) task = request->task;
  Pager *pager = g_task_get_task_data (task);
  guint index = request->index;
  g_autoptr(CsHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *items = NULL;
  CsPagerPage info = { 0 };
  Page *page;

  g_free (request);
  pager->in_flight--;

  response = cs_http_client_send_finish (CS_HTTP_CLIENT (object), result, &error);
  if (pager->done)
    return;

  if (response == NULL)
    {
      fail (task, g_steal_pointer (&error));
      return;
    }

  items = pager->spec.parse (pager->spec.user_data, response->body, &info, &error);
  if (items == NULL)
    {
      cs_http_client_refuse_answer (pager->client, response, &error);
      g_free (info.first_key);
      g_free (info.last_key);
      fail (task, g_steal_pointer (&error));
      return;
    }

  page = g_new0 (Page, 1);
  page->items = items;
  page->first_key = info.first_key;
  page->last_key = info.last_key;
  page->total_items = info.total_items;
  page->total_pages = info.total_pages;
  g_ptr_array_index (pager->pages, index) = page;

  /* The total may grow while we page (bookings created meanwhile): fetch
   * what the newest answers announce, so that this read is complete; the
   * comparison of the totals then tells that it moved. */
  pager->known_pages = MAX (pager->known_pages, info.total_pages);
  if (info.has_next)
    pager->known_pages = MAX (pager->known_pages, index + 2);

  if (pager->known_pages > pager->spec.max_pages)
    {
      fail (task, g_error_new (CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                               cs_http_client_get_service (pager->client) == CS_SERVICE_CALCOM
                                 ? _("Cal.com announced more than %u pages; the listing was stopped.")
                                 : _("The CRM server announced more than %u pages; the listing was stopped."),
                               pager->spec.max_pages));
      return;
    }

  fetch_more (task);
}

static void
fetch_page (GTask *task,
            guint  index)
{
  Pager *pager = g_task_get_task_data (task);
  g_auto(GStrv) query = pager->spec.build_query (pager->spec.user_data, index);
  CsHttpRequest request = {
    .method = "GET",
    .path = pager->spec.path,
    .query = (const char * const *) query,
    .api_version = pager->spec.api_version,
  };
  PageRequest *page_request = g_new0 (PageRequest, 1);

  page_request->task = g_object_ref (task);
  page_request->index = index;

  if (pager->pages->len <= index)
    g_ptr_array_set_size (pager->pages, index + 1);

  pager->in_flight++;
  cs_http_client_send_async (pager->client, &request, pager->cancellable, page_cb, page_request);
}

static void
fetch_more (GTask *task)
{
  Pager *pager = g_task_get_task_data (task);

  while (!pager->done && pager->next_index < pager->known_pages &&
         pager->in_flight < MAX (pager->spec.max_in_flight, 1))
    fetch_page (task, pager->next_index++);

  if (!pager->done && pager->in_flight == 0 && pager->next_index >= pager->known_pages)
    read_done (task);
}

static void
user_cancelled_cb (GCancellable *cancellable,
                   Pager        *pager)
{
  g_cancellable_cancel (pager->cancellable);
}

/**
 * _cs_pager_fetch_async:
 * @client: the service's HTTP client
 * @spec: how to list; copied, but its @user_data must stay alive until the
 *   operation completes
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when all pages are in, or one failed
 * @user_data: data for @callback
 *
 * Lists every page of an endpoint, again if it moved meanwhile (see
 * #CsPagerSpec).
 */
void
_cs_pager_fetch_async (CsHttpClient        *client,
                       const CsPagerSpec   *spec,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Pager *pager;

  g_return_if_fail (CS_IS_HTTP_CLIENT (client));
  g_return_if_fail (spec != NULL);

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, _cs_pager_fetch_async);

  pager = g_new0 (Pager, 1);
  pager->client = g_object_ref (client);
  pager->spec = *spec;
  pager->cancellable = g_cancellable_new ();
  pager->pages = g_ptr_array_new_with_free_func (page_free);
  g_task_set_task_data (task, pager, (GDestroyNotify) pager_free);

  if (cancellable != NULL)
    {
      pager->user_cancellable = g_object_ref (cancellable);
      pager->cancel_handler = g_cancellable_connect (cancellable, G_CALLBACK (user_cancelled_cb),
                                                     pager, NULL);
    }

  start_read (task);
}

/**
 * _cs_pager_fetch_finish:
 * @client: the service's HTTP client
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the items, freed with the spec's @item_free
 */
CsPagerResult *
_cs_pager_fetch_finish (CsHttpClient  *client,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (CS_IS_HTTP_CLIENT (client), NULL);
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
