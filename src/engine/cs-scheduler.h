/* cs-scheduler.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cs-clock.h"
#include "cs-store.h"

G_BEGIN_DECLS

/* The store's state keys of the persisted due times (per company). */
#define CS_SCHEDULER_STATE_NEXT_CYCLE "next-cycle-at"
#define CS_SCHEDULER_STATE_NEXT_CHECK "next-check-at"
#define CS_SCHEDULER_STATE_NEXT_RETRY "next-retry-at"

/**
 * CsSchedulerRunKind:
 * @CS_SCHEDULER_RUN_CYCLE: the verification cycle (every #CsScheduler:cycle-hours)
 * @CS_SCHEDULER_RUN_COMPREHENSIVE: the daily comprehensive check; it covers
 *   a cycle
 * @CS_SCHEDULER_RUN_RETRY: the due retries only (+1 min, +5 min)
 *
 * What a #CsScheduler asks the engine to run.
 */
typedef enum
{
  CS_SCHEDULER_RUN_CYCLE,
  CS_SCHEDULER_RUN_COMPREHENSIVE,
  CS_SCHEDULER_RUN_RETRY,
} CsSchedulerRunKind;

#define CS_TYPE_SCHEDULER (cs_scheduler_get_type ())

G_DECLARE_FINAL_TYPE (CsScheduler, cs_scheduler, CS, SCHEDULER, GObject)

CsScheduler *cs_scheduler_new                   (CsClock             *clock,
                                                 CsStore             *store,
                                                 GTimeZone           *time_zone);
void         cs_scheduler_start                 (CsScheduler         *self);
gboolean     cs_scheduler_get_started           (CsScheduler         *self);
void         cs_scheduler_run_finished          (CsScheduler         *self,
                                                 CsSchedulerRunKind   kind,
                                                 gboolean             succeeded,
                                                 CsTime               next_retry_due);
void         cs_scheduler_offer_retry_due       (CsScheduler         *self,
                                                 CsTime               due);
void         cs_scheduler_set_retry_due         (CsScheduler         *self,
                                                 CsTime               due);
void         cs_scheduler_check_overdue         (CsScheduler         *self);
void         cs_scheduler_watch_sleep           (CsScheduler         *self);
gboolean     cs_scheduler_get_running           (CsScheduler         *self);

CsTime       cs_scheduler_get_next_cycle_at     (CsScheduler         *self);
CsTime       cs_scheduler_get_next_check_at     (CsScheduler         *self);
CsTime       cs_scheduler_get_next_retry_at     (CsScheduler         *self);

guint        cs_scheduler_get_cycle_hours       (CsScheduler         *self);
void         cs_scheduler_set_cycle_hours       (CsScheduler         *self,
                                                 guint                cycle_hours);
guint        cs_scheduler_get_check_hour        (CsScheduler         *self);
guint        cs_scheduler_get_check_minute      (CsScheduler         *self);
void         cs_scheduler_set_check_time        (CsScheduler         *self,
                                                 guint                hour,
                                                 guint                minute);
char        *cs_scheduler_dup_check_time_string (CsScheduler         *self);
void         cs_scheduler_set_check_time_string (CsScheduler         *self,
                                                 const char          *text);
gint64       cs_scheduler_get_watchdog_interval (CsScheduler         *self);
void         cs_scheduler_set_watchdog_interval (CsScheduler         *self,
                                                 gint64               usec);
gboolean     cs_scheduler_get_online            (CsScheduler         *self);
void         cs_scheduler_set_online            (CsScheduler         *self,
                                                 gboolean             online);
gboolean     cs_scheduler_get_paused            (CsScheduler         *self);
void         cs_scheduler_set_paused            (CsScheduler         *self,
                                                 gboolean             paused);

CsTime       cs_scheduler_next_local_time       (GTimeZone           *time_zone,
                                                 CsTime               after,
                                                 guint                hour,
                                                 guint                minute);
gboolean     cs_scheduler_parse_check_time      (const char          *text,
                                                 guint               *hour,
                                                 guint               *minute);

G_END_DECLS
