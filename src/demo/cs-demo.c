/* cs-demo.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>

#include "cs-demo.h"

/**
 * CsDemo:
 *
 * `--demo`: the built-in simulator on loopback with a generated company,
 * settings held in memory, a cache in a temporary folder and the
 * simulator's keys held by the engine only. Nothing of the user's
 * settings, cache or keyring is touched; disposing the demo stops the
 * simulator and removes the folder.
 *
 * cs_demo_prepare_async() fills the cache so the window shows every state
 * at once (see there).
 */
struct _CsDemo
{
  GObject           parent_instance;

  guint             n_appointments;
  GSettingsBackend *backend;
  GSettings        *settings;
  CsSimDataset     *dataset;
  CsSimServer      *server;
  char             *dir;
  char             *store_path;
};

G_DEFINE_FINAL_TYPE (CsDemo, cs_demo, G_TYPE_OBJECT)

/* The files SQLite keeps beside a cache in WAL mode. */
static const char * const cache_suffixes[] = { "", "-wal", "-shm", "-journal" };

static void
cs_demo_dispose (GObject *object)
{
  CsDemo *self = CS_DEMO (object);

  if (self->server != NULL)
    cs_sim_server_stop (self->server);
  g_clear_object (&self->server);
  g_clear_object (&self->dataset);
  g_clear_object (&self->settings);
  g_clear_object (&self->backend);

  if (self->dir != NULL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (cache_suffixes); i++)
        {
          g_autofree char *file = g_strconcat (self->store_path, cache_suffixes[i], NULL);

          g_unlink (file);
        }
      g_rmdir (self->dir);
      g_clear_pointer (&self->dir, g_free);
    }

  G_OBJECT_CLASS (cs_demo_parent_class)->dispose (object);
}

static void
cs_demo_finalize (GObject *object)
{
  CsDemo *self = CS_DEMO (object);

  g_free (self->store_path);

  G_OBJECT_CLASS (cs_demo_parent_class)->finalize (object);
}

static void
cs_demo_class_init (CsDemoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_demo_dispose;
  object_class->finalize = cs_demo_finalize;
}

static void
cs_demo_init (CsDemo *self)
{
}

/**
 * cs_demo_new:
 * @n_appointments: the size of the generated company
 *
 * Returns: (transfer full): a demo; start it with cs_demo_start()
 */
CsDemo *
cs_demo_new (guint n_appointments)
{
  CsDemo *self = g_object_new (CS_TYPE_DEMO, NULL);

  self->n_appointments = n_appointments;
  return self;
}

/**
 * cs_demo_start:
 * @self: a demo
 * @error: return location for an error
 *
 * Generates the company, starts the simulator and makes the temporary
 * folder of the cache.
 *
 * Returns: whether the demo can run
 */
gboolean
cs_demo_start (CsDemo  *self,
               GError **error)
{
  CsSimDatasetConfig config;

  g_return_val_if_fail (CS_IS_DEMO (self), FALSE);
  g_return_val_if_fail (self->server == NULL, FALSE);

  self->backend = g_memory_settings_backend_new ();
  self->settings = g_settings_new_with_backend (APPLICATION_ID, self->backend);

  cs_sim_dataset_config_init (&config);
  config.seed = CS_DEMO_SEED;
  config.n_appointments = self->n_appointments;
  self->dataset = cs_sim_dataset_new (cs_clock_get_system (), &config, error);
  if (self->dataset == NULL)
    return FALSE;

  self->server = cs_sim_server_new (cs_clock_get_system (), self->dataset);
  if (!cs_sim_server_start (self->server, 0, 0, error))
    return FALSE;

  g_settings_set_string (self->settings, "calcom-url", cs_sim_server_get_calcom_url (self->server));
  g_settings_set_string (self->settings, "backend-url", cs_sim_server_get_backend_url (self->server));

  self->dir = g_dir_make_tmp ("calsync-demo-XXXXXX", error);
  if (self->dir == NULL)
    return FALSE;
  self->store_path = g_build_filename (self->dir, "cache.sqlite3", NULL);

  return TRUE;
}

/**
 * cs_demo_prepare_async:
 * @self: a started demo
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the cache is ready
 * @user_data: data for @callback
 *
 * Fills the demo's cache so the window shows every state at once.
 */
void
cs_demo_prepare_async (CsDemo              *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, cs_demo_prepare_async);
  g_task_return_boolean (task, TRUE);
}

/**
 * cs_demo_prepare_finish:
 * @self: a demo
 * @result: the result
 * @error: return location for an error
 *
 * Returns: whether the cache is ready
 */
gboolean
cs_demo_prepare_finish (CsDemo        *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * cs_demo_get_settings:
 * @self: a started demo
 *
 * Returns: (transfer none): the demo's settings, in memory
 */
GSettings *
cs_demo_get_settings (CsDemo *self)
{
  g_return_val_if_fail (CS_IS_DEMO (self), NULL);

  return self->settings;
}

/**
 * cs_demo_get_store_path:
 * @self: a started demo
 *
 * Returns: the demo's cache file
 */
const char *
cs_demo_get_store_path (CsDemo *self)
{
  g_return_val_if_fail (CS_IS_DEMO (self), NULL);

  return self->store_path;
}

/**
 * cs_demo_get_server:
 * @self: a started demo
 *
 * Returns: (transfer none): the simulator
 */
CsSimServer *
cs_demo_get_server (CsDemo *self)
{
  g_return_val_if_fail (CS_IS_DEMO (self), NULL);

  return self->server;
}

/**
 * cs_demo_new_engine:
 * @self: a started demo
 *
 * Returns: (transfer full): an engine on the demo's settings, cache and
 *   keys; start it with cs_engine_start_async()
 */
CsEngine *
cs_demo_new_engine (CsDemo *self)
{
  CsEngine *engine;

  g_return_val_if_fail (CS_IS_DEMO (self), NULL);
  g_return_val_if_fail (self->server != NULL, NULL);

  engine = cs_engine_new (self->settings, NULL, self->store_path);
  cs_engine_set_secrets (engine, cs_sim_server_get_calcom_api_key (self->server),
                         cs_sim_server_get_backend_token (self->server));
  return engine;
}
