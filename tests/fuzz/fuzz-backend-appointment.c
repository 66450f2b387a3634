/* fuzz-backend-appointment.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-backend-json.h"
#include "cs-net-error.h"
#include "fuzz-common.h"

/*
 * `{"data": Appointment}`, the answer of a get, create, patch or cancel,
 * read for company 3: another company's row is an error of its own kind,
 * never an appointment.
 */

#define COMPANY_ID 3

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsAppointment) appointment = NULL;

  cs_fuzz_init ();

  body = g_bytes_new (data, size);
  appointment = cs_backend_parse_appointment_response (body, COMPANY_ID, &error);
  if (appointment == NULL)
    {
      cs_fuzz_check_error (error);
      g_assert (error->code == CS_NET_ERROR_INVALID_RESPONSE ||
                error->code == CS_NET_ERROR_WRONG_COMPANY);
      return 0;
    }

  g_assert_no_error (error);
  cs_fuzz_check_appointment (appointment, COMPANY_ID);

  return 0;
}
