/* cs-json-util.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-json-util.h"
#include "cs-net-error.h"

/*
 * json-glib 1.6 is a lenient and recursive parser: it accepts comments,
 * single quotes, hexadecimal numbers and a second value after the first,
 * wraps integers beyond 64 bits silently, cuts strings at an escaped NUL,
 * and a body of a million `[` overflows the stack. So every body is first
 * checked here, without recursion, against the JSON grammar (RFC 8259) with
 * a depth limit; json-glib only sees what passed.
 *
 * Two things that are valid JSON but that json-glib cannot represent are
 * rewritten in a copy rather than refused, so that they reject the record
 * that holds them instead of the whole page:
 *  - an integer of 19 digits or more gets a ".0", which makes it a double
 *    that the integer getters refuse as out of range;
 *  - an escaped NUL or an unpaired surrogate becomes `\uffff`, a
 *    noncharacter that the string getters refuse.
 */

/* Doubles hold integers exactly up to 2^53. */
#define MAX_EXACT_DOUBLE   9007199254740992.0

/* Integers with more digits than this may not fit in 64 bits. */
#define MAX_INTEGER_DIGITS 18

/* The longest time text accepted before it is parsed. */
#define MAX_TIME_LENGTH    64

/* U+FFFF in UTF-8: the mark of an escape json-glib cannot hold. */
#define BAD_CHARACTER      "\xef\xbf\xbf"

typedef enum
{
  PATCH_INTEGER,
  PATCH_ESCAPE,
} PatchKind;

typedef struct
{
  gsize     offset;
  PatchKind kind;
} Patch;

typedef enum
{
  SCAN_OK,
  SCAN_TRUNCATED,
  SCAN_INVALID,
} ScanResult;

typedef enum
{
  EXPECT_VALUE,
  EXPECT_VALUE_OR_CLOSE,
  EXPECT_KEY,
  EXPECT_KEY_OR_CLOSE,
  EXPECT_COLON,
  EXPECT_COMMA_OR_CLOSE,
  EXPECT_END,
} Expect;

static inline gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline gboolean
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

static void
add_patch (GArray    *patches,
           gsize      offset,
           PatchKind  kind)
{
  Patch patch = { offset, kind };

  if (patches != NULL)
    g_array_append_val (patches, patch);
}

/* Reads the four hex digits that start at @pos. */
static ScanResult
scan_hex4 (const char *data,
           gsize       length,
           gsize       pos,
           guint      *code_point)
{
  guint value = 0;

  for (guint i = 0; i < 4; i++)
    {
      int digit;

      if (pos + i >= length)
        return SCAN_TRUNCATED;

      digit = g_ascii_xdigit_value (data[pos + i]);
      if (digit < 0)
        return SCAN_INVALID;

      value = value * 16 + (guint) digit;
    }

  *code_point = value;
  return SCAN_OK;
}

/* @pos is at the opening quote; on success it is moved past the closing
 * one, on failure to the offending byte. */
static ScanResult
scan_string (const char *data,
             gsize       length,
             gsize      *pos,
             GArray     *patches)
{
  gsize i = *pos + 1;

  while (i < length)
    {
      guchar c = (guchar) data[i];
      guint code_point = 0;
      guint low = 0;
      ScanResult result;

      if (c == '"')
        {
          *pos = i + 1;
          return SCAN_OK;
        }

      if (c < 0x20)
        {
          *pos = i;
          return SCAN_INVALID;
        }

      if (c != '\\')
        {
          i++;
          continue;
        }

      if (i + 1 >= length)
        {
          *pos = i;
          return SCAN_TRUNCATED;
        }

      switch (data[i + 1])
        {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
          i += 2;
          continue;

        case 'u':
          break;

        default:
          *pos = i;
          return SCAN_INVALID;
        }

      result = scan_hex4 (data, length, i + 2, &code_point);
      if (result != SCAN_OK)
        {
          *pos = i;
          return result;
        }

      if (code_point >= 0xD800 && code_point <= 0xDBFF &&
          i + 7 < length && data[i + 6] == '\\' && data[i + 7] == 'u' &&
          scan_hex4 (data, length, i + 8, &low) == SCAN_OK &&
          low >= 0xDC00 && low <= 0xDFFF)
        {
          /* A proper surrogate pair. */
          i += 12;
          continue;
        }

      if (code_point == 0 || (code_point >= 0xD800 && code_point <= 0xDFFF))
        add_patch (patches, i, PATCH_ESCAPE);

      i += 6;
    }

  *pos = i;
  return SCAN_TRUNCATED;
}

static ScanResult
scan_number (const char *data,
             gsize       length,
             gsize      *pos,
             GArray     *patches)
{
  gsize i = *pos;
  gsize digits_start;
  gboolean integral = TRUE;

  if (data[i] == '-')
    i++;

  digits_start = i;

  if (i >= length)
    goto truncated;

  if (data[i] == '0')
    i++;
  else if (is_digit (data[i]))
    {
      while (i < length && is_digit (data[i]))
        i++;
    }
  else
    goto invalid;

  if (i < length && data[i] == '.')
    {
      integral = FALSE;
      i++;
      if (i >= length)
        goto truncated;
      if (!is_digit (data[i]))
        goto invalid;
      while (i < length && is_digit (data[i]))
        i++;
    }

  if (i < length && (data[i] == 'e' || data[i] == 'E'))
    {
      integral = FALSE;
      i++;
      if (i < length && (data[i] == '+' || data[i] == '-'))
        i++;
      if (i >= length)
        goto truncated;
      if (!is_digit (data[i]))
        goto invalid;
      while (i < length && is_digit (data[i]))
        i++;
    }

  if (integral && i - digits_start > MAX_INTEGER_DIGITS)
    add_patch (patches, i, PATCH_INTEGER);

  *pos = i;
  return SCAN_OK;

truncated:
  *pos = i;
  return SCAN_TRUNCATED;

invalid:
  *pos = i;
  return SCAN_INVALID;
}

static ScanResult
scan_literal (const char *data,
              gsize       length,
              gsize      *pos)
{
  static const char * const literals[] = { "true", "false", "null" };

  for (guint i = 0; i < G_N_ELEMENTS (literals); i++)
    {
      gsize n = strlen (literals[i]);
      gsize available = MIN (n, length - *pos);

      if (memcmp (data + *pos, literals[i], available) != 0)
        continue;

      if (available < n)
        {
          *pos = length;
          return SCAN_TRUNCATED;
        }

      *pos += n;
      return SCAN_OK;
    }

  return SCAN_INVALID;
}

static gboolean
set_syntax_error (GError     **error,
                  ScanResult   result,
                  gsize        offset)
{
  if (result == SCAN_TRUNCATED)
    g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                         "The answer is truncated");
  else
    g_set_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                 "The answer is not valid JSON (at byte %" G_GSIZE_FORMAT ")", offset);

  return FALSE;
}

static gboolean
check_syntax (const char  *data,
              gsize        length,
              GArray      *patches,
              gboolean    *truncated,
              GError     **error)
{
  char stack[CS_JSON_MAX_DEPTH];
  guint depth = 0;
  Expect expect = EXPECT_VALUE;
  gsize pos = 0;

  if (length == 0)
    {
      g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                           "The answer is empty");
      return FALSE;
    }

  if (length > CS_JSON_MAX_BODY_SIZE)
    {
      g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_TOO_LARGE,
                           "The answer is too large");
      return FALSE;
    }

  if (memchr (data, '\0', length) != NULL)
    {
      g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                           "The answer contains a NUL byte");
      return FALSE;
    }

  if (!g_utf8_validate_len (data, length, NULL))
    {
      g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                           "The answer is not valid UTF-8");
      return FALSE;
    }

  for (;;)
    {
      ScanResult result = SCAN_OK;
      gboolean value_done = FALSE;
      char c;

      while (pos < length && is_space (data[pos]))
        pos++;

      if (pos >= length)
        {
          if (expect == EXPECT_END)
            return TRUE;

          if (depth == 0 && expect == EXPECT_VALUE)
            {
              g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                                   "The answer is empty");
              return FALSE;
            }

          if (truncated != NULL)
            *truncated = TRUE;
          return set_syntax_error (error, SCAN_TRUNCATED, pos);
        }

      c = data[pos];

      switch (expect)
        {
        case EXPECT_VALUE_OR_CLOSE:
        case EXPECT_VALUE:
          if (expect == EXPECT_VALUE_OR_CLOSE && c == ']')
            {
              depth--;
              pos++;
              value_done = TRUE;
            }
          else if (c == '[' || c == '{')
            {
              if (depth >= CS_JSON_MAX_DEPTH)
                {
                  g_set_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                               "The answer nests deeper than %d levels", CS_JSON_MAX_DEPTH);
                  return FALSE;
                }

              stack[depth++] = c;
              pos++;
              expect = c == '[' ? EXPECT_VALUE_OR_CLOSE : EXPECT_KEY_OR_CLOSE;
            }
          else if (c == '"')
            {
              result = scan_string (data, length, &pos, patches);
              value_done = TRUE;
            }
          else if (c == '-' || is_digit (c))
            {
              result = scan_number (data, length, &pos, patches);
              value_done = TRUE;
            }
          else
            {
              result = scan_literal (data, length, &pos);
              value_done = TRUE;
            }
          break;

        case EXPECT_KEY_OR_CLOSE:
        case EXPECT_KEY:
          if (expect == EXPECT_KEY_OR_CLOSE && c == '}')
            {
              depth--;
              pos++;
              value_done = TRUE;
            }
          else if (c == '"')
            {
              result = scan_string (data, length, &pos, patches);
              expect = EXPECT_COLON;
            }
          else
            result = SCAN_INVALID;
          break;

        case EXPECT_COLON:
          if (c == ':')
            {
              pos++;
              expect = EXPECT_VALUE;
            }
          else
            result = SCAN_INVALID;
          break;

        case EXPECT_COMMA_OR_CLOSE:
          g_assert (depth > 0);
          if (c == ',')
            {
              pos++;
              expect = stack[depth - 1] == '[' ? EXPECT_VALUE : EXPECT_KEY;
            }
          else if ((c == ']' && stack[depth - 1] == '[') || (c == '}' && stack[depth - 1] == '{'))
            {
              depth--;
              pos++;
              value_done = TRUE;
            }
          else
            result = SCAN_INVALID;
          break;

        case EXPECT_END:
        default:
          result = SCAN_INVALID;
          break;
        }

      if (result != SCAN_OK)
        {
          if (truncated != NULL)
            *truncated = result == SCAN_TRUNCATED;
          return set_syntax_error (error, result, pos);
        }

      if (value_done)
        expect = depth == 0 ? EXPECT_END : EXPECT_COMMA_OR_CLOSE;
    }
}

/**
 * cs_json_check_syntax:
 * @data: (array length=length): the body
 * @length: its length in bytes
 * @error: return location for a #CS_NET_ERROR
 *
 * Checks @data against the JSON grammar without recursion: one value,
 * nothing after it, containers nested at most %CS_JSON_MAX_DEPTH deep, no
 * NUL byte, valid UTF-8.
 *
 * Returns: %TRUE if @data may be handed to json-glib
 */
gboolean
cs_json_check_syntax (const char  *data,
                      gsize        length,
                      GError     **error)
{
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return check_syntax (data, length, NULL, NULL, error);
}

/**
 * cs_json_is_truncated:
 * @data: (array length=length): a body that did not parse
 * @length: its length in bytes
 *
 * Tells a body that stops in the middle of its JSON (a connection cut
 * short, half a body) from one that is not JSON at all, so the sentence for
 * people can say which. A character cut in half at the end counts as cut.
 *
 * Returns: %TRUE if @data is the start of a JSON text, not all of it
 */
gboolean
cs_json_is_truncated (const char *data,
                      gsize       length)
{
  const char *end = NULL;
  gboolean truncated = FALSE;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (length > 0 && !g_utf8_validate_len (data, length, &end) && length - (gsize) (end - data) < 4)
    length = (gsize) (end - data);

  if (length == 0 || check_syntax (data, length, NULL, &truncated, NULL))
    return FALSE;

  return truncated;
}

static char *
apply_patches (const char *data,
               gsize       length,
               GArray     *patches,
               gsize      *new_length)
{
  GString *out = g_string_sized_new (length + 2 * patches->len + 1);
  gsize done = 0;

  for (guint i = 0; i < patches->len; i++)
    {
      const Patch *patch = &g_array_index (patches, Patch, i);

      g_assert (patch->offset >= done);
      g_string_append_len (out, data + done, patch->offset - done);

      if (patch->kind == PATCH_INTEGER)
        {
          g_string_append (out, ".0");
          done = patch->offset;
        }
      else
        {
          g_string_append (out, "\\uffff");
          done = patch->offset + 6;
        }
    }

  g_string_append_len (out, data + done, length - done);

  *new_length = out->len;
  return g_string_free (out, FALSE);
}

/**
 * cs_json_parse_data:
 * @data: (array length=length): the body
 * @length: its length in bytes
 * @error: return location for a #CS_NET_ERROR
 *
 * Parses a body after cs_json_check_syntax() let it through. The error
 * messages name no content of the body.
 *
 * Returns: (transfer full) (nullable): the root node, or %NULL with
 *   %CS_NET_ERROR_INVALID_RESPONSE (or %CS_NET_ERROR_TOO_LARGE)
 */
JsonNode *
cs_json_parse_data (const char  *data,
                    gsize        length,
                    GError     **error)
{
  g_autoptr(GArray) patches = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *patched = NULL;
  JsonNode *root;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  patches = g_array_new (FALSE, FALSE, sizeof (Patch));
  if (!check_syntax (data, length, patches, NULL, error))
    return NULL;

  if (patches->len > 0)
    {
      patched = apply_patches (data, length, patches, &length);
      data = patched;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) length, &local_error))
    {
      /* json-glib's message quotes the body: keep it out of the error. */
      g_debug ("json-glib refused a body that passed the syntax check");
      g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                           "The answer could not be parsed as JSON");
      return NULL;
    }

  root = json_parser_steal_root (parser);
  if (root == NULL)
    {
      g_set_error_literal (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE,
                           "The answer is empty");
      return NULL;
    }

  return root;
}

/**
 * cs_json_parse_bytes:
 * @body: (nullable): the body
 * @error: return location for a #CS_NET_ERROR
 *
 * cs_json_parse_data() on @body; %NULL is an empty body.
 *
 * Returns: (transfer full) (nullable): the root node, or %NULL
 */
JsonNode *
cs_json_parse_bytes (GBytes  *body,
                     GError **error)
{
  gconstpointer data = NULL;
  gsize length = 0;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (body != NULL)
    data = g_bytes_get_data (body, &length);

  return cs_json_parse_data (data, length, error);
}

/**
 * cs_json_page_keys_clear:
 * @keys: keys filled by a list parser
 *
 * Frees what @keys holds and zeroes it.
 */
void
cs_json_page_keys_clear (CsJsonPageKeys *keys)
{
  g_return_if_fail (keys != NULL);

  g_clear_pointer (&keys->first, g_free);
  g_clear_pointer (&keys->last, g_free);
  g_clear_pointer (&keys->refused, g_ptr_array_unref);
}

static gboolean
set_field_error (GError     **error,
                 const char  *member,
                 const char  *what)
{
  g_set_error (error, CS_NET_ERROR, CS_NET_ERROR_INVALID_RESPONSE, "“%s” %s", member, what);
  return FALSE;
}

/* Finds @member; a missing or null one gives %NULL, and an error if it was
 * required. */
static gboolean
get_member (JsonObject   *object,
            const char   *member,
            CsJsonFlags   flags,
            JsonNode    **node,
            GError      **error)
{
  JsonNode *found = json_object_get_member (object, member);

  *node = NULL;

  if (found == NULL || JSON_NODE_HOLDS_NULL (found))
    {
      if (flags & CS_JSON_REQUIRED)
        return set_field_error (error, member, found == NULL ? "is missing" : "is null");

      return TRUE;
    }

  *node = found;
  return TRUE;
}

static inline gboolean
holds_type (JsonNode *node,
            GType     type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/**
 * cs_json_check_text:
 * @text: a string from a body
 * @what: the field's name, for the error message
 * @error: return location for a #CS_NET_ERROR
 *
 * Returns: %TRUE if @text is at most %CS_JSON_MAX_STRING_LENGTH bytes long
 *   and held no escaped NUL or unpaired surrogate
 */
gboolean
cs_json_check_text (const char  *text,
                    const char  *what,
                    GError     **error)
{
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (what != NULL, FALSE);

  if (strnlen (text, CS_JSON_MAX_STRING_LENGTH + 1) > CS_JSON_MAX_STRING_LENGTH)
    return set_field_error (error, what, "is too long");

  if (strstr (text, BAD_CHARACTER) != NULL)
    return set_field_error (error, what, "contains an invalid character");

  return TRUE;
}

/**
 * cs_json_node_get_string:
 * @node: a node
 * @what: the field's name, for the error message
 * @value: (out) (transfer none): the string, owned by @node
 * @error: return location for a #CS_NET_ERROR
 *
 * Returns: %TRUE if @node holds a string that passes cs_json_check_text()
 */
gboolean
cs_json_node_get_string (JsonNode    *node,
                         const char  *what,
                         const char **value,
                         GError     **error)
{
  const char *str;

  g_return_val_if_fail (node != NULL, FALSE);
  g_return_val_if_fail (what != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (!holds_type (node, G_TYPE_STRING))
    return set_field_error (error, what, "is not a string");

  str = json_node_get_string (node);
  if (!cs_json_check_text (str, what, error))
    return FALSE;

  *value = str;
  return TRUE;
}

/**
 * cs_json_node_get_int:
 * @node: a node
 * @what: the field's name, for the error message
 * @min: the smallest value accepted
 * @max: the largest value accepted
 * @value: (out): the integer
 * @error: return location for a #CS_NET_ERROR
 *
 * Accepts JSON integers and doubles without a fraction (`3.0`) up to 2^53.
 *
 * Returns: %TRUE if @node holds an integer in [@min, @max]
 */
gboolean
cs_json_node_get_int (JsonNode    *node,
                      const char  *what,
                      gint64       min,
                      gint64       max,
                      gint64      *value,
                      GError     **error)
{
  gint64 v;

  g_return_val_if_fail (node != NULL, FALSE);
  g_return_val_if_fail (what != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (holds_type (node, G_TYPE_INT64))
    v = json_node_get_int (node);
  else if (holds_type (node, G_TYPE_DOUBLE))
    {
      double d = json_node_get_double (node);

      /* Written so that NaN fails too. */
      if (!(d >= -MAX_EXACT_DOUBLE && d <= MAX_EXACT_DOUBLE))
        return set_field_error (error, what, "is out of range");

      v = (gint64) d;
      if ((double) v != d)
        return set_field_error (error, what, "is not an integer");
    }
  else
    return set_field_error (error, what, "is not an integer");

  if (v < min || v > max)
    return set_field_error (error, what, "is out of range");

  *value = v;
  return TRUE;
}

/**
 * cs_json_get_string:
 * @object: an object
 * @member: the member's name
 * @flags: what is demanded of it
 * @value: (out) (transfer none) (nullable): the string, owned by @object,
 *   or %NULL if it is missing or null
 * @error: return location for a #CS_NET_ERROR
 *
 * Refuses strings longer than %CS_JSON_MAX_STRING_LENGTH bytes and strings
 * that held an escaped NUL or an unpaired surrogate.
 *
 * Returns: %TRUE if @member is a string as demanded, or may be absent
 */
gboolean
cs_json_get_string (JsonObject   *object,
                    const char   *member,
                    CsJsonFlags   flags,
                    const char  **value,
                    GError      **error)
{
  JsonNode *node;
  const char *str;

  g_return_val_if_fail (object != NULL, FALSE);
  g_return_val_if_fail (member != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  *value = NULL;

  if (!get_member (object, member, flags, &node, error))
    return FALSE;

  if (node == NULL)
    return TRUE;

  if (!cs_json_node_get_string (node, member, &str, error))
    return FALSE;

  if ((flags & CS_JSON_NON_EMPTY) && str[0] == '\0')
    return set_field_error (error, member, "is empty");

  *value = str;
  return TRUE;
}

/**
 * cs_json_dup_string:
 * @object: an object
 * @member: the member's name
 * @flags: what is demanded of it
 * @value: (out) (transfer full) (nullable): a copy of the string, or %NULL
 * @error: return location for a #CS_NET_ERROR
 *
 * cs_json_get_string() with a copy.
 *
 * Returns: %TRUE if @member is a string as demanded, or may be absent
 */
gboolean
cs_json_dup_string (JsonObject   *object,
                    const char   *member,
                    CsJsonFlags   flags,
                    char        **value,
                    GError      **error)
{
  const char *str;

  g_return_val_if_fail (value != NULL, FALSE);

  *value = NULL;

  if (!cs_json_get_string (object, member, flags, &str, error))
    return FALSE;

  *value = g_strdup (str);
  return TRUE;
}

/**
 * cs_json_get_int:
 * @object: an object
 * @member: the member's name
 * @flags: what is demanded of it
 * @min: the smallest value accepted
 * @max: the largest value accepted
 * @value: (out): the integer, or 0 if it is missing or null
 * @error: return location for a #CS_NET_ERROR
 *
 * Returns: %TRUE if @member is an integer in [@min, @max], or may be absent
 */
gboolean
cs_json_get_int (JsonObject   *object,
                 const char   *member,
                 CsJsonFlags   flags,
                 gint64        min,
                 gint64        max,
                 gint64       *value,
                 GError      **error)
{
  JsonNode *node;

  g_return_val_if_fail (object != NULL, FALSE);
  g_return_val_if_fail (member != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  *value = 0;

  if (!get_member (object, member, flags, &node, error))
    return FALSE;

  if (node == NULL)
    return TRUE;

  return cs_json_node_get_int (node, member, min, max, value, error);
}

/**
 * cs_json_get_uint:
 * @object: an object
 * @member: the member's name
 * @flags: what is demanded of it
 * @value: (out): the count, or 0 if it is missing or null
 * @error: return location for a #CS_NET_ERROR
 *
 * A count: an integer from 0 to %G_MAXINT, so that sums of two stay in range.
 *
 * Returns: %TRUE if @member is such a count, or may be absent
 */
gboolean
cs_json_get_uint (JsonObject   *object,
                  const char   *member,
                  CsJsonFlags   flags,
                  guint        *value,
                  GError      **error)
{
  gint64 v = 0;

  g_return_val_if_fail (value != NULL, FALSE);

  *value = 0;

  if (!cs_json_get_int (object, member, flags, 0, G_MAXINT, &v, error))
    return FALSE;

  *value = (guint) v;
  return TRUE;
}

/**
 * cs_json_get_boolean:
 * @object: an object
 * @member: the member's name
 * @flags: what is demanded of it
 * @value: (out): the boolean, or %FALSE if it is missing or null
 * @error: return location for a #CS_NET_ERROR
 *
 * Returns: %TRUE if @member is a boolean, or may be absent
 */
gboolean
cs_json_get_boolean (JsonObject   *object,
                     const char   *member,
                     CsJsonFlags   flags,
                     gboolean     *value,
                     GError      **error)
{
  JsonNode *node;

  g_return_val_if_fail (object != NULL, FALSE);
  g_return_val_if_fail (member != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  *value = FALSE;

  if (!get_member (object, member, flags, &node, error))
    return FALSE;

  if (node == NULL)
    return TRUE;

  if (!holds_type (node, G_TYPE_BOOLEAN))
    return set_field_error (error, member, "is not a boolean");

  *value = json_node_get_boolean (node);
  return TRUE;
}

/**
 * cs_json_get_time:
 * @object: an object
 * @member: the member's name
 * @flags: what is demanded of it
 * @value: (out): the instant, or %CS_TIME_UNSET if it is missing or null
 * @error: return location for a #CS_NET_ERROR
 *
 * Accepts what cs_time_parse_iso8601() accepts: an offset is required and
 * years outside 1971–9998 are refused.
 *
 * Returns: %TRUE if @member is a valid time, or may be absent
 */
gboolean
cs_json_get_time (JsonObject   *object,
                  const char   *member,
                  CsJsonFlags   flags,
                  CsTime       *value,
                  GError      **error)
{
  JsonNode *node;
  const char *str;
  CsTime time = CS_TIME_UNSET;

  g_return_val_if_fail (object != NULL, FALSE);
  g_return_val_if_fail (member != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  *value = CS_TIME_UNSET;

  if (!get_member (object, member, flags, &node, error))
    return FALSE;

  if (node == NULL)
    return TRUE;

  if (!holds_type (node, G_TYPE_STRING))
    return set_field_error (error, member, "is not a string");

  str = json_node_get_string (node);
  if (strnlen (str, MAX_TIME_LENGTH + 1) > MAX_TIME_LENGTH ||
      !cs_time_parse_iso8601 (str, &time))
    return set_field_error (error, member, "is not a valid time");

  *value = time;
  return TRUE;
}

/**
 * cs_json_get_object:
 * @object: an object
 * @member: the member's name
 * @flags: what is demanded of it
 * @value: (out) (transfer none) (nullable): the object, or %NULL if it is
 *   missing or null
 * @error: return location for a #CS_NET_ERROR
 *
 * Returns: %TRUE if @member is an object, or may be absent
 */
gboolean
cs_json_get_object (JsonObject   *object,
                    const char   *member,
                    CsJsonFlags   flags,
                    JsonObject  **value,
                    GError      **error)
{
  JsonNode *node;

  g_return_val_if_fail (object != NULL, FALSE);
  g_return_val_if_fail (member != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  *value = NULL;

  if (!get_member (object, member, flags, &node, error))
    return FALSE;

  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return set_field_error (error, member, "is not an object");

  *value = json_node_get_object (node);
  return TRUE;
}

/**
 * cs_json_get_array:
 * @object: an object
 * @member: the member's name
 * @flags: what is demanded of it
 * @value: (out) (transfer none) (nullable): the array, or %NULL if it is
 *   missing or null
 * @error: return location for a #CS_NET_ERROR
 *
 * Returns: %TRUE if @member is an array, or may be absent
 */
gboolean
cs_json_get_array (JsonObject   *object,
                   const char   *member,
                   CsJsonFlags   flags,
                   JsonArray   **value,
                   GError      **error)
{
  JsonNode *node;

  g_return_val_if_fail (object != NULL, FALSE);
  g_return_val_if_fail (member != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  *value = NULL;

  if (!get_member (object, member, flags, &node, error))
    return FALSE;

  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return set_field_error (error, member, "is not an array");

  *value = json_node_get_array (node);
  return TRUE;
}

/**
 * cs_json_clean_message:
 * @text: (nullable): a message from a server
 *
 * Makes a server's message fit to be shown: valid UTF-8, runs of white
 * space and control characters turned into one space, at most
 * %CS_JSON_MAX_MESSAGE_CHARS characters (the last one an ellipsis if it
 * was cut).
 *
 * Returns: (transfer full) (nullable): the message, or %NULL if nothing is
 *   left of it
 */
char *
cs_json_clean_message (const char *text)
{
  g_autofree char *valid = NULL;
  g_autoptr(GString) out = NULL;
  const char *p;
  gsize last_start = 0;
  guint n_chars = 0;
  gboolean pending_space = FALSE;
  gboolean cut = FALSE;

  if (text == NULL)
    return NULL;

  valid = g_utf8_make_valid (text, -1);
  out = g_string_new (NULL);

  for (p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        {
          pending_space = out->len > 0;
          continue;
        }

      if (n_chars + (pending_space ? 1 : 0) >= CS_JSON_MAX_MESSAGE_CHARS)
        {
          cut = TRUE;
          break;
        }

      if (pending_space)
        {
          g_string_append_c (out, ' ');
          n_chars++;
          pending_space = FALSE;
        }

      last_start = out->len;
      g_string_append_unichar (out, c);
      n_chars++;
    }

  if (cut)
    {
      g_string_truncate (out, last_start);
      g_string_append (out, "…");
    }

  if (out->len == 0)
    return NULL;

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * cs_json_builder_add_string:
 * @builder: a builder inside an object
 * @member: the member's name
 * @value: (nullable): the value, or %NULL for JSON null
 *
 * Adds a string member; invalid UTF-8 is repaired so that the body stays
 * valid JSON.
 */
void
cs_json_builder_add_string (JsonBuilder *builder,
                            const char  *member,
                            const char  *value)
{
  g_return_if_fail (JSON_IS_BUILDER (builder));
  g_return_if_fail (member != NULL);

  json_builder_set_member_name (builder, member);

  if (value == NULL)
    json_builder_add_null_value (builder);
  else if (g_utf8_validate (value, -1, NULL))
    json_builder_add_string_value (builder, value);
  else
    {
      g_autofree char *valid = g_utf8_make_valid (value, -1);

      json_builder_add_string_value (builder, valid);
    }
}

/**
 * cs_json_builder_add_time:
 * @builder: a builder inside an object
 * @member: the member's name
 * @value: an instant, or %CS_TIME_UNSET for JSON null
 *
 * Adds a time member in RFC 3339, UTC.
 */
void
cs_json_builder_add_time (JsonBuilder *builder,
                          const char  *member,
                          CsTime       value)
{
  g_autofree char *text = NULL;

  g_return_if_fail (JSON_IS_BUILDER (builder));
  g_return_if_fail (member != NULL);

  text = cs_time_format_iso8601 (value);
  json_builder_set_member_name (builder, member);

  if (text == NULL)
    json_builder_add_null_value (builder);
  else
    json_builder_add_string_value (builder, text);
}

/**
 * cs_json_builder_to_bytes:
 * @builder: a builder with a complete root
 *
 * Returns: (transfer full): the compact JSON text of @builder's root
 */
GBytes *
cs_json_builder_to_bytes (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  char *text;
  gsize length = 0;

  g_return_val_if_fail (JSON_IS_BUILDER (builder), NULL);

  root = json_builder_get_root (builder);
  g_return_val_if_fail (root != NULL, NULL);

  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);

  return g_bytes_new_take (text, length);
}
