/* tpa_tcp_stream.c - in-order TCP byte stream of one direction (see tpa_tcp_stream.h).
 *
 * The buffer is a singly linked list of pieces sorted by stream offset, never
 * overlapping, all at or after next_off. A piece holds `len` captured bytes followed
 * by `miss` bytes known to be missing (a snaplen-cut segment's tail).
 */
#include "tpa_tcp_stream.h"

#include <stdlib.h>
#include <string.h>

#include "tpa_err.h"

typedef struct seg {
    struct seg *next;
    uint64_t off;
    uint32_t len;
    uint32_t miss;
    uint8_t data[];
} seg_t;

#define BLOCK_BYTES (64u << 10) /* records are carved from blocks this large */

/* A block of records; its first 64 bytes hold the link to the previous block. */
typedef struct block {
    struct block *prev;
} block_t;

struct tpa_tcp_pool {
    size_t max, used;
    uint64_t forced;
    block_t *blocks;           /* the newest first */
    unsigned char *room, *end; /* what is left of the newest block */
};

struct tpa_tcp_stream {
    tpa_tcp_pool_t *pool;
    size_t max, used;
    unsigned nsegs;
    uint32_t start_seq;
    uint64_t next_off;    /* offset of the next byte to deliver */
    uint64_t pending_gap; /* missing bytes to report with the next delivery */
    seg_t *head;
    tpa_tcp_stream_stats_t st;
};

tpa_tcp_pool_t *tpa_tcp_pool_new(size_t max_bytes)
{
    tpa_tcp_pool_t *p = calloc(1, sizeof *p);
    if (p) p->max = max_bytes;
    return p;
}

void tpa_tcp_pool_destroy(tpa_tcp_pool_t **p)
{
    if (!p || !*p) return;
    for (block_t *b = (*p)->blocks, *prev; b; b = prev) {
        prev = b->prev;
        free(b);
    }
    free(*p);
    *p = NULL;
}

void *tpa_tcp_pool_record(tpa_tcp_pool_t *p, size_t size)
{
    size = (size + 63) / 64 * 64;
    if (size == 0 || size > TPA_TCP_POOL_RECORD_MAX) return NULL;
    if ((size_t)(p->end - p->room) < size) {
        block_t *b = aligned_alloc(64, BLOCK_BYTES);
        if (!b) return NULL;
        b->prev = p->blocks;
        p->blocks = b;
        p->room = (unsigned char *)b + 64;
        p->end = (unsigned char *)b + BLOCK_BYTES;
    }
    void *r = p->room;
    p->room += size;
    memset(r, 0, size);
    return r;
}

size_t tpa_tcp_pool_used(const tpa_tcp_pool_t *p)
{
    return p->used;
}

uint64_t tpa_tcp_pool_forced(const tpa_tcp_pool_t *p)
{
    return p->forced;
}

tpa_tcp_stream_t *tpa_tcp_stream_new(tpa_tcp_pool_t *pool, size_t max_bytes, uint32_t start_seq)
{
    tpa_tcp_stream_t *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->pool = pool;
    s->max = max_bytes;
    s->start_seq = start_seq;
    return s;
}

static void seg_free(tpa_tcp_stream_t *s, seg_t *g)
{
    size_t charge = (size_t)g->len + TPA_TCP_STREAM_SEG_OVERHEAD;
    s->used -= charge;
    if (s->pool) s->pool->used -= charge;
    s->nsegs--;
    free(g);
}

void tpa_tcp_stream_destroy(tpa_tcp_stream_t **sp)
{
    if (!sp || !*sp) return;
    tpa_tcp_stream_t *s = *sp;
    while (s->head) {
        seg_t *g = s->head;
        s->head = g->next;
        seg_free(s, g);
    }
    free(s);
    *sp = NULL;
}

static uint64_t seg_end(const seg_t *g)
{
    return g->off + g->len + g->miss;
}

/* Hands len bytes at next_off to fn with the pending gap, then accounts for `miss`
 * bytes known missing after them. */
static void emit(tpa_tcp_stream_t *s, const uint8_t *data, size_t len, uint64_t miss,
                 tpa_tcp_stream_fn fn, void *ud)
{
    uint64_t gap = s->pending_gap;
    if (len || gap) {
        s->pending_gap = 0;
        if (gap) {
            s->st.gaps++;
            s->st.gap_bytes += gap;
        }
        s->st.delivered += len;
        fn(ud, len ? data : NULL, len, gap);
    }
    s->next_off += len + miss;
    s->pending_gap += miss;
}

/* Delivers the buffered pieces that are now in order. */
static void drain(tpa_tcp_stream_t *s, tpa_tcp_stream_fn fn, void *ud)
{
    while (s->head && s->head->off == s->next_off) {
        seg_t *g = s->head;
        s->head = g->next;
        emit(s, g->data, g->len, g->miss, fn, ud);
        seg_free(s, g);
    }
}

/* Gives up waiting for the bytes before `off` (> next_off): they become a gap. */
static void skip_to(tpa_tcp_stream_t *s, uint64_t off)
{
    s->pending_gap += off - s->next_off;
    s->next_off = off;
    s->st.forced++;
}

int tpa_tcp_stream_add(tpa_tcp_stream_t *s, uint32_t seq, const uint8_t *data, size_t caplen,
                       uint32_t len, tpa_tcp_stream_fn fn, void *ud)
{
    int rc = 0;
    if (len == 0) return 0;
    if (caplen > len) caplen = len;
    if (!data) caplen = 0;
    uint32_t next_seq = s->start_seq + (uint32_t)s->next_off;
    int64_t a = (int64_t)s->next_off + (int32_t)(seq - next_seq); /* serial arithmetic */
    int64_t b = a + len, c = a + (int64_t)caplen;
    int64_t cur = a;
    while (cur < b) {
        int64_t next = (int64_t)s->next_off;
        if (cur < next) { /* already delivered (or given up): first wins */
            int64_t y = b < next ? b : next;
            s->st.dup_bytes += (uint64_t)(y - cur);
            cur = y;
            continue;
        }
        seg_t **pp = &s->head;
        while (*pp && (int64_t)seg_end(*pp) <= cur)
            pp = &(*pp)->next;
        if (*pp && (int64_t)(*pp)->off <= cur) { /* already buffered: first wins */
            int64_t e = (int64_t)seg_end(*pp);
            int64_t y = b < e ? b : e;
            s->st.dup_bytes += (uint64_t)(y - cur);
            cur = y;
            continue;
        }
        int64_t y = b;
        if (*pp && (int64_t)(*pp)->off < y) y = (int64_t)(*pp)->off;
        /* the piece [cur, y): captured bytes [cur, min(y, c)), then missing ones */
        int64_t dend = c < y ? c : y;
        size_t dlen = dend > cur ? (size_t)(dend - cur) : 0;
        const uint8_t *dp = dlen ? data + (cur - a) : NULL;
        uint64_t miss = (uint64_t)(y - cur) - dlen;
        if (cur == next) { /* in order: straight from the caller's memory */
            emit(s, dp, dlen, miss, fn, ud);
            drain(s, fn, ud);
            cur = y;
            continue;
        }
        size_t charge = dlen + TPA_TCP_STREAM_SEG_OVERHEAD;
        bool pool_full = s->pool && s->pool->used + charge > s->pool->max;
        bool fits = !pool_full && s->used + charge <= s->max && s->nsegs < TPA_TCP_STREAM_MAX_SEGS;
        seg_t *g = fits ? malloc(sizeof *g + dlen) : NULL;
        if (!g) {
            if (fits) rc = TPA_ERR_NOMEM;
            if (pool_full) s->pool->forced++;
            if (!s->head || cur < (int64_t)s->head->off) {
                /* the piece lies in the first hole: give up on the bytes before it */
                skip_to(s, (uint64_t)cur);
            } else {
                /* give up on the first hole and release what follows it */
                skip_to(s, s->head->off);
                drain(s, fn, ud);
            }
            continue; /* cur is unchanged and now in order or after a smaller buffer */
        }
        g->off = (uint64_t)cur;
        g->len = (uint32_t)dlen;
        g->miss = (uint32_t)miss;
        if (dlen) memcpy(g->data, dp, dlen);
        g->next = *pp;
        *pp = g;
        s->used += charge;
        if (s->pool) s->pool->used += charge;
        s->nsegs++;
        s->st.ooo_bytes += dlen;
        cur = y;
    }
    return rc;
}

void tpa_tcp_stream_flush(tpa_tcp_stream_t *s, tpa_tcp_stream_fn fn, void *ud)
{
    while (s->head) {
        s->pending_gap += s->head->off - s->next_off;
        s->next_off = s->head->off;
        drain(s, fn, ud);
    }
    if (s->pending_gap) emit(s, NULL, 0, 0, fn, ud);
}

uint32_t tpa_tcp_stream_next_seq(const tpa_tcp_stream_t *s)
{
    return s->start_seq + (uint32_t)s->next_off;
}

size_t tpa_tcp_stream_buffered(const tpa_tcp_stream_t *s)
{
    return s->used;
}

const tpa_tcp_stream_stats_t *tpa_tcp_stream_stats(const tpa_tcp_stream_t *s)
{
    return &s->st;
}
