/* main.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdlib.h>

#include "cs-store.h"

/* The headless entry point until the window exists (issue 6): it proves the
 * build, the translations and the cache. */
int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStore) store = NULL;
  g_autofree char *path = NULL;
  const GError *recovered;
  gboolean version = FALSE;
  gboolean check_cache = FALSE;
  const GOptionEntry entries[] = {
    { "version", 'v', 0, G_OPTION_ARG_NONE, &version,
      N_("Show the version and exit"), NULL },
    { "check-cache", 0, 0, G_OPTION_ARG_NONE, &check_cache,
      N_("Open the local cache, repair it if it is damaged, and exit"), NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _("Calsync keeps the appointments of your CRM database and "
                                  "your Cal.com bookings in agreement."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      g_printerr (_("Run “%s --help” to see the options.\n"), g_get_prgname ());
      return EXIT_FAILURE;
    }

  if (version)
    {
      g_print ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  if (check_cache)
    {
      path = cs_store_get_default_path ();
      store = cs_store_open (path, &error);
      if (store == NULL)
        {
          g_printerr (_("The local cache could not be opened: %s\n"), error->message);
          return EXIT_FAILURE;
        }

      recovered = cs_store_get_recovery_error (store);
      if (recovered != NULL)
        g_printerr ("%s\n", recovered->message);

      g_print (_("The local cache is ready.\n"));
      return EXIT_SUCCESS;
    }

  g_print ("%s\n", _("The Calsync window is not built yet. Run with --help to see the options."));
  return EXIT_SUCCESS;
}
