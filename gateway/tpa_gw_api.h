/* tpa_gw_api.h - the REST API under /api/v1 (JSON; errors as
 * {"error":{"code","message"}}):
 *
 *   POST   /api/v1/jobs                      upload (tpa_gw_upload.h)           202
 *   GET    /api/v1/jobs?state=&offset=&limit= {"jobs":[...],"total","offset","limit"}
 *                                            limit default 50, max 500
 *   GET    /api/v1/jobs/{id}                 the job (state, progress, stage, message,
 *                                            created/updated ms, counts)   404 / 400
 *   DELETE /api/v1/jobs/{id}                 cancel, then delete capture + keys
 *                                            {"id","deleted":true}
 *   GET    /api/v1/jobs/{id}/result          the result document verbatim; 409 not_ready
 *                                            until the job is completed
 *   GET    /api/v1/jobs/{id}/flows|transactions|ues|findings
 *          ?offset=&limit=&sort=[-]field&q=  {"items":[...],"total","offset","limit"}
 *                                            (tpa_gw_slice.h); 409 while no result
 *   GET    /api/v1/jobs/{id}/export.csv?table=flows|transactions|findings[&sort=&q=]
 *                                            text/csv (tpa_gw_csv.h), chunked
 *   GET    /api/v1/openapi.json              the OpenAPI 3.0 description
 *
 * Redis unreachable -> 503 redis_unavailable. The job object omits `path` (a
 * server-side path).
 */
#ifndef TPA_GW_API_H
#define TPA_GW_API_H

#include <civetweb.h>

#include "tpa_gw.h"

/* civetweb request handler for "/api/v1" (cbdata = tpa_gw_t *). */
int tpa_gw_api_handler(struct mg_connection *c, void *cbdata);

#endif
