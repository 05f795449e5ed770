/* tpa_flow.c - direction-independent flow table (see tpa_flow.h). */
#include "tpa_flow.h"
#include "tpa_flow_int.h"

#include "tpa_bigmem.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#if UINTPTR_MAX == UINT64_MAX
_Static_assert(offsetof(tpa_flow_t, pkts) == 64 && sizeof(tpa_flow_t) == 128,
               "tpa_flow_t: lookup fields and flags in the first 64 bytes, per-packet ones in the "
               "next 64");
_Static_assert(sizeof(tpa_flow_cold_t) <= 64, "tpa_flow_cold_t: one cache line");
#endif

#define HOT_SIZE sizeof(tpa_flow_t)
#define COLD_SIZE ((size_t)64)
#define SLAB_FLOWS TPA_FLOW_SLAB_FLOWS /* flows per slab */
#define SLAB_BYTES ((size_t)TPA_FLOW_SLAB_BYTES)
_Static_assert(SLAB_FLOWS * (sizeof(tpa_flow_t) + COLD_SIZE) <= SLAB_BYTES &&
                   (SLAB_FLOWS + 1) * (sizeof(tpa_flow_t) + COLD_SIZE) > SLAB_BYTES,
               "a slab holds as many flows as fit");
_Static_assert(sizeof(tpa_flow_t) == 2 * COLD_SIZE, "tpa_flow_cold: offset / 2");
/* Slabs per huge page: the first slab is malloc'ed (a small capture keeps a small
 * table), the next ones are carved from huge pages (tpa_bigmem.h): flows are read
 * at random, one or two per packet, and with 4 KB pages each costs a TLB miss too. */
#define CHUNK_SLABS (TPA_BIGMEM_PAGE / SLAB_BYTES)
_Static_assert(TPA_BIGMEM_PAGE % SLAB_BYTES == 0, "slabs tile a huge page");
_Static_assert(TPA_BIGMEM_PAGE >= TPA_BIGMEM_MIN,
               "a huge page's worth is a mapping aligned to 2 MB, so every slab to its size");

/* Flows are never freed before the table, so they are carved from slabs: no malloc
 * header or alignment slack between them, a flow's hot part starts on a 128-byte
 * boundary, its cold part on a cache line (tpa_flow.h). Flow id i is flow
 * (i - 1) % SLAB_FLOWS of slab (i - 1) / SLAB_FLOWS; an index slot holds that place
 * as slab << TPA_FLOW_PLACE_BITS | flow + 1 (no division by SLAB_FLOWS on a lookup),
 * not a pointer. The index, the table and the packet's lookup and count are in
 * tpa_flow_int.h. */

/* The largest id whose place fits 32 bits (create turns down more flows). */
#define MAX_ID ((uint32_t)(((UINT32_MAX >> TPA_FLOW_PLACE_BITS) - 1) * SLAB_FLOWS))

static const int64_t timeout_us[TPA_FLOW_NCLS] = {TPA_FLOW_TIMEOUT_UDP_US, TPA_FLOW_TIMEOUT_TCP_US,
                                                  TPA_FLOW_TIMEOUT_CLOSED_US};

static uint64_t random_seed(void)
{
    uint64_t s = 0;
    if (getrandom(&s, sizeof s, GRND_NONBLOCK) != (ssize_t)sizeof s) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        s = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ULL ^ (uint64_t)ts.tv_sec;
    }
    return s | 1;
}

tpa_flow_table_t *tpa_flow_table_new(void)
{
    tpa_flow_table_t *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->nslots = 1024;
    t->slots = calloc(t->nslots, sizeof *t->slots);
    if (!t->slots) {
        free(t);
        return NULL;
    }
    t->wheel = calloc(TPA_FLOW_NCLS, sizeof *t->wheel);
    if (!t->wheel) {
        free(t->slots);
        free(t);
        return NULL;
    }
    for (int c = 0; c < TPA_FLOW_NCLS; c++)
        t->cursor[c] = t->cmax[c] = INT64_MIN;
    t->seed = random_seed();
    uint64_t x = t->seed; /* splitmix64: seven more random words */
    for (int i = 0; i < 7; i++) {
        uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        t->secret[i] = (z ^ (z >> 31)) | 1;
    }
    t->next_id = 1;
    return t;
}

void tpa_flow_table_destroy(tpa_flow_table_t **tp)
{
    if (!tp || !*tp) return;
    tpa_flow_table_t *t = *tp;
    for (uint32_t id = 1; id < t->next_id; id++)
        if (t->on_release) t->on_release(t->hook_ud, t->byid[id]);
    for (size_t i = 0; i < t->nslab; i++) {
        if (i == 0)
            free(t->slab[i]);
        else if ((i - 1) % CHUNK_SLABS == 0)
            tpa_bigmem_free(t->slab[i], 1, TPA_BIGMEM_PAGE);
    }
    free(t->slab);
    free(t->standin);
    free(t->byid);
    free(t->node);
    free(t->wheel);
    free(t->slots);
    free(t);
    *tp = NULL;
}

void tpa_flow_table_hooks(tpa_flow_table_t *t, tpa_flow_hook_fn finish, tpa_flow_hook_fn release,
                          void *ud)
{
    t->on_finish = finish;
    t->on_release = release;
    t->hook_ud = ud;
}

/* Big-endian 32-bit word i of an address (compares like memcmp on those bytes). */
static inline uint32_t addr_word(const uint8_t *a, size_t i)
{
    const uint8_t *p = a + 4 * i;
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int tpa_flow_key_make6(tpa_flow_key_t *k, uint8_t proto, const uint8_t *src, uint16_t sport,
                       const uint8_t *dst, uint16_t dport, uint32_t ctx)
{
    int c = 0; /* memcmp order over the 16 bytes */
    for (size_t i = 0; i < 4 && !c; i++) {
        uint32_t a = addr_word(src, i), b = addr_word(dst, i);
        c = (a > b) - (a < b);
    }
    if (!c) c = (sport > dport) - (sport < dport);
    int side = c <= 0 ? 0 : 1;
    *k = (tpa_flow_key_t){.proto = proto, .family = 6, .ctx = ctx};
    memcpy(k->addr[side], src, 16);
    memcpy(k->addr[!side], dst, 16);
    k->port[side] = sport;
    k->port[!side] = dport;
    return side;
}

/* The place of flow id (1 .. MAX_ID) for an index slot, never 0. */
static inline uint32_t place_of(uint32_t id)
{
    uint32_t i = id - 1;
    return (i / SLAB_FLOWS << TPA_FLOW_PLACE_BITS | i % SLAB_FLOWS) + 1;
}

/* The flow of id (1 .. next_id - 1). */
static inline tpa_flow_t *flow_at(const tpa_flow_table_t *t, uint32_t id)
{
    size_t i = id - 1;
    return (tpa_flow_t *)(void *)(t->slab[i / SLAB_FLOWS] + i % SLAB_FLOWS * HOT_SIZE);
}

static void lru_unlink(tpa_flow_table_t *t, tpa_flow_lru_t *l, uint32_t id)
{
    tpa_flow_node_t *n = &t->node[id];
    if (n->prev)
        t->node[n->prev].next = n->next;
    else
        l->head = n->next;
    if (n->next)
        t->node[n->next].prev = n->prev;
    else
        l->tail = n->prev;
    n->prev = n->next = 0;
}

static void lru_append(tpa_flow_table_t *t, tpa_flow_lru_t *l, uint32_t id)
{
    tpa_flow_node_t *n = &t->node[id];
    n->next = 0;
    n->prev = l->tail;
    if (l->tail)
        t->node[l->tail].next = id;
    else
        l->head = id;
    l->tail = id;
}

/* The second of capture time holding us (floor). */
static inline int64_t second_of(int64_t us)
{
    return us >= 0 ? us / 1000000 : -((-(us + 1)) / 1000000) - 1;
}

static inline uint32_t *bucket(tpa_flow_table_t *t, int cls, int64_t sec)
{
    return &t->wheel[cls][(uint64_t)sec & (TPA_FLOW_WHEEL - 1)];
}

static void bucket_add(tpa_flow_table_t *t, int cls, uint32_t id, int64_t sec)
{
    uint32_t *b = bucket(t, cls, sec);
    tpa_flow_node_t *n = &t->node[id];
    n->sec = sec;
    n->prev = 0;
    n->next = *b;
    if (*b) t->node[*b].prev = id;
    *b = id;
}

static void bucket_del(tpa_flow_table_t *t, int cls, uint32_t id)
{
    tpa_flow_node_t *n = &t->node[id];
    if (n->prev)
        t->node[n->prev].next = n->next;
    else
        *bucket(t, cls, n->sec) = n->next;
    if (n->next) t->node[n->next].prev = n->prev;
    n->prev = n->next = 0;
}

/* Sorts the list `head` (linked by node[].next) by touch stamp; returns the new head.
 * Merge sort: O(n log n), no memory. prev links are left stale. */
static uint32_t sort_touched(tpa_flow_table_t *t, uint32_t head)
{
    if (!head || !t->node[head].next) return head;
    uint32_t a = head, slow = head, fast = t->node[head].next;
    while (fast && t->node[fast].next) {
        slow = t->node[slow].next;
        fast = t->node[t->node[fast].next].next;
    }
    uint32_t b = t->node[slow].next;
    t->node[slow].next = 0;
    a = sort_touched(t, a);
    b = sort_touched(t, b);
    uint32_t out = 0, *tail = &out;
    while (a && b) {
        uint32_t *take = flow_at(t, a)->touch <= flow_at(t, b)->touch ? &a : &b;
        *tail = *take;
        tail = &t->node[*take].next;
        *take = *tail;
    }
    *tail = a ? a : b;
    return out;
}

/* A flow's touch stamp and id, for sorting many flows by stamp. */
typedef struct stamp {
    uint64_t touch;
    uint32_t id;
} stamp_t;

#define RADIX_BITS 11
#define RADIX_MIN 256 /* fewer flows than this: the list merge sort */

/* Sorts a[0..n) by touch, all stamps <= max: LSD radix, RADIX_BITS a pass, as many
 * passes as max needs (O(n) each); tmp holds n. Returns the array holding the result. */
static stamp_t *radix_touched(stamp_t *a, stamp_t *tmp, size_t n, uint64_t max)
{
    for (unsigned shift = 0; shift < 64 && max >> shift; shift += RADIX_BITS) {
        size_t at[(1u << RADIX_BITS) + 1] = {0};
        for (size_t i = 0; i < n; i++)
            at[(a[i].touch >> shift & ((1u << RADIX_BITS) - 1)) + 1]++;
        for (size_t b = 1; b <= 1u << RADIX_BITS; b++) /* at[b]: where digit b starts */
            at[b] += at[b - 1];
        for (size_t i = 0; i < n; i++)
            tmp[at[a[i].touch >> shift & ((1u << RADIX_BITS) - 1)]++] = a[i];
        stamp_t *x = a;
        a = tmp;
        tmp = x;
    }
    return a;
}

/* The list `all` (linked by node[].next, n flows) in touch order, as a new list; by
 * radix sort when it is long and the memory is there, else by sort_touched. */
static uint32_t sort_many(tpa_flow_table_t *t, uint32_t all, size_t n)
{
    stamp_t *a = n >= RADIX_MIN ? malloc(2 * n * sizeof *a) : NULL;
    if (!a) return sort_touched(t, all);
    size_t k = 0;
    for (uint32_t id = all; id; id = t->node[id].next)
        a[k++] = (stamp_t){flow_at(t, id)->touch, id};
    stamp_t *o = radix_touched(a, a + n, n, t->touches);
    for (size_t i = 0; i < n; i++)
        t->node[o[i].id].next = i + 1 < n ? o[i + 1].id : 0;
    uint32_t head = o[0].id;
    free(a);
    return head;
}

/* Leaves lazy mode: the flows of each class, out of the wheel, sorted by touch stamp
 * into the exact LRU lists that per-packet moves keep from now on. */
static void go_exact(tpa_flow_table_t *t)
{
    for (int c = 0; c < TPA_FLOW_NCLS; c++) {
        uint32_t all = 0;
        size_t n = 0;
        for (size_t i = 0; i < TPA_FLOW_WHEEL; i++) {
            for (uint32_t id = t->wheel[c][i], next; id; id = next) {
                next = t->node[id].next;
                t->node[id].next = all;
                all = id;
                n++;
            }
        }
        all = sort_many(t, all, n);
        tpa_flow_lru_t *l = &t->lru[c];
        l->head = l->tail = 0;
        for (uint32_t id = all, next; id; id = next) {
            next = t->node[id].next;
            lru_append(t, l, id);
        }
    }
    free(t->wheel);
    t->wheel = NULL;
    t->suspect = NULL;
}

/* Lazy mode: f was just stamped in its class. Keeps the touch order equal to the
 * last_us order, or leaves lazy mode when that cannot be kept. */
static void order_check(tpa_flow_table_t *t, tpa_flow_t *f)
{
    if (t->suspect && t->suspect != f) { /* the suspect stays out of order */
        go_exact(t);
        return;
    }
    if (f->last_us >= t->cmax[f->cls]) {
        t->cmax[f->cls] = f->last_us;
        t->suspect = NULL;
    } else {
        t->suspect = f;
    }
}

/* f joins the tail of its class (new flow, or a class change). */
static void cls_enter(tpa_flow_table_t *t, tpa_flow_t *f)
{
    f->touch = ++t->touches;
    if (t->wheel) {
        int64_t sec = second_of(f->last_us);
        if (sec >= t->cursor[f->cls]) {
            bucket_add(t, f->cls, f->id, sec);
            order_check(t, f);
            return;
        }
        go_exact(t); /* older than an expiry already done in its class */
    }
    lru_append(t, &t->lru[f->cls], f->id);
}

/* f leaves its class (a class change, or finished). */
static void cls_leave(tpa_flow_table_t *t, tpa_flow_t *f)
{
    if (t->wheel)
        bucket_del(t, f->cls, f->id);
    else
        lru_unlink(t, &t->lru[f->cls], f->id);
}

/* The zeroed flow for id t->next_id, or NULL when out of memory. */
static tpa_flow_t *flow_alloc(tpa_flow_table_t *t)
{
    size_t i = t->next_id - 1;
    if (i / SLAB_FLOWS == t->nslab) {
        if (t->nslab == t->capslab) {
            size_t nc = t->capslab ? t->capslab * 2 : 16;
            unsigned char **d = realloc(t->slab, nc * sizeof *d);
            if (!d) return NULL;
            t->slab = d;
            t->capslab = nc;
        }
        unsigned char *mem;
        if (t->nslab == 0)
            mem = aligned_alloc(SLAB_BYTES, SLAB_BYTES);
        else if ((t->nslab - 1) % CHUNK_SLABS == 0)
            mem = tpa_bigmem_calloc(1, TPA_BIGMEM_PAGE);
        else
            mem = t->slab[t->nslab - 1] + SLAB_BYTES;
        if (!mem) return NULL;
        t->slab[t->nslab++] = mem;
    }
    tpa_flow_t *f = flow_at(t, t->next_id);
    memset(f, 0, sizeof *f);
    memset(tpa_flow_cold(f), 0, sizeof(tpa_flow_cold_t));
    return f;
}

/* Makes room for id in byid and node; false when out of memory. */
static bool reserve_id(tpa_flow_table_t *t, uint32_t id)
{
    if (id < t->capid) return true;
    size_t nc = t->capid ? t->capid * 2 : 1024;
    tpa_flow_t **b = realloc(t->byid, nc * sizeof *b);
    if (!b) return false;
    t->byid = b;
    tpa_flow_node_t *n = realloc(t->node, nc * sizeof *n);
    if (!n) return false;
    memset(n + t->capid, 0, (nc - t->capid) * sizeof *n);
    t->node = n;
    t->capid = nc;
    return true;
}

/* Doubles the index; the slots carry their hash bits, so no key is read. */
static void grow(tpa_flow_table_t *t)
{
    size_t ns = t->nslots * 2, mask = ns - 1;
    tpa_flow_slot_t *n = calloc(ns, sizeof *n);
    if (!n) return; /* keep working at a higher load */
    for (size_t i = 0; i < t->nslots; i++) {
        if (!t->slots[i].at) continue;
        size_t j = t->slots[i].hash & mask;
        while (n[j].at)
            j = (j + 1) & mask;
        n[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = n;
    t->nslots = ns;
}

/* tpa_flow_get's miss: a new flow for k at slot i of the index (h: its hash bits). */
__attribute__((noinline)) static tpa_flow_t *create(tpa_flow_table_t *t, const tpa_flow_key_t *k,
                                                    uint32_t h, size_t i, int side, int64_t now_us,
                                                    bool *created)
{
    if ((t->live + 1) * 4 > t->nslots * 3) {
        grow(t);
        if (t->live + 1 >= t->nslots) return NULL; /* full, and no memory to grow */
        size_t mask = t->nslots - 1;
        for (i = h & mask; t->slots[i].at; i = (i + 1) & mask)
            ;
    }
    if (t->next_id > MAX_ID || !reserve_id(t, t->next_id)) return NULL;
    tpa_flow_t *f = flow_alloc(t);
    if (!f) return NULL;
    f->key = *k;
    f->id = t->next_id++;
    f->src_side = (uint8_t)side;
    f->cls = k->proto == 6 ? TPA_FLOW_CLS_TCP : TPA_FLOW_CLS_OTHER;
    f->last_us = now_us;
    tpa_flow_cold(f)->first_us = now_us;
    t->slots[i] = (tpa_flow_slot_t){h, place_of(f->id)};
    t->byid[f->id] = f;
    cls_enter(t, f);
    t->live++;
    *created = true;
    return f;
}

static inline tpa_flow_t *get(tpa_flow_table_t *t, const tpa_flow_key_t *k, int side,
                              int64_t now_us, bool *created)
{
    uint32_t h = tpa_flow_hash32(t, k);
    size_t i = 0;
    tpa_flow_t *f = tpa_flow_find(t, k, h, &i);
    if (!f) return create(t, k, h, i, side, now_us, created);
    *created = false;
    return f;
}

tpa_flow_t *tpa_flow_get(tpa_flow_table_t *t, const tpa_flow_key_t *k, int side, int64_t now_us,
                         bool *created)
{
    return get(t, k, side, now_us, created);
}

tpa_flow_t *tpa_flow_get_hint(tpa_flow_table_t *t, const tpa_flow_key_t *k, int side,
                              int64_t now_us, bool *created, tpa_flow_t *hint)
{
    if (tpa_flow_hint_is(hint, k)) {
        *created = false;
        return hint;
    }
    return get(t, k, side, now_us, created);
}

void tpa_flow_count(tpa_flow_table_t *t, tpa_flow_t *f, int side, uint64_t pkts, uint64_t bytes,
                    int64_t now_us)
{
    tpa_flow_count_in(t, f, side, pkts, bytes, now_us);
}

void tpa_flow_count_move(tpa_flow_table_t *t, tpa_flow_t *f)
{
    if (t->wheel) {
        order_check(t, f);
        return;
    }
    tpa_flow_lru_t *l = &t->lru[f->cls];
    if (l->tail != f->id) {
        lru_unlink(t, l, f->id);
        lru_append(t, l, f->id);
    }
}

tpa_flow_t *tpa_flow_create_count(tpa_flow_table_t *t, const tpa_flow_key_t *k, uint32_t h,
                                  size_t i, int side, int64_t now_us, uint64_t bytes, bool *created)
{
    tpa_flow_t *f = create(t, k, h, i, side, now_us, created);
    if (f) tpa_flow_count_in(t, f, side, 1, bytes, now_us);
    return f;
}

tpa_flow_t *tpa_flow_get_count(tpa_flow_table_t *t, const tpa_flow_key_t *k, int side,
                               int64_t now_us, uint64_t bytes, bool *created, tpa_flow_t *hint)
{
    return tpa_flow_get_count_in(t, k, side, now_us, bytes, created, hint);
}

void tpa_flow_tcp_flags_class(tpa_flow_table_t *t, tpa_flow_t *f, int side, uint8_t flags)
{
    f->tcp_flags |= flags;
    if (flags & TPA_TCP_FIN) f->tcp_fin |= (uint8_t)(1u << (side & 1));
    bool closed = (flags & TPA_TCP_RST) || f->tcp_fin == 3;
    if (closed && f->cls != TPA_FLOW_CLS_CLOSED) {
        cls_leave(t, f);
        f->cls = TPA_FLOW_CLS_CLOSED;
        cls_enter(t, f);
    } else if ((flags & (TPA_TCP_SYN | TPA_TCP_ACK)) == TPA_TCP_SYN &&
               f->cls == TPA_FLOW_CLS_CLOSED) {
        /* a new connection reusing the ports: back to the open class */
        cls_leave(t, f);
        f->cls = TPA_FLOW_CLS_TCP;
        f->tcp_fin = 0;
        cls_enter(t, f);
    }
}

void tpa_flow_set_class(tpa_flow_table_t *t, tpa_flow_t *f, uint8_t cls)
{
    if (cls >= TPA_FLOW_NCLS || f->cls == cls) return;
    cls_leave(t, f);
    f->cls = cls;
    cls_enter(t, f);
}

/* Removes the slot of flow id from the index: the slots after it in its run move
 * back when that brings them no farther from their home (backward shift deletion, so
 * no tombstones lengthen later probes). */
static void index_remove(tpa_flow_table_t *t, uint32_t h, uint32_t id)
{
    size_t mask = t->nslots - 1, i = h & mask;
    uint32_t at = place_of(id);
    while (t->slots[i].at != at) {
        if (!t->slots[i].at) return; /* not indexed (cannot happen) */
        i = (i + 1) & mask;
    }
    for (size_t j = (i + 1) & mask; t->slots[j].at; j = (j + 1) & mask) {
        size_t home = t->slots[j].hash & mask;
        if (((j - home) & mask) >= ((j - i) & mask)) { /* i is on its probe path */
            t->slots[i] = t->slots[j];
            i = j;
        }
    }
    t->slots[i] = (tpa_flow_slot_t){0, 0};
}

/* f, out of its class already, leaves the index and finishes. */
static void finish_unlinked(tpa_flow_table_t *t, tpa_flow_t *f)
{
    index_remove(t, tpa_flow_hash32(t, &f->key), f->id);
    if (t->on_finish && !f->finished) t->on_finish(t->hook_ud, f);
    f->finished = 1;
    t->live--;
}

static void finish_one(tpa_flow_table_t *t, tpa_flow_t *f)
{
    cls_leave(t, f);
    finish_unlinked(t, f);
}

/* Lazy expiry of class c: the flows idle at now_us are in the buckets of seconds up
 * to `last` (their last_us, and so their bucket's second, is below now_us - timeout);
 * the busy ones met there move to the bucket of their last_us. The idle ones finish
 * in touch order, which is the LRU order, and all of them are a prefix of it. */
static void expire_lazy(tpa_flow_table_t *t, int c, int64_t now_us)
{
    int64_t to = timeout_us[c], last = second_of(now_us - to - 1);
    if (last < t->cursor[c]) return;
    /* the seconds cursor .. last, or every bucket once when they wrap */
    bool all = t->cursor[c] == INT64_MIN || last - t->cursor[c] >= TPA_FLOW_WHEEL;
    int64_t first = all ? last - (TPA_FLOW_WHEEL - 1) : t->cursor[c];
    uint32_t idle = 0;
    for (int64_t sec = first; sec <= last; sec++) {
        for (uint32_t id = *bucket(t, c, sec), next; id; id = next) {
            next = t->node[id].next;
            if (t->node[id].sec > last) continue; /* a later second in the same bucket */
            tpa_flow_t *f = flow_at(t, id);
            if (f->last_us + to < now_us) {
                bucket_del(t, c, id);
                t->node[id].next = idle;
                idle = id;
            } else if (second_of(f->last_us) != t->node[id].sec) {
                bucket_del(t, c, id);
                bucket_add(t, c, id, second_of(f->last_us));
            }
        }
    }
    t->cursor[c] = last;
    for (uint32_t id = sort_touched(t, idle), next; id; id = next) {
        next = t->node[id].next;
        t->node[id].next = 0;
        finish_unlinked(t, flow_at(t, id));
    }
}

void tpa_flow_table_expire(tpa_flow_table_t *t, int64_t now_us)
{
    if (t->suspect) go_exact(t); /* the order of the last flow stamped is not known yet */
    for (int c = 0; c < TPA_FLOW_NCLS; c++) {
        if (t->wheel) {
            expire_lazy(t, c, now_us);
            continue;
        }
        tpa_flow_lru_t *l = &t->lru[c];
        while (l->head && t->byid[l->head]->last_us + timeout_us[c] < now_us)
            finish_one(t, t->byid[l->head]);
    }
}

tpa_flow_t *tpa_flow_table_standin(tpa_flow_table_t *t)
{
    if (!t->standin) t->standin = aligned_alloc(SLAB_BYTES, SLAB_BYTES);
    if (!t->standin) return NULL;
    tpa_flow_t *f = (tpa_flow_t *)(void *)t->standin;
    memset(f, 0, sizeof *f);
    memset(tpa_flow_cold(f), 0, sizeof(tpa_flow_cold_t));
    return f;
}

size_t tpa_flow_table_live(const tpa_flow_table_t *t)
{
    return t->live;
}

size_t tpa_flow_table_total(const tpa_flow_table_t *t)
{
    return t->next_id - 1;
}

tpa_flow_t *const *tpa_flow_table_finish(tpa_flow_table_t *t, size_t *n)
{
    if (t->wheel) go_exact(t);
    for (int c = 0; c < TPA_FLOW_NCLS; c++) {
        while (t->lru[c].head)
            finish_one(t, t->byid[t->lru[c].head]);
    }
    *n = t->next_id - 1;
    return *n ? t->byid + 1 : NULL;
}
