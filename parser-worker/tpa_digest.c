/* tpa_digest.c - the compact digest LLM workers receive (see tpa_analysis.h).
 *
 * {"capture":{file,packets,bytes,duration_s,truncated,malformed},"flows_total":N,
 *  "apps":{"<app>":flows},"top_flows":[{id,proto,src,sport,dst,dport,packets,bytes,app}],
 *  "findings":[...],"kpis":[failing kpis],"messages":[...],
 *  "transactions":[the transactions findings cite: id,protocol,procedure,outcome,cause,
 *                  latency_ms,request_frame,flow,src,dst,ue],
 *  "ues":[UEs behind those transactions (else the first ones): id,identities,attributes,
 *         first_ts,last_ts,messages,transactions,ladder (first LADDER_MAX steps)]}
 * Only counts, addresses and names: never payload bytes. To fit the budget the lists
 * are cut (top flows first, then messages, then findings' evidence) until the
 * compact JSON is at most budget_bytes or nothing more can go.
 */
#include "tpa_analysis.h"

#include <stdlib.h>
#include <string.h>

#define TOP_FLOWS 20
#define TOP_MESSAGES 100
#define MAX_TRANSACTIONS 60
#define MAX_UES 20
#define LADDER_MAX 12

static json_t *pick(const json_t *src, const char *const *keys)
{
    json_t *o = json_object();
    for (; *keys; keys++) {
        json_t *v = json_object_get(src, *keys);
        if (v) json_object_set(o, *keys, v);
    }
    return o;
}

static json_int_t num(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static int cmp_bytes(const void *a, const void *b)
{
    json_int_t x = num(*(json_t *const *)a, "bytes"), y = num(*(json_t *const *)b, "bytes");
    if (x != y) return x < y ? 1 : -1;
    json_int_t i = num(*(json_t *const *)a, "id"), j = num(*(json_t *const *)b, "id");
    return (i > j) - (i < j);
}

static int cmp_count(const void *a, const void *b)
{
    json_int_t x = num(*(json_t *const *)a, "count"), y = num(*(json_t *const *)b, "count");
    return (x < y) - (x > y);
}

/* A new array of the up-to-n largest elements of arr by cmp (shared references). */
static json_t *top(const json_t *arr, size_t n, int (*cmp)(const void *, const void *),
                   const char *const *keys)
{
    size_t len = json_array_size(arr);
    json_t *out = json_array();
    if (!len) return out;
    json_t **v = malloc(len * sizeof *v);
    if (!v) return out;
    for (size_t i = 0; i < len; i++)
        v[i] = json_array_get(arr, i);
    qsort(v, len, sizeof *v, cmp);
    for (size_t i = 0; i < len && i < n; i++)
        json_array_append_new(out, keys ? pick(v[i], keys) : json_incref(v[i]));
    free(v);
    return out;
}

static bool kpi_failing(const json_t *k)
{
    const char *status = json_string_value(json_object_get(k, "status"));
    if (status && (strcmp(status, "fail") == 0 || strcmp(status, "warn") == 0 ||
                   strcmp(status, "failing") == 0))
        return true;
    return num(k, "failures") > 0 || num(k, "unanswered") > 0;
}

static size_t size_of(const json_t *o)
{
    return json_dumpb(o, NULL, 0, JSON_COMPACT);
}

static bool in_set(const json_t *set, const char *id)
{
    return id && json_object_get(set, id) != NULL;
}

/* The transactions cited by findings, and the UEs behind them (falling back to the first
 * UEs), compacted. Adds "transactions" and "ues" to dg. */
static void add_stories(json_t *dg, const json_t *doc, size_t nues, size_t ladder)
{
    static const char *const tx_keys[] = {
        "id",   "protocol", "procedure", "outcome", "cause", "latency_ms", "request_frame",
        "flow", "src",      "dst",       "ue",      NULL};
    static const char *const ue_keys[] = {"id",      "identities", "attributes", "first_ts",
                                          "last_ts", "messages",   NULL};
    static const char *const step_keys[] = {"ts",      "protocol",    "name",
                                            "outcome", "transaction", NULL};
    json_t *cited = json_object(), *ue_set = json_object();
    json_t *txs = json_array(), *ues = json_array();
    size_t i, j;
    json_t *x, *y;
    json_array_foreach(json_object_get(dg, "findings"), i, x)
    {
        json_array_foreach(json_object_get(json_object_get(x, "evidence"), "transactions"), j, y)
        {
            if (json_is_string(y)) json_object_set(cited, json_string_value(y), json_true());
        }
    }
    json_array_foreach(json_object_get(doc, "transactions"), i, x)
    {
        if (json_array_size(txs) >= MAX_TRANSACTIONS) break;
        if (!in_set(cited, json_string_value(json_object_get(x, "id")))) continue;
        json_array_append_new(txs, pick(x, tx_keys));
        const char *ue = json_string_value(json_object_get(x, "ue"));
        if (ue) json_object_set(ue_set, ue, json_true());
    }
    for (int pass = 0; pass < 2; pass++) {
        json_array_foreach(json_object_get(doc, "ues"), i, x)
        {
            if (json_array_size(ues) >= nues) break;
            bool hit = in_set(ue_set, json_string_value(json_object_get(x, "id")));
            if (pass == 0 ? !hit : hit) continue;
            json_t *u = pick(x, ue_keys);
            json_t *tl = json_array(), *steps = json_array();
            json_array_foreach(json_object_get(x, "transactions"), j, y)
            {
                if (j >= 10) break;
                json_array_append(tl, y);
            }
            json_array_foreach(json_object_get(x, "ladder"), j, y)
            {
                if (j >= ladder) break;
                json_array_append_new(steps, pick(y, step_keys));
            }
            json_object_set_new(u, "transactions", tl);
            json_object_set_new(u, "ladder", steps);
            json_array_append_new(ues, u);
        }
    }
    json_object_set_new(dg, "transactions", txs);
    json_object_set_new(dg, "ues", ues);
    json_decref(cited);
    json_decref(ue_set);
}

static const char *const cap_keys[] = {"file",      "packets",   "bytes", "duration_s",
                                       "truncated", "malformed", NULL};
static const char *const flow_keys[] = {"id",    "proto",   "src",   "sport", "dst",
                                        "dport", "packets", "bytes", "app",   NULL};

json_t *tpa_digest_flow_batches(const json_t *doc, size_t skip, size_t per_batch,
                                size_t max_batches)
{
    json_t *out = json_array();
    if (!out || !per_batch || !max_batches) return out;
    const json_t *flows = json_object_get(doc, "flows");
    json_t *ranked = top(flows, skip + per_batch * max_batches, cmp_bytes, flow_keys);
    size_t n = json_array_size(ranked);
    json_t *cap = json_object_get(doc, "capture");
    for (size_t at = skip; at < n; at += per_batch) {
        json_t *dg = json_object(), *batch = json_array();
        if (!dg || !batch) {
            json_decref(dg);
            json_decref(batch);
            break;
        }
        for (size_t i = at; i < n && i < at + per_batch; i++)
            json_array_append(batch, json_array_get(ranked, i));
        json_object_set_new(dg, "capture", cap ? pick(cap, cap_keys) : json_object());
        json_object_set_new(dg, "flows_total", json_integer((json_int_t)json_array_size(flows)));
        json_object_set_new(dg, "top_flows", batch);
        json_array_append_new(out, dg);
    }
    json_decref(ranked);
    return out;
}

json_t *tpa_digest_build(const json_t *doc, size_t budget_bytes)
{
    json_t *dg = json_object();
    if (!dg) return NULL;
    json_t *cap = json_object_get(doc, "capture");
    json_object_set_new(dg, "capture", cap ? pick(cap, cap_keys) : json_object());

    const json_t *flows = json_object_get(doc, "flows");
    json_object_set_new(dg, "flows_total", json_integer((json_int_t)json_array_size(flows)));
    json_t *apps = json_object();
    size_t i;
    json_t *f;
    json_array_foreach(flows, i, f)
    {
        const char *app = json_string_value(json_object_get(f, "app"));
        if (!app) continue;
        json_object_set_new(apps, app, json_integer(num(apps, app) + 1));
    }
    json_object_set_new(dg, "apps", apps);

    size_t nflows = TOP_FLOWS, nmsgs = TOP_MESSAGES, nues = MAX_UES, ladder = LADDER_MAX;
    json_t *findings = json_object_get(doc, "findings");
    json_object_set_new(dg, "findings", findings ? json_deep_copy(findings) : json_array());
    json_t *kpis = json_array();
    json_t *k;
    json_array_foreach(json_object_get(doc, "kpis"), i, k)
    {
        if (kpi_failing(k)) json_array_append(kpis, k);
    }
    json_object_set_new(dg, "kpis", kpis);
    for (;;) {
        json_object_set_new(dg, "top_flows", top(flows, nflows, cmp_bytes, flow_keys));
        json_object_set_new(dg, "messages",
                            top(json_object_get(doc, "messages"), nmsgs, cmp_count, NULL));
        add_stories(dg, doc, nues, ladder);
        if (!budget_bytes || size_of(dg) <= budget_bytes) break;
        if (ladder > 3) {
            ladder /= 2;
        } else if (nues > 2) {
            nues /= 2;
        } else if (nflows > 3) {
            nflows /= 2;
        } else if (nmsgs > 10) {
            nmsgs /= 2;
        } else {
            /* last resort: drop evidence frame lists, then stop */
            json_t *fs = json_object_get(dg, "findings");
            json_t *x;
            size_t j;
            bool cut = false;
            json_array_foreach(fs, j, x)
            {
                json_t *ev = json_object_get(x, "evidence");
                json_t *fr = json_object_get(ev, "frames");
                if (json_array_size(fr) > 5) {
                    while (json_array_size(fr) > 5)
                        json_array_remove(fr, json_array_size(fr) - 1);
                    cut = true;
                }
            }
            if (!cut) break;
        }
    }
    return dg;
}
