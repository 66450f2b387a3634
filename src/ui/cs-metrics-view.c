/* cs-metrics-view.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "cs-metrics-view.h"
#include "cs-store-metrics.h"
#include "cs-trend-chart.h"
#include "cs-ui-util.h"

/**
 * CsMetricsView:
 *
 * The seeds' "Sync Health Metrics": the success rate, the verification
 * times, issues resolved of found, the manual reviews and the trend of
 * the last 7 or 30 days, with an export of the flagged list as CSV. The
 * figures are computed in a worker thread by cs_store_compute_metrics_async();
 * their definitions are in cs-store-metrics.c.
 */

#define WEEK_DAYS  7
#define MONTH_DAYS 30

struct _CsMetricsView
{
  AdwBin                parent_instance;

  GtkStack             *stack;
  GtkLabel             *title_label;
  GtkToggleButton      *week_button;
  GtkLevelBar          *success_bar;
  GtkLabel             *success_label;
  GtkLabel             *appointment_time_label;
  GtkLabel             *run_time_label;
  GtkLabel             *issues_label;
  GtkLabel             *reviews_label;
  AdwPreferencesGroup  *trend_group;
  CsTrendChart         *chart;
  GtkButton            *export_button;

  CsEngine             *engine;
  GCancellable         *cancellable;
  GtkNativeDialog      *chooser;
  guint                 n_days;
};

G_DEFINE_FINAL_TYPE (CsMetricsView, cs_metrics_view, ADW_TYPE_BIN)

static void
add_toast (CsMetricsView *self,
           AdwToast      *toast)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  else
    g_object_unref (toast);
}

static char *
format_times (gint64 avg_usec,
              gint64 max_usec,
              gint64 min_usec)
{
  g_autofree char *avg = cs_ui_format_duration (avg_usec);
  g_autofree char *max = cs_ui_format_duration (max_usec);
  g_autofree char *min = cs_ui_format_duration (min_usec);

  /* Translators: the average, longest and shortest time, e.g.
   * "Avg 2.3 s │ Max 8.1 s │ Min 0.8 s" */
  return g_strdup_printf (_("Avg %s │ Max %s │ Min %s"), avg, max, min);
}

static void
show_metrics (CsMetricsView   *self,
              const CsMetrics *metrics)
{
  g_autofree char *times = NULL;
  g_autofree char *run_times = NULL;
  g_autofree char *found = NULL;
  g_autofree char *resolved = NULL;
  g_autofree char *pending = NULL;
  g_autofree char *reviews_resolved = NULL;
  g_autofree char *issues = NULL;
  g_autofree char *reviews = NULL;
  double rate;

  if (metrics->last_run_at == CS_TIME_UNSET)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  gtk_stack_set_visible_child_name (self->stack, "metrics");

  rate = cs_metrics_get_success_rate (metrics);
  gtk_level_bar_set_value (self->success_bar, MAX (rate, 0.0));
  if (rate < 0)
    gtk_label_set_text (self->success_label, C_("no figure", "—"));
  else
    {
      g_autofree char *percent = cs_ui_format_percent (rate);

      gtk_label_set_text (self->success_label, percent);
    }

  if (metrics->n_checked == 0)
    {
      gtk_label_set_text (self->appointment_time_label, C_("no figure", "—"));
    }
  else
    {
      times = format_times (metrics->appointment_avg_usec, metrics->appointment_max_usec,
                            metrics->appointment_min_usec);
      gtk_label_set_text (self->appointment_time_label, times);
    }

  if (metrics->n_checked == 0)
    {
      gtk_label_set_text (self->run_time_label, C_("no figure", "—"));
    }
  else
    {
      run_times = format_times (metrics->run_avg_usec, metrics->run_max_usec,
                                metrics->run_min_usec);
      gtk_label_set_text (self->run_time_label, run_times);
    }

  found = cs_ui_format_count (metrics->issues_found);
  resolved = cs_ui_format_count (metrics->issues_resolved);
  if (metrics->issues_found > 0)
    {
      g_autofree char *percent = cs_ui_format_percent ((double) metrics->issues_resolved /
                                                       metrics->issues_found);

      /* Translators: issues resolved of found, e.g. "47 / 52 (90.4%)" */
      issues = g_strdup_printf (_("%s / %s (%s)"), resolved, found, percent);
    }
  else
    {
      /* Translators: issues resolved of found when none was found: "0 / 0" */
      issues = g_strdup_printf (_("%s / %s"), resolved, found);
    }
  gtk_label_set_text (self->issues_label, issues);

  pending = cs_ui_format_count (metrics->reviews_pending);
  reviews_resolved = cs_ui_format_count (metrics->reviews_resolved);
  /* Translators: manual reviews, e.g. "5 pending │ 42 resolved" */
  reviews = g_strdup_printf (_("%s pending │ %s resolved"), pending, reviews_resolved);
  gtk_label_set_text (self->reviews_label, reviews);

  cs_trend_chart_set_days (self->chart, (const CsMetricsDay *) metrics->days->data,
                           metrics->days->len);
}

static void
update_titles (CsMetricsView *self)
{
  g_autofree char *title = NULL;
  g_autofree char *trend = NULL;

  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                        "Sync Health Metrics (Last %u Day)",
                                        "Sync Health Metrics (Last %u Days)",
                                        self->n_days),
                           self->n_days);
  trend = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                        "Trend (Last %u Day)",
                                        "Trend (Last %u Days)",
                                        self->n_days),
                           self->n_days);
  gtk_label_set_text (self->title_label, title);
  adw_preferences_group_set_title (self->trend_group, trend);
}

static void
compute_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CsMetrics) metrics = NULL;
  g_autoptr(GError) error = NULL;
  CsMetricsView *self;

  metrics = cs_store_compute_metrics_finish (CS_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = CS_METRICS_VIEW (user_data);
  if (metrics == NULL)
    {
      /* No company yet, or the cache failed: the banner tells why. */
      g_debug ("Metrics not computed: %s", error->message);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  show_metrics (self, metrics);
}

/**
 * cs_metrics_view_refresh:
 * @self: a metrics view
 *
 * Computes the figures again, in a worker thread; a refresh still running
 * is cancelled.
 */
void
cs_metrics_view_refresh (CsMetricsView *self)
{
  CsStore *store;

  g_return_if_fail (CS_IS_METRICS_VIEW (self));

  update_titles (self);

  if (self->engine == NULL || (store = cs_engine_get_store (self->engine)) == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  /* A cancelled computation returns before it touches the view, which
   * cancels in dispose: the callback needs no reference. */
  cs_store_compute_metrics_async (store, g_get_real_time (), self->n_days, self->cancellable,
                                  compute_cb, self);
}

static void
period_toggled_cb (CsMetricsView *self)
{
  guint n_days = gtk_toggle_button_get_active (self->week_button) ? WEEK_DAYS : MONTH_DAYS;

  if (n_days == self->n_days)
    return;

  self->n_days = n_days;
  cs_metrics_view_refresh (self);
}

/* Export */

typedef struct
{
  CsMetricsView *self;
  GFile         *file;
  guint          n_rows;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_clear_object (&data->self);
  g_clear_object (&data->file);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExportData, export_data_free)

static void
export_failed (CsMetricsView *self,
               const GError  *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* The message is the system's, with no customer data in it. */
  add_toast (self, cs_ui_toast_new_printf (_("Could not export the flagged list: %s"),
                                           error->message));
}

static void
write_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(ExportData) data = user_data;
  g_autoptr(GError) error = NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (data->self->export_button), TRUE);

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    {
      export_failed (data->self, error);
      return;
    }

  add_toast (data->self,
             cs_ui_toast_new_printf (g_dngettext (GETTEXT_PACKAGE,
                                                  "Exported %u flagged appointment",
                                                  "Exported %u flagged appointments",
                                                  data->n_rows),
                                     data->n_rows));
}

static void
export_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ExportData) data = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  GFile *file;

  bytes = cs_store_export_flagged_finish (CS_STORE (object), result, &data->n_rows, &error);
  if (bytes == NULL)
    {
      gtk_widget_set_sensitive (GTK_WIDGET (data->self->export_button), TRUE);
      export_failed (data->self, error);
      return;
    }

  file = data->file;
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                       G_FILE_CREATE_REPLACE_DESTINATION,
                                       NULL, write_cb,
                                       g_steal_pointer (&data));
}

static void
chooser_response_cb (CsMetricsView *self,
                     int            response,
                     GtkNativeDialog *chooser)
{
  g_autoptr(GFile) file = NULL;
  ExportData *data;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);

  if (file == NULL || self->engine == NULL)
    return;

  data = g_new0 (ExportData, 1);
  data->self = g_object_ref (self);
  data->file = g_steal_pointer (&file);

  gtk_widget_set_sensitive (GTK_WIDGET (self->export_button), FALSE);
  /* Not cancelled by a refresh: the export holds the view until done. */
  cs_store_export_flagged_async (cs_engine_get_store (self->engine), NULL, export_cb, data);
}

static void
export_clicked_cb (CsMetricsView *self)
{
  g_autoptr(GtkFileFilter) filter = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *name = NULL;
  GtkFileChooserNative *chooser;
  GtkRoot *root;

  if (self->chooser != NULL)
    return;

  root = gtk_widget_get_root (GTK_WIDGET (self));
  chooser = gtk_file_chooser_native_new (_("Export Flagged List"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);

  now = g_date_time_new_now_local ();
  /* The file name stays English, like the CSV's column names. */
  name = g_date_time_format (now, "calsync-flagged-%Y-%m-%d.csv");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("CSV Files"));
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_filter_add_suffix (filter, "csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);

  self->chooser = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect_swapped (chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (self->chooser);
}

static void
cs_metrics_view_dispose (GObject *object)
{
  CsMetricsView *self = CS_METRICS_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (self->chooser);
      g_clear_object (&self->chooser);
    }
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (cs_metrics_view_parent_class)->dispose (object);
}

static void
cs_metrics_view_class_init (CsMetricsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_metrics_view_dispose;

  g_type_ensure (CS_TYPE_TREND_CHART);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/calsync/Calsync/cs-metrics-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CsMetricsView, stack);
  gtk_widget_class_bind_template_child (widget_class, CsMetricsView, title_label);
  gtk_widget_class_bind_template_child (widget_class, CsMetricsView, week_button);
  gtk_widget_class_bind_template_child (widget_class, CsMetricsView, success_bar);
  gtk_widget_class_bind_template_child (widget_class, CsMetricsView, success_label);
  gtk_widget_class_bind_template_child (widget_class, CsMetricsView, appointment_time_label);
  gtk_widget_class_bind_template_child (widget_class, CsMetricsView, run_time_label);
  gtk_widget_class_bind_template_child (widget_class, CsMetricsView, issues_label);
  gtk_widget_class_bind_template_child (widget_class, CsMetricsView, reviews_label);
  gtk_widget_class_bind_template_child (widget_class, CsMetricsView, trend_group);
  gtk_widget_class_bind_template_child (widget_class, CsMetricsView, chart);
  gtk_widget_class_bind_template_child (widget_class, CsMetricsView, export_button);
  gtk_widget_class_bind_template_callback (widget_class, period_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, export_clicked_cb);
}

static void
cs_metrics_view_init (CsMetricsView *self)
{
  self->n_days = WEEK_DAYS;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Green from 95 %, the warning colour below 90 %. */
  gtk_level_bar_remove_offset_value (self->success_bar, GTK_LEVEL_BAR_OFFSET_LOW);
  gtk_level_bar_remove_offset_value (self->success_bar, GTK_LEVEL_BAR_OFFSET_HIGH);
  gtk_level_bar_add_offset_value (self->success_bar, GTK_LEVEL_BAR_OFFSET_LOW, 0.9);
  gtk_level_bar_add_offset_value (self->success_bar, GTK_LEVEL_BAR_OFFSET_HIGH, 0.95);

  update_titles (self);
}

/**
 * cs_metrics_view_set_engine:
 * @self: a metrics view
 * @engine: (nullable): the engine whose store to show
 *
 * Shows the figures of @engine's store.
 */
void
cs_metrics_view_set_engine (CsMetricsView *self,
                            CsEngine      *engine)
{
  g_return_if_fail (CS_IS_METRICS_VIEW (self));
  g_return_if_fail (engine == NULL || CS_IS_ENGINE (engine));

  if (g_set_object (&self->engine, engine))
    cs_metrics_view_refresh (self);
}
