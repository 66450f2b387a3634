/* ui-test-util.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cs-demo.h"
#include "cs-engine.h"

G_BEGIN_DECLS

/**
 * UiTestFixture:
 * @demo: the simulator, settings in memory and a temp-dir cache
 * @engine: a started engine on them
 * @clock: the engine's clock: real time, which ui_test_verify() moves on
 *   past the retry delays
 * @nudge_id: the source that lets the clock's timers fire as real time
 *   passes
 *
 * What every UI test starts from: the `--demo` company, its cache filled
 * by cs_demo_prepare_async() (every state at once) unless the test asks
 * for an empty one.
 */
typedef struct
{
  CsDemo   *demo;
  CsEngine *engine;
  CsClock  *clock;
  guint     nudge_id;
} UiTestFixture;

/* How long a condition may take before the test fails. */
#define UI_TEST_TIMEOUT_MS 20000

void          ui_test_init            (int            *argc,
                                       char         ***argv);
void          ui_test_fixture_setup   (UiTestFixture  *fixture,
                                       guint           n_appointments,
                                       gboolean        prepare);
void          ui_test_fixture_teardown (UiTestFixture *fixture);

typedef gboolean (*UiTestCondition) (gpointer user_data);

void          ui_test_wait_until      (UiTestCondition condition,
                                       gpointer        user_data,
                                       const char     *what);
void          ui_test_async_cb        (GObject        *object,
                                       GAsyncResult   *result,
                                       gpointer        user_data);
GAsyncResult *ui_test_wait_result     (GAsyncResult  **result);
void          ui_test_verify          (UiTestFixture  *fixture);
void          ui_test_drain           (void);
GtkWidget    *ui_test_find_by_name    (GtkWidget      *root,
                                       const char     *name);
GtkWidget    *ui_test_find_by_type    (GtkWidget      *root,
                                       GType           type);
GtkWidget    *ui_test_find_button     (GtkWidget      *root,
                                       const char     *label);
GtkWidget    *ui_test_find_label      (GtkWidget      *root,
                                       const char     *text);

gboolean      ui_test_save_png        (GtkWidget      *widget,
                                       gboolean        with_background,
                                       const char     *path);
char         *ui_test_png_dir         (const char     *variable,
                                       gboolean       *temporary);
void          ui_test_check_png       (const char     *path,
                                       gboolean        temporary);
void          ui_test_png_dir_done    (const char     *dir,
                                       gboolean        temporary);

G_END_DECLS
