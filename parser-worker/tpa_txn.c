/* tpa_txn.c - request/response pairing (see tpa_txn.h). */
#include "tpa_txn.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_err.h"
#include "tpa_result.h"

typedef struct rec_list {
    tpa_txn_rec_t *head, *tail;
    size_t n;
} rec_list_t;

struct tpa_txn {
    tpa_intern_t *pool;
    tpa_kpi_t *kpi;
    tpa_txn_limits_t lim;
    tpa_txn_rec_t **buckets; /* chained on hnext; open and lingering records */
    size_t nbuckets, nentries;
    rec_list_t open;      /* in order of opening */
    rec_list_t linger;    /* closed, in order of closing */
    tpa_txn_rec_t **kept; /* ids 1..nkept */
    size_t nkept, kept_cap;
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

static void list_push(rec_list_t *l, tpa_txn_rec_t *r)
{
    r->prev = l->tail;
    r->next = NULL;
    if (l->tail)
        l->tail->next = r;
    else
        l->head = r;
    l->tail = r;
    l->n++;
}

static void list_remove(rec_list_t *l, tpa_txn_rec_t *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else
        l->head = r->next;
    if (r->next)
        r->next->prev = r->prev;
    else
        l->tail = r->prev;
    r->prev = r->next = NULL;
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
    t->nbuckets = 1024;
    t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
    if (!t->buckets) {
        free(t);
        return NULL;
    }
    t->seed = tpa_hash_seed();
    t->next_id = 1;
    return t;
}

static void rec_free(tpa_txn_rec_t *r)
{
    free(r->key);
    free(r);
}

void tpa_txn_destroy(tpa_txn_t **tp)
{
    if (!tp || !*tp) return;
    tpa_txn_t *t = *tp;
    for (size_t i = 0; i < t->nbuckets; i++) {
        tpa_txn_rec_t *r = t->buckets[i];
        while (r) {
            tpa_txn_rec_t *n = r->hnext;
            if (!r->kept) rec_free(r);
            r = n;
        }
    }
    for (size_t i = 0; i < t->nkept; i++)
        rec_free(t->kept[i]);
    free(t->kept);
    free(t->buckets);
    free(t);
    *tp = NULL;
}

static uint64_t tuple_hash(const tpa_txn_t *t, const char *protocol, const char *procedure,
                           const char *key, size_t keylen, uint64_t scope)
{
    uint64_t h = tpa_hash_bytes(t->seed, key, keylen);
    h = tpa_hash_mix(h, (uint64_t)(uintptr_t)protocol);
    h = tpa_hash_mix(h, (uint64_t)(uintptr_t)procedure);
    return tpa_hash_mix(h, scope);
}

static tpa_txn_rec_t *lookup(const tpa_txn_t *t, uint64_t h, const char *protocol,
                             const char *procedure, const char *key, size_t keylen, uint64_t scope)
{
    for (tpa_txn_rec_t *r = t->buckets[h & (t->nbuckets - 1)]; r; r = r->hnext)
        if (r->hash == h && r->protocol == protocol && r->procedure == procedure &&
            r->scope == scope && strncmp(r->key, key, keylen) == 0 && r->key[keylen] == '\0')
            return r;
    return NULL;
}

static void table_insert(tpa_txn_t *t, tpa_txn_rec_t *r)
{
    if (t->nentries + 1 > t->nbuckets) {
        size_t n = t->nbuckets * 2;
        tpa_txn_rec_t **b = calloc(n, sizeof *b);
        if (b) {
            for (size_t i = 0; i < t->nbuckets; i++) {
                tpa_txn_rec_t *x = t->buckets[i];
                while (x) {
                    tpa_txn_rec_t *nx = x->hnext;
                    x->hnext = b[x->hash & (n - 1)];
                    b[x->hash & (n - 1)] = x;
                    x = nx;
                }
            }
            free(t->buckets);
            t->buckets = b;
            t->nbuckets = n;
        } /* else: longer chains, still correct */
    }
    tpa_txn_rec_t **head = &t->buckets[r->hash & (t->nbuckets - 1)];
    r->hnext = *head;
    *head = r;
    r->in_table = true;
    t->nentries++;
}

static void table_remove(tpa_txn_t *t, tpa_txn_rec_t *r)
{
    tpa_txn_rec_t **p = &t->buckets[r->hash & (t->nbuckets - 1)];
    while (*p && *p != r)
        p = &(*p)->hnext;
    if (*p) {
        *p = r->hnext;
        t->nentries--;
    }
    r->hnext = NULL;
    r->in_table = false;
}

/* Drops r from the table (and the linger list); frees it unless the document keeps it. */
static void retire(tpa_txn_t *t, tpa_txn_rec_t *r)
{
    if (r->in_table) table_remove(t, r);
    if (r->outcome != TPA_TXN_OPEN) list_remove(&t->linger, r);
    if (!r->kept) rec_free(r);
}

static void count_kpi(tpa_txn_t *t, const tpa_txn_rec_t *r)
{
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
    tpa_kpi_add(t->kpi, &k);
}

/* Ends open record r as unanswered and retires it. */
static void end_unanswered(tpa_txn_t *t, tpa_txn_rec_t *r)
{
    list_remove(&t->open, r);
    r->outcome = TPA_TXN_UNANSWERED;
    count_kpi(t, r);
    if (r->in_table) table_remove(t, r);
    if (!r->kept) rec_free(r);
}

/* Retires lingering records closed more than linger_us before now. */
static void expire_linger(tpa_txn_t *t, int64_t now)
{
    while (t->linger.head && now - t->linger.head->closed_us > t->lim.linger_us)
        retire(t, t->linger.head);
}

static bool context_keyed(const tpa_sig_t *s)
{
    static const char *const ctx[] = {"ngap", "s1ap", "nas-5gs", "nas-eps"};
    if (s->flags & TPA_SIG_KEY_CONTEXT) return true;
    for (size_t i = 0; i < sizeof ctx / sizeof ctx[0]; i++)
        if (strcmp(s->protocol, ctx[i]) == 0) return true;
    return false;
}

static tpa_txn_rec_t *open_new(tpa_txn_t *t, const tpa_txn_msg_t *m, const char *protocol,
                               const char *procedure, const char *key, size_t keylen,
                               uint64_t scope, uint64_t h)
{
    const tpa_sig_t *s = m->sig;
    if (t->open.n >= t->lim.max_open) {
        t->st.evicted++;
        end_unanswered(t, t->open.head);
    }
    if (t->next_id <= t->lim.max_kept && t->nkept == t->kept_cap) {
        size_t nc = t->kept_cap ? t->kept_cap * 2 : 256;
        if (nc > t->lim.max_kept) nc = t->lim.max_kept;
        tpa_txn_rec_t **v = realloc(t->kept, nc * sizeof *v);
        if (!v) return NULL;
        t->kept = v;
        t->kept_cap = nc;
    }
    tpa_txn_rec_t *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->key = malloc(keylen + 1);
    if (!r->key) {
        free(r);
        return NULL;
    }
    memcpy(r->key, key, keylen);
    r->key[keylen] = '\0';
    r->hash = h;
    r->scope = scope;
    r->protocol = protocol;
    r->procedure = procedure;
    r->request_code = tpa_intern(t->pool, s->code);
    r->request_name = s->name ? tpa_intern(t->pool, s->name) : NULL;
    r->request_frame = m->frame;
    r->request_us = r->last_tx_us = m->ts_us;
    r->flow = m->flow;
    r->src = m->src;
    r->dst = m->dst;
    r->context_key = context_keyed(s);
    r->id = t->next_id++;
    if (r->id <= t->lim.max_kept) {
        r->kept = true;
        t->kept[t->nkept++] = r;
    }
    table_insert(t, r);
    list_push(&t->open, r);
    t->st.attempts++;
    if (t->open.n > t->st.open_peak) t->st.open_peak = t->open.n;
    return r;
}

static void close_rec(tpa_txn_t *t, tpa_txn_rec_t *r, const tpa_txn_msg_t *m)
{
    const tpa_sig_t *s = m->sig;
    list_remove(&t->open, r);
    r->outcome = s->outcome == TPA_SIG_FAILURE ? TPA_TXN_FAILURE : TPA_TXN_SUCCESS;
    r->response_code = tpa_intern(t->pool, s->code);
    r->response_name = s->name ? tpa_intern(t->pool, s->name) : NULL;
    r->response_frame = m->frame;
    r->response_us = m->ts_us;
    if (s->has_cause) {
        r->has_cause = true;
        r->cause = s->cause;
        r->cause_name = s->cause_name ? tpa_intern(t->pool, s->cause_name) : NULL;
        r->cause_family = tpa_intern(t->pool, s->cause_family ? s->cause_family : s->protocol);
    }
    r->closed_us = m->ts_us;
    list_push(&t->linger, r);
    count_kpi(t, r);
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

tpa_txn_rec_t *tpa_txn_feed(tpa_txn_t *t, const tpa_txn_msg_t *m, tpa_txn_ev_t *evp)
{
    tpa_txn_ev_t dummy;
    tpa_txn_ev_t *ev = evp ? evp : &dummy;
    *ev = TPA_TXN_EV_NONE;
    if (!t || !m || !m->sig || t->finished) return NULL;
    const tpa_sig_t *s = m->sig;
    if (!s->protocol || !s->code) return NULL;
    expire_linger(t, m->ts_us);
    if (!s->procedure || !s->key || !s->key[0]) {
        if (s->kind != TPA_SIG_INDICATION) t->st.unpaired++;
        failure_indication(t, m);
        return NULL;
    }
    const char *protocol = tpa_intern(t->pool, s->protocol);
    const char *procedure = tpa_intern(t->pool, s->procedure);
    if (!protocol || !procedure) return NULL;
    size_t keylen = strnlen(s->key, TPA_TXN_MAX_KEY);
    uint64_t scope = (s->flags & TPA_SIG_SCOPE_CAPTURE) ? 0 : m->scope;
    uint64_t h = tuple_hash(t, protocol, procedure, s->key, keylen, scope);
    tpa_txn_rec_t *r = lookup(t, h, protocol, procedure, s->key, keylen, scope);

    switch (s->kind) {
    case TPA_SIG_REQUEST:
        if (r && m->ts_us - r->last_tx_us <= t->lim.dup_window_us && m->ts_us >= r->last_tx_us) {
            t->st.duplicates++;
            *ev = TPA_TXN_EV_DUPLICATE;
            return r;
        }
        if (r && r->outcome == TPA_TXN_OPEN) {
            if (m->ts_us - r->last_tx_us <= t->lim.retx_window_us) {
                r->retransmissions++;
                r->last_tx_us = m->ts_us;
                *ev = TPA_TXN_EV_RETX;
                return r;
            }
            end_unanswered(t, r); /* a reused key long after: a new attempt */
        } else if (r) {
            if (!r->context_key && m->ts_us - r->last_tx_us <= t->lim.retx_window_us) {
                r->retransmissions++;
                r->last_tx_us = m->ts_us;
                t->st.late_retx++;
                if (t->kpi)
                    tpa_kpi_note(t->kpi, protocol, procedure, TPA_KPI_NOTE_LATE_RETX, m->frame,
                                 m->flow);
                *ev = TPA_TXN_EV_LATE_RETX;
                return r;
            }
            retire(t, r);
        }
        r = open_new(t, m, protocol, procedure, s->key, keylen, scope, h);
        if (r) *ev = TPA_TXN_EV_OPEN;
        return r;
    case TPA_SIG_RESPONSE:
        if (r && r->outcome == TPA_TXN_OPEN) {
            close_rec(t, r, m);
            *ev = TPA_TXN_EV_CLOSE;
            return r;
        }
        if (r && m->ts_us - r->response_us <= t->lim.dup_window_us && m->ts_us >= r->response_us) {
            t->st.duplicates++;
            *ev = TPA_TXN_EV_DUPLICATE;
            return r;
        }
        if (r) {
            t->st.dup_responses++;
            if (t->kpi)
                tpa_kpi_note(t->kpi, protocol, procedure, TPA_KPI_NOTE_DUP_RESPONSE, m->frame,
                             m->flow);
            *ev = TPA_TXN_EV_DUP_RESPONSE;
            return r;
        }
        t->st.orphans++;
        if (t->kpi)
            tpa_kpi_note(t->kpi, protocol, procedure, TPA_KPI_NOTE_ORPHAN, m->frame, m->flow);
        failure_indication(t, m);
        *ev = TPA_TXN_EV_ORPHAN;
        return NULL;
    default:
        if (r && r->outcome == TPA_TXN_OPEN) {
            t->st.provisional++;
            *ev = TPA_TXN_EV_PROVISIONAL;
            return r;
        }
        failure_indication(t, m);
        return NULL;
    }
}

void tpa_txn_finish(tpa_txn_t *t)
{
    if (!t || t->finished) return;
    while (t->open.head)
        end_unanswered(t, t->open.head);
    while (t->linger.head)
        retire(t, t->linger.head);
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

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* Keys are literals (ASCII): set without jansson's UTF-8 check of the key. */
#define SET(o, k, v) json_object_set_new_nocheck(o, k, v)

static json_t *cause_json(const tpa_txn_rec_t *r)
{
    json_t *c = json_object();
    if (!c) return NULL;
    SET(c, "code", json_integer((json_int_t)r->cause));
    SET(c, "name", str_or_null(r->cause_name));
    SET(c, "family", str_or_null(r->cause_family));
    return c;
}

static json_t *rec_json(const tpa_txn_rec_t *r)
{
    json_t *o = json_object();
    if (!o) return NULL;
    bool answered = r->outcome == TPA_TXN_SUCCESS || r->outcome == TPA_TXN_FAILURE;
    const char *oc = tpa_txn_outcome_name(r->outcome);
    SET(o, "id", tpa_result_id_json("t", r->id));
    SET(o, "protocol", json_string(r->protocol));
    SET(o, "procedure", json_string(r->procedure));
    SET(o, "request_code", str_or_null(r->request_code));
    SET(o, "response_code", answered ? str_or_null(r->response_code) : json_null());
    SET(o, "request_frame", json_integer((json_int_t)r->request_frame));
    SET(o, "response_frame", answered ? json_integer((json_int_t)r->response_frame) : json_null());
    SET(o, "request_ts", tpa_result_ts(r->request_us));
    SET(o, "response_ts", answered ? tpa_result_ts(r->response_us) : json_null());
    int64_t lat = r->response_us - r->request_us;
    SET(o, "latency_ms", answered ? tpa_kpi_ms(lat < 0 ? 0 : lat) : json_null());
    SET(o, "outcome", json_stringn_nocheck(oc, strlen(oc))); /* a name of ours (ASCII) */
    SET(o, "retransmissions", json_integer(r->retransmissions));
    SET(o, "cause", r->has_cause ? cause_json(r) : json_null());
    SET(o, "flow", json_integer(r->flow));
    SET(o, "src", str_or_null(r->src));
    SET(o, "dst", str_or_null(r->dst));
    SET(o, "ue", r->ue ? tpa_result_id_json("ue", r->ue) : json_null());
    return o;
}

json_t *tpa_txn_json(const tpa_txn_t *t)
{
    json_t *arr = json_array();
    if (!arr || !t) return arr;
    for (size_t i = 0; i < t->nkept; i++) {
        json_t *o = rec_json(t->kept[i]);
        if (!o || json_array_append_new(arr, o) < 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}
