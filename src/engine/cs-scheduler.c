/* cs-scheduler.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-engine-enum-types.h"
#include "cs-scheduler.h"

/**
 * CsScheduler:
 *
 * Decides when the engine runs (DESIGN.md §1, "Schedule"): a verification
 * cycle every #CsScheduler:cycle-hours hours, a comprehensive check every
 * day at #CsScheduler:check-time local time, and the retries (+1 min,
 * +5 min) on their own timer.
 *
 * The scheduler runs nothing itself. It emits #CsScheduler::run-requested
 * and waits for the engine's cs_scheduler_run_finished(); it never asks
 * for a second run before the first one is answered, and a due time that
 * falls meanwhile is served afterwards.
 *
 * The due times live in the store ("next-cycle-at", "next-check-at",
 * "next-retry-at"), so a restart, a suspend or an offline period finds
 * what is overdue and asks for it once, never once per missed slot: after
 * a run the next cycle is due #CsScheduler:cycle-hours from the moment the
 * run finished, and the next check at the first check time strictly after
 * it. When the cycle and the check are both due, one comprehensive run
 * covers both.
 *
 * A run that failed moves its due times forward like one that succeeded:
 * a failed run is retried by the engine through the retry due time it
 * answers with, not by the scheduler replaying the slot.
 *
 * All time comes from a #CsClock. The system clock's timers run on the
 * monotonic clock, which stops during a suspend and does not follow wall
 * clock changes: a watchdog re-reads the wall clock every
 * #CsScheduler:watchdog-interval, and cs_scheduler_watch_sleep() adds
 * logind's wake-up signal where the system bus has it.
 */

/* A wall-clock step larger than this, against the monotonic clock, is
 * logged as a jump (suspend, clock change). */
#define JUMP_TOLERANCE (5 * CS_USEC_PER_SECOND)

#define KEY_NEXT_CYCLE CS_SCHEDULER_STATE_NEXT_CYCLE
#define KEY_NEXT_CHECK CS_SCHEDULER_STATE_NEXT_CHECK
#define KEY_NEXT_RETRY CS_SCHEDULER_STATE_NEXT_RETRY

struct _CsScheduler
{
  GObject             parent_instance;

  /* Owned references */
  CsClock            *clock;
  CsStore            *store;
  GTimeZone          *time_zone;
  GCancellable       *cancellable;
  GDBusConnection    *system_bus;

  /* Settings */
  guint               cycle_hours;
  guint               check_hour;
  guint               check_minute;
  gint64              watchdog_interval;
  gboolean            online;
  gboolean            paused;

  /* Due times, as persisted */
  CsTime              next_cycle_at;
  CsTime              next_check_at;
  CsTime              next_retry_at;

  /* The run asked for and not answered yet */
  gboolean            running;
  CsSchedulerRunKind  running_kind;
  CsTime              requested_retry_at;

  gboolean            started;
  gboolean            evaluating;
  gboolean            reevaluate;
  CsTime              last_wall;
  gint64              last_monotonic;

  guint               due_timer;
  guint               retry_timer;
  guint               watchdog_timer;
  guint               sleep_subscription;
};

G_DEFINE_FINAL_TYPE (CsScheduler, cs_scheduler, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLOCK,
  PROP_STORE,
  PROP_TIME_ZONE,
  PROP_CYCLE_HOURS,
  PROP_CHECK_HOUR,
  PROP_CHECK_MINUTE,
  PROP_CHECK_TIME,
  PROP_WATCHDOG_INTERVAL,
  PROP_ONLINE,
  PROP_PAUSED,
  PROP_RUNNING,
  PROP_NEXT_CYCLE_AT,
  PROP_NEXT_CHECK_AT,
  PROP_NEXT_RETRY_AT,
  N_PROPS
};

enum {
  RUN_REQUESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void scheduler_evaluate (CsScheduler *self);

/* g_steal_handle_id() is GLib 2.84. */
static inline guint
steal_id (guint *id)
{
  guint value = *id;

  *id = 0;
  return value;
}

/**
 * cs_scheduler_parse_check_time:
 * @text: (nullable): a time of day, "HH:MM" (or "H:MM")
 * @hour: (out): the hour, 0 to 23
 * @minute: (out): the minute, 0 to 59
 *
 * Parses a check time as kept in the settings. On anything else @hour and
 * @minute are set to 00:00, the default check time.
 *
 * Returns: %TRUE if @text was a valid time
 */
gboolean
cs_scheduler_parse_check_time (const char *text,
                               guint      *hour,
                               guint      *minute)
{
  g_autofree char *copy = NULL;
  const char *colon;
  guint values[2] = { 0, 0 };
  const char *parts[2];
  gsize lengths[2];

  g_return_val_if_fail (hour != NULL, FALSE);
  g_return_val_if_fail (minute != NULL, FALSE);

  *hour = 0;
  *minute = 0;

  if (text == NULL)
    return FALSE;

  copy = g_strstrip (g_strdup (text));
  colon = strchr (copy, ':');
  if (colon == NULL)
    return FALSE;

  parts[0] = copy;
  lengths[0] = (gsize) (colon - copy);
  parts[1] = colon + 1;
  lengths[1] = strlen (colon + 1);

  for (guint i = 0; i < 2; i++)
    {
      if (lengths[i] < 1 || lengths[i] > 2)
        return FALSE;
      for (gsize j = 0; j < lengths[i]; j++)
        {
          if (!g_ascii_isdigit (parts[i][j]))
            return FALSE;
          values[i] = values[i] * 10 + (guint) g_ascii_digit_value (parts[i][j]);
        }
    }

  /* Minutes are written with two digits: "7:5" is a typo, not 07:05. */
  if (lengths[1] != 2 || values[0] > 23 || values[1] > 59)
    return FALSE;

  *hour = values[0];
  *minute = values[1];

  return TRUE;
}

/**
 * cs_scheduler_next_local_time:
 * @time_zone: the time zone the time of day is meant in
 * @after: an instant
 * @hour: the hour, 0 to 23
 * @minute: the minute, 0 to 59
 *
 * Finds the first @hour:@minute in @time_zone strictly after @after. Days
 * are calendar days, so across a change to or from daylight saving time the
 * result is 23 or 25 hours after the previous one. A time of day that the
 * change skips is moved forward by GLib (02:30 becomes 03:30 CEST).
 *
 * Returns: the instant
 */
CsTime
cs_scheduler_next_local_time (GTimeZone *time_zone,
                              CsTime     after,
                              guint      hour,
                              guint      minute)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) noon = NULL;
  gint64 seconds;

  g_return_val_if_fail (time_zone != NULL, CS_TIME_UNSET);
  g_return_val_if_fail (hour < 24, CS_TIME_UNSET);
  g_return_val_if_fail (minute < 60, CS_TIME_UNSET);

  /* Rounding down: the candidates are whole minutes, compared in usec. */
  seconds = after / CS_USEC_PER_SECOND;
  if (after % CS_USEC_PER_SECOND < 0)
    seconds--;

  utc = g_date_time_new_from_unix_utc (seconds);
  g_return_val_if_fail (utc != NULL, CS_TIME_UNSET);
  local = g_date_time_to_timezone (utc, time_zone);

  /* Noon exists on every day and stays noon when days are added. */
  noon = g_date_time_new (time_zone,
                          g_date_time_get_year (local),
                          g_date_time_get_month (local),
                          g_date_time_get_day_of_month (local),
                          12, 0, 0);

  for (int i = 0; i < 3 && noon != NULL; i++)
    {
      g_autoptr(GDateTime) day = g_date_time_add_days (noon, i);
      g_autoptr(GDateTime) candidate = NULL;
      CsTime instant;

      if (day == NULL)
        break;

      candidate = g_date_time_new (time_zone,
                                   g_date_time_get_year (day),
                                   g_date_time_get_month (day),
                                   g_date_time_get_day_of_month (day),
                                   (int) hour, (int) minute, 0);
      if (candidate == NULL)
        continue;

      instant = g_date_time_to_unix (candidate) * CS_USEC_PER_SECOND;
      if (instant > after)
        return instant;
    }

  /* Out of GDateTime's range: a day later is as good as it gets. */
  return after + CS_USEC_PER_DAY;
}

static void
scheduler_persist (CsScheduler *self,
                   const char  *key,
                   CsTime       value)
{
  g_autoptr(GError) error = NULL;

  g_assert (CS_IS_SCHEDULER (self));

  if (!cs_store_set_state_int64 (self->store, key, value, &error))
    g_warning ("Could not save %s: %s", key, error->message);
}

static CsTime
scheduler_load (CsScheduler *self,
                const char  *key)
{
  g_autoptr(GError) error = NULL;
  gint64 value = CS_TIME_UNSET;

  g_assert (CS_IS_SCHEDULER (self));

  if (!cs_store_get_state_int64 (self->store, key, CS_TIME_UNSET, &value, &error))
    {
      g_warning ("Could not read %s: %s", key, error->message);
      return CS_TIME_UNSET;
    }

  /* Negative numbers are garbage, not times Calsync ever wrote. */
  return MAX (value, CS_TIME_UNSET);
}

static void
scheduler_set_due (CsScheduler *self,
                   CsTime      *field,
                   CsTime       value,
                   const char  *key,
                   guint        prop)
{
  g_assert (CS_IS_SCHEDULER (self));

  if (*field == value)
    return;

  *field = value;
  scheduler_persist (self, key, value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
scheduler_set_next_cycle (CsScheduler *self,
                          CsTime       value)
{
  scheduler_set_due (self, &self->next_cycle_at, value, KEY_NEXT_CYCLE, PROP_NEXT_CYCLE_AT);
}

static void
scheduler_set_next_check (CsScheduler *self,
                          CsTime       value)
{
  scheduler_set_due (self, &self->next_check_at, value, KEY_NEXT_CHECK, PROP_NEXT_CHECK_AT);
}

static void
scheduler_set_next_retry (CsScheduler *self,
                          CsTime       value)
{
  scheduler_set_due (self, &self->next_retry_at, value, KEY_NEXT_RETRY, PROP_NEXT_RETRY_AT);
}

static void
scheduler_set_running (CsScheduler        *self,
                       gboolean            running,
                       CsSchedulerRunKind  kind)
{
  g_assert (CS_IS_SCHEDULER (self));

  self->running_kind = kind;
  if (self->running == running)
    return;

  self->running = running;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static CsTime
scheduler_next_check_after (CsScheduler *self,
                            CsTime       now)
{
  return cs_scheduler_next_local_time (self->time_zone, now,
                                       self->check_hour, self->check_minute);
}

/* Fills in missing due times and pulls back those that lie further ahead
 * than a fresh schedule would put them: after the wall clock went back
 * (or a persisted time came from a clock that was wrong) the scheduler
 * must not wait for months. Overdue times are kept: they are served. */
static void
scheduler_sanitize (CsScheduler *self,
                    CsTime       now)
{
  CsTime cycle_limit = now + (gint64) self->cycle_hours * CS_USEC_PER_HOUR;
  CsTime check_limit = scheduler_next_check_after (self, now);

  g_assert (CS_IS_SCHEDULER (self));

  if (self->next_cycle_at == CS_TIME_UNSET)
    scheduler_set_next_cycle (self, now);
  else if (self->next_cycle_at > cycle_limit)
    scheduler_set_next_cycle (self, cycle_limit);

  if (self->next_check_at == CS_TIME_UNSET || self->next_check_at > check_limit)
    scheduler_set_next_check (self, check_limit);
}

static void
scheduler_disarm (CsScheduler *self)
{
  g_assert (CS_IS_SCHEDULER (self));

  if (self->due_timer != 0)
    cs_clock_remove_timeout (self->clock, steal_id (&self->due_timer));
  if (self->retry_timer != 0)
    cs_clock_remove_timeout (self->clock, steal_id (&self->retry_timer));
}

static void
on_due_timer (gpointer user_data)
{
  CsScheduler *self = user_data;

  g_assert (CS_IS_SCHEDULER (self));

  self->due_timer = 0;
  scheduler_evaluate (self);
}

static void
on_retry_timer (gpointer user_data)
{
  CsScheduler *self = user_data;

  g_assert (CS_IS_SCHEDULER (self));

  self->retry_timer = 0;
  scheduler_evaluate (self);
}

/* One timer for the cycle and the check (the earlier of the two), one for
 * the retries. A due time already past gets no timer: either it is being
 * requested right now, or something blocks it (a run, offline, paused),
 * and whatever lifts the block looks again. */
static void
scheduler_arm (CsScheduler *self)
{
  CsTime now;
  CsTime earliest;

  g_assert (CS_IS_SCHEDULER (self));

  scheduler_disarm (self);

  if (!self->started)
    return;

  now = cs_clock_get_now (self->clock);
  earliest = MIN (self->next_cycle_at, self->next_check_at);

  if (earliest > now)
    self->due_timer = cs_clock_add_timeout (self->clock, earliest, on_due_timer, self, NULL);

  if (self->next_retry_at != CS_TIME_UNSET && self->next_retry_at > now)
    self->retry_timer = cs_clock_add_timeout (self->clock, self->next_retry_at,
                                              on_retry_timer, self, NULL);
}

static gboolean
scheduler_pick_due (CsScheduler        *self,
                    CsTime              now,
                    CsSchedulerRunKind *kind)
{
  g_assert (CS_IS_SCHEDULER (self));

  if (self->next_check_at <= now)
    *kind = CS_SCHEDULER_RUN_COMPREHENSIVE;
  else if (self->next_cycle_at <= now)
    *kind = CS_SCHEDULER_RUN_CYCLE;
  else if (self->next_retry_at != CS_TIME_UNSET && self->next_retry_at <= now)
    *kind = CS_SCHEDULER_RUN_RETRY;
  else
    return FALSE;

  return TRUE;
}

/* Requests at most one run, the most comprehensive one due, then re-arms
 * the timers. The engine may answer from inside the signal emission; the
 * answer's own look at the due times is then folded into this loop
 * instead of emitting recursively. */
static void
scheduler_evaluate (CsScheduler *self)
{
  g_assert (CS_IS_SCHEDULER (self));

  if (self->evaluating)
    {
      self->reevaluate = TRUE;
      return;
    }

  g_object_ref (self);
  self->evaluating = TRUE;

  do
    {
      CsSchedulerRunKind kind;

      self->reevaluate = FALSE;

      if (!self->started || self->running || !self->online || self->paused)
        break;

      if (!scheduler_pick_due (self, cs_clock_get_now (self->clock), &kind))
        break;

      self->requested_retry_at = self->next_retry_at;
      scheduler_set_running (self, TRUE, kind);

      g_debug ("Requesting a %s run",
               kind == CS_SCHEDULER_RUN_COMPREHENSIVE ? "comprehensive" :
               kind == CS_SCHEDULER_RUN_CYCLE ? "cycle" : "retry");
      g_signal_emit (self, signals[RUN_REQUESTED], 0, kind);
    }
  while (self->reevaluate);

  self->evaluating = FALSE;
  self->reevaluate = FALSE;
  scheduler_arm (self);
  g_object_unref (self);
}

static void
scheduler_arm_watchdog (CsScheduler *self);

static void
on_watchdog_timer (gpointer user_data)
{
  CsScheduler *self = user_data;

  g_assert (CS_IS_SCHEDULER (self));

  self->watchdog_timer = 0;
  cs_scheduler_check_overdue (self);
}

static void
scheduler_arm_watchdog (CsScheduler *self)
{
  g_assert (CS_IS_SCHEDULER (self));

  if (self->watchdog_timer != 0)
    cs_clock_remove_timeout (self->clock, steal_id (&self->watchdog_timer));

  if (!self->started || self->watchdog_interval <= 0)
    return;

  self->watchdog_timer = cs_clock_add_timeout (self->clock,
                                               cs_clock_get_now (self->clock) +
                                               self->watchdog_interval,
                                               on_watchdog_timer, self, NULL);
}

static void
cs_scheduler_dispose (GObject *object)
{
  CsScheduler *self = CS_SCHEDULER (object);

  self->started = FALSE;

  if (self->clock != NULL)
    {
      scheduler_disarm (self);
      if (self->watchdog_timer != 0)
        cs_clock_remove_timeout (self->clock, steal_id (&self->watchdog_timer));
    }

  g_cancellable_cancel (self->cancellable);
  if (self->sleep_subscription != 0)
    g_dbus_connection_signal_unsubscribe (self->system_bus,
                                          steal_id (&self->sleep_subscription));

  g_clear_object (&self->system_bus);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (cs_scheduler_parent_class)->dispose (object);
}

static void
cs_scheduler_finalize (GObject *object)
{
  CsScheduler *self = CS_SCHEDULER (object);

  g_clear_pointer (&self->time_zone, g_time_zone_unref);

  G_OBJECT_CLASS (cs_scheduler_parent_class)->finalize (object);
}

static void
cs_scheduler_constructed (GObject *object)
{
  CsScheduler *self = CS_SCHEDULER (object);

  G_OBJECT_CLASS (cs_scheduler_parent_class)->constructed (object);

  if (self->clock == NULL)
    self->clock = g_object_ref (cs_clock_get_system ());
  if (self->time_zone == NULL)
    self->time_zone = g_time_zone_new_local ();
}

static void
cs_scheduler_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  CsScheduler *self = CS_SCHEDULER (object);

  switch (prop_id)
    {
    case PROP_CLOCK:
      g_value_set_object (value, self->clock);
      break;

    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_TIME_ZONE:
      g_value_set_boxed (value, self->time_zone);
      break;

    case PROP_CYCLE_HOURS:
      g_value_set_uint (value, self->cycle_hours);
      break;

    case PROP_CHECK_HOUR:
      g_value_set_uint (value, self->check_hour);
      break;

    case PROP_CHECK_MINUTE:
      g_value_set_uint (value, self->check_minute);
      break;

    case PROP_CHECK_TIME:
      g_value_take_string (value, cs_scheduler_dup_check_time_string (self));
      break;

    case PROP_WATCHDOG_INTERVAL:
      g_value_set_int64 (value, self->watchdog_interval);
      break;

    case PROP_ONLINE:
      g_value_set_boolean (value, self->online);
      break;

    case PROP_PAUSED:
      g_value_set_boolean (value, self->paused);
      break;

    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;

    case PROP_NEXT_CYCLE_AT:
      g_value_set_int64 (value, self->next_cycle_at);
      break;

    case PROP_NEXT_CHECK_AT:
      g_value_set_int64 (value, self->next_check_at);
      break;

    case PROP_NEXT_RETRY_AT:
      g_value_set_int64 (value, self->next_retry_at);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_scheduler_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  CsScheduler *self = CS_SCHEDULER (object);

  switch (prop_id)
    {
    case PROP_CLOCK:
      self->clock = g_value_dup_object (value);
      break;

    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_TIME_ZONE:
      self->time_zone = g_value_dup_boxed (value);
      break;

    case PROP_CYCLE_HOURS:
      cs_scheduler_set_cycle_hours (self, g_value_get_uint (value));
      break;

    case PROP_CHECK_HOUR:
      cs_scheduler_set_check_time (self, g_value_get_uint (value), self->check_minute);
      break;

    case PROP_CHECK_MINUTE:
      cs_scheduler_set_check_time (self, self->check_hour, g_value_get_uint (value));
      break;

    case PROP_CHECK_TIME:
      cs_scheduler_set_check_time_string (self, g_value_get_string (value));
      break;

    case PROP_WATCHDOG_INTERVAL:
      cs_scheduler_set_watchdog_interval (self, g_value_get_int64 (value));
      break;

    case PROP_ONLINE:
      cs_scheduler_set_online (self, g_value_get_boolean (value));
      break;

    case PROP_PAUSED:
      cs_scheduler_set_paused (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_scheduler_class_init (CsSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = cs_scheduler_constructed;
  object_class->dispose = cs_scheduler_dispose;
  object_class->finalize = cs_scheduler_finalize;
  object_class->get_property = cs_scheduler_get_property;
  object_class->set_property = cs_scheduler_set_property;

  /**
   * CsScheduler:clock:
   *
   * Where the scheduler reads the time and sets its timers.
   */
  properties[PROP_CLOCK] =
    g_param_spec_object ("clock", NULL, NULL,
                         CS_TYPE_CLOCK,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * CsScheduler:store:
   *
   * Where the due times are persisted; its company must be set.
   */
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         CS_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * CsScheduler:time-zone:
   *
   * The time zone of #CsScheduler:check-time; the local one if unset.
   */
  properties[PROP_TIME_ZONE] =
    g_param_spec_boxed ("time-zone", NULL, NULL,
                        G_TYPE_TIME_ZONE,
                        (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * CsScheduler:cycle-hours:
   *
   * Hours between the end of a run and the next verification cycle.
   */
  properties[PROP_CYCLE_HOURS] =
    g_param_spec_uint ("cycle-hours", NULL, NULL,
                       1, 24, 6,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CsScheduler:check-hour:
   *
   * The hour of the daily comprehensive check, local time.
   */
  properties[PROP_CHECK_HOUR] =
    g_param_spec_uint ("check-hour", NULL, NULL,
                       0, 23, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CsScheduler:check-minute:
   *
   * The minute of the daily comprehensive check.
   */
  properties[PROP_CHECK_MINUTE] =
    g_param_spec_uint ("check-minute", NULL, NULL,
                       0, 59, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CsScheduler:check-time:
   *
   * #CsScheduler:check-hour and #CsScheduler:check-minute as one "HH:MM"
   * string, as the settings keep it. Anything that is not a time sets
   * 00:00, the default.
   */
  properties[PROP_CHECK_TIME] =
    g_param_spec_string ("check-time", NULL, NULL,
                         "00:00",
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CsScheduler:watchdog-interval:
   *
   * Microseconds between two looks at the wall clock, which catch a
   * suspend or a clock change that the timers (monotonic) miss; 0 turns
   * the watchdog off.
   */
  properties[PROP_WATCHDOG_INTERVAL] =
    g_param_spec_int64 ("watchdog-interval", NULL, NULL,
                        0, G_MAXINT64, 60 * CS_USEC_PER_SECOND,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CsScheduler:online:
   *
   * Whether the network is there (the engine binds it to
   * #GNetworkMonitor:network-available). Nothing is requested offline;
   * coming back requests what is overdue, once.
   */
  properties[PROP_ONLINE] =
    g_param_spec_boolean ("online", NULL, NULL,
                          TRUE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CsScheduler:paused:
   *
   * Stops all requests, e.g. while credentials are missing; resuming
   * requests what is overdue, once.
   */
  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CsScheduler:running:
   *
   * Whether a requested run has not been answered yet.
   */
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CsScheduler:next-cycle-at:
   *
   * When the next verification cycle is due (#CsTime).
   */
  properties[PROP_NEXT_CYCLE_AT] =
    g_param_spec_int64 ("next-cycle-at", NULL, NULL,
                        0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CsScheduler:next-check-at:
   *
   * When the next comprehensive check is due (#CsTime).
   */
  properties[PROP_NEXT_CHECK_AT] =
    g_param_spec_int64 ("next-check-at", NULL, NULL,
                        0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CsScheduler:next-retry-at:
   *
   * When the next retry is due (#CsTime), or %CS_TIME_UNSET.
   */
  properties[PROP_NEXT_RETRY_AT] =
    g_param_spec_int64 ("next-retry-at", NULL, NULL,
                        0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CsScheduler::run-requested:
   * @self: the scheduler
   * @kind: a #CsSchedulerRunKind, what to run
   *
   * Asks the engine for a run. The engine answers with
   * cs_scheduler_run_finished() (from the handler or later); until then
   * nothing else is requested.
   */
  signals[RUN_REQUESTED] =
    g_signal_new ("run-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, CS_TYPE_SCHEDULER_RUN_KIND);
}

static void
cs_scheduler_init (CsScheduler *self)
{
  self->cycle_hours = 6;
  self->watchdog_interval = 60 * CS_USEC_PER_SECOND;
  self->online = TRUE;
  self->cancellable = g_cancellable_new ();
}

/**
 * cs_scheduler_new:
 * @clock: the clock
 * @store: the store, its company set
 * @time_zone: (nullable): the time zone of the daily check, or %NULL for
 *   the local one
 *
 * Creates a scheduler; nothing happens before cs_scheduler_start().
 *
 * Returns: (transfer full): a new scheduler
 */
CsScheduler *
cs_scheduler_new (CsClock   *clock,
                  CsStore   *store,
                  GTimeZone *time_zone)
{
  g_return_val_if_fail (CS_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (CS_IS_STORE (store), NULL);

  return g_object_new (CS_TYPE_SCHEDULER,
                       "clock", clock,
                       "store", store,
                       "time-zone", time_zone,
                       NULL);
}

/**
 * cs_scheduler_start:
 * @self: a scheduler
 *
 * Reads the due times from the store and arms the timers. A missing cycle
 * time means a cycle is due now (first start); a missing check time means
 * the next check time of day. If anything is overdue (a restart after a
 * missed slot), one run is requested at once, from inside this call.
 */
void
cs_scheduler_start (CsScheduler *self)
{
  CsTime now;

  g_return_if_fail (CS_IS_SCHEDULER (self));
  g_return_if_fail (self->store != NULL);

  if (self->started)
    return;

  now = cs_clock_get_now (self->clock);

  self->next_cycle_at = scheduler_load (self, KEY_NEXT_CYCLE);
  self->next_check_at = scheduler_load (self, KEY_NEXT_CHECK);
  self->next_retry_at = scheduler_load (self, KEY_NEXT_RETRY);
  scheduler_sanitize (self, now);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_CYCLE_AT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_CHECK_AT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_RETRY_AT]);

  self->started = TRUE;
  self->last_wall = now;
  self->last_monotonic = cs_clock_get_monotonic (self->clock);

  scheduler_arm_watchdog (self);
  scheduler_evaluate (self);
}

/**
 * cs_scheduler_get_started:
 * @self: a scheduler
 *
 * Returns: whether cs_scheduler_start() was called
 */
gboolean
cs_scheduler_get_started (CsScheduler *self)
{
  g_return_val_if_fail (CS_IS_SCHEDULER (self), FALSE);

  return self->started;
}

/* Takes @due as the next retry unless an earlier one is already due;
 * returns whether it did. */
static gboolean
merge_retry_due (CsScheduler *self,
                 CsTime       due)
{
  if (due == CS_TIME_UNSET || (self->next_retry_at != CS_TIME_UNSET && self->next_retry_at <= due))
    return FALSE;

  scheduler_set_next_retry (self, due);
  return TRUE;
}

/**
 * cs_scheduler_run_finished:
 * @self: a scheduler
 * @kind: the kind of the run that finished
 * @succeeded: whether it completed
 * @next_retry_due: the earliest retry the run scheduled, or %CS_TIME_UNSET
 *
 * The engine's answer to #CsScheduler::run-requested. The due times the
 * run served move forward from now, whether it @succeeded or not: a
 * comprehensive run moves the check to the next check time and the cycle
 * to now + #CsScheduler:cycle-hours (it covers a cycle), a cycle moves the
 * cycle, a retry run consumes the retry due time it was asked for. A
 * failed run is retried through @next_retry_due, which the engine chooses.
 *
 * @next_retry_due is merged with a retry due time already pending (the
 * earlier one wins); cs_scheduler_set_retry_due() replaces it instead.
 *
 * A run the engine started on its own ("Verify now") may be reported the
 * same way: it moves the due times it covers and leaves a requested run
 * pending.
 */
void
cs_scheduler_run_finished (CsScheduler        *self,
                           CsSchedulerRunKind  kind,
                           gboolean            succeeded,
                           CsTime              next_retry_due)
{
  CsTime now;

  g_return_if_fail (CS_IS_SCHEDULER (self));
  g_return_if_fail (kind <= CS_SCHEDULER_RUN_RETRY);
  g_return_if_fail (next_retry_due >= CS_TIME_UNSET);

  now = cs_clock_get_now (self->clock);

  g_debug ("A %s run %s",
           kind == CS_SCHEDULER_RUN_COMPREHENSIVE ? "comprehensive" :
           kind == CS_SCHEDULER_RUN_CYCLE ? "cycle" : "retry",
           succeeded ? "succeeded" : "failed");

  switch (kind)
    {
    case CS_SCHEDULER_RUN_COMPREHENSIVE:
      scheduler_set_next_check (self, scheduler_next_check_after (self, now));
      G_GNUC_FALLTHROUGH;

    case CS_SCHEDULER_RUN_CYCLE:
      scheduler_set_next_cycle (self, now + (gint64) self->cycle_hours * CS_USEC_PER_HOUR);
      break;

    case CS_SCHEDULER_RUN_RETRY:
      /* Only the retry time this run was asked for: one set meanwhile
       * is still to be served. */
      if (self->running && self->running_kind == CS_SCHEDULER_RUN_RETRY &&
          self->next_retry_at == self->requested_retry_at)
        scheduler_set_next_retry (self, CS_TIME_UNSET);
      else if (!self->running && self->next_retry_at != CS_TIME_UNSET &&
               self->next_retry_at <= now)
        scheduler_set_next_retry (self, CS_TIME_UNSET);
      break;

    default:
      g_assert_not_reached ();
    }

  merge_retry_due (self, next_retry_due);

  if (self->running && self->running_kind == kind)
    scheduler_set_running (self, FALSE, kind);

  scheduler_evaluate (self);
}

/**
 * cs_scheduler_set_retry_due:
 * @self: a scheduler
 * @due: when the next retry is due, or %CS_TIME_UNSET for none
 *
 * Replaces the retry due time; when it comes, a
 * %CS_SCHEDULER_RUN_RETRY run is requested (once nothing else runs).
 */
void
cs_scheduler_set_retry_due (CsScheduler *self,
                            CsTime       due)
{
  g_return_if_fail (CS_IS_SCHEDULER (self));
  g_return_if_fail (due >= CS_TIME_UNSET);

  scheduler_set_next_retry (self, due);
  scheduler_evaluate (self);
}

/**
 * cs_scheduler_offer_retry_due:
 * @self: a scheduler
 * @due: when an item waits for its next attempt, or %CS_TIME_UNSET
 *
 * Arms the retry timer for @due unless an earlier retry is already due:
 * what a run that the schedule did not ask for ("Verify now", an action's
 * retry) leaves due is served on time too.
 */
void
cs_scheduler_offer_retry_due (CsScheduler *self,
                              CsTime       due)
{
  g_return_if_fail (CS_IS_SCHEDULER (self));
  g_return_if_fail (due >= CS_TIME_UNSET);

  if (merge_retry_due (self, due))
    scheduler_evaluate (self);
}

/**
 * cs_scheduler_check_overdue:
 * @self: a scheduler
 *
 * Re-reads the wall clock and requests what is overdue, as the watchdog
 * does: for a wake-up from suspend or a clock change that the timers
 * cannot see. Due times further ahead than a fresh schedule would put them
 * (the wall clock went back) are pulled in, and the watchdog restarts.
 */
void
cs_scheduler_check_overdue (CsScheduler *self)
{
  CsTime now;
  gint64 monotonic;
  gint64 drift;

  g_return_if_fail (CS_IS_SCHEDULER (self));

  if (!self->started)
    return;

  now = cs_clock_get_now (self->clock);
  monotonic = cs_clock_get_monotonic (self->clock);
  drift = (now - self->last_wall) - (monotonic - self->last_monotonic);
  if (drift > JUMP_TOLERANCE || drift < -JUMP_TOLERANCE)
    g_debug ("The wall clock jumped by %" G_GINT64_FORMAT " s (suspend or clock change)",
             drift / CS_USEC_PER_SECOND);

  self->last_wall = now;
  self->last_monotonic = monotonic;

  scheduler_sanitize (self, now);
  scheduler_evaluate (self);

  /* From now: a watchdog armed before the wall clock went back would wait
   * on a clock whose timers follow the wall time. */
  scheduler_arm_watchdog (self);
}

static void
on_prepare_for_sleep (GDBusConnection *connection,
                      const char      *sender_name,
                      const char      *object_path,
                      const char      *interface_name,
                      const char      *signal_name,
                      GVariant        *parameters,
                      gpointer         user_data)
{
  CsScheduler *self = user_data;
  gboolean going_to_sleep = FALSE;

  g_assert (CS_IS_SCHEDULER (self));

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;

  g_variant_get (parameters, "(b)", &going_to_sleep);
  if (going_to_sleep)
    return;

  g_debug ("Woke up from sleep");
  cs_scheduler_check_overdue (self);
}

static void
on_system_bus (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CsScheduler) self = user_data;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (CS_IS_SCHEDULER (self));

  bus = g_bus_get_finish (result, &error);
  if (bus == NULL)
    {
      /* No system bus (a container, a test): the watchdog still works. */
      g_debug ("No system bus, not watching for sleep: %s", error->message);
      return;
    }

  if (g_cancellable_is_cancelled (self->cancellable) || self->sleep_subscription != 0)
    return;

  self->system_bus = g_steal_pointer (&bus);
  self->sleep_subscription =
    g_dbus_connection_signal_subscribe (self->system_bus,
                                        "org.freedesktop.login1",
                                        "org.freedesktop.login1.Manager",
                                        "PrepareForSleep",
                                        "/org/freedesktop/login1",
                                        NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_prepare_for_sleep,
                                        self, NULL);
}

/**
 * cs_scheduler_watch_sleep:
 * @self: a scheduler
 *
 * Listens to logind's PrepareForSleep on the system bus, to look for
 * overdue work as soon as the computer wakes up rather than at the next
 * watchdog tick. Without a system bus this does nothing (and says so in a
 * debug message). Tests do not call it.
 */
void
cs_scheduler_watch_sleep (CsScheduler *self)
{
  g_return_if_fail (CS_IS_SCHEDULER (self));

  if (self->sleep_subscription != 0)
    return;

  g_bus_get (G_BUS_TYPE_SYSTEM, self->cancellable, on_system_bus, g_object_ref (self));
}

/**
 * cs_scheduler_get_running:
 * @self: a scheduler
 *
 * Returns: whether a requested run has not been answered yet
 */
gboolean
cs_scheduler_get_running (CsScheduler *self)
{
  g_return_val_if_fail (CS_IS_SCHEDULER (self), FALSE);

  return self->running;
}

/**
 * cs_scheduler_get_next_cycle_at:
 * @self: a scheduler
 *
 * Returns: when the next cycle is due, %CS_TIME_UNSET before the start
 */
CsTime
cs_scheduler_get_next_cycle_at (CsScheduler *self)
{
  g_return_val_if_fail (CS_IS_SCHEDULER (self), CS_TIME_UNSET);

  return self->next_cycle_at;
}

/**
 * cs_scheduler_get_next_check_at:
 * @self: a scheduler
 *
 * Returns: when the next comprehensive check is due, %CS_TIME_UNSET before
 *   the start
 */
CsTime
cs_scheduler_get_next_check_at (CsScheduler *self)
{
  g_return_val_if_fail (CS_IS_SCHEDULER (self), CS_TIME_UNSET);

  return self->next_check_at;
}

/**
 * cs_scheduler_get_next_retry_at:
 * @self: a scheduler
 *
 * Returns: when the next retry is due, or %CS_TIME_UNSET
 */
CsTime
cs_scheduler_get_next_retry_at (CsScheduler *self)
{
  g_return_val_if_fail (CS_IS_SCHEDULER (self), CS_TIME_UNSET);

  return self->next_retry_at;
}

/**
 * cs_scheduler_get_cycle_hours:
 * @self: a scheduler
 *
 * Returns: the hours between cycles
 */
guint
cs_scheduler_get_cycle_hours (CsScheduler *self)
{
  g_return_val_if_fail (CS_IS_SCHEDULER (self), 0);

  return self->cycle_hours;
}

/**
 * cs_scheduler_set_cycle_hours:
 * @self: a scheduler
 * @cycle_hours: hours between cycles, 1 to 24
 *
 * A shorter interval pulls a cycle due later than now + @cycle_hours in.
 */
void
cs_scheduler_set_cycle_hours (CsScheduler *self,
                              guint        cycle_hours)
{
  g_return_if_fail (CS_IS_SCHEDULER (self));
  g_return_if_fail (cycle_hours >= 1 && cycle_hours <= 24);

  if (self->cycle_hours == cycle_hours)
    return;

  self->cycle_hours = cycle_hours;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CYCLE_HOURS]);

  if (self->started)
    {
      scheduler_sanitize (self, cs_clock_get_now (self->clock));
      scheduler_evaluate (self);
    }
}

/**
 * cs_scheduler_get_check_hour:
 * @self: a scheduler
 *
 * Returns: the hour of the daily check
 */
guint
cs_scheduler_get_check_hour (CsScheduler *self)
{
  g_return_val_if_fail (CS_IS_SCHEDULER (self), 0);

  return self->check_hour;
}

/**
 * cs_scheduler_get_check_minute:
 * @self: a scheduler
 *
 * Returns: the minute of the daily check
 */
guint
cs_scheduler_get_check_minute (CsScheduler *self)
{
  g_return_val_if_fail (CS_IS_SCHEDULER (self), 0);

  return self->check_minute;
}

/**
 * cs_scheduler_set_check_time:
 * @self: a scheduler
 * @hour: 0 to 23
 * @minute: 0 to 59
 *
 * Sets the time of day of the comprehensive check. A check that is not
 * overdue moves to the new time; an overdue one stays due.
 */
void
cs_scheduler_set_check_time (CsScheduler *self,
                             guint        hour,
                             guint        minute)
{
  gboolean hour_changed;
  gboolean minute_changed;

  g_return_if_fail (CS_IS_SCHEDULER (self));
  g_return_if_fail (hour < 24);
  g_return_if_fail (minute < 60);

  hour_changed = self->check_hour != hour;
  minute_changed = self->check_minute != minute;
  if (!hour_changed && !minute_changed)
    return;

  self->check_hour = hour;
  self->check_minute = minute;

  if (hour_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECK_HOUR]);
  if (minute_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECK_MINUTE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECK_TIME]);

  if (self->started)
    {
      CsTime now = cs_clock_get_now (self->clock);

      if (self->next_check_at > now)
        scheduler_set_next_check (self, scheduler_next_check_after (self, now));
      scheduler_evaluate (self);
    }
}

/**
 * cs_scheduler_dup_check_time_string:
 * @self: a scheduler
 *
 * Returns: (transfer full): the check time as "HH:MM"
 */
char *
cs_scheduler_dup_check_time_string (CsScheduler *self)
{
  g_return_val_if_fail (CS_IS_SCHEDULER (self), NULL);

  return g_strdup_printf ("%02u:%02u", self->check_hour, self->check_minute);
}

/**
 * cs_scheduler_set_check_time_string:
 * @self: a scheduler
 * @text: (nullable): the check time as "HH:MM"
 *
 * Sets the check time from a setting. Anything that is not a time of day
 * sets 00:00, the default, with a debug message: a garbled setting must
 * not stop the daily check.
 */
void
cs_scheduler_set_check_time_string (CsScheduler *self,
                                    const char  *text)
{
  guint hour;
  guint minute;

  g_return_if_fail (CS_IS_SCHEDULER (self));

  if (!cs_scheduler_parse_check_time (text, &hour, &minute))
    g_debug ("Check time “%s” is not HH:MM; using 00:00", text != NULL ? text : "(null)");

  cs_scheduler_set_check_time (self, hour, minute);
}

/**
 * cs_scheduler_get_watchdog_interval:
 * @self: a scheduler
 *
 * Returns: the watchdog interval in microseconds, 0 if off
 */
gint64
cs_scheduler_get_watchdog_interval (CsScheduler *self)
{
  g_return_val_if_fail (CS_IS_SCHEDULER (self), 0);

  return self->watchdog_interval;
}

/**
 * cs_scheduler_set_watchdog_interval:
 * @self: a scheduler
 * @usec: microseconds between two looks at the wall clock, 0 for none
 */
void
cs_scheduler_set_watchdog_interval (CsScheduler *self,
                                    gint64       usec)
{
  g_return_if_fail (CS_IS_SCHEDULER (self));
  g_return_if_fail (usec >= 0);

  if (self->watchdog_interval == usec)
    return;

  self->watchdog_interval = usec;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WATCHDOG_INTERVAL]);

  scheduler_arm_watchdog (self);
}

/**
 * cs_scheduler_get_online:
 * @self: a scheduler
 *
 * Returns: whether the scheduler considers the network available
 */
gboolean
cs_scheduler_get_online (CsScheduler *self)
{
  g_return_val_if_fail (CS_IS_SCHEDULER (self), FALSE);

  return self->online;
}

/**
 * cs_scheduler_set_online:
 * @self: a scheduler
 * @online: whether the network is available
 *
 * Offline, nothing is requested; back online, what is overdue is
 * requested once.
 */
void
cs_scheduler_set_online (CsScheduler *self,
                         gboolean     online)
{
  g_return_if_fail (CS_IS_SCHEDULER (self));

  online = !!online;
  if (self->online == online)
    return;

  self->online = online;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONLINE]);

  if (online)
    cs_scheduler_check_overdue (self);
}

/**
 * cs_scheduler_get_paused:
 * @self: a scheduler
 *
 * Returns: whether requests are paused
 */
gboolean
cs_scheduler_get_paused (CsScheduler *self)
{
  g_return_val_if_fail (CS_IS_SCHEDULER (self), FALSE);

  return self->paused;
}

/**
 * cs_scheduler_set_paused:
 * @self: a scheduler
 * @paused: whether to stop requesting runs
 *
 * Resuming requests what is overdue, once.
 */
void
cs_scheduler_set_paused (CsScheduler *self,
                         gboolean     paused)
{
  g_return_if_fail (CS_IS_SCHEDULER (self));

  paused = !!paused;
  if (self->paused == paused)
    return;

  self->paused = paused;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);

  if (!paused)
    cs_scheduler_check_overdue (self);
}
