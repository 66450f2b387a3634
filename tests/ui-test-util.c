/* ui-test-util.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>

#include "ui-test-util.h"

#include "cs-manual-clock.h"
#include "cs-retry-policy.h"

/**
 * ui_test_init:
 * @argc: the program's argc
 * @argv: the program's argv
 *
 * GTest and GTK under Xvfb, with libadwaita's styles; criticals and
 * warnings abort (G_DEBUG=fatal-warnings in the environment, and here).
 */
void
ui_test_init (int    *argc,
              char ***argv)
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  setlocale (LC_ALL, "");
  g_test_init (argc, argv, NULL);
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  gtk_init ();
  adw_init ();
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

/**
 * ui_test_wait_until:
 * @condition: what to wait for
 * @user_data: data for @condition
 * @what: words for the failure message
 *
 * Iterates the default main context until @condition holds; fails the
 * test after %UI_TEST_TIMEOUT_MS (a bound, not a synchronisation sleep).
 */
void
ui_test_wait_until (UiTestCondition  condition,
                    gpointer         user_data,
                    const char      *what)
{
  gint64 deadline = g_get_monotonic_time () + UI_TEST_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;

  while (!condition (user_data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      if (!condition (user_data))
        {
          /* Block shortly for the next event instead of spinning. */
          GSource *tick = g_timeout_source_new (10);

          g_source_set_callback (tick, tick_cb, NULL, NULL);
          g_source_attach (tick, NULL);
          g_main_context_iteration (NULL, TRUE);
          g_source_destroy (tick);
          g_source_unref (tick);
        }
    }
}

/**
 * ui_test_async_cb:
 *
 * A #GAsyncReadyCallback that stores a reference to the result in the
 * `GAsyncResult *` that @user_data points to.
 */
void
ui_test_async_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static gboolean
result_is_set (gpointer user_data)
{
  return *(GAsyncResult **) user_data != NULL;
}

/**
 * ui_test_wait_result:
 * @result: where ui_test_async_cb() stores the result
 *
 * Returns: (transfer full): the result, once there
 */
GAsyncResult *
ui_test_wait_result (GAsyncResult **result)
{
  ui_test_wait_until (result_is_set, result, "an async result");
  return g_steal_pointer (result);
}

/**
 * ui_test_drain:
 *
 * Runs what is ready in the default main context (idle callbacks, layout),
 * without waiting.
 */
void
ui_test_drain (void)
{
  for (guint i = 0; i < 1000 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

/* A manual clock that follows real time fires its timers at its next
 * move: this makes the time passed its own every few milliseconds. */
static gboolean
nudge_clock (gpointer user_data)
{
  cs_manual_clock_advance (CS_MANUAL_CLOCK (user_data), 0);
  return G_SOURCE_CONTINUE;
}

/**
 * ui_test_fixture_setup:
 * @fixture: the fixture
 * @n_appointments: the size of the demo company
 * @prepare: fill the cache with every state (cs_demo_prepare_async())
 *
 * Starts the simulator and an engine on it.
 */
void
ui_test_fixture_setup (UiTestFixture *fixture,
                       guint          n_appointments,
                       gboolean       prepare)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *pending = NULL;
  g_autoptr(GError) error = NULL;

  fixture->demo = cs_demo_new (n_appointments);
  g_assert_true (cs_demo_start (fixture->demo, &error));
  g_assert_no_error (error);

  if (prepare)
    {
      /* A day of history is enough for the tests, and fast. */
      cs_demo_set_history_days (fixture->demo, 1);
      cs_demo_prepare_async (fixture->demo, NULL, ui_test_async_cb, &pending);
      result = ui_test_wait_result (&pending);
      g_assert_true (cs_demo_prepare_finish (fixture->demo, result, &error));
      g_assert_no_error (error);
      g_clear_object (&result);
    }

  /* Real time, with a button to jump: the checks of a test count their
   * attempts like the +1 and +5 minute retries without waiting for them. */
  fixture->clock = cs_manual_clock_new (g_get_real_time ());
  cs_manual_clock_set_follow_real_time (CS_MANUAL_CLOCK (fixture->clock), TRUE);
  fixture->nudge_id = g_timeout_add (10, nudge_clock, fixture->clock);

  fixture->engine = cs_demo_new_engine_with_clock (fixture->demo, fixture->clock);
  cs_engine_start_async (fixture->engine, NULL, ui_test_async_cb, &pending);
  result = ui_test_wait_result (&pending);
  g_assert_true (cs_engine_start_finish (fixture->engine, result, &error));
  g_assert_no_error (error);
}

/**
 * ui_test_verify:
 * @fixture: the fixture
 *
 * Runs one comprehensive check against the simulator and waits for it.
 */
void
ui_test_verify (UiTestFixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CsVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *pending = NULL;

  cs_engine_verify_async (fixture->engine, CS_VERIFICATION_COMPREHENSIVE, FALSE, NULL,
                          ui_test_async_cb, &pending);
  result = ui_test_wait_result (&pending);
  report = cs_engine_verify_finish (fixture->engine, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);

  /* The next check finds every retry due, as the schedule's +1 and +5
   * minute retries would: three checks flag what stays wrong. */
  cs_manual_clock_advance (CS_MANUAL_CLOCK (fixture->clock), CS_RETRY_DELAY_SECOND);
}

/**
 * ui_test_fixture_teardown:
 * @fixture: the fixture
 */
void
ui_test_fixture_teardown (UiTestFixture *fixture)
{
  g_clear_object (&fixture->engine);
  g_clear_object (&fixture->demo);
  g_clear_handle_id (&fixture->nudge_id, g_source_remove);
  g_clear_object (&fixture->clock);
  ui_test_drain ();
}

typedef gboolean (*WidgetMatch) (GtkWidget *widget, gconstpointer data);

static GtkWidget *
find_widget (GtkWidget     *root,
             WidgetMatch    match,
             gconstpointer  data)
{
  if (root == NULL)
    return NULL;
  if (match (root, data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, match, data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
match_name (GtkWidget *widget, gconstpointer data)
{
  return g_strcmp0 (gtk_widget_get_name (widget), data) == 0;
}

static gboolean
match_type (GtkWidget *widget, gconstpointer data)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (data));
}

static gboolean
match_button (GtkWidget *widget, gconstpointer data)
{
  const char *label;

  if (!GTK_IS_BUTTON (widget))
    return FALSE;
  label = gtk_button_get_label (GTK_BUTTON (widget));
  if (label == NULL)
    {
      GtkWidget *child = gtk_button_get_child (GTK_BUTTON (widget));

      if (ADW_IS_BUTTON_CONTENT (child))
        label = adw_button_content_get_label (ADW_BUTTON_CONTENT (child));
      else if (GTK_IS_LABEL (child))
        label = gtk_label_get_label (GTK_LABEL (child));
    }
  return g_strcmp0 (label, data) == 0;
}

static gboolean
match_label (GtkWidget *widget, gconstpointer data)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), data) == 0;
}

/**
 * ui_test_find_by_name:
 * @root: where to look
 * @name: the widget name (gtk_widget_set_name(), or `name` in a template)
 *
 * Returns: (transfer none) (nullable): the first widget of that name
 */
GtkWidget *
ui_test_find_by_name (GtkWidget  *root,
                      const char *name)
{
  return find_widget (root, match_name, name);
}

/**
 * ui_test_find_by_type:
 * @root: where to look
 * @type: a widget type
 *
 * Returns: (transfer none) (nullable): the first widget of @type
 */
GtkWidget *
ui_test_find_by_type (GtkWidget *root,
                      GType      type)
{
  return find_widget (root, match_type, GSIZE_TO_POINTER (type));
}

/**
 * ui_test_find_button:
 * @root: where to look
 * @label: the button's label, mnemonic underscores included
 *
 * Returns: (transfer none) (nullable): the first button with @label
 */
GtkWidget *
ui_test_find_button (GtkWidget  *root,
                     const char *label)
{
  return find_widget (root, match_button, label);
}

/**
 * ui_test_find_label:
 * @root: where to look
 * @text: the label's text, without markup
 *
 * Returns: (transfer none) (nullable): the first label showing @text
 */
GtkWidget *
ui_test_find_label (GtkWidget  *root,
                    const char *text)
{
  return find_widget (root, match_label, text);
}

/* The render node of @widget as it looks now, or NULL if it has drawn
 * nothing yet. */
static GskRenderNode *
snapshot_widget (GtkWidget *widget,
                 gboolean   with_background)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  if (with_background)
    {
      GdkRGBA background;

      if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget),
                                           "window_bg_color", &background))
        gdk_rgba_parse (&background, "white");
      gtk_snapshot_append_color (snapshot, &background, &GRAPHENE_RECT_INIT (0, 0, width, height));
    }
  gdk_paintable_snapshot (paintable, snapshot, width, height);

  return gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
}

static gboolean
widget_renders (gpointer user_data)
{
  GtkWidget *widget = user_data;
  g_autoptr(GskRenderNode) node = NULL;

  if (!gtk_widget_get_mapped (widget) || gtk_widget_get_width (widget) <= 0 ||
      gtk_widget_get_height (widget) <= 0 ||
      gtk_native_get_renderer (gtk_widget_get_native (widget)) == NULL)
    return FALSE;

  node = snapshot_widget (widget, FALSE);
  return node != NULL;
}

/**
 * ui_test_save_png:
 * @widget: a drawn widget
 * @with_background: paint the window's background first (a child widget
 *   has none of its own)
 * @path: where to write the PNG
 *
 * Renders @widget in-app (PLATFORM-NOTES.md "Screenshots"): its snapshot,
 * rendered by its window's renderer, saved as PNG.
 *
 * Returns: whether the PNG was written
 */
gboolean
ui_test_save_png (GtkWidget  *widget,
                  gboolean    with_background,
                  const char *path)
{
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer;

  /* A window just shown or changed may not have drawn yet: wait until it
   * has something to render, however slow the machine. */
  ui_test_wait_until (widget_renders, widget, "the widget to render");

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  node = snapshot_widget (widget, with_background);
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0,
                                                              gtk_widget_get_width (widget),
                                                              gtk_widget_get_height (widget)));
  return gdk_texture_save_to_png (texture, path);
}

/**
 * ui_test_png_dir:
 * @variable: an environment variable naming a folder to keep the PNGs in
 * @temporary: (out): whether the folder is a throwaway one
 *
 * The rendering tests always render; with @variable set they keep their
 * pictures there to be looked at, without it in a throwaway folder.
 *
 * Returns: (transfer full): the folder
 */
char *
ui_test_png_dir (const char *variable,
                 gboolean   *temporary)
{
  const char *dir = g_getenv (variable);
  g_autoptr(GError) error = NULL;
  char *made;

  *temporary = dir == NULL;
  if (dir != NULL)
    return g_strdup (dir);

  made = g_dir_make_tmp ("calsync-png-XXXXXX", &error);
  g_assert_no_error (error);
  return made;
}

/**
 * ui_test_check_png:
 * @path: a PNG the test rendered
 * @temporary: whether to remove it afterwards
 *
 * Asserts that @path holds a picture of some size: the widget rendered.
 */
void
ui_test_check_png (const char *path,
                   gboolean    temporary)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  texture = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), >, 100);
  g_assert_cmpint (gdk_texture_get_height (texture), >, 100);
  if (temporary)
    g_unlink (path);
}

/**
 * ui_test_png_dir_done:
 * @dir: the folder of ui_test_png_dir()
 * @temporary: whether it is a throwaway one
 */
void
ui_test_png_dir_done (const char *dir,
                      gboolean    temporary)
{
  if (temporary)
    g_assert_cmpint (g_rmdir (dir), ==, 0);
}
