/* faults-test-util.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "faults-test-util.h"

/* What the fault suite and the security tests share: the cache as text,
 * the checks of a message, the simulator's record of writes, and a
 * throwaway certificate. */

/* The tables a verification writes; `runs` is left out, since a failed run
 * records itself there (and only there). */
static const char * const cache_queries[] = {
  "SELECT * FROM appointments ORDER BY company_id, id",
  "SELECT * FROM bookings ORDER BY company_id, uid",
  "SELECT * FROM history_events ORDER BY rowid",
  "SELECT * FROM audit_entries ORDER BY rowid",
  "SELECT * FROM outbox ORDER BY rowid",
};

/**
 * faults_snapshot_cache:
 * @path: the cache file
 *
 * Reads every row of the tables a run writes, read-only beside the writer
 * (WAL), as text: two snapshots are equal when nothing of them changed.
 *
 * Returns: (transfer full): the rows
 */
char *
faults_snapshot_cache (const char *path)
{
  GString *text = g_string_new (NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);

  for (guint q = 0; q < G_N_ELEMENTS (cache_queries); q++)
    {
      sqlite3_stmt *stmt = NULL;
      int rc;

      g_assert_cmpint (sqlite3_prepare_v2 (db, cache_queries[q], -1, &stmt, NULL), ==, SQLITE_OK);
      g_string_append_printf (text, "# %s\n", cache_queries[q]);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          for (int c = 0; c < sqlite3_column_count (stmt); c++)
            {
              const unsigned char *value = sqlite3_column_text (stmt, c);

              g_string_append (text, value != NULL ? (const char *) value : "NULL");
              g_string_append_c (text, '|');
            }
          g_string_append_c (text, '\n');
        }
      g_assert_cmpint (rc, ==, SQLITE_DONE);
      sqlite3_finalize (stmt);
    }

  sqlite3_close (db);

  return g_string_free (text, FALSE);
}

/**
 * faults_assert_sentence:
 * @message: what a run or the command line said
 * @service: the service at fault
 * @words: words the sentence must hold
 *
 * A sentence a person understands: it names the service, says @words,
 * ends as a sentence, and quotes none of the words of GIO, libsoup or the
 * JSON parser (kept for the debug log).
 */
void
faults_assert_sentence (const char   *message,
                        CsSimService  service,
                        const char   *words)
{
  static const char * const raw[] = {
    "Connection terminated", "unexpectedly", "Error receiving", "Error sending",
    "reset by peer", "Socket", "socket", "I/O", "errno", "libsoup", "GLib", "JSON", "UTF-8",
    "at byte", "NUL", "“data”", "“status”", "is not an integer", "nests deeper",
  };
  gsize length;

  g_assert_nonnull (message);
  length = strlen (message);
  if (strstr (message, words) == NULL)
    g_error ("“%s” does not say “%s”", message, words);
  if (strstr (message, service == CS_SIM_SERVICE_CALCOM ? "Cal.com" : "CRM server") == NULL)
    g_error ("“%s” does not name %s", message, cs_sim_service_to_string (service));
  g_assert_cmpuint (length, >, 0);
  g_assert_true (message[length - 1] == '.');
  for (guint i = 0; i < G_N_ELEMENTS (raw); i++)
    if (strstr (message, raw[i]) != NULL)
      g_error ("“%s” quotes “%s”", message, raw[i]);
}

/**
 * faults_assert_no_writes:
 * @sim: the simulator
 *
 * Neither server received a write since the last cs_sim_server_reset_writes():
 * no booking, appointment, patch, tracking report or audit entry.
 */
void
faults_assert_no_writes (CsSimServer *sim)
{
  g_assert_cmpuint (cs_sim_server_get_created_bookings (sim)->len, ==, 0);
  g_assert_cmpuint (cs_sim_server_get_cancelled_uids (sim)->len, ==, 0);
  g_assert_cmpuint (cs_sim_server_get_rescheduled_uids (sim)->len, ==, 0);
  g_assert_cmpuint (cs_sim_server_get_created_appointments (sim)->len, ==, 0);
  g_assert_cmpuint (cs_sim_server_get_cancelled_appointments (sim)->len, ==, 0);
  g_assert_cmpuint (cs_sim_server_get_n_patches (sim), ==, 0);
  g_assert_cmpuint (cs_sim_server_get_n_sync_updates (sim), ==, 0);
  g_assert_cmpuint (cs_sim_server_get_audit_entries (sim)->len, ==, 0);
  g_assert_cmpuint (cs_sim_server_get_request_count (sim, CS_SIM_BACKEND_SYNC_STATUS), ==, 0);
}

/**
 * faults_closed_port_url:
 * @path: the path of the base URL (`/v2` or ``)
 *
 * Returns: (transfer full): a loopback URL on a port that was free a
 *   moment ago and on which nothing listens: a refused connection
 */
char *
faults_closed_port_url (const char *path)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port;

  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);

  return g_strdup_printf ("http://127.0.0.1:%u%s", port, path);
}

/**
 * faults_make_certificate:
 * @dir: a private folder
 * @cert_path: (out): the certificate's PEM file
 * @key_path: (out): its key's PEM file
 *
 * Makes a self-signed certificate for 127.0.0.1 with the system's openssl,
 * valid from now for two days: what a misconfigured or hostile server
 * shows. build-aux/deps.sh installs openssl, so a missing one fails the
 * test instead of skipping it.
 *
 * Returns: %TRUE (openssl's failure fails the test)
 */
gboolean
faults_make_certificate (const char  *dir,
                         char       **cert_path,
                         char       **key_path)
{
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = {
    "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
    "-addext", "subjectAltName=IP:127.0.0.1", NULL,
  };
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                     &status, &error))
    g_error ("openssl could not run (build-aux/deps.sh installs it): %s", error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("openssl failed: %s\n%s", error->message, err);

  *cert_path = g_steal_pointer (&cert);
  *key_path = g_steal_pointer (&key);

  return TRUE;
}

/**
 * faults_remove_tree:
 * @dir: a folder the test made
 */
void
faults_remove_tree (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        faults_remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}
