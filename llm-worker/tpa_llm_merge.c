/* tpa_llm_merge.c - see tpa_llm_merge.h. */
#include "tpa_llm_merge.h"

#include "tpa_err.h"

/* Adds one answer's "llm" record into the job's: numbers summed, provider, model and the
 * first fallback reason kept. */
static void add_stats(json_t *sum, const json_t *one)
{
    static const char *const nums[] = {"requests", "tokens_in", "tokens_out", "cache_hits",
                                       "latency_ms"};
    if (!json_is_object(one)) return;
    if (!json_object_get(sum, "provider")) {
        json_object_set(sum, "provider", json_object_get(one, "provider"));
        json_object_set(sum, "model", json_object_get(one, "model"));
    }
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        json_object_set_new(sum, nums[i],
                            json_integer(json_integer_value(json_object_get(sum, nums[i])) +
                                         json_integer_value(json_object_get(one, nums[i]))));
    json_t *fr = json_object_get(one, "fallback_reason");
    if (!json_is_string(json_object_get(sum, "fallback_reason")))
        json_object_set(sum, "fallback_reason", json_is_string(fr) ? fr : json_null());
}

int tpa_llm_merge(json_t *doc, json_t *const *answers, size_t n)
{
    if (!json_is_object(doc)) return TPA_ERR_INVALID;
    json_t *insights = json_array();
    json_t *rca = NULL;
    json_t *stats = json_object();
    if (!insights || !stats) {
        json_decref(insights);
        json_decref(stats);
        return TPA_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        if (!json_is_object(answers[i])) continue;
        json_t *ins = json_object_get(answers[i], "insights");
        if (json_is_array(ins) && json_array_extend(insights, ins)) goto nomem;
        json_t *r = json_object_get(answers[i], "rca");
        if (!rca && json_is_object(r)) rca = r;
        add_stats(stats, json_object_get(answers[i], "llm"));
    }
    if (json_object_size(stats)) {
        if (json_object_set_new(doc, "llm", stats)) goto nomem_stats;
    } else {
        json_decref(stats);
    }
    if (json_object_set_new(doc, "insights", insights))
        return TPA_ERR_NOMEM; /* set_new released insights */
    if (json_object_set_new(doc, "rca", rca ? json_incref(rca) : json_null())) return TPA_ERR_NOMEM;
    return 0;
nomem:
    json_decref(stats);
nomem_stats:
    json_decref(insights);
    return TPA_ERR_NOMEM;
}
