/* cs-contract.h
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * Contract checks for the network tests: every request the clients build and
 * every answer the simulator gives is held against the Cal.com OpenAPI subset
 * (tests/data/calcom/openapi-bookings.json) and against the backend contract
 * (backend-api.md, hand-coded here).
 *
 * Header lists: each entry is a header name ("Accept"), compared without
 * regard to case, or "Name: value". Where a value is given, it is checked
 * too where the contract states one (Authorization "Bearer …", Accept and
 * Content-Type application/json, Idempotency-Key a UUID, cal-api-version
 * 2024-08-13); a bare name only proves presence.
 *
 * Paths: the path as sent ("/v2/bookings/abc", "/api/v1/me"). A base URL
 * with a prefix ("/cal/v2/…", "/crm/api/v1/…") is tolerated; a path that
 * still carries "?query" is split when @query is %NULL.
 *
 * Queries are decoded as servers decode them (application/x-www-form-urlencoded:
 * "+" is a space), so an unescaped "+01:00" offset is caught.
 */

#define CS_CONTRACT_ERROR (cs_contract_error_quark ())

typedef enum
{
  CS_CONTRACT_ERROR_SPEC,      /* the spec is broken or uses what the validator lacks */
  CS_CONTRACT_ERROR_OPERATION, /* no operation for this method and path */
  CS_CONTRACT_ERROR_QUERY,
  CS_CONTRACT_ERROR_HEADER,
  CS_CONTRACT_ERROR_BODY,
  CS_CONTRACT_ERROR_STATUS,
} CsContractError;

typedef struct _CsOpenApi CsOpenApi;

GQuark     cs_contract_error_quark               (void);

CsOpenApi *cs_openapi_load                       (const char         *path,
                                                  GError            **error);
void       cs_openapi_free                       (CsOpenApi          *api);
guint      cs_openapi_extend_enum                (CsOpenApi          *api,
                                                  const char         *member,
                                                  const char         *value);

gboolean   cs_openapi_validate_request           (CsOpenApi          *api,
                                                  const char         *method,
                                                  const char         *path,
                                                  const char         *query,
                                                  const char * const *header_names,
                                                  GBytes             *body,
                                                  GError            **error);
gboolean   cs_openapi_validate_response          (CsOpenApi          *api,
                                                  const char         *method,
                                                  const char         *path,
                                                  guint               status,
                                                  GBytes             *body,
                                                  GError            **error);
gboolean   cs_openapi_validate_schema            (CsOpenApi          *api,
                                                  const char         *schema_name,
                                                  JsonNode           *node,
                                                  GError            **error);

gboolean   cs_backend_contract_validate_request  (const char         *method,
                                                  const char         *path,
                                                  const char         *query,
                                                  const char * const *header_names,
                                                  GBytes             *body,
                                                  GError            **error);
gboolean   cs_backend_contract_validate_response (const char         *method,
                                                  const char         *path,
                                                  guint               status,
                                                  GBytes             *body,
                                                  GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsOpenApi, cs_openapi_free)

G_END_DECLS
