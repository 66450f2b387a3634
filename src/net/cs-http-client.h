/* cs-http-client.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "cs-circuit-breaker.h"
#include "cs-clock.h"
#include "cs-rate-limiter.h"

G_BEGIN_DECLS

/**
 * CsService:
 * @CS_SERVICE_CALCOM: Cal.com (API v2)
 * @CS_SERVICE_BACKEND: the company's CRM backend (API v1)
 *
 * The two remote services Calsync talks to.
 */
typedef enum
{
  CS_SERVICE_CALCOM,
  CS_SERVICE_BACKEND,
} CsService;

/* The HTTP policy of DESIGN.md §2, the same for both services. */
#define CS_HTTP_CONNECT_TIMEOUT_S   10
#define CS_HTTP_TOTAL_TIMEOUT       (G_GINT64_CONSTANT (60) * CS_USEC_PER_SECOND)
#define CS_HTTP_MAX_BODY            ((gsize) 32 * 1024 * 1024)
#define CS_HTTP_MAX_429_RETRIES     3

/**
 * CsHttpErrorMessageFunc:
 * @body: the body of an error answer
 *
 * Extracts the server's own error message from an error answer.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL
 */
typedef char *(*CsHttpErrorMessageFunc) (GBytes *body);

/**
 * CsHttpRequest:
 * @method: "GET", "POST", "PATCH", …
 * @path: the path below the base URL, starting with "/"
 * @query: (nullable) (array zero-terminated=1): name, value pairs,
 *   %NULL-terminated; values are escaped here
 * @body: (nullable): a JSON body
 * @idempotency_key: (nullable): sent as `Idempotency-Key`
 * @api_version: (nullable): sent as `cal-api-version`
 * @accept_conflict: answer a 409 as a response instead of an error (a
 *   create that found its resource already there)
 *
 * One request. Everything is borrowed for the duration of the call to
 * cs_http_client_send_async() only.
 */
typedef struct
{
  const char         *method;
  const char         *path;
  const char * const *query;
  GBytes             *body;
  const char         *idempotency_key;
  const char         *api_version;
  gboolean            accept_conflict;
} CsHttpRequest;

/**
 * CsHttpResponse:
 * @status: the HTTP status
 * @body: the complete body, never %NULL
 * @headers: the response headers
 */
typedef struct
{
  guint               status;
  GBytes             *body;
  SoupMessageHeaders *headers;
} CsHttpResponse;

void cs_http_response_free (CsHttpResponse *response);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsHttpResponse, cs_http_response_free)

#define CS_TYPE_HTTP_CLIENT (cs_http_client_get_type ())

G_DECLARE_FINAL_TYPE (CsHttpClient, cs_http_client, CS, HTTP_CLIENT, GObject)

gboolean          cs_http_check_base_url               (const char              *url,
                                                        GError                 **error);
const char       *cs_service_get_name                  (CsService                service);

CsHttpClient     *cs_http_client_new                   (CsService                service,
                                                        const char              *base_url,
                                                        CsClock                 *clock,
                                                        GError                 **error);
void              cs_http_client_set_token             (CsHttpClient            *self,
                                                        const char              *token);
void              cs_http_client_set_error_message_func (CsHttpClient           *self,
                                                        CsHttpErrorMessageFunc   func);
void              cs_http_client_set_rate_limit        (CsHttpClient            *self,
                                                        guint                    limit,
                                                        gint64                   window);
void              cs_http_client_set_total_timeout     (CsHttpClient            *self,
                                                        gint64                   timeout);
void              cs_http_client_set_deadline          (CsHttpClient            *self,
                                                        CsTime                   deadline);
CsTime            cs_http_client_get_deadline          (CsHttpClient            *self);
void              cs_http_client_set_max_body          (CsHttpClient            *self,
                                                        gsize                    max_body);
const char       *cs_http_client_get_base_url          (CsHttpClient            *self);
CsService         cs_http_client_get_service           (CsHttpClient            *self);
CsClock          *cs_http_client_get_clock             (CsHttpClient            *self);
CsCircuitBreaker *cs_http_client_get_circuit_breaker   (CsHttpClient            *self);
CsRateLimiter    *cs_http_client_get_rate_limiter      (CsHttpClient            *self);
guint             cs_http_client_get_request_count     (CsHttpClient            *self);
guint             cs_http_client_get_n_in_flight       (CsHttpClient            *self);
void              cs_http_client_send_async            (CsHttpClient            *self,
                                                        const CsHttpRequest     *request,
                                                        GCancellable            *cancellable,
                                                        GAsyncReadyCallback      callback,
                                                        gpointer                 user_data);
CsHttpResponse   *cs_http_client_send_finish           (CsHttpClient            *self,
                                                        GAsyncResult            *result,
                                                        GError                 **error);
void              cs_http_client_refuse_answer         (CsHttpClient            *self,
                                                        const CsHttpResponse    *response,
                                                        GError                 **error);

G_END_DECLS
