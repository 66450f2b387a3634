/* fuzz-common.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "cs-appointment.h"
#include "cs-booking.h"

G_BEGIN_DECLS

/* Each fuzz-<name>.c defines it; libFuzzer or fuzz-replay.c calls it. */
int       LLVMFuzzerTestOneInput      (const uint8_t   *data,
                                       size_t           size);

void      cs_fuzz_init                (void);
char     *cs_fuzz_dup_text            (const uint8_t   *data,
                                       size_t           size);
void      cs_fuzz_check_error         (const GError    *error);
void      cs_fuzz_check_text          (const char      *text);
void      cs_fuzz_check_message       (const char      *message);
void      cs_fuzz_check_json          (GBytes          *body);
void      cs_fuzz_check_booking       (const CsBooking *booking);
void      cs_fuzz_check_appointment   (const CsAppointment *appointment,
                                       gint64           company_id);

G_END_DECLS
