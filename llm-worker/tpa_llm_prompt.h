/* tpa_llm_prompt.h - the chat messages sent to an OpenAI-compatible model for a task.
 *
 * The user message is the task's digest (already pseudonymised by the caller) as compact
 * JSON, cut to fit a budget in characters (about 4 per token): long lists are shortened
 * (messages, then flows, transactions, UEs and their ladders, then finding frame lists)
 * until it fits; if it still does not, findings beyond the most severe are dropped.
 * The capture's file name is left out (it names the job, and would defeat the cache).
 * Never payload bytes: the digest holds only counts, names, addresses and ids.
 */
#ifndef TPA_LLM_PROMPT_H
#define TPA_LLM_PROMPT_H

#include <jansson.h>
#include <stddef.h>

/* The system message for a task mode (TPA_ANALYST_RCA or _FLOWS). Static storage. */
const char *tpa_llm_prompt_system(int mode);

/* A copy of digest (borrowed) cut to at most budget_chars of compact JSON where possible.
 * Returns a new object (caller json_decref's) or NULL when out of memory. */
json_t *tpa_llm_prompt_fit(const json_t *digest, size_t budget_chars);

/* The user message for the fitted digest: a short preamble and the digest JSON.
 * Returns a malloc'd string (caller frees) or NULL when out of memory. */
char *tpa_llm_prompt_user(const json_t *fitted, int mode);

/* The follow-up message asking to repair an invalid answer. malloc'd (caller frees). */
char *tpa_llm_prompt_repair(const char *error);

#endif
