/* cs-appointments-view.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "cs-appointments-view.h"
#include "cs-slot-model.h"
#include "cs-ui-util.h"

/**
 * CsAppointmentsView:
 *
 * The appointment list: a #GtkColumnView over the window's
 * #CsAppointmentModel (through a #GtkMultiSelection, never a copy of the
 * rows), with status chips, a search entry, per-row Retry and Details,
 * bulk Retry and Mark as resolved for a selection, and the empty states.
 *
 * The model sorts, filters and searches in memory; the columns' sorters
 * are never used to sort, only to learn which column the user sorted by.
 */

/* Upcoming problems this close get "in 2 h" beside their start. */
#define RELATIVE_HORIZON (7 * CS_USEC_PER_DAY)

typedef struct
{
  const char *label;
  guint       filter;
} Chip;

/* The chips, in order; "All" is the first. */
static const Chip chips[] = {
  { N_("All"), CS_APPOINTMENT_FILTER_ALL },
  { N_("Needs review"), CS_APPOINTMENT_FILTER_NEEDS_REVIEW },
  { N_("Retrying"), CS_APPOINTMENT_FILTER_RETRYING },
  { N_("Failed"), CS_APPOINTMENT_FILTER_STATUS (CS_SYNC_STATUS_FAILED) },
  { N_("Not in Cal.com"), CS_APPOINTMENT_FILTER_STATUS (CS_SYNC_STATUS_ORPHANED_LOCAL) },
  { N_("Only in Cal.com"), CS_APPOINTMENT_FILTER_STATUS (CS_SYNC_STATUS_ORPHANED_CALCOM) },
  { N_("Pending"), (CS_APPOINTMENT_FILTER_STATUS (CS_SYNC_STATUS_PENDING) |
                    CS_APPOINTMENT_FILTER_STATUS (CS_SYNC_STATUS_VERIFICATION_PENDING)) },
  { N_("Synced"), CS_APPOINTMENT_FILTER_STATUS (CS_SYNC_STATUS_SYNCED) },
};

/* The filters that show problems only: no row there means all is well. */
#define PROBLEM_FILTERS (CS_APPOINTMENT_FILTER_NEEDS_REVIEW | \
                         CS_APPOINTMENT_FILTER_RETRYING | \
                         CS_APPOINTMENT_FILTER_STATUS (CS_SYNC_STATUS_FAILED) | \
                         CS_APPOINTMENT_FILTER_STATUS (CS_SYNC_STATUS_ORPHANED_LOCAL) | \
                         CS_APPOINTMENT_FILTER_STATUS (CS_SYNC_STATUS_ORPHANED_CALCOM))

typedef enum
{
  EMPTY_NONE,
  EMPTY_NOT_SET_UP,
  EMPTY_ALL_SYNCED,
  EMPTY_NO_MATCH,
  EMPTY_NO_APPOINTMENTS,
} EmptyState;

struct _CsAppointmentsView
{
  AdwBin              parent_instance;

  /* Template widgets */
  GtkSearchEntry     *search_entry;
  GtkBox             *chips_box;
  GtkStack           *content_stack;
  GtkColumnView      *column_view;
  AdwStatusPage      *status_page;
  GtkButton          *status_button;
  GtkActionBar       *action_bar;
  GtkLabel           *selection_label;
  GtkButton          *bulk_retry_button;
  GtkButton          *bulk_resolve_button;

  /* Owned */
  CsEngine           *engine;
  CsAppointmentModel *model;
  GtkMultiSelection  *selection;
  GCancellable       *cancellable;
  GtkToggleButton    *chip_buttons[G_N_ELEMENTS (chips)];
  GHashTable         *retrying;
  GPtrArray          *last_results;

  EmptyState          empty_state;
  guint               updating_chips : 1;
  guint               probing : 1;
  int                 probed_sort;
  guint               bulk_running;
};

G_DEFINE_FINAL_TYPE (CsAppointmentsView, cs_appointments_view, ADW_TYPE_BIN)

enum {
  REVIEW_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void update_empty_state (CsAppointmentsView *self);

/* Rows */

/* The key of a row in the retrying set: bookings by uid, appointments by
 * id, so the two never collide. */
static char *
row_key (CsAppointmentRow *row)
{
  if (cs_appointment_row_get_is_orphaned_booking (row))
    return g_strconcat ("b:", cs_appointment_row_get_booking_uid (row), NULL);

  return g_strdup_printf ("a:%" G_GINT64_FORMAT, cs_appointment_row_get_id (row));
}

static gboolean
row_has_problem (CsAppointmentRow *row)
{
  CsSyncStatus status = cs_appointment_row_get_status (row);

  return cs_appointment_row_get_needs_review (row) ||
         cs_appointment_row_get_error_code (row) != CS_ERROR_CODE_NONE ||
         status == CS_SYNC_STATUS_FAILED ||
         status == CS_SYNC_STATUS_ORPHANED_LOCAL ||
         status == CS_SYNC_STATUS_ORPHANED_CALCOM;
}

static void
request_review (CsAppointmentsView *self,
                CsAppointmentRow   *row)
{
  if (cs_appointment_row_get_is_orphaned_booking (row))
    g_signal_emit (self, signals[REVIEW_REQUESTED], 0,
                   (gint64) 0, cs_appointment_row_get_booking_uid (row));
  else
    g_signal_emit (self, signals[REVIEW_REQUESTED], 0,
                   cs_appointment_row_get_id (row), cs_appointment_row_get_booking_uid (row));
}

/* Takes @toast. */
static void
add_toast (CsAppointmentsView *self,
           AdwToast           *toast)
{
  g_autoptr(AdwToast) owned = toast;
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), g_steal_pointer (&owned));
}

/* Cells: every column's setup builds the widgets once, bind only sets
 * text and classes. */

static GtkWidget *
label_new (gboolean numeric)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), numeric ? 1.0 : 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (numeric)
    gtk_widget_add_css_class (label, "numeric");
  return label;
}

static void
setup_label_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  gtk_list_item_set_child (item, label_new (GPOINTER_TO_INT (user_data)));
}

/* The row a list item shows: its slot's row (see CsSlotModel). */
static CsAppointmentRow *
item_row (GtkListItem *item)
{
  CsRowSlot *slot = gtk_list_item_get_item (item);

  return slot != NULL ? cs_row_slot_get_row (slot) : NULL;
}

/* Another row at a slot's position: the cell binds again, in place. */
static void
slot_row_changed_cb (CsRowSlot   *slot,
                     GParamSpec  *pspec,
                     GtkListItem *item)
{
  GtkListItemFactory *factory = g_object_get_data (G_OBJECT (item), "cs-factory");

  g_signal_emit_by_name (factory, "unbind", item);
  g_signal_emit_by_name (factory, "bind", item);
}

static void
follow_slot_bind_cb (GtkListItemFactory *factory,
                     GtkListItem        *item)
{
  g_object_set_data (G_OBJECT (item), "cs-factory", factory);
  g_signal_connect (gtk_list_item_get_item (item), "notify::row",
                    G_CALLBACK (slot_row_changed_cb), item);
}

static void
follow_slot_unbind_cb (GtkListItemFactory *factory,
                       GtkListItem        *item)
{
  g_signal_handlers_disconnect_by_func (gtk_list_item_get_item (item), slot_row_changed_cb, item);
}

static void
bind_id_cb (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  CsAppointmentRow *row = item_row (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  char buf[32];

  if (cs_appointment_row_get_is_orphaned_booking (row))
    {
      gtk_label_set_text (label, C_("appointment id of a Cal.com booking", "—"));
      return;
    }

  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, cs_appointment_row_get_id (row));
  gtk_label_set_text (label, buf);
}

static void
bind_customer_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  CsAppointmentRow *row = item_row (item);
  const char *name = cs_appointment_row_get_customer_name (row);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), name != NULL ? name : "");
}

/* One label for the start and, for an upcoming problem, how soon: a
 * widget less in each of the 200 rows GTK 4.8 builds. */
static void
setup_starts_at_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    gpointer                  user_data)
{
  GtkWidget *label = label_new (FALSE);

  gtk_label_set_use_markup (GTK_LABEL (label), TRUE);
  gtk_list_item_set_child (item, label);
}

static void
bind_starts_at_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   gpointer                  user_data)
{
  CsAppointmentsView *self = user_data;
  CsAppointmentRow *row = item_row (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  CsTime starts_at = cs_appointment_row_get_starts_at (row);
  CsTime now = cs_clock_get_now (cs_appointment_model_get_clock (self->model));
  g_autofree char *text = cs_ui_format_date_time (starts_at);
  g_autofree char *markup = NULL;

  /* How soon, for the problems to fix before they happen; dimmed. */
  if (starts_at >= now && starts_at - now < RELATIVE_HORIZON && row_has_problem (row))
    {
      g_autofree char *relative = cs_ui_format_relative (starts_at, now);

      markup = g_markup_printf_escaped ("%s  <span alpha=\"55%%\">%s</span>", text, relative);
    }
  else
    {
      markup = g_markup_escape_text (text, -1);
    }
  gtk_label_set_markup (label, markup);
}

static void
setup_status_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *review = gtk_label_new (cs_ui_needs_review_label ());

  gtk_box_append (GTK_BOX (box), gtk_image_new ());
  gtk_box_append (GTK_BOX (box), label_new (FALSE));
  gtk_widget_add_css_class (review, "cs-review-marker");
  gtk_box_append (GTK_BOX (box), review);
  gtk_list_item_set_child (item, box);
}

static void
bind_status_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  CsAppointmentRow *row = item_row (item);
  CsSyncStatus status = cs_appointment_row_get_status (row);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *image = gtk_widget_get_first_child (box);
  GtkWidget *label = gtk_widget_get_next_sibling (image);
  GtkWidget *review = gtk_widget_get_next_sibling (label);

  /* Icon and words, the colour only on top. */
  gtk_image_set_from_icon_name (GTK_IMAGE (image), cs_ui_status_icon_name (status));
  gtk_label_set_text (GTK_LABEL (label), cs_ui_status_label (status));
  cs_ui_set_status_classes (box, status);
  gtk_widget_set_visible (review, cs_appointment_row_get_needs_review (row));
}

static void
bind_error_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  CsAppointmentRow *row = item_row (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));

  gtk_label_set_text (label, cs_ui_error_label (cs_appointment_row_get_error_code (row),
                                                cs_appointment_row_get_error_message (row)));
}

static void
bind_attempts_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  CsAppointmentRow *row = item_row (item);
  char buf[16];

  g_snprintf (buf, sizeof buf, "%u", cs_appointment_row_get_attempts (row));
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), buf);
}

static void
bind_last_attempt_cb (GtkSignalListItemFactory *factory,
                      GtkListItem              *item,
                      gpointer                  user_data)
{
  CsAppointmentRow *row = item_row (item);
  CsTime last = cs_appointment_row_get_last_attempt_at (row);
  g_autofree char *text = NULL;

  if (last == CS_TIME_UNSET)
    text = g_strdup (C_("never attempted", "—"));
  else
    text = cs_ui_format_date_time (last);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

/* Actions of one row */

typedef struct
{
  CsAppointmentsView *self;
  char               *key;
} RetryData;

static void
retry_data_free (RetryData *data)
{
  g_clear_object (&data->self);
  g_free (data->key);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RetryData, retry_data_free)

static void
show_retrying (GtkWidget *actions,
               gboolean   retrying)
{
  GtkWidget *spinner = gtk_widget_get_first_child (actions);
  GtkWidget *retry = gtk_widget_get_next_sibling (spinner);

  gtk_widget_set_visible (spinner, retrying);
  gtk_spinner_set_spinning (GTK_SPINNER (spinner), retrying);
  gtk_widget_set_sensitive (retry, !retrying);
}

static void
retry_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RetryData) data = user_data;
  CsAppointmentsView *self = data->self;
  g_autoptr(CsActionResult) action_result = NULL;
  g_autoptr(GError) error = NULL;

  action_result = cs_actions_run_finish (CS_ACTIONS (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_hash_table_remove (self->retrying, data->key);

  if (error != NULL)
    add_toast (self, cs_ui_toast_new_printf (_("Retry failed: %s"), error->message));
  else if (action_result->error != NULL)
    add_toast (self, cs_ui_toast_new_printf (_("Retry failed: %s"), action_result->error->message));
  else if (action_result->queued)
    add_toast (self, cs_ui_toast_new (_("Retry queued; it runs when Cal.com answers again")));
  else
    /* What the check found ("the problem is still there"), not only that
     * it ran. */
    add_toast (self, cs_ui_toast_new (action_result->message != NULL ? action_result->message
                                                                     : _("Retried")));

  /* The window reloads the model, which rebinds the rows. */
  if (self->engine != NULL)
    cs_engine_notify_changed (self->engine);
}

static void
retry_clicked_cb (GtkButton   *button,
                  GtkListItem *item)
{
  CsAppointmentsView *self;
  CsAppointmentRow *row = item_row (item);
  CsActionTarget target = { 0 };
  CsActions *actions;
  RetryData *data;

  self = CS_APPOINTMENTS_VIEW (gtk_widget_get_ancestor (GTK_WIDGET (button),
                                                        CS_TYPE_APPOINTMENTS_VIEW));
  g_assert (self != NULL);

  if (row == NULL || self->engine == NULL ||
      (actions = cs_engine_get_actions (self->engine)) == NULL)
    return;

  data = g_new0 (RetryData, 1);
  data->self = g_object_ref (self);
  data->key = row_key (row);
  if (g_hash_table_contains (self->retrying, data->key))
    {
      retry_data_free (data);
      return;
    }
  g_hash_table_add (self->retrying, g_strdup (data->key));
  show_retrying (gtk_widget_get_parent (GTK_WIDGET (button)), TRUE);

  if (cs_appointment_row_get_is_orphaned_booking (row))
    target.booking_uid = cs_appointment_row_get_booking_uid (row);
  else
    target.appointment_id = cs_appointment_row_get_id (row);

  cs_actions_run_async (actions, CS_ACTION_RETRY, &target, NULL, self->cancellable,
                        retry_done_cb, data);
}

static void
details_clicked_cb (GtkButton   *button,
                    GtkListItem *item)
{
  CsAppointmentRow *row = item_row (item);
  GtkWidget *self = gtk_widget_get_ancestor (GTK_WIDGET (button), CS_TYPE_APPOINTMENTS_VIEW);

  if (row != NULL && self != NULL)
    request_review (CS_APPOINTMENTS_VIEW (self), row);
}

static void
setup_actions_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *spinner = gtk_spinner_new ();
  GtkWidget *retry = gtk_button_new_with_label (_("Retry"));
  GtkWidget *details = gtk_button_new_with_label (_("Details"));

  gtk_widget_set_visible (spinner, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spinner),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Retrying"), -1);
  gtk_widget_set_name (retry, "row-retry");
  gtk_widget_set_name (details, "row-details");
  gtk_widget_add_css_class (retry, "flat");
  gtk_widget_add_css_class (details, "flat");
  g_signal_connect (retry, "clicked", G_CALLBACK (retry_clicked_cb), item);
  g_signal_connect (details, "clicked", G_CALLBACK (details_clicked_cb), item);

  gtk_box_append (GTK_BOX (box), spinner);
  gtk_box_append (GTK_BOX (box), retry);
  gtk_box_append (GTK_BOX (box), details);
  gtk_list_item_set_child (item, box);
}

static void
bind_actions_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  CsAppointmentsView *self = user_data;
  CsAppointmentRow *row = item_row (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *retry = gtk_widget_get_next_sibling (gtk_widget_get_first_child (box));
  g_autofree char *key = row_key (row);

  /* Only problems can be retried; synced rows keep Details. */
  gtk_widget_set_visible (retry, row_has_problem (row) ||
                                 cs_appointment_row_get_status (row) != CS_SYNC_STATUS_SYNCED);
  show_retrying (box, g_hash_table_contains (self->retrying, key));
}

/* Columns and sorting */

typedef struct
{
  CsAppointmentsView *self;
  CsAppointmentSort   sort;
} ProbeData;

/* Never used to sort: the model sorts. When the view probes the column
 * view's sorter, the first column asked is the primary one. */
static int
probe_sort_func (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  ProbeData *data = user_data;

  if (!data->self->probing)
    return GTK_ORDERING_EQUAL;

  if (data->self->probed_sort < 0)
    data->self->probed_sort = data->sort;
  return GTK_ORDERING_SMALLER;
}

static void
column_sorter_changed_cb (CsAppointmentsView *self)
{
  GtkSorter *sorter = gtk_column_view_get_sorter (self->column_view);
  GtkOrdering ordering;

  if (self->model == NULL)
    return;

  self->probing = TRUE;
  self->probed_sort = -1;
  /* Two distinct items: gtk_sorter_compare() finds an item equal to
   * itself without asking the sorters. */
  ordering = gtk_sorter_compare (sorter, self, self->column_view);
  self->probing = FALSE;

  if (self->probed_sort < 0)
    {
      cs_appointment_model_set_sort (self->model, CS_APPOINTMENT_SORT_URGENCY);
      cs_appointment_model_set_sort_descending (self->model, FALSE);
      return;
    }

  cs_appointment_model_set_sort (self->model, self->probed_sort);
  cs_appointment_model_set_sort_descending (self->model, ordering == GTK_ORDERING_LARGER);
}

static void
add_column (CsAppointmentsView *self,
            const char         *id,
            const char         *title,
            CsAppointmentSort   sort,
            GCallback           setup,
            gpointer            setup_data,
            GCallback           bind,
            gboolean            expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) column = NULL;
  ProbeData *probe;

  g_signal_connect (factory, "setup", setup, setup_data);
  g_signal_connect (factory, "bind", bind, self);
  g_signal_connect (factory, "bind", G_CALLBACK (follow_slot_bind_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (follow_slot_unbind_cb), NULL);

  column = gtk_column_view_column_new (title, factory);
  /* gtk_column_view_column_set_id() is GTK 4.10; the tests find columns
   * by this. */
  g_object_set_data (G_OBJECT (column), "cs-column-id", (gpointer) id);
  gtk_column_view_column_set_expand (column, expand);
  gtk_column_view_column_set_resizable (column, TRUE);

  if ((int) sort >= 0)
    {
      g_autoptr(GtkSorter) sorter = NULL;

      probe = g_new0 (ProbeData, 1);
      probe->self = self;
      probe->sort = sort;
      sorter = GTK_SORTER (gtk_custom_sorter_new (probe_sort_func, probe, g_free));
      gtk_column_view_column_set_sorter (column, sorter);
    }

  gtk_column_view_append_column (self->column_view, column);
}

static void
add_columns (CsAppointmentsView *self)
{
  add_column (self, "id", C_("column", "ID"), CS_APPOINTMENT_SORT_ID,
              G_CALLBACK (setup_label_cb), GINT_TO_POINTER (TRUE),
              G_CALLBACK (bind_id_cb), FALSE);
  add_column (self, "customer", C_("column", "Customer"), CS_APPOINTMENT_SORT_CUSTOMER,
              G_CALLBACK (setup_label_cb), GINT_TO_POINTER (FALSE),
              G_CALLBACK (bind_customer_cb), TRUE);
  add_column (self, "starts-at", C_("column", "Date and Time"), CS_APPOINTMENT_SORT_STARTS_AT,
              G_CALLBACK (setup_starts_at_cb), NULL,
              G_CALLBACK (bind_starts_at_cb), FALSE);
  add_column (self, "status", C_("column", "Status"), CS_APPOINTMENT_SORT_STATUS,
              G_CALLBACK (setup_status_cb), NULL,
              G_CALLBACK (bind_status_cb), FALSE);
  add_column (self, "error", C_("column", "Error"), CS_APPOINTMENT_SORT_ERROR,
              G_CALLBACK (setup_label_cb), GINT_TO_POINTER (FALSE),
              G_CALLBACK (bind_error_cb), TRUE);
  add_column (self, "attempts", C_("column", "Attempts"), CS_APPOINTMENT_SORT_ATTEMPTS,
              G_CALLBACK (setup_label_cb), GINT_TO_POINTER (TRUE),
              G_CALLBACK (bind_attempts_cb), FALSE);
  add_column (self, "last-attempt", C_("column", "Last Attempt"), CS_APPOINTMENT_SORT_LAST_ATTEMPT,
              G_CALLBACK (setup_label_cb), GINT_TO_POINTER (FALSE),
              G_CALLBACK (bind_last_attempt_cb), FALSE);
  add_column (self, "actions", C_("column", "Actions"), -1,
              G_CALLBACK (setup_actions_cb), NULL,
              G_CALLBACK (bind_actions_cb), FALSE);

  g_signal_connect_object (gtk_column_view_get_sorter (self->column_view), "changed",
                           G_CALLBACK (column_sorter_changed_cb), self, G_CONNECT_SWAPPED);
}

static void
column_view_activate_cb (CsAppointmentsView *self,
                         guint               position)
{
  g_autoptr(CsAppointmentRow) row = NULL;

  if (self->model == NULL)
    return;

  row = g_list_model_get_item (G_LIST_MODEL (self->model), position);
  if (row != NULL)
    request_review (self, row);
}

/* Filters */

static void
sync_chips (CsAppointmentsView *self,
            guint               filter)
{
  self->updating_chips = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (chips); i++)
    {
      gboolean active;

      if (chips[i].filter == CS_APPOINTMENT_FILTER_ALL)
        active = filter == CS_APPOINTMENT_FILTER_ALL;
      else
        active = filter != CS_APPOINTMENT_FILTER_ALL &&
                 (filter & chips[i].filter) == chips[i].filter;

      gtk_toggle_button_set_active (self->chip_buttons[i], active);
    }
  self->updating_chips = FALSE;
}

static void
chip_toggled_cb (GtkToggleButton    *button,
                 CsAppointmentsView *self)
{
  guint filter = CS_APPOINTMENT_FILTER_ALL;

  if (self->updating_chips)
    return;

  if (button == self->chip_buttons[0])
    {
      /* "All" clears the others; it cannot be switched off by itself. */
      filter = CS_APPOINTMENT_FILTER_ALL;
    }
  else
    {
      for (guint i = 1; i < G_N_ELEMENTS (chips); i++)
        if (gtk_toggle_button_get_active (self->chip_buttons[i]))
          filter |= chips[i].filter;
    }

  sync_chips (self, filter);
  if (self->model != NULL)
    cs_appointment_model_set_status_filter (self->model, filter);
  update_empty_state (self);
}

static void
add_chips (CsAppointmentsView *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (chips); i++)
    {
      GtkWidget *button = gtk_toggle_button_new_with_label (_(chips[i].label));

      gtk_widget_add_css_class (button, "cs-chip");
      gtk_widget_add_css_class (button, "pill");
      g_signal_connect (button, "toggled", G_CALLBACK (chip_toggled_cb), self);
      gtk_box_append (self->chips_box, button);
      self->chip_buttons[i] = GTK_TOGGLE_BUTTON (button);
    }

  sync_chips (self, CS_APPOINTMENT_FILTER_ALL);
}

static void
search_changed_cb (CsAppointmentsView *self)
{
  if (self->model != NULL)
    cs_appointment_model_set_search_text (self->model,
                                          gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  update_empty_state (self);
}

static void
stop_search_cb (CsAppointmentsView *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

/* Empty states */

static EmptyState
compute_empty_state (CsAppointmentsView *self)
{
  g_autofree char *search = NULL;
  guint filter;

  if (self->engine != NULL && cs_engine_get_setup_error (self->engine) != NULL)
    return EMPTY_NOT_SET_UP;

  if (self->model == NULL || g_list_model_get_n_items (G_LIST_MODEL (self->model)) > 0)
    return EMPTY_NONE;

  search = g_strdup (cs_appointment_model_get_search_text (self->model));
  filter = cs_appointment_model_get_status_filter (self->model);

  if (search != NULL && g_strstrip (search)[0] != '\0')
    return EMPTY_NO_MATCH;
  if (filter != CS_APPOINTMENT_FILTER_ALL && (filter & ~PROBLEM_FILTERS) == 0)
    return EMPTY_ALL_SYNCED;
  if (filter != CS_APPOINTMENT_FILTER_ALL)
    return EMPTY_NO_MATCH;

  return EMPTY_NO_APPOINTMENTS;
}

static void
update_empty_state (CsAppointmentsView *self)
{
  EmptyState state = compute_empty_state (self);

  if (state == self->empty_state)
    return;

  self->empty_state = state;

  switch (state)
    {
    case EMPTY_NONE:
      gtk_stack_set_visible_child_name (self->content_stack, "list");
      return;

    case EMPTY_NOT_SET_UP:
      adw_status_page_set_icon_name (self->status_page, "preferences-system-symbolic");
      adw_status_page_set_title (self->status_page, _("Not Set Up Yet"));
      adw_status_page_set_description (self->status_page,
                                       _("Enter the addresses and keys of the CRM and Cal.com "
                                         "to see the appointments."));
      gtk_button_set_label (self->status_button, _("Open _Preferences"));
      break;

    case EMPTY_ALL_SYNCED:
      adw_status_page_set_icon_name (self->status_page, "emblem-ok-symbolic");
      adw_status_page_set_title (self->status_page, _("Everything Is in Sync"));
      adw_status_page_set_description (self->status_page,
                                       _("No appointment in the window has a problem."));
      gtk_button_set_label (self->status_button, _("Show _All Appointments"));
      break;

    case EMPTY_NO_MATCH:
      adw_status_page_set_icon_name (self->status_page, "edit-find-symbolic");
      adw_status_page_set_title (self->status_page, _("No Matching Appointments"));
      adw_status_page_set_description (self->status_page,
                                       _("Try another search or status."));
      gtk_button_set_label (self->status_button, _("_Clear Filters"));
      break;

    case EMPTY_NO_APPOINTMENTS:
      adw_status_page_set_icon_name (self->status_page, "x-office-calendar-symbolic");
      adw_status_page_set_title (self->status_page, _("No Appointments"));
      adw_status_page_set_description (self->status_page,
                                       _("No appointment starts in the checked window yet."));
      gtk_button_set_label (self->status_button, NULL);
      break;

    default:
      g_assert_not_reached ();
    }

  gtk_button_set_use_underline (self->status_button, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->status_button), state != EMPTY_NO_APPOINTMENTS);
  gtk_stack_set_visible_child_name (self->content_stack, "empty");
}

static void
clear_filters (CsAppointmentsView *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  cs_appointments_view_set_status_filter (self, CS_APPOINTMENT_FILTER_ALL);
}

static void
status_button_clicked_cb (CsAppointmentsView *self)
{
  if (self->empty_state == EMPTY_NOT_SET_UP)
    gtk_widget_activate_action (GTK_WIDGET (self), "app.preferences", NULL);
  else
    clear_filters (self);
}

/* Selection and bulk actions */

static GArray *
selected_ids (CsAppointmentsView *self,
              guint              *n_bookings)
{
  g_autoptr(GtkBitset) selected = NULL;
  GtkBitsetIter iter;
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint position;

  *n_bookings = 0;
  if (self->selection == NULL)
    return ids;

  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  for (gboolean ok = gtk_bitset_iter_init_first (&iter, selected, &position);
       ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    {
      g_autoptr(CsAppointmentRow) row = g_list_model_get_item (G_LIST_MODEL (self->model),
                                                               position);

      if (row == NULL)
        continue;
      if (cs_appointment_row_get_is_orphaned_booking (row))
        {
          (*n_bookings)++;
          continue;
        }

      {
        gint64 id = cs_appointment_row_get_id (row);

        g_array_append_val (ids, id);
      }
    }

  return ids;
}

static void
selection_changed_cb (CsAppointmentsView *self)
{
  g_autoptr(GtkBitset) selected = NULL;
  guint64 n;
  g_autofree char *text = NULL;

  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  n = gtk_bitset_get_size (selected);

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u selected", "%u selected", (gulong) n),
                          (guint) n);
  gtk_label_set_text (self->selection_label, text);
  gtk_action_bar_set_revealed (self->action_bar, n > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->bulk_retry_button), self->bulk_running == 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->bulk_resolve_button), self->bulk_running == 0);
}

static void
clear_selection_cb (CsAppointmentsView *self)
{
  if (self->selection != NULL)
    gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
}

static void
show_results_dialog (CsAppointmentsView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;
  GtkWidget *list;
  GtkWidget *scrolled;

  if (self->last_results == NULL)
    return;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Results"), NULL);
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");

  for (guint i = 0; i < self->last_results->len; i++)
    {
      CsActionResult *result = g_ptr_array_index (self->last_results, i);
      g_autofree char *title = NULL;
      GtkWidget *row = adw_action_row_new ();
      char id[32];

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      g_snprintf (id, sizeof id, "%" G_GINT64_FORMAT, result->appointment_id);
      /* TRANSLATORS: %s is the appointment's CRM id */
      title = g_strdup_printf (_("Appointment %s"), id);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      if (result->error != NULL)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), result->error->message);
      else if (result->queued)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Queued"));
      else
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Done"));
      adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name (result->error != NULL
                                                               ? "dialog-error-symbolic"
                                                               : "emblem-ok-symbolic"));
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 360);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), scrolled);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
bulk_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CsAppointmentsView) self = user_data;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  guint n_failed = 0;
  AdwToast *toast;

  results = cs_actions_run_bulk_finish (CS_ACTIONS (object), result, &error);
  self->bulk_running--;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (results == NULL)
    {
      add_toast (self, cs_ui_toast_new_printf (_("The action failed: %s"), error->message));
    }
  else
    {
      for (guint i = 0; i < results->len; i++)
        if (((CsActionResult *) g_ptr_array_index (results, i))->error != NULL)
          n_failed++;

      g_clear_pointer (&self->last_results, g_ptr_array_unref);
      self->last_results = g_ptr_array_ref (results);

      /* TRANSLATORS: "3 done, 1 failed" after a bulk action */
      toast = cs_ui_toast_new_printf (_("%u done, %u failed"), results->len - n_failed, n_failed);
      adw_toast_set_button_label (toast, _("_Details"));
      g_signal_connect_object (toast, "button-clicked", G_CALLBACK (show_results_dialog), self,
                               G_CONNECT_SWAPPED);
      add_toast (self, toast);
    }

  if (self->selection != NULL)
    selection_changed_cb (self);
  if (self->engine != NULL)
    cs_engine_notify_changed (self->engine);
}

static void
run_bulk (CsAppointmentsView *self,
          CsActionKind        kind)
{
  g_autoptr(GArray) ids = NULL;
  CsActions *actions;
  guint n_bookings;

  if (self->engine == NULL || (actions = cs_engine_get_actions (self->engine)) == NULL)
    return;

  ids = selected_ids (self, &n_bookings);
  if (n_bookings > 0)
    add_toast (self, cs_ui_toast_new_printf (g_dngettext (GETTEXT_PACKAGE,
                                                          "%u Cal.com booking skipped: open it to act on it",
                                                          "%u Cal.com bookings skipped: open them to act on them",
                                                          n_bookings),
                                             n_bookings));
  if (ids->len == 0)
    return;

  self->bulk_running++;
  selection_changed_cb (self);
  cs_actions_run_bulk_async (actions, kind, ids, NULL, self->cancellable,
                             bulk_done_cb, g_object_ref (self));
}

static void
bulk_retry_cb (CsAppointmentsView *self)
{
  run_bulk (self, CS_ACTION_RETRY);
}

static void
bulk_resolve_cb (CsAppointmentsView *self)
{
  run_bulk (self, CS_ACTION_MARK_RESOLVED);
}

/* The model */

static void
model_items_changed_cb (CsAppointmentsView *self)
{
  /* The selection is by position, and other rows are at the positions
   * now (CsSlotModel): nothing stays selected that was not chosen. */
  if (self->selection != NULL)
    gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
  update_empty_state (self);
}

/* GObject */

static void
cs_appointments_view_dispose (GObject *object)
{
  CsAppointmentsView *self = CS_APPOINTMENTS_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_APPOINTMENTS_VIEW);

  g_clear_object (&self->selection);
  g_clear_object (&self->model);
  g_clear_object (&self->engine);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->last_results, g_ptr_array_unref);

  G_OBJECT_CLASS (cs_appointments_view_parent_class)->dispose (object);
}

static void
cs_appointments_view_finalize (GObject *object)
{
  CsAppointmentsView *self = CS_APPOINTMENTS_VIEW (object);

  g_clear_pointer (&self->retrying, g_hash_table_unref);

  G_OBJECT_CLASS (cs_appointments_view_parent_class)->finalize (object);
}

static void
cs_appointments_view_class_init (CsAppointmentsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_appointments_view_dispose;
  object_class->finalize = cs_appointments_view_finalize;

  /**
   * CsAppointmentsView::review-requested:
   * @self: the view
   * @appointment_id: the appointment, or 0 for an orphaned Cal.com booking
   * @booking_uid: (nullable): the booking's uid
   *
   * Emitted by "Details" and by activating a row.
   */
  signals[REVIEW_REQUESTED] =
    g_signal_new ("review-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/calsync/Calsync/cs-appointments-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CsAppointmentsView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CsAppointmentsView, chips_box);
  gtk_widget_class_bind_template_child (widget_class, CsAppointmentsView, content_stack);
  gtk_widget_class_bind_template_child (widget_class, CsAppointmentsView, column_view);
  gtk_widget_class_bind_template_child (widget_class, CsAppointmentsView, status_page);
  gtk_widget_class_bind_template_child (widget_class, CsAppointmentsView, status_button);
  gtk_widget_class_bind_template_child (widget_class, CsAppointmentsView, action_bar);
  gtk_widget_class_bind_template_child (widget_class, CsAppointmentsView, selection_label);
  gtk_widget_class_bind_template_child (widget_class, CsAppointmentsView, bulk_retry_button);
  gtk_widget_class_bind_template_child (widget_class, CsAppointmentsView, bulk_resolve_button);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, column_view_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, status_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, clear_selection_cb);
  gtk_widget_class_bind_template_callback (widget_class, bulk_retry_cb);
  gtk_widget_class_bind_template_callback (widget_class, bulk_resolve_cb);
}

static void
cs_appointments_view_init (CsAppointmentsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->retrying = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->empty_state = EMPTY_NONE;

  add_chips (self);
  add_columns (self);
}

/**
 * cs_appointments_view_set_engine:
 * @self: a view
 * @engine: the engine whose actions the rows run
 *
 * Sets the engine; a set-up error shows the "not set up" page.
 */
void
cs_appointments_view_set_engine (CsAppointmentsView *self,
                                 CsEngine           *engine)
{
  g_return_if_fail (CS_IS_APPOINTMENTS_VIEW (self));
  g_return_if_fail (engine == NULL || CS_IS_ENGINE (engine));

  g_set_object (&self->engine, engine);
  update_empty_state (self);
}

/**
 * cs_appointments_view_set_model:
 * @self: a view
 * @model: the window's shared model
 *
 * Shows @model, wrapped in a #GtkMultiSelection. The view sets its
 * search, status filter and order; the window reloads it.
 */
void
cs_appointments_view_set_model (CsAppointmentsView *self,
                                CsAppointmentModel *model)
{
  g_return_if_fail (CS_IS_APPOINTMENTS_VIEW (self));
  g_return_if_fail (model == NULL || CS_IS_APPOINTMENT_MODEL (model));

  if (self->model == model)
    return;

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);

  gtk_column_view_set_model (self->column_view, NULL);
  g_clear_object (&self->selection);
  g_set_object (&self->model, model);

  if (model != NULL)
    {
      /* Slots, not the rows themselves: see CsSlotModel. */
      self->selection = gtk_multi_selection_new (G_LIST_MODEL (cs_slot_model_new (G_LIST_MODEL (model))));
      gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
      g_signal_connect_swapped (self->selection, "selection-changed",
                                G_CALLBACK (selection_changed_cb), self);
      g_signal_connect_swapped (self->selection, "items-changed",
                                G_CALLBACK (selection_changed_cb), self);
      g_signal_connect_swapped (model, "items-changed",
                                G_CALLBACK (model_items_changed_cb), self);

      sync_chips (self, cs_appointment_model_get_status_filter (model));
      cs_appointment_model_set_search_text (model,
                                            gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
      column_sorter_changed_cb (self);
    }

  update_empty_state (self);
}

/**
 * cs_appointments_view_set_status_filter:
 * @self: a view
 * @status_filter: a filter as cs_appointment_model_set_status_filter()
 *   takes it
 *
 * Shows the rows of @status_filter and selects the matching chips (the
 * dashboard's cards call this).
 */
void
cs_appointments_view_set_status_filter (CsAppointmentsView *self,
                                        guint               status_filter)
{
  g_return_if_fail (CS_IS_APPOINTMENTS_VIEW (self));

  sync_chips (self, status_filter);
  if (self->model != NULL)
    cs_appointment_model_set_status_filter (self->model, status_filter);
  update_empty_state (self);
}

/**
 * cs_appointments_view_focus_search:
 * @self: a view
 *
 * Moves the keyboard focus to the search entry (Ctrl+F).
 */
void
cs_appointments_view_focus_search (CsAppointmentsView *self)
{
  g_return_if_fail (CS_IS_APPOINTMENTS_VIEW (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}
