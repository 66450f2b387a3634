/* cs-row-slot.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CS_TYPE_ROW_SLOT (cs_row_slot_get_type ())

G_DECLARE_FINAL_TYPE (CsRowSlot, cs_row_slot, CS, ROW_SLOT, GObject)

CsRowSlot *cs_row_slot_new          (guint      position,
                                     gpointer   row);
guint      cs_row_slot_get_position (CsRowSlot *self);
gpointer   cs_row_slot_get_row      (CsRowSlot *self);
void       cs_row_slot_set_row      (CsRowSlot *self,
                                     gpointer   row);

G_END_DECLS
