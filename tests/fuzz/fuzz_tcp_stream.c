/* fuzz_tcp_stream.c - TCP stream reassembly (tpa_tcp_stream.h) on its own.
 *
 * Input: byte 0 picks the limits (bits 0-1 per-direction buffer 0 / 100 / 4 KiB /
 * 64 KiB, bits 2-3 pool 0 / 2 KiB / 64 KiB / 64 MiB), bytes 1-4 the initial sequence
 * number of both directions, then operations of 7 bytes:
 *   flags (1) bit 0 second direction, bit 1 data from the input, bit 2 captured
 *             length is half the length (snaplen), bit 7 flush instead of a segment
 *   seq   (4) sequence number offset from the ISN, big-endian (wraps freely)
 *   len   (2) segment length, big-endian, low 13 bits (at most 8191: long enough to
 *             fill the buffers in a few segments, short enough to stay fast)
 * With flags bit 1 the data comes from the input (fewer bytes if it ends); otherwise
 * byte i of a segment is h(seq + i), a function of its sequence number.
 * Checked: while every segment carried h() bytes, each delivered byte at stream
 * offset o equals h(ISN + o) (first wins cannot pick a wrong byte, and nothing is
 * delivered twice or out of place); the stream's counters match what the callback
 * saw; buffers stay within the limits and are empty after a flush, when the next
 * sequence number is the ISN plus everything delivered or reported missing.
 */
#include "fuzz_common.h"
#include "tpa_tcp_stream.h"

typedef struct sink {
    uint32_t isn;
    uint64_t pos; /* stream offset after the last byte delivered or reported missing */
    uint64_t delivered, gap_bytes, gaps;
    bool check_bytes;
} sink_t;

static uint8_t h(uint32_t q)
{
    return (uint8_t)(q ^ (q >> 8) ^ (q >> 16) ^ (q >> 24) ^ 0x5a);
}

static void on_bytes(void *ud, const uint8_t *data, size_t len, uint64_t gap)
{
    sink_t *k = ud;
    FUZZ_CHECK(len > 0 || gap > 0);
    FUZZ_CHECK((data == NULL) == (len == 0));
    k->pos += gap;
    if (gap) k->gaps++;
    k->gap_bytes += gap;
    if (k->check_bytes)
        for (size_t i = 0; i < len; i++)
            FUZZ_CHECK(data[i] == h(k->isn + (uint32_t)(k->pos + i)));
    k->pos += len;
    k->delivered += len;
}

static void check(const tpa_tcp_stream_t *s, const sink_t *k, size_t max)
{
    const tpa_tcp_stream_stats_t *st = tpa_tcp_stream_stats(s);
    FUZZ_CHECK(st->delivered == k->delivered);
    FUZZ_CHECK(st->gap_bytes == k->gap_bytes);
    FUZZ_CHECK(st->gaps == k->gaps);
    FUZZ_CHECK(tpa_tcp_stream_buffered(s) <= max);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t dir_max[4] = {0, 100, 4096, TPA_TCP_STREAM_DIR_BYTES};
    static const size_t pool_max[4] = {0, 2048, 65536, TPA_TCP_STREAM_TOTAL_BYTES};
    static uint8_t seg[8192];
    if (size < 5) return 0;
    size_t dmax = dir_max[data[0] & 3], pmax = pool_max[(data[0] >> 2) & 3];
    uint32_t isn =
        (uint32_t)data[1] << 24 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 8 | data[4];
    tpa_tcp_pool_t *pool = tpa_tcp_pool_new(pmax);
    if (!pool) return 0;
    tpa_tcp_stream_t *s[2] = {tpa_tcp_stream_new(pool, dmax, isn),
                              tpa_tcp_stream_new(pool, dmax, isn)};
    sink_t k[2] = {{isn, 0, 0, 0, 0, true}, {isn, 0, 0, 0, 0, true}};
    if (!s[0] || !s[1]) goto done;

    size_t pos = 5;
    while (size - pos >= 7) {
        const uint8_t *o = data + pos;
        pos += 7;
        int dir = o[0] & 1;
        if (o[0] & 0x80) {
            tpa_tcp_stream_flush(s[dir], on_bytes, &k[dir]);
            FUZZ_CHECK(tpa_tcp_stream_buffered(s[dir]) == 0);
            FUZZ_CHECK(tpa_tcp_stream_next_seq(s[dir]) == isn + (uint32_t)k[dir].pos);
            check(s[dir], &k[dir], dmax);
            continue;
        }
        uint32_t seq =
            isn + ((uint32_t)o[1] << 24 | (uint32_t)o[2] << 16 | (uint32_t)o[3] << 8 | o[4]);
        uint32_t len = ((uint32_t)o[5] << 8 | o[6]) & 0x1fff;
        size_t caplen = (o[0] & 4) ? len / 2 : len;
        const uint8_t *bytes = seg;
        if (o[0] & 2) {
            if (caplen > size - pos) caplen = size - pos;
            bytes = data + pos;
            pos += caplen;
            k[dir].check_bytes = false;
        } else {
            for (size_t i = 0; i < caplen; i++)
                seg[i] = h(seq + (uint32_t)i);
        }
        int rc =
            tpa_tcp_stream_add(s[dir], seq, caplen ? bytes : NULL, caplen, len, on_bytes, &k[dir]);
        FUZZ_CHECK(rc == 0);
        check(s[dir], &k[dir], dmax);
        FUZZ_CHECK(tpa_tcp_pool_used(pool) <= pmax);
    }
    for (int d = 0; d < 2; d++) {
        tpa_tcp_stream_flush(s[d], on_bytes, &k[d]);
        FUZZ_CHECK(tpa_tcp_stream_buffered(s[d]) == 0);
        check(s[d], &k[d], dmax);
    }
    FUZZ_CHECK(tpa_tcp_pool_used(pool) == 0);
done:
    tpa_tcp_stream_destroy(&s[0]);
    tpa_tcp_stream_destroy(&s[1]);
    tpa_tcp_pool_destroy(&pool);
    return 0;
}
