/* cs-sim-server.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-sim-server-private.h"

/**
 * CsSimServer:
 *
 * The simulator: two #SoupServer on 127.0.0.1, one answering as Cal.com API
 * v2 (`cal-api-version` 2024-08-13) and one as the CRM backend API v1
 * (backend-api.md), over one #CsSimDataset.
 *
 * Every request passes, in this order: the downtime window, a forced
 * status, a 429 storm and the error rate (the service's fault knobs, see
 * #CsSimFaults); then the service's own checks (token, Cal.com's rate
 * limit and version header, the backend's role and idempotency key) and
 * the endpoint. The answer then meets the body knobs (a replaced body, a
 * non-JSON page, oversize padding, truncation, another content type) and is
 * sent after the latency, whole or in slow chunks; or it is written by hand
 * on the stolen connection, to be cut off, to stall or to be huge.
 *
 * Time comes from the #CsClock (rate-limit and downtime windows, the stamps
 * of rows), except latency and slow bodies, which are real time: GLib
 * timeouts on the main context that was the thread default when the server
 * was made. Everything runs on that context: a test iterates it while its
 * client waits.
 *
 * The server counts requests per endpoint, keeps the list of requests (with
 * the `Authorization` value redacted) and records every write it received,
 * so tests can assert what a client did. A one-shot fault
 * (cs_sim_server_drop_next_answer()) lets a write happen and loses its
 * answer, for tests of replays; another (cs_sim_server_hold_next_answer())
 * lets it happen and never answers, so a test knows its client is in the
 * middle of that request (and may kill it there).
 */

#define REDACTED "[redacted]"

enum
{
  PROP_0,
  PROP_CLOCK,
  PROP_DATASET,
  PROP_ROLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CsSimServer, cs_sim_server, G_TYPE_OBJECT)

static const char * const endpoint_names[] = {
  [CS_SIM_ENDPOINT_UNKNOWN] = NULL,
  [CS_SIM_ENDPOINT_CALCOM_ME] = CS_SIM_CALCOM_ME,
  [CS_SIM_ENDPOINT_CALCOM_LIST] = CS_SIM_CALCOM_LIST,
  [CS_SIM_ENDPOINT_CALCOM_GET] = CS_SIM_CALCOM_GET,
  [CS_SIM_ENDPOINT_CALCOM_CREATE] = CS_SIM_CALCOM_CREATE,
  [CS_SIM_ENDPOINT_CALCOM_CANCEL] = CS_SIM_CALCOM_CANCEL,
  [CS_SIM_ENDPOINT_CALCOM_RESCHEDULE] = CS_SIM_CALCOM_RESCHEDULE,
  [CS_SIM_ENDPOINT_CALCOM_EVENT_TYPE] = CS_SIM_CALCOM_EVENT_TYPE,
  [CS_SIM_ENDPOINT_BACKEND_ME] = CS_SIM_BACKEND_ME,
  [CS_SIM_ENDPOINT_BACKEND_LIST] = CS_SIM_BACKEND_LIST,
  [CS_SIM_ENDPOINT_BACKEND_GET] = CS_SIM_BACKEND_GET,
  [CS_SIM_ENDPOINT_BACKEND_CREATE] = CS_SIM_BACKEND_CREATE,
  [CS_SIM_ENDPOINT_BACKEND_PATCH] = CS_SIM_BACKEND_PATCH,
  [CS_SIM_ENDPOINT_BACKEND_CANCEL] = CS_SIM_BACKEND_CANCEL,
  [CS_SIM_ENDPOINT_BACKEND_SYNC_STATUS] = CS_SIM_BACKEND_SYNC_STATUS,
  [CS_SIM_ENDPOINT_BACKEND_AUDIT_LOG] = CS_SIM_BACKEND_AUDIT_LOG,
};

/* An answer sent later: after the latency, or chunk by chunk. */
typedef struct
{
  CsSimServer       *self;          /* unowned: the server frees its pending answers */
  CsSimServiceState *service;       /* unowned, as @self */
  SoupServerMessage *msg;           /* owned */
  gulong             finished_id;
  GSource           *source;        /* owned, attached */
  guint              status;
  const char        *content_type;
  GPtrArray         *headers;       /* owned */
  GBytes            *body;          /* owned */
  gsize              offset;        /* of the next chunk */
  gsize              chunk_bytes;
  guint              delay_ms;      /* between chunks; 0: all at once */
  gboolean           held;          /* never sent: cs_sim_server_hold_next_answer() */
} SimPending;

/* An answer written by hand on the connection taken from libsoup: only so
 * can a test cut it after a given byte, hold it open half sent, or send a
 * body too large to keep in memory. */
typedef struct
{
  CsSimServiceState *service;       /* unowned: the server frees its raw answers */
  GIOStream         *stream;        /* owned */
  GCancellable      *cancellable;   /* owned */
  GBytes            *head;          /* owned: status line and headers */
  GBytes            *body;          /* owned, nullable: the part of the body to send */
  guint64            huge_left;     /* bytes of made-up body still to send */
  guint64            huge_total;
  gboolean           chunked;
  gboolean           hold;          /* stall: keep the connection when all is sent */
} SimRaw;

#define HUGE_PIECE  ((gsize) 1024 * 1024)

static void
cs_sim_request_free (gpointer data)
{
  CsSimRequest *request = data;

  g_free (request->endpoint);
  g_free (request->method);
  g_free (request->path);
  g_free (request->query);
  g_clear_pointer (&request->headers, soup_message_headers_unref);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_free (request);
}

/* Replies */

void
_cs_sim_reply_clear (CsSimReply *reply)
{
  g_clear_pointer (&reply->json, json_node_unref);
  g_clear_pointer (&reply->raw, g_bytes_unref);
  g_clear_pointer (&reply->headers, g_ptr_array_unref);
}

void
_cs_sim_reply_take_json (CsSimReply *reply,
                         guint       status,
                         JsonNode   *json)
{
  g_clear_pointer (&reply->json, json_node_unref);
  g_clear_pointer (&reply->raw, g_bytes_unref);
  reply->status = status;
  reply->json = json;
  reply->content_type = "application/json";
}

void
_cs_sim_reply_take_object (CsSimReply *reply,
                           guint       status,
                           JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);
  _cs_sim_reply_take_json (reply, status, node);
}

void
_cs_sim_reply_add_header (CsSimReply *reply,
                          const char *name,
                          const char *value)
{
  if (reply->headers == NULL)
    reply->headers = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (reply->headers, g_strdup (name));
  g_ptr_array_add (reply->headers, g_strdup (value));
}

/* Turns the JSON of @reply into the bytes it will send. */
void
_cs_sim_reply_freeze (CsSimReply *reply)
{
  char *text;
  gsize length;

  if (reply->json == NULL)
    return;

  text = json_to_string (reply->json, FALSE);
  length = strlen (text);
  g_clear_pointer (&reply->json, json_node_unref);
  g_clear_pointer (&reply->raw, g_bytes_unref);
  reply->raw = g_bytes_new_take (text, length);
}

/* JSON helpers */

JsonNode *
_cs_sim_parse_body (CsSimCall *request)
{
  g_autofree char *text = NULL;
  gsize length;
  const char *data;

  if (request->body == NULL)
    return NULL;

  data = g_bytes_get_data (request->body, &length);
  if (length == 0)
    return NULL;

  text = g_strndup (data, length);
  return json_from_string (text, NULL);
}

gboolean
_cs_sim_json_get_int (JsonObject *object,
                      const char *name,
                      gint64     *out)
{
  JsonNode *node = json_object_get_member (object, name);
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    {
      *out = json_node_get_int (node);
      return TRUE;
    }

  if (type == G_TYPE_DOUBLE)
    {
      double value = json_node_get_double (node);

      if (value == (double) (gint64) value)
        {
          *out = (gint64) value;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
_cs_sim_json_get_string (JsonObject *object,
                         const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

void
_cs_sim_set_nullable_string (JsonObject *object,
                             const char *name,
                             const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, name, value);
  else
    json_object_set_null_member (object, name);
}

/* ISO 8601 in UTC with milliseconds, as Cal.com writes its times. */
char *
_cs_sim_format_utc_millis (CsTime time)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *seconds = NULL;
  gint64 usec = time % CS_USEC_PER_SECOND;

  if (usec < 0)
    usec += CS_USEC_PER_SECOND;

  dt = g_date_time_new_from_unix_utc ((time - usec) / CS_USEC_PER_SECOND);
  if (dt == NULL)
    return NULL;

  seconds = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf ("%s.%03dZ", seconds, (int) (usec / 1000));
}

void
_cs_sim_set_utc_time (JsonObject *object,
                      const char *name,
                      CsTime      time)
{
  g_autofree char *text = time != CS_TIME_UNSET ? _cs_sim_format_utc_millis (time) : NULL;

  _cs_sim_set_nullable_string (object, name, text);
}

gboolean
_cs_sim_check_bearer (CsSimCall  *request,
                      const char *expected)
{
  const char *value = soup_message_headers_get_one (request->headers, "Authorization");

  if (value == NULL || expected == NULL || g_ascii_strncasecmp (value, "Bearer ", 7) != 0)
    return FALSE;

  return g_str_equal (value + 7, expected);
}

/* Delayed answers */

static void
pending_free (gpointer data)
{
  SimPending *pending = data;

  if (pending->source != NULL)
    {
      g_source_destroy (pending->source);
      g_clear_pointer (&pending->source, g_source_unref);
    }
  g_clear_signal_handler (&pending->finished_id, pending->msg);
  g_clear_object (&pending->msg);
  g_clear_pointer (&pending->headers, g_ptr_array_unref);
  g_clear_pointer (&pending->body, g_bytes_unref);
  g_free (pending);
}

static void
pending_remove (SimPending *pending)
{
  g_ptr_array_remove_fast (pending->self->pending, pending);
}

static void
pending_schedule (SimPending  *pending,
                  guint        delay_ms,
                  GSourceFunc  func)
{
  g_assert (pending->source == NULL);

  pending->source = g_timeout_source_new (delay_ms);
  g_source_set_callback (pending->source, func, pending, NULL);
  g_source_attach (pending->source, pending->self->context);
}

static void
pending_finished_cb (SoupServerMessage *msg,
                     SimPending        *pending)
{
  /* The client went away, or the answer is out: nothing more to send. */
  pending_remove (pending);
}

static void
write_head (SoupServerMessage *msg,
            guint              status,
            const char        *content_type,
            GPtrArray         *headers)
{
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);

  soup_server_message_set_status (msg, status, NULL);
  if (content_type != NULL)
    soup_message_headers_replace (response_headers, "Content-Type", content_type);

  for (guint i = 0; headers != NULL && i + 1 < headers->len; i += 2)
    soup_message_headers_replace (response_headers,
                                  g_ptr_array_index (headers, i),
                                  g_ptr_array_index (headers, i + 1));
}

static gboolean
pending_next_chunk_cb (gpointer user_data)
{
  SimPending *pending = user_data;
  SoupMessageBody *body = soup_server_message_get_response_body (pending->msg);
  gsize length = g_bytes_get_size (pending->body);
  gsize size = MIN (pending->chunk_bytes, length - pending->offset);

  g_clear_pointer (&pending->source, g_source_unref);

  if (size > 0)
    {
      g_autoptr(GBytes) chunk = g_bytes_new_from_bytes (pending->body, pending->offset, size);

      soup_message_body_append_bytes (body, chunk);
      pending->offset += size;
      pending->service->body_bytes_sent += size;
    }

  if (pending->offset >= length)
    {
      soup_message_body_complete (body);
      soup_server_message_unpause (pending->msg);
      pending_remove (pending);
      return G_SOURCE_REMOVE;
    }

  pending_schedule (pending, pending->delay_ms, pending_next_chunk_cb);
  soup_server_message_unpause (pending->msg);

  return G_SOURCE_REMOVE;
}

static gboolean
pending_start_cb (gpointer user_data)
{
  SimPending *pending = user_data;

  g_clear_pointer (&pending->source, g_source_unref);
  write_head (pending->msg, pending->status, pending->content_type, pending->headers);

  if (pending->delay_ms > 0)
    {
      soup_message_headers_set_encoding (soup_server_message_get_response_headers (pending->msg),
                                         SOUP_ENCODING_CHUNKED);
      return pending_next_chunk_cb (pending);
    }

  if (g_bytes_get_size (pending->body) > 0)
    soup_message_body_append_bytes (soup_server_message_get_response_body (pending->msg),
                                    pending->body);
  soup_server_message_unpause (pending->msg);
  pending_remove (pending);

  return G_SOURCE_REMOVE;
}

/* Answers written by hand */

static GBytes *non_json_page (guint status);

static void
raw_free (gpointer data)
{
  SimRaw *raw = data;

  /* The write under way ends with G_IO_ERROR_CANCELLED and touches
   * nothing of @raw. */
  g_cancellable_cancel (raw->cancellable);
  if (raw->stream != NULL)
    g_io_stream_close (raw->stream, NULL, NULL);
  g_clear_object (&raw->stream);
  g_clear_object (&raw->cancellable);
  g_clear_pointer (&raw->head, g_bytes_unref);
  g_clear_pointer (&raw->body, g_bytes_unref);
  g_free (raw);
}

static void raw_write_next (SimRaw *raw);

static void
raw_finish (SimRaw *raw)
{
  CsSimServer *self = raw->service->self;

  if (raw->hold)
    return;

  /* Closing may be what the client waited for (a cut): the bytes written
   * are on their way, then the end of the stream. */
  g_ptr_array_remove_fast (self->raw, raw);
}

/* One write under way: it keeps its bytes until it ends, since the stream
 * holds them only by pointer, and outlives a raw answer freed meanwhile. */
typedef struct
{
  SimRaw       *raw;          /* unowned; not touched once cancelled */
  GBytes       *bytes;        /* owned */
  GCancellable *cancellable;  /* owned */
} SimRawWrite;

static void
raw_written_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  SimRawWrite *op = user_data;
  SimRaw *raw = op->raw;
  gboolean cancelled = g_cancellable_is_cancelled (op->cancellable);
  g_autoptr(GError) error = NULL;
  gsize written = 0;
  gboolean ok;

  ok = g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, &written, &error);
  g_bytes_unref (op->bytes);
  g_object_unref (op->cancellable);
  g_free (op);

  if (cancelled)
    return;

  if (!ok)
    {

      /* The client went away (it stopped reading a huge body): stop. */
      g_debug ("A hand-written answer ended early: %s", error->message);
      raw->hold = FALSE;
      raw_finish (raw);
      return;
    }

  raw_write_next (raw);
}

static void
raw_write (SimRaw *raw,
           GBytes *bytes,
           gsize   body_bytes)
{
  GOutputStream *out = g_io_stream_get_output_stream (raw->stream);
  SimRawWrite *op = g_new0 (SimRawWrite, 1);
  gsize length;
  gconstpointer data = g_bytes_get_data (bytes, &length);

  op->raw = raw;
  op->bytes = g_bytes_ref (bytes);
  op->cancellable = g_object_ref (raw->cancellable);

  /* Counted when handed to the socket: what the client could have read. */
  raw->service->body_bytes_sent += body_bytes;
  g_output_stream_write_all_async (out, data, length, G_PRIORITY_DEFAULT, raw->cancellable,
                                   raw_written_cb, op);
}

/* One piece of a made-up JSON object of huge_total bytes: `{"_padding":"`,
 * `x` bytes, `"}`. */
static GBytes *
huge_piece (SimRaw *raw,
            gsize  *body_bytes)
{
  static const char prefix[] = "{\"_padding\":\"";
  static const char suffix[] = "\"}";
  guint64 offset = raw->huge_total - raw->huge_left;
  gsize size = (gsize) MIN (raw->huge_left, (guint64) HUGE_PIECE);
  GString *piece = g_string_sized_new (size + 32);

  if (raw->chunked)
    g_string_append_printf (piece, "%" G_GSIZE_MODIFIER "x\r\n", size);

  for (gsize i = 0; i < size; i++)
    {
      guint64 at = offset + i;
      char c = 'x';

      if (at < sizeof prefix - 1)
        c = prefix[at];
      else if (at >= raw->huge_total - (sizeof suffix - 1))
        c = suffix[at - (raw->huge_total - (sizeof suffix - 1))];
      g_string_append_c (piece, c);
    }

  if (raw->chunked)
    g_string_append (piece, "\r\n");

  raw->huge_left -= size;
  if (raw->huge_left == 0 && raw->chunked)
    g_string_append (piece, "0\r\n\r\n");

  *body_bytes = size;
  return g_string_free_to_bytes (piece);
}

static void
raw_write_next (SimRaw *raw)
{
  if (raw->head != NULL)
    {
      g_autoptr(GBytes) head = g_steal_pointer (&raw->head);

      raw_write (raw, head, 0);
      return;
    }

  if (raw->body != NULL)
    {
      g_autoptr(GBytes) body = g_steal_pointer (&raw->body);

      raw_write (raw, body, g_bytes_get_size (body));
      return;
    }

  if (raw->huge_left > 0)
    {
      gsize body_bytes = 0;
      g_autoptr(GBytes) piece = huge_piece (raw, &body_bytes);

      raw_write (raw, piece, body_bytes);
      return;
    }

  raw_finish (raw);
}

static GBytes *
raw_head (guint              status,
          const char        *content_type,
          GPtrArray         *headers,
          guint64            length,
          gboolean           chunked)
{
  const char *phrase = soup_status_get_phrase (status);
  GString *head = g_string_new (NULL);

  g_string_append_printf (head, "HTTP/1.1 %u %s\r\n", status, phrase != NULL ? phrase : "Status");
  g_string_append (head, "Server: calsync-sim\r\n");
  if (content_type != NULL)
    g_string_append_printf (head, "Content-Type: %s\r\n", content_type);
  if (chunked)
    g_string_append (head, "Transfer-Encoding: chunked\r\n");
  else
    g_string_append_printf (head, "Content-Length: %" G_GUINT64_FORMAT "\r\n", length);
  for (guint i = 0; headers != NULL && i + 1 < headers->len; i += 2)
    g_string_append_printf (head, "%s: %s\r\n", (const char *) g_ptr_array_index (headers, i),
                            (const char *) g_ptr_array_index (headers, i + 1));
  g_string_append (head, "Connection: close\r\n\r\n");

  return g_string_free_to_bytes (head);
}

/* Takes the connection from libsoup and writes the answer by hand, as the
 * cut, stall and huge-body knobs want it. */
static void
send_raw (CsSimServer       *self,
          CsSimServiceState *service,
          SoupServerMessage *msg,
          const CsSimFaults *faults,
          guint              status,
          const char        *content_type,
          GPtrArray         *headers,
          GBytes            *body)
{
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);
  gsize length = g_bytes_get_size (body);
  SimRaw *raw;

  if (stream == NULL)
    return;

  raw = g_new0 (SimRaw, 1);
  raw->service = service;
  raw->stream = g_steal_pointer (&stream);
  raw->cancellable = g_cancellable_new ();

  if (faults->huge_body_bytes > 0 && SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      raw->huge_total = raw->huge_left = MAX (faults->huge_body_bytes, (gsize) 16);
      raw->chunked = faults->huge_body_chunked;
      raw->head = raw_head (status, content_type, headers, raw->huge_total, raw->chunked);
    }
  else
    {
      gsize sent = length;

      if (faults->cut_after_bytes > 0)
        sent = MIN (length, faults->cut_after_bytes);
      if (faults->stall_body)
        {
          sent = MIN (length, faults->stall_after_bytes);
          raw->hold = TRUE;
        }

      /* The whole length is announced: the client knows what it lacks. */
      raw->head = raw_head (status, content_type, headers, length, FALSE);
      if (sent > 0)
        raw->body = g_bytes_new_from_bytes (body, 0, sent);
    }

  g_ptr_array_add (self->raw, raw);
  raw_write_next (raw);
}

/* Body faults */

/* The body the body knob puts in place of the answer's. */
static GBytes *
replaced_body (CsSimServiceState *service,
               CsSimBody          kind,
               guint              status)
{
  switch (kind)
    {
    case CS_SIM_BODY_EMPTY:
      return g_bytes_new_static ("", 0);

    case CS_SIM_BODY_NULL:
      return g_bytes_new_static ("null", 4);

    case CS_SIM_BODY_GARBAGE:
      {
        guint8 *bytes = g_malloc (4096);

        for (guint i = 0; i < 4096; i++)
          bytes[i] = (guint8) g_rand_int_range (service->rand, 0, 256);
        /* At least one NUL and one byte that is never UTF-8. */
        bytes[7] = 0x00;
        bytes[8] = 0xff;
        return g_bytes_new_take (bytes, 4096);
      }

    case CS_SIM_BODY_DEEP:
      {
        char *text = g_malloc (2 * CS_SIM_DEEP_LEVELS);

        memset (text, '[', CS_SIM_DEEP_LEVELS);
        memset (text + CS_SIM_DEEP_LEVELS, ']', CS_SIM_DEEP_LEVELS);
        return g_bytes_new_take (text, 2 * CS_SIM_DEEP_LEVELS);
      }

    case CS_SIM_BODY_HTML:
      return non_json_page (status);

    case CS_SIM_BODY_AS_IS:
    default:
      g_return_val_if_reached (NULL);
    }
}


static GBytes *
non_json_page (guint status)
{
  const char *phrase = soup_status_get_phrase (status);
  char *page;

  if (phrase == NULL)
    phrase = "Error";

  page = g_strdup_printf ("<!DOCTYPE html>\n<html><head><title>%u %s</title></head>\n"
                          "<body><center><h1>%u %s</h1></center><hr>"
                          "<center>nginx</center></body></html>\n",
                          status, phrase, status, phrase);

  return g_bytes_new_take (page, strlen (page));
}

/* Pads a JSON object to @size bytes with a `_padding` member: the body
 * stays valid JSON, only too large. */
static GBytes *
pad_object (GBytes *body,
            gsize   size)
{
  static const char member[] = "\"_padding\":\"";
  gsize length;
  const char *data = g_bytes_get_data (body, &length);
  GString *padded;
  gsize fill, overhead;
  gboolean empty;

  if (length < 2 || data[0] != '{' || data[length - 1] != '}' || length >= size)
    return g_bytes_ref (body);

  /* The closing brace is written again after the new member. */
  empty = length == 2;
  overhead = (empty ? 0 : 1) + strlen (member) + 2;
  fill = size > length - 1 + overhead ? size - (length - 1) - overhead : 0;

  padded = g_string_sized_new (size + 1);
  g_string_append_len (padded, data, length - 1);
  if (!empty)
    g_string_append_c (padded, ',');
  g_string_append (padded, member);
  for (gsize i = 0; i < fill; i++)
    g_string_append_c (padded, 'x');
  g_string_append (padded, "\"}");

  return g_string_free_to_bytes (padded);
}

/* Request handling */

static void
service_error (CsSimServer *self,
               CsSimCall   *request,
               CsSimReply  *reply,
               guint        status)
{
  if (request->service == CS_SIM_SERVICE_CALCOM)
    _cs_sim_calcom_error (self, request, reply, status, NULL);
  else
    _cs_sim_backend_error (reply, status, NULL, NULL);
}

static CsSimRequest *
record_request (CsSimServer       *self,
                CsSimServiceState *service,
                CsSimCall         *request)
{
  g_autofree char *endpoint = NULL;
  SoupMessageHeadersIter iter;
  const char *name, *value;
  CsSimRequest *record;
  gpointer count;

  if (request->endpoint != CS_SIM_ENDPOINT_UNKNOWN)
    endpoint = g_strdup (endpoint_names[request->endpoint]);
  else
    endpoint = g_strdup_printf ("%s %s", request->method, request->path);

  service->n_requests++;
  count = g_hash_table_lookup (self->counts, endpoint);
  g_hash_table_replace (self->counts, g_strdup (endpoint),
                        GUINT_TO_POINTER (GPOINTER_TO_UINT (count) + 1));

  if (!self->record_requests)
    return NULL;

  record = g_new0 (CsSimRequest, 1);
  record->service = request->service;
  record->endpoint = g_steal_pointer (&endpoint);
  record->method = g_strdup (request->method);
  record->path = g_strdup (request->path);
  record->query = g_strdup (request->raw_query);
  record->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  record->body = request->body != NULL ? g_bytes_ref (request->body) : NULL;
  record->time = cs_clock_get_now (self->clock);

  soup_message_headers_iter_init (&iter, request->headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      if (g_ascii_strcasecmp (name, "Authorization") == 0)
        value = REDACTED;
      soup_message_headers_append (record->headers, name, value);
    }

  g_ptr_array_add (self->requests, record);

  return record;
}

static void
process (CsSimServer       *self,
         CsSimServiceState *service,
         CsSimFaults       *faults,
         CsSimCall         *request,
         CsSimReply        *reply)
{
  CsTime now = cs_clock_get_now (self->clock);

  if (faults->downtime_until > faults->downtime_from &&
      now >= faults->downtime_from && now < faults->downtime_until)
    {
      if (faults->downtime_drop)
        reply->drop = TRUE;
      else
        service_error (self, request, reply, SOUP_STATUS_SERVICE_UNAVAILABLE);
      return;
    }

  if (faults->force_status != 0)
    {
      service_error (self, request, reply, faults->force_status);
      return;
    }

  if (faults->storm_429 > 0)
    {
      faults->storm_429--;
      service_error (self, request, reply, 429);
      if (faults->storm_retry_after > 0)
        {
          g_autofree char *seconds = g_strdup_printf ("%u", faults->storm_retry_after);

          _cs_sim_reply_add_header (reply, "Retry-After", seconds);
        }
      return;
    }

  if (faults->error_rate > 0 && g_rand_double (service->rand) < faults->error_rate)
    {
      service_error (self, request, reply, SOUP_STATUS_INTERNAL_SERVER_ERROR);
      return;
    }

  if (faults->redirect_to != NULL)
    {
      g_autofree char *location = g_strconcat (faults->redirect_to, request->path,
                                               request->raw_query != NULL ? "?" : "",
                                               request->raw_query, NULL);

      reply->status = SOUP_STATUS_TEMPORARY_REDIRECT;
      reply->raw = g_bytes_new_static ("", 0);
      reply->content_type = NULL;
      _cs_sim_reply_add_header (reply, "Location", location);
      return;
    }

  if (request->service == CS_SIM_SERVICE_CALCOM)
    _cs_sim_calcom_handle (self, request, reply);
  else
    _cs_sim_backend_handle (self, request, reply);
}

static void
drop_connection (SoupServerMessage *msg)
{
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);

  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
}

static void
send_reply (CsSimServer       *self,
            CsSimServiceState *service,
            const CsSimFaults *faults,
            SoupServerMessage *msg,
            CsSimReply        *reply)
{
  const char *content_type = reply->content_type;
  guint status = reply->status;
  g_autoptr(GBytes) body = NULL;
  SimPending *pending;

  if (reply->drop)
    {
      drop_connection (msg);
      return;
    }

  /* Paused for good: the client waits until it gives up, and the answer
   * is let go when the server stops (or "finished" says it is gone). */
  if (reply->hold)
    {
      pending = g_new0 (SimPending, 1);
      pending->self = self;
      pending->msg = g_object_ref (msg);
      pending->held = TRUE;
      g_ptr_array_add (self->pending, pending);
      soup_server_message_pause (msg);
      pending->finished_id = g_signal_connect (msg, "finished",
                                               G_CALLBACK (pending_finished_cb), pending);
      return;
    }

  _cs_sim_reply_freeze (reply);
  body = reply->raw != NULL ? g_bytes_ref (reply->raw) : g_bytes_new_static ("", 0);

  if (faults->non_json_status != 0)
    {
      g_clear_pointer (&body, g_bytes_unref);
      body = non_json_page (faults->non_json_status);
      status = faults->non_json_status;
      content_type = "text/html; charset=utf-8";
    }
  else
    {
      if (faults->oversize_bytes > 0)
        {
          GBytes *padded = pad_object (body, faults->oversize_bytes);

          g_bytes_unref (body);
          body = padded;
        }

      if (faults->truncate_body)
        {
          GBytes *half = g_bytes_new_from_bytes (body, 0, g_bytes_get_size (body) / 2);

          g_bytes_unref (body);
          body = half;
        }

      if (faults->body != CS_SIM_BODY_AS_IS)
        {
          g_bytes_unref (body);
          body = replaced_body (service, faults->body, status);
        }
    }

  if (faults->content_type != NULL)
    content_type = faults->content_type;

  if (faults->cut_after_bytes > 0 || faults->stall_body || faults->huge_body_bytes > 0)
    {
      send_raw (self, service, msg, faults, status, content_type, reply->headers, body);
      return;
    }

  if (faults->latency_ms == 0 && faults->slow_body_delay_ms == 0)
    {
      write_head (msg, status, content_type, reply->headers);
      /* libsoup refuses to append nothing: an empty body is just none. */
      if (g_bytes_get_size (body) > 0)
        soup_message_body_append_bytes (soup_server_message_get_response_body (msg), body);
      return;
    }

  pending = g_new0 (SimPending, 1);
  pending->self = self;
  pending->service = service;
  pending->msg = g_object_ref (msg);
  pending->status = status;
  pending->content_type = content_type;
  pending->headers = g_steal_pointer (&reply->headers);
  pending->body = g_steal_pointer (&body);
  pending->delay_ms = faults->slow_body_delay_ms;
  pending->chunk_bytes = faults->slow_body_chunk_bytes > 0 ? faults->slow_body_chunk_bytes : 256;
  g_ptr_array_add (self->pending, pending);

  soup_server_message_pause (msg);
  pending->finished_id = g_signal_connect (msg, "finished",
                                           G_CALLBACK (pending_finished_cb), pending);

  if (faults->latency_ms > 0)
    pending_schedule (pending, faults->latency_ms, pending_start_cb);
  else
    pending_start_cb (pending);
}

static void
server_callback (SoupServer        *soup,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  CsSimServiceState *service = user_data;
  CsSimServer *self = service->self;
  CsSimCall request = { 0, };
  CsSimReply reply = { 0, };
  CsSimFaults none;
  CsSimFaults *faults = &service->faults;
  CsSimRequest *record;

  g_assert (CS_IS_SIM_SERVER (self));

  request.service = service->id;
  request.method = soup_server_message_get_method (msg);
  request.path = path;
  request.raw_query = g_uri_get_query (soup_server_message_get_uri (msg));
  request.query = query;
  request.headers = soup_server_message_get_request_headers (msg);
  request.body = soup_message_body_flatten (soup_server_message_get_request_body (msg));

  /* The first skip_requests requests after the knobs were set pass
   * untouched: a fault that strikes in the middle of a listing. */
  if (service->n_faulted++ < faults->skip_requests)
    {
      cs_sim_faults_init (&none);
      faults = &none;
    }
  request.faults = faults;

  if (service->id == CS_SIM_SERVICE_CALCOM)
    _cs_sim_calcom_route (&request);
  else
    _cs_sim_backend_route (&request);

  /* Keep the object alive through a handler that drops the last test ref. */
  g_object_ref (self);

  record = record_request (self, service, &request);
  process (self, service, faults, &request, &reply);

  /* The one-shot fault of replay tests: the work is done, the answer is
   * lost on the way. */
  if (self->hold_countdown > 0 && --self->hold_countdown == 0)
    reply.hold = TRUE;
  else if (self->drop_method != NULL && g_str_equal (self->drop_method, request.method) &&
      g_str_has_prefix (request.path, self->drop_path_prefix))
    {
      g_clear_pointer (&self->drop_method, g_free);
      g_clear_pointer (&self->drop_path_prefix, g_free);
      reply.drop = TRUE;
    }
  else if (self->hold_method != NULL && g_str_equal (self->hold_method, request.method) &&
           g_str_has_prefix (request.path, self->hold_path_prefix))
    {
      g_clear_pointer (&self->hold_method, g_free);
      g_clear_pointer (&self->hold_path_prefix, g_free);
      reply.hold = TRUE;
    }
  if (record != NULL)
    record->status = reply.drop || reply.hold ? 0 : reply.status;

  g_debug ("%s %s %s -> %u", cs_sim_service_to_string (service->id), request.method,
           request.path, reply.drop ? 0 : reply.status);

  send_reply (self, service, faults, msg, &reply);

  _cs_sim_reply_clear (&reply);
  g_clear_pointer (&request.body, g_bytes_unref);
  g_clear_pointer (&request.arg, g_free);
  g_object_unref (self);
}

/* GObject */

static void
cs_sim_server_dispose (GObject *object)
{
  CsSimServer *self = CS_SIM_SERVER (object);

  cs_sim_server_stop (self);

  G_OBJECT_CLASS (cs_sim_server_parent_class)->dispose (object);
}

static void
cs_sim_server_finalize (GObject *object)
{
  CsSimServer *self = CS_SIM_SERVER (object);

  for (guint i = 0; i <= CS_SIM_SERVICE_LAST; i++)
    g_clear_pointer (&self->services[i].rand, g_rand_free);

  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_pointer (&self->raw, g_ptr_array_unref);
  g_clear_object (&self->tls_certificate);
  g_clear_pointer (&self->counts, g_hash_table_unref);
  g_clear_pointer (&self->requests, g_ptr_array_unref);
  g_clear_pointer (&self->created_bookings, g_ptr_array_unref);
  g_clear_pointer (&self->cancelled_uids, g_ptr_array_unref);
  g_clear_pointer (&self->rescheduled_uids, g_ptr_array_unref);
  g_clear_pointer (&self->reschedules, g_hash_table_unref);
  g_clear_pointer (&self->drop_method, g_free);
  g_clear_pointer (&self->drop_path_prefix, g_free);
  g_clear_pointer (&self->hold_method, g_free);
  g_clear_pointer (&self->hold_path_prefix, g_free);
  g_clear_pointer (&self->created_appointments, g_array_unref);
  g_clear_pointer (&self->cancelled_appointments, g_array_unref);
  g_clear_pointer (&self->patches, g_hash_table_unref);
  g_clear_pointer (&self->sync_updates, g_hash_table_unref);
  g_clear_pointer (&self->audit_keys, g_ptr_array_unref);
  g_clear_pointer (&self->audit_entries, g_ptr_array_unref);
  g_clear_pointer (&self->audit_seen, g_hash_table_unref);
  g_clear_pointer (&self->idempotency, g_hash_table_unref);
  g_clear_pointer (&self->calcom_api_key, g_free);
  g_clear_pointer (&self->backend_token, g_free);
  g_clear_pointer (&self->role, g_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->dataset);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (cs_sim_server_parent_class)->finalize (object);
}

static void
cs_sim_server_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CsSimServer *self = CS_SIM_SERVER (object);

  switch (prop_id)
    {
    case PROP_CLOCK:
      g_value_set_object (value, self->clock);
      break;

    case PROP_DATASET:
      g_value_set_object (value, self->dataset);
      break;

    case PROP_ROLE:
      g_value_set_string (value, self->role);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_sim_server_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  CsSimServer *self = CS_SIM_SERVER (object);

  switch (prop_id)
    {
    case PROP_CLOCK:
      self->clock = g_value_dup_object (value);
      break;

    case PROP_DATASET:
      self->dataset = g_value_dup_object (value);
      break;

    case PROP_ROLE:
      cs_sim_server_set_role (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_sim_server_constructed (GObject *object)
{
  CsSimServer *self = CS_SIM_SERVER (object);
  const CsSimDatasetConfig *config;

  G_OBJECT_CLASS (cs_sim_server_parent_class)->constructed (object);

  g_assert (CS_IS_CLOCK (self->clock));
  g_assert (CS_IS_SIM_DATASET (self->dataset));

  config = cs_sim_dataset_get_config (self->dataset);
  self->company_id = config->company_id;
  self->calcom_api_key = g_strdup_printf ("cal_test_sim_%u", config->seed);
  self->backend_token = g_strdup_printf ("sim_backend_%u", config->seed);
  cs_sim_server_set_fault_seed (self, config->seed);
}

static void
cs_sim_server_class_init (CsSimServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = cs_sim_server_constructed;
  object_class->dispose = cs_sim_server_dispose;
  object_class->finalize = cs_sim_server_finalize;
  object_class->get_property = cs_sim_server_get_property;
  object_class->set_property = cs_sim_server_set_property;

  /**
   * CsSimServer:clock:
   *
   * The clock of rate-limit and downtime windows and of the rows' stamps.
   */
  properties[PROP_CLOCK] =
    g_param_spec_object ("clock", NULL, NULL,
                         CS_TYPE_CLOCK,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * CsSimServer:dataset:
   *
   * The data both services serve and change.
   */
  properties[PROP_DATASET] =
    g_param_spec_object ("dataset", NULL, NULL,
                         CS_TYPE_SIM_DATASET,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * CsSimServer:role:
   *
   * The role of the backend token's user: `admin`, `manager` or `staff`
   * (whose writes are refused with 403).
   */
  properties[PROP_ROLE] =
    g_param_spec_string ("role", NULL, NULL,
                         "admin",
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_sim_server_init (CsSimServer *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->role = g_strdup ("admin");
  self->record_requests = TRUE;
  cs_sim_rate_limit_init (&self->rate_limit);
  self->rate_window_start = CS_TIME_UNSET;
  self->rate_blocked_until = CS_TIME_UNSET;

  for (guint i = 0; i <= CS_SIM_SERVICE_LAST; i++)
    {
      self->services[i].self = self;
      self->services[i].id = (CsSimService) i;
    }

  self->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->requests = g_ptr_array_new_with_free_func (cs_sim_request_free);
  self->pending = g_ptr_array_new_with_free_func (pending_free);
  self->raw = g_ptr_array_new_with_free_func (raw_free);
  self->created_bookings = g_ptr_array_new_with_free_func (g_free);
  self->cancelled_uids = g_ptr_array_new_with_free_func (g_free);
  self->rescheduled_uids = g_ptr_array_new_with_free_func (g_free);
  self->reschedules = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->created_appointments = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->cancelled_appointments = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->patches = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                         (GDestroyNotify) json_object_unref);
  self->sync_updates = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                              (GDestroyNotify) json_object_unref);
  self->audit_keys = g_ptr_array_new_with_free_func (g_free);
  self->audit_entries = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  self->audit_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->idempotency = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) _cs_sim_cached_reply_free);
}

/* Public API */

/**
 * cs_sim_server_new:
 * @clock: the simulated time (a #CsManualClock in tests)
 * @dataset: the data to serve
 *
 * Makes a simulator, not yet listening: see cs_sim_server_start(). Its
 * timers and sockets use the thread-default main context of this call.
 *
 * Returns: (transfer full): a new simulator
 */
CsSimServer *
cs_sim_server_new (CsClock      *clock,
                   CsSimDataset *dataset)
{
  g_return_val_if_fail (CS_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (CS_IS_SIM_DATASET (dataset), NULL);

  return g_object_new (CS_TYPE_SIM_SERVER,
                       "clock", clock,
                       "dataset", dataset,
                       NULL);
}

/**
 * cs_sim_server_start:
 * @self: a simulator
 * @calcom_port: the Cal.com port, or 0 for any free port
 * @backend_port: the backend port, or 0 for any free port
 * @error: return location for a socket error
 *
 * Starts listening on 127.0.0.1.
 *
 * Returns: %TRUE if both services listen
 */
gboolean
cs_sim_server_start (CsSimServer  *self,
                     guint         calcom_port,
                     guint         backend_port,
                     GError      **error)
{
  guint ports[] = { calcom_port, backend_port };
  const char *scheme;

  g_return_val_if_fail (CS_IS_SIM_SERVER (self), FALSE);
  g_return_val_if_fail (!cs_sim_server_is_running (self), FALSE);
  g_return_val_if_fail (calcom_port <= G_MAXUINT16 && backend_port <= G_MAXUINT16, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  scheme = self->tls_certificate != NULL ? "https" : "http";
  for (guint i = 0; i <= CS_SIM_SERVICE_LAST; i++)
    {
      CsSimServiceState *service = &self->services[i];
      GSList *uris;

      service->soup = soup_server_new ("server-header", "calsync-sim ",
                                       "tls-certificate", self->tls_certificate,
                                       NULL);
      soup_server_add_handler (service->soup, NULL, server_callback, service, NULL);

      if (!soup_server_listen_local (service->soup, ports[i],
                                     SOUP_SERVER_LISTEN_IPV4_ONLY |
                                     (self->tls_certificate != NULL ? SOUP_SERVER_LISTEN_HTTPS : 0),
                                     error))
        {
          cs_sim_server_stop (self);
          return FALSE;
        }

      uris = soup_server_get_uris (service->soup);
      g_assert (uris != NULL);
      service->port = (guint) g_uri_get_port (uris->data);
      g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

      g_free (service->base_url);
      if (service->id == CS_SIM_SERVICE_CALCOM)
        service->base_url = g_strdup_printf ("%s://127.0.0.1:%u/v2", scheme, service->port);
      else
        service->base_url = g_strdup_printf ("%s://127.0.0.1:%u", scheme, service->port);
    }

  return TRUE;
}

/**
 * cs_sim_server_stop:
 * @self: a simulator
 *
 * Stops listening and drops the answers not yet sent. The state (dataset,
 * counters, records) stays.
 */
void
cs_sim_server_stop (CsSimServer *self)
{
  g_return_if_fail (CS_IS_SIM_SERVER (self));

  if (self->pending != NULL)
    g_ptr_array_set_size (self->pending, 0);
  if (self->raw != NULL)
    g_ptr_array_set_size (self->raw, 0);

  for (guint i = 0; i <= CS_SIM_SERVICE_LAST; i++)
    {
      CsSimServiceState *service = &self->services[i];

      if (service->soup != NULL)
        {
          soup_server_disconnect (service->soup);
          g_clear_object (&service->soup);
        }
      g_clear_pointer (&service->base_url, g_free);
      service->port = 0;
    }
}

/**
 * cs_sim_server_is_running:
 * @self: a simulator
 *
 * Returns: %TRUE between a successful start and a stop
 */
gboolean
cs_sim_server_is_running (CsSimServer *self)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), FALSE);

  return self->services[CS_SIM_SERVICE_CALCOM].soup != NULL;
}

/**
 * cs_sim_server_get_clock:
 * @self: a simulator
 *
 * Returns: (transfer none): its clock
 */
CsClock *
cs_sim_server_get_clock (CsSimServer *self)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), NULL);

  return self->clock;
}

/**
 * cs_sim_server_get_dataset:
 * @self: a simulator
 *
 * Returns: (transfer none): its data, which tests may change at any time
 */
CsSimDataset *
cs_sim_server_get_dataset (CsSimServer *self)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), NULL);

  return self->dataset;
}

/**
 * cs_sim_server_get_calcom_url:
 * @self: a running simulator
 *
 * Returns: (nullable): the Cal.com base URL, `http://127.0.0.1:P/v2`
 *   (clients append `/bookings`, `/me`), or %NULL when stopped
 */
const char *
cs_sim_server_get_calcom_url (CsSimServer *self)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), NULL);

  return self->services[CS_SIM_SERVICE_CALCOM].base_url;
}

/**
 * cs_sim_server_get_backend_url:
 * @self: a running simulator
 *
 * Returns: (nullable): the backend base URL, `http://127.0.0.1:Q` (clients
 *   append `/api/v1/…`), or %NULL when stopped
 */
const char *
cs_sim_server_get_backend_url (CsSimServer *self)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), NULL);

  return self->services[CS_SIM_SERVICE_BACKEND].base_url;
}

/**
 * cs_sim_server_get_port:
 * @self: a running simulator
 * @service: a service
 *
 * Returns: the port @service listens on, or 0 when stopped
 */
guint
cs_sim_server_get_port (CsSimServer  *self,
                        CsSimService  service)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), 0);
  g_return_val_if_fail (service <= CS_SIM_SERVICE_LAST, 0);

  return self->services[service].port;
}

/**
 * cs_sim_server_get_calcom_api_key:
 * @self: a simulator
 *
 * Returns: the API key Cal.com accepts (`cal_test_sim_<seed>` by default)
 */
const char *
cs_sim_server_get_calcom_api_key (CsSimServer *self)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), NULL);

  return self->calcom_api_key;
}

/**
 * cs_sim_server_set_calcom_api_key:
 * @self: a simulator
 * @api_key: the API key Cal.com accepts from now on
 */
void
cs_sim_server_set_calcom_api_key (CsSimServer *self,
                                  const char  *api_key)
{
  g_return_if_fail (CS_IS_SIM_SERVER (self));
  g_return_if_fail (api_key != NULL && api_key[0] != '\0');

  g_free (self->calcom_api_key);
  self->calcom_api_key = g_strdup (api_key);
}

/**
 * cs_sim_server_get_backend_token:
 * @self: a simulator
 *
 * Returns: the bearer token the backend accepts (`sim_backend_<seed>` by
 *   default)
 */
const char *
cs_sim_server_get_backend_token (CsSimServer *self)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), NULL);

  return self->backend_token;
}

/**
 * cs_sim_server_set_backend_token:
 * @self: a simulator
 * @token: the bearer token the backend accepts from now on
 */
void
cs_sim_server_set_backend_token (CsSimServer *self,
                                 const char  *token)
{
  g_return_if_fail (CS_IS_SIM_SERVER (self));
  g_return_if_fail (token != NULL && token[0] != '\0');

  g_free (self->backend_token);
  self->backend_token = g_strdup (token);
}

/**
 * cs_sim_server_get_role:
 * @self: a simulator
 *
 * Returns: the role `/api/v1/me` reports
 */
const char *
cs_sim_server_get_role (CsSimServer *self)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), NULL);

  return self->role;
}

/**
 * cs_sim_server_set_role:
 * @self: a simulator
 * @role: `admin`, `manager` or `staff`
 *
 * Sets the role of the backend token's user; `staff` gets 403 on every
 * backend write.
 */
void
cs_sim_server_set_role (CsSimServer *self,
                        const char  *role)
{
  g_return_if_fail (CS_IS_SIM_SERVER (self));
  g_return_if_fail (role != NULL);

  if (g_strcmp0 (self->role, role) == 0)
    return;

  g_free (self->role);
  self->role = g_strdup (role);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROLE]);
}

/**
 * cs_sim_server_get_company_id:
 * @self: a simulator
 *
 * Returns: the company of the backend token's user
 */
gint64
cs_sim_server_get_company_id (CsSimServer *self)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), 0);

  return self->company_id;
}

/**
 * cs_sim_server_set_company_id:
 * @self: a simulator
 * @company_id: a company id
 *
 * Changes the company `/api/v1/me` reports and the single-row endpoints
 * serve (the list serves every company's rows on purpose).
 */
void
cs_sim_server_set_company_id (CsSimServer *self,
                              gint64       company_id)
{
  g_return_if_fail (CS_IS_SIM_SERVER (self));
  g_return_if_fail (company_id > 0);

  self->company_id = company_id;
}

/**
 * cs_sim_server_get_faults:
 * @self: a simulator
 * @service: a service
 * @faults: (out caller-allocates): its current fault knobs (a storm's
 *   remaining count included)
 */
void
cs_sim_server_get_faults (CsSimServer  *self,
                          CsSimService  service,
                          CsSimFaults  *faults)
{
  g_return_if_fail (CS_IS_SIM_SERVER (self));
  g_return_if_fail (service <= CS_SIM_SERVICE_LAST);
  g_return_if_fail (faults != NULL);

  *faults = self->services[service].faults;
}

/**
 * cs_sim_server_set_faults:
 * @self: a simulator
 * @service: a service
 * @faults: the knobs for the next requests of @service
 *
 * May be called at any time; answers already delayed keep their knobs.
 */
void
cs_sim_server_set_faults (CsSimServer       *self,
                          CsSimService       service,
                          const CsSimFaults *faults)
{
  g_return_if_fail (CS_IS_SIM_SERVER (self));
  g_return_if_fail (service <= CS_SIM_SERVICE_LAST);
  g_return_if_fail (faults != NULL);

  self->services[service].faults = *faults;
  self->services[service].list_pages = 0;
  self->services[service].n_faulted = 0;
}

/**
 * _cs_sim_server_list_page_answered:
 * @self: a simulator
 * @service: the service that answered
 * @first_page: whether the answer was a listing's first page
 * @answered: (element-type CsSimBooking or CsSimAppointment): the rows of
 *   the answer, in its order
 *
 * Called after a list page is answered: applies the drift knobs
 * (#CsSimFaults:drift_after_page). Rows vanish from the end of the page
 * just answered or appear in front of it, so every page after it shifts,
 * as when bookings are deleted or moved in the window while a client reads.
 */
void
_cs_sim_server_list_page_answered (CsSimServer  *self,
                                   CsSimService  service,
                                   gboolean      first_page,
                                   GPtrArray    *answered)
{
  CsSimServiceState *state = &self->services[service];
  CsSimFaults *faults = &state->faults;
  guint n;

  if (first_page)
    state->list_pages = 0;
  state->list_pages++;

  if (faults->drift_after_page == 0 || faults->drift_rows == 0 ||
      state->list_pages != faults->drift_after_page || answered->len == 0)
    return;

  n = (guint) ABS (faults->drift_rows);
  g_debug ("Simulated %s listing moves after page %u: %s %u rows",
           cs_sim_service_to_string (service), state->list_pages,
           faults->drift_rows < 0 ? "deleting" : "adding", n);

  if (faults->drift_rows < 0)
    {
      /* The page's last rows, from the end: the rows after them move up. */
      for (guint i = 0; i < n && i < answered->len; i++)
        {
          gpointer row = g_ptr_array_index (answered, answered->len - 1 - i);

          if (service == CS_SIM_SERVICE_CALCOM)
            cs_sim_dataset_vanish_booking (self->dataset, ((CsSimBooking *) row)->booking->uid);
          else
            cs_sim_dataset_vanish_appointment (self->dataset,
                                               ((CsSimAppointment *) row)->appointment->id);
        }
    }
  else
    {
      /* New rows in front of the page (its last row may be read again, as
       * the first of the next page): the rows after them move down. */
      gpointer first = g_ptr_array_index (answered, 0);

      for (guint i = 0; i < n; i++)
        {
          if (service == CS_SIM_SERVICE_CALCOM)
            cs_sim_dataset_add_stray_booking (self->dataset, first);
          else
            cs_sim_dataset_add_stray_appointment (self->dataset,
                                                  ((CsSimAppointment *) first)->appointment);
        }
    }

  if (!faults->drift_every_listing)
    faults->drift_rows = 0;
}

/**
 * cs_sim_server_clear_faults:
 * @self: a simulator
 * @service: a service
 *
 * Turns every fault knob of @service off.
 */
void
cs_sim_server_clear_faults (CsSimServer  *self,
                            CsSimService  service)
{
  g_return_if_fail (CS_IS_SIM_SERVER (self));
  g_return_if_fail (service <= CS_SIM_SERVICE_LAST);

  cs_sim_faults_init (&self->services[service].faults);
  self->services[service].n_faulted = 0;
}

/**
 * cs_sim_server_set_fault_seed:
 * @self: a simulator
 * @seed: a seed
 *
 * Restarts the draws of the error rates (seeded by the dataset's seed at
 * first), so a test sees the same failures every run.
 */
void
cs_sim_server_set_fault_seed (CsSimServer *self,
                              guint32      seed)
{
  g_return_if_fail (CS_IS_SIM_SERVER (self));

  for (guint i = 0; i <= CS_SIM_SERVICE_LAST; i++)
    {
      g_clear_pointer (&self->services[i].rand, g_rand_free);
      self->services[i].rand = g_rand_new_with_seed (seed * 2654435761u + i);
    }
}

/**
 * cs_sim_server_get_rate_limit:
 * @self: a simulator
 * @limit: (out caller-allocates): Cal.com's rate limit
 */
void
cs_sim_server_get_rate_limit (CsSimServer    *self,
                              CsSimRateLimit *limit)
{
  g_return_if_fail (CS_IS_SIM_SERVER (self));
  g_return_if_fail (limit != NULL);

  *limit = self->rate_limit;
}

/**
 * cs_sim_server_set_rate_limit:
 * @self: a simulator
 * @limit: Cal.com's rate limit
 *
 * Sets the limit and starts a fresh window at the next request.
 */
void
cs_sim_server_set_rate_limit (CsSimServer          *self,
                              const CsSimRateLimit *limit)
{
  g_return_if_fail (CS_IS_SIM_SERVER (self));
  g_return_if_fail (limit != NULL);
  g_return_if_fail (!limit->enabled || (limit->limit > 0 && limit->window_seconds > 0));

  self->rate_limit = *limit;
  self->rate_window_start = CS_TIME_UNSET;
  self->rate_count = 0;
  self->rate_blocked_until = CS_TIME_UNSET;
}

/**
 * cs_sim_server_drop_next_answer:
 * @self: a simulator
 * @method: the HTTP method of the request to hit, e.g. `POST`
 * @path_prefix: the start of its path, e.g. `/v2/bookings` or
 *   `/api/v1/appointments`
 *
 * A one-shot fault for replay tests: the next request of either service
 * with @method and a path starting with @path_prefix is handled as usual
 * (a write takes effect, and is recorded) and then the connection is closed
 * without an answer, so the client sees a network error although the server
 * did the work. Calling it again replaces the pending one.
 */
void
cs_sim_server_drop_next_answer (CsSimServer *self,
                                const char  *method,
                                const char  *path_prefix)
{
  g_return_if_fail (CS_IS_SIM_SERVER (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (path_prefix != NULL);

  g_free (self->drop_method);
  g_free (self->drop_path_prefix);
  self->drop_method = g_strdup (method);
  self->drop_path_prefix = g_strdup (path_prefix);
}

/**
 * cs_sim_server_hold_next_answer:
 * @self: a simulator
 * @method: the HTTP method of the request to hit, e.g. `PATCH`
 * @path_prefix: the start of its path, e.g. `/api/v1/appointments`
 *
 * A one-shot fault for crash tests: the next request of either service
 * with @method and a path starting with @path_prefix is handled as usual
 * (a write takes effect, and is recorded) and its answer is never sent.
 * Once cs_sim_server_get_n_held() counts it, the client is known to be in
 * the middle of that request: a test may kill it there, deterministically.
 * Calling it again replaces the pending one.
 */
void
cs_sim_server_hold_next_answer (CsSimServer *self,
                                const char  *method,
                                const char  *path_prefix)
{
  g_return_if_fail (CS_IS_SIM_SERVER (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (path_prefix != NULL);

  g_free (self->hold_method);
  g_free (self->hold_path_prefix);
  self->hold_method = g_strdup (method);
  self->hold_path_prefix = g_strdup (path_prefix);
}

/**
 * cs_sim_server_hold_nth_answer:
 * @self: a simulator
 * @n: which request, counted from this call (1: the next one), or 0 to
 *   hold none
 *
 * A one-shot fault for crash tests that walk through a client's run: the
 * @n-th request from now, of either service and whatever it asks, is
 * handled as usual (a write takes effect, and is recorded) and its answer is
 * never sent, as with cs_sim_server_hold_next_answer(). A test that draws @n
 * up to the number of requests a run makes can kill the client in the
 * middle of any of them, without timing. Calling it again replaces the
 * pending one.
 */
void
cs_sim_server_hold_nth_answer (CsSimServer *self,
                               guint        n)
{
  g_return_if_fail (CS_IS_SIM_SERVER (self));

  self->hold_countdown = n;
}

/**
 * cs_sim_server_get_n_held:
 * @self: a simulator
 *
 * Returns: the answers held by cs_sim_server_hold_next_answer() since the
 *   server started (a client that goes away may not be noticed while its
 *   answer is held: they are let go when the server stops)
 */
guint
cs_sim_server_get_n_held (CsSimServer *self)
{
  guint n = 0;

  g_return_val_if_fail (CS_IS_SIM_SERVER (self), 0);

  for (guint i = 0; self->pending != NULL && i < self->pending->len; i++)
    if (((SimPending *) g_ptr_array_index (self->pending, i))->held)
      n++;

  return n;
}

/**
 * cs_sim_server_get_request_count:
 * @self: a simulator
 * @endpoint: an endpoint name such as %CS_SIM_CALCOM_LIST
 *
 * Returns: the requests for @endpoint since the last reset, whatever they
 *   were answered
 */
guint
cs_sim_server_get_request_count (CsSimServer *self,
                                 const char  *endpoint)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), 0);
  g_return_val_if_fail (endpoint != NULL, 0);

  return GPOINTER_TO_UINT (g_hash_table_lookup (self->counts, endpoint));
}

/**
 * cs_sim_server_get_service_request_count:
 * @self: a simulator
 * @service: a service
 *
 * Returns: all requests @service received since the last reset
 */
guint
cs_sim_server_get_service_request_count (CsSimServer  *self,
                                         CsSimService  service)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), 0);
  g_return_val_if_fail (service <= CS_SIM_SERVICE_LAST, 0);

  return self->services[service].n_requests;
}

/**
 * cs_sim_server_get_requests:
 * @self: a simulator
 *
 * Returns: (transfer none) (element-type CsSimRequest): the requests
 *   received since the last reset, oldest first
 */
GPtrArray *
cs_sim_server_get_requests (CsSimServer *self)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), NULL);

  return self->requests;
}

/**
 * cs_sim_server_get_last_request:
 * @self: a simulator
 * @endpoint: (nullable): an endpoint name, or %NULL for any
 *
 * Returns: (transfer none) (nullable): the latest request recorded for
 *   @endpoint
 */
const CsSimRequest *
cs_sim_server_get_last_request (CsSimServer *self,
                                const char  *endpoint)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), NULL);

  for (guint i = self->requests->len; i > 0; i--)
    {
      const CsSimRequest *request = g_ptr_array_index (self->requests, i - 1);

      if (endpoint == NULL || g_str_equal (request->endpoint, endpoint))
        return request;
    }

  return NULL;
}

/**
 * cs_sim_server_set_record_requests:
 * @self: a simulator
 * @record: whether to keep every request (the default); counting goes on
 *   either way
 *
 * A long benchmark run may turn the request list off to save memory.
 */
void
cs_sim_server_set_record_requests (CsSimServer *self,
                                   gboolean     record)
{
  g_return_if_fail (CS_IS_SIM_SERVER (self));

  self->record_requests = !!record;
}

/**
 * cs_sim_server_get_n_pending:
 * @self: a simulator
 *
 * Returns: the answers held back by latency, being sent slowly, being
 *   written by hand, or stalled (a stalled answer stays until the server
 *   stops)
 */
guint
cs_sim_server_get_n_pending (CsSimServer *self)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), 0);

  return self->pending->len + self->raw->len;
}

/**
 * cs_sim_server_get_body_bytes_sent:
 * @self: a simulator
 * @service: a service
 *
 * Counts the body bytes of the answers sent in pieces: those the cut, stall
 * and huge-body knobs write by hand and the slow bodies' chunks
 * (#CsSimFaults), as they are handed on: a test of a huge body tells from
 * it whether the client stopped reading early, one of a slow body that the
 * body is still coming.
 *
 * Returns: the bytes sent so far
 */
guint64
cs_sim_server_get_body_bytes_sent (CsSimServer  *self,
                                   CsSimService  service)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), 0);
  g_return_val_if_fail (service <= CS_SIM_SERVICE_LAST, 0);

  return self->services[service].body_bytes_sent;
}

/**
 * cs_sim_server_set_tls_certificate:
 * @self: a simulator, not running
 * @certificate: (nullable): a certificate with its private key, or %NULL
 *   for plain HTTP
 *
 * Serves both services over HTTPS with @certificate from the next
 * cs_sim_server_start() on; the base URLs then start with `https://`. A
 * self-signed certificate is what a test of certificate checks wants: no
 * client may trust it.
 */
void
cs_sim_server_set_tls_certificate (CsSimServer     *self,
                                   GTlsCertificate *certificate)
{
  g_return_if_fail (CS_IS_SIM_SERVER (self));
  g_return_if_fail (!cs_sim_server_is_running (self));
  g_return_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate));

  g_set_object (&self->tls_certificate, certificate);
}

/**
 * cs_sim_server_reset_counters:
 * @self: a simulator
 *
 * Forgets the request counts and the recorded requests.
 */
void
cs_sim_server_reset_counters (CsSimServer *self)
{
  g_return_if_fail (CS_IS_SIM_SERVER (self));

  g_hash_table_remove_all (self->counts);
  g_ptr_array_set_size (self->requests, 0);
  for (guint i = 0; i <= CS_SIM_SERVICE_LAST; i++)
    self->services[i].n_requests = 0;
}

/**
 * cs_sim_server_get_created_bookings:
 * @self: a simulator
 *
 * Returns: (transfer none) (element-type utf8): the uids of the bookings
 *   created through `POST /v2/bookings`, in order
 */
GPtrArray *
cs_sim_server_get_created_bookings (CsSimServer *self)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), NULL);

  return self->created_bookings;
}

/**
 * cs_sim_server_get_cancelled_uids:
 * @self: a simulator
 *
 * Returns: (transfer none) (element-type utf8): the uids cancelled through
 *   `POST /v2/bookings/{uid}/cancel`, in order
 */
GPtrArray *
cs_sim_server_get_cancelled_uids (CsSimServer *self)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), NULL);

  return self->cancelled_uids;
}

/**
 * cs_sim_server_get_rescheduled_uids:
 * @self: a simulator
 *
 * Returns: (transfer none) (element-type utf8): the uids of the bookings
 *   rescheduled through `POST /v2/bookings/{uid}/reschedule`, in order
 */
GPtrArray *
cs_sim_server_get_rescheduled_uids (CsSimServer *self)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), NULL);

  return self->rescheduled_uids;
}

/**
 * cs_sim_server_lookup_reschedule:
 * @self: a simulator
 * @old_uid: the uid of a booking rescheduled through the API
 *
 * Returns: (nullable): the uid of the booking the reschedule made
 */
const char *
cs_sim_server_lookup_reschedule (CsSimServer *self,
                                 const char  *old_uid)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), NULL);
  g_return_val_if_fail (old_uid != NULL, NULL);

  return g_hash_table_lookup (self->reschedules, old_uid);
}

/**
 * cs_sim_server_get_created_appointments:
 * @self: a simulator
 *
 * Returns: (transfer none) (element-type gint64): the ids of appointments
 *   created through `POST /api/v1/appointments`, in order
 */
GArray *
cs_sim_server_get_created_appointments (CsSimServer *self)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), NULL);

  return self->created_appointments;
}

/**
 * cs_sim_server_get_cancelled_appointments:
 * @self: a simulator
 *
 * Returns: (transfer none) (element-type gint64): the ids cancelled through
 *   `POST /api/v1/appointments/{id}/cancel`, in order
 */
GArray *
cs_sim_server_get_cancelled_appointments (CsSimServer *self)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), NULL);

  return self->cancelled_appointments;
}

/**
 * cs_sim_server_get_patch:
 * @self: a simulator
 * @appointment_id: an appointment id
 *
 * Returns: (transfer none) (nullable): the members every
 *   `PATCH /api/v1/appointments/{id}` for it sent, the last value of each
 */
JsonObject *
cs_sim_server_get_patch (CsSimServer *self,
                         gint64       appointment_id)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), NULL);

  return g_hash_table_lookup (self->patches, &appointment_id);
}

/**
 * cs_sim_server_get_n_patches:
 * @self: a simulator
 *
 * Returns: the number of appointments patched
 */
guint
cs_sim_server_get_n_patches (CsSimServer *self)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), 0);

  return g_hash_table_size (self->patches);
}

/**
 * cs_sim_server_get_sync_update:
 * @self: a simulator
 * @appointment_id: an appointment id
 *
 * Returns: (transfer none) (nullable): the last update for it received by
 *   `PATCH /api/v1/appointments/sync-status`, as sent
 */
JsonObject *
cs_sim_server_get_sync_update (CsSimServer *self,
                               gint64       appointment_id)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), NULL);

  return g_hash_table_lookup (self->sync_updates, &appointment_id);
}

/**
 * cs_sim_server_get_n_sync_updates:
 * @self: a simulator
 *
 * Returns: the number of appointments whose tracking fields were reported
 */
guint
cs_sim_server_get_n_sync_updates (CsSimServer *self)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), 0);

  return g_hash_table_size (self->sync_updates);
}

/**
 * cs_sim_server_get_audit_keys:
 * @self: a simulator
 *
 * Returns: (transfer none) (element-type utf8): the keys of the audit
 *   entries accepted, in order (repeated keys are not accepted twice)
 */
GPtrArray *
cs_sim_server_get_audit_keys (CsSimServer *self)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), NULL);

  return self->audit_keys;
}

/**
 * cs_sim_server_get_audit_entries:
 * @self: a simulator
 *
 * Returns: (transfer none) (element-type JsonObject): the audit entries
 *   accepted, as sent, in order
 */
GPtrArray *
cs_sim_server_get_audit_entries (CsSimServer *self)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), NULL);

  return self->audit_entries;
}

/**
 * cs_sim_server_reset_writes:
 * @self: a simulator
 *
 * Forgets the records of writes. The data they changed stays changed, and
 * the idempotency keys and audit keys seen stay known.
 */
void
cs_sim_server_reset_writes (CsSimServer *self)
{
  g_return_if_fail (CS_IS_SIM_SERVER (self));

  g_ptr_array_set_size (self->created_bookings, 0);
  g_ptr_array_set_size (self->cancelled_uids, 0);
  g_ptr_array_set_size (self->rescheduled_uids, 0);
  g_hash_table_remove_all (self->reschedules);
  g_array_set_size (self->created_appointments, 0);
  g_array_set_size (self->cancelled_appointments, 0);
  g_hash_table_remove_all (self->patches);
  g_hash_table_remove_all (self->sync_updates);
  g_ptr_array_set_size (self->audit_keys, 0);
  g_ptr_array_set_size (self->audit_entries, 0);
}

/**
 * cs_sim_server_write_truth:
 * @self: a simulator
 * @path: the file to write
 * @error: return location for an I/O error
 *
 * Writes the dataset's ground truth (see cs_sim_dataset_truth_to_json()).
 *
 * Returns: %TRUE on success
 */
gboolean
cs_sim_server_write_truth (CsSimServer  *self,
                           const char   *path,
                           GError      **error)
{
  g_return_val_if_fail (CS_IS_SIM_SERVER (self), FALSE);

  return cs_sim_dataset_write_truth (self->dataset, path, error);
}
