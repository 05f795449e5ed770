/* fuzz_reasm.c - sequences of IP fragments through the reassembler (tpa_reasm.h).
 *
 * Input: byte 0 picks the limits (bits 0-1 max bytes 4 KiB / 64 KiB / 1 MiB / 64 MiB,
 * bits 2-3 max datagrams 1 / 4 / 64 / 8192, bit 4 a 1 ms timeout instead of none),
 * then operations of 6 header bytes each:
 *   key   (1) bits 0-1 source, 2-3 identification, 4 family 4/6, 5 protocol,
 *             6 tunnel context
 *   flags (1) bit 0 more fragments, bit 1 take the data from the input, bits 4-7
 *             capture time step (0-15 x 256 us)
 *   off   (2) fragment offset in bytes, big-endian
 *   len   (2) fragment length in bytes, big-endian
 * then, with flags bit 1, len data bytes from the input (fewer if it ends), else a
 * fixed pattern. A tpa_reasm_expire or _flush op is interleaved when off == 0xffff.
 * Checked: accounting (open datagrams and buffered bytes within the limits, the
 * reassembled count), every completed datagram readable in full and at most 65535
 * bytes, a non-final fragment completes a datagram only after the final one,
 * first-wins for the bytes a datagram's first fragment brought.
 */
#include "fuzz_common.h"
#include "tpa_reasm.h"

static uint8_t pattern[TPA_REASM_MAX_LEN + 1];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    if (!pattern[1])
        for (size_t i = 0; i < sizeof pattern; i++)
            pattern[i] = (uint8_t)(i * 7 + 1);
    static const size_t max_bytes[4] = {4096, 65536, 1u << 20, 64u << 20};
    static const size_t max_dgrams[4] = {1, 4, 64, 8192};
    uint8_t cfg = data[0];
    size_t mb = max_bytes[cfg & 3];
    size_t md = max_dgrams[(cfg >> 2) & 3];
    tpa_reasm_t *r = tpa_reasm_new(mb, md, (cfg & 0x10) ? 1000 : 0);
    if (!r) return 0;

    size_t pos = 1;
    int64_t now = 1000000;
    uint64_t done = 0;
    volatile unsigned sink = 0;
    while (size - pos >= 6) {
        const uint8_t *h = data + pos;
        pos += 6;
        uint8_t ks = h[0], fl = h[1];
        uint32_t off = (uint32_t)h[2] << 8 | h[3];
        size_t len = (size_t)h[4] << 8 | h[5];
        now += (int64_t)(fl >> 4) * 256;
        if (off == 0xffff) {
            if (fl & 1)
                tpa_reasm_flush(r);
            else
                tpa_reasm_expire(r, now);
            FUZZ_CHECK(!(fl & 1) || tpa_reasm_open(r) == 0);
            continue;
        }
        const uint8_t *bytes = pattern;
        if (fl & 2) {
            size_t have = size - pos;
            if (len > have) len = have;
            bytes = data + pos;
            pos += len;
        }
        tpa_reasm_key_t k;
        memset(&k, 0, sizeof k);
        k.family = (ks & 0x10) ? 6 : 4;
        k.src[0] = 10;
        k.src[3] = (uint8_t)(ks & 3);
        k.dst[0] = 10;
        k.dst[3] = 99;
        k.id = (ks >> 2) & 3;
        k.proto = (ks & 0x20) ? 6 : 17;
        k.ctx = (ks >> 6) & 1;
        tpa_reasm_out_t out;
        bool ov = false;
        bool more = fl & 1;
        int rc = tpa_reasm_add(r, &k, now, off, more, bytes, len, (uint32_t)len + 34, &out, &ov);
        FUZZ_CHECK(rc >= TPA_REASM_NOMEM && rc <= TPA_REASM_DONE);
        if (rc == TPA_REASM_TOO_BIG) FUZZ_CHECK((uint64_t)off + len > TPA_REASM_MAX_LEN);
        if (rc == TPA_REASM_DONE) {
            done++;
            FUZZ_CHECK(out.len <= TPA_REASM_MAX_LEN);
            FUZZ_CHECK(out.len >= off + len);
            FUZZ_CHECK(!more || out.other_frames > 0); /* the final fragment came earlier */
            if (out.len) sink += fuzz_touch(out.data, out.len);
            /* first wins: bytes this fragment brought to a new datagram are its own */
            if (out.other_frames == 0 && len) FUZZ_CHECK(memcmp(out.data + off, bytes, len) == 0);
        }
        FUZZ_CHECK(tpa_reasm_open(r) <= md);
        FUZZ_CHECK(tpa_reasm_buffered(r) <= mb);
        tpa_reasm_release(r);
    }
    tpa_reasm_stats_t st;
    tpa_reasm_get_stats(r, &st);
    FUZZ_CHECK(st.reassembled == done);
    tpa_reasm_flush(r);
    FUZZ_CHECK(tpa_reasm_open(r) == 0);
    FUZZ_CHECK(tpa_reasm_buffered(r) == 0);
    (void)sink;
    tpa_reasm_destroy(&r);
    return 0;
}
