/* fuzz-store-json.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-json-util.h"
#include "cs-store-json-private.h"
#include "fuzz-common.h"

/*
 * The cache's own JSON, as the store reads it back from a file that may be
 * damaged or written by another version. The first byte of the input picks
 * the column (`a` a booking's attendees, `m` its metadata, `d` an
 * appointment's sync diff), the rest is the column's text. What the reader accepts must be valid UTF-8, must be written again
 * as valid JSON, and must read back the same; writing it again must give
 * the same text.
 */

static void
free_attendee (gpointer attendee)
{
  cs_attendee_free (attendee);
}

static void
fuzz_attendees (const char *json)
{
  g_autoptr(GPtrArray) attendees = g_ptr_array_new_with_free_func (free_attendee);
  g_autoptr(GPtrArray) again = g_ptr_array_new_with_free_func (free_attendee);
  g_autofree char *written = NULL;
  g_autofree char *rewritten = NULL;

  if (!_cs_store_json_decode_attendees (json, attendees))
    return;

  for (guint i = 0; i < attendees->len; i++)
    {
      const CsAttendee *attendee = g_ptr_array_index (attendees, i);

      cs_fuzz_check_text (attendee->name);
      cs_fuzz_check_text (attendee->email);
      cs_fuzz_check_text (attendee->phone);
    }

  written = _cs_store_json_encode_attendees (attendees);
  g_assert (cs_json_check_syntax (written, strlen (written), NULL));
  g_assert (_cs_store_json_decode_attendees (written, again));
  g_assert_cmpuint (again->len, ==, attendees->len);

  rewritten = _cs_store_json_encode_attendees (again);
  g_assert_cmpstr (rewritten, ==, written);
}

static void
fuzz_metadata (const char *json)
{
  g_autoptr(GHashTable) metadata = NULL;
  g_autoptr(GHashTable) again = NULL;
  g_autofree char *written = NULL;
  g_autofree char *rewritten = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (!_cs_store_json_decode_metadata (json, &metadata))
    return;

  g_hash_table_iter_init (&iter, metadata);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      cs_fuzz_check_text (key);
      cs_fuzz_check_text (value);
    }

  written = _cs_store_json_encode_metadata (metadata);
  g_assert (written != NULL);
  g_assert (cs_json_check_syntax (written, strlen (written), NULL));
  g_assert (_cs_store_json_decode_metadata (written, &again));
  g_assert_cmpuint (g_hash_table_size (again), ==, g_hash_table_size (metadata));

  rewritten = _cs_store_json_encode_metadata (again);
  g_assert_cmpstr (rewritten, ==, written);
}

static void
fuzz_diff (const char *json)
{
  g_autoptr(GPtrArray) diffs = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autofree char *written = NULL;
  g_autofree char *rewritten = NULL;

  diffs = cs_sync_diff_from_json (json);
  if (diffs == NULL)
    return;

  for (guint i = 0; i < diffs->len; i++)
    {
      const CsFieldDiff *diff = g_ptr_array_index (diffs, i);

      g_assert (cs_diff_field_to_string (diff->field) != NULL);
      cs_fuzz_check_text (diff->local_value);
      cs_fuzz_check_text (diff->calcom_value);
    }

  written = cs_sync_diff_to_json (diffs);
  g_assert (cs_json_check_syntax (written, strlen (written), NULL));
  again = cs_sync_diff_from_json (written);
  g_assert (again != NULL);
  g_assert_cmpuint (again->len, ==, diffs->len);

  for (guint i = 0; i < diffs->len; i++)
    {
      const CsFieldDiff *a = g_ptr_array_index (diffs, i);
      const CsFieldDiff *b = g_ptr_array_index (again, i);

      g_assert (a->field == b->field);
      g_assert (g_strcmp0 (a->local_value, b->local_value) == 0);
      g_assert (g_strcmp0 (a->calcom_value, b->calcom_value) == 0);
    }

  rewritten = cs_sync_diff_to_json (again);
  g_assert_cmpstr (rewritten, ==, written);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *json = NULL;

  cs_fuzz_init ();

  if (size < 1)
    return 0;

  /* SQLite hands the store a C string. */
  json = cs_fuzz_dup_text (data + 1, size - 1);

  switch (data[0])
    {
    case 'a':
      fuzz_attendees (json);
      break;

    case 'm':
      fuzz_metadata (json);
      break;

    case 'd':
      fuzz_diff (json);
      break;

    default:
      break;
    }

  return 0;
}
