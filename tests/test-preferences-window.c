/* test-preferences-window.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE /* memmem */

#include "config.h"

#include <string.h>

#include "cs-credentials.h"
#include "cs-preferences-window.h"
#include "ui-test-util.h"

/* Preferences against the --demo simulator and the test session's real
 * keyring (build-aux/headless.sh): secrets reach the keyring and nothing
 * else, the connection tests answer in words, the rows write the
 * settings. */

/* With @engine FALSE, as without a running engine: the keyring's secrets
 * only, not the demo engine's own. */
static CsPreferencesWindow *
window_new_full (UiTestFixture *f,
                 gboolean       engine)
{
  CsPreferencesWindow *window = cs_preferences_window_new (NULL, cs_demo_get_settings (f->demo),
                                                           engine ? f->engine : NULL);

  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static CsPreferencesWindow *
window_new (UiTestFixture *f)
{
  return window_new_full (f, TRUE);
}

static GtkWidget *
find (CsPreferencesWindow *window,
      const char          *name)
{
  GtkWidget *widget = ui_test_find_by_name (GTK_WIDGET (window), name);

  g_assert_nonnull (widget);
  return widget;
}

static void
keyring_set (CsCredentialService  service,
             const char          *url,
             const char          *secret)
{
  g_autoptr(CsCredentials) credentials = cs_credentials_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (secret != NULL)
    {
      cs_credentials_store_async (credentials, service, url, secret, NULL, ui_test_async_cb, &result);
      cs_credentials_store_finish (credentials, ui_test_wait_result (&result), &error);
    }
  else
    {
      cs_credentials_clear_async (credentials, service, url, NULL, ui_test_async_cb, &result);
      cs_credentials_clear_finish (credentials, ui_test_wait_result (&result), &error);
    }
  g_assert_no_error (error);
}

static char *
keyring_get (CsCredentialService  service,
             const char          *url)
{
  g_autoptr(CsCredentials) credentials = cs_credentials_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *secret;

  cs_credentials_lookup_async (credentials, service, url, NULL, ui_test_async_cb, &result);
  secret = cs_credentials_lookup_finish (credentials, ui_test_wait_result (&result), &error);
  g_assert_no_error (error);
  return secret;
}

static void
clear_keyring (UiTestFixture *f)
{
  CsSimServer *sim = cs_demo_get_server (f->demo);

  keyring_set (CS_CREDENTIAL_SERVICE_CALCOM, cs_sim_server_get_calcom_url (sim), NULL);
  keyring_set (CS_CREDENTIAL_SERVICE_BACKEND, cs_sim_server_get_backend_url (sim), NULL);
}

static void
fixture_set_up (UiTestFixture *f,
                gconstpointer  data)
{
  ui_test_fixture_setup (f, 20, FALSE);
  clear_keyring (f);
}

static void
fixture_tear_down (UiTestFixture *f,
                   gconstpointer  data)
{
  clear_keyring (f);
  ui_test_fixture_teardown (f);
}

static const char *
row_title (GtkWidget *row)
{
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
}

static gboolean
title_says_stored (gpointer user_data)
{
  return strstr (row_title (user_data), "stored in the keyring") != NULL;
}

static void
count_cb (guint *n)
{
  (*n)++;
}

static gboolean
status_says_stored (gpointer user_data)
{
  return g_strcmp0 (adw_action_row_get_subtitle (user_data), "Stored in the keyring.") == 0;
}

/* Whether @haystack holds @secret anywhere in its bytes. */
static gboolean
file_holds (const char *path,
            const char *secret)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;
  return memmem (contents, length, secret, strlen (secret)) != NULL;
}

/* The acceptance test of the secrets: one typed and applied is in the
 * keyring, in no setting, not in the cache's bytes, and never shown. */
static void
test_secret_only_in_keyring (UiTestFixture *f,
                             gconstpointer  data)
{
  GSettings *settings = cs_demo_get_settings (f->demo);
  CsSimServer *sim = cs_demo_get_server (f->demo);
  CsPreferencesWindow *window = window_new (f);
  g_autofree char *secret = g_strdup_printf ("cs-secret-%08x%08x", g_random_int (), g_random_int ());
  char *stored;
  g_autofree char *wal = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;
  GtkWidget *row = find (window, "calcom-secret-row");
  guint n_changed = 0;

  /* The demo's engine runs on the simulator's key, given in memory. */
  g_assert_cmpstr (row_title (row), ==, "API Key — given for this session");
  g_signal_connect_swapped (f->engine, "changed", G_CALLBACK (count_cb), &n_changed);
  gtk_editable_set_text (GTK_EDITABLE (row), secret);
  g_signal_emit_by_name (row, "apply");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "");
  ui_test_wait_until (status_says_stored, find (window, "calcom-test-row"), "the key stored");
  g_signal_handlers_disconnect_by_data (f->engine, &n_changed);
  g_assert_cmpuint (n_changed, >, 0);

  stored = keyring_get (CS_CREDENTIAL_SERVICE_CALCOM, cs_sim_server_get_calcom_url (sim));
  g_assert_cmpstr (stored, ==, secret);
  cs_credentials_secret_free (stored);

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (settings, keys[i]);
      g_autofree char *printed = g_variant_print (value, TRUE);

      g_assert_null (strstr (printed, secret));
    }

  /* The cache as it is on disk, the write-ahead log included. */
  ui_test_verify (f);
  wal = g_strconcat (cs_demo_get_store_path (f->demo), "-wal", NULL);
  g_assert_true (g_file_test (cs_demo_get_store_path (f->demo), G_FILE_TEST_EXISTS));
  g_assert_false (file_holds (cs_demo_get_store_path (f->demo), secret));
  g_assert_false (file_holds (wal, secret));

  gtk_window_destroy (GTK_WINDOW (window));

  /* Opened again: the row says a key is stored, and is empty. */
  window = window_new_full (f, FALSE);
  row = find (window, "calcom-secret-row");
  ui_test_wait_until (title_says_stored, row, "the stored key noticed");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "");
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
test_ended (gpointer user_data)
{
  return gtk_widget_get_sensitive (user_data);
}

static char *
run_connection_test (CsPreferencesWindow *window,
                     const char          *prefix)
{
  g_autofree char *button_name = g_strconcat (prefix, "-test-button", NULL);
  g_autofree char *row_name = g_strconcat (prefix, "-test-row", NULL);
  GtkWidget *button = find (window, button_name);
  GtkWidget *row = find (window, row_name);

  g_signal_emit_by_name (button, "clicked");
  g_assert_false (gtk_widget_get_sensitive (button));
  ui_test_wait_until (test_ended, button, "the connection test");
  g_assert_false (adw_preferences_row_get_use_markup (ADW_PREFERENCES_ROW (row)));
  return g_strdup (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)));
}

static guint16
closed_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port;

  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return port;
}

/* "Test Connection" says in words who the secret belongs to, or why not. */
static void
test_connection_outcomes (UiTestFixture *f,
                          gconstpointer  data)
{
  CsSimServer *sim = cs_demo_get_server (f->demo);
  CsPreferencesWindow *window;
  g_autofree char *outcome = NULL;
  g_autofree char *address = NULL;

  /* Nothing stored yet: the demo engine's own client, with the key it
   * was given, answers; without it, there is no key to test. */
  window = window_new (f);
  outcome = run_connection_test (window, "calcom");
  g_assert_true (g_str_has_prefix (outcome, "Connected as "));
  g_clear_pointer (&outcome, g_free);
  gtk_window_destroy (GTK_WINDOW (window));

  window = window_new_full (f, FALSE);
  outcome = run_connection_test (window, "calcom");
  g_assert_cmpstr (outcome, ==, "No key stored");
  g_clear_pointer (&outcome, g_free);
  outcome = run_connection_test (window, "backend");
  g_assert_cmpstr (outcome, ==, "No token stored");
  g_clear_pointer (&outcome, g_free);
  gtk_window_destroy (GTK_WINDOW (window));

  keyring_set (CS_CREDENTIAL_SERVICE_CALCOM, cs_sim_server_get_calcom_url (sim),
               cs_sim_server_get_calcom_api_key (sim));
  keyring_set (CS_CREDENTIAL_SERVICE_BACKEND, cs_sim_server_get_backend_url (sim),
               cs_sim_server_get_backend_token (sim));
  window = window_new_full (f, FALSE);

  outcome = run_connection_test (window, "calcom");
  g_assert_true (g_str_has_prefix (outcome, "Connected as "));
  g_clear_pointer (&outcome, g_free);

  outcome = run_connection_test (window, "backend");
  g_assert_true (g_str_has_prefix (outcome, "Connected as "));
  g_assert_nonnull (strchr (outcome, '('));
  g_clear_pointer (&outcome, g_free);

  /* A key typed but not applied is tested as it is. */
  gtk_editable_set_text (GTK_EDITABLE (find (window, "calcom-secret-row")), "wrong-key");
  outcome = run_connection_test (window, "calcom");
  g_assert_cmpstr (outcome, ==, "Key rejected");
  g_clear_pointer (&outcome, g_free);

  gtk_editable_set_text (GTK_EDITABLE (find (window, "backend-secret-row")), "wrong-token");
  outcome = run_connection_test (window, "backend");
  g_assert_cmpstr (outcome, ==, "Token rejected");
  g_clear_pointer (&outcome, g_free);

  /* Nobody listens there. */
  address = g_strdup_printf ("http://127.0.0.1:%u/v2", closed_port ());
  gtk_editable_set_text (GTK_EDITABLE (find (window, "calcom-url-row")), address);
  outcome = run_connection_test (window, "calcom");
  g_assert_cmpstr (outcome, ==, "Unreachable");
  g_clear_pointer (&outcome, g_free);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* An address the HTTP policy refuses is marked, said, and not saved; a
 * good one is saved and taken up by the engine. */
static void
test_address_validation (UiTestFixture *f,
                         gconstpointer  data)
{
  GSettings *settings = cs_demo_get_settings (f->demo);
  CsSimServer *sim = cs_demo_get_server (f->demo);
  CsPreferencesWindow *window = window_new (f);
  GtkWidget *row = find (window, "backend-url-row");
  GtkWidget *status = find (window, "backend-test-row");
  g_autofree char *saved = NULL;
  g_autofree char *good = g_strconcat (cs_sim_server_get_backend_url (sim), "/", NULL);

  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, cs_sim_server_get_backend_url (sim));

  gtk_editable_set_text (GTK_EDITABLE (row), "http://crm.example.com/api");
  g_signal_emit_by_name (row, "apply");
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (status)), "not a secure address"));
  saved = g_settings_get_string (settings, "backend-url");
  g_assert_cmpstr (saved, ==, cs_sim_server_get_backend_url (sim));

  /* Typing again clears the mark. */
  gtk_editable_set_text (GTK_EDITABLE (row), good);
  g_assert_false (gtk_widget_has_css_class (row, "error"));
  g_signal_emit_by_name (row, "apply");
  g_clear_pointer (&saved, g_free);
  saved = g_settings_get_string (settings, "backend-url");
  g_assert_cmpstr (saved, ==, good);
  g_assert_null (cs_engine_get_setup_error (f->engine));
  g_assert_nonnull (cs_engine_get_verifier (f->engine));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The rows of "Checks" write the settings. */
static void
test_checks_write_settings (UiTestFixture *f,
                            gconstpointer  data)
{
  GSettings *settings = cs_demo_get_settings (f->demo);
  CsPreferencesWindow *window = window_new (f);
  GtkWidget *time_row = find (window, "check-time-row");
  g_autofree char *time = NULL;

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (find (window, "days-past-spin")), 12);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (find (window, "days-future-spin")), 200);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (find (window, "cycle-hours-spin")), 3);
  gtk_switch_set_active (GTK_SWITCH (find (window, "notifications-switch")), FALSE);
  gtk_switch_set_active (GTK_SWITCH (find (window, "background-switch")), FALSE);
  g_assert_cmpint (g_settings_get_int (settings, "window-days-past"), ==, 12);
  g_assert_cmpint (g_settings_get_int (settings, "window-days-future"), ==, 200);
  g_assert_cmpint (g_settings_get_int (settings, "cycle-hours"), ==, 3);
  g_assert_false (g_settings_get_boolean (settings, "notifications"));
  g_assert_false (g_settings_get_boolean (settings, "run-in-background"));

  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (time_row)), ==, "00:00");
  gtk_editable_set_text (GTK_EDITABLE (time_row), "25:00");
  g_signal_emit_by_name (time_row, "apply");
  g_assert_true (gtk_widget_has_css_class (time_row, "error"));
  time = g_settings_get_string (settings, "comprehensive-check-time");
  g_assert_cmpstr (time, ==, "00:00");

  gtk_editable_set_text (GTK_EDITABLE (time_row), "7:05");
  g_signal_emit_by_name (time_row, "apply");
  g_assert_false (gtk_widget_has_css_class (time_row, "error"));
  g_clear_pointer (&time, g_free);
  time = g_settings_get_string (settings, "comprehensive-check-time");
  g_assert_cmpstr (time, ==, "07:05");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (time_row)), ==, "07:05");

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
drawn (gpointer user_data)
{
  return gtk_widget_get_mapped (user_data) && gtk_widget_get_width (user_data) > 0;
}


/* Both pages render; with CALSYNC_SCREENSHOT_DIR set they are saved. */
static void
test_render (UiTestFixture *f,
             gconstpointer  data)
{
  const char *dir = g_getenv ("CALSYNC_SCREENSHOT_DIR");
  CsPreferencesWindow *window = window_new (f);
  const char *pages[] = { "connection", "checks" };
  g_autofree char *outcome = NULL;

  outcome = run_connection_test (window, "backend");
  g_assert_true (g_str_has_prefix (outcome, "Connected as "));
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (window), pages[i]);
      ui_test_wait_until (drawn, window, "the window drawn");
      ui_test_drain ();
      if (dir != NULL)
        {
          g_autofree char *name = g_strdup_printf ("preferences-%s.png", pages[i]);
          g_autofree char *path = g_build_filename (dir, name, NULL);

          g_assert_true (ui_test_save_png (GTK_WIDGET (window), FALSE, path));
        }
    }

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/calsync/ui/preferences/" path, UiTestFixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("secret-only-in-keyring", test_secret_only_in_keyring);
  ADD ("connection-outcomes", test_connection_outcomes);
  ADD ("address-validation", test_address_validation);
  ADD ("checks-write-settings", test_checks_write_settings);
  ADD ("render", test_render);

  return g_test_run ();
}
