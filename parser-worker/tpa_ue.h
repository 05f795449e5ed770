/* tpa_ue.h - the subscriber joiner: identities seen together in one message belong to
 * one subscriber (ues[] of the result document, docs/result.md).
 *
 * Each distinct identity value is a node of a union-find forest; the identities of a
 * message are joined into one subscriber, and so are the request and the response of
 * one transaction (tpa_ue_link). Join keys: IMSI, SUPI, SUCI, GUTI, TMSI, IMEI,
 * MSISDN, RAN/AMF UE NGAP ids and eNB/MME UE S1AP ids (scoped by the flow, i.e. the
 * association, they were seen on), SEID, TEID, UE IP, SIP URI, Call-ID. DNN, S-NSSAI
 * and PDU session ids are attributes of the subscriber, never join keys.
 *
 * Normalisation: an IMSI "<digits>" and a SUPI "imsi-<digits>" are one node (listed
 * under both names as seen); a SUCI with the null protection scheme
 * ("suci-0-<mcc>-<mnc>-<routing>-0-<key id>-<msin>") also names the IMSI
 * <mcc><mnc><msin>; MSISDN loses "tel:" and "+"; SIP URIs lose <>, parameters and
 * case. SEID / TEID values are "<value>@<node address>" (tpa_3gpp_add_id_at); a SEID
 * without "@" is scoped by the flow it was seen on.
 *
 * Over-joining guards (a wrong join mixes two subscribers' stories):
 * - ignored values: empty, all-zero numbers ("0", "0x00000000", TEID/SEID "0x0@..."),
 *   the unspecified addresses 0.0.0.0 and ::;
 * - conflict: two subscribers that each hold a different IMSI/SUPI never merge
 *   (counted as conflicts);
 * - hubs: an identity other than IMSI/SUPI that, in more than hub_merges messages,
 *   joined two subscribers that each already had messages of their own stops joining
 *   from then on (counted; the joins made before stay); identities seen for the first
 *   time join freely (a new Call-ID for a known SIP URI). A subscriber never grows past
 *   max_component identities;
 * - reuse of RAN-side ids: TPA_SIG_UE_NEW (Initial UE Message) starts a new binding for
 *   its RAN UE NGAP / eNB UE S1AP id if an earlier frame used it, TPA_SIG_UE_END (UE
 *   Context Release Complete) frees the NGAP/S1AP ids it carries for later frames, and
 *   a RAN id seen with another CN id than the one it was bound to (or the reverse)
 *   starts a new binding too.
 *
 * Each message attributed to a subscriber adds a ladder step (time, frame, source and
 * destination node, protocol, name, kind, outcome, transaction), at most
 * ladder_per_ue per subscriber and ladder_total overall (the first ones; the rest are
 * counted). Subscribers are numbered "ue<N>" in order of their first message; the
 * document lists the first max_doc.
 *
 * Strings given (pooled names) are borrowed and must outlive the joiner; identity
 * values are copied. Costs: tpa_ue_join O(ids) expected (near-constant union-find).
 * Memory grows with distinct identities (at most max_nodes, 52 bytes each, 11 to 21
 * bytes of table, plus the text), subscribers with messages (40 bytes each) and the
 * capped ladder. tpa_ue_finish frees the forest and keeps only what the document
 * needs: a subscriber number per node (4 bytes), the listed subscribers' aggregates
 * and identities, the ladder.
 */
#ifndef TPA_UE_H
#define TPA_UE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "tpa_intern.h"
#include "tpa_jw.h"
#include "tpa_sig.h"

#define TPA_UE_MAX_NODES 1000000
#define TPA_UE_MAX_COMPONENT 1024
#define TPA_UE_HUB_MERGES 16
#define TPA_UE_LADDER_PER_UE 2000
#define TPA_UE_LADDER_TOTAL 20000
#define TPA_UE_MAX_ATTRS 200000
#define TPA_UE_MAX_DOC 5000  /* ues[] entries (document memory, as for transactions[]) */
#define TPA_UE_MAX_VALUE 127 /* longer identity values are cut */

typedef struct tpa_ue_limits {
    size_t max_nodes, max_component, hub_merges, ladder_per_ue, ladder_total, max_attrs, max_doc;
} tpa_ue_limits_t;

/* The defaults above. */
tpa_ue_limits_t tpa_ue_default_limits(void);

/* One ladder step (borrowed for the call): src and dst pooled; protocol and name
 * interned by the joiner when the step is kept (most are dropped in a big capture,
 * past the ladder caps, and need no copy). */
typedef struct tpa_ue_step {
    int64_t ts_us;
    uint64_t frame;
    const char *src, *dst, *protocol, *name;
    tpa_sig_kind_t kind;
    tpa_sig_outcome_t outcome;
    uint64_t txn; /* transaction id kept in the document, 0 = none */
} tpa_ue_step_t;

typedef struct tpa_ue_stats {
    uint64_t nodes;     /* distinct identities (with new bindings of reused ids) */
    uint64_t ignored;   /* identity values ignored (zero, unspecified, too many nodes) */
    uint64_t conflicts; /* merges refused: two different IMSI/SUPI */
    uint64_t too_big;   /* merges refused: subscriber too large */
    uint64_t hubs;      /* identities that stopped joining */
    uint64_t rebinds;   /* new bindings of reused RAN/CN UE ids */
    uint64_t ladder_dropped;
    uint64_t ues; /* subscribers (after tpa_ue_finish) */
} tpa_ue_stats_t;

typedef struct tpa_ue tpa_ue_t;

/* A new joiner (pool borrowed; lim NULL = defaults), or NULL. */
tpa_ue_t *tpa_ue_new(tpa_intern_t *pool, const tpa_ue_limits_t *lim);

/* Frees the joiner; nulls *u. */
void tpa_ue_destroy(tpa_ue_t **u);

/* Joins the identities of m, seen in frame on flow, and records its attributes.
 * Messages of one frame (an NGAP message and the NAS inside it) never start new
 * bindings for each other. Returns the message's anchor node (pass it to tpa_ue_step,
 * tpa_ue_link, tpa_ue_number), or 0 when the message names no usable identity. */
uint32_t tpa_ue_join(tpa_ue_t *u, const tpa_sig_t *m, uint64_t frame, uint32_t flow);

/* The normalised join keys of one message's identities (tpa_ue_prepare); the caller
 * keeps it on its stack, its fields are the joiner's. */
typedef struct tpa_ue_key {
    char v[TPA_UE_MAX_VALUE + 1];
    uint32_t h, scope;
    uint8_t cls, len; /* len: of v */
    enum { TPA_UE_KEY_SKIP, TPA_UE_KEY_IGNORED, TPA_UE_KEY_OK } state;
} tpa_ue_key_t;

typedef struct tpa_ue_keys {
    const tpa_sig_t *m;
    unsigned n;
    bool attrs; /* m has attributes (identities tpa_ue_reads_later says yes to) */
    tpa_ue_key_t key[TPA_SIG_MAX_IDS];
} tpa_ue_keys_t;

/* tpa_ue_join in two steps, so that the caller's work in between hides the first
 * cache miss: tpa_ue_prepare normalises and hashes m's identities into keys and starts
 * fetching their place in the table; tpa_ue_join_prepared joins them as tpa_ue_join
 * does (same result). m (borrowed) must not change between the two, except for the
 * values of identities tpa_ue_reads_later says no to. Other calls on u may come
 * between them (then the fetching may have been for nothing). */
void tpa_ue_prepare(tpa_ue_t *u, const tpa_sig_t *m, uint32_t flow, tpa_ue_keys_t *keys);
/* Whether tpa_ue_join_prepared reads the value of an identity of this kind from m
 * (attributes: DNN, S-NSSAI, PDU session); the values of the other kinds are copied
 * into keys by tpa_ue_prepare, and m's may be gone by the join. */
static inline bool tpa_ue_reads_later(tpa_id_kind_t kind)
{
    return kind == TPA_ID_PDU_SESSION || kind == TPA_ID_DNN || kind == TPA_ID_SNSSAI;
}
uint32_t tpa_ue_join_prepared(tpa_ue_t *u, tpa_ue_keys_t *keys, uint64_t frame);

/* Joins the subscribers of anchors a and b (a request and its response), with the
 * conflict and size guards. Either may be 0. */
void tpa_ue_link(tpa_ue_t *u, uint32_t a, uint32_t b);

/* Attributes a message to anchor's subscriber (anchor 0: nothing). */
void tpa_ue_step(tpa_ue_t *u, uint32_t anchor, const tpa_ue_step_t *step);

/* Ends joining and numbers the subscribers. */
void tpa_ue_finish(tpa_ue_t *u);

/* Subscriber number of anchor ("ue<N>"), 0 when none or not in the document. After
 * tpa_ue_finish. */
uint32_t tpa_ue_number(const tpa_ue_t *u, uint32_t anchor);

/* Lists transaction id (request time ts_us) under subscriber number ue. After finish. */
int tpa_ue_add_txn(tpa_ue_t *u, uint32_t ue, uint64_t txn, int64_t ts_us);

/* Outcome name of a kept transaction ("success", ...), or NULL. */
typedef const char *(*tpa_ue_txn_outcome_fn)(void *ud, uint64_t txn);

/* The ues[] array (docs/result.md); outcome (may be NULL) names the outcome of a
 * request's transaction in the ladder. A new reference, or NULL when out of memory.
 * After finish. */
json_t *tpa_ue_json(const tpa_ue_t *u, tpa_ue_txn_outcome_fn outcome, void *ud);

/* Elements of that array (the subscribers listed), 0 before finish. */
size_t tpa_ue_listed(const tpa_ue_t *u);

/* Writes element k (< tpa_ue_listed) of that array as one value on w (tpa_ue_json is
 * this on a tree writer): for a writer that generates ues[] one element at a time. The
 * first call groups identities, attributes, transactions and steps by subscriber
 * (O(total), kept until destroy); then O(the element). Returns the writer's error,
 * TPA_ERR_NOMEM, or TPA_ERR_INVALID for k out of range. */
int tpa_ue_item_write(const tpa_ue_t *u, size_t k, tpa_ue_txn_outcome_fn outcome, void *ud,
                      tpa_jw_t *w);

const tpa_ue_stats_t *tpa_ue_stats(const tpa_ue_t *u);

/* The key ues[].identities uses for kind ("imsi", "ran_ue_ngap_id", ...). Static. */
const char *tpa_ue_kind_name(tpa_id_kind_t kind);

#endif
