/* cs-enums.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * CsSyncStatus:
 * @CS_SYNC_STATUS_PENDING: not yet verified
 * @CS_SYNC_STATUS_VERIFICATION_PENDING: queued or being verified now
 * @CS_SYNC_STATUS_SYNCED: exists in both, data match
 * @CS_SYNC_STATUS_FAILED: verification could not complete, or the data differ
 * @CS_SYNC_STATUS_ORPHANED_LOCAL: in the CRM database, not in Cal.com
 * @CS_SYNC_STATUS_ORPHANED_CALCOM: in Cal.com, not in the CRM database
 *
 * The `calcom_sync_status` of an appointment (DESIGN.md §1). The string forms
 * are the exact names used in the database, the backend API and the design.
 */
typedef enum
{
  CS_SYNC_STATUS_PENDING,
  CS_SYNC_STATUS_VERIFICATION_PENDING,
  CS_SYNC_STATUS_SYNCED,
  CS_SYNC_STATUS_FAILED,
  CS_SYNC_STATUS_ORPHANED_LOCAL,
  CS_SYNC_STATUS_ORPHANED_CALCOM,
} CsSyncStatus;

#define CS_SYNC_STATUS_LAST CS_SYNC_STATUS_ORPHANED_CALCOM

/**
 * CsErrorCode:
 * @CS_ERROR_CODE_NONE: no error (stored as NULL)
 * @CS_ERROR_CODE_ORPHANED_LOCAL: in the CRM database but not in Cal.com
 * @CS_ERROR_CODE_ORPHANED_CALCOM: in Cal.com but not in the CRM database
 * @CS_ERROR_CODE_DATA_MISMATCH: start, end or status differ
 * @CS_ERROR_CODE_VERIFICATION_ERROR: the API or the network failed
 * @CS_ERROR_CODE_CIRCUIT_OPEN: Cal.com is considered down; no attempt was made
 *
 * The `sync_error_code` of an appointment.
 */
typedef enum
{
  CS_ERROR_CODE_NONE,
  CS_ERROR_CODE_ORPHANED_LOCAL,
  CS_ERROR_CODE_ORPHANED_CALCOM,
  CS_ERROR_CODE_DATA_MISMATCH,
  CS_ERROR_CODE_VERIFICATION_ERROR,
  CS_ERROR_CODE_CIRCUIT_OPEN,
} CsErrorCode;

#define CS_ERROR_CODE_LAST CS_ERROR_CODE_CIRCUIT_OPEN

/**
 * CsCrmStatus:
 *
 * The `status` of an appointment in the CRM database (backend-api.md).
 */
typedef enum
{
  CS_CRM_STATUS_SCHEDULED,
  CS_CRM_STATUS_CONFIRMED,
  CS_CRM_STATUS_COMPLETED,
  CS_CRM_STATUS_NO_SHOW,
  CS_CRM_STATUS_CANCELLED,
} CsCrmStatus;

#define CS_CRM_STATUS_LAST CS_CRM_STATUS_CANCELLED

/**
 * CsBookingStatus:
 *
 * The `status` of a Cal.com booking (API v2, 2024-08-13).
 */
typedef enum
{
  CS_BOOKING_STATUS_ACCEPTED,
  CS_BOOKING_STATUS_PENDING,
  CS_BOOKING_STATUS_CANCELLED,
  CS_BOOKING_STATUS_REJECTED,
  CS_BOOKING_STATUS_AWAITING_HOST,
} CsBookingStatus;

#define CS_BOOKING_STATUS_LAST CS_BOOKING_STATUS_AWAITING_HOST

/**
 * CsDiffField:
 * @CS_DIFF_FIELD_START: the start instant
 * @CS_DIFF_FIELD_END: the end instant
 * @CS_DIFF_FIELD_STATUS: the status, after the status mapping
 * @CS_DIFF_FIELD_BOOKING_UID: the appointment names another booking than the
 *   one that claims it through its metadata
 *
 * One field of a data mismatch between an appointment and its booking.
 */
typedef enum
{
  CS_DIFF_FIELD_START,
  CS_DIFF_FIELD_END,
  CS_DIFF_FIELD_STATUS,
  CS_DIFF_FIELD_BOOKING_UID,
} CsDiffField;

#define CS_DIFF_FIELD_LAST CS_DIFF_FIELD_BOOKING_UID

const char *cs_sync_status_to_string      (CsSyncStatus     status);
gboolean    cs_sync_status_from_string    (const char      *str,
                                           CsSyncStatus    *status);
const char *cs_error_code_to_string       (CsErrorCode      code);
gboolean    cs_error_code_from_string     (const char      *str,
                                           CsErrorCode     *code);
const char *cs_crm_status_to_string       (CsCrmStatus      status);
gboolean    cs_crm_status_from_string     (const char      *str,
                                           CsCrmStatus     *status);
const char *cs_booking_status_to_string   (CsBookingStatus  status);
gboolean    cs_booking_status_from_string (const char      *str,
                                           CsBookingStatus *status);
const char *cs_diff_field_to_string       (CsDiffField      field);
gboolean    cs_diff_field_from_string     (const char      *str,
                                           CsDiffField     *field);

gboolean    cs_crm_status_is_active       (CsCrmStatus      status);
gboolean    cs_booking_status_is_active   (CsBookingStatus  status);
gboolean    cs_status_agrees              (CsCrmStatus      crm_status,
                                           CsBookingStatus  booking_status);

G_END_DECLS
