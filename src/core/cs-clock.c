/* cs-clock.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-clock.h"

/**
 * CsClock:
 *
 * The source of time for everything in Calsync that waits or stamps: the
 * system clock in the program, a #CsManualClock in tests and the simulator,
 * so nothing ever sleeps to let time pass.
 *
 * The base class is the system clock: its timers are GLib timeouts on the
 * thread-default main context of the caller.
 */
typedef struct
{
  GHashTable *sources;   /* id → GSource */
  guint       last_id;
} CsClockPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (CsClock, cs_clock, G_TYPE_OBJECT)

typedef struct
{
  CsClock        *clock;   /* unowned: the clock outlives its sources */
  guint           id;
  CsClockFunc     func;
  gpointer        user_data;
  GDestroyNotify  notify;
} Timer;

static void
timer_free (gpointer data)
{
  Timer *timer = data;

  if (timer->notify != NULL)
    timer->notify (timer->user_data);
  g_free (timer);
}

static gboolean
timer_dispatch (gpointer data)
{
  Timer *timer = data;
  CsClockPrivate *priv = cs_clock_get_instance_private (timer->clock);

  /* Forget the source before the call: the callback may add new timers. */
  g_hash_table_remove (priv->sources, GUINT_TO_POINTER (timer->id));
  timer->func (timer->user_data);

  return G_SOURCE_REMOVE;
}

static CsTime
cs_clock_real_get_now (CsClock *self)
{
  return g_get_real_time ();
}

static gint64
cs_clock_real_get_monotonic (CsClock *self)
{
  return g_get_monotonic_time ();
}

static guint
cs_clock_real_add_timeout (CsClock        *self,
                           CsTime          due,
                           CsClockFunc     func,
                           gpointer        user_data,
                           GDestroyNotify  notify)
{
  CsClockPrivate *priv = cs_clock_get_instance_private (self);
  g_autoptr(GSource) source = NULL;
  CsTime now = cs_clock_get_now (self);
  gint64 delay_ms = due > now ? (due - now + 999) / 1000 : 0;
  Timer *timer;

  timer = g_new0 (Timer, 1);
  timer->clock = self;
  timer->id = ++priv->last_id;
  timer->func = func;
  timer->user_data = user_data;
  timer->notify = notify;

  source = g_timeout_source_new ((guint) MIN (delay_ms, G_MAXUINT));
  g_source_set_static_name (source, "[calsync] clock timer");
  g_source_set_callback (source, timer_dispatch, timer, timer_free);
  g_source_attach (source, g_main_context_get_thread_default ());
  g_hash_table_insert (priv->sources, GUINT_TO_POINTER (timer->id), g_source_ref (source));

  return timer->id;
}

static void
cs_clock_real_remove_timeout (CsClock *self,
                              guint    id)
{
  CsClockPrivate *priv = cs_clock_get_instance_private (self);
  GSource *source = g_hash_table_lookup (priv->sources, GUINT_TO_POINTER (id));

  if (source == NULL)
    return;

  g_source_destroy (source);
  g_hash_table_remove (priv->sources, GUINT_TO_POINTER (id));
}

static void
cs_clock_finalize (GObject *object)
{
  CsClockPrivate *priv = cs_clock_get_instance_private (CS_CLOCK (object));
  GHashTableIter iter;
  gpointer source;

  g_hash_table_iter_init (&iter, priv->sources);
  while (g_hash_table_iter_next (&iter, NULL, &source))
    g_source_destroy (source);
  g_clear_pointer (&priv->sources, g_hash_table_unref);

  G_OBJECT_CLASS (cs_clock_parent_class)->finalize (object);
}

static void
cs_clock_class_init (CsClockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cs_clock_finalize;

  klass->get_now = cs_clock_real_get_now;
  klass->get_monotonic = cs_clock_real_get_monotonic;
  klass->add_timeout = cs_clock_real_add_timeout;
  klass->remove_timeout = cs_clock_real_remove_timeout;
}

static void
cs_clock_init (CsClock *self)
{
  CsClockPrivate *priv = cs_clock_get_instance_private (self);

  priv->sources = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_source_unref);
}

/**
 * cs_clock_get_system:
 *
 * Returns: (transfer none): the clock of the system, shared by the process
 */
CsClock *
cs_clock_get_system (void)
{
  static CsClock *system_clock;
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      system_clock = g_object_new (CS_TYPE_CLOCK, NULL);
      g_once_init_leave (&initialized, 1);
    }

  return system_clock;
}

/**
 * cs_clock_get_now:
 * @self: a clock
 *
 * Returns: the current wall-clock instant
 */
CsTime
cs_clock_get_now (CsClock *self)
{
  g_return_val_if_fail (CS_IS_CLOCK (self), CS_TIME_UNSET);

  return CS_CLOCK_GET_CLASS (self)->get_now (self);
}

/**
 * cs_clock_get_monotonic:
 * @self: a clock
 *
 * Returns: the current monotonic time in microseconds
 */
gint64
cs_clock_get_monotonic (CsClock *self)
{
  g_return_val_if_fail (CS_IS_CLOCK (self), 0);

  return CS_CLOCK_GET_CLASS (self)->get_monotonic (self);
}

/**
 * cs_clock_add_timeout:
 * @self: a clock
 * @due: the wall-clock instant to call @func at (or after)
 * @func: the function to call, once
 * @user_data: data for @func
 * @notify: (nullable): frees @user_data when the timer fired or was removed
 *
 * Returns: the timer's id, for cs_clock_remove_timeout(); never 0
 */
guint
cs_clock_add_timeout (CsClock        *self,
                      CsTime          due,
                      CsClockFunc     func,
                      gpointer        user_data,
                      GDestroyNotify  notify)
{
  g_return_val_if_fail (CS_IS_CLOCK (self), 0);
  g_return_val_if_fail (func != NULL, 0);

  return CS_CLOCK_GET_CLASS (self)->add_timeout (self, due, func, user_data, notify);
}

/**
 * cs_clock_remove_timeout:
 * @self: a clock
 * @id: a timer id from cs_clock_add_timeout(), or 0
 *
 * Cancels the timer; one that already fired or was removed is ignored.
 */
void
cs_clock_remove_timeout (CsClock *self,
                         guint    id)
{
  g_return_if_fail (CS_IS_CLOCK (self));

  if (id != 0)
    CS_CLOCK_GET_CLASS (self)->remove_timeout (self, id);
}
