/* fuzz-json-syntax.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "cs-json-util.h"
#include "fuzz-common.h"

/*
 * Differential: cs_json_check_syntax() (the strict, non-recursive check in
 * front of json-glib) against json-glib, which reads what passed, and
 * against SQLite's json_valid(), a second strict reader of RFC 8259 (the
 * cache's CHECK constraints use it). What matters:
 *  - a body the check accepts that json-glib then refuses: a good answer
 *    would be lost with a vague error;
 *  - a body the check accepts that SQLite calls invalid: the check would be
 *    more lenient than the grammar;
 *  - a body SQLite calls valid that the check refuses as not JSON (as
 *    opposed to the check's own limits: depth, UTF-8, NUL, size): a good
 *    answer would be refused.
 * json-glib is never given raw text, here as in Calsync: 1.6 recurses once
 * per level and leaks the first value of `[1] [2]` (found by this target
 * in its first version).
 */

static sqlite3_stmt *json_valid_stmt;

static void
open_sqlite (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      sqlite3 *db = NULL;

      g_assert (sqlite3_open (":memory:", &db) == SQLITE_OK);
      g_assert (sqlite3_prepare_v2 (db, "SELECT json_valid (?1)", -1, &json_valid_stmt,
                                    NULL) == SQLITE_OK);
      g_once_init_leave (&initialized, 1);
    }
}

static gboolean
sqlite_json_valid (const uint8_t *data,
                   size_t         size)
{
  gboolean valid;

  sqlite3_reset (json_valid_stmt);
  g_assert (sqlite3_bind_text (json_valid_stmt, 1, (const char *) data, (int) size,
                               SQLITE_TRANSIENT) == SQLITE_OK);
  g_assert (sqlite3_step (json_valid_stmt) == SQLITE_ROW);
  valid = sqlite3_column_int (json_valid_stmt, 0) == 1;
  sqlite3_reset (json_valid_stmt);

  return valid;
}

/* Refusals by the check's own limits rather than by the grammar. */
static gboolean
is_limit (const GError *error,
          const uint8_t *data,
          size_t         size)
{
  return strstr (error->message, "nests deeper") != NULL ||
         memchr (data, '\0', size) != NULL ||
         !g_utf8_validate_len ((const char *) data, size, NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  gboolean accepted;

  cs_fuzz_init ();
  open_sqlite ();

  accepted = cs_json_check_syntax ((const char *) data, size, &error);

  if (accepted)
    {
      g_assert_no_error (error);

      root = cs_json_parse_data ((const char *) data, size, &error);
      if (root == NULL)
        g_error ("json-glib refused what the check accepted: %s", error->message);

      if (!sqlite_json_valid (data, size))
        g_error ("The check accepted what SQLite's json_valid() refuses");
    }
  else
    {
      cs_fuzz_check_error (error);
      g_assert (cs_json_parse_data ((const char *) data, size, NULL) == NULL);

      if (!is_limit (error, data, size) && sqlite_json_valid (data, size))
        g_error ("The check refused valid JSON: %s", error->message);
    }

  return 0;
}
