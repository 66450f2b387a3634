/* test-security.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "cli-test-util.h"
#include "cs-net-error.h"
#include "cs-verifier.h"
#include "faults-test-util.h"
#include "net-test-util.h"

/* DESIGN.md §5: the keys live in the keyring only, TLS is verified, the
 * token never travels to another host. Checked from outside where a user
 * would look: everything the program prints (with every debug message on),
 * every file it leaves, its command line and environment while it runs; and
 * against a server with an untrusted certificate, one that redirects, and
 * an address without TLS. */

/* Secrets */

typedef struct
{
  CliFixture  cli;
  char       *calcom_key;
  char       *backend_token;
  GString    *seen;         /* every byte the children printed */
  guint       n_watched;    /* children whose /proc was read while running */
  gboolean    saw_wal;
} SecretsFixture;

static void
secrets_set_up (SecretsFixture *f,
                gconstpointer   data)
{
  g_autofree char *calcom = g_uuid_string_random ();
  g_autofree char *backend = g_uuid_string_random ();

  cli_fixture_set_up (&f->cli, data);
  /* Keys nothing else could print by chance. */
  f->calcom_key = g_strdup_printf ("cal_live_%s", calcom);
  f->backend_token = g_strdup_printf ("crm_token_%s", backend);
  cs_sim_server_set_calcom_api_key (f->cli.sim, f->calcom_key);
  cs_sim_server_set_backend_token (f->cli.sim, f->backend_token);
  f->seen = g_string_new (NULL);
}

static void
secrets_tear_down (SecretsFixture *f,
                   gconstpointer   data)
{
  g_string_free (f->seen, TRUE);
  g_free (f->calcom_key);
  g_free (f->backend_token);
  cli_fixture_tear_down (&f->cli, data);
}

/* memmem() without _GNU_SOURCE: the data may hold NUL bytes. */
static gboolean
contains (const char *data,
          gsize       length,
          const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; n <= length && i <= length - n; i++)
    if (memcmp (data + i, needle, n) == 0)
      return TRUE;

  return FALSE;
}

static void
assert_lacks_secrets (SecretsFixture *f,
                      const char     *what,
                      const char     *data,
                      gsize           length)
{
  if (contains (data, length, f->calcom_key))
    g_error ("%s holds the Cal.com API key", what);
  if (contains (data, length, f->backend_token))
    g_error ("%s holds the CRM token", what);
}

static void
assert_proc_lacks_secrets (SecretsFixture *f,
                           const char     *pid,
                           const char     *file)
{
  g_autofree char *path = g_build_filename ("/proc", pid, file, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 0);
  assert_lacks_secrets (f, path, contents, length);
}

/* Every file under @dir, whatever it is: settings, cache, its journal and
 * shared memory, a damaged copy, anything else the program left. */
static guint
scan_files (SecretsFixture *f,
            const char     *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          n += scan_files (f, path);
          continue;
        }
      if (!g_file_get_contents (path, &contents, &length, NULL))
        continue;
      assert_lacks_secrets (f, path, contents, length);
      if (g_str_has_suffix (name, ".sqlite3-wal"))
        f->saw_wal = TRUE;
      n++;
    }

  return n;
}

typedef struct
{
  gboolean  done;
  char     *out;
  char     *err;
} ChildIo;

static void
communicated_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ChildIo *io = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &io->out, &io->err,
                                        &error);
  g_assert_no_error (error);
  io->done = TRUE;
}

static void
watch_child (SecretsFixture *f,
             GSubprocess    *child)
{
  const char *pid = g_subprocess_get_identifier (child);
  g_autofree char *home = g_strdup (f->cli.home);

  g_assert_nonnull (pid);
  assert_proc_lacks_secrets (f, pid, "cmdline");
  assert_proc_lacks_secrets (f, pid, "environ");
  scan_files (f, home);
  f->n_watched++;
}

/* The simulator holds an answer: the child is alive and waiting. */
static gboolean
answer_held (SecretsFixture *f)
{
  return cs_sim_server_get_n_pending (f->cli.sim) > 0;
}

/* Runs calsync with every debug message on; with @while_waiting, reads its
 * /proc entries and the files once that holds (%NULL: before it reads its
 * standard input). Everything it prints is kept in f->seen. */
static int
run_watched (SecretsFixture      *f,
             const char          *input,
             gboolean           (*while_waiting) (SecretsFixture *f),
             const char * const  *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  ChildIo io = { 0 };
  gboolean watched = FALSE;

  g_ptr_array_add (argv, (gpointer) g_getenv ("CALSYNC_BIN"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = cli_launcher_new (&f->cli, NULL, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                              G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                              G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  child = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  /* A secret read from standard input is not there yet: it can only be
   * in the command line or the environment, if anywhere. */
  if (input != NULL && while_waiting == NULL)
    {
      watch_child (f, child);
      watched = TRUE;
    }

  g_subprocess_communicate_utf8_async (child, input != NULL ? input : "", NULL, communicated_cb,
                                       &io);
  while (!io.done && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, TRUE);
      if (!watched && while_waiting != NULL && while_waiting (f))
        {
          watch_child (f, child);
          watched = TRUE;
        }
    }
  g_assert_true (io.done);
  if (while_waiting != NULL)
    g_assert_true (watched);

  g_string_append_printf (f->seen, "$ calsync … (%s)\n%s\n%s\n", args[0], io.out, io.err);
  g_free (io.out);
  g_free (io.err);

  return g_subprocess_get_exit_status (child);
}

static char *
first_appointment_id (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *issues;

  issues = json_object_get_array_member (cli_parse_object (json, parser), "issues");
  for (guint i = 0; i < json_array_get_length (issues); i++)
    {
      JsonObject *issue = json_array_get_object_element (issues, i);

      if (!json_object_get_null_member (issue, "appointment_id"))
        return g_strdup_printf ("%" G_GINT64_FORMAT,
                                json_object_get_int_member (issue, "appointment_id"));
    }

  return NULL;
}

/* Every command, with G_MESSAGES_DEBUG=all: neither secret in what it
 * prints, in the files it leaves (cache, -wal, -shm, settings), nor in its
 * /proc/<pid>/cmdline or environ while it runs. */
static void
test_secrets_nowhere (SecretsFixture *f,
                      gconstpointer   data)
{
  CliFixture *cli = &f->cli;
  const char *set_calcom[] = { "--calcom-url", cli->calcom_url, "--set-secret", "calcom", NULL };
  const char *set_backend[] = { "--backend-url", cli->backend_url, "--set-secret", "backend",
                                NULL };
  const char *once[] = { "--once", NULL };
  const char *once_json[] = { "--once", "--json", NULL };
  const char *status[] = { "--status", NULL };
  const char *status_json[] = { "--status", "--json", NULL };
  const char *check_cache[] = { "--check-cache", NULL };
  const char *help[] = { "--help", NULL };
  const char *usage[] = { "--once", "--bogus", NULL };
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  CsSimFaults faults;
  guint n_files;

  g_assert_cmpint (run_watched (f, f->calcom_key, NULL, set_calcom), ==, 0);
  g_assert_cmpint (run_watched (f, f->backend_token, NULL, set_backend), ==, 0);

  /* A check whose answers wait a little: read while it runs (the cache and
   * its journal are open then). */
  cs_sim_faults_init (&faults);
  faults.latency_ms = 200;
  cs_sim_server_set_faults (cli->sim, CS_SIM_SERVICE_CALCOM, &faults);
  g_assert_cmpint (run_watched (f, NULL, answer_held, once), ==, 1);
  g_assert_true (f->saw_wal);
  g_assert_cmpint (run_watched (f, NULL, answer_held, once_json), ==, 1);
  cs_sim_server_clear_faults (cli->sim, CS_SIM_SERVICE_CALCOM);

  g_assert_cmpint (cli_run (cli, NULL, &out, once_json), ==, 1);
  id = first_appointment_id (out);
  g_assert_nonnull (id);

  g_assert_cmpint (run_watched (f, NULL, NULL, status), ==, 0);
  g_assert_cmpint (run_watched (f, NULL, NULL, status_json), ==, 0);
  {
    const char *retry[] = { "--action", "retry", "--appointment", id, "--json", NULL };
    const char *resolve[] = { "--action", "mark_resolved", "--appointment", id, "--note",
                              "called the customer", NULL };

    run_watched (f, NULL, NULL, retry);
    g_assert_cmpint (run_watched (f, NULL, NULL, resolve), ==, 0);
  }
  g_assert_cmpint (run_watched (f, NULL, NULL, check_cache), ==, 0);
  g_assert_cmpint (run_watched (f, NULL, NULL, help), ==, 0);
  g_assert_cmpint (run_watched (f, NULL, NULL, usage), ==, 64);

  /* Failing runs: a server that fails, one that rejects the key (the
   * message must not quote what was rejected). */
  faults.latency_ms = 0;
  faults.force_status = 500;
  cs_sim_server_set_faults (cli->sim, CS_SIM_SERVICE_BACKEND, &faults);
  g_assert_cmpint (run_watched (f, NULL, NULL, once_json), ==, 2);
  cs_sim_server_clear_faults (cli->sim, CS_SIM_SERVICE_BACKEND);
  cs_sim_server_set_calcom_api_key (cli->sim, "another-key");
  g_assert_cmpint (run_watched (f, NULL, NULL, once), ==, 2);
  g_assert_nonnull (strstr (f->seen->str, "rejected the API key"));

  /* Not vacuous: the children printed their debug messages, and the
   * requests were made with the keys. */
  g_assert_nonnull (strstr (f->seen->str, "-DEBUG"));
  g_assert_cmpuint (f->n_watched, ==, 4);
  assert_lacks_secrets (f, "the output", f->seen->str, f->seen->len);
  g_assert_null (strstr (f->seen->str, "Bearer"));

  n_files = scan_files (f, cli->home);
  g_assert_cmpuint (n_files, >=, 2);
}

/* TLS and addresses */

typedef struct
{
  CsClock         *clock;
  CsSimServer     *sim;
  CsSimServer     *tls_sim;     /* the same data over HTTPS, self-signed */
  CsStore         *store;
  CsCalcomClient  *calcom;
  CsBackendClient *backend;
  CsVerifier      *verifier;
  SoupServer      *elsewhere;   /* where a redirect points */
  guint            n_elsewhere;
  char            *elsewhere_url;
  char            *dir;
  char            *path;
} Fixture;

static void
elsewhere_cb (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  Fixture *f = user_data;

  f->n_elsewhere++;
  soup_server_message_set_status (msg, 200, NULL);
}

static void
make_verifier (Fixture    *f,
               const char *calcom_url,
               const char *backend_url)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&f->verifier);
  g_clear_object (&f->calcom);
  g_clear_object (&f->backend);

  f->calcom = cs_calcom_client_new (calcom_url, f->clock, &error);
  g_assert_no_error (error);
  cs_calcom_client_set_api_key (f->calcom, cs_sim_server_get_calcom_api_key (f->sim));
  f->backend = cs_backend_client_new (backend_url, f->clock, &error);
  g_assert_no_error (error);
  cs_backend_client_set_token (f->backend, cs_sim_server_get_backend_token (f->sim));
  f->verifier = cs_verifier_new (f->store, f->calcom, f->backend, f->clock);
  cs_verifier_set_time_limit (f->verifier, 300 * CS_USEC_PER_SECOND);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree char *uri = NULL;

  f->clock = cs_manual_clock_new (NET_TEST_NOW);
  f->sim = net_test_start_sim (f->clock, 200, 41);

  f->dir = g_dir_make_tmp ("calsync-security-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "cache.sqlite3", NULL);
  f->store = cs_store_open (f->path, &error);
  g_assert_no_error (error);

  f->elsewhere = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->elsewhere, NULL, elsewhere_cb, f, NULL);
  soup_server_listen_local (f->elsewhere, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->elsewhere);
  uri = g_uri_to_string (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  /* Without the trailing slash: the request's path is appended. */
  f->elsewhere_url = g_strndup (uri, strlen (uri) - 1);

  make_verifier (f, cs_sim_server_get_calcom_url (f->sim), cs_sim_server_get_backend_url (f->sim));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->verifier);
  g_clear_object (&f->calcom);
  g_clear_object (&f->backend);
  g_clear_object (&f->store);
  if (f->tls_sim != NULL)
    cs_sim_server_stop (f->tls_sim);
  g_clear_object (&f->tls_sim);
  cs_sim_server_stop (f->sim);
  g_clear_object (&f->sim);
  soup_server_disconnect (f->elsewhere);
  g_clear_object (&f->elsewhere);
  g_clear_object (&f->clock);
  faults_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
  g_free (f->elsewhere_url);
}

static CsVerifyReport *
run (Fixture  *f,
     GError  **error)
{
  NetTestAsync async = { NULL };
  g_autoptr(GAsyncResult) result = NULL;
  CsVerifyOptions options;
  CsTime now = cs_clock_get_now (f->clock);

  cs_verify_options_init (&options);
  options.kind = CS_VERIFICATION_COMPREHENSIVE;
  options.window_start = now - 30 * CS_USEC_PER_DAY;
  options.window_end = now + 90 * CS_USEC_PER_DAY;
  cs_verifier_run_async (f->verifier, &options, NULL, net_test_async_cb, &async);
  result = net_test_wait_many (&async, f->clock, cs_calcom_client_get_http (f->calcom),
                               cs_backend_client_get_http (f->backend), NULL);

  return cs_verifier_run_finish (f->verifier, result, error);
}

/* A good run fills the cache; the records start afresh. */
static char *
baseline (Fixture *f)
{
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;

  report = run (f, &error);
  g_assert_no_error (error);
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_USEC_PER_MINUTE);
  cs_sim_server_reset_writes (f->sim);
  cs_sim_server_reset_counters (f->sim);

  return faults_snapshot_cache (f->path);
}

static void
assert_refused_cleanly (Fixture      *f,
                        const GError *error,
                        int           code,
                        CsSimService  service,
                        const char   *words,
                        const char   *before)
{
  g_autofree char *after = faults_snapshot_cache (f->path);
  g_autoptr(CsRunRecord) last = cs_store_get_last_run (f->store, NULL);

  g_assert_error (error, CS_NET_ERROR, code);
  g_assert_false (cs_net_error_is_retryable (error));
  faults_assert_sentence (error->message, service, words);
  g_assert_cmpstr (after, ==, before);
  faults_assert_no_writes (f->sim);
  g_assert_cmpstr (last->result, ==, CS_RUN_RESULT_FAILED);
}

/* Serves the simulator's data once more over HTTPS with a certificate
 * made now, which nothing trusts. */
static void
start_tls_sim (Fixture *f)
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;

  faults_make_certificate (f->dir, &cert, &key);
  certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);

  f->tls_sim = cs_sim_server_new (f->clock, cs_sim_server_get_dataset (f->sim));
  cs_sim_server_set_tls_certificate (f->tls_sim, certificate);
  cs_sim_server_start (f->tls_sim, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (cs_sim_server_get_calcom_url (f->tls_sim), "https://"));
}

/* GnuTLS, which glib-networking loads, makes LeakSanitizer's tracer crash
 * at exit (its static TLS): a TLS test runs in a child that ends without
 * the leak check, and the parent checks that it passed. */
#define IN_SUBPROCESS() \
  G_STMT_START { \
    if (!g_test_subprocess ()) \
      { \
        g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT); \
        g_test_trap_assert_passed (); \
        return; \
      } \
  } G_STMT_END

/* A server whose certificate no one vouches for: refused before a byte of
 * HTTP (so before the key is sent), the sentence says so, nothing changes. */
static void
test_tls_untrusted (Fixture       *f,
                    gconstpointer  data)
{
  CsSimService service = GPOINTER_TO_UINT (data);
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;

  IN_SUBPROCESS ();

  before = baseline (f);
  start_tls_sim (f);
  if (service == CS_SIM_SERVICE_CALCOM)
    make_verifier (f, cs_sim_server_get_calcom_url (f->tls_sim),
                   cs_sim_server_get_backend_url (f->sim));
  else
    make_verifier (f, cs_sim_server_get_calcom_url (f->sim),
                   cs_sim_server_get_backend_url (f->tls_sim));

  report = run (f, &error);
  g_assert_null (report);
  assert_refused_cleanly (f, error, CS_NET_ERROR_TLS, service, "is not trusted", before);
  g_assert_nonnull (strstr (error->message, "Calsync did not connect"));
  g_assert_cmpuint (cs_sim_server_get_service_request_count (f->tls_sim, service), ==, 0);

  _exit (EXIT_SUCCESS);
}

/* A server that points elsewhere: not followed, so the other host never
 * sees the request (nor the key); the sentence says why. */
static void
test_redirect (Fixture       *f,
               gconstpointer  data)
{
  CsSimService service = GPOINTER_TO_UINT (data);
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = baseline (f);
  CsSimFaults faults;

  cs_sim_faults_init (&faults);
  faults.redirect_to = f->elsewhere_url;
  cs_sim_server_set_faults (f->sim, service, &faults);

  report = run (f, &error);
  g_assert_null (report);
  assert_refused_cleanly (f, error, CS_NET_ERROR_REDIRECT, service, "does not follow redirects",
                          before);
  g_assert_cmpuint (f->n_elsewhere, ==, 0);
  g_assert_cmpuint (cs_sim_server_get_service_request_count (f->sim, service), ==, 1);
}

/* Plain http:// reaches no client unless the host is this computer. */
static void
test_insecure_url (Fixture       *f,
                   gconstpointer  data)
{
  static const char * const refused[] = {
    "http://cal.example.com/v2", "http://192.0.2.10/v2", "http://[2001:db8::1]/v2",
    "http://localhost.example.com/v2",
  };
  static const char * const accepted[] = {
    "https://cal.example.com/v2", "http://127.0.0.1:8080/v2", "http://localhost/v2",
    "http://[::1]:8080/v2",
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CsCalcomClient) calcom = cs_calcom_client_new (refused[i], f->clock, &error);
      g_autoptr(GError) backend_error = NULL;
      g_autoptr(CsBackendClient) backend = cs_backend_client_new (refused[i], f->clock,
                                                                  &backend_error);

      g_assert_null (calcom);
      g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INSECURE_URL);
      g_assert_nonnull (strstr (error->message, "is not a secure address"));
      g_assert_null (backend);
      g_assert_error (backend_error, CS_NET_ERROR, CS_NET_ERROR_INSECURE_URL);
    }

  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (cs_http_check_base_url (accepted[i], &error));
      g_assert_no_error (error);
    }
}

/* The same through the program */

/* calsync --once against an untrusted Cal.com: exit 2, code `tls`, the
 * cache as it was. */
static void
test_cli_tls_untrusted (CliFixture    *f,
                        gconstpointer  data)
{
  const char *once[] = { "--once", "--json", NULL };
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(CsSimServer) tls_sim = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *cache = g_build_filename (f->home, "data", "calsync", "cache.sqlite3", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  JsonObject *report_error;

  IN_SUBPROCESS ();

  cli_set_up_secrets (f);
  g_assert_cmpint (cli_run (f, NULL, NULL, once), ==, 1);
  before = faults_snapshot_cache (cache);
  cs_sim_server_reset_writes (f->sim);
  cs_sim_server_reset_counters (f->sim);

  faults_make_certificate (f->home, &cert, &key);
  certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  tls_sim = cs_sim_server_new (cs_clock_get_system (), cs_sim_server_get_dataset (f->sim));
  cs_sim_server_set_tls_certificate (tls_sim, certificate);
  cs_sim_server_start (tls_sim, 0, 0, &error);
  g_assert_no_error (error);

  {
    /* The key is kept per address: stored again for the new one. */
    const char *point[] = { "--calcom-url", cs_sim_server_get_calcom_url (tls_sim),
                            "--set-secret", "calcom", NULL };
    const char *argv[] = { g_getenv ("CALSYNC_BIN"), "--once", "--json", NULL };
    gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

    g_assert_cmpint (cli_run (f, cs_sim_server_get_calcom_api_key (f->sim), NULL, point), ==, 0);

    /* The program loads GnuTLS too: no leak check at its exit (see
     * IN_SUBPROCESS). */
    launcher = cli_launcher_new (f, NULL, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                          G_SUBPROCESS_FLAGS_STDERR_PIPE);
    g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", "detect_leaks=0", TRUE);
    child = g_subprocess_launcher_spawnv (launcher, argv, &error);
    g_assert_no_error (error);
    {
      ChildIo io = { 0 };

      g_subprocess_communicate_utf8_async (child, NULL, NULL, communicated_cb, &io);
      while (!io.done && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
      g_assert_true (io.done);
      out = io.out;
      err = io.err;
    }
  }

  g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 2);
  report_error = json_object_get_object_member (cli_parse_object (out, parser), "error");
  g_assert_cmpstr (json_object_get_string_member (report_error, "code"), ==, "tls");
  faults_assert_sentence (json_object_get_string_member (report_error, "message"),
                          CS_SIM_SERVICE_CALCOM, "is not trusted");
  g_assert_nonnull (strstr (err, "is not trusted"));
  g_assert_cmpuint (cs_sim_server_get_service_request_count (tls_sim, CS_SIM_SERVICE_CALCOM),
                    ==, 0);

  after = faults_snapshot_cache (cache);
  g_assert_cmpstr (after, ==, before);
  faults_assert_no_writes (f->sim);
  cs_sim_server_stop (tls_sim);

  _exit (EXIT_SUCCESS);
}

/* calsync --once against a CRM that redirects: exit 2, code `redirect`. */
static void
test_cli_redirect (CliFixture    *f,
                   gconstpointer  data)
{
  const char *once[] = { "--once", "--json", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  JsonObject *report_error;
  CsSimFaults faults;

  cli_set_up_secrets (f);
  cs_sim_faults_init (&faults);
  faults.redirect_to = "https://crm.example.com";
  cs_sim_server_set_faults (f->sim, CS_SIM_SERVICE_BACKEND, &faults);

  g_assert_cmpint (cli_run (f, NULL, &out, once), ==, 2);
  report_error = json_object_get_object_member (cli_parse_object (out, parser), "error");
  g_assert_cmpstr (json_object_get_string_member (report_error, "code"), ==, "redirect");
  faults_assert_sentence (json_object_get_string_member (report_error, "message"),
                          CS_SIM_SERVICE_BACKEND, "does not follow redirects");
}

/* An address without TLS: refused as a command line (64), and refused
 * when the settings hold one from before this version (2, `insecure_url`). */
static void
test_cli_insecure_url (CliFixture    *f,
                       gconstpointer  data)
{
  const char *set[] = { "--calcom-url", "http://cal.example.com/v2", NULL };
  const char *once[] = { "--once", "--json", NULL };
  g_autofree char *dir = g_build_filename (f->home, "config", "glib-2.0", "settings", NULL);
  g_autofree char *keyfile = g_build_filename (dir, "keyfile", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_autofree char *contents = NULL;
  JsonObject *report_error;

  g_assert_cmpint (cli_run_full (f, NULL, NULL, NULL, &err, set), ==, 64);
  g_assert_nonnull (strstr (err, "is not a secure address"));

  cli_set_up_secrets (f);
  g_file_get_contents (keyfile, &contents, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GKeyFile) settings = g_key_file_new ();

    g_key_file_load_from_data (settings, contents, -1, G_KEY_FILE_NONE, &error);
    g_assert_no_error (error);
    g_key_file_set_value (settings, "io/github/calsync/Calsync", "calcom-url",
                          "'http://cal.example.com/v2'");
    g_key_file_save_to_file (settings, keyfile, &error);
    g_assert_no_error (error);
  }

  g_assert_cmpint (cli_run (f, NULL, &out, once), ==, 2);
  report_error = json_object_get_object_member (cli_parse_object (out, parser), "error");
  g_assert_cmpstr (json_object_get_string_member (report_error, "code"), ==, "insecure_url");
  g_assert_cmpuint (cs_sim_server_get_service_request_count (f->sim, CS_SIM_SERVICE_CALCOM), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/calsync/security/secrets-nowhere", SecretsFixture, NULL, secrets_set_up,
              test_secrets_nowhere, secrets_tear_down);

#define ADD(path, data, func) \
  g_test_add ("/calsync/security/" path, Fixture, data, fixture_set_up, func, fixture_tear_down)

  ADD ("tls-untrusted/calcom", GUINT_TO_POINTER (CS_SIM_SERVICE_CALCOM), test_tls_untrusted);
  ADD ("tls-untrusted/backend", GUINT_TO_POINTER (CS_SIM_SERVICE_BACKEND), test_tls_untrusted);
  ADD ("redirect/calcom", GUINT_TO_POINTER (CS_SIM_SERVICE_CALCOM), test_redirect);
  ADD ("redirect/backend", GUINT_TO_POINTER (CS_SIM_SERVICE_BACKEND), test_redirect);
  ADD ("insecure-url", NULL, test_insecure_url);

  g_test_add ("/calsync/security/cli/tls-untrusted", CliFixture, NULL, cli_fixture_set_up,
              test_cli_tls_untrusted, cli_fixture_tear_down);
  g_test_add ("/calsync/security/cli/redirect", CliFixture, NULL, cli_fixture_set_up,
              test_cli_redirect, cli_fixture_tear_down);
  g_test_add ("/calsync/security/cli/insecure-url", CliFixture, NULL, cli_fixture_set_up,
              test_cli_insecure_url, cli_fixture_tear_down);

  return g_test_run ();
}
