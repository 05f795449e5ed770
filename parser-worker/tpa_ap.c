/* tpa_ap.c - the frame NGAP (TS 38.413) and S1AP (TS 36.413) share; see tpa_ap.h. */
#include "tpa_ap.h"

#include "tpa_fmt.h"

#include <stdlib.h>
#include <string.h>

/* ---- names ---- */

const char *const tpa_ap_cause_transport[2] = {"transport-resource-unavailable", "unspecified"};
const char *const tpa_ap_cause_protocol[7] = {"transfer-syntax-error",
                                              "abstract-syntax-error-reject",
                                              "abstract-syntax-error-ignore-and-notify",
                                              "message-not-compatible-with-receiver-state",
                                              "semantic-error",
                                              "abstract-syntax-error-falsely-constructed-message",
                                              "unspecified"};

const char *tpa_ap_cause_group_name(const tpa_ap_proto_t *ap, unsigned group)
{
    return group < TPA_AP_CAUSE_GROUPS ? ap->causes[group].name : NULL;
}

const char *tpa_ap_cause_name(const tpa_ap_proto_t *ap, unsigned group, unsigned value)
{
    if (group >= TPA_AP_CAUSE_GROUPS || value >= ap->causes[group].n) return NULL;
    return ap->causes[group].names[value];
}

/* ---- decoding ---- */

static void note(tpa_ap_msg_t *m, int reason, bool short_read)
{
    if (m->malformed < 0) {
        m->malformed = reason;
        m->short_read = short_read;
    }
}

/* Records the error of p: at the message level (outer) or inside an open type. */
static void note_per(const tpa_ap_proto_t *ap, tpa_ap_msg_t *m, const tpa_per_t *p, bool outer)
{
    switch (p->err) {
    case TPA_PER_OK:
        return;
    case TPA_PER_FRAGMENTED:
        note(m, ap->mal.fragmented, false);
        return;
    case TPA_PER_SHORT:
        if (outer)
            note(m, ap->mal.truncated, true);
        else
            note(m, ap->mal.open_type_invalid, false);
        return;
    case TPA_PER_INVALID:
        note(m, outer ? ap->mal.pdu_invalid : ap->mal.open_type_invalid, false);
        return;
    }
}

void tpa_ap_note_inner(const tpa_ap_proto_t *ap, tpa_ap_msg_t *m, const tpa_per_t *p)
{
    note_per(ap, m, p, false);
}

void tpa_ap_add_item(tpa_ap_msg_t *m, unsigned id)
{
    for (unsigned i = 0; i < m->n_items; i++)
        if (m->items[i] == id) return;
    if (m->n_items < TPA_AP_MAX_ITEMS) m->items[m->n_items++] = (uint8_t)id;
}

void tpa_ap_add_nas(tpa_ap_msg_t *m, const tpa_rd_t *pdu, int item)
{
    if (m->n_nas < TPA_AP_MAX_NAS && tpa_rd_remaining(pdu) > 0) {
        m->nas[m->n_nas].pdu = *pdu;
        m->nas[m->n_nas].item = item;
        m->n_nas++;
    }
}

/* Cause ::= CHOICE {radioNetwork, transport, nas, protocol, misc, <extension>}; each a
 * CauseX ::= ENUMERATED {..., ...}. */
void tpa_ap_read_cause(const tpa_ap_proto_t *ap, tpa_per_t *p, unsigned *group, unsigned *value)
{
    *group = tpa_per_index(p, ap->cause.nroot, ap->cause.ext);
    *value = 0;
    if (*group < TPA_AP_CAUSE_GROUPS) {
        *value = tpa_per_index(p, ap->causes[*group].nroot, true);
    } else if (ap->cause.ext) {
        tpa_per_fail(p, TPA_PER_INVALID); /* an unknown extension: its encoding is unknown */
    } else {
        tpa_rd_t v; /* choice-Extensions: ProtocolIE-SingleContainer */
        uint16_t id;
        unsigned crit;
        tpa_per_ie_field(p, &id, &crit, &v);
    }
}

/* The UE ids CHOICE {<pair> SEQUENCE {cn, ran, iE-Extensions OPTIONAL, ...}, cn, ...}. */
static void read_ue_ids(const tpa_ap_proto_t *ap, tpa_per_t *p, tpa_ap_msg_t *m)
{
    unsigned alt = tpa_per_index(p, ap->ue_ids.nroot, ap->ue_ids.ext);
    if (alt == 0) {
        bool ext = tpa_per_bit(p);
        uint32_t opt = tpa_per_bits(p, 1);
        uint64_t cn = tpa_per_int(p, 0, ap->cn_max);
        uint64_t ran = tpa_per_int(p, 0, ap->ran_max);
        if (tpa_per_ok(p)) {
            m->has_cn_id = true, m->cn_id = cn;
            m->has_ran_id = true, m->ran_id = ran;
        }
        if (opt) tpa_per_skip_ext_container(p);
        if (ext) tpa_per_skip_seq_extensions(p);
    } else if (alt == 1) {
        uint64_t cn = tpa_per_int(p, 0, ap->cn_max);
        if (tpa_per_ok(p)) m->has_cn_id = true, m->cn_id = cn;
    }
}

/* One IE value (the open type's contents). */
static void read_ie(const tpa_ap_proto_t *ap, uint16_t id, const tpa_rd_t *value, tpa_ap_msg_t *m)
{
    tpa_per_t p;
    tpa_per_init(&p, value);
    if (id == ap->ie.ran) {
        uint64_t v = tpa_per_int(&p, 0, ap->ran_max);
        if (tpa_per_ok(&p)) m->has_ran_id = true, m->ran_id = v;
    } else if (id == ap->ie.cn || id == ap->ie.source_cn) {
        uint64_t v = tpa_per_int(&p, 0, ap->cn_max);
        if (tpa_per_ok(&p) && (id == ap->ie.cn || !m->has_cn_id)) m->has_cn_id = true, m->cn_id = v;
    } else if (id == ap->ie.ue_ids) {
        read_ue_ids(ap, &p, m);
    } else if (id == ap->ie.cause) {
        unsigned g, v;
        tpa_ap_read_cause(ap, &p, &g, &v);
        if (tpa_per_ok(&p) && !m->has_cause) {
            m->has_cause = true;
            m->cause_group = g;
            m->cause_value = v;
        }
    } else if (id == ap->ie.nas) {
        tpa_rd_t nas;
        if (tpa_per_octets(&p, 0, 0, false, &nas)) tpa_ap_add_nas(m, &nas, -1);
    } else {
        ap->read_list(ap, id, &p, m);
    }
    note_per(ap, m, &p, false);
}

/* The message value: SEQUENCE {protocolIEs ProtocolIE-Container, ...}. */
static void read_value(const tpa_ap_proto_t *ap, const tpa_rd_t *value, tpa_ap_msg_t *m)
{
    tpa_per_t p;
    tpa_per_init(&p, value);
    bool ext = tpa_per_bit(&p);
    size_t n = tpa_per_ie_count(&p);
    for (size_t i = 0; i < n && tpa_per_ok(&p); i++) {
        uint16_t id;
        unsigned crit;
        tpa_rd_t v;
        if (!tpa_per_ie_field(&p, &id, &crit, &v)) break;
        m->n_ies++;
        read_ie(ap, id, &v, m);
    }
    if (ext) tpa_per_skip_seq_extensions(&p);
    note_per(ap, m, &p, false);
}

/* The PDU header read bit by bit from pdu (not advanced) into *p: type and
 * procedureCode (false when they could not be), then the criticality. */
static bool decode_head(tpa_per_t *p, const tpa_rd_t *pdu, tpa_ap_msg_t *m)
{
    tpa_per_init(p, pdu);
    unsigned type = tpa_per_index(p, 3, true);
    if (tpa_per_ok(p) && type > TPA_AP_UNSUCCESSFUL) tpa_per_fail(p, TPA_PER_INVALID);
    m->proc = (unsigned)tpa_per_int(p, 0, 255);
    if (!tpa_per_ok(p)) return false;
    m->pdu_type = (int)type;
    m->criticality = (unsigned)tpa_per_int(p, 0, 2);
    return true;
}

bool tpa_ap_decode(const tpa_ap_proto_t *ap, tpa_rd_t *pdu, tpa_ap_msg_t *m)
{
    /* every field but the arrays past their counts (nas[] is 0.5 KB: not cleared) */
    m->pdu_type = 0;
    m->proc = 0;
    m->criticality = 0;
    m->n_ies = 0;
    m->has_ran_id = m->has_cn_id = false;
    m->ran_id = m->cn_id = 0;
    m->has_cause = false;
    m->cause_group = m->cause_value = 0;
    m->n_nas = 0;
    m->n_items = 0;
    m->malformed = -1;
    m->short_read = false;
    tpa_per_t p;
    /* The usual header is three whole octets: the CHOICE's extension bit 0 and index
     * (2 bits, then padding to the aligned procedureCode), the procedureCode, the
     * criticality (2 bits, then padding to the aligned open type length). Read so
     * when it is that, else bit by bit below; either way the same fields. */
    tpa_rd_t head = *pdu;
    uint8_t b0 = tpa_rd_u8(&head), b1 = tpa_rd_u8(&head), b2 = tpa_rd_u8(&head);
    if (!head.err && !(b0 & 0x80) && (b0 >> 5 & 3) <= TPA_AP_UNSUCCESSFUL && b2 >> 6 <= 2) {
        tpa_per_init(&p, &head);
        m->proc = b1;
        m->pdu_type = b0 >> 5 & 3;
        m->criticality = b2 >> 6;
    } else if (!decode_head(&p, pdu, m)) {
        tpa_rd_skip(pdu, tpa_rd_remaining(pdu));
        note_per(ap, m, &p, true);
        return false;
    }
    tpa_rd_skip(pdu, tpa_rd_remaining(pdu)); /* consumed, whatever follows */
    tpa_rd_t value;
    bool cut = false;
    if (tpa_per_open_type_upto(&p, &value, &cut)) {
        if (cut) note(m, ap->mal.truncated, true); /* decode what was kept */
        if (m->proc != ap->proc.private_message) read_value(ap, &value, m);
    }
    note_per(ap, m, &p, true);
    return true;
}

/* ---- per-association state ---- */

#define ID_CACHE 256 /* CN UE id -> RAN UE id pairs remembered per association */

typedef struct ap_flow {
    tpa_nas_assoc_t *nas;
    struct {
        uint64_t cn;
        uint32_t ran;
        bool used;
    } ids[ID_CACHE];
} ap_flow_t;

static unsigned id_slot(uint64_t cn)
{
    return (unsigned)((cn * 0x9e3779b97f4a7c15ULL) >> 56) % ID_CACHE;
}

/* Remembers cn -> ran (a newer pair for the same slot replaces an older one). */
static void ids_put(ap_flow_t *st, uint64_t cn, uint64_t ran)
{
    unsigned i = id_slot(cn);
    st->ids[i].cn = cn;
    st->ids[i].ran = (uint32_t)ran;
    st->ids[i].used = true;
}

static bool ids_get(const ap_flow_t *st, uint64_t cn, uint64_t *ran)
{
    unsigned i = id_slot(cn);
    if (!st->ids[i].used || st->ids[i].cn != cn) return false;
    *ran = st->ids[i].ran;
    return true;
}

void tpa_ap_state_free(void *state)
{
    ap_flow_t *st = state;
    if (!st) return;
    tpa_nas_assoc_destroy(&st->nas);
    free(st);
}

/* ---- reporting ---- */

/* "<proc>/<initiating|successful|unsuccessful>" of every procedureCode (0-255) and PDU
 * type, as literals: the signalling layer keeps a literal by its address (no copy, and
 * counted with one compare), where a text built per message would be compared and
 * copied. */
#define AP_STR_(x) #x
#define AP_STR(x) AP_STR_(x)
#define C3(n) {AP_STR(n) "/initiating", AP_STR(n) "/successful", AP_STR(n) "/unsuccessful"},
#define R10(p)                                                                                     \
    C3(p##0) C3(p##1) C3(p##2) C3(p##3) C3(p##4) C3(p##5) C3(p##6) C3(p##7) C3(p##8) C3(p##9)
static const char *const codes[256][3] = {
    R10() R10(1) R10(2) R10(3) R10(4) R10(5) R10(6) R10(7) R10(8) R10(9) R10(10) R10(11) R10(12)
        R10(13) R10(14) R10(15) R10(16) R10(17) R10(18) R10(19) R10(20) R10(21) R10(22) R10(23)
            R10(24) C3(250) C3(251) C3(252) C3(253) C3(254) C3(255)};
#undef R10
#undef C3

const char *tpa_ap_code(unsigned proc, int pdu_type)
{
    return proc < 256 && pdu_type >= 0 && pdu_type <= 2 ? codes[proc][pdu_type] : NULL;
}

/* "<name>=<id>", a pairing key. */
static void key_id(tpa_fmt_t *f, const char *name, uint64_t id)
{
    tpa_fmt_s(f, name);
    tpa_fmt_c(f, '=');
    tpa_fmt_u(f, id);
}

/* Reports m (ran/has_ran: the RAN UE id, from the message or the association). */
static void report(const tpa_ap_proto_t *ap, tpa_dissect_ctx_t *c, const tpa_ap_msg_t *m,
                   bool has_ran, uint64_t ran)
{
    char key[40], ran_s[24], cn_s[24], cause_name[96];
    char item_s[TPA_AP_MAX_ITEMS][4];
    tpa_fmt_t f;

    tpa_sig_t s;
    tpa_sig_init(&s);
    s.protocol = ap->name;
    s.code = codes[m->proc & 255][m->pdu_type]; /* proc 0-255, pdu_type 0-2 (decoded so) */
    s.name = tpa_ap_message_name(ap, m->proc, m->pdu_type);
    s.procedure = tpa_ap_procedure_name(ap, m->proc);
    if (m->pdu_type != TPA_AP_INITIATING)
        s.kind = TPA_SIG_RESPONSE;
    else
        s.kind = tpa_ap_class1(ap, m->proc) ? TPA_SIG_REQUEST : TPA_SIG_INDICATION;
    s.outcome = m->pdu_type == TPA_AP_UNSUCCESSFUL ? TPA_SIG_FAILURE : TPA_SIG_OK;
    /* Initial UE Message opens a UE-associated connection; UE Context Release
     * Complete ends it, freeing its UE ids for reuse (tpa_sig.h UE_NEW / UE_END) */
    if (m->proc == ap->proc.initial_ue) s.flags |= TPA_SIG_UE_NEW;
    if (m->proc == ap->proc.ue_context_release && m->pdu_type != TPA_AP_INITIATING)
        s.flags |= TPA_SIG_UE_END;
    if (m->proc == ap->proc.error_indication) s.outcome = TPA_SIG_FAILURE;

    tpa_fmt_init(&f, key, sizeof key);
    s.key = key;
    if (m->proc == ap->proc.ho_resource_allocation && m->has_cn_id)
        key_id(&f, ap->cn_key, m->cn_id);
    else if (has_ran)
        key_id(&f, ap->ran_key, ran);
    else if (m->has_cn_id)
        key_id(&f, ap->cn_key, m->cn_id);
    else
        s.key = "nonue"; /* borrowed for the call like the others: a constant will do */

    bool cause_wanted =
        m->pdu_type == TPA_AP_UNSUCCESSFUL || m->proc == ap->proc.error_indication ||
        m->proc == ap->proc.ue_context_release_request ||
        (m->proc == ap->proc.ue_context_release && m->pdu_type == TPA_AP_INITIATING);
    if (m->has_cause && cause_wanted && m->cause_group < TPA_AP_CAUSE_GROUPS) {
        const char *v = tpa_ap_cause_name(ap, m->cause_group, m->cause_value);
        char unknown[16];
        if (!v) {
            tpa_fmt_u_str(m->cause_value, unknown, sizeof unknown);
            v = unknown;
        }
        tpa_fmt_init(&f, cause_name, sizeof cause_name);
        tpa_fmt_s(&f, tpa_ap_cause_group_name(ap, m->cause_group));
        tpa_fmt_c(&f, '/');
        tpa_fmt_s(&f, v);
        s.has_cause = true;
        s.cause = (int64_t)m->cause_group * 1000 + m->cause_value;
        s.cause_name = cause_name;
        s.cause_family = ap->name;
    }

    if (has_ran) {
        tpa_fmt_u_str(ran, ran_s, sizeof ran_s);
        tpa_sig_add_id(&s, ap->ran_kind, ran_s);
    }
    if (m->has_cn_id) {
        tpa_fmt_u_str(m->cn_id, cn_s, sizeof cn_s);
        tpa_sig_add_id(&s, ap->cn_kind, cn_s);
    }
    for (unsigned i = 0; i < m->n_items; i++) {
        tpa_fmt_u_str(m->items[i], item_s[i], sizeof item_s[i]);
        tpa_sig_add_id(&s, TPA_ID_PDU_SESSION, item_s[i]);
    }
    tpa_sig_report(c, &s);
}

void tpa_ap_dissect(const tpa_ap_proto_t *ap, tpa_dissect_ctx_t *c, tpa_rd_t *payload)
{
    tpa_ap_msg_t m;
    bool counted = tpa_ap_decode(ap, payload, &m);
    if (m.malformed >= 0) {
        if (m.short_read)
            tpa_dissect_short(c, m.malformed);
        else
            tpa_dissect_malformed(c, m.malformed);
    }
    if (!counted) return;

    ap_flow_t *st = tpa_dissect_state(c, sizeof *st);
    uint64_t ran = m.ran_id;
    bool has_ran = m.has_ran_id;
    if (st && m.has_cn_id) {
        if (has_ran)
            ids_put(st, m.cn_id, ran);
        else
            has_ran = ids_get(st, m.cn_id, &ran);
    }
    report(ap, c, &m, has_ran, ran);

    for (unsigned i = 0; i < m.n_nas; i++) {
        tpa_nas_ue_t ue = {.has_ran_ue_id = has_ran,
                           .has_cn_ue_id = m.has_cn_id,
                           .ran_ue_id = ran,
                           .cn_ue_id = m.cn_id,
                           .assoc = st ? &st->nas : NULL};
        tpa_rd_t pdu = m.nas[i].pdu;
        ap->nas_dissect(c, &pdu, &ue);
    }
}
