/* test_findings.c - every rule of tpa_findings.h fires on a hand-written sequence, with
 * the severity, numbers and evidence the header promises, and stays quiet otherwise. */
#include <stdio.h>
#include <string.h>

#include "tpa_findings.h"
#include "tpa_sigstate.h"
#include "tpa_test.h"

#define S(x) ((int64_t)(x)*1000000)
#define MS(x) ((int64_t)(x)*1000)

static uint64_t frame_no;

static tpa_sig_t mk(const char *proto, const char *code, tpa_sig_kind_t kind, const char *proc,
                    const char *key)
{
    tpa_sig_t m;
    memset(&m, 0, sizeof m);
    m.protocol = proto;
    m.code = code;
    m.kind = kind;
    m.procedure = proc;
    m.key = key;
    return m;
}

static void feed(tpa_sigstate_t *s, int64_t ts, uint32_t flow, const tpa_sig_t *m)
{
    tpa_sig_where_t w = {++frame_no, ts, flow, 1000 + flow, "10.1.0.1", "10.1.0.2", false};
    tpa_sigstate_feed(s, &w, m);
}

/* A request/response pair: outcome failure when cause >= 0 (with that cause), success
 * otherwise; latency in microseconds; no response when lat < 0. */
static void pair(tpa_sigstate_t *s, const char *proto, const char *proc, int n, int64_t t0,
                 int64_t lat, int64_t cause, const char *cause_name, const char *family)
{
    static int seq;
    char key[32];
    snprintf(key, sizeof key, "k%d", ++seq);
    tpa_sig_t q = mk(proto, "1", TPA_SIG_REQUEST, proc, key);
    for (int i = 0; i < n; i++)
        feed(s, t0 + S(i), 1, &q);
    if (lat < 0) return;
    tpa_sig_t a = mk(proto, "2", TPA_SIG_RESPONSE, proc, key);
    if (cause >= 0) {
        a.outcome = TPA_SIG_FAILURE;
        a.has_cause = cause != 999999;
        a.cause = cause;
        a.cause_name = cause_name;
        a.cause_family = family;
    }
    feed(s, t0 + S(n - 1) + lat, 1, &a);
}

/* The finding with rule and a title containing part (NULL: any), or NULL. */
static json_t *find(json_t *list, const char *rule, const char *part)
{
    size_t i;
    json_t *f;
    json_array_foreach(list, i, f)
    {
        const char *r = json_string_value(json_object_get(f, "rule"));
        const char *t = json_string_value(json_object_get(f, "title"));
        if (r && strcmp(r, rule) == 0 && (!part || (t && strstr(t, part)))) return f;
    }
    return NULL;
}

static const char *sev(const json_t *f)
{
    const char *s = json_string_value(json_object_get(f, "severity"));
    return s ? s : "(none)";
}

static size_t ev_count(const json_t *f, const char *k)
{
    return json_array_size(json_object_get(json_object_get(f, "evidence"), k));
}

static const char *detail(const json_t *f)
{
    const char *d = json_string_value(json_object_get(f, "detail"));
    return d ? d : "";
}

static json_t *run(tpa_sigstate_t *s, const tpa_findings_flow_t *flows, size_t n)
{
    json_t *doc = json_object();
    tpa_sigstate_finish(s);
    CHECK(tpa_sigstate_json(s, doc) == 0);
    json_decref(doc);
    json_t *list = json_array();
    /* an engine capture finding comes first, as tpa_result.c makes it */
    json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s,s:{s:[i],s:[],s:[]}}", "id",
                                          "capture.truncated", "severity", "warning", "title",
                                          "Capture truncated", "detail", "cut", "evidence",
                                          "frames", 99, "flows", "transactions"));
    CHECK(tpa_findings_add(list, tpa_sigstate_kpi(s), tpa_sigstate_txn(s), flows, n) == 0);
    CHECK(tpa_findings_number(list) == 0);
    return list;
}

static void test_kpi_rules(void)
{
    tpa_sigstate_t *s = tpa_sigstate_new(NULL);
    /* the N4 example: 5 requests each sent 3 times, never answered */
    for (int i = 0; i < 5; i++)
        pair(s, "pfcp", "Session Establishment", 3, S(10 * i), -1, -1, NULL, NULL);
    /* heartbeats all lost; GTPv2 echo partly */
    for (int i = 0; i < 3; i++)
        pair(s, "pfcp", "Heartbeat", 1, S(100 + i), -1, -1, NULL, NULL);
    pair(s, "gtpv2", "Echo", 1, S(110), MS(1), -1, NULL, NULL);
    pair(s, "gtpv2", "Echo", 1, S(111), -1, -1, NULL, NULL);
    /* 3 of 4 registrations rejected with 5GMM cause 7, one without a cause */
    for (int i = 0; i < 3; i++)
        pair(s, "nas-5gs", "Registration", 1, S(120 + i), MS(30), 7, "5GS services not allowed",
             "5gmm");
    pair(s, "nas-5gs", "Service Request", 1, S(130), MS(30), 999999, NULL, "5gmm");
    pair(s, "nas-5gs", "Service Request", 1, S(131), MS(30), -1, NULL, NULL);
    pair(s, "nas-5gs", "Registration", 1, S(124), MS(30), -1, NULL, NULL);
    /* status protocols */
    pair(s, "diameter", "ULR", 1, S(140), MS(3), 5001, "DIAMETER_ERROR_USER_UNKNOWN", "diameter");
    pair(s, "diameter", "ULR", 1, S(141), MS(3), -1, NULL, NULL);
    pair(s, "sip", "INVITE", 1, S(150), MS(80), 486, "Busy Here", "sip");
    pair(s, "sip", "INVITE", 1, S(151), MS(80), -1, NULL, NULL);
    pair(s, "sip", "REGISTER", 1, S(152), MS(8), 401, "Unauthorized", "sip");
    pair(s, "sip", "REGISTER", 1, S(153), MS(8), -1, NULL, NULL);
    pair(s, "dns", "query", 1, S(160), MS(1), 3, "NXDOMAIN", "dns");
    /* a failing procedure of several kinds: 10 attempts, 3 successes */
    for (int i = 0; i < 10; i++) {
        int64_t t = S(200 + i);
        if (i < 3)
            pair(s, "gtpv2", "Create Session", 1, t, MS(5), -1, NULL, NULL);
        else if (i < 7)
            pair(s, "gtpv2", "Create Session", 1, t, MS(5), 73, "No resources available", "gtpv2");
        else
            pair(s, "gtpv2", "Create Session", 1, t, -1, -1, NULL, NULL);
    }
    /* latency outliers: 30 answers in 10 ms, 2 in 2 s */
    for (int i = 0; i < 32; i++)
        pair(s, "pfcp", "Session Modification", 1, S(300 + 3 * i), i < 30 ? MS(10) : S(2), -1, NULL,
             NULL);
    /* 20 steady answers: no outlier */
    for (int i = 0; i < 20; i++)
        pair(s, "pfcp", "Session Deletion", 1, S(400 + i), MS(10 + i), -1, NULL, NULL);
    /* an orphan response */
    tpa_sig_t o = mk("gtpv2", "37", TPA_SIG_RESPONSE, "Delete Session", "seq=77");
    feed(s, S(500), 1, &o);
    /* GTP-U Error Indication x3, an NGAP Error Indication with a cause */
    tpa_sig_t ei = mk("gtp", "26", TPA_SIG_INDICATION, NULL, NULL);
    ei.name = "Error Indication";
    ei.outcome = TPA_SIG_FAILURE;
    for (int i = 0; i < 3; i++)
        feed(s, S(510 + i), 4, &ei);
    tpa_sig_t ne = mk("ngap", "9/initiating", TPA_SIG_INDICATION, NULL, NULL);
    ne.name = "ErrorIndication";
    ne.outcome = TPA_SIG_FAILURE;
    ne.has_cause = true;
    ne.cause = 1;
    ne.cause_name = "protocol/transfer-syntax-error";
    ne.cause_family = "ngap";
    feed(s, S(520), 5, &ne);

    json_t *list = run(s, NULL, 0);
    json_t *f = find(list, "pfcp.unanswered", "Session Establishment");
    CHECK(f && strcmp(sev(f), "critical") == 0);
    CHECKF(f && strstr(detail(f), "5 of 5") && strstr(detail(f), "10 retransmissions"), "%s",
           detail(f));
    CHECK(ev_count(f, "frames") == 5 && ev_count(f, "transactions") == 5 &&
          ev_count(f, "flows") == 1);
    f = find(list, "pfcp.heartbeat_failures", NULL);
    CHECK(f && strcmp(sev(f), "critical") == 0 && ev_count(f, "transactions") == 3);
    CHECK(!find(list, "pfcp.unanswered", "Heartbeat")); /* echo rule only */
    f = find(list, "gtpv2.echo_failures", NULL);
    CHECK(f && strcmp(sev(f), "warning") == 0);
    f = find(list, "nas-5gs.rejects", "5GS services not allowed");
    CHECK(f && strcmp(sev(f), "critical") == 0);
    CHECKF(f && strstr(detail(f), "3 of 4") && strstr(detail(f), "5GMM cause 7"), "%s", detail(f));
    CHECK(ev_count(f, "transactions") == 3 && ev_count(f, "frames") == 3);
    f = find(list, "nas-5gs.rejects", "Service Request");
    CHECK(f && strstr(detail(f), "without a cause") && strcmp(sev(f), "warning") == 0);
    f = find(list, "diameter.failures", "DIAMETER_ERROR_USER_UNKNOWN");
    CHECK(f && strstr(detail(f), "Diameter result code 5001"));
    f = find(list, "sip.failures", "Busy Here");
    CHECK(f && strcmp(sev(f), "warning") == 0);
    f = find(list, "sip.failures", "Unauthorized");
    CHECK(f && strcmp(sev(f), "info") == 0);
    f = find(list, "dns.failures", "NXDOMAIN");
    CHECK(f && strcmp(sev(f), "warning") == 0);
    f = find(list, "gtpv2.procedure_failing", "Create Session");
    CHECK(f && strcmp(sev(f), "critical") == 0 && strstr(detail(f), "10 attempts, 3 successes"));
    CHECK(find(list, "gtpv2.rejects", "No resources available"));
    CHECK(find(list, "gtpv2.unanswered", "Create Session"));
    CHECK(!find(list, "nas-5gs.procedure_failing", NULL)); /* one kind of failure only */
    f = find(list, "pfcp.latency_outliers", "Session Modification");
    CHECK(f && strcmp(sev(f), "warning") == 0 && ev_count(f, "transactions") == 2);
    CHECKF(f && strstr(detail(f), "2 of 32") && strstr(detail(f), "1010.000 ms"), "%s", detail(f));
    CHECK(!find(list, "pfcp.latency_outliers", "Session Deletion"));
    f = find(list, "gtpv2.orphan_responses", NULL);
    CHECK(f && strcmp(sev(f), "info") == 0 && ev_count(f, "frames") == 1);
    f = find(list, "gtpu.error_indication", NULL);
    CHECK(f && strcmp(sev(f), "warning") == 0 && ev_count(f, "frames") == 3 &&
          ev_count(f, "flows") == 1 && strstr(detail(f), "3 GTP-U Error Indication"));
    f = find(list, "ngap.failure_indication", "ErrorIndication");
    CHECK(f && strstr(detail(f), "NGAP cause 1"));

    /* numbering: severity order, ids F1.. in order, the engine's id kept as its rule */
    size_t i;
    json_t *x;
    int last = 0;
    bool ordered = true;
    json_array_foreach(list, i, x)
    {
        char want[32];
        snprintf(want, sizeof want, "F%zu", i + 1);
        CHECK(strcmp(json_string_value(json_object_get(x, "id")), want) == 0);
        const char *sv = sev(x);
        int r = strcmp(sv, "critical") == 0 ? 0 : strcmp(sv, "warning") == 0 ? 1 : 2;
        if (r < last) ordered = false;
        last = r;
        CHECK(json_is_string(json_object_get(x, "rule")));
    }
    CHECK(ordered);
    f = find(list, "capture.truncated", NULL);
    CHECK(f && strncmp(json_string_value(json_object_get(f, "id")), "F", 1) == 0);
    json_decref(list);
    tpa_sigstate_destroy(&s);
}

static void test_flow_rules(void)
{
    tpa_findings_flow_t flows[] = {
        {.id = 1, .app = "ngap", .packets = 50, .sctp_aborts = 1},
        {.id = 2, .app = "diameter", .packets = 12, .sctp_aborts = 2},
        {.id = 3, .app = "diameter", .tcp = true, .packets = 100, .tcp_retransmissions = 25},
        {.id = 4, .app = NULL, .tcp = true, .packets = 100, .tcp_retransmissions = 6},
        {.id = 5, .app = NULL, .tcp = true, .packets = 100, .tcp_retransmissions = 2},
        {.id = 6, .app = NULL, .tcp = true, .packets = 10, .tcp_retransmissions = 5},
    };
    json_t *list = json_array();
    CHECK(tpa_findings_add(list, NULL, NULL, flows, 6) == 0);
    json_t *f = find(list, "sctp.abort", NULL);
    CHECK(f && strcmp(sev(f), "critical") == 0 && ev_count(f, "flows") == 2);
    CHECKF(f && strstr(detail(f), "3 ABORT chunks on 2 SCTP associations"), "%s", detail(f));
    f = find(list, "tcp.retransmissions", NULL);
    CHECK(f && strcmp(sev(f), "critical") == 0 && ev_count(f, "flows") == 2);
    CHECK(json_integer_value(
              json_array_get(json_object_get(json_object_get(f, "evidence"), "flows"), 0)) == 3);
    CHECKF(f && strstr(detail(f), "flow 3 (diameter), 25 retransmissions in 100 packets"), "%s",
           detail(f));
    CHECK(json_array_size(list) == 2);
    json_decref(list);

    /* quiet: nothing wrong, nothing said */
    tpa_findings_flow_t calm[] = {{.id = 1, .app = "ngap", .packets = 50},
                                  {.id = 2, .tcp = true, .packets = 100, .tcp_retransmissions = 4}};
    tpa_sigstate_t *s = tpa_sigstate_new(NULL);
    pair(s, "pfcp", "Heartbeat", 1, S(1), MS(1), -1, NULL, NULL);
    tpa_sigstate_finish(s);
    list = json_array();
    CHECK(tpa_findings_add(list, tpa_sigstate_kpi(s), tpa_sigstate_txn(s), calm, 2) == 0);
    CHECK(json_array_size(list) == 0);
    json_decref(list);
    tpa_sigstate_destroy(&s);
}

int main(void)
{
    test_kpi_rules();
    test_flow_rules();
    return TEST_DONE();
}
