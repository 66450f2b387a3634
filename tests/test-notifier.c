/* test-notifier.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "cs-notifier.h"

/* Every case goes through the real path: a GApplication registered on the
 * private session bus of build-aux/headless.sh sends through GLib's
 * freedesktop backend (forced with GNOTIFICATION_BACKEND, so an
 * org.gtk.Notifications on the bus cannot change the route) to a fake
 * org.freedesktop.Notifications server that this test owns on its own
 * connection and that records every Notify call. Owning that name is why
 * the test runs with is_parallel: false. */

#define APP_ID "io.github.calsync.Calsync.TestNotifier"

#define CUSTOMER_NAME  "Erika Mustermann"
#define CUSTOMER_EMAIL "erika@example.org"
#define CUSTOMER_PHONE "+49 30 1234567"

static const char introspection_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='Notify'>"
  "      <arg type='s' name='app_name' direction='in'/>"
  "      <arg type='u' name='replaces_id' direction='in'/>"
  "      <arg type='s' name='app_icon' direction='in'/>"
  "      <arg type='s' name='summary' direction='in'/>"
  "      <arg type='s' name='body' direction='in'/>"
  "      <arg type='as' name='actions' direction='in'/>"
  "      <arg type='a{sv}' name='hints' direction='in'/>"
  "      <arg type='i' name='expire_timeout' direction='in'/>"
  "      <arg type='u' name='id' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'>"
  "      <arg type='u' name='id' direction='in'/>"
  "    </method>"
  "    <method name='GetCapabilities'>"
  "      <arg type='as' name='capabilities' direction='out'/>"
  "    </method>"
  "    <method name='GetServerInformation'>"
  "      <arg type='s' name='name' direction='out'/>"
  "      <arg type='s' name='vendor' direction='out'/>"
  "      <arg type='s' name='version' direction='out'/>"
  "      <arg type='s' name='spec_version' direction='out'/>"
  "    </method>"
  "    <signal name='NotificationClosed'>"
  "      <arg type='u' name='id'/>"
  "      <arg type='u' name='reason'/>"
  "    </signal>"
  "    <signal name='ActionInvoked'>"
  "      <arg type='u' name='id'/>"
  "      <arg type='s' name='action_key'/>"
  "    </signal>"
  "  </interface>"
  "</node>";

typedef struct
{
  guint32   id;
  guint32   replaces_id;
  char     *summary;
  char     *body;
  char    **actions;
  char     *printed;
} NotifyCall;

static void
notify_call_free (NotifyCall *call)
{
  g_free (call->summary);
  g_free (call->body);
  g_strfreev (call->actions);
  g_free (call->printed);
  g_free (call);
}

/* The process-wide setup: one server, one application. */
static struct
{
  GDBusConnection *server_connection;
  guint            registration_id;
  guint            owner_id;
  gboolean         name_acquired;
  gboolean         name_lost;
  guint32          next_id;
  GPtrArray       *calls;
  guint            n_closed;

  GApplication    *application;
  gboolean         activated;
  char            *activated_action;
  gint64           activated_target;
} env;

static void
server_method_call (GDBusConnection       *connection,
                    const char            *sender,
                    const char            *object_path,
                    const char            *interface_name,
                    const char            *method_name,
                    GVariant              *parameters,
                    GDBusMethodInvocation *invocation,
                    gpointer               user_data)
{
  if (g_str_equal (method_name, "Notify"))
    {
      NotifyCall *call = g_new0 (NotifyCall, 1);

      g_variant_get (parameters, "(&su&s&s&s^as@a{sv}i)",
                     NULL, &call->replaces_id, NULL, NULL, NULL, &call->actions, NULL, NULL);
      g_variant_get_child (parameters, 3, "s", &call->summary);
      g_variant_get_child (parameters, 4, "s", &call->body);
      call->printed = g_variant_print (parameters, TRUE);
      call->id = call->replaces_id != 0 ? call->replaces_id : ++env.next_id;
      g_ptr_array_add (env.calls, call);

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", call->id));
    }
  else if (g_str_equal (method_name, "CloseNotification"))
    {
      env.n_closed++;
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method_name, "GetCapabilities"))
    {
      const char *capabilities[] = { "actions", "body", NULL };

      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(^as)", capabilities));
    }
  else if (g_str_equal (method_name, "GetServerInformation"))
    {
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(ssss)", "calsync-test",
                                                            "Calsync", "1", "1.2"));
    }
  else
    {
      g_dbus_method_invocation_return_dbus_error (invocation,
                                                  "org.freedesktop.DBus.Error.UnknownMethod",
                                                  method_name);
    }
}

static const GDBusInterfaceVTable server_vtable = { server_method_call, NULL, NULL, { 0 } };

static void
name_acquired_cb (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  env.name_acquired = TRUE;
  g_main_context_wakeup (NULL);
}

static void
name_lost_cb (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  env.name_lost = TRUE;
  g_main_context_wakeup (NULL);
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the main context until *flag is set, with a bound: no sleeps.
 * A tick wakes the blocking iteration so the bound is checked. */
static void
iterate_until (const gboolean *flag)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  guint tick_id = g_timeout_add (100, tick_cb, NULL);

  while (!*flag && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (tick_id);
  g_assert_true (*flag);
}

static void
iterate_until_either (const gboolean *a,
                      const gboolean *b)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  guint tick_id = g_timeout_add (100, tick_cb, NULL);

  while (!*a && !*b && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (tick_id);
  g_assert_true (*a || *b);
}

static void
round_trip_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  g_assert_no_error (error);
  *done = TRUE;
  g_main_context_wakeup (NULL);
}

/* Messages on one connection keep their order: once the server answered
 * this call from the application's connection, it has handled every
 * Notify sent before it, and the application has its replies. */
static void
round_trip (void)
{
  GDBusConnection *connection = g_application_get_dbus_connection (env.application);
  gboolean done = FALSE;

  g_dbus_connection_call (connection,
                          "org.freedesktop.Notifications",
                          "/org/freedesktop/Notifications",
                          "org.freedesktop.Notifications",
                          "GetServerInformation",
                          NULL, G_VARIANT_TYPE ("(ssss)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                          round_trip_cb, &done);
  iterate_until (&done);
}

static void
action_activated_cb (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  g_free (env.activated_action);
  env.activated_action = g_strdup (g_action_get_name (G_ACTION (action)));
  env.activated_target = g_variant_get_int64 (parameter);
  env.activated = TRUE;
  g_main_context_wakeup (NULL);
}

static gboolean
setup_env (void)
{
  g_autoptr(GDBusNodeInfo) info = NULL;
  g_autofree char *address = NULL;
  g_autoptr(GError) error = NULL;
  const char *action_names[] = { "review", "retry" };

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    return FALSE;

  address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);

  env.server_connection =
    g_dbus_connection_new_for_address_sync (address,
                                            (G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                             G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION),
                                            NULL, NULL, &error);
  g_assert_no_error (error);

  info = g_dbus_node_info_new_for_xml (introspection_xml, &error);
  g_assert_no_error (error);

  env.registration_id =
    g_dbus_connection_register_object (env.server_connection,
                                       "/org/freedesktop/Notifications",
                                       info->interfaces[0],
                                       &server_vtable,
                                       NULL, NULL, &error);
  g_assert_no_error (error);

  env.calls = g_ptr_array_new_with_free_func ((GDestroyNotify) notify_call_free);

  /* Never take the name from a real server (when run outside headless.sh) */
  env.owner_id = g_bus_own_name_on_connection (env.server_connection,
                                               "org.freedesktop.Notifications",
                                               G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                               name_acquired_cb, name_lost_cb,
                                               NULL, NULL);
  iterate_until_either (&env.name_acquired, &env.name_lost);

  if (!env.name_acquired)
    return FALSE;

  env.application = g_application_new (APP_ID, G_APPLICATION_DEFAULT_FLAGS);
  for (guint i = 0; i < G_N_ELEMENTS (action_names); i++)
    {
      g_autoptr(GSimpleAction) action = NULL;

      action = g_simple_action_new (action_names[i], G_VARIANT_TYPE_INT64);
      g_signal_connect (action, "activate", G_CALLBACK (action_activated_cb), NULL);
      g_action_map_add_action (G_ACTION_MAP (env.application), G_ACTION (action));
    }

  g_application_register (env.application, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_application_get_is_remote (env.application));

  return TRUE;
}

static void
teardown_env (void)
{
  g_clear_object (&env.application);
  g_clear_pointer (&env.activated_action, g_free);

  if (env.owner_id != 0)
    g_bus_unown_name (env.owner_id);
  if (env.registration_id != 0)
    g_dbus_connection_unregister_object (env.server_connection, env.registration_id);
  g_clear_object (&env.server_connection);
  g_clear_pointer (&env.calls, g_ptr_array_unref);
}

typedef struct
{
  CsNotifier *notifier;
  GPtrArray  *sent_ids;
} Fixture;

static void
sent_cb (CsNotifier    *notifier,
         const char    *id,
         GNotification *notification,
         Fixture       *fixture)
{
  g_assert_true (G_IS_NOTIFICATION (notification));
  g_ptr_array_add (fixture->sent_ids, g_strdup (id));
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  /* Not a skip: the tests run on a private bus (build-aux/headless.sh),
   * where the name is always free; anything else is a broken setup. */
  if (env.application == NULL)
    g_error ("org.freedesktop.Notifications is taken on this bus; "
             "run the tests through build-aux/headless.sh");

  g_ptr_array_set_size (env.calls, 0);
  g_clear_pointer (&env.activated_action, g_free);
  env.activated_target = -1;

  fixture->notifier = cs_notifier_new (env.application);
  fixture->sent_ids = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (fixture->notifier, "sent", G_CALLBACK (sent_cb), fixture);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (fixture->notifier != NULL)
    g_assert_finalize_object (fixture->notifier);
  g_clear_pointer (&fixture->sent_ids, g_ptr_array_unref);
}

static CsAppointment *
make_flagged (gint64       id,
              const char  *number,
              CsErrorCode  code,
              CsTime       flagged_at)
{
  CsAppointment *appointment = cs_appointment_new ();

  appointment->id = id;
  appointment->company_id = 7;
  appointment->number = g_strdup (number);
  appointment->title = g_strdup ("Hairstyling - Herrenschnitt");
  appointment->customer_name = g_strdup (CUSTOMER_NAME);
  appointment->customer_email = g_strdup (CUSTOMER_EMAIL);
  appointment->customer_phone = g_strdup (CUSTOMER_PHONE);
  appointment->sync.status = CS_SYNC_STATUS_FAILED;
  appointment->sync.sync_error_code = code;
  appointment->sync.requires_manual_review = TRUE;
  appointment->sync.manual_review_flagged_at = flagged_at;

  return appointment;
}

static void
assert_no_customer_data (const NotifyCall *call)
{
  /* The whole Notify call, hints included */
  g_assert_null (strstr (call->printed, CUSTOMER_NAME));
  g_assert_null (strstr (call->printed, "Erika"));
  g_assert_null (strstr (call->printed, "Mustermann"));
  g_assert_null (strstr (call->printed, CUSTOMER_EMAIL));
  g_assert_null (strstr (call->printed, CUSTOMER_PHONE));
  g_assert_null (strstr (call->printed, "1234567"));
  g_assert_null (strstr (call->printed, "Herrenschnitt"));
}

static NotifyCall *
call_at (guint i)
{
  g_assert_cmpuint (i, <, env.calls->len);
  return g_ptr_array_index (env.calls, i);
}

static void
invoke_action (guint32     notify_id,
               const char *action_key)
{
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&env.activated_action, g_free);
  env.activated = FALSE;
  g_dbus_connection_emit_signal (env.server_connection, NULL,
                                 "/org/freedesktop/Notifications",
                                 "org.freedesktop.Notifications",
                                 "ActionInvoked",
                                 g_variant_new ("(us)", notify_id, action_key),
                                 &error);
  g_assert_no_error (error);
}

static void
test_one (Fixture       *fixture,
          gconstpointer  data)
{
  g_autoptr(CsAppointment) appointment = NULL;
  const CsAppointment *list[1];
  NotifyCall *call;

  if (fixture->notifier == NULL)
    return;

  appointment = make_flagged (42, "1236", CS_ERROR_CODE_ORPHANED_LOCAL, 1000);
  list[0] = appointment;
  cs_notifier_flagged (fixture->notifier, list, 1);
  round_trip ();

  g_assert_cmpuint (fixture->sent_ids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->sent_ids, 0), ==, "flagged-42");

  g_assert_cmpuint (env.calls->len, ==, 1);
  call = call_at (0);
  g_assert_cmpstr (call->summary, ==, "Appointment #1236 needs review");
  g_assert_cmpstr (call->body, ==, "Not found in Cal.com.");
  /* The default action, then the button with its detailed name */
  g_assert_cmpuint (g_strv_length (call->actions), ==, 4);
  g_assert_cmpstr (call->actions[0], ==, "default");
  g_assert_cmpstr (call->actions[2], ==, "app.retry(int64 42)");
  g_assert_cmpstr (call->actions[3], ==, "Retry now");
  assert_no_customer_data (call);

  /* The button reaches app.retry with the appointment id (an invoked
   * notification is gone: the default action is checked in end-to-end) */
  invoke_action (call->id, "app.retry(int64 42)");
  iterate_until (&env.activated);
  g_assert_cmpstr (env.activated_action, ==, "retry");
  g_assert_cmpint (env.activated_target, ==, 42);
}

static void
test_body_per_kind (Fixture       *fixture,
                    gconstpointer  data)
{
  const struct {
    CsErrorCode  code;
    const char  *body;
  } kinds[] = {
    { CS_ERROR_CODE_ORPHANED_LOCAL, "Not found in Cal.com." },
    { CS_ERROR_CODE_ORPHANED_CALCOM, "In Cal.com but not in the database." },
    { CS_ERROR_CODE_DATA_MISMATCH, "Time or status differ between the database and Cal.com." },
    { CS_ERROR_CODE_VERIFICATION_ERROR, "Could not be verified after three attempts." },
  };

  if (fixture->notifier == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      /* Without a number, the id names the appointment */
      g_autoptr(CsAppointment) appointment = make_flagged (100 + i, NULL, kinds[i].code, 1000);
      const CsAppointment *list[] = { appointment };
      g_autofree char *title = g_strdup_printf ("Appointment #%u needs review", 100 + i);

      cs_notifier_flagged (fixture->notifier, list, 1);
      round_trip ();

      g_assert_cmpuint (env.calls->len, ==, i + 1);
      g_assert_cmpstr (call_at (i)->summary, ==, title);
      g_assert_cmpstr (call_at (i)->body, ==, kinds[i].body);
      assert_no_customer_data (call_at (i));
    }
}

static void
test_several (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(CsAppointment) a = NULL;
  g_autoptr(CsAppointment) b = NULL;
  g_autoptr(CsAppointment) c = NULL;
  const CsAppointment *list[3];
  NotifyCall *call;

  if (fixture->notifier == NULL)
    return;

  a = make_flagged (1, "1236", CS_ERROR_CODE_ORPHANED_LOCAL, 1000);
  b = make_flagged (2, "1237", CS_ERROR_CODE_ORPHANED_LOCAL, 1000);
  c = make_flagged (3, "1238", CS_ERROR_CODE_DATA_MISMATCH, 1000);
  list[0] = a;
  list[1] = b;
  list[2] = c;
  cs_notifier_flagged (fixture->notifier, list, G_N_ELEMENTS (list));
  round_trip ();

  g_assert_cmpuint (fixture->sent_ids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->sent_ids, 0), ==, "flagged-summary");

  g_assert_cmpuint (env.calls->len, ==, 1);
  call = call_at (0);
  g_assert_cmpstr (call->summary, ==, "3 appointments need review");
  g_assert_cmpstr (call->body, ==,
                   "2 not found in Cal.com\n"
                   "1 with a different time or status");
  /* Only the default action: app.review with 0, the review list */
  g_assert_cmpuint (g_strv_length (call->actions), ==, 2);
  g_assert_cmpstr (call->actions[0], ==, "default");
  /* No per-appointment data */
  g_assert_null (strstr (call->printed, "1236"));
  g_assert_null (strstr (call->printed, "1237"));
  g_assert_null (strstr (call->printed, "1238"));
  assert_no_customer_data (call);

  invoke_action (call->id, "default");
  iterate_until (&env.activated);
  g_assert_cmpstr (env.activated_action, ==, "review");
  g_assert_cmpint (env.activated_target, ==, 0);
}

static void
test_same_flag_twice (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(CsAppointment) a = NULL;
  g_autoptr(CsAppointment) b = NULL;
  const CsAppointment *list[2];

  if (fixture->notifier == NULL)
    return;

  a = make_flagged (42, "1236", CS_ERROR_CODE_ORPHANED_CALCOM, 1000);
  b = make_flagged (43, "1237", CS_ERROR_CODE_ORPHANED_CALCOM, 1000);
  list[0] = a;
  list[1] = a;

  /* Twice in one call: still one flag */
  cs_notifier_flagged (fixture->notifier, list, 2);
  round_trip ();
  g_assert_cmpuint (env.calls->len, ==, 1);
  g_assert_cmpstr (call_at (0)->summary, ==, "Appointment #1236 needs review");

  /* The same flag again: nothing */
  cs_notifier_flagged (fixture->notifier, list, 1);
  round_trip ();
  g_assert_cmpuint (env.calls->len, ==, 1);
  g_assert_cmpuint (fixture->sent_ids->len, ==, 1);

  /* With a new one: only the new one, alone, so no summary */
  list[1] = b;
  cs_notifier_flagged (fixture->notifier, list, 2);
  round_trip ();
  g_assert_cmpuint (env.calls->len, ==, 2);
  g_assert_cmpstr (call_at (1)->summary, ==, "Appointment #1237 needs review");

  /* Flagged anew later (resolved, failed again): a new flag */
  a->sync.manual_review_flagged_at = 2000;
  cs_notifier_flagged (fixture->notifier, list, 1);
  round_trip ();
  g_assert_cmpuint (env.calls->len, ==, 3);
  g_assert_cmpstr (call_at (2)->summary, ==, "Appointment #1236 needs review");
  /* Same id: the desktop replaces the stale notification */
  g_assert_cmpuint (call_at (2)->replaces_id, ==, call_at (0)->id);

  /* Not flagged at all: nothing */
  b->sync.requires_manual_review = FALSE;
  b->sync.manual_review_flagged_at = 3000;
  cs_notifier_flagged (fixture->notifier, list + 1, 1);
  round_trip ();
  g_assert_cmpuint (env.calls->len, ==, 3);
  g_assert_cmpuint (fixture->sent_ids->len, ==, 3);
}

static void
test_disabled (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(CsAppointment) a = NULL;
  g_autoptr(CsAppointment) b = NULL;
  const CsAppointment *list[1];
  guint n_notify = 0;

  if (fixture->notifier == NULL)
    return;

  g_signal_connect_swapped (fixture->notifier, "notify::enabled",
                            G_CALLBACK (g_atomic_int_inc), &n_notify);
  g_object_set (fixture->notifier, "enabled", FALSE, NULL);
  g_object_set (fixture->notifier, "enabled", FALSE, NULL);
  g_assert_cmpuint (n_notify, ==, 1);
  g_assert_false (cs_notifier_get_enabled (fixture->notifier));

  a = make_flagged (42, "1236", CS_ERROR_CODE_VERIFICATION_ERROR, 1000);
  list[0] = a;
  cs_notifier_flagged (fixture->notifier, list, 1);
  cs_notifier_sync_restored (fixture->notifier, CS_NOTIFIER_SERVICE_CALCOM);
  round_trip ();
  g_assert_cmpuint (env.calls->len, ==, 0);
  g_assert_cmpuint (fixture->sent_ids->len, ==, 0);

  /* Enabled again: the old flag is not replayed, a new one is sent */
  cs_notifier_set_enabled (fixture->notifier, TRUE);
  g_assert_cmpuint (n_notify, ==, 2);
  cs_notifier_flagged (fixture->notifier, list, 1);
  round_trip ();
  g_assert_cmpuint (env.calls->len, ==, 0);

  b = make_flagged (43, "1237", CS_ERROR_CODE_VERIFICATION_ERROR, 1000);
  list[0] = b;
  cs_notifier_flagged (fixture->notifier, list, 1);
  round_trip ();
  g_assert_cmpuint (env.calls->len, ==, 1);
  g_assert_cmpstr (call_at (0)->summary, ==, "Appointment #1237 needs review");
  g_assert_cmpstr (call_at (0)->body, ==, "Could not be verified after three attempts.");
}

static void
test_sync_restored (Fixture       *fixture,
                    gconstpointer  data)
{
  if (fixture->notifier == NULL)
    return;

  cs_notifier_sync_restored (fixture->notifier, CS_NOTIFIER_SERVICE_CALCOM);
  round_trip ();
  g_assert_cmpuint (env.calls->len, ==, 1);
  g_assert_cmpstr (call_at (0)->summary, ==, "Sync restored");
  g_assert_cmpstr (call_at (0)->body, ==, "Cal.com is answering again.");
  g_assert_cmpuint (g_strv_length (call_at (0)->actions), ==, 0);

  cs_notifier_sync_restored (fixture->notifier, CS_NOTIFIER_SERVICE_CRM);
  round_trip ();
  g_assert_cmpuint (env.calls->len, ==, 2);
  g_assert_cmpstr (call_at (1)->summary, ==, "Sync restored");
  g_assert_cmpstr (call_at (1)->body, ==, "The CRM server is answering again.");
  /* One id "sync-restored": the newer replaces the older */
  g_assert_cmpuint (call_at (1)->replaces_id, ==, call_at (0)->id);

  g_assert_cmpuint (fixture->sent_ids->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (fixture->sent_ids, 0), ==, "sync-restored");
  g_assert_cmpstr (g_ptr_array_index (fixture->sent_ids, 1), ==, "sync-restored");
}

typedef struct
{
  GPtrArray *ids;
  gboolean   destroyed;
} SendData;

static void
record_send (CsNotifier    *notifier,
             const char    *id,
             GNotification *notification,
             gpointer       user_data)
{
  SendData *send = user_data;

  g_assert_true (CS_IS_NOTIFIER (notifier));
  g_assert_true (G_IS_NOTIFICATION (notification));
  g_ptr_array_add (send->ids, g_strdup (id));
}

static void
send_data_destroy (gpointer user_data)
{
  SendData *send = user_data;

  send->destroyed = TRUE;
}

static void
test_send_func (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(CsAppointment) a = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  SendData send = { ids, FALSE };
  const CsAppointment *list[1];

  if (fixture->notifier == NULL)
    return;

  cs_notifier_set_send_func (fixture->notifier, record_send, &send, send_data_destroy);

  a = make_flagged (42, "1236", CS_ERROR_CODE_DATA_MISMATCH, 1000);
  list[0] = a;
  cs_notifier_flagged (fixture->notifier, list, 1);
  round_trip ();

  /* Through the function, not the desktop; "sent" all the same */
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (ids, 0), ==, "flagged-42");
  g_assert_cmpuint (fixture->sent_ids->len, ==, 1);
  g_assert_cmpuint (env.calls->len, ==, 0);

  /* Back to the default */
  cs_notifier_set_send_func (fixture->notifier, NULL, NULL, NULL);
  g_assert_true (send.destroyed);
  cs_notifier_sync_restored (fixture->notifier, CS_NOTIFIER_SERVICE_CALCOM);
  round_trip ();
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpuint (env.calls->len, ==, 1);
}

static void
test_no_application (void)
{
  g_autoptr(CsNotifier) notifier = NULL;
  g_autoptr(GApplication) application = NULL;
  g_autoptr(GApplication) dup = NULL;
  g_autoptr(CsAppointment) a = NULL;
  const CsAppointment *list[1];
  guint n_sent = 0;

  /* Unregistered: the default send function shows nothing and warns not */
  application = g_application_new (APP_ID ".Unregistered", G_APPLICATION_DEFAULT_FLAGS);
  notifier = cs_notifier_new (application);
  dup = cs_notifier_dup_application (notifier);
  g_assert_true (dup == application);
  g_clear_object (&dup);

  g_signal_connect_swapped (notifier, "sent", G_CALLBACK (g_atomic_int_inc), &n_sent);

  a = make_flagged (42, "1236", CS_ERROR_CODE_ORPHANED_LOCAL, 1000);
  list[0] = a;
  cs_notifier_flagged (notifier, list, 1);
  g_assert_cmpuint (n_sent, ==, 1);

  /* The reference is weak */
  g_assert_finalize_object (g_steal_pointer (&application));
  g_assert_null (cs_notifier_dup_application (notifier));
  cs_notifier_sync_restored (notifier, CS_NOTIFIER_SERVICE_CRM);
  g_assert_cmpuint (n_sent, ==, 2);

  g_assert_finalize_object (g_steal_pointer (&notifier));
}

/* The end-to-end check: one run flags one appointment, the
 * notification server receives exactly one Notify, and its actions reach
 * the application with the appointment id. */
static void
test_end_to_end (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(CsAppointment) a = NULL;
  const CsAppointment *list[1];
  NotifyCall *call;

  if (fixture->notifier == NULL)
    return;

  a = make_flagged (4711, "1236", CS_ERROR_CODE_ORPHANED_LOCAL, 1000);
  list[0] = a;
  cs_notifier_flagged (fixture->notifier, list, 1);
  /* The engine's next run passes it again only if newly flagged; even so */
  cs_notifier_flagged (fixture->notifier, list, 1);
  round_trip ();

  g_assert_cmpuint (env.calls->len, ==, 1);
  call = call_at (0);
  g_assert_cmpstr (call->summary, ==, "Appointment #1236 needs review");
  g_assert_cmpstr (call->body, ==, "Not found in Cal.com.");
  assert_no_customer_data (call);

  invoke_action (call->id, "default");
  iterate_until (&env.activated);
  g_assert_cmpstr (env.activated_action, ==, "review");
  g_assert_cmpint (env.activated_target, ==, 4711);

  g_assert_cmpuint (env.calls->len, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  /* Before GIO picks a backend: the freedesktop one, whatever else runs */
  g_setenv ("GNOTIFICATION_BACKEND", "freedesktop", TRUE);

  g_test_init (&argc, &argv, NULL);

  if (!setup_env ())
    g_clear_object (&env.application);

#define ADD(path, func) \
  g_test_add ("/calsync/engine/notifier/" path, Fixture, NULL, \
              fixture_setup, func, fixture_teardown)

  ADD ("one", test_one);
  ADD ("body-per-kind", test_body_per_kind);
  ADD ("several", test_several);
  ADD ("same-flag-twice", test_same_flag_twice);
  ADD ("disabled", test_disabled);
  ADD ("sync-restored", test_sync_restored);
  ADD ("send-func", test_send_func);
  ADD ("end-to-end", test_end_to_end);
  g_test_add_func ("/calsync/engine/notifier/no-application", test_no_application);

#undef ADD

  ret = g_test_run ();

  teardown_env ();

  return ret;
}
