/* cs-background.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

gboolean  cs_background_is_sandboxed          (void);
char     *cs_background_get_autostart_path    (void);
void      cs_background_set_autostart_async   (GtkWindow           *parent,
                                               gboolean             enabled,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean  cs_background_set_autostart_finish  (GAsyncResult        *result,
                                               GError             **error);

G_END_DECLS
