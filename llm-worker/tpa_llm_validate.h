/* tpa_llm_validate.h - checking an LLM's answer against the schema and the digest.
 *
 * Expected answer (JSON object; unknown keys ignored):
 *   {"insights":[{"target":"<id>","text":"..."}],
 *    "rca":{"summary":"...","root_causes":[{"title","confidence","explanation",
 *           "evidence":["<id>",...],"recommendation"}],"next_steps":["..."]}}
 * "rca" is required for an rca task (TPA_ANALYST_RCA) and ignored for a flow batch.
 * confidence is a number in [0,1] or one of "high"/"medium"/"low" (kept as given).
 *
 * Known ids are those of the digest: finding ids ("F1"), "finding:<id>", flow ids as
 * "flow:<id>" (or the bare number) for top_flows, transaction ids ("t3"), UE ids
 * ("ue1"), and KPI names "kpi:<protocol>/<procedure>". Evidence ids or insight targets
 * that are not known are dropped and listed in "dropped_evidence" (in the rca, and at
 * the top of the result for insights); they never make the answer invalid.
 */
#ifndef TPA_LLM_VALIDATE_H
#define TPA_LLM_VALIDATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Parses and checks content (the message text; may be wrapped in ``` fences) against
 * digest (borrowed). On success returns a new answer (caller json_decref's):
 *   {"insights":[{"target","text","source":"llm"}],
 *    "rca":{summary,root_causes,next_steps,"source":"llm"[,"dropped_evidence":[...]]} or null
 *    [,"dropped_evidence":[...] for insights]}
 * and *dropped (may be NULL) receives the number of ids dropped. On failure returns NULL
 * and writes what is wrong into err, in words fit to send back to the model. */
json_t *tpa_llm_validate(const char *content, const json_t *digest, int mode, size_t *dropped,
                         char *err, size_t errlen);

/* True if id names something in digest (see above). */
bool tpa_llm_validate_known_id(const json_t *digest, const char *id);

#endif
