/* cs-sim-dataset.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "cs-appointment.h"
#include "cs-booking.h"
#include "cs-clock.h"
#include "cs-enums.h"
#include "cs-sim-config.h"

G_BEGIN_DECLS

/**
 * CsSimAppointment:
 * @appointment: the row (owned)
 * @fixed_offset: %TRUE if the CRM writes this row's times with
 *   @utc_offset_minutes, %FALSE for Berlin's offset of each instant
 * @utc_offset_minutes: the offset used when @fixed_offset is set
 * @ill_typed: the CRM writes this row's `company_id` as a string (see
 *   cs_sim_dataset_ill_type_rows())
 *
 * An appointment row of the simulated CRM database.
 */
typedef struct
{
  CsAppointment *appointment;
  gboolean       fixed_offset;
  int            utc_offset_minutes;
  gboolean       ill_typed;
} CsSimAppointment;

/**
 * CsSimBooking:
 * @booking: the booking (owned)
 * @created_at: when it was created in Cal.com
 * @cancellation_reason: (nullable): the reason given when it was cancelled
 * @time_zone: the attendee's time zone
 * @ill_typed: Cal.com writes this booking's `id` as a string (see
 *   cs_sim_dataset_ill_type_rows())
 *
 * A booking of the simulated Cal.com, with the fields #CsBooking lacks.
 */
typedef struct
{
  CsBooking *booking;
  CsTime     created_at;
  char      *cancellation_reason;
  char      *time_zone;
  gboolean   ill_typed;
} CsSimBooking;

/**
 * CsSimBookingKey:
 * @start: the booking's start
 * @end: its end
 * @created_at: its creation time
 * @updated_at: its last change (its creation time if never changed)
 * @status: its status
 * @row: the booking
 *
 * One entry of the index by start: the fields the list filters on, inline,
 * so a scan over 100,000 bookings reads one compact array.
 */
typedef struct
{
  CsTime           start;
  CsTime           end;
  CsTime           created_at;
  CsTime           updated_at;
  CsBookingStatus  status;
  CsSimBooking    *row;
} CsSimBookingKey;

/**
 * CsSimTruth:
 * @category: what the generator made
 * @status: the `calcom_sync_status` a correct verification reaches
 * @error_code: the `sync_error_code` it reaches
 * @appointment_id: the appointment, or 0 for a booking's entry
 * @booking_uid: (nullable): the booking of the pair, the dangling uid of an
 *   orphaned appointment, or the uid of a booking's entry
 * @suggested_booking_uid: (nullable): for a suggested pair's appointment
 * @suggested_appointment_id: for a suggested pair's booking, or 0
 * @diff_fields: for a mismatch, a bit (1 << #CsDiffField) per field
 *
 * The ground truth of one generated appointment or orphaned booking.
 */
typedef struct
{
  CsSimCategory  category;
  CsSyncStatus   status;
  CsErrorCode    error_code;
  gint64         appointment_id;
  char          *booking_uid;
  char          *suggested_booking_uid;
  gint64         suggested_appointment_id;
  guint          diff_fields;
} CsSimTruth;

#define CS_SIM_MAX_LENGTH_OPTIONS 4

/**
 * CsSimEventType:
 * @id: the Cal.com event type id
 * @slug: its slug
 * @title: the service, as the CRM writes it in an appointment's title
 * @minutes: its default length
 * @length_options: the lengths a booker may pick (Cal.com's
 *   `multipleDuration`, `lengthInMinutesOptions` in the 2024-06-14 output),
 *   0-terminated; empty for an event type with one length
 * @email_optional: whether the attendee e-mail booking field is optional
 *   (a booking by phone then gets Cal.com's made-up address)
 *
 * One of the simulated salon's Cal.com event types.
 */
typedef struct
{
  gint64      id;
  const char *slug;
  const char *title;
  guint       minutes;
  guint       length_options[CS_SIM_MAX_LENGTH_OPTIONS + 1];
  gboolean    email_optional;
} CsSimEventType;

/* The salon's opening hours (Berlin wall time, every day of the week):
 * Cal.com refuses a booking whose slot does not lie inside them. */
#define CS_SIM_OPENING_HOUR 7
#define CS_SIM_CLOSING_HOUR 21

#define CS_TYPE_SIM_DATASET (cs_sim_dataset_get_type ())

G_DECLARE_FINAL_TYPE (CsSimDataset, cs_sim_dataset, CS, SIM_DATASET, GObject)

CsSimDataset             *cs_sim_dataset_new              (CsClock                   *clock,
                                                           const CsSimDatasetConfig  *config,
                                                           GError                   **error);
const CsSimDatasetConfig *cs_sim_dataset_get_config       (CsSimDataset              *self);
CsClock                  *cs_sim_dataset_get_clock        (CsSimDataset              *self);
CsTime                    cs_sim_dataset_get_generated_at (CsSimDataset              *self);
gint64                    cs_sim_dataset_get_company_id   (CsSimDataset              *self);

GPtrArray        *cs_sim_dataset_get_appointments    (CsSimDataset           *self);
CsSimAppointment *cs_sim_dataset_lookup_appointment  (CsSimDataset           *self,
                                                      gint64                  id);
CsSimAppointment *cs_sim_dataset_put_appointment     (CsSimDataset           *self,
                                                      const CsAppointment    *appointment);
gboolean          cs_sim_dataset_remove_appointment  (CsSimDataset           *self,
                                                      gint64                  id);
gint64            cs_sim_dataset_next_appointment_id (CsSimDataset           *self);
void              cs_sim_dataset_touch_appointment   (CsSimDataset           *self,
                                                      CsSimAppointment       *row);
char             *cs_sim_dataset_format_crm_time     (CsSimDataset           *self,
                                                      const CsSimAppointment *row,
                                                      CsTime                  time);

GPtrArray    *cs_sim_dataset_get_bookings          (CsSimDataset    *self);
CsSimBooking *cs_sim_dataset_find_active_booking   (CsSimDataset    *self,
                                                    gint64           event_type_id,
                                                    CsTime           start,
                                                    const char      *except_uid);
GPtrArray    *cs_sim_dataset_get_recurring_series  (CsSimDataset    *self,
                                                    const char      *recurring_uid);
GArray       *cs_sim_dataset_get_bookings_by_start (CsSimDataset    *self);
CsSimBooking *cs_sim_dataset_lookup_booking        (CsSimDataset    *self,
                                                    const char      *uid);
CsSimBooking *cs_sim_dataset_put_booking           (CsSimDataset    *self,
                                                    const CsBooking *booking);
gboolean      cs_sim_dataset_remove_booking        (CsSimDataset    *self,
                                                    const char      *uid);
char         *cs_sim_dataset_new_booking_uid       (CsSimDataset    *self);
void          cs_sim_dataset_touch_booking         (CsSimDataset    *self,
                                                    CsSimBooking    *row);

guint             cs_sim_dataset_count_category    (CsSimDataset   *self,
                                                    CsSimCategory   category);
const CsSimTruth *cs_sim_dataset_get_truth         (CsSimDataset   *self,
                                                    gint64          appointment_id);
const CsSimTruth *cs_sim_dataset_get_booking_truth (CsSimDataset   *self,
                                                    const char     *uid);
GArray           *cs_sim_dataset_get_foreign_ids   (CsSimDataset   *self);
JsonNode         *cs_sim_dataset_truth_to_json     (CsSimDataset   *self);
gboolean          cs_sim_dataset_write_truth       (CsSimDataset   *self,
                                                    const char     *path,
                                                    GError        **error);

gboolean    cs_sim_dataset_vanish_booking        (CsSimDataset        *self,
                                                  const char          *uid);
gboolean    cs_sim_dataset_vanish_appointment    (CsSimDataset        *self,
                                                  gint64               id);
const char *cs_sim_dataset_add_stray_booking     (CsSimDataset        *self,
                                                  const CsSimBooking  *like);
gint64      cs_sim_dataset_add_stray_appointment (CsSimDataset        *self,
                                                  const CsAppointment *like);
GPtrArray  *cs_sim_dataset_oversize_titles       (CsSimDataset        *self,
                                                  CsSimService         service,
                                                  guint                n);
GPtrArray  *cs_sim_dataset_ill_type_rows         (CsSimDataset        *self,
                                                  CsSimService         service,
                                                  guint                n);
GPtrArray  *cs_sim_dataset_set_customer_text     (CsSimDataset        *self,
                                                  guint                n,
                                                  const char          *text);

int                   cs_sim_berlin_offset_minutes    (CsTime                time);
const CsSimEventType *cs_sim_lookup_event_type        (gint64                id);
const CsSimEventType *cs_sim_get_event_types          (guint                *n_types);
gboolean              cs_sim_event_type_allows_length (const CsSimEventType *type,
                                                       gint64                minutes);
gboolean              cs_sim_within_opening_hours     (CsTime                start,
                                                       CsTime                end);

G_END_DECLS
