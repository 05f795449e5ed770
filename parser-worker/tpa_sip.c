/* tpa_sip.c - SIP messages and their SDP (see tpa_sip.h).
 *
 * RFC 3261 section 7: a message is a start line, header fields and an empty line
 * (CRLF; section 7.5 asks implementations to accept a bare LF too), then an optional
 * body. Request-Line (7.1): Method SP Request-URI SP SIP-Version CRLF, Method a token
 * (section 25.1: alphanumerics and "-.!%*_+`'~"). Status-Line (7.2): SIP-Version SP
 * Status-Code (3 digits) SP Reason-Phrase CRLF. Header fields (7.3): name ":" value,
 * names case-insensitive, a value may be folded onto lines starting with SP or HT;
 * compact forms (7.3.3, 20): i Call-ID, f From, t To, v Via, l Content-Length,
 * c Content-Type. Section 18.3: over a stream transport Content-Length frames the
 * body and is mandatory; over UDP the body is the rest of the datagram when it is
 * absent. Section 8.1.1.7 / 20.42: the top Via's branch parameter; 20.20 / 20.39 the
 * From / To tag parameter; RFC 3325 P-Asserted-Identity. RFC 5626 section 4.4.1:
 * CRLF keep-alives between messages on a stream.
 * RFC 4566 (SDP) section 5: "<type>=<value>" lines; c=<nettype> <addrtype>
 * <address>[/ttl] (5.7), session-level unless after an m= line; m=<media> <port>[/n]
 * <proto> <fmt> ... (5.14); a=rtpmap:<pt> <encoding>/<clock>[/<channels>] (6);
 * RFC 3605 a=rtcp:<port>; RFC 5761 a=rtcp-mux. A port of 0 rejects the stream.
 */
#include "tpa_sip.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tpa_3gpp.h"
#include "tpa_fmt.h"
#include "tpa_malformed.h"
#include "tpa_pdu.h"
#include "tpa_rtp.h"
#include "tpa_sig.h"

#define MAX_MSG (256u << 10) /* longest message delivered over TCP */
#define MAX_CL (16u << 20)   /* a Content-Length above this is not believed */
#define MAX_START_LINE 2048  /* a start line must end within this many bytes */
#define VAL_MAX 512          /* header value copied for parsing */

/* ---- text views: tpa_rd_t windows read through the reader ---- */

static size_t vlen(const tpa_rd_t *v)
{
    return tpa_rd_remaining(v);
}

/* Byte i of v, or -1 past its end. */
static int at(const tpa_rd_t *v, size_t i)
{
    tpa_rd_t t = *v;
    return tpa_rd_has(&t, i + 1) ? tpa_rd_peek(&t, i) : -1;
}

/* [from, to) of v. */
static tpa_rd_t cut(tpa_rd_t v, size_t from, size_t to)
{
    tpa_rd_skip(&v, from);
    return tpa_rd_sub(&v, to > from ? to - from : 0);
}

/* Index of the first c at or after from, or -1. */
static long find(const tpa_rd_t *v, int c, size_t from)
{
    size_t n = vlen(v);
    for (size_t i = from; i < n; i++)
        if (at(v, i) == c) return (long)i;
    return -1;
}

static bool is_ws(int c)
{
    return c == ' ' || c == '\t';
}

static tpa_rd_t trim(tpa_rd_t v)
{
    size_t a = 0, b = vlen(&v);
    while (a < b && (is_ws(at(&v, a)) || at(&v, a) == '\r' || at(&v, a) == '\n'))
        a++;
    while (b > a && (is_ws(at(&v, b - 1)) || at(&v, b - 1) == '\r' || at(&v, b - 1) == '\n'))
        b--;
    return cut(v, a, b);
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Whether v equals lit, ignoring case. */
static bool ieq(const tpa_rd_t *v, const char *lit)
{
    size_t n = strlen(lit);
    if (vlen(v) != n) return false;
    for (size_t i = 0; i < n; i++)
        if (lower(at(v, i)) != lower((unsigned char)lit[i])) return false;
    return true;
}

/* Whether v starts with lit (case-sensitive when cs). */
static bool starts(const tpa_rd_t *v, const char *lit, bool cs)
{
    size_t n = strlen(lit);
    if (vlen(v) < n) return false;
    for (size_t i = 0; i < n; i++) {
        int a = at(v, i), b = (unsigned char)lit[i];
        if (cs ? a != b : lower(a) != lower(b)) return false;
    }
    return true;
}

/* Copies v as text into dst: control bytes become spaces, runs of them one space;
 * bytes outside ASCII become '?' (what is copied may end up in JSON, which needs
 * valid UTF-8). */
static void copy(const tpa_rd_t *v, char *dst, size_t dstlen)
{
    size_t n = vlen(v), k = 0;
    bool sp = false;
    for (size_t i = 0; i < n && k + 1 < dstlen; i++) {
        int c = at(v, i);
        if (c < 0x20 || c == 0x7f) {
            if (!sp && k) dst[k++] = ' ';
            sp = true;
            continue;
        }
        sp = false;
        dst[k++] = c < 0x80 ? (char)c : '?';
    }
    while (k && dst[k - 1] == ' ')
        k--;
    dst[k] = '\0';
}

/* Index of the first CR or LF at or after from, or -1. */
static long find_eol(const tpa_rd_t *v, size_t from)
{
    size_t n = vlen(v);
    for (size_t i = from; i < n; i++) {
        int c = at(v, i);
        if (c == '\r' || c == '\n') return (long)i;
    }
    return -1;
}

/* The next line of r without its line end (consumed); *eol: a line end was found.
 * A line ends at CRLF, LF or a lone CR (as Wireshark reads SIP). */
static tpa_rd_t line(tpa_rd_t *r, bool *eol)
{
    long i = find_eol(r, 0);
    size_t n = i < 0 ? vlen(r) : (size_t)i;
    tpa_rd_t l = tpa_rd_sub(r, n);
    *eol = i >= 0;
    if (i >= 0) {
        bool crlf = at(r, 0) == '\r' && at(r, 1) == '\n';
        tpa_rd_skip(r, crlf ? 2 : 1);
    }
    return l;
}

/* ---- C-string helpers over copied values ---- */

static const char *ci_find(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0) return hay;
    return NULL;
}

static void set_str(char *dst, size_t dstlen, const char *src, size_t n)
{
    if (n >= dstlen) n = dstlen - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
    while (n && (dst[n - 1] == ' ' || dst[n - 1] == '\t'))
        dst[--n] = '\0';
}

/* Parameter name=value (name includes the ';', e.g. ";tag=") from params into dst. */
static void param(const char *params, const char *name, char *dst, size_t dstlen)
{
    const char *p = ci_find(params, name);
    if (!p) return;
    p += strlen(name);
    size_t n = strcspn(p, ";, \t>");
    set_str(dst, dstlen, p, n);
}

/* name-addr / addr-spec (RFC 3261 section 20.10): the URI and the tag parameter. */
static void name_addr(const char *v, char *uri, size_t urilen, char *tag, size_t taglen)
{
    const char *lt = strchr(v, '<');
    const char *params;
    if (lt) {
        const char *gt = strchr(lt + 1, '>');
        size_t n = gt ? (size_t)(gt - lt - 1) : strlen(lt + 1);
        set_str(uri, urilen, lt + 1, n);
        params = gt ? gt + 1 : "";
    } else {
        while (*v == ' ' || *v == '\t')
            v++;
        size_t n = strcspn(v, "; \t");
        set_str(uri, urilen, v, n);
        params = v + n;
    }
    if (tag) param(params, ";tag=", tag, taglen);
}

/* ---- start line ---- */

static bool token_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("-.!%*_+`'~", c));
}

/* Parses a start line into m; strict: the Request-URI must have a scheme. */
static bool start_line(const tpa_rd_t *l, tpa_sip_msg_t *m, bool strict)
{
    size_t n = vlen(l);
    for (size_t i = 0; i < n; i++) { /* no control bytes (a NUL) in a start line */
        int c = at(l, i);
        if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
    }
    if (starts(l, "SIP/2.0 ", false)) {
        unsigned s = 0;
        for (size_t i = 8; i < 11; i++) {
            int c = at(l, i);
            if (c < '0' || c > '9') return false;
            s = s * 10 + (unsigned)(c - '0');
        }
        if (s < 100 || s > 699 || (n > 11 && at(l, 11) != ' ')) return false;
        m->request = false;
        m->status = s;
        tpa_rd_t reason = n > 12 ? cut(*l, 12, n) : cut(*l, n, n);
        copy(&reason, m->reason, sizeof m->reason);
        return true;
    }
    long sp1 = find(l, ' ', 0);
    if (sp1 <= 0) return false;
    for (long i = 0; i < sp1; i++)
        if (!token_char(at(l, (size_t)i))) return false;
    long sp2 = find(l, ' ', (size_t)sp1 + 1);
    if (sp2 <= sp1 + 1) return false;
    tpa_rd_t ver = cut(*l, (size_t)sp2 + 1, n);
    if (!ieq(&ver, "SIP/2.0")) return false;
    tpa_rd_t uri = cut(*l, (size_t)sp1 + 1, (size_t)sp2);
    if (strict && find(&uri, ':', 0) <= 0) return false;
    tpa_rd_t meth = cut(*l, 0, (size_t)sp1);
    m->request = true;
    copy(&meth, m->method, sizeof m->method);
    copy(&uri, m->ruri, sizeof m->ruri);
    return true;
}

bool tpa_sip_probe(const tpa_rd_t *payload)
{
    tpa_rd_t r = *payload;
    if (!tpa_rd_has(&r, 12)) return false;
    int c0 = at(&r, 0);
    if (c0 < 'A' || c0 > 'Z') return false;
    long eol = find_eol(&r, 0);
    if (eol < 0 || eol > MAX_START_LINE) return false;
    bool e;
    tpa_rd_t l = line(&r, &e);
    tpa_sip_msg_t m;
    memset(&m, 0, sizeof m);
    if (!start_line(&l, &m, true)) return false;
    if (!m.request) return true;
    return strncasecmp(m.ruri, "sip:", 4) == 0 || strncasecmp(m.ruri, "sips:", 5) == 0 ||
           strncasecmp(m.ruri, "tel:", 4) == 0;
}

/* ---- the message ---- */

enum { H_OTHER, H_CALL_ID, H_CSEQ, H_FROM, H_TO, H_VIA, H_CLEN, H_CTYPE, H_PAI };

static int header_kind(const tpa_rd_t *name)
{
    size_t n = vlen(name);
    if (n == 1) {
        switch (lower(at(name, 0))) {
        case 'i':
            return H_CALL_ID;
        case 'f':
            return H_FROM;
        case 't':
            return H_TO;
        case 'v':
            return H_VIA;
        case 'l':
            return H_CLEN;
        case 'c':
            return H_CTYPE;
        default:
            return H_OTHER;
        }
    }
    if (ieq(name, "call-id")) return H_CALL_ID;
    if (ieq(name, "cseq")) return H_CSEQ;
    if (ieq(name, "from")) return H_FROM;
    if (ieq(name, "to")) return H_TO;
    if (ieq(name, "via")) return H_VIA;
    if (ieq(name, "content-length")) return H_CLEN;
    if (ieq(name, "content-type")) return H_CTYPE;
    if (ieq(name, "p-asserted-identity")) return H_PAI;
    return H_OTHER;
}

static void set_mal(tpa_sip_msg_t *m, int reason)
{
    if (m->malformed < 0) m->malformed = reason;
}

static void header(tpa_sip_msg_t *m, int kind, const char *v, bool *seen_via)
{
    switch (kind) {
    case H_CALL_ID:
        if (!m->call_id[0]) set_str(m->call_id, sizeof m->call_id, v, strlen(v));
        break;
    case H_CSEQ: {
        char *end;
        unsigned long n = strtoul(v, &end, 10);
        if (end == v) {
            set_mal(m, TPA_MAL_SIP_HEADER_INVALID);
            break;
        }
        m->cseq = (uint32_t)n;
        while (*end == ' ' || *end == '\t')
            end++;
        set_str(m->cseq_method, sizeof m->cseq_method, end, strcspn(end, " \t"));
        break;
    }
    case H_FROM:
        if (!m->from_uri[0])
            name_addr(v, m->from_uri, sizeof m->from_uri, m->from_tag, sizeof m->from_tag);
        break;
    case H_TO:
        if (!m->to_uri[0]) name_addr(v, m->to_uri, sizeof m->to_uri, m->to_tag, sizeof m->to_tag);
        break;
    case H_VIA:
        if (!*seen_via) {
            char first[VAL_MAX];
            set_str(first, sizeof first, v, strcspn(v, ","));
            param(first, ";branch=", m->via_branch, sizeof m->via_branch);
            *seen_via = true;
        }
        break;
    case H_CLEN: {
        char *end;
        unsigned long n = strtoul(v, &end, 10);
        if (end == v || *end || n > MAX_CL) {
            set_mal(m, TPA_MAL_SIP_CONTENT_LENGTH_INVALID);
            break;
        }
        m->content_length = (long)n;
        break;
    }
    case H_CTYPE:
        set_str(m->content_type, sizeof m->content_type, v, strcspn(v, ";"));
        break;
    case H_PAI:
        if (!m->pai_uri[0]) {
            char first[VAL_MAX];
            set_str(first, sizeof first, v, strcspn(v, ","));
            name_addr(first, m->pai_uri, sizeof m->pai_uri, NULL, 0);
        }
        break;
    default:
        break;
    }
}

bool tpa_sip_parse(const tpa_rd_t *in, tpa_sip_msg_t *m)
{
    memset(m, 0, sizeof *m);
    m->malformed = -1;
    m->content_length = -1;
    tpa_rd_t r = *in;
    size_t total = vlen(&r);
    bool eol;
    tpa_rd_t sl = line(&r, &eol);
    if (!start_line(&sl, m, false)) {
        m->malformed = TPA_MAL_SIP_START_LINE_INVALID;
        return false;
    }
    bool seen_via = false, ended = false;
    while (eol && vlen(&r) > 0) {
        tpa_rd_t l = line(&r, &eol);
        if (vlen(&l) == 0) {
            ended = eol;
            break;
        }
        long colon = find(&l, ':', 0);
        if (colon <= 0 || is_ws(at(&l, 0))) {
            set_mal(m, TPA_MAL_SIP_HEADER_INVALID);
            continue;
        }
        m->headers++;
        tpa_rd_t name = trim(cut(l, 0, (size_t)colon));
        int kind = header_kind(&name);
        char v[VAL_MAX];
        size_t k = 0;
        if (kind != H_OTHER) {
            tpa_rd_t val = trim(cut(l, (size_t)colon + 1, vlen(&l)));
            copy(&val, v, sizeof v);
            k = strlen(v);
        }
        /* folded continuation lines (RFC 3261 section 7.3.1) */
        while (eol && is_ws(at(&r, 0))) {
            tpa_rd_t more = line(&r, &eol);
            if (kind == H_OTHER || k + 2 >= sizeof v) continue;
            more = trim(more);
            v[k++] = ' ';
            copy(&more, v + k, sizeof v - k);
            k = strlen(v);
        }
        if (kind != H_OTHER) header(m, kind, v, &seen_via);
    }
    if (!ended && !eol) set_mal(m, TPA_MAL_SIP_TRUNCATED);
    m->header_len = total - vlen(&r);
    size_t rest = vlen(&r);
    size_t blen = rest;
    if (m->content_length >= 0) {
        if ((size_t)m->content_length > rest)
            set_mal(m, TPA_MAL_SIP_TRUNCATED);
        else
            blen = (size_t)m->content_length;
    }
    m->body_len = blen;
    m->body = blen ? tpa_rd_span(&r, blen) : NULL;
    return true;
}

/* ---- SDP ---- */

typedef struct rtpmap {
    uint8_t pt;
    uint32_t clock;
    char name[TPA_RTP_CODEC_NAME];
} rtpmap_t;

typedef struct sdp_media {
    bool open;
    bool has_addr;
    int family;
    uint8_t addr[16];
    uint16_t port, rtcp_port;
    bool mux, rtp, audio, secure;
    unsigned npt;
    uint8_t pts[TPA_RTP_MAX_CODECS];
    unsigned nmap;
    rtpmap_t map[TPA_RTP_MAX_CODECS];
} sdp_media_t;

/* c=IN IP4 <addr>[/ttl] or c=IN IP6 <addr>. */
static bool conn(const char *v, int *family, uint8_t *addr)
{
    char nt[8], at_[8], a[64];
    if (sscanf(v, "%7s %7s %63s", nt, at_, a) != 3 || strcasecmp(nt, "IN") != 0) return false;
    a[strcspn(a, "/")] = '\0';
    memset(addr, 0, 16);
    if (strcasecmp(at_, "IP4") == 0 && inet_pton(AF_INET, a, addr) == 1) {
        *family = 4;
        return true;
    }
    if (strcasecmp(at_, "IP6") == 0 && inet_pton(AF_INET6, a, addr) == 1) {
        *family = 6;
        return true;
    }
    return false;
}

static bool addr_unspecified(const uint8_t *a)
{
    for (int i = 0; i < 16; i++)
        if (a[i]) return false;
    return true;
}

static void media_flush(tpa_dissect_ctx_t *c, sdp_media_t *md, bool sess_ok, int sess_family,
                        const uint8_t *sess_addr, const char *call_id)
{
    if (!md->open || !md->port || !md->rtp) return;
    tpa_rtp_media_t x;
    memset(&x, 0, sizeof x);
    if (md->has_addr) {
        x.family = md->family;
        memcpy(x.addr, md->addr, 16);
    } else if (sess_ok) {
        x.family = sess_family;
        memcpy(x.addr, sess_addr, 16);
    } else {
        return;
    }
    if (addr_unspecified(x.addr)) return; /* on hold (c=IN IP4 0.0.0.0) */
    x.rtp_port = md->port;
    x.rtcp_port = md->mux         ? md->port
                  : md->rtcp_port ? md->rtcp_port
                                  : (uint16_t)(md->port < 65535 ? md->port + 1 : 0);
    x.audio = md->audio;
    x.secure = md->secure;
    x.call_id = call_id;
    for (unsigned i = 0; i < md->npt; i++) {
        tpa_rtp_codec_t *k = &x.codecs[x.ncodecs];
        k->pt = md->pts[i];
        const rtpmap_t *mp = NULL;
        for (unsigned j = 0; j < md->nmap; j++)
            if (md->map[j].pt == md->pts[i]) mp = &md->map[j];
        if (mp) {
            k->clock = mp->clock;
            snprintf(k->name, sizeof k->name, "%s", mp->name);
        } else {
            const char *name;
            if (!tpa_rtp_static_pt(k->pt, &k->clock, &name, NULL)) continue;
            snprintf(k->name, sizeof k->name, "%s", name);
        }
        x.ncodecs++;
    }
    tpa_rtp_expect(c, &x);
}

/* m=<media> <port>[/<n>] <proto> <fmt> ... */
static bool media_line(const char *v, sdp_media_t *md)
{
    char media[32], port[16], proto[64];
    int off = 0;
    if (sscanf(v, "%31s %15s %63s%n", media, port, proto, &off) != 3) return false;
    char *end;
    unsigned long p = strtoul(port, &end, 10);
    if (end == port || p > 65535) return false;
    memset(md, 0, sizeof *md);
    md->open = true;
    md->port = (uint16_t)p;
    md->audio = strcasecmp(media, "audio") == 0;
    md->rtp = strstr(proto, "RTP/") != NULL;
    md->secure = strstr(proto, "SAVP") != NULL;
    const char *f = v + off;
    while (*f && md->npt < TPA_RTP_MAX_CODECS) {
        while (*f == ' ')
            f++;
        unsigned long pt = strtoul(f, &end, 10);
        if (end == f) break;
        if (pt < 128) md->pts[md->npt++] = (uint8_t)pt;
        f = end;
    }
    return true;
}

static void attribute(const char *v, sdp_media_t *md)
{
    if (strncasecmp(v, "rtpmap:", 7) == 0 && md->nmap < TPA_RTP_MAX_CODECS) {
        unsigned pt;
        char enc[64];
        if (sscanf(v + 7, "%u %63s", &pt, enc) != 2 || pt > 127) return;
        rtpmap_t *mp = &md->map[md->nmap++];
        mp->pt = (uint8_t)pt;
        char *slash = strchr(enc, '/');
        mp->clock = slash ? (uint32_t)strtoul(slash + 1, NULL, 10) : 0;
        if (slash) *slash = '\0';
        set_str(mp->name, sizeof mp->name, enc, strlen(enc));
    } else if (strncasecmp(v, "rtcp:", 5) == 0) {
        unsigned long p = strtoul(v + 5, NULL, 10);
        if (p > 0 && p < 65536) md->rtcp_port = (uint16_t)p;
    } else if (strcasecmp(v, "rtcp-mux") == 0) {
        md->mux = true;
    }
}

static void sdp(tpa_dissect_ctx_t *c, tpa_rd_t body, const char *call_id)
{
    bool sess_ok = false;
    int sess_family = 0;
    uint8_t sess_addr[16] = {0};
    sdp_media_t md;
    memset(&md, 0, sizeof md);
    bool eol = true;
    while (eol && vlen(&body) > 0) {
        tpa_rd_t l = line(&body, &eol);
        if (starts(&l, "--", true)) break; /* next part of a multipart body */
        if (vlen(&l) < 2 || at(&l, 1) != '=') continue;
        char v[256];
        tpa_rd_t val = cut(l, 2, vlen(&l));
        copy(&val, v, sizeof v);
        switch (at(&l, 0)) {
        case 'c':
            if (md.open) {
                md.has_addr = conn(v, &md.family, md.addr);
                if (!md.has_addr) tpa_dissect_malformed(c, TPA_MAL_SDP_INVALID);
            } else {
                sess_ok = conn(v, &sess_family, sess_addr);
                if (!sess_ok) tpa_dissect_malformed(c, TPA_MAL_SDP_INVALID);
            }
            break;
        case 'm':
            media_flush(c, &md, sess_ok, sess_family, sess_addr, call_id);
            if (!media_line(v, &md)) {
                memset(&md, 0, sizeof md);
                tpa_dissect_malformed(c, TPA_MAL_SDP_INVALID);
            }
            break;
        case 'a':
            if (md.open) attribute(v, &md);
            break;
        default:
            break;
        }
    }
    media_flush(c, &md, sess_ok, sess_family, sess_addr, call_id);
}

/* ---- reporting ---- */

typedef struct reason_def {
    unsigned code;
    const char *text;
} reason_def_t;

/* RFC 3261 section 21, RFC 3262, 3265, 3329, 3903, 4028, 4412, 4474, 5360, 5393, 5626,
 * 6086, 6228, 8197, 8599, 8688. */
static const reason_def_t reasons[] = {
    {100, "Trying"},
    {180, "Ringing"},
    {181, "Call Is Being Forwarded"},
    {182, "Queued"},
    {183, "Session Progress"},
    {199, "Early Dialog Terminated"},
    {200, "OK"},
    {202, "Accepted"},
    {204, "No Notification"},
    {300, "Multiple Choices"},
    {301, "Moved Permanently"},
    {302, "Moved Temporarily"},
    {305, "Use Proxy"},
    {380, "Alternative Service"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {402, "Payment Required"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {407, "Proxy Authentication Required"},
    {408, "Request Timeout"},
    {410, "Gone"},
    {412, "Conditional Request Failed"},
    {413, "Request Entity Too Large"},
    {414, "Request-URI Too Long"},
    {415, "Unsupported Media Type"},
    {416, "Unsupported URI Scheme"},
    {417, "Unknown Resource-Priority"},
    {420, "Bad Extension"},
    {421, "Extension Required"},
    {422, "Session Interval Too Small"},
    {423, "Interval Too Brief"},
    {428, "Use Identity Header"},
    {429, "Provide Referrer Identity"},
    {430, "Flow Failed"},
    {433, "Anonymity Disallowed"},
    {436, "Bad Identity-Info"},
    {437, "Unsupported Certificate"},
    {438, "Invalid Identity Header"},
    {439, "First Hop Lacks Outbound Support"},
    {440, "Max-Breadth Exceeded"},
    {469, "Bad Info Package"},
    {470, "Consent Needed"},
    {480, "Temporarily Unavailable"},
    {481, "Call/Transaction Does Not Exist"},
    {482, "Loop Detected"},
    {483, "Too Many Hops"},
    {484, "Address Incomplete"},
    {485, "Ambiguous"},
    {486, "Busy Here"},
    {487, "Request Terminated"},
    {488, "Not Acceptable Here"},
    {489, "Bad Event"},
    {491, "Request Pending"},
    {493, "Undecipherable"},
    {494, "Security Agreement Required"},
    {500, "Server Internal Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Server Time-out"},
    {505, "Version Not Supported"},
    {513, "Message Too Large"},
    {555, "Push Notification Service Not Supported"},
    {580, "Precondition Failure"},
    {600, "Busy Everywhere"},
    {603, "Decline"},
    {604, "Does Not Exist Anywhere"},
    {606, "Not Acceptable"},
    {607, "Unwanted"},
    {608, "Rejected"},
};

const char *tpa_sip_reason(unsigned s)
{
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (reasons[i].code == s) return reasons[i].text;
    return NULL;
}

/* The digits of a telephone-number URI (tel:+4912345, sip:+4912345@host;user=phone),
 * visual separators dropped; "" when uri is not one. */
static void tel_digits(const char *uri, char *dst, size_t dstlen)
{
    const char *u;
    dst[0] = '\0';
    if (strncasecmp(uri, "tel:", 4) == 0)
        u = uri + 4;
    else if ((strncasecmp(uri, "sip:", 4) == 0 || strncasecmp(uri, "sips:", 5) == 0) &&
             ci_find(uri, ";user=phone"))
        u = strchr(uri, ':') + 1;
    else
        return;
    size_t k = 0;
    for (; *u && *u != '@' && *u != ';' && k + 1 < dstlen; u++) {
        if (*u >= '0' && *u <= '9')
            dst[k++] = *u;
        else if (!strchr("+-.()", *u))
            break;
    }
    dst[k] = '\0';
    if (k < 5 || k > 15) dst[0] = '\0';
}

static void report(tpa_dissect_ctx_t *c, const tpa_sip_msg_t *s)
{
    char code[40], name[96], key[2 * TPA_SIP_STR + 48], tel[24];
    tpa_sig_t m;
    tpa_sig_init(&m);
    tpa_3gpp_ids_t ids;
    m.protocol = "sip";
    m.code = code;
    m.name = name;
    m.cause_family = "sip";
    m.flags = TPA_SIG_SCOPE_CAPTURE;
    bool pairable = s->call_id[0] && s->cseq_method[0];
    tpa_fmt_t f;
    tpa_fmt_init(&f, key, sizeof key);
    tpa_fmt_s(&f, s->call_id);
    tpa_fmt_c(&f, '|');
    tpa_fmt_u(&f, s->cseq);
    tpa_fmt_c(&f, '|');
    tpa_fmt_s(&f, s->cseq_method);
    if (s->request) {
        tpa_fmt_init(&f, code, sizeof code);
        tpa_fmt_s(&f, s->method);
        tpa_fmt_init(&f, name, sizeof name);
        tpa_fmt_s(&f, s->method);
        if (strcasecmp(s->method, "ACK") == 0) {
            m.kind = TPA_SIG_INDICATION;
        } else if (pairable) {
            m.kind = TPA_SIG_REQUEST;
            m.procedure = s->cseq_method;
            m.key = key;
        } else {
            m.kind = TPA_SIG_INDICATION; /* no Call-ID or CSeq: nothing to pair it by */
        }
    } else {
        const char *rp = tpa_sip_reason(s->status);
        tpa_fmt_u_str(s->status, code, sizeof code);
        tpa_fmt_init(&f, name, sizeof name);
        tpa_fmt_u(&f, s->status);
        tpa_fmt_c(&f, ' ');
        tpa_fmt_s(&f, rp ? rp : s->reason);
        if (s->status < 200) {
            /* RFC 3261 17.1.1: a provisional response belongs to the client
             * transaction (ladder) but does not end it */
            m.kind = TPA_SIG_INDICATION;
            if (pairable) {
                m.procedure = s->cseq_method;
                m.key = key;
            }
        } else {
            m.kind = TPA_SIG_RESPONSE;
            if (pairable) {
                m.procedure = s->cseq_method;
                m.key = key;
            }
            if (s->status >= 300) {
                m.outcome = TPA_SIG_FAILURE;
                m.has_cause = true;
                m.cause = s->status;
                m.cause_name = rp ? rp : s->reason;
            }
        }
    }
    tpa_3gpp_add_id(&m, &ids, TPA_ID_CALL_ID, s->call_id);
    /* the subject: the originator of a request outside a dialog (in-dialog requests
     * and responses join through the Call-ID only, so caller and callee stay apart) */
    const char *subject = NULL;
    if (s->request && !s->to_tag[0] && strcasecmp(s->method, "ACK") != 0) {
        if (strcasecmp(s->method, "REGISTER") == 0)
            subject = s->to_uri;
        else
            subject = s->pai_uri[0] ? s->pai_uri : s->from_uri;
    } else if (!s->request && strcasecmp(s->cseq_method, "REGISTER") == 0) {
        subject = s->to_uri;
    }
    if (subject && subject[0]) {
        tpa_3gpp_add_id(&m, &ids, TPA_ID_SIP_URI, subject);
        tel_digits(subject, tel, sizeof tel);
        if (tel[0]) tpa_3gpp_add_id(&m, &ids, TPA_ID_MSISDN, tel);
    }
    tpa_3gpp_report(c, &m);
}

/* Bytes that are only white space, line ends or NULs: keep-alives (CRLF, RFC 5626;
 * some user agents send spaces or NULs), not messages. */
static bool blank(const tpa_rd_t *r)
{
    size_t n = vlen(r);
    for (size_t i = 0; i < n; i++) {
        int ch = at(r, i);
        if (ch != '\r' && ch != '\n' && ch != 0 && !is_ws(ch)) return false;
    }
    return true;
}

/* One message; `framed`: its length is exact (a TCP PDU), so running out is malformed
 * even in a frame cut by snaplen. */
static void message(tpa_dissect_ctx_t *c, tpa_rd_t *r, bool framed)
{
    if (blank(r)) return;
    tpa_sip_msg_t s;
    bool ok = tpa_sip_parse(r, &s);
    if (!ok) {
        tpa_dissect_malformed(c, s.malformed);
        return;
    }
    if (s.malformed == TPA_MAL_SIP_TRUNCATED && !framed)
        tpa_dissect_short(c, s.malformed);
    else if (s.malformed >= 0)
        tpa_dissect_malformed(c, s.malformed);
    report(c, &s);
    if (s.body && s.body_len) {
        bool is_sdp = strcasecmp(s.content_type, "application/sdp") == 0;
        tpa_rd_t b = tpa_rd_init(s.body, s.body_len);
        if (!is_sdp && strncasecmp(s.content_type, "multipart/", 10) == 0) {
            /* the SDP part of a multipart body (RFC 5621): from its "v=0" line on */
            for (size_t i = 0; i + 4 <= s.body_len; i++) {
                tpa_rd_t t = cut(b, i, s.body_len);
                if ((i == 0 || at(&b, i - 1) == '\n') && starts(&t, "v=0", true)) {
                    b = t;
                    is_sdp = true;
                    break;
                }
            }
        }
        if (is_sdp) sdp(c, b, s.call_id);
    }
}

void tpa_sip_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *payload)
{
    message(c, payload, false);
}

/* ---- TCP ---- */

typedef struct sip_state {
    tpa_pdu_framer_t fr[2]; /* by direction */
} sip_state_t;

/* Length of the message at head: start line and headers up to the empty line, plus
 * Content-Length; CR / LF keep-alives are PDUs of their own. */
static long tcp_len(const tpa_rd_t *head)
{
    tpa_rd_t v = *head;
    size_t n = vlen(&v), k = 0;
    while (k < n && (at(&v, k) == '\r' || at(&v, k) == '\n'))
        k++;
    if (k) return (long)k;
    /* a CR as the last byte may be half of a CRLF: decide once the next byte is here */
    if (at(&v, n - 1) == '\r') v = cut(v, 0, n - 1);
    size_t span = vlen(&v);
    bool eol;
    tpa_rd_t sl = line(&v, &eol);
    if (!eol) return n >= MAX_START_LINE ? -1 : 0;
    tpa_sip_msg_t m;
    memset(&m, 0, sizeof m);
    if (!start_line(&sl, &m, false)) return -1;
    unsigned long cl = 0;
    for (;;) {
        tpa_rd_t l = line(&v, &eol);
        if (!eol) return 0;
        if (vlen(&l) == 0) break;
        long colon = find(&l, ':', 0);
        if (colon <= 0) continue;
        tpa_rd_t name = trim(cut(l, 0, (size_t)colon));
        if (ieq(&name, "content-length") || ieq(&name, "l")) {
            tpa_rd_t val = trim(cut(l, (size_t)colon + 1, vlen(&l)));
            char d[24];
            copy(&val, d, sizeof d);
            char *end;
            cl = strtoul(d, &end, 10);
            if (end == d || *end || cl > MAX_CL) return -1;
        }
    }
    return (long)(span - vlen(&v) + cl);
}

static void tcp_pdu(tpa_dissect_ctx_t *c, tpa_rd_t *pdu)
{
    message(c, pdu, true);
}

static void tcp_bad(tpa_dissect_ctx_t *c)
{
    /* a capture that starts inside a connection (no SYN seen) may start inside a
     * message: bytes before the first whole one are not malformed, just unframed */
    sip_state_t *st = tpa_dissect_state(c, sizeof *st);
    if (st && !st->fr[c->dir & 1].pdus && !(c->flow->tcp_flags & TPA_TCP_SYN)) return;
    tpa_dissect_malformed(c, TPA_MAL_SIP_START_LINE_INVALID);
}

/* After a gap (or garbage): a start line with a URI scheme or a status line. */
static bool tcp_sync(const tpa_rd_t *at_)
{
    int c0 = at(at_, 0);
    if (c0 < 'A' || c0 > 'Z') return false;
    long eol = find_eol(at_, 0);
    if (eol < 0 || eol > MAX_START_LINE) return false;
    tpa_rd_t sl = cut(*at_, 0, (size_t)eol);
    if (vlen(&sl) && at(&sl, vlen(&sl) - 1) == '\r') sl = cut(sl, 0, vlen(&sl) - 1);
    tpa_sip_msg_t m;
    memset(&m, 0, sizeof m);
    /* and tcp_len must accept what sync accepts (a bad Content-Length after a good
     * start line), or framing would be found and lost again at the same byte */
    return start_line(&sl, &m, true) && tcp_len(at_) >= 0;
}

static const tpa_pdu_spec_t tcp_spec = {
    .hdr = 1,
    .max = MAX_MSG,
    .len = tcp_len,
    .pdu = tcp_pdu,
    .sync = tcp_sync,
    .bad = tcp_bad,
};

void tpa_sip_stream(tpa_dissect_ctx_t *c, tpa_rd_t *bytes, uint64_t gap)
{
    sip_state_t *st = tpa_dissect_state(c, sizeof *st);
    if (!st) return;
    tpa_pdu_feed(&st->fr[c->dir & 1], &tcp_spec, c, bytes, gap);
}

void tpa_sip_state_free(void *state)
{
    sip_state_t *st = state;
    if (!st) return;
    tpa_pdu_framer_free(&st->fr[0]);
    tpa_pdu_framer_free(&st->fr[1]);
    free(st);
}
