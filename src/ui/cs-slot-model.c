/* cs-slot-model.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-slot-model.h"

/**
 * CsSlotModel:
 *
 * Shows another #GListModel as one #CsRowSlot per position. When the
 * model changes (a search keystroke, a filter, a reload after a check),
 * the slots that GTK holds keep their place and get their new row
 * (#CsRowSlot:row notifies, the cells bind again), and only the change in
 * length is announced, at the end.
 *
 * GTK 4.8's list views keep widgets for up to 200 items and, unlike 4.12,
 * recycle none: a change that replaces every item, as the first keystroke
 * of a search does on 100,000 rows, would build the widgets of 200 rows
 * anew (≈ 5,500 widgets, 0.4 s). Through the slots the same widgets show
 * the new rows.
 *
 * Positions stay positions: a selection by position would point at other
 * rows after a change, so the view clears it on every change.
 */
struct _CsSlotModel
{
  GObject     parent_instance;

  GListModel *model;
  guint       n_items;
  GHashTable *live;    /* position → CsRowSlot, weak: the slots GTK holds */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CsSlotModel, cs_slot_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static void slot_finalized (gpointer  data,
                            GObject  *where_the_object_was);

static GType
cs_slot_model_get_item_type (GListModel *list)
{
  return CS_TYPE_ROW_SLOT;
}

static guint
cs_slot_model_get_n_items (GListModel *list)
{
  return CS_SLOT_MODEL (list)->n_items;
}

static void
forget_slot (CsSlotModel *self,
             CsRowSlot   *slot)
{
  g_object_weak_unref (G_OBJECT (slot), slot_finalized, self);
  g_hash_table_remove (self->live, GUINT_TO_POINTER (cs_row_slot_get_position (slot)));
}

static void
slot_finalized (gpointer  data,
                GObject  *where_the_object_was)
{
  CsSlotModel *self = data;
  GHashTableIter iter;
  gpointer slot;

  /* The slot is gone: find it by address, its fields are no more. */
  g_hash_table_iter_init (&iter, self->live);
  while (g_hash_table_iter_next (&iter, NULL, &slot))
    if (slot == (gpointer) where_the_object_was)
      {
        g_hash_table_iter_remove (&iter);
        return;
      }
}

static gpointer
cs_slot_model_get_item (GListModel *list,
                        guint       position)
{
  CsSlotModel *self = CS_SLOT_MODEL (list);
  g_autoptr(GObject) row = NULL;
  CsRowSlot *slot;

  if (position >= self->n_items)
    return NULL;

  slot = g_hash_table_lookup (self->live, GUINT_TO_POINTER (position));
  if (slot != NULL)
    return g_object_ref (slot);

  row = g_list_model_get_item (self->model, position);
  slot = cs_row_slot_new (position, row);
  g_object_weak_ref (G_OBJECT (slot), slot_finalized, self);
  g_hash_table_insert (self->live, GUINT_TO_POINTER (position), slot);
  return slot;
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = cs_slot_model_get_item_type;
  iface->get_n_items = cs_slot_model_get_n_items;
  iface->get_item = cs_slot_model_get_item;
}

static void
items_changed_cb (GListModel  *model,
                  guint        position,
                  guint        removed,
                  guint        added,
                  CsSlotModel *self)
{
  guint old_n = self->n_items;
  guint new_n = old_n - removed + added;
  g_autoptr(GPtrArray) slots = g_ptr_array_new_with_free_func (g_object_unref);

  g_assert (CS_IS_SLOT_MODEL (self));

  /* Hold the live slots while they change: a notify may let GTK drop one. */
  {
    GHashTableIter iter;
    gpointer slot;

    g_hash_table_iter_init (&iter, self->live);
    while (g_hash_table_iter_next (&iter, NULL, &slot))
      g_ptr_array_add (slots, g_object_ref (slot));
  }

  /* Gone positions first, so no slot past the end is asked for again. */
  for (guint i = 0; i < slots->len; i++)
    {
      CsRowSlot *slot = g_ptr_array_index (slots, i);

      if (cs_row_slot_get_position (slot) >= new_n)
        forget_slot (self, slot);
    }

  self->n_items = new_n;

  for (guint i = 0; i < slots->len; i++)
    {
      CsRowSlot *slot = g_ptr_array_index (slots, i);
      guint at = cs_row_slot_get_position (slot);

      if (at >= position && at < new_n)
        {
          g_autoptr(GObject) row = g_list_model_get_item (self->model, at);

          cs_row_slot_set_row (slot, row);
        }
    }

  if (new_n < old_n)
    g_list_model_items_changed (G_LIST_MODEL (self), new_n, old_n - new_n, 0);
  else if (new_n > old_n)
    g_list_model_items_changed (G_LIST_MODEL (self), old_n, 0, new_n - old_n);
}

static void
cs_slot_model_dispose (GObject *object)
{
  CsSlotModel *self = CS_SLOT_MODEL (object);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, items_changed_cb, self);
  g_clear_object (&self->model);

  if (self->live != NULL)
    {
      GHashTableIter iter;
      gpointer slot;

      g_hash_table_iter_init (&iter, self->live);
      while (g_hash_table_iter_next (&iter, NULL, &slot))
        g_object_weak_unref (slot, slot_finalized, self);
      g_clear_pointer (&self->live, g_hash_table_unref);
    }

  G_OBJECT_CLASS (cs_slot_model_parent_class)->dispose (object);
}

static void
cs_slot_model_class_init (CsSlotModelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cs_slot_model_dispose;
}

static void
cs_slot_model_init (CsSlotModel *self)
{
  self->live = g_hash_table_new (NULL, NULL);
}

/**
 * cs_slot_model_new:
 * @model: the model to show
 *
 * Returns: (transfer full): a new model of #CsRowSlot, one per item of
 *   @model
 */
CsSlotModel *
cs_slot_model_new (GListModel *model)
{
  CsSlotModel *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (model), NULL);

  self = g_object_new (CS_TYPE_SLOT_MODEL, NULL);
  self->model = g_object_ref (model);
  self->n_items = g_list_model_get_n_items (model);
  g_signal_connect (model, "items-changed", G_CALLBACK (items_changed_cb), self);

  return self;
}

/**
 * cs_slot_model_get_n_live:
 * @self: a slot model
 *
 * Returns: how many slots are held (by the list's widgets), for tests
 */
guint
cs_slot_model_get_n_live (CsSlotModel *self)
{
  g_return_val_if_fail (CS_IS_SLOT_MODEL (self), 0);

  return g_hash_table_size (self->live);
}
