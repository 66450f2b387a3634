/* cs-outbox.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cs-backend-client.h"
#include "cs-calcom-client.h"
#include "cs-clock.h"
#include "cs-store.h"
#include "cs-write.h"

G_BEGIN_DECLS

#define CS_OUTBOX_ERROR (cs_outbox_error_quark ())

/**
 * CsOutboxError:
 * @CS_OUTBOX_ERROR_INVALID: the item cannot be kept: an unknown service or
 *   method, or a path that does not start with "/"
 *
 * The errors of cs_outbox_enqueue(). Failures of sending come from the
 * network layer (%CS_NET_ERROR) or the store (%CS_STORE_ERROR).
 */
typedef enum
{
  CS_OUTBOX_ERROR_INVALID,
} CsOutboxError;

/* The first wait after a failed attempt, doubled on each further failure,
 * and the longest wait. */
#define CS_OUTBOX_BACKOFF_FIRST (30 * CS_USEC_PER_SECOND)
#define CS_OUTBOX_BACKOFF_MAX   (30 * CS_USEC_PER_MINUTE)

#define CS_TYPE_OUTBOX (cs_outbox_get_type ())

G_DECLARE_FINAL_TYPE (CsOutbox, cs_outbox, CS, OUTBOX, GObject)

GQuark     cs_outbox_error_quark     (void);

CsOutbox  *cs_outbox_new             (CsStore             *store,
                                      CsCalcomClient      *calcom,
                                      CsBackendClient     *backend,
                                      CsClock             *clock);
gint64     cs_outbox_enqueue         (CsOutbox            *self,
                                      CsOutboxItem        *item,
                                      GError             **error);
gint64     cs_outbox_enqueue_write   (CsOutbox            *self,
                                      const CsWrite       *write,
                                      const char          *idempotency_key,
                                      GError             **error);
gint64     cs_outbox_keep_write      (CsOutbox            *self,
                                      const CsWrite       *write,
                                      const char          *idempotency_key,
                                      const char          *audit_key,
                                      GError             **error);
guint      cs_outbox_get_n_pending   (CsOutbox            *self);
gboolean   cs_outbox_is_flushing     (CsOutbox            *self);
void       cs_outbox_flush           (CsOutbox            *self);
void       cs_outbox_flush_async     (CsOutbox            *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
void       cs_outbox_flush_all_async (CsOutbox            *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean   cs_outbox_flush_finish    (CsOutbox            *self,
                                      GAsyncResult        *result,
                                      GError             **error);

gint64     cs_outbox_get_backoff     (guint                attempts);
gboolean   cs_outbox_item_is_failed  (const CsOutboxItem  *item);

G_END_DECLS
