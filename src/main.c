/* main.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "cs-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CsApplication) app = NULL;
  const char *localedir = g_getenv ("CALSYNC_LOCALEDIR");

  setlocale (LC_ALL, "");
  /* An uninstalled build (meson devenv, the tests) points at its own
   * catalogues; an installed one uses the prefix's. */
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && localedir[0] != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = cs_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
