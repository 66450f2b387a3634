/* bench-requests.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "cs-backend-client.h"
#include "cs-calcom-client.h"
#include "cs-reconciler.h"
#include "cs-sim-server.h"

/* What a verification costs on the wire: both listings of a window of N
 * appointments against the simulator, every request delayed by a simulated
 * latency, then the reconciler over what came back. Prints the figures,
 * last as one JSON line (DESIGN.md §6).
 *
 *   bench-requests [N] [LATENCY_MS]
 */

typedef struct
{
  CsCalcomListing  *bookings;
  CsBackendListing *appointments;
  GError           *error;
  guint             pending;
} Run;

static double
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
calcom_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Run *run = user_data;

  run->bookings = cs_calcom_client_list_bookings_finish (CS_CALCOM_CLIENT (object), result,
                                                         run->error ? NULL : &run->error);
  run->pending--;
}

static void
backend_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Run *run = user_data;

  run->appointments = cs_backend_client_list_appointments_finish (CS_BACKEND_CLIENT (object),
                                                                  result,
                                                                  run->error ? NULL : &run->error);
  run->pending--;
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
  g_autoptr(CsReconcileResult) outcome = NULL;
  g_autoptr(GError) error = NULL;
  CsClock *clock = cs_clock_get_system ();
  CsSimDatasetConfig config;
  CsSimFaults faults;
  CsReconcileOptions options = { .company_id = CS_SIM_DEFAULT_COMPANY_ID };
  CsTime now = cs_clock_get_now (clock);
  CsTime from = now - 30 * CS_USEC_PER_DAY, to = now + 90 * CS_USEC_PER_DAY;
  Run run = { NULL };
  struct rusage usage;
  gint64 started;
  double cpu_started, wall_s, cpu_s;
  guint calcom_requests, backend_requests;

  cs_sim_dataset_config_init (&config);
  config.n_appointments = n;
  config.seed = 7;
  dataset = cs_sim_dataset_new (clock, &config, &error);
  if (dataset == NULL)
    g_error ("dataset: %s", error->message);

  sim = cs_sim_server_new (clock, dataset);
  if (!cs_sim_server_start (sim, 0, 0, &error))
    g_error ("simulator: %s", error->message);

  cs_sim_faults_init (&faults);
  faults.latency_ms = latency;
  cs_sim_server_set_faults (sim, CS_SIM_SERVICE_CALCOM, &faults);
  cs_sim_server_set_faults (sim, CS_SIM_SERVICE_BACKEND, &faults);

  calcom = cs_calcom_client_new (cs_sim_server_get_calcom_url (sim), clock, &error);
  backend = cs_backend_client_new (cs_sim_server_get_backend_url (sim), clock, &error);
  g_assert_no_error (error);
  cs_calcom_client_set_api_key (calcom, cs_sim_server_get_calcom_api_key (sim));
  cs_backend_client_set_token (backend, cs_sim_server_get_backend_token (sim));

  g_print ("simulator: %u appointments, %u bookings, %u ms latency per request\n",
           cs_sim_dataset_get_appointments (dataset)->len,
           cs_sim_dataset_get_bookings (dataset)->len, latency);

  started = g_get_monotonic_time ();
  cpu_started = cpu_seconds ();

  /* The two listings of a run go side by side, as the verifier does. */
  run.pending = 2;
  cs_calcom_client_list_bookings_async (calcom, from, to, CS_TIME_UNSET, NULL, calcom_cb, &run);
  cs_backend_client_list_appointments_async (backend, from, to, CS_TIME_UNSET, NULL, backend_cb,
                                             &run);
  while (run.pending > 0)
    g_main_context_iteration (NULL, TRUE);

  if (run.error != NULL)
    g_error ("listing: %s", run.error->message);

  outcome = cs_reconcile (run.appointments->appointments, run.bookings->bookings, &options);

  wall_s = (g_get_monotonic_time () - started) / 1e6;
  cpu_s = cpu_seconds () - cpu_started;
  calcom_requests = cs_sim_server_get_service_request_count (sim, CS_SIM_SERVICE_CALCOM);
  backend_requests = cs_sim_server_get_service_request_count (sim, CS_SIM_SERVICE_BACKEND);
  getrusage (RUSAGE_SELF, &usage);

  g_print ("Cal.com: %u bookings in %u pages; backend: %u appointments in %u pages "
           "(%u of another company refused)\n",
           run.bookings->bookings->len, run.bookings->n_pages,
           run.appointments->appointments->len, run.appointments->n_pages,
           run.appointments->n_foreign);
  g_print ("outcomes: synced %u, mismatch %u, orphaned local %u, orphaned Cal.com %u, "
           "lookups %u, conflicts %u\n",
           outcome->counts[CS_OUTCOME_SYNCED], outcome->counts[CS_OUTCOME_DATA_MISMATCH],
           outcome->counts[CS_OUTCOME_ORPHANED_LOCAL], outcome->counts[CS_OUTCOME_ORPHANED_CALCOM],
           outcome->counts[CS_OUTCOME_LOOKUP_NEEDED], outcome->counts[CS_OUTCOME_CONFLICT]);
  g_print ("bounds: Cal.com ≤ %u, backend ≤ %u requests\n",
           (n + 249) / 250 + 5, (n + 499) / 500 + 5);
  g_print ("{\"bench\": \"requests\", \"n\": %u, \"calcom_requests\": %u, "
           "\"backend_requests\": %u, \"wall_s\": %.3f, \"cpu_s\": %.3f, \"rss_mb\": %.0f}\n",
           n, calcom_requests, backend_requests, wall_s, cpu_s, usage.ru_maxrss / 1024.0);

  g_clear_pointer (&run.bookings, cs_calcom_listing_free);
  g_clear_pointer (&run.appointments, cs_backend_listing_free);
  cs_sim_server_stop (sim);

  return calcom_requests <= (n + 249) / 250 + 5 && backend_requests <= (n + 499) / 500 + 5
         ? EXIT_SUCCESS : EXIT_FAILURE;
}
