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
 * hold IEs in the same format; they are recursed up to TPA_3GPP_MAX_DEPTH levels (the
 * spec's deepest is 4).
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

#include "tpa_3gpp_msg.h"
#include "tpa_malformed.h"
#include "tpa_sig.h"

#define MAX_MSGS 64 /* messages chained by FO in one datagram */

#define REQ TPA_SIG_REQUEST
#define RSP TPA_SIG_RESPONSE

/* Table 7.3-1. Not every odd type is a request: Version Not Supported Response (11)
 * answers any request, and the Node Report (12) / Session Set messages (14, 16) start
 * on even types. */
static const tpa_3gpp_msg_def_t msgs[256] = {
    /* indexed by type */
    [1] = {1, REQ, "PFCP Heartbeat Request", "Heartbeat"},
    [2] = {2, RSP, "PFCP Heartbeat Response", "Heartbeat"},
    [3] = {3, REQ, "PFCP PFD Management Request", "PFD Management"},
    [4] = {4, RSP, "PFCP PFD Management Response", "PFD Management"},
    [5] = {5, REQ, "PFCP Association Setup Request", "Association Setup"},
    [6] = {6, RSP, "PFCP Association Setup Response", "Association Setup"},
    [7] = {7, REQ, "PFCP Association Update Request", "Association Update"},
    [8] = {8, RSP, "PFCP Association Update Response", "Association Update"},
    [9] = {9, REQ, "PFCP Association Release Request", "Association Release"},
    [10] = {10, RSP, "PFCP Association Release Response", "Association Release"},
    [11] = {11, RSP, "PFCP Version Not Supported Response", NULL},
    [12] = {12, REQ, "PFCP Node Report Request", "Node Report"},
    [13] = {13, RSP, "PFCP Node Report Response", "Node Report"},
    [14] = {14, REQ, "PFCP Session Set Deletion Request", "Session Set Deletion"},
    [15] = {15, RSP, "PFCP Session Set Deletion Response", "Session Set Deletion"},
    [16] = {16, REQ, "PFCP Session Set Modification Request", "Session Set Modification"},
    [17] = {17, RSP, "PFCP Session Set Modification Response", "Session Set Modification"},
    [50] = {50, REQ, "PFCP Session Establishment Request", "Session Establishment"},
    [51] = {51, RSP, "PFCP Session Establishment Response", "Session Establishment"},
    [52] = {52, REQ, "PFCP Session Modification Request", "Session Modification"},
    [53] = {53, RSP, "PFCP Session Modification Response", "Session Modification"},
    [54] = {54, REQ, "PFCP Session Deletion Request", "Session Deletion"},
    [55] = {55, RSP, "PFCP Session Deletion Response", "Session Deletion"},
    [56] = {56, REQ, "PFCP Session Report Request", "Session Report"},
    [57] = {57, RSP, "PFCP Session Report Response", "Session Report"},
};

static const tpa_3gpp_msg_def_t *msg_def(unsigned t)
{
    return tpa_3gpp_msg_row(msgs, sizeof msgs / sizeof msgs[0], t);
}

const char *tpa_pfcp_msg_name(unsigned t)
{
    const tpa_3gpp_msg_def_t *d = msg_def(t);
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
 * ... Remove QER), as X(w, type) for each; all below 320. */
#define GROUPED_TYPES(X, w)                                                                        \
    X(w, 51)                                                                                       \
    X(w, 54) X(w, 58) X(w, 59) X(w, 68) X(w, 77) X(w, 78) X(w, 79) X(w, 80) X(w, 83) X(w, 85)      \
        X(w, 86) X(w, 87) X(w, 99) X(w, 102) X(w, 105) X(w, 118) X(w, 127) X(w, 128) X(w, 129)     \
            X(w, 130) X(w, 132) X(w, 143) X(w, 147) X(w, 165) X(w, 166) X(w, 167) X(w, 168)        \
                X(w, 169) X(w, 175) X(w, 176) X(w, 183) X(w, 187) X(w, 188) X(w, 189) X(w, 190)    \
                    X(w, 195) X(w, 199) X(w, 200) X(w, 201) X(w, 203) X(w, 210) X(w, 211)          \
                        X(w, 212) X(w, 213) X(w, 215) X(w, 217) X(w, 219) X(w, 220) X(w, 224)      \
                            X(w, 225) X(w, 226) X(w, 232) X(w, 237) X(w, 238) X(w, 239) X(w, 241)  \
                                X(w, 246) X(w, 251) X(w, 253) X(w, 254) X(w, 255) X(w, 262)        \
                                    X(w, 263) X(w, 266) X(w, 269) X(w, 270)

/* All of them (1-18 too) as a bit set, built by the compiler: bit t & 63 of word t >> 6. */
#define GROUPED_BIT(w, t) | ((t) >> 6 == (w) ? 1ULL << ((t)&63) : 0)
static const uint64_t grouped_bits[5] = {
    0x7fffeULL /* 1-18 */ GROUPED_TYPES(GROUPED_BIT, 0), 0 GROUPED_TYPES(GROUPED_BIT, 1),
    0 GROUPED_TYPES(GROUPED_BIT, 2), 0 GROUPED_TYPES(GROUPED_BIT, 3),
    0 GROUPED_TYPES(GROUPED_BIT, 4)};

static bool grouped(unsigned t)
{
    return t < 64 * (sizeof grouped_bits / sizeof grouped_bits[0]) &&
           (grouped_bits[t >> 6] >> (t & 63) & 1);
}

/* F-TEID (8.2.3): flags V4 0x01, V6 0x02, CH 0x04, CHID 0x08; without CH a TEID and the
 * addresses the flags announce; with CH (the UP function chooses) at most a Choose ID. */
static void ie_fteid(tpa_3gpp_ies_t *s, tpa_rd_t *v)
{
    uint8_t fl = tpa_rd_u8(v);
    if (fl & 0x04) {
        if (fl & 0x08) tpa_rd_skip(v, 1);
    } else {
        uint32_t teid = tpa_rd_be32(v);
        tpa_3gpp_ip_t a4 = {0}, a6 = {0};
        if (fl & 0x01) tpa_3gpp_ip(v, 4, &a4);
        if (fl & 0x02) tpa_3gpp_ip(v, 6, &a6);
        if (!v->err) tpa_3gpp_msg_id_at(s->m, TPA_ID_TEID, teid, a4.family ? &a4 : &a6);
    }
    if (v->err) tpa_3gpp_ies_invalid(s);
}

/* F-SEID (8.2.37): flags V6 0x01, V4 0x02; SEID (8); IPv4; IPv6. */
static void ie_fseid(tpa_3gpp_ies_t *s, tpa_rd_t *v)
{
    tpa_rd_t f = tpa_rd_sub(v, 9); /* its reads cannot fail, as the compiler sees */
    uint8_t fl = tpa_rd_u8(&f);
    uint64_t seid = tpa_rd_be64(&f);
    tpa_3gpp_ip_t a4 = {0}, a6 = {0};
    if (fl & 0x02) tpa_3gpp_ip(v, 4, &a4);
    if (fl & 0x01) tpa_3gpp_ip(v, 6, &a6);
    if (v->err) {
        tpa_3gpp_ies_invalid(s);
        return;
    }
    tpa_3gpp_msg_id_at(s->m, TPA_ID_SEID, seid, a4.family ? &a4 : &a6);
}

/* UE IP Address (8.2.62): flags V6 0x01, V4 0x02, S/D 0x04, IPv6D 0x08, CHV4 0x10,
 * CHV6 0x20, IP6PL 0x40; IPv4; IPv6; IPv6 prefix delegation bits; prefix length. */
static void ie_ueip(tpa_3gpp_ies_t *s, tpa_rd_t *v)
{
    uint8_t fl = tpa_rd_u8(v);
    char a[TPA_3GPP_ADDR_MAX];
    if (fl & 0x02) {
        tpa_3gpp_addr(v, 4, a, sizeof a);
        if (!v->err) tpa_3gpp_ies_add(s, TPA_ID_UE_IP, a);
    }
    if (fl & 0x01) {
        tpa_3gpp_addr(v, 6, a, sizeof a);
        if (!v->err) tpa_3gpp_ies_add(s, TPA_ID_UE_IP, a);
    }
    if (v->err) tpa_3gpp_ies_invalid(s);
}

/* Outer Header Creation (8.2.56): description (2 octets; octet 5 bits: GTP-U/UDP/IPv4
 * 0x01, GTP-U/UDP/IPv6 0x02, UDP/IPv4 0x04, UDP/IPv6 0x08, IPv4 0x10, IPv6 0x20,
 * C-TAG 0x40, S-TAG 0x80), then TEID (GTP-U kinds), IPv4, IPv6, port, C-TAG, S-TAG. */
static void ie_ohc(tpa_3gpp_ies_t *s, tpa_rd_t *v)
{
    uint8_t d = tpa_rd_u8(v);
    tpa_rd_skip(v, 1);
    if (!(d & 0x03)) return;
    uint32_t teid = tpa_rd_be32(v);
    tpa_3gpp_ip_t a4 = {0}, a6 = {0};
    if (d & 0x15) tpa_3gpp_ip(v, 4, &a4);
    if (d & 0x2a) tpa_3gpp_ip(v, 6, &a6);
    if (v->err) {
        tpa_3gpp_ies_invalid(s);
        return;
    }
    tpa_3gpp_msg_id_at(s->m, TPA_ID_TEID, teid, a4.family ? &a4 : &a6);
}

/* User ID (8.2.101): flags IMSIF 0x01, IMEIF 0x02, MSISDNF 0x04, NAIF 0x08 (then
 * SUPIF, GPSIF, PEIF); each present identity is a length octet and its value, TBCD
 * for IMSI, IMEI and MSISDN. */
static void ie_userid(tpa_3gpp_ies_t *s, tpa_rd_t *v)
{
    static const tpa_id_kind_t kinds[3] = {TPA_ID_IMSI, TPA_ID_IMEI, TPA_ID_MSISDN};
    uint8_t fl = tpa_rd_u8(v);
    char dg[TPA_3GPP_DIGITS_MAX];
    for (int i = 0; i < 3; i++) {
        if (!(fl & (1u << i))) continue;
        size_t n = tpa_rd_u8(v);
        if (tpa_3gpp_tbcd(v, n, dg, sizeof dg)) tpa_3gpp_ies_add(s, kinds[i], dg);
    }
    if (v->err) tpa_3gpp_ies_invalid(s);
}

/* One IE that is not grouped. */
static void ie(tpa_3gpp_ies_t *s, unsigned type, tpa_rd_t *v, size_t len, int depth)
{
    if (type & 0x8000) { /* vendor-specific: Enterprise ID, then its own content */
        if (len < 2) tpa_3gpp_ies_invalid(s);
        return;
    }
    switch (type) {
    case 19: /* Cause */
        tpa_3gpp_ies_cause(s, v, len, 1, depth);
        break;
    case 21:
        ie_fteid(s, v);
        break;
    case 57:
        ie_fseid(s, v);
        break;
    case 60: /* Node ID: type nibble 0 IPv4, 1 IPv6, 2 FQDN */
        if (len < 1 || (tpa_rd_peek(v, 0) & 0x0f) > 2) tpa_3gpp_ies_invalid(s);
        break;
    case 84:
        ie_ohc(s, v);
        break;
    case 93:
        ie_ueip(s, v);
        break;
    case 141:
        ie_userid(s, v);
        break;
    case 159: /* APN/DNN */
        tpa_3gpp_ies_apn(s, v, len);
        break;
    default:
        break;
    }
}

static const tpa_3gpp_ie_spec_t ie_spec = {.type_len = 2,
                                           .instance = false,
                                           .grouped = grouped,
                                           .ie = ie,
                                           .mal_too_deep = TPA_MAL_PFCP_IE_TOO_DEEP};

/* Header (7.2.2): version 1; flags S 0x01 (SEID, 8 octets), FO 0x04 (another message
 * follows). */
static const tpa_3gpp_hdr_spec_t hdr_spec = {.version = 1,
                                             .id_flag = 0x01,
                                             .id_len = 8,
                                             .more_flag = 0x04,
                                             .mal_truncated = TPA_MAL_PFCP_TRUNCATED,
                                             .mal_len_invalid = TPA_MAL_PFCP_LEN_INVALID,
                                             .mal_bad_version = TPA_MAL_PFCP_BAD_VERSION};

/* One message at r (consumed up to its end). Returns its FO flag, or -1 when what
 * follows cannot be trusted to start a message. */
static int one(tpa_dissect_ctx_t *c, tpa_rd_t *r)
{
    tpa_3gpp_hdr_t h;
    if (!tpa_3gpp_hdr_read(&hdr_spec, c, r, &h)) return -1;
    tpa_3gpp_msg_t m;
    tpa_3gpp_msg_init(&m, "pfcp", msg_def(h.type), h.type, "PFCP message type");
    if (h.ok) {
        tpa_3gpp_ies_t s = {.c = c,
                            .m = &m,
                            .mal_truncated = TPA_MAL_PFCP_IE_TRUNCATED,
                            .mal_invalid = TPA_MAL_PFCP_IE_INVALID};
        /* the receiver's own SEID: it names the session at the receiver */
        if (h.id) tpa_3gpp_msg_receiver_id(&m, c, TPA_ID_SEID, h.id);
        tpa_3gpp_ies_walk(&ie_spec, &s, h.body, 0);
        /* 8.2.1: 1-63 accept (1 accepted, 2 more usage reports, 3 partially), 64+ reject */
        if (s.has_cause)
            tpa_3gpp_msg_cause(&m, s.cause, tpa_pfcp_cause_name(s.cause),
                               s.cause == 0 || s.cause >= 64);
        if (m.sig.procedure) tpa_3gpp_msg_seq_key(&m, c, (unsigned)h.seq);
    } else {
        m.sig.procedure = NULL; /* not trusted enough to pair */
    }
    tpa_3gpp_report(c, &m.sig);
    return h.next;
}

void tpa_pfcp_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *payload)
{
    for (int i = 0; i < MAX_MSGS && tpa_rd_remaining(payload) > 0; i++)
        if (one(c, payload) != 1) return;
}
