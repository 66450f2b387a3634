/* test-verifier.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cs-net-error.h"
#include "cs-retry-policy.h"
#include "cs-verifier.h"
#include "net-test-util.h"

/* One verification run end to end: the simulator on loopback with a seeded
 * data set whose truth is known, the real clients, a real SQLite file, the
 * clock in the test's hand. */

typedef struct
{
  CsClock         *clock;
  CsSimServer     *sim;
  CsStore         *store;
  CsCalcomClient  *calcom;
  CsBackendClient *backend;
  CsVerifier      *verifier;
  char            *dir;
} Fixture;

static void
fixture_set_up_seed (Fixture *f,
                     guint    n_appointments,
                     guint32  seed)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->clock = cs_manual_clock_new (NET_TEST_NOW);
  f->sim = net_test_start_sim (f->clock, n_appointments, seed);

  f->dir = g_dir_make_tmp ("calsync-verifier-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "cache.sqlite3", NULL);
  f->store = cs_store_open (path, &error);
  g_assert_no_error (error);

  f->calcom = cs_calcom_client_new (cs_sim_server_get_calcom_url (f->sim), f->clock, &error);
  g_assert_no_error (error);
  cs_calcom_client_set_api_key (f->calcom, cs_sim_server_get_calcom_api_key (f->sim));
  f->backend = cs_backend_client_new (cs_sim_server_get_backend_url (f->sim), f->clock, &error);
  g_assert_no_error (error);
  cs_backend_client_set_token (f->backend, cs_sim_server_get_backend_token (f->sim));

  f->verifier = cs_verifier_new (f->store, f->calcom, f->backend, f->clock);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  fixture_set_up_seed (f, GPOINTER_TO_UINT (data), 21);
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->verifier);
  g_clear_object (&f->calcom);
  g_clear_object (&f->backend);
  g_clear_object (&f->store);
  cs_sim_server_stop (f->sim);
  g_clear_object (&f->sim);
  g_clear_object (&f->clock);
  remove_dir (f->dir);
  g_free (f->dir);
}

static void
window_options (Fixture            *f,
                CsVerificationKind  kind,
                CsVerifyOptions    *options)
{
  CsTime now = cs_clock_get_now (f->clock);

  cs_verify_options_init (options);
  options->kind = kind;
  options->window_start = now - 30 * CS_USEC_PER_DAY;
  options->window_end = now + 90 * CS_USEC_PER_DAY;
}

/* Lets simulated time pass while both clients wait (rate limits). */
static GAsyncResult *
wait_run (Fixture      *f,
          NetTestAsync *async)
{
  return net_test_wait_many (async, f->clock, cs_calcom_client_get_http (f->calcom),
                             cs_backend_client_get_http (f->backend), NULL);
}

static CsVerifyReport *
run_verification (Fixture          *f,
                  CsVerifyOptions  *options,
                  GError          **error)
{
  NetTestAsync async = { NULL };
  g_autoptr(GAsyncResult) result = NULL;

  cs_verifier_run_async (f->verifier, options, NULL, net_test_async_cb, &async);
  result = wait_run (f, &async);

  return cs_verifier_run_finish (f->verifier, result, error);
}

static CsVerifyReport *
run_kind (Fixture            *f,
          CsVerificationKind  kind)
{
  CsVerifyOptions options;
  g_autoptr(GError) error = NULL;
  CsVerifyReport *report;

  window_options (f, kind, &options);
  report = run_verification (f, &options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);

  return report;
}

/* Every appointment of the data set is in the cache with the status and
 * code its truth says, and the CRM received the same. */
static void
assert_matches_truth (Fixture *f,
                      guint    expected_attempts_of_problems)
{
  CsSimDataset *dataset = cs_sim_server_get_dataset (f->sim);
  GPtrArray *all = cs_sim_dataset_get_appointments (dataset);
  guint checked = 0;

  for (guint i = 0; i < all->len; i++)
    {
      CsSimAppointment *row = g_ptr_array_index (all, i);
      const CsSimTruth *truth = cs_sim_dataset_get_truth (dataset, row->appointment->id);
      g_autoptr(CsAppointment) cached = NULL;
      g_autoptr(GError) error = NULL;
      JsonObject *reported;

      if (row->appointment->company_id != CS_SIM_DEFAULT_COMPANY_ID)
        {
          cached = cs_store_get_appointment (f->store, row->appointment->id, &error);
          g_assert_null (cached);
          continue;
        }

      cached = cs_store_get_appointment (f->store, row->appointment->id, &error);
      g_assert_no_error (error);
      if (cached->sync.status != truth->status || cached->sync.sync_error_code != truth->error_code)
        g_error ("appointment %" G_GINT64_FORMAT " (%s): %s/%s, truth %s/%s",
                 cached->id, cs_sim_category_to_string (truth->category),
                 cs_sync_status_to_string (cached->sync.status),
                 cs_error_code_to_string (cached->sync.sync_error_code),
                 cs_sync_status_to_string (truth->status),
                 cs_error_code_to_string (truth->error_code));

      if (truth->status != CS_SYNC_STATUS_SYNCED)
        g_assert_cmpuint (cached->sync.sync_attempt_count, ==, expected_attempts_of_problems);

      reported = cs_sim_server_get_sync_update (f->sim, cached->id);
      g_assert_nonnull (reported);
      g_assert_cmpstr (json_object_get_string_member (reported, "calcom_sync_status"), ==,
                       cs_sync_status_to_string (truth->status));
      checked++;
    }

  g_assert_cmpuint (checked, >, 0);
}

static void
test_ground_truth (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CsVerifyReport) first = NULL;
  g_autoptr(CsVerifyReport) second = NULL;
  g_autoptr(CsVerifyReport) third = NULL;
  CsSimDataset *dataset = cs_sim_server_get_dataset (f->sim);
  guint orphans = cs_sim_dataset_count_category (dataset, CS_SIM_CATEGORY_ORPHANED_LOCAL) +
                  cs_sim_dataset_count_category (dataset, CS_SIM_CATEGORY_SUGGESTED);
  guint mismatches = cs_sim_dataset_count_category (dataset, CS_SIM_CATEGORY_MISMATCH_START) +
                     cs_sim_dataset_count_category (dataset, CS_SIM_CATEGORY_MISMATCH_END) +
                     cs_sim_dataset_count_category (dataset, CS_SIM_CATEGORY_MISMATCH_STATUS);

  g_assert_cmpuint (orphans, >, 0);
  g_assert_cmpuint (mismatches, >, 0);

  /* Attempt 1 finds every problem, flags none. */
  first = run_kind (f, CS_VERIFICATION_COMPREHENSIVE);
  g_assert_cmpstr (first->run->result, ==, CS_RUN_RESULT_OK);
  g_assert_false (first->suspect);
  g_assert_cmpuint (first->newly_flagged_appointments->len, ==, 0);
  g_assert_cmpuint (first->n_foreign, ==,
                    cs_sim_dataset_count_category (dataset, CS_SIM_CATEGORY_FOREIGN));
  g_assert_cmpint (first->next_due, ==, NET_TEST_NOW + CS_USEC_PER_MINUTE);
  assert_matches_truth (f, 1);

  /* Attempts 2 and 3 (+1 min, +5 min) confirm them; the third flags. */
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_USEC_PER_MINUTE);
  second = run_kind (f, CS_VERIFICATION_COMPREHENSIVE);
  g_assert_cmpuint (second->newly_flagged_appointments->len, ==, 0);
  assert_matches_truth (f, 2);

  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), 5 * CS_USEC_PER_MINUTE);
  third = run_kind (f, CS_VERIFICATION_COMPREHENSIVE);
  assert_matches_truth (f, 3);
  g_assert_cmpuint (third->newly_flagged_appointments->len, ==, orphans + mismatches);
  g_assert_cmpuint (third->newly_flagged_bookings->len, ==,
                    cs_sim_dataset_count_category (dataset, CS_SIM_CATEGORY_ORPHANED_CALCOM) +
                    cs_sim_dataset_count_category (dataset, CS_SIM_CATEGORY_SUGGESTED));
  g_assert_cmpuint (third->run->n_flagged, ==,
                    third->newly_flagged_appointments->len + third->newly_flagged_bookings->len);
}

/* Whether every problem of the window has @attempts counted and is
 * flagged or not, and the number of problems. */
static guint
assert_problems (Fixture  *f,
                 guint     attempts,
                 gboolean  flagged)
{
  g_autoptr(GPtrArray) cached = cs_store_list_appointments (f->store, CS_TIME_UNSET,
                                                            CS_TIME_UNSET, NULL);
  guint n = 0;

  for (guint i = 0; i < cached->len; i++)
    {
      const CsAppointment *a = g_ptr_array_index (cached, i);

      if (a->sync.status == CS_SYNC_STATUS_SYNCED)
        continue;
      g_assert_cmpuint (a->sync.sync_attempt_count, ==, attempts);
      g_assert_cmpint (a->sync.requires_manual_review, ==, flagged);
      n++;
    }

  return n;
}

/* The retry spacing is a rule of the data: runs that come early (three
 * within a minute, as three `--once` would) check but count one attempt;
 * the runs at +1 and +5 minutes count and flag. A flag stops the count:
 * daily checks later verify the item without counting or writing history. */
static void
test_retry_spacing (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CsVerifyReport) flagging = NULL;
  g_autoptr(CsVerifyReport) first = NULL;
  g_autoptr(GPtrArray) history_before = NULL;
  g_autoptr(GPtrArray) history_after = NULL;
  g_autoptr(GPtrArray) cached = NULL;
  guint problems = 0;
  gint64 watched = 0;

  first = run_kind (f, CS_VERIFICATION_COMPREHENSIVE);
  problems = assert_problems (f, 1, FALSE);
  g_assert_cmpuint (problems, >, 0);
  g_assert_cmpint (first->next_due, ==, NET_TEST_NOW + CS_USEC_PER_MINUTE);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(CsVerifyReport) early = NULL;

      cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), 20 * CS_USEC_PER_SECOND);
      early = run_kind (f, CS_VERIFICATION_COMPREHENSIVE);
      g_assert_cmpuint (early->newly_flagged_appointments->len, ==, 0);
      g_assert_cmpuint (assert_problems (f, 1, FALSE), ==, problems);
      /* What waits is still armed, for its own time. */
      g_assert_cmpint (early->next_due, ==, NET_TEST_NOW + CS_USEC_PER_MINUTE);
    }

  cs_manual_clock_set_now (CS_MANUAL_CLOCK (f->clock), NET_TEST_NOW + CS_USEC_PER_MINUTE);
  g_clear_pointer (&first, cs_verify_report_free);
  first = run_kind (f, CS_VERIFICATION_COMPREHENSIVE);
  g_assert_cmpuint (assert_problems (f, 2, FALSE), ==, problems);

  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_RETRY_DELAY_SECOND);
  flagging = run_kind (f, CS_VERIFICATION_COMPREHENSIVE);
  g_assert_cmpuint (assert_problems (f, 3, TRUE), ==, problems);
  g_assert_cmpuint (flagging->newly_flagged_appointments->len, ==, problems);
  g_assert_cmpint (flagging->next_due, ==, CS_TIME_UNSET);

  cached = cs_store_list_appointments (f->store, CS_TIME_UNSET, CS_TIME_UNSET, NULL);
  for (guint i = 0; i < cached->len && watched == 0; i++)
    if (((CsAppointment *) g_ptr_array_index (cached, i))->sync.requires_manual_review)
      watched = ((CsAppointment *) g_ptr_array_index (cached, i))->id;
  history_before = cs_store_list_history (f->store, watched, NULL);

  for (guint day = 1; day <= 5; day++)
    {
      g_autoptr(CsVerifyReport) daily = NULL;

      cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_USEC_PER_DAY);
      daily = run_kind (f, CS_VERIFICATION_COMPREHENSIVE);
      g_assert_cmpuint (daily->newly_flagged_appointments->len, ==, 0);
    }
  /* Still flagged after 3 attempts, not after 8; no line per day. */
  g_assert_cmpuint (assert_problems (f, 3, TRUE), >, 0);
  history_after = cs_store_list_history (f->store, watched, NULL);
  g_assert_cmpuint (history_after->len, ==, history_before->len);
}

/* A flagged item that both sides agree on again clears its own flag, and
 * its history says so. */
static void
test_flag_clears_itself (Fixture       *f,
                         gconstpointer  data)
{
  CsSimDataset *dataset = cs_sim_server_get_dataset (f->sim);
  GPtrArray *all = cs_sim_dataset_get_appointments (dataset);
  g_autoptr(CsAppointment) after = NULL;
  g_autoptr(GPtrArray) history = NULL;
  const CsHistoryEvent *last;
  gint64 id = 0;

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(CsVerifyReport) report = run_kind (f, CS_VERIFICATION_COMPREHENSIVE);

      cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_RETRY_DELAY_SECOND);
    }

  /* A start mismatch, repaired on the Cal.com side behind our back. */
  for (guint i = 0; i < all->len && id == 0; i++)
    {
      CsSimAppointment *row = g_ptr_array_index (all, i);
      const CsSimTruth *truth = cs_sim_dataset_get_truth (dataset, row->appointment->id);

      if (truth->category == CS_SIM_CATEGORY_MISMATCH_START)
        {
          CsSimBooking *booking = cs_sim_dataset_lookup_booking (dataset, truth->booking_uid);
          g_autoptr(CsBooking) repaired = NULL;

          g_assert_nonnull (booking);
          id = row->appointment->id;
          repaired = cs_booking_copy (booking->booking);
          repaired->start = row->appointment->starts_at;
          repaired->end = row->appointment->ends_at;
          repaired->updated_at = cs_clock_get_now (f->clock);
          cs_sim_dataset_put_booking (dataset, repaired);
        }
    }
  g_assert_cmpint (id, >, 0);
  {
    g_autoptr(CsAppointment) flagged = cs_store_get_appointment (f->store, id, NULL);
    g_autoptr(CsVerifyReport) report = NULL;

    g_assert_true (flagged->sync.requires_manual_review);
    cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_USEC_PER_DAY);
    report = run_kind (f, CS_VERIFICATION_COMPREHENSIVE);
  }

  after = cs_store_get_appointment (f->store, id, NULL);
  g_assert_cmpint (after->sync.status, ==, CS_SYNC_STATUS_SYNCED);
  g_assert_false (after->sync.requires_manual_review);
  history = cs_store_list_history (f->store, id, NULL);
  last = g_ptr_array_index (history, 0);  /* newest first */
  g_assert_cmpstr (last->kind, ==, CS_HISTORY_KIND_FLAG_CLEARED);
}

static void
test_requests_per_run (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(CsVerifyReport) report = NULL;
  guint n = cs_sim_dataset_get_appointments (cs_sim_server_get_dataset (f->sim))->len;

  report = run_kind (f, CS_VERIFICATION_COMPREHENSIVE);

  /* Listings, a lookup for each uid or id the listings cannot tell, and
   * the report: never a request per appointment. */
  g_assert_cmpuint (report->run->calcom_requests, <=, (n + 249) / 250 + 5 +
                    cs_sim_dataset_count_category (cs_sim_server_get_dataset (f->sim),
                                                   CS_SIM_CATEGORY_ORPHANED_LOCAL));
  g_assert_cmpuint (report->run->backend_requests, <=, 2 * ((n + 499) / 500) + 5 +
                    cs_sim_dataset_count_category (cs_sim_server_get_dataset (f->sim),
                                                   CS_SIM_CATEGORY_ORPHANED_CALCOM));
}

static void
test_failed_listing_writes_nothing (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(CsVerifyReport) first = NULL;
  g_autoptr(CsVerifyReport) failed = NULL;
  g_autoptr(CsRunRecord) last = NULL;
  g_autoptr(GError) error = NULL;
  CsStoreCounts before = { 0 }, after = { 0 };
  CsVerifyOptions options;
  CsSimFaults faults;

  first = run_kind (f, CS_VERIFICATION_COMPREHENSIVE);
  g_assert_true (cs_store_get_counts (f->store, &before, NULL));

  /* A page cut short: the run fails and the cache stays as it was. */
  cs_sim_faults_init (&faults);
  faults.truncate_body = TRUE;
  cs_sim_server_set_faults (f->sim, CS_SIM_SERVICE_CALCOM, &faults);
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_USEC_PER_MINUTE);

  window_options (f, CS_VERIFICATION_COMPREHENSIVE, &options);
  failed = run_verification (f, &options, &error);
  g_assert_null (failed);
  g_assert_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE);

  g_assert_true (cs_store_get_counts (f->store, &after, NULL));
  g_assert_cmpmem (&before, sizeof before, &after, sizeof after);

  last = cs_store_get_last_run (f->store, NULL);
  g_assert_cmpstr (last->result, ==, CS_RUN_RESULT_FAILED);
  g_assert_nonnull (last->error_message);
}

static void
test_mass_orphan_guard (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(CsVerifyReport) first = NULL;
  g_autoptr(CsVerifyReport) suspect = NULL;
  g_autoptr(CsVerifyReport) confirmed = NULL;
  g_autoptr(GPtrArray) uids = g_ptr_array_new_with_free_func (g_free);
  CsSimDataset *dataset = cs_sim_server_get_dataset (f->sim);
  GPtrArray *bookings = cs_sim_dataset_get_bookings (dataset);
  CsStoreCounts before = { 0 }, after = { 0 };
  CsVerifyOptions options;
  g_autoptr(GError) error = NULL;

  first = run_kind (f, CS_VERIFICATION_COMPREHENSIVE);
  g_assert_true (cs_store_get_counts (f->store, &before, NULL));

  /* Cal.com suddenly lists nothing (a wrong account, an empty answer). */
  for (guint i = 0; i < bookings->len; i++)
    g_ptr_array_add (uids, g_strdup (((CsSimBooking *) g_ptr_array_index (bookings, i))->booking->uid));
  for (guint i = 0; i < uids->len; i++)
    cs_sim_dataset_remove_booking (dataset, g_ptr_array_index (uids, i));

  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_USEC_PER_MINUTE);
  suspect = run_kind (f, CS_VERIFICATION_COMPREHENSIVE);
  g_assert_true (suspect->suspect);
  g_assert_nonnull (suspect->suspect_reason);
  /* What it would have found, per side: only Cal.com went empty. */
  g_assert_cmpuint (suspect->n_suspect_local, >, 0);
  g_assert_cmpuint (suspect->n_suspect_local, <=, suspect->n_window);
  g_assert_cmpuint (suspect->n_suspect_calcom, ==, 0);
  g_assert_cmpstr (suspect->run->result, ==, CS_RUN_RESULT_SUSPECT);
  g_assert_cmpuint (suspect->newly_flagged_appointments->len, ==, 0);
  g_assert_true (cs_store_get_counts (f->store, &after, NULL));
  g_assert_cmpmem (&before, sizeof before, &after, sizeof after);

  /* A person confirms: the same run without the guard takes effect. */
  window_options (f, CS_VERIFICATION_COMPREHENSIVE, &options);
  options.orphan_guard = 1.0;
  confirmed = run_verification (f, &options, &error);
  g_assert_no_error (error);
  g_assert_false (confirmed->suspect);
  g_assert_true (cs_store_get_counts (f->store, &after, NULL));
  g_assert_cmpuint (after.by_status[CS_SYNC_STATUS_ORPHANED_LOCAL], >,
                    before.by_status[CS_SYNC_STATUS_ORPHANED_LOCAL]);
}

static void
test_second_request_joins (Fixture       *f,
                           gconstpointer  data)
{
  NetTestAsync one = { NULL }, two = { NULL };
  g_autoptr(GAsyncResult) result_one = NULL;
  g_autoptr(GAsyncResult) result_two = NULL;
  g_autoptr(CsVerifyReport) report_one = NULL;
  g_autoptr(CsVerifyReport) report_two = NULL;
  CsVerifyOptions options;

  window_options (f, CS_VERIFICATION_COMPREHENSIVE, &options);
  cs_verifier_run_async (f->verifier, &options, NULL, net_test_async_cb, &one);
  g_assert_true (cs_verifier_get_running (f->verifier));
  cs_verifier_run_async (f->verifier, &options, NULL, net_test_async_cb, &two);

  result_one = wait_run (f, &one);
  result_two = wait_run (f, &two);
  report_one = cs_verifier_run_finish (f->verifier, result_one, NULL);
  report_two = cs_verifier_run_finish (f->verifier, result_two, NULL);

  g_assert_true (report_one == report_two);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_BACKEND_ME), ==, 1);
  g_assert_false (cs_verifier_get_running (f->verifier));
}

static void
test_dry_run_writes_nothing (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;
  CsStoreCounts counts = { 0 };
  CsVerifyOptions options;

  window_options (f, CS_VERIFICATION_COMPREHENSIVE, &options);
  options.dry_run = TRUE;
  report = run_verification (f, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->issues->len, >, 0);

  g_assert_true (cs_store_get_counts (f->store, &counts, NULL));
  g_assert_cmpuint (counts.total, ==, 0);
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_BACKEND_SYNC_STATUS), ==, 0);
}

static void
test_retry_verifies_just_those (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(CsVerifyReport) first = NULL;
  g_autoptr(CsVerifyReport) retry = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  g_autoptr(CsAppointment) cached = NULL;
  const CsVerifyIssue *issue = NULL;
  CsVerifyOptions options;
  guint before;

  first = run_kind (f, CS_VERIFICATION_COMPREHENSIVE);
  for (guint i = 0; i < first->issues->len && issue == NULL; i++)
    {
      const CsVerifyIssue *candidate = g_ptr_array_index (first->issues, i);

      if (candidate->appointment_id != 0 && candidate->status == CS_SYNC_STATUS_ORPHANED_LOCAL)
        issue = candidate;
    }
  g_assert_nonnull (issue);
  g_array_append_val (ids, issue->appointment_id);

  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_USEC_PER_MINUTE);
  before = cs_sim_server_get_service_request_count (f->sim, CS_SIM_SERVICE_CALCOM);
  window_options (f, CS_VERIFICATION_RETRY, &options);
  options.appointment_ids = ids;
  retry = run_verification (f, &options, &error);
  g_assert_no_error (error);

  /* A narrow listing and perhaps one lookup: no full listing. */
  g_assert_cmpuint (cs_sim_server_get_service_request_count (f->sim, CS_SIM_SERVICE_CALCOM) - before,
                    <=, 2);
  cached = cs_store_get_appointment (f->store, issue->appointment_id, NULL);
  g_assert_cmpuint (cached->sync.sync_attempt_count, ==, 2);
  g_assert_cmpint (cached->next_attempt_at, ==, cs_clock_get_now (f->clock) + 5 * CS_USEC_PER_MINUTE);
}

static void
test_cycle_lists_changes_only (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(CsVerifyReport) first = NULL;
  g_autoptr(CsVerifyReport) cycle = NULL;
  g_autoptr(CsAppointment) added = cs_appointment_new ();
  g_autoptr(CsAppointment) cached = NULL;
  CsSimDataset *dataset = cs_sim_server_get_dataset (f->sim);
  const CsSimRequest *calcom_list, *backend_list;
  CsStoreCounts before = { 0 }, after = { 0 };
  guint pages_before;

  first = run_kind (f, CS_VERIFICATION_COMPREHENSIVE);
  g_assert_true (cs_store_get_counts (f->store, &before, NULL));

  /* Six hours later the voice agent books one more, which Cal.com lacks. */
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), 6 * CS_USEC_PER_HOUR);
  added->id = cs_sim_dataset_next_appointment_id (dataset);
  added->company_id = CS_SIM_DEFAULT_COMPANY_ID;
  added->number = g_strdup_printf ("%" G_GINT64_FORMAT, added->id);
  added->starts_at = cs_clock_get_now (f->clock) + 2 * CS_USEC_PER_DAY;
  added->ends_at = added->starts_at + 30 * CS_USEC_PER_MINUTE;
  cs_sim_dataset_put_appointment (dataset, added);

  pages_before = cs_sim_server_get_request_count (f->sim, CS_SIM_CALCOM_LIST);
  cycle = run_kind (f, CS_VERIFICATION_CYCLE);

  /* Both listings asked only for what changed since the last full run. */
  calcom_list = cs_sim_server_get_last_request (f->sim, CS_SIM_CALCOM_LIST);
  backend_list = cs_sim_server_get_last_request (f->sim, CS_SIM_BACKEND_LIST);
  g_assert_nonnull (strstr (calcom_list->query, "afterUpdatedAt="));
  g_assert_nonnull (strstr (backend_list->query, "updated_since="));
  g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_CALCOM_LIST) - pages_before, ==, 1);

  /* The newcomer is found; the rest of the window came from the cache. */
  cached = cs_store_get_appointment (f->store, added->id, NULL);
  g_assert_nonnull (cached);
  g_assert_cmpint (cached->sync.status, ==, CS_SYNC_STATUS_ORPHANED_LOCAL);
  g_assert_true (cs_store_get_counts (f->store, &after, NULL));
  g_assert_cmpuint (after.by_status[CS_SYNC_STATUS_SYNCED], ==,
                    before.by_status[CS_SYNC_STATUS_SYNCED]);
  g_assert_cmpuint (cycle->n_window, ==, first->n_window + 1);
}

static void
test_cancelled_run_writes_nothing (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(CsVerifyReport) first = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CsRunRecord) last = NULL;
  g_autoptr(GError) error = NULL;
  CsStoreCounts before = { 0 }, after = { 0 };
  NetTestAsync async = { NULL };
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  CsVerifyOptions options;
  CsSimFaults faults;

  first = run_kind (f, CS_VERIFICATION_COMPREHENSIVE);
  g_assert_true (cs_store_get_counts (f->store, &before, NULL));

  /* The user stops a slow check while the listings are under way. */
  cs_sim_faults_init (&faults);
  faults.latency_ms = 60 * 1000;
  cs_sim_server_set_faults (f->sim, CS_SIM_SERVICE_CALCOM, &faults);
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_USEC_PER_MINUTE);

  window_options (f, CS_VERIFICATION_COMPREHENSIVE, &options);
  cs_verifier_run_async (f->verifier, &options, cancellable, net_test_async_cb, &async);
  while (cs_sim_server_get_n_pending (f->sim) == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (cs_sim_server_get_n_pending (f->sim), >, 0);

  g_cancellable_cancel (cancellable);
  result = net_test_wait (&async, f->clock, NULL);
  g_assert_null (cs_verifier_run_finish (f->verifier, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (cs_verifier_get_running (f->verifier));

  g_assert_true (cs_store_get_counts (f->store, &after, NULL));
  g_assert_cmpmem (&before, sizeof before, &after, sizeof after);
  last = cs_store_get_last_run (f->store, NULL);
  g_assert_cmpstr (last->result, ==, CS_RUN_RESULT_CANCELLED);
}

/* Fails every request of both services once the listings are read, so the
 * lookups fail. */
static void
fail_lookups_cb (CsVerifier *verifier,
                 GParamSpec *pspec,
                 Fixture    *f)
{
  CsSimFaults faults;

  if (cs_verifier_get_phase (verifier) != CS_VERIFIER_LOOKING_UP)
    return;

  cs_sim_faults_init (&faults);
  faults.force_status = 500;
  cs_sim_server_set_faults (f->sim, CS_SIM_SERVICE_CALCOM, &faults);
  cs_sim_server_set_faults (f->sim, CS_SIM_SERVICE_BACKEND, &faults);
}

/* An item whose lookup failed keeps a fixed English reason as its tracking
 * message (it goes to the CRM, the UI translates it), never the text of an
 * error the server or the network produced. */
static void
test_lookup_failure_reason (Fixture       *f,
                            gconstpointer  data)
{
  static const char * const reasons[] = {
    CS_LOOKUP_REASON_TIMEOUT, CS_LOOKUP_REASON_UNREACHABLE, CS_LOOKUP_REASON_SERVER,
    CS_LOOKUP_REASON_RATE_LIMITED, CS_LOOKUP_REASON_CIRCUIT_OPEN, CS_LOOKUP_REASON_REJECTED,
    CS_LOOKUP_REASON_INVALID_ANSWER, CS_LOOKUP_REASON_FAILED,
  };
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;
  CsVerifyOptions options;
  guint n_failed = 0;
  gboolean server_reason = FALSE;

  g_signal_connect (f->verifier, "notify::phase", G_CALLBACK (fail_lookups_cb), f);
  window_options (f, CS_VERIFICATION_COMPREHENSIVE, &options);
  report = run_verification (f, &options, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < report->issues->len; i++)
    {
      CsVerifyIssue *issue = g_ptr_array_index (report->issues, i);
      gboolean fixed = FALSE;

      if (issue->error_code != CS_ERROR_CODE_VERIFICATION_ERROR)
        continue;
      n_failed++;
      for (guint r = 0; r < G_N_ELEMENTS (reasons); r++)
        fixed |= g_strcmp0 (issue->message, reasons[r]) == 0;
      g_assert_true (fixed);
      server_reason |= g_strcmp0 (issue->message, CS_LOOKUP_REASON_SERVER) == 0;
    }

  g_assert_cmpuint (n_failed, >, 0);
  g_assert_true (server_reason);
}


/* Listings that move while they are read (DESIGN.md §2.5) */

#define DRIFT_APPOINTMENTS 300
#define DRIFT_PAGE_SIZE    25
#define DRIFT_MIDDLE_PAGE  6   /* of about 12 pages on either side */
/* Twenty seeds per service and direction: ten where the listing moves
 * after page 1, ten where it moves in the middle. */
#define DRIFT_SEEDS        10

typedef struct
{
  CsSimService service;
  guint        after_page;
  int          rows;
} DriftCase;

/* No cached appointment or booking is orphaned that the simulator's truth
 * (the state after the drift) does not call orphaned; with @exact, every
 * appointment and unclaimed booking is also where its truth says. */
static void
check_truth (Fixture  *f,
             gboolean  exact)
{
  CsSimDataset *dataset = cs_sim_server_get_dataset (f->sim);
  GPtrArray *appointments = cs_sim_dataset_get_appointments (dataset);
  GPtrArray *bookings = cs_sim_dataset_get_bookings (dataset);

  for (guint i = 0; i < appointments->len; i++)
    {
      CsSimAppointment *row = g_ptr_array_index (appointments, i);
      const CsAppointment *a = row->appointment;
      const CsSimTruth *truth;
      g_autoptr(CsAppointment) cached = NULL;

      if (a->company_id != CS_SIM_DEFAULT_COMPANY_ID || a->deleted_at != CS_TIME_UNSET)
        continue;

      truth = cs_sim_dataset_get_truth (dataset, a->id);
      g_assert_nonnull (truth);
      cached = cs_store_get_appointment (f->store, a->id, NULL);
      if (exact && cached == NULL)
        g_error ("appointment %" G_GINT64_FORMAT " (%s) is not in the cache", a->id,
                 cs_sim_category_to_string (truth->category));
      if (cached == NULL)
        continue;

      if (cached->sync.status == CS_SYNC_STATUS_ORPHANED_LOCAL &&
          truth->status != CS_SYNC_STATUS_ORPHANED_LOCAL)
        g_error ("appointment %" G_GINT64_FORMAT " (%s) is a false orphan", a->id,
                 cs_sim_category_to_string (truth->category));

      if (exact && (cached->sync.status != truth->status ||
                    cached->sync.sync_error_code != truth->error_code))
        g_error ("appointment %" G_GINT64_FORMAT " (%s): %s/%s, truth %s/%s", a->id,
                 cs_sim_category_to_string (truth->category),
                 cs_sync_status_to_string (cached->sync.status),
                 cs_error_code_to_string (cached->sync.sync_error_code),
                 cs_sync_status_to_string (truth->status),
                 cs_error_code_to_string (truth->error_code));
    }

  for (guint i = 0; i < bookings->len; i++)
    {
      const CsBooking *b = ((CsSimBooking *) g_ptr_array_index (bookings, i))->booking;
      const CsSimTruth *truth = cs_sim_dataset_get_booking_truth (dataset, b->uid);
      g_autoptr(CsBooking) cached = cs_store_get_booking (f->store, b->uid, NULL);
      gboolean orphan = truth != NULL && truth->status == CS_SYNC_STATUS_ORPHANED_CALCOM;

      if (cached != NULL && cached->sync.status == CS_SYNC_STATUS_ORPHANED_CALCOM && !orphan)
        g_error ("booking %s is a false orphan", b->uid);
      if (exact && orphan &&
          (cached == NULL || cached->sync.status != CS_SYNC_STATUS_ORPHANED_CALCOM))
        g_error ("booking %s (%s) is not found as orphaned", b->uid,
                 cs_sim_category_to_string (truth->category));
    }
}

/* The orphans a listing alone decides, since no lookup can: appointments
 * without a booking uid (from Cal.com's listing), bookings that name no
 * appointment (from the CRM's). As "id:N" and "uid:U". */
static GPtrArray *
listing_orphans (Fixture      *f,
                 CsSimService  service)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);

  if (service == CS_SIM_SERVICE_CALCOM)
    {
      g_autoptr(GPtrArray) all = cs_store_list_appointments (f->store, CS_TIME_UNSET,
                                                             CS_TIME_UNSET, NULL);

      for (guint i = 0; i < all->len; i++)
        {
          const CsAppointment *a = g_ptr_array_index (all, i);

          if (a->sync.status == CS_SYNC_STATUS_ORPHANED_LOCAL && a->calcom_booking_uid == NULL)
            g_ptr_array_add (keys, g_strdup_printf ("id:%" G_GINT64_FORMAT, a->id));
        }
    }
  else
    {
      g_autoptr(GPtrArray) all = cs_store_list_bookings (f->store, CS_TIME_UNSET, CS_TIME_UNSET,
                                                         NULL);

      for (guint i = 0; i < all->len; i++)
        {
          const CsBooking *b = g_ptr_array_index (all, i);

          if (b->sync.status == CS_SYNC_STATUS_ORPHANED_CALCOM &&
              cs_booking_get_crm_appointment_id (b) == NULL)
            g_ptr_array_add (keys, g_strconcat ("uid:", b->uid, NULL));
        }
    }

  return keys;
}

/* Each of @keys is still an orphan with @attempts attempts. */
static void
assert_attempts_kept (Fixture   *f,
                      GPtrArray *keys,
                      guint      attempts)
{
  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = g_ptr_array_index (keys, i);
      const CsSyncTracking *sync;
      g_autoptr(CsAppointment) a = NULL;
      g_autoptr(CsBooking) b = NULL;

      if (g_str_has_prefix (key, "id:"))
        {
          a = cs_store_get_appointment (f->store, g_ascii_strtoll (key + 3, NULL, 10), NULL);
          g_assert_nonnull (a);
          sync = &a->sync;
          g_assert_cmpint (sync->status, ==, CS_SYNC_STATUS_ORPHANED_LOCAL);
        }
      else
        {
          b = cs_store_get_booking (f->store, key + 4, NULL);
          g_assert_nonnull (b);
          sync = &b->sync;
          g_assert_cmpint (sync->status, ==, CS_SYNC_STATUS_ORPHANED_CALCOM);
        }

      if (sync->sync_attempt_count != attempts)
        g_error ("%s has %u attempts, not %u", key, sync->sync_attempt_count, attempts);
    }
}

static void
set_small_pages (Fixture *f)
{
  cs_calcom_client_set_page_size (f->calcom, DRIFT_PAGE_SIZE);
  cs_backend_client_set_page_size (f->backend, DRIFT_PAGE_SIZE);
}

static void
set_drift (Fixture         *f,
           const DriftCase *c,
           gboolean         every_listing)
{
  CsSimFaults faults;

  cs_sim_faults_init (&faults);
  faults.drift_after_page = c->after_page;
  faults.drift_rows = c->rows;
  faults.drift_every_listing = every_listing;
  cs_sim_server_set_faults (f->sim, c->service, &faults);
}

/* The listing moves once, after page 1 or in the middle: it is read again,
 * and the run finds exactly the truth after the move, over many seeds.
 * Without the re-read, rows slipped past a page boundary (more than the
 * lookup budget) would be orphans, and rows that appeared would be missed. */
static void
test_drift_once (gconstpointer data)
{
  const DriftCase *c = data;
  guint32 first_seed = c->after_page == 1 ? 1 : DRIFT_SEEDS + 1;

  for (guint32 seed = first_seed; seed < first_seed + DRIFT_SEEDS; seed++)
    {
      Fixture fixture = { NULL }, *f = &fixture;
      g_autoptr(CsVerifyReport) report = NULL;

      fixture_set_up_seed (f, DRIFT_APPOINTMENTS, seed);
      set_small_pages (f);
      set_drift (f, c, FALSE);

      report = run_kind (f, CS_VERIFICATION_COMPREHENSIVE);
      g_assert_false (report->suspect);
      g_assert_cmpuint (report->n_drifted_listings, ==, 0);
      g_assert_cmpuint (report->n_undecided, ==, 0);
      check_truth (f, TRUE);

      fixture_tear_down (f, NULL);
    }
}

/* The listing moves on every read, so it is still moving after two reads
 * again: what it cannot decide keeps the cache's state. After a clean first
 * run, no new orphan appears but those a lookup proved (at most the lookup
 * budget), and an orphan the listing alone would have confirmed keeps its
 * attempt count. */
static void
test_drift_always (gconstpointer data)
{
  const DriftCase *c = data;

  for (guint32 seed = 1; seed <= DRIFT_SEEDS; seed += 3)
    {
      Fixture fixture = { NULL }, *f = &fixture;
      g_autoptr(CsVerifyReport) first = NULL;
      g_autoptr(CsVerifyReport) drifting = NULL;
      g_autoptr(GPtrArray) kept = NULL;
      CsStoreCounts before = { 0 }, after = { 0 };
      CsSyncStatus orphan;

      fixture_set_up_seed (f, DRIFT_APPOINTMENTS, seed);
      set_small_pages (f);
      first = run_kind (f, CS_VERIFICATION_COMPREHENSIVE);
      check_truth (f, TRUE);
      g_assert_true (cs_store_get_counts (f->store, &before, NULL));
      kept = listing_orphans (f, c->service);
      g_assert_cmpuint (kept->len, >, 0);

      set_drift (f, c, TRUE);
      cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_USEC_PER_MINUTE);
      drifting = run_kind (f, CS_VERIFICATION_COMPREHENSIVE);

      g_assert_cmpuint (drifting->n_drifted_listings, ==, 1);
      g_assert_cmpuint (drifting->n_undecided, >=, kept->len);
      check_truth (f, FALSE);
      assert_attempts_kept (f, kept, 1);

      /* New orphans only where a lookup (four per run) proved one. */
      orphan = c->service == CS_SIM_SERVICE_CALCOM ? CS_SYNC_STATUS_ORPHANED_LOCAL
                                                   : CS_SYNC_STATUS_ORPHANED_CALCOM;
      g_assert_true (cs_store_get_counts (f->store, &after, NULL));
      g_assert_cmpuint (after.by_status[orphan], <=, before.by_status[orphan] + 4);

      fixture_tear_down (f, NULL);
    }
}

/* A Cal.com listing that keeps losing a quarter of the window while it is
 * read leaves those appointments undecided: that is no finding, so the
 * mass-orphan guard does not hold the run back for it either (the run
 * applies what it could decide), and still no orphan appears but what a
 * lookup proved. */
static void
test_drift_large_not_suspect (Fixture       *f,
                              gconstpointer  data)
{
  static const DriftCase large = { CS_SIM_SERVICE_CALCOM, 1, -DRIFT_PAGE_SIZE };
  g_autoptr(CsVerifyReport) first = NULL;
  g_autoptr(CsVerifyReport) drifting = NULL;
  CsStoreCounts before = { 0 }, after = { 0 };

  set_small_pages (f);
  first = run_kind (f, CS_VERIFICATION_COMPREHENSIVE);
  g_assert_true (cs_store_get_counts (f->store, &before, NULL));

  set_drift (f, &large, TRUE);
  cs_manual_clock_advance (CS_MANUAL_CLOCK (f->clock), CS_USEC_PER_MINUTE);
  drifting = run_kind (f, CS_VERIFICATION_COMPREHENSIVE);

  g_assert_false (drifting->suspect);
  g_assert_cmpuint (drifting->n_drifted_listings, ==, 1);
  g_assert_cmpuint (drifting->n_undecided, >, drifting->n_window / 5);
  g_assert_true (cs_store_get_counts (f->store, &after, NULL));
  g_assert_cmpuint (after.by_status[CS_SYNC_STATUS_ORPHANED_LOCAL], <=,
                    before.by_status[CS_SYNC_STATUS_ORPHANED_LOCAL] + 4);
}

/* Rows over 64 KiB: the client refuses them (and says so in the log); their
 * partners on the other side are present, only unreadable, so they stay as
 * they were: no orphan, no failed attempt, no lookup that would be refused
 * the same way. */
static void
check_oversized (Fixture      *f,
                 CsSimService  service)
{
  CsSimDataset *dataset = cs_sim_server_get_dataset (f->sim);
  GPtrArray *appointments = cs_sim_dataset_get_appointments (dataset);
  GPtrArray *bookings = cs_sim_dataset_get_bookings (dataset);
  g_autoptr(GPtrArray) keys = cs_sim_dataset_oversize_titles (dataset, service, 6);
  g_autoptr(GHashTable) refused = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(CsVerifyReport) report = NULL;
  guint partners = 0;

  g_assert_cmpuint (keys->len, ==, 6);
  for (guint i = 0; i < keys->len; i++)
    g_hash_table_add (refused, g_ptr_array_index (keys, i));

  report = run_kind (f, CS_VERIFICATION_COMPREHENSIVE);
  g_assert_false (report->suspect);
  g_assert_cmpuint (report->n_rejected, ==, 6);
  g_assert_cmpuint (report->n_undecided, >=, 6);
  check_truth (f, FALSE);

  if (service == CS_SIM_SERVICE_CALCOM)
    {
      for (guint i = 0; i < appointments->len; i++)
        {
          CsSimAppointment *row = g_ptr_array_index (appointments, i);
          const CsAppointment *a = row->appointment;
          g_autoptr(CsAppointment) cached = NULL;

          if (a->calcom_booking_uid == NULL ||
              !g_hash_table_contains (refused, a->calcom_booking_uid))
            continue;
          cached = cs_store_get_appointment (f->store, a->id, NULL);
          g_assert_nonnull (cached);
          g_assert_cmpint (cached->sync.status, ==, CS_SYNC_STATUS_PENDING);
          g_assert_cmpuint (cached->sync.sync_attempt_count, ==, 0);
          partners++;
        }
      g_assert_cmpuint (cs_sim_server_get_request_count (f->sim, CS_SIM_CALCOM_GET), <=, 4);
    }
  else
    {
      for (guint i = 0; i < bookings->len; i++)
        {
          const CsBooking *b = ((CsSimBooking *) g_ptr_array_index (bookings, i))->booking;
          const char *id = cs_booking_get_crm_appointment_id (b);
          g_autoptr(CsBooking) cached = NULL;

          if (id == NULL || !g_hash_table_contains (refused, id))
            continue;
          cached = cs_store_get_booking (f->store, b->uid, NULL);
          g_assert_nonnull (cached);
          g_assert_cmpint (cached->sync.status, !=, CS_SYNC_STATUS_ORPHANED_CALCOM);
          g_assert_cmpint (cached->sync.status, !=, CS_SYNC_STATUS_FAILED);
          g_assert_cmpuint (cached->sync.sync_attempt_count, ==, 0);
          partners++;
        }
    }

  g_assert_cmpuint (partners, ==, 6);
}

static void
test_oversized_booking (Fixture       *f,
                        gconstpointer  data)
{
  check_oversized (f, CS_SIM_SERVICE_CALCOM);
}

static void
test_oversized_appointment (Fixture       *f,
                            gconstpointer  data)
{
  check_oversized (f, CS_SIM_SERVICE_BACKEND);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, n, func) \
  g_test_add ("/calsync/engine/verifier/" path, Fixture, GUINT_TO_POINTER (n), \
              fixture_set_up, func, fixture_tear_down)

  ADD ("ground-truth", 600, test_ground_truth);
  ADD ("requests-per-run", 2000, test_requests_per_run);
  ADD ("retry-spacing", 300, test_retry_spacing);
  ADD ("flag-clears-itself", 300, test_flag_clears_itself);
  ADD ("failed-listing-writes-nothing", 200, test_failed_listing_writes_nothing);
  ADD ("mass-orphan-guard", 200, test_mass_orphan_guard);
  ADD ("second-request-joins", 100, test_second_request_joins);
  ADD ("dry-run-writes-nothing", 200, test_dry_run_writes_nothing);
  ADD ("retry-verifies-just-those", 200, test_retry_verifies_just_those);
  ADD ("cycle-lists-changes-only", 300, test_cycle_lists_changes_only);
  ADD ("cancelled-run-writes-nothing", 100, test_cancelled_run_writes_nothing);
  ADD ("lookup-failure-reason", 300, test_lookup_failure_reason);
  ADD ("oversized-booking", 300, test_oversized_booking);
  ADD ("oversized-appointment", 300, test_oversized_appointment);
  ADD ("drift-large-not-suspect", DRIFT_APPOINTMENTS, test_drift_large_not_suspect);

#undef ADD

  {
    static const struct { const char *name; DriftCase c; } drifts[] = {
      { "calcom/lose-first-page", { CS_SIM_SERVICE_CALCOM, 1, -12 } },
      { "calcom/lose-middle", { CS_SIM_SERVICE_CALCOM, DRIFT_MIDDLE_PAGE, -12 } },
      { "calcom/gain-first-page", { CS_SIM_SERVICE_CALCOM, 1, 12 } },
      { "calcom/gain-middle", { CS_SIM_SERVICE_CALCOM, DRIFT_MIDDLE_PAGE, 12 } },
      { "backend/lose-first-page", { CS_SIM_SERVICE_BACKEND, 1, -12 } },
      { "backend/lose-middle", { CS_SIM_SERVICE_BACKEND, DRIFT_MIDDLE_PAGE, -12 } },
      { "backend/gain-first-page", { CS_SIM_SERVICE_BACKEND, 1, 12 } },
      { "backend/gain-middle", { CS_SIM_SERVICE_BACKEND, DRIFT_MIDDLE_PAGE, 12 } },
    };

    for (guint i = 0; i < G_N_ELEMENTS (drifts); i++)
      {
        g_autofree char *once = g_strdup_printf ("/calsync/engine/verifier/drift-once/%s",
                                                 drifts[i].name);
        g_autofree char *always = g_strdup_printf ("/calsync/engine/verifier/drift-always/%s",
                                                   drifts[i].name);

        g_test_add_data_func (once, &drifts[i].c, test_drift_once);
        if (drifts[i].c.rows < 0)
          g_test_add_data_func (always, &drifts[i].c, test_drift_always);
      }
  }

  return g_test_run ();
}
