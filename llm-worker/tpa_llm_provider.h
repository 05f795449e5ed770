/* tpa_llm_provider.h - where the answer to an LLM task comes from.
 *
 * A provider turns one task (its type and digest) into the task answer
 *   {"insights":[{"target","text","source"}], "rca":{...} or null}
 * as described in tpa_analyst.h. Today the only provider is the built-in analyst
 * (tpa_analyst.h); an OpenAI-compatible chat-completions client is meant to plug in
 * here, chosen by TPA_LLM_BASE_URL / TPA_LLM_MODEL / TPA_LLM_API_KEY, without the
 * worker loop changing. The API key is never logged nor returned by _describe.
 */
#ifndef TPA_LLM_PROVIDER_H
#define TPA_LLM_PROVIDER_H

#include <jansson.h>
#include <stddef.h>

#include "tpa_config.h"
#include "tpa_wire.h"

typedef struct tpa_llm_provider tpa_llm_provider_t;

/* Chooses a provider from cfg (borrowed; what is needed is copied).
 * Returns a new provider (destroy with tpa_llm_provider_destroy) or NULL when out of memory. */
tpa_llm_provider_t *tpa_llm_provider_new(const tpa_config_t *cfg);

/* Frees *p and sets *p to NULL; does nothing for NULL. */
void tpa_llm_provider_destroy(tpa_llm_provider_t **p);

/* Text for the log, e.g. "provider=builtin" or "provider=api.example.com model=m".
 * Borrowed from p, valid until it is destroyed. Never contains a secret. */
const char *tpa_llm_provider_describe(const tpa_llm_provider_t *p);

/* Answers one task (borrowed). On success returns 0 and *answer is a new object
 * (caller json_decref's). On failure returns a negative TPA_ERR_* and writes one line
 * into err; the caller may then fall back to the built-in analyst. */
int tpa_llm_provider_answer(tpa_llm_provider_t *p, const tpa_wire_task_t *task, json_t **answer,
                            char *err, size_t errlen);

#endif
