/* cs-net-error.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cs-time.h"

G_BEGIN_DECLS

#define CS_NET_ERROR (cs_net_error_quark ())

/**
 * CsNetError:
 * @CS_NET_ERROR_NETWORK: the server could not be reached (refused, reset,
 *   name not resolved); retryable
 * @CS_NET_ERROR_TIMEOUT: no complete answer in time; retryable
 * @CS_NET_ERROR_SERVER: the server failed (5xx); retryable
 * @CS_NET_ERROR_RATE_LIMITED: the server asked to slow down (429), or its
 *   rate limit leaves no slot before the deadline; retryable at the time
 *   cs_net_error_get_retry_at() tells
 * @CS_NET_ERROR_CIRCUIT_OPEN: not sent: the service is considered down;
 *   retryable once the circuit lets a probe through (at the time
 *   cs_net_error_get_retry_at() tells)
 * @CS_NET_ERROR_UNAUTHORIZED: the API key or token was rejected (401)
 * @CS_NET_ERROR_FORBIDDEN: the account may not do this (403)
 * @CS_NET_ERROR_NOT_FOUND: the resource does not exist (404)
 * @CS_NET_ERROR_CONFLICT: the resource exists already (409)
 * @CS_NET_ERROR_INVALID_REQUEST: the server refused the request as invalid
 *   (400, 422): a contract error; the message carries the server's words
 * @CS_NET_ERROR_INVALID_RESPONSE: the answer is not what the contract says
 *   (not JSON, truncated, wrong shape)
 * @CS_NET_ERROR_TOO_LARGE: the answer is larger than the cap
 * @CS_NET_ERROR_INSECURE_URL: the URL is not https:// and not loopback
 * @CS_NET_ERROR_INVALID_URL: the URL cannot be parsed
 * @CS_NET_ERROR_TLS: the server's certificate is not trusted
 * @CS_NET_ERROR_UNSUPPORTED: an answer Calsync does not handle (a recurring
 *   or seated booking where one booking was expected)
 * @CS_NET_ERROR_WRONG_COMPANY: the server answered with another company's
 *   data
 * @CS_NET_ERROR_REDIRECT: the server sent the request elsewhere (3xx),
 *   which Calsync does not follow: the key or token would travel along
 *
 * Every failure of a request, classified. Cancellation stays
 * %G_IO_ERROR_CANCELLED.
 */
typedef enum
{
  CS_NET_ERROR_NETWORK,
  CS_NET_ERROR_TIMEOUT,
  CS_NET_ERROR_SERVER,
  CS_NET_ERROR_RATE_LIMITED,
  CS_NET_ERROR_CIRCUIT_OPEN,
  CS_NET_ERROR_UNAUTHORIZED,
  CS_NET_ERROR_FORBIDDEN,
  CS_NET_ERROR_NOT_FOUND,
  CS_NET_ERROR_CONFLICT,
  CS_NET_ERROR_INVALID_REQUEST,
  CS_NET_ERROR_INVALID_RESPONSE,
  CS_NET_ERROR_TOO_LARGE,
  CS_NET_ERROR_INSECURE_URL,
  CS_NET_ERROR_INVALID_URL,
  CS_NET_ERROR_TLS,
  CS_NET_ERROR_UNSUPPORTED,
  CS_NET_ERROR_WRONG_COMPANY,
  CS_NET_ERROR_REDIRECT,
} CsNetError;

GQuark      cs_net_error_quark          (void);
gboolean    cs_net_error_is_retryable   (const GError *error);
CsTime      cs_net_error_get_retry_at   (const GError *error);
void        cs_net_error_set_retry_at   (GError       *error,
                                         CsTime        retry_at);
const char *cs_net_error_code_to_string (CsNetError    code);
const char *cs_net_error_get_service    (const GError *error);
void        cs_net_error_set_service    (GError       *error,
                                         const char   *service);

G_END_DECLS
