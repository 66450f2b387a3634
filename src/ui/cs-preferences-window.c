/* cs-preferences-window.c — PLACEHOLDER: the real window replaces this file. */

#include "config.h"

#include "cs-preferences-window.h"

struct _CsPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;
};

G_DEFINE_FINAL_TYPE (CsPreferencesWindow, cs_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
cs_preferences_window_class_init (CsPreferencesWindowClass *klass)
{
}

static void
cs_preferences_window_init (CsPreferencesWindow *self)
{
}

CsPreferencesWindow *
cs_preferences_window_new (GtkWindow *parent,
                           GSettings *settings,
                           CsEngine  *engine)
{
  return g_object_new (CS_TYPE_PREFERENCES_WINDOW, "transient-for", parent, "modal", TRUE, NULL);
}
