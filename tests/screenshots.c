/* screenshots.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>

#include "cs-demo.h"
#include "cs-window.h"
#include "ui-test-util.h"

/* The screenshots of the README and the metainfo (build-aux/screenshots):
 * the real window on a prepared demo, rendered inside the program by the
 * window's own renderer, so no screen grabber and no window manager are
 * needed. Usage:
 *
 *   calsync-screenshots OUTPUT-DIR VIEW=FILE.png...
 *
 * where VIEW is dashboard, appointments, metrics or review (the review
 * dialog of a flagged appointment not in Cal.com). */

#define WIDTH      1200
#define HEIGHT     800
#define TIMEOUT_MS 60000

typedef gboolean (*Condition) (gpointer user_data);

/* Iterates the main context until @condition holds, at most TIMEOUT_MS. */
static gboolean
wait_until (Condition   condition,
            gpointer    user_data,
            const char *what)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;

  while (!condition (user_data))
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_printerr ("Timed out waiting for %s\n", what);
          return FALSE;
        }
      g_main_context_iteration (NULL, !g_main_context_pending (NULL) ? TRUE : FALSE);
    }

  return TRUE;
}

typedef struct
{
  GAsyncResult *result;
} Async;

static void
async_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Async *async = user_data;

  async->result = g_object_ref (result);
}

static gboolean
async_done (gpointer user_data)
{
  return ((Async *) user_data)->result != NULL;
}

typedef struct
{
  GtkWidget *widget;
  guint      frames;
} Frames;

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  Frames *frames = user_data;

  frames->frames++;
  return G_SOURCE_CONTINUE;
}

/* Settled: nothing left to dispatch, and two frames drawn since we began
 * (the first may still show the previous layout). */
static gboolean
settled (gpointer user_data)
{
  Frames *frames = user_data;

  return frames->frames >= 3 && !g_main_context_pending (NULL) &&
         gtk_widget_get_mapped (frames->widget);
}

static gboolean
wait_frames (GtkWidget *widget)
{
  Frames frames = { widget, 0 };
  guint id = gtk_widget_add_tick_callback (widget, tick_cb, &frames, NULL);
  gboolean ok;

  gtk_widget_queue_draw (widget);
  ok = wait_until (settled, &frames, "the window to be drawn");
  gtk_widget_remove_tick_callback (widget, id);

  return ok;
}

static gboolean
save_png (GtkWidget  *widget,
          const char *path)
{
  if (!ui_test_save_png (widget, FALSE, path))
    {
      g_printerr ("Could not write %s\n", path);
      return FALSE;
    }

  g_print ("%s (%d×%d)\n", path, gtk_widget_get_width (widget), gtk_widget_get_height (widget));
  return TRUE;
}

static gboolean
model_loaded (gpointer user_data)
{
  CsWindow *window = user_data;
  CsAppointmentModel *model = cs_window_get_model (window);

  return model != NULL && cs_appointment_model_get_n_loaded (model) > 0;
}

/* A flagged appointment that is not in Cal.com, not resolved. */
static gint64
find_flagged_orphan (CsEngine *engine)
{
  g_autoptr(GPtrArray) appointments = NULL;
  CsTime start, end;

  cs_engine_get_window (engine, &start, &end);
  appointments = cs_store_list_appointments (cs_engine_get_store (engine), start, end, NULL);
  for (guint i = 0; appointments != NULL && i < appointments->len; i++)
    {
      CsAppointment *a = g_ptr_array_index (appointments, i);

      if (a->sync.requires_manual_review && a->resolved_at == CS_TIME_UNSET &&
          a->sync.status == CS_SYNC_STATUS_ORPHANED_LOCAL)
        return a->id;
    }

  return 0;
}

static gboolean
shoot (CsWindow   *window,
       const char *view,
       const char *path)
{
  if (g_str_equal (view, "review"))
    {
      gint64 id = find_flagged_orphan (cs_window_get_engine (window));
      GtkWindow *dialog;
      gboolean ok;

      if (id == 0)
        {
          g_printerr ("The demo has no flagged appointment for the review dialog\n");
          return FALSE;
        }

      dialog = cs_window_review (window, id, NULL);
      if (dialog == NULL)
        return FALSE;
      g_object_ref (dialog);
      /* Tall enough for every section down to the resolution buttons. */
      gtk_window_set_default_size (dialog, 720, 1000);
      gtk_window_present (dialog);
      ok = wait_frames (GTK_WIDGET (dialog)) && save_png (GTK_WIDGET (dialog), path);
      gtk_window_destroy (dialog);
      g_object_unref (dialog);
      return ok;
    }

  cs_window_show_view (window, view);
  return wait_frames (GTK_WIDGET (window)) && save_png (GTK_WIDGET (window), path);
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("CALSYNC_LOCALEDIR");
  g_autoptr(CsDemo) demo = NULL;
  g_autoptr(CsEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GtkCssProvider) css = NULL;
  g_autoptr(GError) error = NULL;
  CsWindow *window;
  Async async = { NULL };
  int status = 0;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && localedir[0] != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 3)
    {
      g_printerr ("Usage: %s OUTPUT-DIR VIEW=FILE.png...\n", argv[0]);
      return 2;
    }

  gtk_init ();
  adw_init ();
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_LIGHT);
  /* What AdwApplication loads for the app from its resource base path. */
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/io/github/calsync/Calsync/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  demo = cs_demo_new (CS_DEMO_APPOINTMENTS);
  if (!cs_demo_start (demo, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  cs_demo_prepare_async (demo, NULL, async_cb, &async);
  if (!wait_until (async_done, &async, "the demo"))
    return 1;
  result = g_steal_pointer (&async.result);
  if (!cs_demo_prepare_finish (demo, result, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  g_clear_object (&result);

  /* The app's engine with its schedule, as the app runs it (no
   * notifications): the due times the demo left put the next retry
   * minutes away, so the pictures show the prepared states. */
  engine = cs_demo_new_engine (demo);
  cs_engine_start_async (engine, NULL, async_cb, &async);
  if (!wait_until (async_done, &async, "the engine"))
    return 1;
  result = g_steal_pointer (&async.result);
  if (!cs_engine_start_finish (engine, result, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  cs_engine_start_schedule (engine, NULL);

  window = cs_window_new (NULL, cs_demo_get_settings (demo));
  gtk_window_set_default_size (GTK_WINDOW (window), WIDTH, HEIGHT);
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_present (GTK_WINDOW (window));
  cs_window_set_engine (window, engine);
  if (!wait_until (model_loaded, window, "the appointments") || !wait_frames (GTK_WIDGET (window)))
    return 1;

  /* The default size counts the frame (resize borders, without a
   * compositor): grow it so the window itself is WIDTH × HEIGHT (the
   * virtual screen of build-aux/headless.sh is 800 high: no frame). */
  if (gtk_widget_get_width (GTK_WIDGET (window)) != WIDTH ||
      gtk_widget_get_height (GTK_WIDGET (window)) != HEIGHT)
    {
      gtk_window_set_default_size (GTK_WINDOW (window),
                                   2 * WIDTH - gtk_widget_get_width (GTK_WIDGET (window)),
                                   2 * HEIGHT - gtk_widget_get_height (GTK_WIDGET (window)));
      if (!wait_frames (GTK_WIDGET (window)))
        return 1;
    }

  for (int i = 2; i < argc; i++)
    {
      g_auto(GStrv) pair = g_strsplit (argv[i], "=", 2);
      g_autofree char *path = NULL;

      if (pair[0] == NULL || pair[1] == NULL)
        {
          g_printerr ("Not VIEW=FILE.png: %s\n", argv[i]);
          status = 2;
          continue;
        }

      path = g_build_filename (argv[1], pair[1], NULL);
      if (!shoot (window, pair[0], path))
        status = 1;
    }

  gtk_window_destroy (GTK_WINDOW (window));
  return status;
}
