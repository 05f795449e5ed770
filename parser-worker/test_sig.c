/* test_sig.c - the signalling layer end to end: PFCP frames written by hand (TS 29.244)
 * go through the decoder and the PFCP dissector into tpa_sig_report(), and the
 * document (tpa_result_build) holds the transactions, KPIs, subscriber and findings
 * they imply. The example must hold: "15 PFCP Session Establishment Request
 * messages that are 5 requests each sent three times and never answered: its KPI is
 * 5 attempts, 5 unanswered, 0 successes, 10 retransmissions". */
#include <stdio.h>
#include <string.h>

#include "tpa_result.h"
#include "tpa_sig.h"
#include "tpa_sigstate.h"
#include "tpa_test.h"
#include "test_frames.h"

#define CP "10.0.0.1"
#define UP "10.0.0.2"
#define US(s) ((int64_t)(s)*1000000)

/* 7.4.2 Heartbeat Request / Response (no SEID), sequence seq, Recovery Time Stamp. */
static size_t heartbeat(uint8_t *b, unsigned type, unsigned seq)
{
    const uint8_t m[] = {0x20, (uint8_t)type, 0x00, 0x0c, 0,    0,    (uint8_t)seq, 0x00,
                         0x00, 0x60,          0x00, 0x04, 0xe0, 0x00, 0x00,         0x00};
    memcpy(b, m, sizeof m);
    return sizeof m;
}

/* 7.5.2 Session Establishment Request, SEID 0, sequence seq: Node ID, F-SEID (the
 * CP's, value seid), UE IP Address 10.45.0.<n>, User ID with IMSI 001010000000001. */
static size_t est_req(uint8_t *b, unsigned seq, unsigned seid, unsigned n)
{
    const uint8_t m[] = {
        0x21,
        0x32,
        0x00,
        0x3d, /* type 50, length 61 */
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0, /* SEID 0 */
        0x00,
        0x00,
        (uint8_t)seq,
        0x00, /* sequence */
        0x00,
        0x3c,
        0x00,
        0x05,
        0x00,
        10,
        0,
        0,
        1, /* Node ID 10.0.0.1 */
        0x00,
        0x39,
        0x00,
        0x0d,
        0x02,
        0,
        0,
        0,
        0,
        0,
        0,
        0, /* F-SEID V4 */
        (uint8_t)seid,
        10,
        0,
        0,
        1, /*   seid, 10.0.0.1 */
        0x00,
        0x5d,
        0x00,
        0x05,
        0x02,
        10,
        45,
        0,
        (uint8_t)n, /* UE IP Address */
        0x00,
        0x8d,
        0x00,
        0x0a,
        0x01,
        0x08, /* User ID: IMSIF */
        0x00,
        0x01,
        0x01,
        0x00,
        0x00,
        0x00,
        0x00,
        0xf1, /*   001010000000001 */
    };
    memcpy(b, m, sizeof m);
    return sizeof m;
}

static void send_udp(tpa_decoder_t *d, uint64_t frame, int64_t ts, const char *s, const char *t,
                     const uint8_t *p, size_t n)
{
    static tf_buf_t fb;
    tf_udp(&fb, s, 8805, t, 8805, p, n);
    tpa_decode_packet(d, 1 /* EN10MB */, frame, ts, fb.b, (uint32_t)fb.n, (uint32_t)fb.n);
}

static json_t *build(tpa_decoder_t *d)
{
    tpa_result_capture_t cap = {.file = "t.pcap", .format = "pcap"};
    tpa_decode_finish(d);
    return tpa_result_build(d, &cap);
}

static const json_t *kpi(const json_t *doc, const char *proc)
{
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(doc, "kpis"), i, k)
    {
        if (strcmp(json_string_value(json_object_get(k, "procedure")), proc) == 0) return k;
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

static void test_n4_timeout(void)
{
    tpa_decoder_t *d = tpa_decoder_new();
    CHECK(d != NULL);
    uint8_t b[128];
    uint64_t fr = 0;
    int64_t t0 = US(1700000000);
    send_udp(d, ++fr, t0, CP, UP, b, heartbeat(b, 1, 1));
    send_udp(d, ++fr, t0 + 85, UP, CP, b, heartbeat(b, 2, 1));
    for (unsigned r = 0; r < 5; r++)
        for (unsigned k = 0; k < 3; k++)
            send_udp(d, ++fr, t0 + US(7 + 10 * r) + 2500000 * k, CP, UP, b,
                     est_req(b, 6 + r, 0x10 + r, 2 + r));
    json_t *doc = build(d);
    CHECK(doc != NULL);
    const json_t *k = kpi(doc, "Session Establishment");
    CHECK(k && strcmp(str(k, "protocol"), "pfcp") == 0 &&
          strcmp(str(k, "request_code"), "50") == 0);
    CHECKF(num(k, "attempts") == 5 && num(k, "unanswered") == 5 && num(k, "successes") == 0 &&
               num(k, "retransmissions") == 10,
           "attempts %lld unanswered %lld successes %lld retransmissions %lld",
           (long long)num(k, "attempts"), (long long)num(k, "unanswered"),
           (long long)num(k, "successes"), (long long)num(k, "retransmissions"));
    k = kpi(doc, "Heartbeat");
    CHECK(k && num(k, "attempts") == 1 && num(k, "successes") == 1);
    CHECK(json_real_value(json_object_get(json_object_get(k, "latency_ms"), "p50")) == 0.085);

    json_t *tx = json_object_get(doc, "transactions");
    CHECK(json_array_size(tx) == 6);
    json_t *t2 = json_array_get(tx, 1);
    CHECK(strcmp(str(t2, "id"), "t2") == 0 && strcmp(str(t2, "outcome"), "unanswered") == 0);
    CHECK(num(t2, "request_frame") == 3 && num(t2, "retransmissions") == 2 && num(t2, "flow") == 1);
    CHECK(strcmp(str(t2, "src"), CP) == 0 && strcmp(str(t2, "dst"), UP) == 0);
    CHECK(strcmp(str(t2, "ue"), "ue1") == 0);
    CHECK(json_is_null(json_object_get(json_array_get(tx, 0), "ue"))); /* heartbeat */

    /* one subscriber: the IMSI joins the five sessions' SEIDs and UE addresses */
    json_t *ues = json_object_get(doc, "ues");
    CHECK(json_array_size(ues) == 1);
    json_t *ids = json_object_get(json_array_get(ues, 0), "identities");
    CHECK(json_array_size(json_object_get(ids, "imsi")) == 1 &&
          json_array_size(json_object_get(ids, "seid")) == 5 &&
          json_array_size(json_object_get(ids, "ue_ip")) == 5);
    CHECK(json_array_size(json_object_get(json_array_get(ues, 0), "ladder")) == 15);

    /* the finding, numbered, with its evidence */
    json_t *f = json_array_get(json_object_get(doc, "findings"), 0);
    CHECK(f && strcmp(str(f, "id"), "F1") == 0 && strcmp(str(f, "rule"), "pfcp.unanswered") == 0);
    CHECK(strcmp(str(f, "severity"), "critical") == 0);
    json_t *ev = json_object_get(f, "evidence");
    CHECK(json_array_size(json_object_get(ev, "transactions")) == 5 &&
          json_integer_value(json_array_get(json_object_get(ev, "frames"), 0)) == 3);
    json_t *sg = json_object_get(doc, "signalling");
    CHECK(num(sg, "transactions_total") == 6 && num(sg, "ues_total") == 1);
    json_decref(doc);
    tpa_decoder_destroy(&d);
    CHECK(d == NULL);
}

/* Two nodes on one address (the flow's ends told apart by port) are named "ip:port". */
static void test_node_names_with_port(void)
{
    tpa_decoder_t *d = tpa_decoder_new();
    CHECK(d != NULL);
    uint8_t b[64];
    static tf_buf_t fb;
    int64_t t0 = US(1700000000);
    tf_udp(&fb, "10.0.0.7", 40000, "10.0.0.7", 8805, b, heartbeat(b, 1, 9));
    tpa_decode_packet(d, 1, 1, t0, fb.b, (uint32_t)fb.n, (uint32_t)fb.n);
    tf_udp(&fb, "10.0.0.7", 8805, "10.0.0.7", 40000, b, heartbeat(b, 2, 9));
    tpa_decode_packet(d, 1, 2, t0 + 50, fb.b, (uint32_t)fb.n, (uint32_t)fb.n);
    json_t *doc = build(d);
    json_t *t1 = json_array_get(json_object_get(doc, "transactions"), 0);
    CHECKF(t1 && strcmp(str(t1, "src"), "10.0.0.7:40000") == 0 &&
               strcmp(str(t1, "dst"), "10.0.0.7:8805") == 0,
           "%s -> %s", str(t1, "src"), str(t1, "dst"));
    json_decref(doc);
    tpa_decoder_destroy(&d);
}

/* No signalling: empty arrays, zero counters, and no state was ever made. */
static void test_no_signalling(void)
{
    tpa_decoder_t *d = tpa_decoder_new();
    static tf_buf_t fb;
    tf_udp(&fb, "10.9.0.1", 4000, "10.9.0.2", 4001, "hello", 5);
    tpa_decode_packet(d, 1, 1, US(1), fb.b, (uint32_t)fb.n, (uint32_t)fb.n);
    json_t *doc = build(d);
    CHECK(json_array_size(json_object_get(doc, "transactions")) == 0 &&
          json_is_array(json_object_get(doc, "transactions")));
    CHECK(json_is_array(json_object_get(doc, "kpis")) &&
          json_array_size(json_object_get(doc, "kpis")) == 0);
    CHECK(json_is_array(json_object_get(doc, "ues")) &&
          json_array_size(json_object_get(doc, "ues")) == 0);
    CHECK(json_array_size(json_object_get(doc, "findings")) == 0);
    CHECK(num(json_object_get(doc, "signalling"), "transactions_total") == 0);
    json_decref(doc);
    tpa_decoder_destroy(&d);
}

/* tpa_sig_init: "every field zero (no identities)", whatever the memory held. */
static void test_sig_init(void)
{
    tpa_sig_t m;
    memset(&m, 0xa5, sizeof m);
    tpa_sig_init(&m);
    CHECK(!m.protocol && !m.code && !m.name && m.kind == TPA_SIG_INDICATION && !m.procedure &&
          !m.key && !m.flags && m.outcome == TPA_SIG_OK && !m.has_cause && !m.cause &&
          !m.cause_name && !m.cause_family && m.n_ids == 0);
    tpa_sig_add_id(&m, TPA_ID_IMSI, "001010000000001");
    CHECK(m.n_ids == 1 && m.ids[0].kind == TPA_ID_IMSI &&
          strcmp(m.ids[0].value, "001010000000001") == 0);
}

/* tpa_sigstate_addr_name: the pooled inet_ntop text of an address, the same pointer
 * each time, right after other addresses took its memo slot. */
static void test_addr_names(void)
{
    tpa_sigstate_t *s = tpa_sigstate_new(NULL);
    CHECK(s != NULL);
    uint8_t a[16] = {10, 0, 0, 1};
    const char *n = tpa_sigstate_addr_name(s, 4, a);
    CHECK(n && strcmp(n, "10.0.0.1") == 0 && n == tpa_sigstate_intern(s, "10.0.0.1"));
    uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    const char *n6 = tpa_sigstate_addr_name(s, 6, v6);
    CHECK(n6 && strcmp(n6, "2001:db8::1") == 0);
    for (int i = 0; i < 3 * TPA_SIG_ADDR_MEMO; i++) { /* more than the memo holds */
        uint8_t b[16] = {172, 16, (uint8_t)(i >> 8), (uint8_t)i};
        char want[20];
        snprintf(want, sizeof want, "172.16.%d.%d", (i >> 8) & 255, i & 255);
        const char *x = tpa_sigstate_addr_name(s, 4, b);
        CHECK(x && strcmp(x, want) == 0 && tpa_sigstate_addr_name(s, 4, b) == x);
    }
    CHECK(tpa_sigstate_addr_name(s, 4, a) == n && tpa_sigstate_addr_name(s, 6, v6) == n6);
    tpa_sigstate_destroy(&s);
}

/* tpa_sigstate_flow_memo: "the slot may hold another flow (or nothing: key NULL)":
 * a new state's slots are empty; flow ids TPA_SIG_FLOW_MEMO apart share one. */
static void test_flow_memo(void)
{
    CHECK(tpa_sigstate_flow_memo(NULL, 1) == NULL);
    tpa_sigstate_t *s = tpa_sigstate_new(NULL);
    CHECK(s != NULL);
    tpa_sig_flow_memo_t *m = tpa_sigstate_flow_memo(s, 5);
    CHECK(m && m->key == NULL && !m->node[0] && !m->node[1]);
    CHECK(tpa_sigstate_flow_memo(s, 5 + TPA_SIG_FLOW_MEMO) == m);
    CHECK(tpa_sigstate_flow_memo(s, 6) != m && tpa_sigstate_flow_memo(s, 6)->key == NULL);
    tpa_sigstate_destroy(&s);
}

int main(void)
{
    test_flow_memo();
    test_sig_init();
    test_addr_names();
    test_node_names_with_port();
    test_n4_timeout();
    test_no_signalling();
    return TEST_DONE();
}
