/* cs-engine.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cs-alert-log.h"
#include "cs-credentials.h"
#include "cs-engine.h"
#include "cs-net-error.h"

/**
 * CsEngine:
 *
 * Calsync without a window: the cache, the two clients built from the
 * settings and the keyring, the verifier and the outbox, ready for the
 * command line, the scheduler and (later) the window.
 *
 * Starting never fails for missing set-up: without base URLs or keys the
 * engine starts with its cache only (the dashboard figures still work) and
 * tells what is missing through cs_engine_get_setup_error(). Only a cache
 * that cannot be made at all is a start failure.
 */
struct _CsEngine
{
  GObject          parent_instance;

  GSettings       *settings;
  CsClock         *clock;
  char            *store_path;
  char            *calcom_key;
  char            *backend_token;

  CsStore         *store;
  CsCredentials   *credentials;
  CsCalcomClient  *calcom;
  CsBackendClient *backend;
  CsVerifier      *verifier;
  CsOutbox        *outbox;
  CsActions       *actions;
  CsScheduler     *scheduler;
  CsNotifier      *notifier;
  CsAlertLog      *alerts;
  CsVerifyReport  *last_told;
  GNetworkMonitor *network;
  gboolean         last_run_failed;
  CsCircuitState   calcom_circuit;
  CsCircuitState   backend_circuit;
  GError          *setup_error;
  CsEngineMissing  missing;
  gboolean         started;
};

G_DEFINE_FINAL_TYPE (CsEngine, cs_engine, G_TYPE_OBJECT)

/* The id of the suspect run a person discarded. */
#define STATE_SUSPECT_DISCARDED "suspect-discarded-run"

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_QUARK (cs-engine-error-quark, cs_engine_error)

static void
wipe_secret (char **secret)
{
  if (*secret != NULL)
    memset (*secret, 0, strlen (*secret));
  g_clear_pointer (secret, g_free);
}

static void
cs_engine_dispose (GObject *object)
{
  CsEngine *self = CS_ENGINE (object);

  if (self->network != NULL)
    g_signal_handlers_disconnect_by_data (self->network, self);
  if (self->scheduler != NULL)
    g_signal_handlers_disconnect_by_data (self->scheduler, self);
  if (self->calcom != NULL)
    g_signal_handlers_disconnect_by_data (cs_http_client_get_circuit_breaker (cs_calcom_client_get_http (self->calcom)), self);
  if (self->backend != NULL)
    g_signal_handlers_disconnect_by_data (cs_http_client_get_circuit_breaker (cs_backend_client_get_http (self->backend)), self);
  g_clear_object (&self->scheduler);
  g_clear_object (&self->notifier);
  g_clear_pointer (&self->last_told, cs_verify_report_free);
  g_clear_object (&self->alerts);
  g_clear_object (&self->network);
  g_clear_object (&self->actions);
  g_clear_object (&self->outbox);
  g_clear_object (&self->verifier);
  g_clear_object (&self->calcom);
  g_clear_object (&self->backend);
  g_clear_object (&self->credentials);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (cs_engine_parent_class)->dispose (object);
}

static void
cs_engine_finalize (GObject *object)
{
  CsEngine *self = CS_ENGINE (object);

  wipe_secret (&self->calcom_key);
  wipe_secret (&self->backend_token);
  g_free (self->store_path);
  g_clear_error (&self->setup_error);

  G_OBJECT_CLASS (cs_engine_parent_class)->finalize (object);
}

static void
cs_engine_class_init (CsEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_engine_dispose;
  object_class->finalize = cs_engine_finalize;

  /**
   * CsEngine::changed:
   * @self: the engine
   *
   * Emitted when what the cache holds may have changed: a verification
   * run (scheduled, manual or a retry) ended, an outbox item was sent or
   * failed, or cs_engine_notify_changed() was called after an action. The
   * views read the store again; they do not need to know who changed it.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE,
                  0);
}

static void
cs_engine_init (CsEngine *self)
{
}

/* Every run ends by its deadline; the net layer reads no settings, so the
 * limit is handed down from here. */
static void
apply_time_limit (CsEngine *self)
{
  if (self->verifier != NULL)
    cs_verifier_set_time_limit (self->verifier,
                                g_settings_get_int (self->settings, "check-time-limit") *
                                CS_USEC_PER_SECOND);
}

/**
 * cs_engine_new:
 * @settings: the `io.github.calsync.Calsync` settings
 * @clock: (nullable): the clock, or %NULL for the system clock
 * @store_path: (nullable): the cache file, or %NULL for the default one
 *
 * Returns: (transfer full): a new engine; start it with
 *   cs_engine_start_async()
 */
CsEngine *
cs_engine_new (GSettings  *settings,
               CsClock    *clock,
               const char *store_path)
{
  CsEngine *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (CS_TYPE_ENGINE, NULL);
  self->settings = g_object_ref (settings);
  self->clock = g_object_ref (clock != NULL ? clock : cs_clock_get_system ());
  self->store_path = store_path != NULL ? g_strdup (store_path) : cs_store_get_default_path ();
  self->credentials = cs_credentials_new ();

  g_signal_connect_object (self->settings, "changed::check-time-limit",
                           G_CALLBACK (apply_time_limit), self, G_CONNECT_SWAPPED);

  return self;
}

/**
 * cs_engine_set_secrets:
 * @self: an engine
 * @calcom_key: (nullable): the Cal.com key, held in memory only
 * @backend_token: (nullable): the CRM token, held in memory only
 *
 * Secrets given here are used instead of the keyring's (the demo's, the
 * tests'); they are never stored anywhere.
 */
void
cs_engine_set_secrets (CsEngine   *self,
                       const char *calcom_key,
                       const char *backend_token)
{
  g_return_if_fail (CS_IS_ENGINE (self));

  wipe_secret (&self->calcom_key);
  wipe_secret (&self->backend_token);
  self->calcom_key = g_strdup (calcom_key);
  self->backend_token = g_strdup (backend_token);
}

/* Starting */

typedef struct
{
  char *calcom_key;
  char *backend_token;
  /* What follows the keyring: finish_start() or reconfigure_apply(). */
  void (*then) (GTask *task);
} StartData;

static void
start_data_free (StartData *data)
{
  g_clear_pointer (&data->calcom_key, cs_credentials_secret_free);
  g_clear_pointer (&data->backend_token, cs_credentials_secret_free);
  g_free (data);
}

static void
set_setup_error (CsEngine *self,
                 GError   *error)
{
  if (self->setup_error == NULL)
    self->setup_error = error;
  else
    g_error_free (error);
}

/**
 * cs_engine_notify_changed:
 * @self: an engine
 *
 * Emits #CsEngine::changed; call it after an action changed the cache.
 */
void
cs_engine_notify_changed (CsEngine *self)
{
  g_return_if_fail (CS_IS_ENGINE (self));

  g_signal_emit (self, signals[CHANGED], 0);
}

static void
verifier_running_cb (CsVerifier *verifier,
                     GParamSpec *pspec,
                     CsEngine   *self)
{
  if (!cs_verifier_get_running (verifier))
    cs_engine_notify_changed (self);
}

/* The set-up error names exactly what is missing, so nobody has to guess
 * which of the two keys to enter again; the command line reads
 * cs_engine_get_missing() and says it in its own words. */
static GError *
missing_secret_error (CsEngineMissing missing)
{
  const char *message;

  if ((missing & CS_ENGINE_MISSING_CALCOM_KEY) && (missing & CS_ENGINE_MISSING_BACKEND_TOKEN))
    message = _("The Cal.com API key and the CRM access token are missing. "
                "Enter them in Preferences.");
  else if (missing & CS_ENGINE_MISSING_CALCOM_KEY)
    message = _("The Cal.com API key is missing. Enter it in Preferences.");
  else
    message = _("The CRM access token is missing. Enter it in Preferences.");

  return g_error_new_literal (CS_ENGINE_ERROR, CS_ENGINE_ERROR_NOT_SET_UP, message);
}

static GError *
missing_address_error (CsEngineMissing missing)
{
  const char *message;

  if ((missing & CS_ENGINE_MISSING_CALCOM_URL) && (missing & CS_ENGINE_MISSING_BACKEND_URL))
    message = _("The addresses of Cal.com and of the CRM server are not set up yet. Enter them in "
                "Preferences.");
  else if (missing & CS_ENGINE_MISSING_CALCOM_URL)
    message = _("The address of Cal.com is not set up yet. Enter it in Preferences.");
  else
    message = _("The address of the CRM server is not set up yet. Enter it in Preferences.");

  return g_error_new_literal (CS_ENGINE_ERROR, CS_ENGINE_ERROR_NOT_SET_UP, message);
}

/* Records which secrets are missing and, if one is, the set-up error. */
static void
check_secrets (CsEngine   *self,
               const char *calcom_key,
               const char *backend_token)
{
  if (calcom_key == NULL)
    self->missing |= CS_ENGINE_MISSING_CALCOM_KEY;
  if (backend_token == NULL)
    self->missing |= CS_ENGINE_MISSING_BACKEND_TOKEN;
  if (calcom_key == NULL || backend_token == NULL)
    set_setup_error (self, missing_secret_error (self->missing));
}

static void
build_clients (CsEngine   *self,
               const char *calcom_key,
               const char *backend_token)
{
  g_autofree char *calcom_url = g_settings_get_string (self->settings, "calcom-url");
  g_autofree char *backend_url = g_settings_get_string (self->settings, "backend-url");
  GError *error = NULL;

  if (calcom_url[0] == '\0')
    self->missing |= CS_ENGINE_MISSING_CALCOM_URL;
  if (backend_url[0] == '\0')
    self->missing |= CS_ENGINE_MISSING_BACKEND_URL;
  if (calcom_url[0] == '\0' || backend_url[0] == '\0')
    {
      set_setup_error (self, missing_address_error (self->missing));
      return;
    }

  self->calcom = cs_calcom_client_new (calcom_url, self->clock, &error);
  if (self->calcom == NULL)
    {
      set_setup_error (self, error);
      return;
    }
  self->backend = cs_backend_client_new (backend_url, self->clock, &error);
  if (self->backend == NULL)
    {
      g_clear_object (&self->calcom);
      set_setup_error (self, error);
      return;
    }

  check_secrets (self, calcom_key, backend_token);

  cs_calcom_client_set_api_key (self->calcom, calcom_key);
  cs_backend_client_set_token (self->backend, backend_token);

  self->verifier = cs_verifier_new (self->store, self->calcom, self->backend, self->clock);
  apply_time_limit (self);
  self->outbox = cs_outbox_new (self->store, self->calcom, self->backend, self->clock);
  self->actions = cs_actions_new (self->store, self->outbox, self->calcom, self->backend,
                                  self->verifier, self->clock);

  /* Every run ends here, whoever started it (the schedule, "Verify now",
   * an action's retry), and every outbox answer changes what is waiting. */
  g_signal_connect_object (self->verifier, "notify::running",
                           G_CALLBACK (verifier_running_cb), self, G_CONNECT_DEFAULT);
  g_signal_connect_object (self->outbox, "item-sent",
                           G_CALLBACK (cs_engine_notify_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->outbox, "item-failed",
                           G_CALLBACK (cs_engine_notify_changed), self, G_CONNECT_SWAPPED);
}

/* Sending what waits: the actions' Cal.com creates (which check for an
 * existing booking before each try) first, then the outbox, which then
 * holds the links of the creates just made. Both are tried now, also what
 * waits for a backoff: this runs on a start and when connectivity or a
 * server comes back, when the reason for the wait may be gone. */

static void
send_waiting_flushed_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!cs_outbox_flush_finish (CS_OUTBOX (object), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
send_waiting_resumed_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CsEngine *self = g_task_get_source_object (task);
  GCancellable *cancellable;

  cs_actions_resume_finish (CS_ACTIONS (object), result, NULL);

  if (g_task_return_error_if_cancelled (task))
    return;

  /* Set up again meanwhile: the new outbox is flushed by that. */
  if (self->outbox == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  cancellable = g_task_get_cancellable (task);
  cs_outbox_flush_all_async (self->outbox, cancellable, send_waiting_flushed_cb,
                             g_steal_pointer (&task));
}

/**
 * cs_engine_send_waiting_async:
 * @self: a started engine
 * @cancellable: (nullable): a #GCancellable; cancelling stops waiting (at
 *   the latest when a create's attempt ends), not the sending
 * @callback: called when what waits had its try
 * @user_data: data for @callback
 *
 * Sends what earlier actions left waiting, this process's or an earlier
 * one's: the creates in Cal.com, then the outbox (the audit entries that
 * settle meanwhile included), each tried now even if it waits for a
 * backoff. The engine does it by itself on start, when connectivity
 * returns and when a server's circuit closes again; `calsync --once` and
 * `--action` wait for it (bounded) before they go on, so a click kept by
 * one process is delivered by the next.
 */
void
cs_engine_send_waiting_async (CsEngine            *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CS_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_engine_send_waiting_async);

  /* Nothing can wait before the first answer of the CRM named the
   * company: what waits is stored per company. */
  if (self->store == NULL || cs_store_get_company_id (self->store) <= 0 ||
      self->actions == NULL || self->outbox == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  cs_actions_resume_all_async (self->actions, cancellable, send_waiting_resumed_cb,
                               g_steal_pointer (&task));
}

/**
 * cs_engine_send_waiting_finish:
 * @self: an engine
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when it had its try (what failed again waits for its
 *   backoff); %FALSE if cancelled
 */
gboolean
cs_engine_send_waiting_finish (CsEngine      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (CS_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
send_waiting (CsEngine *self)
{
  cs_engine_send_waiting_async (self, NULL, NULL, NULL);
}

static void
role_me_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CsEngine) self = user_data;
  g_autoptr(CsBackendMe) me = NULL;
  g_autoptr(GError) error = NULL;

  me = cs_backend_client_get_me_finish (CS_BACKEND_CLIENT (object), result, &error);
  if (me == NULL)
    {
      /* Offline: the first action asks again. */
      g_debug ("The role could not be asked: %s", error->message);
      return;
    }

  if (self->actions == NULL)
    return;
  cs_actions_set_role (self->actions, me->role, me->user_id);
  cs_engine_notify_changed (self);
}

/* Asks the CRM once who the token is, so the window can show at once
 * which resolutions the role may use (not only when one is refused). */
static void
learn_role (CsEngine *self)
{
  if (self->backend == NULL || self->actions == NULL || self->setup_error != NULL)
    return;

  cs_backend_client_get_me_async (self->backend, NULL, role_me_cb, g_object_ref (self));
}

static void
finish_start (GTask *task)
{
  CsEngine *self = g_task_get_source_object (task);
  StartData *data = g_task_get_task_data (task);
  gint64 company_id = g_settings_get_int64 (self->settings, "company-id");

  /* The company of the last check, so the cache's figures show before
   * the first answer of the CRM. */
  if (company_id > 0)
    cs_store_set_company_id (self->store, company_id);

  build_clients (self,
                 self->calcom_key != NULL ? self->calcom_key : data->calcom_key,
                 self->backend_token != NULL ? self->backend_token : data->backend_token);

  self->started = TRUE;
  if (company_id > 0)
    send_waiting (self);
  learn_role (self);

  g_task_return_boolean (task, TRUE);
}

static char *
secret_url (CsEngine   *self,
            const char *key)
{
  return g_settings_get_string (self->settings, key);
}

/* The secrets: looked up in the keyring for the addresses of the
 * settings, each unless it was given in memory (cs_engine_set_secrets())
 * or its address is not set; then data->then. A failed lookup becomes the
 * set-up error (the keyring's own sentence, said once); cancellation ends
 * the task. Shared by the start and by a reconfiguration. */

static void lookup_backend_secret (GTask *task);

static void
secret_lookup_failed (GTask  *task,
                      GError *error)
{
  CsEngine *self = g_task_get_source_object (task);
  StartData *data = g_task_get_task_data (task);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, error);
      return;
    }

  set_setup_error (self, error);
  data->then (task);
}

static void
backend_secret_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  StartData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->backend_token = cs_credentials_lookup_finish (CS_CREDENTIALS (object), result, &error);
  if (error != NULL)
    {
      secret_lookup_failed (task, error);
      return;
    }

  data->then (task);
}

static void
calcom_secret_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  StartData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->calcom_key = cs_credentials_lookup_finish (CS_CREDENTIALS (object), result, &error);
  if (error != NULL)
    {
      /* No keyring: the same answer for the second secret; say it once. */
      secret_lookup_failed (task, error);
      return;
    }

  lookup_backend_secret (task);
}

static void
lookup_backend_secret (GTask *task)
{
  CsEngine *self = g_task_get_source_object (task);
  StartData *data = g_task_get_task_data (task);
  g_autofree char *url = secret_url (self, "backend-url");

  /* Not set up: build_clients() says so. */
  if (self->backend_token != NULL || url[0] == '\0')
    {
      data->then (task);
      return;
    }

  cs_credentials_lookup_async (self->credentials, CS_CREDENTIAL_SERVICE_BACKEND, url,
                               g_task_get_cancellable (task), backend_secret_cb,
                               g_object_ref (task));
}

static void
lookup_secrets (GTask *task)
{
  CsEngine *self = g_task_get_source_object (task);
  g_autofree char *url = secret_url (self, "calcom-url");

  if (self->calcom_key != NULL || url[0] == '\0')
    {
      lookup_backend_secret (task);
      return;
    }

  cs_credentials_lookup_async (self->credentials, CS_CREDENTIAL_SERVICE_CALCOM, url,
                               g_task_get_cancellable (task), calcom_secret_cb,
                               g_object_ref (task));
}

static void
open_store_in_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  CsEngine *self = source_object;
  GError *error = NULL;
  CsStore *store;

  /* Opening checks the file (quick_check): not on the main thread. */
  store = cs_store_open (self->store_path, &error);
  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

static void
store_opened_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CsEngine *self = CS_ENGINE (object);
  g_autoptr(GError) error = NULL;

  self->store = g_task_propagate_pointer (G_TASK (result), &error);
  if (self->store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->alerts = cs_alert_log_new (self->store, self->clock);

  ((StartData *) g_task_get_task_data (task))->then = finish_start;
  lookup_secrets (task);
}

/**
 * cs_engine_start_async:
 * @self: an engine
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the engine is ready, or could not make its cache
 * @user_data: data for @callback
 *
 * Opens the cache (rebuilding a damaged one), reads the credentials from
 * the keyring unless given, and builds the clients.
 */
void
cs_engine_start_async (CsEngine            *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) opener = NULL;

  g_return_if_fail (CS_IS_ENGINE (self));
  g_return_if_fail (!self->started);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_engine_start_async);
  g_task_set_task_data (task, g_new0 (StartData, 1), (GDestroyNotify) start_data_free);

  opener = g_task_new (self, cancellable, store_opened_cb, g_steal_pointer (&task));
  g_task_set_source_tag (opener, open_store_in_thread);
  g_task_run_in_thread (opener, open_store_in_thread);
}

/**
 * cs_engine_start_finish:
 * @self: an engine
 * @result: the result
 * @error: return location for a #CsStoreError
 *
 * Returns: %TRUE if the engine runs (perhaps not set up yet: see
 *   cs_engine_get_setup_error())
 */
gboolean
cs_engine_start_finish (CsEngine      *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (CS_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Accessors */

/**
 * cs_engine_get_clock:
 * @self: an engine
 *
 * Returns: (transfer none): the clock every run and timer of the engine
 *   reads: what "3 min ago" and "next at 12:00" are measured against
 */
CsClock *
cs_engine_get_clock (CsEngine *self)
{
  g_return_val_if_fail (CS_IS_ENGINE (self), NULL);

  return self->clock;
}

/**
 * cs_engine_get_store:
 * @self: a started engine
 *
 * Returns: (transfer none) (nullable): the cache
 */
CsStore *
cs_engine_get_store (CsEngine *self)
{
  g_return_val_if_fail (CS_IS_ENGINE (self), NULL);

  return self->store;
}

/**
 * cs_engine_get_store_recovery:
 * @self: a started engine
 *
 * Returns: (nullable): why the cache had to be rebuilt at start, in words
 *   for the user, or %NULL
 */
const GError *
cs_engine_get_store_recovery (CsEngine *self)
{
  g_return_val_if_fail (CS_IS_ENGINE (self), NULL);

  return self->store != NULL ? cs_store_get_recovery_error (self->store) : NULL;
}

/**
 * cs_engine_get_setup_error:
 * @self: a started engine
 *
 * Returns: (nullable): what is missing before checks can run (addresses,
 *   keys, a keyring), or %NULL
 */
const GError *
cs_engine_get_setup_error (CsEngine *self)
{
  g_return_val_if_fail (CS_IS_ENGINE (self), NULL);

  return self->setup_error;
}

/**
 * cs_engine_get_missing:
 * @self: a started engine
 *
 * What the set-up lacks, for a caller that says it in its own words (the
 * command line names its options instead of Preferences). A secret counts
 * as missing only once its address is set: without one it is not looked up.
 *
 * Returns: the missing addresses and secrets, or %CS_ENGINE_MISSING_NONE
 */
CsEngineMissing
cs_engine_get_missing (CsEngine *self)
{
  g_return_val_if_fail (CS_IS_ENGINE (self), CS_ENGINE_MISSING_NONE);

  return self->missing;
}

/**
 * cs_engine_get_verifier:
 * @self: a started engine
 *
 * Returns: (transfer none) (nullable): the verifier, if set up
 */
CsVerifier *
cs_engine_get_verifier (CsEngine *self)
{
  g_return_val_if_fail (CS_IS_ENGINE (self), NULL);

  return self->verifier;
}

/**
 * cs_engine_get_alerts:
 * @self: a started engine
 *
 * Returns: (transfer none) (nullable): the in-app alerts (flags, failed
 *   checks, restored sync), newest first; %NULL before the cache is open
 */
CsAlertLog *
cs_engine_get_alerts (CsEngine *self)
{
  g_return_val_if_fail (CS_IS_ENGINE (self), NULL);

  return self->alerts;
}

/**
 * cs_engine_get_outbox:
 * @self: a started engine
 *
 * Returns: (transfer none) (nullable): the outbox, if set up
 */
CsOutbox *
cs_engine_get_outbox (CsEngine *self)
{
  g_return_val_if_fail (CS_IS_ENGINE (self), NULL);

  return self->outbox;
}

/**
 * cs_engine_get_actions:
 * @self: a started engine
 *
 * Returns: (transfer none) (nullable): the resolution actions, if set up
 */
CsActions *
cs_engine_get_actions (CsEngine *self)
{
  g_return_val_if_fail (CS_IS_ENGINE (self), NULL);

  return self->actions;
}

/**
 * cs_engine_get_calcom:
 * @self: a started engine
 *
 * Returns: (transfer none) (nullable): the Cal.com client, if set up
 */
CsCalcomClient *
cs_engine_get_calcom (CsEngine *self)
{
  g_return_val_if_fail (CS_IS_ENGINE (self), NULL);

  return self->calcom;
}

/**
 * cs_engine_get_backend:
 * @self: a started engine
 *
 * Returns: (transfer none) (nullable): the CRM client, if set up
 */
CsBackendClient *
cs_engine_get_backend (CsEngine *self)
{
  g_return_val_if_fail (CS_IS_ENGINE (self), NULL);

  return self->backend;
}

/**
 * cs_engine_get_window:
 * @self: an engine
 * @start: (out): the first start instant checked
 * @end: (out): the end of the window
 *
 * The window of the settings around the clock's now (30 days back, 90
 * ahead by default).
 */
void
cs_engine_get_window (CsEngine *self,
                      CsTime   *start,
                      CsTime   *end)
{
  CsTime now;

  g_return_if_fail (CS_IS_ENGINE (self));

  now = cs_clock_get_now (self->clock);
  *start = now - g_settings_get_int (self->settings, "window-days-past") * CS_USEC_PER_DAY;
  *end = now + g_settings_get_int (self->settings, "window-days-future") * CS_USEC_PER_DAY;
}

/* Verifying */

/* What every run the engine started does with its report, whoever asked
 * for it (the schedule, "Verify now", --once, a retry): new flags go to
 * the in-app alerts and the desktop notification (once per flag, one
 * summary per run), and the retry timer is armed for every item that waits.
 * Callers who joined a run share its report: it is told once. */
static void
tell_report (CsEngine       *self,
             CsVerifyReport *report)
{
  if (report == self->last_told)
    return;
  g_clear_pointer (&self->last_told, cs_verify_report_free);
  self->last_told = g_atomic_rc_box_acquire (report);

  cs_alert_log_add_report (self->alerts, report);

  if (self->notifier != NULL && report->newly_flagged_appointments->len > 0)
    cs_notifier_flagged (self->notifier,
                         (const CsAppointment * const *) report->newly_flagged_appointments->pdata,
                         report->newly_flagged_appointments->len);

  if (self->scheduler != NULL && report->next_due != CS_TIME_UNSET)
    cs_scheduler_offer_retry_due (self->scheduler, report->next_due);
}

static void
verify_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CsEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  CsVerifyReport *report;
  gint64 company_id;

  report = cs_verifier_run_finish (CS_VERIFIER (object), result, &error);
  if (report == NULL)
    {
      /* The in-app alerts hear of every run the engine started; a
       * cancelled one was the user's choice, not a failure. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        cs_alert_log_add_run_failed (self->alerts, error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* A dry run flags nothing: what it would flag is no news. */
  if (!GPOINTER_TO_INT (g_task_get_task_data (task)))
    tell_report (self, report);

  /* Remember the company, for the figures shown before the next check. */
  company_id = cs_store_get_company_id (self->store);
  if (company_id > 0 && company_id != g_settings_get_int64 (self->settings, "company-id"))
    g_settings_set_int64 (self->settings, "company-id", company_id);

  g_task_return_pointer (task, report, (GDestroyNotify) cs_verify_report_free);
}

/* Runs the verifier with @options as they are (the window of the
 * settings, or a retry's items); the report comes through verify_cb(). */
static void
run_options_async (CsEngine              *self,
                   const CsVerifyOptions *options,
                   GCancellable          *cancellable,
                   GAsyncReadyCallback    callback,
                   gpointer               user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, cs_engine_verify_async);
  g_task_set_task_data (task, GINT_TO_POINTER (options->dry_run), NULL);

  if (!self->started)
    {
      g_task_return_new_error (task, CS_ENGINE_ERROR, CS_ENGINE_ERROR_NOT_STARTED,
                               "The engine has not started");
      return;
    }

  if (self->setup_error != NULL)
    {
      g_task_return_error (task, g_error_copy (self->setup_error));
      return;
    }

  cs_verifier_run_async (self->verifier, options, cancellable, verify_cb, g_steal_pointer (&task));
}

/* A run of @kind over the window of the settings. */
static void
window_options (CsEngine           *self,
                CsVerificationKind  kind,
                CsVerifyOptions    *options)
{
  cs_verify_options_init (options);
  options->kind = kind;
  cs_engine_get_window (self, &options->window_start, &options->window_end);
}

/**
 * cs_engine_verify_async:
 * @self: a started engine
 * @kind: what to look at
 * @dry_run: read and report, write nothing
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the run's report, or an error
 * @user_data: data for @callback
 *
 * Runs a verification over the window of the settings.
 */
void
cs_engine_verify_async (CsEngine            *self,
                        CsVerificationKind   kind,
                        gboolean             dry_run,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  CsVerifyOptions options;

  g_return_if_fail (CS_IS_ENGINE (self));

  window_options (self, kind, &options);
  options.dry_run = dry_run;
  run_options_async (self, &options, cancellable, callback, user_data);
}

/**
 * cs_engine_accept_suspect_async:
 * @self: a started engine
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the run's report, or an error
 * @user_data: data for @callback
 *
 * A person's answer to a check the orphan guard held back ("Apply anyway",
 * `--once --accept-suspect`): checks the window again at once, without the
 * guard, and applies what it finds, however many orphans. Finish with
 * cs_engine_verify_finish().
 */
void
cs_engine_accept_suspect_async (CsEngine            *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  CsVerifyOptions options;

  g_return_if_fail (CS_IS_ENGINE (self));

  window_options (self, CS_VERIFICATION_COMPREHENSIVE, &options);
  options.orphan_guard = 1.0;
  run_options_async (self, &options, cancellable, callback, user_data);
}

/**
 * cs_engine_suspect_waits:
 * @self: a started engine
 * @run: (nullable): the last run, as the caller read it
 *
 * Whether @run is a check the orphan guard held back that still waits for
 * a person's answer (nobody discarded it).
 *
 * Returns: %TRUE if @run is suspect and not discarded
 */
gboolean
cs_engine_suspect_waits (CsEngine          *self,
                         const CsRunRecord *run)
{
  gint64 discarded = 0;

  g_return_val_if_fail (CS_IS_ENGINE (self), FALSE);

  if (run == NULL || g_strcmp0 (run->result, CS_RUN_RESULT_SUSPECT) != 0 || self->store == NULL)
    return FALSE;

  return !cs_store_get_state_int64 (self->store, STATE_SUSPECT_DISCARDED, 0, &discarded, NULL) ||
         discarded != run->id;
}

/**
 * cs_engine_dup_suspect_run:
 * @self: a started engine
 *
 * The check the orphan guard held back, while it waits for a person's
 * answer: the last run, if cs_engine_suspect_waits() says so.
 *
 * Returns: (transfer full) (nullable): the suspect run, or %NULL
 */
CsRunRecord *
cs_engine_dup_suspect_run (CsEngine *self)
{
  g_autoptr(CsRunRecord) last = NULL;

  g_return_val_if_fail (CS_IS_ENGINE (self), NULL);

  if (self->store == NULL || cs_store_get_company_id (self->store) <= 0)
    return NULL;

  last = cs_store_get_last_run (self->store, NULL);
  return cs_engine_suspect_waits (self, last) ? g_steal_pointer (&last) : NULL;
}

/**
 * cs_engine_discard_suspect:
 * @self: a started engine
 * @error: return location for a #GError
 *
 * A person's other answer ("Discard"): the suspect run stays in the
 * history as it was (it changed nothing), and stops asking; the next check
 * decides afresh, with the guard.
 *
 * Returns: %TRUE on success (also when nothing waited for an answer)
 */
gboolean
cs_engine_discard_suspect (CsEngine  *self,
                           GError   **error)
{
  g_autoptr(CsRunRecord) suspect = NULL;

  g_return_val_if_fail (CS_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  suspect = cs_engine_dup_suspect_run (self);
  if (suspect == NULL)
    return TRUE;

  if (!cs_store_set_state_int64 (self->store, STATE_SUSPECT_DISCARDED, suspect->id, error))
    return FALSE;

  cs_engine_notify_changed (self);
  return TRUE;
}

/**
 * cs_engine_verify_finish:
 * @self: an engine
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the report
 */
CsVerifyReport *
cs_engine_verify_finish (CsEngine      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (CS_IS_ENGINE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The schedule */

static void
scheduled_run_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  CsEngine *self = CS_ENGINE (object);
  CsSchedulerRunKind kind = GPOINTER_TO_UINT (user_data);
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;
  CsTime next_retry = CS_TIME_UNSET;

  report = cs_engine_verify_finish (self, result, &error);

  if (report == NULL)
    {
      CsTime now = cs_clock_get_now (self->clock);

      /* The run could not verify: try it again in a minute, or when the
       * circuit lets a probe through, or when the server said it would
       * take requests again (a rate limit longer than the run's deadline). */
      g_message ("A scheduled check could not run: %s", error->message);
      self->last_run_failed = cs_net_error_is_retryable (error);
      if (self->last_run_failed)
        {
          CsTime reopens = MAX (
            cs_circuit_breaker_get_open_until (cs_http_client_get_circuit_breaker (cs_calcom_client_get_http (self->calcom))),
            cs_circuit_breaker_get_open_until (cs_http_client_get_circuit_breaker (cs_backend_client_get_http (self->backend))));

          next_retry = MAX (now + CS_USEC_PER_MINUTE, reopens);
          next_retry = MAX (next_retry, cs_net_error_get_retry_at (error));
        }
      if (self->scheduler != NULL)
        cs_scheduler_run_finished (self->scheduler, kind, FALSE, next_retry);
      return;
    }

  self->last_run_failed = FALSE;

  if (self->scheduler != NULL)
    cs_scheduler_run_finished (self->scheduler, kind, TRUE, report->next_due);
}

static void
run_retry (CsEngine *self)
{
  g_autoptr(GPtrArray) appointments = NULL;
  g_autoptr(GPtrArray) bookings = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) uids = g_ptr_array_new_with_free_func (g_free);
  CsTime now = cs_clock_get_now (self->clock);
  CsVerifyOptions options;

  appointments = cs_store_list_due_appointments (self->store, now, NULL);
  bookings = cs_store_list_due_bookings (self->store, now, NULL);
  for (guint i = 0; appointments != NULL && i < appointments->len; i++)
    g_array_append_val (ids, ((CsAppointment *) g_ptr_array_index (appointments, i))->id);
  for (guint i = 0; bookings != NULL && i < bookings->len; i++)
    g_ptr_array_add (uids, g_strdup (((CsBooking *) g_ptr_array_index (bookings, i))->uid));

  if (ids->len == 0 && uids->len == 0)
    {
      cs_scheduler_run_finished (self->scheduler, CS_SCHEDULER_RUN_RETRY, TRUE, CS_TIME_UNSET);
      return;
    }

  window_options (self, CS_VERIFICATION_RETRY, &options);
  options.appointment_ids = ids;
  options.booking_uids = uids;
  run_options_async (self, &options, NULL, scheduled_run_cb,
                     GUINT_TO_POINTER (CS_SCHEDULER_RUN_RETRY));
}

static void
run_requested_cb (CsScheduler        *scheduler,
                  CsSchedulerRunKind  kind,
                  CsEngine           *self)
{
  /* After a run that could not verify, the retry is the whole run again:
   * it is also the probe that tells when the service is back. */
  if (kind == CS_SCHEDULER_RUN_RETRY && !self->last_run_failed)
    {
      run_retry (self);
      return;
    }

  cs_engine_verify_async (self,
                          kind == CS_SCHEDULER_RUN_COMPREHENSIVE ? CS_VERIFICATION_COMPREHENSIVE
                                                                 : CS_VERIFICATION_CYCLE,
                          FALSE, NULL, scheduled_run_cb, GUINT_TO_POINTER (kind));
}

static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    CsEngine        *self)
{
  cs_scheduler_set_online (self->scheduler, available);
  if (available)
    send_waiting (self);
}

static void
circuit_changed (CsEngine          *self,
                 CsCircuitBreaker  *breaker,
                 CsCircuitState    *last,
                 CsNotifierService  service)
{
  CsCircuitState state = cs_circuit_breaker_get_state (breaker);

  /* Closed again after it was open: the outage is over, and what waits
   * for that server goes now instead of after its backoff. */
  if (state == CS_CIRCUIT_CLOSED && *last != CS_CIRCUIT_CLOSED)
    {
      cs_alert_log_add_restored (self->alerts, service);
      if (self->notifier != NULL)
        cs_notifier_sync_restored (self->notifier, service);
      send_waiting (self);
    }
  *last = state;
}

static void
calcom_circuit_cb (CsCircuitBreaker *breaker,
                   GParamSpec       *pspec,
                   CsEngine         *self)
{
  circuit_changed (self, breaker, &self->calcom_circuit, CS_NOTIFIER_SERVICE_CALCOM);
}

static void
backend_circuit_cb (CsCircuitBreaker *breaker,
                    GParamSpec       *pspec,
                    CsEngine         *self)
{
  circuit_changed (self, breaker, &self->backend_circuit, CS_NOTIFIER_SERVICE_CRM);
}

/* A circuit that closes after an outage: "sync restored" (notification
 * and alert). Again for the clients of a new set-up. */
static void
watch_circuits (CsEngine *self)
{
  if (self->calcom != NULL)
    g_signal_connect (cs_http_client_get_circuit_breaker (cs_calcom_client_get_http (self->calcom)),
                      "notify::state", G_CALLBACK (calcom_circuit_cb), self);
  if (self->backend != NULL)
    g_signal_connect (cs_http_client_get_circuit_breaker (cs_backend_client_get_http (self->backend)),
                      "notify::state", G_CALLBACK (backend_circuit_cb), self);
}

static void schedule_me_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data);

static void
ask_company (gpointer user_data)
{
  CsEngine *self = user_data;

  cs_backend_client_get_me_async (self->backend, NULL, schedule_me_cb, g_object_ref (self));
}

static void
schedule_me_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CsEngine) self = user_data;
  g_autoptr(CsBackendMe) me = NULL;
  g_autoptr(GError) error = NULL;

  me = cs_backend_client_get_me_finish (CS_BACKEND_CLIENT (object), result, &error);
  if (me == NULL)
    {
      /* Offline at the first start: ask again in a minute. */
      g_message ("The CRM server could not be asked who we are: %s", error->message);
      cs_clock_add_timeout (self->clock, cs_clock_get_now (self->clock) + CS_USEC_PER_MINUTE,
                            ask_company, g_object_ref (self), g_object_unref);
      return;
    }

  cs_store_set_company_id (self->store, me->company_id);
  g_settings_set_int64 (self->settings, "company-id", me->company_id);

  if (self->scheduler != NULL)
    cs_scheduler_start (self->scheduler);
}

/**
 * cs_engine_set_notifier:
 * @self: an engine
 * @notifier: (nullable): tells the user about new flags and restored sync
 *
 * Who hears of the flags of every run the engine starts, with or without
 * a schedule (`calsync --once` sets one too); it follows the
 * `notifications` setting.
 */
void
cs_engine_set_notifier (CsEngine   *self,
                        CsNotifier *notifier)
{
  g_return_if_fail (CS_IS_ENGINE (self));
  g_return_if_fail (notifier == NULL || CS_IS_NOTIFIER (notifier));

  if (!g_set_object (&self->notifier, notifier))
    return;

  if (notifier != NULL)
    g_settings_bind (self->settings, "notifications", notifier, "enabled", G_SETTINGS_BIND_GET);
}

/**
 * cs_engine_start_schedule:
 * @self: a started engine that is set up
 * @notifier: (nullable): tells the user about new flags and restored sync
 *
 * Runs the checks on their own from now on: the cycle, the daily check,
 * the retries (DESIGN.md §1), paused while offline.
 */
void
cs_engine_start_schedule (CsEngine   *self,
                          CsNotifier *notifier)
{
  g_autofree char *check_time = NULL;

  g_return_if_fail (CS_IS_ENGINE (self));
  g_return_if_fail (self->started);
  g_return_if_fail (self->scheduler == NULL);

  cs_engine_set_notifier (self, notifier);

  self->scheduler = cs_scheduler_new (self->clock, self->store, NULL);
  g_settings_bind (self->settings, "cycle-hours", self->scheduler, "cycle-hours",
                   G_SETTINGS_BIND_GET);
  check_time = g_settings_get_string (self->settings, "comprehensive-check-time");
  cs_scheduler_set_check_time_string (self->scheduler, check_time);
  g_signal_connect (self->scheduler, "run-requested", G_CALLBACK (run_requested_cb), self);

  self->network = g_object_ref (g_network_monitor_get_default ());
  cs_scheduler_set_online (self->scheduler, g_network_monitor_get_network_available (self->network));
  g_signal_connect (self->network, "network-changed", G_CALLBACK (network_changed_cb), self);

  watch_circuits (self);

  /* Nothing to run without set-up; the schedule waits. */
  cs_scheduler_set_paused (self->scheduler, self->setup_error != NULL);
  cs_scheduler_watch_sleep (self->scheduler);

  /* The due times are the company's: on a first start, ask whose the
   * token is before reading them. */
  if (cs_store_get_company_id (self->store) <= 0)
    {
      /* Not set up yet: cs_engine_reconfigure_async() asks once it is. */
      if (self->backend != NULL)
        ask_company (self);
      return;
    }

  cs_scheduler_start (self->scheduler);
}

/**
 * cs_engine_get_scheduler:
 * @self: an engine
 *
 * Returns: (transfer none) (nullable): the scheduler, once started
 */
CsScheduler *
cs_engine_get_scheduler (CsEngine *self)
{
  g_return_val_if_fail (CS_IS_ENGINE (self), NULL);

  return self->scheduler;
}

/* Reconfiguring */

/* Whether @client_url (trailing slashes stripped by the HTTP client) is
 * the address @setting names. */
static gboolean
same_base_url (const char *client_url,
               const char *setting)
{
  gsize len = strlen (setting);

  while (len > 0 && setting[len - 1] == '/')
    len--;

  return strlen (client_url) == len && strncmp (client_url, setting, len) == 0;
}

/* Drops the clients and what was built on them. Whoever still holds one
 * (a run that is going, a view) keeps a working object of the old
 * addresses until it lets go; the engine forgets it. */
static void
clear_clients (CsEngine *self)
{
  if (self->calcom != NULL)
    g_signal_handlers_disconnect_by_data (cs_http_client_get_circuit_breaker (cs_calcom_client_get_http (self->calcom)), self);
  if (self->backend != NULL)
    g_signal_handlers_disconnect_by_data (cs_http_client_get_circuit_breaker (cs_backend_client_get_http (self->backend)), self);
  if (self->verifier != NULL)
    g_signal_handlers_disconnect_by_data (self->verifier, self);
  if (self->outbox != NULL)
    g_signal_handlers_disconnect_by_data (self->outbox, self);
  g_clear_object (&self->actions);
  g_clear_object (&self->outbox);
  g_clear_object (&self->verifier);
  g_clear_object (&self->calcom);
  g_clear_object (&self->backend);
}

static void
reconfigure_apply (GTask *task)
{
  CsEngine *self = g_task_get_source_object (task);
  StartData *data = g_task_get_task_data (task);
  const char *calcom_key = self->calcom_key != NULL ? self->calcom_key : data->calcom_key;
  const char *backend_token = self->backend_token != NULL ? self->backend_token : data->backend_token;
  g_autofree char *calcom_url = g_settings_get_string (self->settings, "calcom-url");
  g_autofree char *backend_url = g_settings_get_string (self->settings, "backend-url");

  if (self->calcom != NULL && self->backend != NULL &&
      same_base_url (cs_http_client_get_base_url (cs_calcom_client_get_http (self->calcom)), calcom_url) &&
      same_base_url (cs_http_client_get_base_url (cs_backend_client_get_http (self->backend)), backend_url))
    {
      /* The same servers: the objects stay (views hold the verifier),
       * only the secrets change. */
      check_secrets (self, calcom_key, backend_token);
      cs_calcom_client_set_api_key (self->calcom, calcom_key);
      cs_backend_client_set_token (self->backend, backend_token);
    }
  else
    {
      /* Other servers: the clients cannot change their address, so
       * everything built on them is made again. */
      clear_clients (self);
      build_clients (self, calcom_key, backend_token);

      if (self->scheduler != NULL)
        watch_circuits (self);
    }

  if (self->scheduler != NULL)
    {
      g_autofree char *check_time = g_settings_get_string (self->settings, "comprehensive-check-time");

      cs_scheduler_set_check_time_string (self->scheduler, check_time);
      cs_scheduler_set_paused (self->scheduler, self->setup_error != NULL);

      /* A first set-up: ask whose the token is before the due times
       * are read (cs_engine_start_schedule() does the same). */
      if (self->setup_error == NULL && cs_store_get_company_id (self->store) <= 0)
        ask_company (self);
      else
        cs_scheduler_start (self->scheduler);
    }

  if (self->setup_error == NULL)
    send_waiting (self);

  cs_engine_notify_changed (self);
  g_task_return_boolean (task, TRUE);
}

/**
 * cs_engine_reconfigure_async:
 * @self: a started engine
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the engine runs on the new set-up
 * @user_data: data for @callback
 *
 * Takes up what Preferences changed, without a restart: reads the base
 * URLs from the settings again and the secrets from the keyring (unless
 * they were given with cs_engine_set_secrets()), and sets the set-up
 * error anew (cs_engine_get_setup_error()).
 *
 * With the same addresses the clients, the verifier, the outbox and the
 * actions stay the same objects and only take the new secrets. With other
 * addresses they are replaced (a client cannot change its address): take
 * them again with the getters when #CsEngine::changed is emitted. The
 * schedule, if running, is paused or resumed to match, and takes the
 * comprehensive-check time again.
 *
 * #CsEngine::changed is emitted at the end in every case.
 */
void
cs_engine_reconfigure_async (CsEngine            *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  StartData *data;

  g_return_if_fail (CS_IS_ENGINE (self));
  g_return_if_fail (self->started);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_engine_reconfigure_async);
  data = g_new0 (StartData, 1);
  data->then = reconfigure_apply;
  g_task_set_task_data (task, data, (GDestroyNotify) start_data_free);

  /* Starts over with what the keyring says: no earlier set-up error holds. */
  g_clear_error (&self->setup_error);
  self->missing = CS_ENGINE_MISSING_NONE;
  lookup_secrets (task);
}

/**
 * cs_engine_reconfigure_finish:
 * @self: an engine
 * @result: the result
 * @error: return location for %G_IO_ERROR_CANCELLED
 *
 * Returns: %TRUE once the engine runs on the new set-up (perhaps still
 *   not set up: see cs_engine_get_setup_error())
 */
gboolean
cs_engine_reconfigure_finish (CsEngine      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (CS_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * cs_engine_get_secrets_given:
 * @self: an engine
 *
 * Returns: whether both secrets were given with cs_engine_set_secrets()
 *   (the demo's, the tests'), so the keyring's are not used
 */
gboolean
cs_engine_get_secrets_given (CsEngine *self)
{
  g_return_val_if_fail (CS_IS_ENGINE (self), FALSE);

  return self->calcom_key != NULL && self->backend_token != NULL;
}
