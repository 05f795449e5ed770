/* tpa_http1.h - HTTP/1.1 on TCP (RFC 9112): the dissector row "http". Messages are
 * framed by their head and Content-Length; N1 (NAS) parts of SBI bodies sent over
 * HTTP/1.1 (some cores do) go to the NAS-5GS dissector. HTTP/1.1 messages themselves
 * are not counted in messages[] (DESIGN.md names none for it).
 */
#ifndef TPA_HTTP1_H
#define TPA_HTTP1_H

#include <stdbool.h>

#include "tpa_dissect.h"

/* Whether a TCP payload starts with an HTTP/1.x request or status line (and is not an
 * h2c upgrade, which the http2 row takes). */
bool tpa_http1_probe(const tpa_rd_t *payload);

/* In-order bytes of one direction (tpa_dissect.h stream contract). */
void tpa_http1_stream(tpa_dissect_ctx_t *c, tpa_rd_t *bytes, uint64_t gap);

/* Frees the per-flow state made by tpa_http1_stream. */
void tpa_http1_state_free(void *state);

#endif
