/* tpa_gw_forwarder.h - the task forwarder: PULL bound at TPA_EP_TASKS_IN (parsers
 * PUSH-connect to it) -> PUSH bound at TPA_EP_TASKS_OUT (LLM workers PULL-connect).
 *
 * Runs as a czmq actor (one thread). Frames are moved unchanged; a wire message is
 * one frame, multipart messages are dropped with a warning. When no LLM worker can
 * take a task, the forwarder holds it and stops reading, so back-pressure reaches
 * the parsers through their own send queues.
 */
#ifndef TPA_GW_FORWARDER_H
#define TPA_GW_FORWARDER_H

#include <stddef.h>

#include "tpa_config.h"
#include "tpa_gw_metrics.h"

typedef struct tpa_gw_forwarder tpa_gw_forwarder_t;

/* Binds both endpoints and starts the actor. metrics (borrowed, must outlive the
 * forwarder) receives tasks_forwarded. Returns NULL with err set on failure. */
tpa_gw_forwarder_t *tpa_gw_forwarder_new(const tpa_config_t *cfg, tpa_gw_metrics_t *metrics,
                                         char *err, size_t errlen);

/* Stops the actor, closes the sockets (linger 0) and frees; nulls *f. Tasks still
 * held in the forwarder are dropped (their jobs' leases expire and the reaper
 * re-queues them). */
void tpa_gw_forwarder_destroy(tpa_gw_forwarder_t **f);

#endif
