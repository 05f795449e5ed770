/* test_tcp_stream.c - one direction of a TCP byte stream put back in order
 * (tpa_tcp_stream.h). Each case quotes the rule it checks. */
#include <string.h>

#include "tpa_tcp_stream.h"
#include "tpa_test.h"

typedef struct rec {
    uint8_t data[4096];
    size_t n;
    int calls;
    uint64_t gaps[64]; /* gap of each call */
    size_t lens[64];   /* bytes of each call */
    const uint8_t *ptr[64];
} rec_t;

static void cb(void *ud, const uint8_t *data, size_t len, uint64_t gap)
{
    rec_t *r = ud;
    if (r->calls < 64) {
        r->gaps[r->calls] = gap;
        r->lens[r->calls] = len;
        r->ptr[r->calls] = data;
    }
    r->calls++;
    if (len && r->n + len <= sizeof r->data) {
        memcpy(r->data + r->n, data, len);
        r->n += len;
    }
}

static bool got(const rec_t *r, const char *s)
{
    return r->n == strlen(s) && memcmp(r->data, s, r->n) == 0;
}

static tpa_tcp_pool_t *pool;

static tpa_tcp_stream_t *mk(uint32_t start)
{
    return tpa_tcp_stream_new(pool, TPA_TCP_STREAM_DIR_BYTES, start);
}

static int add(tpa_tcp_stream_t *s, uint32_t seq, const char *p, rec_t *r)
{
    return tpa_tcp_stream_add(s, seq, (const uint8_t *)p, strlen(p), (uint32_t)strlen(p), cb, r);
}

static void test_in_order(void)
{
    rec_t r = {0};
    tpa_tcp_stream_t *s = mk(1000);
    static const char a[] = "abc";
    /* an in-order segment on an empty buffer is delivered from the caller's memory */
    CHECK(tpa_tcp_stream_add(s, 1000, (const uint8_t *)a, 3, 3, cb, &r) == 0);
    CHECK(r.calls == 1 && r.ptr[0] == (const uint8_t *)a && r.gaps[0] == 0);
    add(s, 1003, "def", &r);
    CHECK(got(&r, "abcdef") && r.calls == 2);
    CHECK(tpa_tcp_stream_next_seq(s) == 1006);
    CHECK(tpa_tcp_stream_buffered(s) == 0 && tpa_tcp_stream_stats(s)->delivered == 6);
    /* a zero-length segment delivers nothing */
    CHECK(tpa_tcp_stream_add(s, 1006, NULL, 0, 0, cb, &r) == 0 && r.calls == 2);
    tpa_tcp_stream_destroy(&s);
    CHECK(s == NULL);
}

static void test_out_of_order(void)
{
    rec_t r = {0};
    tpa_tcp_stream_t *s = mk(1000);
    add(s, 1006, "ghi", &r);
    add(s, 1003, "def", &r);
    CHECK(r.calls == 0 && tpa_tcp_stream_buffered(s) == 6 + 2 * TPA_TCP_STREAM_SEG_OVERHEAD);
    CHECK(tpa_tcp_pool_used(pool) == tpa_tcp_stream_buffered(s));
    add(s, 1000, "abc", &r); /* fills the hole: everything in order, no gap */
    CHECK(got(&r, "abcdefghi") && r.gaps[0] == 0 && r.gaps[1] == 0 && r.gaps[2] == 0);
    CHECK(tpa_tcp_stream_buffered(s) == 0 && tpa_tcp_pool_used(pool) == 0);
    CHECK(tpa_tcp_stream_stats(s)->ooo_bytes == 6);
    tpa_tcp_stream_destroy(&s);
}

static void test_overlap_first_wins(void)
{
    rec_t r = {0};
    tpa_tcp_stream_t *s = mk(1000);
    /* a retransmission overlapping delivered bytes: only the new part is used */
    add(s, 1000, "abcd", &r);
    add(s, 1002, "XXef", &r);
    CHECK(got(&r, "abcdef"));
    CHECK(tpa_tcp_stream_stats(s)->dup_bytes == 2);
    /* a segment overlapping a buffered one keeps the buffered bytes (first wins) and
     * fills the holes on both sides of it */
    add(s, 1010, "klmn", &r);
    add(s, 1008, "ijKLMNop", &r);
    CHECK(got(&r, "abcdef"));
    add(s, 1006, "gh", &r);
    CHECK(got(&r, "abcdefghijklmnop"));
    CHECK(tpa_tcp_stream_stats(s)->dup_bytes == 2 + 4);
    /* a whole duplicate of delivered data changes nothing */
    add(s, 1000, "zzzz", &r);
    CHECK(got(&r, "abcdefghijklmnop") && tpa_tcp_stream_stats(s)->dup_bytes == 10);
    tpa_tcp_stream_destroy(&s);
}

static void test_gap_at_cap(void)
{
    rec_t r = {0};
    /* room for two stored pieces of 10 bytes: the third forces the first hole */
    tpa_tcp_stream_t *s = tpa_tcp_stream_new(pool, 2 * (10 + TPA_TCP_STREAM_SEG_OVERHEAD), 0);
    add(s, 20, "0123456789", &r);
    add(s, 40, "ABCDEFGHIJ", &r);
    CHECK(r.calls == 0);
    add(s, 60, "abcdefghij", &r);
    /* gave up on [0, 20): reported as a 20-byte gap before the bytes at 20 */
    CHECK(r.calls == 1 && r.gaps[0] == 20 && r.lens[0] == 10 && got(&r, "0123456789"));
    CHECK(tpa_tcp_stream_stats(s)->forced == 1);
    CHECK(tpa_tcp_stream_buffered(s) == 2 * (10 + TPA_TCP_STREAM_SEG_OVERHEAD));
    /* flush: each remaining hole is a gap */
    tpa_tcp_stream_flush(s, cb, &r);
    CHECK(r.calls == 3 && r.gaps[1] == 10 && r.gaps[2] == 10);
    CHECK(got(&r, "0123456789ABCDEFGHIJabcdefghij"));
    CHECK(tpa_tcp_stream_stats(s)->gaps == 3 && tpa_tcp_stream_stats(s)->gap_bytes == 40);
    CHECK(tpa_tcp_stream_buffered(s) == 0 && tpa_tcp_stream_next_seq(s) == 70);
    /* the stream goes on after a flush */
    add(s, 70, "k", &r);
    CHECK(r.calls == 4 && r.gaps[3] == 0);
    tpa_tcp_stream_destroy(&s);

    /* a piece in the first hole that does not fit is delivered after a gap, no copy */
    memset(&r, 0, sizeof r);
    s = tpa_tcp_stream_new(pool, 10 + TPA_TCP_STREAM_SEG_OVERHEAD, 0);
    add(s, 50, "0123456789", &r);
    static const char p[] = "abcdefghij";
    tpa_tcp_stream_add(s, 20, (const uint8_t *)p, 10, 10, cb, &r);
    CHECK(r.calls == 1 && r.gaps[0] == 20 && r.ptr[0] == (const uint8_t *)p);
    tpa_tcp_stream_flush(s, cb, &r);
    CHECK(r.calls == 2 && r.gaps[1] == 20 && got(&r, "abcdefghij0123456789"));
    tpa_tcp_stream_destroy(&s);
}

static void test_pool_cap(void)
{
    rec_t r = {0};
    tpa_tcp_pool_t *small = tpa_tcp_pool_new(3 * (10 + TPA_TCP_STREAM_SEG_OVERHEAD));
    tpa_tcp_stream_t *a = tpa_tcp_stream_new(small, TPA_TCP_STREAM_DIR_BYTES, 0);
    tpa_tcp_stream_t *b = tpa_tcp_stream_new(small, TPA_TCP_STREAM_DIR_BYTES, 0);
    add(a, 10, "0123456789", &r);
    add(a, 30, "0123456789", &r);
    add(b, 10, "abcdefghij", &r);
    CHECK(r.calls == 0 && tpa_tcp_pool_used(small) == 3 * (10 + TPA_TCP_STREAM_SEG_OVERHEAD));
    /* the analysis-wide budget is full: b gives up its own first hole */
    add(b, 30, "ABCDEFGHIJ", &r);
    CHECK(r.calls == 1 && r.gaps[0] == 10 && got(&r, "abcdefghij"));
    CHECK(tpa_tcp_pool_forced(small) == 1);
    CHECK(tpa_tcp_pool_used(small) <= 3 * (10 + TPA_TCP_STREAM_SEG_OVERHEAD));
    tpa_tcp_stream_destroy(&a);
    tpa_tcp_stream_destroy(&b);
    CHECK(tpa_tcp_pool_used(small) == 0); /* destroy returns what was charged */
    tpa_tcp_pool_destroy(&small);
    CHECK(small == NULL);
}

static void test_wraparound(void)
{
    rec_t r = {0};
    /* RFC 9293 3.4: sequence numbers are modulo 2^32 */
    tpa_tcp_stream_t *s = mk(0xfffffff8u);
    add(s, 0x00000004u, "mnop", &r); /* after the wrap, arrives first */
    add(s, 0xfffffff8u, "abcdefgh", &r);
    CHECK(got(&r, "abcdefgh"));
    add(s, 0x00000000u, "ijkl", &r);
    CHECK(got(&r, "abcdefghijklmnop") && tpa_tcp_stream_next_seq(s) == 8);
    add(s, 0xfffffffcu, "XXXXXXXX", &r); /* old bytes across the wrap */
    CHECK(tpa_tcp_stream_stats(s)->dup_bytes == 8 && tpa_tcp_stream_stats(s)->delivered == 16);
    tpa_tcp_stream_destroy(&s);
}

static void test_mid_connection(void)
{
    rec_t r = {0};
    /* capture started mid-connection: the stream starts at the first sequence seen;
     * bytes before it are old */
    tpa_tcp_stream_t *s = mk(5000);
    add(s, 4990, "0123456789abcdefghij", &r);
    CHECK(got(&r, "abcdefghij") && tpa_tcp_stream_stats(s)->dup_bytes == 10);
    add(s, 4000, "old", &r);
    CHECK(got(&r, "abcdefghij") && tpa_tcp_stream_stats(s)->dup_bytes == 13);
    tpa_tcp_stream_destroy(&s);
}

static void test_snaplen(void)
{
    rec_t r = {0};
    tpa_tcp_stream_t *s = mk(0);
    /* 10 bytes on the wire, 4 captured: the missing 6 are a known gap */
    tpa_tcp_stream_add(s, 0, (const uint8_t *)"abcd", 4, 10, cb, &r);
    CHECK(r.calls == 1 && r.lens[0] == 4 && r.gaps[0] == 0);
    add(s, 10, "xyz", &r);
    CHECK(r.calls == 2 && r.gaps[1] == 6 && got(&r, "abcdxyz"));
    /* a retransmission of the missing bytes is not used (they count as received) */
    add(s, 4, "EFGHIJ", &r);
    CHECK(r.calls == 2 && tpa_tcp_stream_stats(s)->dup_bytes == 6);
    /* a cut segment buffered out of order keeps its missing tail as a gap */
    tpa_tcp_stream_add(s, 20, (const uint8_t *)"kl", 2, 5, cb, &r);
    add(s, 13, "1234567", &r);
    CHECK(r.calls == 4 && r.gaps[3] == 0 && got(&r, "abcdxyz1234567kl"));
    add(s, 25, "!", &r);
    CHECK(r.calls == 5 && r.gaps[4] == 3);
    /* flush reports a pending tail gap alone */
    tpa_tcp_stream_add(s, 26, (const uint8_t *)"", 0, 4, cb, &r);
    tpa_tcp_stream_flush(s, cb, &r);
    CHECK(r.calls == 6 && r.lens[5] == 0 && r.ptr[5] == NULL && r.gaps[5] == 4);
    tpa_tcp_stream_destroy(&s);
}

static void test_max_segs(void)
{
    rec_t r = {0};
    tpa_tcp_stream_t *s = mk(0);
    /* hostile 1-byte segments every other byte: at most TPA_TCP_STREAM_MAX_SEGS kept */
    for (uint32_t i = 0; i < TPA_TCP_STREAM_MAX_SEGS + 10; i++)
        add(s, 2 * i + 1, "x", &r);
    CHECK(tpa_tcp_stream_stats(s)->forced >= 10);
    CHECK(tpa_tcp_stream_buffered(s) <=
          TPA_TCP_STREAM_MAX_SEGS * (1 + TPA_TCP_STREAM_SEG_OVERHEAD));
    tpa_tcp_stream_flush(s, cb, &r);
    CHECK(r.n == TPA_TCP_STREAM_MAX_SEGS + 10);
    CHECK(tpa_tcp_stream_stats(s)->gap_bytes == TPA_TCP_STREAM_MAX_SEGS + 10);
    tpa_tcp_stream_destroy(&s);
    CHECK(tpa_tcp_pool_used(pool) == 0);
}

/* Records: aligned, zeroed, apart, across blocks; not charged; freed with the pool
 * (ASan and valgrind runs see any leak). */
static void test_records(void)
{
    tpa_tcp_pool_t *p = tpa_tcp_pool_new(100);
    CHECK(p != NULL);
    CHECK(tpa_tcp_pool_record(p, 0) == NULL);
    CHECK(tpa_tcp_pool_record(p, TPA_TCP_POOL_RECORD_MAX + 1) == NULL);
    unsigned char *prev = NULL;
    for (int i = 0; i < 1000; i++) { /* 1000 * 384 bytes: several blocks */
        unsigned char *r = tpa_tcp_pool_record(p, 330);
        CHECK(r != NULL && (uintptr_t)r % 64 == 0);
        bool zero = true;
        for (int k = 0; k < 330; k++)
            zero &= r[k] == 0;
        CHECK(zero);
        memset(r, 0xff, 330);
        CHECK(!prev || r >= prev + 384 || r + 384 <= prev);
        prev = r;
    }
    CHECK(tpa_tcp_pool_record(p, TPA_TCP_POOL_RECORD_MAX) != NULL);
    CHECK(tpa_tcp_pool_used(p) == 0);
    tpa_tcp_pool_destroy(&p);
    CHECK(p == NULL);
}

int main(void)
{
    pool = tpa_tcp_pool_new(TPA_TCP_STREAM_TOTAL_BYTES);
    CHECK(pool != NULL);
    test_in_order();
    test_records();
    test_out_of_order();
    test_overlap_first_wins();
    test_gap_at_cap();
    test_pool_cap();
    test_wraparound();
    test_mid_connection();
    test_snaplen();
    test_max_segs();
    CHECK(tpa_tcp_pool_used(pool) == 0);
    tpa_tcp_pool_destroy(&pool);
    return TEST_DONE();
}
