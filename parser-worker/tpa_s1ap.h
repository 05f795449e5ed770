/* tpa_s1ap.h - S1AP, the S1 Application Protocol between E-UTRAN and MME (3GPP TS
 * 36.413), ASN.1 aligned PER over SCTP (PPID 18, port 36412): the "s1ap" row of the
 * dissector table.
 *
 * One SCTP user message is one S1AP-PDU (TS 36.413 clause 9.3.2), shaped as NGAP's:
 *   S1AP-PDU ::= CHOICE {initiatingMessage, successfulOutcome, unsuccessfulOutcome, ...}
 *   each a SEQUENCE {procedureCode (0..255), criticality, value open type}, the value a
 *   SEQUENCE {protocolIEs ProtocolIE-Container, ...}.
 * Decoded IEs (ids from S1AP-Constants): MME-UE-S1AP-ID (0), eNB-UE-S1AP-ID (8),
 * SourceMME-UE-S1AP-ID (88), UE-S1AP-IDs (99, UE Context Release Command), Cause (2),
 * NAS-PDU (26), and the E-RAB lists: E-RAB-IE-ContainerLists (SEQUENCE (SIZE(1..256))
 * OF ProtocolIE-SingleContainer) whose items give the E-RAB ids and, in E-RAB Setup
 * (bearer and context setup) and E-RAB Modify requests, the per-bearer NAS-PDUs. Every
 * NAS-PDU goes to the NAS-EPS dissector (tpa_nas.h) with the UE ids of the message.
 *
 * messages[]: protocol "s1ap", code "<procedureCode>/<initiating|successful|
 * unsuccessful>", name the message's name in TS 36.413 9.3.3 ("InitialUEMessage").
 * tpa_sig_report(): class 1 initiating messages are requests, their outcomes
 * responses (unsuccessfulOutcome: failure), class 2 messages indications; procedure =
 * the clause 8 name ("Initial Context Setup"); key = "enb=<eNB UE S1AP ID>" (learned
 * from an earlier message of the association when a message only carries the MME UE
 * S1AP ID), "mme=<MME UE S1AP ID>" for Handover Resource Allocation or when no eNB id
 * is known, "nonue" for non-UE-associated procedures (S1 Setup, Reset, ...); scope: the
 * association. Cause on unsuccessful outcomes, Error Indication and UE Context Release
 * Request/Command: code = group * 1000 + value, name "<group>/<value>", family "s1ap".
 * Identities: eNB/MME UE S1AP ids, E-RAB ids as TPA_ID_PDU_SESSION.
 *
 * Malformed: s1ap.truncated, s1ap.length_fragmented, s1ap.pdu_invalid,
 * s1ap.open_type_invalid, with the meanings of their ngap.* twins (tpa_ngap.h).
 */
#ifndef TPA_S1AP_H
#define TPA_S1AP_H

#include "tpa_ap.h"
#include "tpa_dissect.h"
#include "tpa_rd.h"

/* S1AP described to the shared decoder (tpa_ap.h), as tpa_ngap_proto: in the
 * tpa_ap_msg_t, ran_id is the eNB-UE-S1AP-ID, cn_id the MME-UE-S1AP-ID, items[] the
 * E-RAB ids and nas[].item the E-RAB id of the list item carrying a NAS-PDU; names
 * from TS 36.413 (clause 8 procedures, 9.3.3 messages, 9.3.5 causes). */
extern const tpa_ap_proto_t tpa_s1ap_proto;

/* The dissector table entry points (tpa_dissect.h). */
void tpa_s1ap_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *payload);
void tpa_s1ap_state_free(void *state);

#endif
