/* tpa_txn.h - the transaction tracker: requests paired with their responses
 * (transactions[] of the result document, docs/result.md).
 *
 * A transaction is keyed by (protocol, procedure, key, scope) as tpa_sig.h defines
 * them; scope is a 64-bit value the caller derives from the flow's unordered endpoint
 * pair (0 for TPA_SIG_SCOPE_CAPTURE). Rules, for messages with a procedure and a key:
 *
 * - REQUEST, no transaction with the tuple: opens one (an attempt). Ids "t<N>" are
 *   given in order of opening.
 * - The same message again within dup_window_us (capture time) of the previous copy
 *   (a request of the tuple since its last transmission, a response since the close)
 *   is a capture duplicate (the packet seen on two interfaces or taps): counted, not a
 *   retransmission, not a ladder step; real retransmission timers are far longer.
 * - REQUEST while the tuple is open: a retransmission of the same attempt, when its
 *   previous transmission is at most retx_window_us (capture time) old; older, the
 *   open one ends unanswered and a new attempt opens (a reused sequence number).
 * - RESPONSE while open: closes it, outcome success or failure from the response,
 *   latency = response time - first transmission of the request (0 if negative).
 * - A closed transaction stays matchable for linger_us: a RESPONSE then is a
 *   duplicate response (counted, not an orphan); a REQUEST then is a late
 *   retransmission (its answer was lost) unless the key names a UE context
 *   (TPA_SIG_KEY_CONTEXT, or protocol ngap / s1ap / nas-5gs / nas-eps), when it is a
 *   new attempt (a second registration of the same UE).
 * - RESPONSE with nothing to match: an orphan (counted per procedure, no attempt).
 * - INDICATION matching an open transaction: a provisional message of it (SIP 1xx):
 *   attributed to it, closes nothing.
 * - Every message with outcome failure that closes nothing (indications, orphans,
 *   unpaired responses) is counted as a failure indication (tpa_kpi_indication).
 * - At tpa_txn_finish every open transaction ends unanswered. Nothing closes on a
 *   timer: the result depends only on the capture.
 *
 * Every finished transaction is counted in the KPI table (tpa_kpi_add). Memory: at
 * most max_open open transactions (past that the oldest open one ends unanswered,
 * counted as evicted) plus those lingering; the document keeps the first max_kept
 * transactions (ids 1..max_kept); the others shrink to their pairing slot (60 bytes
 * plus the key, and 11 to 22 bytes of table) when they finish and are freed
 * once they lingered (counted as not kept). Keys longer than TPA_TXN_MAX_KEY bytes are cut.
 * Costs: tpa_txn_feed O(1) expected plus the copy of the key for a new attempt (into
 * the tracker's own size-class pool, released at tpa_txn_finish).
 */
#ifndef TPA_TXN_H
#define TPA_TXN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "tpa_intern.h"
#include "tpa_jw.h"
#include "tpa_kpi.h"
#include "tpa_sig.h"

#define TPA_TXN_MAX_OPEN 1000000
/* transactions[] entries: one costs about 2.5 KB as a jansson object while the document
 * is built, so 20,000 stay near 50 MB (the KPIs count every transaction anyway) */
#define TPA_TXN_MAX_KEPT 20000
#define TPA_TXN_RETX_WINDOW_US (30LL * 1000000)
#define TPA_TXN_LINGER_US (30LL * 1000000)
#define TPA_TXN_DUP_WINDOW_US 10000
#define TPA_TXN_MAX_KEY 255

typedef struct tpa_txn_limits {
    size_t max_open, max_kept;
    int64_t retx_window_us, linger_us, dup_window_us;
} tpa_txn_limits_t;

/* The defaults above. */
tpa_txn_limits_t tpa_txn_default_limits(void);

typedef struct tpa_txn_rec tpa_txn_rec_t;

/* A transaction as the document shows it. The tracker holds one for every open
 * transaction and keeps it for the listed ones (kept); a finished transaction that is
 * not listed is counted in the KPIs and keeps only what pairing needs while it
 * lingers (its key, times and subscriber anchor: about 64 bytes plus the key). */
struct tpa_txn_rec {
    uint64_t id;                               /* 1, 2, ... in order of opening: "t<id>" */
    const char *protocol, *procedure;          /* pooled */
    const char *request_code, *request_name;   /* pooled */
    const char *response_code, *response_name; /* pooled; NULL until answered */
    /* request_name, response_code and response_name stay NULL when not kept */
    uint64_t request_frame, response_frame; /* response_frame 0 until answered */
    int64_t request_us, response_us;
    uint32_t flow;         /* flow of the request */
    const char *src, *dst; /* pooled node names: the request's sender and receiver */
    uint32_t retransmissions;
    tpa_txn_outcome_t outcome;
    bool has_cause;
    int64_t cause;
    const char *cause_name, *cause_family; /* pooled; family defaults to protocol */
    uint32_t ue_anchor;                    /* the caller's subscriber node (tpa_ue.h), 0 = none */
    uint32_t ue;                           /* the caller's subscriber number ("ue<N>"), 0 = none */
    bool kept;                             /* listed in the document (id <= max_kept) */
};

/* What a message did. */
typedef enum {
    TPA_TXN_EV_NONE = 0,     /* not paired (no procedure/key, or an indication) */
    TPA_TXN_EV_OPEN,         /* a request opened a transaction */
    TPA_TXN_EV_RETX,         /* a request retransmitted while open */
    TPA_TXN_EV_LATE_RETX,    /* a request repeated after its answer (linger window) */
    TPA_TXN_EV_CLOSE,        /* a response closed a transaction */
    TPA_TXN_EV_DUP_RESPONSE, /* a response repeated after the close (linger window) */
    TPA_TXN_EV_PROVISIONAL,  /* an indication attributed to an open transaction */
    TPA_TXN_EV_ORPHAN,       /* a response that matched nothing */
    TPA_TXN_EV_DUPLICATE     /* a copy of a request or response just seen (dup window) */
} tpa_txn_ev_t;

/* One message as the tracker sees it; borrowed for the call. */
typedef struct tpa_txn_msg {
    uint64_t frame;
    int64_t ts_us;
    uint32_t flow;
    uint64_t scope;        /* ignored (set to 0 by tpa_txn_prefetch) when sig->flags has
                              TPA_SIG_SCOPE_CAPTURE */
    const char *src, *dst; /* pooled node names of the sender and the receiver */
    const tpa_sig_t *sig;
    uint32_t key_size; /* strlen(sig->key) + 1 when the caller knows it, else 0 */
    /* set by tpa_txn_prefetch (zero-initialise): where the message pairs */
    bool prepared;
    uint32_t proc, hash;
    uint16_t keylen;
} tpa_txn_msg_t;

typedef struct tpa_txn_stats {
    uint64_t attempts; /* transactions opened */
    uint64_t not_kept; /* finished transactions the document does not list */
    uint64_t evicted;  /* ended unanswered early: open limit reached */
    uint64_t orphans, dup_responses, late_retx, provisional;
    uint64_t duplicates; /* capture duplicates (TPA_TXN_EV_DUPLICATE) */
    uint64_t unpaired;   /* requests and responses without a procedure or key */
    uint64_t open_peak;
} tpa_txn_stats_t;

typedef struct tpa_txn tpa_txn_t;

/* A new tracker interning into pool and counting finished transactions into kpi (both
 * borrowed, must outlive it; kpi may be NULL); lim NULL = defaults. NULL when out of
 * memory. */
tpa_txn_t *tpa_txn_new(tpa_intern_t *pool, tpa_kpi_t *kpi, const tpa_txn_limits_t *lim);

/* Frees the tracker and every record; nulls *t. */
void tpa_txn_destroy(tpa_txn_t **t);

/* Feeds one message. Returns the transaction it belongs to (opened, retransmitted,
 * closed, duplicated or provisional) or NULL; *ev (may be NULL) says which. The
 * record is borrowed: valid until the next feed or finish for records the document
 * does not keep, until destroy for kept ones. For a finished transaction that is not
 * kept it is a copy made for the call: of its fields only ue_anchor may be changed
 * (the tracker takes the change back at the next feed or finish); others are as the
 * transaction ended (id and retransmissions may be stale). */
tpa_txn_rec_t *tpa_txn_feed(tpa_txn_t *t, const tpa_txn_msg_t *m, tpa_txn_ev_t *ev);

/* Optional, before tpa_txn_feed(t, m): works out where m pairs (its procedure and key
 * hash, kept in m) and starts fetching that part of the table, so that the cache miss
 * overlaps the caller's work until the feed (the table is far larger than the caches
 * in a big capture). Neither m nor what it points to may change until the feed. */
void tpa_txn_prefetch(tpa_txn_t *t, tpa_txn_msg_t *m);

/* Ends the capture: every open transaction ends unanswered (in order of opening). */
void tpa_txn_finish(tpa_txn_t *t);

/* Kept transactions in id order: index i holds id i + 1. Borrowed until destroy. */
size_t tpa_txn_kept_count(const tpa_txn_t *t);
tpa_txn_rec_t *tpa_txn_kept_at(const tpa_txn_t *t, size_t i);

const tpa_txn_stats_t *tpa_txn_stats(const tpa_txn_t *t);

/* The transactions[] array (docs/result.md) of the kept records, a new reference, or
 * NULL when out of memory. After tpa_txn_finish. */
json_t *tpa_txn_json(const tpa_txn_t *t);

/* Writes element i (< tpa_txn_kept_count) of that array as one value on w (the same
 * code makes the array above on a tree writer): what a writer that generates the
 * array one element at a time needs. Returns the writer's error, TPA_ERR_INVALID for
 * i out of range. */
int tpa_txn_item_write(const tpa_txn_t *t, size_t i, tpa_jw_t *w);

/* "t<id>" into buf (at least 24 bytes); returns buf. */
const char *tpa_txn_id_str(uint64_t id, char *buf, size_t len);

#endif
