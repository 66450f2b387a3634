/* cs-credentials.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "cs-credentials.h"

/**
 * CsCredentials:
 *
 * The Cal.com API key and the backend token, kept in the system keyring
 * through libsecret and nowhere else (DESIGN.md §5): not in GSettings, the
 * database, logs, argv or the environment.
 *
 * Each credential is one item of the schema `io.github.calsync.Calsync`,
 * told apart by the attributes `service` ("calcom" or "backend") and `url`
 * (the base URL of that service), so the same URL holds two secrets and
 * another URL another pair.
 *
 * Without a Secret Service, or with a keyring that stays locked, the
 * operations fail with a #CsCredentialsError whose message tells the user
 * what to do; there is no fallback to a file.
 *
 * Secrets returned by cs_credentials_lookup_finish() live in the keyring's
 * non-pageable memory and must be freed with cs_credentials_secret_free(),
 * which wipes them, never with g_free().
 */
struct _CsCredentials
{
  GObject parent_instance;
};

G_DEFINE_FINAL_TYPE (CsCredentials, cs_credentials, G_TYPE_OBJECT)

G_DEFINE_QUARK (cs-credentials-error-quark, cs_credentials_error)

static const SecretSchema credentials_schema = {
  "io.github.calsync.Calsync", SECRET_SCHEMA_NONE,
  {
    { "service", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "url", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

typedef struct
{
  CsCredentialService  service;
  char                *url;
} OpData;

static void
op_data_free (OpData *data)
{
  g_free (data->url);
  g_free (data);
}

static GTask *
op_task_new (CsCredentials       *self,
             CsCredentialService  service,
             const char          *url,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data,
             gpointer             source_tag)
{
  GTask *task;
  OpData *data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  data = g_new0 (OpData, 1);
  data->service = service;
  data->url = g_strdup (url);
  g_task_set_task_data (task, data, (GDestroyNotify) op_data_free);

  return task;
}

static GHashTable *
op_data_build_attributes (OpData *data)
{
  return secret_attributes_build (&credentials_schema,
                                  "service", cs_credential_service_to_string (data->service),
                                  "url", data->url,
                                  NULL);
}

/**
 * cs_credential_service_to_string:
 * @service: a service
 *
 * Returns: the value of the `service` attribute: "calcom" or "backend"
 */
const char *
cs_credential_service_to_string (CsCredentialService service)
{
  switch (service)
    {
    case CS_CREDENTIAL_SERVICE_CALCOM:
      return "calcom";

    case CS_CREDENTIAL_SERVICE_BACKEND:
      return "backend";

    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * cs_credentials_secret_free:
 * @secret: (nullable): a secret from cs_credentials_lookup_finish()
 *
 * Wipes and frees a secret.
 */
void
cs_credentials_secret_free (char *secret)
{
  secret_password_free (secret);
}

static gboolean
service_is_valid (CsCredentialService service)
{
  return service == CS_CREDENTIAL_SERVICE_CALCOM || service == CS_CREDENTIAL_SERVICE_BACKEND;
}

static gboolean
error_means_no_service (const GError *error)
{
  /* Found by experiment with libsecret 0.20: an empty session bus answers
   * ServiceUnknown; no session bus address makes GIO try dbus-launch (a
   * spawn error); a stale address fails to connect (G_IO_ERROR). */
  if (error->domain == G_SPAWN_ERROR)
    return TRUE;

  if (error->domain == G_DBUS_ERROR)
    return error->code == G_DBUS_ERROR_SERVICE_UNKNOWN ||
           error->code == G_DBUS_ERROR_NAME_HAS_NO_OWNER ||
           error->code == G_DBUS_ERROR_NO_SERVER ||
           error->code == G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND ||
           error->code == G_DBUS_ERROR_SPAWN_EXEC_FAILED ||
           error->code == G_DBUS_ERROR_SPAWN_CHILD_EXITED ||
           error->code == G_DBUS_ERROR_DISCONNECTED ||
           error->code == G_DBUS_ERROR_FILE_NOT_FOUND;

  if (error->domain == G_IO_ERROR)
    return error->code == G_IO_ERROR_NOT_FOUND ||
           error->code == G_IO_ERROR_CONNECTION_REFUSED ||
           error->code == G_IO_ERROR_CLOSED ||
           error->code == G_IO_ERROR_BROKEN_PIPE ||
           error->code == G_IO_ERROR_CONNECTION_CLOSED ||
           error->code == G_IO_ERROR_PERMISSION_DENIED;

  return FALSE;
}

static GError *
new_locked_error (void)
{
  return g_error_new_literal (CS_CREDENTIALS_ERROR, CS_CREDENTIALS_ERROR_LOCKED,
                              _("The keyring is locked. Unlock it when asked so Calsync can "
                                "read its keys."));
}

/* Turns an error of libsecret or GDBus into a #CsCredentialsError, or
 * keeps it when the caller cancelled. The original message may name D-Bus
 * objects, never a secret. */
static GError *
map_error (GTask  *task,
           GError *error)
{
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) owned = error;

  g_assert (error != NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
        return g_steal_pointer (&owned);

      /* Nobody cancelled: a prompt was dismissed. */
      return g_error_new_literal (CS_CREDENTIALS_ERROR, CS_CREDENTIALS_ERROR_DISMISSED,
                                  _("The keyring prompt was dismissed. Try again and unlock "
                                    "the keyring when asked so Calsync can use its keys."));
    }

  if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    return new_locked_error ();

  if (error_means_no_service (error))
    return g_error_new_literal (CS_CREDENTIALS_ERROR, CS_CREDENTIALS_ERROR_NO_SERVICE,
                                _("No keyring service is running. Calsync keeps its keys "
                                  "only in the system keyring; start or install GNOME Keyring "
                                  "(or another Secret Service) and try again."));

  return g_error_new (CS_CREDENTIALS_ERROR, CS_CREDENTIALS_ERROR_FAILED,
                      /* Translators: %s is the keyring's own description of the failure. */
                      _("The system keyring failed: %s"), error->message);
}

static void
cs_credentials_class_init (CsCredentialsClass *klass)
{
}

static void
cs_credentials_init (CsCredentials *self)
{
}

/**
 * cs_credentials_new:
 *
 * Returns: (transfer full): a new #CsCredentials
 */
CsCredentials *
cs_credentials_new (void)
{
  return g_object_new (CS_TYPE_CREDENTIALS, NULL);
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  OpData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  g_assert (G_IS_TASK (task));

  if (!secret_password_store_finish (result, &error))
    {
      g_debug ("Could not store credential for service %s",
               cs_credential_service_to_string (data->service));
      g_task_return_error (task, map_error (task, g_steal_pointer (&error)));
      return;
    }

  g_debug ("Stored credential for service %s", cs_credential_service_to_string (data->service));
  g_task_return_boolean (task, TRUE);
}

/**
 * cs_credentials_store_async:
 * @self: a #CsCredentials
 * @service: whose credential
 * @url: the base URL of the service
 * @secret: the API key or token; libsecret copies it into its own
 *   non-pageable memory before this returns
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Stores @secret for @service at @url in the default collection of the
 * keyring, replacing what was stored for them before. The item's label
 * names the service and the URL, never the secret.
 */
void
cs_credentials_store_async (CsCredentials       *self,
                            CsCredentialService  service,
                            const char          *url,
                            const char          *secret,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (CS_IS_CREDENTIALS (self));
  g_return_if_fail (service_is_valid (service));
  g_return_if_fail (url != NULL && *url != '\0');
  g_return_if_fail (secret != NULL && *secret != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = op_task_new (self, service, url, cancellable, callback, user_data,
                      cs_credentials_store_async);
  attributes = op_data_build_attributes (g_task_get_task_data (task));

  if (service == CS_CREDENTIAL_SERVICE_CALCOM)
    /* Translators: the label of the keyring item, as shown in Seahorse; %s is a URL. */
    label = g_strdup_printf (_("Calsync: Cal.com API key (%s)"), url);
  else
    /* Translators: the label of the keyring item, as shown in Seahorse; %s is a URL. */
    label = g_strdup_printf (_("Calsync: backend token (%s)"), url);

  secret_password_storev (&credentials_schema, attributes, SECRET_COLLECTION_DEFAULT, label,
                          secret, cancellable, store_cb, g_steal_pointer (&task));
}

/**
 * cs_credentials_store_finish:
 * @self: a #CsCredentials
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the secret was stored
 */
gboolean
cs_credentials_store_finish (CsCredentials  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (CS_IS_CREDENTIALS (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_credentials_store_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
retrieve_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  OpData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  SecretValue *value;
  char *secret;

  value = secret_retrievable_retrieve_secret_finish (SECRET_RETRIEVABLE (object), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, map_error (task, g_steal_pointer (&error)));
      return;
    }
  if (value == NULL)
    {
      g_debug ("Credential for service %s is locked",
               cs_credential_service_to_string (data->service));
      g_task_return_error (task, new_locked_error ());
      return;
    }

  /* Stays in libsecret's non-pageable memory; wiped when freed. */
  secret = secret_value_unref_to_password (value, NULL);
  g_debug ("Looked up credential for service %s", cs_credential_service_to_string (data->service));
  g_task_return_pointer (task, secret, (GDestroyNotify) secret_password_free);
}

/* Whether a search result is an item of the Secret Service that is still
 * locked. Inside Flatpak the results are items of libsecret's file backend
 * (unlocked through the Secret portal), which have no lock of their own. */
static gboolean
item_is_locked (gpointer item)
{
  return SECRET_IS_ITEM (item) && secret_item_get_locked (SECRET_ITEM (item));
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  OpData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;
  GList *items;
  SecretRetrievable *item;

  g_assert (G_IS_TASK (task));

  items = secret_password_search_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, map_error (task, g_steal_pointer (&error)));
      return;
    }

  if (items == NULL)
    {
      g_debug ("Looked up credential for service %s: none stored",
               cs_credential_service_to_string (data->service));
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  /* secret_password_lookup() answers "nothing stored" when the unlock
   * prompt fails or is dismissed; the search shows the item still locked. */
  item = g_object_ref (items->data);
  g_list_free_full (items, g_object_unref);
  if (item_is_locked (item))
    {
      g_object_unref (item);
      g_debug ("Credential for service %s is locked",
               cs_credential_service_to_string (data->service));
      g_task_return_error (task, new_locked_error ());
      return;
    }

  cancellable = g_task_get_cancellable (task);
  secret_retrievable_retrieve_secret (item, cancellable, retrieve_cb, g_steal_pointer (&task));
  g_object_unref (item);
}

/**
 * cs_credentials_lookup_async:
 * @self: a #CsCredentials
 * @service: whose credential
 * @url: the base URL of the service
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Looks up the secret of @service at @url, unlocking the keyring if
 * needed (which may show a prompt).
 */
void
cs_credentials_lookup_async (CsCredentials       *self,
                             CsCredentialService  service,
                             const char          *url,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;

  g_return_if_fail (CS_IS_CREDENTIALS (self));
  g_return_if_fail (service_is_valid (service));
  g_return_if_fail (url != NULL && *url != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = op_task_new (self, service, url, cancellable, callback, user_data,
                      cs_credentials_lookup_async);
  attributes = op_data_build_attributes (g_task_get_task_data (task));

  /* The password API, not SecretService: only it uses the Secret portal
   * inside Flatpak (no D-Bus hole to org.freedesktop.secrets). */
  secret_password_searchv (&credentials_schema, attributes, SECRET_SEARCH_UNLOCK,
                           cancellable, lookup_cb, g_steal_pointer (&task));
}

/**
 * cs_credentials_lookup_finish:
 * @self: a #CsCredentials
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the secret, to be freed with
 *   cs_credentials_secret_free() (not g_free()), or %NULL with no error if
 *   none is stored
 */
char *
cs_credentials_lookup_finish (CsCredentials  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (CS_IS_CREDENTIALS (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_credentials_lookup_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
clear_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  OpData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean removed;

  g_assert (G_IS_TASK (task));

  removed = secret_password_clear_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, map_error (task, g_steal_pointer (&error)));
      return;
    }

  g_debug ("Cleared credential for service %s%s", cs_credential_service_to_string (data->service),
           removed ? "" : ": none stored");
  g_task_return_boolean (task, TRUE);
}

static void
clear_search_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autolist(GObject) items = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  GCancellable *cancellable;

  g_assert (G_IS_TASK (task));

  items = secret_password_search_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, map_error (task, g_steal_pointer (&error)));
      return;
    }

  /* secret_password_clear() skips locked items without an error. */
  for (const GList *l = items; l != NULL; l = l->next)
    {
      if (item_is_locked (l->data))
        {
          g_task_return_error (task, new_locked_error ());
          return;
        }
    }

  attributes = op_data_build_attributes (g_task_get_task_data (task));
  cancellable = g_task_get_cancellable (task);
  secret_password_clearv (&credentials_schema, attributes, cancellable,
                          clear_cb, g_steal_pointer (&task));
}

/**
 * cs_credentials_clear_async:
 * @self: a #CsCredentials
 * @service: whose credential
 * @url: the base URL of the service
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Removes the secret of @service at @url from the keyring, unlocking it if
 * needed. Removing what is not stored is not an error.
 */
void
cs_credentials_clear_async (CsCredentials       *self,
                            CsCredentialService  service,
                            const char          *url,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;

  g_return_if_fail (CS_IS_CREDENTIALS (self));
  g_return_if_fail (service_is_valid (service));
  g_return_if_fail (url != NULL && *url != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = op_task_new (self, service, url, cancellable, callback, user_data,
                      cs_credentials_clear_async);
  attributes = op_data_build_attributes (g_task_get_task_data (task));

  secret_password_searchv (&credentials_schema, attributes,
                           SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK,
                           cancellable, clear_search_cb, g_steal_pointer (&task));
}

/**
 * cs_credentials_clear_finish:
 * @self: a #CsCredentials
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE if nothing is stored for the service and URL any more
 */
gboolean
cs_credentials_clear_finish (CsCredentials  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (CS_IS_CREDENTIALS (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_credentials_clear_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
