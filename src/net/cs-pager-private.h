/* cs-pager-private.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cs-http-client.h"

G_BEGIN_DECLS

/**
 * CsPagerSpec:
 * @path: the list endpoint, below the base URL
 * @api_version: (nullable): sent as `cal-api-version`
 * @max_in_flight: pages requested at once after the first
 * @max_pages: a bound against a server that never stops paging
 * @build_query: the query of page @index (0-based), a %NULL-terminated
 *   name/value vector
 * @parse: parses a page into items (with their free function set), and
 *   tells the total number of pages and whether a next one exists
 * @item_key: a key that identifies an item, to drop repeats across pages
 * @item_free: frees an item; must accept %NULL
 * @user_data: data for the functions, owned by the caller, alive until the
 *   operation completes
 *
 * How to list one paginated endpoint. Page 1 comes alone; once it tells
 * how many pages there are, the rest are requested @max_in_flight at a time
 * (each still passing the client's rate limiter), and the items are
 * returned in page order, repeats removed. A page that fails fails the
 * whole listing: a partial listing would make present items look missing.
 */
typedef struct
{
  const char  *path;
  const char  *api_version;
  guint        max_in_flight;
  guint        max_pages;
  GStrv      (*build_query) (gpointer     user_data,
                             guint        index);
  GPtrArray *(*parse)       (gpointer     user_data,
                             GBytes      *body,
                             guint       *total_pages,
                             gboolean    *has_next,
                             GError     **error);
  char      *(*item_key)    (gpointer     item);
  GDestroyNotify item_free;
  gpointer     user_data;
} CsPagerSpec;

/**
 * CsPagerResult:
 * @items: the items in page order, repeats removed
 * @n_pages: pages fetched
 * @n_duplicates: items dropped as repeats
 */
typedef struct
{
  GPtrArray *items;
  guint      n_pages;
  guint      n_duplicates;
} CsPagerResult;

void           _cs_pager_result_free (CsPagerResult        *result);
void           _cs_pager_fetch_async (CsHttpClient         *client,
                                      const CsPagerSpec    *spec,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
CsPagerResult *_cs_pager_fetch_finish (CsHttpClient        *client,
                                       GAsyncResult        *result,
                                       GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsPagerResult, _cs_pager_result_free)

G_END_DECLS
