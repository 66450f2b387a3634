/* test-cli.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "cli-test-util.h"
#include "cs-credentials.h"
#include "cs-sim-server.h"
#include "cs-store.h"

static void
assert_file_lacks (const char *path,
                   const char *needle)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return;

  g_assert_null (g_strstr_len (contents, length, needle));
}

static void
assert_secret_absent (CliFixture *f,
                      const char *secret)
{
  static const char * const files[] = {
    "config/glib-2.0/settings/keyfile",
    "data/calsync/cache.sqlite3",
    "data/calsync/cache.sqlite3-wal",
  };
  g_autofree char *settings = g_build_filename (f->home, files[0], NULL);
  g_autofree char *cache = g_build_filename (f->home, files[1], NULL);

  /* The files exist: the check is not vacuous. */
  g_assert_true (g_file_test (settings, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (cache, G_FILE_TEST_EXISTS));

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (f->home, files[i], NULL);

      assert_file_lacks (path, secret);
    }
}

static void
test_once_json_and_status (CliFixture    *f,
                           gconstpointer  data)
{
  const char *once[] = { "--once", "--json", NULL };
  const char *status[] = { "--status", "--json", NULL };
  g_autoptr(JsonParser) once_parser = json_parser_new ();
  g_autoptr(JsonParser) status_parser = json_parser_new ();
  g_autofree char *once_out = NULL;
  g_autofree char *status_out = NULL;
  JsonObject *report, *counts, *cache_counts;
  JsonArray *issues;
  guint with_id = 0, booking_only = 0;

  cli_set_up_secrets (f);

  /* Problems found: exit 1, and the JSON shape of the issue. */
  g_assert_cmpint (cli_run (f, NULL, &once_out, once), ==, 1);
  report = cli_parse_object (once_out, once_parser);
  g_assert_true (json_object_get_boolean_member (report, "ok"));
  g_assert_true (json_object_get_null_member (report, "error"));
  counts = json_object_get_object_member (report, "counts");
  for (CsSyncStatus s = 0; s <= CS_SYNC_STATUS_LAST; s++)
    g_assert_true (json_object_has_member (counts, cs_sync_status_to_string (s)));
  issues = json_object_get_array_member (report, "issues");
  g_assert_cmpuint (json_array_get_length (issues), >, 0);

  for (guint i = 0; i < json_array_get_length (issues); i++)
    {
      JsonObject *issue = json_array_get_object_element (issues, i);
      CsSyncStatus parsed;

      g_assert_true (json_object_has_member (issue, "appointment_id"));
      g_assert_true (json_object_has_member (issue, "booking_uid"));
      g_assert_true (json_object_has_member (issue, "error_code"));
      g_assert_true (json_object_has_member (issue, "message"));
      g_assert_true (cs_sync_status_from_string (json_object_get_string_member (issue, "status"),
                                                 &parsed));
      g_assert_cmpint (json_object_get_int_member (issue, "attempts"), ==, 1);
      g_assert_false (json_object_get_boolean_member (issue, "requires_manual_review"));
      if (json_object_get_null_member (issue, "appointment_id"))
        booking_only++;
      else
        with_id++;
    }
  g_assert_cmpuint (with_id, >, 0);
  g_assert_cmpuint (booking_only, >, 0);

  /* The keys live in the keyring only: not in the settings, not in the
   * cache, nor in its journal. */
  assert_secret_absent (f, cs_sim_server_get_calcom_api_key (f->sim));
  assert_secret_absent (f, cs_sim_server_get_backend_token (f->sim));

  /* The cache's figures afterwards, without the network. */
  cs_sim_server_stop (f->sim);
  g_assert_cmpint (cli_run (f, NULL, &status_out, status), ==, 0);
  cache_counts = json_object_get_object_member (cli_parse_object (status_out, status_parser),
                                                "counts");
  g_assert_cmpint (json_object_get_int_member (cache_counts, "synced"), ==,
                   json_object_get_int_member (counts, "synced"));
  g_assert_cmpint (json_object_get_int_member (cache_counts, "orphaned_local"), ==,
                   json_object_get_int_member (counts, "orphaned_local"));
}

/* Three `--once` in a row, as a script or an impatient person would run
 * them: each checks, none counts a second attempt or flags (the +1 and +5
 * minute spacing is a rule of the data, test-verifier shows the rest). */
static void
test_once_three_in_a_row (CliFixture    *f,
                          gconstpointer  data)
{
  const char *once[] = { "--once", "--json", NULL };

  cli_set_up_secrets (f);

  for (guint run = 0; run < 3; run++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *out = NULL;
      JsonArray *issues;

      g_assert_cmpint (cli_run (f, NULL, &out, once), ==, 1);
      issues = json_object_get_array_member (cli_parse_object (out, parser), "issues");
      g_assert_cmpuint (json_array_get_length (issues), >, 0);
      for (guint i = 0; i < json_array_get_length (issues); i++)
        {
          JsonObject *issue = json_array_get_object_element (issues, i);

          g_assert_cmpint (json_object_get_int_member (issue, "attempts"), ==, 1);
          g_assert_false (json_object_get_boolean_member (issue, "requires_manual_review"));
        }
    }
}

/* The orphan guard is answered on the command line: a check that would
 * find every booking gone at once changes nothing, says so (never "in
 * order"), in JSON with what it would have found, and --accept-suspect
 * applies it. */
static void
test_once_suspect (CliFixture    *f,
                   gconstpointer  data)
{
  const char *once[] = { "--once", NULL };
  const char *once_json[] = { "--once", "--json", NULL };
  const char *accept[] = { "--once", "--json", "--accept-suspect", NULL };
  g_autoptr(JsonParser) suspect_parser = json_parser_new ();
  g_autoptr(JsonParser) accept_parser = json_parser_new ();
  g_autoptr(GPtrArray) uids = g_ptr_array_new_with_free_func (g_free);
  CsSimDataset *dataset = cs_sim_server_get_dataset (f->sim);
  GPtrArray *bookings = cs_sim_dataset_get_bookings (dataset);
  g_autofree char *text = NULL;
  g_autofree char *suspect_out = NULL;
  g_autofree char *accept_out = NULL;
  JsonObject *report, *suspect_counts, *counts;

  cli_set_up_secrets (f);
  g_assert_cmpint (cli_run (f, NULL, NULL, once_json), ==, 1);

  /* Cal.com suddenly lists nothing (a wrong account, an empty answer). */
  for (guint i = 0; i < bookings->len; i++)
    g_ptr_array_add (uids, g_strdup (((CsSimBooking *) g_ptr_array_index (bookings, i))->booking->uid));
  for (guint i = 0; i < uids->len; i++)
    cs_sim_dataset_remove_booking (dataset, g_ptr_array_index (uids, i));

  g_assert_cmpint (cli_run (f, NULL, &text, once), ==, 2);
  g_assert_null (strstr (text, "Everything is in order"));
  g_assert_nonnull (strstr (text, "--accept-suspect"));

  g_assert_cmpint (cli_run (f, NULL, &suspect_out, once_json), ==, 2);
  report = cli_parse_object (suspect_out, suspect_parser);
  g_assert_true (json_object_get_boolean_member (report, "suspect"));
  g_assert_false (json_object_get_boolean_member (report, "ok"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (report, "error"),
                                                  "code"), ==, "suspect");
  suspect_counts = json_object_get_object_member (report, "suspect_counts");
  g_assert_cmpint (json_object_get_int_member (suspect_counts, "orphaned_local"), >, 0);
  g_assert_cmpint (json_object_get_int_member (suspect_counts, "orphaned_calcom"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (suspect_counts, "window"), >=,
                   json_object_get_int_member (suspect_counts, "orphaned_local"));

  /* A person says the result is right: it is applied. */
  g_assert_cmpint (cli_run (f, NULL, &accept_out, accept), ==, 1);
  report = cli_parse_object (accept_out, accept_parser);
  g_assert_false (json_object_get_boolean_member (report, "suspect"));
  counts = json_object_get_object_member (report, "counts");
  g_assert_cmpint (json_object_get_int_member (counts, "orphaned_local"), >=,
                   json_object_get_int_member (suspect_counts, "orphaned_local"));
}

/* The desktop's notification server, as GNOME Shell serves it
 * (org.gtk.Notifications), on the test's private session bus: it records
 * what `calsync --once` sends. */
static const char notifications_xml[] =
  "<node>"
  "  <interface name='org.gtk.Notifications'>"
  "    <method name='AddNotification'>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/>"
  "    </method>"
  "    <method name='RemoveNotification'>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "    </method>"
  "  </interface>"
  "</node>";

typedef struct
{
  GPtrArray *added;   /* "app-id id title\nbody" */
  gboolean   owned;
} Notifications;

static void
notifications_method_cb (GDBusConnection       *connection,
                         const char            *sender,
                         const char            *path,
                         const char            *interface,
                         const char            *method,
                         GVariant              *parameters,
                         GDBusMethodInvocation *invocation,
                         gpointer               user_data)
{
  Notifications *n = user_data;

  if (g_strcmp0 (method, "AddNotification") == 0)
    {
      const char *app_id, *id, *title = "", *body = "";
      g_autoptr(GVariant) notification = NULL;

      g_variant_get (parameters, "(&s&s@a{sv})", &app_id, &id, &notification);
      g_variant_lookup (notification, "title", "&s", &title);
      g_variant_lookup (notification, "body", "&s", &body);
      g_ptr_array_add (n->added, g_strdup_printf ("%s %s %s\n%s", app_id, id, title, body));
    }

  g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
notifications_acquired_cb (GDBusConnection *connection,
                           const char      *name,
                           gpointer         user_data)
{
  ((Notifications *) user_data)->owned = TRUE;
}

/* Moves every waiting item's next attempt into the past, as the minutes
 * between the retries would: the child runs on the real clock. */
static void
make_retries_due (CliFixture *f)
{
  g_autofree char *path = g_build_filename (f->home, "data", "calsync", "cache.sqlite3", NULL);
  g_autoptr(CsStore) store = NULL;
  g_autoptr(GPtrArray) appointments = NULL;
  g_autoptr(GError) error = NULL;

  store = cs_store_open (path, &error);
  g_assert_no_error (error);
  cs_store_set_company_id (store, CS_SIM_DEFAULT_COMPANY_ID);
  appointments = cs_store_list_appointments (store, CS_TIME_UNSET, CS_TIME_UNSET, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < appointments->len; i++)
    {
      CsAppointment *a = g_ptr_array_index (appointments, i);

      if (a->next_attempt_at != CS_TIME_UNSET)
        a->next_attempt_at = g_get_real_time () - CS_USEC_PER_SECOND;
    }
  g_assert_true (cs_store_save_appointments (store, appointments, &error));
  g_assert_no_error (error);
}

/* A flag raised by `--once` is notified like a scheduled check's: one
 * summary for the run, with no customer data, and never again for the
 * same flags. */
static void
test_once_notifies (CliFixture    *f,
                    gconstpointer  data)
{
  const char *once[] = { "--once", NULL };
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  GDBusInterfaceVTable vtable = { notifications_method_cb, NULL, NULL, { 0 } };
  Notifications n = { g_ptr_array_new_with_free_func (g_free), FALSE };
  GPtrArray *appointments = cs_sim_dataset_get_appointments (cs_sim_server_get_dataset (f->sim));
  const char *sent;
  guint registration, owner;

  g_assert_nonnull (bus);
  registration = g_dbus_connection_register_object (bus, "/org/gtk/Notifications",
                                                    info->interfaces[0], &vtable, &n, NULL, NULL);
  owner = g_bus_own_name_on_connection (bus, "org.gtk.Notifications", G_BUS_NAME_OWNER_FLAGS_NONE,
                                        notifications_acquired_cb, NULL, &n, NULL);
  while (!n.owned)
    g_main_context_iteration (NULL, TRUE);

  cli_set_up_secrets (f);
  for (guint attempt = 1; attempt <= 3; attempt++)
    {
      g_assert_cmpint (cli_run (f, NULL, NULL, once), ==, 1);
      if (attempt < 3)
        {
          g_assert_cmpuint (n.added->len, ==, 0);
          make_retries_due (f);
        }
    }

  /* The bus delivers the call after the child has flushed it. */
  for (guint i = 0; i < 1000 && n.added->len == 0; i++)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (n.added->len, ==, 1);
  sent = g_ptr_array_index (n.added, 0);
  g_assert_true (g_str_has_prefix (sent, APPLICATION_ID " flagged-summary "));
  for (guint i = 0; i < appointments->len; i++)
    {
      const CsAppointment *a = ((CsSimAppointment *) g_ptr_array_index (appointments, i))->appointment;

      g_assert_true (a->customer_name == NULL || strstr (sent, a->customer_name) == NULL);
    }

  /* The same flags, checked again: no second notification. */
  g_assert_cmpint (cli_run (f, NULL, NULL, once), ==, 1);
  for (guint i = 0; i < 100; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (n.added->len, ==, 1);

  g_bus_unown_name (owner);
  g_dbus_connection_unregister_object (bus, registration);
  g_ptr_array_unref (n.added);
}

static void
test_once_unreachable (CliFixture    *f,
                       gconstpointer  data)
{
  const char *once[] = { "--once", NULL };

  cli_set_up_secrets (f);
  cs_sim_server_stop (f->sim);

  /* Could not verify: exit 2. */
  g_assert_cmpint (cli_run (f, NULL, NULL, once), ==, 2);
}

static void
test_once_rate_limited (CliFixture    *f,
                        gconstpointer  data)
{
  const char *once[] = { "--once", "--json", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  JsonObject *report, *error;
  CsTime retry_at = CS_TIME_UNSET;
  CsSimFaults faults;

  cli_set_up_secrets (f);

  /* Cal.com answers every request 429 with an hour's Retry-After. The run
   * has five minutes (the default check-time-limit): it ends at once, and
   * that it ends within cli_run()'s bound at all is the proof. */
  cs_sim_faults_init (&faults);
  faults.storm_429 = 1000;
  faults.storm_retry_after = 3600;
  cs_sim_server_set_faults (f->sim, CS_SIM_SERVICE_CALCOM, &faults);

  g_assert_cmpint (cli_run (f, NULL, &out, once), ==, 2);
  report = cli_parse_object (out, parser);
  g_assert_false (json_object_get_boolean_member (report, "ok"));
  error = json_object_get_object_member (report, "error");
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "rate_limited");
  g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), "wait until"));

  /* The time Cal.com asked for, beyond the run's deadline: the next
   * check's time, for a script to schedule. */
  g_assert_true (cs_time_parse_iso8601 (json_object_get_string_member (error, "retry_at"),
                                        &retry_at));
  g_assert_cmpint (retry_at, >, g_get_real_time () + 300 * CS_USEC_PER_SECOND);
  g_assert_cmpint (cs_sim_server_get_service_request_count (f->sim, CS_SIM_SERVICE_CALCOM), ==, 1);
}

static void
test_not_set_up (CliFixture    *f,
                 gconstpointer  data)
{
  const char *once[] = { "--once", NULL };
  const char *bad_url[] = { "--calcom-url", "http://cal.example.com/v2", NULL };
  const char *no_url[] = { "--set-secret", "backend", NULL };

  g_assert_cmpint (cli_run (f, NULL, NULL, once), ==, 2);
  /* An insecure address is a wrong command line: nothing is saved. */
  g_assert_cmpint (cli_run (f, NULL, NULL, bad_url), ==, 64);
  g_assert_cmpint (cli_run (f, "secret", NULL, no_url), ==, 1);
}

static void
test_action (CliFixture    *f,
             gconstpointer  data)
{
  const char *once[] = { "--once", "--json", NULL };
  const char *bogus[] = { "--action", "frobnicate", "--appointment", "1", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *id = NULL;
  JsonArray *issues;

  cli_set_up_secrets (f);
  g_assert_cmpint (cli_run (f, NULL, &out, once), ==, 1);
  issues = json_object_get_array_member (cli_parse_object (out, parser), "issues");
  for (guint i = 0; i < json_array_get_length (issues) && id == NULL; i++)
    {
      JsonObject *issue = json_array_get_object_element (issues, i);

      if (!json_object_get_null_member (issue, "appointment_id"))
        id = g_strdup_printf ("%" G_GINT64_FORMAT,
                              json_object_get_int_member (issue, "appointment_id"));
    }
  g_assert_nonnull (id);

  {
    const char *resolve[] = { "--action", "mark_resolved", "--appointment", id,
                              "--note", "Kunde angerufen", NULL };

    /* A local decision, its audit entry sent before the program ends. */
    g_assert_cmpint (cli_run (f, NULL, NULL, resolve), ==, 0);
    g_assert_cmpuint (cs_sim_server_get_audit_keys (f->sim)->len, ==, 1);
  }

  g_assert_cmpint (cli_run (f, NULL, NULL, bogus), ==, 64);
}

/* What the child's cache holds, read between two runs of the child. */
static CsStore *
open_child_store (CliFixture *f)
{
  g_autofree char *path = g_build_filename (f->home, "data", "calsync", "cache.sqlite3", NULL);
  g_autoptr(GError) error = NULL;
  CsStore *store;

  store = cs_store_open (path, &error);
  g_assert_no_error (error);
  cs_store_set_company_id (store, CS_SIM_DEFAULT_COMPANY_ID);

  return store;
}

/* The local audit entry of the one @action in the child's cache. */
static CsAuditEntry *
child_audit_entry (CliFixture *f,
                   const char *action)
{
  g_autoptr(CsStore) store = open_child_store (f);
  g_autoptr(GPtrArray) unsent = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *lists[2];
  CsAuditEntry *found = NULL;

  /* Unsent ones, and pending ones (which are unsent too); a sent entry is
   * looked up by the key the caller knows. */
  unsent = cs_store_list_unsent_audit_entries (store, &error);
  g_assert_no_error (error);
  pending = cs_store_list_pending_audit (store, &error);
  g_assert_no_error (error);
  lists[0] = unsent;
  lists[1] = pending;
  for (guint l = 0; l < G_N_ELEMENTS (lists) && found == NULL; l++)
    for (guint i = 0; i < lists[l]->len && found == NULL; i++)
      {
        CsAuditEntry *entry = g_ptr_array_index (lists[l], i);

        if (g_strcmp0 (entry->action, action) == 0)
          found = cs_audit_entry_copy (entry);
      }

  return found;
}

static CsAuditEntry *
child_audit_entry_by_key (CliFixture *f,
                          const char *key)
{
  g_autoptr(CsStore) store = open_child_store (f);
  g_autoptr(GError) error = NULL;
  CsAuditEntry *entry;

  entry = cs_store_get_audit_entry (store, key, &error);
  g_assert_no_error (error);

  return entry;
}

static CsAppointment *
child_appointment (CliFixture *f,
                   gint64   id)
{
  g_autoptr(CsStore) store = open_child_store (f);
  g_autoptr(GError) error = NULL;
  CsAppointment *appointment;

  appointment = cs_store_get_appointment (store, id, &error);
  g_assert_no_error (error);

  return appointment;
}

/* The CRM's audit entries with @key. */
static guint
count_remote_audit (CliFixture *f,
                    const char *key,
                    const char *result)
{
  GPtrArray *entries = cs_sim_server_get_audit_entries (f->sim);
  guint n = 0;

  for (guint i = 0; i < entries->len; i++)
    {
      JsonObject *entry = g_ptr_array_index (entries, i);

      if (g_strcmp0 (json_object_get_string_member (entry, "key"), key) == 0)
        {
          g_assert_cmpstr (json_object_get_string_member (entry, "result"), ==, result);
          n++;
        }
    }

  return n;
}

static gboolean
bookable (CsSimDataset        *dataset,
          const CsAppointment *a)
{
  const CsSimEventType *type = cs_sim_lookup_event_type (a->calcom_event_type_id);

  return type != NULL && a->customer_email != NULL &&
         a->starts_at > g_get_real_time () + CS_USEC_PER_DAY &&
         cs_sim_within_opening_hours (a->starts_at,
                                      a->starts_at + type->minutes * CS_USEC_PER_MINUTE) &&
         cs_sim_dataset_find_active_booking (dataset, type->id, a->starts_at, NULL) == NULL;
}

/* A first check; then the id of an appointment the check found with
 * @error_code, or with @status and one that Cal.com would book, as text. */
static char *
check_and_pick (CliFixture *f,
                const char *status,
                const char *error_code)
{
  const char *once[] = { "--once", "--json", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  CsSimDataset *dataset = cs_sim_server_get_dataset (f->sim);
  JsonArray *issues;

  g_assert_cmpint (cli_run (f, NULL, &out, once), ==, 1);
  issues = json_object_get_array_member (cli_parse_object (out, parser), "issues");
  for (guint i = 0; i < json_array_get_length (issues); i++)
    {
      JsonObject *issue = json_array_get_object_element (issues, i);
      CsSimAppointment *row;
      gint64 id;

      if (json_object_get_null_member (issue, "appointment_id") ||
          (status != NULL && g_strcmp0 (json_object_get_string_member (issue, "status"),
                                        status) != 0) ||
          (error_code != NULL &&
           (json_object_get_null_member (issue, "error_code") ||
            g_strcmp0 (json_object_get_string_member (issue, "error_code"), error_code) != 0)))
        continue;

      /* One Cal.com would book: with an event type and an e-mail, a day
       * ahead at least, in the opening hours, on a free slot. */
      id = json_object_get_int_member (issue, "appointment_id");
      row = cs_sim_dataset_lookup_appointment (dataset, id);
      if (row != NULL && (error_code != NULL || bookable (dataset, row->appointment)))
        return g_strdup_printf ("%" G_GINT64_FORMAT, id);
    }

  g_assert_not_reached ();
}

static void
set_down (CliFixture   *f,
          CsSimService  service)
{
  CsSimFaults faults;

  cs_sim_faults_init (&faults);
  faults.force_status = 503;
  cs_sim_server_set_faults (f->sim, service, &faults);
}

/* `--action --json`'s one object: the outcome first, then `queued`. */
static JsonObject *
parse_action (const char *out,
              JsonParser *parser)
{
  JsonObject *object = cli_parse_object (out, parser);

  g_assert_true (json_object_has_member (object, "ok"));
  g_assert_true (json_object_has_member (object, "error"));
  g_assert_true (json_object_has_member (object, "queued"));
  g_assert_true (json_object_has_member (object, "key"));
  g_assert_true (json_object_has_member (object, "message"));

  return object;
}

/* The CRM answers 503: the click is kept and said so (exit 0, "queued"),
 * nothing reaches the CRM yet, and the next `--once` delivers the audit
 * entry, once. */
static void
test_action_kept_while_crm_down (CliFixture    *f,
                                 gconstpointer  data)
{
  const char *once[] = { "--once", "--json", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(CsAuditEntry) entry = NULL;
  g_autoptr(CsAppointment) appointment = NULL;
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *key = NULL;
  JsonObject *result;

  cli_set_up_secrets (f);
  id = check_and_pick (f, "orphaned_local", NULL);

  {
    /* An action while the CRM answers: it names the role. */
    const char *retry[] = { "--action", "retry", "--appointment", id, NULL };

    g_assert_cmpint (cli_run (f, NULL, NULL, retry), ==, 0);
  }

  set_down (f, CS_SIM_SERVICE_BACKEND);
  {
    const char *resolve[] = { "--action", "mark_resolved", "--appointment", id,
                              "--note", "Kunde angerufen", "--json", NULL };
    guint n_audit = cs_sim_server_get_audit_entries (f->sim)->len;

    g_assert_cmpint (cli_run (f, NULL, &out, resolve), ==, 0);
    result = parse_action (out, parser);
    g_assert_true (json_object_get_boolean_member (result, "ok"));
    g_assert_true (json_object_get_null_member (result, "error"));
    g_assert_true (json_object_get_boolean_member (result, "queued"));
    g_assert_cmpstr (json_object_get_string_member (result, "action"), ==, "mark_resolved");
    g_assert_cmpstr (json_object_get_string_member (result, "message"), ==,
                     "Marked as resolved. Saved; it will be sent when the CRM answers again.");
    key = g_strdup (json_object_get_string_member (result, "key"));
    g_assert_cmpuint (cs_sim_server_get_audit_entries (f->sim)->len, ==, n_audit);
  }

  /* Kept: the decision, and the entry waiting for the CRM. */
  entry = child_audit_entry_by_key (f, key);
  g_assert_cmpstr (entry->result, ==, "ok");
  g_assert_cmpint (entry->uploaded_at, ==, CS_TIME_UNSET);
  appointment = child_appointment (f, g_ascii_strtoll (id, NULL, 10));
  g_assert_cmpstr (appointment->resolution, ==, "mark_resolved");

  /* Said in German too. */
  {
    const char *dismiss[] = { "--action", "dismiss", "--appointment", id, NULL };
    g_autofree char *german = NULL;

    g_assert_cmpint (cli_run_full (f, "de", NULL, &german, NULL, dismiss), ==, 0);
    g_assert_nonnull (strstr (german, "Gespeichert; es wird gesendet, sobald das CRM wieder "
                                      "antwortet."));
  }

  /* The CRM answers again; the next process delivers it, once. */
  cs_sim_server_clear_faults (f->sim, CS_SIM_SERVICE_BACKEND);
  g_assert_cmpint (cli_run (f, NULL, NULL, once), ==, 1);
  g_assert_cmpuint (count_remote_audit (f, key, "ok"), ==, 1);
  g_clear_pointer (&entry, cs_audit_entry_free);
  entry = child_audit_entry_by_key (f, key);
  g_assert_cmpint (entry->uploaded_at, !=, CS_TIME_UNSET);

  g_assert_cmpint (cli_run (f, NULL, NULL, once), ==, 1);
  g_assert_cmpuint (count_remote_audit (f, key, "ok"), ==, 1);
}

/* Cal.com fails: "create in Cal.com" is kept and says so, never
 * "Booked"; the CRM gets no audit entry for a booking that does not exist.
 * The next `--once` books it, and then the CRM gets the entry, `ok`, once. */
static void
test_action_create_waits_for_calcom (CliFixture    *f,
                                     gconstpointer  data)
{
  const char *once[] = { "--once", "--json", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(CsAuditEntry) entry = NULL;
  g_autoptr(CsAppointment) appointment = NULL;
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *key = NULL;
  JsonObject *result;
  GPtrArray *created;

  cli_set_up_secrets (f);
  id = check_and_pick (f, "orphaned_local", NULL);

  set_down (f, CS_SIM_SERVICE_CALCOM);
  {
    const char *create[] = { "--action", "create_in_calcom", "--appointment", id, "--json",
                             NULL };

    g_assert_cmpint (cli_run (f, NULL, &out, create), ==, 0);
  }
  result = parse_action (out, parser);
  g_assert_true (json_object_get_boolean_member (result, "ok"));
  g_assert_true (json_object_get_boolean_member (result, "queued"));
  g_assert_cmpstr (json_object_get_string_member (result, "message"), ==,
                   "Saved; it will be sent when Cal.com answers again.");
  g_assert_null (strstr (out, "Booked"));
  key = g_strdup (json_object_get_string_member (result, "key"));
  g_assert_cmpuint (count_remote_audit (f, key, "ok"), ==, 0);
  g_assert_cmpuint (cs_sim_server_get_created_bookings (f->sim)->len, ==, 0);
  entry = child_audit_entry_by_key (f, key);
  g_assert_cmpstr (entry->result, ==, "pending");

  /* Cal.com answers again: the next process books it and tells the CRM. */
  cs_sim_server_clear_faults (f->sim, CS_SIM_SERVICE_CALCOM);
  cli_run (f, NULL, NULL, once);
  created = cs_sim_server_get_created_bookings (f->sim);
  g_assert_cmpuint (created->len, ==, 1);
  g_assert_cmpuint (count_remote_audit (f, key, "ok"), ==, 1);
  g_clear_pointer (&entry, cs_audit_entry_free);
  entry = child_audit_entry_by_key (f, key);
  g_assert_cmpstr (entry->result, ==, "ok");
  g_assert_cmpint (entry->uploaded_at, !=, CS_TIME_UNSET);
  appointment = child_appointment (f, g_ascii_strtoll (id, NULL, 10));
  g_assert_cmpstr (appointment->resolution, ==, "create_in_calcom");
  g_assert_cmpstr (appointment->calcom_booking_uid, ==, g_ptr_array_index (created, 0));

  cli_run (f, NULL, NULL, once);
  g_assert_cmpuint (cs_sim_server_get_created_bookings (f->sim)->len, ==, 1);
  g_assert_cmpuint (count_remote_audit (f, key, "ok"), ==, 1);
}

/* Starts calsync with @args and kills it (SIGKILL) once the simulator holds
 * @n_held answers: the child is then in the middle of that write. */
static void
run_calsync_until_held (CliFixture         *f,
                        guint               n_held,
                        const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  g_ptr_array_add (argv, (gpointer) g_getenv ("CALSYNC_BIN"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = cli_launcher_new (f, NULL, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  while (cs_sim_server_get_n_held (f->sim) < n_held && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (cs_sim_server_get_n_held (f->sim), ==, n_held);

  g_subprocess_force_exit (process);
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (process));
}

/* The PATCH requests to @path, each with its Idempotency-Key. */
static GPtrArray *
write_keys (CliFixture *f,
            const char *method,
            const char *path)
{
  GPtrArray *requests = cs_sim_server_get_requests (f->sim);
  GPtrArray *keys = g_ptr_array_new ();

  for (guint i = 0; i < requests->len; i++)
    {
      const CsSimRequest *r = g_ptr_array_index (requests, i);

      if (g_strcmp0 (r->method, method) == 0 && g_strcmp0 (r->path, path) == 0)
        g_ptr_array_add (keys, (gpointer) soup_message_headers_get_one (r->headers,
                                                                        "Idempotency-Key"));
    }

  return keys;
}

/* Killed in the middle of an action's write, then in the middle of its
 * audit upload: the next processes finish both. The CRM does the write once
 * (one idempotency key however often it came), gets the audit entry once
 * with the right result, and the local decision is kept throughout. */
static void
test_action_killed_mid_write (CliFixture    *f,
                              gconstpointer  data)
{
  const char *once[] = { "--once", NULL };
  g_autoptr(CsAuditEntry) entry = NULL;
  g_autoptr(CsAppointment) appointment = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *key = NULL;

  cli_set_up_secrets (f);
  id = check_and_pick (f, NULL, "DATA_MISMATCH");
  path = g_strdup_printf ("/api/v1/appointments/%s", id);

  /* 1. Killed while the CRM holds the answer to the PATCH (done there). */
  cs_sim_server_hold_next_answer (f->sim, "PATCH", path);
  {
    const char *use[] = { "--action", "use_calcom_values", "--appointment", id, NULL };

    run_calsync_until_held (f, 1, use);
  }
  g_assert_nonnull (cs_sim_server_get_patch (f->sim, g_ascii_strtoll (id, NULL, 10)));
  entry = child_audit_entry (f, "use_calcom_values");
  g_assert_nonnull (entry);
  g_assert_cmpstr (entry->result, ==, "pending");
  key = g_strdup (entry->key);
  appointment = child_appointment (f, g_ascii_strtoll (id, NULL, 10));
  g_assert_cmpstr (appointment->resolution, ==, "use_calcom_values");
  g_assert_cmpuint (count_remote_audit (f, key, "ok"), ==, 0);

  /* 2. The next process replays the write, settles the entry, and is
   * killed while the CRM holds the answer to the upload (taken there). */
  cs_sim_server_hold_next_answer (f->sim, "POST", "/api/v1/audit-log");
  run_calsync_until_held (f, 2, once);
  g_clear_pointer (&entry, cs_audit_entry_free);
  entry = child_audit_entry_by_key (f, key);
  g_assert_cmpstr (entry->result, ==, "ok");
  g_assert_cmpint (entry->uploaded_at, ==, CS_TIME_UNSET);
  g_assert_cmpuint (count_remote_audit (f, key, "ok"), ==, 1);

  /* 3. The next process sends the upload again; the CRM keeps one. */
  cli_run (f, NULL, NULL, once);
  g_assert_cmpuint (count_remote_audit (f, key, "ok"), ==, 1);
  g_clear_pointer (&entry, cs_audit_entry_free);
  entry = child_audit_entry_by_key (f, key);
  g_assert_cmpint (entry->uploaded_at, !=, CS_TIME_UNSET);

  /* The write came twice with one key: done once. */
  keys = write_keys (f, "PATCH", path);
  g_assert_cmpuint (keys->len, ==, 2);
  g_assert_nonnull (g_ptr_array_index (keys, 0));
  g_assert_cmpstr (g_ptr_array_index (keys, 0), ==, g_ptr_array_index (keys, 1));

  g_clear_pointer (&appointment, cs_appointment_free);
  appointment = child_appointment (f, g_ascii_strtoll (id, NULL, 10));
  g_assert_cmpstr (appointment->resolution, ==, "use_calcom_values");
}

/* Killed while Cal.com holds the answer to the create (booked there): the
 * next process lists first and links that booking (one booking), and the
 * CRM gets the audit entry once, `ok`. */
static void
test_action_killed_mid_create (CliFixture    *f,
                               gconstpointer  data)
{
  const char *once[] = { "--once", NULL };
  g_autoptr(CsAuditEntry) entry = NULL;
  g_autoptr(CsAppointment) appointment = NULL;
  g_autofree char *id = NULL;
  g_autofree char *key = NULL;
  GPtrArray *created;

  cli_set_up_secrets (f);
  id = check_and_pick (f, "orphaned_local", NULL);

  cs_sim_server_hold_next_answer (f->sim, "POST", "/v2/bookings");
  {
    const char *create[] = { "--action", "create_in_calcom", "--appointment", id, NULL };

    run_calsync_until_held (f, 1, create);
  }
  g_assert_cmpuint (cs_sim_server_get_created_bookings (f->sim)->len, ==, 1);
  entry = child_audit_entry (f, "create_in_calcom");
  g_assert_nonnull (entry);
  g_assert_cmpstr (entry->result, ==, "pending");
  key = g_strdup (entry->key);

  cli_run (f, NULL, NULL, once);

  created = cs_sim_server_get_created_bookings (f->sim);
  g_assert_cmpuint (created->len, ==, 1);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_CALCOM_CREATE), ==, 1);
  g_assert_cmpuint (count_remote_audit (f, key, "ok"), ==, 1);
  g_clear_pointer (&entry, cs_audit_entry_free);
  entry = child_audit_entry_by_key (f, key);
  g_assert_cmpstr (entry->result, ==, "ok");
  appointment = child_appointment (f, g_ascii_strtoll (id, NULL, 10));
  g_assert_cmpstr (appointment->resolution, ==, "create_in_calcom");
  g_assert_cmpstr (appointment->calcom_booking_uid, ==, g_ptr_array_index (created, 0));
}

static void
test_help_in_german (CliFixture    *f,
                     gconstpointer  data)
{
  const char *help[] = { "--help", NULL };
  const char *once[] = { "--once", NULL };
  g_autofree char *out = NULL;

  g_assert_cmpint (cli_run_full (f, "de", NULL, &out, NULL, help), ==, 0);
  g_assert_nonnull (strstr (out, "Eine vollständige Prüfung ausführen"));
  g_assert_nonnull (strstr (out, "Calsync hält die Termine"));
  g_assert_nonnull (strstr (out, "Exit-Codes:"));
  g_clear_pointer (&out, g_free);

  /* A usage error, and a missing set-up with its command. */
  {
    const char *dry_run[] = { "--dry-run", NULL };
    g_autofree char *err = NULL;
    g_autofree char *once_err = NULL;

    g_assert_cmpint (cli_run_full (f, "de", NULL, NULL, &err, dry_run), ==, 64);
    g_assert_nonnull (strstr (err, "--dry-run geht nur zusammen mit --once."));
    g_assert_cmpint (cli_run_full (f, "de", NULL, NULL, &once_err, once), ==, 2);
    g_assert_nonnull (strstr (once_err, "Setzen Sie sie mit: calsync --backend-url"));
  }

}

static void
test_demo (CliFixture    *f,
           gconstpointer  data)
{
  const char *demo[] = { "--demo", "--once", "--json", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  JsonArray *issues;

  g_assert_cmpint (cli_run (f, NULL, &out, demo), ==, 1);
  issues = json_object_get_array_member (cli_parse_object (out, parser), "issues");
  g_assert_cmpuint (json_array_get_length (issues), >, 0);
}

/* Exit 64 and a sentence on stderr for every command line that would
 * otherwise be ignored in part or misread; with --json, one JSON document
 * on stdout too. Nothing is done: the settings stay unwritten. */
static void
test_usage_errors (CliFixture    *f,
                   gconstpointer  data)
{
  static const char * const cases[][8] = {
    { "--appointment", "5", NULL },
    { "--booking", "uid-1", NULL },
    { "--note", "hello", NULL },
    { "--until", "2026-12-01T09:00:00+01:00", NULL },
    { "--status", "--dry-run", NULL },
    { "--dry-run", NULL },
    { "--accept-suspect", NULL },
    { "--once", "--dry-run", "--accept-suspect", NULL },
    { "--json", NULL },
    { "--check-cache", "--json", NULL },
    { "--once", "--status", NULL },
    { "--once", "--background", NULL },
    { "--status", "--action", "retry", "--appointment", "5", NULL },
    { "--version", "--once", NULL },
    { "--demo", "--status", NULL },
    { "--demo", "--once", "--accept-suspect", NULL },
    { "--demo", "--calcom-url", "https://api.cal.com/v2", NULL },
    { "--action", "retry", NULL },
    { "--action", "frobnicate", "--appointment", "5", NULL },
    { "--action", "retry", "--appointment", "0", NULL },
    { "--action", "snooze", "--appointment", "5", NULL },
    { "--action", "retry", "--appointment", "5", "--until", "2026-12-01T09:00:00+01:00", NULL },
    { "--action", "snooze", "--appointment", "5", "--until", "tomorrow", NULL },
    { "--set-secret", "gmail", NULL },
    { "--calcom-url", "http://cal.example.com/v2", "--backend-url", "https://crm.example.com",
      NULL },
    { "--calcom-url", "not an address", NULL },
    { "--frobnicate", NULL },
    { "--appointment", "five", "--action", "retry", NULL },
    { "stray", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) with_json = g_ptr_array_new ();
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *json_out = NULL;
      g_autofree char *json_err = NULL;
      g_autofree char *line = g_strjoinv (" ", (char **) cases[i]);
      JsonObject *report, *error;

      g_test_message ("calsync %s", line);
      g_assert_cmpint (cli_run_full (f, NULL, NULL, &out, &err, cases[i]), ==, 64);
      if (!g_strv_contains (cases[i], "--json"))
        g_assert_cmpstr (out, ==, "");
      g_assert_true (g_str_has_prefix (err, "calsync: "));
      g_assert_nonnull (strstr (err, "calsync --help"));

      /* The same with --json (where it is not the point of the case). */
      for (guint j = 0; cases[i][j] != NULL; j++)
        g_ptr_array_add (with_json, (gpointer) cases[i][j]);
      if (!g_strv_contains (cases[i], "--json"))
        g_ptr_array_add (with_json, (gpointer) "--json");
      g_ptr_array_add (with_json, NULL);
      g_assert_cmpint (cli_run_full (f, NULL, NULL, &json_out, &json_err,
                                     (const char * const *) with_json->pdata), ==, 64);
      report = cli_parse_object (json_out, parser);
      g_assert_false (json_object_get_boolean_member (report, "ok"));
      error = json_object_get_object_member (report, "error");
      g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "usage");
      g_assert_true (strstr (json_err, json_object_get_string_member (error, "message")) != NULL);
    }

  g_assert_null (cli_get_setting (f, "calcom-url"));
  g_assert_null (cli_get_setting (f, "backend-url"));
}

/* The README's first line: both addresses, each saved. */
static void
test_both_addresses (CliFixture    *f,
                     gconstpointer  data)
{
  const char *both[] = { "--calcom-url", f->calcom_url, "--backend-url", f->backend_url, NULL };
  const char *calcom_secret[] = { "--set-secret", "calcom", NULL };
  const char *backend_secret[] = { "--set-secret", "backend", NULL };
  const char *once[] = { "--once", NULL };
  g_autofree char *calcom = NULL;
  g_autofree char *backend = NULL;

  g_assert_cmpint (cli_run (f, NULL, NULL, both), ==, 0);
  calcom = cli_get_setting (f, "calcom-url");
  backend = cli_get_setting (f, "backend-url");
  g_assert_cmpstr (calcom, ==, f->calcom_url);
  g_assert_cmpstr (backend, ==, f->backend_url);

  /* The keys then need no address beside them, and the check runs. */
  g_assert_cmpint (cli_run (f, cs_sim_server_get_calcom_api_key (f->sim), NULL, calcom_secret),
                   ==, 0);
  g_assert_cmpint (cli_run (f, cs_sim_server_get_backend_token (f->sim), NULL, backend_secret),
                   ==, 0);
  g_assert_cmpint (cli_run (f, NULL, NULL, once), ==, 1);
}

/* --background with addresses saves them and then serves (it used to
 * exit at once); it stays until it is told to quit. */
static void
test_background_with_addresses (CliFixture    *f,
                                gconstpointer  data)
{
  const char *background[] = { "--background", "--calcom-url", f->calcom_url,
                               "--backend-url", f->backend_url, NULL };
  g_autofree char *calcom = NULL;
  g_autofree char *backend = NULL;

  g_assert_cmpint (cli_run_service (f, background), ==, 0);
  calcom = cli_get_setting (f, "calcom-url");
  backend = cli_get_setting (f, "backend-url");
  g_assert_cmpstr (calcom, ==, f->calcom_url);
  g_assert_cmpstr (backend, ==, f->backend_url);
}

static JsonObject *
assert_json_error (const char *out,
                   JsonParser *parser,
                   const char *code)
{
  JsonObject *report = cli_parse_object (out, parser);

  g_assert_false (json_object_get_boolean_member (report, "ok"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (report, "error"),
                                                  "code"), ==, code);
  g_assert_true (json_object_has_member (report, "warnings"));
  return json_object_get_object_member (report, "error");
}

/* With --json, stdout holds one JSON document whatever happens: an empty
 * cache, a missing set-up, an action. */
static void
test_json_always (CliFixture    *f,
                  gconstpointer  data)
{
  const char *status[] = { "--status", "--json", NULL };
  const char *once[] = { "--once", "--json", NULL };
  const char *action_fails[] = { "--action", "retry", "--appointment", "1", "--json", NULL };
  g_autoptr(JsonParser) p1 = json_parser_new ();
  g_autoptr(JsonParser) p2 = json_parser_new ();
  g_autoptr(JsonParser) p3 = json_parser_new ();
  g_autoptr(JsonParser) p4 = json_parser_new ();
  g_autoptr(JsonParser) p5 = json_parser_new ();
  g_autofree char *out1 = NULL, *out2 = NULL, *out3 = NULL, *out4 = NULL, *out5 = NULL;
  g_autofree char *err = NULL;
  g_autofree char *id = NULL;
  JsonObject *error, *report;
  JsonArray *issues;

  /* Nothing checked yet. */
  g_assert_cmpint (cli_run_full (f, NULL, NULL, &out1, &err, status), ==, 2);
  error = assert_json_error (out1, p1, "no_check_yet");
  g_assert_nonnull (strstr (err, json_object_get_string_member (error, "message")));

  /* Not set up (Cal.com has a default address, the CRM none): the option
   * that fixes it, not the window's Preferences. */
  g_assert_cmpint (cli_run (f, NULL, &out2, once), ==, 2);
  error = assert_json_error (out2, p2, "not_set_up");
  g_assert_nonnull (strstr (json_object_get_string_member (error, "message"),
                            "calsync --backend-url"));
  g_assert_null (strstr (json_object_get_string_member (error, "message"), "Preferences"));
  g_assert_cmpint (cli_run (f, NULL, &out3, action_fails), ==, 2);
  error = assert_json_error (out3, p3, "not_set_up");

  /* Set up and checked: an action's outcome. */
  cli_set_up_secrets (f);
  g_assert_cmpint (cli_run (f, NULL, &out4, once), ==, 1);
  issues = json_object_get_array_member (cli_parse_object (out4, p4), "issues");
  for (guint i = 0; i < json_array_get_length (issues) && id == NULL; i++)
    {
      JsonObject *issue = json_array_get_object_element (issues, i);

      if (!json_object_get_null_member (issue, "appointment_id"))
        id = g_strdup_printf ("%" G_GINT64_FORMAT,
                              json_object_get_int_member (issue, "appointment_id"));
    }
  g_assert_nonnull (id);

  {
    const char *resolve[] = { "--action", "mark_resolved", "--appointment", id, "--note", "ok",
                              "--json", NULL };

    g_assert_cmpint (cli_run (f, NULL, &out5, resolve), ==, 0);
    report = cli_parse_object (out5, p5);
    g_assert_true (json_object_get_boolean_member (report, "ok"));
    g_assert_true (json_object_get_null_member (report, "error"));
    g_assert_cmpstr (json_object_get_string_member (report, "action"), ==, "mark_resolved");
    g_assert_cmpint (json_object_get_int_member (report, "appointment_id"), ==,
                     g_ascii_strtoll (id, NULL, 10));
    g_assert_nonnull (json_object_get_string_member (report, "message"));
  }
}

/* Which secret is missing, and the command that stores it. */
static void
test_missing_secret_named (CliFixture    *f,
                           gconstpointer  data)
{
  const char *calcom[] = { "--calcom-url", f->calcom_url, "--backend-url", f->backend_url,
                           "--set-secret", "calcom", NULL };
  const char *once[] = { "--once", NULL };
  g_autofree char *err = NULL;

  g_assert_cmpint (cli_run (f, cs_sim_server_get_calcom_api_key (f->sim), NULL, calcom), ==, 0);
  g_assert_cmpint (cli_run_full (f, NULL, NULL, NULL, &err, once), ==, 2);
  g_assert_nonnull (strstr (err, "The CRM access token is missing"));
  g_assert_nonnull (strstr (err, "calsync --set-secret backend < crm-token.txt"));
  g_assert_null (strstr (err, "Cal.com API key"));
  g_assert_null (strstr (err, "Preferences"));
}

/* A key the server rejects: the command that stores a valid one, on the
 * command line, for the service that rejected it. */
static void
test_rejected_key_named (CliFixture    *f,
                         gconstpointer  data)
{
  const char *calcom[] = { "--calcom-url", f->calcom_url, "--set-secret", "calcom", NULL };
  const char *backend[] = { "--backend-url", f->backend_url, "--set-secret", "backend", NULL };
  const char *once[] = { "--once", "--json", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonObject *error;

  g_assert_cmpint (cli_run (f, "cal_live_not_this_one", NULL, calcom), ==, 0);
  g_assert_cmpint (cli_run (f, cs_sim_server_get_backend_token (f->sim), NULL, backend), ==, 0);

  g_assert_cmpint (cli_run_full (f, NULL, NULL, &out, &err, once), ==, 2);
  error = assert_json_error (out, parser, "unauthorized");
  g_assert_cmpstr (json_object_get_string_member (error, "message"), ==,
                   "Cal.com rejected the API key. Store a valid one with: "
                   "calsync --set-secret calcom < calcom-key.txt");
  g_assert_nonnull (strstr (err, "calsync --set-secret calcom"));
  g_assert_null (strstr (err, "Preferences"));
}

/* "Cannot GET /bookings" becomes what to change. */
static void
test_calcom_address_without_version (CliFixture    *f,
                                     gconstpointer  data)
{
  g_autofree char *bare = g_strndup (f->calcom_url, strlen (f->calcom_url) - strlen ("/v2"));
  const char *calcom[] = { "--calcom-url", bare, "--set-secret", "calcom", NULL };
  const char *backend[] = { "--backend-url", f->backend_url, "--set-secret", "backend", NULL };
  const char *once[] = { "--once", "--json", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonObject *error;

  g_assert_true (g_str_has_suffix (f->calcom_url, "/v2"));
  g_assert_cmpint (cli_run (f, cs_sim_server_get_calcom_api_key (f->sim), NULL, calcom), ==, 0);
  g_assert_cmpint (cli_run (f, cs_sim_server_get_backend_token (f->sim), NULL, backend), ==, 0);

  g_assert_cmpint (cli_run_full (f, NULL, NULL, &out, &err, once), ==, 2);
  error = assert_json_error (out, parser, "not_found");
  g_assert_cmpstr (json_object_get_string_member (error, "message"), ==,
                   "The Cal.com address should end in /v2 (e.g. https://api.cal.com/v2).");
  g_assert_nonnull (strstr (err, "should end in /v2"));
  g_assert_null (strstr (err, "Cannot GET"));
}

static void
damage_cache (CliFixture *f)
{
  g_autofree char *path = g_build_filename (f->home, "data", "calsync", "cache.sqlite3", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *garbage = g_strnfill (8192, 'x');

  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  g_unlink (wal);
  g_unlink (shm);
  g_file_set_contents (path, garbage, -1, &error);
  g_assert_no_error (error);
}

/* A damaged cache is said on every command; --status has no figures to
 * show then (its zeros would read as the truth). */
static void
test_damaged_cache (CliFixture    *f,
                    gconstpointer  data)
{
  const char *once[] = { "--once", "--json", NULL };
  const char *status[] = { "--status", "--json", NULL };
  const char *status_text[] = { "--status", NULL };
  g_autoptr(JsonParser) p1 = json_parser_new ();
  g_autoptr(JsonParser) p2 = json_parser_new ();
  g_autofree char *out1 = NULL, *out2 = NULL, *out3 = NULL;
  g_autofree char *err1 = NULL, *err2 = NULL, *err3 = NULL;
  JsonObject *error, *report, *warning;
  JsonArray *warnings;

  cli_set_up_secrets (f);
  g_assert_cmpint (cli_run (f, NULL, NULL, once), ==, 1);

  damage_cache (f);
  g_assert_cmpint (cli_run_full (f, NULL, NULL, &out1, &err1, status), ==, 2);
  error = assert_json_error (out1, p1, "cache_rebuilt");
  g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), "damaged"));
  g_assert_nonnull (strstr (err1, "damaged"));

  /* Rebuilt and empty: no figures until a check. */
  g_assert_cmpint (cli_run_full (f, NULL, NULL, &out3, &err3, status_text), ==, 2);
  g_assert_cmpstr (out3, ==, "");
  g_assert_nonnull (strstr (err3, "No check has run yet"));

  /* --once checks anyway, and says it in its warnings. */
  damage_cache (f);
  g_assert_cmpint (cli_run_full (f, NULL, NULL, &out2, &err2, once), ==, 1);
  g_assert_nonnull (strstr (err2, "damaged"));
  report = cli_parse_object (out2, p2);
  g_assert_true (json_object_get_boolean_member (report, "ok"));
  warnings = json_object_get_array_member (report, "warnings");
  g_assert_cmpuint (json_array_get_length (warnings), ==, 1);
  warning = json_array_get_object_element (warnings, 0);
  g_assert_cmpstr (json_object_get_string_member (warning, "code"), ==, "cache_rebuilt");
  g_assert_nonnull (strstr (json_object_get_string_member (warning, "message"), "damaged"));
}

/* Counts in words (one request, never "1 requests"); the other
 * company's rows in the report, not a log line on every run. */
static void
test_report_words (CliFixture    *f,
                   gconstpointer  data)
{
  const char *once[] = { "--once", NULL };
  const char *once_json[] = { "--once", "--json", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GRegex) wrong = g_regex_new ("(^|[^0-9.,])1 (requests|appointments)\\b", 0, 0, NULL);
  g_autofree char *out = NULL, *err = NULL, *json_out = NULL, *json_err = NULL;
  GArray *foreign = cs_sim_dataset_get_foreign_ids (cs_sim_server_get_dataset (f->sim));
  JsonObject *refused;

  g_assert_cmpuint (foreign->len, >, 0);
  cli_set_up_secrets (f);

  g_assert_cmpint (cli_run_full (f, NULL, NULL, &out, &err, once), ==, 1);
  g_assert_true (g_str_has_prefix (out, "Checked "));
  g_assert_nonnull (strstr (out, " to the CRM server)."));
  g_assert_false (g_regex_match (wrong, out, 0, NULL));
  g_assert_nonnull (strstr (out, "of another company"));
  g_assert_null (strstr (err, "another company"));

  g_assert_cmpint (cli_run_full (f, NULL, NULL, &json_out, &json_err, once_json), ==, 1);
  refused = json_object_get_object_member (cli_parse_object (json_out, parser), "refused");
  g_assert_cmpint (json_object_get_int_member (refused, "other_company"), >, 0);
  g_assert_cmpint (json_object_get_int_member (refused, "other_company"), <=, foreign->len);
  g_assert_true (json_object_has_member (refused, "invalid"));
  g_assert_cmpstr (json_err, ==, "");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/calsync/cli/" path, CliFixture, NULL, cli_fixture_set_up, func, \
              cli_fixture_tear_down)

  ADD ("once-json-and-status", test_once_json_and_status);
  ADD ("once-three-in-a-row", test_once_three_in_a_row);
  ADD ("once-suspect", test_once_suspect);
  ADD ("once-notifies", test_once_notifies);
  ADD ("once-unreachable", test_once_unreachable);
  ADD ("once-rate-limited", test_once_rate_limited);
  ADD ("not-set-up", test_not_set_up);
  ADD ("action", test_action);
  ADD ("action-kept-while-crm-down", test_action_kept_while_crm_down);
  ADD ("action-create-waits-for-calcom", test_action_create_waits_for_calcom);
  ADD ("action-killed-mid-write", test_action_killed_mid_write);
  ADD ("action-killed-mid-create", test_action_killed_mid_create);
  ADD ("help-in-german", test_help_in_german);
  ADD ("demo", test_demo);
  ADD ("usage-errors", test_usage_errors);
  ADD ("both-addresses", test_both_addresses);
  ADD ("background-with-addresses", test_background_with_addresses);
  ADD ("json-always", test_json_always);
  ADD ("missing-secret-named", test_missing_secret_named);
  ADD ("rejected-key-named", test_rejected_key_named);
  ADD ("calcom-address-without-version", test_calcom_address_without_version);
  ADD ("damaged-cache", test_damaged_cache);
  ADD ("report-words", test_report_words);

#undef ADD

  return g_test_run ();
}
