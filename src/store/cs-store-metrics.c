/* cs-store-metrics.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-store-metrics.h"
#include "cs-store-private.h"

/* The figures of the metrics view and the flagged list's CSV export.
 *
 * Both read in a worker thread through their own read-only connection to
 * the store's file (as cs-store-rows.c does): the cache runs in WAL mode,
 * so a reader sees one committed snapshot per statement and never waits
 * for the store's writers. Every query is scoped by the company id.
 *
 * The period is @n_days local calendar days, today included: it starts at
 * the local midnight n_days - 1 days before today's.
 *
 * Definitions:
 * - success rate: the appointments found synced divided by the
 *   appointments checked (every status a run left counted), summed over
 *   the period's runs;
 * - verification time per appointment: a run's duration divided by the
 *   appointments it checked; the average is the period's total duration
 *   over its total checked appointments, the maximum and minimum are over
 *   the runs that checked any; per run: the mean, longest and shortest
 *   duration of those runs (one that checked nothing, because it failed
 *   at once or was cancelled, would only show 0.0 s);
 * - issues found: distinct appointments (and unclaimed Cal.com bookings)
 *   flagged for manual review in the period, plus those resolved in the
 *   period though flagged before it, so that resolved never exceeds found;
 *   issues resolved: those resolved in the period;
 * - manual reviews pending: flagged now and not resolved (snoozed ones
 *   included, as on the dashboard); resolved: as issues resolved;
 * - a day of the chart: synced and issues (failed + orphaned) as the
 *   day's last whole check (cycle, comprehensive or manual) that checked
 *   anything left them — a retry looks at a few due items only and counts
 *   only on a day without a whole check; a day without runs is a gap, not
 *   a zero. */

#define BUSY_TIMEOUT_MSEC 5000

static sqlite3 *
open_reader (CsStore  *store,
             GError  **error)
{
  g_autoptr(sqlite3) db = NULL;
  int rc;

  rc = sqlite3_open_v2 (cs_store_get_path (store), &db,
                        SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_busy_timeout (db, BUSY_TIMEOUT_MSEC);
  if (rc != SQLITE_OK)
    {
      _cs_store_set_sqlite_error (error, db, rc);
      return NULL;
    }

  return g_steal_pointer (&db);
}

static sqlite3_stmt *
prepare (sqlite3     *db,
         const char  *sql,
         gint64       company_id,
         CsTime       since,
         GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64 (stmt, 1, company_id);
  if (rc == SQLITE_OK && sqlite3_bind_parameter_count (stmt) >= 2)
    rc = sqlite3_bind_int64 (stmt, 2, since);
  if (rc != SQLITE_OK)
    {
      _cs_store_set_sqlite_error (error, db, rc);
      return NULL;
    }

  return g_steal_pointer (&stmt);
}

static guint
column_uint (sqlite3_stmt *stmt,
             int           column)
{
  return (guint) CLAMP (sqlite3_column_int64 (stmt, column), 0, G_MAXUINT);
}

/**
 * cs_metrics_free:
 * @self: (nullable): metrics
 *
 * Frees @self.
 */
void
cs_metrics_free (CsMetrics *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->days, g_array_unref);
  g_free (self);
}

/**
 * cs_metrics_get_success_rate:
 * @self: metrics
 *
 * Returns: the synced share of the checked appointments, from 0 to 1, or
 *   a negative number when no run checked anything
 */
gdouble
cs_metrics_get_success_rate (const CsMetrics *self)
{
  g_return_val_if_fail (self != NULL, -1.0);

  if (self->n_checked == 0)
    return -1.0;

  return (gdouble) self->n_synced / (gdouble) self->n_checked;
}

static GDateTime *
local_midnight (CsTime now)
{
  g_autoptr(GDateTime) local = NULL;

  local = g_date_time_new_from_unix_local (now / CS_USEC_PER_SECOND);
  return g_date_time_new_local (g_date_time_get_year (local),
                                g_date_time_get_month (local),
                                g_date_time_get_day_of_month (local),
                                0, 0, 0);
}

static CsTime
to_cs_time (GDateTime *dt)
{
  return g_date_time_to_unix (dt) * CS_USEC_PER_SECOND;
}

/**
 * cs_metrics_period_start:
 * @now: the current time
 * @n_days: the days of the period, today included, at least 1
 *
 * Returns: the local midnight @n_days - 1 days before today's
 */
CsTime
cs_metrics_period_start (CsTime now,
                         guint  n_days)
{
  g_autoptr(GDateTime) today = NULL;
  g_autoptr(GDateTime) first = NULL;

  g_return_val_if_fail (n_days > 0, now);

  today = local_midnight (now);
  first = g_date_time_add_days (today, -(gint) (n_days - 1));
  return to_cs_time (first);
}

static gboolean
read_runs (sqlite3    *db,
           gint64      company_id,
           CsMetrics  *metrics,
           GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GHashTable) whole_days = g_hash_table_new (NULL, NULL);
  gint64 checked_usec = 0;
  guint n_checking_runs = 0;
  int rc;

  stmt = prepare (db,
                  "SELECT started_at, n_pending + n_verification_pending + n_synced + n_failed"
                  " + n_orphaned_local + n_orphaned_calcom, n_synced,"
                  " n_failed + n_orphaned_local + n_orphaned_calcom, n_flagged, duration_usec,"
                  " result, kind FROM runs WHERE company_id = ?1 AND started_at >= ?2"
                  " ORDER BY started_at, id",
                  company_id, metrics->since, error);
  if (stmt == NULL)
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CsTime started_at = sqlite3_column_int64 (stmt, 0);
      guint checked = column_uint (stmt, 1);
      guint synced = column_uint (stmt, 2);
      guint issues = column_uint (stmt, 3);
      guint flagged = column_uint (stmt, 4);
      gint64 duration = MAX (sqlite3_column_int64 (stmt, 5), 0);
      const char *result = (const char *) sqlite3_column_text (stmt, 6);
      gboolean retry = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 7), CS_RUN_KIND_RETRY) == 0;
      CsMetricsDay *day = NULL;

      /* The days are few: find the last that starts before the run. */
      for (guint i = metrics->days->len; i > 0; i--)
        {
          CsMetricsDay *candidate = &g_array_index (metrics->days, CsMetricsDay, i - 1);

          if (candidate->day <= started_at)
            {
              day = candidate;
              break;
            }
        }
      if (day == NULL)
        continue;

      metrics->n_runs++;
      day->n_runs++;
      day->n_flagged += flagged;
      if (g_strcmp0 (result, CS_RUN_RESULT_FAILED) == 0)
        day->n_failed_runs++;

      /* A run that checked nothing (it failed at once, or was cancelled)
       * says nothing about how long a check takes. */
      if (checked > 0)
        {
          gint64 per_appointment = duration / checked;

          /* A retry looks at a few due items only: the day's figures are
           * those of its last whole check, a retry's only on a day
           * without one. */
          if (!retry || !g_hash_table_contains (whole_days, day))
            {
              day->n_synced = synced;
              day->n_issues = issues;
            }
          if (!retry)
            g_hash_table_add (whole_days, day);

          metrics->n_checked += checked;
          metrics->n_synced += synced;
          checked_usec += duration;
          n_checking_runs++;
          metrics->run_max_usec = MAX (metrics->run_max_usec, duration);
          metrics->run_min_usec = n_checking_runs == 1 ? duration
                                                       : MIN (metrics->run_min_usec, duration);
          metrics->appointment_max_usec = MAX (metrics->appointment_max_usec, per_appointment);
          metrics->appointment_min_usec = n_checking_runs == 1
                                          ? per_appointment
                                          : MIN (metrics->appointment_min_usec, per_appointment);
        }
    }

  if (rc != SQLITE_DONE)
    {
      _cs_store_set_sqlite_error (error, db, rc);
      return FALSE;
    }

  g_clear_pointer (&stmt, sqlite3_finalize);
  stmt = prepare (db, "SELECT max (started_at) FROM runs WHERE company_id = ?1",
                  company_id, 0, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _cs_store_set_sqlite_error (error, db, rc);
      return FALSE;
    }
  if (sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    metrics->last_run_at = sqlite3_column_int64 (stmt, 0);

  if (n_checking_runs > 0)
    metrics->run_avg_usec = checked_usec / n_checking_runs;
  if (metrics->n_checked > 0)
    metrics->appointment_avg_usec = checked_usec / (gint64) metrics->n_checked;

  return TRUE;
}

static gboolean
read_reviews (sqlite3    *db,
              gint64      company_id,
              CsMetrics  *metrics,
              GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  /* An unclaimed Cal.com booking is flagged and resolved like an
   * appointment (migration v4); the others never are. */
  stmt = prepare (db,
                  "SELECT total (manual_review_flagged_at >= ?2 OR resolved_at >= ?2),"
                  " total (resolved_at >= ?2),"
                  " total (requires_manual_review = 1 AND resolved_at IS NULL)"
                  " FROM (SELECT manual_review_flagged_at, resolved_at, requires_manual_review"
                  " FROM appointments WHERE company_id = ?1"
                  " UNION ALL SELECT manual_review_flagged_at, resolved_at, requires_manual_review"
                  " FROM bookings WHERE company_id = ?1)",
                  company_id, metrics->since, error);
  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _cs_store_set_sqlite_error (error, db, rc);
      return FALSE;
    }

  metrics->issues_found = column_uint (stmt, 0);
  metrics->issues_resolved = column_uint (stmt, 1);
  metrics->reviews_pending = column_uint (stmt, 2);
  metrics->reviews_resolved = metrics->issues_resolved;

  return TRUE;
}

/**
 * cs_store_compute_metrics:
 * @store: a store
 * @company_id: the company whose figures to compute
 * @now: the current time
 * @n_days: the days of the period, today included, 1 to 366
 * @error: return location for a #GError
 *
 * Computes the figures of the period through a read-only connection of
 * its own. It blocks on disk I/O: call it from a worker thread, or use
 * cs_store_compute_metrics_async().
 *
 * Returns: (transfer full) (nullable): the figures, or %NULL with @error set
 */
CsMetrics *
cs_store_compute_metrics (CsStore  *store,
                          gint64    company_id,
                          CsTime    now,
                          guint     n_days,
                          GError  **error)
{
  g_autoptr(CsMetrics) metrics = NULL;
  g_autoptr(sqlite3) db = NULL;
  g_autoptr(GDateTime) today = NULL;

  g_return_val_if_fail (CS_IS_STORE (store), NULL);
  g_return_val_if_fail (n_days > 0 && n_days <= 366, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  metrics = g_new0 (CsMetrics, 1);
  metrics->n_days = n_days;
  metrics->days = g_array_sized_new (FALSE, TRUE, sizeof (CsMetricsDay), n_days);

  /* Calendar days in local time: a day may last 23 or 25 hours. */
  today = local_midnight (now);
  for (guint i = 0; i < n_days; i++)
    {
      g_autoptr(GDateTime) day = g_date_time_add_days (today, -(gint) (n_days - 1 - i));
      CsMetricsDay entry = { 0, };

      entry.day = to_cs_time (day);
      g_array_append_val (metrics->days, entry);
    }
  metrics->since = g_array_index (metrics->days, CsMetricsDay, 0).day;

  if (!(db = open_reader (store, error)))
    return NULL;
  if (!read_runs (db, company_id, metrics, error))
    return NULL;
  if (!read_reviews (db, company_id, metrics, error))
    return NULL;

  return g_steal_pointer (&metrics);
}

typedef struct
{
  gint64 company_id;
  CsTime now;
  guint  n_days;
} MetricsData;

static void
compute_metrics_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  MetricsData *data = task_data;
  g_autoptr(GError) error = NULL;
  CsMetrics *metrics;

  metrics = cs_store_compute_metrics (source_object, data->company_id, data->now,
                                      data->n_days, &error);
  if (metrics == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, metrics, (GDestroyNotify) cs_metrics_free);
}

static gboolean
require_company (GTask   *task,
                 CsStore *store)
{
  if (cs_store_get_company_id (store) > 0)
    return TRUE;

  g_task_return_new_error (task, CS_STORE_ERROR, CS_STORE_ERROR_NO_COMPANY,
                           "No company is set");
  return FALSE;
}

/**
 * cs_store_compute_metrics_async:
 * @store: a store
 * @now: the current time
 * @n_days: the days of the period, today included, 1 to 366
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the figures are ready
 * @user_data: data for @callback
 *
 * Computes the figures of the current company in a worker thread; see
 * cs_store_compute_metrics().
 */
void
cs_store_compute_metrics_async (CsStore             *store,
                                CsTime               now,
                                guint                n_days,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  MetricsData *data;

  g_return_if_fail (CS_IS_STORE (store));
  g_return_if_fail (n_days > 0 && n_days <= 366);

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_store_compute_metrics_async);
  g_task_set_return_on_cancel (task, TRUE);

  if (!require_company (task, store))
    return;

  data = g_new0 (MetricsData, 1);
  data->company_id = cs_store_get_company_id (store);
  data->now = now;
  data->n_days = n_days;
  g_task_set_task_data (task, data, g_free);
  g_task_run_in_thread (task, compute_metrics_thread);
}

/**
 * cs_store_compute_metrics_finish:
 * @store: a store
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the figures, or %NULL with @error set
 */
CsMetrics *
cs_store_compute_metrics_finish (CsStore       *store,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The flagged list */

/**
 * cs_flagged_row_free:
 * @self: (nullable): a row
 *
 * Frees @self.
 */
void
cs_flagged_row_free (CsFlaggedRow *self)
{
  if (self == NULL)
    return;

  g_free (self->number);
  g_free (self->booking_uid);
  g_free (self->customer_name);
  g_free (self->status);
  g_free (self->error_code);
  g_free (self);
}

/**
 * cs_store_list_flagged_rows:
 * @store: a store
 * @company_id: the company whose rows to list
 * @error: return location for a #GError
 *
 * The appointments and unclaimed Cal.com bookings of @company_id that are
 * flagged for manual review and not resolved, snoozed ones included,
 * ordered by start. It blocks on disk I/O.
 *
 * Returns: (transfer container) (element-type CsFlaggedRow) (nullable):
 *   the rows, or %NULL with @error set
 */
GPtrArray *
cs_store_list_flagged_rows (CsStore  *store,
                            gint64    company_id,
                            GError  **error)
{
  g_autoptr(sqlite3) db = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(db = open_reader (store, error)))
    return NULL;

  stmt = prepare (db,
                  "SELECT number, calcom_booking_uid, customer_name, starts_at,"
                  " calcom_sync_status, sync_error_code, sync_attempt_count,"
                  " manual_review_flagged_at, 0 AS is_booking, id"
                  " FROM appointments WHERE company_id = ?1"
                  " AND requires_manual_review = 1 AND resolved_at IS NULL"
                  " UNION ALL "
                  "SELECT NULL, uid, json_extract (attendees, '$[0].name'), starts_at,"
                  " calcom_sync_status, sync_error_code, sync_attempt_count,"
                  " manual_review_flagged_at, 1, rowid"
                  " FROM bookings WHERE company_id = ?1"
                  " AND requires_manual_review = 1 AND resolved_at IS NULL"
                  " ORDER BY 4, 9, 10",
                  company_id, 0, error);
  if (stmt == NULL)
    return NULL;

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_flagged_row_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CsFlaggedRow *row = g_new0 (CsFlaggedRow, 1);

      row->number = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      row->booking_uid = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      row->customer_name = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      row->starts_at = sqlite3_column_int64 (stmt, 3);
      row->status = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      row->error_code = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      row->attempts = column_uint (stmt, 6);
      row->flagged_at = sqlite3_column_type (stmt, 7) == SQLITE_NULL
                        ? CS_TIME_UNSET
                        : sqlite3_column_int64 (stmt, 7);
      g_ptr_array_add (rows, row);
    }

  if (rc != SQLITE_DONE)
    {
      _cs_store_set_sqlite_error (error, db, rc);
      return NULL;
    }

  return g_steal_pointer (&rows);
}

/**
 * cs_csv_append_field:
 * @csv: the text so far
 * @field: (nullable): one field; %NULL is an empty field
 *
 * Appends @field as RFC 4180 asks: in double quotes, its quotes doubled,
 * when it holds a comma, a quote, a line break or leading or trailing
 * white space; as it is otherwise.
 */
void
cs_csv_append_field (GString    *csv,
                     const char *field)
{
  gsize len;

  g_return_if_fail (csv != NULL);

  if (field == NULL || *field == '\0')
    return;

  len = strlen (field);
  if (strpbrk (field, ",\"\r\n") == NULL &&
      !g_ascii_isspace (field[0]) && !g_ascii_isspace (field[len - 1]))
    {
      g_string_append_len (csv, field, len);
      return;
    }

  g_string_append_c (csv, '"');
  for (const char *p = field; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (csv, '"');
      g_string_append_c (csv, *p);
    }
  g_string_append_c (csv, '"');
}

static char *
format_local_iso8601 (CsTime time)
{
  g_autoptr(GDateTime) dt = NULL;

  if (time == CS_TIME_UNSET)
    return NULL;

  dt = g_date_time_new_from_unix_local (time / CS_USEC_PER_SECOND);
  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S%:z") : NULL;
}

/**
 * cs_flagged_rows_to_csv:
 * @rows: (element-type CsFlaggedRow): the flagged rows
 *
 * Writes @rows as CSV (RFC 4180: comma separated, CRLF line ends, fields
 * quoted where needed) under a header line. The header's names are fixed
 * English identifiers, like the status names and error codes, so that
 * spreadsheets and scripts read every export alike; the times are ISO
 * 8601 in local time with their offset. The customer's name is included:
 * the file is the manager's own data, written where they chose in the
 * save dialog.
 *
 * Returns: (transfer full): the CSV text, in UTF-8
 */
char *
cs_flagged_rows_to_csv (GPtrArray *rows)
{
  GString *csv;

  g_return_val_if_fail (rows != NULL, NULL);

  csv = g_string_new ("appointment_number,starts_at,status,error_code,attempts,flagged_at,"
                      "customer_name,calcom_booking_uid\r\n");

  for (guint i = 0; i < rows->len; i++)
    {
      const CsFlaggedRow *row = g_ptr_array_index (rows, i);
      g_autofree char *starts_at = format_local_iso8601 (row->starts_at);
      g_autofree char *flagged_at = format_local_iso8601 (row->flagged_at);
      char attempts[16];

      g_snprintf (attempts, sizeof attempts, "%u", row->attempts);

      cs_csv_append_field (csv, row->number);
      g_string_append_c (csv, ',');
      cs_csv_append_field (csv, starts_at);
      g_string_append_c (csv, ',');
      cs_csv_append_field (csv, row->status);
      g_string_append_c (csv, ',');
      cs_csv_append_field (csv, row->error_code);
      g_string_append_c (csv, ',');
      cs_csv_append_field (csv, attempts);
      g_string_append_c (csv, ',');
      cs_csv_append_field (csv, flagged_at);
      g_string_append_c (csv, ',');
      cs_csv_append_field (csv, row->customer_name);
      g_string_append_c (csv, ',');
      cs_csv_append_field (csv, row->booking_uid);
      g_string_append (csv, "\r\n");
    }

  return g_string_free (csv, FALSE);
}

typedef struct
{
  GBytes *bytes;
  guint   n_rows;
} ExportResult;

static void
export_result_free (ExportResult *result)
{
  g_clear_pointer (&result->bytes, g_bytes_unref);
  g_free (result);
}

static void
export_flagged_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  gint64 company_id = *(gint64 *) task_data;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  ExportResult *result;
  char *csv;

  rows = cs_store_list_flagged_rows (source_object, company_id, &error);
  if (rows == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  csv = cs_flagged_rows_to_csv (rows);
  result = g_new0 (ExportResult, 1);
  result->n_rows = rows->len;
  result->bytes = g_bytes_new_take (csv, strlen (csv));
  g_task_return_pointer (task, result, (GDestroyNotify) export_result_free);
}

/**
 * cs_store_export_flagged_async:
 * @store: a store
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the CSV text is ready
 * @user_data: data for @callback
 *
 * Reads the current company's flagged list and writes it as CSV (see
 * cs_flagged_rows_to_csv()), in a worker thread.
 */
void
cs_store_export_flagged_async (CsStore             *store,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CS_IS_STORE (store));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_store_export_flagged_async);

  if (!require_company (task, store))
    return;

  g_task_set_task_data (task, g_memdup2 (&(gint64) { cs_store_get_company_id (store) },
                                         sizeof (gint64)), g_free);
  g_task_run_in_thread (task, export_flagged_thread);
}

/**
 * cs_store_export_flagged_finish:
 * @store: a store
 * @result: the result given to the callback
 * @out_n_rows: (out) (optional): the number of rows written
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the CSV text, or %NULL with @error set
 */
GBytes *
cs_store_export_flagged_finish (CsStore       *store,
                                GAsyncResult  *result,
                                guint         *out_n_rows,
                                GError       **error)
{
  ExportResult *export;
  GBytes *bytes;

  g_return_val_if_fail (g_task_is_valid (result, store), NULL);

  export = g_task_propagate_pointer (G_TASK (result), error);
  if (export == NULL)
    return NULL;

  if (out_n_rows != NULL)
    *out_n_rows = export->n_rows;
  bytes = g_steal_pointer (&export->bytes);
  export_result_free (export);

  return bytes;
}
