/* test_kpi.c - per-procedure KPIs (tpa_kpi.h): counts, nearest-rank percentiles
 * ("the value at rank ceil(p/100 * n) of the n answered transactions sorted by
 * latency"), the histogram past TPA_KPI_EXACT_SAMPLES ("a relative error below
 * 1/128"), cause counts and their order in kpis[]. */
#include <stdlib.h>
#include <string.h>

#include "tpa_kpi.h"
#include "tpa_test.h"

static tpa_kpi_txn_t txn(const char *proto, const char *proc, tpa_txn_outcome_t o, int64_t us)
{
    tpa_kpi_txn_t t;
    memset(&t, 0, sizeof t);
    t.protocol = proto;
    t.procedure = proc;
    t.request_code = "1";
    t.outcome = o;
    t.latency_us = us;
    return t;
}

static void test_percentiles(void)
{
    tpa_kpi_t *k = tpa_kpi_new();
    CHECK(k != NULL);
    /* 100 answered with latencies 100 ms, 99 ms, ..., 1 ms (given out of order) */
    for (int i = 100; i >= 1; i--) {
        tpa_kpi_txn_t t = txn("pfcp", "Heartbeat", TPA_TXN_SUCCESS, (int64_t)i * 1000);
        CHECK(tpa_kpi_add(k, &t) == 0);
    }
    tpa_kpi_txn_t u = txn("pfcp", "Heartbeat", TPA_TXN_UNANSWERED, -1);
    u.request_frame = 77;
    u.doc_id = 9;
    u.flow = 3;
    tpa_kpi_add(k, &u);
    /* n = 3: p50 = rank 2, p95 = p99 = rank 3 */
    int64_t three[] = {5000, 1000, 3000};
    for (int i = 0; i < 3; i++) {
        tpa_kpi_txn_t t = txn("gtpv2", "Echo", TPA_TXN_SUCCESS, three[i]);
        tpa_kpi_add(k, &t);
    }
    tpa_kpi_finish(k);
    const tpa_kpi_entry_t *e = tpa_kpi_find(k, "pfcp", "Heartbeat");
    CHECK(e && e->attempts == 101 && e->successes == 100 && e->unanswered == 1);
    CHECKF(e->p50_us == 50000 && e->p95_us == 95000 && e->p99_us == 99000, "%lld %lld %lld",
           (long long)e->p50_us, (long long)e->p95_us, (long long)e->p99_us);
    CHECK(e->lat_max_us == 100000 && e->lat_exact && e->nlat == 100);
    CHECK(e->ev_unanswered.nframes == 1 && e->ev_unanswered.frames[0] == 77 &&
          e->ev_unanswered.txns[0] == 9 && e->ev_unanswered.flows[0] == 3);
    CHECK(tpa_kpi_above(e, 90000) == 10 && tpa_kpi_above(e, 100000) == 0);
    e = tpa_kpi_find(k, "gtpv2", "Echo");
    CHECK(e->p50_us == 3000 && e->p95_us == 5000 && e->p99_us == 5000 && e->lat_max_us == 5000);
    /* ordered by protocol, then procedure */
    CHECK(tpa_kpi_count(k) == 2 && strcmp(tpa_kpi_at(k, 0)->protocol, "gtpv2") == 0);
    json_t *arr = tpa_kpi_json(k);
    json_t *j = json_array_get(arr, 1);
    json_t *lat = json_object_get(j, "latency_ms");
    CHECK(json_real_value(json_object_get(lat, "p50")) == 50.0 &&
          json_real_value(json_object_get(lat, "p95")) == 95.0 &&
          json_real_value(json_object_get(lat, "p99")) == 99.0 &&
          json_real_value(json_object_get(lat, "max")) == 100.0);
    CHECK(json_real_value(json_object_get(j, "success_rate")) == 0.9901);
    CHECK(json_is_true(json_object_get(j, "latency_exact")));
    json_decref(arr);
    tpa_kpi_destroy(&k);
    CHECK(k == NULL);
}

/* Past TPA_KPI_EXACT_SAMPLES answered, the histogram: percentiles within 1/128. */
static void test_histogram(void)
{
    tpa_kpi_t *k = tpa_kpi_new();
    size_t n = TPA_KPI_EXACT_SAMPLES + 50000;
    /* latencies 1 .. n microseconds * 10, in a scrambled order */
    for (size_t i = 0; i < n; i++) {
        size_t v = (i * 7919) % n + 1;
        tpa_kpi_txn_t t = txn("diameter", "CCR", TPA_TXN_SUCCESS, (int64_t)v * 10);
        tpa_kpi_add(k, &t);
    }
    tpa_kpi_finish(k);
    const tpa_kpi_entry_t *e = tpa_kpi_find(k, "diameter", "CCR");
    CHECK(e && !e->lat_exact && e->nlat == n);
    int64_t want50 = (int64_t)((n * 50 + 99) / 100) * 10,
            want99 = (int64_t)((n * 99 + 99) / 100) * 10;
    CHECKF(llabs(e->p50_us - want50) * 128 <= want50, "p50 %lld want %lld", (long long)e->p50_us,
           (long long)want50);
    CHECKF(llabs(e->p99_us - want99) * 128 <= want99, "p99 %lld want %lld", (long long)e->p99_us,
           (long long)want99);
    CHECK(e->lat_max_us == (int64_t)n * 10);
    uint64_t above = tpa_kpi_above(e, (int64_t)n * 5); /* about half */
    CHECKF(above > n / 2 - n / 64 && above < n / 2 + n / 64, "%llu", (unsigned long long)above);
    tpa_kpi_destroy(&k);
}

/* causes[] over failures: counted per (family, code), listed by count then code. */
static void test_causes(void)
{
    tpa_kpi_t *k = tpa_kpi_new();
    struct {
        int64_t code;
        const char *name;
    } fails[] = {{7, "5GS services not allowed"},
                 {3, "Illegal UE"},
                 {7, NULL},
                 {7, NULL},
                 {3, NULL},
                 {111, NULL}};
    for (size_t i = 0; i < sizeof fails / sizeof fails[0]; i++) {
        tpa_kpi_txn_t t = txn("nas-5gs", "Registration", TPA_TXN_FAILURE, 1000);
        t.has_cause = true;
        t.cause = fails[i].code;
        t.cause_name = fails[i].name;
        t.cause_family = "5gmm";
        t.response_frame = 10 + i;
        t.doc_id = 1 + i;
        tpa_kpi_add(k, &t);
    }
    tpa_kpi_txn_t t = txn("nas-5gs", "Registration", TPA_TXN_FAILURE, 1000); /* no cause */
    tpa_kpi_add(k, &t);
    t = txn("nas-5gs", "Registration", TPA_TXN_SUCCESS, 2000);
    t.retransmissions = 2;
    tpa_kpi_add(k, &t);
    CHECK(tpa_kpi_note(k, "nas-5gs", "Registration", TPA_KPI_NOTE_ORPHAN, 99, 4) == 0);
    CHECK(tpa_kpi_note(k, "nas-5gs", "Registration", TPA_KPI_NOTE_LATE_RETX, 98, 4) == 0);
    /* an orphan alone makes an entry with 0 attempts */
    CHECK(tpa_kpi_note(k, "pfcp", "Session Deletion", TPA_KPI_NOTE_ORPHAN, 5, 1) == 0);
    tpa_kpi_finish(k);
    CHECK(tpa_kpi_add(k, &t) < 0); /* after finish */
    const tpa_kpi_entry_t *e = tpa_kpi_find(k, "nas-5gs", "Registration");
    CHECK(e->attempts == 8 && e->failures == 7 && e->successes == 1 && e->failures_nocause == 1);
    CHECK(e->retransmissions == 3 && e->orphans == 1 && e->ncauses == 3);
    CHECK(e->causes[0].code == 7 && e->causes[0].count == 3 && e->causes[0].ev.nframes == 3 &&
          strcmp(e->causes[0].name, "5GS services not allowed") == 0);
    json_t *arr = tpa_kpi_json(k);
    json_t *j = json_array_get(arr, 0);
    CHECK(strcmp(json_string_value(json_object_get(j, "protocol")), "nas-5gs") == 0);
    json_t *cs = json_object_get(j, "causes");
    CHECK(json_array_size(cs) == 3);
    CHECK(json_integer_value(json_object_get(json_array_get(cs, 0), "code")) == 7 &&
          json_integer_value(json_object_get(json_array_get(cs, 0), "count")) == 3);
    CHECK(json_integer_value(json_object_get(json_array_get(cs, 1), "code")) == 3 &&
          strcmp(json_string_value(json_object_get(json_array_get(cs, 1), "name")), "Illegal UE") ==
              0);
    CHECK(json_integer_value(json_object_get(json_array_get(cs, 2), "code")) == 111 &&
          json_is_null(json_object_get(json_array_get(cs, 2), "name")));
    json_t *p = json_array_get(arr, 1);
    CHECK(json_integer_value(json_object_get(p, "attempts")) == 0 &&
          json_is_null(json_object_get(p, "success_rate")) &&
          json_integer_value(json_object_get(p, "orphan_responses")) == 1);
    json_decref(arr);
    tpa_kpi_destroy(&k);
}

static void test_evidence(void)
{
    tpa_kpi_evidence_t ev;
    memset(&ev, 0, sizeof ev);
    for (uint64_t i = 1; i <= 100; i++)
        tpa_kpi_evidence_add(&ev, i, i, (uint32_t)(i % 3 + 1));
    CHECK(ev.nframes == TPA_KPI_EV_FRAMES && ev.ntxns == TPA_KPI_EV_TXNS && ev.nflows == 3);
    CHECK(ev.frames[0] == 1 && ev.frames[TPA_KPI_EV_FRAMES - 1] == TPA_KPI_EV_FRAMES);
    CHECK(strcmp(tpa_txn_outcome_name(TPA_TXN_UNANSWERED), "unanswered") == 0);
}

/* An entry is found by text: the same names at other addresses (a buffer, reused with
 * other text in between) count into the entry the first (lasting) pointers made, as
 * those pointers do. */
static void test_names_by_text(void)
{
    tpa_kpi_t *k = tpa_kpi_new();
    CHECK(k != NULL);
    tpa_kpi_txn_t t = txn("pfcp", "Heartbeat", TPA_TXN_SUCCESS, 1000);
    CHECK(tpa_kpi_add(k, &t) == 0);
    t = txn("gtpv2", "Echo", TPA_TXN_SUCCESS, 1000);
    CHECK(tpa_kpi_add(k, &t) == 0);
    char proto[8], proc[16];
    for (int i = 0; i < 6; i++) {
        strcpy(proto, i % 3 == 2 ? "gtpv2" : "pfcp");
        strcpy(proc, i % 3 == 2 ? "Echo" : "Heartbeat");
        t = txn(proto, proc, TPA_TXN_SUCCESS, 1000);
        CHECK(tpa_kpi_add(k, &t) == 0);
        t = txn("pfcp", "Heartbeat", TPA_TXN_SUCCESS, 1000);
        CHECK(tpa_kpi_add(k, &t) == 0);
    }
    tpa_kpi_finish(k);
    CHECK(tpa_kpi_count(k) == 2);
    const tpa_kpi_entry_t *e = tpa_kpi_find(k, "pfcp", "Heartbeat");
    CHECKF(e && e->attempts == 11, "%llu", e ? (unsigned long long)e->attempts : 0ULL);
    e = tpa_kpi_find(k, "gtpv2", "Echo");
    CHECK(e && e->attempts == 3);
    tpa_kpi_destroy(&k);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Exact percentiles of many latencies of every magnitude (microseconds to hours,
 * repeats, the 32-bit saturation) are the nearest ranks of the sorted values. */
static void test_exact_many(void)
{
    static const size_t sizes[] = {1, 2, 31, 32, 33, 1000, 70001};
    uint64_t seed = 0x2545f4914f6cdd1dULL;
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        int64_t *ref = malloc(n * sizeof *ref);
        CHECK(ref != NULL);
        if (!ref) return;
        tpa_kpi_t *k = tpa_kpi_new();
        for (size_t i = 0; i < n; i++) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            unsigned bits = (unsigned)(seed % 34); /* 0 .. 33 bits */
            int64_t us = bits ? (int64_t)((seed >> 8) & ((1ULL << bits) - 1)) : 0;
            if (i % 5 == 0 && i) us = ref[i / 2]; /* repeats */
            ref[i] = us;
            tpa_kpi_txn_t t = txn("pfcp", "Heartbeat", TPA_TXN_SUCCESS, us);
            CHECK(tpa_kpi_add(k, &t) == 0);
        }
        tpa_kpi_finish(k);
        for (size_t i = 0; i < n; i++)
            if (ref[i] > (int64_t)UINT32_MAX) ref[i] = UINT32_MAX; /* kept as 32 bits */
        qsort(ref, n, sizeof *ref, cmp_i64);
        const tpa_kpi_entry_t *e = tpa_kpi_find(k, "pfcp", "Heartbeat");
        CHECK(e && e->lat_exact && e->nlat == n);
        size_t r50 = (n * 50 + 99) / 100, r95 = (n * 95 + 99) / 100, r99 = (n * 99 + 99) / 100;
        CHECKF(e && e->p50_us == ref[r50 - 1] && e->p95_us == ref[r95 - 1] &&
                   e->p99_us == ref[r99 - 1],
               "n %zu: %lld %lld %lld", n, e ? (long long)e->p50_us : -1LL,
               e ? (long long)e->p95_us : -1LL, e ? (long long)e->p99_us : -1LL);
        int64_t thr = ref[n / 2];
        uint64_t above = 0;
        for (size_t i = 0; i < n; i++)
            above += ref[i] > thr;
        CHECK(tpa_kpi_above(e, thr) == above);
        tpa_kpi_destroy(&k);
        free(ref);
    }
}

/* tpa_kpi_entry + tpa_kpi_add_to count as tpa_kpi_add does, into the entry of the
 * names given (the transaction's own names are not read); not after finish. */
static void test_add_to(void)
{
    tpa_kpi_t *k = tpa_kpi_new();
    int err = 0;
    tpa_kpi_entry_t *e = tpa_kpi_entry(k, "pfcp", "Heartbeat", &err);
    CHECK(e != NULL && err == 0);
    CHECK(tpa_kpi_entry(k, "pfcp", "Heartbeat", &err) == e);
    tpa_kpi_txn_t t = txn("other", "names", TPA_TXN_SUCCESS, 2000);
    CHECK(tpa_kpi_add_to(k, e, &t) == 0);
    t = txn("pfcp", "Heartbeat", TPA_TXN_SUCCESS, 1000);
    CHECK(tpa_kpi_add(k, &t) == 0);
    tpa_kpi_finish(k);
    CHECK(tpa_kpi_add_to(k, e, &t) < 0);
    CHECK(tpa_kpi_count(k) == 1 && tpa_kpi_at(k, 0) == e);
    CHECK(e->attempts == 2 && e->successes == 2 && e->p50_us == 1000 && e->lat_max_us == 2000);
    tpa_kpi_destroy(&k);
}

int main(void)
{
    test_add_to();
    test_exact_many();
    test_names_by_text();
    test_percentiles();
    test_histogram();
    test_causes();
    test_evidence();
    return TEST_DONE();
}
