/* test_result.c - the message sink and the result document's transport keys
 * (tpa_result.h, docs/result.md). */
#include <string.h>

#include "test_frames.h"
#include "tpa_err.h"
#include "tpa_result.h"
#include "tpa_test.h"

static void test_sink(void)
{
    tpa_result_sink_t *s = tpa_result_sink_new();
    CHECK(s != NULL);
    CHECK(tpa_result_count_message(s, "ngap", "46/initiating", "InitialUEMessage") == 0);
    CHECK(tpa_result_count_message(s, "ngap", "46/initiating", "other name") == 0);
    CHECK(tpa_result_count_message(s, "ngap", "100/successful", NULL) == 0);
    CHECK(tpa_result_count_message(s, "dns", "query", "query") == 0);
    CHECK(tpa_result_count_message(s, "ngap", "4/successful", NULL) == 0);
    CHECK(tpa_result_count_message(s, NULL, "x", NULL) == TPA_ERR_INVALID);
    CHECK(tpa_result_count_message(s, "dns", "", NULL) == TPA_ERR_INVALID);
    CHECK(tpa_result_message_count(s, "ngap", "46/initiating") == 2);
    CHECK(tpa_result_message_count(s, "ngap", "47/initiating") == 0);
    CHECK(tpa_result_messages_total(s) == 5);
    /* ordered by protocol, then code by number: 4 < 46 < 100; the first name stays */
    json_t *a = tpa_result_messages_json(s);
    CHECK(a && json_array_size(a) == 4);
    const char *order[4][2] = {{"dns", "query"},
                               {"ngap", "4/successful"},
                               {"ngap", "46/initiating"},
                               {"ngap", "100/successful"}};
    for (size_t i = 0; a && i < 4 && i < json_array_size(a); i++) {
        json_t *m = json_array_get(a, i);
        CHECK(strcmp(json_string_value(json_object_get(m, "protocol")), order[i][0]) == 0);
        CHECK(strcmp(json_string_value(json_object_get(m, "code")), order[i][1]) == 0);
    }
    json_t *m2 = json_array_get(a, 2);
    CHECK(m2 && strcmp(json_string_value(json_object_get(m2, "name")), "InitialUEMessage") == 0);
    CHECK(m2 && json_integer_value(json_object_get(m2, "count")) == 2);
    json_t *m3 = json_array_get(a, 3); /* no name given: the code stands in */
    CHECK(m3 && strcmp(json_string_value(json_object_get(m3, "name")), "100/successful") == 0);
    json_decref(a);
    /* literals counted again: the addresses decide; a name given later is still kept;
     * counts are readable between calls */
    for (int i = 0; i < 3; i++) {
        CHECK(tpa_result_count_message(s, "gtp", "255", i == 2 ? "G-PDU" : NULL) == 0);
        CHECK(tpa_result_message_count(s, "gtp", "255") == (uint64_t)i + 1);
    }
    CHECK(tpa_result_messages_total(s) == 8);
    /* one buffer, new text at the same address: counted by its text */
    char buf[8];
    snprintf(buf, sizeof buf, "1");
    tpa_result_count_message(s, "gtp", buf, NULL);
    tpa_result_count_message(s, "gtp", buf, NULL);
    snprintf(buf, sizeof buf, "2");
    tpa_result_count_message(s, "gtp", buf, NULL);
    CHECK(tpa_result_message_count(s, "gtp", "1") == 2);
    CHECK(tpa_result_message_count(s, "gtp", "2") == 1);
    /* the table grows (the entries move) between two counts of the same literals */
    tpa_result_count_message(s, "gtp", "255", NULL);
    for (int i = 0; i < 100; i++) {
        snprintf(buf, sizeof buf, "g%d", i);
        tpa_result_count_message(s, "grow", buf, NULL);
    }
    tpa_result_count_message(s, "gtp", "255", NULL);
    CHECK(tpa_result_message_count(s, "gtp", "255") == 5);
    CHECK(tpa_result_messages_total(s) == 113);
    /* two pairs of literals in turn (the one counted before the last is remembered
     * too), a name first given on the second pair, and the entries moving while a pair
     * is the one before the last */
    for (int i = 0; i < 6; i++) {
        tpa_result_count_message(s, "gtp", "255", NULL);
        tpa_result_count_message(s, "pfcp", "50", i == 3 ? "SessionReport" : NULL);
    }
    CHECK(tpa_result_message_count(s, "gtp", "255") == 11);
    CHECK(tpa_result_message_count(s, "pfcp", "50") == 6);
    for (int i = 0; i < 100; i++) {
        snprintf(buf, sizeof buf, "h%d", i);
        tpa_result_count_message(s, "grow", buf, NULL);
    }
    tpa_result_count_message(s, "gtp", "255", NULL);
    tpa_result_count_message(s, "pfcp", "50", NULL);
    CHECK(tpa_result_message_count(s, "gtp", "255") == 12);
    CHECK(tpa_result_message_count(s, "pfcp", "50") == 7);
    CHECK(tpa_result_messages_total(s) == 113 + 12 + 100 + 2);
    /* long strings are cut, and the cut form still matches */
    char longcode[200];
    memset(longcode, 'c', sizeof longcode - 1);
    longcode[sizeof longcode - 1] = 0;
    tpa_result_count_message(s, "sip", longcode, NULL);
    tpa_result_count_message(s, "sip", longcode, NULL);
    CHECK(tpa_result_message_count(s, "sip", longcode) == 2);
    /* past the limit of distinct codes, new ones are folded into "other" */
    char code[32];
    for (int i = 0; i < TPA_RESULT_MAX_MESSAGE_KINDS + 10; i++) {
        snprintf(code, sizeof code, "m%d", i);
        tpa_result_count_message(s, "sip", code, NULL);
    }
    CHECK(tpa_result_message_count(s, "sip", "other") >= 10);
    a = tpa_result_messages_json(s);
    CHECK(a && json_array_size(a) <= TPA_RESULT_MAX_MESSAGE_KINDS + 1);
    for (size_t i = 0; a && i < json_array_size(a); i++) {
        json_t *m = json_array_get(a, i);
        if (strcmp(json_string_value(json_object_get(m, "code")), "255") == 0)
            CHECK(strcmp(json_string_value(json_object_get(m, "name")), "G-PDU") == 0);
        if (strcmp(json_string_value(json_object_get(m, "code")), "50") == 0)
            CHECK(strcmp(json_string_value(json_object_get(m, "name")), "SessionReport") == 0);
    }
    json_decref(a);
    tpa_result_sink_destroy(&s);
    CHECK(s == NULL);
}

/* flows[].tcp, flows[].sctp and messages[] of a built document */
static void test_document(void)
{
    tf_fresh();
    tf_buf_t b;
    tf_tcp(&b, "10.0.0.1", 40000, "10.0.0.2", 80, 100, 0, 0x02, 65535, NULL, 0);
    tf_feed(&b, 0);
    tf_tcp(&b, "10.0.0.2", 80, "10.0.0.1", 40000, 500, 101, 0x12, 65535, NULL, 0);
    tf_feed(&b, 2000);
    tf_tcp(&b, "10.0.0.1", 40000, "10.0.0.2", 80, 101, 501, 0x10, 65535, NULL, 0);
    tf_feed(&b, 2500);
    static const uint8_t q[] = {0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    tf_udp(&b, "10.0.0.1", 40001, "10.0.0.53", 53, q, sizeof q);
    tf_feed(&b, 3000);
    tpa_decode_finish(tf_dec);
    tpa_result_capture_t cap = {.file = "t.pcap", .format = "pcap"};
    json_t *doc = tpa_result_build(tf_dec, &cap);
    CHECK(doc != NULL);
    json_t *flows = json_object_get(doc, "flows");
    json_t *tcp = json_object_get(json_array_get(flows, 0), "tcp");
    CHECK(tcp && json_real_value(json_object_get(tcp, "syn_rtt_ms")) == 2.0);
    CHECK(tcp && json_real_value(json_object_get(tcp, "ack_rtt_ms")) == 0.5);
    CHECK(tcp && json_real_value(json_object_get(tcp, "handshake_rtt_ms")) == 2.5);
    CHECK(tcp && strcmp(json_string_value(json_object_get(tcp, "close")), "open") == 0);
    const char *keys[] = {"syn",          "fin",           "rst",        "retransmissions",
                          "out_of_order", "lost_segments", "keepalives", "zero_window",
                          "resets"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        CHECKF(tcp && json_object_get(tcp, keys[i]), "%s", keys[i]);
    CHECK(tcp && !json_object_get(tcp, "stream")); /* no stream dissector on port 80 */
    json_t *msgs = json_object_get(doc, "messages");
    CHECK(json_array_size(msgs) == 1);
    json_t *m = json_array_get(msgs, 0);
    CHECK(m && strcmp(json_string_value(json_object_get(m, "protocol")), "dns") == 0 &&
          strcmp(json_string_value(json_object_get(m, "code")), "query") == 0 &&
          json_integer_value(json_object_get(m, "count")) == 1);
    json_decref(doc);
}

/* Many pairs of literals at random (more than the memo slots by address can hold
 * apart, so pairs share a slot and take it from each other), with a name first given
 * late: every count as a plain tally of the calls says. */
#define L8(x) x "0", x "1", x "2", x "3", x "4", x "5", x "6", x "7"
static void test_sink_many_literals(void)
{
    static const char *const protos[] = {"gtp", "pfcp", "ngap"};
    static const char *const codes[] = {L8("a"), L8("b"), L8("c"), L8("d"),
                                        L8("e"), L8("f"), L8("g"), L8("h")};
    enum { NP = 3, NC = sizeof codes / sizeof codes[0] };
    static uint64_t want[NP][NC];
    tpa_result_sink_t *s = tpa_result_sink_new();
    CHECK(s != NULL);
    if (!s) return;
    uint64_t rng = 12345, total = 0;
    for (int i = 0; i < 200000; i++) {
        uint64_t r = tpa_test_rand(&rng);
        /* a skewed choice: a few pairs most of the time, like G-PDUs among the rest */
        size_t p = r % NP, c = r >> 8 & 1 ? (r >> 16) % 4 : (r >> 16) % NC;
        const char *name = (r >> 40) % 97 == 0 ? "named" : NULL;
        CHECK(tpa_result_count_message(s, protos[p], codes[c], name) == 0);
        want[p][c]++;
        total++;
    }
    for (size_t p = 0; p < NP; p++)
        for (size_t c = 0; c < NC; c++)
            CHECK(tpa_result_message_count(s, protos[p], codes[c]) == want[p][c]);
    CHECK(tpa_result_messages_total(s) == total);
    tpa_result_sink_destroy(&s);
}

int main(void)
{
    test_sink();
    test_sink_many_literals();
    test_document();
    tpa_decoder_destroy(&tf_dec);
    return TEST_DONE();
}
