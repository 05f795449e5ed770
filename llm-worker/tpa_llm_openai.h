/* tpa_llm_openai.h - OpenAI-compatible chat completions over libcurl's multi interface.
 *
 * POST {base_url}/chat/completions with {"model","messages","response_format":
 * {"type":"json_object"},"temperature":0.2}; "Authorization: Bearer <key>" only when a key
 * is configured (local servers need none). Up to TPA_LLM_CONCURRENCY requests run at once;
 * each has a connect timeout (min(10 s, TPA_LLM_TIMEOUT)) and a total timeout
 * (TPA_LLM_TIMEOUT). 429 and 5xx answers are retried up to TPA_LLM_MAX_RETRIES times with
 * exponential backoff (500 ms, 1 s, 2 s ...) plus up to 50% jitter, or after Retry-After
 * seconds when the server says so (capped at 60 s). Timeouts, refused connections and other
 * statuses are not retried.
 *
 * Circuit breaker: after TPA_LLM_CIRCUIT_FAILURES requests in a row have failed, the
 * circuit opens for TPA_LLM_CIRCUIT_COOLDOWN_S seconds; while open, requests fail at once
 * with "circuit open" and the caller falls back to the built-in analyst. After the
 * cool-down one request is let through; its success closes the circuit.
 *
 * The answer is choices[0].message.content; reasoning_content (thinking models) is
 * ignored. The key is never logged or copied into an error message.
 */
#ifndef TPA_LLM_OPENAI_H
#define TPA_LLM_OPENAI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tpa_config.h"

#define TPA_LLM_MAX_RETRIES 3
#define TPA_LLM_CIRCUIT_FAILURES 3
#define TPA_LLM_CIRCUIT_COOLDOWN_S 30

typedef struct tpa_llm_openai tpa_llm_openai_t;

typedef struct tpa_llm_req {
    /* in (borrowed, valid during _run): chat messages */
    const char *const *roles;    /* "system", "user", "assistant" */
    const char *const *contents; /* their texts */
    size_t nmsg;
    /* out */
    int rc;           /* 0 or a negative TPA_ERR_* */
    char err[256];    /* why rc != 0, one line */
    char *content;    /* malloc'd answer text when rc == 0 (caller frees) */
    long tokens_in;   /* usage.prompt_tokens (0 if absent) */
    long tokens_out;  /* usage.completion_tokens */
    int requests;     /* HTTP requests made, retries included */
    long http_status; /* last status, 0 if none */
} tpa_llm_req_t;

/* Called about twice a second while requests run; returning false aborts them all
 * (rc TPA_ERR_CANCELLED). Used to renew the job's lease. */
typedef bool (*tpa_llm_tick_fn)(void *arg);

/* A client for cfg's base URL, model, key, concurrency and timeout (copied).
 * Returns NULL when out of memory or libcurl cannot start. Destroy with _destroy. */
tpa_llm_openai_t *tpa_llm_openai_new(const tpa_config_t *cfg);

/* Frees *o and sets it to NULL; NULL is fine. */
void tpa_llm_openai_destroy(tpa_llm_openai_t **o);

/* host[:port] of the base URL (no user info, no key). Borrowed from o. */
const char *tpa_llm_openai_host(const tpa_llm_openai_t *o);

/* Runs n requests concurrently until each has an answer or has failed. Fills each
 * request's out fields. tick may be NULL. Returns 0 (see each rc) or TPA_ERR_NOMEM. */
int tpa_llm_openai_run(tpa_llm_openai_t *o, tpa_llm_req_t *reqs, size_t n, tpa_llm_tick_fn tick,
                       void *arg);

/* True while the circuit breaker is open (requests would fail at once). */
bool tpa_llm_openai_circuit_open(const tpa_llm_openai_t *o);

#endif
