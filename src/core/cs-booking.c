/* cs-booking.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-booking.h"

G_DEFINE_BOXED_TYPE (CsBooking, cs_booking, cs_booking_copy, cs_booking_free)

/**
 * cs_attendee_new:
 * @name: (nullable): the attendee's name
 * @email: (nullable): the attendee's e-mail address
 * @phone: (nullable): the attendee's phone number
 *
 * Returns: (transfer full): a new attendee
 */
CsAttendee *
cs_attendee_new (const char *name,
                 const char *email,
                 const char *phone)
{
  CsAttendee *attendee = g_new0 (CsAttendee, 1);

  attendee->name = g_strdup (name);
  attendee->email = g_strdup (email);
  attendee->phone = g_strdup (phone);

  return attendee;
}

/**
 * cs_attendee_free:
 * @attendee: (nullable): an attendee
 */
void
cs_attendee_free (CsAttendee *attendee)
{
  if (attendee == NULL)
    return;

  g_free (attendee->name);
  g_free (attendee->email);
  g_free (attendee->phone);
  g_free (attendee);
}

/**
 * cs_booking_new:
 * @uid: the booking uid
 *
 * Returns: (transfer full): a new, accepted booking without attendees
 */
CsBooking *
cs_booking_new (const char *uid)
{
  CsBooking *self = g_new0 (CsBooking, 1);

  self->uid = g_strdup (uid);
  self->status = CS_BOOKING_STATUS_ACCEPTED;
  cs_sync_tracking_init (&self->sync);
  self->attendees = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_attendee_free);

  return self;
}

/**
 * cs_booking_copy:
 * @self: a booking
 *
 * Returns: (transfer full): a deep copy of @self
 */
CsBooking *
cs_booking_copy (const CsBooking *self)
{
  CsBooking *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = cs_booking_new (self->uid);
  copy->id = self->id;
  copy->start = self->start;
  copy->end = self->end;
  copy->status = self->status;
  copy->title = g_strdup (self->title);
  copy->event_type_id = self->event_type_id;
  copy->updated_at = self->updated_at;
  copy->rescheduled_to_uid = g_strdup (self->rescheduled_to_uid);
  copy->rescheduled_from_uid = g_strdup (self->rescheduled_from_uid);
  copy->recurring_booking_uid = g_strdup (self->recurring_booking_uid);
  copy->seated = self->seated;
  cs_sync_tracking_copy_into (&self->sync, &copy->sync);
  copy->next_attempt_at = self->next_attempt_at;
  copy->resolved_at = self->resolved_at;
  copy->resolved_by = self->resolved_by;
  copy->resolution = g_strdup (self->resolution);
  copy->resolution_note = g_strdup (self->resolution_note);
  copy->snoozed_until = self->snoozed_until;

  for (guint i = 0; i < self->attendees->len; i++)
    {
      const CsAttendee *a = g_ptr_array_index (self->attendees, i);

      cs_booking_add_attendee (copy, a->name, a->email, a->phone);
    }

  if (self->metadata != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, self->metadata);
      while (g_hash_table_iter_next (&iter, &key, &value))
        cs_booking_set_metadata (copy, key, value);
    }

  return copy;
}

/**
 * cs_booking_free:
 * @self: (nullable): a booking
 */
void
cs_booking_free (CsBooking *self)
{
  if (self == NULL)
    return;

  g_free (self->uid);
  g_free (self->title);
  g_free (self->rescheduled_to_uid);
  g_free (self->rescheduled_from_uid);
  g_free (self->recurring_booking_uid);
  g_free (self->resolution);
  g_free (self->resolution_note);
  cs_sync_tracking_clear (&self->sync);
  g_clear_pointer (&self->attendees, g_ptr_array_unref);
  g_clear_pointer (&self->metadata, g_hash_table_unref);
  g_free (self);
}

/**
 * cs_booking_add_attendee:
 * @self: a booking
 * @name: (nullable): the attendee's name
 * @email: (nullable): the attendee's e-mail address
 * @phone: (nullable): the attendee's phone number
 */
void
cs_booking_add_attendee (CsBooking  *self,
                         const char *name,
                         const char *email,
                         const char *phone)
{
  g_return_if_fail (self != NULL);

  g_ptr_array_add (self->attendees, cs_attendee_new (name, email, phone));
}

/**
 * cs_booking_set_metadata:
 * @self: a booking
 * @key: a metadata key
 * @value: (nullable): its value as a string, or %NULL to remove it
 */
void
cs_booking_set_metadata (CsBooking  *self,
                         const char *key,
                         const char *value)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (key != NULL);

  if (value == NULL)
    {
      if (self->metadata != NULL)
        g_hash_table_remove (self->metadata, key);
      return;
    }

  /* Most bookings carry two keys at most: create the table on demand. */
  if (self->metadata == NULL)
    self->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_hash_table_replace (self->metadata, g_strdup (key), g_strdup (value));
}

/**
 * cs_booking_get_metadata:
 * @self: a booking
 * @key: a metadata key
 *
 * Returns: (nullable): the value of @key, or %NULL
 */
const char *
cs_booking_get_metadata (const CsBooking *self,
                         const char      *key)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (self->metadata == NULL)
    return NULL;

  return g_hash_table_lookup (self->metadata, key);
}

/**
 * cs_booking_get_crm_appointment_id:
 * @self: a booking
 *
 * Returns: (nullable): the `crm_appointment_id` in the booking's metadata
 */
const char *
cs_booking_get_crm_appointment_id (const CsBooking *self)
{
  return cs_booking_get_metadata (self, CS_METADATA_CRM_APPOINTMENT_ID);
}

/**
 * cs_booking_is_valid:
 * @self: a booking
 * @reason: (out) (optional) (transfer none): why it is not, without
 *   customer data
 *
 * Returns: %TRUE if @self has a uid, a start, an end not before it, and a
 *   known status
 */
gboolean
cs_booking_is_valid (const CsBooking  *self,
                     const char      **reason)
{
  const char *why = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->uid == NULL || self->uid[0] == '\0')
    why = "uid is missing";
  else if (self->start == CS_TIME_UNSET)
    why = "start is missing";
  else if (self->end == CS_TIME_UNSET)
    why = "end is missing";
  else if (self->end < self->start)
    why = "end is before start";
  else if ((guint) self->status > CS_BOOKING_STATUS_LAST)
    why = "status is unknown";

  if (reason != NULL)
    *reason = why;

  return why == NULL;
}
