/* cs-store-metrics.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cs-store.h"

G_BEGIN_DECLS

/**
 * CsMetricsDay:
 * @day: the local midnight that starts the day
 * @n_runs: the runs that started that day; 0 means no check, a gap
 * @n_failed_runs: those of them that did not complete
 * @n_synced: synced appointments after the day's last run that checked any
 * @n_issues: failed and orphaned appointments after that run
 * @n_flagged: appointments the day's runs flagged for manual review
 *
 * One day of the trend chart.
 */
typedef struct
{
  CsTime day;
  guint  n_runs;
  guint  n_failed_runs;
  guint  n_synced;
  guint  n_issues;
  guint  n_flagged;
} CsMetricsDay;

/**
 * CsMetrics:
 * @since: the local midnight that starts the period
 * @last_run_at: when the company's latest run started, in the period or
 *   before, or %CS_TIME_UNSET if it has none
 * @n_days: the days of the period, today included
 * @n_runs: the runs that started in the period
 * @n_checked: the appointments those runs checked, summed over the runs
 * @n_synced: those of them found synced, summed over the runs
 * @appointment_avg_usec: the period's run time per checked appointment
 * @appointment_max_usec: the slowest run's time per appointment
 * @appointment_min_usec: the fastest run's time per appointment
 * @run_avg_usec: the mean duration of a run that checked any appointment
 * @run_max_usec: the longest such run
 * @run_min_usec: the shortest such run
 * @issues_found: appointments flagged in the period, or resolved in it
 * @issues_resolved: appointments resolved in the period
 * @reviews_pending: appointments flagged now and not resolved
 * @reviews_resolved: the same as @issues_resolved
 * @days: (element-type CsMetricsDay): @n_days days, oldest first
 *
 * The figures of the metrics view. See cs-store-metrics.c for how each
 * is counted. The times are 0 when no run checked anything.
 */
typedef struct
{
  CsTime   since;
  CsTime   last_run_at;
  guint    n_days;
  guint    n_runs;
  guint64  n_checked;
  guint64  n_synced;
  gint64   appointment_avg_usec;
  gint64   appointment_max_usec;
  gint64   appointment_min_usec;
  gint64   run_avg_usec;
  gint64   run_max_usec;
  gint64   run_min_usec;
  guint    issues_found;
  guint    issues_resolved;
  guint    reviews_pending;
  guint    reviews_resolved;
  GArray  *days;
} CsMetrics;

/**
 * CsFlaggedRow:
 * @number: (nullable): the appointment's number; %NULL for a Cal.com booking
 * @booking_uid: (nullable): the Cal.com booking
 * @customer_name: (nullable): the customer
 * @starts_at: when the appointment starts
 * @status: the sync status's name, e.g. "orphaned_local"
 * @error_code: (nullable): the error code, e.g. "ORPHANED_LOCAL"
 * @attempts: the verification attempts so far
 * @flagged_at: when it was flagged, or %CS_TIME_UNSET
 *
 * One line of the flagged list's CSV export.
 */
typedef struct
{
  char   *number;
  char   *booking_uid;
  char   *customer_name;
  CsTime  starts_at;
  char   *status;
  char   *error_code;
  guint   attempts;
  CsTime  flagged_at;
} CsFlaggedRow;

void          cs_metrics_free                 (CsMetrics           *self);
gdouble       cs_metrics_get_success_rate     (const CsMetrics     *self);
CsTime        cs_metrics_period_start         (CsTime               now,
                                               guint                n_days);

CsMetrics    *cs_store_compute_metrics        (CsStore             *store,
                                               gint64               company_id,
                                               CsTime               now,
                                               guint                n_days,
                                               GError             **error);
void          cs_store_compute_metrics_async  (CsStore             *store,
                                               CsTime               now,
                                               guint                n_days,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
CsMetrics    *cs_store_compute_metrics_finish (CsStore             *store,
                                               GAsyncResult        *result,
                                               GError             **error);

void          cs_flagged_row_free             (CsFlaggedRow        *self);
GPtrArray    *cs_store_list_flagged_rows      (CsStore             *store,
                                               gint64               company_id,
                                               GError             **error);
void          cs_csv_append_field             (GString             *csv,
                                               const char          *field);
char         *cs_flagged_rows_to_csv          (GPtrArray           *rows);
void          cs_store_export_flagged_async   (CsStore             *store,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
GBytes       *cs_store_export_flagged_finish  (CsStore             *store,
                                               GAsyncResult        *result,
                                               guint               *out_n_rows,
                                               GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsMetrics, cs_metrics_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsFlaggedRow, cs_flagged_row_free)

G_END_DECLS
