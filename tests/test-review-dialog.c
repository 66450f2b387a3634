/* test-review-dialog.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-demo.h"
#include "cs-review-dialog.h"
#include "cs-sim-server.h"
#include "cs-ui-util.h"
#include "ui-test-util.h"

#define N_APPOINTMENTS 200

typedef enum
{
  PICK_SYNCED,
  PICK_PENDING,
  PICK_FAILED,
  PICK_MISMATCH,
  PICK_ORPHANED_LOCAL,
  PICK_BOOKABLE_ORPHAN,
  PICK_UPCOMING_SYNCED,
} Pick;

static CsStore *
store_of (UiTestFixture *fixture)
{
  return cs_engine_get_store (fixture->engine);
}

static CsSimDataset *
dataset_of (UiTestFixture *fixture)
{
  return cs_sim_server_get_dataset (cs_demo_get_server (fixture->demo));
}

static gboolean
picks (const CsAppointment *a,
       Pick                 pick)
{
  if (a->status == CS_CRM_STATUS_CANCELLED || a->resolved_at != CS_TIME_UNSET)
    return FALSE;

  switch (pick)
    {
    case PICK_SYNCED:
      return a->sync.status == CS_SYNC_STATUS_SYNCED;
    case PICK_PENDING:
      return a->sync.status == CS_SYNC_STATUS_PENDING;
    case PICK_FAILED:
      return a->sync.status == CS_SYNC_STATUS_FAILED &&
             a->sync.sync_error_code != CS_ERROR_CODE_DATA_MISMATCH;
    case PICK_MISMATCH:
      return a->sync.status == CS_SYNC_STATUS_FAILED &&
             a->sync.sync_error_code == CS_ERROR_CODE_DATA_MISMATCH &&
             !g_str_has_prefix (a->sync.sync_error_message, "Conflict");
    case PICK_ORPHANED_LOCAL:
      return a->sync.status == CS_SYNC_STATUS_ORPHANED_LOCAL && a->calcom_booking_uid != NULL;
    /* One Cal.com takes: ahead (no booking in the past) and with the
     * e-mail an event type may require. */
    /* Cal.com cancels no booking that has ended. */
    case PICK_UPCOMING_SYNCED:
      return a->sync.status == CS_SYNC_STATUS_SYNCED && a->calcom_booking_uid != NULL &&
             a->starts_at > g_get_real_time () + CS_USEC_PER_HOUR;
    case PICK_BOOKABLE_ORPHAN:
      return a->sync.status == CS_SYNC_STATUS_ORPHANED_LOCAL && a->calcom_booking_uid != NULL &&
             a->starts_at > g_get_real_time () + CS_USEC_PER_HOUR &&
             a->customer_email != NULL && a->customer_email[0] != '\0';
    default:
      g_assert_not_reached ();
    }
}

/* An appointment of the cache in that state, or NULL. */
static CsAppointment *
find_appointment (UiTestFixture *fixture,
                  Pick           pick)
{
  g_autoptr(GPtrArray) all = cs_store_list_appointments (store_of (fixture), 1, G_MAXINT64, NULL);

  g_assert_nonnull (all);
  for (guint i = 0; i < all->len; i++)
    {
      CsAppointment *a = g_ptr_array_index (all, i);

      if (picks (a, pick))
        return cs_appointment_copy (a);
    }
  return NULL;
}

/* A comprehensive check leaves no pending row and no API failure: make
 * one from a synced row of the cache, as a run would have written it. */
static CsAppointment *
make_appointment (UiTestFixture *fixture,
                  Pick           pick)
{
  g_autoptr(CsAppointment) a = find_appointment (fixture, PICK_SYNCED);
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (a);
  if (pick == PICK_PENDING)
    {
      a->sync.status = CS_SYNC_STATUS_PENDING;
      a->sync.sync_attempt_count = 0;
    }
  else
    {
      g_assert_cmpint (pick, ==, PICK_FAILED);
      a->sync.status = CS_SYNC_STATUS_FAILED;
      a->sync.sync_error_code = CS_ERROR_CODE_VERIFICATION_ERROR;
      g_free (a->sync.sync_error_message);
      a->sync.sync_error_message = g_strdup ("Cal.com lookup failed: timeout");
      a->sync.sync_attempt_count = 1;
    }
  g_ptr_array_add (rows, a);
  g_assert_true (cs_store_save_appointments (store_of (fixture), rows, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&a);
}

static CsReviewDialog *
open_dialog (UiTestFixture *fixture,
             gint64         appointment_id,
             const char    *booking_uid)
{
  CsReviewDialog *dialog = cs_review_dialog_new (NULL, fixture->engine, appointment_id,
                                                 booking_uid);

  gtk_window_present (GTK_WINDOW (dialog));
  ui_test_drain ();
  return dialog;
}

static GtkWidget *
find (CsReviewDialog *dialog,
      const char     *name)
{
  GtkWidget *widget = ui_test_find_by_name (GTK_WIDGET (dialog), name);

  g_assert_nonnull (widget);
  return widget;
}

static gboolean
button_shown (CsReviewDialog *dialog,
              const char     *name)
{
  GtkWidget *button = find (dialog, name);

  return gtk_widget_get_visible (gtk_widget_get_parent (button));
}

static const char *
row_value (CsReviewDialog *dialog,
           const char     *row_name)
{
  GtkWidget *label = ui_test_find_by_name (find (dialog, row_name), "value");

  g_assert_nonnull (label);
  g_assert_false (gtk_label_get_use_markup (GTK_LABEL (label)));
  return gtk_label_get_text (GTK_LABEL (label));
}

static const char *
headline (CsReviewDialog *dialog)
{
  return gtk_label_get_text (GTK_LABEL (find (dialog, "headline-label")));
}

static gboolean
dialog_idle (gpointer user_data)
{
  return !cs_review_dialog_get_busy (CS_REVIEW_DIALOG (user_data));
}

/* Clicks a button: it spins, every resolution button is off until the
 * action ends, then the dialog is still open with the result in it. */
static void
click_and_wait (CsReviewDialog *dialog,
                const char     *name)
{
  GtkWidget *button = find (dialog, name);

  g_assert_true (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  if (cs_review_dialog_get_message_dialog (dialog) != NULL)
    return;

  g_assert_true (cs_review_dialog_get_busy (dialog));
  g_assert_false (gtk_widget_get_sensitive (button));
  g_assert_false (gtk_widget_get_sensitive (find (dialog, "retry-button")));
  g_assert_nonnull (ui_test_find_by_type (button, GTK_TYPE_SPINNER));
  g_assert_true (gtk_widget_get_visible (ui_test_find_by_type (button, GTK_TYPE_SPINNER)));
  ui_test_wait_until (dialog_idle, dialog, "the action to end");
  g_assert_true (gtk_widget_get_visible (find (dialog, "result-label")));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
}

static void
answer (CsReviewDialog *dialog,
        const char     *response,
        const char     *entry_text)
{
  AdwMessageDialog *question = cs_review_dialog_get_message_dialog (dialog);

  g_assert_nonnull (question);
  if (entry_text != NULL)
    gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (question)),
                           entry_text);
  adw_message_dialog_response (question, response);
  ui_test_drain ();
  if (cs_review_dialog_get_busy (dialog))
    ui_test_wait_until (dialog_idle, dialog, "the action to end");
}

static gboolean
pointer_cleared (gpointer user_data)
{
  return *(gpointer *) user_data == NULL;
}

static guint
history_length (UiTestFixture *fixture,
                gint64         id)
{
  g_autoptr(GPtrArray) history = cs_store_list_history (store_of (fixture), id, NULL);

  return history != NULL ? history->len : 0;
}

static void
setup (UiTestFixture *fixture,
       gconstpointer  data)
{
  ui_test_fixture_setup (fixture, N_APPOINTMENTS, FALSE);
  ui_test_verify (fixture);
}

static void
teardown (UiTestFixture *fixture,
          gconstpointer  data)
{
  ui_test_fixture_teardown (fixture);
}

/* Each status shows its sections and only the buttons that fit it. */
static void
test_sections (UiTestFixture *fixture,
               gconstpointer  data)
{
  static const struct
  {
    Pick        pick;
    gboolean    diff;
    const char *shown[8];
    const char *hidden[8];
  } cases[] = {
    { PICK_SYNCED, FALSE,
      { "retry-button", "cancel-button" },
      { "create-in-calcom-button", "create-in-crm-button", "mark-resolved-button",
        "snooze-button", "dismiss-button", "use-database-values-button", "link-button" } },
    { PICK_PENDING, FALSE,
      { "retry-button", "cancel-button" },
      { "create-in-calcom-button", "mark-resolved-button", "snooze-button", "dismiss-button" } },
    { PICK_FAILED, FALSE,
      { "retry-button", "mark-resolved-button", "snooze-button", "dismiss-button",
        "cancel-button" },
      { "create-in-calcom-button", "create-in-crm-button", "use-database-values-button" } },
    { PICK_MISMATCH, TRUE,
      { "retry-button", "use-database-values-button", "use-calcom-values-button",
        "mark-resolved-button", "cancel-button" },
      { "create-in-calcom-button", "create-in-crm-button", "link-button" } },
    { PICK_ORPHANED_LOCAL, FALSE,
      { "retry-button", "create-in-calcom-button", "mark-resolved-button", "snooze-button",
        "dismiss-button", "cancel-button" },
      { "create-in-crm-button", "use-database-values-button", "use-calcom-values-button" } },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(CsAppointment) a = find_appointment (fixture, cases[c].pick);
      CsReviewDialog *dialog;

      if (a == NULL && (cases[c].pick == PICK_PENDING || cases[c].pick == PICK_FAILED))
        a = make_appointment (fixture, cases[c].pick);
      g_assert_nonnull (a);
      dialog = open_dialog (fixture, a->id, NULL);

      g_assert_true (gtk_widget_get_visible (find (dialog, "database-group")));
      g_assert_true (gtk_widget_get_visible (find (dialog, "calcom-group")));
      g_assert_true (gtk_widget_get_visible (find (dialog, "history-group")));
      g_assert_cmpstr (row_value (dialog, "customer-row"), ==, a->customer_name);
      g_assert_cmpstr (row_value (dialog, "attempts-row"), !=, "");
      g_assert_nonnull (strstr (headline (dialog),
                                a->sync.status == CS_SYNC_STATUS_FAILED
                                ? cs_ui_error_label (a->sync.sync_error_code,
                                                     a->sync.sync_error_message)
                                : cs_ui_status_label (a->sync.status)));
      g_assert_cmpint (gtk_widget_get_visible (find (dialog, "diff-card")), ==, cases[c].diff);
      if (cases[c].diff)
        g_assert_nonnull (ui_test_find_label (find (dialog, "diff-grid"), "Database"));

      for (guint i = 0; cases[c].shown[i] != NULL; i++)
        g_assert_true (button_shown (dialog, cases[c].shown[i]));
      for (guint i = 0; cases[c].hidden[i] != NULL; i++)
        g_assert_false (button_shown (dialog, cases[c].hidden[i]));

      gtk_window_destroy (GTK_WINDOW (dialog));
    }
}

/* A booking only in Cal.com: its own rows, "Create in Database", no
 * cancel; a suggested pair shows the link on both sides. */
static void
test_orphaned_calcom_and_link (UiTestFixture *fixture,
                               gconstpointer  data)
{
  g_autoptr(GPtrArray) bookings = cs_store_list_bookings (store_of (fixture), 1, G_MAXINT64, NULL);
  GPtrArray *rows = cs_sim_dataset_get_appointments (dataset_of (fixture));
  CsReviewDialog *dialog;
  const CsSimTruth *pair = NULL;
  CsBooking *orphan = NULL;

  for (guint i = 0; i < bookings->len && orphan == NULL; i++)
    {
      CsBooking *b = g_ptr_array_index (bookings, i);

      if (b->sync.status == CS_SYNC_STATUS_ORPHANED_CALCOM && b->resolved_at == CS_TIME_UNSET)
        orphan = b;
    }
  g_assert_nonnull (orphan);

  dialog = open_dialog (fixture, 0, orphan->uid);
  g_assert_cmpstr (row_value (dialog, "booking-uid-row"), ==, orphan->uid);
  g_assert_nonnull (ui_test_find_by_name (GTK_WIDGET (dialog), "no-appointment-row"));
  g_assert_true (button_shown (dialog, "create-in-crm-button"));
  g_assert_true (button_shown (dialog, "retry-button"));
  g_assert_false (button_shown (dialog, "create-in-calcom-button"));
  g_assert_false (button_shown (dialog, "cancel-button"));
  gtk_window_destroy (GTK_WINDOW (dialog));

  for (guint i = 0; i < rows->len && pair == NULL; i++)
    {
      CsSimAppointment *row = g_ptr_array_index (rows, i);
      const CsSimTruth *truth = cs_sim_dataset_get_truth (dataset_of (fixture),
                                                          row->appointment->id);

      if (truth != NULL && truth->suggested_booking_uid != NULL)
        pair = truth;
    }
  /* The simulator's company always has suggested pairs. */
  g_assert_nonnull (pair);

  dialog = open_dialog (fixture, pair->appointment_id, NULL);
  g_assert_true (gtk_widget_get_visible (find (dialog, "suggestion-group")));
  g_assert_cmpstr (row_value (dialog, "suggested-booking-row"), ==, pair->suggested_booking_uid);
  g_assert_true (button_shown (dialog, "link-button"));
  gtk_window_destroy (GTK_WINDOW (dialog));

  dialog = open_dialog (fixture, 0, pair->suggested_booking_uid);
  g_assert_true (gtk_widget_get_visible (find (dialog, "suggestion-group")));
  g_assert_true (button_shown (dialog, "link-button"));

  /* Linking from the booking's side ties the appointment to it. */
  click_and_wait (dialog, "link-button");
  {
    g_autoptr(CsAppointment) linked = cs_store_get_appointment (store_of (fixture),
                                                                pair->appointment_id, NULL);

    g_assert_cmpstr (linked->calcom_booking_uid, ==, pair->suggested_booking_uid);
  }
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Retry verifies the item now: a new history event, shown at once. */
static void
test_retry (UiTestFixture *fixture,
            gconstpointer  data)
{
  g_autoptr(CsAppointment) a = find_appointment (fixture, PICK_ORPHANED_LOCAL);
  CsReviewDialog *dialog;
  guint before;

  g_assert_nonnull (a);
  before = history_length (fixture, a->id);
  dialog = open_dialog (fixture, a->id, NULL);
  click_and_wait (dialog, "retry-button");
  g_assert_cmpuint (history_length (fixture, a->id), >, before);
  g_assert_true (gtk_widget_get_sensitive (find (dialog, "retry-button")));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* "Create in Cal.com" books it in the simulator; the row is tied to the
 * new booking, and the dialog says so without closing. */
static void
test_create_in_calcom (UiTestFixture *fixture,
                       gconstpointer  data)
{
  g_autoptr(CsAppointment) a = find_appointment (fixture, PICK_BOOKABLE_ORPHAN);
  g_autoptr(CsAppointment) after = NULL;
  CsReviewDialog *dialog;

  g_assert_nonnull (a);
  g_assert_null (cs_sim_dataset_lookup_booking (dataset_of (fixture), a->calcom_booking_uid));
  dialog = open_dialog (fixture, a->id, NULL);
  click_and_wait (dialog, "create-in-calcom-button");

  after = cs_store_get_appointment (store_of (fixture), a->id, NULL);
  g_assert_nonnull (after->calcom_booking_uid);
  g_assert_cmpstr (after->calcom_booking_uid, !=, a->calcom_booking_uid);
  g_assert_nonnull (cs_sim_dataset_lookup_booking (dataset_of (fixture),
                                                   after->calcom_booking_uid));
  g_assert_cmpstr (row_value (dialog, "booking-id-row"), ==, after->calcom_booking_uid);
  g_assert_false (button_shown (dialog, "create-in-calcom-button"));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Mark as resolved asks for a note, keeps it, and Undo restores the
 * problem. */
static void
test_mark_resolved_and_undo (UiTestFixture *fixture,
                             gconstpointer  data)
{
  g_autoptr(CsAppointment) a = find_appointment (fixture, PICK_ORPHANED_LOCAL);
  g_autoptr(CsAppointment) resolved = NULL;
  g_autoptr(CsAppointment) undone = NULL;
  CsReviewDialog *dialog;
  GtkWidget *undo;

  g_assert_nonnull (a);
  dialog = open_dialog (fixture, a->id, NULL);
  click_and_wait (dialog, "mark-resolved-button");
  answer (dialog, "resolve", "Booked by phone, <i>done</i>");

  resolved = cs_store_get_appointment (store_of (fixture), a->id, NULL);
  g_assert_cmpstr (resolved->resolution, ==, "mark_resolved");
  g_assert_cmpstr (resolved->resolution_note, ==, "Booked by phone, <i>done</i>");
  g_assert_nonnull (strstr (headline (dialog), "resolved"));
  g_assert_false (button_shown (dialog, "mark-resolved-button"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find (dialog, "result-label"))), ==,
                   "Marked as resolved.");

  /* The toast offers Undo. */
  undo = ui_test_find_button (GTK_WIDGET (dialog), "_Undo");
  g_assert_nonnull (undo);
  g_signal_emit_by_name (undo, "clicked");
  g_assert_true (cs_review_dialog_get_busy (dialog));
  ui_test_wait_until (dialog_idle, dialog, "the undo to end");
  undone = cs_store_get_appointment (store_of (fixture), a->id, NULL);
  g_assert_null (undone->resolution);
  g_assert_cmpint (undone->resolved_at, ==, CS_TIME_UNSET);
  g_assert_true (button_shown (dialog, "mark-resolved-button"));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Cancel asks first (destructive), then cancels it in the CRM. */
static void
test_cancel (UiTestFixture *fixture,
             gconstpointer  data)
{
  g_autoptr(CsAppointment) a = find_appointment (fixture, PICK_UPCOMING_SYNCED);
  g_autoptr(CsAppointment) after = NULL;
  AdwMessageDialog *question;
  CsSimAppointment *remote;
  CsReviewDialog *dialog;

  g_assert_nonnull (a);
  dialog = open_dialog (fixture, a->id, NULL);

  /* Keeping it does nothing. */
  click_and_wait (dialog, "cancel-button");
  answer (dialog, "keep", NULL);
  remote = cs_sim_dataset_lookup_appointment (dataset_of (fixture), a->id);
  g_assert_cmpint (remote->appointment->status, !=, CS_CRM_STATUS_CANCELLED);

  click_and_wait (dialog, "cancel-button");
  question = cs_review_dialog_get_message_dialog (dialog);
  g_assert_cmpint (adw_message_dialog_get_response_appearance (question, "cancel-appointment"),
                   ==, ADW_RESPONSE_DESTRUCTIVE);
  answer (dialog, "cancel-appointment", "Customer called");

  remote = cs_sim_dataset_lookup_appointment (dataset_of (fixture), a->id);
  g_assert_cmpint (remote->appointment->status, ==, CS_CRM_STATUS_CANCELLED);
  g_assert_cmpstr (remote->appointment->calcom_booking_uid, ==, a->calcom_booking_uid);
  g_assert_cmpint (cs_sim_dataset_lookup_booking (dataset_of (fixture),
                                                  a->calcom_booking_uid)->booking->status,
                   ==, CS_BOOKING_STATUS_CANCELLED);
  after = cs_store_get_appointment (store_of (fixture), a->id, NULL);
  g_assert_cmpstr (after->resolution, ==, "cancel");
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (find (dialog, "headline-detail"))),
                            "Appointment cancelled"));
  g_assert_true (gtk_widget_get_visible (find (dialog, "result-label")));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Snooze offers a day or a week; the problem hides its decisions until
 * then, and the toast can undo it. */
static void
test_snooze (UiTestFixture *fixture,
             gconstpointer  data)
{
  g_autoptr(CsAppointment) a = find_appointment (fixture, PICK_ORPHANED_LOCAL);
  g_autoptr(CsAppointment) after = NULL;
  CsReviewDialog *dialog;

  g_assert_nonnull (a);
  dialog = open_dialog (fixture, a->id, NULL);
  click_and_wait (dialog, "snooze-button");
  answer (dialog, "week", NULL);

  after = cs_store_get_appointment (store_of (fixture), a->id, NULL);
  g_assert_cmpstr (after->resolution, ==, "snooze");
  g_assert_cmpint (after->snoozed_until, >, g_get_real_time () + 6 * CS_USEC_PER_DAY);
  g_assert_false (button_shown (dialog, "snooze-button"));
  g_assert_false (button_shown (dialog, "create-in-calcom-button"));
  g_assert_true (button_shown (dialog, "retry-button"));
  g_assert_nonnull (strstr (headline (dialog), "snoozed"));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* With the CRM down, a decision waits in the outbox, and the dialog says
 * so. */
static void
test_queued (UiTestFixture *fixture,
             gconstpointer  data)
{
  g_autoptr(CsAppointment) a = find_appointment (fixture, PICK_FAILED);
  CsSimServer *server = cs_demo_get_server (fixture->demo);
  CsSimFaults faults;
  CsReviewDialog *dialog;
  const char *text;

  if (a == NULL)
    a = find_appointment (fixture, PICK_ORPHANED_LOCAL);
  g_assert_nonnull (a);
  dialog = open_dialog (fixture, a->id, NULL);
  /* The first action asks the CRM for the role: let it answer that. */
  click_and_wait (dialog, "retry-button");
  cs_sim_faults_init (&faults);
  faults.force_status = 503;
  cs_sim_server_set_faults (server, CS_SIM_SERVICE_BACKEND, &faults);

  click_and_wait (dialog, "dismiss-button");
  text = gtk_label_get_text (GTK_LABEL (find (dialog, "result-label")));
  g_assert_nonnull (strstr (text, "Dismissed"));
  g_assert_nonnull (strstr (text, "Saved; it will be sent when the CRM answers again."));
  g_assert_false (button_shown (dialog, "dismiss-button"));

  cs_sim_server_clear_faults (server, CS_SIM_SERVICE_BACKEND);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* With Cal.com down, "Create in Cal.com" is kept and the dialog says so:
 * never "Booked" before Cal.com has the booking, and the CRM gets no audit
 * entry for it yet. */
static void
test_create_waits_for_calcom (UiTestFixture *fixture,
                              gconstpointer  data)
{
  g_autoptr(CsAppointment) a = find_appointment (fixture, PICK_BOOKABLE_ORPHAN);
  g_autoptr(CsAppointment) after = NULL;
  CsSimServer *server = cs_demo_get_server (fixture->demo);
  guint n_audit = cs_sim_server_get_audit_entries (server)->len;
  guint n_created = cs_sim_server_get_created_bookings (server)->len;
  CsReviewDialog *dialog;
  CsSimFaults faults;
  const char *text;

  g_assert_nonnull (a);
  dialog = open_dialog (fixture, a->id, NULL);
  cs_sim_faults_init (&faults);
  faults.force_status = 503;
  cs_sim_server_set_faults (server, CS_SIM_SERVICE_CALCOM, &faults);

  click_and_wait (dialog, "create-in-calcom-button");
  text = gtk_label_get_text (GTK_LABEL (find (dialog, "result-label")));
  g_assert_cmpstr (text, ==, "Saved; it will be sent when Cal.com answers again.");
  g_assert_null (strstr (text, "Booked"));
  g_assert_cmpuint (cs_sim_server_get_created_bookings (server)->len, ==, n_created);
  g_assert_cmpuint (cs_sim_server_get_audit_entries (server)->len, ==, n_audit);
  after = cs_store_get_appointment (store_of (fixture), a->id, NULL);
  g_assert_cmpstr (after->resolution, ==, "create_in_calcom");
  g_assert_cmpuint (cs_actions_get_n_waiting (cs_engine_get_actions (fixture->engine)), ==, 1);

  cs_sim_server_clear_faults (server, CS_SIM_SERVICE_CALCOM);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Closing the dialog while it asks a question, or while an action runs,
 * takes the question along and leaves the action to finish alone. */
static void
test_close_early (UiTestFixture *fixture,
                  gconstpointer  data)
{
  g_autoptr(CsAppointment) a = find_appointment (fixture, PICK_ORPHANED_LOCAL);
  AdwMessageDialog *question;
  CsReviewDialog *dialog;

  g_assert_nonnull (a);
  dialog = open_dialog (fixture, a->id, NULL);
  click_and_wait (dialog, "cancel-button");
  question = cs_review_dialog_get_message_dialog (dialog);
  g_assert_nonnull (question);
  g_object_add_weak_pointer (G_OBJECT (question), (gpointer *) &question);
  gtk_window_destroy (GTK_WINDOW (dialog));
  ui_test_drain ();
  g_assert_null (question);

  dialog = open_dialog (fixture, a->id, NULL);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_signal_emit_by_name (find (dialog, "retry-button"), "clicked");
  g_assert_true (cs_review_dialog_get_busy (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));
  /* The action holds the dialog until it ends, then lets it go. */
  ui_test_wait_until (pointer_cleared, &dialog, "the action to end");
}

/* Staff may look, not act: every button off, with the reason. */
static void
test_staff (UiTestFixture *fixture,
            gconstpointer  data)
{
  g_autoptr(CsAppointment) a = find_appointment (fixture, PICK_ORPHANED_LOCAL);
  CsActions *actions = cs_engine_get_actions (fixture->engine);
  CsReviewDialog *dialog;
  GtkWidget *retry;

  g_assert_nonnull (a);
  cs_actions_set_role (actions, CS_ROLE_STAFF, 7);
  dialog = open_dialog (fixture, a->id, NULL);
  retry = find (dialog, "retry-button");
  g_assert_false (gtk_widget_get_sensitive (retry));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (retry), "staff"));
  g_assert_false (gtk_widget_get_sensitive (find (dialog, "create-in-calcom-button")));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Server text with markup characters shows as it is. */
static void
test_markup (UiTestFixture *fixture,
             gconstpointer  data)
{
  g_autoptr(CsAppointment) a = find_appointment (fixture, PICK_ORPHANED_LOCAL);
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  CsReviewDialog *dialog;

  g_assert_nonnull (a);
  g_free (a->customer_name);
  a->customer_name = g_strdup ("<b>Tom</b> & Klein");
  g_free (a->title);
  a->title = g_strdup ("Cut <span>&amp;");
  g_ptr_array_add (rows, a);
  g_assert_true (cs_store_save_appointments (store_of (fixture), rows, &error));
  g_assert_no_error (error);

  dialog = open_dialog (fixture, a->id, NULL);
  g_assert_cmpstr (row_value (dialog, "customer-row"), ==, "<b>Tom</b> & Klein");
  g_assert_cmpstr (row_value (dialog, "service-row"), ==, "Cut <span>&amp;");
  gtk_window_destroy (GTK_WINDOW (dialog));
}


static void
after_paint_cb (GdkFrameClock *clock,
                guint         *n_paints)
{
  (*n_paints)++;
}

static gboolean
painted (gpointer user_data)
{
  return *(guint *) user_data >= 3;
}

static void
test_screenshots (UiTestFixture *fixture,
                  gconstpointer  data)
{
  gboolean temporary;
  g_autofree char *dir = ui_test_png_dir ("CS_REVIEW_SCREENSHOTS", &temporary);
  const Pick picks_[] = { PICK_ORPHANED_LOCAL, PICK_MISMATCH };
  const char *names[] = { "review-orphaned-local.png", "review-mismatch.png",
                          "review-orphaned-calcom.png" };


  for (guint i = 0; i < G_N_ELEMENTS (picks_) + 1; i++)
    {
      g_autoptr(CsAppointment) a = NULL;
      g_autoptr(GPtrArray) bookings = NULL;
      const char *uid = NULL;
      g_autofree char *path = NULL;
      CsReviewDialog *dialog;
      GdkFrameClock *clock;
      guint n_paints = 0;
      gulong handler;

      /* Last, a booking only in Cal.com. */
      if (i < G_N_ELEMENTS (picks_))
        a = find_appointment (fixture, picks_[i]);
      else
        bookings = cs_store_list_bookings (store_of (fixture), 1, G_MAXINT64, NULL);
      for (guint b = 0; bookings != NULL && b < bookings->len && uid == NULL; b++)
        {
          CsBooking *booking = g_ptr_array_index (bookings, b);

          if (booking->sync.status == CS_SYNC_STATUS_ORPHANED_CALCOM)
            uid = booking->uid;
        }
      if (a == NULL && uid == NULL)
        continue;
      dialog = cs_review_dialog_new (NULL, fixture->engine, a != NULL ? a->id : 0, uid);
      gtk_window_set_default_size (GTK_WINDOW (dialog), 640, 1300);
      gtk_widget_realize (GTK_WIDGET (dialog));
      clock = gtk_widget_get_frame_clock (GTK_WIDGET (dialog));
      handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &n_paints);
      gtk_window_present (GTK_WINDOW (dialog));
      ui_test_wait_until (painted, &n_paints, "the dialog to be drawn");
      g_signal_handler_disconnect (clock, handler);
      path = g_build_filename (dir, names[i], NULL);
      g_assert_true (ui_test_save_png (GTK_WIDGET (dialog), TRUE, path));
      ui_test_check_png (path, temporary);
      g_free (path);
      /* The whole content, as if scrolled through. */
      path = g_strconcat (dir, "/full-", names[i], NULL);
      g_assert_true (ui_test_save_png (gtk_widget_get_parent (find (dialog, "headline")), TRUE, path));
      ui_test_check_png (path, temporary);
      gtk_window_destroy (GTK_WINDOW (dialog));
    }

  ui_test_png_dir_done (dir, temporary);
}

int
main (int    argc,
      char **argv)
{
  ui_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/calsync/ui/review-dialog/" path, UiTestFixture, NULL, setup, func, teardown)

  ADD ("sections", test_sections);
  ADD ("orphaned-calcom-and-link", test_orphaned_calcom_and_link);
  ADD ("retry", test_retry);
  ADD ("create-in-calcom", test_create_in_calcom);
  ADD ("mark-resolved-and-undo", test_mark_resolved_and_undo);
  ADD ("cancel", test_cancel);
  ADD ("snooze", test_snooze);
  ADD ("queued", test_queued);
  ADD ("create-waits-for-calcom", test_create_waits_for_calcom);
  ADD ("close-early", test_close_early);
  ADD ("staff", test_staff);
  ADD ("markup", test_markup);
  ADD ("screenshots", test_screenshots);

#undef ADD

  return g_test_run ();
}
