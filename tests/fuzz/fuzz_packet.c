/* fuzz_packet.c - one frame through the engine's per-packet decode path.
 *
 * Input: byte 0 chooses how the rest is read, the rest is the frame.
 *   bits 0-2  link type: 0 EN10MB, 1 LINUX_SLL, 2 LINUX_SLL2, 3 RAW, 4 NULL,
 *             5 IPV4, 6 IPV6, 7 LOOP
 *   bit 6     decode the frame a second time, one second later (existing flow,
 *             app already decided)
 *   bit 7     the frame was cut by the snaplen (wire length 100 bytes longer), so
 *             running out of bytes is not malformation
 * A fresh decoder per input (tpa_decoder_new), finished and turned into a result
 * document like a capture's, then destroyed: nothing outlives one input.
 */
#include "fuzz_common.h"
#include "tpa_result.h"

static const int dlts[8] = {FUZZ_DLT_EN10MB, FUZZ_DLT_LINUX_SLL, FUZZ_DLT_LINUX_SLL2,
                            FUZZ_DLT_RAW,    FUZZ_DLT_NULL,      FUZZ_DLT_IPV4,
                            FUZZ_DLT_IPV6,   FUZZ_DLT_LOOP};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    uint8_t sel = data[0];
    const uint8_t *frame = data + 1;
    uint32_t caplen = (uint32_t)(size - 1 > 262144 ? 262144 : size - 1);
    uint32_t wirelen = caplen + ((sel & 0x80) ? 100 : 0);
    int dlt = dlts[sel & 7];

    tpa_decoder_t *d = tpa_decoder_new();
    if (!d) return 0;
    int64_t ts = 1700000000000000LL;
    tpa_decode_packet(d, dlt, 1, ts, frame, caplen, wirelen);
    if (sel & 0x40) tpa_decode_packet(d, dlt, 2, ts + 1000000, frame, caplen, wirelen);
    tpa_decode_finish(d);

    const tpa_decode_stats_t *st = tpa_decode_stats(d);
    FUZZ_CHECK(st->packets == ((sel & 0x40) ? 2u : 1u));
    FUZZ_CHECK(st->malformed <= st->packets);

    fuzz_result(d, "pcap", "fuzz");
    tpa_decoder_destroy(&d);
    FUZZ_CHECK(d == NULL);
    return 0;
}
