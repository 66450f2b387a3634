/* cs-dashboard.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "cs-dashboard.h"
#include "cs-ui-util.h"

/* How often the relative times ("in 2 h 14 min") are written again while
 * the dashboard is on screen. */
#define TICK_SECONDS 30

/**
 * CsDashboard:
 *
 * The first view of the window: four cards with the figures of the
 * shared #CsAppointmentModel (synced, pending, needs review, failed), the
 * last and the next check, and the health of Cal.com and the CRM server.
 *
 * The figures come from memory (cs_appointment_model_get_counts()); the
 * window calls cs_dashboard_refresh() after every reload of the model, and
 * the circuit breakers and the scheduler update the rest as they change,
 * so the dashboard follows every run without a reload of the window.
 * A card's click emits #CsDashboard::open-list with the filter that shows
 * exactly the rows the card counts.
 */
struct _CsDashboard
{
  AdwBin              parent_instance;

  /* Owned references */
  CsEngine           *engine;
  CsAppointmentModel *model;
  CsRunRecord        *last_run;
  CsStoreCounts       counts;
  char               *card_labels[CS_DASHBOARD_N_CARDS];
  guint               tick_id;

  /* Borrowed from the engine, watched while it is set */
  CsScheduler        *scheduler;
  CsVerifier         *verifier;
  CsCircuitBreaker   *calcom_breaker;
  CsCircuitBreaker   *backend_breaker;

  /* Template widgets */
  GtkImage           *status_icon;
  GtkLabel           *status_label;
  GtkButton          *synced_card;
  GtkButton          *pending_card;
  GtkButton          *review_card;
  GtkButton          *failed_card;
  GtkLabel           *synced_count;
  GtkLabel           *pending_count;
  GtkLabel           *review_count;
  GtkLabel           *failed_count;
  GtkLabel           *synced_caption;
  GtkLabel           *pending_caption;
  GtkLabel           *review_caption;
  GtkLabel           *failed_caption;
  GtkLabel           *last_check_label;
  AdwActionRow       *result_row;
  GtkImage           *result_icon;
  GtkLabel           *result_label;
  GtkLabel           *duration_label;
  GtkLabel           *requests_label;
  GtkLabel           *next_check_label;
  AdwActionRow       *next_retry_row;
  GtkLabel           *next_retry_label;
  GtkImage           *calcom_icon;
  GtkLabel           *calcom_label;
  GtkImage           *backend_icon;
  GtkLabel           *backend_label;
};

G_DEFINE_FINAL_TYPE (CsDashboard, cs_dashboard, ADW_TYPE_BIN)

enum {
  OPEN_LIST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The colour classes of libadwaita; a widget carries at most one. */
static void
set_tone (GtkWidget  *widget,
          const char *tone)
{
  static const char * const tones[] = { "success", "warning", "error", "dim-label" };

  for (guint i = 0; i < G_N_ELEMENTS (tones); i++)
    if (g_strcmp0 (tones[i], tone) != 0)
      gtk_widget_remove_css_class (widget, tones[i]);
  if (tone != NULL)
    gtk_widget_add_css_class (widget, tone);
}

static CsTime
dashboard_now (CsDashboard *self)
{
  CsClock *clock = self->model != NULL ? cs_appointment_model_get_clock (self->model) : NULL;

  return cs_clock_get_now (clock != NULL ? clock : cs_clock_get_system ());
}

/* The cards */

/**
 * cs_dashboard_card_get_filter:
 * @card: a card
 *
 * The status filter of #CsAppointmentModel that a click on @card applies.
 * It admits exactly the rows that cs_dashboard_card_count() counts.
 *
 * The Failed card counts the problems Calsync still retries on its own
 * (%CS_APPOINTMENT_FILTER_RETRYING: failed, or orphaned and being
 * confirmed, neither flagged nor resolved), as the seeds' status table
 * has it: failed rows retry, flagged ones wait for a person on the Needs
 * review card. No row is on both cards.
 *
 * Returns: a union of CS_APPOINTMENT_FILTER_STATUS() bits,
 *   %CS_APPOINTMENT_FILTER_NEEDS_REVIEW or %CS_APPOINTMENT_FILTER_RETRYING
 */
guint
cs_dashboard_card_get_filter (CsDashboardCard card)
{
  switch (card)
    {
    case CS_DASHBOARD_CARD_SYNCED:
      return CS_APPOINTMENT_FILTER_STATUS (CS_SYNC_STATUS_SYNCED);
    case CS_DASHBOARD_CARD_PENDING:
      return (CS_APPOINTMENT_FILTER_STATUS (CS_SYNC_STATUS_PENDING) |
              CS_APPOINTMENT_FILTER_STATUS (CS_SYNC_STATUS_VERIFICATION_PENDING));
    case CS_DASHBOARD_CARD_NEEDS_REVIEW:
      return CS_APPOINTMENT_FILTER_NEEDS_REVIEW;
    case CS_DASHBOARD_CARD_FAILED:
      return CS_APPOINTMENT_FILTER_RETRYING;
    default:
      g_return_val_if_reached (CS_APPOINTMENT_FILTER_ALL);
    }
}

/**
 * cs_dashboard_card_count:
 * @card: a card
 * @counts: the figures of the store or the model
 *
 * Returns: the number @card shows for @counts
 */
guint
cs_dashboard_card_count (CsDashboardCard      card,
                         const CsStoreCounts *counts)
{
  g_return_val_if_fail (counts != NULL, 0);

  switch (card)
    {
    case CS_DASHBOARD_CARD_SYNCED:
      return counts->by_status[CS_SYNC_STATUS_SYNCED];
    case CS_DASHBOARD_CARD_PENDING:
      return (counts->by_status[CS_SYNC_STATUS_PENDING] +
              counts->by_status[CS_SYNC_STATUS_VERIFICATION_PENDING]);
    case CS_DASHBOARD_CARD_NEEDS_REVIEW:
      return counts->needs_review;
    case CS_DASHBOARD_CARD_FAILED:
      return counts->retrying;
    default:
      g_return_val_if_reached (0);
    }
}

static const char *
card_title (CsDashboardCard card)
{
  switch (card)
    {
    case CS_DASHBOARD_CARD_SYNCED:
      return cs_ui_status_label (CS_SYNC_STATUS_SYNCED);
    case CS_DASHBOARD_CARD_PENDING:
      return cs_ui_status_label (CS_SYNC_STATUS_PENDING);
    case CS_DASHBOARD_CARD_NEEDS_REVIEW:
      return cs_ui_needs_review_label ();
    case CS_DASHBOARD_CARD_FAILED:
      return cs_ui_status_label (CS_SYNC_STATUS_FAILED);
    default:
      g_return_val_if_reached ("");
    }
}

static GtkButton *
card_button (CsDashboard     *self,
             CsDashboardCard  card)
{
  GtkButton *buttons[] = { self->synced_card, self->pending_card, self->review_card,
                           self->failed_card };

  return buttons[card];
}

static void
set_card (CsDashboard     *self,
          CsDashboardCard  card,
          GtkLabel        *count_label,
          GtkLabel        *caption_label,
          const char      *caption)
{
  guint n = cs_dashboard_card_count (card, &self->counts);
  g_autofree char *count = cs_ui_format_count (n);
  char *label;

  gtk_label_set_label (count_label, count);
  gtk_label_set_label (caption_label, caption);

  /* Translators: a dashboard card for screen readers: its title, the
   * number of appointments it counts, and what a click does. */
  label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                        "%s: %s appointment. Open the list",
                                        "%s: %s appointments. Open the list",
                                        n),
                           card_title (card), count);
  g_free (self->card_labels[card]);
  self->card_labels[card] = label;
  gtk_accessible_update_property (GTK_ACCESSIBLE (card_button (self, card)),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, caption,
                                  -1);
}

static void
update_cards (CsDashboard *self)
{
  const CsStoreCounts *c = &self->counts;
  guint problems = cs_dashboard_card_count (CS_DASHBOARD_CARD_FAILED, c);
  g_autofree char *synced_caption = NULL;
  g_autofree char *pending_caption = NULL;
  g_autofree char *failed_caption = NULL;

  if (c->total > 0)
    {
      double share = (double) c->by_status[CS_SYNC_STATUS_SYNCED] / c->total;
      g_autofree char *percent = cs_ui_format_percent (share);

      /* Translators: the caption of the Synced card; %s is "98.7 %". */
      synced_caption = g_strdup_printf (_("%s in sync"), percent);
    }
  else
    {
      synced_caption = g_strdup (_("Nothing checked yet"));
    }
  set_card (self, CS_DASHBOARD_CARD_SYNCED, self->synced_count, self->synced_caption,
            synced_caption);

  if (c->by_status[CS_SYNC_STATUS_VERIFICATION_PENDING] > 0)
    /* Translators: the Pending card's caption while a check runs. */
    pending_caption = g_strdup_printf (_("Verifying %u"),
                                       c->by_status[CS_SYNC_STATUS_VERIFICATION_PENDING]);
  else if (cs_dashboard_card_count (CS_DASHBOARD_CARD_PENDING, c) > 0)
    pending_caption = g_strdup (_("Waiting for the next check"));
  else
    pending_caption = g_strdup (_("Nothing waiting"));
  set_card (self, CS_DASHBOARD_CARD_PENDING, self->pending_count, self->pending_caption,
            pending_caption);

  set_card (self, CS_DASHBOARD_CARD_NEEDS_REVIEW, self->review_count, self->review_caption,
            c->needs_review > 0 ? _("Review →") : _("Nothing to review"));

  /* What Calsync retries on its own (see cs_dashboard_card_get_filter()). */
  if (problems == 0)
    failed_caption = g_strdup (_("No problems"));
  else
    failed_caption = g_strdup (_("Retried automatically"));
  set_card (self, CS_DASHBOARD_CARD_FAILED, self->failed_count, self->failed_caption,
            failed_caption);
}

static void
card_clicked_cb (GtkButton   *button,
                 CsDashboard *self)
{
  for (guint i = 0; i < CS_DASHBOARD_N_CARDS; i++)
    if (card_button (self, i) == button)
      {
        g_signal_emit (self, signals[OPEN_LIST], 0, cs_dashboard_card_get_filter (i));
        return;
      }

  g_assert_not_reached ();
}

/* The last and the next check */

static void
update_last_run (CsDashboard *self)
{
  const CsRunRecord *run = self->last_run;
  const char *result;
  const char *tone;
  const char *icon;
  g_autofree char *when = NULL;
  g_autofree char *duration = NULL;
  g_autofree char *requests = NULL;

  if (run == NULL)
    {
      gtk_label_set_label (self->last_check_label, _("Never"));
      gtk_label_set_label (self->result_label, C_("no result", "—"));
      gtk_image_set_from_icon_name (self->result_icon, NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->result_icon), FALSE);
      adw_action_row_set_subtitle (self->result_row, "");
      gtk_label_set_label (self->duration_label, C_("no duration", "—"));
      gtk_label_set_label (self->requests_label, C_("no requests", "—"));
      return;
    }

  {
    CsTime at = run->finished_at != CS_TIME_UNSET ? run->finished_at : run->started_at;
    g_autofree char *date = cs_ui_format_date_time (at);
    g_autofree char *relative = cs_ui_format_relative (at, dashboard_now (self));

    /* Translators: the last check: a date and time, then how long ago. */
    when = g_strdup_printf (_("%s (%s)"), date, relative);
  }
  gtk_label_set_label (self->last_check_label, when);

  if (g_strcmp0 (run->result, CS_RUN_RESULT_OK) == 0)
    {
      result = C_("check result", "Finished");
      tone = "success";
      icon = "emblem-ok-symbolic";
    }
  else if (g_strcmp0 (run->result, CS_RUN_RESULT_SUSPECT) == 0)
    {
      result = C_("check result", "Looked wrong, nothing flagged");
      tone = "warning";
      icon = "dialog-warning-symbolic";
    }
  else if (g_strcmp0 (run->result, CS_RUN_RESULT_CANCELLED) == 0)
    {
      result = C_("check result", "Cancelled");
      tone = "dim-label";
      icon = "process-stop-symbolic";
    }
  else
    {
      result = C_("check result", "Could not finish");
      tone = "error";
      icon = "dialog-error-symbolic";
    }
  gtk_label_set_label (self->result_label, result);
  gtk_image_set_from_icon_name (self->result_icon, icon);
  gtk_widget_set_visible (GTK_WIDGET (self->result_icon), TRUE);
  set_tone (GTK_WIDGET (self->result_icon), tone);
  /* The row's subtitle is plain text (use-markup is off in the template). */
  if (run->error_message != NULL && g_strcmp0 (run->result, CS_RUN_RESULT_OK) != 0)
    adw_action_row_set_subtitle (self->result_row, run->error_message);
  else
    adw_action_row_set_subtitle (self->result_row, "");

  duration = cs_ui_format_duration (run->duration_usec);
  gtk_label_set_label (self->duration_label, duration);

  {
    g_autofree char *total = cs_ui_format_count (run->calcom_requests + run->backend_requests);
    g_autofree char *calcom = cs_ui_format_count (run->calcom_requests);
    g_autofree char *backend = cs_ui_format_count (run->backend_requests);

    /* Translators: the requests of the last check: the total, then those
     * to Cal.com and those to the CRM server. */
    requests = g_strdup_printf (_("%s (Cal.com %s, CRM %s)"), total, calcom, backend);
  }
  gtk_label_set_label (self->requests_label, requests);
}

static char *
format_due (CsTime due,
            CsTime now)
{
  g_autofree char *relative = cs_ui_format_relative (due, now);
  g_autofree char *time = cs_ui_format_time (due);

  /* Translators: when the next check runs: "in 3 h 45 min (18:00)". */
  return g_strdup_printf (_("%s (%s)"), relative, time);
}

static void
update_schedule (CsDashboard *self)
{
  CsTime now = dashboard_now (self);
  CsTime next = CS_TIME_UNSET;
  CsTime retry = CS_TIME_UNSET;
  g_autofree char *text = NULL;

  if (self->scheduler != NULL && cs_scheduler_get_started (self->scheduler))
    {
      CsTime cycle = cs_scheduler_get_next_cycle_at (self->scheduler);
      CsTime check = cs_scheduler_get_next_check_at (self->scheduler);

      if (cycle != CS_TIME_UNSET && (check == CS_TIME_UNSET || cycle < check))
        next = cycle;
      else
        next = check;
      retry = cs_scheduler_get_next_retry_at (self->scheduler);
    }

  if (self->verifier != NULL && cs_verifier_get_running (self->verifier))
    text = g_strdup (_("Checking now"));
  else if (self->scheduler != NULL && cs_scheduler_get_paused (self->scheduler))
    text = g_strdup (_("Paused until Calsync is set up"));
  else if (next == CS_TIME_UNSET)
    text = g_strdup (_("Not scheduled"));
  else
    text = format_due (next, now);
  gtk_label_set_label (self->next_check_label, text);

  gtk_widget_set_visible (GTK_WIDGET (self->next_retry_row), retry != CS_TIME_UNSET);
  if (retry != CS_TIME_UNSET)
    {
      g_autofree char *due = format_due (retry, now);

      gtk_label_set_label (self->next_retry_label, due);
    }
}

/* The health of both servers and the status line */

typedef enum
{
  HEALTH_UNKNOWN,
  HEALTH_ONLINE,
  HEALTH_NO_ADDRESS,
  HEALTH_NOT_SET_UP,
  HEALTH_PROBING,
  HEALTH_UNREACHABLE,
  HEALTH_CIRCUIT_OPEN,
} Health;

static Health
service_health (CsDashboard      *self,
                CsCircuitBreaker *breaker)
{
  if (self->engine == NULL)
    return HEALTH_UNKNOWN;
  /* No client: its address is missing; a client but a set-up error: the
   * key or the token is. */
  if (breaker == NULL)
    return HEALTH_NO_ADDRESS;
  if (cs_engine_get_setup_error (self->engine) != NULL)
    return HEALTH_NOT_SET_UP;

  switch (cs_circuit_breaker_get_state (breaker))
    {
    case CS_CIRCUIT_OPEN:
      return HEALTH_CIRCUIT_OPEN;
    case CS_CIRCUIT_HALF_OPEN:
      return HEALTH_PROBING;
    case CS_CIRCUIT_CLOSED:
    default:
      break;
    }

  /* Failures since the last answer, not yet enough to open the circuit. */
  if (cs_circuit_breaker_get_failures (breaker) > 0)
    return HEALTH_UNREACHABLE;
  if (self->last_run == NULL)
    return HEALTH_UNKNOWN;
  return HEALTH_ONLINE;
}

static void
show_health (CsDashboard      *self,
             CsCircuitBreaker *breaker,
             Health            health,
             GtkImage         *icon,
             GtkLabel         *label)
{
  g_autofree char *text = NULL;
  const char *icon_name;
  const char *tone;

  switch (health)
    {
    case HEALTH_ONLINE:
      text = g_strdup (_("Online"));
      icon_name = "emblem-ok-symbolic";
      tone = "success";
      break;

    case HEALTH_NO_ADDRESS:
      text = g_strdup (_("Address missing"));
      icon_name = "dialog-error-symbolic";
      tone = "error";
      break;

    case HEALTH_NOT_SET_UP:
      text = g_strdup (_("Credentials missing"));
      icon_name = "dialog-password-symbolic";
      tone = "error";
      break;

    case HEALTH_CIRCUIT_OPEN:
      {
        g_autofree char *until = cs_ui_format_time (cs_circuit_breaker_get_open_until (breaker));

        /* Translators: a server whose circuit breaker is open; %s is a time. */
        text = g_strdup_printf (_("Not answering — retry at %s"), until);
        icon_name = "network-offline-symbolic";
        tone = "error";
      }
      break;

    case HEALTH_PROBING:
      text = g_strdup (_("Not answering — trying again now"));
      icon_name = "network-offline-symbolic";
      tone = "warning";
      break;

    case HEALTH_UNREACHABLE:
      text = g_strdup (_("Unreachable"));
      icon_name = "network-error-symbolic";
      tone = "error";
      break;

    case HEALTH_UNKNOWN:
    default:
      text = g_strdup (_("Not checked yet"));
      icon_name = "content-loading-symbolic";
      tone = "dim-label";
      break;
    }

  gtk_label_set_label (label, text);
  gtk_image_set_from_icon_name (icon, icon_name);
  set_tone (GTK_WIDGET (icon), tone);
}

static gboolean
health_is_down (Health health)
{
  return health == HEALTH_CIRCUIT_OPEN || health == HEALTH_PROBING || health == HEALTH_UNREACHABLE;
}

static void
update_health (CsDashboard *self)
{
  Health calcom = service_health (self, self->calcom_breaker);
  Health backend = service_health (self, self->backend_breaker);
  const char *result = self->last_run != NULL ? self->last_run->result : NULL;
  const char *status;
  const char *icon_name;
  const char *tone;
  g_autofree char *text = NULL;
  g_autofree char *counted = NULL;

  show_health (self, self->calcom_breaker, calcom, self->calcom_icon, self->calcom_label);
  show_health (self, self->backend_breaker, backend, self->backend_icon, self->backend_label);

  /* The worst first, as the window's banner orders it. */
  if (self->engine == NULL)
    {
      status = _("Starting…");
      icon_name = "content-loading-symbolic";
      tone = "dim-label";
    }
  else if (calcom == HEALTH_NOT_SET_UP || backend == HEALTH_NOT_SET_UP ||
           calcom == HEALTH_NO_ADDRESS || backend == HEALTH_NO_ADDRESS)
    {
      status = _("Not set up");
      icon_name = "dialog-password-symbolic";
      tone = "error";
    }
  else if (health_is_down (calcom) && health_is_down (backend))
    {
      status = _("Neither server is answering");
      icon_name = "network-offline-symbolic";
      tone = "error";
    }
  else if (health_is_down (calcom))
    {
      status = _("Cal.com is not answering");
      icon_name = "network-offline-symbolic";
      tone = "error";
    }
  else if (health_is_down (backend))
    {
      status = _("The CRM server is not answering");
      icon_name = "network-offline-symbolic";
      tone = "error";
    }
  else if (g_strcmp0 (result, CS_RUN_RESULT_FAILED) == 0)
    {
      status = _("The last check could not finish");
      icon_name = "dialog-error-symbolic";
      tone = "error";
    }
  /* A held-back check still waiting for an answer; a discarded one is
   * history, not health. */
  else if (cs_engine_suspect_waits (self->engine, self->last_run))
    {
      status = _("The last check looked wrong");
      icon_name = "dialog-warning-symbolic";
      tone = "warning";
    }
  else if (self->last_run == NULL)
    {
      status = _("Not checked yet");
      icon_name = "content-loading-symbolic";
      tone = "dim-label";
    }
  /* The services answer and the last check held: the status is what needs
   * a person, then what Calsync still retries, then "all in sync". */
  else if (self->counts.needs_review > 0)
    {
      status = counted = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                       "%u appointment needs review",
                                                       "%u appointments need review",
                                                       self->counts.needs_review),
                                          self->counts.needs_review);
      icon_name = "dialog-warning-symbolic";
      tone = "warning";
    }
  else if (self->counts.retrying > 0)
    {
      status = counted = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                       "%u problem is being retried",
                                                       "%u problems are being retried",
                                                       self->counts.retrying),
                                          self->counts.retrying);
      icon_name = "view-refresh-symbolic";
      tone = "dim-label";
    }
  else
    {
      status = _("All in sync");
      icon_name = "emblem-ok-symbolic";
      tone = "success";
    }

  /* Translators: the dashboard's status line, "Status: All in sync". */
  text = g_strdup_printf (_("Status: %s"), status);
  gtk_label_set_label (self->status_label, text);
  gtk_image_set_from_icon_name (self->status_icon, icon_name);
  set_tone (GTK_WIDGET (self->status_icon), tone);
}

/* Watching the engine's parts */

static void
update_times (CsDashboard *self)
{
  update_last_run (self);
  update_schedule (self);
  update_health (self);
}

static void
watch_scheduler (CsDashboard *self)
{
  CsScheduler *scheduler = self->engine != NULL ? cs_engine_get_scheduler (self->engine) : NULL;

  /* The engine makes its scheduler when the schedule starts, which may be
   * after the dashboard got the engine: look again at each update. */
  if (scheduler == self->scheduler)
    return;

  if (self->scheduler != NULL)
    g_signal_handlers_disconnect_by_data (self->scheduler, self);
  self->scheduler = scheduler;
  if (scheduler == NULL)
    return;

  g_signal_connect_object (scheduler, "notify::next-cycle-at", G_CALLBACK (update_schedule),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (scheduler, "notify::next-check-at", G_CALLBACK (update_schedule),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (scheduler, "notify::next-retry-at", G_CALLBACK (update_schedule),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (scheduler, "notify::paused", G_CALLBACK (update_schedule),
                           self, G_CONNECT_SWAPPED);
}

static gboolean
tick_cb (gpointer user_data)
{
  CsDashboard *self = user_data;

  watch_scheduler (self);
  update_times (self);
  return G_SOURCE_CONTINUE;
}

static void
cs_dashboard_map (GtkWidget *widget)
{
  CsDashboard *self = CS_DASHBOARD (widget);

  GTK_WIDGET_CLASS (cs_dashboard_parent_class)->map (widget);

  /* Relative times age only while someone can see them. */
  if (self->tick_id == 0)
    self->tick_id = g_timeout_add_seconds (TICK_SECONDS, tick_cb, self);
  watch_scheduler (self);
  update_times (self);
}

static void
cs_dashboard_unmap (GtkWidget *widget)
{
  CsDashboard *self = CS_DASHBOARD (widget);

  g_clear_handle_id (&self->tick_id, g_source_remove);

  GTK_WIDGET_CLASS (cs_dashboard_parent_class)->unmap (widget);
}

static void
unwatch_engine (CsDashboard *self)
{
  if (self->scheduler != NULL)
    g_signal_handlers_disconnect_by_data (self->scheduler, self);
  if (self->verifier != NULL)
    g_signal_handlers_disconnect_by_data (self->verifier, self);
  if (self->calcom_breaker != NULL)
    g_signal_handlers_disconnect_by_data (self->calcom_breaker, self);
  if (self->backend_breaker != NULL)
    g_signal_handlers_disconnect_by_data (self->backend_breaker, self);
  self->scheduler = NULL;
  self->verifier = NULL;
  self->calcom_breaker = NULL;
  self->backend_breaker = NULL;
}

static CsCircuitBreaker *
watch_breaker (CsDashboard  *self,
               CsHttpClient *http)
{
  CsCircuitBreaker *breaker;

  if (http == NULL)
    return NULL;

  breaker = cs_http_client_get_circuit_breaker (http);
  g_signal_connect_object (breaker, "notify::state", G_CALLBACK (update_health), self,
                           G_CONNECT_SWAPPED);
  return breaker;
}

static void
cs_dashboard_dispose (GObject *object)
{
  CsDashboard *self = CS_DASHBOARD (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  unwatch_engine (self);

  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_DASHBOARD);

  g_clear_object (&self->engine);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (cs_dashboard_parent_class)->dispose (object);
}

static void
cs_dashboard_finalize (GObject *object)
{
  CsDashboard *self = CS_DASHBOARD (object);

  g_clear_pointer (&self->last_run, cs_run_record_free);
  for (guint i = 0; i < CS_DASHBOARD_N_CARDS; i++)
    g_free (self->card_labels[i]);

  G_OBJECT_CLASS (cs_dashboard_parent_class)->finalize (object);
}

static void
cs_dashboard_class_init (CsDashboardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_dashboard_dispose;
  object_class->finalize = cs_dashboard_finalize;
  widget_class->map = cs_dashboard_map;
  widget_class->unmap = cs_dashboard_unmap;

  /**
   * CsDashboard::open-list:
   * @self: the dashboard
   * @status_filter: the status filter of #CsAppointmentModel, as
   *   cs_dashboard_card_get_filter() gives it
   *
   * A card was clicked: the window shows the list filtered to the rows
   * the card counts.
   */
  signals[OPEN_LIST] =
    g_signal_new ("open-list",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/calsync/Calsync/cs-dashboard.ui");
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, status_icon);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, status_label);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, synced_card);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, pending_card);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, review_card);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, failed_card);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, synced_count);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, pending_count);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, review_count);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, failed_count);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, synced_caption);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, pending_caption);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, review_caption);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, failed_caption);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, last_check_label);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, result_row);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, result_icon);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, result_label);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, duration_label);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, requests_label);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, next_check_label);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, next_retry_row);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, next_retry_label);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, calcom_icon);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, calcom_label);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, backend_icon);
  gtk_widget_class_bind_template_child (widget_class, CsDashboard, backend_label);
  gtk_widget_class_bind_template_callback (widget_class, card_clicked_cb);
}

static void
cs_dashboard_init (CsDashboard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  update_cards (self);
  update_times (self);
}

/**
 * cs_dashboard_set_engine:
 * @self: a dashboard
 * @engine: (nullable): the started engine
 *
 * Shows the last run of @engine's store, its schedule and the health of
 * its servers, and follows their changes.
 */
void
cs_dashboard_set_engine (CsDashboard *self,
                         CsEngine    *engine)
{
  CsCalcomClient *calcom;
  CsBackendClient *backend;

  g_return_if_fail (CS_IS_DASHBOARD (self));
  g_return_if_fail (engine == NULL || CS_IS_ENGINE (engine));

  if (self->engine == engine)
    return;

  unwatch_engine (self);
  g_set_object (&self->engine, engine);

  if (engine != NULL)
    {
      calcom = cs_engine_get_calcom (engine);
      backend = cs_engine_get_backend (engine);
      if (calcom != NULL)
        self->calcom_breaker = watch_breaker (self, cs_calcom_client_get_http (calcom));
      if (backend != NULL)
        self->backend_breaker = watch_breaker (self, cs_backend_client_get_http (backend));

      self->verifier = cs_engine_get_verifier (engine);
      if (self->verifier != NULL)
        g_signal_connect_object (self->verifier, "notify::running", G_CALLBACK (update_schedule),
                                 self, G_CONNECT_SWAPPED);
    }

  cs_dashboard_refresh (self);
}

/**
 * cs_dashboard_set_model:
 * @self: a dashboard
 * @model: (nullable): the model of the window, shared with the list
 *
 * Sets the model whose figures the cards show. The dashboard does not
 * reload it: the window does, and calls cs_dashboard_refresh() after.
 */
void
cs_dashboard_set_model (CsDashboard        *self,
                        CsAppointmentModel *model)
{
  g_return_if_fail (CS_IS_DASHBOARD (self));
  g_return_if_fail (model == NULL || CS_IS_APPOINTMENT_MODEL (model));

  if (g_set_object (&self->model, model))
    cs_dashboard_refresh (self);
}

/**
 * cs_dashboard_refresh:
 * @self: a dashboard
 *
 * Shows the figures of the model as it is now and the last run of the
 * store. Counting runs in memory; the store reads one row.
 */
void
cs_dashboard_refresh (CsDashboard *self)
{
  g_return_if_fail (CS_IS_DASHBOARD (self));

  self->counts = (CsStoreCounts) { { 0 } };
  if (self->model != NULL)
    cs_appointment_model_get_counts (self->model, &self->counts);
  update_cards (self);

  g_clear_pointer (&self->last_run, cs_run_record_free);
  if (self->engine != NULL)
    {
      g_autoptr(GError) error = NULL;

      self->last_run = cs_store_get_last_run (cs_engine_get_store (self->engine), &error);
      if (error != NULL)
        g_debug ("The last run could not be read: %s", error->message);
    }

  watch_scheduler (self);
  update_times (self);
}

/**
 * cs_dashboard_get_card:
 * @self: a dashboard
 * @card: a card
 *
 * Returns: (transfer none): the button of @card
 */
GtkWidget *
cs_dashboard_get_card (CsDashboard     *self,
                       CsDashboardCard  card)
{
  g_return_val_if_fail (CS_IS_DASHBOARD (self), NULL);
  g_return_val_if_fail (card < CS_DASHBOARD_N_CARDS, NULL);

  return GTK_WIDGET (card_button (self, card));
}

/**
 * cs_dashboard_get_card_label:
 * @self: a dashboard
 * @card: a card
 *
 * Returns: what a screen reader says for @card ("Needs review: 5
 *   appointments. Open the list"); its caption is the description
 */
const char *
cs_dashboard_get_card_label (CsDashboard     *self,
                             CsDashboardCard  card)
{
  g_return_val_if_fail (CS_IS_DASHBOARD (self), NULL);
  g_return_val_if_fail (card < CS_DASHBOARD_N_CARDS, NULL);

  return self->card_labels[card];
}
