/* test_analyst.c - unit test of the built-in analyst (tpa_analyst.h).
 *
 * Checks the header's clauses: "Evidence ids only ever name things present in the
 * digest", "The same digest always gives the same answer", "odd input never fails",
 * and that the RCA points at the right evidence for hand-written digests.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_analyst.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

static const char *str_of(const json_t *v)
{
    return json_is_string(v) ? json_string_value(v) : "";
}

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
    if (!j) {
        fprintf(stderr, "bad test JSON at line %d: %s\n", e.line, e.text);
        exit(2);
    }
    return j;
}

/* True if id ("flow:<n>" or a finding id) names something in the digest. */
static bool id_in_digest(const json_t *digest, const char *id)
{
    size_t i;
    json_t *v;
    if (!strncmp(id, "flow:", 5)) {
        json_array_foreach(json_object_get(digest, "top_flows"), i, v)
        {
            char buf[48];
            snprintf(buf, sizeof buf, "flow:%" JSON_INTEGER_FORMAT,
                     json_integer_value(json_object_get(v, "id")));
            if (!strcmp(buf, id)) return true;
        }
        return false;
    }
    const char *fid = !strncmp(id, "finding:", 8) ? id + 8 : id;
    json_array_foreach(json_object_get(digest, "findings"), i, v)
    {
        json_t *x = json_object_get(v, "id");
        char buf[48];
        if (json_is_integer(x))
            snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(x));
        else
            snprintf(buf, sizeof buf, "%s", json_is_string(x) ? json_string_value(x) : "");
        if (!strcmp(buf, fid)) return true;
    }
    return false;
}

/* The structural contract every answer must meet. */
static void check_shape(const json_t *digest, const json_t *a, const char *name)
{
    CHECK(json_is_object(a), "%s: answer is not an object", name);
    json_t *ins = json_object_get(a, "insights"), *rca = json_object_get(a, "rca");
    CHECK(json_is_array(ins), "%s: insights not an array", name);
    CHECK(json_is_object(rca), "%s: rca not an object", name);
    const char *summary = json_string_value(json_object_get(rca, "summary"));
    CHECK(summary && strlen(summary) > 20, "%s: summary too short", name);
    CHECK(summary && !strstr(summary, "TODO") && !strstr(summary, "placeholder"), "%s: placeholder",
          name);
    CHECK(json_is_array(json_object_get(rca, "next_steps")) &&
              json_array_size(json_object_get(rca, "next_steps")) > 0,
          "%s: no next steps", name);
    CHECK(!strcmp(str_of(json_object_get(rca, "source")), "builtin"), "%s: source", name);
    size_t i, j;
    json_t *c, *e;
    json_array_foreach(json_object_get(rca, "root_causes"), i, c)
    {
        double conf = json_number_value(json_object_get(c, "confidence"));
        CHECK(conf > 0.0 && conf <= 1.0, "%s: confidence %f out of range", name, conf);
        CHECK(json_string_length(json_object_get(c, "title")) > 0, "%s: cause without title", name);
        CHECK(json_string_length(json_object_get(c, "explanation")) > 0, "%s: no explanation",
              name);
        CHECK(json_string_length(json_object_get(c, "recommendation")) > 0, "%s: no recommendation",
              name);
        json_array_foreach(json_object_get(c, "evidence"), j, e)
        {
            CHECK(json_is_string(e) && id_in_digest(digest, json_string_value(e)),
                  "%s: evidence id %s is not in the digest", name,
                  json_is_string(e) ? json_string_value(e) : "(not a string)");
        }
    }
    json_array_foreach(ins, i, c)
    {
        const char *target = json_string_value(json_object_get(c, "target"));
        CHECK(target && id_in_digest(digest, target), "%s: insight target %s not in digest", name,
              target ? target : "(null)");
        CHECK(json_string_length(json_object_get(c, "text")) > 0, "%s: empty insight", name);
        CHECK(!strcmp(str_of(json_object_get(c, "source")), "builtin"), "%s: insight source", name);
    }
}

static bool has_string(const json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i,
                       v) if (json_is_string(v) && !strcmp(json_string_value(v), s)) return true;
    return false;
}

/* The root cause whose evidence holds id, or NULL. */
static const json_t *cause_with(const json_t *a, const char *id)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(json_object_get(a, "rca"), "root_causes"), i,
                       c) if (has_string(json_object_get(c, "evidence"), id)) return c;
    return NULL;
}

static bool has_insight(const json_t *a, const char *target)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(a, "insights"), i,
                       c) if (!strcmp(str_of(json_object_get(c, "target")), target)) return true;
    return false;
}

static const char *summary_of(const json_t *a)
{
    return str_of(json_object_get(json_object_get(a, "rca"), "summary"));
}

static void test_healthy(void)
{
    json_t *d = parse(
        "{\"capture\":{\"file\":\"ok.pcap\",\"packets\":12000,\"bytes\":9000000,"
        "\"duration_s\":30.5,\"truncated\":false,\"malformed\":0},"
        "\"flows_total\":25,\"apps\":{\"http2\":10,\"dns\":15},"
        "\"top_flows\":[{\"id\":1,\"proto\":\"tcp\",\"src\":\"10.0.0.1\",\"sport\":40000,"
        "\"dst\":\"10.0.0.2\",\"dport\":8080,\"packets\":9000,\"bytes\":7000000,\"app\":\"http2\"},"
        "{\"id\":2,\"proto\":\"udp\",\"src\":\"10.0.0.1\",\"sport\":5353,\"dst\":\"10.0.0.53\","
        "\"dport\":53,\"packets\":30,\"bytes\":3000,\"app\":\"dns\"}],"
        "\"findings\":[{\"id\":\"dns-summary\",\"severity\":\"info\",\"title\":\"DNS traffic\","
        "\"detail\":\"15 queries, all answered\",\"evidence\":{\"frames\":[],\"flows\":[2]}}],"
        "\"kpis\":[],\"messages\":[]}");
    json_t *a = tpa_analyst_run(d, TPA_ANALYST_RCA);
    check_shape(d, a, "healthy");
    const char *s = summary_of(a);
    CHECK(strstr(s, "No failures found in 12000 packets / 25 flows"), "healthy summary: %s", s);
    CHECK(strstr(s, "dominated by http2"), "healthy summary names the dominant app: %s", s);
    CHECK(json_array_size(json_object_get(json_object_get(a, "rca"), "root_causes")) == 0,
          "healthy capture has no root causes");
    CHECK(has_insight(a, "flow:1") && has_insight(a, "finding:dns-summary"), "healthy insights");
    json_decref(a);
    json_decref(d);
}

static void test_truncated_malformed(void)
{
    json_t *d = parse(
        "{\"capture\":{\"file\":\"cut.pcapng\",\"packets\":1000,\"bytes\":400000,"
        "\"duration_s\":4.0,\"truncated\":true,\"malformed\":40},"
        "\"flows_total\":3,\"apps\":{\"ngap\":1},"
        "\"top_flows\":[{\"id\":3,\"proto\":\"sctp\",\"src\":\"10.1.0.1\",\"sport\":38412,"
        "\"dst\":\"10.1.0.2\",\"dport\":38412,\"packets\":900,\"bytes\":380000,\"app\":\"ngap\"}],"
        "\"findings\":[{\"id\":\"capture-truncated\",\"severity\":\"warning\","
        "\"title\":\"Capture truncated\",\"detail\":\"The file ends in the middle of a packet.\","
        "\"evidence\":{\"frames\":[1000],\"flows\":[]}},"
        "{\"id\":\"malformed-sctp\",\"severity\":\"warning\",\"title\":\"Malformed SCTP chunks\","
        "\"detail\":\"40 packets with sctp.chunk_length_invalid\","
        "\"evidence\":{\"frames\":[5,9],\"flows\":[3,99]}}],"
        "\"kpis\":[],\"messages\":[]}");
    json_t *a = tpa_analyst_run(d, TPA_ANALYST_RCA);
    check_shape(d, a, "truncated");
    const json_t *t = cause_with(a, "capture-truncated");
    const json_t *m = cause_with(a, "malformed-sctp");
    CHECK(t != NULL, "truncation cause cites capture-truncated");
    CHECK(m != NULL, "malformed cause cites malformed-sctp");
    CHECK(t != m, "truncation and malformation are separate causes");
    CHECK(m && has_string(json_object_get(m, "evidence"), "flow:3"),
          "malformed cause cites flow:3");
    CHECK(!cause_with(a, "flow:99"), "flow 99 is not in the digest and must not be cited");
    CHECK(t && strstr(json_string_value(json_object_get(t, "explanation")), "1000 packets"),
          "truncation explanation says how much was analysed");
    CHECK(m && strstr(json_string_value(json_object_get(m, "explanation")), "40 of 1000"),
          "malformed explanation counts packets");
    const char *s = summary_of(a);
    CHECK(strstr(s, "truncat"), "summary mentions truncation: %s", s);
    char *dump = json_dumps(a, 0);
    CHECK(dump && strstr(dump, "frame.number in {1000 5 9}"), "next steps list the frames: %s",
          dump);
    free(dump);
    json_decref(a);

    /* Same capture state without any finding: the analyst still reports both. */
    json_object_set_new(d, "findings", json_array());
    a = tpa_analyst_run(d, TPA_ANALYST_RCA);
    check_shape(d, a, "truncated-nofindings");
    json_t *causes = json_object_get(json_object_get(a, "rca"), "root_causes");
    CHECK(json_array_size(causes) == 2, "two capture-quality causes, got %zu",
          json_array_size(causes));
    CHECK(strstr(str_of(json_object_get(json_array_get(causes, 0), "title")), "truncated"),
          "truncation ranks first");
    json_decref(a);
    json_decref(d);

    /* As the engine writes them: a malformed finding of severity info (3% of packets)
     * is still cited by the malformed cause the capture counters call for. */
    d = parse("{\"capture\":{\"packets\":200,\"bytes\":30000,\"duration_s\":1.5,"
              "\"truncated\":true,\"malformed\":6},\"flows_total\":0,\"apps\":{},\"top_flows\":[],"
              "\"findings\":[{\"id\":\"capture.truncated\",\"severity\":\"warning\","
              "\"title\":\"Capture truncated\",\"detail\":\"The capture ends in the middle of a "
              "record after 200 complete packets.\",\"evidence\":{\"frames\":[201],\"flows\":[]}},"
              "{\"id\":\"capture.malformed\",\"severity\":\"info\",\"title\":\"Malformed packets\","
              "\"detail\":\"6 of 200 packets are malformed (most frequent: ip.bad_header_length, "
              "6 times).\",\"evidence\":{\"frames\":[3,4],\"flows\":[]}}]}");
    a = tpa_analyst_run(d, TPA_ANALYST_RCA);
    check_shape(d, a, "engine-style");
    m = cause_with(a, "capture.malformed");
    CHECK(cause_with(a, "capture.truncated") && m, "both engine findings are cited");
    CHECK(m && !strstr(str_of(json_object_get(m, "explanation")) + 10, "6 of 200"),
          "the count is not repeated: %s", str_of(json_object_get(m, "explanation")));
    json_decref(a);
    json_decref(d);
}

static const char severities_json[] =
    "{\"capture\":{\"file\":\"core.pcap\",\"packets\":50000,\"bytes\":30000000,"
    "\"duration_s\":120.0,\"truncated\":false,\"malformed\":2},"
    "\"flows_total\":40,\"apps\":{\"ngap\":2,\"diameter\":1,\"http2\":20},"
    "\"top_flows\":["
    "{\"id\":7,\"proto\":\"tcp\",\"src\":\"10.2.0.1\",\"sport\":51000,\"dst\":\"10.2.0.9\","
    "\"dport\":443,\"packets\":20000,\"bytes\":20000000,\"app\":\"http2\"},"
    "{\"id\":11,\"proto\":\"sctp\",\"src\":\"10.2.0.3\",\"sport\":38412,\"dst\":\"10.2.0.4\","
    "\"dport\":38412,\"packets\":300,\"bytes\":90000,\"app\":\"ngap\"},"
    "{\"id\":12,\"proto\":\"tcp\",\"src\":\"10.2.0.5\",\"sport\":3868,\"dst\":\"10.2.0.6\","
    "\"dport\":3868,\"packets\":100,\"bytes\":30000,\"app\":\"diameter\"}],"
    "\"findings\":["
    "{\"id\":\"tcp-retrans-7\",\"severity\":\"warning\",\"title\":\"TCP retransmissions\","
    "\"detail\":\"4.1% of segments retransmitted on flow 7\","
    "\"evidence\":{\"frames\":[120,121],\"flows\":[7]}},"
    "{\"id\":\"ngap-ngsetup-fail\",\"severity\":\"critical\",\"title\":\"NG Setup rejected\","
    "\"detail\":\"NGSetup failed with cause misc/unknown-PLMN\","
    "\"evidence\":{\"frames\":[3],\"flows\":[11],\"transactions\":[1]}},"
    "{\"id\":\"ngap-ngsetup-fail-2\",\"severity\":\"critical\",\"title\":\"NG Setup rejected\","
    "\"detail\":\"NGSetup failed with cause misc/unknown-PLMN\","
    "\"evidence\":{\"frames\":[40],\"flows\":[11]}},"
    "{\"id\":\"info-http2\",\"severity\":\"info\",\"title\":\"HTTP/2 SBI traffic\","
    "\"detail\":\"20 connections\",\"evidence\":{\"frames\":[],\"flows\":[7]}},"
    "{\"id\":5,\"severity\":\"warning\",\"title\":\"Diameter peer silent\","
    "\"detail\":\"3 CER requests without answer\",\"evidence\":{\"frames\":[77],\"flows\":[12]}}],"
    "\"kpis\":["
    "{\"protocol\":\"ngap\",\"procedure\":\"NGSetup\",\"attempts\":4,\"successes\":0,"
    "\"failures\":{\"misc/unknown-PLMN\":4},\"unanswered\":0},"
    "{\"protocol\":\"diameter\",\"procedure\":\"ULR\",\"attempts\":10,\"successes\":5,"
    "\"failures\":[{\"cause\":5001,\"count\":5}],\"unanswered\":0}],"
    "\"messages\":[]}";

static void test_severities(void)
{
    json_t *d = parse(severities_json);
    json_t *a = tpa_analyst_run(d, TPA_ANALYST_RCA);
    check_shape(d, a, "severities");
    json_t *causes = json_object_get(json_object_get(a, "rca"), "root_causes");
    const json_t *first = json_array_get(causes, 0);
    CHECK(has_string(json_object_get(first, "evidence"), "ngap-ngsetup-fail") &&
              has_string(json_object_get(first, "evidence"), "ngap-ngsetup-fail-2") &&
              has_string(json_object_get(first, "evidence"), "flow:11"),
          "critical NG Setup group ranks first with both findings and flow 11");
    CHECK(strstr(str_of(json_object_get(first, "explanation")), "NGSetup: 4 of 4"),
          "the failing NGSetup KPI is attached to its finding: %s",
          json_string_value(json_object_get(first, "explanation")));
    const json_t *retr = cause_with(a, "tcp-retrans-7");
    CHECK(retr && has_string(json_object_get(retr, "evidence"), "flow:7"), "retransmission cause");
    CHECK(retr && json_number_value(json_object_get(retr, "confidence")) <
                      json_number_value(json_object_get(first, "confidence")),
          "a warning is less certain than a critical");
    CHECK(retr && strstr(json_string_value(json_object_get(retr, "recommendation")), "loss"),
          "retransmissions point at loss");
    CHECK(cause_with(a, "5") != NULL, "integer finding ids are cited as text");
    CHECK(!cause_with(a, "info-http2"), "info findings are not root causes");
    CHECK(has_insight(a, "finding:info-http2") && has_insight(a, "finding:5") &&
              has_insight(a, "flow:7"),
          "insights cover findings and flows");
    /* The ULR KPI has no finding: it becomes its own cause citing the diameter flow. */
    const json_t *ulr = cause_with(a, "flow:12");
    bool found_ulr = false;
    size_t i;
    json_t *c;
    json_array_foreach(causes, i,
                       c) if (strstr(json_string_value(json_object_get(c, "title")), "ULR"))
    {
        found_ulr = true;
        CHECK(has_string(json_object_get(c, "evidence"), "flow:12"), "ULR cause cites flow 12");
        CHECK(strstr(json_string_value(json_object_get(c, "explanation")), "5001"),
              "ULR cause names the top cause");
    }
    CHECK(found_ulr && ulr, "a failing KPI without a finding becomes a cause");
    const char *s = summary_of(a);
    CHECK(strstr(s, "2 critical and 2 warning findings"), "summary counts: %s", s);
    CHECK(strstr(s, "NG Setup rejected"), "summary names the top cause: %s", s);
    CHECK(strstr(s, "2 malformed packets"), "summary mentions stray malformed packets: %s", s);

    /* Determinism. */
    json_t *b = tpa_analyst_run(d, TPA_ANALYST_RCA);
    char *x = json_dumps(a, JSON_SORT_KEYS), *y = json_dumps(b, JSON_SORT_KEYS);
    CHECK(x && y && !strcmp(x, y), "same digest, same answer");
    free(x);
    free(y);
    json_decref(b);
    json_decref(a);

    /* A flow batch: insights for every flow, no rca. */
    a = tpa_analyst_run(d, TPA_ANALYST_FLOWS);
    CHECK(json_is_null(json_object_get(a, "rca")), "flow batch has no rca");
    CHECK(json_array_size(json_object_get(a, "insights")) == 3, "one insight per flow");
    json_decref(a);
    json_decref(d);
}

static void test_odd_input(void)
{
    const char *odd[] = {
        "{}",
        "[]",
        "null",
        "{\"capture\":5,\"top_flows\":{},\"findings\":\"x\",\"kpis\":[1,2]}",
        "{\"findings\":[null,1,{},{\"severity\":\"critical\"},{\"id\":[],\"severity\":\"warning\","
        "\"evidence\":{\"flows\":[\"a\",null],\"frames\":\"b\"}}],\"kpis\":[{\"failures\":\"x\"},"
        "{\"procedure\":\"P\",\"failures\":-3}],\"top_flows\":[{\"id\":\"x\"},{}]}",
        "{\"capture\":{\"packets\":0,\"truncated\":true}}",
    };
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        json_t *d = parse(odd[i]);
        json_t *a = tpa_analyst_run(d, TPA_ANALYST_RCA);
        CHECK(json_is_object(a) && json_is_object(json_object_get(a, "rca")), "odd input %zu", i);
        if (json_is_object(d)) check_shape(d, a, odd[i]);
        json_decref(a);
        json_decref(d);
    }
    json_t *a = tpa_analyst_run(NULL, TPA_ANALYST_RCA);
    CHECK(json_is_object(a), "NULL digest still answers");
    json_decref(a);
}

/* Issue 5: "the unanswered PFCP session establishments must surface as the root cause of
 * failed PDU sessions on a capture built like that". The digest mirrors what the engine
 * emits for tests' N4 capture of a silent UPF (tpa analyze 5gpcap__n4_upf_timeout_n4.pcap):
 * Association Setup and Session Establishment unanswered, heartbeats failing, one UE whose
 * story is the unanswered establishments. F1 comes before F2, so the ranking must not be
 * the findings' order. */
static void test_upf_timeout(void)
{
    json_t *d = parse(
        "{\"capture\":{\"file\":\"n4.pcap\",\"packets\":66,\"bytes\":13006,"
        "\"duration_s\":50.527189,\"truncated\":false,\"malformed\":0},\"flows_total\":1,"
        "\"apps\":{\"pfcp\":1},\"top_flows\":[{\"id\":1,\"proto\":\"udp\",\"src\":\"10.53.0.13\","
        "\"sport\":8805,\"dst\":\"10.53.0.12\",\"dport\":8805,\"packets\":66,\"bytes\":13006,"
        "\"app\":\"pfcp\"}],"
        "\"findings\":["
        "{\"id\":\"F1\",\"rule\":\"pfcp.unanswered\",\"severity\":\"critical\",\"title\":\"PFCP "
        "Association Setup requests unanswered\",\"detail\":\"4 of 7 PFCP Association Setup "
        "attempts (57.1%) got no response by the end of the capture (13 retransmissions in "
        "all).\",\"evidence\":{\"frames\":[19,34,50,65],\"flows\":[1],\"transactions\":[\"t7\","
        "\"t11\",\"t15\",\"t19\"]}},"
        "{\"id\":\"F2\",\"rule\":\"pfcp.unanswered\",\"severity\":\"critical\",\"title\":\"PFCP "
        "Session Establishment requests unanswered\",\"detail\":\"5 of 5 PFCP Session "
        "Establishment attempts (100.0%) got no response by the end of the capture (10 "
        "retransmissions in all).\",\"evidence\":{\"frames\":[5,14,28,40,55],\"flows\":[1],"
        "\"transactions\":[\"t3\",\"t6\",\"t10\",\"t14\",\"t18\"]}},"
        "{\"id\":\"F3\",\"rule\":\"pfcp.heartbeat_failures\",\"severity\":\"warning\",\"title\":"
        "\"PFCP Heartbeat failures\",\"detail\":\"4 of 7 PFCP Heartbeat requests went "
        "unanswered and 0 failed (success rate 42.9%, 10 retransmissions); the path to the "
        "peer is unreliable.\",\"evidence\":{\"frames\":[7,22,39,54],\"flows\":[1],"
        "\"transactions\":[\"t4\",\"t9\",\"t13\",\"t17\"]}}],"
        "\"kpis\":["
        "{\"protocol\":\"pfcp\",\"procedure\":\"Association Setup\",\"request_code\":\"5\","
        "\"attempts\":7,\"successes\":3,\"failures\":0,\"unanswered\":4,\"retransmissions\":13,"
        "\"success_rate\":0.4286,\"causes\":[]},"
        "{\"protocol\":\"pfcp\",\"procedure\":\"Heartbeat\",\"request_code\":\"1\",\"attempts\":7,"
        "\"successes\":3,\"failures\":0,\"unanswered\":4,\"retransmissions\":10,"
        "\"success_rate\":0.4286,\"causes\":[]},"
        "{\"protocol\":\"pfcp\",\"procedure\":\"Session Establishment\",\"request_code\":\"50\","
        "\"attempts\":5,\"successes\":0,\"failures\":0,\"unanswered\":5,\"retransmissions\":10,"
        "\"success_rate\":0.0,\"causes\":[]}],"
        "\"transactions\":[{\"id\":\"t3\",\"protocol\":\"pfcp\",\"procedure\":\"Session "
        "Establishment\",\"outcome\":\"unanswered\",\"cause\":null,\"ue\":\"ue1\"}],"
        "\"ues\":[{\"id\":\"ue1\",\"identities\":{\"imsi\":[\"999700000000001\"]},"
        "\"transactions\":[\"t3\"],\"ladder\":[{\"ts\":1787137661.269965,\"protocol\":\"pfcp\","
        "\"name\":\"PFCP Session Establishment Request\",\"outcome\":\"unanswered\","
        "\"transaction\":\"t3\"}]}],"
        "\"messages\":[{\"protocol\":\"pfcp\",\"code\":\"50\",\"name\":\"PFCP Session "
        "Establishment Request\",\"count\":15}]}");
    json_t *a = tpa_analyst_run(d, TPA_ANALYST_RCA);
    check_shape(d, a, "upf_timeout");
    json_t *rca = json_object_get(a, "rca");
    json_t *top = json_array_get(json_object_get(rca, "root_causes"), 0);
    const char *title = str_of(json_object_get(top, "title"));
    CHECK(strstr(title, "PDU session") && strstr(title, "PFCP Session Establishment"),
          "upf_timeout: top cause is %s", title);
    json_t *ev = json_object_get(top, "evidence");
    CHECK(!strcmp(str_of(json_array_get(ev, 0)), "F2"), "upf_timeout: top evidence %s",
          str_of(json_array_get(ev, 0)));
    const char *expl = str_of(json_object_get(top, "explanation"));
    CHECK(strstr(expl, "1 UE in this capture is affected") != NULL, "upf_timeout: %s", expl);
    CHECK(strstr(str_of(json_object_get(top, "recommendation")), "UPF") != NULL,
          "upf_timeout: recommendation does not point at the UPF");
    CHECK(strstr(str_of(json_object_get(rca, "summary")), "PDU sessions fail") != NULL,
          "upf_timeout: summary %s", str_of(json_object_get(rca, "summary")));
    json_decref(a);
    json_decref(d);
}

int main(void)
{
    test_healthy();
    test_truncated_malformed();
    test_severities();
    test_odd_input();
    test_upf_timeout();
    if (failures) {
        fprintf(stderr, "test_analyst: %d check(s) failed\n", failures);
        return 1;
    }
    printf("test_analyst: ok\n");
    return 0;
}
