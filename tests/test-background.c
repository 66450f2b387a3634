/* test-background.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "cs-background.h"
#include "ui-test-util.h"

static gboolean
set_autostart (gboolean enabled)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *pending = NULL;
  gboolean ok;

  cs_background_set_autostart_async (NULL, enabled, NULL, ui_test_async_cb, &pending);
  result = ui_test_wait_result (&pending);
  ok = cs_background_set_autostart_finish (result, &error);
  g_assert_no_error (error);
  return ok;
}

/* Outside Flatpak the XDG autostart entry starts this very program with
 * --background at login, and goes away when the setting is turned off. */
static void
test_autostart_entry (void)
{
  g_autofree char *path = cs_background_get_autostart_path ();
  g_autofree char *contents = NULL;
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr(GKeyFile) entry = g_key_file_new ();
  g_autofree char *exec = NULL;
  g_autofree char *expected = NULL;

  g_assert_false (cs_background_is_sandboxed ());
  g_assert_true (g_str_has_prefix (path, g_get_user_config_dir ()));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  g_assert_true (set_autostart (TRUE));
  g_assert_true (g_key_file_load_from_file (entry, path, G_KEY_FILE_NONE, NULL));
  exec = g_key_file_get_string (entry, "Desktop Entry", "Exec", NULL);
  expected = g_strdup_printf ("%s --background", self);
  g_assert_cmpstr (exec, ==, expected);
  g_assert_cmpstr (g_key_file_get_string (entry, "Desktop Entry", "Type", NULL), ==, "Application");

  /* Again: the same entry, no error. */
  g_assert_true (set_autostart (TRUE));
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));

  g_assert_true (set_autostart (FALSE));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (set_autostart (FALSE));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config = g_dir_make_tmp ("calsync-config-XXXXXX", NULL);
  g_autofree char *autostart = g_build_filename (config, "autostart", NULL);
  int status;

  /* A throwaway config folder: the developer's autostart is never touched. */
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  ui_test_init (&argc, &argv);

  g_test_add_func ("/background/autostart-entry", test_autostart_entry);

  status = g_test_run ();
  g_rmdir (autostart);
  g_rmdir (config);
  return status;
}
