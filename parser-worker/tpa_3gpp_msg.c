/* tpa_3gpp_msg.c - the message record of GTPv1-C, GTPv2-C and PFCP; see
 * tpa_3gpp_msg.h. */
#include "tpa_3gpp_msg.h"

#include <string.h>

#include "tpa_fmt.h"

void tpa_3gpp_msg_init_any(tpa_3gpp_msg_t *m, const char *protocol, const tpa_3gpp_msg_def_t *def,
                           unsigned type, const char *unknown)
{
    tpa_sig_init(&m->sig);
    if (type < 256) {
        m->sig.code = tpa_fmt_u8_str((uint8_t)type); /* static: kept by address */
    } else {
        tpa_fmt_u_str(type, m->code, sizeof m->code);
        m->sig.code = m->code;
    }
    m->sig.protocol = protocol;
    m->sig.cause_family = protocol;
    if (!def) {
        tpa_fmt_t f;
        tpa_fmt_init(&f, m->name, sizeof m->name);
        tpa_fmt_s(&f, unknown);
        tpa_fmt_c(&f, ' ');
        tpa_fmt_u(&f, type);
        m->sig.name = m->name;
        m->sig.kind = TPA_SIG_INDICATION;
        return;
    }
    m->sig.name = def->name;
    m->sig.kind = (tpa_sig_kind_t)(def->kind & ~TPA_3GPP_FAIL);
    m->sig.procedure = def->proc;
    if (def->kind & TPA_3GPP_FAIL) m->sig.outcome = TPA_SIG_FAILURE;
}

/* ---- the IE walk ---- */

void tpa_3gpp_ies_short(tpa_3gpp_ies_t *s)
{
    tpa_dissect_short(s->c, s->mal_truncated);
    s->bad = true;
}

void tpa_3gpp_ies_invalid(tpa_3gpp_ies_t *s)
{
    tpa_dissect_malformed(s->c, s->mal_invalid);
    s->bad = true;
}

void tpa_3gpp_ies_add(tpa_3gpp_ies_t *s, tpa_id_kind_t kind, const char *value)
{
    tpa_3gpp_add_id(&s->m->sig, &s->m->ids, kind, value);
}

/* The digits and the APN are decoded straight into the identity's slot (into a
 * scratch buffer when m is full: the octets are consumed the same). */
void tpa_3gpp_ies_digits(tpa_3gpp_ies_t *s, tpa_rd_t *v, size_t len, tpa_id_kind_t kind)
{
    char dg[TPA_3GPP_DIGITS_MAX];
    char *slot = tpa_3gpp_slot(&s->m->sig, &s->m->ids);
    if (tpa_3gpp_tbcd(v, len, slot ? slot : dg, sizeof dg) && slot)
        tpa_3gpp_add_slot(&s->m->sig, &s->m->ids, kind);
}

_Static_assert(TPA_3GPP_APN_MAX <= TPA_3GPP_ID_SLOT, "an APN fits an identity's slot");

void tpa_3gpp_ies_apn(tpa_3gpp_ies_t *s, tpa_rd_t *v, size_t len)
{
    char apn[TPA_3GPP_APN_MAX];
    char *slot = tpa_3gpp_slot(&s->m->sig, &s->m->ids);
    if (tpa_3gpp_apn(v, len, slot ? slot : apn, sizeof apn) && slot)
        tpa_3gpp_add_slot(&s->m->sig, &s->m->ids, TPA_ID_DNN);
}

void tpa_3gpp_ies_bearer(tpa_3gpp_ies_t *s, tpa_rd_t *v)
{
    char e[4];
    tpa_fmt_u_str(tpa_rd_u8(v) & 0x0fu, e, sizeof e);
    tpa_3gpp_ies_add(s, TPA_ID_PDU_SESSION, e);
}

void tpa_3gpp_ies_cause(tpa_3gpp_ies_t *s, tpa_rd_t *v, size_t len, size_t minlen, int depth)
{
    if (len < minlen) {
        tpa_3gpp_ies_invalid(s);
    } else if (depth == 0 && !s->has_cause) {
        s->has_cause = true;
        s->cause = tpa_rd_u8(v);
    }
}
