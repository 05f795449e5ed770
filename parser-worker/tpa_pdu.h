/* tpa_pdu.h - cutting a TCP byte stream into the messages (PDUs) of a protocol whose
 * header tells the message length: DNS over TCP (2-byte length prefix), Diameter
 * (3-byte length at offset 1), HTTP/2 frames (3-byte length + 9), SIP (headers up to
 * an empty line, then Content-Length).
 *
 * A stream dissector (tpa_dissect.h) keeps one tpa_pdu_framer_t per direction in its
 * flow state and passes every stream call on to tpa_pdu_feed() with its protocol's
 * tpa_pdu_spec_t; the framer calls spec->pdu once per whole PDU:
 *
 * - A PDU that lies whole in the bytes given is handed on in place (no copy); the
 *   pieces of a PDU split across calls are gathered in the framer's buffer first.
 * - A PDU longer than spec->max is skipped (its bytes are dropped as they come).
 * - spec->len() returning < 0 (not a valid header): spec->bad() is called (to count
 *   a malformation) and framing is lost.
 * - A gap: a PDU the gap falls into is dropped; if the gap ends inside that same PDU
 *   (its length is known), framing resumes after it; otherwise framing is lost.
 * - Lost framing: with spec->sync, the following bytes are scanned for an offset where
 *   sync() accepts and framing resumes there; without it, the rest of the direction
 *   is ignored.
 * - The end call (c->stream_end): a partial PDU is dropped and the framer is ready for
 *   a new stream (a new connection on the same ports).
 *
 * Costs: O(bytes) per call plus the copies of split PDUs; memory per framer up to
 * spec->max plus the largest call's bytes.
 */
#ifndef TPA_PDU_H
#define TPA_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tpa_dissect.h"
#include "tpa_rd.h"

/* Length of the PDU starting at head, which holds at least spec->hdr bytes (more when
 * available; head is a copy: reading it consumes nothing): > 0 the PDU's total
 * length, header included; 0 not known yet (more bytes needed); < 0 not a valid PDU
 * start. */
typedef long (*tpa_pdu_len_fn)(const tpa_rd_t *head);

typedef struct tpa_pdu_spec {
    size_t hdr;         /* bytes needed before len() is asked (>= 1) */
    size_t max;         /* longest PDU delivered; longer ones are skipped */
    tpa_pdu_len_fn len; /* required */
    /* one whole PDU (borrowed for the call), sent in direction c->dir; required */
    void (*pdu)(tpa_dissect_ctx_t *c, tpa_rd_t *pdu);
    /* optional: after lost framing, whether a PDU may start at `at` (a copy) */
    bool (*sync)(const tpa_rd_t *at);
    /* optional: len() rejected a header (e.g. count a malformation) */
    void (*bad)(tpa_dissect_ctx_t *c);
} tpa_pdu_spec_t;

/* One direction's framing state. All zero (e.g. inside a tpa_dissect_state block) is
 * a ready framer; free its buffer with tpa_pdu_framer_free. */
typedef struct tpa_pdu_framer {
    uint8_t *buf; /* owned */
    size_t len, cap;
    size_t need;   /* total length of the PDU gathered in buf, 0 = not known yet */
    uint64_t skip; /* bytes still to drop (a PDU over max, or the rest of one a gap hit) */
    bool lost;     /* framing lost, waiting for sync */
    /* counters */
    uint64_t pdus;    /* PDUs handed on */
    uint64_t bad;     /* headers rejected by len() */
    uint64_t dropped; /* partial PDUs dropped (gap, end of stream) */
    uint64_t skipped; /* PDUs over max */
    uint64_t resyncs; /* times framing was found again */
} tpa_pdu_framer_t;

/* Feeds one stream call (bytes after gap missing ones; c->stream_end for the end
 * call) through the framer. bytes is consumed. */
void tpa_pdu_feed(tpa_pdu_framer_t *fr, const tpa_pdu_spec_t *spec, tpa_dissect_ctx_t *c,
                  tpa_rd_t *bytes, uint64_t gap);

/* Frees the buffer; the framer is zeroed and ready again. */
void tpa_pdu_framer_free(tpa_pdu_framer_t *fr);

#endif
