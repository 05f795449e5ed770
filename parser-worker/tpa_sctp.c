/* tpa_sctp.c - SCTP chunks, association events and user messages (see tpa_sctp.h). */
#include "tpa_decode_int.h"
#include "tpa_sctp.h"

#include <stdlib.h>
#include <string.h>

/* Chunk types, RFC 9260 section 3.2 (and RFC 4895, 5061, 6525, 3758, 8260, 4820). */
enum {
    CT_DATA = 0,
    CT_INIT = 1,
    CT_INIT_ACK = 2,
    CT_SACK = 3,
    CT_HEARTBEAT = 4,
    CT_HEARTBEAT_ACK = 5,
    CT_ABORT = 6,
    CT_SHUTDOWN = 7,
    CT_SHUTDOWN_ACK = 8,
    CT_ERROR = 9,
    CT_COOKIE_ECHO = 10,
    CT_COOKIE_ACK = 11,
    CT_ECNE = 12,
    CT_CWR = 13,
    CT_SHUTDOWN_COMPLETE = 14,
    CT_AUTH = 15,
    CT_IDATA = 64,
    CT_FORWARD_TSN = 192,
    CT_ASCONF = 193,
    CT_IFORWARD_TSN = 194
};

/* DATA / I-DATA flags (section 3.3.1, RFC 8260 section 2.1). */
enum { FL_E = 0x01, FL_B = 0x02, FL_U = 0x04 };

typedef struct frag {
    struct frag *next;
    uint32_t tsn;
    uint32_t mid, fsn; /* I-DATA */
    uint32_t ppid;
    uint16_t sid;
    uint8_t flags;
    uint32_t len;
    uint8_t data[];
} frag_t;

struct tpa_sctp_assoc {
    tpa_sctp_stats_t st;
    frag_t *data[2];                 /* DATA fragments per key side, by TSN */
    frag_t *idata[2];                /* I-DATA fragments per key side, by (sid, U, MID, FSN) */
    uint32_t done_lo[2], done_hi[2]; /* TSNs of the last message joined from DATA */
    bool done[2];                    /* per key side */
    uint32_t tsn_hi[2];              /* highest DATA TSN received, per key side */
    bool tsn_any[2];                 /* tsn_hi is set */
    uint64_t tsn_seen[2][TPA_SCTP_TSN_WINDOW / 64]; /* bit (tsn % window): received */
    size_t bytes;                                   /* charged for buffered fragments */
    unsigned nfrags;
    size_t *global;     /* the decoder's count over all associations */
    uint32_t ppid_last; /* the last PPID delivered ... */
    uint16_t ppid_app;  /* ... and tpa_dissect_app_for_ppid() of it */
    bool ppid_known;    /* ppid_last is set */
};

static bool ser_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

const tpa_sctp_stats_t *tpa_sctp_stats(const tpa_flow_t *f)
{
    const tpa_sctp_assoc_t *a = tpa_flow_cold(f)->sctp;
    return a ? &a->st : NULL;
}

static size_t charge(const frag_t *g)
{
    return (size_t)g->len + TPA_SCTP_FRAG_OVERHEAD;
}

static void frag_free(tpa_sctp_assoc_t *a, frag_t *g)
{
    a->bytes -= charge(g);
    *a->global -= charge(g);
    a->nfrags--;
    free(g);
}

static void list_free(tpa_sctp_assoc_t *a, frag_t **list, uint64_t *dropped)
{
    while (*list) {
        frag_t *g = *list;
        *list = g->next;
        frag_free(a, g);
        if (dropped) (*dropped)++;
    }
}

void tpa_sctp_assoc_free(tpa_flow_t *f)
{
    tpa_sctp_assoc_t *a = tpa_flow_cold(f)->sctp;
    if (!a) return;
    for (int s = 0; s < 2; s++) {
        list_free(a, &a->data[s], NULL);
        list_free(a, &a->idata[s], NULL);
    }
    free(a);
    tpa_flow_cold(f)->sctp = NULL;
}

void tpa_sctp_flow_finish(tpa_decoder_t *d, tpa_flow_t *f)
{
    (void)d;
    tpa_sctp_assoc_t *a = tpa_flow_cold(f)->sctp;
    if (!a) return;
    for (int s = 0; s < 2; s++) {
        list_free(a, &a->data[s], &a->st.fragments_dropped);
        list_free(a, &a->idata[s], &a->st.fragments_dropped);
    }
}

/* ---- user messages ---- */

/* Hands one complete user message to its dissector. */
static void deliver(tpa_decoder_t *d, tpa_pkt_t *p, tpa_flow_t *f, int side, uint32_t ppid,
                    uint16_t sid, tpa_rd_t *msg)
{
    tpa_sctp_assoc_t *a = tpa_flow_cold(f)->sctp;
    a->st.messages++;
    if (!a->ppid_known || a->ppid_last != ppid) { /* the table is fixed: remember one */
        a->ppid_last = ppid;
        a->ppid_app = tpa_dissect_app_for_ppid(ppid);
        a->ppid_known = true;
    }
    uint16_t app = a->ppid_app;
    if (!app) app = f->app;
    const tpa_dissector_t *row = tpa_dissect_row(app);
    tpa_dissect_ctx_t c;
    tpa_dec_ctx_init(&c, d, p, f, side, TPA_T_SCTP);
    c.ppid = ppid;
    c.stream = sid;
    c.row = row;
    if (d->tap) d->tap(d->tap_ud, &c, msg, 0);
    if (!row || !row->dissect || tpa_rd_remaining(msg) == 0) return;
    row->dissect(&c, msg);
}

/* Copies the run [first, last] into one block, hands it on, frees the run; returns the
 * node after it. */
static frag_t *deliver_run(tpa_decoder_t *d, tpa_pkt_t *p, tpa_flow_t *f, int side, frag_t *first,
                           frag_t *last)
{
    tpa_sctp_assoc_t *a = tpa_flow_cold(f)->sctp;
    size_t total = 0;
    for (frag_t *g = first;; g = g->next) {
        total += g->len;
        if (g == last) break;
    }
    uint8_t *buf = malloc(total ? total : 1);
    size_t at = 0;
    frag_t *after = last->next;
    uint32_t ppid = first->ppid;
    uint16_t sid = first->sid;
    for (frag_t *g = first, *n; g != after; g = n) {
        n = g->next;
        if (buf) memcpy(buf + at, g->data, g->len);
        at += g->len;
        frag_free(a, g);
    }
    if (buf) {
        a->st.fragmented++;
        tpa_rd_t r = tpa_rd_init(buf, total);
        deliver(d, p, f, side, ppid, sid, &r);
        free(buf);
    } else {
        a->st.fragments_dropped++;
    }
    return after;
}

/* Whether g continues the message whose previous fragment is prev. */
static bool continues(const frag_t *prev, const frag_t *g, bool idata)
{
    if (g->flags & FL_B) return false;
    if (g->sid != prev->sid || ((g->flags ^ prev->flags) & FL_U)) return false;
    if (idata) return g->mid == prev->mid && g->fsn == prev->fsn + 1;
    return g->tsn == prev->tsn + 1;
}

/* Delivers every complete message of a list. O(fragments). */
static void complete(tpa_decoder_t *d, tpa_pkt_t *p, tpa_flow_t *f, int side, frag_t **list,
                     bool idata)
{
    frag_t **start = NULL;
    frag_t *prev = NULL;
    for (frag_t **pp = list; *pp;) {
        frag_t *g = *pp;
        if (!(start && prev && continues(prev, g, idata))) start = (g->flags & FL_B) ? pp : NULL;
        if (start && (g->flags & FL_E)) {
            if (!idata) {
                tpa_sctp_assoc_t *a = tpa_flow_cold(f)->sctp;
                a->done[side] = true;
                a->done_lo[side] = (*start)->tsn;
                a->done_hi[side] = g->tsn;
            }
            *start = deliver_run(d, p, f, side, *start, g);
            pp = start;
            start = NULL;
            prev = NULL;
            continue;
        }
        prev = g;
        pp = &g->next;
    }
}

/* Order of fragments in a list: -1, 0 (same fragment), 1. */
static int frag_cmp(const frag_t *x, const frag_t *y, bool idata)
{
    if (!idata) return x->tsn == y->tsn ? 0 : (ser_lt(x->tsn, y->tsn) ? -1 : 1);
    if (x->sid != y->sid) return x->sid < y->sid ? -1 : 1;
    if ((x->flags ^ y->flags) & FL_U) return (x->flags & FL_U) ? 1 : -1;
    if (x->mid != y->mid) return ser_lt(x->mid, y->mid) ? -1 : 1;
    if (x->fsn != y->fsn) return ser_lt(x->fsn, y->fsn) ? -1 : 1;
    return 0;
}

/* Buffers one fragment (a copy of its bytes), making room if needed, then delivers
 * what became complete. */
static void add_fragment(tpa_decoder_t *d, tpa_pkt_t *p, tpa_flow_t *f, int side, bool idata,
                         const frag_t *k, const uint8_t *bytes)
{
    tpa_sctp_assoc_t *a = tpa_flow_cold(f)->sctp;
    frag_t **list = idata ? &a->idata[side] : &a->data[side];
    size_t need = (size_t)k->len + TPA_SCTP_FRAG_OVERHEAD;
    if (need > TPA_SCTP_ASSOC_BYTES) {
        a->st.fragments_dropped++;
        return;
    }
    frag_t **pp = list;
    while (*pp && frag_cmp(*pp, k, idata) < 0)
        pp = &(*pp)->next;
    if (*pp && frag_cmp(*pp, k, idata) == 0) { /* already buffered: first wins */
        a->st.fragments_dup++;
        return;
    }
    if (!idata && a->done[side] && !ser_lt(k->tsn, a->done_lo[side]) &&
        !ser_lt(a->done_hi[side], k->tsn)) { /* part of the message just joined */
        a->st.fragments_dup++;
        return;
    }
    /* make room: give up the lowest fragments of this direction */
    while ((a->bytes + need > TPA_SCTP_ASSOC_BYTES || a->nfrags >= TPA_SCTP_MAX_FRAGS ||
            *a->global + need > TPA_SCTP_TOTAL_BYTES) &&
           *list) {
        frag_t *g = *list;
        *list = g->next;
        frag_free(a, g);
        a->st.fragments_dropped++;
    }
    if (a->bytes + need > TPA_SCTP_ASSOC_BYTES || a->nfrags >= TPA_SCTP_MAX_FRAGS ||
        *a->global + need > TPA_SCTP_TOTAL_BYTES) {
        a->st.fragments_dropped++;
        return;
    }
    frag_t *g = malloc(sizeof *g + k->len);
    if (!g) {
        a->st.fragments_dropped++;
        return;
    }
    *g = *k;
    if (k->len) memcpy(g->data, bytes, k->len);
    /* re-find the place: room-making may have freed nodes before it */
    pp = list;
    while (*pp && frag_cmp(*pp, g, idata) < 0)
        pp = &(*pp)->next;
    g->next = *pp;
    *pp = g;
    a->bytes += need;
    *a->global += need;
    a->nfrags++;
    complete(d, p, f, side, list, idata);
}

static void tsn_bit(uint64_t *bm, uint32_t tsn)
{
    uint32_t i = tsn % TPA_SCTP_TSN_WINDOW;
    bm[i / 64] |= (uint64_t)1 << (i % 64);
}

/* Clears the bits of the n TSNs from `from` on (n < TPA_SCTP_TSN_WINDOW), a word at a
 * time: a jump forward by k costs O(k / 64), not O(k). */
static void tsn_clear(uint64_t *bm, uint32_t from, uint32_t n)
{
    uint32_t i = from % TPA_SCTP_TSN_WINDOW;
    while (n > 0) {
        uint32_t b = i % 64;
        uint32_t take = 64 - b < n ? 64 - b : n;
        uint64_t mask = take == 64 ? ~(uint64_t)0 : (((uint64_t)1 << take) - 1) << b;
        bm[i / 64] &= ~mask;
        n -= take;
        i = (i + take) % TPA_SCTP_TSN_WINDOW;
    }
}

/* Records DATA TSN tsn of key side `side`; true when it was already received (or is
 * older than the window). O(1) amortised: a jump forward clears at most the window.
 * The common case, the next TSN in order, clears nothing. */
static bool tsn_seen_before(tpa_sctp_assoc_t *a, int side, uint32_t tsn)
{
    uint64_t *bm = a->tsn_seen[side];
    uint32_t hi = a->tsn_hi[side];

    if (!a->tsn_any[side] || (tsn - hi >= TPA_SCTP_TSN_WINDOW && ser_lt(hi, tsn))) {
        memset(a->tsn_seen[side], 0, sizeof a->tsn_seen[side]);
        a->tsn_any[side] = true;
    } else if (ser_lt(hi, tsn)) {
        tsn_clear(bm, hi + 1, tsn - hi - 1); /* the TSNs skipped: not received yet */
    } else {
        uint32_t i = tsn % TPA_SCTP_TSN_WINDOW;
        if (hi - tsn >= TPA_SCTP_TSN_WINDOW || (bm[i / 64] >> (i % 64) & 1)) return true;
        tsn_bit(bm, tsn);
        return false;
    }
    a->tsn_hi[side] = tsn;
    tsn_bit(bm, tsn);
    return false;
}

/* A DATA (idata false) or I-DATA chunk value after its 4-byte header. */
static void data_chunk(tpa_decoder_t *d, tpa_pkt_t *p, tpa_flow_t *f, int side, bool idata,
                       uint8_t flags, tpa_rd_t *ch, bool cut)
{
    tpa_sctp_assoc_t *a = tpa_flow_cold(f)->sctp;
    frag_t k;
    memset(&k, 0, sizeof k);
    k.flags = flags;
    k.tsn = tpa_rd_be32(ch);
    k.sid = tpa_rd_be16(ch);
    if (idata) { /* reserved, MID, PPID (B set) or FSN */
        tpa_rd_skip(ch, 2);
        k.mid = tpa_rd_be32(ch);
        uint32_t v = tpa_rd_be32(ch);
        if (flags & FL_B)
            k.ppid = v;
        else
            k.fsn = v;
    } else { /* stream sequence number, PPID */
        tpa_rd_skip(ch, 2);
        k.ppid = tpa_rd_be32(ch);
    }
    a->st.data_chunks++;
    if (a->st.data_chunks == 1) a->st.first_ppid = k.ppid;
    if (!idata || (flags & FL_B)) {
        bool known = false;
        for (int i = 0; i < a->st.nppids; i++)
            known |= a->st.ppids[i] == k.ppid;
        if (!known && a->st.nppids < TPA_SCTP_PPIDS) a->st.ppids[a->st.nppids++] = k.ppid;
    }
    /* detection sees every DATA chunk with its PPID, as before reassembly existed
     * (until the flow has its app: tpa_dissect_detect() does nothing after that) */
    if (!f->app) {
        tpa_dissect_ctx_t c;
        tpa_dec_ctx_init(&c, d, p, f, side, TPA_T_SCTP);
        c.ppid = idata && !(flags & FL_B) ? 0 : k.ppid;
        c.stream = k.sid;
        tpa_dissect_detect(&c, ch);
    }

    if (!idata && !ch->err && tsn_seen_before(a, side, k.tsn)) {
        a->st.data_retransmitted++;
        return;
    }
    size_t len = tpa_rd_remaining(ch);
    if ((flags & (FL_B | FL_E)) == (FL_B | FL_E)) {
        deliver(d, p, f, side, k.ppid, k.sid, ch); /* whole message, no copy */
        return;
    }
    if (cut) { /* a fragment missing bytes cannot be joined */
        a->st.fragments_dropped++;
        return;
    }
    k.len = (uint32_t)len;
    add_fragment(d, p, f, side, idata, &k, tpa_rd_span(ch, len));
}

/* ---- chunks ---- */

static size_t min_len(uint8_t type)
{
    switch (type) {
    case CT_DATA:
    case CT_SACK:
        return 16;
    case CT_INIT:
    case CT_INIT_ACK:
    case CT_IDATA:
        return 20;
    case CT_HEARTBEAT:
    case CT_HEARTBEAT_ACK:
    case CT_SHUTDOWN:
    case CT_ECNE:
    case CT_CWR:
    case CT_AUTH:
    case CT_FORWARD_TSN:
    case CT_ASCONF:
    case CT_IFORWARD_TSN:
        return 8;
    default:
        return 4;
    }
}

static void count_event(tpa_sctp_stats_t *st, uint8_t type)
{
    switch (type) {
    case CT_INIT:
        st->init++;
        st->close = TPA_SCTP_CLOSE_OPEN;
        break;
    case CT_INIT_ACK:
        st->init_ack++;
        break;
    case CT_SACK:
        st->sack++;
        break;
    case CT_HEARTBEAT:
        st->heartbeat++;
        break;
    case CT_HEARTBEAT_ACK:
        st->heartbeat_ack++;
        break;
    case CT_ABORT:
        st->abort++;
        st->close = TPA_SCTP_CLOSE_ABORT;
        break;
    case CT_SHUTDOWN:
        st->shutdown++;
        break;
    case CT_SHUTDOWN_ACK:
        st->shutdown_ack++;
        break;
    case CT_ERROR:
        st->error++;
        break;
    case CT_COOKIE_ECHO:
        st->cookie_echo++;
        break;
    case CT_COOKIE_ACK:
        st->cookie_ack++;
        break;
    case CT_SHUTDOWN_COMPLETE:
        st->shutdown_complete++;
        st->close = TPA_SCTP_CLOSE_SHUTDOWN;
        break;
    case CT_DATA:
    case CT_IDATA:
        break;
    default:
        st->other_chunks++;
    }
}

/* SACK (section 3.3.4): gap ack blocks and duplicate TSNs must fit its length. */
static bool sack_ok(tpa_rd_t ch)
{
    tpa_rd_skip(&ch, 8); /* cumulative TSN ack, a_rwnd */
    size_t ngap = tpa_rd_be16(&ch), ndup = tpa_rd_be16(&ch);
    return !ch.err && tpa_rd_remaining(&ch) >= 4 * (ngap + ndup);
}

void tpa_dec_sctp(tpa_decoder_t *d, tpa_pkt_t *p, const tpa_ipctx_t *ip, tpa_rd_t *r)
{
    if (!tpa_rd_has(r, 4)) {
        tpa_dec_short(d, p, TPA_MAL_SCTP_TRUNCATED);
        return;
    }
    uint16_t sport = tpa_rd_be16(r), dport = tpa_rd_be16(r);
    int side;
    tpa_flow_t *f = tpa_dec_flow(d, p, ip, 132, sport, dport, &side);
    if (!tpa_rd_has(r, 8)) {
        tpa_dec_short(d, p, TPA_MAL_SCTP_TRUNCATED);
        return;
    }
    tpa_rd_skip(r, 8); /* verification tag, checksum */
    tpa_flow_cold_t *fc = f ? tpa_flow_cold(f) : NULL;
    if (fc && !fc->sctp) {
        fc->sctp = calloc(1, sizeof *fc->sctp);
        if (fc->sctp) fc->sctp->global = &d->sctp_bytes;
    }
    if (f && !f->app) { /* ports decide even for packets without DATA */
        tpa_dissect_ctx_t c;
        tpa_dissect_ctx_init(&c, d, p, f, side, TPA_T_SCTP);
        tpa_rd_t none = tpa_rd_init(NULL, 0);
        tpa_dissect_detect(&c, &none);
    }
    tpa_sctp_assoc_t *a = fc ? fc->sctp : NULL;
    unsigned nchunks = 0;
    bool lone = false, lone_bad = false; /* a chunk that must travel alone was seen */
    while (tpa_rd_remaining(r) > 0) {
        if (!tpa_rd_has(r, 4)) {
            tpa_dec_short(d, p, TPA_MAL_SCTP_CHUNK_TRUNCATED);
            return;
        }
        uint8_t type = tpa_rd_u8(r);
        uint8_t flags = tpa_rd_u8(r);
        uint16_t len = tpa_rd_be16(r);
        if (len < 4) {
            tpa_dec_mal(d, p, TPA_MAL_SCTP_CHUNK_LEN_INVALID);
            return;
        }
        nchunks++;
        if (type == CT_INIT || type == CT_INIT_ACK || type == CT_SHUTDOWN_COMPLETE) lone = true;
        if (lone && nchunks >= 2 && !lone_bad) {
            tpa_dec_mal(d, p, TPA_MAL_SCTP_NOT_BUNDLEABLE);
            lone_bad = true;
        }
        bool cut = !tpa_rd_has(r, len - 4u);
        if (cut) tpa_dec_short(d, p, TPA_MAL_SCTP_CHUNK_TRUNCATED);
        tpa_rd_t ch = tpa_rd_sub_upto(r, len - 4u);
        /* padding to a multiple of 4, not counted in len; missing at the very end of
         * the packet is accepted, its value is ignored (RFC 9260 section 3.2) */
        size_t pad = (4 - (len & 3)) & 3;
        size_t rem = tpa_rd_remaining(r);
        tpa_rd_skip(r, pad < rem ? pad : rem);
        if (len < min_len(type) || (type == CT_SACK && !cut && !sack_ok(ch))) {
            if (!cut) tpa_dec_mal(d, p, TPA_MAL_SCTP_CHUNK_LEN_INVALID);
            return;
        }
        if (a) count_event(&a->st, type);
        if ((type == CT_DATA || type == CT_IDATA) && len == min_len(type)) {
            tpa_dec_mal(d, p, TPA_MAL_SCTP_DATA_EMPTY);
            if (a) a->st.data_chunks++;
            continue;
        }
        if ((type == CT_DATA || type == CT_IDATA) && a) {
            if (!tpa_rd_has(&ch, min_len(type) - 4)) { /* cut inside the DATA header */
                a->st.data_chunks++;
                return;
            }
            data_chunk(d, p, f, side, type == CT_IDATA, flags, &ch, cut);
        }
        if (cut) return;
    }
}
