/* tpa_nas5gs.c - NAS for 5GS, 3GPP TS 24.501 (V17) clauses 8 and 9 (see tpa_nas.h).
 *
 * Header (9.1.1, 9.2, 9.3, 9.7): octet 1 is the extended protocol discriminator, 0x7e
 * for 5GS mobility management (5GMM) and 0x2e for 5GS session management (5GSM).
 *   5GMM plain:     EPD, spare half | security header type 0, message type.
 *   5GMM protected: EPD, spare half | security header type 1-4, message
 *                   authentication code (4 octets), sequence number (1 octet), then a
 *                   plain 5GS NAS message (figure 9.1.1.2). Types 2 and 4 are
 *                   ciphered: its octets are only readable when the security mode
 *                   selected 5G-EA0.
 *   5GSM:           EPD, PDU session identity, procedure transaction identity (PTI),
 *                   message type; always plain, carried in the payload container of
 *                   a 5GMM UL/DL NAS transport (payload container type 1, N1 SM
 *                   information, 9.11.3.40; type 15, multiple payloads, 9.11.3.39).
 * Message types: 5GMM 0x41-0x68 (table 9.7.1), 5GSM 0xc1-0xd6 (table 9.7.2); a
 * message of another type is not counted (tshark counts the same ranges).
 *
 * Nested messages decoded and counted as well: the NAS message container (IEI 0x71,
 * a whole NAS-5GS PDU) of Registration request, Service request, Control plane
 * service request and Security mode complete; the EPS NAS message container (0x70) of
 * Registration request (a NAS-EPS PDU); 5GSM in UL/DL NAS transport.
 *
 * A ciphered message whose UE's Security Mode Command was not seen is decoded only
 * when it reads as a well-formed plain message (known discriminator and message type,
 * mandatory and optional IEs exactly filling it): with a real cipher that happens for
 * about one message in tens of thousands, with 5G-EA0 always.
 */
#include <string.h>

#include "tpa_3gpp.h"
#include "tpa_fmt.h"
#include "tpa_malformed.h"
#include "tpa_nas_int.h"

#define EPD_5GMM 0x7e
#define EPD_5GSM 0x2e
#define PROTO "nas-5gs"

/* TS 24.501 table 9.7.1: 5GMM message types. */
static const char *const mm_names[256] = {
    [0x41] = "Registration request",
    [0x42] = "Registration accept",
    [0x43] = "Registration complete",
    [0x44] = "Registration reject",
    [0x45] = "Deregistration request (UE originating)",
    [0x46] = "Deregistration accept (UE originating)",
    [0x47] = "Deregistration request (UE terminated)",
    [0x48] = "Deregistration accept (UE terminated)",
    [0x4c] = "Service request",
    [0x4d] = "Service reject",
    [0x4e] = "Service accept",
    [0x4f] = "Control plane service request",
    [0x50] = "Network slice-specific authentication command",
    [0x51] = "Network slice-specific authentication complete",
    [0x52] = "Network slice-specific authentication result",
    [0x54] = "Configuration update command",
    [0x55] = "Configuration update complete",
    [0x56] = "Authentication request",
    [0x57] = "Authentication response",
    [0x58] = "Authentication reject",
    [0x59] = "Authentication failure",
    [0x5a] = "Authentication result",
    [0x5b] = "Identity request",
    [0x5c] = "Identity response",
    [0x5d] = "Security mode command",
    [0x5e] = "Security mode complete",
    [0x5f] = "Security mode reject",
    [0x64] = "5GMM status",
    [0x65] = "Notification",
    [0x66] = "Notification response",
    [0x67] = "UL NAS transport",
    [0x68] = "DL NAS transport",
};

/* TS 24.501 table 9.7.2: 5GSM message types. */
static const char *const sm_names[256] = {
    [0xc1] = "PDU session establishment request",
    [0xc2] = "PDU session establishment accept",
    [0xc3] = "PDU session establishment reject",
    [0xc5] = "PDU session authentication command",
    [0xc6] = "PDU session authentication complete",
    [0xc7] = "PDU session authentication result",
    [0xc9] = "PDU session modification request",
    [0xca] = "PDU session modification reject",
    [0xcb] = "PDU session modification command",
    [0xcc] = "PDU session modification complete",
    [0xcd] = "PDU session modification command reject",
    [0xd1] = "PDU session release request",
    [0xd2] = "PDU session release reject",
    [0xd3] = "PDU session release command",
    [0xd4] = "PDU session release complete",
    [0xd6] = "5GSM status",
};

/* TS 24.501 table 9.11.3.2.1: 5GMM cause. */
static const char *const mm_causes[256] = {
    [3] = "Illegal UE",
    [5] = "PEI not accepted",
    [6] = "Illegal ME",
    [7] = "5GS services not allowed",
    [9] = "UE identity cannot be derived by the network",
    [10] = "Implicitly de-registered",
    [11] = "PLMN not allowed",
    [12] = "Tracking area not allowed",
    [13] = "Roaming not allowed in this tracking area",
    [15] = "No suitable cells in tracking area",
    [20] = "MAC failure",
    [21] = "Synch failure",
    [22] = "Congestion",
    [23] = "UE security capabilities mismatch",
    [24] = "Security mode rejected, unspecified",
    [26] = "Non-5G authentication unacceptable",
    [27] = "N1 mode not allowed",
    [28] = "Restricted service area",
    [31] = "Redirection to EPC required",
    [43] = "LADN not available",
    [62] = "No network slices available",
    [65] = "Maximum number of PDU sessions reached",
    [67] = "Insufficient resources for specific slice and DNN",
    [69] = "Insufficient resources for specific slice",
    [71] = "ngKSI already in use",
    [72] = "Non-3GPP access to 5GCN not allowed",
    [73] = "Serving network not authorized",
    [74] = "Temporarily not authorized for this SNPN",
    [75] = "Permanently not authorized for this SNPN",
    [76] = "Not authorized for this CAG or authorized for CAG cells only",
    [77] = "Wireline access area not allowed",
    [78] = "PLMN not allowed to operate at the present UE location",
    [79] = "UAS services not allowed",
    [80] = "Disaster roaming for the determined PLMN with disaster condition not allowed",
    [90] = "Payload was not forwarded",
    [91] = "DNN not supported or not subscribed in the slice",
    [92] = "Insufficient user-plane resources for the PDU session",
    TPA_NAS_PROTOCOL_ERROR_CAUSES,
};

/* TS 24.501 table 9.11.4.2.1: 5GSM cause. */
static const char *const sm_causes[256] = {
    [8] = "Operator determined barring",
    [26] = "Insufficient resources",
    [27] = "Missing or unknown DNN",
    [28] = "Unknown PDU session type",
    [29] = "User authentication or authorization failed",
    [31] = "Request rejected, unspecified",
    [32] = "Service option not supported",
    [33] = "Requested service option not subscribed",
    [35] = "PTI already in use",
    [36] = "Regular deactivation",
    [37] = "5GS QoS not accepted",
    [38] = "Network failure",
    [39] = "Reactivation requested",
    [41] = "Semantic error in the TFT operation",
    [42] = "Syntactical error in the TFT operation",
    [43] = "Invalid PDU session identity",
    [44] = "Semantic errors in packet filter(s)",
    [45] = "Syntactical error in packet filter(s)",
    [46] = "Out of LADN service area",
    [47] = "PTI mismatch",
    [50] = "PDU session type IPv4 only allowed",
    [51] = "PDU session type IPv6 only allowed",
    [54] = "PDU session does not exist",
    [57] = "PDU session type IPv4v6 only allowed",
    [58] = "PDU session type Unstructured only allowed",
    [59] = "Unsupported 5QI value",
    [61] = "PDU session type Ethernet only allowed",
    [67] = "Insufficient resources for specific slice and DNN",
    [68] = "Not supported SSC mode",
    [69] = "Insufficient resources for specific slice",
    [70] = "Missing or unknown DNN in a slice",
    [81] = "Invalid PTI value",
    [82] = "Maximum data rate per UE for user-plane integrity protection is too low",
    [83] = "Semantic error in the QoS operation",
    [84] = "Syntactical error in the QoS operation",
    [85] = "Invalid mapped EPS bearer identity",
    [86] = "UAS services not allowed",
    TPA_NAS_PROTOCOL_ERROR_CAUSES,
};

/* Type 3 (TV) IEs with IEI < 0x80 and their total lengths (clause 8): PDU session ID
 * and Old PDU session ID (UL/DL NAS transport), Last visited registered TAI
 * (Registration request), 5GMM cause (DL NAS transport, Deregistration request),
 * Selected EPS NAS security algorithms (Security mode command), Local time zone and
 * Universal time and local time zone (Configuration update command). */
static const tpa_nas_tv_t mm_tv[] = {{0x12, 2}, {0x59, 2}, {0x52, 7}, {0x58, 2},
                                     {0x57, 2}, {0x46, 2}, {0x47, 8}, {0, 0}};
/* Authentication request: RAND (IEI 0x21) is TV, 17 octets. */
static const tpa_nas_tv_t mm_tv_auth[] = {{0x21, 17}, {0, 0}};
/* 5GSM: 5GSM cause, RQ timer value, Maximum number of supported packet filters,
 * Integrity protection maximum data rate (PDU session modification request). */
static const tpa_nas_tv_t sm_tv[] = {{0x59, 2}, {0x56, 2}, {0x55, 3}, {0x13, 3}, {0, 0}};

/* Nested kinds: a 5GSM message carried by a transport (a message of its own), or a
 * copy of a message in a NAS message container (5GS or EPS): counted, no procedure. */
enum { NEST_SM = 1, NEST_COPY_5GS = 2, NEST_COPY_EPS = 3 };

typedef struct body {
    tpa_nas_msg_t m;
    int reason; /* TPA_MAL_* when the message is malformed, -1 otherwise */
    int nn;
    struct {
        tpa_rd_t r;
        int kind;
    } nest[TPA_NAS_MAX_NESTED];
    uint8_t pc_type;   /* payload container type (UL/DL NAS transport, CPSR, ...) */
    bool ack;          /* Configuration update command: acknowledgement requested */
    bool has_mm_cause; /* a 5GMM cause IE was seen */
    char dnn[TPA_3GPP_APN_MAX];
    char snssai[16];
} body_t;

static void nest(body_t *b, tpa_rd_t r, int kind)
{
    if (b->nn < TPA_NAS_MAX_NESTED) {
        b->nest[b->nn].r = r;
        b->nest[b->nn].kind = kind;
        b->nn++;
    }
}

/* ---- values ---- */

static void hex(tpa_rd_t r, char *dst, size_t dstlen)
{
    static const char x[] = "0123456789abcdef";
    size_t n = 0;
    while (tpa_rd_has(&r, 1) && n + 3 <= dstlen) {
        uint8_t b = tpa_rd_u8(&r);
        dst[n++] = x[b >> 4];
        dst[n++] = x[b & 15];
    }
    if (dstlen) dst[n < dstlen ? n : dstlen - 1] = '\0';
}

/* SUCI (9.11.3.4, figure 9.11.3.4.3): SUPI format in bits 7-5 of the first octet;
 * for an IMSI: PLMN, routing indicator (4 BCD digits), protection scheme id (bits
 * 4-1), home network public key id, scheme output (for the null scheme the MSIN in
 * BCD, which reveals the IMSI). Written as TS 23.003 clause 28.7.3. */
static void suci(tpa_nas_msg_t *m, tpa_rd_t v)
{
    unsigned fmt = (tpa_rd_u8(&v) >> 4) & 7;
    if (fmt == 1) { /* NAI */
        char nai[128];
        tpa_rd_str(&v, tpa_rd_remaining(&v), nai, sizeof nai);
        if (nai[0]) tpa_nas_id_s(m, TPA_ID_SUCI, nai);
        return;
    }
    if (fmt != 0) return;
    char mcc[4], mnc[4], ri[8], out[160];
    if (!tpa_nas_plmn(&v, mcc, mnc)) return;
    tpa_nas_bcd(tpa_rd_sub(&v, 2), false, ri, sizeof ri);
    unsigned scheme = tpa_rd_u8(&v) & 0x0f;
    unsigned hnpki = tpa_rd_u8(&v);
    if (v.err) return;
    /* TS 23.003 28.7.3: "suci-0-<mcc>-<mnc>-<routing indicator>-<scheme>-<key id>-<output>"
     * (never cut: room for all its parts) */
    if (scheme == 0)
        tpa_nas_bcd(v, false, out, sizeof out);
    else
        hex(v, out, sizeof out);
    char s[sizeof "suci-0-" + 3 + 1 + 3 + 1 + sizeof ri + 3 + 1 + 3 + 1 + sizeof out];
    tpa_fmt_t f;
    tpa_fmt_init(&f, s, sizeof s);
    tpa_fmt_mem(&f, "suci-0-", 7);
    tpa_fmt_s(&f, mcc);
    tpa_fmt_c(&f, '-');
    tpa_fmt_s(&f, mnc);
    tpa_fmt_c(&f, '-');
    tpa_fmt_s(&f, ri[0] ? ri : "0");
    tpa_fmt_c(&f, '-');
    tpa_fmt_u(&f, scheme);
    tpa_fmt_c(&f, '-');
    tpa_fmt_u(&f, hnpki);
    tpa_fmt_c(&f, '-');
    tpa_fmt_s(&f, out);
    tpa_nas_id_s(m, TPA_ID_SUCI, s);
    if (scheme == 0 && out[0]) { /* the null scheme's output is the MSIN: "imsi-<IMSI>" */
        tpa_fmt_init(&f, s, sizeof s);
        tpa_fmt_mem(&f, "imsi-", 5);
        tpa_fmt_s(&f, mcc);
        tpa_fmt_s(&f, mnc);
        tpa_fmt_s(&f, out);
        tpa_nas_id_s(m, TPA_ID_IMSI, s + 5);
        tpa_nas_id_s(m, TPA_ID_SUPI, s);
    }
}

/* A 5G-S-TMSI as "<AMF set id>-<AMF pointer>-<5G-TMSI %08x>" (sp: set id and pointer,
 * 10 and 6 bits). */
static void tmsi_text(tpa_fmt_t *f, unsigned sp, uint32_t tmsi)
{
    tpa_fmt_u(f, sp >> 6);
    tpa_fmt_c(f, '-');
    tpa_fmt_u(f, sp & 0x3f);
    tpa_fmt_c(f, '-');
    tpa_fmt_x(f, tmsi, 8);
}

/* 5GS mobile identity (9.11.3.4): type of identity in bits 3-1 of the first octet. */
static void mobile_id(tpa_nas_msg_t *m, tpa_rd_t v)
{
    if (!tpa_rd_has(&v, 1)) return;
    uint8_t o = tpa_rd_peek(&v, 0);
    char d[24], mcc[4], mnc[4];
    switch (o & 7) {
    case 1:
        suci(m, v);
        break;
    case 2: { /* 5G-GUTI: PLMN, AMF region, set id (10 bits) + pointer (6), 5G-TMSI */
        tpa_rd_skip(&v, 1);
        if (!tpa_nas_plmn(&v, mcc, mnc)) return;
        unsigned region = tpa_rd_u8(&v);
        unsigned sp = tpa_rd_be16(&v);
        uint32_t tmsi = tpa_rd_be32(&v);
        if (v.err) return;
        /* "<mcc><mnc>-<region>-<set>-<pointer>-<tmsi %08x>", the 5G-S-TMSI its tail */
        char g[64];
        tpa_fmt_t f;
        tpa_nas_guti_head(&f, g, sizeof g, mcc, mnc, region);
        size_t s_tmsi = tpa_fmt_len(&f);
        tmsi_text(&f, sp, tmsi);
        tpa_nas_id_s(m, TPA_ID_GUTI, g);
        tpa_nas_id_s(m, TPA_ID_TMSI, g + s_tmsi);
        break;
    }
    case 3: /* IMEI */
    case 5: /* IMEISV */
        if (tpa_nas_bcd(v, true, d, sizeof d)) tpa_nas_id_s(m, TPA_ID_IMEI, d);
        break;
    case 4: { /* 5G-S-TMSI */
        tpa_rd_skip(&v, 1);
        unsigned sp = tpa_rd_be16(&v);
        uint32_t tmsi = tpa_rd_be32(&v);
        if (v.err) break;
        char t[32];
        tpa_fmt_t f;
        tpa_fmt_init(&f, t, sizeof t);
        tmsi_text(&f, sp, tmsi);
        tpa_nas_id_s(m, TPA_ID_TMSI, t);
        break;
    }
    default:
        break;
    }
}

/* S-NSSAI (9.11.2.8): length 1 SST; 2 SST, mapped SST; 4 SST, SD (3 octets); 5 SST,
 * SD, mapped SST; 8 SST, SD, mapped SST, mapped SD. */
static void snssai(tpa_rd_t v, char *dst, size_t dstlen)
{
    unsigned sst = tpa_rd_u8(&v);
    if (v.err) {
        dst[0] = '\0';
        return;
    }
    tpa_fmt_t f; /* "%u-%06x", or "%u" without an SD */
    tpa_fmt_init(&f, dst, dstlen);
    tpa_fmt_u(&f, sst);
    if (tpa_rd_remaining(&v) >= 3) {
        tpa_fmt_c(&f, '-');
        tpa_fmt_x(&f, tpa_rd_be24(&v), 6);
    }
}

/* ---- 5GSM ---- */

static void sm_cause(tpa_nas_msg_t *m, unsigned cause)
{
    tpa_nas_cause(m, cause, sm_causes[cause & 0xff], "5gsm");
}

/* Procedures and pairing (clause 6.3, 6.4): UE-requested procedures answer with the
 * PTI of the request, network-requested ones use PTI 0 (6.1.3.3.2). */
static void sm_semantics(tpa_nas_msg_t *m, unsigned type, unsigned pti)
{
    const char *est = "PDU Session Establishment", *mod = "PDU Session Modification",
               *rel = "PDU Session Release", *aut = "PDU Session Authentication";
    bool fail = m->sig.has_cause;
    switch (type) {
    case 0xc1: tpa_nas_proc(m, TPA_SIG_REQUEST, est, TPA_SIG_OK); break;
    case 0xc2: tpa_nas_proc(m, TPA_SIG_RESPONSE, est, TPA_SIG_OK); break;
    case 0xc3: tpa_nas_proc(m, TPA_SIG_RESPONSE, est, TPA_SIG_FAILURE); break;
    case 0xc5: tpa_nas_proc(m, TPA_SIG_REQUEST, aut, TPA_SIG_OK); break;
    case 0xc6: tpa_nas_proc(m, TPA_SIG_RESPONSE, aut, TPA_SIG_OK); break;
    case 0xc9: tpa_nas_proc(m, TPA_SIG_REQUEST, mod, TPA_SIG_OK); break;
    case 0xca: tpa_nas_proc(m, TPA_SIG_RESPONSE, mod, TPA_SIG_FAILURE); break;
    case 0xcb:
        tpa_nas_proc(m, pti ? TPA_SIG_RESPONSE : TPA_SIG_REQUEST, mod, TPA_SIG_OK);
        break;
    case 0xcc:
        if (!pti) tpa_nas_proc(m, TPA_SIG_RESPONSE, mod, TPA_SIG_OK);
        break;
    case 0xcd:
        if (!pti)
            tpa_nas_proc(m, TPA_SIG_RESPONSE, mod, TPA_SIG_FAILURE);
        else
            tpa_nas_proc(m, TPA_SIG_INDICATION, NULL, TPA_SIG_FAILURE);
        break;
    case 0xd1: tpa_nas_proc(m, TPA_SIG_REQUEST, rel, TPA_SIG_OK); break;
    case 0xd2: tpa_nas_proc(m, TPA_SIG_RESPONSE, rel, TPA_SIG_FAILURE); break;
    case 0xd3:
        tpa_nas_proc(m, pti ? TPA_SIG_RESPONSE : TPA_SIG_REQUEST, rel, TPA_SIG_OK);
        break;
    case 0xd4:
        if (!pti) tpa_nas_proc(m, TPA_SIG_RESPONSE, rel, TPA_SIG_OK);
        break;
    case 0xd6: tpa_nas_proc(m, TPA_SIG_INDICATION, NULL, TPA_SIG_FAILURE); break;
    default: break;
    }
    /* a cause on a success says why (regular deactivation): not a failure cause */
    if (m->sig.kind == TPA_SIG_RESPONSE && m->sig.outcome == TPA_SIG_OK && fail)
        m->sig.has_cause = false;
}

static void sm_opt(body_t *b, unsigned type, const tpa_nas_ie_t *ie)
{
    tpa_rd_t v = ie->val;
    switch (ie->iei) {
    case 0x59: /* 5GSM cause (TV) */
        if (tpa_rd_has(&v, 1)) sm_cause(&b->m, tpa_rd_peek(&v, 0));
        break;
    case 0x29: /* PDU address */
        if (type == 0xc2) tpa_nas_ue_address(&b->m, v); /* PDU address */
        break;
    case 0x22: /* S-NSSAI */
        if (type == 0xc2) snssai(v, b->snssai, sizeof b->snssai);
        break;
    case 0x25: /* DNN */
        if (type == 0xc2) tpa_3gpp_apn(&v, tpa_rd_remaining(&v), b->dnn, sizeof b->dnn);
        break;
    default:
        break;
    }
}

/* Mandatory part of a 5GSM message (clause 8.3); false when it runs out. */
static bool sm_mandatory(body_t *b, unsigned type, tpa_rd_t *r)
{
    switch (type) {
    case 0xc1: /* Integrity protection maximum data rate */
        tpa_rd_skip(r, 2);
        break;
    case 0xc2: /* selected SSC mode + PDU session type, authorized QoS rules, AMBR */
        tpa_rd_skip(r, 1);
        tpa_nas_lv(r, 2);
        tpa_nas_lv(r, 1);
        break;
    case 0xc3:
    case 0xca:
    case 0xcd:
    case 0xd2:
    case 0xd3:
    case 0xd6: { /* 5GSM cause */
        unsigned cause = tpa_rd_u8(r);
        if (!r->err) sm_cause(&b->m, cause);
        break;
    }
    case 0xc5:
    case 0xc6:
    case 0xc7: /* EAP message */
        tpa_nas_lv(r, 2);
        break;
    default:
        break;
    }
    return !r->err;
}

static void walk_nested(tpa_nas_walk_t *w, body_t *b);

/* One 5GSM message at r (EPD 0x2e). Returns whether it is a counted, well-formed
 * message. */
static bool sm_msg(tpa_nas_walk_t *w, tpa_rd_t r)
{
    tpa_rd_skip(&r, 1);
    unsigned psi = tpa_rd_u8(&r);
    unsigned pti = tpa_rd_u8(&r);
    unsigned type = tpa_rd_u8(&r);
    if (r.err) {
        tpa_nas_bad(w, TPA_MAL_NAS5GS_TRUNCATED);
        return false;
    }
    if (type < 0xc1 || type > 0xd6) return false;
    if (w->dry && !sm_names[type]) return false;
    body_t b;
    b.reason = -1;
    b.nn = 0;
    b.dnn[0] = b.snssai[0] = '\0';
    tpa_nas_msg_init(&b.m, PROTO, type, sm_names[type] ? sm_names[type] : "Unknown 5GSM message");
    tpa_nas_key(&b.m, w, "|psi=", psi);
    tpa_nas_id_u(&b.m, TPA_ID_PDU_SESSION, psi);
    if (!sm_mandatory(&b, type, &r)) {
        b.reason = TPA_MAL_NAS5GS_TRUNCATED;
    } else if (sm_names[type]) {
        tpa_nas_opts_t o;
        tpa_nas_ie_t ie;
        tpa_nas_opts_init(&o, &r, sm_tv, NULL);
        while (tpa_nas_opts_next(&o, &ie))
            sm_opt(&b, type, &ie);
        if (o.bad) b.reason = TPA_MAL_NAS5GS_IE_LEN_INVALID;
    }
    const char *dnn = b.dnn[0] ? b.dnn : w->dnn;
    const char *sn = b.snssai[0] ? b.snssai : w->snssai;
    if (dnn && dnn[0]) tpa_nas_id_s(&b.m, TPA_ID_DNN, dnn);
    if (sn && sn[0]) tpa_nas_id_s(&b.m, TPA_ID_SNSSAI, sn);
    sm_semantics(&b.m, type, pti);
    if (b.reason >= 0) tpa_nas_bad(w, b.reason);
    tpa_nas_report(w, &b.m);
    return b.reason < 0;
}

/* ---- 5GMM ---- */

static void mm_cause(tpa_nas_msg_t *m, unsigned cause)
{
    tpa_nas_cause(m, cause, mm_causes[cause & 0xff], "5gmm");
}

static bool is_any(unsigned type, const uint8_t *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == type) return true;
    return false;
}

static void mm_opt(tpa_nas_walk_t *w, body_t *b, unsigned type, const tpa_nas_ie_t *ie)
{
    static const uint8_t guti_in[] = {0x41, 0x42, 0x54, 0x5e};
    static const uint8_t nas_cont_in[] = {0x41, 0x4c, 0x4f, 0x5e};
    tpa_rd_t v = ie->val;
    switch (ie->iei) {
    case 0x77: /* 5G-GUTI / additional GUTI / IMEISV */
        if (is_any(type, guti_in, sizeof guti_in)) mobile_id(&b->m, v);
        break;
    case 0x78: /* Security mode complete: non-IMEISV PEI */
        if (type == 0x5e) mobile_id(&b->m, v);
        break;
    case 0x71: /* NAS message container */
        if (is_any(type, nas_cont_in, sizeof nas_cont_in)) nest(b, v, NEST_COPY_5GS);
        break;
    case 0x70: /* EPS NAS message container */
        if (type == 0x41) nest(b, v, NEST_COPY_EPS);
        break;
    case 0x80: /* payload container type (Registration request, CPSR) */
        if (type == 0x41 || type == 0x4f) b->pc_type = ie->half;
        break;
    case 0x7b: /* payload container */
        if ((type == 0x41 || type == 0x4f) && b->pc_type == 1) nest(b, v, NEST_SM);
        break;
    case 0x12: /* PDU session ID */
        if ((type == 0x67 || type == 0x68 || type == 0x4f) && tpa_rd_has(&v, 1))
            tpa_nas_id_u(&b->m, TPA_ID_PDU_SESSION, tpa_rd_peek(&v, 0));
        break;
    case 0x22: /* S-NSSAI */
        if (type == 0x67) {
            snssai(v, b->snssai, sizeof b->snssai);
            if (b->snssai[0]) tpa_nas_id_s(&b->m, TPA_ID_SNSSAI, b->snssai);
        }
        break;
    case 0x25: /* DNN */
        if (type == 0x67) {
            tpa_3gpp_apn(&v, tpa_rd_remaining(&v), b->dnn, sizeof b->dnn);
            if (b->dnn[0]) tpa_nas_id_s(&b->m, TPA_ID_DNN, b->dnn);
        }
        break;
    case 0x58: /* 5GMM cause (TV) */
        if ((type == 0x68 || type == 0x47) && tpa_rd_has(&v, 1)) {
            mm_cause(&b->m, tpa_rd_peek(&v, 0));
            b->has_mm_cause = true;
        }
        break;
    case 0xd0: /* Configuration update indication: bit 1 ACK requested */
        if (type == 0x54) b->ack = ie->half & 1;
        break;
    default:
        break;
    }
    (void)w;
}

/* Payload container of UL/DL NAS transport (9.11.3.39): type 1 holds a 5GSM message;
 * type 15 holds entries (number of entries; each: length (2), number of optional IEs
 * and payload container type, the optional IEs, the contents). */
static void payload(body_t *b, tpa_rd_t v)
{
    if (b->pc_type == 1) {
        nest(b, v, NEST_SM);
        return;
    }
    if (b->pc_type != 15) return;
    unsigned n = tpa_rd_u8(&v);
    for (unsigned i = 0; i < n && !v.err; i++) {
        tpa_rd_t e = tpa_nas_lv(&v, 2);
        unsigned h = tpa_rd_u8(&e);
        for (unsigned k = 0; k < (h >> 4) && !e.err; k++) {
            tpa_nas_ie_t ie;
            if (tpa_nas_next_ie(&e, mm_tv, NULL, &ie) <= 0) break;
        }
        if (!e.err && (h & 0x0f) == 1) nest(b, e, NEST_SM);
    }
}

/* Mandatory part of a 5GMM message (clause 8.2); false when it runs out. */
static bool mm_mandatory(tpa_nas_walk_t *w, body_t *b, unsigned type, tpa_rd_t *r,
                         bool *switch_off)
{
    switch (type) {
    case 0x41: /* 5GS registration type + ngKSI, 5GS mobile identity */
    case 0x4c: /* ngKSI + service type, 5G-S-TMSI */
    case 0x45: { /* de-registration type + ngKSI, 5GS mobile identity */
        unsigned o = tpa_rd_u8(r);
        if (type == 0x45) *switch_off = (o & 0x08) != 0;
        tpa_rd_t id = tpa_nas_lv(r, 2);
        if (!r->err) mobile_id(&b->m, id);
        break;
    }
    case 0x42: /* 5GS registration result */
        tpa_nas_lv(r, 1);
        break;
    case 0x44:
    case 0x4d:
    case 0x59:
    case 0x5f:
    case 0x64: { /* 5GMM cause */
        unsigned cause = tpa_rd_u8(r);
        if (!r->err) mm_cause(&b->m, cause);
        break;
    }
    case 0x47: /* de-registration type */
    case 0x4f: /* ngKSI + control plane service type */
    case 0x5b: /* identity type */
    case 0x65: /* access type */
        tpa_rd_skip(r, 1);
        break;
    case 0x50:
    case 0x51:
    case 0x52: /* S-NSSAI, EAP message */
        tpa_nas_lv(r, 1);
        tpa_nas_lv(r, 2);
        break;
    case 0x56: /* ngKSI, ABBA */
        tpa_rd_skip(r, 1);
        tpa_nas_lv(r, 1);
        break;
    case 0x5a: /* ngKSI, EAP message */
        tpa_rd_skip(r, 1);
        tpa_nas_lv(r, 2);
        break;
    case 0x5d: { /* selected algorithms, ngKSI, replayed UE security capabilities */
        unsigned algs = tpa_rd_u8(r);
        tpa_rd_skip(r, 1);
        tpa_nas_lv(r, 1);
        /* the ciphering algorithm: bits 8-5 of the selected NAS security algorithms
         * (9.11.3.34), 0 = 5G-EA0 */
        if (!r->err) tpa_nas_remember_sec(w, (algs >> 4) == 0);
        break;
    }
    case 0x67:
    case 0x68: { /* payload container type, payload container */
        b->pc_type = tpa_rd_u8(r) & 0x0f;
        tpa_rd_t pc = tpa_nas_lv(r, 2);
        if (!r->err) payload(b, pc);
        break;
    }
    case 0x5c: { /* Identity response: 5GS mobile identity */
        tpa_rd_t id = tpa_nas_lv(r, 2);
        if (!r->err) mobile_id(&b->m, id);
        break;
    }
    default:
        break;
    }
    return !r->err;
}

/* Procedures and pairing of 5GMM (clause 5). */
static void mm_semantics(body_t *b, unsigned type, bool switch_off)
{
    tpa_nas_msg_t *m = &b->m;
    const char *reg = "Registration", *sr = "Service Request", *au = "Authentication",
               *smc = "Security Mode", *dereg_ue = "Deregistration (UE originating)",
               *dereg_nw = "Deregistration (network originating)";
    switch (type) {
    case 0x41: tpa_nas_proc(m, TPA_SIG_REQUEST, reg, TPA_SIG_OK); break;
    case 0x42: tpa_nas_proc(m, TPA_SIG_RESPONSE, reg, TPA_SIG_OK); break;
    case 0x44: tpa_nas_proc(m, TPA_SIG_RESPONSE, reg, TPA_SIG_FAILURE); break;
    case 0x45:
        if (!switch_off) tpa_nas_proc(m, TPA_SIG_REQUEST, dereg_ue, TPA_SIG_OK);
        break;
    case 0x46: tpa_nas_proc(m, TPA_SIG_RESPONSE, dereg_ue, TPA_SIG_OK); break;
    case 0x47: tpa_nas_proc(m, TPA_SIG_REQUEST, dereg_nw, TPA_SIG_OK); break;
    case 0x48: tpa_nas_proc(m, TPA_SIG_RESPONSE, dereg_nw, TPA_SIG_OK); break;
    case 0x4c:
    case 0x4f: tpa_nas_proc(m, TPA_SIG_REQUEST, sr, TPA_SIG_OK); break;
    case 0x4e: tpa_nas_proc(m, TPA_SIG_RESPONSE, sr, TPA_SIG_OK); break;
    case 0x4d: tpa_nas_proc(m, TPA_SIG_RESPONSE, sr, TPA_SIG_FAILURE); break;
    case 0x50:
        tpa_nas_proc(m, TPA_SIG_REQUEST, "Network Slice-Specific Authentication", TPA_SIG_OK);
        break;
    case 0x51:
        tpa_nas_proc(m, TPA_SIG_RESPONSE, "Network Slice-Specific Authentication", TPA_SIG_OK);
        break;
    case 0x54:
        if (b->ack) tpa_nas_proc(m, TPA_SIG_REQUEST, "Configuration Update", TPA_SIG_OK);
        break;
    case 0x55: tpa_nas_proc(m, TPA_SIG_RESPONSE, "Configuration Update", TPA_SIG_OK); break;
    case 0x56: tpa_nas_proc(m, TPA_SIG_REQUEST, au, TPA_SIG_OK); break;
    case 0x57: tpa_nas_proc(m, TPA_SIG_RESPONSE, au, TPA_SIG_OK); break;
    case 0x58:
    case 0x59: tpa_nas_proc(m, TPA_SIG_RESPONSE, au, TPA_SIG_FAILURE); break;
    case 0x5b: tpa_nas_proc(m, TPA_SIG_REQUEST, "Identity", TPA_SIG_OK); break;
    case 0x5c: tpa_nas_proc(m, TPA_SIG_RESPONSE, "Identity", TPA_SIG_OK); break;
    case 0x5d: tpa_nas_proc(m, TPA_SIG_REQUEST, smc, TPA_SIG_OK); break;
    case 0x5e: tpa_nas_proc(m, TPA_SIG_RESPONSE, smc, TPA_SIG_OK); break;
    case 0x5f: tpa_nas_proc(m, TPA_SIG_RESPONSE, smc, TPA_SIG_FAILURE); break;
    case 0x64: tpa_nas_proc(m, TPA_SIG_INDICATION, NULL, TPA_SIG_FAILURE); break;
    case 0x65: tpa_nas_proc(m, TPA_SIG_REQUEST, "Notification", TPA_SIG_OK); break;
    case 0x66: tpa_nas_proc(m, TPA_SIG_RESPONSE, "Notification", TPA_SIG_OK); break;
    case 0x68:
        if (b->has_mm_cause) tpa_nas_proc(m, TPA_SIG_INDICATION, NULL, TPA_SIG_FAILURE);
        break;
    default: break;
    }
}

/* One plain 5GMM message at r (EPD 0x7e; the security header type half octet is not
 * looked at). Returns whether it is a counted, well-formed message. */
static bool mm_msg(tpa_nas_walk_t *w, tpa_rd_t r)
{
    tpa_rd_skip(&r, 2);
    unsigned type = tpa_rd_u8(&r);
    if (r.err) {
        tpa_nas_bad(w, TPA_MAL_NAS5GS_TRUNCATED);
        return false;
    }
    if (type < 0x41 || type > 0x68) return false;
    if (w->dry && !mm_names[type]) return false;
    body_t b;
    b.reason = -1;
    b.nn = 0;
    b.pc_type = 0;
    b.ack = b.has_mm_cause = false;
    b.dnn[0] = b.snssai[0] = '\0';
    tpa_nas_msg_init(&b.m, PROTO, type, mm_names[type] ? mm_names[type] : "Unknown 5GMM message");
    tpa_nas_key(&b.m, w, NULL, 0);
    bool switch_off = false;
    if (!mm_mandatory(w, &b, type, &r, &switch_off)) {
        b.reason = TPA_MAL_NAS5GS_TRUNCATED;
    } else if (mm_names[type]) {
        tpa_nas_opts_t o;
        tpa_nas_ie_t ie;
        tpa_nas_opts_init(&o, &r, mm_tv, type == 0x56 ? mm_tv_auth : NULL);
        while (tpa_nas_opts_next(&o, &ie))
            mm_opt(w, &b, type, &ie);
        if (o.bad) b.reason = TPA_MAL_NAS5GS_IE_LEN_INVALID;
    }
    mm_semantics(&b, type, switch_off);
    if (b.reason >= 0) tpa_nas_bad(w, b.reason);
    tpa_nas_report(w, &b.m);
    walk_nested(w, &b);
    return b.reason < 0;
}

/* A plain NAS message after a security header: any EPD; ciphered says its octets
 * may be ciphertext (then an unknown EPD is not malformed). */
static bool plain(tpa_nas_walk_t *w, tpa_rd_t r, bool ciphered)
{
    if (!tpa_rd_has(&r, 1)) {
        if (!ciphered) tpa_nas_bad(w, TPA_MAL_NAS5GS_TRUNCATED);
        return false;
    }
    uint8_t epd = tpa_rd_peek(&r, 0);
    if (epd == EPD_5GMM) return mm_msg(w, r);
    if (epd == EPD_5GSM) return sm_msg(w, r);
    if (!ciphered) tpa_nas_bad(w, TPA_MAL_NAS5GS_BAD_EPD);
    return false;
}

void tpa_nas5gs_walk(tpa_nas_walk_t *w, tpa_rd_t r)
{
    if (!tpa_rd_has(&r, 1)) {
        tpa_nas_bad(w, TPA_MAL_NAS5GS_TRUNCATED);
        return;
    }
    uint8_t epd = tpa_rd_peek(&r, 0);
    if (epd == EPD_5GSM) {
        sm_msg(w, r);
        return;
    }
    if (epd != EPD_5GMM) {
        tpa_nas_bad(w, TPA_MAL_NAS5GS_BAD_EPD);
        return;
    }
    if (!tpa_rd_has(&r, 2)) {
        tpa_nas_bad(w, TPA_MAL_NAS5GS_TRUNCATED);
        return;
    }
    unsigned sht = tpa_rd_peek(&r, 1) & 0x0f;
    if (sht == 0) {
        mm_msg(w, r);
        return;
    }
    if (sht > 4) {
        tpa_nas_bad(w, TPA_MAL_NAS5GS_BAD_SEC_HDR);
        return;
    }
    tpa_rd_skip(&r, 7); /* EPD, security header type, MAC, sequence number */
    if (r.err) {
        tpa_nas_bad(w, TPA_MAL_NAS5GS_TRUNCATED);
        return;
    }
    tpa_nas_protected(w, r, sht, plain);
}

static void walk_nested(tpa_nas_walk_t *w, body_t *b)
{
    tpa_nas_walk_t n;
    if (!tpa_nas_nested(w, b->nn, TPA_MAL_NAS5GS_TOO_DEEP, &n)) return;
    n.dnn = b->dnn[0] ? b->dnn : NULL;
    n.snssai = b->snssai[0] ? b->snssai : NULL;
    for (int i = 0; i < b->nn; i++) {
        n.echo = w->echo || b->nest[i].kind != NEST_SM;
        if (b->nest[i].kind == NEST_COPY_EPS)
            tpa_naseps_walk(&n, b->nest[i].r);
        else
            tpa_nas5gs_walk(&n, b->nest[i].r);
    }
}

void tpa_nas5gs_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *pdu, const tpa_nas_ue_t *ue)
{
    tpa_nas_dissect(c, pdu, ue, false, tpa_nas5gs_walk);
}
