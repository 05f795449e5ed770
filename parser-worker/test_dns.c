/* test_dns.c - DNS over UDP and TCP (tpa_dns.h, RFC 1035), which also exercises the
 * TCP stream path of the engine end to end: segments -> tpa_tcp_stream -> tpa_pdu ->
 * messages[]. */
#include "test_frames.h"
#include "tpa_decode_int.h"
#include "tpa_result.h"
#include "tpa_sigstate.h"
#include "tpa_test.h"

enum { FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10 };

#define C "10.0.0.1"
#define S "10.0.0.53"

static tf_buf_t fb;

typedef struct msg {
    uint8_t b[512];
    size_t n;
} msg_t;

static void m8(msg_t *m, unsigned v)
{
    m->b[m->n++] = (uint8_t)v;
}
static void m16(msg_t *m, unsigned v)
{
    m8(m, v >> 8);
    m8(m, v);
}

/* The end of an answer whose name ends in a pointer to the question's name (offset
 * 12): the pointer, type A, class IN, TTL 60, 10.0.0.1. */
static void answer_to_question(msg_t *m)
{
    m16(m, 0xc00c);
    m16(m, 1);
    m16(m, 1);
    m16(m, 0);
    m16(m, 60);
    m16(m, 4);
    m16(m, 0x0a00);
    m16(m, 0x0001);
}

/* RFC 1035 4.1: header, one question www.example.com A IN, and for a response one
 * answer whose name is a pointer to the question's name (offset 12). */
static msg_t dns(unsigned id, bool response)
{
    msg_t m = {{0}, 0};
    m16(&m, id);
    m16(&m, response ? 0x8180 : 0x0100);
    m16(&m, 1);
    m16(&m, response ? 1 : 0);
    m16(&m, 0);
    m16(&m, 0);
    static const char name[] = "\3www\7example\3com";
    memcpy(m.b + m.n, name, sizeof name); /* with its final 0 */
    m.n += sizeof name;
    m16(&m, 1);
    m16(&m, 1);
    if (response) answer_to_question(&m);
    return m;
}

static uint64_t count(const char *code)
{
    return tpa_result_message_count(tpa_decode_sink(tf_dec), "dns", code);
}

static uint64_t reason(int r)
{
    return tpa_decode_stats(tf_dec)->reasons[r];
}

static void udp_msg(const msg_t *m, bool to_server, int64_t dt)
{
    if (to_server)
        tf_udp(&fb, C, 40000, S, 53, m->b, m->n);
    else
        tf_udp(&fb, S, 53, C, 40000, m->b, m->n);
    tf_feed(&fb, dt);
}

static void test_udp(void)
{
    tf_fresh();
    msg_t q = dns(1, false), r = dns(1, true);
    udp_msg(&q, true, 0);
    udp_msg(&r, false, 1000);
    CHECK(count("query") == 1 && count("response") == 1);
    CHECK(tpa_decode_stats(tf_dec)->malformed == 0);

    /* 4.1.4: a compression pointer that loops is malformed (the message still counts) */
    msg_t bad = dns(2, true);
    bad.b[bad.n - 16] = 0xc0;
    bad.b[bad.n - 15] = (uint8_t)(bad.n - 16); /* the answer's name points at itself */
    udp_msg(&bad, false, 2000);
    CHECK(count("response") == 2 && reason(TPA_MAL_DNS_NAME_INVALID) == 1);
    /* label type 01 (RFC 6891 5: extended labels retired) */
    msg_t ext = dns(3, false);
    ext.b[12] = 0x41;
    udp_msg(&ext, true, 3000);
    CHECK(count("query") == 2 && reason(TPA_MAL_DNS_NAME_INVALID) == 2);
    /* a question promised but absent */
    msg_t shortq = dns(4, false);
    shortq.n = 12;
    udp_msg(&shortq, true, 4000);
    CHECK(count("query") == 3 && reason(TPA_MAL_DNS_TRUNCATED) == 1);
    /* fewer than 4 bytes: not even the flags, not counted */
    msg_t tiny = {{1, 2, 3}, 3};
    udp_msg(&tiny, true, 5000);
    CHECK(count("query") == 3 && reason(TPA_MAL_DNS_TRUNCATED) == 2);
    /* a frame cut by snaplen inside the answer is not malformed */
    uint64_t mal = tpa_decode_stats(tf_dec)->malformed;
    tf_udp(&fb, S, 53, C, 40000, r.b, r.n);
    tf_feed_cut(&fb, 6000, fb.n - 6);
    CHECK(count("response") == 3 && tpa_decode_stats(tf_dec)->malformed == mal);
    CHECK(tpa_decode_stats(tf_dec)->malformed == 4);
}

/* 4.1.4 and 2.3.4: an answer's name made of a label and a pointer to the question's
 * name is that label and the question's labels, and their octets count together
 * against the 255 allowed (the question's name is read once; the answer's ending at
 * it keeps the bound). */
static msg_t label_then_pointer(unsigned id, size_t answer_label)
{
    msg_t m = {{0}, 0};
    m16(&m, id);
    m16(&m, 0x8180);
    m16(&m, 1);
    m16(&m, 1);
    m16(&m, 0);
    m16(&m, 0);
    for (int i = 0; i < 4; i++) { /* 4 labels of 49: 200 octets before the final 0 */
        m8(&m, 49);
        for (int k = 0; k < 49; k++)
            m8(&m, 'a' + i);
    }
    m8(&m, 0);
    m16(&m, 1);
    m16(&m, 1);
    m8(&m, (unsigned)answer_label);
    for (size_t k = 0; k < answer_label; k++)
        m8(&m, 'x');
    answer_to_question(&m);
    return m;
}

static void test_pointer_to_question(void)
{
    tf_fresh();
    msg_t fits = label_then_pointer(1, 50); /* 51 + 200 + 1 = 252 octets */
    udp_msg(&fits, false, 0);
    CHECK(count("response") == 1 && tpa_decode_stats(tf_dec)->malformed == 0);
    msg_t over = label_then_pointer(2, 60); /* 61 + 200 + 1 = 262 */
    udp_msg(&over, false, 1000);
    CHECK(count("response") == 2 && reason(TPA_MAL_DNS_NAME_INVALID) == 1);
}

/* A query for name (labels as on the wire, with the final 0) or its response. */
static msg_t named(unsigned id, bool response, const char *name, size_t len)
{
    msg_t m = {{0}, 0};
    m16(&m, id);
    m16(&m, response ? 0x8180 : 0x0100);
    m16(&m, 1);
    m16(&m, 0);
    m16(&m, 0);
    m16(&m, 0);
    memcpy(m.b + m.n, name, len);
    m.n += len;
    m16(&m, 1);
    m16(&m, 1);
    return m;
}

/* Pairing by ID, first question name and type: the name case-folded (RFC 4343) and
 * its unprintable bytes shown as '?', so "WwW.eXample.com" pairs with
 * "www.example.com", "a\1b.test" with "a?b.test", and another name does not; bytes
 * at the edges of the ranges folded and shown as they are, likewise. */
static void test_pairing_names(void)
{
    tf_fresh();
    static const char mixed[] = "\3WwW\7eXample\3com", lower[] = "\3www\7example\3com";
    static const char ctl[] = "\3a\1b\4test", mark[] = "\3a?b\4test";
    static const char other[] = "\3www\7example\3org";
    /* the edges of the folded and the printable ranges */
    static const char edge[] = "\10 \x7f\x80\xff"
                               "AZ@["
                               "\3`{~",
                      shown[] = "\10????az@[\3`{~";
    msg_t q1 = named(9, false, mixed, sizeof mixed), r1 = named(9, true, lower, sizeof lower);
    msg_t q2 = named(10, false, ctl, sizeof ctl), r2 = named(10, true, mark, sizeof mark);
    msg_t q3 = named(11, false, lower, sizeof lower), r3 = named(11, true, other, sizeof other);
    msg_t q4 = named(12, false, edge, sizeof edge), r4 = named(12, true, shown, sizeof shown);
    udp_msg(&q1, true, 0);
    udp_msg(&r1, false, 1000);
    udp_msg(&q2, true, 2000);
    udp_msg(&r2, false, 3000);
    udp_msg(&q3, true, 4000);
    udp_msg(&r3, false, 5000);
    udp_msg(&q4, true, 6000);
    udp_msg(&r4, false, 7000);
    struct tpa_sigstate *sig = tf_dec->sig;
    const tpa_txn_t *t = tpa_sigstate_txn(sig);
    CHECK(sig && tpa_txn_stats(t)->attempts == 4 && tpa_txn_stats(t)->orphans == 1);
    tpa_sigstate_finish(sig);
    CHECK(tpa_txn_kept_count(t) == 4);
    CHECK(tpa_txn_kept_at(t, 0)->outcome == TPA_TXN_SUCCESS &&
          tpa_txn_kept_at(t, 1)->outcome == TPA_TXN_SUCCESS &&
          tpa_txn_kept_at(t, 2)->outcome == TPA_TXN_UNANSWERED &&
          tpa_txn_kept_at(t, 3)->outcome == TPA_TXN_SUCCESS);
}

/* TCP: 2-byte length prefix (4.2.2) */
static size_t framed(uint8_t *out, const msg_t *m)
{
    out[0] = (uint8_t)(m->n >> 8);
    out[1] = (uint8_t)m->n;
    memcpy(out + 2, m->b, m->n);
    return m->n + 2;
}

static void seg(bool c2s, uint32_t seq, unsigned fl, const uint8_t *p, size_t n, int64_t dt)
{
    if (c2s)
        tf_tcp(&fb, C, 40001, S, 53, seq, 1, fl, 65535, p, n);
    else
        tf_tcp(&fb, S, 53, C, 40001, seq, 1, fl, 65535, p, n);
    tf_feed(&fb, dt);
}

static int ends(void)
{
    int n = 0;
    for (int i = 0; i < tf_tap_rec.nev; i++)
        n += tf_tap_rec.ev[i].end;
    return n;
}

static void test_tcp_split_and_bundled(void)
{
    tf_fresh();
    uint8_t a[1024], b[1024];
    msg_t q1 = dns(1, false), q2 = dns(2, false), r1 = dns(1, true), r2 = dns(2, true);
    size_t na = framed(a, &q1);
    na += framed(a + na, &q2); /* two queries in one segment */
    size_t nb = framed(b, &r1);
    nb += framed(b + nb, &r2);
    seg(true, 1000, SYN, NULL, 0, 0);
    seg(false, 5000, SYN | ACK, NULL, 0, 100);
    seg(true, 1001, ACK, NULL, 0, 200);
    seg(true, 1001, ACK, a, na, 300);
    CHECK(count("query") == 2);
    /* the responses split across three segments, the cuts inside a length prefix and
     * inside a message; the middle segment arrives last */
    size_t cut1 = 1, cut2 = r1.n + 10;
    seg(false, 5001, ACK, b, cut1, 400);
    seg(false, 5001 + (uint32_t)cut2, ACK, b + cut2, nb - cut2, 500);
    CHECK(count("response") == 0);
    seg(false, 5001 + (uint32_t)cut1, ACK, b + cut1, cut2 - cut1, 600);
    CHECK(count("response") == 2);
    /* a retransmission of the whole response changes nothing */
    seg(false, 5001, ACK, b, nb, 700);
    CHECK(count("response") == 2 && count("query") == 2);
    /* the tap saw every byte once per direction */
    uint8_t got[2048];
    CHECK(tf_tap_dir_bytes(0, got, sizeof got) == na && memcmp(got, a, na) == 0);
    CHECK(tf_tap_dir_bytes(1, got, sizeof got) == nb && memcmp(got, b, nb) == 0);
    /* FIN ends the sender's stream only */
    seg(true, 1001 + (uint32_t)na, FIN | ACK, NULL, 0, 800);
    CHECK(ends() == 1);
    tpa_decode_finish(tf_dec); /* end of capture ends the other */
    CHECK(ends() == 2);
    CHECK(tpa_decode_stats(tf_dec)->malformed == 0);
    const tpa_flow_t *f = tf_one_flow(6);
    CHECK(f && f->app && strcmp(tpa_dissect_app_name(f->app), "dns") == 0);
}

static void test_tcp_mid_and_rst(void)
{
    tf_fresh();
    uint8_t a[1024];
    msg_t q = dns(7, false);
    size_t na = framed(a, &q);
    /* no handshake: the stream starts at the first segment seen */
    seg(true, 777777, ACK, a, na, 0);
    CHECK(count("query") == 1);
    /* RST ends both directions (the other had no stream: one end call) */
    seg(false, 1, RST, NULL, 0, 100);
    CHECK(ends() == 1);
    /* data after the RST from the ended direction is not delivered */
    seg(true, 777777 + (uint32_t)na, ACK, a, na, 200);
    CHECK(count("query") == 1);

    /* a length prefix below the 12-byte header */
    tf_fresh();
    uint8_t bad[16] = {0, 4, 0, 1, 0x81, 0x80};
    seg(false, 100, ACK, bad, 6, 0);
    CHECK(reason(TPA_MAL_DNS_TCP_LENGTH_INVALID) == 1 && count("response") == 1);
}

static void test_tcp_gap_resync(void)
{
    tf_fresh();
    uint8_t a[2048];
    msg_t q1 = dns(1, false), q2 = dns(2, false), q3 = dns(3, false);
    size_t n1 = framed(a, &q1);
    size_t n2 = framed(a + n1, &q2);
    size_t n3 = framed(a + n1 + n2, &q3);
    seg(true, 1000, SYN, NULL, 0, 0);
    seg(true, 1001, ACK, a, n1, 100);
    /* q2 is never captured; q3 arrives, then the end of capture flushes: the gap is
     * reported and framing is found again on q3 (a plausible header) */
    seg(true, 1001 + (uint32_t)(n1 + n2), ACK, a + n1 + n2, n3, 200);
    CHECK(count("query") == 1);
    tpa_decode_finish(tf_dec);
    CHECK(count("query") == 2);
    bool gap_seen = false;
    for (int i = 0; i < tf_tap_rec.nev; i++)
        gap_seen |= tf_tap_rec.ev[i].gap == n2;
    CHECK(gap_seen);
}

int main(void)
{
    test_udp();
    test_pointer_to_question();
    test_pairing_names();
    test_tcp_split_and_bundled();
    test_tcp_mid_and_rst();
    test_tcp_gap_resync();
    tpa_decoder_destroy(&tf_dec);
    return TEST_DONE();
}
