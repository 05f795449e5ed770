/* test_rd.c - the bounds-checked reader never reads past its end (tpa_rd.h:
 * "A read that would go past end sets err, returns 0 ... and leaves cur unchanged;
 * once err is set, every later read fails too"). */
#include "tpa_rd.h"
#include "tpa_test.h"

int main(void)
{
    static const uint8_t b[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};
    tpa_rd_t r = tpa_rd_init(b, sizeof b);
    CHECK(tpa_rd_u8(&r) == 0x01);
    CHECK(tpa_rd_be16(&r) == 0x0203);
    CHECK(tpa_rd_be24(&r) == 0x040506);
    CHECK(tpa_rd_remaining(&r) == 3);
    CHECK(tpa_rd_be32(&r) == 0); /* 3 left: fails */
    CHECK(r.err);
    CHECK(tpa_rd_remaining(&r) == 0);
    CHECK(tpa_rd_u8(&r) == 0); /* sticky */

    r = tpa_rd_init(b, sizeof b);
    CHECK(tpa_rd_le16(&r) == 0x0201);
    CHECK(tpa_rd_le32(&r) == 0x06050403);
    CHECK(!r.err);
    r = tpa_rd_init(b, 8);
    CHECK(tpa_rd_be64(&r) == 0x0102030405060708ULL);
    CHECK(!r.err && tpa_rd_remaining(&r) == 0);

    /* sub: a child bounded to n; the parent skips n */
    r = tpa_rd_init(b, sizeof b);
    tpa_rd_t c = tpa_rd_sub(&r, 4);
    CHECK(tpa_rd_remaining(&c) == 4 && tpa_rd_remaining(&r) == 5);
    CHECK(tpa_rd_be32(&c) == 0x01020304);
    CHECK(tpa_rd_u8(&c) == 0 && c.err); /* child ends at 4 */
    CHECK(!r.err && tpa_rd_u8(&r) == 0x05);
    tpa_rd_t big = tpa_rd_sub(&r, 100);
    CHECK(big.err && r.err && tpa_rd_remaining(&big) == 0);

    /* sub_upto never fails */
    r = tpa_rd_init(b, sizeof b);
    c = tpa_rd_sub_upto(&r, 100);
    CHECK(!r.err && !c.err && tpa_rd_remaining(&c) == sizeof b && tpa_rd_remaining(&r) == 0);

    /* skip, peek, bytes, span, match, str */
    r = tpa_rd_init(b, sizeof b);
    tpa_rd_skip(&r, 9);
    CHECK(!r.err && tpa_rd_remaining(&r) == 0);
    tpa_rd_skip(&r, 1);
    CHECK(r.err);
    r = tpa_rd_init(b, sizeof b);
    CHECK(tpa_rd_peek(&r, 8) == 0x09 && !r.err);
    CHECK(tpa_rd_peek(&r, 9) == 0 && r.err);
    r = tpa_rd_init(b, sizeof b);
    uint8_t out[4] = {9, 9, 9, 9};
    tpa_rd_skip(&r, 7);
    tpa_rd_bytes(&r, out, 4);
    CHECK(r.err && out[0] == 0 && out[3] == 0);
    r = tpa_rd_init(b, sizeof b);
    CHECK(tpa_rd_span(&r, 10) == NULL && r.err);
    r = tpa_rd_init(b, sizeof b);
    CHECK(tpa_rd_match(&r, "\x01\x02", 2) && !tpa_rd_match(&r, "\x01\x03", 2));
    CHECK(!tpa_rd_match(&r, b, 10));
    static const uint8_t s[] = {'a', 'b', 'c', 0, 'd'};
    char str[3];
    r = tpa_rd_init(s, sizeof s);
    CHECK(tpa_rd_str(&r, 5, str, sizeof str) == 2 && str[0] == 'a' && str[2] == 0);
    CHECK(tpa_rd_remaining(&r) == 0);

    /* empty and NULL readers */
    r = tpa_rd_init(NULL, 0);
    CHECK(tpa_rd_remaining(&r) == 0 && tpa_rd_u8(&r) == 0 && r.err);
    /* a huge length never wraps */
    r = tpa_rd_init(b, sizeof b);
    tpa_rd_skip(&r, (size_t)-1);
    CHECK(r.err);
    return TEST_DONE();
}
