/* tpa_malformed.h - the named malformation events of the engine.
 *
 * One X-macro list: each entry is an enum constant TPA_MAL_<ID> and the name that
 * appears in capture.malformed_reasons ("<layer>.<reason>"). A later dissector adds
 * its own rows here. A packet with at least one event counts once in
 * capture.malformed. A packet cut short by the capture's snaplen is not malformed:
 * the decoders report running out of bytes through tpa_dec_short(), which ignores
 * the event when the frame's captured length is below its wire length.
 */
#ifndef TPA_MALFORMED_H
#define TPA_MALFORMED_H

#define TPA_MALFORMED_LIST(X)                                                                      \
    X(FRAME_WIRELEN_INVALID, "frame.wire_length_invalid")                                          \
    X(ETH_TRUNCATED, "eth.truncated")                                                              \
    X(VLAN_TRUNCATED, "vlan.truncated")                                                            \
    X(VLAN_TOO_DEEP, "vlan.too_many_tags")                                                         \
    X(MPLS_TRUNCATED, "mpls.truncated")                                                            \
    X(MPLS_TOO_DEEP, "mpls.too_many_labels")                                                       \
    X(PPPOE_TRUNCATED, "pppoe.truncated")                                                          \
    X(SLL_TRUNCATED, "sll.truncated")                                                              \
    X(NULL_TRUNCATED, "null.truncated")                                                            \
    X(EXPORTED_PDU_TRUNCATED, "exported_pdu.truncated")                                            \
    X(EXPORTED_PDU_TAG_INVALID, "exported_pdu.tag_invalid")                                        \
    X(IP_BAD_VERSION, "ip.bad_version")                                                            \
    X(IPV4_TRUNCATED, "ipv4.header_truncated")                                                     \
    X(IPV4_HDR_SHORT, "ipv4.header_too_short")                                                     \
    X(IPV4_TOTLEN_INVALID, "ipv4.total_length_invalid")                                            \
    X(IPV4_TOTLEN_EXCEEDS, "ipv4.total_length_exceeds_frame")                                      \
    X(IPV6_TRUNCATED, "ipv6.header_truncated")                                                     \
    X(IPV6_PLEN_EXCEEDS, "ipv6.payload_length_exceeds_frame")                                      \
    X(IPV6_EXT_TRUNCATED, "ipv6.ext_header_truncated")                                             \
    X(IPV6_EXT_TOO_MANY, "ipv6.too_many_ext_headers")                                              \
    X(IP_FRAG_TOO_BIG, "ip.fragment_too_big")                                                      \
    X(IP_FRAG_INCONSISTENT, "ip.fragment_inconsistent")                                            \
    X(IP_FRAG_OVERLAP, "ip.fragment_overlap")                                                      \
    X(IP_FRAG_TOO_MANY, "ip.too_many_fragments")                                                   \
    X(AH_TRUNCATED, "ah.truncated")                                                                \
    X(TCP_TRUNCATED, "tcp.header_truncated")                                                       \
    X(TCP_BAD_OFFSET, "tcp.bad_offset")                                                            \
    X(UDP_TRUNCATED, "udp.header_truncated")                                                       \
    X(UDP_LEN_INVALID, "udp.length_invalid")                                                       \
    X(UDP_LEN_EXCEEDS, "udp.length_exceeds_ip")                                                    \
    X(SCTP_TRUNCATED, "sctp.header_truncated")                                                     \
    X(SCTP_CHUNK_LEN_INVALID, "sctp.chunk_length_invalid")                                         \
    X(SCTP_CHUNK_TRUNCATED, "sctp.chunk_truncated")                                                \
    X(SCTP_DATA_EMPTY, "sctp.data_empty")                                                          \
    X(SCTP_NOT_BUNDLEABLE, "sctp.chunk_not_bundleable")                                            \
    X(ICMP_TRUNCATED, "icmp.truncated")                                                            \
    X(GRE_TRUNCATED, "gre.header_truncated")                                                       \
    X(VXLAN_TRUNCATED, "vxlan.header_truncated")                                                   \
    X(GTPU_TRUNCATED, "gtpu.header_truncated")                                                     \
    X(GTPU_BAD_VERSION, "gtpu.bad_version")                                                        \
    X(GTPU_LEN_INVALID, "gtpu.length_invalid")                                                     \
    X(GTPU_EXT_TRUNCATED, "gtpu.ext_header_truncated")                                             \
    X(GTPU_EXT_LEN_INVALID, "gtpu.ext_header_length_invalid")                                      \
    X(DECODE_TOO_DEEP, "decode.too_deep")                                                          \
    X(PFCP_TRUNCATED, "pfcp.header_truncated")                                                     \
    X(PFCP_BAD_VERSION, "pfcp.bad_version")                                                        \
    X(PFCP_LEN_INVALID, "pfcp.length_invalid")                                                     \
    X(PFCP_IE_TRUNCATED, "pfcp.ie_truncated")                                                      \
    X(PFCP_IE_INVALID, "pfcp.ie_invalid")                                                          \
    X(PFCP_IE_TOO_DEEP, "pfcp.ie_too_deep")                                                        \
    X(GTPV2_TRUNCATED, "gtpv2.header_truncated")                                                   \
    X(GTPV2_LEN_INVALID, "gtpv2.length_invalid")                                                   \
    X(GTPV2_PIGGYBACK_INVALID, "gtpv2.piggyback_invalid")                                          \
    X(GTPV2_IE_TRUNCATED, "gtpv2.ie_truncated")                                                    \
    X(GTPV2_IE_INVALID, "gtpv2.ie_invalid")                                                        \
    X(GTPV2_IE_TOO_DEEP, "gtpv2.ie_too_deep")                                                      \
    X(GTP_TRUNCATED, "gtp.header_truncated")                                                       \
    X(GTP_BAD_VERSION, "gtp.bad_version")                                                          \
    X(GTP_LEN_INVALID, "gtp.length_invalid")                                                       \
    X(GTP_EXT_INVALID, "gtp.ext_header_invalid")                                                   \
    X(GTP_IE_TRUNCATED, "gtp.ie_truncated")                                                        \
    X(GTP_IE_INVALID, "gtp.ie_invalid")                                                            \
    X(GTP_IE_TYPE_UNKNOWN, "gtp.ie_type_unknown")                                                  \
    X(NGAP_TRUNCATED, "ngap.truncated")                                                            \
    X(NGAP_LENGTH_FRAGMENTED, "ngap.length_fragmented")                                            \
    X(NGAP_PDU_INVALID, "ngap.pdu_invalid")                                                        \
    X(NGAP_OPEN_TYPE_INVALID, "ngap.open_type_invalid")                                            \
    X(S1AP_TRUNCATED, "s1ap.truncated")                                                            \
    X(S1AP_LENGTH_FRAGMENTED, "s1ap.length_fragmented")                                            \
    X(S1AP_PDU_INVALID, "s1ap.pdu_invalid")                                                        \
    X(S1AP_OPEN_TYPE_INVALID, "s1ap.open_type_invalid")                                            \
    X(NAS5GS_TRUNCATED, "nas-5gs.truncated")                                                       \
    X(NAS5GS_IE_LEN_INVALID, "nas-5gs.ie_length_invalid")                                          \
    X(NAS5GS_BAD_EPD, "nas-5gs.unknown_discriminator")                                             \
    X(NAS5GS_BAD_SEC_HDR, "nas-5gs.security_header_invalid")                                       \
    X(NAS5GS_TOO_DEEP, "nas-5gs.nesting_too_deep")                                                 \
    X(NASEPS_TRUNCATED, "nas-eps.truncated")                                                       \
    X(NASEPS_IE_LEN_INVALID, "nas-eps.ie_length_invalid")                                          \
    X(NASEPS_BAD_PD, "nas-eps.unknown_discriminator")                                              \
    X(NASEPS_BAD_SEC_HDR, "nas-eps.security_header_invalid")                                       \
    X(NASEPS_TOO_DEEP, "nas-eps.nesting_too_deep")                                                 \
    X(DNS_TRUNCATED, "dns.truncated")                                                              \
    X(DNS_NAME_INVALID, "dns.name_invalid")                                                        \
    X(DNS_TCP_LENGTH_INVALID, "dns.tcp_length_invalid")                                            \
    X(DIAMETER_TRUNCATED, "diameter.truncated")                                                    \
    X(DIAMETER_BAD_VERSION, "diameter.bad_version")                                                \
    X(DIAMETER_LEN_INVALID, "diameter.length_invalid")                                             \
    X(DIAMETER_HEADER_INVALID, "diameter.header_invalid")                                          \
    X(DIAMETER_FLAGS_INVALID, "diameter.flags_invalid")                                            \
    X(DIAMETER_AVP_LEN_INVALID, "diameter.avp_length_invalid")                                     \
    X(DIAMETER_AVP_TOO_DEEP, "diameter.avp_too_deep")                                              \
    X(SIP_START_LINE_INVALID, "sip.start_line_invalid")                                            \
    X(SIP_HEADER_INVALID, "sip.header_invalid")                                                    \
    X(SIP_CONTENT_LENGTH_INVALID, "sip.content_length_invalid")                                    \
    X(SIP_TRUNCATED, "sip.truncated")                                                              \
    X(SDP_INVALID, "sdp.invalid")                                                                  \
    X(RTP_TRUNCATED, "rtp.truncated")                                                              \
    X(RTP_PADDING_INVALID, "rtp.padding_invalid")                                                  \
    X(RTCP_TRUNCATED, "rtcp.truncated")                                                            \
    X(RTCP_LEN_INVALID, "rtcp.length_invalid")                                                     \
    X(RTCP_BAD_VERSION, "rtcp.bad_version")                                                        \
    X(HTTP2_FRAME_SIZE_INVALID, "http2.frame_size_invalid")                                        \
    X(HTTP2_FRAME_TOO_LONG, "http2.frame_too_long")                                                \
    X(HTTP2_PADDING_INVALID, "http2.padding_invalid")                                              \
    X(HTTP2_STREAM_ID_INVALID, "http2.stream_id_invalid")                                          \
    X(HTTP2_CONTINUATION_INVALID, "http2.continuation_invalid")                                    \
    X(HTTP2_SETTINGS_INVALID, "http2.settings_invalid")                                            \
    X(HTTP2_BLOCK_INVALID, "http2.header_block_invalid")

enum {
#define TPA_MAL_ENUM(id, name) TPA_MAL_##id,
    TPA_MALFORMED_LIST(TPA_MAL_ENUM)
#undef TPA_MAL_ENUM
        TPA_MAL_COUNT
};

/* Static name of a reason ("tcp.bad_offset"), or "unknown". */
const char *tpa_malformed_name(int reason);

#endif
