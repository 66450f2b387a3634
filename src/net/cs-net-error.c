/* cs-net-error.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-net-error.h"

/* The detail a #CsNetError carries beside its code and sentence: an
 * extended error domain, so it survives g_error_copy() (a joined run's
 * callers each get a copy) and needs no parsing of the message. */
typedef struct
{
  CsTime      retry_at;
  const char *service;   /* a static name ("calcom", "backend"), or NULL */
} CsNetErrorPrivate;

static void
cs_net_error_private_init (CsNetErrorPrivate *priv)
{
  priv->retry_at = CS_TIME_UNSET;
  priv->service = NULL;
}

static void
cs_net_error_private_copy (const CsNetErrorPrivate *src_priv,
                           CsNetErrorPrivate       *dest_priv)
{
  dest_priv->retry_at = src_priv->retry_at;
  dest_priv->service = src_priv->service;
}

static void
cs_net_error_private_clear (CsNetErrorPrivate *priv)
{
}

G_DEFINE_EXTENDED_ERROR (CsNetError, cs_net_error)

/**
 * cs_net_error_is_retryable:
 * @error: (nullable): an error from a request
 *
 * The retry classification of DESIGN.md §2: network, timeout, 5xx, 429, an
 * open circuit and a garbled answer are worth another attempt later; a
 * rejected key, a contract error, a missing resource or a cancellation are
 * not.
 *
 * Returns: %TRUE if the same request may succeed later
 */
gboolean
cs_net_error_is_retryable (const GError *error)
{
  if (error == NULL || error->domain != CS_NET_ERROR)
    return FALSE;

  switch ((CsNetError) error->code)
    {
    case CS_NET_ERROR_NETWORK:
    case CS_NET_ERROR_TIMEOUT:
    case CS_NET_ERROR_SERVER:
    case CS_NET_ERROR_RATE_LIMITED:
    case CS_NET_ERROR_CIRCUIT_OPEN:
    /* A garbled or truncated body is most often a connection cut short. */
    case CS_NET_ERROR_INVALID_RESPONSE:
      return TRUE;

    case CS_NET_ERROR_UNAUTHORIZED:
    case CS_NET_ERROR_FORBIDDEN:
    case CS_NET_ERROR_NOT_FOUND:
    case CS_NET_ERROR_CONFLICT:
    case CS_NET_ERROR_INVALID_REQUEST:
    case CS_NET_ERROR_TOO_LARGE:
    case CS_NET_ERROR_INSECURE_URL:
    case CS_NET_ERROR_INVALID_URL:
    case CS_NET_ERROR_TLS:
    case CS_NET_ERROR_UNSUPPORTED:
    case CS_NET_ERROR_WRONG_COMPANY:
    case CS_NET_ERROR_REDIRECT:
    default:
      return FALSE;
    }
}

/**
 * cs_net_error_get_retry_at:
 * @error: (nullable): an error from a request
 *
 * The time the server asked Calsync to wait for (a 429's `Retry-After` or
 * rate-limit reset, or the rate limit's next free slot), or the time an
 * open circuit lets a probe through: the earliest a retry makes sense.
 *
 * Returns: that instant, or %CS_TIME_UNSET if @error tells none (or is not
 *   a #CsNetError)
 */
CsTime
cs_net_error_get_retry_at (const GError *error)
{
  if (error == NULL || error->domain != CS_NET_ERROR)
    return CS_TIME_UNSET;

  return cs_net_error_get_private (error)->retry_at;
}

/**
 * cs_net_error_set_retry_at:
 * @error: a #CsNetError
 * @retry_at: the earliest a retry makes sense, or %CS_TIME_UNSET
 *
 * Attaches the time cs_net_error_get_retry_at() returns.
 */
void
cs_net_error_set_retry_at (GError *error,
                           CsTime  retry_at)
{
  g_return_if_fail (error != NULL && error->domain == CS_NET_ERROR);

  cs_net_error_get_private (error)->retry_at = retry_at;
}

/**
 * cs_net_error_code_to_string:
 * @code: a #CsNetError code
 *
 * The code's stable name for machines (`calsync --once --json`), never
 * translated.
 *
 * Returns: the name, e.g. `rate_limited`
 */
const char *
cs_net_error_code_to_string (CsNetError code)
{
  /* In the order of the enumeration. */
  static const char * const names[] = {
    "network", "timeout", "server", "rate_limited", "circuit_open", "unauthorized",
    "forbidden", "not_found", "conflict", "invalid_request", "invalid_response", "too_large",
    "insecure_url", "invalid_url", "tls", "unsupported", "wrong_company", "redirect",
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (names) == CS_NET_ERROR_REDIRECT + 1);

  if ((guint) code >= G_N_ELEMENTS (names))
    return "unknown";

  return names[code];
}

/**
 * cs_net_error_get_service:
 * @error: (nullable): an error
 *
 * Which service answered so, for words that depend on it (the command line
 * names the `--set-secret` that fixes a rejected key).
 *
 * Returns: (nullable): "calcom" or "backend", or %NULL if not known
 */
const char *
cs_net_error_get_service (const GError *error)
{
  if (error == NULL || error->domain != CS_NET_ERROR)
    return NULL;

  return cs_net_error_get_private (error)->service;
}

/**
 * cs_net_error_set_service:
 * @error: a #CsNetError
 * @service: (nullable): a static name, "calcom" or "backend"
 *
 * Records which service answered so.
 */
void
cs_net_error_set_service (GError     *error,
                          const char *service)
{
  g_return_if_fail (error != NULL && error->domain == CS_NET_ERROR);

  cs_net_error_get_private (error)->service = service;
}
