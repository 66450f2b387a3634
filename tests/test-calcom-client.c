/* test-calcom-client.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-calcom-client.h"
#include "cs-contract.h"
#include "cs-net-error.h"
#include "net-test-util.h"

/* The Cal.com client against the simulator on loopback: real libsoup, real
 * sockets, the simulator's clock shared with the client's. Every request
 * the client sent is checked against the OpenAPI subset at the end of each
 * test. */

typedef struct
{
  CsClock        *clock;
  CsSimServer    *sim;
  CsCalcomClient *client;
  CsOpenApi      *api;
} Fixture;

static void
make_client (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&f->client);
  f->client = cs_calcom_client_new (cs_sim_server_get_calcom_url (f->sim), f->clock, &error);
  g_assert_no_error (error);
  cs_calcom_client_set_api_key (f->client, cs_sim_server_get_calcom_api_key (f->sim));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *spec = g_test_build_filename (G_TEST_DIST, "data", "calcom",
                                                 "openapi-bookings.json", NULL);

  f->clock = cs_manual_clock_new (NET_TEST_NOW);
  f->sim = net_test_start_sim (f->clock, GPOINTER_TO_UINT (data), 7);
  f->api = cs_openapi_load (spec, &error);
  g_assert_no_error (error);
  /* Cal.com answers with its database's statuses, `awaiting_host` too,
   * which the published document leaves out (NOTES.md). */
  g_assert_cmpuint (cs_openapi_extend_enum (f->api, "rejected", "awaiting_host"), >, 0);
  make_client (f);
}

/* Every request the client built is one the contract knows. */
static void
check_contract (Fixture *f)
{
  GPtrArray *requests = cs_sim_server_get_requests (f->sim);

  for (guint i = 0; i < requests->len; i++)
    {
      const CsSimRequest *r = g_ptr_array_index (requests, i);
      g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
      g_auto(GStrv) header_names = NULL;
      g_autoptr(GError) error = NULL;
      SoupMessageHeadersIter iter;
      const char *name, *value;

      if (r->service != CS_SIM_SERVICE_CALCOM)
        continue;

      soup_message_headers_iter_init (&iter, r->headers);
      while (soup_message_headers_iter_next (&iter, &name, &value))
        g_strv_builder_add (names, name);
      header_names = g_strv_builder_end (names);

      cs_openapi_validate_request (f->api, r->method, r->path, r->query,
                                   (const char * const *) header_names, r->body, &error);
      g_assert_no_error (error);
    }
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  check_contract (f);
  g_clear_object (&f->client);
  cs_sim_server_stop (f->sim);
  g_clear_object (&f->sim);
  g_clear_pointer (&f->api, cs_openapi_free);
  g_clear_object (&f->clock);
}

static CsCalcomListing *
list_window (Fixture  *f,
             GError  **error)
{
  NetTestAsync async = { NULL };
  g_autoptr(GAsyncResult) result = NULL;

  cs_calcom_client_list_bookings_async (f->client,
                                        NET_TEST_NOW - 365 * CS_USEC_PER_DAY,
                                        NET_TEST_NOW + 365 * CS_USEC_PER_DAY,
                                        CS_TIME_UNSET, NULL, net_test_async_cb, &async);
  result = net_test_wait (&async, f->clock, cs_calcom_client_get_http (f->client));

  return cs_calcom_client_list_bookings_finish (f->client, result, error);
}

static gint64
first_event_type (void)
{
  guint n_types = 0;
  const CsSimEventType *types = cs_sim_get_event_types (&n_types);

  g_assert_cmpuint (n_types, >, 0);
  return types[0].id;
}

static void
add_bookings (Fixture *f,
              guint    n)
{
  CsSimDataset *dataset = cs_sim_server_get_dataset (f->sim);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *uid = g_strdup_printf ("paging-%05u", i);
      g_autoptr(CsBooking) booking = cs_booking_new (uid);

      booking->start = NET_TEST_NOW + (CsTime) i * 15 * CS_USEC_PER_MINUTE;
      booking->end = booking->start + 30 * CS_USEC_PER_MINUTE;
      booking->event_type_id = first_event_type ();
      cs_booking_add_attendee (booking, "Kunde", "kunde@example.test", NULL);
      cs_sim_dataset_put_booking (dataset, booking);
    }
}

static void
check_paging (Fixture *f,
              guint    n,
              guint    expected_pages)
{
  g_autoptr(CsCalcomListing) listing = NULL;
  g_autoptr(GHashTable) uids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;

  add_bookings (f, n);
  listing = list_window (f, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (listing->bookings->len, ==, n);
  g_assert_cmpuint (listing->n_pages, ==, expected_pages);
  g_assert_cmpuint (listing->n_rejected, ==, 0);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_CALCOM_LIST), ==,
                    expected_pages);

  /* In the server's order (creation), each once. */
  for (guint i = 0; i < listing->bookings->len; i++)
    {
      CsBooking *booking = g_ptr_array_index (listing->bookings, i);
      g_autofree char *expected = g_strdup_printf ("paging-%05u", i);

      g_assert_cmpstr (booking->uid, ==, expected);
      g_assert_true (g_hash_table_add (uids, booking->uid));
    }
}

static void
test_paging_1 (Fixture       *f,
               gconstpointer  data)
{
  check_paging (f, 1, 1);
}

static void
test_paging_250 (Fixture       *f,
                 gconstpointer  data)
{
  check_paging (f, 250, 1);
}

static void
test_paging_251 (Fixture       *f,
                 gconstpointer  data)
{
  check_paging (f, 251, 2);
}

/* Pages after the first step 249 bookings: each starts with the previous
 * page's last one, so 10,000 take 1 + ⌈9,750 / 249⌉ pages. */
static void
test_paging_10000 (Fixture       *f,
                   gconstpointer  data)
{
  check_paging (f, 10000, 41);
}

/* With afterUpdatedAt, Cal.com's totals count every booking of the window
 * (NOTES.md): the listing goes page by page and stops at the first page
 * that is not full, instead of fetching the pages the totals announce. */
static void
test_incremental_stops_at_short_page (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(CsCalcomListing) listing = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NetTestAsync async = { NULL };
  CsSimDataset *dataset = cs_sim_server_get_dataset (f->sim);
  CsTime since;

  add_bookings (f, 1000);
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_USEC_PER_HOUR);
  since = cs_clock_get_now (f->clock) - CS_USEC_PER_MINUTE;
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *uid = g_strdup_printf ("paging-%05u", i * 3);

      cs_sim_dataset_touch_booking (dataset, cs_sim_dataset_lookup_booking (dataset, uid));
    }

  cs_calcom_client_list_bookings_async (f->client,
                                        NET_TEST_NOW - 365 * CS_USEC_PER_DAY,
                                        NET_TEST_NOW + 365 * CS_USEC_PER_DAY,
                                        since, NULL, net_test_async_cb, &async);
  result = net_test_wait (&async, f->clock, cs_calcom_client_get_http (f->client));
  listing = cs_calcom_client_list_bookings_finish (f->client, result, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (listing->bookings->len, ==, 300);
  g_assert_cmpuint (listing->n_pages, ==, 2);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_CALCOM_LIST), ==, 2);
}

static void
test_shift_reread (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(CsBooking) early = cs_booking_new ("created-earlier");
  g_autoptr(CsCalcomListing) listing = NULL;
  g_autoptr(GHashTable) uids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NetTestAsync async = { NULL };
  CsSimDataset *dataset = cs_sim_server_get_dataset (f->sim);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  CsSimFaults faults;
  CsSimBooking *row;

  add_bookings (f, 500);

  /* Page 1 is answered (held back by the latency) when a booking appears
   * at the front of the order: every later page shifts by one, and the
   * last booking of page 1 comes again at the top of page 2. */
  cs_sim_faults_init (&faults);
  faults.latency_ms = 200;
  cs_sim_server_set_faults (f->sim, CS_SIM_SERVICE_CALCOM, &faults);

  cs_calcom_client_list_bookings_async (f->client,
                                        NET_TEST_NOW - 365 * CS_USEC_PER_DAY,
                                        NET_TEST_NOW + 365 * CS_USEC_PER_DAY,
                                        CS_TIME_UNSET, NULL, net_test_async_cb, &async);
  while (cs_sim_server_get_n_pending (f->sim) == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (cs_sim_server_get_n_pending (f->sim), ==, 1);

  early->start = NET_TEST_NOW;
  early->end = NET_TEST_NOW + CS_USEC_PER_HOUR;
  early->event_type_id = first_event_type ();
  row = cs_sim_dataset_put_booking (dataset, early);
  row->created_at = NET_TEST_NOW - 30 * CS_USEC_PER_DAY;
  cs_sim_dataset_touch_booking (dataset, row);

  result = net_test_wait (&async, f->clock, NULL);
  listing = cs_calcom_client_list_bookings_finish (f->client, result, &error);
  g_assert_no_error (error);

  /* The listing moved (the totals grew, page 2 repeats page 1's last
   * booking twice): it was read again, and the second read held still,
   * with the newcomer in it. */
  g_assert_cmpuint (listing->n_reads, ==, 2);
  g_assert_false (listing->drifted);
  g_assert_cmpuint (listing->n_duplicates, ==, 0);
  g_assert_cmpuint (listing->bookings->len, ==, 501);
  g_assert_cmpuint (listing->n_pages, ==, 3);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_CALCOM_LIST), ==, 6);
  for (guint i = 0; i < listing->bookings->len; i++)
    g_assert_true (g_hash_table_add (uids, ((CsBooking *) g_ptr_array_index (listing->bookings, i))->uid));
  g_assert_true (g_hash_table_contains (uids, "created-earlier"));
}

/* Bookings deleted after page 1 shift the later pages forward: page 2 no
 * longer starts with page 1's last booking, and the totals shrink. Moving
 * once, the listing is read again and lacks nothing; moving on every read,
 * it is read three times and says it drifted. */
static void
check_drift (Fixture  *f,
             gboolean  every_listing)
{
  g_autoptr(CsCalcomListing) listing = NULL;
  g_autoptr(GError) error = NULL;
  CsSimFaults faults;

  add_bookings (f, 600);
  cs_sim_faults_init (&faults);
  faults.drift_after_page = 1;
  faults.drift_rows = -5;
  faults.drift_every_listing = every_listing;
  cs_sim_server_set_faults (f->sim, CS_SIM_SERVICE_CALCOM, &faults);

  listing = list_window (f, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (listing->n_reads, ==, every_listing ? 3 : 2);
  g_assert_cmpuint (listing->drifted, ==, every_listing);
  g_assert_cmpuint (listing->n_pages, ==, 3);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_CALCOM_LIST), ==,
                    3 * listing->n_reads);
  if (!every_listing)
    g_assert_cmpuint (listing->bookings->len, ==,
                      cs_sim_dataset_get_bookings (cs_sim_server_get_dataset (f->sim))->len);
}

static void
test_drift_reread (Fixture       *f,
                   gconstpointer  data)
{
  check_drift (f, FALSE);
}

static void
test_drift_flagged (Fixture       *f,
                    gconstpointer  data)
{
  check_drift (f, TRUE);
}

/* A booking over 64 KiB is refused, said in the log by uid (never its
 * content), and named in the listing so its appointment stays undecided. */
static void
test_refused_uids (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CsCalcomListing) listing = NULL;
  g_autoptr(GError) error = NULL;
  CsSimBooking *row;

  add_bookings (f, 3);
  row = cs_sim_dataset_lookup_booking (cs_sim_server_get_dataset (f->sim), "paging-00001");
  g_free (row->booking->title);
  row->booking->title = g_strnfill (64 * 1024 + 1, 'x');

  g_test_expect_message ("Calsync-Net", G_LOG_LEVEL_MESSAGE,
                         "Refused Cal.com booking paging-00001 (index 1): "
                         "booking: “title” is too long");
  listing = list_window (f, &error);
  g_assert_no_error (error);
  g_test_assert_expected_messages ();

  g_assert_cmpuint (listing->bookings->len, ==, 2);
  g_assert_cmpuint (listing->n_rejected, ==, 1);
  g_assert_cmpuint (listing->refused_uids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (listing->refused_uids, 0), ==, "paging-00001");
  g_assert_false (listing->drifted);
}

static void
test_list_dataset_parses (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CsCalcomListing) listing = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *bookings = cs_sim_dataset_get_bookings (cs_sim_server_get_dataset (f->sim));
  const CsSimRequest *request;

  listing = list_window (f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listing->bookings->len, ==, bookings->len);

  /* Every booking the simulator holds comes back with its instants. */
  for (guint i = 0; i < listing->bookings->len; i++)
    {
      CsBooking *got = g_ptr_array_index (listing->bookings, i);
      CsSimBooking *row = cs_sim_dataset_lookup_booking (cs_sim_server_get_dataset (f->sim),
                                                         got->uid);

      g_assert_nonnull (row);
      g_assert_cmpint (got->start, ==, row->booking->start);
      g_assert_cmpint (got->end, ==, row->booking->end);
      g_assert_cmpint (got->status, ==, row->booking->status);
      g_assert_cmpstr (cs_booking_get_crm_appointment_id (got), ==,
                       cs_booking_get_crm_appointment_id (row->booking));
    }

  /* All statuses, the window, the stable sort and the version header. */
  request = cs_sim_server_get_last_request (f->sim, CS_SIM_CALCOM_LIST);
  g_assert_nonnull (strstr (request->query, "status=upcoming%2Crecurring%2Cpast%2Ccancelled%2Cunconfirmed"));
  g_assert_nonnull (strstr (request->query, "afterStart="));
  g_assert_nonnull (strstr (request->query, "beforeEnd="));
  g_assert_nonnull (strstr (request->query, "sortCreated=asc"));
  g_assert_nonnull (strstr (request->query, "take=250"));
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "cal-api-version"), ==,
                   "2024-08-13");
}

static void
test_get_booking (Fixture       *f,
                  gconstpointer  data)
{
  NetTestAsync async = { NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsBooking) booking = NULL;
  GPtrArray *bookings = cs_sim_dataset_get_bookings (cs_sim_server_get_dataset (f->sim));
  CsSimBooking *row = g_ptr_array_index (bookings, 0);

  cs_calcom_client_get_booking_async (f->client, row->booking->uid, NULL, net_test_async_cb, &async);
  result = net_test_wait (&async, f->clock, NULL);
  booking = cs_calcom_client_get_booking_finish (f->client, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (booking->uid, ==, row->booking->uid);
  g_assert_cmpint (booking->start, ==, row->booking->start);
  g_clear_object (&result);

  /* An unknown uid is a finding ("not found"), told apart from failures. */
  cs_calcom_client_get_booking_async (f->client, "no-such-uid", NULL, net_test_async_cb, &async);
  result = net_test_wait (&async, f->clock, NULL);
  g_assert_null (cs_calcom_client_get_booking_finish (f->client, result, &error));
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_NOT_FOUND);
  g_assert_false (cs_net_error_is_retryable (error));
  g_assert_nonnull (strstr (error->message, "no-such-uid"));
}

static void
test_create_and_cancel (Fixture       *f,
                        gconstpointer  data)
{
  NetTestAsync async = { NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsBooking) created = NULL;
  g_autoptr(CsBooking) cancelled = NULL;
  CsCalcomCreateRequest request = {
    .event_type_id = first_event_type (),
    .start = NET_TEST_NOW + 2 * CS_USEC_PER_DAY,
    .attendee_name = "Tom Klein",
    .attendee_email = "tom.klein@example.test",
    .attendee_phone = "+49 123 456789",
    .time_zone = "Europe/Berlin",
    .crm_appointment_id = 1236,
    .crm_company_id = 3,
  };

  cs_calcom_client_create_booking_async (f->client, &request, NULL, net_test_async_cb, &async);
  result = net_test_wait (&async, f->clock, NULL);
  created = cs_calcom_client_create_booking_finish (f->client, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (created->uid);
  g_assert_cmpint (created->start, ==, request.start);
  /* The event type's own length. */
  g_assert_cmpint (created->end, ==,
                   request.start +
                   cs_sim_lookup_event_type (request.event_type_id)->minutes * CS_USEC_PER_MINUTE);
  g_assert_cmpstr (cs_booking_get_crm_appointment_id (created), ==, "1236");
  g_assert_cmpstr (cs_booking_get_metadata (created, CS_METADATA_CRM_COMPANY_ID), ==, "3");
  g_assert_cmpuint (cs_sim_server_get_created_bookings (f->sim)->len, ==, 1);
  g_clear_object (&result);

  cs_calcom_client_cancel_booking_async (f->client, created->uid, "Kunde hat abgesagt", NULL,
                                         net_test_async_cb, &async);
  result = net_test_wait (&async, f->clock, NULL);
  cancelled = cs_calcom_client_cancel_booking_finish (f->client, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cancelled->status, ==, CS_BOOKING_STATUS_CANCELLED);
  g_assert_cmpuint (cs_sim_server_get_cancelled_uids (f->sim)->len, ==, 1);
}

static void
test_me (Fixture       *f,
         gconstpointer  data)
{
  NetTestAsync async = { NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsCalcomMe) me = NULL;
  const CsSimRequest *request;

  cs_calcom_client_get_me_async (f->client, NULL, net_test_async_cb, &async);
  result = net_test_wait (&async, f->clock, NULL);
  me = cs_calcom_client_get_me_finish (f->client, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (me->id, >, 0);
  g_assert_nonnull (me->email);

  request = cs_sim_server_get_last_request (f->sim, CS_SIM_CALCOM_ME);
  g_assert_null (soup_message_headers_get_one (request->headers, "cal-api-version"));
}

static GError *
list_error (Fixture *f)
{
  g_autoptr(CsCalcomListing) listing = NULL;
  GError *error = NULL;

  listing = list_window (f, &error);
  g_assert_null (listing);
  g_assert_nonnull (error);

  return error;
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  CsSimFaults faults;
  GError *error;

  /* A rejected key. */
  cs_calcom_client_set_api_key (f->client, "cal_live_wrong");
  error = list_error (f);
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_UNAUTHORIZED);
  g_clear_error (&error);
  cs_calcom_client_set_api_key (f->client, cs_sim_server_get_calcom_api_key (f->sim));

  /* The server fails. */
  cs_sim_faults_init (&faults);
  faults.force_status = 500;
  cs_sim_server_set_faults (f->sim, CS_SIM_SERVICE_CALCOM, &faults);
  error = list_error (f);
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_SERVER);
  g_assert_true (cs_net_error_is_retryable (error));
  g_clear_error (&error);

  /* A body cut short, and an HTML page instead of JSON. */
  cs_sim_faults_init (&faults);
  faults.truncate_body = TRUE;
  cs_sim_server_set_faults (f->sim, CS_SIM_SERVICE_CALCOM, &faults);
  error = list_error (f);
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
  g_clear_error (&error);

  cs_sim_faults_init (&faults);
  faults.non_json_status = 200;
  cs_sim_server_set_faults (f->sim, CS_SIM_SERVICE_CALCOM, &faults);
  error = list_error (f);
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);
  g_clear_error (&error);

  /* A body over the cap. */
  cs_sim_faults_init (&faults);
  faults.oversize_bytes = 2 * 1024 * 1024;
  cs_sim_server_set_faults (f->sim, CS_SIM_SERVICE_CALCOM, &faults);
  cs_http_client_set_max_body (cs_calcom_client_get_http (f->client), 1024 * 1024);
  error = list_error (f);
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_TOO_LARGE);
  g_clear_error (&error);

  cs_sim_server_clear_faults (f->sim, CS_SIM_SERVICE_CALCOM);
}

static void
test_storm_429 (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CsCalcomListing) listing = NULL;
  g_autoptr(GError) error = NULL;
  CsSimFaults faults;

  /* Two 429s, one with Retry-After and one without: both waited out. */
  cs_sim_faults_init (&faults);
  faults.storm_429 = 2;
  faults.storm_retry_after = 3;
  cs_sim_server_set_faults (f->sim, CS_SIM_SERVICE_CALCOM, &faults);

  listing = list_window (f, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cs_clock_get_now (f->clock), >=, NET_TEST_NOW + 6 * CS_USEC_PER_SECOND);
}

static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  NetTestAsync async = { NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CsSimFaults faults;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  cs_sim_faults_init (&faults);
  faults.latency_ms = 60 * 1000;
  cs_sim_server_set_faults (f->sim, CS_SIM_SERVICE_CALCOM, &faults);

  cs_calcom_client_get_booking_async (f->client, "slow", NULL, net_test_async_cb, &async);
  while (cs_sim_server_get_n_pending (f->sim) == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (cs_sim_server_get_n_pending (f->sim), ==, 1);

  /* A minute passes on the client's clock while the server holds on. */
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_HTTP_TOTAL_TIMEOUT);
  result = net_test_wait (&async, f->clock, NULL);
  g_assert_null (cs_calcom_client_get_booking_finish (f->client, result, &error));
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_TIMEOUT);
}

static void
test_cancel_mid_listing (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  NetTestAsync async = { NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CsSimFaults faults;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  cs_sim_faults_init (&faults);
  faults.latency_ms = 60 * 1000;
  cs_sim_server_set_faults (f->sim, CS_SIM_SERVICE_CALCOM, &faults);

  cs_calcom_client_list_bookings_async (f->client, NET_TEST_NOW - CS_USEC_PER_DAY,
                                        NET_TEST_NOW + CS_USEC_PER_DAY, CS_TIME_UNSET,
                                        cancellable, net_test_async_cb, &async);
  while (cs_sim_server_get_n_pending (f->sim) == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_cancellable_cancel (cancellable);
  result = net_test_wait (&async, f->clock, NULL);
  g_assert_null (cs_calcom_client_list_bookings_finish (f->client, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_connection_refused (Fixture       *f,
                         gconstpointer  data)
{
  GError *error;

  cs_sim_server_stop (f->sim);
  error = list_error (f);
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_NETWORK);
  g_clear_error (&error);
}

typedef struct
{
  guint done;
  guint failed;
  guint rate_limited;
} Burst;

static void
burst_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Burst *burst = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsBooking) booking = NULL;

  booking = cs_calcom_client_get_booking_finish (CS_CALCOM_CLIENT (object), result, &error);
  burst->done++;
  if (error != NULL)
    burst->failed++;
  if (g_error_matches (error, CS_NET_ERROR, CS_NET_ERROR_RATE_LIMITED))
    burst->rate_limited++;
}

static void
test_limiter_600_requests (Fixture       *f,
                           gconstpointer  data)
{
  GPtrArray *bookings = cs_sim_dataset_get_bookings (cs_sim_server_get_dataset (f->sim));
  CsHttpClient *http = cs_calcom_client_get_http (f->client);
  CsSimRateLimit limit;
  Burst burst = { 0 };
  GPtrArray *requests;
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  /* Cal.com's published limit, enforced by the simulator on the shared
   * clock: 120 a minute, then blocked for the rest of the window. */
  cs_sim_rate_limit_init (&limit);
  limit.enabled = TRUE;
  cs_sim_server_set_rate_limit (f->sim, &limit);

  for (guint i = 0; i < 600; i++)
    {
      CsSimBooking *row = g_ptr_array_index (bookings, i % bookings->len);

      cs_calcom_client_get_booking_async (f->client, row->booking->uid, NULL, burst_cb, &burst);
    }

  while (burst.done < 600 && g_get_monotonic_time () < deadline)
    {
      if (g_main_context_iteration (NULL, FALSE))
        continue;
      if (cs_http_client_get_n_in_flight (http) == 0 &&
          cs_manual_clock_advance_to_next (CS_MANUAL_CLOCK (f->clock)))
        continue;
      g_main_context_iteration (NULL, TRUE);
    }

  g_assert_cmpuint (burst.done, ==, 600);
  g_assert_cmpuint (burst.failed, ==, 0);

  /* Not one request was answered 429: the client stayed under the limit. */
  requests = cs_sim_server_get_requests (f->sim);
  for (guint i = 0; i < requests->len; i++)
    g_assert_cmpuint (((CsSimRequest *) g_ptr_array_index (requests, i))->status, !=, 429);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_CALCOM_GET), ==, 600);

  /* And it took at least the four extra windows it had to. */
  g_assert_cmpint (cs_clock_get_now (f->clock), >=, NET_TEST_NOW + 4 * 60 * CS_USEC_PER_SECOND);
}

static void
test_sim_responses_match_contract (Fixture       *f,
                                   gconstpointer  data)
{
  static const char * const paths[] = {
    "/me",
    "/bookings?status=upcoming,recurring,past,cancelled,unconfirmed&take=250&skip=0",
    "/bookings/no-such-uid",
  };
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *auth = g_strdup_printf ("Bearer %s", cs_sim_server_get_calcom_api_key (f->sim));
  GPtrArray *bookings = cs_sim_dataset_get_bookings (cs_sim_server_get_dataset (f->sim));
  g_autofree char *one = g_strdup_printf ("/bookings/%s",
                                          ((CsSimBooking *) g_ptr_array_index (bookings, 0))->booking->uid);

  for (guint i = 0; i <= G_N_ELEMENTS (paths); i++)
    {
      const char *path = i < G_N_ELEMENTS (paths) ? paths[i] : one;
      g_autofree char *url = g_strconcat (cs_sim_server_get_calcom_url (f->sim), path, NULL);
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
      g_autoptr(GBytes) body = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *full_path = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      NetTestAsync async = { NULL };
      GUri *uri = soup_message_get_uri (msg);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "cal-api-version",
                                    "2024-08-13");
      /* Asynchronous: the simulator answers from this same main context. */
      soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, net_test_async_cb,
                                        &async);
      result = net_test_wait (&async, f->clock, NULL);
      body = soup_session_send_and_read_finish (session, result, &error);
      g_assert_no_error (error);

      full_path = g_strdup (g_uri_get_path (uri));
      cs_openapi_validate_response (f->api, "GET", full_path, soup_message_get_status (msg), body,
                                    &error);
      g_assert_no_error (error);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, n, func) \
  g_test_add ("/calsync/net/calcom/" path, Fixture, GUINT_TO_POINTER (n), \
              fixture_set_up, func, fixture_tear_down)

  ADD ("paging-1", 0, test_paging_1);
  ADD ("paging-250", 0, test_paging_250);
  ADD ("paging-251", 0, test_paging_251);
  ADD ("paging-10000", 0, test_paging_10000);
  ADD ("shift-reread", 0, test_shift_reread);
  ADD ("drift-reread", 0, test_drift_reread);
  ADD ("drift-flagged", 0, test_drift_flagged);
  ADD ("refused-uids", 0, test_refused_uids);
  ADD ("incremental-stops-at-short-page", 0, test_incremental_stops_at_short_page);
  ADD ("list-dataset-parses", 500, test_list_dataset_parses);
  ADD ("get-booking", 50, test_get_booking);
  ADD ("create-and-cancel", 10, test_create_and_cancel);
  ADD ("me", 0, test_me);
  ADD ("errors", 50, test_errors);
  ADD ("storm-429", 50, test_storm_429);
  ADD ("timeout", 10, test_timeout);
  ADD ("cancel-mid-listing", 10, test_cancel_mid_listing);
  ADD ("connection-refused", 10, test_connection_refused);
  ADD ("limiter-600-requests", 200, test_limiter_600_requests);
  ADD ("sim-responses-match-contract", 50, test_sim_responses_match_contract);

#undef ADD

  return g_test_run ();
}
