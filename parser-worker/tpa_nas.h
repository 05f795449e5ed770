/* tpa_nas.h - entry points of the NAS dissectors: NAS-5GS (3GPP TS 24.501) and
 * NAS-EPS (3GPP TS 24.301), for the protocols that carry a NAS-PDU.
 *
 * NAS has no row in the dissector table: it rides inside NGAP (NAS-PDU IE, TS 38.413)
 * and S1AP (NAS-PDU IE, TS 36.413), later also inside HTTP/2 SBI multipart bodies.
 * The carrier calls tpa_nas5gs_dissect() / tpa_naseps_dissect() once per NAS-PDU it
 * finds, with the octets of the NAS-PDU (the OCTET STRING contents, no length
 * prefix) and the UE ids of the carrying message. Every NAS message found (the outer
 * one, the plain message inside a security-protected one, 5GSM inside 5GMM UL/DL NAS
 * Transport, ESM inside an EMM ESM message container) is reported with
 * tpa_sig_report() under protocol "nas-5gs" / "nas-eps" with the decimal message type
 * as its code.
 *
 * Ciphered messages: a message of security header type "integrity protected and
 * ciphered" is decoded when the last Security Mode Command seen for the same UE
 * (same association and RAN/eNB UE id, see below) selected the null ciphering
 * algorithm (5G-EA0 / EEA0), and never when it selected another one. When no Security
 * Mode Command of the UE was seen (the capture began later, or a new NAS signalling
 * connection reuses a security context) it is decoded only if its octets read as a
 * well-formed plain message (known discriminator and message type, every IE within
 * the message): true of a null-ciphered message, about one in tens of thousands for
 * real ciphertext. (tshark with nas-5gs.null_decipher decodes every ciphered message
 * as plain.) That memory lives in a tpa_nas_assoc_t that the carrier keeps per
 * association (per flow) and passes in tpa_nas_ue_t.assoc: the NAS dissector creates
 * it on first use; the carrier frees it with tpa_nas_assoc_destroy() when its flow
 * state is freed. assoc == NULL: no memory, every ciphered message is judged by its
 * octets. A NAS-PDU without a CN UE id (Initial UE Message) forgets what was known
 * for its RAN/eNB UE id.
 *
 * Copies: a message inside a NAS message container (5GS 0x71, EPS NAS message
 * container 0x70 of a Registration request, EPS replayed NAS message container) is a
 * copy of one sent before: counted in messages[] (as tshark counts it) and its
 * identities joined, but reported as an indication with no procedure.
 * The EPS Service Request (security header type 12) has no message type and is not
 * counted (tshark does not count it either).
 *
 * Pairing (tpa_sig.h): key "ue=ran:<RAN UE NGAP id>" (NGAP) or "ue=enb:<eNB UE S1AP
 * id>" (S1AP), plus "|psi=<PDU session id>" for 5GSM and "|ebi=<EPS bearer id>" or
 * "|pti=<procedure transaction id>" for ESM; scope = the carrier's flow (the NGAP/S1AP
 * association), because those ids are only unique within it. Without a RAN/eNB id the
 * AMF/MME id is used ("ue=amf:<id>" / "ue=mme:<id>"); with neither the message is
 * counted but not paired.
 *
 * Malformed (capture.malformed_reasons), prefixed "nas-5gs." / "nas-eps.":
 *   truncated                the header or a mandatory IE runs past the end
 *   ie_length_invalid        an optional IE's length runs past the end
 *   unknown_discriminator    not 5GMM/5GSM (not EMM/ESM); an ESM container's content
 *   security_header_invalid  a reserved security header type
 *   nesting_too_deep         containers nested more than 4 messages deep
 * A message whose type was read is counted even when what follows is malformed;
 * ciphertext judged by its octets is never marked.
 */
#ifndef TPA_NAS_H
#define TPA_NAS_H

#include <stdbool.h>
#include <stdint.h>

#include "tpa_dissect.h"
#include "tpa_rd.h"

/* Per-association NAS memory (security mode per UE). Opaque. */
typedef struct tpa_nas_assoc tpa_nas_assoc_t;

/* The UE context of one NAS-PDU, as the carrying NGAP/S1AP message gives it.
 * Borrowed for the call. */
typedef struct tpa_nas_ue {
    bool has_ran_ue_id;  /* RAN UE NGAP ID (NGAP) or eNB UE S1AP ID (S1AP) present */
    bool has_cn_ue_id;   /* AMF UE NGAP ID (NGAP) or MME UE S1AP ID (S1AP) present */
    uint64_t ran_ue_id;  /* RAN UE NGAP ID (0..2^32-1) / eNB UE S1AP ID (0..2^24-1) */
    uint64_t cn_ue_id;   /* AMF UE NGAP ID (0..2^40-1) / MME UE S1AP ID (0..2^32-1) */
    tpa_nas_assoc_t **assoc; /* the carrier's per-flow slot (starts NULL); may be NULL */
} tpa_nas_ue_t;

/* Dissects one NAS-5GS PDU (TS 24.501 clause 9) read from pdu (consumed). ue may be
 * NULL (no UE context: counted, not paired). Malformed lengths are marked on the
 * frame with TPA_MAL_NAS5GS_* reasons. */
void tpa_nas5gs_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *pdu, const tpa_nas_ue_t *ue);

/* Dissects one NAS-EPS PDU (TS 24.301 clause 9) read from pdu (consumed); as above,
 * with TPA_MAL_NASEPS_* reasons. */
void tpa_naseps_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *pdu, const tpa_nas_ue_t *ue);

/* Frees an association's NAS memory (both NAS-5GS and NAS-EPS use the same type);
 * nulls *a. NULL or *a == NULL: nothing. */
void tpa_nas_assoc_destroy(tpa_nas_assoc_t **a);

#endif
