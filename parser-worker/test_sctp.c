/* test_sctp.c - SCTP chunks, association events and user messages (tpa_sctp.h,
 * RFC 9260, RFC 8260), through the decoder with hand-built packets. */
#include "test_frames.h"
#include "tpa_decode_int.h" /* the analysis-wide fragment byte count */
#include "tpa_sctp.h"
#include "tpa_test.h"

enum { E = 1, B = 2, U = 4 };

static tf_buf_t pk;
static size_t ip_at;
static const char *src = "10.1.0.1", *dst = "10.1.0.2";
static unsigned sport = 40000, dport = 9999; /* no well-known port: PPIDs decide */

static void start(bool reverse)
{
    pk.n = 0;
    tf_eth_ip4(&pk, reverse ? dst : src, reverse ? src : dst, 132, 0);
    ip_at = 14;
    tf_u16(&pk, reverse ? dport : sport);
    tf_u16(&pk, reverse ? sport : dport);
    tf_u32(&pk, 0x01020304); /* verification tag */
    tf_u32(&pk, 0);          /* checksum, not verified */
}

/* A chunk: RFC 9260 3.2, length = 4 + value, then zero padding to 4 (unless nopad). */
static void chunk(unsigned type, unsigned flags, const void *v, size_t vlen, bool nopad)
{
    tf_u8(&pk, type);
    tf_u8(&pk, flags);
    tf_u16(&pk, (unsigned)(4 + vlen));
    if (vlen) tf_bytes(&pk, v, vlen);
    if (!nopad)
        while (pk.n % 4 != 2) /* frame offset 14 + 20 + 12: chunk starts at n % 4 == 2 */
            tf_u8(&pk, 0);
}

/* DATA (3.3.1): TSN, stream id, stream sequence number, PPID, user data */
static void data(unsigned flags, uint32_t tsn, unsigned sid, unsigned ssn, uint32_t ppid,
                 const char *s)
{
    uint8_t v[512];
    size_t n = strlen(s);
    v[0] = (uint8_t)(tsn >> 24), v[1] = (uint8_t)(tsn >> 16), v[2] = (uint8_t)(tsn >> 8);
    v[3] = (uint8_t)tsn;
    v[4] = (uint8_t)(sid >> 8), v[5] = (uint8_t)sid, v[6] = (uint8_t)(ssn >> 8);
    v[7] = (uint8_t)ssn;
    v[8] = (uint8_t)(ppid >> 24), v[9] = (uint8_t)(ppid >> 16), v[10] = (uint8_t)(ppid >> 8);
    v[11] = (uint8_t)ppid;
    memcpy(v + 12, s, n);
    chunk(0, flags, v, 12 + n, false);
}

/* I-DATA (RFC 8260 2.1): TSN, stream id, reserved, MID, PPID (B set) or FSN */
static void idata(unsigned flags, uint32_t tsn, unsigned sid, uint32_t mid, uint32_t ppid_fsn,
                  const char *s)
{
    uint8_t v[512];
    size_t n = strlen(s);
    memset(v, 0, 16);
    v[0] = (uint8_t)(tsn >> 24), v[1] = (uint8_t)(tsn >> 16), v[2] = (uint8_t)(tsn >> 8);
    v[3] = (uint8_t)tsn;
    v[4] = (uint8_t)(sid >> 8), v[5] = (uint8_t)sid;
    v[8] = (uint8_t)(mid >> 24), v[9] = (uint8_t)(mid >> 16), v[10] = (uint8_t)(mid >> 8);
    v[11] = (uint8_t)mid;
    v[12] = (uint8_t)(ppid_fsn >> 24), v[13] = (uint8_t)(ppid_fsn >> 16);
    v[14] = (uint8_t)(ppid_fsn >> 8), v[15] = (uint8_t)ppid_fsn;
    memcpy(v + 16, s, n);
    chunk(64, flags, v, 16 + n, false);
}

static void send_pk(int64_t dt)
{
    size_t l4 = pk.n - ip_at - 20;
    pk.b[ip_at + 2] = (uint8_t)((20 + l4) >> 8);
    pk.b[ip_at + 3] = (uint8_t)(20 + l4);
    tf_feed(&pk, dt);
}

static const uint8_t z16[16];

static const tpa_sctp_stats_t *stats(void)
{
    tpa_decode_finish(tf_dec);
    const tpa_flow_t *f = tf_one_flow(132);
    return f ? tpa_sctp_stats(f) : NULL;
}

static uint64_t reason(int r)
{
    return tpa_decode_stats(tf_dec)->reasons[r];
}

/* SCTP malformation events so far (the NGAP / S1AP dissectors the PPIDs reach may
 * object to the test payloads: that is not this test's concern). */
static uint64_t sctp_events(void)
{
    return reason(TPA_MAL_SCTP_TRUNCATED) + reason(TPA_MAL_SCTP_CHUNK_LEN_INVALID) +
           reason(TPA_MAL_SCTP_CHUNK_TRUNCATED) + reason(TPA_MAL_SCTP_DATA_EMPTY) +
           reason(TPA_MAL_SCTP_NOT_BUNDLEABLE);
}

/* The i-th tap event's bytes equal s. */
static bool ev_is(int i, const char *s)
{
    const tf_event_t *e = &tf_tap_rec.ev[i];
    return i < tf_tap_rec.nev && e->len == strlen(s) &&
           memcmp(tf_tap_rec.bytes + e->off, s, e->len) == 0;
}

static void test_association(void)
{
    tf_fresh();
    /* RFC 9260 5.1: INIT, INIT ACK, COOKIE ECHO (+ DATA bundled), COOKIE ACK */
    start(false);
    chunk(1, 0, z16, 16, false);
    send_pk(0);
    start(true);
    chunk(2, 0, z16, 16, false);
    send_pk(1000);
    start(false);
    chunk(10, 0, "cookie", 6, false); /* 10-byte chunk padded to 12 */
    data(B | E, 1, 0, 0, 60, "hello");
    send_pk(2000);
    start(true);
    chunk(11, 0, NULL, 0, false);
    uint8_t sack[12] = {0, 0, 0, 1, 0, 0, 0x10, 0, 0, 0, 0, 0};
    chunk(3, 0, sack, 12, false);
    send_pk(3000);
    /* heartbeat (3.3.5: a Heartbeat Info parameter) and its ack */
    start(false);
    chunk(4, 0, "\0\1\0\x08info", 8, false);
    send_pk(4000);
    start(true);
    chunk(5, 0, "\0\1\0\x08info", 8, false);
    send_pk(5000);
    /* 9.2: SHUTDOWN (cumulative TSN ack), SHUTDOWN ACK, SHUTDOWN COMPLETE */
    start(false);
    chunk(7, 0, "\0\0\0\1", 4, false);
    send_pk(6000);
    start(true);
    chunk(8, 0, NULL, 0, false);
    send_pk(7000);
    start(false);
    chunk(14, 0, NULL, 0, false);
    send_pk(8000);
    CHECK(tf_tap_rec.nev == 1 && ev_is(0, "hello") && tf_tap_rec.ev[0].ppid == 60);
    CHECK(tf_tap_rec.ev[0].row && strcmp(tf_tap_rec.ev[0].row, "ngap") == 0);
    const tpa_sctp_stats_t *a = stats();
    CHECK(a && a->init == 1 && a->init_ack == 1 && a->cookie_echo == 1 && a->cookie_ack == 1);
    CHECK(a && a->sack == 1 && a->heartbeat == 1 && a->heartbeat_ack == 1);
    CHECK(a && a->shutdown == 1 && a->shutdown_ack == 1 && a->shutdown_complete == 1);
    CHECK(a && a->abort == 0 && a->close == TPA_SCTP_CLOSE_SHUTDOWN);
    CHECK(a && a->data_chunks == 1 && a->messages == 1 && a->nppids == 1 && a->ppids[0] == 60);
    CHECK(sctp_events() == 0);
    const tpa_flow_t *f = tf_one_flow(132);
    CHECK(f && f->app && strcmp(tpa_dissect_app_name(f->app), "ngap") == 0);

    /* ABORT (3.3.7) ends it: close abort */
    tf_fresh();
    start(false);
    chunk(1, 0, z16, 16, false);
    send_pk(0);
    start(true);
    chunk(6, 0, NULL, 0, false);
    send_pk(1000);
    a = stats();
    CHECK(a && a->init == 1 && a->abort == 1 && a->close == TPA_SCTP_CLOSE_ABORT);
}

static void test_bundle(void)
{
    tf_fresh();
    /* 6.10: several DATA chunks and control chunks in one packet, each handed on;
     * the user data lengths (5, 6, 7) need 3, 2, 1 padding bytes */
    start(false);
    data(B | E, 10, 1, 0, 60, "first");
    chunk(3, 0, "\0\0\0\x09\0\0\x10\0\0\0\0\0", 12, false);
    data(B | E, 11, 2, 0, 60, "second");
    data(B | E, 12, 3, 0, 18, "third!!");
    send_pk(0);
    CHECK(tf_tap_rec.nev == 3 && ev_is(0, "first") && ev_is(1, "second") && ev_is(2, "third!!"));
    CHECK(tf_tap_rec.ev[1].stream == 2 && tf_tap_rec.ev[2].ppid == 18);
    /* each message goes to the row of its own PPID (18: s1ap) */
    CHECK(tf_tap_rec.ev[2].row && strcmp(tf_tap_rec.ev[2].row, "s1ap") == 0);
    /* 3.2: the padding of the last chunk may be missing at the end of the packet */
    start(false);
    data(B | E, 13, 1, 0, 60, "odd");
    pk.n -= 1;
    send_pk(1000);
    CHECK(tf_tap_rec.nev == 4 && ev_is(3, "odd"));
    /* 6.2: a whole DATA chunk received again with its TSN (a retransmission, or the
     * frame captured twice) is delivered once; a new TSN after it is delivered */
    start(false);
    data(B | E, 11, 2, 0, 60, "second");
    send_pk(2000);
    CHECK(tf_tap_rec.nev == 4);
    start(false);
    data(B | E, 14, 2, 0, 60, "fourth");
    send_pk(3000);
    CHECK(tf_tap_rec.nev == 5 && ev_is(4, "fourth"));
    const tpa_sctp_stats_t *a = stats();
    CHECK(a && a->data_chunks == 6 && a->sack == 1 && a->nppids == 2 && a->ppids[1] == 18);
    CHECK(a && a->data_retransmitted == 1);
    CHECK(sctp_events() == 0);
}

static void test_fragments(void)
{
    tf_fresh();
    /* 6.9: a user message in three DATA fragments (B, middle, E) with consecutive TSNs
     * in three packets, arriving E, B, middle */
    start(false);
    data(E, 102, 5, 7, 60, "-end");
    send_pk(0);
    start(false);
    data(B, 100, 5, 7, 60, "begin-");
    data(B, 100, 5, 7, 60, "BEGIN-"); /* the same fragment again: first wins */
    send_pk(1000);
    CHECK(tf_tap_rec.nev == 0);
    start(false);
    data(0, 101, 5, 7, 60, "middle");
    data(0, 101, 5, 7, 60, "MIDDLE"); /* retransmitted after the message was joined */
    send_pk(2000);
    CHECK(tf_tap_rec.nev == 1 && ev_is(0, "begin-middle-end") && tf_tap_rec.ev[0].stream == 5);
    CHECK(tf_tap_rec.ev[0].frame == 3); /* the frame that completed it */
    /* a fragment on another stream with the next TSN does not continue it */
    start(false);
    data(B, 200, 1, 0, 60, "a");
    data(0, 201, 2, 0, 60, "b");
    data(E, 202, 1, 0, 60, "c");
    send_pk(3000);
    CHECK(tf_tap_rec.nev == 1);
    /* RFC 8260: I-DATA fragments of two messages interleaved on one stream, by MID and
     * FSN (the B fragment carries the PPID, FSN 0) */
    start(false);
    idata(B, 300, 4, 1, 61, "m1a");
    idata(B, 301, 4, 2, 61, "m2a");
    idata(E, 302, 4, 2, 1, "m2b");
    idata(0, 303, 4, 1, 1, "m1b");
    send_pk(4000);
    CHECK(tf_tap_rec.nev == 2 && ev_is(1, "m2am2b") && tf_tap_rec.ev[1].ppid == 61);
    start(false);
    idata(E, 304, 4, 1, 2, "m1c");
    send_pk(5000);
    CHECK(tf_tap_rec.nev == 3 && ev_is(2, "m1am1bm1c"));
    const tpa_sctp_stats_t *a = stats();
    /* the stream-1/2 fragments never complete: dropped when the flow finishes */
    /* the fragments sent again (TSNs 100 and 101) are retransmissions by TSN */
    CHECK(a && a->fragmented == 3 && a->messages == 3 && a->data_retransmitted == 2);
    CHECK(a && a->fragments_dropped == 3);
    CHECK(tf_dec->sctp_bytes == 0);
    CHECK(sctp_events() == 0);
}

static void test_fragment_limits(void)
{
    tf_fresh();
    /* an endless message: fragments without E; memory stays within the limits */
    char chunk_data[201];
    memset(chunk_data, 'x', 200);
    chunk_data[200] = 0;
    for (uint32_t i = 0; i < 2 * TPA_SCTP_MAX_FRAGS; i++) {
        start(false);
        data(i == 0 ? B : 0, 1000 + i, 0, 0, 60, chunk_data);
        send_pk(i);
        CHECK(tf_dec->sctp_bytes <= TPA_SCTP_ASSOC_BYTES);
    }
    const tpa_sctp_stats_t *a = stats();
    CHECK(a && a->fragments_dropped == 2 * TPA_SCTP_MAX_FRAGS && a->messages == 0);
    CHECK(tf_dec->sctp_bytes == 0);
}

static void test_malformed(void)
{
    tf_fresh();
    /* a chunk length below 4 stops the walk */
    start(false);
    chunk(3, 0, NULL, 0, true);
    pk.b[pk.n - 1] = 2;
    send_pk(0);
    CHECK(reason(TPA_MAL_SCTP_CHUNK_LEN_INVALID) == 1);
    /* DATA shorter than its 16-byte fixed part */
    start(false);
    chunk(0, B | E, "\0\0\0\1\0\0", 6, false);
    send_pk(1000);
    CHECK(reason(TPA_MAL_SCTP_CHUNK_LEN_INVALID) == 2);
    /* SACK announcing more gap blocks than its length holds */
    start(false);
    chunk(3, 0, "\0\0\0\1\0\0\x10\0\0\x05\0\0", 12, false);
    send_pk(2000);
    CHECK(reason(TPA_MAL_SCTP_CHUNK_LEN_INVALID) == 3);
    /* 6.2: DATA without user data */
    start(false);
    data(B | E, 1, 0, 0, 60, "");
    send_pk(3000);
    CHECK(reason(TPA_MAL_SCTP_DATA_EMPTY) == 1);
    /* 6.10: INIT bundled with another chunk */
    start(false);
    data(B | E, 2, 0, 0, 60, "x");
    chunk(1, 0, z16, 16, false);
    send_pk(4000);
    CHECK(reason(TPA_MAL_SCTP_NOT_BUNDLEABLE) == 1);
    /* a chunk length past the end of the packet (not snaplen) */
    start(false);
    chunk(9, 0, "abcd", 4, false);
    pk.b[pk.n - 5] = 200;
    send_pk(5000);
    CHECK(reason(TPA_MAL_SCTP_CHUNK_TRUNCATED) == 1);
    CHECK(sctp_events() == 6);
    const tpa_sctp_stats_t *a = stats();
    /* chunks before a broken one count */
    CHECK(a && a->init == 1 && a->messages == 1);

    /* a chunk cut by snaplen: not malformed; the cut whole message is still handed on
     * (PPID 1234, ports 40000/9999: no dissector) */
    tf_fresh();
    start(false);
    data(B | E, 3, 0, 0, 1234, "abcdefgh");
    uint64_t mal = tpa_decode_stats(tf_dec)->malformed;
    size_t full = pk.n;
    size_t l4 = pk.n - ip_at - 20;
    pk.b[ip_at + 2] = (uint8_t)((20 + l4) >> 8);
    pk.b[ip_at + 3] = (uint8_t)(20 + l4);
    tf_feed_cut(&pk, 6000, full - 4);
    CHECK(tpa_decode_stats(tf_dec)->malformed == mal);
    CHECK(sctp_events() == 0 && tf_tap_rec.nev == 1 && ev_is(0, "abcd"));
}

/* The TSN de-duplication window (RFC 9260 6.2: a TSN is delivered once) as it was
 * first written, one bit per TSN: the reference the word-at-a-time decoder must
 * agree with. */
typedef struct ref_window {
    bool any;
    uint32_t hi;
    uint8_t seen[TPA_SCTP_TSN_WINDOW];
} ref_window_t;

static bool ref_seen_before(ref_window_t *w, uint32_t tsn)
{
    if (!w->any || (tsn - w->hi >= TPA_SCTP_TSN_WINDOW && (int32_t)(w->hi - tsn) < 0)) {
        memset(w->seen, 0, sizeof w->seen);
        w->any = true;
    } else if ((int32_t)(w->hi - tsn) < 0) {
        for (uint32_t t = w->hi + 1; t != tsn; t++)
            w->seen[t % TPA_SCTP_TSN_WINDOW] = 0;
    } else {
        if (w->hi - tsn >= TPA_SCTP_TSN_WINDOW || w->seen[tsn % TPA_SCTP_TSN_WINDOW]) return true;
        w->seen[tsn % TPA_SCTP_TSN_WINDOW] = 1;
        return false;
    }
    w->hi = tsn;
    w->seen[tsn % TPA_SCTP_TSN_WINDOW] = 1;
    return false;
}

/* Counts the messages handed on (the tap keeps only TF_MAX_EVENTS). */
static void count_tap(void *ud, const tpa_dissect_ctx_t *c, const tpa_rd_t *bytes, uint64_t gap)
{
    (void)c, (void)bytes, (void)gap;
    ++*(uint64_t *)ud;
}

static void test_tsn_window(void)
{
    /* in order, jumps inside one 64-TSN word, across words, across the window's end,
     * past the window, back (duplicates and TSNs skipped earlier), and the 2^32 wrap;
     * each DATA chunk is delivered exactly when the reference says it is new */
    tf_fresh();
    uint64_t taps = 0;
    tpa_decode_set_tap(tf_dec, count_tap, &taps);
    static ref_window_t ref;
    memset(&ref, 0, sizeof ref);
    uint32_t tsn = 0xfffff000u, x = 12345;
    uint64_t delivered = 0, again = 0;
    bool same = true;
    for (int i = 0; i < 1500; i++) {
        x = x * 1103515245u + 12345u;
        unsigned r = (x >> 16) % 100;
        if (r < 40)
            tsn += 1;
        else if (r < 60)
            tsn += 1 + (x >> 8) % 70;
        else if (r < 70)
            tsn += 60 + (x >> 4) % 1100;
        uint32_t send = tsn; /* a step back is sent without moving the front */
        if (r >= 75 && r < 90)
            send = tsn - (x >> 6) % 140; /* 70..74: the front again */
        else if (r >= 90)
            send = tsn - (x >> 3) % 1100;
        bool dup = ref_seen_before(&ref, send);
        uint64_t before = taps;
        start(false);
        data(B | E, send, 0, 0, 1234, "m");
        send_pk(i);
        same &= taps == before + (dup ? 0 : 1);
        if (dup)
            again++;
        else
            delivered++;
    }
    /* a TSN skipped by jumps forward at a word's first, last and middle bit, and at
     * the window's end, then received: new (its bit of a lap earlier was cleared) */
    static const uint32_t at[] = {64, 63, 100, 1023, 1024};
    uint32_t base = tsn + 5000;
    for (size_t j = 0; j < sizeof at / sizeof at[0]; j++) {
        base += 3000;
        uint32_t t = base - base % TPA_SCTP_TSN_WINDOW + at[j];
        uint32_t seq[] = {t, t + 600, t + 1200, t + 1024, t + 1024, t + 1100};
        for (size_t k = 0; k < sizeof seq / sizeof seq[0]; k++) {
            bool dup = ref_seen_before(&ref, seq[k]);
            uint64_t before = taps;
            start(false);
            data(B | E, seq[k], 0, 0, 1234, "m");
            send_pk(1500 + (int64_t)(j * 10 + k));
            same &= taps == before + (dup ? 0 : 1);
            same &= dup == (k == 4); /* only the repeat of t + 1024 */
        }
    }
    CHECK(same);
    CHECK(again >= 50 && delivered >= 50); /* both outcomes were seen */
    /* two chunks of one packet (bundled), the second a duplicate of the first */
    tf_fresh();
    start(false);
    data(B | E, 7, 0, 0, 1234, "a");
    data(B | E, 7, 0, 0, 1234, "b");
    data(B | E, 200, 0, 0, 1234, "c");
    data(B | E, 150, 0, 0, 1234, "d");
    data(B | E, 7, 0, 0, 1234, "e");
    send_pk(0);
    CHECK(tf_tap_rec.nev == 3 && ev_is(0, "a") && ev_is(1, "c") && ev_is(2, "d"));
    const tpa_sctp_stats_t *a = stats();
    CHECK(a && a->data_retransmitted == 2 && a->messages == 3);
}

int main(void)
{
    test_association();
    test_bundle();
    test_fragments();
    test_fragment_limits();
    test_tsn_window();
    test_malformed();
    tpa_decoder_destroy(&tf_dec);
    return TEST_DONE();
}
