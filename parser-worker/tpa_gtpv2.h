/* tpa_gtpv2.h - GTPv2-C (3GPP TS 29.274, the S11 / S5 / S8 / S10 / S3 / S4 control
 * plane): the dissector row "gtpv2" (UDP 2123).
 *
 * Every message is reported with tpa_sig_report(): protocol "gtpv2", code = decimal
 * message type, the spec's name, request / response per TS 29.274 table 6.1-1,
 * procedure ("Create Session", "Modify Bearer", ...), key "seq=<sequence number>@
 * <requesting node address>", outcome and cause from the message's Cause IE (family
 * "gtpv2"), identities IMSI, MSISDN, MEI, F-TEIDs ("0x<teid>@<addr>"), PDN address
 * (UE IP), EPS bearer ids and APN (Bearer Contexts recursed). A message piggybacked
 * on another (P flag) is reported too. A GTPv1 message met on the same flow (version
 * 1) is handed to tpa_gtp_dissect. Malformations are counted as gtpv2.*.
 */
#ifndef TPA_GTPV2_H
#define TPA_GTPV2_H

#include "tpa_dissect.h"

/* One UDP payload. */
void tpa_gtpv2_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *payload);

/* Name of GTPv2 message type t ("Create Session Request"), or NULL. Static. */
const char *tpa_gtpv2_msg_name(unsigned t);

/* Name of GTPv2 cause value v ("Request accepted"), or NULL. Static. */
const char *tpa_gtpv2_cause_name(unsigned v);

#endif
