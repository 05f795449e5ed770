/* tpa_nas.c - shared parts of the NAS dissectors (see tpa_nas.h, tpa_nas_int.h): the
 * per-association UE memory, message reporting, the IE walker and digit decoders.
 *
 * IE formats (TS 24.007 clause 11.2.4, 11.2.1.1): an IEI with bit 8 set names a
 * one-octet IE (type 1: IEI in bits 8-5, value in bits 4-1; type 2: the IEI alone);
 * for EPS and 5GS an IEI 0x7X names a TLV-E IE (two-octet length); the other IEIs are
 * TLV (one-octet length) except the type 3 (TV) IEs each message lists with their
 * fixed length, which the dissectors give in tables.
 */
#include "tpa_nas_int.h"

#include <stdlib.h>
#include <string.h>

#include "tpa_3gpp.h"
#include "tpa_fmt.h"
#include "tpa_malformed.h"

/* ---- association memory: open addressing on the RAN / eNB UE id ---- */

struct tpa_nas_assoc {
    tpa_nas_uest_t *slot;
    size_t cap; /* power of two, 0 before the first record */
    size_t n;
};

static size_t hash_id(uint64_t v)
{
    v ^= v >> 33;
    v *= 0xff51afd7ed558ccdULL;
    v ^= v >> 33;
    return (size_t)v;
}

static tpa_nas_uest_t *find_slot(tpa_nas_assoc_t *a, uint64_t ran)
{
    size_t mask = a->cap - 1;
    for (size_t i = hash_id(ran) & mask;; i = (i + 1) & mask) {
        if (!a->slot[i].used || a->slot[i].ran == ran) return &a->slot[i];
    }
}

static int grow(tpa_nas_assoc_t *a)
{
    size_t cap = a->cap ? a->cap * 2 : 64;
    tpa_nas_uest_t *old = a->slot;
    size_t oldcap = a->cap;
    a->slot = calloc(cap, sizeof *a->slot);
    if (!a->slot) {
        a->slot = old;
        return -1;
    }
    a->cap = cap;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].used) *find_slot(a, old[i].ran) = old[i];
    free(old);
    return 0;
}

tpa_nas_uest_t *tpa_nas_uest(const tpa_nas_ue_t *ue, bool create)
{
    if (!ue || !ue->assoc || !ue->has_ran_ue_id) return NULL;
    tpa_nas_assoc_t *a = *ue->assoc;
    if (!a) {
        if (!create) return NULL;
        a = calloc(1, sizeof *a);
        if (!a) return NULL;
        *ue->assoc = a;
    }
    if (a->cap) {
        tpa_nas_uest_t *s = find_slot(a, ue->ran_ue_id);
        if (s->used) {
            if (ue->has_cn_ue_id && !s->has_cn) {
                s->cn = ue->cn_ue_id;
                s->has_cn = true;
            }
            return s;
        }
    }
    if (!create || a->n >= TPA_NAS_ASSOC_MAX) return NULL;
    if ((a->n + 1) * 10 > a->cap * 7 && grow(a) != 0) return NULL;
    tpa_nas_uest_t *s = find_slot(a, ue->ran_ue_id);
    memset(s, 0, sizeof *s);
    s->used = true;
    s->ran = ue->ran_ue_id;
    s->has_cn = ue->has_cn_ue_id;
    s->cn = ue->cn_ue_id;
    a->n++;
    return s;
}

void tpa_nas_uest_begin(const tpa_nas_ue_t *ue)
{
    tpa_nas_uest_t *s = tpa_nas_uest(ue, false);
    if (!s) return;
    bool fresh = !ue->has_cn_ue_id || (s->has_cn && s->cn != ue->cn_ue_id);
    if (fresh) {
        uint64_t ran = s->ran;
        memset(s, 0, sizeof *s);
        s->used = true;
        s->ran = ran;
        s->has_cn = ue->has_cn_ue_id;
        s->cn = ue->cn_ue_id;
    }
}

void tpa_nas_assoc_destroy(tpa_nas_assoc_t **ap)
{
    if (!ap || !*ap) return;
    free((*ap)->slot);
    free(*ap);
    *ap = NULL;
}

/* ---- messages ---- */

static tpa_nas_observer_fn observer;
static void *observer_arg;

void tpa_nas_set_observer(tpa_nas_observer_fn fn, void *arg)
{
    observer = fn;
    observer_arg = arg;
}

void tpa_nas_msg_init(tpa_nas_msg_t *m, const char *protocol, unsigned type, const char *name)
{
    tpa_sig_init(&m->sig);
    m->used = 0;
    m->sig.protocol = protocol;
    m->sig.code = tpa_fmt_u8_str((uint8_t)type); /* static: kept by address */
    m->sig.name = name;
    m->sig.kind = TPA_SIG_INDICATION;
}

/* A copy of the n bytes at s kept in m's arena (NUL-terminated), or NULL when it does
 * not fit. */
static const char *keep_mem(tpa_nas_msg_t *m, const char *s, size_t n)
{
    size_t room = sizeof m->arena - m->used;
    if (room < 2 || n >= room) return NULL;
    char *dst = m->arena + m->used;
    memcpy(dst, s, n);
    dst[n] = '\0';
    m->used += n + 1;
    return dst;
}

void tpa_nas_id_u(tpa_nas_msg_t *m, tpa_id_kind_t kind, uint64_t v)
{
    char b[24];
    tpa_sig_add_id(&m->sig, kind, keep_mem(m, b, tpa_fmt_u_str(v, b, sizeof b)));
}

void tpa_nas_id_s(tpa_nas_msg_t *m, tpa_id_kind_t kind, const char *s)
{
    tpa_sig_add_id(&m->sig, kind, keep_mem(m, s, strlen(s)));
}

void tpa_nas_guti_head(tpa_fmt_t *f, char *buf, size_t size, const char *mcc, const char *mnc,
                       unsigned id)
{
    tpa_fmt_init(f, buf, size);
    tpa_fmt_s(f, mcc);
    tpa_fmt_s(f, mnc);
    tpa_fmt_c(f, '-');
    tpa_fmt_u(f, id);
    tpa_fmt_c(f, '-');
}

void tpa_nas_key(tpa_nas_msg_t *m, const tpa_nas_walk_t *w, const char *suffix, unsigned v)
{
    const tpa_nas_ue_t *ue = w->ue;
    char key[48 + 64];
    tpa_fmt_t f;
    tpa_fmt_init(&f, key, 48);
    if (ue && ue->has_ran_ue_id) {
        tpa_fmt_s(&f, w->s1ap ? "ue=enb:" : "ue=ran:");
        tpa_fmt_u(&f, ue->ran_ue_id);
    } else if (ue && ue->has_cn_ue_id) {
        tpa_fmt_s(&f, w->s1ap ? "ue=mme:" : "ue=amf:");
        tpa_fmt_u(&f, ue->cn_ue_id);
    } else {
        m->sig.key = NULL;
        return;
    }
    size_t n = tpa_fmt_len(&f);
    if (suffix) {
        tpa_fmt_init(&f, key + n, 64);
        tpa_fmt_s(&f, suffix);
        tpa_fmt_u(&f, v);
        n += tpa_fmt_len(&f);
    }
    m->sig.key = keep_mem(m, key, n);
}

void tpa_nas_proc(tpa_nas_msg_t *m, tpa_sig_kind_t kind, const char *procedure,
                  tpa_sig_outcome_t outcome)
{
    m->sig.kind = kind;
    m->sig.procedure = procedure;
    m->sig.outcome = outcome;
}

void tpa_nas_cause(tpa_nas_msg_t *m, unsigned cause, const char *name, const char *family)
{
    m->sig.has_cause = true;
    m->sig.cause = cause;
    m->sig.cause_name = name;
    m->sig.cause_family = family;
}

void tpa_nas_report(tpa_nas_walk_t *w, tpa_nas_msg_t *m)
{
    if (w->dry) return;
    if (w->echo) {
        m->sig.kind = TPA_SIG_INDICATION;
        m->sig.procedure = NULL;
        m->sig.key = NULL;
        m->sig.outcome = TPA_SIG_OK;
        m->sig.has_cause = false;
    }
    const tpa_nas_ue_t *ue = w->ue;
    if (ue && ue->has_ran_ue_id)
        tpa_nas_id_u(m, w->s1ap ? TPA_ID_ENB_UE_S1AP_ID : TPA_ID_RAN_UE_NGAP_ID, ue->ran_ue_id);
    if (ue && ue->has_cn_ue_id)
        tpa_nas_id_u(m, w->s1ap ? TPA_ID_MME_UE_S1AP_ID : TPA_ID_AMF_UE_NGAP_ID, ue->cn_ue_id);
    if (observer) {
        observer(observer_arg, &m->sig);
        tpa_dissect_message(w->c, m->sig.protocol, m->sig.code, m->sig.name);
        return;
    }
    tpa_sig_report(w->c, &m->sig);
}

void tpa_nas_bad(tpa_nas_walk_t *w, int reason)
{
    if (!w->dry) tpa_dissect_short(w->c, reason);
}

void tpa_nas_remember_sec(tpa_nas_walk_t *w, bool null_cipher)
{
    if (w->dry || w->echo) return;
    tpa_nas_uest_t *s = tpa_nas_uest(w->ue, true);
    if (s) s->sec = null_cipher ? TPA_NAS_SEC_NULL : TPA_NAS_SEC_CIPHERED;
}

void tpa_nas_protected(tpa_nas_walk_t *w, tpa_rd_t r, unsigned sht, tpa_nas_plain_fn plain)
{
    if (sht == 1 || sht == 3) {
        plain(w, r, false);
        return;
    }
    tpa_nas_uest_t *s = tpa_nas_uest(w->ue, false);
    int sec = s ? s->sec : TPA_NAS_SEC_UNKNOWN;
    if (sec == TPA_NAS_SEC_CIPHERED) return;
    if (sec == TPA_NAS_SEC_UNKNOWN) { /* plausible: decodes as a plain message */
        tpa_nas_walk_t d = *w;
        d.dry = true;
        if (!plain(&d, r, true)) return;
    }
    plain(w, r, true);
}

/* ---- walks ---- */

bool tpa_nas_nested(tpa_nas_walk_t *w, int nn, int too_deep, tpa_nas_walk_t *n)
{
    if (w->dry || nn == 0) return false;
    if (w->depth + 1 >= TPA_NAS_MAX_DEPTH) {
        tpa_nas_bad(w, too_deep);
        return false;
    }
    *n = *w;
    n->depth = w->depth + 1;
    return true;
}

void tpa_nas_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *pdu, const tpa_nas_ue_t *ue, bool s1ap,
                     void (*walk)(tpa_nas_walk_t *w, tpa_rd_t r))
{
    tpa_nas_walk_t w = {.c = c, .ue = ue, .s1ap = s1ap};
    size_t n = tpa_rd_remaining(pdu);
    tpa_rd_t r = tpa_rd_sub(pdu, n);
    tpa_nas_uest_begin(ue);
    walk(&w, r);
}

/* ---- IEs ---- */

static int fixed_len(const tpa_nas_tv_t *tv, uint8_t iei)
{
    for (; tv && tv->iei; tv++)
        if (tv->iei == iei) return tv->len;
    return 0;
}

int tpa_nas_next_ie(tpa_rd_t *r, const tpa_nas_tv_t *tv, const tpa_nas_tv_t *tv2, tpa_nas_ie_t *ie)
{
    if (!tpa_rd_has(r, 1)) return 0;
    uint8_t iei = tpa_rd_u8(r);
    ie->half = 0;
    ie->val = tpa_rd_init(NULL, 0);
    if (iei & 0x80) {
        ie->iei = iei & 0xf0;
        ie->half = iei & 0x0f;
        return 1;
    }
    ie->iei = iei;
    int fl = fixed_len(tv, iei);
    if (!fl) fl = fixed_len(tv2, iei);
    size_t len;
    if (fl) {
        len = (size_t)fl - 1;
    } else if ((iei & 0xf0) == 0x70) {
        len = tpa_rd_be16(r);
    } else {
        len = tpa_rd_u8(r);
    }
    ie->val = tpa_rd_sub(r, len);
    return r->err ? -1 : 1;
}

void tpa_nas_opts_init(tpa_nas_opts_t *o, tpa_rd_t *r, const tpa_nas_tv_t *tv,
                       const tpa_nas_tv_t *tv2)
{
    memset(o, 0, sizeof *o);
    o->r = r;
    o->tv = tv;
    o->tv2 = tv2;
}

bool tpa_nas_opts_next(tpa_nas_opts_t *o, tpa_nas_ie_t *ie)
{
    int k;
    while ((k = tpa_nas_next_ie(o->r, o->tv, o->tv2, ie)) > 0) {
        uint32_t bit = 1u << (ie->iei & 31);
        if (o->seen[ie->iei >> 5] & bit) continue;
        o->seen[ie->iei >> 5] |= bit;
        return true;
    }
    o->bad = k < 0;
    return false;
}

tpa_rd_t tpa_nas_lv(tpa_rd_t *r, int lenbytes)
{
    size_t len = lenbytes == 2 ? tpa_rd_be16(r) : tpa_rd_u8(r);
    return tpa_rd_sub(r, len);
}

size_t tpa_nas_bcd(tpa_rd_t r, bool first_high, char *dst, size_t dstlen)
{
    size_t n = 0;
    if (dstlen == 0) return 0;
    bool first = true;
    while (tpa_rd_has(&r, 1)) {
        uint8_t b = tpa_rd_u8(&r);
        uint8_t d[2] = {b & 0x0f, b >> 4};
        for (int i = first && first_high ? 1 : 0; i < 2; i++) {
            if (d[i] > 9) goto done; /* 0xF filler (other values: not a digit) */
            if (n + 1 >= dstlen) goto done;
            dst[n++] = (char)('0' + d[i]);
        }
        first = false;
    }
done:
    dst[n] = '\0';
    return n;
}

bool tpa_nas_plmn(tpa_rd_t *r, char mcc[4], char mnc[4])
{
    uint8_t b0 = tpa_rd_u8(r), b1 = tpa_rd_u8(r), b2 = tpa_rd_u8(r);
    if (r->err) return false;
    unsigned d[6] = {b0 & 0x0fu, b0 >> 4, b1 & 0x0fu, b2 & 0x0fu, b2 >> 4, b1 >> 4};
    for (int i = 0; i < 3; i++)
        mcc[i] = (char)(d[i] <= 9 ? '0' + d[i] : '?');
    mcc[3] = '\0';
    int k = 0;
    for (int i = 3; i < 6; i++) {
        if (i == 5 && d[i] == 0xf) break;
        mnc[k++] = (char)(d[i] <= 9 ? '0' + d[i] : '?');
    }
    mnc[k] = '\0';
    return true;
}

/* "fe80::" + the 8-byte interface identifier (the UE's link-local IPv6 address). */
static void ipv6_iid(const uint8_t iid[8], char *dst, size_t dstlen)
{
    uint8_t a[16] = {0xfe, 0x80};
    memcpy(a + 8, iid, 8);
    tpa_3gpp_addr_str(a, 6, dst, dstlen);
}

void tpa_nas_ue_address(tpa_nas_msg_t *m, tpa_rd_t v)
{
    unsigned type = tpa_rd_u8(&v) & 7;
    uint8_t a[12];
    char s[TPA_3GPP_ADDR_MAX];
    if (type == 1) {
        tpa_rd_bytes(&v, a, 4);
        if (v.err) return;
        tpa_3gpp_addr_str(a, 4, s, sizeof s);
        tpa_nas_id_s(m, TPA_ID_UE_IP, s);
    } else if (type == 2 || type == 3) {
        tpa_rd_bytes(&v, a, type == 3 ? 12 : 8);
        if (v.err) return;
        if (type == 3) {
            tpa_3gpp_addr_str(a + 8, 4, s, sizeof s);
            tpa_nas_id_s(m, TPA_ID_UE_IP, s);
        }
        ipv6_iid(a, s, sizeof s);
        tpa_nas_id_s(m, TPA_ID_UE_IP, s);
    }
}
