/* tpa_gtp.h - GTPv1: GTPv1-C (3GPP TS 29.060, Gn / Gp, UDP 2123: the dissector row
 * "gtp-c") and the signalling messages of GTP-U (3GPP TS 29.281, UDP 2152: Echo,
 * Error Indication, Supported Extension Headers Notification, End Marker), which the
 * "gtp-u" row (tpa_tunnel.c) hands over for every message type but G-PDU (255).
 *
 * Every message is reported with tpa_sig_report(): protocol "gtp", code = decimal
 * message type, name, request / response per TS 29.060 table 1, procedure ("Echo",
 * "Create PDP Context", ...), key "seq=<sequence number>@<requesting node address>"
 * when the S flag carries one, outcome and cause from the Cause IE (family "gtp";
 * 128-191 accept, 192-255 reject). Error Indication is an indication with a failure
 * outcome (procedure "Error Indication"). Identities: IMSI, MSISDN, IMEI(SV), NSAPI,
 * TEIDs with the GSN addresses they go with, End User Address (UE IP), APN.
 * A GTPv2 message met on the same flow (version 2) is handed to tpa_gtpv2_dissect.
 * Malformations are counted as gtp.*.
 */
#ifndef TPA_GTP_H
#define TPA_GTP_H

#include "tpa_dissect.h"

/* One UDP payload holding a GTPv1 message. */
void tpa_gtp_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *payload);

/* GTP over TCP (rows "gtpv2" and "gtp-c"): the stream is cut into messages by their
 * headers' length fields (GTPv2: 4 + Length; GTPv1: 8 + Length; GTP' (PT = 0, TS
 * 32.295, which allows TCP): 6 + Length), each handed to the datagram dissector of its
 * version. GTPv1-C and GTPv2-C themselves run over UDP only (TS 29.060 and TS 29.274
 * section 4); tshark decodes GTP on TCP port 2123 too, and so do we. */
void tpa_gtp_stream(tpa_dissect_ctx_t *c, tpa_rd_t *bytes, uint64_t gap);

/* Frees the per-flow state made by tpa_gtp_stream. */
void tpa_gtp_state_free(void *state);

/* Counts a G-PDU (type 255) into messages[] (protocol "gtp", code "255"); for the
 * tunnel decoder, which carries the T-PDU on itself. */
void tpa_gtp_count_gpdu(tpa_dissect_ctx_t *c);

/* Name of GTPv1 message type t ("Create PDP Context Request"), or NULL. Static. */
const char *tpa_gtp_msg_name(unsigned t);

/* Name of GTPv1 cause value v ("Request accepted"), or NULL. Static. */
const char *tpa_gtp_cause_name(unsigned v);

#endif
