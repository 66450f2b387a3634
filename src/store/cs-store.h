/* cs-store.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cs-appointment.h"
#include "cs-booking.h"
#include "cs-store-types.h"
#include "cs-time.h"

G_BEGIN_DECLS

/* State kept under keys with this prefix is a person's (an action's): a
 * cache rebuilt after damage carries it over with the unsent outbox items
 * and audit entries, while everything else is filled again from the
 * servers. */
#define CS_STORE_STATE_CARRIED_PREFIX "actions."


#define CS_STORE_ERROR (cs_store_error_quark ())

/**
 * CsStoreError:
 * @CS_STORE_ERROR_REBUILT: the cache file was damaged or made by a newer
 *   Calsync; it was moved aside and a fresh cache was created
 * @CS_STORE_ERROR_IO: the disk is read-only or failing, or the folder or file
 *   cannot be created
 * @CS_STORE_ERROR_FAILED: any other failure, including refused rows
 * @CS_STORE_ERROR_NOT_FOUND: the requested row does not exist (for the
 *   current company)
 * @CS_STORE_ERROR_NO_COMPANY: no company is set with
 *   cs_store_set_company_id() yet
 * @CS_STORE_ERROR_DISK_FULL: the disk that holds the cache is full; what
 *   was being written was not kept, and what was there before is intact
 *
 * The errors of #CsStore. Their messages are written for people.
 */
typedef enum
{
  CS_STORE_ERROR_REBUILT,
  CS_STORE_ERROR_IO,
  CS_STORE_ERROR_FAILED,
  CS_STORE_ERROR_NOT_FOUND,
  CS_STORE_ERROR_NO_COMPANY,
  CS_STORE_ERROR_DISK_FULL,
} CsStoreError;

#define CS_TYPE_STORE (cs_store_get_type ())

G_DECLARE_FINAL_TYPE (CsStore, cs_store, CS, STORE, GObject)

GQuark          cs_store_error_quark               (void);

char           *cs_store_get_default_path          (void);
CsStore        *cs_store_open                      (const char          *path,
                                                    GError             **error);
const GError   *cs_store_get_recovery_error        (CsStore             *self);
const char     *cs_store_get_path                  (CsStore             *self);
void            cs_store_set_company_id            (CsStore             *self,
                                                    gint64               company_id);
gint64          cs_store_get_company_id            (CsStore             *self);

gboolean        cs_store_save_appointments         (CsStore             *self,
                                                    GPtrArray           *appointments,
                                                    GError             **error);
CsAppointment  *cs_store_get_appointment           (CsStore             *self,
                                                    gint64               id,
                                                    GError             **error);
GPtrArray      *cs_store_list_appointments         (CsStore             *self,
                                                    CsTime               starts_from,
                                                    CsTime               starts_before,
                                                    GError             **error);
gboolean        cs_store_get_next_due              (CsStore             *self,
                                                    CsTime               after,
                                                    CsTime              *out_due,
                                                    GError             **error);
GPtrArray      *cs_store_list_due_appointments     (CsStore             *self,
                                                    CsTime               now,
                                                    GError             **error);
gboolean        cs_store_delete_appointment        (CsStore             *self,
                                                    gint64               id,
                                                    GError             **error);
gboolean        cs_store_get_counts                (CsStore             *self,
                                                    CsStoreCounts       *out_counts,
                                                    GError             **error);
gboolean        cs_store_set_sync_diff             (CsStore             *self,
                                                    gint64               appointment_id,
                                                    const char          *json,
                                                    GError             **error);
gboolean        cs_store_get_sync_diff             (CsStore             *self,
                                                    gint64               appointment_id,
                                                    char               **out_json,
                                                    GError             **error);

gboolean        cs_store_save_bookings             (CsStore             *self,
                                                    GPtrArray           *bookings,
                                                    CsTime               seen_at,
                                                    GError             **error);
CsBooking      *cs_store_get_booking               (CsStore             *self,
                                                    const char          *uid,
                                                    GError             **error);
GPtrArray      *cs_store_list_bookings             (CsStore             *self,
                                                    CsTime               starts_from,
                                                    CsTime               starts_before,
                                                    GError             **error);
GPtrArray      *cs_store_list_due_bookings         (CsStore             *self,
                                                    CsTime               now,
                                                    GError             **error);
GPtrArray      *cs_store_list_flagged_bookings     (CsStore             *self,
                                                    GError             **error);

gboolean        cs_store_add_history_event         (CsStore             *self,
                                                    CsHistoryEvent      *event,
                                                    GError             **error);
GPtrArray      *cs_store_list_history              (CsStore             *self,
                                                    gint64               appointment_id,
                                                    GError             **error);

gboolean        cs_store_commit_run                (CsStore             *self,
                                                    CsRunRecord         *run,
                                                    GPtrArray           *appointments,
                                                    GPtrArray           *bookings,
                                                    GPtrArray           *events,
                                                    GError             **error);
GPtrArray      *cs_store_list_runs                 (CsStore             *self,
                                                    CsTime               since,
                                                    GError             **error);
CsRunRecord    *cs_store_get_last_run              (CsStore             *self,
                                                    GError             **error);

gboolean        cs_store_begin                     (CsStore             *self,
                                                    GError             **error);
gboolean        cs_store_commit                    (CsStore             *self,
                                                    GError             **error);
void            cs_store_rollback                  (CsStore             *self);

gboolean        cs_store_add_audit_entry           (CsStore             *self,
                                                    const CsAuditEntry  *entry,
                                                    GError             **error);
GPtrArray      *cs_store_list_unsent_audit_entries (CsStore             *self,
                                                    GError             **error);
gboolean        cs_store_mark_audit_entries_sent   (CsStore             *self,
                                                    const char * const  *keys,
                                                    CsTime               at,
                                                    GError             **error);
CsAuditEntry   *cs_store_get_audit_entry           (CsStore             *self,
                                                    const char          *key,
                                                    GError             **error);
GPtrArray      *cs_store_list_pending_audit        (CsStore             *self,
                                                    GError             **error);
gboolean        cs_store_settle_audit_entry        (CsStore             *self,
                                                    const char          *key,
                                                    const char          *result,
                                                    const char          *reason,
                                                    CsTime               settled_at,
                                                    gboolean            *out_settled,
                                                    GError             **error);

gboolean        cs_store_enqueue_outbox            (CsStore             *self,
                                                    CsOutboxItem        *item,
                                                    GError             **error);
GPtrArray      *cs_store_list_pending_outbox       (CsStore             *self,
                                                    CsTime               now,
                                                    GError             **error);
gboolean        cs_store_complete_outbox           (CsStore             *self,
                                                    gint64               id,
                                                    CsTime               at,
                                                    GError             **error);
gboolean        cs_store_fail_outbox               (CsStore             *self,
                                                    gint64               id,
                                                    const char          *error_message,
                                                    CsTime               next_attempt_at,
                                                    GError             **error);
gboolean        cs_store_count_pending_outbox      (CsStore             *self,
                                                    guint               *out_count,
                                                    GError             **error);
GPtrArray      *cs_store_list_outbox_for_audit     (CsStore             *self,
                                                    const char          *audit_key,
                                                    GError             **error);

gboolean        cs_store_set_state                 (CsStore             *self,
                                                    const char          *key,
                                                    const char          *value,
                                                    GError             **error);
gboolean        cs_store_get_state                 (CsStore             *self,
                                                    const char          *key,
                                                    char               **out_value,
                                                    GError             **error);
gboolean        cs_store_set_state_int64           (CsStore             *self,
                                                    const char          *key,
                                                    gint64               value,
                                                    GError             **error);
gboolean        cs_store_get_state_int64           (CsStore             *self,
                                                    const char          *key,
                                                    gint64               default_value,
                                                    gint64              *out_value,
                                                    GError             **error);

G_END_DECLS
