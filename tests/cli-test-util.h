/* cli-test-util.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cs-sim-server.h"

G_BEGIN_DECLS

/* The simulator this test serves and the child's throwaway home. */
typedef struct
{
  CsSimServer *sim;
  char        *home;
  char        *calcom_url;
  char        *backend_url;
} CliFixture;

void                 cli_fixture_set_up    (CliFixture          *f,
                                            gconstpointer        data);
void                 cli_fixture_set_up_sized (CliFixture       *f,
                                               guint             n_appointments);
void                 cli_fixture_tear_down (CliFixture          *f,
                                            gconstpointer        data);
GSubprocessLauncher *cli_launcher_new      (CliFixture          *f,
                                            const char          *language,
                                            GSubprocessFlags     flags);
int                  cli_run_full          (CliFixture          *f,
                                            const char          *language,
                                            const char          *input,
                                            char               **out,
                                            char               **err,
                                            const char * const  *args);
int                  cli_run               (CliFixture          *f,
                                            const char          *input,
                                            char               **out,
                                            const char * const  *args);
int                  cli_run_service       (CliFixture          *f,
                                            const char * const  *args);
JsonObject          *cli_parse_object      (const char          *text,
                                            JsonParser          *parser);
void                 cli_set_up_secrets    (CliFixture          *f);
char                *cli_get_setting       (CliFixture          *f,
                                            const char          *key);

G_END_DECLS
