/* tpa_llm_provider.h - where the answer to an LLM task comes from.
 *
 * A provider turns one task (its type and digest) into the task answer
 *   {"insights":[{"target","text","source"}], "rca":{...,"source"} or null,
 *    "llm":{"provider","model","requests","tokens_in","tokens_out","cache_hits",
 *           "latency_ms","fallback_reason"}}
 * With TPA_LLM_BASE_URL set it asks an OpenAI-compatible server (tpa_llm_openai.h):
 * the digest is pseudonymised (tpa_llm_privacy.h, unless TPA_LLM_PRIVACY=off), cut to
 * TPA_LLM_TOKEN_BUDGET (tpa_llm_prompt.h), looked up in the Redis answer cache
 * (tpa:llmcache:<model>:<sha256 of the prompt>, TTL TPA_LLM_CACHE_TTL), sent, validated
 * (tpa_llm_validate.h; one repair attempt), cached, and its tokens mapped back to the
 * real identities. Whenever that fails, the built-in analyst (tpa_analyst.h) answers
 * and "fallback_reason" says why. Without a base URL the built-in analyst answers and
 * fallback_reason is null. The API key is never logged nor returned by _describe.
 */
#ifndef TPA_LLM_PROVIDER_H
#define TPA_LLM_PROVIDER_H

#include <hiredis/hiredis.h>
#include <jansson.h>
#include <stddef.h>

#include "tpa_config.h"
#include "tpa_llm_openai.h"
#include "tpa_wire.h"

typedef struct tpa_llm_provider tpa_llm_provider_t;

/* Chooses a provider from cfg (borrowed; what is needed is copied). Loads or creates the
 * privacy key when an LLM is configured and privacy is on.
 * Returns a new provider (destroy with tpa_llm_provider_destroy) or NULL when out of
 * memory or a setting is invalid (one line written to err). */
tpa_llm_provider_t *tpa_llm_provider_new(const tpa_config_t *cfg, char *err, size_t errlen);

/* Frees *p and sets *p to NULL; does nothing for NULL. */
void tpa_llm_provider_destroy(tpa_llm_provider_t **p);

/* Text for the log, e.g. "provider=builtin" or "provider=api.example.com model=m privacy=on".
 * Borrowed from p, valid until it is destroyed. Never contains a secret. */
const char *tpa_llm_provider_describe(const tpa_llm_provider_t *p);

/* Answers one task (borrowed). r (borrowed, may be NULL: no cache) is the Redis
 * connection for the answer cache; tick (may be NULL) is called about twice a second
 * while a request runs. On success returns 0 and *answer is a new object (caller
 * json_decref's); an LLM failure is not an error (the built-in analyst answers).
 * Returns TPA_ERR_NOMEM (err set) only when no answer could be made. */
int tpa_llm_provider_answer(tpa_llm_provider_t *p, redisContext *r, const tpa_wire_task_t *task,
                            tpa_llm_tick_fn tick, void *arg, json_t **answer, char *err,
                            size_t errlen);

#endif
