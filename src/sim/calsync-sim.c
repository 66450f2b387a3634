/* calsync-sim.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>

#include "cs-sim-server.h"

/* The standalone simulator: generates a dataset, serves both APIs on
 * 127.0.0.1 until SIGINT or SIGTERM, prints the base URLs and tokens a
 * client needs. It logs request lines with --verbose (G_MESSAGES_DEBUG),
 * never customer data. */

typedef struct
{
  int       appointments;
  int       seed;
  int       company;
  int       calcom_port;
  int       backend_port;
  int       past_days;
  int       future_days;
  char     *role;
  char     *truth;
  char     *calcom_key;
  char     *backend_token;

  gboolean  rate_limit;
  int       rate_limit_max;
  int       rate_limit_window;
  gboolean  rate_limit_retry_after;

  char     *fault_target;
  int       fault_seed;
  int       latency_ms;
  double    error_rate;
  int       force_status;
  int       storm_429;
  int       storm_retry_after;
  int       downtime_after;
  int       downtime_for;
  gboolean  downtime_drop;
  gboolean  truncate_body;
  int       non_json_status;
  int       slow_body_ms;
  int       slow_chunk_bytes;
  int       oversize_bytes;
  int       drift_after_page;
  int       drift_rows;
  gboolean  drift_every_listing;
  int       oversized_titles;
  int       skip_requests;
  char     *body;
  char     *content_type;
  int       cut_after_bytes;
  int       stall_after_bytes;
  gboolean  stall_body;
  double    huge_body_mb;
  gboolean  huge_body_chunked;
  int       duplicate_rows;
  char     *redirect_to;
  int       ill_typed_rows;
  gboolean  verbose;
} Options;

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);

  return G_SOURCE_REMOVE;
}

static gboolean
check_range (const char  *name,
             int          value,
             int          minimum,
             int          maximum,
             GError     **error)
{
  if (value >= minimum && value <= maximum)
    return TRUE;

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "--%s must lie between %d and %d", name, minimum, maximum);
  return FALSE;
}

static gboolean
check_options (const Options  *o,
               GError        **error)
{
  if (!check_range ("appointments", o->appointments, 0, 10000000, error) ||
      !check_range ("seed", o->seed, 0, G_MAXINT, error) ||
      !check_range ("company", o->company, 1, G_MAXINT, error) ||
      !check_range ("calcom-port", o->calcom_port, 0, 65535, error) ||
      !check_range ("backend-port", o->backend_port, 0, 65535, error) ||
      !check_range ("past-days", o->past_days, 2, 3650, error) ||
      !check_range ("future-days", o->future_days, 2, 3650, error) ||
      !check_range ("rate-limit-max", o->rate_limit_max, 1, G_MAXINT, error) ||
      !check_range ("rate-limit-window", o->rate_limit_window, 1, 86400, error) ||
      !check_range ("latency-ms", o->latency_ms, 0, 600000, error) ||
      !check_range ("force-status", o->force_status, 0, 599, error) ||
      !check_range ("storm-429", o->storm_429, 0, G_MAXINT, error) ||
      !check_range ("storm-retry-after", o->storm_retry_after, 0, 86400, error) ||
      !check_range ("downtime-after", o->downtime_after, 0, G_MAXINT, error) ||
      !check_range ("downtime-for", o->downtime_for, 0, G_MAXINT, error) ||
      !check_range ("non-json-status", o->non_json_status, 0, 599, error) ||
      !check_range ("slow-body-ms", o->slow_body_ms, 0, 600000, error) ||
      !check_range ("slow-chunk-bytes", o->slow_chunk_bytes, 0, G_MAXINT, error) ||
      !check_range ("oversize-bytes", o->oversize_bytes, 0, G_MAXINT, error) ||
      !check_range ("drift-after-page", o->drift_after_page, 0, G_MAXINT, error) ||
      !check_range ("drift-rows", o->drift_rows, -100000, 100000, error) ||
      !check_range ("oversized-titles", o->oversized_titles, 0, G_MAXINT, error) ||
      !check_range ("skip-requests", o->skip_requests, 0, G_MAXINT, error) ||
      !check_range ("cut-after-bytes", o->cut_after_bytes, 0, G_MAXINT, error) ||
      !check_range ("stall-after-bytes", o->stall_after_bytes, 0, G_MAXINT, error) ||
      !check_range ("duplicate-rows", o->duplicate_rows, 0, 100000, error) ||
      !check_range ("ill-typed-rows", o->ill_typed_rows, 0, G_MAXINT, error))
    return FALSE;

  if (!(o->huge_body_mb >= 0.0 && o->huge_body_mb <= 1024 * 1024))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--huge-body-mb must lie between 0 and 1048576");
      return FALSE;
    }

  if (o->body != NULL)
    {
      CsSimBody body;

      if (!cs_sim_body_from_string (o->body, &body))
        {
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               "--body must be empty, null, garbage, deep or html");
          return FALSE;
        }
    }

  if (!(o->error_rate >= 0.0 && o->error_rate <= 1.0))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--error-rate must lie between 0 and 1");
      return FALSE;
    }

  if (g_strcmp0 (o->role, "admin") != 0 && g_strcmp0 (o->role, "manager") != 0 &&
      g_strcmp0 (o->role, "staff") != 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--role must be admin, manager or staff");
      return FALSE;
    }

  if (g_strcmp0 (o->fault_target, "calcom") != 0 && g_strcmp0 (o->fault_target, "backend") != 0 &&
      g_strcmp0 (o->fault_target, "both") != 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--faults must be calcom, backend or both");
      return FALSE;
    }

  return TRUE;
}

static void
apply_faults (CsSimServer   *server,
              const Options *o,
              CsTime         now)
{
  CsSimFaults faults;

  cs_sim_faults_init (&faults);
  faults.latency_ms = (guint) o->latency_ms;
  faults.error_rate = o->error_rate;
  faults.force_status = (guint) o->force_status;
  faults.storm_429 = (guint) o->storm_429;
  faults.storm_retry_after = (guint) o->storm_retry_after;
  if (o->downtime_for > 0)
    {
      faults.downtime_from = now + (gint64) o->downtime_after * CS_USEC_PER_SECOND;
      faults.downtime_until = faults.downtime_from + (gint64) o->downtime_for * CS_USEC_PER_SECOND;
    }
  faults.downtime_drop = o->downtime_drop;
  faults.truncate_body = o->truncate_body;
  faults.non_json_status = (guint) o->non_json_status;
  faults.slow_body_delay_ms = (guint) o->slow_body_ms;
  faults.slow_body_chunk_bytes = (gsize) o->slow_chunk_bytes;
  faults.oversize_bytes = (gsize) o->oversize_bytes;
  faults.drift_after_page = (guint) o->drift_after_page;
  faults.drift_rows = o->drift_rows;
  faults.drift_every_listing = o->drift_every_listing;
  faults.skip_requests = (guint) o->skip_requests;
  if (o->body != NULL)
    cs_sim_body_from_string (o->body, &faults.body);
  /* The option strings live until the program ends, as the knobs need. */
  faults.content_type = o->content_type;
  faults.cut_after_bytes = (gsize) o->cut_after_bytes;
  faults.stall_body = o->stall_body;
  faults.stall_after_bytes = (gsize) o->stall_after_bytes;
  faults.huge_body_bytes = (gsize) (o->huge_body_mb * 1024 * 1024);
  faults.huge_body_chunked = o->huge_body_chunked;
  faults.duplicate_rows = (guint) o->duplicate_rows;
  faults.redirect_to = o->redirect_to;

  if (!g_str_equal (o->fault_target, "backend"))
    cs_sim_server_set_faults (server, CS_SIM_SERVICE_CALCOM, &faults);
  if (!g_str_equal (o->fault_target, "calcom"))
    cs_sim_server_set_faults (server, CS_SIM_SERVICE_BACKEND, &faults);

  /* Data, not an answer's fault: the same rows in every answer. */
  for (CsSimService service = 0; o->oversized_titles > 0 && service <= CS_SIM_SERVICE_LAST;
       service++)
    {
      g_autoptr(GPtrArray) keys = NULL;

      if (g_str_equal (o->fault_target, service == CS_SIM_SERVICE_CALCOM ? "backend" : "calcom"))
        continue;
      keys = cs_sim_dataset_oversize_titles (cs_sim_server_get_dataset (server), service,
                                             (guint) o->oversized_titles);
      g_debug ("%u %s rows carry a title over 64 KiB", keys->len,
               cs_sim_service_to_string (service));
    }

  for (CsSimService service = 0; o->ill_typed_rows > 0 && service <= CS_SIM_SERVICE_LAST;
       service++)
    {
      g_autoptr(GPtrArray) keys = NULL;

      if (g_str_equal (o->fault_target, service == CS_SIM_SERVICE_CALCOM ? "backend" : "calcom"))
        continue;
      keys = cs_sim_dataset_ill_type_rows (cs_sim_server_get_dataset (server), service,
                                           (guint) o->ill_typed_rows);
      g_debug ("%u %s rows are ill-typed", keys->len, cs_sim_service_to_string (service));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsSimDataset) dataset = NULL;
  g_autoptr(CsSimServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  CsSimDatasetConfig config;
  CsSimRateLimit rate_limit;
  CsClock *clock = cs_clock_get_system ();
  Options o = {
    .appointments = 1000,
    .seed = 1,
    .company = CS_SIM_DEFAULT_COMPANY_ID,
    .past_days = 30,
    .future_days = 90,
    .rate_limit_max = CS_SIM_DEFAULT_RATE_LIMIT,
    .rate_limit_window = CS_SIM_DEFAULT_RATE_WINDOW,
  };
  GOptionEntry entries[] = {
    { "appointments", 'n', 0, G_OPTION_ARG_INT, &o.appointments,
      "Number of appointment rows to generate (default 1000)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT, &o.seed,
      "Seed of the dataset and of the error-rate draws (default 1)", "S" },
    { "company", 0, 0, G_OPTION_ARG_INT, &o.company,
      "Company of the token and of the generated rows (default 3)", "ID" },
    { "calcom-port", 0, 0, G_OPTION_ARG_INT, &o.calcom_port,
      "Port of the Cal.com API on 127.0.0.1 (default 0: any free port)", "PORT" },
    { "backend-port", 0, 0, G_OPTION_ARG_INT, &o.backend_port,
      "Port of the backend API on 127.0.0.1 (default 0: any free port)", "PORT" },
    { "past-days", 0, 0, G_OPTION_ARG_INT, &o.past_days,
      "Appointments start from this many days ago (default 30)", "DAYS" },
    { "future-days", 0, 0, G_OPTION_ARG_INT, &o.future_days,
      "… up to this many days ahead (default 90)", "DAYS" },
    { "role", 0, 0, G_OPTION_ARG_STRING, &o.role,
      "Role of the backend user: admin (default), manager, or staff (403 on every write)",
      "ROLE" },
    { "calcom-key", 0, 0, G_OPTION_ARG_STRING, &o.calcom_key,
      "Cal.com API key to accept (default cal_test_sim_<seed>)", "KEY" },
    { "backend-token", 0, 0, G_OPTION_ARG_STRING, &o.backend_token,
      "Backend bearer token to accept (default sim_backend_<seed>)", "TOKEN" },
    { "truth", 't', 0, G_OPTION_ARG_FILENAME, &o.truth,
      "Write the ground truth (expected status and error code per appointment and per "
      "orphaned booking) as JSON to FILE", "FILE" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &o.verbose,
      "Log one line per request (method, path, status; no customer data)", NULL },
    { NULL }
  };
  GOptionEntry fraction_entries[] = {
    { "synced-metadata", 0, 0, G_OPTION_ARG_DOUBLE,
      &config.fractions[CS_SIM_CATEGORY_SYNCED_METADATA],
      "Synced, tied only by the booking's crm_appointment_id metadata (default 0.05)", "F" },
    { "other-offset", 0, 0, G_OPTION_ARG_DOUBLE,
      &config.fractions[CS_SIM_CATEGORY_OTHER_OFFSET],
      "Synced, CRM times written with another UTC offset than Berlin's (default 0.03)", "F" },
    { "orphaned-local", 0, 0, G_OPTION_ARG_DOUBLE,
      &config.fractions[CS_SIM_CATEGORY_ORPHANED_LOCAL],
      "Appointments without a booking; half name a uid that does not exist (default 0.04)",
      "F" },
    { "orphaned-calcom", 0, 0, G_OPTION_ARG_DOUBLE,
      &config.fractions[CS_SIM_CATEGORY_ORPHANED_CALCOM],
      "Extra bookings no appointment claims, as a share of N (default 0.03)", "F" },
    { "mismatch-start", 0, 0, G_OPTION_ARG_DOUBLE,
      &config.fractions[CS_SIM_CATEGORY_MISMATCH_START],
      "Linked pairs whose booking starts earlier (default 0.02)", "F" },
    { "mismatch-end", 0, 0, G_OPTION_ARG_DOUBLE,
      &config.fractions[CS_SIM_CATEGORY_MISMATCH_END],
      "Linked pairs whose booking ends later (default 0.02)", "F" },
    { "mismatch-status", 0, 0, G_OPTION_ARG_DOUBLE,
      &config.fractions[CS_SIM_CATEGORY_MISMATCH_STATUS],
      "Linked pairs with one side cancelled (default 0.02)", "F" },
    { "cancelled", 0, 0, G_OPTION_ARG_DOUBLE,
      &config.fractions[CS_SIM_CATEGORY_CANCELLED],
      "Cancelled appointments, with a cancelled booking or none (default 0.05)", "F" },
    { "suggested", 0, 0, G_OPTION_ARG_DOUBLE,
      &config.fractions[CS_SIM_CATEGORY_SUGGESTED],
      "Suggested-link pairs: no uid, no metadata, same start and e-mail (default 0.02)", "F" },
    { "foreign", 0, 0, G_OPTION_ARG_DOUBLE,
      &config.fractions[CS_SIM_CATEGORY_FOREIGN],
      "Rows of another company in the backend's list (default 0.01)", "F" },
    { "awaiting-host", 0, 0, G_OPTION_ARG_DOUBLE,
      &config.fractions[CS_SIM_CATEGORY_AWAITING_HOST],
      "Synced pairs whose booking is awaiting_host (default 0.01)", "F" },
    { "recurring", 0, 0, G_OPTION_ARG_DOUBLE,
      &config.fractions[CS_SIM_CATEGORY_RECURRING],
      "Synced occurrences of weekly recurring series of up to 4 (default 0.01)", "F" },
    { NULL }
  };
  GOptionEntry fault_entries[] = {
    { "faults", 0, 0, G_OPTION_ARG_STRING, &o.fault_target,
      "Service the fault knobs apply to: calcom, backend or both (default)", "SERVICE" },
    { "fault-seed", 0, 0, G_OPTION_ARG_INT, &o.fault_seed,
      "Seed of the error-rate draws (default: --seed)", "S" },
    { "latency-ms", 0, 0, G_OPTION_ARG_INT, &o.latency_ms,
      "Hold every answer this long", "MS" },
    { "error-rate", 0, 0, G_OPTION_ARG_DOUBLE, &o.error_rate,
      "Answer this share of requests with 500 (seeded draws)", "F" },
    { "force-status", 0, 0, G_OPTION_ARG_INT, &o.force_status,
      "Answer every request with this status, e.g. 503", "STATUS" },
    { "storm-429", 0, 0, G_OPTION_ARG_INT, &o.storm_429,
      "Answer the first N requests with 429", "N" },
    { "storm-retry-after", 0, 0, G_OPTION_ARG_INT, &o.storm_retry_after,
      "Send Retry-After: SECONDS with the storm's 429 (default: no header)", "SECONDS" },
    { "downtime-after", 0, 0, G_OPTION_ARG_INT, &o.downtime_after,
      "A downtime window starts this many seconds after start-up", "SECONDS" },
    { "downtime-for", 0, 0, G_OPTION_ARG_INT, &o.downtime_for,
      "… and lasts this long: requests in it get 503", "SECONDS" },
    { "downtime-drop", 0, 0, G_OPTION_ARG_NONE, &o.downtime_drop,
      "In the downtime window, close the connection instead of answering 503", NULL },
    { "truncate-body", 0, 0, G_OPTION_ARG_NONE, &o.truncate_body,
      "Send only the first half of every body", NULL },
    { "non-json-status", 0, 0, G_OPTION_ARG_INT, &o.non_json_status,
      "Answer an HTML error page with this status (e.g. 200 or 502)", "STATUS" },
    { "slow-body-ms", 0, 0, G_OPTION_ARG_INT, &o.slow_body_ms,
      "Send bodies in chunks with this delay between chunks", "MS" },
    { "slow-chunk-bytes", 0, 0, G_OPTION_ARG_INT, &o.slow_chunk_bytes,
      "Size of those chunks (default 256)", "BYTES" },
    { "oversize-bytes", 0, 0, G_OPTION_ARG_INT, &o.oversize_bytes,
      "Pad every JSON answer to at least this many bytes", "BYTES" },
    { "drift-after-page", 0, 0, G_OPTION_ARG_INT, &o.drift_after_page,
      "Move the next listing once this many of its pages are answered (see --drift-rows)", "K" },
    { "drift-rows", 0, 0, G_OPTION_ARG_INT, &o.drift_rows,
      "… by deleting N rows at the end of that page (N < 0) or adding N in front of it (N > 0)",
      "N" },
    { "drift-every-listing", 0, 0, G_OPTION_ARG_NONE, &o.drift_every_listing,
      "Move every listing that way, not only the next one", NULL },
    { "oversized-titles", 0, 0, G_OPTION_ARG_INT, &o.oversized_titles,
      "Give the first N synced pairs a title over 64 KiB on the fault services' side", "N" },
    { "ill-typed-rows", 0, 0, G_OPTION_ARG_INT, &o.ill_typed_rows,
      "Write a string where a number belongs in the first N synced pairs on the fault services' "
      "side (Cal.com: the booking's id; CRM: the company_id)", "N" },
    { "skip-requests", 0, 0, G_OPTION_ARG_INT, &o.skip_requests,
      "Answer the first N requests without faults (a fault in the middle of a listing)", "N" },
    { "body", 0, 0, G_OPTION_ARG_STRING, &o.body,
      "Replace every body: empty, null, garbage, deep (200,000 nested arrays) or html", "KIND" },
    { "content-type", 0, 0, G_OPTION_ARG_STRING, &o.content_type,
      "Send this Content-Type with every answer", "TYPE" },
    { "cut-after-bytes", 0, 0, G_OPTION_ARG_INT, &o.cut_after_bytes,
      "Close the connection after this many bytes of every body (the whole length announced)",
      "BYTES" },
    { "stall-body", 0, 0, G_OPTION_ARG_NONE, &o.stall_body,
      "Send --stall-after-bytes bytes of every body, then nothing, keeping the connection open",
      NULL },
    { "stall-after-bytes", 0, 0, G_OPTION_ARG_INT, &o.stall_after_bytes,
      "… how much of the body comes before the stall (default 0)", "BYTES" },
    { "huge-body-mb", 0, 0, G_OPTION_ARG_DOUBLE, &o.huge_body_mb,
      "Answer every success with a JSON object of this many MiB, made as it is sent", "MB" },
    { "huge-body-chunked", 0, 0, G_OPTION_ARG_NONE, &o.huge_body_chunked,
      "… in chunked encoding, without a Content-Length", NULL },
    { "duplicate-rows", 0, 0, G_OPTION_ARG_INT, &o.duplicate_rows,
      "Repeat the listing's first N rows on every later list page", "N" },
    { "redirect-to", 0, 0, G_OPTION_ARG_STRING, &o.redirect_to,
      "Answer every request with 307 to this URL (path and query appended)", "URL" },
    { NULL }
  };
  GOptionEntry rate_entries[] = {
    { "rate-limit", 'r', 0, G_OPTION_ARG_NONE, &o.rate_limit,
      "Enforce Cal.com's rate limit (120 requests per 60 s): X-RateLimit-*-Default headers, "
      "then 429 for a window's length from the request that went over", NULL },
    { "rate-limit-max", 0, 0, G_OPTION_ARG_INT, &o.rate_limit_max,
      "Requests per window (default 120)", "N" },
    { "rate-limit-window", 0, 0, G_OPTION_ARG_INT, &o.rate_limit_window,
      "Window length (default 60)", "SECONDS" },
    { "rate-limit-retry-after", 0, 0, G_OPTION_ARG_NONE, &o.rate_limit_retry_after,
      "Send Retry-After with the limit's 429 (real Cal.com does not)", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  cs_sim_dataset_config_init (&config);

  context = g_option_context_new ("- simulate Cal.com API v2 and the Calsync backend API");
  g_option_context_set_summary (context,
    "Serves two HTTP APIs on 127.0.0.1 over one generated dataset:\n"
    "  Cal.com API v2 (cal-api-version 2024-08-13): GET/POST /v2/bookings,\n"
    "    GET /v2/bookings/{uid}, POST /v2/bookings/{uid}/cancel, GET /v2/me\n"
    "  Backend API v1: /api/v1/me, /api/v1/appointments[/{id}[/cancel]],\n"
    "    /api/v1/appointments/sync-status, /api/v1/audit-log\n"
    "It prints both base URLs and the tokens to use, then serves until\n"
    "SIGINT or SIGTERM. The rows not covered by a fraction are synced.");
  g_option_context_set_description (context,
    "Fractions are shares of --appointments; the fault knobs apply to the\n"
    "service named by --faults.\n"
    "Faults apply in this order: downtime window, forced status, 429 storm,\n"
    "error rate; then the answer's body faults (HTML page, oversize padding,\n"
    "truncation) and its delivery (latency, slow chunks).\n"
    "\n"
    "Example: calsync-sim --appointments 10000 --seed 7 --rate-limit --truth truth.json");
  g_option_context_add_main_entries (context, entries, NULL);

  /* One group, so that --help itself lists every knob. */
  g_option_context_add_main_entries (context, fraction_entries, NULL);
  g_option_context_add_main_entries (context, rate_entries, NULL);
  g_option_context_add_main_entries (context, fault_entries, NULL);

  o.fault_seed = -1;
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("calsync-sim: %s\n", error->message);
      return 2;
    }

  if (o.role == NULL)
    o.role = g_strdup ("admin");
  if (o.fault_target == NULL)
    o.fault_target = g_strdup ("both");

  if (!check_options (&o, &error))
    {
      g_printerr ("calsync-sim: %s\n", error->message);
      return 2;
    }

  if (o.verbose)
    g_setenv ("G_MESSAGES_DEBUG", "Calsync-Sim", FALSE);

  config.seed = (guint32) o.seed;
  config.n_appointments = (guint) o.appointments;
  config.company_id = o.company;
  if (config.foreign_company_id == config.company_id)
    config.foreign_company_id = config.company_id + 1;
  config.past_days = (guint) o.past_days;
  config.future_days = (guint) o.future_days;

  dataset = cs_sim_dataset_new (clock, &config, &error);
  if (dataset == NULL)
    {
      g_printerr ("calsync-sim: %s\n", error->message);
      return 2;
    }

  server = cs_sim_server_new (clock, dataset);
  cs_sim_server_set_role (server, o.role);
  if (o.calcom_key != NULL)
    cs_sim_server_set_calcom_api_key (server, o.calcom_key);
  if (o.backend_token != NULL)
    cs_sim_server_set_backend_token (server, o.backend_token);
  if (o.fault_seed >= 0)
    cs_sim_server_set_fault_seed (server, (guint32) o.fault_seed);
  /* Nobody reads a standalone run's request list: count only. */
  cs_sim_server_set_record_requests (server, FALSE);

  cs_sim_rate_limit_init (&rate_limit);
  rate_limit.enabled = o.rate_limit;
  rate_limit.limit = (guint) o.rate_limit_max;
  rate_limit.window_seconds = (guint) o.rate_limit_window;
  rate_limit.retry_after = o.rate_limit_retry_after;
  cs_sim_server_set_rate_limit (server, &rate_limit);
  apply_faults (server, &o, cs_clock_get_now (clock));

  if (o.truth != NULL && !cs_sim_server_write_truth (server, o.truth, &error))
    {
      g_printerr ("calsync-sim: cannot write the ground truth: %s\n", error->message);
      return 1;
    }

  if (!cs_sim_server_start (server, (guint) o.calcom_port, (guint) o.backend_port, &error))
    {
      g_printerr ("calsync-sim: cannot listen: %s\n", error->message);
      return 1;
    }

  /* Stoppable before it says it serves: whoever reads the lines below may
   * send SIGTERM at once. */
  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);

  g_print ("Cal.com base URL: %s\n", cs_sim_server_get_calcom_url (server));
  g_print ("Cal.com API key:  %s\n", cs_sim_server_get_calcom_api_key (server));
  g_print ("Backend base URL: %s\n", cs_sim_server_get_backend_url (server));
  g_print ("Backend token:    %s\n", cs_sim_server_get_backend_token (server));
  g_print ("Dataset: %u appointments (company %" G_GINT64_FORMAT "), %u bookings, seed %u",
           config.n_appointments, config.company_id,
           cs_sim_dataset_get_bookings (dataset)->len, config.seed);
  for (guint c = 0; c < CS_SIM_N_CATEGORIES; c++)
    g_print ("%s %s %u", c == 0 ? ":" : ",", cs_sim_category_to_string ((CsSimCategory) c),
             cs_sim_dataset_count_category (dataset, (CsSimCategory) c));
  g_print ("\n");
  if (o.truth != NULL)
    g_print ("Ground truth: %s\n", o.truth);
  fflush (stdout);

  g_main_loop_run (loop);

  cs_sim_server_stop (server);
  g_free (o.role);
  g_free (o.truth);
  g_free (o.calcom_key);
  g_free (o.backend_token);
  g_free (o.fault_target);
  g_free (o.body);
  g_free (o.content_type);
  g_free (o.redirect_to);

  return 0;
}
