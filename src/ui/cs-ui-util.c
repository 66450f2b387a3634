/* cs-ui-util.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "cs-ui-util.h"
#include "cs-verifier.h"

/**
 * cs_ui_status_label:
 * @status: a sync status
 *
 * Returns: the status in the words of the list and the dashboard
 */
const char *
cs_ui_status_label (CsSyncStatus status)
{
  switch (status)
    {
    case CS_SYNC_STATUS_PENDING:
      return _("Pending");
    case CS_SYNC_STATUS_VERIFICATION_PENDING:
      return _("Verifying");
    case CS_SYNC_STATUS_SYNCED:
      return _("Synced");
    case CS_SYNC_STATUS_FAILED:
      return _("Failed");
    case CS_SYNC_STATUS_ORPHANED_LOCAL:
      return _("Not in Cal.com");
    case CS_SYNC_STATUS_ORPHANED_CALCOM:
      return _("Only in Cal.com");
    default:
      g_return_val_if_reached ("");
    }
}

/**
 * cs_ui_status_icon_name:
 * @status: a sync status
 *
 * The icon goes with the words, never instead of them: the status is
 * readable without colour.
 *
 * Returns: a symbolic icon name
 */
const char *
cs_ui_status_icon_name (CsSyncStatus status)
{
  switch (status)
    {
    case CS_SYNC_STATUS_PENDING:
      return "content-loading-symbolic";
    case CS_SYNC_STATUS_VERIFICATION_PENDING:
      return "view-refresh-symbolic";
    case CS_SYNC_STATUS_SYNCED:
      return "emblem-ok-symbolic";
    case CS_SYNC_STATUS_FAILED:
      return "dialog-error-symbolic";
    case CS_SYNC_STATUS_ORPHANED_LOCAL:
    case CS_SYNC_STATUS_ORPHANED_CALCOM:
      return "dialog-warning-symbolic";
    default:
      g_return_val_if_reached ("dialog-question-symbolic");
    }
}

/**
 * cs_ui_status_css_class:
 * @status: a sync status
 *
 * Returns: libadwaita's style class for the colour of @status: `success`
 *   (green), `warning` (yellow) or `error` (red)
 */
const char *
cs_ui_status_css_class (CsSyncStatus status)
{
  switch (status)
    {
    case CS_SYNC_STATUS_SYNCED:
      return "success";
    case CS_SYNC_STATUS_PENDING:
    case CS_SYNC_STATUS_VERIFICATION_PENDING:
      return "warning";
    case CS_SYNC_STATUS_FAILED:
    case CS_SYNC_STATUS_ORPHANED_LOCAL:
    case CS_SYNC_STATUS_ORPHANED_CALCOM:
      return "error";
    default:
      g_return_val_if_reached ("dim-label");
    }
}

/**
 * cs_ui_set_status_classes:
 * @widget: a widget
 * @status: a sync status
 *
 * Gives @widget the colour class of @status and takes the others away,
 * for recycled list cells.
 */
void
cs_ui_set_status_classes (GtkWidget    *widget,
                          CsSyncStatus  status)
{
  static const char * const classes[] = { "success", "warning", "error", "dim-label" };
  const char *wanted = cs_ui_status_css_class (status);

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    if (g_strcmp0 (classes[i], wanted) != 0)
      gtk_widget_remove_css_class (widget, classes[i]);
  gtk_widget_add_css_class (widget, wanted);
}

/**
 * cs_ui_needs_review_label:
 *
 * Returns: the words for an appointment flagged for manual review
 */
const char *
cs_ui_needs_review_label (void)
{
  return _("Needs review");
}

/* The fixed reasons the verifier stores for a failed lookup, in the words
 * of the UI. */
static const char *
lookup_reason_label (const char *message)
{
  static const struct {
    const char *reason;
    const char *label;
  } reasons[] = {
    { CS_LOOKUP_REASON_TIMEOUT, N_("API timeout") },
    { CS_LOOKUP_REASON_UNREACHABLE, N_("Server unreachable") },
    { CS_LOOKUP_REASON_SERVER, N_("Server error") },
    { CS_LOOKUP_REASON_RATE_LIMITED, N_("Rate limited") },
    { CS_LOOKUP_REASON_CIRCUIT_OPEN, N_("Service down") },
    { CS_LOOKUP_REASON_REJECTED, N_("Key rejected") },
    { CS_LOOKUP_REASON_INVALID_ANSWER, N_("Invalid answer") },
  };

  for (guint i = 0; message != NULL && i < G_N_ELEMENTS (reasons); i++)
    if (g_str_equal (message, reasons[i].reason))
      return _(reasons[i].label);

  return _("Verification failed");
}

/**
 * cs_ui_error_label:
 * @code: the sync error code
 * @message: (nullable): the stored tracking message
 *
 * Returns: the error in a few words ("Not in Cal.com", "API timeout"), or
 *   "" for %CS_ERROR_CODE_NONE
 */
const char *
cs_ui_error_label (CsErrorCode  code,
                   const char  *message)
{
  switch (code)
    {
    case CS_ERROR_CODE_NONE:
      return "";
    case CS_ERROR_CODE_ORPHANED_LOCAL:
      return _("Not in Cal.com");
    case CS_ERROR_CODE_ORPHANED_CALCOM:
      return _("Not in the CRM");
    case CS_ERROR_CODE_DATA_MISMATCH:
      if (message != NULL && g_str_has_prefix (message, "Conflict"))
        return _("Conflicting bookings");
      return _("Data mismatch");
    case CS_ERROR_CODE_VERIFICATION_ERROR:
      return lookup_reason_label (message);
    case CS_ERROR_CODE_CIRCUIT_OPEN:
      return _("Cal.com down, waiting");
    default:
      g_return_val_if_reached ("");
    }
}

/**
 * cs_ui_crm_status_label:
 * @status: a CRM appointment status
 *
 * Returns: the status as the CRM names it
 */
const char *
cs_ui_crm_status_label (CsCrmStatus status)
{
  switch (status)
    {
    case CS_CRM_STATUS_SCHEDULED:
      return _("Scheduled");
    case CS_CRM_STATUS_CONFIRMED:
      return _("Confirmed");
    case CS_CRM_STATUS_COMPLETED:
      return _("Completed");
    case CS_CRM_STATUS_NO_SHOW:
      return _("No-show");
    case CS_CRM_STATUS_CANCELLED:
      return _("Cancelled");
    default:
      g_return_val_if_reached ("");
    }
}

/**
 * cs_ui_booking_status_label:
 * @status: a Cal.com booking status
 *
 * Returns: the status as Cal.com names it
 */
const char *
cs_ui_booking_status_label (CsBookingStatus status)
{
  switch (status)
    {
    case CS_BOOKING_STATUS_ACCEPTED:
      return _("Accepted");
    case CS_BOOKING_STATUS_PENDING:
      return C_("booking status", "Pending");
    case CS_BOOKING_STATUS_CANCELLED:
      return C_("booking status", "Cancelled");
    case CS_BOOKING_STATUS_REJECTED:
      return _("Rejected");
    case CS_BOOKING_STATUS_AWAITING_HOST:
      return _("Awaiting host");
    default:
      g_return_val_if_reached ("");
    }
}

static GDateTime *
local_date_time (CsTime time)
{
  return g_date_time_new_from_unix_local (time / G_USEC_PER_SEC);
}

static char *
format_local (CsTime      time,
              const char *format)
{
  g_autoptr(GDateTime) local = NULL;

  if (time == CS_TIME_UNSET)
    return g_strdup (C_("no time", "—"));

  local = local_date_time (time);
  if (local == NULL)
    return g_strdup (C_("no time", "—"));

  return g_date_time_format (local, format);
}

/**
 * cs_ui_format_date_time:
 * @time: an instant, or %CS_TIME_UNSET
 *
 * Returns: (transfer full): day, month and time in the local zone, in the
 *   order of the language ("13.10. 10:00" in German)
 */
char *
cs_ui_format_date_time (CsTime time)
{
  /* Translators: a short date and time, a strftime format (see
   * g_date_time_format). German: "%d.%m. %H:%M" gives 13.10. 10:00. */
  return format_local (time, C_("short date and time", "%b %-d, %H:%M"));
}

/**
 * cs_ui_format_date_time_long:
 * @time: an instant, or %CS_TIME_UNSET
 *
 * Returns: (transfer full): the date with the year and the time
 */
char *
cs_ui_format_date_time_long (CsTime time)
{
  /* Translators: a date with year and a time, a strftime format (see
   * g_date_time_format). German: "%d.%m.%Y %H:%M" gives 13.10.2026 10:00. */
  return format_local (time, C_("long date and time", "%b %-d, %Y %H:%M"));
}

/**
 * cs_ui_format_time:
 * @time: an instant, or %CS_TIME_UNSET
 *
 * Returns: (transfer full): the time of day
 */
char *
cs_ui_format_time (CsTime time)
{
  /* Translators: a time of day, a strftime format. */
  return format_local (time, C_("time of day", "%H:%M"));
}

/**
 * cs_ui_format_relative:
 * @time: an instant, or %CS_TIME_UNSET
 * @now: the current time
 *
 * Returns: (transfer full): how far @time is from @now: "in 2 h 14 min",
 *   "5 min ago", "in 3 days"
 */
char *
cs_ui_format_relative (CsTime time,
                       CsTime now)
{
  gint64 delta;
  gint64 minutes;
  gboolean future;

  if (time == CS_TIME_UNSET)
    return g_strdup (C_("no time", "—"));

  delta = time - now;
  future = delta >= 0;
  minutes = (future ? delta : -delta) / CS_USEC_PER_MINUTE;

  if (minutes < 1)
    return g_strdup (future ? _("in less than a minute") : _("just now"));

  if (minutes < 60)
    return future ? g_strdup_printf (_("in %u min"), (guint) minutes)
                  : g_strdup_printf (_("%u min ago"), (guint) minutes);

  if (minutes < 24 * 60)
    {
      guint h = (guint) (minutes / 60);
      guint m = (guint) (minutes % 60);

      if (m == 0)
        return future ? g_strdup_printf (_("in %u h"), h) : g_strdup_printf (_("%u h ago"), h);
      return future ? g_strdup_printf (_("in %u h %u min"), h, m)
                    : g_strdup_printf (_("%u h %u min ago"), h, m);
    }

  {
    guint days = (guint) (minutes / (24 * 60));

    return future ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "in %u day", "in %u days", days), days)
                  : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u day ago", "%u days ago", days), days);
  }
}

/**
 * cs_ui_format_duration:
 * @usec: a duration in microseconds
 *
 * Returns: (transfer full): "55 ms", "2.3 s", "2 min 5 s"; the decimal mark is the
 *   language's
 */
char *
cs_ui_format_duration (gint64 usec)
{
  if (usec < 0)
    return g_strdup (C_("no time", "—"));

  if (usec < G_USEC_PER_SEC)
    /* Translators: a duration in milliseconds. */
    return g_strdup_printf (_("%u ms"), (guint) (usec / 1000));

  if (usec < 60 * G_USEC_PER_SEC)
    /* Translators: a duration in seconds with one decimal. */
    return g_strdup_printf (_("%.1f s"), (double) usec / G_USEC_PER_SEC);

  return g_strdup_printf (_("%u min %u s"),
                          (guint) (usec / (60 * G_USEC_PER_SEC)),
                          (guint) ((usec / G_USEC_PER_SEC) % 60));
}

/**
 * cs_ui_format_count:
 * @n: a number
 *
 * Returns: (transfer full): @n with the language's thousands separator
 *   ("1,247"; "1.247" in German)
 */
char *
cs_ui_format_count (guint n)
{
  return g_strdup_printf ("%'u", n);
}

/**
 * cs_ui_format_percent:
 * @fraction: a share from 0 to 1
 *
 * Returns: (transfer full): "98.7 %" with the language's decimal mark
 */
char *
cs_ui_format_percent (double fraction)
{
  /* Translators: a percentage with one decimal; German puts a space
   * before the sign. */
  return g_strdup_printf (_("%.1f%%"), CLAMP (fraction, 0.0, 1.0) * 100.0);
}

/**
 * cs_ui_toast_new:
 * @text: plain text, possibly with server text in it
 *
 * libadwaita 1.2 reads a toast's title as Pango markup (use-markup is
 * 1.4): the text is escaped here, so every toast goes through this.
 *
 * Returns: (transfer full): a new toast
 */
AdwToast *
cs_ui_toast_new (const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  return adw_toast_new (escaped);
}

/**
 * cs_ui_toast_new_printf:
 * @format: a printf() format for plain text
 * @...: the arguments
 *
 * Returns: (transfer full): a new toast with the escaped text
 */
AdwToast *
cs_ui_toast_new_printf (const char *format,
                        ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  return cs_ui_toast_new (text);
}
