/* tpa_gw_csv.c - RFC 4180 CSV rendering of result tables (see tpa_gw_csv.h). */
#include "tpa_gw_csv.h"
#include "tpa_gw_slice.h"
#include "tpa_err.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLATTEN_DEPTH 3

void tpa_gw_csv_field(tpa_gw_buf_t *b, const char *s, size_t n, bool text)
{
    bool quote = n > 0 && (s[0] == ' ' || s[n - 1] == ' ');
    bool guard = text && n > 0 && strchr("=+-@\t\r", s[0]) != NULL;

    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (quote) tpa_gw_buf_add(b, "\"", 1);
    if (guard) tpa_gw_buf_add(b, "'", 1);
    if (!quote) {
        tpa_gw_buf_add(b, s, n);
        return;
    }
    for (size_t i = 0, run = 0; i <= n; i++) {
        if (i == n || s[i] == '"') {
            tpa_gw_buf_add(b, s + run, i - run);
            if (i < n) tpa_gw_buf_add(b, "\"\"", 2);
            run = i + 1;
        }
    }
    tpa_gw_buf_add(b, "\"", 1);
}

void tpa_gw_csv_value(tpa_gw_buf_t *b, const json_t *v)
{
    char num[64];
    int n;

    if (!v) return;
    switch (json_typeof(v)) {
    case JSON_STRING:
        tpa_gw_csv_field(b, json_string_value(v), json_string_length(v), true);
        break;
    case JSON_INTEGER:
        n = snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        tpa_gw_buf_add(b, num, (size_t)n);
        break;
    case JSON_REAL:
        n = snprintf(num, sizeof num, "%.6f", json_real_value(v));
        if (n <= 0 || (size_t)n >= sizeof num) break;
        if (strchr(num, '.')) {
            while (n > 0 && num[n - 1] == '0')
                n--;
            if (n > 0 && num[n - 1] == '.') n--;
        }
        tpa_gw_buf_add(b, num, (size_t)n);
        break;
    case JSON_TRUE:
        tpa_gw_buf_str(b, "true");
        break;
    case JSON_FALSE:
        tpa_gw_buf_str(b, "false");
        break;
    case JSON_NULL:
        break;
    default: {
        char *text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
        if (!text) {
            b->failed = true;
            break;
        }
        tpa_gw_csv_field(b, text, strlen(text), false);
        free(text);
    }
    }
}

/* True when obj can be flattened: an object none of whose keys contains '.'. */
static bool flattenable(const json_t *obj)
{
    const char *key;
    json_t *v;

    if (!json_is_object(obj) || json_object_size(obj) == 0) return false;
    json_object_foreach((json_t *)obj, key, v)
    {
        if (strchr(key, '.') || !*key) return false;
    }
    return true;
}

static int add_columns(json_t *cols, json_t *seen, const json_t *obj, const char *prefix, int depth)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)obj, key, v)
    {
        char name[512];
        int n = snprintf(name, sizeof name, "%s%s%s", prefix, *prefix ? "." : "", key);
        if (n < 0 || (size_t)n >= sizeof name) continue;
        if (depth < FLATTEN_DEPTH && flattenable(v)) {
            if (add_columns(cols, seen, v, name, depth + 1) < 0) return -1;
            continue;
        }
        if (json_object_get(seen, name)) continue;
        if (json_object_set_new(seen, name, json_true()) < 0 ||
            json_array_append_new(cols, json_string(name)) < 0)
            return -1;
    }
    return 0;
}

int tpa_gw_csv_cols_init(tpa_gw_csv_cols_t *c)
{
    c->names = json_array();
    c->seen = json_object();
    if (!c->names || !c->seen) {
        tpa_gw_csv_cols_fini(c);
        return TPA_ERR_NOMEM;
    }
    return 0;
}

int tpa_gw_csv_cols_add(tpa_gw_csv_cols_t *c, const json_t *item)
{
    if (!json_is_object(item)) return 0;
    return add_columns(c->names, c->seen, item, "", 0) < 0 ? TPA_ERR_NOMEM : 0;
}

void tpa_gw_csv_cols_fini(tpa_gw_csv_cols_t *c)
{
    json_decref(c->names);
    json_decref(c->seen);
    c->names = c->seen = NULL;
}

json_t *tpa_gw_csv_columns(const json_t *items)
{
    tpa_gw_csv_cols_t c;
    json_t *names;
    size_t i;
    json_t *it;

    if (tpa_gw_csv_cols_init(&c) < 0) return NULL;
    json_array_foreach(items, i, it)
    {
        if (tpa_gw_csv_cols_add(&c, it) < 0) {
            tpa_gw_csv_cols_fini(&c);
            return NULL;
        }
    }
    names = json_incref(c.names);
    tpa_gw_csv_cols_fini(&c);
    return names;
}

void tpa_gw_csv_header(tpa_gw_buf_t *b, const json_t *columns)
{
    size_t i;
    json_t *c;

    json_array_foreach(columns, i, c)
    {
        if (i) tpa_gw_buf_add(b, ",", 1);
        tpa_gw_csv_field(b, json_string_value(c), json_string_length(c), true);
    }
    tpa_gw_buf_add(b, "\r\n", 2);
}

void tpa_gw_csv_row(tpa_gw_buf_t *b, const json_t *item, const json_t *columns)
{
    size_t i;
    json_t *c;

    json_array_foreach(columns, i, c)
    {
        if (i) tpa_gw_buf_add(b, ",", 1);
        tpa_gw_csv_value(b, tpa_gw_json_path(item, json_string_value(c)));
    }
    tpa_gw_buf_add(b, "\r\n", 2);
}
