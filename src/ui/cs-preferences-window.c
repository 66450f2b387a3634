/* cs-preferences-window.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cs-credentials.h"
#include "cs-net-error.h"
#include "cs-preferences-window.h"

/**
 * CsPreferencesWindow:
 *
 * Preferences: the two servers' addresses and secrets, each with a
 * connection test in words, and the schedule of the checks.
 *
 * Secrets go to the keyring only, under the address saved in the settings
 * (cs_credentials_store_async()), and are never shown back: the secret
 * rows stay empty and only say whether one is stored. Every other value
 * is bound to the settings. After an address or a secret was saved, a
 * given engine takes them up with cs_engine_reconfigure_async().
 *
 * In `--demo` the settings are the demo's, in memory, and their addresses
 * are the simulator's on loopback: a secret saved there still goes to the
 * keyring only, filed under that loopback address, which nothing but the
 * demo names. The demo's engine keeps the simulator's own keys, given to
 * it in memory (cs_engine_set_secrets() wins over the keyring): the rows
 * say so, and "Test Connection" tests the engine's own client then.
 */

typedef struct
{
  CsCredentialService  service;
  const char          *url_key;
  AdwEntryRow         *url_row;
  AdwEntryRow         *secret_row;
  AdwActionRow        *test_row;
  GtkSpinner          *spinner;
  GtkWidget           *test_button;
  gboolean             stored;
  gboolean             given;     /* the engine's, in memory (--demo) */
} Service;

struct _CsPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  CsEngine             *engine;
  CsCredentials        *credentials;
  GCancellable         *cancellable;

  Service               calcom;
  Service               backend;

  GtkSpinButton        *days_past_spin;
  GtkSpinButton        *days_future_spin;
  GtkSpinButton        *cycle_hours_spin;
  AdwEntryRow          *check_time_row;
  AdwPreferencesGroup  *schedule_group;
  GtkSwitch            *notifications_switch;
  GtkSwitch            *background_switch;
};

G_DEFINE_FINAL_TYPE (CsPreferencesWindow, cs_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* What a service's async operation needs once the window may be gone. */
typedef struct
{
  CsPreferencesWindow *self;      /* weak: check the cancellable first */
  Service             *service;
} Op;

static Op *
op_new (CsPreferencesWindow *self,
        Service             *service)
{
  Op *op = g_new0 (Op, 1);

  op->self = self;
  op->service = service;
  return op;
}

static void
set_status (Service    *service,
            const char *text)
{
  /* Server text may reach here: the row shows it as plain text. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (service->test_row), FALSE);
  adw_action_row_set_subtitle (service->test_row, text);
}

static void
show_stored (Service *service)
{
  const char *title;

  if (service->given)
    title = service->service == CS_CREDENTIAL_SERVICE_CALCOM
            ? _("API Key — given for this session")
            : _("Access Token — given for this session");
  else if (service->service == CS_CREDENTIAL_SERVICE_CALCOM)
    title = service->stored ? _("API Key — stored in the keyring") : _("API Key — not set");
  else
    title = service->stored ? _("Access Token — stored in the keyring") : _("Access Token — not set");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (service->secret_row), title);
}

static void
reconfigure_done_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!cs_engine_reconfigure_finish (CS_ENGINE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not take up the new preferences: %s", error->message);
}

static void
reconfigure_engine (CsPreferencesWindow *self)
{
  /* Not tied to the window: the engine takes up what was saved even if
   * the window is closed at once. */
  if (self->engine != NULL)
    cs_engine_reconfigure_async (self->engine, NULL, reconfigure_done_cb, NULL);
}

/* Whether a secret is stored for the saved address */

static void
lookup_stored_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autofree Op *op = user_data;
  g_autoptr(GError) error = NULL;
  char *secret;

  secret = cs_credentials_lookup_finish (CS_CREDENTIALS (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Only whether there is one: the secret itself is wiped at once. */
  op->service->stored = secret != NULL;
  g_clear_pointer (&secret, cs_credentials_secret_free);
  show_stored (op->service);
  if (error != NULL)
    set_status (op->service, error->message);
}

static void
refresh_stored (CsPreferencesWindow *self,
                Service             *service)
{
  g_autofree char *url = g_settings_get_string (self->settings, service->url_key);

  service->stored = FALSE;
  show_stored (service);
  if (url[0] == '\0')
    return;

  cs_credentials_lookup_async (self->credentials, service->service, url, self->cancellable,
                               lookup_stored_cb, op_new (self, service));
}

/* Addresses */

static char *
dup_entry_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

/* For what was typed (cs_credentials_secret_free() is for the keyring's). */
static void
wipe_free (char *secret)
{
  if (secret != NULL)
    memset (secret, 0, strlen (secret));
  g_free (secret);
}

static void
url_changed (Service *service)
{
  gtk_widget_remove_css_class (GTK_WIDGET (service->url_row), "error");
}

static void
url_applied (CsPreferencesWindow *self,
             Service             *service)
{
  g_autofree char *url = dup_entry_text (service->url_row);
  g_autoptr(GError) error = NULL;

  if (!cs_http_check_base_url (url, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (service->url_row), "error");
      set_status (service, error->message);
      return;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (service->url_row), "error");
  g_settings_set_string (self->settings, service->url_key, url);
  set_status (service, _("Address saved."));
  refresh_stored (self, service);
  reconfigure_engine (self);
}

static void
calcom_url_applied_cb (CsPreferencesWindow *self)
{
  url_applied (self, &self->calcom);
}

static void
backend_url_applied_cb (CsPreferencesWindow *self)
{
  url_applied (self, &self->backend);
}

static void
calcom_url_changed_cb (CsPreferencesWindow *self)
{
  url_changed (&self->calcom);
}

static void
backend_url_changed_cb (CsPreferencesWindow *self)
{
  url_changed (&self->backend);
}

/* Secrets */

static void
store_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autofree Op *op = user_data;
  g_autoptr(GError) error = NULL;

  if (!cs_credentials_store_finish (CS_CREDENTIALS (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_status (op->service, error->message);
      return;
    }

  op->service->stored = TRUE;
  show_stored (op->service);
  set_status (op->service, _("Stored in the keyring."));
  reconfigure_engine (op->self);
}

static void
secret_applied (CsPreferencesWindow *self,
                Service             *service)
{
  g_autofree char *url = g_settings_get_string (self->settings, service->url_key);
  char *secret = dup_entry_text (service->secret_row);

  /* The entry does not keep it: typed, stored, gone. */
  gtk_editable_set_text (GTK_EDITABLE (service->secret_row), "");

  if (secret[0] == '\0')
    {
      wipe_free (secret);
      return;
    }
  if (url[0] == '\0')
    {
      wipe_free (secret);
      set_status (service, _("Save the server’s address first."));
      return;
    }

  cs_credentials_store_async (self->credentials, service->service, url, secret, self->cancellable,
                              store_done_cb, op_new (self, service));
  wipe_free (secret);
}

static void
calcom_secret_applied_cb (CsPreferencesWindow *self)
{
  secret_applied (self, &self->calcom);
}

static void
backend_secret_applied_cb (CsPreferencesWindow *self)
{
  secret_applied (self, &self->backend);
}

/* Testing the connection */

/* The outcome of a failed connection test, in words. */
static char *
describe_test_error (CsCredentialService  service,
                     const GError        *error)
{
  if (error->domain == CS_NET_ERROR)
    {
      switch (error->code)
        {
        case CS_NET_ERROR_UNAUTHORIZED:
          return g_strdup (service == CS_CREDENTIAL_SERVICE_CALCOM ? _("Key rejected")
                                                                   : _("Token rejected"));
        case CS_NET_ERROR_FORBIDDEN:
          return g_strdup (_("Access denied"));
        case CS_NET_ERROR_NETWORK:
        case CS_NET_ERROR_TIMEOUT:
          return g_strdup (_("Unreachable"));
        case CS_NET_ERROR_TLS:
          return g_strdup (_("Certificate not trusted"));
        case CS_NET_ERROR_INSECURE_URL:
        case CS_NET_ERROR_INVALID_URL:
          return g_strdup (error->message);
        default:
          break;
        }
    }

  return g_strdup_printf (_("Unexpected answer: %s"), error->message);
}

static void
test_finished (Op         *op,
               const char *outcome)
{
  gtk_spinner_stop (op->service->spinner);
  gtk_widget_set_sensitive (op->service->test_button, TRUE);
  set_status (op->service, outcome);
}

static void
calcom_me_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autofree Op *op = user_data;
  g_autoptr(CsCalcomMe) me = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *outcome = NULL;

  me = cs_calcom_client_get_me_finish (CS_CALCOM_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (me != NULL)
    outcome = g_strdup_printf (_("Connected as %s"),
                               me->username != NULL ? me->username : me->email);
  else
    outcome = describe_test_error (CS_CREDENTIAL_SERVICE_CALCOM, error);
  test_finished (op, outcome);
}

static void
backend_me_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autofree Op *op = user_data;
  g_autoptr(CsBackendMe) me = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *outcome = NULL;

  me = cs_backend_client_get_me_finish (CS_BACKEND_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (me != NULL)
    {
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, me->company_id);
      /* TRANSLATORS: the company's number, when the CRM gives no name */
      g_autofree char *company = me->company_name != NULL ? g_strdup (me->company_name)
                                                          : g_strdup_printf (_("company %s"), number);

      /* TRANSLATORS: "Connected as Jane Doe (Example GmbH)" */
      outcome = g_strdup_printf (_("Connected as %s (%s)"),
                                 me->user_name != NULL ? me->user_name : cs_role_to_string (me->role),
                                 company);
    }
  else
    outcome = describe_test_error (CS_CREDENTIAL_SERVICE_BACKEND, error);
  test_finished (op, outcome);
}

/* Asks the server who the secret belongs to. */
static void
run_test (Op         *op,
          const char *url,
          const char *secret)
{
  CsPreferencesWindow *self = op->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *outcome = NULL;

  if (op->service->service == CS_CREDENTIAL_SERVICE_CALCOM)
    {
      g_autoptr(CsCalcomClient) client = cs_calcom_client_new (url, NULL, &error);

      if (client != NULL)
        {
          cs_calcom_client_set_api_key (client, secret);
          cs_calcom_client_get_me_async (client, self->cancellable, calcom_me_cb, op);
          return;
        }
    }
  else
    {
      g_autoptr(CsBackendClient) client = cs_backend_client_new (url, NULL, &error);

      if (client != NULL)
        {
          cs_backend_client_set_token (client, secret);
          cs_backend_client_get_me_async (client, self->cancellable, backend_me_cb, op);
          return;
        }
    }

  outcome = describe_test_error (op->service->service, error);
  test_finished (op, outcome);
  g_free (op);
}

typedef struct
{
  Op   *op;
  char *url;
} TestLookup;

static void
test_lookup_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  TestLookup *lookup = user_data;
  Op *op = lookup->op;
  g_autofree char *url = lookup->url;
  g_autoptr(GError) error = NULL;
  char *secret;

  g_free (lookup);
  secret = cs_credentials_lookup_finish (CS_CREDENTIALS (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_free (op);
      return;
    }
  if (secret == NULL)
    {
      test_finished (op, error != NULL ? error->message
                         : op->service->service == CS_CREDENTIAL_SERVICE_CALCOM ? _("No key stored")
                                                                               : _("No token stored"));
      g_free (op);
      return;
    }

  run_test (op, url, secret);
  cs_credentials_secret_free (secret);
}

static void
test_clicked (CsPreferencesWindow *self,
              Service             *service)
{
  g_autofree char *url = dup_entry_text (service->url_row);
  char *secret = dup_entry_text (service->secret_row);
  Op *op = op_new (self, service);

  gtk_spinner_start (service->spinner);
  gtk_widget_set_sensitive (service->test_button, FALSE);
  set_status (service, _("Testing…"));

  /* A secret typed but not yet applied is tested as it is; otherwise the
   * one stored for the address in the entry. */
  if (secret[0] != '\0')
    {
      run_test (op, url, secret);
      wipe_free (secret);
      return;
    }
  wipe_free (secret);

  /* The engine runs on secrets given in memory (--demo): test its own
   * client, which holds them, if the address is the one it uses. */
  if (service->given && url[0] != '\0')
    {
      g_autofree char *saved = g_settings_get_string (self->settings, service->url_key);

      if (g_strcmp0 (saved, url) == 0 && service->service == CS_CREDENTIAL_SERVICE_CALCOM &&
          cs_engine_get_calcom (self->engine) != NULL)
        {
          cs_calcom_client_get_me_async (cs_engine_get_calcom (self->engine), self->cancellable,
                                         calcom_me_cb, op);
          return;
        }
      if (g_strcmp0 (saved, url) == 0 && service->service == CS_CREDENTIAL_SERVICE_BACKEND &&
          cs_engine_get_backend (self->engine) != NULL)
        {
          cs_backend_client_get_me_async (cs_engine_get_backend (self->engine), self->cancellable,
                                          backend_me_cb, op);
          return;
        }
    }

  if (url[0] == '\0')
    {
      g_autoptr(GError) error = NULL;

      cs_http_check_base_url (url, &error);
      test_finished (op, error->message);
      g_free (op);
      return;
    }

  {
    TestLookup *lookup = g_new0 (TestLookup, 1);

    lookup->op = op;
    lookup->url = g_steal_pointer (&url);
    cs_credentials_lookup_async (self->credentials, service->service, lookup->url,
                                 self->cancellable, test_lookup_cb, lookup);
  }
}

static void
calcom_test_clicked_cb (CsPreferencesWindow *self)
{
  test_clicked (self, &self->calcom);
}

static void
backend_test_clicked_cb (CsPreferencesWindow *self)
{
  test_clicked (self, &self->backend);
}

/* The comprehensive-check time */

static void
show_check_time (CsPreferencesWindow *self)
{
  g_autofree char *text = g_settings_get_string (self->settings, "comprehensive-check-time");

  gtk_editable_set_text (GTK_EDITABLE (self->check_time_row), text);
}

static void
check_time_changed_cb (CsPreferencesWindow *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->check_time_row), "error");
}

static void
check_time_applied_cb (CsPreferencesWindow *self)
{
  g_autofree char *text = dup_entry_text (self->check_time_row);
  g_autofree char *normal = NULL;
  guint hour, minute;

  if (!cs_scheduler_parse_check_time (text, &hour, &minute))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->check_time_row), "error");
      adw_preferences_group_set_description (self->schedule_group,
                                             _("Enter the time of the daily comprehensive check "
                                               "as HH:MM, for example 02:30."));
      return;
    }

  normal = g_strdup_printf ("%02u:%02u", hour, minute);
  adw_preferences_group_set_description (self->schedule_group, NULL);
  g_settings_set_string (self->settings, "comprehensive-check-time", normal);
  show_check_time (self);
  reconfigure_engine (self);
}

/* The window */

static void
cs_preferences_window_dispose (GObject *object)
{
  CsPreferencesWindow *self = CS_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->credentials);
  g_clear_object (&self->engine);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (cs_preferences_window_parent_class)->dispose (object);
}

#define BIND_SERVICE(widget_class, prefix, member)                                          \
  G_STMT_START {                                                                            \
    gtk_widget_class_bind_template_child_full (widget_class, prefix "_url_row", FALSE,     \
      G_STRUCT_OFFSET (CsPreferencesWindow, member.url_row));                               \
    gtk_widget_class_bind_template_child_full (widget_class, prefix "_secret_row", FALSE,  \
      G_STRUCT_OFFSET (CsPreferencesWindow, member.secret_row));                            \
    gtk_widget_class_bind_template_child_full (widget_class, prefix "_test_row", FALSE,    \
      G_STRUCT_OFFSET (CsPreferencesWindow, member.test_row));                              \
    gtk_widget_class_bind_template_child_full (widget_class, prefix "_spinner", FALSE,     \
      G_STRUCT_OFFSET (CsPreferencesWindow, member.spinner));                               \
    gtk_widget_class_bind_template_child_full (widget_class, prefix "_test_button", FALSE, \
      G_STRUCT_OFFSET (CsPreferencesWindow, member.test_button));                           \
  } G_STMT_END

static void
cs_preferences_window_class_init (CsPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/calsync/Calsync/cs-preferences-window.ui");
  BIND_SERVICE (widget_class, "calcom", calcom);
  BIND_SERVICE (widget_class, "backend", backend);
  gtk_widget_class_bind_template_child (widget_class, CsPreferencesWindow, days_past_spin);
  gtk_widget_class_bind_template_child (widget_class, CsPreferencesWindow, days_future_spin);
  gtk_widget_class_bind_template_child (widget_class, CsPreferencesWindow, cycle_hours_spin);
  gtk_widget_class_bind_template_child (widget_class, CsPreferencesWindow, check_time_row);
  gtk_widget_class_bind_template_child (widget_class, CsPreferencesWindow, schedule_group);
  gtk_widget_class_bind_template_child (widget_class, CsPreferencesWindow, notifications_switch);
  gtk_widget_class_bind_template_child (widget_class, CsPreferencesWindow, background_switch);
  gtk_widget_class_bind_template_callback (widget_class, calcom_url_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, backend_url_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, calcom_url_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, backend_url_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, calcom_secret_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, backend_secret_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, calcom_test_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, backend_test_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, check_time_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, check_time_changed_cb);
}

static void
cs_preferences_window_init (CsPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->credentials = cs_credentials_new ();
  self->calcom.service = CS_CREDENTIAL_SERVICE_CALCOM;
  self->calcom.url_key = "calcom-url";
  self->backend.service = CS_CREDENTIAL_SERVICE_BACKEND;
  self->backend.url_key = "backend-url";
}

static void
load_settings (CsPreferencesWindow *self)
{
  g_autofree char *calcom_url = g_settings_get_string (self->settings, "calcom-url");
  g_autofree char *backend_url = g_settings_get_string (self->settings, "backend-url");

  gtk_editable_set_text (GTK_EDITABLE (self->calcom.url_row),
                         calcom_url[0] != '\0' ? calcom_url : CS_CALCOM_DEFAULT_URL);
  gtk_editable_set_text (GTK_EDITABLE (self->backend.url_row), backend_url);
  set_status (&self->calcom, "");
  set_status (&self->backend, "");
  refresh_stored (self, &self->calcom);
  refresh_stored (self, &self->backend);

  g_settings_bind (self->settings, "window-days-past", self->days_past_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-days-future", self->days_future_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "cycle-hours", self->cycle_hours_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notifications", self->notifications_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "run-in-background", self->background_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  show_check_time (self);
}

/**
 * cs_preferences_window_new:
 * @parent: (nullable): the window it belongs to
 * @settings: the settings it edits
 * @engine: (nullable): a started engine that takes up new addresses and
 *   secrets, or %NULL
 *
 * Returns: (transfer none): a new modal preferences window; present it
 */
CsPreferencesWindow *
cs_preferences_window_new (GtkWindow *parent,
                           GSettings *settings,
                           CsEngine  *engine)
{
  CsPreferencesWindow *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (engine == NULL || CS_IS_ENGINE (engine), NULL);

  self = g_object_new (CS_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       NULL);
  self->settings = g_object_ref (settings);
  g_set_object (&self->engine, engine);
  self->calcom.given = engine != NULL && cs_engine_get_secrets_given (engine);
  self->backend.given = self->calcom.given;
  load_settings (self);

  return self;
}
