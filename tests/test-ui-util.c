/* test-ui-util.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>

#include "cs-ui-util.h"
#include "cs-verifier.h"
#include "ui-test-util.h"

#define NOW ((CsTime) G_GINT64_CONSTANT (1795424400) * CS_USEC_PER_SECOND)

static void
test_relative (void)
{
  struct {
    gint64      delta;
    const char *expected;
  } cases[] = {
    { 0, "in less than a minute" },
    { -30 * CS_USEC_PER_SECOND, "just now" },
    { 5 * CS_USEC_PER_MINUTE, "in 5 min" },
    { -5 * CS_USEC_PER_MINUTE, "5 min ago" },
    { 2 * CS_USEC_PER_HOUR, "in 2 h" },
    { 2 * CS_USEC_PER_HOUR + 14 * CS_USEC_PER_MINUTE + 30 * CS_USEC_PER_SECOND, "in 2 h 14 min" },
    { -(3 * CS_USEC_PER_HOUR + 45 * CS_USEC_PER_MINUTE), "3 h 45 min ago" },
    { CS_USEC_PER_DAY, "in 1 day" },
    { 30 * CS_USEC_PER_DAY, "in 30 days" },
    { -2 * CS_USEC_PER_DAY, "2 days ago" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = cs_ui_format_relative (NOW + cases[i].delta, NOW);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }

  {
    g_autofree char *unset = cs_ui_format_relative (CS_TIME_UNSET, NOW);

    g_assert_cmpstr (unset, ==, "—");
  }
}

static void
test_error_labels (void)
{
  g_assert_cmpstr (cs_ui_error_label (CS_ERROR_CODE_NONE, NULL), ==, "");
  g_assert_cmpstr (cs_ui_error_label (CS_ERROR_CODE_ORPHANED_LOCAL, "Booking \"x\" not found in Cal.com"),
                   ==, "Not in Cal.com");
  g_assert_cmpstr (cs_ui_error_label (CS_ERROR_CODE_ORPHANED_CALCOM, NULL), ==, "Not in the CRM");
  g_assert_cmpstr (cs_ui_error_label (CS_ERROR_CODE_DATA_MISMATCH, "Data mismatch: start"), ==,
                   "Data mismatch");
  g_assert_cmpstr (cs_ui_error_label (CS_ERROR_CODE_DATA_MISMATCH,
                                      "Conflict: several Cal.com bookings claim this appointment"),
                   ==, "Conflicting bookings");
  /* The verifier's fixed reasons become the UI's words; anything else is
   * a failed verification, never the stored text itself. */
  g_assert_cmpstr (cs_ui_error_label (CS_ERROR_CODE_VERIFICATION_ERROR, CS_LOOKUP_REASON_TIMEOUT),
                   ==, "API timeout");
  g_assert_cmpstr (cs_ui_error_label (CS_ERROR_CODE_VERIFICATION_ERROR, CS_LOOKUP_REASON_SERVER),
                   ==, "Server error");
  g_assert_cmpstr (cs_ui_error_label (CS_ERROR_CODE_VERIFICATION_ERROR, "<b>anything</b>"),
                   ==, "Verification failed");
  g_assert_cmpstr (cs_ui_error_label (CS_ERROR_CODE_CIRCUIT_OPEN, NULL), ==, "Cal.com down, waiting");
}

static void
test_status_never_colour_alone (void)
{
  for (CsSyncStatus s = 0; s <= CS_SYNC_STATUS_LAST; s++)
    {
      g_assert_cmpstr (cs_ui_status_label (s), !=, "");
      g_assert_true (g_str_has_suffix (cs_ui_status_icon_name (s), "-symbolic"));
      g_assert_nonnull (cs_ui_status_css_class (s));
    }
  g_assert_cmpstr (cs_ui_status_css_class (CS_SYNC_STATUS_SYNCED), ==, "success");
  g_assert_cmpstr (cs_ui_status_css_class (CS_SYNC_STATUS_PENDING), ==, "warning");
  g_assert_cmpstr (cs_ui_status_css_class (CS_SYNC_STATUS_ORPHANED_LOCAL), ==, "error");
}

static void
test_status_classes_replace (void)
{
  GtkWidget *label = g_object_ref_sink (gtk_label_new ("x"));

  cs_ui_set_status_classes (label, CS_SYNC_STATUS_FAILED);
  g_assert_true (gtk_widget_has_css_class (label, "error"));
  cs_ui_set_status_classes (label, CS_SYNC_STATUS_SYNCED);
  g_assert_true (gtk_widget_has_css_class (label, "success"));
  g_assert_false (gtk_widget_has_css_class (label, "error"));
  g_object_unref (label);
}

static void
test_toast_escapes (void)
{
  g_autoptr(AdwToast) toast = cs_ui_toast_new_printf ("Failed: %s", "<b>Müller & Co</b>");

  g_assert_cmpstr (adw_toast_get_title (toast), ==, "Failed: &lt;b&gt;Müller &amp; Co&lt;/b&gt;");
}

static void
test_formats_c (void)
{
  g_autofree char *count = cs_ui_format_count (1247);
  g_autofree char *duration = cs_ui_format_duration (2300 * G_TIME_SPAN_MILLISECOND);
  g_autofree char *minutes = cs_ui_format_duration (125 * G_USEC_PER_SEC);
  g_autofree char *fast = cs_ui_format_duration (55 * G_TIME_SPAN_MILLISECOND);
  g_autofree char *percent = cs_ui_format_percent (0.987);
  g_autofree char *unset = cs_ui_format_date_time (CS_TIME_UNSET);

  g_assert_cmpstr (count, ==, "1247");
  g_assert_cmpstr (duration, ==, "2.3 s");
  g_assert_cmpstr (minutes, ==, "2 min 5 s");
  /* A fast check does not read "0.0 s". */
  g_assert_cmpstr (fast, ==, "55 ms");
  g_assert_cmpstr (percent, ==, "98.7%");
  g_assert_cmpstr (unset, ==, "—");
}

static void
test_date_time_local (void)
{
  g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier ("Europe/Berlin");
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *text = NULL;
  g_autofree char *long_text = NULL;

  g_assert_nonnull (berlin);
  g_setenv ("TZ", "Europe/Berlin", TRUE);
  tzset ();

  /* 13 October 2026, 10:00 in Berlin (summer time). */
  when = g_date_time_new (berlin, 2026, 10, 13, 10, 0, 0);
  text = cs_ui_format_date_time (g_date_time_to_unix (when) * G_USEC_PER_SEC);
  long_text = cs_ui_format_date_time_long (g_date_time_to_unix (when) * G_USEC_PER_SEC);
  g_assert_cmpstr (text, ==, "Oct 13, 10:00");
  g_assert_cmpstr (long_text, ==, "Oct 13, 2026 10:00");
}

int
main (int   argc,
      char *argv[])
{
  /* The untranslated words and C's number format. */
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "C", TRUE);
  ui_test_init (&argc, &argv);

  g_test_add_func ("/ui-util/relative", test_relative);
  g_test_add_func ("/ui-util/error-labels", test_error_labels);
  g_test_add_func ("/ui-util/status-never-colour-alone", test_status_never_colour_alone);
  g_test_add_func ("/ui-util/status-classes-replace", test_status_classes_replace);
  g_test_add_func ("/ui-util/toast-escapes", test_toast_escapes);
  g_test_add_func ("/ui-util/formats", test_formats_c);
  g_test_add_func ("/ui-util/date-time-local", test_date_time_local);

  return g_test_run ();
}
