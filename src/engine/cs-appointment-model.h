/* cs-appointment-model.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cs-appointment-row.h"
#include "cs-clock.h"
#include "cs-store.h"
#include "cs-verifier.h"

G_BEGIN_DECLS

/**
 * CsAppointmentSort:
 * @CS_APPOINTMENT_SORT_URGENCY: flagged rows first, then other problems,
 *   then the rest; in each group upcoming rows by nearest start, then past
 *   rows most recent first
 * @CS_APPOINTMENT_SORT_ID: by CRM id; orphaned bookings after appointments
 * @CS_APPOINTMENT_SORT_CUSTOMER: by customer name, case-insensitively
 * @CS_APPOINTMENT_SORT_STARTS_AT: by start
 * @CS_APPOINTMENT_SORT_STATUS: by #CsSyncStatus, then by urgency
 * @CS_APPOINTMENT_SORT_ERROR: by #CsErrorCode, then by urgency
 * @CS_APPOINTMENT_SORT_ATTEMPTS: by number of attempts, then by urgency
 * @CS_APPOINTMENT_SORT_LAST_ATTEMPT: by last attempt, never-tried first
 *
 * The orders of #CsAppointmentModel, one per column of the list. Rows that
 * compare equal are ordered by key, so a descending order is exactly the
 * reverse of the ascending one.
 */
typedef enum
{
  CS_APPOINTMENT_SORT_URGENCY,
  CS_APPOINTMENT_SORT_ID,
  CS_APPOINTMENT_SORT_CUSTOMER,
  CS_APPOINTMENT_SORT_STARTS_AT,
  CS_APPOINTMENT_SORT_STATUS,
  CS_APPOINTMENT_SORT_ERROR,
  CS_APPOINTMENT_SORT_ATTEMPTS,
  CS_APPOINTMENT_SORT_LAST_ATTEMPT,
} CsAppointmentSort;

#define CS_APPOINTMENT_SORT_LAST CS_APPOINTMENT_SORT_LAST_ATTEMPT

/**
 * CS_APPOINTMENT_FILTER_STATUS:
 * @status: a #CsSyncStatus
 *
 * The bit of the status filter that shows the rows in @status.
 */
#define CS_APPOINTMENT_FILTER_STATUS(status) (1u << (guint) (status))

/**
 * CS_APPOINTMENT_FILTER_NEEDS_REVIEW:
 *
 * The bit of the status filter that shows the rows flagged for manual
 * review and not resolved, whatever their status.
 */
#define CS_APPOINTMENT_FILTER_NEEDS_REVIEW (1u << 16)

/**
 * CS_APPOINTMENT_FILTER_RETRYING:
 *
 * The bit of the status filter that shows the problems Calsync still
 * retries on its own: failed or orphaned, neither flagged for manual
 * review nor resolved (#CsStoreCounts.retrying).
 */
#define CS_APPOINTMENT_FILTER_RETRYING (1u << 17)

/**
 * CS_APPOINTMENT_FILTER_ALL:
 *
 * The status filter that shows every row.
 */
#define CS_APPOINTMENT_FILTER_ALL 0u

#define CS_TYPE_APPOINTMENT_SORT  (cs_appointment_sort_get_type ())
#define CS_TYPE_APPOINTMENT_MODEL (cs_appointment_model_get_type ())

GType cs_appointment_sort_get_type (void) G_GNUC_CONST;

G_DECLARE_FINAL_TYPE (CsAppointmentModel, cs_appointment_model, CS, APPOINTMENT_MODEL, GObject)

CsAppointmentModel *cs_appointment_model_new                 (CsStore              *store,
                                                              CsClock              *clock);
CsStore            *cs_appointment_model_get_store           (CsAppointmentModel   *self);
CsClock            *cs_appointment_model_get_clock           (CsAppointmentModel   *self);

void                cs_appointment_model_reload_async        (CsAppointmentModel   *self,
                                                              GCancellable         *cancellable,
                                                              GAsyncReadyCallback   callback,
                                                              gpointer              user_data);
gboolean            cs_appointment_model_reload_finish       (CsAppointmentModel   *self,
                                                              GAsyncResult         *result,
                                                              GError              **error);

const char         *cs_appointment_model_get_search_text     (CsAppointmentModel   *self);
void                cs_appointment_model_set_search_text     (CsAppointmentModel   *self,
                                                              const char           *search_text);
guint               cs_appointment_model_get_status_filter   (CsAppointmentModel   *self);
void                cs_appointment_model_set_status_filter   (CsAppointmentModel   *self,
                                                              guint                 status_filter);
CsAppointmentSort   cs_appointment_model_get_sort            (CsAppointmentModel   *self);
void                cs_appointment_model_set_sort            (CsAppointmentModel   *self,
                                                              CsAppointmentSort     sort);
gboolean            cs_appointment_model_get_sort_descending (CsAppointmentModel   *self);
void                cs_appointment_model_set_sort_descending (CsAppointmentModel   *self,
                                                              gboolean              sort_descending);

void                cs_appointment_model_set_window          (CsAppointmentModel   *self,
                                                              CsTime                start,
                                                              CsTime                end);
gboolean            cs_appointment_model_get_window          (CsAppointmentModel   *self,
                                                              CsTime               *start,
                                                              CsTime               *end);

guint               cs_appointment_model_get_n_loaded        (CsAppointmentModel   *self);
void                cs_appointment_model_set_verifier        (CsAppointmentModel   *self,
                                                              CsVerifier           *verifier);
void                cs_appointment_model_get_counts          (CsAppointmentModel   *self,
                                                              CsStoreCounts        *out_counts);

G_END_DECLS
