/* tpa_gw_slice.c - filter/sort/page for the REST slices (see tpa_gw_slice.h). */
#include "tpa_gw_slice.h"
#include "tpa_err.h"
#include "tpa_gw_jscan.h"

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
    const char *p;
    size_t n;
    json_t *key; /* owned sort key or NULL */
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

typedef struct collect {
    const tpa_gw_slice_opts_t *o;
    const char *field; /* sort field without '-' or NULL */
    entry_t *e;
    size_t n, cap;
} collect_t;

/* tpa_gw_slice_match on the element's text, without building it: the same result
 * for well-formed JSON (strings with escapes are decoded before matching; object
 * keys are skipped; integers match on their text). Cost: O(n), no allocation
 * unless a string has escapes. */
static bool match_text(const char *t, size_t n, const char *q, size_t qn)
{
    int depth = 0;
    size_t p = 0;

    while (p < n) {
        char ch = t[p];
        if (ch == '{' || ch == '[') {
            depth++;
            p++;
        } else if (ch == '}' || ch == ']') {
            depth--;
            p++;
        } else if (ch == ',' || ch == ':' || ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
            p++;
        } else if (ch == '"') {
            long e = tpa_gw_jscan_skip(t, n, p);
            size_t k;
            if (e < 0) return false;
            for (k = (size_t)e; k < n && strchr(" \t\r\n", t[k]) && t[k]; k++)
                ;
            if ((k >= n || t[k] != ':') && depth <= MATCH_DEPTH) { /* a value, not a key */
                const char *s = t + p + 1;
                size_t sl = (size_t)e - p - 2;
                if (!memchr(s, '\\', sl)) {
                    if (contains_ci(s, sl, q, qn)) return true;
                } else {
                    json_t *v = json_loadb(t + p, (size_t)e - p, JSON_DECODE_ANY, NULL);
                    bool hit = v && contains_ci(json_string_value(v), json_string_length(v), q, qn);
                    json_decref(v);
                    if (hit) return true;
                }
            }
            p = (size_t)e;
        } else {
            size_t s = p;
            bool integer = true;
            while (p < n && !strchr(",:]} \t\r\n", t[p]) && t[p]) {
                if (!((t[p] >= '0' && t[p] <= '9') || (t[p] == '-' && p == s))) integer = false;
                p++;
            }
            if (p == s) return false; /* a character no JSON value starts with */
            if (integer && depth <= MATCH_DEPTH && contains_ci(t + s, p - s, q, qn)) return true;
        }
    }
    return false;
}

/* tpa_gw_json_path on the element's text: parses only the value found. Returns a
 * new reference or NULL. */
static json_t *path_text(const char *t, size_t n, const char *path)
{
    size_t off, len, hl;
    const char *dot;
    char head[256];

    if (!*path) return NULL;
    if (tpa_gw_jscan_member(t, n, path, &off, &len) == 0)
        return json_loadb(t + off, len, JSON_DECODE_ANY, NULL);
    dot = strchr(path, '.');
    if (!dot) return NULL;
    hl = (size_t)(dot - path);
    if (hl == 0 || hl >= sizeof head) return NULL;
    memcpy(head, path, hl);
    head[hl] = '\0';
    if (tpa_gw_jscan_member(t, n, head, &off, &len) != 0) return NULL;
    return path_text(t + off, len, dot + 1);
}

static int collect_cb(const char *p, size_t n, void *ud)
{
    collect_t *c = ud;
    json_t *key = NULL;

    if (c->o->q && *c->o->q && !match_text(p, n, c->o->q, strlen(c->o->q))) return 0;
    if (c->field) key = path_text(p, n, c->field);
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        entry_t *e = realloc(c->e, cap * sizeof *e);
        if (!e) {
            json_decref(key);
            return TPA_ERR_NOMEM;
        }
        c->e = e;
        c->cap = cap;
    }
    c->e[c->n].p = p;
    c->e[c->n].n = n;
    c->e[c->n].key = key;
    c->n++;
    return 0;
}

int tpa_gw_slice_select(const char *text, size_t len, const tpa_gw_slice_opts_t *o,
                        tpa_gw_span_t **spans, size_t *n, size_t *total)
{
    collect_t c = {.o = o};
    bool desc = false;
    int rc;

    *spans = NULL;
    *n = 0;
    *total = 0;
    if (o->sort && *o->sort) {
        c.field = o->sort;
        if (c.field[0] == '-') {
            desc = true;
            c.field++;
        }
        if (!*c.field) c.field = NULL;
    }
    rc = tpa_gw_jscan_array(text, len, collect_cb, &c);
    if (rc == 0 && c.field && c.n > 1) {
        entry_t *tmp = malloc(c.n * sizeof *tmp);
        if (tmp)
            merge_sort(c.e, tmp, c.n, desc);
        else
            rc = TPA_ERR_NOMEM;
        free(tmp);
    }
    if (rc == 0) {
        size_t first = o->offset < c.n ? o->offset : c.n;
        size_t count = c.n - first < o->limit ? c.n - first : o->limit;
        *total = c.n;
        if (count > 0) {
            *spans = malloc(count * sizeof **spans);
            if (!*spans) {
                rc = TPA_ERR_NOMEM;
            } else {
                for (size_t i = 0; i < count; i++) {
                    (*spans)[i].p = c.e[first + i].p;
                    (*spans)[i].n = c.e[first + i].n;
                }
                *n = count;
            }
        }
    }
    for (size_t i = 0; i < c.n; i++)
        json_decref(c.e[i].key);
    free(c.e);
    if (rc != 0) *total = 0;
    return rc;
}

int tpa_gw_slice_text(const char *text, size_t len, const tpa_gw_slice_opts_t *o, tpa_gw_buf_t *out,
                      size_t *total)
{
    tpa_gw_span_t *spans;
    size_t n;
    int rc = tpa_gw_slice_select(text, len, o, &spans, &n, total);

    if (rc < 0) return rc;
    tpa_gw_buf_add(out, "[", 1);
    for (size_t i = 0; i < n; i++) {
        if (i) tpa_gw_buf_add(out, ",", 1);
        tpa_gw_buf_add(out, spans[i].p, spans[i].n);
    }
    tpa_gw_buf_add(out, "]", 1);
    free(spans);
    return out->failed ? TPA_ERR_NOMEM : 0;
}
