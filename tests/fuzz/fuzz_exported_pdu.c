/* fuzz_exported_pdu.c - frames of link type 252, Wireshark's exported PDUs
 * (parser-worker/tpa_exported_pdu.h), through the engine's per-packet decode path: the
 * TLV reader, then whatever the named protocol leads to (a dissector row on the flow
 * of the given endpoints, NAS without a flow, an IP or Ethernet packet).
 *
 * Input: byte 0 chooses how the rest is read, the rest is one or two frames.
 *   bit 6  two frames: bytes 1-2 (big-endian) are the first frame's length (cut to
 *          what there is), then the first frame, then the second one second later
 *          (an existing flow, its app decided, the stream continued)
 *   bit 7  the frames were cut by the snaplen (wire length 100 bytes longer), so
 *          running out of bytes is not malformation
 * A fresh decoder per input, finished and turned into a result document like a
 * capture's, then destroyed: nothing outlives one input. Checks: every frame is
 * counted, none as an unsupported link, malformed frames <= frames.
 */
#include "fuzz_common.h"

#define LINKTYPE_UPPER_PDU 252

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    uint8_t sel = data[0];
    const uint8_t *rest = data + 1;
    size_t n = size - 1;
    const uint8_t *fr[2] = {rest, NULL};
    size_t len[2] = {n, 0};
    int nframes = 1;
    if ((sel & 0x40) && n >= 2) {
        size_t first = (size_t)rest[0] << 8 | rest[1];
        if (first > n - 2) first = n - 2;
        fr[0] = rest + 2;
        len[0] = first;
        fr[1] = rest + 2 + first;
        len[1] = n - 2 - first;
        nframes = 2;
    }

    tpa_decoder_t *d = tpa_decoder_new();
    if (!d) return 0;
    int64_t ts = 1700000000000000LL;
    for (int i = 0; i < nframes; i++) {
        uint32_t caplen = (uint32_t)(len[i] > 262144 ? 262144 : len[i]);
        uint32_t wirelen = caplen + ((sel & 0x80) ? 100 : 0);
        tpa_decode_packet(d, LINKTYPE_UPPER_PDU, (uint64_t)i + 1, ts + i * 1000000LL, fr[i], caplen,
                          wirelen);
    }
    tpa_decode_finish(d);

    const tpa_decode_stats_t *st = tpa_decode_stats(d);
    FUZZ_CHECK(st->packets == (uint64_t)nframes);
    FUZZ_CHECK(st->unsupported_link == 0);
    FUZZ_CHECK(st->malformed <= st->packets);

    fuzz_result(d, "pcapng", "fuzz");
    tpa_decoder_destroy(&d);
    FUZZ_CHECK(d == NULL);
    return 0;
}
