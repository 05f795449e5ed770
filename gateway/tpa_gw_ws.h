/* tpa_gw_ws.h - WebSocket relay of job events: /ws/jobs/{id}.
 *
 * On connect the client gets the job's current state as its first message
 * ({"job","state","progress","stage","message"}), then every event published on
 * tpa:events:<id>. An invalid or unknown id gets {"error":{"code","message"}} and a
 * close frame. Once a connection has been sent a terminal state (completed,
 * failed, cancelled), later non-terminal events for it are dropped, so a late
 * subscriber never ends on a stale state.
 *
 * One subscriber thread holds its own hiredis connection doing
 * PSUBSCRIBE tpa:events:* and writes each event to the connections registered for
 * that job (a mutex-protected registry). If Redis drops, it reconnects with
 * backoff (0.5 s doubling to 5 s) and re-sends every client its job's current
 * state, covering events missed while disconnected.
 *
 * Lifecycle: _new, _attach (handlers on the civetweb context), _start (thread);
 * at shutdown _stop (thread), mg_stop (closes connections), then _destroy.
 */
#ifndef TPA_GW_WS_H
#define TPA_GW_WS_H

#include <civetweb.h>

#include "tpa_config.h"
#include "tpa_gw_metrics.h"
#include "tpa_gw_pool.h"

typedef struct tpa_gw_ws tpa_gw_ws_t;

/* cfg is copied; pool and metrics are borrowed and must outlive the relay. */
tpa_gw_ws_t *tpa_gw_ws_new(const tpa_config_t *cfg, tpa_gw_pool_t *pool, tpa_gw_metrics_t *metrics);

/* Registers the WebSocket handlers for /ws/jobs on ctx. */
void tpa_gw_ws_attach(tpa_gw_ws_t *ws, struct mg_context *ctx);

/* Starts the subscriber thread. Returns 0 or TPA_ERR_NOMEM. */
int tpa_gw_ws_start(tpa_gw_ws_t *ws);

/* Stops and joins the subscriber thread (within ~0.5 s) and sends every client a
 * close frame (1001, server shutdown). Idempotent. */
void tpa_gw_ws_stop(tpa_gw_ws_t *ws);

/* Frees the relay; nulls *ws. Call after mg_stop, which closes every connection. */
void tpa_gw_ws_destroy(tpa_gw_ws_t **ws);

#endif
