/* cs-sim-config.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-sim-config.h"

static const char * const category_names[CS_SIM_N_CATEGORIES] = {
  [CS_SIM_CATEGORY_SYNCED] = "synced",
  [CS_SIM_CATEGORY_SYNCED_METADATA] = "synced_metadata",
  [CS_SIM_CATEGORY_OTHER_OFFSET] = "other_offset",
  [CS_SIM_CATEGORY_ORPHANED_LOCAL] = "orphaned_local",
  [CS_SIM_CATEGORY_ORPHANED_CALCOM] = "orphaned_calcom",
  [CS_SIM_CATEGORY_MISMATCH_START] = "mismatch_start",
  [CS_SIM_CATEGORY_MISMATCH_END] = "mismatch_end",
  [CS_SIM_CATEGORY_MISMATCH_STATUS] = "mismatch_status",
  [CS_SIM_CATEGORY_CANCELLED] = "cancelled",
  [CS_SIM_CATEGORY_SUGGESTED] = "suggested",
  [CS_SIM_CATEGORY_FOREIGN] = "foreign",
  [CS_SIM_CATEGORY_AWAITING_HOST] = "awaiting_host",
  [CS_SIM_CATEGORY_RECURRING] = "recurring",
};

/**
 * cs_sim_dataset_config_init:
 * @config: (out caller-allocates): the configuration to fill
 *
 * Sets the defaults: seed 1, 1000 appointments of company 3 (foreign rows of
 * company 4), ids from 1000, a window of 30 days back and 90 ahead, and a
 * mix in which about three in four rows are synced (a few of them awaiting
 * their host, a few occurrences of recurring series).
 */
void
cs_sim_dataset_config_init (CsSimDatasetConfig *config)
{
  g_return_if_fail (config != NULL);

  memset (config, 0, sizeof *config);
  config->seed = 1;
  config->n_appointments = 1000;
  config->company_id = CS_SIM_DEFAULT_COMPANY_ID;
  config->foreign_company_id = CS_SIM_DEFAULT_FOREIGN_COMPANY_ID;
  config->first_id = 1000;
  config->past_days = 30;
  config->future_days = 90;

  config->fractions[CS_SIM_CATEGORY_SYNCED_METADATA] = 0.05;
  config->fractions[CS_SIM_CATEGORY_OTHER_OFFSET] = 0.03;
  config->fractions[CS_SIM_CATEGORY_ORPHANED_LOCAL] = 0.04;
  config->fractions[CS_SIM_CATEGORY_ORPHANED_CALCOM] = 0.03;
  config->fractions[CS_SIM_CATEGORY_MISMATCH_START] = 0.02;
  config->fractions[CS_SIM_CATEGORY_MISMATCH_END] = 0.02;
  config->fractions[CS_SIM_CATEGORY_MISMATCH_STATUS] = 0.02;
  config->fractions[CS_SIM_CATEGORY_CANCELLED] = 0.05;
  config->fractions[CS_SIM_CATEGORY_SUGGESTED] = 0.02;
  config->fractions[CS_SIM_CATEGORY_FOREIGN] = 0.01;
  config->fractions[CS_SIM_CATEGORY_AWAITING_HOST] = 0.01;
  config->fractions[CS_SIM_CATEGORY_RECURRING] = 0.01;
}

/**
 * cs_sim_dataset_config_check:
 * @config: a configuration
 * @error: return location for a #G_OPTION_ERROR_BAD_VALUE error
 *
 * Returns: %TRUE if every fraction lies in [0, 1], the appointment fractions
 *   add up to at most 1 and the window and companies make sense
 */
gboolean
cs_sim_dataset_config_check (const CsSimDatasetConfig  *config,
                             GError                   **error)
{
  double sum = 0;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < CS_SIM_N_CATEGORIES; i++)
    {
      double f = config->fractions[i];

      if (!(f >= 0.0 && f <= 1.0))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "Fraction of %s must lie between 0 and 1", category_names[i]);
          return FALSE;
        }

      if (i != CS_SIM_CATEGORY_SYNCED && i != CS_SIM_CATEGORY_ORPHANED_CALCOM)
        sum += f;
    }

  if (sum > 1.0 + 1e-9)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "The appointment fractions add up to %.3f, more than 1", sum);
      return FALSE;
    }

  if (config->company_id <= 0 || config->foreign_company_id <= 0 ||
      config->company_id == config->foreign_company_id)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "The company ids must be positive and differ");
      return FALSE;
    }

  if (config->first_id <= 0 || config->first_id > G_MAXINT32)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "The first appointment id must be positive");
      return FALSE;
    }

  /* Mismatches shift a booking by up to an hour: keep a day of margin. */
  if (config->past_days < 2 || config->future_days < 2 ||
      config->past_days > 3650 || config->future_days > 3650)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "The window must reach between 2 and 3650 days each way");
      return FALSE;
    }

  return TRUE;
}

/**
 * cs_sim_faults_init:
 * @faults: (out caller-allocates): the knobs to clear
 *
 * Turns every fault off.
 */
void
cs_sim_faults_init (CsSimFaults *faults)
{
  g_return_if_fail (faults != NULL);

  memset (faults, 0, sizeof *faults);
}

/**
 * cs_sim_rate_limit_init:
 * @limit: (out caller-allocates): the rate limit to fill
 *
 * Sets Cal.com's published limit (120 requests per 60 s), disabled.
 */
void
cs_sim_rate_limit_init (CsSimRateLimit *limit)
{
  g_return_if_fail (limit != NULL);

  memset (limit, 0, sizeof *limit);
  limit->limit = CS_SIM_DEFAULT_RATE_LIMIT;
  limit->window_seconds = CS_SIM_DEFAULT_RATE_WINDOW;
}

/**
 * cs_sim_category_to_string:
 * @category: a category
 *
 * Returns: the category's name, as in the ground truth file
 */
const char *
cs_sim_category_to_string (CsSimCategory category)
{
  g_return_val_if_fail (category <= CS_SIM_CATEGORY_LAST, NULL);

  return category_names[category];
}

/**
 * cs_sim_category_from_string:
 * @str: a category name
 * @category: (out): the category
 *
 * Returns: %TRUE if @str names a category
 */
gboolean
cs_sim_category_from_string (const char    *str,
                             CsSimCategory *category)
{
  g_return_val_if_fail (category != NULL, FALSE);

  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < CS_SIM_N_CATEGORIES; i++)
    {
      if (g_str_equal (str, category_names[i]))
        {
          *category = (CsSimCategory) i;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * cs_sim_service_to_string:
 * @service: a service
 *
 * Returns: `calcom` or `backend`
 */
const char *
cs_sim_service_to_string (CsSimService service)
{
  switch (service)
    {
    case CS_SIM_SERVICE_CALCOM:
      return "calcom";
    case CS_SIM_SERVICE_BACKEND:
      return "backend";
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * cs_sim_body_from_string:
 * @str: a body fault's name: `empty`, `null`, `garbage`, `deep` or `html`
 * @body: (out): the body fault
 *
 * Returns: %TRUE if @str names a body fault
 */
gboolean
cs_sim_body_from_string (const char *str,
                         CsSimBody  *body)
{
  static const char * const names[] = {
    [CS_SIM_BODY_AS_IS] = "as-is",
    [CS_SIM_BODY_EMPTY] = "empty",
    [CS_SIM_BODY_NULL] = "null",
    [CS_SIM_BODY_GARBAGE] = "garbage",
    [CS_SIM_BODY_DEEP] = "deep",
    [CS_SIM_BODY_HTML] = "html",
  };

  g_return_val_if_fail (body != NULL, FALSE);

  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (names); i++)
    {
      if (g_str_equal (str, names[i]))
        {
          *body = (CsSimBody) i;
          return TRUE;
        }
    }

  return FALSE;
}
