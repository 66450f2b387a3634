/* cs-store-types.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "cs-enums.h"
#include "cs-time.h"

G_BEGIN_DECLS

/* The kinds of verification run (`runs.kind`). */
#define CS_RUN_KIND_CYCLE         "cycle"
#define CS_RUN_KIND_COMPREHENSIVE "comprehensive"
#define CS_RUN_KIND_RETRY         "retry"
#define CS_RUN_KIND_MANUAL        "manual"

/* How a verification run ended (`runs.result`). */
#define CS_RUN_RESULT_OK          "ok"
#define CS_RUN_RESULT_FAILED      "failed"
#define CS_RUN_RESULT_SUSPECT     "suspect"
#define CS_RUN_RESULT_CANCELLED   "cancelled"

/* The usual kinds of history event (`history_events.kind`); the column
 * takes any short non-empty name, so later layers may add their own. */
#define CS_HISTORY_KIND_CREATED        "created"
#define CS_HISTORY_KIND_VERIFIED       "verified"
#define CS_HISTORY_KIND_ATTEMPT_FAILED "attempt_failed"
#define CS_HISTORY_KIND_FLAGGED        "flagged"
#define CS_HISTORY_KIND_RESOLVED       "resolved"
/* A check that found a problem without counting an attempt: the item was
 * not due yet, or is flagged (the count has stopped). */
#define CS_HISTORY_KIND_CHECKED        "checked"
/* A flagged item that a later check found in order again. */
#define CS_HISTORY_KIND_FLAG_CLEARED   "flag_cleared"

/* The remote services an outbox item goes to (`outbox.service`). */
#define CS_OUTBOX_SERVICE_CALCOM  "calcom"
#define CS_OUTBOX_SERVICE_BACKEND "backend"

#define CS_TYPE_HISTORY_EVENT (cs_history_event_get_type ())
#define CS_TYPE_RUN_RECORD    (cs_run_record_get_type ())
#define CS_TYPE_AUDIT_ENTRY   (cs_audit_entry_get_type ())
#define CS_TYPE_OUTBOX_ITEM   (cs_outbox_item_get_type ())
#define CS_TYPE_STORE_COUNTS  (cs_store_counts_get_type ())

/**
 * CsHistoryEvent:
 * @id: the row id, set by the store; 0 before the event is stored
 * @appointment_id: the CRM id of the appointment the event belongs to
 * @at: when it happened
 * @kind: a short name such as %CS_HISTORY_KIND_VERIFIED
 * @message: (nullable): a sentence for people, without customer data
 * @attempt: the verification attempt the event belongs to, or 0
 * @run_id: the verification run that wrote it, or 0
 *
 * One line of an appointment's history, shown in the review dialog.
 */
typedef struct
{
  gint64  id;
  gint64  appointment_id;
  CsTime  at;
  char   *kind;
  char   *message;
  guint   attempt;
  gint64  run_id;
} CsHistoryEvent;

/**
 * CsRunRecord:
 * @id: the row id, set by the store; 0 before the run is stored
 * @kind: one of %CS_RUN_KIND_CYCLE, %CS_RUN_KIND_COMPREHENSIVE,
 *   %CS_RUN_KIND_RETRY, %CS_RUN_KIND_MANUAL
 * @started_at: when the run started
 * @finished_at: when it ended, or %CS_TIME_UNSET
 * @counts: the number of appointments the run left in each #CsSyncStatus
 * @n_flagged: appointments the run flagged for manual review
 * @calcom_requests: requests the run sent to Cal.com
 * @backend_requests: requests the run sent to the backend
 * @duration_usec: how long it took, in microseconds
 * @result: one of %CS_RUN_RESULT_OK, %CS_RUN_RESULT_FAILED,
 *   %CS_RUN_RESULT_SUSPECT, %CS_RUN_RESULT_CANCELLED
 * @error_message: (nullable): why it failed, without customer data
 *
 * The figures of one verification run, for the metrics chart.
 */
typedef struct
{
  gint64  id;
  char   *kind;
  CsTime  started_at;
  CsTime  finished_at;
  guint   counts[CS_SYNC_STATUS_LAST + 1];
  guint   n_flagged;
  guint   calcom_requests;
  guint   backend_requests;
  gint64  duration_usec;
  char   *result;
  char   *error_message;
} CsRunRecord;

/**
 * CsAuditEntry:
 * @key: a UUID, unique per company; the backend ignores a key it has seen
 * @appointment_id: the CRM id of the appointment acted on
 * @action: the action's name, e.g. "create_in_calcom"
 * @result: %CS_AUDIT_RESULT_PENDING until the servers have answered the
 *   action's writes, then %CS_AUDIT_RESULT_OK or %CS_AUDIT_RESULT_FAILED
 * @note: (nullable): the note the person wrote
 * @performed_at: when the person acted
 * @performed_by: the CRM user id of the person
 * @uploaded_at: when the backend accepted the entry, or %CS_TIME_UNSET
 * @reason: (nullable): why a failed action failed, the server's words
 * @settled_at: when the result stopped being pending, or %CS_TIME_UNSET
 * @booking_uid: (nullable): the Cal.com booking acted on, if any
 *
 * One manual action (DESIGN.md §3), kept locally until the backend has it.
 * Only a settled entry goes to the backend: what it says is what happened.
 */
typedef struct
{
  char   *key;
  gint64  appointment_id;
  char   *action;
  char   *result;
  char   *note;
  CsTime  performed_at;
  gint64  performed_by;
  CsTime  uploaded_at;
  char   *reason;
  CsTime  settled_at;
  char   *booking_uid;
} CsAuditEntry;

/* The results of an audit entry. */
#define CS_AUDIT_RESULT_PENDING "pending"
#define CS_AUDIT_RESULT_OK      "ok"
#define CS_AUDIT_RESULT_FAILED  "failed"

/**
 * CsOutboxItem:
 * @id: the row id, set by the store; items are replayed in id order
 * @idempotency_key: a UUID sent as `Idempotency-Key` on every replay
 * @service: %CS_OUTBOX_SERVICE_CALCOM or %CS_OUTBOX_SERVICE_BACKEND
 * @method: the HTTP method: "POST", "PATCH", "PUT" or "DELETE"
 * @path: the request path below the service's base URL
 * @body: (nullable): the request body, JSON text
 * @appointment_id: the CRM id of the appointment concerned, or 0
 * @created_at: when the action was taken
 * @attempts: how many times sending it failed
 * @next_attempt_at: not to be sent before then, or %CS_TIME_UNSET for at once
 * @last_error: (nullable): why the last attempt failed
 * @done_at: when the server accepted it, or %CS_TIME_UNSET while pending
 * @kind: (nullable): what kind of write it is, the net layer's stored name
 *   (cs_write_kind_to_string()); it decides how the item is sent again
 * @booking_uid: (nullable): the Cal.com booking a cancel or reschedule is
 *   about, whose state is looked at before the write is sent again
 * @audit_key: (nullable): the key of the audit entry of the action this
 *   write belongs to; the entry is settled when all of them are answered
 *
 * A write that could not reach its server yet: a click is never lost.
 */
typedef struct
{
  gint64  id;
  char   *idempotency_key;
  char   *service;
  char   *method;
  char   *path;
  char   *body;
  gint64  appointment_id;
  CsTime  created_at;
  guint   attempts;
  CsTime  next_attempt_at;
  char   *last_error;
  CsTime  done_at;
  char   *kind;
  char   *booking_uid;
  char   *audit_key;
} CsOutboxItem;

/**
 * CsStoreCounts:
 * @by_status: the number of appointments in each #CsSyncStatus, plus the
 *   orphaned Cal.com bookings in %CS_SYNC_STATUS_ORPHANED_CALCOM
 * @needs_review: appointments and bookings flagged for manual review and
 *   not resolved
 * @retrying: problems (%CS_SYNC_STATUS_FAILED and both orphans) neither
 *   flagged nor resolved: the ones Calsync still retries on its own
 * @total: all appointments of the company, plus its orphaned Cal.com
 *   bookings
 *
 * The dashboard figures. An orphaned Cal.com booking (one no appointment
 * claims) counts like an appointment.
 */
typedef struct
{
  guint by_status[CS_SYNC_STATUS_LAST + 1];
  guint needs_review;
  guint retrying;
  guint total;
} CsStoreCounts;

GType           cs_history_event_get_type (void) G_GNUC_CONST;
CsHistoryEvent *cs_history_event_new      (gint64                appointment_id,
                                           CsTime                at,
                                           const char           *kind,
                                           const char           *message);
CsHistoryEvent *cs_history_event_copy     (const CsHistoryEvent *self);
void            cs_history_event_free     (CsHistoryEvent       *self);

GType           cs_run_record_get_type    (void) G_GNUC_CONST;
CsRunRecord    *cs_run_record_new         (const char           *kind,
                                           CsTime                started_at);
CsRunRecord    *cs_run_record_copy        (const CsRunRecord    *self);
void            cs_run_record_free        (CsRunRecord          *self);

GType           cs_audit_entry_get_type   (void) G_GNUC_CONST;
CsAuditEntry   *cs_audit_entry_new        (const char           *key,
                                           gint64                appointment_id,
                                           const char           *action,
                                           const char           *result,
                                           CsTime                performed_at,
                                           gint64                performed_by);
CsAuditEntry   *cs_audit_entry_copy       (const CsAuditEntry   *self);
void            cs_audit_entry_free       (CsAuditEntry         *self);

GType           cs_outbox_item_get_type   (void) G_GNUC_CONST;
CsOutboxItem   *cs_outbox_item_new        (const char           *idempotency_key,
                                           const char           *service,
                                           const char           *method,
                                           const char           *path,
                                           const char           *body,
                                           CsTime                created_at);
CsOutboxItem   *cs_outbox_item_copy       (const CsOutboxItem   *self);
void            cs_outbox_item_free       (CsOutboxItem         *self);

GType           cs_store_counts_get_type  (void) G_GNUC_CONST;
CsStoreCounts  *cs_store_counts_new       (void);
CsStoreCounts  *cs_store_counts_copy      (const CsStoreCounts  *self);
void            cs_store_counts_free      (CsStoreCounts        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsHistoryEvent, cs_history_event_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsRunRecord, cs_run_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsAuditEntry, cs_audit_entry_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsOutboxItem, cs_outbox_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsStoreCounts, cs_store_counts_free)

G_END_DECLS
