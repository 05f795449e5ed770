/* tpa_llm_prompt.c - prompt construction (see tpa_llm_prompt.h). */
#include "tpa_llm_prompt.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_analyst.h"

static const char system_rca[] =
    "You are a senior telecom core network engineer (5G SA, EPC, IMS). You receive the "
    "digest of a packet capture analysis as JSON: capture summary, failing KPIs with causes, "
    "findings with evidence, top flows, the transactions and UE stories behind them, and "
    "signalling message counts. Subscriber identities are pseudonymised (tokens like "
    "IMSI-3f9a1c); use the tokens as they are. Find the root causes of the failures and "
    "answer with ONE JSON object and nothing else, of this exact shape:\n"
    "{\"insights\":[{\"target\":\"<finding id, flow:<id>, transaction id or UE id>\","
    "\"text\":\"<one or two sentences>\"}],\n"
    " \"rca\":{\"summary\":\"<two or three sentences>\",\"root_causes\":[{\"title\":\"...\","
    "\"confidence\":<0..1>,\"explanation\":\"...\",\"evidence\":[\"<ids from the digest>\"],"
    "\"recommendation\":\"...\"}],\"next_steps\":[\"...\"]}}\n"
    "Rules: cite only ids that appear in the digest (finding ids like F1, flow:<id> for "
    "top_flows, transaction ids like t3, UE ids like ue1); order root causes by confidence; "
    "say plainly when the capture shows no problem; plain text only, no HTML or markdown.";

static const char system_flows[] =
    "You are a senior telecom core network engineer. You receive the digest of a packet "
    "capture analysis as JSON. Subscriber identities are pseudonymised tokens; keep them. "
    "Write one short insight per notable flow or finding and answer with ONE JSON object and "
    "nothing else: {\"insights\":[{\"target\":\"<finding id or flow:<id> from the digest>\","
    "\"text\":\"...\"}]}. Plain text only, no HTML or markdown.";

const char *tpa_llm_prompt_system(int mode)
{
    return mode == TPA_ANALYST_FLOWS ? system_flows : system_rca;
}

static size_t size_of(const json_t *o)
{
    return json_dumpb(o, NULL, 0, JSON_COMPACT);
}

/* Halves the array at key (keeping the first elements); false when it has <= min left. */
static bool halve(json_t *obj, const char *key, size_t min)
{
    json_t *a = json_object_get(obj, key);
    size_t n = json_array_size(a);
    if (n <= min) return false;
    size_t keep = n / 2 > min ? n / 2 : min;
    while (json_array_size(a) > keep)
        json_array_remove(a, json_array_size(a) - 1);
    return true;
}

/* Cuts each element's array at key to at most max; false when nothing was cut. */
static bool cut_each(json_t *arr, const char *key, size_t max)
{
    bool cut = false;
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x)
    {
        json_t *a = json_object_get(x, key);
        if (!a && !strcmp(key, "frames")) a = json_object_get(json_object_get(x, "evidence"), key);
        while (json_array_size(a) > max) {
            json_array_remove(a, json_array_size(a) - 1);
            cut = true;
        }
    }
    return cut;
}

json_t *tpa_llm_prompt_fit(const json_t *digest, size_t budget_chars)
{
    json_t *d = json_deep_copy(digest);
    if (!d) return NULL;
    /* The stored file is named after the job: leaving it out keeps the prompt (and so the
     * answer cache key) the same when the same capture is analysed again. */
    json_object_del(json_object_get(d, "capture"), "file");
    while (size_of(d) > budget_chars) {
        if (halve(d, "messages", 10)) continue;
        if (cut_each(json_object_get(d, "ues"), "ladder", 8)) continue;
        if (halve(d, "top_flows", 5)) continue;
        if (halve(d, "transactions", 10)) continue;
        if (halve(d, "ues", 3)) continue;
        if (cut_each(json_object_get(d, "findings"), "frames", 3)) continue;
        if (cut_each(json_object_get(d, "findings"), "transactions", 5)) continue;
        if (json_object_get(d, "messages")) {
            json_object_del(d, "messages");
            continue;
        }
        if (halve(d, "findings", 1)) continue;
        break; /* nothing left to cut: send what remains */
    }
    return d;
}

char *tpa_llm_prompt_user(const json_t *fitted, int mode)
{
    char *js = json_dumps(fitted, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!js) return NULL;
    const char *ask = mode == TPA_ANALYST_FLOWS
                          ? "Write insights for this capture analysis digest."
                          : "Find the root causes in this capture analysis digest.";
    size_t n = strlen(ask) + strlen(js) + 32;
    char *out = malloc(n);
    if (out) snprintf(out, n, "%s\nDigest:\n%s", ask, js);
    free(js);
    return out;
}

char *tpa_llm_prompt_repair(const char *error)
{
    static const char fmt[] = "Your answer could not be used: %s. Reply again with ONE JSON "
                              "object of exactly the requested shape, citing only ids present "
                              "in the digest, and nothing else.";
    size_t n = sizeof fmt + strlen(error);
    char *out = malloc(n);
    if (out) snprintf(out, n, fmt, error);
    return out;
}
