/* tpa_http2_int.h - between the HTTP/2 framing layer (tpa_http2.c: frames, field
 * blocks, HPACK) and its message layer (tpa_http2_msg.c: streams, bodies, what is
 * reported as signalling). Engine internal, not a public contract.
 *
 * The framing layer hands over each decoded field block as a tpa_h2_fields_t and each
 * DATA content; the message layer keeps per stream what a request or response needs
 * until it is reported (tpa_sig_report), and holds the messages of a flow not yet
 * known to be h2c (tpa_http2.h: mid-connection frames on a port the capture has not
 * shown to be an h2c service). All state lives in a tpa_h2_msgs_t inside the flow's
 * dissector state; every call is for the direction of c (c->dir).
 */
#ifndef TPA_HTTP2_INT_H
#define TPA_HTTP2_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tpa_dissect.h"
#include "tpa_rd.h"

/* The fields of one decoded field block that matter to the message layer. */
typedef struct tpa_h2_fields {
    unsigned n_method, n_status; /* how many :method / :status fields */
    bool unknown;                /* a reference to an entry the capture did not show */
    bool has_grpc_status;
    int grpc_status;
    char method[16]; /* a token, or "invalid" */
    char status[8];  /* three digits, or "invalid" */
    char path[512];  /* printable ASCII, cut at the first other octet */
    char ctype[128];
    char grpc_msg[64];
} tpa_h2_fields_t;

/* Where a field block was sent: its HEADERS / PUSH_PROMISE frame. */
typedef struct tpa_h2_block {
    uint32_t sid; /* the stream the fields are for (the promised one for PUSH_PROMISE) */
    bool push;    /* PUSH_PROMISE: a promised request */
    bool end;     /* END_STREAM on the HEADERS frame */
    uint64_t frame;
    int64_t ts_us;
} tpa_h2_block_t;

typedef struct tpa_h2_stream tpa_h2_stream_t; /* tpa_http2_msg.c */
typedef struct tpa_h2_held tpa_h2_held_t;     /* tpa_http2_msg.c */

typedef struct tpa_h2_msgs {
    tpa_h2_stream_t **s; /* open streams, oldest first */
    unsigned ns, cap;
    size_t body_total; /* body octets kept over all streams */
    bool confirmed;    /* the flow is known to be h2c: messages are reported */
    tpa_h2_held_t *held;
    unsigned nheld;
    uint64_t unreported; /* messages never reported (never confirmed, or over the hold) */
    uint64_t streams;    /* streams seen */
} tpa_h2_msgs_t;

/* Grows (b, len, cap) by the next n octets of r; false when out of memory (the octets
 * are consumed either way). buf_free releases it. */
bool tpa_h2_buf_add(uint8_t **b, size_t *len, size_t *cap, tpa_rd_t *r, size_t n);
void tpa_h2_buf_free(uint8_t **b, size_t *len, size_t *cap);

/* Frees everything m holds (nothing is reported); m is zeroed. */
void tpa_h2_msgs_free(tpa_h2_msgs_t *m);

/* c's receiver port is an h2c service (it received a preface or an upgrade): the flow
 * is confirmed and the port remembered for the rest of the capture. */
void tpa_h2_msgs_prove(tpa_h2_msgs_t *m, tpa_dissect_ctx_t *c);

/* Confirms the flow when a port of it is h2c (proven, or SBI well known) and reports
 * what was held. Cheap when nothing changes. */
void tpa_h2_msgs_confirm(tpa_h2_msgs_t *m, tpa_dissect_ctx_t *c);

/* Confirms the flow whatever its ports (its protocol is known otherwise) and reports
 * what was held. */
void tpa_h2_msgs_assume(tpa_h2_msgs_t *m, tpa_dissect_ctx_t *c);

/* A decoded field block sent in c->dir. */
void tpa_h2_msgs_block(tpa_h2_msgs_t *m, tpa_dissect_ctx_t *c, const tpa_h2_fields_t *f,
                       const tpa_h2_block_t *b);

/* DATA content of stream sid (consumed), or NULL when it was lost (too long, a gap);
 * end: END_STREAM. */
void tpa_h2_msgs_data(tpa_h2_msgs_t *m, tpa_dissect_ctx_t *c, uint32_t sid, tpa_rd_t *content,
                      bool end);

/* RST_STREAM for sid: what waits on it is reported, the stream forgotten. */
void tpa_h2_msgs_reset(tpa_h2_msgs_t *m, tpa_dissect_ctx_t *c, uint32_t sid);

/* The request that an HTTP/1.1 upgrade carried (stream 1, RFC 7540 3.2): remembered
 * for its HTTP/2 response, not counted (it is not an HTTP/2 message). */
void tpa_h2_msgs_upgrade(tpa_h2_msgs_t *m, tpa_dissect_ctx_t *c, const char *method,
                         const char *path);

/* Octets of c->dir are missing: bodies being kept in that direction are incomplete
 * and reported as they are. */
void tpa_h2_msgs_hole(tpa_h2_msgs_t *m, tpa_dissect_ctx_t *c);

/* c->dir ended: report what waits in it. close: both directions ended (a later
 * connection starts afresh): streams forgotten, held messages dropped. */
void tpa_h2_msgs_end(tpa_h2_msgs_t *m, tpa_dissect_ctx_t *c, bool close);

#endif
