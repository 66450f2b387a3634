/* cs-enums.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-enums.h"

/* The string forms are part of three contracts at once (the SQLite cache, the
 * backend API and DESIGN.md), so each table spells them out instead of
 * deriving them from the C names.
 */
static const char * const sync_status_names[] = {
  [CS_SYNC_STATUS_PENDING] = "pending",
  [CS_SYNC_STATUS_VERIFICATION_PENDING] = "verification_pending",
  [CS_SYNC_STATUS_SYNCED] = "synced",
  [CS_SYNC_STATUS_FAILED] = "failed",
  [CS_SYNC_STATUS_ORPHANED_LOCAL] = "orphaned_local",
  [CS_SYNC_STATUS_ORPHANED_CALCOM] = "orphaned_calcom",
};

static const char * const error_code_names[] = {
  [CS_ERROR_CODE_NONE] = NULL,
  [CS_ERROR_CODE_ORPHANED_LOCAL] = "ORPHANED_LOCAL",
  [CS_ERROR_CODE_ORPHANED_CALCOM] = "ORPHANED_CALCOM",
  [CS_ERROR_CODE_DATA_MISMATCH] = "DATA_MISMATCH",
  [CS_ERROR_CODE_VERIFICATION_ERROR] = "VERIFICATION_ERROR",
  [CS_ERROR_CODE_CIRCUIT_OPEN] = "CIRCUIT_OPEN",
};

static const char * const crm_status_names[] = {
  [CS_CRM_STATUS_SCHEDULED] = "scheduled",
  [CS_CRM_STATUS_CONFIRMED] = "confirmed",
  [CS_CRM_STATUS_COMPLETED] = "completed",
  [CS_CRM_STATUS_NO_SHOW] = "no_show",
  [CS_CRM_STATUS_CANCELLED] = "cancelled",
};

static const char * const booking_status_names[] = {
  [CS_BOOKING_STATUS_ACCEPTED] = "accepted",
  [CS_BOOKING_STATUS_PENDING] = "pending",
  [CS_BOOKING_STATUS_CANCELLED] = "cancelled",
  [CS_BOOKING_STATUS_REJECTED] = "rejected",
  [CS_BOOKING_STATUS_AWAITING_HOST] = "awaiting_host",
};

static const char * const diff_field_names[] = {
  [CS_DIFF_FIELD_START] = "start",
  [CS_DIFF_FIELD_END] = "end",
  [CS_DIFF_FIELD_STATUS] = "status",
  [CS_DIFF_FIELD_BOOKING_UID] = "booking_uid",
};

static const char *
lookup_name (const char * const *names,
             guint               n_names,
             guint               value)
{
  return value < n_names ? names[value] : NULL;
}

static gboolean
lookup_value (const char * const *names,
              guint               n_names,
              const char         *str,
              guint              *value)
{
  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < n_names; i++)
    {
      if (names[i] != NULL && strcmp (names[i], str) == 0)
        {
          *value = i;
          return TRUE;
        }
    }

  return FALSE;
}

#define DEFINE_ENUM_STRINGS(prefix, Type, table)                                 \
  const char *                                                                   \
  prefix##_to_string (Type value)                                                \
  {                                                                              \
    return lookup_name (table, G_N_ELEMENTS (table), (guint) value);             \
  }                                                                              \
                                                                                 \
  gboolean                                                                       \
  prefix##_from_string (const char *str,                                         \
                        Type       *value)                                       \
  {                                                                              \
    guint v;                                                                     \
                                                                                 \
    g_return_val_if_fail (value != NULL, FALSE);                                 \
                                                                                 \
    if (!lookup_value (table, G_N_ELEMENTS (table), str, &v))                    \
      return FALSE;                                                              \
    *value = (Type) v;                                                           \
    return TRUE;                                                                 \
  }

DEFINE_ENUM_STRINGS (cs_sync_status, CsSyncStatus, sync_status_names)
DEFINE_ENUM_STRINGS (cs_crm_status, CsCrmStatus, crm_status_names)
DEFINE_ENUM_STRINGS (cs_booking_status, CsBookingStatus, booking_status_names)
DEFINE_ENUM_STRINGS (cs_diff_field, CsDiffField, diff_field_names)

/**
 * cs_error_code_to_string:
 * @code: an error code
 *
 * Returns: (nullable): the code's name, or %NULL for %CS_ERROR_CODE_NONE
 *   (stored as SQL NULL and JSON null)
 */
const char *
cs_error_code_to_string (CsErrorCode code)
{
  return lookup_name (error_code_names, G_N_ELEMENTS (error_code_names), (guint) code);
}

/**
 * cs_error_code_from_string:
 * @str: (nullable): a code's name, or %NULL
 * @code: (out): the code
 *
 * %NULL gives %CS_ERROR_CODE_NONE, the form a missing code takes in the
 * database and the API.
 *
 * Returns: %FALSE if @str names no code
 */
gboolean
cs_error_code_from_string (const char  *str,
                           CsErrorCode *code)
{
  guint v;

  g_return_val_if_fail (code != NULL, FALSE);

  if (str == NULL)
    {
      *code = CS_ERROR_CODE_NONE;
      return TRUE;
    }

  if (!lookup_value (error_code_names, G_N_ELEMENTS (error_code_names), str, &v))
    return FALSE;

  *code = (CsErrorCode) v;
  return TRUE;
}

/**
 * cs_crm_status_is_active:
 * @status: a CRM status
 *
 * Returns: %TRUE unless the appointment is cancelled
 */
gboolean
cs_crm_status_is_active (CsCrmStatus status)
{
  return status != CS_CRM_STATUS_CANCELLED;
}

/**
 * cs_booking_status_is_active:
 * @status: a booking status
 *
 * Returns: %TRUE for a booking that still holds its slot (accepted,
 *   pending while it awaits confirmation, or awaiting its host)
 */
gboolean
cs_booking_status_is_active (CsBookingStatus status)
{
  return status == CS_BOOKING_STATUS_ACCEPTED || status == CS_BOOKING_STATUS_PENDING ||
         status == CS_BOOKING_STATUS_AWAITING_HOST;
}

/**
 * cs_status_agrees:
 * @crm_status: the appointment's status
 * @booking_status: the booking's status
 *
 * The status mapping of backend-api.md: every CRM status but `cancelled`
 * agrees with an `accepted`, `pending` or `awaiting_host` booking; `cancelled` agrees with a
 * `cancelled` or `rejected` one.
 *
 * Returns: %TRUE if the two agree
 */
gboolean
cs_status_agrees (CsCrmStatus     crm_status,
                  CsBookingStatus booking_status)
{
  return cs_crm_status_is_active (crm_status) == cs_booking_status_is_active (booking_status);
}
