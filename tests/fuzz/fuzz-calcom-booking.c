/* fuzz-calcom-booking.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-calcom-json.h"
#include "cs-net-error.h"
#include "fuzz-common.h"

/*
 * A get, create or cancel answer: one booking in `data`, or the array of a
 * recurring series' occurrences. Read twice, without a uid and with the
 * uid of the second occurrence of the contract's example series, so that
 * both ways of choosing an occurrence run.
 */

static void
parse_once (GBytes     *body,
            const char *uid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsBooking) booking = NULL;

  booking = cs_calcom_parse_booking_response (body, uid, &error);
  if (booking == NULL)
    {
      cs_fuzz_check_error (error);
      g_assert (error->code == CS_NET_ERROR_INVALID_RESPONSE ||
                error->code == CS_NET_ERROR_UNSUPPORTED);
      return;
    }

  g_assert_no_error (error);
  cs_fuzz_check_booking (booking);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) body = NULL;

  cs_fuzz_init ();

  body = g_bytes_new (data, size);
  parse_once (body, NULL);
  parse_once (body, "recurring_occurrence_uid_126");

  return 0;
}
