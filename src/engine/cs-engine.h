/* cs-engine.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cs-actions.h"
#include "cs-alert-log.h"
#include "cs-backend-client.h"
#include "cs-calcom-client.h"
#include "cs-clock.h"
#include "cs-notifier.h"
#include "cs-outbox.h"
#include "cs-scheduler.h"
#include "cs-store.h"
#include "cs-verifier.h"

G_BEGIN_DECLS

#define CS_ENGINE_ERROR (cs_engine_error_quark ())

/**
 * CsEngineError:
 * @CS_ENGINE_ERROR_NOT_SET_UP: the base URLs or the credentials are missing
 * @CS_ENGINE_ERROR_NOT_STARTED: cs_engine_start_async() has not completed
 *
 * Errors of the engine itself (the layers below have their own).
 */
typedef enum
{
  CS_ENGINE_ERROR_NOT_SET_UP,
  CS_ENGINE_ERROR_NOT_STARTED,
} CsEngineError;

/**
 * CsEngineMissing:
 * @CS_ENGINE_MISSING_NONE: nothing is missing
 * @CS_ENGINE_MISSING_CALCOM_URL: the Cal.com address is not set
 * @CS_ENGINE_MISSING_BACKEND_URL: the CRM server's address is not set
 * @CS_ENGINE_MISSING_CALCOM_KEY: the Cal.com API key is not in the keyring
 * @CS_ENGINE_MISSING_BACKEND_TOKEN: the CRM access token is not in the keyring
 *
 * What keeps the engine from checking (cs_engine_get_missing()).
 */
typedef enum
{
  CS_ENGINE_MISSING_NONE          = 0,
  CS_ENGINE_MISSING_CALCOM_URL    = 1 << 0,
  CS_ENGINE_MISSING_BACKEND_URL   = 1 << 1,
  CS_ENGINE_MISSING_CALCOM_KEY    = 1 << 2,
  CS_ENGINE_MISSING_BACKEND_TOKEN = 1 << 3,
} CsEngineMissing;

#define CS_TYPE_ENGINE (cs_engine_get_type ())

G_DECLARE_FINAL_TYPE (CsEngine, cs_engine, CS, ENGINE, GObject)

GQuark          cs_engine_error_quark         (void);
CsEngine       *cs_engine_new                 (GSettings           *settings,
                                               CsClock             *clock,
                                               const char          *store_path);
void            cs_engine_set_secrets         (CsEngine            *self,
                                               const char          *calcom_key,
                                               const char          *backend_token);
void            cs_engine_start_async         (CsEngine            *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean        cs_engine_start_finish        (CsEngine            *self,
                                               GAsyncResult        *result,
                                               GError             **error);
CsClock        *cs_engine_get_clock           (CsEngine            *self);
CsStore        *cs_engine_get_store           (CsEngine            *self);
const GError   *cs_engine_get_store_recovery  (CsEngine            *self);
const GError   *cs_engine_get_setup_error     (CsEngine            *self);
CsEngineMissing cs_engine_get_missing         (CsEngine            *self);
CsVerifier     *cs_engine_get_verifier        (CsEngine            *self);
CsOutbox       *cs_engine_get_outbox          (CsEngine            *self);
CsAlertLog     *cs_engine_get_alerts          (CsEngine            *self);
CsActions      *cs_engine_get_actions         (CsEngine            *self);
CsCalcomClient *cs_engine_get_calcom          (CsEngine            *self);
CsBackendClient *cs_engine_get_backend        (CsEngine            *self);
void            cs_engine_get_window          (CsEngine            *self,
                                               CsTime              *start,
                                               CsTime              *end);
void            cs_engine_verify_async        (CsEngine            *self,
                                               CsVerificationKind   kind,
                                               gboolean             dry_run,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
void            cs_engine_accept_suspect_async (CsEngine           *self,
                                                GCancellable       *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer            user_data);
gboolean        cs_engine_suspect_waits       (CsEngine            *self,
                                               const CsRunRecord   *run);
CsRunRecord    *cs_engine_dup_suspect_run     (CsEngine            *self);
gboolean        cs_engine_discard_suspect     (CsEngine            *self,
                                               GError             **error);
CsVerifyReport *cs_engine_verify_finish       (CsEngine            *self,
                                               GAsyncResult        *result,
                                               GError             **error);
void            cs_engine_set_notifier        (CsEngine            *self,
                                               CsNotifier          *notifier);
void            cs_engine_start_schedule      (CsEngine            *self,
                                               CsNotifier          *notifier);
CsScheduler    *cs_engine_get_scheduler       (CsEngine            *self);
void            cs_engine_notify_changed      (CsEngine            *self);
void            cs_engine_send_waiting_async  (CsEngine            *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean        cs_engine_send_waiting_finish (CsEngine            *self,
                                               GAsyncResult        *result,
                                               GError             **error);
void            cs_engine_reconfigure_async   (CsEngine            *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean        cs_engine_reconfigure_finish  (CsEngine            *self,
                                               GAsyncResult        *result,
                                               GError             **error);
gboolean        cs_engine_get_secrets_given   (CsEngine            *self);

G_END_DECLS
