/* test-reconciler.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-reconciler.h"

/* 2026-11-23T09:00:00Z */
#define T0       ((CsTime) G_GINT64_CONSTANT (1795424400) * CS_USEC_PER_SECOND)
#define HOUR     CS_USEC_PER_HOUR
#define MINUTE   CS_USEC_PER_MINUTE
#define COMPANY  3

typedef struct
{
  GPtrArray *appointments;
  GPtrArray *bookings;
  GHashTable *missing_uids;
  GHashTable *missing_ids;
  CsReconcileOptions options;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->appointments = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_appointment_free);
  f->bookings = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_booking_free);
  f->missing_uids = g_hash_table_new (g_str_hash, g_str_equal);
  f->missing_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  f->options.company_id = COMPANY;
  f->options.missing_uids = f->missing_uids;
  f->options.missing_appointment_ids = f->missing_ids;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->appointments, g_ptr_array_unref);
  g_clear_pointer (&f->bookings, g_ptr_array_unref);
  g_clear_pointer (&f->missing_uids, g_hash_table_unref);
  g_clear_pointer (&f->missing_ids, g_hash_table_unref);
}

static CsAppointment *
add_appointment (Fixture     *f,
                 gint64       id,
                 CsTime       start,
                 const char  *uid)
{
  CsAppointment *a = cs_appointment_new ();

  a->id = id;
  a->company_id = COMPANY;
  a->number = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  a->starts_at = start;
  a->ends_at = start + 45 * MINUTE;
  a->status = CS_CRM_STATUS_SCHEDULED;
  a->calcom_booking_uid = g_strdup (uid);
  a->customer_email = g_strdup_printf ("customer-%" G_GINT64_FORMAT "@example.test", id);
  a->customer_phone = g_strdup_printf ("+49 30 5550%04" G_GINT64_FORMAT, id % 10000);
  g_ptr_array_add (f->appointments, a);

  return a;
}

static CsBooking *
add_booking (Fixture    *f,
             const char *uid,
             CsTime      start,
             gint64      crm_id)
{
  CsBooking *b = cs_booking_new (uid);

  b->start = start;
  b->end = start + 45 * MINUTE;
  b->status = CS_BOOKING_STATUS_ACCEPTED;
  if (crm_id > 0)
    {
      g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, crm_id);

      cs_booking_set_metadata (b, CS_METADATA_CRM_APPOINTMENT_ID, text);
      cs_booking_set_metadata (b, CS_METADATA_CRM_COMPANY_ID, "3");
    }
  g_ptr_array_add (f->bookings, b);

  return b;
}

static CsReconcileResult *
run (Fixture *f)
{
  return cs_reconcile (f->appointments, f->bookings, &f->options);
}

static const CsOutcome *
outcome_for_appointment (const CsReconcileResult *result,
                         gint64                   id)
{
  for (guint i = 0; i < result->outcomes->len; i++)
    {
      const CsOutcome *o = cs_reconcile_result_get (result, i);

      if (o->appointment != NULL && o->appointment->id == id)
        return o;
    }

  return NULL;
}

static const CsOutcome *
outcome_for_booking (const CsReconcileResult *result,
                     const char              *uid)
{
  for (guint i = 0; i < result->outcomes->len; i++)
    {
      const CsOutcome *o = cs_reconcile_result_get (result, i);

      if (o->appointment == NULL && o->booking != NULL && g_str_equal (o->booking->uid, uid))
        return o;
    }

  return NULL;
}

static void
test_synced_by_uid (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CsReconcileResult) result = NULL;
  const CsOutcome *o;

  add_appointment (f, 1234, T0, "uid-1234");
  add_booking (f, "uid-1234", T0, 0);

  result = run (f);
  g_assert_cmpuint (result->outcomes->len, ==, 1);
  o = outcome_for_appointment (result, 1234);
  g_assert_nonnull (o);
  g_assert_cmpint (o->kind, ==, CS_OUTCOME_SYNCED);
  g_assert_cmpint (o->match, ==, CS_MATCH_BY_UID);
  g_assert_cmpstr (o->booking->uid, ==, "uid-1234");
  g_assert_null (o->diffs);
  g_assert_cmpuint (result->counts[CS_OUTCOME_SYNCED], ==, 1);
}

static void
test_synced_by_metadata (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(CsReconcileResult) result = NULL;
  const CsOutcome *o;

  add_appointment (f, 1235, T0, NULL);
  add_booking (f, "uid-x", T0, 1235);

  result = run (f);
  g_assert_cmpuint (result->outcomes->len, ==, 1);
  o = outcome_for_appointment (result, 1235);
  g_assert_cmpint (o->kind, ==, CS_OUTCOME_SYNCED);
  g_assert_cmpint (o->match, ==, CS_MATCH_BY_METADATA);
  g_assert_cmpstr (o->booking->uid, ==, "uid-x");
}

static void
test_uid_takes_precedence_over_metadata (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(CsReconcileResult) result = NULL;
  const CsOutcome *o;

  /* The same booking both named by uid and naming the appointment: one
   * claim, not a conflict. */
  add_appointment (f, 7, T0, "uid-7");
  add_booking (f, "uid-7", T0, 7);

  result = run (f);
  o = outcome_for_appointment (result, 7);
  g_assert_cmpint (o->kind, ==, CS_OUTCOME_SYNCED);
  g_assert_cmpint (o->match, ==, CS_MATCH_BY_UID);
  g_assert_cmpuint (result->counts[CS_OUTCOME_CONFLICT], ==, 0);
}

/* Cal.com's reschedule: the old booking cancelled with rescheduledToUid,
 * a new one (metadata copied) in its place. The appointment still naming
 * the old uid matches the new booking, twice over a chain, with no
 * mismatch, no conflict over the copied metadata and no orphan. */
static void
test_follows_reschedule (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(CsReconcileResult) result = NULL;
  CsBooking *old, *middle;
  const CsOutcome *o;

  add_appointment (f, 40, T0 + HOUR, "uid-old");
  old = add_booking (f, "uid-old", T0, 40);
  old->status = CS_BOOKING_STATUS_CANCELLED;
  old->rescheduled_to_uid = g_strdup ("uid-middle");
  middle = add_booking (f, "uid-middle", T0 + 30 * MINUTE, 40);
  middle->status = CS_BOOKING_STATUS_CANCELLED;
  middle->rescheduled_to_uid = g_strdup ("uid-new");
  add_booking (f, "uid-new", T0 + HOUR, 40)->rescheduled_from_uid = g_strdup ("uid-middle");

  /* Another appointment linked to a booking rescheduled out of the listing:
   * the old one is all there is, and it reads as what it is. */
  add_appointment (f, 41, T0, "uid-gone");
  old = add_booking (f, "uid-gone", T0, 41);
  old->status = CS_BOOKING_STATUS_CANCELLED;
  old->rescheduled_to_uid = g_strdup ("uid-unlisted");

  result = run (f);
  o = outcome_for_appointment (result, 40);
  g_assert_cmpint (o->kind, ==, CS_OUTCOME_SYNCED);
  g_assert_cmpint (o->match, ==, CS_MATCH_BY_RESCHEDULE);
  g_assert_cmpstr (o->booking->uid, ==, "uid-new");
  g_assert_null (o->diffs);

  o = outcome_for_appointment (result, 41);
  g_assert_cmpint (o->kind, ==, CS_OUTCOME_DATA_MISMATCH);
  g_assert_cmpint (o->match, ==, CS_MATCH_BY_UID);
  g_assert_nonnull (cs_outcome_find_diff (o, CS_DIFF_FIELD_STATUS));

  g_assert_cmpuint (result->counts[CS_OUTCOME_CONFLICT], ==, 0);
  g_assert_cmpuint (result->counts[CS_OUTCOME_ORPHANED_CALCOM], ==, 0);
  g_assert_cmpuint (result->outcomes->len, ==, 2);
}

/* A chain that loops (bad data) ends; nothing hangs. */
static void
test_reschedule_loop_ends (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(CsReconcileResult) result = NULL;
  CsBooking *a, *b;
  const CsOutcome *o;

  add_appointment (f, 50, T0, "uid-a");
  a = add_booking (f, "uid-a", T0, 0);
  b = add_booking (f, "uid-b", T0, 0);
  a->rescheduled_to_uid = g_strdup ("uid-b");
  b->rescheduled_to_uid = g_strdup ("uid-a");

  result = run (f);
  o = outcome_for_appointment (result, 50);
  g_assert_nonnull (o);
  g_assert_cmpint (o->match, ==, CS_MATCH_BY_RESCHEDULE);
}

static void
test_same_instant_other_offset (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(CsReconcileResult) result = NULL;
  CsAppointment *a;
  CsBooking *b;
  CsTime local_start, local_end, utc_start, utc_end;

  /* The CRM writes Berlin time, Cal.com answers in UTC. */
  g_assert_true (cs_time_parse_iso8601 ("2025-10-13T10:00:00+02:00", &local_start));
  g_assert_true (cs_time_parse_iso8601 ("2025-10-13T10:45:00+02:00", &local_end));
  g_assert_true (cs_time_parse_iso8601 ("2025-10-13T08:00:00Z", &utc_start));
  g_assert_true (cs_time_parse_iso8601 ("2025-10-13T08:45:00.000Z", &utc_end));

  a = add_appointment (f, 1236, local_start, "abc-def-123");
  a->ends_at = local_end;
  b = add_booking (f, "abc-def-123", utc_start, 0);
  b->end = utc_end;

  result = run (f);
  g_assert_cmpint (outcome_for_appointment (result, 1236)->kind, ==, CS_OUTCOME_SYNCED);
}

static void
test_mismatch_start_end (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(CsReconcileResult) result = NULL;
  const CsFieldDiff *diff;
  const CsOutcome *o;
  CsBooking *b;

  add_appointment (f, 1, T0, "uid-1");
  b = add_booking (f, "uid-1", T0 + HOUR, 0);
  b->end = T0 + HOUR + 30 * MINUTE;

  result = run (f);
  o = outcome_for_appointment (result, 1);
  g_assert_cmpint (o->kind, ==, CS_OUTCOME_DATA_MISMATCH);
  g_assert_nonnull (o->diffs);
  g_assert_cmpuint (o->diffs->len, ==, 2);

  diff = cs_outcome_find_diff (o, CS_DIFF_FIELD_START);
  g_assert_nonnull (diff);
  g_assert_cmpstr (diff->local_value, ==, "2026-11-23T09:00:00Z");
  g_assert_cmpstr (diff->calcom_value, ==, "2026-11-23T10:00:00Z");

  diff = cs_outcome_find_diff (o, CS_DIFF_FIELD_END);
  g_assert_nonnull (diff);
  g_assert_cmpstr (diff->local_value, ==, "2026-11-23T09:45:00Z");
  g_assert_cmpstr (diff->calcom_value, ==, "2026-11-23T10:30:00Z");

  g_assert_null (cs_outcome_find_diff (o, CS_DIFF_FIELD_STATUS));
}

static void
test_mismatch_cancelled_vs_active (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(CsReconcileResult) result = NULL;
  const CsFieldDiff *diff;
  const CsOutcome *o;
  CsAppointment *a;
  CsBooking *b;

  /* Cancelled in the CRM, still accepted in Cal.com: the customer's slot
   * is held for nobody. */
  a = add_appointment (f, 1, T0, "uid-1");
  a->status = CS_CRM_STATUS_CANCELLED;
  add_booking (f, "uid-1", T0, 0);

  /* Active in the CRM, cancelled in Cal.com: the customer comes and the
   * calendar does not know. */
  add_appointment (f, 2, T0 + HOUR, "uid-2");
  b = add_booking (f, "uid-2", T0 + HOUR, 0);
  b->status = CS_BOOKING_STATUS_CANCELLED;

  result = run (f);

  o = outcome_for_appointment (result, 1);
  g_assert_cmpint (o->kind, ==, CS_OUTCOME_DATA_MISMATCH);
  g_assert_cmpuint (o->diffs->len, ==, 1);
  diff = cs_outcome_find_diff (o, CS_DIFF_FIELD_STATUS);
  g_assert_cmpstr (diff->local_value, ==, "cancelled");
  g_assert_cmpstr (diff->calcom_value, ==, "accepted");

  o = outcome_for_appointment (result, 2);
  g_assert_cmpint (o->kind, ==, CS_OUTCOME_DATA_MISMATCH);
  diff = cs_outcome_find_diff (o, CS_DIFF_FIELD_STATUS);
  g_assert_cmpstr (diff->local_value, ==, "scheduled");
  g_assert_cmpstr (diff->calcom_value, ==, "cancelled");
}

static void
test_status_mapping (Fixture       *f,
                     gconstpointer  data)
{
  static const struct {
    CsCrmStatus crm;
    CsBookingStatus booking;
    gboolean agrees;
  } table[] = {
    { CS_CRM_STATUS_SCHEDULED, CS_BOOKING_STATUS_ACCEPTED, TRUE },
    { CS_CRM_STATUS_SCHEDULED, CS_BOOKING_STATUS_PENDING, TRUE },
    { CS_CRM_STATUS_CONFIRMED, CS_BOOKING_STATUS_ACCEPTED, TRUE },
    { CS_CRM_STATUS_COMPLETED, CS_BOOKING_STATUS_ACCEPTED, TRUE },
    { CS_CRM_STATUS_NO_SHOW, CS_BOOKING_STATUS_PENDING, TRUE },
    { CS_CRM_STATUS_CANCELLED, CS_BOOKING_STATUS_CANCELLED, TRUE },
    { CS_CRM_STATUS_CANCELLED, CS_BOOKING_STATUS_REJECTED, TRUE },
    { CS_CRM_STATUS_CONFIRMED, CS_BOOKING_STATUS_REJECTED, FALSE },
    { CS_CRM_STATUS_NO_SHOW, CS_BOOKING_STATUS_CANCELLED, FALSE },
    { CS_CRM_STATUS_CANCELLED, CS_BOOKING_STATUS_PENDING, FALSE },
  };
  g_autoptr(CsReconcileResult) result = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autofree char *uid = g_strdup_printf ("uid-%u", i);
      CsAppointment *a = add_appointment (f, i + 1, T0 + i * HOUR, uid);
      CsBooking *b = add_booking (f, uid, T0 + i * HOUR, 0);

      a->status = table[i].crm;
      b->status = table[i].booking;
    }

  result = run (f);

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      const CsOutcome *o = outcome_for_appointment (result, i + 1);

      g_assert_cmpint (o->kind, ==,
                       table[i].agrees ? CS_OUTCOME_SYNCED : CS_OUTCOME_DATA_MISMATCH);
    }
}

static void
test_orphaned_local (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CsReconcileResult) result = NULL;
  const CsOutcome *o;

  add_appointment (f, 1236, T0, NULL);
  add_booking (f, "someone-else", T0 + 5 * HOUR, 0);

  result = run (f);
  o = outcome_for_appointment (result, 1236);
  g_assert_cmpint (o->kind, ==, CS_OUTCOME_ORPHANED_LOCAL);
  g_assert_null (o->booking);
  g_assert_null (o->suggested_booking);
  g_assert_cmpuint (result->counts[CS_OUTCOME_ORPHANED_LOCAL], ==, 1);
}

static void
test_cancelled_without_booking_is_synced (Fixture       *f,
                                          gconstpointer  data)
{
  g_autoptr(CsReconcileResult) result = NULL;
  CsAppointment *a;

  a = add_appointment (f, 5, T0, NULL);
  a->status = CS_CRM_STATUS_CANCELLED;

  result = run (f);
  g_assert_cmpint (outcome_for_appointment (result, 5)->kind, ==, CS_OUTCOME_SYNCED);
  g_assert_cmpint (outcome_for_appointment (result, 5)->match, ==, CS_MATCH_NONE);
}

static void
test_unlisted_uid_needs_lookup (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(CsReconcileResult) first = NULL;
  g_autoptr(CsReconcileResult) second = NULL;

  add_appointment (f, 9, T0, "outside-window");

  /* The booking may lie outside the listed window: not an orphan yet. */
  first = run (f);
  g_assert_cmpint (outcome_for_appointment (first, 9)->kind, ==, CS_OUTCOME_LOOKUP_NEEDED);
  g_assert_cmpuint (first->counts[CS_OUTCOME_ORPHANED_LOCAL], ==, 0);

  /* The lookup answered 404: now it is one. */
  g_hash_table_add (f->missing_uids, (gpointer) "outside-window");
  second = run (f);
  g_assert_cmpint (outcome_for_appointment (second, 9)->kind, ==, CS_OUTCOME_ORPHANED_LOCAL);
}

static void
test_looked_up_booking_matches (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(CsReconcileResult) result = NULL;

  /* The engine appends what a lookup found and reconciles again. */
  add_appointment (f, 9, T0, "found-later");
  add_booking (f, "found-later", T0, 0);

  result = run (f);
  g_assert_cmpint (outcome_for_appointment (result, 9)->kind, ==, CS_OUTCOME_SYNCED);
}

static void
test_stale_uid_with_metadata_booking (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(CsReconcileResult) first = NULL;
  g_autoptr(CsReconcileResult) second = NULL;
  const CsFieldDiff *diff;
  const CsOutcome *o;

  add_appointment (f, 11, T0, "stale-uid");
  add_booking (f, "current-uid", T0, 11);

  first = run (f);
  o = outcome_for_appointment (first, 11);
  g_assert_cmpint (o->kind, ==, CS_OUTCOME_LOOKUP_NEEDED);
  g_assert_cmpstr (o->booking->uid, ==, "current-uid");
  g_assert_null (outcome_for_booking (first, "current-uid"));

  g_hash_table_add (f->missing_uids, (gpointer) "stale-uid");
  second = run (f);
  o = outcome_for_appointment (second, 11);
  g_assert_cmpint (o->kind, ==, CS_OUTCOME_DATA_MISMATCH);
  g_assert_cmpint (o->match, ==, CS_MATCH_BY_METADATA);
  g_assert_cmpuint (o->diffs->len, ==, 1);
  diff = cs_outcome_find_diff (o, CS_DIFF_FIELD_BOOKING_UID);
  g_assert_cmpstr (diff->local_value, ==, "stale-uid");
  g_assert_cmpstr (diff->calcom_value, ==, "current-uid");
}

static void
test_orphaned_calcom (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CsReconcileResult) result = NULL;
  const CsOutcome *o;
  CsBooking *cancelled;

  add_booking (f, "walk-in", T0, 0);
  cancelled = add_booking (f, "cancelled-walk-in", T0 + HOUR, 0);
  cancelled->status = CS_BOOKING_STATUS_CANCELLED;

  result = run (f);
  g_assert_cmpuint (result->outcomes->len, ==, 1);
  o = outcome_for_booking (result, "walk-in");
  g_assert_cmpint (o->kind, ==, CS_OUTCOME_ORPHANED_CALCOM);
  g_assert_null (o->appointment);
  /* A cancelled booking nobody claims holds no slot: nothing to do. */
  g_assert_null (outcome_for_booking (result, "cancelled-walk-in"));
  g_assert_cmpuint (result->n_inactive_unclaimed, ==, 1);
}

static void
test_booking_naming_unlisted_appointment (Fixture       *f,
                                          gconstpointer  data)
{
  g_autoptr(CsReconcileResult) first = NULL;
  g_autoptr(CsReconcileResult) second = NULL;
  gint64 *missing = g_new (gint64, 1);

  add_booking (f, "moved", T0, 4242);

  first = run (f);
  g_assert_cmpint (outcome_for_booking (first, "moved")->kind, ==, CS_OUTCOME_LOOKUP_NEEDED);

  *missing = 4242;
  g_hash_table_add (f->missing_ids, missing);
  second = run (f);
  g_assert_cmpint (outcome_for_booking (second, "moved")->kind, ==, CS_OUTCOME_ORPHANED_CALCOM);
}

static void
test_deleted_appointment (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CsReconcileResult) result = NULL;
  CsAppointment *a;

  /* Deleted in the CRM, still in Cal.com: the booking is the orphan, and
   * no lookup is needed since the listing told us about the deletion. */
  a = add_appointment (f, 21, T0, "uid-21");
  a->deleted_at = T0 - HOUR;
  add_booking (f, "uid-21", T0, 21);

  result = run (f);
  g_assert_null (outcome_for_appointment (result, 21));
  g_assert_cmpuint (result->n_skipped_appointments, ==, 1);
  g_assert_cmpint (outcome_for_booking (result, "uid-21")->kind, ==, CS_OUTCOME_ORPHANED_CALCOM);
}

static void
test_conflict_two_bookings (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(CsReconcileResult) result = NULL;
  const CsOutcome *o;

  add_appointment (f, 31, T0, "uid-a");
  add_booking (f, "uid-a", T0, 0);
  add_booking (f, "uid-b", T0, 31);

  result = run (f);
  o = outcome_for_appointment (result, 31);
  g_assert_cmpint (o->kind, ==, CS_OUTCOME_CONFLICT);
  g_assert_cmpuint (o->conflict_bookings->len, ==, 2);
  g_assert_cmpuint (o->conflict_appointments->len, ==, 0);
  /* Both bookings are accounted for by the conflict, not reported orphaned. */
  g_assert_null (outcome_for_booking (result, "uid-a"));
  g_assert_null (outcome_for_booking (result, "uid-b"));
  g_assert_cmpuint (result->outcomes->len, ==, 1);
}

static void
test_conflict_two_metadata_bookings (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(CsReconcileResult) result = NULL;
  const CsOutcome *o;

  add_appointment (f, 32, T0, NULL);
  add_booking (f, "dup-1", T0, 32);
  add_booking (f, "dup-2", T0, 32);
  add_booking (f, "dup-3", T0, 32);

  result = run (f);
  o = outcome_for_appointment (result, 32);
  g_assert_cmpint (o->kind, ==, CS_OUTCOME_CONFLICT);
  g_assert_cmpuint (o->conflict_bookings->len, ==, 3);
}

static void
test_conflict_booking_claimed_twice (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(CsReconcileResult) result = NULL;
  const CsOutcome *o41, *o42;

  add_appointment (f, 41, T0, "shared");
  add_appointment (f, 42, T0, "shared");
  add_booking (f, "shared", T0, 0);

  result = run (f);
  o41 = outcome_for_appointment (result, 41);
  o42 = outcome_for_appointment (result, 42);
  g_assert_cmpint (o41->kind, ==, CS_OUTCOME_CONFLICT);
  g_assert_cmpint (o42->kind, ==, CS_OUTCOME_CONFLICT);
  g_assert_cmpuint (o41->conflict_bookings->len, ==, 1);
  g_assert_cmpuint (o41->conflict_appointments->len, ==, 1);
  g_assert_true (g_ptr_array_index (o41->conflict_appointments, 0) == o42->appointment);
  g_assert_true (g_ptr_array_index (o42->conflict_appointments, 0) == o41->appointment);
}

static void
test_conflict_uid_and_metadata_disagree (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(CsReconcileResult) result = NULL;

  /* Appointment 51 names the booking; the booking says it belongs to 52. */
  add_appointment (f, 51, T0, "contested");
  add_appointment (f, 52, T0 + HOUR, NULL);
  add_booking (f, "contested", T0, 52);

  result = run (f);
  g_assert_cmpint (outcome_for_appointment (result, 51)->kind, ==, CS_OUTCOME_CONFLICT);
  g_assert_cmpint (outcome_for_appointment (result, 52)->kind, ==, CS_OUTCOME_CONFLICT);
}

static void
test_suggested_link_by_email (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(CsReconcileResult) result = NULL;
  const CsOutcome *local, *remote;
  CsBooking *b;

  add_appointment (f, 61, T0, NULL);
  b = add_booking (f, "maybe-61", T0, 0);
  cs_booking_add_attendee (b, "Someone", "  Customer-61@Example.TEST ", NULL);

  result = run (f);
  local = outcome_for_appointment (result, 61);
  remote = outcome_for_booking (result, "maybe-61");

  /* Never an automatic match: both stay orphans, each suggests the other. */
  g_assert_cmpint (local->kind, ==, CS_OUTCOME_ORPHANED_LOCAL);
  g_assert_cmpint (remote->kind, ==, CS_OUTCOME_ORPHANED_CALCOM);
  g_assert_true (local->suggested_booking == b);
  g_assert_true (remote->suggested_appointment == local->appointment);
}

static void
test_suggested_link_by_phone (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(CsReconcileResult) result = NULL;
  CsAppointment *a;
  CsBooking *b;

  a = add_appointment (f, 62, T0, NULL);
  g_clear_pointer (&a->customer_email, g_free);
  g_free (a->customer_phone);
  a->customer_phone = g_strdup ("+49 123 456789");
  b = add_booking (f, "maybe-62", T0, 0);
  cs_booking_add_attendee (b, NULL, "other@example.test", "+49-123-456789");

  result = run (f);
  g_assert_true (outcome_for_appointment (result, 62)->suggested_booking == b);
}

static void
test_no_suggestion_other_start_or_ambiguous (Fixture       *f,
                                             gconstpointer  data)
{
  g_autoptr(CsReconcileResult) result = NULL;
  CsBooking *b;

  /* Same attendee, another start: no suggestion. */
  add_appointment (f, 71, T0, NULL);
  b = add_booking (f, "later", T0 + 15 * MINUTE, 0);
  cs_booking_add_attendee (b, NULL, "customer-71@example.test", NULL);

  /* Two bookings fit equally well: Calsync does not guess. */
  add_appointment (f, 72, T0 + 2 * HOUR, NULL);
  b = add_booking (f, "twin-a", T0 + 2 * HOUR, 0);
  cs_booking_add_attendee (b, NULL, "customer-72@example.test", NULL);
  b = add_booking (f, "twin-b", T0 + 2 * HOUR, 0);
  cs_booking_add_attendee (b, NULL, "customer-72@example.test", NULL);

  result = run (f);
  g_assert_null (outcome_for_appointment (result, 71)->suggested_booking);
  g_assert_null (outcome_for_appointment (result, 72)->suggested_booking);
}

static void
test_company_scoping (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CsReconcileResult) result = NULL;
  CsAppointment *a;
  CsBooking *b;

  a = add_appointment (f, 81, T0, NULL);
  a->company_id = 4;
  b = add_booking (f, "theirs", T0, 81);
  cs_booking_set_metadata (b, CS_METADATA_CRM_COMPANY_ID, "4");
  add_booking (f, "ours-no-company", T0 + HOUR, 0);

  result = run (f);
  g_assert_null (outcome_for_appointment (result, 81));
  g_assert_null (outcome_for_booking (result, "theirs"));
  g_assert_cmpuint (result->n_skipped_appointments, ==, 1);
  g_assert_cmpuint (result->n_skipped_bookings, ==, 1);
  g_assert_cmpint (outcome_for_booking (result, "ours-no-company")->kind, ==,
                   CS_OUTCOME_ORPHANED_CALCOM);
}

static void
test_invalid_and_duplicate_input (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(CsReconcileResult) result = NULL;
  CsAppointment *bad;
  CsBooking *bad_booking;

  bad = add_appointment (f, 91, T0, NULL);
  bad->ends_at = bad->starts_at - MINUTE;
  add_appointment (f, 92, T0, "dup");
  add_booking (f, "dup", T0, 0);
  add_booking (f, "dup", T0 + HOUR, 0);
  bad_booking = add_booking (f, "no-end", T0, 0);
  bad_booking->end = CS_TIME_UNSET;

  result = run (f);
  g_assert_null (outcome_for_appointment (result, 91));
  g_assert_cmpuint (result->n_skipped_appointments, ==, 1);
  g_assert_cmpuint (result->n_skipped_bookings, ==, 2);
  /* The first of two bookings with one uid is the one matched. */
  g_assert_cmpint (outcome_for_appointment (result, 92)->kind, ==, CS_OUTCOME_SYNCED);
}

static void
test_empty_input (void)
{
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  g_autoptr(CsReconcileResult) result = cs_reconcile (none, none, NULL);

  g_assert_cmpuint (result->outcomes->len, ==, 0);
}

/* The randomized ground-truth test: scenarios of known truth, shuffled
 * together, every outcome checked. */
typedef enum
{
  SCENARIO_SYNCED_UID,
  SCENARIO_SYNCED_METADATA,
  SCENARIO_SYNCED_OFFSET,
  SCENARIO_MISMATCH,
  SCENARIO_ORPHANED_LOCAL,
  SCENARIO_ORPHANED_LOCAL_AFTER_LOOKUP,
  SCENARIO_LOOKUP,
  SCENARIO_ORPHANED_CALCOM,
  SCENARIO_INACTIVE_UNCLAIMED,
  SCENARIO_CONFLICT,
  SCENARIO_SUGGESTION,
  N_SCENARIOS
} Scenario;

typedef struct
{
  Scenario    scenario;
  gint64      id;
  char       *uid;
  guint       diff_fields;
} Truth;

static void
truth_free (Truth *truth)
{
  g_free (truth->uid);
  g_free (truth);
}

static CsCrmStatus
random_status (GRand    *rand,
               gboolean  active)
{
  if (!active)
    return CS_CRM_STATUS_CANCELLED;
  return (CsCrmStatus) g_rand_int_range (rand, CS_CRM_STATUS_SCHEDULED, CS_CRM_STATUS_CANCELLED);
}

static CsBookingStatus
agreeing_booking_status (GRand       *rand,
                         CsCrmStatus  crm)
{
  if (cs_crm_status_is_active (crm))
    return g_rand_boolean (rand) ? CS_BOOKING_STATUS_ACCEPTED : CS_BOOKING_STATUS_PENDING;
  return g_rand_boolean (rand) ? CS_BOOKING_STATUS_CANCELLED : CS_BOOKING_STATUS_REJECTED;
}

static void
shuffle (GRand     *rand,
         GPtrArray *array)
{
  for (guint i = array->len; i > 1; i--)
    {
      guint j = g_rand_int_range (rand, 0, i);
      gpointer tmp = array->pdata[i - 1];

      array->pdata[i - 1] = array->pdata[j];
      array->pdata[j] = tmp;
    }
}

static void
test_randomized_ground_truth (Fixture       *f,
                              gconstpointer  data)
{
  const guint n_pairs = 10000;
  const char *env_seed = g_getenv ("CALSYNC_TEST_SEED");
  guint32 seed = env_seed ? (guint32) g_ascii_strtoull (env_seed, NULL, 10) : 20261124;
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GHashTable) truths = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                                        (GDestroyNotify) truth_free);
  g_autoptr(GHashTable) booking_truths = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                                NULL, (GDestroyNotify) truth_free);
  g_autoptr(CsReconcileResult) result = NULL;
  guint seen_appointments = 0, seen_bookings = 0, expected_bookings = 0;

  g_test_message ("seed %u (set CALSYNC_TEST_SEED to repeat another)", seed);

  for (guint i = 0; i < n_pairs; i++)
    {
      Scenario scenario = g_rand_int_range (rand, 0, N_SCENARIOS);
      gint64 id = 100000 + i;
      CsTime start = T0 + (CsTime) i * 2 * HOUR;
      g_autofree char *uid = g_strdup_printf ("bk-%u", i);
      Truth *truth = g_new0 (Truth, 1);
      CsAppointment *a = NULL;
      CsBooking *b = NULL;

      truth->scenario = scenario;
      truth->id = id;
      truth->uid = g_strdup (uid);

      switch (scenario)
        {
        case SCENARIO_SYNCED_UID:
        case SCENARIO_SYNCED_OFFSET:
          a = add_appointment (f, id, start, uid);
          a->status = random_status (rand, g_rand_int_range (rand, 0, 5) != 0);
          b = add_booking (f, uid, start, g_rand_boolean (rand) ? id : 0);
          b->status = agreeing_booking_status (rand, a->status);
          if (scenario == SCENARIO_SYNCED_OFFSET)
            {
              /* Parse the same instant written with another offset. */
              g_autofree char *utc = cs_time_format_iso8601 (start);
              g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (utc, NULL);
              g_autoptr(GTimeZone) tz = g_time_zone_new_offset (g_rand_int_range (rand, -11, 13) * 3600);
              g_autoptr(GDateTime) shifted = g_date_time_to_timezone (dt, tz);
              g_autofree char *text = g_date_time_format_iso8601 (shifted);

              g_assert_true (cs_time_parse_iso8601 (text, &b->start));
            }
          break;

        case SCENARIO_SYNCED_METADATA:
          a = add_appointment (f, id, start, NULL);
          b = add_booking (f, uid, start, id);
          break;

        case SCENARIO_MISMATCH:
          a = add_appointment (f, id, start, uid);
          b = add_booking (f, uid, start, 0);
          truth->diff_fields = g_rand_int_range (rand, 1, 8);
          if (truth->diff_fields & (1 << CS_DIFF_FIELD_START))
            b->start -= 30 * MINUTE;
          if (truth->diff_fields & (1 << CS_DIFF_FIELD_END))
            b->end += 15 * MINUTE;
          if (truth->diff_fields & (1 << CS_DIFF_FIELD_STATUS))
            b->status = g_rand_boolean (rand) ? CS_BOOKING_STATUS_CANCELLED
                                              : CS_BOOKING_STATUS_REJECTED;
          break;

        case SCENARIO_ORPHANED_LOCAL:
          a = add_appointment (f, id, start, NULL);
          break;

        case SCENARIO_ORPHANED_LOCAL_AFTER_LOOKUP:
          a = add_appointment (f, id, start, uid);
          g_hash_table_add (f->missing_uids, truth->uid);
          break;

        case SCENARIO_LOOKUP:
          a = add_appointment (f, id, start, uid);
          break;

        case SCENARIO_ORPHANED_CALCOM:
          b = add_booking (f, uid, start, 0);
          b->status = g_rand_boolean (rand) ? CS_BOOKING_STATUS_ACCEPTED
                                            : CS_BOOKING_STATUS_PENDING;
          break;

        case SCENARIO_INACTIVE_UNCLAIMED:
          b = add_booking (f, uid, start, 0);
          b->status = CS_BOOKING_STATUS_CANCELLED;
          break;

        case SCENARIO_CONFLICT:
          {
            g_autofree char *second = g_strdup_printf ("bk-%u-dup", i);

            a = add_appointment (f, id, start, uid);
            add_booking (f, uid, start, 0);
            add_booking (f, second, start, id);
          }
          break;

        case SCENARIO_SUGGESTION:
          a = add_appointment (f, id, start, NULL);
          b = add_booking (f, uid, start, 0);
          cs_booking_add_attendee (b, NULL, a->customer_email, NULL);
          break;

        case N_SCENARIOS:
        default:
          g_assert_not_reached ();
        }

      if (a != NULL)
        g_hash_table_insert (truths, &truth->id, truth);
      if (scenario == SCENARIO_ORPHANED_CALCOM || scenario == SCENARIO_SUGGESTION)
        {
          Truth *copy = g_new0 (Truth, 1);

          *copy = *truth;
          copy->uid = g_strdup (truth->uid);
          g_hash_table_insert (booking_truths, copy->uid, copy);
          expected_bookings++;
        }
      if (a == NULL)
        truth_free (truth);
    }

  shuffle (rand, f->appointments);
  shuffle (rand, f->bookings);

  result = run (f);

  for (guint i = 0; i < result->outcomes->len; i++)
    {
      const CsOutcome *o = cs_reconcile_result_get (result, i);
      CsOutcomeKind expected;
      Truth *truth;

      if (o->appointment == NULL)
        {
          truth = g_hash_table_lookup (booking_truths, o->booking->uid);
          if (truth == NULL)
            {
              g_test_fail_printf ("seed %u: unexpected outcome %d for booking %s", seed,
                                  o->kind, o->booking->uid);
              return;
            }
          seen_bookings++;
          if (o->kind != CS_OUTCOME_ORPHANED_CALCOM ||
              (truth->scenario == SCENARIO_SUGGESTION) != (o->suggested_appointment != NULL))
            {
              g_test_fail_printf ("seed %u: booking %s got %d", seed, truth->uid, o->kind);
              return;
            }
          continue;
        }

      truth = g_hash_table_lookup (truths, &o->appointment->id);
      g_assert_nonnull (truth);
      seen_appointments++;

      switch (truth->scenario)
        {
        case SCENARIO_SYNCED_UID:
        case SCENARIO_SYNCED_OFFSET:
        case SCENARIO_SYNCED_METADATA:
          expected = CS_OUTCOME_SYNCED;
          break;
        case SCENARIO_MISMATCH:
          expected = CS_OUTCOME_DATA_MISMATCH;
          break;
        case SCENARIO_ORPHANED_LOCAL:
        case SCENARIO_ORPHANED_LOCAL_AFTER_LOOKUP:
        case SCENARIO_SUGGESTION:
          expected = CS_OUTCOME_ORPHANED_LOCAL;
          break;
        case SCENARIO_LOOKUP:
          expected = CS_OUTCOME_LOOKUP_NEEDED;
          break;
        case SCENARIO_CONFLICT:
          expected = CS_OUTCOME_CONFLICT;
          break;
        case SCENARIO_ORPHANED_CALCOM:
        case SCENARIO_INACTIVE_UNCLAIMED:
        case N_SCENARIOS:
        default:
          g_assert_not_reached ();
        }

      if (o->kind != expected)
        {
          g_test_fail_printf ("seed %u: appointment %" G_GINT64_FORMAT " (scenario %d) got %d, "
                              "expected %d", seed, truth->id, truth->scenario, o->kind, expected);
          return;
        }

      if (expected == CS_OUTCOME_DATA_MISMATCH)
        {
          for (CsDiffField field = CS_DIFF_FIELD_START; field <= CS_DIFF_FIELD_STATUS; field++)
            {
              gboolean want = (truth->diff_fields & (1 << field)) != 0;

              if (want != (cs_outcome_find_diff (o, field) != NULL))
                {
                  g_test_fail_printf ("seed %u: appointment %" G_GINT64_FORMAT
                                      " diff of field %d wrong", seed, truth->id, field);
                  return;
                }
            }
        }

      if ((truth->scenario == SCENARIO_SUGGESTION) != (o->suggested_booking != NULL))
        {
          g_test_fail_printf ("seed %u: appointment %" G_GINT64_FORMAT " suggestion wrong",
                              seed, truth->id);
          return;
        }
    }

  g_assert_cmpuint (seen_appointments, ==, g_hash_table_size (truths));
  g_assert_cmpuint (seen_bookings, ==, expected_bookings);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/calsync/core/reconciler/" path, Fixture, NULL, \
              fixture_set_up, func, fixture_tear_down)

  ADD ("synced-by-uid", test_synced_by_uid);
  ADD ("follows-reschedule", test_follows_reschedule);
  ADD ("reschedule-loop-ends", test_reschedule_loop_ends);
  ADD ("synced-by-metadata", test_synced_by_metadata);
  ADD ("uid-and-metadata-same-booking", test_uid_takes_precedence_over_metadata);
  ADD ("same-instant-other-offset", test_same_instant_other_offset);
  ADD ("mismatch-start-end", test_mismatch_start_end);
  ADD ("mismatch-cancelled-vs-active", test_mismatch_cancelled_vs_active);
  ADD ("status-mapping", test_status_mapping);
  ADD ("orphaned-local", test_orphaned_local);
  ADD ("cancelled-without-booking", test_cancelled_without_booking_is_synced);
  ADD ("unlisted-uid-needs-lookup", test_unlisted_uid_needs_lookup);
  ADD ("looked-up-booking-matches", test_looked_up_booking_matches);
  ADD ("stale-uid-with-metadata-booking", test_stale_uid_with_metadata_booking);
  ADD ("orphaned-calcom", test_orphaned_calcom);
  ADD ("booking-naming-unlisted-appointment", test_booking_naming_unlisted_appointment);
  ADD ("deleted-appointment", test_deleted_appointment);
  ADD ("conflict-two-bookings", test_conflict_two_bookings);
  ADD ("conflict-two-metadata-bookings", test_conflict_two_metadata_bookings);
  ADD ("conflict-booking-claimed-twice", test_conflict_booking_claimed_twice);
  ADD ("conflict-uid-and-metadata-disagree", test_conflict_uid_and_metadata_disagree);
  ADD ("suggested-link-by-email", test_suggested_link_by_email);
  ADD ("suggested-link-by-phone", test_suggested_link_by_phone);
  ADD ("no-suggestion-other-start-or-ambiguous", test_no_suggestion_other_start_or_ambiguous);
  ADD ("company-scoping", test_company_scoping);
  ADD ("invalid-and-duplicate-input", test_invalid_and_duplicate_input);
  ADD ("randomized-ground-truth", test_randomized_ground_truth);
  g_test_add_func ("/calsync/core/reconciler/empty-input", test_empty_input);

#undef ADD

  return g_test_run ();
}
