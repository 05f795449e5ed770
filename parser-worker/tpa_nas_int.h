/* tpa_nas_int.h - what tpa_nas.c shares with tpa_nas5gs.c and tpa_naseps.c: the
 * per-association UE memory, the message being reported (ids and strings kept until
 * tpa_sig_report), the information element walker of TS 24.007 clause 11.2.4 and the
 * digit/PLMN/APN decoders. Not part of the engine's public contract.
 */
#ifndef TPA_NAS_INT_H
#define TPA_NAS_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tpa_dissect.h"
#include "tpa_nas.h"
#include "tpa_rd.h"
#include "tpa_sig.h"

#define TPA_NAS_MAX_DEPTH 4   /* NAS messages nested in containers, outermost = 0 */
#define TPA_NAS_MAX_NESTED 8  /* containers decoded per message */
#define TPA_NAS_ASSOC_MAX (1u << 20) /* UE records per association (then not kept) */

/* What a Security Mode Command told about a UE's ciphering. */
enum { TPA_NAS_SEC_UNKNOWN = 0, TPA_NAS_SEC_NULL = 1, TPA_NAS_SEC_CIPHERED = 2 };

/* UE-requested ESM procedures that a network command answers (TS 24.301 6.5, 6.6). */
enum {
    TPA_NAS_ESM_NONE = 0,
    TPA_NAS_ESM_PDN_DISCONNECT,
    TPA_NAS_ESM_BEARER_ALLOC,
    TPA_NAS_ESM_BEARER_MODIF
};

/* One UE's record in an association, keyed by its RAN / eNB UE id. */
typedef struct tpa_nas_uest {
    uint64_t ran, cn;
    bool used, has_cn;
    uint8_t sec;      /* TPA_NAS_SEC_* */
    uint8_t esm_proc; /* TPA_NAS_ESM_* pending */
    uint16_t esm_ebis; /* EPS bearers whose network command answered esm_proc */
} tpa_nas_uest_t;

/* The record of ue in its association: NULL when ue or its assoc slot is NULL, when
 * it has no RAN/eNB id, or (create false) when none exists. create: make the
 * association and the record as needed (NULL when out of memory or full). Valid until
 * the next call that creates. O(1) expected. */
tpa_nas_uest_t *tpa_nas_uest(const tpa_nas_ue_t *ue, bool create);

/* Called once per NAS-PDU handed in by a carrier: a message without a CN (AMF/MME) UE
 * id opens a new NAS signalling connection (NGAP Initial UE Message, S1AP Initial UE
 * Message), so what was known for its RAN id is forgotten; so it is when the CN id
 * differs from the record's (the RAN id was reused). */
void tpa_nas_uest_begin(const tpa_nas_ue_t *ue);

/* One walk through a NAS-PDU and the messages nested in it. */
typedef struct tpa_nas_walk {
    tpa_dissect_ctx_t *c;
    const tpa_nas_ue_t *ue; /* may be NULL */
    bool s1ap;              /* carrier ids are S1AP (eNB/MME) rather than NGAP ids */
    bool dry;               /* only check that a message decodes: no report, no marks */
    bool echo;              /* a copy of a message inside a NAS message container: counted
                               and its ids joined, but no procedure step (and no state) */
    int depth;
    /* from the 5GMM message carrying a 5GSM one (UL NAS transport) */
    const char *dnn, *snssai;
} tpa_nas_walk_t;

/* The message being reported; strings live in its arena until the report. */
#define TPA_NAS_ARENA 1536
typedef struct tpa_nas_msg {
    tpa_sig_t sig;
    char code[8];
    char arena[TPA_NAS_ARENA];
    size_t used;
} tpa_nas_msg_t;

/* Starts m: protocol, decimal code of type, name (static), kind indication, no key. */
void tpa_nas_msg_init(tpa_nas_msg_t *m, const char *protocol, unsigned type, const char *name);

/* A printf-formatted copy kept in m's arena, or NULL when it does not fit. */
const char *tpa_nas_keep(tpa_nas_msg_t *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Adds identity kind with a printf-formatted value (kept in the arena). */
void tpa_nas_id(tpa_nas_msg_t *m, tpa_id_kind_t kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets the pairing key "ue=<ran:|enb:><id>" (or amf:/mme: without a RAN id) followed
 * by the printf-formatted suffix (may be NULL); no key without UE ids. */
void tpa_nas_key(tpa_nas_msg_t *m, const tpa_nas_walk_t *w, const char *suffix_fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets kind, procedure and outcome. */
void tpa_nas_proc(tpa_nas_msg_t *m, tpa_sig_kind_t kind, const char *procedure,
                  tpa_sig_outcome_t outcome);

/* Sets the cause (outcome unchanged). */
void tpa_nas_cause(tpa_nas_msg_t *m, unsigned cause, const char *name, const char *family);

/* Adds the carrier's UE ids and reports m (unless w->dry). */
void tpa_nas_report(tpa_nas_walk_t *w, tpa_nas_msg_t *m);

/* Marks the frame malformed for reason (ran out of bytes: tpa_dissect_short), unless
 * w->dry. */
void tpa_nas_bad(tpa_nas_walk_t *w, int reason);

/* Test hook: when set, tpa_nas_report hands every message to fn (and counts it with
 * tpa_dissect_message) instead of tpa_sig_report. Process-wide; tests only. */
typedef void (*tpa_nas_observer_fn)(void *arg, const tpa_sig_t *m);
void tpa_nas_set_observer(tpa_nas_observer_fn fn, void *arg);

/* ---- information elements (TS 24.007 11.2.4, TS 24.301 / 24.501 clause 9) ---- */

/* A fixed-length type 3 (TV) IE with IEI < 0x80: iei and its total length. */
typedef struct tpa_nas_tv {
    uint8_t iei, len;
} tpa_nas_tv_t;

typedef struct tpa_nas_ie {
    uint8_t iei; /* for type 1 IEs (IEI >= 0x80) the upper half only */
    uint8_t half; /* type 1: the value half octet */
    tpa_rd_t val; /* type 3/4/6: the value (without IEI and length) */
} tpa_nas_ie_t;

/* Reads the next optional IE of r: 1 when one was read, 0 at the end, -1 when its
 * length runs past the end (r is then errored). An IEI >= 0x80 is a one-octet type 1
 * or 2 IE, one listed in tv (0-terminated; checked first) or tv2 (may be NULL) has
 * that fixed length, 0x7X is TLV-E, anything else TLV. */
int tpa_nas_next_ie(tpa_rd_t *r, const tpa_nas_tv_t *tv, const tpa_nas_tv_t *tv2,
                    tpa_nas_ie_t *ie);

/* IEIs already met in a message: TS 24.501 / 24.301 clause 7.6.3, only the first
 * occurrence of a repeated IE is handled. */
typedef struct tpa_nas_seen {
    uint32_t w[8];
} tpa_nas_seen_t;

/* True the first time iei is met (and records it). */
static inline bool tpa_nas_first(tpa_nas_seen_t *s, uint8_t iei)
{
    uint32_t bit = 1u << (iei & 31);
    if (s->w[iei >> 5] & bit) return false;
    s->w[iei >> 5] |= bit;
    return true;
}

/* An LV (lenbytes 1) or LV-E (lenbytes 2) value read from r; errored reader when it
 * does not fit (r errored too). */
tpa_rd_t tpa_nas_lv(tpa_rd_t *r, int lenbytes);

/* Writes BCD digits of r's bytes (low half first, stopping at an 0xF filler) to dst;
 * returns the count. first_high: the first byte holds a single digit in its high half
 * (24.008 mobile identity). */
size_t tpa_nas_bcd(tpa_rd_t r, bool first_high, char *dst, size_t dstlen);

/* Decodes a 3-octet PLMN identity (24.008 10.5.1.3) from r into "mcc"/"mnc" (3 and 2
 * or 3 digits). False when short. */
bool tpa_nas_plmn(tpa_rd_t *r, char mcc[4], char mnc[4]);

/* "fe80::" + the 8-byte interface identifier (the UE's link-local IPv6 address). */
void tpa_nas_ipv6_iid(const uint8_t iid[8], char *dst, size_t dstlen);

/* ---- cross calls ---- */

/* NAS-EPS PDU nested in a 5GS message (EPS NAS message container) and vice versa. */
void tpa_naseps_walk(tpa_nas_walk_t *w, tpa_rd_t r);
void tpa_nas5gs_walk(tpa_nas_walk_t *w, tpa_rd_t r);

#endif
