/* tpa_ap.h - what the two RAN application protocols share: NGAP (3GPP TS 38.413)
 * and S1AP (3GPP TS 36.413) are built alike, so one piece of code decodes and
 * reports both; tpa_ngap.h and tpa_s1ap.h are the contracts of the two dissectors,
 * and each describes its protocol to this module in a tpa_ap_proto_t.
 *
 * Shared (aligned PER, tpa_per.h):
 *   the PDU frame      CHOICE {initiatingMessage, successfulOutcome, unsuccessfulOutcome,
 *                      ...}, each a SEQUENCE {procedureCode (0..255), criticality, value
 *                      open type} (TS 38.413 9.4.2 / TS 36.413 9.3.2);
 *   the IE walk        the value: SEQUENCE {protocolIEs ProtocolIE-Container, ...}, the
 *                      container a SEQUENCE (SIZE(0..65535)) OF {id, criticality, value};
 *   the common IEs     the RAN and CN UE ids (RAN-UE-NGAP-ID / eNB-UE-S1AP-ID,
 *                      AMF-UE-NGAP-ID / MME-UE-S1AP-ID, the source CN UE id), the UE ids
 *                      pair CHOICE of UE Context Release Command, Cause, NAS-PDU; any
 *                      other IE goes to the protocol's read_list (its PDU session / E-RAB
 *                      lists);
 *   the association    a RAN UE id learned per CN UE id, for messages carrying only
 *                      the CN one;
 *   the report         tpa_sig_report() with code "<proc>/<initiating|successful|
 *                      unsuccessful>", kind, outcome, key, cause and UE ids as tpa_ngap.h
 *                      describes; then every NAS-PDU to the protocol's NAS dissector.
 */
#ifndef TPA_AP_H
#define TPA_AP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tpa_dissect.h"
#include "tpa_nas.h"
#include "tpa_per.h"
#include "tpa_rd.h"
#include "tpa_sig.h"

#define TPA_AP_MAX_NAS 16   /* NAS-PDUs kept per message (more are not decoded) */
#define TPA_AP_MAX_ITEMS 32 /* distinct list item ids (PDU sessions, E-RABs) kept */

/* The PDU type: the CHOICE index of the PDU. */
enum { TPA_AP_INITIATING = 0, TPA_AP_SUCCESSFUL = 1, TPA_AP_UNSUCCESSFUL = 2 };

/* Cause groups: the CHOICE index of Cause (TS 38.413 9.3.1.2, TS 36.413 9.2.1.3). */
enum {
    TPA_AP_CAUSE_RADIO_NETWORK = 0,
    TPA_AP_CAUSE_TRANSPORT = 1,
    TPA_AP_CAUSE_NAS = 2,
    TPA_AP_CAUSE_PROTOCOL = 3,
    TPA_AP_CAUSE_MISC = 4,
    TPA_AP_CAUSE_GROUPS = 5 /* groups with a value table */
};

/* One NAS-PDU of a message: item is the id (PDU session id, E-RAB id) of the list
 * item carrying it, -1 for the message's own NAS-PDU IE. */
typedef struct tpa_ap_nas {
    tpa_rd_t pdu; /* the OCTET STRING contents, borrowed from the decoded message */
    int item;
} tpa_ap_nas_t;

/* What tpa_ap_decode() found in one PDU. */
typedef struct tpa_ap_msg {
    int pdu_type;  /* TPA_AP_INITIATING / SUCCESSFUL / UNSUCCESSFUL */
    unsigned proc; /* procedureCode */
    unsigned criticality;
    unsigned n_ies; /* IEs in the container */
    bool has_ran_id, has_cn_id;
    uint64_t ran_id; /* RAN-UE-NGAP-ID (0..2^32-1) / eNB-UE-S1AP-ID (0..2^24-1) */
    uint64_t cn_id;  /* AMF-UE-NGAP-ID (0..2^40-1) / MME-UE-S1AP-ID (0..2^32-1) */
    bool has_cause;
    unsigned cause_group; /* TPA_AP_CAUSE_*, or the protocol's extension index */
    unsigned cause_value; /* enumeration index (extensions continue after the root) */
    unsigned n_nas;
    tpa_ap_nas_t nas[TPA_AP_MAX_NAS];
    unsigned n_items;
    uint8_t items[TPA_AP_MAX_ITEMS]; /* PDU session / E-RAB ids, in order of first use */
    int malformed;                   /* the first TPA_MAL_* found, or -1 */
    bool short_read;                 /* malformed is <protocol>.truncated (out of bytes) */
} tpa_ap_msg_t;

/* A procedure: its clause 8 title and the names of its messages by PDU type (NULL
 * where it has none; a class 1 procedure has a successful outcome). */
typedef struct tpa_ap_proc {
    const char *name;
    const char *msg[3];
} tpa_ap_proc_t;

/* One Cause group: its CHOICE name and the names of its ENUMERATED values. */
typedef struct tpa_ap_cause_group {
    const char *name;
    unsigned nroot; /* root enumeration values (the PER index width) */
    unsigned n;     /* names known (root + extensions) */
    const char *const *names;
} tpa_ap_cause_group_t;

/* A tpa_ap_cause_group_t initialiser from a name array. */
#define TPA_AP_CAUSE_GROUP(name, nroot, arr)                                                       \
    {                                                                                              \
        name, nroot, sizeof arr / sizeof arr[0], arr                                               \
    }

/* The value names of CauseTransport and CauseProtocol, the same in both protocols
 * (TS 38.413 9.3.1.2, TS 36.413 9.2.1.3). */
extern const char *const tpa_ap_cause_transport[2];
extern const char *const tpa_ap_cause_protocol[7];

/* An X.691 CHOICE header: nroot root alternatives, extensible or not. */
typedef struct tpa_ap_choice {
    unsigned nroot;
    bool ext;
} tpa_ap_choice_t;

struct tpa_ap_proto;

/* Decodes the IE id of the protocol that tpa_ap does not know (a list) from p into
 * m; the caller records p's error. */
typedef void (*tpa_ap_read_list_fn)(const struct tpa_ap_proto *ap, uint16_t id, tpa_per_t *p,
                                    tpa_ap_msg_t *m);

/* A protocol, as the shared code needs it. Static for the program's life. */
typedef struct tpa_ap_proto {
    const char *name; /* messages[] protocol and cause family: "ngap" */
    const tpa_ap_proc_t *procs;
    size_t nprocs;
    const tpa_ap_cause_group_t *causes; /* TPA_AP_CAUSE_GROUPS groups */
    /* Cause CHOICE; alternatives past the groups are an extension container
     * (ext false: choice-Extensions, skipped) or an unknown extension (ext true:
     * invalid, its encoding is unknown). */
    tpa_ap_choice_t cause;
    tpa_ap_choice_t ue_ids; /* the UE ids CHOICE {pair, CN UE id, ...} */
    struct {
        uint16_t ran, cn, source_cn, ue_ids, cause, nas;
    } ie;                     /* IE ids of the common IEs */
    uint64_t ran_max, cn_max; /* the UE ids' INTEGER upper bounds */
    struct {
        unsigned initial_ue, error_indication, ho_resource_allocation, ue_context_release,
            ue_context_release_request, private_message;
    } proc;                       /* procedure codes the report treats apart */
    const char *ran_key, *cn_key; /* pairing key words: "ran", "amf" */
    tpa_id_kind_t ran_kind, cn_kind;
    struct {
        int truncated, fragmented, pdu_invalid, open_type_invalid;
    } mal; /* TPA_MAL_* reasons */
    tpa_ap_read_list_fn read_list;
    void (*nas_dissect)(tpa_dissect_ctx_t *c, tpa_rd_t *pdu, const tpa_nas_ue_t *ue);
} tpa_ap_proto_t;

/* Decodes one PDU of ap from pdu (consumed) into *m (overwritten; the entries of nas[]
 * and items[] past n_nas and n_items are left as they were). Returns true when
 * the PDU type and procedure code were decoded (the message counts), whatever came
 * after; m->malformed then says whether the rest was well formed. The NAS readers in
 * *m borrow pdu's buffer. O(size of the message). */
bool tpa_ap_decode(const tpa_ap_proto_t *ap, tpa_rd_t *pdu, tpa_ap_msg_t *m);

/* Names from ap's tables (static strings), NULL where the spec defines none. */
static inline const char *tpa_ap_message_name(const tpa_ap_proto_t *ap, unsigned proc, int pdu_type)
{
    if (proc >= ap->nprocs || pdu_type < 0 || pdu_type > 2) return NULL;
    return ap->procs[proc].msg[pdu_type];
}
static inline const char *tpa_ap_procedure_name(const tpa_ap_proto_t *ap, unsigned proc)
{
    return proc < ap->nprocs ? ap->procs[proc].name : NULL;
}
static inline bool tpa_ap_class1(const tpa_ap_proto_t *ap, unsigned proc)
{
    return proc < ap->nprocs && ap->procs[proc].msg[1] != NULL;
}
const char *tpa_ap_cause_name(const tpa_ap_proto_t *ap, unsigned group, unsigned value);

/* The messages[] code "<proc>/<initiating|successful|unsuccessful>" of procedureCode
 * proc (0-255) and PDU type pdu_type (TPA_AP_INITIATING ...): a static string, NULL
 * out of range. */
const char *tpa_ap_code(unsigned proc, int pdu_type);
const char *tpa_ap_cause_group_name(const tpa_ap_proto_t *ap, unsigned group);

/* For read_list: Cause (p's error is set on failure), a list item id (kept once, up
 * to TPA_AP_MAX_ITEMS), a NAS-PDU of the item (kept when not empty, up to
 * TPA_AP_MAX_NAS), and recording the error of an item's own reader p (an open type). */
void tpa_ap_read_cause(const tpa_ap_proto_t *ap, tpa_per_t *p, unsigned *group, unsigned *value);
void tpa_ap_add_item(tpa_ap_msg_t *m, unsigned id);
void tpa_ap_add_nas(tpa_ap_msg_t *m, const tpa_rd_t *pdu, int item);
void tpa_ap_note_inner(const tpa_ap_proto_t *ap, tpa_ap_msg_t *m, const tpa_per_t *p);

/* The dissector table entry points of ap's row (tpa_dissect.h): one SCTP user
 * message, and the per-association state's destructor. */
void tpa_ap_dissect(const tpa_ap_proto_t *ap, tpa_dissect_ctx_t *c, tpa_rd_t *payload);
void tpa_ap_state_free(void *state);

#endif
