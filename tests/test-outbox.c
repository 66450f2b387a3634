/* test-outbox.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cs-backend-client.h"
#include "cs-calcom-client.h"
#include "cs-net-error.h"
#include "cs-outbox.h"
#include "net-test-util.h"

/* The outbox against the simulator on loopback, with a manual clock and a
 * store in a temporary folder: backoffs pass by moving the clock. */

typedef struct
{
  char            *tmpdir;
  char            *path;
  CsClock         *clock;
  CsSimServer     *sim;
  CsCalcomClient  *calcom;
  CsBackendClient *backend;
  CsStore         *store;
  CsOutbox        *outbox;

  /* What the signals said. */
  GPtrArray       *sent;
  GPtrArray       *failed;
  GPtrArray       *errors;
  guint            n_notifies;
} Fixture;

static void
item_sent_cb (CsOutbox     *outbox,
              CsOutboxItem *item,
              const char   *result_uid,
              Fixture      *f)
{
  g_ptr_array_add (f->sent, cs_outbox_item_copy (item));
}

static void
item_failed_cb (CsOutbox     *outbox,
                CsOutboxItem *item,
                const GError *error,
                Fixture      *f)
{
  g_ptr_array_add (f->failed, cs_outbox_item_copy (item));
  g_ptr_array_add (f->errors, g_error_copy (error));
}

static void
n_pending_notify_cb (CsOutbox   *outbox,
                     GParamSpec *pspec,
                     Fixture    *f)
{
  f->n_notifies++;
}

static void
open_outbox (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  f->store = cs_store_open (f->path, &error);
  g_assert_no_error (error);
  cs_store_set_company_id (f->store, CS_SIM_DEFAULT_COMPANY_ID);

  f->outbox = cs_outbox_new (f->store, f->calcom, f->backend, f->clock);
  g_signal_connect (f->outbox, "item-sent", G_CALLBACK (item_sent_cb), f);
  g_signal_connect (f->outbox, "item-failed", G_CALLBACK (item_failed_cb), f);
  g_signal_connect (f->outbox, "notify::n-pending", G_CALLBACK (n_pending_notify_cb), f);
}

static void
close_outbox (Fixture *f)
{
  g_assert_finalize_object (g_steal_pointer (&f->outbox));
  g_assert_finalize_object (g_steal_pointer (&f->store));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_dir_make_tmp ("calsync-outbox-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->tmpdir, "cache.db", NULL);

  f->clock = cs_manual_clock_new (NET_TEST_NOW);
  f->sim = net_test_start_sim (f->clock, 10, 5);

  f->calcom = cs_calcom_client_new (cs_sim_server_get_calcom_url (f->sim), f->clock, &error);
  g_assert_no_error (error);
  cs_calcom_client_set_api_key (f->calcom, cs_sim_server_get_calcom_api_key (f->sim));
  f->backend = cs_backend_client_new (cs_sim_server_get_backend_url (f->sim), f->clock, &error);
  g_assert_no_error (error);
  cs_backend_client_set_token (f->backend, cs_sim_server_get_backend_token (f->sim));

  f->sent = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_outbox_item_free);
  f->failed = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_outbox_item_free);
  f->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);

  open_outbox (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->path, "-shm", NULL);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  close_outbox (f);
  g_clear_object (&f->calcom);
  g_clear_object (&f->backend);
  cs_sim_server_stop (f->sim);
  g_clear_object (&f->sim);
  g_clear_object (&f->clock);

  g_clear_pointer (&f->sent, g_ptr_array_unref);
  g_clear_pointer (&f->failed, g_ptr_array_unref);
  g_clear_pointer (&f->errors, g_ptr_array_unref);

  dir = g_dir_open (f->tmpdir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (f->tmpdir, name, NULL);

      g_remove (child);
    }
  g_rmdir (f->tmpdir);
  g_clear_pointer (&f->path, g_free);
  g_clear_pointer (&f->tmpdir, g_free);
}

/* Helpers */

static void
flush (Fixture *f)
{
  NetTestAsync async = { NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cs_outbox_flush_async (f->outbox, NULL, net_test_async_cb, &async);
  result = net_test_wait (&async, f->clock, NULL);
  g_assert_true (cs_outbox_flush_finish (f->outbox, result, &error));
  g_assert_no_error (error);
  g_assert_false (cs_outbox_is_flushing (f->outbox));
}

static void
set_backend_status (Fixture *f,
                    guint    status)
{
  CsSimFaults faults;

  cs_sim_faults_init (&faults);
  faults.force_status = status;
  cs_sim_server_set_faults (f->sim, CS_SIM_SERVICE_BACKEND, &faults);
}

static CsOutboxItem *
audit_item (const char *key)
{
  g_autofree char *body = NULL;
  CsOutboxItem *item;

  body = g_strdup_printf ("{\"entries\":[{\"key\":\"%s\",\"appointment_id\":1,"
                          "\"action\":\"create_in_calcom\",\"result\":\"ok\","
                          "\"performed_at\":\"2026-11-23T09:00:00Z\",\"performed_by\":7}]}",
                          key);
  item = cs_outbox_item_new (key, CS_OUTBOX_SERVICE_BACKEND, "POST", "/api/v1/audit-log", body,
                             CS_TIME_UNSET);
  item->kind = g_strdup (cs_write_kind_to_string (CS_WRITE_BACKEND_AUDIT_LOG));
  item->appointment_id = 1;

  return item;
}

static CsOutboxItem *
create_item_with_body (const char *body)
{
  CsOutboxItem *item;

  item = cs_outbox_item_new (NULL, CS_OUTBOX_SERVICE_BACKEND, "POST", "/api/v1/appointments",
                             body, CS_TIME_UNSET);
  item->kind = g_strdup (cs_write_kind_to_string (CS_WRITE_BACKEND_CREATE_APPOINTMENT));

  return item;
}

static CsOutboxItem *
create_item (const char *booking_uid)
{
  g_autofree char *body = NULL;

  body = g_strdup_printf ("{\"starts_at\":\"2026-11-30T10:00:00Z\","
                          "\"ends_at\":\"2026-11-30T11:00:00Z\","
                          "\"calcom_booking_uid\":\"%s\",\"title\":\"Beratung\"}",
                          booking_uid);

  return create_item_with_body (body);
}

static gint64
enqueue (Fixture      *f,
         CsOutboxItem *item)
{
  g_autoptr(GError) error = NULL;
  gint64 id;

  id = cs_outbox_enqueue (f->outbox, item, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (item->id, ==, id);

  return id;
}

static GPtrArray *
list_pending (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *items;

  items = cs_store_list_pending_outbox (f->store, G_MAXINT64, &error);
  g_assert_no_error (error);

  return items;
}

static void
advance (Fixture *f,
         gint64   usec)
{
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), usec);
  flush (f);
}

static void
assert_audit_keys (Fixture    *f,
                   const char *first,
                   ...)
{
  GPtrArray *keys = cs_sim_server_get_audit_keys (f->sim);
  const char *key = first;
  guint i = 0;
  va_list args;

  va_start (args, first);
  for (; key != NULL; key = va_arg (args, const char *), i++)
    {
      g_assert_cmpuint (i, <, keys->len);
      g_assert_cmpstr (g_ptr_array_index (keys, i), ==, key);
    }
  va_end (args);

  g_assert_cmpuint (keys->len, ==, i);
}

/* Tests */

static void
test_new (Fixture       *f,
          gconstpointer  data)
{
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 0);
  flush (f);
  g_assert_cmpuint (cs_sim_server_get_service_request_count (f->sim, CS_SIM_SERVICE_BACKEND),
                    ==, 0);
  g_assert_cmpuint (cs_manual_clock_get_n_timeouts (CS_MANUAL_CLOCK (f->clock)), ==, 0);
}

static void
test_backoff (Fixture       *f,
              gconstpointer  data)
{
  g_assert_cmpint (cs_outbox_get_backoff (1), ==, 30 * CS_USEC_PER_SECOND);
  g_assert_cmpint (cs_outbox_get_backoff (2), ==, CS_USEC_PER_MINUTE);
  g_assert_cmpint (cs_outbox_get_backoff (3), ==, 2 * CS_USEC_PER_MINUTE);
  g_assert_cmpint (cs_outbox_get_backoff (6), ==, 16 * CS_USEC_PER_MINUTE);
  g_assert_cmpint (cs_outbox_get_backoff (7), ==, 30 * CS_USEC_PER_MINUTE);
  g_assert_cmpint (cs_outbox_get_backoff (1000), ==, 30 * CS_USEC_PER_MINUTE);
}

static void
test_down_then_sent (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CsOutboxItem) item = create_item ("uid-outbox-down");
  g_autoptr(GPtrArray) pending = NULL;
  const CsSimRequest *request;
  CsOutboxItem *stored;
  gint64 id;

  set_backend_status (f, 503);
  id = enqueue (f, item);
  g_assert_nonnull (item->idempotency_key);
  flush (f);

  /* Kept, the attempt counted, the next one on the clock. */
  pending = list_pending (f);
  g_assert_cmpuint (pending->len, ==, 1);
  stored = g_ptr_array_index (pending, 0);
  g_assert_cmpint (stored->id, ==, id);
  g_assert_cmpuint (stored->attempts, ==, 1);
  g_assert_cmpint (stored->next_attempt_at, ==, NET_TEST_NOW + 30 * CS_USEC_PER_SECOND);
  g_assert_nonnull (stored->last_error);
  g_assert_cmpint (stored->done_at, ==, CS_TIME_UNSET);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 1);
  g_assert_cmpint (cs_manual_clock_get_next_due (CS_MANUAL_CLOCK (f->clock)), ==,
                   NET_TEST_NOW + 30 * CS_USEC_PER_SECOND);
  g_assert_cmpuint (cs_sim_server_get_created_appointments (f->sim)->len, ==, 0);
  g_assert_cmpuint (f->sent->len + f->failed->len, ==, 0);

  /* A flush before the wait is over sends nothing. */
  advance (f, 10 * CS_USEC_PER_SECOND);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_BACKEND_CREATE), ==, 1);

  /* Still down at the next attempt: the wait doubles. */
  advance (f, 20 * CS_USEC_PER_SECOND);
  g_clear_pointer (&pending, g_ptr_array_unref);
  pending = list_pending (f);
  stored = g_ptr_array_index (pending, 0);
  g_assert_cmpuint (stored->attempts, ==, 2);
  g_assert_cmpint (stored->next_attempt_at, ==, NET_TEST_NOW + 90 * CS_USEC_PER_SECOND);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_BACKEND_CREATE), ==, 2);

  /* Back: sent once, done. */
  cs_sim_server_clear_faults (f->sim, CS_SIM_SERVICE_BACKEND);
  advance (f, CS_USEC_PER_MINUTE);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_BACKEND_CREATE), ==, 3);
  g_assert_cmpuint (cs_sim_server_get_created_appointments (f->sim)->len, ==, 1);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 0);
  g_clear_pointer (&pending, g_ptr_array_unref);
  pending = list_pending (f);
  g_assert_cmpuint (pending->len, ==, 0);

  g_assert_cmpuint (f->sent->len, ==, 1);
  stored = g_ptr_array_index (f->sent, 0);
  g_assert_cmpint (stored->id, ==, id);
  g_assert_cmpint (stored->done_at, ==, NET_TEST_NOW + 90 * CS_USEC_PER_SECOND);
  g_assert_false (cs_outbox_item_is_failed (stored));

  request = cs_sim_server_get_last_request (f->sim, CS_SIM_BACKEND_CREATE);
  g_assert_nonnull (request);
  g_assert_cmpuint (request->status, ==, 201);
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "Idempotency-Key"), ==,
                   item->idempotency_key);

  /* Nothing more to wait for. */
  g_assert_cmpuint (cs_manual_clock_get_n_timeouts (CS_MANUAL_CLOCK (f->clock)), ==, 0);
}

static void
test_sim_stopped (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CsOutboxItem) item = audit_item ("0b9c4bde-54a0-4c0e-a4f7-6b1d1e2b6a01");
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GError) error = NULL;
  guint calcom_port = cs_sim_server_get_port (f->sim, CS_SIM_SERVICE_CALCOM);
  guint backend_port = cs_sim_server_get_port (f->sim, CS_SIM_SERVICE_BACKEND);

  /* Nobody listening: a network error, retried later. */
  cs_sim_server_stop (f->sim);
  enqueue (f, item);
  flush (f);
  pending = list_pending (f);
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_cmpuint (((CsOutboxItem *) g_ptr_array_index (pending, 0))->attempts, ==, 1);

  cs_sim_server_start (f->sim, calcom_port, backend_port, &error);
  g_assert_no_error (error);
  advance (f, 30 * CS_USEC_PER_SECOND);

  assert_audit_keys (f, item->idempotency_key, NULL);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 0);
  g_assert_cmpuint (f->sent->len, ==, 1);
}

static void
test_restart (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(CsOutboxItem) first = audit_item ("5f0e7a38-1c1e-4b8e-9d55-3f7d2c9a0a01");
  g_autoptr(CsOutboxItem) second = audit_item ("5f0e7a38-1c1e-4b8e-9d55-3f7d2c9a0a02");

  set_backend_status (f, 503);
  enqueue (f, first);
  enqueue (f, second);
  flush (f);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 2);
  /* The second waited behind the first. */
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_BACKEND_AUDIT_LOG), ==, 1);

  /* Quit: the outbox and the store go, the file stays. */
  close_outbox (f);
  cs_sim_server_clear_faults (f->sim, CS_SIM_SERVICE_BACKEND);

  open_outbox (f);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 2);

  /* Started before the backoff is over: it waits for it. */
  flush (f);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_BACKEND_AUDIT_LOG), ==, 1);
  advance (f, 30 * CS_USEC_PER_SECOND);

  assert_audit_keys (f, first->idempotency_key, second->idempotency_key, NULL);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_BACKEND_AUDIT_LOG), ==, 3);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 0);
  g_assert_cmpuint (f->sent->len, ==, 2);
  g_assert_cmpint (((CsOutboxItem *) g_ptr_array_index (f->sent, 0))->id, ==, first->id);
  g_assert_cmpint (((CsOutboxItem *) g_ptr_array_index (f->sent, 1))->id, ==, second->id);
}

static void
test_order (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(CsOutboxItem) first = audit_item ("a1e0c7c2-3b4d-4f6a-8e9f-0a1b2c3d4e01");
  g_autoptr(CsOutboxItem) second = audit_item ("a1e0c7c2-3b4d-4f6a-8e9f-0a1b2c3d4e02");
  g_autoptr(CsOutboxItem) third = audit_item ("a1e0c7c2-3b4d-4f6a-8e9f-0a1b2c3d4e03");
  g_autoptr(CsOutboxItem) cancel = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autofree char *path = NULL;
  GPtrArray *bookings = cs_sim_dataset_get_bookings (cs_sim_server_get_dataset (f->sim));
  const CsSimRequest *request;
  const char *uid = NULL;
  CsSimFaults faults;

  /* The first fails once (the second goes after it, never before). */
  cs_sim_faults_init (&faults);
  faults.downtime_from = NET_TEST_NOW;
  faults.downtime_until = NET_TEST_NOW + CS_USEC_PER_SECOND;
  cs_sim_server_set_faults (f->sim, CS_SIM_SERVICE_BACKEND, &faults);

  enqueue (f, first);
  enqueue (f, second);
  flush (f);

  pending = list_pending (f);
  g_assert_cmpuint (pending->len, ==, 2);
  g_assert_cmpuint (((CsOutboxItem *) g_ptr_array_index (pending, 0))->attempts, ==, 1);
  g_assert_cmpuint (((CsOutboxItem *) g_ptr_array_index (pending, 1))->attempts, ==, 0);
  g_assert_cmpuint (cs_sim_server_get_audit_keys (f->sim)->len, ==, 0);

  /* A later item of the same service waits too, even though it is due. */
  advance (f, 2 * CS_USEC_PER_SECOND);
  enqueue (f, third);
  flush (f);
  g_assert_cmpuint (cs_sim_server_get_audit_keys (f->sim)->len, ==, 0);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 3);

  /* Cal.com is not held back by the backend's queue. */
  for (guint i = 0; i < bookings->len && uid == NULL; i++)
    {
      CsSimBooking *booking = g_ptr_array_index (bookings, i);

      if (cs_booking_status_is_active (booking->booking->status))
        uid = booking->booking->uid;
    }
  g_assert_nonnull (uid);
  path = g_strdup_printf ("/bookings/%s/cancel", uid);
  cancel = cs_outbox_item_new (NULL, CS_OUTBOX_SERVICE_CALCOM, "POST", path,
                               "{\"cancellationReason\":\"Abgesagt\"}", CS_TIME_UNSET);
  cancel->kind = g_strdup (cs_write_kind_to_string (CS_WRITE_CALCOM_CANCEL_BOOKING));
  cancel->booking_uid = g_strdup (uid);
  enqueue (f, cancel);
  flush (f);
  g_assert_cmpuint (cs_sim_server_get_cancelled_uids (f->sim)->len, ==, 1);
  request = cs_sim_server_get_last_request (f->sim, CS_SIM_CALCOM_CANCEL);
  g_assert_nonnull (request);
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "cal-api-version"), ==,
                   "2024-08-13");
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "Idempotency-Key"), ==,
                   cancel->idempotency_key);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 3);

  advance (f, 30 * CS_USEC_PER_SECOND);
  assert_audit_keys (f, first->idempotency_key, second->idempotency_key,
                     third->idempotency_key, NULL);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 0);
  g_assert_cmpuint (f->sent->len, ==, 4);
}

static void
test_invalid (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(CsOutboxItem) refused = create_item_with_body ("{}");
  g_autoptr(CsOutboxItem) next = audit_item ("c3d2b1a0-9f8e-4d7c-8b6a-5e4f3d2c1b01");
  CsOutboxItem *failed;
  GError *error;

  enqueue (f, refused);
  enqueue (f, next);
  flush (f);

  g_assert_cmpuint (f->failed->len, ==, 1);
  failed = g_ptr_array_index (f->failed, 0);
  error = g_ptr_array_index (f->errors, 0);
  g_assert_cmpint (failed->id, ==, refused->id);
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_REQUEST);
  g_assert_true (cs_outbox_item_is_failed (failed));
  g_assert_cmpstr (failed->last_error, ==, error->message);
  g_assert_nonnull (strstr (failed->last_error, "starts_at"));

  /* Not sent again, and the next one went. */
  assert_audit_keys (f, next->idempotency_key, NULL);
  g_assert_cmpuint (f->sent->len, ==, 1);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 0);
  advance (f, CS_OUTBOX_BACKOFF_MAX);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_BACKEND_CREATE), ==, 1);
}

static void
test_forbidden (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CsOutboxItem) refused = audit_item ("d4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f01");
  g_autoptr(CsOutboxItem) next = audit_item ("d4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f02");
  g_autoptr(GError) error = NULL;

  cs_sim_server_set_role (f->sim, "staff");
  enqueue (f, refused);
  flush (f);
  g_assert_cmpuint (f->failed->len, ==, 1);
  g_assert_error ((GError *) g_ptr_array_index (f->errors, 0), CS_NET_ERROR,
                  CS_NET_ERROR_FORBIDDEN);
  g_assert_true (cs_outbox_item_is_failed (g_ptr_array_index (f->failed, 0)));
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 0);

  cs_sim_server_set_role (f->sim, "admin");
  enqueue (f, next);
  flush (f);
  assert_audit_keys (f, next->idempotency_key, NULL);
  g_assert_cmpuint (f->failed->len, ==, 1);

  /* Enqueueing the refused key again does not revive it. */
  g_assert_cmpint (cs_outbox_enqueue (f->outbox, refused, &error), ==, refused->id);
  g_assert_no_error (error);
  flush (f);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_BACKEND_AUDIT_LOG), ==, 2);
}

static void
test_dropped_answer (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CsOutboxItem) item = create_item ("uid-outbox-dropped");
  g_autoptr(GBytes) body = g_bytes_new (item->body, strlen (item->body));
  g_autoptr(CsHttpResponse) response = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CsHttpClient *http = cs_backend_client_get_http (f->backend);
  NetTestAsync async = { NULL };
  CsHttpRequest request = {
    .method = "POST",
    .path = "/api/v1/appointments",
    .body = body,
    .idempotency_key = item->idempotency_key,
  };
  const CsSimRequest *last;

  /* The first attempt reached the server; its answer never came back. */
  cs_http_client_send_async (http, &request, NULL, net_test_async_cb, &async);
  result = net_test_wait (&async, f->clock, http);
  response = cs_http_client_send_finish (http, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (response->status, ==, 201);
  g_assert_cmpuint (cs_sim_server_get_created_appointments (f->sim)->len, ==, 1);

  enqueue (f, item);
  flush (f);

  /* The repeat was answered from the server's idempotency cache. */
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_BACKEND_CREATE), ==, 2);
  g_assert_cmpuint (cs_sim_server_get_created_appointments (f->sim)->len, ==, 1);
  last = cs_sim_server_get_last_request (f->sim, CS_SIM_BACKEND_CREATE);
  g_assert_cmpstr (soup_message_headers_get_one (last->headers, "Idempotency-Key"), ==,
                   item->idempotency_key);
  g_assert_cmpuint (f->sent->len, ==, 1);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 0);
}

static void
test_n_pending_notify (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(CsOutboxItem) first = audit_item ("e5f6a7b8-c9d0-4e1f-9a2b-3c4d5e6f7a01");
  g_autoptr(CsOutboxItem) second = audit_item ("e5f6a7b8-c9d0-4e1f-9a2b-3c4d5e6f7a02");
  guint n_pending = G_MAXUINT;

  set_backend_status (f, 503);
  enqueue (f, first);
  g_assert_cmpuint (f->n_notifies, ==, 1);
  g_object_get (f->outbox, "n-pending", &n_pending, NULL);
  g_assert_cmpuint (n_pending, ==, 1);

  enqueue (f, second);
  flush (f);
  g_assert_cmpuint (f->n_notifies, ==, 2);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 2);

  /* A failed attempt changes nothing to count. */
  advance (f, 30 * CS_USEC_PER_SECOND);
  g_assert_cmpuint (f->n_notifies, ==, 2);

  cs_sim_server_clear_faults (f->sim, CS_SIM_SERVICE_BACKEND);
  advance (f, CS_USEC_PER_MINUTE);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 0);
  g_assert_cmpuint (f->n_notifies, ==, 4);
}

static void
test_cancel_flush (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CsOutboxItem) item = audit_item ("f6a7b8c9-d0e1-4f2a-8b3c-4d5e6f7a8b01");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NetTestAsync async = { NULL };

  enqueue (f, item);
  g_assert_true (cs_outbox_is_flushing (f->outbox));
  cs_outbox_flush_async (f->outbox, cancellable, net_test_async_cb, &async);
  g_cancellable_cancel (cancellable);
  result = net_test_wait (&async, f->clock, NULL);
  g_assert_false (cs_outbox_flush_finish (f->outbox, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* The write itself goes on. */
  flush (f);
  assert_audit_keys (f, item->idempotency_key, NULL);

  /* Cancelled before the call: answered at once. */
  g_clear_object (&result);
  g_clear_error (&error);
  cs_outbox_flush_async (f->outbox, cancellable, net_test_async_cb, &async);
  result = net_test_wait (&async, f->clock, NULL);
  g_assert_false (cs_outbox_flush_finish (f->outbox, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_conflict (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(CsOutboxItem) first = create_item ("uid-outbox-conflict");
  g_autoptr(CsOutboxItem) again = create_item ("uid-outbox-conflict");

  /* Another click, another key, the same booking: the 409 says it is
   * there already, which is what the write wanted. */
  enqueue (f, first);
  enqueue (f, again);
  flush (f);

  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_BACKEND_CREATE), ==, 2);
  g_assert_cmpuint (cs_sim_server_get_last_request (f->sim, CS_SIM_BACKEND_CREATE)->status, ==,
                    409);
  g_assert_cmpuint (cs_sim_server_get_created_appointments (f->sim)->len, ==, 1);
  g_assert_cmpuint (f->sent->len, ==, 2);
  g_assert_cmpuint (f->failed->len, ==, 0);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 0);
}

static void
test_enqueue_invalid (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CsOutboxItem) item = cs_outbox_item_new (NULL, "elsewhere", "POST", "/x", NULL,
                                                     CS_TIME_UNSET);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (cs_outbox_enqueue (f->outbox, item, &error), ==, 0);
  g_assert_error (error, CS_OUTBOX_ERROR, CS_OUTBOX_ERROR_INVALID);
  g_clear_error (&error);

  g_free (item->service);
  item->service = g_strdup (CS_OUTBOX_SERVICE_BACKEND);
  g_free (item->method);
  item->method = g_strdup ("GET");
  g_assert_cmpint (cs_outbox_enqueue (f->outbox, item, &error), ==, 0);
  g_assert_error (error, CS_OUTBOX_ERROR, CS_OUTBOX_ERROR_INVALID);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 0);
}

/* After a restart, cs_outbox_flush_all_async() sends a head waiting for its
 * backoff at once: the next process delivers what an earlier one left,
 * in order, without waiting for a wait the server's return has ended. */
static void
test_flush_all_skips_backoff (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(CsOutboxItem) first = audit_item ("5f0e7a38-1c1e-4b8e-9d55-3f7d2c9a0b01");
  g_autoptr(CsOutboxItem) second = audit_item ("5f0e7a38-1c1e-4b8e-9d55-3f7d2c9a0b02");
  g_autoptr(CsOutboxItem) third = audit_item ("5f0e7a38-1c1e-4b8e-9d55-3f7d2c9a0b03");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NetTestAsync async = { NULL };

  set_backend_status (f, 503);
  enqueue (f, first);
  enqueue (f, second);
  flush (f);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 2);

  close_outbox (f);
  cs_sim_server_clear_faults (f->sim, CS_SIM_SERVICE_BACKEND);
  open_outbox (f);

  /* An ordinary flush respects the backoff... */
  flush (f);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_BACKEND_AUDIT_LOG), ==, 1);

  /* ...a flush of everything does not, and the clock has not moved. */
  cs_outbox_flush_all_async (f->outbox, NULL, net_test_async_cb, &async);
  result = net_test_wait (&async, f->clock, NULL);
  g_assert_true (cs_outbox_flush_finish (f->outbox, result, &error));
  g_assert_no_error (error);

  assert_audit_keys (f, first->idempotency_key, second->idempotency_key, NULL);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 0);

  /* Still failing, it waits for its backoff again. */
  set_backend_status (f, 503);
  enqueue (f, third);
  flush (f);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 1);
  flush (f);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_BACKEND_AUDIT_LOG), ==, 4);
}

/* A write kept inside the caller's transaction is not sent before a flush,
 * nor at all if the transaction is rolled back; the signals carry the key
 * of the action's audit entry. */
static void
test_keep_write (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(CsWrite) write = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  GPtrArray *appointments = cs_sim_dataset_get_appointments (cs_sim_server_get_dataset (f->sim));
  gint64 id;

  g_assert_cmpuint (appointments->len, >, 0);
  id = ((CsSimAppointment *) g_ptr_array_index (appointments, 0))->appointment->id;
  write = cs_write_backend_cancel_appointment (id, "Kundin hat abgesagt");

  g_assert_true (cs_store_begin (f->store, &error));
  id = cs_outbox_keep_write (f->outbox, write, NULL, "audit-key-1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  cs_store_rollback (f->store);
  pending = list_pending (f);
  g_assert_cmpuint (pending->len, ==, 0);
  g_clear_pointer (&pending, g_ptr_array_unref);

  g_assert_true (cs_store_begin (f->store, &error));
  id = cs_outbox_keep_write (f->outbox, write, "cancel-key-1", "audit-key-1", &error);
  g_assert_no_error (error);
  g_assert_true (cs_store_commit (f->store, &error));
  g_assert_cmpuint (cs_sim_server_get_service_request_count (f->sim, CS_SIM_SERVICE_BACKEND),
                    ==, 0);

  flush (f);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_BACKEND_CANCEL), ==, 1);
  g_assert_cmpuint (f->sent->len, ==, 1);
  g_assert_cmpint (((CsOutboxItem *) g_ptr_array_index (f->sent, 0))->id, ==, id);
  g_assert_cmpstr (((CsOutboxItem *) g_ptr_array_index (f->sent, 0))->audit_key, ==,
                   "audit-key-1");
  g_assert_cmpstr (((CsOutboxItem *) g_ptr_array_index (f->sent, 0))->idempotency_key, ==,
                   "cancel-key-1");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/calsync/engine/outbox/" path, Fixture, NULL, \
              fixture_set_up, func, fixture_tear_down)

  ADD ("new", test_new);
  ADD ("backoff", test_backoff);
  ADD ("down-then-sent", test_down_then_sent);
  ADD ("sim-stopped", test_sim_stopped);
  ADD ("restart", test_restart);
  ADD ("order", test_order);
  ADD ("invalid", test_invalid);
  ADD ("forbidden", test_forbidden);
  ADD ("dropped-answer", test_dropped_answer);
  ADD ("n-pending-notify", test_n_pending_notify);
  ADD ("conflict", test_conflict);
  ADD ("cancel-flush", test_cancel_flush);
  ADD ("enqueue-invalid", test_enqueue_invalid);
  ADD ("flush-all-skips-backoff", test_flush_all_skips_backoff);
  ADD ("keep-write", test_keep_write);

#undef ADD

  return g_test_run ();
}
