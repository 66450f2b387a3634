/* cs-review-dialog.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "cs-reconciler.h"
#include "cs-review-dialog.h"
#include "cs-store-json.h"
#include "cs-ui-util.h"

/**
 * CsReviewDialog:
 *
 * The review dialog of one sync problem (the seeds' "Appointment Sync
 * Review"): what the CRM database and Cal.com hold, what the last check
 * found, the item's history, the suggested link, and the resolution
 * actions. An action runs without closing the dialog; its result is shown
 * in the dialog, which reloads the item from the store.
 *
 * Which resolution buttons show (DESIGN.md §3):
 *
 * | status                         | shown                                   |
 * |--------------------------------|-----------------------------------------|
 * | synced, pending, verifying     | Retry, Cancel                           |
 * | failed (API, network, circuit) | Retry, Resolve, Snooze, Dismiss, Cancel |
 * | failed, DATA_MISMATCH          | Retry, Use Database / Use Cal.com       |
 * |                                | Values (if its booking is cached),      |
 * |                                | Resolve, Snooze, Dismiss, Cancel        |
 * | orphaned_local                 | Retry, Create in Cal.com, Link (if      |
 * |                                | suggested), Resolve, Snooze, Dismiss,   |
 * |                                | Cancel                                  |
 * | orphaned_calcom (booking only) | Retry, Create in Database, Link (if     |
 * |                                | suggested), Resolve, Snooze, Dismiss    |
 *
 * Cancel shows only for an appointment of the CRM that is not cancelled
 * yet. Once a person decided the item (any action but Retry; a snooze
 * while it lasts), only Retry and Cancel stay: the verifier leaves a
 * decided item alone, and Undo in the toast takes a local decision back.
 * A role that may not act (staff) sees every button insensitive, with the
 * reason as tooltip.
 *
 * The suggested link is not kept by the verifier: the dialog asks the
 * reconciler itself (cs_reconcile(), a pure function) about this item and
 * the unclaimed rows of the cache with the same start, which is the same
 * rule on the same data, for one row.
 */

typedef enum
{
  BUTTON_RETRY,
  BUTTON_CREATE_IN_CALCOM,
  BUTTON_CREATE_IN_CRM,
  BUTTON_USE_DATABASE_VALUES,
  BUTTON_USE_CALCOM_VALUES,
  BUTTON_LINK,
  BUTTON_MARK_RESOLVED,
  BUTTON_SNOOZE,
  BUTTON_DISMISS,
  BUTTON_CANCEL,
  N_BUTTONS
} ButtonId;

typedef struct
{
  CsActionKind  kind;
  const char   *name;
  const char   *label;
  const char   *style;
} ButtonInfo;

static const ButtonInfo buttons[N_BUTTONS] = {
  [BUTTON_RETRY] = { CS_ACTION_RETRY, "retry-button", N_("_Retry Verification"), NULL },
  [BUTTON_CREATE_IN_CALCOM] = { CS_ACTION_CREATE_IN_CALCOM, "create-in-calcom-button",
                                N_("Create in _Cal.com"), "suggested-action" },
  [BUTTON_CREATE_IN_CRM] = { CS_ACTION_CREATE_IN_CRM, "create-in-crm-button",
                             N_("Create in _Database"), "suggested-action" },
  [BUTTON_USE_DATABASE_VALUES] = { CS_ACTION_USE_DATABASE_VALUES, "use-database-values-button",
                                   N_("Use Data_base Values"), NULL },
  [BUTTON_USE_CALCOM_VALUES] = { CS_ACTION_USE_CALCOM_VALUES, "use-calcom-values-button",
                                 N_("Use Cal.com _Values"), NULL },
  [BUTTON_LINK] = { CS_ACTION_LINK, "link-button", N_("_Link"), "suggested-action" },
  [BUTTON_MARK_RESOLVED] = { CS_ACTION_MARK_RESOLVED, "mark-resolved-button",
                             N_("_Mark as Resolved"), NULL },
  [BUTTON_SNOOZE] = { CS_ACTION_SNOOZE, "snooze-button", N_("_Snooze…"), NULL },
  [BUTTON_DISMISS] = { CS_ACTION_DISMISS, "dismiss-button", N_("D_ismiss"), NULL },
  [BUTTON_CANCEL] = { CS_ACTION_CANCEL, "cancel-button", N_("Cancel _Appointment…"),
                      "destructive-action" },
};

/* How long a local decision can be undone from its toast. */
#define UNDO_TIMEOUT_S 10

struct _CsReviewDialog
{
  AdwWindow            parent_instance;

  /* Template widgets */
  AdwWindowTitle      *window_title;
  AdwToastOverlay     *toast_overlay;
  GtkWidget           *headline;
  GtkImage            *headline_icon;
  GtkLabel            *headline_label;
  GtkLabel            *headline_detail;
  AdwPreferencesGroup *database_group;
  GtkListBox          *database_list;
  AdwPreferencesGroup *calcom_group;
  GtkListBox          *calcom_list;
  GtkWidget           *diff_card;
  GtkGrid             *diff_grid;
  AdwPreferencesGroup *suggestion_group;
  GtkListBox          *suggestion_list;
  AdwPreferencesGroup *history_group;
  GtkListBox          *history_list;
  AdwPreferencesGroup *resolution_group;
  GtkLabel            *result_label;
  GtkFlowBox          *actions_box;

  /* Made here, owned by the flow box */
  GtkWidget           *buttons[N_BUTTONS];
  GtkWidget           *spinners[N_BUTTONS];

  /* Borrowed: the open question (note, snooze, cancel), for tests */
  AdwMessageDialog    *message_dialog;
  AdwToast            *undo_toast;

  /* Owned */
  CsEngine            *engine;
  GCancellable        *cancellable;
  char                *booking_uid;
  char                *suggested_booking_uid;
  CsActionResult      *undoable;

  gint64               appointment_id;
  gint64               suggested_appointment_id;
  int                  running;
};

G_DEFINE_FINAL_TYPE (CsReviewDialog, cs_review_dialog, ADW_TYPE_WINDOW)

static void run_action (CsReviewDialog     *self,
                        ButtonId            button,
                        const CsActionArgs *args);

/* Rows */

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

/* A row "Field    value": the value is server text, shown as plain text. */
static GtkWidget *
add_row (GtkListBox *list,
         const char *name,
         const char *title,
         const char *value)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label;

  label = gtk_label_new (value != NULL && *value != '\0' ? value : C_("no value", "—"));

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_set_name (row, name);
  gtk_widget_set_name (label, "value");
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_natural_wrap_mode (GTK_LABEL (label), GTK_NATURAL_WRAP_NONE);
  gtk_label_set_xalign (GTK_LABEL (label), 1.0);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_RIGHT);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_halign (label, GTK_ALIGN_END);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  gtk_list_box_append (list, row);
  return label;
}

static void
add_time_row (GtkListBox *list,
              const char *name,
              const char *title,
              CsTime      time)
{
  g_autofree char *text = cs_ui_format_date_time_long (time);

  add_row (list, name, title, text);
}

static char *
format_span (CsTime start,
             CsTime end)
{
  g_autofree char *from = cs_ui_format_date_time_long (start);
  g_autofree char *to = cs_ui_format_time (end);

  if (end == CS_TIME_UNSET)
    return g_steal_pointer (&from);

  /* Translators: a date and time, then the time it ends: "13.10.2026 10:00 – 10:45". */
  return g_strdup_printf (_("%s – %s"), from, to);
}

static const char *
action_done_label (const char *action)
{
  CsActionKind kind;

  if (g_strcmp0 (action, CS_ACTION_UNDO_NAME) == 0)
    return _("Undone");
  if (!cs_action_kind_from_string (action, &kind))
    return NULL;

  switch (kind)
    {
    case CS_ACTION_RETRY:
      return _("Verified again");
    case CS_ACTION_CREATE_IN_CALCOM:
      return _("Created in Cal.com");
    case CS_ACTION_CREATE_IN_CRM:
      return _("Created in the database");
    case CS_ACTION_LINK:
      return _("Linked");
    case CS_ACTION_USE_DATABASE_VALUES:
      return _("Database values used");
    case CS_ACTION_USE_CALCOM_VALUES:
      return _("Cal.com values used");
    case CS_ACTION_MARK_RESOLVED:
      return _("Marked as resolved");
    case CS_ACTION_DISMISS:
      return _("Dismissed");
    case CS_ACTION_SNOOZE:
      return _("Snoozed");
    case CS_ACTION_CANCEL:
      return _("Appointment cancelled");
    default:
      return NULL;
    }
}

/* The words for a history event's kind; the message, which may be the
 * verifier's English, becomes the subtitle. */
static char *
history_title (const CsHistoryEvent *event)
{
  const char *words;

  if (g_strcmp0 (event->kind, CS_HISTORY_KIND_CREATED) == 0)
    return g_strdup (_("Appointment created"));
  if (g_strcmp0 (event->kind, CS_HISTORY_KIND_VERIFIED) == 0)
    return g_strdup (_("Verified"));
  if (g_strcmp0 (event->kind, CS_HISTORY_KIND_ATTEMPT_FAILED) == 0)
    return g_strdup_printf (_("Verification failed (attempt %u)"), event->attempt);
  if (g_strcmp0 (event->kind, CS_HISTORY_KIND_FLAGGED) == 0)
    return g_strdup_printf (_("Flagged for review (attempt %u)"), event->attempt);
  if (g_strcmp0 (event->kind, CS_HISTORY_KIND_RESOLVED) == 0)
    return g_strdup (_("Resolved"));
  if (g_strcmp0 (event->kind, CS_HISTORY_KIND_CHECKED) == 0)
    return g_strdup (_("Checked again (no attempt counted)"));
  if (g_strcmp0 (event->kind, CS_HISTORY_KIND_FLAG_CLEARED) == 0)
    return g_strdup (_("Both sides agree again: flag cleared"));

  words = action_done_label (event->kind);
  return g_strdup (words != NULL ? words : event->kind);
}

static void
add_history_row (CsReviewDialog       *self,
                 const CsHistoryEvent *event)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *when = gtk_label_new (NULL);
  g_autofree char *time = cs_ui_format_date_time (event->at);
  g_autofree char *title = history_title (event);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (event->message != NULL && g_strcmp0 (event->message, title) != 0)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), event->message);
  gtk_label_set_text (GTK_LABEL (when), time);
  gtk_widget_add_css_class (when, "dim-label");
  gtk_widget_add_css_class (when, "numeric");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), when);
  gtk_widget_set_name (row, "history-row");
  gtk_list_box_append (self->history_list, row);
}

/* The mismatch table */

static char *
diff_value_text (CsDiffField  field,
                 gboolean     local,
                 const char  *value)
{
  CsTime time;

  switch (field)
    {
    case CS_DIFF_FIELD_START:
    case CS_DIFF_FIELD_END:
      if (value != NULL && cs_time_parse_iso8601 (value, &time))
        return cs_ui_format_date_time_long (time);
      break;

    case CS_DIFF_FIELD_STATUS:
      if (local)
        {
          CsCrmStatus status;

          if (cs_crm_status_from_string (value, &status))
            return g_strdup (cs_ui_crm_status_label (status));
        }
      else
        {
          CsBookingStatus status;

          if (cs_booking_status_from_string (value, &status))
            return g_strdup (cs_ui_booking_status_label (status));
        }
      break;

    case CS_DIFF_FIELD_BOOKING_UID:
    default:
      break;
    }

  return g_strdup (value != NULL && *value != '\0' ? value : C_("no value", "—"));
}

static const char *
diff_field_label (CsDiffField field)
{
  switch (field)
    {
    case CS_DIFF_FIELD_START:
      return _("Start");
    case CS_DIFF_FIELD_END:
      return _("End");
    case CS_DIFF_FIELD_STATUS:
      return _("Status");
    case CS_DIFF_FIELD_BOOKING_UID:
      return _("Booking ID");
    default:
      return "";
    }
}

static void
grid_attach_label (GtkGrid    *grid,
                   const char *text,
                   int         column,
                   int         row,
                   gboolean    heading)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), !heading);
  gtk_widget_set_hexpand (label, TRUE);
  if (heading)
    gtk_widget_add_css_class (label, "heading");
  gtk_grid_attach (grid, label, column, row, 1, 1);
}

static void
fill_diff_grid (CsReviewDialog *self,
                const char     *json)
{
  g_autoptr(GPtrArray) diffs = cs_sync_diff_from_json (json);
  GtkWidget *child;
  guint n_rows = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->diff_grid))) != NULL)
    gtk_grid_remove (self->diff_grid, child);

  gtk_widget_set_visible (self->diff_card, FALSE);
  if (diffs == NULL)
    return;

  grid_attach_label (self->diff_grid, _("Field"), 0, 0, TRUE);
  grid_attach_label (self->diff_grid, _("Database"), 1, 0, TRUE);
  grid_attach_label (self->diff_grid, _("Cal.com"), 2, 0, TRUE);

  for (guint i = 0; i < diffs->len; i++)
    {
      const CsFieldDiff *diff = g_ptr_array_index (diffs, i);
      g_autofree char *local = diff_value_text (diff->field, TRUE, diff->local_value);
      g_autofree char *calcom = diff_value_text (diff->field, FALSE, diff->calcom_value);

      n_rows++;
      grid_attach_label (self->diff_grid, diff_field_label (diff->field), 0, n_rows, FALSE);
      grid_attach_label (self->diff_grid, local, 1, n_rows, FALSE);
      grid_attach_label (self->diff_grid, calcom, 2, n_rows, FALSE);
    }

  gtk_widget_set_visible (self->diff_card, n_rows > 0);
}

/* The suggested link, by the reconciler's own rule on the cached rows
 * with the same start (a handful: fine on the main thread). */
static void
find_suggestion (CsReviewDialog      *self,
                 CsStore             *store,
                 const CsAppointment *appointment,
                 const CsBooking     *booking)
{
  g_autoptr(GPtrArray) appointments = NULL;
  g_autoptr(GPtrArray) bookings = NULL;
  g_autoptr(CsReconcileResult) result = NULL;
  CsReconcileOptions options = { 0 };

  g_clear_pointer (&self->suggested_booking_uid, g_free);
  self->suggested_appointment_id = 0;
  appointments = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_appointment_free);
  bookings = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_booking_free);
  options.company_id = cs_store_get_company_id (store);

  if (appointment != NULL)
    {
      g_autoptr(GPtrArray) cached = NULL;

      if (appointment->sync.status != CS_SYNC_STATUS_ORPHANED_LOCAL ||
          appointment->calcom_booking_uid != NULL)
        return;
      cached = cs_store_list_bookings (store, appointment->starts_at, appointment->starts_at + 1,
                                       NULL);
      for (guint i = 0; cached != NULL && i < cached->len; i++)
        {
          CsBooking *other = g_ptr_array_index (cached, i);

          if (other->sync.status == CS_SYNC_STATUS_ORPHANED_CALCOM)
            g_ptr_array_add (bookings, cs_booking_copy (other));
        }
      if (bookings->len == 0)
        return;
      g_ptr_array_add (appointments, cs_appointment_copy (appointment));
      result = cs_reconcile (appointments, bookings, &options);
      for (guint i = 0; i < result->outcomes->len; i++)
        {
          const CsOutcome *outcome = cs_reconcile_result_get (result, i);

          if (outcome->appointment != NULL && outcome->appointment->id == appointment->id &&
              outcome->suggested_booking != NULL)
            self->suggested_booking_uid = g_strdup (outcome->suggested_booking->uid);
        }
    }
  else if (booking != NULL)
    {
      g_autoptr(GPtrArray) cached = NULL;

      if (booking->sync.status != CS_SYNC_STATUS_ORPHANED_CALCOM)
        return;
      cached = cs_store_list_appointments (store, booking->start, booking->start + 1, NULL);
      for (guint i = 0; cached != NULL && i < cached->len; i++)
        {
          CsAppointment *other = g_ptr_array_index (cached, i);

          if (other->sync.status == CS_SYNC_STATUS_ORPHANED_LOCAL &&
              other->calcom_booking_uid == NULL)
            g_ptr_array_add (appointments, cs_appointment_copy (other));
        }
      if (appointments->len == 0)
        return;
      g_ptr_array_add (bookings, cs_booking_copy (booking));
      result = cs_reconcile (appointments, bookings, &options);
      for (guint i = 0; i < result->outcomes->len; i++)
        {
          const CsOutcome *outcome = cs_reconcile_result_get (result, i);

          if (outcome->appointment == NULL && outcome->booking != NULL &&
              g_strcmp0 (outcome->booking->uid, booking->uid) == 0 &&
              outcome->suggested_appointment != NULL)
            self->suggested_appointment_id = outcome->suggested_appointment->id;
        }
    }
}

static void
fill_suggestion (CsReviewDialog *self,
                 CsStore        *store)
{
  clear_list (self->suggestion_list);

  if (self->suggested_booking_uid != NULL)
    {
      g_autoptr(CsBooking) other = cs_store_get_booking (store, self->suggested_booking_uid, NULL);

      add_row (self->suggestion_list, "suggested-booking-row", _("Cal.com booking"),
               self->suggested_booking_uid);
      if (other != NULL)
        {
          g_autofree char *span = format_span (other->start, other->end);

          add_row (self->suggestion_list, "suggested-title-row", _("Title"), other->title);
          add_row (self->suggestion_list, "suggested-time-row", _("Date/Time"), span);
        }
    }
  else if (self->suggested_appointment_id != 0)
    {
      g_autoptr(CsAppointment) other = NULL;
      g_autofree char *id = g_strdup_printf ("#%" G_GINT64_FORMAT, self->suggested_appointment_id);

      other = cs_store_get_appointment (store, self->suggested_appointment_id, NULL);
      add_row (self->suggestion_list, "suggested-appointment-row", _("Appointment"),
               other != NULL && other->number != NULL ? other->number : id);
      if (other != NULL)
        {
          g_autofree char *span = format_span (other->starts_at, other->ends_at);

          add_row (self->suggestion_list, "suggested-title-row", _("Service"), other->title);
          add_row (self->suggestion_list, "suggested-time-row", _("Date/Time"), span);
        }
    }

  gtk_widget_set_visible (GTK_WIDGET (self->suggestion_group),
                          self->suggested_booking_uid != NULL ||
                          self->suggested_appointment_id != 0);
}

/* The headline and the verification rows */

static const char *
found_label (const CsSyncTracking *sync)
{
  switch (sync->status)
    {
    case CS_SYNC_STATUS_PENDING:
      return _("Not checked yet");
    case CS_SYNC_STATUS_VERIFICATION_PENDING:
      return _("Being checked");
    case CS_SYNC_STATUS_SYNCED:
      return _("Found, data match");
    case CS_SYNC_STATUS_ORPHANED_LOCAL:
      return _("Not found");
    case CS_SYNC_STATUS_ORPHANED_CALCOM:
      return _("Not in the database");
    case CS_SYNC_STATUS_FAILED:
    default:
      return cs_ui_error_label (sync->sync_error_code, sync->sync_error_message);
    }
}

static gboolean
is_decided (const char *resolution,
            CsTime      resolved_at,
            CsTime      snoozed_until)
{
  if (resolved_at == CS_TIME_UNSET || resolution == NULL)
    return FALSE;
  /* Any action but a retry decides the item (the verifier leaves it to
   * the person from then on); a snooze only until it ends. */
  if (g_strcmp0 (resolution, cs_action_kind_to_string (CS_ACTION_SNOOZE)) == 0)
    return snoozed_until > g_get_real_time ();
  return TRUE;
}

static void
fill_headline (CsReviewDialog       *self,
               const CsSyncTracking *sync,
               const char           *resolution,
               const char           *note,
               CsTime                resolved_at,
               CsTime                snoozed_until)
{
  g_autofree char *headline = NULL;
  g_autofree char *detail = NULL;
  const char *what;
  const char *state = NULL;

  what = sync->status == CS_SYNC_STATUS_FAILED
         ? cs_ui_error_label (sync->sync_error_code, sync->sync_error_message)
         : cs_ui_status_label (sync->status);

  if (is_decided (resolution, resolved_at, snoozed_until))
    {
      g_autofree char *when = cs_ui_format_date_time_long (resolved_at);
      g_autofree char *until = cs_ui_format_date_time_long (snoozed_until);

      if (g_strcmp0 (resolution, cs_action_kind_to_string (CS_ACTION_SNOOZE)) == 0)
        {
          state = _("snoozed");
          /* Translators: %s is a date and time. */
          detail = g_strdup_printf (_("Snoozed until %s."), until);
        }
      else if (g_strcmp0 (resolution, cs_action_kind_to_string (CS_ACTION_DISMISS)) == 0)
        {
          state = _("dismissed");
          /* Translators: %s is a date and time. */
          detail = g_strdup_printf (_("Dismissed as a false alarm on %s."), when);
        }
      else if (g_strcmp0 (resolution, cs_action_kind_to_string (CS_ACTION_MARK_RESOLVED)) != 0 &&
               action_done_label (resolution) != NULL)
        {
          state = _("fixed");
          /* Translators: what was done ("Created in Cal.com"), then a date and time. */
          detail = g_strdup_printf (_("%s on %s."), action_done_label (resolution), when);
        }
      else
        {
          state = _("resolved");
          if (note != NULL && *note != '\0')
            /* Translators: %s is a date and time, then the person's note. */
            detail = g_strdup_printf (_("Marked as resolved on %s: “%s”"), when, note);
          else
            /* Translators: %s is a date and time. */
            detail = g_strdup_printf (_("Marked as resolved on %s."), when);
        }
    }
  else if (sync->requires_manual_review)
    {
      g_autofree char *when = cs_ui_format_date_time_long (sync->manual_review_flagged_at);

      state = _("needs review");
      detail = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "Flagged on %s after %u attempt.",
                                             "Flagged on %s after %u attempts.",
                                             sync->sync_attempt_count),
                                when, sync->sync_attempt_count);
    }
  else if (sync->status == CS_SYNC_STATUS_FAILED ||
           sync->status == CS_SYNC_STATUS_ORPHANED_LOCAL ||
           sync->status == CS_SYNC_STATUS_ORPHANED_CALCOM)
    state = _("checking again");

  if (state != NULL)
    /* Translators: the status, then what it means now: "Not in Cal.com — needs review". */
    headline = g_strdup_printf (_("%s — %s"), what, state);
  else
    headline = g_strdup (what);

  gtk_label_set_text (self->headline_label, headline);
  gtk_label_set_text (self->headline_detail, detail != NULL ? detail : "");
  gtk_widget_set_visible (GTK_WIDGET (self->headline_detail), detail != NULL);
  gtk_image_set_from_icon_name (self->headline_icon, cs_ui_status_icon_name (sync->status));
  cs_ui_set_status_classes (GTK_WIDGET (self->headline_icon), sync->status);
  cs_ui_set_status_classes (GTK_WIDGET (self->headline_label), sync->status);
}

static void
fill_tracking_rows (CsReviewDialog       *self,
                    const CsSyncTracking *sync)
{
  g_autofree char *attempts = g_strdup_printf ("%u", sync->sync_attempt_count);

  add_row (self->calcom_list, "found-row", _("Result"), found_label (sync));
  add_time_row (self->calcom_list, "last-check-row", _("Last check"), sync->last_sync_attempt_at);
  if (sync->sync_verified_at != CS_TIME_UNSET)
    add_time_row (self->calcom_list, "verified-row", _("Last verified"), sync->sync_verified_at);
  add_row (self->calcom_list, "attempts-row", _("Attempts"), attempts);
  if (sync->sync_error_message != NULL)
    add_row (self->calcom_list, "error-row", _("Error"), sync->sync_error_message);
}

static void
fill_booking_rows (CsReviewDialog  *self,
                   const CsBooking *booking)
{
  const CsAttendee *attendee = NULL;
  g_autofree char *span = format_span (booking->start, booking->end);

  if (booking->attendees != NULL && booking->attendees->len > 0)
    attendee = g_ptr_array_index (booking->attendees, 0);

  add_row (self->calcom_list, "attendee-row", _("Attendee"), attendee ? attendee->name : NULL);
  add_row (self->calcom_list, "attendee-phone-row", _("Phone"), attendee ? attendee->phone : NULL);
  add_row (self->calcom_list, "attendee-email-row", _("E-mail"), attendee ? attendee->email : NULL);
  add_row (self->calcom_list, "booking-title-row", _("Title"), booking->title);
  add_row (self->calcom_list, "booking-time-row", _("Date/Time"), span);
  add_row (self->calcom_list, "booking-status-row", _("Booking status"),
           cs_ui_booking_status_label (booking->status));
  add_row (self->calcom_list, "booking-uid-row", _("Booking ID"), booking->uid);
}

static void
fill_appointment_rows (CsReviewDialog      *self,
                       const CsAppointment *appointment)
{
  g_autofree char *span = format_span (appointment->starts_at, appointment->ends_at);
  g_autofree char *created_at = cs_ui_format_date_time_long (appointment->created_at);
  g_autofree char *created = NULL;

  if (appointment->source != NULL && *appointment->source != '\0')
    /* Translators: a date and time, then where the appointment came from:
     * "10.10.2026 15:30 (via retell)". */
    created = g_strdup_printf (_("%s (via %s)"), created_at, appointment->source);
  else
    created = g_strdup (created_at);

  add_row (self->database_list, "customer-row", _("Customer"), appointment->customer_name);
  add_row (self->database_list, "phone-row", _("Phone"), appointment->customer_phone);
  add_row (self->database_list, "email-row", _("E-mail"), appointment->customer_email);
  add_row (self->database_list, "service-row", _("Service"), appointment->title);
  add_row (self->database_list, "time-row", _("Date/Time"), span);
  add_row (self->database_list, "status-row", _("Status"),
           cs_ui_crm_status_label (appointment->status));
  add_row (self->database_list, "created-row", _("Created"), created);
  add_row (self->database_list, "booking-id-row", _("Booking ID"),
           appointment->calcom_booking_uid != NULL ? appointment->calcom_booking_uid
                                                   : _("None"));
}

/* The buttons */

static void
set_button_shown (CsReviewDialog *self,
                  ButtonId        id,
                  gboolean        shown)
{
  /* The flow box wraps each button in a child: hide that, or an empty
   * cell stays. */
  gtk_widget_set_visible (gtk_widget_get_parent (self->buttons[id]), shown);
}

static void
update_sensitivity (CsReviewDialog *self)
{
  CsActions *actions = cs_engine_get_actions (self->engine);
  g_autofree char *forbidden = NULL;
  CsRole role;

  if (actions != NULL && cs_actions_get_role (actions, &role, NULL) && !cs_role_may_act (role))
    /* Translators: %s is the role's name as the CRM has it, e.g. "staff". */
    forbidden = g_strdup_printf (_("Your CRM account (%s) may not resolve sync problems. "
                                   "Ask an admin or a manager."),
                                 cs_role_to_string (role));

  for (guint i = 0; i < N_BUTTONS; i++)
    {
      gtk_widget_set_sensitive (self->buttons[i],
                                actions != NULL && forbidden == NULL && self->running < 0);
      gtk_widget_set_tooltip_text (self->buttons[i], forbidden);
      gtk_widget_set_visible (self->spinners[i], self->running == (int) i);
      gtk_spinner_set_spinning (GTK_SPINNER (self->spinners[i]), self->running == (int) i);
    }
}

static void
update_buttons (CsReviewDialog      *self,
                const CsAppointment *appointment,
                const CsBooking     *booking,
                gboolean             have_item)
{
  const CsSyncTracking *sync = appointment != NULL ? &appointment->sync
                               : booking != NULL ? &booking->sync : NULL;
  gboolean problem = FALSE;
  gboolean mismatch = FALSE;
  gboolean decided = FALSE;

  if (sync != NULL)
    {
      problem = sync->status == CS_SYNC_STATUS_FAILED ||
                sync->status == CS_SYNC_STATUS_ORPHANED_LOCAL ||
                sync->status == CS_SYNC_STATUS_ORPHANED_CALCOM;
      mismatch = sync->status == CS_SYNC_STATUS_FAILED &&
                 sync->sync_error_code == CS_ERROR_CODE_DATA_MISMATCH;
    }
  if (appointment != NULL)
    decided = is_decided (appointment->resolution, appointment->resolved_at,
                          appointment->snoozed_until);
  else if (booking != NULL)
    decided = is_decided (booking->resolution, booking->resolved_at, booking->snoozed_until);

  set_button_shown (self, BUTTON_RETRY, have_item);
  set_button_shown (self, BUTTON_CREATE_IN_CALCOM,
                    !decided && appointment != NULL &&
                    sync->status == CS_SYNC_STATUS_ORPHANED_LOCAL);
  set_button_shown (self, BUTTON_CREATE_IN_CRM,
                    !decided && appointment == NULL && sync != NULL &&
                    sync->status == CS_SYNC_STATUS_ORPHANED_CALCOM);
  set_button_shown (self, BUTTON_USE_DATABASE_VALUES,
                    !decided && mismatch && appointment != NULL && booking != NULL);
  set_button_shown (self, BUTTON_USE_CALCOM_VALUES,
                    !decided && mismatch && appointment != NULL && booking != NULL);
  set_button_shown (self, BUTTON_LINK,
                    !decided && (self->suggested_booking_uid != NULL ||
                                 self->suggested_appointment_id != 0));
  set_button_shown (self, BUTTON_MARK_RESOLVED, problem && !decided);
  set_button_shown (self, BUTTON_SNOOZE, problem && !decided);
  set_button_shown (self, BUTTON_DISMISS, problem && !decided);
  set_button_shown (self, BUTTON_CANCEL,
                    appointment != NULL && appointment->status != CS_CRM_STATUS_CANCELLED);

  update_sensitivity (self);
}

/* Loading */

static void
reload (CsReviewDialog *self)
{
  CsStore *store = cs_engine_get_store (self->engine);
  g_autoptr(CsAppointment) appointment = NULL;
  g_autoptr(CsBooking) booking = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autofree char *diff = NULL;
  g_autofree char *title = NULL;

  clear_list (self->database_list);
  clear_list (self->calcom_list);
  clear_list (self->history_list);

  if (store != NULL && self->appointment_id > 0)
    {
      appointment = cs_store_get_appointment (store, self->appointment_id, NULL);
      if (appointment != NULL && appointment->calcom_booking_uid != NULL)
        booking = cs_store_get_booking (store, appointment->calcom_booking_uid, NULL);
    }
  else if (store != NULL && self->booking_uid != NULL)
    booking = cs_store_get_booking (store, self->booking_uid, NULL);

  if (self->appointment_id > 0)
    {
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, self->appointment_id);

      /* Translators: %s is the appointment's number in the CRM. */
      title = g_strdup_printf (_("Appointment #%s"),
                               appointment != NULL && appointment->number != NULL
                               ? appointment->number : number);
    }
  else
    /* Translators: %s is the booking's id in Cal.com. */
    title = g_strdup_printf (_("Booking %s"), self->booking_uid != NULL ? self->booking_uid : "");
  adw_window_title_set_title (self->window_title, title);
  adw_window_title_set_subtitle (self->window_title, _("Sync Review"));
  gtk_window_set_title (GTK_WINDOW (self), title);

  if (appointment == NULL && (self->appointment_id > 0 || booking == NULL))
    {
      gtk_label_set_text (self->headline_label, _("Not in the cache any more"));
      gtk_label_set_text (self->headline_detail,
                          _("It was deleted, or lies outside the verification window."));
      gtk_widget_set_visible (GTK_WIDGET (self->headline_detail), TRUE);
      gtk_image_set_from_icon_name (self->headline_icon, "dialog-question-symbolic");
      gtk_widget_set_visible (GTK_WIDGET (self->database_group), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->calcom_group), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->history_group), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->suggestion_group), FALSE);
      gtk_widget_set_visible (self->diff_card, FALSE);
      g_clear_pointer (&self->suggested_booking_uid, g_free);
      self->suggested_appointment_id = 0;
      update_buttons (self, NULL, NULL, FALSE);
      return;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->database_group), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->calcom_group), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->history_group), TRUE);

  if (appointment != NULL)
    {
      fill_headline (self, &appointment->sync, appointment->resolution,
                     appointment->resolution_note, appointment->resolved_at,
                     appointment->snoozed_until);
      fill_appointment_rows (self, appointment);
      if (booking != NULL)
        add_row (self->calcom_list, "booking-status-row", _("Booking status"),
                 cs_ui_booking_status_label (booking->status));
      fill_tracking_rows (self, &appointment->sync);

      if (appointment->sync.sync_error_code == CS_ERROR_CODE_DATA_MISMATCH)
        cs_store_get_sync_diff (store, appointment->id, &diff, NULL);
      fill_diff_grid (self, diff);

      history = cs_store_list_history (store, appointment->id, NULL);
    }
  else
    {
      fill_headline (self, &booking->sync, booking->resolution, booking->resolution_note,
                     booking->resolved_at, booking->snoozed_until);
      add_row (self->database_list, "no-appointment-row", _("Appointment"),
               _("Not in the database"));
      fill_booking_rows (self, booking);
      fill_tracking_rows (self, &booking->sync);
      fill_diff_grid (self, NULL);
    }

  /* Newest first, whatever order the store keeps. */
  if (history != NULL && history->len > 1)
    {
      const CsHistoryEvent *first = g_ptr_array_index (history, 0);
      const CsHistoryEvent *last = g_ptr_array_index (history, history->len - 1);

      if (first->at < last->at || (first->at == last->at && first->id < last->id))
        for (guint i = 0; i < history->len / 2; i++)
          {
            gpointer tmp = history->pdata[i];

            history->pdata[i] = history->pdata[history->len - 1 - i];
            history->pdata[history->len - 1 - i] = tmp;
          }
    }
  for (guint i = 0; history != NULL && i < history->len; i++)
    add_history_row (self, g_ptr_array_index (history, i));
  if (history == NULL || history->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No events yet"));
      gtk_widget_set_name (row, "no-history-row");
      gtk_widget_add_css_class (row, "dim-label");
      gtk_list_box_append (self->history_list, row);
    }

  find_suggestion (self, store, appointment, appointment == NULL ? booking : NULL);
  fill_suggestion (self, store);
  update_buttons (self, appointment, booking, TRUE);
}

/* Running an action */

static void
show_result (CsReviewDialog *self,
             const char     *text,
             gboolean        failed)
{
  gtk_label_set_text (self->result_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->result_label), TRUE);
  if (failed)
    gtk_widget_add_css_class (GTK_WIDGET (self->result_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->result_label), "error");
}

static void
undo_toast_dismissed_cb (AdwToast       *toast,
                         CsReviewDialog *self)
{
  if (self->undo_toast == toast)
    {
      self->undo_toast = NULL;
      g_clear_pointer (&self->undoable, cs_action_result_free);
    }
}

static void
run_cb (GObject      *object,
        GAsyncResult *res,
        gpointer      user_data)
{
  g_autoptr(CsReviewDialog) self = user_data;
  g_autoptr(CsActionResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  AdwToast *toast;
  gboolean undoable;

  result = cs_actions_run_finish (CS_ACTIONS (object), res, &error);
  if (self->engine == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->running = -1;

  if (result == NULL)
    text = g_strdup (error->message);
  else if (result->error != NULL)
    text = g_strdup (result->error->message);
  else
    text = g_strdup (result->message != NULL ? result->message : _("Done."));
  g_strstrip (text);

  show_result (self, text, result == NULL || result->error != NULL);

  undoable = result != NULL && result->error == NULL && result->key != NULL &&
             (cs_action_kind_is_local (result->kind) || result->kind == CS_ACTION_LINK);
  toast = cs_ui_toast_new (text);
  if (undoable)
    {
      if (self->undo_toast != NULL)
        adw_toast_dismiss (self->undo_toast);
      g_clear_pointer (&self->undoable, cs_action_result_free);
      self->undoable = g_steal_pointer (&result);
      adw_toast_set_button_label (toast, _("_Undo"));
      adw_toast_set_action_name (toast, "review.undo");
      adw_toast_set_timeout (toast, UNDO_TIMEOUT_S);
      self->undo_toast = toast;
      g_signal_connect_object (toast, "dismissed", G_CALLBACK (undo_toast_dismissed_cb), self, 0);
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);

  /* Every view reads the store again, this dialog too (engine_changed_cb). */
  cs_engine_notify_changed (self->engine);
}

static void
run_action (CsReviewDialog     *self,
            ButtonId            button,
            const CsActionArgs *args)
{
  CsActions *actions = cs_engine_get_actions (self->engine);
  CsActionTarget target = { self->appointment_id, self->booking_uid };

  g_assert (button < N_BUTTONS);

  if (actions == NULL || self->running >= 0)
    return;

  self->running = button;
  update_sensitivity (self);
  cs_actions_run_async (actions, buttons[button].kind, &target, args, self->cancellable, run_cb,
                        g_object_ref (self));
}

static void
undo_cb (GObject      *object,
         GAsyncResult *res,
         gpointer      user_data)
{
  g_autoptr(CsReviewDialog) self = user_data;
  g_autoptr(CsActionResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *text;

  result = cs_actions_undo_finish (CS_ACTIONS (object), res, &error);
  if (self->engine == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->running = -1;
  if (result == NULL)
    text = error->message;
  else if (result->error != NULL)
    text = result->error->message;
  else
    text = _("Undone.");

  show_result (self, text, result == NULL || result->error != NULL);
  adw_toast_overlay_add_toast (self->toast_overlay, cs_ui_toast_new (text));
  /* Reloads this dialog too (engine_changed_cb). */
  cs_engine_notify_changed (self->engine);
}

static void
undo_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CsReviewDialog *self = CS_REVIEW_DIALOG (widget);
  CsActions *actions = cs_engine_get_actions (self->engine);
  g_autoptr(CsActionResult) done = g_steal_pointer (&self->undoable);

  if (done == NULL || actions == NULL || self->running >= 0)
    return;

  self->undo_toast = NULL;
  self->running = N_BUTTONS;
  update_sensitivity (self);
  cs_actions_undo_async (actions, done, self->cancellable, undo_cb, g_object_ref (self));
}

/* The questions before an action */

static AdwMessageDialog *
ask (CsReviewDialog *self,
     const char     *heading,
     const char     *body)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                                         heading, body));

  if (self->message_dialog != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->message_dialog),
                                  (gpointer *) &self->message_dialog);
  self->message_dialog = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->message_dialog);
  return dialog;
}

static GtkWidget *
add_entry (AdwMessageDialog *dialog,
           const char       *placeholder)
{
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), placeholder);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_widget_set_name (entry, "entry");
  adw_message_dialog_set_extra_child (dialog, entry);
  return entry;
}

static const char *
entry_text (AdwMessageDialog *dialog)
{
  GtkWidget *entry = adw_message_dialog_get_extra_child (dialog);
  const char *text = entry != NULL ? gtk_editable_get_text (GTK_EDITABLE (entry)) : NULL;

  return text != NULL && *text != '\0' ? text : NULL;
}

static void
resolve_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     CsReviewDialog   *self)
{
  CsActionArgs args;

  if (g_strcmp0 (response, "resolve") != 0)
    return;

  cs_action_args_init (&args);
  args.note = entry_text (dialog);
  run_action (self, BUTTON_MARK_RESOLVED, &args);
}

static void
snooze_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    CsReviewDialog   *self)
{
  CsActionArgs args;
  gint64 days;

  if (g_strcmp0 (response, "day") == 0)
    days = 1;
  else if (g_strcmp0 (response, "week") == 0)
    days = 7;
  else
    return;

  cs_action_args_init (&args);
  args.snooze_until = g_get_real_time () + days * CS_USEC_PER_DAY;
  run_action (self, BUTTON_SNOOZE, &args);
}

static void
cancel_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    CsReviewDialog   *self)
{
  CsActionArgs args;

  if (g_strcmp0 (response, "cancel-appointment") != 0)
    return;

  cs_action_args_init (&args);
  args.reason = entry_text (dialog);
  if (args.reason == NULL)
    args.reason = _("Cancelled during the sync review");
  run_action (self, BUTTON_CANCEL, &args);
}

static void
button_clicked_cb (GtkButton      *button,
                   CsReviewDialog *self)
{
  ButtonId id = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "button-id"));
  AdwMessageDialog *dialog;
  CsActionArgs args;

  cs_action_args_init (&args);

  switch (id)
    {
    case BUTTON_MARK_RESOLVED:
      dialog = ask (self, _("Mark as Resolved?"),
                    _("The problem is no longer shown as needing review. Say what was done: "
                      "the note goes into the audit log."));
      add_entry (dialog, _("Note"));
      adw_message_dialog_add_responses (dialog,
                                        "cancel", _("_Cancel"),
                                        "resolve", _("_Mark as Resolved"),
                                        NULL);
      adw_message_dialog_set_response_appearance (dialog, "resolve", ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_default_response (dialog, "resolve");
      adw_message_dialog_set_close_response (dialog, "cancel");
      g_signal_connect_object (dialog, "response", G_CALLBACK (resolve_response_cb), self, 0);
      gtk_window_present (GTK_WINDOW (dialog));
      return;

    case BUTTON_SNOOZE:
      dialog = ask (self, _("Snooze?"),
                    _("The problem is hidden from the review list until then."));
      adw_message_dialog_add_responses (dialog,
                                        "cancel", _("_Cancel"),
                                        "day", _("For 1 _Day"),
                                        "week", _("For 1 _Week"),
                                        NULL);
      adw_message_dialog_set_default_response (dialog, "day");
      adw_message_dialog_set_close_response (dialog, "cancel");
      g_signal_connect_object (dialog, "response", G_CALLBACK (snooze_response_cb), self, 0);
      gtk_window_present (GTK_WINDOW (dialog));
      return;

    case BUTTON_CANCEL:
      dialog = ask (self, _("Cancel Appointment?"),
                    _("The appointment is cancelled in the CRM database and its booking in "
                      "Cal.com. The customer may be told by either system."));
      add_entry (dialog, _("Reason (optional)"));
      adw_message_dialog_add_responses (dialog,
                                        "keep", _("_Keep Appointment"),
                                        "cancel-appointment", _("_Cancel Appointment"),
                                        NULL);
      adw_message_dialog_set_response_appearance (dialog, "cancel-appointment",
                                                  ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_default_response (dialog, "keep");
      adw_message_dialog_set_close_response (dialog, "keep");
      g_signal_connect_object (dialog, "response", G_CALLBACK (cancel_response_cb), self, 0);
      gtk_window_present (GTK_WINDOW (dialog));
      return;

    case BUTTON_LINK:
      args.link_booking_uid = self->suggested_booking_uid;
      args.link_appointment_id = self->suggested_appointment_id;
      run_action (self, id, &args);
      return;

    case BUTTON_RETRY:
    case BUTTON_CREATE_IN_CALCOM:
    case BUTTON_CREATE_IN_CRM:
    case BUTTON_USE_DATABASE_VALUES:
    case BUTTON_USE_CALCOM_VALUES:
    case BUTTON_DISMISS:
    case N_BUTTONS:
    default:
      run_action (self, id, &args);
      return;
    }
}

static void
make_buttons (CsReviewDialog *self)
{
  for (guint i = 0; i < N_BUTTONS; i++)
    {
      GtkWidget *button = gtk_button_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *label = gtk_label_new_with_mnemonic (_(buttons[i].label));

      gtk_widget_set_halign (box, GTK_ALIGN_CENTER);
      self->spinners[i] = gtk_spinner_new ();
      gtk_widget_set_visible (self->spinners[i], FALSE);
      gtk_box_append (GTK_BOX (box), self->spinners[i]);
      gtk_box_append (GTK_BOX (box), label);
      gtk_label_set_mnemonic_widget (GTK_LABEL (label), button);
      gtk_button_set_child (GTK_BUTTON (button), box);
      gtk_widget_set_name (button, buttons[i].name);
      if (buttons[i].style != NULL)
        gtk_widget_add_css_class (button, buttons[i].style);
      g_object_set_data (G_OBJECT (button), "button-id", GUINT_TO_POINTER (i));
      g_signal_connect (button, "clicked", G_CALLBACK (button_clicked_cb), self);
      gtk_flow_box_append (self->actions_box, button);
      self->buttons[i] = button;
    }
}

/* Class */

static void
engine_changed_cb (CsReviewDialog *self)
{
  /* A run or the outbox changed the row: show it, unless an action of
   * this dialog is under way (its end reloads). */
  if (self->running < 0)
    reload (self);
}

static void
cs_review_dialog_dispose (GObject *object)
{
  CsReviewDialog *self = CS_REVIEW_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  if (self->message_dialog != NULL)
    {
      AdwMessageDialog *dialog = self->message_dialog;

      g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->message_dialog);
      self->message_dialog = NULL;
      gtk_window_destroy (GTK_WINDOW (dialog));
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_REVIEW_DIALOG);
  g_clear_object (&self->engine);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->undoable, cs_action_result_free);
  self->undo_toast = NULL;

  G_OBJECT_CLASS (cs_review_dialog_parent_class)->dispose (object);
}

static void
cs_review_dialog_finalize (GObject *object)
{
  CsReviewDialog *self = CS_REVIEW_DIALOG (object);

  g_free (self->booking_uid);
  g_free (self->suggested_booking_uid);

  G_OBJECT_CLASS (cs_review_dialog_parent_class)->finalize (object);
}

static void
cs_review_dialog_class_init (CsReviewDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_review_dialog_dispose;
  object_class->finalize = cs_review_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/calsync/Calsync/cs-review-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CsReviewDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, CsReviewDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CsReviewDialog, headline);
  gtk_widget_class_bind_template_child (widget_class, CsReviewDialog, headline_icon);
  gtk_widget_class_bind_template_child (widget_class, CsReviewDialog, headline_label);
  gtk_widget_class_bind_template_child (widget_class, CsReviewDialog, headline_detail);
  gtk_widget_class_bind_template_child (widget_class, CsReviewDialog, database_group);
  gtk_widget_class_bind_template_child (widget_class, CsReviewDialog, database_list);
  gtk_widget_class_bind_template_child (widget_class, CsReviewDialog, calcom_group);
  gtk_widget_class_bind_template_child (widget_class, CsReviewDialog, calcom_list);
  gtk_widget_class_bind_template_child (widget_class, CsReviewDialog, diff_card);
  gtk_widget_class_bind_template_child (widget_class, CsReviewDialog, diff_grid);
  gtk_widget_class_bind_template_child (widget_class, CsReviewDialog, suggestion_group);
  gtk_widget_class_bind_template_child (widget_class, CsReviewDialog, suggestion_list);
  gtk_widget_class_bind_template_child (widget_class, CsReviewDialog, history_group);
  gtk_widget_class_bind_template_child (widget_class, CsReviewDialog, history_list);
  gtk_widget_class_bind_template_child (widget_class, CsReviewDialog, resolution_group);
  gtk_widget_class_bind_template_child (widget_class, CsReviewDialog, result_label);
  gtk_widget_class_bind_template_child (widget_class, CsReviewDialog, actions_box);

  gtk_widget_class_install_action (widget_class, "review.undo", NULL, undo_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cs_review_dialog_init (CsReviewDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->running = -1;
  make_buttons (self);
}

/**
 * cs_review_dialog_new:
 * @parent: (nullable): the window it belongs to
 * @engine: the started engine
 * @appointment_id: the appointment, or 0 for a booking only in Cal.com
 * @booking_uid: (nullable): the booking only in Cal.com
 *
 * Makes the review dialog of one item, filled in from the store; it
 * follows the engine's "changed" signal while open.
 *
 * Returns: (transfer floating): a new modal dialog
 */
CsReviewDialog *
cs_review_dialog_new (GtkWindow  *parent,
                      CsEngine   *engine,
                      gint64      appointment_id,
                      const char *booking_uid)
{
  CsReviewDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CS_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (appointment_id > 0 || booking_uid != NULL, NULL);

  self = g_object_new (CS_TYPE_REVIEW_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
  self->engine = g_object_ref (engine);
  self->appointment_id = appointment_id;
  self->booking_uid = g_strdup (booking_uid);
  g_signal_connect_object (engine, "changed", G_CALLBACK (engine_changed_cb), self,
                           G_CONNECT_SWAPPED);
  reload (self);
  return self;
}

/**
 * cs_review_dialog_get_appointment_id:
 * @self: a review dialog
 *
 * Returns: the appointment it reviews, or 0 for a booking only in Cal.com
 */
gint64
cs_review_dialog_get_appointment_id (CsReviewDialog *self)
{
  g_return_val_if_fail (CS_IS_REVIEW_DIALOG (self), 0);

  return self->appointment_id;
}

/**
 * cs_review_dialog_get_booking_uid:
 * @self: a review dialog
 *
 * Returns: (nullable): the booking it reviews when it is only in Cal.com
 */
const char *
cs_review_dialog_get_booking_uid (CsReviewDialog *self)
{
  g_return_val_if_fail (CS_IS_REVIEW_DIALOG (self), NULL);

  return self->booking_uid;
}

/**
 * cs_review_dialog_get_message_dialog:
 * @self: a review dialog
 *
 * Returns: (transfer none) (nullable): the question it asks now (the note
 *   of "Mark as Resolved", the time of "Snooze", the confirmation of
 *   "Cancel Appointment")
 */
AdwMessageDialog *
cs_review_dialog_get_message_dialog (CsReviewDialog *self)
{
  g_return_val_if_fail (CS_IS_REVIEW_DIALOG (self), NULL);

  return self->message_dialog;
}

/**
 * cs_review_dialog_get_busy:
 * @self: a review dialog
 *
 * Returns: %TRUE while one of its actions (or an undo) runs
 */
gboolean
cs_review_dialog_get_busy (CsReviewDialog *self)
{
  g_return_val_if_fail (CS_IS_REVIEW_DIALOG (self), FALSE);

  return self->running >= 0;
}
