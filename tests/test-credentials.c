/* test-credentials.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "cs-credentials.h"

/* Runs against the unlocked gnome-keyring of build-aux/headless.sh; the
 * cases without a Secret Service run in subprocesses on a bus of their own,
 * because libsecret keeps its connection for the life of a process. */

typedef struct
{
  GAsyncResult *result;
} AsyncData;

static void
ready_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  AsyncData *data = user_data;

  g_assert_null (data->result);
  data->result = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

/* Iterates the main context until the callback ran, with a bound: no sleeps. */
static GAsyncResult *
wait_for_result (AsyncData *data)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (data->result == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_assert_nonnull (data->result);
  return g_steal_pointer (&data->result);
}

static gboolean
store (CsCredentials        *credentials,
       CsCredentialService   service,
       const char           *url,
       const char           *secret,
       GCancellable         *cancellable,
       GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  AsyncData data = { NULL };

  cs_credentials_store_async (credentials, service, url, secret, cancellable, ready_cb, &data);
  result = wait_for_result (&data);
  return cs_credentials_store_finish (credentials, result, error);
}

static char *
lookup (CsCredentials        *credentials,
        CsCredentialService   service,
        const char           *url,
        GCancellable         *cancellable,
        GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  AsyncData data = { NULL };

  cs_credentials_lookup_async (credentials, service, url, cancellable, ready_cb, &data);
  result = wait_for_result (&data);
  return cs_credentials_lookup_finish (credentials, result, error);
}

static gboolean
clear (CsCredentials        *credentials,
       CsCredentialService   service,
       const char           *url,
       GCancellable         *cancellable,
       GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  AsyncData data = { NULL };

  cs_credentials_clear_async (credentials, service, url, cancellable, ready_cb, &data);
  result = wait_for_result (&data);
  return cs_credentials_clear_finish (credentials, result, error);
}

/* Asserts the secret stored for @service at @url, or none with %NULL. */
static void
assert_secret (CsCredentials       *credentials,
               CsCredentialService  service,
               const char          *url,
               const char          *expected)
{
  g_autoptr(GError) error = NULL;
  char *secret;

  secret = lookup (credentials, service, url, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, expected);
  cs_credentials_secret_free (secret);
}

/* A URL of this process only: the keyring is shared by the test programs. */
static char *
test_url (const char *name)
{
  return g_strdup_printf ("http://127.0.0.1:1/test-credentials/%d/%s", (int) getpid (), name);
}

static void
test_service_names (void)
{
  g_assert_cmpstr (cs_credential_service_to_string (CS_CREDENTIAL_SERVICE_CALCOM), ==, "calcom");
  g_assert_cmpstr (cs_credential_service_to_string (CS_CREDENTIAL_SERVICE_BACKEND), ==, "backend");
}

static void
test_round_trip (void)
{
  g_autoptr(CsCredentials) credentials = cs_credentials_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = test_url ("round-trip");
  g_autofree char *other_url = test_url ("round-trip-other");
  gboolean ok;

  ok = store (credentials, CS_CREDENTIAL_SERVICE_CALCOM, url, "cal_live_0123", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  assert_secret (credentials, CS_CREDENTIAL_SERVICE_CALCOM, url, "cal_live_0123");

  /* Two services under one URL are two secrets. */
  assert_secret (credentials, CS_CREDENTIAL_SERVICE_BACKEND, url, NULL);
  ok = store (credentials, CS_CREDENTIAL_SERVICE_BACKEND, url, "backend-token-4567", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  assert_secret (credentials, CS_CREDENTIAL_SERVICE_BACKEND, url, "backend-token-4567");
  assert_secret (credentials, CS_CREDENTIAL_SERVICE_CALCOM, url, "cal_live_0123");

  /* Another URL is another secret. */
  assert_secret (credentials, CS_CREDENTIAL_SERVICE_CALCOM, other_url, NULL);
  ok = store (credentials, CS_CREDENTIAL_SERVICE_CALCOM, other_url, "cal_other_89", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  assert_secret (credentials, CS_CREDENTIAL_SERVICE_CALCOM, other_url, "cal_other_89");
  assert_secret (credentials, CS_CREDENTIAL_SERVICE_CALCOM, url, "cal_live_0123");

  /* Storing again replaces. */
  ok = store (credentials, CS_CREDENTIAL_SERVICE_CALCOM, url, "cal_live_rotated", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  assert_secret (credentials, CS_CREDENTIAL_SERVICE_CALCOM, url, "cal_live_rotated");

  /* Clearing one leaves the others. */
  ok = clear (credentials, CS_CREDENTIAL_SERVICE_CALCOM, url, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  assert_secret (credentials, CS_CREDENTIAL_SERVICE_CALCOM, url, NULL);
  assert_secret (credentials, CS_CREDENTIAL_SERVICE_BACKEND, url, "backend-token-4567");
  assert_secret (credentials, CS_CREDENTIAL_SERVICE_CALCOM, other_url, "cal_other_89");

  ok = clear (credentials, CS_CREDENTIAL_SERVICE_BACKEND, url, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  ok = clear (credentials, CS_CREDENTIAL_SERVICE_CALCOM, other_url, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  assert_secret (credentials, CS_CREDENTIAL_SERVICE_BACKEND, url, NULL);
  assert_secret (credentials, CS_CREDENTIAL_SERVICE_CALCOM, other_url, NULL);

  g_assert_finalize_object (g_steal_pointer (&credentials));
}

static void
test_nothing_stored (void)
{
  g_autoptr(CsCredentials) credentials = cs_credentials_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = test_url ("nothing-stored");
  char *secret;
  gboolean ok;

  secret = lookup (credentials, CS_CREDENTIAL_SERVICE_CALCOM, url, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (secret);

  /* Clearing what is not there is not an error. */
  ok = clear (credentials, CS_CREDENTIAL_SERVICE_BACKEND, url, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);

  g_assert_finalize_object (g_steal_pointer (&credentials));
}

static void
test_cancelled (void)
{
  g_autoptr(CsCredentials) credentials = cs_credentials_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = test_url ("cancelled");
  char *secret;
  gboolean ok;

  g_cancellable_cancel (cancellable);

  ok = store (credentials, CS_CREDENTIAL_SERVICE_CALCOM, url, "never-stored", cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (ok);
  g_clear_error (&error);

  secret = lookup (credentials, CS_CREDENTIAL_SERVICE_CALCOM, url, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (secret);
  g_clear_error (&error);

  ok = clear (credentials, CS_CREDENTIAL_SERVICE_CALCOM, url, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (ok);
  g_clear_error (&error);

  /* Nothing reached the keyring. */
  assert_secret (credentials, CS_CREDENTIAL_SERVICE_CALCOM, url, NULL);

  g_assert_finalize_object (g_steal_pointer (&credentials));
}

static void
assert_no_service_error (const GError *error)
{
  g_assert_error (error, CS_CREDENTIALS_ERROR, CS_CREDENTIALS_ERROR_NO_SERVICE);
  /* The message tells the user what to do. */
  g_assert_nonnull (strstr (error->message, "GNOME Keyring"));
  g_assert_nonnull (strstr (error->message, "try again"));
}

/* Every operation fails with NO_SERVICE, in a process whose session bus
 * the caller has set up (or broken). */
static void
assert_all_fail_without_service (void)
{
  g_autoptr(CsCredentials) credentials = cs_credentials_new ();
  g_autoptr(GError) error = NULL;
  char *secret;
  gboolean ok;

  ok = store (credentials, CS_CREDENTIAL_SERVICE_CALCOM, "https://api.cal.com/v2", "cal_x",
              NULL, &error);
  g_assert_false (ok);
  assert_no_service_error (error);
  g_test_message ("store: %s", error->message);
  g_clear_error (&error);

  secret = lookup (credentials, CS_CREDENTIAL_SERVICE_BACKEND, "https://crm.example", NULL,
                   &error);
  g_assert_null (secret);
  assert_no_service_error (error);
  g_clear_error (&error);

  ok = clear (credentials, CS_CREDENTIAL_SERVICE_CALCOM, "https://api.cal.com/v2", NULL, &error);
  g_assert_false (ok);
  assert_no_service_error (error);
  g_clear_error (&error);

  g_assert_finalize_object (g_steal_pointer (&credentials));
}

/* The stopped bus of test_no_service(), kept for the life of its process. */
static GTestDBus *kept_bus;

static void
test_no_service (void)
{
  if (g_test_subprocess ())
    {
      /* A bus of its own with no service files: nothing can be activated. */
      g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);

      g_test_dbus_up (bus);
      assert_all_fail_without_service ();
      /* libsecret keeps its default backend (and with it the connection)
       * for the life of the process: stop the bus without waiting for the
       * connection to go, and let this child process end with it. */
      g_test_dbus_stop (bus);
      kept_bus = g_steal_pointer (&bus);
      return;
    }

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_no_bus (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *dir = g_dir_make_tmp ("calsync-no-bus-XXXXXX", &error);
      g_autofree char *address = NULL;

      g_assert_no_error (error);
      address = g_strdup_printf ("unix:path=%s/no-such-socket", dir);
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
      assert_all_fail_without_service ();
      g_assert_no_errno (g_rmdir (dir));
      return;
    }

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_settings_defaults (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.calsync.Calsync");
  g_autofree char *calcom_url = g_settings_get_string (settings, "calcom-url");
  g_autofree char *backend_url = g_settings_get_string (settings, "backend-url");
  g_autofree char *check_time = g_settings_get_string (settings, "comprehensive-check-time");

  g_assert_cmpstr (calcom_url, ==, "https://api.cal.com/v2");
  g_assert_cmpstr (backend_url, ==, "");
  g_assert_cmpint (g_settings_get_int (settings, "window-days-past"), ==, 30);
  g_assert_cmpint (g_settings_get_int (settings, "window-days-future"), ==, 90);
  g_assert_cmpint (g_settings_get_int (settings, "cycle-hours"), ==, 6);
  g_assert_cmpstr (check_time, ==, "00:00");
  g_assert_true (g_settings_get_boolean (settings, "notifications"));
  g_assert_true (g_settings_get_boolean (settings, "run-in-background"));
}

static void
assert_range (GSettingsSchema *schema,
              const char      *name,
              int              min,
              int              max)
{
  g_autoptr(GSettingsSchemaKey) key = g_settings_schema_get_key (schema, name);

  g_assert_true (g_settings_schema_key_range_check (key, g_variant_new_int32 (min)));
  g_assert_true (g_settings_schema_key_range_check (key, g_variant_new_int32 (max)));
  g_assert_false (g_settings_schema_key_range_check (key, g_variant_new_int32 (min - 1)));
  g_assert_false (g_settings_schema_key_range_check (key, g_variant_new_int32 (max + 1)));
}

static void
test_settings_schema (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_assert_nonnull (source);
  schema = g_settings_schema_source_lookup (source, "io.github.calsync.Calsync", FALSE);
  g_assert_nonnull (schema);

  assert_range (schema, "window-days-past", 1, 365);
  assert_range (schema, "window-days-future", 1, 730);
  assert_range (schema, "cycle-hours", 1, 24);

  /* Credentials live in the keyring only (DESIGN.md §5). */
  keys = g_settings_schema_list_keys (schema);
  g_assert_cmpuint (g_strv_length (keys), >, 0);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_assert_null (strstr (keys[i], "key"));
      g_assert_null (strstr (keys[i], "token"));
      g_assert_null (strstr (keys[i], "secret"));
      g_assert_null (strstr (keys[i], "password"));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/calsync/engine/credentials/service-names", test_service_names);
  g_test_add_func ("/calsync/engine/credentials/round-trip", test_round_trip);
  g_test_add_func ("/calsync/engine/credentials/nothing-stored", test_nothing_stored);
  g_test_add_func ("/calsync/engine/credentials/cancelled", test_cancelled);
  g_test_add_func ("/calsync/engine/credentials/no-service", test_no_service);
  g_test_add_func ("/calsync/engine/credentials/no-bus", test_no_bus);
  g_test_add_func ("/calsync/engine/settings/defaults", test_settings_defaults);
  g_test_add_func ("/calsync/engine/settings/schema", test_settings_schema);

  return g_test_run ();
}
