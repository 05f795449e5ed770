/* tpa_decode_int.h - decoder internals shared by tpa_decode.c, tpa_l2.c, tpa_ip.c,
 * tpa_l4.c and tpa_tunnel.c. Not part of the engine's public contract. */
#ifndef TPA_DECODE_INT_H
#define TPA_DECODE_INT_H

#include "tpa_decode.h"
#include "tpa_dissect.h"
#include "tpa_rd.h"
#include "tpa_result.h"
#include "tpa_tcp_stream.h"

#define TPA_DECODE_MAX_DEPTH 8 /* nested IP layers (tunnels) per frame */
#define TPA_DECODE_MAX_EXTRA 4

enum { TPA_TUN_NONE = 0, TPA_TUN_GTPU = 1, TPA_TUN_GRE = 2, TPA_TUN_VXLAN = 3 };

struct tpa_decoder {
    tpa_flow_table_t *flows;
    tpa_reasm_t *reasm;
    tpa_result_sink_t *sink;  /* messages counted by dissectors */
    tpa_tcp_pool_t *tcp_pool; /* out-of-order bytes of all TCP streams */
    size_t sctp_bytes;        /* SCTP fragment bytes buffered over all associations */
    tpa_decode_tap_fn tap;    /* tpa_decode_set_tap */
    void *tap_ud;
    struct tpa_sigstate *sig; /* signalling layer (tpa_sig.c); NULL until a report */
    struct tpa_rtp_ctx *rtp;  /* RTP streams, SDP-expected media (tpa_rtp.c); NULL until used */
    uint8_t h2c_ports[8192];  /* bit per TCP port proven h2c by a preface / upgrade (tpa_http2.c) */
    tpa_decode_stats_t st;
    int64_t next_expire_us;
    /* the flow the previous frame counted at each encapsulation level (tpa_dec_flow's
     * hint to the flow table: consecutive packets often share their tunnel, and
     * bursts their inner flow) */
    tpa_flow_t *recent[TPA_DECODE_MAX_DEPTH];
};

/* Fragment frames to add to every flow found from layer `from` on. */
typedef struct tpa_extra {
    int from;
    uint32_t pkts;
    uint64_t bytes;
    int64_t first_us;
} tpa_extra_t;

/* Per-frame decoding state. */
typedef struct tpa_pkt {
    uint64_t frame;
    int64_t ts_us;
    uint32_t wirelen;
    bool cut; /* bytes are known to be missing (caplen < wirelen, or an outer length
                 already reported as past the frame): running out is not malformed */
    bool malformed;
    int depth;   /* IP layers entered */
    int nlayers; /* L4 flows counted in this frame */
    /* tunnel context for flows found now */
    uint32_t ctx; /* enclosing tunnel flow id, 0 = none */
    uint32_t teid;
    uint8_t qfi, has_qfi;
    uint16_t tun_kind;
    int nextra;
    tpa_extra_t extra[TPA_DECODE_MAX_EXTRA];
} tpa_pkt_t;

/* IP layer facts handed to L4. */
typedef struct tpa_ipctx {
    int family; /* 4 or 6 */
    uint8_t src[16], dst[16];
    uint32_t l4_len; /* L4 bytes on the wire per the IP header (0 = unknown) */
} tpa_ipctx_t;

/* tpa_dissect_ctx_init inline, for the datagram path of every UDP packet (tpa_l4.c). */
static inline void tpa_dec_ctx_init(tpa_dissect_ctx_t *c, tpa_decoder_t *d, tpa_pkt_t *p,
                                    tpa_flow_t *f, int side, uint8_t transport)
{
    /* every field stored once (no memset): this runs for each datagram of a flow
     * with a dissector, e.g. every GTP-U packet */
    c->frame = p->frame;
    c->ts_us = p->ts_us;
    c->flow = f;
    c->flow_id = f->id;
    c->dir = side == f->src_side ? 0 : 1;
    c->side = side;
    c->transport = transport;
    c->stream_end = false;
    c->sport = f->key.port[side & 1];
    c->dport = f->key.port[!(side & 1)];
    c->ppid = 0;
    c->stream = 0;
    c->quoted = false;
    c->sink = d->sink;
    c->row = NULL;
    c->dec = d;
    c->pkt = p;
}

/* A malformation event (bad value). */
void tpa_dec_mal(tpa_decoder_t *d, tpa_pkt_t *p, int reason);
/* Ran out of bytes: malformed unless the frame was cut by snaplen. */
void tpa_dec_short(tpa_decoder_t *d, tpa_pkt_t *p, int reason);

/* A frame whose outermost payload is not IP (ARP, LLDP, ...). */
static inline void tpa_dec_non_ip(tpa_decoder_t *d, const tpa_pkt_t *p)
{
    if (p->depth == 0) d->st.non_ip++;
}

/* tpa_l2.c */
/* A frame of link type dlt; an Ethernet frame; any other link type. tpa_dec_link is
 * inline: Ethernet, most frames, goes straight to its decoder. */
#define TPA_DEC_DLT_EN10MB 1
void tpa_dec_ether_frame(tpa_decoder_t *d, tpa_pkt_t *p, tpa_rd_t *r);
void tpa_dec_link_other(tpa_decoder_t *d, tpa_pkt_t *p, int dlt, tpa_rd_t *r);
static inline void tpa_dec_link(tpa_decoder_t *d, tpa_pkt_t *p, int dlt, tpa_rd_t *r)
{
    if (dlt == TPA_DEC_DLT_EN10MB)
        tpa_dec_ether_frame(d, p, r);
    else
        tpa_dec_link_other(d, p, dlt, r);
}
void tpa_dec_ether(tpa_decoder_t *d, tpa_pkt_t *p, tpa_rd_t *r);
void tpa_dec_ethertype(tpa_decoder_t *d, tpa_pkt_t *p, uint16_t type, tpa_rd_t *r);

/* tpa_ip.c: r holds the IP header onward. tpa_dec_ip picks the version by nibble. */
void tpa_dec_ip(tpa_decoder_t *d, tpa_pkt_t *p, tpa_rd_t *r);
void tpa_dec_ipv4(tpa_decoder_t *d, tpa_pkt_t *p, tpa_rd_t *r);
void tpa_dec_ipv6(tpa_decoder_t *d, tpa_pkt_t *p, tpa_rd_t *r);

/* tpa_l4.c: a UDP datagram (r at its header); payload of IP protocols other than TCP
 * and UDP. */
void tpa_dec_udp(tpa_decoder_t *d, tpa_pkt_t *p, const tpa_ipctx_t *ip, tpa_rd_t *r);
void tpa_dec_l4_other(tpa_decoder_t *d, tpa_pkt_t *p, const tpa_ipctx_t *ip, uint8_t proto,
                      tpa_rd_t *r);
/* Counts this frame (plus pending fragment extras) to the flow of the given
 * oriented endpoints; returns the flow (NULL when out of memory) and its side. */
tpa_flow_t *tpa_dec_flow(tpa_decoder_t *d, tpa_pkt_t *p, const tpa_ipctx_t *ip, uint8_t proto,
                         uint16_t sport, uint16_t dport, int *side);

/* tpa_tcp.c: a TCP segment (r at the TCP header); a finishing flow's streams. */
void tpa_dec_tcp(tpa_decoder_t *d, tpa_pkt_t *p, const tpa_ipctx_t *ip, tpa_rd_t *r);
void tpa_tcp_flow_finish(tpa_decoder_t *d, tpa_flow_t *f);

/* Payload of IP protocol proto. Inline: TCP and UDP, most packets, go straight to their
 * decoder. */
static inline void tpa_dec_l4(tpa_decoder_t *d, tpa_pkt_t *p, const tpa_ipctx_t *ip,
                              uint8_t proto, tpa_rd_t *r)
{
    if (proto == 6)
        tpa_dec_tcp(d, p, ip, r);
    else if (proto == 17)
        tpa_dec_udp(d, p, ip, r);
    else
        tpa_dec_l4_other(d, p, ip, proto, r);
}

/* tpa_sctp.c: an SCTP packet (r at the common header); a finishing association. */
void tpa_dec_sctp(tpa_decoder_t *d, tpa_pkt_t *p, const tpa_ipctx_t *ip, tpa_rd_t *r);
void tpa_sctp_flow_finish(tpa_decoder_t *d, tpa_flow_t *f);

/* tpa_icmp_quote.c: the rest of an ICMP / ICMPv6 message of `type` (r after its
 * type, code and checksum); an error's quoted UDP datagram goes to tpa_dissect_quoted. */
void tpa_dec_icmp_quote(tpa_decoder_t *d, tpa_pkt_t *p, uint8_t proto, uint8_t type, tpa_rd_t *r);

/* tpa_tunnel.c */
void tpa_dec_gre(tpa_decoder_t *d, tpa_pkt_t *p, const tpa_ipctx_t *ip, tpa_rd_t *r);
void tpa_dissect_gtpu(tpa_dissect_ctx_t *c, tpa_rd_t *payload);
void tpa_dissect_vxlan(tpa_dissect_ctx_t *c, tpa_rd_t *payload);
bool tpa_probe_gtpu(const tpa_rd_t *payload);

#endif
