/* tpa_pfcp.c - PFCP messages, 3GPP TS 29.244 V17 (see tpa_pfcp.h).
 *
 * Header (section 7.2.2): octet 1 = Version (3 bits, 1) | spare (2) | FO | MP | S;
 * octet 2 message type; octets 3-4 Message Length = the octets after the first 4.
 * S = 1: SEID (8 octets) follows; then the Sequence Number (3 octets) and one octet
 * whose upper nibble is the Message Priority when MP = 1 (spare otherwise). So the
 * header is 16 octets with a SEID, 8 without. FO = 1 ("follow on"): another PFCP
 * message follows this one in the same UDP datagram (section 7.2.2.1).
 *
 * IEs (section 8.1.1): Type (2 octets), Length (2 octets, the octets after these
 * four), value. A Type with bit 8 of octet 1 set (>= 32768) is vendor-specific: its
 * value starts with a 2-octet Enterprise ID. Grouped IEs (table 8.1.2-1, "Grouped")
 * hold IEs in the same format; they are recursed up to MAX_DEPTH levels.
 *
 * Decoded IE values (section 8.2): Cause (19, 8.2.1), F-TEID (21, 8.2.3), F-SEID (57,
 * 8.2.37), Node ID (60, 8.2.38, checked only), Outer Header Creation (84, 8.2.56),
 * UE IP Address (93, 8.2.62), User ID (141, 8.2.101), APN/DNN (159, 8.2.103).
 *
 * A message is reported as soon as its first four octets are readable (as tshark
 * still shows the type of a message broken further on); what breaks the rules after
 * that is counted as a pfcp.* malformation and decoding of that message stops.
 */
#include "tpa_pfcp.h"

#include <stdio.h>

#include "tpa_3gpp.h"
#include "tpa_malformed.h"
#include "tpa_sig.h"

#define MAX_DEPTH 8 /* grouped IE nesting (the spec's deepest is 4) */
#define MAX_MSGS 64 /* messages chained by FO in one datagram */

typedef struct msg_def {
    uint8_t type;
    uint8_t kind; /* tpa_sig_kind_t */
    const char *name;
    const char *proc;
} msg_def_t;

#define REQ TPA_SIG_REQUEST
#define RSP TPA_SIG_RESPONSE

/* Table 7.3-1. Not every odd type is a request: Version Not Supported Response (11)
 * answers any request, and the Node Report (12) / Session Set messages (14, 16) start
 * on even types. */
static const msg_def_t msgs[] = {
    {1, REQ, "PFCP Heartbeat Request", "Heartbeat"},
    {2, RSP, "PFCP Heartbeat Response", "Heartbeat"},
    {3, REQ, "PFCP PFD Management Request", "PFD Management"},
    {4, RSP, "PFCP PFD Management Response", "PFD Management"},
    {5, REQ, "PFCP Association Setup Request", "Association Setup"},
    {6, RSP, "PFCP Association Setup Response", "Association Setup"},
    {7, REQ, "PFCP Association Update Request", "Association Update"},
    {8, RSP, "PFCP Association Update Response", "Association Update"},
    {9, REQ, "PFCP Association Release Request", "Association Release"},
    {10, RSP, "PFCP Association Release Response", "Association Release"},
    {11, RSP, "PFCP Version Not Supported Response", NULL},
    {12, REQ, "PFCP Node Report Request", "Node Report"},
    {13, RSP, "PFCP Node Report Response", "Node Report"},
    {14, REQ, "PFCP Session Set Deletion Request", "Session Set Deletion"},
    {15, RSP, "PFCP Session Set Deletion Response", "Session Set Deletion"},
    {16, REQ, "PFCP Session Set Modification Request", "Session Set Modification"},
    {17, RSP, "PFCP Session Set Modification Response", "Session Set Modification"},
    {50, REQ, "PFCP Session Establishment Request", "Session Establishment"},
    {51, RSP, "PFCP Session Establishment Response", "Session Establishment"},
    {52, REQ, "PFCP Session Modification Request", "Session Modification"},
    {53, RSP, "PFCP Session Modification Response", "Session Modification"},
    {54, REQ, "PFCP Session Deletion Request", "Session Deletion"},
    {55, RSP, "PFCP Session Deletion Response", "Session Deletion"},
    {56, REQ, "PFCP Session Report Request", "Session Report"},
    {57, RSP, "PFCP Session Report Response", "Session Report"},
};

static const msg_def_t *msg_def(unsigned t)
{
    for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++)
        if (msgs[i].type == t) return &msgs[i];
    return NULL;
}

const char *tpa_pfcp_msg_name(unsigned t)
{
    const msg_def_t *d = msg_def(t);
    return d ? d->name : NULL;
}

/* Section 8.2.1, table 8.2.1-1. */
static const char *const cause_names[256] = {
    [1] = "Request accepted",
    [2] = "More Usage Report to send",
    [3] = "Request partially accepted",
    [64] = "Request rejected",
    [65] = "Session context not found",
    [66] = "Mandatory IE missing",
    [67] = "Conditional IE missing",
    [68] = "Invalid length",
    [69] = "Mandatory IE incorrect",
    [70] = "Invalid Forwarding Policy",
    [71] = "Invalid F-TEID allocation option",
    [72] = "No established PFCP Association",
    [73] = "Rule creation/modification Failure",
    [74] = "PFCP entity in congestion",
    [75] = "No resources available",
    [76] = "Service not supported",
    [77] = "System failure",
    [78] = "Redirection Requested",
    [79] = "All dynamic addresses are occupied",
    [80] = "Unknown Pre-defined Rule",
    [81] = "Unknown Application ID",
    [82] = "L2TP tunnel Establishment failure",
    [83] = "L2TP session Establishment failure",
    [84] = "L2TP tunnel release",
    [85] = "L2TP session release",
    [86] = "PFCP session restoration failure",
};

const char *tpa_pfcp_cause_name(unsigned v)
{
    return v < 256 ? cause_names[v] : NULL;
}

/* IE types of table 8.1.2-1 whose value is a list of IEs, besides 1-18 (Create PDR
 * ... Remove QER); sorted. */
static const uint16_t grouped_types[] = {
    51,  54,  58,  59,  68,  77,  78,  79,  80,  83,  85,  86,  87,  99,  102, 105, 118,
    127, 128, 129, 130, 132, 143, 147, 165, 166, 167, 168, 169, 175, 176, 183, 187, 188,
    189, 190, 195, 199, 200, 201, 203, 210, 211, 212, 213, 215, 217, 219, 220, 224, 225,
    226, 232, 237, 238, 239, 241, 246, 251, 253, 254, 255, 262, 263, 266, 269, 270};

static bool grouped(unsigned t)
{
    if (t >= 1 && t <= 18) return true;
    size_t lo = 0, hi = sizeof grouped_types / sizeof grouped_types[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (grouped_types[mid] == t) return true;
        if (grouped_types[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* What one message yields, gathered while its IEs are walked. */
typedef struct pst {
    tpa_dissect_ctx_t *c;
    tpa_sig_t *m;
    tpa_3gpp_ids_t *ids;
    bool bad; /* a malformation was counted: stop */
    bool has_cause;
    uint8_t cause;
} pst_t;

static void ie_short(pst_t *s)
{
    tpa_dissect_short(s->c, TPA_MAL_PFCP_IE_TRUNCATED);
    s->bad = true;
}

static void ie_invalid(pst_t *s)
{
    tpa_dissect_malformed(s->c, TPA_MAL_PFCP_IE_INVALID);
    s->bad = true;
}

static void id_teid(pst_t *s, uint32_t teid, const char *addr)
{
    char v[TPA_3GPP_ID_MAX];
    tpa_3gpp_id_at(teid, addr, v, sizeof v);
    tpa_3gpp_add_id(s->m, s->ids, TPA_ID_TEID, v);
}

/* F-TEID (8.2.3): flags V4 0x01, V6 0x02, CH 0x04, CHID 0x08; without CH a TEID and the
 * addresses the flags announce; with CH (the UP function chooses) at most a Choose ID. */
static void ie_fteid(pst_t *s, tpa_rd_t *v)
{
    uint8_t fl = tpa_rd_u8(v);
    if (fl & 0x04) {
        if (fl & 0x08) tpa_rd_skip(v, 1);
    } else {
        uint32_t teid = tpa_rd_be32(v);
        char a4[TPA_3GPP_ADDR_MAX] = "", a6[TPA_3GPP_ADDR_MAX] = "";
        if (fl & 0x01) tpa_3gpp_addr(v, 4, a4, sizeof a4);
        if (fl & 0x02) tpa_3gpp_addr(v, 6, a6, sizeof a6);
        if (!v->err) id_teid(s, teid, a4[0] ? a4 : a6);
    }
    if (v->err) ie_invalid(s);
}

/* F-SEID (8.2.37): flags V6 0x01, V4 0x02; SEID (8); IPv4; IPv6. */
static void ie_fseid(pst_t *s, tpa_rd_t *v)
{
    uint8_t fl = tpa_rd_u8(v);
    uint64_t seid = tpa_rd_be64(v);
    char a4[TPA_3GPP_ADDR_MAX] = "", a6[TPA_3GPP_ADDR_MAX] = "";
    if (fl & 0x02) tpa_3gpp_addr(v, 4, a4, sizeof a4);
    if (fl & 0x01) tpa_3gpp_addr(v, 6, a6, sizeof a6);
    if (v->err) {
        ie_invalid(s);
        return;
    }
    char id[TPA_3GPP_ID_MAX];
    tpa_3gpp_id_at(seid, a4[0] ? a4 : a6, id, sizeof id);
    tpa_3gpp_add_id(s->m, s->ids, TPA_ID_SEID, id);
}

/* UE IP Address (8.2.62): flags V6 0x01, V4 0x02, S/D 0x04, IPv6D 0x08, CHV4 0x10,
 * CHV6 0x20, IP6PL 0x40; IPv4; IPv6; IPv6 prefix delegation bits; prefix length. */
static void ie_ueip(pst_t *s, tpa_rd_t *v)
{
    uint8_t fl = tpa_rd_u8(v);
    char a[TPA_3GPP_ADDR_MAX];
    if (fl & 0x02) {
        tpa_3gpp_addr(v, 4, a, sizeof a);
        if (!v->err) tpa_3gpp_add_id(s->m, s->ids, TPA_ID_UE_IP, a);
    }
    if (fl & 0x01) {
        tpa_3gpp_addr(v, 6, a, sizeof a);
        if (!v->err) tpa_3gpp_add_id(s->m, s->ids, TPA_ID_UE_IP, a);
    }
    if (v->err) ie_invalid(s);
}

/* Outer Header Creation (8.2.56): description (2 octets; octet 5 bits: GTP-U/UDP/IPv4
 * 0x01, GTP-U/UDP/IPv6 0x02, UDP/IPv4 0x04, UDP/IPv6 0x08, IPv4 0x10, IPv6 0x20,
 * C-TAG 0x40, S-TAG 0x80), then TEID (GTP-U kinds), IPv4, IPv6, port, C-TAG, S-TAG. */
static void ie_ohc(pst_t *s, tpa_rd_t *v)
{
    uint8_t d = tpa_rd_u8(v);
    tpa_rd_skip(v, 1);
    if (!(d & 0x03)) return;
    uint32_t teid = tpa_rd_be32(v);
    char a4[TPA_3GPP_ADDR_MAX] = "", a6[TPA_3GPP_ADDR_MAX] = "";
    if (d & 0x15) tpa_3gpp_addr(v, 4, a4, sizeof a4);
    if (d & 0x2a) tpa_3gpp_addr(v, 6, a6, sizeof a6);
    if (v->err) {
        ie_invalid(s);
        return;
    }
    id_teid(s, teid, a4[0] ? a4 : a6);
}

/* User ID (8.2.101): flags IMSIF 0x01, IMEIF 0x02, MSISDNF 0x04, NAIF 0x08 (then
 * SUPIF, GPSIF, PEIF); each present identity is a length octet and its value, TBCD
 * for IMSI, IMEI and MSISDN. */
static void ie_userid(pst_t *s, tpa_rd_t *v)
{
    static const tpa_id_kind_t kinds[3] = {TPA_ID_IMSI, TPA_ID_IMEI, TPA_ID_MSISDN};
    uint8_t fl = tpa_rd_u8(v);
    char dg[TPA_3GPP_DIGITS_MAX];
    for (int i = 0; i < 3; i++) {
        if (!(fl & (1u << i))) continue;
        size_t n = tpa_rd_u8(v);
        if (tpa_3gpp_tbcd(v, n, dg, sizeof dg)) tpa_3gpp_add_id(s->m, s->ids, kinds[i], dg);
    }
    if (v->err) ie_invalid(s);
}

static void ies(pst_t *s, tpa_rd_t r, int depth)
{
    while (!s->bad && tpa_rd_remaining(&r) > 0) {
        if (!tpa_rd_has(&r, 4)) {
            ie_short(s);
            return;
        }
        unsigned type = tpa_rd_be16(&r);
        size_t len = tpa_rd_be16(&r);
        if (!tpa_rd_has(&r, len)) {
            ie_short(s);
            return;
        }
        tpa_rd_t v = tpa_rd_sub(&r, len);
        if (type & 0x8000) { /* vendor-specific: Enterprise ID, then its own content */
            if (len < 2) ie_invalid(s);
            continue;
        }
        if (grouped(type)) {
            if (depth + 1 >= MAX_DEPTH) {
                tpa_dissect_malformed(s->c, TPA_MAL_PFCP_IE_TOO_DEEP);
                s->bad = true;
                return;
            }
            ies(s, v, depth + 1);
            continue;
        }
        switch (type) {
        case 19: /* Cause */
            if (len < 1) {
                ie_invalid(s);
            } else if (depth == 0 && !s->has_cause) {
                s->has_cause = true;
                s->cause = tpa_rd_u8(&v);
            }
            break;
        case 21:
            ie_fteid(s, &v);
            break;
        case 57:
            ie_fseid(s, &v);
            break;
        case 60: /* Node ID: type nibble 0 IPv4, 1 IPv6, 2 FQDN */
            if (len < 1 || (tpa_rd_peek(&v, 0) & 0x0f) > 2) ie_invalid(s);
            break;
        case 84:
            ie_ohc(s, &v);
            break;
        case 93:
            ie_ueip(s, &v);
            break;
        case 141:
            ie_userid(s, &v);
            break;
        case 159: { /* APN/DNN */
            char apn[TPA_3GPP_APN_MAX];
            if (tpa_3gpp_apn(&v, len, apn, sizeof apn))
                tpa_3gpp_add_id(s->m, s->ids, TPA_ID_DNN, apn);
            break;
        }
        default:
            break;
        }
    }
}

/* The address of key side `side` of the flow, as text. */
static void side_addr(const tpa_dissect_ctx_t *c, int side, char *dst, size_t n)
{
    const tpa_flow_key_t *k = &c->flow->key;
    tpa_3gpp_addr_str(k->addr[side & 1], k->family, dst, n);
}

/* One message at r (consumed up to its end). Returns its FO flag, or -1 when what
 * follows cannot be trusted to start a message. */
static int one(tpa_dissect_ctx_t *c, tpa_rd_t *r)
{
    if (!tpa_rd_has(r, 4)) {
        tpa_dissect_short(c, TPA_MAL_PFCP_TRUNCATED);
        return -1;
    }
    uint8_t fl = tpa_rd_u8(r);
    unsigned type = tpa_rd_u8(r);
    size_t len = tpa_rd_be16(r);
    bool has_seid = fl & 0x01;
    int fo = (fl & 0x04) ? 1 : 0;

    const msg_def_t *def = msg_def(type);
    char code[8], namebuf[40], key[64], addr[TPA_3GPP_ADDR_MAX];
    snprintf(code, sizeof code, "%u", type);
    if (!def) snprintf(namebuf, sizeof namebuf, "PFCP message type %u", type);
    tpa_sig_t m = {0};
    tpa_3gpp_ids_t ids;
    m.protocol = "pfcp";
    m.code = code;
    m.name = def ? def->name : namebuf;
    m.kind = def ? (tpa_sig_kind_t)def->kind : TPA_SIG_INDICATION;
    m.procedure = def ? def->proc : NULL;
    m.cause_family = "pfcp";

    bool ok = true;
    if ((fl >> 5) != 1) {
        tpa_dissect_malformed(c, TPA_MAL_PFCP_BAD_VERSION);
        ok = false;
    }
    if (len < (has_seid ? 12u : 4u)) {
        if (ok) tpa_dissect_malformed(c, TPA_MAL_PFCP_LEN_INVALID);
        ok = false;
        fo = -1;
    } else if (len > tpa_rd_remaining(r)) {
        if (ok) tpa_dissect_short(c, TPA_MAL_PFCP_LEN_INVALID);
        fo = -1;
    }
    tpa_rd_t body = tpa_rd_sub_upto(r, len);
    uint64_t seid = 0;
    if (has_seid) seid = tpa_rd_be64(&body);
    uint32_t seq = tpa_rd_be24(&body);
    tpa_rd_skip(&body, 1); /* message priority / spare */
    if (body.err) {
        if (ok) tpa_dissect_short(c, TPA_MAL_PFCP_TRUNCATED);
        ok = false;
    }

    if (ok) {
        pst_t s = {.c = c, .m = &m, .ids = &ids};
        if (seid) { /* the receiver's own SEID: it names the session at the receiver */
            char id[TPA_3GPP_ID_MAX];
            side_addr(c, c->side ^ 1, addr, sizeof addr);
            tpa_3gpp_id_at(seid, addr, id, sizeof id);
            tpa_3gpp_add_id(&m, &ids, TPA_ID_SEID, id);
        }
        ies(&s, body, 0);
        if (s.has_cause) {
            m.has_cause = true;
            m.cause = s.cause;
            m.cause_name = tpa_pfcp_cause_name(s.cause);
            /* 8.2.1: 1-63 accept (1 accepted, 2 more usage reports, 3 partially), 64+ reject */
            if (s.cause == 0 || s.cause >= 64) m.outcome = TPA_SIG_FAILURE;
        }
        if (m.procedure) {
            /* sequence numbers are per sending node: the requester's address scopes them */
            side_addr(c, m.kind == TPA_SIG_RESPONSE ? c->side ^ 1 : c->side, addr, sizeof addr);
            snprintf(key, sizeof key, "seq=%u@%s", (unsigned)seq, addr);
            m.key = key;
        }
    } else {
        m.procedure = NULL; /* not trusted enough to pair */
    }
    tpa_3gpp_report(c, &m);
    return fo;
}

void tpa_pfcp_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *payload)
{
    for (int i = 0; i < MAX_MSGS && tpa_rd_remaining(payload) > 0; i++)
        if (one(c, payload) != 1) return;
}
