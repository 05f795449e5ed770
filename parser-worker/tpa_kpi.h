/* tpa_kpi.h - per-procedure KPIs (kpis[] of the result document, docs/result.md).
 *
 * One entry per (protocol, procedure), fed with every finished transaction
 * (tpa_txn.h): attempts, successes, failures, unanswered, retransmissions, causes of
 * the failures, and the latency of the answered ones. Counts are exact whatever the
 * document keeps of transactions[].
 *
 * Latency percentiles are nearest-rank (the value at rank ceil(p/100 * n) of the n
 * answered transactions sorted by latency) and exact while a procedure has at most
 * TPA_KPI_EXACT_SAMPLES answered transactions (each latency kept as a 32-bit count of
 * microseconds, saturating at about 71 minutes). Past that the samples move into a
 * log-linear histogram (128 exact buckets below 128 us, then 64 sub-buckets per power
 * of two: a relative error below 1/128) and percentiles are that bucket's midpoint;
 * the entry then says latency_exact = false. max is always exact.
 *
 * Also kept here, for the findings (tpa_findings.h): small evidence lists (the first
 * frames, transaction ids and flows) per procedure for unanswered requests, failures
 * without a cause and orphan responses, per cause for failures with one, and a table
 * of failure indications (failures that answered no request: NAS rejects outside a
 * procedure, GTP-U Error Indication, NGAP Error Indication ...).
 *
 * Strings given to this module are borrowed and must outlive it (use the shared pool,
 * tpa_intern.h). Memory: O(procedures x causes) plus the latency samples (at most
 * 4 x TPA_KPI_EXACT_SAMPLES bytes, then 7 KB, per procedure).
 */
#ifndef TPA_KPI_H
#define TPA_KPI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define TPA_KPI_EXACT_SAMPLES 100000
#define TPA_KPI_MAX_ENTRIES 4096 /* (protocol, procedure) pairs; later ones not counted */
#define TPA_KPI_MAX_CAUSES 64    /* distinct causes per procedure; more: causes_other */
#define TPA_KPI_MAX_INDICATIONS 1024
#define TPA_KPI_EV_FRAMES 20
#define TPA_KPI_EV_TXNS 50
#define TPA_KPI_EV_FLOWS 20

/* The final state of a transaction. */
typedef enum {
    TPA_TXN_OPEN = 0,
    TPA_TXN_SUCCESS = 1,
    TPA_TXN_FAILURE = 2,
    TPA_TXN_UNANSWERED = 3
} tpa_txn_outcome_t;

/* "success", "failure", "unanswered" ("open" for TPA_TXN_OPEN). Static. */
const char *tpa_txn_outcome_name(tpa_txn_outcome_t o);

/* First frames / document transaction ids / distinct flows of a group. */
typedef struct tpa_kpi_evidence {
    uint64_t frames[TPA_KPI_EV_FRAMES];
    uint64_t txns[TPA_KPI_EV_TXNS]; /* transaction ids ("t<N>") kept in the document */
    uint32_t flows[TPA_KPI_EV_FLOWS];
    uint32_t nframes, ntxns, nflows;
} tpa_kpi_evidence_t;

/* Adds frame (0: none), txn id (0: none) and flow (0: none) to ev while there is room
 * (flows only when not already listed). */
void tpa_kpi_evidence_add(tpa_kpi_evidence_t *ev, uint64_t frame, uint64_t txn, uint32_t flow);

typedef struct tpa_kpi_cause {
    const char *family; /* "pfcp", "5gmm", ... */
    int64_t code;
    const char *name; /* NULL when the dissector gave none */
    uint64_t count;
    tpa_kpi_evidence_t ev;
} tpa_kpi_cause_t;

typedef struct tpa_kpi_entry {
    const char *protocol, *procedure;
    const char *request_code; /* of the first request seen */
    uint64_t attempts, successes, failures, unanswered, retransmissions;
    uint64_t orphans;       /* responses that answered no open request */
    uint64_t dup_responses; /* responses repeated after the transaction closed */
    uint64_t failures_nocause;
    uint64_t causes_other;   /* failures whose cause did not fit in causes[] */
    tpa_kpi_cause_t *causes; /* ncauses, in order of first appearance */
    uint32_t ncauses;
    tpa_kpi_evidence_t ev_unanswered, ev_nocause, ev_orphans;
    /* latency over answered transactions (successes and failures) */
    uint64_t nlat;
    int64_t lat_max_us;
    bool lat_exact;                 /* percentiles exact (no histogram) */
    int64_t p50_us, p95_us, p99_us; /* set by tpa_kpi_finish; -1 when nlat == 0 */
    /* internals */
    uint32_t *samples;
    size_t nsamples, samples_cap;
    uint32_t *hist;
} tpa_kpi_entry_t;

/* A failure indication group: (protocol, code, cause). */
typedef struct tpa_kpi_ind {
    const char *protocol, *code, *name; /* name may be NULL */
    bool has_cause;
    int64_t cause;
    const char *cause_name, *cause_family;
    uint64_t count;
    tpa_kpi_evidence_t ev;
} tpa_kpi_ind_t;

/* A finished transaction as the KPI table sees it (borrowed for the call). */
typedef struct tpa_kpi_txn {
    const char *protocol, *procedure, *request_code;
    tpa_txn_outcome_t outcome; /* SUCCESS, FAILURE or UNANSWERED */
    uint32_t retransmissions;
    int64_t latency_us; /* answered only */
    bool has_cause;
    int64_t cause;
    const char *cause_name, *cause_family;
    uint64_t doc_id; /* its id in transactions[], 0 when the document does not keep it */
    uint64_t request_frame, response_frame;
    uint32_t flow;
} tpa_kpi_txn_t;

typedef enum {
    TPA_KPI_NOTE_ORPHAN = 0,       /* a response nobody asked for */
    TPA_KPI_NOTE_DUP_RESPONSE = 1, /* a response to a closed transaction */
    TPA_KPI_NOTE_LATE_RETX = 2     /* a request repeated after its answer */
} tpa_kpi_note_t;

typedef struct tpa_kpi tpa_kpi_t;

/* A new empty table, or NULL. */
tpa_kpi_t *tpa_kpi_new(void);

/* Frees the table; nulls *k. */
void tpa_kpi_destroy(tpa_kpi_t **k);

/* Counts one finished transaction. 0, TPA_ERR_NOMEM or TPA_ERR_TOOBIG (entry limit).
 * O(1) expected (plus O(causes) for a failure). */
int tpa_kpi_add(tpa_kpi_t *k, const tpa_kpi_txn_t *t);

/* tpa_kpi_add in two steps, for a caller that counts many transactions of one
 * procedure: the entry of (protocol, procedure), made on first use (borrowed until
 * destroy; NULL as tpa_kpi_add fails, with its error in *err), then the transaction
 * counted into it (t's protocol and procedure are not read). */
tpa_kpi_entry_t *tpa_kpi_entry(tpa_kpi_t *k, const char *protocol, const char *procedure, int *err);
int tpa_kpi_add_to(tpa_kpi_t *k, tpa_kpi_entry_t *e, const tpa_kpi_txn_t *t);

/* Counts an orphan / duplicate response / late retransmission of procedure. */
int tpa_kpi_note(tpa_kpi_t *k, const char *protocol, const char *procedure, tpa_kpi_note_t what,
                 uint64_t frame, uint32_t flow);

/* Counts one failure indication (a failure that answered no request). */
int tpa_kpi_indication(tpa_kpi_t *k, const char *protocol, const char *code, const char *name,
                       bool has_cause, int64_t cause, const char *cause_name,
                       const char *cause_family, uint64_t frame, uint32_t flow);

/* Ends counting: orders the entries by (protocol, procedure) and computes the
 * percentiles. O(E log E + samples). Adding after this is an error. */
void tpa_kpi_finish(tpa_kpi_t *k);

/* Entries (ordered after tpa_kpi_finish), borrowed until destroy. */
size_t tpa_kpi_count(const tpa_kpi_t *k);
const tpa_kpi_entry_t *tpa_kpi_at(const tpa_kpi_t *k, size_t i);
const tpa_kpi_entry_t *tpa_kpi_find(const tpa_kpi_t *k, const char *protocol,
                                    const char *procedure);

/* Failure indication groups in order of first appearance, borrowed until destroy. */
size_t tpa_kpi_ind_count(const tpa_kpi_t *k);
const tpa_kpi_ind_t *tpa_kpi_ind_at(const tpa_kpi_t *k, size_t i);

/* Answered transactions of e with a latency above us (exact, or by histogram bucket
 * when the entry is not exact). */
uint64_t tpa_kpi_above(const tpa_kpi_entry_t *e, int64_t us);

/* The kpis[] array (docs/result.md), a new reference, or NULL when out of memory.
 * After tpa_kpi_finish. */
json_t *tpa_kpi_json(const tpa_kpi_t *k);

/* Milliseconds as a JSON real with microsecond precision. */
json_t *tpa_kpi_ms(int64_t us);

#endif
