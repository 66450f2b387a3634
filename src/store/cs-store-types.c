/* cs-store-types.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-store-types.h"

G_DEFINE_BOXED_TYPE (CsHistoryEvent, cs_history_event, cs_history_event_copy, cs_history_event_free)
G_DEFINE_BOXED_TYPE (CsRunRecord, cs_run_record, cs_run_record_copy, cs_run_record_free)
G_DEFINE_BOXED_TYPE (CsAuditEntry, cs_audit_entry, cs_audit_entry_copy, cs_audit_entry_free)
G_DEFINE_BOXED_TYPE (CsOutboxItem, cs_outbox_item, cs_outbox_item_copy, cs_outbox_item_free)
G_DEFINE_BOXED_TYPE (CsStoreCounts, cs_store_counts, cs_store_counts_copy, cs_store_counts_free)

/**
 * cs_history_event_new:
 * @appointment_id: the CRM id of the appointment
 * @at: when it happened
 * @kind: a short name such as %CS_HISTORY_KIND_VERIFIED
 * @message: (nullable): a sentence for people, without customer data
 *
 * Returns: (transfer full): a new, not yet stored event
 */
CsHistoryEvent *
cs_history_event_new (gint64      appointment_id,
                      CsTime      at,
                      const char *kind,
                      const char *message)
{
  CsHistoryEvent *self = g_new0 (CsHistoryEvent, 1);

  self->appointment_id = appointment_id;
  self->at = at;
  self->kind = g_strdup (kind);
  self->message = g_strdup (message);

  return self;
}

/**
 * cs_history_event_copy:
 * @self: an event
 *
 * Returns: (transfer full): a deep copy of @self
 */
CsHistoryEvent *
cs_history_event_copy (const CsHistoryEvent *self)
{
  CsHistoryEvent *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new (CsHistoryEvent, 1);
  *copy = *self;
  copy->kind = g_strdup (self->kind);
  copy->message = g_strdup (self->message);

  return copy;
}

/**
 * cs_history_event_free:
 * @self: (nullable): an event
 */
void
cs_history_event_free (CsHistoryEvent *self)
{
  if (self == NULL)
    return;

  g_free (self->kind);
  g_free (self->message);
  g_free (self);
}

/**
 * cs_run_record_new:
 * @kind: one of the `CS_RUN_KIND_*` names
 * @started_at: when the run started
 *
 * Returns: (transfer full): a new run record with zero figures and the
 *   result %CS_RUN_RESULT_OK
 */
CsRunRecord *
cs_run_record_new (const char *kind,
                   CsTime      started_at)
{
  CsRunRecord *self = g_new0 (CsRunRecord, 1);

  self->kind = g_strdup (kind);
  self->started_at = started_at;
  self->result = g_strdup (CS_RUN_RESULT_OK);

  return self;
}

/**
 * cs_run_record_copy:
 * @self: a run record
 *
 * Returns: (transfer full): a deep copy of @self
 */
CsRunRecord *
cs_run_record_copy (const CsRunRecord *self)
{
  CsRunRecord *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new (CsRunRecord, 1);
  *copy = *self;
  copy->kind = g_strdup (self->kind);
  copy->result = g_strdup (self->result);
  copy->error_message = g_strdup (self->error_message);

  return copy;
}

/**
 * cs_run_record_free:
 * @self: (nullable): a run record
 */
void
cs_run_record_free (CsRunRecord *self)
{
  if (self == NULL)
    return;

  g_free (self->kind);
  g_free (self->result);
  g_free (self->error_message);
  g_free (self);
}

/**
 * cs_audit_entry_new:
 * @key: (nullable): the entry's UUID, or %NULL for a new random one
 * @appointment_id: the CRM id of the appointment acted on
 * @action: the action's name
 * @result: how it went
 * @performed_at: when the person acted
 * @performed_by: the CRM user id of the person
 *
 * Returns: (transfer full): a new, not yet uploaded audit entry
 */
CsAuditEntry *
cs_audit_entry_new (const char *key,
                    gint64      appointment_id,
                    const char *action,
                    const char *result,
                    CsTime      performed_at,
                    gint64      performed_by)
{
  CsAuditEntry *self = g_new0 (CsAuditEntry, 1);

  self->key = key != NULL ? g_strdup (key) : g_uuid_string_random ();
  self->appointment_id = appointment_id;
  self->action = g_strdup (action);
  self->result = g_strdup (result);
  self->performed_at = performed_at;
  self->performed_by = performed_by;
  self->uploaded_at = CS_TIME_UNSET;
  self->settled_at = CS_TIME_UNSET;

  return self;
}

/**
 * cs_audit_entry_copy:
 * @self: an audit entry
 *
 * Returns: (transfer full): a deep copy of @self
 */
CsAuditEntry *
cs_audit_entry_copy (const CsAuditEntry *self)
{
  CsAuditEntry *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new (CsAuditEntry, 1);
  *copy = *self;
  copy->key = g_strdup (self->key);
  copy->action = g_strdup (self->action);
  copy->result = g_strdup (self->result);
  copy->note = g_strdup (self->note);
  copy->reason = g_strdup (self->reason);
  copy->booking_uid = g_strdup (self->booking_uid);

  return copy;
}

/**
 * cs_audit_entry_free:
 * @self: (nullable): an audit entry
 */
void
cs_audit_entry_free (CsAuditEntry *self)
{
  if (self == NULL)
    return;

  g_free (self->key);
  g_free (self->action);
  g_free (self->result);
  g_free (self->note);
  g_free (self->reason);
  g_free (self->booking_uid);
  g_free (self);
}

/**
 * cs_outbox_item_new:
 * @idempotency_key: (nullable): the request's UUID, or %NULL for a new
 *   random one
 * @service: %CS_OUTBOX_SERVICE_CALCOM or %CS_OUTBOX_SERVICE_BACKEND
 * @method: the HTTP method
 * @path: the request path
 * @body: (nullable): the request body, JSON text
 * @created_at: when the action was taken
 *
 * Returns: (transfer full): a new, not yet enqueued outbox item
 */
CsOutboxItem *
cs_outbox_item_new (const char *idempotency_key,
                    const char *service,
                    const char *method,
                    const char *path,
                    const char *body,
                    CsTime      created_at)
{
  CsOutboxItem *self = g_new0 (CsOutboxItem, 1);

  self->idempotency_key = idempotency_key != NULL ? g_strdup (idempotency_key)
                                                  : g_uuid_string_random ();
  self->service = g_strdup (service);
  self->method = g_strdup (method);
  self->path = g_strdup (path);
  self->body = g_strdup (body);
  self->created_at = created_at;

  return self;
}

/**
 * cs_outbox_item_copy:
 * @self: an outbox item
 *
 * Returns: (transfer full): a deep copy of @self
 */
CsOutboxItem *
cs_outbox_item_copy (const CsOutboxItem *self)
{
  CsOutboxItem *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new (CsOutboxItem, 1);
  *copy = *self;
  copy->idempotency_key = g_strdup (self->idempotency_key);
  copy->service = g_strdup (self->service);
  copy->method = g_strdup (self->method);
  copy->path = g_strdup (self->path);
  copy->kind = g_strdup (self->kind);
  copy->booking_uid = g_strdup (self->booking_uid);
  copy->body = g_strdup (self->body);
  copy->last_error = g_strdup (self->last_error);
  copy->audit_key = g_strdup (self->audit_key);

  return copy;
}

/**
 * cs_outbox_item_free:
 * @self: (nullable): an outbox item
 */
void
cs_outbox_item_free (CsOutboxItem *self)
{
  if (self == NULL)
    return;

  g_free (self->idempotency_key);
  g_free (self->service);
  g_free (self->method);
  g_free (self->path);
  g_free (self->kind);
  g_free (self->booking_uid);
  g_free (self->body);
  g_free (self->last_error);
  g_free (self->audit_key);
  g_free (self);
}

/**
 * cs_store_counts_new:
 *
 * Returns: (transfer full): new counts, all zero
 */
CsStoreCounts *
cs_store_counts_new (void)
{
  return g_new0 (CsStoreCounts, 1);
}

/**
 * cs_store_counts_copy:
 * @self: counts
 *
 * Returns: (transfer full): a copy of @self
 */
CsStoreCounts *
cs_store_counts_copy (const CsStoreCounts *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_memdup2 (self, sizeof *self);
}

/**
 * cs_store_counts_free:
 * @self: (nullable): counts
 */
void
cs_store_counts_free (CsStoreCounts *self)
{
  g_free (self);
}
