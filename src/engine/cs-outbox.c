/* cs-outbox.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cs-net-error.h"
#include "cs-outbox.h"

/**
 * CsOutbox:
 *
 * The writes that have to reach a server: a click is never lost
 * (DESIGN.md §3). Every write is kept in the store's outbox first and then
 * sent, and replayed after a failure or a restart, always with its stored
 * `Idempotency-Key`, so the server does the work once however often it is
 * sent.
 *
 * Replay order: the items of one service are sent one at a time, in id
 * order. A retryable failure (network, timeout, 5xx, 429, open circuit)
 * records the attempt, waits a backoff on the injected #CsClock
 * (cs_outbox_get_backoff()) and holds back every later item of that service
 * until then, so a later write never overtakes an earlier one. The two
 * services do not wait for each other.
 *
 * Each item carries its kind of write (#CsWriteKind, built in `src/net`):
 * the kind decides the method, the `cal-api-version` and whether a 409
 * means "there already"; nothing here looks at a path.
 *
 * Cal.com reads no `Idempotency-Key` (NOTES.md): a cancel or a reschedule
 * sent twice answers 400 the second time although the first one worked.
 * So before a cancel or reschedule is sent again (any attempt after the
 * first) and after Cal.com refused one, the booking is looked up: already
 * cancelled, or already rescheduled (`rescheduledToUid`), is done, and
 * counts as sent. For a reschedule the uid of the new booking travels
 * with #CsOutbox::item-sent.
 *
 * A refused write (401, 403, 404, 400, 422, …) can never succeed as it is.
 * It is failed permanently: the store keeps it done, with the server's
 * reason as its last error and no next attempt (see
 * cs_outbox_item_is_failed()), #CsOutbox::item-failed tells the UI, and the
 * next item goes on. A 409 answering a create means the resource is there
 * already: that counts as sent.
 *
 * The owner calls cs_outbox_flush() on start and whenever connectivity
 * returns; cs_outbox_enqueue() flushes by itself. Logs name an item's id,
 * service, kind and status only, never a path (it holds a booking uid) or a
 * body.
 */

struct _CsOutbox
{
  GObject       parent_instance;

  /* Owned refs */
  CsStore        *store;
  CsCalcomClient *calcom_client;
  CsHttpClient   *calcom;
  CsHttpClient   *backend;
  CsClock        *clock;

  /* The flush_async() calls waiting for the end of the run. */
  GPtrArray    *waiters;

  guint         n_pending;
  guint         wake_id;
  CsTime        wake_at;

  /* The running flush. */
  guint         n_chains;
  CsTime        run_wake_at;
  guint         flushing : 1;
  guint         flush_again : 1;
  /* The next run, and the running one, send each queue's head although it
   * waits for a backoff (cs_outbox_flush_all_async()). */
  guint         skip_backoff_next : 1;
  guint         skip_backoff : 1;
};

/* One service's due items, sent one after the other. */
typedef struct
{
  CsOutbox     *self;
  CsHttpClient *client;
  GPtrArray    *items;
  guint         index;
  GError       *refusal;   /* Cal.com's refusal while its state is looked at */
} Chain;

enum {
  PROP_0,
  PROP_N_PENDING,
  N_PROPS
};

enum {
  ITEM_SENT,
  ITEM_FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CsOutbox, cs_outbox, G_TYPE_OBJECT)

G_DEFINE_QUARK (cs-outbox-error-quark, cs_outbox_error)

static void outbox_start_run (CsOutbox *self);
static void chain_send_next  (Chain    *chain);

static void
chain_free (Chain *chain)
{
  g_clear_pointer (&chain->items, g_ptr_array_unref);
  g_clear_error (&chain->refusal);
  g_clear_object (&chain->self);
  g_free (chain);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Chain, chain_free)

/**
 * cs_outbox_get_backoff:
 * @attempts: how many attempts have failed, at least 1
 *
 * The wait before the next attempt: %CS_OUTBOX_BACKOFF_FIRST after the
 * first failure, doubled after each further one, at most
 * %CS_OUTBOX_BACKOFF_MAX (30 s, 1 min, 2 min, 4 min, 8 min, 16 min, 30 min,
 * 30 min, …).
 *
 * Returns: the wait in microseconds
 */
gint64
cs_outbox_get_backoff (guint attempts)
{
  gint64 wait = CS_OUTBOX_BACKOFF_FIRST;

  for (guint i = 1; i < attempts && wait < CS_OUTBOX_BACKOFF_MAX; i++)
    wait *= 2;

  return MIN (wait, CS_OUTBOX_BACKOFF_MAX);
}

/**
 * cs_outbox_item_is_failed:
 * @item: an outbox item, as the store lists it or a signal passes it
 *
 * Whether the item was failed permanently: the server refused it and it
 * will not be sent again. Such an item is done, keeps the server's reason
 * in @last_error and has no next attempt; an item sent after retryable
 * failures keeps the time of its last wait instead.
 *
 * Returns: %TRUE if the item could not be sent and never will be
 */
gboolean
cs_outbox_item_is_failed (const CsOutboxItem *item)
{
  g_return_val_if_fail (item != NULL, FALSE);

  return item->done_at != CS_TIME_UNSET &&
         item->last_error != NULL &&
         item->next_attempt_at == CS_TIME_UNSET;
}

static void
outbox_update_n_pending (CsOutbox *self)
{
  g_autoptr(GError) error = NULL;
  guint n_pending = 0;

  g_assert (CS_IS_OUTBOX (self));

  if (!cs_store_count_pending_outbox (self->store, &n_pending, &error))
    {
      g_warning ("Could not count the outbox: %s", error->message);
      return;
    }

  if (n_pending != self->n_pending)
    {
      self->n_pending = n_pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
    }
}

static CsWriteKind
item_kind (const CsOutboxItem *item)
{
  CsWriteKind kind = CS_WRITE_UNKNOWN;

  if (!cs_write_kind_from_string (item->kind, &kind))
    return CS_WRITE_UNKNOWN;

  return kind;
}

/* A Cal.com write whose replay answers 400 once the first one worked. */
static gboolean
needs_state_check (const CsOutboxItem *item)
{
  CsWriteKind kind = item_kind (item);

  return (kind == CS_WRITE_CALCOM_CANCEL_BOOKING ||
          kind == CS_WRITE_CALCOM_RESCHEDULE_BOOKING) &&
         item->booking_uid != NULL && item->booking_uid[0] != '\0';
}

/* Waiting callers of cs_outbox_flush_async() */

typedef struct
{
  gulong   handler;
  GSource *cancelled_source;
} Waiter;

static void
waiter_disconnect (GTask *task)
{
  GCancellable *cancellable = g_task_get_cancellable (task);
  Waiter *waiter = g_task_get_task_data (task);

  if (cancellable != NULL && waiter->handler != 0)
    g_signal_handler_disconnect (cancellable, waiter->handler);
  waiter->handler = 0;

  if (waiter->cancelled_source != NULL)
    {
      g_source_destroy (waiter->cancelled_source);
      g_clear_pointer (&waiter->cancelled_source, g_source_unref);
    }
}

static void
waiter_free (Waiter *waiter)
{
  if (waiter->cancelled_source != NULL)
    {
      g_source_destroy (waiter->cancelled_source);
      g_source_unref (waiter->cancelled_source);
    }
  g_free (waiter);
}

static gboolean
waiter_cancelled_idle (gpointer user_data)
{
  /* Still in the waiters: answering it would have destroyed this source. */
  g_autoptr(GTask) task = g_object_ref (user_data);
  CsOutbox *self = g_task_get_source_object (task);

  g_ptr_array_remove (self->waiters, task);
  waiter_disconnect (task);
  g_task_return_error_if_cancelled (task);

  return G_SOURCE_REMOVE;
}

static void
waiter_cancelled_cb (GCancellable *cancellable,
                     GTask        *task)
{
  Waiter *waiter = g_task_get_task_data (task);
  GSource *source;

  if (waiter->cancelled_source != NULL)
    return;

  /* Not answered from inside the signal: the caller of
   * g_cancellable_cancel() may hold locks. No ref on the task: it is
   * answered at the latest when the run ends, which destroys the source. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, waiter_cancelled_idle, task, NULL);
  g_source_set_static_name (source, "[calsync] outbox flush cancelled");
  g_source_attach (source, g_task_get_context (task));
  waiter->cancelled_source = source;
}

static void
outbox_complete_waiters (CsOutbox *self)
{
  g_autoptr(GPtrArray) waiters = NULL;

  g_assert (CS_IS_OUTBOX (self));

  waiters = g_steal_pointer (&self->waiters);
  self->waiters = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      waiter_disconnect (task);
      g_task_return_boolean (task, TRUE);
    }
}

/* The wake-up for the earliest backoff */

static void
outbox_wake_cb (gpointer user_data)
{
  CsOutbox *self = user_data;

  g_assert (CS_IS_OUTBOX (self));

  self->wake_id = 0;
  self->wake_at = CS_TIME_UNSET;
  g_debug ("Outbox: backoff over, flushing");
  cs_outbox_flush (self);
}

static void
outbox_schedule_wake (CsOutbox *self,
                      CsTime    at)
{
  g_assert (CS_IS_OUTBOX (self));

  if (self->wake_id != 0 && self->wake_at == at)
    return;

  if (self->wake_id != 0)
    cs_clock_remove_timeout (self->clock, self->wake_id);

  /* No ref: dispose removes the timer. */
  self->wake_at = at;
  self->wake_id = cs_clock_add_timeout (self->clock, at, outbox_wake_cb, self, NULL);
}

/* The run */

static void
outbox_note_wake (CsOutbox *self,
                  CsTime    at)
{
  if (self->run_wake_at == CS_TIME_UNSET || at < self->run_wake_at)
    self->run_wake_at = at;
}

static void
outbox_run_finished (CsOutbox *self)
{
  g_assert (CS_IS_OUTBOX (self));
  g_assert (self->n_chains == 0);

  self->flushing = FALSE;
  self->skip_backoff = FALSE;
  outbox_update_n_pending (self);

  /* Items enqueued or a wake-up that came while the run was busy. */
  if (self->flush_again)
    {
      outbox_start_run (self);
      return;
    }

  if (self->run_wake_at != CS_TIME_UNSET)
    outbox_schedule_wake (self, self->run_wake_at);

  g_debug ("Outbox: flush done, %u pending", self->n_pending);
  outbox_complete_waiters (self);
}

static void
chain_done (Chain *chain)
{
  g_autoptr(CsOutbox) self = g_object_ref (chain->self);

  chain_free (chain);

  g_assert (self->n_chains > 0);
  if (--self->n_chains == 0)
    outbox_run_finished (self);
}

static void
outbox_fail_permanently (CsOutbox     *self,
                         CsOutboxItem *item,
                         const GError *reason)
{
  g_autoptr(GError) error = NULL;
  CsTime now = cs_clock_get_now (self->clock);

  /* Done, with the reason kept and no next attempt: see
   * cs_outbox_item_is_failed(). */
  if (!cs_store_fail_outbox (self->store, item->id, reason->message, CS_TIME_UNSET, &error) ||
      !cs_store_complete_outbox (self->store, item->id, now, &error))
    {
      g_warning ("Outbox item %" G_GINT64_FORMAT ": could not be marked failed: %s",
                 item->id, error->message);
      return;
    }

  item->attempts++;
  g_free (item->last_error);
  item->last_error = g_strdup (reason->message);
  item->next_attempt_at = CS_TIME_UNSET;
  item->done_at = now;

  outbox_update_n_pending (self);
  g_signal_emit (self, signals[ITEM_FAILED], 0, item, reason);
}

/* The item reached its server (or its effect is there already): stored as
 * sent, announced with @result_uid, and the chain goes on. */
static void
chain_item_sent (Chain        *chain,
                 CsOutboxItem *item,
                 const char   *result_uid)
{
  g_autoptr(GError) store_error = NULL;
  CsOutbox *self = chain->self;
  CsTime now = cs_clock_get_now (self->clock);

  if (!cs_store_complete_outbox (self->store, item->id, now, &store_error))
    {
      /* It stays pending and is sent again: the key (or, for Cal.com, the
       * look at the booking first) makes that harmless. */
      g_warning ("Outbox item %" G_GINT64_FORMAT ": could not be marked sent: %s",
                 item->id, store_error->message);
      chain_done (chain);
      return;
    }

  item->done_at = now;
  outbox_update_n_pending (self);
  g_signal_emit (self, signals[ITEM_SENT], 0, item, result_uid);

  chain->index++;
  chain_send_next (chain);
}

/* A retryable failure: the attempt is recorded and the rest of this
 * service's queue waits for the backoff (order first). */
static void
chain_item_wait (Chain        *chain,
                 CsOutboxItem *item,
                 const GError *error)
{
  g_autoptr(GError) store_error = NULL;
  CsOutbox *self = chain->self;
  CsTime now = cs_clock_get_now (self->clock);
  CsTime next = now + cs_outbox_get_backoff (item->attempts + 1);

  g_debug ("Outbox item %" G_GINT64_FORMAT ": %s %s: %s %d, attempt %u, waiting %"
           G_GINT64_FORMAT " s",
           item->id, item->service, item->kind, g_quark_to_string (error->domain), error->code,
           item->attempts + 1, (next - now) / CS_USEC_PER_SECOND);

  if (!cs_store_fail_outbox (self->store, item->id, error->message, next, &store_error))
    g_warning ("Outbox item %" G_GINT64_FORMAT ": could not record the attempt: %s",
               item->id, store_error->message);

  outbox_note_wake (self, next);
  chain_done (chain);
}

/* A rejected key or token is the user's to fix, not the action's fault:
 * the click waits (the whole queue, in order) until the credentials work
 * again, instead of being dropped. */
static gboolean
is_worth_waiting (const GError *error)
{
  return cs_net_error_is_retryable (error) ||
         g_error_matches (error, CS_NET_ERROR, CS_NET_ERROR_UNAUTHORIZED);
}

/* Whether Cal.com's @booking shows that the write is done already; the new
 * booking's uid of a reschedule in @result_uid. */
static gboolean
calcom_write_is_done (const CsOutboxItem  *item,
                      const CsBooking     *booking,
                      const char         **result_uid)
{
  *result_uid = NULL;

  switch (item_kind (item))
    {
    case CS_WRITE_CALCOM_CANCEL_BOOKING:
      return !cs_booking_status_is_active (booking->status);

    case CS_WRITE_CALCOM_RESCHEDULE_BOOKING:
      *result_uid = booking->rescheduled_to_uid;
      return booking->rescheduled_to_uid != NULL;

    case CS_WRITE_UNKNOWN:
    case CS_WRITE_CALCOM_CREATE_BOOKING:
    case CS_WRITE_BACKEND_CREATE_APPOINTMENT:
    case CS_WRITE_BACKEND_UPDATE_APPOINTMENT:
    case CS_WRITE_BACKEND_CANCEL_APPOINTMENT:
    case CS_WRITE_BACKEND_AUDIT_LOG:
    default:
      return FALSE;
    }
}

static void chain_send_item (Chain *chain);

static void
state_check_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CsBooking) booking = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) refusal = NULL;
  Chain *chain = user_data;
  CsOutbox *self = chain->self;
  CsOutboxItem *item = g_ptr_array_index (chain->items, chain->index);
  const char *result_uid = NULL;

  g_assert (CS_IS_OUTBOX (self));

  refusal = g_steal_pointer (&chain->refusal);
  booking = cs_calcom_client_get_booking_finish (CS_CALCOM_CLIENT (object), result, &error);

  if (booking != NULL && calcom_write_is_done (item, booking, &result_uid))
    {
      g_debug ("Outbox item %" G_GINT64_FORMAT ": %s: Cal.com has it done already",
               item->id, item->kind);
      chain_item_sent (chain, item, result_uid);
      return;
    }

  if (booking == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      chain_done (chain);
      return;
    }

  /* Not knowing Cal.com's state, nothing is sent (or given up): later. */
  if (booking == NULL && is_worth_waiting (error))
    {
      chain_item_wait (chain, item, error);
      return;
    }

  if (refusal != NULL)
    {
      outbox_fail_permanently (self, item, refusal);
      chain->index++;
      chain_send_next (chain);
      return;
    }

  chain_send_item (chain);
}

/* Looks at the booking a cancel or reschedule is about; @refusal (taken)
 * is Cal.com's answer to the write, or %NULL before sending it. */
static void
chain_check_state (Chain  *chain,
                   GError *refusal)
{
  CsOutboxItem *item = g_ptr_array_index (chain->items, chain->index);

  g_clear_error (&chain->refusal);
  chain->refusal = refusal;

  g_debug ("Outbox item %" G_GINT64_FORMAT ": %s: looking at the booking first",
           item->id, item->kind);
  cs_calcom_client_get_booking_async (chain->self->calcom_client, item->booking_uid, NULL,
                                      state_check_cb, chain);
}

static void
chain_send_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CsHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  Chain *chain = user_data;
  CsOutbox *self = chain->self;
  CsOutboxItem *item = g_ptr_array_index (chain->items, chain->index);

  g_assert (CS_IS_OUTBOX (self));

  response = cs_http_client_send_finish (CS_HTTP_CLIENT (object), result, &error);

  if (response != NULL)
    {
      g_autoptr(CsBooking) booking = NULL;

      g_debug ("Outbox item %" G_GINT64_FORMAT ": %s %s: %u, sent",
               item->id, item->service, item->kind, response->status);

      /* A reschedule answers with the new booking: its uid goes on. */
      if (item_kind (item) == CS_WRITE_CALCOM_RESCHEDULE_BOOKING)
        {
          g_autoptr(GError) parse_error = NULL;

          booking = cs_calcom_parse_booking_response (response->body, NULL, &parse_error);
          if (booking == NULL)
            g_debug ("Outbox item %" G_GINT64_FORMAT ": the new booking is unreadable: %s",
                     item->id, parse_error->message);
        }

      chain_item_sent (chain, item, booking != NULL ? booking->uid : NULL);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Not an attempt: it goes again on the next flush. */
      chain_done (chain);
      return;
    }

  if (is_worth_waiting (error))
    {
      chain_item_wait (chain, item, error);
      return;
    }

  /* Cal.com refuses a replayed cancel or reschedule though the first one
   * worked: its state tells. */
  if (needs_state_check (item) && g_error_matches (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_REQUEST))
    {
      chain_check_state (chain, g_steal_pointer (&error));
      return;
    }

  g_debug ("Outbox item %" G_GINT64_FORMAT ": %s %s: %s %d, refused for good",
           item->id, item->service, item->kind, g_quark_to_string (error->domain), error->code);

  outbox_fail_permanently (self, item, error);

  chain->index++;
  chain_send_next (chain);
}

static void
chain_send_item (Chain *chain)
{
  g_autoptr(GBytes) body = NULL;
  CsOutbox *self = chain->self;
  CsOutboxItem *item = g_ptr_array_index (chain->items, chain->index);
  CsWriteKind kind = item_kind (item);
  CsHttpRequest request;

  cs_write_kind_init_request (kind, &request);
  /* An item kept without a kind goes as it was stored. */
  if (kind == CS_WRITE_UNKNOWN)
    {
      request.method = item->method;
      request.accept_conflict = FALSE;
      request.api_version = chain->client == self->calcom ? CS_CALCOM_BOOKINGS_API_VERSION : NULL;
    }

  if (item->body != NULL)
    body = g_bytes_new (item->body, strlen (item->body));

  request.path = item->path;
  request.body = body;
  request.idempotency_key = item->idempotency_key;

  g_debug ("Outbox item %" G_GINT64_FORMAT ": sending %s %s",
           item->id, item->service, item->kind);

  /* The request is not cancelled with a caller: it is the user's click. */
  cs_http_client_send_async (chain->client, &request, NULL, chain_send_cb, chain);
}

static void
chain_send_next (Chain *chain)
{
  CsOutbox *self = chain->self;
  CsOutboxItem *item;

  g_assert (CS_IS_OUTBOX (self));

  if (chain->index >= chain->items->len)
    {
      chain_done (chain);
      return;
    }

  item = g_ptr_array_index (chain->items, chain->index);

  /* Only the head of a queue waits for a backoff; be safe all the same. */
  if (!self->skip_backoff &&
      item->next_attempt_at != CS_TIME_UNSET &&
      item->next_attempt_at > cs_clock_get_now (self->clock))
    {
      outbox_note_wake (self, item->next_attempt_at);
      chain_done (chain);
      return;
    }

  /* A retry of a write Cal.com cannot recognise: is it done already? */
  if (item->attempts > 0 && needs_state_check (item))
    {
      chain_check_state (chain, NULL);
      return;
    }

  chain_send_item (chain);
}

static void
outbox_start_run (CsOutbox *self)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) calcom = NULL;
  g_autoptr(GPtrArray) backend = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *queues[2];
  CsHttpClient *clients[2];

  g_assert (CS_IS_OUTBOX (self));
  g_assert (!self->flushing);

  self->flushing = TRUE;
  self->flush_again = FALSE;
  self->skip_backoff = self->skip_backoff_next;
  self->skip_backoff_next = FALSE;
  self->run_wake_at = CS_TIME_UNSET;
  self->n_chains = 0;

  if (self->wake_id != 0)
    {
      cs_clock_remove_timeout (self->clock, self->wake_id);
      self->wake_id = 0;
      self->wake_at = CS_TIME_UNSET;
    }

  /* Every pending item, due or not: a waiting head holds back its queue. */
  items = cs_store_list_pending_outbox (self->store, G_MAXINT64, &error);
  if (items == NULL)
    {
      g_warning ("Could not read the outbox: %s", error->message);
      self->n_chains = 0;
      outbox_run_finished (self);
      return;
    }

  calcom = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_outbox_item_free);
  backend = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_outbox_item_free);

  for (guint i = 0; i < items->len; i++)
    {
      CsOutboxItem *item = g_ptr_array_index (items, i);

      if (g_strcmp0 (item->service, CS_OUTBOX_SERVICE_CALCOM) == 0)
        g_ptr_array_add (calcom, cs_outbox_item_copy (item));
      else if (g_strcmp0 (item->service, CS_OUTBOX_SERVICE_BACKEND) == 0)
        g_ptr_array_add (backend, cs_outbox_item_copy (item));
      else
        {
          g_autoptr(GError) invalid = NULL;
          g_autoptr(CsOutboxItem) copy = cs_outbox_item_copy (item);

          invalid = g_error_new (CS_OUTBOX_ERROR, CS_OUTBOX_ERROR_INVALID,
                                 _("The action is meant for an unknown server."));
          outbox_fail_permanently (self, copy, invalid);
        }
    }

  queues[0] = calcom;
  queues[1] = backend;
  clients[0] = self->calcom;
  clients[1] = self->backend;

  /* Count the chains first: one may end before the next is started. */
  for (guint i = 0; i < G_N_ELEMENTS (queues); i++)
    if (queues[i]->len > 0)
      self->n_chains++;

  if (self->n_chains == 0)
    {
      outbox_run_finished (self);
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (queues); i++)
    {
      Chain *chain;

      if (queues[i]->len == 0)
        continue;

      chain = g_new0 (Chain, 1);
      chain->self = g_object_ref (self);
      chain->client = clients[i];
      chain->items = g_ptr_array_ref (queues[i]);
      chain_send_next (chain);
    }
}

/* GObject */

static void
cs_outbox_dispose (GObject *object)
{
  CsOutbox *self = (CsOutbox *)object;

  if (self->wake_id != 0)
    {
      cs_clock_remove_timeout (self->clock, self->wake_id);
      self->wake_id = 0;
    }

  g_clear_object (&self->calcom_client);
  g_clear_object (&self->calcom);
  g_clear_object (&self->backend);
  g_clear_object (&self->store);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (cs_outbox_parent_class)->dispose (object);
}

static void
cs_outbox_finalize (GObject *object)
{
  CsOutbox *self = (CsOutbox *)object;

  g_clear_pointer (&self->waiters, g_ptr_array_unref);

  G_OBJECT_CLASS (cs_outbox_parent_class)->finalize (object);
}

static void
cs_outbox_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CsOutbox *self = CS_OUTBOX (object);

  switch (prop_id)
    {
    case PROP_N_PENDING:
      g_value_set_uint (value, self->n_pending);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_outbox_class_init (CsOutboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_outbox_dispose;
  object_class->finalize = cs_outbox_finalize;
  object_class->get_property = cs_outbox_get_property;

  /**
   * CsOutbox:n-pending:
   *
   * The number of writes not sent yet, due or waiting for a backoff: the
   * UI's "waiting to send". Permanently failed items do not count.
   */
  properties[PROP_N_PENDING] =
    g_param_spec_uint ("n-pending", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CsOutbox::item-sent:
   * @self: the outbox
   * @item: (transfer none): the item, with its @done_at set
   * @result_uid: (nullable): for a Cal.com reschedule, the uid of the new
   *   booking (Cal.com's answer, or the old booking's `rescheduledToUid`)
   *
   * The server accepted a write (2xx, or a 409 answering a create), or
   * Cal.com's state showed that it was done already.
   */
  signals[ITEM_SENT] =
    g_signal_new ("item-sent",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2,
                  CS_TYPE_OUTBOX_ITEM | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * CsOutbox::item-failed:
   * @self: the outbox
   * @item: (transfer none): the item, done, with the reason in @last_error
   * @error: (transfer none): why the server refused it, usually a
   *   %CS_NET_ERROR whose message carries the server's words
   *
   * The server refused a write for good (401, 403, 404, 400, 422, …): it
   * will not be sent again. The UI shows "could not be sent" with the
   * reason. Retryable failures are not reported here: the item stays
   * pending and counts in #CsOutbox:n-pending.
   */
  signals[ITEM_FAILED] =
    g_signal_new ("item-failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2,
                  CS_TYPE_OUTBOX_ITEM | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
cs_outbox_init (CsOutbox *self)
{
  self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
}

/* Public API */

/**
 * cs_outbox_new:
 * @store: the store whose outbox to send; its company must be set
 * @calcom: the client for Cal.com items (and the look at a booking before
 *   a cancel or reschedule is sent again)
 * @backend: the client for backend items
 * @clock: the clock backoffs wait on
 *
 * Creates an outbox. It sends nothing until cs_outbox_flush() or
 * cs_outbox_enqueue() is called: the owner flushes on start, so what a
 * previous run left pending is replayed.
 *
 * Returns: (transfer full): a new #CsOutbox
 */
CsOutbox *
cs_outbox_new (CsStore         *store,
               CsCalcomClient  *calcom,
               CsBackendClient *backend,
               CsClock         *clock)
{
  CsOutbox *self;

  g_return_val_if_fail (CS_IS_STORE (store), NULL);
  g_return_val_if_fail (CS_IS_CALCOM_CLIENT (calcom), NULL);
  g_return_val_if_fail (CS_IS_BACKEND_CLIENT (backend), NULL);
  g_return_val_if_fail (CS_IS_CLOCK (clock), NULL);

  self = g_object_new (CS_TYPE_OUTBOX, NULL);
  self->store = g_object_ref (store);
  self->calcom_client = g_object_ref (calcom);
  self->calcom = g_object_ref (cs_calcom_client_get_http (calcom));
  self->backend = g_object_ref (cs_backend_client_get_http (backend));
  self->clock = g_object_ref (clock);

  if (!cs_store_count_pending_outbox (store, &self->n_pending, NULL))
    self->n_pending = 0;

  return self;
}

/**
 * cs_outbox_enqueue:
 * @self: an outbox
 * @item: (inout): the write: service, method, path, body and appointment;
 *   a %NULL idempotency key is replaced by a new one and an unset
 *   @created_at by the clock's now; its @id is set on success
 * @error: return location for a #GError
 *
 * Keeps a write in the store, then flushes at once. Enqueueing a key the
 * store has already is a no-op that returns the existing item's id: a
 * repeated click is sent once.
 *
 * Returns: the stored item's id, or 0 on error
 */
gint64
cs_outbox_enqueue (CsOutbox      *self,
                   CsOutboxItem  *item,
                   GError       **error)
{
  static const char * const methods[] = { "POST", "PATCH", "PUT", "DELETE", NULL };

  g_return_val_if_fail (CS_IS_OUTBOX (self), 0);
  g_return_val_if_fail (item != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (g_strcmp0 (item->service, CS_OUTBOX_SERVICE_CALCOM) != 0 &&
      g_strcmp0 (item->service, CS_OUTBOX_SERVICE_BACKEND) != 0)
    {
      g_set_error_literal (error, CS_OUTBOX_ERROR, CS_OUTBOX_ERROR_INVALID,
                           _("The action is meant for an unknown server."));
      return 0;
    }

  if (item->method == NULL || !g_strv_contains (methods, item->method) ||
      item->path == NULL || item->path[0] != '/')
    {
      g_set_error_literal (error, CS_OUTBOX_ERROR, CS_OUTBOX_ERROR_INVALID,
                           _("The action is not a valid request and cannot be sent."));
      return 0;
    }

  if (item->idempotency_key == NULL)
    item->idempotency_key = g_uuid_string_random ();
  if (item->created_at == CS_TIME_UNSET)
    item->created_at = cs_clock_get_now (self->clock);

  if (!cs_store_enqueue_outbox (self->store, item, error))
    return 0;

  g_debug ("Outbox item %" G_GINT64_FORMAT ": enqueued %s %s %s",
           item->id, item->service, item->method, item->path);

  outbox_update_n_pending (self);
  cs_outbox_flush (self);

  return item->id;
}

static CsOutboxItem *
item_new_for_write (const CsWrite *write,
                    const char    *idempotency_key)
{
  g_autofree char *body = NULL;
  CsOutboxItem *item;

  if (write->body != NULL)
    body = g_strndup (g_bytes_get_data (write->body, NULL), g_bytes_get_size (write->body));

  item = cs_outbox_item_new (idempotency_key,
                             cs_write_kind_get_service (write->kind) == CS_SERVICE_CALCOM
                             ? CS_OUTBOX_SERVICE_CALCOM : CS_OUTBOX_SERVICE_BACKEND,
                             cs_write_kind_get_method (write->kind), write->path, body,
                             CS_TIME_UNSET);
  item->kind = g_strdup (cs_write_kind_to_string (write->kind));
  item->booking_uid = g_strdup (write->booking_uid);
  item->appointment_id = write->appointment_id;

  return item;
}

/**
 * cs_outbox_enqueue_write:
 * @self: an outbox
 * @write: the write, as `src/net` builds it
 * @idempotency_key: (nullable): the action's key, or %NULL for a new one
 * @error: return location for a #GError
 *
 * Keeps @write with its kind (and the booking it is about) and flushes,
 * like cs_outbox_enqueue().
 *
 * Returns: the stored item's id, or 0 on error
 */
gint64
cs_outbox_enqueue_write (CsOutbox       *self,
                         const CsWrite  *write,
                         const char     *idempotency_key,
                         GError        **error)
{
  g_autoptr(CsOutboxItem) item = NULL;

  g_return_val_if_fail (CS_IS_OUTBOX (self), 0);
  g_return_val_if_fail (write != NULL && write->kind != CS_WRITE_UNKNOWN, 0);

  item = item_new_for_write (write, idempotency_key);

  return cs_outbox_enqueue (self, item, error);
}

/**
 * cs_outbox_keep_write:
 * @self: an outbox
 * @write: the write, as `src/net` builds it
 * @idempotency_key: (nullable): the write's key, or %NULL for a new one
 * @audit_key: (nullable): the key of the audit entry of the action it
 *   belongs to; #CsOutbox::item-sent and #CsOutbox::item-failed carry it
 * @error: return location for a #GError
 *
 * Keeps @write in the store without sending it: the caller keeps it inside
 * its own transaction (cs_store_begin()) with the rest of the action, and
 * calls cs_outbox_flush() once that is committed, so nothing is sent that
 * a rollback would take back. A key the store has already is a no-op that
 * returns the existing item's id.
 *
 * Returns: the stored item's id, or 0 on error
 */
gint64
cs_outbox_keep_write (CsOutbox       *self,
                      const CsWrite  *write,
                      const char     *idempotency_key,
                      const char     *audit_key,
                      GError        **error)
{
  g_autoptr(CsOutboxItem) item = NULL;

  g_return_val_if_fail (CS_IS_OUTBOX (self), 0);
  g_return_val_if_fail (write != NULL && write->kind != CS_WRITE_UNKNOWN, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  item = item_new_for_write (write, idempotency_key);
  item->audit_key = g_strdup (audit_key);
  item->created_at = cs_clock_get_now (self->clock);

  if (!cs_store_enqueue_outbox (self->store, item, error))
    return 0;

  g_debug ("Outbox item %" G_GINT64_FORMAT ": kept %s %s", item->id, item->service, item->kind);

  return item->id;
}

/**
 * cs_outbox_get_n_pending:
 * @self: an outbox
 *
 * Returns: the value of #CsOutbox:n-pending
 */
guint
cs_outbox_get_n_pending (CsOutbox *self)
{
  g_return_val_if_fail (CS_IS_OUTBOX (self), 0);

  return self->n_pending;
}

/**
 * cs_outbox_is_flushing:
 * @self: an outbox
 *
 * Returns: %TRUE while a flush runs
 */
gboolean
cs_outbox_is_flushing (CsOutbox *self)
{
  g_return_val_if_fail (CS_IS_OUTBOX (self), FALSE);

  return self->flushing;
}

/**
 * cs_outbox_flush:
 * @self: an outbox
 *
 * Sends what is due, in the background. Call it on start and whenever
 * connectivity returns. While a flush runs it starts nothing: it only has
 * the running flush look at the outbox once more when it ends, so an item
 * enqueued meanwhile is not left behind.
 *
 * A queue waiting for a backoff is not hurried: its head is sent when the
 * wait is over (a timer on the outbox's clock flushes then).
 */
void
cs_outbox_flush (CsOutbox *self)
{
  g_return_if_fail (CS_IS_OUTBOX (self));

  /* Items kept by cs_outbox_keep_write() count from now on. */
  outbox_update_n_pending (self);

  if (self->flushing)
    {
      self->flush_again = TRUE;
      return;
    }

  outbox_start_run (self);
}

/**
 * cs_outbox_flush_async:
 * @self: an outbox
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the flush is done
 * @user_data: data for @callback
 *
 * Flushes like cs_outbox_flush() and calls @callback when nothing due is
 * left: every queue is empty or waits for a backoff.
 *
 * Cancelling @cancellable (from the thread of the caller's main context)
 * answers this call with %G_IO_ERROR_CANCELLED at once; the flush goes on, since its writes are the user's clicks and a
 * request already on the wire is harmless to repeat.
 */
void
cs_outbox_flush_async (CsOutbox            *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Waiter *waiter;

  g_return_if_fail (CS_IS_OUTBOX (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_outbox_flush_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  waiter = g_new0 (Waiter, 1);
  g_task_set_task_data (task, waiter, (GDestroyNotify) waiter_free);
  if (cancellable != NULL)
    waiter->handler = g_signal_connect (cancellable, "cancelled",
                                        G_CALLBACK (waiter_cancelled_cb), task);

  g_ptr_array_add (self->waiters, g_steal_pointer (&task));
  cs_outbox_flush (self);
}

/**
 * cs_outbox_flush_all_async:
 * @self: an outbox
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the flush is done
 * @user_data: data for @callback
 *
 * Like cs_outbox_flush_async(), but each queue's head is sent now even if
 * it waits for a backoff. For a fresh start and for connectivity that came
 * back: the backoff spaces tries within one process, and its reason (a
 * server that was down) may be gone, so the next process delivers what an
 * earlier one left, at once. Finish with cs_outbox_flush_finish().
 */
void
cs_outbox_flush_all_async (CsOutbox            *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (CS_IS_OUTBOX (self));

  self->skip_backoff_next = TRUE;
  cs_outbox_flush_async (self, cancellable, callback, user_data);
}

/**
 * cs_outbox_flush_finish:
 * @self: an outbox
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the flush is done; %FALSE if it was cancelled
 */
gboolean
cs_outbox_flush_finish (CsOutbox      *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (CS_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_outbox_flush_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
