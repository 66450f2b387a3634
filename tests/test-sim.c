/* test-sim.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "cs-manual-clock.h"
#include "cs-reconciler.h"
#include "cs-sim-server.h"

/* The simulator seen from outside: a plain SoupSession on the same main
 * context as the servers, iterated until the answer is in (bounded, never
 * sleeping). Time that matters to the simulator moves on a manual clock. */

#define T0 ((CsTime) G_GINT64_CONSTANT (1795424400) * CS_USEC_PER_SECOND)
#define WAIT_LIMIT_SECONDS 20

typedef struct
{
  CsClock      *clock;
  CsSimDataset *dataset;
  CsSimServer  *server;
  SoupSession  *session;
} Fixture;

typedef struct
{
  guint               status;
  SoupMessageHeaders *headers;
  GBytes             *body;
  GError             *error;
  JsonNode           *json;
  gboolean            done;
} Response;

static void
response_free (Response *r)
{
  g_clear_pointer (&r->headers, soup_message_headers_unref);
  g_clear_pointer (&r->body, g_bytes_unref);
  g_clear_pointer (&r->json, json_node_unref);
  g_clear_error (&r->error);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Response, response_free)

/* Fixture */

static void
small_config (CsSimDatasetConfig *config)
{
  cs_sim_dataset_config_init (config);
  config->seed = 42;
  config->n_appointments = 200;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const CsSimDatasetConfig *config = data;
  CsSimDatasetConfig defaults;
  g_autoptr(GError) error = NULL;

  if (config == NULL)
    {
      small_config (&defaults);
      config = &defaults;
    }

  f->clock = cs_manual_clock_new (T0);
  f->dataset = cs_sim_dataset_new (f->clock, config, &error);
  g_assert_no_error (error);
  f->server = cs_sim_server_new (f->clock, f->dataset);
  g_assert_true (cs_sim_server_start (f->server, 0, 0, &error));
  g_assert_no_error (error);
  f->session = soup_session_new ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->session);
  cs_sim_server_stop (f->server);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (f->server);
  g_assert_finalize_object (f->dataset);
  g_assert_finalize_object (f->clock);
}

/* Requests */

static gboolean
flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until *@flag is set, for at most 20 s. */
static void
wait_for (const gboolean *flag)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (WAIT_LIMIT_SECONDS, flag_cb, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  g_assert_false (timed_out);
  g_source_remove (id);
}

static SoupMessage *
new_request (Fixture      *f,
             CsSimService  service,
             const char   *method,
             const char   *path)
{
  g_autofree char *url = NULL;
  g_autofree char *auth = NULL;
  SoupMessageHeaders *headers;
  SoupMessage *msg;

  if (service == CS_SIM_SERVICE_CALCOM)
    {
      url = g_strconcat (cs_sim_server_get_calcom_url (f->server), path, NULL);
      auth = g_strdup_printf ("Bearer %s", cs_sim_server_get_calcom_api_key (f->server));
    }
  else
    {
      url = g_strconcat (cs_sim_server_get_backend_url (f->server), path, NULL);
      auth = g_strdup_printf ("Bearer %s", cs_sim_server_get_backend_token (f->server));
    }

  msg = soup_message_new (method, url);
  g_assert_nonnull (msg);
  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "Authorization", auth);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (service == CS_SIM_SERVICE_CALCOM)
    soup_message_headers_replace (headers, "cal-api-version", "2024-08-13");

  return msg;
}

static void
set_body (SoupMessage *msg,
          const char  *json)
{
  g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));

  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
}

static void
set_idempotency_key (SoupMessage *msg,
                     const char  *key)
{
  g_autofree char *random = NULL;

  if (key == NULL)
    key = random = g_uuid_string_random ();

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Idempotency-Key", key);
}

typedef struct
{
  Response    *response;
  SoupMessage *msg;
} Sending;

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Sending *sending = user_data;
  Response *r = sending->response;

  r->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &r->error);
  r->status = soup_message_get_status (sending->msg);
  r->headers = soup_message_headers_ref (soup_message_get_response_headers (sending->msg));
  r->done = TRUE;
}

/* Starts sending @msg (taken); the response is done when `done` is set. */
static Response *
send_async (Fixture     *f,
            SoupMessage *msg,
            Sending     *sending)
{
  Response *r = g_new0 (Response, 1);

  sending->response = r;
  sending->msg = msg;
  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, send_cb, sending);

  return r;
}

static Response *
send (Fixture     *f,
      SoupMessage *msg)
{
  Sending sending;
  Response *r = send_async (f, msg, &sending);

  wait_for (&r->done);
  g_object_unref (msg);

  return r;
}

static Response *
request (Fixture      *f,
         CsSimService  service,
         const char   *method,
         const char   *path,
         const char   *body)
{
  SoupMessage *msg = new_request (f, service, method, path);

  if (body != NULL)
    set_body (msg, body);
  if (service == CS_SIM_SERVICE_BACKEND && !g_str_equal (method, "GET"))
    set_idempotency_key (msg, NULL);

  return send (f, msg);
}

static JsonObject *
response_object (Response *r)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_no_error (r->error);
  g_assert_nonnull (r->body);

  if (r->json == NULL)
    {
      text = g_strndup (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body));
      r->json = json_from_string (text, &error);
      g_assert_no_error (error);
    }

  g_assert_true (JSON_NODE_HOLDS_OBJECT (r->json));
  return json_node_get_object (r->json);
}

static gboolean
response_parses (Response *r)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body));
  g_autoptr(JsonNode) node = json_from_string (text, NULL);

  return node != NULL;
}

/* Asserts Cal.com's error envelope and returns its `error` object. */
static JsonObject *
assert_calcom_error (Response   *r,
                     guint       status,
                     const char *code)
{
  JsonObject *root = response_object (r);
  JsonObject *error;

  g_assert_cmpuint (r->status, ==, status);
  g_assert_cmpstr (json_object_get_string_member (root, "status"), ==, "error");
  g_assert_nonnull (json_object_get_string_member (root, "timestamp"));
  g_assert_nonnull (json_object_get_string_member (root, "path"));
  error = json_object_get_object_member (root, "error");
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  g_assert_nonnull (json_object_get_string_member (error, "message"));
  g_assert_true (json_object_has_member (error, "details"));

  return error;
}

/* Asserts Laravel's error shape and returns its `errors` object. */
static JsonObject *
assert_backend_error (Response *r,
                      guint     status)
{
  JsonObject *root = response_object (r);

  g_assert_cmpuint (r->status, ==, status);
  g_assert_nonnull (json_object_get_string_member (root, "message"));
  return json_object_get_object_member (root, "errors");
}

static gboolean
is_calcom_time (const char *text)
{
  return g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$", text, 0, 0);
}

static void
assert_booking_shape (JsonObject *b)
{
  static const char * const required[] = {
    "id", "uid", "title", "description", "hosts", "status", "start", "end", "duration",
    "eventTypeId", "eventType", "location", "absentHost", "createdAt", "updatedAt",
    "attendees", "bookingFieldsResponses", "metadata",
  };
  JsonArray *attendees;

  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    g_assert_true (json_object_has_member (b, required[i]));

  g_assert_true (is_calcom_time (json_object_get_string_member (b, "start")));
  g_assert_true (is_calcom_time (json_object_get_string_member (b, "end")));
  g_assert_true (is_calcom_time (json_object_get_string_member (b, "createdAt")));
  g_assert_true (json_object_has_member (json_object_get_object_member (b, "eventType"), "slug"));

  attendees = json_object_get_array_member (b, "attendees");
  g_assert_cmpuint (json_array_get_length (attendees), >=, 1);
  for (guint i = 0; i < json_array_get_length (attendees); i++)
    {
      JsonObject *a = json_array_get_object_element (attendees, i);

      g_assert_true (json_object_has_member (a, "name"));
      g_assert_true (json_object_has_member (a, "email"));
      g_assert_true (json_object_has_member (a, "timeZone"));
      g_assert_true (json_object_has_member (a, "absent"));
    }
}

/* Dataset */

static void
test_dataset_deterministic (void)
{
  g_autoptr(CsClock) clock = cs_manual_clock_new (T0);
  g_autoptr(CsSimDataset) a = NULL;
  g_autoptr(CsSimDataset) b = NULL;
  g_autoptr(CsSimDataset) c = NULL;
  g_autoptr(JsonNode) truth_a = NULL;
  g_autoptr(JsonNode) truth_b = NULL;
  g_autoptr(JsonNode) truth_c = NULL;
  g_autofree char *text_a = NULL;
  g_autofree char *text_b = NULL;
  g_autofree char *text_c = NULL;
  CsSimDatasetConfig config;
  GPtrArray *rows_a, *rows_b;

  small_config (&config);
  a = cs_sim_dataset_new (clock, &config, NULL);
  b = cs_sim_dataset_new (clock, &config, NULL);
  config.seed = 43;
  c = cs_sim_dataset_new (clock, &config, NULL);

  rows_a = cs_sim_dataset_get_appointments (a);
  rows_b = cs_sim_dataset_get_appointments (b);
  g_assert_cmpuint (rows_a->len, ==, rows_b->len);
  for (guint i = 0; i < rows_a->len; i++)
    {
      const CsAppointment *x = ((CsSimAppointment *) g_ptr_array_index (rows_a, i))->appointment;
      const CsAppointment *y = ((CsSimAppointment *) g_ptr_array_index (rows_b, i))->appointment;

      g_assert_cmpint (x->id, ==, y->id);
      g_assert_cmpint (x->starts_at, ==, y->starts_at);
      g_assert_cmpint (x->ends_at, ==, y->ends_at);
      g_assert_cmpint (x->status, ==, y->status);
      g_assert_cmpstr (x->calcom_booking_uid, ==, y->calcom_booking_uid);
      g_assert_cmpstr (x->customer_email, ==, y->customer_email);
    }
  g_assert_cmpuint (cs_sim_dataset_get_bookings (a)->len, ==,
                    cs_sim_dataset_get_bookings (b)->len);

  truth_a = cs_sim_dataset_truth_to_json (a);
  truth_b = cs_sim_dataset_truth_to_json (b);
  truth_c = cs_sim_dataset_truth_to_json (c);
  text_a = json_to_string (truth_a, FALSE);
  text_b = json_to_string (truth_b, FALSE);
  text_c = json_to_string (truth_c, FALSE);
  g_assert_cmpstr (text_a, ==, text_b);
  g_assert_cmpstr (text_a, !=, text_c);
}

static void
test_dataset_fractions (void)
{
  g_autoptr(CsClock) clock = cs_manual_clock_new (T0);
  g_autoptr(CsSimDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  guint seen[CS_SIM_N_CATEGORIES] = { 0, };
  CsSimDatasetConfig config;
  GPtrArray *rows;
  guint sum = 0, n_bookings_expected;
  CsTime window_start = T0 - 30 * CS_USEC_PER_DAY;
  CsTime window_end = T0 + 90 * CS_USEC_PER_DAY;

  cs_sim_dataset_config_init (&config);
  config.seed = 7;
  config.n_appointments = 1000;
  dataset = cs_sim_dataset_new (clock, &config, &error);
  g_assert_no_error (error);

  /* Rounded shares of N, the rest synced. */
  for (guint c = 0; c < CS_SIM_N_CATEGORIES; c++)
    {
      guint count = cs_sim_dataset_count_category (dataset, (CsSimCategory) c);

      if (c != CS_SIM_CATEGORY_SYNCED)
        g_assert_cmpuint (count, ==, (guint) (config.fractions[c] * 1000 + 0.5));
      if (c != CS_SIM_CATEGORY_ORPHANED_CALCOM)
        sum += count;
    }
  g_assert_cmpuint (sum, ==, 1000);
  g_assert_cmpuint (cs_sim_dataset_count_category (dataset, CS_SIM_CATEGORY_SYNCED), ==, 720);

  rows = cs_sim_dataset_get_appointments (dataset);
  g_assert_cmpuint (rows->len, ==, 1000);
  for (guint i = 0; i < rows->len; i++)
    {
      const CsAppointment *a = ((CsSimAppointment *) g_ptr_array_index (rows, i))->appointment;
      const CsSimTruth *truth = cs_sim_dataset_get_truth (dataset, a->id);

      g_assert_true (cs_appointment_is_valid (a, NULL));
      g_assert_cmpint (a->starts_at, >=, window_start);
      g_assert_cmpint (a->ends_at, <=, window_end);
      g_assert_true (g_str_has_prefix (a->customer_name, "Kunde "));
      g_assert_true (g_str_has_suffix (a->customer_email, "@example.test"));

      if (truth == NULL)
        {
          g_assert_cmpint (a->company_id, ==, config.foreign_company_id);
          seen[CS_SIM_CATEGORY_FOREIGN]++;
        }
      else
        {
          g_assert_cmpint (a->company_id, ==, config.company_id);
          seen[truth->category]++;
        }
    }

  for (guint c = 0; c < CS_SIM_N_CATEGORIES; c++)
    {
      if (c != CS_SIM_CATEGORY_ORPHANED_CALCOM)
        g_assert_cmpuint (seen[c], ==, cs_sim_dataset_count_category (dataset, (CsSimCategory) c));
    }
  g_assert_cmpuint (cs_sim_dataset_get_foreign_ids (dataset)->len, ==, 10);

  /* One booking per synced, mismatched and suggested row, per row awaiting
   * its host and per occurrence of a series, half the cancelled ones, plus
   * the orphans of Cal.com. */
  n_bookings_expected = 720 + 50 + 30 + 20 + 20 + 20 + 20 + 30 + 10 + 10;
  g_assert_cmpuint (cs_sim_dataset_get_bookings (dataset)->len, >=, n_bookings_expected + 10);
  g_assert_cmpuint (cs_sim_dataset_get_bookings (dataset)->len, <=, n_bookings_expected + 40);

  /* Shares that add up to more than everything are refused. */
  g_clear_object (&dataset);
  config.fractions[CS_SIM_CATEGORY_ORPHANED_LOCAL] = 0.9;
  dataset = cs_sim_dataset_new (clock, &config, &error);
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_assert_null (dataset);
}

static CsSyncStatus
outcome_status (CsOutcomeKind kind)
{
  switch (kind)
    {
    case CS_OUTCOME_SYNCED:
      return CS_SYNC_STATUS_SYNCED;
    case CS_OUTCOME_DATA_MISMATCH:
      return CS_SYNC_STATUS_FAILED;
    case CS_OUTCOME_ORPHANED_LOCAL:
      return CS_SYNC_STATUS_ORPHANED_LOCAL;
    case CS_OUTCOME_ORPHANED_CALCOM:
      return CS_SYNC_STATUS_ORPHANED_CALCOM;
    case CS_OUTCOME_LOOKUP_NEEDED:
    case CS_OUTCOME_CONFLICT:
    default:
      g_assert_not_reached ();
    }
}

/* The truth agrees with what the core reconciler finds in the data, once
 * the lookups a client would make are answered from the dataset. */
static void
test_dataset_truth_matches_reconciler (void)
{
  g_autoptr(CsClock) clock = cs_manual_clock_new (T0);
  g_autoptr(CsSimDataset) dataset = NULL;
  g_autoptr(GPtrArray) appointments = g_ptr_array_new ();
  g_autoptr(GPtrArray) bookings = g_ptr_array_new ();
  g_autoptr(GHashTable) missing_uids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) missing_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                              g_free, NULL);
  g_autoptr(CsReconcileResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *path = NULL;
  CsReconcileOptions options = { 0, };
  CsSimDatasetConfig config;
  GPtrArray *rows, *booking_rows;
  guint n_booking_outcomes = 0, n_booking_truths = 0;
  JsonObject *root;
  int fd;

  cs_sim_dataset_config_init (&config);
  config.seed = 11;
  config.n_appointments = 3000;
  dataset = cs_sim_dataset_new (clock, &config, &error);
  g_assert_no_error (error);

  rows = cs_sim_dataset_get_appointments (dataset);
  booking_rows = cs_sim_dataset_get_bookings (dataset);
  for (guint i = 0; i < booking_rows->len; i++)
    {
      CsSimBooking *row = g_ptr_array_index (booking_rows, i);
      const char *crm_id = cs_booking_get_crm_appointment_id (row->booking);

      g_ptr_array_add (bookings, row->booking);
      if (crm_id != NULL)
        {
          gint64 id = g_ascii_strtoll (crm_id, NULL, 10);

          if (cs_sim_dataset_lookup_appointment (dataset, id) == NULL)
            g_hash_table_add (missing_ids, g_memdup2 (&id, sizeof id));
        }
    }
  for (guint i = 0; i < rows->len; i++)
    {
      CsAppointment *a = ((CsSimAppointment *) g_ptr_array_index (rows, i))->appointment;

      g_ptr_array_add (appointments, a);
      if (a->calcom_booking_uid != NULL &&
          cs_sim_dataset_lookup_booking (dataset, a->calcom_booking_uid) == NULL)
        g_hash_table_add (missing_uids, a->calcom_booking_uid);
    }
  g_assert_cmpuint (g_hash_table_size (missing_uids), >, 0);
  g_assert_cmpuint (g_hash_table_size (missing_ids), >, 0);

  options.company_id = config.company_id;
  options.missing_uids = missing_uids;
  options.missing_appointment_ids = missing_ids;
  result = cs_reconcile (appointments, bookings, &options);

  g_assert_cmpuint (result->counts[CS_OUTCOME_LOOKUP_NEEDED], ==, 0);
  g_assert_cmpuint (result->counts[CS_OUTCOME_CONFLICT], ==, 0);
  g_assert_cmpuint (result->n_skipped_appointments, ==,
                    cs_sim_dataset_get_foreign_ids (dataset)->len);

  for (guint i = 0; i < result->outcomes->len; i++)
    {
      const CsOutcome *outcome = cs_reconcile_result_get (result, i);
      const CsSimTruth *truth;

      if (outcome->appointment == NULL)
        {
          truth = cs_sim_dataset_get_booking_truth (dataset, outcome->booking->uid);
          g_assert_nonnull (truth);
          g_assert_cmpint (truth->status, ==, outcome_status (outcome->kind));
          g_assert_cmpint (truth->error_code, ==, CS_ERROR_CODE_ORPHANED_CALCOM);
          if (outcome->suggested_appointment != NULL)
            g_assert_cmpint (truth->suggested_appointment_id, ==,
                             outcome->suggested_appointment->id);
          else
            g_assert_cmpint (truth->suggested_appointment_id, ==, 0);
          n_booking_outcomes++;
          continue;
        }

      truth = cs_sim_dataset_get_truth (dataset, outcome->appointment->id);
      g_assert_nonnull (truth);
      g_assert_cmpint (truth->status, ==, outcome_status (outcome->kind));

      switch (outcome->kind)
        {
        case CS_OUTCOME_SYNCED:
          g_assert_cmpint (truth->error_code, ==, CS_ERROR_CODE_NONE);
          break;

        case CS_OUTCOME_DATA_MISMATCH:
          g_assert_cmpint (truth->error_code, ==, CS_ERROR_CODE_DATA_MISMATCH);
          g_assert_cmpuint (outcome->diffs->len, ==, 1);
          g_assert_cmpuint (truth->diff_fields, ==,
                            1u << ((CsFieldDiff *) g_ptr_array_index (outcome->diffs, 0))->field);
          break;

        case CS_OUTCOME_ORPHANED_LOCAL:
          g_assert_cmpint (truth->error_code, ==, CS_ERROR_CODE_ORPHANED_LOCAL);
          if (outcome->suggested_booking != NULL)
            g_assert_cmpstr (truth->suggested_booking_uid, ==, outcome->suggested_booking->uid);
          else
            g_assert_null (truth->suggested_booking_uid);
          break;

        case CS_OUTCOME_ORPHANED_CALCOM:
        case CS_OUTCOME_LOOKUP_NEEDED:
        case CS_OUTCOME_CONFLICT:
        default:
          g_assert_not_reached ();
        }
    }

  for (guint i = 0; i < booking_rows->len; i++)
    {
      CsSimBooking *row = g_ptr_array_index (booking_rows, i);

      if (cs_sim_dataset_get_booking_truth (dataset, row->booking->uid) != NULL)
        n_booking_truths++;
    }
  g_assert_cmpuint (n_booking_outcomes, ==, n_booking_truths);
  g_assert_cmpuint (n_booking_truths, ==,
                    cs_sim_dataset_count_category (dataset, CS_SIM_CATEGORY_ORPHANED_CALCOM) +
                    cs_sim_dataset_count_category (dataset, CS_SIM_CATEGORY_SUGGESTED));

  /* The file says the same. */
  fd = g_file_open_tmp ("calsync-truth-XXXXXX.json", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (cs_sim_dataset_write_truth (dataset, path, &error));
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (root, "seed"), ==, 11);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "appointments")),
                    ==, 3000 - cs_sim_dataset_get_foreign_ids (dataset)->len);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "bookings")),
                    ==, n_booking_truths);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "counts"),
                                               "synced"), ==,
                   cs_sim_dataset_count_category (dataset, CS_SIM_CATEGORY_SYNCED));
  g_unlink (path);
}

/* Cal.com */

static CsSimDatasetConfig paging_config;

static void
test_calcom_paging (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(Response) first = NULL;
  g_autoptr(Response) second = NULL;
  g_autoptr(Response) single = NULL;
  g_autoptr(Response) too_many = NULL;
  g_autoptr(Response) defaults = NULL;
  g_autofree char *path = NULL;
  JsonObject *pagination;
  JsonArray *items;
  const char *uid;

  g_assert_cmpuint (cs_sim_dataset_get_bookings (f->dataset)->len, ==, 251);

  first = request (f, CS_SIM_SERVICE_CALCOM, "GET",
                   "/bookings?status=upcoming,recurring,past,cancelled,unconfirmed&take=250&skip=0",
                   NULL);
  g_assert_cmpuint (first->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (response_object (first), "status"), ==,
                   "success");
  items = json_object_get_array_member (response_object (first), "data");
  pagination = json_object_get_object_member (response_object (first), "pagination");
  g_assert_cmpuint (json_array_get_length (items), ==, 250);
  g_assert_cmpint (json_object_get_int_member (pagination, "totalItems"), ==, 251);
  g_assert_cmpint (json_object_get_int_member (pagination, "remainingItems"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (pagination, "returnedItems"), ==, 250);
  g_assert_cmpint (json_object_get_int_member (pagination, "itemsPerPage"), ==, 250);
  g_assert_cmpint (json_object_get_int_member (pagination, "currentPage"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (pagination, "totalPages"), ==, 2);
  g_assert_true (json_object_get_boolean_member (pagination, "hasNextPage"));
  g_assert_false (json_object_get_boolean_member (pagination, "hasPreviousPage"));
  for (guint i = 0; i < json_array_get_length (items); i++)
    assert_booking_shape (json_array_get_object_element (items, i));

  second = request (f, CS_SIM_SERVICE_CALCOM, "GET", "/bookings?take=250&skip=250", NULL);
  pagination = json_object_get_object_member (response_object (second), "pagination");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (response_object (second),
                                                                         "data")), ==, 1);
  g_assert_cmpint (json_object_get_int_member (pagination, "returnedItems"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (pagination, "remainingItems"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (pagination, "currentPage"), ==, 2);
  g_assert_false (json_object_get_boolean_member (pagination, "hasNextPage"));
  g_assert_true (json_object_get_boolean_member (pagination, "hasPreviousPage"));

  /* One item: filtered down to a single uid. */
  uid = json_object_get_string_member (json_array_get_object_element (items, 7), "uid");
  path = g_strdup_printf ("/bookings?bookingUid=%s", uid);
  single = request (f, CS_SIM_SERVICE_CALCOM, "GET", path, NULL);
  pagination = json_object_get_object_member (response_object (single), "pagination");
  g_assert_cmpint (json_object_get_int_member (pagination, "totalItems"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (pagination, "returnedItems"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (pagination, "totalPages"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (pagination, "itemsPerPage"), ==, 100);
  g_assert_false (json_object_get_boolean_member (pagination, "hasNextPage"));

  defaults = request (f, CS_SIM_SERVICE_CALCOM, "GET", "/bookings", NULL);
  pagination = json_object_get_object_member (response_object (defaults), "pagination");
  g_assert_cmpint (json_object_get_int_member (pagination, "returnedItems"), ==, 100);
  g_assert_cmpint (json_object_get_int_member (pagination, "totalPages"), ==, 3);

  too_many = request (f, CS_SIM_SERVICE_CALCOM, "GET", "/bookings?take=251", NULL);
  assert_calcom_error (too_many, 400, "BadRequestException");
}

static void
test_calcom_filters (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(Response) all = NULL;
  g_autoptr(Response) window = NULL;
  g_autoptr(Response) cancelled = NULL;
  g_autoptr(Response) desc = NULL;
  g_autoptr(Response) bad = NULL;
  g_autofree char *path = NULL;
  g_autofree char *from = cs_time_format_iso8601 (T0);
  g_autofree char *until = cs_time_format_iso8601 (T0 + 14 * CS_USEC_PER_DAY);
  GPtrArray *rows = cs_sim_dataset_get_bookings (f->dataset);
  guint n_window = 0, n_cancelled = 0;
  JsonArray *items;
  const CsSimRequest *recorded;

  for (guint i = 0; i < rows->len; i++)
    {
      const CsBooking *b = ((CsSimBooking *) g_ptr_array_index (rows, i))->booking;

      if (b->start >= T0 && b->end <= T0 + 14 * CS_USEC_PER_DAY)
        n_window++;
      if (!cs_booking_status_is_active (b->status))
        n_cancelled++;
    }
  g_assert_cmpuint (n_cancelled, >, 0);

  /* All five words: everything; an unknown parameter is ignored. */
  all = request (f, CS_SIM_SERVICE_CALCOM, "GET",
                 "/bookings?status=upcoming,recurring,past,cancelled,unconfirmed&take=250"
                 "&afterStrat=2020-01-01T00:00:00Z", NULL);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (response_object (all),
                                                                              "pagination"),
                                               "totalItems"), ==, rows->len);
  recorded = cs_sim_server_get_last_request (f->server, CS_SIM_CALCOM_LIST);
  g_assert_nonnull (strstr (recorded->query, "afterStrat="));

  path = g_strdup_printf ("/bookings?afterStart=%s&beforeEnd=%s&take=250", from, until);
  window = request (f, CS_SIM_SERVICE_CALCOM, "GET", path, NULL);
  items = json_object_get_array_member (response_object (window), "data");
  g_assert_cmpuint (json_array_get_length (items), ==, n_window);
  for (guint i = 1; i < json_array_get_length (items); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, i - 1),
                                                    "start"), <=,
                     json_object_get_string_member (json_array_get_object_element (items, i),
                                                    "start"));

  cancelled = request (f, CS_SIM_SERVICE_CALCOM, "GET", "/bookings?status=cancelled&take=250",
                       NULL);
  items = json_object_get_array_member (response_object (cancelled), "data");
  g_assert_cmpuint (json_array_get_length (items), ==, n_cancelled);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      const char *status = json_object_get_string_member (json_array_get_object_element (items, i),
                                                          "status");

      g_assert_true (g_str_equal (status, "cancelled") || g_str_equal (status, "rejected"));
    }

  desc = request (f, CS_SIM_SERVICE_CALCOM, "GET", "/bookings?sortStart=desc&take=20", NULL);
  items = json_object_get_array_member (response_object (desc), "data");
  for (guint i = 1; i < json_array_get_length (items); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, i - 1),
                                                    "start"), >=,
                     json_object_get_string_member (json_array_get_object_element (items, i),
                                                    "start"));

  bad = request (f, CS_SIM_SERVICE_CALCOM, "GET", "/bookings?status=everything", NULL);
  assert_calcom_error (bad, 400, "BadRequestException");
}

static void
test_calcom_version_header (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(Response) missing = NULL;
  g_autoptr(Response) other = NULL;
  g_autoptr(Response) me = NULL;
  SoupMessage *msg;
  JsonObject *user;

  msg = new_request (f, CS_SIM_SERVICE_CALCOM, "GET", "/bookings");
  soup_message_headers_remove (soup_message_get_request_headers (msg), "cal-api-version");
  missing = send (f, msg);
  assert_calcom_error (missing, 400, "BadRequestException");

  msg = new_request (f, CS_SIM_SERVICE_CALCOM, "GET", "/bookings");
  soup_message_headers_replace (soup_message_get_request_headers (msg), "cal-api-version",
                                "2026-05-01");
  other = send (f, msg);
  assert_calcom_error (other, 400, "BadRequestException");

  /* /v2/me takes no version header. */
  msg = new_request (f, CS_SIM_SERVICE_CALCOM, "GET", "/me");
  soup_message_headers_remove (soup_message_get_request_headers (msg), "cal-api-version");
  me = send (f, msg);
  g_assert_cmpuint (me->status, ==, 200);
  user = json_object_get_object_member (response_object (me), "data");
  g_assert_cmpstr (json_object_get_string_member (response_object (me), "status"), ==, "success");
  g_assert_true (json_object_has_member (user, "id"));
  g_assert_true (json_object_has_member (user, "username"));
  g_assert_true (json_object_has_member (user, "timeFormat"));
  g_assert_true (json_object_has_member (user, "defaultScheduleId"));
  g_assert_true (json_object_has_member (user, "weekStart"));
  g_assert_true (json_object_has_member (user, "organizationId"));
  g_assert_cmpstr (json_object_get_string_member (user, "timeZone"), ==, "Europe/Berlin");
}

static void
test_calcom_not_found (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(Response) missing = NULL;
  g_autoptr(Response) found = NULL;
  g_autofree char *path = NULL;
  CsSimBooking *row = g_ptr_array_index (cs_sim_dataset_get_bookings (f->dataset), 3);
  JsonObject *error;

  missing = request (f, CS_SIM_SERVICE_CALCOM, "GET", "/bookings/no-such-uid", NULL);
  error = assert_calcom_error (missing, 404, "NotFoundException");
  g_assert_cmpstr (json_object_get_string_member (error, "message"), ==,
                   "Booking with uid=no-such-uid was not found in the database");
  g_assert_cmpstr (json_object_get_string_member (response_object (missing), "path"), ==,
                   "/v2/bookings/no-such-uid");

  path = g_strdup_printf ("/bookings/%s", row->booking->uid);
  found = request (f, CS_SIM_SERVICE_CALCOM, "GET", path, NULL);
  g_assert_cmpuint (found->status, ==, 200);
  assert_booking_shape (json_object_get_object_member (response_object (found), "data"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                     response_object (found), "data"), "uid"), ==, row->booking->uid);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->server, CS_SIM_CALCOM_GET), ==, 2);
}

static void
test_calcom_create_cancel (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(Response) created = NULL;
  g_autoptr(Response) invalid = NULL;
  g_autoptr(Response) cancelled = NULL;
  g_autoptr(Response) again = NULL;
  g_autoptr(Response) unknown_type = NULL;
  g_autofree char *cancel_path = NULL;
  JsonObject *booking, *metadata;
  GPtrArray *uids;
  const char *uid;
  CsSimBooking *row;

  created = request (f, CS_SIM_SERVICE_CALCOM, "POST", "/bookings",
                     "{\"start\":\"2026-11-30T10:00:00+01:00\",\"eventTypeId\":42,"
                     "\"attendee\":{\"name\":\"Kunde 9999\",\"email\":\"kunde9999@example.test\","
                     "\"timeZone\":\"Europe/Berlin\",\"phoneNumber\":\"+49 30 5559999\"},"
                     "\"metadata\":{\"crm_appointment_id\":\"1234\",\"crm_company_id\":\"3\"}}");
  g_assert_cmpuint (created->status, ==, 201);
  booking = json_object_get_object_member (response_object (created), "data");
  assert_booking_shape (booking);
  uid = json_object_get_string_member (booking, "uid");
  g_assert_cmpstr (json_object_get_string_member (booking, "status"), ==, "accepted");
  g_assert_cmpstr (json_object_get_string_member (booking, "start"), ==,
                   "2026-11-30T09:00:00.000Z");
  g_assert_cmpstr (json_object_get_string_member (booking, "end"), ==,
                   "2026-11-30T09:30:00.000Z");
  metadata = json_object_get_object_member (booking, "metadata");
  g_assert_cmpstr (json_object_get_string_member (metadata, "crm_appointment_id"), ==, "1234");

  uids = cs_sim_server_get_created_bookings (f->server);
  g_assert_cmpuint (uids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (uids, 0), ==, uid);
  row = cs_sim_dataset_lookup_booking (f->dataset, uid);
  g_assert_nonnull (row);
  g_assert_cmpstr (cs_booking_get_crm_appointment_id (row->booking), ==, "1234");

  invalid = request (f, CS_SIM_SERVICE_CALCOM, "POST", "/bookings",
                     "{\"eventTypeId\":42,\"attendee\":{\"name\":\"X\",\"timeZone\":\"UTC\","
                     "\"email\":\"x@example.test\"}}");
  assert_calcom_error (invalid, 400, "BadRequestException");
  unknown_type = request (f, CS_SIM_SERVICE_CALCOM, "POST", "/bookings",
                          "{\"start\":\"2026-11-30T10:00:00Z\",\"eventTypeId\":7,"
                          "\"attendee\":{\"name\":\"X\",\"timeZone\":\"UTC\","
                          "\"email\":\"x@example.test\"}}");
  assert_calcom_error (unknown_type, 404, "NotFoundException");
  g_assert_cmpuint (uids->len, ==, 1);

  cancel_path = g_strdup_printf ("/bookings/%s/cancel", uid);
  cancelled = request (f, CS_SIM_SERVICE_CALCOM, "POST", cancel_path,
                       "{\"cancellationReason\":\"Termin abgesagt\"}");
  g_assert_cmpuint (cancelled->status, ==, 200);
  booking = json_object_get_object_member (response_object (cancelled), "data");
  g_assert_cmpstr (json_object_get_string_member (booking, "status"), ==, "cancelled");
  g_assert_cmpstr (json_object_get_string_member (booking, "cancellationReason"), ==,
                   "Termin abgesagt");
  g_assert_cmpuint (cs_sim_server_get_cancelled_uids (f->server)->len, ==, 1);

  again = request (f, CS_SIM_SERVICE_CALCOM, "POST", cancel_path, "{}");
  assert_calcom_error (again, 400, "BadRequestException");
  g_assert_cmpuint (cs_sim_server_get_cancelled_uids (f->server)->len, ==, 1);
}

static void
test_auth (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(Response) calcom_missing = NULL;
  g_autoptr(Response) calcom_wrong = NULL;
  g_autoptr(Response) backend_missing = NULL;
  g_autoptr(Response) backend_wrong = NULL;
  SoupMessage *msg;
  const CsSimRequest *recorded;

  msg = new_request (f, CS_SIM_SERVICE_CALCOM, "GET", "/bookings");
  soup_message_headers_remove (soup_message_get_request_headers (msg), "Authorization");
  calcom_missing = send (f, msg);
  assert_calcom_error (calcom_missing, 401, "UnauthorizedException");

  msg = new_request (f, CS_SIM_SERVICE_CALCOM, "GET", "/me");
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                "Bearer cal_live_wrong");
  calcom_wrong = send (f, msg);
  assert_calcom_error (calcom_wrong, 401, "UnauthorizedException");

  msg = new_request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/appointments");
  soup_message_headers_remove (soup_message_get_request_headers (msg), "Authorization");
  backend_missing = send (f, msg);
  assert_backend_error (backend_missing, 401);
  g_assert_cmpstr (json_object_get_string_member (response_object (backend_missing), "message"),
                   ==, "Unauthenticated.");

  msg = new_request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/me");
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                "Bearer nope");
  backend_wrong = send (f, msg);
  assert_backend_error (backend_wrong, 401);

  /* The token never reaches the request log. */
  recorded = cs_sim_server_get_last_request (f->server, CS_SIM_BACKEND_ME);
  g_assert_cmpstr (soup_message_headers_get_one (recorded->headers, "Authorization"), ==,
                   "[redacted]");
}

/* Backend */

static void
test_backend_paging (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(Response) page1 = NULL;
  g_autoptr(Response) page3 = NULL;
  g_autoptr(Response) too_big = NULL;
  g_autoptr(Response) bad_time = NULL;
  g_autoptr(Response) window = NULL;
  g_autoptr(Response) foreign = NULL;
  g_autoptr(Response) missing = NULL;
  g_autoptr(Response) own = NULL;
  g_autofree char *path = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *from = cs_time_format_iso8601 (T0);
  GArray *foreign_ids = cs_sim_dataset_get_foreign_ids (f->dataset);
  GPtrArray *rows = cs_sim_dataset_get_appointments (f->dataset);
  JsonObject *meta, *first;
  JsonArray *items;
  gint64 last_id = 0;
  guint n_future = 0, n_foreign_seen = 0;

  page1 = request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/appointments", NULL);
  g_assert_cmpuint (page1->status, ==, 200);
  meta = json_object_get_object_member (response_object (page1), "meta");
  items = json_object_get_array_member (response_object (page1), "data");
  g_assert_cmpint (json_object_get_int_member (meta, "current_page"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (meta, "per_page"), ==, 100);
  g_assert_cmpint (json_object_get_int_member (meta, "total"), ==, 200);
  g_assert_cmpint (json_object_get_int_member (meta, "last_page"), ==, 2);
  g_assert_cmpuint (json_array_get_length (items), ==, 100);

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *a = json_array_get_object_element (items, i);
      gint64 id = json_object_get_int_member (a, "id");

      g_assert_cmpint (id, >, last_id);
      last_id = id;
      g_assert_true (json_object_has_member (a, "sync"));
      g_assert_true (json_object_has_member (a, "customer"));
      g_assert_true (json_object_has_member (a, "deleted_at"));
      if (json_object_get_int_member (a, "company_id") != 3)
        n_foreign_seen++;
    }
  first = json_array_get_object_element (items, 0);
  g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d"
                                       "[+-]\\d\\d:\\d\\d$",
                                       json_object_get_string_member (first, "starts_at"), 0, 0));

  page3 = request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/appointments?page=3&per_page=70",
                   NULL);
  meta = json_object_get_object_member (response_object (page3), "meta");
  g_assert_cmpint (json_object_get_int_member (meta, "last_page"), ==, 3);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (response_object (page3),
                                                                         "data")), ==, 60);
  for (guint i = 0; i < 60; i++)
    {
      JsonObject *a = json_array_get_object_element (
        json_object_get_array_member (response_object (page3), "data"), i);

      if (json_object_get_int_member (a, "company_id") != 3)
        n_foreign_seen++;
    }

  too_big = request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/appointments?per_page=501", NULL);
  g_assert_true (json_object_has_member (assert_backend_error (too_big, 422), "per_page"));
  bad_time = request (f, CS_SIM_SERVICE_BACKEND, "GET",
                      "/api/v1/appointments?starts_after=2026-11-23T09:00:00", NULL);
  g_assert_true (json_object_has_member (assert_backend_error (bad_time, 422), "starts_after"));

  /* starts_after is inclusive. */
  for (guint i = 0; i < rows->len; i++)
    {
      const CsAppointment *a = ((CsSimAppointment *) g_ptr_array_index (rows, i))->appointment;

      if (a->starts_at >= T0)
        n_future++;
    }
  encoded = g_uri_escape_string (from, NULL, FALSE);
  path = g_strdup_printf ("/api/v1/appointments?starts_after=%s&per_page=500", encoded);
  window = request (f, CS_SIM_SERVICE_BACKEND, "GET", path, NULL);
  meta = json_object_get_object_member (response_object (window), "meta");
  g_assert_cmpint (json_object_get_int_member (meta, "total"), ==, n_future);

  /* Foreign rows are listed on purpose, but not served one by one. */
  g_assert_cmpuint (foreign_ids->len, ==, 2);
  g_assert_cmpuint (n_foreign_seen, >=, 1);
  g_clear_pointer (&path, g_free);
  path = g_strdup_printf ("/api/v1/appointments/%" G_GINT64_FORMAT,
                          g_array_index (foreign_ids, gint64, 0));
  foreign = request (f, CS_SIM_SERVICE_BACKEND, "GET", path, NULL);
  assert_backend_error (foreign, 404);

  missing = request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/appointments/999999", NULL);
  assert_backend_error (missing, 404);

  g_clear_pointer (&path, g_free);
  path = g_strdup_printf ("/api/v1/appointments/%" G_GINT64_FORMAT, last_id);
  own = request (f, CS_SIM_SERVICE_BACKEND, "GET", path, NULL);
  g_assert_cmpuint (own->status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (response_object (own),
                                                                              "data"), "id"),
                   ==, last_id);
}

static void
test_backend_updated_since (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(Response) live = NULL;
  g_autoptr(Response) changed = NULL;
  g_autofree char *since = NULL;
  g_autofree char *path = NULL;
  JsonObject *row, *meta;
  JsonArray *items;

  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_USEC_PER_HOUR);
  since = g_uri_escape_string ("2026-11-23T09:30:00Z", NULL, FALSE);
  g_assert_true (cs_sim_dataset_remove_appointment (f->dataset, 1005));
  g_assert_false (cs_sim_dataset_remove_appointment (f->dataset, 1005));

  live = request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/appointments?per_page=500", NULL);
  meta = json_object_get_object_member (response_object (live), "meta");
  g_assert_cmpint (json_object_get_int_member (meta, "total"), ==, 199);

  path = g_strdup_printf ("/api/v1/appointments?updated_since=%s", since);
  changed = request (f, CS_SIM_SERVICE_BACKEND, "GET", path, NULL);
  items = json_object_get_array_member (response_object (changed), "data");
  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  row = json_array_get_object_element (items, 0);
  g_assert_cmpint (json_object_get_int_member (row, "id"), ==, 1005);
  g_assert_false (json_object_get_null_member (row, "deleted_at"));
}

static void
test_backend_create_conflict (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(Response) created = NULL;
  g_autoptr(Response) duplicate = NULL;
  g_autoptr(Response) invalid = NULL;
  const char *body = "{\"starts_at\":\"2026-11-30T10:00:00+01:00\","
                     "\"ends_at\":\"2026-11-30T10:30:00+01:00\",\"title\":\"Hairstyling - "
                     "Herrenschnitt\",\"customer\":{\"name\":\"Kunde 9998\",\"email\":"
                     "\"kunde9998@example.test\",\"phone\":null},\"calcom_booking_uid\":"
                     "\"sim-created-1\",\"source\":\"calcom\"}";
  JsonObject *a, *existing;
  gint64 id;

  created = request (f, CS_SIM_SERVICE_BACKEND, "POST", "/api/v1/appointments", body);
  g_assert_cmpuint (created->status, ==, 201);
  a = json_object_get_object_member (response_object (created), "data");
  id = json_object_get_int_member (a, "id");
  g_assert_cmpint (json_object_get_int_member (a, "company_id"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (a, "calcom_booking_uid"), ==, "sim-created-1");
  g_assert_cmpstr (json_object_get_string_member (a, "starts_at"), ==, "2026-11-30T10:00:00+01:00");
  g_assert_cmpstr (json_object_get_string_member (a, "source"), ==, "calcom");

  /* Another key, the same booking: 409 with the existing row. */
  duplicate = request (f, CS_SIM_SERVICE_BACKEND, "POST", "/api/v1/appointments", body);
  g_assert_cmpuint (duplicate->status, ==, 409);
  existing = json_object_get_object_member (response_object (duplicate), "data");
  g_assert_cmpint (json_object_get_int_member (existing, "id"), ==, id);
  g_assert_true (json_object_has_member (response_object (duplicate), "message"));

  invalid = request (f, CS_SIM_SERVICE_BACKEND, "POST", "/api/v1/appointments",
                     "{\"starts_at\":\"tomorrow\",\"calcom_booking_uid\":\"x\"}");
  g_assert_true (json_object_has_member (assert_backend_error (invalid, 422), "starts_at"));

  g_assert_cmpuint (cs_sim_server_get_created_appointments (f->server)->len, ==, 1);
  g_assert_cmpint (g_array_index (cs_sim_server_get_created_appointments (f->server), gint64, 0),
                   ==, id);
}

static void
test_backend_idempotency (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(Response) first = NULL;
  g_autoptr(Response) replay = NULL;
  g_autoptr(Response) no_key = NULL;
  const char *body = "{\"starts_at\":\"2026-12-01T10:00:00+01:00\","
                     "\"ends_at\":\"2026-12-01T11:00:00+01:00\","
                     "\"calcom_booking_uid\":\"sim-idem-1\",\"source\":\"calcom\"}";
  SoupMessage *msg;

  msg = new_request (f, CS_SIM_SERVICE_BACKEND, "POST", "/api/v1/appointments");
  set_body (msg, body);
  set_idempotency_key (msg, "6a1e9b2c-0000-4000-8000-000000000001");
  first = send (f, msg);
  g_assert_cmpuint (first->status, ==, 201);

  /* The clock moves: a second execution would stamp other times. */
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_USEC_PER_MINUTE);
  msg = new_request (f, CS_SIM_SERVICE_BACKEND, "POST", "/api/v1/appointments");
  set_body (msg, body);
  set_idempotency_key (msg, "6a1e9b2c-0000-4000-8000-000000000001");
  replay = send (f, msg);
  g_assert_cmpuint (replay->status, ==, 201);
  g_assert_true (g_bytes_equal (first->body, replay->body));
  g_assert_cmpstr (soup_message_headers_get_one (replay->headers, "Idempotent-Replayed"), ==,
                   "true");
  g_assert_cmpuint (cs_sim_server_get_created_appointments (f->server)->len, ==, 1);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->server, CS_SIM_BACKEND_CREATE), ==, 2);

  msg = new_request (f, CS_SIM_SERVICE_BACKEND, "POST", "/api/v1/audit-log");
  set_body (msg, "{\"entries\":[]}");
  no_key = send (f, msg);
  g_assert_true (json_object_has_member (assert_backend_error (no_key, 422), "Idempotency-Key"));
}

static void
test_backend_staff (Fixture       *f,
                    gconstpointer  data)
{
  static const struct { const char *method, *path, *body; } writes[] = {
    { "POST", "/api/v1/appointments", "{}" },
    { "PATCH", "/api/v1/appointments/1001", "{\"status\":\"confirmed\"}" },
    { "POST", "/api/v1/appointments/1001/cancel", "{\"reason\":\"x\"}" },
    { "PATCH", "/api/v1/appointments/sync-status", "{\"updates\":[]}" },
    { "POST", "/api/v1/audit-log", "{\"entries\":[]}" },
  };
  g_autoptr(Response) me = NULL;
  g_autoptr(Response) list = NULL;

  cs_sim_server_set_role (f->server, "staff");
  me = request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/me", NULL);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (
                       json_object_get_object_member (response_object (me), "data"), "user"),
                     "role"), ==, "staff");

  for (guint i = 0; i < G_N_ELEMENTS (writes); i++)
    {
      g_autoptr(Response) r = request (f, CS_SIM_SERVICE_BACKEND, writes[i].method, writes[i].path,
                                       writes[i].body);

      assert_backend_error (r, 403);
    }

  list = request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/appointments", NULL);
  g_assert_cmpuint (list->status, ==, 200);
  g_assert_cmpuint (cs_sim_server_get_n_patches (f->server), ==, 0);
  g_assert_cmpuint (cs_sim_server_get_cancelled_appointments (f->server)->len, ==, 0);
}

static void
test_backend_sync_status (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GString) big = g_string_new ("{\"updates\":[");
  g_autoptr(Response) too_many = NULL;
  g_autoptr(Response) ok = NULL;
  g_autoptr(Response) invalid = NULL;
  g_autoptr(Response) row = NULL;
  JsonObject *update, *sync;

  for (guint i = 0; i < 501; i++)
    g_string_append_printf (big, "%s{\"id\":%u,\"calcom_sync_status\":\"synced\"}",
                            i > 0 ? "," : "", 1000 + i);
  g_string_append (big, "]}");
  too_many = request (f, CS_SIM_SERVICE_BACKEND, "PATCH", "/api/v1/appointments/sync-status",
                      big->str);
  g_assert_true (json_object_has_member (assert_backend_error (too_many, 422), "updates"));
  g_assert_cmpuint (cs_sim_server_get_n_sync_updates (f->server), ==, 0);

  invalid = request (f, CS_SIM_SERVICE_BACKEND, "PATCH", "/api/v1/appointments/sync-status",
                     "{\"updates\":[{\"id\":1000,\"calcom_sync_status\":\"lost\"}]}");
  g_assert_true (json_object_has_member (assert_backend_error (invalid, 422),
                                         "updates.0.calcom_sync_status"));

  ok = request (f, CS_SIM_SERVICE_BACKEND, "PATCH", "/api/v1/appointments/sync-status",
                "{\"updates\":[{\"id\":1002,\"calcom_sync_status\":\"orphaned_local\","
                "\"last_sync_attempt_at\":\"2026-11-23T09:00:00Z\",\"sync_attempt_count\":3,"
                "\"sync_error_message\":\"Not in Cal.com\",\"sync_error_code\":\"ORPHANED_LOCAL\","
                "\"sync_verified_at\":null,\"requires_manual_review\":true,"
                "\"manual_review_flagged_at\":\"2026-11-23T09:00:00Z\"},"
                "{\"id\":1003,\"calcom_sync_status\":\"synced\",\"sync_error_code\":null},"
                "{\"id\":987654,\"calcom_sync_status\":\"synced\"}]}");
  g_assert_cmpuint (ok->status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (response_object (ok),
                                                                              "data"), "updated"),
                   ==, 2);
  g_assert_cmpuint (cs_sim_server_get_n_sync_updates (f->server), ==, 2);
  update = cs_sim_server_get_sync_update (f->server, 1002);
  g_assert_nonnull (update);
  g_assert_cmpstr (json_object_get_string_member (update, "sync_error_code"), ==, "ORPHANED_LOCAL");

  row = request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/appointments/1002", NULL);
  sync = json_object_get_object_member (json_object_get_object_member (response_object (row),
                                                                       "data"), "sync");
  g_assert_cmpstr (json_object_get_string_member (sync, "calcom_sync_status"), ==,
                   "orphaned_local");
  g_assert_cmpint (json_object_get_int_member (sync, "sync_attempt_count"), ==, 3);
  g_assert_true (json_object_get_boolean_member (sync, "requires_manual_review"));
  g_assert_cmpstr (json_object_get_string_member (sync, "last_sync_attempt_at"), ==,
                   "2026-11-23T10:00:00+01:00");
}

static void
test_backend_patch_cancel_audit (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(Response) patched = NULL;
  g_autoptr(Response) bad_patch = NULL;
  g_autoptr(Response) cancelled = NULL;
  g_autoptr(Response) audit = NULL;
  g_autoptr(Response) audit_again = NULL;
  JsonObject *a, *patch;
  CsSimAppointment *row;
  GPtrArray *keys;

  patched = request (f, CS_SIM_SERVICE_BACKEND, "PATCH", "/api/v1/appointments/1004",
                     "{\"calcom_booking_uid\":\"linked-uid\",\"status\":\"confirmed\"}");
  g_assert_cmpuint (patched->status, ==, 200);
  a = json_object_get_object_member (response_object (patched), "data");
  g_assert_cmpstr (json_object_get_string_member (a, "calcom_booking_uid"), ==, "linked-uid");
  g_assert_cmpstr (json_object_get_string_member (a, "status"), ==, "confirmed");
  patch = cs_sim_server_get_patch (f->server, 1004);
  g_assert_nonnull (patch);
  g_assert_cmpstr (json_object_get_string_member (patch, "calcom_booking_uid"), ==, "linked-uid");
  row = cs_sim_dataset_lookup_appointment (f->dataset, 1004);
  g_assert_cmpint (row->appointment->updated_at, ==, T0);

  bad_patch = request (f, CS_SIM_SERVICE_BACKEND, "PATCH", "/api/v1/appointments/1004",
                       "{\"status\":\"gone\"}");
  g_assert_true (json_object_has_member (assert_backend_error (bad_patch, 422), "status"));

  cancelled = request (f, CS_SIM_SERVICE_BACKEND, "POST", "/api/v1/appointments/1004/cancel",
                       "{\"reason\":\"Kunde hat abgesagt\"}");
  g_assert_cmpuint (cancelled->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                     response_object (cancelled), "data"), "status"), ==, "cancelled");
  g_assert_cmpuint (cs_sim_server_get_cancelled_appointments (f->server)->len, ==, 1);

  audit = request (f, CS_SIM_SERVICE_BACKEND, "POST", "/api/v1/audit-log",
                   "{\"entries\":[{\"key\":\"k-1\",\"appointment_id\":1004,\"action\":"
                   "\"cancel_appointment\",\"result\":\"ok\",\"note\":null,\"performed_at\":"
                   "\"2026-11-23T09:00:00Z\",\"performed_by\":12},{\"key\":\"k-2\","
                   "\"appointment_id\":1004,\"action\":\"mark_resolved\",\"result\":\"ok\"}]}");
  g_assert_cmpuint (audit->status, ==, 201);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (
                     response_object (audit), "data"), "accepted"), ==, 2);

  /* A new request (new idempotency key) repeating an entry's key. */
  audit_again = request (f, CS_SIM_SERVICE_BACKEND, "POST", "/api/v1/audit-log",
                         "{\"entries\":[{\"key\":\"k-2\",\"action\":\"mark_resolved\"},"
                         "{\"key\":\"k-3\",\"action\":\"snooze\"}]}");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (
                     response_object (audit_again), "data"), "accepted"), ==, 1);
  keys = cs_sim_server_get_audit_keys (f->server);
  g_assert_cmpuint (keys->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (keys, 2), ==, "k-3");
  g_assert_cmpuint (cs_sim_server_get_audit_entries (f->server)->len, ==, 3);
}

/* Rate limit */

static void
test_rate_limit (Fixture       *f,
                 gconstpointer  data)
{
  CsSimRateLimit limit;

  cs_sim_rate_limit_init (&limit);
  limit.enabled = TRUE;
  limit.limit = 5;
  g_assert_cmpuint (limit.window_seconds, ==, 60);
  cs_sim_server_set_rate_limit (f->server, &limit);

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(Response) r = request (f, CS_SIM_SERVICE_CALCOM, "GET", "/me", NULL);
      g_autofree char *remaining = g_strdup_printf ("%u", 4 - i);

      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpstr (soup_message_headers_get_one (r->headers, "X-RateLimit-Limit-Default"), ==,
                       "5");
      g_assert_cmpstr (soup_message_headers_get_one (r->headers, "X-RateLimit-Remaining-Default"),
                       ==, remaining);
      g_assert_cmpstr (soup_message_headers_get_one (r->headers, "X-RateLimit-Reset-Default"), ==,
                       "60");
    }

  /* The request that goes over blocks the key for 60 s from then, and
   * every request in the block is refused, without Retry-After. */
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), 20 * CS_USEC_PER_SECOND);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(Response) r = request (f, CS_SIM_SERVICE_CALCOM, "GET", "/bookings?take=1", NULL);

      assert_calcom_error (r, 429, "ThrottlerException");
      g_assert_cmpstr (soup_message_headers_get_one (r->headers, "X-RateLimit-Remaining-Default"),
                       ==, "0");
      g_assert_cmpstr (soup_message_headers_get_one (r->headers, "X-RateLimit-Reset-Default"), ==,
                       "60");
      g_assert_null (soup_message_headers_get_one (r->headers, "Retry-After"));
    }

  /* Past the window the first request opened, the block still holds. */
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), 41 * CS_USEC_PER_SECOND);
  {
    g_autoptr(Response) r = request (f, CS_SIM_SERVICE_CALCOM, "GET", "/me", NULL);

    assert_calcom_error (r, 429, "ThrottlerException");
    g_assert_cmpstr (soup_message_headers_get_one (r->headers, "X-RateLimit-Reset-Default"), ==,
                     "19");
  }

  /* After the block: served again, with a fresh budget. */
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), 19 * CS_USEC_PER_SECOND);
  {
    g_autoptr(Response) r = request (f, CS_SIM_SERVICE_CALCOM, "GET", "/bookings?take=1", NULL);

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (soup_message_headers_get_one (r->headers, "X-RateLimit-Remaining-Default"),
                     ==, "4");
  }

  /* The backend has no such limit. */
  for (guint i = 0; i < 7; i++)
    {
      g_autoptr(Response) r = request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/me", NULL);

      g_assert_cmpuint (r->status, ==, 200);
      g_assert_null (soup_message_headers_get_one (r->headers, "X-RateLimit-Limit-Default"));
    }
}

/* Faults */

static gint64
meta_total (Response *r)
{
  return json_object_get_int_member (json_object_get_object_member (response_object (r), "meta"),
                                     "total");
}

/* The drift knobs change the data while a listing is read, and the truth
 * follows: rows deleted after page 1 are gone (the bookings they held now
 * orphaned), rows added land in front of the read position as orphans. */
static void
test_drift_truth (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(Response) page1 = NULL;
  g_autoptr(Response) again = NULL;
  g_autoptr(Response) bookings = NULL;
  JsonArray *items;
  CsSimFaults faults;
  gint64 deleted_id, first_id;
  const char *held_uid, *vanished_uid;
  CsSimAppointment *row;
  CsSimBooking *held;
  gint64 total;

  /* The CRM: the last three rows of page 1 are deleted once it is sent. */
  cs_sim_faults_init (&faults);
  faults.drift_after_page = 1;
  faults.drift_rows = -3;
  cs_sim_server_set_faults (f->server, CS_SIM_SERVICE_BACKEND, &faults);
  page1 = request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/appointments?per_page=50", NULL);
  g_assert_cmpuint (page1->status, ==, 200);
  items = json_object_get_array_member (response_object (page1), "data");
  total = meta_total (page1);
  deleted_id = json_object_get_int_member (json_array_get_object_element (items, 49), "id");
  row = cs_sim_dataset_lookup_appointment (f->dataset, deleted_id);
  g_assert_cmpint (row->appointment->deleted_at, !=, CS_TIME_UNSET);
  g_assert_null (cs_sim_dataset_get_truth (f->dataset, deleted_id));
  held_uid = row->appointment->calcom_booking_uid;
  held = held_uid != NULL ? cs_sim_dataset_lookup_booking (f->dataset, held_uid) : NULL;
  if (held != NULL && cs_booking_status_is_active (held->booking->status))
    g_assert_cmpint (cs_sim_dataset_get_booking_truth (f->dataset, held_uid)->status, ==,
                     CS_SYNC_STATUS_ORPHANED_CALCOM);

  /* Once: the next listing holds still, three rows shorter. */
  again = request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/appointments?per_page=50", NULL);
  g_assert_cmpint (meta_total (again), ==, total - 3);
  g_clear_pointer (&again, response_free);

  /* Two rows added in front: ids below every other, orphaned. */
  faults.drift_rows = 2;
  cs_sim_server_set_faults (f->server, CS_SIM_SERVICE_BACKEND, &faults);
  again = request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/appointments?per_page=50", NULL);
  g_clear_pointer (&again, response_free);
  again = request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/appointments?per_page=50", NULL);
  items = json_object_get_array_member (response_object (again), "data");
  first_id = json_object_get_int_member (json_array_get_object_element (items, 0), "id");
  g_assert_cmpint (cs_sim_dataset_get_truth (f->dataset, first_id)->status, ==,
                   CS_SYNC_STATUS_ORPHANED_LOCAL);
  g_assert_cmpint (meta_total (again), ==, total - 1);

  /* Cal.com: the last booking of the first page goes for good. */
  faults.drift_rows = -1;
  cs_sim_server_set_faults (f->server, CS_SIM_SERVICE_CALCOM, &faults);
  bookings = request (f, CS_SIM_SERVICE_CALCOM, "GET",
                      "/bookings?sortCreated=asc&take=20&skip=0", NULL);
  g_assert_cmpuint (bookings->status, ==, 200);
  items = json_object_get_array_member (response_object (bookings), "data");
  vanished_uid = json_object_get_string_member (json_array_get_object_element (items, 19), "uid");
  g_assert_null (cs_sim_dataset_lookup_booking (f->dataset, vanished_uid));
  g_assert_null (cs_sim_dataset_get_booking_truth (f->dataset, vanished_uid));
}

static void
test_fault_latency (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(Response) r = NULL;
  CsSimFaults faults;
  Sending sending;
  SoupMessage *msg;
  gboolean timed_out = FALSE;
  guint id;

  cs_sim_faults_init (&faults);
  faults.latency_ms = 50;
  cs_sim_server_set_faults (f->server, CS_SIM_SERVICE_BACKEND, &faults);

  msg = new_request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/me");
  r = send_async (f, msg, &sending);

  /* The request arrives, and its answer is held back. */
  id = g_timeout_add_seconds (WAIT_LIMIT_SECONDS, flag_cb, &timed_out);
  while (cs_sim_server_get_n_pending (f->server) == 0 && !r->done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  g_assert_false (timed_out);
  g_assert_false (r->done);
  g_assert_cmpuint (cs_sim_server_get_n_pending (f->server), ==, 1);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->server, CS_SIM_BACKEND_ME), ==, 1);

  wait_for (&r->done);
  g_object_unref (msg);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_true (json_object_has_member (response_object (r), "data"));
  g_assert_cmpuint (cs_sim_server_get_n_pending (f->server), ==, 0);
}

static guint
count_errors (Fixture *f,
              guint    n)
{
  guint errors = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(Response) r = request (f, CS_SIM_SERVICE_CALCOM, "GET", "/me", NULL);

      if (r->status == 500)
        {
          assert_calcom_error (r, 500, "InternalServerErrorException");
          errors++;
        }
      else
        g_assert_cmpuint (r->status, ==, 200);
    }

  return errors;
}

static void
test_fault_error_rate (Fixture       *f,
                       gconstpointer  data)
{
  CsSimFaults faults;
  guint first, second;

  cs_sim_faults_init (&faults);
  faults.error_rate = 0.25;
  cs_sim_server_set_faults (f->server, CS_SIM_SERVICE_CALCOM, &faults);

  cs_sim_server_set_fault_seed (f->server, 99);
  first = count_errors (f, 200);
  g_assert_cmpuint (first, >=, 30);
  g_assert_cmpuint (first, <=, 70);

  /* Seeded: the same seed gives the same failures. */
  cs_sim_server_set_fault_seed (f->server, 99);
  second = count_errors (f, 200);
  g_assert_cmpuint (first, ==, second);
}

static void
test_fault_force_status_and_storm (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(Response) calcom = NULL;
  g_autoptr(Response) backend = NULL;
  g_autoptr(Response) after = NULL;
  CsSimFaults faults;

  cs_sim_faults_init (&faults);
  faults.force_status = 503;
  cs_sim_server_set_faults (f->server, CS_SIM_SERVICE_CALCOM, &faults);
  cs_sim_server_set_faults (f->server, CS_SIM_SERVICE_BACKEND, &faults);
  calcom = request (f, CS_SIM_SERVICE_CALCOM, "GET", "/bookings", NULL);
  assert_calcom_error (calcom, 503, "ServiceUnavailableException");
  backend = request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/appointments", NULL);
  assert_backend_error (backend, 503);

  cs_sim_faults_init (&faults);
  faults.storm_429 = 3;
  faults.storm_retry_after = 7;
  cs_sim_server_set_faults (f->server, CS_SIM_SERVICE_BACKEND, &faults);
  cs_sim_server_clear_faults (f->server, CS_SIM_SERVICE_CALCOM);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(Response) r = request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/me", NULL);

      assert_backend_error (r, 429);
      g_assert_cmpstr (soup_message_headers_get_one (r->headers, "Retry-After"), ==, "7");
    }
  after = request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/me", NULL);
  g_assert_cmpuint (after->status, ==, 200);
  cs_sim_server_get_faults (f->server, CS_SIM_SERVICE_BACKEND, &faults);
  g_assert_cmpuint (faults.storm_429, ==, 0);
}

static void
test_fault_downtime (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(Response) before = NULL;
  g_autoptr(Response) down = NULL;
  g_autoptr(Response) dropped = NULL;
  g_autoptr(Response) back = NULL;
  CsSimFaults faults;

  cs_sim_faults_init (&faults);
  faults.downtime_from = T0 + 10 * CS_USEC_PER_SECOND;
  faults.downtime_until = T0 + 20 * CS_USEC_PER_SECOND;
  cs_sim_server_set_faults (f->server, CS_SIM_SERVICE_CALCOM, &faults);

  before = request (f, CS_SIM_SERVICE_CALCOM, "GET", "/me", NULL);
  g_assert_cmpuint (before->status, ==, 200);

  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), 10 * CS_USEC_PER_SECOND);
  down = request (f, CS_SIM_SERVICE_CALCOM, "GET", "/me", NULL);
  assert_calcom_error (down, 503, "ServiceUnavailableException");

  faults.downtime_drop = TRUE;
  cs_sim_server_set_faults (f->server, CS_SIM_SERVICE_CALCOM, &faults);
  dropped = request (f, CS_SIM_SERVICE_CALCOM, "GET", "/me", NULL);
  g_assert_nonnull (dropped->error);
  g_assert_null (dropped->body);

  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), 10 * CS_USEC_PER_SECOND);
  back = request (f, CS_SIM_SERVICE_CALCOM, "GET", "/me", NULL);
  g_assert_cmpuint (back->status, ==, 200);
}

static void
test_fault_bodies (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(Response) normal = NULL;
  g_autoptr(Response) truncated = NULL;
  g_autoptr(Response) html_ok = NULL;
  g_autoptr(Response) html_bad = NULL;
  g_autoptr(Response) oversize = NULL;
  const char *path = "/bookings?take=5";
  CsSimFaults faults;

  normal = request (f, CS_SIM_SERVICE_CALCOM, "GET", path, NULL);
  g_assert_true (response_parses (normal));

  cs_sim_faults_init (&faults);
  faults.truncate_body = TRUE;
  cs_sim_server_set_faults (f->server, CS_SIM_SERVICE_CALCOM, &faults);
  truncated = request (f, CS_SIM_SERVICE_CALCOM, "GET", path, NULL);
  g_assert_cmpuint (truncated->status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (truncated->body), ==, g_bytes_get_size (normal->body) / 2);
  g_assert_false (response_parses (truncated));

  cs_sim_faults_init (&faults);
  faults.non_json_status = 200;
  cs_sim_server_set_faults (f->server, CS_SIM_SERVICE_CALCOM, &faults);
  html_ok = request (f, CS_SIM_SERVICE_CALCOM, "GET", path, NULL);
  g_assert_cmpuint (html_ok->status, ==, 200);
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (html_ok->headers, NULL),
                                   "text/html"));
  g_assert_false (response_parses (html_ok));

  faults.non_json_status = 502;
  cs_sim_server_set_faults (f->server, CS_SIM_SERVICE_BACKEND, &faults);
  html_bad = request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/appointments", NULL);
  g_assert_cmpuint (html_bad->status, ==, 502);
  g_assert_false (response_parses (html_bad));

  cs_sim_faults_init (&faults);
  faults.oversize_bytes = 3 * 1024 * 1024;
  cs_sim_server_set_faults (f->server, CS_SIM_SERVICE_CALCOM, &faults);
  oversize = request (f, CS_SIM_SERVICE_CALCOM, "GET", path, NULL);
  g_assert_cmpuint (g_bytes_get_size (oversize->body), ==, 3 * 1024 * 1024);
  g_assert_true (json_object_has_member (response_object (oversize), "_padding"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (response_object (oversize),
                                                                         "data")), ==, 5);
}

static void
test_fault_slow_body (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(Response) normal = NULL;
  g_autoptr(Response) slow = NULL;
  const char *path = "/bookings?take=3";
  CsSimFaults faults;
  gsize size;

  normal = request (f, CS_SIM_SERVICE_CALCOM, "GET", path, NULL);
  size = g_bytes_get_size (normal->body);
  g_assert_cmpuint (size, >, 1024);

  cs_sim_faults_init (&faults);
  faults.slow_body_delay_ms = 5;
  faults.slow_body_chunk_bytes = 512;
  cs_sim_server_set_faults (f->server, CS_SIM_SERVICE_CALCOM, &faults);

  slow = request (f, CS_SIM_SERVICE_CALCOM, "GET", path, NULL);
  g_assert_cmpuint (slow->status, ==, 200);
  g_assert_cmpint (soup_message_headers_get_encoding (slow->headers), ==, SOUP_ENCODING_CHUNKED);
  g_assert_true (g_bytes_equal (normal->body, slow->body));
  g_assert_cmpuint (cs_sim_server_get_n_pending (f->server), ==, 0);
}

/* Introspection and mutators */

static void
test_request_counting (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(Response) a = NULL;
  g_autoptr(Response) b = NULL;
  g_autoptr(Response) c = NULL;
  g_autoptr(Response) d = NULL;
  g_autoptr(Response) unknown = NULL;
  const CsSimRequest *recorded;
  GPtrArray *requests;

  a = request (f, CS_SIM_SERVICE_CALCOM, "GET", "/bookings?take=1", NULL);
  b = request (f, CS_SIM_SERVICE_CALCOM, "GET", "/bookings?take=2&skip=1", NULL);
  c = request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/appointments?page=2", NULL);
  d = request (f, CS_SIM_SERVICE_BACKEND, "POST", "/api/v1/audit-log",
               "{\"entries\":[{\"key\":\"k\",\"action\":\"snooze\"}]}");
  unknown = request (f, CS_SIM_SERVICE_CALCOM, "GET", "/schedules", NULL);
  assert_calcom_error (unknown, 404, "NotFoundException");

  g_assert_cmpuint (cs_sim_server_get_request_count (f->server, CS_SIM_CALCOM_LIST), ==, 2);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->server, CS_SIM_BACKEND_LIST), ==, 1);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->server, CS_SIM_BACKEND_AUDIT_LOG), ==, 1);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->server, CS_SIM_CALCOM_CREATE), ==, 0);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->server, "GET /v2/schedules"), ==, 1);
  g_assert_cmpuint (cs_sim_server_get_service_request_count (f->server, CS_SIM_SERVICE_CALCOM),
                    ==, 3);
  g_assert_cmpuint (cs_sim_server_get_service_request_count (f->server, CS_SIM_SERVICE_BACKEND),
                    ==, 2);

  requests = cs_sim_server_get_requests (f->server);
  g_assert_cmpuint (requests->len, ==, 5);
  recorded = g_ptr_array_index (requests, 1);
  g_assert_cmpstr (recorded->endpoint, ==, CS_SIM_CALCOM_LIST);
  g_assert_cmpstr (recorded->method, ==, "GET");
  g_assert_cmpstr (recorded->path, ==, "/v2/bookings");
  g_assert_cmpstr (recorded->query, ==, "take=2&skip=1");
  g_assert_cmpuint (recorded->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_one (recorded->headers, "cal-api-version"), ==,
                   "2024-08-13");
  g_assert_cmpint (recorded->time, ==, T0);

  recorded = cs_sim_server_get_last_request (f->server, CS_SIM_BACKEND_AUDIT_LOG);
  g_assert_nonnull (recorded->body);
  g_assert_nonnull (soup_message_headers_get_one (recorded->headers, "Idempotency-Key"));
  g_assert_cmpuint (recorded->status, ==, 201);

  cs_sim_server_reset_counters (f->server);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->server, CS_SIM_CALCOM_LIST), ==, 0);
  g_assert_cmpuint (cs_sim_server_get_service_request_count (f->server, CS_SIM_SERVICE_CALCOM),
                    ==, 0);
  g_assert_cmpuint (cs_sim_server_get_requests (f->server)->len, ==, 0);
  g_assert_cmpuint (cs_sim_server_get_audit_keys (f->server)->len, ==, 1);
  cs_sim_server_reset_writes (f->server);
  g_assert_cmpuint (cs_sim_server_get_audit_keys (f->server)->len, ==, 0);
}

static void
test_mutators (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(CsBooking) booking = cs_booking_new ("test-added-booking");
  g_autoptr(CsAppointment) appointment = cs_appointment_new ();
  g_autoptr(Response) added = NULL;
  g_autoptr(Response) removed = NULL;
  g_autoptr(Response) row = NULL;
  g_autoptr(Response) me = NULL;
  g_autoptr(Response) other_company = NULL;
  JsonObject *data_object;
  CsSimBooking *stored;

  booking->start = T0 + CS_USEC_PER_DAY;
  booking->end = booking->start + 30 * CS_USEC_PER_MINUTE;
  booking->event_type_id = 42;
  booking->title = g_strdup ("Test");
  cs_booking_add_attendee (booking, "Kunde 7777", "kunde7777@example.test", NULL);
  stored = cs_sim_dataset_put_booking (f->dataset, booking);
  g_assert_cmpint (stored->booking->id, >, 0);
  g_assert_cmpint (stored->created_at, ==, T0);

  added = request (f, CS_SIM_SERVICE_CALCOM, "GET", "/bookings/test-added-booking", NULL);
  g_assert_cmpuint (added->status, ==, 200);
  data_object = json_object_get_object_member (response_object (added), "data");
  g_assert_cmpstr (json_object_get_string_member (data_object, "start"), ==,
                   "2026-11-24T09:00:00.000Z");

  g_assert_true (cs_sim_dataset_remove_booking (f->dataset, "test-added-booking"));
  removed = request (f, CS_SIM_SERVICE_CALCOM, "GET", "/bookings/test-added-booking", NULL);
  assert_calcom_error (removed, 404, "NotFoundException");

  appointment->id = 50000;
  appointment->company_id = 3;
  appointment->starts_at = T0;
  appointment->ends_at = T0 + CS_USEC_PER_HOUR;
  appointment->status = CS_CRM_STATUS_CONFIRMED;
  cs_sim_dataset_put_appointment (f->dataset, appointment);
  appointment->status = CS_CRM_STATUS_NO_SHOW;
  cs_sim_dataset_put_appointment (f->dataset, appointment);
  g_assert_cmpuint (cs_sim_dataset_get_appointments (f->dataset)->len, ==, 201);

  row = request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/appointments/50000", NULL);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                     response_object (row), "data"), "status"), ==, "no_show");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                     response_object (row), "data"), "starts_at"), ==,
                   "2026-11-23T10:00:00+01:00");
  g_assert_cmpint (cs_sim_dataset_next_appointment_id (f->dataset), ==, 50001);

  cs_sim_server_set_company_id (f->server, 4);
  me = request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/me", NULL);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (
                     json_object_get_object_member (response_object (me), "data"), "company"),
                     "id"), ==, 4);
  other_company = request (f, CS_SIM_SERVICE_BACKEND, "GET", "/api/v1/appointments/50000", NULL);
  assert_backend_error (other_company, 404);
}

static void
test_berlin_offsets (void)
{
  g_autoptr(CsClock) clock = cs_manual_clock_new (T0);
  g_autoptr(CsSimDataset) dataset = NULL;
  CsSimAppointment row = { NULL, FALSE, 0 };
  CsSimDatasetConfig config;
  GTimeZone *zone;
  CsTime winter, summer;
  char *text;

  small_config (&config);
  config.n_appointments = 0;

  g_assert_true (cs_time_parse_iso8601 ("2026-01-15T12:00:00Z", &winter));
  g_assert_true (cs_time_parse_iso8601 ("2026-07-15T12:00:00Z", &summer));
  g_assert_cmpint (cs_sim_berlin_offset_minutes (winter), ==, 60);
  g_assert_cmpint (cs_sim_berlin_offset_minutes (summer), ==, 120);

  /* 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC. */
  g_assert_true (cs_time_parse_iso8601 ("2026-03-29T00:59:59Z", &winter));
  g_assert_cmpint (cs_sim_berlin_offset_minutes (winter), ==, 60);
  g_assert_true (cs_time_parse_iso8601 ("2026-03-29T01:00:00Z", &summer));
  g_assert_cmpint (cs_sim_berlin_offset_minutes (summer), ==, 120);
  g_assert_true (cs_time_parse_iso8601 ("2026-10-25T00:59:59Z", &summer));
  g_assert_cmpint (cs_sim_berlin_offset_minutes (summer), ==, 120);
  g_assert_true (cs_time_parse_iso8601 ("2026-10-25T01:00:00Z", &winter));
  g_assert_cmpint (cs_sim_berlin_offset_minutes (winter), ==, 60);

  /* The same as tzdata, hour by hour, where the machine has it. */
  zone = g_time_zone_new_identifier ("Europe/Berlin");
  if (zone != NULL)
    {
      CsTime start, end;

      g_assert_true (cs_time_parse_iso8601 ("2024-01-01T00:00:00Z", &start));
      g_assert_true (cs_time_parse_iso8601 ("2031-01-01T00:00:00Z", &end));
      for (CsTime t = start; t < end; t += CS_USEC_PER_HOUR)
        {
          int interval = g_time_zone_find_interval (zone, G_TIME_TYPE_UNIVERSAL,
                                                    t / CS_USEC_PER_SECOND);

          g_assert_cmpint (cs_sim_berlin_offset_minutes (t) * 60, ==,
                           g_time_zone_get_offset (zone, interval));
        }
      g_time_zone_unref (zone);
    }

  /* A fixed offset west of UTC. */
  dataset = cs_sim_dataset_new (clock, &config, NULL);
  row.fixed_offset = TRUE;
  row.utc_offset_minutes = -(4 * 60 + 30);
  text = cs_sim_dataset_format_crm_time (dataset, &row, T0);
  g_assert_cmpstr (text, ==, "2026-11-23T04:30:00-04:30");
  g_free (text);
  text = cs_sim_dataset_format_crm_time (dataset, NULL, T0);
  g_assert_cmpstr (text, ==, "2026-11-23T10:00:00+01:00");
  g_free (text);
  g_assert_null (cs_sim_dataset_format_crm_time (dataset, NULL, CS_TIME_UNSET));
}

#define ADD_SERVER_TEST(path, func, config) \
  g_test_add ("/calsync/sim/" path, Fixture, config, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  cs_sim_dataset_config_init (&paging_config);
  memset (paging_config.fractions, 0, sizeof paging_config.fractions);
  paging_config.seed = 5;
  paging_config.n_appointments = 251;

  g_test_add_func ("/calsync/sim/dataset/deterministic", test_dataset_deterministic);
  g_test_add_func ("/calsync/sim/dataset/fractions", test_dataset_fractions);
  g_test_add_func ("/calsync/sim/dataset/truth-matches-reconciler",
                   test_dataset_truth_matches_reconciler);
  g_test_add_func ("/calsync/sim/dataset/berlin-offsets", test_berlin_offsets);

  ADD_SERVER_TEST ("calcom/paging", test_calcom_paging, &paging_config);
  ADD_SERVER_TEST ("calcom/filters", test_calcom_filters, NULL);
  ADD_SERVER_TEST ("calcom/version-header", test_calcom_version_header, NULL);
  ADD_SERVER_TEST ("calcom/not-found", test_calcom_not_found, NULL);
  ADD_SERVER_TEST ("calcom/create-cancel", test_calcom_create_cancel, NULL);
  ADD_SERVER_TEST ("auth", test_auth, NULL);
  ADD_SERVER_TEST ("backend/paging", test_backend_paging, NULL);
  ADD_SERVER_TEST ("backend/updated-since", test_backend_updated_since, NULL);
  ADD_SERVER_TEST ("backend/create-conflict", test_backend_create_conflict, NULL);
  ADD_SERVER_TEST ("backend/idempotency", test_backend_idempotency, NULL);
  ADD_SERVER_TEST ("backend/staff", test_backend_staff, NULL);
  ADD_SERVER_TEST ("backend/sync-status", test_backend_sync_status, NULL);
  ADD_SERVER_TEST ("backend/patch-cancel-audit", test_backend_patch_cancel_audit, NULL);
  ADD_SERVER_TEST ("rate-limit", test_rate_limit, NULL);
  ADD_SERVER_TEST ("drift-truth", test_drift_truth, NULL);
  ADD_SERVER_TEST ("faults/latency", test_fault_latency, NULL);
  ADD_SERVER_TEST ("faults/error-rate", test_fault_error_rate, NULL);
  ADD_SERVER_TEST ("faults/force-status-storm", test_fault_force_status_and_storm, NULL);
  ADD_SERVER_TEST ("faults/downtime", test_fault_downtime, NULL);
  ADD_SERVER_TEST ("faults/bodies", test_fault_bodies, NULL);
  ADD_SERVER_TEST ("faults/slow-body", test_fault_slow_body, NULL);
  ADD_SERVER_TEST ("requests", test_request_counting, NULL);
  ADD_SERVER_TEST ("mutators", test_mutators, NULL);

  return g_test_run ();
}
