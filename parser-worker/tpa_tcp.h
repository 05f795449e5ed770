/* tpa_tcp.h - TCP segments in the decoder: connection quality per flow, and the
 * in-order byte streams handed to application dissectors.
 *
 * RFC 9293. For every TCP flow the decoder keeps a tpa_tcp_conn_t (carved from the
 * decoder's tpa_tcp_pool_t with the flow's first segment, freed with the pool after
 * the flow table) that measures the connection as
 * the capture point sees it; what an in-order segment reads and writes lives in the
 * flow itself (tpa_flow_tcp_hot_t), so such a segment costs no access to the
 * connection. The exact definitions, as docs/result.md gives them
 * (flows[].tcp):
 *
 * - A segment's sequence space is its payload length on the wire (from the IP length,
 *   not the captured bytes) plus 1 for SYN and 1 for FIN. Per direction, `next` is
 *   the highest sequence number + space seen so far (serial arithmetic, RFC 1982);
 *   the direction's first segment (a RST excepted, a pure ACK included) places it.
 * - Segments with space 0 (pure ACKs, window updates, RSTs without data) are not
 *   classified below.
 * - keepalive: space <= 1, sequence number = next - 1, no SYN/FIN/RST.
 * - lost_segments: the segment starts after next: the bytes between were not seen
 *   (lost before the capture point, or reordered); the range is remembered as a hole
 *   (up to TPA_TCP_HOLES per direction, the oldest forgotten first).
 * - out_of_order: the segment starts before next and fills part of a remembered hole
 *   within the out-of-order threshold of the hole's creation (the handshake RTT when
 *   known, else TPA_TCP_OOO_US), as Wireshark decides.
 * - retransmissions: the segment starts before next and is not out_of_order nor a
 *   keepalive: its first bytes were seen before (or it fills a hole late: the
 *   original was lost before the capture point). A retransmitted SYN or SYN/ACK
 *   counts.
 * - zero_window: segments without SYN/FIN/RST whose window field is 0.
 * - resets: segments with RST.
 * - close: "rst" once a RST was seen, else "fin" once a FIN was seen, else "open"; a
 *   new SYN with another sequence number (the ports reused) reopens it.
 * - Handshake (the first complete one): SYN from the client (no ACK), SYN/ACK from
 *   the other side acknowledging it (ack = SYN seq + 1), then the client's ACK of the
 *   SYN/ACK (ack = SYN/ACK seq + 1, no SYN). syn_rtt = first SYN/ACK time - time of
 *   the last SYN before it (the server's leg, seen from the capture point); ack_rtt =
 *   ACK time - time of the last SYN/ACK before it (the client's leg); handshake_rtt =
 *   their sum (the full round trip, Wireshark's iRTT when nothing was retransmitted).
 *   Spurious retransmissions (data the receiver had already acknowledged, when the
 *   original was never captured) are not recognised: ACK numbers are not tracked.
 *
 * Streams: for a flow whose app row has a stream function (tpa_dissect.h), each
 * direction gets a tpa_tcp_stream_t on its first segment after the app is known. It
 * starts at ISN + 1 when that direction's SYN was seen and no payload of it has gone
 * by, else at the first segment's sequence number (capture started mid-connection, or
 * the app was recognised late). FIN flushes the sender's stream and ends it; RST
 * flushes and ends both; a new connection on the same ports ends both and starts
 * again; the flow's finish (idle expiry, end of capture) flushes and ends what is
 * left. Buffers are bounded by TPA_TCP_STREAM_DIR_BYTES per direction and
 * TPA_TCP_STREAM_TOTAL_BYTES over the analysis (tpa_tcp_stream.h).
 */
#ifndef TPA_TCP_H
#define TPA_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include "tpa_flow.h"
#include "tpa_tcp_stream.h"

#define TPA_TCP_HOLES 4     /* remembered unseen ranges per direction */
#define TPA_TCP_OOO_US 3000 /* out-of-order threshold without a handshake RTT */

enum { TPA_TCP_CLOSE_OPEN = 0, TPA_TCP_CLOSE_FIN = 1, TPA_TCP_CLOSE_RST = 2 };

typedef struct tpa_tcp_stats {
    uint32_t retransmissions, out_of_order, lost_segments, keepalives, zero_window, resets;
    uint8_t close;       /* TPA_TCP_CLOSE_* */
    uint8_t client_side; /* key side that sent the SYN, when has_syn */
    bool has_syn;        /* a SYN without ACK was seen */
    int64_t syn_rtt_us;  /* -1 when not measured */
    int64_t ack_rtt_us;  /* -1 when not measured */
    /* streams (both 0 when the flow had none); index: key side of the sender */
    bool streamed[2];
    tpa_tcp_stream_stats_t stream[2];
} tpa_tcp_stats_t;

typedef struct tpa_tcp_conn tpa_tcp_conn_t;

/* The flow's counters, or NULL when it has no connection state (not TCP, or out of
 * memory). Borrowed from the flow. */
const tpa_tcp_stats_t *tpa_tcp_stats(const tpa_flow_t *f);

/* Frees f->tcp's streams (nothing delivered) and clears f->tcp (the record is the
 * pool's); for the flow table's release hook. */
void tpa_tcp_conn_free(tpa_flow_t *f);

#endif
