/* test-faults-cli.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "cli-test-util.h"
#include "cs-http-client.h"
#include "faults-test-util.h"

/* A few rows of the fault matrix through the real program: `calsync --once
 * --json` against the simulator this test serves, with one fault on. The
 * exit code, the JSON error code, the sentence (the same on stderr and in
 * the document), the cache file and the servers' record of writes are what
 * a script and a person see. */

typedef struct
{
  const char   *name;
  CsSimService  service;
  void        (*set_fault) (CsSimFaults *faults);
  const char   *code;
  const char   *words;
} CliCase;

static char *
cache_path (CliFixture *f)
{
  return g_build_filename (f->home, "data", "calsync", "cache.sqlite3", NULL);
}

/* Set up, one good check, and the records start afresh. */
static char *
baseline (CliFixture *f)
{
  const char *once[] = { "--once", "--json", NULL };
  g_autofree char *path = cache_path (f);

  cli_set_up_secrets (f);
  g_assert_cmpint (cli_run (f, NULL, NULL, once), ==, 1);
  cs_sim_server_reset_writes (f->sim);
  cs_sim_server_reset_counters (f->sim);

  return faults_snapshot_cache (path);
}

/* Exit 2, one JSON document with the error's code and sentence, the same
 * sentence on stderr, the cache's rows as before, no write anywhere. */
static void
assert_check_failed (CliFixture   *f,
                     CsSimService  service,
                     const char   *code,
                     const char   *words,
                     const char   *before)
{
  const char *once[] = { "--once", "--json", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *path = cache_path (f);
  g_autofree char *after = NULL;
  JsonObject *report, *error;
  const char *message;

  g_assert_cmpint (cli_run_full (f, NULL, NULL, &out, &err, once), ==, 2);
  report = cli_parse_object (out, parser);
  g_assert_false (json_object_get_boolean_member (report, "ok"));
  error = json_object_get_object_member (report, "error");
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  message = json_object_get_string_member (error, "message");
  faults_assert_sentence (message, service, words);
  g_assert_nonnull (strstr (err, message));

  after = faults_snapshot_cache (path);
  g_assert_cmpstr (after, ==, before);
  faults_assert_no_writes (f->sim);
}

static void
test_fault (CliFixture    *f,
            gconstpointer  data)
{
  const CliCase *c = data;
  g_autofree char *before = baseline (f);
  CsSimFaults faults;

  cs_sim_faults_init (&faults);
  c->set_fault (&faults);
  cs_sim_server_set_faults (f->sim, c->service, &faults);

  assert_check_failed (f, c->service, c->code, c->words, before);
}

static void
fault_500 (CsSimFaults *faults)
{
  faults->force_status = 500;
}

static void
fault_cut (CsSimFaults *faults)
{
  faults->cut_after_bytes = 2000;
}

static void
fault_garbage (CsSimFaults *faults)
{
  faults->body = CS_SIM_BODY_GARBAGE;
}

static void
fault_null (CsSimFaults *faults)
{
  faults->body = CS_SIM_BODY_NULL;
}

static void
fault_deep (CsSimFaults *faults)
{
  faults->body = CS_SIM_BODY_DEEP;
}

static void
fault_html_page (CsSimFaults *faults)
{
  faults->non_json_status = 200;
}

static void
fault_truncated (CsSimFaults *faults)
{
  faults->truncate_body = TRUE;
}

static const CliCase cases[] = {
  { "status-500", CS_SIM_SERVICE_CALCOM, fault_500, "server", "internal problem (HTTP 500)" },
  { "cut", CS_SIM_SERVICE_CALCOM, fault_cut, "network", "broke off" },
  { "garbage-body", CS_SIM_SERVICE_BACKEND, fault_garbage, "invalid_response", "cannot read" },
  { "null-body", CS_SIM_SERVICE_CALCOM, fault_null, "invalid_response", "cannot read" },
  { "deep-nesting", CS_SIM_SERVICE_BACKEND, fault_deep, "invalid_response", "cannot read" },
  { "html-page", CS_SIM_SERVICE_BACKEND, fault_html_page, "invalid_response",
    "a web page instead of data" },
  { "truncated-body", CS_SIM_SERVICE_CALCOM, fault_truncated, "invalid_response",
    "broke off before its end" },
};

/* Nothing listens any more. */
static void
test_refused (CliFixture    *f,
              gconstpointer  data)
{
  g_autofree char *before = baseline (f);

  cs_sim_server_stop (f->sim);
  assert_check_failed (f, CS_SIM_SERVICE_BACKEND, "network", "the connection was refused", before);
}

/* 100 MB without a Content-Length: the program stops reading at its cap. */
static void
test_huge_body (CliFixture    *f,
                gconstpointer  data)
{
  g_autofree char *before = baseline (f);
  CsSimFaults faults;

  cs_sim_faults_init (&faults);
  faults.huge_body_bytes = (gsize) 100 * 1000 * 1000;
  faults.huge_body_chunked = TRUE;
  cs_sim_server_set_faults (f->sim, CS_SIM_SERVICE_CALCOM, &faults);

  assert_check_failed (f, CS_SIM_SERVICE_CALCOM, "too_large", "larger than", before);
  g_assert_cmpuint (cs_sim_server_get_body_bytes_sent (f->sim, CS_SIM_SERVICE_CALCOM), <,
                    CS_HTTP_MAX_BODY + 16 * 1024 * 1024);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/calsync/faults/cli/%s/%s", cases[i].name,
                                               cs_sim_service_to_string (cases[i].service));

      g_test_add (path, CliFixture, &cases[i], cli_fixture_set_up, test_fault,
                  cli_fixture_tear_down);
    }
  g_test_add ("/calsync/faults/cli/refused", CliFixture, NULL, cli_fixture_set_up, test_refused,
              cli_fixture_tear_down);
  g_test_add ("/calsync/faults/cli/huge-body", CliFixture, NULL, cli_fixture_set_up,
              test_huge_body, cli_fixture_tear_down);

  return g_test_run ();
}
