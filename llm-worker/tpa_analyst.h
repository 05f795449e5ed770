/* tpa_analyst.h - the built-in analyst: a deterministic rule engine over a digest.
 *
 * Input is the digest a parser sends with a task (see tpa_digest_build in
 * parser-worker/tpa_analysis.h):
 *   {"capture":{file,packets,bytes,duration_s,truncated,malformed},
 *    "flows_total":N, "apps":{"<app>":flows},
 *    "top_flows":[{id,proto,src,sport,dst,dport,packets,bytes,app}],
 *    "findings":[{id,severity,title,detail,evidence{frames,flows,transactions}}],
 *    "kpis":[...failing kpis...], "messages":[...]}
 *
 * Output is the task answer stored at tpa:job:<id>:task:<n>:
 *   {"insights":[{"target","text","source":"builtin"}],
 *    "rca":{"summary","root_causes":[{"title","confidence","explanation",
 *           "evidence":[ids],"recommendation"}],"next_steps":[],"source":"builtin"}}
 *
 * Evidence ids only ever name things present in the digest: a finding's id
 * (as a string) or "flow:<id>" for a flow listed in top_flows. Insight targets
 * are "finding:<id>" or "flow:<id>" under the same rule.
 *
 * The same digest always gives the same answer (no clock, no randomness).
 * Missing or mistyped keys are treated as absent: odd input never fails.
 */
#ifndef TPA_ANALYST_H
#define TPA_ANALYST_H

#include <jansson.h>

enum {
    TPA_ANALYST_RCA = 0,  /* an `rca` task: insights and the root-cause analysis */
    TPA_ANALYST_FLOWS = 1 /* a `flow_batch` task: insights for the flows only, rca null */
};

/* Analyses digest (borrowed). Returns a new object (caller json_decref's), NULL only
 * when out of memory. O(F*K + N) for F findings, K rules and N flows. */
json_t *tpa_analyst_run(const json_t *digest, int mode);

#endif
