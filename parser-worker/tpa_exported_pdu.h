/* tpa_exported_pdu.h - frames of link type LINKTYPE_WIRESHARK_UPPER_PDU (252), as
 * Wireshark's "Export PDUs to File" (and tools that write its format) store them:
 * one upper-layer PDU per frame, preceded by what the exporter knew about it.
 *
 * Format (Wireshark wsutil/exported_pdu_tlvs.h, the link type's definition): a
 * sequence of TLVs, each a 2-octet big-endian tag, a 2-octet big-endian length and
 * that many octets of value (no padding), ended by the end-of-options tag 0 (length
 * 0); the PDU is every octet after it. Tags read here:
 *   12  dissector name, ASCII, possibly NUL-padded ("ngap", "http2", "nas-5gs")
 *   13  heuristic dissector name ("sip_udp": the part before _udp/_tcp/_sctp is used)
 *   14  dissector table name ("sctp.ppi", "udp.port", "tcp.port", "sctp.port") with
 *   32  its 4-octet value (the PPID or port)
 *   20 / 21  IPv4 source / destination address (4 octets)
 *   22 / 23  IPv6 source / destination address (16 octets)
 *   24  port type (4 octets: 1 SCTP, 2 TCP, 3 UDP, 4 DCCP; others: no IP transport)
 *   25 / 26  source / destination port (4 octets, at most 65535)
 * Other tags (options length, original frame number, direction, column texts, ...)
 * are stepped over.
 *
 * What the PDU becomes:
 *   - the protocol names a row of the dissector table (tpa_dissect.h: "ngap", "s1ap",
 *     "pfcp", "gtpv2", "diameter", "sip", "dns", "http2", "http", "rtp", ...; "gtp"
 *     is the "gtp-c" row): with both addresses (same family) and the ports, the frame
 *     is counted to the flow of those endpoints, whose transport is the port type
 *     (IP protocol 0, flows[].proto "ip-0", when the exporter gave none: the PDU came
 *     with no transport header), the flow's app is the row, and the PDU goes to the
 *     row's stream function (a TCP flow, or a row with no datagram function: the PDUs
 *     of a direction are its in-order bytes) or else to its datagram function. The
 *     row is told the protocol is named (tpa_dissector_t.named), so it needs no
 *     detection evidence. Without the endpoints there is no flow, and no row is
 *     called (their pairing and per-flow state need one).
 *   - "nas-5gs" / "nas-eps": the NAS dissector (tpa_nas.h) without a UE context, on
 *     the flow of the endpoints when given, else without a flow.
 *   - "ip", "ipv6", "eth_withoutfcs", "eth_maybefcs", "eth_withfcs" (the last 4
 *     octets are the FCS): the PDU is decoded as that layer, as a frame would be.
 *   - another protocol: the frame still counts to the flow of its endpoints, with no
 *     app.
 * A frame with neither an IP layer nor both endpoints counts as capture.non_ip.
 *
 * Malformed (capture.malformed_reasons):
 *   exported_pdu.truncated    a TLV runs past the frame, or no end-of-options tag
 *   exported_pdu.tag_invalid  an address, port or port type tag of the wrong length,
 *                             a port above 65535, or addresses of two families
 * Nothing is decoded from a frame whose TLVs are malformed.
 */
#ifndef TPA_EXPORTED_PDU_H
#define TPA_EXPORTED_PDU_H

#include <stdbool.h>
#include <stdint.h>

#include "tpa_decode_int.h"
#include "tpa_rd.h"

#define TPA_EXPORTED_PDU_LINKTYPE 252
#define TPA_EXPORTED_PDU_NAME_MAX 64 /* longest protocol / table name kept (cut beyond) */

/* What the TLVs of one frame say. */
typedef struct tpa_exported_pdu {
    char proto[TPA_EXPORTED_PDU_NAME_MAX]; /* dissector name (tag 12, else from 13), or "" */
    char table[TPA_EXPORTED_PDU_NAME_MAX]; /* dissector table name (tag 14), or "" */
    bool has_table_value;
    uint32_t table_value; /* tag 32 */
    int family;           /* 4 or 6 when both addresses are given, else 0 */
    uint8_t src[16], dst[16];
    bool has_port_type;
    uint32_t port_type; /* tag 24 */
    bool has_ports;     /* both ports given */
    uint16_t sport, dport;
} tpa_exported_pdu_t;

/* Reads the TLVs at r up to and including the end-of-options tag into *m
 * (overwritten); r is left at the PDU. Returns 0, or the TPA_MAL_EXPORTED_PDU_*
 * reason of the first malformation (r is then where reading stopped). O(TLVs). */
int tpa_exported_pdu_parse(tpa_rd_t *r, tpa_exported_pdu_t *m);

/* The IP protocol number of m's port type (132, 6, 17, 33), or 0 when there is none
 * or it is not an IP transport. */
uint8_t tpa_exported_pdu_ip_proto(const tpa_exported_pdu_t *m);

/* Decodes one frame of link type 252 (r at its first TLV), as described above. */
void tpa_dec_exported_pdu(tpa_decoder_t *d, tpa_pkt_t *p, tpa_rd_t *r);

#endif
