/* test-slot-model.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cs-slot-model.h"
#include "ui-test-util.h"

typedef struct
{
  guint position;
  guint removed;
  guint added;
  guint n_changes;
} Changes;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Changes    *changes)
{
  changes->position = position;
  changes->removed = removed;
  changes->added = added;
  changes->n_changes++;
}

static GListStore *
store_of (guint n,
          guint first)
{
  GListStore *store = g_list_store_new (G_TYPE_APPLICATION);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("io.github.calsync.Row%u", first + i);
      g_autoptr(GApplication) row = g_application_new (id, G_APPLICATION_DEFAULT_FLAGS);

      g_list_store_append (store, row);
    }
  return store;
}

static const char *
id_at (CsRowSlot *slot)
{
  return g_application_get_application_id (cs_row_slot_get_row (slot));
}

static void
notify_cb (CsRowSlot *slot,
           GParamSpec *pspec,
           guint      *n)
{
  (*n)++;
}

/* A change that replaces every row keeps the slots the widgets hold and
 * gives them their new rows; only the change in length is announced, at
 * the end. */
static void
test_slots_stay (void)
{
  g_autoptr(GListStore) rows = store_of (10, 0);
  g_autoptr(GListStore) others = store_of (4, 100);
  g_autoptr(CsSlotModel) slots = cs_slot_model_new (G_LIST_MODEL (rows));
  g_autoptr(CsRowSlot) held = NULL;
  g_autoptr(CsRowSlot) held_late = NULL;
  g_autoptr(CsRowSlot) again = NULL;
  Changes changes = { 0 };
  guint notified = 0;
  gpointer items[4];

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (slots)), ==, 10);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (slots)) == CS_TYPE_ROW_SLOT);
  held = g_list_model_get_item (G_LIST_MODEL (slots), 2);
  held_late = g_list_model_get_item (G_LIST_MODEL (slots), 7);
  g_assert_cmpstr (id_at (held), ==, "io.github.calsync.Row2");
  g_assert_cmpuint (cs_slot_model_get_n_live (slots), ==, 2);
  g_signal_connect (held, "notify::row", G_CALLBACK (notify_cb), &notified);
  g_signal_connect (slots, "items-changed", G_CALLBACK (items_changed_cb), &changes);

  /* Every row replaced by four others, as a first search keystroke. */
  for (guint i = 0; i < 4; i++)
    items[i] = g_list_model_get_item (G_LIST_MODEL (others), i);
  g_list_store_splice (rows, 0, 10, items, 4);
  for (guint i = 0; i < 4; i++)
    g_object_unref (items[i]);

  g_assert_cmpuint (changes.n_changes, ==, 1);
  g_assert_cmpuint (changes.position, ==, 4);
  g_assert_cmpuint (changes.removed, ==, 6);
  g_assert_cmpuint (changes.added, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (slots)), ==, 4);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpstr (id_at (held), ==, "io.github.calsync.Row102");

  /* The same slot object still serves its position; the one past the end
   * is forgotten. */
  again = g_list_model_get_item (G_LIST_MODEL (slots), 2);
  g_assert_true (again == held);
  g_assert_cmpuint (cs_slot_model_get_n_live (slots), ==, 1);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (slots), 7));

  /* Growing announces the new tail only. */
  {
    g_autoptr(GObject) row = g_list_model_get_item (G_LIST_MODEL (others), 0);

    g_list_store_append (rows, row);
  }
  g_assert_cmpuint (changes.position, ==, 4);
  g_assert_cmpuint (changes.removed, ==, 0);
  g_assert_cmpuint (changes.added, ==, 1);
}

/* Slots nobody holds are not kept. */
static void
test_unheld_slots_go (void)
{
  g_autoptr(GListStore) rows = store_of (5, 0);
  g_autoptr(CsSlotModel) slots = cs_slot_model_new (G_LIST_MODEL (rows));

  for (guint i = 0; i < 5; i++)
    g_object_unref (g_list_model_get_item (G_LIST_MODEL (slots), i));
  g_assert_cmpuint (cs_slot_model_get_n_live (slots), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  g_test_add_func ("/slot-model/slots-stay", test_slots_stay);
  g_test_add_func ("/slot-model/unheld-slots-go", test_unheld_slots_go);

  return g_test_run ();
}
