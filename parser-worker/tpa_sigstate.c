/* tpa_sigstate.c - tracker, KPIs and joiner of one analysis (see tpa_sigstate.h). */
#include "tpa_sigstate.h"

#include <stdlib.h>
#include <string.h>

#include "tpa_err.h"
#include "tpa_fmt.h"
#include "tpa_intern.h"
#include "tpa_literal.h"

typedef struct addr_memo {
    uint8_t family; /* 0 = empty */
    uint8_t addr[16];
    const char *name; /* pooled */
} addr_memo_t;

/* A message held back until the next one comes (tpa_sigstate_feed): a copy of it, and
 * what preparing it computed. */
#define HELD_TEXT 2048
#define HELD 2 /* messages in the ring: the one waiting and the one being fed */
#define LIT_MEMO_BITS 8
#define LIT_MEMO (1u << LIT_MEMO_BITS)
typedef struct held {
    tpa_sig_t m;      /* strings that are not literals point into text */
    tpa_txn_msg_t tm; /* .sig = &m */
    tpa_ue_keys_t keys;
    uint32_t key_size; /* strlen(m.key) + 1 when copied, else 0 */
    size_t used;       /* of text */
    char text[HELD_TEXT];
} held_t;

struct tpa_sigstate {
    tpa_intern_t *pool;
    tpa_kpi_t *kpi;
    tpa_txn_t *txn;
    tpa_ue_t *ue;
    tpa_sig_flow_memo_t *memo; /* TPA_SIG_FLOW_MEMO slots */
    addr_memo_t *addr_memo;    /* TPA_SIG_ADDR_MEMO slots, made on first use */
    held_t *held;              /* HELD slots, made on first use: a ring of messages */
    unsigned head, waiting;    /* the oldest message waiting, and how many wait */
    tpa_literals_t lit;
    const char *lit_memo[LIT_MEMO]; /* addresses found to be literals */
    bool finished;
    bool defer; /* transactions[], ues[] left empty (tpa_sigstate_defer_arrays) */
};

tpa_sigstate_t *tpa_sigstate_new(const tpa_sigstate_limits_t *lim)
{
    tpa_sigstate_t *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    tpa_literals_init(&s->lit);
    s->pool = tpa_intern_new();
    if (!s->pool) goto fail;
    s->kpi = tpa_kpi_new();
    if (!s->kpi) goto fail;
    s->txn = tpa_txn_new(s->pool, s->kpi, lim ? &lim->txn : NULL);
    if (!s->txn) goto fail;
    s->ue = tpa_ue_new(s->pool, lim ? &lim->ue : NULL);
    if (!s->ue) goto fail;
    s->memo = calloc(TPA_SIG_FLOW_MEMO, sizeof *s->memo);
    if (!s->memo) goto fail;
    return s;
fail:
    tpa_sigstate_destroy(&s);
    return NULL;
}

void tpa_sigstate_destroy(tpa_sigstate_t **sp)
{
    if (!sp || !*sp) return;
    tpa_sigstate_t *s = *sp;
    tpa_ue_destroy(&s->ue);
    tpa_txn_destroy(&s->txn);
    tpa_kpi_destroy(&s->kpi);
    tpa_intern_destroy(&s->pool);
    free(s->memo);
    free(s->addr_memo);
    free(s->held);
    free(s);
    *sp = NULL;
}

/* Applies a prepared message: joins its identities, pairs it, adds its ladder step. */
static inline void apply(tpa_sigstate_t *s, held_t *h)
{
    const tpa_sig_t *m = &h->m;
    uint32_t anchor = h->keys.n ? tpa_ue_join_prepared(s->ue, &h->keys, h->tm.frame) : 0;
    tpa_txn_ev_t ev;
    tpa_txn_rec_t *r = tpa_txn_feed(s->txn, &h->tm, &ev);
    uint64_t txn = 0;
    if (ev == TPA_TXN_EV_DUPLICATE) return; /* the same packet seen twice */
    if (r) {
        if (ev == TPA_TXN_EV_OPEN || !r->ue_anchor)
            r->ue_anchor = anchor;
        else if (anchor)
            tpa_ue_link(s->ue, r->ue_anchor, anchor);
        if (!anchor) anchor = r->ue_anchor;
        txn = r->kept ? r->id : 0;
    }
    if (!anchor) return;
    tpa_ue_step_t st = {
        .ts_us = h->tm.ts_us,
        .frame = h->tm.frame,
        .src = h->tm.src,
        .dst = h->tm.dst,
        .protocol = m->protocol,
        .name = m->name && m->name[0] ? m->name : m->code,
        .kind = m->kind,
        .outcome = m->outcome,
        .txn = txn,
    };
    tpa_ue_step(s->ue, anchor, &st);
}

/* Applies the messages waiting, oldest first. */
static void flush(tpa_sigstate_t *s)
{
    while (s->waiting) {
        held_t *h = &s->held[s->head];
        s->head = (s->head + 1) % HELD;
        s->waiting--;
        apply(s, h);
    }
}

/* Whether p, outside the run of literals (tpa_literal.h: the usual layout tells
 * literals by address alone), is a literal of the program, remembering the addresses
 * found to be: dissectors pass the same few over and over. */
static bool literal_slow(tpa_sigstate_t *s, const char *p)
{
    uintptr_t a = (uintptr_t)p;
    if (a - s->lit.lo >= s->lit.hi - s->lit.lo || s->lit.run_end != s->lit.lo) return false;
    size_t i = (size_t)(((uint64_t)a * 0x9e3779b97f4a7c15ULL) >> (64 - LIT_MEMO_BITS));
    if (s->lit_memo[i] == p) return true;
    if (!tpa_literals_has(&s->lit, p)) return false;
    s->lit_memo[i] = p;
    return true;
}

/* Points *p at a copy of its text in h; false when h has no room left. */
static bool copy_text(held_t *h, const char **p)
{
    size_t n = strlen(*p) + 1;
    if (n > sizeof h->text - h->used) return false;
    memcpy(h->text + h->used, *p, n);
    *p = h->text + h->used;
    h->used += n;
    return true;
}

/* Points *p at a copy of its text in h, unless it is a literal (which lives as long
 * as the program: those in the run [lo, lo + run) told at once). false when h has no
 * room left. */
static inline bool keep(tpa_sigstate_t *s, held_t *h, uintptr_t lo, uintptr_t run, const char **p)
{
    /* run 0: not the usual layout, the memo tells */
    return !*p || (uintptr_t)*p - lo < run || (!run && literal_slow(s, *p)) || copy_text(h, p);
}

/* h->m = m, with the strings m borrows that are read after tpa_sigstate_feed returns
 * copied (deep) or not (shallow). Identity values the joiner joins on are not: it
 * copies them itself while preparing (tpa_ue_prepare); those pointers are set to
 * NULL by release_ids once it has. false when the copies do not fit: h->m is then
 * shallow. */
static bool hold(tpa_sigstate_t *s, held_t *h, const tpa_sig_t *m, bool deep)
{
    unsigned n = m->n_ids < TPA_SIG_MAX_IDS ? m->n_ids : TPA_SIG_MAX_IDS;
    memcpy(&h->m, m, offsetof(tpa_sig_t, ids)); /* a fixed size: copied inline */
    for (unsigned i = 0; i < n; i++)
        h->m.ids[i] = m->ids[i];
    h->m.n_ids = n;
    if (!deep) return true;
    tpa_sig_t *c = &h->m;
    h->used = 0;
    h->key_size = 0;
    uintptr_t lo = s->lit.lo, run = s->lit.run_end - lo;
    bool ok = keep(s, h, lo, run, &c->protocol) && keep(s, h, lo, run, &c->code) &&
              keep(s, h, lo, run, &c->name) && keep(s, h, lo, run, &c->procedure);
    if (ok && c->key && (uintptr_t)c->key - lo >= run && (run || !literal_slow(s, c->key))) {
        size_t before = h->used; /* the key: its size goes to pairing (tpa_txn_msg_t) */
        ok = copy_text(h, &c->key);
        h->key_size = (uint32_t)(h->used - before);
    }
    ok = ok && keep(s, h, lo, run, &c->cause_name) && keep(s, h, lo, run, &c->cause_family);
    for (unsigned i = 0; i < n && ok; i++)
        if (tpa_ue_reads_later(c->ids[i].kind)) ok = keep(s, h, lo, run, &c->ids[i].value);
    if (!ok) hold(s, h, m, false);
    return ok;
}

/* After tpa_ue_prepare on a held message: the identity values it copied are m's,
 * valid no longer than the feed. */
static void release_ids(tpa_sig_t *c)
{
    for (unsigned i = 0; i < c->n_ids; i++)
        if (!tpa_ue_reads_later(c->ids[i].kind)) c->ids[i].value = NULL;
}

/* Messages go through in two steps, one message apart: a message is prepared (its
 * identities normalised and hashed; the subscriber buckets and the transaction slot
 * they hash to fetched) and held, and applied when the next one has been prepared.
 * The tables are far larger than the caches; this way their first misses overlap the
 * work on the message before. Order is kept: messages are applied one by one in the
 * order fed, so the result is the same. */
void tpa_sigstate_feed(tpa_sigstate_t *s, const tpa_sig_where_t *w, const tpa_sig_t *m)
{
    if (!s || !w || !m || !m->protocol || !m->code || !m->protocol[0] || !m->code[0] || s->finished)
        return;
    if (!s->held) {
        s->held = malloc(HELD * sizeof *s->held);
        if (!s->held) return;
    }
    held_t *h = &s->held[(s->head + s->waiting) % HELD];
    bool held = hold(s, h, m, true);
    const char *src = w->pooled && w->src ? w->src : tpa_intern(s->pool, w->src ? w->src : "");
    const char *dst = w->pooled && w->dst ? w->dst : tpa_intern(s->pool, w->dst ? w->dst : "");
    h->tm = (tpa_txn_msg_t){
        .frame = w->frame,
        .ts_us = w->ts_us,
        .flow = w->flow,
        .scope = w->scope,
        .src = src,
        .dst = dst,
        .sig = &h->m,
        .key_size = held ? h->key_size : 0,
    };
    if (h->m.n_ids) /* (half the messages carry no identity: no call) */
        tpa_ue_prepare(s->ue, &h->m, w->flow, &h->keys);
    else
        h->keys.n = 0; /* as tpa_ue_prepare leaves it: nothing to join */
    tpa_txn_prefetch(s->txn, &h->tm);
    if (!held) { /* its strings did not fit: applied now, while m's are valid */
        flush(s);
        apply(s, h);
        return;
    }
    release_ids(&h->m);
    s->waiting++;
    if (s->waiting == HELD) { /* the one before: applied */
        held_t *old = &s->held[s->head];
        s->head = (s->head + 1) % HELD;
        s->waiting--;
        apply(s, old);
    }
}

void tpa_sigstate_finish(tpa_sigstate_t *s)
{
    if (!s || s->finished) return;
    flush(s);
    s->finished = true;
    tpa_txn_finish(s->txn);
    tpa_kpi_finish(s->kpi);
    tpa_ue_finish(s->ue);
    size_t n = tpa_txn_kept_count(s->txn);
    for (size_t i = 0; i < n; i++) {
        tpa_txn_rec_t *r = tpa_txn_kept_at(s->txn, i);
        r->ue = tpa_ue_number(s->ue, r->ue_anchor);
        if (r->ue) tpa_ue_add_txn(s->ue, r->ue, r->id, r->request_us);
    }
}

static const char *txn_outcome(void *ud, uint64_t id)
{
    const tpa_txn_rec_t *r = tpa_txn_kept_at(ud, (size_t)(id - 1));
    return r ? tpa_txn_outcome_name(r->outcome) : NULL;
}

static json_t *counters(const tpa_sigstate_t *s)
{
    tpa_txn_stats_t ts = {0};
    tpa_ue_stats_t us = {0};
    size_t kept = 0;
    if (s) {
        ts = *tpa_txn_stats(s->txn);
        us = *tpa_ue_stats(s->ue);
        kept = tpa_txn_kept_count(s->txn);
    }
    json_t *o = json_object();
    if (!o) return NULL;
#define SETI(k, v) json_object_set_new(o, k, json_integer((json_int_t)(v)))
    SETI("transactions_total", ts.attempts);
    SETI("transactions_listed", kept);
    SETI("transactions_evicted", ts.evicted);
    SETI("orphan_responses", ts.orphans);
    SETI("duplicate_responses", ts.dup_responses);
    SETI("late_retransmissions", ts.late_retx);
    SETI("capture_duplicates", ts.duplicates);
    SETI("provisional_responses", ts.provisional);
    SETI("unpaired_messages", ts.unpaired);
    SETI("open_peak", ts.open_peak);
    SETI("ues_total", us.ues);
    SETI("identities", us.nodes);
    SETI("identities_ignored", us.ignored);
    SETI("ue_join_conflicts", us.conflicts);
    SETI("ue_join_too_big", us.too_big);
    SETI("ue_hub_identities", us.hubs);
    SETI("ue_id_rebinds", us.rebinds);
    SETI("ladder_dropped", us.ladder_dropped);
#undef SETI
    return o;
}

int tpa_sigstate_json(tpa_sigstate_t *s, json_t *doc)
{
    if (!doc) return TPA_ERR_INVALID;
    if (s) tpa_sigstate_finish(s);
    json_t *tx = s && s->defer ? json_array() : tpa_txn_json(s ? s->txn : NULL);
    json_t *kp = tpa_kpi_json(s ? s->kpi : NULL);
    json_t *ue = s && !s->defer ? tpa_ue_json(s->ue, txn_outcome, s->txn) : json_array();
    json_t *ct = counters(s);
    if (!tx || !kp || !ue || !ct) {
        json_decref(tx);
        json_decref(kp);
        json_decref(ue);
        json_decref(ct);
        return TPA_ERR_NOMEM;
    }
    json_object_set_new(ct, "ues_listed",
                        json_integer((json_int_t)tpa_ue_listed(s ? s->ue : NULL)));
    json_object_set_new(doc, "transactions", tx);
    json_object_set_new(doc, "kpis", kp);
    json_object_set_new(doc, "ues", ue);
    json_object_set_new(doc, "signalling", ct);
    return 0;
}

void tpa_sigstate_defer_arrays(tpa_sigstate_t *s)
{
    if (s) s->defer = true;
}

int tpa_sigstate_txn_write(void *ud, size_t i, tpa_jw_t *w)
{
    const tpa_sigstate_t *s = ud;
    return tpa_txn_item_write(s->txn, i, w);
}

int tpa_sigstate_ue_write(void *ud, size_t i, tpa_jw_t *w)
{
    const tpa_sigstate_t *s = ud;
    return tpa_ue_item_write(s->ue, i, txn_outcome, s->txn, w);
}

tpa_sig_flow_memo_t *tpa_sigstate_flow_memo(tpa_sigstate_t *s, uint32_t flow)
{
    return s ? &s->memo[flow & (TPA_SIG_FLOW_MEMO - 1)] : NULL;
}

const char *tpa_sigstate_addr_name(tpa_sigstate_t *s, int family, const uint8_t *a)
{
    if (!s || !a) return NULL;
    if (!s->addr_memo) {
        s->addr_memo = calloc(TPA_SIG_ADDR_MEMO, sizeof *s->addr_memo);
        if (!s->addr_memo) return NULL;
    }
    size_t n = family == 6 ? 16 : 4;
    uint64_t h = tpa_hash_bytes((uint64_t)family, a, n);
    addr_memo_t *m = &s->addr_memo[(h ^ h >> 32) & (TPA_SIG_ADDR_MEMO - 1)];
    if (m->family == family && memcmp(m->addr, a, n) == 0) return m->name;
    char text[TPA_FMT_ADDR_MAX];
    size_t len = tpa_fmt_addr_str(family, a, text, sizeof text); /* as inet_ntop writes it */
    const char *name = tpa_intern_n(s->pool, text, len);
    if (!name) return NULL;
    m->family = (uint8_t)family;
    memcpy(m->addr, a, n);
    m->name = name;
    return name;
}

const char *tpa_sigstate_intern(tpa_sigstate_t *s, const char *str)
{
    return s ? tpa_intern(s->pool, str) : NULL;
}

const tpa_kpi_t *tpa_sigstate_kpi(tpa_sigstate_t *s)
{
    if (!s) return NULL;
    if (s->held) flush(s);
    return s->kpi;
}

const tpa_txn_t *tpa_sigstate_txn(tpa_sigstate_t *s)
{
    if (!s) return NULL;
    if (s->held) flush(s);
    return s->txn;
}

const tpa_ue_t *tpa_sigstate_ue(tpa_sigstate_t *s)
{
    if (!s) return NULL;
    if (s->held) flush(s);
    return s->ue;
}
