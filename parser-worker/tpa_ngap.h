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

#include <stdbool.h>
#include <stdint.h>

#include "tpa_dissect.h"
#include "tpa_rd.h"

#define TPA_NGAP_MAX_NAS 16      /* NAS-PDUs kept per message (more are not decoded) */
#define TPA_NGAP_MAX_SESSIONS 32 /* distinct PDU session ids kept per message */

enum { TPA_NGAP_INITIATING = 0, TPA_NGAP_SUCCESSFUL = 1, TPA_NGAP_UNSUCCESSFUL = 2 };

/* Cause groups: the CHOICE index of Cause (TS 38.413 9.3.1.2). */
enum {
    TPA_NGAP_CAUSE_RADIO_NETWORK = 0,
    TPA_NGAP_CAUSE_TRANSPORT = 1,
    TPA_NGAP_CAUSE_NAS = 2,
    TPA_NGAP_CAUSE_PROTOCOL = 3,
    TPA_NGAP_CAUSE_MISC = 4,
    TPA_NGAP_CAUSE_EXTENSION = 5
};

/* One NAS-PDU of a message: psi is the PDU session id of the list item carrying it,
 * -1 for the message's own NAS-PDU IE. */
typedef struct tpa_ngap_nas {
    tpa_rd_t pdu; /* the OCTET STRING contents, borrowed from the decoded message */
    int psi;
} tpa_ngap_nas_t;

/* What tpa_ngap_decode() found in one NGAP-PDU. */
typedef struct tpa_ngap_msg {
    int pdu_type;  /* TPA_NGAP_INITIATING / SUCCESSFUL / UNSUCCESSFUL */
    unsigned proc; /* procedureCode */
    unsigned criticality;
    unsigned n_ies; /* IEs in the container */
    bool has_ran_id, has_amf_id;
    uint64_t ran_id; /* RAN-UE-NGAP-ID (0..2^32-1) */
    uint64_t amf_id; /* AMF-UE-NGAP-ID (0..2^40-1) */
    bool has_cause;
    unsigned cause_group; /* TPA_NGAP_CAUSE_* */
    unsigned cause_value; /* enumeration index (extensions continue after the root) */
    unsigned n_nas;
    tpa_ngap_nas_t nas[TPA_NGAP_MAX_NAS];
    unsigned n_sessions;
    uint8_t sessions[TPA_NGAP_MAX_SESSIONS]; /* PDU session ids, in order of first use */
    int malformed;                           /* the first TPA_MAL_NGAP_* found, or -1 */
    bool short_read;                         /* malformed is ngap.truncated (ran out of bytes) */
} tpa_ngap_msg_t;

/* Decodes one NGAP-PDU from pdu (consumed) into *m (overwritten). Returns true when
 * the PDU type and procedure code were decoded (the message counts), whatever came
 * after; m->malformed then says whether the rest was well formed. The NAS readers in
 * *m borrow pdu's buffer. O(size of the message). */
bool tpa_ngap_decode(tpa_rd_t *pdu, tpa_ngap_msg_t *m);

/* The message name ("InitialContextSetupResponse") of procedure code proc and PDU
 * type, or NULL when TS 38.413 defines none. Static. */
const char *tpa_ngap_message_name(unsigned proc, int pdu_type);

/* The procedure name ("Initial Context Setup"), or NULL for an unknown code. Static. */
const char *tpa_ngap_procedure_name(unsigned proc);

/* True for class 1 procedures (those with a successful outcome). */
bool tpa_ngap_class1(unsigned proc);

/* The name of cause value in group ("user-inactivity"), or NULL. Static. */
const char *tpa_ngap_cause_name(unsigned group, unsigned value);

/* The name of a cause group ("radioNetwork"), or NULL. Static. */
const char *tpa_ngap_cause_group_name(unsigned group);

/* The dissector table entry points (tpa_dissect.h): one SCTP user message, and the
 * per-association state's destructor. */
void tpa_ngap_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *payload);
void tpa_ngap_state_free(void *state);

#endif
