/* test-faults.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-net-error.h"
#include "cs-verifier.h"
#include "faults-test-util.h"
#include "net-test-util.h"

/* The fault matrix (docs/reliability.md): one verification run against the
 * simulator while one of its fault knobs is on, with the real clients, a
 * real SQLite file and the clock in the test's hand. A run the fault stops
 * must end with a sentence a person understands, leave the cache as it
 * was and write nothing to either server; a run that can go on must find
 * what the simulator's truth says, and no orphan the truth does not know.
 * After the fault, a run finds everything again. */

typedef struct
{
  CsClock         *clock;
  CsSimServer     *sim;
  CsStore         *store;
  CsCalcomClient  *calcom;
  CsBackendClient *backend;
  CsVerifier      *verifier;
  char            *dir;
  char            *path;
} Fixture;

/* A run the fault stops. */
typedef struct
{
  CsSimService  service;
  void        (*set_fault) (CsSimFaults *faults);
  CsNetError    code;
  const char   *words;
} FailCase;

#define N_APPOINTMENTS 600

static void
make_verifier (Fixture    *f,
               const char *calcom_url,
               const char *backend_url)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&f->verifier);
  g_clear_object (&f->calcom);
  g_clear_object (&f->backend);

  f->calcom = cs_calcom_client_new (calcom_url, f->clock, &error);
  g_assert_no_error (error);
  cs_calcom_client_set_api_key (f->calcom, cs_sim_server_get_calcom_api_key (f->sim));
  f->backend = cs_backend_client_new (backend_url, f->clock, &error);
  g_assert_no_error (error);
  cs_backend_client_set_token (f->backend, cs_sim_server_get_backend_token (f->sim));
  /* Small CRM pages: a listing of several pages, so a fault can strike in
   * its middle. */
  cs_backend_client_set_page_size (f->backend, 100);

  f->verifier = cs_verifier_new (f->store, f->calcom, f->backend, f->clock);
  /* The program's default check-time-limit: no wait past five minutes. */
  cs_verifier_set_time_limit (f->verifier, 300 * CS_USEC_PER_SECOND);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->clock = cs_manual_clock_new (NET_TEST_NOW);
  f->sim = net_test_start_sim (f->clock, N_APPOINTMENTS, 31);

  f->dir = g_dir_make_tmp ("calsync-faults-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "cache.sqlite3", NULL);
  f->store = cs_store_open (f->path, &error);
  g_assert_no_error (error);

  make_verifier (f, cs_sim_server_get_calcom_url (f->sim), cs_sim_server_get_backend_url (f->sim));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->verifier);
  g_clear_object (&f->calcom);
  g_clear_object (&f->backend);
  g_clear_object (&f->store);
  cs_sim_server_stop (f->sim);
  g_clear_object (&f->sim);
  g_clear_object (&f->clock);
  faults_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static CsHttpClient *
http_of (Fixture      *f,
         CsSimService  service)
{
  return service == CS_SIM_SERVICE_CALCOM ? cs_calcom_client_get_http (f->calcom)
                                          : cs_backend_client_get_http (f->backend);
}

static void
start_run (Fixture      *f,
           NetTestAsync *async)
{
  CsVerifyOptions options;
  CsTime now = cs_clock_get_now (f->clock);

  cs_verify_options_init (&options);
  options.kind = CS_VERIFICATION_COMPREHENSIVE;
  options.window_start = now - 30 * CS_USEC_PER_DAY;
  options.window_end = now + 90 * CS_USEC_PER_DAY;
  cs_verifier_run_async (f->verifier, &options, NULL, net_test_async_cb, async);
}

static CsVerifyReport *
finish_run (Fixture       *f,
            NetTestAsync  *async,
            GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  /* Simulated time passes while both clients wait (a 429's wait). */
  result = net_test_wait_many (async, f->clock, cs_calcom_client_get_http (f->calcom),
                               cs_backend_client_get_http (f->backend), NULL);

  return cs_verifier_run_finish (f->verifier, result, error);
}

static CsVerifyReport *
run (Fixture  *f,
     GError  **error)
{
  NetTestAsync async = { NULL };

  start_run (f, &async);
  return finish_run (f, &async, error);
}

/* Every appointment and booking in the cache is where its truth says; with
 * @exact, every one of them is there and right, else only no orphan the
 * truth does not know. */
static void
check_truth (Fixture  *f,
             gboolean  exact)
{
  CsSimDataset *dataset = cs_sim_server_get_dataset (f->sim);
  GPtrArray *appointments = cs_sim_dataset_get_appointments (dataset);
  GPtrArray *bookings = cs_sim_dataset_get_bookings (dataset);
  guint checked = 0;

  for (guint i = 0; i < appointments->len; i++)
    {
      CsSimAppointment *row = g_ptr_array_index (appointments, i);
      const CsAppointment *a = row->appointment;
      const CsSimTruth *truth;
      g_autoptr(CsAppointment) cached = NULL;

      cached = cs_store_get_appointment (f->store, a->id, NULL);
      if (a->company_id != CS_SIM_DEFAULT_COMPANY_ID)
        {
          /* Another company's row is refused, never stored. */
          g_assert_null (cached);
          continue;
        }

      truth = cs_sim_dataset_get_truth (dataset, a->id);
      g_assert_nonnull (truth);
      if (exact && cached == NULL)
        g_error ("appointment %" G_GINT64_FORMAT " is not in the cache", a->id);
      if (cached == NULL)
        continue;
      checked++;

      if (cached->sync.status == CS_SYNC_STATUS_ORPHANED_LOCAL &&
          truth->status != CS_SYNC_STATUS_ORPHANED_LOCAL)
        g_error ("appointment %" G_GINT64_FORMAT " (%s) is a false orphan", a->id,
                 cs_sim_category_to_string (truth->category));
      if (exact && (cached->sync.status != truth->status ||
                    cached->sync.sync_error_code != truth->error_code))
        g_error ("appointment %" G_GINT64_FORMAT " (%s): %s, truth %s", a->id,
                 cs_sim_category_to_string (truth->category),
                 cs_sync_status_to_string (cached->sync.status),
                 cs_sync_status_to_string (truth->status));
    }

  for (guint i = 0; i < bookings->len; i++)
    {
      const CsBooking *b = ((CsSimBooking *) g_ptr_array_index (bookings, i))->booking;
      const CsSimTruth *truth = cs_sim_dataset_get_booking_truth (dataset, b->uid);
      g_autoptr(CsBooking) cached = cs_store_get_booking (f->store, b->uid, NULL);
      gboolean orphan = truth != NULL && truth->status == CS_SYNC_STATUS_ORPHANED_CALCOM;

      if (cached != NULL && cached->sync.status == CS_SYNC_STATUS_ORPHANED_CALCOM && !orphan)
        g_error ("booking %s is a false orphan", b->uid);
      if (exact && orphan &&
          (cached == NULL || cached->sync.status != CS_SYNC_STATUS_ORPHANED_CALCOM))
        g_error ("booking %s is not found as orphaned", b->uid);
    }

  g_assert_cmpuint (checked, >, 0);
}

/* A good run fills the cache, then a minute passes and the records of
 * requests and writes start afresh. */
static void
baseline (Fixture *f)
{
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;

  report = run (f, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (report->run->result, ==, CS_RUN_RESULT_OK);
  check_truth (f, TRUE);

  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_USEC_PER_MINUTE);
  cs_sim_server_reset_writes (f->sim);
  cs_sim_server_reset_counters (f->sim);
}

static void
set_fault (Fixture            *f,
           CsSimService        service,
           const CsSimFaults  *faults)
{
  cs_sim_server_set_faults (f->sim, service, faults);
}

/* The run failed as @c says, and left nothing behind but its own record. */
static void
assert_failed_cleanly (Fixture        *f,
                       const FailCase *c,
                       const GError   *error,
                       const char     *before)
{
  g_autofree char *after = NULL;
  g_autoptr(CsRunRecord) last = NULL;

  g_assert_error (error, CS_NET_ERROR, (int) c->code);
  faults_assert_sentence (error->message, c->service, c->words);

  after = faults_snapshot_cache (f->path);
  g_assert_cmpstr (after, ==, before);
  faults_assert_no_writes (f->sim);

  last = cs_store_get_last_run (f->store, NULL);
  g_assert_nonnull (last);
  g_assert_cmpstr (last->result, ==, CS_RUN_RESULT_FAILED);
  g_assert_cmpstr (last->error_message, ==, error->message);
}

/* The fault is gone: the next run, a minute later or when the server
 * said it takes requests again, finds everything again. */
static void
assert_recovers (Fixture      *f,
                 const GError *failure)
{
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;
  CsTime retry_at = cs_net_error_get_retry_at (failure);

  cs_sim_server_clear_faults (f->sim, CS_SIM_SERVICE_CALCOM);
  cs_sim_server_clear_faults (f->sim, CS_SIM_SERVICE_BACKEND);
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_USEC_PER_MINUTE);
  if (retry_at != CS_TIME_UNSET && retry_at > cs_clock_get_now (f->clock))
    cs_manual_clock_set_now (CS_MANUAL_CLOCK (f->clock), retry_at);

  report = run (f, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (report->run->result, ==, CS_RUN_RESULT_OK);
  check_truth (f, TRUE);
}

static void
test_failing_run (Fixture       *f,
                  gconstpointer  data)
{
  const FailCase *c = data;
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  CsSimFaults faults;

  baseline (f);
  before = faults_snapshot_cache (f->path);

  cs_sim_faults_init (&faults);
  c->set_fault (&faults);
  set_fault (f, c->service, &faults);

  report = run (f, &error);
  g_assert_null (report);
  assert_failed_cleanly (f, c, error, before);
  assert_recovers (f, error);
}

/* The knobs of the failing runs */

static void
fault_cut (CsSimFaults *faults)
{
  /* The first two answers pass (Cal.com's page 1, which comes alone, and
   * one more; the CRM's /me and page 1): the cut strikes a later page, in
   * the middle of the listing. */
  faults->skip_requests = 2;
  faults->cut_after_bytes = 2000;
}

static void
fault_dropped (CsSimFaults *faults)
{
  faults->downtime_from = 0;
  faults->downtime_until = G_MAXINT64;
  faults->downtime_drop = TRUE;
}

static void
fault_500 (CsSimFaults *faults)
{
  faults->force_status = 500;
}

static void
fault_503_mid_listing (CsSimFaults *faults)
{
  faults->skip_requests = 2;
  faults->force_status = 503;
}

static void
fault_429_storm (CsSimFaults *faults)
{
  /* An hour's wait, past the run's five minutes: the run ends at once. */
  faults->storm_429 = 1000;
  faults->storm_retry_after = 3600;
}

static void
fault_truncated (CsSimFaults *faults)
{
  faults->truncate_body = TRUE;
}

static void
fault_garbage (CsSimFaults *faults)
{
  faults->body = CS_SIM_BODY_GARBAGE;
}

static void
fault_null (CsSimFaults *faults)
{
  faults->body = CS_SIM_BODY_NULL;
}

static void
fault_empty (CsSimFaults *faults)
{
  faults->body = CS_SIM_BODY_EMPTY;
}

static void
fault_deep (CsSimFaults *faults)
{
  faults->body = CS_SIM_BODY_DEEP;
}

static void
fault_html_as_json (CsSimFaults *faults)
{
  /* A page labelled application/json: the label is not believed. */
  faults->body = CS_SIM_BODY_HTML;
}

static void
fault_html_page (CsSimFaults *faults)
{
  /* A captive portal's 200 with text/html. */
  faults->non_json_status = 200;
}

static const FailCase fail_cases[] = {
#define CALCOM CS_SIM_SERVICE_CALCOM
#define BACKEND CS_SIM_SERVICE_BACKEND
  { CALCOM, fault_cut, CS_NET_ERROR_NETWORK, "broke off before its answer was complete" },
  { BACKEND, fault_cut, CS_NET_ERROR_NETWORK, "broke off before its answer was complete" },
  { CALCOM, fault_dropped, CS_NET_ERROR_NETWORK, "broke off" },
  { BACKEND, fault_dropped, CS_NET_ERROR_NETWORK, "broke off" },
  { CALCOM, fault_500, CS_NET_ERROR_SERVER, "internal problem (HTTP 500)" },
  { BACKEND, fault_500, CS_NET_ERROR_SERVER, "internal problem (HTTP 500)" },
  { CALCOM, fault_503_mid_listing, CS_NET_ERROR_SERVER, "internal problem (HTTP 503)" },
  { BACKEND, fault_503_mid_listing, CS_NET_ERROR_SERVER, "internal problem (HTTP 503)" },
  { CALCOM, fault_429_storm, CS_NET_ERROR_RATE_LIMITED, "asks Calsync to wait until" },
  { BACKEND, fault_429_storm, CS_NET_ERROR_RATE_LIMITED, "asks Calsync to wait until" },
  { CALCOM, fault_truncated, CS_NET_ERROR_INVALID_RESPONSE, "broke off before its end" },
  { BACKEND, fault_truncated, CS_NET_ERROR_INVALID_RESPONSE, "broke off before its end" },
  { CALCOM, fault_garbage, CS_NET_ERROR_INVALID_RESPONSE, "an answer Calsync cannot read" },
  { BACKEND, fault_garbage, CS_NET_ERROR_INVALID_RESPONSE, "an answer Calsync cannot read" },
  { CALCOM, fault_null, CS_NET_ERROR_INVALID_RESPONSE, "an answer Calsync cannot read" },
  { BACKEND, fault_null, CS_NET_ERROR_INVALID_RESPONSE, "an answer Calsync cannot read" },
  { CALCOM, fault_empty, CS_NET_ERROR_INVALID_RESPONSE, "an empty answer" },
  { BACKEND, fault_empty, CS_NET_ERROR_INVALID_RESPONSE, "an empty answer" },
  { CALCOM, fault_deep, CS_NET_ERROR_INVALID_RESPONSE, "an answer Calsync cannot read" },
  { BACKEND, fault_deep, CS_NET_ERROR_INVALID_RESPONSE, "an answer Calsync cannot read" },
  { CALCOM, fault_html_as_json, CS_NET_ERROR_INVALID_RESPONSE, "a web page instead of data" },
  { BACKEND, fault_html_as_json, CS_NET_ERROR_INVALID_RESPONSE, "a web page instead of data" },
  { CALCOM, fault_html_page, CS_NET_ERROR_INVALID_RESPONSE, "a web page instead of data" },
  { BACKEND, fault_html_page, CS_NET_ERROR_INVALID_RESPONSE, "a web page instead of data" },
#undef CALCOM
#undef BACKEND
};

static const char * const fail_names[] = {
  "cut-mid-listing", "dropped-connection", "status-500", "status-503-mid-listing",
  "429-storm", "truncated-body", "garbage-body", "null-body", "empty-body",
  "deep-nesting", "html-as-json", "html-page",
};

G_STATIC_ASSERT (G_N_ELEMENTS (fail_cases) == 2 * G_N_ELEMENTS (fail_names));

/* Nothing listens: connections are refused. */
static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  CsSimService service = GPOINTER_TO_UINT (data);
  FailCase c = { service, NULL, CS_NET_ERROR_NETWORK, "the connection was refused" };
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *closed = NULL;

  baseline (f);
  before = faults_snapshot_cache (f->path);

  if (service == CS_SIM_SERVICE_CALCOM)
    {
      closed = faults_closed_port_url ("/v2");
      make_verifier (f, closed, cs_sim_server_get_backend_url (f->sim));
    }
  else
    {
      closed = faults_closed_port_url ("");
      make_verifier (f, cs_sim_server_get_calcom_url (f->sim), closed);
    }

  report = run (f, &error);
  g_assert_null (report);
  assert_failed_cleanly (f, &c, error, before);

  make_verifier (f, cs_sim_server_get_calcom_url (f->sim), cs_sim_server_get_backend_url (f->sim));
  assert_recovers (f, error);
}

/* Iterates until @done holds, with a bound. */
static void
turn_until (gboolean (*done) (Fixture *f, CsSimService service),
            Fixture      *f,
            CsSimService  service)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!done (f, service) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (done (f, service));
}

/* The faulty answer is on the wire and the other service has answered
 * everything it was asked: only the fault's request is waiting. */
static gboolean
only_fault_waits (Fixture      *f,
                  CsSimService  service)
{
  CsSimService other = service == CS_SIM_SERVICE_CALCOM ? CS_SIM_SERVICE_BACKEND
                                                        : CS_SIM_SERVICE_CALCOM;

  return cs_sim_server_get_n_pending (f->sim) > 0 &&
         cs_http_client_get_n_in_flight (http_of (f, service)) > 0 &&
         cs_http_client_get_n_in_flight (http_of (f, other)) == 0;
}

static gboolean
stalled (Fixture      *f,
         CsSimService  service)
{
  return cs_sim_server_get_body_bytes_sent (f->sim, service) >= 100 &&
         only_fault_waits (f, service);
}

/* An answer that starts and then sends nothing, or drips: the client gives
 * up after its total timeout on its own clock (a minute), whatever the
 * bytes already in. No wall time is waited for: the test moves the clock
 * once only the faulty answer is left. */
static void
check_slow_answer (Fixture      *f,
                   CsSimService  service,
                   gboolean      drip)
{
  FailCase c = { service, NULL, CS_NET_ERROR_TIMEOUT, "did not answer in time" };
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  NetTestAsync async = { NULL };
  CsSimFaults faults;

  baseline (f);
  before = faults_snapshot_cache (f->path);

  cs_sim_faults_init (&faults);
  if (drip)
    {
      /* A few bytes every few milliseconds: a page takes minutes. */
      faults.slow_body_delay_ms = 5;
      faults.slow_body_chunk_bytes = 16;
    }
  else
    {
      faults.stall_body = TRUE;
      faults.stall_after_bytes = 100;
    }
  set_fault (f, service, &faults);

  start_run (f, &async);
  turn_until (drip ? only_fault_waits : stalled, f, service);
  g_assert_null (async.result);

  if (drip)
    {
      /* A third of the timeout passes between two drops, each time: bytes
       * that keep coming must not keep the request alive (a timeout that
       * restarted with every byte would never end it). */
      for (guint i = 0; i < 4 && async.result == NULL; i++)
        {
          guint64 sent = cs_sim_server_get_body_bytes_sent (f->sim, service);
          gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

          while (cs_sim_server_get_body_bytes_sent (f->sim, service) == sent &&
                 async.result == NULL && g_get_monotonic_time () < deadline)
            g_main_context_iteration (NULL, TRUE);
          if (async.result == NULL)
            cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_HTTP_TOTAL_TIMEOUT / 3 + 1);
        }
    }
  else
    cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock),
                             CS_HTTP_TOTAL_TIMEOUT + CS_USEC_PER_SECOND);
  report = finish_run (f, &async, &error);
  g_assert_null (report);
  assert_failed_cleanly (f, &c, error, before);
  assert_recovers (f, error);
}

static void
test_stalled_body (Fixture       *f,
                   gconstpointer  data)
{
  check_slow_answer (f, GPOINTER_TO_UINT (data), FALSE);
}

static void
test_dripping_body (Fixture       *f,
                    gconstpointer  data)
{
  check_slow_answer (f, GPOINTER_TO_UINT (data), TRUE);
}

/* 100 MB: the client's cap (32 MiB) stops it, and it stops reading early,
 * whether the size is announced or not. */
static void
check_huge_body (Fixture      *f,
                 CsSimService  service,
                 gboolean      chunked)
{
  FailCase c = { service, NULL, CS_NET_ERROR_TOO_LARGE, "larger than" };
  const gsize huge = (gsize) 100 * 1000 * 1000;
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  guint64 sent;
  CsSimFaults faults;

  baseline (f);
  before = faults_snapshot_cache (f->path);

  cs_sim_faults_init (&faults);
  faults.huge_body_bytes = huge;
  faults.huge_body_chunked = chunked;
  set_fault (f, service, &faults);

  report = run (f, &error);
  g_assert_null (report);
  assert_failed_cleanly (f, &c, error, before);

  /* What went out is what the client read plus the sockets' buffers: with
   * a Content-Length over the cap it reads none of it, without one not
   * much past the cap. Never the whole 100 MB. */
  sent = cs_sim_server_get_body_bytes_sent (f->sim, service);
  if (chunked)
    g_assert_cmpuint (sent, <, CS_HTTP_MAX_BODY + 16 * 1024 * 1024);
  else
    g_assert_cmpuint (sent, <, CS_HTTP_MAX_BODY);
  g_assert_cmpuint (sent, <, huge);

  assert_recovers (f, error);
}

static void
test_huge_body_announced (Fixture       *f,
                          gconstpointer  data)
{
  check_huge_body (f, GPOINTER_TO_UINT (data), FALSE);
}

static void
test_huge_body_chunked (Fixture       *f,
                        gconstpointer  data)
{
  check_huge_body (f, GPOINTER_TO_UINT (data), TRUE);
}

/* Runs that go on despite the fault */

/* Two 429 with a short Retry-After: waited out, and the run is complete. */
static void
test_429_waited_out (Fixture       *f,
                     gconstpointer  data)
{
  CsSimService service = GPOINTER_TO_UINT (data);
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;
  CsSimFaults faults;

  cs_sim_faults_init (&faults);
  faults.storm_429 = 2;
  faults.storm_retry_after = 5;
  set_fault (f, service, &faults);

  report = run (f, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (report->run->result, ==, CS_RUN_RESULT_OK);
  cs_sim_server_get_faults (f->sim, service, &faults);
  g_assert_cmpuint (faults.storm_429, ==, 0);
  check_truth (f, TRUE);
}

/* A JSON body under a text/html label is still JSON: the label is not
 * what the client trusts, the body is. */
static void
test_json_as_html (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;
  CsSimFaults faults;

  cs_sim_faults_init (&faults);
  faults.content_type = "text/html; charset=utf-8";
  set_fault (f, GPOINTER_TO_UINT (data), &faults);

  report = run (f, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (report->run->result, ==, CS_RUN_RESULT_OK);
  check_truth (f, TRUE);
}

/* Rows that come twice on later pages: the listing is read again, and what
 * still moves decides no orphan; what the cache knew stays. */
static void
test_duplicate_rows (Fixture       *f,
                     gconstpointer  data)
{
  CsSimService service = GPOINTER_TO_UINT (data);
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;
  CsSimFaults faults;

  baseline (f);
  cs_sim_faults_init (&faults);
  faults.duplicate_rows = 3;
  set_fault (f, service, &faults);

  report = run (f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->n_drifted_listings, ==, 1);
  g_assert_false (report->suspect);
  check_truth (f, TRUE);

  /* The listing was read three times: once, and twice again. */
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, service == CS_SIM_SERVICE_CALCOM
                                                              ? CS_SIM_CALCOM_LIST
                                                              : CS_SIM_BACKEND_LIST), >=, 3 * 2);
}

/* Rows with a string where a number belongs: each is refused (and logged),
 * the others are decided, and the partners of the refused ones are not
 * taken for orphans. */
static void
test_ill_typed_rows (Fixture       *f,
                     gconstpointer  data)
{
  CsSimService service = GPOINTER_TO_UINT (data);
  CsSimDataset *dataset = cs_sim_server_get_dataset (f->sim);
  g_autoptr(GPtrArray) keys = cs_sim_dataset_ill_type_rows (dataset, service, 5);
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (keys->len, ==, 5);
  report = run (f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->n_rejected, ==, 5);
  g_assert_false (report->suspect);
  check_truth (f, FALSE);

  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = g_ptr_array_index (keys, i);

      if (service == CS_SIM_SERVICE_CALCOM)
        {
          g_autoptr(CsBooking) cached = cs_store_get_booking (f->store, key, NULL);

          /* Refused, so not stored as read. */
          g_assert_null (cached);
        }
      else
        {
          g_autoptr(CsAppointment) cached =
            cs_store_get_appointment (f->store, g_ascii_strtoll (key, NULL, 10), NULL);

          g_assert_null (cached);
        }
    }
}

/* Another company's rows in the CRM's listing: refused, never stored (the
 * truth check asserts each is absent). */
static void
test_foreign_rows (Fixture       *f,
                   gconstpointer  data)
{
  CsSimDataset *dataset = cs_sim_server_get_dataset (f->sim);
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;
  guint foreign = cs_sim_dataset_count_category (dataset, CS_SIM_CATEGORY_FOREIGN);

  g_assert_cmpuint (foreign, >, 0);
  report = run (f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->n_foreign, ==, foreign);
  check_truth (f, TRUE);
}

/* What a customer may type, or a server may send as a customer's name:
 * markup, right-to-left overrides, emoji with joiners, SQL, quotes, a
 * backslash. It reaches the cache byte for byte and is never interpreted:
 * the statements bind it, the tables are all still there. */
static void
test_customer_text (Fixture       *f,
                    gconstpointer  data)
{
  static const char text[] =
    "<b>Müller</b> &amp; <i>Söhne</i> <script>alert(1)</script> "
    "\u202Eﺪﻤﺤﻣ\u202C שלום "
    "👩‍👩‍👧‍👦 🇩🇪 "
    "Robert'); DROP TABLE appointments;-- \"%s%n\" \\ {{x}}";
  CsSimDataset *dataset = cs_sim_server_get_dataset (f->sim);
  g_autoptr(GPtrArray) uids = cs_sim_dataset_set_customer_text (dataset, 4, text);
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *appointments = cs_sim_dataset_get_appointments (dataset);
  guint found = 0;

  g_assert_cmpuint (uids->len, ==, 4);
  report = run (f, &error);
  g_assert_no_error (error);
  check_truth (f, TRUE);

  for (guint i = 0; i < uids->len; i++)
    {
      g_autoptr(CsBooking) booking = cs_store_get_booking (f->store, g_ptr_array_index (uids, i),
                                                           NULL);

      g_assert_nonnull (booking);
      g_assert_cmpstr (booking->title, ==, text);
      g_assert_cmpuint (booking->attendees->len, >, 0);
      g_assert_cmpstr (((CsAttendee *) g_ptr_array_index (booking->attendees, 0))->name, ==, text);
    }

  for (guint i = 0; i < appointments->len; i++)
    {
      CsSimAppointment *row = g_ptr_array_index (appointments, i);
      const CsAppointment *a = row->appointment;
      g_autoptr(CsAppointment) cached = NULL;

      if (g_strcmp0 (a->title, text) != 0)
        continue;
      cached = cs_store_get_appointment (f->store, a->id, NULL);
      g_assert_nonnull (cached);
      g_assert_cmpstr (cached->title, ==, text);
      g_assert_cmpstr (cached->customer_name, ==, text);
      g_assert_cmpint (cached->sync.status, ==, CS_SYNC_STATUS_SYNCED);
      found++;
    }
  g_assert_cmpuint (found, ==, 4);

  /* A second run over the same cache: nothing was dropped. */
  g_clear_pointer (&report, cs_verify_report_free);
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_USEC_PER_MINUTE);
  report = run (f, &error);
  g_assert_no_error (error);
  check_truth (f, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, data, func) \
  g_test_add ("/calsync/faults/" path, Fixture, data, fixture_set_up, func, fixture_tear_down)
#define ADD_BOTH(name, func) \
  G_STMT_START { \
    ADD (name "/calcom", GUINT_TO_POINTER (CS_SIM_SERVICE_CALCOM), func); \
    ADD (name "/backend", GUINT_TO_POINTER (CS_SIM_SERVICE_BACKEND), func); \
  } G_STMT_END

  for (guint i = 0; i < G_N_ELEMENTS (fail_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/calsync/faults/%s/%s", fail_names[i / 2],
                                               cs_sim_service_to_string (fail_cases[i].service));

      g_test_add (path, Fixture, &fail_cases[i], fixture_set_up, test_failing_run,
                  fixture_tear_down);
    }

  ADD_BOTH ("refused", test_refused);
  ADD_BOTH ("stalled-body", test_stalled_body);
  ADD_BOTH ("dripping-body", test_dripping_body);
  ADD_BOTH ("huge-body-announced", test_huge_body_announced);
  ADD_BOTH ("huge-body-chunked", test_huge_body_chunked);
  ADD_BOTH ("429-waited-out", test_429_waited_out);
  ADD_BOTH ("json-as-html", test_json_as_html);
  ADD_BOTH ("duplicate-rows", test_duplicate_rows);
  ADD_BOTH ("ill-typed-rows", test_ill_typed_rows);
  ADD ("foreign-rows", NULL, test_foreign_rows);
  ADD ("customer-text", NULL, test_customer_text);

  return g_test_run ();
}
