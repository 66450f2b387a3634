/* cs-json-util.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "cs-time.h"

G_BEGIN_DECLS

/* Containers nested deeper than this reject the whole body: json-glib's
 * parser recurses once per level. */
#define CS_JSON_MAX_DEPTH         64

/* The longest string field kept, in bytes; a longer one rejects its record. */
#define CS_JSON_MAX_STRING_LENGTH (64 * 1024)

/* A backstop below json-glib: the HTTP client caps bodies lower already. */
#define CS_JSON_MAX_BODY_SIZE     ((gsize) 64 * 1024 * 1024)

/* The longest server message passed on to people, in characters. */
#define CS_JSON_MAX_MESSAGE_CHARS 300

/**
 * CsJsonFlags:
 * @CS_JSON_OPTIONAL: the member may be missing or null
 * @CS_JSON_REQUIRED: the member must be present and not null
 * @CS_JSON_NON_EMPTY: a string member must not be empty
 *
 * What the typed getters demand of a member.
 */
typedef enum
{
  CS_JSON_OPTIONAL  = 0,
  CS_JSON_REQUIRED  = 1 << 0,
  CS_JSON_NON_EMPTY = 1 << 1,
} CsJsonFlags;

/**
 * CsJsonPageKeys:
 * @first: (nullable): the key (uid or id) of a list page's first row, if it
 *   could be read, whether or not the row was accepted
 * @last: (nullable): that of its last row
 * @refused: (nullable) (element-type utf8): the keys of the rows the parser
 *   refused, where the key itself could be read
 *
 * What a list parser tells of a page's rows beyond those it accepted: the
 * boundary rows, which a pager compares across pages, and the rows it
 * refused, whose partners on the other side are then left undecided.
 */
typedef struct
{
  char      *first;
  char      *last;
  GPtrArray *refused;
} CsJsonPageKeys;

void      cs_json_page_keys_clear   (CsJsonPageKeys *keys);

gboolean  cs_json_check_syntax      (const char  *data,
                                     gsize        length,
                                     GError     **error);
gboolean  cs_json_is_truncated      (const char  *data,
                                     gsize        length);
JsonNode *cs_json_parse_data        (const char  *data,
                                     gsize        length,
                                     GError     **error);
JsonNode *cs_json_parse_bytes       (GBytes      *body,
                                     GError     **error);

gboolean  cs_json_check_text        (const char  *text,
                                     const char  *what,
                                     GError     **error);
gboolean  cs_json_node_get_string   (JsonNode    *node,
                                     const char  *what,
                                     const char **value,
                                     GError     **error);
gboolean  cs_json_node_get_int      (JsonNode    *node,
                                     const char  *what,
                                     gint64       min,
                                     gint64       max,
                                     gint64      *value,
                                     GError     **error);

gboolean  cs_json_get_string        (JsonObject  *object,
                                     const char  *member,
                                     CsJsonFlags  flags,
                                     const char **value,
                                     GError     **error);
gboolean  cs_json_dup_string        (JsonObject  *object,
                                     const char  *member,
                                     CsJsonFlags  flags,
                                     char       **value,
                                     GError     **error);
gboolean  cs_json_get_int           (JsonObject  *object,
                                     const char  *member,
                                     CsJsonFlags  flags,
                                     gint64       min,
                                     gint64       max,
                                     gint64      *value,
                                     GError     **error);
gboolean  cs_json_get_uint          (JsonObject  *object,
                                     const char  *member,
                                     CsJsonFlags  flags,
                                     guint       *value,
                                     GError     **error);
gboolean  cs_json_get_boolean       (JsonObject  *object,
                                     const char  *member,
                                     CsJsonFlags  flags,
                                     gboolean    *value,
                                     GError     **error);
gboolean  cs_json_get_time          (JsonObject  *object,
                                     const char  *member,
                                     CsJsonFlags  flags,
                                     CsTime      *value,
                                     GError     **error);
gboolean  cs_json_get_object        (JsonObject  *object,
                                     const char  *member,
                                     CsJsonFlags  flags,
                                     JsonObject **value,
                                     GError     **error);
gboolean  cs_json_get_array         (JsonObject  *object,
                                     const char  *member,
                                     CsJsonFlags  flags,
                                     JsonArray  **value,
                                     GError     **error);

char     *cs_json_clean_message     (const char  *text);

void      cs_json_builder_add_string (JsonBuilder *builder,
                                      const char  *member,
                                      const char  *value);
void      cs_json_builder_add_time   (JsonBuilder *builder,
                                      const char  *member,
                                      CsTime       value);
GBytes   *cs_json_builder_to_bytes   (JsonBuilder *builder);

G_END_DECLS
