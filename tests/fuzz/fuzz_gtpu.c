/* fuzz_gtpu.c - GTP-U (3GPP TS 29.281), the dissector table row "gtp-u"
 * (tpa_dissect_gtpu). The T-PDU it carries goes back to the decoder, so nested
 * tunnels and the inner flows' tunnel context are reached too.
 *
 * Input: byte 0 bit 0 picks an IPv6 (else IPv4) outer header, bit 1 sends the
 * datagram twice (the flow's app is then already decided); the rest is the UDP
 * payload, sent to and from port 2152 and decoded through tpa_decode_packet as a
 * raw IP frame.
 */
#include "fuzz_common.h"

static uint8_t frame[FUZZ_FRAME_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    tpa_decoder_t *d = tpa_decoder_new();
    if (!d) return 0;
    int v6 = data[0] & 1;
    fuzz_decode_udp(d, frame, v6, 2152, 2152, data + 1, size - 1, 1);
    if (data[0] & 2) fuzz_decode_udp(d, frame, v6, 2152, 2152, data + 1, size - 1, 2);
    tpa_decode_finish(d);
    size_t n = 0;
    tpa_flow_t *const *fl = tpa_flow_table_finish(tpa_decode_flows(d), &n);
    FUZZ_CHECK(n >= 1 && fl && fl[0]->id == 1); /* the outer UDP flow exists */
    for (size_t i = 1; i < n; i++)
        FUZZ_CHECK(fl[i]->has_tunnel && fl[i]->outer_flow >= 1 && fl[i]->outer_flow < fl[i]->id);
    tpa_decoder_destroy(&d);
    return 0;
}
