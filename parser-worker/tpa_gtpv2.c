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
 * they are recursed up to TPA_3GPP_MAX_DEPTH levels.
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

#include "tpa_3gpp_msg.h"
#include "tpa_gtp.h"
#include "tpa_malformed.h"
#include "tpa_sig.h"

#define MAX_MSGS 4 /* a message and its piggybacked one (and room for a broken chain) */

#define REQ TPA_SIG_REQUEST
#define RSP TPA_SIG_RESPONSE
#define IND TPA_SIG_INDICATION
#define FAIL TPA_3GPP_FAIL

/* Table 6.1-1. Commands (Modify/Delete Bearer Command, Bearer Resource Command) are
 * answered by a request of another procedure or by a failure indication: both are
 * counted as indications, the failure indications with a failure outcome. */
static const tpa_3gpp_msg_def_t msgs[256] = {
    /* indexed by type */
    [1] = {1, REQ, "Echo Request", "Echo"},
    [2] = {2, RSP, "Echo Response", "Echo"},
    [3] = {3, IND, "Version Not Supported Indication", NULL},
    [4] = {4, REQ, "Node Alive Request", "Node Alive"},
    [5] = {5, RSP, "Node Alive Response", "Node Alive"},
    [6] = {6, REQ, "Redirection Request", "Redirection"},
    [7] = {7, RSP, "Redirection Response", "Redirection"},
    [25] = {25, REQ, "SRVCC PS to CS Request", "SRVCC PS to CS"},
    [26] = {26, RSP, "SRVCC PS to CS Response", "SRVCC PS to CS"},
    [27] = {27, REQ, "SRVCC PS to CS Complete Notification", "SRVCC PS to CS Complete"},
    [28] = {28, RSP, "SRVCC PS to CS Complete Acknowledge", "SRVCC PS to CS Complete"},
    [29] = {29, REQ, "SRVCC PS to CS Cancel Notification", "SRVCC PS to CS Cancel"},
    [30] = {30, RSP, "SRVCC PS to CS Cancel Acknowledge", "SRVCC PS to CS Cancel"},
    [31] = {31, REQ, "SRVCC CS to PS Request", "SRVCC CS to PS"},
    [32] = {32, REQ, "Create Session Request", "Create Session"},
    [33] = {33, RSP, "Create Session Response", "Create Session"},
    [34] = {34, REQ, "Modify Bearer Request", "Modify Bearer"},
    [35] = {35, RSP, "Modify Bearer Response", "Modify Bearer"},
    [36] = {36, REQ, "Delete Session Request", "Delete Session"},
    [37] = {37, RSP, "Delete Session Response", "Delete Session"},
    [38] = {38, REQ, "Change Notification Request", "Change Notification"},
    [39] = {39, RSP, "Change Notification Response", "Change Notification"},
    [40] = {40, REQ, "Remote UE Report Notification", "Remote UE Report"},
    [41] = {41, RSP, "Remote UE Report Acknowledge", "Remote UE Report"},
    [64] = {64, IND, "Modify Bearer Command", NULL},
    [65] = {65, IND | FAIL, "Modify Bearer Failure Indication", NULL},
    [66] = {66, IND, "Delete Bearer Command", NULL},
    [67] = {67, IND | FAIL, "Delete Bearer Failure Indication", NULL},
    [68] = {68, IND, "Bearer Resource Command", NULL},
    [69] = {69, IND | FAIL, "Bearer Resource Failure Indication", NULL},
    [70] = {70, IND | FAIL, "Downlink Data Notification Failure Indication", NULL},
    [71] = {71, IND, "Trace Session Activation", NULL},
    [72] = {72, IND, "Trace Session Deactivation", NULL},
    [73] = {73, IND, "Stop Paging Indication", NULL},
    [95] = {95, REQ, "Create Bearer Request", "Create Bearer"},
    [96] = {96, RSP, "Create Bearer Response", "Create Bearer"},
    [97] = {97, REQ, "Update Bearer Request", "Update Bearer"},
    [98] = {98, RSP, "Update Bearer Response", "Update Bearer"},
    [99] = {99, REQ, "Delete Bearer Request", "Delete Bearer"},
    [100] = {100, RSP, "Delete Bearer Response", "Delete Bearer"},
    [101] = {101, REQ, "Delete PDN Connection Set Request", "Delete PDN Connection Set"},
    [102] = {102, RSP, "Delete PDN Connection Set Response", "Delete PDN Connection Set"},
    [103] = {103, REQ, "PGW Downlink Triggering Notification", "PGW Downlink Triggering"},
    [104] = {104, RSP, "PGW Downlink Triggering Acknowledge", "PGW Downlink Triggering"},
    [128] = {128, REQ, "Identification Request", "Identification"},
    [129] = {129, RSP, "Identification Response", "Identification"},
    [130] = {130, REQ, "Context Request", "Context"},
    [131] = {131, RSP, "Context Response", "Context"},
    [132] = {132, IND, "Context Acknowledge", NULL},
    [133] = {133, REQ, "Forward Relocation Request", "Forward Relocation"},
    [134] = {134, RSP, "Forward Relocation Response", "Forward Relocation"},
    [135] = {135, REQ, "Forward Relocation Complete Notification", "Forward Relocation Complete"},
    [136] = {136, RSP, "Forward Relocation Complete Acknowledge", "Forward Relocation Complete"},
    [137] = {137, REQ, "Forward Access Context Notification", "Forward Access Context"},
    [138] = {138, RSP, "Forward Access Context Acknowledge", "Forward Access Context"},
    [139] = {139, REQ, "Relocation Cancel Request", "Relocation Cancel"},
    [140] = {140, RSP, "Relocation Cancel Response", "Relocation Cancel"},
    [141] = {141, IND, "Configuration Transfer Tunnel", NULL},
    [149] = {149, REQ, "Detach Notification", "Detach"},
    [150] = {150, RSP, "Detach Acknowledge", "Detach"},
    [151] = {151, IND, "CS Paging Indication", NULL},
    [152] = {152, IND, "RAN Information Relay", NULL},
    [153] = {153, REQ, "Alert MME Notification", "Alert MME"},
    [154] = {154, RSP, "Alert MME Acknowledge", "Alert MME"},
    [155] = {155, REQ, "UE Activity Notification", "UE Activity"},
    [156] = {156, RSP, "UE Activity Acknowledge", "UE Activity"},
    [157] = {157, IND, "ISR Status Indication", NULL},
    [158] = {158, REQ, "UE Registration Query Request", "UE Registration Query"},
    [159] = {159, RSP, "UE Registration Query Response", "UE Registration Query"},
    [160] = {160, REQ, "Create Forwarding Tunnel Request", "Create Forwarding Tunnel"},
    [161] = {161, RSP, "Create Forwarding Tunnel Response", "Create Forwarding Tunnel"},
    [162] = {162, REQ, "Suspend Notification", "Suspend"},
    [163] = {163, RSP, "Suspend Acknowledge", "Suspend"},
    [164] = {164, REQ, "Resume Notification", "Resume"},
    [165] = {165, RSP, "Resume Acknowledge", "Resume"},
    [166] = {166, REQ, "Create Indirect Data Forwarding Tunnel Request",
             "Create Indirect Data Forwarding Tunnel"},
    [167] = {167, RSP, "Create Indirect Data Forwarding Tunnel Response",
             "Create Indirect Data Forwarding Tunnel"},
    [168] = {168, REQ, "Delete Indirect Data Forwarding Tunnel Request",
             "Delete Indirect Data Forwarding Tunnel"},
    [169] = {169, RSP, "Delete Indirect Data Forwarding Tunnel Response",
             "Delete Indirect Data Forwarding Tunnel"},
    [170] = {170, REQ, "Release Access Bearers Request", "Release Access Bearers"},
    [171] = {171, RSP, "Release Access Bearers Response", "Release Access Bearers"},
    [176] = {176, REQ, "Downlink Data Notification", "Downlink Data Notification"},
    [177] = {177, RSP, "Downlink Data Notification Acknowledgement", "Downlink Data Notification"},
    [179] = {179, REQ, "PGW Restart Notification", "PGW Restart Notification"},
    [180] = {180, RSP, "PGW Restart Notification Acknowledge", "PGW Restart Notification"},
    [200] = {200, REQ, "Update PDN Connection Set Request", "Update PDN Connection Set"},
    [201] = {201, RSP, "Update PDN Connection Set Response", "Update PDN Connection Set"},
    [211] = {211, REQ, "Modify Access Bearers Request", "Modify Access Bearers"},
    [212] = {212, RSP, "Modify Access Bearers Response", "Modify Access Bearers"},
    [231] = {231, REQ, "MBMS Session Start Request", "MBMS Session Start"},
    [232] = {232, RSP, "MBMS Session Start Response", "MBMS Session Start"},
    [233] = {233, REQ, "MBMS Session Update Request", "MBMS Session Update"},
    [234] = {234, RSP, "MBMS Session Update Response", "MBMS Session Update"},
    [235] = {235, REQ, "MBMS Session Stop Request", "MBMS Session Stop"},
    [236] = {236, RSP, "MBMS Session Stop Response", "MBMS Session Stop"},
    [240] = {240, RSP, "SRVCC CS to PS Response", "SRVCC CS to PS"},
    [241] = {241, REQ, "SRVCC CS to PS Complete Notification", "SRVCC CS to PS Complete"},
    [242] = {242, RSP, "SRVCC CS to PS Complete Acknowledge", "SRVCC CS to PS Complete"},
    [243] = {243, REQ, "SRVCC CS to PS Cancel Notification", "SRVCC CS to PS Cancel"},
    [244] = {244, RSP, "SRVCC CS to PS Cancel Acknowledge", "SRVCC CS to PS Cancel"},
};

static const tpa_3gpp_msg_def_t *msg_def(unsigned t)
{
    return tpa_3gpp_msg_row(msgs, sizeof msgs / sizeof msgs[0], t);
}

const char *tpa_gtpv2_msg_name(unsigned t)
{
    const tpa_3gpp_msg_def_t *d = msg_def(t);
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

static inline bool grouped(unsigned t)
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

static void ie_fteid(tpa_3gpp_ies_t *s, tpa_rd_t *v)
{
    tpa_rd_t f = tpa_rd_sub(v, 5); /* its reads cannot fail, as the compiler sees */
    uint8_t fl = tpa_rd_u8(&f);
    uint32_t teid = tpa_rd_be32(&f);
    tpa_3gpp_ip_t a4 = {0}, a6 = {0};
    if (fl & 0x80) tpa_3gpp_ip(v, 4, &a4);
    if (fl & 0x40) tpa_3gpp_ip(v, 6, &a6);
    if (v->err) {
        tpa_3gpp_ies_invalid(s);
        return;
    }
    tpa_3gpp_msg_id_at(s->m, TPA_ID_TEID, teid, a4.family ? &a4 : &a6);
}

static void ie_paa(tpa_3gpp_ies_t *s, tpa_rd_t *v)
{
    unsigned pdn = tpa_rd_u8(v) & 0x07;
    char a[TPA_3GPP_ADDR_MAX];
    if (pdn == 2 || pdn == 3) {
        tpa_rd_skip(v, 1); /* IPv6 prefix length */
        tpa_3gpp_addr(v, 6, a, sizeof a);
        if (!v->err && strcmp(a, "::") != 0) tpa_3gpp_ies_add(s, TPA_ID_UE_IP, a);
    }
    if (pdn == 1 || pdn == 3) {
        tpa_3gpp_addr(v, 4, a, sizeof a);
        if (!v->err && strcmp(a, "0.0.0.0") != 0) tpa_3gpp_ies_add(s, TPA_ID_UE_IP, a);
    }
    if (v->err) tpa_3gpp_ies_invalid(s);
}

/* One IE that is not grouped. */
static void ie(tpa_3gpp_ies_t *s, unsigned type, tpa_rd_t *v, size_t len, int depth)
{
    switch (type) {
    case 1:
        tpa_3gpp_ies_digits(s, v, len, TPA_ID_IMSI);
        break;
    case 2: /* Cause: value, flags (PCE, BCE, CS), optional offending IE */
        tpa_3gpp_ies_cause(s, v, len, 2, depth);
        break;
    case 71: /* APN */
        tpa_3gpp_ies_apn(s, v, len);
        break;
    case 73: /* EPS Bearer ID */
        if (len < 1)
            tpa_3gpp_ies_invalid(s);
        else
            tpa_3gpp_ies_bearer(s, v);
        break;
    case 75:
        tpa_3gpp_ies_digits(s, v, len, TPA_ID_IMEI);
        break;
    case 76:
        tpa_3gpp_ies_digits(s, v, len, TPA_ID_MSISDN);
        break;
    case 79:
        ie_paa(s, v);
        break;
    case 87:
        ie_fteid(s, v);
        break;
    default:
        break;
    }
}

static const tpa_3gpp_ie_spec_t ie_spec = {.type_len = 1,
                                           .instance = true,
                                           .grouped = grouped,
                                           .ie = ie,
                                           .mal_too_deep = TPA_MAL_GTPV2_IE_TOO_DEEP};

/* Header (5.1): flags T 0x08 (TEID, 4 octets), P 0x10 (piggybacked message follows); the
 * version is checked by tpa_gtpv2_dissect. */
static const tpa_3gpp_hdr_spec_t hdr_spec = {.version = -1,
                                             .id_flag = 0x08,
                                             .id_len = 4,
                                             .more_flag = 0x10,
                                             .mal_truncated = TPA_MAL_GTPV2_TRUNCATED,
                                             .mal_len_invalid = TPA_MAL_GTPV2_LEN_INVALID};

/* One message at r (consumed up to its end). Returns its P flag (1: a piggybacked
 * message follows), 0, or -1 when what follows cannot be trusted. */
static int one(tpa_dissect_ctx_t *c, tpa_rd_t *r)
{
    tpa_3gpp_hdr_t h;
    if (!tpa_3gpp_hdr_read(&hdr_spec, c, r, &h)) return -1;
    tpa_3gpp_msg_t m;
    tpa_3gpp_msg_init(&m, "gtpv2", msg_def(h.type), h.type, "GTPv2 message type");
    if (h.ok) {
        tpa_3gpp_ies_t s = {.c = c,
                            .m = &m,
                            .mal_truncated = TPA_MAL_GTPV2_IE_TRUNCATED,
                            .mal_invalid = TPA_MAL_GTPV2_IE_INVALID};
        /* the receiver's TEID for this control plane tunnel */
        if (h.id) tpa_3gpp_msg_receiver_id(&m, c, TPA_ID_TEID, h.id);
        tpa_3gpp_ies_walk(&ie_spec, &s, h.body, 0);
        if (s.has_cause && m.sig.kind != TPA_SIG_REQUEST)
            tpa_3gpp_msg_cause(&m, s.cause, tpa_gtpv2_cause_name(s.cause),
                               s.cause < 16 || s.cause >= 64);
        if (m.sig.procedure) tpa_3gpp_msg_seq_key(&m, c, (unsigned)h.seq);
    } else {
        m.sig.procedure = NULL;
    }
    tpa_3gpp_report(c, &m.sig);
    return h.next;
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
