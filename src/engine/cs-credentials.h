/* cs-credentials.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CS_CREDENTIALS_ERROR (cs_credentials_error_quark ())

/**
 * CsCredentialsError:
 * @CS_CREDENTIALS_ERROR_NO_SERVICE: no Secret Service (keyring) answers on
 *   the session bus, or there is no session bus at all
 * @CS_CREDENTIALS_ERROR_LOCKED: the keyring is locked and was not unlocked
 *   (the unlock prompt failed or was dismissed)
 * @CS_CREDENTIALS_ERROR_DISMISSED: a keyring prompt was dismissed while
 *   the operation itself was not cancelled
 * @CS_CREDENTIALS_ERROR_FAILED: any other failure of the keyring
 *
 * The errors of #CsCredentials. Their messages are written for people and
 * say what to do. Cancellation stays %G_IO_ERROR_CANCELLED.
 */
typedef enum
{
  CS_CREDENTIALS_ERROR_NO_SERVICE,
  CS_CREDENTIALS_ERROR_LOCKED,
  CS_CREDENTIALS_ERROR_DISMISSED,
  CS_CREDENTIALS_ERROR_FAILED,
} CsCredentialsError;

/**
 * CsCredentialService:
 * @CS_CREDENTIAL_SERVICE_CALCOM: the Cal.com API key
 * @CS_CREDENTIAL_SERVICE_BACKEND: the backend (CRM server) token
 *
 * Whose credential: the value of the `service` attribute in the keyring.
 */
typedef enum
{
  CS_CREDENTIAL_SERVICE_CALCOM,
  CS_CREDENTIAL_SERVICE_BACKEND,
} CsCredentialService;

#define CS_TYPE_CREDENTIALS (cs_credentials_get_type ())

G_DECLARE_FINAL_TYPE (CsCredentials, cs_credentials, CS, CREDENTIALS, GObject)

GQuark          cs_credentials_error_quark         (void);
const char     *cs_credential_service_to_string    (CsCredentialService   service);
void            cs_credentials_secret_free         (char                 *secret);

CsCredentials  *cs_credentials_new                 (void);
void            cs_credentials_store_async         (CsCredentials        *self,
                                                    CsCredentialService   service,
                                                    const char           *url,
                                                    const char           *secret,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean        cs_credentials_store_finish        (CsCredentials        *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void            cs_credentials_lookup_async        (CsCredentials        *self,
                                                    CsCredentialService   service,
                                                    const char           *url,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
char           *cs_credentials_lookup_finish       (CsCredentials        *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void            cs_credentials_clear_async         (CsCredentials        *self,
                                                    CsCredentialService   service,
                                                    const char           *url,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean        cs_credentials_clear_finish        (CsCredentials        *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

G_END_DECLS
