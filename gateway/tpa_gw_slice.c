/* tpa_gw_slice.c - filter/sort/page for the REST slices (see tpa_gw_slice.h). */
#include "tpa_gw_slice.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MATCH_DEPTH 4

/* Case-insensitive substring search over n bytes of s (not NUL-terminated). */
static bool contains_ci(const char *s, size_t n, const char *q, size_t qn)
{
    if (qn == 0) return true;
    if (qn > n) return false;
    for (size_t i = 0; i + qn <= n; i++) {
        size_t j = 0;
        while (j < qn && tolower((unsigned char)s[i + j]) == tolower((unsigned char)q[j]))
            j++;
        if (j == qn) return true;
    }
    return false;
}

static bool match_value(const json_t *v, const char *q, size_t qn, int depth)
{
    if (depth > MATCH_DEPTH || !v) return false;
    switch (json_typeof(v)) {
    case JSON_STRING:
        return contains_ci(json_string_value(v), json_string_length(v), q, qn);
    case JSON_INTEGER: {
        char buf[32];
        int n = snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return n > 0 && contains_ci(buf, (size_t)n, q, qn);
    }
    case JSON_OBJECT: {
        const char *key;
        json_t *child;
        json_object_foreach((json_t *)v, key, child)
        {
            if (match_value(child, q, qn, depth + 1)) return true;
        }
        return false;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *child;
        json_array_foreach(v, i, child)
        {
            if (match_value(child, q, qn, depth + 1)) return true;
        }
        return false;
    }
    default:
        return false;
    }
}

bool tpa_gw_slice_match(const json_t *item, const char *q)
{
    if (!q || !*q) return true;
    return match_value(item, q, strlen(q), 0);
}

json_t *tpa_gw_json_path(const json_t *obj, const char *path)
{
    const char *dot;
    json_t *v;
    char head[256];
    size_t n;

    if (!json_is_object(obj) || !path || !*path) return NULL;
    v = json_object_get(obj, path);
    if (v) return v;
    dot = strchr(path, '.');
    if (!dot) return NULL;
    n = (size_t)(dot - path);
    if (n == 0 || n >= sizeof head) return NULL;
    memcpy(head, path, n);
    head[n] = '\0';
    return tpa_gw_json_path(json_object_get(obj, head), dot + 1);
}

/* Rank of a value type in the sort: numbers, strings, booleans, other; missing last. */
static int rank(const json_t *v)
{
    if (!v || json_is_null(v)) return 4;
    if (json_is_number(v)) return 0;
    if (json_is_string(v)) return 1;
    if (json_is_boolean(v)) return 2;
    return 3;
}

int tpa_gw_slice_compare(const json_t *a, const json_t *b, bool desc)
{
    int ra = rank(a), rb = rank(b), c = 0;

    if (ra == 4 || rb == 4) return ra - rb; /* missing last, whatever the direction */
    if (ra != rb) {
        c = ra - rb;
    } else if (ra == 0) {
        if (json_is_integer(a) && json_is_integer(b)) {
            json_int_t x = json_integer_value(a), y = json_integer_value(b);
            c = x < y ? -1 : x > y;
        } else {
            double x = json_number_value(a), y = json_number_value(b);
            c = x < y ? -1 : x > y;
        }
    } else if (ra == 1) {
        size_t la = json_string_length(a), lb = json_string_length(b);
        c = memcmp(json_string_value(a), json_string_value(b), la < lb ? la : lb);
        if (c == 0) c = la < lb ? -1 : la > lb;
    } else if (ra == 2) {
        c = (int)json_is_true(a) - (int)json_is_true(b);
    }
    return desc ? -c : c;
}

typedef struct entry {
    json_t *item;
    json_t *key; /* borrowed sort key or NULL */
} entry_t;

/* Stable merge sort of e[0..n) using tmp as scratch. */
static void merge_sort(entry_t *e, entry_t *tmp, size_t n, bool desc)
{
    size_t mid, i, j, k;

    if (n < 2) return;
    mid = n / 2;
    merge_sort(e, tmp, mid, desc);
    merge_sort(e + mid, tmp, n - mid, desc);
    for (i = 0, j = mid, k = 0; i < mid && j < n;)
        tmp[k++] = tpa_gw_slice_compare(e[j].key, e[i].key, desc) < 0 ? e[j++] : e[i++];
    while (i < mid)
        tmp[k++] = e[i++];
    while (j < n)
        tmp[k++] = e[j++];
    memcpy(e, tmp, n * sizeof *e);
}

json_t *tpa_gw_slice(const json_t *items, const tpa_gw_slice_opts_t *o, size_t *total)
{
    size_t n = json_is_array(items) ? json_array_size(items) : 0, m = 0;
    entry_t *e = NULL, *tmp = NULL;
    json_t *out = json_array();
    const char *field = o->sort && *o->sort ? o->sort : NULL;
    bool desc = false;

    *total = 0;
    if (!out) return NULL;
    if (n == 0) return out;
    if (field && field[0] == '-') {
        desc = true;
        field++;
    }
    e = malloc(n * sizeof *e);
    if (!e) goto fail;
    for (size_t i = 0; i < n; i++) {
        json_t *it = json_array_get(items, i);
        if (!tpa_gw_slice_match(it, o->q)) continue;
        e[m].item = it;
        e[m].key = field ? tpa_gw_json_path(it, field) : NULL;
        m++;
    }
    if (field && *field && m > 1) {
        tmp = malloc(m * sizeof *tmp);
        if (!tmp) goto fail;
        merge_sort(e, tmp, m, desc);
    }
    *total = m;
    for (size_t i = o->offset; i < m && i - o->offset < o->limit; i++)
        if (json_array_append(out, e[i].item) < 0) goto fail;
    free(tmp);
    free(e);
    return out;

fail:
    free(tmp);
    free(e);
    json_decref(out);
    *total = 0;
    return NULL;
}
