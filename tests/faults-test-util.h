/* faults-test-util.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cs-sim-server.h"

G_BEGIN_DECLS

char    *faults_snapshot_cache       (const char   *path);
void     faults_assert_sentence      (const char   *message,
                                      CsSimService  service,
                                      const char   *words);
void     faults_assert_no_writes     (CsSimServer  *sim);
char    *faults_closed_port_url      (const char   *path);
gboolean faults_make_certificate     (const char   *dir,
                                      char        **cert_path,
                                      char        **key_path);
void     faults_remove_tree          (const char   *dir);

G_END_DECLS
