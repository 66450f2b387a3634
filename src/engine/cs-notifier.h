/* cs-notifier.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cs-appointment.h"

G_BEGIN_DECLS

/**
 * CsNotifierService:
 * @CS_NOTIFIER_SERVICE_CALCOM: Cal.com
 * @CS_NOTIFIER_SERVICE_CRM: the CRM server (the backend)
 *
 * The service a "Sync restored" notification speaks of. An enum rather than
 * a name, so each sentence is one whole translatable string.
 */
typedef enum
{
  CS_NOTIFIER_SERVICE_CALCOM,
  CS_NOTIFIER_SERVICE_CRM,
} CsNotifierService;

#define CS_TYPE_NOTIFIER (cs_notifier_get_type ())

G_DECLARE_FINAL_TYPE (CsNotifier, cs_notifier, CS, NOTIFIER, GObject)

/**
 * CsNotifierSendFunc:
 * @self: the notifier
 * @id: the notification id
 * @notification: the notification to show
 * @user_data: the data given to cs_notifier_set_send_func()
 *
 * Shows @notification under @id. The default sends it with
 * g_application_send_notification(); tests and other front ends may
 * replace it.
 */
typedef void (*CsNotifierSendFunc) (CsNotifier    *self,
                                    const char    *id,
                                    GNotification *notification,
                                    gpointer       user_data);

CsNotifier   *cs_notifier_new             (GApplication                *application);
GApplication *cs_notifier_dup_application (CsNotifier                  *self);
gboolean      cs_notifier_get_enabled     (CsNotifier                  *self);
void          cs_notifier_set_enabled     (CsNotifier                  *self,
                                           gboolean                     enabled);
void          cs_notifier_set_send_func   (CsNotifier                  *self,
                                           CsNotifierSendFunc           func,
                                           gpointer                     user_data,
                                           GDestroyNotify               destroy);
void          cs_notifier_flagged         (CsNotifier                  *self,
                                           const CsAppointment * const *appointments,
                                           guint                        n);
void          cs_notifier_sync_restored   (CsNotifier                  *self,
                                           CsNotifierService            service);

G_END_DECLS
