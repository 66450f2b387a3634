/* cs-reconciler.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "cs-appointment.h"
#include "cs-booking.h"

G_BEGIN_DECLS

/**
 * CsOutcomeKind:
 * @CS_OUTCOME_SYNCED: matched and in agreement (or a cancelled appointment
 *   with no booking: nothing to hold a slot on either side)
 * @CS_OUTCOME_DATA_MISMATCH: matched, but fields differ (see the diffs)
 * @CS_OUTCOME_ORPHANED_LOCAL: the appointment has no booking
 * @CS_OUTCOME_ORPHANED_CALCOM: an active booking no appointment claims
 * @CS_OUTCOME_LOOKUP_NEEDED: cannot be decided from the listings: the
 *   appointment names a booking uid that is not listed, or the booking names
 *   a CRM appointment that is not listed; look it up once and reconcile again
 * @CS_OUTCOME_CONFLICT: two bookings claim one appointment, or one booking
 *   is claimed by two appointments: for review, never resolved silently
 *
 * What reconciliation found for one appointment or one unclaimed booking.
 */
typedef enum
{
  CS_OUTCOME_SYNCED,
  CS_OUTCOME_DATA_MISMATCH,
  CS_OUTCOME_ORPHANED_LOCAL,
  CS_OUTCOME_ORPHANED_CALCOM,
  CS_OUTCOME_LOOKUP_NEEDED,
  CS_OUTCOME_CONFLICT,
} CsOutcomeKind;

#define CS_OUTCOME_LAST CS_OUTCOME_CONFLICT

/**
 * CsMatchKind:
 * @CS_MATCH_NONE: not matched
 * @CS_MATCH_BY_UID: the appointment's `calcom_booking_uid`
 * @CS_MATCH_BY_METADATA: the booking's `crm_appointment_id` metadata
 * @CS_MATCH_BY_RESCHEDULE: the appointment's `calcom_booking_uid` names a
 *   booking Cal.com rescheduled: the booking that took its place (followed
 *   through `rescheduledToUid`); the appointment's link is stale, not wrong
 *
 * How an appointment and a booking were paired.
 */
typedef enum
{
  CS_MATCH_NONE,
  CS_MATCH_BY_UID,
  CS_MATCH_BY_METADATA,
  CS_MATCH_BY_RESCHEDULE,
} CsMatchKind;

/**
 * CsFieldDiff:
 * @field: the field that differs
 * @local_value: (nullable): the CRM database's value, as text (times in
 *   ISO 8601 UTC, statuses by name)
 * @calcom_value: (nullable): Cal.com's value, as text
 */
typedef struct
{
  CsDiffField  field;
  char        *local_value;
  char        *calcom_value;
} CsFieldDiff;

/**
 * CsOutcome:
 * @kind: what was found
 * @match: how the pair was matched
 * @appointment: (nullable): the appointment; %NULL for a booking's outcome
 * @booking: (nullable): the matched or unclaimed booking
 * @diffs: (nullable) (element-type CsFieldDiff): for
 *   %CS_OUTCOME_DATA_MISMATCH, one entry per differing field
 * @suggested_booking: (nullable): for %CS_OUTCOME_ORPHANED_LOCAL, an
 *   unclaimed booking with the same start and the same attendee e-mail or
 *   phone: a suggestion for a person, never an automatic match
 * @suggested_appointment: (nullable): for %CS_OUTCOME_ORPHANED_CALCOM, the
 *   same the other way round
 * @conflict_bookings: (nullable) (element-type CsBooking): for
 *   %CS_OUTCOME_CONFLICT, every booking that claims or is claimed by the
 *   appointment
 * @conflict_appointments: (nullable) (element-type CsAppointment): for
 *   %CS_OUTCOME_CONFLICT, the other appointments that claim one of those
 *   bookings
 *
 * The pointers to appointments and bookings are borrowed from the input
 * arrays: the result must not outlive them.
 */
typedef struct
{
  CsOutcomeKind         kind;
  CsMatchKind           match;
  const CsAppointment  *appointment;
  const CsBooking      *booking;
  GPtrArray            *diffs;
  const CsBooking      *suggested_booking;
  const CsAppointment  *suggested_appointment;
  GPtrArray            *conflict_bookings;
  GPtrArray            *conflict_appointments;
} CsOutcome;

/**
 * CsReconcileOptions:
 * @company_id: the signed-in company; appointments of another company are
 *   skipped, and so are bookings whose `crm_company_id` names another one
 * @missing_uids: (nullable) (element-type utf8 utf8): booking uids a lookup
 *   answered "not found" for
 * @missing_appointment_ids: (nullable) (element-type gint64 gint64): CRM
 *   appointment ids (keys are `gint64 *`, g_int64_hash()) a lookup answered
 *   "not found" for
 */
typedef struct
{
  gint64      company_id;
  GHashTable *missing_uids;
  GHashTable *missing_appointment_ids;
} CsReconcileOptions;

/**
 * CsReconcileResult:
 * @outcomes: (element-type CsOutcome): one outcome per reconciled
 *   appointment, in input order, then one per unclaimed booking that needs
 *   attention, in input order
 * @counts: the number of outcomes of each #CsOutcomeKind
 * @n_skipped_appointments: appointments left out: deleted, of another
 *   company, or invalid
 * @n_skipped_bookings: bookings left out: of another company, invalid, or a
 *   repeated uid
 * @n_inactive_unclaimed: cancelled or rejected bookings no appointment
 *   claims: they hold no slot, so they need nothing
 */
typedef struct
{
  GArray *outcomes;
  guint   counts[CS_OUTCOME_LAST + 1];
  guint   n_skipped_appointments;
  guint   n_skipped_bookings;
  guint   n_inactive_unclaimed;
} CsReconcileResult;

CsReconcileResult *cs_reconcile              (GPtrArray                *appointments,
                                              GPtrArray                *bookings,
                                              const CsReconcileOptions *options);
void               cs_reconcile_result_free  (CsReconcileResult        *result);
const CsOutcome   *cs_reconcile_result_get   (const CsReconcileResult  *result,
                                              guint                     index);
void               cs_field_diff_free        (CsFieldDiff              *diff);
const CsFieldDiff *cs_outcome_find_diff      (const CsOutcome          *outcome,
                                              CsDiffField               field);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsReconcileResult, cs_reconcile_result_free)

G_END_DECLS
