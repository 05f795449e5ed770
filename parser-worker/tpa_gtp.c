/* tpa_gtp.c - GTPv1-C and GTP-U signalling messages, 3GPP TS 29.060 V17 and
 * TS 29.281 V17 (see tpa_gtp.h).
 *
 * Header (TS 29.060 section 6, TS 29.281 section 5.1): octet 1 = Version (3 bits, 1)
 * | PT (1: GTP, 0: GTP') | spare | E | S | PN; octet 2 message type; octets 3-4 Length
 * = the octets after the first 8 (optional fields and extension headers included);
 * octets 5-8 TEID. When any of E, S, PN is set, 4 octets follow: Sequence Number (2),
 * N-PDU Number (1), Next Extension Header Type (1, meaningful when E is set); each
 * extension header is 4 * its first octet long, ending with the next type.
 *
 * IEs (TS 29.060 section 7.7): a type octet; types below 128 are TV with a fixed
 * length per type (table below, from the IE definitions of 7.7.1-7.7.29 and 7.7.31),
 * types 128 and above are TLV with a 2-octet length, except the Extension Header Type
 * List (141, section 7.7.40 / TS 29.281 section 8.5) whose length is 1 octet. An
 * unknown TV type cannot be stepped over: decoding stops there (gtp.ie_type_unknown).
 *
 * Decoded values: Cause (1, 7.7.1: 128-191 acceptance, 192-255 rejection, below 128
 * request causes), IMSI (2, TBCD, 8 octets), TEID Data I (16), TEID Control Plane
 * (17), NSAPI (20, low 4 bits), End User Address (128, 7.7.27: PDP type organisation
 * 1 = IETF, number 0x21 IPv4, 0x57 IPv6, 0x8D IPv4v6), APN (131, labels), GSN Address
 * (133, 4 or 16 octets: the first for the control plane, the second for user traffic
 * in Create/Update PDP Context), MSISDN (134, a TON/NPI octet then TBCD), IMEI(SV)
 * (154, TBCD).
 *
 * A message is reported as soon as its first eight octets are readable; what breaks
 * the rules after that is counted as a gtp.* malformation and decoding stops.
 */
#include "tpa_gtp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_3gpp_msg.h"
#include "tpa_gtpv2.h"
#include "tpa_malformed.h"
#include "tpa_pdu.h"
#include "tpa_sig.h"

#define MAX_EXT 16 /* extension headers per message */

#define REQ TPA_SIG_REQUEST
#define RSP TPA_SIG_RESPONSE
#define IND TPA_SIG_INDICATION
#define FAIL TPA_3GPP_FAIL /* Error Indication */

/* TS 29.060 table 1, TS 29.281 table 6.1-1, indexed by type. */
static const tpa_3gpp_msg_def_t msgs[256] = {
    [1] = {1, REQ, "Echo Request", "Echo"},
    [2] = {2, RSP, "Echo Response", "Echo"},
    [3] = {3, IND, "Version Not Supported", NULL},
    [4] = {4, REQ, "Node Alive Request", "Node Alive"},
    [5] = {5, RSP, "Node Alive Response", "Node Alive"},
    [6] = {6, REQ, "Redirection Request", "Redirection"},
    [7] = {7, RSP, "Redirection Response", "Redirection"},
    [16] = {16, REQ, "Create PDP Context Request", "Create PDP Context"},
    [17] = {17, RSP, "Create PDP Context Response", "Create PDP Context"},
    [18] = {18, REQ, "Update PDP Context Request", "Update PDP Context"},
    [19] = {19, RSP, "Update PDP Context Response", "Update PDP Context"},
    [20] = {20, REQ, "Delete PDP Context Request", "Delete PDP Context"},
    [21] = {21, RSP, "Delete PDP Context Response", "Delete PDP Context"},
    [22] = {22, REQ, "Initiate PDP Context Activation Request", "Initiate PDP Context Activation"},
    [23] = {23, RSP, "Initiate PDP Context Activation Response", "Initiate PDP Context Activation"},
    [24] = {24, REQ, "Delete AA PDP Context Request", "Delete AA PDP Context"},
    [25] = {25, RSP, "Delete AA PDP Context Response", "Delete AA PDP Context"},
    [26] = {26, IND | FAIL, "Error Indication", "Error Indication"},
    [27] = {27, REQ, "PDU Notification Request", "PDU Notification"},
    [28] = {28, RSP, "PDU Notification Response", "PDU Notification"},
    [29] = {29, REQ, "PDU Notification Reject Request", "PDU Notification Reject"},
    [30] = {30, RSP, "PDU Notification Reject Response", "PDU Notification Reject"},
    [31] = {31, IND, "Supported Extension Headers Notification", NULL},
    [32] = {32, REQ, "Send Routing Information for GPRS Request",
            "Send Routing Information for GPRS"},
    [33] = {33, RSP, "Send Routing Information for GPRS Response",
            "Send Routing Information for GPRS"},
    [34] = {34, REQ, "Failure Report Request", "Failure Report"},
    [35] = {35, RSP, "Failure Report Response", "Failure Report"},
    [36] = {36, REQ, "Note MS GPRS Present Request", "Note MS GPRS Present"},
    [37] = {37, RSP, "Note MS GPRS Present Response", "Note MS GPRS Present"},
    [48] = {48, REQ, "Identification Request", "Identification"},
    [49] = {49, RSP, "Identification Response", "Identification"},
    [50] = {50, REQ, "SGSN Context Request", "SGSN Context"},
    [51] = {51, RSP, "SGSN Context Response", "SGSN Context"},
    [52] = {52, IND, "SGSN Context Acknowledge", NULL},
    [53] = {53, REQ, "Forward Relocation Request", "Forward Relocation"},
    [54] = {54, RSP, "Forward Relocation Response", "Forward Relocation"},
    [55] = {55, REQ, "Forward Relocation Complete", "Forward Relocation Complete"},
    [56] = {56, REQ, "Relocation Cancel Request", "Relocation Cancel"},
    [57] = {57, RSP, "Relocation Cancel Response", "Relocation Cancel"},
    [58] = {58, REQ, "Forward SRNS Context", "Forward SRNS Context"},
    [59] = {59, RSP, "Forward Relocation Complete Acknowledge", "Forward Relocation Complete"},
    [60] = {60, RSP, "Forward SRNS Context Acknowledge", "Forward SRNS Context"},
    [61] = {61, REQ, "UE Registration Query Request", "UE Registration Query"},
    [62] = {62, RSP, "UE Registration Query Response", "UE Registration Query"},
    [70] = {70, IND, "RAN Information Relay", NULL},
    [96] = {96, REQ, "MBMS Notification Request", "MBMS Notification"},
    [97] = {97, RSP, "MBMS Notification Response", "MBMS Notification"},
    [98] = {98, REQ, "MBMS Notification Reject Request", "MBMS Notification Reject"},
    [99] = {99, RSP, "MBMS Notification Reject Response", "MBMS Notification Reject"},
    [100] = {100, REQ, "Create MBMS Context Request", "Create MBMS Context"},
    [101] = {101, RSP, "Create MBMS Context Response", "Create MBMS Context"},
    [102] = {102, REQ, "Update MBMS Context Request", "Update MBMS Context"},
    [103] = {103, RSP, "Update MBMS Context Response", "Update MBMS Context"},
    [104] = {104, REQ, "Delete MBMS Context Request", "Delete MBMS Context"},
    [105] = {105, RSP, "Delete MBMS Context Response", "Delete MBMS Context"},
    [112] = {112, REQ, "MBMS Registration Request", "MBMS Registration"},
    [113] = {113, RSP, "MBMS Registration Response", "MBMS Registration"},
    [114] = {114, REQ, "MBMS De-Registration Request", "MBMS De-Registration"},
    [115] = {115, RSP, "MBMS De-Registration Response", "MBMS De-Registration"},
    [116] = {116, REQ, "MBMS Session Start Request", "MBMS Session Start"},
    [117] = {117, RSP, "MBMS Session Start Response", "MBMS Session Start"},
    [118] = {118, REQ, "MBMS Session Stop Request", "MBMS Session Stop"},
    [119] = {119, RSP, "MBMS Session Stop Response", "MBMS Session Stop"},
    [120] = {120, REQ, "MBMS Session Update Request", "MBMS Session Update"},
    [121] = {121, RSP, "MBMS Session Update Response", "MBMS Session Update"},
    [128] = {128, REQ, "MS Info Change Notification Request", "MS Info Change Notification"},
    [129] = {129, RSP, "MS Info Change Notification Response", "MS Info Change Notification"},
    [240] = {240, REQ, "Data Record Transfer Request", "Data Record Transfer"},
    [241] = {241, RSP, "Data Record Transfer Response", "Data Record Transfer"},
    [254] = {254, IND, "End Marker", NULL},
    [255] = {255, IND, "G-PDU", NULL},
};

static const tpa_3gpp_msg_def_t *msg_def(unsigned t)
{
    return tpa_3gpp_msg_row(msgs, sizeof msgs / sizeof msgs[0], t);
}

const char *tpa_gtp_msg_name(unsigned t)
{
    const tpa_3gpp_msg_def_t *d = msg_def(t);
    return d ? d->name : NULL;
}

/* TS 29.060 section 7.7.1, table 38. */
static const char *const cause_names[256] = {
    [0] = "Request IMSI",
    [1] = "Request IMEI",
    [2] = "Request IMSI and IMEI",
    [3] = "No identity needed",
    [4] = "MS refuses",
    [5] = "MS is not GPRS responding",
    [6] = "Reactivation Requested",
    [7] = "PDP address inactivity timer expires",
    [59] = "System failure",
    [60] = "The transmit buffers are becoming full",
    [61] = "The receive buffers are becoming full",
    [62] = "Another node is about to go down",
    [63] = "This node is about to go down",
    [128] = "Request accepted",
    [129] = "New PDP type due to network preference",
    [130] = "New PDP type due to single address bearer only",
    [177] = "CDR decoding error",
    [192] = "Non-existent",
    [193] = "Invalid message format",
    [194] = "IMSI not known",
    [195] = "MS is GPRS detached",
    [196] = "MS is not GPRS responding",
    [197] = "MS refuses",
    [198] = "Version not supported",
    [199] = "No resource available",
    [200] = "Service not supported",
    [201] = "Mandatory IE incorrect",
    [202] = "Mandatory IE missing",
    [203] = "Optional IE incorrect",
    [204] = "System failure",
    [205] = "Roaming restriction",
    [206] = "P-TMSI signature mismatch",
    [207] = "GPRS connection suspended",
    [208] = "Authentication failure",
    [209] = "User authentication failed",
    [210] = "Context not found",
    [211] = "All PDP dynamic addresses are occupied",
    [212] = "No memory is available",
    [213] = "Relocation failure",
    [214] = "Unknown mandatory extension header",
    [215] = "Semantic error in the TFT operation",
    [216] = "Syntactic error in the TFT operation",
    [217] = "Semantic errors in packet filter(s)",
    [218] = "Syntactic errors in packet filter(s)",
    [219] = "Missing or unknown APN",
    [220] = "Unknown PDP address or PDP type",
    [221] = "PDP context without TFT already activated",
    [222] = "APN access denied - no subscription",
    [223] = "APN Restriction type incompatibility with currently active PDP Contexts",
    [224] = "MS MBMS Capabilities Insufficient",
    [225] = "Invalid Correlation-ID",
    [226] = "MBMS Bearer Context Superseded",
    [227] = "Bearer Control Mode violation",
    [228] = "Collision with network initiated request",
    [229] = "APN Congestion",
    [230] = "Bearer handling not supported",
    [231] = "Target access restricted for the subscriber",
    [232] = "UE is temporarily not reachable due to power saving",
    [233] = "Relocation failure due to NAS message redirection",
    [252] = "Request related to possibly duplicated packets already fulfilled",
    [253] = "Request already fulfilled",
    [254] = "Sequence numbers of released/cancelled packets IE incorrect",
    [255] = "Request not fulfilled",
};

const char *tpa_gtp_cause_name(unsigned v)
{
    return v < 256 ? cause_names[v] : NULL;
}

/* Value length of the TV IEs (type < 128); 0 = not defined. */
static size_t tv_len(unsigned t)
{
    static const uint8_t len[128] = {
        [1] = 1,   /* Cause */
        [2] = 8,   /* IMSI */
        [3] = 6,   /* Routeing Area Identity */
        [4] = 4,   /* TLLI */
        [5] = 4,   /* P-TMSI */
        [8] = 1,   /* Reordering Required */
        [9] = 28,  /* Authentication Triplet */
        [11] = 1,  /* MAP Cause */
        [12] = 3,  /* P-TMSI Signature */
        [13] = 1,  /* MS Validated */
        [14] = 1,  /* Recovery */
        [15] = 1,  /* Selection Mode */
        [16] = 4,  /* TEID Data I */
        [17] = 4,  /* TEID Control Plane */
        [18] = 5,  /* TEID Data II */
        [19] = 1,  /* Teardown Ind */
        [20] = 1,  /* NSAPI */
        [21] = 1,  /* RANAP Cause */
        [22] = 9,  /* RAB Context */
        [23] = 1,  /* Radio Priority SMS */
        [24] = 1,  /* Radio Priority */
        [25] = 2,  /* Packet Flow Id */
        [26] = 2,  /* Charging Characteristics */
        [27] = 2,  /* Trace Reference */
        [28] = 2,  /* Trace Type */
        [29] = 1,  /* MS Not Reachable Reason */
        [127] = 4, /* Charging ID */
    };
    return t < 128 ? len[t] : 0;
}

typedef struct gst {
    tpa_3gpp_ies_t w; /* the message, malformations, its Cause */
    bool has_teid_c, has_teid_u;
    uint32_t teid_c, teid_u;
    int ngsn;
    tpa_3gpp_ip_t gsn[2];
} gst_t;

/* End User Address (7.7.27): spare | PDP type organisation, PDP type number, address. */
static void ie_eua(gst_t *s, tpa_rd_t *v)
{
    unsigned org = tpa_rd_u8(v) & 0x0f;
    unsigned num = tpa_rd_u8(v);
    if (v->err || org != 1) return;
    char a[TPA_3GPP_ADDR_MAX];
    size_t left = tpa_rd_remaining(v);
    if ((num == 0x21 || num == 0x8d) && left >= 4) {
        tpa_3gpp_addr(v, 4, a, sizeof a);
        tpa_3gpp_ies_add(&s->w, TPA_ID_UE_IP, a);
        left -= 4;
    }
    if ((num == 0x57 || num == 0x8d) && left >= 16) {
        tpa_3gpp_addr(v, 6, a, sizeof a);
        tpa_3gpp_ies_add(&s->w, TPA_ID_UE_IP, a);
    }
}

static void ies(gst_t *s, tpa_rd_t r)
{
    while (!s->w.bad && tpa_rd_remaining(&r) > 0) {
        unsigned type = tpa_rd_u8(&r);
        size_t len;
        if (type < 128) {
            len = tv_len(type);
            if (!len) {
                tpa_dissect_malformed(s->w.c, TPA_MAL_GTP_IE_TYPE_UNKNOWN);
                s->w.bad = true;
                return;
            }
        } else if (type == 141) {
            if (!tpa_rd_has(&r, 1)) goto short_ie;
            len = tpa_rd_u8(&r);
        } else {
            if (!tpa_rd_has(&r, 2)) goto short_ie;
            len = tpa_rd_be16(&r);
        }
        if (!tpa_rd_has(&r, len)) goto short_ie;
        tpa_rd_t v = tpa_rd_sub(&r, len);
        switch (type) {
        case 1:
            if (!s->w.has_cause) {
                s->w.has_cause = true;
                s->w.cause = tpa_rd_u8(&v);
            }
            break;
        case 2:
            tpa_3gpp_ies_digits(&s->w, &v, len, TPA_ID_IMSI);
            break;
        case 16:
            s->has_teid_u = true;
            s->teid_u = tpa_rd_be32(&v);
            break;
        case 17:
            s->has_teid_c = true;
            s->teid_c = tpa_rd_be32(&v);
            break;
        case 20:
            tpa_3gpp_ies_bearer(&s->w, &v);
            break;
        case 128:
            ie_eua(s, &v);
            break;
        case 131:
            tpa_3gpp_ies_apn(&s->w, &v, len);
            break;
        case 133: /* GSN Address */
            if (len != 4 && len != 16)
                tpa_3gpp_ies_invalid(&s->w);
            else if (s->ngsn < 2) {
                tpa_3gpp_ip(&v, len == 4 ? 4 : 6, &s->gsn[s->ngsn]);
                s->ngsn++;
            }
            break;
        case 134: /* MSISDN: extension / nature of address / numbering plan, digits */
            if (len > 1) {
                tpa_rd_skip(&v, 1);
                tpa_3gpp_ies_digits(&s->w, &v, len - 1, TPA_ID_MSISDN);
            }
            break;
        case 154:
            tpa_3gpp_ies_digits(&s->w, &v, len, TPA_ID_IMEI);
            break;
        default:
            break;
        }
    }
    return;
short_ie:
    tpa_3gpp_ies_short(&s->w);
}

void tpa_gtp_count_gpdu(tpa_dissect_ctx_t *c)
{
    tpa_dissect_message(c, "gtp", "255", "G-PDU");
}

void tpa_gtp_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *r)
{
    if (!tpa_rd_has(r, 2)) {
        tpa_dissect_short(c, TPA_MAL_GTP_TRUNCATED);
        return;
    }
    uint8_t fl = tpa_rd_peek(r, 0);
    unsigned type = tpa_rd_peek(r, 1);
    if ((fl >> 5) == 2) {
        tpa_gtpv2_dissect(c, r); /* GTPv2-C on a flow first seen with GTPv1 */
        return;
    }
    if ((fl >> 5) > 2) {
        tpa_dissect_malformed(c, TPA_MAL_GTP_BAD_VERSION);
        return;
    }
    tpa_3gpp_msg_t m;
    tpa_3gpp_msg_init(&m, "gtp", msg_def(type), type, "GTP message type");
    if (!(fl & 0x10)) {
        /* GTP' (PT = 0, TS 32.295, charging data transfer): counted, not decoded */
        tpa_dissect_message(c, "gtp", m.sig.code, m.sig.name);
        return;
    }
    if (!tpa_rd_has(r, 8)) { /* the type is readable: counted, as tshark does */
        tpa_dissect_message(c, "gtp", m.sig.code, m.sig.name);
        tpa_dissect_short(c, TPA_MAL_GTP_TRUNCATED);
        return;
    }
    tpa_rd_skip(r, 2);
    size_t len = tpa_rd_be16(r);
    uint32_t hteid = tpa_rd_be32(r);

    bool ok = true, has_seq = false;
    unsigned seq = 0;
    if (len > tpa_rd_remaining(r)) tpa_dissect_short(c, TPA_MAL_GTP_LEN_INVALID);
    tpa_rd_t body = tpa_rd_sub_upto(r, len);
    if (fl & 0x07) {
        seq = tpa_rd_be16(&body);
        has_seq = fl & 0x02;
        tpa_rd_skip(&body, 1); /* N-PDU number */
        unsigned next = tpa_rd_u8(&body);
        if (body.err) {
            tpa_dissect_short(c, TPA_MAL_GTP_TRUNCATED);
            ok = false;
        }
        if (!(fl & 0x04)) next = 0;
        for (int i = 0; ok && next; i++) {
            size_t elen = (size_t)tpa_rd_u8(&body) * 4;
            if (i == MAX_EXT || elen == 0) {
                tpa_dissect_malformed(c, TPA_MAL_GTP_EXT_INVALID);
                ok = false;
            } else if (body.err || !tpa_rd_has(&body, elen - 1)) {
                tpa_dissect_short(c, TPA_MAL_GTP_EXT_INVALID);
                ok = false;
            } else {
                tpa_rd_skip(&body, elen - 2);
                next = tpa_rd_u8(&body);
            }
        }
    }
    if (ok) {
        gst_t s = {.w = {.c = c,
                         .m = &m,
                         .mal_truncated = TPA_MAL_GTP_IE_TRUNCATED,
                         .mal_invalid = TPA_MAL_GTP_IE_INVALID}};
        if (hteid) tpa_3gpp_msg_receiver_id(&m, c, TPA_ID_TEID, hteid); /* the receiver's TEID */
        if (type != 255) ies(&s, body);
        const tpa_3gpp_ip_t *gc = &s.gsn[0];
        const tpa_3gpp_ip_t *gu = s.ngsn > 1 ? &s.gsn[1] : &s.gsn[0];
        if (s.has_teid_c) tpa_3gpp_msg_id_at(&m, TPA_ID_TEID, s.teid_c, gc);
        if (s.has_teid_u) tpa_3gpp_msg_id_at(&m, TPA_ID_TEID, s.teid_u, gu);
        if (s.w.has_cause && m.sig.kind == TPA_SIG_RESPONSE)
            tpa_3gpp_msg_cause(&m, s.w.cause, tpa_gtp_cause_name(s.w.cause),
                               s.w.cause < 128 || s.w.cause >= 192);
        if (m.sig.procedure && m.sig.kind != TPA_SIG_INDICATION) {
            if (has_seq)
                tpa_3gpp_msg_seq_key(&m, c, seq);
            else
                m.sig.procedure = NULL; /* nothing to pair it by */
        }
    } else if (m.sig.kind != TPA_SIG_INDICATION) {
        m.sig.procedure = NULL;
    }
    tpa_3gpp_report(c, &m.sig);
}

/* ---- GTP over TCP ---- */

typedef struct tcp_state {
    tpa_pdu_framer_t fr[2]; /* per direction */
} tcp_state_t;

static long tcp_len(const tpa_rd_t *head)
{
    tpa_rd_t r = *head;
    uint8_t b0 = tpa_rd_u8(&r);
    tpa_rd_skip(&r, 1);
    long len = tpa_rd_be16(&r);
    if (r.err) return 0;
    switch (b0 >> 5) {
    case 2:
        return 4 + len;
    case 1:
        return ((b0 & 0x10) ? 8 : 6) + len;
    case 0:
        return (b0 & 0x10) ? -1 : 6 + len; /* GTP' version 0 */
    default:
        return -1;
    }
}

static void tcp_pdu(tpa_dissect_ctx_t *c, tpa_rd_t *pdu)
{
    if (tpa_rd_has(pdu, 1) && (tpa_rd_peek(pdu, 0) >> 5) == 2)
        tpa_gtpv2_dissect(c, pdu);
    else
        tpa_gtp_dissect(c, pdu);
}

static void tcp_bad(tpa_dissect_ctx_t *c)
{
    tpa_dissect_malformed(c, TPA_MAL_GTP_BAD_VERSION);
}

static const tpa_pdu_spec_t tcp_spec = {
    .hdr = 4, .max = 65535 + 8, .len = tcp_len, .pdu = tcp_pdu, .bad = tcp_bad};

void tpa_gtp_stream(tpa_dissect_ctx_t *c, tpa_rd_t *bytes, uint64_t gap)
{
    tcp_state_t *st = tpa_dissect_state(c, sizeof *st);
    if (!st) return;
    tpa_pdu_feed(&st->fr[c->dir & 1], &tcp_spec, c, bytes, gap);
}

void tpa_gtp_state_free(void *state)
{
    tcp_state_t *st = state;
    if (!st) return;
    tpa_pdu_framer_free(&st->fr[0]);
    tpa_pdu_framer_free(&st->fr[1]);
    free(st);
}
