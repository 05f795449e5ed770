/* tpa_dns.c - DNS messages (see tpa_dns.h).
 *
 * RFC 1035 section 4.1: a 12-byte header (ID, flags with QR in the top bit, QDCOUNT,
 * ANCOUNT, NSCOUNT, ARCOUNT), then QDCOUNT questions (name, type 2, class 2) and
 * ANCOUNT + NSCOUNT + ARCOUNT resource records (name, type 2, class 2, TTL 4,
 * RDLENGTH 2, RDATA). Section 4.1.4: a name is a sequence of labels, each a length
 * byte (0-63) and that many bytes, ending with a zero byte or a compression pointer
 * (two bytes, top bits 11, a 14-bit offset from the start of the message). Label
 * types 01 and 10 are not in use (RFC 6891 section 5 retired the extended label type),
 * and a name is at most 255 bytes. Section 4.2.2: over TCP each message is preceded by
 * a two-byte length.
 *
 * A message is counted as soon as its ID and flags are readable (as tshark shows the
 * QR bit of a message broken further on); the rest is checked for malformation.
 */
#include "tpa_dns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_fmt.h"
#include "tpa_malformed.h"
#include "tpa_pdu.h"
#include "tpa_sig.h"

#define MAX_NAME 255
#define MAX_JUMPS 64

enum { NAME_OK = 0, NAME_SHORT = 1, NAME_BAD = 2 };

/* A name's byte as its text shows it: lower case (RFC 4343), '?' for what is not
 * printable or is a blank. */
#define NAME_CHAR(x)                                                                               \
    (char)((x) >= 'A' && (x) <= 'Z' ? (x) - 'A' + 'a' : (x) > 0x20 && (x) < 0x7f ? (x) : '?')
#define NAME_CHARS16(b)                                                                            \
    NAME_CHAR(b + 0), NAME_CHAR(b + 1), NAME_CHAR(b + 2), NAME_CHAR(b + 3), NAME_CHAR(b + 4),      \
        NAME_CHAR(b + 5), NAME_CHAR(b + 6), NAME_CHAR(b + 7), NAME_CHAR(b + 8), NAME_CHAR(b + 9),  \
        NAME_CHAR(b + 10), NAME_CHAR(b + 11), NAME_CHAR(b + 12), NAME_CHAR(b + 13),                \
        NAME_CHAR(b + 14), NAME_CHAR(b + 15)
static const char name_char[256] = {
    NAME_CHARS16(0),   NAME_CHARS16(16),  NAME_CHARS16(32),  NAME_CHARS16(48),
    NAME_CHARS16(64),  NAME_CHARS16(80),  NAME_CHARS16(96),  NAME_CHARS16(112),
    NAME_CHARS16(128), NAME_CHARS16(144), NAME_CHARS16(160), NAME_CHARS16(176),
    NAME_CHARS16(192), NAME_CHARS16(208), NAME_CHARS16(224), NAME_CHARS16(240)};

#define QNAME_MAX (MAX_NAME + 1) /* a name's text, its NUL included */

/* How the first question's name (at offset 12, right after the header) was read: a
 * later name that points there ends the same way from there on, so it is not walked
 * again (answers nearly always name their owner so). */
typedef struct first_name {
    bool ok;      /* read to its end without fault */
    size_t total; /* its octets but the final zero */
    int jumps;    /* pointers followed in it */
} first_name_t;

#define FIRST_NAME_AT 12

/* Reads the name at r (advancing r past it, or past its first compression pointer);
 * msg is a reader over the whole message, used to follow the pointers. With out
 * (QNAME_MAX bytes) it reads the first question's name: writes its text there as far
 * as it is read and its length in *olen (at most MAX_NAME - 2 characters: the labels'
 * bytes and dots are fewer than the name's MAX_NAME octets, so the text is never
 * cut), and notes in *first how it ended. Without out, a pointer to that name ends the
 * walk as reading it again would (the same bounds on the octets and the pointers). The
 * walk reads from a copy of the reader kept in registers. */
static int name_walk_text(tpa_rd_t *r, const tpa_rd_t *msg, char *out, size_t *olen,
                          first_name_t *first)
{
    tpa_rd_t w = *r;
    bool jumped = false;
    size_t total = 0, o = 0;
    int jumps = 0;
    if (out) out[0] = '\0';
    for (;;) {
        const uint8_t *lp = tpa_rd_span(&w, 1);
        if (!lp) return NAME_SHORT;
        unsigned l = *lp;
        if (l == 0) {
            if (!jumped) *r = w;
            if (out) *first = (first_name_t){.ok = true, .total = total, .jumps = jumps};
            return NAME_OK;
        }
        if ((l & 0xc0) == 0xc0) {
            const uint8_t *lo = tpa_rd_span(&w, 1);
            if (!lo) return NAME_SHORT;
            size_t off = (size_t)(l & 0x3f) << 8 | *lo;
            if (!jumped) *r = w; /* the caller goes on after the first pointer */
            jumped = true;
            if (++jumps > MAX_JUMPS || off >= tpa_rd_remaining(msg)) return NAME_BAD;
            if (!out && off == FIRST_NAME_AT && first->ok) { /* its labels and pointers */
                if ((first->total && total + first->total + 1 > MAX_NAME) ||
                    (first->jumps && jumps + first->jumps > MAX_JUMPS))
                    return NAME_BAD;
                return NAME_OK;
            }
            w = *msg;
            tpa_rd_skip(&w, off);
            continue;
        }
        if (l & 0xc0) return NAME_BAD; /* 01 and 10 label types */
        total += (size_t)l + 1;
        if (total + 1 > MAX_NAME) return NAME_BAD;
        const uint8_t *lab = tpa_rd_span(&w, l);
        if (!lab) return NAME_SHORT;
        if (out) { /* printable text: dots between labels, others as '?' */
            if (o) out[o++] = '.';
            for (size_t i = 0; i < l; i++)
                out[o + i] = name_char[lab[i]];
            o += l;
            out[o] = '\0';
            *olen = o;
        }
    }
}

static const char *rcode_name(unsigned rc)
{
    static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                        "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                        "NXRRSET", "NOTAUTH", "NOTZONE"};
    return rc < sizeof names / sizeof names[0] ? names[rc] : "rcode";
}

/* What one walk over a message finds: the text of its first question's name (as far
 * as it could be read: a name broken part way keeps the labels before the break) and
 * that question's type, written into the pairing key; and the first malformation. */
typedef struct walk {
    char *qname; /* QNAME_MAX bytes */
    size_t qname_len;
    unsigned qtype; /* 0 when not readable */
} walk_t;

/* Checks the message's sections, one pass over every name, filling w from the first
 * question; returns a TPA_MAL_* reason or -1 when well formed. */
static int check(tpa_rd_t m, walk_t *w)
{
    const tpa_rd_t msg = m;
    tpa_rd_t hd = tpa_rd_sub(&m, 12); /* its reads cannot fail, as the compiler sees */
    tpa_rd_skip(&hd, 4);              /* ID, flags */
    unsigned qd = tpa_rd_be16(&hd);
    unsigned rr = (unsigned)tpa_rd_be16(&hd) + tpa_rd_be16(&hd) + tpa_rd_be16(&hd);
    if (m.err) return TPA_MAL_DNS_TRUNCATED;
    first_name_t qname = {.ok = false};
    for (unsigned i = 0; i < qd + rr; i++) {
        int n;
        bool first = i == 0 && qd > 0; /* the first question */
        if (first) {
            n = name_walk_text(&m, &msg, w->qname, &w->qname_len, &qname);
            if (n == NAME_OK) w->qtype = tpa_rd_be16(&m);
        } else {
            n = name_walk_text(&m, &msg, NULL, NULL, &qname);
        }
        if (n == NAME_BAD) return TPA_MAL_DNS_NAME_INVALID;
        if (n == NAME_SHORT) return TPA_MAL_DNS_TRUNCATED;
        if (first) {
            tpa_rd_skip(&m, 2); /* class (the type read above) */
        } else if (i < qd) {
            tpa_rd_skip(&m, 4); /* type, class */
        } else {
            tpa_rd_t f = tpa_rd_sub(&m, 10); /* type, class, TTL, RDLENGTH */
            tpa_rd_skip(&f, 8);
            tpa_rd_skip(&m, tpa_rd_be16(&f));
        }
        if (m.err) return TPA_MAL_DNS_TRUNCATED;
    }
    return -1;
}

/* One message; `whole` says its length is known to be exact (TCP framing), so
 * running out is malformed even in a frame cut by snaplen.
 *
 * It is reported as a transaction half: a query (QR 0, opcode QUERY) is a request, a
 * response closes it; paired by ID, first question name (case-folded, as resolvers
 * randomise case) and type on the flow. The outcome is the RCODE (RFC 1035 4.1.1):
 * NOERROR success, others failure. Then its malformation, if any, is counted. */
static void message(tpa_dissect_ctx_t *c, tpa_rd_t *m, bool whole)
{
    tpa_rd_t h = *m;
    if (!tpa_rd_has(&h, 4)) {
        if (whole)
            tpa_dissect_malformed(c, TPA_MAL_DNS_TRUNCATED);
        else
            tpa_dissect_short(c, TPA_MAL_DNS_TRUNCATED);
        return;
    }
    tpa_rd_t f = tpa_rd_sub(&h, 4);
    unsigned id = tpa_rd_be16(&f), flags = tpa_rd_be16(&f);
    bool qr = (flags & 0x8000) != 0;
    /* the key "id=<id>|<qname>|<qtype>", the name written in place by the walk; never
     * cut: both numbers are 16-bit (5 digits at most) and the name's text is shorter
     * than QNAME_MAX */
    char key[3 + 5 + 1 + QNAME_MAX + 1 + 5 + 1];
    memcpy(key, "id=", 3);
    char *p = tpa_fmt_u_raw(key + 3, id);
    *p++ = '|';
    walk_t w = {.qname = p, .qname_len = 0, .qtype = 0};
    int bad = check(*m, &w);
    p += w.qname_len;
    *p++ = '|';
    p = tpa_fmt_u_raw(p, w.qtype);
    *p = '\0';

    tpa_sig_t sig;
    tpa_sig_init(&sig);
    sig.protocol = "dns";
    sig.code = qr ? "response" : "query";
    sig.name = qr ? "response" : "query";
    sig.kind = qr ? TPA_SIG_RESPONSE : TPA_SIG_REQUEST;
    /* opcode QUERY on unicast DNS; multicast DNS and LLMNR queries go to a group and
     * often get no answer by design, so they are counted but not paired */
    bool unicast = !c->row || strcmp(c->row->name, "dns") == 0;
    sig.procedure = unicast && ((flags >> 11) & 0xf) == 0 ? "query" : NULL;
    sig.key = sig.procedure ? key : NULL;
    if (qr) {
        unsigned rc = flags & 0xf;
        sig.outcome = rc == 0 ? TPA_SIG_OK : TPA_SIG_FAILURE;
        sig.has_cause = rc != 0;
        sig.cause = rc;
        sig.cause_name = rcode_name(rc);
        sig.cause_family = "dns";
    }
    tpa_sig_report(c, &sig);

    if (bad == TPA_MAL_DNS_TRUNCATED && !whole)
        tpa_dissect_short(c, bad);
    else if (bad >= 0)
        tpa_dissect_malformed(c, bad);
}

void tpa_dns_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *msg)
{
    message(c, msg, false);
}

/* ---- TCP ---- */

typedef struct dns_state {
    tpa_pdu_framer_t fr[2]; /* by direction */
} dns_state_t;

static long tcp_len(const tpa_rd_t *head)
{
    tpa_rd_t r = *head;
    return 2 + (long)tpa_rd_be16(&r);
}

static void tcp_pdu(tpa_dissect_ctx_t *c, tpa_rd_t *pdu)
{
    size_t n = tpa_rd_be16(pdu);
    if (n < 12) {
        tpa_dissect_malformed(c, TPA_MAL_DNS_TCP_LENGTH_INVALID);
        tpa_rd_t h = *pdu;
        if (tpa_rd_has(&h, 4)) {
            tpa_rd_skip(&h, 2);
            bool qr = (tpa_rd_be16(&h) & 0x8000) != 0;
            tpa_dissect_message(c, "dns", qr ? "response" : "query", qr ? "response" : "query");
        }
        return;
    }
    message(c, pdu, true);
}

/* After a gap: a plausible message start is a length of at least 12, a standard
 * opcode (0-6 but 3), one question and modest section counts. */
static bool tcp_sync(const tpa_rd_t *at)
{
    tpa_rd_t r = *at;
    unsigned n = tpa_rd_be16(&r);
    tpa_rd_skip(&r, 2);
    unsigned flags = tpa_rd_be16(&r);
    unsigned qd = tpa_rd_be16(&r), an = tpa_rd_be16(&r), ns = tpa_rd_be16(&r), ar = tpa_rd_be16(&r);
    unsigned opcode = (flags >> 11) & 0xf;
    return !r.err && n >= 12 && opcode <= 6 && opcode != 3 && qd == 1 && an < 256 && ns < 256 &&
           ar < 256;
}

static const tpa_pdu_spec_t tcp_spec = {
    .hdr = 2,
    .max = 2 + 65535,
    .len = tcp_len,
    .pdu = tcp_pdu,
    .sync = tcp_sync,
};

void tpa_dns_stream(tpa_dissect_ctx_t *c, tpa_rd_t *bytes, uint64_t gap)
{
    dns_state_t *st = tpa_dissect_state(c, sizeof *st);
    if (!st) return;
    tpa_pdu_feed(&st->fr[c->dir & 1], &tcp_spec, c, bytes, gap);
}

void tpa_dns_state_free(void *state)
{
    dns_state_t *st = state;
    if (!st) return;
    tpa_pdu_framer_free(&st->fr[0]);
    tpa_pdu_framer_free(&st->fr[1]);
    free(st);
}
