/* cs-application.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <adwaita.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "cs-application.h"
#include "cs-background.h"
#include "cs-credentials.h"
#include "cs-demo.h"
#include "cs-engine.h"
#include "cs-net-error.h"
#include "cs-preferences-window.h"
#include "cs-sim-server.h"
#include "cs-ui-util.h"
#include "cs-window.h"

/**
 * CsApplication:
 *
 * The `calsync` program. Its command line does the whole job headless:
 * `--once` runs one comprehensive check and prints what it found (exit 0:
 * all in order, 1: problems found, 2: could not check), `--status` prints
 * the figures of the cache without the network, `--set-secret` reads a key
 * from standard input (never from the command line) into the keyring, and
 * `--demo` does all of it against the built-in simulator.
 *
 * Without options it serves: the checks run on their own (the 6-hourly
 * cycle, the daily check, the retries) with desktop notifications, until
 * it is stopped. The window arrives with the UI issue, on top of that.
 */
struct _CsApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  CsEngine       *engine;
  CsNotifier     *notifier;
  CsDemo         *demo;
  gboolean        demo_requested;
  gboolean        background_requested;
  gboolean        engine_ready;
  gboolean        held;
  gint64          pending_review_id;
  char           *pending_review_uid;
};

G_DEFINE_FINAL_TYPE (CsApplication, cs_application, ADW_TYPE_APPLICATION)

/* The exit codes of the command line (README, --help). 64 is sysexits'
 * EX_USAGE, so a script can tell a wrong command line from a failed check. */
#define EXIT_ALL_SYNCED   0
#define EXIT_ISSUES_FOUND 1
#define EXIT_NOT_VERIFIED 2
#define EXIT_USAGE        64


static const GOptionEntry entries[] = {
  { "version", 'v', 0, G_OPTION_ARG_NONE, NULL,
    N_("Show the version and exit"), NULL },
  { "once", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Run one comprehensive check, print what it found and exit"), NULL },
  { "status", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Print the figures of the local cache, without the network, and exit"), NULL },
  { "json", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Print the outcome of --once, --status or --action as one JSON document"), NULL },
  { "dry-run", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("With --once: read both sides and report, write nothing anywhere"), NULL },
  { "accept-suspect", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("With --once: apply the result even if it would find many appointments missing at once "
       "(after a check that was held back as suspect)"), NULL },
  { "set-secret", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Read the API key of SERVICE (calcom or backend) from standard input into the keyring"),
    N_("SERVICE") },
  { "calcom-url", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Set the base URL of the Cal.com API"), N_("URL") },
  { "backend-url", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Set the base URL of the CRM server"), N_("URL") },
  { "check-cache", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Open the local cache, repair it if it is damaged, and exit"), NULL },
  { "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Open the window on the built-in simulator, with credentials held in memory only "
       "(with --once: check it once)"), NULL },
  { "background", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Start without a window: check on schedule and notify (used at login)"), NULL },
  { "action", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Resolve a problem: retry, create_in_calcom, create_in_crm, link, use_database_values, "
       "use_calcom_values, mark_resolved, dismiss, snooze or cancel"), N_("ACTION") },
  { "appointment", 0, 0, G_OPTION_ARG_INT64, NULL,
    N_("With --action: the appointment"), N_("ID") },
  { "booking", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("With --action: the Cal.com booking (only in Cal.com, or the one to link)"), N_("UID") },
  { "note", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("With --action: a note for the audit log"), N_("TEXT") },
  { "until", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("With --action snooze: until when (2026-12-01T09:00:00+01:00)"), N_("TIME") },
  /* Collects stray words, so that they are refused instead of ignored. */
  { G_OPTION_REMAINING, 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING_ARRAY, NULL, NULL, NULL },
  { NULL }
};

/* Runs the default main context until *done is set. */
static void
iterate_until (gboolean *done)
{
  while (!*done)
    g_main_context_iteration (NULL, TRUE);
}

typedef struct
{
  gboolean      done;
  GAsyncResult *result;
} Wait;

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

static GAsyncResult *
wait_for (Wait *wait)
{
  iterate_until (&wait->done);
  return g_steal_pointer (&wait->result);
}

/* How long a command waits on start for what earlier runs left to send. */
#define SEND_WAITING_SECONDS 30

/* Heap-allocated: a bounded wait may give up before the answer comes. */
typedef struct
{
  gint     refs;
  gboolean done;
} SendWait;

static void
send_wait_unref (SendWait *wait)
{
  if (--wait->refs == 0)
    g_free (wait);
}

static void
send_waiting_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SendWait *wait = user_data;

  cs_engine_send_waiting_finish (CS_ENGINE (object), result, NULL);
  wait->done = TRUE;
  send_wait_unref (wait);
}

static gboolean
send_waiting_expired_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* What earlier actions left (this command's own past clicks, or another
 * process's) goes out first, bounded: a click kept while a server was down
 * is delivered by the next command that reaches it. What does not go out
 * in time stays kept. */
static void
send_waiting_bounded (CsEngine *engine)
{
  SendWait *wait = g_new0 (SendWait, 1);
  gboolean expired = FALSE;
  guint timeout;

  wait->refs = 2;
  timeout = g_timeout_add_seconds (SEND_WAITING_SECONDS, send_waiting_expired_cb, &expired);
  cs_engine_send_waiting_async (engine, NULL, send_waiting_cb, wait);

  while (!wait->done && !expired)
    g_main_context_iteration (NULL, TRUE);

  if (!expired)
    g_source_remove (timeout);
  send_wait_unref (wait);
}

/* Printing a report */

static void
add_counts (JsonBuilder *builder,
            const guint *counts)
{
  json_builder_set_member_name (builder, "counts");
  json_builder_begin_object (builder);
  for (CsSyncStatus status = 0; status <= CS_SYNC_STATUS_LAST; status++)
    {
      json_builder_set_member_name (builder, cs_sync_status_to_string (status));
      json_builder_add_int_value (builder, counts[status]);
    }
  json_builder_end_object (builder);
}

static void
print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

/* The envelope every JSON document of the command line starts with
 * (docs/cli-json.md), so a script reads `ok` first: on failure, `error`
 * says why and, when the server named one, the time the next check makes
 * sense (`retry_at`, UTC); `warnings` holds what went wrong beside the
 * outcome (a cache that had to be rebuilt). */
static const char *
error_code_name (const GError *error)
{
  if (error->domain == CS_NET_ERROR)
    return cs_net_error_code_to_string (error->code);
  if (error->domain == G_OPTION_ERROR)
    return "usage";
  if (g_error_matches (error, CS_ENGINE_ERROR, CS_ENGINE_ERROR_NOT_SET_UP))
    return "not_set_up";
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return "cancelled";
  if (g_error_matches (error, CS_STORE_ERROR, CS_STORE_ERROR_DISK_FULL))
    return "disk_full";

  return "failed";
}

static void
add_warnings (JsonBuilder  *builder,
              const GError *recovered)
{
  json_builder_set_member_name (builder, "warnings");
  json_builder_begin_array (builder);
  if (recovered != NULL)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "code");
      json_builder_add_string_value (builder, "cache_rebuilt");
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, recovered->message);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_outcome_code (JsonBuilder  *builder,
                  const char   *code,
                  const GError *error,
                  const GError *recovered)
{
  g_autofree char *retry_at = NULL;

  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, error == NULL);
  json_builder_set_member_name (builder, "error");
  if (error == NULL)
    json_builder_add_null_value (builder);
  else
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "code");
      json_builder_add_string_value (builder, code);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, error->message);
      json_builder_set_member_name (builder, "retry_at");
      retry_at = cs_time_format_iso8601 (cs_net_error_get_retry_at (error));
      if (retry_at != NULL)
        json_builder_add_string_value (builder, retry_at);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }

  add_warnings (builder, recovered);
}

static void
add_outcome (JsonBuilder  *builder,
             const GError *error,
             const GError *recovered)
{
  add_outcome_code (builder, error != NULL ? error_code_name (error) : NULL, error, recovered);
}

static void
print_failure_json (const GError *error,
                    const GError *recovered)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_outcome (builder, error, recovered);
  json_builder_end_object (builder);

  print_json (builder);
}

static void
print_report_json (const CsVerifyReport *report,
                   const GError         *recovered)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  if (report->suspect)
    {
      /* Held back: like a check that could not finish (exit 2), with the
       * reason as its message. */
      g_autoptr(GError) held = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                                    report->suspect_reason);

      add_outcome_code (builder, "suspect", held, recovered);
    }
  else
    add_outcome (builder, NULL, recovered);
  add_counts (builder, report->run->counts);

  /* Rows the servers sent that the check left out: malformed ones, and
   * the CRM's rows of another company (refused, never stored). */
  json_builder_set_member_name (builder, "refused");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "invalid");
  json_builder_add_int_value (builder, report->n_rejected);
  json_builder_set_member_name (builder, "other_company");
  json_builder_add_int_value (builder, report->n_foreign);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "suspect");
  json_builder_add_boolean_value (builder, report->suspect);
  if (report->suspect)
    {
      /* What the held-back check would have found, per side. */
      json_builder_set_member_name (builder, "suspect_counts");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "orphaned_local");
      json_builder_add_int_value (builder, report->n_suspect_local);
      json_builder_set_member_name (builder, "orphaned_calcom");
      json_builder_add_int_value (builder, report->n_suspect_calcom);
      json_builder_set_member_name (builder, "window");
      json_builder_add_int_value (builder, report->n_window);
      json_builder_end_object (builder);
    }

  json_builder_set_member_name (builder, "issues");
  json_builder_begin_array (builder);
  for (guint i = 0; i < report->issues->len; i++)
    {
      const CsVerifyIssue *issue = g_ptr_array_index (report->issues, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "appointment_id");
      if (issue->appointment_id > 0)
        json_builder_add_int_value (builder, issue->appointment_id);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "booking_uid");
      if (issue->booking_uid != NULL)
        json_builder_add_string_value (builder, issue->booking_uid);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, cs_sync_status_to_string (issue->status));
      json_builder_set_member_name (builder, "error_code");
      if (issue->error_code != CS_ERROR_CODE_NONE)
        json_builder_add_string_value (builder, cs_error_code_to_string (issue->error_code));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "message");
      if (issue->message != NULL)
        json_builder_add_string_value (builder, issue->message);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "attempts");
      json_builder_add_int_value (builder, issue->attempts);
      json_builder_set_member_name (builder, "requires_manual_review");
      json_builder_add_boolean_value (builder, issue->requires_manual_review);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  print_json (builder);
}

static void
print_counts_text (const guint *counts)
{
  for (CsSyncStatus status = 0; status <= CS_SYNC_STATUS_LAST; status++)
    g_print ("  %-22s %6u\n", cs_ui_status_label (status), counts[status]);
}

static void
print_report_text (const CsVerifyReport *report)
{
  g_autofree char *appointments = NULL;
  g_autofree char *calcom = NULL;
  g_autofree char *backend = NULL;

  appointments = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u appointment",
                                               "%u appointments", report->n_window),
                                  report->n_window);
  calcom = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u request", "%u requests",
                                         report->run->calcom_requests),
                            report->run->calcom_requests);
  backend = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u request", "%u requests",
                                          report->run->backend_requests),
                             report->run->backend_requests);
  /* Translators: "Checked 120 appointments in 0.4 s (3 requests to Cal.com,
   * 1 request to the CRM server)." The %s are counted phrases. */
  g_print (_("Checked %s in %.1f s (%s to Cal.com, %s to the CRM server).\n"),
           appointments, report->run->duration_usec / 1e6, calcom, backend);
  if (report->n_foreign > 0)
    g_print (g_dngettext (GETTEXT_PACKAGE,
                          "The CRM server sent %u appointment of another company; "
                          "it was left out.\n",
                          "The CRM server sent %u appointments of another company; "
                          "they were left out.\n",
                          report->n_foreign),
             report->n_foreign);
  print_counts_text (report->run->counts);

  /* A held-back check changed nothing: what the cache shows is from
   * before it, so it never reads as "in order". */
  if (report->suspect)
    {
      g_print ("\n%s\n", report->suspect_reason);
      g_print ("%s\n", _("If the result is right, apply it with: calsync --once --accept-suspect"));
      return;
    }

  if (report->issues->len == 0)
    {
      g_print ("\n%s\n", _("Everything is in order."));
      return;
    }

  g_print ("\n%s\n", _("To look at:"));
  for (guint i = 0; i < report->issues->len; i++)
    {
      const CsVerifyIssue *issue = g_ptr_array_index (report->issues, i);
      g_autofree char *who = NULL;

      if (issue->appointment_id > 0)
        who = g_strdup_printf ("#%s", issue->number ? issue->number : "?");
      else
        who = g_strdup_printf ("%s", issue->booking_uid);

      g_print ("  %-24s %-20s %s%s\n", who, cs_ui_status_label (issue->status),
               issue->message ? issue->message : "",
               issue->requires_manual_review ? _(" (needs review)") : "");
    }
}

/* The command line's own words */

/* A missing set-up said with the options that fix it: the window's
 * sentence points at Preferences, which a terminal does not have. Other
 * errors (a keyring that cannot be reached, an insecure address) keep
 * their sentence. */
static GError *
command_line_error (CsEngine     *engine,
                    const GError *error)
{
  CsEngineMissing missing;
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *text = NULL;

  /* A rejected key: the command that replaces it, not Preferences. */
  if (g_error_matches (error, CS_NET_ERROR, CS_NET_ERROR_UNAUTHORIZED))
    {
      const char *service = cs_net_error_get_service (error);
      GError *said;

      if (g_strcmp0 (service, "calcom") == 0)
        said = g_error_new_literal (error->domain, error->code,
                                    _("Cal.com rejected the API key. Store a valid one with: "
                                      "calsync --set-secret calcom < calcom-key.txt"));
      else if (g_strcmp0 (service, "backend") == 0)
        said = g_error_new_literal (error->domain, error->code,
                                    _("The CRM server rejected the access token. Store a valid one "
                                      "with: calsync --set-secret backend < crm-token.txt"));
      else
        return g_error_copy (error);

      cs_net_error_set_service (said, service);
      return said;
    }

  if (engine == NULL || !g_error_matches (error, CS_ENGINE_ERROR, CS_ENGINE_ERROR_NOT_SET_UP))
    return g_error_copy (error);

  missing = cs_engine_get_missing (engine);
  lines = g_ptr_array_new ();
  if ((missing & CS_ENGINE_MISSING_CALCOM_URL) && (missing & CS_ENGINE_MISSING_BACKEND_URL))
    g_ptr_array_add (lines, _("The addresses of Cal.com and of the CRM server are not set up yet. "
                              "Set them with: calsync --calcom-url https://api.cal.com/v2 "
                              "--backend-url https://crm.example.com"));
  else if (missing & CS_ENGINE_MISSING_CALCOM_URL)
    g_ptr_array_add (lines, _("The address of Cal.com is not set up yet. Set it with: "
                              "calsync --calcom-url https://api.cal.com/v2"));
  else if (missing & CS_ENGINE_MISSING_BACKEND_URL)
    g_ptr_array_add (lines, _("The address of the CRM server is not set up yet. Set it with: "
                              "calsync --backend-url https://crm.example.com"));
  if (missing & CS_ENGINE_MISSING_CALCOM_KEY)
    g_ptr_array_add (lines, _("The Cal.com API key is missing. Store it with: "
                              "calsync --set-secret calcom < calcom-key.txt"));
  if (missing & CS_ENGINE_MISSING_BACKEND_TOKEN)
    g_ptr_array_add (lines, _("The CRM access token is missing. Store it with: "
                              "calsync --set-secret backend < crm-token.txt"));
  if (lines->len == 0)
    return g_error_copy (error);

  g_ptr_array_add (lines, NULL);
  text = g_strjoinv ("\n", (char **) lines->pdata);
  return g_error_new_literal (error->domain, error->code, text);
}

/* --once */

/* A notifier for a check run from the command line: a plain GApplication
 * of Calsync's id, registered beside the window's instance if that runs
 * (not unique, so it never takes the window's place), sends the
 * notification. Without a session bus there is nobody to tell: %NULL. */
static CsNotifier *
command_line_notifier (GApplication **out_sender)
{
  g_autoptr(GApplication) sender = g_application_new (APPLICATION_ID, G_APPLICATION_NON_UNIQUE);
  g_autoptr(GError) error = NULL;

  if (!g_application_register (sender, NULL, &error) ||
      g_application_get_dbus_connection (sender) == NULL)
    {
      g_debug ("No desktop to notify: %s", error != NULL ? error->message : "no session bus");
      return NULL;
    }

  *out_sender = g_steal_pointer (&sender);
  return cs_notifier_new (*out_sender);
}

/* What a run left to send goes out before the process ends: the alerts
 * saved to the cache, the notification on the bus (both bounded). */
static void
settle_before_exit (CsEngine     *engine,
                    GApplication *sender)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  CsAlertLog *alerts = cs_engine_get_alerts (engine);

  while (alerts != NULL && cs_alert_log_get_busy (alerts) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  if (sender != NULL)
    g_dbus_connection_flush_sync (g_application_get_dbus_connection (sender), NULL, NULL);
}

static int
run_once (CsEngine *engine,
          gboolean  json,
          gboolean  dry_run,
          gboolean  accept_suspect)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GApplication) sender = NULL;
  g_autoptr(CsNotifier) notifier = NULL;
  const GError *recovered;
  Wait wait = { 0 };

  /* The flags this check raises reach the desktop like a scheduled
   * check's (a dry run flags nothing). */
  if (!dry_run && (notifier = command_line_notifier (&sender)) != NULL)
    cs_engine_set_notifier (engine, notifier);

  /* Earlier clicks first, so the check sees them done; a dry run writes
   * nothing anywhere. */
  if (!dry_run && cs_engine_get_setup_error (engine) == NULL)
    send_waiting_bounded (engine);

  if (accept_suspect)
    cs_engine_accept_suspect_async (engine, NULL, wait_cb, &wait);
  else
    cs_engine_verify_async (engine, CS_VERIFICATION_COMPREHENSIVE, dry_run, NULL, wait_cb, &wait);
  result = wait_for (&wait);
  report = cs_engine_verify_finish (engine, result, &error);
  recovered = cs_engine_get_store_recovery (engine);
  if (report == NULL)
    {
      g_autoptr(GError) said = command_line_error (engine, error);

      /* With --json a script still gets an object to read on stdout. */
      g_printerr (_("Could not check: %s\n"), said->message);
      if (json)
        print_failure_json (said, recovered);
      return EXIT_NOT_VERIFIED;
    }

  if (json)
    print_report_json (report, recovered);
  else
    print_report_text (report);

  settle_before_exit (engine, sender);

  if (report->suspect)
    return EXIT_NOT_VERIFIED;

  return report->issues->len == 0 ? EXIT_ALL_SYNCED : EXIT_ISSUES_FOUND;
}

static CsEngine *
start_engine (GSettings   *settings,
              const char  *store_path,
              const char  *calcom_key,
              const char  *backend_token,
              GError     **error)
{
  g_autoptr(CsEngine) engine = cs_engine_new (settings, NULL, store_path);
  g_autoptr(GAsyncResult) result = NULL;
  const GError *recovered;
  Wait wait = { 0 };

  if (calcom_key != NULL || backend_token != NULL)
    cs_engine_set_secrets (engine, calcom_key, backend_token);

  cs_engine_start_async (engine, NULL, wait_cb, &wait);
  result = wait_for (&wait);
  if (!cs_engine_start_finish (engine, result, error))
    return NULL;

  recovered = cs_engine_get_store_recovery (engine);
  if (recovered != NULL)
    g_printerr ("%s\n", recovered->message);

  return g_steal_pointer (&engine);
}

/* --status */

/* A --status that has no figures to show: the sentence on stderr and,
 * with --json, the same as the envelope's error. */
static int
status_failed (gboolean      json,
               const char   *code,
               const GError *error)
{
  g_printerr ("%s\n", error->message);
  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      add_outcome_code (builder, code, error, NULL);
      json_builder_end_object (builder);
      print_json (builder);
    }

  return EXIT_NOT_VERIFIED;
}

static int
print_status (GSettings *settings,
              gboolean   json)
{
  g_autofree char *path = cs_store_get_default_path ();
  g_autoptr(CsStore) store = NULL;
  g_autoptr(CsRunRecord) last = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) said = NULL;
  gint64 company_id = g_settings_get_int64 (settings, "company-id");
  CsStoreCounts counts = { 0 };

  store = cs_store_open (path, &error);
  if (store == NULL)
    {
      said = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                          _("The local cache could not be opened: %s"), error->message);
      return status_failed (json, "cache_unusable", said);
    }

  /* A damaged cache was moved aside and an empty one made: its zeros
   * would read as figures, so the recovery is the answer. */
  if (cs_store_get_recovery_error (store) != NULL)
    return status_failed (json, "cache_rebuilt", cs_store_get_recovery_error (store));

  if (company_id > 0)
    {
      cs_store_set_company_id (store, company_id);
      last = cs_store_get_last_run (store, NULL);
    }
  if (last == NULL)
    {
      said = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                  _("No check has run yet: the local cache is empty."));
      return status_failed (json, "no_check_yet", said);
    }

  if (!cs_store_get_counts (store, &counts, &error))
    {
      said = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                          _("The local cache could not be read: %s"), error->message);
      return status_failed (json, "cache_unusable", said);
    }

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autofree char *at = cs_time_format_iso8601 (last->started_at);

      json_builder_begin_object (builder);
      add_outcome (builder, NULL, NULL);
      add_counts (builder, counts.by_status);
      json_builder_set_member_name (builder, "needs_review");
      json_builder_add_int_value (builder, counts.needs_review);
      json_builder_set_member_name (builder, "total");
      json_builder_add_int_value (builder, counts.total);
      json_builder_set_member_name (builder, "last_check");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "at");
      json_builder_add_string_value (builder, at);
      json_builder_set_member_name (builder, "result");
      json_builder_add_string_value (builder, last->result);
      json_builder_set_member_name (builder, "duration_s");
      json_builder_add_double_value (builder, last->duration_usec / 1e6);
      json_builder_end_object (builder);
      json_builder_end_object (builder);
      print_json (builder);
      return EXIT_ALL_SYNCED;
    }

  print_counts_text (counts.by_status);
  g_print ("  %-22s %6u\n", _("Needs review"), counts.needs_review);
  {
    g_autoptr(GDateTime) utc = NULL;
    g_autoptr(GDateTime) local = NULL;
    g_autofree char *when = NULL;

    utc = g_date_time_new_from_unix_utc (last->started_at / CS_USEC_PER_SECOND);
    local = g_date_time_to_local (utc);
    when = g_date_time_format (local, "%x %X");
    g_print (_("Last check: %s (%s)\n"), when, last->result);
  }

  return EXIT_ALL_SYNCED;
}

/* --set-secret */

static char *
read_secret_from_stdin (void)
{
  GString *secret = g_string_new (NULL);
  int c;

  while ((c = getchar ()) != EOF)
    g_string_append_c (secret, (char) c);

  /* One trailing newline, as `echo` or a terminal leaves it. */
  while (secret->len > 0 && (secret->str[secret->len - 1] == '\n' ||
                             secret->str[secret->len - 1] == '\r'))
    g_string_truncate (secret, secret->len - 1);

  return g_string_free (secret, FALSE);
}

static int
set_secret (GSettings  *settings,
            const char *service_name)
{
  g_autoptr(CsCredentials) credentials = cs_credentials_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  char *secret;
  CsCredentialService service;
  Wait wait = { 0 };

  if (g_strcmp0 (service_name, "calcom") == 0)
    service = CS_CREDENTIAL_SERVICE_CALCOM;
  else if (g_strcmp0 (service_name, "backend") == 0)
    service = CS_CREDENTIAL_SERVICE_BACKEND;
  else
    {
      g_printerr (_("Unknown service “%s”: use calcom or backend.\n"), service_name);
      return EXIT_USAGE;
    }

  url = g_settings_get_string (settings, service == CS_CREDENTIAL_SERVICE_CALCOM ? "calcom-url"
                                                                                : "backend-url");
  if (url[0] == '\0')
    {
      g_printerr ("%s\n", _("Set the server's address first (--calcom-url or --backend-url)."));
      return EXIT_FAILURE;
    }

  secret = read_secret_from_stdin ();
  if (secret[0] == '\0')
    {
      g_free (secret);
      g_printerr ("%s\n", _("Standard input held no key."));
      return EXIT_FAILURE;
    }

  cs_credentials_store_async (credentials, service, url, secret, NULL, wait_cb, &wait);
  memset (secret, 0, strlen (secret));
  g_free (secret);

  result = wait_for (&wait);
  if (!cs_credentials_store_finish (credentials, result, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }

  g_print ("%s\n", _("The key is stored in the keyring."));
  return EXIT_SUCCESS;
}

/* --action */

/* `--action … --json`: the envelope, then what was acted on and what
 * happened, in the words the person would have read. */
static void
print_action_json (GVariantDict         *options,
                   CsEngine             *engine,
                   const CsActionResult *outcome,
                   const GError         *error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const char *name = NULL, *booking = NULL;
  gint64 appointment_id = 0;

  g_variant_dict_lookup (options, "action", "&s", &name);
  g_variant_dict_lookup (options, "appointment", "x", &appointment_id);
  g_variant_dict_lookup (options, "booking", "&s", &booking);
  if (outcome != NULL)
    {
      appointment_id = outcome->appointment_id > 0 ? outcome->appointment_id : appointment_id;
      booking = outcome->booking_uid != NULL ? outcome->booking_uid : booking;
      if (error == NULL)
        error = outcome->error;
    }

  json_builder_begin_object (builder);
  add_outcome (builder, error, engine != NULL ? cs_engine_get_store_recovery (engine) : NULL);
  /* Kept, waiting for a server: the next process that reaches it sends
   * it. Not a failure. */
  json_builder_set_member_name (builder, "queued");
  json_builder_add_boolean_value (builder, outcome != NULL && outcome->queued);
  json_builder_set_member_name (builder, "key");
  if (outcome != NULL && outcome->key != NULL)
    json_builder_add_string_value (builder, outcome->key);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "action");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "appointment_id");
  if (appointment_id > 0)
    json_builder_add_int_value (builder, appointment_id);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "booking_uid");
  if (booking != NULL)
    json_builder_add_string_value (builder, booking);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "message");
  if (outcome != NULL && outcome->message != NULL)
    json_builder_add_string_value (builder, outcome->message);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  print_json (builder);
}


static int
run_action (CsEngine     *engine,
            GVariantDict *options)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) flushed = NULL;
  g_autoptr(CsActionResult) outcome = NULL;
  g_autoptr(GError) error = NULL;
  const char *name = NULL, *booking = NULL, *note = NULL, *until = NULL;
  CsActionTarget target = { 0 };
  CsActionArgs args;
  CsActionKind kind;
  Wait wait = { 0 }, flush = { 0 };
  gboolean json = g_variant_dict_contains (options, "json");

  /* check_usage() refused unknown names and times already. */
  g_variant_dict_lookup (options, "action", "&s", &name);
  if (!cs_action_kind_from_string (name, &kind))
    {
      g_printerr (_("Unknown action “%s”. See --help for the actions.\n"), name);
      return EXIT_USAGE;
    }

  if (cs_engine_get_setup_error (engine) != NULL)
    {
      g_autoptr(GError) said = command_line_error (engine, cs_engine_get_setup_error (engine));

      g_printerr ("%s\n", said->message);
      if (json)
        print_action_json (options, engine, NULL, said);
      return EXIT_NOT_VERIFIED;
    }

  cs_action_args_init (&args);
  g_variant_dict_lookup (options, "appointment", "x", &target.appointment_id);
  g_variant_dict_lookup (options, "booking", "&s", &booking);
  g_variant_dict_lookup (options, "note", "&s", &note);
  g_variant_dict_lookup (options, "until", "&s", &until);
  target.booking_uid = kind == CS_ACTION_LINK && target.appointment_id > 0 ? NULL : booking;
  args.note = note;
  args.link_booking_uid = kind == CS_ACTION_LINK ? booking : NULL;
  if (until != NULL && !cs_time_parse_iso8601 (until, &args.snooze_until))
    {
      g_printerr (_("“%s” is not a time with an offset, such as 2026-12-01T09:00:00+01:00.\n"),
                  until);
      return EXIT_USAGE;
    }

  /* Earlier clicks go first, in the order they were made. */
  send_waiting_bounded (engine);

  cs_actions_run_async (cs_engine_get_actions (engine), kind, &target, &args, NULL, wait_cb, &wait);
  result = wait_for (&wait);
  outcome = cs_actions_run_finish (cs_engine_get_actions (engine), result, &error);
  if (outcome == NULL)
    {
      g_printerr ("%s\n", error->message);
      if (json)
        print_action_json (options, engine, NULL, error);
      /* Not refused: the cache could not keep it (exit 2, as for a cache
       * that cannot be opened). Nothing of it was kept or sent. */
      if (error->domain == CS_STORE_ERROR &&
          (error->code == CS_STORE_ERROR_DISK_FULL || error->code == CS_STORE_ERROR_IO))
        return EXIT_NOT_VERIFIED;
      return EXIT_FAILURE;
    }

  /* Send what can be sent now; what cannot is kept for the next process
   * that reaches the server (the service, the window, `--once`). */
  cs_outbox_flush_async (cs_engine_get_outbox (engine), NULL, wait_cb, &flush);
  flushed = wait_for (&flush);
  cs_outbox_flush_finish (cs_engine_get_outbox (engine), flushed, NULL);

  if (outcome->error != NULL)
    {
      g_printerr ("%s\n", outcome->error->message);
      if (json)
        print_action_json (options, engine, outcome, NULL);
      return EXIT_FAILURE;
    }

  /* A kept click is not a failure: it is done as far as this machine goes,
   * and the message says what waits. */
  if (json)
    print_action_json (options, engine, outcome, NULL);
  else
    g_print ("%s\n", outcome->message);
  return EXIT_SUCCESS;
}

/* The cache could not be opened at all (not even rebuilt): nothing can
 * be checked or acted on. */
static GError *
cache_error (const GError *error)
{
  /* A full disk is said whole: its sentence says what to do. */
  if (g_error_matches (error, CS_STORE_ERROR, CS_STORE_ERROR_DISK_FULL))
    return g_error_copy (error);

  return g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, _("The local cache could not be opened: %s"),
                      error->message);
}

static int
cache_failed (gboolean      json,
              const GError *error)
{
  g_autoptr(GError) said = cache_error (error);

  g_printerr ("%s\n", said->message);
  if (json)
    print_failure_json (said, NULL);
  return EXIT_NOT_VERIFIED;
}

/* The same for --action, whose document always has the action's members. */
static int
action_cache_failed (GVariantDict *options,
                     const GError *error)
{
  g_autoptr(GError) said = cache_error (error);

  g_printerr ("%s\n", said->message);
  if (g_variant_dict_contains (options, "json"))
    print_action_json (options, NULL, NULL, said);
  return EXIT_NOT_VERIFIED;
}

/* --demo --once: the same check against the built-in simulator. */

static int
run_demo_once (gboolean json,
               gboolean dry_run)
{
  g_autoptr(CsDemo) demo = cs_demo_new (CS_DEMO_APPOINTMENTS);
  g_autoptr(CsEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Wait wait = { 0 };
  int status;

  /* Nothing of the demo touches the user's settings, cache or keyring. */
  if (!cs_demo_start (demo, &error))
    {
      g_printerr (_("The simulator could not start: %s\n"), error->message);
      if (json)
        print_failure_json (error, NULL);
      return EXIT_NOT_VERIFIED;
    }

  engine = cs_demo_new_engine (demo);
  cs_engine_start_async (engine, NULL, wait_cb, &wait);
  result = wait_for (&wait);
  if (!cs_engine_start_finish (engine, result, &error))
    return cache_failed (json, error);

  if (!json)
    g_print (g_dngettext (GETTEXT_PACKAGE,
                          "Demo: %u appointment in the built-in simulator, every kind of problem "
                          "among them.\n",
                          "Demo: %u appointments in the built-in simulator, every kind of problem "
                          "among them.\n",
                          CS_DEMO_APPOINTMENTS),
             CS_DEMO_APPOINTMENTS);
  status = run_once (engine, json, dry_run, FALSE);

  g_clear_object (&engine);
  return status;
}

static int
check_cache (void)
{
  g_autofree char *path = cs_store_get_default_path ();
  g_autoptr(CsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  const GError *recovered;

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

/* Usage: the command line is checked whole before anything is done, so
 * an option is never ignored in silence nor half of a command line run. */

/* The options that each make a command of their own. */
static const char * const command_options[] = {
  "version", "once", "status", "set-secret", "check-cache", "action", "background",
};

/* Options that mean something only beside another one: alone they would
 * do nothing, and the person would believe they had been obeyed. */
static const struct
{
  const char *option;
  const char *partners[4];
} partner_options[] = {
  { "json", { "once", "status", "action", NULL } },
  { "dry-run", { "once", NULL } },
  { "accept-suspect", { "once", NULL } },
  { "appointment", { "action", NULL } },
  { "booking", { "action", NULL } },
  { "note", { "action", NULL } },
  { "until", { "action", NULL } },
};

static gboolean usage_error (GError     **error,
                             const char  *format,
                             ...) G_GNUC_PRINTF (2, 3);

static gboolean
usage_error (GError     **error,
             const char  *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (G_OPTION_ERROR, G_OPTION_ERROR_FAILED, format,
                                                args));
  va_end (args);

  return FALSE;
}

static gboolean
has_option (GVariantDict *options,
            const char   *name)
{
  return g_variant_dict_contains (options, name);
}

static gboolean
check_partners (GVariantDict  *options,
                GError       **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (partner_options); i++)
    {
      const char * const *partners = partner_options[i].partners;
      g_autoptr(GString) names = NULL;
      gboolean found = FALSE;

      if (!has_option (options, partner_options[i].option))
        continue;
      for (guint j = 0; partners[j] != NULL; j++)
        found = found || has_option (options, partners[j]);
      if (found)
        continue;

      if (partners[1] == NULL)
        return usage_error (error, _("--%s goes only with --%s."),
                            partner_options[i].option, partners[0]);

      names = g_string_new (NULL);
      for (guint j = 0; partners[j] != NULL; j++)
        g_string_append_printf (names, "%s--%s", j > 0 ? ", " : "", partners[j]);
      /* Translators: the second %s lists options, e.g. "--once, --status, --action" */
      return usage_error (error, _("--%s goes only with one of %s."),
                          partner_options[i].option, names->str);
    }

  return TRUE;
}

static gboolean
check_action (GVariantDict  *options,
              GError       **error)
{
  const char *name = NULL, *until = NULL;
  gint64 appointment_id = 0;
  CsActionKind kind;
  CsTime at;

  if (!g_variant_dict_lookup (options, "action", "&s", &name))
    return TRUE;

  if (!cs_action_kind_from_string (name, &kind))
    return usage_error (error, _("Unknown action “%s”. See --help for the actions."), name);
  if (!has_option (options, "appointment") && !has_option (options, "booking"))
    return usage_error (error, _("--action needs --appointment or --booking."));
  if (g_variant_dict_lookup (options, "appointment", "x", &appointment_id) && appointment_id <= 0)
    return usage_error (error, _("--appointment needs the appointment's number, such as 1236."));

  g_variant_dict_lookup (options, "until", "&s", &until);
  if (kind == CS_ACTION_SNOOZE && until == NULL)
    return usage_error (error, _("--action snooze needs --until."));
  if (kind != CS_ACTION_SNOOZE && until != NULL)
    return usage_error (error, _("--until goes only with --action snooze."));
  if (until != NULL && !cs_time_parse_iso8601 (until, &at))
    return usage_error (error, _("“%s” is not a time with an offset, such as "
                                 "2026-12-01T09:00:00+01:00."), until);

  return TRUE;
}

static gboolean
check_usage (GVariantDict  *options,
             GError       **error)
{
  g_autofree const char **rest = NULL;
  const char *command = NULL;
  const char *service = NULL;
  const char *url_options[] = { "calcom-url", "backend-url" };

  if (g_variant_dict_lookup (options, G_OPTION_REMAINING, "^a&s", &rest) && rest[0] != NULL)
    return usage_error (error, _("“%s” is not an option of calsync."), rest[0]);

  for (guint i = 0; i < G_N_ELEMENTS (command_options); i++)
    {
      if (!has_option (options, command_options[i]))
        continue;
      if (command != NULL)
        return usage_error (error, _("--%s and --%s cannot go together."),
                            command, command_options[i]);
      command = command_options[i];
    }

  if (has_option (options, "version"))
    for (guint i = 0; entries[i].long_name != NULL; i++)
      if (entries[i].long_name[0] != '\0' && g_strcmp0 (entries[i].long_name, "version") != 0 &&
          has_option (options, entries[i].long_name))
        return usage_error (error, _("--%s and --%s cannot go together."),
                            "version", entries[i].long_name);

  if (!check_partners (options, error))
    return FALSE;

  if (has_option (options, "dry-run") && has_option (options, "accept-suspect"))
    return usage_error (error, _("--%s and --%s cannot go together."), "dry-run", "accept-suspect");

  /* The demo checks the simulator with its own addresses and keys, and
   * it never holds a check back. */
  if (has_option (options, "demo"))
    {
      if (command != NULL && g_strcmp0 (command, "once") != 0)
        return usage_error (error, _("--demo goes alone (the window) or with --once."));
      for (guint i = 0; i < G_N_ELEMENTS (url_options); i++)
        if (has_option (options, url_options[i]))
          return usage_error (error, _("--%s and --%s cannot go together."), "demo",
                              url_options[i]);
      if (has_option (options, "accept-suspect"))
        return usage_error (error, _("--%s and --%s cannot go together."), "demo",
                            "accept-suspect");
    }

  /* Values: nothing is saved before all of them are right. */
  for (guint i = 0; i < G_N_ELEMENTS (url_options); i++)
    {
      const char *url = NULL;
      g_autoptr(GError) local_error = NULL;

      if (g_variant_dict_lookup (options, url_options[i], "&s", &url) &&
          !cs_http_check_base_url (url, &local_error))
        return usage_error (error, "%s", local_error->message);
    }

  if (g_variant_dict_lookup (options, "set-secret", "&s", &service) &&
      g_strcmp0 (service, "calcom") != 0 && g_strcmp0 (service, "backend") != 0)
    return usage_error (error, _("Unknown service “%s”: use calcom or backend."), service);

  return check_action (options, error);
}

static int
print_usage_error (const GError *error,
                   gboolean      json)
{
  g_printerr ("calsync: %s\n%s\n", error->message,
              _("See “calsync --help” for the options and the exit codes."));
  if (json)
    print_failure_json (error, NULL);

  return EXIT_USAGE;
}

/* GApplication refuses an unknown option or a malformed value itself, in
 * plain text and with exit 1; parsing first with the same entries makes
 * it a usage error like the others (exit 64, JSON with --json). */
static gboolean
check_syntax (char    **arguments,
              GError  **error)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_auto(GStrv) copy = g_strdupv (arguments);
  GOptionEntry parsed[G_N_ELEMENTS (entries)];
  union
  {
    gboolean  flag;
    char     *string;
    char    **strings;
    gint64    number;
  } values[G_N_ELEMENTS (entries)];
  gboolean ok;

  /* --help prints the help and exits: GApplication's parse does that. */
  for (guint i = 1; arguments[i] != NULL; i++)
    if (g_str_has_prefix (arguments[i], "--help") || g_str_equal (arguments[i], "-h") ||
        g_str_equal (arguments[i], "-?"))
      return TRUE;

  memset (values, 0, sizeof values);
  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      parsed[i] = entries[i];
      parsed[i].arg_data = entries[i].long_name != NULL ? &values[i] : NULL;
    }

  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_add_main_entries (context, parsed, NULL);
  ok = g_option_context_parse_strv (context, &copy, error);

  for (guint i = 0; entries[i].long_name != NULL; i++)
    {
      if (entries[i].arg == G_OPTION_ARG_STRING)
        g_free (values[i].string);
      else if (entries[i].arg == G_OPTION_ARG_STRING_ARRAY)
        g_strfreev (values[i].strings);
    }

  if (!ok)
    {
      /* The option parser's own words, but as a usage error. */
      g_autofree char *message = g_strdup ((*error)->message);

      g_clear_error (error);
      return usage_error (error, "%s", message);
    }

  return TRUE;
}

static gboolean
cs_application_local_command_line (GApplication   *app,
                                   char         ***arguments,
                                   int            *exit_status)
{
  g_autoptr(GError) error = NULL;

  if (!check_syntax (*arguments, &error))
    {
      *exit_status = print_usage_error (error, g_strv_contains ((const char * const *) *arguments,
                                                                "--json"));
      return TRUE;
    }

  return G_APPLICATION_CLASS (cs_application_parent_class)->local_command_line (app, arguments,
                                                                               exit_status);
}

static int
cs_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  CsApplication *self = CS_APPLICATION (app);
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(CsEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  const char *service = NULL;
  const char *url_keys[] = { "calcom-url", "backend-url" };
  gboolean saved_urls = FALSE;
  gboolean json = g_variant_dict_contains (options, "json");
  gboolean dry_run = g_variant_dict_contains (options, "dry-run");

  if (!check_usage (options, &error))
    return print_usage_error (error, json);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  if (g_variant_dict_contains (options, "demo"))
    {
      if (g_variant_dict_contains (options, "once"))
        return run_demo_once (json, dry_run);

      /* The window on the simulator: its own instance, beside a running
       * Calsync of the user's. */
      self->demo_requested = TRUE;
      g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
      return -1;
    }

  settings = g_settings_new (APPLICATION_ID);

  /* Addresses first, each on its own (check_usage() found both right):
   * the same command line's run or service uses them. */
  for (guint i = 0; i < G_N_ELEMENTS (url_keys); i++)
    {
      const char *url = NULL;

      if (g_variant_dict_lookup (options, url_keys[i], "&s", &url))
        {
          g_settings_set_string (settings, url_keys[i], url);
          saved_urls = TRUE;
        }
    }
  if (saved_urls)
    g_settings_sync ();

  if (g_variant_dict_contains (options, "check-cache"))
    return check_cache ();

  if (g_variant_dict_lookup (options, "set-secret", "&s", &service))
    return set_secret (settings, service);

  if (g_variant_dict_contains (options, "status"))
    return print_status (settings, json);

  if (g_variant_dict_contains (options, "action"))
    {
      engine = start_engine (settings, NULL, NULL, NULL, &error);
      if (engine == NULL)
        return action_cache_failed (options, error);
      return run_action (engine, options);
    }

  if (g_variant_dict_contains (options, "once"))
    {
      engine = start_engine (settings, NULL, NULL, NULL, &error);
      if (engine == NULL)
        return cache_failed (json, error);
      return run_once (engine, json, dry_run,
                       g_variant_dict_contains (options, "accept-suspect"));
    }

  /* The service started at login, on the addresses just given if any. */
  if (g_variant_dict_contains (options, "background"))
    {
      self->background_requested = TRUE;
      return -1;
    }

  /* Only addresses: saved, nothing else asked for. */
  if (saved_urls)
    {
      g_print ("%s\n", _("The addresses are saved."));
      return EXIT_SUCCESS;
    }

  return -1;
}

/* The window and the background service */

static CsWindow *
find_window (CsApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (CS_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

static void
open_pending_review (CsApplication *self,
                     CsWindow      *window)
{
  if (self->pending_review_id <= 0 && self->pending_review_uid == NULL)
    return;

  cs_window_review (window, self->pending_review_id, self->pending_review_uid);
  self->pending_review_id = 0;
  g_clear_pointer (&self->pending_review_uid, g_free);
}

static void
engine_started_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CsApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  CsWindow *window = find_window (self);

  if (!cs_engine_start_finish (CS_ENGINE (object), result, &error))
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("The local cache could not be opened: %s"), error->message);
      g_printerr ("%s\n", message);
      if (window != NULL)
        cs_window_show_failure (window, message);
      return;
    }

  self->engine_ready = TRUE;

  /* A cache rebuilt at start is said on every command, the service's too. */
  if (cs_engine_get_store_recovery (self->engine) != NULL)
    g_printerr ("%s\n", cs_engine_get_store_recovery (self->engine)->message);

  /* The schedule runs also without set-up: it waits, paused, and the
   * window says what is missing. */
  cs_engine_start_schedule (self->engine, self->notifier);

  if (window != NULL)
    {
      cs_window_set_engine (window, self->engine);
      open_pending_review (self, window);
    }
}

static void
demo_prepared_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CsApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cs_demo_prepare_finish (CS_DEMO (object), result, &error))
    {
      CsWindow *window = find_window (self);

      g_printerr ("%s\n", error->message);
      if (window != NULL)
        cs_window_show_failure (window, error->message);
      return;
    }

  cs_engine_start_async (self->engine, NULL, engine_started_cb, g_object_ref (self));
}

static gboolean
quit_on_signal (gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
  return G_SOURCE_REMOVE;
}

static CsWindow *
present_window (CsApplication *self)
{
  CsWindow *window = find_window (self);

  if (window == NULL)
    {
      window = cs_window_new (GTK_APPLICATION (self), self->demo != NULL ? NULL : self->settings);
      if (self->engine_ready)
        cs_window_set_engine (window, self->engine);
    }

  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
cs_application_activate (GApplication *app)
{
  CsApplication *self = CS_APPLICATION (app);

  /* Started at login: no window, the schedule and the notifications only,
   * until the user opens Calsync (a second activation). */
  if (self->background_requested)
    {
      self->background_requested = FALSE;
      g_application_hold (app);
      return;
    }

  present_window (self);
}

/* app.review and app.retry: the notification's actions. */
static void
review_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  CsApplication *self = user_data;
  CsWindow *window;
  gint64 id = g_variant_get_int64 (parameter);

  window = present_window (self);
  if (!self->engine_ready)
    {
      /* The dialog opens once the cache is read. */
      self->pending_review_id = id;
      return;
    }
  cs_window_review (window, id, NULL);
}

static void
retry_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CsActionResult) outcome = NULL;
  g_autoptr(GError) error = NULL;

  outcome = cs_actions_run_finish (CS_ACTIONS (object), result, &error);
  if (outcome == NULL)
    g_message ("The retry could not run: %s", error->message);
}

static void
retry_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  CsApplication *self = user_data;
  CsActionTarget target = { 0 };
  CsActionArgs args;

  if (!self->engine_ready || cs_engine_get_actions (self->engine) == NULL)
    return;

  target.appointment_id = g_variant_get_int64 (parameter);
  if (target.appointment_id <= 0)
    return;
  cs_action_args_init (&args);
  cs_actions_run_async (cs_engine_get_actions (self->engine), CS_ACTION_RETRY, &target, &args,
                        NULL, retry_done_cb, NULL);
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  CsApplication *self = user_data;
  CsWindow *window = present_window (self);
  CsPreferencesWindow *preferences;

  preferences = cs_preferences_window_new (GTK_WINDOW (window),
                                           self->demo != NULL ? cs_demo_get_settings (self->demo)
                                                              : self->settings,
                                           self->engine_ready ? self->engine : NULL);
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  CsApplication *self = user_data;
  static const char *developers[] = { "The Calsync authors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "modal", TRUE,
                        "application-name", _("Calsync"),
                        "application-icon", APPLICATION_ID,
                        "developer-name", _("The Calsync authors"),
                        "developers", developers,
                        "version", PACKAGE_VERSION,
                        "website", "https://github.com/calsync/calsync",
                        "issue-url", "https://github.com/calsync/calsync/issues",
                        "support-url", "https://github.com/calsync/calsync/discussions",
                        "copyright", "© 2026 The Calsync authors",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* Translators: put your names here, one a line. */
                        "translator-credits", _("translator-credits"),
                        "comments", _("Keeps the appointments of your CRM and your Cal.com "
                                      "bookings in agreement."),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

/* "Try the demo" on the welcome page: a second, separate instance on the
 * simulator (--demo is never unique), so nothing of the user's is used. */
static void
demo_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  CsApplication *self = user_data;
  g_autoptr(GSubprocess) demo = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *program = g_file_read_link ("/proc/self/exe", NULL);

  demo = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                           program != NULL ? program : "calsync", "--demo", NULL);
  if (demo == NULL)
    {
      CsWindow *window = find_window (self);

      if (window != NULL)
        cs_window_add_toast (window, adw_toast_new (_("The demo could not start")));
      g_message ("The demo could not start: %s", error->message);
    }
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  CsApplication *self = user_data;

  /* "Quit" ends the background checks too, until the next login. */
  if (self->held)
    {
      self->held = FALSE;
      g_application_release (G_APPLICATION (self));
    }
  g_application_quit (G_APPLICATION (self));
}

/* Background: with `run-in-background` on, the application holds itself,
 * so closing the window leaves the checks and the notifications running
 * until "Quit"; at login `--background` starts it again (cs-background.c). */

static void
autostart_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!cs_background_set_autostart_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("Running in the background was not set up: %s", error->message);
}

static void
run_in_background_changed (CsApplication *self)
{
  gboolean wanted = g_settings_get_boolean (self->settings, "run-in-background");

  if (wanted && !self->held)
    g_application_hold (G_APPLICATION (self));
  else if (!wanted && self->held)
    g_application_release (G_APPLICATION (self));
  self->held = wanted;
}

static void
run_in_background_setting_cb (GSettings     *settings,
                              const char    *key,
                              CsApplication *self)
{
  run_in_background_changed (self);
  cs_background_set_autostart_async (gtk_application_get_active_window (GTK_APPLICATION (self)),
                                     g_settings_get_boolean (settings, key), NULL,
                                     autostart_cb, NULL);
}

static void
cs_application_startup (GApplication *app)
{
  CsApplication *self = CS_APPLICATION (app);
  g_autoptr(GError) error = NULL;
  const GActionEntry actions[] = {
    { "review", review_activated, "x", NULL, NULL, { 0 } },
    { "retry", retry_activated, "x", NULL, NULL, { 0 } },
    { "preferences", preferences_activated, NULL, NULL, NULL, { 0 } },
    { "about", about_activated, NULL, NULL, NULL, { 0 } },
    { "demo", demo_activated, NULL, NULL, NULL, { 0 } },
    { "quit", quit_activated, NULL, NULL, NULL, { 0 } },
  };
  const char *preferences_accels[] = { "<Control>comma", NULL };
  const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (cs_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), actions, G_N_ELEMENTS (actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);

  g_unix_signal_add (SIGINT, quit_on_signal, app);
  g_unix_signal_add (SIGTERM, quit_on_signal, app);

  self->notifier = cs_notifier_new (app);

  if (self->demo_requested)
    {
      self->demo = cs_demo_new (CS_DEMO_APPOINTMENTS);
      if (!cs_demo_start (self->demo, &error))
        {
          g_printerr (_("The simulator could not start: %s\n"), error->message);
          g_clear_object (&self->demo);
          return;
        }
      self->engine = cs_demo_new_engine (self->demo);
      cs_demo_prepare_async (self->demo, NULL, demo_prepared_cb, g_object_ref (self));
      return;
    }

  self->settings = g_settings_new (APPLICATION_ID);
  self->engine = cs_engine_new (self->settings, NULL, NULL);
  cs_engine_start_async (self->engine, NULL, engine_started_cb, g_object_ref (self));

  /* The demo never stays behind nor starts at login. */
  g_signal_connect (self->settings, "changed::run-in-background",
                    G_CALLBACK (run_in_background_setting_cb), self);
  run_in_background_changed (self);
  if (self->held)
    cs_background_set_autostart_async (NULL, TRUE, NULL, autostart_cb, NULL);
}

static void
cs_application_shutdown (GApplication *app)
{
  CsApplication *self = CS_APPLICATION (app);

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);

  G_APPLICATION_CLASS (cs_application_parent_class)->shutdown (app);

  g_clear_object (&self->engine);
  g_clear_object (&self->demo);
}

static void
cs_application_dispose (GObject *object)
{
  CsApplication *self = CS_APPLICATION (object);

  g_clear_object (&self->engine);
  g_clear_object (&self->demo);
  g_clear_object (&self->notifier);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->pending_review_uid, g_free);

  G_OBJECT_CLASS (cs_application_parent_class)->dispose (object);
}

static void
cs_application_class_init (CsApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = cs_application_dispose;

  app_class->local_command_line = cs_application_local_command_line;
  app_class->handle_local_options = cs_application_handle_local_options;
  app_class->startup = cs_application_startup;
  app_class->shutdown = cs_application_shutdown;
  app_class->activate = cs_application_activate;
}

static void
cs_application_init (CsApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Calsync keeps the appointments of your CRM "
                                              "database and your Cal.com bookings in agreement."));
  g_application_set_option_context_description (G_APPLICATION (self),
                                                _("Exit codes:\n"
                                                  "  0   done; with --once: everything is in "
                                                  "order\n"
                                                  "  1   with --once: problems found; otherwise: "
                                                  "the command did not succeed\n"
                                                  "  2   could not check or act: not set up, a "
                                                  "server or the cache could not be used, or a "
                                                  "check was held back as suspect\n"
                                                  "  64  the command line is wrong: an unknown "
                                                  "option, an option without its partner, a bad "
                                                  "value\n"
                                                  "\n"
                                                  "With --json, standard output holds exactly one "
                                                  "JSON document, whatever the outcome."));
}

/**
 * cs_application_new:
 *
 * Returns: (transfer full): the application
 */
CsApplication *
cs_application_new (void)
{
  return g_object_new (CS_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}
