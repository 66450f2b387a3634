/* bench-verify.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "cs-sim-server.h"
#include "cs-verifier.h"

/* One whole verification run, as `calsync --once` does it: /me, both
 * listings side by side, the lookups the listings cannot decide, the
 * retry policy, one SQLite transaction, the sync-status report, against
 * the simulator with a latency per request. Prints the figures, last as
 * one JSON line (DESIGN.md §6).
 *
 *   bench-verify [N] [LATENCY_MS]
 */

static double
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

int
main (int   argc,
      char *argv[])
{
  guint n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 10000;
  guint latency = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 50;
  g_autoptr(CsSimDataset) dataset = NULL;
  g_autoptr(CsSimServer) sim = NULL;
  g_autoptr(CsCalcomClient) calcom = NULL;
  g_autoptr(CsBackendClient) backend = NULL;
  g_autoptr(CsStore) store = NULL;
  g_autoptr(CsVerifier) verifier = NULL;
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  CsClock *clock = cs_clock_get_system ();
  CsSimDatasetConfig config;
  CsSimFaults faults;
  CsVerifyOptions options;
  struct rusage usage;
  guint lookups_calcom, lookups_backend;
  gint64 started;
  double cpu_started;

  cs_sim_dataset_config_init (&config);
  config.n_appointments = n;
  config.seed = 7;
  dataset = cs_sim_dataset_new (clock, &config, &error);
  sim = cs_sim_server_new (clock, dataset);
  if (!cs_sim_server_start (sim, 0, 0, &error))
    g_error ("simulator: %s", error->message);

  cs_sim_faults_init (&faults);
  faults.latency_ms = latency;
  cs_sim_server_set_faults (sim, CS_SIM_SERVICE_CALCOM, &faults);
  cs_sim_server_set_faults (sim, CS_SIM_SERVICE_BACKEND, &faults);

  dir = g_dir_make_tmp ("calsync-bench-XXXXXX", &error);
  path = g_build_filename (dir, "cache.sqlite3", NULL);
  store = cs_store_open (path, &error);
  if (store == NULL)
    g_error ("store: %s", error->message);

  calcom = cs_calcom_client_new (cs_sim_server_get_calcom_url (sim), clock, &error);
  backend = cs_backend_client_new (cs_sim_server_get_backend_url (sim), clock, &error);
  cs_calcom_client_set_api_key (calcom, cs_sim_server_get_calcom_api_key (sim));
  cs_backend_client_set_token (backend, cs_sim_server_get_backend_token (sim));
  verifier = cs_verifier_new (store, calcom, backend, clock);

  cs_verify_options_init (&options);
  options.window_start = cs_clock_get_now (clock) - 30 * CS_USEC_PER_DAY;
  options.window_end = cs_clock_get_now (clock) + 90 * CS_USEC_PER_DAY;

  g_print ("simulator: %u appointments, %u bookings, %u ms latency per request\n",
           cs_sim_dataset_get_appointments (dataset)->len,
           cs_sim_dataset_get_bookings (dataset)->len, latency);

  started = g_get_monotonic_time ();
  cpu_started = cpu_seconds ();
  cs_verifier_run_async (verifier, &options, NULL, done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  report = cs_verifier_run_finish (verifier, result, &error);
  if (report == NULL)
    g_error ("run: %s", error->message);

  getrusage (RUSAGE_SELF, &usage);
  lookups_calcom = cs_sim_server_get_request_count (sim, CS_SIM_CALCOM_GET);
  lookups_backend = cs_sim_server_get_request_count (sim, CS_SIM_BACKEND_GET);

  g_print ("run: %s, %u issues, %u appointments in the window\n",
           report->run->result, report->issues->len, report->n_window);
  g_print ("Cal.com: %u requests (%u listing pages, %u lookups by uid); "
           "backend: %u requests (%u lookups by id, %u sync-status reports)\n",
           report->run->calcom_requests, cs_sim_server_get_request_count (sim, CS_SIM_CALCOM_LIST),
           lookups_calcom, report->run->backend_requests, lookups_backend,
           cs_sim_server_get_request_count (sim, CS_SIM_BACKEND_SYNC_STATUS));
  g_print ("bounds without lookups: Cal.com ≤ %u, backend ≤ %u\n",
           (n + 249) / 250 + 5, 2 * ((n + 499) / 500) + 5);
  g_print ("{\"bench\": \"verify\", \"n\": %u, \"wall_s\": %.3f, \"cpu_s\": %.3f, "
           "\"calcom_requests\": %u, \"backend_requests\": %u, \"rss_mb\": %.0f}\n",
           n, (g_get_monotonic_time () - started) / 1e6, cpu_seconds () - cpu_started,
           report->run->calcom_requests, report->run->backend_requests,
           usage.ru_maxrss / 1024.0);

  cs_sim_server_stop (sim);
  g_clear_object (&verifier);
  g_clear_object (&store);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *file = g_strconcat (path, (const char *[]) { "", "-wal", "-shm" }[i], NULL);

      g_unlink (file);
    }
  g_rmdir (dir);

  return EXIT_SUCCESS;
}
