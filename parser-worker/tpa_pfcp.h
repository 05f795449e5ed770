/* tpa_pfcp.h - PFCP (3GPP TS 29.244, the N4 / Sxa / Sxb interface): the dissector
 * row "pfcp" (UDP 8805).
 *
 * Every message of a datagram (several when the FO flag chains them) is reported with
 * tpa_sig_report(): protocol "pfcp", code = decimal message type, the spec's name,
 * request / response per TS 29.244 table 7.3-1, procedure ("Heartbeat", "Association
 * Setup", "Session Establishment", ...), key "seq=<sequence number>@<requesting
 * node address>", outcome and cause from the Cause IE (family "pfcp"), and identities
 * from the header SEID, F-SEID, F-TEID, Outer Header Creation, UE IP Address, User ID
 * and APN/DNN IEs (grouped IEs recursed). Malformations are counted as pfcp.*.
 */
#ifndef TPA_PFCP_H
#define TPA_PFCP_H

#include "tpa_dissect.h"

/* One UDP payload. */
void tpa_pfcp_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *payload);

/* Name of PFCP message type t ("PFCP Heartbeat Request"), or NULL when unknown.
 * Static string. */
const char *tpa_pfcp_msg_name(unsigned t);

/* Name of PFCP cause value v ("Request accepted"), or NULL. Static string. */
const char *tpa_pfcp_cause_name(unsigned v);

#endif
