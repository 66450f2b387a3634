/* test-actions.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cs-actions.h"
#include "cs-backend-client.h"
#include "cs-calcom-client.h"
#include "cs-outbox.h"
#include "cs-sim-dataset.h"
#include "net-test-util.h"

/* The resolution actions against the simulator on loopback, with a manual
 * clock and a store in a temporary folder. */

#define USER_ID 12

typedef struct
{
  char            *tmpdir;
  char            *path;
  CsClock         *clock;
  CsSimServer     *sim;
  CsCalcomClient  *calcom;
  CsBackendClient *backend;
  CsStore         *store;
  CsOutbox        *outbox;
  CsVerifier      *verifier;
  CsActions       *actions;
} Fixture;

static void
open_actions (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  f->store = cs_store_open (f->path, &error);
  g_assert_no_error (error);
  cs_store_set_company_id (f->store, CS_SIM_DEFAULT_COMPANY_ID);

  f->outbox = cs_outbox_new (f->store, f->calcom, f->backend, f->clock);
  f->verifier = cs_verifier_new (f->store, f->calcom, f->backend, f->clock);
  f->actions = cs_actions_new (f->store, f->outbox, f->calcom, f->backend, f->verifier,
                               f->clock);
  cs_actions_set_role (f->actions, CS_ROLE_ADMIN, USER_ID);
}

static void
close_actions (Fixture *f)
{
  g_assert_finalize_object (g_steal_pointer (&f->actions));
  g_assert_finalize_object (g_steal_pointer (&f->verifier));
  g_assert_finalize_object (g_steal_pointer (&f->outbox));
  g_assert_finalize_object (g_steal_pointer (&f->store));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_dir_make_tmp ("calsync-actions-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->tmpdir, "cache.db", NULL);

  f->clock = cs_manual_clock_new (NET_TEST_NOW);
  f->sim = net_test_start_sim (f->clock, 10, 7);

  f->calcom = cs_calcom_client_new (cs_sim_server_get_calcom_url (f->sim), f->clock, &error);
  g_assert_no_error (error);
  cs_calcom_client_set_api_key (f->calcom, cs_sim_server_get_calcom_api_key (f->sim));
  f->backend = cs_backend_client_new (cs_sim_server_get_backend_url (f->sim), f->clock, &error);
  g_assert_no_error (error);
  cs_backend_client_set_token (f->backend, cs_sim_server_get_backend_token (f->sim));

  open_actions (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  close_actions (f);
  g_clear_object (&f->calcom);
  g_clear_object (&f->backend);
  cs_sim_server_stop (f->sim);
  g_clear_object (&f->sim);
  g_clear_object (&f->clock);

  dir = g_dir_open (f->tmpdir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (f->tmpdir, name, NULL);

      g_remove (child);
    }
  g_rmdir (f->tmpdir);
  g_clear_pointer (&f->path, g_free);
  g_clear_pointer (&f->tmpdir, g_free);
}

/* Helpers */

static GAsyncResult *
wait_for (Fixture      *f,
          NetTestAsync *async)
{
  return net_test_wait_many (async, f->clock,
                             cs_calcom_client_get_http (f->calcom),
                             cs_backend_client_get_http (f->backend),
                             NULL);
}

static CsActionResult *
run (Fixture              *f,
     CsActionKind          kind,
     const CsActionTarget *target,
     const CsActionArgs   *args,
     GError              **error)
{
  NetTestAsync async = { NULL };
  g_autoptr(GAsyncResult) result = NULL;

  cs_actions_run_async (f->actions, kind, target, args, NULL, net_test_async_cb, &async);
  result = wait_for (f, &async);

  return cs_actions_run_finish (f->actions, result, error);
}

static CsActionResult *
run_ok (Fixture      *f,
        CsActionKind  kind,
        gint64        appointment_id,
        const char   *booking_uid)
{
  g_autoptr(GError) error = NULL;
  CsActionTarget target = { appointment_id, booking_uid };
  CsActionResult *result;

  result = run (f, kind, &target, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_assert_no_error (result->error);
  g_assert_cmpint (result->kind, ==, kind);
  g_assert_nonnull (result->key);
  g_assert_nonnull (result->message);

  return result;
}

static CsActionResult *
undo (Fixture              *f,
      const CsActionResult *done,
      GError              **error)
{
  NetTestAsync async = { NULL };
  g_autoptr(GAsyncResult) result = NULL;

  cs_actions_undo_async (f->actions, done, NULL, net_test_async_cb, &async);
  result = wait_for (f, &async);

  return cs_actions_undo_finish (f->actions, result, error);
}

static void
flush (Fixture *f)
{
  NetTestAsync async = { NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cs_outbox_flush_async (f->outbox, NULL, net_test_async_cb, &async);
  result = net_test_wait (&async, f->clock, NULL);
  g_assert_true (cs_outbox_flush_finish (f->outbox, result, &error));
  g_assert_no_error (error);
}

/* An appointment only in the CRM (orphaned locally), in the simulator and
 * the cache. */
static gint64
add_appointment (Fixture *f,
                 gboolean with_event_type)
{
  g_autoptr(CsAppointment) appointment = cs_appointment_new ();
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  CsSimDataset *dataset = cs_sim_server_get_dataset (f->sim);
  guint n_types = 0;
  const CsSimEventType *types = cs_sim_get_event_types (&n_types);

  g_assert_cmpuint (n_types, >, 0);

  appointment->id = cs_sim_dataset_next_appointment_id (dataset);
  appointment->company_id = CS_SIM_DEFAULT_COMPANY_ID;
  appointment->number = g_strdup_printf ("%" G_GINT64_FORMAT, appointment->id);
  appointment->starts_at = NET_TEST_NOW + 2 * CS_USEC_PER_DAY;
  appointment->ends_at = appointment->starts_at + types[0].minutes * CS_USEC_PER_MINUTE;
  appointment->title = g_strdup (types[0].title);
  appointment->customer_name = g_strdup ("Erika Muster");
  appointment->customer_email = g_strdup ("erika@example.com");
  appointment->calcom_event_type_id = with_event_type ? types[0].id : 0;
  appointment->source = g_strdup ("voice_agent");
  appointment->sync.status = CS_SYNC_STATUS_ORPHANED_LOCAL;

  cs_sim_dataset_put_appointment (dataset, appointment);
  g_ptr_array_add (rows, appointment);
  g_assert_true (cs_store_save_appointments (f->store, rows, &error));
  g_assert_no_error (error);

  return appointment->id;
}

/* A booking in Cal.com and the cache, carrying @appointment_id in its
 * metadata unless it is 0. */
static void
add_booking (Fixture    *f,
             const char *uid,
             gint64      appointment_id,
             CsTime      start)
{
  g_autoptr(CsBooking) booking = cs_booking_new (uid);
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  guint n_types = 0;
  const CsSimEventType *types = cs_sim_get_event_types (&n_types);

  booking->start = start;
  booking->end = start + types[0].minutes * CS_USEC_PER_MINUTE;
  booking->title = g_strdup (types[0].title);
  booking->event_type_id = types[0].id;
  cs_booking_add_attendee (booking, "Max Mustermann", "max@example.com", NULL);
  if (appointment_id != 0)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, appointment_id);
      g_autofree char *company = g_strdup_printf ("%d", CS_SIM_DEFAULT_COMPANY_ID);

      cs_booking_set_metadata (booking, CS_METADATA_CRM_APPOINTMENT_ID, id);
      cs_booking_set_metadata (booking, CS_METADATA_CRM_COMPANY_ID, company);
    }

  cs_sim_dataset_put_booking (cs_sim_server_get_dataset (f->sim), booking);
  g_ptr_array_add (rows, booking);
  g_assert_true (cs_store_save_bookings (f->store, rows, NET_TEST_NOW, &error));
  g_assert_no_error (error);
}

static CsAppointment *
get_appointment (Fixture *f,
                 gint64   id)
{
  g_autoptr(GError) error = NULL;
  CsAppointment *appointment;

  appointment = cs_store_get_appointment (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (appointment);

  return appointment;
}

static guint
count_audit (Fixture    *f,
             const char *key,
             const char *action)
{
  GPtrArray *entries = cs_sim_server_get_audit_entries (f->sim);
  guint n = 0;

  for (guint i = 0; i < entries->len; i++)
    {
      JsonObject *entry = g_ptr_array_index (entries, i);

      if ((key == NULL || g_strcmp0 (json_object_get_string_member (entry, "key"), key) == 0) &&
          (action == NULL ||
           g_strcmp0 (json_object_get_string_member (entry, "action"), action) == 0))
        n++;
    }

  return n;
}

static guint
count_unsent_audit (Fixture *f)
{
  g_autoptr(GPtrArray) unsent = NULL;
  g_autoptr(GError) error = NULL;

  unsent = cs_store_list_unsent_audit_entries (f->store, &error);
  g_assert_no_error (error);

  return unsent->len;
}

/* The local audit entry @key has @result (and the CRM's copy, if it has
 * one, says the same). */
static void
assert_local_audit (Fixture    *f,
                    const char *key,
                    const char *result,
                    const char *reason_part)
{
  g_autoptr(CsAuditEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *remote = cs_sim_server_get_audit_entries (f->sim);

  entry = cs_store_get_audit_entry (f->store, key, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (entry->result, ==, result);
  if (g_strcmp0 (result, "pending") == 0)
    g_assert_cmpint (entry->settled_at, ==, CS_TIME_UNSET);
  else
    g_assert_cmpint (entry->settled_at, !=, CS_TIME_UNSET);
  if (reason_part != NULL)
    g_assert_nonnull (strstr (entry->reason, reason_part));
  else
    g_assert_null (entry->reason);

  for (guint i = 0; i < remote->len; i++)
    {
      JsonObject *sent = g_ptr_array_index (remote, i);

      if (g_strcmp0 (json_object_get_string_member (sent, "key"), key) == 0)
        g_assert_cmpstr (json_object_get_string_member (sent, "result"), ==, result);
    }
}

static void
set_down (Fixture      *f,
          CsSimService  service)
{
  CsSimFaults faults;

  cs_sim_faults_init (&faults);
  faults.force_status = 503;
  cs_sim_server_set_faults (f->sim, service, &faults);
}

/* Tests */

static void
test_kind_names (Fixture       *f,
                 gconstpointer  data)
{
  static const char * const names[] = {
    "retry", "create_in_calcom", "create_in_crm", "link", "use_database_values",
    "use_calcom_values", "mark_resolved", "dismiss", "snooze", "cancel",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      CsActionKind kind;

      g_assert_cmpstr (cs_action_kind_to_string ((CsActionKind) i), ==, names[i]);
      g_assert_true (cs_action_kind_from_string (names[i], &kind));
      g_assert_cmpint (kind, ==, i);
    }

  g_assert_false (cs_action_kind_from_string ("undo", &(CsActionKind) { 0 }));
  g_assert_true (cs_action_kind_is_local (CS_ACTION_SNOOZE));
  g_assert_false (cs_action_kind_is_local (CS_ACTION_CANCEL));
}

static void
test_create_in_calcom (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(CsActionResult) result = NULL;
  g_autoptr(CsAppointment) appointment = NULL;
  g_autofree char *id = NULL;
  GPtrArray *created;
  CsSimBooking *row;
  gint64 appointment_id = add_appointment (f, TRUE);

  result = run_ok (f, CS_ACTION_CREATE_IN_CALCOM, appointment_id, NULL);
  g_assert_false (result->queued);
  g_assert_cmpint (result->appointment_id, ==, appointment_id);

  /* One booking, carrying the appointment's id. */
  created = cs_sim_server_get_created_bookings (f->sim);
  g_assert_cmpuint (created->len, ==, 1);
  row = cs_sim_dataset_lookup_booking (cs_sim_server_get_dataset (f->sim),
                                       g_ptr_array_index (created, 0));
  g_assert_nonnull (row);
  id = g_strdup_printf ("%" G_GINT64_FORMAT, appointment_id);
  g_assert_cmpstr (cs_booking_get_crm_appointment_id (row->booking), ==, id);

  /* The decision, the audit entry here and on the backend. */
  appointment = get_appointment (f, appointment_id);
  g_assert_cmpstr (appointment->resolution, ==, "create_in_calcom");
  g_assert_cmpint (appointment->resolved_by, ==, USER_ID);
  g_assert_cmpint (appointment->resolved_at, ==, NET_TEST_NOW);
  g_assert_cmpuint (count_audit (f, result->key, "create_in_calcom"), ==, 1);
  g_assert_cmpuint (count_unsent_audit (f), ==, 0);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 0);
}

static void
test_create_in_calcom_links_existing (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(CsActionResult) result = NULL;
  g_autoptr(CsAppointment) appointment = NULL;
  gint64 appointment_id = add_appointment (f, TRUE);
  JsonObject *patch;

  /* Booked earlier, say by the voice agent, without telling the CRM. */
  add_booking (f, "uid-existing", appointment_id,
               NET_TEST_NOW + 2 * CS_USEC_PER_DAY + 2 * CS_USEC_PER_HOUR);

  result = run_ok (f, CS_ACTION_CREATE_IN_CALCOM, appointment_id, NULL);
  g_assert_false (result->queued);
  g_assert_cmpstr (result->booking_uid, ==, "uid-existing");

  g_assert_cmpuint (cs_sim_server_get_created_bookings (f->sim)->len, ==, 0);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_CALCOM_CREATE), ==, 0);
  patch = cs_sim_server_get_patch (f->sim, appointment_id);
  g_assert_nonnull (patch);
  g_assert_cmpstr (json_object_get_string_member (patch, "calcom_booking_uid"), ==,
                   "uid-existing");

  appointment = get_appointment (f, appointment_id);
  g_assert_cmpstr (appointment->calcom_booking_uid, ==, "uid-existing");
  g_assert_cmpuint (count_audit (f, result->key, "create_in_calcom"), ==, 1);
}

static void
test_create_in_calcom_no_event_type (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(CsActionResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 appointment_id = add_appointment (f, FALSE);
  CsActionTarget target = { appointment_id, NULL };

  result = run (f, CS_ACTION_CREATE_IN_CALCOM, &target, NULL, &error);
  g_assert_error (error, CS_ACTIONS_ERROR, CS_ACTIONS_ERROR_INVALID);
  g_assert_null (result);
  g_assert_cmpuint (cs_sim_server_get_service_request_count (f->sim, CS_SIM_SERVICE_CALCOM),
                    ==, 0);
  g_assert_cmpuint (count_unsent_audit (f) + count_audit (f, NULL, NULL), ==, 0);
}

static void
test_staff_refused (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CsActionResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 appointment_id = add_appointment (f, TRUE);
  CsActionTarget target = { appointment_id, NULL };
  CsRole role;

  cs_actions_set_role (f->actions, CS_ROLE_STAFF, 44);
  result = run (f, CS_ACTION_MARK_RESOLVED, &target, NULL, &error);
  g_assert_error (error, CS_ACTIONS_ERROR, CS_ACTIONS_ERROR_FORBIDDEN);
  g_assert_nonnull (strstr (error->message, "staff"));
  g_assert_null (result);
  g_clear_error (&error);

  /* The role from /me, asked once by a fresh instance. */
  close_actions (f);
  cs_sim_server_set_role (f->sim, "staff");
  open_actions (f);
  g_clear_object (&f->actions);
  f->actions = cs_actions_new (f->store, f->outbox, f->calcom, f->backend, f->verifier,
                               f->clock);
  g_assert_false (cs_actions_get_role (f->actions, NULL, NULL));

  result = run (f, CS_ACTION_CREATE_IN_CALCOM, &target, NULL, &error);
  g_assert_error (error, CS_ACTIONS_ERROR, CS_ACTIONS_ERROR_FORBIDDEN);
  g_assert_true (cs_actions_get_role (f->actions, &role, NULL));
  g_assert_cmpint (role, ==, CS_ROLE_STAFF);

  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_CALCOM_CREATE), ==, 0);
  g_assert_cmpuint (count_unsent_audit (f) + count_audit (f, NULL, NULL), ==, 0);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 0);
}

static void
test_create_in_crm (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CsActionResult) result = NULL;
  g_autoptr(CsBooking) booking = NULL;
  g_autoptr(GError) error = NULL;

  add_booking (f, "uid-orphan", 0, NET_TEST_NOW + 3 * CS_USEC_PER_DAY);

  result = run_ok (f, CS_ACTION_CREATE_IN_CRM, 0, "uid-orphan");
  g_assert_false (result->queued);
  g_assert_cmpuint (cs_sim_server_get_created_appointments (f->sim)->len, ==, 1);

  booking = cs_store_get_booking (f->store, "uid-orphan", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (booking->resolution, ==, "create_in_crm");
  g_assert_cmpuint (count_audit (f, result->key, "create_in_crm"), ==, 1);
}

static void
test_link_and_undo (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CsActionResult) result = NULL;
  g_autoptr(CsActionResult) undone = NULL;
  g_autoptr(CsActionResult) again = NULL;
  g_autoptr(CsAppointment) appointment = NULL;
  g_autoptr(GError) error = NULL;
  gint64 appointment_id = add_appointment (f, TRUE);
  JsonObject *patch;

  add_booking (f, "uid-suggested", 0, NET_TEST_NOW + 2 * CS_USEC_PER_DAY);

  result = run_ok (f, CS_ACTION_LINK, appointment_id, "uid-suggested");
  patch = cs_sim_server_get_patch (f->sim, appointment_id);
  g_assert_nonnull (patch);
  g_assert_cmpstr (json_object_get_string_member (patch, "calcom_booking_uid"), ==,
                   "uid-suggested");
  appointment = get_appointment (f, appointment_id);
  g_assert_cmpstr (appointment->calcom_booking_uid, ==, "uid-suggested");
  g_assert_cmpstr (appointment->resolution, ==, "link");
  g_clear_pointer (&appointment, cs_appointment_free);

  undone = undo (f, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (undone);
  appointment = get_appointment (f, appointment_id);
  g_assert_null (appointment->calcom_booking_uid);
  g_assert_null (appointment->resolution);
  g_assert_cmpint (appointment->resolved_at, ==, CS_TIME_UNSET);
  g_assert_cmpuint (count_audit (f, undone->key, "undo"), ==, 1);

  /* Once only. */
  again = undo (f, result, &error);
  g_assert_error (error, CS_ACTIONS_ERROR, CS_ACTIONS_ERROR_NOTHING_TO_UNDO);
  g_assert_null (again);
}

static void
test_local_decisions_and_undo (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(CsActionResult) resolved = NULL;
  g_autoptr(CsActionResult) snoozed = NULL;
  g_autoptr(CsActionResult) dismissed = NULL;
  g_autoptr(CsActionResult) undone = NULL;
  g_autoptr(CsActionResult) refused = NULL;
  g_autoptr(CsAppointment) appointment = NULL;
  g_autoptr(GError) error = NULL;
  gint64 first = add_appointment (f, TRUE);
  gint64 second = add_appointment (f, TRUE);
  CsActionTarget target = { first, NULL };
  CsActionArgs args;
  guint requests;

  requests = cs_sim_server_get_service_request_count (f->sim, CS_SIM_SERVICE_CALCOM);

  cs_action_args_init (&args);
  args.note = "Called the customer: the appointment is in the paper diary.";
  resolved = run (f, CS_ACTION_MARK_RESOLVED, &target, &args, &error);
  g_assert_no_error (error);
  g_assert_no_error (resolved->error);
  appointment = get_appointment (f, first);
  g_assert_cmpstr (appointment->resolution, ==, "mark_resolved");
  g_assert_cmpstr (appointment->resolution_note, ==, args.note);
  g_assert_cmpint (appointment->resolved_by, ==, USER_ID);
  g_clear_pointer (&appointment, cs_appointment_free);

  /* A snooze needs a date ahead. */
  cs_action_args_init (&args);
  args.snooze_until = NET_TEST_NOW - CS_USEC_PER_HOUR;
  target.appointment_id = second;
  refused = run (f, CS_ACTION_SNOOZE, &target, &args, &error);
  g_assert_error (error, CS_ACTIONS_ERROR, CS_ACTIONS_ERROR_INVALID);
  g_assert_null (refused);
  g_clear_error (&error);

  args.snooze_until = NET_TEST_NOW + 3 * CS_USEC_PER_DAY;
  snoozed = run (f, CS_ACTION_SNOOZE, &target, &args, &error);
  g_assert_no_error (error);
  appointment = get_appointment (f, second);
  g_assert_cmpstr (appointment->resolution, ==, "snooze");
  g_assert_cmpint (appointment->snoozed_until, ==, args.snooze_until);
  g_clear_pointer (&appointment, cs_appointment_free);

  /* Dismissing on top of the snooze, then undoing the dismissal, brings the
   * snooze back. */
  dismissed = run_ok (f, CS_ACTION_DISMISS, second, NULL);
  appointment = get_appointment (f, second);
  g_assert_cmpstr (appointment->resolution, ==, "dismiss");
  g_assert_cmpint (appointment->snoozed_until, ==, CS_TIME_UNSET);
  g_clear_pointer (&appointment, cs_appointment_free);

  undone = undo (f, dismissed, &error);
  g_assert_no_error (error);
  appointment = get_appointment (f, second);
  g_assert_cmpstr (appointment->resolution, ==, "snooze");
  g_assert_cmpint (appointment->snoozed_until, ==, args.snooze_until);

  /* Local only: nothing went to Cal.com; one audit entry per decision. */
  g_assert_cmpuint (cs_sim_server_get_service_request_count (f->sim, CS_SIM_SERVICE_CALCOM),
                    ==, requests);
  g_assert_cmpuint (count_audit (f, resolved->key, "mark_resolved"), ==, 1);
  g_assert_cmpuint (count_audit (f, snoozed->key, "snooze"), ==, 1);
  g_assert_cmpuint (count_audit (f, dismissed->key, "dismiss"), ==, 1);
  g_assert_cmpuint (count_audit (f, undone->key, "undo"), ==, 1);
  g_assert_cmpuint (count_audit (f, NULL, NULL), ==, 4);
  g_assert_cmpuint (count_unsent_audit (f), ==, 0);
}

static void
test_use_values (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(CsActionResult) calcom = NULL;
  g_autoptr(CsAppointment) appointment = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  gint64 appointment_id = add_appointment (f, TRUE);
  CsTime moved = NET_TEST_NOW + 2 * CS_USEC_PER_DAY + CS_USEC_PER_HOUR;
  JsonObject *patch;

  /* The booking an hour later than the CRM has it. */
  add_booking (f, "uid-mismatch", appointment_id, moved);
  appointment = get_appointment (f, appointment_id);
  appointment->calcom_booking_uid = g_strdup ("uid-mismatch");
  g_ptr_array_add (rows, appointment);
  g_assert_true (cs_store_save_appointments (f->store, rows, &error));
  g_assert_no_error (error);

  calcom = run_ok (f, CS_ACTION_USE_CALCOM_VALUES, appointment_id, NULL);
  patch = cs_sim_server_get_patch (f->sim, appointment_id);
  g_assert_nonnull (patch);
  g_assert_true (json_object_has_member (patch, "starts_at"));
  g_assert_true (json_object_has_member (patch, "ends_at"));
  g_assert_false (json_object_has_member (patch, "status"));

}

/* The CRM's appointment with a booking @offset later (same length) in
 * Cal.com and the cache, linked by uid. */
static gint64
add_linked_pair (Fixture    *f,
                 const char *uid,
                 CsTime      offset)
{
  g_autoptr(CsAppointment) appointment = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  gint64 id = add_appointment (f, TRUE);
  CsSimAppointment *row;

  add_booking (f, uid, id, NET_TEST_NOW + 2 * CS_USEC_PER_DAY + offset);
  appointment = get_appointment (f, id);
  appointment->calcom_booking_uid = g_strdup (uid);
  row = cs_sim_dataset_lookup_appointment (cs_sim_server_get_dataset (f->sim), id);
  g_free (row->appointment->calcom_booking_uid);
  row->appointment->calcom_booking_uid = g_strdup (uid);
  g_ptr_array_add (rows, appointment);
  g_assert_true (cs_store_save_appointments (f->store, rows, &error));
  g_assert_no_error (error);

  return id;
}

static JsonNode *
request_json (const CsSimRequest *request)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  g_assert_nonnull (request);
  g_assert_nonnull (request->body);
  text = g_strndup (g_bytes_get_data (request->body, NULL), g_bytes_get_size (request->body));
  node = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));

  return node;
}

static void
count_failed_cb (CsOutbox     *outbox,
                 CsOutboxItem *item,
                 const GError *error,
                 guint        *n_failed)
{
  (*n_failed)++;
}

static const CsSimRequest *
last_request_to (Fixture    *f,
                 const char *path)
{
  GPtrArray *requests = cs_sim_server_get_requests (f->sim);
  const CsSimRequest *found = NULL;

  for (guint i = 0; i < requests->len; i++)
    {
      const CsSimRequest *r = g_ptr_array_index (requests, i);

      if (g_strcmp0 (r->path, path) == 0)
        found = r;
    }

  return found;
}

/* "Use Database Values" for a time: Cal.com reschedules to a new uid, the
 * CRM and the cache follow it, and the reason (umlauts, quotes) arrives
 * as JSON. */
static void
test_use_database_values_reschedules (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(CsActionResult) result = NULL;
  g_autoptr(CsAppointment) appointment = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) sent = NULL;
  CsActionArgs args;
  gint64 id = add_linked_pair (f, "uid-moved", CS_USEC_PER_HOUR);
  const CsSimRequest *request;
  const char *new_uid;
  JsonObject *patch;

  cs_action_args_init (&args);
  args.reason = "Kundin möchte \"früher\" kommen";
  result = run (f, CS_ACTION_USE_DATABASE_VALUES, &(CsActionTarget) { id, NULL }, &args, &error);
  g_assert_no_error (error);
  g_assert_no_error (result->error);
  g_assert_false (result->queued);

  request = last_request_to (f, "/v2/bookings/uid-moved/reschedule");
  g_assert_nonnull (request);
  g_assert_cmpuint (request->status, ==, 201);
  sent = request_json (request);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (sent),
                                                  "reschedulingReason"), ==,
                   "Kundin möchte \"früher\" kommen");

  /* Exactly one reschedule; the CRM and the cache follow the new uid. */
  g_assert_cmpuint (cs_sim_server_get_rescheduled_uids (f->sim)->len, ==, 1);
  new_uid = cs_sim_server_lookup_reschedule (f->sim, "uid-moved");
  g_assert_nonnull (new_uid);
  flush (f);
  patch = cs_sim_server_get_patch (f->sim, id);
  g_assert_nonnull (patch);
  g_assert_cmpstr (json_object_get_string_member (patch, "calcom_booking_uid"), ==, new_uid);
  appointment = get_appointment (f, id);
  g_assert_cmpstr (appointment->calcom_booking_uid, ==, new_uid);
  g_assert_cmpuint (count_audit (f, result->key, "use_database_values"), ==, 1);
}

/* Only the end differs: a reschedule cannot fix it, and the action says
 * what can. */
static void
test_use_database_values_end_only (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(CsActionResult) result = NULL;
  g_autoptr(CsAppointment) appointment = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  gint64 id = add_linked_pair (f, "uid-end", 0);

  appointment = get_appointment (f, id);
  appointment->ends_at += 15 * CS_USEC_PER_MINUTE;
  g_ptr_array_add (rows, appointment);
  g_assert_true (cs_store_save_appointments (f->store, rows, &error));

  result = run (f, CS_ACTION_USE_DATABASE_VALUES, &(CsActionTarget) { id, NULL }, NULL, &error);
  g_assert_error (error, CS_ACTIONS_ERROR, CS_ACTIONS_ERROR_INVALID);
  g_assert_null (result);
  g_assert_nonnull (strstr (error->message, "Cal.com's values"));
  g_assert_cmpuint (cs_sim_server_get_rescheduled_uids (f->sim)->len, ==, 0);
}

/* A write Cal.com did, whose answer was lost: the retry looks at the
 * booking first and counts it done, so exactly one cancellation and one
 * reschedule result (Cal.com would answer a second one with 400). */
static void
test_replay_after_lost_answer (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(CsActionResult) cancelled = NULL;
  g_autoptr(CsActionResult) moved = NULL;
  g_autoptr(CsAppointment) appointment = NULL;
  gint64 cancel_id = add_linked_pair (f, "uid-lost-cancel", 0);
  gint64 move_id = add_linked_pair (f, "uid-lost-move", CS_USEC_PER_HOUR);
  const char *new_uid;
  JsonObject *patch;

  cs_sim_server_drop_next_answer (f->sim, "POST", "/v2/bookings/uid-lost-cancel/cancel");
  cancelled = run_ok (f, CS_ACTION_CANCEL, cancel_id, NULL);
  g_assert_true (cancelled->queued);
  g_assert_cmpuint (cs_sim_server_get_cancelled_uids (f->sim)->len, ==, 1);

  /* The backoff passes; the retry looks first and is done. */
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_OUTBOX_BACKOFF_MAX);
  flush (f);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 0);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_CALCOM_CANCEL), ==, 1);

  cs_sim_server_drop_next_answer (f->sim, "POST", "/v2/bookings/uid-lost-move/reschedule");
  moved = run_ok (f, CS_ACTION_USE_DATABASE_VALUES, move_id, NULL);
  g_assert_true (moved->queued);
  g_assert_cmpuint (cs_sim_server_get_rescheduled_uids (f->sim)->len, ==, 1);

  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_OUTBOX_BACKOFF_MAX);
  flush (f);
  flush (f);

  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 0);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_CALCOM_RESCHEDULE), ==, 1);
  g_assert_cmpuint (cs_sim_server_get_cancelled_uids (f->sim)->len, ==, 1);
  g_assert_cmpuint (cs_sim_server_get_rescheduled_uids (f->sim)->len, ==, 1);

  new_uid = cs_sim_server_lookup_reschedule (f->sim, "uid-lost-move");
  g_assert_nonnull (new_uid);
  patch = cs_sim_server_get_patch (f->sim, move_id);
  g_assert_nonnull (patch);
  g_assert_cmpstr (json_object_get_string_member (patch, "calcom_booking_uid"), ==, new_uid);
  appointment = get_appointment (f, move_id);
  g_assert_cmpstr (appointment->calcom_booking_uid, ==, new_uid);
}

static void resume (Fixture *f);

/* A create Cal.com made whose answer was lost: the next attempt lists
 * first and links it; exactly one booking. */
static void
test_create_after_lost_answer (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(CsActionResult) created = NULL;
  g_autoptr(CsAppointment) appointment = NULL;
  gint64 id = add_appointment (f, TRUE);
  GPtrArray *bookings;

  cs_sim_server_drop_next_answer (f->sim, "POST", "/v2/bookings");
  created = run_ok (f, CS_ACTION_CREATE_IN_CALCOM, id, NULL);
  g_assert_true (created->queued);
  g_assert_cmpuint (cs_sim_server_get_created_bookings (f->sim)->len, ==, 1);
  g_assert_cmpuint (cs_actions_get_n_waiting (f->actions), ==, 1);

  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_OUTBOX_BACKOFF_MAX);
  resume (f);
  flush (f);

  g_assert_cmpuint (cs_actions_get_n_waiting (f->actions), ==, 0);
  bookings = cs_sim_server_get_created_bookings (f->sim);
  g_assert_cmpuint (bookings->len, ==, 1);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_CALCOM_CREATE), ==, 1);
  appointment = get_appointment (f, id);
  g_assert_cmpstr (appointment->calcom_booking_uid, ==, g_ptr_array_index (bookings, 0));
}

/* A replayed reschedule that went out all the same (a crash before the
 * attempt was recorded): Cal.com's 400 is looked into, and the state
 * shows it done. */
static void
test_refused_replay_is_done (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(CsWrite) write = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = add_linked_pair (f, "uid-twice", 0);
  guint n_failed = 0;

  g_signal_connect (f->outbox, "item-failed", G_CALLBACK (count_failed_cb), &n_failed);
  write = cs_write_calcom_cancel_booking ("uid-twice", NULL);
  write->appointment_id = id;
  g_assert_cmpint (cs_outbox_enqueue_write (f->outbox, write, NULL, &error), >, 0);
  flush (f);
  g_assert_cmpuint (cs_sim_server_get_cancelled_uids (f->sim)->len, ==, 1);

  /* The same write again, as a fresh item: Cal.com answers 400. */
  g_assert_cmpint (cs_outbox_enqueue_write (f->outbox, write, NULL, &error), >, 0);
  flush (f);
  g_assert_no_error (error);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 0);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_CALCOM_CANCEL), ==, 2);
  g_assert_cmpuint (n_failed, ==, 0);
  g_signal_handlers_disconnect_by_func (f->outbox, count_failed_cb, &n_failed);
}

/* Create in Cal.com: a length only where the event type offers several;
 * an e-mail the event type needs and the appointment lacks is said before
 * anything is sent. */
static void
test_create_follows_event_type (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(CsActionResult) plain = NULL;
  g_autoptr(CsActionResult) several = NULL;
  g_autoptr(CsActionResult) no_email = NULL;
  g_autoptr(CsAppointment) appointment = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) body = NULL;
  const CsSimEventType *multi = cs_sim_lookup_event_type (43);
  gint64 plain_id = add_appointment (f, TRUE);
  gint64 several_id = add_appointment (f, TRUE);
  gint64 no_email_id = add_appointment (f, TRUE);
  CsSimAppointment *row;
  const CsSimRequest *request;

  g_assert_nonnull (multi);
  g_assert_cmpuint (multi->length_options[0], !=, 0);

  plain = run_ok (f, CS_ACTION_CREATE_IN_CALCOM, plain_id, NULL);
  g_assert_false (plain->queued);
  request = cs_sim_server_get_last_request (f->sim, CS_SIM_CALCOM_CREATE);
  body = request_json (request);
  g_assert_false (json_object_has_member (json_node_get_object (body), "lengthInMinutes"));
  g_clear_pointer (&body, json_node_unref);

  /* 45 minutes of an event type of 45, 60 or 90. */
  appointment = get_appointment (f, several_id);
  appointment->calcom_event_type_id = 43;
  appointment->starts_at += 3 * CS_USEC_PER_HOUR;
  appointment->ends_at = appointment->starts_at + 45 * CS_USEC_PER_MINUTE;
  row = cs_sim_dataset_lookup_appointment (cs_sim_server_get_dataset (f->sim), several_id);
  row->appointment->calcom_event_type_id = 43;
  row->appointment->starts_at = appointment->starts_at;
  row->appointment->ends_at = appointment->ends_at;
  g_ptr_array_add (rows, appointment);
  g_assert_true (cs_store_save_appointments (f->store, rows, &error));
  several = run_ok (f, CS_ACTION_CREATE_IN_CALCOM, several_id, NULL);
  g_assert_false (several->queued);
  request = cs_sim_server_get_last_request (f->sim, CS_SIM_CALCOM_CREATE);
  g_assert_cmpuint (request->status, ==, 201);
  body = request_json (request);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (body), "lengthInMinutes"),
                   ==, 45);
  g_assert_cmpuint (cs_sim_server_get_created_bookings (f->sim)->len, ==, 2);

  /* No e-mail for an event type that needs one. */
  g_ptr_array_set_size (rows, 0);
  g_clear_pointer (&appointment, cs_appointment_free);
  appointment = get_appointment (f, no_email_id);
  g_clear_pointer (&appointment->customer_email, g_free);
  appointment->customer_phone = g_strdup ("+49 30 1234567");
  g_ptr_array_add (rows, appointment);
  g_assert_true (cs_store_save_appointments (f->store, rows, &error));
  no_email = run (f, CS_ACTION_CREATE_IN_CALCOM, &(CsActionTarget) { no_email_id, NULL }, NULL,
                  &error);
  g_assert_error (error, CS_ACTIONS_ERROR, CS_ACTIONS_ERROR_REFUSED);
  g_assert_null (no_email);
  g_assert_nonnull (strstr (error->message, "e-mail"));
  g_assert_cmpuint (cs_sim_server_get_created_bookings (f->sim)->len, ==, 2);
  g_assert_cmpuint (cs_actions_get_n_waiting (f->actions), ==, 0);
}

static void
test_cancel_both_sides (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(CsActionResult) result = NULL;
  g_autoptr(CsAppointment) appointment = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  gint64 appointment_id = add_appointment (f, TRUE);
  GArray *cancelled;
  GPtrArray *uids;

  add_booking (f, "uid-cancel", appointment_id, NET_TEST_NOW + 2 * CS_USEC_PER_DAY);
  appointment = get_appointment (f, appointment_id);
  appointment->calcom_booking_uid = g_strdup ("uid-cancel");
  g_ptr_array_add (rows, appointment);
  g_assert_true (cs_store_save_appointments (f->store, rows, &error));
  g_assert_no_error (error);

  result = run_ok (f, CS_ACTION_CANCEL, appointment_id, NULL);
  g_assert_false (result->queued);

  cancelled = cs_sim_server_get_created_appointments (f->sim);
  g_assert_cmpuint (cancelled->len, ==, 0);
  cancelled = cs_sim_server_get_cancelled_appointments (f->sim);
  g_assert_cmpuint (cancelled->len, ==, 1);
  g_assert_cmpint (g_array_index (cancelled, gint64, 0), ==, appointment_id);
  uids = cs_sim_server_get_cancelled_uids (f->sim);
  g_assert_cmpuint (uids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (uids, 0), ==, "uid-cancel");
  g_assert_cmpuint (count_audit (f, result->key, "cancel"), ==, 1);
}

static void
test_retry (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(CsActionResult) result = NULL;
  g_autoptr(CsRunRecord) last = NULL;
  g_autoptr(GError) error = NULL;
  gint64 appointment_id = add_appointment (f, TRUE);

  result = run_ok (f, CS_ACTION_RETRY, appointment_id, NULL);
  last = cs_store_get_last_run (f->store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (last);
  g_assert_cmpstr (last->kind, ==, CS_RUN_KIND_RETRY);
  g_assert_cmpuint (count_audit (f, result->key, "retry"), ==, 1);
}

static void
resume (Fixture *f)
{
  NetTestAsync async = { NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cs_actions_resume_async (f->actions, NULL, net_test_async_cb, &async);
  result = wait_for (f, &async);
  g_assert_true (cs_actions_resume_finish (f->actions, result, &error));
  g_assert_no_error (error);
}

static void
test_outbox_restart (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CsActionResult) created = NULL;
  g_autoptr(CsActionResult) resolved = NULL;
  g_autoptr(CsAppointment) appointment = NULL;
  gint64 first = add_appointment (f, TRUE);
  gint64 second = add_appointment (f, TRUE);
  GPtrArray *bookings;
  JsonObject *patch;

  /* Both servers down while the person acts. */
  set_down (f, CS_SIM_SERVICE_BACKEND);
  set_down (f, CS_SIM_SERVICE_CALCOM);

  created = run_ok (f, CS_ACTION_CREATE_IN_CALCOM, first, NULL);
  g_assert_true (created->queued);
  resolved = run_ok (f, CS_ACTION_MARK_RESOLVED, second, NULL);
  g_assert_true (resolved->queued);

  /* Both wait: the create, whose audit entry is pending until Cal.com has
   * answered, and the decision's settled entry, for the CRM. */
  g_assert_cmpuint (cs_actions_get_n_waiting (f->actions), ==, 1);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 1);
  g_assert_cmpuint (count_unsent_audit (f), ==, 2);
  assert_local_audit (f, created->key, "pending", NULL);
  assert_local_audit (f, resolved->key, "ok", NULL);
  g_assert_cmpuint (cs_sim_server_get_created_bookings (f->sim)->len, ==, 0);
  g_assert_cmpuint (count_audit (f, NULL, NULL), ==, 0);

  /* The program ends and starts again; the servers are back. */
  close_actions (f);
  cs_sim_server_clear_faults (f->sim, CS_SIM_SERVICE_BACKEND);
  cs_sim_server_clear_faults (f->sim, CS_SIM_SERVICE_CALCOM);
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_OUTBOX_BACKOFF_MAX);
  open_actions (f);
  g_assert_cmpuint (cs_actions_get_n_waiting (f->actions), ==, 1);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 1);
  resume (f);
  flush (f);

  g_assert_cmpuint (cs_actions_get_n_waiting (f->actions), ==, 0);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 0);
  bookings = cs_sim_server_get_created_bookings (f->sim);
  g_assert_cmpuint (bookings->len, ==, 1);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_CALCOM_CREATE), ==, 1);
  g_assert_cmpuint (count_audit (f, created->key, "create_in_calcom"), ==, 1);
  g_assert_cmpuint (count_audit (f, resolved->key, "mark_resolved"), ==, 1);
  g_assert_cmpuint (count_audit (f, NULL, NULL), ==, 2);
  g_assert_cmpuint (count_unsent_audit (f), ==, 0);

  /* The new booking is linked in the CRM and the cache. */
  patch = cs_sim_server_get_patch (f->sim, first);
  g_assert_nonnull (patch);
  g_assert_cmpstr (json_object_get_string_member (patch, "calcom_booking_uid"), ==,
                   g_ptr_array_index (bookings, 0));
  appointment = get_appointment (f, first);
  g_assert_cmpstr (appointment->calcom_booking_uid, ==, g_ptr_array_index (bookings, 0));

  /* Another restart sends nothing again. */
  close_actions (f);
  open_actions (f);
  resume (f);
  flush (f);
  g_assert_cmpuint (cs_sim_server_get_created_bookings (f->sim)->len, ==, 1);
  g_assert_cmpuint (count_audit (f, NULL, NULL), ==, 2);
}

/* A replay lists before it books: if the lost attempt did reach Cal.com,
 * the booking it made is linked, not doubled. */
static void
test_replay_checks_first (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CsActionResult) created = NULL;
  g_autoptr(CsAppointment) appointment = NULL;
  gint64 id = add_appointment (f, TRUE);

  set_down (f, CS_SIM_SERVICE_CALCOM);
  created = run_ok (f, CS_ACTION_CREATE_IN_CALCOM, id, NULL);
  g_assert_true (created->queued);
  g_assert_cmpuint (cs_actions_get_n_waiting (f->actions), ==, 1);

  /* Booked all the same (the answer was lost on the way). */
  add_booking (f, "uid-lost-answer", id, NET_TEST_NOW + 2 * CS_USEC_PER_DAY);
  cs_sim_server_clear_faults (f->sim, CS_SIM_SERVICE_CALCOM);

  /* The backoff's timer replays it. */
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_OUTBOX_BACKOFF_MAX);
  resume (f);
  flush (f);

  g_assert_cmpuint (cs_actions_get_n_waiting (f->actions), ==, 0);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_CALCOM_CREATE), ==, 0);
  appointment = get_appointment (f, id);
  g_assert_cmpstr (appointment->calcom_booking_uid, ==, "uid-lost-answer");
}

static void
test_bulk (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  NetTestAsync async = { NULL };
  CsActionArgs args;
  gint64 id;

  id = add_appointment (f, TRUE);
  g_array_append_val (ids, id);
  id = 999999;
  g_array_append_val (ids, id);
  id = add_appointment (f, TRUE);
  g_array_append_val (ids, id);

  cs_action_args_init (&args);
  args.note = "Bulk";
  cs_actions_run_bulk_async (f->actions, CS_ACTION_MARK_RESOLVED, ids, &args, NULL,
                             net_test_async_cb, &async);
  res = wait_for (f, &async);
  results = cs_actions_run_bulk_finish (f->actions, res, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 3);

  for (guint i = 0; i < results->len; i++)
    {
      CsActionResult *result = g_ptr_array_index (results, i);

      g_assert_cmpint (result->appointment_id, ==, g_array_index (ids, gint64, i));
      g_assert_cmpint (result->kind, ==, CS_ACTION_MARK_RESOLVED);
      g_assert_nonnull (result->message);
      if (i == 1)
        {
          g_assert_error (result->error, CS_ACTIONS_ERROR, CS_ACTIONS_ERROR_NOT_FOUND);
        }
      else
        {
          g_autoptr(CsAppointment) appointment = get_appointment (f, result->appointment_id);

          g_assert_no_error (result->error);
          g_assert_cmpstr (appointment->resolution_note, ==, "Bulk");
        }
    }

  g_assert_cmpuint (count_audit (f, NULL, "mark_resolved"), ==, 2);
}

/* The CRM's audit entries with @key. */
static JsonObject *
remote_audit (Fixture    *f,
              const char *key)
{
  GPtrArray *entries = cs_sim_server_get_audit_entries (f->sim);

  for (guint i = 0; i < entries->len; i++)
    {
      JsonObject *entry = g_ptr_array_index (entries, i);

      if (g_strcmp0 (json_object_get_string_member (entry, "key"), key) == 0)
        return entry;
    }

  return NULL;
}

/* Cal.com down: the create is kept, says so, and nothing says "Booked";
 * its audit entry stays pending and is not sent. When Cal.com answers, the
 * booking is made, the entry becomes ok and the CRM gets it, once. */
static void
test_create_waits_with_pending_audit (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(CsActionResult) created = NULL;
  g_autoptr(CsAppointment) appointment = NULL;
  gint64 id = add_appointment (f, TRUE);
  JsonObject *sent;

  set_down (f, CS_SIM_SERVICE_CALCOM);
  created = run_ok (f, CS_ACTION_CREATE_IN_CALCOM, id, NULL);
  g_assert_true (created->queued);
  g_assert_null (strstr (created->message, "Booked"));
  g_assert_cmpstr (created->message, ==, "Saved; it will be sent when Cal.com answers again.");
  assert_local_audit (f, created->key, "pending", NULL);
  g_assert_null (remote_audit (f, created->key));
  g_assert_cmpuint (count_audit (f, NULL, NULL), ==, 0);
  appointment = get_appointment (f, id);
  g_assert_cmpstr (appointment->resolution, ==, "create_in_calcom");
  g_clear_pointer (&appointment, cs_appointment_free);

  /* A second click is the same action: no second entry. */
  {
    g_autoptr(CsActionResult) again = run_ok (f, CS_ACTION_CREATE_IN_CALCOM, id, NULL);

    g_assert_true (again->queued);
    g_assert_cmpstr (again->key, ==, created->key);
  }

  cs_sim_server_clear_faults (f->sim, CS_SIM_SERVICE_CALCOM);
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_OUTBOX_BACKOFF_MAX);
  resume (f);
  flush (f);

  g_assert_cmpuint (cs_sim_server_get_created_bookings (f->sim)->len, ==, 1);
  assert_local_audit (f, created->key, "ok", NULL);
  sent = remote_audit (f, created->key);
  g_assert_nonnull (sent);
  g_assert_cmpstr (json_object_get_string_member (sent, "result"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (sent, "action"), ==, "create_in_calcom");
  g_assert_cmpuint (count_audit (f, NULL, NULL), ==, 1);
  g_assert_cmpuint (count_unsent_audit (f), ==, 0);
  appointment = get_appointment (f, id);
  g_assert_cmpstr (appointment->resolution, ==, "create_in_calcom");
  g_assert_nonnull (appointment->calcom_booking_uid);
}

/* "Use Database Values" that Cal.com refuses (the CRM's time is taken):
 * the audit entry is failed with Cal.com's reason, here and in the CRM,
 * and the decision is taken back so the problem shows again. */
static void
test_use_database_values_failed (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(CsActionResult) result = NULL;
  g_autoptr(CsAppointment) appointment = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = add_linked_pair (f, "uid-move-refused", CS_USEC_PER_HOUR);
  JsonObject *sent;
  const char *note;

  /* Another booking holds the CRM's time. */
  add_booking (f, "uid-in-the-way", 0, NET_TEST_NOW + 2 * CS_USEC_PER_DAY);

  result = run (f, CS_ACTION_USE_DATABASE_VALUES, &(CsActionTarget) { id, NULL }, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_assert_error (result->error, CS_ACTIONS_ERROR, CS_ACTIONS_ERROR_REFUSED);
  g_assert_false (result->queued);
  g_assert_cmpuint (cs_sim_server_get_rescheduled_uids (f->sim)->len, ==, 0);

  assert_local_audit (f, result->key, "failed", "already has booking");
  sent = remote_audit (f, result->key);
  g_assert_nonnull (sent);
  g_assert_cmpstr (json_object_get_string_member (sent, "result"), ==, "failed");
  g_assert_cmpstr (json_object_get_string_member (sent, "action"), ==, "use_database_values");
  note = json_object_get_string_member (sent, "note");
  g_assert_nonnull (note);
  g_assert_nonnull (strstr (note, "already has booking"));
  g_assert_cmpuint (count_audit (f, result->key, NULL), ==, 1);

  appointment = get_appointment (f, id);
  g_assert_null (appointment->resolution);
  g_assert_cmpint (appointment->resolved_at, ==, CS_TIME_UNSET);
}

/* A create that is refused (the event type needs an e-mail the appointment
 * lacks) is audited failed with the reason, here and in the CRM, and its
 * decision is taken back. */
static void
test_create_refused_audited_failed (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(CsActionResult) result = NULL;
  g_autoptr(CsAppointment) appointment = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  gint64 id = add_appointment (f, TRUE);
  GPtrArray *remote;
  const char *key;

  /* The event type needs an e-mail, the appointment has none. */
  appointment = get_appointment (f, id);
  g_clear_pointer (&appointment->customer_email, g_free);
  g_ptr_array_add (rows, appointment);
  g_assert_true (cs_store_save_appointments (f->store, rows, &error));

  result = run (f, CS_ACTION_CREATE_IN_CALCOM, &(CsActionTarget) { id, NULL }, NULL, &error);
  g_assert_error (error, CS_ACTIONS_ERROR, CS_ACTIONS_ERROR_REFUSED);
  g_assert_null (result);

  remote = cs_sim_server_get_audit_entries (f->sim);
  g_assert_cmpuint (remote->len, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (remote, 0), "result"), ==,
                   "failed");
  key = json_object_get_string_member (g_ptr_array_index (remote, 0), "key");
  assert_local_audit (f, key, "failed", "e-mail");
  g_assert_cmpuint (cs_actions_get_n_waiting (f->actions), ==, 0);
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_clear_pointer (&appointment, cs_appointment_free);
  appointment = get_appointment (f, id);
  g_assert_null (appointment->resolution);
}

/* The CRM down before the role was asked in this process: the click is
 * kept as the role the CRM named last, and sent when it answers. */
static void
test_crm_down_click_kept (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CsActionResult) resolved = NULL;
  g_autoptr(CsAppointment) appointment = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = add_appointment (f, TRUE);
  CsActionArgs args;
  JsonObject *sent;

  /* A new process: the role is not asked yet. */
  close_actions (f);
  f->store = cs_store_open (f->path, &error);
  g_assert_no_error (error);
  cs_store_set_company_id (f->store, CS_SIM_DEFAULT_COMPANY_ID);
  f->outbox = cs_outbox_new (f->store, f->calcom, f->backend, f->clock);
  f->verifier = cs_verifier_new (f->store, f->calcom, f->backend, f->clock);
  f->actions = cs_actions_new (f->store, f->outbox, f->calcom, f->backend, f->verifier,
                               f->clock);
  g_assert_false (cs_actions_get_role (f->actions, NULL, NULL));

  set_down (f, CS_SIM_SERVICE_BACKEND);
  cs_action_args_init (&args);
  args.note = "Kunde angerufen";
  resolved = run (f, CS_ACTION_MARK_RESOLVED, &(CsActionTarget) { id, NULL }, &args, &error);
  g_assert_no_error (error);
  g_assert_nonnull (resolved);
  g_assert_no_error (resolved->error);
  g_assert_true (resolved->queued);
  g_assert_cmpstr (resolved->message, ==,
                   "Marked as resolved. Saved; it will be sent when the CRM answers again.");
  appointment = get_appointment (f, id);
  g_assert_cmpstr (appointment->resolution, ==, "mark_resolved");
  g_assert_cmpint (appointment->resolved_by, ==, USER_ID);
  assert_local_audit (f, resolved->key, "ok", NULL);
  g_assert_cmpuint (cs_outbox_get_n_pending (f->outbox), ==, 1);

  cs_sim_server_clear_faults (f->sim, CS_SIM_SERVICE_BACKEND);
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_OUTBOX_BACKOFF_MAX);
  flush (f);
  sent = remote_audit (f, resolved->key);
  g_assert_nonnull (sent);
  g_assert_cmpstr (json_object_get_string_member (sent, "result"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (sent, "note"), ==, "Kunde angerufen");
  g_assert_cmpint (json_object_get_int_member (sent, "performed_by"), ==, USER_ID);
  g_assert_cmpuint (count_unsent_audit (f), ==, 0);
}

/* Marks the item of @key as answered in the store only, as a process that
 * got the answer and died before it could settle the action would leave it. */
static void
complete_in_store_only (Fixture *f,
                        gint64   item_id)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_store_complete_outbox (f->store, item_id, NET_TEST_NOW, &error));
  g_assert_no_error (error);
}

/* A process that ended between the server's answer and the settling: the
 * next one settles the entry on resume and uploads it once; a write still
 * waiting keeps its entry pending. */
static void
test_settle_after_crash (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(CsActionResult) result = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = add_linked_pair (f, "uid-crash", CS_USEC_PER_HOUR);
  const CsOutboxItem *patch;

  set_down (f, CS_SIM_SERVICE_BACKEND);
  result = run_ok (f, CS_ACTION_USE_CALCOM_VALUES, id, NULL);
  g_assert_true (result->queued);
  g_assert_cmpstr (result->message, ==, "Saved; it will be sent when the CRM answers again.");
  assert_local_audit (f, result->key, "pending", NULL);

  /* The action's write, kept with the audit entry's key. */
  items = cs_store_list_outbox_for_audit (f->store, result->key, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 1);
  patch = g_ptr_array_index (items, 0);
  g_assert_cmpstr (patch->kind, ==, "backend.update_appointment");

  /* A restart while it still waits settles nothing. */
  close_actions (f);
  open_actions (f);
  resume (f);
  assert_local_audit (f, result->key, "pending", NULL);

  /* The answer came, and the process died before it settled. */
  close_actions (f);
  open_actions (f);
  complete_in_store_only (f, patch->id);
  cs_sim_server_clear_faults (f->sim, CS_SIM_SERVICE_BACKEND);
  resume (f);
  flush (f);

  assert_local_audit (f, result->key, "ok", NULL);
  g_assert_cmpuint (count_audit (f, result->key, "use_calcom_values"), ==, 1);
  g_assert_cmpuint (count_unsent_audit (f), ==, 0);

  /* And never again. */
  close_actions (f);
  open_actions (f);
  resume (f);
  flush (f);
  g_assert_cmpuint (count_audit (f, NULL, NULL), ==, 1);
}

/* A process that ended between the outbox's record of the CRM's answer to
 * an audit upload and marking the entry sent: the next one marks it sent
 * (nothing else would ever send it again) and sends nothing twice. */
static void
test_upload_answered_before_crash (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(CsActionResult) result = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = add_linked_pair (f, "uid-upload", CS_USEC_PER_HOUR);
  const CsOutboxItem *upload = NULL;

  set_down (f, CS_SIM_SERVICE_BACKEND);
  result = run_ok (f, CS_ACTION_MARK_RESOLVED, id, NULL);
  g_assert_true (result->queued);
  assert_local_audit (f, result->key, "ok", NULL);
  g_assert_cmpuint (count_unsent_audit (f), ==, 1);

  items = cs_store_list_outbox_for_audit (f->store, result->key, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < items->len; i++)
    if (g_strcmp0 (((CsOutboxItem *) g_ptr_array_index (items, i))->kind,
                   "backend.audit_log") == 0)
      upload = g_ptr_array_index (items, i);
  g_assert_nonnull (upload);

  close_actions (f);
  open_actions (f);
  complete_in_store_only (f, upload->id);
  cs_sim_server_clear_faults (f->sim, CS_SIM_SERVICE_BACKEND);
  resume (f);
  flush (f);

  g_assert_cmpuint (count_unsent_audit (f), ==, 0);
  g_assert_cmpuint (count_audit (f, NULL, NULL), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/calsync/engine/actions/" path, Fixture, NULL, \
              fixture_set_up, func, fixture_tear_down)

  ADD ("kind-names", test_kind_names);
  ADD ("create-in-calcom", test_create_in_calcom);
  ADD ("create-in-calcom-links-existing", test_create_in_calcom_links_existing);
  ADD ("create-in-calcom-no-event-type", test_create_in_calcom_no_event_type);
  ADD ("staff-refused", test_staff_refused);
  ADD ("create-in-crm", test_create_in_crm);
  ADD ("link-and-undo", test_link_and_undo);
  ADD ("local-decisions-and-undo", test_local_decisions_and_undo);
  ADD ("use-values", test_use_values);
  ADD ("use-database-values-reschedules", test_use_database_values_reschedules);
  ADD ("use-database-values-end-only", test_use_database_values_end_only);
  ADD ("replay-after-lost-answer", test_replay_after_lost_answer);
  ADD ("refused-replay-is-done", test_refused_replay_is_done);
  ADD ("create-after-lost-answer", test_create_after_lost_answer);
  ADD ("create-follows-event-type", test_create_follows_event_type);
  ADD ("cancel-both-sides", test_cancel_both_sides);
  ADD ("retry", test_retry);
  ADD ("outbox-restart", test_outbox_restart);
  ADD ("replay-checks-first", test_replay_checks_first);
  ADD ("bulk", test_bulk);
  ADD ("create-waits-with-pending-audit", test_create_waits_with_pending_audit);
  ADD ("use-database-values-failed", test_use_database_values_failed);
  ADD ("create-refused-audited-failed", test_create_refused_audited_failed);
  ADD ("crm-down-click-kept", test_crm_down_click_kept);
  ADD ("settle-after-crash", test_settle_after_crash);
  ADD ("upload-answered-before-crash", test_upload_answered_before_crash);

#undef ADD

  return g_test_run ();
}
