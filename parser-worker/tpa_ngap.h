/* tpa_ngap.h - NGAP, the NG Application Protocol between NG-RAN and AMF (3GPP TS
 * 38.413), ASN.1 aligned PER over SCTP (PPID 60, port 38412): the "ngap" row of the
 * dissector table.
 *
 * One SCTP user message is one NGAP-PDU (TS 38.413 clause 9.4.2):
 *   NGAP-PDU ::= CHOICE {initiatingMessage, successfulOutcome, unsuccessfulOutcome, ...}
 *   each a SEQUENCE {procedureCode (0..255), criticality, value open type}, the value a
 *   SEQUENCE {protocolIEs ProtocolIE-Container, ...}, the container a SEQUENCE
 *   (SIZE(0..65535)) OF {id (0..65535), criticality, value open type}.
 * Decoded IEs (ids from NGAP-Constants): AMF-UE-NGAP-ID (10), RAN-UE-NGAP-ID (85),
 * UE-NGAP-IDs (114, the choice in UE Context Release Command), Cause (15), NAS-PDU (38)
 * and the PDU Session Resource lists (ids 53-79, 131-133, 142, 229-233), whose items
 * give the PDU session ids and, in the Setup (SU, Cxt) and Modify request lists, the
 * per-session NAS-PDUs. Every NAS-PDU goes to the NAS-5GS dissector (tpa_nas.h) with
 * the UE ids of the message.
 *
 * messages[]: protocol "ngap", code "<procedureCode>/<initiating|successful|
 * unsuccessful>", name the message's name in TS 38.413 9.4.3 ("InitialUEMessage").
 * Each message is also reported with tpa_sig_report(): an initiating message of a
 * class 1 procedure is a request, its outcomes are responses (unsuccessfulOutcome:
 * failure), class 2 messages are indications; procedure = the procedure's name in
 * clause 8 ("Initial Context Setup"); key = "ran=<RAN UE NGAP ID>" for UE-associated
 * messages (learned from an earlier message of the association when a message only
 * carries the AMF UE NGAP ID), "amf=<AMF UE NGAP ID>" for Handover Resource Allocation
 * (whose request precedes the target's RAN id) or when no RAN id is known, "nonue"
 * for non-UE-associated procedures (NG Setup, NG Reset, ...); scope: the association.
 * Cause is given on unsuccessful outcomes, Error Indication and UE Context Release
 * Request/Command: code = group * 1000 + value, name "<group>/<value>"
 * ("radioNetwork/user-inactivity"), family "ngap". Error Indication is reported as a
 * failure indication. Identities: RAN/AMF UE NGAP ids, PDU session ids
 * (TPA_ID_PDU_SESSION). NAS-PDUs are handed to NAS after the NGAP message is reported,
 * with the RAN UE id the association has learned when the message lacks it.
 *
 * Malformed (capture.malformed_reasons):
 *   ngap.truncated          a field or a length runs past the end of the message
 *   ngap.length_fragmented  a fragmented length determinant (>= 16K), unsupported
 *   ngap.pdu_invalid        the PDU type is an unknown extension, or a value outside
 *                           its constraint at the top level
 *   ngap.open_type_invalid  the contents of an open type (the message value, an IE
 *                           value) do not decode within its length
 * A message whose PDU type and procedure code decoded is counted even when a later
 * part is malformed.
 */
#ifndef TPA_NGAP_H
#define TPA_NGAP_H

#include "tpa_ap.h"
#include "tpa_dissect.h"
#include "tpa_rd.h"

/* NGAP described to the shared decoder (tpa_ap.h): tpa_ap_decode(&tpa_ngap_proto, ...)
 * decodes one NGAP-PDU into a tpa_ap_msg_t whose ran_id is the RAN-UE-NGAP-ID, cn_id
 * the AMF-UE-NGAP-ID, items[] the PDU session ids and nas[].item the PDU session id
 * of the list item carrying a NAS-PDU; tpa_ap_message_name(&tpa_ngap_proto, ...) and
 * the other tpa_ap_*_name() give the names of TS 38.413 (clause 8 procedures, 9.4.3
 * messages, 9.4.5 causes). NGAP's Cause CHOICE has a sixth alternative,
 * choice-Extensions (group 5), which has no name table. */
extern const tpa_ap_proto_t tpa_ngap_proto;

/* The dissector table entry points (tpa_dissect.h): one SCTP user message, and the
 * per-association state's destructor. */
void tpa_ngap_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *payload);
void tpa_ngap_state_free(void *state);

#endif
