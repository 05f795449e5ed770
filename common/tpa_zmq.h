/* tpa_zmq.h - ZeroMQ helpers (czmq) for wire messages.
 * One wire message = one ZeroMQ frame of msgpack.
 */
#ifndef TPA_ZMQ_H
#define TPA_ZMQ_H

#include <czmq.h>
#include <jansson.h>

/* Packs msg (borrowed) and sends it as one frame. Blocks as the socket's ZMQ_SNDTIMEO
 * says (default: forever, e.g. a PUSH socket with no peer). Returns 0, TPA_ERR_TIMEOUT
 * when the send timed out (EAGAIN), TPA_ERR_CANCELLED when the context is terminating,
 * TPA_ERR_TOOBIG for nesting over 64 levels, or another negative TPA_ERR_*. */
int tpa_zmq_send(zsock_t *sock, const json_t *msg);

/* Waits up to timeout_ms (-1 = forever, 0 = poll) for one frame and unpacks it. Checks
 * no v/type: call tpa_wire_type next. A multipart message is consumed whole and refused.
 * Returns a new reference (caller decrefs); NULL on timeout/interrupt (*err empty)
 * or on an undecodable frame (err says why; the frame is consumed). */
json_t *tpa_zmq_recv(zsock_t *sock, int timeout_ms, char *err, size_t errlen);

#endif
