/* fuzz_sctp.c - SCTP packets (tpa_sctp.h): chunk walking, association events and
 * user-message reassembly from DATA / I-DATA fragments, through the decoder.
 *
 * Input: byte 0 = flags, then packets, each a 2-byte big-endian length and that many
 * bytes of chunks (the last one takes what is left if shorter); the engine sees
 * them behind a 12-byte common header between fixed ports.
 *   bit 0     IPv6 (else IPv4)
 *   bits 1-2  server port: 38412 (NGAP), 36412 (S1AP), 3868 (Diameter), 5060 (SIP),
 *             so messages whose PPID names no row go to that row's dissector
 *   bit 3     every packet goes client -> server (else they alternate)
 *   bit 4     the frames were cut by the snaplen (wire length 64 bytes longer)
 * Checked: the association is flow 1 with its SCTP counters consistent (no more
 * messages than DATA chunks, no more reassembled messages than messages); the
 * result document builds.
 */
#include "fuzz_common.h"
#include "tpa_result.h"
#include "tpa_sctp.h"

static uint8_t frame[FUZZ_FRAME_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint16_t ports[4] = {38412, 36412, 3868, 5060};
    if (size < 1) return 0;
    uint8_t fl = data[0];
    tpa_decoder_t *d = tpa_decoder_new();
    if (!d) return 0;
    uint16_t port[2] = {40000, ports[(fl >> 1) & 3]};
    size_t pos = 1;
    uint64_t nframe = 0;
    for (int m = 0; m < 256 && size - pos >= 2; m++) {
        size_t n = (size_t)data[pos] << 8 | data[pos + 1];
        pos += 2;
        if (n > size - pos) n = size - pos;
        int dir = (fl & 0x08) ? 0 : (m & 1);
        uint8_t h[12] = {(uint8_t)(port[dir] >> 8),
                         (uint8_t)port[dir],
                         (uint8_t)(port[!dir] >> 8),
                         (uint8_t)port[!dir],
                         0x5c,
                         0xa1,
                         0xab,
                         (uint8_t)(0x1e + dir)};
        size_t len = fuzz_ip_frame(frame, fl & 1, dir, 132, h, sizeof h, data + pos, n);
        pos += n;
        nframe++;
        tpa_decode_packet(d, FUZZ_DLT_RAW, nframe, 1700000000000000LL + (int64_t)nframe * 1000,
                          frame, (uint32_t)len, (uint32_t)len + ((fl & 0x10) ? 64 : 0));
    }
    tpa_decode_finish(d);

    fuzz_result(d, "pcap", "RAW");
    size_t nf = 0;
    tpa_flow_t *const *f = tpa_flow_table_finish(tpa_decode_flows(d), &nf);
    if (nframe) {
        FUZZ_CHECK(nf >= 1 && f && f[0]->id == 1 && f[0]->key.proto == 132);
        const tpa_sctp_stats_t *st = tpa_sctp_stats(f[0]);
        if (st) {
            FUZZ_CHECK(st->messages <= st->data_chunks);
            FUZZ_CHECK(st->fragmented <= st->messages);
            FUZZ_CHECK(st->nppids <= TPA_SCTP_PPIDS);
        }
    }
    tpa_decoder_destroy(&d);
    return 0;
}
