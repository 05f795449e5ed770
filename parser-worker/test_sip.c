/* test_sip.c - SIP (tpa_sip.h, RFC 3261) and its SDP (RFC 4566) over UDP and TCP, with
 * hand-built messages: a call INVITE / 100 / 180 / 200 / ACK / BYE / 200, what reaches
 * the signalling layer, SDP media tying RTP/RTCP flows to the call, a 486 failure,
 * compact and folded headers, Content-Length framing over TCP (split, merged,
 * keep-alives, a gap), the probe on another port, malformed start lines. */
#include <stdio.h>

#include "test_frames.h"
#include "tpa_3gpp.h"
#include "tpa_malformed.h"
#include "tpa_result.h"
#include "tpa_rtp.h"
#include "tpa_sip.h"
#include "tpa_test.h"

enum { FIN = 0x01, SYN = 0x02, ACK = 0x10 };

#define A "10.0.0.1"
#define B "10.0.0.2"
#define CALL "a84b4c76e66710@pc33.example.com"

/* ---- messages ---- */

static char buf[8192];

/* head (start line and headers, each ending in CRLF) + Content-Length + body. */
static const char *msg(const char *head, const char *body)
{
    snprintf(buf, sizeof buf, "%sContent-Length: %zu\r\n\r\n%s", head, strlen(body), body);
    return buf;
}

static const char *sdp_a = "v=0\r\n"
                           "o=alice 2890844526 2890844526 IN IP4 10.0.0.1\r\n"
                           "s=-\r\n"
                           "c=IN IP4 10.0.0.1\r\n"
                           "t=0 0\r\n"
                           "m=audio 40000 RTP/AVP 0 8 101\r\n"
                           "a=rtpmap:101 telephone-event/8000\r\n";

static const char *sdp_b = "v=0\r\n"
                           "o=bob 1 1 IN IP4 10.0.0.2\r\n"
                           "s=-\r\n"
                           "t=0 0\r\n"
                           "m=audio 50000 RTP/AVP 0\r\n"
                           "c=IN IP4 10.0.0.2\r\n"
                           "a=rtcp:50005\r\n";

#define INVITE_HEAD(cseq, callid)                                                                  \
    "INVITE sip:bob@example.com SIP/2.0\r\n"                                                       \
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds\r\n"                                   \
    "Max-Forwards: 70\r\n"                                                                         \
    "To: Bob <sip:bob@example.com>\r\n"                                                            \
    "From: Alice <sip:+49-123-45678@example.com;user=phone>;tag=1928301774\r\n"                    \
    "Call-ID: " callid "\r\n"                                                                      \
    "CSeq: " cseq " INVITE\r\n"                                                                    \
    "Contact: <sip:alice@10.0.0.1>\r\n"                                                            \
    "Content-Type: application/sdp\r\n"

#define RESP_HEAD(status, cseq, method, callid)                                                    \
    "SIP/2.0 " status "\r\n"                                                                       \
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds\r\n"                                   \
    "To: Bob <sip:bob@example.com>;tag=a6c85cf\r\n"                                                \
    "From: Alice <sip:+49-123-45678@example.com;user=phone>;tag=1928301774\r\n"                    \
    "Call-ID: " callid "\r\n"                                                                      \
    "CSeq: " cseq " " method "\r\n"

/* ---- the signalling layer's view ---- */

typedef struct seen {
    char code[32], procedure[32], key[200], cause_name[48], uri[128], msisdn[24], call_id[128];
    int kind, outcome;
    long cause;
    unsigned flags;
} seen_t;

static seen_t seen[64];
static int nseen;

static void tap(const tpa_sig_t *m, void *ud)
{
    (void)ud;
    if (nseen == 64 || strcmp(m->protocol, "sip") != 0) return;
    seen_t *s = &seen[nseen++];
    memset(s, 0, sizeof *s);
    snprintf(s->code, sizeof s->code, "%s", m->code);
    snprintf(s->procedure, sizeof s->procedure, "%s", m->procedure ? m->procedure : "");
    snprintf(s->key, sizeof s->key, "%s", m->key ? m->key : "");
    snprintf(s->cause_name, sizeof s->cause_name, "%s", m->cause_name ? m->cause_name : "");
    s->kind = m->kind;
    s->outcome = m->outcome;
    s->cause = m->has_cause ? (long)m->cause : -1;
    s->flags = m->flags;
    for (unsigned i = 0; i < m->n_ids; i++) {
        const char *v = m->ids[i].value;
        if (m->ids[i].kind == TPA_ID_SIP_URI) snprintf(s->uri, sizeof s->uri, "%s", v);
        if (m->ids[i].kind == TPA_ID_MSISDN) snprintf(s->msisdn, sizeof s->msisdn, "%s", v);
        if (m->ids[i].kind == TPA_ID_CALL_ID) snprintf(s->call_id, sizeof s->call_id, "%s", v);
    }
}

static void fresh(void)
{
    tf_fresh();
    nseen = 0;
    tpa_3gpp_set_tap(tap, NULL);
}

static uint64_t count(const char *code)
{
    return tpa_result_message_count(tpa_decode_sink(tf_dec), "sip", code);
}

static uint64_t reason(int r)
{
    return tpa_decode_stats(tf_dec)->reasons[r];
}

static tf_buf_t fb;

static void udp(const char *s, unsigned sp, const char *d, unsigned dp, const void *p, size_t n,
                int64_t dt)
{
    tf_udp(&fb, s, sp, d, dp, p, n);
    tf_feed(&fb, dt);
}

static void udp_str(bool from_a, const char *text, int64_t dt)
{
    if (from_a)
        udp(A, 5060, B, 5060, text, strlen(text), dt);
    else
        udp(B, 5060, A, 5060, text, strlen(text), dt);
}

/* A flow of the finished decoder by its two ports (NULL when absent). */
static const tpa_flow_t *flow_by_ports(unsigned p1, unsigned p2)
{
    size_t n;
    tpa_flow_t *const *all = tpa_flow_table_finish(tpa_decode_flows(tf_dec), &n);
    for (size_t i = 0; i < n; i++) {
        const tpa_flow_key_t *k = &all[i]->key;
        if ((k->port[0] == p1 && k->port[1] == p2) || (k->port[0] == p2 && k->port[1] == p1))
            return all[i];
    }
    return NULL;
}

/* One RTP packet (RFC 3550 5.1): V=2, PT, seq, timestamp, SSRC, 160 bytes of payload. */
static void rtp(const char *s, unsigned sp, const char *d, unsigned dp, unsigned pt, unsigned seq,
                uint32_t ts, uint32_t ssrc, int64_t dt)
{
    uint8_t p[172] = {0x80,
                      (uint8_t)pt,
                      (uint8_t)(seq >> 8),
                      (uint8_t)seq,
                      (uint8_t)(ts >> 24),
                      (uint8_t)(ts >> 16),
                      (uint8_t)(ts >> 8),
                      (uint8_t)ts,
                      (uint8_t)(ssrc >> 24),
                      (uint8_t)(ssrc >> 16),
                      (uint8_t)(ssrc >> 8),
                      (uint8_t)ssrc};
    udp(s, sp, d, dp, p, sizeof p, dt);
}

/* ---- tests ---- */

static void test_call_udp(void)
{
    fresh();
    udp_str(true, msg(INVITE_HEAD("314159", CALL), sdp_a), 0);
    udp_str(false, msg(RESP_HEAD("100 Trying", "314159", "INVITE", CALL), ""), 10000);
    udp_str(false, msg(RESP_HEAD("180 Ringing", "314159", "INVITE", CALL), ""), 20000);
    udp_str(false,
            msg(RESP_HEAD("200 OK", "314159", "INVITE", CALL) "Content-Type: application/sdp\r\n",
                sdp_b),
            30000);
    udp_str(true,
            msg("ACK sip:bob@10.0.0.2 SIP/2.0\r\n"
                "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKnashds9\r\n"
                "To: Bob <sip:bob@example.com>;tag=a6c85cf\r\n"
                "From: Alice <sip:+49-123-45678@example.com;user=phone>;tag=1928301774\r\n"
                "Call-ID: " CALL "\r\n"
                "CSeq: 314159 ACK\r\n",
                ""),
            40000);
    /* media both ways, then RTCP to the port a=rtcp named */
    for (unsigned i = 0; i < 5; i++) {
        rtp(A, 40000, B, 50000, 0, 100 + i, 160 * i, 0x11111111, 50000 + 20000 * i);
        rtp(B, 50000, A, 40000, 0, 7000 + i, 8000 + 160 * i, 0x22222222, 50000 + 20000 * i);
    }
    static const uint8_t rr[] = {0x80, 201, 0, 1, 0x22, 0x22, 0x22, 0x22};
    udp(A, 40001, B, 50005, rr, sizeof rr, 160000);
    /* the callee hangs up: an in-dialog request the other way */
    udp_str(false,
            msg("BYE sip:alice@10.0.0.1 SIP/2.0\r\n"
                "Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKnashds10\r\n"
                "From: Bob <sip:bob@example.com>;tag=a6c85cf\r\n"
                "To: Alice <sip:+49-123-45678@example.com;user=phone>;tag=1928301774\r\n"
                "Call-ID: " CALL "\r\n"
                "CSeq: 231 BYE\r\n",
                ""),
            200000);
    udp_str(true, msg(RESP_HEAD("200 OK", "231", "BYE", CALL), ""), 210000);

    CHECK(count("INVITE") == 1 && count("100") == 1 && count("180") == 1);
    CHECK(count("200") == 2 && count("ACK") == 1 && count("BYE") == 1);
    CHECK(tpa_decode_stats(tf_dec)->malformed == 0);

    CHECK(nseen == 7);
    /* the INVITE opens INVITE|314159; the caller's tel-style URI is its subject */
    CHECK(seen[0].kind == TPA_SIG_REQUEST && strcmp(seen[0].procedure, "INVITE") == 0);
    CHECK(strcmp(seen[0].key, CALL "|314159|INVITE") == 0);
    CHECK(seen[0].flags & TPA_SIG_SCOPE_CAPTURE);
    CHECK(strcmp(seen[0].uri, "sip:+49-123-45678@example.com;user=phone") == 0);
    CHECK(strcmp(seen[0].msisdn, "4912345678") == 0);
    CHECK(strcmp(seen[0].call_id, CALL) == 0);
    /* 1xx: indications of the open transaction (provisional: they do not close it) */
    CHECK(seen[1].kind == TPA_SIG_INDICATION && strcmp(seen[1].procedure, "INVITE") == 0);
    CHECK(strcmp(seen[1].key, seen[0].key) == 0);
    CHECK(seen[2].kind == TPA_SIG_INDICATION && strcmp(seen[2].code, "180") == 0);
    /* the final response closes it */
    CHECK(seen[3].kind == TPA_SIG_RESPONSE && seen[3].outcome == TPA_SIG_OK);
    CHECK(strcmp(seen[3].key, seen[0].key) == 0 && seen[3].cause == -1);
    CHECK(seen[4].kind == TPA_SIG_INDICATION && strcmp(seen[4].code, "ACK") == 0);
    /* BYE from the callee: paired by its own CSeq, joined by Call-ID only */
    CHECK(seen[5].kind == TPA_SIG_REQUEST && strcmp(seen[5].key, CALL "|231|BYE") == 0);
    CHECK(seen[5].uri[0] == 0 && strcmp(seen[5].call_id, CALL) == 0);
    CHECK(seen[6].kind == TPA_SIG_RESPONSE && strcmp(seen[6].key, CALL "|231|BYE") == 0);

    tpa_decode_finish(tf_dec);
    /* SDP: the offer announced 10.0.0.1:40000, the answer 10.0.0.2:50000 and RTCP 50005 */
    const tpa_flow_t *m = flow_by_ports(40000, 50000);
    CHECK(m && strcmp(tpa_dissect_app_name(m->app), "rtp") == 0);
    CHECK(tpa_rtp_streams(tf_dec, m) == 2);
    tpa_rtp_stream_info_t si;
    CHECK(tpa_rtp_stream_info(tf_dec, m, 0, &si) && si.packets == 5 && si.lost == 0);
    CHECK(si.codec && strcmp(si.codec, "PCMU") == 0 && si.clock == 8000 && si.dir == 0);
    const tpa_flow_t *r = flow_by_ports(40001, 50005);
    CHECK(r && strcmp(tpa_dissect_app_name(r->app), "rtcp") == 0);
    const char *key = NULL;
    json_t *j = tpa_rtp_flow_json(tf_dec, m, &key);
    CHECK(j && strcmp(key, "rtp") == 0);
    CHECK(strcmp(json_string_value(json_object_get(j, "call_id")), CALL) == 0);
    CHECK(strcmp(json_string_value(json_object_get(j, "detected")), "sdp") == 0);
    json_decref(j);
}

static void test_busy(void)
{
    fresh();
    udp_str(true, msg(INVITE_HEAD("1", "busy-call@x"), sdp_a), 0);
    udp_str(false, msg(RESP_HEAD("486 Busy here", "1", "INVITE", "busy-call@x"), ""), 5000);
    CHECK(count("486") == 1);
    CHECK(nseen == 2 && seen[1].kind == TPA_SIG_RESPONSE && seen[1].outcome == TPA_SIG_FAILURE);
    CHECK(seen[1].cause == 486 && strcmp(seen[1].cause_name, "Busy Here") == 0);
    CHECK(strcmp(seen[1].procedure, "INVITE") == 0);
}

static void test_parse(void)
{
    tpa_sip_msg_t m;
    /* compact forms (7.3.3) and a folded header (7.3.1) */
    const char *c =
        "MESSAGE sip:bob@example.com SIP/2.0\r\n"
        "v: SIP/2.0/TCP 10.0.0.1;branch=z9hG4bKcompact;rport, SIP/2.0/UDP x;branch=no\r\n"
        "f: \"Alice\"\r\n <sip:alice@example.com>;tag=77\r\n"
        "t: sip:bob@example.com\r\n"
        "i: compact@x\r\n"
        "CSeq:  12   MESSAGE\r\n"
        "c: text/plain;charset=utf-8\r\n"
        "l: 5\r\n"
        "\r\n"
        "hello";
    tpa_rd_t r = tpa_rd_init(c, strlen(c));
    CHECK(tpa_sip_parse(&r, &m) && m.malformed == -1 && m.request);
    CHECK(strcmp(m.method, "MESSAGE") == 0 && strcmp(m.ruri, "sip:bob@example.com") == 0);
    CHECK(strcmp(m.via_branch, "z9hG4bKcompact") == 0); /* the top Via's */
    CHECK(strcmp(m.from_uri, "sip:alice@example.com") == 0 && strcmp(m.from_tag, "77") == 0);
    CHECK(strcmp(m.to_uri, "sip:bob@example.com") == 0 && m.to_tag[0] == 0);
    CHECK(strcmp(m.call_id, "compact@x") == 0 && m.cseq == 12);
    CHECK(strcmp(m.cseq_method, "MESSAGE") == 0);
    CHECK(strcmp(m.content_type, "text/plain") == 0 && m.content_length == 5);
    CHECK(m.body_len == 5 && memcmp(m.body, "hello", 5) == 0);
    /* a status line with a lone CR as its line end (read as Wireshark does) */
    const char *s = "SIP/2.0 603 Nope\rCall-ID: y\r\n\r\n";
    r = tpa_rd_init(s, strlen(s));
    CHECK(tpa_sip_parse(&r, &m) && !m.request && m.status == 603);
    CHECK(strcmp(m.reason, "Nope") == 0 && strcmp(m.call_id, "y") == 0);
    /* a NUL in the start line: not SIP */
    static const char nul[] = "INVITE sip:a\0b@x SIP/2.0\r\n\r\n";
    r = tpa_rd_init(nul, sizeof nul - 1);
    CHECK(!tpa_sip_parse(&r, &m) && m.malformed == TPA_MAL_SIP_START_LINE_INVALID);
    /* the version is SIP/2.0, the status three digits */
    const char *v = "SIP/2.0 20 OK\r\n\r\n";
    r = tpa_rd_init(v, strlen(v));
    CHECK(!tpa_sip_parse(&r, &m));
    v = "OPTIONS sip:x SIP/1.0\r\n\r\n";
    r = tpa_rd_init(v, strlen(v));
    CHECK(!tpa_sip_parse(&r, &m));
    /* the probe wants a URI scheme */
    v = "GET /index.html SIP/2.0\r\n";
    r = tpa_rd_init(v, strlen(v));
    CHECK(!tpa_sip_probe(&r));
    v = "OPTIONS sips:x@y SIP/2.0\r\n";
    r = tpa_rd_init(v, strlen(v));
    CHECK(tpa_sip_probe(&r));
    CHECK(strcmp(tpa_sip_reason(481), "Call/Transaction Does Not Exist") == 0);
}

static void test_udp_odd(void)
{
    fresh();
    /* SIP on other ports: found by the probe */
    const char *o = msg("OPTIONS sip:x@10.0.0.2:5080 SIP/2.0\r\n"
                        "Call-ID: opt@x\r\nCSeq: 1 OPTIONS\r\n",
                        "");
    udp(A, 5080, B, 5080, o, strlen(o), 0);
    CHECK(count("OPTIONS") == 1);
    /* keep-alives on the SIP port are no messages and not malformed */
    udp(A, 5060, B, 5060, "\r\n\r\n", 4, 1000);
    udp(A, 5060, B, 5060, "     ", 5, 2000);
    CHECK(tpa_decode_stats(tf_dec)->malformed == 0);
    /* a Content-Length beyond the datagram */
    const char *t = "REGISTER sip:example.com SIP/2.0\r\nCall-ID: r@x\r\nCSeq: 2 REGISTER\r\n"
                    "Content-Length: 100\r\n\r\nshort";
    udp(A, 5060, B, 5060, t, strlen(t), 3000);
    CHECK(count("REGISTER") == 1 && reason(TPA_MAL_SIP_TRUNCATED) == 1);
    /* not SIP at all on the SIP port */
    udp(A, 5060, B, 5060, "hello world\r\n", 13, 4000);
    CHECK(reason(TPA_MAL_SIP_START_LINE_INVALID) == 1);
    tpa_decode_finish(tf_dec);
    const tpa_flow_t *f = flow_by_ports(5080, 5080);
    CHECK(f && strcmp(tpa_dissect_app_name(f->app), "sip") == 0);
}

static void seg(bool from_a, uint32_t seq, unsigned fl, const void *p, size_t n, int64_t dt)
{
    if (from_a)
        tf_tcp(&fb, A, 40000, B, 5060, seq, 1, fl, 65535, p, n);
    else
        tf_tcp(&fb, B, 5060, A, 40000, seq, 1, fl, 65535, p, n);
    tf_feed(&fb, dt);
}

static void test_tcp(void)
{
    fresh();
    seg(true, 1000, SYN, NULL, 0, 0);
    seg(false, 5000, SYN | ACK, NULL, 0, 100);
    seg(true, 1001, ACK, NULL, 0, 200);
    /* the INVITE in two segments, the cut inside the headers; then a CRLF keep-alive
     * and a second request cut inside its body */
    char inv[4096];
    snprintf(inv, sizeof inv, "%s", msg(INVITE_HEAD("1", "tcp-call@x"), sdp_a));
    size_t ni = strlen(inv), cut = 100;
    seg(true, 1001, ACK, inv, cut, 300);
    CHECK(count("INVITE") == 0);
    char more[8192];
    size_t nm = 0;
    memcpy(more, inv + cut, ni - cut), nm = ni - cut;
    memcpy(more + nm, "\r\n\r\n", 4), nm += 4;
    const char *info = msg("INFO sip:bob@example.com SIP/2.0\r\n"
                           "Call-ID: tcp-call@x\r\nCSeq: 2 INFO\r\n"
                           "Content-Type: application/dtmf-relay\r\n",
                           "Signal=5\r\nDuration=160\r\n");
    size_t ninfo = strlen(info);
    memcpy(more + nm, info, ninfo - 10), nm += ninfo - 10;
    seg(true, 1001 + (uint32_t)cut, ACK, more, nm, 400);
    CHECK(count("INVITE") == 1 && count("INFO") == 0);
    seg(true, 1001 + (uint32_t)(cut + nm), ACK, info + ninfo - 10, 10, 500);
    CHECK(count("INFO") == 1);
    /* 100 and 180 in one segment */
    char two[4096];
    snprintf(two, sizeof two, "%s", msg(RESP_HEAD("100 Trying", "1", "INVITE", "tcp-call@x"), ""));
    size_t n2 = strlen(two);
    snprintf(two + n2, sizeof two - n2, "%s",
             msg(RESP_HEAD("180 Ringing", "1", "INVITE", "tcp-call@x"), ""));
    n2 = strlen(two);
    seg(false, 5001, ACK, two, n2, 600);
    CHECK(count("100") == 1 && count("180") == 1);
    /* a lost segment inside a 200 OK; the next message is found again after it */
    char three[8192];
    snprintf(three, sizeof three, "%s", msg(RESP_HEAD("200 OK", "1", "INVITE", "tcp-call@x"), ""));
    size_t n3 = strlen(three);
    snprintf(three + n3, sizeof three - n3, "%s",
             msg(RESP_HEAD("200 OK", "2", "INFO", "tcp-call@x"), ""));
    size_t n3b = strlen(three);
    uint32_t base = 5001 + (uint32_t)n2;
    seg(false, base, ACK, three, 30, 700);
    seg(false, base + 60, ACK, three + 60, n3b - 60, 800);
    /* the INVITE's SDP reached the RTP table over TCP too: one packet is enough */
    rtp(A, 40000, B, 6000, 0, 1, 0, 0x33, 900);
    tpa_decode_finish(tf_dec);
    CHECK(count("200") == 1);
    CHECK(tpa_decode_stats(tf_dec)->malformed == 0);
    const tpa_flow_t *f = tf_one_flow(6);
    CHECK(f && strcmp(tpa_dissect_app_name(f->app), "sip") == 0);
    f = flow_by_ports(40000, 6000);
    CHECK(f && strcmp(tpa_dissect_app_name(f->app), "rtp") == 0);
}

/* A start line the resync accepts followed by a Content-Length the framing rejects:
 * framing must move on (a fuzzer found this looping), and the next message counts. */
static void test_tcp_bad_length(void)
{
    fresh();
    const char *s = "xx\r\nINVITE sip:x@y SIP/2.0\r\nContent-Length: \"0\r\n\r\n"
                    "OPTIONS sip:x@y SIP/2.0\r\nCall-ID: o@x\r\nCSeq: 1 OPTIONS\r\n"
                    "Content-Length: 0\r\n\r\n";
    seg(true, 1001, ACK, s, strlen(s), 0);
    tpa_decode_finish(tf_dec);
    CHECK(count("OPTIONS") == 1 && count("INVITE") == 0);
}

int main(void)
{
    test_parse();
    test_call_udp();
    test_busy();
    test_udp_odd();
    test_tcp();
    test_tcp_bad_length();
    tpa_3gpp_set_tap(NULL, NULL);
    tpa_decoder_destroy(&tf_dec);
    return TEST_DONE();
}
