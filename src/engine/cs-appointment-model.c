/* cs-appointment-model.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-appointment-model.h"
#include "cs-appointment-row-private.h"
#include "cs-store-rows.h"

/**
 * CsAppointmentModel:
 *
 * The appointment list as a #GListModel of #CsAppointmentRow: every
 * appointment of the store's company plus every Cal.com booking no
 * appointment claims, those starting in the window of
 * cs_appointment_model_set_window() if one is set.
 *
 * A reload reads, in a worker thread, one compact key per row (what the
 * orders and the status filter need, about 40 bytes) and the searchable
 * text of all rows, casefolded, into a single buffer. Sorting, filtering
 * and searching then work on that memory alone, synchronously, each
 * emitting one #GListModel::items-changed. A row object is made only when
 * a position is asked for, read by one prepared query on the model's own
 * read-only connection, and the last %ROW_CACHE_SIZE of them are kept.
 */

/* Enough for a few screens of a column view and its scroll-back. */
#define ROW_CACHE_SIZE 256

/* The separator of the fields of one row's searchable text: below every
 * printable character, so the text of a row with a shorter name sorts
 * first, and never typed, so no needle matches across fields. */
#define FIELD_SEPARATOR '\x01'

typedef enum
{
  KEY_BOOKING      = 1 << 0,
  KEY_NEEDS_REVIEW = 1 << 1,
  KEY_UPCOMING     = 1 << 2,
  KEY_RETRYING     = 1 << 3,
} KeyFlags;

typedef enum
{
  GROUP_FLAGGED,
  GROUP_PROBLEM,
  GROUP_REST,
} UrgencyGroup;

/* One row as the orders and filters see it. */
typedef struct
{
  gint64  key;
  CsTime  starts_at;
  CsTime  last_attempt_at;
  guint32 text_offset;
  guint32 customer_rank;
  guint16 attempts;
  guint8  status;
  guint8  error_code;
  guint8  flags;
  guint8  group;
} RowKey;

/* What one reload read: the rows, their text, and their order under the
 * sort the model had when the reload began. */
typedef struct
{
  RowKey            *keys;
  guint              n_keys;
  char              *text;
  gsize              text_len;
  guint32           *order;
  CsAppointmentSort  sort;
  gboolean           descending;
  gint64             company_id;
  CsTime             now;
} Snapshot;

typedef struct
{
  guint32           index;
  guint64           stamp;
  CsAppointmentRow *row;
} CacheSlot;

struct _CsAppointmentModel
{
  GObject            parent_instance;

  /* Owned */
  CsStore           *store;
  CsClock           *clock;
  CsStoreRows       *reader;
  Snapshot          *snapshot;
  guint32           *visible;
  char              *search_text;
  char              *needle;
  CacheSlot          cache[ROW_CACHE_SIZE];

  guint              n_visible;
  guint64            cache_stamp;
  guint              generation;
  guint              status_filter;
  CsAppointmentSort  sort;
  gboolean           sort_descending;
  CsTime             window_start;
  CsTime             window_end;

  /* (nullable) (weak): whose run shows its items as being verified */
  CsVerifier        *verifier;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CsAppointmentModel, cs_appointment_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

G_DEFINE_ENUM_TYPE (CsAppointmentSort, cs_appointment_sort,
  G_DEFINE_ENUM_VALUE (CS_APPOINTMENT_SORT_URGENCY, "urgency"),
  G_DEFINE_ENUM_VALUE (CS_APPOINTMENT_SORT_ID, "id"),
  G_DEFINE_ENUM_VALUE (CS_APPOINTMENT_SORT_CUSTOMER, "customer"),
  G_DEFINE_ENUM_VALUE (CS_APPOINTMENT_SORT_STARTS_AT, "starts-at"),
  G_DEFINE_ENUM_VALUE (CS_APPOINTMENT_SORT_STATUS, "status"),
  G_DEFINE_ENUM_VALUE (CS_APPOINTMENT_SORT_ERROR, "error"),
  G_DEFINE_ENUM_VALUE (CS_APPOINTMENT_SORT_ATTEMPTS, "attempts"),
  G_DEFINE_ENUM_VALUE (CS_APPOINTMENT_SORT_LAST_ATTEMPT, "last-attempt"))

enum {
  PROP_0,
  PROP_STORE,
  PROP_CLOCK,
  PROP_SEARCH_TEXT,
  PROP_STATUS_FILTER,
  PROP_SORT,
  PROP_SORT_DESCENDING,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Snapshots */

static void
snapshot_free (Snapshot *snapshot)
{
  if (snapshot == NULL)
    return;

  g_free (snapshot->keys);
  g_free (snapshot->text);
  g_free (snapshot->order);
  g_free (snapshot);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Snapshot, snapshot_free)

static inline const char *
snapshot_text (const Snapshot *snapshot,
               const RowKey   *key)
{
  return snapshot->text + key->text_offset;
}

static int
compare_int64 (gint64 a,
               gint64 b)
{
  return (a > b) - (a < b);
}

/* The last word of every order, so no two rows compare equal. */
static int
compare_identity (const RowKey *a,
                  const RowKey *b)
{
  int cmp = (a->flags & KEY_BOOKING) - (b->flags & KEY_BOOKING);

  return cmp != 0 ? cmp : compare_int64 (a->key, b->key);
}

static int
compare_urgency (const RowKey *a,
                 const RowKey *b)
{
  int cmp;

  if ((cmp = (int) a->group - (int) b->group) != 0)
    return cmp;

  /* Upcoming rows before past ones: the problem in two hours is the one
   * to fix now; then the nearest upcoming, and the latest past, first. */
  if ((cmp = (int) (b->flags & KEY_UPCOMING) - (int) (a->flags & KEY_UPCOMING)) != 0)
    return cmp;

  if (a->flags & KEY_UPCOMING)
    cmp = compare_int64 (a->starts_at, b->starts_at);
  else
    cmp = compare_int64 (b->starts_at, a->starts_at);

  return cmp != 0 ? cmp : compare_identity (a, b);
}

static int
compare_keys (const RowKey      *a,
              const RowKey      *b,
              CsAppointmentSort  sort)
{
  int cmp = 0;

  switch (sort)
    {
    case CS_APPOINTMENT_SORT_URGENCY:
      return compare_urgency (a, b);

    case CS_APPOINTMENT_SORT_ID:
      return compare_identity (a, b);

    case CS_APPOINTMENT_SORT_CUSTOMER:
      /* Ranks are unique. */
      return compare_int64 (a->customer_rank, b->customer_rank);

    case CS_APPOINTMENT_SORT_STARTS_AT:
      cmp = compare_int64 (a->starts_at, b->starts_at);
      return cmp != 0 ? cmp : compare_identity (a, b);

    case CS_APPOINTMENT_SORT_STATUS:
      cmp = (int) a->status - (int) b->status;
      break;

    case CS_APPOINTMENT_SORT_ERROR:
      cmp = (int) a->error_code - (int) b->error_code;
      break;

    case CS_APPOINTMENT_SORT_ATTEMPTS:
      cmp = (int) a->attempts - (int) b->attempts;
      break;

    case CS_APPOINTMENT_SORT_LAST_ATTEMPT:
      cmp = compare_int64 (a->last_attempt_at, b->last_attempt_at);
      return cmp != 0 ? cmp : compare_identity (a, b);

    default:
      g_assert_not_reached ();
    }

  return cmp != 0 ? cmp : compare_urgency (a, b);
}

typedef struct
{
  const Snapshot    *snapshot;
  CsAppointmentSort  sort;
} SortData;

static int
compare_order (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  const SortData *data = user_data;
  const RowKey *keys = data->snapshot->keys;

  return compare_keys (&keys[*(const guint32 *) a], &keys[*(const guint32 *) b], data->sort);
}

/* Puts the snapshot's order in @sort, reversed if @descending: every order
 * is total, so the reverse is the descending order. */
static void
snapshot_sort (Snapshot          *snapshot,
               CsAppointmentSort  sort,
               gboolean           descending)
{
  SortData data = { snapshot, sort };

  g_assert (snapshot != NULL);

  if (snapshot->sort != sort || snapshot->order == NULL)
    {
      if (snapshot->order == NULL)
        {
          snapshot->order = g_new (guint32, MAX (snapshot->n_keys, 1));
          for (guint i = 0; i < snapshot->n_keys; i++)
            snapshot->order[i] = i;
        }

      g_qsort_with_data (snapshot->order, snapshot->n_keys, sizeof (guint32),
                         compare_order, &data);
      snapshot->sort = sort;
      snapshot->descending = FALSE;
    }

  if (snapshot->descending != descending)
    {
      for (guint i = 0, j = snapshot->n_keys; i + 1 < j; i++, j--)
        {
          guint32 tmp = snapshot->order[i];

          snapshot->order[i] = snapshot->order[j - 1];
          snapshot->order[j - 1] = tmp;
        }
      snapshot->descending = descending;
    }
}

static int
compare_customer (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  const Snapshot *snapshot = user_data;
  const RowKey *key_a = &snapshot->keys[*(const guint32 *) a];
  const RowKey *key_b = &snapshot->keys[*(const guint32 *) b];
  int cmp;

  /* The text starts with the name: FIELD_SEPARATOR ends it below every
   * character, so "anna" sorts before "annabel". */
  cmp = strcmp (snapshot_text (snapshot, key_a), snapshot_text (snapshot, key_b));

  return cmp != 0 ? cmp : compare_identity (key_a, key_b);
}

static void
snapshot_rank_customers (Snapshot *snapshot)
{
  g_autofree guint32 *by_name = g_new (guint32, MAX (snapshot->n_keys, 1));

  for (guint i = 0; i < snapshot->n_keys; i++)
    by_name[i] = i;

  g_qsort_with_data (by_name, snapshot->n_keys, sizeof (guint32), compare_customer, snapshot);

  for (guint i = 0; i < snapshot->n_keys; i++)
    snapshot->keys[by_name[i]].customer_rank = i;
}

/* Reloading */

/* What a run that is going checks, as the reload shows it: its items that
 * wait for a verdict (never checked, or retrying) are "verification
 * pending" until the run ends. Nothing of it is stored: a run that ends or
 * is killed leaves no item in that state. */
typedef struct
{
  gboolean    active;
  GHashTable *ids;     /* gint64 * set, or NULL for the whole window */
  GHashTable *uids;    /* uid set, or NULL for the whole window */
} Verifying;

static void
verifying_clear (Verifying *verifying)
{
  g_clear_pointer (&verifying->ids, g_hash_table_unref);
  g_clear_pointer (&verifying->uids, g_hash_table_unref);
  verifying->active = FALSE;
}

static void
verifying_capture (Verifying  *verifying,
                   CsVerifier *verifier)
{
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) uids = NULL;

  if (verifier == NULL || !cs_verifier_get_scope (verifier, &ids, &uids))
    return;

  verifying->active = TRUE;
  if (ids != NULL)
    {
      verifying->ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
      for (guint i = 0; i < ids->len; i++)
        g_hash_table_add (verifying->ids, g_memdup2 (&g_array_index (ids, gint64, i), sizeof (gint64)));
    }
  if (uids != NULL)
    {
      verifying->uids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      for (guint i = 0; i < uids->len; i++)
        g_hash_table_add (verifying->uids, g_strdup (g_ptr_array_index (uids, i)));
    }
}

/* Whether the run that is going shows @info as being verified. */
static gboolean
verifying_covers (const Verifying      *verifying,
                  const CsStoreRowInfo *info)
{
  gboolean waits;

  if (!verifying->active || info->resolved_at != CS_TIME_UNSET || info->requires_manual_review)
    return FALSE;

  waits = info->status == CS_SYNC_STATUS_PENDING || info->status == CS_SYNC_STATUS_FAILED ||
          info->status == CS_SYNC_STATUS_ORPHANED_LOCAL ||
          info->status == CS_SYNC_STATUS_ORPHANED_CALCOM;
  if (!waits)
    return FALSE;

  if (info->is_booking)
    return verifying->uids == NULL ||
           (info->booking_uid != NULL && g_hash_table_contains (verifying->uids, info->booking_uid));

  return verifying->ids == NULL || g_hash_table_contains (verifying->ids, &info->key);
}

typedef struct
{
  CsStore           *store;
  gint64             company_id;
  CsTime             now;
  CsAppointmentSort  sort;
  gboolean           descending;
  guint              generation;
  CsTime             window_start;
  CsTime             window_end;
  Verifying          verifying;
} ReloadData;

static void
reload_data_free (ReloadData *data)
{
  verifying_clear (&data->verifying);
  g_clear_object (&data->store);
  g_free (data);
}

typedef struct
{
  GArray          *keys;
  GString         *text;
  CsTime           now;
  CsTime           window_start;
  CsTime           window_end;
  const Verifying *verifying;
} Loader;

/* Appends @str casefolded; ASCII, the usual case, without allocating. */
static void
append_folded (GString    *text,
               const char *str)
{
  const char *p;

  if (str == NULL)
    return;

  for (p = str; *p != '\0'; p++)
    {
      if ((guchar) *p >= 0x80)
        {
          g_autofree char *folded = g_utf8_casefold (p, -1);

          g_string_append (text, folded);
          return;
        }

      if (*p != FIELD_SEPARATOR)
        g_string_append_c (text, g_ascii_tolower (*p));
    }
}

static gboolean
loader_add_row (const CsStoreRowInfo *info,
                gpointer              user_data)
{
  Loader *loader = user_data;
  gboolean unresolved = info->resolved_at == CS_TIME_UNSET;
  gboolean snoozed = info->snoozed_until != CS_TIME_UNSET && info->snoozed_until > loader->now;
  gboolean verifying;
  RowKey key = { 0 };

  /* Outside the verification window: no longer (or not yet) checked, so
   * neither listed nor counted, the orphaned bookings by their start too. */
  if (loader->window_end != CS_TIME_UNSET &&
      (info->starts_at < loader->window_start || info->starts_at >= loader->window_end))
    return TRUE;

  key.key = info->key;
  key.starts_at = info->starts_at;
  key.last_attempt_at = info->last_attempt_at;
  key.text_offset = (guint32) loader->text->len;
  key.attempts = (guint16) MIN (info->attempts, G_MAXUINT16);
  key.status = (guint8) info->status;
  key.error_code = (guint8) info->error_code;
  verifying = verifying_covers (loader->verifying, info);
  if (verifying)
    key.status = CS_SYNC_STATUS_VERIFICATION_PENDING;

  if (info->is_booking)
    key.flags |= KEY_BOOKING;
  if (info->requires_manual_review && unresolved)
    key.flags |= KEY_NEEDS_REVIEW;
  if (info->starts_at >= loader->now)
    key.flags |= KEY_UPCOMING;
  if (unresolved && !info->requires_manual_review && !verifying &&
      (info->status == CS_SYNC_STATUS_FAILED || info->status == CS_SYNC_STATUS_ORPHANED_LOCAL ||
       info->status == CS_SYNC_STATUS_ORPHANED_CALCOM))
    key.flags |= KEY_RETRYING;

  if (info->requires_manual_review && unresolved && !snoozed)
    key.group = GROUP_FLAGGED;
  else if (unresolved &&
           (info->requires_manual_review ||
            info->error_code != CS_ERROR_CODE_NONE ||
            info->status == CS_SYNC_STATUS_FAILED ||
            info->status == CS_SYNC_STATUS_ORPHANED_LOCAL ||
            info->status == CS_SYNC_STATUS_ORPHANED_CALCOM))
    key.group = GROUP_PROBLEM;
  else
    key.group = GROUP_REST;

  /* name \1 number \1 id for an appointment, name \1 uid for a booking:
   * the name first, for the customer order. */
  append_folded (loader->text, info->customer_name);
  g_string_append_c (loader->text, FIELD_SEPARATOR);
  if (info->is_booking)
    {
      append_folded (loader->text, info->booking_uid);
    }
  else
    {
      append_folded (loader->text, info->number);
      g_string_append_c (loader->text, FIELD_SEPARATOR);
      g_string_append_printf (loader->text, "%" G_GINT64_FORMAT, info->key);
    }
  g_string_append_c (loader->text, '\0');

  g_array_append_val (loader->keys, key);

  return TRUE;
}

static void
reload_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ReloadData *data = task_data;
  /* Dropped here, not with the task: the thread pool may drop its last
   * reference to the task after the caller has seen the result. */
  g_autoptr(CsStore) store = g_steal_pointer (&data->store);
  g_autoptr(CsStoreRows) reader = NULL;
  g_autoptr(Snapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  Loader loader;

  g_assert (data != NULL);

  if (!(reader = _cs_store_rows_open (store, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  loader.keys = g_array_sized_new (FALSE, FALSE, sizeof (RowKey), 1024);
  loader.text = g_string_sized_new (32 * 1024);
  loader.now = data->now;
  loader.window_start = data->window_start;
  loader.window_end = data->window_end;
  loader.verifying = &data->verifying;

  if (!_cs_store_rows_foreach (reader, data->company_id, loader_add_row, &loader, &error))
    {
      g_array_unref (loader.keys);
      g_string_free (loader.text, TRUE);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  snapshot = g_new0 (Snapshot, 1);
  snapshot->n_keys = loader.keys->len;
  snapshot->keys = (RowKey *) (gpointer) g_array_free (loader.keys, FALSE);
  snapshot->text_len = loader.text->len;
  snapshot->text = g_string_free (loader.text, FALSE);
  snapshot->company_id = data->company_id;
  snapshot->now = data->now;

  if (g_task_return_error_if_cancelled (task))
    return;

  snapshot_rank_customers (snapshot);
  snapshot_sort (snapshot, data->sort, data->descending);

  g_task_return_pointer (task, g_steal_pointer (&snapshot), (GDestroyNotify) snapshot_free);
}

/* Filtering */

static void
cache_clear (CsAppointmentModel *self)
{
  for (guint i = 0; i < ROW_CACHE_SIZE; i++)
    g_clear_object (&self->cache[i].row);
}

static inline gboolean
row_matches (CsAppointmentModel *self,
             const RowKey       *key)
{
  if (self->status_filter != CS_APPOINTMENT_FILTER_ALL &&
      !(self->status_filter & CS_APPOINTMENT_FILTER_STATUS (key->status)) &&
      !((self->status_filter & CS_APPOINTMENT_FILTER_NEEDS_REVIEW) &&
        (key->flags & KEY_NEEDS_REVIEW)) &&
      !((self->status_filter & CS_APPOINTMENT_FILTER_RETRYING) &&
        (key->flags & KEY_RETRYING)))
    return FALSE;

  return self->needle == NULL || strstr (snapshot_text (self->snapshot, key), self->needle) != NULL;
}

/* Recomputes the visible rows. With @narrowing, the new filter keeps a
 * subset of what the old one kept, so only the visible rows are tested. */
static void
refilter (CsAppointmentModel *self,
          gboolean            narrowing)
{
  const Snapshot *snapshot = self->snapshot;
  guint n = 0;

  if (snapshot == NULL)
    return;

  if (narrowing)
    {
      for (guint i = 0; i < self->n_visible; i++)
        if (row_matches (self, &snapshot->keys[self->visible[i]]))
          self->visible[n++] = self->visible[i];
    }
  else
    {
      for (guint i = 0; i < snapshot->n_keys; i++)
        if (row_matches (self, &snapshot->keys[snapshot->order[i]]))
          self->visible[n++] = snapshot->order[i];
    }

  self->n_visible = n;
}

/* Emits the one change of a new filter, order or snapshot. */
static void
emit_changed (CsAppointmentModel *self,
              guint               old_n)
{
  if (old_n == 0 && self->n_visible == 0)
    return;

  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, self->n_visible);

  if (old_n != self->n_visible)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
reload_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CsAppointmentModel *self;
  g_autoptr(Snapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  ReloadData *data;
  guint old_n;

  g_assert (G_IS_TASK (task));

  self = g_task_get_source_object (task);
  g_assert (CS_IS_APPOINTMENT_MODEL (self));

  data = g_task_get_task_data (G_TASK (result));

  if (!(snapshot = g_task_propagate_pointer (G_TASK (result), &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* A later reload began meanwhile: its rows are newer. */
  if (data->generation != self->generation)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* The order may have changed while the worker sorted. */
  snapshot_sort (snapshot, self->sort, self->sort_descending);

  old_n = self->n_visible;
  cache_clear (self);
  g_clear_pointer (&self->snapshot, snapshot_free);
  g_clear_pointer (&self->visible, g_free);
  self->snapshot = g_steal_pointer (&snapshot);
  self->visible = g_new (guint32, MAX (self->snapshot->n_keys, 1));
  self->n_visible = 0;

  refilter (self, FALSE);
  emit_changed (self, old_n);

  g_task_return_boolean (task, TRUE);
}

/**
 * cs_appointment_model_reload_async:
 * @self: a model
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the rows are loaded
 * @user_data: data for @callback
 *
 * Reads the rows of the store's current company in a worker thread, then,
 * in the thread-default main context of the caller, puts them in place of
 * the old ones, keeping the search, filter and order, and emits one
 * #GListModel::items-changed for the whole list. The urgency order takes
 * "now" from the model's clock when the reload begins. If a later reload
 * begins before this one is done, this one leaves the rows alone.
 */
void
cs_appointment_model_reload_async (CsAppointmentModel  *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) worker = NULL;
  ReloadData *data;

  g_return_if_fail (CS_IS_APPOINTMENT_MODEL (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_appointment_model_reload_async);

  data = g_new0 (ReloadData, 1);
  data->store = g_object_ref (self->store);
  data->company_id = cs_store_get_company_id (self->store);
  data->now = cs_clock_get_now (self->clock);
  data->sort = self->sort;
  data->descending = self->sort_descending;
  data->generation = ++self->generation;
  data->window_start = self->window_start;
  data->window_end = self->window_end;
  verifying_capture (&data->verifying, self->verifier);

  /* The worker task has no source object, for the same reason the worker
   * drops the store itself; the caller's task keeps the model alive. */
  worker = g_task_new (NULL, cancellable, reload_cb, g_steal_pointer (&task));
  g_task_set_source_tag (worker, reload_worker);
  g_task_set_task_data (worker, data, (GDestroyNotify) reload_data_free);
  g_task_run_in_thread (worker, reload_worker);
}

/**
 * cs_appointment_model_reload_finish:
 * @self: a model
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the rows were read
 */
gboolean
cs_appointment_model_reload_finish (CsAppointmentModel  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  g_return_val_if_fail (CS_IS_APPOINTMENT_MODEL (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        cs_appointment_model_reload_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* GListModel */

static GType
cs_appointment_model_get_item_type (GListModel *model)
{
  return CS_TYPE_APPOINTMENT_ROW;
}

static guint
cs_appointment_model_get_n_items (GListModel *model)
{
  return CS_APPOINTMENT_MODEL (model)->n_visible;
}

static CsAppointmentRow *
read_row (CsAppointmentModel *self,
          const RowKey       *key)
{
  g_autoptr(GError) error = NULL;
  CsStoreRowInfo info;

  if (self->reader == NULL)
    self->reader = _cs_store_rows_open (self->store, &error);

  if (self->reader != NULL &&
      _cs_store_rows_read (self->reader,
                           self->snapshot->company_id,
                           (key->flags & KEY_BOOKING) != 0,
                           key->key,
                           &info,
                           &error))
    {
      /* Shown as the reload saw it while a run verifies it. */
      if (key->status == CS_SYNC_STATUS_VERIFICATION_PENDING)
        info.status = CS_SYNC_STATUS_VERIFICATION_PENDING;
      return _cs_appointment_row_new (&info);
    }

  /* The row went away after the reload (the next reload drops it), or the
   * file cannot be read: show what the reload saw. */
  if (!g_error_matches (error, CS_STORE_ERROR, CS_STORE_ERROR_NOT_FOUND))
    g_debug ("Reading a row of the appointment list failed: %s", error->message);

  memset (&info, 0, sizeof info);
  info.key = key->key;
  info.is_booking = (key->flags & KEY_BOOKING) != 0;
  info.starts_at = key->starts_at;
  info.status = key->status;
  info.error_code = key->error_code;
  info.attempts = key->attempts;
  info.last_attempt_at = key->last_attempt_at;
  info.requires_manual_review = (key->flags & KEY_NEEDS_REVIEW) != 0;

  return _cs_appointment_row_new (&info);
}

static gpointer
cs_appointment_model_get_item (GListModel *model,
                               guint       position)
{
  CsAppointmentModel *self = CS_APPOINTMENT_MODEL (model);
  CacheSlot *oldest;
  guint32 index;

  if (position >= self->n_visible)
    return NULL;

  index = self->visible[position];
  oldest = &self->cache[0];

  for (guint i = 0; i < ROW_CACHE_SIZE; i++)
    {
      CacheSlot *slot = &self->cache[i];

      if (slot->row != NULL && slot->index == index)
        {
          slot->stamp = ++self->cache_stamp;
          return g_object_ref (slot->row);
        }

      if (slot->row == NULL || (oldest->row != NULL && slot->stamp < oldest->stamp))
        oldest = slot;
    }

  g_clear_object (&oldest->row);
  oldest->row = read_row (self, &self->snapshot->keys[index]);
  oldest->index = index;
  oldest->stamp = ++self->cache_stamp;

  return g_object_ref (oldest->row);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = cs_appointment_model_get_item_type;
  iface->get_n_items = cs_appointment_model_get_n_items;
  iface->get_item = cs_appointment_model_get_item;
}

/* GObject */

static void
cs_appointment_model_dispose (GObject *object)
{
  CsAppointmentModel *self = (CsAppointmentModel *) object;

  cache_clear (self);
  cs_appointment_model_set_verifier (self, NULL);
  g_clear_object (&self->store);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (cs_appointment_model_parent_class)->dispose (object);
}

static void
cs_appointment_model_finalize (GObject *object)
{
  CsAppointmentModel *self = (CsAppointmentModel *) object;

  g_clear_pointer (&self->reader, _cs_store_rows_free);
  g_clear_pointer (&self->snapshot, snapshot_free);
  g_clear_pointer (&self->visible, g_free);
  g_clear_pointer (&self->search_text, g_free);
  g_clear_pointer (&self->needle, g_free);

  G_OBJECT_CLASS (cs_appointment_model_parent_class)->finalize (object);
}

static void
cs_appointment_model_constructed (GObject *object)
{
  CsAppointmentModel *self = (CsAppointmentModel *) object;

  G_OBJECT_CLASS (cs_appointment_model_parent_class)->constructed (object);

  g_assert (CS_IS_STORE (self->store));

  if (self->clock == NULL)
    self->clock = g_object_ref (cs_clock_get_system ());
}

static void
cs_appointment_model_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  CsAppointmentModel *self = CS_APPOINTMENT_MODEL (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_CLOCK:
      g_value_set_object (value, self->clock);
      break;

    case PROP_SEARCH_TEXT:
      g_value_set_string (value, self->search_text);
      break;

    case PROP_STATUS_FILTER:
      g_value_set_uint (value, self->status_filter);
      break;

    case PROP_SORT:
      g_value_set_enum (value, self->sort);
      break;

    case PROP_SORT_DESCENDING:
      g_value_set_boolean (value, self->sort_descending);
      break;

    case PROP_N_ITEMS:
      g_value_set_uint (value, self->n_visible);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_appointment_model_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  CsAppointmentModel *self = CS_APPOINTMENT_MODEL (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_CLOCK:
      self->clock = g_value_dup_object (value);
      break;

    case PROP_SEARCH_TEXT:
      cs_appointment_model_set_search_text (self, g_value_get_string (value));
      break;

    case PROP_STATUS_FILTER:
      cs_appointment_model_set_status_filter (self, g_value_get_uint (value));
      break;

    case PROP_SORT:
      cs_appointment_model_set_sort (self, g_value_get_enum (value));
      break;

    case PROP_SORT_DESCENDING:
      cs_appointment_model_set_sort_descending (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_appointment_model_class_init (CsAppointmentModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = cs_appointment_model_constructed;
  object_class->dispose = cs_appointment_model_dispose;
  object_class->finalize = cs_appointment_model_finalize;
  object_class->get_property = cs_appointment_model_get_property;
  object_class->set_property = cs_appointment_model_set_property;

  /**
   * CsAppointmentModel:store:
   *
   * The store the rows come from; the model follows its company at each
   * reload.
   */
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         CS_TYPE_STORE,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * CsAppointmentModel:clock:
   *
   * The clock that says which appointments are upcoming; the system clock
   * if none is given.
   */
  properties[PROP_CLOCK] =
    g_param_spec_object ("clock", NULL, NULL,
                         CS_TYPE_CLOCK,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * CsAppointmentModel:search-text:
   *
   * Shows only the rows whose customer name, number or id (for an orphaned
   * booking: attendee name or uid) contains the text, case-insensitively.
   * %NULL or blank shows every row.
   */
  properties[PROP_SEARCH_TEXT] =
    g_param_spec_string ("search-text", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE |
                          G_PARAM_STATIC_STRINGS |
                          G_PARAM_EXPLICIT_NOTIFY));

  /**
   * CsAppointmentModel:status-filter:
   *
   * A union of CS_APPOINTMENT_FILTER_STATUS() bits and
   * %CS_APPOINTMENT_FILTER_NEEDS_REVIEW: a row is shown if any bit admits
   * it. %CS_APPOINTMENT_FILTER_ALL shows every row.
   */
  properties[PROP_STATUS_FILTER] =
    g_param_spec_uint ("status-filter", NULL, NULL,
                       0, G_MAXUINT, CS_APPOINTMENT_FILTER_ALL,
                       (G_PARAM_READWRITE |
                        G_PARAM_STATIC_STRINGS |
                        G_PARAM_EXPLICIT_NOTIFY));

  /**
   * CsAppointmentModel:sort:
   *
   * The order of the rows.
   */
  properties[PROP_SORT] =
    g_param_spec_enum ("sort", NULL, NULL,
                       CS_TYPE_APPOINTMENT_SORT, CS_APPOINTMENT_SORT_URGENCY,
                       (G_PARAM_READWRITE |
                        G_PARAM_STATIC_STRINGS |
                        G_PARAM_EXPLICIT_NOTIFY));

  /**
   * CsAppointmentModel:sort-descending:
   *
   * Whether the order is reversed.
   */
  properties[PROP_SORT_DESCENDING] =
    g_param_spec_boolean ("sort-descending", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE |
                           G_PARAM_STATIC_STRINGS |
                           G_PARAM_EXPLICIT_NOTIFY));

  /**
   * CsAppointmentModel:n-items:
   *
   * The number of rows shown.
   */
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE |
                        G_PARAM_STATIC_STRINGS |
                        G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_appointment_model_init (CsAppointmentModel *self)
{
  self->sort = CS_APPOINTMENT_SORT_URGENCY;
}

/**
 * cs_appointment_model_new:
 * @store: the store to read
 * @clock: (nullable): the clock for "now", or %NULL for the system clock
 *
 * Creates an empty model; cs_appointment_model_reload_async() fills it.
 *
 * Returns: (transfer full): a new model
 */
CsAppointmentModel *
cs_appointment_model_new (CsStore *store,
                          CsClock *clock)
{
  g_return_val_if_fail (CS_IS_STORE (store), NULL);
  g_return_val_if_fail (clock == NULL || CS_IS_CLOCK (clock), NULL);

  return g_object_new (CS_TYPE_APPOINTMENT_MODEL,
                       "store", store,
                       "clock", clock,
                       NULL);
}

/**
 * cs_appointment_model_get_store:
 * @self: a model
 *
 * Returns: (transfer none): the store
 */
CsStore *
cs_appointment_model_get_store (CsAppointmentModel *self)
{
  g_return_val_if_fail (CS_IS_APPOINTMENT_MODEL (self), NULL);

  return self->store;
}

/**
 * cs_appointment_model_get_clock:
 * @self: a model
 *
 * Returns: (transfer none): the clock
 */
CsClock *
cs_appointment_model_get_clock (CsAppointmentModel *self)
{
  g_return_val_if_fail (CS_IS_APPOINTMENT_MODEL (self), NULL);

  return self->clock;
}

/**
 * cs_appointment_model_get_search_text:
 * @self: a model
 *
 * Returns: (nullable): the search text
 */
const char *
cs_appointment_model_get_search_text (CsAppointmentModel *self)
{
  g_return_val_if_fail (CS_IS_APPOINTMENT_MODEL (self), NULL);

  return self->search_text;
}

/**
 * cs_appointment_model_set_search_text:
 * @self: a model
 * @search_text: (nullable): the text to search for
 *
 * Sets #CsAppointmentModel:search-text. It takes no query: the loaded text
 * is searched in memory.
 */
void
cs_appointment_model_set_search_text (CsAppointmentModel *self,
                                      const char         *search_text)
{
  g_autofree char *needle = NULL;
  gboolean narrowing;
  guint old_n;

  g_return_if_fail (CS_IS_APPOINTMENT_MODEL (self));

  if (g_strcmp0 (self->search_text, search_text) == 0)
    return;

  g_free (self->search_text);
  self->search_text = g_strdup (search_text);

  if (search_text != NULL)
    {
      needle = g_strstrip (g_utf8_casefold (search_text, -1));
      if (needle[0] == '\0')
        g_clear_pointer (&needle, g_free);
    }

  if (g_strcmp0 (needle, self->needle) != 0)
    {
      /* A longer needle containing the old one finds a subset. */
      narrowing = self->needle == NULL || (needle != NULL && strstr (needle, self->needle) != NULL);

      g_free (self->needle);
      self->needle = g_steal_pointer (&needle);

      old_n = self->n_visible;
      refilter (self, narrowing);
      emit_changed (self, old_n);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_TEXT]);
}

/**
 * cs_appointment_model_get_status_filter:
 * @self: a model
 *
 * Returns: the status filter
 */
guint
cs_appointment_model_get_status_filter (CsAppointmentModel *self)
{
  g_return_val_if_fail (CS_IS_APPOINTMENT_MODEL (self), CS_APPOINTMENT_FILTER_ALL);

  return self->status_filter;
}

/**
 * cs_appointment_model_set_status_filter:
 * @self: a model
 * @status_filter: a union of CS_APPOINTMENT_FILTER_STATUS() bits and
 *   %CS_APPOINTMENT_FILTER_NEEDS_REVIEW, or %CS_APPOINTMENT_FILTER_ALL
 *
 * Sets #CsAppointmentModel:status-filter.
 */
void
cs_appointment_model_set_status_filter (CsAppointmentModel *self,
                                        guint               status_filter)
{
  guint old_n;

  g_return_if_fail (CS_IS_APPOINTMENT_MODEL (self));

  if (self->status_filter == status_filter)
    return;

  self->status_filter = status_filter;

  old_n = self->n_visible;
  refilter (self, FALSE);
  emit_changed (self, old_n);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_FILTER]);
}

/**
 * cs_appointment_model_get_sort:
 * @self: a model
 *
 * Returns: the order of the rows
 */
CsAppointmentSort
cs_appointment_model_get_sort (CsAppointmentModel *self)
{
  g_return_val_if_fail (CS_IS_APPOINTMENT_MODEL (self), CS_APPOINTMENT_SORT_URGENCY);

  return self->sort;
}

static void
resort (CsAppointmentModel *self)
{
  guint old_n = self->n_visible;

  if (self->snapshot == NULL)
    return;

  snapshot_sort (self->snapshot, self->sort, self->sort_descending);
  refilter (self, FALSE);
  emit_changed (self, old_n);
}

/**
 * cs_appointment_model_set_sort:
 * @self: a model
 * @sort: the order
 *
 * Sets #CsAppointmentModel:sort.
 */
void
cs_appointment_model_set_sort (CsAppointmentModel *self,
                               CsAppointmentSort   sort)
{
  g_return_if_fail (CS_IS_APPOINTMENT_MODEL (self));
  g_return_if_fail (sort <= CS_APPOINTMENT_SORT_LAST);

  if (self->sort == sort)
    return;

  self->sort = sort;
  resort (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT]);
}

/**
 * cs_appointment_model_get_sort_descending:
 * @self: a model
 *
 * Returns: whether the order is reversed
 */
gboolean
cs_appointment_model_get_sort_descending (CsAppointmentModel *self)
{
  g_return_val_if_fail (CS_IS_APPOINTMENT_MODEL (self), FALSE);

  return self->sort_descending;
}

/**
 * cs_appointment_model_set_sort_descending:
 * @self: a model
 * @sort_descending: whether to reverse the order
 *
 * Sets #CsAppointmentModel:sort-descending.
 */
void
cs_appointment_model_set_sort_descending (CsAppointmentModel *self,
                                          gboolean            sort_descending)
{
  g_return_if_fail (CS_IS_APPOINTMENT_MODEL (self));

  sort_descending = !!sort_descending;
  if (self->sort_descending == sort_descending)
    return;

  self->sort_descending = sort_descending;
  resort (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT_DESCENDING]);
}

/**
 * cs_appointment_model_set_window:
 * @self: a model
 * @start: the first start instant to list, or %CS_TIME_UNSET
 * @end: the end of the window (not included), or %CS_TIME_UNSET
 *
 * Limits the rows to those starting in [@start, @end), the verification
 * window (see cs_engine_get_window()): appointments and orphaned bookings
 * that left it are neither listed nor counted. Both %CS_TIME_UNSET, the
 * default, lists every row. Takes effect with the next reload.
 */
void
cs_appointment_model_set_window (CsAppointmentModel *self,
                                 CsTime              start,
                                 CsTime              end)
{
  g_return_if_fail (CS_IS_APPOINTMENT_MODEL (self));
  g_return_if_fail ((start == CS_TIME_UNSET && end == CS_TIME_UNSET) || end > start);

  self->window_start = start;
  self->window_end = end;
}

/**
 * cs_appointment_model_get_window:
 * @self: a model
 * @start: (out) (optional): the first start instant listed
 * @end: (out) (optional): the end of the window
 *
 * Returns: %TRUE if the rows are limited to a window
 */
gboolean
cs_appointment_model_get_window (CsAppointmentModel *self,
                                 CsTime             *start,
                                 CsTime             *end)
{
  g_return_val_if_fail (CS_IS_APPOINTMENT_MODEL (self), FALSE);

  if (start != NULL)
    *start = self->window_start;
  if (end != NULL)
    *end = self->window_end;

  return self->window_end != CS_TIME_UNSET;
}

/**
 * cs_appointment_model_get_n_loaded:
 * @self: a model
 *
 * Returns: the number of rows the last reload read, before any filter
 */
guint
cs_appointment_model_get_n_loaded (CsAppointmentModel *self)
{
  g_return_val_if_fail (CS_IS_APPOINTMENT_MODEL (self), 0);

  return self->snapshot != NULL ? self->snapshot->n_keys : 0;
}

/**
 * cs_appointment_model_set_verifier:
 * @self: a model
 * @verifier: (nullable): the verifier whose runs the list shows
 *
 * While @verifier runs, a reload shows the items its run checks that wait
 * for a verdict (never checked, or retrying) as
 * %CS_SYNC_STATUS_VERIFICATION_PENDING, and counts them so: the dashboard's
 * "Verifying". The next reload after the run shows what it found. The
 * model keeps no reference.
 */
void
cs_appointment_model_set_verifier (CsAppointmentModel *self,
                                   CsVerifier         *verifier)
{
  g_return_if_fail (CS_IS_APPOINTMENT_MODEL (self));
  g_return_if_fail (verifier == NULL || CS_IS_VERIFIER (verifier));

  if (self->verifier == verifier)
    return;

  if (self->verifier != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->verifier), (gpointer *) &self->verifier);
  self->verifier = verifier;
  if (verifier != NULL)
    g_object_add_weak_pointer (G_OBJECT (verifier), (gpointer *) &self->verifier);
}

/**
 * cs_appointment_model_get_counts:
 * @self: a model
 * @out_counts: (out caller-allocates): the dashboard figures
 *
 * Counts the loaded rows as cs_store_get_counts() counts the store, from
 * memory, so the dashboard and the list agree and no query runs on the
 * caller's thread. All zero before the first reload.
 */
void
cs_appointment_model_get_counts (CsAppointmentModel *self,
                                 CsStoreCounts      *out_counts)
{
  CsStoreCounts counts = { { 0 } };

  g_return_if_fail (CS_IS_APPOINTMENT_MODEL (self));
  g_return_if_fail (out_counts != NULL);

  for (guint i = 0; self->snapshot != NULL && i < self->snapshot->n_keys; i++)
    {
      const RowKey *key = &self->snapshot->keys[i];

      counts.by_status[key->status]++;
      if (key->flags & KEY_NEEDS_REVIEW)
        counts.needs_review++;
      if (key->flags & KEY_RETRYING)
        counts.retrying++;
      counts.total++;
    }

  *out_counts = counts;
}
