/* tpa_reasm.c - IP fragment reassembly, first-wins on overlap (see tpa_reasm.h). */
#include "tpa_reasm.h"

#include <stdlib.h>
#include <string.h>

#define NBUCKETS 1024     /* power of two */
#define MAX_IVS 64        /* disjoint received ranges per datagram */
#define POOL_DGRAMS 32    /* finished datagrams kept for reuse, with their buffers */
#define POOL_BUF_MAX 8192 /* largest buffer kept with a pooled datagram */

typedef struct iv {
    uint32_t s, e;
} iv_t;

typedef struct dgram dgram_t;
struct dgram {
    tpa_reasm_key_t key;
    dgram_t *hnext;
    dgram_t *aprev, *anext; /* age list, oldest first */
    size_t bucket;          /* hash(&key): its bucket */
    int64_t first_us;
    uint8_t *buf;
    size_t cap;     /* bytes charged to the budget: the size the datagram has grown to */
    size_t phys;    /* bytes allocated at buf (>= cap: a reused buffer may be larger) */
    uint32_t total; /* valid when have_last */
    bool have_last;
    uint16_t nivs;
    iv_t ivs[MAX_IVS];
    uint32_t frames;
    uint64_t bytes;
};

struct tpa_reasm {
    dgram_t *buckets[NBUCKETS];
    dgram_t *old, *young;
    size_t open, buffered;
    size_t max_bytes, max_dgrams;
    int64_t timeout_us;
    dgram_t *done; /* completed datagrams (chained by hnext) until release */
    dgram_t *pool; /* released datagrams for reuse (chained by hnext), at most POOL_DGRAMS:
                      a fragmented flow does not malloc and free per datagram */
    size_t npool;
    tpa_reasm_stats_t st;
};

tpa_reasm_t *tpa_reasm_new(size_t max_bytes, size_t max_datagrams, int64_t timeout_us)
{
    tpa_reasm_t *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->max_bytes = max_bytes;
    r->max_dgrams = max_datagrams ? max_datagrams : 1;
    r->timeout_us = timeout_us;
    return r;
}

/* Frees g, or keeps it (and a small buffer) in the pool. */
static void dg_free(tpa_reasm_t *r, dgram_t *g)
{
    if (!g) return;
    if (r->npool < POOL_DGRAMS && g->phys <= POOL_BUF_MAX) {
        g->hnext = r->pool;
        r->pool = g;
        r->npool++;
        return;
    }
    free(g->buf);
    free(g);
}

/* Independent products of the key's five 64-bit words and its last 32 bits, folded:
 * no chain of eleven dependent rounds per fragment. */
static size_t hash(const tpa_reasm_key_t *k)
{
    _Static_assert(sizeof *k == 44, "hash reads a key as five words and a half");
    uint64_t w[5];
    uint32_t last;
    memcpy(w, k, sizeof w);
    memcpy(&last, (const unsigned char *)k + sizeof w, sizeof last);
    uint64_t h = w[0] * 0x9E3779B97F4A7C15ULL ^ w[1] * 0xC2B2AE3D27D4EB4FULL ^
                 w[2] * 0x165667B19E3779F9ULL ^ w[3] * 0xD6E8FEB86659FD93ULL ^
                 (w[4] ^ (uint64_t)last << 17) * 0xFF51AFD7ED558CCDULL;
    h ^= h >> 32;
    h *= 0x94D049BB133111EBULL;
    h ^= h >> 29;
    return (size_t)h & (NBUCKETS - 1);
}

/* Unlinks g from the hash and the age list; does not free. */
static void unlink_dg(tpa_reasm_t *r, dgram_t *g)
{
    for (dgram_t **pp = &r->buckets[g->bucket]; *pp; pp = &(*pp)->hnext) {
        if (*pp == g) {
            *pp = g->hnext;
            break;
        }
    }
    if (g->aprev)
        g->aprev->anext = g->anext;
    else
        r->old = g->anext;
    if (g->anext)
        g->anext->aprev = g->aprev;
    else
        r->young = g->aprev;
    r->open--;
    r->buffered -= g->cap;
}

static void drop(tpa_reasm_t *r, dgram_t *g)
{
    unlink_dg(r, g);
    r->st.dropped++;
    r->st.dropped_frames += g->frames;
    r->st.dropped_bytes += g->bytes;
    dg_free(r, g);
}

void tpa_reasm_destroy(tpa_reasm_t **rp)
{
    if (!rp || !*rp) return;
    tpa_reasm_t *r = *rp;
    while (r->old) {
        dgram_t *g = r->old;
        unlink_dg(r, g);
        dg_free(r, g);
    }
    tpa_reasm_release(r);
    while (r->pool) {
        dgram_t *g = r->pool;
        r->pool = g->hnext;
        free(g->buf);
        free(g);
    }
    free(r);
    *rp = NULL;
}

void tpa_reasm_release(tpa_reasm_t *r)
{
    while (r->done) {
        dgram_t *g = r->done;
        r->done = g->hnext;
        dg_free(r, g);
    }
}

void tpa_reasm_expire(tpa_reasm_t *r, int64_t now_us)
{
    if (r->timeout_us <= 0) return;
    while (r->old && r->old->first_us + r->timeout_us < now_us)
        drop(r, r->old);
}

void tpa_reasm_flush(tpa_reasm_t *r)
{
    while (r->old)
        drop(r, r->old);
}

void tpa_reasm_get_stats(const tpa_reasm_t *r, tpa_reasm_stats_t *st)
{
    *st = r->st;
}

size_t tpa_reasm_open(const tpa_reasm_t *r)
{
    return r->open;
}

size_t tpa_reasm_buffered(const tpa_reasm_t *r)
{
    return r->buffered;
}

/* The datagram of k in bucket h (hash(k)), or NULL. */
static dgram_t *find(tpa_reasm_t *r, const tpa_reasm_key_t *k, size_t h)
{
    for (dgram_t *g = r->buckets[h]; g; g = g->hnext)
        if (memcmp(&g->key, k, sizeof *k) == 0) return g;
    return NULL;
}

/* A new datagram for k in bucket h (hash(k)), or NULL when out of memory. */
static dgram_t *create(tpa_reasm_t *r, const tpa_reasm_key_t *k, size_t h, int64_t now_us)
{
    while (r->open >= r->max_dgrams && r->old)
        drop(r, r->old);
    dgram_t *g = r->pool;
    if (g) { /* reuse: reset what a new datagram reads (ivs beyond nivs are never read) */
        r->pool = g->hnext;
        r->npool--;
        g->anext = NULL;
        g->cap = 0;
        g->total = 0;
        g->have_last = false;
        g->nivs = 0;
        g->frames = 0;
        g->bytes = 0;
    } else {
        g = calloc(1, sizeof *g);
        if (!g) return NULL;
    }
    g->key = *k;
    g->bucket = h;
    g->first_us = now_us;
    g->hnext = r->buckets[h];
    r->buckets[h] = g;
    g->aprev = r->young;
    if (r->young)
        r->young->anext = g;
    else
        r->old = g;
    r->young = g;
    r->open++;
    return g;
}

/* Makes g->buf hold at least need bytes, within the global byte budget. */
static int reserve(tpa_reasm_t *r, dgram_t *g, size_t need)
{
    if (g->cap >= need) return 0;
    size_t nc = g->cap ? g->cap : 2048;
    while (nc < need)
        nc *= 2;
    if (nc > TPA_REASM_MAX_LEN) nc = TPA_REASM_MAX_LEN;
    while (r->buffered - g->cap + nc > r->max_bytes && r->old && r->old != g)
        drop(r, r->old);
    if (r->buffered - g->cap + nc > r->max_bytes) return -1;
    if (nc > g->phys) {
        uint8_t *b = realloc(g->buf, nc);
        if (!b) return -1;
        g->buf = b;
        g->phys = nc;
    }
    r->buffered += nc - g->cap;
    g->cap = nc;
    return 0;
}

/* Copies the parts of [s, e) not yet received (first wins); returns whether any
 * received range overlapped. */
static bool fill_gaps(dgram_t *g, uint32_t s, uint32_t e, const uint8_t *data)
{
    bool ov = false;
    uint32_t p = s;
    for (uint16_t i = 0; i < g->nivs && p < e; i++) {
        const iv_t *v = &g->ivs[i];
        if (v->e <= p) continue;
        if (v->s >= e) break;
        ov = true;
        if (v->s > p) memcpy(g->buf + p, data + (p - s), v->s - p);
        if (v->e > p) p = v->e;
    }
    if (p < e) memcpy(g->buf + p, data + (p - s), e - p);
    return ov;
}

/* Inserts [s, e) into the sorted disjoint range list, merging touching ranges.
 * Returns -1 when the list is full. */
static int add_iv(dgram_t *g, uint32_t s, uint32_t e)
{
    iv_t out[MAX_IVS + 1];
    uint16_t n = 0;
    bool placed = false;
    for (uint16_t i = 0; i < g->nivs; i++) {
        iv_t v = g->ivs[i];
        if (v.e < s) {
            out[n++] = v;
        } else if (v.s > e) {
            if (!placed) {
                out[n++] = (iv_t){s, e};
                placed = true;
            }
            out[n++] = v;
        } else {
            if (v.s < s) s = v.s;
            if (v.e > e) e = v.e;
        }
        if (n > MAX_IVS) return -1;
    }
    if (!placed) out[n++] = (iv_t){s, e};
    if (n > MAX_IVS) return -1;
    memcpy(g->ivs, out, n * sizeof out[0]);
    g->nivs = n;
    return 0;
}

int tpa_reasm_add(tpa_reasm_t *r, const tpa_reasm_key_t *k, int64_t now_us, uint32_t off, bool more,
                  const uint8_t *data, size_t len, uint32_t wirelen, tpa_reasm_out_t *out,
                  bool *overlap)
{
    *overlap = false;
    tpa_reasm_expire(r, now_us);
    if ((uint64_t)off + len > TPA_REASM_MAX_LEN) return TPA_REASM_TOO_BIG;
    uint32_t s = off, e = off + (uint32_t)len;
    size_t h = hash(k);
    dgram_t *g = find(r, k, h);
    if (g && g->have_last && (e > g->total || (!more && e != g->total)))
        return TPA_REASM_INCONSISTENT;
    if (g && !g->have_last && !more && g->nivs && g->ivs[g->nivs - 1].e > e)
        return TPA_REASM_INCONSISTENT;
    if (!g) {
        g = create(r, k, h, now_us);
        if (!g) return TPA_REASM_NOMEM;
    }
    if (g->frames >= TPA_REASM_MAX_FRAMES) {
        drop(r, g);
        return TPA_REASM_TOO_MANY;
    }
    if (e > s) {
        if (reserve(r, g, e) < 0) {
            drop(r, g);
            return TPA_REASM_NOMEM;
        }
        *overlap = fill_gaps(g, s, e, data);
        if (add_iv(g, s, e) < 0) {
            drop(r, g);
            return TPA_REASM_TOO_MANY;
        }
    }
    if (!more) {
        g->have_last = true;
        g->total = e;
    }
    if (g->have_last && g->nivs == 1 && g->ivs[0].s == 0 && g->ivs[0].e == g->total) {
        out->data = g->buf;
        out->len = g->total;
        out->other_frames = g->frames;
        out->other_bytes = g->bytes;
        out->first_us = g->first_us;
        unlink_dg(r, g);
        g->hnext = r->done;
        r->done = g;
        r->st.reassembled++;
        return TPA_REASM_DONE;
    }
    g->frames++;
    g->bytes += wirelen;
    return TPA_REASM_HELD;
}
