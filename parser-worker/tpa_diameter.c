/* tpa_diameter.c - Diameter messages (see tpa_diameter.h).
 *
 * RFC 6733 section 3, the header (20 bytes): Version (1, must be 1), Message Length
 * (3: the whole message, header and padded AVPs, always a multiple of 4), Command
 * Flags (1: R P E T r r r r; the reserved bits are 0, and E is never set on a
 * request), Command Code (3), Application-ID (4), Hop-by-Hop Identifier (4),
 * End-to-End Identifier (4).
 * Section 4.1, an AVP: AVP Code (4), AVP Flags (1: V M P r r r r r), AVP Length (3:
 * header, Vendor-ID when V is set, and data; "does not include any bytes used for
 * padding"), Vendor-ID (4, only with V), data, then 0-3 zero bytes of padding to the
 * next 4-byte boundary. Section 4.4: a Grouped AVP's data is a sequence of AVPs.
 * Section 2.1: over TCP and SCTP the peers listen on port 3868; RFC 6733 section 2.1.1
 * and IANA: SCTP payload protocol id 46 (47 for DTLS over SCTP, encrypted).
 * Result codes: RFC 6733 section 7.1, RFC 4006 section 9; Experimental-Result-Codes
 * of 3GPP (vendor 10415): TS 29.272 section 7.4, TS 29.229 section 6.2, TS 29.329
 * section 6.2, TS 29.212 section 5.5.
 * Commands: RFC 6733 (257 CE, 258 RA, 271 AC, 274 AS, 275 ST, 280 DW, 282 DP),
 * RFC 4006 (272 CC), RFC 7155 (265 AA), RFC 4072 (268 DE), TS 29.229 (300-305 Cx),
 * TS 29.329 (306-309 Sh), TS 29.272 (316-324 S6a/S6d/S13), TS 29.338 (8388645-8388649
 * S6c/SGd), TS 29.219 (8388635-8388636 Sy), TS 29.172/29.173 (8388620-8388622 SLg/SLh).
 */
#include "tpa_diameter.h"

#include <stdlib.h>
#include <string.h>

#include "tpa_3gpp.h"
#include "tpa_fmt.h"
#include "tpa_malformed.h"
#include "tpa_pdu.h"
#include "tpa_sig.h"

#define HDR_LEN 20
#define MAX_DEPTH 8              /* grouped AVPs nested deeper are malformed */
#define MAX_MSG (1u << 20)       /* longest message delivered over TCP */
#define SYNC_MAX_MSG (64u << 10) /* longest message believed when resynchronising */
#define VENDOR_3GPP 10415u

enum { AVP_V = 0x80, AVP_M = 0x40, AVP_P = 0x20 };

/* Application ids whose User-Name is an IMSI: S6a/S6d, S13 (TS 29.272 section 5.2,
 * 7.3.1: "User-Name ... shall contain the IMSI"). */
enum { APP_S6A = 16777251, APP_S13 = 16777252 };

/* ---- names ---- */

/* A command (RFC 6733 section 3.1 and the 3GPP / IETF applications), with the texts a
 * message of it is reported by as literals: the signalling layer keeps a literal by
 * its address (no copy, counted with one compare) where a text built per message
 * would be compared and copied. Indexed [0] answer, [1] request (the R flag). */
typedef struct cmd_def {
    uint32_t code;
    const char *name;    /* "Update-Location", also the procedure */
    const char *text[2]; /* messages[] code: "316/A", "316/R" */
    const char *msg[2];  /* "Update-Location-Answer", "Update-Location-Request" */
} cmd_def_t;

#define CMD(c, n) {c, n, {#c "/A", #c "/R"}, {n "-Answer", n "-Request"}}
/* by code, ascending (cmd_row searches by halves) */
static const cmd_def_t commands[] = {
    CMD(257, "Capabilities-Exchange"),
    CMD(258, "Re-Auth"),
    CMD(265, "AA"),
    CMD(268, "Diameter-EAP"),
    CMD(271, "Accounting"),
    CMD(272, "Credit-Control"),
    CMD(274, "Abort-Session"),
    CMD(275, "Session-Termination"),
    CMD(280, "Device-Watchdog"),
    CMD(282, "Disconnect-Peer"),
    CMD(300, "User-Authorization"),
    CMD(301, "Server-Assignment"),
    CMD(302, "Location-Info"),
    CMD(303, "Multimedia-Auth"),
    CMD(304, "Registration-Termination"),
    CMD(305, "Push-Profile"),
    CMD(306, "User-Data"),
    CMD(307, "Profile-Update"),
    CMD(308, "Subscribe-Notifications"),
    CMD(309, "Push-Notification"),
    CMD(316, "Update-Location"),
    CMD(317, "Cancel-Location"),
    CMD(318, "Authentication-Information"),
    CMD(319, "Insert-Subscriber-Data"),
    CMD(320, "Delete-Subscriber-Data"),
    CMD(321, "Purge-UE"),
    CMD(322, "Reset"),
    CMD(323, "Notify"),
    CMD(324, "ME-Identity-Check"),
    CMD(8388620, "Provide-Location"),
    CMD(8388621, "Location-Report"),
    CMD(8388622, "LCS-Routing-Info"),
    CMD(8388635, "Spending-Limit"),
    CMD(8388636, "Spending-Status-Notification"),
    CMD(8388645, "MO-Forward-Short-Message"),
    CMD(8388646, "MT-Forward-Short-Message"),
    CMD(8388647, "Send-Routing-Info-for-SM"),
    CMD(8388648, "Alert-Service-Centre"),
    CMD(8388649, "Report-SM-Delivery-Status"),
};
#undef CMD

/* The row of command code, or NULL. O(log n). */
static const cmd_def_t *cmd_row(uint32_t code)
{
    size_t lo = 0, hi = sizeof commands / sizeof commands[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (commands[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < sizeof commands / sizeof commands[0] && commands[lo].code == code ? &commands[lo]
                                                                                : NULL;
}

const char *tpa_diameter_command_name(uint32_t code)
{
    const cmd_def_t *row = cmd_row(code);
    return row ? row->name : NULL;
}

typedef struct rc_def {
    uint32_t code;
    const char *name;
} rc_def_t;

/* Result-Code values (vendor 0): RFC 6733 section 7.1, RFC 4006 section 9. */
static const rc_def_t base_results[] = {
    {1001, "DIAMETER_MULTI_ROUND_AUTH"},
    {2001, "DIAMETER_SUCCESS"},
    {2002, "DIAMETER_LIMITED_SUCCESS"},
    {3001, "DIAMETER_COMMAND_UNSUPPORTED"},
    {3002, "DIAMETER_UNABLE_TO_DELIVER"},
    {3003, "DIAMETER_REALM_NOT_SERVED"},
    {3004, "DIAMETER_TOO_BUSY"},
    {3005, "DIAMETER_LOOP_DETECTED"},
    {3006, "DIAMETER_REDIRECT_INDICATION"},
    {3007, "DIAMETER_APPLICATION_UNSUPPORTED"},
    {3008, "DIAMETER_INVALID_HDR_BITS"},
    {3009, "DIAMETER_INVALID_AVP_BITS"},
    {3010, "DIAMETER_UNKNOWN_PEER"},
    {4001, "DIAMETER_AUTHENTICATION_REJECTED"},
    {4002, "DIAMETER_OUT_OF_SPACE"},
    {4003, "ELECTION_LOST"},
    {4010, "DIAMETER_END_USER_SERVICE_DENIED"},
    {4011, "DIAMETER_CREDIT_CONTROL_NOT_APPLICABLE"},
    {4012, "DIAMETER_CREDIT_LIMIT_REACHED"},
    {5001, "DIAMETER_AVP_UNSUPPORTED"},
    {5002, "DIAMETER_UNKNOWN_SESSION_ID"},
    {5003, "DIAMETER_AUTHORIZATION_REJECTED"},
    {5004, "DIAMETER_INVALID_AVP_VALUE"},
    {5005, "DIAMETER_MISSING_AVP"},
    {5006, "DIAMETER_RESOURCES_EXCEEDED"},
    {5007, "DIAMETER_CONTRADICTING_AVPS"},
    {5008, "DIAMETER_AVP_NOT_ALLOWED"},
    {5009, "DIAMETER_AVP_OCCURS_TOO_MANY_TIMES"},
    {5010, "DIAMETER_NO_COMMON_APPLICATION"},
    {5011, "DIAMETER_UNSUPPORTED_VERSION"},
    {5012, "DIAMETER_UNABLE_TO_COMPLY"},
    {5013, "DIAMETER_INVALID_BIT_IN_HEADER"},
    {5014, "DIAMETER_INVALID_AVP_LENGTH"},
    {5015, "DIAMETER_INVALID_MESSAGE_LENGTH"},
    {5016, "DIAMETER_INVALID_AVP_BIT_COMBO"},
    {5017, "DIAMETER_NO_COMMON_SECURITY"},
    {5030, "DIAMETER_USER_UNKNOWN"},
    {5031, "DIAMETER_RATING_FAILED"},
};

/* Experimental-Result-Code values of 3GPP (vendor 10415). The same number means the
 * same in the interfaces that share it (TS 29.272, 29.229, 29.329, 29.212). */
static const rc_def_t exp_results[] = {
    {2001, "DIAMETER_FIRST_REGISTRATION"},
    {2002, "DIAMETER_SUBSEQUENT_REGISTRATION"},
    {2003, "DIAMETER_UNREGISTERED_SERVICE"},
    {2004, "DIAMETER_SUCCESS_SERVER_NAME_NOT_STORED"},
    {2021, "DIAMETER_PDP_CONTEXT_DELETION_INDICATION"},
    {4100, "DIAMETER_USER_DATA_NOT_AVAILABLE"},
    {4101, "DIAMETER_PRIOR_UPDATE_IN_PROGRESS"},
    {4141, "DIAMETER_PCC_BEARER_EVENT"},
    {4181, "DIAMETER_AUTHENTICATION_DATA_UNAVAILABLE"},
    {4182, "DIAMETER_ERROR_CAMEL_SUBSCRIPTION_PRESENT"},
    {5001, "DIAMETER_ERROR_USER_UNKNOWN"},
    {5002, "DIAMETER_ERROR_IDENTITIES_DONT_MATCH"},
    {5003, "DIAMETER_ERROR_IDENTITY_NOT_REGISTERED"},
    {5004, "DIAMETER_ERROR_ROAMING_NOT_ALLOWED"},
    {5005, "DIAMETER_ERROR_IDENTITY_ALREADY_REGISTERED"},
    {5006, "DIAMETER_ERROR_AUTH_SCHEME_NOT_SUPPORTED"},
    {5007, "DIAMETER_ERROR_IN_ASSIGNMENT_TYPE"},
    {5008, "DIAMETER_ERROR_TOO_MUCH_DATA"},
    {5009, "DIAMETER_ERROR_NOT_SUPPORTED_USER_DATA"},
    {5011, "DIAMETER_ERROR_FEATURE_UNSUPPORTED"},
    {5012, "DIAMETER_ERROR_SERVING_NODE_FEATURE_UNSUPPORTED"},
    {5100, "DIAMETER_ERROR_USER_DATA_NOT_RECOGNIZED"},
    {5101, "DIAMETER_ERROR_OPERATION_NOT_ALLOWED"},
    {5102, "DIAMETER_ERROR_USER_DATA_CANNOT_BE_READ"},
    {5103, "DIAMETER_ERROR_USER_DATA_CANNOT_BE_MODIFIED"},
    {5104, "DIAMETER_ERROR_USER_DATA_CANNOT_BE_NOTIFIED"},
    {5140, "DIAMETER_ERROR_INITIAL_PARAMETERS"},
    {5141, "DIAMETER_ERROR_TRIGGER_EVENT"},
    {5142, "DIAMETER_BEARER_NOT_AUTHORIZED"},
    {5143, "DIAMETER_TRAFFIC_MAPPING_INFO_REJECTED"},
    {5420, "DIAMETER_ERROR_UNKNOWN_EPS_SUBSCRIPTION"},
    {5421, "DIAMETER_ERROR_RAT_NOT_ALLOWED"},
    {5422, "DIAMETER_ERROR_EQUIPMENT_UNKNOWN"},
    {5423, "DIAMETER_ERROR_UNKNOWN_SERVING_NODE"},
};

static const char *rc_find(const rc_def_t *t, size_t n, uint32_t code)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].code == code) return t[i].name;
    return NULL;
}

const char *tpa_diameter_result_name(uint32_t vendor, uint32_t code)
{
    if (vendor == VENDOR_3GPP) {
        const char *n = rc_find(exp_results, sizeof exp_results / sizeof exp_results[0], code);
        if (n) return n;
    }
    return rc_find(base_results, sizeof base_results / sizeof base_results[0], code);
}

/* ---- AVPs ---- */

/* Copies an OctetString/UTF8String AVP's data as text (non-printable bytes as '?'). */
static void text(tpa_rd_t *v, char *dst, size_t dstlen)
{
    size_t n = tpa_rd_remaining(v);
    const uint8_t *p = tpa_rd_span(v, n);
    size_t k = 0;
    for (size_t i = 0; p && i < n && k + 1 < dstlen; i++)
        dst[k++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
    dst[k] = '\0';
}

static void text_once(tpa_rd_t *v, char *dst, size_t dstlen)
{
    if (!dst[0]) text(v, dst, dstlen);
}

/* An Unsigned32 / Enumerated AVP's value; false when the data is not 4 bytes. */
static bool u32(tpa_rd_t *v, uint32_t *out)
{
    if (tpa_rd_remaining(v) != 4) return false;
    *out = tpa_rd_be32(v);
    return true;
}

static bool digits_only(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);
    if (n < min || n > max) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

/* Where the AVPs of one grouped AVP are collected while it is walked. */
typedef struct group {
    uint32_t code;
    uint32_t vendor_id; /* Vendor-Id (266) child */
    uint32_t sub_type;  /* Subscription-Id-Type (450) child */
    bool has_sub_type;
    char sub_data[24]; /* Subscription-Id-Data (444) child */
} group_t;

static void set_mal(tpa_diameter_msg_t *m, int reason)
{
    if (m->malformed < 0) m->malformed = reason;
}

static bool avps(tpa_diameter_msg_t *m, tpa_rd_t r, group_t *g, int depth);

/* One AVP's data v (code, vendor from its header), inside group g (NULL at the top). */
static void avp(tpa_diameter_msg_t *m, uint32_t code, uint32_t vendor, tpa_rd_t *v, group_t *g,
                int depth)
{
    uint32_t x;
    if (vendor == 0) {
        switch (code) {
        case 1: /* User-Name */
            text_once(v, m->user_name, sizeof m->user_name);
            return;
        case 258: /* Auth-Application-Id */
            if (u32(v, &x) && !m->auth_app_id) m->auth_app_id = x;
            return;
        case 259: /* Acct-Application-Id */
            if (u32(v, &x) && !m->acct_app_id) m->acct_app_id = x;
            return;
        case 263: /* Session-Id */
            text_once(v, m->session_id, sizeof m->session_id);
            return;
        case 264: /* Origin-Host */
            text_once(v, m->origin_host, sizeof m->origin_host);
            return;
        case 266: /* Vendor-Id */
            if (g && u32(v, &x)) g->vendor_id = x;
            return;
        case 268: /* Result-Code */
            if (u32(v, &x) && !m->has_result) {
                m->has_result = true;
                m->result = x;
            }
            return;
        case 283: /* Destination-Realm */
            text_once(v, m->dest_realm, sizeof m->dest_realm);
            return;
        case 293: /* Destination-Host */
            text_once(v, m->dest_host, sizeof m->dest_host);
            return;
        case 296: /* Origin-Realm */
            text_once(v, m->origin_realm, sizeof m->origin_realm);
            return;
        case 298: /* Experimental-Result-Code */
            if (g && g->code == 297 && u32(v, &x) && !m->has_exp_result) {
                m->has_exp_result = true;
                m->exp_result = x;
            }
            return;
        case 444: /* Subscription-Id-Data */
            if (g && g->code == 443) text(v, g->sub_data, sizeof g->sub_data);
            return;
        case 450: /* Subscription-Id-Type */
            if (g && g->code == 443 && u32(v, &x)) {
                g->sub_type = x;
                g->has_sub_type = true;
            }
            return;
        case 260: /* Vendor-Specific-Application-Id */
        case 297: /* Experimental-Result */
        case 443: /* Subscription-Id */
            break;
        default:
            return;
        }
    } else if (vendor == VENDOR_3GPP) {
        switch (code) {
        case 701: /* MSISDN, TBCD (TS 29.329 section 6.3.2) */
            if (!m->msisdn[0]) tpa_3gpp_tbcd(v, tpa_rd_remaining(v), m->msisdn, sizeof m->msisdn);
            return;
        case 1400: /* Subscription-Data (TS 29.272 section 7.3.2), holds MSISDN */
            break;
        default:
            return;
        }
    } else {
        return;
    }
    /* a grouped AVP worth opening */
    if (depth + 1 >= MAX_DEPTH) {
        set_mal(m, TPA_MAL_DIAMETER_AVP_TOO_DEEP);
        return;
    }
    group_t in = {.code = code};
    if (!avps(m, *v, &in, depth + 1)) return;
    if (code == 297 && in.vendor_id && m->has_exp_result && !m->exp_vendor)
        m->exp_vendor = in.vendor_id;
    if (code == 260 && in.vendor_id && !m->vendor_app_vendor) m->vendor_app_vendor = in.vendor_id;
    if (code == 443 && in.has_sub_type) {
        /* RFC 4006 section 8.47: 0 END_USER_E164, 1 END_USER_IMSI */
        _Static_assert(sizeof m->sub_e164 == sizeof in.sub_data &&
                           sizeof m->sub_imsi == sizeof in.sub_data,
                       "a Subscription-Id-Data text is copied whole, its NUL within");
        if (in.sub_type == 0 && !m->sub_e164[0])
            memcpy(m->sub_e164, in.sub_data, sizeof m->sub_e164);
        else if (in.sub_type == 1 && !m->sub_imsi[0])
            memcpy(m->sub_imsi, in.sub_data, sizeof m->sub_imsi);
    }
}

/* Walks the AVPs of r. False when one is malformed (the walk stops there). */
static bool avps(tpa_diameter_msg_t *m, tpa_rd_t r, group_t *g, int depth)
{
    while (tpa_rd_remaining(&r) > 0) {
        if (!tpa_rd_has(&r, 8)) {
            set_mal(m, TPA_MAL_DIAMETER_AVP_LEN_INVALID);
            return false;
        }
        uint32_t code = tpa_rd_be32(&r);
        uint8_t flags = tpa_rd_u8(&r);
        size_t len = tpa_rd_be24(&r);
        size_t hdr = (flags & AVP_V) ? 12 : 8;
        if (len < hdr || len - 8 > tpa_rd_remaining(&r)) {
            set_mal(m, TPA_MAL_DIAMETER_AVP_LEN_INVALID);
            return false;
        }
        uint32_t vendor = (flags & AVP_V) ? tpa_rd_be32(&r) : 0;
        tpa_rd_t v = tpa_rd_sub(&r, len - hdr);
        /* padding to a multiple of 4; a last AVP whose padding is missing is tolerated */
        size_t pad = (4 - (len & 3)) & 3;
        size_t rem = tpa_rd_remaining(&r);
        tpa_rd_skip(&r, pad < rem ? pad : rem);
        m->avps++;
        avp(m, code, vendor, &v, g, depth);
    }
    return true;
}

bool tpa_diameter_parse(tpa_rd_t *r, tpa_diameter_msg_t *m)
{
    memset(m, 0, sizeof *m);
    m->malformed = -1;
    if (!tpa_rd_has(r, HDR_LEN)) {
        m->malformed = TPA_MAL_DIAMETER_TRUNCATED;
        return false;
    }
    tpa_rd_t h = *r;
    uint8_t version = tpa_rd_u8(&h);
    m->length = tpa_rd_be24(&h);
    m->flags = tpa_rd_u8(&h);
    m->code = tpa_rd_be24(&h);
    m->app_id = tpa_rd_be32(&h);
    m->hbh = tpa_rd_be32(&h);
    m->e2e = tpa_rd_be32(&h);
    if (version != 1) {
        m->malformed = TPA_MAL_DIAMETER_BAD_VERSION;
        return false;
    }
    if (m->length < HDR_LEN) {
        m->malformed = TPA_MAL_DIAMETER_LEN_INVALID;
        return false;
    }
    if (m->length > tpa_rd_remaining(r)) {
        m->malformed = TPA_MAL_DIAMETER_TRUNCATED;
        return false;
    }
    tpa_rd_t msg = tpa_rd_sub(r, m->length);
    tpa_rd_skip(&msg, HDR_LEN);
    if ((m->flags & 0x0f) || ((m->flags & TPA_DIAMETER_FLAG_R) && (m->flags & TPA_DIAMETER_FLAG_E)))
        set_mal(m, TPA_MAL_DIAMETER_FLAGS_INVALID);
    if (m->length & 3) set_mal(m, TPA_MAL_DIAMETER_LEN_INVALID);
    avps(m, msg, NULL, 0);
    return true;
}

/* ---- reporting ---- */

static void report(tpa_dissect_ctx_t *c, const tpa_diameter_msg_t *d)
{
    bool req = (d->flags & TPA_DIAMETER_FLAG_R) != 0;
    const cmd_def_t *row = cmd_row(d->code);
    char code[16], name[80], proc[48], key[32];
    tpa_fmt_t f;
    const char *code_s = code, *name_s = name, *proc_s = proc;
    if (row) { /* the row's literals */
        code_s = row->text[req];
        name_s = row->msg[req];
        proc_s = row->name;
    } else {
        tpa_fmt_init(&f, code, sizeof code);
        tpa_fmt_u(&f, d->code);
        tpa_fmt_s(&f, req ? "/R" : "/A");
        tpa_fmt_init(&f, name, sizeof name);
        tpa_fmt_s(&f, "Command ");
        tpa_fmt_u(&f, d->code);
        tpa_fmt_s(&f, req ? " Request" : " Answer");
        tpa_fmt_init(&f, proc, sizeof proc);
        tpa_fmt_s(&f, "Command ");
        tpa_fmt_u(&f, d->code);
    }
    tpa_fmt_init(&f, key, sizeof key);
    tpa_fmt_s(&f, "hbh=0x");
    tpa_fmt_x(&f, d->hbh, 8);

    tpa_sig_t m;
    tpa_sig_init(&m);
    tpa_3gpp_ids_t ids;
    m.protocol = "diameter";
    m.code = code_s;
    m.name = name_s;
    m.kind = req ? TPA_SIG_REQUEST : TPA_SIG_RESPONSE;
    m.procedure = proc_s;
    m.key = key;
    m.cause_family = "diameter";
    if (!req) {
        if (d->has_exp_result) {
            m.has_cause = true;
            m.cause = d->exp_result;
            m.cause_name = tpa_diameter_result_name(d->exp_vendor, d->exp_result);
        } else if (d->has_result) {
            m.has_cause = true;
            m.cause = d->result;
            m.cause_name = tpa_diameter_result_name(0, d->result);
        }
        /* RFC 6733 section 7.1: 1xxx informational, 2xxx success, 3xxx protocol
         * errors, 4xxx transient and 5xxx permanent failures */
        if (m.has_cause ? m.cause >= 3000 : (d->flags & TPA_DIAMETER_FLAG_E) != 0)
            m.outcome = TPA_SIG_FAILURE;
    }
    uint32_t app = d->app_id ? d->app_id : d->auth_app_id;
    if ((app == APP_S6A || app == APP_S13) && digits_only(d->user_name, 6, 15))
        tpa_3gpp_add_id(&m, &ids, TPA_ID_IMSI, d->user_name);
    if (digits_only(d->sub_imsi, 6, 15)) tpa_3gpp_add_id(&m, &ids, TPA_ID_IMSI, d->sub_imsi);
    if (d->msisdn[0]) tpa_3gpp_add_id(&m, &ids, TPA_ID_MSISDN, d->msisdn);
    if (digits_only(d->sub_e164, 3, 15)) tpa_3gpp_add_id(&m, &ids, TPA_ID_MSISDN, d->sub_e164);
    tpa_3gpp_report(c, &m);
}

/* One whole message (r holds exactly it, or, for an SCTP message, at least it). */
static void message(tpa_dissect_ctx_t *c, tpa_rd_t *r, bool whole)
{
    tpa_diameter_msg_t d;
    bool ok = tpa_diameter_parse(r, &d);
    if (!ok) {
        if (d.malformed == TPA_MAL_DIAMETER_TRUNCATED && !whole)
            tpa_dissect_short(c, d.malformed);
        else
            tpa_dissect_malformed(c, d.malformed);
        return;
    }
    if (d.malformed >= 0) tpa_dissect_malformed(c, d.malformed);
    report(c, &d);
}

void tpa_diameter_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *payload)
{
    if (c->ppid == 47) return; /* DTLS: encrypted */
    /* one message per SCTP user message (RFC 6733 section 2.1); more are walked all the
     * same while they look like Diameter */
    for (int i = 0; i < 64 && tpa_rd_remaining(payload) > 0; i++) {
        size_t before = tpa_rd_remaining(payload);
        message(c, payload, false);
        if (tpa_rd_remaining(payload) == before) return; /* header unusable */
    }
}

/* ---- TCP ---- */

typedef struct dia_state {
    tpa_pdu_framer_t fr[2]; /* by direction */
} dia_state_t;

static long tcp_len(const tpa_rd_t *head)
{
    tpa_rd_t r = *head;
    uint8_t version = tpa_rd_u8(&r);
    uint32_t len = tpa_rd_be24(&r);
    if (r.err || version != 1 || len < HDR_LEN) return -1;
    return (long)len;
}

static void tcp_pdu(tpa_dissect_ctx_t *c, tpa_rd_t *pdu)
{
    message(c, pdu, true);
}

/* A header with a version other than 1 or a length below 20: framing is lost. */
static void tcp_bad(tpa_dissect_ctx_t *c)
{
    /* a capture that starts inside a connection (no SYN seen) may start inside a
     * message: bytes before the first whole one are not malformed, just unframed */
    dia_state_t *st = tpa_dissect_state(c, sizeof *st);
    if (st && !st->fr[c->dir & 1].pdus && !(c->flow->tcp_flags & TPA_TCP_SYN)) return;
    tpa_dissect_malformed(c, TPA_MAL_DIAMETER_HEADER_INVALID);
}

/* After a gap: version 1, a length that is a multiple of 4 and modest, flags with the
 * reserved bits clear and not both R and E, and a first AVP whose length fits. */
static bool tcp_sync(const tpa_rd_t *at)
{
    tpa_rd_t r = *at;
    uint8_t version = tpa_rd_u8(&r);
    uint32_t len = tpa_rd_be24(&r);
    uint8_t flags = tpa_rd_u8(&r);
    tpa_rd_skip(&r, 15);
    if (r.err || version != 1 || len < HDR_LEN || len > SYNC_MAX_MSG || (len & 3)) return false;
    if ((flags & 0x0f) || ((flags & TPA_DIAMETER_FLAG_R) && (flags & TPA_DIAMETER_FLAG_E)))
        return false;
    if (len == HDR_LEN) return true;
    if (!tpa_rd_has(&r, 8)) return false;
    tpa_rd_skip(&r, 4);
    uint8_t af = tpa_rd_u8(&r);
    uint32_t al = tpa_rd_be24(&r);
    return !(af & 0x1f) && al >= ((af & AVP_V) ? 12u : 8u) && al <= len - HDR_LEN;
}

static const tpa_pdu_spec_t tcp_spec = {
    .hdr = 4,
    .max = MAX_MSG,
    .len = tcp_len,
    .pdu = tcp_pdu,
    .sync = tcp_sync,
    .bad = tcp_bad,
};

void tpa_diameter_stream(tpa_dissect_ctx_t *c, tpa_rd_t *bytes, uint64_t gap)
{
    dia_state_t *st = tpa_dissect_state(c, sizeof *st);
    if (!st) return;
    tpa_pdu_feed(&st->fr[c->dir & 1], &tcp_spec, c, bytes, gap);
}

void tpa_diameter_state_free(void *state)
{
    dia_state_t *st = state;
    if (!st) return;
    tpa_pdu_framer_free(&st->fr[0]);
    tpa_pdu_framer_free(&st->fr[1]);
    free(st);
}
