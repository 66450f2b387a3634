/* test-keyring.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libsecret/secret.h>

/* Proves the headless test environment (build-aux/headless.sh): a private
 * session bus with an unlocked gnome-keyring, so the credential tests of the
 * engine talk to a real Secret Service. The schema and its attributes are
 * the ones Calsync stores its credentials under (DESIGN.md §5). */
static const SecretSchema test_schema = {
  "io.github.calsync.Calsync", SECRET_SCHEMA_NONE,
  {
    { "service", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "url", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

typedef struct
{
  GAsyncResult *result;
} AsyncData;

static void
store_ready_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  AsyncData *data = user_data;

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

static void
test_store_lookup_clear (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *secret = NULL;
  AsyncData data = { NULL };
  gboolean ok;

  g_assert_nonnull (g_getenv ("DBUS_SESSION_BUS_ADDRESS"));

  secret_password_store (&test_schema, SECRET_COLLECTION_DEFAULT, "Calsync test key",
                         "cal_test_0123456789", NULL, store_ready_cb, &data,
                         "service", "calcom",
                         "url", "http://127.0.0.1:1/v2",
                         NULL);
  result = wait_for_result (&data);
  ok = secret_password_store_finish (result, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_clear_object (&result);

  secret = secret_password_lookup_sync (&test_schema, NULL, &error,
                                        "service", "calcom",
                                        "url", "http://127.0.0.1:1/v2",
                                        NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, "cal_test_0123456789");
  g_clear_pointer (&secret, g_free);

  /* Another service under the same URL is another secret. */
  secret = secret_password_lookup_sync (&test_schema, NULL, &error,
                                        "service", "backend",
                                        "url", "http://127.0.0.1:1/v2",
                                        NULL);
  g_assert_no_error (error);
  g_assert_null (secret);

  ok = secret_password_clear_sync (&test_schema, NULL, &error,
                                   "service", "calcom",
                                   "url", "http://127.0.0.1:1/v2",
                                   NULL);
  g_assert_no_error (error);
  g_assert_true (ok);

  secret = secret_password_lookup_sync (&test_schema, NULL, &error,
                                        "service", "calcom",
                                        "url", "http://127.0.0.1:1/v2",
                                        NULL);
  g_assert_no_error (error);
  g_assert_null (secret);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/calsync/keyring/store-lookup-clear", test_store_lookup_clear);

  return g_test_run ();
}
