/* net-test-util.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cs-http-client.h"
#include "cs-manual-clock.h"
#include "cs-sim-server.h"

G_BEGIN_DECLS

/* 2026-11-23T09:00:00Z: "now" of every network test. */
#define NET_TEST_NOW ((CsTime) G_GINT64_CONSTANT (1795424400) * CS_USEC_PER_SECOND)

/**
 * NetTestAsync:
 * @result: the result of the operation, once done
 *
 * Collects one async result; net_test_wait() iterates the main context
 * until it is there, with a bound. With a @client given, it lets the manual
 * clock run forward to the next timer whenever the client has no request on
 * the wire and the loop has nothing ready (the client waits for a rate
 * limit slot or a 429): simulated minutes pass at once.
 */
typedef struct
{
  GAsyncResult *result;
} NetTestAsync;

void          net_test_async_cb   (GObject       *object,
                                   GAsyncResult  *result,
                                   gpointer       user_data);
GAsyncResult *net_test_wait       (NetTestAsync  *async,
                                   CsClock       *clock,
                                   CsHttpClient  *client);
GAsyncResult *net_test_wait_many  (NetTestAsync  *async,
                                   CsClock       *clock,
                                   CsHttpClient  *first,
                                   ...) G_GNUC_NULL_TERMINATED;
CsSimServer  *net_test_start_sim  (CsClock       *clock,
                                   guint          n_appointments,
                                   guint32        seed);

G_END_DECLS
