/* cs-background.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libportal-gtk4/portal-gtk4.h>

#include "cs-background.h"

/* Running in the background (the `run-in-background` setting): the
 * application holds itself while the window is closed (CsApplication), and
 * at login `calsync --background` starts it again without a window.
 *
 * Inside Flatpak the sandbox cannot write ~/.config/autostart: the
 * Background portal asks the user and writes the entry itself. Outside,
 * Calsync writes the XDG autostart entry (and removes it when the setting
 * is turned off), as the XDG Autostart specification describes. */

#define AUTOSTART_ARGUMENT "--background"

/**
 * cs_background_is_sandboxed:
 *
 * Returns: whether Calsync runs inside Flatpak
 */
gboolean
cs_background_is_sandboxed (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

/**
 * cs_background_get_autostart_path:
 *
 * Returns: (transfer full): where the XDG autostart entry goes outside
 *   Flatpak: `$XDG_CONFIG_HOME/autostart/<app id>.desktop`
 */
char *
cs_background_get_autostart_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "autostart", APPLICATION_ID ".desktop", NULL);
}

/* The program to start at login: the one running now, so an uninstalled
 * or relocated build starts itself, not another copy. */
static char *
own_program (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);

  if (self != NULL && g_path_is_absolute (self))
    return g_steal_pointer (&self);

  return g_strdup ("calsync");
}

/* Quotes a path for a desktop entry's Exec key (Desktop Entry
 * Specification, "The Exec key"): double quotes, with ", `, $ and \
 * escaped by a backslash; plain paths stay as they are. */
static char *
quote_exec_argument (const char *argument)
{
  GString *quoted;

  if (argument[strspn (argument, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+")] == '\0')
    return g_strdup (argument);

  quoted = g_string_new ("\"");
  for (const char *p = argument; *p != '\0'; p++)
    {
      if (strchr ("\"`$\\", *p) != NULL)
        g_string_append_c (quoted, '\\');
      g_string_append_c (quoted, *p);
    }
  g_string_append_c (quoted, '"');
  return g_string_free (quoted, FALSE);
}

static char *
autostart_entry (void)
{
  g_autofree char *program = own_program ();
  g_autofree char *quoted = quote_exec_argument (program);

  /* Not translated on purpose: the entry is written once, and the session
   * shows the app's own name from its desktop file. */
  return g_strdup_printf ("[Desktop Entry]\n"
                          "Type=Application\n"
                          "Name=Calsync\n"
                          "Comment=Checks the appointments in the background\n"
                          "Exec=%s " AUTOSTART_ARGUMENT "\n"
                          "Icon=" APPLICATION_ID "\n"
                          "NoDisplay=true\n"
                          "X-GNOME-Autostart-enabled=true\n",
                          quoted);
}

static void
write_autostart_in_thread (GTask        *task,
                           gpointer      source_object,
                           gpointer      task_data,
                           GCancellable *cancellable)
{
  gboolean enabled = GPOINTER_TO_INT (task_data);
  g_autofree char *path = cs_background_get_autostart_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *entry = NULL;
  g_autoptr(GError) error = NULL;

  if (!enabled)
    {
      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          int saved = errno;

          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved),
                                   _("The autostart entry could not be removed: %s"),
                                   g_strerror (saved));
          return;
        }
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved),
                               _("The autostart folder could not be made: %s"), g_strerror (saved));
      return;
    }

  entry = autostart_entry ();
  if (!g_file_set_contents_full (path, entry, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("The autostart entry could not be written: %s"), error->message);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
portal_background_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!xdp_portal_request_background_finish (XDP_PORTAL (object), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * cs_background_set_autostart_async:
 * @parent: (nullable): the window the portal's question belongs to
 * @enabled: whether Calsync should start at login
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Inside Flatpak asks the Background portal to let Calsync run in the
 * background and to start it at login (or not); outside writes or removes
 * the XDG autostart entry, in a worker thread.
 */
void
cs_background_set_autostart_async (GtkWindow           *parent,
                                   gboolean             enabled,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, cs_background_set_autostart_async);

  if (cs_background_is_sandboxed ())
    {
      /* xdp_portal_initable_new() is libportal 0.7; Debian 12 has 0.6. */
      g_autoptr(XdpPortal) portal = xdp_portal_new ();
      g_autoptr(GPtrArray) commandline = g_ptr_array_new_with_free_func (g_free);
      XdpParent *xdp_parent = parent != NULL ? xdp_parent_new_gtk (parent) : NULL;

      g_ptr_array_add (commandline, g_strdup ("calsync"));
      g_ptr_array_add (commandline, g_strdup (AUTOSTART_ARGUMENT));
      xdp_portal_request_background (portal, xdp_parent,
                                     _("Calsync checks your appointments on schedule and tells you "
                                       "about problems while its window is closed."),
                                     commandline,
                                     enabled ? XDP_BACKGROUND_FLAG_AUTOSTART : XDP_BACKGROUND_FLAG_NONE,
                                     cancellable, portal_background_cb, g_steal_pointer (&task));
      g_clear_pointer (&xdp_parent, xdp_parent_free);
      return;
    }

  g_task_set_task_data (task, GINT_TO_POINTER (enabled), NULL);
  g_task_run_in_thread (task, write_autostart_in_thread);
}

/**
 * cs_background_set_autostart_finish:
 * @result: the result
 * @error: return location for an error
 *
 * Returns: whether the request went through
 */
gboolean
cs_background_set_autostart_finish (GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
