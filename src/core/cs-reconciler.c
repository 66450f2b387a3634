/* cs-reconciler.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-reconciler.h"

/* Reconciliation (DESIGN.md §2 steps 3 to 5) as a pure function: two
 * arrays in, one outcome per appointment and per unclaimed booking out.
 *
 * It runs in a fixed number of passes over the inputs, each O(n) with hash
 * tables, and allocates per item only for the rare outcomes that carry
 * details (mismatches, conflicts, suggestions):
 *
 * 1. index the bookings by uid and the appointments by id;
 * 2. record every claim: an appointment claims the booking its uid names
 *    (or, when Cal.com rescheduled that one, the booking that took its
 *    place, through `rescheduledToUid`), a booking claims the appointment
 *    its `crm_appointment_id` names (a booking replaced by a reschedule
 *    claims nothing: its copied metadata would compete with its successor);
 * 3. decide each appointment: one claimant → compare the fields; two or more
 *    claimants, or a claimant that another appointment also claims →
 *    conflict; none → orphaned, or a lookup when the listing cannot tell;
 * 4. decide each unclaimed booking, then pair orphans that share a start
 *    and an attendee e-mail or phone as suggestions.
 */

/* Index into the input arrays, plus one: 0 stands for "none". */
typedef guint Ref;

#define REF(i)       ((Ref) (i) + 1)
#define REF_INDEX(r) ((guint) (r) - 1)

typedef struct
{
  GPtrArray                *appointments;
  GPtrArray                *bookings;
  const CsReconcileOptions *options;

  GHashTable               *booking_by_uid;        /* uid → Ref */
  GHashTable               *appointment_by_id;     /* gint64 * → Ref */
  GHashTable               *skipped_ids;           /* gint64 * of deleted appointments */

  gboolean                 *booking_skipped;       /* per booking */
  gboolean                 *appointment_skipped;   /* per appointment */

  Ref                      *booking_claimer;       /* per booking: first appointment */
  GHashTable               *booking_claimers;      /* booking Ref → GPtrArray of appointment Refs, only when claimed twice */

  Ref                      *appointment_uid_booking;  /* per appointment: the listed booking its uid names */
  gboolean                 *appointment_followed;     /* per appointment: that booking is a reschedule's successor */
  Ref                      *appointment_meta_booking; /* per appointment: first booking naming it */
  GHashTable               *appointment_meta_extra;   /* appointment Ref → GPtrArray of further booking Refs */

  CsReconcileResult        *result;
} Reconciler;

/**
 * cs_field_diff_free:
 * @diff: (nullable): a field diff
 */
void
cs_field_diff_free (CsFieldDiff *diff)
{
  if (diff == NULL)
    return;

  g_free (diff->local_value);
  g_free (diff->calcom_value);
  g_free (diff);
}

static void
outcome_clear (gpointer data)
{
  CsOutcome *outcome = data;

  g_clear_pointer (&outcome->diffs, g_ptr_array_unref);
  g_clear_pointer (&outcome->conflict_bookings, g_ptr_array_unref);
  g_clear_pointer (&outcome->conflict_appointments, g_ptr_array_unref);
}

static inline const CsAppointment *
appointment_at (Reconciler *r,
                Ref         ref)
{
  return g_ptr_array_index (r->appointments, REF_INDEX (ref));
}

static inline const CsBooking *
booking_at (Reconciler *r,
            Ref         ref)
{
  return g_ptr_array_index (r->bookings, REF_INDEX (ref));
}

static gboolean
parse_id (const char *text,
          gint64     *id)
{
  guint64 value;

  if (text == NULL || text[0] == '\0')
    return FALSE;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    return FALSE;

  *id = (gint64) value;
  return TRUE;
}

static void
add_ref (GHashTable *table,
         Ref         key,
         Ref         first,
         Ref         value)
{
  GPtrArray *refs = g_hash_table_lookup (table, GUINT_TO_POINTER (key));

  if (refs == NULL)
    {
      refs = g_ptr_array_new ();
      g_ptr_array_add (refs, GUINT_TO_POINTER (first));
      g_hash_table_insert (table, GUINT_TO_POINTER (key), refs);
    }

  for (guint i = 0; i < refs->len; i++)
    {
      if (GPOINTER_TO_UINT (g_ptr_array_index (refs, i)) == value)
        return;
    }

  g_ptr_array_add (refs, GUINT_TO_POINTER (value));
}

/* Records that appointment @a claims booking @b (or is claimed by it). */
static void
claim_booking (Reconciler *r,
               Ref         b,
               Ref         a)
{
  Ref *first = &r->booking_claimer[REF_INDEX (b)];

  if (*first == 0)
    *first = a;
  else if (*first != a)
    add_ref (r->booking_claimers, b, *first, a);
}

static gboolean
booking_is_foreign (Reconciler      *r,
                    const CsBooking *booking)
{
  const char *company = cs_booking_get_metadata (booking, CS_METADATA_CRM_COMPANY_ID);
  gint64 company_id;

  if (company == NULL || r->options->company_id <= 0)
    return FALSE;

  /* A value that is not a company id cannot name ours either. */
  return !parse_id (company, &company_id) || company_id != r->options->company_id;
}

static void
index_inputs (Reconciler *r)
{
  for (guint i = 0; i < r->bookings->len; i++)
    {
      const CsBooking *b = g_ptr_array_index (r->bookings, i);

      if (b == NULL || !cs_booking_is_valid (b, NULL) || booking_is_foreign (r, b) ||
          g_hash_table_contains (r->booking_by_uid, b->uid))
        {
          r->booking_skipped[i] = TRUE;
          r->result->n_skipped_bookings++;
          continue;
        }

      g_hash_table_insert (r->booking_by_uid, b->uid, GUINT_TO_POINTER (REF (i)));
    }

  for (guint i = 0; i < r->appointments->len; i++)
    {
      const CsAppointment *a = g_ptr_array_index (r->appointments, i);
      gboolean ours;

      ours = a != NULL && cs_appointment_is_valid (a, NULL) &&
             (r->options->company_id <= 0 || a->company_id == r->options->company_id);

      if (ours && a->deleted_at != CS_TIME_UNSET)
        g_hash_table_add (r->skipped_ids, (gpointer) &a->id);

      if (!ours || a->deleted_at != CS_TIME_UNSET ||
          g_hash_table_contains (r->appointment_by_id, &a->id))
        {
          r->appointment_skipped[i] = TRUE;
          r->result->n_skipped_appointments++;
          continue;
        }

      g_hash_table_insert (r->appointment_by_id, (gpointer) &a->id, GUINT_TO_POINTER (REF (i)));
    }
}

/* A reschedule chain is short; the bound only stops a loop in bad data. */
#define MAX_RESCHEDULE_HOPS 16

/* The listed booking that replaced @b through reschedules, or 0 if @b was
 * not rescheduled or its successor is not listed. */
static Ref
successor (Reconciler *r,
           Ref         b)
{
  const CsBooking *booking = booking_at (r, b);
  Ref next;

  if (booking->rescheduled_to_uid == NULL)
    return 0;

  next = GPOINTER_TO_UINT (g_hash_table_lookup (r->booking_by_uid, booking->rescheduled_to_uid));
  return next != b ? next : 0;
}

static Ref
follow_reschedules (Reconciler *r,
                    Ref         b)
{
  Ref next;

  for (guint hop = 0; hop < MAX_RESCHEDULE_HOPS && (next = successor (r, b)) != 0; hop++)
    b = next;

  return b;
}

static void
record_claims (Reconciler *r)
{
  for (guint i = 0; i < r->appointments->len; i++)
    {
      const CsAppointment *a = g_ptr_array_index (r->appointments, i);
      Ref b;

      if (r->appointment_skipped[i] || a->calcom_booking_uid == NULL)
        continue;

      b = GPOINTER_TO_UINT (g_hash_table_lookup (r->booking_by_uid, a->calcom_booking_uid));
      if (b == 0)
        continue;

      if (successor (r, b) != 0)
        {
          b = follow_reschedules (r, b);
          r->appointment_followed[i] = TRUE;
        }

      r->appointment_uid_booking[i] = b;
      claim_booking (r, b, REF (i));
    }

  for (guint i = 0; i < r->bookings->len; i++)
    {
      const CsBooking *b = g_ptr_array_index (r->bookings, i);
      Ref a, *first;
      gint64 id;

      if (r->booking_skipped[i] || successor (r, REF (i)) != 0 ||
          !parse_id (cs_booking_get_crm_appointment_id (b), &id))
        continue;

      a = GPOINTER_TO_UINT (g_hash_table_lookup (r->appointment_by_id, &id));
      if (a == 0)
        continue;

      claim_booking (r, REF (i), a);

      first = &r->appointment_meta_booking[REF_INDEX (a)];
      if (*first == 0)
        *first = REF (i);
      else
        add_ref (r->appointment_meta_extra, a, *first, REF (i));
    }
}

static CsOutcome *
append_outcome (Reconciler          *r,
                CsOutcomeKind        kind,
                const CsAppointment *appointment,
                const CsBooking     *booking)
{
  CsOutcome *outcome;

  g_array_set_size (r->result->outcomes, r->result->outcomes->len + 1);
  outcome = &g_array_index (r->result->outcomes, CsOutcome, r->result->outcomes->len - 1);
  outcome->kind = kind;
  outcome->appointment = appointment;
  outcome->booking = booking;

  return outcome;
}

static void
add_diff (GPtrArray   *diffs,
          CsDiffField  field,
          char        *local_value,
          char        *calcom_value)
{
  CsFieldDiff *diff = g_new0 (CsFieldDiff, 1);

  diff->field = field;
  diff->local_value = local_value;
  diff->calcom_value = calcom_value;
  g_ptr_array_add (diffs, diff);
}

/* Compares instants, never wall times, and the statuses through the mapping
 * of backend-api.md. Returns NULL when the two agree. */
static GPtrArray *
compare (const CsAppointment *a,
         const CsBooking     *b,
         gboolean             uid_differs)
{
  GPtrArray *diffs = NULL;

  if (a->starts_at == b->start && a->ends_at == b->end &&
      cs_status_agrees (a->status, b->status) && !uid_differs)
    return NULL;

  diffs = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_field_diff_free);

  if (a->starts_at != b->start)
    add_diff (diffs, CS_DIFF_FIELD_START,
              cs_time_format_iso8601 (a->starts_at), cs_time_format_iso8601 (b->start));
  if (a->ends_at != b->end)
    add_diff (diffs, CS_DIFF_FIELD_END,
              cs_time_format_iso8601 (a->ends_at), cs_time_format_iso8601 (b->end));
  if (!cs_status_agrees (a->status, b->status))
    add_diff (diffs, CS_DIFF_FIELD_STATUS,
              g_strdup (cs_crm_status_to_string (a->status)),
              g_strdup (cs_booking_status_to_string (b->status)));
  if (uid_differs)
    add_diff (diffs, CS_DIFF_FIELD_BOOKING_UID,
              g_strdup (a->calcom_booking_uid), g_strdup (b->uid));

  return diffs;
}

static gboolean
uid_known_missing (Reconciler *r,
                   const char *uid)
{
  return r->options->missing_uids != NULL &&
         g_hash_table_contains (r->options->missing_uids, uid);
}

/* Every booking this appointment claims or is claimed by, or NULL if none
 * is claimed by anyone else and there is at most one. */
static GPtrArray *
collect_conflict (Reconciler *r,
                  guint       i)
{
  g_autoptr(GPtrArray) claimants = g_ptr_array_new ();
  GPtrArray *extra;
  gboolean shared = FALSE;

  if (r->appointment_uid_booking[i] != 0)
    g_ptr_array_add (claimants, GUINT_TO_POINTER (r->appointment_uid_booking[i]));

  if (r->appointment_meta_booking[i] != 0 &&
      r->appointment_meta_booking[i] != r->appointment_uid_booking[i])
    g_ptr_array_add (claimants, GUINT_TO_POINTER (r->appointment_meta_booking[i]));

  extra = g_hash_table_lookup (r->appointment_meta_extra, GUINT_TO_POINTER (REF (i)));
  for (guint k = 0; extra != NULL && k < extra->len; k++)
    {
      gpointer b = g_ptr_array_index (extra, k);

      if (!g_ptr_array_find (claimants, b, NULL))
        g_ptr_array_add (claimants, b);
    }

  for (guint k = 0; k < claimants->len; k++)
    {
      Ref b = GPOINTER_TO_UINT (g_ptr_array_index (claimants, k));

      if (g_hash_table_contains (r->booking_claimers, GUINT_TO_POINTER (b)))
        shared = TRUE;
    }

  if (claimants->len < 2 && !shared)
    return NULL;

  return g_steal_pointer (&claimants);
}

static void
decide_conflict (Reconciler *r,
                 guint       i,
                 GPtrArray  *claimants)
{
  const CsAppointment *a = g_ptr_array_index (r->appointments, i);
  CsOutcome *outcome = append_outcome (r, CS_OUTCOME_CONFLICT, a, NULL);

  outcome->conflict_bookings = g_ptr_array_new ();
  outcome->conflict_appointments = g_ptr_array_new ();

  for (guint k = 0; k < claimants->len; k++)
    {
      Ref b = GPOINTER_TO_UINT (g_ptr_array_index (claimants, k));
      GPtrArray *claimers = g_hash_table_lookup (r->booking_claimers, GUINT_TO_POINTER (b));

      g_ptr_array_add (outcome->conflict_bookings, (gpointer) booking_at (r, b));

      for (guint m = 0; claimers != NULL && m < claimers->len; m++)
        {
          Ref other = GPOINTER_TO_UINT (g_ptr_array_index (claimers, m));
          gpointer other_appointment = (gpointer) appointment_at (r, other);

          if (other != REF (i) &&
              !g_ptr_array_find (outcome->conflict_appointments, other_appointment, NULL))
            g_ptr_array_add (outcome->conflict_appointments, other_appointment);
        }
    }
}

static void
decide_appointment (Reconciler *r,
                    guint       i)
{
  const CsAppointment *a = g_ptr_array_index (r->appointments, i);
  g_autoptr(GPtrArray) claimants = NULL;
  Ref uid_booking = r->appointment_uid_booking[i];
  Ref meta_booking = r->appointment_meta_booking[i];
  gboolean has_uid = a->calcom_booking_uid != NULL && a->calcom_booking_uid[0] != '\0';
  CsOutcome *outcome;

  claimants = collect_conflict (r, i);
  if (claimants != NULL)
    {
      decide_conflict (r, i, claimants);
      return;
    }

  if (uid_booking != 0)
    {
      const CsBooking *b = booking_at (r, uid_booking);
      GPtrArray *diffs = compare (a, b, FALSE);

      outcome = append_outcome (r, diffs ? CS_OUTCOME_DATA_MISMATCH : CS_OUTCOME_SYNCED, a, b);
      outcome->match = r->appointment_followed[i] ? CS_MATCH_BY_RESCHEDULE : CS_MATCH_BY_UID;
      outcome->diffs = diffs;
      return;
    }

  /* The uid names a booking the listing does not hold: it may lie outside
   * the listed window, so only a lookup can tell whether it exists (and
   * whether it would compete with a booking that names this appointment). */
  if (has_uid && !uid_known_missing (r, a->calcom_booking_uid))
    {
      outcome = append_outcome (r, CS_OUTCOME_LOOKUP_NEEDED, a, NULL);
      if (meta_booking != 0)
        outcome->booking = booking_at (r, meta_booking);
      return;
    }

  if (meta_booking != 0)
    {
      const CsBooking *b = booking_at (r, meta_booking);
      GPtrArray *diffs = compare (a, b, has_uid);

      outcome = append_outcome (r, diffs ? CS_OUTCOME_DATA_MISMATCH : CS_OUTCOME_SYNCED, a, b);
      outcome->match = CS_MATCH_BY_METADATA;
      outcome->diffs = diffs;
      return;
    }

  /* A cancelled appointment needs no slot in Cal.com: none is agreement. */
  if (!cs_crm_status_is_active (a->status))
    {
      append_outcome (r, CS_OUTCOME_SYNCED, a, NULL);
      return;
    }

  append_outcome (r, CS_OUTCOME_ORPHANED_LOCAL, a, NULL);
}

static void
decide_booking (Reconciler *r,
                guint       i)
{
  const CsBooking *b = g_ptr_array_index (r->bookings, i);
  gint64 id;

  if (r->booking_claimer[i] != 0)
    return;

  /* Replaced by a reschedule whose successor is listed: decided with it. */
  if (successor (r, REF (i)) != 0)
    {
      r->result->n_inactive_unclaimed++;
      return;
    }

  /* It names an appointment the CRM listing does not hold, perhaps one
   * moved outside the window: look it up before calling it an orphan. */
  if (parse_id (cs_booking_get_crm_appointment_id (b), &id) &&
      !g_hash_table_contains (r->skipped_ids, &id) &&
      (r->options->missing_appointment_ids == NULL ||
       !g_hash_table_contains (r->options->missing_appointment_ids, &id)))
    {
      append_outcome (r, CS_OUTCOME_LOOKUP_NEEDED, NULL, b);
      return;
    }

  if (!cs_booking_status_is_active (b->status))
    {
      r->result->n_inactive_unclaimed++;
      return;
    }

  append_outcome (r, CS_OUTCOME_ORPHANED_CALCOM, NULL, b);
}

static char *
normalize_email (const char *email)
{
  g_autofree char *stripped = NULL;

  if (email == NULL)
    return NULL;

  stripped = g_strstrip (g_strdup (email));
  if (stripped[0] == '\0' || strchr (stripped, '@') == NULL)
    return NULL;

  return g_ascii_strdown (stripped, -1);
}

/* Digits only, so "+49 123 456789" and "+49-123-456789" agree; numbers with
 * fewer than six digits are too weak to suggest anything. */
static char *
normalize_phone (const char *phone)
{
  GString *digits;

  if (phone == NULL)
    return NULL;

  digits = g_string_new (NULL);
  for (const char *p = phone; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_c (digits, *p);
    }

  if (digits->len < 6)
    {
      g_string_free (digits, TRUE);
      return NULL;
    }

  return g_string_free (digits, FALSE);
}

static char *
suggestion_key (CsTime      start,
                char        kind,
                const char *value)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT "|%c|%s", start, kind, value);
}

/* Keys that map to two different bookings are ambiguous: no suggestion. */
static char ambiguous_marker;
#define AMBIGUOUS ((gpointer) &ambiguous_marker)

static void
index_suggestion (GHashTable *table,
                  char       *key,
                  gpointer    value)
{
  gpointer existing;

  if (key == NULL)
    return;

  existing = g_hash_table_lookup (table, key);
  if (existing == NULL)
    g_hash_table_insert (table, key, value);
  else
    {
      if (existing != value)
        g_hash_table_insert (table, key, AMBIGUOUS);
      else
        g_free (key);
    }
}

static const CsOutcome *
lookup_suggestion (GHashTable *table,
                   char       *key)
{
  g_autofree char *owned_key = key;
  gpointer found;

  if (owned_key == NULL)
    return NULL;

  found = g_hash_table_lookup (table, owned_key);
  return found == AMBIGUOUS ? NULL : found;
}

static void
suggest_links (Reconciler *r)
{
  g_autoptr(GHashTable) by_key = NULL;
  GArray *outcomes = r->result->outcomes;

  if (r->result->counts[CS_OUTCOME_ORPHANED_LOCAL] == 0 ||
      r->result->counts[CS_OUTCOME_ORPHANED_CALCOM] == 0)
    return;

  by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  /* Index by position: the array does not grow any more. */
  for (guint i = 0; i < outcomes->len; i++)
    {
      CsOutcome *o = &g_array_index (outcomes, CsOutcome, i);

      if (o->kind != CS_OUTCOME_ORPHANED_CALCOM)
        continue;

      for (guint k = 0; k < o->booking->attendees->len; k++)
        {
          const CsAttendee *att = g_ptr_array_index (o->booking->attendees, k);
          g_autofree char *email = normalize_email (att->email);
          g_autofree char *phone = normalize_phone (att->phone);

          if (email != NULL)
            index_suggestion (by_key, suggestion_key (o->booking->start, 'e', email), o);
          if (phone != NULL)
            index_suggestion (by_key, suggestion_key (o->booking->start, 'p', phone), o);
        }
    }

  for (guint i = 0; i < outcomes->len; i++)
    {
      CsOutcome *o = &g_array_index (outcomes, CsOutcome, i);
      g_autofree char *email = NULL;
      g_autofree char *phone = NULL;
      const CsOutcome *found = NULL;
      CsOutcome *other;

      if (o->kind != CS_OUTCOME_ORPHANED_LOCAL)
        continue;

      email = normalize_email (o->appointment->customer_email);
      phone = normalize_phone (o->appointment->customer_phone);

      if (email != NULL)
        found = lookup_suggestion (by_key, suggestion_key (o->appointment->starts_at, 'e', email));
      if (found == NULL && phone != NULL)
        found = lookup_suggestion (by_key, suggestion_key (o->appointment->starts_at, 'p', phone));
      if (found == NULL)
        continue;

      other = (CsOutcome *) found;
      o->suggested_booking = other->booking;
      if (other->suggested_appointment == NULL)
        other->suggested_appointment = o->appointment;
    }
}

/**
 * cs_reconcile:
 * @appointments: (element-type CsAppointment): the CRM appointments of the
 *   window
 * @bookings: (element-type CsBooking): the Cal.com bookings of the window,
 *   plus any a lookup found
 * @options: the company and what lookups answered "not found"
 *
 * Matches each appointment to its booking (by the uid it stores, then by
 * the `crm_appointment_id` in the booking's metadata), compares each pair,
 * and reports what is missing on either side. Suggested links (same start,
 * same attendee e-mail or phone) are attached to orphans, never applied.
 *
 * Invalid, deleted or foreign appointments and invalid, foreign or repeated
 * bookings are counted and left out. No I/O, no clock, no logging: the
 * outcome depends on the inputs alone.
 *
 * Returns: (transfer full): the outcomes; they borrow from the inputs
 */
CsReconcileResult *
cs_reconcile (GPtrArray                *appointments,
              GPtrArray                *bookings,
              const CsReconcileOptions *options)
{
  static const CsReconcileOptions default_options = { 0 };
  Reconciler r = { 0 };
  guint n_a, n_b;

  g_return_val_if_fail (appointments != NULL, NULL);
  g_return_val_if_fail (bookings != NULL, NULL);

  n_a = appointments->len;
  n_b = bookings->len;

  r.appointments = appointments;
  r.bookings = bookings;
  r.options = options != NULL ? options : &default_options;
  r.booking_by_uid = g_hash_table_new (g_str_hash, g_str_equal);
  r.appointment_by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  r.skipped_ids = g_hash_table_new (g_int64_hash, g_int64_equal);
  r.booking_skipped = g_new0 (gboolean, n_b);
  r.appointment_skipped = g_new0 (gboolean, n_a);
  r.booking_claimer = g_new0 (Ref, n_b);
  r.booking_claimers = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  r.appointment_uid_booking = g_new0 (Ref, n_a);
  r.appointment_followed = g_new0 (gboolean, n_a);
  r.appointment_meta_booking = g_new0 (Ref, n_a);
  r.appointment_meta_extra = g_hash_table_new_full (NULL, NULL, NULL,
                                                    (GDestroyNotify) g_ptr_array_unref);

  r.result = g_new0 (CsReconcileResult, 1);
  r.result->outcomes = g_array_sized_new (FALSE, TRUE, sizeof (CsOutcome), n_a + n_b / 16);
  g_array_set_clear_func (r.result->outcomes, outcome_clear);

  index_inputs (&r);
  record_claims (&r);

  for (guint i = 0; i < n_a; i++)
    {
      if (!r.appointment_skipped[i])
        decide_appointment (&r, i);
    }

  for (guint i = 0; i < n_b; i++)
    {
      if (!r.booking_skipped[i])
        decide_booking (&r, i);
    }

  for (guint i = 0; i < r.result->outcomes->len; i++)
    r.result->counts[g_array_index (r.result->outcomes, CsOutcome, i).kind]++;

  suggest_links (&r);

  g_hash_table_unref (r.booking_by_uid);
  g_hash_table_unref (r.appointment_by_id);
  g_hash_table_unref (r.skipped_ids);
  g_hash_table_unref (r.booking_claimers);
  g_hash_table_unref (r.appointment_meta_extra);
  g_free (r.booking_skipped);
  g_free (r.appointment_skipped);
  g_free (r.booking_claimer);
  g_free (r.appointment_uid_booking);
  g_free (r.appointment_followed);
  g_free (r.appointment_meta_booking);

  return r.result;
}

/**
 * cs_reconcile_result_free:
 * @result: (nullable): a result
 */
void
cs_reconcile_result_free (CsReconcileResult *result)
{
  if (result == NULL)
    return;

  g_array_unref (result->outcomes);
  g_free (result);
}

/**
 * cs_reconcile_result_get:
 * @result: a result
 * @index: an index below `result->outcomes->len`
 *
 * Returns: (transfer none): the outcome at @index
 */
const CsOutcome *
cs_reconcile_result_get (const CsReconcileResult *result,
                         guint                    index)
{
  g_return_val_if_fail (result != NULL, NULL);
  g_return_val_if_fail (index < result->outcomes->len, NULL);

  return &g_array_index (result->outcomes, CsOutcome, index);
}

/**
 * cs_outcome_find_diff:
 * @outcome: an outcome
 * @field: a field
 *
 * Returns: (nullable) (transfer none): the diff of @field, or %NULL if that
 *   field agrees
 */
const CsFieldDiff *
cs_outcome_find_diff (const CsOutcome *outcome,
                      CsDiffField      field)
{
  g_return_val_if_fail (outcome != NULL, NULL);

  for (guint i = 0; outcome->diffs != NULL && i < outcome->diffs->len; i++)
    {
      const CsFieldDiff *diff = g_ptr_array_index (outcome->diffs, i);

      if (diff->field == field)
        return diff;
    }

  return NULL;
}
