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

#include <stdbool.h>
#include <stdint.h>

#include "tpa_dissect.h"
#include "tpa_rd.h"

#define TPA_S1AP_MAX_NAS 16
#define TPA_S1AP_MAX_BEARERS 32

enum { TPA_S1AP_INITIATING = 0, TPA_S1AP_SUCCESSFUL = 1, TPA_S1AP_UNSUCCESSFUL = 2 };

/* Cause groups: the CHOICE index of Cause (TS 36.413 9.2.1.3). */
enum {
    TPA_S1AP_CAUSE_RADIO_NETWORK = 0,
    TPA_S1AP_CAUSE_TRANSPORT = 1,
    TPA_S1AP_CAUSE_NAS = 2,
    TPA_S1AP_CAUSE_PROTOCOL = 3,
    TPA_S1AP_CAUSE_MISC = 4
};

/* One NAS-PDU: erab is the E-RAB id of the list item carrying it, -1 for the
 * message's own NAS-PDU IE. */
typedef struct tpa_s1ap_nas {
    tpa_rd_t pdu; /* the OCTET STRING contents, borrowed from the decoded message */
    int erab;
} tpa_s1ap_nas_t;

typedef struct tpa_s1ap_msg {
    int pdu_type;
    unsigned proc;
    unsigned criticality;
    unsigned n_ies;
    bool has_enb_id, has_mme_id;
    uint64_t enb_id; /* ENB-UE-S1AP-ID (0..2^24-1) */
    uint64_t mme_id; /* MME-UE-S1AP-ID (0..2^32-1) */
    bool has_cause;
    unsigned cause_group;
    unsigned cause_value;
    unsigned n_nas;
    tpa_s1ap_nas_t nas[TPA_S1AP_MAX_NAS];
    unsigned n_bearers;
    uint8_t bearers[TPA_S1AP_MAX_BEARERS]; /* E-RAB ids (0..15), in order of first use */
    int malformed;                         /* the first TPA_MAL_S1AP_* found, or -1 */
    bool short_read;
} tpa_s1ap_msg_t;

/* Decodes one S1AP-PDU from pdu (consumed); as tpa_ngap_decode(). */
bool tpa_s1ap_decode(tpa_rd_t *pdu, tpa_s1ap_msg_t *m);

/* Names as their tpa_ngap_* twins (static strings or NULL). */
const char *tpa_s1ap_message_name(unsigned proc, int pdu_type);
const char *tpa_s1ap_procedure_name(unsigned proc);
bool tpa_s1ap_class1(unsigned proc);
const char *tpa_s1ap_cause_name(unsigned group, unsigned value);
const char *tpa_s1ap_cause_group_name(unsigned group);

/* The dissector table entry points (tpa_dissect.h). */
void tpa_s1ap_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *payload);
void tpa_s1ap_state_free(void *state);

#endif
