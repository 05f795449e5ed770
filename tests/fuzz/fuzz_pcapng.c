/* fuzz_pcapng.c - our pcapng reader (tpa_pcapng.h) on its own.
 *
 * The input is a pcapng file read through fmemopen. Every packet the reader hands
 * out is read whole, so a data pointer or caplen that overstates its block is
 * caught by ASan; the reader must end (each block consumes at least 12 bytes).
 */
#include "fuzz_common.h"
#include "tpa_pcapng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0; /* fmemopen refuses an empty buffer */
    FILE *fp = fmemopen((void *)data, size, "rb");
    if (!fp) return 0;
    tpa_pcapng_t *r = tpa_pcapng_new(fp);
    if (!r) {
        fclose(fp);
        return 0;
    }
    tpa_pcapng_pkt_t p;
    size_t n = 0;
    volatile unsigned sink = 0;
    while (tpa_pcapng_next(r, &p) == 1) {
        n++;
        FUZZ_CHECK(n <= size / 12 + 1);
        FUZZ_CHECK(p.caplen <= size);
        FUZZ_CHECK(p.data != NULL || p.caplen == 0);
        if (p.caplen) sink += fuzz_touch(p.data, p.caplen);
        FUZZ_CHECK(tpa_pcapng_first_linktype(r) >= 0);
    }
    FUZZ_CHECK(tpa_pcapng_next(r, &p) == 0); /* stays ended */
    (void)sink;
    tpa_pcapng_destroy(&r); /* closes fp */
    FUZZ_CHECK(r == NULL);
    return 0;
}
