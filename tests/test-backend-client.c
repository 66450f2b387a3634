/* test-backend-client.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-backend-client.h"
#include "cs-contract.h"
#include "cs-net-error.h"
#include "net-test-util.h"

/* The backend client against the simulator on loopback. Every request the
 * client sent is checked against backend-api.md's shapes at the end of each
 * test. */

typedef struct
{
  CsClock         *clock;
  CsSimServer     *sim;
  CsBackendClient *client;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->clock = cs_manual_clock_new (NET_TEST_NOW);
  f->sim = net_test_start_sim (f->clock, GPOINTER_TO_UINT (data), 11);
  f->client = cs_backend_client_new (cs_sim_server_get_backend_url (f->sim), f->clock, &error);
  g_assert_no_error (error);
  cs_backend_client_set_token (f->client, cs_sim_server_get_backend_token (f->sim));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
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

      if (r->service != CS_SIM_SERVICE_BACKEND)
        continue;

      soup_message_headers_iter_init (&iter, r->headers);
      while (soup_message_headers_iter_next (&iter, &name, &value))
        g_strv_builder_add (names, name);
      header_names = g_strv_builder_end (names);

      cs_backend_contract_validate_request (r->method, r->path, r->query,
                                            (const char * const *) header_names, r->body, &error);
      g_assert_no_error (error);
    }

  g_clear_object (&f->client);
  cs_sim_server_stop (f->sim);
  g_clear_object (&f->sim);
  g_clear_object (&f->clock);
}

static GAsyncResult *
wait_for (Fixture      *f,
          NetTestAsync *async)
{
  return net_test_wait (async, f->clock, cs_backend_client_get_http (f->client));
}

static CsBackendListing *
list_window (Fixture  *f,
             CsTime    updated_since,
             GError  **error)
{
  NetTestAsync async = { NULL };
  g_autoptr(GAsyncResult) result = NULL;

  cs_backend_client_list_appointments_async (f->client,
                                             NET_TEST_NOW - 30 * CS_USEC_PER_DAY,
                                             NET_TEST_NOW + 90 * CS_USEC_PER_DAY,
                                             updated_since, NULL, net_test_async_cb, &async);
  result = wait_for (f, &async);

  return cs_backend_client_list_appointments_finish (f->client, result, error);
}

static void
test_me (Fixture       *f,
         gconstpointer  data)
{
  NetTestAsync async = { NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsBackendMe) me = NULL;

  g_assert_cmpint (cs_backend_client_get_company_id (f->client), ==, 0);
  cs_backend_client_get_me_async (f->client, NULL, net_test_async_cb, &async);
  result = wait_for (f, &async);
  me = cs_backend_client_get_me_finish (f->client, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (me->company_id, ==, CS_SIM_DEFAULT_COMPANY_ID);
  g_assert_cmpint (me->role, ==, CS_ROLE_ADMIN);
  g_assert_true (cs_role_may_act (me->role));
  g_assert_cmpint (cs_backend_client_get_company_id (f->client), ==, CS_SIM_DEFAULT_COMPANY_ID);
}

static void
test_list_pages_and_foreign_rows (Fixture       *f,
                                  gconstpointer  data)
{
  CsSimDataset *dataset = cs_sim_server_get_dataset (f->sim);
  g_autoptr(CsBackendListing) listing = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *all = cs_sim_dataset_get_appointments (dataset);
  guint n_foreign = cs_sim_dataset_get_foreign_ids (dataset)->len;
  guint n_pages;

  listing = list_window (f, CS_TIME_UNSET, &error);
  g_assert_no_error (error);

  /* /me first (the company), then every page of 500. */
  n_pages = (all->len + 499) / 500;
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_BACKEND_ME), ==, 1);
  g_assert_cmpuint (listing->n_pages, ==, n_pages);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_BACKEND_LIST), ==, n_pages);

  /* The other company's rows are refused and counted, ours all there. */
  g_assert_cmpuint (n_foreign, >, 0);
  g_assert_cmpuint (listing->n_foreign, ==, n_foreign);
  g_assert_cmpuint (listing->appointments->len, ==, all->len - n_foreign);
  g_assert_cmpuint (listing->n_rejected, ==, 0);
  for (guint i = 0; i < listing->appointments->len; i++)
    {
      CsAppointment *a = g_ptr_array_index (listing->appointments, i);
      CsSimAppointment *row = cs_sim_dataset_lookup_appointment (dataset, a->id);

      g_assert_cmpint (a->company_id, ==, CS_SIM_DEFAULT_COMPANY_ID);
      g_assert_cmpint (a->starts_at, ==, row->appointment->starts_at);
      g_assert_cmpint (a->ends_at, ==, row->appointment->ends_at);
      g_assert_cmpint (a->status, ==, row->appointment->status);
      g_assert_cmpstr (a->calcom_booking_uid, ==, row->appointment->calcom_booking_uid);
    }
}

/* Rows soft-deleted after page 1 shift every later page back over the
 * boundary: the totals change, the listing is read again. Moving once, the
 * second read holds still and lacks nothing; moving on every read, the
 * listing is read three times and says it drifted. */
static void
check_drift (Fixture  *f,
             gboolean  every_listing)
{
  CsSimDataset *dataset = cs_sim_server_get_dataset (f->sim);
  g_autoptr(CsBackendListing) listing = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *all;
  guint live = 0;
  CsSimFaults faults;

  cs_backend_client_set_page_size (f->client, 50);
  cs_sim_faults_init (&faults);
  faults.drift_after_page = 1;
  faults.drift_rows = -7;
  faults.drift_every_listing = every_listing;
  cs_sim_server_set_faults (f->sim, CS_SIM_SERVICE_BACKEND, &faults);

  listing = list_window (f, CS_TIME_UNSET, &error);
  g_assert_no_error (error);

  all = cs_sim_dataset_get_appointments (dataset);
  for (guint i = 0; i < all->len; i++)
    {
      const CsAppointment *a = ((CsSimAppointment *) g_ptr_array_index (all, i))->appointment;

      live += a->deleted_at == CS_TIME_UNSET && a->company_id == CS_SIM_DEFAULT_COMPANY_ID;
    }

  g_assert_cmpuint (listing->n_reads, ==, every_listing ? 3 : 2);
  g_assert_cmpuint (listing->drifted, ==, every_listing);
  if (!every_listing)
    g_assert_cmpuint (listing->appointments->len, ==, live);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_BACKEND_LIST), ==,
                    listing->n_reads * ((all->len + 49) / 50));
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

static void
test_updated_since (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CsBackendListing) listing = NULL;
  g_autoptr(GError) error = NULL;
  const CsSimRequest *request;

  listing = list_window (f, NET_TEST_NOW + CS_USEC_PER_HOUR, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listing->appointments->len, ==, 0);

  request = cs_sim_server_get_last_request (f->sim, CS_SIM_BACKEND_LIST);
  g_assert_nonnull (strstr (request->query, "updated_since=2026-11-23T10%3A00%3A00Z"));
}

static void
test_get_and_not_found (Fixture       *f,
                        gconstpointer  data)
{
  NetTestAsync async = { NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsAppointment) appointment = NULL;
  CsSimDataset *dataset = cs_sim_server_get_dataset (f->sim);
  GArray *foreign = cs_sim_dataset_get_foreign_ids (dataset);
  CsSimAppointment *row = NULL;
  GPtrArray *all = cs_sim_dataset_get_appointments (dataset);

  for (guint i = 0; i < all->len && row == NULL; i++)
    {
      CsSimAppointment *candidate = g_ptr_array_index (all, i);

      if (candidate->appointment->company_id == CS_SIM_DEFAULT_COMPANY_ID)
        row = candidate;
    }

  cs_backend_client_get_appointment_async (f->client, row->appointment->id, NULL,
                                           net_test_async_cb, &async);
  result = wait_for (f, &async);
  appointment = cs_backend_client_get_appointment_finish (f->client, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (appointment->id, ==, row->appointment->id);
  g_clear_object (&result);

  cs_backend_client_get_appointment_async (f->client, 999999999, NULL, net_test_async_cb, &async);
  result = wait_for (f, &async);
  g_assert_null (cs_backend_client_get_appointment_finish (f->client, result, &error));
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_object (&result);

  /* Another company's appointment does not exist for us. */
  g_assert_cmpuint (foreign->len, >, 0);
  cs_backend_client_get_appointment_async (f->client, g_array_index (foreign, gint64, 0), NULL,
                                           net_test_async_cb, &async);
  result = wait_for (f, &async);
  g_assert_null (cs_backend_client_get_appointment_finish (f->client, result, &error));
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_NOT_FOUND);
}

static CsAppointment *
create_from_booking (Fixture      *f,
                     CsBooking    *booking,
                     const char   *key,
                     gboolean     *existed,
                     GError      **error)
{
  NetTestAsync async = { NULL };
  g_autoptr(GAsyncResult) result = NULL;

  cs_backend_client_create_appointment_async (f->client, booking, "Beratung", "Tom Klein",
                                              "tom.klein@example.test", "+49 123 456789", key,
                                              NULL, net_test_async_cb, &async);
  result = wait_for (f, &async);

  return cs_backend_client_create_appointment_finish (f->client, result, existed, error);
}

static void
test_create_idempotent_and_conflict (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(CsBooking) booking = cs_booking_new ("walk-in-1");
  g_autoptr(CsAppointment) first = NULL;
  g_autoptr(CsAppointment) replay = NULL;
  g_autoptr(CsAppointment) again = NULL;
  g_autoptr(GError) error = NULL;
  gboolean existed = TRUE;

  booking->start = NET_TEST_NOW + CS_USEC_PER_DAY;
  booking->end = booking->start + 45 * CS_USEC_PER_MINUTE;

  first = create_from_booking (f, booking, "3f1c1d9e-8f0a-4d7e-9a55-000000000001", &existed,
                               &error);
  g_assert_no_error (error);
  g_assert_false (existed);
  g_assert_cmpstr (first->calcom_booking_uid, ==, "walk-in-1");
  g_assert_cmpint (first->starts_at, ==, booking->start);

  /* The answer was lost and the outbox sends the same action again: the
   * server answers as the first time, and creates nothing more. */
  replay = create_from_booking (f, booking, "3f1c1d9e-8f0a-4d7e-9a55-000000000001", &existed,
                                &error);
  g_assert_no_error (error);
  g_assert_cmpint (replay->id, ==, first->id);
  g_assert_cmpuint (cs_sim_server_get_created_appointments (f->sim)->len, ==, 1);

  /* Another action for the same booking: 409, the existing one. */
  again = create_from_booking (f, booking, NULL, &existed, &error);
  g_assert_no_error (error);
  g_assert_true (existed);
  g_assert_cmpint (again->id, ==, first->id);
  g_assert_cmpuint (cs_sim_server_get_created_appointments (f->sim)->len, ==, 1);
}

static void
test_patch_and_cancel (Fixture       *f,
                       gconstpointer  data)
{
  NetTestAsync async = { NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsAppointment) patched = NULL;
  g_autoptr(CsAppointment) cancelled = NULL;
  GPtrArray *all = cs_sim_dataset_get_appointments (cs_sim_server_get_dataset (f->sim));
  CsSimAppointment *row = g_ptr_array_index (all, 0);
  gint64 id = row->appointment->id;
  CsTime start = NET_TEST_NOW + 3 * CS_USEC_PER_DAY;

  cs_backend_client_patch_appointment_async (f->client, id, start, start + CS_USEC_PER_HOUR,
                                             "confirmed", "linked-uid", NULL, NULL,
                                             net_test_async_cb, &async);
  result = wait_for (f, &async);
  patched = cs_backend_client_patch_appointment_finish (f->client, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (patched->starts_at, ==, start);
  g_assert_cmpint (patched->status, ==, CS_CRM_STATUS_CONFIRMED);
  g_assert_cmpstr (patched->calcom_booking_uid, ==, "linked-uid");
  g_assert_nonnull (cs_sim_server_get_patch (f->sim, id));
  g_clear_object (&result);

  cs_backend_client_cancel_appointment_async (f->client, id, "Doppelt gebucht", NULL, NULL,
                                              net_test_async_cb, &async);
  result = wait_for (f, &async);
  cancelled = cs_backend_client_cancel_appointment_finish (f->client, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cancelled->status, ==, CS_CRM_STATUS_CANCELLED);
}

static void
test_sync_status_batches (Fixture       *f,
                          gconstpointer  data)
{
  NetTestAsync async = { NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsBackendListing) listing = NULL;
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *requests;
  guint updated = 0, batches = 0;

  listing = list_window (f, CS_TIME_UNSET, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listing->appointments->len, >, 1000);

  for (guint i = 0; i < listing->appointments->len; i++)
    {
      CsAppointment *a = g_ptr_array_index (listing->appointments, i);

      a->sync.status = CS_SYNC_STATUS_SYNCED;
      a->sync.sync_verified_at = NET_TEST_NOW;
      a->sync.last_sync_attempt_at = NET_TEST_NOW;
    }

  cs_backend_client_report_sync_status_async (f->client, listing->appointments, NULL, NULL,
                                              net_test_async_cb, &async);
  result = wait_for (f, &async);
  g_assert_true (cs_backend_client_report_sync_status_finish (f->client, result, &updated, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (updated, ==, listing->appointments->len);
  g_assert_cmpuint (cs_sim_server_get_n_sync_updates (f->sim), ==, listing->appointments->len);

  /* At most 500 a request, each batch with its own key. */
  requests = cs_sim_server_get_requests (f->sim);
  for (guint i = 0; i < requests->len; i++)
    {
      const CsSimRequest *r = g_ptr_array_index (requests, i);

      if (g_strcmp0 (r->endpoint, CS_SIM_BACKEND_SYNC_STATUS) != 0)
        continue;
      batches++;
      g_assert_true (g_hash_table_add (keys, g_strdup (soup_message_headers_get_one (r->headers,
                                                                                   "Idempotency-Key"))));
    }
  g_assert_cmpuint (batches, ==, (listing->appointments->len + 499) / 500);
}

static void
test_audit_log (Fixture       *f,
                gconstpointer  data)
{
  NetTestAsync async = { NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CsBackendAuditEntry entries[] = {
    { "5b0e7a56-7c4f-4c55-8f3c-000000000001", 1236, "create_in_calcom", "ok", NULL,
      NET_TEST_NOW, 12 },
    { "5b0e7a56-7c4f-4c55-8f3c-000000000002", 1237, "mark_resolved", "ok", "Kunde angerufen",
      NET_TEST_NOW, 12 },
  };
  guint accepted = 0;

  cs_backend_client_post_audit_log_async (f->client, entries, G_N_ELEMENTS (entries), NULL, NULL,
                                          net_test_async_cb, &async);
  result = wait_for (f, &async);
  g_assert_true (cs_backend_client_post_audit_log_finish (f->client, result, &accepted, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (accepted, ==, 2);
  g_assert_cmpuint (cs_sim_server_get_audit_keys (f->sim)->len, ==, 2);
}

static void
test_staff_may_not_write (Fixture       *f,
                          gconstpointer  data)
{
  NetTestAsync async = { NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *all = cs_sim_dataset_get_appointments (cs_sim_server_get_dataset (f->sim));
  CsSimAppointment *row = g_ptr_array_index (all, 0);

  cs_sim_server_set_role (f->sim, "staff");
  cs_backend_client_cancel_appointment_async (f->client, row->appointment->id, "x", NULL, NULL,
                                              net_test_async_cb, &async);
  result = wait_for (f, &async);
  g_assert_null (cs_backend_client_cancel_appointment_finish (f->client, result, &error));
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_FORBIDDEN);
  g_assert_false (cs_net_error_is_retryable (error));
}

static void
test_rejected_token (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CsBackendListing) listing = NULL;
  g_autoptr(GError) error = NULL;

  cs_backend_client_set_token (f->client, "wrong-token");
  listing = list_window (f, CS_TIME_UNSET, &error);
  g_assert_null (listing);
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_UNAUTHORIZED);
  g_assert_nonnull (strstr (error->message, "token"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, n, func) \
  g_test_add ("/calsync/net/backend/" path, Fixture, GUINT_TO_POINTER (n), \
              fixture_set_up, func, fixture_tear_down)

  ADD ("me", 10, test_me);
  ADD ("list-pages-and-foreign-rows", 1200, test_list_pages_and_foreign_rows);
  ADD ("updated-since", 100, test_updated_since);
  ADD ("drift-reread", 400, test_drift_reread);
  ADD ("drift-flagged", 400, test_drift_flagged);
  ADD ("get-and-not-found", 100, test_get_and_not_found);
  ADD ("create-idempotent-and-conflict", 10, test_create_idempotent_and_conflict);
  ADD ("patch-and-cancel", 10, test_patch_and_cancel);
  ADD ("sync-status-batches", 1200, test_sync_status_batches);
  ADD ("audit-log", 10, test_audit_log);
  ADD ("staff-may-not-write", 10, test_staff_may_not_write);
  ADD ("rejected-token", 10, test_rejected_token);

#undef ADD

  return g_test_run ();
}
