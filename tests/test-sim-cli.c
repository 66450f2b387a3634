/* test-sim-cli.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <signal.h>
#include <string.h>

/* The README's two lines about the simulator, run as written (the binary
 * from the build), and the options the README names. */

#define TIMEOUT_USEC (60 * G_USEC_PER_SEC)

typedef struct
{
  GString  *out;
  gboolean  done;
} Reading;

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Reading *reading = user_data;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL,
                                                    NULL);
  if (line == NULL)
    {
      reading->done = TRUE;
      return;
    }

  g_string_append_printf (reading->out, "%s\n", line);
  /* The last line the simulator prints before it serves. */
  if (g_str_has_prefix (line, "Dataset: "))
    {
      reading->done = TRUE;
      return;
    }

  g_data_input_stream_read_line_async (G_DATA_INPUT_STREAM (object), G_PRIORITY_DEFAULT, NULL,
                                       read_line_cb, reading);
}

/* Starts calsync-sim with @args, reads what it prints until it serves,
 * then stops it with SIGTERM as the README says. */
static char *
run_serving (const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  Reading reading = { g_string_new (NULL), FALSE };
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_USEC;

  g_ptr_array_add (argv, (gpointer) g_getenv ("CALSYNC_SIM_BIN"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, NULL, read_line_cb, &reading);
  while (!reading.done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (reading.done);

  g_subprocess_send_signal (process, SIGTERM);
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  return g_string_free (reading.out, FALSE);
}

/* ./build/src/sim/calsync-sim --appointments 10000 --seed 7 */
static void
test_serves (void)
{
  static const char * const args[] = { "--appointments", "10000", "--seed", "7", NULL };
  g_autofree char *out = run_serving (args);

  g_assert_nonnull (strstr (out, "Cal.com base URL: http://127.0.0.1:"));
  g_assert_nonnull (strstr (out, "Backend base URL: http://127.0.0.1:"));
  g_assert_nonnull (strstr (out, "Cal.com API key:  "));
  g_assert_nonnull (strstr (out, "Backend token:    "));
  g_assert_nonnull (strstr (out, "Dataset: 10000 appointments"));
  g_assert_nonnull (strstr (out, "seed 7"));
}

/* --awaiting-host and --recurring set their shares. */
static void
test_shares (void)
{
  static const char * const args[] = { "--appointments", "400", "--awaiting-host", "0.05",
                                       "--recurring", "0", NULL };
  g_autofree char *out = run_serving (args);

  g_assert_nonnull (strstr (out, "awaiting_host 20"));
  g_assert_nonnull (strstr (out, "recurring 0"));
}

/* ./build/src/sim/calsync-sim --help */
static void
test_help (void)
{
  const char *argv[] = { g_getenv ("CALSYNC_SIM_BIN"), "--help", NULL };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));

  for (const char *const *o = (const char *[]) { "--appointments", "--seed", "--awaiting-host",
                                                 "--recurring", "--rate-limit", NULL };
       *o != NULL; o++)
    {
      g_test_message ("%s", *o);
      g_assert_nonnull (strstr (out, *o));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_assert_nonnull (g_getenv ("CALSYNC_SIM_BIN"));

  g_test_add_func ("/calsync/sim/cli/help", test_help);
  g_test_add_func ("/calsync/sim/cli/serves", test_serves);
  g_test_add_func ("/calsync/sim/cli/shares", test_shares);

  return g_test_run ();
}
