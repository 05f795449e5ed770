/* tpa_tcp_stream.h - one direction of a TCP byte stream, put back in order.
 *
 * RFC 9293 section 3.4: every data byte carries a 32-bit sequence number (modulo
 * 2^32); SYN and FIN occupy one number each. A stream starts at the sequence number
 * of its first data byte (the ISN + 1 after a SYN, or the first segment seen when the
 * capture begins mid-connection) and is then fed the segments of its direction in
 * arrival order. It hands each byte to a callback once, in sequence order:
 *
 * - Positions: a sequence number is placed within +-2^31 of the next expected one
 *   (serial number arithmetic, RFC 1982) and mapped to a 64-bit stream offset, so
 *   wraparound past 2^32 is transparent.
 * - Retransmissions and overlaps: FIRST WINS. Bytes already delivered or already
 *   buffered are dropped (dup_bytes); only the new parts of a segment are kept.
 * - Out-of-order segments are copied into a buffer sorted by offset, bounded per
 *   stream (max_bytes, counting TPA_TCP_STREAM_SEG_OVERHEAD per stored piece, and at
 *   most TPA_TCP_STREAM_MAX_SEGS pieces) and over all streams of a pool. When a piece
 *   does not fit, the stream stops waiting for its first missing range: it reports
 *   that gap and delivers the buffered bytes after it, as often as needed (forced).
 * - A segment with fewer captured bytes than its length (snaplen, or an IP length past
 *   the frame) has a known hole at its tail: those bytes are reported as a gap and a
 *   later retransmission of them is not used (they count as received).
 * - tpa_tcp_stream_flush (FIN, RST, idle expiry, end of capture) delivers everything
 *   buffered, reporting each remaining hole as a gap; the stream can be fed after it.
 *
 * The callback gets (ud, data, len, gap): gap bytes are missing just before data;
 * data is NULL and len 0 when a flush reports a trailing gap alone. data is borrowed
 * for the call (the caller's segment or the stream's buffer).
 *
 * Costs: an in-order segment on an empty buffer is delivered from the caller's
 * memory, O(1), no copy. Storing an out-of-order piece is O(n) in the pieces stored
 * (n <= TPA_TCP_STREAM_MAX_SEGS) plus the copy.
 */
#ifndef TPA_TCP_STREAM_H
#define TPA_TCP_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TPA_TCP_STREAM_DIR_BYTES (64u << 10)   /* out-of-order buffer per direction */
#define TPA_TCP_STREAM_TOTAL_BYTES (64u << 20) /* over all directions (the pool) */
#define TPA_TCP_STREAM_MAX_SEGS 256            /* stored pieces per direction */
#define TPA_TCP_STREAM_SEG_OVERHEAD 32         /* bytes charged per stored piece */

/* The TCP memory of one analysis: a budget shared by streams, and the blocks the
 * connection records of its flows are carved from. */
typedef struct tpa_tcp_pool tpa_tcp_pool_t;

/* A new pool allowing max_bytes of buffered data (overhead included), or NULL. */
tpa_tcp_pool_t *tpa_tcp_pool_new(size_t max_bytes);

/* Frees the pool and its records; every stream using it must be destroyed first.
 * Nulls *p. */
void tpa_tcp_pool_destroy(tpa_tcp_pool_t **p);

#define TPA_TCP_POOL_RECORD_MAX 1024 /* largest record */

/* Room for a record of `size` bytes (<= TPA_TCP_POOL_RECORD_MAX), 64-byte aligned and
 * zeroed, or NULL when out of memory. Owned by the pool: a record is never freed on
 * its own (a flow keeps its connection until the flow table goes, which is before
 * the pool), so records are carved from large blocks, without an allocator call
 * each. Not charged to the budget. */
void *tpa_tcp_pool_record(tpa_tcp_pool_t *p, size_t size);

/* Bytes charged now, and the number of times the pool's limit forced a gap. */
size_t tpa_tcp_pool_used(const tpa_tcp_pool_t *p);
uint64_t tpa_tcp_pool_forced(const tpa_tcp_pool_t *p);

typedef struct tpa_tcp_stream tpa_tcp_stream_t;

typedef void (*tpa_tcp_stream_fn)(void *ud, const uint8_t *data, size_t len, uint64_t gap);

typedef struct tpa_tcp_stream_stats {
    uint64_t delivered; /* bytes handed to the callback */
    uint64_t gaps;      /* gap reports (callbacks with gap > 0) */
    uint64_t gap_bytes; /* bytes reported missing */
    uint64_t dup_bytes; /* bytes dropped because already delivered or buffered */
    uint64_t ooo_bytes; /* bytes stored out of order (delivered later) */
    uint64_t forced;    /* gaps reported because a limit was reached */
} tpa_tcp_stream_stats_t;

/* A new stream whose first data byte has sequence number start_seq, buffering at
 * most max_bytes out of order, charged to pool (borrowed; must outlive the stream).
 * NULL when out of memory. */
tpa_tcp_stream_t *tpa_tcp_stream_new(tpa_tcp_pool_t *pool, size_t max_bytes, uint32_t start_seq);

/* Frees the stream and its buffer without delivering anything; nulls *s. */
void tpa_tcp_stream_destroy(tpa_tcp_stream_t **s);

/* Feeds one segment: sequence number seq, len bytes on the wire of which the first
 * caplen (<= len) are in data (borrowed for the call). Delivers through fn(ud, ...)
 * whatever becomes in order. Returns 0, or TPA_ERR_NOMEM when a piece could not be
 * stored (those bytes are then reported as a gap, the stream stays consistent). */
int tpa_tcp_stream_add(tpa_tcp_stream_t *s, uint32_t seq, const uint8_t *data, size_t caplen,
                       uint32_t len, tpa_tcp_stream_fn fn, void *ud);

/* Delivers everything buffered, each hole before it and a pending tail gap reported
 * as gaps. The stream continues after the last byte delivered. */
void tpa_tcp_stream_flush(tpa_tcp_stream_t *s, tpa_tcp_stream_fn fn, void *ud);

/* Sequence number of the next byte expected, bytes buffered (overhead included),
 * and the counters. */
uint32_t tpa_tcp_stream_next_seq(const tpa_tcp_stream_t *s);
size_t tpa_tcp_stream_buffered(const tpa_tcp_stream_t *s);
const tpa_tcp_stream_stats_t *tpa_tcp_stream_stats(const tpa_tcp_stream_t *s);

#endif
