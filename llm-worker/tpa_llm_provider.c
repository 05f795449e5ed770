/* tpa_llm_provider.c - provider selection (see tpa_llm_provider.h). */
#include "tpa_llm_provider.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_analyst.h"
#include "tpa_err.h"

struct tpa_llm_provider {
    char describe[512];
};

/* Copies the host[:port] part of an http(s) URL into buf (never user:password). */
static void url_host(const char *url, char *buf, size_t len)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    const char *at = strchr(p, '@');
    const char *slash = strchr(p, '/');
    if (at && (!slash || at < slash)) p = at + 1;
    size_t n = strcspn(p, "/?#");
    if (n >= len) n = len - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
}

tpa_llm_provider_t *tpa_llm_provider_new(const tpa_config_t *cfg)
{
    tpa_llm_provider_t *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    if (cfg->llm_base_url[0]) {
        /* No remote client in this build yet: say plainly that the setting is not used. */
        char host[256];
        url_host(cfg->llm_base_url, host, sizeof host);
        snprintf(p->describe, sizeof p->describe,
                 "provider=builtin (llm_base_url host=%s model=%s not used: this build has no "
                 "LLM client)",
                 host, cfg->llm_model[0] ? cfg->llm_model : "-");
    } else {
        snprintf(p->describe, sizeof p->describe, "provider=builtin");
    }
    return p;
}

void tpa_llm_provider_destroy(tpa_llm_provider_t **p)
{
    if (!p || !*p) return;
    free(*p);
    *p = NULL;
}

const char *tpa_llm_provider_describe(const tpa_llm_provider_t *p)
{
    return p->describe;
}

int tpa_llm_provider_answer(tpa_llm_provider_t *p, const tpa_wire_task_t *task, json_t **answer,
                            char *err, size_t errlen)
{
    (void)p;
    int mode = strcmp(task->type, "flow_batch") ? TPA_ANALYST_RCA : TPA_ANALYST_FLOWS;
    *answer = tpa_analyst_run(task->digest, mode);
    if (!*answer) {
        snprintf(err, errlen, "built-in analyst: out of memory");
        return TPA_ERR_NOMEM;
    }
    return 0;
}
