/* tpa_analysis.h - the analysis engine's entry point (libtpa_analysis).
 *
 * Reads one capture file (pcap, pcapng, optionally gzip-compressed) with libpcap,
 * decodes every packet and builds the result document described in
 * ../shared/docs/DESIGN.md ("Result document") and docs/result.md.
 * Used by `tpa analyze` (offline) and by the tpa-parser daemon.
 */
#ifndef TPA_ANALYSIS_H
#define TPA_ANALYSIS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tpa_json_out.h"

/* Called now and then (about every 1% of the file and at least every 250 ms) with the
 * bytes of the file consumed so far and the file size (0 if unknown). Returning false
 * cancels the analysis (tpa_analyze_file then returns TPA_ERR_CANCELLED). */
typedef bool (*tpa_progress_fn)(void *ud, uint64_t done, uint64_t total);

/* Takes the finished document for writing: its longest arrays (flows[],
 * transactions[], ues[]) are empty in doc and generated one element at a time by
 * tpa_json_out_callback_lazy(doc, indent, lazy, nlazy, ...) during this call (lazy
 * and doc are valid only until it returns). Returns 0 or a negative TPA_ERR_*. */
typedef int (*tpa_emit_fn)(void *ud, const json_t *doc, const tpa_json_out_lazy_t *lazy,
                           size_t nlazy);

typedef struct tpa_analysis_opts {
    tpa_progress_fn progress; /* may be NULL */
    void *ud;                 /* for progress and emit */
    const char *display_name; /* file name to report in capture.file; NULL = basename(path) */
    /* NULL: tpa_analyze_file returns the document in *doc. Set: the document is
     * handed to emit and never whole in memory (tpa_result_build_lazy; `tpa analyze`),
     * *doc is NULL, and emit's error is tpa_analyze_file's. */
    tpa_emit_fn emit;
} tpa_analysis_opts_t;

/* Analyses the capture at path. On success returns 0 and *doc is a new JSON object
 * (caller json_decref's), or NULL after opts->emit wrote it. On failure returns a
 * negative TPA_ERR_* and writes one line a user can act on into err (e.g. "not a pcap
 * or pcapng file"). A capture cut short is not a failure: the document says
 * capture.truncated = true. */
int tpa_analyze_file(const char *path, const tpa_analysis_opts_t *opts, json_t **doc, char *err,
                     size_t errlen);

/* Builds the compact digest sent to LLM workers from a result document
 * (capture summary, findings, failing KPIs, top flows), within about budget_bytes of
 * JSON. Never includes payload bytes. Returns a new object (caller decrefs). */
json_t *tpa_digest_build(const json_t *doc, size_t budget_bytes);

/* Flow batches for `flow_batch` LLM tasks: the flows ranked by bytes after the first
 * `skip` (those the digest's top_flows already carries), per_batch to a batch, at most
 * max_batches. Each batch is a digest {"capture","flows_total","top_flows":[...]}.
 * Returns a new array (caller decrefs), empty when there are no more flows. */
json_t *tpa_digest_flow_batches(const json_t *doc, size_t skip, size_t per_batch,
                                size_t max_batches);

#endif
