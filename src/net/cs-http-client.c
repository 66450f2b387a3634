/* cs-http-client.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cs-http-client.h"
#include "cs-json-util.h"
#include "cs-net-error.h"

/**
 * CsHttpClient:
 *
 * The HTTP policy shared by the Cal.com and backend clients (DESIGN.md §2),
 * one per service, each with its own #SoupSession:
 *
 * - TLS is always verified (no certificate is ever accepted by hand), and
 *   plain `http://` is accepted for loopback hosts only;
 * - a connect timeout, a total timeout per request on the client's
 *   #CsClock, and a cap on the size of an answer's body;
 * - redirects are not followed (the token must not travel elsewhere);
 * - a #CsCircuitBreaker refuses requests while the service is down, and a
 *   #CsRateLimiter keeps the client below the service's published rate;
 * - a 429 is honoured (`Retry-After`, else `X-RateLimit-Reset-*`, else a
 *   backoff) and the request retried a few times before it fails;
 * - with a deadline set (a verification run's), no request waits or runs
 *   past it: a wait that would end later fails the request at once, with
 *   the time the server asked for (cs_net_error_get_retry_at());
 * - every failure becomes a #CsNetError with a sentence for people.
 *
 * Logs carry method, path, status and timing only: never the token, query
 * values or bodies, which may hold customer data.
 */
struct _CsHttpClient
{
  GObject                 parent_instance;

  CsService               service;
  char                   *base_url;
  char                   *token;
  CsClock                *clock;
  SoupSession            *session;
  CsCircuitBreaker       *breaker;
  CsRateLimiter          *limiter;
  CsHttpErrorMessageFunc  error_message_func;
  gint64                  total_timeout;
  CsTime                  deadline;
  gsize                   max_body;
  guint                   request_count;
  guint                   n_in_flight;
};

G_DEFINE_FINAL_TYPE (CsHttpClient, cs_http_client, G_TYPE_OBJECT)

#define READ_CHUNK (64 * 1024)

/* libsoup 3.2 names no constant for it. */
#define CS_HTTP_STATUS_TOO_MANY_REQUESTS 429

typedef enum
{
  STATE_WAITING,
  STATE_SENDING,
  STATE_DONE,
} SendState;

typedef struct
{
  CsHttpClient  *self;
  char          *method;
  char          *path;
  char          *uri;
  GBytes        *body;
  char          *idempotency_key;
  char          *api_version;
  gboolean       accept_conflict;

  SendState      state;
  GCancellable  *user_cancellable;
  gulong         cancel_handler;
  GCancellable  *attempt_cancellable;
  guint          wait_id;
  guint          timeout_id;
  gboolean       timed_out;
  gboolean       cut_by_deadline;
  gboolean       in_flight;
  gboolean       answer_started;
  guint          rate_limited_attempts;
  gint64         started;

  SoupMessage   *message;
  GInputStream  *stream;
  GByteArray    *buffer;
} SendData;

static void start_attempt (GTask *task);

static void
send_data_free (SendData *data)
{
  if (data->in_flight)
    data->self->n_in_flight--;

  if (data->user_cancellable != NULL)
    g_cancellable_disconnect (data->user_cancellable, data->cancel_handler);
  if (data->wait_id != 0)
    cs_clock_remove_timeout (data->self->clock, data->wait_id);
  if (data->timeout_id != 0)
    cs_clock_remove_timeout (data->self->clock, data->timeout_id);

  g_clear_object (&data->user_cancellable);
  g_clear_object (&data->attempt_cancellable);
  g_clear_object (&data->message);
  g_clear_object (&data->stream);
  g_clear_pointer (&data->buffer, g_byte_array_unref);
  g_clear_pointer (&data->body, g_bytes_unref);
  g_free (data->method);
  g_free (data->path);
  g_free (data->uri);
  g_free (data->idempotency_key);
  g_free (data->api_version);
  g_free (data);
}

/**
 * cs_http_response_free:
 * @response: (nullable): a response
 */
void
cs_http_response_free (CsHttpResponse *response)
{
  if (response == NULL)
    return;

  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->headers, soup_message_headers_unref);
  g_free (response);
}

/**
 * cs_service_get_name:
 * @service: a service
 *
 * Returns: the service's name for logs (not translated)
 */
const char *
cs_service_get_name (CsService service)
{
  return service == CS_SERVICE_CALCOM ? "Cal.com" : "CRM server";
}

/* Picks the sentence of the right service: each is a whole sentence, so
 * translations need not build grammar around a name. */
#define SERVICE_MSG(service, calcom, backend) \
  ((service) == CS_SERVICE_CALCOM ? (calcom) : (backend))

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/**
 * cs_http_check_base_url:
 * @url: a base URL a user typed
 * @error: return location for a #CsNetError
 *
 * Accepts `https://` URLs, and `http://` ones for loopback hosts only
 * (127.0.0.0/8, ::1, localhost: the simulator and local test servers).
 *
 * Returns: %TRUE if Calsync may talk to @url
 */
gboolean
cs_http_check_base_url (const char  *url,
                        GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  g_return_val_if_fail (url != NULL, FALSE);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0' ||
      g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL ||
      g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_URL,
                   _("“%s” is not a valid server address. Enter it as https://host/path."), url);
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return TRUE;

  if (g_ascii_strcasecmp (scheme, "http") == 0 && host_is_loopback (g_uri_get_host (uri)))
    return TRUE;

  if (g_ascii_strcasecmp (scheme, "http") == 0)
    {
      g_set_error (error, CS_NET_ERROR, CS_NET_ERROR_INSECURE_URL,
                   _("“%s” is not a secure address. Use https://; plain http:// is allowed "
                     "only for servers on this computer."), url);
      return FALSE;
    }

  g_set_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_URL,
               _("“%s” is not a valid server address. Enter it as https://host/path."), url);
  return FALSE;
}

static void
cs_http_client_dispose (GObject *object)
{
  CsHttpClient *self = CS_HTTP_CLIENT (object);

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->breaker);
  g_clear_object (&self->limiter);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (cs_http_client_parent_class)->dispose (object);
}

static void
cs_http_client_finalize (GObject *object)
{
  CsHttpClient *self = CS_HTTP_CLIENT (object);

  g_free (self->base_url);
  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);

  G_OBJECT_CLASS (cs_http_client_parent_class)->finalize (object);
}

static void
cs_http_client_class_init (CsHttpClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_http_client_dispose;
  object_class->finalize = cs_http_client_finalize;
}

static void
cs_http_client_init (CsHttpClient *self)
{
  self->total_timeout = CS_HTTP_TOTAL_TIMEOUT;
  self->max_body = CS_HTTP_MAX_BODY;
}

/**
 * cs_http_client_new:
 * @service: the service this client talks to
 * @base_url: the base URL (checked with cs_http_check_base_url())
 * @clock: (nullable): the clock for timeouts and waits, or %NULL for the
 *   system clock
 * @error: return location for a #CsNetError
 *
 * Returns: (transfer full) (nullable): a new client, or %NULL if @base_url
 *   is not acceptable
 */
CsHttpClient *
cs_http_client_new (CsService    service,
                    const char  *base_url,
                    CsClock     *clock,
                    GError     **error)
{
  CsHttpClient *self;
  gsize len;

  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (clock == NULL || CS_IS_CLOCK (clock), NULL);

  if (!cs_http_check_base_url (base_url, error))
    return NULL;

  self = g_object_new (CS_TYPE_HTTP_CLIENT, NULL);
  self->service = service;
  self->clock = g_object_ref (clock != NULL ? clock : cs_clock_get_system ());
  self->breaker = cs_circuit_breaker_new (self->clock);

  /* One form of the base URL: without a trailing slash. */
  self->base_url = g_strdup (base_url);
  len = strlen (self->base_url);
  while (len > 0 && self->base_url[len - 1] == '/')
    self->base_url[--len] = '\0';

  self->session = soup_session_new_with_options ("user-agent", PACKAGE_USER_AGENT,
                                                 "timeout", CS_HTTP_CONNECT_TIMEOUT_S,
                                                 "idle-timeout", 60,
                                                 "max-conns-per-host", 6,
                                                 NULL);

  return self;
}

/**
 * cs_http_client_set_token:
 * @self: a client
 * @token: (nullable): the API key or token, sent as a Bearer token
 *
 * The token is kept in memory only and never logged.
 */
void
cs_http_client_set_token (CsHttpClient *self,
                          const char   *token)
{
  g_return_if_fail (CS_IS_HTTP_CLIENT (self));

  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  self->token = g_strdup (token);
}

/**
 * cs_http_client_set_error_message_func:
 * @self: a client
 * @func: (nullable): extracts the server's message from an error answer
 */
void
cs_http_client_set_error_message_func (CsHttpClient           *self,
                                       CsHttpErrorMessageFunc  func)
{
  g_return_if_fail (CS_IS_HTTP_CLIENT (self));

  self->error_message_func = func;
}

/**
 * cs_http_client_set_rate_limit:
 * @self: a client
 * @limit: requests per window, or 0 for no proactive limit
 * @window: the window in microseconds
 */
void
cs_http_client_set_rate_limit (CsHttpClient *self,
                               guint         limit,
                               gint64        window)
{
  g_return_if_fail (CS_IS_HTTP_CLIENT (self));

  g_clear_object (&self->limiter);
  if (limit > 0)
    self->limiter = cs_rate_limiter_new (self->clock, limit, window);
}

/**
 * cs_http_client_set_total_timeout:
 * @self: a client
 * @timeout: the longest a request may take, sending to last byte, in
 *   microseconds of the client's clock
 */
void
cs_http_client_set_total_timeout (CsHttpClient *self,
                                  gint64        timeout)
{
  g_return_if_fail (CS_IS_HTTP_CLIENT (self));
  g_return_if_fail (timeout > 0);

  self->total_timeout = timeout;
}

/**
 * cs_http_client_set_deadline:
 * @self: a client
 * @deadline: the instant no request may wait or run past, or
 *   %CS_TIME_UNSET for none
 *
 * Bounds every request of the client from now on (a verification run sets
 * its deadline here and clears it when it ends): a rate-limit slot or a
 * 429's wait that would end after @deadline fails the request at once as
 * %CS_NET_ERROR_RATE_LIMITED, carrying the time the server asked for, and
 * a request still on the wire at @deadline ends as %CS_NET_ERROR_TIMEOUT.
 * Without a deadline a request waits as long as the server asks (at most
 * an hour per wait).
 */
void
cs_http_client_set_deadline (CsHttpClient *self,
                             CsTime        deadline)
{
  g_return_if_fail (CS_IS_HTTP_CLIENT (self));

  self->deadline = deadline;
}

/**
 * cs_http_client_get_deadline:
 * @self: a client
 *
 * Returns: the deadline of its requests, or %CS_TIME_UNSET
 */
CsTime
cs_http_client_get_deadline (CsHttpClient *self)
{
  g_return_val_if_fail (CS_IS_HTTP_CLIENT (self), CS_TIME_UNSET);

  return self->deadline;
}

/**
 * cs_http_client_set_max_body:
 * @self: a client
 * @max_body: the largest body read, in bytes
 */
void
cs_http_client_set_max_body (CsHttpClient *self,
                             gsize         max_body)
{
  g_return_if_fail (CS_IS_HTTP_CLIENT (self));
  g_return_if_fail (max_body > 0);

  self->max_body = max_body;
}

/**
 * cs_http_client_get_base_url:
 * @self: a client
 *
 * Returns: the base URL, without a trailing slash
 */
const char *
cs_http_client_get_base_url (CsHttpClient *self)
{
  g_return_val_if_fail (CS_IS_HTTP_CLIENT (self), NULL);

  return self->base_url;
}

/**
 * cs_http_client_get_service:
 * @self: a client
 *
 * Returns: the service
 */
CsService
cs_http_client_get_service (CsHttpClient *self)
{
  g_return_val_if_fail (CS_IS_HTTP_CLIENT (self), CS_SERVICE_CALCOM);

  return self->service;
}

/**
 * cs_http_client_get_clock:
 * @self: a client
 *
 * Returns: (transfer none): the clock
 */
CsClock *
cs_http_client_get_clock (CsHttpClient *self)
{
  g_return_val_if_fail (CS_IS_HTTP_CLIENT (self), NULL);

  return self->clock;
}

/**
 * cs_http_client_get_circuit_breaker:
 * @self: a client
 *
 * Returns: (transfer none): the service's circuit breaker
 */
CsCircuitBreaker *
cs_http_client_get_circuit_breaker (CsHttpClient *self)
{
  g_return_val_if_fail (CS_IS_HTTP_CLIENT (self), NULL);

  return self->breaker;
}

/**
 * cs_http_client_get_rate_limiter:
 * @self: a client
 *
 * Returns: (transfer none) (nullable): the limiter, if one is set
 */
CsRateLimiter *
cs_http_client_get_rate_limiter (CsHttpClient *self)
{
  g_return_val_if_fail (CS_IS_HTTP_CLIENT (self), NULL);

  return self->limiter;
}

/**
 * cs_http_client_get_n_in_flight:
 * @self: a client
 *
 * Returns: the number of requests sent and not yet answered (requests
 *   waiting for a rate-limit slot are not counted)
 */
guint
cs_http_client_get_n_in_flight (CsHttpClient *self)
{
  g_return_val_if_fail (CS_IS_HTTP_CLIENT (self), 0);

  return self->n_in_flight;
}

/**
 * cs_http_client_get_request_count:
 * @self: a client
 *
 * Returns: the number of requests sent so far (retries included)
 */
guint
cs_http_client_get_request_count (CsHttpClient *self)
{
  g_return_val_if_fail (CS_IS_HTTP_CLIENT (self), 0);

  return self->request_count;
}

static char *
format_local_time (CsTime time)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (time / CS_USEC_PER_SECOND);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  return local != NULL ? g_date_time_format (local, "%X") : g_strdup ("?");
}

static void
log_outcome (SendData   *data,
             const char *outcome)
{
  gint64 elapsed_ms = (cs_clock_get_monotonic (data->self->clock) - data->started) / 1000;

  g_debug ("%s %s%s → %s (%" G_GINT64_FORMAT " ms)",
           data->method, cs_service_get_name (data->self->service), data->path,
           outcome, elapsed_ms);
}

static void
finish_error (GTask  *task,
              GError *error)
{
  SendData *data = g_task_get_task_data (task);

  data->state = STATE_DONE;
  g_task_return_error (task, error);
}

static void
clear_attempt (SendData *data)
{
  if (data->in_flight)
    {
      data->in_flight = FALSE;
      data->self->n_in_flight--;
    }

  if (data->timeout_id != 0)
    {
      cs_clock_remove_timeout (data->self->clock, data->timeout_id);
      data->timeout_id = 0;
    }
  g_clear_object (&data->attempt_cancellable);
  g_clear_object (&data->stream);
  g_clear_pointer (&data->buffer, g_byte_array_unref);
}

/* What went wrong on the way, as a person can tell it. */
typedef enum
{
  LINK_CUT,
  LINK_REFUSED,
  LINK_NO_NAME,
  LINK_UNREACHABLE,
} LinkFailure;

static const char * const link_failure_outcomes[] = {
  [LINK_CUT] = "connection cut",
  [LINK_REFUSED] = "refused",
  [LINK_NO_NAME] = "name not found",
  [LINK_UNREACHABLE] = "unreachable",
};

static const char *
link_failure_message (CsService   service,
                      LinkFailure failure)
{
  switch (failure)
    {
    case LINK_CUT:
      return SERVICE_MSG (service,
                          _("The connection to Cal.com broke off before its answer was "
                            "complete. Calsync will try again."),
                          _("The connection to the CRM server broke off before its answer "
                            "was complete. Calsync will try again."));
    case LINK_REFUSED:
      return SERVICE_MSG (service,
                          _("Could not reach Cal.com: the connection was refused. "
                            "Check the network connection and the server address."),
                          _("Could not reach the CRM server: the connection was refused. "
                            "Check the network connection and the server address."));
    case LINK_NO_NAME:
      return SERVICE_MSG (service,
                          _("Could not reach Cal.com: its server name was not found. "
                            "Check the network connection and the server address."),
                          _("Could not reach the CRM server: its server name was not found. "
                            "Check the network connection and the server address."));
    case LINK_UNREACHABLE:
    default:
      return SERVICE_MSG (service,
                          _("Could not reach Cal.com. Check the network connection "
                            "and the server address."),
                          _("Could not reach the CRM server. Check the network connection "
                            "and the server address."));
    }
}

/* A failure before any answer: cancellation, timeout, network, TLS. */
static void
fail_transport (GTask  *task,
                GError *cause)
{
  SendData *data = g_task_get_task_data (task);
  CsHttpClient *self = data->self;
  CsService service = self->service;
  LinkFailure failure;
  GError *error;

  if (data->user_cancellable != NULL && g_cancellable_is_cancelled (data->user_cancellable))
    {
      log_outcome (data, "cancelled");
      cs_circuit_breaker_release (self->breaker);
      clear_attempt (data);
      finish_error (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                               _("The request was cancelled.")));
      return;
    }

  if (data->timed_out || g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      /* Cut short by the run's deadline, the server was not given its
       * full time: no verdict on whether it is down. */
      if (data->timed_out && data->cut_by_deadline)
        {
          log_outcome (data, "deadline");
          cs_circuit_breaker_release (self->breaker);
        }
      else
        {
          log_outcome (data, "timeout");
          cs_circuit_breaker_record_failure (self->breaker);
        }
      error = g_error_new (CS_NET_ERROR, CS_NET_ERROR_TIMEOUT,
                           SERVICE_MSG (service,
                                        _("Cal.com did not answer in time. Calsync will try again."),
                                        _("The CRM server did not answer in time. Calsync will try again.")));
    }
  else if (cause->domain == G_TLS_ERROR)
    {
      /* The server answered; it is the certificate that is wrong: not a
       * reason to open the circuit, and nothing to retry. */
      log_outcome (data, "certificate not trusted");
      cs_circuit_breaker_release (self->breaker);
      error = g_error_new_literal (CS_NET_ERROR, CS_NET_ERROR_TLS,
                                   SERVICE_MSG (service,
                                                _("The certificate of Cal.com is not trusted, so Calsync did not connect. "
                                                  "Check the server address in Preferences."),
                                                _("The certificate of the CRM server is not trusted, so Calsync did not connect. "
                                                  "Check the server address in Preferences.")));
    }
  else
    {
      /* GIO's and libsoup's own words ("Connection terminated
       * unexpectedly") are for the log: people get what happened. */
      g_debug ("%s %s%s failed: %s (%s %d)", data->method, cs_service_get_name (service),
               data->path, cause->message, g_quark_to_string (cause->domain), cause->code);
      cs_circuit_breaker_record_failure (self->breaker);

      if (data->answer_started || g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT) ||
          g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
          g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
        failure = LINK_CUT;
      else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
        failure = LINK_REFUSED;
      else if (cause->domain == G_RESOLVER_ERROR)
        failure = LINK_NO_NAME;
      else
        failure = LINK_UNREACHABLE;

      log_outcome (data, link_failure_outcomes[failure]);
      error = g_error_new_literal (CS_NET_ERROR, CS_NET_ERROR_NETWORK,
                                   link_failure_message (service, failure));
    }

  clear_attempt (data);
  finish_error (task, error);
}

static gint64
parse_header_int (const char *value)
{
  g_autofree char *trimmed = NULL;
  gint64 number;

  if (value == NULL)
    return -1;

  trimmed = g_strstrip (g_strdup (value));
  if (!g_ascii_string_to_signed (trimmed, 10, 0, G_MAXINT32, &number, NULL))
    return -1;

  return number;
}

/* Reads the rate-limit headers; the suffix names the limit (`-Default`),
 * and with several limits the tightest one counts. */
static void
read_rate_limit_headers (SoupMessageHeaders *headers,
                         gint64             *limit,
                         gint64             *remaining,
                         gint64             *reset)
{
  SoupMessageHeadersIter iter;
  const char *name, *value;

  *limit = *remaining = *reset = -1;

  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      gint64 number;

      if (g_ascii_strncasecmp (name, "X-RateLimit-", 12) != 0)
        continue;

      number = parse_header_int (value);
      if (number < 0)
        continue;

      if (g_ascii_strncasecmp (name + 12, "Limit", 5) == 0)
        *limit = *limit < 0 ? number : MIN (*limit, number);
      else if (g_ascii_strncasecmp (name + 12, "Remaining", 9) == 0 &&
               (*remaining < 0 || number < *remaining))
        *remaining = number;
      else if (g_ascii_strncasecmp (name + 12, "Reset", 5) == 0)
        *reset = MAX (*reset, number);
    }
}

/* How long a 429 asks to wait, in microseconds. */
static gint64
rate_limit_wait (CsHttpClient       *self,
                 SoupMessageHeaders *headers,
                 guint               attempt)
{
  const char *retry_after = soup_message_headers_get_one (headers, "Retry-After");
  gint64 limit, remaining, reset;

  if (retry_after != NULL)
    {
      gint64 seconds = parse_header_int (retry_after);

      if (seconds < 0)
        {
          g_autoptr(GDateTime) when = soup_date_time_new_from_http_string (retry_after);

          if (when != NULL)
            seconds = g_date_time_to_unix (when) - cs_clock_get_now (self->clock) / CS_USEC_PER_SECOND;
        }
      if (seconds >= 0)
        return CLAMP (seconds, 1, 3600) * CS_USEC_PER_SECOND;
    }

  read_rate_limit_headers (headers, &limit, &remaining, &reset);
  if (reset >= 0)
    return CLAMP (reset, 1, 3600) * CS_USEC_PER_SECOND;

  /* Told nothing: back off 5 s, 10 s, 20 s. */
  return (G_GINT64_CONSTANT (5) << MIN (attempt, 4)) * CS_USEC_PER_SECOND;
}

/* The request would have to wait past the deadline: it ends now, and says
 * when the server will take it. */
static GError *
wait_too_long_error (CsService service,
                     CsTime    retry_at)
{
  g_autofree char *when = NULL;
  GError *error;

  /* Whole seconds, rounded up: the time shown is never before the time
   * the server will take the request. */
  retry_at = (retry_at + CS_USEC_PER_SECOND - 1) / CS_USEC_PER_SECOND * CS_USEC_PER_SECOND;
  when = format_local_time (retry_at);

  error = g_error_new (CS_NET_ERROR, CS_NET_ERROR_RATE_LIMITED,
                       SERVICE_MSG (service,
                                    /* Translators: %s is a local time of day, e.g. 14:05:00 */
                                    _("Cal.com asks Calsync to wait until %s; the next try is then."),
                                    /* Translators: %s is a local time of day, e.g. 14:05:00 */
                                    _("The CRM server asks Calsync to wait until %s; the next try is then.")),
                       when);
  cs_net_error_set_retry_at (error, retry_at);

  return error;
}

static gboolean
past_deadline (CsHttpClient *self,
               CsTime        time)
{
  return self->deadline != CS_TIME_UNSET && time > self->deadline;
}

static void
retry_after_wait_cb (gpointer user_data)
{
  GTask *task = user_data;
  SendData *data = g_task_get_task_data (task);

  data->wait_id = 0;
  start_attempt (task);
}

static void
finish_answer (GTask *task)
{
  SendData *data = g_task_get_task_data (task);
  CsHttpClient *self = data->self;
  CsService service = self->service;
  SoupMessageHeaders *headers = soup_message_get_response_headers (data->message);
  guint status = soup_message_get_status (data->message);
  g_autoptr(GBytes) body = g_byte_array_free_to_bytes (g_steal_pointer (&data->buffer));
  g_autofree char *server_message = NULL;
  g_autofree char *status_text = g_strdup_printf ("%u", status);
  gint64 limit, remaining, reset;
  CsHttpResponse *response;
  GError *error = NULL;

  log_outcome (data, status_text);

  if (self->limiter != NULL)
    {
      read_rate_limit_headers (headers, &limit, &remaining, &reset);
      cs_rate_limiter_update_from_server (self->limiter, limit, remaining, reset);
    }

  if (status == CS_HTTP_STATUS_TOO_MANY_REQUESTS)
    {
      gint64 wait = rate_limit_wait (self, headers, data->rate_limited_attempts);
      CsTime retry_at = cs_clock_get_now (self->clock) + wait;

      /* The server is up and says so; only the pace is wrong. */
      cs_circuit_breaker_record_success (self->breaker);
      if (self->limiter != NULL)
        cs_rate_limiter_block_until (self->limiter, retry_at);

      clear_attempt (data);

      /* A wait beyond the run's deadline is not waited out: the run ends
       * now and the scheduler comes back at the time asked for. */
      if (past_deadline (self, retry_at))
        {
          log_outcome (data, "wait past the deadline");
          finish_error (task, wait_too_long_error (service, retry_at));
          return;
        }

      if (data->rate_limited_attempts++ < CS_HTTP_MAX_429_RETRIES)
        {
          data->state = STATE_WAITING;
          data->wait_id = cs_clock_add_timeout (self->clock, retry_at, retry_after_wait_cb,
                                                g_object_ref (task), g_object_unref);
          return;
        }

      error = g_error_new (CS_NET_ERROR, CS_NET_ERROR_RATE_LIMITED,
                           SERVICE_MSG (service,
                                        _("Cal.com asked Calsync to slow down. Calsync will try again later."),
                                        _("The CRM server asked Calsync to slow down. Calsync will try again later.")));
      cs_net_error_set_retry_at (error, retry_at);
      finish_error (task, error);
      return;
    }

  if (status >= 500)
    cs_circuit_breaker_record_failure (self->breaker);
  else
    cs_circuit_breaker_record_success (self->breaker);

  clear_attempt (data);

  if (SOUP_STATUS_IS_SUCCESSFUL (status) ||
      (status == SOUP_STATUS_CONFLICT && data->accept_conflict))
    {
      response = g_new0 (CsHttpResponse, 1);
      response->status = status;
      response->body = g_steal_pointer (&body);
      response->headers = soup_message_headers_ref (headers);
      data->state = STATE_DONE;
      g_task_return_pointer (task, response, (GDestroyNotify) cs_http_response_free);
      return;
    }

  /* Not followed (SOUP_MESSAGE_NO_REDIRECT): the token would go along to
   * wherever the server points. */
  if (SOUP_STATUS_IS_REDIRECTION (status))
    {
      error = g_error_new (CS_NET_ERROR, CS_NET_ERROR_REDIRECT,
                           SERVICE_MSG (service,
                                        _("Cal.com redirected the request to another address "
                                          "(HTTP %u). Calsync does not follow redirects, so the "
                                          "API key is never sent elsewhere: check the server "
                                          "address."),
                                        _("The CRM server redirected the request to another "
                                          "address (HTTP %u). Calsync does not follow redirects, "
                                          "so the access token is never sent elsewhere: check "
                                          "the server address.")),
                           status);
      finish_error (task, error);
      return;
    }

  if (self->error_message_func != NULL)
    server_message = self->error_message_func (body);

  switch (status)
    {
    case SOUP_STATUS_UNAUTHORIZED:
      error = g_error_new (CS_NET_ERROR, CS_NET_ERROR_UNAUTHORIZED,
                           SERVICE_MSG (service,
                                        _("Cal.com rejected the API key. Enter a valid key in Preferences."),
                                        _("The CRM server rejected the access token. Enter a valid token in Preferences.")));
      /* The command line has its own words for the fix. */
      cs_net_error_set_service (error, SERVICE_MSG (service, "calcom", "backend"));
      break;

    case SOUP_STATUS_FORBIDDEN:
      error = g_error_new (CS_NET_ERROR, CS_NET_ERROR_FORBIDDEN,
                           SERVICE_MSG (service,
                                        _("Cal.com does not allow this account to do that: %s"),
                                        _("The CRM server does not allow this account to do that: %s")),
                           server_message ? server_message : _("no reason given"));
      break;

    case SOUP_STATUS_NOT_FOUND:
      error = g_error_new (CS_NET_ERROR, CS_NET_ERROR_NOT_FOUND,
                           SERVICE_MSG (service,
                                        _("Cal.com does not know this item: %s"),
                                        _("The CRM server does not know this item: %s")),
                           server_message ? server_message : data->path);
      break;

    case SOUP_STATUS_CONFLICT:
      error = g_error_new (CS_NET_ERROR, CS_NET_ERROR_CONFLICT,
                           SERVICE_MSG (service,
                                        _("Cal.com already has this item: %s"),
                                        _("The CRM server already has this item: %s")),
                           server_message ? server_message : _("no details given"));
      break;

    case SOUP_STATUS_BAD_REQUEST:
    case SOUP_STATUS_UNPROCESSABLE_ENTITY:
      error = g_error_new (CS_NET_ERROR, CS_NET_ERROR_INVALID_REQUEST,
                           SERVICE_MSG (service,
                                        _("Cal.com refused the request (HTTP %u): %s"),
                                        _("The CRM server refused the request (HTTP %u): %s")),
                           status, server_message ? server_message : _("no reason given"));
      break;

    default:
      if (status >= 500)
        error = g_error_new (CS_NET_ERROR, CS_NET_ERROR_SERVER,
                             SERVICE_MSG (service,
                                          _("Cal.com had an internal problem (HTTP %u). Calsync will try again."),
                                          _("The CRM server had an internal problem (HTTP %u). Calsync will try again.")),
                             status);
      else
        error = g_error_new (CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                             SERVICE_MSG (service,
                                          _("Cal.com gave an answer Calsync does not expect (HTTP %u)."),
                                          _("The CRM server gave an answer Calsync does not expect (HTTP %u).")),
                             status);
      break;
    }

  finish_error (task, error);
}

static GError *
too_large_error (CsService service,
                 gsize     max_body)
{
  g_autofree char *cap = g_format_size (max_body);

  return g_error_new (CS_NET_ERROR, CS_NET_ERROR_TOO_LARGE,
                      SERVICE_MSG (service,
                                   _("Cal.com sent an answer larger than %s; it was not read."),
                                   _("The CRM server sent an answer larger than %s; it was not read.")),
                      cap);
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SendData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) chunk = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (chunk == NULL)
    {
      fail_transport (task, error);
      return;
    }

  if (g_bytes_get_size (chunk) == 0)
    {
      SoupMessageHeaders *headers = soup_message_get_response_headers (data->message);

      /* libsoup 3.2 ends a body at a closed connection without a word,
       * even short of its Content-Length: a cut, not an answer. */
      if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
          data->buffer->len < (guint64) soup_message_headers_get_content_length (headers))
        {
          g_autoptr(GError) cut = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                                                       "The body ended before its Content-Length");

          fail_transport (task, cut);
          return;
        }

      finish_answer (task);
      return;
    }

  if (data->buffer->len + g_bytes_get_size (chunk) > data->self->max_body)
    {
      log_outcome (data, "body over the cap");
      cs_circuit_breaker_record_success (data->self->breaker);
      clear_attempt (data);
      finish_error (task, too_large_error (data->self->service, data->self->max_body));
      return;
    }

  g_byte_array_append (data->buffer, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));

  g_input_stream_read_bytes_async (data->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   data->attempt_cancellable, read_cb, g_steal_pointer (&task));
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SendData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  goffset length;

  data->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (data->stream == NULL)
    {
      fail_transport (task, error);
      return;
    }
  data->answer_started = TRUE;

  length = soup_message_headers_get_content_length (
    soup_message_get_response_headers (data->message));
  if (length > 0 && (guint64) length > data->self->max_body)
    {
      log_outcome (data, "body over the cap");
      cs_circuit_breaker_record_success (data->self->breaker);
      clear_attempt (data);
      finish_error (task, too_large_error (data->self->service, data->self->max_body));
      return;
    }

  data->buffer = g_byte_array_new ();
  g_input_stream_read_bytes_async (data->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   data->attempt_cancellable, read_cb, g_steal_pointer (&task));
}

static void
timeout_cb (gpointer user_data)
{
  SendData *data = user_data;

  data->timeout_id = 0;
  data->timed_out = TRUE;
  g_cancellable_cancel (data->attempt_cancellable);
}

static void
send_now (GTask *task)
{
  SendData *data = g_task_get_task_data (task);
  CsHttpClient *self = data->self;
  SoupMessageHeaders *headers;
  g_autofree char *authorization = NULL;
  CsTime ends;

  g_clear_object (&data->message);
  data->message = soup_message_new (data->method, data->uri);
  soup_message_add_flags (data->message, SOUP_MESSAGE_NO_REDIRECT);

  headers = soup_message_get_request_headers (data->message);
  authorization = g_strdup_printf ("Bearer %s", self->token);
  soup_message_headers_replace (headers, "Authorization", authorization);
  memset (authorization, 0, strlen (authorization));
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (data->api_version != NULL)
    soup_message_headers_replace (headers, "cal-api-version", data->api_version);
  if (data->idempotency_key != NULL)
    soup_message_headers_replace (headers, "Idempotency-Key", data->idempotency_key);
  if (data->body != NULL)
    soup_message_set_request_body_from_bytes (data->message, "application/json", data->body);

  ends = cs_clock_get_now (self->clock) + self->total_timeout;
  data->cut_by_deadline = past_deadline (self, ends);
  if (data->cut_by_deadline)
    ends = self->deadline;

  data->state = STATE_SENDING;
  data->timed_out = FALSE;
  data->answer_started = FALSE;
  data->attempt_cancellable = g_cancellable_new ();
  data->timeout_id = cs_clock_add_timeout (self->clock, ends, timeout_cb, data, NULL);
  self->request_count++;
  self->n_in_flight++;
  data->in_flight = TRUE;

  soup_session_send_async (self->session, data->message, G_PRIORITY_DEFAULT,
                           data->attempt_cancellable, send_cb, g_object_ref (task));
}

static void
limiter_wait_cb (gpointer user_data)
{
  GTask *task = user_data;
  SendData *data = g_task_get_task_data (task);

  data->wait_id = 0;
  send_now (task);
}

static void
start_attempt (GTask *task)
{
  SendData *data = g_task_get_task_data (task);
  CsHttpClient *self = data->self;
  CsTime retry_at = CS_TIME_UNSET;
  CsTime due = CS_TIME_UNSET;

  if (!cs_circuit_breaker_try_acquire (self->breaker, &retry_at))
    {
      g_autofree char *when = format_local_time (retry_at);
      GError *error;

      log_outcome (data, "circuit open");
      error = g_error_new (CS_NET_ERROR, CS_NET_ERROR_CIRCUIT_OPEN,
                           SERVICE_MSG (self->service,
                                        _("Cal.com is not answering. Calsync will try again after %s."),
                                        _("The CRM server is not answering. Calsync will try again after %s.")),
                           when);
      cs_net_error_set_retry_at (error, retry_at);
      finish_error (task, error);
      return;
    }

  /* The limiter's own waits end by the deadline too; a slot after it is
   * not booked, so the requests that fit keep their places. */
  if (self->limiter != NULL &&
      !cs_rate_limiter_reserve_before (self->limiter,
                                       self->deadline != CS_TIME_UNSET ? self->deadline : G_MAXINT64,
                                       &due))
    {
      log_outcome (data, "slot past the deadline");
      cs_circuit_breaker_release (self->breaker);
      finish_error (task, wait_too_long_error (self->service, due));
      return;
    }

  if (due > cs_clock_get_now (self->clock))
    {
      data->state = STATE_WAITING;
      data->wait_id = cs_clock_add_timeout (self->clock, due, limiter_wait_cb,
                                            g_object_ref (task), g_object_unref);
      return;
    }

  send_now (task);
}

static gboolean
cancel_in_context_cb (gpointer user_data)
{
  GTask *task = user_data;
  SendData *data = g_task_get_task_data (task);

  switch (data->state)
    {
    case STATE_WAITING:
      /* Waiting for a slot or a 429 to pass: stop waiting. */
      cs_clock_remove_timeout (data->self->clock, data->wait_id);
      data->wait_id = 0;
      cs_circuit_breaker_release (data->self->breaker);
      log_outcome (data, "cancelled");
      finish_error (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                               _("The request was cancelled.")));
      break;

    case STATE_SENDING:
      /* libsoup reports the cancellation through the callbacks. */
      if (data->attempt_cancellable != NULL)
        g_cancellable_cancel (data->attempt_cancellable);
      break;

    case STATE_DONE:
    default:
      break;
    }

  return G_SOURCE_REMOVE;
}

static void
user_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  GTask *task = user_data;

  /* The cancellable may be cancelled from another thread: act in the
   * task's own context. */
  g_main_context_invoke_full (g_task_get_context (task), G_PRIORITY_DEFAULT,
                              cancel_in_context_cb, g_object_ref (task), g_object_unref);
}

static char *
build_uri (CsHttpClient       *self,
           const char         *path,
           const char * const *query)
{
  GString *uri = g_string_new (self->base_url);

  g_string_append (uri, path);

  for (guint i = 0; query != NULL && query[i] != NULL && query[i + 1] != NULL; i += 2)
    {
      g_string_append_c (uri, i == 0 ? '?' : '&');
      g_string_append_uri_escaped (uri, query[i], NULL, FALSE);
      g_string_append_c (uri, '=');
      g_string_append_uri_escaped (uri, query[i + 1], NULL, FALSE);
    }

  return g_string_free (uri, FALSE);
}

/**
 * cs_http_client_send_async:
 * @self: a client
 * @request: the request; borrowed for the duration of this call only
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the answer is complete or the request failed
 * @user_data: data for @callback
 *
 * Sends @request under the client's policy: circuit breaker, rate limit,
 * total timeout, size cap, 429 handling.
 */
void
cs_http_client_send_async (CsHttpClient        *self,
                           const CsHttpRequest *request,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SendData *data;

  g_return_if_fail (CS_IS_HTTP_CLIENT (self));
  g_return_if_fail (request != NULL);
  g_return_if_fail (request->method != NULL);
  g_return_if_fail (request->path != NULL && request->path[0] == '/');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_http_client_send_async);

  data = g_new0 (SendData, 1);
  data->self = self;
  data->method = g_strdup (request->method);
  data->path = g_strdup (request->path);
  data->uri = build_uri (self, request->path, request->query);
  data->body = request->body != NULL ? g_bytes_ref (request->body) : NULL;
  data->idempotency_key = g_strdup (request->idempotency_key);
  data->api_version = g_strdup (request->api_version);
  data->accept_conflict = request->accept_conflict;
  data->started = cs_clock_get_monotonic (self->clock);
  g_task_set_task_data (task, data, (GDestroyNotify) send_data_free);

  if (self->token == NULL || self->token[0] == '\0')
    {
      finish_error (task, g_error_new_literal (CS_NET_ERROR, CS_NET_ERROR_UNAUTHORIZED,
                                               SERVICE_MSG (self->service,
                                                            _("No Cal.com API key is set up. Enter it in Preferences."),
                                                            _("No CRM access token is set up. Enter it in Preferences."))));
      return;
    }

  if (!g_uri_is_valid (data->uri, G_URI_FLAGS_NONE, NULL))
    {
      finish_error (task, g_error_new (CS_NET_ERROR, CS_NET_ERROR_INVALID_URL,
                                       _("“%s” is not a valid server address. Enter it as https://host/path."),
                                       self->base_url));
      return;
    }

  if (cancellable != NULL)
    {
      data->user_cancellable = g_object_ref (cancellable);
      if (g_cancellable_is_cancelled (cancellable))
        {
          finish_error (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                   _("The request was cancelled.")));
          return;
        }
      data->cancel_handler = g_cancellable_connect (cancellable, G_CALLBACK (user_cancelled_cb),
                                                    g_object_ref (task), g_object_unref);
    }

  start_attempt (task);
}

/**
 * cs_http_client_refuse_answer:
 * @self: a client
 * @response: the answer its parser refused
 * @error: (inout): the parser's #CS_NET_ERROR
 *
 * Puts a sentence for people in place of a parser's reason for refusing a
 * whole answer (%CS_NET_ERROR_INVALID_RESPONSE): what a person can tell
 * from it (a web page instead of data, an answer that broke off, an empty
 * one, or one that cannot be read at all), naming the service. The
 * parser's reason (field names, never values) goes to the debug log. Other
 * errors are left as they are.
 */
void
cs_http_client_refuse_answer (CsHttpClient          *self,
                              const CsHttpResponse  *response,
                              GError               **error)
{
  CsService service;
  const char *content_type;
  const char *data;
  gsize length = 0, start = 0;
  const char *text;
  GError *sentence;

  g_return_if_fail (CS_IS_HTTP_CLIENT (self));
  g_return_if_fail (response != NULL);
  g_return_if_fail (error != NULL && *error != NULL);

  if (!g_error_matches (*error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE))
    return;

  service = self->service;
  g_debug ("%s's answer (HTTP %u) was refused: %s", cs_service_get_name (service),
           response->status, (*error)->message);

  data = g_bytes_get_data (response->body, &length);
  while (start < length && g_ascii_isspace (data[start]))
    start++;
  content_type = response->headers != NULL
                 ? soup_message_headers_get_content_type (response->headers, NULL) : NULL;

  if (start == length)
    text = SERVICE_MSG (service,
                        _("Cal.com sent an empty answer. Calsync will try again."),
                        _("The CRM server sent an empty answer. Calsync will try again."));
  else if (data[start] == '<' ||
           (content_type != NULL && g_ascii_strcasecmp (content_type, "text/html") == 0))
    text = SERVICE_MSG (service,
                        _("Cal.com answered with a web page instead of data; a proxy or a "
                          "network login page may be in the way. Check the network "
                          "connection and the server address."),
                        _("The CRM server answered with a web page instead of data; a proxy "
                          "or a network login page may be in the way. Check the network "
                          "connection and the server address."));
  else if (cs_json_is_truncated (data, length))
    text = SERVICE_MSG (service,
                        _("The answer of Cal.com broke off before its end. "
                          "Calsync will try again."),
                        _("The answer of the CRM server broke off before its end. "
                          "Calsync will try again."));
  else
    text = SERVICE_MSG (service,
                        _("Cal.com sent an answer Calsync cannot read. "
                          "Calsync will try again."),
                        _("The CRM server sent an answer Calsync cannot read. "
                          "Calsync will try again."));

  sentence = g_error_new_literal (CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE, text);
  g_clear_error (error);
  g_propagate_error (error, sentence);
}

/**
 * cs_http_client_send_finish:
 * @self: a client
 * @result: the result
 * @error: return location for a #CsNetError or %G_IO_ERROR_CANCELLED
 *
 * Returns: (transfer full): the answer (2xx, or 409 if accepted)
 */
CsHttpResponse *
cs_http_client_send_finish (CsHttpClient  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (CS_IS_HTTP_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
