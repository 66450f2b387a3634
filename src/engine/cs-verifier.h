/* cs-verifier.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cs-backend-client.h"
#include "cs-calcom-client.h"
#include "cs-clock.h"
#include "cs-store.h"
#include "cs-store-types.h"

G_BEGIN_DECLS

/**
 * CsVerificationKind:
 * @CS_VERIFICATION_CYCLE: the 6-hourly cycle: everything in the window that
 *   is not flagged, resolved or snoozed gets an attempt
 * @CS_VERIFICATION_COMPREHENSIVE: the daily check: the whole window, flagged
 *   ones included
 * @CS_VERIFICATION_RETRY: just the given appointments and bookings (due
 *   retries, "Retry verification"), from narrow listings around their times
 *   and lookups by uid and id, no full listing
 *
 * What a run looks at.
 */
typedef enum
{
  CS_VERIFICATION_CYCLE,
  CS_VERIFICATION_COMPREHENSIVE,
  CS_VERIFICATION_RETRY,
} CsVerificationKind;

/**
 * CsVerifierPhase:
 * @CS_VERIFIER_IDLE: no run
 * @CS_VERIFIER_CONNECTING: asking the CRM who we are
 * @CS_VERIFIER_LISTING: listing both sides
 * @CS_VERIFIER_LOOKING_UP: looking up what the listings could not tell
 * @CS_VERIFIER_SAVING: writing the run to the cache
 * @CS_VERIFIER_REPORTING: reporting the tracking fields to the CRM
 *
 * Where a run is, for the progress shown in the window.
 */
typedef enum
{
  CS_VERIFIER_IDLE,
  CS_VERIFIER_CONNECTING,
  CS_VERIFIER_LISTING,
  CS_VERIFIER_LOOKING_UP,
  CS_VERIFIER_SAVING,
  CS_VERIFIER_REPORTING,
} CsVerifierPhase;

/* The tracking messages of an item whose lookup failed (English, no
 * server text: they go to the CRM; the UI translates them). */
#define CS_LOOKUP_REASON_TIMEOUT        "API timeout"
#define CS_LOOKUP_REASON_UNREACHABLE    "Server unreachable"
#define CS_LOOKUP_REASON_SERVER         "Server error"
#define CS_LOOKUP_REASON_RATE_LIMITED   "Rate limited"
#define CS_LOOKUP_REASON_CIRCUIT_OPEN   "Service down (circuit open)"
#define CS_LOOKUP_REASON_REJECTED       "Key rejected"
#define CS_LOOKUP_REASON_INVALID_ANSWER "Invalid answer"
#define CS_LOOKUP_REASON_FAILED         "The lookup could not decide"

/* DESIGN.md: flagging more than this share of a window at once is more
 * likely a wrong account or an empty listing than a real mass failure. */
#define CS_VERIFIER_DEFAULT_ORPHAN_GUARD 0.2

/**
 * CsVerifyOptions:
 * @kind: what the run looks at
 * @window_start: the first start instant of the window
 * @window_end: the end of the window (exclusive)
 * @appointment_ids: (nullable) (element-type gint64): for a retry, the
 *   appointments to verify
 * @booking_uids: (nullable) (element-type utf8): for a retry, the
 *   unclaimed bookings to verify
 * @dry_run: read both sides and report, write nothing anywhere
 * @orphan_guard: the share of the window that may newly turn orphaned in one
 *   run before the run is held as suspect; 1.0 or more switches the guard
 *   off (the user confirmed a suspect run)
 */
typedef struct
{
  CsVerificationKind  kind;
  CsTime              window_start;
  CsTime              window_end;
  GArray             *appointment_ids;
  GPtrArray          *booking_uids;
  gboolean            dry_run;
  double              orphan_guard;
} CsVerifyOptions;

/**
 * CsVerifyIssue:
 * @appointment_id: the appointment, or 0 for a booking only in Cal.com
 * @number: (nullable): the appointment's number for people
 * @booking_uid: (nullable): the booking
 * @starts_at: the start, for ordering by urgency
 * @status: the sync status after the run
 * @error_code: the error code after the run
 * @message: (nullable): the error message, without customer data
 * @attempts: the attempt count
 * @requires_manual_review: flagged
 *
 * One appointment or booking that is not in order after a run.
 */
typedef struct
{
  gint64        appointment_id;
  char         *number;
  char         *booking_uid;
  CsTime        starts_at;
  CsSyncStatus  status;
  CsErrorCode   error_code;
  char         *message;
  guint         attempts;
  gboolean      requires_manual_review;
} CsVerifyIssue;

/**
 * CsVerifyReport:
 * @run: the run's record (counts per status, requests, duration, result)
 * @issues: (element-type CsVerifyIssue): what is not in order, after the run
 * @newly_flagged_appointments: (element-type CsAppointment): flagged by
 *   this run: the ones to notify about
 * @newly_flagged_bookings: (element-type CsBooking): likewise, bookings only
 *   in Cal.com
 * @next_due: the earliest automatic attempt the cache waits for after the
 *   run (any item's, not only those the run looked at), or %CS_TIME_UNSET
 *   (also for a dry run, which arms nothing)
 * @suspect: the orphan guard held the run back: nothing was flagged
 * @suspect_reason: (nullable): why, in words for the dashboard
 * @n_suspect_local: for a suspect run, the appointments it would newly have
 *   found missing in Cal.com
 * @n_suspect_calcom: for a suspect run, the bookings it would newly have
 *   found missing in the CRM
 * @n_window: appointments of the company in the window
 * @n_rejected: records the parsers refused
 * @n_foreign: rows of another company the CRM sent
 * @n_drifted_listings: listings (0, 1 or 2 sides) that kept moving while
 *   they were read, even when read again
 * @n_undecided: appointments and bookings those listings (or refused rows)
 *   left undecided: kept as the cache had them, no attempt counted
 */
typedef struct
{
  CsRunRecord *run;
  GPtrArray   *issues;
  GPtrArray   *newly_flagged_appointments;
  GPtrArray   *newly_flagged_bookings;
  CsTime       next_due;
  gboolean     suspect;
  char        *suspect_reason;
  guint        n_suspect_local;
  guint        n_suspect_calcom;
  guint        n_window;
  guint        n_rejected;
  guint        n_foreign;
  guint        n_drifted_listings;
  guint        n_undecided;
} CsVerifyReport;

void cs_verify_options_init (CsVerifyOptions *options);
void cs_verify_report_free  (CsVerifyReport  *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsVerifyReport, cs_verify_report_free)

#define CS_TYPE_VERIFIER (cs_verifier_get_type ())

G_DECLARE_FINAL_TYPE (CsVerifier, cs_verifier, CS, VERIFIER, GObject)

const char     *cs_verifier_failure_reason (const GError          *error);

CsVerifier     *cs_verifier_new          (CsStore                *store,
                                          CsCalcomClient         *calcom,
                                          CsBackendClient        *backend,
                                          CsClock                *clock);
gboolean        cs_verifier_get_running  (CsVerifier             *self);
gboolean        cs_verifier_get_scope    (CsVerifier             *self,
                                          GArray                **out_ids,
                                          GPtrArray             **out_uids);
CsVerifierPhase cs_verifier_get_phase    (CsVerifier             *self);
guint           cs_verifier_get_done     (CsVerifier             *self);
guint           cs_verifier_get_total    (CsVerifier             *self);
void            cs_verifier_set_time_limit (CsVerifier           *self,
                                            gint64                time_limit);
gint64          cs_verifier_get_time_limit (CsVerifier           *self);
void            cs_verifier_run_async    (CsVerifier             *self,
                                          const CsVerifyOptions  *options,
                                          GCancellable           *cancellable,
                                          GAsyncReadyCallback     callback,
                                          gpointer                user_data);
CsVerifyReport *cs_verifier_run_finish   (CsVerifier             *self,
                                          GAsyncResult           *result,
                                          GError                **error);

G_END_DECLS
