/* cs-demo.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>

#include "cs-demo.h"
#include "cs-manual-clock.h"

/**
 * CsDemo:
 *
 * `--demo`: the built-in simulator on loopback with a generated company,
 * settings held in memory, a cache in a temporary folder and the
 * simulator's keys held by the engine only. Nothing of the user's
 * settings, cache or keyring is touched; disposing the demo stops the
 * simulator and removes the folder.
 *
 * cs_demo_prepare_async() fills the cache so the window shows every state
 * at once (see there).
 */
struct _CsDemo
{
  GObject           parent_instance;

  guint             n_appointments;
  GSettingsBackend *backend;
  GSettings        *settings;
  CsSimDataset     *dataset;
  CsSimServer      *server;
  char             *dir;
  char             *store_path;
  guint             history_days;
};

G_DEFINE_FINAL_TYPE (CsDemo, cs_demo, G_TYPE_OBJECT)

/* The files SQLite keeps beside a cache in WAL mode. */
static const char * const cache_suffixes[] = { "", "-wal", "-shm", "-journal" };

static void
cs_demo_dispose (GObject *object)
{
  CsDemo *self = CS_DEMO (object);

  if (self->server != NULL)
    cs_sim_server_stop (self->server);
  g_clear_object (&self->server);
  g_clear_object (&self->dataset);
  g_clear_object (&self->settings);
  g_clear_object (&self->backend);

  if (self->dir != NULL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (cache_suffixes); i++)
        {
          g_autofree char *file = g_strconcat (self->store_path, cache_suffixes[i], NULL);

          g_unlink (file);
        }
      g_rmdir (self->dir);
      g_clear_pointer (&self->dir, g_free);
    }

  G_OBJECT_CLASS (cs_demo_parent_class)->dispose (object);
}

static void
cs_demo_finalize (GObject *object)
{
  CsDemo *self = CS_DEMO (object);

  g_free (self->store_path);

  G_OBJECT_CLASS (cs_demo_parent_class)->finalize (object);
}

static void
cs_demo_class_init (CsDemoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_demo_dispose;
  object_class->finalize = cs_demo_finalize;
}

static void
cs_demo_init (CsDemo *self)
{
  self->history_days = CS_DEMO_HISTORY_DAYS;
}

/**
 * cs_demo_new:
 * @n_appointments: the size of the generated company
 *
 * Returns: (transfer full): a demo; start it with cs_demo_start()
 */
CsDemo *
cs_demo_new (guint n_appointments)
{
  CsDemo *self = g_object_new (CS_TYPE_DEMO, NULL);

  self->n_appointments = n_appointments;
  return self;
}

/**
 * cs_demo_start:
 * @self: a demo
 * @error: return location for an error
 *
 * Generates the company, starts the simulator and makes the temporary
 * folder of the cache.
 *
 * Returns: whether the demo can run
 */
gboolean
cs_demo_start (CsDemo  *self,
               GError **error)
{
  CsSimDatasetConfig config;

  g_return_val_if_fail (CS_IS_DEMO (self), FALSE);
  g_return_val_if_fail (self->server == NULL, FALSE);

  self->backend = g_memory_settings_backend_new ();
  self->settings = g_settings_new_with_backend (APPLICATION_ID, self->backend);

  cs_sim_dataset_config_init (&config);
  config.seed = CS_DEMO_SEED;
  config.n_appointments = self->n_appointments;
  self->dataset = cs_sim_dataset_new (cs_clock_get_system (), &config, error);
  if (self->dataset == NULL)
    return FALSE;

  self->server = cs_sim_server_new (cs_clock_get_system (), self->dataset);
  if (!cs_sim_server_start (self->server, 0, 0, error))
    return FALSE;

  g_settings_set_string (self->settings, "calcom-url", cs_sim_server_get_calcom_url (self->server));
  g_settings_set_string (self->settings, "backend-url", cs_sim_server_get_backend_url (self->server));

  self->dir = g_dir_make_tmp ("calsync-demo-XXXXXX", error);
  if (self->dir == NULL)
    return FALSE;
  self->store_path = g_build_filename (self->dir, "cache.sqlite3", NULL);

  return TRUE;
}

/* Preparing the demo's cache
 *
 * The seeding runs are the real engine (the demo's settings, cache and
 * keys) on a #CsManualClock, against the simulator on the system clock: the
 * clock is set to each past moment in turn, the simulated company changes
 * between the moments as a real one would, and every status in the cache
 * is what a run, a retry or an action wrote there. */

typedef enum
{
  STEP_DAY,            /* the company's day: new bookings, cancellations, … */
  STEP_COMPREHENSIVE,
  STEP_CYCLE,
  STEP_RETRY,          /* the due items, as the engine's retry */
  STEP_BATCH_A,        /* today's problems */
  STEP_BATCH_B,        /* what the voice agent wrote a minute ago */
  STEP_FAULT_LOOKUPS,  /* Cal.com fails every lookup from now on */
  STEP_RESOLVE,
} StepKind;

typedef struct
{
  StepKind kind;
  CsTime   at;
  guint    day;        /* STEP_DAY: days before now */
  gboolean outage;     /* STEP_DAY: Cal.com answers 503 all day */
} Step;

typedef struct
{
  CsClock     *clock;
  CsEngine    *engine;
  GArray      *steps;           /* Step */
  guint        next_step;
  GPtrArray   *templates;       /* CsSimAppointment of synced pairs, borrowed */
  guint        next_template;
  guint        next_cancel;
  gint64       next_booking_id;
  GArray      *resolve_ids;     /* gint64 */
  guint        idle_id;
  guint        tick_id;
  gulong       phase_id;
  gboolean     fault_lookups;
  CsSimRateLimit rate_limit;
} Prepare;

static void
prepare_free (Prepare *prep)
{
  g_clear_handle_id (&prep->idle_id, g_source_remove);
  g_clear_handle_id (&prep->tick_id, g_source_remove);
  if (prep->engine != NULL && prep->phase_id != 0)
    g_clear_signal_handler (&prep->phase_id, cs_engine_get_verifier (prep->engine));
  g_clear_object (&prep->engine);
  g_clear_object (&prep->clock);
  g_clear_pointer (&prep->steps, g_array_unref);
  g_clear_pointer (&prep->templates, g_ptr_array_unref);
  g_clear_pointer (&prep->resolve_ids, g_array_unref);
  g_free (prep);
}

static void
add_step (Prepare  *prep,
          StepKind  kind,
          CsTime    at)
{
  Step step = { kind, at, 0, FALSE };

  g_array_append_val (prep->steps, step);
}

static void prepare_next (GTask *task);

/* During a seeding run simulated time passes as real time does (so the
 * runs have their real durations, however short: the clock follows real
 * time between its moves), and while the run waits for a timer of its
 * clients (a rate-limit slot, a back-off) it moves on to it; never while a
 * request is on the wire, and never by more than a few minutes (the
 * engine's other timers are not the run's business). */

/* A run against the in-process simulator keeps the loop busy, so a
 * low-priority idle alone would hardly ever fire the timers that real
 * time made due. */
static gboolean
follow_real_time_cb (gpointer user_data)
{
  Prepare *prep = user_data;

  cs_manual_clock_advance (CS_MANUAL_CLOCK (prep->clock), 0);
  return G_SOURCE_CONTINUE;
}

static gboolean
advance_when_idle_cb (gpointer user_data)
{
  Prepare *prep = user_data;
  CsHttpClient *calcom = cs_calcom_client_get_http (cs_engine_get_calcom (prep->engine));
  CsHttpClient *backend = cs_backend_client_get_http (cs_engine_get_backend (prep->engine));
  CsManualClock *clock = CS_MANUAL_CLOCK (prep->clock);

  cs_manual_clock_advance (clock, 0);

  if (cs_http_client_get_n_in_flight (calcom) == 0 &&
      cs_http_client_get_n_in_flight (backend) == 0 &&
      cs_manual_clock_get_n_timeouts (clock) > 0 &&
      cs_manual_clock_get_next_due (clock) <= cs_clock_get_now (prep->clock) + 3 * CS_USEC_PER_MINUTE)
    cs_manual_clock_advance_to_next (clock);

  return G_SOURCE_CONTINUE;
}

static void
watch_run (Prepare  *prep,
           gboolean  watch)
{
  cs_manual_clock_set_follow_real_time (CS_MANUAL_CLOCK (prep->clock), watch);
  if (watch && prep->idle_id == 0)
    {
      prep->idle_id = g_idle_add_full (G_PRIORITY_LOW, advance_when_idle_cb, prep, NULL);
      prep->tick_id = g_timeout_add (1, follow_real_time_cb, prep);
    }
  else if (!watch)
    {
      g_clear_handle_id (&prep->idle_id, g_source_remove);
      g_clear_handle_id (&prep->tick_id, g_source_remove);
    }
}

/* Cal.com fails while a run looks bookings up by uid (its listings still
 * work): the honest way to a VERIFICATION_ERROR. */
static void
phase_cb (CsVerifier *verifier,
          GParamSpec *pspec,
          CsDemo     *demo)
{
  Prepare *prep = g_object_get_data (G_OBJECT (verifier), "cs-demo-prepare");
  CsSimFaults faults;

  if (prep == NULL || !prep->fault_lookups)
    return;

  cs_sim_faults_init (&faults);
  if (cs_verifier_get_phase (verifier) == CS_VERIFIER_LOOKING_UP)
    faults.force_status = 500;
  cs_sim_server_set_faults (demo->server, CS_SIM_SERVICE_CALCOM, &faults);
}

static void
run_done (GTask *task)
{
  Prepare *prep = g_task_get_task_data (task);

  watch_run (prep, FALSE);
  prepare_next (task);
}

static void
verify_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;

  /* A run that fails (the outage day) is part of the history. */
  report = cs_engine_verify_finish (CS_ENGINE (object), result, &error);
  if (report == NULL)
    g_debug ("A seeding run failed: %s", error->message);
  run_done (task);
}

static void
retry_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;

  report = cs_verifier_run_finish (CS_VERIFIER (object), result, &error);
  if (report == NULL)
    g_debug ("A seeding retry failed: %s", error->message);
  run_done (task);
}

/* As the engine's own retry: the due items, from the cache. */
static void
start_retry (GTask *task)
{
  Prepare *prep = g_task_get_task_data (task);
  CsStore *store = cs_engine_get_store (prep->engine);
  CsTime now = cs_clock_get_now (prep->clock);
  g_autoptr(GPtrArray) appointments = cs_store_list_due_appointments (store, now, NULL);
  g_autoptr(GPtrArray) bookings = cs_store_list_due_bookings (store, now, NULL);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) uids = g_ptr_array_new_with_free_func (g_free);
  CsVerifyOptions options;

  for (guint i = 0; appointments != NULL && i < appointments->len; i++)
    g_array_append_val (ids, ((CsAppointment *) g_ptr_array_index (appointments, i))->id);
  for (guint i = 0; bookings != NULL && i < bookings->len; i++)
    g_ptr_array_add (uids, g_strdup (((CsBooking *) g_ptr_array_index (bookings, i))->uid));

  if (ids->len == 0 && uids->len == 0)
    {
      prepare_next (task);
      return;
    }

  cs_verify_options_init (&options);
  options.kind = CS_VERIFICATION_RETRY;
  options.appointment_ids = ids;
  options.booking_uids = uids;
  cs_engine_get_window (prep->engine, &options.window_start, &options.window_end);

  watch_run (prep, TRUE);
  cs_verifier_run_async (cs_engine_get_verifier (prep->engine), &options,
                         g_task_get_cancellable (task), retry_cb, g_object_ref (task));
}

/* The simulated company */

static CsSimAppointment *
next_template (Prepare *prep)
{
  CsSimAppointment *row = g_ptr_array_index (prep->templates, prep->next_template);

  prep->next_template = (prep->next_template + 1) % prep->templates->len;
  return row;
}

typedef enum
{
  NEW_SYNCED,
  NEW_ORPHANED_LOCAL,   /* no booking; the appointment names none */
  NEW_LOST_BOOKING,     /* names a booking Cal.com does not have */
  NEW_MISMATCH,         /* the booking starts half an hour earlier */
  NEW_ORPHANED_CALCOM,  /* a booking without an appointment */
} NewKind;

/* A new appointment written by the voice agent (a copy of an existing one,
 * some days ahead of @now) and, as @kind says, its booking. */
static CsAppointment *
add_appointment (CsDemo  *self,
                 Prepare *prep,
                 NewKind  kind)
{
  CsSimAppointment *template = next_template (prep);
  CsSimBooking *template_booking =
    cs_sim_dataset_lookup_booking (self->dataset, template->appointment->calcom_booking_uid);
  CsTime now = cs_clock_get_now (prep->clock);
  g_autoptr(CsAppointment) appointment = cs_appointment_copy (template->appointment);
  g_autoptr(CsBooking) booking = NULL;
  CsTime shift;

  shift = ((now - appointment->starts_at) / CS_USEC_PER_DAY + 1 + prep->next_template % 21) *
          CS_USEC_PER_DAY;

  appointment->id = cs_sim_dataset_next_appointment_id (self->dataset);
  g_free (appointment->number);
  appointment->number = g_strdup_printf ("%" G_GINT64_FORMAT, appointment->id);
  appointment->starts_at += shift;
  appointment->ends_at += shift;
  appointment->status = CS_CRM_STATUS_SCHEDULED;
  appointment->created_at = now;
  appointment->updated_at = now;
  cs_sync_tracking_clear (&appointment->sync);
  cs_sync_tracking_init (&appointment->sync);
  appointment->next_attempt_at = CS_TIME_UNSET;

  booking = cs_booking_copy (template_booking->booking);
  g_free (booking->uid);
  booking->uid = cs_sim_dataset_new_booking_uid (self->dataset);
  booking->id = prep->next_booking_id++;
  booking->start += shift;
  booking->end += shift;
  booking->status = CS_BOOKING_STATUS_ACCEPTED;
  booking->updated_at = now;
  if (kind == NEW_MISMATCH)
    booking->start -= 30 * CS_USEC_PER_MINUTE;
  if (kind == NEW_ORPHANED_CALCOM)
    {
      /* Nobody's: no CRM id, and an hour no appointment has. */
      if (booking->metadata != NULL)
        g_hash_table_remove_all (booking->metadata);
      booking->start += 2 * CS_USEC_PER_HOUR;
      booking->end += 2 * CS_USEC_PER_HOUR;
      cs_sim_dataset_put_booking (self->dataset, booking);
      return NULL;
    }

  g_free (appointment->calcom_booking_uid);
  appointment->calcom_booking_uid = kind == NEW_ORPHANED_LOCAL ? NULL : g_strdup (booking->uid);
  cs_booking_set_metadata (booking, CS_METADATA_CRM_APPOINTMENT_ID, appointment->number);

  if (kind != NEW_ORPHANED_LOCAL && kind != NEW_LOST_BOOKING)
    cs_sim_dataset_put_booking (self->dataset, booking);
  cs_sim_dataset_put_appointment (self->dataset, appointment);

  return g_steal_pointer (&appointment);
}

/* A customer calls to cancel: both sides are cancelled, still in sync. */
static void
cancel_pair (CsDemo  *self,
             Prepare *prep)
{
  CsSimAppointment *row;
  CsSimBooking *booking;
  CsTime now = cs_clock_get_now (prep->clock);

  prep->next_cancel += 7;
  row = g_ptr_array_index (prep->templates, prep->next_cancel % prep->templates->len);
  booking = cs_sim_dataset_lookup_booking (self->dataset, row->appointment->calcom_booking_uid);
  if (row->appointment->status == CS_CRM_STATUS_CANCELLED)
    return;

  row->appointment->status = CS_CRM_STATUS_CANCELLED;
  row->appointment->updated_at = now;
  cs_sim_dataset_touch_appointment (self->dataset, row);
  booking->booking->status = CS_BOOKING_STATUS_CANCELLED;
  booking->booking->updated_at = now;
  cs_sim_dataset_touch_booking (self->dataset, booking);
}

static void
company_day (CsDemo     *self,
             Prepare    *prep,
             const Step *step)
{
  g_autoptr(CsAppointment) a = NULL;
  g_autoptr(CsAppointment) b = NULL;
  g_autoptr(CsAppointment) c = NULL;
  CsSimFaults faults;

  a = add_appointment (self, prep, NEW_SYNCED);
  b = add_appointment (self, prep, NEW_SYNCED);
  cancel_pair (self, prep);
  /* Now and then the voice agent's write to Cal.com is lost, or lands
   * at another time: found at the day's check, flagged by its retries. */
  if (step->day % 3 == 0)
    c = add_appointment (self, prep, NEW_ORPHANED_LOCAL);
  else if (step->day % 3 == 1)
    c = add_appointment (self, prep, NEW_MISMATCH);

  cs_sim_faults_init (&faults);
  if (step->outage)
    faults.force_status = 503;
  cs_sim_server_set_faults (self->server, CS_SIM_SERVICE_CALCOM, &faults);
}

static void
add_batch_a (CsDemo  *self,
             Prepare *prep,
             guint    variant)
{
  static const NewKind first[] = { NEW_SYNCED, NEW_SYNCED, NEW_LOST_BOOKING, NEW_LOST_BOOKING,
                                   NEW_ORPHANED_LOCAL, NEW_MISMATCH, NEW_MISMATCH,
                                   NEW_ORPHANED_CALCOM };
  static const NewKind second[] = { NEW_SYNCED, NEW_LOST_BOOKING, NEW_ORPHANED_LOCAL,
                                    NEW_MISMATCH, NEW_ORPHANED_CALCOM };
  const NewKind *kinds = variant == 0 ? first : second;
  guint n = variant == 0 ? G_N_ELEMENTS (first) : G_N_ELEMENTS (second);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsAppointment) appointment = add_appointment (self, prep, kinds[i]);
    }
}

/* The voice agent's latest appointments: in the CRM, and in the cache as
 * the engine keeps a row it listed but has not verified yet (what a run
 * that was stopped after its listing leaves, or an engine that is told
 * of a new appointment before its next cycle): `pending`, no attempt. */
static void
add_batch_b (CsDemo  *self,
             Prepare *prep,
             GError **error)
{
  NewKind kinds[] = { NEW_SYNCED, NEW_SYNCED, NEW_MISMATCH, NEW_ORPHANED_LOCAL };
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_appointment_free);

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_ptr_array_add (rows, add_appointment (self, prep, kinds[i]));
    }

  cs_store_save_appointments (cs_engine_get_store (prep->engine), rows, error);
}

static void
resolve_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CsActionResult) action = NULL;
  g_autoptr(GError) error = NULL;

  action = cs_actions_run_finish (CS_ACTIONS (object), result, &error);
  if (action == NULL || action->error != NULL)
    g_debug ("A seeding action failed: %s",
             action != NULL ? action->error->message : error->message);
  else
    g_debug ("Seeding: marked appointment %" G_GINT64_FORMAT " resolved", action->appointment_id);
  run_done (task);
}

/* Someone looked at two of the flagged mismatches and marked them
 * resolved; the orphans stay flagged, for the review dialog. */
static gboolean
start_resolve (GTask *task)
{
  Prepare *prep = g_task_get_task_data (task);
  CsActionTarget target = { 0 };
  CsActionArgs args;

  if (prep->resolve_ids->len == 0)
    {
      CsStore *store = cs_engine_get_store (prep->engine);
      CsTime start, end;
      g_autoptr(GPtrArray) rows = NULL;

      cs_engine_get_window (prep->engine, &start, &end);
      rows = cs_store_list_appointments (store, start, end, NULL);
      for (guint i = 0; rows != NULL && i < rows->len && prep->resolve_ids->len < 2; i++)
        {
          CsAppointment *a = g_ptr_array_index (rows, i);

          if (a->sync.requires_manual_review && a->resolved_at == CS_TIME_UNSET &&
              a->sync.sync_error_code == CS_ERROR_CODE_DATA_MISMATCH)
            g_array_append_val (prep->resolve_ids, a->id);
        }
      if (prep->resolve_ids->len == 0)
        {
          g_debug ("Seeding: nothing flagged to resolve");
          return FALSE;
        }
    }

  target.appointment_id = g_array_index (prep->resolve_ids, gint64, prep->resolve_ids->len - 1);
  g_array_set_size (prep->resolve_ids, prep->resolve_ids->len - 1);
  if (prep->resolve_ids->len > 0)
    {
      /* One step per action. */
      Step step = { STEP_RESOLVE, CS_TIME_UNSET, 0, FALSE };

      g_array_insert_val (prep->steps, prep->next_step, step);
    }

  cs_action_args_init (&args);
  args.note = "Checked with the customer by phone";
  watch_run (prep, TRUE);
  cs_actions_run_async (cs_engine_get_actions (prep->engine), CS_ACTION_MARK_RESOLVED,
                        &target, &args, g_task_get_cancellable (task), resolve_cb,
                        g_object_ref (task));
  return TRUE;
}

static void
save_due_times (Prepare *prep)
{
  CsStore *store = cs_engine_get_store (prep->engine);
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  g_autoptr(GError) error = NULL;
  CsTime now = g_get_real_time ();

  if (!cs_store_set_state_int64 (store, CS_SCHEDULER_STATE_NEXT_CYCLE, now + 6 * CS_USEC_PER_HOUR, &error) ||
      !cs_store_set_state_int64 (store, CS_SCHEDULER_STATE_NEXT_CHECK,
                                 cs_scheduler_next_local_time (local, now, 0, 0), &error) ||
      !cs_store_set_state_int64 (store, CS_SCHEDULER_STATE_NEXT_RETRY, now + 5 * CS_USEC_PER_MINUTE, &error))
    g_message ("The demo's due times could not be saved: %s", error->message);
}

static void
prepare_done (GTask *task)
{
  CsDemo *self = g_task_get_source_object (task);
  Prepare *prep = g_task_get_task_data (task);

  prep->fault_lookups = FALSE;
  cs_sim_server_clear_faults (self->server, CS_SIM_SERVICE_CALCOM);
  cs_sim_server_set_rate_limit (self->server, &prep->rate_limit);
  if (prep->phase_id != 0)
    {
      g_object_set_data (G_OBJECT (cs_engine_get_verifier (prep->engine)), "cs-demo-prepare", NULL);
      g_clear_signal_handler (&prep->phase_id, cs_engine_get_verifier (prep->engine));
    }
  /* Closes the cache for the app's engine. */
  g_clear_object (&prep->engine);
}

static void
prepare_next (GTask *task)
{
  CsDemo *self = g_task_get_source_object (task);
  Prepare *prep = g_task_get_task_data (task);
  GError *error = NULL;

  while (prep->next_step < prep->steps->len)
    {
      Step step = g_array_index (prep->steps, Step, prep->next_step++);

      if (g_task_return_error_if_cancelled (task))
        {
          prepare_done (task);
          return;
        }

      if (step.at != CS_TIME_UNSET && step.at > cs_clock_get_now (prep->clock))
        cs_manual_clock_set_now (CS_MANUAL_CLOCK (prep->clock), step.at);

      switch (step.kind)
        {
        case STEP_DAY:
          company_day (self, prep, &step);
          break;

        case STEP_COMPREHENSIVE:
        case STEP_CYCLE:
          watch_run (prep, TRUE);
          cs_engine_verify_async (prep->engine,
                                  step.kind == STEP_CYCLE ? CS_VERIFICATION_CYCLE
                                                          : CS_VERIFICATION_COMPREHENSIVE,
                                  FALSE, g_task_get_cancellable (task), verify_cb,
                                  g_object_ref (task));
          return;

        case STEP_RETRY:
          start_retry (task);
          return;

        case STEP_BATCH_A:
          cs_sim_server_clear_faults (self->server, CS_SIM_SERVICE_CALCOM);
          add_batch_a (self, prep, step.day);
          break;

        case STEP_BATCH_B:
          add_batch_b (self, prep, &error);
          if (error != NULL)
            {
              prepare_done (task);
              g_task_return_error (task, error);
              return;
            }
          break;

        case STEP_FAULT_LOOKUPS:
          prep->fault_lookups = TRUE;
          break;

        case STEP_RESOLVE:
          if (start_resolve (task))
            return;
          break;

        default:
          g_assert_not_reached ();
        }
    }

  /* The due times, as the schedule would have left them: the next cycle
   * six hours after today's, the daily check at midnight, the retries of
   * the last run in a few minutes. Without them the app's scheduler would
   * serve "missed" slots at once and the prepared states would be gone
   * seconds after the window opens. */
  save_due_times (prep);

  prepare_done (task);
  g_task_return_boolean (task, TRUE);
}

static void
engine_started_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Prepare *prep = g_task_get_task_data (task);
  GError *error = NULL;

  if (!cs_engine_start_finish (CS_ENGINE (object), result, &error))
    {
      prepare_done (task);
      g_task_return_error (task, error);
      return;
    }

  if (cs_engine_get_setup_error (prep->engine) != NULL)
    {
      error = g_error_copy (cs_engine_get_setup_error (prep->engine));
      prepare_done (task);
      g_task_return_error (task, error);
      return;
    }

  g_object_set_data (G_OBJECT (cs_engine_get_verifier (prep->engine)), "cs-demo-prepare", prep);
  prep->phase_id = g_signal_connect (cs_engine_get_verifier (prep->engine), "notify::phase",
                                     G_CALLBACK (phase_cb), g_task_get_source_object (task));
  prepare_next (task);
}

/* A run takes real time on the seeding clock: a retry step comes this
 * much after the due time the run before it set. */
#define RETRY_SLACK (30 * CS_USEC_PER_SECOND)

/* The steps, from history_days ago to a few minutes before @now. */
static void
plan_steps (CsDemo  *self,
            Prepare *prep,
            CsTime   now)
{
  guint days = self->history_days;
  CsTime today = now - 5 * CS_USEC_PER_MINUTE;
  Step step = { STEP_BATCH_A, today - 2 * CS_USEC_PER_MINUTE, 1, FALSE };

  for (guint day = days; day >= 1; day--)
    {
      g_autoptr(GDateTime) local = g_date_time_new_from_unix_local (now / CS_USEC_PER_SECOND -
                                                                    (gint64) day * 86400);
      g_autoptr(GDateTime) morning = g_date_time_new_local (g_date_time_get_year (local),
                                                           g_date_time_get_month (local),
                                                           g_date_time_get_day_of_month (local),
                                                           8, 0, 0);
      /* Local days, as the chart counts them: the day's last run is its
       * full check. */
      CsTime base = g_date_time_to_unix (morning) * CS_USEC_PER_SECOND;
      Step company = { STEP_DAY, base, day, days >= 3 && day == (days + 1) / 2 };

      g_array_append_val (prep->steps, company);
      add_step (prep, STEP_CYCLE, base);
      add_step (prep, STEP_RETRY, base + CS_USEC_PER_MINUTE + RETRY_SLACK);
      add_step (prep, STEP_RETRY, base + 6 * CS_USEC_PER_MINUTE + 2 * RETRY_SLACK);
      add_step (prep, STEP_COMPREHENSIVE, base + 10 * CS_USEC_PER_HOUR);
    }

  /* Today: the daily check and its retries flag what the generated
   * company has wrong (also without history) … */
  add_step (prep, STEP_COMPREHENSIVE, today - 30 * CS_USEC_PER_MINUTE);
  add_step (prep, STEP_RETRY, today - 29 * CS_USEC_PER_MINUTE + RETRY_SLACK);
  add_step (prep, STEP_RETRY, today - 24 * CS_USEC_PER_MINUTE + 2 * RETRY_SLACK);
  add_step (prep, STEP_RESOLVE, today - 20 * CS_USEC_PER_MINUTE);
  /* … then new problems appear: found by a cycle, then by the full check
   * with a few more, whose retry finds Cal.com failing its lookups by uid.
   * Then the voice agent writes. */
  add_step (prep, STEP_BATCH_A, today - 3 * CS_USEC_PER_MINUTE);
  add_step (prep, STEP_CYCLE, today - 3 * CS_USEC_PER_MINUTE);
  g_array_append_val (prep->steps, step);
  add_step (prep, STEP_COMPREHENSIVE, today - 2 * CS_USEC_PER_MINUTE);
  add_step (prep, STEP_FAULT_LOOKUPS, today - CS_USEC_PER_MINUTE + RETRY_SLACK);
  add_step (prep, STEP_RETRY, today - CS_USEC_PER_MINUTE + RETRY_SLACK);
  add_step (prep, STEP_BATCH_B, today + 30 * CS_USEC_PER_SECOND);
}

/**
 * cs_demo_prepare_async:
 * @self: a started demo
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the cache is ready
 * @user_data: data for @callback
 *
 * Fills the demo's cache so the window shows every state at once, by
 * running the real engine against the simulator on a #CsManualClock set to
 * past moments (cs_demo_set_history_days() of them, plus today); nothing is
 * written to the cache by hand but the voice agent's latest appointments.
 *
 * The scenario, on the simulated company's generated problems:
 *
 * - every past day: the company books two new appointments (synced) and
 *   cancels one on both sides; every third day a booking is lost
 *   (orphaned_local), another day one lands half an hour early
 *   (DATA_MISMATCH); a cycle finds them, the retries after 1 and 6 minutes
 *   flag what is still wrong after attempt 3 (from 08:00 local time),
 *   and a comprehensive check at 18:00 counts the whole window: four runs
 *   a day for the metrics chart. On the middle day of a history of three days or more,
 *   Cal.com answers 503 all day: those runs fail;
 * - today, 35 minutes ago: the daily check and its two retries flag the
 *   generated orphans (both sides), mismatches and suggested links; two
 *   flagged mismatches are then marked resolved (CsActions);
 * - 8 minutes ago: new problems (a lost booking, a booking half an hour
 *   early, a booking nobody claims, …), found by a cycle: attempt 1;
 * - 7 minutes ago: the daily check finds a few more (attempt 1) and takes
 *   those to attempt 2; the whole window is counted for today's figures;
 * - 6 minutes ago, the last run: the due retry, while Cal.com fails every
 *   lookup by uid (its listings work): VERIFICATION_ERROR at attempt 2,
 *   besides orphaned_local, orphaned_calcom and DATA_MISMATCH;
 * - then the voice agent writes four appointments: in the CRM, and in the
 *   cache as listed but not yet verified (`pending`).
 *
 * `verification_pending` is not shown: the engine writes it nowhere.
 * The app's engine then goes on on the system clock from where the
 * seeding runs stopped (the due times of the retries are real times): the
 * retries of attempt 1 are due at once, those of attempt 2 in about a
 * minute. The seeding runs no schedule, so the app's scheduler finds no
 * due check in the cache and runs its first check at once.
 */
void
cs_demo_prepare_async (CsDemo              *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CsTime now = cs_clock_get_now (cs_clock_get_system ());
  CsSimRateLimit unlimited;
  Prepare *prep;
  GPtrArray *appointments;

  g_return_if_fail (CS_IS_DEMO (self));
  g_return_if_fail (self->server != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_demo_prepare_async);

  prep = g_new0 (Prepare, 1);
  g_task_set_task_data (task, prep, (GDestroyNotify) prepare_free);
  prep->steps = g_array_new (FALSE, FALSE, sizeof (Step));
  prep->resolve_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  prep->templates = g_ptr_array_new ();
  prep->next_booking_id = 9000000;

  appointments = cs_sim_dataset_get_appointments (self->dataset);
  for (guint i = 0; i < appointments->len; i++)
    {
      CsSimAppointment *row = g_ptr_array_index (appointments, i);
      const CsSimTruth *truth = cs_sim_dataset_get_truth (self->dataset, row->appointment->id);

      if (truth != NULL && truth->category == CS_SIM_CATEGORY_SYNCED &&
          row->appointment->status != CS_CRM_STATUS_CANCELLED &&
          row->appointment->calcom_booking_uid != NULL &&
          cs_sim_dataset_lookup_booking (self->dataset, row->appointment->calcom_booking_uid) != NULL)
        g_ptr_array_add (prep->templates, row);
    }
  if (prep->templates->len == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  plan_steps (self, prep, now);

  /* Cal.com's limit is per real minute; the seeding runs are many minutes
   * of simulated time in one real second. Restored when done. */
  cs_sim_server_get_rate_limit (self->server, &prep->rate_limit);
  unlimited = prep->rate_limit;
  unlimited.enabled = FALSE;
  cs_sim_server_set_rate_limit (self->server, &unlimited);

  prep->clock = cs_manual_clock_new (g_array_index (prep->steps, Step, 0).at);
  prep->engine = cs_engine_new (self->settings, prep->clock, self->store_path);
  cs_engine_set_secrets (prep->engine, cs_sim_server_get_calcom_api_key (self->server),
                         cs_sim_server_get_backend_token (self->server));
  cs_engine_start_async (prep->engine, cancellable, engine_started_cb, g_steal_pointer (&task));
}

/**
 * cs_demo_prepare_finish:
 * @self: a demo
 * @result: the result
 * @error: return location for an error
 *
 * Returns: whether the cache is ready
 */
gboolean
cs_demo_prepare_finish (CsDemo        *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * cs_demo_get_settings:
 * @self: a started demo
 *
 * Returns: (transfer none): the demo's settings, in memory
 */
GSettings *
cs_demo_get_settings (CsDemo *self)
{
  g_return_val_if_fail (CS_IS_DEMO (self), NULL);

  return self->settings;
}

/**
 * cs_demo_get_store_path:
 * @self: a started demo
 *
 * Returns: the demo's cache file
 */
const char *
cs_demo_get_store_path (CsDemo *self)
{
  g_return_val_if_fail (CS_IS_DEMO (self), NULL);

  return self->store_path;
}

/**
 * cs_demo_get_server:
 * @self: a started demo
 *
 * Returns: (transfer none): the simulator
 */
CsSimServer *
cs_demo_get_server (CsDemo *self)
{
  g_return_val_if_fail (CS_IS_DEMO (self), NULL);

  return self->server;
}

/**
 * cs_demo_new_engine:
 * @self: a started demo
 *
 * Returns: (transfer full): an engine on the demo's settings, cache and
 *   keys; start it with cs_engine_start_async()
 */
CsEngine *
cs_demo_new_engine (CsDemo *self)
{
  return cs_demo_new_engine_with_clock (self, NULL);
}

/**
 * cs_demo_new_engine_with_clock:
 * @self: a started demo
 * @clock: (nullable): the engine's clock, or %NULL for the system clock
 *
 * Like cs_demo_new_engine(), on @clock: tests move it past the retry
 * delays instead of waiting for them.
 *
 * Returns: (transfer full): a new engine, not yet started
 */
CsEngine *
cs_demo_new_engine_with_clock (CsDemo  *self,
                               CsClock *clock)
{
  CsEngine *engine;

  g_return_val_if_fail (CS_IS_DEMO (self), NULL);
  g_return_val_if_fail (self->server != NULL, NULL);
  g_return_val_if_fail (clock == NULL || CS_IS_CLOCK (clock), NULL);

  engine = cs_engine_new (self->settings, clock, self->store_path);
  cs_engine_set_secrets (engine, cs_sim_server_get_calcom_api_key (self->server),
                         cs_sim_server_get_backend_token (self->server));
  return engine;
}

/**
 * cs_demo_set_history_days:
 * @self: a demo
 * @days: how many past days of runs cs_demo_prepare_async() makes
 *
 * The app shows %CS_DEMO_HISTORY_DAYS; tests ask for fewer, for speed.
 */
void
cs_demo_set_history_days (CsDemo *self,
                          guint   days)
{
  g_return_if_fail (CS_IS_DEMO (self));

  self->history_days = days;
}

/**
 * cs_demo_get_history_days:
 * @self: a demo
 *
 * Returns: the past days of runs cs_demo_prepare_async() makes
 */
guint
cs_demo_get_history_days (CsDemo *self)
{
  g_return_val_if_fail (CS_IS_DEMO (self), 0);

  return self->history_days;
}
