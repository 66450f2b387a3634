/* fuzz-replay.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "fuzz-common.h"

/*
 * The main() that turns a fuzz target into an ordinary test, built by any
 * compiler: it feeds the target every file of the folders (or the files)
 * named on the command line, the seed corpus and the kept crashes, so that
 * the normal test run replays them without clang. A crash is a crash of
 * this program. A folder that does not exist is no error: a target need
 * not have regressions.
 */

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static guint
replay_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      fprintf (stderr, "fuzz-replay: %s\n", error->message);
      exit (EXIT_FAILURE);
    }

  /* Printed before the call, so that a crash names its input. */
  printf ("# %s\n", path);
  fflush (stdout);
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);

  return 1;
}

static guint
replay_folder (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  guint n = 0;

  dir = g_dir_open (path, 0, &error);
  if (dir == NULL)
    {
      fprintf (stderr, "fuzz-replay: %s\n", error->message);
      exit (EXIT_FAILURE);
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      /* README files and the like describe the folder. */
      if (name[0] != '.' && !g_str_has_suffix (name, ".md"))
        g_ptr_array_add (names, g_strdup (name));
    }

  /* The same order on every machine. */
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *file = g_build_filename (path, g_ptr_array_index (names, i), NULL);

      if (g_file_test (file, G_FILE_TEST_IS_REGULAR))
        n += replay_file (file);
    }

  return n;
}

int
main (int   argc,
      char *argv[])
{
  guint n = 0;

  cs_fuzz_init ();

  for (int i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        n += replay_folder (argv[i]);
      else if (g_file_test (argv[i], G_FILE_TEST_EXISTS))
        n += replay_file (argv[i]);
    }

  if (n == 0)
    {
      fprintf (stderr, "fuzz-replay: no input in the folders given\n");
      return EXIT_FAILURE;
    }

  printf ("replayed %u inputs\n", n);
  return EXIT_SUCCESS;
}
