/* cs-sim-server.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "cs-clock.h"
#include "cs-sim-config.h"
#include "cs-sim-dataset.h"

G_BEGIN_DECLS

/* The endpoint names the request counters use. A request that matches no
 * endpoint is counted under its method and raw path. */
#define CS_SIM_CALCOM_ME           "GET /v2/me"
#define CS_SIM_CALCOM_LIST         "GET /v2/bookings"
#define CS_SIM_CALCOM_GET          "GET /v2/bookings/{uid}"
#define CS_SIM_CALCOM_CREATE       "POST /v2/bookings"
#define CS_SIM_CALCOM_CANCEL       "POST /v2/bookings/{uid}/cancel"
#define CS_SIM_CALCOM_RESCHEDULE   "POST /v2/bookings/{uid}/reschedule"
#define CS_SIM_CALCOM_EVENT_TYPE   "GET /v2/event-types/{id}"
#define CS_SIM_BACKEND_ME          "GET /api/v1/me"
#define CS_SIM_BACKEND_LIST        "GET /api/v1/appointments"
#define CS_SIM_BACKEND_GET         "GET /api/v1/appointments/{id}"
#define CS_SIM_BACKEND_CREATE      "POST /api/v1/appointments"
#define CS_SIM_BACKEND_PATCH       "PATCH /api/v1/appointments/{id}"
#define CS_SIM_BACKEND_CANCEL      "POST /api/v1/appointments/{id}/cancel"
#define CS_SIM_BACKEND_SYNC_STATUS "PATCH /api/v1/appointments/sync-status"
#define CS_SIM_BACKEND_AUDIT_LOG   "POST /api/v1/audit-log"

/**
 * CsSimRequest:
 * @service: the service that received it
 * @endpoint: the endpoint's name (one of the `CS_SIM_*` names), or the
 *   method and raw path of an unknown one
 * @method: the HTTP method
 * @path: the path, without the query
 * @query: (nullable): the raw query string, as sent
 * @headers: the request headers; the value of `Authorization` is replaced
 *   by `[redacted]`
 * @body: (nullable): the request body, if there was one
 * @status: the status answered, or 0 for a dropped connection
 * @time: the simulator clock's time when it arrived
 *
 * One request as the simulator received it, for tests that check what the
 * client sends.
 */
typedef struct
{
  CsSimService        service;
  char               *endpoint;
  char               *method;
  char               *path;
  char               *query;
  SoupMessageHeaders *headers;
  GBytes             *body;
  guint               status;
  CsTime              time;
} CsSimRequest;

#define CS_TYPE_SIM_SERVER (cs_sim_server_get_type ())

G_DECLARE_FINAL_TYPE (CsSimServer, cs_sim_server, CS, SIM_SERVER, GObject)

CsSimServer *cs_sim_server_new        (CsClock       *clock,
                                       CsSimDataset  *dataset);
gboolean     cs_sim_server_start      (CsSimServer   *self,
                                       guint          calcom_port,
                                       guint          backend_port,
                                       GError       **error);
void         cs_sim_server_stop       (CsSimServer   *self);
gboolean     cs_sim_server_is_running (CsSimServer   *self);
void         cs_sim_server_set_tls_certificate (CsSimServer     *self,
                                                GTlsCertificate *certificate);

CsClock      *cs_sim_server_get_clock          (CsSimServer  *self);
CsSimDataset *cs_sim_server_get_dataset        (CsSimServer  *self);
const char   *cs_sim_server_get_calcom_url     (CsSimServer  *self);
const char   *cs_sim_server_get_backend_url    (CsSimServer  *self);
guint         cs_sim_server_get_port           (CsSimServer  *self,
                                                CsSimService  service);
const char   *cs_sim_server_get_calcom_api_key (CsSimServer  *self);
void          cs_sim_server_set_calcom_api_key (CsSimServer  *self,
                                                const char   *api_key);
const char   *cs_sim_server_get_backend_token  (CsSimServer  *self);
void          cs_sim_server_set_backend_token  (CsSimServer  *self,
                                                const char   *token);
const char   *cs_sim_server_get_role           (CsSimServer  *self);
void          cs_sim_server_set_role           (CsSimServer  *self,
                                                const char   *role);
gint64        cs_sim_server_get_company_id     (CsSimServer  *self);
void          cs_sim_server_set_company_id     (CsSimServer  *self,
                                                gint64        company_id);

void cs_sim_server_get_faults     (CsSimServer          *self,
                                   CsSimService          service,
                                   CsSimFaults          *faults);
void cs_sim_server_set_faults     (CsSimServer          *self,
                                   CsSimService          service,
                                   const CsSimFaults    *faults);
void cs_sim_server_clear_faults   (CsSimServer          *self,
                                   CsSimService          service);
void cs_sim_server_set_fault_seed (CsSimServer          *self,
                                   guint32               seed);
void cs_sim_server_get_rate_limit (CsSimServer          *self,
                                   CsSimRateLimit       *limit);
void cs_sim_server_set_rate_limit (CsSimServer          *self,
                                   const CsSimRateLimit *limit);
void cs_sim_server_drop_next_answer (CsSimServer        *self,
                                     const char         *method,
                                     const char         *path_prefix);
void cs_sim_server_hold_next_answer (CsSimServer        *self,
                                     const char         *method,
                                     const char         *path_prefix);
void cs_sim_server_hold_nth_answer  (CsSimServer        *self,
                                     guint               n);
guint cs_sim_server_get_n_held      (CsSimServer        *self);

guint               cs_sim_server_get_request_count         (CsSimServer  *self,
                                                             const char   *endpoint);
guint               cs_sim_server_get_service_request_count (CsSimServer  *self,
                                                             CsSimService  service);
GPtrArray          *cs_sim_server_get_requests              (CsSimServer  *self);
const CsSimRequest *cs_sim_server_get_last_request          (CsSimServer  *self,
                                                             const char   *endpoint);
void                cs_sim_server_set_record_requests       (CsSimServer  *self,
                                                             gboolean      record);
guint               cs_sim_server_get_n_pending             (CsSimServer  *self);
guint64             cs_sim_server_get_body_bytes_sent       (CsSimServer  *self,
                                                             CsSimService  service);
void                cs_sim_server_reset_counters            (CsSimServer  *self);

GPtrArray  *cs_sim_server_get_created_bookings       (CsSimServer *self);
GPtrArray  *cs_sim_server_get_cancelled_uids         (CsSimServer *self);
GPtrArray  *cs_sim_server_get_rescheduled_uids       (CsSimServer *self);
const char *cs_sim_server_lookup_reschedule          (CsSimServer *self,
                                                      const char  *old_uid);
GArray     *cs_sim_server_get_created_appointments   (CsSimServer *self);
GArray     *cs_sim_server_get_cancelled_appointments (CsSimServer *self);
JsonObject *cs_sim_server_get_patch                  (CsSimServer *self,
                                                      gint64       appointment_id);
guint       cs_sim_server_get_n_patches              (CsSimServer *self);
JsonObject *cs_sim_server_get_sync_update            (CsSimServer *self,
                                                      gint64       appointment_id);
guint       cs_sim_server_get_n_sync_updates         (CsSimServer *self);
GPtrArray  *cs_sim_server_get_audit_keys             (CsSimServer *self);
GPtrArray  *cs_sim_server_get_audit_entries          (CsSimServer *self);
void        cs_sim_server_reset_writes               (CsSimServer *self);

gboolean cs_sim_server_write_truth (CsSimServer  *self,
                                    const char   *path,
                                    GError      **error);

G_END_DECLS
