/* test_reasm.c - fragment reassembly: any order, first wins on overlap, bounded
 * memory (tpa_reasm.h). */
#include <string.h>

#include "tpa_reasm.h"
#include "tpa_test.h"

static tpa_reasm_key_t key(uint32_t id)
{
    tpa_reasm_key_t k;
    memset(&k, 0, sizeof k);
    k.src[0] = 10;
    k.dst[0] = 11;
    k.id = id;
    k.family = 4;
    k.proto = 17;
    return k;
}

int main(void)
{
    uint8_t data[3000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)i;
    tpa_reasm_t *r = tpa_reasm_new(1 << 20, 16, 30 * 1000000LL);
    tpa_reasm_out_t o;
    bool ov;
    tpa_reasm_key_t k = key(1);

    /* out of order: last, first, middle */
    CHECK(tpa_reasm_add(r, &k, 1, 2000, false, data + 2000, 1000, 1042, &o, &ov) == TPA_REASM_HELD);
    CHECK(tpa_reasm_add(r, &k, 2, 0, true, data, 1000, 1042, &o, &ov) == TPA_REASM_HELD);
    CHECK(tpa_reasm_open(r) == 1);
    CHECK(tpa_reasm_add(r, &k, 3, 1000, true, data + 1000, 1000, 1042, &o, &ov) == TPA_REASM_DONE);
    CHECK(o.len == 3000 && memcmp(o.data, data, 3000) == 0);
    CHECK(o.other_frames == 2 && o.other_bytes == 2084 && o.first_us == 1);
    CHECK(!ov && tpa_reasm_open(r) == 0);
    tpa_reasm_release(r);

    /* overlap: first wins */
    uint8_t other[1000];
    memset(other, 0xee, sizeof other);
    k = key(2);
    CHECK(tpa_reasm_add(r, &k, 1, 0, true, data, 1000, 1, &o, &ov) == TPA_REASM_HELD && !ov);
    CHECK(tpa_reasm_add(r, &k, 2, 500, false, other, 1000, 1, &o, &ov) == TPA_REASM_DONE && ov);
    CHECK(o.len == 1500 && memcmp(o.data, data, 1000) == 0 && o.data[1000] == 0xee);
    tpa_reasm_release(r);

    /* a fragment past 65535 is rejected; contradicting the total is too */
    k = key(3);
    CHECK(tpa_reasm_add(r, &k, 1, 65528, true, data, 100, 1, &o, &ov) == TPA_REASM_TOO_BIG);
    CHECK(tpa_reasm_add(r, &k, 1, 1000, false, data, 100, 1, &o, &ov) == TPA_REASM_HELD);
    CHECK(tpa_reasm_add(r, &k, 1, 2000, true, data, 100, 1, &o, &ov) == TPA_REASM_INCONSISTENT);

    /* limits: at most 16 open datagrams, oldest dropped */
    for (uint32_t i = 100; i < 140; i++) {
        tpa_reasm_key_t ki = key(i);
        tpa_reasm_add(r, &ki, 10, 0, true, data, 100, 142, &o, &ov);
    }
    CHECK(tpa_reasm_open(r) <= 16);
    tpa_reasm_stats_t st;
    tpa_reasm_get_stats(r, &st);
    CHECK(st.dropped >= 24 && st.dropped_frames >= 24);
    /* timeout: 30 s of capture time */
    tpa_reasm_expire(r, 31 * 1000000LL + 10);
    CHECK(tpa_reasm_open(r) == 0 && tpa_reasm_buffered(r) == 0);
    tpa_reasm_destroy(&r);

    /* byte budget: 8 KiB holds only a few datagrams */
    r = tpa_reasm_new(8192, 1000, 0);
    for (uint32_t i = 0; i < 50; i++) {
        tpa_reasm_key_t ki = key(i);
        tpa_reasm_add(r, &ki, 10, 0, true, data, 1000, 1042, &o, &ov);
        CHECK(tpa_reasm_buffered(r) <= 8192);
    }
    CHECK(tpa_reasm_open(r) < 50);
    tpa_reasm_flush(r);
    CHECK(tpa_reasm_open(r) == 0);
    tpa_reasm_destroy(&r);
    CHECK(r == NULL);

    /* reuse: a datagram that grew to 4 KiB goes back to the pool; the next one is
     * charged what it needs (2 KiB for 1000 bytes), not the buffer it inherits, and
     * its bytes are its own */
    r = tpa_reasm_new(1 << 20, 16, 0);
    for (int round = 0; round < 3; round++) {
        k = key(200 + (uint32_t)round);
        CHECK(tpa_reasm_add(r, &k, 1, 0, true, data, 1500, 1, &o, &ov) == TPA_REASM_HELD);
        CHECK(tpa_reasm_add(r, &k, 2, 1500, true, data + 1500, 1500, 1, &o, &ov) == TPA_REASM_HELD);
        CHECK(tpa_reasm_buffered(r) == 4096);
        CHECK(tpa_reasm_add(r, &k, 3, 3000, false, other, 8, 1, &o, &ov) == TPA_REASM_DONE);
        CHECK(o.len == 3008 && memcmp(o.data, data, 3000) == 0 && o.data[3000] == 0xee);
        tpa_reasm_release(r);
        CHECK(tpa_reasm_buffered(r) == 0);
        k = key(300 + (uint32_t)round);
        CHECK(tpa_reasm_add(r, &k, 4, 0, true, other, 1000, 1, &o, &ov) == TPA_REASM_HELD);
        CHECK(tpa_reasm_buffered(r) == 2048 && tpa_reasm_open(r) == 1);
        CHECK(tpa_reasm_add(r, &k, 5, 1000, false, data, 500, 1, &o, &ov) == TPA_REASM_DONE);
        CHECK(o.len == 1500 && memcmp(o.data, other, 1000) == 0 &&
              memcmp(o.data + 1000, data, 500) == 0 && o.other_frames == 1);
        tpa_reasm_release(r);
    }
    tpa_reasm_destroy(&r);
    return TEST_DONE();
}
