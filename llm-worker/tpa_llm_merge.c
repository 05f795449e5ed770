/* tpa_llm_merge.c - see tpa_llm_merge.h. */
#include "tpa_llm_merge.h"

#include "tpa_err.h"

int tpa_llm_merge(json_t *doc, json_t *const *answers, size_t n)
{
    if (!json_is_object(doc)) return TPA_ERR_INVALID;
    json_t *insights = json_array();
    json_t *rca = NULL;
    if (!insights) return TPA_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (!json_is_object(answers[i])) continue;
        json_t *ins = json_object_get(answers[i], "insights");
        if (json_is_array(ins) && json_array_extend(insights, ins)) goto nomem;
        json_t *r = json_object_get(answers[i], "rca");
        if (!rca && json_is_object(r)) rca = r;
    }
    if (json_object_set_new(doc, "insights", insights))
        return TPA_ERR_NOMEM; /* set_new released insights */
    if (json_object_set_new(doc, "rca", rca ? json_incref(rca) : json_null())) return TPA_ERR_NOMEM;
    return 0;
nomem:
    json_decref(insights);
    return TPA_ERR_NOMEM;
}
