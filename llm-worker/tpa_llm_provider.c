/* tpa_llm_provider.c - provider selection and the LLM path (see tpa_llm_provider.h). */
#include "tpa_llm_provider.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_analyst.h"
#include "tpa_err.h"
#include "tpa_job.h"
#include "tpa_llm_privacy.h"
#include "tpa_llm_prompt.h"
#include "tpa_llm_validate.h"
#include "tpa_log.h"
#include "tpa_sha256.h"

#define CHARS_PER_TOKEN 4

struct tpa_llm_provider {
    char describe[512];
    tpa_llm_openai_t *client; /* NULL: built-in analyst only */
    char model[128];
    bool privacy;
    bool privacy_ips;
    uint8_t key[TPA_PRIVACY_KEY_LEN];
    size_t budget_chars;
    long cache_ttl_s;
};

typedef struct stats {
    long requests, tokens_in, tokens_out, cache_hits;
    char reason[320];
} stats_t;

static bool on_off(const char *v, bool *out)
{
    if (!strcmp(v, "on") || !strcmp(v, "1") || !strcmp(v, "true"))
        *out = true;
    else if (!strcmp(v, "off") || !strcmp(v, "0") || !strcmp(v, "false"))
        *out = false;
    else
        return false;
    return true;
}

tpa_llm_provider_t *tpa_llm_provider_new(const tpa_config_t *cfg, char *err, size_t errlen)
{
    tpa_llm_provider_t *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (!on_off(cfg->llm_privacy, &p->privacy) || !on_off(cfg->llm_privacy_ip, &p->privacy_ips)) {
        snprintf(err, errlen, "TPA_LLM_PRIVACY and TPA_LLM_PRIVACY_IP take on or off");
        goto fail;
    }
    p->budget_chars = (size_t)cfg->llm_token_budget * CHARS_PER_TOKEN;
    p->cache_ttl_s = cfg->llm_cache_ttl_s;
    snprintf(p->model, sizeof p->model, "%s", cfg->llm_model);
    if (!cfg->llm_base_url[0]) {
        snprintf(p->describe, sizeof p->describe, "provider=builtin");
        return p;
    }
    if (p->privacy &&
        tpa_llm_privacy_load_key(cfg->data_dir, cfg->privacy_key, p->key, err, errlen))
        goto fail;
    p->client = tpa_llm_openai_new(cfg);
    if (!p->client) {
        snprintf(err, errlen, "cannot start the HTTP client (libcurl)");
        goto fail;
    }
    snprintf(p->describe, sizeof p->describe,
             "provider=%s model=%s key=%s concurrency=%d timeout=%ds privacy=%s%s",
             tpa_llm_openai_host(p->client), p->model, cfg->llm_api_key[0] ? "set" : "none",
             cfg->llm_concurrency, cfg->llm_timeout_s, p->privacy ? "on" : "off",
             p->privacy && p->privacy_ips ? "+ip" : "");
    return p;
fail:
    free(p);
    return NULL;
}

void tpa_llm_provider_destroy(tpa_llm_provider_t **p)
{
    if (!p || !*p) return;
    tpa_llm_openai_destroy(&(*p)->client);
    memset((*p)->key, 0, sizeof(*p)->key);
    free(*p);
    *p = NULL;
}

const char *tpa_llm_provider_describe(const tpa_llm_provider_t *p)
{
    return p->describe;
}

static void cache_key(const char *model, const char *sys, const char *user, char *buf, size_t len)
{
    tpa_sha256_t s;
    char hex[TPA_SHA256_HEX];
    tpa_sha256_init(&s);
    tpa_sha256_update(&s, model, strlen(model) + 1);
    tpa_sha256_update(&s, sys, strlen(sys) + 1);
    tpa_sha256_update(&s, user, strlen(user));
    tpa_sha256_final_hex(&s, hex);
    snprintf(buf, len, "tpa:llmcache:%s:%s", model, hex);
}

static json_t *cache_get(redisContext *r, const char *key)
{
    if (!r) return NULL;
    redisReply *rep = redisCommand(r, "GET %s", key);
    json_t *v = NULL;
    if (rep && rep->type == REDIS_REPLY_STRING) v = json_loads(rep->str, 0, NULL);
    if (rep) freeReplyObject(rep);
    if (v && !json_is_object(v)) {
        json_decref(v);
        v = NULL;
    }
    return v;
}

static void cache_put(redisContext *r, const char *key, const json_t *v, long ttl)
{
    char *s = json_dumps(v, JSON_COMPACT);
    if (!s) return;
    redisReply *rep = redisCommand(r, "SET %s %s EX %ld", key, s, ttl);
    if (rep) freeReplyObject(rep);
    free(s);
}

/* One chat request; fills content (malloc'd) or reason. Returns 0 or the request's rc. */
static int ask(tpa_llm_provider_t *p, const char *const *roles, const char *const *texts, size_t n,
               tpa_llm_tick_fn tick, void *arg, stats_t *st, char **content)
{
    tpa_llm_req_t req;
    memset(&req, 0, sizeof req);
    req.roles = roles;
    req.contents = texts;
    req.nmsg = n;
    int rc = tpa_llm_openai_run(p->client, &req, 1, tick, arg);
    if (rc) {
        snprintf(st->reason, sizeof st->reason, "out of memory");
        return rc;
    }
    st->requests += req.requests;
    st->tokens_in += req.tokens_in;
    st->tokens_out += req.tokens_out;
    if (req.rc) {
        snprintf(st->reason, sizeof st->reason, "%s", req.err);
        free(req.content);
        return req.rc;
    }
    *content = req.content;
    return 0;
}

/* The LLM path. Returns the validated, restored answer or NULL with st->reason set. */
static json_t *llm_answer(tpa_llm_provider_t *p, redisContext *r, const tpa_wire_task_t *task,
                          int mode, tpa_llm_tick_fn tick, void *arg, stats_t *st)
{
    const char *job = task->job;
    tpa_llm_privacy_t *pf = NULL;
    json_t *scrubbed = NULL, *fitted = NULL, *answer = NULL;
    char *user = NULL, *content = NULL, *content2 = NULL, *repair = NULL;
    char ck[200], verr[256] = "";

    if (p->privacy) {
        pf = tpa_llm_privacy_new(p->key, p->privacy_ips);
        scrubbed = pf ? tpa_llm_privacy_scrub(pf, task->digest) : NULL;
    } else {
        scrubbed = json_incref(task->digest);
    }
    fitted = scrubbed ? tpa_llm_prompt_fit(scrubbed, p->budget_chars) : NULL;
    const char *sys = tpa_llm_prompt_system(mode);
    user = fitted ? tpa_llm_prompt_user(fitted, mode) : NULL;
    if (!user) {
        snprintf(st->reason, sizeof st->reason, "out of memory building the prompt");
        goto done;
    }
    if (pf)
        tpa_info(job, "prompt: %zu bytes, %zu identities pseudonymised", strlen(user),
                 tpa_llm_privacy_count(pf));
    cache_key(p->model, sys, user, ck, sizeof ck);
    if (p->cache_ttl_s > 0 && (answer = cache_get(r, ck))) {
        st->cache_hits++;
        tpa_info(job, "answer cache hit");
        goto restore;
    }
    if (tpa_llm_openai_circuit_open(p->client)) {
        snprintf(st->reason, sizeof st->reason, "circuit open");
        goto done;
    }
    const char *roles[4] = {"system", "user", "assistant", "user"};
    const char *texts[4] = {sys, user, NULL, NULL};
    if (ask(p, roles, texts, 2, tick, arg, st, &content)) goto done;
    size_t dropped = 0;
    answer = tpa_llm_validate(content, fitted, mode, &dropped, verr, sizeof verr);
    if (!answer) {
        tpa_warn(job, "LLM answer invalid (%s); asking once for a repair", verr);
        repair = tpa_llm_prompt_repair(verr);
        texts[2] = content;
        texts[3] = repair ? repair : "Reply with valid JSON only.";
        if (ask(p, roles, texts, 4, tick, arg, st, &content2)) {
            char why[320];
            snprintf(why, sizeof why, "invalid answer (%.120s); repair request failed: %.150s",
                     verr, st->reason);
            snprintf(st->reason, sizeof st->reason, "%s", why);
            goto done;
        }
        answer = tpa_llm_validate(content2, fitted, mode, &dropped, verr, sizeof verr);
        if (!answer) {
            snprintf(st->reason, sizeof st->reason, "invalid answer after repair: %s", verr);
            goto done;
        }
    }
    if (dropped) tpa_warn(job, "LLM cited %zu unknown ids: dropped", dropped);
    if (r && p->cache_ttl_s > 0) cache_put(r, ck, answer, p->cache_ttl_s);
restore:
    if (pf && tpa_llm_privacy_restore(pf, answer)) {
        json_decref(answer);
        answer = NULL;
        snprintf(st->reason, sizeof st->reason, "out of memory restoring identities");
    }
done:
    free(repair);
    free(content2);
    free(content);
    free(user);
    json_decref(fitted);
    json_decref(scrubbed);
    tpa_llm_privacy_destroy(&pf);
    return answer;
}

int tpa_llm_provider_answer(tpa_llm_provider_t *p, redisContext *r, const tpa_wire_task_t *task,
                            tpa_llm_tick_fn tick, void *arg, json_t **answer, char *err,
                            size_t errlen)
{
    int mode = strcmp(task->type, "flow_batch") ? TPA_ANALYST_RCA : TPA_ANALYST_FLOWS;
    stats_t st;
    memset(&st, 0, sizeof st);
    int64_t t0 = tpa_now_ms();
    json_t *a = NULL;
    if (p->client) {
        a = llm_answer(p, r, task, mode, tick, arg, &st);
        if (!a)
            tpa_warn(task->job, "LLM %s: %s; the built-in analyst answers", task->type, st.reason);
    }
    if (!a) a = tpa_analyst_run(task->digest, mode);
    if (!a) {
        snprintf(err, errlen, "built-in analyst: out of memory");
        return TPA_ERR_NOMEM;
    }
    json_t *llm = json_pack(
        "{s:s,s:o,s:I,s:I,s:I,s:I,s:I,s:o}", "provider",
        p->client ? tpa_llm_openai_host(p->client) : "builtin", "model",
        p->client ? json_string(p->model) : json_null(), "requests", (json_int_t)st.requests,
        "tokens_in", (json_int_t)st.tokens_in, "tokens_out", (json_int_t)st.tokens_out,
        "cache_hits", (json_int_t)st.cache_hits, "latency_ms", (json_int_t)(tpa_now_ms() - t0),
        "fallback_reason", st.reason[0] ? json_string(st.reason) : json_null());
    if (!llm || json_object_set_new(a, "llm", llm)) {
        json_decref(a);
        snprintf(err, errlen, "out of memory");
        return TPA_ERR_NOMEM;
    }
    *answer = a;
    return 0;
}
