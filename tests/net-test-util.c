/* net-test-util.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "net-test-util.h"

void
net_test_async_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  NetTestAsync *async = user_data;

  g_assert_null (async->result);
  async->result = g_object_ref (result);
}

static gboolean
all_idle (GPtrArray *clients)
{
  for (guint i = 0; i < clients->len; i++)
    {
      if (cs_http_client_get_n_in_flight (g_ptr_array_index (clients, i)) > 0)
        return FALSE;
    }

  return clients->len > 0;
}

static GAsyncResult *
wait_with (NetTestAsync *async,
           CsClock      *clock,
           GPtrArray    *clients)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (async->result == NULL && g_get_monotonic_time () < deadline)
    {
      /* Work that is ready goes first; only when the loop is idle and no
       * client has a request on the wire does simulated time move on to
       * the next timer (a limiter slot, a 429's wait). Both sides share
       * the clock, so the server sees the same minutes pass. */
      if (g_main_context_iteration (NULL, FALSE))
        continue;
      if (CS_IS_MANUAL_CLOCK (clock) && all_idle (clients) &&
          cs_manual_clock_advance_to_next (CS_MANUAL_CLOCK (clock)))
        continue;
      g_main_context_iteration (NULL, TRUE);
    }

  g_assert_nonnull (async->result);
  return g_steal_pointer (&async->result);
}

GAsyncResult *
net_test_wait (NetTestAsync *async,
               CsClock      *clock,
               CsHttpClient *client)
{
  g_autoptr(GPtrArray) clients = g_ptr_array_new ();

  if (client != NULL)
    g_ptr_array_add (clients, client);

  return wait_with (async, clock, clients);
}

GAsyncResult *
net_test_wait_many (NetTestAsync *async,
                    CsClock      *clock,
                    CsHttpClient *first,
                    ...)
{
  g_autoptr(GPtrArray) clients = g_ptr_array_new ();
  va_list args;

  va_start (args, first);
  for (CsHttpClient *client = first; client != NULL; client = va_arg (args, CsHttpClient *))
    g_ptr_array_add (clients, client);
  va_end (args);

  return wait_with (async, clock, clients);
}

CsSimServer *
net_test_start_sim (CsClock *clock,
                    guint    n_appointments,
                    guint32  seed)
{
  g_autoptr(CsSimDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  CsSimDatasetConfig config;
  CsSimServer *sim;

  cs_sim_dataset_config_init (&config);
  config.seed = seed;
  config.n_appointments = n_appointments;

  dataset = cs_sim_dataset_new (clock, &config, &error);
  g_assert_no_error (error);

  sim = cs_sim_server_new (clock, dataset);
  cs_sim_server_start (sim, 0, 0, &error);
  g_assert_no_error (error);
  cs_sim_server_set_record_requests (sim, TRUE);

  return sim;
}
