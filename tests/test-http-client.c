/* test-http-client.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cs-http-client.h"
#include "cs-manual-clock.h"
#include "cs-net-error.h"

/* The HTTP policy against a real SoupServer on loopback whose every answer
 * the test decides. Time is a CsManualClock: waits (timeouts, 429s, rate
 * limits) pass when the test moves the clock, never by sleeping. */

#define T0 ((CsTime) G_GINT64_CONSTANT (1795424400) * CS_USEC_PER_SECOND)
#define TOKEN "cal_test_secret_0123456789"

typedef struct
{
  SoupServer   *server;
  char         *base_url;
  CsClock      *clock;
  CsHttpClient *client;

  /* What the handler answers. */
  guint         status;
  char         *body;
  gsize         body_size;
  gboolean      chunked;
  gboolean      hold;             /* pause and never answer */
  GPtrArray    *extra_headers;    /* name, value, … */

  /* What the handler saw. */
  guint         n_requests;
  SoupMessageHeaders *last_headers;
  char         *last_path;
  char         *last_query;
  SoupServerMessage *held;

  /* The client's result. */
  gboolean      done;
  CsHttpResponse *response;
  GError       *error;
} Fixture;

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Fixture *f = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  GUri *uri = soup_server_message_get_uri (msg);

  f->n_requests++;
  g_clear_pointer (&f->last_headers, soup_message_headers_unref);
  f->last_headers = soup_message_headers_ref (soup_server_message_get_request_headers (msg));
  g_free (f->last_path);
  f->last_path = g_strdup (path);
  g_free (f->last_query);
  f->last_query = g_strdup (g_uri_get_query (uri));

  if (f->hold)
    {
      soup_server_message_pause (msg);
      f->held = msg;
      return;
    }

  for (guint i = 0; f->extra_headers != NULL && i + 1 < f->extra_headers->len; i += 2)
    soup_message_headers_replace (headers, g_ptr_array_index (f->extra_headers, i),
                                  g_ptr_array_index (f->extra_headers, i + 1));

  if (f->chunked)
    soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);

  soup_server_message_set_status (msg, f->status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    f->body, f->body_size != 0 ? f->body_size : strlen (f->body));
}

static void
set_answer (Fixture    *f,
            guint       status,
            const char *body)
{
  f->status = status;
  g_free (f->body);
  f->body = g_strdup (body);
  f->body_size = 0;
  g_ptr_array_set_size (f->extra_headers, 0);
}

static void
add_header (Fixture    *f,
            const char *name,
            const char *value)
{
  g_ptr_array_add (f->extra_headers, g_strdup (name));
  g_ptr_array_add (f->extra_headers, g_strdup (value));
}

static char *
error_message (GBytes *body)
{
  gsize size;
  const char *data = g_bytes_get_data (body, &size);

  return size > 0 ? g_strndup (data, size) : NULL;
}

static void
start_server (Fixture        *f,
              GTlsCertificate *certificate)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree char *uri_text = NULL;

  f->server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (f->server, NULL, handler, f, NULL);
  soup_server_listen_local (f->server, 0,
                            SOUP_SERVER_LISTEN_IPV4_ONLY |
                            (certificate != NULL ? SOUP_SERVER_LISTEN_HTTPS : 0),
                            &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (f->server);
  uri_text = g_uri_to_string (uris->data);
  f->base_url = g_strconcat (uri_text, "v2", NULL);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
}

static void
make_client (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&f->client);
  f->client = cs_http_client_new (CS_SERVICE_CALCOM, f->base_url, f->clock, &error);
  g_assert_no_error (error);
  cs_http_client_set_token (f->client, TOKEN);
  cs_http_client_set_error_message_func (f->client, error_message);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->clock = cs_manual_clock_new (T0);
  f->extra_headers = g_ptr_array_new_with_free_func (g_free);
  set_answer (f, 200, "{}");
  start_server (f, NULL);
  make_client (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->response, cs_http_response_free);
  g_clear_error (&f->error);
  g_clear_object (&f->client);
  if (f->server != NULL)
    soup_server_disconnect (f->server);
  g_clear_object (&f->server);
  g_clear_object (&f->clock);
  g_clear_pointer (&f->last_headers, soup_message_headers_unref);
  g_clear_pointer (&f->extra_headers, g_ptr_array_unref);
  g_free (f->last_path);
  g_free (f->last_query);
  g_free (f->base_url);
  g_free (f->body);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *f = user_data;

  f->response = cs_http_client_send_finish (CS_HTTP_CLIENT (object), result, &f->error);
  f->done = TRUE;
}

/* Iterates the main context until @flag is set, bounded; no sleeping. */
static void
run_until (gboolean *flag)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!*flag && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (*flag);
}

static void
run_until_requests (Fixture *f,
                    guint    n)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (f->n_requests < n && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (f->n_requests, ==, n);
}

/* Iterates until the client waits on a timer of its clock other than the
 * total timeout of a request in flight: a 429's or the limiter's wait. */
static CsTime
run_until_waiting (Fixture *f)
{
  CsManualClock *clock = CS_MANUAL_CLOCK (f->clock);
  CsTime timeout_due = cs_clock_get_now (f->clock) + CS_HTTP_TOTAL_TIMEOUT;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while ((cs_manual_clock_get_next_due (clock) == CS_TIME_UNSET ||
          cs_manual_clock_get_next_due (clock) == timeout_due) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpint (cs_manual_clock_get_next_due (clock), !=, CS_TIME_UNSET);
  g_assert_cmpint (cs_manual_clock_get_next_due (clock), !=, timeout_due);

  return cs_manual_clock_get_next_due (clock);
}

static void
send (Fixture             *f,
      const CsHttpRequest *request,
      GCancellable        *cancellable)
{
  f->done = FALSE;
  g_clear_pointer (&f->response, cs_http_response_free);
  g_clear_error (&f->error);
  cs_http_client_send_async (f->client, request, cancellable, send_cb, f);
}

static void
send_get (Fixture *f)
{
  CsHttpRequest request = { .method = "GET", .path = "/bookings" };

  send (f, &request, NULL);
  run_until (&f->done);
}

static void
test_base_url_policy (void)
{
  static const struct { const char *url; gboolean ok; int code; } table[] = {
    { "https://api.cal.com/v2", TRUE, 0 },
    { "https://cal.example.com/api/v2/", TRUE, 0 },
    { "http://127.0.0.1:8080/v2", TRUE, 0 },
    { "http://127.3.4.5", TRUE, 0 },
    { "http://localhost:3000", TRUE, 0 },
    { "http://[::1]:3000/v2", TRUE, 0 },
    { "http://api.cal.com/v2", FALSE, CS_NET_ERROR_INSECURE_URL },
    { "http://192.168.1.10/v2", FALSE, CS_NET_ERROR_INSECURE_URL },
    { "http://localhost.example.com", FALSE, CS_NET_ERROR_INSECURE_URL },
    { "ftp://api.cal.com", FALSE, CS_NET_ERROR_INVALID_URL },
    { "api.cal.com/v2", FALSE, CS_NET_ERROR_INVALID_URL },
    { "https://user:secret@api.cal.com", FALSE, CS_NET_ERROR_INVALID_URL },
    { "https://api.cal.com/v2?x=1", FALSE, CS_NET_ERROR_INVALID_URL },
    { "", FALSE, CS_NET_ERROR_INVALID_URL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = cs_http_check_base_url (table[i].url, &error);

      if (table[i].ok)
        g_assert_no_error (error);
      else
        g_assert_error (error, CS_NET_ERROR, table[i].code);
      g_assert_cmpint (ok, ==, table[i].ok);
    }
}

static void
test_request_headers (Fixture       *f,
                      gconstpointer  data)
{
  static const char * const query[] = { "status", "upcoming,past", "afterStart",
                                        "2026-11-23T09:00:00Z", NULL };
  g_autoptr(GBytes) body = g_bytes_new_static ("{\"a\":1}", 7);
  CsHttpRequest request = {
    .method = "POST",
    .path = "/bookings",
    .query = query,
    .body = body,
    .idempotency_key = "key-1",
    .api_version = "2024-08-13",
  };
  g_autofree char *user_agent = g_strdup_printf ("Calsync/%s", PACKAGE_VERSION);

  set_answer (f, 201, "{\"ok\":true}");
  send (f, &request, NULL);
  run_until (&f->done);

  g_assert_no_error (f->error);
  g_assert_cmpuint (f->response->status, ==, 201);
  g_assert_cmpstr (f->last_path, ==, "/v2/bookings");
  g_assert_cmpstr (f->last_query, ==,
                   "status=upcoming%2Cpast&afterStart=2026-11-23T09%3A00%3A00Z");
  g_assert_cmpstr (soup_message_headers_get_one (f->last_headers, "Authorization"), ==,
                   "Bearer " TOKEN);
  g_assert_cmpstr (soup_message_headers_get_one (f->last_headers, "cal-api-version"), ==,
                   "2024-08-13");
  g_assert_cmpstr (soup_message_headers_get_one (f->last_headers, "Idempotency-Key"), ==, "key-1");
  g_assert_cmpstr (soup_message_headers_get_one (f->last_headers, "Accept"), ==,
                   "application/json");
  g_assert_cmpstr (soup_message_headers_get_content_type (f->last_headers, NULL), ==,
                   "application/json");
  g_assert_true (g_str_has_prefix (soup_message_headers_get_one (f->last_headers, "User-Agent"),
                                   user_agent));
  g_assert_cmpuint (cs_http_client_get_request_count (f->client), ==, 1);
}

static void
test_no_token (Fixture       *f,
               gconstpointer  data)
{
  cs_http_client_set_token (f->client, NULL);
  send_get (f);

  g_assert_error (f->error, CS_NET_ERROR, CS_NET_ERROR_UNAUTHORIZED);
  g_assert_cmpuint (f->n_requests, ==, 0);
}

static void
test_status_classification (Fixture       *f,
                            gconstpointer  data)
{
  static const struct { guint status; int code; gboolean retryable; } table[] = {
    { 401, CS_NET_ERROR_UNAUTHORIZED, FALSE },
    { 403, CS_NET_ERROR_FORBIDDEN, FALSE },
    { 404, CS_NET_ERROR_NOT_FOUND, FALSE },
    { 409, CS_NET_ERROR_CONFLICT, FALSE },
    { 400, CS_NET_ERROR_INVALID_REQUEST, FALSE },
    { 422, CS_NET_ERROR_INVALID_REQUEST, FALSE },
    { 500, CS_NET_ERROR_SERVER, TRUE },
    { 503, CS_NET_ERROR_SERVER, TRUE },
    { 302, CS_NET_ERROR_REDIRECT, FALSE },
    { 418, CS_NET_ERROR_INVALID_RESPONSE, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      set_answer (f, table[i].status, "the server's own words");
      if (table[i].status == 302)
        add_header (f, "Location", "https://elsewhere.example.test/");
      send_get (f);

      g_assert_error (f->error, CS_NET_ERROR, table[i].code);
      g_assert_cmpint (cs_net_error_is_retryable (f->error), ==, table[i].retryable);
      if (table[i].status == 400 || table[i].status == 422)
        g_assert_nonnull (strstr (f->error->message, "the server's own words"));
      if (table[i].status == 401)
        g_assert_nonnull (strstr (f->error->message, "API key"));
      if (table[i].status == 302)
        g_assert_nonnull (strstr (f->error->message, "does not follow redirects"));

      /* The circuit would open after five 5xx in a row: reset it. */
      cs_circuit_breaker_record_success (cs_http_client_get_circuit_breaker (f->client));
    }

  /* A redirect is never followed: the token must not travel. */
  g_assert_cmpuint (f->n_requests, ==, G_N_ELEMENTS (table));
}

static void
test_conflict_accepted (Fixture       *f,
                        gconstpointer  data)
{
  CsHttpRequest request = { .method = "POST", .path = "/x", .accept_conflict = TRUE };

  set_answer (f, 409, "{\"data\":{\"id\":1}}");
  send (f, &request, NULL);
  run_until (&f->done);

  g_assert_no_error (f->error);
  g_assert_cmpuint (f->response->status, ==, 409);
  g_assert_cmpuint (g_bytes_get_size (f->response->body), ==, strlen ("{\"data\":{\"id\":1}}"));
}

static void
test_connection_refused (Fixture       *f,
                         gconstpointer  data)
{
  /* The server goes away; its port answers nothing. */
  soup_server_disconnect (f->server);
  g_clear_object (&f->server);

  send_get (f);
  g_assert_error (f->error, CS_NET_ERROR, CS_NET_ERROR_NETWORK);
  g_assert_true (cs_net_error_is_retryable (f->error));
  g_assert_cmpuint (cs_circuit_breaker_get_failures (cs_http_client_get_circuit_breaker (f->client)),
                    ==, 1);
}

static void
test_untrusted_certificate (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cert_path = g_test_build_filename (G_TEST_DIST, "data", "tls",
                                                      "self-signed-cert.pem", NULL);
  g_autofree char *key_path = g_test_build_filename (G_TEST_DIST, "data", "tls",
                                                     "self-signed-key.pem", NULL);

  /* GnuTLS, which glib-networking loads with dlopen(), makes the tracer of
   * LeakSanitizer crash at exit (its static TLS). The test runs in a child
   * that ends without the leak check; the parent checks that it passed. */
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      return;
    }

  certificate = g_tls_certificate_new_from_files (cert_path, key_path, &error);
  g_assert_no_error (error);

  soup_server_disconnect (f->server);
  g_clear_object (&f->server);
  g_clear_pointer (&f->base_url, g_free);
  start_server (f, certificate);
  g_assert_true (g_str_has_prefix (f->base_url, "https://127.0.0.1:"));
  make_client (f);

  send_get (f);
  g_assert_error (f->error, CS_NET_ERROR, CS_NET_ERROR_TLS);
  g_assert_false (cs_net_error_is_retryable (f->error));
  g_assert_cmpuint (f->n_requests, ==, 0);

  _exit (EXIT_SUCCESS);
}

static void
test_total_timeout (Fixture       *f,
                    gconstpointer  data)
{
  CsHttpRequest request = { .method = "GET", .path = "/slow" };

  f->hold = TRUE;
  send (f, &request, NULL);
  run_until_requests (f, 1);
  g_assert_false (f->done);

  /* A minute passes on the client's clock: the request is given up. */
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_HTTP_TOTAL_TIMEOUT);
  run_until (&f->done);

  g_assert_error (f->error, CS_NET_ERROR, CS_NET_ERROR_TIMEOUT);
  g_assert_true (cs_net_error_is_retryable (f->error));
  soup_server_message_unpause (f->held);
}

static void
test_cancel_mid_request (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CsHttpRequest request = { .method = "GET", .path = "/slow" };
  CsCircuitBreaker *breaker = cs_http_client_get_circuit_breaker (f->client);

  f->hold = TRUE;
  send (f, &request, cancellable);
  run_until_requests (f, 1);

  g_cancellable_cancel (cancellable);
  run_until (&f->done);

  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (cs_circuit_breaker_get_failures (breaker), ==, 0);
  soup_server_message_unpause (f->held);
}

static void
test_body_cap (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *big = g_malloc (2 * 1024 * 1024 + 1);

  memset (big, ' ', 2 * 1024 * 1024);
  big[2 * 1024 * 1024] = '\0';
  cs_http_client_set_max_body (f->client, 1024 * 1024);

  /* Announced by Content-Length. */
  set_answer (f, 200, big);
  send_get (f);
  g_assert_error (f->error, CS_NET_ERROR, CS_NET_ERROR_TOO_LARGE);

  /* Not announced: chunked, found while reading. */
  f->chunked = TRUE;
  send_get (f);
  g_assert_error (f->error, CS_NET_ERROR, CS_NET_ERROR_TOO_LARGE);

  /* Just under the cap is fine. */
  f->chunked = FALSE;
  big[1024 * 1024] = '\0';
  set_answer (f, 200, big);
  send_get (f);
  g_assert_no_error (f->error);
  g_assert_cmpuint (g_bytes_get_size (f->response->body), ==, 1024 * 1024);
}

static void
test_429_retry_after (Fixture       *f,
                      gconstpointer  data)
{
  CsHttpRequest request = { .method = "GET", .path = "/bookings" };
  CsManualClock *clock = CS_MANUAL_CLOCK (f->clock);

  set_answer (f, 429, "{}");
  add_header (f, "Retry-After", "7");
  send (f, &request, NULL);
  run_until_requests (f, 1);

  /* The client waits for the server's seven seconds, on its clock. */
  g_assert_cmpint (run_until_waiting (f), ==, T0 + 7 * CS_USEC_PER_SECOND);
  g_assert_false (f->done);

  set_answer (f, 200, "{\"ok\":1}");
  cs_manual_clock_advance (clock, 7 * CS_USEC_PER_SECOND);
  run_until (&f->done);

  g_assert_no_error (f->error);
  g_assert_cmpuint (f->n_requests, ==, 2);
}

static void
test_429_rate_limit_headers_then_give_up (Fixture       *f,
                                          gconstpointer  data)
{
  CsHttpRequest request = { .method = "GET", .path = "/bookings" };
  CsManualClock *clock = CS_MANUAL_CLOCK (f->clock);
  CsTime sent_at = T0;

  /* No Retry-After (Cal.com sends none): the reset header tells the wait. */
  set_answer (f, 429, "{}");
  add_header (f, "X-RateLimit-Limit-Default", "120");
  add_header (f, "X-RateLimit-Remaining-Default", "0");
  add_header (f, "X-RateLimit-Reset-Default", "42");
  send (f, &request, NULL);

  for (guint attempt = 1; attempt <= CS_HTTP_MAX_429_RETRIES + 1; attempt++)
    {
      run_until_requests (f, attempt);
      if (attempt == CS_HTTP_MAX_429_RETRIES + 1)
        break;
      g_assert_cmpint (run_until_waiting (f), >=, sent_at + 42 * CS_USEC_PER_SECOND);
      sent_at = cs_manual_clock_get_next_due (clock);
      cs_manual_clock_advance_to_next (clock);
    }

  run_until (&f->done);
  g_assert_error (f->error, CS_NET_ERROR, CS_NET_ERROR_RATE_LIMITED);
  g_assert_true (cs_net_error_is_retryable (f->error));
  /* Slow down, but the service is up: the circuit stays closed. */
  g_assert_cmpint (cs_circuit_breaker_get_state (cs_http_client_get_circuit_breaker (f->client)),
                   ==, CS_CIRCUIT_CLOSED);
}

static void
test_429_backoff_without_headers (Fixture       *f,
                                  gconstpointer  data)
{
  CsHttpRequest request = { .method = "GET", .path = "/bookings" };
  CsManualClock *clock = CS_MANUAL_CLOCK (f->clock);

  set_answer (f, 429, "{}");
  send (f, &request, NULL);
  run_until_requests (f, 1);
  g_assert_cmpint (run_until_waiting (f), ==, T0 + 5 * CS_USEC_PER_SECOND);

  set_answer (f, 200, "{}");
  cs_manual_clock_advance_to_next (clock);
  run_until (&f->done);
  g_assert_no_error (f->error);
}

static void
test_429_past_deadline (Fixture       *f,
                        gconstpointer  data)
{
  CsHttpRequest request = { .method = "GET", .path = "/bookings" };
  CsRateLimiter *limiter;

  /* A run with five minutes left meets an hour's Retry-After: it is not
   * waited out. The request fails at once, without the clock moving, and
   * says when the server will take it. */
  cs_http_client_set_rate_limit (f->client, 120, 60 * CS_USEC_PER_SECOND);
  cs_http_client_set_deadline (f->client, T0 + 300 * CS_USEC_PER_SECOND);
  set_answer (f, 429, "{}");
  add_header (f, "Retry-After", "3600");
  send (f, &request, NULL);
  run_until (&f->done);

  g_assert_error (f->error, CS_NET_ERROR, CS_NET_ERROR_RATE_LIMITED);
  g_assert_true (cs_net_error_is_retryable (f->error));
  g_assert_cmpint (cs_net_error_get_retry_at (f->error), ==, T0 + 3600 * CS_USEC_PER_SECOND);
  g_assert_cmpuint (f->n_requests, ==, 1);
  g_assert_cmpuint (cs_manual_clock_get_n_timeouts (CS_MANUAL_CLOCK (f->clock)), ==, 0);
  g_assert_cmpint (cs_clock_get_now (f->clock), ==, T0);

  /* The service is up, and later requests still wait for its hour. */
  g_assert_cmpint (cs_circuit_breaker_get_state (cs_http_client_get_circuit_breaker (f->client)),
                   ==, CS_CIRCUIT_CLOSED);
  limiter = cs_http_client_get_rate_limiter (f->client);
  g_assert_cmpint (cs_rate_limiter_get_blocked_until (limiter), ==,
                   T0 + 3600 * CS_USEC_PER_SECOND);

  /* A copy (each caller of a joined run gets one) keeps the time. */
  {
    g_autoptr(GError) copy = g_error_copy (f->error);

    g_assert_cmpint (cs_net_error_get_retry_at (copy), ==, T0 + 3600 * CS_USEC_PER_SECOND);
  }
}

static void
test_429_within_deadline_waits (Fixture       *f,
                                gconstpointer  data)
{
  CsHttpRequest request = { .method = "GET", .path = "/bookings" };

  /* A wait that ends before the deadline is waited out as before. */
  cs_http_client_set_deadline (f->client, T0 + 300 * CS_USEC_PER_SECOND);
  set_answer (f, 429, "{}");
  add_header (f, "Retry-After", "30");
  send (f, &request, NULL);
  run_until_requests (f, 1);
  g_assert_cmpint (run_until_waiting (f), ==, T0 + 30 * CS_USEC_PER_SECOND);
  g_assert_false (f->done);

  set_answer (f, 200, "{}");
  cs_manual_clock_advance_to_next (CS_MANUAL_CLOCK (f->clock));
  run_until (&f->done);
  g_assert_no_error (f->error);
  g_assert_cmpuint (f->n_requests, ==, 2);
}

static void
test_limiter_past_deadline (Fixture       *f,
                            gconstpointer  data)
{
  CsHttpRequest request = { .method = "GET", .path = "/bookings" };
  CsManualClock *clock = CS_MANUAL_CLOCK (f->clock);

  /* One a minute, half a minute left: the second request's slot (61 s)
   * is past the deadline, so it fails at once instead of waiting. */
  cs_http_client_set_rate_limit (f->client, 1, 60 * CS_USEC_PER_SECOND);
  cs_http_client_set_deadline (f->client, T0 + 30 * CS_USEC_PER_SECOND);
  send_get (f);
  g_assert_no_error (f->error);

  send_get (f);
  g_assert_error (f->error, CS_NET_ERROR, CS_NET_ERROR_RATE_LIMITED);
  g_assert_cmpint (cs_net_error_get_retry_at (f->error), ==, T0 + 61 * CS_USEC_PER_SECOND);
  g_assert_cmpuint (f->n_requests, ==, 1);
  g_assert_cmpuint (cs_manual_clock_get_n_timeouts (clock), ==, 0);
  /* Refused before anything was sent: the circuit has no verdict. */
  g_assert_cmpuint (cs_circuit_breaker_get_failures (cs_http_client_get_circuit_breaker (f->client)),
                    ==, 0);

  /* The refused request booked no slot: without a deadline the next one
   * gets the slot the refused one was told, not the one after it. */
  cs_http_client_set_deadline (f->client, CS_TIME_UNSET);
  f->done = FALSE;
  send (f, &request, NULL);
  g_assert_cmpint (cs_manual_clock_get_next_due (clock), ==, T0 + 61 * CS_USEC_PER_SECOND);
  cs_manual_clock_advance_to_next (clock);
  run_until (&f->done);
  g_assert_no_error (f->error);
  g_assert_cmpuint (f->n_requests, ==, 2);
}

static void
test_deadline_cuts_request (Fixture       *f,
                            gconstpointer  data)
{
  CsHttpRequest request = { .method = "GET", .path = "/slow" };
  CsCircuitBreaker *breaker = cs_http_client_get_circuit_breaker (f->client);

  /* Ten seconds left of the run: a request on the wire ends then, not
   * after the full minute, and the server is not blamed for it. */
  cs_http_client_set_deadline (f->client, T0 + 10 * CS_USEC_PER_SECOND);
  f->hold = TRUE;
  send (f, &request, NULL);
  run_until_requests (f, 1);
  g_assert_cmpint (cs_manual_clock_get_next_due (CS_MANUAL_CLOCK (f->clock)), ==,
                   T0 + 10 * CS_USEC_PER_SECOND);

  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), 10 * CS_USEC_PER_SECOND);
  run_until (&f->done);

  g_assert_error (f->error, CS_NET_ERROR, CS_NET_ERROR_TIMEOUT);
  g_assert_cmpuint (cs_circuit_breaker_get_failures (breaker), ==, 0);
  soup_server_message_unpause (f->held);
}

static void
test_circuit_opens (Fixture       *f,
                    gconstpointer  data)
{
  CsCircuitBreaker *breaker = cs_http_client_get_circuit_breaker (f->client);

  set_answer (f, 503, "down");
  for (guint i = 0; i < 5; i++)
    {
      send_get (f);
      g_assert_error (f->error, CS_NET_ERROR, CS_NET_ERROR_SERVER);
    }
  g_assert_cmpint (cs_circuit_breaker_get_state (breaker), ==, CS_CIRCUIT_OPEN);

  /* Refused without a request. */
  send_get (f);
  g_assert_error (f->error, CS_NET_ERROR, CS_NET_ERROR_CIRCUIT_OPEN);
  g_assert_true (cs_net_error_is_retryable (f->error));
  g_assert_cmpint (cs_net_error_get_retry_at (f->error), ==,
                   cs_circuit_breaker_get_open_until (breaker));
  g_assert_cmpuint (f->n_requests, ==, 5);

  /* A minute later one probe goes, succeeds, and the circuit closes. */
  set_answer (f, 200, "{}");
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_CIRCUIT_INITIAL_WAIT);
  send_get (f);
  g_assert_no_error (f->error);
  g_assert_cmpint (cs_circuit_breaker_get_state (breaker), ==, CS_CIRCUIT_CLOSED);
}

static void
test_rate_limiter_spaces_requests (Fixture       *f,
                                   gconstpointer  data)
{
  CsHttpRequest request = { .method = "GET", .path = "/bookings" };
  CsManualClock *clock = CS_MANUAL_CLOCK (f->clock);
  guint completed = 0;

  /* Three a minute: the fourth waits for the window (plus the margin). */
  cs_http_client_set_rate_limit (f->client, 3, 60 * CS_USEC_PER_SECOND);
  for (guint i = 0; i < 4; i++)
    {
      f->done = FALSE;
      send (f, &request, NULL);
      if (i < 3)
        {
          run_until (&f->done);
          completed++;
        }
    }

  g_assert_cmpuint (f->n_requests, ==, 3);
  g_assert_cmpint (cs_manual_clock_get_next_due (clock), ==, T0 + 61 * CS_USEC_PER_SECOND);
  cs_manual_clock_advance_to_next (clock);
  run_until (&f->done);
  g_assert_no_error (f->error);
  g_assert_cmpuint (f->n_requests, ==, 4);
  g_assert_cmpuint (completed, ==, 3);
}

static void
test_cancel_while_waiting (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CsHttpRequest request = { .method = "GET", .path = "/bookings" };

  cs_http_client_set_rate_limit (f->client, 1, 60 * CS_USEC_PER_SECOND);
  send_get (f);
  g_assert_no_error (f->error);

  send (f, &request, cancellable);
  g_assert_cmpuint (cs_manual_clock_get_n_timeouts (CS_MANUAL_CLOCK (f->clock)), >=, 1);
  g_cancellable_cancel (cancellable);
  run_until (&f->done);

  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (f->n_requests, ==, 1);
}

/* What the process logs while a test records; everything goes on to the
 * default writer as well. */
static GString *recorded_log;

static GLogWriterOutput
record_log (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  GString *log = recorded_log;

  for (gsize i = 0; log != NULL && i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        {
          g_string_append_len (log, fields[i].value,
                               fields[i].length < 0 ? (gssize) strlen (fields[i].value)
                                                    : fields[i].length);
          g_string_append_c (log, '\n');
        }
    }

  if (level & G_LOG_LEVEL_DEBUG)
    return G_LOG_WRITER_HANDLED;

  return g_log_writer_default (level, fields, n_fields, user_data);
}

static void
test_logs_carry_no_secrets (Fixture       *f,
                            gconstpointer  data)
{
  static const char * const query[] = { "attendeeEmail", "tom.klein@example.com", NULL };
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GBytes) body = g_bytes_new_static ("{\"name\":\"Tom Klein\"}", 20);
  CsHttpRequest request = { .method = "POST", .path = "/bookings", .query = query, .body = body };
  const char *old_debug = g_getenv ("G_MESSAGES_DEBUG");
  g_autofree char *saved = g_strdup (old_debug);

  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  recorded_log = log;

  set_answer (f, 200, "{\"name\":\"Tom Klein\"}");
  send (f, &request, NULL);
  run_until (&f->done);

  g_assert_nonnull (strstr (log->str, "POST Cal.com/bookings → 200"));
  g_assert_null (strstr (log->str, TOKEN));
  g_assert_null (strstr (log->str, "tom.klein"));
  g_assert_null (strstr (log->str, "Tom Klein"));

  recorded_log = NULL;
  if (saved != NULL)
    g_setenv ("G_MESSAGES_DEBUG", saved, TRUE);
  else
    g_unsetenv ("G_MESSAGES_DEBUG");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (record_log, NULL, NULL);

  g_test_add_func ("/calsync/net/http/base-url-policy", test_base_url_policy);

#define ADD(path, func) \
  g_test_add ("/calsync/net/http/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("request-headers", test_request_headers);
  ADD ("no-token", test_no_token);
  ADD ("status-classification", test_status_classification);
  ADD ("conflict-accepted", test_conflict_accepted);
  ADD ("connection-refused", test_connection_refused);
  ADD ("untrusted-certificate", test_untrusted_certificate);
  ADD ("total-timeout", test_total_timeout);
  ADD ("cancel-mid-request", test_cancel_mid_request);
  ADD ("body-cap", test_body_cap);
  ADD ("429-retry-after", test_429_retry_after);
  ADD ("429-rate-limit-headers-then-give-up", test_429_rate_limit_headers_then_give_up);
  ADD ("429-backoff-without-headers", test_429_backoff_without_headers);
  ADD ("429-past-deadline", test_429_past_deadline);
  ADD ("429-within-deadline-waits", test_429_within_deadline_waits);
  ADD ("limiter-past-deadline", test_limiter_past_deadline);
  ADD ("deadline-cuts-request", test_deadline_cuts_request);
  ADD ("circuit-opens", test_circuit_opens);
  ADD ("rate-limiter-spaces-requests", test_rate_limiter_spaces_requests);
  ADD ("cancel-while-waiting", test_cancel_while_waiting);
  ADD ("logs-carry-no-secrets", test_logs_carry_no_secrets);

#undef ADD

  return g_test_run ();
}
