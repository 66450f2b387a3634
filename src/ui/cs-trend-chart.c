/* cs-trend-chart.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "cs-trend-chart.h"

/**
 * CsTrendChart:
 *
 * The metrics view's trend: per day a pair of bars, synced appointments
 * and issues, as the day's last run left them. A day without runs is a
 * gap; a day whose runs found nothing draws a stub, so zero and "not
 * checked" differ. The weekday names are the locale's, the colours
 * libadwaita's named ones (light, dark and high contrast), and the
 * pointer over a day shows its figures in a tooltip.
 */

#define MIN_HEIGHT    200
#define NAT_HEIGHT    240
#define MIN_WIDTH     280
#define AXIS_WIDTH    40.f
#define AXIS_HEIGHT   26.f
#define LEGEND_HEIGHT 26.f
#define MARGIN        8.f
#define BAR_MAX_WIDTH 22.f
#define STUB_HEIGHT   2.f

struct _CsTrendChart
{
  GtkWidget  parent_instance;

  GArray    *days;
  int        hover_day;
};

G_DEFINE_FINAL_TYPE (CsTrendChart, cs_trend_chart, GTK_TYPE_WIDGET)

static void
plot_area (CsTrendChart    *self,
           graphene_rect_t *out_area)
{
  float width = gtk_widget_get_width (GTK_WIDGET (self));
  float height = gtk_widget_get_height (GTK_WIDGET (self));

  graphene_rect_init (out_area,
                      AXIS_WIDTH,
                      LEGEND_HEIGHT + MARGIN,
                      MAX (width - AXIS_WIDTH - MARGIN, 1.f),
                      MAX (height - LEGEND_HEIGHT - MARGIN - AXIS_HEIGHT, 1.f));
}

/* Whole pixels keep text and lines sharp; positions are never negative. */
static float
round_px (float value)
{
  return (float) (int) (value + 0.5f);
}

static const CsMetricsDay *
get_day (CsTrendChart *self,
         guint         day)
{
  return &g_array_index (self->days, CsMetricsDay, day);
}

/**
 * cs_trend_chart_get_n_days:
 * @self: a chart
 *
 * Returns: the number of days shown, one bar group each
 */
guint
cs_trend_chart_get_n_days (CsTrendChart *self)
{
  g_return_val_if_fail (CS_IS_TREND_CHART (self), 0);

  return self->days->len;
}

/**
 * cs_trend_chart_is_gap:
 * @self: a chart
 * @day: the day's index, oldest first
 *
 * Returns: whether @day had no run and shows as a gap
 */
gboolean
cs_trend_chart_is_gap (CsTrendChart *self,
                       guint         day)
{
  g_return_val_if_fail (CS_IS_TREND_CHART (self), TRUE);
  g_return_val_if_fail (day < self->days->len, TRUE);

  return get_day (self, day)->n_runs == 0;
}

/**
 * cs_trend_chart_get_day_area:
 * @self: a chart
 * @day: the day's index, oldest first
 * @out_area: (out): the day's column, in widget coordinates
 *
 * Returns: %TRUE if @day exists
 */
gboolean
cs_trend_chart_get_day_area (CsTrendChart    *self,
                             guint            day,
                             graphene_rect_t *out_area)
{
  graphene_rect_t plot;
  float slot;

  g_return_val_if_fail (CS_IS_TREND_CHART (self), FALSE);
  g_return_val_if_fail (out_area != NULL, FALSE);

  if (day >= self->days->len)
    return FALSE;

  plot_area (self, &plot);
  slot = plot.size.width / self->days->len;
  graphene_rect_init (out_area, plot.origin.x + day * slot, plot.origin.y,
                      slot, plot.size.height + AXIS_HEIGHT);
  return TRUE;
}

/**
 * cs_trend_chart_get_day_at:
 * @self: a chart
 * @x: a horizontal position in widget coordinates
 *
 * Returns: the index of the day whose column holds @x, or -1
 */
int
cs_trend_chart_get_day_at (CsTrendChart *self,
                           double        x)
{
  graphene_rect_t plot;
  int day;

  g_return_val_if_fail (CS_IS_TREND_CHART (self), -1);

  if (self->days->len == 0)
    return -1;

  plot_area (self, &plot);
  if (x < plot.origin.x || x >= plot.origin.x + plot.size.width)
    return -1;

  day = (int) ((x - plot.origin.x) / (plot.size.width / self->days->len));
  return CLAMP (day, 0, (int) self->days->len - 1);
}

/**
 * cs_trend_chart_get_hover_day:
 * @self: a chart
 *
 * Returns: the day under the pointer, or -1
 */
int
cs_trend_chart_get_hover_day (CsTrendChart *self)
{
  g_return_val_if_fail (CS_IS_TREND_CHART (self), -1);

  return self->hover_day;
}

static GDateTime *
day_date_time (const CsMetricsDay *day)
{
  return g_date_time_new_from_unix_local (day->day / CS_USEC_PER_SECOND);
}

/**
 * cs_trend_chart_dup_axis_label:
 * @self: a chart
 * @day: the day's index, oldest first
 *
 * Returns: (transfer full) (nullable): the label under @day: the
 *   locale's short weekday name for a week; for a longer period the date
 *   of every seventh day counted back from today, %NULL for the others
 */
char *
cs_trend_chart_dup_axis_label (CsTrendChart *self,
                               guint         day)
{
  g_autoptr(GDateTime) dt = NULL;
  guint n;

  g_return_val_if_fail (CS_IS_TREND_CHART (self), NULL);
  g_return_val_if_fail (day < self->days->len, NULL);

  n = self->days->len;
  dt = day_date_time (get_day (self, day));
  if (n <= 7)
    return g_date_time_format (dt, "%a");
  if ((n - 1 - day) % 7 != 0)
    return NULL;

  /* TRANSLATORS: a date under the 30-day trend chart, in
   * g_date_time_format() syntax: "Nov 24" */
  return g_date_time_format (dt, C_("trend chart axis", "%b %-d"));
}

/**
 * cs_trend_chart_dup_day_text:
 * @self: a chart
 * @day: the day's index, oldest first
 *
 * Returns: (transfer full): the day's figures, as its tooltip shows them
 */
char *
cs_trend_chart_dup_day_text (CsTrendChart *self,
                             guint         day)
{
  const CsMetricsDay *entry;
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *date = NULL;
  g_autofree char *runs = NULL;
  GString *text;

  g_return_val_if_fail (CS_IS_TREND_CHART (self), NULL);
  g_return_val_if_fail (day < self->days->len, NULL);

  entry = get_day (self, day);
  dt = day_date_time (entry);
  /* TRANSLATORS: the day in the trend chart's tooltip, in
   * g_date_time_format() syntax: "Tuesday, November 24" */
  date = g_date_time_format (dt, C_("trend chart tooltip", "%A, %B %-d"));
  text = g_string_new (date);

  if (entry->n_runs == 0)
    {
      g_string_append_c (text, '\n');
      g_string_append (text, _("No checks on this day"));
      return g_string_free (text, FALSE);
    }

  g_string_append_c (text, '\n');
  g_string_append_printf (text, _("Synced: %u"), entry->n_synced);
  g_string_append_c (text, '\n');
  g_string_append_printf (text, _("Issues: %u"), entry->n_issues);
  g_string_append_c (text, '\n');
  g_string_append_printf (text,
                          g_dngettext (GETTEXT_PACKAGE, "%u check", "%u checks", entry->n_runs),
                          entry->n_runs);
  if (entry->n_failed_runs > 0)
    {
      g_string_append (text, " · ");
      g_string_append_printf (text,
                              g_dngettext (GETTEXT_PACKAGE, "%u failed", "%u failed",
                                           entry->n_failed_runs),
                              entry->n_failed_runs);
    }

  return g_string_free (text, FALSE);
}

static void
update_description (CsTrendChart *self)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < self->days->len; i++)
    {
      g_autofree char *day = cs_trend_chart_dup_day_text (self, i);

      if (i > 0)
        g_string_append (text, "; ");
      g_strdelimit (day, "\n", ',');
      g_string_append (text, day);
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text->str,
                                  -1);
  g_string_free (text, TRUE);
}

/**
 * cs_trend_chart_set_days:
 * @self: a chart
 * @days: (array length=n_days): the days, oldest first
 * @n_days: the number of days
 *
 * Shows @days.
 */
void
cs_trend_chart_set_days (CsTrendChart       *self,
                         const CsMetricsDay *days,
                         guint               n_days)
{
  g_return_if_fail (CS_IS_TREND_CHART (self));
  g_return_if_fail (days != NULL || n_days == 0);

  /* Another period puts other days under the pointer. */
  if (n_days != self->days->len)
    self->hover_day = -1;
  g_array_set_size (self->days, 0);
  g_array_append_vals (self->days, days, n_days);

  update_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
lookup_color (GtkWidget  *widget,
              const char *name,
              GdkRGBA    *out_color)
{
  GtkStyleContext *context = gtk_widget_get_style_context (widget);

  if (!gtk_style_context_lookup_color (context, name, out_color))
    gtk_style_context_get_color (context, out_color);
}

static PangoLayout *
small_layout (GtkWidget  *widget,
              const char *text)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);

  return layout;
}

static void
append_text (GtkSnapshot   *snapshot,
             GtkWidget     *widget,
             const char    *text,
             float          x,
             float          y,
             float          x_align,
             const GdkRGBA *color)
{
  g_autoptr(PangoLayout) layout = small_layout (widget, text);
  int width, height;

  pango_layout_get_pixel_size (layout, &width, &height);
  /* A label at the edge stays whole inside the widget. */
  x = CLAMP (x - x_align * width, 0.f, MAX (gtk_widget_get_width (widget) - width, 0.f));
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (round_px (x),
                                                         round_px (y - height / 2.f)));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
append_bar (GtkSnapshot   *snapshot,
            float          x,
            float          bottom,
            float          width,
            float          height,
            const GdkRGBA *color)
{
  GskRoundedRect clip;
  graphene_rect_t rect;

  height = MAX (height, STUB_HEIGHT);
  graphene_rect_init (&rect, x, bottom - height, width, height);
  gsk_rounded_rect_init (&clip, &rect,
                         &GRAPHENE_SIZE_INIT (3, 3), &GRAPHENE_SIZE_INIT (3, 3),
                         &GRAPHENE_SIZE_INIT (0, 0), &GRAPHENE_SIZE_INIT (0, 0));
  gtk_snapshot_push_rounded_clip (snapshot, &clip);
  gtk_snapshot_append_color (snapshot, color, &rect);
  gtk_snapshot_pop (snapshot);
}

/* The axis maximum: the largest figure rounded up to 1, 2 or 5 times a
 * power of ten, so the middle grid line is a round number too. */
static guint
axis_maximum (CsTrendChart *self)
{
  guint largest = 0;
  guint step = 1;

  for (guint i = 0; i < self->days->len; i++)
    {
      const CsMetricsDay *day = get_day (self, i);

      largest = MAX (largest, MAX (day->n_synced, day->n_issues));
    }

  while (TRUE)
    {
      if (largest <= 2 * step)
        return 2 * step;
      if (largest <= 4 * step)
        return 4 * step;
      if (largest <= 10 * step)
        return 10 * step;
      step *= 10;
    }
}

static void
append_legend (CsTrendChart  *self,
               GtkSnapshot   *snapshot,
               const GdkRGBA *synced,
               const GdkRGBA *issues,
               const GdkRGBA *fg)
{
  GtkWidget *widget = GTK_WIDGET (self);
  const struct { const char *label; const GdkRGBA *color; } entries[] = {
    { _("Synced"), synced },
    { _("Issues"), issues },
  };
  float x = AXIS_WIDTH;
  float y = LEGEND_HEIGHT / 2.f;

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      g_autoptr(PangoLayout) layout = small_layout (widget, entries[i].label);
      GskRoundedRect swatch;
      int width, height;

      gsk_rounded_rect_init_from_rect (&swatch, &GRAPHENE_RECT_INIT (x, y - 5, 10, 10), 2);
      gtk_snapshot_push_rounded_clip (snapshot, &swatch);
      gtk_snapshot_append_color (snapshot, entries[i].color, &swatch.bounds);
      gtk_snapshot_pop (snapshot);

      pango_layout_get_pixel_size (layout, &width, &height);
      append_text (snapshot, widget, entries[i].label, x + 16, y, 0.f, fg);
      x += 16 + width + 18;
    }
}

static void
cs_trend_chart_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  CsTrendChart *self = CS_TREND_CHART (widget);
  GdkRGBA fg, dim, grid, synced, issues, hover;
  graphene_rect_t plot;
  float bottom, slot, bar;
  guint maximum;

  if (self->days->len == 0)
    return;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  lookup_color (widget, "success_color", &synced);
  lookup_color (widget, "warning_color", &issues);
  dim = fg;
  dim.alpha *= 0.55f;
  grid = fg;
  grid.alpha *= 0.12f;
  hover = fg;
  hover.alpha *= 0.07f;

  plot_area (self, &plot);
  bottom = plot.origin.y + plot.size.height;
  slot = plot.size.width / self->days->len;
  bar = MIN (BAR_MAX_WIDTH, MAX (slot * 0.34f, 2.f));
  maximum = axis_maximum (self);

  append_legend (self, snapshot, &synced, &issues, &fg);

  /* Grid lines at 0, half and the maximum, labelled on the left. */
  for (guint i = 0; i <= 2; i++)
    {
      float y = round_px (bottom - plot.size.height * i / 2.f);
      char label[16];

      g_snprintf (label, sizeof label, "%u", maximum * i / 2);
      gtk_snapshot_append_color (snapshot, i == 0 ? &dim : &grid,
                                 &GRAPHENE_RECT_INIT (plot.origin.x, y - (i == 0 ? 1 : 0),
                                                      plot.size.width, 1));
      append_text (snapshot, widget, label, AXIS_WIDTH - 8, y, 1.f, &dim);
    }

  for (guint i = 0; i < self->days->len; i++)
    {
      const CsMetricsDay *day = get_day (self, i);
      g_autofree char *label = cs_trend_chart_dup_axis_label (self, i);
      float center = plot.origin.x + slot * (i + 0.5f);

      if ((int) i == self->hover_day)
        gtk_snapshot_append_color (snapshot, &hover,
                                   &GRAPHENE_RECT_INIT (plot.origin.x + slot * i, plot.origin.y,
                                                        slot, plot.size.height));

      if (label != NULL)
        append_text (snapshot, widget, label, center, bottom + AXIS_HEIGHT / 2.f + 2, 0.5f,
                     day->n_runs > 0 ? &fg : &dim);

      /* A day without runs is a gap: no bar, not even a stub. */
      if (day->n_runs == 0)
        continue;

      append_bar (snapshot, center - bar - 1, bottom - 1, bar,
                  (plot.size.height - 1) * day->n_synced / maximum, &synced);
      append_bar (snapshot, center + 1, bottom - 1, bar,
                  (plot.size.height - 1) * day->n_issues / maximum, &issues);
    }
}

static void
cs_trend_chart_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = MIN_WIDTH;
      *natural = MIN_WIDTH * 2;
    }
  else
    {
      *minimum = MIN_HEIGHT;
      *natural = NAT_HEIGHT;
    }
}

static void
set_hover_day (CsTrendChart *self,
               int           day)
{
  if (self->hover_day == day)
    return;

  self->hover_day = day;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
motion_cb (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           CsTrendChart             *self)
{
  set_hover_day (self, cs_trend_chart_get_day_at (self, x));
}

static void
leave_cb (GtkEventControllerMotion *controller,
          CsTrendChart             *self)
{
  set_hover_day (self, -1);
}

static gboolean
cs_trend_chart_query_tooltip (GtkWidget  *widget,
                              int         x,
                              int         y,
                              gboolean    keyboard_tooltip,
                              GtkTooltip *tooltip)
{
  CsTrendChart *self = CS_TREND_CHART (widget);
  g_autofree char *text = NULL;
  graphene_rect_t area;
  int day;

  day = keyboard_tooltip ? (int) self->days->len - 1 : cs_trend_chart_get_day_at (self, x);
  if (day < 0)
    return FALSE;

  text = cs_trend_chart_dup_day_text (self, day);
  gtk_tooltip_set_text (tooltip, text);
  /* Another day is another tooltip: GTK asks again outside this area. */
  if (cs_trend_chart_get_day_area (self, day, &area))
    gtk_tooltip_set_tip_area (tooltip, &(GdkRectangle) { (int) area.origin.x, (int) area.origin.y,
                                                         (int) area.size.width,
                                                         (int) area.size.height });
  return TRUE;
}

static void
style_changed_cb (CsTrendChart *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
cs_trend_chart_finalize (GObject *object)
{
  CsTrendChart *self = CS_TREND_CHART (object);

  g_signal_handlers_disconnect_by_data (adw_style_manager_get_default (), self);
  g_clear_pointer (&self->days, g_array_unref);

  G_OBJECT_CLASS (cs_trend_chart_parent_class)->finalize (object);
}

static void
cs_trend_chart_class_init (CsTrendChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = cs_trend_chart_finalize;

  widget_class->snapshot = cs_trend_chart_snapshot;
  widget_class->measure = cs_trend_chart_measure;
  widget_class->query_tooltip = cs_trend_chart_query_tooltip;

  gtk_widget_class_set_css_name (widget_class, "trendchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cs_trend_chart_init (CsTrendChart *self)
{
  GtkEventController *motion;
  AdwStyleManager *style_manager = adw_style_manager_get_default ();

  self->days = g_array_new (FALSE, TRUE, sizeof (CsMetricsDay));
  self->hover_day = -1;

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  /* The colours come from the style: draw again when it turns dark or
   * high contrast. */
  g_signal_connect_swapped (style_manager, "notify::dark", G_CALLBACK (style_changed_cb), self);
  g_signal_connect_swapped (style_manager, "notify::high-contrast",
                            G_CALLBACK (style_changed_cb), self);
}

/**
 * cs_trend_chart_new:
 *
 * Returns: (transfer floating): a new, empty chart
 */
GtkWidget *
cs_trend_chart_new (void)
{
  return g_object_new (CS_TYPE_TREND_CHART, NULL);
}
