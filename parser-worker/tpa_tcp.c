/* tpa_tcp.c - TCP segments: header, connection quality, streams (see tpa_tcp.h).
 *
 * RFC 9293 section 3.1: ports, sequence number, acknowledgment number, data offset
 * (4 bits, header length in 32-bit words, >= 5), flags, window, checksum, urgent
 * pointer, options. The checksum is not verified.
 */
#include "tpa_decode_int.h"
#include "tpa_tcp.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct hole {
    uint32_t lo, hi; /* [lo, hi) in sequence space */
    int64_t ts_us;   /* when it appeared */
} hole_t;

/* A direction's state beyond f->tcp_hot (next, seen, payload segments there, which is
 * all an in-order segment without a stream reads). */
typedef struct tcp_dir {
    bool syn_seen; /* isn is valid */
    bool ended;    /* its stream got the end call (FIN or RST) */
    uint32_t isn;
    tpa_tcp_stream_t *stream;
} tcp_dir_t;

/* What only out-of-order segments and streams use. */
typedef struct tcp_dir_more {
    uint8_t nholes;
    hole_t holes[TPA_TCP_HOLES];
    uint64_t last_frame; /* last frame that fed the stream */
    int64_t last_us;
} tcp_dir_more_t;

/* Read by segments off the fast path (and by streams); the per-segment fields are
 * in the flow (tpa_flow_tcp_hot_t). */
struct tpa_tcp_conn {
    tcp_dir_t dir[2]; /* by key side of the sender */
    uint32_t syn_seq;
    int64_t syn_us, synack_us;
    tcp_dir_more_t more[2];
    tpa_tcp_stats_t st;
};

static bool seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

const tpa_tcp_stats_t *tpa_tcp_stats(const tpa_flow_t *f)
{
    const tpa_tcp_conn_t *t = tpa_flow_cold(f)->tcp;
    return t ? &t->st : NULL;
}

static void stream_drop(tpa_tcp_conn_t *t, int side)
{
    tcp_dir_t *D = &t->dir[side];
    if (!D->stream) return;
    const tpa_tcp_stream_stats_t *s = tpa_tcp_stream_stats(D->stream);
    tpa_tcp_stream_stats_t *a = &t->st.stream[side];
    a->delivered += s->delivered;
    a->gaps += s->gaps;
    a->gap_bytes += s->gap_bytes;
    a->dup_bytes += s->dup_bytes;
    a->ooo_bytes += s->ooo_bytes;
    a->forced += s->forced;
    t->st.streamed[side] = true;
    tpa_tcp_stream_destroy(&D->stream);
}

void tpa_tcp_conn_free(tpa_flow_t *f)
{
    tpa_tcp_conn_t *t = tpa_flow_cold(f)->tcp;
    if (!t) return;
    for (int i = 0; i < 2; i++)
        tpa_tcp_stream_destroy(&t->dir[i].stream);
    tpa_flow_cold(f)->tcp = NULL; /* the record itself goes with the pool */
    f->has_tcp = 0;
}

_Static_assert(sizeof(tpa_tcp_conn_t) <= TPA_TCP_POOL_RECORD_MAX, "a connection is a record");

static tpa_tcp_conn_t *conn_new(tpa_tcp_pool_t *pool)
{
    tpa_tcp_conn_t *t = tpa_tcp_pool_record(pool, sizeof *t);
    if (!t) return NULL;
    t->st.syn_rtt_us = t->st.ack_rtt_us = -1;
    return t;
}

/* ---- quality ---- */

static void hole_add(tcp_dir_more_t *D, uint32_t lo, uint32_t hi, int64_t now)
{
    if (D->nholes == TPA_TCP_HOLES) { /* forget the oldest */
        memmove(&D->holes[0], &D->holes[1], (TPA_TCP_HOLES - 1) * sizeof D->holes[0]);
        D->nholes--;
    }
    D->holes[D->nholes++] = (hole_t){lo, hi, now};
}

/* Removes [lo, hi) from the holes; returns the creation time of the oldest hole it
 * overlapped, or -1 when it filled none. */
static int64_t hole_fill(tcp_dir_more_t *D, uint32_t lo, uint32_t hi)
{
    int64_t ts = -1;
    for (int i = 0; i < D->nholes; i++) {
        hole_t *h = &D->holes[i];
        if (!seq_lt(lo, h->hi) || !seq_lt(h->lo, hi)) continue;
        if (ts < 0 || h->ts_us < ts) ts = h->ts_us;
        bool left = seq_lt(h->lo, lo), right = seq_lt(hi, h->hi);
        if (left && right) { /* split: keep the right part too when there is room */
            hole_t r = {hi, h->hi, h->ts_us};
            h->hi = lo;
            if (D->nholes < TPA_TCP_HOLES) D->holes[D->nholes++] = r;
        } else if (left) {
            h->hi = lo;
        } else if (right) {
            h->lo = hi;
        } else {
            memmove(h, h + 1, (size_t)(D->nholes - i - 1) * sizeof *h);
            D->nholes--;
            i--;
        }
    }
    return ts;
}

/* The bits of tpa_flow_tcp_hot_t.dir[side]. */
enum { HOT_SEEN = 1, HOT_SEG1 = 2, HOT_SEGS = 6 };

static inline bool hot_seen(const tpa_flow_tcp_hot_t *h, int side)
{
    return h->dir[side] & HOT_SEEN;
}

/* Counts a segment with payload, up to 2. */
static inline void hot_count_payload(tpa_flow_tcp_hot_t *h, int side)
{
    h->dir[side] += (h->dir[side] & HOT_SEGS) < 2 * HOT_SEG1 ? HOT_SEG1 : 0;
}

static void dir_reset(tpa_tcp_conn_t *t, tpa_flow_tcp_hot_t *h, int side)
{
    tcp_dir_t *D = &t->dir[side];
    D->syn_seen = D->ended = false;
    h->dir[side] = 0;
    t->more[side].nholes = 0;
}

/* Updates the counters with one segment; returns true when it opens a new
 * connection on the flow's ports (a SYN with another ISN). All cases. */
static bool quality_full(tpa_tcp_conn_t *t, tpa_flow_tcp_hot_t *h, int side, uint32_t seq,
                         uint32_t ack, uint8_t flags, uint16_t win, uint32_t plen, int64_t now)
{
    tpa_tcp_stats_t *st = &t->st;
    tcp_dir_t *D = &t->dir[side];
    bool syn = flags & TPA_TCP_SYN, fin = flags & TPA_TCP_FIN, rst = flags & TPA_TCP_RST;
    bool ackf = flags & TPA_TCP_ACK;
    bool newconn = false;

    if (syn && !ackf) {
        if (hot_seen(h, side) && !(D->syn_seen && D->isn == seq)) { /* the ports reused */
            dir_reset(t, h, 0);
            dir_reset(t, h, 1);
            st->close = TPA_TCP_CLOSE_OPEN;
            newconn = true;
        }
        if (h->hs <= 1) { /* the last SYN before the SYN/ACK */
            h->hs = 1;
            t->syn_seq = seq;
            t->syn_us = now;
            st->client_side = (uint8_t)side;
            st->has_syn = true;
        }
    } else if (syn && ackf) {
        if (h->hs >= 1 && ack == t->syn_seq + 1 && side != st->client_side) {
            if (h->hs == 1) {
                st->syn_rtt_us = now - t->syn_us;
                h->hs = 2;
                h->hs_ack = seq + 1;
                h->hs_side = st->client_side;
            }
            if (h->hs == 2) t->synack_us = now;
        }
    } else if (ackf && !rst && h->hs == 2 && ack == h->hs_ack && side == h->hs_side) {
        st->ack_rtt_us = now - t->synack_us;
        h->hs = 3;
    }
    if (syn && !D->syn_seen) {
        D->syn_seen = true;
        D->isn = seq;
    }
    if (rst) {
        st->resets++;
        st->close = TPA_TCP_CLOSE_RST;
    } else if (fin && st->close == TPA_TCP_CLOSE_OPEN) {
        st->close = TPA_TCP_CLOSE_FIN;
    }
    if (win == 0 && !(flags & (TPA_TCP_SYN | TPA_TCP_FIN | TPA_TCP_RST))) st->zero_window++;
    if (plen) hot_count_payload(h, side);

    uint32_t space = plen + (syn ? 1u : 0u) + (fin ? 1u : 0u);
    uint32_t end = seq + space;
    uint32_t *next = &h->next[side];
    if (space == 0) { /* only places the direction when nothing else did */
        if (!hot_seen(h, side) && !rst) {
            h->dir[side] |= HOT_SEEN;
            *next = end;
        }
        return newconn;
    }
    if (!hot_seen(h, side)) {
        h->dir[side] |= HOT_SEEN;
        *next = end;
        return newconn;
    }
    if (seq == *next) {
        *next = end;
        return newconn;
    }
    if (seq_lt(*next, seq)) { /* bytes before it never seen (yet) */
        st->lost_segments++;
        hole_add(&t->more[side], *next, seq, now);
        *next = end;
        return newconn;
    }
    if (space <= 1 && seq == *next - 1 && !(flags & (TPA_TCP_SYN | TPA_TCP_FIN | TPA_TCP_RST))) {
        st->keepalives++;
        return newconn;
    }
    int64_t hts = hole_fill(&t->more[side], seq, end);
    int64_t rtt = st->syn_rtt_us >= 0 && st->ack_rtt_us >= 0 ? st->syn_rtt_us + st->ack_rtt_us : -1;
    int64_t thr = rtt > 0 ? rtt : TPA_TCP_OOO_US;
    if (hts >= 0 && now - hts <= thr)
        st->out_of_order++;
    else
        st->retransmissions++;
    if (seq_lt(*next, end)) *next = end;
    return newconn;
}

/* The per-segment fast path: a segment without SYN/FIN/RST outside the handshake's
 * last step, a pure ACK of a placed direction or the next data in order. It reads
 * the flow's hot part only (the connection record, which must exist, only when the
 * window is 0): a client whose handshake never completes (its first ACK also
 * acknowledges data) costs no more than any other. Everything else goes to
 * quality_full. */
static inline bool quality(tpa_flow_t *f, int side, uint32_t seq, uint32_t ack, uint8_t flags,
                           uint16_t win, uint32_t plen, int64_t now)
{
    tpa_flow_tcp_hot_t *h = &f->tcp_hot;
    if ((flags & (TPA_TCP_SYN | TPA_TCP_FIN | TPA_TCP_RST)) || !hot_seen(h, side) ||
        (plen && seq != h->next[side]) ||
        (h->hs == 2 && (flags & TPA_TCP_ACK) && side == h->hs_side && ack == h->hs_ack))
        return quality_full(tpa_flow_cold(f)->tcp, h, side, seq, ack, flags, win, plen, now);
    if (win == 0) tpa_flow_cold(f)->tcp->st.zero_window++;
    if (plen) {
        hot_count_payload(h, side);
        h->next[side] = seq + plen;
    }
    return false;
}

/* ---- streams ---- */

/* tpa_tcp_stream_fn: ud is the dissector context of the direction. */
static void deliver(void *ud, const uint8_t *data, size_t len, uint64_t gap)
{
    tpa_dissect_ctx_t *c = ud;
    tpa_rd_t r = tpa_rd_init(data, len);
    if (c->dec->tap) c->dec->tap(c->dec->tap_ud, c, &r, gap);
    c->row->stream(c, &r, gap);
}

static void stream_ctx(tpa_dissect_ctx_t *c, tpa_decoder_t *d, tpa_pkt_t *p, tpa_flow_t *f,
                       int side, const tpa_dissector_t *row)
{
    tpa_dissect_ctx_init(c, d, p, f, side, TPA_T_TCP);
    c->row = row;
}

/* Flushes the stream of `side`, gives the dissector its end call, frees the stream.
 * p is the frame being decoded, or NULL (flow finish: the direction's last frame). */
static void stream_end(tpa_decoder_t *d, tpa_pkt_t *p, tpa_flow_t *f, int side,
                       const tpa_dissector_t *row)
{
    tpa_tcp_conn_t *t = tpa_flow_cold(f)->tcp;
    tcp_dir_t *D = &t->dir[side];
    if (!D->stream) return;
    tpa_pkt_t last;
    if (!p) {
        memset(&last, 0, sizeof last);
        last.frame = t->more[side].last_frame;
        last.ts_us = t->more[side].last_us;
        p = &last;
    }
    tpa_dissect_ctx_t c;
    stream_ctx(&c, d, p, f, side, row);
    tpa_tcp_stream_flush(D->stream, deliver, &c);
    c.stream_end = true;
    tpa_rd_t none = tpa_rd_init(NULL, 0);
    if (d->tap) d->tap(d->tap_ud, &c, &none, 0);
    row->stream(&c, &none, 0);
    D->ended = true;
    stream_drop(t, side);
}

static void stream_segment(tpa_decoder_t *d, tpa_pkt_t *p, tpa_flow_t *f, int side,
                           const tpa_dissector_t *row, uint32_t seq, uint8_t flags,
                           tpa_rd_t *payload, uint32_t plen)
{
    tpa_tcp_conn_t *t = tpa_flow_cold(f)->tcp;
    tcp_dir_t *D = &t->dir[side];
    bool syn = flags & TPA_TCP_SYN;
    uint32_t dseq = seq + (syn ? 1u : 0u); /* data of a SYN follows its ISN */
    if (!D->ended && !D->stream && plen) {
        uint32_t start =
            D->syn_seen && (f->tcp_hot.dir[side] & HOT_SEGS) <= HOT_SEG1 ? D->isn + 1 : dseq;
        D->stream = tpa_tcp_stream_new(d->tcp_pool, TPA_TCP_STREAM_DIR_BYTES, start);
    }
    if (D->stream && plen) {
        tpa_dissect_ctx_t c;
        stream_ctx(&c, d, p, f, side, row);
        size_t caplen = tpa_rd_remaining(payload);
        tpa_tcp_stream_add(D->stream, dseq, tpa_rd_span(payload, caplen), caplen, plen, deliver,
                           &c);
        t->more[side].last_frame = p->frame;
        t->more[side].last_us = p->ts_us;
    }
    if (flags & TPA_TCP_RST) {
        stream_end(d, p, f, side, row);
        stream_end(d, p, f, !side, row);
    } else if (flags & TPA_TCP_FIN) {
        stream_end(d, p, f, side, row);
    }
}

void tpa_tcp_flow_finish(tpa_decoder_t *d, tpa_flow_t *f)
{
    if (!tpa_flow_cold(f)->tcp) return;
    const tpa_dissector_t *row = tpa_dissect_row(f->app);
    for (int s = 0; s < 2; s++) {
        if (row && row->stream)
            stream_end(d, NULL, f, s, row);
        else
            stream_drop(tpa_flow_cold(f)->tcp, s);
    }
}

/* ---- the segment ---- */

void tpa_dec_tcp(tpa_decoder_t *d, tpa_pkt_t *p, const tpa_ipctx_t *ip, tpa_rd_t *r)
{
    /* the header is read through a copy of r that nothing else can see, so that the
     * stores into the flow below (bytes, which may alias anything) do not make the
     * compiler reload and store the reader between reads; r follows at the end */
    tpa_rd_t h = *r;
    if (!tpa_rd_has(&h, 20)) { /* the flow counts as soon as its ports are readable */
        if (tpa_rd_has(&h, 4)) {
            int side;
            uint16_t sport = tpa_rd_be16(&h), dport = tpa_rd_be16(&h);
            tpa_dec_flow(d, p, ip, 6, sport, dport, &side);
        }
        *r = h;
        tpa_dec_short(d, p, TPA_MAL_TCP_TRUNCATED);
        return;
    }
    /* the fixed header through a reader of its 20 bytes: one bounds check for all */
    tpa_rd_t fx = tpa_rd_sub(&h, 20);
    uint16_t sport = tpa_rd_be16(&fx), dport = tpa_rd_be16(&fx);
    uint32_t seq = tpa_rd_be32(&fx);
    uint32_t ack = tpa_rd_be32(&fx);
    uint16_t offfl = tpa_rd_be16(&fx);
    uint16_t win = tpa_rd_be16(&fx); /* then checksum, urgent pointer */
    int side;
    tpa_flow_t *f = tpa_dec_flow(d, p, ip, 6, sport, dport, &side);
    uint8_t flags = (uint8_t)(offfl & 0xff);
    if (f) tpa_flow_tcp_flags(d->flows, f, side, flags);
    size_t hl = (size_t)(offfl >> 12) * 4;
    if (hl < 20) {
        *r = h;
        tpa_dec_mal(d, p, TPA_MAL_TCP_BAD_OFFSET);
        return;
    }
    if (!tpa_rd_has(&h, hl - 20)) {
        *r = h;
        tpa_dec_short(d, p, TPA_MAL_TCP_BAD_OFFSET);
        return;
    }
    tpa_rd_skip(&h, hl - 20);
    *r = h;
    if (!f) return;
    /* payload length on the wire: from the IP length when it is known */
    size_t caplen = tpa_rd_remaining(&h);
    uint32_t plen = (uint32_t)caplen;
    if (ip->l4_len > hl && ip->l4_len - hl > caplen) plen = (uint32_t)(ip->l4_len - hl);
    /* has_tcp instead of the cold part's tcp: a segment on the fast path touches the
     * flow's hot part only */
    if (!f->has_tcp) {
        tpa_flow_cold(f)->tcp = conn_new(d->tcp_pool);
        f->has_tcp = tpa_flow_cold(f)->tcp != NULL;
    }
    bool newconn = f->has_tcp && quality(f, side, seq, ack, flags, win, plen, p->ts_us);
    if (tpa_dissect_pending(f)) tpa_dissect_detect_segment(d, p, f, side, r);
    if (!f->app) return; /* no row yet, or none will come */
    const tpa_dissector_t *row = tpa_dissect_row(f->app);
    tpa_tcp_conn_t *t = tpa_flow_cold(f)->tcp;
    if (!t || !row || !row->stream) return;
    if (newconn) {
        stream_end(d, p, f, 0, row);
        stream_end(d, p, f, 1, row);
        t->dir[0].ended = t->dir[1].ended = false;
    }
    stream_segment(d, p, f, side, row, seq, flags, r, plen);
}
