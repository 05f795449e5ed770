/* tpa_nas_int.h - what tpa_nas.c shares with tpa_nas5gs.c and tpa_naseps.c: the
 * per-association UE memory, the message being reported (ids and strings kept until
 * tpa_sig_report), the information element walker of TS 24.007 clause 11.2.4 and the
 * digit/PLMN/APN decoders. Not part of the engine's public contract.
 */
#ifndef TPA_NAS_INT_H
#define TPA_NAS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tpa_dissect.h"
#include "tpa_fmt.h"
#include "tpa_nas.h"
#include "tpa_rd.h"
#include "tpa_sig.h"

#define TPA_NAS_MAX_DEPTH 4          /* NAS messages nested in containers, outermost = 0 */
#define TPA_NAS_MAX_NESTED 8         /* containers decoded per message */
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
    uint8_t sec;       /* TPA_NAS_SEC_* */
    uint8_t esm_proc;  /* TPA_NAS_ESM_* pending */
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
    char arena[TPA_NAS_ARENA];
    size_t used;
} tpa_nas_msg_t;

/* Starts m: protocol, decimal code of type, name (static), kind indication, no key. */
void tpa_nas_msg_init(tpa_nas_msg_t *m, const char *protocol, unsigned type, const char *name);

/* Adds identity kind with a copy of s, or with the decimal text of v, kept in m's arena
 * (not added when it does not fit). */
void tpa_nas_id_s(tpa_nas_msg_t *m, tpa_id_kind_t kind, const char *s);
void tpa_nas_id_u(tpa_nas_msg_t *m, tpa_id_kind_t kind, uint64_t v);

/* Starts the text of a GUTI in f over buf[0..size): "<mcc><mnc>-<id>-" (id: the 5G AMF
 * region id, the EPS MME group id). */
void tpa_nas_guti_head(tpa_fmt_t *f, char *buf, size_t size, const char *mcc, const char *mnc,
                       unsigned id);

/* Sets the pairing key "ue=<ran:|enb:><id>" (or amf:/mme: without a RAN id) followed,
 * when suffix is not NULL, by suffix and v in decimal ("|psi=" 5 gives "|psi=5"); no
 * key without UE ids. */
void tpa_nas_key(tpa_nas_msg_t *m, const tpa_nas_walk_t *w, const char *suffix, unsigned v);

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
    uint8_t iei;  /* for type 1 IEs (IEI >= 0x80) the upper half only */
    uint8_t half; /* type 1: the value half octet */
    tpa_rd_t val; /* type 3/4/6: the value (without IEI and length) */
} tpa_nas_ie_t;

/* Reads the next optional IE of r: 1 when one was read, 0 at the end, -1 when its
 * length runs past the end (r is then errored). An IEI >= 0x80 is a one-octet type 1
 * or 2 IE, one listed in tv (0-terminated; checked first) or tv2 (may be NULL) has
 * that fixed length, 0x7X is TLV-E, anything else TLV. */
int tpa_nas_next_ie(tpa_rd_t *r, const tpa_nas_tv_t *tv, const tpa_nas_tv_t *tv2, tpa_nas_ie_t *ie);

/* The optional part of a message: its IEs (tpa_nas_next_ie with tv, tv2), each IEI
 * handed out once (TS 24.501 / 24.301 clause 7.6.3: only the first occurrence of a
 * repeated IE is handled). */
typedef struct tpa_nas_opts {
    tpa_rd_t *r;
    const tpa_nas_tv_t *tv, *tv2;
    uint32_t seen[8]; /* IEIs met */
    bool bad;         /* an IE's length ran past the end (r is errored) */
} tpa_nas_opts_t;

/* Starts the walk of the optional IEs at r (borrowed for the walk). */
void tpa_nas_opts_init(tpa_nas_opts_t *o, tpa_rd_t *r, const tpa_nas_tv_t *tv,
                       const tpa_nas_tv_t *tv2);

/* The next IE met for the first time: true with *ie set, false at the end (o->bad
 * says whether the end is a length running past the message). */
bool tpa_nas_opts_next(tpa_nas_opts_t *o, tpa_nas_ie_t *ie);

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

/* The UE addresses of a 5GS PDU address (TS 24.501 9.11.4.10) or an EPS PDN address
 * (TS 24.301 9.9.4.9), which share their layout: type in bits 3-1 of the first octet;
 * IPv4 (1): 4 octets; IPv6 (2): the 8-octet interface identifier (reported as
 * "fe80::<iid>"); IPv4v6 (3): identifier, then IPv4. Each is added to m as
 * TPA_ID_UE_IP; nothing when v is short. */
void tpa_nas_ue_address(tpa_nas_msg_t *m, tpa_rd_t v);

/* The causes 95-111 (protocol errors), the same in the 5GMM, 5GSM, EMM and ESM cause
 * tables (TS 24.501 tables 9.11.3.2.1 and 9.11.4.2.1, TS 24.301 9.9.3.9 and 9.9.4.4):
 * designated initializers for a name table indexed by cause. */
/* clang-format off */
#define TPA_NAS_PROTOCOL_ERROR_CAUSES                                                              \
    [95] = "Semantically incorrect message",                                                       \
    [96] = "Invalid mandatory information",                                                        \
    [97] = "Message type non-existent or not implemented",                                         \
    [98] = "Message type not compatible with the protocol state",                                  \
    [99] = "Information element non-existent or not implemented",                                  \
    [100] = "Conditional IE error",                                                                \
    [101] = "Message not compatible with the protocol state",                                      \
    [111] = "Protocol error, unspecified"
/* clang-format on */

/* ---- security protection (TS 24.501 4.4, TS 24.301 4.4) ---- */

/* Decodes the plain NAS message at r that followed a security header (any
 * discriminator of the dissector's protocol); ciphered: its octets may be ciphertext,
 * so what does not decode is not marked malformed. Returns whether it is a counted,
 * well-formed message. */
typedef bool (*tpa_nas_plain_fn)(tpa_nas_walk_t *w, tpa_rd_t r, bool ciphered);

/* The message r of a security protected NAS message of security header type sht
 * (1-4), r starting after the MAC and sequence number: types 1 and 3 (integrity
 * only) are decoded; types 2 and 4 (ciphered) as tpa_nas.h says: never after a
 * Security Mode Command of the UE selected a real cipher, always after one selected
 * the null cipher, and with none seen only when the octets decode as a well-formed
 * plain message (a dry walk). */
void tpa_nas_protected(tpa_nas_walk_t *w, tpa_rd_t r, unsigned sht, tpa_nas_plain_fn plain);

/* A Security Mode Command selected the null ciphering algorithm (5G-EA0 / EEA0) or
 * not: remembered for the UE of w (not in dry walks and copies). */
void tpa_nas_remember_sec(tpa_nas_walk_t *w, bool null_cipher);

/* ---- walks ---- */

/* The walk for the nn messages nested in the one w is at: false when there is none to
 * do (a dry walk, nn == 0, or nesting past TPA_NAS_MAX_DEPTH, which is marked with
 * too_deep), else *n is w one level deeper. */
bool tpa_nas_nested(tpa_nas_walk_t *w, int nn, int too_deep, tpa_nas_walk_t *n);

/* The entry point of a NAS dissector: walks the NAS-PDU pdu (consumed) with walk, the
 * carrier's ids being S1AP ones when s1ap, after tpa_nas_uest_begin(ue). */
void tpa_nas_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *pdu, const tpa_nas_ue_t *ue, bool s1ap,
                     void (*walk)(tpa_nas_walk_t *w, tpa_rd_t r));

/* ---- cross calls ---- */

/* NAS-EPS PDU nested in a 5GS message (EPS NAS message container) and vice versa. */
void tpa_naseps_walk(tpa_nas_walk_t *w, tpa_rd_t r);
void tpa_nas5gs_walk(tpa_nas_walk_t *w, tpa_rd_t r);

#endif
