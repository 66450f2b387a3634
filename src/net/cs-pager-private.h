/* cs-pager-private.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cs-http-client.h"

G_BEGIN_DECLS

/* A listing that moved while it was read is read again at most this often;
 * then it is returned as it was last read, marked as drifted. */
#define CS_PAGER_MAX_REREADS 2

/**
 * CsPagerPage:
 * @total_items: the number of rows the server counts for the listing (or,
 *   for Cal.com's incremental listings, for the window before the filter):
 *   every page must repeat the first page's
 * @total_pages: the number of pages of the listing, or 0 if the count does
 *   not tell (read on while @has_next)
 * @has_next: whether a page follows
 * @first_key: (nullable): the key of the page's first row, if it could be
 *   read (also for a row the parser refused); set by the parser with
 *   g_strdup(), freed by the pager
 * @last_key: (nullable): the key of its last row, likewise
 *
 * What the pager needs to know of one page, besides its items.
 */
typedef struct
{
  guint     total_items;
  guint     total_pages;
  gboolean  has_next;
  char     *first_key;
  char     *last_key;
} CsPagerPage;

/**
 * CsPagerSpec:
 * @path: the list endpoint, below the base URL
 * @api_version: (nullable): sent as `cal-api-version`
 * @max_in_flight: pages requested at once after the first
 * @max_pages: a bound against a server that never stops paging
 * @overlap: 1 if each page after the first starts with the previous page's
 *   last row (offset paging that steps by one row less than a page), else 0
 * @build_query: the query of page @index (0-based), a %NULL-terminated
 *   name/value vector
 * @parse: parses a page into items (with their free function set), and
 *   fills @page
 * @restart: (nullable): called before the listing is read again, to forget
 *   what the parser counted on the way
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
 *
 * A listing is believed only if it held still while it was read: every
 * page repeats the first page's totals, no row comes twice (but the
 * overlapping row, which must be the previous page's last one), so that no
 * row slipped past a page boundary unseen. One that moved is read again,
 * up to %CS_PAGER_MAX_REREADS times; if it still moved, the result says so.
 */
typedef struct
{
  const char  *path;
  const char  *api_version;
  guint        max_in_flight;
  guint        max_pages;
  guint        overlap;
  GStrv      (*build_query) (gpointer      user_data,
                             guint         index);
  GPtrArray *(*parse)       (gpointer      user_data,
                             GBytes       *body,
                             CsPagerPage  *page,
                             GError      **error);
  void       (*restart)     (gpointer      user_data);
  char      *(*item_key)    (gpointer      item);
  GDestroyNotify item_free;
  gpointer     user_data;
} CsPagerSpec;

/**
 * CsPagerResult:
 * @items: the items in page order, repeats removed
 * @n_pages: pages fetched in the last read
 * @n_duplicates: items dropped as repeats in the last read (the expected
 *   overlapping rows not counted)
 * @n_reads: how often the listing was read (1 when it held still at once)
 * @drifted: the listing still moved in its last read: rows may have
 *   slipped past a page boundary unseen, so a missing item proves nothing
 */
typedef struct
{
  GPtrArray *items;
  guint      n_pages;
  guint      n_duplicates;
  guint      n_reads;
  gboolean   drifted;
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
