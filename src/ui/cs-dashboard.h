/* cs-dashboard.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cs-appointment-model.h"
#include "cs-engine.h"

G_BEGIN_DECLS

/**
 * CsDashboardCard:
 * @CS_DASHBOARD_CARD_SYNCED: appointments in both calendars, matching
 * @CS_DASHBOARD_CARD_PENDING: appointments not verified yet
 * @CS_DASHBOARD_CARD_NEEDS_REVIEW: problems flagged for manual review
 * @CS_DASHBOARD_CARD_FAILED: problems the last attempt found (see
 *   cs_dashboard_card_get_filter())
 *
 * The status cards of the dashboard.
 */
typedef enum
{
  CS_DASHBOARD_CARD_SYNCED,
  CS_DASHBOARD_CARD_PENDING,
  CS_DASHBOARD_CARD_NEEDS_REVIEW,
  CS_DASHBOARD_CARD_FAILED,
} CsDashboardCard;

#define CS_DASHBOARD_N_CARDS (CS_DASHBOARD_CARD_FAILED + 1)

#define CS_TYPE_DASHBOARD (cs_dashboard_get_type ())

G_DECLARE_FINAL_TYPE (CsDashboard, cs_dashboard, CS, DASHBOARD, AdwBin)

void        cs_dashboard_set_engine     (CsDashboard         *self,
                                         CsEngine            *engine);
void        cs_dashboard_set_model      (CsDashboard         *self,
                                         CsAppointmentModel  *model);
void        cs_dashboard_refresh        (CsDashboard         *self);

guint       cs_dashboard_card_get_filter (CsDashboardCard     card);
guint       cs_dashboard_card_count      (CsDashboardCard     card,
                                          const CsStoreCounts *counts);
GtkWidget  *cs_dashboard_get_card        (CsDashboard         *self,
                                          CsDashboardCard      card);
const char *cs_dashboard_get_card_label  (CsDashboard         *self,
                                          CsDashboardCard      card);

G_END_DECLS
