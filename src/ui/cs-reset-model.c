/* cs-reset-model.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-reset-model.h"

/* The items of the first half of a split change: more than GTK 4.8's
 * list views keep widgets for (200), no more than CsAppointmentModel
 * caches (256). */
#define HEAD_ITEMS 256

/**
 * CsResetModel:
 *
 * Passes another #GListModel through, but splits each change that removes
 * items and adds more than %HEAD_ITEMS into two: the removal with the
 * first %HEAD_ITEMS added items, then the rest of the addition.
 *
 * GTK 4.8's list views look for the items they track (scroll anchor,
 * focus) among all the added items of a change that removes them: on a
 * filter change of 100,000 rows that asks the model for every row, each
 * read from SQLite. Split, they look among the first items only, and
 * still keep the widgets of rows that stay on screen (the model gives the
 * same object for the same row while it caches it).
 */

struct _CsResetModel
{
  GObject     parent_instance;

  GListModel *model;
  guint       n_items;

  /* Between the two halves of a change: the items from split_position on
   * are the model's split_added further on. */
  gboolean    splitting;
  guint       split_position;
  guint       split_added;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CsResetModel, cs_reset_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
cs_reset_model_get_item_type (GListModel *list)
{
  CsResetModel *self = CS_RESET_MODEL (list);

  return g_list_model_get_item_type (self->model);
}

static guint
cs_reset_model_get_n_items (GListModel *list)
{
  return CS_RESET_MODEL (list)->n_items;
}

static gpointer
cs_reset_model_get_item (GListModel *list,
                         guint       position)
{
  CsResetModel *self = CS_RESET_MODEL (list);

  if (position >= self->n_items)
    return NULL;

  if (self->splitting && position >= self->split_position)
    position += self->split_added;

  return g_list_model_get_item (self->model, position);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = cs_reset_model_get_item_type;
  iface->get_n_items = cs_reset_model_get_n_items;
  iface->get_item = cs_reset_model_get_item;
}

static void
items_changed_cb (GListModel   *model,
                  guint         position,
                  guint         removed,
                  guint         added,
                  CsResetModel *self)
{
  g_assert (CS_IS_RESET_MODEL (self));

  if (removed == 0 || added <= HEAD_ITEMS)
    {
      self->n_items = self->n_items - removed + added;
      g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
      return;
    }

  self->splitting = TRUE;
  self->split_position = position + HEAD_ITEMS;
  self->split_added = added - HEAD_ITEMS;
  self->n_items = self->n_items - removed + HEAD_ITEMS;
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, HEAD_ITEMS);

  self->splitting = FALSE;
  self->n_items += added - HEAD_ITEMS;
  g_list_model_items_changed (G_LIST_MODEL (self), position + HEAD_ITEMS, 0, added - HEAD_ITEMS);
}

static void
cs_reset_model_dispose (GObject *object)
{
  CsResetModel *self = CS_RESET_MODEL (object);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, items_changed_cb, self);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (cs_reset_model_parent_class)->dispose (object);
}

static void
cs_reset_model_class_init (CsResetModelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cs_reset_model_dispose;
}

static void
cs_reset_model_init (CsResetModel *self)
{
}

/**
 * cs_reset_model_new:
 * @model: the model to pass through
 *
 * Returns: (transfer full): a new model showing @model's items
 */
CsResetModel *
cs_reset_model_new (GListModel *model)
{
  CsResetModel *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (model), NULL);

  self = g_object_new (CS_TYPE_RESET_MODEL, NULL);
  self->model = g_object_ref (model);
  self->n_items = g_list_model_get_n_items (model);
  g_signal_connect (model, "items-changed", G_CALLBACK (items_changed_cb), self);

  return self;
}
