/* tpa_flow.c - direction-independent flow table (see tpa_flow.h). */
#include "tpa_flow.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

typedef struct lru {
    tpa_flow_t *head, *tail;
} lru_t;

struct tpa_flow_table {
    tpa_flow_t **buckets;
    size_t nbuckets; /* power of two */
    size_t live;
    uint64_t seed;
    uint32_t next_id;
    lru_t lru[TPA_FLOW_NCLS];
    tpa_flow_t **done; /* finished flows, in order of finishing */
    size_t ndone, capdone;
    tpa_flow_t **all; /* built by finish, indexed by id - 1 */
    tpa_flow_hook_fn on_finish, on_release;
    void *hook_ud;
};

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
    t->nbuckets = 1024;
    t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
    if (!t->buckets) {
        free(t);
        return NULL;
    }
    t->seed = random_seed();
    t->next_id = 1;
    return t;
}

void tpa_flow_table_destroy(tpa_flow_table_t **tp)
{
    if (!tp || !*tp) return;
    tpa_flow_table_t *t = *tp;
    for (size_t i = 0; i < t->nbuckets; i++) {
        tpa_flow_t *f = t->buckets[i];
        while (f) {
            tpa_flow_t *n = f->hnext;
            if (t->on_release) t->on_release(t->hook_ud, f);
            free(f);
            f = n;
        }
    }
    for (size_t i = 0; i < t->ndone; i++) {
        if (t->on_release) t->on_release(t->hook_ud, t->done[i]);
        free(t->done[i]);
    }
    free(t->done);
    free(t->all);
    free(t->buckets);
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

static int ep_cmp(const uint8_t *a, uint16_t pa, const uint8_t *b, uint16_t pb)
{
    int c = memcmp(a, b, 16);
    if (c) return c;
    return (pa > pb) - (pa < pb);
}

int tpa_flow_key_make(tpa_flow_key_t *k, int family, uint8_t proto, const uint8_t *src,
                      uint16_t sport, const uint8_t *dst, uint16_t dport, uint32_t ctx)
{
    uint8_t s[16] = {0}, d[16] = {0};
    size_t alen = family == 6 ? 16 : 4;
    memcpy(s, src, alen);
    memcpy(d, dst, alen);
    memset(k, 0, sizeof *k);
    k->proto = proto;
    k->family = (uint8_t)family;
    k->ctx = ctx;
    int side = ep_cmp(s, sport, d, dport) <= 0 ? 0 : 1;
    memcpy(k->addr[side], s, 16);
    k->port[side] = sport;
    memcpy(k->addr[!side], d, 16);
    k->port[!side] = dport;
    return side;
}

static uint64_t hash_key(const tpa_flow_table_t *t, const tpa_flow_key_t *k)
{
    uint64_t w[sizeof *k / 8];
    memcpy(w, k, sizeof w);
    uint64_t h = t->seed;
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
        h ^= w[i];
        h *= 0x9E3779B97F4A7C15ULL;
        h ^= h >> 29;
    }
    h ^= h >> 32;
    h *= 0xD6E8FEB86659FD93ULL;
    h ^= h >> 32;
    return h;
}

static void lru_unlink(lru_t *l, tpa_flow_t *f)
{
    if (f->lprev)
        f->lprev->lnext = f->lnext;
    else
        l->head = f->lnext;
    if (f->lnext)
        f->lnext->lprev = f->lprev;
    else
        l->tail = f->lprev;
    f->lprev = f->lnext = NULL;
}

static void lru_append(lru_t *l, tpa_flow_t *f)
{
    f->lnext = NULL;
    f->lprev = l->tail;
    if (l->tail)
        l->tail->lnext = f;
    else
        l->head = f;
    l->tail = f;
}

static void grow(tpa_flow_table_t *t)
{
    size_t nb = t->nbuckets * 2;
    tpa_flow_t **b = calloc(nb, sizeof *b);
    if (!b) return; /* keep working with longer chains */
    for (size_t i = 0; i < t->nbuckets; i++) {
        tpa_flow_t *f = t->buckets[i];
        while (f) {
            tpa_flow_t *n = f->hnext;
            size_t j = hash_key(t, &f->key) & (nb - 1);
            f->hnext = b[j];
            b[j] = f;
            f = n;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = nb;
}

tpa_flow_t *tpa_flow_get(tpa_flow_table_t *t, const tpa_flow_key_t *k, int side, int64_t now_us,
                         bool *created)
{
    size_t i = hash_key(t, k) & (t->nbuckets - 1);
    for (tpa_flow_t *f = t->buckets[i]; f; f = f->hnext) {
        if (memcmp(&f->key, k, sizeof *k) == 0) {
            *created = false;
            return f;
        }
    }
    tpa_flow_t *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->key = *k;
    f->id = t->next_id++;
    f->src_side = (uint8_t)side;
    f->cls = k->proto == 6 ? TPA_FLOW_CLS_TCP : TPA_FLOW_CLS_OTHER;
    f->first_us = f->last_us = now_us;
    f->hnext = t->buckets[i];
    t->buckets[i] = f;
    lru_append(&t->lru[f->cls], f);
    t->live++;
    if (t->live > t->nbuckets) grow(t);
    *created = true;
    return f;
}

void tpa_flow_count(tpa_flow_table_t *t, tpa_flow_t *f, int side, uint64_t pkts, uint64_t bytes,
                    int64_t now_us)
{
    f->pkts[side & 1] += pkts;
    f->bytes[side & 1] += bytes;
    if (now_us > f->last_us) f->last_us = now_us;
    if (now_us < f->first_us) f->first_us = now_us;
    lru_t *l = &t->lru[f->cls];
    if (l->tail != f) {
        lru_unlink(l, f);
        lru_append(l, f);
    }
}

void tpa_flow_tcp_flags(tpa_flow_table_t *t, tpa_flow_t *f, int side, uint8_t flags)
{
    f->tcp_flags |= flags;
    if (flags & TPA_TCP_FIN) f->tcp_fin |= (uint8_t)(1u << (side & 1));
    bool closed = (flags & TPA_TCP_RST) || f->tcp_fin == 3;
    if (closed && f->cls != TPA_FLOW_CLS_CLOSED) {
        lru_unlink(&t->lru[f->cls], f);
        f->cls = TPA_FLOW_CLS_CLOSED;
        lru_append(&t->lru[f->cls], f);
    } else if ((flags & (TPA_TCP_SYN | TPA_TCP_ACK)) == TPA_TCP_SYN &&
               f->cls == TPA_FLOW_CLS_CLOSED) {
        /* a new connection reusing the ports: back to the open class */
        lru_unlink(&t->lru[f->cls], f);
        f->cls = TPA_FLOW_CLS_TCP;
        f->tcp_fin = 0;
        lru_append(&t->lru[f->cls], f);
    }
}

void tpa_flow_set_class(tpa_flow_table_t *t, tpa_flow_t *f, uint8_t cls)
{
    if (cls >= TPA_FLOW_NCLS || f->cls == cls) return;
    lru_unlink(&t->lru[f->cls], f);
    f->cls = cls;
    lru_append(&t->lru[f->cls], f);
}

static int finish_one(tpa_flow_table_t *t, tpa_flow_t *f)
{
    if (t->ndone == t->capdone) {
        size_t nc = t->capdone ? t->capdone * 2 : 256;
        tpa_flow_t **d = realloc(t->done, nc * sizeof *d);
        if (!d) return -1;
        t->done = d;
        t->capdone = nc;
    }
    size_t i = hash_key(t, &f->key) & (t->nbuckets - 1);
    for (tpa_flow_t **pp = &t->buckets[i]; *pp; pp = &(*pp)->hnext) {
        if (*pp == f) {
            *pp = f->hnext;
            break;
        }
    }
    f->hnext = NULL;
    lru_unlink(&t->lru[f->cls], f);
    if (t->on_finish && !f->finished) t->on_finish(t->hook_ud, f);
    f->finished = 1;
    t->done[t->ndone++] = f;
    t->live--;
    return 0;
}

void tpa_flow_table_expire(tpa_flow_table_t *t, int64_t now_us)
{
    for (int c = 0; c < TPA_FLOW_NCLS; c++) {
        lru_t *l = &t->lru[c];
        while (l->head && l->head->last_us + timeout_us[c] < now_us) {
            if (finish_one(t, l->head) < 0) return;
        }
    }
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
    *n = 0;
    for (int c = 0; c < TPA_FLOW_NCLS; c++) {
        while (t->lru[c].head) {
            if (finish_one(t, t->lru[c].head) < 0) return NULL;
        }
    }
    size_t total = t->next_id - 1;
    if (total == 0) return NULL;
    free(t->all);
    t->all = calloc(total, sizeof *t->all);
    if (!t->all) return NULL;
    for (size_t i = 0; i < t->ndone; i++)
        t->all[t->done[i]->id - 1] = t->done[i];
    *n = total;
    return t->all;
}
