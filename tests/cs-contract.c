/* cs-contract.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/*
 * A validator for the parts of OpenAPI 3.0 that the Cal.com subset uses, and
 * the backend contract of backend-api.md written in the same schema language.
 *
 * Schema keywords that are checked: $ref (to #/components/schemas/X), type,
 * nullable, enum, format (date-time, date, uuid, int32, int64; float and
 * double are annotations), required, properties, additionalProperties (false
 * or a schema), items, allOf, anyOf, oneOf, minimum, maximum,
 * exclusiveMinimum, exclusiveMaximum, minItems, maxItems, minLength,
 * maxLength, minProperties. Annotations (description, example, examples,
 * default, deprecated, title, x-*) are skipped. Any other keyword, format or
 * a $ref with sibling keywords makes cs_openapi_load() fail, so a newer spec
 * that needs more is noticed instead of passing unchecked.
 *
 * oneOf is lenient: it accepts a value that matches at least one alternative,
 * not exactly one. The subset's alternatives overlap (unknown properties are
 * allowed, so a RecurringBookingOutput is also a BookingOutput), and strict
 * oneOf would reject real answers. When none matches, the problems of the
 * closest alternative are reported (one whose type fits, then the fewest
 * problems).
 *
 * "date-time" is RFC 3339 (what OpenAPI means by it): full date, "T", time,
 * optional fraction, and "Z" or a numeric offset; the text must also parse
 * with g_date_time_new_from_iso8601().
 */

#include "config.h"

#include <string.h>

#include "cs-contract.h"

#define SCHEMA_REF_PREFIX     "#/components/schemas/"
#define MAX_REF_DEPTH         64
#define MAX_REPORTED_PROBLEMS 8
#define MAX_ENUM_SHOWN        8
#define CALCOM_API_VERSION    "2024-08-13"

/* From Cal.com's NOTES.md, beyond the spec: the server clamps take to 250. */
#define CALCOM_MAX_TAKE       250

G_DEFINE_QUARK (cs-contract-error-quark, cs_contract_error)

struct _CsOpenApi
{
  JsonParser *parser;
  JsonObject *paths;    /* borrowed from parser */
  JsonObject *schemas;  /* components/schemas, borrowed from parser */
};

/* Problems found so far, each "where: what". */
typedef struct
{
  JsonObject      *schemas;  /* what "$ref"s name */
  GPtrArray       *problems;
  guint            depth;
  CsContractError  phase;
  CsContractError  first_code;
} Validation;

static const char * const assertion_keywords[] = {
  "$ref", "type", "nullable", "enum", "format", "required", "properties",
  "additionalProperties", "items", "allOf", "anyOf", "oneOf", "minimum", "maximum",
  "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems", "minLength", "maxLength",
  "minProperties", NULL
};

static const char * const annotation_keywords[] = {
  "description", "example", "examples", "default", "deprecated", "title", NULL
};

static const char * const supported_types[] = {
  "object", "array", "string", "number", "integer", "boolean", NULL
};

static const char * const supported_formats[] = {
  "date-time", "date", "uuid", "int32", "int64", "float", "double", NULL
};

static const char * const http_methods[] = {
  "get", "put", "post", "delete", "options", "head", "patch", "trace", NULL
};

/* NOTES.md: the list's time filters take ISO 8601; the spec only says string. */
static const char * const calcom_time_parameters[] = {
  "afterStart", "beforeEnd", "afterCreatedAt", "beforeCreatedAt", "afterUpdatedAt",
  "beforeUpdatedAt", NULL
};

static void validate_node (Validation *v,
                           JsonObject *schema,
                           JsonNode   *node,
                           const char *path);

/* Validation bookkeeping */

static void
validation_init (Validation      *v,
                 JsonObject      *schemas,
                 CsContractError  phase)
{
  v->schemas = schemas;
  v->problems = g_ptr_array_new_with_free_func (g_free);
  v->depth = 0;
  v->phase = phase;
  v->first_code = phase;
}

static void
validation_clear (Validation *v)
{
  g_clear_pointer (&v->problems, g_ptr_array_unref);
}

static void
add_problem_text (Validation *v,
                  char       *text)
{
  if (v->problems->len == 0)
    v->first_code = v->phase;
  g_ptr_array_add (v->problems, text);
}

G_GNUC_PRINTF (3, 4)
static void
add_problem (Validation *v,
             const char *where,
             const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  add_problem_text (v, g_strdup_printf ("%s: %s", where[0] != '\0' ? where : "$", message));
}

static gboolean
validation_finish (Validation  *v,
                   const char  *context,
                   GError     **error)
{
  g_autoptr(GString) message = NULL;

  if (v->problems->len == 0)
    return TRUE;

  message = g_string_new (NULL);
  if (context != NULL)
    g_string_append_printf (message, "%s: ", context);

  for (guint i = 0; i < v->problems->len && i < MAX_REPORTED_PROBLEMS; i++)
    {
      if (i > 0)
        g_string_append (message, "; ");
      g_string_append (message, g_ptr_array_index (v->problems, i));
    }

  if (v->problems->len > MAX_REPORTED_PROBLEMS)
    g_string_append_printf (message, "; and %u more", v->problems->len - MAX_REPORTED_PROBLEMS);

  g_set_error_literal (error, CS_CONTRACT_ERROR, v->first_code, message->str);

  return FALSE;
}

/* JSON paths and small helpers */

static gboolean
is_plain_name (const char *name)
{
  if (name[0] == '\0' || g_ascii_isdigit (name[0]))
    return FALSE;

  for (const char *p = name; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-' && *p != '$')
        return FALSE;
    }

  return TRUE;
}

static char *
path_member (const char *path,
             const char *name)
{
  if (!is_plain_name (name))
    return g_strdup_printf ("%s[\"%s\"]", path[0] != '\0' ? path : "$", name);

  if (path[0] == '\0')
    return g_strdup (name);

  return g_strdup_printf ("%s.%s", path, name);
}

static char *
path_index (const char *path,
            guint       index)
{
  return g_strdup_printf ("%s[%u]", path[0] != '\0' ? path : "$", index);
}

static const char *
node_type_name (JsonNode *node)
{
  GType type;

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return "object";
    case JSON_NODE_ARRAY:
      return "array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
      break;
    default:
      return "unknown";
    }

  type = json_node_get_value_type (node);
  if (type == G_TYPE_STRING)
    return "string";
  if (type == G_TYPE_INT64)
    return "integer";
  if (type == G_TYPE_DOUBLE)
    return "number";
  if (type == G_TYPE_BOOLEAN)
    return "boolean";

  return "unknown";
}

static gboolean
node_is_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
node_is_number (JsonNode *node)
{
  GType type;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  type = json_node_get_value_type (node);

  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

static double
node_get_number (JsonNode *node)
{
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return (double) json_node_get_int (node);

  return json_node_get_double (node);
}

static gboolean
node_is_integer (JsonNode *node)
{
  double value;

  if (!node_is_number (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return TRUE;

  /* 3.0 is an integer in JSON Schema; the range test also rules out NaN. */
  value = json_node_get_double (node);

  return value >= -9007199254740992.0 && value <= 9007199254740992.0 &&
         value == (double) (gint64) value;
}

static gboolean
node_has_type (JsonNode   *node,
               const char *type)
{
  if (g_str_equal (type, "object"))
    return JSON_NODE_HOLDS_OBJECT (node);
  if (g_str_equal (type, "array"))
    return JSON_NODE_HOLDS_ARRAY (node);
  if (g_str_equal (type, "string"))
    return node_is_string (node);
  if (g_str_equal (type, "number"))
    return node_is_number (node);
  if (g_str_equal (type, "integer"))
    return node_is_integer (node);
  if (g_str_equal (type, "boolean"))
    return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN;

  return FALSE;
}

static gboolean
json_values_equal (JsonNode *a,
                   JsonNode *b)
{
  if (node_is_number (a) && node_is_number (b))
    return node_get_number (a) == node_get_number (b);

  return json_node_equal (a, b);
}

static char *
node_to_text (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  if (strlen (text) > 80)
    return g_strdup_printf ("%.77s...", text);

  return g_steal_pointer (&text);
}

static const char *
schema_get_string (JsonObject *schema,
                   const char *name)
{
  JsonNode *node = json_object_get_member (schema, name);

  if (node == NULL || !node_is_string (node))
    return NULL;

  return json_node_get_string (node);
}

static JsonObject *
schema_get_object (JsonObject *schema,
                   const char *name)
{
  JsonNode *node = json_object_get_member (schema, name);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_node_get_object (node);
}

static JsonArray *
schema_get_array (JsonObject *schema,
                  const char *name)
{
  JsonNode *node = json_object_get_member (schema, name);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;

  return json_node_get_array (node);
}

static gboolean
schema_get_boolean (JsonObject *schema,
                    const char *name)
{
  JsonNode *node = json_object_get_member (schema, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_BOOLEAN && json_node_get_boolean (node);
}

static gboolean
schema_get_number (JsonObject *schema,
                   const char *name,
                   double     *value)
{
  JsonNode *node = json_object_get_member (schema, name);

  if (node == NULL || !node_is_number (node))
    return FALSE;

  *value = node_get_number (node);

  return TRUE;
}

static JsonObject *
lookup_schema (JsonObject *schemas,
               const char *ref)
{
  if (schemas == NULL || !g_str_has_prefix (ref, SCHEMA_REF_PREFIX))
    return NULL;

  return schema_get_object (schemas, ref + strlen (SCHEMA_REF_PREFIX));
}

/* Formats */

static gboolean
matches_shape (const char  *text,
               const char  *shape,
               const char **end)
{
  const char *p = text;

  /* 'd' is a digit, 'T' is T or t, anything else stands for itself. */
  for (guint i = 0; shape[i] != '\0'; i++, p++)
    {
      if (shape[i] == 'd')
        {
          if (!g_ascii_isdigit (*p))
            return FALSE;
        }
      else if (shape[i] == 'T')
        {
          if (*p != 'T' && *p != 't')
            return FALSE;
        }
      else if (*p != shape[i])
        {
          return FALSE;
        }
    }

  *end = p;

  return TRUE;
}

static gboolean
is_rfc3339_date_time (const char *text)
{
  g_autoptr(GDateTime) parsed = NULL;
  const char *p;

  if (!matches_shape (text, "dddd-dd-ddTdd:dd:dd", &p))
    return FALSE;

  if (*p == '.')
    {
      p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
    }

  if (*p == 'Z' || *p == 'z')
    p++;
  else if ((*p != '+' && *p != '-') || !matches_shape (p + 1, "dd:dd", &p))
    return FALSE;

  if (*p != '\0')
    return FALSE;

  parsed = g_date_time_new_from_iso8601 (text, NULL);

  return parsed != NULL;
}

static gboolean
is_iso8601 (const char *text)
{
  g_autoptr(GDateTime) parsed = g_date_time_new_from_iso8601 (text, NULL);

  return parsed != NULL;
}

static gboolean
is_full_date (const char *text)
{
  const char *end;
  guint64 year, month, day;

  if (!matches_shape (text, "dddd-dd-dd", &end) || *end != '\0')
    return FALSE;

  year = g_ascii_strtoull (text, NULL, 10);
  month = g_ascii_strtoull (text + 5, NULL, 10);
  day = g_ascii_strtoull (text + 8, NULL, 10);

  return year >= 1 && month >= 1 && month <= 12 && day >= 1 &&
         g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year);
}

static void
check_format (Validation *v,
              const char *format,
              JsonNode   *node,
              const char *path)
{
  if (node_is_string (node))
    {
      const char *text = json_node_get_string (node);

      if (g_str_equal (format, "date-time") && !is_rfc3339_date_time (text))
        add_problem (v, path, "expected an RFC 3339 date-time with offset, got \"%s\"%s", text,
                     strchr (text, ' ') != NULL ? " (an unescaped '+' in a query reads as a space)"
                                                : "");
      else if (g_str_equal (format, "date") && !is_full_date (text))
        add_problem (v, path, "expected a date YYYY-MM-DD, got \"%s\"", text);
      else if (g_str_equal (format, "uuid") && !g_uuid_string_is_valid (text))
        add_problem (v, path, "expected a UUID, got \"%s\"", text);
    }
  else if (node_is_integer (node) && g_str_equal (format, "int32"))
    {
      double value = node_get_number (node);

      if (value < G_MININT32 || value > G_MAXINT32)
        add_problem (v, path, "expected a 32-bit integer, got %.0f", value);
    }
}

/* Schema validation */

static gboolean
schema_admits_type (Validation *v,
                    JsonObject *schema,
                    JsonNode   *node)
{
  const char *ref;
  const char *type;

  for (guint depth = 0; (ref = schema_get_string (schema, "$ref")) != NULL; depth++)
    {
      schema = lookup_schema (v->schemas, ref);
      if (schema == NULL || depth >= MAX_REF_DEPTH)
        return FALSE;
    }

  if (JSON_NODE_HOLDS_NULL (node) && schema_get_boolean (schema, "nullable"))
    return TRUE;

  type = schema_get_string (schema, "type");

  return type == NULL || node_has_type (node, type);
}

static char *
alternative_label (JsonObject *alternative,
                   guint       index)
{
  const char *ref = schema_get_string (alternative, "$ref");
  const char *type = schema_get_string (alternative, "type");

  if (ref != NULL && g_str_has_prefix (ref, SCHEMA_REF_PREFIX))
    return g_strdup (ref + strlen (SCHEMA_REF_PREFIX));
  if (type != NULL)
    return g_strdup_printf ("#%u (%s)", index, type);

  return g_strdup_printf ("#%u", index);
}

static void
validate_any_of (Validation *v,
                 const char *keyword,
                 JsonArray  *alternatives,
                 JsonNode   *node,
                 const char *path)
{
  g_autoptr(GPtrArray) best = NULL;
  g_autofree char *best_label = NULL;
  gboolean best_fits = FALSE;
  guint n = json_array_get_length (alternatives);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (alternatives, i);
      JsonObject *alternative;
      Validation sub;
      gboolean fits;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;

      alternative = json_node_get_object (element);
      validation_init (&sub, v->schemas, v->phase);
      sub.depth = v->depth;
      validate_node (&sub, alternative, node, path);

      if (sub.problems->len == 0)
        {
          validation_clear (&sub);
          return;
        }

      /* The closest: one whose type fits, then the one with the fewest problems. */
      fits = schema_admits_type (v, alternative, node);
      if (best == NULL || (fits && !best_fits) ||
          (fits == best_fits && sub.problems->len < best->len))
        {
          g_clear_pointer (&best, g_ptr_array_unref);
          g_clear_pointer (&best_label, g_free);
          best = g_steal_pointer (&sub.problems);
          best_label = alternative_label (alternative, i);
          best_fits = fits;
        }

      validation_clear (&sub);
    }

  if (best == NULL)
    {
      add_problem (v, path, "%s has no alternatives", keyword);
      return;
    }

  for (guint i = 0; i < best->len; i++)
    add_problem_text (v, g_strdup (g_ptr_array_index (best, i)));

  add_problem (v, path, "matches none of the %u %s alternatives (shown above: the closest, %s)",
               n, keyword, best_label);
}

static void
validate_object (Validation *v,
                 JsonObject *schema,
                 JsonObject *object,
                 const char *path)
{
  JsonObject *properties = schema_get_object (schema, "properties");
  JsonArray *required = schema_get_array (schema, "required");
  JsonNode *additional = json_object_get_member (schema, "additionalProperties");
  GList *members;
  double min_properties;

  /* Missing members first, in the spec's order: usually the news a reader wants. */
  for (guint i = 0; required != NULL && i < json_array_get_length (required); i++)
    {
      JsonNode *name = json_array_get_element (required, i);

      if (node_is_string (name) && !json_object_has_member (object, json_node_get_string (name)))
        {
          g_autofree char *child = path_member (path, json_node_get_string (name));

          add_problem (v, child, "required property missing");
        }
    }

  members = json_object_get_members (object);
  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *value = json_object_get_member (object, name);
      JsonObject *property = properties != NULL ? schema_get_object (properties, name) : NULL;
      g_autofree char *child = path_member (path, name);

      if (property != NULL)
        validate_node (v, property, value, child);
      else if (additional != NULL && JSON_NODE_HOLDS_OBJECT (additional))
        validate_node (v, json_node_get_object (additional), value, child);
      else if (additional != NULL && JSON_NODE_HOLDS_VALUE (additional) &&
               !json_node_get_boolean (additional))
        add_problem (v, child, "unknown property (additionalProperties is false)");
    }
  g_list_free (members);

  if (schema_get_number (schema, "minProperties", &min_properties) &&
      json_object_get_size (object) < min_properties)
    add_problem (v, path, "expected at least %.0f member(s), got %u", min_properties,
                 json_object_get_size (object));
}

static void
validate_array (Validation *v,
                JsonObject *schema,
                JsonArray  *array,
                const char *path)
{
  JsonObject *items = schema_get_object (schema, "items");
  guint length = json_array_get_length (array);
  double limit;

  if (schema_get_number (schema, "minItems", &limit) && length < limit)
    add_problem (v, path, "expected at least %.0f item(s), got %u", limit, length);
  if (schema_get_number (schema, "maxItems", &limit) && length > limit)
    add_problem (v, path, "expected at most %.0f item(s), got %u", limit, length);

  for (guint i = 0; items != NULL && i < length; i++)
    {
      g_autofree char *child = path_index (path, i);

      validate_node (v, items, json_array_get_element (array, i), child);
    }
}

static void
check_enum (Validation *v,
            JsonArray  *values,
            JsonNode   *node,
            const char *path)
{
  g_autoptr(GString) allowed = NULL;
  g_autofree char *got = NULL;
  guint n = json_array_get_length (values);

  for (guint i = 0; i < n; i++)
    {
      if (json_values_equal (json_array_get_element (values, i), node))
        return;
    }

  allowed = g_string_new (NULL);
  for (guint i = 0; i < n && i < MAX_ENUM_SHOWN; i++)
    {
      g_autofree char *text = node_to_text (json_array_get_element (values, i));

      g_string_append_printf (allowed, "%s%s", i > 0 ? ", " : "", text);
    }
  if (n > MAX_ENUM_SHOWN)
    g_string_append_printf (allowed, ", ... (%u in all)", n);

  got = node_to_text (node);
  add_problem (v, path, "expected one of %s, got %s", allowed->str, got);
}

static void
check_bounds (Validation *v,
              JsonObject *schema,
              JsonNode   *node,
              const char *path)
{
  double limit;

  if (node_is_number (node))
    {
      double value = node_get_number (node);
      gboolean exclusive_min = schema_get_boolean (schema, "exclusiveMinimum");
      gboolean exclusive_max = schema_get_boolean (schema, "exclusiveMaximum");

      if (schema_get_number (schema, "minimum", &limit) &&
          (value < limit || (exclusive_min && value == limit)))
        add_problem (v, path, "expected a number %s %g, got %g", exclusive_min ? ">" : ">=",
                     limit, value);
      if (schema_get_number (schema, "maximum", &limit) &&
          (value > limit || (exclusive_max && value == limit)))
        add_problem (v, path, "expected a number %s %g, got %g", exclusive_max ? "<" : "<=",
                     limit, value);
    }
  else if (node_is_string (node))
    {
      glong length = g_utf8_strlen (json_node_get_string (node), -1);

      if (schema_get_number (schema, "minLength", &limit) && length < limit)
        add_problem (v, path, "expected at least %.0f characters, got %ld", limit, length);
      if (schema_get_number (schema, "maxLength", &limit) && length > limit)
        add_problem (v, path, "expected at most %.0f characters, got %ld", limit, length);
    }
}

static void
validate_node (Validation *v,
               JsonObject *schema,
               JsonNode   *node,
               const char *path)
{
  const char *ref = schema_get_string (schema, "$ref");
  const char *type;
  const char *format;
  JsonArray *values;

  if (ref != NULL)
    {
      JsonObject *target = lookup_schema (v->schemas, ref);

      if (target == NULL)
        {
          add_problem (v, path, "unresolvable $ref %s", ref);
          return;
        }
      if (v->depth >= MAX_REF_DEPTH)
        {
          add_problem (v, path, "$ref nesting deeper than %u", MAX_REF_DEPTH);
          return;
        }

      /* OpenAPI 3.0 ignores a $ref's siblings; loading refuses schemas that have any. */
      v->depth++;
      validate_node (v, target, node, path);
      v->depth--;
      return;
    }

  if (JSON_NODE_HOLDS_NULL (node) && schema_get_boolean (schema, "nullable"))
    return;

  type = schema_get_string (schema, "type");
  if (type != NULL && !node_has_type (node, type))
    {
      add_problem (v, path, "expected %s, got %s", type, node_type_name (node));
      return;
    }

  if ((values = schema_get_array (schema, "enum")) != NULL)
    check_enum (v, values, node, path);

  if ((format = schema_get_string (schema, "format")) != NULL)
    check_format (v, format, node, path);

  check_bounds (v, schema, node, path);

  if (JSON_NODE_HOLDS_OBJECT (node))
    validate_object (v, schema, json_node_get_object (node), path);
  else if (JSON_NODE_HOLDS_ARRAY (node))
    validate_array (v, schema, json_node_get_array (node), path);

  if ((values = schema_get_array (schema, "allOf")) != NULL)
    {
      for (guint i = 0; i < json_array_get_length (values); i++)
        {
          JsonNode *element = json_array_get_element (values, i);

          if (JSON_NODE_HOLDS_OBJECT (element))
            validate_node (v, json_node_get_object (element), node, path);
        }
    }

  if ((values = schema_get_array (schema, "anyOf")) != NULL)
    validate_any_of (v, "anyOf", values, node, path);

  if ((values = schema_get_array (schema, "oneOf")) != NULL)
    validate_any_of (v, "oneOf", values, node, path);
}

/* Checks a schema (not a value) when a document is loaded. */

static gboolean check_schema (JsonObject  *schemas,
                              JsonNode    *node,
                              const char  *where,
                              GError     **error);

static gboolean
spec_error (GError     **error,
            const char  *where,
            const char  *message)
{
  g_set_error (error, CS_CONTRACT_ERROR, CS_CONTRACT_ERROR_SPEC, "%s: %s", where, message);

  return FALSE;
}

static gboolean
check_schema_list (JsonObject  *schemas,
                   JsonNode    *node,
                   const char  *where,
                   GError     **error)
{
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (json_node_get_array (node)) == 0)
    return spec_error (error, where, "expected a non-empty array of schemas");

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *child = g_strdup_printf ("%s[%u]", where, i);

      if (!check_schema (schemas, json_array_get_element (array, i), child, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
check_keyword (JsonObject  *schemas,
               const char  *keyword,
               JsonNode    *value,
               const char  *where,
               GError     **error)
{
  g_autofree char *child = g_strdup_printf ("%s.%s", where, keyword);

  if (g_str_equal (keyword, "$ref"))
    {
      if (!node_is_string (value) || lookup_schema (schemas, json_node_get_string (value)) == NULL)
        return spec_error (error, child, "expected a resolvable #/components/schemas/ reference");
    }
  else if (g_str_equal (keyword, "type"))
    {
      if (!node_is_string (value) ||
          !g_strv_contains (supported_types, json_node_get_string (value)))
        return spec_error (error, child, "unsupported type");
    }
  else if (g_str_equal (keyword, "format"))
    {
      if (!node_is_string (value) ||
          !g_strv_contains (supported_formats, json_node_get_string (value)))
        return spec_error (error, child, "unsupported format");
    }
  else if (g_str_equal (keyword, "nullable") || g_str_equal (keyword, "exclusiveMinimum") ||
           g_str_equal (keyword, "exclusiveMaximum"))
    {
      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_BOOLEAN)
        return spec_error (error, child, "expected a boolean (OpenAPI 3.0)");
    }
  else if (g_str_equal (keyword, "enum"))
    {
      if (!JSON_NODE_HOLDS_ARRAY (value) ||
          json_array_get_length (json_node_get_array (value)) == 0)
        return spec_error (error, child, "expected a non-empty array");
    }
  else if (g_str_equal (keyword, "required"))
    {
      JsonArray *names = JSON_NODE_HOLDS_ARRAY (value) ? json_node_get_array (value) : NULL;

      for (guint i = 0; names != NULL && i < json_array_get_length (names); i++)
        {
          if (!node_is_string (json_array_get_element (names, i)))
            names = NULL;
        }
      if (names == NULL)
        return spec_error (error, child, "expected an array of names");
    }
  else if (g_str_equal (keyword, "properties"))
    {
      JsonObject *properties;
      g_autoptr(GList) members = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (value))
        return spec_error (error, child, "expected an object");

      properties = json_node_get_object (value);
      members = json_object_get_members (properties);
      for (const GList *l = members; l != NULL; l = l->next)
        {
          g_autofree char *property = g_strdup_printf ("%s.%s", child, (const char *) l->data);

          if (!check_schema (schemas, json_object_get_member (properties, l->data), property,
                             error))
            return FALSE;
        }
    }
  else if (g_str_equal (keyword, "additionalProperties"))
    {
      if (JSON_NODE_HOLDS_OBJECT (value))
        return check_schema (schemas, value, child, error);
      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_BOOLEAN)
        return spec_error (error, child, "expected a boolean or a schema");
    }
  else if (g_str_equal (keyword, "items"))
    {
      return check_schema (schemas, value, child, error);
    }
  else if (g_str_equal (keyword, "allOf") || g_str_equal (keyword, "anyOf") ||
           g_str_equal (keyword, "oneOf"))
    {
      return check_schema_list (schemas, value, child, error);
    }
  else if (!node_is_number (value))
    {
      /* minimum, maximum, minItems, maxItems, minLength, maxLength, minProperties */
      return spec_error (error, child, "expected a number");
    }

  return TRUE;
}

static gboolean
check_schema (JsonObject  *schemas,
              JsonNode    *node,
              const char  *where,
              GError     **error)
{
  JsonObject *schema;
  g_autoptr(GList) members = NULL;
  gboolean has_ref;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return spec_error (error, where, "a schema must be an object");

  schema = json_node_get_object (node);
  has_ref = json_object_has_member (schema, "$ref");
  members = json_object_get_members (schema);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *keyword = l->data;

      if (g_str_has_prefix (keyword, "x-") || g_strv_contains (annotation_keywords, keyword))
        continue;

      if (!g_strv_contains (assertion_keywords, keyword))
        {
          g_autofree char *message = g_strdup_printf ("unsupported schema keyword \"%s\"",
                                                      keyword);

          return spec_error (error, where, message);
        }

      if (has_ref && !g_str_equal (keyword, "$ref"))
        {
          g_autofree char *message = NULL;

          message = g_strdup_printf ("\"%s\" beside \"$ref\" is ignored by OpenAPI 3.0 "
                                     "(wrap the $ref in allOf)", keyword);

          return spec_error (error, where, message);
        }

      if (!check_keyword (schemas, keyword, json_object_get_member (schema, keyword), where,
                          error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
check_schemas (JsonObject  *schemas,
               const char  *where,
               GError     **error)
{
  g_autoptr(GList) names = json_object_get_members (schemas);

  for (const GList *l = names; l != NULL; l = l->next)
    {
      g_autofree char *child = g_strdup_printf ("%s.%s", where, (const char *) l->data);

      if (!check_schema (schemas, json_object_get_member (schemas, l->data), child, error))
        return FALSE;
    }

  return TRUE;
}

/* Parameters as text: query, path and header values */

static gboolean
is_decimal_number (const char *text)
{
  const char *p = text;

  if (*p == '-')
    p++;
  if (!g_ascii_isdigit (*p))
    return FALSE;
  while (g_ascii_isdigit (*p))
    p++;
  if (*p == '.')
    {
      p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
    }
  if (*p == 'e' || *p == 'E')
    {
      p++;
      if (*p == '+' || *p == '-')
        p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
    }

  return *p == '\0';
}

static void
validate_text (Validation *v,
               JsonObject *schema,
               const char *text,
               const char *where)
{
  g_autoptr(JsonNode) node = NULL;
  const char *ref;
  const char *type;

  for (guint depth = 0; (ref = schema_get_string (schema, "$ref")) != NULL; depth++)
    {
      schema = lookup_schema (v->schemas, ref);
      if (schema == NULL || depth >= MAX_REF_DEPTH)
        {
          add_problem (v, where, "unresolvable $ref %s", ref);
          return;
        }
    }

  type = schema_get_string (schema, "type");

  if (type == NULL || g_str_equal (type, "string"))
    {
      node = json_node_init_string (json_node_alloc (), text);
    }
  else if (g_str_equal (type, "number") || g_str_equal (type, "integer"))
    {
      if (!is_decimal_number (text))
        {
          add_problem (v, where, "expected %s %s, got \"%s\"",
                       g_str_equal (type, "number") ? "a" : "an", type, text);
          return;
        }
      node = json_node_init_double (json_node_alloc (), g_ascii_strtod (text, NULL));
    }
  else if (g_str_equal (type, "boolean"))
    {
      if (!g_str_equal (text, "true") && !g_str_equal (text, "false"))
        {
          add_problem (v, where, "expected true or false, got \"%s\"", text);
          return;
        }
      node = json_node_init_boolean (json_node_alloc (), g_str_equal (text, "true"));
    }
  else if (g_str_equal (type, "array"))
    {
      JsonObject *items = schema_get_object (schema, "items");
      g_auto(GStrv) pieces = g_strsplit (text, ",", -1);

      /* Comma lists, as Cal.com takes them (?status=upcoming,past). */
      for (guint i = 0; items != NULL && pieces[i] != NULL; i++)
        validate_text (v, items, pieces[i], where);
      return;
    }
  else
    {
      add_problem (v, where, "a %s cannot be passed as text", type);
      return;
    }

  validate_node (v, schema, node, where);
}

typedef struct
{
  char *name;
  char *value;  /* "" for a bare name */
} QueryPair;

static void
query_pair_free (gpointer data)
{
  QueryPair *pair = data;

  g_free (pair->name);
  g_free (pair->value);
  g_free (pair);
}

static char *
form_decode (const char *text)
{
  g_autofree char *plus_as_space = g_strdup (text);
  g_autofree char *decoded = NULL;

  g_strdelimit (plus_as_space, "+", ' ');
  decoded = g_uri_unescape_string (plus_as_space, NULL);
  if (decoded == NULL || !g_utf8_validate (decoded, -1, NULL))
    return NULL;

  return g_steal_pointer (&decoded);
}

static GPtrArray *
parse_query (Validation *v,
             const char *query)
{
  GPtrArray *pairs = g_ptr_array_new_with_free_func (query_pair_free);
  g_auto(GStrv) pieces = NULL;

  if (query == NULL)
    return pairs;

  if (query[0] == '?')
    query++;

  pieces = g_strsplit (query, "&", -1);
  for (guint i = 0; pieces[i] != NULL; i++)
    {
      const char *equals = strchr (pieces[i], '=');
      g_autofree char *raw_name = NULL;
      QueryPair *pair;

      if (pieces[i][0] == '\0')
        continue;

      raw_name = equals != NULL ? g_strndup (pieces[i], equals - pieces[i]) : g_strdup (pieces[i]);
      pair = g_new0 (QueryPair, 1);
      pair->name = form_decode (raw_name);
      pair->value = form_decode (equals != NULL ? equals + 1 : "");

      if (pair->name == NULL || pair->value == NULL || pair->name[0] == '\0')
        {
          add_problem (v, "query", "malformed piece \"%s\" (empty name or bad %%-escape)",
                       pieces[i]);
          query_pair_free (pair);
          continue;
        }

      g_ptr_array_add (pairs, pair);
    }

  return pairs;
}

/* Optimal string alignment distance, for "did you mean". */
static guint
edit_distance (const char *a,
               const char *b)
{
  gsize n = strlen (a);
  gsize m = strlen (b);
  g_autofree guint *d = g_new0 (guint, (n + 1) * (m + 1));
  guint result;

#define D(i, j) d[(i) * (m + 1) + (j)]
  for (gsize i = 0; i <= n; i++)
    D (i, 0) = i;
  for (gsize j = 0; j <= m; j++)
    D (0, j) = j;

  for (gsize i = 1; i <= n; i++)
    {
      for (gsize j = 1; j <= m; j++)
        {
          guint cost = a[i - 1] == b[j - 1] ? 0 : 1;
          guint best = MIN (D (i - 1, j) + 1, D (i, j - 1) + 1);

          best = MIN (best, D (i - 1, j - 1) + cost);
          if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
            best = MIN (best, D (i - 2, j - 2) + 1);
          D (i, j) = best;
        }
    }

  result = D (n, m);
#undef D

  return result;
}

static char *
describe_unknown_name (const char         *name,
                       const char * const *known)
{
  g_autofree char *list = g_strjoinv (", ", (char **) known);
  const char *closest = NULL;
  guint closest_distance = G_MAXUINT;

  for (guint i = 0; known[i] != NULL; i++)
    {
      guint distance = 0;

      if (g_ascii_strcasecmp (name, known[i]) != 0)
        distance = edit_distance (name, known[i]);

      if (distance < closest_distance)
        {
          closest = known[i];
          closest_distance = distance;
        }
    }

  if (closest != NULL && closest_distance <= MAX (2, strlen (name) / 4))
    return g_strdup_printf ("did you mean \"%s\"?", closest);
  if (known[0] == NULL)
    return g_strdup ("this operation takes no query parameters");

  return g_strdup_printf ("known: %s", list);
}

/* "Name" or "Name: value"; %FALSE for a malformed name. */
static gboolean
split_header (const char  *entry,
              char       **name_out,
              char       **value_out)
{
  const char *colon = strchr (entry, ':');
  g_autofree char *name = NULL;

  name = colon != NULL ? g_strndup (entry, colon - entry) : g_strdup (entry);
  g_strstrip (name);
  *value_out = colon != NULL ? g_strstrip (g_strdup (colon + 1)) : NULL;
  *name_out = g_steal_pointer (&name);

  return (*name_out)[0] != '\0' && strpbrk (*name_out, " \t\r\n") == NULL;
}

/* Lower-case names to values (%NULL where only the name was given). */
static GHashTable *
parse_headers (Validation         *v,
               const char * const *header_names)
{
  GHashTable *headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; header_names != NULL && header_names[i] != NULL; i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (!split_header (header_names[i], &name, &value))
        {
          add_problem (v, "headers", "malformed header name \"%s\"", name);
          continue;
        }

      g_hash_table_replace (headers, g_ascii_strdown (name, -1), g_steal_pointer (&value));
    }

  return headers;
}

static gboolean
media_type_is_json (const char *value)
{
  gsize length = strcspn (value, ";");

  while (length > 0 && g_ascii_isspace (value[length - 1]))
    length--;

  return length == strlen ("application/json") &&
         g_ascii_strncasecmp (value, "application/json", length) == 0;
}

/* Header values the contracts pin down. A token is never repeated in a message. */
static void
check_header_values (Validation         *v,
                     const char * const *header_names)
{
  for (guint i = 0; header_names != NULL && header_names[i] != NULL; i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *text = NULL;
      g_autofree char *where = NULL;

      if (!split_header (header_names[i], &name, &text) || text == NULL)
        continue;

      where = g_strdup_printf ("header %s", name);

      if (g_ascii_strcasecmp (name, "Authorization") == 0)
        {
          g_autofree char *token = g_strstrip (g_strdup (text + MIN (strlen (text), 7)));

          if (g_ascii_strncasecmp (text, "Bearer ", 7) != 0 || token[0] == '\0')
            add_problem (v, where, "expected \"Bearer <token>\"");
        }
      else if (g_ascii_strcasecmp (name, "Accept") == 0)
        {
          g_autofree char *lower = g_ascii_strdown (text, -1);

          if (strstr (lower, "application/json") == NULL)
            add_problem (v, where, "expected application/json, got \"%s\"", text);
        }
      else if (g_ascii_strcasecmp (name, "Content-Type") == 0)
        {
          if (!media_type_is_json (text))
            add_problem (v, where, "expected application/json, got \"%s\"", text);
        }
      else if (g_ascii_strcasecmp (name, "Idempotency-Key") == 0)
        {
          if (!g_uuid_string_is_valid (text))
            add_problem (v, where, "expected a UUID, got \"%s\"", text);
        }
      else if (g_ascii_strcasecmp (name, "cal-api-version") == 0)
        {
          if (!g_str_equal (text, CALCOM_API_VERSION))
            add_problem (v, where, "expected %s (the spec's version), got \"%s\"",
                         CALCOM_API_VERSION, text);
        }
    }
}

static gboolean
body_is_empty (GBytes *body)
{
  return body == NULL || g_bytes_get_size (body) == 0;
}

static JsonNode *
parse_body (Validation *v,
            GBytes     *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  gsize size = 0;
  const char *data;

  if (body_is_empty (body))
    {
      add_problem (v, "body", "empty, expected JSON");
      return NULL;
    }

  data = g_bytes_get_data (body, &size);
  if (size > G_MAXSSIZE || !json_parser_load_from_data (parser, data, (gssize) size, &local_error))
    {
      add_problem (v, "body", "not JSON: %s",
                   local_error != NULL ? local_error->message : "too large");
      return NULL;
    }

  if (json_parser_get_root (parser) == NULL)
    {
      add_problem (v, "body", "empty, expected JSON");
      return NULL;
    }

  return json_node_copy (json_parser_get_root (parser));
}

/* Splits "path?query"; the query argument wins where given. */
static void
split_path (const char  *path,
            const char  *query,
            char       **path_out,
            char       **query_out)
{
  const char *mark = strpbrk (path, "?#");

  *path_out = mark != NULL ? g_strndup (path, mark - path) : g_strdup (path);

  if (query != NULL || mark == NULL || *mark != '?')
    {
      *query_out = g_strdup (query);
      return;
    }

  *query_out = g_strndup (mark + 1, strcspn (mark + 1, "#"));
}

/* Embedded schemas: the Cal.com error envelope and the backend contract */

/*
 * Written with ' for " so that it reads as JSON; no text in it has an
 * apostrophe. Times are RFC 3339 with offset (backend-api.md, Conventions);
 * the sync vocabulary is DESIGN.md's. Requests are strict (no unknown
 * members: our client builds them); answers allow unknown members, as the
 * client ignores them.
 */
static const char contract_schemas_json[] =
  "{"
  "'CalcomErrorEnvelope': {'type': 'object',"
  "  'required': ['status', 'timestamp', 'path', 'error'],"
  "  'properties': {'status': {'type': 'string', 'enum': ['error']},"
  "    'timestamp': {'type': 'string', 'format': 'date-time'},"
  "    'path': {'type': 'string'},"
  "    'error': {'type': 'object', 'required': ['code', 'message'],"
  "      'properties': {'code': {'type': 'string'}, 'message': {'type': 'string'}}}}},"

  "'Time': {'type': 'string', 'format': 'date-time'},"
  "'NullableTime': {'type': 'string', 'format': 'date-time', 'nullable': true},"
  "'Id': {'type': 'integer', 'minimum': 1},"
  "'NullableString': {'type': 'string', 'nullable': true},"
  "'CrmStatus': {'type': 'string',"
  "  'enum': ['scheduled', 'confirmed', 'completed', 'no_show', 'cancelled']},"
  "'SyncStatus': {'type': 'string', 'enum': ['pending', 'verification_pending', 'synced',"
  "  'failed', 'orphaned_local', 'orphaned_calcom']},"
  "'SyncErrorCode': {'type': 'string', 'nullable': true, 'enum': ['ORPHANED_LOCAL',"
  "  'ORPHANED_CALCOM', 'DATA_MISMATCH', 'VERIFICATION_ERROR', 'CIRCUIT_OPEN']},"

  "'Sync': {'type': 'object',"
  "  'required': ['calcom_sync_status', 'last_sync_attempt_at', 'sync_attempt_count',"
  "    'sync_error_message', 'sync_error_code', 'sync_verified_at', 'requires_manual_review',"
  "    'manual_review_flagged_at'],"
  "  'properties': {"
  "    'calcom_sync_status': {'$ref': '#/components/schemas/SyncStatus'},"
  "    'last_sync_attempt_at': {'$ref': '#/components/schemas/NullableTime'},"
  "    'sync_attempt_count': {'type': 'integer', 'minimum': 0},"
  "    'sync_error_message': {'$ref': '#/components/schemas/NullableString'},"
  "    'sync_error_code': {'$ref': '#/components/schemas/SyncErrorCode'},"
  "    'sync_verified_at': {'$ref': '#/components/schemas/NullableTime'},"
  "    'requires_manual_review': {'type': 'boolean'},"
  "    'manual_review_flagged_at': {'$ref': '#/components/schemas/NullableTime'}}},"

  "'Customer': {'type': 'object', 'properties': {"
  "  'name': {'$ref': '#/components/schemas/NullableString'},"
  "  'email': {'$ref': '#/components/schemas/NullableString'},"
  "  'phone': {'$ref': '#/components/schemas/NullableString'}}},"

  "'Appointment': {'type': 'object',"
  "  'required': ['id', 'company_id', 'starts_at', 'ends_at', 'status'],"
  "  'properties': {"
  "    'id': {'$ref': '#/components/schemas/Id'},"
  "    'company_id': {'$ref': '#/components/schemas/Id'},"
  "    'number': {'$ref': '#/components/schemas/NullableString'},"
  "    'starts_at': {'$ref': '#/components/schemas/Time'},"
  "    'ends_at': {'$ref': '#/components/schemas/Time'},"
  "    'status': {'$ref': '#/components/schemas/CrmStatus'},"
  "    'title': {'$ref': '#/components/schemas/NullableString'},"
  "    'customer': {'nullable': true, 'allOf': [{'$ref': '#/components/schemas/Customer'}]},"
  "    'calcom_booking_uid': {'$ref': '#/components/schemas/NullableString'},"
  "    'calcom_event_type_id': {'type': 'integer', 'nullable': true},"
  "    'source': {'$ref': '#/components/schemas/NullableString'},"
  "    'created_at': {'$ref': '#/components/schemas/NullableTime'},"
  "    'updated_at': {'$ref': '#/components/schemas/NullableTime'},"
  "    'deleted_at': {'$ref': '#/components/schemas/NullableTime'},"
  "    'sync': {'nullable': true, 'allOf': [{'$ref': '#/components/schemas/Sync'}]}}},"

  "'Me': {'type': 'object', 'required': ['data'], 'properties': {'data': {'type': 'object',"
  "  'required': ['user', 'company'], 'properties': {"
  "    'user': {'type': 'object', 'required': ['id', 'name', 'role'], 'properties': {"
  "      'id': {'$ref': '#/components/schemas/Id'}, 'name': {'type': 'string'},"
  "      'role': {'type': 'string', 'enum': ['admin', 'manager', 'staff']}}},"
  "    'company': {'type': 'object', 'required': ['id', 'name', 'timezone'], 'properties': {"
  "      'id': {'$ref': '#/components/schemas/Id'}, 'name': {'type': 'string'},"
  "      'timezone': {'type': 'string', 'minLength': 1}}}}}}},"

  /* Laravel's paginator: last_page is at least 1, even for no rows. */
  "'AppointmentList': {'type': 'object', 'required': ['data', 'meta'], 'properties': {"
  "  'data': {'type': 'array', 'items': {'$ref': '#/components/schemas/Appointment'}},"
  "  'meta': {'type': 'object', 'required': ['current_page', 'last_page', 'per_page', 'total'],"
  "    'properties': {'current_page': {'type': 'integer', 'minimum': 1},"
  "      'last_page': {'type': 'integer', 'minimum': 1},"
  "      'per_page': {'type': 'integer', 'minimum': 1, 'maximum': 500},"
  "      'total': {'type': 'integer', 'minimum': 0}}}}},"
  "'AppointmentSingle': {'type': 'object', 'required': ['data'],"
  "  'properties': {'data': {'$ref': '#/components/schemas/Appointment'}}},"
  "'Updated': {'type': 'object', 'required': ['data'], 'properties': {'data': {'type': 'object',"
  "  'required': ['updated'], 'properties': {'updated': {'type': 'integer', 'minimum': 0}}}}},"
  "'Accepted': {'type': 'object', 'required': ['data'], 'properties': {'data': {'type': 'object',"
  "  'required': ['accepted'], 'properties': {'accepted': {'type': 'integer', 'minimum': 0}}}}},"
  "'Error': {'type': 'object', 'required': ['message'], 'properties': {"
  "  'message': {'type': 'string'},"
  "  'errors': {'type': 'object',"
  "    'additionalProperties': {'type': 'array', 'items': {'type': 'string'}}}}},"
  "'ValidationError': {'allOf': [{'$ref': '#/components/schemas/Error'},"
  "  {'required': ['errors']}]},"
  "'Conflict': {'type': 'object', 'required': ['data'], 'properties': {"
  "  'message': {'type': 'string'}, 'data': {'$ref': '#/components/schemas/Appointment'}}},"

  "'CreateBody': {'type': 'object', 'additionalProperties': false,"
  "  'required': ['starts_at', 'ends_at', 'title', 'customer', 'calcom_booking_uid', 'source'],"
  "  'properties': {"
  "    'starts_at': {'$ref': '#/components/schemas/Time'},"
  "    'ends_at': {'$ref': '#/components/schemas/Time'},"
  "    'title': {'type': 'string'},"
  "    'customer': {'type': 'object', 'additionalProperties': false, 'properties': {"
  "      'name': {'$ref': '#/components/schemas/NullableString'},"
  "      'email': {'$ref': '#/components/schemas/NullableString'},"
  "      'phone': {'$ref': '#/components/schemas/NullableString'}}},"
  "    'calcom_booking_uid': {'type': 'string', 'minLength': 1},"
  "    'source': {'type': 'string', 'enum': ['calcom']}}},"
  "'PatchBody': {'type': 'object', 'additionalProperties': false, 'minProperties': 1,"
  "  'properties': {"
  "    'starts_at': {'$ref': '#/components/schemas/Time'},"
  "    'ends_at': {'$ref': '#/components/schemas/Time'},"
  "    'status': {'$ref': '#/components/schemas/CrmStatus'},"
  "    'calcom_booking_uid': {'$ref': '#/components/schemas/NullableString'}}},"
  "'CancelBody': {'type': 'object', 'additionalProperties': false, 'required': ['reason'],"
  "  'properties': {'reason': {'type': 'string'}}},"
  "'SyncUpdate': {'type': 'object', 'additionalProperties': false,"
  "  'required': ['id', 'calcom_sync_status', 'last_sync_attempt_at', 'sync_attempt_count',"
  "    'sync_error_message', 'sync_error_code', 'sync_verified_at', 'requires_manual_review',"
  "    'manual_review_flagged_at'],"
  "  'properties': {"
  "    'id': {'$ref': '#/components/schemas/Id'},"
  "    'calcom_sync_status': {'$ref': '#/components/schemas/SyncStatus'},"
  "    'last_sync_attempt_at': {'$ref': '#/components/schemas/NullableTime'},"
  "    'sync_attempt_count': {'type': 'integer', 'minimum': 0},"
  "    'sync_error_message': {'$ref': '#/components/schemas/NullableString'},"
  "    'sync_error_code': {'$ref': '#/components/schemas/SyncErrorCode'},"
  "    'sync_verified_at': {'$ref': '#/components/schemas/NullableTime'},"
  "    'requires_manual_review': {'type': 'boolean'},"
  "    'manual_review_flagged_at': {'$ref': '#/components/schemas/NullableTime'}}},"
  "'SyncStatusBody': {'type': 'object', 'additionalProperties': false, 'required': ['updates'],"
  "  'properties': {'updates': {'type': 'array', 'maxItems': 500,"
  "    'items': {'$ref': '#/components/schemas/SyncUpdate'}}}},"
  /* Orphaned-Cal.com actions have no appointment yet: appointment_id may be null. */
  "'AuditEntry': {'type': 'object', 'additionalProperties': false,"
  "  'required': ['key', 'appointment_id', 'action', 'result', 'note', 'performed_at',"
  "    'performed_by'],"
  "  'properties': {"
  "    'key': {'type': 'string', 'format': 'uuid'},"
  "    'appointment_id': {'type': 'integer', 'minimum': 1, 'nullable': true},"
  "    'action': {'type': 'string', 'minLength': 1},"
  "    'result': {'type': 'string', 'minLength': 1},"
  "    'note': {'$ref': '#/components/schemas/NullableString'},"
  "    'performed_at': {'$ref': '#/components/schemas/Time'},"
  "    'performed_by': {'type': 'integer', 'minimum': 1, 'nullable': true}}},"
  "'AuditLogBody': {'type': 'object', 'additionalProperties': false, 'required': ['entries'],"
  "  'properties': {'entries': {'type': 'array',"
  "    'items': {'$ref': '#/components/schemas/AuditEntry'}}}},"

  "'QueryTime': {'$ref': '#/components/schemas/Time'},"
  "'QueryPage': {'type': 'integer', 'minimum': 1},"
  "'QueryPerPage': {'type': 'integer', 'minimum': 1, 'maximum': 500}"
  "}";

static JsonParser *
load_contract_schemas (GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = g_strdup (contract_schemas_json);
  JsonObject *schemas;

  g_strdelimit (text, "'", '"');
  if (!json_parser_load_from_data (parser, text, -1, error))
    return NULL;

  schemas = json_node_get_object (json_parser_get_root (parser));
  if (!check_schemas (schemas, "contract", error))
    return NULL;

  return g_steal_pointer (&parser);
}

/* Validates @node against a named embedded schema, adding problems to @v. */
static gboolean
validate_against_contract (Validation *v,
                           const char *schema_name,
                           JsonNode   *node,
                           GError    **error)
{
  g_autoptr(JsonParser) parser = load_contract_schemas (error);
  JsonObject *saved = v->schemas;
  JsonObject *schemas;

  if (parser == NULL)
    return FALSE;

  schemas = json_node_get_object (json_parser_get_root (parser));
  v->schemas = schemas;
  validate_node (v, schema_get_object (schemas, schema_name), node, "");
  v->schemas = saved;

  return TRUE;
}

/* OpenAPI documents */

static gboolean
check_parameter (JsonObject  *schemas,
                 JsonNode    *node,
                 const char  *where,
                 GError     **error)
{
  static const char * const locations[] = { "query", "header", "path", "cookie", NULL };
  JsonObject *parameter;
  const char *style;
  g_autofree char *schema_where = g_strdup_printf ("%s.schema", where);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return spec_error (error, where, "a parameter must be an object");

  parameter = json_node_get_object (node);
  if (json_object_has_member (parameter, "$ref") || json_object_has_member (parameter, "content"))
    return spec_error (error, where, "parameter $ref and content are not supported");
  if (schema_get_string (parameter, "name") == NULL ||
      schema_get_string (parameter, "in") == NULL ||
      !g_strv_contains (locations, schema_get_string (parameter, "in")))
    return spec_error (error, where, "a parameter needs a name and a known \"in\"");

  style = schema_get_string (parameter, "style");
  if (style != NULL && !g_str_equal (style, "form") && !g_str_equal (style, "simple"))
    return spec_error (error, where, "only form and simple parameter styles are supported");

  if (!json_object_has_member (parameter, "schema"))
    return spec_error (error, where, "a parameter needs a schema");

  return check_schema (schemas, json_object_get_member (parameter, "schema"), schema_where, error);
}

static JsonObject *
json_content_schema (JsonObject *holder)
{
  JsonObject *content = schema_get_object (holder, "content");
  JsonObject *media;

  if (content == NULL || (media = schema_get_object (content, "application/json")) == NULL)
    return NULL;

  return schema_get_object (media, "schema");
}

static gboolean
check_content (JsonObject  *schemas,
               JsonObject  *holder,
               const char  *where,
               GError     **error)
{
  JsonObject *content = schema_get_object (holder, "content");
  g_autofree char *schema_where = g_strdup_printf ("%s.content.application/json.schema", where);
  JsonObject *media;

  if (content == NULL)
    return TRUE;

  if (json_object_get_size (content) != 1 ||
      (media = schema_get_object (content, "application/json")) == NULL ||
      !json_object_has_member (media, "schema"))
    return spec_error (error, where, "only application/json content with a schema is supported");

  return check_schema (schemas, json_object_get_member (media, "schema"), schema_where, error);
}

static gboolean
check_operation (JsonObject  *schemas,
                 JsonObject  *operation,
                 const char  *where,
                 GError     **error)
{
  JsonArray *parameters = schema_get_array (operation, "parameters");
  JsonObject *request_body = schema_get_object (operation, "requestBody");
  JsonObject *responses = schema_get_object (operation, "responses");
  g_autoptr(GList) codes = NULL;

  for (guint i = 0; parameters != NULL && i < json_array_get_length (parameters); i++)
    {
      g_autofree char *child = g_strdup_printf ("%s.parameters[%u]", where, i);

      if (!check_parameter (schemas, json_array_get_element (parameters, i), child, error))
        return FALSE;
    }

  if (request_body != NULL)
    {
      g_autofree char *child = g_strdup_printf ("%s.requestBody", where);

      if (json_content_schema (request_body) == NULL)
        return spec_error (error, child, "only application/json request bodies are supported");
      if (!check_content (schemas, request_body, child, error))
        return FALSE;
    }

  if (responses == NULL)
    return spec_error (error, where, "an operation needs responses");

  codes = json_object_get_members (responses);
  for (const GList *l = codes; l != NULL; l = l->next)
    {
      g_autofree char *child = g_strdup_printf ("%s.responses.%s", where, (const char *) l->data);
      JsonObject *response = schema_get_object (responses, l->data);

      if (response == NULL || json_object_has_member (response, "$ref"))
        return spec_error (error, child, "expected an inline response object");
      if (!check_content (schemas, response, child, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
check_paths (JsonObject  *schemas,
             JsonObject  *paths,
             GError     **error)
{
  g_autoptr(GList) templates = json_object_get_members (paths);

  for (const GList *l = templates; l != NULL; l = l->next)
    {
      const char *template = l->data;
      JsonObject *path_item = schema_get_object (paths, template);
      JsonArray *shared = NULL;
      g_autofree char *where = g_strdup_printf ("paths.%s", template);

      if (template[0] != '/' || path_item == NULL)
        return spec_error (error, where, "expected a path item for a path beginning with /");

      shared = schema_get_array (path_item, "parameters");
      for (guint i = 0; shared != NULL && i < json_array_get_length (shared); i++)
        {
          g_autofree char *child = g_strdup_printf ("%s.parameters[%u]", where, i);

          if (!check_parameter (schemas, json_array_get_element (shared, i), child, error))
            return FALSE;
        }

      for (guint i = 0; http_methods[i] != NULL; i++)
        {
          JsonObject *operation = schema_get_object (path_item, http_methods[i]);
          g_autofree char *child = g_strdup_printf ("%s.%s", where, http_methods[i]);

          if (operation != NULL && !check_operation (schemas, operation, child, error))
            return FALSE;
        }
    }

  return TRUE;
}

/**
 * cs_openapi_load:
 * @path: an OpenAPI 3.0 document in JSON
 * @error: return location for a #GError
 *
 * Loads @path and checks that it uses only what the validator supports.
 *
 * Returns: (transfer full) (nullable): the document, or %NULL with @error set
 */
static guint
extend_enums (JsonNode   *node,
              const char *member,
              const char *value)
{
  guint n = 0;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        n += extend_enums (json_array_get_element (array, i), member, value);
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonNode *values = json_object_get_member (object, "enum");
      g_autoptr(GList) members = json_object_get_members (object);

      if (values != NULL && JSON_NODE_HOLDS_ARRAY (values))
        {
          JsonArray *array = json_node_get_array (values);
          gboolean has = FALSE;

          for (guint i = 0; i < json_array_get_length (array); i++)
            has |= g_strcmp0 (json_node_get_string (json_array_get_element (array, i)),
                              member) == 0;
          if (has)
            {
              json_array_add_string_element (array, value);
              n++;
            }
        }

      for (GList *l = members; l != NULL; l = l->next)
        if (g_strcmp0 (l->data, "enum") != 0)
          n += extend_enums (json_object_get_member (object, l->data), member, value);
    }

  return n;
}

/**
 * cs_openapi_extend_enum:
 * @api: a contract
 * @member: a value an enum must hold to be extended
 * @value: the value to add to it
 *
 * Adds @value to every enum that holds @member: for what the server
 * really sends beyond its published document (NOTES.md: Cal.com's
 * `awaiting_host` status).
 *
 * Returns: how many enums were extended
 */
guint
cs_openapi_extend_enum (CsOpenApi  *api,
                        const char *member,
                        const char *value)
{
  return extend_enums (json_parser_get_root (api->parser), member, value);
}

CsOpenApi *
cs_openapi_load (const char  *path,
                 GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(CsOpenApi) api = NULL;
  JsonNode *root;
  JsonObject *components;
  const char *version;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!json_parser_load_from_file (parser, path, error))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      spec_error (error, path, "expected an OpenAPI document (a JSON object)");
      return NULL;
    }

  api = g_new0 (CsOpenApi, 1);
  api->parser = g_steal_pointer (&parser);

  version = schema_get_string (json_node_get_object (root), "openapi");
  if (version == NULL || !g_str_has_prefix (version, "3.0."))
    {
      spec_error (error, path, "expected \"openapi\": \"3.0.x\"");
      return NULL;
    }

  api->paths = schema_get_object (json_node_get_object (root), "paths");
  components = schema_get_object (json_node_get_object (root), "components");
  api->schemas = components != NULL ? schema_get_object (components, "schemas") : NULL;

  if (api->paths == NULL || api->schemas == NULL)
    {
      spec_error (error, path, "expected paths and components.schemas");
      return NULL;
    }

  if (!check_schemas (api->schemas, "components.schemas", error) ||
      !check_paths (api->schemas, api->paths, error))
    return NULL;

  return g_steal_pointer (&api);
}

/**
 * cs_openapi_free:
 * @api: (nullable): a document
 *
 * Frees @api.
 */
void
cs_openapi_free (CsOpenApi *api)
{
  if (api == NULL)
    return;

  g_clear_object (&api->parser);
  g_free (api);
}

/* How well a template matches segments [first, first + n) of the path; -1 if not. */
static int
template_score (char      **template_segments,
                char      **path_segments,
                guint       first,
                GHashTable *values)
{
  int literals = 0;

  for (guint i = 0; template_segments[i] != NULL; i++)
    {
      const char *t = template_segments[i];
      const char *p = path_segments[first + i];

      if (p == NULL)
        return -1;

      if (t[0] == '{' && g_str_has_suffix (t, "}"))
        {
          g_autofree char *decoded = g_uri_unescape_string (p, NULL);

          if (p[0] == '\0' || decoded == NULL)
            return -1;
          if (values != NULL)
            g_hash_table_replace (values, g_strndup (t + 1, strlen (t) - 2),
                                  g_steal_pointer (&decoded));
        }
      else if (g_str_equal (t, p))
        {
          literals++;
        }
      else
        {
          return -1;
        }
    }

  if (path_segments[first + g_strv_length (template_segments)] != NULL)
    return -1;

  return literals;
}

/*
 * Finds the path template for @path: an exact match first, else one that
 * matches the path's tail (a base URL with a prefix); among several, the one
 * with the most literal segments. Fills @values with the path parameters.
 */
static const char *
find_template (CsOpenApi  *api,
               const char *path,
               GHashTable *values)
{
  g_auto(GStrv) path_segments = NULL;
  g_autoptr(GList) templates = NULL;
  const char *best = NULL;
  guint best_first = 0;
  int best_score = -1;
  guint n_path;

  if (path[0] != '/')
    return NULL;

  path_segments = g_strsplit (path + 1, "/", -1);
  n_path = g_strv_length (path_segments);
  templates = json_object_get_members (api->paths);

  for (guint pass = 0; pass < 2 && best == NULL; pass++)
    {
      for (const GList *l = templates; l != NULL; l = l->next)
        {
          g_auto(GStrv) template_segments = g_strsplit ((const char *) l->data + 1, "/", -1);
          guint n_template = g_strv_length (template_segments);
          guint first;
          int score;

          if (pass == 0)
            first = 0;
          else if (n_path > n_template)
            first = n_path - n_template;
          else
            continue;

          score = template_score (template_segments, path_segments, first, NULL);
          if (score > best_score)
            {
              best = l->data;
              best_score = score;
              best_first = first;
            }
        }
    }

  if (best != NULL)
    {
      g_auto(GStrv) template_segments = g_strsplit (best + 1, "/", -1);

      template_score (template_segments, path_segments, best_first, values);
    }

  return best;
}

typedef struct
{
  char       *method;    /* upper case, for messages */
  char       *path;
  char       *query;
  const char *template;
  JsonObject *operation;
  GPtrArray  *parameters;  /* JsonObject, borrowed: path-item ones overridden by the operation's */
  GHashTable *path_values;
} Request;

static void
request_clear (Request *request)
{
  g_clear_pointer (&request->method, g_free);
  g_clear_pointer (&request->path, g_free);
  g_clear_pointer (&request->query, g_free);
  g_clear_pointer (&request->parameters, g_ptr_array_unref);
  g_clear_pointer (&request->path_values, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Request, request_clear)

static void
add_parameters (GPtrArray *parameters,
                JsonArray *array)
{
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *parameter = json_node_get_object (json_array_get_element (array, i));
      const char *name = schema_get_string (parameter, "name");
      const char *in = schema_get_string (parameter, "in");

      for (guint j = 0; j < parameters->len; j++)
        {
          JsonObject *old = g_ptr_array_index (parameters, j);

          if (g_str_equal (schema_get_string (old, "name"), name) &&
              g_str_equal (schema_get_string (old, "in"), in))
            {
              g_ptr_array_remove_index (parameters, j);
              break;
            }
        }

      g_ptr_array_add (parameters, parameter);
    }
}

static gboolean
find_operation (CsOpenApi   *api,
                const char  *method,
                const char  *path,
                const char  *query,
                Request     *request,
                GError     **error)
{
  g_autofree char *key = g_ascii_strdown (method, -1);
  g_autoptr(GString) allowed = NULL;
  JsonObject *path_item;

  request->method = g_ascii_strup (method, -1);
  split_path (path, query, &request->path, &request->query);
  request->path_values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  request->parameters = g_ptr_array_new ();

  request->template = find_template (api, request->path, request->path_values);
  if (request->template == NULL)
    {
      g_set_error (error, CS_CONTRACT_ERROR, CS_CONTRACT_ERROR_OPERATION,
                   "%s %s: no path of the spec matches", method, request->path);
      return FALSE;
    }

  path_item = schema_get_object (api->paths, request->template);
  request->operation = schema_get_object (path_item, key);
  if (request->operation == NULL || !g_strv_contains (http_methods, key))
    {
      allowed = g_string_new (NULL);
      for (guint i = 0; http_methods[i] != NULL; i++)
        {
          if (schema_get_object (path_item, http_methods[i]) != NULL)
            g_string_append_printf (allowed, "%s%s", allowed->len > 0 ? ", " : "",
                                    http_methods[i]);
        }

      g_set_error (error, CS_CONTRACT_ERROR, CS_CONTRACT_ERROR_OPERATION,
                   "%s %s: %s has no %s operation (it has: %s)", method, request->path,
                   request->template, method, allowed->str);
      request->operation = NULL;
      return FALSE;
    }

  add_parameters (request->parameters, schema_get_array (path_item, "parameters"));
  add_parameters (request->parameters, schema_get_array (request->operation, "parameters"));

  return TRUE;
}

static void
validate_query (Validation *v,
                Request    *request)
{
  g_autoptr(GPtrArray) pairs = parse_query (v, request->query);
  g_autoptr(GPtrArray) known = g_ptr_array_new ();

  for (guint i = 0; i < request->parameters->len; i++)
    {
      JsonObject *parameter = g_ptr_array_index (request->parameters, i);

      if (g_str_equal (schema_get_string (parameter, "in"), "query"))
        g_ptr_array_add (known, (gpointer) schema_get_string (parameter, "name"));
    }
  g_ptr_array_add (known, NULL);

  /* Cal.com ignores unknown names silently and answers unfiltered: never here. */
  for (guint i = 0; i < pairs->len; i++)
    {
      QueryPair *pair = g_ptr_array_index (pairs, i);

      if (!g_strv_contains ((const char * const *) known->pdata, pair->name))
        {
          g_autofree char *where = g_strdup_printf ("query %s", pair->name);
          g_autofree char *hint = describe_unknown_name (pair->name,
                                                         (const char * const *) known->pdata);

          add_problem (v, where, "not a parameter of %s %s (%s)", request->method,
                       request->template, hint);
        }
    }

  for (guint i = 0; i < request->parameters->len; i++)
    {
      JsonObject *parameter = g_ptr_array_index (request->parameters, i);
      JsonObject *schema = schema_get_object (parameter, "schema");
      const char *name = schema_get_string (parameter, "name");
      g_autofree char *where = g_strdup_printf ("query %s", name);
      const char *type = schema_get_string (schema, "type");
      guint count = 0;

      if (!g_str_equal (schema_get_string (parameter, "in"), "query"))
        continue;

      for (guint j = 0; j < pairs->len; j++)
        {
          QueryPair *pair = g_ptr_array_index (pairs, j);

          if (!g_str_equal (pair->name, name))
            continue;

          count++;
          validate_text (v, schema, pair->value, where);

          if (g_strv_contains (calcom_time_parameters, name) && !is_iso8601 (pair->value))
            add_problem (v, where, "expected an ISO 8601 time with offset (NOTES.md), got \"%s\"%s",
                         pair->value,
                         strchr (pair->value, ' ') != NULL ? " (an unescaped '+' reads as a space)"
                                                           : "");

          if (g_str_equal (name, "take") && is_decimal_number (pair->value) &&
              (g_ascii_strtod (pair->value, NULL) < 1 ||
               g_ascii_strtod (pair->value, NULL) > CALCOM_MAX_TAKE))
            add_problem (v, where, "expected 1 to %d (the server's maximum, NOTES.md), got %s",
                         CALCOM_MAX_TAKE, pair->value);
          if (g_str_equal (name, "skip") && is_decimal_number (pair->value) &&
              g_ascii_strtod (pair->value, NULL) < 0)
            add_problem (v, where, "expected at least 0, got %s", pair->value);
        }

      if (count > 1 && g_strcmp0 (type, "array") != 0)
        add_problem (v, where, "given %u times", count);
      if (count == 0 && schema_get_boolean (parameter, "required"))
        add_problem (v, where, "required parameter missing");
    }
}

static void
validate_path_parameters (Validation *v,
                          Request    *request)
{
  for (guint i = 0; i < request->parameters->len; i++)
    {
      JsonObject *parameter = g_ptr_array_index (request->parameters, i);
      const char *name = schema_get_string (parameter, "name");
      const char *value = g_hash_table_lookup (request->path_values, name);
      g_autofree char *where = g_strdup_printf ("path %s", name);

      if (!g_str_equal (schema_get_string (parameter, "in"), "path"))
        continue;

      if (value == NULL)
        add_problem (v, where, "not in the path template %s", request->template);
      else
        validate_text (v, schema_get_object (parameter, "schema"), value, where);
    }
}

static void
validate_headers (Validation         *v,
                  Request            *request,
                  const char * const *header_names,
                  gboolean            has_body)
{
  g_autoptr(GHashTable) headers = parse_headers (v, header_names);

  for (guint i = 0; i < request->parameters->len; i++)
    {
      JsonObject *parameter = g_ptr_array_index (request->parameters, i);
      const char *name = schema_get_string (parameter, "name");
      g_autofree char *lower = g_ascii_strdown (name, -1);
      g_autofree char *where = g_strdup_printf ("header %s", name);
      const char *value = NULL;
      gboolean present;

      if (!g_str_equal (schema_get_string (parameter, "in"), "header"))
        continue;

      present = g_hash_table_lookup_extended (headers, lower, NULL, (gpointer *) &value);
      if (!present && schema_get_boolean (parameter, "required"))
        add_problem (v, where, "required header missing");
      else if (value != NULL && !g_str_equal (lower, "authorization"))
        validate_text (v, schema_get_object (parameter, "schema"), value, where);
    }

  /* The request body's media type: not a parameter in OpenAPI, still needed. */
  if (has_body && !g_hash_table_contains (headers, "content-type"))
    add_problem (v, "header Content-Type", "required with a body (application/json)");

  check_header_values (v, header_names);
}

static void
validate_request_body (Validation *v,
                       Request    *request,
                       GBytes     *body)
{
  JsonObject *request_body = schema_get_object (request->operation, "requestBody");
  g_autoptr(JsonNode) node = NULL;

  if (request_body == NULL)
    {
      if (!body_is_empty (body))
        add_problem (v, "body", "%s %s takes no body", request->method, request->template);
      return;
    }

  if (body_is_empty (body))
    {
      if (schema_get_boolean (request_body, "required"))
        add_problem (v, "body", "required by %s %s", request->method, request->template);
      return;
    }

  node = parse_body (v, body);
  if (node != NULL)
    validate_node (v, json_content_schema (request_body), node, "");
}

/**
 * cs_openapi_validate_request:
 * @api: a document
 * @method: the HTTP method
 * @path: the path as sent, e.g. `/v2/bookings/abc`
 * @query: (nullable): the raw query string
 * @header_names: (array zero-terminated=1) (nullable): names, or "Name: value"
 * @body: (nullable): the JSON body
 * @error: return location for a #GError
 *
 * Checks that the operation exists, that every query parameter name is
 * declared for it and each value fits its schema, that required headers
 * are present and that the body validates against the request schema.
 *
 * Returns: %TRUE if the request keeps the contract
 */
gboolean
cs_openapi_validate_request (CsOpenApi          *api,
                             const char         *method,
                             const char         *path,
                             const char         *query,
                             const char * const *header_names,
                             GBytes             *body,
                             GError            **error)
{
  g_auto(Request) request = { 0 };
  g_autofree char *context = NULL;
  Validation v;
  gboolean ok;

  g_return_val_if_fail (api != NULL, FALSE);
  g_return_val_if_fail (method != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!find_operation (api, method, path, query, &request, error))
    return FALSE;

  context = g_strdup_printf ("%s %s", method, request.path);
  validation_init (&v, api->schemas, CS_CONTRACT_ERROR_QUERY);
  validate_query (&v, &request);
  validate_path_parameters (&v, &request);

  v.phase = CS_CONTRACT_ERROR_HEADER;
  validate_headers (&v, &request, header_names, !body_is_empty (body));

  v.phase = CS_CONTRACT_ERROR_BODY;
  validate_request_body (&v, &request, body);

  ok = validation_finish (&v, context, error);
  validation_clear (&v);

  return ok;
}

static JsonObject *
find_response (JsonObject *operation,
               guint       status)
{
  JsonObject *responses = schema_get_object (operation, "responses");
  g_autofree char *exact = g_strdup_printf ("%u", status);
  g_autofree char *range = g_strdup_printf ("%uXX", status / 100);
  JsonObject *response;

  if ((response = schema_get_object (responses, exact)) != NULL ||
      (response = schema_get_object (responses, range)) != NULL)
    return response;

  return schema_get_object (responses, "default");
}

static char *
declared_statuses (JsonObject *operation)
{
  g_autoptr(GList) codes = json_object_get_members (schema_get_object (operation, "responses"));
  g_autoptr(GString) text = g_string_new (NULL);

  for (const GList *l = codes; l != NULL; l = l->next)
    g_string_append_printf (text, "%s%s", text->len > 0 ? ", " : "", (const char *) l->data);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/**
 * cs_openapi_validate_response:
 * @api: a document
 * @method: the request's method
 * @path: the request's path
 * @status: the HTTP status
 * @body: (nullable): the body
 * @error: return location for a #GError
 *
 * Checks that @status is declared for the operation and the body validates
 * against its schema; an undeclared 4xx/5xx must carry Cal.com's error
 * envelope (NOTES.md).
 *
 * Returns: %TRUE if the answer keeps the contract
 */
gboolean
cs_openapi_validate_response (CsOpenApi   *api,
                              const char  *method,
                              const char  *path,
                              guint        status,
                              GBytes      *body,
                              GError     **error)
{
  g_auto(Request) request = { 0 };
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *context = NULL;
  JsonObject *response;
  Validation v;
  gboolean ok;

  g_return_val_if_fail (api != NULL, FALSE);
  g_return_val_if_fail (method != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!find_operation (api, method, path, NULL, &request, error))
    return FALSE;

  context = g_strdup_printf ("%s %s -> %u", method, request.path, status);
  validation_init (&v, api->schemas, CS_CONTRACT_ERROR_BODY);
  response = find_response (request.operation, status);

  if (response == NULL && status >= 400 && status <= 599)
    {
      node = parse_body (&v, body);
      if (node != NULL && !validate_against_contract (&v, "CalcomErrorEnvelope", node, error))
        {
          validation_clear (&v);
          return FALSE;
        }
    }
  else if (response == NULL)
    {
      g_autofree char *declared = declared_statuses (request.operation);

      v.phase = CS_CONTRACT_ERROR_STATUS;
      add_problem (&v, "status", "%u is not declared (declared: %s)", status, declared);
    }
  else if (json_content_schema (response) == NULL)
    {
      if (!body_is_empty (body))
        add_problem (&v, "body", "the spec declares no content for %u", status);
    }
  else
    {
      node = parse_body (&v, body);
      if (node != NULL)
        validate_node (&v, json_content_schema (response), node, "");
    }

  ok = validation_finish (&v, context, error);
  validation_clear (&v);

  return ok;
}

/**
 * cs_openapi_validate_schema:
 * @api: a document
 * @schema_name: a member of components/schemas
 * @node: any JSON value
 * @error: return location for a #GError
 *
 * Validates @node against a named schema, e.g. for fixtures.
 *
 * Returns: %TRUE if @node is valid
 */
gboolean
cs_openapi_validate_schema (CsOpenApi   *api,
                            const char  *schema_name,
                            JsonNode    *node,
                            GError     **error)
{
  JsonObject *schema;
  Validation v;
  gboolean ok;

  g_return_val_if_fail (api != NULL, FALSE);
  g_return_val_if_fail (schema_name != NULL, FALSE);
  g_return_val_if_fail (node != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  schema = schema_get_object (api->schemas, schema_name);
  if (schema == NULL)
    {
      g_set_error (error, CS_CONTRACT_ERROR, CS_CONTRACT_ERROR_SPEC,
                   "no schema %s in components/schemas", schema_name);
      return FALSE;
    }

  validation_init (&v, api->schemas, CS_CONTRACT_ERROR_BODY);
  validate_node (&v, schema, node, "");
  ok = validation_finish (&v, schema_name, error);
  validation_clear (&v);

  return ok;
}

/* The backend contract (backend-api.md) */

typedef struct
{
  const char *method;
  const char *route;           /* under /api/v1; {id} is a positive integer */
  const char *query_names[6];
  const char *body_schema;     /* NULL: takes no body */
  guint       success_status;
  const char *success_schema;
} BackendEndpoint;

static const BackendEndpoint backend_endpoints[] = {
  { "GET", "/me", { NULL }, NULL, 200, "Me" },
  { "GET", "/appointments",
    { "starts_after", "starts_before", "updated_since", "page", "per_page", NULL },
    NULL, 200, "AppointmentList" },
  { "PATCH", "/appointments/sync-status", { NULL }, "SyncStatusBody", 200, "Updated" },
  { "GET", "/appointments/{id}", { NULL }, NULL, 200, "AppointmentSingle" },
  { "POST", "/appointments", { NULL }, "CreateBody", 201, "AppointmentSingle" },
  { "PATCH", "/appointments/{id}", { NULL }, "PatchBody", 200, "AppointmentSingle" },
  { "POST", "/appointments/{id}/cancel", { NULL }, "CancelBody", 200, "AppointmentSingle" },
  { "POST", "/audit-log", { NULL }, "AuditLogBody", 201, "Accepted" },
};

static const struct
{
  const char *name;
  const char *schema;
} backend_query_schemas[] = {
  { "starts_after", "QueryTime" },
  { "starts_before", "QueryTime" },
  { "updated_since", "QueryTime" },
  { "page", "QueryPage" },
  { "per_page", "QueryPerPage" },
};

/* Error statuses backend-api.md lists; 5xx as a range. */
static const guint backend_error_statuses[] = { 401, 403, 404, 409, 422, 429 };

static gboolean
is_positive_id (const char *segment)
{
  if (segment[0] < '1' || segment[0] > '9' || strlen (segment) > 18)
    return FALSE;

  for (const char *p = segment; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
    }

  return TRUE;
}

static gboolean
route_matches (const char *route,
               const char *rest)
{
  g_auto(GStrv) route_segments = g_strsplit (route + 1, "/", -1);
  g_auto(GStrv) rest_segments = g_strsplit (rest + 1, "/", -1);

  if (g_strv_length (route_segments) != g_strv_length (rest_segments))
    return FALSE;

  for (guint i = 0; route_segments[i] != NULL; i++)
    {
      gboolean is_id = g_str_equal (route_segments[i], "{id}");

      if (is_id ? !is_positive_id (rest_segments[i])
                : !g_str_equal (route_segments[i], rest_segments[i]))
        return FALSE;
    }

  return TRUE;
}

static const BackendEndpoint *
find_backend_endpoint (const char  *method,
                       const char  *path,
                       GError     **error)
{
  const char *rest = strstr (path, "/api/v1/");
  g_autoptr(GString) allowed = g_string_new (NULL);

  if (path[0] != '/' || rest == NULL)
    {
      g_set_error (error, CS_CONTRACT_ERROR, CS_CONTRACT_ERROR_OPERATION,
                   "%s %s: not under /api/v1", method, path);
      return NULL;
    }
  rest += strlen ("/api/v1");

  for (guint i = 0; i < G_N_ELEMENTS (backend_endpoints); i++)
    {
      if (!route_matches (backend_endpoints[i].route, rest))
        continue;
      if (g_str_equal (backend_endpoints[i].method, method))
        return &backend_endpoints[i];

      g_string_append_printf (allowed, "%s%s", allowed->len > 0 ? ", " : "",
                              backend_endpoints[i].method);
    }

  if (allowed->len > 0)
    g_set_error (error, CS_CONTRACT_ERROR, CS_CONTRACT_ERROR_OPERATION,
                 "%s %s: method not in the contract (allowed: %s)", method, path, allowed->str);
  else
    g_set_error (error, CS_CONTRACT_ERROR, CS_CONTRACT_ERROR_OPERATION,
                 "%s %s: no such endpoint in backend-api.md", method, path);

  return NULL;
}

static GDateTime *
member_time (JsonNode   *node,
             const char *name)
{
  JsonNode *member;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  member = json_object_get_member (json_node_get_object (node), name);
  if (member == NULL || !node_is_string (member) ||
      !is_rfc3339_date_time (json_node_get_string (member)))
    return NULL;

  return g_date_time_new_from_iso8601 (json_node_get_string (member), NULL);
}

static void
check_backend_body_extras (Validation *v,
                           JsonNode   *node)
{
  g_autoptr(GDateTime) starts_at = member_time (node, "starts_at");
  g_autoptr(GDateTime) ends_at = member_time (node, "ends_at");

  if (starts_at != NULL && ends_at != NULL && g_date_time_compare (ends_at, starts_at) <= 0)
    add_problem (v, "ends_at", "not after starts_at");
}

static void
validate_backend_query (Validation            *v,
                        const BackendEndpoint *endpoint,
                        const char            *query,
                        JsonObject            *schemas)
{
  g_autoptr(GPtrArray) pairs = parse_query (v, query);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < pairs->len; i++)
    {
      QueryPair *pair = g_ptr_array_index (pairs, i);
      g_autofree char *where = g_strdup_printf ("query %s", pair->name);
      const char *schema_name = NULL;

      if (!g_strv_contains (endpoint->query_names, pair->name))
        {
          g_autofree char *hint = describe_unknown_name (pair->name, endpoint->query_names);

          add_problem (v, where, "not a parameter of %s /api/v1%s (%s)", endpoint->method,
                       endpoint->route, hint);
          continue;
        }

      if (!g_hash_table_add (seen, pair->name))
        add_problem (v, where, "given more than once");

      for (guint j = 0; j < G_N_ELEMENTS (backend_query_schemas); j++)
        {
          if (g_str_equal (backend_query_schemas[j].name, pair->name))
            schema_name = backend_query_schemas[j].schema;
        }

      if (schema_name != NULL)
        validate_text (v, schema_get_object (schemas, schema_name), pair->value, where);
    }
}

/**
 * cs_backend_contract_validate_request:
 * @method: the HTTP method
 * @path: the path as sent, e.g. `/api/v1/appointments/1236`
 * @query: (nullable): the raw query string
 * @header_names: (array zero-terminated=1) (nullable): names, or "Name: value"
 * @body: (nullable): the JSON body
 * @error: return location for a #GError
 *
 * Checks a request against backend-api.md: the endpoint, its query names
 * and values, Authorization and Accept on every request, Content-Type and
 * Idempotency-Key on writes, and the body's shape.
 *
 * Returns: %TRUE if the request keeps the contract
 */
gboolean
cs_backend_contract_validate_request (const char         *method,
                                      const char         *path,
                                      const char         *query,
                                      const char * const *header_names,
                                      GBytes             *body,
                                      GError            **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GHashTable) headers = NULL;
  g_autofree char *bare_path = NULL;
  g_autofree char *bare_query = NULL;
  g_autofree char *context = NULL;
  const BackendEndpoint *endpoint;
  JsonObject *schemas;
  gboolean is_write;
  Validation v;
  gboolean ok;

  g_return_val_if_fail (method != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  split_path (path, query, &bare_path, &bare_query);
  endpoint = find_backend_endpoint (method, bare_path, error);
  if (endpoint == NULL)
    return FALSE;

  parser = load_contract_schemas (error);
  if (parser == NULL)
    return FALSE;
  schemas = json_node_get_object (json_parser_get_root (parser));

  context = g_strdup_printf ("%s %s", method, bare_path);
  validation_init (&v, schemas, CS_CONTRACT_ERROR_QUERY);
  validate_backend_query (&v, endpoint, bare_query, schemas);

  v.phase = CS_CONTRACT_ERROR_HEADER;
  headers = parse_headers (&v, header_names);
  is_write = g_str_equal (method, "POST") || g_str_equal (method, "PATCH");
  if (!g_hash_table_contains (headers, "authorization"))
    add_problem (&v, "header Authorization", "required on every request (Bearer token)");
  if (!g_hash_table_contains (headers, "accept"))
    add_problem (&v, "header Accept", "required on every request (application/json)");
  if (is_write && !g_hash_table_contains (headers, "content-type"))
    add_problem (&v, "header Content-Type", "required on writes (application/json)");
  if (is_write && !g_hash_table_contains (headers, "idempotency-key"))
    add_problem (&v, "header Idempotency-Key", "required on writes (a UUID)");
  check_header_values (&v, header_names);

  v.phase = CS_CONTRACT_ERROR_BODY;
  if (endpoint->body_schema == NULL)
    {
      if (!body_is_empty (body))
        add_problem (&v, "body", "%s takes no body", endpoint->method);
    }
  else
    {
      g_autoptr(JsonNode) node = parse_body (&v, body);

      if (node != NULL)
        {
          validate_node (&v, schema_get_object (schemas, endpoint->body_schema), node, "");
          check_backend_body_extras (&v, node);
        }
    }

  ok = validation_finish (&v, context, error);
  validation_clear (&v);

  return ok;
}

static gboolean
backend_error_status (guint status)
{
  if (status >= 500 && status <= 599)
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (backend_error_statuses); i++)
    {
      if (backend_error_statuses[i] == status)
        return TRUE;
    }

  return FALSE;
}

static void
check_list_extras (Validation *v,
                   JsonNode   *node)
{
  JsonObject *root = json_node_get_object (node);
  JsonArray *data = schema_get_array (root, "data");
  JsonObject *meta = schema_get_object (root, "meta");
  double per_page;

  if (data != NULL && meta != NULL && schema_get_number (meta, "per_page", &per_page) &&
      json_array_get_length (data) > per_page)
    add_problem (v, "data", "%u rows, more than meta.per_page (%.0f)",
                 json_array_get_length (data), per_page);
}

/**
 * cs_backend_contract_validate_response:
 * @method: the request's method
 * @path: the request's path
 * @status: the HTTP status
 * @body: (nullable): the body
 * @error: return location for a #GError
 *
 * Checks an answer against backend-api.md: the endpoint's success status
 * and shape, or one of the listed error statuses with Laravel's error shape
 * (422 with "errors"; 409 on create with the existing appointment in "data").
 *
 * Returns: %TRUE if the answer keeps the contract
 */
gboolean
cs_backend_contract_validate_response (const char  *method,
                                       const char  *path,
                                       guint        status,
                                       GBytes      *body,
                                       GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *bare_path = NULL;
  g_autofree char *bare_query = NULL;
  g_autofree char *context = NULL;
  const BackendEndpoint *endpoint;
  const char *schema_name = NULL;
  JsonObject *schemas;
  Validation v;
  gboolean ok;

  g_return_val_if_fail (method != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  split_path (path, NULL, &bare_path, &bare_query);
  endpoint = find_backend_endpoint (method, bare_path, error);
  if (endpoint == NULL)
    return FALSE;

  parser = load_contract_schemas (error);
  if (parser == NULL)
    return FALSE;
  schemas = json_node_get_object (json_parser_get_root (parser));

  context = g_strdup_printf ("%s %s -> %u", method, bare_path, status);
  validation_init (&v, schemas, CS_CONTRACT_ERROR_BODY);

  if (status == endpoint->success_status)
    schema_name = endpoint->success_schema;
  else if (status == 409 && g_strcmp0 (endpoint->body_schema, "CreateBody") == 0)
    schema_name = "Conflict";
  else if (status == 422)
    schema_name = "ValidationError";
  else if (backend_error_status (status))
    schema_name = "Error";

  if (schema_name == NULL)
    {
      v.phase = CS_CONTRACT_ERROR_STATUS;
      add_problem (&v, "status", "%u is neither %u nor an error status of backend-api.md "
                   "(401, 403, 404, 409, 422, 429, 5xx)", status, endpoint->success_status);
    }
  else if ((node = parse_body (&v, body)) != NULL)
    {
      validate_node (&v, schema_get_object (schemas, schema_name), node, "");
      if (g_str_equal (schema_name, "AppointmentList") && JSON_NODE_HOLDS_OBJECT (node))
        check_list_extras (&v, node);
    }

  ok = validation_finish (&v, context, error);
  validation_clear (&v);

  return ok;
}
