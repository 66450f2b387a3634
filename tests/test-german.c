/* test-german.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "cs-ui-util.h"
#include "cs-window.h"
#include "ui-test-util.h"

/* German is first-class: the window starts in German with the catalogue
 * built in po/, and dates, times and numbers follow the German forms. */

static void
test_window_in_german (void)
{
  CsWindow *window = cs_window_new (NULL, NULL);
  AdwViewStack *stack;
  AdwViewStackPage *page;

  gtk_window_present (GTK_WINDOW (window));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Calsync");

  stack = ADW_VIEW_STACK (ui_test_find_by_type (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK));
  page = adw_view_stack_get_page (stack, adw_view_stack_get_child_by_name (stack, "dashboard"));
  g_assert_cmpstr (adw_view_stack_page_get_title (page), ==, "_Übersicht");
  page = adw_view_stack_get_page (stack, adw_view_stack_get_child_by_name (stack, "appointments"));
  g_assert_cmpstr (adw_view_stack_page_get_title (page), ==, "_Termine");
  g_assert_cmpstr (adw_button_content_get_label (ADW_BUTTON_CONTENT (ui_test_find_by_type (GTK_WIDGET (window),
                                                                                       ADW_TYPE_BUTTON_CONTENT))),
                   ==, "_Jetzt prüfen");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_formats_in_german (void)
{
  g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier ("Europe/Berlin");
  g_autoptr(GDateTime) when = g_date_time_new (berlin, 2026, 10, 13, 10, 0, 0);
  CsTime at = g_date_time_to_unix (when) * G_USEC_PER_SEC;
  g_autofree char *short_text = cs_ui_format_date_time (at);
  g_autofree char *long_text = cs_ui_format_date_time_long (at);
  g_autofree char *count = cs_ui_format_count (1247);
  g_autofree char *percent = cs_ui_format_percent (0.987);
  g_autofree char *duration = cs_ui_format_duration (2300 * G_TIME_SPAN_MILLISECOND);
  g_autofree char *relative = cs_ui_format_relative (at + 2 * CS_USEC_PER_HOUR + 14 * CS_USEC_PER_MINUTE, at);

  g_assert_cmpstr (short_text, ==, "13.10. 10:00");
  g_assert_cmpstr (long_text, ==, "13.10.2026 10:00");
  g_assert_cmpstr (count, ==, "1.247");
  g_assert_cmpstr (percent, ==, "98,7 %");
  g_assert_cmpstr (duration, ==, "2,3 s");
  g_assert_cmpstr (relative, ==, "in 2 Std. 14 Min.");
  g_assert_cmpstr (cs_ui_status_label (CS_SYNC_STATUS_ORPHANED_LOCAL), ==, "Nicht in Cal.com");
  g_assert_cmpstr (cs_ui_error_label (CS_ERROR_CODE_VERIFICATION_ERROR, "API timeout"), ==,
                   "Zeitüberschreitung der API");
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("CALSYNC_LOCALEDIR");

  g_assert_nonnull (localedir);
  g_setenv ("LANGUAGE", "de", TRUE);
  g_setenv ("LC_ALL", "de_DE.UTF-8", TRUE);
  g_setenv ("TZ", "Europe/Berlin", TRUE);
  ui_test_init (&argc, &argv);

  /* The machine must have the locale (build-aux/deps.sh generates it):
   * without it this test would pass on English words. */
  g_assert_nonnull (setlocale (LC_ALL, "de_DE.UTF-8"));
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_add_func ("/german/window", test_window_in_german);
  g_test_add_func ("/german/formats", test_formats_in_german);

  return g_test_run ();
}
