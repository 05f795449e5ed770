/* tpa_gtpv2.c - GTPv2-C messages, 3GPP TS 29.274 V17 (see tpa_gtpv2.h).
 *
 * Header (section 5.1, 5.5): octet 1 = Version (3 bits, 2) | P (piggybacked) | T
 * (TEID present) | MP (message priority present) | spare (2); octet 2 message type;
 * octets 3-4 Message Length = the octets after the first 4. T = 1: TEID (4 octets)
 * follows. Then the Sequence Number (3 octets) and one octet (message priority in the
 * upper nibble when MP = 1, spare otherwise): 12 octets with a TEID, 8 without.
 * P = 1 (section 5.5.1): another GTPv2 message (the piggybacked one: a Create Bearer
 * Request after a Create Session Response, for instance) starts right after this
 * message's last octet in the same UDP datagram; its own P flag is 0.
 *
 * IEs (section 8.2): Type (1 octet), Length (2 octets, the octets after the first
 * 4), spare (4 bits) | Instance (4 bits), value. Grouped IEs (Bearer Context, PDN
 * Connection, Overload/Load Control Information, Remote UE Context, SCEF PDN
 * Connection, V2X Context, PC5 QoS, PGW Change Info) hold IEs in the same format;
 * they are recursed up to MAX_DEPTH levels.
 *
 * Decoded values (section 8): IMSI (1, TBCD), Cause (2, 8.4: cause value, flags,
 * optional offending IE), APN (71, labels), EBI (73, low 4 bits), MEI (75, TBCD),
 * MSISDN (76, TBCD), PAA (79, 8.14: PDN type 1 IPv4, 2 IPv6 with prefix length, 3
 * both, prefix length first), F-TEID (87, 8.22: flags V4 0x80, V6 0x40, interface
 * type in the low 6 bits; TEID/GRE key; IPv4; IPv6).
 *
 * Outcome (section 8.4, table 8.4-1): cause values 16-63 accept a request ("Request
 * accepted", "Request accepted partially", new PDN type ...), 64 and above reject it;
 * 1-15 are causes carried in requests. Only a message's own (top-level) Cause
 * decides it, not those of its Bearer Contexts.
 *
 * A message is reported as soon as its first four octets are readable (as tshark
 * still shows the type of a message broken further on); what breaks the rules after
 * that is counted as a gtpv2.* malformation and decoding of that message stops.
 */
#include "tpa_gtpv2.h"

#include <stdio.h>
#include <string.h>

#include "tpa_3gpp.h"
#include "tpa_gtp.h"
#include "tpa_malformed.h"
#include "tpa_sig.h"

#define MAX_DEPTH 8 /* grouped IE nesting */
#define MAX_MSGS 4  /* a message and its piggybacked one (and room for a broken chain) */

typedef struct msg_def {
    uint8_t type;
    uint8_t kind; /* tpa_sig_kind_t, | FAIL for failure indications */
    const char *name;
    const char *proc;
} msg_def_t;

#define REQ TPA_SIG_REQUEST
#define RSP TPA_SIG_RESPONSE
#define IND TPA_SIG_INDICATION
#define FAIL 0x80

/* Table 6.1-1. Commands (Modify/Delete Bearer Command, Bearer Resource Command) are
 * answered by a request of another procedure or by a failure indication: both are
 * counted as indications, the failure indications with a failure outcome. */
static const msg_def_t msgs[] = {
    {1, REQ, "Echo Request", "Echo"},
    {2, RSP, "Echo Response", "Echo"},
    {3, IND, "Version Not Supported Indication", NULL},
    {4, REQ, "Node Alive Request", "Node Alive"},
    {5, RSP, "Node Alive Response", "Node Alive"},
    {6, REQ, "Redirection Request", "Redirection"},
    {7, RSP, "Redirection Response", "Redirection"},
    {25, REQ, "SRVCC PS to CS Request", "SRVCC PS to CS"},
    {26, RSP, "SRVCC PS to CS Response", "SRVCC PS to CS"},
    {27, REQ, "SRVCC PS to CS Complete Notification", "SRVCC PS to CS Complete"},
    {28, RSP, "SRVCC PS to CS Complete Acknowledge", "SRVCC PS to CS Complete"},
    {29, REQ, "SRVCC PS to CS Cancel Notification", "SRVCC PS to CS Cancel"},
    {30, RSP, "SRVCC PS to CS Cancel Acknowledge", "SRVCC PS to CS Cancel"},
    {31, REQ, "SRVCC CS to PS Request", "SRVCC CS to PS"},
    {32, REQ, "Create Session Request", "Create Session"},
    {33, RSP, "Create Session Response", "Create Session"},
    {34, REQ, "Modify Bearer Request", "Modify Bearer"},
    {35, RSP, "Modify Bearer Response", "Modify Bearer"},
    {36, REQ, "Delete Session Request", "Delete Session"},
    {37, RSP, "Delete Session Response", "Delete Session"},
    {38, REQ, "Change Notification Request", "Change Notification"},
    {39, RSP, "Change Notification Response", "Change Notification"},
    {40, REQ, "Remote UE Report Notification", "Remote UE Report"},
    {41, RSP, "Remote UE Report Acknowledge", "Remote UE Report"},
    {64, IND, "Modify Bearer Command", NULL},
    {65, IND | FAIL, "Modify Bearer Failure Indication", NULL},
    {66, IND, "Delete Bearer Command", NULL},
    {67, IND | FAIL, "Delete Bearer Failure Indication", NULL},
    {68, IND, "Bearer Resource Command", NULL},
    {69, IND | FAIL, "Bearer Resource Failure Indication", NULL},
    {70, IND | FAIL, "Downlink Data Notification Failure Indication", NULL},
    {71, IND, "Trace Session Activation", NULL},
    {72, IND, "Trace Session Deactivation", NULL},
    {73, IND, "Stop Paging Indication", NULL},
    {95, REQ, "Create Bearer Request", "Create Bearer"},
    {96, RSP, "Create Bearer Response", "Create Bearer"},
    {97, REQ, "Update Bearer Request", "Update Bearer"},
    {98, RSP, "Update Bearer Response", "Update Bearer"},
    {99, REQ, "Delete Bearer Request", "Delete Bearer"},
    {100, RSP, "Delete Bearer Response", "Delete Bearer"},
    {101, REQ, "Delete PDN Connection Set Request", "Delete PDN Connection Set"},
    {102, RSP, "Delete PDN Connection Set Response", "Delete PDN Connection Set"},
    {103, REQ, "PGW Downlink Triggering Notification", "PGW Downlink Triggering"},
    {104, RSP, "PGW Downlink Triggering Acknowledge", "PGW Downlink Triggering"},
    {128, REQ, "Identification Request", "Identification"},
    {129, RSP, "Identification Response", "Identification"},
    {130, REQ, "Context Request", "Context"},
    {131, RSP, "Context Response", "Context"},
    {132, IND, "Context Acknowledge", NULL},
    {133, REQ, "Forward Relocation Request", "Forward Relocation"},
    {134, RSP, "Forward Relocation Response", "Forward Relocation"},
    {135, REQ, "Forward Relocation Complete Notification", "Forward Relocation Complete"},
    {136, RSP, "Forward Relocation Complete Acknowledge", "Forward Relocation Complete"},
    {137, REQ, "Forward Access Context Notification", "Forward Access Context"},
    {138, RSP, "Forward Access Context Acknowledge", "Forward Access Context"},
    {139, REQ, "Relocation Cancel Request", "Relocation Cancel"},
    {140, RSP, "Relocation Cancel Response", "Relocation Cancel"},
    {141, IND, "Configuration Transfer Tunnel", NULL},
    {149, REQ, "Detach Notification", "Detach"},
    {150, RSP, "Detach Acknowledge", "Detach"},
    {151, IND, "CS Paging Indication", NULL},
    {152, IND, "RAN Information Relay", NULL},
    {153, REQ, "Alert MME Notification", "Alert MME"},
    {154, RSP, "Alert MME Acknowledge", "Alert MME"},
    {155, REQ, "UE Activity Notification", "UE Activity"},
    {156, RSP, "UE Activity Acknowledge", "UE Activity"},
    {157, IND, "ISR Status Indication", NULL},
    {158, REQ, "UE Registration Query Request", "UE Registration Query"},
    {159, RSP, "UE Registration Query Response", "UE Registration Query"},
    {160, REQ, "Create Forwarding Tunnel Request", "Create Forwarding Tunnel"},
    {161, RSP, "Create Forwarding Tunnel Response", "Create Forwarding Tunnel"},
    {162, REQ, "Suspend Notification", "Suspend"},
    {163, RSP, "Suspend Acknowledge", "Suspend"},
    {164, REQ, "Resume Notification", "Resume"},
    {165, RSP, "Resume Acknowledge", "Resume"},
    {166, REQ, "Create Indirect Data Forwarding Tunnel Request",
     "Create Indirect Data Forwarding Tunnel"},
    {167, RSP, "Create Indirect Data Forwarding Tunnel Response",
     "Create Indirect Data Forwarding Tunnel"},
    {168, REQ, "Delete Indirect Data Forwarding Tunnel Request",
     "Delete Indirect Data Forwarding Tunnel"},
    {169, RSP, "Delete Indirect Data Forwarding Tunnel Response",
     "Delete Indirect Data Forwarding Tunnel"},
    {170, REQ, "Release Access Bearers Request", "Release Access Bearers"},
    {171, RSP, "Release Access Bearers Response", "Release Access Bearers"},
    {176, REQ, "Downlink Data Notification", "Downlink Data Notification"},
    {177, RSP, "Downlink Data Notification Acknowledgement", "Downlink Data Notification"},
    {179, REQ, "PGW Restart Notification", "PGW Restart Notification"},
    {180, RSP, "PGW Restart Notification Acknowledge", "PGW Restart Notification"},
    {200, REQ, "Update PDN Connection Set Request", "Update PDN Connection Set"},
    {201, RSP, "Update PDN Connection Set Response", "Update PDN Connection Set"},
    {211, REQ, "Modify Access Bearers Request", "Modify Access Bearers"},
    {212, RSP, "Modify Access Bearers Response", "Modify Access Bearers"},
    {231, REQ, "MBMS Session Start Request", "MBMS Session Start"},
    {232, RSP, "MBMS Session Start Response", "MBMS Session Start"},
    {233, REQ, "MBMS Session Update Request", "MBMS Session Update"},
    {234, RSP, "MBMS Session Update Response", "MBMS Session Update"},
    {235, REQ, "MBMS Session Stop Request", "MBMS Session Stop"},
    {236, RSP, "MBMS Session Stop Response", "MBMS Session Stop"},
    {240, RSP, "SRVCC CS to PS Response", "SRVCC CS to PS"},
    {241, REQ, "SRVCC CS to PS Complete Notification", "SRVCC CS to PS Complete"},
    {242, RSP, "SRVCC CS to PS Complete Acknowledge", "SRVCC CS to PS Complete"},
    {243, REQ, "SRVCC CS to PS Cancel Notification", "SRVCC CS to PS Cancel"},
    {244, RSP, "SRVCC CS to PS Cancel Acknowledge", "SRVCC CS to PS Cancel"},
};

static const msg_def_t *msg_def(unsigned t)
{
    size_t lo = 0, hi = sizeof msgs / sizeof msgs[0];
    while (lo < hi) { /* msgs is sorted by type */
        size_t mid = (lo + hi) / 2;
        if (msgs[mid].type == t) return &msgs[mid];
        if (msgs[mid].type < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *tpa_gtpv2_msg_name(unsigned t)
{
    const msg_def_t *d = msg_def(t);
    return d ? d->name : NULL;
}

/* Table 8.4-1. */
static const char *const cause_names[256] = {
    [2] = "Local Detach",
    [3] = "Complete Detach",
    [4] = "RAT changed from 3GPP to Non-3GPP",
    [5] = "ISR deactivation",
    [6] = "Error Indication received from RNC/eNodeB/S4-SGSN",
    [7] = "IMSI Detach Only",
    [8] = "Reactivation Requested",
    [9] = "PDN reconnection to this APN disallowed",
    [10] = "Access changed from Non-3GPP to 3GPP",
    [11] = "PDN connection inactivity timer expires",
    [12] = "PGW not responding",
    [13] = "Network Failure",
    [14] = "QoS parameter mismatch",
    [15] = "EPS to 5GS Mobility",
    [16] = "Request accepted",
    [17] = "Request accepted partially",
    [18] = "New PDN type due to network preference",
    [19] = "New PDN type due to single address bearer only",
    [64] = "Context Not Found",
    [65] = "Invalid Message Format",
    [66] = "Version not supported by next peer",
    [67] = "Invalid length",
    [68] = "Service not supported",
    [69] = "Mandatory IE incorrect",
    [70] = "Mandatory IE missing",
    [71] = "Shall not be used",
    [72] = "System failure",
    [73] = "No resources available",
    [74] = "Semantic error in the TFT operation",
    [75] = "Syntactic error in the TFT operation",
    [76] = "Semantic errors in packet filter(s)",
    [77] = "Syntactic errors in packet filter(s)",
    [78] = "Missing or unknown APN",
    [79] = "Shall not be used",
    [80] = "GRE key not found",
    [81] = "Relocation failure",
    [82] = "Denied in RAT",
    [83] = "Preferred PDN type not supported",
    [84] = "All dynamic addresses are occupied",
    [85] = "UE context without TFT already activated",
    [86] = "Protocol type not supported",
    [87] = "UE not responding",
    [88] = "UE refuses",
    [89] = "Service denied",
    [90] = "Unable to page UE",
    [91] = "No memory available",
    [92] = "User authentication failed",
    [93] = "APN access denied - no subscription",
    [94] = "Request rejected(reason not specified)",
    [95] = "P-TMSI Signature mismatch",
    [96] = "IMSI/IMEI not known",
    [97] = "Semantic error in the TAD operation",
    [98] = "Syntactic error in the TAD operation",
    [99] = "Shall not be used",
    [100] = "Remote peer not responding",
    [101] = "Collision with network initiated request",
    [102] = "Unable to page UE due to Suspension",
    [103] = "Conditional IE missing",
    [104] = "APN Restriction type Incompatible with currently active PDN connection",
    [106] = "Data forwarding not supported",
    [107] = "Invalid reply from remote peer",
    [108] = "Fallback to GTPv1",
    [109] = "Invalid peer",
    [110] = "Temporarily rejected due to handover/TAU/RAU procedure in progress",
    [111] = "Modifications not limited to S1-U bearers",
    [112] = "Request rejected for a PMIPv6 reason",
    [113] = "APN Congestion",
    [114] = "Bearer handling not supported",
    [115] = "UE already re-attached",
    [116] = "Multiple PDN connections for a given APN not allowed",
    [117] = "Target access restricted for the subscriber",
    [118] = "Shall not be used",
    [119] = "MME/SGSN refuses due to VPLMN Policy",
    [120] = "GTP-C Entity Congestion",
    [121] = "Late Overlapping Request",
    [122] = "Timed out Request",
    [123] = "UE is temporarily not reachable due to power saving",
    [124] = "Relocation failure due to NAS message redirection",
    [125] = "UE not authorised by OCS or external AAA Server",
    [126] = "Multiple accesses to a PDN connection not allowed",
    [127] = "Request rejected due to UE capability",
    [128] = "S1-U Path Failure",
    [129] = "5GC not allowed",
    [130] = "PGW mismatch with network slice subscribed by the UE",
    [131] = "Rejection due to paging restriction",
};

const char *tpa_gtpv2_cause_name(unsigned v)
{
    return v < 256 ? cause_names[v] : NULL;
}

static bool grouped(unsigned t)
{
    switch (t) {
    case 93:  /* Bearer Context */
    case 109: /* PDN Connection */
    case 162: /* Overload Control Information */
    case 163: /* Load Control Information */
    case 173: /* Remote UE Context */
    case 177: /* SCEF PDN Connection */
    case 190: /* V2X Context */
    case 191: /* PC5 QoS Parameters */
    case 194: /* PC5 QoS Flow */
    case 196: /* PGW Change Info */
        return true;
    default:
        return false;
    }
}

typedef struct gst {
    tpa_dissect_ctx_t *c;
    tpa_sig_t *m;
    tpa_3gpp_ids_t *ids;
    bool bad;
    bool has_cause;
    uint8_t cause;
} gst_t;

static void ie_short(gst_t *s)
{
    tpa_dissect_short(s->c, TPA_MAL_GTPV2_IE_TRUNCATED);
    s->bad = true;
}

static void ie_invalid(gst_t *s)
{
    tpa_dissect_malformed(s->c, TPA_MAL_GTPV2_IE_INVALID);
    s->bad = true;
}

static void ie_digits(gst_t *s, tpa_rd_t *v, size_t len, tpa_id_kind_t kind)
{
    char dg[TPA_3GPP_DIGITS_MAX];
    if (tpa_3gpp_tbcd(v, len, dg, sizeof dg)) tpa_3gpp_add_id(s->m, s->ids, kind, dg);
}

static void ie_fteid(gst_t *s, tpa_rd_t *v)
{
    uint8_t fl = tpa_rd_u8(v);
    uint32_t teid = tpa_rd_be32(v);
    char a4[TPA_3GPP_ADDR_MAX] = "", a6[TPA_3GPP_ADDR_MAX] = "";
    if (fl & 0x80) tpa_3gpp_addr(v, 4, a4, sizeof a4);
    if (fl & 0x40) tpa_3gpp_addr(v, 6, a6, sizeof a6);
    if (v->err) {
        ie_invalid(s);
        return;
    }
    char id[TPA_3GPP_ID_MAX];
    tpa_3gpp_id_at(teid, a4[0] ? a4 : a6, id, sizeof id);
    tpa_3gpp_add_id(s->m, s->ids, TPA_ID_TEID, id);
}

static void ie_paa(gst_t *s, tpa_rd_t *v)
{
    unsigned pdn = tpa_rd_u8(v) & 0x07;
    char a[TPA_3GPP_ADDR_MAX];
    if (pdn == 2 || pdn == 3) {
        tpa_rd_skip(v, 1); /* IPv6 prefix length */
        tpa_3gpp_addr(v, 6, a, sizeof a);
        if (!v->err && strcmp(a, "::") != 0) tpa_3gpp_add_id(s->m, s->ids, TPA_ID_UE_IP, a);
    }
    if (pdn == 1 || pdn == 3) {
        tpa_3gpp_addr(v, 4, a, sizeof a);
        if (!v->err && strcmp(a, "0.0.0.0") != 0) tpa_3gpp_add_id(s->m, s->ids, TPA_ID_UE_IP, a);
    }
    if (v->err) ie_invalid(s);
}

static void ies(gst_t *s, tpa_rd_t r, int depth)
{
    while (!s->bad && tpa_rd_remaining(&r) > 0) {
        if (!tpa_rd_has(&r, 4)) {
            ie_short(s);
            return;
        }
        unsigned type = tpa_rd_u8(&r);
        size_t len = tpa_rd_be16(&r);
        tpa_rd_skip(&r, 1); /* spare, instance */
        if (!tpa_rd_has(&r, len)) {
            ie_short(s);
            return;
        }
        tpa_rd_t v = tpa_rd_sub(&r, len);
        if (grouped(type)) {
            if (depth + 1 >= MAX_DEPTH) {
                tpa_dissect_malformed(s->c, TPA_MAL_GTPV2_IE_TOO_DEEP);
                s->bad = true;
                return;
            }
            ies(s, v, depth + 1);
            continue;
        }
        switch (type) {
        case 1:
            ie_digits(s, &v, len, TPA_ID_IMSI);
            break;
        case 2: /* Cause: value, flags (PCE, BCE, CS), optional offending IE */
            if (len < 2) {
                ie_invalid(s);
            } else if (depth == 0 && !s->has_cause) {
                s->has_cause = true;
                s->cause = tpa_rd_u8(&v);
            }
            break;
        case 71: { /* APN */
            char apn[TPA_3GPP_APN_MAX];
            if (tpa_3gpp_apn(&v, len, apn, sizeof apn))
                tpa_3gpp_add_id(s->m, s->ids, TPA_ID_DNN, apn);
            break;
        }
        case 73: /* EPS Bearer ID */
            if (len < 1) {
                ie_invalid(s);
            } else {
                char e[4];
                snprintf(e, sizeof e, "%u", tpa_rd_u8(&v) & 0x0fu);
                tpa_3gpp_add_id(s->m, s->ids, TPA_ID_PDU_SESSION, e);
            }
            break;
        case 75:
            ie_digits(s, &v, len, TPA_ID_IMEI);
            break;
        case 76:
            ie_digits(s, &v, len, TPA_ID_MSISDN);
            break;
        case 79:
            ie_paa(s, &v);
            break;
        case 87:
            ie_fteid(s, &v);
            break;
        default:
            break;
        }
    }
}

static void side_addr(const tpa_dissect_ctx_t *c, int side, char *dst, size_t n)
{
    const tpa_flow_key_t *k = &c->flow->key;
    tpa_3gpp_addr_str(k->addr[side & 1], k->family, dst, n);
}

/* One message at r (consumed up to its end). Returns its P flag (1: a piggybacked
 * message follows), 0, or -1 when what follows cannot be trusted. */
static int one(tpa_dissect_ctx_t *c, tpa_rd_t *r)
{
    if (!tpa_rd_has(r, 4)) {
        tpa_dissect_short(c, TPA_MAL_GTPV2_TRUNCATED);
        return -1;
    }
    uint8_t fl = tpa_rd_u8(r);
    unsigned type = tpa_rd_u8(r);
    size_t len = tpa_rd_be16(r);
    bool has_teid = fl & 0x08;
    int piggy = (fl & 0x10) ? 1 : 0;

    const msg_def_t *def = msg_def(type);
    char code[8], namebuf[40], key[64], addr[TPA_3GPP_ADDR_MAX];
    snprintf(code, sizeof code, "%u", type);
    if (!def) snprintf(namebuf, sizeof namebuf, "GTPv2 message type %u", type);
    tpa_sig_t m = {0};
    tpa_3gpp_ids_t ids;
    m.protocol = "gtpv2";
    m.code = code;
    m.name = def ? def->name : namebuf;
    m.kind = def ? (tpa_sig_kind_t)(def->kind & ~FAIL) : TPA_SIG_INDICATION;
    m.procedure = def ? def->proc : NULL;
    m.cause_family = "gtpv2";
    if (def && (def->kind & FAIL)) m.outcome = TPA_SIG_FAILURE;

    bool ok = true;
    if (len < (has_teid ? 8u : 4u)) {
        tpa_dissect_malformed(c, TPA_MAL_GTPV2_LEN_INVALID);
        ok = false;
        piggy = -1;
    } else if (len > tpa_rd_remaining(r)) {
        tpa_dissect_short(c, TPA_MAL_GTPV2_LEN_INVALID);
        piggy = -1;
    }
    tpa_rd_t body = tpa_rd_sub_upto(r, len);
    uint32_t teid = has_teid ? tpa_rd_be32(&body) : 0;
    uint32_t seq = tpa_rd_be24(&body);
    tpa_rd_skip(&body, 1); /* message priority / spare */
    if (ok && body.err) {
        tpa_dissect_short(c, TPA_MAL_GTPV2_TRUNCATED);
        ok = false;
    }
    if (ok) {
        gst_t s = {.c = c, .m = &m, .ids = &ids};
        if (teid) { /* the receiver's TEID for this control plane tunnel */
            char id[TPA_3GPP_ID_MAX];
            side_addr(c, c->side ^ 1, addr, sizeof addr);
            tpa_3gpp_id_at(teid, addr, id, sizeof id);
            tpa_3gpp_add_id(&m, &ids, TPA_ID_TEID, id);
        }
        ies(&s, body, 0);
        if (s.has_cause && m.kind != TPA_SIG_REQUEST) {
            m.has_cause = true;
            m.cause = s.cause;
            m.cause_name = tpa_gtpv2_cause_name(s.cause);
            if (s.cause < 16 || s.cause >= 64) m.outcome = TPA_SIG_FAILURE;
        }
        if (m.procedure) {
            side_addr(c, m.kind == TPA_SIG_RESPONSE ? c->side ^ 1 : c->side, addr, sizeof addr);
            snprintf(key, sizeof key, "seq=%u@%s", (unsigned)seq, addr);
            m.key = key;
        }
    } else {
        m.procedure = NULL;
    }
    tpa_3gpp_report(c, &m);
    return piggy;
}

void tpa_gtpv2_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *payload)
{
    if (tpa_rd_has(payload, 1) && (tpa_rd_peek(payload, 0) >> 5) != 2) {
        tpa_gtp_dissect(c, payload); /* GTPv1-C (or GTP') on the same port */
        return;
    }
    for (int i = 0; i < MAX_MSGS; i++) {
        if (i > 0 && (tpa_rd_remaining(payload) == 0 || (tpa_rd_peek(payload, 0) >> 5) != 2)) {
            /* P = 1 but no GTPv2 message follows; what does is still read as one (as
             * tshark does) */
            tpa_dissect_malformed(c, TPA_MAL_GTPV2_PIGGYBACK_INVALID);
            if (tpa_rd_remaining(payload) > 0) one(c, payload);
            return;
        }
        if (one(c, payload) != 1) return;
    }
}
