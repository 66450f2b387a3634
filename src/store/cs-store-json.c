/* cs-store-json.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cs-store-json-private.h"

/* JSON for booking attendees and metadata. The store does not depend on
 * json-glib: it writes the two shapes it needs and reads them back exactly.
 * Text is UTF-8 already; only quotes, backslashes and control characters
 * need escaping. The reader refuses what the writer cannot have written:
 * text that is not UTF-8, NUL and lone surrogates. */

static void
json_append_string (GString    *out,
                    const char *str)
{
  if (str == NULL)
    {
      g_string_append (out, "null");
      return;
    }

  g_string_append_c (out, '"');

  for (const guchar *p = (const guchar *) str; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;

        case '\\':
          g_string_append (out, "\\\\");
          break;

        case '\n':
          g_string_append (out, "\\n");
          break;

        case '\r':
          g_string_append (out, "\\r");
          break;

        case '\t':
          g_string_append (out, "\\t");
          break;

        default:
          if (*p < 0x20)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p);
          break;
        }
    }

  g_string_append_c (out, '"');
}

/**
 * _cs_store_json_encode_attendees:
 * @attendees: (nullable) (element-type CsAttendee): the attendees
 *
 * Returns: (transfer full): `[{"name": …, "email": …, "phone": …}, …]`
 */
char *
_cs_store_json_encode_attendees (GPtrArray *attendees)
{
  g_autoptr(GString) out = g_string_new ("[");

  for (guint i = 0; attendees != NULL && i < attendees->len; i++)
    {
      const CsAttendee *attendee = g_ptr_array_index (attendees, i);

      if (i > 0)
        g_string_append_c (out, ',');

      g_string_append (out, "{\"name\":");
      json_append_string (out, attendee->name);
      g_string_append (out, ",\"email\":");
      json_append_string (out, attendee->email);
      g_string_append (out, ",\"phone\":");
      json_append_string (out, attendee->phone);
      g_string_append_c (out, '}');
    }

  g_string_append_c (out, ']');

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static int
compare_strings (const void *a,
                 const void *b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/**
 * _cs_store_json_encode_metadata:
 * @metadata: (nullable): string keys and values
 *
 * Returns: (transfer full) (nullable): an object of strings with sorted
 *   keys, or %NULL for %NULL
 */
char *
_cs_store_json_encode_metadata (GHashTable *metadata)
{
  g_autoptr(GString) out = NULL;
  g_autofree const char **keys = NULL;
  guint n_keys = 0;

  if (metadata == NULL)
    return NULL;

  /* Sorted keys: the same metadata always gives the same text. */
  keys = (const char **) g_hash_table_get_keys_as_array (metadata, &n_keys);
  qsort (keys, n_keys, sizeof (char *), compare_strings);
  out = g_string_new ("{");

  for (guint i = 0; i < n_keys; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');

      json_append_string (out, keys[i]);
      g_string_append_c (out, ':');
      json_append_string (out, g_hash_table_lookup (metadata, keys[i]));
    }

  g_string_append_c (out, '}');

  return g_string_free (g_steal_pointer (&out), FALSE);
}

typedef struct
{
  const char *p;
} JsonReader;

static void
take_string (char **dest,
             char **src)
{
  g_free (*dest);
  *dest = g_steal_pointer (src);
}

static void
json_skip_space (JsonReader *reader)
{
  while (*reader->p == ' ' || *reader->p == '\t' || *reader->p == '\n' || *reader->p == '\r')
    reader->p++;
}

static gboolean
json_accept (JsonReader *reader,
             char        c)
{
  json_skip_space (reader);

  if (*reader->p != c)
    return FALSE;

  reader->p++;
  return TRUE;
}

static gboolean
json_read_hex4 (JsonReader *reader,
                gunichar   *out)
{
  gunichar value = 0;

  /* Stops at the terminating NUL, which is no hex digit. */
  for (guint i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (reader->p[i]);

      if (digit < 0)
        return FALSE;

      value = value * 16 + (gunichar) digit;
    }

  reader->p += 4;
  *out = value;
  return TRUE;
}

/* Reads a string, or `null` when @allow_null is set (giving %NULL). */
static gboolean
json_read_string (JsonReader  *reader,
                  gboolean     allow_null,
                  char       **out)
{
  g_autoptr(GString) str = NULL;

  json_skip_space (reader);

  if (allow_null && g_str_has_prefix (reader->p, "null"))
    {
      reader->p += 4;
      *out = NULL;
      return TRUE;
    }

  if (*reader->p != '"')
    return FALSE;

  reader->p++;
  str = g_string_new (NULL);

  for (;;)
    {
      guchar c = (guchar) *reader->p;
      gunichar ch;
      gunichar low;

      if (c < 0x20)
        return FALSE;

      reader->p++;

      if (c == '"')
        break;

      if (c != '\\')
        {
          g_string_append_c (str, (char) c);
          continue;
        }

      c = (guchar) *reader->p;
      if (c == '\0')
        return FALSE;
      reader->p++;

      switch (c)
        {
        case '"':
        case '\\':
        case '/':
          g_string_append_c (str, (char) c);
          break;

        case 'b':
          g_string_append_c (str, '\b');
          break;

        case 'f':
          g_string_append_c (str, '\f');
          break;

        case 'n':
          g_string_append_c (str, '\n');
          break;

        case 'r':
          g_string_append_c (str, '\r');
          break;

        case 't':
          g_string_append_c (str, '\t');
          break;

        case 'u':
          if (!json_read_hex4 (reader, &ch))
            return FALSE;

          if (ch >= 0xd800 && ch <= 0xdbff)
            {
              if (reader->p[0] != '\\' || reader->p[1] != 'u')
                return FALSE;
              reader->p += 2;
              if (!json_read_hex4 (reader, &low) || low < 0xdc00 || low > 0xdfff)
                return FALSE;
              ch = 0x10000 + ((ch - 0xd800) << 10) + (low - 0xdc00);
            }
          else if (ch == 0 || (ch >= 0xdc00 && ch <= 0xdfff))
            {
              /* A C string cannot hold NUL; a lone low surrogate is no
               * character. */
              return FALSE;
            }

          g_string_append_unichar (str, ch);
          break;

        default:
          return FALSE;
        }
    }

  /* The writer copies text as it is; a damaged file must not hand bytes
   * that are not UTF-8 on to the window, the outbox or the CRM. */
  if (!g_utf8_validate_len (str->str, str->len, NULL))
    return FALSE;

  *out = g_string_free (g_steal_pointer (&str), FALSE);
  return TRUE;
}

static gboolean
json_at_end (JsonReader *reader)
{
  json_skip_space (reader);
  return *reader->p == '\0';
}

/* Reads a flat object of string (or null) members: the value of each key
 * named in @keys lands in the slot of @values at the same index; other keys
 * are skipped. On failure the slots keep what was read so far (the caller
 * frees them). */
static gboolean
json_read_string_object (JsonReader         *reader,
                         const char * const *keys,
                         char              **values)
{
  if (!json_accept (reader, '{'))
    return FALSE;

  if (json_accept (reader, '}'))
    return TRUE;

  do
    {
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;

      if (!json_read_string (reader, FALSE, &key) ||
          !json_accept (reader, ':') ||
          !json_read_string (reader, TRUE, &value))
        return FALSE;

      for (guint i = 0; keys[i] != NULL; i++)
        if (g_str_equal (key, keys[i]))
          {
            take_string (&values[i], &value);
            break;
          }
    }
  while (json_accept (reader, ','));

  return json_accept (reader, '}');
}

/* Reads `{"name": …, "email": …, "phone": …}`; other keys are skipped. */
static CsAttendee *
json_read_attendee (JsonReader *reader)
{
  static const char * const keys[] = { "name", "email", "phone", NULL };
  char *values[G_N_ELEMENTS (keys)] = { NULL };
  CsAttendee *attendee = NULL;

  if (json_read_string_object (reader, keys, values))
    attendee = cs_attendee_new (values[0], values[1], values[2]);

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    g_free (values[i]);

  return attendee;
}

/**
 * _cs_store_json_decode_attendees:
 * @json: (nullable): text written by _cs_store_json_encode_attendees()
 * @attendees: (element-type CsAttendee): the array the attendees are added to
 *
 * Returns: %TRUE if @json is such a list; on %FALSE, @attendees may hold
 *   the attendees read before the error
 */
gboolean
_cs_store_json_decode_attendees (const char *json,
                                 GPtrArray  *attendees)
{
  JsonReader reader = { json };

  if (json == NULL || !json_accept (&reader, '['))
    return FALSE;

  if (!json_accept (&reader, ']'))
    {
      do
        {
          CsAttendee *attendee = json_read_attendee (&reader);

          if (attendee == NULL)
            return FALSE;

          g_ptr_array_add (attendees, attendee);
        }
      while (json_accept (&reader, ','));

      if (!json_accept (&reader, ']'))
        return FALSE;
    }

  return json_at_end (&reader);
}

/**
 * _cs_store_json_decode_metadata:
 * @json: text written by _cs_store_json_encode_metadata()
 * @out_metadata: (out) (transfer full): the keys and values; null values
 *   are left out
 *
 * Returns: %TRUE if @json is such an object
 */
gboolean
_cs_store_json_decode_metadata (const char  *json,
                                GHashTable **out_metadata)
{
  g_autoptr(GHashTable) metadata = NULL;
  JsonReader reader = { json };

  if (!json_accept (&reader, '{'))
    return FALSE;

  metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (!json_accept (&reader, '}'))
    {
      do
        {
          g_autofree char *key = NULL;
          g_autofree char *value = NULL;

          if (!json_read_string (&reader, FALSE, &key) ||
              !json_accept (&reader, ':') ||
              !json_read_string (&reader, TRUE, &value))
            return FALSE;

          if (value != NULL)
            g_hash_table_replace (metadata, g_steal_pointer (&key), g_steal_pointer (&value));
        }
      while (json_accept (&reader, ','));

      if (!json_accept (&reader, '}'))
        return FALSE;
    }

  if (!json_at_end (&reader))
    return FALSE;

  *out_metadata = g_steal_pointer (&metadata);
  return TRUE;
}

/* The per-field diff of a data mismatch, kept beside the appointment for
 * the review dialog: `[{"field": "start", "local": …, "calcom": …}, …]`.
 * The engine writes it and the window reads it; both go through here so
 * that the text is JSON whatever the values hold (the column has a
 * json_valid() CHECK). */

/**
 * cs_sync_diff_to_json:
 * @diffs: (nullable) (element-type CsFieldDiff): the differing fields
 *
 * Returns: (transfer full): the diff as JSON text; an absent value is null
 */
char *
cs_sync_diff_to_json (GPtrArray *diffs)
{
  g_autoptr(GString) out = g_string_new ("[");

  for (guint i = 0; diffs != NULL && i < diffs->len; i++)
    {
      const CsFieldDiff *diff = g_ptr_array_index (diffs, i);

      if (i > 0)
        g_string_append_c (out, ',');

      g_string_append (out, "{\"field\":");
      json_append_string (out, cs_diff_field_to_string (diff->field));
      g_string_append (out, ",\"local\":");
      json_append_string (out, diff->local_value);
      g_string_append (out, ",\"calcom\":");
      json_append_string (out, diff->calcom_value);
      g_string_append_c (out, '}');
    }

  g_string_append_c (out, ']');

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Reads one entry; %NULL with @ok set for an entry of a field this
 * version does not know, which is skipped. */
static CsFieldDiff *
json_read_diff (JsonReader *reader,
                gboolean   *ok)
{
  static const char * const keys[] = { "field", "local", "calcom", NULL };
  char *values[G_N_ELEMENTS (keys)] = { NULL };
  CsDiffField diff_field;
  CsFieldDiff *diff = NULL;

  *ok = json_read_string_object (reader, keys, values);

  if (*ok && values[0] != NULL && cs_diff_field_from_string (values[0], &diff_field))
    {
      diff = g_new0 (CsFieldDiff, 1);
      diff->field = diff_field;
      diff->local_value = g_steal_pointer (&values[1]);
      diff->calcom_value = g_steal_pointer (&values[2]);
    }

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    g_free (values[i]);

  return diff;
}

/**
 * cs_sync_diff_from_json:
 * @json: (nullable): text written by cs_sync_diff_to_json()
 *
 * Entries of fields this version does not know are left out.
 *
 * Returns: (transfer full) (nullable) (element-type CsFieldDiff): the
 *   differing fields, or %NULL if @json is %NULL or not such a list
 */
GPtrArray *
cs_sync_diff_from_json (const char *json)
{
  g_autoptr(GPtrArray) diffs = NULL;
  JsonReader reader = { json };

  if (json == NULL || !json_accept (&reader, '['))
    return NULL;

  diffs = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_field_diff_free);

  if (!json_accept (&reader, ']'))
    {
      do
        {
          gboolean ok;
          CsFieldDiff *diff = json_read_diff (&reader, &ok);

          if (!ok)
            return NULL;
          if (diff != NULL)
            g_ptr_array_add (diffs, diff);
        }
      while (json_accept (&reader, ','));

      if (!json_accept (&reader, ']'))
        return NULL;
    }

  if (!json_at_end (&reader))
    return NULL;

  return g_steal_pointer (&diffs);
}
