/* test_per.c - the aligned PER reader (tpa_per.h) against ITU-T X.691 (ALIGNED):
 * literal encodings worked out by hand from the clauses quoted, round trips through
 * the test writer (test_aper_enc.h) over many constraint ranges, and the refusals
 * (short input, values outside their constraint, fragmented lengths). */
#include "test_aper_enc.h"
#include "tpa_per.h"
#include "tpa_test.h"

static tpa_per_t per_over(const uint8_t *b, size_t n)
{
    tpa_rd_t rd = tpa_rd_init(b, n);
    tpa_per_t p;
    tpa_per_init(&p, &rd);
    return p;
}

static tpa_per_t per_enc(const enc_t *e)
{
    return per_over(e->buf, enc_bytes(e));
}

/* 10.5.7: each range form, with a 3-bit marker before (so alignment matters) and a
 * 5-bit marker after (so the width read is exact). */
static void round_trip_int(uint64_t lb, uint64_t ub, uint64_t v)
{
    enc_t e;
    enc_init(&e);
    enc_bits(&e, 5, 3);
    enc_int(&e, v, lb, ub);
    enc_bits(&e, 0x15, 5);
    tpa_per_t p = per_enc(&e);
    CHECK(tpa_per_bits(&p, 3) == 5);
    uint64_t got = tpa_per_int(&p, lb, ub);
    CHECKF(got == v, "int(%llu..%llu) %llu read %llu", (unsigned long long)lb,
           (unsigned long long)ub, (unsigned long long)v, (unsigned long long)got);
    CHECKF(tpa_per_bits(&p, 5) == 0x15, "marker after int(%llu..%llu)", (unsigned long long)lb,
           (unsigned long long)ub);
    CHECK(tpa_per_ok(&p));
}

static void test_literals(void)
{
    /* 10.5.7.1 range 3 (criticality): 2 bits; 10.5.7.2 range 256: one aligned octet.
     * NGAP InitiatingMessage of procedure 15, criticality ignore: 00 0f 40 */
    static const uint8_t pdu[] = {0x00, 0x0f, 0x40, 0x03, 0xaa, 0xbb, 0xcc, 0x99};
    tpa_per_t p = per_over(pdu, sizeof pdu);
    CHECK(tpa_per_index(&p, 3, true) == 0); /* ext bit 0, index 00 */
    CHECK(tpa_per_int(&p, 0, 255) == 15);   /* aligned octet */
    CHECK(tpa_per_int(&p, 0, 2) == 1);      /* 2 bits: 01 */
    tpa_rd_t ot;
    CHECK(tpa_per_open_type(&p, &ot)); /* aligned length 3 */
    CHECK(tpa_rd_remaining(&ot) == 3 && tpa_rd_u8(&ot) == 0xaa);
    CHECK(tpa_per_remaining_octets(&p) == 1);

    /* 10.5.7.3 range 65536 (ProtocolIE-ID 85): two aligned octets 00 55 */
    static const uint8_t id[] = {0x80, 0x00, 0x55};
    p = per_over(id, sizeof id);
    CHECK(tpa_per_bit(&p));
    CHECK(tpa_per_int(&p, 0, 65535) == 85);

    /* 10.5.7.4 RAN-UE-NGAP-ID (0..2^32-1) = 1: length 1..4 in 2 bits (00), aligned 01 */
    static const uint8_t ran[] = {0x00, 0x01};
    p = per_over(ran, sizeof ran);
    CHECK(tpa_per_int(&p, 0, 4294967295ULL) == 1 && tpa_per_ok(&p));
    /* AMF-UE-NGAP-ID (0..2^40-1) = 0x0102: length 1..5 in 3 bits (001), aligned 01 02 */
    static const uint8_t amf[] = {0x20, 0x01, 0x02};
    p = per_over(amf, sizeof amf);
    CHECK(tpa_per_int(&p, 0, 1099511627775ULL) == 0x0102 && tpa_per_ok(&p));
    /* ENB-UE-S1AP-ID (0..2^24-1) = 0x0a0b0c: length 3 -> 2 bits (10), 0a 0b 0c */
    static const uint8_t enb[] = {0x80, 0x0a, 0x0b, 0x0c};
    p = per_over(enb, sizeof enb);
    CHECK(tpa_per_int(&p, 0, 16777215) == 0x0a0b0c && tpa_per_ok(&p));

    /* 11.9.3.6/7 unconstrained lengths: 127 in one octet, 128 and 16383 in two */
    static const uint8_t l1[] = {0x7f}, l2[] = {0x80, 0x80}, l3[] = {0xbf, 0xff};
    p = per_over(l1, 1);
    CHECK(tpa_per_length(&p) == 127);
    p = per_over(l2, 2);
    CHECK(tpa_per_length(&p) == 128);
    p = per_over(l3, 2);
    CHECK(tpa_per_length(&p) == 16383 && tpa_per_ok(&p));
    /* 11.9.3.8 fragmented form (16K blocks): refused, sticky */
    static const uint8_t frag[] = {0xc1, 0x00, 0x00};
    p = per_over(frag, sizeof frag);
    CHECK(tpa_per_length(&p) == 0 && p.err == TPA_PER_FRAGMENTED);
    CHECK(tpa_per_bits(&p, 8) == 0 && p.err == TPA_PER_FRAGMENTED);

    /* 17.6 OCTET STRING (SIZE(1)) is a bit-field, not aligned; 17.7 SIZE(3) aligned.
     * S-NSSAI {ext 0, opt 10, sST 01, sD 0a0b0c}: 0 10 00000001 pad | 0a 0b 0c */
    static const uint8_t snssai[] = {0x40, 0x20, 0x0a, 0x0b, 0x0c};
    p = per_over(snssai, sizeof snssai);
    CHECK(!tpa_per_bit(&p));
    CHECK(tpa_per_bits(&p, 2) == 2);
    CHECK(tpa_per_bits(&p, 8) == 1); /* sST read in place */
    tpa_rd_t sd;
    CHECK(tpa_per_octets(&p, 3, 3, false, &sd));
    CHECK(tpa_rd_remaining(&sd) == 3 && tpa_rd_be24(&sd) == 0x0a0b0c);
    CHECK(tpa_per_remaining_octets(&p) == 0 && tpa_per_ok(&p));
}

static void test_ranges(void)
{
    static const struct {
        uint64_t lb, ub;
    } r[] = {{0, 1},
             {0, 2},
             {0, 7},
             {0, 15},
             {3, 9},
             {0, 254},
             {0, 255},
             {1, 256},
             {0, 256},
             {0, 65535},
             {1, 65535},
             {0, 65536},
             {0, 16777215},
             {0, 4294967295ULL},
             {0, 1099511627775ULL},
             {0, 10000000000ULL},
             {10000000001ULL, 4000000000000ULL}};
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
        uint64_t span = r[i].ub - r[i].lb;
        round_trip_int(r[i].lb, r[i].ub, r[i].lb);
        round_trip_int(r[i].lb, r[i].ub, r[i].ub);
        round_trip_int(r[i].lb, r[i].ub, r[i].lb + span / 2);
        if (span > 300) round_trip_int(r[i].lb, r[i].ub, r[i].lb + 256);
    }
    /* range 1: no bits at all */
    enc_t e;
    enc_init(&e);
    enc_bits(&e, 1, 1);
    tpa_per_t p = per_enc(&e);
    CHECK(tpa_per_int(&p, 7, 7) == 7);
    CHECK(tpa_per_bit(&p));
}

static void test_extensions(void)
{
    enc_t e;
    enc_init(&e);
    /* ENUMERATED {a, b, c, ...} root value c: ext 0 + 2 bits */
    enc_bits(&e, 0, 1);
    enc_int(&e, 2, 0, 2);
    /* the same enumeration, second extension value: ext 1 + normally small 1 */
    enc_bits(&e, 1, 1);
    enc_small(&e, 1);
    /* a normally small number >= 64 (10.6.2) */
    enc_small(&e, 300);
    /* INTEGER (0..15, ...) extended to 300: ext 1, length 2, 01 2c */
    enc_bits(&e, 1, 1);
    enc_len(&e, 2);
    enc_bits(&e, 300, 16);
    /* INTEGER (0..15, ...) in the root */
    enc_bits(&e, 0, 1);
    enc_int(&e, 9, 0, 15);
    /* SEQUENCE extension additions: bitmap of 3 (n-1 = 2), additions 1 and 3 present */
    enc_small(&e, 2);
    enc_bits(&e, 5, 3);
    enc_t a1, a2;
    enc_init(&a1);
    enc_bits(&a1, 0xdead, 16);
    enc_init(&a2);
    enc_bits(&a2, 0x1, 3);
    enc_open(&e, &a1);
    enc_open(&e, &a2);
    /* SIZE(1..256) count of 3 (one aligned octet: 02), SIZE(1..4) count 2 (2 bits: 01) */
    enc_int(&e, 3, 1, 256);
    enc_int(&e, 2, 1, 4);
    /* BIT STRING (SIZE(1..160, ...)) of 32 bits: ext 0, count-1 = 31 in 8 bits, aligned */
    enc_bits(&e, 0, 1);
    enc_int(&e, 32, 1, 160);
    enc_align(&e);
    enc_bits(&e, 0x0a000001, 32);
    enc_bits(&e, 0x3, 2); /* marker */

    tpa_per_t p = per_enc(&e);
    CHECK(tpa_per_index(&p, 3, true) == 2);
    CHECK(tpa_per_index(&p, 3, true) == 4);
    CHECK(tpa_per_small(&p) == 300);
    bool ext = false;
    CHECK(tpa_per_int_ext(&p, 0, 15, &ext) == 300 && ext);
    CHECK(tpa_per_int_ext(&p, 0, 15, &ext) == 9 && !ext);
    tpa_per_skip_seq_extensions(&p);
    CHECK(tpa_per_ok(&p));
    CHECK(tpa_per_size(&p, 1, 256, false) == 3);
    CHECK(tpa_per_size(&p, 1, 4, false) == 2);
    CHECK(tpa_per_skip_bitstring(&p, 1, 160, true) == 32);
    CHECK(tpa_per_bits(&p, 2) == 3);
    CHECK(tpa_per_ok(&p));
}

static void test_containers(void)
{
    /* ProtocolExtensionContainer of two fields, then a marker */
    enc_t e, v;
    enc_init(&e);
    enc_init(&v);
    enc_bits(&v, 0xab, 8);
    enc_int(&e, 2, 1, 65535);
    enc_ie(&e, 300, 1, &v);
    enc_ie(&e, 7, 2, &v);
    enc_bits(&e, 0x5a, 8);
    tpa_per_t p = per_enc(&e);
    tpa_per_skip_ext_container(&p);
    CHECK(tpa_per_bits(&p, 8) == 0x5a && tpa_per_ok(&p));

    /* one ProtocolIE-Field read whole */
    enc_init(&e);
    enc_ie(&e, 85, 1, &v);
    p = per_enc(&e);
    uint16_t id = 0;
    unsigned crit = 9;
    tpa_rd_t val;
    CHECK(tpa_per_ie_field(&p, &id, &crit, &val));
    CHECK(id == 85 && crit == 1 && tpa_rd_remaining(&val) == 1 && tpa_rd_u8(&val) == 0xab);
}

static void test_errors(void)
{
    /* 10.5.7.1: range 6 in 3 bits; 7 is outside the constraint */
    static const uint8_t bad[] = {0xe0};
    tpa_per_t p = per_over(bad, 1);
    CHECK(tpa_per_int(&p, 0, 5) == 0 && p.err == TPA_PER_INVALID);
    /* criticality 3 (range 3) */
    static const uint8_t crit3[] = {0xc0};
    p = per_over(crit3, 1);
    (void)tpa_per_int(&p, 0, 2);
    CHECK(p.err == TPA_PER_INVALID);
    /* short: a two-octet field with one octet, an open type longer than its input */
    static const uint8_t one[] = {0x01};
    p = per_over(one, 1);
    CHECK(tpa_per_int(&p, 0, 65535) == 0 && p.err == TPA_PER_SHORT);
    static const uint8_t ot[] = {0x05, 0x01, 0x02};
    p = per_over(ot, sizeof ot);
    tpa_rd_t out;
    CHECK(!tpa_per_open_type(&p, &out) && p.err == TPA_PER_SHORT);
    CHECK(out.err && tpa_rd_remaining(&out) == 0);
    /* ... or what is left of it, marked short */
    p = per_over(ot, sizeof ot);
    bool cut = false;
    CHECK(tpa_per_open_type_upto(&p, &out, &cut) && cut && p.err == TPA_PER_SHORT);
    CHECK(!out.err && tpa_rd_remaining(&out) == 2 && tpa_rd_u8(&out) == 0x01);
    static const uint8_t ot2[] = {0x01, 0x07, 0x08};
    p = per_over(ot2, sizeof ot2);
    CHECK(tpa_per_open_type_upto(&p, &out, &cut) && !cut && tpa_per_ok(&p));
    CHECK(tpa_rd_remaining(&out) == 1 && tpa_per_remaining_octets(&p) == 1);
    /* the first error wins */
    p = per_over(ot, sizeof ot);
    (void)tpa_per_open_type(&p, &out);
    tpa_per_fail(&p, TPA_PER_INVALID);
    CHECK(p.err == TPA_PER_SHORT);
    /* SIZE(2..MAX): an unconstrained length below the lower bound */
    static const uint8_t low[] = {0x01};
    p = per_over(low, 1);
    CHECK(tpa_per_size(&p, 2, 0, false) == 0 && p.err == TPA_PER_INVALID);
    /* empty input */
    p = per_over(NULL, 0);
    CHECK(!tpa_per_bit(&p) && p.err == TPA_PER_SHORT);
    /* skip_bits past the end */
    static const uint8_t two[] = {0xff, 0xff};
    p = per_over(two, 2);
    tpa_per_skip_bits(&p, 17);
    CHECK(p.err == TPA_PER_SHORT);
    p = per_over(two, 2);
    tpa_per_skip_bits(&p, 3);
    tpa_per_skip_bits(&p, 13);
    CHECK(tpa_per_ok(&p) && tpa_per_remaining_octets(&p) == 0);
}

/* tpa_per_bits() reads 1..8 bits within an octet on a short path: every width 0..32
 * from every bit offset, up to and past the end, against the bits taken from the bytes
 * (X.691 8.6: most significant bit first). */
static void test_bit_widths(void)
{
    static const uint8_t b[6] = {0xa5, 0x3c, 0xf0, 0x0f, 0x96, 0x69};
    bool same = true;
    for (unsigned off = 0; off < 8; off++) {
        for (unsigned n = 0; n <= 32; n++) {
            for (size_t len = 1; len <= sizeof b; len++) {
                tpa_per_t p = per_over(b, len);
                (void)tpa_per_bits(&p, off);
                uint32_t got = tpa_per_bits(&p, n);
                uint32_t want = 0;
                bool fits = off + n <= 8 * len;
                for (unsigned i = off; i < off + n && fits; i++)
                    want = want << 1 | ((b[i / 8] >> (7 - i % 8)) & 1u);
                same &= got == (fits ? want : 0);
                same &= p.err == (fits ? TPA_PER_OK : TPA_PER_SHORT);
                /* the reader goes on from the same place */
                same &= !fits || tpa_per_remaining_octets(&p) == len - (off + n + 7) / 8;
                same &= !fits || p.nbits == (8 - (off + n) % 8) % 8;
            }
        }
    }
    CHECK(same);
    /* after an error every read is 0, the short path included */
    tpa_per_t p = per_over(b, 1);
    (void)tpa_per_bits(&p, 9);
    CHECK(p.err == TPA_PER_SHORT && tpa_per_bits(&p, 1) == 0 && tpa_per_bits(&p, 0) == 0);
    /* zero bits never load an octet */
    p = per_over(b, 0);
    CHECK(tpa_per_bits(&p, 0) == 0 && tpa_per_ok(&p));
}

int main(void)
{
    test_literals();
    test_ranges();
    test_extensions();
    test_containers();
    test_errors();
    test_bit_widths();
    return TEST_DONE();
}
