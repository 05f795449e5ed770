/* tpa_sctp.h - SCTP packets in the decoder: every chunk of a bundle, association
 * events per flow, and user messages reassembled from DATA / I-DATA fragments for the
 * application dissectors.
 *
 * RFC 9260 section 3: a 12-byte common header (ports, verification tag, checksum -
 * not verified), then chunks: type (1), flags (1), length (2, header included, >= 4),
 * value; each chunk is padded with zero bytes to a multiple of 4 that its length does
 * not count. Every chunk of a packet is walked. Rules checked, each a named event in
 * capture.malformed_reasons:
 *   sctp.header_truncated       fewer than 12 bytes
 *   sctp.chunk_truncated        a chunk header or value past the packet's end
 *   sctp.chunk_length_invalid   length below 4, or below its type's fixed part (DATA
 *                               16, I-DATA 20, INIT/INIT ACK 20, SACK 16 + 4 per gap
 *                               block and duplicate TSN, HEARTBEAT (ACK) 8,
 *                               SHUTDOWN 8, ECNE/CWR 8, FORWARD TSN 8)
 *   sctp.data_empty             DATA / I-DATA without user data (section 6.2,
 *                               "No User Data")
 *   sctp.chunk_not_bundleable   INIT, INIT ACK or SHUTDOWN COMPLETE bundled with
 *                               another chunk (section 6.10)
 * Padding: the 0-3 bytes after a chunk are skipped explicitly; their value is ignored
 * (section 3.2: "The receiver MUST ignore the padding bytes"), and a last chunk whose
 * padding is missing at the end of the packet is accepted.
 *
 * User messages (section 6.9; RFC 8260 for I-DATA): a DATA chunk with both B and E
 * flags is a whole message, handed on without copy. Fragments are buffered per
 * direction: DATA fragments ordered by TSN (a message is a run of consecutive TSNs on
 * one stream, B first and E last), I-DATA fragments by (stream, U flag, MID, FSN). A
 * complete message is copied into one block and handed to the dissector of the row
 * that claims its PPID (tpa_dissect_app_for_ppid), else the flow's app. Delivery is
 * in order of completion (stream sequence numbers are not enforced). A DATA chunk
 * whose TSN was already received in its direction (a retransmission, or the same
 * frame captured twice) is counted (data_retransmitted) but not handed on again: the
 * receiver delivers a TSN once (section 6.2), and tshark's TSN analysis (on by
 * default) does not dissect such a chunk either. TSNs are remembered in a window of
 * TPA_SCTP_TSN_WINDOW below the highest seen; an older one is taken as a
 * retransmission. A fragment already buffered, or one of the TSNs of the last message
 * joined in its direction, is not stored again (first wins; fragments_dup).
 * Memory: at most TPA_SCTP_ASSOC_BYTES of fragments (plus TPA_SCTP_FRAG_OVERHEAD each)
 * and TPA_SCTP_MAX_FRAGS fragments per association, TPA_SCTP_TOTAL_BYTES over the
 * analysis; the lowest fragments of the direction are given up to make room, and
 * whatever is incomplete when the flow finishes is dropped (fragments_dropped).
 */
#ifndef TPA_SCTP_H
#define TPA_SCTP_H

#include <stdbool.h>
#include <stdint.h>

#include "tpa_flow.h"

#define TPA_SCTP_ASSOC_BYTES (256u << 10)
#define TPA_SCTP_TOTAL_BYTES (64u << 20)
#define TPA_SCTP_MAX_FRAGS 512
#define TPA_SCTP_FRAG_OVERHEAD 48
#define TPA_SCTP_PPIDS 8 /* distinct PPIDs remembered per association */
#define TPA_SCTP_TSN_WINDOW 1024 /* TSNs remembered per direction (a multiple of 64) */

enum { TPA_SCTP_CLOSE_OPEN = 0, TPA_SCTP_CLOSE_SHUTDOWN = 1, TPA_SCTP_CLOSE_ABORT = 2 };

typedef struct tpa_sctp_stats {
    uint32_t init, init_ack, cookie_echo, cookie_ack, abort, shutdown, shutdown_ack,
        shutdown_complete, heartbeat, heartbeat_ack, sack, error, other_chunks;
    uint64_t data_chunks;           /* DATA and I-DATA chunks */
    uint64_t messages;              /* user messages complete (whole chunks included) */
    uint64_t fragmented;            /* of those, reassembled from two or more fragments */
    uint64_t fragments_dropped;     /* given up: limits, cut by snaplen, incomplete at end */
    uint64_t fragments_dup;         /* fragments received again while buffered */
    uint64_t data_retransmitted;    /* DATA chunks whose TSN was already received */
    uint32_t first_ppid;            /* PPID of the first DATA chunk */
    uint32_t ppids[TPA_SCTP_PPIDS]; /* distinct PPIDs in order of first appearance */
    uint8_t nppids;
    uint8_t close; /* TPA_SCTP_CLOSE_*: the last of INIT, SHUTDOWN COMPLETE, ABORT */
} tpa_sctp_stats_t;

typedef struct tpa_sctp_assoc tpa_sctp_assoc_t;

/* The flow's counters, or NULL (not SCTP, or out of memory). Borrowed from the flow. */
const tpa_sctp_stats_t *tpa_sctp_stats(const tpa_flow_t *f);

/* Frees f->sctp and any buffered fragment, delivering nothing (release hook). */
void tpa_sctp_assoc_free(tpa_flow_t *f);

#endif
