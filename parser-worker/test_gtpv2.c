/* test_gtpv2.c - the GTPv2-C dissector (tpa_gtpv2.c) against messages written by hand
 * from 3GPP TS 29.274: Create Session request/response with each decoded IE, a Create
 * Bearer Request piggybacked on the response (P flag), causes, and malformed lengths.
 *
 * Usage: test_gtpv2 [OUT.pcap]  (OUT.pcap: also write the frames, for tshark -V)
 */
#include "test_3gpp_util.h"
#include "tpa_gtpv2.h"

#define MME "10.0.0.1"
#define SGW "10.0.0.2"

/* 7.2.1 Create Session Request, T = 1 (TEID 0), sequence 0x123456. */
static const uint8_t csr[] = {
    0x48, 0x20, 0x00, 0x67,                         /* v2, T; type 32; length 103 */
    0x00, 0x00, 0x00, 0x00, 0x12, 0x34, 0x56, 0x00, /* TEID 0, sequence, spare */
    0x01, 0x00, 0x08, 0x00,                         /* IMSI 001010123456789 */
    0x00, 0x01, 0x01, 0x21, 0x43, 0x65, 0x87, 0xf9, 0x4c, 0x00, 0x06, 0x00, 0x94,
    0x21, 0x43, 0x65, 0x87, 0x09, /* MSISDN 491234567890 */
    0x4b, 0x00, 0x08, 0x00,       /* MEI 3516820021436587 */
    0x53, 0x61, 0x28, 0x00, 0x12, 0x34, 0x56, 0x78, 0x47, 0x00, 0x0d, 0x00, 8,
    'i',  'n',  't',  'e',  'r',  'n',  'e',  't',  3,    'a',  'p',  'n', /* APN */
    0x57, 0x00, 0x09, 0x00, 0x8a,                      /* F-TEID: V4, S11 MME GTP-C */
    0xab, 0xcd, 0xef, 0x01, 10,   0,    0,    1,       /*   TEID, 10.0.0.1 */
    0x4f, 0x00, 0x05, 0x00, 0x01, 0,    0,    0,    0, /* PAA: IPv4 0.0.0.0 (to allocate) */
    0x5d, 0x00, 0x12, 0x00,                            /* Bearer Context (18) */
    0x49, 0x00, 0x01, 0x00, 0x05,                      /*   EBI 5 */
    0x57, 0x00, 0x09, 0x01, 0x84,                      /*   F-TEID instance 1: S5/S8-U SGW */
    0x00, 0x00, 0x00, 0x42, 10,   0,    0,    1,
};

/* 7.2.2 Create Session Response (P = 1: a message follows), TEID 0xabcdef01, then the
 * piggybacked 7.2.3 Create Bearer Request (sequence 7). */
static const uint8_t
    csr_rsp_piggy
        [] =
            {
                0x58, 0x21, 0x00, 0x40, /* v2, P, T; type 33; length 64 */
                0xab, 0xcd, 0xef, 0x01, 0x12, 0x34, 0x56, 0x00, 0x02,
                0x00, 0x02, 0x00, 0x10, 0x00, /* Cause 16 Request accepted */
                0x57, 0x00, 0x09, 0x00, 0x8b, /* F-TEID: S11/S4 SGW GTP-C */
                0x00, 0x00, 0x00, 0x07, 10,   0,    0,    2,    0x4f,
                0x00, 0x05, 0x00, 0x01, 10,   45,   0,    7, /* PAA 10.45.0.7 */
                0x5d, 0x00, 0x18, 0x00,                      /* Bearer Context (24) */
                0x49, 0x00, 0x01, 0x00, 0x05,                /*   EBI 5 */
                0x02, 0x00, 0x02, 0x00, 0x10, 0x00,          /*   Cause (of the bearer) */
                0x57, 0x00, 0x09, 0x00, 0x81,                /*   F-TEID: S1-U SGW */
                0x00, 0x00, 0x00, 0x08, 10,   0,    0,    2,    0x48,
                0x5f, 0x00, 0x23, /* v2, T; type 95; length 35 */
                0xab, 0xcd, 0xef, 0x01, 0x00, 0x00, 0x07, 0x00, 0x49,
                0x00, 0x01, 0x00, 0x05,       /* Linked EBI 5 */
                0x5d, 0x00, 0x12, 0x00,       /* Bearer Context (18) */
                0x49, 0x00, 0x01, 0x00, 0x00, /*   EBI 0 (to assign) */
                0x57, 0x00, 0x09, 0x00, 0x81, 0x00, 0x00, 0x00, 0x09,
                10,   0,    0,    2,
};

/* 7.2.10 Delete Session Response, Cause 64 Context Not Found. */
static const uint8_t dsr_fail[] = {
    0x48, 0x25, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x07, 0x00,
    0x00, 0x09, 0x00, 0x02, 0x00, 0x02, 0x00, 0x40, 0x00,
};

/* 7.1.1 Echo Request, T = 0, Recovery 5. */
static const uint8_t echo[] = {
    0x40, 0x01, 0x00, 0x09, 0x00, 0x00, 0x01, 0x00, 0x03, 0x00, 0x01, 0x00, 0x05,
};

/* GTPv1-C Echo Request on the same flow (TS 29.060): counted as "gtp". */
static const uint8_t v1_echo[] = {
    0x32, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00,
};

static const uint8_t ie_past_end[] = {
    0x40, 0x01, 0x00, 0x09, 0x00, 0x00, 0x02, 0x00, 0x03, 0x00, 0x05, 0x00, 0x05,
};
static const uint8_t len_too_small[] = {0x48, 0x20, 0x00, 0x02, 0x00, 0x00};
static const uint8_t msg_past_end[] = {0x40, 0x01, 0x00, 0x40, 0x00, 0x00, 0x03, 0x00};
static const uint8_t piggy_bad[] = {
    0x50, 0x01, 0x00, 0x04, 0x00, 0x00, 0x04, 0x00, /* Echo Request with P set */
    0x20, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, /* then not a GTPv2 message */
};

/* Bearer Context nested 10 deep. */
static size_t deep(uint8_t *b)
{
    const int n = 10;
    size_t inner = 5, total = inner + 4 * (size_t)n;
    uint8_t *p = b;
    *p++ = 0x48, *p++ = 0x20, *p++ = (uint8_t)((total + 8) >> 8), *p++ = (uint8_t)(total + 8);
    memset(p, 0, 4), p += 4;
    *p++ = 0, *p++ = 0, *p++ = 0x21, *p++ = 0;
    for (int i = 0; i < n; i++) {
        size_t l = inner + 4 * (size_t)(n - 1 - i);
        *p++ = 0x5d, *p++ = (uint8_t)(l >> 8), *p++ = (uint8_t)l, *p++ = 0;
    }
    *p++ = 0x49, *p++ = 0x00, *p++ = 0x01, *p++ = 0x00, *p++ = 0x05;
    return 12 + total;
}

static void test_create_session(void)
{
    start();
    udp4(MME, SGW, 2123, 2123, csr, sizeof csr);
    udp4(SGW, MME, 2123, 2123, csr_rsp_piggy, sizeof csr_rsp_piggy);
    udp4(SGW, MME, 2123, 2123, dsr_fail, sizeof dsr_fail);
    CHECK(malformed_frames() == 0);
    CHECK(count("gtpv2", "32") == 1 && count("gtpv2", "33") == 1);
    CHECK(count("gtpv2", "95") == 1 && count("gtpv2", "37") == 1);
    CHECK(nrecs == 4);

    rec_t *q = &recs[0];
    CHECK_STR(q->name, "Create Session Request");
    CHECK(q->kind == TPA_SIG_REQUEST);
    CHECK_STR(q->procedure, "Create Session");
    CHECK_STR(q->key, "seq=1193046@" MME);
    CHECK_ID(q, TPA_ID_IMSI, "001010123456789");
    CHECK_ID(q, TPA_ID_MSISDN, "491234567890");
    CHECK_ID(q, TPA_ID_IMEI, "3516820021436587");
    CHECK_ID(q, TPA_ID_DNN, "internet.apn");
    CHECK_ID(q, TPA_ID_TEID, "0xabcdef01@10.0.0.1");
    CHECK_ID(q, TPA_ID_TEID, "0x42@10.0.0.1");
    CHECK_ID(q, TPA_ID_PDU_SESSION, "5");
    CHECK(q->n_ids == 7); /* no UE IP: PAA 0.0.0.0 asks for one */
    CHECK(!q->has_cause);

    rec_t *a = &recs[1];
    CHECK(a->kind == TPA_SIG_RESPONSE);
    CHECK_STR(a->key, "seq=1193046@" MME);
    CHECK(a->outcome == TPA_SIG_OK && a->has_cause && a->cause == 16);
    CHECK_STR(a->cause_name, "Request accepted");
    CHECK_ID(a, TPA_ID_TEID, "0xabcdef01@10.0.0.1"); /* header TEID: the receiver's */
    CHECK_ID(a, TPA_ID_TEID, "0x7@10.0.0.2");
    CHECK_ID(a, TPA_ID_TEID, "0x8@10.0.0.2");
    CHECK_ID(a, TPA_ID_UE_IP, "10.45.0.7");

    rec_t *p = &recs[2]; /* the piggybacked request */
    CHECK_STR(p->name, "Create Bearer Request");
    CHECK(p->kind == TPA_SIG_REQUEST);
    CHECK_STR(p->key, "seq=7@" SGW);
    CHECK_ID(p, TPA_ID_TEID, "0x9@10.0.0.2");

    rec_t *f = &recs[3];
    CHECK(f->outcome == TPA_SIG_FAILURE && f->cause == 64);
    CHECK_STR(f->cause_name, "Context Not Found");
    CHECK_STR(f->procedure, "Delete Session");
}

static void test_echo_and_v1(void)
{
    start();
    udp4(MME, SGW, 2123, 2123, echo, sizeof echo);
    udp4(MME, SGW, 2123, 2123, v1_echo, sizeof v1_echo);
    CHECK(count("gtpv2", "1") == 1 && count("gtp", "1") == 1);
    CHECK(nrecs == 2);
    CHECK_STR(recs[0].procedure, "Echo");
    CHECK_STR(recs[0].key, "seq=1@" MME);
    CHECK_STR(recs[1].protocol, "gtp");
    CHECK_STR(recs[1].key, "seq=7@" MME);
    CHECK(malformed_frames() == 0);
}

/* GTP over TCP port 2123 (tshark decodes it; tpa_gtp_stream frames it): an Echo
 * Request and a Create Session Request in one segment, the second split over two. */
static void test_tcp(void)
{
    start();
    uint8_t b[sizeof echo + sizeof csr];
    memcpy(b, echo, sizeof echo);
    memcpy(b + sizeof echo, csr, sizeof csr);
    const uint32_t c0 = 1000, s0 = 9000;
    size_t cut = sizeof echo + 20;
    tcp4(MME, SGW, 40000, 2123, c0, 0, 0x02, NULL, 0);          /* SYN */
    tcp4(SGW, MME, 2123, 40000, s0, c0 + 1, 0x12, NULL, 0);     /* SYN/ACK */
    tcp4(MME, SGW, 40000, 2123, c0 + 1, s0 + 1, 0x10, NULL, 0); /* ACK */
    tcp4(MME, SGW, 40000, 2123, c0 + 1, s0 + 1, 0x18, b, cut);  /* echo + part */
    tcp4(MME, SGW, 40000, 2123, c0 + 1 + (uint32_t)cut, s0 + 1, 0x18, b + cut, sizeof b - cut);
    tcp4(MME, SGW, 40000, 2123, c0 + 1 + (uint32_t)sizeof b, s0 + 1, 0x11, NULL, 0); /* FIN */
    tcp4(SGW, MME, 2123, 40000, s0 + 1, c0 + 2 + (uint32_t)sizeof b, 0x11, NULL, 0);
    CHECK(count("gtpv2", "1") == 1 && count("gtpv2", "32") == 1);
    CHECK(nrecs == 2 && strcmp(recs[1].key, "seq=1193046@" MME) == 0);
    CHECK(malformed_frames() == 0);
}

static void test_malformed(void)
{
    start();
    udp4(MME, SGW, 2123, 2123, ie_past_end, sizeof ie_past_end);
    CHECK(count("gtpv2", "1") == 1 && reason(TPA_MAL_GTPV2_IE_TRUNCATED) == 1);
    udp4(MME, SGW, 2123, 2123, len_too_small, sizeof len_too_small);
    CHECK(count("gtpv2", "32") == 1 && reason(TPA_MAL_GTPV2_LEN_INVALID) == 1);
    udp4(MME, SGW, 2123, 2123, msg_past_end, sizeof msg_past_end);
    CHECK(reason(TPA_MAL_GTPV2_LEN_INVALID) == 2);
    udp4(MME, SGW, 2123, 2123, piggy_bad, sizeof piggy_bad);
    CHECK(reason(TPA_MAL_GTPV2_PIGGYBACK_INVALID) == 1);
    udp4(MME, SGW, 2123, 2123, echo, 3);
    CHECK(reason(TPA_MAL_GTPV2_TRUNCATED) == 1);
    uint8_t b[128];
    udp4(MME, SGW, 2123, 2123, b, deep(b));
    CHECK(reason(TPA_MAL_GTPV2_IE_TOO_DEEP) == 1);
    CHECK(count("gtpv2", "1") == 4 && count("gtpv2", "32") == 2); /* piggy_bad: 2 */
    CHECK(malformed_frames() == 6);

    start();
    udp4(SGW, MME, 2123, 2123, csr_rsp_piggy, sizeof csr_rsp_piggy); /* decides the app */
    for (size_t i = 1; i < sizeof csr_rsp_piggy; i++)
        udp4(SGW, MME, 2123, 2123, csr_rsp_piggy, i);
    CHECK(malformed_frames() == sizeof csr_rsp_piggy - 1);
    CHECK(count("gtpv2", "33") == sizeof csr_rsp_piggy - 3);
    CHECK(count("gtpv2", "95") == 1 + (sizeof csr_rsp_piggy - 68 - 4)); /* its header whole */
}

/* TBCD digits (IMSI, MSISDN): the eight-octets-a-step and byte-a-step paths write what
 * digit-by-digit reading writes (stop at the first non-decimal nibble, cut to the room),
 * for random values with fillers anywhere, lengths across one and two words, and every
 * buffer size. */
static size_t tbcd_ref(const uint8_t *p, size_t n, char *dst, size_t dstlen)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < 2; j++) {
            unsigned d = j ? p[i] >> 4 : p[i] & 0x0fu;
            if (d > 9 || k + 1 >= dstlen) goto done;
            dst[k++] = (char)('0' + d);
        }
done:
    dst[k] = '\0';
    return k;
}

static uint64_t tbcd_rand(uint64_t *s) /* xorshift64* */
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dULL;
}

static void test_tbcd(void)
{
    for (unsigned x = 0; x < 256 * 256; x++) { /* every pair of octets, room for all */
        uint8_t b[2] = {(uint8_t)(x >> 8), (uint8_t)x};
        char want[8], got[8];
        size_t wn = tbcd_ref(b, 2, want, sizeof want);
        tpa_rd_t r = tpa_rd_init(b, 2);
        size_t gn = tpa_3gpp_tbcd(&r, 2, got, sizeof got);
        CHECK(wn == gn && strcmp(want, got) == 0);
    }
    uint64_t rng = 0x243f6a8885a308d3ULL;
    for (int t = 0; t < 20000; t++) {
        uint8_t b[20];
        size_t n = (size_t)(tbcd_rand(&rng) % (sizeof b + 1));
        for (size_t i = 0; i < n; i++) {
            uint64_t x = tbcd_rand(&rng);
            unsigned lo = (unsigned)(x % 10), hi = (unsigned)(x >> 8) % 10;
            bool plain = t % 4 == 0; /* all decimal, but maybe a filler at the end */
            if (x >> 16 & 1 && (x >> 20) % 8 == 0 && (!plain || i + 1 == n)) hi = 0xf;
            if (x >> 24 & 1 && (x >> 28) % 16 == 0 && !plain) lo = 10 + (unsigned)(x >> 32) % 6;
            b[i] = (uint8_t)(hi << 4 | lo);
        }
        for (size_t size = 1; size <= 2 * sizeof b + 2; size++) {
            char want[48], got[48];
            size_t wn = tbcd_ref(b, n, want, size);
            tpa_rd_t r = tpa_rd_init(b, n);
            size_t gn = tpa_3gpp_tbcd(&r, n, got, size);
            CHECK(wn == gn && strcmp(want, got) == 0);
        }
    }
}

int main(int argc, char **argv)
{
    test_tbcd();
    if (argc > 1) dump_to(argv[1]);
    CHECK_STR(tpa_gtpv2_msg_name(170), "Release Access Bearers Request");
    CHECK(!tpa_gtpv2_msg_name(8));
    CHECK_STR(tpa_gtpv2_cause_name(17), "Request accepted partially");
    test_create_session();
    test_echo_and_v1();
    test_tcp();
    test_malformed();
    return finish("test_gtpv2");
}
