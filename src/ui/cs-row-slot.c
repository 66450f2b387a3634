/* cs-row-slot.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-row-slot.h"

/**
 * CsRowSlot:
 *
 * One position of a #CsSlotModel: the list's widgets stay bound to the
 * slot, and the slot's #CsRowSlot:row changes when a filter, a search or a
 * reload puts another row at its position.
 */
struct _CsRowSlot
{
  GObject   parent_instance;

  guint     position;
  GObject  *row;
};

G_DEFINE_FINAL_TYPE (CsRowSlot, cs_row_slot, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ROW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cs_row_slot_dispose (GObject *object)
{
  g_clear_object (&CS_ROW_SLOT (object)->row);

  G_OBJECT_CLASS (cs_row_slot_parent_class)->dispose (object);
}

static void
cs_row_slot_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CsRowSlot *self = CS_ROW_SLOT (object);

  switch (prop_id)
    {
    case PROP_ROW:
      g_value_set_object (value, self->row);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_row_slot_class_init (CsRowSlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_row_slot_dispose;
  object_class->get_property = cs_row_slot_get_property;

  /**
   * CsRowSlot:row:
   *
   * The row at the slot's position now.
   */
  properties[PROP_ROW] =
    g_param_spec_object ("row", NULL, NULL,
                         G_TYPE_OBJECT,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_row_slot_init (CsRowSlot *self)
{
}

/**
 * cs_row_slot_new:
 * @position: the slot's position
 * @row: (type GObject) (transfer none): the row there
 *
 * Returns: (transfer full): a new slot
 */
CsRowSlot *
cs_row_slot_new (guint    position,
                 gpointer row)
{
  CsRowSlot *self = g_object_new (CS_TYPE_ROW_SLOT, NULL);

  self->position = position;
  self->row = row != NULL ? g_object_ref (row) : NULL;
  return self;
}

/**
 * cs_row_slot_get_position:
 * @self: a slot
 *
 * Returns: the slot's position (it never moves)
 */
guint
cs_row_slot_get_position (CsRowSlot *self)
{
  g_return_val_if_fail (CS_IS_ROW_SLOT (self), 0);

  return self->position;
}

/**
 * cs_row_slot_get_row:
 * @self: a slot
 *
 * Returns: (transfer none) (type GObject): the row at the slot's position
 */
gpointer
cs_row_slot_get_row (CsRowSlot *self)
{
  g_return_val_if_fail (CS_IS_ROW_SLOT (self), NULL);

  return self->row;
}

/**
 * cs_row_slot_set_row:
 * @self: a slot
 * @row: (type GObject) (transfer none): the row now at its position
 *
 * Notifies #CsRowSlot:row when it is another row.
 */
void
cs_row_slot_set_row (CsRowSlot *self,
                     gpointer   row)
{
  g_return_if_fail (CS_IS_ROW_SLOT (self));

  if (g_set_object (&self->row, row))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROW]);
}
