/* cs-review-dialog.c — PLACEHOLDER: the real dialog replaces this file. */

#include "config.h"

#include "cs-review-dialog.h"

struct _CsReviewDialog
{
  AdwWindow  parent_instance;

  CsEngine  *engine;
  gint64     appointment_id;
  char      *booking_uid;
};

G_DEFINE_FINAL_TYPE (CsReviewDialog, cs_review_dialog, ADW_TYPE_WINDOW)

static void
cs_review_dialog_dispose (GObject *object)
{
  CsReviewDialog *self = CS_REVIEW_DIALOG (object);

  g_clear_object (&self->engine);
  g_clear_pointer (&self->booking_uid, g_free);

  G_OBJECT_CLASS (cs_review_dialog_parent_class)->dispose (object);
}

static void
cs_review_dialog_class_init (CsReviewDialogClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cs_review_dialog_dispose;
}

static void
cs_review_dialog_init (CsReviewDialog *self)
{
}

CsReviewDialog *
cs_review_dialog_new (GtkWindow  *parent,
                      CsEngine   *engine,
                      gint64      appointment_id,
                      const char *booking_uid)
{
  CsReviewDialog *self = g_object_new (CS_TYPE_REVIEW_DIALOG,
                                       "transient-for", parent,
                                       "modal", TRUE,
                                       NULL);

  self->engine = g_object_ref (engine);
  self->appointment_id = appointment_id;
  self->booking_uid = g_strdup (booking_uid);
  return self;
}

gint64
cs_review_dialog_get_appointment_id (CsReviewDialog *self)
{
  return self->appointment_id;
}

const char *
cs_review_dialog_get_booking_uid (CsReviewDialog *self)
{
  return self->booking_uid;
}
