/* cs-verifier.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cs-engine-enum-types.h"
#include "cs-net-error.h"
#include "cs-reconciler.h"
#include "cs-retry-policy.h"
#include "cs-store-json.h"
#include "cs-verifier.h"

/**
 * CsVerifier:
 *
 * One verification run (DESIGN.md §2): ask the CRM who we are, list both
 * sides of the window side by side, reconcile, look up once what the
 * listings cannot tell (and reconcile again), apply the retry policy to what
 * the run looks at, write everything in one transaction, then report the
 * tracking fields back to the CRM.
 *
 * What a run cannot trust it does not write: a listing that fails fails the
 * run, which then records only itself (result and reason) and leaves every
 * appointment as it was. A single lookup that fails is that item's
 * verification error, not an orphan. And when a run would newly flag a large
 * share of the window as orphaned at once (an empty listing, a wrong account)
 * it flags nothing and is held as suspect, for a person to confirm.
 *
 * A second run requested while one is going joins it: both callers get the
 * same report.
 */
struct _CsVerifier
{
  GObject          parent_instance;

  CsStore         *store;
  CsCalcomClient  *calcom;
  CsBackendClient *backend;
  CsClock         *clock;

  GTask           *current;
  GPtrArray       *joiners;
  CsVerifierPhase  phase;
  guint            done;
  guint            total;
  gint64           time_limit;
};

G_DEFINE_FINAL_TYPE (CsVerifier, cs_verifier, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RUNNING,
  PROP_PHASE,
  PROP_DONE,
  PROP_TOTAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Lookups go a few at a time, each within the clients' rate limits. */
#define MAX_LOOKUPS_IN_FLIGHT 4
#define MAX_LOOKUP_ROUNDS     3

/* Lookups per service and run. A lookup settles what a listing cannot (a
 * booking outside the listed window), but one per dangling uid would make
 * a run cost a request per lost booking, and at Cal.com's 120 a minute a
 * few hundred of them would stall every check for minutes. So a run looks
 * up a few, those closest to being flagged first, and decides the rest from
 * the listings: the three attempts before a flag still guard against
 * races, and the next runs look up the others. */
#define LOOKUP_BUDGET         4

/* A retry of a few items lists narrow windows around each; more than this
 * and one listing of the whole window is cheaper. */
#define MAX_NARROW_WINDOWS    10
#define NARROW_MARGIN         CS_USEC_PER_DAY

/* The guard only speaks up for more than a handful of orphans. */
#define ORPHAN_GUARD_MINIMUM  5

#define STATE_REPORT_PENDING  "sync-report-pending"

/* The start of the last run after which the cache held the whole window:
 * a cycle lists only what changed since then (minus a margin for clocks
 * that disagree) and takes the rest from the cache. */
#define STATE_VERIFIED_THROUGH "verified-through"
#define CHANGES_MARGIN         (5 * CS_USEC_PER_MINUTE)

typedef struct
{
  CsTime from;
  CsTime to;
} Window;

typedef struct
{
  CsVerifyOptions  options;
  CsRunRecord     *record;
  gint64           started_mono;
  guint            calcom_requests_before;
  guint            backend_requests_before;

  GArray          *windows;           /* Window */
  CsTime           changed_since;     /* a cycle's delta, or CS_TIME_UNSET */
  GHashTable      *changed_ids;       /* gint64 * set: in the CRM delta */
  GHashTable      *changed_uids;      /* uid set: in the Cal.com delta */
  guint            next_window;
  guint            in_flight;
  GError          *error;             /* the first failure of a listing */

  GPtrArray       *appointments;      /* CsAppointment, owned */
  GPtrArray       *bookings;          /* CsBooking, owned */
  GHashTable      *seen_ids;          /* gint64 * → appointment, borrowed */
  GHashTable      *seen_uids;         /* uid → booking, borrowed */
  guint            n_rejected;
  guint            n_foreign;

  /* What the listings could not tell (DESIGN.md §2.5): a side whose
   * listing did not hold still, the rows its parser refused. */
  gboolean         calcom_drifted;
  gboolean         backend_drifted;
  GHashTable      *refused_uids;      /* uid set, owned keys */
  GHashTable      *refused_ids;       /* gint64 * set, owned keys */

  GHashTable      *missing_uids;      /* uid set, owned keys */
  GHashTable      *missing_ids;       /* gint64 * set, owned keys */
  GHashTable      *lookup_errors;     /* "uid:…" / "id:…" → message */
  GHashTable      *looked_up;         /* the same keys: asked once only */
  GHashTable      *passed_over;       /* keys over the budget, left undecided */
  GQueue           lookups;           /* char * keys still to ask */
  guint            round;

  GHashTable      *requested_ids;     /* gint64 * set, for a retry */
  GHashTable      *requested_uids;    /* uid set, for a retry */

  CsVerifyReport  *report;

  /* What the worker thread writes. */
  GPtrArray       *save_appointments;
  GPtrArray       *save_bookings;
  GPtrArray       *save_events;
  GPtrArray       *diffs;             /* (gint64 *id, char *json) pairs, flat */
  GPtrArray       *report_appointments;
  gboolean         report_all;
} RunData;

static void lookup_next (GTask *task);
static void list_next_window (GTask *task);
static void reconcile_round (GTask *task);

static void
verify_issue_free (CsVerifyIssue *issue)
{
  g_free (issue->number);
  g_free (issue->booking_uid);
  g_free (issue->message);
  g_free (issue);
}

static void
report_clear (gpointer data)
{
  CsVerifyReport *report = data;

  g_clear_pointer (&report->run, cs_run_record_free);
  g_clear_pointer (&report->issues, g_ptr_array_unref);
  g_clear_pointer (&report->newly_flagged_appointments, g_ptr_array_unref);
  g_clear_pointer (&report->newly_flagged_bookings, g_ptr_array_unref);
  g_clear_pointer (&report->suspect_reason, g_free);
}

static CsVerifyReport *
report_new (void)
{
  CsVerifyReport *report = g_atomic_rc_box_new0 (CsVerifyReport);

  report->issues = g_ptr_array_new_with_free_func ((GDestroyNotify) verify_issue_free);
  report->newly_flagged_appointments =
    g_ptr_array_new_with_free_func ((GDestroyNotify) cs_appointment_free);
  report->newly_flagged_bookings = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_booking_free);

  return report;
}

/**
 * cs_verify_report_free:
 * @report: (nullable): a report
 *
 * Releases the caller's reference: joined callers share one report.
 */
void
cs_verify_report_free (CsVerifyReport *report)
{
  if (report != NULL)
    g_atomic_rc_box_release_full (report, report_clear);
}

/**
 * cs_verify_options_init:
 * @options: options to set to their defaults
 *
 * A comprehensive run over no window (set one), writing, with the default
 * orphan guard.
 */
void
cs_verify_options_init (CsVerifyOptions *options)
{
  g_return_if_fail (options != NULL);

  *options = (CsVerifyOptions) {
    .kind = CS_VERIFICATION_COMPREHENSIVE,
    .orphan_guard = CS_VERIFIER_DEFAULT_ORPHAN_GUARD,
  };
}

static void
run_data_free (RunData *run)
{
  g_clear_pointer (&run->options.appointment_ids, g_array_unref);
  g_clear_pointer (&run->options.booking_uids, g_ptr_array_unref);
  g_clear_pointer (&run->record, cs_run_record_free);
  g_clear_pointer (&run->windows, g_array_unref);
  g_clear_pointer (&run->changed_ids, g_hash_table_unref);
  g_clear_pointer (&run->changed_uids, g_hash_table_unref);
  g_clear_error (&run->error);
  g_clear_pointer (&run->seen_ids, g_hash_table_unref);
  g_clear_pointer (&run->seen_uids, g_hash_table_unref);
  g_clear_pointer (&run->appointments, g_ptr_array_unref);
  g_clear_pointer (&run->bookings, g_ptr_array_unref);
  g_clear_pointer (&run->refused_uids, g_hash_table_unref);
  g_clear_pointer (&run->refused_ids, g_hash_table_unref);
  g_clear_pointer (&run->missing_uids, g_hash_table_unref);
  g_clear_pointer (&run->missing_ids, g_hash_table_unref);
  g_clear_pointer (&run->lookup_errors, g_hash_table_unref);
  g_clear_pointer (&run->looked_up, g_hash_table_unref);
  g_clear_pointer (&run->passed_over, g_hash_table_unref);
  g_queue_clear_full (&run->lookups, g_free);
  g_clear_pointer (&run->requested_ids, g_hash_table_unref);
  g_clear_pointer (&run->requested_uids, g_hash_table_unref);
  g_clear_pointer (&run->report, cs_verify_report_free);
  g_clear_pointer (&run->save_appointments, g_ptr_array_unref);
  g_clear_pointer (&run->save_bookings, g_ptr_array_unref);
  g_clear_pointer (&run->save_events, g_ptr_array_unref);
  g_clear_pointer (&run->diffs, g_ptr_array_unref);
  g_clear_pointer (&run->report_appointments, g_ptr_array_unref);
  g_free (run);
}

static gint64 *
int64_dup (gint64 value)
{
  gint64 *copy = g_new (gint64, 1);

  *copy = value;
  return copy;
}

/* Progress */

static void
set_phase (CsVerifier      *self,
           CsVerifierPhase  phase,
           guint            total)
{
  gboolean phase_changed = self->phase != phase;

  self->phase = phase;
  if (phase_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PHASE]);

  if (self->total != total)
    {
      self->total = total;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
    }
  if (self->done != 0)
    {
      self->done = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DONE]);
    }
}

static void
step_done (CsVerifier *self)
{
  self->done++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DONE]);
}

/* A run's requests end by its deadline (the clients fail a longer wait at
 * once, with the time the server asked for); between runs they wait as
 * long as the server asks. */
static void
set_deadline (CsVerifier *self,
              CsTime      deadline)
{
  cs_http_client_set_deadline (cs_calcom_client_get_http (self->calcom), deadline);
  cs_http_client_set_deadline (cs_backend_client_get_http (self->backend), deadline);
}

/* The end of a run: every caller (the first and those who joined) gets the
 * report, or the error. */

static void
finish (GTask  *task,
        GError *error)
{
  CsVerifier *self = g_task_get_source_object (task);
  RunData *run = g_task_get_task_data (task);
  g_autoptr(GPtrArray) joiners = g_steal_pointer (&self->joiners);

  self->joiners = g_ptr_array_new_with_free_func (g_object_unref);
  g_clear_object (&self->current);
  set_deadline (self, CS_TIME_UNSET);
  set_phase (self, CS_VERIFIER_IDLE, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  for (guint i = 0; i < joiners->len; i++)
    {
      GTask *joiner = g_ptr_array_index (joiners, i);

      if (error != NULL)
        g_task_return_error (joiner, g_error_copy (error));
      else
        g_task_return_pointer (joiner, g_atomic_rc_box_acquire (run->report),
                               (GDestroyNotify) cs_verify_report_free);
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_atomic_rc_box_acquire (run->report),
                           (GDestroyNotify) cs_verify_report_free);
}

static void
fill_run_figures (CsVerifier *self,
                  RunData    *run)
{
  run->record->finished_at = cs_clock_get_now (self->clock);
  run->record->duration_usec = cs_clock_get_monotonic (self->clock) - run->started_mono;
  run->record->calcom_requests =
    cs_http_client_get_request_count (cs_calcom_client_get_http (self->calcom)) -
    run->calcom_requests_before;
  run->record->backend_requests =
    cs_http_client_get_request_count (cs_backend_client_get_http (self->backend)) -
    run->backend_requests_before;
}

static CsTime
circuit_reopens_at (CsVerifier *self)
{
  CsTime calcom = cs_circuit_breaker_get_open_until (
    cs_http_client_get_circuit_breaker (cs_calcom_client_get_http (self->calcom)));
  CsTime backend = cs_circuit_breaker_get_open_until (
    cs_http_client_get_circuit_breaker (cs_backend_client_get_http (self->backend)));

  return MAX (calcom, backend);
}

static void
mark_circuit_open (CsVerifier   *self,
                   RunData      *run,
                   const GError *error)
{
  CsAttemptResult result = { CS_ATTEMPT_CIRCUIT_OPEN, error->message, circuit_reopens_at (self) };
  CsTime now = cs_clock_get_now (self->clock);
  GArray *ids = run->options.appointment_ids;
  GPtrArray *uids = run->options.booking_uids;

  for (guint i = 0; ids != NULL && i < ids->len; i++)
    {
      g_autoptr(CsAppointment) cached = cs_store_get_appointment (self->store,
                                                                  g_array_index (ids, gint64, i),
                                                                  NULL);
      CsRetryDecision decision;

      if (cached == NULL)
        continue;
      cs_retry_policy_apply (&cached->sync, cached->next_attempt_at, &result, now, &decision);
      cs_sync_tracking_copy_into (&decision.tracking, &cached->sync);
      cached->next_attempt_at = decision.next_attempt_at;
      cs_retry_decision_clear (&decision);
      g_ptr_array_add (run->save_appointments, g_steal_pointer (&cached));
    }

  for (guint i = 0; uids != NULL && i < uids->len; i++)
    {
      g_autoptr(CsBooking) cached = cs_store_get_booking (self->store,
                                                          g_ptr_array_index (uids, i), NULL);
      CsRetryDecision decision;

      if (cached == NULL)
        continue;
      cs_retry_policy_apply (&cached->sync, cached->next_attempt_at, &result, now, &decision);
      cs_sync_tracking_copy_into (&decision.tracking, &cached->sync);
      cached->next_attempt_at = decision.next_attempt_at;
      cs_retry_decision_clear (&decision);
      g_ptr_array_add (run->save_bookings, g_steal_pointer (&cached));
    }
}

/* A run that could not verify records itself, and nothing else (but the
 * circuit-open mark of a retry's items). */
static void
fail_run (GTask  *task,
          GError *error)
{
  CsVerifier *self = g_task_get_source_object (task);
  RunData *run = g_task_get_task_data (task);
  gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_autoptr(GError) store_error = NULL;

  fill_run_figures (self, run);
  g_free (run->record->result);
  run->record->result = g_strdup (cancelled ? CS_RUN_RESULT_CANCELLED : CS_RUN_RESULT_FAILED);
  g_free (run->record->error_message);
  run->record->error_message = g_strdup (error->message);

  g_debug ("Run failed after %u Cal.com and %u CRM requests",
           run->record->calcom_requests, run->record->backend_requests);

  /* The due items of a retry waited for a circuit that is still open: no
   * attempt was made, so none is counted, and the next one waits for the
   * circuit (DESIGN.md §1, CIRCUIT_OPEN). */
  if (run->options.kind == CS_VERIFICATION_RETRY && !run->options.dry_run &&
      g_error_matches (error, CS_NET_ERROR, CS_NET_ERROR_CIRCUIT_OPEN))
    mark_circuit_open (self, run, error);

  if (!run->options.dry_run && cs_store_get_company_id (self->store) > 0 &&
      !cs_store_commit_run (self->store, run->record, run->save_appointments, run->save_bookings,
                            NULL, &store_error))
    g_warning ("The failed run could not be recorded: %s", store_error->message);

  finish (task, error);
}

/* Listing */

static void
add_appointment (RunData       *run,
                 CsAppointment *appointment)
{
  if (g_hash_table_contains (run->seen_ids, &appointment->id))
    {
      cs_appointment_free (appointment);
      return;
    }

  g_ptr_array_add (run->appointments, appointment);
  g_hash_table_insert (run->seen_ids, &appointment->id, appointment);
}

static void
add_booking (RunData   *run,
             CsBooking *booking)
{
  if (g_hash_table_contains (run->seen_uids, booking->uid))
    {
      cs_booking_free (booking);
      return;
    }

  g_ptr_array_add (run->bookings, booking);
  g_hash_table_insert (run->seen_uids, booking->uid, booking);
}

/* A cycle's listings hold what changed; the cache holds the rest of the
 * window as the last full run left it. Changed rows came first, so they win. */
static void
merge_cached (CsVerifier *self,
              RunData    *run)
{
  g_autoptr(GPtrArray) appointments = NULL;
  g_autoptr(GPtrArray) bookings = NULL;

  appointments = cs_store_list_appointments (self->store, run->options.window_start,
                                             run->options.window_end, NULL);
  bookings = cs_store_list_bookings (self->store, run->options.window_start,
                                     run->options.window_end, NULL);

  for (guint i = 0; appointments != NULL && i < appointments->len; i++)
    add_appointment (run, cs_appointment_copy (g_ptr_array_index (appointments, i)));
  for (guint i = 0; bookings != NULL && i < bookings->len; i++)
    add_booking (run, cs_booking_copy (g_ptr_array_index (bookings, i)));
}

static void
listing_done (GTask *task)
{
  RunData *run = g_task_get_task_data (task);

  if (run->in_flight > 0)
    return;

  if (run->error != NULL)
    {
      fail_run (task, g_steal_pointer (&run->error));
      return;
    }

  if (run->next_window < run->windows->len)
    {
      list_next_window (task);
      return;
    }

  if (run->changed_since != CS_TIME_UNSET)
    merge_cached (g_task_get_source_object (task), run);

  reconcile_round (task);
}

static void
calcom_list_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RunData *run = g_task_get_task_data (task);
  g_autoptr(CsCalcomListing) listing = NULL;
  g_autoptr(GError) error = NULL;

  run->in_flight--;
  listing = cs_calcom_client_list_bookings_finish (CS_CALCOM_CLIENT (object), result, &error);
  if (listing == NULL)
    {
      if (run->error == NULL)
        run->error = g_steal_pointer (&error);
    }
  else
    {
      run->n_rejected += listing->n_rejected;
      run->calcom_drifted |= listing->drifted;
      for (guint i = 0; i < listing->refused_uids->len; i++)
        g_hash_table_add (run->refused_uids,
                          g_strdup (g_ptr_array_index (listing->refused_uids, i)));
      for (guint i = 0; i < listing->bookings->len; i++)
        {
          CsBooking *booking = g_steal_pointer (&listing->bookings->pdata[i]);

          if (run->changed_since != CS_TIME_UNSET)
            g_hash_table_add (run->changed_uids, g_strdup (booking->uid));
          add_booking (run, booking);
        }
    }

  step_done (g_task_get_source_object (task));
  listing_done (task);
}

static void
backend_list_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RunData *run = g_task_get_task_data (task);
  g_autoptr(CsBackendListing) listing = NULL;
  g_autoptr(GError) error = NULL;

  run->in_flight--;
  listing = cs_backend_client_list_appointments_finish (CS_BACKEND_CLIENT (object), result,
                                                        &error);
  if (listing == NULL)
    {
      if (run->error == NULL)
        run->error = g_steal_pointer (&error);
    }
  else
    {
      run->n_rejected += listing->n_rejected;
      run->n_foreign += listing->n_foreign;
      run->backend_drifted |= listing->drifted;
      for (guint i = 0; i < listing->refused_ids->len; i++)
        g_hash_table_add (run->refused_ids,
                          int64_dup (g_array_index (listing->refused_ids, gint64, i)));
      for (guint i = 0; i < listing->appointments->len; i++)
        {
          CsAppointment *appointment = g_steal_pointer (&listing->appointments->pdata[i]);

          if (run->changed_since != CS_TIME_UNSET)
            g_hash_table_add (run->changed_ids, int64_dup (appointment->id));
          add_appointment (run, appointment);
        }
    }

  step_done (g_task_get_source_object (task));
  listing_done (task);
}

/* Both sides of one window, side by side. */
static void
list_next_window (GTask *task)
{
  CsVerifier *self = g_task_get_source_object (task);
  RunData *run = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  Window *window = &g_array_index (run->windows, Window, run->next_window++);

  run->in_flight += 2;
  cs_calcom_client_list_bookings_async (self->calcom, window->from, window->to,
                                        run->changed_since, cancellable, calcom_list_cb,
                                        g_object_ref (task));
  cs_backend_client_list_appointments_async (self->backend, window->from, window->to,
                                             run->changed_since, cancellable, backend_list_cb,
                                             g_object_ref (task));
}

static void
add_window (RunData *run,
            CsTime   from,
            CsTime   to)
{
  Window window = { from, to };

  g_array_append_val (run->windows, window);
}

/* A retry looks at narrow windows around its items' times, which it knows
 * from the cache; items the cache does not know, or too many, make it list
 * the whole window. */
static void
plan_retry_windows (CsVerifier *self,
                    RunData    *run)
{
  GArray *ids = run->options.appointment_ids;
  GPtrArray *uids = run->options.booking_uids;
  guint n = (ids ? ids->len : 0) + (uids ? uids->len : 0);

  for (guint i = 0; ids != NULL && i < ids->len && n <= MAX_NARROW_WINDOWS; i++)
    {
      g_autoptr(CsAppointment) cached = NULL;

      cached = cs_store_get_appointment (self->store, g_array_index (ids, gint64, i), NULL);
      if (cached == NULL)
        {
          n = G_MAXUINT;
          break;
        }
      add_window (run, cached->starts_at - NARROW_MARGIN, cached->ends_at + NARROW_MARGIN);
    }

  for (guint i = 0; uids != NULL && i < uids->len && n <= MAX_NARROW_WINDOWS; i++)
    {
      g_autoptr(CsBooking) cached = NULL;

      cached = cs_store_get_booking (self->store, g_ptr_array_index (uids, i), NULL);
      if (cached == NULL)
        {
          n = G_MAXUINT;
          break;
        }
      add_window (run, cached->start - NARROW_MARGIN, cached->end + NARROW_MARGIN);
    }

  if (n > MAX_NARROW_WINDOWS)
    {
      g_array_set_size (run->windows, 0);
      add_window (run, run->options.window_start, run->options.window_end);
    }
}

static void
me_cb (GObject      *object,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CsVerifier *self = g_task_get_source_object (task);
  RunData *run = g_task_get_task_data (task);
  g_autoptr(CsBackendMe) me = NULL;
  g_autoptr(GError) error = NULL;

  me = cs_backend_client_get_me_finish (CS_BACKEND_CLIENT (object), result, &error);
  if (me == NULL)
    {
      fail_run (task, g_steal_pointer (&error));
      return;
    }

  /* Every row the cache reads or writes from here on is this company's. */
  cs_store_set_company_id (self->store, me->company_id);

  if (run->options.kind == CS_VERIFICATION_RETRY)
    plan_retry_windows (self, run);
  else
    add_window (run, run->options.window_start, run->options.window_end);

  if (run->options.kind == CS_VERIFICATION_CYCLE)
    {
      gint64 through = 0;

      /* Only a cache that held the whole window may stand in for it. */
      if (cs_store_get_state_int64 (self->store, STATE_VERIFIED_THROUGH, 0, &through, NULL) &&
          through > 0)
        run->changed_since = through - CHANGES_MARGIN;
    }

  set_phase (self, CS_VERIFIER_LISTING, run->windows->len * 2);
  list_next_window (task);
}

/* Lookups */

#define UID_KEY_PREFIX "uid:"
#define ID_KEY_PREFIX  "id:"

typedef struct
{
  GTask *task;
  char  *key;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_clear_object (&lookup->task);
  g_free (lookup->key);
  g_free (lookup);
}

/* The tracking message of a lookup that failed: one of a few fixed
 * phrases (cs_verifier_lookup_reasons), never the server's text. */
/**
 * cs_verifier_failure_reason:
 * @error: why a request failed
 *
 * Returns: the fixed English words for @error: one of the
 *   `CS_LOOKUP_REASON_*` phrases, never the error's own text
 */
const char *
cs_verifier_failure_reason (const GError *error)
{
  if (error->domain == CS_NET_ERROR)
    {
      switch ((CsNetError) error->code)
        {
        case CS_NET_ERROR_TIMEOUT:
          return CS_LOOKUP_REASON_TIMEOUT;
        case CS_NET_ERROR_NETWORK:
        case CS_NET_ERROR_TLS:
          return CS_LOOKUP_REASON_UNREACHABLE;
        case CS_NET_ERROR_SERVER:
          return CS_LOOKUP_REASON_SERVER;
        case CS_NET_ERROR_RATE_LIMITED:
          return CS_LOOKUP_REASON_RATE_LIMITED;
        case CS_NET_ERROR_CIRCUIT_OPEN:
          return CS_LOOKUP_REASON_CIRCUIT_OPEN;
        case CS_NET_ERROR_UNAUTHORIZED:
        case CS_NET_ERROR_FORBIDDEN:
          return CS_LOOKUP_REASON_REJECTED;
        case CS_NET_ERROR_INVALID_RESPONSE:
        case CS_NET_ERROR_TOO_LARGE:
        case CS_NET_ERROR_UNSUPPORTED:
          return CS_LOOKUP_REASON_INVALID_ANSWER;
        case CS_NET_ERROR_NOT_FOUND:
        case CS_NET_ERROR_CONFLICT:
        case CS_NET_ERROR_INVALID_REQUEST:
        case CS_NET_ERROR_INSECURE_URL:
        case CS_NET_ERROR_INVALID_URL:
        case CS_NET_ERROR_WRONG_COMPANY:
        case CS_NET_ERROR_REDIRECT:
        default:
          break;
        }
    }

  return CS_LOOKUP_REASON_FAILED;
}

static void
lookup_finished (Lookup *lookup,
                 GError *error)
{
  GTask *task = lookup->task;
  RunData *run = g_task_get_task_data (task);
  const char *key = lookup->key;

  run->in_flight--;
  step_done (g_task_get_source_object (task));

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (run->error == NULL)
        run->error = g_error_copy (error);
    }
  else if (g_error_matches (error, CS_NET_ERROR, CS_NET_ERROR_NOT_FOUND) ||
           g_error_matches (error, CS_NET_ERROR, CS_NET_ERROR_WRONG_COMPANY))
    {
      /* A finding: the item does not exist (for us). */
      if (g_str_has_prefix (key, UID_KEY_PREFIX))
        g_hash_table_add (run->missing_uids, g_strdup (key + strlen (UID_KEY_PREFIX)));
      else
        g_hash_table_add (run->missing_ids,
                          int64_dup (g_ascii_strtoll (key + strlen (ID_KEY_PREFIX), NULL, 10)));
    }
  else if (error != NULL)
    {
      /* The item could not be verified; it is no orphan for it. The
       * reason is stored in fixed English words (it goes to the CRM as the
       * tracking message; the UI shows its own translation of them). */
      g_hash_table_insert (run->lookup_errors, g_strdup (key), g_strdup (cs_verifier_failure_reason (error)));
    }

  lookup_next (task);
}

static void
booking_lookup_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Lookup *lookup = user_data;
  RunData *run = g_task_get_task_data (lookup->task);
  g_autoptr(GError) error = NULL;
  CsBooking *booking;

  booking = cs_calcom_client_get_booking_finish (CS_CALCOM_CLIENT (object), result, &error);
  if (booking != NULL)
    add_booking (run, booking);

  lookup_finished (lookup, error);
  lookup_free (lookup);
}

static void
appointment_lookup_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  Lookup *lookup = user_data;
  RunData *run = g_task_get_task_data (lookup->task);
  g_autoptr(GError) error = NULL;
  CsAppointment *appointment;

  appointment = cs_backend_client_get_appointment_finish (CS_BACKEND_CLIENT (object), result,
                                                          &error);
  if (appointment != NULL)
    add_appointment (run, appointment);

  lookup_finished (lookup, error);
  lookup_free (lookup);
}

static void
lookup_next (GTask *task)
{
  CsVerifier *self = g_task_get_source_object (task);
  RunData *run = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  while (run->error == NULL && run->in_flight < MAX_LOOKUPS_IN_FLIGHT &&
         !g_queue_is_empty (&run->lookups))
    {
      Lookup *lookup = g_new0 (Lookup, 1);

      lookup->task = g_object_ref (task);
      lookup->key = g_queue_pop_head (&run->lookups);
      run->in_flight++;

      if (g_str_has_prefix (lookup->key, UID_KEY_PREFIX))
        cs_calcom_client_get_booking_async (self->calcom, lookup->key + strlen (UID_KEY_PREFIX),
                                            cancellable, booking_lookup_cb, lookup);
      else
        cs_backend_client_get_appointment_async (self->backend,
                                                 g_ascii_strtoll (lookup->key + strlen (ID_KEY_PREFIX),
                                                                  NULL, 10),
                                                 cancellable, appointment_lookup_cb, lookup);
    }

  if (run->in_flight > 0)
    return;

  if (run->error != NULL)
    {
      fail_run (task, g_steal_pointer (&run->error));
      return;
    }

  if (g_queue_is_empty (&run->lookups))
    {
      run->round++;
      reconcile_round (task);
    }
}

static char *
lookup_key_for (const CsOutcome *outcome)
{
  gint64 id;

  if (outcome->appointment != NULL && outcome->appointment->calcom_booking_uid != NULL)
    return g_strconcat (UID_KEY_PREFIX, outcome->appointment->calcom_booking_uid, NULL);

  if (outcome->appointment == NULL && outcome->booking != NULL &&
      cs_booking_get_crm_appointment_id (outcome->booking) != NULL)
    {
      id = g_ascii_strtoll (cs_booking_get_crm_appointment_id (outcome->booking), NULL, 10);
      if (id > 0)
        return g_strdup_printf (ID_KEY_PREFIX "%" G_GINT64_FORMAT, id);
    }

  return NULL;
}

/* What the listings cannot tell */

/* The CRM appointment a booking names in its metadata, or 0. */
static gint64
booking_crm_id (const CsBooking *booking)
{
  const char *text = cs_booking_get_crm_appointment_id (booking);

  return text != NULL ? g_ascii_strtoll (text, NULL, 10) : 0;
}

/* Whether the outcome's partner on the other side is a row the parser
 * refused (a field over 64 KiB, say): it is there, only unreadable, and a
 * lookup would be refused the same way. */
static gboolean
partner_refused (RunData         *run,
                 const CsOutcome *outcome)
{
  gint64 id;

  if (outcome->appointment != NULL)
    return outcome->appointment->calcom_booking_uid != NULL &&
           g_hash_table_contains (run->refused_uids, outcome->appointment->calcom_booking_uid);

  id = outcome->booking != NULL ? booking_crm_id (outcome->booking) : 0;
  return id > 0 && g_hash_table_contains (run->refused_ids, &id);
}

/* Whether the outcome would make (or take for granted) an orphan on
 * grounds the run cannot trust: the partner's row was refused, or the
 * listing that lacks the partner did not hold still even when read again
 * (DESIGN.md §2.5). Only a lookup's 404 is a finding then. Such an item
 * keeps what the cache knows and counts no attempt: a shifting list never
 * makes an orphan. */
static gboolean
undecided_for (RunData         *run,
               const CsOutcome *outcome)
{
  const CsAppointment *a = outcome->appointment;
  g_autofree char *key = NULL;
  gint64 id;

  if (outcome->kind != CS_OUTCOME_ORPHANED_LOCAL && outcome->kind != CS_OUTCOME_ORPHANED_CALCOM &&
      outcome->kind != CS_OUTCOME_LOOKUP_NEEDED)
    return FALSE;

  if (partner_refused (run, outcome))
    return TRUE;

  if (a != NULL ? !run->calcom_drifted : !run->backend_drifted)
    return FALSE;

  if (outcome->kind == CS_OUTCOME_LOOKUP_NEEDED)
    {
      /* Looked up and failed is that lookup's error; not looked up (over
       * the budget) is not known. */
      key = lookup_key_for (outcome);
      return key == NULL || !g_hash_table_contains (run->looked_up, key);
    }

  if (a != NULL)
    return a->calcom_booking_uid == NULL ||
           !g_hash_table_contains (run->missing_uids, a->calcom_booking_uid);

  id = outcome->booking != NULL ? booking_crm_id (outcome->booking) : 0;
  return id <= 0 || !g_hash_table_contains (run->missing_ids, &id);
}

/* Deciding */

static gboolean
is_requested (RunData             *run,
              const CsAppointment *appointment,
              const CsBooking     *booking)
{
  if (run->options.kind != CS_VERIFICATION_RETRY)
    return TRUE;

  if (appointment != NULL)
    return g_hash_table_contains (run->requested_ids, &appointment->id);

  return booking != NULL && g_hash_table_contains (run->requested_uids, booking->uid);
}

/* Whether this run counts an attempt for an item: a cycle leaves flagged
 * items to the daily check; resolved and snoozed items are a person's
 * decision, which only a success overrides. */
static gboolean
in_scope (RunData              *run,
          CsVerifier           *self,
          const CsSyncTracking *previous,
          CsTime                resolved_at,
          CsTime                snoozed_until,
          CsAttemptKind         attempt,
          gboolean              changed)
{
  CsTime now = cs_clock_get_now (self->clock);

  if (run->options.kind == CS_VERIFICATION_RETRY)
    return TRUE;

  if (attempt == CS_ATTEMPT_SYNCED)
    return TRUE;

  if (resolved_at != CS_TIME_UNSET || snoozed_until > now)
    return FALSE;

  /* A flagged item waits for the daily check, unless it changed. */
  if (run->options.kind == CS_VERIFICATION_CYCLE && previous->requires_manual_review && !changed)
    return FALSE;

  return TRUE;
}

static char *
diff_summary (const CsOutcome *outcome)
{
  GString *fields = g_string_new (NULL);

  for (guint i = 0; outcome->diffs != NULL && i < outcome->diffs->len; i++)
    {
      const CsFieldDiff *diff = g_ptr_array_index (outcome->diffs, i);

      if (fields->len > 0)
        g_string_append (fields, ", ");
      g_string_append (fields, cs_diff_field_to_string (diff->field));
    }

  return g_string_free (fields, FALSE);
}

/* JSON of the per-field diff, for the review dialog. Values are instants,
 * statuses and uids: no customer data. */
static char *
diff_json (const CsOutcome *outcome)
{
  return cs_sync_diff_to_json (outcome->diffs);
}

/* What the outcome means as an attempt, with a message for the tracking
 * fields: in English, as they go to the CRM too, and without customer
 * data (the UI shows its own words for the code). */
static CsAttemptKind
attempt_for (RunData          *run,
             const CsOutcome  *outcome,
             char            **message)
{
  g_autofree char *key = NULL;
  const char *lookup_error;

  *message = NULL;

  switch (outcome->kind)
    {
    case CS_OUTCOME_SYNCED:
      return CS_ATTEMPT_SYNCED;

    case CS_OUTCOME_DATA_MISMATCH:
      {
        g_autofree char *fields = diff_summary (outcome);

        *message = g_strdup_printf ("Data mismatch: %s", fields);
        return CS_ATTEMPT_DATA_MISMATCH;
      }

    case CS_OUTCOME_CONFLICT:
      *message = g_strdup (outcome->conflict_bookings != NULL && outcome->conflict_bookings->len > 1
                           ? "Conflict: several Cal.com bookings claim this appointment"
                           : "Conflict: the Cal.com booking is claimed by another appointment too");
      return CS_ATTEMPT_DATA_MISMATCH;

    case CS_OUTCOME_ORPHANED_LOCAL:
      if (outcome->appointment->calcom_booking_uid != NULL)
        *message = g_strdup_printf ("Booking \"%s\" not found in Cal.com",
                                    outcome->appointment->calcom_booking_uid);
      else
        *message = g_strdup ("Not found in Cal.com");
      return CS_ATTEMPT_ORPHANED_LOCAL;

    case CS_OUTCOME_ORPHANED_CALCOM:
      *message = g_strdup ("Not found in the CRM database");
      return CS_ATTEMPT_ORPHANED_CALCOM;

    case CS_OUTCOME_LOOKUP_NEEDED:
      key = lookup_key_for (outcome);
      lookup_error = key != NULL ? g_hash_table_lookup (run->lookup_errors, key) : NULL;
      *message = g_strdup (lookup_error != NULL ? lookup_error : CS_LOOKUP_REASON_FAILED);
      return CS_ATTEMPT_VERIFICATION_ERROR;

    default:
      g_assert_not_reached ();
    }
}

static void
add_issue (CsVerifyReport       *report,
           const CsAppointment  *appointment,
           const CsBooking      *booking,
           const CsSyncTracking *tracking)
{
  CsVerifyIssue *issue;

  if (tracking->status == CS_SYNC_STATUS_SYNCED)
    return;

  issue = g_new0 (CsVerifyIssue, 1);
  issue->appointment_id = appointment != NULL ? appointment->id : 0;
  issue->number = appointment != NULL ? g_strdup (appointment->number) : NULL;
  issue->booking_uid = g_strdup (appointment != NULL ? appointment->calcom_booking_uid
                                                     : booking->uid);
  issue->starts_at = appointment != NULL ? appointment->starts_at : booking->start;
  issue->status = tracking->status;
  issue->error_code = tracking->sync_error_code;
  issue->message = g_strdup (tracking->sync_error_message);
  issue->attempts = tracking->sync_attempt_count;
  issue->requires_manual_review = tracking->requires_manual_review;
  g_ptr_array_add (report->issues, issue);
}

/* Appointments and bookings carry the same local state (tracking, next
 * attempt, resolution) under the same names: what the cache knows of it is
 * kept over fresh server data. */
#define KEEP_LOCAL_STATE(next, previous)                                    \
  G_STMT_START                                                              \
  {                                                                         \
    cs_sync_tracking_copy_into (&(previous)->sync, &(next)->sync);          \
    (next)->next_attempt_at = (previous)->next_attempt_at;                  \
    (next)->resolved_at = (previous)->resolved_at;                          \
    (next)->resolved_by = (previous)->resolved_by;                          \
    g_free ((next)->resolution);                                            \
    (next)->resolution = g_strdup ((previous)->resolution);                 \
    g_free ((next)->resolution_note);                                       \
    (next)->resolution_note = g_strdup ((previous)->resolution_note);       \
    (next)->snoozed_until = (previous)->snoozed_until;                      \
  }                                                                         \
  G_STMT_END

/* The history line of a check that changed an appointment's tracking:
 * verified (and, for a flagged one, that the flag cleared itself), an
 * attempt counted, the flag, or a finding that changed on a check that
 * counted nothing (early, or flagged). */
static CsHistoryEvent *
history_event_for (const CsAppointment   *previous,
                   const CsRetryDecision *decision,
                   CsAttemptKind          attempt,
                   const char            *message,
                   CsTime                 now)
{
  CsHistoryEvent *event;

  if (attempt == CS_ATTEMPT_SYNCED)
    {
      if (previous->sync.status == CS_SYNC_STATUS_SYNCED)
        return NULL;
      if (previous->sync.requires_manual_review)
        event = cs_history_event_new (previous->id, now, CS_HISTORY_KIND_FLAG_CLEARED, NULL);
      else
        event = cs_history_event_new (previous->id, now, CS_HISTORY_KIND_VERIFIED, "Verified");
    }
  else if (decision->newly_flagged)
    event = cs_history_event_new (previous->id, now, CS_HISTORY_KIND_FLAGGED, message);
  else if (decision->counted)
    event = cs_history_event_new (previous->id, now, CS_HISTORY_KIND_ATTEMPT_FAILED, message);
  else
    event = cs_history_event_new (previous->id, now, CS_HISTORY_KIND_CHECKED, message);

  event->attempt = decision->tracking.sync_attempt_count;
  return event;
}

/* Applies one attempt to an appointment (@fresh: the CRM's data, owned by
 * the run's arrays) over what the cache had. */
static void
decide_appointment (CsVerifier       *self,
                    RunData          *run,
                    const CsOutcome  *outcome,
                    GHashTable       *cached)
{
  CsAppointment *fresh = (CsAppointment *) outcome->appointment;
  const CsAppointment *previous = g_hash_table_lookup (cached, &fresh->id);
  g_autoptr(CsAppointment) next = cs_appointment_copy (fresh);
  g_autofree char *message = NULL;
  CsAttemptKind attempt = attempt_for (run, outcome, &message);
  CsTime now = cs_clock_get_now (self->clock);
  CsAttemptResult result = { attempt, message, CS_TIME_UNSET };
  CsRetryDecision decision;

  /* The cache's tracking and resolution win over the copy the CRM holds
   * (ours, reported earlier); a rebuilt cache starts from the CRM's. */
  if (previous != NULL)
    KEEP_LOCAL_STATE (next, previous);

  if (!is_requested (run, fresh, NULL))
    return;

  if (in_scope (run, self, &next->sync, next->resolved_at, next->snoozed_until, attempt,
                run->changed_ids != NULL && g_hash_table_contains (run->changed_ids, &fresh->id)))
    {
      cs_retry_policy_apply (&next->sync, next->next_attempt_at, &result, now, &decision);

      if (!cs_sync_tracking_equal (&decision.tracking, &next->sync))
        {
          CsHistoryEvent *event = history_event_for (next, &decision, attempt, message, now);

          if (event != NULL)
            g_ptr_array_add (run->save_events, event);
        }

      cs_sync_tracking_copy_into (&decision.tracking, &next->sync);
      next->next_attempt_at = decision.next_attempt_at;

      if (decision.newly_flagged)
        g_ptr_array_add (run->report->newly_flagged_appointments, cs_appointment_copy (next));

      if (outcome->kind == CS_OUTCOME_DATA_MISMATCH)
        {
          g_ptr_array_add (run->diffs, int64_dup (next->id));
          g_ptr_array_add (run->diffs, diff_json (outcome));
        }

      cs_retry_decision_clear (&decision);
    }

  if (previous == NULL || !cs_sync_tracking_equal (&previous->sync, &next->sync) || run->report_all)
    g_ptr_array_add (run->report_appointments, cs_appointment_copy (next));

  run->record->counts[next->sync.status]++;
  add_issue (run->report, next, NULL, &next->sync);
  g_ptr_array_add (run->save_appointments, g_steal_pointer (&next));
}

static void
decide_booking (CsVerifier      *self,
                RunData         *run,
                const CsOutcome *outcome,
                GHashTable      *cached)
{
  const CsBooking *fresh = outcome->booking;
  const CsBooking *previous = g_hash_table_lookup (cached, fresh->uid);
  g_autoptr(CsBooking) next = cs_booking_copy (fresh);
  g_autofree char *message = NULL;
  CsAttemptKind attempt = attempt_for (run, outcome, &message);
  CsTime now = cs_clock_get_now (self->clock);
  CsAttemptResult result = { attempt, message, CS_TIME_UNSET };
  CsRetryDecision decision;

  if (previous != NULL)
    KEEP_LOCAL_STATE (next, previous);

  if (!is_requested (run, NULL, fresh))
    return;

  if (in_scope (run, self, &next->sync, next->resolved_at, next->snoozed_until, attempt,
                run->changed_uids != NULL && g_hash_table_contains (run->changed_uids, fresh->uid)))
    {
      cs_retry_policy_apply (&next->sync, next->next_attempt_at, &result, now, &decision);
      cs_sync_tracking_copy_into (&decision.tracking, &next->sync);
      next->next_attempt_at = decision.next_attempt_at;
      if (decision.newly_flagged)
        g_ptr_array_add (run->report->newly_flagged_bookings, cs_booking_copy (next));
      cs_retry_decision_clear (&decision);
    }

  run->record->counts[next->sync.status]++;
  add_issue (run->report, NULL, next, &next->sync);
  g_ptr_array_add (run->save_bookings, g_steal_pointer (&next));
}

/* An item undecided_for() leaves alone: saved with the state the cache had
 * (or the CRM's copy, for one the cache does not know yet), no attempt
 * counted, no history event. */
static void
keep_undecided (RunData         *run,
                const CsOutcome *outcome,
                GHashTable      *cached_by_id,
                GHashTable      *cached_by_uid)
{
  if (!is_requested (run, outcome->appointment, outcome->booking))
    return;

  run->report->n_undecided++;

  if (outcome->appointment != NULL)
    {
      const CsAppointment *previous = g_hash_table_lookup (cached_by_id, &outcome->appointment->id);
      g_autoptr(CsAppointment) next = cs_appointment_copy (outcome->appointment);

      if (previous != NULL)
        KEEP_LOCAL_STATE (next, previous);
      if (previous == NULL || !cs_sync_tracking_equal (&previous->sync, &next->sync) ||
          run->report_all)
        g_ptr_array_add (run->report_appointments, cs_appointment_copy (next));

      run->record->counts[next->sync.status]++;
      add_issue (run->report, next, NULL, &next->sync);
      g_ptr_array_add (run->save_appointments, g_steal_pointer (&next));
    }
  else
    {
      const CsBooking *previous = g_hash_table_lookup (cached_by_uid, outcome->booking->uid);
      g_autoptr(CsBooking) next = cs_booking_copy (outcome->booking);

      if (previous != NULL)
        KEEP_LOCAL_STATE (next, previous);

      run->record->counts[next->sync.status]++;
      add_issue (run->report, NULL, next, &next->sync);
      g_ptr_array_add (run->save_bookings, g_steal_pointer (&next));
    }
}

/* A booking that is claimed needs no tracking of its own: it is seen, and
 * any orphan finding it had is over. */
static void
mark_claimed_bookings (CsVerifier *self,
                       RunData    *run,
                       GHashTable *orphaned_uids,
                       GHashTable *cached)
{
  for (guint i = 0; i < run->bookings->len; i++)
    {
      CsBooking *booking = g_ptr_array_index (run->bookings, i);
      const CsBooking *previous;
      CsBooking *next;

      if (g_hash_table_contains (orphaned_uids, booking->uid) || !is_requested (run, NULL, booking))
        continue;

      previous = g_hash_table_lookup (cached, booking->uid);
      next = cs_booking_copy (booking);
      if (previous != NULL && previous->sync.status == CS_SYNC_STATUS_ORPHANED_CALCOM)
        {
          CsAttemptResult result = { CS_ATTEMPT_SYNCED, NULL, CS_TIME_UNSET };
          CsRetryDecision decision;

          cs_retry_policy_apply (&previous->sync, previous->next_attempt_at, &result,
                                 cs_clock_get_now (self->clock), &decision);
          cs_sync_tracking_copy_into (&decision.tracking, &next->sync);
          cs_retry_decision_clear (&decision);
        }
      g_ptr_array_add (run->save_bookings, next);
    }
}

static GHashTable *
cached_appointments (CsVerifier *self,
                     RunData    *run,
                     GPtrArray **keep)
{
  GHashTable *table = g_hash_table_new (g_int64_hash, g_int64_equal);

  *keep = cs_store_list_appointments (self->store, CS_TIME_UNSET, CS_TIME_UNSET, NULL);
  for (guint i = 0; *keep != NULL && i < (*keep)->len; i++)
    {
      CsAppointment *a = g_ptr_array_index (*keep, i);

      g_hash_table_insert (table, &a->id, a);
    }

  return table;
}

static GHashTable *
cached_bookings (CsVerifier *self,
                 GPtrArray **keep)
{
  GHashTable *table = g_hash_table_new (g_str_hash, g_str_equal);

  *keep = cs_store_list_bookings (self->store, CS_TIME_UNSET, CS_TIME_UNSET, NULL);
  for (guint i = 0; *keep != NULL && i < (*keep)->len; i++)
    {
      CsBooking *b = g_ptr_array_index (*keep, i);

      g_hash_table_insert (table, b->uid, b);
    }

  return table;
}

static void commit_run (GTask *task);

/* Whether @count new findings in a window of @window appointments are too
 * many to be believed at once. */
static gboolean
guard_trips (RunData *run,
             guint    count,
             guint    window)
{
  return run->options.kind != CS_VERIFICATION_RETRY && run->options.orphan_guard < 1.0 &&
         count >= ORPHAN_GUARD_MINIMUM && count > run->options.orphan_guard * MAX (window, 1);
}

/* Flags nothing, changes no appointment: records the run as suspect, with
 * what it would have found, for a person to apply anyway or discard. */
static void
hold_as_suspect (GTask *task,
                 guint  n_local,
                 guint  n_calcom,
                 guint  window)
{
  RunData *run = g_task_get_task_data (task);

  run->report->suspect = TRUE;
  run->report->n_window = window;
  run->report->n_suspect_local = n_local;
  run->report->n_suspect_calcom = n_calcom;
  run->report->suspect_reason =
    g_strdup_printf (_("This check would have found %u of %u appointments missing in Cal.com "
                       "and %u bookings missing in the CRM, all at once. That looks more like an "
                       "empty answer or a wrong account than real problems, so nothing was "
                       "changed. Check the connection settings, then apply the result anyway or "
                       "discard it."),
                     n_local, MAX (window, 1), n_calcom);
  g_free (run->record->result);
  run->record->result = g_strdup (CS_RUN_RESULT_SUSPECT);
  g_free (run->record->error_message);
  run->record->error_message = g_strdup (run->report->suspect_reason);
  commit_run (task);
}

static void
decide (GTask             *task,
        CsReconcileResult *result)
{
  CsVerifier *self = g_task_get_source_object (task);
  RunData *run = g_task_get_task_data (task);
  g_autoptr(GPtrArray) keep_appointments = NULL;
  g_autoptr(GPtrArray) keep_bookings = NULL;
  g_autoptr(GHashTable) by_id = cached_appointments (self, run, &keep_appointments);
  g_autoptr(GHashTable) by_uid = cached_bookings (self, &keep_bookings);
  g_autoptr(GHashTable) orphaned_uids = g_hash_table_new (g_str_hash, g_str_equal);
  guint newly_local = 0, newly_calcom = 0, window = 0;
  g_autofree char *report_pending = NULL;

  cs_store_get_state (self->store, STATE_REPORT_PENDING, &report_pending, NULL);
  run->report_all = report_pending != NULL;

  /* The orphan guard first: would this run newly find many orphans? */
  for (guint i = 0; i < result->outcomes->len; i++)
    {
      const CsOutcome *o = cs_reconcile_result_get (result, i);
      const CsAppointment *cached_a = o->appointment ? g_hash_table_lookup (by_id, &o->appointment->id) : NULL;
      const CsBooking *cached_b = !o->appointment && o->booking ? g_hash_table_lookup (by_uid, o->booking->uid) : NULL;

      if (o->appointment != NULL)
        window++;
      if (undecided_for (run, o))
        continue;
      if (o->kind == CS_OUTCOME_ORPHANED_LOCAL &&
          (cached_a == NULL || cached_a->sync.status != CS_SYNC_STATUS_ORPHANED_LOCAL))
        newly_local++;
      if (o->kind == CS_OUTCOME_ORPHANED_CALCOM &&
          (cached_b == NULL || cached_b->sync.status != CS_SYNC_STATUS_ORPHANED_CALCOM))
        newly_calcom++;
    }

  run->report->n_window = window;
  run->report->n_rejected = run->n_rejected;
  run->report->n_foreign = run->n_foreign;

  if (guard_trips (run, newly_local + newly_calcom, window))
    {
      hold_as_suspect (task, newly_local, newly_calcom, window);
      return;
    }

  for (guint i = 0; i < result->outcomes->len; i++)
    {
      const CsOutcome *o = cs_reconcile_result_get (result, i);

      if (undecided_for (run, o))
        {
          /* An unclaimed booking left undecided keeps its own state: it
           * is not "claimed" either. */
          if (o->appointment == NULL && o->booking != NULL)
            g_hash_table_add (orphaned_uids, o->booking->uid);
          keep_undecided (run, o, by_id, by_uid);
          continue;
        }

      if (o->appointment != NULL)
        decide_appointment (self, run, o, by_id);
      else if (o->booking != NULL)
        {
          g_hash_table_add (orphaned_uids, o->booking->uid);
          decide_booking (self, run, o, by_uid);
        }
    }

  mark_claimed_bookings (self, run, orphaned_uids, by_uid);

  /* Said in the log, without customer data, since the dashboard shows
   * nothing for an item that stayed as it was. */
  run->report->n_drifted_listings = (run->calcom_drifted ? 1 : 0) + (run->backend_drifted ? 1 : 0);
  if (run->calcom_drifted)
    g_message ("The Cal.com listing kept moving while it was read, also when read again");
  if (run->backend_drifted)
    g_message ("The CRM listing kept moving while it was read, also when read again");
  if (run->report->n_undecided > 0)
    g_message ("%u appointments and bookings could not be decided and stay as they were",
               run->report->n_undecided);

  run->record->n_flagged = run->report->newly_flagged_appointments->len +
                           run->report->newly_flagged_bookings->len;

  commit_run (task);
}

typedef struct
{
  char  *key;
  guint  attempts;
} Candidate;

static int
compare_candidates (gconstpointer a,
                    gconstpointer b)
{
  const Candidate *x = a, *y = b;

  /* Closest to a flag first; then a stable order. */
  if (x->attempts != y->attempts)
    return x->attempts > y->attempts ? -1 : 1;
  return g_strcmp0 (x->key, y->key);
}

/* Queues at most LOOKUP_BUDGET lookups per service; the undecided rest is
 * taken as missing, as a lookup's 404 would. Returns the number queued. */
static guint
plan_lookups (CsVerifier        *self,
              RunData           *run,
              CsReconcileResult *result)
{
  g_autoptr(GArray) candidates = g_array_new (FALSE, FALSE, sizeof (Candidate));
  guint queued_uids = 0, queued_ids = 0;

  for (guint i = 0; i < result->outcomes->len; i++)
    {
      const CsOutcome *o = cs_reconcile_result_get (result, i);
      Candidate candidate = { 0 };

      /* A lookup of a refused row would be refused the same way. */
      if (o->kind != CS_OUTCOME_LOOKUP_NEEDED || !is_requested (run, o->appointment, o->booking) ||
          partner_refused (run, o))
        continue;

      candidate.key = lookup_key_for (o);
      if (candidate.key == NULL || g_hash_table_contains (run->looked_up, candidate.key) ||
          g_hash_table_contains (run->passed_over, candidate.key))
        {
          g_free (candidate.key);
          continue;
        }

      if (o->appointment != NULL)
        {
          g_autoptr(CsAppointment) cached = cs_store_get_appointment (self->store,
                                                                      o->appointment->id, NULL);

          candidate.attempts = cached != NULL ? cached->sync.sync_attempt_count : 0;
        }
      else
        {
          g_autoptr(CsBooking) cached = cs_store_get_booking (self->store, o->booking->uid, NULL);

          candidate.attempts = cached != NULL ? cached->sync.sync_attempt_count : 0;
        }
      g_array_append_val (candidates, candidate);
    }

  g_array_sort (candidates, compare_candidates);

  for (guint i = 0; i < candidates->len; i++)
    {
      Candidate *c = &g_array_index (candidates, Candidate, i);
      gboolean is_uid = g_str_has_prefix (c->key, UID_KEY_PREFIX);
      guint *queued = is_uid ? &queued_uids : &queued_ids;

      if (*queued < LOOKUP_BUDGET)
        {
          g_hash_table_add (run->looked_up, g_strdup (c->key));
          g_queue_push_tail (&run->lookups, g_steal_pointer (&c->key));
          (*queued)++;
          continue;
        }

      /* Over the budget: decided from the listings, as missing; but a
       * listing that did not hold still decides nothing (undecided_for()),
       * and a later round does not spend another budget on it. */
      if (is_uid ? run->calcom_drifted : run->backend_drifted)
        g_hash_table_add (run->passed_over, g_steal_pointer (&c->key));
      else if (is_uid)
        g_hash_table_add (run->missing_uids, g_strdup (c->key + strlen (UID_KEY_PREFIX)));
      else
        g_hash_table_add (run->missing_ids,
                          int64_dup (g_ascii_strtoll (c->key + strlen (ID_KEY_PREFIX), NULL, 10)));
      g_clear_pointer (&c->key, g_free);
    }

  return queued_uids + queued_ids;
}

static void
reconcile_round (GTask *task)
{
  CsVerifier *self = g_task_get_source_object (task);
  RunData *run = g_task_get_task_data (task);
  g_autoptr(CsReconcileResult) result = NULL;
  CsReconcileOptions options = {
    .company_id = cs_store_get_company_id (self->store),
    .missing_uids = run->missing_uids,
    .missing_appointment_ids = run->missing_ids,
  };
  guint queued = 0;

  result = cs_reconcile (run->appointments, run->bookings, &options);

  /* Lookups are for a few stragglers. When the listing leaves a large share
   * of the window undecided (Cal.com answered an empty list), looking each
   * up would cost a request per appointment: the run is held instead. */
  if (run->round == 0)
    {
      guint n_local = 0, n_calcom = 0;
      guint window = result->outcomes->len - result->counts[CS_OUTCOME_ORPHANED_CALCOM];

      /* What a drifting listing leaves undecided stays as it was: it is
       * no finding, so it does not count towards the guard. */
      for (guint i = 0; i < result->outcomes->len; i++)
        {
          const CsOutcome *o = cs_reconcile_result_get (result, i);

          if (o->kind != CS_OUTCOME_LOOKUP_NEEDED || undecided_for (run, o))
            continue;
          if (o->appointment != NULL)
            n_local++;
          else
            n_calcom++;
        }

      if (guard_trips (run, n_local + n_calcom, window))
        {
          hold_as_suspect (task, n_local, n_calcom, window);
          return;
        }
    }

  if (run->round < MAX_LOOKUP_ROUNDS && result->counts[CS_OUTCOME_LOOKUP_NEEDED] > 0)
    queued = plan_lookups (self, run, result);

  if (queued > 0)
    {
      set_phase (self, CS_VERIFIER_LOOKING_UP, queued);
      lookup_next (task);
      return;
    }

  decide (task, result);
}

/* Saving and reporting */

static void
report_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CsVerifier *self = g_task_get_source_object (task);
  RunData *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!cs_backend_client_report_sync_status_finish (CS_BACKEND_CLIENT (object), result, NULL,
                                                    &error))
    {
      /* The cache holds the truth; the next run reports everything again. */
      g_message ("The tracking fields could not be reported to the CRM; the next run will");
      cs_store_set_state (self->store, STATE_REPORT_PENDING, "1", NULL);
    }
  else
    {
      cs_store_set_state (self->store, STATE_REPORT_PENDING, NULL, NULL);
    }

  /* The report's figures include the report itself. */
  fill_run_figures (self, run);
  g_clear_pointer (&run->report->run, cs_run_record_free);
  run->report->run = cs_run_record_copy (run->record);
  finish (task, NULL);
}

static void
commit_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  CsVerifier *self = source_object;
  RunData *run = task_data;
  GError *error = NULL;

  if (!cs_store_commit_run (self->store, run->record, run->save_appointments,
                            run->save_bookings, run->save_events, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  for (guint i = 0; i + 1 < run->diffs->len; i += 2)
    cs_store_set_sync_diff (self->store, *(gint64 *) g_ptr_array_index (run->diffs, i),
                            g_ptr_array_index (run->diffs, i + 1), NULL);

  /* The retry timer serves every item that waits, not only those this run
   * looked at. Times before the run's start are left out: a run that met
   * such an item and could not serve it (it left the CRM) must not be
   * requested again at once; the next cycle looks at it. */
  if (!cs_store_get_next_due (self->store, run->record->started_at, &run->report->next_due,
                              &error))
    {
      g_warning ("The next due attempt could not be read: %s", error->message);
      g_clear_error (&error);
    }

  g_task_return_boolean (task, TRUE);
}

static void
committed_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CsVerifier *self = g_task_get_source_object (task);
  RunData *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* Nothing of the run was written: the cache is as before. */
      finish (task, g_steal_pointer (&error));
      return;
    }

  if (!run->report->suspect && run->options.kind != CS_VERIFICATION_RETRY)
    cs_store_set_state_int64 (self->store, STATE_VERIFIED_THROUGH, run->record->started_at, NULL);

  if (run->report->suspect || run->report_appointments->len == 0)
    {
      finish (task, NULL);
      return;
    }

  set_phase (self, CS_VERIFIER_REPORTING, 0);
  cancellable = g_task_get_cancellable (task);
  cs_backend_client_report_sync_status_async (self->backend, run->report_appointments, NULL,
                                              cancellable, report_cb, g_steal_pointer (&task));
}

static void
commit_run (GTask *task)
{
  CsVerifier *self = g_task_get_source_object (task);
  RunData *run = g_task_get_task_data (task);
  g_autoptr(GTask) worker = NULL;

  fill_run_figures (self, run);
  if (run->record->result == NULL)
    run->record->result = g_strdup (CS_RUN_RESULT_OK);

  run->report->run = cs_run_record_copy (run->record);

  if (run->options.dry_run)
    {
      finish (task, NULL);
      return;
    }

  if (run->report->suspect)
    {
      /* Only the record of the run: no appointment changes. */
      g_ptr_array_set_size (run->save_appointments, 0);
      g_ptr_array_set_size (run->save_bookings, 0);
      g_ptr_array_set_size (run->save_events, 0);
      g_ptr_array_set_size (run->diffs, 0);
    }

  set_phase (self, CS_VERIFIER_SAVING, 0);

  /* The run's figures, and this object, live through the worker. */
  worker = g_task_new (self, NULL, committed_cb, g_object_ref (task));
  g_task_set_source_tag (worker, commit_run);
  g_task_set_task_data (worker, run, NULL);
  g_task_run_in_thread (worker, commit_in_thread);
}

/* GObject */

static void
cs_verifier_dispose (GObject *object)
{
  CsVerifier *self = CS_VERIFIER (object);

  g_clear_object (&self->store);
  g_clear_object (&self->calcom);
  g_clear_object (&self->backend);
  g_clear_object (&self->clock);
  g_clear_pointer (&self->joiners, g_ptr_array_unref);

  G_OBJECT_CLASS (cs_verifier_parent_class)->dispose (object);
}

static void
cs_verifier_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CsVerifier *self = CS_VERIFIER (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->current != NULL);
      break;

    case PROP_PHASE:
      g_value_set_enum (value, self->phase);
      break;

    case PROP_DONE:
      g_value_set_uint (value, self->done);
      break;

    case PROP_TOTAL:
      g_value_set_uint (value, self->total);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_verifier_class_init (CsVerifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_verifier_dispose;
  object_class->get_property = cs_verifier_get_property;

  /**
   * CsVerifier:running:
   *
   * Whether a run is going.
   */
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CsVerifier:phase:
   *
   * Where the run is.
   */
  properties[PROP_PHASE] =
    g_param_spec_enum ("phase", NULL, NULL, CS_TYPE_VERIFIER_PHASE, CS_VERIFIER_IDLE,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CsVerifier:done:
   *
   * Steps of the phase done (listings, lookups).
   */
  properties[PROP_DONE] =
    g_param_spec_uint ("done", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CsVerifier:total:
   *
   * Steps of the phase in all, or 0 if not known.
   */
  properties[PROP_TOTAL] =
    g_param_spec_uint ("total", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_verifier_init (CsVerifier *self)
{
  self->joiners = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * cs_verifier_new:
 * @store: the cache
 * @calcom: the Cal.com client, with its key
 * @backend: the CRM client, with its token
 * @clock: (nullable): the clock, or %NULL for the system clock
 *
 * Returns: (transfer full): a new verifier
 */
CsVerifier *
cs_verifier_new (CsStore         *store,
                 CsCalcomClient  *calcom,
                 CsBackendClient *backend,
                 CsClock         *clock)
{
  CsVerifier *self;

  g_return_val_if_fail (CS_IS_STORE (store), NULL);
  g_return_val_if_fail (CS_IS_CALCOM_CLIENT (calcom), NULL);
  g_return_val_if_fail (CS_IS_BACKEND_CLIENT (backend), NULL);

  self = g_object_new (CS_TYPE_VERIFIER, NULL);
  self->store = g_object_ref (store);
  self->calcom = g_object_ref (calcom);
  self->backend = g_object_ref (backend);
  self->clock = g_object_ref (clock != NULL ? clock : cs_clock_get_system ());

  return self;
}

/**
 * cs_verifier_get_running:
 * @self: a verifier
 *
 * Returns: %TRUE while a run is going
 */
gboolean
cs_verifier_get_running (CsVerifier *self)
{
  g_return_val_if_fail (CS_IS_VERIFIER (self), FALSE);

  return self->current != NULL;
}

/**
 * cs_verifier_get_scope:
 * @self: a verifier
 * @out_ids: (out) (transfer full) (optional) (nullable): the appointments
 *   the run checks, or %NULL for every one of the window
 * @out_uids: (out) (transfer full) (optional) (nullable): the bookings the
 *   run checks, or %NULL for every one of the window
 *
 * What the run that is going checks: what the appointment list shows as
 * being verified meanwhile. A retry checks the items it was asked for;
 * every other run the whole window (both arrays %NULL).
 *
 * Returns: %TRUE while a run is going
 */
gboolean
cs_verifier_get_scope (CsVerifier  *self,
                       GArray     **out_ids,
                       GPtrArray  **out_uids)
{
  RunData *run;

  g_return_val_if_fail (CS_IS_VERIFIER (self), FALSE);

  if (out_ids != NULL)
    *out_ids = NULL;
  if (out_uids != NULL)
    *out_uids = NULL;

  if (self->current == NULL)
    return FALSE;

  run = g_task_get_task_data (self->current);
  if (run->options.kind == CS_VERIFICATION_RETRY)
    {
      if (out_ids != NULL)
        *out_ids = run->options.appointment_ids != NULL
                   ? g_array_ref (run->options.appointment_ids)
                   : g_array_new (FALSE, FALSE, sizeof (gint64));
      if (out_uids != NULL)
        *out_uids = run->options.booking_uids != NULL
                    ? g_ptr_array_ref (run->options.booking_uids)
                    : g_ptr_array_new ();
    }

  return TRUE;
}

/**
 * cs_verifier_get_phase:
 * @self: a verifier
 *
 * Returns: where the run is
 */
CsVerifierPhase
cs_verifier_get_phase (CsVerifier *self)
{
  g_return_val_if_fail (CS_IS_VERIFIER (self), CS_VERIFIER_IDLE);

  return self->phase;
}

/**
 * cs_verifier_get_done:
 * @self: a verifier
 *
 * Returns: steps of the phase done
 */
guint
cs_verifier_get_done (CsVerifier *self)
{
  g_return_val_if_fail (CS_IS_VERIFIER (self), 0);

  return self->done;
}

/**
 * cs_verifier_get_total:
 * @self: a verifier
 *
 * Returns: steps of the phase in all, or 0 if not known
 */
guint
cs_verifier_get_total (CsVerifier *self)
{
  g_return_val_if_fail (CS_IS_VERIFIER (self), 0);

  return self->total;
}

/**
 * cs_verifier_set_time_limit:
 * @self: a verifier
 * @time_limit: the longest a run may take, in microseconds of the
 *   verifier's clock, or 0 for no limit
 *
 * Gives every run from the next one on a deadline: its requests wait for
 * no rate limit past it (a longer wait fails the run at once with
 * %CS_NET_ERROR_RATE_LIMITED, whose cs_net_error_get_retry_at() tells
 * when the server will take requests again) and none is on the wire after
 * it. A run that starts while another one goes joins that one and keeps
 * its deadline.
 */
void
cs_verifier_set_time_limit (CsVerifier *self,
                            gint64      time_limit)
{
  g_return_if_fail (CS_IS_VERIFIER (self));
  g_return_if_fail (time_limit >= 0);

  self->time_limit = time_limit;
}

/**
 * cs_verifier_get_time_limit:
 * @self: a verifier
 *
 * Returns: the longest a run may take, in microseconds, or 0 for no limit
 */
gint64
cs_verifier_get_time_limit (CsVerifier *self)
{
  g_return_val_if_fail (CS_IS_VERIFIER (self), 0);

  return self->time_limit;
}

/**
 * cs_verifier_run_async:
 * @self: a verifier
 * @options: what to verify
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the report, or an error
 * @user_data: data for @callback
 *
 * Runs one verification. While one is going, a new request joins it and
 * gets its report (its own options are not used).
 */
void
cs_verifier_run_async (CsVerifier            *self,
                       const CsVerifyOptions *options,
                       GCancellable          *cancellable,
                       GAsyncReadyCallback    callback,
                       gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  RunData *run;
  const char *kind;

  g_return_if_fail (CS_IS_VERIFIER (self));
  g_return_if_fail (options != NULL);
  g_return_if_fail (options->window_end > options->window_start);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_verifier_run_async);

  if (self->current != NULL)
    {
      g_ptr_array_add (self->joiners, g_steal_pointer (&task));
      return;
    }

  run = g_new0 (RunData, 1);
  run->options = *options;
  run->options.appointment_ids = options->appointment_ids ? g_array_ref (options->appointment_ids) : NULL;
  run->options.booking_uids = options->booking_uids ? g_ptr_array_ref (options->booking_uids) : NULL;

  kind = options->kind == CS_VERIFICATION_CYCLE ? CS_RUN_KIND_CYCLE
         : options->kind == CS_VERIFICATION_RETRY ? CS_RUN_KIND_RETRY
         : CS_RUN_KIND_COMPREHENSIVE;
  run->record = cs_run_record_new (kind, cs_clock_get_now (self->clock));
  run->started_mono = cs_clock_get_monotonic (self->clock);
  run->calcom_requests_before =
    cs_http_client_get_request_count (cs_calcom_client_get_http (self->calcom));
  run->backend_requests_before =
    cs_http_client_get_request_count (cs_backend_client_get_http (self->backend));

  run->windows = g_array_new (FALSE, FALSE, sizeof (Window));
  run->changed_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  run->changed_uids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run->appointments = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_appointment_free);
  run->bookings = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_booking_free);
  run->seen_ids = g_hash_table_new (g_int64_hash, g_int64_equal);
  run->seen_uids = g_hash_table_new (g_str_hash, g_str_equal);
  run->refused_uids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run->refused_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  run->missing_uids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run->missing_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  run->lookup_errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  run->looked_up = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run->passed_over = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&run->lookups);
  run->requested_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  run->requested_uids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; options->appointment_ids != NULL && i < options->appointment_ids->len; i++)
    g_hash_table_add (run->requested_ids,
                      int64_dup (g_array_index (options->appointment_ids, gint64, i)));
  for (guint i = 0; options->booking_uids != NULL && i < options->booking_uids->len; i++)
    g_hash_table_add (run->requested_uids, g_strdup (g_ptr_array_index (options->booking_uids, i)));

  run->report = report_new ();
  run->save_appointments = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_appointment_free);
  run->save_bookings = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_booking_free);
  run->save_events = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_history_event_free);
  run->diffs = g_ptr_array_new_with_free_func (g_free);
  run->report_appointments = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_appointment_free);
  g_task_set_task_data (task, run, (GDestroyNotify) run_data_free);

  self->current = g_object_ref (task);
  if (self->time_limit > 0)
    set_deadline (self, cs_clock_get_now (self->clock) + self->time_limit);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  set_phase (self, CS_VERIFIER_CONNECTING, 0);

  cs_backend_client_get_me_async (self->backend, cancellable, me_cb, g_steal_pointer (&task));
}

/**
 * cs_verifier_run_finish:
 * @self: a verifier
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the run's report; free with
 *   cs_verify_report_free()
 */
CsVerifyReport *
cs_verifier_run_finish (CsVerifier    *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (CS_IS_VERIFIER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
