/* cs-actions.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cs-backend-client.h"
#include "cs-calcom-client.h"
#include "cs-clock.h"
#include "cs-outbox.h"
#include "cs-store.h"
#include "cs-verifier.h"

G_BEGIN_DECLS

#define CS_ACTIONS_ERROR (cs_actions_error_quark ())

/**
 * CsActionsError:
 * @CS_ACTIONS_ERROR_FORBIDDEN: the CRM account's role (staff) may not act
 * @CS_ACTIONS_ERROR_NOT_FOUND: the appointment or booking is not in the cache
 * @CS_ACTIONS_ERROR_INVALID: the action does not fit the item (no event
 *   type, no booking, nothing to link, …)
 * @CS_ACTIONS_ERROR_NOTHING_TO_UNDO: the action cannot be undone, or was
 *   undone already
 * @CS_ACTIONS_ERROR_REFUSED: a server refused one of the action's writes
 *   for good
 *
 * Why an action was refused. The messages are for people.
 */
typedef enum
{
  CS_ACTIONS_ERROR_FORBIDDEN,
  CS_ACTIONS_ERROR_NOT_FOUND,
  CS_ACTIONS_ERROR_INVALID,
  CS_ACTIONS_ERROR_NOTHING_TO_UNDO,
  CS_ACTIONS_ERROR_REFUSED,
} CsActionsError;

/**
 * CsActionKind:
 * @CS_ACTION_RETRY: verify the item again now ("retry")
 * @CS_ACTION_CREATE_IN_CALCOM: book an orphaned appointment in Cal.com, or
 *   link the booking that already carries its id ("create_in_calcom")
 * @CS_ACTION_CREATE_IN_CRM: create the appointment of an orphaned Cal.com
 *   booking in the CRM ("create_in_crm")
 * @CS_ACTION_LINK: link the suggested booking to the appointment ("link")
 * @CS_ACTION_USE_DATABASE_VALUES: make Cal.com agree with the CRM
 *   ("use_database_values")
 * @CS_ACTION_USE_CALCOM_VALUES: make the CRM agree with Cal.com
 *   ("use_calcom_values")
 * @CS_ACTION_MARK_RESOLVED: mark as resolved, with a note ("mark_resolved")
 * @CS_ACTION_DISMISS: dismiss as a false positive ("dismiss")
 * @CS_ACTION_SNOOZE: hide until a date ("snooze")
 * @CS_ACTION_CANCEL: cancel the appointment on both sides ("cancel")
 *
 * The resolution actions (DESIGN.md §3). Their names, from
 * cs_action_kind_to_string(), are the `action` of the audit entries.
 */
typedef enum
{
  CS_ACTION_RETRY,
  CS_ACTION_CREATE_IN_CALCOM,
  CS_ACTION_CREATE_IN_CRM,
  CS_ACTION_LINK,
  CS_ACTION_USE_DATABASE_VALUES,
  CS_ACTION_USE_CALCOM_VALUES,
  CS_ACTION_MARK_RESOLVED,
  CS_ACTION_DISMISS,
  CS_ACTION_SNOOZE,
  CS_ACTION_CANCEL,
} CsActionKind;

#define CS_ACTION_KIND_LAST CS_ACTION_CANCEL

/* The audit action of cs_actions_undo_async(). */
#define CS_ACTION_UNDO_NAME "undo"

/**
 * CsActionTarget:
 * @appointment_id: the CRM appointment, or 0
 * @booking_uid: (nullable): the Cal.com booking; for an orphaned Cal.com
 *   booking the only target
 *
 * What an action acts on: an appointment, a booking only in Cal.com, or
 * both.
 */
typedef struct
{
  gint64      appointment_id;
  const char *booking_uid;
} CsActionTarget;

/**
 * CsActionArgs:
 * @note: (nullable): the person's note (mark as resolved; kept in the audit
 *   entry of any action)
 * @snooze_until: for a snooze, until when; %CS_TIME_UNSET for the others
 * @link_booking_uid: (nullable): for a link, the booking to link
 * @link_appointment_id: for a link of an orphaned booking, the appointment
 *   to link it to, or 0
 * @reason: (nullable): a cancellation or rescheduling reason for the servers
 *
 * The arguments of an action; a zeroed struct (cs_action_args_init()) means
 * none.
 */
typedef struct
{
  const char *note;
  CsTime      snooze_until;
  const char *link_booking_uid;
  gint64      link_appointment_id;
  const char *reason;
} CsActionArgs;

/**
 * CsActionResult:
 * @kind: the action
 * @appointment_id: the appointment acted on, or 0
 * @booking_uid: (nullable): the booking acted on
 * @key: (nullable): the action's idempotency key, which is also its audit
 *   entry's key; %NULL if it was refused before doing anything
 * @queued: some of its writes (the audit entry's upload included) wait
 *   for a server, or its create waits for Cal.com: kept, and sent by
 *   whichever process next reaches the server
 * @message: (nullable): what happened, a translated sentence for the UI;
 *   while @queued it says what is done already and that the rest is saved
 *   ("Saved; it will be sent when the CRM answers again.")
 * @error: (nullable): why it was refused; the other fields say what was
 *   done before
 *
 * The outcome of one action on one item.
 */
typedef struct
{
  CsActionKind  kind;
  gint64        appointment_id;
  char         *booking_uid;
  char         *key;
  gboolean      queued;
  char         *message;
  GError       *error;
} CsActionResult;

#define CS_TYPE_ACTION_RESULT (cs_action_result_get_type ())

GType           cs_action_result_get_type    (void) G_GNUC_CONST;
CsActionResult *cs_action_result_copy        (const CsActionResult *self);
void            cs_action_result_free        (CsActionResult       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsActionResult, cs_action_result_free)

const char     *cs_action_kind_to_string     (CsActionKind          kind);
gboolean        cs_action_kind_from_string   (const char           *str,
                                              CsActionKind         *kind);
gboolean        cs_action_kind_is_local      (CsActionKind          kind);
void            cs_action_args_init          (CsActionArgs         *args);

#define CS_TYPE_ACTIONS (cs_actions_get_type ())

G_DECLARE_FINAL_TYPE (CsActions, cs_actions, CS, ACTIONS, GObject)

GQuark          cs_actions_error_quark       (void);

CsActions      *cs_actions_new               (CsStore              *store,
                                              CsOutbox             *outbox,
                                              CsCalcomClient       *calcom,
                                              CsBackendClient      *backend,
                                              CsVerifier           *verifier,
                                              CsClock              *clock);
void            cs_actions_set_role          (CsActions            *self,
                                              CsRole                role,
                                              gint64                user_id);
gboolean        cs_actions_get_role          (CsActions            *self,
                                              CsRole               *role,
                                              gint64               *user_id);
void            cs_actions_run_async         (CsActions            *self,
                                              CsActionKind          kind,
                                              const CsActionTarget *target,
                                              const CsActionArgs   *args,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
CsActionResult *cs_actions_run_finish        (CsActions            *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void            cs_actions_run_bulk_async    (CsActions            *self,
                                              CsActionKind          kind,
                                              GArray               *appointment_ids,
                                              const CsActionArgs   *args,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
GPtrArray      *cs_actions_run_bulk_finish   (CsActions            *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void            cs_actions_resume_async      (CsActions            *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
void            cs_actions_resume_all_async  (CsActions            *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean        cs_actions_resume_finish     (CsActions            *self,
                                              GAsyncResult         *result,
                                              GError              **error);
guint           cs_actions_get_n_waiting     (CsActions            *self);
void            cs_actions_undo_async        (CsActions            *self,
                                              const CsActionResult *done,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
CsActionResult *cs_actions_undo_finish       (CsActions            *self,
                                              GAsyncResult         *result,
                                              GError              **error);

G_END_DECLS
