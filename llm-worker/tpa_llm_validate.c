/* tpa_llm_validate.c - answer validation (see tpa_llm_validate.h). */
#include "tpa_llm_validate.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_analyst.h"

static bool id_in_array(const json_t *arr, const char *id)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x)
    {
        const char *s = json_string_value(json_object_get(x, "id"));
        if (s && !strcmp(s, id)) return true;
    }
    return false;
}

static bool flow_known(const json_t *digest, const char *num)
{
    char *end;
    long long n = strtoll(num, &end, 10);
    if (!*num || *end) return false;
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(digest, "top_flows"), i, f)
    {
        json_t *id = json_object_get(f, "id");
        if (json_is_integer(id) && json_integer_value(id) == n) return true;
    }
    return false;
}

static bool kpi_known(const json_t *digest, const char *name)
{
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(digest, "kpis"), i, k)
    {
        char buf[256];
        const char *pr = json_string_value(json_object_get(k, "protocol"));
        const char *pc = json_string_value(json_object_get(k, "procedure"));
        snprintf(buf, sizeof buf, "%s/%s", pr ? pr : "", pc ? pc : "");
        if (!strcmp(buf, name)) return true;
    }
    return false;
}

bool tpa_llm_validate_known_id(const json_t *digest, const char *id)
{
    if (!id || !*id) return false;
    if (!strncmp(id, "finding:", 8))
        return id_in_array(json_object_get(digest, "findings"), id + 8);
    if (!strncmp(id, "flow:", 5)) return flow_known(digest, id + 5);
    if (!strncmp(id, "kpi:", 4)) return kpi_known(digest, id + 4);
    if (!strncmp(id, "ue:", 3)) return id_in_array(json_object_get(digest, "ues"), id + 3);
    if (!strncmp(id, "transaction:", 12))
        return id_in_array(json_object_get(digest, "transactions"), id + 12);
    return id_in_array(json_object_get(digest, "findings"), id) ||
           id_in_array(json_object_get(digest, "transactions"), id) ||
           id_in_array(json_object_get(digest, "ues"), id) || flow_known(digest, id);
}

/* The id as text: strings as they are, integers as "flow:<n>". */
static const char *id_text(const json_t *v, char *buf, size_t len)
{
    if (json_is_string(v)) return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, len, "flow:%lld", (long long)json_integer_value(v));
        return buf;
    }
    return NULL;
}

static const char *str_field(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s && *s ? s : NULL;
}

/* Finds the JSON object in content: skips ``` fences and text around the outer braces. */
static json_t *parse_content(const char *content, char *err, size_t errlen)
{
    const char *a = strchr(content, '{'), *b = strrchr(content, '}');
    if (!a || !b || b < a) {
        snprintf(err, errlen, "the answer is not a JSON object");
        return NULL;
    }
    json_error_t je;
    json_t *v = json_loadb(a, (size_t)(b - a + 1), 0, &je);
    if (!v) {
        snprintf(err, errlen, "the answer is not valid JSON: %s (line %d)", je.text, je.line);
        return NULL;
    }
    if (!json_is_object(v)) {
        snprintf(err, errlen, "the answer is not a JSON object");
        json_decref(v);
        return NULL;
    }
    return v;
}

static json_t *check_rca(const json_t *rca, const json_t *digest, size_t *dropped, char *err,
                         size_t errlen)
{
    if (!json_is_object(rca)) {
        snprintf(err, errlen, "\"rca\" must be an object");
        return NULL;
    }
    const char *summary = str_field(rca, "summary");
    json_t *causes = json_object_get(rca, "root_causes");
    json_t *steps = json_object_get(rca, "next_steps");
    if (!summary) {
        snprintf(err, errlen, "\"rca.summary\" must be a non-empty string");
        return NULL;
    }
    if (!json_is_array(causes)) {
        snprintf(err, errlen, "\"rca.root_causes\" must be an array");
        return NULL;
    }
    if (steps && !json_is_array(steps)) {
        snprintf(err, errlen, "\"rca.next_steps\" must be an array of strings");
        return NULL;
    }
    json_t *out = json_object(), *oc = json_array(), *os = json_array(), *drop = json_array();
    size_t i, j;
    json_t *c, *e;
    json_array_foreach(causes, i, c)
    {
        const char *title = str_field(c, "title"), *expl = str_field(c, "explanation");
        const char *rec = json_string_value(json_object_get(c, "recommendation"));
        json_t *conf = json_object_get(c, "confidence");
        json_t *ev = json_object_get(c, "evidence");
        bool conf_ok = (json_is_number(conf) && json_number_value(conf) >= 0 &&
                        json_number_value(conf) <= 1) ||
                       (json_is_string(conf) && (!strcmp(json_string_value(conf), "high") ||
                                                 !strcmp(json_string_value(conf), "medium") ||
                                                 !strcmp(json_string_value(conf), "low")));
        if (!title || !expl || !conf_ok || (ev && !json_is_array(ev))) {
            snprintf(err, errlen,
                     "root_causes[%zu] needs a non-empty title and explanation, a confidence "
                     "(number 0..1 or high/medium/low) and an evidence array",
                     i);
            goto fail;
        }
        json_t *keep = json_array();
        json_array_foreach(ev, j, e)
        {
            char buf[48];
            const char *id = id_text(e, buf, sizeof buf);
            if (id && tpa_llm_validate_known_id(digest, id)) {
                json_array_append_new(keep, json_string(id));
            } else {
                json_array_append_new(drop, id ? json_string(id) : json_deep_copy(e));
                (*dropped)++;
            }
        }
        json_array_append_new(oc, json_pack("{s:s,s:O,s:s,s:o,s:s}", "title", title, "confidence",
                                            conf, "explanation", expl, "evidence", keep,
                                            "recommendation", rec ? rec : ""));
    }
    json_array_foreach(steps, i, e)
    {
        if (json_is_string(e)) json_array_append(os, e);
    }
    json_object_set_new(out, "summary", json_string(summary));
    json_object_set_new(out, "root_causes", oc);
    json_object_set_new(out, "next_steps", os);
    json_object_set_new(out, "source", json_string("llm"));
    if (json_array_size(drop))
        json_object_set_new(out, "dropped_evidence", drop);
    else
        json_decref(drop);
    return out;
fail:
    json_decref(out);
    json_decref(oc);
    json_decref(os);
    json_decref(drop);
    return NULL;
}

json_t *tpa_llm_validate(const char *content, const json_t *digest, int mode, size_t *dropped,
                         char *err, size_t errlen)
{
    size_t ndrop = 0;
    json_t *out = NULL, *rca = NULL, *ins = NULL, *drop = NULL;
    json_t *v = parse_content(content ? content : "", err, errlen);
    if (!v) return NULL;
    json_t *insights = json_object_get(v, "insights");
    if (insights && !json_is_array(insights)) {
        snprintf(err, errlen, "\"insights\" must be an array");
        goto done;
    }
    if (mode == TPA_ANALYST_RCA) {
        rca = check_rca(json_object_get(v, "rca"), digest, &ndrop, err, errlen);
        if (!rca) goto done;
    }
    ins = json_array();
    drop = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(insights, i, x)
    {
        char buf[48];
        const char *target = id_text(json_object_get(x, "target"), buf, sizeof buf);
        const char *text = str_field(x, "text");
        if (!text) {
            snprintf(err, errlen, "insights[%zu] needs a non-empty \"text\"", i);
            goto done;
        }
        if (!target || !tpa_llm_validate_known_id(digest, target)) {
            json_array_append_new(drop, target ? json_string(target) : json_null());
            ndrop++;
            continue;
        }
        json_array_append_new(
            ins, json_pack("{s:s,s:s,s:s}", "target", target, "text", text, "source", "llm"));
    }
    out = json_object();
    json_object_set_new(out, "insights", ins);
    ins = NULL;
    json_object_set_new(out, "rca", rca ? rca : json_null());
    rca = NULL;
    if (json_array_size(drop)) json_object_set(out, "dropped_evidence", drop);
    if (dropped) *dropped = ndrop;
done:
    json_decref(drop);
    json_decref(ins);
    json_decref(rca);
    json_decref(v);
    return out;
}
