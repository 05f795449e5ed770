/* tpa_naseps.c - NAS for EPS, 3GPP TS 24.301 (V17) clauses 8 and 9 (see tpa_nas.h).
 *
 * Header (9.1, 9.2, 9.3): octet 1 bits 4-1 are the protocol discriminator (7 EPS
 * mobility management (EMM), 2 EPS session management (ESM)), bits 8-5 the security
 * header type (EMM) or the EPS bearer identity (ESM).
 *   EMM plain:     security header type 0, message type.
 *   EMM protected: security header type 1-4, message authentication code (4 octets),
 *                  sequence number (1 octet), then a plain NAS message (EMM or ESM).
 *                  Types 2 and 4 are ciphered (readable only with EEA0).
 *   Service request: security header type 12 (13-15 read as 12): KSI and sequence
 *                  number, short MAC (2 octets); it has no message type and is not
 *                  counted in messages[] (as tshark does not).
 *   ESM:           EPS bearer identity, procedure transaction identity (PTI),
 *                  message type.
 * Message types: the EMM and ESM types of tables 9.8.1 and 9.8.2; others are not
 * counted.
 *
 * Nested messages decoded and counted as well: the ESM message container (IEI 0x78,
 * LV-E in Attach request / accept / complete, TLV-E in Attach reject and Control plane
 * service request) and the replayed NAS message container (0x79) of Security mode
 * complete.
 *
 * ESM pairing (clause 6): a PDN connectivity request is answered by the default
 * bearer's Activate default EPS bearer context accept / reject or by PDN connectivity
 * reject (key: the UE; some networks send the reject with PTI 0); a PDN disconnect,
 * bearer resource allocation or modification request is answered by the accept or
 * reject of the network command it triggered (that command carries the request's PTI)
 * or by its own reject; network-initiated bearer procedures are keyed by EPS bearer
 * identity.
 */
#include <string.h>

#include "tpa_3gpp.h"
#include "tpa_fmt.h"
#include "tpa_malformed.h"
#include "tpa_nas_int.h"

#define PD_EMM 7
#define PD_ESM 2
#define PROTO "nas-eps"

/* TS 24.301 table 9.8.1: EMM message types. */
static const char *const emm_names[256] = {
    [0x41] = "Attach request",
    [0x42] = "Attach accept",
    [0x43] = "Attach complete",
    [0x44] = "Attach reject",
    [0x45] = "Detach request",
    [0x46] = "Detach accept",
    [0x48] = "Tracking area update request",
    [0x49] = "Tracking area update accept",
    [0x4a] = "Tracking area update complete",
    [0x4b] = "Tracking area update reject",
    [0x4c] = "Extended service request",
    [0x4d] = "Control plane service request",
    [0x4e] = "Service reject",
    [0x4f] = "Service accept",
    [0x50] = "GUTI reallocation command",
    [0x51] = "GUTI reallocation complete",
    [0x52] = "Authentication request",
    [0x53] = "Authentication response",
    [0x54] = "Authentication reject",
    [0x5c] = "Authentication failure",
    [0x55] = "Identity request",
    [0x56] = "Identity response",
    [0x5d] = "Security mode command",
    [0x5e] = "Security mode complete",
    [0x5f] = "Security mode reject",
    [0x60] = "EMM status",
    [0x61] = "EMM information",
    [0x62] = "Downlink NAS transport",
    [0x63] = "Uplink NAS transport",
    [0x64] = "CS service notification",
    [0x68] = "Downlink generic NAS transport",
    [0x69] = "Uplink generic NAS transport",
};

/* TS 24.301 table 9.8.2: ESM message types. */
static const char *const esm_names[256] = {
    [0xc1] = "Activate default EPS bearer context request",
    [0xc2] = "Activate default EPS bearer context accept",
    [0xc3] = "Activate default EPS bearer context reject",
    [0xc5] = "Activate dedicated EPS bearer context request",
    [0xc6] = "Activate dedicated EPS bearer context accept",
    [0xc7] = "Activate dedicated EPS bearer context reject",
    [0xc9] = "Modify EPS bearer context request",
    [0xca] = "Modify EPS bearer context accept",
    [0xcb] = "Modify EPS bearer context reject",
    [0xcd] = "Deactivate EPS bearer context request",
    [0xce] = "Deactivate EPS bearer context accept",
    [0xd0] = "PDN connectivity request",
    [0xd1] = "PDN connectivity reject",
    [0xd2] = "PDN disconnect request",
    [0xd3] = "PDN disconnect reject",
    [0xd4] = "Bearer resource allocation request",
    [0xd5] = "Bearer resource allocation reject",
    [0xd6] = "Bearer resource modification request",
    [0xd7] = "Bearer resource modification reject",
    [0xd9] = "ESM information request",
    [0xda] = "ESM information response",
    [0xdb] = "Notification",
    [0xdc] = "ESM dummy message",
    [0xe8] = "ESM status",
    [0xe9] = "Remote UE report",
    [0xea] = "Remote UE report response",
    [0xeb] = "ESM data transport",
};

/* TS 24.301 9.9.3.9: EMM cause. */
static const char *const emm_causes[256] = {
    [2] = "IMSI unknown in HSS",
    [3] = "Illegal UE",
    [5] = "IMEI not accepted",
    [6] = "Illegal ME",
    [7] = "EPS services not allowed",
    [8] = "EPS services and non-EPS services not allowed",
    [9] = "UE identity cannot be derived by the network",
    [10] = "Implicitly detached",
    [11] = "PLMN not allowed",
    [12] = "Tracking area not allowed",
    [13] = "Roaming not allowed in this tracking area",
    [14] = "EPS services not allowed in this PLMN",
    [15] = "No suitable cells in tracking area",
    [16] = "MSC temporarily not reachable",
    [17] = "Network failure",
    [18] = "CS domain not available",
    [19] = "ESM failure",
    [20] = "MAC failure",
    [21] = "Synch failure",
    [22] = "Congestion",
    [23] = "UE security capabilities mismatch",
    [24] = "Security mode rejected, unspecified",
    [25] = "Not authorized for this CSG",
    [26] = "Non-EPS authentication unacceptable",
    [31] = "Redirection to 5GCN required",
    [35] = "Requested service option not authorized in this PLMN",
    [39] = "CS service temporarily not available",
    [40] = "No EPS bearer context activated",
    [42] = "Severe network failure",
    [78] = "PLMN not allowed to operate at the present UE location",
    TPA_NAS_PROTOCOL_ERROR_CAUSES,
};

/* TS 24.301 9.9.4.4: ESM cause. */
static const char *const esm_causes[256] = {
    [8] = "Operator determined barring",
    [26] = "Insufficient resources",
    [27] = "Missing or unknown APN",
    [28] = "Unknown PDN type",
    [29] = "User authentication failed",
    [30] = "Request rejected by Serving GW or PDN GW",
    [31] = "Request rejected, unspecified",
    [32] = "Service option not supported",
    [33] = "Requested service option not subscribed",
    [34] = "Service option temporarily out of order",
    [35] = "PTI already in use",
    [36] = "Regular deactivation",
    [37] = "EPS QoS not accepted",
    [38] = "Network failure",
    [39] = "Reactivation requested",
    [41] = "Semantic error in the TFT operation",
    [42] = "Syntactical error in the TFT operation",
    [43] = "Invalid EPS bearer identity",
    [44] = "Semantic errors in packet filter(s)",
    [45] = "Syntactical errors in packet filter(s)",
    [47] = "PTI mismatch",
    [49] = "Last PDN disconnection not allowed",
    [50] = "PDN type IPv4 only allowed",
    [51] = "PDN type IPv6 only allowed",
    [52] = "Single address bearers only allowed",
    [53] = "ESM information not received",
    [54] = "PDN connection does not exist",
    [55] = "Multiple PDN connections for a given APN not allowed",
    [56] = "Collision with network initiated request",
    [57] = "PDN type IPv4v6 only allowed",
    [58] = "PDN type non IP only allowed",
    [59] = "Unsupported QCI value",
    [60] = "Bearer handling not supported",
    [61] = "PDN type Ethernet only allowed",
    [65] = "Maximum number of EPS bearers reached",
    [66] = "Requested APN not supported in current RAT and PLMN combination",
    [81] = "Invalid PTI value",
    TPA_NAS_PROTOCOL_ERROR_CAUSES,
    [112] = "APN restriction value incompatible with active EPS bearer context",
    [113] = "Multiple accesses to a PDN connection not allowed",
};

/* Type 3 (TV) EMM IEs with IEI < 0x80 and their total lengths (clause 8.2): old
 * P-TMSI signature, last visited registered TAI, DRX parameter, (old) location area
 * identification, T3402 / additional information requested, T3423, EMM cause, T3412,
 * T3442, (replayed) NonceUE, NonceMME, local time zone, universal time and local time
 * zone. */
static const tpa_nas_tv_t emm_tv[] = {{0x19, 4}, {0x52, 6}, {0x5c, 3}, {0x13, 6}, {0x17, 2},
                                      {0x59, 2}, {0x53, 2}, {0x5a, 2}, {0x5b, 2}, {0x55, 5},
                                      {0x56, 5}, {0x46, 2}, {0x47, 8}, {0, 0}};
/* ESM (clause 8.3): negotiated LLC SAPI, ESM cause. */
static const tpa_nas_tv_t esm_tv[] = {{0x32, 2}, {0x58, 2}, {0, 0}};


typedef struct body {
    tpa_nas_msg_t m;
    int reason; /* TPA_MAL_* when malformed, -1 otherwise */
    int nn;
    struct {
        tpa_rd_t r;
        bool copy; /* replayed NAS message container: a copy, counted, no procedure */
        bool esm;  /* ESM message container: an ESM message (9.9.3.15) */
    } nest[TPA_NAS_MAX_NESTED];
    bool switch_off; /* Detach request from the UE with switch off */
    char apn[TPA_3GPP_APN_MAX];
} body_t;

static void nest(body_t *b, tpa_rd_t r, bool copy)
{
    if (b->nn < TPA_NAS_MAX_NESTED) {
        b->nest[b->nn].r = r;
        b->nest[b->nn].copy = copy;
        b->nest[b->nn].esm = !copy;
        b->nn++;
    }
}

/* ---- identities ---- */

/* EPS mobile identity (9.9.3.12): type in bits 3-1 of the first octet: 1 IMSI, 3 IMEI
 * (digits, the first in bits 8-5), 6 GUTI (PLMN, MME group id (2), MME code (1),
 * M-TMSI (4)). */
static void eps_mobile_id(tpa_nas_msg_t *m, tpa_rd_t v)
{
    if (!tpa_rd_has(&v, 1)) return;
    uint8_t o = tpa_rd_peek(&v, 0);
    char d[24], mcc[4], mnc[4];
    switch (o & 7) {
    case 1:
        if (tpa_nas_bcd(v, true, d, sizeof d)) tpa_nas_id_s(m, TPA_ID_IMSI, d);
        break;
    case 3:
        if (tpa_nas_bcd(v, true, d, sizeof d)) tpa_nas_id_s(m, TPA_ID_IMEI, d);
        break;
    case 6: {
        tpa_rd_skip(&v, 1);
        if (!tpa_nas_plmn(&v, mcc, mnc)) return;
        unsigned mmegi = tpa_rd_be16(&v);
        unsigned mmec = tpa_rd_u8(&v);
        uint32_t mtmsi = tpa_rd_be32(&v);
        if (v.err) return;
        /* "<mcc><mnc>-<MME group id>-<MME code>-<M-TMSI %08x>", the M-TMSI its tail */
        char g[64];
        tpa_fmt_t f;
        tpa_nas_guti_head(&f, g, sizeof g, mcc, mnc, mmegi);
        tpa_fmt_u(&f, mmec);
        tpa_fmt_c(&f, '-');
        size_t s_tmsi = tpa_fmt_len(&f);
        tpa_fmt_x(&f, mtmsi, 8);
        tpa_nas_id_s(m, TPA_ID_GUTI, g);
        tpa_nas_id_s(m, TPA_ID_TMSI, g + s_tmsi);
        break;
    }
    default:
        break;
    }
}

/* Mobile identity of TS 24.008 10.5.1.4 (Identity response, MS identity, IMEISV):
 * 1 IMSI, 2 IMEI, 3 IMEISV, 4 TMSI / P-TMSI / M-TMSI (4 octets after the first). */
static void gsm_mobile_id(tpa_nas_msg_t *m, tpa_rd_t v)
{
    if (!tpa_rd_has(&v, 1)) return;
    uint8_t o = tpa_rd_peek(&v, 0);
    char d[24];
    switch (o & 7) {
    case 1:
        if (tpa_nas_bcd(v, true, d, sizeof d)) tpa_nas_id_s(m, TPA_ID_IMSI, d);
        break;
    case 2:
    case 3:
        if (tpa_nas_bcd(v, true, d, sizeof d)) tpa_nas_id_s(m, TPA_ID_IMEI, d);
        break;
    case 4: {
        tpa_rd_skip(&v, 1);
        uint32_t tmsi = tpa_rd_be32(&v);
        if (v.err) break;
        char t[12];
        tpa_fmt_t f;
        tpa_fmt_init(&f, t, sizeof t);
        tpa_fmt_x(&f, tmsi, 8);
        tpa_nas_id_s(m, TPA_ID_TMSI, t);
        break;
    }
    default:
        break;
    }
}

static void apn(body_t *b, tpa_rd_t v)
{
    tpa_3gpp_apn(&v, tpa_rd_remaining(&v), b->apn, sizeof b->apn);
}

/* A cause on a successful answer says why, it is not a failure cause. */
static void drop_success_cause(tpa_nas_msg_t *m)
{
    if (m->sig.kind == TPA_SIG_RESPONSE && m->sig.outcome == TPA_SIG_OK) m->sig.has_cause = false;
}

static void walk_nested(tpa_nas_walk_t *w, body_t *b);

/* ---- ESM ---- */

static void esm_cause(tpa_nas_msg_t *m, unsigned cause)
{
    tpa_nas_cause(m, cause, esm_causes[cause & 0xff], "esm");
}

static bool esm_mandatory(body_t *b, unsigned type, tpa_rd_t *r)
{
    switch (type) {
    case 0xc1: { /* EPS QoS, APN, PDN address */
        tpa_nas_lv(r, 1);
        tpa_rd_t a = tpa_nas_lv(r, 1);
        tpa_rd_t p = tpa_nas_lv(r, 1);
        if (!r->err) {
            apn(b, a);
            tpa_nas_ue_address(&b->m, p); /* PDN address */
        }
        break;
    }
    case 0xc5: /* linked EBI, EPS QoS, TFT */
        tpa_rd_skip(r, 1);
        tpa_nas_lv(r, 1);
        tpa_nas_lv(r, 1);
        break;
    case 0xd4: /* linked EBI, traffic flow aggregate, required traffic flow QoS */
        tpa_rd_skip(r, 1);
        tpa_nas_lv(r, 1);
        tpa_nas_lv(r, 1);
        break;
    case 0xd6: /* EBI for packet filter, traffic flow aggregate */
        tpa_rd_skip(r, 1);
        tpa_nas_lv(r, 1);
        break;
    case 0xd0: /* request type + PDN type */
    case 0xd2: /* linked EBI */
        tpa_rd_skip(r, 1);
        break;
    case 0xc3:
    case 0xc7:
    case 0xcb:
    case 0xcd:
    case 0xd1:
    case 0xd3:
    case 0xd5:
    case 0xd7:
    case 0xe8: { /* ESM cause */
        unsigned cause = tpa_rd_u8(r);
        if (!r->err) esm_cause(&b->m, cause);
        break;
    }
    case 0xdb: /* notification indicator */
        tpa_nas_lv(r, 1);
        break;
    case 0xeb: /* user data container */
        tpa_nas_lv(r, 2);
        break;
    default:
        break;
    }
    return !r->err;
}

static void esm_opt(body_t *b, unsigned type, const tpa_nas_ie_t *ie)
{
    tpa_rd_t v = ie->val;
    switch (ie->iei) {
    case 0x28: /* access point name */
        if (type == 0xd0 || type == 0xda) apn(b, v);
        break;
    case 0x58: /* ESM cause (TV) */
        if (tpa_rd_has(&v, 1)) esm_cause(&b->m, tpa_rd_peek(&v, 0));
        break;
    default:
        break;
    }
}

static const char *esm_pending_name(unsigned proc)
{
    switch (proc) {
    case TPA_NAS_ESM_PDN_DISCONNECT: return "PDN Disconnect";
    case TPA_NAS_ESM_BEARER_ALLOC: return "Bearer Resource Allocation";
    case TPA_NAS_ESM_BEARER_MODIF: return "Bearer Resource Modification";
    default: return NULL;
    }
}

static void esm_pending_set(tpa_nas_uest_t *s, unsigned proc)
{
    if (!s) return;
    s->esm_proc = (uint8_t)proc;
    s->esm_ebis = 0;
}

/* Procedures and pairing of ESM (see the head of this file). */
static void esm_semantics(tpa_nas_walk_t *w, tpa_nas_msg_t *m, unsigned type, unsigned ebi,
                          unsigned pti)
{
    const char *pdn = "PDN Connectivity";
    const char *bearer = NULL;
    tpa_nas_uest_t *s = w->dry || w->echo ? NULL : tpa_nas_uest(w->ue, true);
    uint16_t bit = (uint16_t)(1u << (ebi & 15));
    tpa_nas_key(m, w, NULL, 0);
    switch (type) {
    case 0xd0: tpa_nas_proc(m, TPA_SIG_REQUEST, pdn, TPA_SIG_OK); return;
    case 0xc2: tpa_nas_proc(m, TPA_SIG_RESPONSE, pdn, TPA_SIG_OK); return;
    case 0xc3:
    case 0xd1: tpa_nas_proc(m, TPA_SIG_RESPONSE, pdn, TPA_SIG_FAILURE); return;
    case 0xd9:
    case 0xda:
        tpa_nas_key(m, w, "|pti=", pti);
        tpa_nas_proc(m, type == 0xd9 ? TPA_SIG_REQUEST : TPA_SIG_RESPONSE, "ESM Information",
                     TPA_SIG_OK);
        return;
    case 0xd2:
    case 0xd4:
    case 0xd6: {
        unsigned p = type == 0xd2   ? TPA_NAS_ESM_PDN_DISCONNECT
                     : type == 0xd4 ? TPA_NAS_ESM_BEARER_ALLOC
                                    : TPA_NAS_ESM_BEARER_MODIF;
        tpa_nas_proc(m, TPA_SIG_REQUEST, esm_pending_name(p), TPA_SIG_OK);
        esm_pending_set(s, p);
        return;
    }
    case 0xd3:
    case 0xd5:
    case 0xd7: {
        unsigned p = type == 0xd3   ? TPA_NAS_ESM_PDN_DISCONNECT
                     : type == 0xd5 ? TPA_NAS_ESM_BEARER_ALLOC
                                    : TPA_NAS_ESM_BEARER_MODIF;
        tpa_nas_proc(m, TPA_SIG_RESPONSE, esm_pending_name(p), TPA_SIG_FAILURE);
        if (s && s->esm_proc == p) esm_pending_set(s, TPA_NAS_ESM_NONE);
        return;
    }
    case 0xe8: tpa_nas_proc(m, TPA_SIG_INDICATION, NULL, TPA_SIG_FAILURE); return;
    case 0xc5:
    case 0xc6:
    case 0xc7: bearer = "Dedicated EPS Bearer Activation"; break;
    case 0xc9:
    case 0xca:
    case 0xcb: bearer = "EPS Bearer Modification"; break;
    case 0xcd:
    case 0xce: bearer = "EPS Bearer Deactivation"; break;
    default: return; /* 0xc1 and the rest: indications */
    }
    bool command = type == 0xc5 || type == 0xc9 || type == 0xcd;
    bool fail = type == 0xc7 || type == 0xcb;
    if (command) {
        if (pti && s && s->esm_proc) { /* answers the UE's pending request */
            s->esm_ebis |= bit;
            return;
        }
        tpa_nas_key(m, w, "|ebi=", ebi);
        tpa_nas_proc(m, TPA_SIG_REQUEST, bearer, TPA_SIG_OK);
        return;
    }
    if (s && s->esm_proc && (s->esm_ebis & bit)) {
        tpa_nas_proc(m, TPA_SIG_RESPONSE, esm_pending_name(s->esm_proc),
                     fail ? TPA_SIG_FAILURE : TPA_SIG_OK);
        s->esm_ebis &= (uint16_t)~bit;
        if (!s->esm_ebis) esm_pending_set(s, TPA_NAS_ESM_NONE);
        return;
    }
    tpa_nas_key(m, w, "|ebi=", ebi);
    tpa_nas_proc(m, TPA_SIG_RESPONSE, bearer, fail ? TPA_SIG_FAILURE : TPA_SIG_OK);
}

/* One ESM message at r. Returns whether it is a counted, well-formed message. */
static bool esm_msg(tpa_nas_walk_t *w, tpa_rd_t r)
{
    unsigned ebi = tpa_rd_u8(&r) >> 4;
    unsigned pti = tpa_rd_u8(&r);
    unsigned type = tpa_rd_u8(&r);
    if (r.err) {
        tpa_nas_bad(w, TPA_MAL_NASEPS_TRUNCATED);
        return false;
    }
    if (!esm_names[type]) return false;
    body_t b;
    b.reason = -1;
    b.nn = 0;
    b.switch_off = false;
    b.apn[0] = '\0';
    tpa_nas_msg_init(&b.m, PROTO, type, esm_names[type]);
    if (!esm_mandatory(&b, type, &r)) {
        b.reason = TPA_MAL_NASEPS_TRUNCATED;
    } else {
        tpa_nas_opts_t o;
        tpa_nas_ie_t ie;
        tpa_nas_opts_init(&o, &r, esm_tv, NULL);
        while (tpa_nas_opts_next(&o, &ie))
            esm_opt(&b, type, &ie);
        if (o.bad) b.reason = TPA_MAL_NASEPS_IE_LEN_INVALID;
    }
    if (ebi) tpa_nas_id_u(&b.m, TPA_ID_PDU_SESSION, ebi);
    if (b.apn[0]) tpa_nas_id_s(&b.m, TPA_ID_DNN, b.apn);
    esm_semantics(w, &b.m, type, ebi, pti);
    drop_success_cause(&b.m);
    if (b.reason >= 0) tpa_nas_bad(w, b.reason);
    tpa_nas_report(w, &b.m);
    return b.reason < 0;
}

/* ---- EMM ---- */

static void emm_cause(tpa_nas_msg_t *m, unsigned cause)
{
    tpa_nas_cause(m, cause, emm_causes[cause & 0xff], "emm");
}

static bool emm_mandatory(tpa_nas_walk_t *w, body_t *b, unsigned type, tpa_rd_t *r)
{
    switch (type) {
    case 0x41: { /* attach type + KSI, EPS mobile identity, UE network capability, ESM */
        tpa_rd_skip(r, 1);
        tpa_rd_t id = tpa_nas_lv(r, 1);
        tpa_nas_lv(r, 1);
        tpa_rd_t esm = tpa_nas_lv(r, 2);
        if (!r->err) {
            eps_mobile_id(&b->m, id);
            nest(b, esm, false);
        }
        break;
    }
    case 0x42: { /* attach result, T3412, TAI list, ESM message container */
        tpa_rd_skip(r, 2);
        tpa_nas_lv(r, 1);
        tpa_rd_t esm = tpa_nas_lv(r, 2);
        if (!r->err) nest(b, esm, false);
        break;
    }
    case 0x43: { /* ESM message container */
        tpa_rd_t esm = tpa_nas_lv(r, 2);
        if (!r->err) nest(b, esm, false);
        break;
    }
    case 0x45: { /* detach type (+ KSI from the UE); from the UE an EPS mobile identity */
        unsigned o = tpa_rd_u8(r);
        if (tpa_rd_has(r, 1) && tpa_rd_peek(r, 0) != 0x53) {
            b->switch_off = (o & 0x08) != 0;
            tpa_rd_t id = tpa_nas_lv(r, 1);
            if (!r->err) eps_mobile_id(&b->m, id);
        }
        break;
    }
    case 0x48: /* EPS update type + KSI, old GUTI */
    case 0x4c: { /* service type + KSI, M-TMSI */
        tpa_rd_skip(r, 1);
        tpa_rd_t id = tpa_nas_lv(r, 1);
        if (!r->err) {
            if (type == 0x48)
                eps_mobile_id(&b->m, id);
            else
                gsm_mobile_id(&b->m, id);
        }
        break;
    }
    case 0x50: { /* GUTI */
        tpa_rd_t id = tpa_nas_lv(r, 1);
        if (!r->err) eps_mobile_id(&b->m, id);
        break;
    }
    case 0x56: { /* mobile identity */
        tpa_rd_t id = tpa_nas_lv(r, 1);
        if (!r->err) gsm_mobile_id(&b->m, id);
        break;
    }
    case 0x44:
    case 0x4b:
    case 0x4e:
    case 0x5c:
    case 0x5f:
    case 0x60: { /* EMM cause */
        unsigned cause = tpa_rd_u8(r);
        if (!r->err) emm_cause(&b->m, cause);
        break;
    }
    case 0x49: /* EPS update result */
    case 0x4d: /* control plane service type + KSI */
    case 0x55: /* identity type */
    case 0x64: /* paging identity */
        tpa_rd_skip(r, 1);
        break;
    case 0x52: /* KSI, RAND, AUTN */
        tpa_rd_skip(r, 17);
        tpa_nas_lv(r, 1);
        break;
    case 0x53: /* RES */
    case 0x62:
    case 0x63: /* NAS message container */
        tpa_nas_lv(r, 1);
        break;
    case 0x5d: { /* selected algorithms, KSI, replayed UE security capabilities */
        unsigned algs = tpa_rd_u8(r);
        tpa_rd_skip(r, 1);
        tpa_nas_lv(r, 1);
        /* the type of ciphering algorithm: bits 7-5 of the selected NAS security
         * algorithms (9.9.3.23), 0 = EEA0 */
        if (!r->err) tpa_nas_remember_sec(w, ((algs >> 4) & 7) == 0);
        break;
    }
    case 0x68:
    case 0x69: /* generic message container type, generic message container */
        tpa_rd_skip(r, 1);
        tpa_nas_lv(r, 2);
        break;
    default:
        break;
    }
    return !r->err;
}

static void emm_opt(body_t *b, unsigned type, const tpa_nas_ie_t *ie)
{
    tpa_rd_t v = ie->val;
    switch (ie->iei) {
    case 0x50: /* GUTI / additional GUTI */
        if (type == 0x41 || type == 0x42 || type == 0x48 || type == 0x49) eps_mobile_id(&b->m, v);
        break;
    case 0x23: /* MS identity / IMEISV */
        if (type == 0x42 || type == 0x49 || type == 0x5e) gsm_mobile_id(&b->m, v);
        break;
    case 0x53: /* EMM cause (TV) */
        if ((type == 0x42 || type == 0x49 || type == 0x45) && tpa_rd_has(&v, 1))
            emm_cause(&b->m, tpa_rd_peek(&v, 0));
        break;
    case 0x78: /* ESM message container */
        if (type == 0x44 || type == 0x4d) nest(b, v, false);
        break;
    case 0x79: /* replayed NAS message container */
        if (type == 0x5e) nest(b, v, true);
        break;
    default:
        break;
    }
}

/* Procedures and pairing of EMM (clause 5). */
static void emm_semantics(tpa_nas_walk_t *w, body_t *b, unsigned type)
{
    tpa_nas_msg_t *m = &b->m;
    const char *au = "Authentication", *smc = "Security Mode", *tau = "Tracking Area Update",
               *sr = "Service Request";
    tpa_nas_key(m, w, NULL, 0);
    switch (type) {
    case 0x41: tpa_nas_proc(m, TPA_SIG_REQUEST, "Attach", TPA_SIG_OK); break;
    case 0x42: tpa_nas_proc(m, TPA_SIG_RESPONSE, "Attach", TPA_SIG_OK); break;
    case 0x44: tpa_nas_proc(m, TPA_SIG_RESPONSE, "Attach", TPA_SIG_FAILURE); break;
    case 0x45:
        if (!b->switch_off) tpa_nas_proc(m, TPA_SIG_REQUEST, "Detach", TPA_SIG_OK);
        break;
    case 0x46: tpa_nas_proc(m, TPA_SIG_RESPONSE, "Detach", TPA_SIG_OK); break;
    case 0x48: tpa_nas_proc(m, TPA_SIG_REQUEST, tau, TPA_SIG_OK); break;
    case 0x49: tpa_nas_proc(m, TPA_SIG_RESPONSE, tau, TPA_SIG_OK); break;
    case 0x4b: tpa_nas_proc(m, TPA_SIG_RESPONSE, tau, TPA_SIG_FAILURE); break;
    case 0x4d: tpa_nas_proc(m, TPA_SIG_REQUEST, sr, TPA_SIG_OK); break;
    case 0x4f: tpa_nas_proc(m, TPA_SIG_RESPONSE, sr, TPA_SIG_OK); break;
    case 0x4e: tpa_nas_proc(m, TPA_SIG_RESPONSE, sr, TPA_SIG_FAILURE); break;
    case 0x50: tpa_nas_proc(m, TPA_SIG_REQUEST, "GUTI Reallocation", TPA_SIG_OK); break;
    case 0x51: tpa_nas_proc(m, TPA_SIG_RESPONSE, "GUTI Reallocation", TPA_SIG_OK); break;
    case 0x52: tpa_nas_proc(m, TPA_SIG_REQUEST, au, TPA_SIG_OK); break;
    case 0x53: tpa_nas_proc(m, TPA_SIG_RESPONSE, au, TPA_SIG_OK); break;
    case 0x54:
    case 0x5c: tpa_nas_proc(m, TPA_SIG_RESPONSE, au, TPA_SIG_FAILURE); break;
    case 0x55: tpa_nas_proc(m, TPA_SIG_REQUEST, "Identity", TPA_SIG_OK); break;
    case 0x56: tpa_nas_proc(m, TPA_SIG_RESPONSE, "Identity", TPA_SIG_OK); break;
    case 0x5d: tpa_nas_proc(m, TPA_SIG_REQUEST, smc, TPA_SIG_OK); break;
    case 0x5e: tpa_nas_proc(m, TPA_SIG_RESPONSE, smc, TPA_SIG_OK); break;
    case 0x5f: tpa_nas_proc(m, TPA_SIG_RESPONSE, smc, TPA_SIG_FAILURE); break;
    case 0x60: tpa_nas_proc(m, TPA_SIG_INDICATION, NULL, TPA_SIG_FAILURE); break;
    default: break; /* completes, transports, information, ESR: indications */
    }
    drop_success_cause(m);
}

/* One plain EMM message at r. Returns whether it is a counted, well-formed message. */
static bool emm_msg(tpa_nas_walk_t *w, tpa_rd_t r)
{
    tpa_rd_skip(&r, 1);
    unsigned type = tpa_rd_u8(&r);
    if (r.err) {
        tpa_nas_bad(w, TPA_MAL_NASEPS_TRUNCATED);
        return false;
    }
    if (!emm_names[type]) return false;
    body_t b;
    b.reason = -1;
    b.nn = 0;
    b.switch_off = false;
    b.apn[0] = '\0';
    tpa_nas_msg_init(&b.m, PROTO, type, emm_names[type]);
    if (!emm_mandatory(w, &b, type, &r)) {
        b.reason = TPA_MAL_NASEPS_TRUNCATED;
    } else {
        tpa_nas_opts_t o;
        tpa_nas_ie_t ie;
        tpa_nas_opts_init(&o, &r, emm_tv, NULL);
        while (tpa_nas_opts_next(&o, &ie))
            emm_opt(&b, type, &ie);
        if (o.bad) b.reason = TPA_MAL_NASEPS_IE_LEN_INVALID;
    }
    emm_semantics(w, &b, type);
    if (b.reason >= 0) tpa_nas_bad(w, b.reason);
    tpa_nas_report(w, &b.m);
    walk_nested(w, &b);
    return b.reason < 0;
}

/* A plain message after a security header (EMM or ESM); ciphered: see tpa_nas5gs.c. */
static bool plain(tpa_nas_walk_t *w, tpa_rd_t r, bool ciphered)
{
    if (!tpa_rd_has(&r, 1)) {
        if (!ciphered) tpa_nas_bad(w, TPA_MAL_NASEPS_TRUNCATED);
        return false;
    }
    unsigned pd = tpa_rd_peek(&r, 0) & 0x0f;
    if (pd == PD_EMM) return emm_msg(w, r);
    if (pd == PD_ESM) return esm_msg(w, r);
    if (!ciphered) tpa_nas_bad(w, TPA_MAL_NASEPS_BAD_PD);
    return false;
}

void tpa_naseps_walk(tpa_nas_walk_t *w, tpa_rd_t r)
{
    if (!tpa_rd_has(&r, 1)) {
        tpa_nas_bad(w, TPA_MAL_NASEPS_TRUNCATED);
        return;
    }
    uint8_t o = tpa_rd_peek(&r, 0);
    unsigned pd = o & 0x0f, sht = o >> 4;
    if (pd == PD_ESM) {
        esm_msg(w, r);
        return;
    }
    if (pd != PD_EMM) {
        tpa_nas_bad(w, TPA_MAL_NASEPS_BAD_PD);
        return;
    }
    if (sht == 0) {
        emm_msg(w, r);
        return;
    }
    if (sht >= 12) { /* Service request: 4 octets, no message type */
        if (!tpa_rd_has(&r, 4)) tpa_nas_bad(w, TPA_MAL_NASEPS_TRUNCATED);
        return;
    }
    if (sht > 4) {
        tpa_nas_bad(w, TPA_MAL_NASEPS_BAD_SEC_HDR);
        return;
    }
    tpa_rd_skip(&r, 6); /* security header type + PD, MAC, sequence number */
    if (r.err) {
        tpa_nas_bad(w, TPA_MAL_NASEPS_TRUNCATED);
        return;
    }
    tpa_nas_protected(w, r, sht, plain);
}

static void walk_nested(tpa_nas_walk_t *w, body_t *b)
{
    tpa_nas_walk_t n;
    if (!tpa_nas_nested(w, b->nn, TPA_MAL_NASEPS_TOO_DEEP, &n)) return;
    for (int i = 0; i < b->nn; i++) {
        n.echo = w->echo || b->nest[i].copy;
        if (!b->nest[i].esm) {
            tpa_naseps_walk(&n, b->nest[i].r);
            continue;
        }
        /* read as ESM whatever its discriminator says (so does tshark) */
        tpa_rd_t r = b->nest[i].r;
        if (tpa_rd_has(&r, 1) && (tpa_rd_peek(&r, 0) & 0x0f) != PD_ESM)
            tpa_nas_bad(&n, TPA_MAL_NASEPS_BAD_PD);
        esm_msg(&n, r);
    }
}

void tpa_naseps_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *pdu, const tpa_nas_ue_t *ue)
{
    tpa_nas_dissect(c, pdu, ue, true, tpa_naseps_walk);
}
