/* tpa_3gpp_msg.h - the message record the GTP-style 3GPP control protocols share:
 * GTPv1-C (TS 29.060), GTPv2-C (TS 29.274) and PFCP (TS 29.244) all number their
 * messages with a type octet whose spec table gives the name, request / response and
 * procedure; all pair a response with its request by a sequence number that is
 * unique per sending node; all carry a receiver-side id in the header (TEID, SEID);
 * all end in a Cause IE whose value range says accept or reject; and all walk
 * type-length IEs, stopping at the first malformation.
 *
 * A dissector keeps its message table (indexed by type) and its IE decoding; the
 * record below builds the tpa_sig_t it reports with tpa_3gpp_report() and owns every
 * string the tpa_sig_t borrows (so it lives on the dissector's stack until the
 * report).
 */
#ifndef TPA_3GPP_MSG_H
#define TPA_3GPP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tpa_3gpp.h"
#include "tpa_dissect.h"
#include "tpa_fmt.h"
#include "tpa_rd.h"
#include "tpa_sig.h"

#define TPA_3GPP_FAIL 0x80 /* in tpa_3gpp_msg_def_t.kind: a failure indication */

/* One row of a protocol's message table. */
typedef struct tpa_3gpp_msg_def {
    uint8_t type;
    uint8_t kind;     /* tpa_sig_kind_t, | TPA_3GPP_FAIL for failure indications */
    const char *name; /* "Create Session Request" */
    const char *proc; /* the procedure ("Create Session"); NULL for none */
} tpa_3gpp_msg_def_t;

/* The row of type t in defs[0..n) indexed by type (defs[t] names its type), or NULL
 * when t >= n or that row is empty. O(1). */
static inline const tpa_3gpp_msg_def_t *tpa_3gpp_msg_row(const tpa_3gpp_msg_def_t *defs, size_t n,
                                                         unsigned t)
{
    return t < n && defs[t].name ? &defs[t] : NULL;
}

/* One message being reported: sig borrows the strings below. */
typedef struct tpa_3gpp_msg {
    tpa_sig_t sig;
    tpa_3gpp_ids_t ids;
    char code[8];  /* the code of a type past 255 (a static string below) */
    char name[40]; /* the name of a type the table lacks */
    char key[64]; /* "seq=<32-bit decimal>@<addr>" */
} tpa_3gpp_msg_t;

_Static_assert(4 + 10 + 1 + TPA_FMT_ADDR_MAX <= sizeof(((tpa_3gpp_msg_t *)0)->key),
               "a sequence key and the raw writers' scratch fit");

/* Starts m for a message of type `type` of protocol (a static string, also the cause
 * family) whose table row is def (NULL when the table lacks the type: named
 * "<unknown> <type>", e.g. "GTPv2 message type 9", an indication): code = the decimal
 * type; kind, procedure, and a failure outcome for failure indications, from def. */
static inline void tpa_3gpp_msg_init(tpa_3gpp_msg_t *m, const char *protocol,
                                     const tpa_3gpp_msg_def_t *def, unsigned type,
                                     const char *unknown);

/* tpa_3gpp_msg_init for any type and def (the inline one handles a known type below
 * 256 itself). */
void tpa_3gpp_msg_init_any(tpa_3gpp_msg_t *m, const char *protocol, const tpa_3gpp_msg_def_t *def,
                           unsigned type, const char *unknown);

/* Adds an identity of kind (TPA_ID_TEID / TPA_ID_SEID) "0x<id>@<addr>" to m ("0x<id>"
 * when addr is NULL or of family 0). */
static inline void tpa_3gpp_msg_id_at(tpa_3gpp_msg_t *m, tpa_id_kind_t kind, uint64_t id,
                                      const tpa_3gpp_ip_t *addr)
{
    tpa_3gpp_add_id_at(&m->sig, &m->ids, kind, id, addr ? addr->family : 0, addr ? addr->a : NULL);
}

/* Adds the header's id (TEID, SEID): it names the tunnel / session at the receiver of
 * the message, so it goes with the receiver's address. */
static inline void tpa_3gpp_msg_receiver_id(tpa_3gpp_msg_t *m, const tpa_dissect_ctx_t *c,
                                            tpa_id_kind_t kind, uint64_t id);

/* Sets the pairing key "seq=<seq>@<requester address>": sequence numbers are per
 * sending node, so the requester's address scopes them. */
static inline void tpa_3gpp_msg_seq_key(tpa_3gpp_msg_t *m, const tpa_dissect_ctx_t *c,
                                        unsigned seq);

/* Sets the cause (name from the protocol's table, may be NULL); failure: the cause
 * rejects, so the outcome is a failure. */
static inline void tpa_3gpp_msg_cause(tpa_3gpp_msg_t *m, unsigned cause, const char *name,
                                      bool failure);

/* ---- the IE walk ---- */

/* What the IE walk of one message keeps. The first malformation is counted on c and
 * sets bad, after which the walk stops. */
typedef struct tpa_3gpp_ies {
    tpa_dissect_ctx_t *c;
    tpa_3gpp_msg_t *m;
    int mal_truncated, mal_invalid; /* the protocol's TPA_MAL_*_IE_TRUNCATED / _INVALID */
    bool bad;
    bool has_cause; /* the message's own (top-level) Cause */
    uint8_t cause;
} tpa_3gpp_ies_t;

/* An IE runs past its container (counted as mal_truncated, the capture was cut). */
void tpa_3gpp_ies_short(tpa_3gpp_ies_t *s);

/* An IE's value breaks its definition (counted as mal_invalid). */
void tpa_3gpp_ies_invalid(tpa_3gpp_ies_t *s);

/* Adds an identity to the message (tpa_3gpp_add_id). */
void tpa_3gpp_ies_add(tpa_3gpp_ies_t *s, tpa_id_kind_t kind, const char *value);

/* A TBCD identity (IMSI, MSISDN, IMEI) of len octets at v, added as kind. */
void tpa_3gpp_ies_digits(tpa_3gpp_ies_t *s, tpa_rd_t *v, size_t len, tpa_id_kind_t kind);

/* An APN / DNN of len octets at v, added as TPA_ID_DNN. */
void tpa_3gpp_ies_apn(tpa_3gpp_ies_t *s, tpa_rd_t *v, size_t len);

/* An EPS bearer id / NSAPI in the low 4 bits of v's next octet, added as
 * TPA_ID_PDU_SESSION. */
void tpa_3gpp_ies_bearer(tpa_3gpp_ies_t *s, tpa_rd_t *v);

/* A Cause IE (its value the first octet) of len octets at v, at least minlen long
 * (else invalid): the first one met at depth 0 (the message's own, not a grouped
 * IE's) is kept in has_cause / cause. */
void tpa_3gpp_ies_cause(tpa_3gpp_ies_t *s, tpa_rd_t *v, size_t len, size_t minlen, int depth);

/* ---- GTPv2-C and PFCP framing ---- */

/* How a GTPv2-C (TS 29.274 5.1) or PFCP (TS 29.244 7.2.2) header is laid out, the
 * same way: octet 1 flags (the version in bits 8-6), octet 2 message type, octets 3-4
 * Length (the octets after the first 4); then, when the flag id_flag is set, a TEID /
 * SEID of id_len octets; then the Sequence Number (3 octets) and one spare / message
 * priority octet. The flag more_flag (P, FO) says another message follows in the
 * same datagram. */
typedef struct tpa_3gpp_hdr_spec {
    int version; /* what bits 8-6 must hold (else mal_bad_version), -1: not checked */
    uint8_t id_flag, id_len, more_flag;
    int mal_truncated, mal_len_invalid, mal_bad_version;
} tpa_3gpp_hdr_spec_t;

typedef struct tpa_3gpp_hdr {
    unsigned type;
    uint64_t id;   /* the TEID / SEID, 0 when absent (or cut short: ok false) */
    uint32_t seq;  /* Sequence Number */
    tpa_rd_t body; /* the IEs (borrowed from the datagram) */
    bool ok;       /* the header is well formed: its IEs may be decoded */
    int next;      /* 1 another message follows, 0 none, -1 what follows is untrusted */
} tpa_3gpp_hdr_t;

/* Reads the header of the message at r and consumes the message (its Length, or what
 * remains when it claims more); malformations are counted on c (the first only).
 * False when not even the first four octets are there (counted as truncated; *h
 * unset). */
static inline bool tpa_3gpp_hdr_read(const tpa_3gpp_hdr_spec_t *spec, tpa_dissect_ctx_t *c,
                                     tpa_rd_t *r, tpa_3gpp_hdr_t *h);

#define TPA_3GPP_MAX_DEPTH 8 /* grouped IE nesting walked */

/* How the IEs of GTPv2-C (TS 29.274 8.2: Type 1 octet, Length 2, spare | Instance 1)
 * and PFCP (TS 29.244 8.1.1: Type 2 octets, Length 2) are laid out (Length: the
 * octets of the value) and decoded. Grouped IEs hold IEs of the same format, walked
 * down to TPA_3GPP_MAX_DEPTH levels (deeper: mal_too_deep). */
typedef struct tpa_3gpp_ie_spec {
    uint8_t type_len;               /* 1 or 2 */
    bool instance;                  /* a spare / Instance octet follows the Length */
    bool (*grouped)(unsigned type); /* a grouped IE type */
    /* decodes one IE that is not grouped (value v of len octets, depth 0 at the top) */
    void (*ie)(tpa_3gpp_ies_t *s, unsigned type, tpa_rd_t *v, size_t len, int depth);
    int mal_too_deep;
} tpa_3gpp_ie_spec_t;

/* Walks the IEs at r (depth 0 for a message's body) until the end or s->bad. */
static inline void tpa_3gpp_ies_walk(const tpa_3gpp_ie_spec_t *spec, tpa_3gpp_ies_t *s, tpa_rd_t r,
                                     int depth);

static inline void tpa_3gpp_msg_init(tpa_3gpp_msg_t *m, const char *protocol,
                                     const tpa_3gpp_msg_def_t *def, unsigned type,
                                     const char *unknown)
{
    if (!def || type > 255 || (def->kind & TPA_3GPP_FAIL)) {
        tpa_3gpp_msg_init_any(m, protocol, def, type, unknown);
        return;
    }
    tpa_sig_init(&m->sig);
    m->sig.code = tpa_fmt_u8_str((uint8_t)type); /* static: kept by address */
    m->sig.protocol = protocol;
    m->sig.cause_family = protocol;
    m->sig.name = def->name;
    m->sig.kind = (tpa_sig_kind_t)def->kind;
    m->sig.procedure = def->proc;
}

static inline void tpa_3gpp_msg_receiver_id(tpa_3gpp_msg_t *m, const tpa_dissect_ctx_t *c,
                                            tpa_id_kind_t kind, uint64_t id)
{
    const tpa_flow_key_t *k = &c->flow->key;
    tpa_3gpp_add_id_at(&m->sig, &m->ids, kind, id, k->family, k->addr[(c->side ^ 1) & 1]);
}

static inline void tpa_3gpp_msg_seq_key(tpa_3gpp_msg_t *m, const tpa_dissect_ctx_t *c, unsigned seq)
{
    const tpa_flow_key_t *k = &c->flow->key;
    int side = m->sig.kind == TPA_SIG_RESPONSE ? c->side ^ 1 : c->side;
    char *p = m->key; /* never cut: the key has the room (below) */
    memcpy(p, "seq=", 4);
    p = tpa_fmt_u_raw(p + 4, seq);
    *p++ = '@';
    p = tpa_fmt_addr_raw(p, k->family, k->addr[side & 1]);
    *p = '\0';
    m->sig.key = m->key;
}

static inline void tpa_3gpp_msg_cause(tpa_3gpp_msg_t *m, unsigned cause, const char *name,
                                      bool failure)
{
    m->sig.has_cause = true;
    m->sig.cause = cause;
    m->sig.cause_name = name;
    if (failure) m->sig.outcome = TPA_SIG_FAILURE;
}

/* ---- the framing and the walk, inline: each protocol's copy sees its own constant
 * spec, so the compiler folds the layout and calls grouped() and ie() directly ---- */

static inline void tpa_3gpp_ies_walk(const tpa_3gpp_ie_spec_t *spec, tpa_3gpp_ies_t *s, tpa_rd_t r,
                                     int depth)
{
    while (!s->bad && tpa_rd_remaining(&r) > 0) {
        /* the four octets of type, length (and instance) as a reader of their own: its
         * reads cannot fail, which the compiler sees */
        tpa_rd_t h = tpa_rd_sub(&r, 4);
        if (h.err) {
            tpa_3gpp_ies_short(s);
            return;
        }
        unsigned type = spec->type_len == 2 ? tpa_rd_be16(&h) : tpa_rd_u8(&h);
        size_t len = tpa_rd_be16(&h);
        tpa_rd_t v = tpa_rd_sub(&r, len);
        if (v.err) {
            tpa_3gpp_ies_short(s);
            return;
        }
        if (spec->grouped(type)) {
            if (depth + 1 >= TPA_3GPP_MAX_DEPTH) {
                tpa_dissect_malformed(s->c, spec->mal_too_deep);
                s->bad = true;
                return;
            }
            tpa_3gpp_ies_walk(spec, s, v, depth + 1);
            continue;
        }
        spec->ie(s, type, &v, len, depth);
    }
}

static inline bool tpa_3gpp_hdr_read(const tpa_3gpp_hdr_spec_t *spec, tpa_dissect_ctx_t *c,
                                     tpa_rd_t *r, tpa_3gpp_hdr_t *h)
{
    if (!tpa_rd_has(r, 4)) {
        tpa_dissect_short(c, spec->mal_truncated);
        return false;
    }
    tpa_rd_t f = tpa_rd_sub(r, 4); /* reads that cannot fail, as the compiler sees */
    uint8_t fl = tpa_rd_u8(&f);
    h->type = tpa_rd_u8(&f);
    size_t len = tpa_rd_be16(&f);
    bool has_id = fl & spec->id_flag;
    h->next = (fl & spec->more_flag) ? 1 : 0;
    h->ok = true;
    if (spec->version >= 0 && (fl >> 5) != spec->version) {
        tpa_dissect_malformed(c, spec->mal_bad_version);
        h->ok = false;
    }
    if (len < (has_id ? spec->id_len + 4u : 4u)) {
        if (h->ok) tpa_dissect_malformed(c, spec->mal_len_invalid);
        h->ok = false;
        h->next = -1;
    } else if (len > tpa_rd_remaining(r)) {
        if (h->ok) tpa_dissect_short(c, spec->mal_len_invalid);
        h->next = -1;
    }
    h->body = tpa_rd_sub_upto(r, len);
    /* the id, the sequence number and the priority / spare octet, as one reader */
    tpa_rd_t t = tpa_rd_sub(&h->body, (has_id ? spec->id_len : 0) + 4u);
    h->id = 0;
    if (has_id) h->id = spec->id_len == 8 ? tpa_rd_be64(&t) : tpa_rd_be32(&t);
    h->seq = tpa_rd_be24(&t);
    if (h->body.err) {
        if (h->ok) tpa_dissect_short(c, spec->mal_truncated);
        h->ok = false;
    }
    return true;
}

#endif
