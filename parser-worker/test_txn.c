/* test_txn.c - request/response pairing (tpa_txn.h), driven with hand-written message
 * sequences as dissectors report them (tpa_sig.h), through tpa_sigstate_feed and the
 * tracker directly. Each block quotes the rule of tpa_txn.h it checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_literal.h"
#include "tpa_sigstate.h"
#include "tpa_test.h"
#include "tpa_txn.h"

#define S(x) ((int64_t)(x)*1000000)
#define MS(x) ((int64_t)(x)*1000)

static tpa_sig_t msg(const char *proto, const char *code, tpa_sig_kind_t kind,
                     const char *procedure, const char *key)
{
    tpa_sig_t m;
    memset(&m, 0, sizeof m);
    m.protocol = proto;
    m.code = code;
    m.name = NULL;
    m.kind = kind;
    m.procedure = procedure;
    m.key = key;
    return m;
}

static tpa_sig_t req(const char *proto, const char *code, const char *proc, const char *key)
{
    return msg(proto, code, TPA_SIG_REQUEST, proc, key);
}

static tpa_sig_t rsp(const char *proto, const char *code, const char *proc, const char *key)
{
    return msg(proto, code, TPA_SIG_RESPONSE, proc, key);
}

static tpa_sig_t fail(tpa_sig_t m, int64_t cause, const char *name)
{
    m.outcome = TPA_SIG_FAILURE;
    m.has_cause = true;
    m.cause = cause;
    m.cause_name = name;
    return m;
}

/* Feeds m at frame/time on flow 1 (scope 100), from A to B. */
static void feed(tpa_sigstate_t *s, uint64_t frame, int64_t ts, const tpa_sig_t *m)
{
    tpa_sig_where_t w = {frame, ts, 1, 100, "10.0.0.1", "10.0.0.2", false};
    tpa_sigstate_feed(s, &w, m);
}

static void feed_at(tpa_sigstate_t *s, uint64_t frame, int64_t ts, uint32_t flow, uint64_t scope,
                    const tpa_sig_t *m)
{
    tpa_sig_where_t w = {frame, ts, flow, scope, "10.0.0.3", "10.0.0.4", false};
    tpa_sigstate_feed(s, &w, m);
}

static const json_t *find_kpi(const json_t *doc, const char *proto, const char *proc)
{
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(doc, "kpis"), i, k)
    {
        if (strcmp(json_string_value(json_object_get(k, "protocol")), proto) == 0 &&
            strcmp(json_string_value(json_object_get(k, "procedure")), proc) == 0)
            return k;
    }
    return NULL;
}

static json_int_t num(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static const char *str(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "(null)";
}

static json_t *finish(tpa_sigstate_t *s)
{
    json_t *doc = json_object();
    CHECK(tpa_sigstate_json(s, doc) == 0);
    return doc;
}

/* The issue's example (5gpcap__n4_upf_timeout_n4.pcap): 15 PFCP Session Establishment
 * Requests that are 5 requests each sent three times and never answered: "5 attempts,
 * 5 unanswered, 0 successes, 10 retransmissions". */
static void test_pfcp_retransmissions(void)
{
    tpa_sigstate_t *s = tpa_sigstate_new(NULL);
    CHECK(s != NULL);
    uint64_t frame = 1;
    for (int r = 0; r < 5; r++) {
        char key[32];
        snprintf(key, sizeof key, "seq=%d@10.0.0.1", 6 + r);
        for (int k = 0; k < 3; k++) {
            tpa_sig_t m = req("pfcp", "50", "Session Establishment", key);
            feed(s, frame++, S(10 * r) + MS(2500) * k, &m);
        }
    }
    json_t *doc = finish(s);
    const json_t *k = find_kpi(doc, "pfcp", "Session Establishment");
    CHECK(k != NULL);
    CHECKF(num(k, "attempts") == 5, "%lld", (long long)num(k, "attempts"));
    CHECK(num(k, "unanswered") == 5);
    CHECK(num(k, "successes") == 0);
    CHECK(num(k, "failures") == 0);
    CHECKF(num(k, "retransmissions") == 10, "%lld", (long long)num(k, "retransmissions"));
    CHECK(json_real_value(json_object_get(k, "success_rate")) == 0.0);
    CHECK(json_is_null(json_object_get(json_object_get(k, "latency_ms"), "p50")));
    CHECK(strcmp(str(k, "request_code"), "50") == 0);
    json_t *tx = json_object_get(doc, "transactions");
    CHECK(json_array_size(tx) == 5);
    json_t *t0 = json_array_get(tx, 0);
    CHECK(strcmp(str(t0, "id"), "t1") == 0);
    CHECK(strcmp(str(t0, "outcome"), "unanswered") == 0);
    CHECK(num(t0, "retransmissions") == 2);
    CHECK(num(t0, "request_frame") == 1);
    CHECK(json_is_null(json_object_get(t0, "response_frame")));
    CHECK(json_is_null(json_object_get(t0, "latency_ms")));
    CHECK(json_is_null(json_object_get(t0, "cause")));
    CHECK(strcmp(str(t0, "src"), "10.0.0.1") == 0 && strcmp(str(t0, "dst"), "10.0.0.2") == 0);
    CHECK(num(t0, "flow") == 1);
    CHECK(strcmp(str(json_array_get(tx, 4), "id"), "t5") == 0);
    json_decref(doc);
    tpa_sigstate_destroy(&s);
    CHECK(s == NULL);
}

/* "RESPONSE while open: closes it, outcome success or failure from the response,
 * latency = response time - first transmission of the request". */
static void test_outcomes(void)
{
    tpa_sigstate_t *s = tpa_sigstate_new(NULL);
    tpa_sig_t m = req("gtpv2", "32", "Create Session", "seq=1");
    feed(s, 1, S(1), &m);
    m = req("gtpv2", "32", "Create Session", "seq=1"); /* retransmitted after 3 s */
    feed(s, 2, S(4), &m);
    m = rsp("gtpv2", "33", "Create Session", "seq=1");
    m.has_cause = true;
    m.cause = 16;
    m.cause_name = "Request accepted";
    feed(s, 3, S(4) + MS(12), &m);
    m = req("gtpv2", "32", "Create Session", "seq=2");
    feed(s, 4, S(5), &m);
    m = fail(rsp("gtpv2", "33", "Create Session", "seq=2"), 64, "Context Not Found");
    feed(s, 5, S(5) + MS(7), &m);
    m = req("gtpv2", "32", "Create Session", "seq=3");
    feed(s, 6, S(6), &m);
    json_t *doc = finish(s);
    const json_t *k = find_kpi(doc, "gtpv2", "Create Session");
    CHECK(num(k, "attempts") == 3 && num(k, "successes") == 1 && num(k, "failures") == 1 &&
          num(k, "unanswered") == 1 && num(k, "retransmissions") == 1);
    CHECK(json_real_value(json_object_get(k, "success_rate")) == 0.3333);
    json_t *tx = json_object_get(doc, "transactions");
    json_t *t1 = json_array_get(tx, 0), *t2 = json_array_get(tx, 1);
    CHECK(strcmp(str(t1, "outcome"), "success") == 0);
    CHECKF(json_real_value(json_object_get(t1, "latency_ms")) == 3012.0, "%f",
           json_real_value(json_object_get(t1, "latency_ms")));
    CHECK(num(t1, "retransmissions") == 1 && num(t1, "response_frame") == 3);
    CHECK(strcmp(str(t1, "response_code"), "33") == 0);
    json_t *c1 = json_object_get(t1, "cause");
    CHECK(num(c1, "code") == 16 && strcmp(str(c1, "family"), "gtpv2") == 0);
    CHECK(strcmp(str(t2, "outcome"), "failure") == 0);
    json_t *c2 = json_object_get(t2, "cause");
    CHECK(num(c2, "code") == 64 && strcmp(str(c2, "name"), "Context Not Found") == 0);
    CHECK(json_real_value(json_object_get(t2, "latency_ms")) == 7.0);
    /* causes[] are over failures only */
    json_t *causes = json_object_get(k, "causes");
    CHECK(json_array_size(causes) == 1 && num(json_array_get(causes, 0), "code") == 64 &&
          num(json_array_get(causes, 0), "count") == 1);
    json_decref(doc);
    tpa_sigstate_destroy(&s);
}

/* "RESPONSE with nothing to match: an orphan (counted per procedure, no attempt)";
 * "A closed transaction stays matchable for linger_us: a RESPONSE then is a duplicate
 * response"; the same packet again within dup_window_us is a capture duplicate. */
static void test_orphans_and_duplicates(void)
{
    tpa_sigstate_t *s = tpa_sigstate_new(NULL);
    tpa_sig_t m = rsp("pfcp", "51", "Session Establishment", "seq=9");
    feed(s, 1, S(1), &m);
    m = req("pfcp", "52", "Session Modification", "seq=10");
    feed(s, 2, S(2), &m);
    feed(s, 3, S(2) + 20, &m); /* the same packet on a second tap, 20 us later */
    m = rsp("pfcp", "53", "Session Modification", "seq=10");
    feed(s, 4, S(2) + MS(1), &m);
    feed(s, 5, S(2) + MS(1) + 30, &m); /* duplicate copy of the response */
    feed(s, 6, S(3), &m);              /* repeated 1 s later: a duplicate response */
    feed(s, 7, S(40), &m);             /* past the linger window: an orphan */
    json_t *doc = finish(s);
    const json_t *k = find_kpi(doc, "pfcp", "Session Establishment");
    CHECK(k && num(k, "attempts") == 0 && num(k, "orphan_responses") == 1);
    CHECK(json_is_null(json_object_get(k, "success_rate")));
    k = find_kpi(doc, "pfcp", "Session Modification");
    CHECK(num(k, "attempts") == 1 && num(k, "successes") == 1 && num(k, "retransmissions") == 0);
    CHECK(num(k, "duplicate_responses") == 1 && num(k, "orphan_responses") == 1);
    CHECK(json_array_size(json_object_get(doc, "transactions")) == 1);
    json_t *sg = json_object_get(doc, "signalling");
    CHECK(num(sg, "capture_duplicates") == 2 && num(sg, "orphan_responses") == 2);
    json_decref(doc);
    tpa_sigstate_destroy(&s);
}

/* "a REQUEST then is a late retransmission (its answer was lost) unless the key names
 * a UE context (TPA_SIG_KEY_CONTEXT, or protocol ngap / s1ap / nas-5gs / nas-eps),
 * when it is a new attempt"; "older, the open one ends unanswered and a new attempt
 * opens (a reused sequence number)". */
static void test_late_and_reused(void)
{
    tpa_sigstate_t *s = tpa_sigstate_new(NULL);
    tpa_sig_t q = req("pfcp", "5", "Association Setup", "seq=7@10.0.0.1");
    tpa_sig_t a = rsp("pfcp", "6", "Association Setup", "seq=7@10.0.0.1");
    feed(s, 1, S(1), &q);
    feed(s, 2, S(1) + MS(1), &a);
    feed(s, 3, S(3), &q); /* the answer was lost: the peer repeats */
    feed(s, 4, S(3) + MS(1), &a);
    tpa_sig_t r1 = req("nas-5gs", "65", "Registration", "ue=ran:1");
    tpa_sig_t r2 = fail(rsp("nas-5gs", "68", "Registration", "ue=ran:1"), 7, "5GS services");
    r2.cause_family = "5gmm";
    feed(s, 5, S(4), &r1);
    feed(s, 6, S(4) + MS(5), &r2);
    feed(s, 7, S(14), &r1); /* a second registration of the same UE */
    tpa_sig_t r3 = rsp("nas-5gs", "66", "Registration", "ue=ran:1");
    feed(s, 8, S(14) + MS(5), &r3);
    tpa_sig_t d = req("dns", "query", "query", "id=1|a.example|A");
    d.flags = TPA_SIG_KEY_CONTEXT; /* flag: the same as a context key */
    feed(s, 9, S(20), &d);
    tpa_sig_t dr = rsp("dns", "response", "query", "id=1|a.example|A");
    feed(s, 10, S(20) + MS(3), &dr);
    feed(s, 11, S(21), &d);
    tpa_sig_t g = req("gtpv2", "34", "Modify Bearer", "seq=5");
    feed(s, 12, S(30), &g);
    feed(s, 13, S(100), &g); /* 70 s later: the number was reused */
    json_t *doc = finish(s);
    const json_t *k = find_kpi(doc, "pfcp", "Association Setup");
    CHECK(num(k, "attempts") == 1 && num(k, "retransmissions") == 1 &&
          num(k, "duplicate_responses") == 1 && num(k, "successes") == 1);
    k = find_kpi(doc, "nas-5gs", "Registration");
    CHECK(num(k, "attempts") == 2 && num(k, "failures") == 1 && num(k, "successes") == 1);
    json_t *c = json_array_get(json_object_get(k, "causes"), 0);
    CHECK(num(c, "code") == 7 && strcmp(str(c, "family"), "5gmm") == 0);
    k = find_kpi(doc, "dns", "query");
    CHECK(num(k, "attempts") == 2 && num(k, "retransmissions") == 0 && num(k, "unanswered") == 1);
    k = find_kpi(doc, "gtpv2", "Modify Bearer");
    CHECK(num(k, "attempts") == 2 && num(k, "unanswered") == 2 && num(k, "retransmissions") == 0);
    json_decref(doc);
    tpa_sigstate_destroy(&s);
}

/* scope: "the flow's unordered endpoint pair ... or the whole capture when
 * TPA_SIG_SCOPE_CAPTURE is set". */
static void test_scope(void)
{
    tpa_sigstate_t *s = tpa_sigstate_new(NULL);
    tpa_sig_t q = req("dns", "query", "query", "id=7|x.test|A");
    tpa_sig_t a = rsp("dns", "response", "query", "id=7|x.test|A");
    feed_at(s, 1, S(1), 1, 100, &q);
    feed_at(s, 2, S(1), 2, 200, &q);         /* same key, another endpoint pair */
    feed_at(s, 3, S(1) + MS(2), 3, 300, &a); /* a third pair: matches neither */
    feed_at(s, 4, S(1) + MS(3), 2, 200, &a); /* answers the second only */
    tpa_sig_t inv = req("sip", "INVITE", "INVITE", "c1@h|1|z9hG4bK1");
    inv.flags = TPA_SIG_SCOPE_CAPTURE;
    tpa_sig_t ok = rsp("sip", "200", "INVITE", "c1@h|1|z9hG4bK1");
    ok.flags = TPA_SIG_SCOPE_CAPTURE;
    tpa_sig_t trying = msg("sip", "100", TPA_SIG_INDICATION, "INVITE", "c1@h|1|z9hG4bK1");
    trying.flags = TPA_SIG_SCOPE_CAPTURE;
    feed_at(s, 5, S(2), 4, 400, &inv);
    feed_at(s, 6, S(2) + MS(10), 5, 500, &trying); /* provisional: closes nothing */
    feed_at(s, 7, S(2) + MS(900), 5, 500, &ok);    /* other port pair: still pairs */
    json_t *doc = finish(s);
    const json_t *k = find_kpi(doc, "dns", "query");
    CHECK(num(k, "attempts") == 2 && num(k, "successes") == 1 && num(k, "unanswered") == 1 &&
          num(k, "orphan_responses") == 1);
    k = find_kpi(doc, "sip", "INVITE");
    CHECK(num(k, "attempts") == 1 && num(k, "successes") == 1);
    CHECK(json_real_value(json_object_get(json_object_get(k, "latency_ms"), "p50")) == 900.0);
    json_t *tx = json_object_get(doc, "transactions");
    json_t *t3 = json_array_get(tx, 2);
    CHECK(strcmp(str(t3, "response_code"), "200") == 0 && num(t3, "response_frame") == 7);
    CHECK(num(json_object_get(doc, "signalling"), "provisional_responses") == 1);
    json_decref(doc);
    tpa_sigstate_destroy(&s);
}

/* Bounded memory: "at most max_open open transactions (past that the oldest open one
 * ends unanswered, counted as evicted)"; "the document keeps the first max_kept
 * transactions ... counts in KPIs stay exact"; failure indications. */
static void test_limits_and_indications(void)
{
    tpa_sigstate_limits_t lim = {tpa_txn_default_limits(), tpa_ue_default_limits()};
    lim.txn.max_open = 4;
    lim.txn.max_kept = 3;
    tpa_sigstate_t *s = tpa_sigstate_new(&lim);
    char key[32];
    for (int i = 0; i < 10; i++) {
        snprintf(key, sizeof key, "seq=%d", i);
        tpa_sig_t q = req("gtpv2", "32", "Create Session", key);
        feed(s, (uint64_t)(2 * i + 1), S(i), &q);
    }
    for (int i = 0; i < 10; i++) { /* only the last 4 are still open */
        snprintf(key, sizeof key, "seq=%d", i);
        tpa_sig_t a = rsp("gtpv2", "33", "Create Session", key);
        feed(s, (uint64_t)(2 * i + 2), S(20 + i), &a);
    }
    tpa_sig_t ei = msg("gtp", "26", TPA_SIG_INDICATION, NULL, NULL);
    ei.name = "Error Indication";
    ei.outcome = TPA_SIG_FAILURE;
    feed(s, 30, S(40), &ei);
    feed(s, 31, S(41), &ei);
    json_t *doc = finish(s);
    const json_t *k = find_kpi(doc, "gtpv2", "Create Session");
    CHECK(num(k, "attempts") == 10 && num(k, "successes") == 4 && num(k, "unanswered") == 6 &&
          num(k, "orphan_responses") == 6);
    CHECK(json_array_size(json_object_get(doc, "transactions")) == 3);
    json_t *sg = json_object_get(doc, "signalling");
    CHECK(num(sg, "transactions_total") == 10 && num(sg, "transactions_listed") == 3 &&
          num(sg, "transactions_evicted") == 6 && num(sg, "open_peak") == 4);
    const tpa_kpi_t *kp = tpa_sigstate_kpi(s);
    CHECK(tpa_kpi_ind_count(kp) == 1);
    const tpa_kpi_ind_t *g = tpa_kpi_ind_at(kp, 0);
    CHECK(g && g->count == 2 && strcmp(g->code, "26") == 0 && g->ev.nframes == 2 &&
          g->ev.frames[1] == 31);
    json_decref(doc);
    tpa_sigstate_destroy(&s);
}

/* The tracker alone: the events it reports. */
static void test_events(void)
{
    tpa_intern_t *pool = tpa_intern_new();
    tpa_kpi_t *kpi = tpa_kpi_new();
    tpa_txn_t *t = tpa_txn_new(pool, kpi, NULL);
    CHECK(pool && kpi && t);
    const char *a = tpa_intern(pool, "a"), *b = tpa_intern(pool, "b");
    tpa_sig_t q = req("diameter", "316/R", "ULR", "hbh=1");
    tpa_txn_msg_t m = {
        .frame = 1, .ts_us = S(1), .flow = 1, .scope = 5, .src = a, .dst = b, .sig = &q};
    tpa_txn_ev_t ev;
    tpa_txn_rec_t *r = tpa_txn_feed(t, &m, &ev);
    CHECK(r && ev == TPA_TXN_EV_OPEN && r->id == 1 && r->outcome == TPA_TXN_OPEN);
    m.ts_us = S(2);
    CHECK(tpa_txn_feed(t, &m, &ev) == r && ev == TPA_TXN_EV_RETX && r->retransmissions == 1);
    tpa_sig_t ans = fail(rsp("diameter", "316/A", "ULR", "hbh=1"), 5001, "USER_UNKNOWN");
    ans.cause_family = "diameter";
    tpa_txn_msg_t m2 = {
        .frame = 2, .ts_us = S(3), .flow = 1, .scope = 5, .src = b, .dst = a, .sig = &ans};
    CHECK(tpa_txn_feed(t, &m2, &ev) == r && ev == TPA_TXN_EV_CLOSE);
    CHECK(r->outcome == TPA_TXN_FAILURE && r->cause == 5001 && r->response_frame == 2);
    tpa_sig_t none = msg("diameter", "280/R", TPA_SIG_REQUEST, NULL, NULL);
    tpa_txn_msg_t m3 = {
        .frame = 3, .ts_us = S(4), .flow = 1, .scope = 5, .src = a, .dst = b, .sig = &none};
    CHECK(tpa_txn_feed(t, &m3, &ev) == NULL && ev == TPA_TXN_EV_NONE);
    CHECK(tpa_txn_stats(t)->unpaired == 1);
    tpa_txn_finish(t);
    CHECK(tpa_txn_kept_count(t) == 1 && tpa_txn_kept_at(t, 0) == r);
    CHECK(tpa_txn_feed(t, &m, &ev) == NULL); /* after finish */
    tpa_kpi_finish(kpi);
    const tpa_kpi_entry_t *e = tpa_kpi_find(kpi, "diameter", "ULR");
    CHECK(e && e->failures == 1 && e->ncauses == 1 && e->causes[0].ev.ntxns == 1 &&
          e->causes[0].ev.txns[0] == 1 && e->nlat == 1);
    tpa_txn_destroy(&t);
    tpa_kpi_destroy(&kpi);
    tpa_intern_destroy(&pool);
    CHECK(!t && !kpi && !pool);
}

/* Thousands of keys opened, closed, retransmitted, expired and reused: every lookup
 * still finds its own transaction while the tracker's table grows and entries leave
 * it from anywhere ("A closed transaction stays matchable for linger_us"; "REQUEST
 * while the tuple is open: a retransmission ... older, the open one ends unanswered
 * and a new attempt opens"). */
/* m seen in frame at ts_us on flow 1 (scope) from "a" to "b". */
static tpa_txn_msg_t on_flow1(const tpa_sig_t *m, uint64_t frame, int64_t ts_us, uint64_t scope)
{
    tpa_txn_msg_t tm = {.frame = frame,
                        .ts_us = ts_us,
                        .flow = 1,
                        .scope = scope,
                        .src = "a",
                        .dst = "b",
                        .sig = m};
    return tm;
}

static unsigned feed_round(tpa_txn_t *t, tpa_sig_kind_t kind, int64_t t0, int parity,
                           tpa_txn_ev_t want)
{
    enum { N = 3000 };
    unsigned ok = 0;
    char key[32];
    for (int i = 0; i < N; i++) {
        if (parity >= 0 && i % 2 != parity) continue;
        snprintf(key, sizeof key, "seq=%d", i);
        tpa_sig_t m =
            msg("pfcp", kind == TPA_SIG_REQUEST ? "50" : "51", kind, "Session Establishment", key);
        tpa_txn_msg_t tm = on_flow1(&m, (uint64_t)i + 1, t0 + (int64_t)i * 1000, 7);
        tpa_txn_ev_t ev;
        if (i % 3 == 0) tpa_txn_prefetch(t, &tm); /* the same pairing either way */
        tpa_txn_feed(t, &tm, &ev);
        ok += ev == want;
    }
    return ok;
}

/* Checks the KPIs of feed_round's procedure after the tracker finished, then frees
 * the three. */
static void check_churn_kpi(tpa_txn_t **t, tpa_kpi_t **kpi, tpa_intern_t **pool, uint64_t attempts,
                            uint64_t successes, uint64_t unanswered)
{
    tpa_kpi_finish(*kpi);
    const tpa_kpi_entry_t *e = tpa_kpi_find(*kpi, "pfcp", "Session Establishment");
    CHECK(e && e->attempts == attempts && e->successes == successes && e->unanswered == unanswered);
    tpa_txn_destroy(t);
    tpa_kpi_destroy(kpi);
    tpa_intern_destroy(pool);
}

static void test_churn(void)
{
    tpa_intern_t *pool = tpa_intern_new();
    tpa_kpi_t *kpi = tpa_kpi_new();
    tpa_txn_t *t = tpa_txn_new(pool, kpi, NULL);
    CHECK(pool && kpi && t);
    CHECK(feed_round(t, TPA_SIG_REQUEST, S(1), -1, TPA_TXN_EV_OPEN) == 3000);
    CHECK(feed_round(t, TPA_SIG_RESPONSE, S(10), 0, TPA_TXN_EV_CLOSE) == 1500);
    CHECK(feed_round(t, TPA_SIG_REQUEST, S(11), 1, TPA_TXN_EV_RETX) == 1500);
    CHECK(feed_round(t, TPA_SIG_REQUEST, S(12), 0, TPA_TXN_EV_LATE_RETX) == 1500);
    /* long after: the closed ones expired, the open ones end unanswered; all reopen */
    CHECK(feed_round(t, TPA_SIG_REQUEST, S(100), -1, TPA_TXN_EV_OPEN) == 3000);
    CHECK(feed_round(t, TPA_SIG_RESPONSE, S(105), -1, TPA_TXN_EV_CLOSE) == 3000);
    CHECK(feed_round(t, TPA_SIG_RESPONSE, S(106), 1, TPA_TXN_EV_DUP_RESPONSE) == 1500);
    const tpa_txn_stats_t *st = tpa_txn_stats(t);
    CHECK(st->attempts == 6000 && st->late_retx == 1500 && st->dup_responses == 1500 &&
          st->orphans == 0 && st->open_peak == 3000);
    tpa_txn_finish(t);
    check_churn_kpi(&t, &kpi, &pool, 6000, 4500, 1500);
}

/* "scope ... ignored (set to 0 by tpa_txn_prefetch) when sig->flags has
 * TPA_SIG_SCOPE_CAPTURE": messages of one capture-scoped key pair across scopes whether
 * or not they were prefetched; flow-scoped ones do not. */
static void test_scope_prefetch(void)
{
    tpa_intern_t *pool = tpa_intern_new();
    tpa_kpi_t *kpi = tpa_kpi_new();
    tpa_txn_t *t = tpa_txn_new(pool, kpi, NULL);
    CHECK(pool && kpi && t);
    tpa_sig_t inv = msg("sip", "INVITE", TPA_SIG_REQUEST, "INVITE", "c1@h|1|b");
    tpa_sig_t ok = msg("sip", "200", TPA_SIG_RESPONSE, "INVITE", "c1@h|1|b");
    inv.flags = ok.flags = TPA_SIG_SCOPE_CAPTURE;
    tpa_txn_ev_t ev;
    tpa_txn_msg_t tm = on_flow1(&inv, 1, S(1), 7);
    tpa_txn_prefetch(t, &tm);
    CHECK(tm.prepared && tm.scope == 0);
    CHECK(tpa_txn_feed(t, &tm, &ev) && ev == TPA_TXN_EV_OPEN);
    tm = on_flow1(&inv, 2, S(2), 9); /* not prefetched, another scope: the same attempt */
    CHECK(tpa_txn_feed(t, &tm, &ev) && ev == TPA_TXN_EV_RETX);
    tm = on_flow1(&ok, 3, S(3), 11);
    tpa_txn_prefetch(t, &tm);
    CHECK(tpa_txn_feed(t, &tm, &ev) && ev == TPA_TXN_EV_CLOSE);
    tpa_sig_t q = msg("pfcp", "50", TPA_SIG_REQUEST, "Session Establishment", "seq=1");
    tpa_sig_t a = msg("pfcp", "51", TPA_SIG_RESPONSE, "Session Establishment", "seq=1");
    tm = on_flow1(&q, 4, S(4), 7);
    tpa_txn_prefetch(t, &tm);
    CHECK(tm.scope == 7 && tpa_txn_feed(t, &tm, &ev) && ev == TPA_TXN_EV_OPEN);
    tm = on_flow1(&a, 5, S(5), 9); /* flow-scoped: another pair answers nothing */
    tpa_txn_prefetch(t, &tm);
    CHECK(!tpa_txn_feed(t, &tm, &ev) && ev == TPA_TXN_EV_ORPHAN);
    tpa_txn_destroy(&t);
    tpa_kpi_destroy(&kpi);
    tpa_intern_destroy(&pool);
}

/* Tens of thousands of transactions open at once (slots over a hundred pool chunks,
 * named by 32-bit refs in the table and the lists): each response, in reverse order,
 * closes its own request's transaction; finish then ends none (all closed). */
static void test_many_open(void)
{
    enum { N = 70000 };
    tpa_intern_t *pool = tpa_intern_new();
    tpa_kpi_t *kpi = tpa_kpi_new();
    tpa_txn_t *t = tpa_txn_new(pool, kpi, NULL);
    CHECK(pool && kpi && t);
    char key[48];
    unsigned opened = 0, closed = 0, right = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int j = 0; j < N; j++) {
            int i = pass ? N - 1 - j : j;
            /* keys of varied length: slots of several size classes */
            snprintf(key, sizeof key, "seq=%d|%.*s", i, i % 23, "abcdefghijklmnopqrstuvw");
            tpa_sig_t m = msg("pfcp", pass ? "51" : "50", pass ? TPA_SIG_RESPONSE : TPA_SIG_REQUEST,
                              "Session Establishment", key);
            tpa_txn_msg_t tm = on_flow1(&m, (uint64_t)(pass * N + j) + 1, S(1) + pass * N + j, 9);
            tpa_txn_ev_t ev;
            tpa_txn_rec_t *r = tpa_txn_feed(t, &tm, &ev);
            opened += !pass && ev == TPA_TXN_EV_OPEN;
            closed += pass && ev == TPA_TXN_EV_CLOSE;
            right += pass && r && r->request_frame == (uint64_t)i + 1;
        }
    CHECK(opened == N && closed == N && right == N);
    CHECK(tpa_txn_stats(t)->open_peak == N);
    tpa_txn_finish(t);
    check_churn_kpi(&t, &kpi, &pool, N, N, 0);
}

/* Evictions while requests keep opening (max_open reached on every open): each open
 * transaction stays findable, so a request repeated while it is open is its
 * retransmission (an eviction moves table entries between a lookup and the insert
 * of the key it did not find). */
static void test_evict_churn(void)
{
    enum { N = 20000, OPEN = 300, BACK = 100 };
    tpa_intern_t *pool = tpa_intern_new();
    tpa_txn_limits_t lim = tpa_txn_default_limits();
    lim.max_open = OPEN;
    tpa_txn_t *t = tpa_txn_new(pool, NULL, &lim);
    CHECK(pool && t);
    char key[32];
    unsigned opened = 0, retx = 0;
    for (int i = 0; i < N; i++)
        for (int again = 0; again < 2; again++) {
            int k = again ? i - BACK : i;
            if (k < 0) continue;
            snprintf(key, sizeof key, "seq=%d", k);
            tpa_sig_t m = msg("pfcp", "50", TPA_SIG_REQUEST, "Session Establishment", key);
            tpa_txn_msg_t tm = on_flow1(&m, (uint64_t)(2 * i + again) + 1, S(1) + i * 20000, 7);
            tpa_txn_ev_t ev;
            tpa_txn_feed(t, &tm, &ev);
            opened += !again && ev == TPA_TXN_EV_OPEN;
            retx += again && ev == TPA_TXN_EV_RETX;
        }
    CHECK(opened == N && retx == N - BACK);
    CHECK(tpa_txn_stats(t)->evicted == N - OPEN);
    tpa_txn_destroy(&t);
    tpa_intern_destroy(&pool);
}

/* "At tpa_txn_finish every open transaction ends unanswered", kept or not, while the
 * closed ones linger: each is counted once in the KPIs, the kept records stay. */
static void test_finish(void)
{
    tpa_intern_t *pool = tpa_intern_new();
    tpa_kpi_t *kpi = tpa_kpi_new();
    tpa_txn_limits_t lim = tpa_txn_default_limits();
    lim.max_kept = 10;
    tpa_txn_t *t = tpa_txn_new(pool, kpi, &lim);
    CHECK(pool && kpi && t);
    CHECK(feed_round(t, TPA_SIG_REQUEST, S(1), -1, TPA_TXN_EV_OPEN) == 3000);
    CHECK(feed_round(t, TPA_SIG_RESPONSE, S(2), 0, TPA_TXN_EV_CLOSE) == 1500);
    tpa_txn_finish(t);
    tpa_txn_finish(t); /* again: nothing more */
    CHECK(tpa_txn_stats(t)->not_kept == 2990 && tpa_txn_kept_count(t) == 10);
    for (size_t i = 0; i < 10; i++) {
        const tpa_txn_rec_t *r = tpa_txn_kept_at(t, i);
        CHECK(r && r->id == i + 1 &&
              r->outcome == (i % 2 == 0 ? TPA_TXN_SUCCESS : TPA_TXN_UNANSWERED));
        CHECK(r && (i % 2 ? !r->response_code : strcmp(r->response_code, "51") == 0));
    }
    check_churn_kpi(&t, &kpi, &pool, 3000, 1500, 1500);
}

/* "A transaction is keyed by (protocol, procedure, key, scope)": by their texts,
 * whether a dissector passes literals (looked up by address) or buffers, one of which
 * may hold another procedure at the same address next time. */
static void test_procedure_texts(void)
{
    tpa_intern_t *pool = tpa_intern_new();
    tpa_kpi_t *kpi = tpa_kpi_new();
    tpa_txn_t *t = tpa_txn_new(pool, kpi, NULL);
    CHECK(pool && kpi && t);
    char proto[8] = "pfcp", proc[32] = "Session Establishment";
    tpa_txn_ev_t ev;
    for (int i = 0; i < 3; i++) { /* a literal request, a buffer response, alternately */
        char key[16];
        snprintf(key, sizeof key, "seq=%d", i);
        tpa_sig_t q = req("pfcp", "50", "Session Establishment", key);
        tpa_sig_t a = rsp(proto, "51", proc, key);
        tpa_txn_msg_t mq = {.frame = 1, .ts_us = S(1 + i), .scope = 3, .sig = &q};
        tpa_txn_msg_t ma = {.frame = 2, .ts_us = S(1 + i) + 5, .scope = 3, .sig = &a};
        CHECK(tpa_txn_feed(t, &mq, &ev) && ev == TPA_TXN_EV_OPEN);
        CHECK(tpa_txn_feed(t, &ma, &ev) && ev == TPA_TXN_EV_CLOSE);
    }
    snprintf(proc, sizeof proc, "Session Deletion"); /* same buffer, another procedure */
    tpa_sig_t a = rsp(proto, "55", proc, "seq=0");
    tpa_txn_msg_t ma = {.frame = 3, .ts_us = S(5), .scope = 3, .sig = &a};
    CHECK(tpa_txn_feed(t, &ma, &ev) == NULL && ev == TPA_TXN_EV_ORPHAN);
    tpa_txn_finish(t);
    tpa_kpi_finish(kpi);
    const tpa_kpi_entry_t *e = tpa_kpi_find(kpi, "pfcp", "Session Establishment");
    CHECK(e && e->attempts == 3 && e->successes == 3);
    CHECK(tpa_kpi_find(kpi, "pfcp", "Session Deletion") != NULL);
    tpa_txn_destroy(&t);
    tpa_kpi_destroy(&kpi);
    tpa_intern_destroy(&pool);
}

/* The pool the tracker interns into (tpa_intern.h: "The same text always gives the
 * same pointer"), whether the text comes from a literal (tpa_literal.h: its address
 * alone identifies it) or from a buffer whose text changes at one address. */
static void test_intern(void)
{
    tpa_literals_t lit;
    tpa_literals_init(&lit);
    static const char literal[] = "Session Establishment";
    char buf[32];
    snprintf(buf, sizeof buf, "%s", literal);
    CHECK(tpa_literals_has(&lit, literal) && tpa_literals_has(&lit, "pfcp"));
    CHECK(!tpa_literals_has(&lit, buf));
    /* writable data of the program and the heap are buffers too; the inline test
     * answers as the function does */
    static char data_buf[32] = "pfcp";
    static char bss_buf[32];
    char *heap = strdup("pfcp");
    CHECK(heap != NULL);
    const char *strs[] = {literal, "pfcp", buf, data_buf, bss_buf, heap};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        CHECKF(tpa_literal_is(&lit, strs[i]) == (i < 2) &&
                   tpa_literals_has(&lit, strs[i]) == (i < 2),
               "string %zu", i);
    free(heap);
    tpa_intern_t *pool = tpa_intern_new();
    CHECK(pool != NULL);
    const char *p = tpa_intern(pool, literal);
    CHECK(p && p != literal && strcmp(p, literal) == 0);
    CHECK(tpa_intern(pool, literal) == p && tpa_intern(pool, buf) == p);
    for (int i = 0; i < 3; i++) { /* one buffer, new text each time */
        snprintf(buf, sizeof buf, "seq=%d", i);
        const char *q = tpa_intern(pool, buf);
        CHECK(q && strcmp(q, buf) == 0 && q != p && tpa_intern(pool, buf) == q);
    }
    snprintf(buf, sizeof buf, "%s", literal);
    CHECK(tpa_intern(pool, buf) == p && tpa_intern(pool, literal) == p);
    CHECK(tpa_intern_count(pool) == 5); /* "(other)", the literal, three keys */
    tpa_intern_destroy(&pool);
}

/* tpa_sigstate_feed holds a message back until the next one is fed: what it keeps
 * must be its own copy. The same sequence is fed twice, once with strings that stay
 * put and once with every string in buffers overwritten right after each feed (and
 * one message whose strings are too long to hold, applied at once); the documents
 * must be equal. */
static void fill_msg(tpa_sig_t *m, char (*b)[300], int i, bool huge)
{
    snprintf(b[0], 300, "pfcp");
    snprintf(b[1], 300, "%d", i % 2 ? 51 : 50);
    snprintf(b[2], 300, "PFCP Session Establishment %s", i % 2 ? "Response" : "Request");
    snprintf(b[3], 300, "Session Establishment");
    snprintf(b[4], 300, "seq=%d", i / 2);
    snprintf(b[5], 300, "Cause %d", i);
    snprintf(b[6], 300, "pfcp");
    snprintf(b[7], 300, "00101%010d", i / 4);
    snprintf(b[8], 300, "0x%x@10.0.0.%d", 100 + i / 2, i % 2 + 1);
    snprintf(b[9], 300, "internet-%d", i / 4);
    if (huge) {
        memset(b[2], 'n', 299);
        b[2][299] = '\0';
        for (int k = 10; k < 16; k++) {
            memset(b[k], 'a' + k, 299);
            b[k][299] = '\0';
        }
    }
    *m = msg(b[0], b[1], i % 2 ? TPA_SIG_RESPONSE : TPA_SIG_REQUEST, b[3], b[4]);
    m->name = b[2];
    if (i % 6 == 5) *m = fail(*m, 64, b[5]);
    m->cause_family = i % 6 == 5 ? b[6] : NULL;
    tpa_sig_add_id(m, TPA_ID_IMSI, b[7]);
    tpa_sig_add_id(m, TPA_ID_SEID, b[8]);
    tpa_sig_add_id(m, TPA_ID_DNN, b[9]); /* an attribute: read again when applied */
    for (int k = 10; huge && k < 16; k++)
        tpa_sig_add_id(m, TPA_ID_DNN, b[k]);
}

static void test_held_back(void)
{
    enum { N = 40, HUGE_AT = 17 };
    static char keep[N][16][300], reused[16][300];
    char *text[2] = {NULL, NULL};
    for (int pass = 0; pass < 2; pass++) {
        tpa_sigstate_t *s = tpa_sigstate_new(NULL);
        CHECK(s != NULL);
        for (int i = 0; i < N; i++) {
            tpa_sig_t m;
            char(*b)[300] = pass == 0 ? keep[i] : reused;
            fill_msg(&m, b, i, i == HUGE_AT);
            char node[2][32];
            snprintf(node[0], sizeof node[0], "10.0.0.%d", i % 2 + 1);
            snprintf(node[1], sizeof node[1], "10.0.0.%d", 2 - i % 2);
            tpa_sig_where_t w = {(uint64_t)i + 1, S(i), 1, 100, node[0], node[1], false};
            tpa_sigstate_feed(s, &w, &m);
            if (pass == 1) {
                memset(reused, '#', sizeof reused);
                memset(node, '#', sizeof node);
            }
        }
        json_t *doc = finish(s);
        text[pass] = json_dumps(doc, JSON_COMPACT);
        CHECK(json_array_size(json_object_get(doc, "transactions")) == N / 2);
        json_decref(doc);
        tpa_sigstate_destroy(&s);
    }
    CHECK(text[0] && text[1] && strcmp(text[0], text[1]) == 0);
    CHECK(text[0] && strstr(text[0], "PFCP Session Establishment Response") != NULL);
    CHECK(text[1] && strchr(text[1], '#') == NULL);
    CHECK(text[1] && strstr(text[1], "\"internet-9\"") != NULL);
    free(text[0]);
    free(text[1]);
}

int main(void)
{
    test_intern();
    test_pfcp_retransmissions();
    test_outcomes();
    test_orphans_and_duplicates();
    test_late_and_reused();
    test_scope();
    test_limits_and_indications();
    test_events();
    test_churn();
    test_scope_prefetch();
    test_many_open();
    test_evict_churn();
    test_finish();
    test_procedure_texts();
    test_held_back();
    return TEST_DONE();
}
