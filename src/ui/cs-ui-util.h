/* cs-ui-util.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cs-enums.h"
#include "cs-time.h"

G_BEGIN_DECLS

/* The words, icons and colours every view uses for the same thing, so the
 * dashboard, the list, the review dialog and the alerts never disagree. */

const char *cs_ui_status_label        (CsSyncStatus  status);
const char *cs_ui_status_icon_name    (CsSyncStatus  status);
const char *cs_ui_status_css_class    (CsSyncStatus  status);
const char *cs_ui_needs_review_label  (void);
const char *cs_ui_error_label         (CsErrorCode   code,
                                       const char   *message);
const char *cs_ui_crm_status_label    (CsCrmStatus   status);
const char *cs_ui_booking_status_label (CsBookingStatus status);

char       *cs_ui_format_date_time    (CsTime        time);
char       *cs_ui_format_date_time_long (CsTime      time);
char       *cs_ui_format_time         (CsTime        time);
char       *cs_ui_format_relative     (CsTime        time,
                                       CsTime        now);
char       *cs_ui_format_duration     (gint64        usec);
char       *cs_ui_format_count        (guint         n);
char       *cs_ui_format_percent      (double        fraction);

AdwToast   *cs_ui_toast_new           (const char   *text);
AdwToast   *cs_ui_toast_new_printf    (const char   *format,
                                       ...) G_GNUC_PRINTF (1, 2);

void        cs_ui_set_status_classes  (GtkWidget    *widget,
                                       CsSyncStatus  status);

G_END_DECLS
