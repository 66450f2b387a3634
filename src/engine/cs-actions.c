/* cs-actions.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "cs-actions.h"
#include "cs-backend-json.h"
#include "cs-calcom-json.h"
#include "cs-net-error.h"
#include "cs-write.h"

/**
 * CsActions:
 *
 * The resolution actions of the review dialog, the engine API and the CLI
 * (DESIGN.md §3). Each action, on one item:
 *
 * 1. is refused with %CS_ACTIONS_ERROR_FORBIDDEN unless `/me`'s role may act
 *    (the role is asked once and cached, in the store too: when the CRM
 *    cannot be reached the last role it named decides, so a click made
 *    while the CRM is down is kept, not lost);
 * 2. keeps, in one store transaction, the decision on the cached item (the
 *    resolution fields), a history event, its audit entry and its remote
 *    writes (outbox items that name the audit entry's key, each with its
 *    own idempotency key): a crash leaves all of it or none, and what is
 *    kept is finished by whichever process next reaches the server;
 * 3. the audit entry is `pending` while any of its writes waits, and
 *    settles once all are answered: `ok`, or `failed` with the server's
 *    reason (the decision is then taken back, so the problem shows again).
 *    An action without remote writes (mark as resolved, dismiss, snooze,
 *    undo, retry) is settled at once. Only a settled entry goes to
 *    `POST /api/v1/audit-log`, through the outbox with the entry's key as
 *    its idempotency key, so the CRM gets it once and never a result that
 *    may still change;
 * 4. waits for the outbox's flush and answers whether anything still waits
 *    ("Saved; it will be sent when the CRM answers again") or was refused
 *    by a server.
 *
 * Creating in Cal.com is made idempotent by the booking's metadata
 * (`crm_appointment_id`), since Cal.com knows no `Idempotency-Key`: before
 * every attempt, the first one and every replay, the bookings around the
 * appointment's start (± 1 day) are listed, and one that carries the
 * appointment's id is linked instead of booking a second one. The outbox
 * replays a stored request as it is and has no hook to list first, so a
 * replay of `POST /bookings` after a lost answer (booked, but the answer
 * never came) would book twice. These creates therefore do not go through
 * the outbox: each is kept in the store (state key
 * %CS_ACTIONS_STATE_CALCOM_CREATES, one line per appointment with its
 * attempts, next attempt and audit key) until Cal.com has it, and replayed
 * by cs_actions_resume_async() with the outbox's backoff, across restarts,
 * listing again before each attempt. Once booked (or found), the link to
 * the booking is a `PATCH` of the appointment through the outbox, part of
 * the same action: its audit entry settles when the CRM has the link.
 */

/* The store's state key of the Cal.com creates not done yet. */
#define CS_ACTIONS_STATE_CALCOM_CREATES "actions.calcom-creates"

/* The store's state key of the last role `/me` named: "<role> <user id>". */
#define CS_ACTIONS_STATE_ROLE "actions.role"

struct _CsActions
{
  GObject          parent_instance;

  /* Owned refs */
  CsStore         *store;
  CsOutbox        *outbox;
  CsCalcomClient  *calcom;
  CsBackendClient *backend;
  CsVerifier      *verifier;
  CsClock         *clock;

  /* Action key → Snapshot, for undo. */
  GHashTable      *undo;

  gulong           sent_handler;
  gulong           failed_handler;

  /* Cal.com creates (see "Creating in Cal.com" above): the appointments
   * whose create is on its way now, and the timer of the next replay. */
  GHashTable      *busy_creates;
  guint            wake_id;
  CsTime           wake_at;
  guint            resuming : 1;
  /* The resume_async() calls made while a replay ran: answered with it. */
  GPtrArray       *resume_waiters;

  CsRole           role;
  gint64           user_id;
  guint            role_known : 1;
};

G_DEFINE_FINAL_TYPE (CsActions, cs_actions, G_TYPE_OBJECT)

G_DEFINE_QUARK (cs-actions-error-quark, cs_actions_error)

G_DEFINE_BOXED_TYPE (CsActionResult, cs_action_result,
                     cs_action_result_copy, cs_action_result_free)

/* The bookings listed around an appointment's start to find one that
 * carries its id already. */
#define LINK_MARGIN (24 * CS_USEC_PER_HOUR)

static const char * const kind_names[] = {
  "retry",
  "create_in_calcom",
  "create_in_crm",
  "link",
  "use_database_values",
  "use_calcom_values",
  "mark_resolved",
  "dismiss",
  "snooze",
  "cancel",
};

G_STATIC_ASSERT (G_N_ELEMENTS (kind_names) == CS_ACTION_KIND_LAST + 1);

/* The resolution fields before a decision, for undo. */
typedef struct
{
  CsActionKind  kind;
  gint64        appointment_id;
  char         *booking_uid;
  gboolean      on_booking;
  char         *calcom_booking_uid;
  CsTime        resolved_at;
  gint64        resolved_by;
  char         *resolution;
  char         *resolution_note;
  CsTime        snoozed_until;
} Snapshot;

static void
snapshot_free (Snapshot *snapshot)
{
  g_free (snapshot->booking_uid);
  g_free (snapshot->calcom_booking_uid);
  g_free (snapshot->resolution);
  g_free (snapshot->resolution_note);
  g_free (snapshot);
}

/* A remote write of an action, kept with the rest of it. */
typedef struct
{
  CsWrite *write;
  char    *key;
} PlannedWrite;

static void
planned_write_free (PlannedWrite *planned)
{
  g_clear_pointer (&planned->write, cs_write_free);
  g_free (planned->key);
  g_free (planned);
}

/* One action on one item. */
typedef struct
{
  CsActionKind   kind;
  gint64         appointment_id;
  char          *booking_uid;
  char          *note;
  CsTime         snooze_until;
  char          *link_uid;
  gint64         link_id;
  char          *reason;

  CsAppointment *appointment;
  CsBooking     *booking;

  char          *key;
  GPtrArray     *writes;          /* PlannedWrite, kept by action_record() */
  char          *message;
  gboolean       is_undo;
  gboolean       create_waiting;
  gboolean       message_is_done; /* @message tells what has happened already */
  GError        *refusal;         /* answered after the flush, instead of a result */
  Snapshot      *restore;
} ActionData;

static void
action_data_free (ActionData *data)
{
  g_free (data->booking_uid);
  g_free (data->note);
  g_free (data->link_uid);
  g_free (data->reason);
  g_clear_pointer (&data->appointment, cs_appointment_free);
  g_clear_pointer (&data->booking, cs_booking_free);
  g_free (data->key);
  g_clear_pointer (&data->writes, g_ptr_array_unref);
  g_free (data->message);
  g_clear_error (&data->refusal);
  g_clear_pointer (&data->restore, snapshot_free);
  g_free (data);
}

static ActionData *
action_data_new (void)
{
  ActionData *data = g_new0 (ActionData, 1);

  data->snooze_until = CS_TIME_UNSET;
  data->writes = g_ptr_array_new_with_free_func ((GDestroyNotify) planned_write_free);

  return data;
}

/* Results, kinds, args */

/**
 * cs_action_result_copy:
 * @self: a result
 *
 * Returns: (transfer full): a deep copy of @self
 */
CsActionResult *
cs_action_result_copy (const CsActionResult *self)
{
  CsActionResult *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (CsActionResult, 1);
  copy->kind = self->kind;
  copy->appointment_id = self->appointment_id;
  copy->booking_uid = g_strdup (self->booking_uid);
  copy->key = g_strdup (self->key);
  copy->queued = self->queued;
  copy->message = g_strdup (self->message);
  copy->error = self->error != NULL ? g_error_copy (self->error) : NULL;

  return copy;
}

/**
 * cs_action_result_free:
 * @self: (nullable): a result
 *
 * Frees @self.
 */
void
cs_action_result_free (CsActionResult *self)
{
  if (self == NULL)
    return;

  g_free (self->booking_uid);
  g_free (self->key);
  g_free (self->message);
  g_clear_error (&self->error);
  g_free (self);
}

/**
 * cs_action_kind_to_string:
 * @kind: an action
 *
 * Returns: the action's name in audit entries, e.g. "create_in_calcom"
 */
const char *
cs_action_kind_to_string (CsActionKind kind)
{
  g_return_val_if_fail (kind <= CS_ACTION_KIND_LAST, NULL);

  return kind_names[kind];
}

/**
 * cs_action_kind_from_string:
 * @str: an action's name
 * @kind: (out): the action
 *
 * Returns: %TRUE if @str names an action
 */
gboolean
cs_action_kind_from_string (const char   *str,
                            CsActionKind *kind)
{
  g_return_val_if_fail (kind != NULL, FALSE);

  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (kind_names); i++)
    {
      if (g_str_equal (str, kind_names[i]))
        {
          *kind = (CsActionKind) i;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * cs_action_kind_is_local:
 * @kind: an action
 *
 * Returns: %TRUE for the decisions that write nothing to Cal.com or the
 *   CRM but their audit entry: mark as resolved, dismiss, snooze
 */
gboolean
cs_action_kind_is_local (CsActionKind kind)
{
  return kind == CS_ACTION_MARK_RESOLVED ||
         kind == CS_ACTION_DISMISS ||
         kind == CS_ACTION_SNOOZE;
}

/**
 * cs_action_args_init:
 * @args: arguments to clear
 *
 * Sets @args to "no arguments".
 */
void
cs_action_args_init (CsActionArgs *args)
{
  g_return_if_fail (args != NULL);

  memset (args, 0, sizeof *args);
  args->snooze_until = CS_TIME_UNSET;
}

/* The role */

/* The last role `/me` named, kept per company: when the CRM does not answer,
 * an action still knows who acts (the server checks the role again when
 * the writes arrive, and refuses them with 403 if it changed). */
static void
role_save (CsActions *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (cs_store_get_company_id (self->store) <= 0)
    return;

  text = g_strdup_printf ("%s %" G_GINT64_FORMAT, cs_role_to_string (self->role), self->user_id);
  if (!cs_store_set_state (self->store, CS_ACTIONS_STATE_ROLE, text, &error))
    g_warning ("Could not keep the CRM role: %s", error->message);
}

static gboolean
role_load (CsActions *self,
           CsRole    *role,
           gint64    *user_id)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) parts = NULL;

  if (cs_store_get_company_id (self->store) <= 0 ||
      !cs_store_get_state (self->store, CS_ACTIONS_STATE_ROLE, &text, NULL) ||
      text == NULL)
    return FALSE;

  parts = g_strsplit (text, " ", 2);
  if (g_strv_length (parts) != 2 || !cs_role_from_string (parts[0], role))
    return FALSE;

  *user_id = g_ascii_strtoll (parts[1], NULL, 10);
  return TRUE;
}

/* Cal.com creates, kept in the store until Cal.com has them */

typedef struct
{
  gint64  appointment_id;
  guint   attempts;
  CsTime  next_attempt_at;
  char   *key;              /* the action's audit key; %NULL in lines of older versions */
} Intent;

static void
intent_clear (Intent *intent)
{
  g_clear_pointer (&intent->key, g_free);
}

static GArray *
intents_load (CsActions *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GArray *intents = g_array_new (FALSE, FALSE, sizeof (Intent));

  g_array_set_clear_func (intents, (GDestroyNotify) intent_clear);

  /* What waits is stored per company: none before the first answer of
   * the CRM named it. */
  if (cs_store_get_company_id (self->store) <= 0)
    return intents;

  if (!cs_store_get_state (self->store, CS_ACTIONS_STATE_CALCOM_CREATES, &text, &error))
    {
      g_warning ("Could not read the Cal.com creates: %s", error->message);
      return intents;
    }

  lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      Intent intent = { 0 };
      gint64 next = 0;
      char key[64] = { 0 };
      int n;

      /* "id attempts next [key]": the key came with the truthful audit
       * log; older lines have none. */
      n = sscanf (lines[i], "%" G_GINT64_FORMAT " %u %" G_GINT64_FORMAT " %63s",
                  &intent.appointment_id, &intent.attempts, &next, key);
      if (n >= 3 && intent.appointment_id > 0)
        {
          intent.next_attempt_at = next;
          intent.key = n == 4 ? g_strdup (key) : NULL;
          g_array_append_val (intents, intent);
        }
    }

  return intents;
}

static gboolean
intents_save (CsActions  *self,
              GArray     *intents,
              GError    **error)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < intents->len; i++)
    {
      const Intent *intent = &g_array_index (intents, Intent, i);

      g_string_append_printf (text, "%" G_GINT64_FORMAT " %u %" G_GINT64_FORMAT,
                              intent->appointment_id, intent->attempts,
                              intent->next_attempt_at);
      if (intent->key != NULL)
        g_string_append_printf (text, " %s", intent->key);
      g_string_append_c (text, '\n');
    }

  return cs_store_set_state (self->store, CS_ACTIONS_STATE_CALCOM_CREATES, text->str, error);
}

/* Adds, replaces or (with @remove) drops the create of @appointment_id. */
static gboolean
intent_put (CsActions   *self,
            gint64       appointment_id,
            guint        attempts,
            CsTime       next_attempt_at,
            const char  *key,
            gboolean     remove,
            GError     **error)
{
  g_autoptr(GArray) intents = intents_load (self);

  for (guint i = 0; i < intents->len; i++)
    {
      if (g_array_index (intents, Intent, i).appointment_id == appointment_id)
        {
          g_array_remove_index (intents, i);
          break;
        }
    }

  if (!remove)
    {
      Intent intent = { appointment_id, attempts, next_attempt_at, g_strdup (key) };

      g_array_append_val (intents, intent);
    }

  return intents_save (self, intents, error);
}

/* The create of @appointment_id, if one waits; @out is cleared by the
 * caller. */
static gboolean
intent_find (CsActions *self,
             gint64     appointment_id,
             Intent    *out)
{
  g_autoptr(GArray) intents = intents_load (self);

  for (guint i = 0; i < intents->len; i++)
    {
      Intent *intent = &g_array_index (intents, Intent, i);

      if (intent->appointment_id == appointment_id)
        {
          *out = *intent;
          out->key = g_steal_pointer (&intent->key);
          return TRUE;
        }
    }

  return FALSE;
}

static gboolean
intent_has_key (CsActions  *self,
                const char *key)
{
  g_autoptr(GArray) intents = intents_load (self);

  for (guint i = 0; i < intents->len; i++)
    if (g_strcmp0 (g_array_index (intents, Intent, i).key, key) == 0)
      return TRUE;

  return FALSE;
}

/* The audit log */

/* The note the CRM gets: the person's, and for a failed action why, since
 * the contract's entry has no other member for it. English, like the
 * tracking messages; the reason is the one the person was shown. */
static char *
audit_note_for_crm (const CsAuditEntry *entry)
{
  if (g_strcmp0 (entry->result, CS_AUDIT_RESULT_FAILED) != 0 || entry->reason == NULL)
    return g_strdup (entry->note);

  if (entry->note == NULL || entry->note[0] == '\0')
    return g_strdup_printf ("Failed: %s", entry->reason);

  return g_strdup_printf ("%s\nFailed: %s", entry->note, entry->reason);
}

/* Keeps the upload of a settled @entry, inside the caller's transaction.
 * The entry's key is also the write's idempotency key: the CRM takes it
 * once however often it is sent. */
static gboolean
audit_keep_upload (CsActions           *self,
                   const CsAuditEntry  *entry,
                   GError             **error)
{
  g_autoptr(CsWrite) write = NULL;
  g_autofree char *note = audit_note_for_crm (entry);
  CsBackendAuditEntry remote = { NULL };

  remote.key = entry->key;
  remote.appointment_id = entry->appointment_id;
  remote.action = entry->action;
  remote.result = entry->result;
  remote.note = note;
  remote.performed_at = entry->performed_at;
  remote.performed_by = entry->performed_by;

  write = cs_write_backend_audit_log (&remote, 1);
  write->appointment_id = entry->appointment_id;

  return cs_outbox_keep_write (self->outbox, write, entry->key, entry->key, error) != 0;
}

/* A failed action takes back its decision, so the problem shows for
 * review again; a later decision of another action is left alone. */
static void
audit_take_back (CsActions          *self,
                 const CsAuditEntry *entry)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(CsAppointment) appointment = NULL;
  g_autoptr(CsBooking) booking = NULL;
  CsTime now = cs_clock_get_now (self->clock);

  if (entry->appointment_id > 0)
    {
      g_autoptr(CsHistoryEvent) event = NULL;
      g_autofree char *message = NULL;

      appointment = cs_store_get_appointment (self->store, entry->appointment_id, NULL);
      if (appointment != NULL && g_strcmp0 (appointment->resolution, entry->action) == 0 &&
          appointment->resolved_at == entry->performed_at)
        {
          appointment->resolved_at = CS_TIME_UNSET;
          appointment->resolved_by = 0;
          g_clear_pointer (&appointment->resolution, g_free);
          g_clear_pointer (&appointment->resolution_note, g_free);
          g_ptr_array_add (rows, appointment);
          if (!cs_store_save_appointments (self->store, rows, &error))
            g_warning ("Could not take back a failed decision: %s", error->message);
          g_clear_error (&error);
        }

      /* Translators: %s is the server's reason, e.g. "Cal.com refused the
       * booking: …". */
      message = g_strdup_printf (_("It could not be done: %s"), entry->reason);
      event = cs_history_event_new (entry->appointment_id, now, entry->action, message);
      if (appointment != NULL && !cs_store_add_history_event (self->store, event, &error))
        g_warning ("Could not add a history event: %s", error->message);
    }
  else if (entry->booking_uid != NULL)
    {
      booking = cs_store_get_booking (self->store, entry->booking_uid, NULL);
      if (booking != NULL && g_strcmp0 (booking->resolution, entry->action) == 0 &&
          booking->resolved_at == entry->performed_at)
        {
          booking->resolved_at = CS_TIME_UNSET;
          booking->resolved_by = 0;
          g_clear_pointer (&booking->resolution, g_free);
          g_clear_pointer (&booking->resolution_note, g_free);
          g_ptr_array_add (rows, booking);
          if (!cs_store_save_bookings (self->store, rows, now, &error))
            g_warning ("Could not take back a failed decision: %s", error->message);
        }
    }
}

/* Settles the audit entry @key if its action is over, inside the caller's
 * transaction: no create waits for Cal.com and every write has its answer.
 * Then it is `failed` with the first refusal's reason, or `ok`; @failure
 * forces `failed` (Cal.com refused a create, which is no outbox item). A
 * settled entry is kept for the upload. Returns %FALSE only on a store
 * error. */
static gboolean
audit_settle_locked (CsActions   *self,
                     const char  *key,
                     const char  *failure,
                     GError     **error)
{
  g_autoptr(CsAuditEntry) entry = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *reason = failure;
  gboolean settled = FALSE;
  CsTime now = cs_clock_get_now (self->clock);

  entry = cs_store_get_audit_entry (self->store, key, &local_error);
  if (entry == NULL)
    {
      /* A write kept by an older version, or of an entry moved aside. */
      g_debug ("No audit entry to settle: %s", local_error->message);
      return TRUE;
    }

  if (g_strcmp0 (entry->result, CS_AUDIT_RESULT_PENDING) != 0)
    return TRUE;

  if (failure == NULL)
    {
      if (intent_has_key (self, key))
        return TRUE;

      items = cs_store_list_outbox_for_audit (self->store, key, error);
      if (items == NULL)
        return FALSE;

      for (guint i = 0; i < items->len; i++)
        {
          const CsOutboxItem *item = g_ptr_array_index (items, i);

          if (g_strcmp0 (item->kind, cs_write_kind_to_string (CS_WRITE_BACKEND_AUDIT_LOG)) == 0)
            continue;
          if (item->done_at == CS_TIME_UNSET)
            return TRUE;
          if (reason == NULL && cs_outbox_item_is_failed (item))
            reason = item->last_error;
        }
    }

  if (!cs_store_settle_audit_entry (self->store, key,
                                    reason != NULL ? CS_AUDIT_RESULT_FAILED : CS_AUDIT_RESULT_OK,
                                    reason, now, &settled, error))
    return FALSE;

  if (!settled)
    return TRUE;

  g_free (entry->result);
  entry->result = g_strdup (reason != NULL ? CS_AUDIT_RESULT_FAILED : CS_AUDIT_RESULT_OK);
  entry->reason = g_strdup (reason);
  entry->settled_at = now;

  g_debug ("Audit entry of %s for %" G_GINT64_FORMAT ": %s", entry->action, entry->appointment_id,
           entry->result);

  if (reason != NULL)
    audit_take_back (self, entry);

  return audit_keep_upload (self, entry, error);
}

/* audit_settle_locked() in a transaction of its own, then sent. */
static void
audit_settle (CsActions  *self,
              const char *key,
              const char *failure)
{
  g_autoptr(GError) error = NULL;

  if (!cs_store_begin (self->store, &error))
    {
      g_warning ("Could not settle an audit entry: %s", error->message);
      return;
    }

  if (!audit_settle_locked (self, key, failure, &error))
    {
      cs_store_rollback (self->store);
      g_warning ("Could not settle an audit entry: %s", error->message);
      return;
    }

  if (!cs_store_commit (self->store, &error))
    {
      g_warning ("Could not settle an audit entry: %s", error->message);
      return;
    }

  cs_outbox_flush (self->outbox);
}

static gboolean is_audit_upload (const CsOutboxItem *item);

/* Settled entries whose upload the CRM answered, but not marked sent: a
 * process that ended between the outbox's record of the answer and the
 * mark (a crash, a kill) leaves them so, and nothing would send them
 * again. They are marked here, at the time of the answer. */
static void
audit_recover_uploads (CsActions *self)
{
  g_autoptr(GPtrArray) unsent = NULL;
  g_autoptr(GError) error = NULL;

  unsent = cs_store_list_unsent_audit_entries (self->store, &error);
  if (unsent == NULL)
    {
      g_warning ("Could not read the unsent audit entries: %s", error->message);
      return;
    }

  for (guint i = 0; i < unsent->len; i++)
    {
      const CsAuditEntry *entry = g_ptr_array_index (unsent, i);
      g_autoptr(GPtrArray) items = NULL;

      if (g_strcmp0 (entry->result, CS_AUDIT_RESULT_PENDING) == 0)
        continue;

      items = cs_store_list_outbox_for_audit (self->store, entry->key, &error);
      if (items == NULL)
        {
          g_warning ("Could not read the upload of an audit entry: %s", error->message);
          g_clear_error (&error);
          continue;
        }

      for (guint j = 0; j < items->len; j++)
        {
          const CsOutboxItem *item = g_ptr_array_index (items, j);
          const char *keys[2] = { entry->key, NULL };

          if (!is_audit_upload (item) || g_strcmp0 (item->idempotency_key, entry->key) != 0 ||
              item->done_at == CS_TIME_UNSET || cs_outbox_item_is_failed (item))
            continue;

          g_debug ("Marking an audit entry sent whose upload was answered before a crash");
          if (!cs_store_mark_audit_entries_sent (self->store, keys, item->done_at, &error))
            {
              g_warning ("Could not mark an audit entry sent: %s", error->message);
              g_clear_error (&error);
            }
          break;
        }
    }
}

/* Entries still pending whose writes were all answered: a process that
 * ended between the last answer and the settling (a crash, a kill)
 * leaves them so. Their next process settles them here, and marks sent
 * those whose upload was answered (audit_recover_uploads()). */
static void
audit_recover (CsActions *self)
{
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GError) error = NULL;

  if (cs_store_get_company_id (self->store) <= 0)
    return;

  pending = cs_store_list_pending_audit (self->store, &error);
  if (pending == NULL)
    {
      g_warning ("Could not read the pending audit entries: %s", error->message);
      return;
    }

  for (guint i = 0; i < pending->len; i++)
    audit_settle (self, ((CsAuditEntry *) g_ptr_array_index (pending, i))->key, NULL);

  audit_recover_uploads (self);
}

/* Outbox signals */

/* Cal.com moved a booking: the appointment follows the new uid, in the
 * cache at once and in the CRM through the outbox, as part of the action
 * that moved it (a check that comes first follows `rescheduledToUid` by
 * itself). */
static void
follow_reschedule (CsActions          *self,
                   const CsOutboxItem *item,
                   const char         *new_uid)
{
  g_autoptr(CsAppointment) appointment = NULL;
  g_autoptr(CsWrite) write = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  if (item->appointment_id <= 0)
    return;

  appointment = cs_store_get_appointment (self->store, item->appointment_id, &error);
  if (appointment == NULL)
    {
      g_debug ("Reschedule of appointment %" G_GINT64_FORMAT ": not in the cache: %s",
               item->appointment_id, error->message);
      return;
    }

  /* Only a link still naming the booking that was moved. */
  if (g_strcmp0 (appointment->calcom_booking_uid, item->booking_uid) != 0)
    return;

  g_free (appointment->calcom_booking_uid);
  appointment->calcom_booking_uid = g_strdup (new_uid);
  g_ptr_array_add (rows, appointment);
  write = cs_write_backend_update_appointment (item->appointment_id, CS_TIME_UNSET,
                                               CS_TIME_UNSET, NULL, new_uid);
  write->appointment_id = item->appointment_id;

  if (!cs_store_begin (self->store, &error))
    {
      g_warning ("Could not keep the new booking of appointment %" G_GINT64_FORMAT ": %s",
                 item->appointment_id, error->message);
      return;
    }

  if (!cs_store_save_appointments (self->store, rows, &error) ||
      cs_outbox_keep_write (self->outbox, write, NULL, item->audit_key, &error) == 0)
    {
      cs_store_rollback (self->store);
      g_warning ("Could not keep the new booking of appointment %" G_GINT64_FORMAT ": %s",
                 item->appointment_id, error->message);
      return;
    }

  if (!cs_store_commit (self->store, &error))
    g_warning ("Could not keep the new booking of appointment %" G_GINT64_FORMAT ": %s",
               item->appointment_id, error->message);

  cs_outbox_flush (self->outbox);
}

static gboolean
is_audit_upload (const CsOutboxItem *item)
{
  return g_strcmp0 (item->kind, cs_write_kind_to_string (CS_WRITE_BACKEND_AUDIT_LOG)) == 0;
}

static void
outbox_item_sent_cb (CsOutbox     *outbox,
                     CsOutboxItem *item,
                     const char   *result_uid,
                     CsActions    *self)
{
  g_autoptr(GError) error = NULL;
  const char *keys[2] = { NULL, NULL };

  g_assert (CS_IS_ACTIONS (self));

  if (g_strcmp0 (item->kind, cs_write_kind_to_string (CS_WRITE_CALCOM_RESCHEDULE_BOOKING)) == 0 &&
      result_uid != NULL)
    follow_reschedule (self, item, result_uid);

  if (is_audit_upload (item))
    {
      /* The outbox item of an audit entry carries the entry's key. */
      keys[0] = item->idempotency_key;
      if (!cs_store_mark_audit_entries_sent (self->store, keys, item->done_at, &error))
        g_warning ("Could not mark an audit entry sent: %s", error->message);
      return;
    }

  if (item->audit_key != NULL)
    audit_settle (self, item->audit_key, NULL);
}

static void
outbox_item_failed_cb (CsOutbox     *outbox,
                       CsOutboxItem *item,
                       const GError *error,
                       CsActions    *self)
{
  g_assert (CS_IS_ACTIONS (self));

  /* A refused write settles its action as failed, with the reason. */
  if (!is_audit_upload (item) && item->audit_key != NULL)
    audit_settle (self, item->audit_key, NULL);
}

/* Keeping and completing an action */

/* Plans @write (taken) as part of the action: action_record() keeps it
 * with the rest. */
static gboolean
action_enqueue (CsActions   *self,
                ActionData  *data,
                CsWrite     *write,
                const char  *key,
                GError     **error)
{
  PlannedWrite *planned = g_new0 (PlannedWrite, 1);

  if (write->appointment_id == 0)
    write->appointment_id = data->appointment_id;

  planned->write = write;
  planned->key = g_strdup (key);
  g_ptr_array_add (data->writes, planned);

  return TRUE;
}

static void
take_snapshot (ActionData *data)
{
  Snapshot *snapshot = g_new0 (Snapshot, 1);

  snapshot->kind = data->kind;
  snapshot->appointment_id = data->appointment_id;
  snapshot->booking_uid = g_strdup (data->booking_uid);

  if (data->appointment != NULL)
    {
      snapshot->calcom_booking_uid = g_strdup (data->appointment->calcom_booking_uid);
      snapshot->resolved_at = data->appointment->resolved_at;
      snapshot->resolved_by = data->appointment->resolved_by;
      snapshot->resolution = g_strdup (data->appointment->resolution);
      snapshot->resolution_note = g_strdup (data->appointment->resolution_note);
      snapshot->snoozed_until = data->appointment->snoozed_until;
    }
  else
    {
      snapshot->on_booking = TRUE;
      snapshot->resolved_at = data->booking->resolved_at;
      snapshot->resolved_by = data->booking->resolved_by;
      snapshot->resolution = g_strdup (data->booking->resolution);
      snapshot->resolution_note = g_strdup (data->booking->resolution_note);
      snapshot->snoozed_until = data->booking->snoozed_until;
    }

  data->restore = snapshot;
}

/* Sets the resolution fields of the item acted on, from @snapshot (undo) or
 * from the action (everything but retry). */
static gboolean
action_save_decision (CsActions   *self,
                      ActionData  *data,
                      GError     **error)
{
  CsTime now = cs_clock_get_now (self->clock);
  const char *resolution = cs_action_kind_to_string (data->kind);
  Snapshot *old = data->is_undo ? data->restore : NULL;
  CsTime *resolved_at;
  gint64 *resolved_by;
  char **res, **note;
  CsTime *snoozed_until;

  if (data->kind == CS_ACTION_RETRY && !data->is_undo)
    return TRUE;

  if (data->appointment != NULL)
    {
      resolved_at = &data->appointment->resolved_at;
      resolved_by = &data->appointment->resolved_by;
      res = &data->appointment->resolution;
      note = &data->appointment->resolution_note;
      snoozed_until = &data->appointment->snoozed_until;
    }
  else
    {
      resolved_at = &data->booking->resolved_at;
      resolved_by = &data->booking->resolved_by;
      res = &data->booking->resolution;
      note = &data->booking->resolution_note;
      snoozed_until = &data->booking->snoozed_until;
    }

  if (!data->is_undo && data->restore == NULL)
    take_snapshot (data);

  g_free (*res);
  g_free (*note);
  if (old != NULL)
    {
      *resolved_at = old->resolved_at;
      *resolved_by = old->resolved_by;
      *res = g_strdup (old->resolution);
      *note = g_strdup (old->resolution_note);
      *snoozed_until = old->snoozed_until;
      if (data->appointment != NULL && old->kind == CS_ACTION_LINK)
        {
          g_free (data->appointment->calcom_booking_uid);
          data->appointment->calcom_booking_uid = g_strdup (old->calcom_booking_uid);
        }
    }
  else
    {
      *resolved_at = now;
      *resolved_by = self->user_id;
      *res = g_strdup (resolution);
      *note = g_strdup (data->note);
      *snoozed_until = data->kind == CS_ACTION_SNOOZE ? data->snooze_until : CS_TIME_UNSET;
    }

  if (data->appointment != NULL)
    {
      g_autoptr(GPtrArray) rows = g_ptr_array_new ();

      g_ptr_array_add (rows, data->appointment);
      return cs_store_save_appointments (self->store, rows, error);
    }
  else
    {
      g_autoptr(GPtrArray) rows = g_ptr_array_new ();

      g_ptr_array_add (rows, data->booking);
      return cs_store_save_bookings (self->store, rows, now, error);
    }
}


/* Keeps the whole action at once (see #CsActions): the decision, a history
 * event, the audit entry, the action's writes and, with @create, the create
 * in Cal.com to replay. @result is the entry's: %CS_AUDIT_RESULT_PENDING
 * while writes wait for their servers; otherwise the entry is settled now
 * (with @reason if it failed, and then no decision is kept) and its upload
 * is kept too. Nothing is sent before it is all committed. */
static gboolean
action_record (CsActions   *self,
               ActionData  *data,
               const char  *result,
               const char  *reason,
               gboolean     create,
               GError     **error)
{
  g_autoptr(CsAuditEntry) entry = NULL;
  g_autoptr(GError) history_error = NULL;
  gboolean pending = g_strcmp0 (result, CS_AUDIT_RESULT_PENDING) == 0;
  gboolean failed = g_strcmp0 (result, CS_AUDIT_RESULT_FAILED) == 0;
  CsTime now = cs_clock_get_now (self->clock);
  const char *action;

  action = data->is_undo ? CS_ACTION_UNDO_NAME : cs_action_kind_to_string (data->kind);
  entry = cs_audit_entry_new (data->key, data->appointment_id, action, result, now, self->user_id);
  entry->note = g_strdup (data->note);
  entry->booking_uid = g_strdup (data->booking_uid);
  if (!pending)
    {
      entry->reason = g_strdup (reason);
      entry->settled_at = now;
    }

  if (!cs_store_begin (self->store, error))
    return FALSE;

  if (!failed && !action_save_decision (self, data, error))
    goto fail;

  if (data->appointment_id != 0)
    {
      g_autoptr(CsHistoryEvent) event = NULL;

      event = cs_history_event_new (data->appointment_id, now, action,
                                    failed ? reason : data->message);
      if (!cs_store_add_history_event (self->store, event, &history_error))
        g_warning ("Could not add a history event: %s", history_error->message);
    }

  if (!cs_store_add_audit_entry (self->store, entry, error))
    goto fail;

  for (guint i = 0; i < data->writes->len; i++)
    {
      PlannedWrite *planned = g_ptr_array_index (data->writes, i);

      if (cs_outbox_keep_write (self->outbox, planned->write, planned->key, data->key, error) == 0)
        goto fail;
    }

  if (create &&
      !intent_put (self, data->appointment_id, 0, CS_TIME_UNSET, data->key, FALSE, error))
    goto fail;

  if (!pending && !audit_keep_upload (self, entry, error))
    goto fail;

  return cs_store_commit (self->store, error);

fail:
  cs_store_rollback (self->store);
  return FALSE;
}

static CsActionResult *
action_result_new (ActionData *data)
{
  CsActionResult *result = g_new0 (CsActionResult, 1);

  result->kind = data->kind;
  result->appointment_id = data->appointment_id;
  result->booking_uid = g_strdup (data->booking_uid);
  result->key = g_strdup (data->key);

  return result;
}

/* What the person reads of an action that waits for a server. */
static const char *
saved_sentence (gboolean calcom,
                gboolean crm)
{
  if (calcom && crm)
    return _("Saved; it will be sent when Cal.com and the CRM answer again.");
  if (calcom)
    return _("Saved; it will be sent when Cal.com answers again.");
  return _("Saved; it will be sent when the CRM answers again.");
}

static void
action_flush_cb (GObject      *object,
                 GAsyncResult *res,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CsActionResult) result = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  CsActions *self = g_task_get_source_object (task);
  ActionData *data = g_task_get_task_data (task);
  gboolean calcom_waits = data->create_waiting;
  gboolean crm_waits = FALSE;

  g_assert (CS_IS_ACTIONS (self));

  /* A cancelled wait leaves the writes in the outbox: that is "queued". */
  cs_outbox_flush_finish (CS_OUTBOX (object), res, NULL);

  if (data->refusal != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&data->refusal));
      return;
    }

  result = action_result_new (data);
  result->message = g_strdup (data->message);

  /* The action's writes (its audit upload included) as the store has them
   * now: sent, waiting, or refused for good. */
  items = cs_store_list_outbox_for_audit (self->store, data->key, &error);
  if (items == NULL)
    g_warning ("Could not read the outbox: %s", error->message);

  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      const CsOutboxItem *item = g_ptr_array_index (items, i);

      if (item->done_at == CS_TIME_UNSET)
        {
          if (g_strcmp0 (item->service, CS_OUTBOX_SERVICE_CALCOM) == 0)
            calcom_waits = TRUE;
          else
            crm_waits = TRUE;
        }
      else if (cs_outbox_item_is_failed (item) && !is_audit_upload (item) &&
               result->error == NULL)
        result->error = g_error_new (CS_ACTIONS_ERROR, CS_ACTIONS_ERROR_REFUSED,
                                     _("The server refused the change: %s"),
                                     item->last_error);
    }

  result->queued = calcom_waits || crm_waits;

  /* Nothing says done before the server has it: a waiting action says
   * only what is done already (a local decision, a booking made) and that
   * the rest is kept. */
  if (result->queued && result->error == NULL)
    {
      g_free (result->message);
      if (data->message_is_done && data->message != NULL)
        /* Translators: what the action did, then that the rest waits, e.g.
         * "Marked as resolved. Saved; it will be sent when the CRM answers
         * again." */
        result->message = g_strdup_printf (_("%s %s"), data->message,
                                           saved_sentence (calcom_waits, crm_waits));
      else
        result->message = g_strdup (saved_sentence (calcom_waits, crm_waits));
    }

  g_task_return_pointer (task, g_steal_pointer (&result), (GDestroyNotify) cs_action_result_free);
}

/* The end of every action that was kept: undo is offered, then the flush
 * whose outcome the result reports. Takes @owned_task. */
static void
action_finish (GTask *owned_task)
{
  g_autoptr(GTask) task = owned_task;
  CsActions *self = g_task_get_source_object (task);
  ActionData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (data->restore != NULL && !data->is_undo &&
      (cs_action_kind_is_local (data->kind) || data->kind == CS_ACTION_LINK))
    g_hash_table_insert (self->undo, g_strdup (data->key), g_steal_pointer (&data->restore));

  cs_outbox_flush_async (self->outbox, cancellable, action_flush_cb, g_steal_pointer (&task));
}

/* Keeps an action whose effect is its own (a local decision, an undo, a
 * retry that checked) or whose writes now wait in the outbox, then
 * finishes it. Takes @owned_task. */
static void
action_complete (GTask *owned_task)
{
  g_autoptr(GTask) task = owned_task;
  g_autoptr(GError) error = NULL;
  CsActions *self = g_task_get_source_object (task);
  ActionData *data = g_task_get_task_data (task);
  gboolean pending = data->writes->len > 0;

  /* Without remote writes the action is done once it is kept. */
  data->message_is_done = !pending;

  if (!action_record (self, data, pending ? CS_AUDIT_RESULT_PENDING : CS_AUDIT_RESULT_OK, NULL,
                      FALSE, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  action_finish (g_steal_pointer (&task));
}

/* The actions */

static void
action_return_error (GTask      *task,
                     gint        code,
                     const char *message)
{
  g_task_return_new_error (task, CS_ACTIONS_ERROR, code, "%s", message);
}

static void
retry_cb (GObject      *object,
          GAsyncResult *res,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;
  CsActions *self = g_task_get_source_object (task);
  ActionData *data = g_task_get_task_data (task);

  report = cs_verifier_run_finish (CS_VERIFIER (object), res, &error);
  if (report == NULL)
    {
      g_autoptr(GError) record_error = NULL;

      /* The check is the action's only effect: it failed, and the audit
       * log says so (the schedule's retries check again on their own). */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          if (action_record (self, data, CS_AUDIT_RESULT_FAILED, error->message, FALSE,
                             &record_error))
            cs_outbox_flush (self->outbox);
          else
            g_debug ("The failed retry is not in the audit log: %s", record_error->message);
        }

      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data->message = g_strdup (report->issues->len == 0
                            ? _("Verified again: both sides agree now.")
                            : _("Verified again: the problem is still there."));
  action_complete (g_steal_pointer (&task));
}

static void
run_retry (GTask *task)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) uids = g_ptr_array_new_with_free_func (g_free);
  CsActions *self = g_task_get_source_object (task);
  ActionData *data = g_task_get_task_data (task);
  CsVerifyOptions options;
  CsTime now = cs_clock_get_now (self->clock);

  cs_verify_options_init (&options);
  options.kind = CS_VERIFICATION_RETRY;
  options.window_start = now - 30 * CS_USEC_PER_DAY;
  options.window_end = now + 90 * CS_USEC_PER_DAY;
  if (data->appointment_id != 0)
    g_array_append_val (ids, data->appointment_id);
  else if (data->booking_uid != NULL)
    g_ptr_array_add (uids, g_strdup (data->booking_uid));
  options.appointment_ids = ids;
  options.booking_uids = uids;

  cs_verifier_run_async (self->verifier, &options, g_task_get_cancellable (task),
                         retry_cb, g_object_ref (task));
}

static gboolean
enqueue_link (CsActions   *self,
              ActionData  *data,
              const char  *uid,
              GError     **error)
{
  g_autofree char *key = g_uuid_string_random ();

  return action_enqueue (self, data,
                         cs_write_backend_update_appointment (data->appointment_id, CS_TIME_UNSET,
                                                              CS_TIME_UNSET, NULL, uid),
                         key, error);
}

static void actions_schedule_wake (CsActions *self);

/* What one attempt of a create did. */
typedef enum
{
  CREATE_LINKED,
  CREATE_BOOKED,
  CREATE_WAITING,
} CreateOutcome;

typedef struct
{
  CsAppointment *appointment;
  CreateOutcome  outcome;
  char          *uid;
  Intent         intent;    /* as kept: attempts and the action's audit key */
} CreateOp;

static void
create_op_free (CreateOp *op)
{
  g_clear_pointer (&op->appointment, cs_appointment_free);
  g_free (op->uid);
  intent_clear (&op->intent);
  g_free (op);
}

static void
create_op_return (GTask         *task,
                  CreateOutcome  outcome,
                  GError        *error)
{
  CsActions *self = g_task_get_source_object (task);
  CreateOp *op = g_task_get_task_data (task);
  gint64 id = op->appointment->id;

  g_hash_table_remove (self->busy_creates, &id);

  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  op->outcome = outcome;
  g_task_return_boolean (task, TRUE);
}

/* A retryable failure: the create waits for its backoff. */
static void
create_op_wait (GTask        *task,
                const GError *error)
{
  g_autoptr(GError) store_error = NULL;
  CsActions *self = g_task_get_source_object (task);
  CreateOp *op = g_task_get_task_data (task);
  guint attempts = op->intent.attempts + 1;
  CsTime next = cs_clock_get_now (self->clock) + cs_outbox_get_backoff (attempts);

  g_debug ("Create in Cal.com for %" G_GINT64_FORMAT ": attempt %u failed (%s %d), "
           "waiting", op->appointment->id, attempts,
           g_quark_to_string (error->domain), error->code);

  if (!intent_put (self, op->appointment->id, attempts, next, op->intent.key, FALSE,
                   &store_error))
    g_warning ("Could not update the Cal.com creates: %s", store_error->message);
  actions_schedule_wake (self);
  create_op_return (task, CREATE_WAITING, NULL);
}

/* Cal.com has the booking: the create is done, the CRM gets the link as
 * part of the same action. One transaction: a crash leaves either the
 * create to replay (which lists first and finds the booking) or the link
 * to send, never neither. */
static void
create_op_link (GTask         *task,
                const char    *uid,
                CreateOutcome  outcome)
{
  g_autoptr(CsWrite) write = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  CsActions *self = g_task_get_source_object (task);
  CreateOp *op = g_task_get_task_data (task);
  gint64 id = op->appointment->id;

  op->uid = g_strdup (uid);
  write = cs_write_backend_update_appointment (id, CS_TIME_UNSET, CS_TIME_UNSET, NULL, uid);
  write->appointment_id = id;
  g_free (op->appointment->calcom_booking_uid);
  op->appointment->calcom_booking_uid = g_strdup (uid);
  g_ptr_array_add (rows, op->appointment);

  if (!cs_store_begin (self->store, &error))
    {
      g_warning ("Could not keep the link of appointment %" G_GINT64_FORMAT ": %s", id,
                 error->message);
      create_op_return (task, outcome, NULL);
      return;
    }

  /* On failure the create stays kept: its next attempt finds the booking. */
  if (!intent_put (self, id, 0, CS_TIME_UNSET, NULL, TRUE, &error) ||
      cs_outbox_keep_write (self->outbox, write, NULL, op->intent.key, &error) == 0 ||
      !cs_store_save_appointments (self->store, rows, &error))
    {
      cs_store_rollback (self->store);
      g_warning ("Could not keep the link of appointment %" G_GINT64_FORMAT ": %s", id,
                 error->message);
    }
  else if (!cs_store_commit (self->store, &error))
    g_warning ("Could not keep the link of appointment %" G_GINT64_FORMAT ": %s", id,
               error->message);

  cs_outbox_flush (self->outbox);
  create_op_return (task, outcome, NULL);
}

/* Refused for good (by Cal.com, or before anything was sent): the create
 * ends with @message, and so does its action (`failed`). */
static void
create_op_refuse (GTask      *task,
                  const char *message)
{
  g_autoptr(GError) error = NULL;
  CsActions *self = g_task_get_source_object (task);
  CreateOp *op = g_task_get_task_data (task);

  if (!cs_store_begin (self->store, &error))
    g_warning ("Could not end the create of appointment %" G_GINT64_FORMAT ": %s",
               op->appointment->id, error->message);
  else if (!intent_put (self, op->appointment->id, 0, CS_TIME_UNSET, NULL, TRUE, &error) ||
           (op->intent.key != NULL &&
            !audit_settle_locked (self, op->intent.key, message, &error)))
    {
      cs_store_rollback (self->store);
      g_warning ("Could not end the create of appointment %" G_GINT64_FORMAT ": %s",
                 op->appointment->id, error->message);
    }
  else if (!cs_store_commit (self->store, &error))
    g_warning ("Could not end the create of appointment %" G_GINT64_FORMAT ": %s",
               op->appointment->id, error->message);

  cs_outbox_flush (self->outbox);
  create_op_return (task, CREATE_WAITING,
                    g_error_new_literal (CS_ACTIONS_ERROR, CS_ACTIONS_ERROR_REFUSED, message));
}

static void
create_op_create_cb (GObject      *object,
                     GAsyncResult *res,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CsBooking) booking = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  CreateOp *op = g_task_get_task_data (task);

  booking = cs_calcom_client_create_booking_finish (CS_CALCOM_CLIENT (object), res, &error);
  if (booking != NULL)
    {
      create_op_link (task, booking->uid, CREATE_BOOKED);
      return;
    }

  /* Cancelled or lost on the way: it may have been booked; the next attempt
   * lists first. A rejected key waits for the user to fix it. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      cs_net_error_is_retryable (error) ||
      g_error_matches (error, CS_NET_ERROR, CS_NET_ERROR_UNAUTHORIZED))
    {
      create_op_wait (task, error);
      return;
    }

  g_debug ("Create in Cal.com for %" G_GINT64_FORMAT ": refused for good", op->appointment->id);
  message = g_strdup_printf (_("Cal.com refused the booking: %s"), error->message);
  create_op_refuse (task, message);
}

static void
create_op_event_type_cb (GObject      *object,
                         GAsyncResult *res,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CsCalcomEventType) event_type = NULL;
  g_autoptr(GError) error = NULL;
  CsActions *self = g_task_get_source_object (task);
  CreateOp *op = g_task_get_task_data (task);
  CsAppointment *appointment = op->appointment;
  CsCalcomCreateRequest request = { 0 };
  gint64 minutes = (appointment->ends_at - appointment->starts_at) / CS_USEC_PER_MINUTE;

  event_type = cs_calcom_client_get_event_type_finish (CS_CALCOM_CLIENT (object), res, &error);
  if (event_type == NULL && g_error_matches (error, CS_NET_ERROR, CS_NET_ERROR_NOT_FOUND))
    {
      g_autofree char *message = NULL;
      g_autofree char *number = NULL;

      number = g_strdup_printf ("%" G_GINT64_FORMAT, appointment->calcom_event_type_id);
      /* Translators: %s is the Cal.com event type's number. */
      message = g_strdup_printf (_("Cal.com does not know the appointment's event type (%s). "
                                   "Set the appointment's service in the CRM to one that "
                                   "exists in Cal.com."), number);
      create_op_refuse (task, message);
      return;
    }

  if (event_type == NULL)
    {
      create_op_wait (task, error);
      return;
    }

  if (event_type->email_required &&
      (appointment->customer_email == NULL || appointment->customer_email[0] == '\0'))
    {
      create_op_refuse (task, _("The event type in Cal.com needs the customer's e-mail "
                                "address, and the appointment has none. Add it in the CRM, "
                                "then create the booking again."));
      return;
    }

  request.event_type_id = appointment->calcom_event_type_id;
  request.start = appointment->starts_at;
  /* A length of its own only where the event type offers several, and
   * this one among them; otherwise Cal.com books the event type's. */
  if (minutes > 0 && minutes <= G_MAXUINT && cs_calcom_event_type_has_length (event_type, minutes))
    request.length_minutes = (guint) minutes;
  request.attendee_name = appointment->customer_name;
  request.attendee_email = appointment->customer_email;
  request.attendee_phone = appointment->customer_phone;
  request.time_zone = CS_CALCOM_DEFAULT_TIME_ZONE;
  request.crm_appointment_id = appointment->id;
  request.crm_company_id = appointment->company_id;

  /* Not cancelled with the caller: once listed, the attempt is finished. */
  cs_calcom_client_create_booking_async (self->calcom, &request, NULL,
                                         create_op_create_cb, g_steal_pointer (&task));
}

static void
create_op_list_cb (GObject      *object,
                   GAsyncResult *res,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CsCalcomListing) listing = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  CsActions *self = g_task_get_source_object (task);
  CreateOp *op = g_task_get_task_data (task);
  CsAppointment *appointment = op->appointment;

  listing = cs_calcom_client_list_bookings_finish (CS_CALCOM_CLIENT (object), res, &error);
  if (listing == NULL)
    {
      /* Not knowing what Cal.com has, nothing is booked. */
      create_op_wait (task, error);
      return;
    }

  id = g_strdup_printf ("%" G_GINT64_FORMAT, appointment->id);
  for (guint i = 0; i < listing->bookings->len; i++)
    {
      const CsBooking *booking = g_ptr_array_index (listing->bookings, i);

      if (g_strcmp0 (cs_booking_get_crm_appointment_id (booking), id) == 0 &&
          cs_booking_status_is_active (booking->status))
        {
          create_op_link (task, booking->uid, CREATE_LINKED);
          return;
        }
    }

  /* What Cal.com accepts depends on the event type: read it first. */
  cs_calcom_client_get_event_type_async (self->calcom, appointment->calcom_event_type_id, NULL,
                                         create_op_event_type_cb, g_steal_pointer (&task));
}

/* One attempt of the create of @appointment_id: list, then link or book. */
static void
create_op_run (CsActions           *self,
               gint64               appointment_id,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  CreateOp *op;

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, create_op_run);

  op = g_new0 (CreateOp, 1);
  op->appointment = cs_store_get_appointment (self->store, appointment_id, &error);
  g_task_set_task_data (task, op, (GDestroyNotify) create_op_free);
  intent_find (self, appointment_id, &op->intent);

  if (op->appointment == NULL)
    {
      g_autoptr(GError) store_error = NULL;

      /* Gone from the cache: nothing left to book, and the action ends. */
      if (cs_store_begin (self->store, &store_error))
        {
          if (intent_put (self, appointment_id, 0, CS_TIME_UNSET, NULL, TRUE, &store_error) &&
              (op->intent.key == NULL ||
               audit_settle_locked (self, op->intent.key, error->message, &store_error)))
            cs_store_commit (self->store, &store_error);
          else
            cs_store_rollback (self->store);
        }
      if (store_error != NULL)
        g_warning ("Could not end the create of appointment %" G_GINT64_FORMAT ": %s",
                   appointment_id, store_error->message);
      cs_outbox_flush (self->outbox);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_hash_table_add (self->busy_creates, g_memdup2 (&appointment_id, sizeof appointment_id));

  cs_calcom_client_list_bookings_async (self->calcom,
                                        op->appointment->starts_at - LINK_MARGIN,
                                        op->appointment->ends_at + LINK_MARGIN,
                                        CS_TIME_UNSET,
                                        NULL,
                                        create_op_list_cb,
                                        g_steal_pointer (&task));
}

static CreateOp *
create_op_finish (CsActions     *self,
                  GAsyncResult  *result,
                  GError       **error)
{
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;

  return g_task_get_task_data (G_TASK (result));
}

static void
create_in_calcom_cb (GObject      *object,
                     GAsyncResult *res,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  CsActions *self = CS_ACTIONS (object);
  ActionData *data = g_task_get_task_data (task);
  CreateOp *op;

  op = create_op_finish (self, res, &error);
  if (op == NULL)
    {
      /* Refused: the action is in the audit log as failed already, and
       * that entry goes out before the answer. */
      data->refusal = g_steal_pointer (&error);
      action_finish (g_steal_pointer (&task));
      return;
    }

  if (op->uid != NULL)
    {
      g_free (data->appointment->calcom_booking_uid);
      data->appointment->calcom_booking_uid = g_strdup (op->uid);
      g_free (data->booking_uid);
      data->booking_uid = g_strdup (op->uid);
    }

  /* "Booked" only once Cal.com has accepted the booking. */
  g_clear_pointer (&data->message, g_free);
  if (op->outcome == CREATE_LINKED)
    data->message = g_strdup (_("A booking for this appointment was already in Cal.com: "
                                "it was linked instead of booking a second one."));
  else if (op->outcome == CREATE_BOOKED)
    data->message = g_strdup (_("Booked in Cal.com."));
  data->message_is_done = op->outcome != CREATE_WAITING;
  data->create_waiting = op->outcome == CREATE_WAITING;

  action_finish (g_steal_pointer (&task));
}

static void
run_create_in_calcom (GTask *task)
{
  g_autoptr(GError) error = NULL;
  CsActions *self = g_task_get_source_object (task);
  ActionData *data = g_task_get_task_data (task);
  gint64 id = data->appointment_id;
  Intent waiting = { 0 };

  if (data->appointment == NULL)
    {
      action_return_error (task, CS_ACTIONS_ERROR_INVALID,
                           _("Only an appointment of the CRM can be booked in Cal.com."));
      return;
    }

  if (data->appointment->calcom_event_type_id <= 0)
    {
      action_return_error (task, CS_ACTIONS_ERROR_INVALID,
                           _("The appointment has no Cal.com event type, so it cannot be "
                             "booked in Cal.com. Set its service in the CRM first."));
      return;
    }

  /* A create of this appointment kept already (a second click, or a click
   * on what an earlier process left) is the same action: same audit
   * entry, tried again now unless it is on its way. */
  if (intent_find (self, id, &waiting) && waiting.key != NULL)
    {
      g_free (data->key);
      data->key = g_steal_pointer (&waiting.key);
      if (g_hash_table_contains (self->busy_creates, &id))
        {
          data->create_waiting = TRUE;
          action_finish (g_object_ref (task));
          return;
        }
      create_op_run (self, id, create_in_calcom_cb, g_object_ref (task));
      return;
    }
  intent_clear (&waiting);

  /* Kept before the first attempt, with the decision and a pending audit
   * entry: a crash in between is replayed, and its entry settled then. */
  if (!action_record (self, data, CS_AUDIT_RESULT_PENDING, NULL, TRUE, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  create_op_run (self, id, create_in_calcom_cb, g_object_ref (task));
}

static gboolean
run_remote (CsActions   *self,
            ActionData  *data,
            GError     **error)
{
  g_autofree char *key = g_uuid_string_random ();

  switch (data->kind)
    {
    case CS_ACTION_CREATE_IN_CRM:
      {
        const CsAttendee *attendee = NULL;

        if (data->booking == NULL)
          {
            g_set_error_literal (error, CS_ACTIONS_ERROR, CS_ACTIONS_ERROR_INVALID,
                                 _("Only a booking of Cal.com can be created in the CRM."));
            return FALSE;
          }

        if (data->booking->attendees != NULL && data->booking->attendees->len > 0)
          attendee = g_ptr_array_index (data->booking->attendees, 0);

        if (!action_enqueue (self, data,
                             cs_write_backend_create_appointment (data->booking,
                                                                  data->booking->title,
                                                                  attendee ? attendee->name : NULL,
                                                                  attendee ? attendee->email : NULL,
                                                                  attendee ? attendee->phone : NULL),
                             key, error))
          return FALSE;

        data->message = g_strdup (_("Created in the CRM."));
        return TRUE;
      }

    case CS_ACTION_LINK:
      {
        const char *uid = data->link_uid;

        if (data->appointment == NULL || uid == NULL)
          {
            g_set_error_literal (error, CS_ACTIONS_ERROR, CS_ACTIONS_ERROR_INVALID,
                                 _("There is nothing to link: choose an appointment and a "
                                   "booking."));
            return FALSE;
          }

        if (!enqueue_link (self, data, uid, error))
          return FALSE;

        /* The snapshot for undo is taken from the appointment first. */
        take_snapshot (data);
        g_free (data->appointment->calcom_booking_uid);
        data->appointment->calcom_booking_uid = g_strdup (uid);
        g_free (data->booking_uid);
        data->booking_uid = g_strdup (uid);
        data->message = g_strdup (_("Linked."));
        return TRUE;
      }

    case CS_ACTION_USE_DATABASE_VALUES:
      if (data->appointment == NULL || data->booking == NULL)
        {
          g_set_error_literal (error, CS_ACTIONS_ERROR, CS_ACTIONS_ERROR_INVALID,
                               _("The appointment has no booking in Cal.com to correct."));
          return FALSE;
        }

      if (data->appointment->status == CS_CRM_STATUS_CANCELLED &&
          cs_booking_status_is_active (data->booking->status))
        {
          if (!action_enqueue (self, data,
                               cs_write_calcom_cancel_booking (data->booking->uid, data->reason),
                               key, error))
            return FALSE;

          data->message = g_strdup (_("The booking will be cancelled in Cal.com, as in the "
                                      "CRM."));
          return TRUE;
        }

      /* A reschedule moves the start; Cal.com keeps the event type's
       * length, so an end that differs on its own cannot be fixed there. */
      if (data->appointment->starts_at == data->booking->start &&
          data->appointment->ends_at != data->booking->end)
        {
          g_set_error_literal (error, CS_ACTIONS_ERROR, CS_ACTIONS_ERROR_INVALID,
                               _("Only the end differs, and Cal.com keeps its event type's "
                                 "length: the booking's end cannot be moved. Use Cal.com's "
                                 "values to give the CRM the booking's end, or change the "
                                 "service in the CRM."));
          return FALSE;
        }

      if (data->appointment->starts_at != data->booking->start)
        {
          if (data->booking->start <= cs_clock_get_now (self->clock) ||
              data->appointment->starts_at <= cs_clock_get_now (self->clock))
            {
              g_set_error_literal (error, CS_ACTIONS_ERROR, CS_ACTIONS_ERROR_INVALID,
                                   _("Cal.com moves no booking from or into the past. Use "
                                     "Cal.com's values, or mark the problem as resolved."));
              return FALSE;
            }

          if (!action_enqueue (self, data,
                               cs_write_calcom_reschedule_booking (data->booking->uid,
                                                                   data->appointment->starts_at,
                                                                   data->reason),
                               key, error))
            return FALSE;

          if (data->appointment->ends_at - data->appointment->starts_at !=
              data->booking->end - data->booking->start)
            data->message = g_strdup (_("The booking will be moved in Cal.com to the CRM's "
                                        "start. Its length stays the event type's, so the end "
                                        "will still differ."));
          else
            data->message = g_strdup (_("The booking will be moved in Cal.com to the time in "
                                        "the CRM."));
          return TRUE;
        }

      g_set_error_literal (error, CS_ACTIONS_ERROR, CS_ACTIONS_ERROR_INVALID,
                           _("Cal.com already has the CRM's time and status."));
      return FALSE;

    case CS_ACTION_USE_CALCOM_VALUES:
      {
        const char *status = NULL;
        gboolean booking_active;

        if (data->appointment == NULL || data->booking == NULL)
          {
            g_set_error_literal (error, CS_ACTIONS_ERROR, CS_ACTIONS_ERROR_INVALID,
                                 _("The appointment has no booking in Cal.com to copy from."));
            return FALSE;
          }

        booking_active = cs_booking_status_is_active (data->booking->status);
        if (!booking_active && data->appointment->status != CS_CRM_STATUS_CANCELLED)
          status = cs_crm_status_to_string (CS_CRM_STATUS_CANCELLED);
        else if (booking_active && data->appointment->status == CS_CRM_STATUS_CANCELLED)
          status = cs_crm_status_to_string (CS_CRM_STATUS_SCHEDULED);

        if (!action_enqueue (self, data,
                             cs_write_backend_update_appointment (data->appointment_id,
                                                                  data->booking->start,
                                                                  data->booking->end, status,
                                                                  NULL),
                             key, error))
          return FALSE;

        data->message = g_strdup (_("The CRM takes the time and status from Cal.com."));
        return TRUE;
      }

    case CS_ACTION_CANCEL:
      if (data->appointment == NULL)
        {
          g_set_error_literal (error, CS_ACTIONS_ERROR, CS_ACTIONS_ERROR_INVALID,
                               _("Only an appointment of the CRM can be cancelled."));
          return FALSE;
        }

      if (!action_enqueue (self, data,
                           cs_write_backend_cancel_appointment (data->appointment_id,
                                                                data->reason),
                           key, error))
        return FALSE;

      if (data->booking != NULL && cs_booking_status_is_active (data->booking->status))
        {
          g_autofree char *calcom_key = g_uuid_string_random ();

          if (!action_enqueue (self, data,
                               cs_write_calcom_cancel_booking (data->booking->uid, data->reason),
                               calcom_key, error))
            return FALSE;

          data->message = g_strdup (_("The appointment is cancelled in the CRM and in "
                                      "Cal.com."));
        }
      else
        data->message = g_strdup (_("The appointment is cancelled in the CRM."));
      return TRUE;

    case CS_ACTION_MARK_RESOLVED:
      data->message = g_strdup (_("Marked as resolved."));
      return TRUE;

    case CS_ACTION_DISMISS:
      data->message = g_strdup (_("Dismissed as a false alarm."));
      return TRUE;

    case CS_ACTION_SNOOZE:
      if (data->snooze_until == CS_TIME_UNSET ||
          data->snooze_until <= cs_clock_get_now (self->clock))
        {
          g_set_error_literal (error, CS_ACTIONS_ERROR, CS_ACTIONS_ERROR_INVALID,
                               _("Choose a date in the future to snooze until."));
          return FALSE;
        }
      data->message = g_strdup (_("Snoozed."));
      return TRUE;

    case CS_ACTION_RETRY:
    case CS_ACTION_CREATE_IN_CALCOM:
    default:
      g_assert_not_reached ();
    }
}

static void
action_dispatch (GTask *task)
{
  g_autoptr(GError) error = NULL;
  CsActions *self = g_task_get_source_object (task);
  ActionData *data = g_task_get_task_data (task);

  if (!cs_role_may_act (self->role))
    {
      g_autofree char *message = NULL;

      /* Translators: %s is the role's name as the CRM has it, e.g. "staff". */
      message = g_strdup_printf (_("Your CRM account (%s) may not resolve sync problems. "
                                   "Ask an admin or a manager."),
                                 cs_role_to_string (self->role));
      action_return_error (task, CS_ACTIONS_ERROR_FORBIDDEN, message);
      return;
    }

  /* The item as the cache has it, and its booking if it has one. */
  if (data->appointment_id != 0)
    {
      data->appointment = cs_store_get_appointment (self->store, data->appointment_id, &error);
      if (data->appointment == NULL)
        {
          g_autofree char *message = NULL;
          g_autofree char *number = NULL;

          number = g_strdup_printf ("%" G_GINT64_FORMAT, data->appointment_id);
          /* Translators: %s is the appointment's id in the CRM. */
          message = g_strdup_printf (_("Appointment %s is not known: verify first."), number);
          action_return_error (task, CS_ACTIONS_ERROR_NOT_FOUND, message);
          return;
        }

      if (data->booking_uid == NULL && data->appointment->calcom_booking_uid != NULL)
        data->booking_uid = g_strdup (data->appointment->calcom_booking_uid);
    }

  if (data->booking_uid != NULL)
    {
      g_clear_error (&error);
      data->booking = cs_store_get_booking (self->store, data->booking_uid, &error);
      if (data->booking == NULL && data->appointment == NULL)
        {
          action_return_error (task, CS_ACTIONS_ERROR_NOT_FOUND,
                               _("The booking is not known: verify first."));
          return;
        }
    }

  if (data->appointment == NULL && data->booking == NULL)
    {
      action_return_error (task, CS_ACTIONS_ERROR_INVALID,
                           _("Choose an appointment or a booking to act on."));
      return;
    }

  data->key = g_uuid_string_random ();

  if (data->kind == CS_ACTION_RETRY)
    {
      run_retry (task);
      return;
    }

  if (data->kind == CS_ACTION_CREATE_IN_CALCOM)
    {
      run_create_in_calcom (task);
      return;
    }

  g_clear_error (&error);
  if (!run_remote (self, data, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  action_complete (g_object_ref (task));
}

static void undo_run (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable);

static void
get_me_cb (GObject      *object,
           GAsyncResult *res,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CsBackendMe) me = NULL;
  g_autoptr(GError) error = NULL;
  CsActions *self = g_task_get_source_object (task);

  me = cs_backend_client_get_me_finish (CS_BACKEND_CLIENT (object), res, &error);
  if (me != NULL)
    cs_actions_set_role (self, me->role, me->user_id);
  else
    {
      CsRole role = CS_ROLE_STAFF;
      gint64 user_id = 0;

      /* The CRM is down: the click is kept all the same, as the role it
       * named last (it checks the role again when the writes arrive). Not
       * remembered as known, so the next action asks again. */
      if (!cs_net_error_is_retryable (error) || !role_load (self, &role, &user_id))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      g_debug ("The CRM did not answer /me (%s %d): acting as the role it named last",
               g_quark_to_string (error->domain), error->code);
      self->role = role;
      self->user_id = user_id;
    }

  /* Undo checks the role itself, once it is known. */
  if (g_task_get_source_tag (task) == cs_actions_undo_async)
    {
      undo_run (task, self, g_task_get_task_data (task), g_task_get_cancellable (task));
      return;
    }

  action_dispatch (task);
}

/* Replaying the Cal.com creates */

static void
actions_wake_cb (gpointer user_data)
{
  CsActions *self = user_data;

  g_assert (CS_IS_ACTIONS (self));

  self->wake_id = 0;
  self->wake_at = CS_TIME_UNSET;
  cs_actions_resume_async (self, NULL, NULL, NULL);
}

/* A timer for the earliest create waiting for its backoff. */
static void
actions_schedule_wake (CsActions *self)
{
  g_autoptr(GArray) intents = intents_load (self);
  CsTime at = CS_TIME_UNSET;

  for (guint i = 0; i < intents->len; i++)
    {
      const Intent *intent = &g_array_index (intents, Intent, i);

      if (intent->next_attempt_at != CS_TIME_UNSET &&
          !g_hash_table_contains (self->busy_creates, &intent->appointment_id) &&
          (at == CS_TIME_UNSET || intent->next_attempt_at < at))
        at = intent->next_attempt_at;
    }

  if (self->wake_id != 0 && self->wake_at == at)
    return;

  if (self->wake_id != 0)
    cs_clock_remove_timeout (self->clock, self->wake_id);
  self->wake_id = 0;
  self->wake_at = at;

  /* No ref: dispose removes the timer. */
  if (at != CS_TIME_UNSET)
    self->wake_id = cs_clock_add_timeout (self->clock, at, actions_wake_cb, self, NULL);
}

static void resume_next (GTask *task);

static void
resume_op_cb (GObject      *object,
              GAsyncResult *res,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GArray *ids = g_task_get_task_data (task);

  if (create_op_finish (CS_ACTIONS (object), res, &error) == NULL)
    g_debug ("Create in Cal.com for %" G_GINT64_FORMAT ": %s",
             g_array_index (ids, gint64, 0), error->message);

  g_array_remove_index (ids, 0);
  resume_next (g_steal_pointer (&task));
}

static void
resume_next (GTask *task)
{
  CsActions *self = g_task_get_source_object (task);
  GArray *ids = g_task_get_task_data (task);

  if (ids->len == 0)
    {
      g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->resume_waiters);

      self->resume_waiters = g_ptr_array_new_with_free_func (g_object_unref);
      self->resuming = FALSE;
      actions_schedule_wake (self);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      for (guint i = 0; i < waiters->len; i++)
        g_task_return_boolean (g_ptr_array_index (waiters, i), TRUE);
      return;
    }

  create_op_run (self, g_array_index (ids, gint64, 0), resume_op_cb, task);
}

static void
actions_resume (CsActions           *self,
                gboolean             all,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GArray) intents = NULL;
  GArray *ids;
  CsTime now;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_actions_resume_async);

  /* One replay at a time; a caller meanwhile is answered when it ends. */
  if (self->resuming)
    {
      g_ptr_array_add (self->resume_waiters, g_steal_pointer (&task));
      return;
    }

  /* What an earlier process left half done gets its audit entry first. */
  audit_recover (self);

  now = cs_clock_get_now (self->clock);
  intents = intents_load (self);
  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_task_set_task_data (task, ids, (GDestroyNotify) g_array_unref);

  for (guint i = 0; i < intents->len; i++)
    {
      const Intent *intent = &g_array_index (intents, Intent, i);

      if ((all || intent->next_attempt_at <= now) &&
          !g_hash_table_contains (self->busy_creates, &intent->appointment_id))
        g_array_append_val (ids, intent->appointment_id);
    }

  self->resuming = TRUE;
  resume_next (g_steal_pointer (&task));
}

/**
 * cs_actions_resume_async:
 * @self: the actions
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the due creates had their attempt
 * @user_data: data for @callback
 *
 * Replays the creates in Cal.com that are due: each lists first and links
 * a booking that carries the appointment's id, or books it. First it
 * settles the audit entries whose writes were all answered by an earlier
 * process that ended before it could. A timer on the clock calls it when a
 * backoff is over. While a replay runs, another call is answered when it
 * ends.
 */
void
cs_actions_resume_async (CsActions           *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (CS_IS_ACTIONS (self));

  actions_resume (self, FALSE, cancellable, callback, user_data);
}

/**
 * cs_actions_resume_all_async:
 * @self: the actions
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the creates had their attempt
 * @user_data: data for @callback
 *
 * Like cs_actions_resume_async(), but every kept create is tried now, also
 * one waiting for its backoff: the owner calls it on start and when
 * connectivity returns (with cs_outbox_flush_all_async()), since what an
 * earlier process left waits for a server that may answer again now.
 * Finish with cs_actions_resume_finish().
 */
void
cs_actions_resume_all_async (CsActions           *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (CS_IS_ACTIONS (self));

  actions_resume (self, TRUE, cancellable, callback, user_data);
}

/**
 * cs_actions_resume_finish:
 * @self: the actions
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE; the creates that failed again wait for their backoff
 */
gboolean
cs_actions_resume_finish (CsActions     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (CS_IS_ACTIONS (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * cs_actions_get_n_waiting:
 * @self: the actions
 *
 * The creates in Cal.com not done yet: with the outbox's
 * #CsOutbox:n-pending, what the UI shows as "waiting to send".
 *
 * Returns: the number of appointments waiting to be booked in Cal.com
 */
guint
cs_actions_get_n_waiting (CsActions *self)
{
  g_autoptr(GArray) intents = NULL;

  g_return_val_if_fail (CS_IS_ACTIONS (self), 0);

  intents = intents_load (self);

  return intents->len;
}

/* GObject */

static void
cs_actions_dispose (GObject *object)
{
  CsActions *self = (CsActions *)object;

  if (self->wake_id != 0)
    {
      cs_clock_remove_timeout (self->clock, self->wake_id);
      self->wake_id = 0;
    }

  if (self->outbox != NULL)
    {
      g_clear_signal_handler (&self->sent_handler, self->outbox);
      g_clear_signal_handler (&self->failed_handler, self->outbox);
    }

  g_clear_object (&self->store);
  g_clear_object (&self->outbox);
  g_clear_object (&self->calcom);
  g_clear_object (&self->backend);
  g_clear_object (&self->verifier);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (cs_actions_parent_class)->dispose (object);
}

static void
cs_actions_finalize (GObject *object)
{
  CsActions *self = (CsActions *)object;

  g_clear_pointer (&self->undo, g_hash_table_unref);
  g_clear_pointer (&self->busy_creates, g_hash_table_unref);
  g_clear_pointer (&self->resume_waiters, g_ptr_array_unref);

  G_OBJECT_CLASS (cs_actions_parent_class)->finalize (object);
}

static void
cs_actions_class_init (CsActionsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_actions_dispose;
  object_class->finalize = cs_actions_finalize;
}

static void
cs_actions_init (CsActions *self)
{
  self->undo = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) snapshot_free);
  self->busy_creates = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->resume_waiters = g_ptr_array_new_with_free_func (g_object_unref);
}

/* Public API */

/**
 * cs_actions_new:
 * @store: the cache, whose company is set
 * @outbox: the outbox the remote writes go through
 * @calcom: the Cal.com client, for the listing before a create
 * @backend: the CRM client, for `/me`
 * @verifier: the verifier, for "retry"
 * @clock: the clock of the decisions' times
 *
 * Returns: (transfer full): a new #CsActions
 */
CsActions *
cs_actions_new (CsStore         *store,
                CsOutbox        *outbox,
                CsCalcomClient  *calcom,
                CsBackendClient *backend,
                CsVerifier      *verifier,
                CsClock         *clock)
{
  CsActions *self;

  g_return_val_if_fail (CS_IS_STORE (store), NULL);
  g_return_val_if_fail (CS_IS_OUTBOX (outbox), NULL);
  g_return_val_if_fail (CS_IS_CALCOM_CLIENT (calcom), NULL);
  g_return_val_if_fail (CS_IS_BACKEND_CLIENT (backend), NULL);
  g_return_val_if_fail (CS_IS_VERIFIER (verifier), NULL);
  g_return_val_if_fail (CS_IS_CLOCK (clock), NULL);

  self = g_object_new (CS_TYPE_ACTIONS, NULL);
  self->store = g_object_ref (store);
  self->outbox = g_object_ref (outbox);
  self->calcom = g_object_ref (calcom);
  self->backend = g_object_ref (backend);
  self->verifier = g_object_ref (verifier);
  self->clock = g_object_ref (clock);

  self->sent_handler = g_signal_connect (outbox, "item-sent",
                                         G_CALLBACK (outbox_item_sent_cb), self);
  self->failed_handler = g_signal_connect (outbox, "item-failed",
                                           G_CALLBACK (outbox_item_failed_cb), self);

  return self;
}

/**
 * cs_actions_set_role:
 * @self: the actions
 * @role: the role of the CRM account
 * @user_id: the CRM user id, the `performed_by` of audit entries
 *
 * Sets what `/me` said, so actions do not ask it; the engine calls it after
 * each `/me`, tests to act as a role.
 */
void
cs_actions_set_role (CsActions *self,
                     CsRole     role,
                     gint64     user_id)
{
  g_return_if_fail (CS_IS_ACTIONS (self));

  self->role = role;
  self->user_id = user_id;
  self->role_known = TRUE;
  role_save (self);
}

/**
 * cs_actions_get_role:
 * @self: the actions
 * @role: (out) (optional): the role
 * @user_id: (out) (optional): the CRM user id
 *
 * Returns: %TRUE if the role is known
 */
gboolean
cs_actions_get_role (CsActions *self,
                     CsRole    *role,
                     gint64    *user_id)
{
  g_return_val_if_fail (CS_IS_ACTIONS (self), FALSE);

  if (role != NULL)
    *role = self->role;
  if (user_id != NULL)
    *user_id = self->user_id;

  return self->role_known;
}

/**
 * cs_actions_run_async:
 * @self: the actions
 * @kind: the action
 * @target: what to act on
 * @args: (nullable): the action's arguments
 * @cancellable: (nullable): a #GCancellable; cancelling stops waiting, not
 *   the writes already in the outbox
 * @callback: called when the action is done or waits in the outbox
 * @user_data: data for @callback
 *
 * Runs one action (see #CsActions).
 */
void
cs_actions_run_async (CsActions            *self,
                      CsActionKind          kind,
                      const CsActionTarget *target,
                      const CsActionArgs   *args,
                      GCancellable         *cancellable,
                      GAsyncReadyCallback   callback,
                      gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  ActionData *data;

  g_return_if_fail (CS_IS_ACTIONS (self));
  g_return_if_fail (kind <= CS_ACTION_KIND_LAST);
  g_return_if_fail (target != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_actions_run_async);

  data = action_data_new ();
  data->kind = kind;
  data->appointment_id = target->appointment_id;
  data->booking_uid = g_strdup (target->booking_uid);
  if (args != NULL)
    {
      data->note = g_strdup (args->note);
      data->snooze_until = args->snooze_until;
      data->link_uid = g_strdup (args->link_booking_uid);
      data->link_id = args->link_appointment_id;
      data->reason = g_strdup (args->reason);
    }

  /* Linking an orphaned booking: the appointment named in the args is the
   * one that changes. */
  if (kind == CS_ACTION_LINK)
    {
      if (data->link_uid == NULL && data->appointment_id != 0)
        data->link_uid = g_strdup (data->booking_uid);
      if (data->appointment_id == 0 && data->link_id != 0)
        {
          data->appointment_id = data->link_id;
          if (data->link_uid == NULL)
            data->link_uid = g_strdup (data->booking_uid);
        }
      g_clear_pointer (&data->booking_uid, g_free);
    }

  g_task_set_task_data (task, data, (GDestroyNotify) action_data_free);

  if (!self->role_known)
    {
      cs_backend_client_get_me_async (self->backend, cancellable, get_me_cb,
                                      g_steal_pointer (&task));
      return;
    }

  action_dispatch (task);
}

/**
 * cs_actions_run_finish:
 * @self: the actions
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * An action refused before it did anything (role, unknown item, an action
 * that does not fit the item, `/me` out of reach) answers %NULL and
 * @error. An action done answers a result, whose @error says if a server
 * refused one of its writes for good.
 *
 * Returns: (transfer full) (nullable): the result
 */
CsActionResult *
cs_actions_run_finish (CsActions     *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (CS_IS_ACTIONS (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Bulk */

typedef struct
{
  CsActionKind  kind;
  GArray       *ids;
  guint         index;
  CsActionArgs  args;
  char         *note;
  char         *reason;
  GPtrArray    *results;
} BulkData;

static void
bulk_data_free (BulkData *bulk)
{
  g_clear_pointer (&bulk->ids, g_array_unref);
  g_clear_pointer (&bulk->results, g_ptr_array_unref);
  g_free (bulk->note);
  g_free (bulk->reason);
  g_free (bulk);
}

static void bulk_next (GTask *task);

static void
bulk_item_cb (GObject      *object,
              GAsyncResult *res,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  BulkData *bulk = g_task_get_task_data (task);
  CsActionResult *result;

  result = cs_actions_run_finish (CS_ACTIONS (object), res, &error);
  if (result == NULL)
    {
      result = g_new0 (CsActionResult, 1);
      result->kind = bulk->kind;
      result->appointment_id = g_array_index (bulk->ids, gint64, bulk->index);
      result->message = g_strdup (error->message);
      result->error = g_steal_pointer (&error);
    }

  g_ptr_array_add (bulk->results, result);
  bulk->index++;
  bulk_next (g_steal_pointer (&task));
}

static void
bulk_next (GTask *task)
{
  CsActions *self = g_task_get_source_object (task);
  BulkData *bulk = g_task_get_task_data (task);
  CsActionTarget target = { 0 };

  if (bulk->index >= bulk->ids->len)
    {
      g_task_return_pointer (task, g_ptr_array_ref (bulk->results),
                             (GDestroyNotify) g_ptr_array_unref);
      g_object_unref (task);
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  target.appointment_id = g_array_index (bulk->ids, gint64, bulk->index);
  cs_actions_run_async (self, bulk->kind, &target, &bulk->args, g_task_get_cancellable (task),
                        bulk_item_cb, task);
}

/**
 * cs_actions_run_bulk_async:
 * @self: the actions
 * @kind: the action
 * @appointment_ids: (element-type gint64): the appointments
 * @args: (nullable): the arguments, the same for each
 * @cancellable: (nullable): a #GCancellable, checked between items
 * @callback: called when every item is done
 * @user_data: data for @callback
 *
 * Runs the same action on each appointment, one after the other.
 */
void
cs_actions_run_bulk_async (CsActions           *self,
                           CsActionKind         kind,
                           GArray              *appointment_ids,
                           const CsActionArgs  *args,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  BulkData *bulk;

  g_return_if_fail (CS_IS_ACTIONS (self));
  g_return_if_fail (kind <= CS_ACTION_KIND_LAST);
  g_return_if_fail (appointment_ids != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_actions_run_bulk_async);

  bulk = g_new0 (BulkData, 1);
  bulk->kind = kind;
  bulk->ids = g_array_ref (appointment_ids);
  bulk->results = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_action_result_free);
  cs_action_args_init (&bulk->args);
  if (args != NULL)
    {
      bulk->args = *args;
      bulk->note = g_strdup (args->note);
      bulk->reason = g_strdup (args->reason);
      bulk->args.note = bulk->note;
      bulk->args.reason = bulk->reason;
      /* One booking cannot be linked to many appointments. */
      bulk->args.link_booking_uid = NULL;
      bulk->args.link_appointment_id = 0;
    }
  g_task_set_task_data (task, bulk, (GDestroyNotify) bulk_data_free);

  bulk_next (g_steal_pointer (&task));
}

/**
 * cs_actions_run_bulk_finish:
 * @self: the actions
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type CsActionResult): one result
 *   per appointment, in order, each with its own @error if refused; %NULL
 *   only if cancelled
 */
GPtrArray *
cs_actions_run_bulk_finish (CsActions     *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (CS_IS_ACTIONS (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Undo */

static void
undo_run (GTask        *task,
          gpointer      source_object,
          gpointer      task_data,
          GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  CsActions *self = source_object;
  ActionData *data = task_data;
  Snapshot *snapshot = data->restore;

  if (!cs_role_may_act (self->role))
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("Your CRM account (%s) may not resolve sync problems. "
                                   "Ask an admin or a manager."),
                                 cs_role_to_string (self->role));
      action_return_error (task, CS_ACTIONS_ERROR_FORBIDDEN, message);
      return;
    }

  if (snapshot->on_booking)
    data->booking = cs_store_get_booking (self->store, snapshot->booking_uid, &error);
  else
    data->appointment = cs_store_get_appointment (self->store, snapshot->appointment_id, &error);

  if (data->booking == NULL && data->appointment == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data->message = g_strdup (_("Undone."));
  action_complete (g_object_ref (task));
}

/**
 * cs_actions_undo_async:
 * @self: the actions
 * @done: the result of the action to undo: a mark as resolved, dismiss,
 *   snooze or link of this #CsActions
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Restores the resolution fields the action changed in the cache (for a
 * link also the cached booking uid; the CRM keeps the link) and writes an
 * audit entry "undo". An action can be undone once.
 */
void
cs_actions_undo_async (CsActions            *self,
                       const CsActionResult *done,
                       GCancellable         *cancellable,
                       GAsyncReadyCallback   callback,
                       gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  ActionData *data;
  Snapshot *snapshot = NULL;
  char *key = NULL;

  g_return_if_fail (CS_IS_ACTIONS (self));
  g_return_if_fail (done != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_actions_undo_async);

  if (done->key == NULL ||
      !g_hash_table_steal_extended (self->undo, done->key, (gpointer *) &key,
                                    (gpointer *) &snapshot))
    {
      action_return_error (task, CS_ACTIONS_ERROR_NOTHING_TO_UNDO,
                           _("This action cannot be undone."));
      return;
    }

  g_free (key);

  data = action_data_new ();
  data->kind = snapshot->kind;
  data->is_undo = TRUE;
  data->appointment_id = snapshot->appointment_id;
  data->booking_uid = g_strdup (snapshot->booking_uid);
  data->key = g_uuid_string_random ();
  data->note = g_strdup_printf ("undo %s", done->key);
  data->restore = snapshot;
  g_task_set_task_data (task, data, (GDestroyNotify) action_data_free);

  if (!self->role_known)
    {
      cs_backend_client_get_me_async (self->backend, cancellable, get_me_cb,
                                      g_steal_pointer (&task));
      return;
    }

  undo_run (task, self, data, cancellable);
}

/**
 * cs_actions_undo_finish:
 * @self: the actions
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the result of the undo, whose @key
 *   is the key of its audit entry
 */
CsActionResult *
cs_actions_undo_finish (CsActions     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (CS_IS_ACTIONS (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
