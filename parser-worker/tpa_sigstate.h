/* tpa_sigstate.h - the signalling layer of one analysis: what tpa_sig_report() feeds.
 *
 * Owns the string pool (tpa_intern.h), the transaction tracker (tpa_txn.h), the KPI
 * table (tpa_kpi.h) and the subscriber joiner (tpa_ue.h), and turns them into the
 * document's transactions[], kpis[], ues[] and "signalling" (counters) at the end.
 * Independent of the decoder: the engine (tpa_sig.c) derives the message's place
 * (frame, time, flow, endpoint-pair scope, node names) from the dissector context;
 * tests feed hand-written sequences directly.
 *
 * Per message: join its identities (tpa_ue_join), pair it (tpa_txn_feed), link the
 * request's and the response's subscribers, add a ladder step for the subscriber.
 */
#ifndef TPA_SIGSTATE_H
#define TPA_SIGSTATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "tpa_kpi.h"
#include "tpa_sig.h"
#include "tpa_txn.h"
#include "tpa_ue.h"

typedef struct tpa_sigstate_limits {
    tpa_txn_limits_t txn;
    tpa_ue_limits_t ue;
} tpa_sigstate_limits_t;

/* Where a message was seen. Strings are borrowed for the call (copied into the pool). */
typedef struct tpa_sig_where {
    uint64_t frame;
    int64_t ts_us;
    uint32_t flow;         /* flow id as flows[] shows it */
    uint64_t scope;        /* the flow's unordered endpoint pair, any stable nonzero value */
    const char *src, *dst; /* node names of the sender and the receiver ("ip" or "ip:port") */
    bool pooled;           /* src and dst come from this state (tpa_sigstate_flow_memo) */
} tpa_sig_where_t;

typedef struct tpa_sigstate tpa_sigstate_t;

/* A new state (lim NULL = the modules' defaults), or NULL. */
tpa_sigstate_t *tpa_sigstate_new(const tpa_sigstate_limits_t *lim);

/* Frees everything; nulls *s. */
void tpa_sigstate_destroy(tpa_sigstate_t **s);

/* Feeds one message (m borrowed for the call: what is kept of it past the call is
 * copied). Ignored after finish or without a protocol and code. O(1) expected plus
 * the joiner's copies of new identities. Messages are applied in order, each one
 * when the next is fed (or at finish, or when a part below is asked for). */
void tpa_sigstate_feed(tpa_sigstate_t *s, const tpa_sig_where_t *w, const tpa_sig_t *m);

/* Ends the capture: open transactions end unanswered, KPIs and subscribers are
 * computed, transactions get their subscriber. Idempotent. */
void tpa_sigstate_finish(tpa_sigstate_t *s);

/* Sets doc's "transactions", "kpis", "ues" and "signalling" (after finish; finishes
 * first if needed). s may be NULL: empty arrays and zero counters. 0 or TPA_ERR_NOMEM. */
int tpa_sigstate_json(tpa_sigstate_t *s, json_t *doc);

/* From now on tpa_sigstate_json leaves "transactions" and "ues" empty arrays, for a
 * writer that generates their elements (tpa_sigstate_txn_write, tpa_sigstate_ue_write:
 * tpa_result_build_lazy). */
void tpa_sigstate_defer_arrays(tpa_sigstate_t *s);

/* Element i of transactions[] (< tpa_txn_kept_count) or of ues[] (< tpa_ue_listed)
 * written on w, s being the tpa_sigstate_t (a tpa_json_out_write_fn). After
 * tpa_sigstate_json. Returns the writer's error, TPA_ERR_NOMEM or TPA_ERR_INVALID. */
int tpa_sigstate_txn_write(void *s, size_t i, tpa_jw_t *w);
int tpa_sigstate_ue_write(void *s, size_t i, tpa_jw_t *w);

/* The parts, borrowed (NULL when s is NULL), with every message fed so far applied
 * (the last one may still be held back until these calls or the next feed). */
const tpa_kpi_t *tpa_sigstate_kpi(tpa_sigstate_t *s);
const tpa_txn_t *tpa_sigstate_txn(tpa_sigstate_t *s);
const tpa_ue_t *tpa_sigstate_ue(tpa_sigstate_t *s);

/* ---- for the engine (tpa_sig.c, which also implements tpa_sig_report) ---- */

/* What the engine derives from a flow for every message on it, remembered by flow id
 * so that a message on a flow seen before costs no address formatting or hashing. */
typedef struct tpa_sig_flow_memo {
    uint32_t flow;
    const void *key;     /* the flow's key (address), checked with the id; NULL = empty */
    uint64_t scope;      /* the flow's endpoint-pair scope (not 0) */
    const char *node[2]; /* pooled node names of the flow key's side 0 and side 1 */
} tpa_sig_flow_memo_t;

/* The memo slot of flow id flow (borrowed until destroy), or NULL when out of memory.
 * The slot may hold another flow (or nothing: key NULL): the caller checks
 * memo->flow == flow and memo->key, else fills it (names with tpa_sigstate_intern),
 * setting key only once every field is filled.
 * Memory: a fixed table of TPA_SIG_FLOW_MEMO slots. */
#define TPA_SIG_FLOW_MEMO 4096
tpa_sig_flow_memo_t *tpa_sigstate_flow_memo(tpa_sigstate_t *s, uint32_t flow);

/* The pooled text of address a (16 bytes; family 4: the first 4) as node names show
 * it ("10.0.0.1", "2001:db8::1"), or NULL when out of memory. Memoised by address
 * (TPA_SIG_ADDR_MEMO slots): flows come and go, their endpoints repeat. */
#define TPA_SIG_ADDR_MEMO 1024
const char *tpa_sigstate_addr_name(tpa_sigstate_t *s, int family, const uint8_t *a);

/* The state's pooled copy of str (tpa_intern.h), or NULL. */
const char *tpa_sigstate_intern(tpa_sigstate_t *s, const char *str);

struct tpa_decoder;
struct tpa_flow;

/* Ends the decoder's signalling state once the flows finished (tpa_sigstate_finish):
 * the tracking tables are freed before the document is built. Idempotent. */
void tpa_sig_finish(struct tpa_decoder *d);

/* Has tpa_sig_result leave doc's transactions[] and ues[] empty and returns the state
 * whose elements a writer then generates (tpa_sigstate_txn_write,
 * tpa_sigstate_ue_write), or NULL when the capture had no signalling (the arrays stay
 * empty). Borrowed while d lives. */
tpa_sigstate_t *tpa_sig_defer_arrays(struct tpa_decoder *d);

/* At the end of tpa_result_build, after the flows finished (their last stream bytes
 * reported): finishes the decoder's signalling state, sets doc's transactions, kpis,
 * ues and signalling, appends the rule findings (tpa_findings.h, using the flows'
 * TCP and SCTP counters) to findings and numbers them all. 0 or TPA_ERR_NOMEM. */
int tpa_sig_result(struct tpa_decoder *d, json_t *doc, struct tpa_flow *const *flows, size_t nflows,
                   json_t *findings);

#endif
