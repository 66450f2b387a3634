/* cs-sim-config.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "cs-time.h"

G_BEGIN_DECLS

/**
 * CsSimService:
 * @CS_SIM_SERVICE_CALCOM: the simulated Cal.com API v2
 * @CS_SIM_SERVICE_BACKEND: the simulated CRM backend API v1
 *
 * One of the two services of the simulator.
 */
typedef enum
{
  CS_SIM_SERVICE_CALCOM,
  CS_SIM_SERVICE_BACKEND,
} CsSimService;

#define CS_SIM_SERVICE_LAST CS_SIM_SERVICE_BACKEND

/**
 * CsSimCategory:
 * @CS_SIM_CATEGORY_SYNCED: appointment and booking agree; the appointment
 *   stores the booking uid and the booking carries the CRM id in its metadata
 * @CS_SIM_CATEGORY_SYNCED_METADATA: as synced, but the appointment stores no
 *   uid: only the booking's metadata ties the two
 * @CS_SIM_CATEGORY_OTHER_OFFSET: synced, but the CRM writes its times with
 *   another UTC offset than Berlin's (the same instants)
 * @CS_SIM_CATEGORY_ORPHANED_LOCAL: an active appointment without a booking
 *   (half of them name a booking uid that does not exist)
 * @CS_SIM_CATEGORY_ORPHANED_CALCOM: an active booking no appointment claims
 *   (a quarter of them name a CRM id that does not exist); not counted in
 *   the number of appointments
 * @CS_SIM_CATEGORY_MISMATCH_START: linked, the booking starts earlier
 * @CS_SIM_CATEGORY_MISMATCH_END: linked, the booking ends later
 * @CS_SIM_CATEGORY_MISMATCH_STATUS: linked, one side is cancelled and the
 *   other is not
 * @CS_SIM_CATEGORY_CANCELLED: a cancelled appointment, with a cancelled (or
 *   rejected) booking or with none
 * @CS_SIM_CATEGORY_SUGGESTED: an appointment without a uid plus a booking
 *   without metadata, with the same start and the same attendee e-mail: a
 *   suggested-link pair
 * @CS_SIM_CATEGORY_FOREIGN: an appointment of another company, which the
 *   backend's list serves on purpose and the client must reject
 * @CS_SIM_CATEGORY_AWAITING_HOST: synced, but the booking's status is
 *   `awaiting_host` (an active booking waiting for its host)
 * @CS_SIM_CATEGORY_RECURRING: synced occurrences of recurring series: up to
 *   four weekly occurrences share one `recurringBookingUid`, each has its own
 *   uid and its own appointment
 *
 * The kinds of rows the dataset generator writes. %CS_SIM_CATEGORY_SYNCED
 * takes what the fractions of the others leave.
 */
typedef enum
{
  CS_SIM_CATEGORY_SYNCED,
  CS_SIM_CATEGORY_SYNCED_METADATA,
  CS_SIM_CATEGORY_OTHER_OFFSET,
  CS_SIM_CATEGORY_ORPHANED_LOCAL,
  CS_SIM_CATEGORY_ORPHANED_CALCOM,
  CS_SIM_CATEGORY_MISMATCH_START,
  CS_SIM_CATEGORY_MISMATCH_END,
  CS_SIM_CATEGORY_MISMATCH_STATUS,
  CS_SIM_CATEGORY_CANCELLED,
  CS_SIM_CATEGORY_SUGGESTED,
  CS_SIM_CATEGORY_FOREIGN,
  CS_SIM_CATEGORY_AWAITING_HOST,
  CS_SIM_CATEGORY_RECURRING,
} CsSimCategory;

#define CS_SIM_CATEGORY_LAST CS_SIM_CATEGORY_RECURRING
#define CS_SIM_SERIES_LENGTH 4
#define CS_SIM_N_CATEGORIES  (CS_SIM_CATEGORY_LAST + 1)

/**
 * CsSimDatasetConfig:
 * @seed: the seed of the generator: the same seed, configuration and UTC day
 *   give the same dataset
 * @n_appointments: the number of appointment rows (every category but
 *   %CS_SIM_CATEGORY_ORPHANED_CALCOM, foreign rows included)
 * @fractions: per #CsSimCategory, the share of @n_appointments (for
 *   %CS_SIM_CATEGORY_ORPHANED_CALCOM: extra bookings, as a share of
 *   @n_appointments); the entry of %CS_SIM_CATEGORY_SYNCED is ignored, it is
 *   the remainder. The appointment shares must add up to at most 1.
 * @company_id: the company of the token (`/api/v1/me`)
 * @foreign_company_id: the company of the foreign rows
 * @first_id: the id of the first appointment; the others follow
 * @past_days: the window starts this many days before now
 * @future_days: the window ends this many days after now
 *
 * What the dataset generator makes.
 */
typedef struct
{
  guint32 seed;
  guint   n_appointments;
  double  fractions[CS_SIM_N_CATEGORIES];
  gint64  company_id;
  gint64  foreign_company_id;
  gint64  first_id;
  guint   past_days;
  guint   future_days;
} CsSimDatasetConfig;

/**
 * CsSimBody:
 * @CS_SIM_BODY_AS_IS: the answer's own body
 * @CS_SIM_BODY_EMPTY: no body at all
 * @CS_SIM_BODY_NULL: the JSON literal `null`
 * @CS_SIM_BODY_GARBAGE: 4 KiB of seeded random bytes (NUL bytes and
 *   invalid UTF-8 among them)
 * @CS_SIM_BODY_DEEP: 200,000 nested arrays (`[[[…]]]`), valid JSON that
 *   breaks a recursive parser's stack
 * @CS_SIM_BODY_HTML: an HTML page (a proxy's or a captive portal's), with
 *   the answer's status and content type
 *
 * What the body knob puts in every answer instead of its body.
 */
typedef enum
{
  CS_SIM_BODY_AS_IS,
  CS_SIM_BODY_EMPTY,
  CS_SIM_BODY_NULL,
  CS_SIM_BODY_GARBAGE,
  CS_SIM_BODY_DEEP,
  CS_SIM_BODY_HTML,
} CsSimBody;

#define CS_SIM_BODY_LAST       CS_SIM_BODY_HTML
#define CS_SIM_DEEP_LEVELS     200000

/**
 * CsSimFaults:
 * @latency_ms: every answer waits this long (real time) before it is sent
 * @error_rate: the share of requests answered 500, drawn from a seeded
 *   generator
 * @force_status: if not 0, every request is answered with this status (in
 *   the service's error shape)
 * @storm_429: the next @storm_429 requests are answered 429; counts down
 * @storm_retry_after: the `Retry-After` seconds of a storm's 429, or 0 for
 *   none
 * @downtime_from: start of a downtime window on the simulator's clock, or
 *   %CS_TIME_UNSET
 * @downtime_until: end (exclusive) of the downtime window
 * @downtime_drop: in the window, close the connection instead of answering
 *   503
 * @truncate_body: send only the first half of every body
 * @non_json_status: if not 0, answer an HTML error page with this status
 *   (200 or 502 are the useful ones) instead of the JSON
 * @slow_body_delay_ms: if not 0, send bodies in chunks with this delay
 *   between chunks
 * @slow_body_chunk_bytes: the size of those chunks (0: 256 bytes)
 * @oversize_bytes: if not 0, pad every JSON object answer to at least this
 *   many bytes (a long string in a `_padding` member)
 * @drift_after_page: if not 0, the listing moves once this many list pages
 *   of one listing (counted from its first page: `skip=0`, `page=1`) have
 *   been answered: rows vanish or appear before the read position, so the
 *   pages still to come shift
 * @drift_rows: how it moves: a negative number deletes that many of the
 *   rows the page just answered ended with (bookings for good, appointments
 *   softly); a positive one adds that many rows in front of the read
 *   position (bookings no appointment claims, created just before the page's
 *   first booking; appointments without a booking, with ids below all
 *   others). The truth follows: it is the new state.
 * @drift_every_listing: move every listing, not just the next one (after
 *   the first move @drift_rows is set to 0 otherwise)
 * @skip_requests: the first this many requests after the knobs are set are
 *   answered as if every knob were off, so a fault can hit a listing in the
 *   middle (page 2 of a Cal.com listing with 1: page 1 comes alone first)
 * @body: replace the body of every answer (see #CsSimBody); the status
 *   and the headers stay
 * @content_type: (nullable): send this `Content-Type` with every answer
 *   instead of the right one; not copied: a string that lives as long as
 *   the knobs (a literal)
 * @cut_after_bytes: if not 0, every answer announces its whole length, sends
 *   this many bytes of its body and closes the connection: a connection cut
 *   in the middle of an answer
 * @stall_body: every answer announces its whole length, sends
 *   @stall_after_bytes bytes of its body and then nothing more, holding the
 *   connection open until the client gives up (or the server stops)
 * @stall_after_bytes: how much of the body a stalled answer sends
 * @huge_body_bytes: if not 0, every successful answer is replaced by a JSON
 *   object of this many bytes, made as it is sent (never held in memory),
 *   so a test can tell from cs_sim_server_get_body_bytes_sent() whether the
 *   client stopped reading early
 * @huge_body_chunked: send the huge body with chunked encoding, without a
 *   `Content-Length` that the client could refuse at once
 * @duplicate_rows: if not 0, every list page but the first also carries
 *   copies of the first this many rows of the listing (rows that come
 *   twice, as from a server whose order is not stable)
 * @redirect_to: (nullable): answer every request with `307 Temporary
 *   Redirect` to this URL (the path and query of the request appended);
 *   not copied, as @content_type
 *
 * The fault knobs of one service. All off when zeroed.
 */
typedef struct
{
  guint       latency_ms;
  double      error_rate;
  guint       force_status;
  guint       storm_429;
  guint       storm_retry_after;
  CsTime      downtime_from;
  CsTime      downtime_until;
  gboolean    downtime_drop;
  gboolean    truncate_body;
  guint       non_json_status;
  guint       slow_body_delay_ms;
  gsize       slow_body_chunk_bytes;
  gsize       oversize_bytes;
  guint       drift_after_page;
  int         drift_rows;
  gboolean    drift_every_listing;
  guint       skip_requests;
  CsSimBody   body;
  const char *content_type;
  gsize       cut_after_bytes;
  gboolean    stall_body;
  gsize       stall_after_bytes;
  gsize       huge_body_bytes;
  gboolean    huge_body_chunked;
  guint       duplicate_rows;
  const char *redirect_to;
} CsSimFaults;

/**
 * CsSimRateLimit:
 * @enabled: whether Cal.com's rate limit applies
 * @limit: requests per window (Cal.com: 120 for an API key)
 * @window_seconds: the window's length on the simulator's clock (60)
 * @retry_after: send `Retry-After` with a 429 (real Cal.com does not)
 *
 * Cal.com's rate limit: `X-RateLimit-*-Default` headers on every answer;
 * the request past @limit in the current window blocks the key for
 * @window_seconds from that request, and every request in the block gets 429.
 */
typedef struct
{
  gboolean enabled;
  guint    limit;
  guint    window_seconds;
  gboolean retry_after;
} CsSimRateLimit;

#define CS_SIM_DEFAULT_COMPANY_ID         3
#define CS_SIM_DEFAULT_FOREIGN_COMPANY_ID 4
#define CS_SIM_DEFAULT_RATE_LIMIT         120
#define CS_SIM_DEFAULT_RATE_WINDOW        60

void        cs_sim_dataset_config_init  (CsSimDatasetConfig       *config);
gboolean    cs_sim_dataset_config_check (const CsSimDatasetConfig *config,
                                         GError                  **error);
void        cs_sim_faults_init          (CsSimFaults              *faults);
void        cs_sim_rate_limit_init      (CsSimRateLimit           *limit);

const char *cs_sim_category_to_string   (CsSimCategory             category);
gboolean    cs_sim_category_from_string (const char               *str,
                                         CsSimCategory            *category);
const char *cs_sim_service_to_string    (CsSimService              service);
gboolean    cs_sim_body_from_string     (const char               *str,
                                         CsSimBody                *body);

G_END_DECLS
