/* fuzz_row.h - the body of a dissector-row target: a conversation of messages on
 * the row's transport and port (or SCTP PPID), decoded through tpa_decode_packet.
 *
 * A target file defines FUZZ_ROW (the row's name in tpa_dissect_table(), e.g.
 * "gtp-u") and includes this header. Going through the decoder rather than calling
 * the dissect function keeps the targets valid whatever the row's function is, and
 * covers detection, flow state and what the dissector hands back to the decoder.
 *
 * Input: byte 0 = flags, then messages, each a 2-byte big-endian length and that
 * many bytes (the last one takes what is left if shorter).
 *   bit 0     IPv6 (else IPv4)
 *   bits 1-2  transport: the n-th (mod count) of the row's transports, in the order
 *             UDP, TCP, SCTP
 *   bit 3     TCP: no handshake (the capture starts mid-conversation)
 *   bit 4     the client uses the server port too (else port 40000)
 *   bit 5     every message goes client -> server (else they alternate, client first)
 * TCP segments carry consecutive sequence numbers per direction after a
 * SYN / SYN-ACK / ACK handshake and end with FIN from both sides; SCTP messages are one
 * DATA chunk each (the row's first PPID, stream 1, consecutive TSNs). A row with no
 * port uses 40001 as the server port (its probe decides).
 * Checked: the conversation is flow 1, detected as the row when the row has a port or
 * PPID and no probe; every other flow is inside a tunnel that began earlier.
 */
#ifndef TPA_FUZZ_ROW_H
#define TPA_FUZZ_ROW_H

#include "fuzz_common.h"
#include "tpa_dissect.h"
#include "tpa_result.h"

#ifndef FUZZ_ROW
#error "define FUZZ_ROW to a dissector table row name before including fuzz_row.h"
#endif

#define FUZZ_ROW_MAX_MSGS 256

typedef struct fuzz_conv {
    tpa_decoder_t *d;
    int v6;
    uint8_t transport;
    uint16_t port[2]; /* client, server */
    uint32_t ppid;
    uint32_t seq[2], tsn[2];
    uint64_t frame;
} fuzz_conv_t;

static uint8_t fuzz_row_buf[FUZZ_FRAME_MAX];

static const tpa_dissector_t *fuzz_row_find(unsigned *idx)
{
    unsigned n = 0;
    const tpa_dissector_t *t = tpa_dissect_table(&n);
    for (unsigned i = 0; i < n; i++) {
        if (strcmp(t[i].name, FUZZ_ROW) == 0) {
            *idx = i;
            return &t[i];
        }
    }
    return NULL;
}

static void fuzz_put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void fuzz_put32(uint8_t *p, uint32_t v)
{
    fuzz_put16(p, v >> 16);
    fuzz_put16(p + 2, v & 0xffff);
}

/* One packet from side dir (0 client, 1 server). */
static void fuzz_send(fuzz_conv_t *c, int dir, uint8_t tcp_flags, const uint8_t *pl, size_t n)
{
    uint8_t h[28];
    size_t hl = 0;
    uint8_t proto = 17;
    memset(h, 0, sizeof h);
    fuzz_put16(h, c->port[dir]);
    fuzz_put16(h + 2, c->port[!dir]);
    if (c->transport == TPA_T_UDP) {
        hl = 8;
    } else if (c->transport == TPA_T_TCP) {
        proto = 6;
        hl = 20;
        fuzz_put32(h + 4, c->seq[dir]);
        fuzz_put32(h + 8, (tcp_flags & 0x10) ? c->seq[!dir] : 0);
        h[12] = 5 << 4;
        h[13] = tcp_flags;
        fuzz_put16(h + 14, 65535);
        if (n > 65535 - 60 - hl) n = 65535 - 60 - hl;
        c->seq[dir] += (uint32_t)n + ((tcp_flags & 0x03) ? 1 : 0); /* SYN, FIN count one */
    } else {
        proto = 132;
        hl = 28;
        if (n > 65535 - 60 - hl) n = 65535 - 60 - hl;
        fuzz_put32(h + 4, 0x5ca1ab1e);
        h[12] = 0; /* DATA */
        h[13] = 3; /* B, E: unfragmented */
        fuzz_put16(h + 14, (uint32_t)(16 + n));
        fuzz_put32(h + 16, c->tsn[dir]++);
        fuzz_put16(h + 20, 1); /* stream */
        fuzz_put32(h + 24, c->ppid);
    }
    size_t len = fuzz_ip_frame(fuzz_row_buf, c->v6, dir, proto, h, hl, pl, n);
    if (c->transport == TPA_T_SCTP) {
        static const uint8_t zero[3];
        size_t pad = (4 - (n & 3)) & 3;
        if (pad && len + pad <= 65535) { /* chunk padding, not counted in its length */
            memcpy(fuzz_row_buf + len, zero, pad);
            len += pad;
            size_t ipl = len - (c->v6 ? 40 : 0);
            fuzz_put16(fuzz_row_buf + (c->v6 ? 4 : 2), (uint32_t)ipl);
        }
    }
    c->frame++;
    tpa_decode_packet(c->d, FUZZ_DLT_RAW, c->frame, 1700000000000000LL + (int64_t)c->frame * 1000,
                      fuzz_row_buf, (uint32_t)len, (uint32_t)len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    unsigned idx = 0;
    const tpa_dissector_t *row = fuzz_row_find(&idx);
    FUZZ_CHECK(row != NULL); /* the row this target was written for is gone */
    uint8_t fl = data[0];

    uint8_t ts[3];
    int nt = 0;
    if (row->transports & TPA_T_UDP) ts[nt++] = TPA_T_UDP;
    if (row->transports & TPA_T_TCP) ts[nt++] = TPA_T_TCP;
    if (row->transports & TPA_T_SCTP) ts[nt++] = TPA_T_SCTP;
    FUZZ_CHECK(nt > 0);

    fuzz_conv_t c;
    memset(&c, 0, sizeof c);
    c.v6 = fl & 1;
    c.transport = ts[((fl >> 1) & 3) % nt];
    c.port[1] = row->ports[0] ? row->ports[0] : 40001;
    c.port[0] = (fl & 0x10) ? c.port[1] : 40000;
    c.ppid = c.transport == TPA_T_SCTP ? row->ppids[0] : 0;
    c.seq[0] = 1000;
    c.seq[1] = 5000000;
    c.tsn[0] = 1;
    c.tsn[1] = 1;
    c.d = tpa_decoder_new();
    if (!c.d) return 0;

    bool tcp = c.transport == TPA_T_TCP;
    if (tcp && !(fl & 0x08)) {
        fuzz_send(&c, 0, TPA_TCP_SYN, NULL, 0);
        fuzz_send(&c, 1, TPA_TCP_SYN | TPA_TCP_ACK, NULL, 0);
        fuzz_send(&c, 0, TPA_TCP_ACK, NULL, 0);
    }
    size_t pos = 1;
    for (int m = 0; m < FUZZ_ROW_MAX_MSGS && size - pos >= 2; m++) {
        size_t n = (size_t)data[pos] << 8 | data[pos + 1];
        pos += 2;
        if (n > size - pos) n = size - pos;
        int dir = (fl & 0x20) ? 0 : (m & 1);
        fuzz_send(&c, dir, tcp ? (0x08 | TPA_TCP_ACK) : 0, data + pos, n);
        pos += n;
    }
    if (tcp && !(fl & 0x08)) {
        fuzz_send(&c, 0, TPA_TCP_FIN | TPA_TCP_ACK, NULL, 0);
        fuzz_send(&c, 1, TPA_TCP_FIN | TPA_TCP_ACK, NULL, 0);
        fuzz_send(&c, 0, TPA_TCP_ACK, NULL, 0);
    }
    tpa_decode_finish(c.d);

    fuzz_result(c.d, "pcap", "RAW");
    size_t nf = 0;
    tpa_flow_t *const *f = tpa_flow_table_finish(tpa_decode_flows(c.d), &nf);
    if (c.frame) FUZZ_CHECK(nf >= 1 && f && f[0]->id == 1);
    if (nf && (row->ports[0] || (c.ppid && c.transport == TPA_T_SCTP)) && !row->probe)
        FUZZ_CHECK(f[0]->app == idx + 1);
    for (size_t i = 1; i < nf; i++)
        FUZZ_CHECK(f[i]->has_tunnel && tpa_flow_cold(f[i])->outer_flow >= 1 &&
                   tpa_flow_cold(f[i])->outer_flow < f[i]->id);
    tpa_decoder_destroy(&c.d);
    return 0;
}

#endif
