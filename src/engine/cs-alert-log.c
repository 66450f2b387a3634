/* cs-alert-log.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "cs-alert-log.h"
#include "cs-alert-private.h"
#include "cs-json-util.h"
#include "cs-net-error.h"

/**
 * CsAlertLog:
 *
 * The in-app alerts, newest first, as a #GListModel of #CsAlert: what the
 * bell in the header bar lists.
 *
 * The engine adds to it after every run it started (scheduled, manual or a
 * retry's): an alert per newly flagged item, or one summary when a run
 * flagged several (the policy of #CsNotifier); an alert when a check could
 * not finish (a failure repeated in a row updates the newest alert instead
 * of adding one: an outage is one alert); and one when a service answers
 * again after its circuit was open, which the next run completes with the
 * number of appointments it verified.
 *
 * The last %CS_ALERT_LOG_MAX alerts are kept in the cache's state table,
 * per company (the store scopes the state by company), as JSON of ids,
 * codes and counts: no customer data. Reading and writing run in a worker
 * thread; while the stored alerts load, what is added waits for them
 * before anything is written, so nothing stored is lost.
 */
struct _CsAlertLog
{
  GObject       parent_instance;

  CsStore      *store;
  CsClock      *clock;

  /* (element-type CsAlert): newest first */
  GPtrArray    *alerts;
  guint         n_unread;

  /* a restored sync waiting for the next run's count (borrowed: it is in
   * @alerts while set) */
  CsAlert      *restored_pending;

  gint64        loading_company;
  guint         loading : 1;
  guint         saving : 1;
  guint         dirty : 1;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CsAlertLog, cs_alert_log, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_N_UNREAD,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void load (CsAlertLog *self);
static void save (CsAlertLog *self);

/* GListModel */

static GType
cs_alert_log_get_item_type (GListModel *model)
{
  return CS_TYPE_ALERT;
}

static guint
cs_alert_log_get_n_items (GListModel *model)
{
  return CS_ALERT_LOG (model)->alerts->len;
}

static gpointer
cs_alert_log_get_item (GListModel *model,
                       guint       position)
{
  CsAlertLog *self = CS_ALERT_LOG (model);

  if (position >= self->alerts->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->alerts, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = cs_alert_log_get_item_type;
  iface->get_n_items = cs_alert_log_get_n_items;
  iface->get_item = cs_alert_log_get_item;
}

/* Counting */

static gboolean
get_busy (CsAlertLog *self)
{
  return self->loading || self->saving;
}

static void
set_flags (CsAlertLog *self,
           gboolean    loading,
           gboolean    saving)
{
  gboolean was_busy = get_busy (self);

  self->loading = !!loading;
  self->saving = !!saving;
  if (was_busy != get_busy (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
recount (CsAlertLog *self)
{
  guint n = 0;

  for (guint i = 0; i < self->alerts->len; i++)
    {
      if (!cs_alert_get_read (g_ptr_array_index (self->alerts, i)))
        n++;
    }

  if (n != self->n_unread)
    {
      self->n_unread = n;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_UNREAD]);
    }
}

static void
alert_read_cb (CsAlertLog *self)
{
  recount (self);
  save (self);
}

static void
forget (CsAlertLog *self,
        CsAlert    *alert)
{
  g_signal_handlers_disconnect_by_data (alert, self);
  if (self->restored_pending == alert)
    self->restored_pending = NULL;
}

/* Inserts @alerts (newest first) at @position, then keeps the newest
 * CS_ALERT_LOG_MAX; one items-changed for the whole change. */
static void
insert_alerts (CsAlertLog *self,
               guint       position,
               GPtrArray  *alerts)
{
  guint n_before = self->alerts->len;
  gboolean trimmed = FALSE;

  g_assert (position <= self->alerts->len);

  for (guint i = 0; i < alerts->len; i++)
    {
      CsAlert *alert = g_ptr_array_index (alerts, i);

      g_signal_connect_object (alert, "notify::read", G_CALLBACK (alert_read_cb), self,
                               G_CONNECT_SWAPPED);
      g_ptr_array_insert (self->alerts, position + i, g_object_ref (alert));
    }

  while (self->alerts->len > CS_ALERT_LOG_MAX)
    {
      forget (self, g_ptr_array_index (self->alerts, self->alerts->len - 1));
      g_ptr_array_remove_index (self->alerts, self->alerts->len - 1);
      trimmed = TRUE;
    }

  /* Past the cap, everything from @position on is new to the views. */
  if (trimmed)
    g_list_model_items_changed (G_LIST_MODEL (self), position, n_before - position,
                                self->alerts->len - position);
  else if (alerts->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), position, 0, alerts->len);
  recount (self);
}

static void
remove_all (CsAlertLog *self)
{
  guint n = self->alerts->len;

  for (guint i = 0; i < n; i++)
    forget (self, g_ptr_array_index (self->alerts, i));
  g_ptr_array_set_size (self->alerts, 0);
  if (n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
  recount (self);
}

/* Tells the views that @alert's fields changed in place. */
static void
alert_changed (CsAlertLog *self,
               CsAlert    *alert)
{
  guint position;

  if (g_ptr_array_find (self->alerts, alert, &position))
    g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
}

/* Storing */

typedef struct
{
  gint64  company_id;
  char   *text;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_free (data->text);
  g_free (data);
}

static void
save_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CsAlertLog *self = source_object;
  SaveData *data = task_data;
  GError *error = NULL;

  /* The store scopes the key to its current company: alerts of a company
   * switched away from meanwhile are not written under the new one. */
  if (cs_store_get_company_id (self->store) != data->company_id)
    g_task_return_boolean (task, FALSE);
  else if (!cs_store_set_state (self->store, CS_ALERT_LOG_STATE_KEY, data->text, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  CsAlertLog *self = CS_ALERT_LOG (object);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_debug ("The alerts were not stored: %s", error != NULL ? error->message : "the company changed");

  set_flags (self, self->loading, FALSE);
  if (self->dirty)
    save (self);
}

static char *
serialize (CsAlertLog *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(GBytes) bytes = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "alerts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->alerts->len; i++)
    _cs_alert_to_json (g_ptr_array_index (self->alerts, i), builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  bytes = cs_json_builder_to_bytes (builder);
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* Writes the alerts in a worker thread, one write at a time: a change
 * while one is under way is written after it. Nothing is written while
 * the stored alerts load, nor without a company. */
static void
save (CsAlertLog *self)
{
  g_autoptr(GTask) task = NULL;
  SaveData *data;

  self->dirty = TRUE;
  if (self->loading || self->saving || cs_store_get_company_id (self->store) <= 0)
    return;

  self->dirty = FALSE;
  data = g_new0 (SaveData, 1);
  data->company_id = self->loading_company;
  data->text = serialize (self);
  task = g_task_new (self, NULL, save_cb, NULL);
  g_task_set_source_tag (task, save);
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);
  set_flags (self, self->loading, TRUE);
  g_task_run_in_thread (task, save_worker);
}

static void
load_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CsAlertLog *self = source_object;
  GError *error = NULL;
  char *text = NULL;

  if (!cs_store_get_state (self->store, CS_ALERT_LOG_STATE_KEY, &text, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, text, g_free);
}

static GPtrArray *
parse (const char *text)
{
  g_autoptr(GPtrArray) alerts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *array = NULL;

  if (text == NULL)
    return g_steal_pointer (&alerts);

  root = cs_json_parse_data (text, strlen (text), &error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !cs_json_get_array (json_node_get_object (root), "alerts", CS_JSON_REQUIRED, &array, &error))
    {
      g_debug ("The stored alerts are not readable: %s",
               error != NULL ? error->message : "not an object");
      return g_steal_pointer (&alerts);
    }

  for (guint i = 0; i < json_array_get_length (array) && alerts->len < CS_ALERT_LOG_MAX; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      CsAlert *alert = NULL;

      if (JSON_NODE_HOLDS_OBJECT (node))
        alert = _cs_alert_new_from_json (json_node_get_object (node));
      if (alert == NULL)
        g_debug ("Stored alert %u dropped", i);
      else
        g_ptr_array_add (alerts, alert);
    }

  return g_steal_pointer (&alerts);
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  CsAlertLog *self = CS_ALERT_LOG (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stored = NULL;
  g_autofree char *text = NULL;
  gboolean added_meanwhile;

  text = g_task_propagate_pointer (G_TASK (result), &error);
  set_flags (self, FALSE, self->saving);

  /* The company changed while this one loaded: load that one. */
  if (self->loading_company != cs_store_get_company_id (self->store))
    {
      load (self);
      return;
    }

  if (error != NULL)
    g_debug ("The alerts could not be read: %s", error->message);

  /* What came in while loading is newer than what was stored. */
  added_meanwhile = self->dirty;
  stored = parse (text);
  insert_alerts (self, self->alerts->len, stored);

  if (added_meanwhile)
    save (self);
}

/* Reads the company's stored alerts; the ones of another company go. */
static void
load (CsAlertLog *self)
{
  g_autoptr(GTask) task = NULL;
  gint64 company_id = cs_store_get_company_id (self->store);

  if (self->loading)
    return;

  if (company_id != self->loading_company)
    {
      remove_all (self);
      self->dirty = FALSE;
    }
  self->loading_company = company_id;
  if (company_id <= 0)
    return;

  task = g_task_new (self, NULL, load_cb, NULL);
  g_task_set_source_tag (task, load);
  set_flags (self, TRUE, self->saving);
  g_task_run_in_thread (task, load_worker);
}

static void
company_changed_cb (CsAlertLog *self)
{
  if (cs_store_get_company_id (self->store) != self->loading_company)
    load (self);
}

/* GObject */

static void
cs_alert_log_dispose (GObject *object)
{
  CsAlertLog *self = CS_ALERT_LOG (object);

  if (self->alerts != NULL)
    {
      for (guint i = 0; i < self->alerts->len; i++)
        forget (self, g_ptr_array_index (self->alerts, i));
      g_clear_pointer (&self->alerts, g_ptr_array_unref);
    }
  g_clear_object (&self->store);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (cs_alert_log_parent_class)->dispose (object);
}

static void
cs_alert_log_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  CsAlertLog *self = CS_ALERT_LOG (object);

  switch (prop_id)
    {
    case PROP_N_UNREAD:
      g_value_set_uint (value, self->n_unread);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, get_busy (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_alert_log_class_init (CsAlertLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_alert_log_dispose;
  object_class->get_property = cs_alert_log_get_property;

  /**
   * CsAlertLog:n-unread:
   *
   * How many alerts the user has not seen: the badge on the bell.
   */
  properties[PROP_N_UNREAD] =
    g_param_spec_uint ("n-unread", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CsAlertLog:busy:
   *
   * Whether the stored alerts are being read or written.
   */
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_alert_log_init (CsAlertLog *self)
{
  self->alerts = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * cs_alert_log_new:
 * @store: the cache, whose company's alerts are shown and kept
 * @clock: the clock that dates the alerts
 *
 * Starts reading the stored alerts of the store's company, and again
 * whenever the company changes.
 *
 * Returns: (transfer full): a new alert log
 */
CsAlertLog *
cs_alert_log_new (CsStore *store,
                  CsClock *clock)
{
  CsAlertLog *self;

  g_return_val_if_fail (CS_IS_STORE (store), NULL);
  g_return_val_if_fail (CS_IS_CLOCK (clock), NULL);

  self = g_object_new (CS_TYPE_ALERT_LOG, NULL);
  self->store = g_object_ref (store);
  self->clock = g_object_ref (clock);

  g_signal_connect_object (store, "notify::company-id", G_CALLBACK (company_changed_cb), self,
                           G_CONNECT_SWAPPED);
  load (self);

  return self;
}

/**
 * cs_alert_log_get_clock:
 * @self: an alert log
 *
 * Returns: (transfer none): the clock the alerts are dated by, for "2 h
 *   ago"
 */
CsClock *
cs_alert_log_get_clock (CsAlertLog *self)
{
  g_return_val_if_fail (CS_IS_ALERT_LOG (self), NULL);

  return self->clock;
}

/**
 * cs_alert_log_get_n_unread:
 * @self: an alert log
 *
 * Returns: how many alerts are unread
 */
guint
cs_alert_log_get_n_unread (CsAlertLog *self)
{
  g_return_val_if_fail (CS_IS_ALERT_LOG (self), 0);

  return self->n_unread;
}

/**
 * cs_alert_log_get_busy:
 * @self: an alert log
 *
 * Returns: whether the stored alerts are being read or written
 */
gboolean
cs_alert_log_get_busy (CsAlertLog *self)
{
  g_return_val_if_fail (CS_IS_ALERT_LOG (self), FALSE);

  return get_busy (self);
}

/**
 * cs_alert_log_mark_all_read:
 * @self: an alert log
 *
 * Marks every alert read (the user opened the list).
 */
void
cs_alert_log_mark_all_read (CsAlertLog *self)
{
  g_return_if_fail (CS_IS_ALERT_LOG (self));

  if (self->n_unread == 0)
    return;

  /* One count and one write for all of them, not one per alert. */
  for (guint i = 0; i < self->alerts->len; i++)
    {
      CsAlert *alert = g_ptr_array_index (self->alerts, i);

      g_signal_handlers_block_by_func (alert, alert_read_cb, self);
      cs_alert_set_read (alert, TRUE);
      g_signal_handlers_unblock_by_func (alert, alert_read_cb, self);
    }

  recount (self);
  save (self);
}

/**
 * cs_alert_log_clear:
 * @self: an alert log
 *
 * Removes every alert, here and in the cache.
 */
void
cs_alert_log_clear (CsAlertLog *self)
{
  g_return_if_fail (CS_IS_ALERT_LOG (self));

  remove_all (self);
  save (self);
}

/**
 * cs_alert_log_add:
 * @self: an alert log
 * @alert: a new alert
 *
 * Adds @alert as the newest and stores the log.
 */
void
cs_alert_log_add (CsAlertLog *self,
                  CsAlert    *alert)
{
  g_autoptr(GPtrArray) one = g_ptr_array_new ();

  g_return_if_fail (CS_IS_ALERT_LOG (self));
  g_return_if_fail (CS_IS_ALERT (alert));

  g_ptr_array_add (one, alert);
  insert_alerts (self, 0, one);
  save (self);
}

/**
 * cs_alert_log_add_report:
 * @self: an alert log
 * @report: the report of a run that finished
 *
 * Adds an alert per newly flagged appointment or booking, or one summary
 * when the run flagged several, and completes a "sync restored" with the
 * number of appointments this run verified.
 */
void
cs_alert_log_add_report (CsAlertLog           *self,
                         const CsVerifyReport *report)
{
  g_autoptr(CsAlert) alert = NULL;
  const CsAppointment *appointment = NULL;
  const CsBooking *booking = NULL;
  CsErrorCode code = CS_ERROR_CODE_NONE;
  CsTime now;
  guint n = 0;

  g_return_if_fail (CS_IS_ALERT_LOG (self));
  g_return_if_fail (report != NULL);

  now = cs_clock_get_now (self->clock);

  if (self->restored_pending != NULL && report->run != NULL)
    {
      CsAlert *restored = self->restored_pending;

      self->restored_pending = NULL;
      _cs_alert_set_count (restored, report->run->counts[CS_SYNC_STATUS_SYNCED]);
      alert_changed (self, restored);
      save (self);
    }

  /* As CsNotifier: only what is flagged now counts; one summary for more
   * than one, with the code they share, if they share one. */
  for (guint i = 0; report->newly_flagged_appointments != NULL &&
                    i < report->newly_flagged_appointments->len; i++)
    {
      const CsAppointment *a = g_ptr_array_index (report->newly_flagged_appointments, i);

      if (!a->sync.requires_manual_review)
        continue;
      code = n == 0 || code == a->sync.sync_error_code ? a->sync.sync_error_code : CS_ERROR_CODE_NONE;
      appointment = a;
      n++;
    }

  for (guint i = 0; report->newly_flagged_bookings != NULL &&
                    i < report->newly_flagged_bookings->len; i++)
    {
      const CsBooking *b = g_ptr_array_index (report->newly_flagged_bookings, i);

      if (!b->sync.requires_manual_review)
        continue;
      code = n == 0 || code == b->sync.sync_error_code ? b->sync.sync_error_code : CS_ERROR_CODE_NONE;
      booking = b;
      n++;
    }

  if (n == 0)
    return;

  if (n > 1)
    alert = cs_alert_new_flagged (now, 0, NULL, NULL, code, n);
  else if (appointment != NULL)
    alert = cs_alert_new_flagged (now, appointment->id, appointment->number, NULL, code, 1);
  else
    alert = cs_alert_new_flagged (now, 0, NULL, booking->uid, code, 1);

  cs_alert_log_add (self, alert);
}

/**
 * cs_alert_log_add_run_failed:
 * @self: an alert log
 * @error: why the check could not finish (not a cancellation)
 *
 * Adds "Sync verification failed" with a fixed reason. While checks keep
 * failing for the same reason (or because the circuit that the failures
 * opened is open), the newest alert is brought up to date instead: one
 * outage is one alert.
 */
void
cs_alert_log_add_run_failed (CsAlertLog   *self,
                             const GError *error)
{
  g_autoptr(CsAlert) alert = NULL;
  const char *reason;
  CsAlert *newest;

  g_return_if_fail (CS_IS_ALERT_LOG (self));
  g_return_if_fail (error != NULL);

  reason = cs_verifier_failure_reason (error);
  newest = self->alerts->len > 0 ? g_ptr_array_index (self->alerts, 0) : NULL;

  if (newest != NULL && cs_alert_get_kind (newest) == CS_ALERT_RUN_FAILED &&
      (g_str_equal (cs_alert_get_reason (newest), reason) ||
       g_str_equal (reason, CS_LOOKUP_REASON_CIRCUIT_OPEN)))
    {
      _cs_alert_set_time (newest, cs_clock_get_now (self->clock));
      _cs_alert_set_count (newest, cs_alert_get_count (newest) + 1);
      alert_changed (self, newest);
      save (self);
      return;
    }

  alert = cs_alert_new_run_failed (cs_clock_get_now (self->clock), reason);
  cs_alert_log_add (self, alert);
}

/**
 * cs_alert_log_add_restored:
 * @self: an alert log
 * @service: the service whose circuit closed after it was open
 *
 * Adds "Sync restored"; the next run that finishes gives it the number of
 * appointments it verified.
 */
void
cs_alert_log_add_restored (CsAlertLog        *self,
                           CsNotifierService  service)
{
  g_autoptr(CsAlert) alert = NULL;

  g_return_if_fail (CS_IS_ALERT_LOG (self));

  alert = cs_alert_new_restored (cs_clock_get_now (self->clock), service);
  cs_alert_log_add (self, alert);
  self->restored_pending = alert;
}
