/* tpa_gw_dispatch.h - the jobs queue: a ZeroMQ PUSH socket bound at
 * tpa_config_endpoint(TPA_EP_JOBS, bind=true) that parsers PULL-connect to.
 *
 * Sends are serialised by a mutex (upload handlers and the reaper share the
 * socket). A send waits at most 100 ms: with no parser connected, or every
 * parser's queue full, the job stays queued in Redis and the reaper re-pushes
 * it later. Redis holds the truth; ZeroMQ is the fast lane.
 */
#ifndef TPA_GW_DISPATCH_H
#define TPA_GW_DISPATCH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "tpa_config.h"
#include "tpa_wire.h"

typedef struct tpa_gw_dispatch tpa_gw_dispatch_t;

/* Binds the PUSH socket. Returns NULL with err set (e.g. address in use). */
tpa_gw_dispatch_t *tpa_gw_dispatch_new(const tpa_config_t *cfg, char *err, size_t errlen);

/* Closes the socket (linger 0) and frees; nulls *d. */
void tpa_gw_dispatch_destroy(tpa_gw_dispatch_t **d);

/* Fills *out for job id from its stored capture: path (absolute), size, sha256 and
 * the internal URL http://<gateway_host>:<http_port>/internal/captures/<id>.
 * options is left NULL. */
void tpa_gw_dispatch_fill(const tpa_config_t *cfg, const char *id, const char *path, uint64_t size,
                          const char *sha256, tpa_wire_job_t *out);

/* Sends one `job` wire message. Thread-safe. Returns 0, TPA_ERR_CONN when no parser
 * took it within the send timeout, or another negative TPA_ERR_*. */
int tpa_gw_dispatch_job(tpa_gw_dispatch_t *d, const tpa_wire_job_t *job);

#endif
