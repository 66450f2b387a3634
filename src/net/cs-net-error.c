/* cs-net-error.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-net-error.h"

G_DEFINE_QUARK (cs-net-error-quark, cs_net_error)

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
    default:
      return FALSE;
    }
}
