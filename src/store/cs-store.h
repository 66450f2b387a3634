/* cs-store.h: placeholder, replaced by the store implementation */
#pragma once
#include <gio/gio.h>
G_BEGIN_DECLS
#define CS_TYPE_STORE (cs_store_get_type ())
G_DECLARE_FINAL_TYPE (CsStore, cs_store, CS, STORE, GObject)
char         *cs_store_get_default_path   (void);
CsStore      *cs_store_open               (const char *path, GError **error);
const GError *cs_store_get_recovery_error (CsStore *self);
G_END_DECLS
