/* tpa_kpi.c - per-procedure KPIs and latency percentiles (see tpa_kpi.h). */
#include "tpa_kpi.h"

#include <stdlib.h>
#include <string.h>

#include "tpa_err.h"
#include "tpa_intern.h"

/* Histogram: values below 128 have their own bucket; above, 64 sub-buckets per power
 * of two (mantissa 64..127): index = 128 + (e - 7) * 64 + (m - 64), e = floor(log2 v). */
#define HIST_SUB 64
#define HIST_LINEAR 128
#define HIST_BUCKETS (HIST_LINEAR + (32 - 7) * HIST_SUB)

/* The entry last found per (protocol, procedure) address pair: callers pass pooled
 * strings, so one compare of each replaces hashing both. */
#define KPI_MEMO 64

typedef struct kpi_memo {
    const char *protocol, *procedure;
    tpa_kpi_entry_t *e; /* NULL = empty */
} kpi_memo_t;

struct tpa_kpi {
    kpi_memo_t memo[KPI_MEMO];
    tpa_kpi_entry_t **entries; /* nentries; ordered after finish */
    size_t nentries, cap;
    size_t *slots; /* open addressing: entry index + 1, 0 = empty */
    size_t nslots;
    tpa_kpi_ind_t *inds;
    size_t ninds, inds_cap;
    uint64_t seed;
    bool finished;
};

const char *tpa_txn_outcome_name(tpa_txn_outcome_t o)
{
    switch (o) {
    case TPA_TXN_SUCCESS:
        return "success";
    case TPA_TXN_FAILURE:
        return "failure";
    case TPA_TXN_UNANSWERED:
        return "unanswered";
    default:
        return "open";
    }
}

void tpa_kpi_evidence_add(tpa_kpi_evidence_t *ev, uint64_t frame, uint64_t txn, uint32_t flow)
{
    if (frame && ev->nframes < TPA_KPI_EV_FRAMES) ev->frames[ev->nframes++] = frame;
    if (txn && ev->ntxns < TPA_KPI_EV_TXNS) ev->txns[ev->ntxns++] = txn;
    if (flow && ev->nflows < TPA_KPI_EV_FLOWS) {
        for (uint32_t i = 0; i < ev->nflows; i++)
            if (ev->flows[i] == flow) return;
        ev->flows[ev->nflows++] = flow;
    }
}

tpa_kpi_t *tpa_kpi_new(void)
{
    tpa_kpi_t *k = calloc(1, sizeof *k);
    if (!k) return NULL;
    k->nslots = 64;
    k->slots = calloc(k->nslots, sizeof *k->slots);
    if (!k->slots) {
        free(k);
        return NULL;
    }
    k->seed = tpa_hash_seed();
    return k;
}

void tpa_kpi_destroy(tpa_kpi_t **kp)
{
    if (!kp || !*kp) return;
    tpa_kpi_t *k = *kp;
    for (size_t i = 0; i < k->nentries; i++) {
        free(k->entries[i]->causes);
        free(k->entries[i]->samples);
        free(k->entries[i]->hist);
        free(k->entries[i]);
    }
    free(k->entries);
    free(k->slots);
    free(k->inds);
    free(k);
    *kp = NULL;
}

static uint64_t key_hash(const tpa_kpi_t *k, const char *protocol, const char *procedure)
{
    uint64_t h = tpa_hash_bytes(k->seed, protocol, strlen(protocol));
    return tpa_hash_mix(h, tpa_hash_bytes(k->seed, procedure, strlen(procedure)));
}

/* The slot for (protocol, procedure): holding its entry or empty. */
static size_t *slot_for(const tpa_kpi_t *k, const char *protocol, const char *procedure)
{
    size_t mask = k->nslots - 1;
    for (size_t i = key_hash(k, protocol, procedure) & mask;; i = (i + 1) & mask) {
        size_t *s = &k->slots[i];
        if (!*s) return s;
        const tpa_kpi_entry_t *e = k->entries[*s - 1];
        if (strcmp(e->protocol, protocol) == 0 && strcmp(e->procedure, procedure) == 0) return s;
    }
}

static int grow_slots(tpa_kpi_t *k)
{
    size_t n = k->nslots * 2;
    size_t *sl = calloc(n, sizeof *sl);
    if (!sl) return TPA_ERR_NOMEM;
    free(k->slots);
    k->slots = sl;
    k->nslots = n;
    for (size_t i = 0; i < k->nentries; i++)
        *slot_for(k, k->entries[i]->protocol, k->entries[i]->procedure) = i + 1;
    return 0;
}

static tpa_kpi_entry_t *entry_get(tpa_kpi_t *k, const char *protocol, const char *procedure,
                                  int *err)
{
    *err = 0;
    if (!protocol || !procedure || k->finished) {
        *err = TPA_ERR_INVALID;
        return NULL;
    }
    uint64_t mk = ((uintptr_t)protocol ^ ((uintptr_t)procedure << 1)) * 0x9e3779b97f4a7c15ULL;
    kpi_memo_t *mm = &k->memo[mk >> 58 & (KPI_MEMO - 1)];
    /* the entry's own strings given again (the tracker's pooled names) need no compare */
    if (mm->e && mm->protocol == protocol && mm->procedure == procedure &&
        ((mm->e->protocol == protocol && mm->e->procedure == procedure) ||
         (strcmp(mm->e->protocol, protocol) == 0 && strcmp(mm->e->procedure, procedure) == 0)))
        return mm->e;
    size_t *s = slot_for(k, protocol, procedure);
    if (*s) {
        *mm = (kpi_memo_t){protocol, procedure, k->entries[*s - 1]};
        return mm->e;
    }
    if (k->nentries >= TPA_KPI_MAX_ENTRIES) {
        *err = TPA_ERR_TOOBIG;
        return NULL;
    }
    if ((k->nentries + 1) * 2 > k->nslots) {
        if (grow_slots(k) < 0) goto nomem;
        s = slot_for(k, protocol, procedure);
    }
    if (k->nentries == k->cap) {
        size_t nc = k->cap ? k->cap * 2 : 16;
        tpa_kpi_entry_t **v = realloc(k->entries, nc * sizeof *v);
        if (!v) goto nomem;
        k->entries = v;
        k->cap = nc;
    }
    tpa_kpi_entry_t *e = calloc(1, sizeof *e);
    if (!e) goto nomem;
    e->protocol = protocol;
    e->procedure = procedure;
    e->lat_exact = true;
    e->p50_us = e->p95_us = e->p99_us = -1;
    k->entries[k->nentries++] = e;
    *s = k->nentries;
    return e;
nomem:
    *err = TPA_ERR_NOMEM;
    return NULL;
}

static size_t hist_index(uint32_t v)
{
    if (v < HIST_LINEAR) return v;
    int e = 31 - __builtin_clz(v); /* >= 7 */
    uint32_t m = v >> (e - 6);     /* 64..127 */
    return HIST_LINEAR + (size_t)(e - 7) * HIST_SUB + (m - HIST_SUB);
}

/* Lowest value of bucket i and its width. */
static void hist_bounds(size_t i, uint64_t *lo, uint64_t *width)
{
    if (i < HIST_LINEAR) {
        *lo = i;
        *width = 1;
        return;
    }
    size_t j = i - HIST_LINEAR;
    int e = (int)(j / HIST_SUB) + 7;
    uint64_t m = HIST_SUB + j % HIST_SUB;
    *lo = m << (e - 6);
    *width = 1ULL << (e - 6);
}

static int lat_add(tpa_kpi_entry_t *e, int64_t us)
{
    if (us < 0) us = 0;
    uint32_t v = us > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)us;
    if (e->nlat == 0 || us > e->lat_max_us) e->lat_max_us = us;
    e->nlat++;
    if (e->hist) {
        e->hist[hist_index(v)]++;
        return 0;
    }
    if (e->nsamples < TPA_KPI_EXACT_SAMPLES) {
        if (e->nsamples == e->samples_cap) {
            size_t nc = e->samples_cap ? e->samples_cap * 2 : 16;
            if (nc > TPA_KPI_EXACT_SAMPLES) nc = TPA_KPI_EXACT_SAMPLES;
            uint32_t *s = realloc(e->samples, nc * sizeof *s);
            if (!s) {
                e->nlat--;
                return TPA_ERR_NOMEM;
            }
            e->samples = s;
            e->samples_cap = nc;
        }
        e->samples[e->nsamples++] = v;
        return 0;
    }
    /* past the exact limit: pour the samples into a histogram */
    e->hist = calloc(HIST_BUCKETS, sizeof *e->hist);
    if (!e->hist) {
        e->nlat--;
        return TPA_ERR_NOMEM;
    }
    for (size_t i = 0; i < e->nsamples; i++)
        e->hist[hist_index(e->samples[i])]++;
    e->hist[hist_index(v)]++;
    free(e->samples);
    e->samples = NULL;
    e->nsamples = e->samples_cap = 0;
    e->lat_exact = false;
    return 0;
}

static tpa_kpi_cause_t *cause_get(tpa_kpi_entry_t *e, const char *family, int64_t code,
                                  const char *name)
{
    for (uint32_t i = 0; i < e->ncauses; i++) {
        tpa_kpi_cause_t *c = &e->causes[i];
        if (c->code == code &&
            (c->family == family || (c->family && family && strcmp(c->family, family) == 0))) {
            if (!c->name && name) c->name = name;
            return c;
        }
    }
    if (e->ncauses >= TPA_KPI_MAX_CAUSES) return NULL;
    tpa_kpi_cause_t *v = realloc(e->causes, (e->ncauses + 1) * sizeof *v);
    if (!v) return NULL;
    e->causes = v;
    tpa_kpi_cause_t *c = &v[e->ncauses++];
    memset(c, 0, sizeof *c);
    c->family = family;
    c->code = code;
    c->name = name;
    return c;
}

tpa_kpi_entry_t *tpa_kpi_entry(tpa_kpi_t *k, const char *protocol, const char *procedure, int *err)
{
    if (!k) {
        *err = TPA_ERR_INVALID;
        return NULL;
    }
    return entry_get(k, protocol, procedure, err);
}

int tpa_kpi_add(tpa_kpi_t *k, const tpa_kpi_txn_t *t)
{
    int err;
    if (!k || !t) return TPA_ERR_INVALID;
    tpa_kpi_entry_t *e = entry_get(k, t->protocol, t->procedure, &err);
    if (!e) return err;
    return tpa_kpi_add_to(k, e, t);
}

int tpa_kpi_add_to(tpa_kpi_t *k, tpa_kpi_entry_t *e, const tpa_kpi_txn_t *t)
{
    if (!k || !e || !t || k->finished) return TPA_ERR_INVALID;
    if (!e->request_code && t->request_code) e->request_code = t->request_code;
    e->attempts++;
    e->retransmissions += t->retransmissions;
    switch (t->outcome) {
    case TPA_TXN_SUCCESS:
        e->successes++;
        return lat_add(e, t->latency_us);
    case TPA_TXN_FAILURE:
        e->failures++;
        if (t->has_cause) {
            tpa_kpi_cause_t *c = cause_get(e, t->cause_family, t->cause, t->cause_name);
            if (c) {
                c->count++;
                tpa_kpi_evidence_add(&c->ev, t->response_frame, t->doc_id, t->flow);
            } else {
                e->causes_other++;
            }
        } else {
            e->failures_nocause++;
            tpa_kpi_evidence_add(&e->ev_nocause, t->response_frame, t->doc_id, t->flow);
        }
        return lat_add(e, t->latency_us);
    default:
        e->unanswered++;
        tpa_kpi_evidence_add(&e->ev_unanswered, t->request_frame, t->doc_id, t->flow);
        return 0;
    }
}

int tpa_kpi_note(tpa_kpi_t *k, const char *protocol, const char *procedure, tpa_kpi_note_t what,
                 uint64_t frame, uint32_t flow)
{
    int err;
    if (!k) return TPA_ERR_INVALID;
    tpa_kpi_entry_t *e = entry_get(k, protocol, procedure, &err);
    if (!e) return err;
    switch (what) {
    case TPA_KPI_NOTE_ORPHAN:
        e->orphans++;
        tpa_kpi_evidence_add(&e->ev_orphans, frame, 0, flow);
        break;
    case TPA_KPI_NOTE_DUP_RESPONSE:
        e->dup_responses++;
        break;
    case TPA_KPI_NOTE_LATE_RETX:
        e->retransmissions++;
        break;
    }
    return 0;
}

static bool str_eq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

int tpa_kpi_indication(tpa_kpi_t *k, const char *protocol, const char *code, const char *name,
                       bool has_cause, int64_t cause, const char *cause_name,
                       const char *cause_family, uint64_t frame, uint32_t flow)
{
    if (!k || !protocol || !code || k->finished) return TPA_ERR_INVALID;
    tpa_kpi_ind_t *g = NULL;
    for (size_t i = 0; i < k->ninds; i++) {
        tpa_kpi_ind_t *x = &k->inds[i];
        if (str_eq(x->protocol, protocol) && str_eq(x->code, code) && x->has_cause == has_cause &&
            (!has_cause || (x->cause == cause && str_eq(x->cause_family, cause_family)))) {
            g = x;
            break;
        }
    }
    if (!g) {
        if (k->ninds >= TPA_KPI_MAX_INDICATIONS) return TPA_ERR_TOOBIG;
        if (k->ninds == k->inds_cap) {
            size_t nc = k->inds_cap ? k->inds_cap * 2 : 8;
            tpa_kpi_ind_t *v = realloc(k->inds, nc * sizeof *v);
            if (!v) return TPA_ERR_NOMEM;
            k->inds = v;
            k->inds_cap = nc;
        }
        g = &k->inds[k->ninds++];
        memset(g, 0, sizeof *g);
        g->protocol = protocol;
        g->code = code;
        g->has_cause = has_cause;
        g->cause = has_cause ? cause : 0;
        g->cause_family = has_cause ? cause_family : NULL;
    }
    if (!g->name && name) g->name = name;
    if (!g->cause_name && has_cause && cause_name) g->cause_name = cause_name;
    g->count++;
    tpa_kpi_evidence_add(&g->ev, frame, 0, flow);
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* v[0..n) in ascending order: insertion for a few values, else least significant
 * digit first radix (8 bits a pass into a scratch array; a pass whose digit is the
 * same in every value is skipped: latencies below 16 s need three), falling back to
 * qsort when the scratch cannot be had. The order of equal values cannot show. */
static void sort_u32(uint32_t *v, size_t n)
{
    if (n < 32) {
        for (size_t i = 1; i < n; i++) {
            uint32_t x = v[i];
            size_t j = i;
            for (; j && v[j - 1] > x; j--)
                v[j] = v[j - 1];
            v[j] = x;
        }
        return;
    }
    uint32_t *tmp = malloc(n * sizeof *tmp);
    if (!tmp) {
        qsort(v, n, sizeof *v, cmp_u32);
        return;
    }
    uint32_t count[4][256] = {{0}}; /* n <= TPA_KPI_EXACT_SAMPLES */
    for (size_t i = 0; i < n; i++) {
        uint32_t x = v[i];
        count[0][x & 255]++;
        count[1][x >> 8 & 255]++;
        count[2][x >> 16 & 255]++;
        count[3][x >> 24]++;
    }
    uint32_t *src = v, *dst = tmp;
    for (unsigned pass = 0; pass < 4; pass++) {
        uint32_t *c = count[pass];
        unsigned shift = pass * 8;
        if (c[src[0] >> shift & 255] == n) continue; /* one digit for all */
        uint32_t at = 0;
        for (unsigned d = 0; d < 256; d++) {
            uint32_t k = c[d];
            c[d] = at;
            at += k;
        }
        for (size_t i = 0; i < n; i++) {
            uint32_t x = src[i];
            dst[c[x >> shift & 255]++] = x;
        }
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v) memcpy(v, src, n * sizeof *v);
    free(tmp);
}

static int cmp_entry(const void *a, const void *b)
{
    const tpa_kpi_entry_t *x = *(tpa_kpi_entry_t *const *)a, *y = *(tpa_kpi_entry_t *const *)b;
    int c = strcmp(x->protocol, y->protocol);
    return c ? c : strcmp(x->procedure, y->procedure);
}

/* Nearest rank: the value at rank ceil(p * n / 100), 1-based. */
static uint64_t rank_of(uint64_t n, unsigned p)
{
    uint64_t r = (n * p + 99) / 100;
    return r ? r : 1;
}

static int64_t percentile(const tpa_kpi_entry_t *e, unsigned p)
{
    if (!e->nlat) return -1;
    uint64_t r = rank_of(e->nlat, p);
    if (!e->hist) return e->samples[r - 1];
    uint64_t acc = 0;
    for (size_t i = 0; i < HIST_BUCKETS; i++) {
        acc += e->hist[i];
        if (acc >= r) {
            uint64_t lo, w;
            hist_bounds(i, &lo, &w);
            int64_t v = (int64_t)(lo + w / 2);
            return v > e->lat_max_us ? e->lat_max_us : v;
        }
    }
    return e->lat_max_us;
}

void tpa_kpi_finish(tpa_kpi_t *k)
{
    if (!k || k->finished) return;
    k->finished = true;
    if (k->nentries) qsort(k->entries, k->nentries, sizeof *k->entries, cmp_entry);
    free(k->slots); /* lookups after finish scan the ordered entries */
    k->slots = NULL;
    k->nslots = 0;
    for (size_t i = 0; i < k->nentries; i++) {
        tpa_kpi_entry_t *e = k->entries[i];
        if (e->samples) sort_u32(e->samples, e->nsamples);
        e->p50_us = percentile(e, 50);
        e->p95_us = percentile(e, 95);
        e->p99_us = percentile(e, 99);
    }
}

size_t tpa_kpi_count(const tpa_kpi_t *k)
{
    return k ? k->nentries : 0;
}

const tpa_kpi_entry_t *tpa_kpi_at(const tpa_kpi_t *k, size_t i)
{
    return k && i < k->nentries ? k->entries[i] : NULL;
}

const tpa_kpi_entry_t *tpa_kpi_find(const tpa_kpi_t *k, const char *protocol, const char *procedure)
{
    if (!k || !protocol || !procedure) return NULL;
    if (k->slots) {
        size_t *s = slot_for(k, protocol, procedure);
        return *s ? k->entries[*s - 1] : NULL;
    }
    for (size_t i = 0; i < k->nentries; i++)
        if (strcmp(k->entries[i]->protocol, protocol) == 0 &&
            strcmp(k->entries[i]->procedure, procedure) == 0)
            return k->entries[i];
    return NULL;
}

size_t tpa_kpi_ind_count(const tpa_kpi_t *k)
{
    return k ? k->ninds : 0;
}

const tpa_kpi_ind_t *tpa_kpi_ind_at(const tpa_kpi_t *k, size_t i)
{
    return k && i < k->ninds ? &k->inds[i] : NULL;
}

uint64_t tpa_kpi_above(const tpa_kpi_entry_t *e, int64_t us)
{
    if (!e || !e->nlat) return 0;
    uint64_t n = 0;
    if (!e->hist) {
        /* samples are sorted after finish; count from the top */
        for (size_t i = e->nsamples; i > 0 && (int64_t)e->samples[i - 1] > us; i--)
            n++;
        return n;
    }
    for (size_t i = 0; i < HIST_BUCKETS; i++) {
        uint64_t lo, w;
        hist_bounds(i, &lo, &w);
        if ((int64_t)lo > us) n += e->hist[i];
    }
    return n;
}

json_t *tpa_kpi_ms(int64_t us)
{
    return json_real((double)us / 1000.0);
}

static json_t *ms_or_null(int64_t us)
{
    return us < 0 ? json_null() : tpa_kpi_ms(us);
}

static int cmp_cause(const void *a, const void *b)
{
    const tpa_kpi_cause_t *x = *(tpa_kpi_cause_t *const *)a, *y = *(tpa_kpi_cause_t *const *)b;
    if (x->count != y->count) return x->count < y->count ? 1 : -1;
    if (x->code != y->code) return x->code < y->code ? -1 : 1;
    return strcmp(x->family ? x->family : "", y->family ? y->family : "");
}

static json_t *causes_json(const tpa_kpi_entry_t *e)
{
    json_t *arr = json_array();
    if (!arr || !e->ncauses) return arr;
    const tpa_kpi_cause_t **v = malloc(e->ncauses * sizeof *v);
    if (!v) {
        json_decref(arr);
        return NULL;
    }
    for (uint32_t i = 0; i < e->ncauses; i++)
        v[i] = &e->causes[i];
    qsort(v, e->ncauses, sizeof *v, cmp_cause);
    for (uint32_t i = 0; i < e->ncauses; i++) {
        json_t *c = json_object();
        json_object_set_new(c, "code", json_integer((json_int_t)v[i]->code));
        json_object_set_new(c, "name", v[i]->name ? json_string(v[i]->name) : json_null());
        json_object_set_new(c, "family", v[i]->family ? json_string(v[i]->family) : json_null());
        json_object_set_new(c, "count", json_integer((json_int_t)v[i]->count));
        json_array_append_new(arr, c);
    }
    free(v);
    return arr;
}

json_t *tpa_kpi_json(const tpa_kpi_t *k)
{
    json_t *arr = json_array();
    if (!arr || !k) return arr;
    for (size_t i = 0; i < k->nentries; i++) {
        const tpa_kpi_entry_t *e = k->entries[i];
        json_t *o = json_object();
        if (!o) goto fail;
        json_object_set_new(o, "protocol", json_string(e->protocol));
        json_object_set_new(o, "procedure", json_string(e->procedure));
        json_object_set_new(o, "request_code",
                            e->request_code ? json_string(e->request_code) : json_null());
        json_object_set_new(o, "attempts", json_integer((json_int_t)e->attempts));
        json_object_set_new(o, "successes", json_integer((json_int_t)e->successes));
        json_object_set_new(o, "failures", json_integer((json_int_t)e->failures));
        json_object_set_new(o, "unanswered", json_integer((json_int_t)e->unanswered));
        json_object_set_new(o, "retransmissions", json_integer((json_int_t)e->retransmissions));
        if (e->attempts) {
            double r = (double)e->successes / (double)e->attempts;
            json_object_set_new(o, "success_rate",
                                json_real((double)(int64_t)(r * 10000.0 + 0.5) / 10000.0));
        } else {
            json_object_set_new(o, "success_rate", json_null());
        }
        json_object_set_new(o, "latency_ms",
                            json_pack("{s:o,s:o,s:o,s:o}", "p50", ms_or_null(e->p50_us), "p95",
                                      ms_or_null(e->p95_us), "p99", ms_or_null(e->p99_us), "max",
                                      ms_or_null(e->nlat ? e->lat_max_us : -1)));
        json_object_set_new(o, "latency_samples", json_integer((json_int_t)e->nlat));
        json_object_set_new(o, "latency_exact", json_boolean(e->lat_exact));
        json_object_set_new(o, "causes", causes_json(e));
        json_object_set_new(o, "orphan_responses", json_integer((json_int_t)e->orphans));
        json_object_set_new(o, "duplicate_responses", json_integer((json_int_t)e->dup_responses));
        if (json_array_append_new(arr, o) < 0) goto fail;
    }
    return arr;
fail:
    json_decref(arr);
    return NULL;
}
