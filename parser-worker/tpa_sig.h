/* tpa_sig.h - one decoded signalling message, as a dissector reports it.
 *
 * Counting a message for messages[] is tpa_dissect_message(). Reporting it with
 * tpa_sig_report() (which also counts it, so a dissector calls one or the other)
 * additionally feeds the transaction tracker (request/response pairing, tpa_txn.h),
 * the KPIs (tpa_kpi.h), the subscriber joiner (tpa_ue.h) and the findings rules
 * (tpa_findings.h).
 *
 * Pairing: a request opens a transaction keyed by (protocol, procedure, key, scope);
 * a response with the same tuple closes it; a request seen again with the same tuple
 * while open is a retransmission of the same attempt, not a new attempt. scope is
 * the flow's unordered endpoint pair (so the peer's response on the same conversation
 * matches), or the whole capture when TPA_SIG_SCOPE_CAPTURE is set (e.g. SIP over UDP,
 * whose responses may come back on another port pair, or NAS whose key is already
 * the UE's identity).
 *
 * Examples of procedure/key pairs:
 *   pfcp    procedure "Session Establishment", key "seq=<sequence number>"
 *   gtpv2   procedure "Create Session",        key "seq=<sequence number>"
 *   diameter procedure "ULR" (command code),   key "hbh=<hop-by-hop id>"
 *   sip     procedure "INVITE",                key "<Call-ID>|<CSeq number>|<branch>"
 *   dns     procedure "query",                 key "id=<id>|<qname>|<qtype>"
 *   http2   procedure "<METHOD> <service>",    key "stream=<id>"
 *   ngap    procedure "Initial Context Setup", key "ran=<RAN UE id>|amf=<AMF UE id>"
 *   nas-5gs procedure "Registration",          key "ue=<AMF UE NGAP id or SUCI/GUTI>"
 *
 * Everything in tpa_sig_t is borrowed for the call: the tracker copies what it keeps.
 */
#ifndef TPA_SIG_H
#define TPA_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef enum {
    TPA_SIG_INDICATION = 0, /* needs no answer (notification, NAS Registration Complete ...) */
    TPA_SIG_REQUEST = 1,
    TPA_SIG_RESPONSE = 2
} tpa_sig_kind_t;

typedef enum {
    TPA_SIG_OK = 0,      /* a response reporting success (or no cause) */
    TPA_SIG_FAILURE = 1, /* a response or indication reporting failure (reject, error cause) */
} tpa_sig_outcome_t;

/* Identity kinds joined into ues[]. Values are printable strings (digits for IMSI,
 * "imsi-..."/"nai-..." for SUPI, dotted/colon form for IP, decimal for numeric ids). */
typedef enum {
    TPA_ID_IMSI = 0,
    TPA_ID_SUPI,
    TPA_ID_SUCI,
    TPA_ID_GUTI, /* 5G-GUTI or EPS GUTI */
    TPA_ID_TMSI, /* 5G-S-TMSI / M-TMSI */
    TPA_ID_IMEI, /* IMEI / IMEISV / PEI */
    TPA_ID_MSISDN,
    TPA_ID_RAN_UE_NGAP_ID, /* scoped to the NGAP association (flow) */
    TPA_ID_AMF_UE_NGAP_ID, /* scoped to the NGAP association (flow) */
    TPA_ID_ENB_UE_S1AP_ID, /* scoped to the S1AP association (flow) */
    TPA_ID_MME_UE_S1AP_ID, /* scoped to the S1AP association (flow) */
    TPA_ID_SEID,           /* PFCP F-SEID value (hex), per node */
    TPA_ID_TEID,           /* GTP TEID (hex) with the node address: "<teid>@<addr>" */
    TPA_ID_UE_IP,
    TPA_ID_SIP_URI,
    TPA_ID_CALL_ID,
    TPA_ID_PDU_SESSION, /* PDU session id / EPS bearer id, joined only with others */
    TPA_ID_DNN,         /* DNN / APN: an attribute, never a join key */
    TPA_ID_SNSSAI,      /* an attribute, never a join key */
    TPA_ID_KINDS
} tpa_id_kind_t;

#define TPA_SIG_MAX_IDS 16

typedef struct tpa_sig_id {
    tpa_id_kind_t kind;
    const char *value;
} tpa_sig_id_t;

/* Flags (tpa_sig_t.flags):
 * SCOPE_CAPTURE  pair within the whole capture, not within the flow's endpoint pair.
 * KEY_CONTEXT    the key names a UE context, not one request: a request repeated with
 *                the same key after its answer is a new attempt, not a retransmission
 *                (implied for ngap, s1ap, nas-5gs, nas-eps; see tpa_txn.h).
 * UE_NEW         the message starts a new UE-associated connection (NGAP / S1AP
 *                Initial UE Message): its RAN UE NGAP ID / eNB UE S1AP ID starts a new
 *                subscriber binding even if the value was used before (tpa_ue.h).
 * UE_END         the message ends one (UE Context Release Complete): after it, the
 *                RAN/AMF UE NGAP IDs and eNB/MME UE S1AP IDs it carries are free for
 *                reuse by another subscriber. */
enum { TPA_SIG_SCOPE_CAPTURE = 1, TPA_SIG_KEY_CONTEXT = 2, TPA_SIG_UE_NEW = 4, TPA_SIG_UE_END = 8 };

typedef struct tpa_sig {
    const char *protocol; /* as in messages[]: "ngap", "nas-5gs", "pfcp", ... */
    const char *code;     /* as in messages[] (DESIGN.md) */
    const char *name;     /* "PFCP Session Establishment Request" */
    tpa_sig_kind_t kind;
    const char *procedure; /* KPI procedure name, same for request and response;
                              NULL for messages that belong to no procedure */
    const char *key;       /* pairing key within the procedure; NULL = not paired */
    unsigned flags;        /* TPA_SIG_SCOPE_* */
    tpa_sig_outcome_t outcome;
    bool has_cause;
    int64_t cause;            /* the protocol's cause / result / status code */
    const char *cause_name;   /* from the spec's table ("Request rejected", "User unknown") */
    const char *cause_family; /* "5gmm", "5gsm", "emm", "esm", "ngap", "s1ap", "pfcp",
                                 "gtpv2", "diameter", "sip", "dns", "http"; NULL = protocol */
    unsigned n_ids;
    tpa_sig_id_t ids[TPA_SIG_MAX_IDS];
} tpa_sig_t;

_Static_assert(offsetof(tpa_sig_t, ids) + sizeof(((tpa_sig_t *)0)->ids) == sizeof(tpa_sig_t),
               "ids is the last member of tpa_sig_t");

/* Empties m: every field zero (no identities). The slots of ids[] are not cleared
 * (256 bytes less to write per message): tpa_sig_add_id fills them in order and
 * readers take only the first n_ids. */
static inline void tpa_sig_init(tpa_sig_t *m)
{
    memset(m, 0, offsetof(tpa_sig_t, ids));
}

struct tpa_dissect_ctx;

/* Reports one message seen in the frame of c (counts it for messages[] too).
 * Cheap: O(1) expected per call plus the copies of ids the joiner keeps. */
void tpa_sig_report(struct tpa_dissect_ctx *c, const tpa_sig_t *m);

/* Adds an identity to m if there is room (value borrowed until tpa_sig_report). */
static inline void tpa_sig_add_id(tpa_sig_t *m, tpa_id_kind_t kind, const char *value)
{
    if (value && value[0] && m->n_ids < TPA_SIG_MAX_IDS) {
        m->ids[m->n_ids].kind = kind;
        m->ids[m->n_ids].value = value;
        m->n_ids++;
    }
}

#endif
