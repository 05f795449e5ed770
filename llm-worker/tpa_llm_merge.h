/* tpa_llm_merge.h - merging the answers of a job's LLM tasks into its result document.
 *
 * Each task answer is {"insights":[...],"rca":{...} or null} (see tpa_analyst.h).
 * The merged document gets "insights" = every answer's insights concatenated in task
 * order (replacing what the document held, so merging twice gives the same result) and
 * "rca" = the first non-null rca in task order (null if none), and "llm" = the answers'
 * "llm" records combined (provider and model of the first; requests, tokens_in,
 * tokens_out, cache_hits, latency_ms summed; the first non-null fallback_reason).
 */
#ifndef TPA_LLM_MERGE_H
#define TPA_LLM_MERGE_H

#include <jansson.h>
#include <stddef.h>

/* Merges n answers (borrowed; NULL entries and non-objects are skipped) into doc (modified
 * in place). Returns 0, TPA_ERR_INVALID if doc is not an object, or TPA_ERR_NOMEM. */
int tpa_llm_merge(json_t *doc, json_t *const *answers, size_t n);

#endif
