/* test_tcp.c - TCP connection quality per flow and the stream glue (tpa_tcp.h),
 * through the decoder with hand-built segments. The definitions checked are those of
 * tpa_tcp.h / docs/result.md (flows[].tcp). */
#include "test_frames.h"
#include "tpa_tcp.h"
#include "tpa_test.h"

enum { FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10 };

#define C "10.0.0.1"
#define S "10.0.0.2"
#define CP 40000
#define SP 8080 /* no dissector: quality only */

static tf_buf_t fb;

/* client -> server segment at dt_us */
static void cs(uint32_t seq, uint32_t ack, unsigned fl, const char *data, int64_t dt)
{
    tf_tcp(&fb, C, CP, S, SP, seq, ack, fl, 65535, data, data ? strlen(data) : 0);
    tf_feed(&fb, dt);
}

static void sc(uint32_t seq, uint32_t ack, unsigned fl, const char *data, int64_t dt)
{
    tf_tcp(&fb, S, SP, C, CP, seq, ack, fl, 65535, data, data ? strlen(data) : 0);
    tf_feed(&fb, dt);
}

static const tpa_tcp_stats_t *stats(void)
{
    tpa_decode_finish(tf_dec);
    const tpa_flow_t *f = tf_one_flow(6);
    return f ? tpa_tcp_stats(f) : NULL;
}

static void test_handshake(void)
{
    tf_fresh();
    /* SYN at 0, SYN/ACK at 10 ms, ACK at 10.5 ms */
    cs(100, 0, SYN, NULL, 0);
    sc(500, 101, SYN | ACK, NULL, 10000);
    cs(101, 501, ACK, NULL, 10500);
    cs(101, 501, ACK | PSH, "hello", 11000);
    sc(501, 106, ACK | PSH, "world", 12000);
    cs(106, 506, ACK | FIN, NULL, 13000);
    sc(506, 107, ACK | FIN, NULL, 14000);
    cs(107, 507, ACK, NULL, 15000);
    const tpa_tcp_stats_t *t = stats();
    CHECK(t && t->has_syn && t->syn_rtt_us == 10000 && t->ack_rtt_us == 500);
    CHECK(t && t->retransmissions == 0 && t->out_of_order == 0 && t->lost_segments == 0);
    CHECK(t && t->close == TPA_TCP_CLOSE_FIN && t->resets == 0 && t->zero_window == 0);

    /* a retransmitted SYN: RTT from the last SYN before the SYN/ACK, SYN counted */
    tf_fresh();
    cs(100, 0, SYN, NULL, 0);
    cs(100, 0, SYN, NULL, 1000000);
    sc(500, 101, SYN | ACK, NULL, 1020000);
    sc(500, 101, SYN | ACK, NULL, 1040000); /* SYN/ACK retransmitted too */
    cs(101, 501, ACK, NULL, 1040300);
    t = stats();
    CHECK(t && t->syn_rtt_us == 20000 && t->ack_rtt_us == 300);
    CHECK(t && t->retransmissions == 2);

    /* between SYN/ACK and ACK, segments that do not complete the handshake: the
     * server's (even acknowledging the SYN/ACK's number), the client's with another
     * ACK number; the client's ACK of the SYN/ACK completes it */
    tf_fresh();
    cs(100, 0, SYN, NULL, 0);
    sc(500, 101, SYN | ACK, NULL, 10000);
    sc(501, 501, ACK | PSH, "abc", 10100);
    cs(101, 400, ACK, NULL, 10200);
    cs(101, 504, ACK, NULL, 10300);
    cs(101, 501, ACK, NULL, 10600);
    t = stats();
    CHECK(t && t->syn_rtt_us == 10000 && t->ack_rtt_us == 600);
    CHECK(t && t->retransmissions == 0 && t->lost_segments == 0 && t->keepalives == 0);

    /* a SYN/ACK that does not acknowledge the SYN is no handshake */
    tf_fresh();
    cs(100, 0, SYN, NULL, 0);
    sc(500, 999, SYN | ACK, NULL, 10000);
    cs(101, 501, ACK, NULL, 10500);
    t = stats();
    CHECK(t && t->syn_rtt_us == -1 && t->ack_rtt_us == -1);

    /* capture started mid-connection: nothing measured, close stays open */
    tf_fresh();
    cs(7000, 9000, ACK | PSH, "data", 0);
    sc(9000, 7004, ACK, NULL, 1000);
    t = stats();
    CHECK(t && !t->has_syn && t->syn_rtt_us == -1 && t->close == TPA_TCP_CLOSE_OPEN);
    CHECK(t && t->retransmissions == 0 && t->lost_segments == 0);
}

static void test_retrans_ooo(void)
{
    tf_fresh();
    cs(100, 0, SYN, NULL, 0);
    sc(500, 101, SYN | ACK, NULL, 10000); /* handshake RTT 10.5 ms: the ooo threshold */
    cs(101, 501, ACK, NULL, 10500);
    cs(101, 501, ACK, "aaaaaaaaaa", 20000);  /* [101, 111) */
    cs(101, 501, ACK, "aaaaaaaaaa", 30000);  /* retransmission */
    cs(121, 501, ACK, "cccccccccc", 40000);  /* [121, 131): [111, 121) lost */
    cs(111, 501, ACK, "bbbbbbbbbb", 41000);  /* fills the hole 1 ms later: out of order */
    cs(141, 501, ACK, "eeeeeeeeee", 50000);  /* [131, 141) lost */
    cs(131, 501, ACK, "dddddddddd", 250000); /* fills it 200 ms later: retransmission */
    cs(146, 501, ACK, "ffffffffff", 251000); /* partly old (141..151 seen): retransmission */
    cs(155, 501, ACK, "g", 252000);          /* keep-alive: next (156) - 1, one byte */
    sc(501, 156, ACK, NULL, 253000);
    const tpa_tcp_stats_t *t = stats();
    CHECK(t && t->retransmissions == 3);
    CHECK(t && t->out_of_order == 1);
    CHECK(t && t->lost_segments == 2);
    CHECK(t && t->keepalives == 1);
}

static void test_zero_window_reset(void)
{
    tf_fresh();
    cs(100, 0, SYN, NULL, 0);
    sc(500, 101, SYN | ACK, NULL, 1000);
    cs(101, 501, ACK, NULL, 2000);
    /* the receiver advertises a zero window twice */
    tf_tcp(&fb, S, SP, C, CP, 501, 101, ACK, 0, NULL, 0);
    tf_feed(&fb, 3000);
    tf_feed(&fb, 4000);
    /* a RST with window 0 is a reset, not a zero window */
    tf_tcp(&fb, C, CP, S, SP, 101, 501, RST | ACK, 0, NULL, 0);
    tf_feed(&fb, 5000);
    const tpa_tcp_stats_t *t = stats();
    CHECK(t && t->zero_window == 2 && t->resets == 1 && t->close == TPA_TCP_CLOSE_RST);

    /* FIN then RST: rst; a new connection on the same ports (SYN with another ISN)
     * reopens it */
    tf_fresh();
    cs(100, 0, SYN, NULL, 0);
    sc(500, 101, SYN | ACK, NULL, 1000);
    cs(101, 501, ACK | FIN, NULL, 2000);
    t = NULL;
    sc(501, 102, ACK | RST, NULL, 3000);
    cs(90000, 0, SYN, NULL, 4000);
    t = stats();
    CHECK(t && t->close == TPA_TCP_CLOSE_OPEN && t->resets == 1 && t->retransmissions == 0);
}

static void test_snaplen_segments(void)
{
    tf_fresh();
    /* 1000-byte segments captured to 100 bytes: the sequence space comes from the IP
     * length, so consecutive cut segments are in order (no lost segment) */
    static char big[1001];
    memset(big, 'x', 1000);
    cs(100, 0, SYN, NULL, 0);
    sc(500, 101, SYN | ACK, NULL, 1000);
    for (int i = 0; i < 5; i++) {
        tf_tcp(&fb, C, CP, S, SP, 101 + 1000u * (unsigned)i, 501, ACK, 65535, big, 1000);
        tf_feed_cut(&fb, 2000 + i, 100);
    }
    const tpa_tcp_stats_t *t = stats();
    CHECK(t && t->lost_segments == 0 && t->retransmissions == 0 && t->out_of_order == 0);
    CHECK(tpa_decode_stats(tf_dec)->malformed == 0);
}

/* Segments in random orders: in-order data and pure ACKs take the per-segment fast
 * path, the others the full one, and the counters must follow the definitions of
 * tpa_tcp.h either way. The model restates them for client data 10 ms apart (every
 * hole filled long after the handshake RTT: a retransmission, never out of order),
 * with pure ACKs, keep-alives and zero windows mixed in. */
static void test_any_order(void)
{
    uint32_t rng = 12345;
    for (int round = 0; round < 300; round++) {
        tf_fresh();
        cs(100, 0, SYN, NULL, 0);
        sc(500, 101, SYN | ACK, NULL, 1000);
        cs(101, 501, ACK, NULL, 2000);
        uint32_t next = 101; /* the model of the client's direction */
        unsigned retr = 0, lost = 0, keep = 0, zw = 0;
        int64_t now = 2000;
        int n = 5 + round % 30;
        for (int i = 0; i < n; i++) {
            rng = rng * 1103515245u + 12345u;
            unsigned kind = (rng >> 8) % 8, at = (rng >> 16) % 24;
            uint16_t win = (rng >> 4) % 5 == 0 ? 0 : 65535;
            now += 10000;
            zw += win == 0;
            if (kind == 0) { /* the server's pure ACK */
                tf_tcp(&fb, S, SP, C, CP, 501, next, ACK, win, NULL, 0);
                tf_feed(&fb, now);
                continue;
            }
            uint32_t seq = 101 + 5 * at, len = 10;  /* overlapping halves too */
            if (kind == 1) seq = next - 1, len = 1; /* a keep-alive */
            if (kind == 2) seq = next;              /* the next in order */
            tf_tcp(&fb, C, CP, S, SP, seq, 501, ACK | PSH, win, "0123456789", len);
            tf_feed(&fb, now);
            uint32_t end = seq + len;
            if (seq == next) {
                next = end;
            } else if ((int32_t)(next - seq) < 0) {
                lost++;
                next = end;
            } else if (len <= 1 && seq == next - 1) {
                keep++;
            } else {
                retr++;
                if ((int32_t)(next - end) < 0) next = end;
            }
        }
        bool rst = round % 3 == 0;
        if (rst)
            sc(501, next, RST | ACK, NULL, now + 1000);
        else
            cs(next, 501, FIN | ACK, NULL, now + 1000);
        const tpa_tcp_stats_t *t = stats();
        CHECK(t && t->retransmissions == retr && t->lost_segments == lost);
        CHECK(t && t->keepalives == keep && t->zero_window == zw && t->out_of_order == 0);
        CHECK(t && t->resets == (rst ? 1u : 0u));
        CHECK(t && t->close == (rst ? TPA_TCP_CLOSE_RST : TPA_TCP_CLOSE_FIN));
        CHECK(t && t->syn_rtt_us == 1000 && t->ack_rtt_us == 1000);
    }
}

int main(void)
{
    test_handshake();
    test_retrans_ooo();
    test_zero_window_reset();
    test_snaplen_segments();
    test_any_order();
    tpa_decoder_destroy(&tf_dec);
    return TEST_DONE();
}
