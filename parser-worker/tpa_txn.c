/* tpa_txn.c - request/response pairing (see tpa_txn.h). */
#include "tpa_txn.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_bigmem.h"
#include "tpa_err.h"
#include "tpa_literal.h"
#include "tpa_result.h"

/* Slot flags. */
enum { SL_IN_TABLE = 1, SL_CONTEXT_KEY = 2 };

/* One tracked transaction, open or lingering: what pairing needs. rec is the document
 * record while the transaction is open and for the kept ones; a finished transaction
 * that is not kept has rec NULL and carries its subscriber anchor here. */
typedef struct slot {
    uint32_t prev, next; /* open or linger list (slot refs, 0 = none) */
    uint32_t self;       /* its own ref */
    uint32_t hash;
    tpa_txn_rec_t *rec;
    uint64_t scope;
    int64_t last_tx_us; /* last transmission of the request */
    int64_t closed_us;  /* response time (closed ones) */
    uint32_t proc;      /* index into procs */
    uint32_t ue_anchor; /* when rec is NULL */
    uint8_t outcome, flags;
    uint16_t keylen;
    char key[]; /* keylen bytes and a NUL */
} slot_t;

/* A table entry: the slot's ref and its hash, so probing and growing never touch
 * slots; 8 bytes (a pointer made it 16): a big table is half the memory and cache. */
typedef struct entry {
    uint32_t s; /* slot ref, 0 = empty */
    uint32_t hash;
} entry_t;

typedef struct slot_list {
    uint32_t head, tail; /* slot refs */
    size_t n;
} slot_list_t;

/* (protocol, procedure) pairs, pooled strings compared by address. */
typedef struct proc {
    const char *protocol, *procedure;
    bool context_protocol; /* ngap, s1ap, nas-5gs, nas-eps: keys name a UE context */
    tpa_kpi_entry_t *kpi;  /* its KPI entry, found on first use */
} proc_t;

/* Size-class pool for slots and the records of open transactions not kept: freed
 * blocks go to their class's free list; chunks are released together at finish. */
#define POOL_GRAIN 8
#define POOL_CLASSES 48 /* up to 384 bytes */
#define POOL_CHUNK 65536

typedef struct pool_chunk {
    struct pool_chunk *next;
    size_t used;
    max_align_t data[];
} pool_chunk_t;

_Static_assert(sizeof(tpa_txn_rec_t) <= POOL_CLASSES * POOL_GRAIN, "record fits the pool");
_Static_assert(offsetof(slot_t, key) + TPA_TXN_MAX_KEY + 1 <= POOL_CLASSES * POOL_GRAIN,
               "slot fits the pool");

typedef struct pool {
    void *free[POOL_CLASSES];
    pool_chunk_t *chunks;
    /* the slots' pool only: chunk i's data, so that a block is named by a 32-bit ref,
     * ((i << REF_GRAIN_BITS) | its offset in grains) + 1; a free block keeps its ref
     * after the free list's link */
    char **data;
    size_t ndata, data_cap;
} pool_t;

#define REF_GRAIN_BITS 13 /* POOL_CHUNK / POOL_GRAIN grains a chunk */
/* chunks a pool with refs may have: the last grain of the last one is ref 2^32 - 1 */
#define REF_MAX_CHUNKS (((size_t)1 << (32 - REF_GRAIN_BITS)) - 1)
_Static_assert(POOL_CHUNK / POOL_GRAIN == 1u << REF_GRAIN_BITS, "a ref names every grain");

#define PROC_CACHE 64

struct tpa_txn {
    tpa_intern_t *pool;
    tpa_kpi_t *kpi;
    tpa_txn_limits_t lim;
    entry_t *table;       /* open addressing, linear probing: open and lingering slots */
    size_t cap, nentries; /* cap a power of two, at most 3/4 used */
    slot_list_t open;     /* in order of opening */
    slot_list_t linger;   /* closed, in order of closing */
    proc_t *procs;
    size_t nprocs, procs_cap;
    uint32_t *proc_set; /* open addressing: proc index + 1 */
    size_t nproc_set;
    /* proc index by the addresses of literal protocol and procedure texts (most
     * messages): no interning, no hashing of text */
    struct {
        const char *protocol, *procedure; /* NULL = empty */
        uint32_t proc;
    } by_literal[PROC_CACHE];
    tpa_literals_t lit;
    pool_t mem;           /* records of open transactions not kept */
    pool_t slots;         /* slots, named by refs */
    pool_t keptmem;       /* the kept records: freed together at destroy */
    tpa_txn_rec_t **kept; /* ids 1..nkept */
    size_t nkept, kept_cap;
    tpa_txn_rec_t scratch; /* what feed returned for a finished slot without record */
    slot_t *scratch_slot;
    uint64_t next_id;
    uint64_t seed;
    tpa_txn_stats_t st;
    bool finished;
};

tpa_txn_limits_t tpa_txn_default_limits(void)
{
    tpa_txn_limits_t l = {TPA_TXN_MAX_OPEN, TPA_TXN_MAX_KEPT, TPA_TXN_RETX_WINDOW_US,
                          TPA_TXN_LINGER_US, TPA_TXN_DUP_WINDOW_US};
    return l;
}

const char *tpa_txn_id_str(uint64_t id, char *buf, size_t len)
{
    snprintf(buf, len, "t%" PRIu64, id);
    return buf;
}

/* ---- memory ---- */

static size_t pool_class(size_t size)
{
    return (size + POOL_GRAIN - 1) / POOL_GRAIN - 1;
}

/* A block of size bytes (at most POOL_CLASSES * POOL_GRAIN), or NULL; ref (may be
 * NULL: a pool without refs) gets its ref. */
static void *pool_alloc(pool_t *p, size_t size, uint32_t *ref)
{
    size_t c = pool_class(size);
    void *b = p->free[c];
    if (b) {
        memcpy(&p->free[c], b, sizeof(void *));
        if (ref) memcpy(ref, (char *)b + sizeof(void *), sizeof *ref);
        return b;
    }
    size_t bytes = (c + 1) * POOL_GRAIN;
    pool_chunk_t *k = p->chunks;
    if (!k || POOL_CHUNK - k->used < bytes) {
        if (ref && p->ndata >= REF_MAX_CHUNKS) return NULL; /* no ref left */
        if (ref && p->ndata == p->data_cap) {
            size_t nc = p->data_cap ? p->data_cap * 2 : 64;
            char **d = realloc(p->data, nc * sizeof *d);
            if (!d) return NULL;
            p->data = d;
            p->data_cap = nc;
        }
        k = malloc(sizeof *k + POOL_CHUNK);
        if (!k) return NULL;
        k->next = p->chunks;
        k->used = 0;
        p->chunks = k;
        if (ref) p->data[p->ndata++] = (char *)k->data;
    }
    b = (char *)k->data + k->used;
    if (ref) *ref = (uint32_t)((p->ndata - 1) << REF_GRAIN_BITS | k->used / POOL_GRAIN) + 1;
    k->used += bytes;
    return b;
}

/* Frees block b of size bytes; ref: its ref in a pool with refs (else 0). */
static void pool_free(pool_t *p, void *b, size_t size, uint32_t ref)
{
    size_t c = pool_class(size);
    memcpy(b, &p->free[c], sizeof(void *));
    if (ref) memcpy((char *)b + sizeof(void *), &ref, sizeof ref);
    p->free[c] = b;
}

static void pool_release(pool_t *p)
{
    while (p->chunks) {
        pool_chunk_t *k = p->chunks;
        p->chunks = k->next;
        free(k);
    }
    memset(p->free, 0, sizeof p->free);
    free(p->data);
    p->data = NULL;
    p->ndata = p->data_cap = 0;
}

static size_t slot_size(size_t keylen)
{
    return offsetof(slot_t, key) + keylen + 1;
}

/* The slot of ref (not 0). */
static inline slot_t *S(const tpa_txn_t *t, uint32_t ref)
{
    ref--;
    return (slot_t *)(t->slots.data[ref >> REF_GRAIN_BITS] +
                      (size_t)(ref & ((1u << REF_GRAIN_BITS) - 1)) * POOL_GRAIN);
}

static void list_push(tpa_txn_t *t, slot_list_t *l, slot_t *r)
{
    r->prev = l->tail;
    r->next = 0;
    if (l->tail)
        S(t, l->tail)->next = r->self;
    else
        l->head = r->self;
    l->tail = r->self;
    l->n++;
}

static void list_remove(tpa_txn_t *t, slot_list_t *l, slot_t *r)
{
    if (r->prev)
        S(t, r->prev)->next = r->next;
    else
        l->head = r->next;
    if (r->next)
        S(t, r->next)->prev = r->prev;
    else
        l->tail = r->prev;
    r->prev = r->next = 0;
    l->n--;
}

tpa_txn_t *tpa_txn_new(tpa_intern_t *pool, tpa_kpi_t *kpi, const tpa_txn_limits_t *lim)
{
    if (!pool) return NULL;
    tpa_txn_t *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->pool = pool;
    t->kpi = kpi;
    t->lim = lim ? *lim : tpa_txn_default_limits();
    if (t->lim.max_open == 0) t->lim.max_open = 1;
    t->cap = 1024;
    t->table = tpa_bigmem_calloc(t->cap, sizeof *t->table);
    if (!t->table) {
        free(t);
        return NULL;
    }
    t->seed = tpa_hash_seed();
    t->next_id = 1;
    tpa_literals_init(&t->lit);
    return t;
}

void tpa_txn_destroy(tpa_txn_t **tp)
{
    if (!tp || !*tp) return;
    tpa_txn_t *t = *tp;
    pool_release(&t->keptmem);
    pool_release(&t->mem); /* the records of open ones not kept */
    pool_release(&t->slots);
    free(t->kept);
    tpa_bigmem_free(t->table, t->cap, sizeof *t->table);
    free(t->procs);
    free(t->proc_set);
    free(t);
    *tp = NULL;
}

/* ---- procedures ---- */

static uint64_t proc_hash(const tpa_txn_t *t, const char *protocol, const char *procedure)
{
    return tpa_hash_mix(tpa_hash_mix(t->seed, (uintptr_t)protocol), (uintptr_t)procedure);
}

static bool context_protocol(const char *protocol)
{
    static const char *const ctx[] = {"ngap", "s1ap", "nas-5gs", "nas-eps"};
    for (size_t i = 0; i < sizeof ctx / sizeof ctx[0]; i++)
        if (strcmp(protocol, ctx[i]) == 0) return true;
    return false;
}

/* The index of pooled (protocol, procedure), added on first use; -1 out of memory. */
static int64_t proc_get(tpa_txn_t *t, const char *protocol, const char *procedure)
{
    if ((t->nprocs + 1) * 2 > t->nproc_set) {
        size_t nn = t->nproc_set ? t->nproc_set * 2 : 64;
        uint32_t *set = calloc(nn, sizeof *set);
        if (!set) return -1;
        for (size_t i = 0; i < t->nprocs; i++) {
            size_t j = proc_hash(t, t->procs[i].protocol, t->procs[i].procedure) & (nn - 1);
            while (set[j])
                j = (j + 1) & (nn - 1);
            set[j] = (uint32_t)i + 1;
        }
        free(t->proc_set);
        t->proc_set = set;
        t->nproc_set = nn;
    }
    size_t mask = t->nproc_set - 1, j = proc_hash(t, protocol, procedure) & mask;
    for (; t->proc_set[j]; j = (j + 1) & mask) {
        const proc_t *p = &t->procs[t->proc_set[j] - 1];
        if (p->protocol == protocol && p->procedure == procedure) return t->proc_set[j] - 1;
    }
    if (t->nprocs == t->procs_cap) {
        size_t nc = t->procs_cap ? t->procs_cap * 2 : 32;
        proc_t *v = realloc(t->procs, nc * sizeof *v);
        if (!v) return -1;
        t->procs = v;
        t->procs_cap = nc;
    }
    t->procs[t->nprocs] = (proc_t){protocol, procedure, context_protocol(protocol), NULL};
    t->proc_set[j] = (uint32_t)++t->nprocs;
    return (int64_t)t->nprocs - 1;
}

/* ---- the table ---- */

/* The key's hash (seeded), with its procedure and scope. */
static uint32_t key_hash(const tpa_txn_t *t, uint32_t proc, const char *key, size_t n,
                         uint64_t scope)
{
    uint64_t h = tpa_hash_bytes(tpa_hash_mix(t->seed, ((uint64_t)proc << 32) ^ scope), key, n);
    return (uint32_t)(h ^ (h >> 32));
}

/* The slot of the key, or NULL and in *empty the entry where the probe ended (where
 * table_insert may place the key while the table does not change). */
static slot_t *lookup(const tpa_txn_t *t, uint32_t h, uint32_t proc, const char *key, size_t keylen,
                      uint64_t scope, size_t *empty)
{
    size_t mask = t->cap - 1, i = h & mask;
    for (; t->table[i].s; i = (i + 1) & mask) {
        if (t->table[i].hash != h) continue;
        slot_t *r = S(t, t->table[i].s);
        if (r->proc == proc && r->scope == scope && r->keylen == keylen &&
            memcmp(r->key, key, keylen) == 0)
            return r;
    }
    *empty = i;
    return NULL;
}

static void place(entry_t *table, size_t cap, uint32_t s, uint32_t h)
{
    size_t i = h & (cap - 1);
    while (table[i].s)
        i = (i + 1) & (cap - 1);
    table[i] = (entry_t){s, h};
}

/* Adds r (at entry empty from its lookup, SIZE_MAX: none, unless the table grows);
 * TPA_ERR_NOMEM when the table is full and cannot grow. */
static int table_insert(tpa_txn_t *t, slot_t *r, size_t empty)
{
    if ((t->nentries + 1) * 4 > t->cap * 3) {
        size_t n = t->cap * 2;
        entry_t *b = tpa_bigmem_calloc(n, sizeof *b);
        if (b) {
            for (size_t i = 0; i < t->cap; i++)
                if (t->table[i].s) place(b, n, t->table[i].s, t->table[i].hash);
            tpa_bigmem_free(t->table, t->cap, sizeof *t->table);
            t->table = b;
            t->cap = n;
            empty = SIZE_MAX;
        } else if (t->nentries + 2 > t->cap) {
            return TPA_ERR_NOMEM; /* one empty entry must stay: probing ends there */
        }
    }
    if (empty != SIZE_MAX)
        t->table[empty] = (entry_t){r->self, r->hash};
    else
        place(t->table, t->cap, r->self, r->hash);
    r->flags |= SL_IN_TABLE;
    t->nentries++;
    return 0;
}

/* Removes r, shifting back the entries that probed past it. */
static void table_remove(tpa_txn_t *t, slot_t *r)
{
    size_t mask = t->cap - 1, i = r->hash & mask;
    while (t->table[i].s && t->table[i].s != r->self)
        i = (i + 1) & mask;
    if (!t->table[i].s) return;
    for (size_t j = i;;) {
        t->table[i].s = 0;
        for (;;) {
            j = (j + 1) & mask;
            if (!t->table[j].s) goto done;
            size_t home = t->table[j].hash & mask;
            /* entry j may move to i unless its home lies cyclically in (i, j] */
            if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) break;
        }
        t->table[i] = t->table[j];
        i = j;
    }
done:
    t->nentries--;
    r->flags &= (uint8_t)~SL_IN_TABLE;
}

/* Frees slot r (already out of the table and the lists) and its record unless kept. */
static void slot_free(tpa_txn_t *t, slot_t *r)
{
    if (t->scratch_slot == r) t->scratch_slot = NULL;
    if (r->rec && !r->rec->kept) pool_free(&t->mem, r->rec, sizeof *r->rec, 0);
    pool_free(&t->slots, r, slot_size(r->keylen), r->self);
}

/* Drops closed r from the table and the linger list and frees it. */
static void retire(tpa_txn_t *t, slot_t *r)
{
    if (r->flags & SL_IN_TABLE) table_remove(t, r);
    list_remove(t, &t->linger, r);
    slot_free(t, r);
}

/* Counts the finished transaction of slot sl (its record) in the KPIs. */
static inline void count_kpi(tpa_txn_t *t, const slot_t *sl)
{
    const tpa_txn_rec_t *r = sl->rec;
    if (!r->kept) t->st.not_kept++;
    if (!t->kpi) return;
    tpa_kpi_txn_t k = {
        .protocol = r->protocol,
        .procedure = r->procedure,
        .request_code = r->request_code,
        .outcome = r->outcome,
        .retransmissions = r->retransmissions,
        .latency_us = r->outcome == TPA_TXN_UNANSWERED ? -1 : r->response_us - r->request_us,
        .has_cause = r->has_cause,
        .cause = r->cause,
        .cause_name = r->cause_name,
        .cause_family = r->cause_family,
        .doc_id = r->kept ? r->id : 0,
        .request_frame = r->request_frame,
        .response_frame = r->response_frame,
        .flow = r->flow,
    };
    if (k.latency_us < 0 && r->outcome != TPA_TXN_UNANSWERED) k.latency_us = 0;
    proc_t *p = &t->procs[sl->proc]; /* its entry, kept by procedure: no look-up by names */
    int err;
    if (!p->kpi) p->kpi = tpa_kpi_entry(t->kpi, p->protocol, p->procedure, &err);
    if (p->kpi) tpa_kpi_add_to(t->kpi, p->kpi, &k);
}

/* Ends open slot r as unanswered (off the open list, counted); it stays allocated. */
static void unanswered(tpa_txn_t *t, slot_t *r)
{
    list_remove(t, &t->open, r);
    r->outcome = TPA_TXN_UNANSWERED;
    r->rec->outcome = TPA_TXN_UNANSWERED;
    count_kpi(t, r);
}

/* Ends open slot r as unanswered and frees it. */
static void end_unanswered(tpa_txn_t *t, slot_t *r)
{
    unanswered(t, r);
    if (r->flags & SL_IN_TABLE) table_remove(t, r);
    slot_free(t, r);
}

/* Retires lingering slots closed more than linger_us before now. */
static void expire_linger(tpa_txn_t *t, int64_t now)
{
    while (t->linger.head && now - S(t, t->linger.head)->closed_us > t->lim.linger_us)
        retire(t, S(t, t->linger.head));
}

/* The record feed returns for slot r: its own, or the scratch copy for a finished
 * slot without one (its anchor taken back by writeback). */
static tpa_txn_rec_t *rec_of(tpa_txn_t *t, slot_t *r)
{
    if (r->rec) return r->rec;
    const proc_t *p = &t->procs[r->proc];
    memset(&t->scratch, 0, sizeof t->scratch);
    t->scratch.protocol = p->protocol;
    t->scratch.procedure = p->procedure;
    t->scratch.outcome = (tpa_txn_outcome_t)r->outcome;
    t->scratch.ue_anchor = r->ue_anchor;
    t->scratch_slot = r;
    return &t->scratch;
}

/* Takes back the anchor the caller may have set on the scratch record. */
static void writeback(tpa_txn_t *t)
{
    if (!t->scratch_slot) return;
    t->scratch_slot->ue_anchor = t->scratch.ue_anchor;
    t->scratch_slot = NULL;
}

/* Opens a transaction for the key (empty: as table_insert takes it). */
static slot_t *open_new(tpa_txn_t *t, const tpa_txn_msg_t *m, uint32_t proc, const char *key,
                        size_t keylen, uint64_t scope, uint32_t h, size_t empty)
{
    const tpa_sig_t *s = m->sig;
    const proc_t *p = &t->procs[proc];
    if (t->open.n >= t->lim.max_open) {
        t->st.evicted++;
        end_unanswered(t, S(t, t->open.head));
        empty = SIZE_MAX; /* entries moved back */
    }
    bool kept = t->next_id <= t->lim.max_kept;
    if (kept && t->nkept == t->kept_cap) {
        size_t nc = t->kept_cap ? t->kept_cap * 2 : 256;
        if (nc > t->lim.max_kept) nc = t->lim.max_kept;
        tpa_txn_rec_t **v = realloc(t->kept, nc * sizeof *v);
        if (!v) return NULL;
        t->kept = v;
        t->kept_cap = nc;
    }
    pool_t *recmem = kept ? &t->keptmem : &t->mem;
    tpa_txn_rec_t *rec = pool_alloc(recmem, sizeof *rec, NULL);
    if (!rec) return NULL;
    uint32_t ref;
    slot_t *r = pool_alloc(&t->slots, slot_size(keylen), &ref);
    if (!r) {
        pool_free(recmem, rec, sizeof *rec, 0);
        return NULL;
    }
    memset(r, 0, sizeof *r);
    r->self = ref;
    memcpy(r->key, key, keylen);
    r->key[keylen] = '\0';
    r->keylen = (uint16_t)keylen;
    r->hash = h;
    r->scope = scope;
    r->proc = proc;
    r->last_tx_us = m->ts_us;
    r->outcome = TPA_TXN_OPEN;
    if ((s->flags & TPA_SIG_KEY_CONTEXT) || p->context_protocol) r->flags |= SL_CONTEXT_KEY;
    *rec = (tpa_txn_rec_t){
        .id = t->next_id,
        .protocol = p->protocol,
        .procedure = p->procedure,
        .request_code = tpa_intern(t->pool, s->code),
        /* names only the document shows: none for a transaction it does not list */
        .request_name = kept && s->name ? tpa_intern(t->pool, s->name) : NULL,
        .request_frame = m->frame,
        .request_us = m->ts_us,
        .flow = m->flow,
        .src = m->src,
        .dst = m->dst,
        .kept = kept,
    };
    r->rec = rec;
    if (table_insert(t, r, empty) < 0) {
        pool_free(recmem, rec, sizeof *rec, 0);
        pool_free(&t->slots, r, slot_size(keylen), ref);
        return NULL;
    }
    t->next_id++;
    if (kept) t->kept[t->nkept++] = rec;
    list_push(t, &t->open, r);
    t->st.attempts++;
    if (t->open.n > t->st.open_peak) t->st.open_peak = t->open.n;
    return r;
}

/* Closes open slot r with response m; returns the record feed returns. */
static tpa_txn_rec_t *close_rec(tpa_txn_t *t, slot_t *r, const tpa_txn_msg_t *m)
{
    const tpa_sig_t *s = m->sig;
    tpa_txn_rec_t *rec = r->rec;
    list_remove(t, &t->open, r);
    rec->outcome = s->outcome == TPA_SIG_FAILURE ? TPA_TXN_FAILURE : TPA_TXN_SUCCESS;
    if (rec->kept) {
        rec->response_code = tpa_intern(t->pool, s->code);
        rec->response_name = s->name ? tpa_intern(t->pool, s->name) : NULL;
    }
    rec->response_frame = m->frame;
    rec->response_us = m->ts_us;
    if (s->has_cause) {
        rec->has_cause = true;
        rec->cause = s->cause;
        rec->cause_name = s->cause_name ? tpa_intern(t->pool, s->cause_name) : NULL;
        /* no family: the protocol's, pooled with the procedure */
        rec->cause_family =
            s->cause_family ? tpa_intern(t->pool, s->cause_family) : t->procs[r->proc].protocol;
    }
    r->outcome = (uint8_t)rec->outcome;
    r->closed_us = m->ts_us;
    list_push(t, &t->linger, r);
    count_kpi(t, r);
    if (rec->kept) return rec;
    /* folded into the KPIs: only the slot lingers; the caller sees a copy */
    t->scratch = *rec;
    t->scratch_slot = r;
    r->ue_anchor = rec->ue_anchor;
    r->rec = NULL;
    pool_free(&t->mem, rec, sizeof *rec, 0);
    return &t->scratch;
}

static void failure_indication(tpa_txn_t *t, const tpa_txn_msg_t *m)
{
    const tpa_sig_t *s = m->sig;
    if (s->outcome != TPA_SIG_FAILURE || !t->kpi) return;
    tpa_kpi_indication(t->kpi, tpa_intern(t->pool, s->protocol), tpa_intern(t->pool, s->code),
                       s->name ? tpa_intern(t->pool, s->name) : NULL, s->has_cause, s->cause,
                       s->cause_name ? tpa_intern(t->pool, s->cause_name) : NULL,
                       tpa_intern(t->pool, s->cause_family ? s->cause_family : s->protocol),
                       m->frame, m->flow);
}

/* Where m pairs: its procedure index, key length and hash into m (prepared), and its
 * scope 0 when it pairs within the capture; false when out of memory. */
static bool prepare(tpa_txn_t *t, tpa_txn_msg_t *m)
{
    const tpa_sig_t *s = m->sig;
    size_t ci = ((uintptr_t)s->procedure >> 3 ^ (uintptr_t)s->protocol >> 4) & (PROC_CACHE - 1);
    if (t->by_literal[ci].procedure == s->procedure && t->by_literal[ci].protocol == s->protocol) {
        m->proc = t->by_literal[ci].proc;
    } else {
        const char *protocol = tpa_intern(t->pool, s->protocol);
        const char *procedure = tpa_intern(t->pool, s->procedure);
        if (!protocol || !procedure) return false;
        int64_t pi = proc_get(t, protocol, procedure);
        if (pi < 0) return false;
        m->proc = (uint32_t)pi;
        if (tpa_literals_has(&t->lit, s->protocol) && tpa_literals_has(&t->lit, s->procedure)) {
            t->by_literal[ci].protocol = s->protocol;
            t->by_literal[ci].procedure = s->procedure;
            t->by_literal[ci].proc = m->proc;
        }
    }
    m->keylen = m->key_size ? (uint16_t)(m->key_size - 1 < TPA_TXN_MAX_KEY ? m->key_size - 1
                                                                           : TPA_TXN_MAX_KEY)
                            : (uint16_t)strnlen(s->key, TPA_TXN_MAX_KEY);
    if (s->flags & TPA_SIG_SCOPE_CAPTURE) m->scope = 0;
    m->hash = key_hash(t, m->proc, s->key, m->keylen, m->scope);
    m->prepared = true;
    return true;
}

void tpa_txn_prefetch(tpa_txn_t *t, tpa_txn_msg_t *m)
{
    if (!t || !m || !m->sig || t->finished || !t->table) return;
    const tpa_sig_t *s = m->sig;
    if (!s->protocol || !s->code || !s->procedure || !s->key || !s->key[0]) return;
    if (!prepare(t, m)) return;
    __builtin_prefetch(&t->table[m->hash & (t->cap - 1)]);
}

tpa_txn_rec_t *tpa_txn_feed(tpa_txn_t *t, const tpa_txn_msg_t *m, tpa_txn_ev_t *evp)
{
    tpa_txn_ev_t dummy;
    tpa_txn_ev_t *ev = evp ? evp : &dummy;
    *ev = TPA_TXN_EV_NONE;
    if (!t || !m || !m->sig || t->finished) return NULL;
    writeback(t);
    const tpa_sig_t *s = m->sig;
    tpa_txn_msg_t pm;
    /* prepared: tpa_txn_prefetch checked the strings and worked out the rest */
    if (!m->prepared && (!s->protocol || !s->code)) return NULL;
    expire_linger(t, m->ts_us);
    if (!m->prepared) {
        if (!s->procedure || !s->key || !s->key[0]) {
            if (s->kind != TPA_SIG_INDICATION) t->st.unpaired++;
            failure_indication(t, m);
            return NULL;
        }
        pm = *m;
        tpa_txn_prefetch(t, &pm); /* (the one caller of prepare: inlined there) */
        if (!pm.prepared) return NULL;
        m = &pm;
    }
    uint32_t proc = m->proc, h = m->hash;
    size_t keylen = m->keylen;
    const proc_t *p = &t->procs[proc]; /* its names: for the notes only */
    uint64_t scope = m->scope; /* 0 for TPA_SIG_SCOPE_CAPTURE: prepare saw to it */
    size_t empty = SIZE_MAX; /* set when nothing matched */
    slot_t *r = lookup(t, h, proc, s->key, keylen, scope, &empty);

    switch (s->kind) {
    case TPA_SIG_REQUEST:
        if (r && m->ts_us - r->last_tx_us <= t->lim.dup_window_us && m->ts_us >= r->last_tx_us) {
            t->st.duplicates++;
            *ev = TPA_TXN_EV_DUPLICATE;
            return rec_of(t, r);
        }
        if (r && r->outcome == TPA_TXN_OPEN) {
            if (m->ts_us - r->last_tx_us <= t->lim.retx_window_us) {
                r->rec->retransmissions++;
                r->last_tx_us = m->ts_us;
                *ev = TPA_TXN_EV_RETX;
                return r->rec;
            }
            end_unanswered(t, r); /* a reused key long after: a new attempt */
        } else if (r) {
            if (!(r->flags & SL_CONTEXT_KEY) && m->ts_us - r->last_tx_us <= t->lim.retx_window_us) {
                if (r->rec) r->rec->retransmissions++;
                r->last_tx_us = m->ts_us;
                t->st.late_retx++;
                if (t->kpi)
                    tpa_kpi_note(t->kpi, p->protocol, p->procedure, TPA_KPI_NOTE_LATE_RETX, m->frame,
                                 m->flow);
                *ev = TPA_TXN_EV_LATE_RETX;
                return rec_of(t, r);
            }
            retire(t, r);
        }
        r = open_new(t, m, proc, s->key, keylen, scope, h, empty);
        if (!r) return NULL;
        *ev = TPA_TXN_EV_OPEN;
        return r->rec;
    case TPA_SIG_RESPONSE:
        if (r && r->outcome == TPA_TXN_OPEN) {
            *ev = TPA_TXN_EV_CLOSE;
            return close_rec(t, r, m);
        }
        if (r && m->ts_us - r->closed_us <= t->lim.dup_window_us && m->ts_us >= r->closed_us) {
            t->st.duplicates++;
            *ev = TPA_TXN_EV_DUPLICATE;
            return rec_of(t, r);
        }
        if (r) {
            t->st.dup_responses++;
            if (t->kpi)
                tpa_kpi_note(t->kpi, p->protocol, p->procedure, TPA_KPI_NOTE_DUP_RESPONSE, m->frame,
                             m->flow);
            *ev = TPA_TXN_EV_DUP_RESPONSE;
            return rec_of(t, r);
        }
        t->st.orphans++;
        if (t->kpi)
            tpa_kpi_note(t->kpi, p->protocol, p->procedure, TPA_KPI_NOTE_ORPHAN, m->frame, m->flow);
        failure_indication(t, m);
        *ev = TPA_TXN_EV_ORPHAN;
        return NULL;
    default:
        if (r && r->outcome == TPA_TXN_OPEN) {
            t->st.provisional++;
            *ev = TPA_TXN_EV_PROVISIONAL;
            return r->rec;
        }
        failure_indication(t, m);
        return NULL;
    }
}

void tpa_txn_finish(tpa_txn_t *t)
{
    if (!t || t->finished) return;
    writeback(t);
    /* the table and the pool (every slot, the records not kept) go at once below: no
     * slot leaves the table one by one (a cache miss each in a big table) */
    while (t->open.head)
        unanswered(t, S(t, t->open.head));
    t->linger = (slot_list_t){0, 0, 0};
    t->scratch_slot = NULL;
    pool_release(&t->mem); /* give the memory back for the document */
    pool_release(&t->slots);
    tpa_bigmem_free(t->table, t->cap, sizeof *t->table);
    t->table = NULL;
    t->cap = t->nentries = 0;
    t->finished = true;
}

size_t tpa_txn_kept_count(const tpa_txn_t *t)
{
    return t ? t->nkept : 0;
}

tpa_txn_rec_t *tpa_txn_kept_at(const tpa_txn_t *t, size_t i)
{
    return t && i < t->nkept ? t->kept[i] : NULL;
}

const tpa_txn_stats_t *tpa_txn_stats(const tpa_txn_t *t)
{
    return &t->st;
}

/* One transactions[] element, on either back-end of the writer. Strings from the
 * records as json_string makes them (one not UTF-8 leaves its member out). */
static int rec_write(tpa_jw_t *w, const tpa_txn_rec_t *r)
{
    bool answered = r->outcome == TPA_TXN_SUCCESS || r->outcome == TPA_TXN_FAILURE;
    const char *oc = tpa_txn_outcome_name(r->outcome);
    tpa_jw_obj(w, NULL);
    tpa_result_id_write(w, "id", "t", r->id);
    tpa_jw_str(w, "protocol", r->protocol);
    tpa_jw_str(w, "procedure", r->procedure);
    tpa_jw_str(w, "request_code", r->request_code);
    tpa_jw_str(w, "response_code", answered ? r->response_code : NULL);
    tpa_jw_int(w, "request_frame", (int64_t)r->request_frame);
    if (answered)
        tpa_jw_int(w, "response_frame", (int64_t)r->response_frame);
    else
        tpa_jw_null(w, "response_frame");
    tpa_result_ts_write(w, "request_ts", r->request_us);
    int64_t lat = r->response_us - r->request_us;
    if (answered) {
        tpa_result_ts_write(w, "response_ts", r->response_us);
        tpa_jw_fixed(w, "latency_ms", lat < 0 ? 0 : lat, 3); /* tpa_kpi_ms: / 1000.0 */
    } else {
        tpa_jw_null(w, "response_ts");
        tpa_jw_null(w, "latency_ms");
    }
    tpa_jw_ascii(w, "outcome", oc, strlen(oc)); /* a name of ours (ASCII) */
    tpa_jw_int(w, "retransmissions", r->retransmissions);
    if (r->has_cause) {
        tpa_jw_obj(w, "cause");
        tpa_jw_int(w, "code", (int64_t)r->cause);
        tpa_jw_str(w, "name", r->cause_name);
        tpa_jw_str(w, "family", r->cause_family);
        tpa_jw_obj_end(w);
    } else {
        tpa_jw_null(w, "cause");
    }
    tpa_jw_int(w, "flow", r->flow);
    tpa_jw_str(w, "src", r->src);
    tpa_jw_str(w, "dst", r->dst);
    if (r->ue)
        tpa_result_id_write(w, "ue", "ue", r->ue);
    else
        tpa_jw_null(w, "ue");
    return tpa_jw_obj_end(w);
}

int tpa_txn_item_write(const tpa_txn_t *t, size_t i, tpa_jw_t *w)
{
    return t && i < t->nkept ? rec_write(w, t->kept[i]) : TPA_ERR_INVALID;
}

json_t *tpa_txn_json(const tpa_txn_t *t)
{
    tpa_jw_t *w = tpa_jw_new_tree();
    if (!w) return NULL;
    tpa_jw_arr(w, NULL);
    for (size_t i = 0; t && i < t->nkept && !tpa_jw_error(w); i++)
        rec_write(w, t->kept[i]);
    tpa_jw_arr_end(w);
    json_t *arr = tpa_jw_take_tree(w);
    tpa_jw_destroy(&w);
    return arr;
}
