/* cs-sim-dataset.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-sim-dataset.h"

/**
 * CsSimDataset:
 *
 * The in-memory data behind the simulator: the CRM's appointment rows and
 * Cal.com's bookings, generated from a seed, plus the ground truth of what a
 * correct verification finds for each of them.
 *
 * Generation draws from one #GRand seeded with the configured seed, in a
 * fixed order, and takes its times from the UTC midnight of the clock's day:
 * the same seed and configuration give the same rows all day long. The
 * customers are obviously fake ("Kunde 0042", `kunde0042@example.test`,
 * `+49 30 5550042`), so nothing real can leak from a test log.
 *
 * After generation the dataset is the simulator's state: the servers change
 * it when clients write, tests change it through the put and remove
 * functions. The ground truth stays what was generated, but for the
 * vanish and stray functions, which change rows and their truth together
 * (the server's drift knobs use them).
 */

#define HOST_NAME     "Anna Schmidt"
#define UID_LENGTH    22
#define PHANTOM_SHIFT G_GINT64_CONSTANT (100000)

/* The one table of the salon's event types: Cal.com's settings that the
 * create and the event type endpoint enforce and serve. Two offer several
 * lengths; one takes bookings by phone without an e-mail. */
static const CsSimEventType event_types[] = {
  { 42, "herrenschnitt", "Hairstyling - Herrenschnitt", 30, { 0 }, FALSE },
  { 43, "damenschnitt", "Hairstyling - Damenschnitt", 60, { 45, 60, 90, 0 }, FALSE },
  { 44, "straehnen", "Farbe - Strähnen", 90, { 0 }, FALSE },
  { 45, "bartpflege", "Barbier - Bartpflege", 20, { 0 }, TRUE },
  { 46, "typberatung", "Beratung - Typberatung", 45, { 30, 45, 60, 0 }, FALSE },
};

/* How often the generator draws again for a slot already used before it
 * gives up and lets two rows share one (only a dataset that fills most of
 * its window's quarter hours gets there). */
#define MAX_SLOT_DRAWS 64

/* Offsets of the "different UTC offsets" rows, in minutes. */
static const int other_offsets[] = { 0, -300, 330, 540, -180, 600 };

struct _CsSimDataset
{
  GObject             parent_instance;

  CsClock            *clock;
  CsSimDatasetConfig  config;
  CsTime              generated_at;

  GPtrArray          *appointments;          /* CsSimAppointment, by id */
  GHashTable         *appointment_by_id;     /* gint64 * → CsSimAppointment */
  gboolean            appointments_unsorted;
  gint64              max_appointment_id;

  GPtrArray          *bookings;              /* CsSimBooking, in creation order */
  GHashTable         *booking_by_uid;        /* uid → CsSimBooking */
  GArray             *bookings_by_start;     /* CsSimBookingKey; NULL when stale */
  gint64              max_booking_id;
  GRand              *uid_rand;              /* uids made after generation */

  guint               counts[CS_SIM_N_CATEGORIES];
  GPtrArray          *truths;                /* CsSimTruth, owned */
  GHashTable         *truth_by_id;           /* gint64 * → CsSimTruth */
  GHashTable         *truth_by_uid;          /* uid → CsSimTruth */
  GArray             *foreign_ids;           /* gint64 */
};

G_DEFINE_FINAL_TYPE (CsSimDataset, cs_sim_dataset, G_TYPE_OBJECT)

static void
sim_appointment_free (gpointer data)
{
  CsSimAppointment *row = data;

  cs_appointment_free (row->appointment);
  g_free (row);
}

static void
sim_booking_free (gpointer data)
{
  CsSimBooking *row = data;

  cs_booking_free (row->booking);
  g_free (row->cancellation_reason);
  g_free (row->time_zone);
  g_free (row);
}

static void
sim_truth_free (gpointer data)
{
  CsSimTruth *truth = data;

  g_free (truth->booking_uid);
  g_free (truth->suggested_booking_uid);
  g_free (truth);
}

static void
cs_sim_dataset_finalize (GObject *object)
{
  CsSimDataset *self = CS_SIM_DATASET (object);

  g_clear_pointer (&self->bookings_by_start, g_array_unref);
  g_clear_pointer (&self->truth_by_id, g_hash_table_unref);
  g_clear_pointer (&self->truth_by_uid, g_hash_table_unref);
  g_clear_pointer (&self->truths, g_ptr_array_unref);
  g_clear_pointer (&self->appointment_by_id, g_hash_table_unref);
  g_clear_pointer (&self->appointments, g_ptr_array_unref);
  g_clear_pointer (&self->booking_by_uid, g_hash_table_unref);
  g_clear_pointer (&self->bookings, g_ptr_array_unref);
  g_clear_pointer (&self->foreign_ids, g_array_unref);
  g_clear_pointer (&self->uid_rand, g_rand_free);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (cs_sim_dataset_parent_class)->finalize (object);
}

static void
cs_sim_dataset_class_init (CsSimDatasetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cs_sim_dataset_finalize;
}

static void
cs_sim_dataset_init (CsSimDataset *self)
{
  self->appointments = g_ptr_array_new_with_free_func (sim_appointment_free);
  self->appointment_by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->bookings = g_ptr_array_new_with_free_func (sim_booking_free);
  self->booking_by_uid = g_hash_table_new (g_str_hash, g_str_equal);
  self->truths = g_ptr_array_new_with_free_func (sim_truth_free);
  self->truth_by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->truth_by_uid = g_hash_table_new (g_str_hash, g_str_equal);
  self->foreign_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
}

/* Time zones */

/* The last Sunday of a 31-day month, 01:00 UTC, in Unix seconds: when the
 * EU switches summer time on (March) and off (October). */
static gint64
last_sunday_0100_utc (int year,
                      int month)
{
  g_autoptr(GDateTime) day = g_date_time_new_utc (year, month, 31, 1, 0, 0);

  return g_date_time_to_unix (day) - (g_date_time_get_day_of_week (day) % 7) * 86400;
}

#define FIRST_DST_YEAR 1980
#define LAST_DST_YEAR  2199

/* Per year from 1980, the summer-time start and end in Unix seconds,
 * computed once: formatting a page of 500 rows asks thousands of times. */
static const gint64 *
dst_table (void)
{
  static gint64 table[2 * (LAST_DST_YEAR - FIRST_DST_YEAR + 1)];
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      for (int year = FIRST_DST_YEAR; year <= LAST_DST_YEAR; year++)
        {
          table[2 * (year - FIRST_DST_YEAR)] = last_sunday_0100_utc (year, 3);
          table[2 * (year - FIRST_DST_YEAR) + 1] = last_sunday_0100_utc (year, 10);
        }
      g_once_init_leave (&initialized, 1);
    }

  return table;
}

/**
 * cs_sim_berlin_offset_minutes:
 * @time: an instant
 *
 * Berlin's UTC offset at @time by the EU rule (60 in winter, 120 in
 * summer, the rule of 1996 applied from 1980 to 2199), computed rather than
 * read from tzdata so that the simulator writes the same text on every
 * machine.
 *
 * Returns: the offset in minutes
 */
int
cs_sim_berlin_offset_minutes (CsTime time)
{
  const gint64 *table = dst_table ();
  gint64 seconds = time / CS_USEC_PER_SECOND;
  /* Off by one only within a day of New Year, which is winter in both
   * years. */
  int year = (int) (1970 + seconds / 31556952);

  year = CLAMP (year, FIRST_DST_YEAR, LAST_DST_YEAR);
  if (seconds >= table[2 * (year - FIRST_DST_YEAR)] &&
      seconds < table[2 * (year - FIRST_DST_YEAR) + 1])
    return 120;

  return 60;
}

/**
 * cs_sim_lookup_event_type:
 * @id: an event type id
 *
 * Returns: (nullable): the simulated event type with that id
 */
const CsSimEventType *
cs_sim_lookup_event_type (gint64 id)
{
  for (guint i = 0; i < G_N_ELEMENTS (event_types); i++)
    {
      if (event_types[i].id == id)
        return &event_types[i];
    }

  return NULL;
}

/**
 * cs_sim_get_event_types:
 * @n_types: (out): the number of event types
 *
 * Returns: (array length=n_types): the simulated salon's event types
 */
const CsSimEventType *
cs_sim_get_event_types (guint *n_types)
{
  g_return_val_if_fail (n_types != NULL, NULL);

  *n_types = G_N_ELEMENTS (event_types);
  return event_types;
}

/**
 * cs_sim_event_type_allows_length:
 * @type: an event type
 * @minutes: a length asked for by a create's `lengthInMinutes`
 *
 * Returns: %TRUE if @type offers several lengths and @minutes is one of them
 */
gboolean
cs_sim_event_type_allows_length (const CsSimEventType *type,
                                 gint64                minutes)
{
  g_return_val_if_fail (type != NULL, FALSE);

  for (guint i = 0; type->length_options[i] != 0; i++)
    {
      if (type->length_options[i] == minutes)
        return TRUE;
    }

  return FALSE;
}

/**
 * cs_sim_within_opening_hours:
 * @start: the start of a slot
 * @end: its end
 *
 * The salon is open every day from %CS_SIM_OPENING_HOUR to
 * %CS_SIM_CLOSING_HOUR, Berlin time. Every generated appointment lies in
 * these hours (it starts between 08:00 and 17:45 and lasts at most 90
 * minutes; a mismatched booking moves by at most an hour).
 *
 * Returns: %TRUE if the slot starts and ends on one day within them
 */
gboolean
cs_sim_within_opening_hours (CsTime start,
                             CsTime end)
{
  CsTime local_start = start + cs_sim_berlin_offset_minutes (start) * CS_USEC_PER_MINUTE;
  CsTime local_end = end + cs_sim_berlin_offset_minutes (end) * CS_USEC_PER_MINUTE;
  CsTime midnight;

  if (end <= start)
    return FALSE;

  midnight = local_start - ((local_start % CS_USEC_PER_DAY) + CS_USEC_PER_DAY) % CS_USEC_PER_DAY;

  return local_start >= midnight + CS_SIM_OPENING_HOUR * CS_USEC_PER_HOUR &&
         local_end <= midnight + CS_SIM_CLOSING_HOUR * CS_USEC_PER_HOUR;
}

/* Rows */

static void
index_appointment (CsSimDataset     *self,
                   CsSimAppointment *row)
{
  gint64 id = row->appointment->id;

  if (self->appointments->len > 0 && id < self->max_appointment_id)
    self->appointments_unsorted = TRUE;
  self->max_appointment_id = MAX (self->max_appointment_id, id);

  g_ptr_array_add (self->appointments, row);
  g_hash_table_insert (self->appointment_by_id, &row->appointment->id, row);
}

static CsSimBooking *
index_booking (CsSimDataset *self,
               CsBooking    *booking,
               CsTime        created_at)
{
  CsSimBooking *row = g_new0 (CsSimBooking, 1);

  row->booking = booking;
  row->created_at = created_at;
  row->time_zone = g_strdup ("Europe/Berlin");
  self->max_booking_id = MAX (self->max_booking_id, booking->id);

  g_ptr_array_add (self->bookings, row);
  g_hash_table_insert (self->booking_by_uid, booking->uid, row);
  g_clear_pointer (&self->bookings_by_start, g_array_unref);

  return row;
}

static char *
random_uid (GRand *rand)
{
  static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  char *uid = g_malloc (UID_LENGTH + 1);

  for (guint i = 0; i < UID_LENGTH; i++)
    uid[i] = alphabet[g_rand_int_range (rand, 0, (gint32) (sizeof alphabet - 1))];
  uid[UID_LENGTH] = '\0';

  return uid;
}

static char *
unique_uid (CsSimDataset *self,
            GRand        *rand)
{
  char *uid;

  while (g_hash_table_contains (self->booking_by_uid, uid = random_uid (rand)))
    g_free (uid);

  return uid;
}

/* Generation */

typedef struct
{
  GRand                *rand;
  CsTime                base;         /* UTC midnight of the clock's day */
  GHashTable           *slots;        /* slot keys used by a row already */

  /* The recurring series being filled */
  char                 *series_uid;
  const CsSimEventType *series_type;
  int                   series_day;
  int                   series_minute;
  int                   series_step;  /* days between occurrences */
  guint                 series_n;     /* occurrences made */
} Generator;

/* One event type at one start: what Cal.com's availability (as the
 * simulator simplifies it) calls a taken slot. */
static gpointer
slot_key (const CsSimEventType *type,
          CsTime                start)
{
  gint64 minutes = start / CS_USEC_PER_MINUTE;

  return GSIZE_TO_POINTER ((gsize) (minutes * 1024 + (type->id & 1023)));
}

static gboolean
slot_used (Generator            *gen,
           const CsSimEventType *type,
           CsTime                start)
{
  return g_hash_table_contains (gen->slots, slot_key (type, start));
}

static void
use_slot (Generator            *gen,
          const CsSimEventType *type,
          CsTime                start)
{
  g_hash_table_add (gen->slots, slot_key (type, start));
}

static CsSimTruth *
add_truth (CsSimDataset  *self,
           CsSimCategory  category,
           CsSyncStatus   status,
           CsErrorCode    error_code,
           gint64         appointment_id,
           const char    *booking_uid)
{
  CsSimTruth *truth = g_new0 (CsSimTruth, 1);

  truth->category = category;
  truth->status = status;
  truth->error_code = error_code;
  truth->appointment_id = appointment_id;
  truth->booking_uid = g_strdup (booking_uid);
  g_ptr_array_add (self->truths, truth);

  if (appointment_id != 0)
    g_hash_table_insert (self->truth_by_id, &truth->appointment_id, truth);
  else
    g_hash_table_insert (self->truth_by_uid, truth->booking_uid, truth);

  return truth;
}

/* The slot of @type starting at @minute (Berlin wall time, minutes after
 * midnight) on the day @day days after the generator's base. */
static void
slot_at (Generator            *gen,
         const CsSimEventType *type,
         int                   day,
         int                   minute,
         CsTime               *start,
         CsTime               *end)
{
  CsTime midnight = gen->base + day * CS_USEC_PER_DAY;
  int offset = cs_sim_berlin_offset_minutes (midnight + 12 * CS_USEC_PER_HOUR);

  *start = midnight + (minute - offset) * CS_USEC_PER_MINUTE;
  *end = *start + type->minutes * CS_USEC_PER_MINUTE;
}

/* A start in business hours (Berlin time: 08:00 to 17:45), on a day inside
 * the window with a day of margin each way, so shifted mismatches stay
 * inside too. The day and minute are returned for series. */
static void
pick_slot_full (CsSimDataset         *self,
                Generator            *gen,
                const CsSimEventType *type,
                int                  *day_out,
                int                  *minute_out,
                CsTime               *start,
                CsTime               *end)
{
  int day = g_rand_int_range (gen->rand, -(int) self->config.past_days + 1,
                              (int) self->config.future_days - 1);
  int hour = g_rand_int_range (gen->rand, 8, 18);
  int quarter = g_rand_int_range (gen->rand, 0, 4);
  int minute = hour * 60 + quarter * 15;

  slot_at (gen, type, day, minute, start, end);
  if (day_out != NULL)
    *day_out = day;
  if (minute_out != NULL)
    *minute_out = minute;
}

static void
pick_slot (CsSimDataset         *self,
           Generator            *gen,
           const CsSimEventType *type,
           CsTime               *start,
           CsTime               *end)
{
  pick_slot_full (self, gen, type, NULL, NULL, start, end);
}

/* A slot no other generated row uses, so that no two active bookings of
 * the generated data hold one slot (a later create would find it taken).
 * @shift, if not 0, is where the booking of the row will start instead:
 * that slot must be free too. */
static void
pick_free_slot (CsSimDataset         *self,
                Generator            *gen,
                const CsSimEventType *type,
                gint64                shift,
                CsTime               *start,
                CsTime               *end)
{
  for (guint draw = 0; draw < MAX_SLOT_DRAWS; draw++)
    {
      pick_slot (self, gen, type, start, end);
      if (!slot_used (gen, type, *start) && !slot_used (gen, type, *start + shift))
        break;
    }

  use_slot (gen, type, *start);
  use_slot (gen, type, *start + shift);
}

/* The next occurrence of the recurring series being filled, or the first
 * of a new one: weekly at the same Berlin time (daily if the window is too
 * short for four weeks), on slots no other row uses. */
static void
next_occurrence (CsSimDataset          *self,
                 Generator             *gen,
                 const CsSimEventType **type,
                 CsTime                *start,
                 CsTime                *end)
{
  if (gen->series_uid == NULL || gen->series_n == CS_SIM_SERIES_LENGTH)
    {
      int last = (int) self->config.future_days - 2;
      int first = -(int) self->config.past_days + 1;

      g_free (gen->series_uid);
      gen->series_uid = unique_uid (self, gen->rand);
      gen->series_type = *type;
      gen->series_n = 0;
      gen->series_step = last - first >= 7 * (CS_SIM_SERIES_LENGTH - 1) ? 7 : 1;

      for (guint draw = 0; draw < MAX_SLOT_DRAWS; draw++)
        {
          gboolean free = TRUE;

          pick_slot_full (self, gen, *type, &gen->series_day, &gen->series_minute, start, end);
          gen->series_day = MIN (gen->series_day,
                                 last - gen->series_step * (CS_SIM_SERIES_LENGTH - 1));
          gen->series_day = MAX (gen->series_day, first);
          for (guint k = 0; k < CS_SIM_SERIES_LENGTH && free; k++)
            {
              slot_at (gen, *type, gen->series_day + (int) k * gen->series_step,
                       gen->series_minute, start, end);
              free = !slot_used (gen, *type, *start);
            }
          if (free)
            break;
        }
    }

  *type = gen->series_type;
  slot_at (gen, *type, gen->series_day + (int) gen->series_n * gen->series_step,
           gen->series_minute, start, end);
  use_slot (gen, *type, *start);
  gen->series_n++;
}

static void
pick_stamps (Generator *gen,
             CsTime    *created_at,
             CsTime    *updated_at)
{
  gint64 age = g_rand_int_range (gen->rand, 1, 61) * CS_USEC_PER_DAY -
               g_rand_int_range (gen->rand, 0, 86400) * CS_USEC_PER_SECOND;
  gint64 seconds = age / CS_USEC_PER_SECOND;

  *created_at = gen->base - age;
  *updated_at = *created_at + g_rand_int_range (gen->rand, 0, (gint32) seconds + 1) *
                              CS_USEC_PER_SECOND;
}

static CsCrmStatus
pick_crm_status (Generator *gen,
                 gboolean   past)
{
  int dice = g_rand_int_range (gen->rand, 0, 20);

  if (past)
    return dice < 17 ? CS_CRM_STATUS_COMPLETED : dice < 19 ? CS_CRM_STATUS_NO_SHOW
                                                          : CS_CRM_STATUS_CONFIRMED;

  return dice < 12 ? CS_CRM_STATUS_SCHEDULED : CS_CRM_STATUS_CONFIRMED;
}

static void
set_customer (guint   number,
              char  **name,
              char  **email,
              char  **phone)
{
  *name = g_strdup_printf ("Kunde %04u", number);
  *email = g_strdup_printf ("kunde%04u@example.test", number);
  *phone = g_strdup_printf ("+49 30 555%04u", number);
}

static CsSimBooking *
make_booking (CsSimDataset         *self,
              Generator            *gen,
              const CsSimEventType *type,
              CsTime                start,
              CsTime                end,
              CsBookingStatus       status,
              guint                 customer,
              gint64                crm_id)
{
  g_autofree char *uid = unique_uid (self, gen->rand);
  g_autofree char *name = NULL;
  g_autofree char *email = NULL;
  g_autofree char *phone = NULL;
  CsBooking *booking = cs_booking_new (uid);
  CsSimBooking *row;
  CsTime created_at;

  set_customer (customer, &name, &email, &phone);
  booking->id = self->max_booking_id + 1;
  booking->start = start;
  booking->end = end;
  booking->status = status;
  booking->title = g_strdup_printf ("%s between %s and %s", type->title, HOST_NAME, name);
  booking->event_type_id = type->id;
  cs_booking_add_attendee (booking, name, email, phone);
  pick_stamps (gen, &created_at, &booking->updated_at);

  if (crm_id != 0)
    {
      g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, crm_id);
      g_autofree char *company_text = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                       self->config.company_id);

      cs_booking_set_metadata (booking, CS_METADATA_CRM_APPOINTMENT_ID, id_text);
      cs_booking_set_metadata (booking, CS_METADATA_CRM_COMPANY_ID, company_text);
    }

  row = index_booking (self, booking, created_at);
  if (!cs_booking_status_is_active (status))
    row->cancellation_reason = g_strdup ("Termin abgesagt");

  return row;
}

static void
generate_appointment (CsSimDataset  *self,
                      Generator     *gen,
                      guint          index,
                      CsSimCategory  category)
{
  const CsSimEventType *type;
  CsSimAppointment *row = g_new0 (CsSimAppointment, 1);
  CsAppointment *a = cs_appointment_new ();
  CsSimBooking *booking = NULL;
  CsBookingStatus booking_status = CS_BOOKING_STATUS_ACCEPTED;
  CsSimTruth *truth = NULL;
  CsTime start, end;
  gboolean past;
  guint shift;

  type = &event_types[g_rand_int_range (gen->rand, 0, G_N_ELEMENTS (event_types))];
  shift = (guint) g_rand_int_range (gen->rand, 1, 5) * 15;
  if (category == CS_SIM_CATEGORY_RECURRING)
    next_occurrence (self, gen, &type, &start, &end);
  else
    pick_free_slot (self, gen, type,
                    category == CS_SIM_CATEGORY_MISMATCH_START
                    ? -(gint64) shift * CS_USEC_PER_MINUTE : 0,
                    &start, &end);
  past = end <= gen->base;

  a->id = self->config.first_id + index;
  a->company_id = self->config.company_id;
  a->number = g_strdup_printf ("%" G_GINT64_FORMAT, a->id);
  a->starts_at = start;
  a->ends_at = end;
  a->status = pick_crm_status (gen, past);
  a->title = g_strdup (type->title);
  set_customer (index + 1, &a->customer_name, &a->customer_email, &a->customer_phone);
  a->calcom_event_type_id = type->id;
  a->source = g_strdup ("voice_agent");
  pick_stamps (gen, &a->created_at, &a->updated_at);
  row->appointment = a;

  /* Bookings awaiting confirmation agree with an active appointment too. */
  if (!past && g_rand_int_range (gen->rand, 0, 10) == 0)
    booking_status = CS_BOOKING_STATUS_PENDING;

  switch (category)
    {
    case CS_SIM_CATEGORY_AWAITING_HOST:
    case CS_SIM_CATEGORY_RECURRING:
      booking_status = category == CS_SIM_CATEGORY_AWAITING_HOST
                       ? CS_BOOKING_STATUS_AWAITING_HOST : CS_BOOKING_STATUS_ACCEPTED;
      booking = make_booking (self, gen, type, start, end, booking_status, index + 1, a->id);
      a->calcom_booking_uid = g_strdup (booking->booking->uid);
      if (category == CS_SIM_CATEGORY_RECURRING)
        booking->booking->recurring_booking_uid = g_strdup (gen->series_uid);
      truth = add_truth (self, category, CS_SYNC_STATUS_SYNCED, CS_ERROR_CODE_NONE, a->id,
                         booking->booking->uid);
      break;

    case CS_SIM_CATEGORY_SYNCED:
    case CS_SIM_CATEGORY_OTHER_OFFSET:
    case CS_SIM_CATEGORY_SYNCED_METADATA:
      booking = make_booking (self, gen, type, start, end, booking_status, index + 1, a->id);
      if (category != CS_SIM_CATEGORY_SYNCED_METADATA)
        a->calcom_booking_uid = g_strdup (booking->booking->uid);
      if (category == CS_SIM_CATEGORY_OTHER_OFFSET)
        {
          row->fixed_offset = TRUE;
          row->utc_offset_minutes =
            other_offsets[g_rand_int_range (gen->rand, 0, G_N_ELEMENTS (other_offsets))];
        }
      truth = add_truth (self, category, CS_SYNC_STATUS_SYNCED, CS_ERROR_CODE_NONE, a->id,
                         booking->booking->uid);
      break;

    case CS_SIM_CATEGORY_ORPHANED_LOCAL:
      /* Half name a booking that does not exist: the client must look the
       * uid up once and take the 404 as the answer. */
      if (g_rand_boolean (gen->rand))
        a->calcom_booking_uid = unique_uid (self, gen->rand);
      truth = add_truth (self, category, CS_SYNC_STATUS_ORPHANED_LOCAL,
                         CS_ERROR_CODE_ORPHANED_LOCAL, a->id, a->calcom_booking_uid);
      break;

    case CS_SIM_CATEGORY_MISMATCH_START:
    case CS_SIM_CATEGORY_MISMATCH_END:
      if (category == CS_SIM_CATEGORY_MISMATCH_START)
        start -= shift * CS_USEC_PER_MINUTE;
      else
        end += shift * CS_USEC_PER_MINUTE;
      booking = make_booking (self, gen, type, start, end, booking_status, index + 1, a->id);
      a->calcom_booking_uid = g_strdup (booking->booking->uid);
      truth = add_truth (self, category, CS_SYNC_STATUS_FAILED, CS_ERROR_CODE_DATA_MISMATCH,
                         a->id, booking->booking->uid);
      truth->diff_fields = 1u << (category == CS_SIM_CATEGORY_MISMATCH_START
                                  ? CS_DIFF_FIELD_START : CS_DIFF_FIELD_END);
      break;

    case CS_SIM_CATEGORY_MISMATCH_STATUS:
      if (g_rand_boolean (gen->rand))
        a->status = CS_CRM_STATUS_CANCELLED;
      else
        booking_status = CS_BOOKING_STATUS_CANCELLED;
      booking = make_booking (self, gen, type, start, end, booking_status, index + 1, a->id);
      a->calcom_booking_uid = g_strdup (booking->booking->uid);
      truth = add_truth (self, category, CS_SYNC_STATUS_FAILED, CS_ERROR_CODE_DATA_MISMATCH,
                         a->id, booking->booking->uid);
      truth->diff_fields = 1u << CS_DIFF_FIELD_STATUS;
      break;

    case CS_SIM_CATEGORY_CANCELLED:
      a->status = CS_CRM_STATUS_CANCELLED;
      if (g_rand_boolean (gen->rand))
        {
          booking_status = g_rand_int_range (gen->rand, 0, 4) == 0
                           ? CS_BOOKING_STATUS_REJECTED : CS_BOOKING_STATUS_CANCELLED;
          booking = make_booking (self, gen, type, start, end, booking_status, index + 1,
                                  a->id);
          a->calcom_booking_uid = g_strdup (booking->booking->uid);
        }
      truth = add_truth (self, category, CS_SYNC_STATUS_SYNCED, CS_ERROR_CODE_NONE, a->id,
                         booking != NULL ? booking->booking->uid : NULL);
      break;

    case CS_SIM_CATEGORY_SUGGESTED:
      {
        CsSimTruth *booking_truth;

        booking = make_booking (self, gen, type, start, end, booking_status, index + 1, 0);
        truth = add_truth (self, category, CS_SYNC_STATUS_ORPHANED_LOCAL,
                           CS_ERROR_CODE_ORPHANED_LOCAL, a->id, NULL);
        truth->suggested_booking_uid = g_strdup (booking->booking->uid);
        booking_truth = add_truth (self, category, CS_SYNC_STATUS_ORPHANED_CALCOM,
                                   CS_ERROR_CODE_ORPHANED_CALCOM, 0, booking->booking->uid);
        booking_truth->suggested_appointment_id = a->id;
      }
      break;

    case CS_SIM_CATEGORY_FOREIGN:
      a->company_id = self->config.foreign_company_id;
      g_array_append_val (self->foreign_ids, a->id);
      break;

    case CS_SIM_CATEGORY_ORPHANED_CALCOM:
    default:
      g_assert_not_reached ();
    }

  index_appointment (self, row);
}

static void
generate_orphaned_booking (CsSimDataset *self,
                           Generator    *gen,
                           guint         k)
{
  const CsSimEventType *type;
  CsBookingStatus status = CS_BOOKING_STATUS_ACCEPTED;
  CsSimBooking *booking;
  gint64 phantom_id = 0;
  CsTime start, end;

  type = &event_types[g_rand_int_range (gen->rand, 0, G_N_ELEMENTS (event_types))];
  pick_free_slot (self, gen, type, 0, &start, &end);
  if (end > gen->base && g_rand_int_range (gen->rand, 0, 10) == 0)
    status = CS_BOOKING_STATUS_PENDING;

  /* A quarter name a CRM id that does not exist (deleted, or a bug of the
   * voice agent): the client must look it up once before calling it an
   * orphan. */
  if (k % 4 == 0)
    phantom_id = self->config.first_id + self->config.n_appointments + PHANTOM_SHIFT + k;

  booking = make_booking (self, gen, type, start, end, status,
                          self->config.n_appointments + 1 + k, phantom_id);
  add_truth (self, CS_SIM_CATEGORY_ORPHANED_CALCOM, CS_SYNC_STATUS_ORPHANED_CALCOM,
             CS_ERROR_CODE_ORPHANED_CALCOM, 0, booking->booking->uid);
}

static void
compute_counts (CsSimDataset *self)
{
  guint n = self->config.n_appointments;
  guint sum = 0;

  for (guint c = 0; c < CS_SIM_N_CATEGORIES; c++)
    {
      if (c == CS_SIM_CATEGORY_SYNCED)
        continue;

      self->counts[c] = (guint) (self->config.fractions[c] * n + 0.5);
      if (c != CS_SIM_CATEGORY_ORPHANED_CALCOM)
        sum += self->counts[c];
    }

  /* Rounding up each share may overshoot by a few rows: take them back
   * from the largest. */
  while (sum > n)
    {
      guint largest = CS_SIM_CATEGORY_SYNCED_METADATA;

      for (guint c = 0; c < CS_SIM_N_CATEGORIES; c++)
        {
          if (c != CS_SIM_CATEGORY_SYNCED && c != CS_SIM_CATEGORY_ORPHANED_CALCOM &&
              self->counts[c] > self->counts[largest])
            largest = c;
        }

      self->counts[largest]--;
      sum--;
    }

  self->counts[CS_SIM_CATEGORY_SYNCED] = n - sum;
}

static void
generate (CsSimDataset *self)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (self->config.seed);
  g_autofree guint8 *categories = NULL;
  guint n = self->config.n_appointments;
  Generator gen;
  guint pos = 0;

  memset (&gen, 0, sizeof gen);
  gen.rand = rand;
  gen.base = self->generated_at - self->generated_at % CS_USEC_PER_DAY;
  gen.slots = g_hash_table_new (NULL, NULL);

  compute_counts (self);

  categories = g_new (guint8, MAX (n, 1));
  for (guint c = 0; c < CS_SIM_N_CATEGORIES; c++)
    {
      if (c == CS_SIM_CATEGORY_ORPHANED_CALCOM)
        continue;
      for (guint k = 0; k < self->counts[c]; k++)
        categories[pos++] = (guint8) c;
    }
  g_assert (pos == n);

  /* Fisher-Yates: the categories land on random ids, reproducibly. */
  for (guint i = n; i > 1; i--)
    {
      guint j = (guint) g_rand_int_range (rand, 0, (gint32) i);
      guint8 tmp = categories[i - 1];

      categories[i - 1] = categories[j];
      categories[j] = tmp;
    }

  for (guint i = 0; i < n; i++)
    generate_appointment (self, &gen, i, (CsSimCategory) categories[i]);

  for (guint k = 0; k < self->counts[CS_SIM_CATEGORY_ORPHANED_CALCOM]; k++)
    generate_orphaned_booking (self, &gen, k);

  g_hash_table_unref (gen.slots);
  g_free (gen.series_uid);
}

/**
 * cs_sim_dataset_new:
 * @clock: the clock for "now" and for the stamps of later changes
 * @config: (nullable): what to generate; %NULL for the defaults of
 *   cs_sim_dataset_config_init()
 * @error: return location for an error in @config
 *
 * Generates a dataset.
 *
 * Returns: (transfer full) (nullable): the dataset, or %NULL if @config is
 *   invalid
 */
CsSimDataset *
cs_sim_dataset_new (CsClock                   *clock,
                    const CsSimDatasetConfig  *config,
                    GError                   **error)
{
  g_autoptr(CsSimDataset) self = NULL;
  CsSimDatasetConfig defaults;

  g_return_val_if_fail (CS_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (config == NULL)
    {
      cs_sim_dataset_config_init (&defaults);
      config = &defaults;
    }

  if (!cs_sim_dataset_config_check (config, error))
    return NULL;

  self = g_object_new (CS_TYPE_SIM_DATASET, NULL);
  self->clock = g_object_ref (clock);
  self->config = *config;
  self->generated_at = cs_clock_get_now (clock);
  self->uid_rand = g_rand_new_with_seed (config->seed ^ 0x5eed5eedu);

  generate (self);

  return g_steal_pointer (&self);
}

/**
 * cs_sim_dataset_get_config:
 * @self: a dataset
 *
 * Returns: (transfer none): the configuration it was generated from
 */
const CsSimDatasetConfig *
cs_sim_dataset_get_config (CsSimDataset *self)
{
  g_return_val_if_fail (CS_IS_SIM_DATASET (self), NULL);

  return &self->config;
}

/**
 * cs_sim_dataset_get_clock:
 * @self: a dataset
 *
 * Returns: (transfer none): its clock
 */
CsClock *
cs_sim_dataset_get_clock (CsSimDataset *self)
{
  g_return_val_if_fail (CS_IS_SIM_DATASET (self), NULL);

  return self->clock;
}

/**
 * cs_sim_dataset_get_generated_at:
 * @self: a dataset
 *
 * Returns: the clock's time when it was generated
 */
CsTime
cs_sim_dataset_get_generated_at (CsSimDataset *self)
{
  g_return_val_if_fail (CS_IS_SIM_DATASET (self), CS_TIME_UNSET);

  return self->generated_at;
}

/**
 * cs_sim_dataset_get_company_id:
 * @self: a dataset
 *
 * Returns: the company the generated rows (but the foreign ones) belong to
 */
gint64
cs_sim_dataset_get_company_id (CsSimDataset *self)
{
  g_return_val_if_fail (CS_IS_SIM_DATASET (self), 0);

  return self->config.company_id;
}

static int
compare_appointment_ids (gconstpointer a,
                         gconstpointer b)
{
  const CsSimAppointment *x = *(const CsSimAppointment * const *) a;
  const CsSimAppointment *y = *(const CsSimAppointment * const *) b;

  return (x->appointment->id > y->appointment->id) - (x->appointment->id < y->appointment->id);
}

/**
 * cs_sim_dataset_get_appointments:
 * @self: a dataset
 *
 * Returns: (transfer none) (element-type CsSimAppointment): every
 *   appointment row, deleted and foreign ones included, ordered by id
 */
GPtrArray *
cs_sim_dataset_get_appointments (CsSimDataset *self)
{
  g_return_val_if_fail (CS_IS_SIM_DATASET (self), NULL);

  if (self->appointments_unsorted)
    {
      g_ptr_array_sort (self->appointments, compare_appointment_ids);
      self->appointments_unsorted = FALSE;
    }

  return self->appointments;
}

/**
 * cs_sim_dataset_lookup_appointment:
 * @self: a dataset
 * @id: an appointment id
 *
 * Returns: (transfer none) (nullable): the row with that id, deleted or not
 */
CsSimAppointment *
cs_sim_dataset_lookup_appointment (CsSimDataset *self,
                                   gint64        id)
{
  g_return_val_if_fail (CS_IS_SIM_DATASET (self), NULL);

  return g_hash_table_lookup (self->appointment_by_id, &id);
}

/**
 * cs_sim_dataset_put_appointment:
 * @self: a dataset
 * @appointment: the row to store (copied); its id must be positive
 *
 * Adds the row, or replaces the row with the same id (keeping its UTC
 * offset). Unset creation and update stamps take the clock's time.
 *
 * Returns: (transfer none): the stored row
 */
CsSimAppointment *
cs_sim_dataset_put_appointment (CsSimDataset        *self,
                                const CsAppointment *appointment)
{
  CsSimAppointment *row;
  CsAppointment *copy;
  CsTime now;

  g_return_val_if_fail (CS_IS_SIM_DATASET (self), NULL);
  g_return_val_if_fail (appointment != NULL, NULL);
  g_return_val_if_fail (appointment->id > 0, NULL);

  now = cs_clock_get_now (self->clock);
  copy = cs_appointment_copy (appointment);
  if (copy->created_at == CS_TIME_UNSET)
    copy->created_at = now;
  if (copy->updated_at == CS_TIME_UNSET)
    copy->updated_at = now;

  row = g_hash_table_lookup (self->appointment_by_id, &appointment->id);
  if (row != NULL)
    {
      CsAppointment *old = row->appointment;

      /* Re-key before freeing: the table's key points into the row. */
      row->appointment = copy;
      g_hash_table_replace (self->appointment_by_id, &copy->id, row);
      cs_appointment_free (old);
      return row;
    }

  row = g_new0 (CsSimAppointment, 1);
  row->appointment = copy;
  index_appointment (self, row);

  return row;
}

/**
 * cs_sim_dataset_remove_appointment:
 * @self: a dataset
 * @id: an appointment id
 *
 * Deletes the row the way the CRM does: softly, with `deleted_at` (and
 * `updated_at`) set to now, so `updated_since` still lists it.
 *
 * Returns: %TRUE if a live row was deleted
 */
gboolean
cs_sim_dataset_remove_appointment (CsSimDataset *self,
                                   gint64        id)
{
  CsSimAppointment *row;

  g_return_val_if_fail (CS_IS_SIM_DATASET (self), FALSE);

  row = g_hash_table_lookup (self->appointment_by_id, &id);
  if (row == NULL || row->appointment->deleted_at != CS_TIME_UNSET)
    return FALSE;

  row->appointment->deleted_at = cs_clock_get_now (self->clock);
  row->appointment->updated_at = row->appointment->deleted_at;

  return TRUE;
}

/**
 * cs_sim_dataset_next_appointment_id:
 * @self: a dataset
 *
 * Returns: an id no row has, above every existing one
 */
gint64
cs_sim_dataset_next_appointment_id (CsSimDataset *self)
{
  g_return_val_if_fail (CS_IS_SIM_DATASET (self), 0);

  return MAX (self->max_appointment_id, self->config.first_id - 1) + 1;
}

/**
 * cs_sim_dataset_touch_appointment:
 * @self: a dataset
 * @row: one of its rows, just changed
 *
 * Sets the row's `updated_at` to now.
 */
void
cs_sim_dataset_touch_appointment (CsSimDataset     *self,
                                  CsSimAppointment *row)
{
  g_return_if_fail (CS_IS_SIM_DATASET (self));
  g_return_if_fail (row != NULL);

  row->appointment->updated_at = cs_clock_get_now (self->clock);
}

/**
 * cs_sim_dataset_format_crm_time:
 * @self: a dataset
 * @row: the row the time belongs to
 * @time: an instant, or %CS_TIME_UNSET
 *
 * Writes @time as the CRM does for @row: RFC 3339 with the row's offset
 * (Berlin's unless the row has a fixed one), e.g.
 * `2025-10-13T10:00:00+02:00`.
 *
 * Returns: (transfer full) (nullable): the text, or %NULL for an unset time
 */
char *
cs_sim_dataset_format_crm_time (CsSimDataset           *self,
                                const CsSimAppointment *row,
                                CsTime                  time)
{
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *wall = NULL;
  int offset;

  g_return_val_if_fail (CS_IS_SIM_DATASET (self), NULL);

  if (time == CS_TIME_UNSET)
    return NULL;

  offset = row != NULL && row->fixed_offset ? row->utc_offset_minutes
                                            : cs_sim_berlin_offset_minutes (time);

  /* The wall time is the UTC time of the shifted instant. */
  local = g_date_time_new_from_unix_utc (time / CS_USEC_PER_SECOND + offset * 60);
  if (local == NULL)
    return NULL;

  wall = g_date_time_format (local, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf ("%s%c%02d:%02d", wall, offset < 0 ? '-' : '+',
                          ABS (offset) / 60, ABS (offset) % 60);
}

static int
compare_bookings_by_start (gconstpointer a,
                           gconstpointer b)
{
  const CsSimBookingKey *x = a;
  const CsSimBookingKey *y = b;

  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  if (x->row->booking->id != y->row->booking->id)
    return x->row->booking->id < y->row->booking->id ? -1 : 1;

  return strcmp (x->row->booking->uid, y->row->booking->uid);
}

/**
 * cs_sim_dataset_get_bookings:
 * @self: a dataset
 *
 * Returns: (transfer none) (element-type CsSimBooking): every booking, in
 *   the order they were made
 */
GPtrArray *
cs_sim_dataset_get_bookings (CsSimDataset *self)
{
  g_return_val_if_fail (CS_IS_SIM_DATASET (self), NULL);

  return self->bookings;
}

/**
 * cs_sim_dataset_get_bookings_by_start:
 * @self: a dataset
 *
 * The bookings ordered by start, then id: the order Cal.com lists them in.
 * Built once after each change, so paging through a large set costs a
 * scan of a compact array per page, not a sort. A change made to a row in
 * place must be followed by cs_sim_dataset_touch_booking().
 *
 * Returns: (transfer none) (element-type CsSimBookingKey): the index,
 *   valid until the next change
 */
GArray *
cs_sim_dataset_get_bookings_by_start (CsSimDataset *self)
{
  g_return_val_if_fail (CS_IS_SIM_DATASET (self), NULL);

  if (self->bookings_by_start == NULL)
    {
      self->bookings_by_start = g_array_sized_new (FALSE, FALSE, sizeof (CsSimBookingKey),
                                                   self->bookings->len);
      for (guint i = 0; i < self->bookings->len; i++)
        {
          CsSimBooking *row = g_ptr_array_index (self->bookings, i);
          CsSimBookingKey key;

          key.start = row->booking->start;
          key.end = row->booking->end;
          key.created_at = row->created_at;
          key.updated_at = row->booking->updated_at != CS_TIME_UNSET
                           ? row->booking->updated_at : row->created_at;
          key.status = row->booking->status;
          key.row = row;
          g_array_append_val (self->bookings_by_start, key);
        }
      g_array_sort (self->bookings_by_start, compare_bookings_by_start);
    }

  return self->bookings_by_start;
}

/**
 * cs_sim_dataset_find_active_booking:
 * @self: a dataset
 * @event_type_id: an event type
 * @start: a start
 * @except_uid: (nullable): a booking not to count (the one being
 *   rescheduled)
 *
 * The simulator's simplification of Cal.com's availability: the salon has
 * enough chairs, so a slot is taken only by an active booking (accepted,
 * pending or awaiting its host) of the same event type at the same start.
 *
 * Returns: (transfer none) (nullable): the booking that holds the slot
 */
CsSimBooking *
cs_sim_dataset_find_active_booking (CsSimDataset *self,
                                    gint64        event_type_id,
                                    CsTime        start,
                                    const char   *except_uid)
{
  GArray *index;
  guint low = 0, high;

  g_return_val_if_fail (CS_IS_SIM_DATASET (self), NULL);

  index = cs_sim_dataset_get_bookings_by_start (self);
  high = index->len;
  while (low < high)
    {
      guint mid = low + (high - low) / 2;

      if (g_array_index (index, CsSimBookingKey, mid).start < start)
        low = mid + 1;
      else
        high = mid;
    }

  for (guint i = low; i < index->len; i++)
    {
      const CsSimBookingKey *key = &g_array_index (index, CsSimBookingKey, i);

      if (key->start != start)
        break;
      if (key->row->booking->event_type_id == event_type_id &&
          cs_booking_status_is_active (key->status) &&
          g_strcmp0 (key->row->booking->uid, except_uid) != 0)
        return key->row;
    }

  return NULL;
}

static int
compare_rows_by_start (gconstpointer a,
                       gconstpointer b)
{
  const CsSimBooking *x = *(const CsSimBooking * const *) a;
  const CsSimBooking *y = *(const CsSimBooking * const *) b;

  return (x->booking->start > y->booking->start) - (x->booking->start < y->booking->start);
}

/**
 * cs_sim_dataset_get_recurring_series:
 * @self: a dataset
 * @recurring_uid: the uid of a recurring series (`recurringBookingUid`)
 *
 * Returns: (transfer container) (element-type CsSimBooking) (nullable): the
 *   occurrences of the series by start, or %NULL if no booking belongs to it
 */
GPtrArray *
cs_sim_dataset_get_recurring_series (CsSimDataset *self,
                                     const char   *recurring_uid)
{
  g_autoptr(GPtrArray) series = NULL;

  g_return_val_if_fail (CS_IS_SIM_DATASET (self), NULL);
  g_return_val_if_fail (recurring_uid != NULL, NULL);

  series = g_ptr_array_new ();
  for (guint i = 0; i < self->bookings->len; i++)
    {
      CsSimBooking *row = g_ptr_array_index (self->bookings, i);

      if (g_strcmp0 (row->booking->recurring_booking_uid, recurring_uid) == 0)
        g_ptr_array_add (series, row);
    }

  if (series->len == 0)
    return NULL;

  g_ptr_array_sort (series, compare_rows_by_start);
  return g_steal_pointer (&series);
}

/**
 * cs_sim_dataset_lookup_booking:
 * @self: a dataset
 * @uid: a booking uid
 *
 * Returns: (transfer none) (nullable): the booking with that uid
 */
CsSimBooking *
cs_sim_dataset_lookup_booking (CsSimDataset *self,
                               const char   *uid)
{
  g_return_val_if_fail (CS_IS_SIM_DATASET (self), NULL);

  if (uid == NULL)
    return NULL;

  return g_hash_table_lookup (self->booking_by_uid, uid);
}

/**
 * cs_sim_dataset_put_booking:
 * @self: a dataset
 * @booking: the booking to store (copied)
 *
 * Adds the booking, or replaces the one with the same uid (keeping its
 * creation time). An id of 0 gets the next free id; an unset `updated_at`
 * takes the clock's time.
 *
 * Returns: (transfer none): the stored row
 */
CsSimBooking *
cs_sim_dataset_put_booking (CsSimDataset    *self,
                            const CsBooking *booking)
{
  CsSimBooking *row;
  CsBooking *copy;

  g_return_val_if_fail (CS_IS_SIM_DATASET (self), NULL);
  g_return_val_if_fail (booking != NULL && booking->uid != NULL, NULL);

  row = g_hash_table_lookup (self->booking_by_uid, booking->uid);
  copy = cs_booking_copy (booking);
  if (copy->updated_at == CS_TIME_UNSET)
    copy->updated_at = cs_clock_get_now (self->clock);
  if (copy->id == 0)
    copy->id = row != NULL ? row->booking->id : self->max_booking_id + 1;

  if (row != NULL)
    {
      CsBooking *old = row->booking;

      row->booking = copy;
      g_hash_table_replace (self->booking_by_uid, copy->uid, row);
      cs_booking_free (old);
      self->max_booking_id = MAX (self->max_booking_id, copy->id);
      g_clear_pointer (&self->bookings_by_start, g_array_unref);
      return row;
    }

  return index_booking (self, copy, cs_clock_get_now (self->clock));
}

/**
 * cs_sim_dataset_remove_booking:
 * @self: a dataset
 * @uid: a booking uid
 *
 * Removes the booking for good (Cal.com then answers 404 for it).
 *
 * Returns: %TRUE if it existed
 */
gboolean
cs_sim_dataset_remove_booking (CsSimDataset *self,
                               const char   *uid)
{
  CsSimBooking *row;

  g_return_val_if_fail (CS_IS_SIM_DATASET (self), FALSE);
  g_return_val_if_fail (uid != NULL, FALSE);

  row = g_hash_table_lookup (self->booking_by_uid, uid);
  if (row == NULL)
    return FALSE;

  g_hash_table_remove (self->booking_by_uid, uid);
  g_clear_pointer (&self->bookings_by_start, g_array_unref);
  g_ptr_array_remove (self->bookings, row);

  return TRUE;
}

/**
 * cs_sim_dataset_new_booking_uid:
 * @self: a dataset
 *
 * Returns: (transfer full): a uid no booking has, from a seeded generator
 */
char *
cs_sim_dataset_new_booking_uid (CsSimDataset *self)
{
  g_return_val_if_fail (CS_IS_SIM_DATASET (self), NULL);

  return unique_uid (self, self->uid_rand);
}

/**
 * cs_sim_dataset_touch_booking:
 * @self: a dataset
 * @row: one of its bookings, just changed
 *
 * Sets the booking's `updatedAt` to now and forgets the order by start.
 */
void
cs_sim_dataset_touch_booking (CsSimDataset *self,
                              CsSimBooking *row)
{
  g_return_if_fail (CS_IS_SIM_DATASET (self));
  g_return_if_fail (row != NULL);

  row->booking->updated_at = cs_clock_get_now (self->clock);
  g_clear_pointer (&self->bookings_by_start, g_array_unref);
}

/* Ground truth */

/**
 * cs_sim_dataset_count_category:
 * @self: a dataset
 * @category: a category
 *
 * Returns: how many rows of @category were generated (bookings for
 *   %CS_SIM_CATEGORY_ORPHANED_CALCOM, appointments for the others)
 */
guint
cs_sim_dataset_count_category (CsSimDataset  *self,
                               CsSimCategory  category)
{
  g_return_val_if_fail (CS_IS_SIM_DATASET (self), 0);
  g_return_val_if_fail (category <= CS_SIM_CATEGORY_LAST, 0);

  return self->counts[category];
}

/**
 * cs_sim_dataset_get_truth:
 * @self: a dataset
 * @appointment_id: a generated appointment of the company
 *
 * Returns: (transfer none) (nullable): what a correct verification finds
 *   for it, or %NULL for an unknown or foreign id
 */
const CsSimTruth *
cs_sim_dataset_get_truth (CsSimDataset *self,
                          gint64        appointment_id)
{
  g_return_val_if_fail (CS_IS_SIM_DATASET (self), NULL);

  return g_hash_table_lookup (self->truth_by_id, &appointment_id);
}

/**
 * cs_sim_dataset_get_booking_truth:
 * @self: a dataset
 * @uid: a booking uid
 *
 * Returns: (transfer none) (nullable): the truth of a booking no appointment
 *   claims (orphaned, or half of a suggested pair), or %NULL
 */
const CsSimTruth *
cs_sim_dataset_get_booking_truth (CsSimDataset *self,
                                  const char   *uid)
{
  g_return_val_if_fail (CS_IS_SIM_DATASET (self), NULL);
  g_return_val_if_fail (uid != NULL, NULL);

  return g_hash_table_lookup (self->truth_by_uid, uid);
}

/* Changes that keep the truth: the drift knobs of the server delete and add
 * rows while a listing is read, and the truth must follow, since a faithful
 * server's truth after a deletion is the new state. */

static void
forget_truth (CsSimDataset *self,
              CsSimTruth   *truth)
{
  if (truth->appointment_id != 0)
    g_hash_table_remove (self->truth_by_id, &truth->appointment_id);
  else
    g_hash_table_remove (self->truth_by_uid, truth->booking_uid);
  g_ptr_array_remove (self->truths, truth);
}

/**
 * cs_sim_dataset_vanish_booking:
 * @self: a dataset
 * @uid: a booking uid
 *
 * Deletes the booking for good, as cs_sim_dataset_remove_booking() does,
 * and updates the truth: the appointment that held it is now orphaned if
 * it is active (in agreement if it is cancelled), and the booking's own
 * entry (an orphaned booking, half of a suggested pair) is gone. The
 * category counts stay what the generator made.
 *
 * Returns: %TRUE if it existed
 */
gboolean
cs_sim_dataset_vanish_booking (CsSimDataset *self,
                               const char   *uid)
{
  CsSimTruth *own;

  g_return_val_if_fail (CS_IS_SIM_DATASET (self), FALSE);
  g_return_val_if_fail (uid != NULL, FALSE);

  if (cs_sim_dataset_lookup_booking (self, uid) == NULL)
    return FALSE;

  own = g_hash_table_lookup (self->truth_by_uid, uid);
  if (own != NULL)
    forget_truth (self, own);

  for (guint i = 0; i < self->truths->len; i++)
    {
      CsSimTruth *truth = g_ptr_array_index (self->truths, i);
      CsSimAppointment *row;

      if (truth->appointment_id == 0)
        continue;

      if (g_strcmp0 (truth->suggested_booking_uid, uid) == 0)
        g_clear_pointer (&truth->suggested_booking_uid, g_free);

      if (g_strcmp0 (truth->booking_uid, uid) != 0)
        continue;

      row = cs_sim_dataset_lookup_appointment (self, truth->appointment_id);
      if (row != NULL && row->appointment->status != CS_CRM_STATUS_CANCELLED)
        {
          truth->status = CS_SYNC_STATUS_ORPHANED_LOCAL;
          truth->error_code = CS_ERROR_CODE_ORPHANED_LOCAL;
        }
      else
        {
          truth->status = CS_SYNC_STATUS_SYNCED;
          truth->error_code = CS_ERROR_CODE_NONE;
        }
      truth->diff_fields = 0;
    }

  return cs_sim_dataset_remove_booking (self, uid);
}

/**
 * cs_sim_dataset_vanish_appointment:
 * @self: a dataset
 * @id: an appointment id
 *
 * Deletes the row softly, as cs_sim_dataset_remove_appointment() does, and
 * updates the truth: the appointment has none any more (it is out of every
 * listing), and an active booking it held, by uid or by the booking's
 * metadata, is now orphaned in Cal.com.
 *
 * Returns: %TRUE if a live row was deleted
 */
gboolean
cs_sim_dataset_vanish_appointment (CsSimDataset *self,
                                   gint64        id)
{
  CsSimAppointment *row;
  CsSimTruth *own;
  g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);

  g_return_val_if_fail (CS_IS_SIM_DATASET (self), FALSE);

  row = cs_sim_dataset_lookup_appointment (self, id);
  if (row == NULL || !cs_sim_dataset_remove_appointment (self, id))
    return FALSE;

  own = g_hash_table_lookup (self->truth_by_id, &id);
  if (own != NULL)
    forget_truth (self, own);

  for (guint i = 0; i < self->bookings->len; i++)
    {
      CsSimBooking *booking = g_ptr_array_index (self->bookings, i);
      const CsBooking *b = booking->booking;

      if (!cs_booking_status_is_active (b->status) ||
          g_hash_table_contains (self->truth_by_uid, b->uid))
        continue;

      if (g_strcmp0 (b->uid, row->appointment->calcom_booking_uid) == 0 ||
          g_strcmp0 (cs_booking_get_crm_appointment_id (b), id_text) == 0)
        add_truth (self, CS_SIM_CATEGORY_ORPHANED_CALCOM, CS_SYNC_STATUS_ORPHANED_CALCOM,
                   CS_ERROR_CODE_ORPHANED_CALCOM, 0, b->uid);
    }

  return TRUE;
}

/**
 * cs_sim_dataset_add_stray_booking:
 * @self: a dataset
 * @like: (transfer none): a booking whose slot, event type and creation
 *   time the new one takes
 *
 * Adds an active booking that no appointment claims (no metadata, no
 * attendee), created a microsecond before @like: in a listing sorted by
 * creation it lands just before @like. Its truth is an orphaned booking.
 *
 * Returns: (transfer none): the new booking's uid
 */
const char *
cs_sim_dataset_add_stray_booking (CsSimDataset       *self,
                                  const CsSimBooking *like)
{
  g_autofree char *uid = NULL;
  g_autoptr(CsBooking) booking = NULL;
  CsSimBooking *row;

  g_return_val_if_fail (CS_IS_SIM_DATASET (self), NULL);
  g_return_val_if_fail (like != NULL, NULL);

  uid = cs_sim_dataset_new_booking_uid (self);
  booking = cs_booking_new (uid);
  booking->start = like->booking->start;
  booking->end = like->booking->end;
  booking->event_type_id = like->booking->event_type_id;
  booking->status = CS_BOOKING_STATUS_ACCEPTED;
  booking->title = g_strdup ("Walk-in");

  row = cs_sim_dataset_put_booking (self, booking);
  row->created_at = like->created_at - 1;
  cs_sim_dataset_touch_booking (self, row);
  add_truth (self, CS_SIM_CATEGORY_ORPHANED_CALCOM, CS_SYNC_STATUS_ORPHANED_CALCOM,
             CS_ERROR_CODE_ORPHANED_CALCOM, 0, row->booking->uid);

  return row->booking->uid;
}

/**
 * cs_sim_dataset_add_stray_appointment:
 * @self: a dataset
 * @like: (transfer none): an appointment whose times the new one takes
 *
 * Adds an active appointment of the company without a booking, with an id
 * below every other (an import from an older system): in a listing ordered
 * by id it lands first. Its truth is an orphaned appointment.
 *
 * Returns: the new id, or 0 if no id is left below the others
 */
gint64
cs_sim_dataset_add_stray_appointment (CsSimDataset        *self,
                                      const CsAppointment *like)
{
  g_autoptr(CsAppointment) appointment = NULL;
  GPtrArray *rows;
  gint64 id;

  g_return_val_if_fail (CS_IS_SIM_DATASET (self), 0);
  g_return_val_if_fail (like != NULL, 0);

  rows = cs_sim_dataset_get_appointments (self);
  id = rows->len > 0 ? ((CsSimAppointment *) g_ptr_array_index (rows, 0))->appointment->id - 1
                     : self->config.first_id;
  if (id <= 0)
    return 0;

  appointment = cs_appointment_new ();
  appointment->id = id;
  appointment->company_id = self->config.company_id;
  appointment->number = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  appointment->starts_at = like->starts_at;
  appointment->ends_at = like->ends_at;
  appointment->status = CS_CRM_STATUS_SCHEDULED;
  appointment->title = g_strdup ("Walk-in");
  cs_sim_dataset_put_appointment (self, appointment);
  add_truth (self, CS_SIM_CATEGORY_ORPHANED_LOCAL, CS_SYNC_STATUS_ORPHANED_LOCAL,
             CS_ERROR_CODE_ORPHANED_LOCAL, id, NULL);

  return id;
}

/* The first @n synced pairs by appointment id, with their bookings. */
static void
first_synced_pairs (CsSimDataset  *self,
                    guint          n,
                    GPtrArray     *appointments,
                    GPtrArray     *bookings)
{
  GPtrArray *rows = cs_sim_dataset_get_appointments (self);

  for (guint i = 0; i < rows->len && appointments->len < n; i++)
    {
      CsSimAppointment *row = g_ptr_array_index (rows, i);
      const CsSimTruth *truth = g_hash_table_lookup (self->truth_by_id, &row->appointment->id);
      CsSimBooking *booking;

      if (truth == NULL || truth->category != CS_SIM_CATEGORY_SYNCED ||
          truth->booking_uid == NULL ||
          (booking = cs_sim_dataset_lookup_booking (self, truth->booking_uid)) == NULL)
        continue;

      g_ptr_array_add (appointments, row);
      g_ptr_array_add (bookings, booking);
    }
}

/**
 * cs_sim_dataset_ill_type_rows:
 * @self: a dataset
 * @service: whose rows to change
 * @n: how many
 *
 * Makes the first @n synced pairs (by appointment id) ill-typed on one side:
 * Cal.com writes the booking's `id` as a string, the CRM the appointment's
 * `company_id`. The client refuses such a row, whose key it can still read;
 * the pair is still there, so the truth stays.
 *
 * Returns: (transfer full) (element-type utf8): the uids (Cal.com) or ids
 *   in decimal (CRM) of the rows changed
 */
GPtrArray *
cs_sim_dataset_ill_type_rows (CsSimDataset *self,
                              CsSimService  service,
                              guint         n)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) appointments = g_ptr_array_new ();
  g_autoptr(GPtrArray) bookings = g_ptr_array_new ();

  g_return_val_if_fail (CS_IS_SIM_DATASET (self), keys);

  first_synced_pairs (self, n, appointments, bookings);
  for (guint i = 0; i < appointments->len; i++)
    {
      CsSimAppointment *appointment = g_ptr_array_index (appointments, i);
      CsSimBooking *booking = g_ptr_array_index (bookings, i);

      if (service == CS_SIM_SERVICE_CALCOM)
        {
          booking->ill_typed = TRUE;
          g_ptr_array_add (keys, g_strdup (booking->booking->uid));
        }
      else
        {
          appointment->ill_typed = TRUE;
          g_ptr_array_add (keys, g_strdup_printf ("%" G_GINT64_FORMAT,
                                                  appointment->appointment->id));
        }
    }

  return keys;
}

/**
 * cs_sim_dataset_set_customer_text:
 * @self: a dataset
 * @n: how many pairs
 * @text: the text (markup, right-to-left marks, emoji, SQL: whatever a
 *   test wants to see arrive intact)
 *
 * Writes @text into the customer fields of the first @n synced pairs (by
 * appointment id) on both sides: the appointment's title and customer name,
 * the booking's title and its attendee's name. The times, statuses and
 * links stay, so the truth stays.
 *
 * Returns: (transfer full) (element-type utf8): the uids of the bookings
 *   changed; their appointments are those that name them
 */
GPtrArray *
cs_sim_dataset_set_customer_text (CsSimDataset *self,
                                  guint         n,
                                  const char   *text)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) appointments = g_ptr_array_new ();
  g_autoptr(GPtrArray) bookings = g_ptr_array_new ();

  g_return_val_if_fail (CS_IS_SIM_DATASET (self), keys);
  g_return_val_if_fail (text != NULL, keys);

  first_synced_pairs (self, n, appointments, bookings);
  for (guint i = 0; i < appointments->len; i++)
    {
      CsAppointment *a = ((CsSimAppointment *) g_ptr_array_index (appointments, i))->appointment;
      CsBooking *b = ((CsSimBooking *) g_ptr_array_index (bookings, i))->booking;

      g_free (a->title);
      a->title = g_strdup (text);
      g_free (a->customer_name);
      a->customer_name = g_strdup (text);
      g_free (b->title);
      b->title = g_strdup (text);
      if (b->attendees->len > 0)
        {
          CsAttendee *attendee = g_ptr_array_index (b->attendees, 0);

          g_free (attendee->name);
          attendee->name = g_strdup (text);
        }
      g_ptr_array_add (keys, g_strdup (b->uid));
    }

  return keys;
}

/**
 * cs_sim_dataset_oversize_titles:
 * @self: a dataset
 * @service: whose rows to change
 * @n: how many
 *
 * Gives the first @n synced pairs (by appointment id) a title over 64 KiB
 * on one side: the booking's in Cal.com, the appointment's in the CRM. The
 * client refuses such a row; the pair is still there, so the truth stays.
 *
 * Returns: (transfer full) (element-type utf8): the uids (Cal.com) or ids
 *   in decimal (CRM) of the rows changed
 */
GPtrArray *
cs_sim_dataset_oversize_titles (CsSimDataset *self,
                                CsSimService  service,
                                guint         n)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *rows;
  g_autofree char *title = NULL;

  g_return_val_if_fail (CS_IS_SIM_DATASET (self), keys);

  /* One byte over the client's limit for a string (CS_JSON_MAX_STRING_LENGTH). */
  title = g_malloc (64 * 1024 + 2);
  memset (title, 'x', 64 * 1024 + 1);
  title[64 * 1024 + 1] = '\0';

  rows = cs_sim_dataset_get_appointments (self);
  for (guint i = 0; i < rows->len && keys->len < n; i++)
    {
      CsAppointment *a = ((CsSimAppointment *) g_ptr_array_index (rows, i))->appointment;
      const CsSimTruth *truth = g_hash_table_lookup (self->truth_by_id, &a->id);
      CsSimBooking *booking;

      if (truth == NULL || truth->category != CS_SIM_CATEGORY_SYNCED ||
          truth->booking_uid == NULL ||
          (booking = cs_sim_dataset_lookup_booking (self, truth->booking_uid)) == NULL)
        continue;

      if (service == CS_SIM_SERVICE_CALCOM)
        {
          g_free (booking->booking->title);
          booking->booking->title = g_strdup (title);
          g_ptr_array_add (keys, g_strdup (booking->booking->uid));
        }
      else
        {
          g_free (a->title);
          a->title = g_strdup (title);
          g_ptr_array_add (keys, g_strdup_printf ("%" G_GINT64_FORMAT, a->id));
        }
    }

  return keys;
}

/**
 * cs_sim_dataset_get_foreign_ids:
 * @self: a dataset
 *
 * Returns: (transfer none) (element-type gint64): the ids of the rows of
 *   another company, which the client must reject
 */
GArray *
cs_sim_dataset_get_foreign_ids (CsSimDataset *self)
{
  g_return_val_if_fail (CS_IS_SIM_DATASET (self), NULL);

  return self->foreign_ids;
}

static void
set_time_member (JsonObject *object,
                 const char *name,
                 CsTime      time)
{
  g_autofree char *text = cs_time_format_iso8601 (time);

  if (text != NULL)
    json_object_set_string_member (object, name, text);
  else
    json_object_set_null_member (object, name);
}

static void
set_nullable_string (JsonObject *object,
                     const char *name,
                     const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, name, value);
  else
    json_object_set_null_member (object, name);
}

static JsonObject *
truth_to_object (const CsSimTruth *truth)
{
  JsonObject *object = json_object_new ();

  if (truth->appointment_id != 0)
    json_object_set_int_member (object, "id", truth->appointment_id);
  else
    json_object_set_string_member (object, "uid", truth->booking_uid);
  json_object_set_string_member (object, "category",
                                 cs_sim_category_to_string (truth->category));
  json_object_set_string_member (object, "calcom_sync_status",
                                 cs_sync_status_to_string (truth->status));
  set_nullable_string (object, "sync_error_code",
                       truth->error_code == CS_ERROR_CODE_NONE
                       ? NULL : cs_error_code_to_string (truth->error_code));

  if (truth->appointment_id != 0)
    {
      JsonArray *diffs = json_array_new ();

      set_nullable_string (object, "booking_uid", truth->booking_uid);
      set_nullable_string (object, "suggested_booking_uid", truth->suggested_booking_uid);
      for (guint f = 0; f <= CS_DIFF_FIELD_LAST; f++)
        {
          if (truth->diff_fields & (1u << f))
            json_array_add_string_element (diffs, cs_diff_field_to_string ((CsDiffField) f));
        }
      json_object_set_array_member (object, "diff_fields", diffs);
    }
  else if (truth->suggested_appointment_id != 0)
    json_object_set_int_member (object, "suggested_appointment_id",
                                truth->suggested_appointment_id);
  else
    json_object_set_null_member (object, "suggested_appointment_id");

  return object;
}

/**
 * cs_sim_dataset_truth_to_json:
 * @self: a dataset
 *
 * The ground truth: the configuration, the count per category and per
 * expected status, one entry per appointment of the company (by id) with
 * its expected `calcom_sync_status` and `sync_error_code`, one per booking
 * no appointment claims (by uid), and the ids of the foreign rows.
 *
 * Returns: (transfer full): a JSON object
 */
JsonNode *
cs_sim_dataset_truth_to_json (CsSimDataset *self)
{
  JsonObject *root;
  JsonObject *window, *counts, *expected;
  JsonArray *appointments, *bookings, *foreign;
  guint per_status[CS_SYNC_STATUS_LAST + 1] = { 0, };
  JsonNode *node;

  g_return_val_if_fail (CS_IS_SIM_DATASET (self), NULL);

  root = json_object_new ();
  json_object_set_int_member (root, "seed", self->config.seed);
  json_object_set_int_member (root, "n_appointments", self->config.n_appointments);
  json_object_set_int_member (root, "company_id", self->config.company_id);
  json_object_set_int_member (root, "foreign_company_id", self->config.foreign_company_id);
  set_time_member (root, "generated_at", self->generated_at);

  window = json_object_new ();
  set_time_member (window, "from",
                   self->generated_at - (gint64) self->config.past_days * CS_USEC_PER_DAY);
  set_time_member (window, "until",
                   self->generated_at + (gint64) self->config.future_days * CS_USEC_PER_DAY);
  json_object_set_object_member (root, "window", window);

  counts = json_object_new ();
  for (guint c = 0; c < CS_SIM_N_CATEGORIES; c++)
    json_object_set_int_member (counts, cs_sim_category_to_string ((CsSimCategory) c),
                                self->counts[c]);
  json_object_set_object_member (root, "counts", counts);

  appointments = json_array_new ();
  bookings = json_array_new ();
  for (guint i = 0; i < self->truths->len; i++)
    {
      const CsSimTruth *truth = g_ptr_array_index (self->truths, i);

      per_status[truth->status]++;
      if (truth->appointment_id != 0)
        json_array_add_object_element (appointments, truth_to_object (truth));
      else
        json_array_add_object_element (bookings, truth_to_object (truth));
    }

  expected = json_object_new ();
  for (guint s = 0; s <= CS_SYNC_STATUS_LAST; s++)
    {
      if (per_status[s] > 0)
        json_object_set_int_member (expected, cs_sync_status_to_string ((CsSyncStatus) s),
                                    per_status[s]);
    }
  json_object_set_object_member (root, "expected_counts", expected);
  json_object_set_array_member (root, "appointments", appointments);
  json_object_set_array_member (root, "bookings", bookings);

  foreign = json_array_new ();
  for (guint i = 0; i < self->foreign_ids->len; i++)
    json_array_add_int_element (foreign, g_array_index (self->foreign_ids, gint64, i));
  json_object_set_array_member (root, "foreign_appointment_ids", foreign);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, root);

  return node;
}

/**
 * cs_sim_dataset_write_truth:
 * @self: a dataset
 * @path: the file to write
 * @error: return location for an I/O error
 *
 * Writes cs_sim_dataset_truth_to_json() to @path.
 *
 * Returns: %TRUE on success
 */
gboolean
cs_sim_dataset_write_truth (CsSimDataset  *self,
                            const char    *path,
                            GError       **error)
{
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (CS_IS_SIM_DATASET (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  root = cs_sim_dataset_truth_to_json (self);
  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);

  return json_generator_to_file (generator, path, error);
}
