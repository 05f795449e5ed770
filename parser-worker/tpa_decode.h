/* tpa_decode.h - packet decoding from the link layer to L4, tunnels included.
 *
 * A decoder owns the flow table and the fragment reassembler of one analysis and
 * counts everything a capture-level summary needs (packets, bytes, malformation
 * events, snaplen-cut frames, non-IP frames). Each packet is decoded once, without
 * allocating (except when a new flow or fragmented datagram appears). Link types:
 * EN10MB, LINUX_SLL, LINUX_SLL2, RAW (12/14/101), IPV4 (228), IPV6 (229), NULL and
 * LOOP; inside: 802.1Q/802.1ad/QinQ, MPLS, PPPoE session, IPv4, IPv6 with extension
 * headers, fragment reassembly, TCP, UDP, SCTP, ICMP, ICMPv6, GRE, IP-in-IP, and
 * the UDP tunnels of the dissector table (GTP-U, VXLAN).
 */
#ifndef TPA_DECODE_H
#define TPA_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tpa_flow.h"
#include "tpa_malformed.h"
#include "tpa_rd.h"
#include "tpa_reasm.h"

#define TPA_DECODE_MAX_EVIDENCE 50

/* Defaults for the reassembler. */
#define TPA_DECODE_REASM_BYTES (64u << 20)
#define TPA_DECODE_REASM_DGRAMS 8192
#define TPA_DECODE_REASM_TIMEOUT_US (30LL * 1000000)

typedef struct tpa_decode_stats {
    uint64_t packets, bytes;
    int64_t first_us, last_us; /* valid when packets > 0 */
    uint64_t malformed;        /* packets with at least one malformation event */
    uint64_t reasons[TPA_MAL_COUNT];
    uint64_t evidence[TPA_DECODE_MAX_EVIDENCE]; /* first malformed frame numbers */
    size_t nevidence;
    uint64_t snap_cut;         /* frames whose captured length is below the wire length */
    uint64_t non_ip;           /* frames with no IP layer (ARP, LLDP, ...) */
    uint64_t unsupported_link; /* frames of a link type we do not decode */
    uint64_t fragments;        /* IP fragment frames seen */
    uint64_t quoted_messages;  /* messages counted from datagrams quoted in ICMP errors */
} tpa_decode_stats_t;

typedef struct tpa_decoder tpa_decoder_t;

/* A new decoder with its own flow table and reassembler, or NULL. */
tpa_decoder_t *tpa_decoder_new(void);

/* Frees the decoder, its flows and buffers; nulls *d. */
void tpa_decoder_destroy(tpa_decoder_t **d);

/* Decodes one frame. linktype is a DLT_* value as libpcap reports it; frame is the
 * 1-based frame number; data is borrowed for the call only. */
void tpa_decode_packet(tpa_decoder_t *d, int linktype, uint64_t frame, int64_t ts_us,
                       const uint8_t *data, uint32_t caplen, uint32_t wirelen);

/* Ends the capture: drops incomplete datagrams and finishes all flows (their TCP
 * streams are flushed to the dissectors, incomplete SCTP messages dropped). After
 * this, only the accessors below may be called. */
void tpa_decode_finish(tpa_decoder_t *d);

/* Borrowed views, valid until destroy. */
const tpa_decode_stats_t *tpa_decode_stats(const tpa_decoder_t *d);
tpa_flow_table_t *tpa_decode_flows(tpa_decoder_t *d);
/* The messages dissectors counted (tpa_result.h). */
struct tpa_result_sink *tpa_decode_sink(tpa_decoder_t *d);
void tpa_decode_reasm_stats(const tpa_decoder_t *d, tpa_reasm_stats_t *st);

/* An optional observer of the bytes handed to application dissectors: each TCP stream
 * delivery (bytes after gap missing ones; c->stream_end on the end call) and each SCTP
 * user message (gap 0, after reassembly), whether or not the row has a function for
 * it (TCP: only flows whose app has a stream function have streams). c and bytes are
 * borrowed for the call. For tests and tools; NULL turns it off. */
struct tpa_dissect_ctx;
typedef void (*tpa_decode_tap_fn)(void *ud, const struct tpa_dissect_ctx *c, const tpa_rd_t *bytes,
                                  uint64_t gap);
void tpa_decode_set_tap(tpa_decoder_t *d, tpa_decode_tap_fn fn, void *ud);

/* True when libpcap link type dlt is one the decoder understands. */
bool tpa_decode_link_supported(int dlt);

#endif
