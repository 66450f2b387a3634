/* test-engine-reconfigure.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>

#include "cs-credentials.h"
#include "cs-engine.h"
#include "cs-net-error.h"
#include "net-test-util.h"

/* What Preferences changed reaches the running engine without a restart:
 * cs_engine_reconfigure_async() against the simulator and the test
 * session's keyring (build-aux/headless.sh). */

typedef struct
{
  CsClock       *clock;
  CsSimServer   *sim;
  GSettings     *settings;
  CsCredentials *credentials;
  CsEngine      *engine;
  guint          n_changed;
  char          *dir;
} Fixture;

static void
count_changed (CsEngine *engine,
               Fixture  *f)
{
  f->n_changed++;
}

static void
keyring_set (Fixture             *f,
             CsCredentialService  service,
             const char          *url,
             const char          *secret)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NetTestAsync async = { NULL };

  if (secret != NULL)
    cs_credentials_store_async (f->credentials, service, url, secret, NULL, net_test_async_cb, &async);
  else
    cs_credentials_clear_async (f->credentials, service, url, NULL, net_test_async_cb, &async);
  result = net_test_wait (&async, NULL, NULL);
  if (secret != NULL)
    g_assert_true (cs_credentials_store_finish (f->credentials, result, &error));
  else
    cs_credentials_clear_finish (f->credentials, result, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
  g_autoptr(GError) error = NULL;

  f->clock = cs_manual_clock_new (NET_TEST_NOW);
  f->sim = net_test_start_sim (f->clock, 50, 7);
  f->settings = g_settings_new_with_backend (APPLICATION_ID, backend);
  f->credentials = cs_credentials_new ();
  f->dir = g_dir_make_tmp ("calsync-reconfigure-XXXXXX", &error);
  g_assert_no_error (error);

  keyring_set (f, CS_CREDENTIAL_SERVICE_CALCOM, cs_sim_server_get_calcom_url (f->sim), NULL);
  keyring_set (f, CS_CREDENTIAL_SERVICE_BACKEND, cs_sim_server_get_backend_url (f->sim), NULL);
}

static void
start_engine (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "cache.sqlite3", NULL);
  NetTestAsync async = { NULL };

  f->engine = cs_engine_new (f->settings, f->clock, path);
  g_signal_connect (f->engine, "changed", G_CALLBACK (count_changed), f);
  cs_engine_start_async (f->engine, NULL, net_test_async_cb, &async);
  result = net_test_wait (&async, NULL, NULL);
  g_assert_true (cs_engine_start_finish (f->engine, result, &error));
  g_assert_no_error (error);
}

static void
reconfigure (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NetTestAsync async = { NULL };
  guint before = f->n_changed;

  cs_engine_reconfigure_async (f->engine, NULL, net_test_async_cb, &async);
  result = net_test_wait (&async, NULL, NULL);
  g_assert_true (cs_engine_reconfigure_finish (f->engine, result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f->n_changed, >, before);
}

static void
settle (Fixture *f)
{
  CsScheduler *scheduler = cs_engine_get_scheduler (f->engine);
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while ((cs_store_get_company_id (cs_engine_get_store (f->engine)) <= 0 ||
          !cs_scheduler_get_started (scheduler) || cs_scheduler_get_running (scheduler) ||
          (cs_engine_get_verifier (f->engine) != NULL &&
           cs_verifier_get_running (cs_engine_get_verifier (f->engine)))) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpint (cs_store_get_company_id (cs_engine_get_store (f->engine)), >, 0);
  g_assert_false (cs_scheduler_get_running (scheduler));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->dir);

  keyring_set (f, CS_CREDENTIAL_SERVICE_CALCOM, cs_sim_server_get_calcom_url (f->sim), NULL);
  keyring_set (f, CS_CREDENTIAL_SERVICE_BACKEND, cs_sim_server_get_backend_url (f->sim), NULL);
  g_clear_object (&f->engine);
  g_clear_object (&f->credentials);
  g_clear_object (&f->settings);
  cs_sim_server_stop (f->sim);
  g_clear_object (&f->sim);
  g_clear_object (&f->clock);
  g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  g_free (f->dir);
}

static void
verify_ok (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsVerifyReport) report = NULL;
  NetTestAsync async = { NULL };

  cs_engine_verify_async (f->engine, CS_VERIFICATION_CYCLE, TRUE, NULL, net_test_async_cb, &async);
  result = net_test_wait (&async, NULL, NULL);
  report = cs_engine_verify_finish (f->engine, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);
}

/* Keys stored in the keyring after the start are taken up in place: the
 * verifier stays the object a view may hold, the set-up error goes. */
static void
test_keyring_secrets (Fixture       *f,
                      gconstpointer  data)
{
  CsVerifier *verifier;

  g_settings_set_string (f->settings, "calcom-url", cs_sim_server_get_calcom_url (f->sim));
  g_settings_set_string (f->settings, "backend-url", cs_sim_server_get_backend_url (f->sim));
  start_engine (f);
  g_assert_error (cs_engine_get_setup_error (f->engine), CS_ENGINE_ERROR, CS_ENGINE_ERROR_NOT_SET_UP);
  verifier = cs_engine_get_verifier (f->engine);
  g_assert_nonnull (verifier);

  keyring_set (f, CS_CREDENTIAL_SERVICE_CALCOM, cs_sim_server_get_calcom_url (f->sim),
               cs_sim_server_get_calcom_api_key (f->sim));
  keyring_set (f, CS_CREDENTIAL_SERVICE_BACKEND, cs_sim_server_get_backend_url (f->sim),
               cs_sim_server_get_backend_token (f->sim));
  reconfigure (f);

  g_assert_null (cs_engine_get_setup_error (f->engine));
  g_assert_true (cs_engine_get_verifier (f->engine) == verifier);
  verify_ok (f);

  /* Taking the key away sets the engine back to "not set up". */
  keyring_set (f, CS_CREDENTIAL_SERVICE_CALCOM, cs_sim_server_get_calcom_url (f->sim), NULL);
  reconfigure (f);
  g_assert_error (cs_engine_get_setup_error (f->engine), CS_ENGINE_ERROR, CS_ENGINE_ERROR_NOT_SET_UP);
}

/* Addresses entered after the start build the clients; the paused
 * schedule runs, and asks the CRM for the company first. */
static void
test_new_addresses (Fixture       *f,
                    gconstpointer  data)
{
  CsScheduler *scheduler;

  start_engine (f);
  cs_engine_set_secrets (f->engine, cs_sim_server_get_calcom_api_key (f->sim),
                         cs_sim_server_get_backend_token (f->sim));
  g_assert_error (cs_engine_get_setup_error (f->engine), CS_ENGINE_ERROR, CS_ENGINE_ERROR_NOT_SET_UP);
  g_assert_null (cs_engine_get_verifier (f->engine));
  cs_engine_start_schedule (f->engine, NULL);
  scheduler = cs_engine_get_scheduler (f->engine);
  g_assert_true (cs_scheduler_get_paused (scheduler));

  g_settings_set_string (f->settings, "calcom-url", cs_sim_server_get_calcom_url (f->sim));
  g_settings_set_string (f->settings, "backend-url", cs_sim_server_get_backend_url (f->sim));
  g_settings_set_string (f->settings, "comprehensive-check-time", "03:45");
  reconfigure (f);

  g_assert_null (cs_engine_get_setup_error (f->engine));
  g_assert_nonnull (cs_engine_get_verifier (f->engine));
  g_assert_nonnull (cs_engine_get_outbox (f->engine));
  g_assert_nonnull (cs_engine_get_actions (f->engine));
  g_assert_false (cs_scheduler_get_paused (scheduler));
  g_assert_cmpuint (cs_scheduler_get_check_hour (scheduler), ==, 3);
  g_assert_cmpuint (cs_scheduler_get_check_minute (scheduler), ==, 45);
  settle (f);
  verify_ok (f);
}

/* An address the HTTP policy refuses is the set-up error, in words. */
static void
test_insecure_address (Fixture       *f,
                       gconstpointer  data)
{
  g_settings_set_string (f->settings, "calcom-url", cs_sim_server_get_calcom_url (f->sim));
  g_settings_set_string (f->settings, "backend-url", cs_sim_server_get_backend_url (f->sim));
  start_engine (f);
  cs_engine_set_secrets (f->engine, cs_sim_server_get_calcom_api_key (f->sim),
                         cs_sim_server_get_backend_token (f->sim));
  reconfigure (f);
  g_assert_null (cs_engine_get_setup_error (f->engine));

  g_settings_set_string (f->settings, "calcom-url", "http://cal.example.com/v2");
  reconfigure (f);
  g_assert_error (cs_engine_get_setup_error (f->engine), CS_NET_ERROR, CS_NET_ERROR_INSECURE_URL);
  g_assert_null (cs_engine_get_verifier (f->engine));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/calsync/engine/reconfigure/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("keyring-secrets", test_keyring_secrets);
  ADD ("new-addresses", test_new_addresses);
  ADD ("insecure-address", test_insecure_address);

  return g_test_run ();
}
