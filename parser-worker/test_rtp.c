/* test_rtp.c - RTP / RTCP (tpa_rtp.h, RFC 3550): loss, reordering, duplicates and
 * interarrival jitter on a hand-made sequence checked against values worked out by
 * hand (appendix A.3 and A.8), sequence wrap, the heuristic's caution, RTCP compounds
 * and RTCP multiplexed on the RTP port (RFC 5761), the E-model MOS and the
 * poor-quality finding. */
#include "test_frames.h"
#include "tpa_malformed.h"
#include "tpa_rtp.h"
#include "tpa_test.h"

#define A "10.0.1.1"
#define B "10.0.1.2"

static tf_buf_t fb;

static void rtp_pkt(unsigned sp, unsigned dp, unsigned pt, unsigned seq, uint32_t ts, uint32_t ssrc,
                    int64_t t_us)
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
    tf_udp(&fb, A, sp, B, dp, p, sizeof p);
    tf_feed(&fb, t_us);
}

static const tpa_flow_t *flow_by_port(unsigned port)
{
    size_t n;
    tpa_flow_t *const *all = tpa_flow_table_finish(tpa_decode_flows(tf_dec), &n);
    for (size_t i = 0; i < n; i++)
        if (all[i]->key.port[0] == port || all[i]->key.port[1] == port) return all[i];
    return NULL;
}

static bool near(double a, double b, double eps)
{
    return a - b < eps && b - a < eps;
}

/* PCMU (8000 Hz), 20 ms packets (160 timestamp units). Arrivals in ms:
 *   seq   1   2   3   4   6    8    7    9    9(dup) 10
 *   t     0  20  40  60 100  130  135  160  161    180
 * Transit (arrival*8 - ts): 0 0 0 0 0 | 1040-1120 = -80 | 1080-960 = 120 | 0 | - | 0
 * A.8, J += (|D| - J) / 16:
 *   after 8:  |D| = 80   J = 80/16                       = 5
 *   after 7:  |D| = 200  J = 5 + (200 - 5)/16            = 17.1875
 *   after 9:  |D| = 120  J = 17.1875 + (120 - 17.1875)/16 = 23.61328125 (the maximum)
 *   after 10: |D| = 0    J = 23.61328125 * 15/16          = 22.137451171875
 * in ms (/8): 2.767181396484375, max 2.95166015625.
 * A.3: expected = 10 - 1 + 1 = 10, received 9 (the duplicate aside), lost 1 (10%);
 * seq 7 after 8 is out of order; 10 packets arrived. */
static void test_sequence(void)
{
    tf_fresh();
    static const unsigned seq[] = {1, 2, 3, 4, 6, 8, 7, 9, 9, 10};
    static const unsigned at_ms[] = {0, 20, 40, 60, 100, 130, 135, 160, 161, 180};
    for (int i = 0; i < 10; i++)
        rtp_pkt(30000, 30002, 0, seq[i], 160 * (seq[i] - 1), 0xcafe, (int64_t)at_ms[i] * 1000);
    tpa_decode_finish(tf_dec);
    const tpa_flow_t *f = flow_by_port(30000);
    CHECK(f && strcmp(tpa_dissect_app_name(f->app), "rtp") == 0); /* the heuristic */
    CHECK(tpa_rtp_streams(tf_dec, f) == 1);
    tpa_rtp_stream_info_t s;
    CHECK(tpa_rtp_stream_info(tf_dec, f, 0, &s));
    CHECK(s.ssrc == 0xcafe && s.pt == 0 && s.clock == 8000 && strcmp(s.codec, "PCMU") == 0);
    CHECK(s.packets == 10 && s.expected == 10 && s.lost == 1 && near(s.loss_pct, 10, 1e-9));
    CHECK(s.duplicates == 1 && s.out_of_order == 1);
    CHECKF(near(s.jitter_ms, 2.767181396484375, 1e-9), "jitter %.12f", s.jitter_ms);
    CHECKF(near(s.max_jitter_ms, 2.95166015625, 1e-9), "max %.12f", s.max_jitter_ms);
    CHECK(near(s.ptime_ms, 20, 1e-9) && s.audio);
    /* G.107 by hand: d = 20 + 20 + 2 x 2.767 = 45.534 ms, Id = 0.024 d = 1.0928,
     * Ie_eff = 95 x 10 / (10 + 25.1) = 27.0655, R = 93.2 - 1.0928 - 27.0655 = 65.0416,
     * MOS = 1 + 0.035 R + R (R - 60)(100 - R) 7e-6 = 3.3567 */
    CHECKF(near(s.mos, 3.3567, 5e-4), "mos %.6f", s.mos);
    const char *key;
    json_t *j = tpa_rtp_flow_json(tf_dec, f, &key);
    json_t *st = json_array_get(json_object_get(j, "streams"), 0);
    CHECK(strcmp(key, "rtp") == 0 && json_integer_value(json_object_get(st, "lost")) == 1);
    CHECK(strcmp(json_string_value(json_object_get(st, "ssrc")), "0x0000cafe") == 0);
    CHECK(json_is_null(json_object_get(j, "call_id")));
    json_decref(j);
}

static void test_wrap_and_mos(void)
{
    tf_fresh();
    /* A.1: the sequence number wraps; nothing is lost */
    static const unsigned seq[] = {65533, 65534, 65535, 0, 1, 2};
    for (int i = 0; i < 6; i++)
        rtp_pkt(31000, 31002, 8, seq[i], 1000 + 160u * (unsigned)i, 0xbeef, i * 20000);
    /* a stream of 60 packets missing every other one: a poor-quality finding */
    for (unsigned i = 0; i < 120; i += 2)
        rtp_pkt(32000, 32002, 0, i, 160 * i, 0xf00d, (int64_t)i * 20000);
    tpa_decode_finish(tf_dec);
    tpa_rtp_stream_info_t s;
    const tpa_flow_t *f = flow_by_port(31000);
    CHECK(f && tpa_rtp_stream_info(tf_dec, f, 0, &s));
    CHECK(s.expected == 6 && s.lost == 0 && s.out_of_order == 0 && strcmp(s.codec, "PCMA") == 0);
    const tpa_flow_t *g = flow_by_port(32000);
    CHECK(g && tpa_rtp_stream_info(tf_dec, g, 0, &s));
    CHECK(s.expected == 119 && s.lost == 59 && s.mos < 2.5);
    size_t n;
    tpa_flow_t *const *all = tpa_flow_table_finish(tpa_decode_flows(tf_dec), &n);
    json_t *list = json_array();
    CHECK(tpa_rtp_findings(tf_dec, all, n, list) == 0 && json_array_size(list) == 1);
    json_t *fd = json_array_get(list, 0);
    CHECK(strcmp(json_string_value(json_object_get(fd, "rule")), "rtp.poor_quality") == 0);
    CHECK(strcmp(json_string_value(json_object_get(fd, "severity")), "critical") == 0);
    json_t *ev = json_object_get(json_object_get(fd, "evidence"), "flows");
    CHECK(json_array_size(ev) == 1 && json_integer_value(json_array_get(ev, 0)) == g->id);
    json_decref(list);
    /* the E-model's corners: G.711 without loss, G.729's own impairment, total loss */
    CHECKF(near(tpa_rtp_mos("PCMU", 0, 0, 20), 4.3899, 5e-4), "%f", tpa_rtp_mos("PCMU", 0, 0, 20));
    CHECK(tpa_rtp_mos("G729", 0, 0, 20) < tpa_rtp_mos("PCMA", 0, 0, 20));
    /* 100% loss: Ie_eff = 95 x 100 / 125.1 = 75.94, R = 93.2 - 0.96 - 75.94 = 16.30,
     * MOS = 1 + 0.5705 - 16.30 x 43.70 x 83.70 x 7e-6 = 1.153 */
    CHECKF(near(tpa_rtp_mos("PCMU", 100, 0, 20), 1.153, 2e-3), "%f",
           tpa_rtp_mos("PCMU", 100, 0, 20));
    CHECK(tpa_rtp_mos(NULL, 1, 50, 20) < tpa_rtp_mos(NULL, 1, 5, 20));
}

/* The heuristic must not take other UDP traffic for RTP. */
static void test_caution(void)
{
    tf_fresh();
    /* version 2 headers whose SSRC changes every packet */
    for (unsigned i = 0; i < 20; i++)
        rtp_pkt(33000, 33002, 0, i, 160 * i, 0x1000 + i, i * 20000);
    /* payload type 72 (RTCP SR with the marker bit: RFC 3550 A.1 excludes 72-76) */
    for (unsigned i = 0; i < 20; i++)
        rtp_pkt(34000, 34002, 72, i, 160 * i, 0x2000, i * 20000);
    /* sequence numbers jumping by 1000 */
    for (unsigned i = 0; i < 20; i++)
        rtp_pkt(35000, 35002, 0, 1000 * i, 160 * i, 0x3000, i * 20000);
    /* an unassigned payload type (35-71, 77-95) */
    for (unsigned i = 0; i < 20; i++)
        rtp_pkt(36000, 36002, 50, i, 160 * i, 0x4000, i * 20000);
    tpa_decode_finish(tf_dec);
    for (unsigned p = 33000; p <= 36000; p += 1000) {
        const tpa_flow_t *f = flow_by_port(p);
        CHECKF(f && f->app == 0, "port %u app %s", p, f ? tpa_dissect_app_name(f->app) : "-");
        CHECK(tpa_rtp_streams(tf_dec, f) == 0);
    }
}

/* RTCP compound (6.1): SR with one report block, SDES, on ports nothing else claims;
 * then RTCP on an RTP flow's own port (RFC 5761). */
static void test_rtcp(void)
{
    tf_fresh();
    tf_buf_t p = {.n = 0};
    tf_u8(&p, 0x81); /* V=2, RC=1 */
    tf_u8(&p, 200);
    tf_u16(&p, 12); /* 13 words: SSRC, sender info (5), one report block (6) */
    tf_u32(&p, 0xaaaa0001);
    tf_zeros(&p, 20);
    tf_u32(&p, 0xbbbb0002);      /* report block: source */
    tf_u8(&p, 64);               /* fraction lost 64/256 */
    tf_u8(&p, 0), tf_u16(&p, 3); /* cumulative 3 */
    tf_u32(&p, 0x10005);         /* extended highest sequence */
    tf_u32(&p, 40);              /* jitter */
    tf_zeros(&p, 8);             /* LSR, DLSR */
    tf_u8(&p, 0x81);             /* SDES, one chunk */
    tf_u8(&p, 202);
    tf_u16(&p, 2);
    tf_u32(&p, 0xaaaa0001);
    tf_u8(&p, 1), tf_u8(&p, 1), tf_u8(&p, 'x'), tf_u8(&p, 0); /* CNAME "x", end */
    tf_udp(&fb, A, 37001, B, 37003, p.b, p.n);
    tf_feed(&fb, 0);
    /* an RTP flow carrying an RR too */
    for (unsigned i = 0; i < 4; i++)
        rtp_pkt(38000, 38002, 0, i, 160 * i, 0x5000, i * 20000);
    static const uint8_t rr[] = {0x80, 201, 0, 1, 0, 0, 0x50, 0};
    tf_udp(&fb, A, 38000, B, 38002, rr, sizeof rr);
    tf_feed(&fb, 100000);
    /* a compound whose length field overruns the datagram (and no room for SRTCP's
     * index): malformed */
    uint8_t bad[8] = {0x80, 201, 0, 7, 0, 0, 0, 1};
    tf_udp(&fb, A, 37001, B, 37003, bad, sizeof bad);
    tf_feed(&fb, 200000);
    tpa_decode_finish(tf_dec);
    const tpa_flow_t *f = flow_by_port(37001);
    CHECK(f && strcmp(tpa_dissect_app_name(f->app), "rtcp") == 0);
    const char *key;
    json_t *j = tpa_rtp_flow_json(tf_dec, f, &key);
    CHECK(j && strcmp(key, "rtcp") == 0);
    CHECK(json_integer_value(json_object_get(j, "packets")) == 2);
    CHECK(json_integer_value(json_object_get(j, "sr")) == 1);
    CHECK(json_integer_value(json_object_get(j, "sdes")) == 1);
    json_t *rep = json_array_get(json_object_get(j, "reports"), 0);
    CHECK(rep && strcmp(json_string_value(json_object_get(rep, "reporter")), "0xaaaa0001") == 0);
    CHECK(strcmp(json_string_value(json_object_get(rep, "ssrc")), "0xbbbb0002") == 0);
    CHECK(near(json_real_value(json_object_get(rep, "fraction_lost")), 0.25, 1e-9));
    CHECK(json_integer_value(json_object_get(rep, "cumulative_lost")) == 3);
    CHECK(json_integer_value(json_object_get(rep, "jitter")) == 40);
    json_decref(j);
    CHECK(tpa_decode_stats(tf_dec)->reasons[TPA_MAL_RTCP_LEN_INVALID] == 1);
    const tpa_flow_t *g = flow_by_port(38000);
    j = tpa_rtp_flow_json(tf_dec, g, &key);
    CHECK(j && strcmp(key, "rtp") == 0);
    CHECK(json_integer_value(json_object_get(json_object_get(j, "rtcp"), "rr")) == 1);
    tpa_rtp_stream_info_t s;
    CHECK(tpa_rtp_stream_info(tf_dec, g, 0, &s) && s.packets == 4);
    json_decref(j);
}

int main(void)
{
    test_sequence();
    test_wrap_and_mos();
    test_caution();
    test_rtcp();
    tpa_decoder_destroy(&tf_dec);
    return TEST_DONE();
}
