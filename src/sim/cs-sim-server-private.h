/* cs-sim-server-private.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cs-sim-server.h"

G_BEGIN_DECLS

/* The routes of both services. */
typedef enum
{
  CS_SIM_ENDPOINT_UNKNOWN,
  CS_SIM_ENDPOINT_CALCOM_ME,
  CS_SIM_ENDPOINT_CALCOM_LIST,
  CS_SIM_ENDPOINT_CALCOM_GET,
  CS_SIM_ENDPOINT_CALCOM_CREATE,
  CS_SIM_ENDPOINT_CALCOM_CANCEL,
  CS_SIM_ENDPOINT_CALCOM_RESCHEDULE,
  CS_SIM_ENDPOINT_CALCOM_EVENT_TYPE,
  CS_SIM_ENDPOINT_BACKEND_ME,
  CS_SIM_ENDPOINT_BACKEND_LIST,
  CS_SIM_ENDPOINT_BACKEND_GET,
  CS_SIM_ENDPOINT_BACKEND_CREATE,
  CS_SIM_ENDPOINT_BACKEND_PATCH,
  CS_SIM_ENDPOINT_BACKEND_CANCEL,
  CS_SIM_ENDPOINT_BACKEND_SYNC_STATUS,
  CS_SIM_ENDPOINT_BACKEND_AUDIT_LOG,
} CsSimEndpoint;

/* One request being handled. Borrowed pointers are the message's. */
typedef struct
{
  CsSimService        service;
  const char         *method;
  const char         *path;
  const char         *raw_query;
  GHashTable         *query;      /* borrowed, nullable: decoded form */
  SoupMessageHeaders *headers;    /* borrowed */
  GBytes             *body;       /* owned, nullable */
  CsSimEndpoint       endpoint;
  char               *arg;        /* owned: the {uid} or {id} of the path */
  const CsSimFaults  *faults;     /* borrowed: the knobs in effect for it */
} CsSimCall;

/* The answer a handler prepares; the server applies the body faults and
 * sends it. */
typedef struct
{
  guint       status;
  JsonNode   *json;          /* owned, nullable */
  GBytes     *raw;           /* owned, nullable: sent as is */
  const char *content_type;  /* static */
  GPtrArray  *headers;       /* owned: name, value, name, value… */
  gboolean    drop;          /* close the connection without an answer */
  gboolean    hold;          /* never answer: the client waits until it gives up */
  gboolean    cacheable;     /* a write's answer to keep for its idempotency key */
} CsSimReply;

typedef struct
{
  CsSimServer  *self;        /* unowned back pointer */
  CsSimService  id;
  SoupServer   *soup;
  char         *base_url;
  guint         port;
  CsSimFaults   faults;
  GRand        *rand;        /* draws of the error rate */
  guint         n_requests;
  guint         list_pages;  /* list pages answered since the last first page */
  guint         n_faulted;   /* requests since the knobs were set (skip_requests) */
  guint64       body_bytes_sent; /* by the answers written by hand */
} CsSimServiceState;

struct _CsSimServer
{
  GObject             parent_instance;

  /* owned refs */
  CsClock            *clock;
  CsSimDataset       *dataset;
  GMainContext       *context;

  CsSimServiceState   services[CS_SIM_SERVICE_LAST + 1];

  char               *calcom_api_key;
  char               *backend_token;
  char               *role;
  gint64              company_id;

  CsSimRateLimit      rate_limit;
  CsTime              rate_window_start;
  guint               rate_count;
  CsTime              rate_blocked_until;   /* CS_TIME_UNSET: not blocked */

  /* cs_sim_server_drop_next_answer() */
  char               *drop_method;
  char               *drop_path_prefix;

  /* cs_sim_server_hold_next_answer() */
  char               *hold_method;
  char               *hold_path_prefix;

  /* cs_sim_server_hold_nth_answer(): requests still to come before the
   * one whose answer is held; 0: none */
  guint               hold_countdown;

  /* introspection */
  GHashTable         *counts;               /* endpoint name → count */
  GPtrArray          *requests;             /* CsSimRequest */
  gboolean            record_requests;
  GPtrArray          *pending;              /* SimPending: delayed answers */
  GPtrArray          *raw;                  /* SimRaw: answers written by hand */
  GTlsCertificate    *tls_certificate;      /* nullable: serve HTTPS */

  /* writes received */
  GPtrArray          *created_bookings;     /* uid */
  GPtrArray          *cancelled_uids;       /* uid */
  GPtrArray          *rescheduled_uids;     /* old uid, in order */
  GHashTable         *reschedules;          /* old uid → new uid */
  GArray             *created_appointments;   /* gint64 */
  GArray             *cancelled_appointments; /* gint64 */
  GHashTable         *patches;              /* gint64 * → JsonObject, merged */
  GHashTable         *sync_updates;         /* gint64 * → JsonObject, last */
  GPtrArray          *audit_keys;           /* accepted keys, in order */
  GPtrArray          *audit_entries;        /* JsonObject */
  GHashTable         *audit_seen;           /* key set */
  GHashTable         *idempotency;          /* key → SimCachedReply */
};

/* Replies */
void        _cs_sim_reply_clear         (CsSimReply  *reply);
void        _cs_sim_reply_take_json     (CsSimReply  *reply,
                                         guint        status,
                                         JsonNode    *json);
void        _cs_sim_reply_take_object   (CsSimReply  *reply,
                                         guint        status,
                                         JsonObject  *object);
void        _cs_sim_reply_add_header    (CsSimReply  *reply,
                                         const char  *name,
                                         const char  *value);
void        _cs_sim_reply_freeze        (CsSimReply  *reply);

/* JSON helpers */
JsonNode   *_cs_sim_parse_body          (CsSimCall   *request);
gboolean    _cs_sim_json_get_int        (JsonObject  *object,
                                         const char  *name,
                                         gint64      *out);
const char *_cs_sim_json_get_string     (JsonObject  *object,
                                         const char  *name);
void        _cs_sim_set_nullable_string (JsonObject  *object,
                                         const char  *name,
                                         const char  *value);
void        _cs_sim_set_utc_time        (JsonObject  *object,
                                         const char  *name,
                                         CsTime       time);
char       *_cs_sim_format_utc_millis   (CsTime       time);
gboolean    _cs_sim_check_bearer        (CsSimCall   *request,
                                         const char  *expected);

/* Listings: the drift knobs */
void        _cs_sim_server_list_page_answered (CsSimServer  *self,
                                               CsSimService  service,
                                               gboolean      first_page,
                                               GPtrArray    *answered);

/* Cal.com */
void        _cs_sim_calcom_route        (CsSimCall   *request);
void        _cs_sim_calcom_handle       (CsSimServer *self,
                                         CsSimCall   *request,
                                         CsSimReply  *reply);
void        _cs_sim_calcom_error        (CsSimServer *self,
                                         CsSimCall   *request,
                                         CsSimReply  *reply,
                                         guint        status,
                                         const char  *message);

/* Backend */
void        _cs_sim_backend_route       (CsSimCall   *request);
void        _cs_sim_backend_handle      (CsSimServer *self,
                                         CsSimCall   *request,
                                         CsSimReply  *reply);
void        _cs_sim_cached_reply_free   (gpointer     data);
void        _cs_sim_backend_error       (CsSimReply  *reply,
                                         guint        status,
                                         const char  *message,
                                         JsonObject  *errors);

G_END_DECLS
