/* tpa_zmq.h - ZeroMQ helpers (czmq) for wire messages.
 * One wire message = one ZeroMQ frame of msgpack.
 */
#ifndef TPA_ZMQ_H
#define TPA_ZMQ_H

#include <czmq.h>
#include <jansson.h>

/* Packs msg and sends it as one frame. Returns 0 or a negative TPA_ERR_*. */
int tpa_zmq_send(zsock_t *sock, const json_t *msg);

/* Waits up to timeout_ms (-1 = forever) for one frame and unpacks it.
 * Returns a new reference (caller decrefs); NULL on timeout/interrupt (*err empty)
 * or on an undecodable frame (err says why; the frame is consumed). */
json_t *tpa_zmq_recv(zsock_t *sock, int timeout_ms, char *err, size_t errlen);

#endif
