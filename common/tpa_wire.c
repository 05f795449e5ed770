/* tpa_wire.c - msgpack <-> jansson conversion and the typed wire messages.
 *
 * Packing uses msgpack-c's packer. Unpacking uses a small bounds-checked
 * decoder of our own rather than msgpack_unpack_next: msgpack-c 4.0's unpacker
 * allocates every container's declared size up front (a 5-byte array32 header
 * asks its zone for ~64 GB, which aborts a sanitizer build and can exhaust
 * memory) and its compiled-in nesting limit (32) is below ours (64). Here every
 * declared count is checked against the bytes left before anything is
 * allocated, and each element needs at least one byte, so memory stays
 * proportional to the input.
 *
 * Format reference: the msgpack specification (github.com/msgpack/msgpack/blob/master/spec.md),
 * "Formats" section: nil c0, bool c2/c3, bin8/16/32 c4-c6, ext8/16/32 c7-c9, float32/64 ca/cb,
 * uint8..64 cc-cf, int8..64 d0-d3, fixext d4-d8, str8/16/32 d9-db, array16/32 dc/dd,
 * map16/32 de/df, fixint 00-7f / e0-ff, fixmap 80-8f, fixarray 90-9f, fixstr a0-bf.
 */
#include "tpa_wire.h"
#include "tpa_err.h"
#include "tpa_job.h"

#include <limits.h>
#include <math.h>
#include <msgpack.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIRE_DEPTH_MAX 64

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (!err || errlen == 0) return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- packing ---------------------------------------------------------- */

static int pack_value(msgpack_packer *pk, const json_t *v, int depth)
{
    if (depth > WIRE_DEPTH_MAX) return TPA_ERR_TOOBIG;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *val;
        if (msgpack_pack_map(pk, json_object_size(v))) return TPA_ERR_NOMEM;
        json_object_foreach((json_t *)v, key, val)
        {
            size_t klen = strlen(key);
            int rc;
            if (msgpack_pack_str_with_body(pk, key, klen)) return TPA_ERR_NOMEM;
            rc = pack_value(pk, val, depth + 1);
            if (rc < 0) return rc;
        }
        return 0;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *val;
        if (msgpack_pack_array(pk, json_array_size(v))) return TPA_ERR_NOMEM;
        json_array_foreach(v, i, val)
        {
            int rc = pack_value(pk, val, depth + 1);
            if (rc < 0) return rc;
        }
        return 0;
    }
    case JSON_STRING:
        return msgpack_pack_str_with_body(pk, json_string_value(v), json_string_length(v))
                   ? TPA_ERR_NOMEM
                   : 0;
    case JSON_INTEGER:
        return msgpack_pack_int64(pk, (int64_t)json_integer_value(v)) ? TPA_ERR_NOMEM : 0;
    case JSON_REAL:
        return msgpack_pack_double(pk, json_real_value(v)) ? TPA_ERR_NOMEM : 0;
    case JSON_TRUE:
        return msgpack_pack_true(pk) ? TPA_ERR_NOMEM : 0;
    case JSON_FALSE:
        return msgpack_pack_false(pk) ? TPA_ERR_NOMEM : 0;
    case JSON_NULL:
        return msgpack_pack_nil(pk) ? TPA_ERR_NOMEM : 0;
    }
    return TPA_ERR_INVALID;
}

int tpa_wire_pack(const json_t *obj, char **buf, size_t *len)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    int rc;

    if (!obj || !buf || !len) return TPA_ERR_INVALID;
    *buf = NULL;
    *len = 0;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    rc = pack_value(&pk, obj, 1);
    if (rc < 0 || sb.size == 0) {
        msgpack_sbuffer_destroy(&sb);
        return rc < 0 ? rc : TPA_ERR_INVALID;
    }
    *len = sb.size;
    *buf = msgpack_sbuffer_release(&sb);
    return 0;
}

/* ---- unpacking -------------------------------------------------------- */

typedef struct rd {
    const unsigned char *cur, *end;
    char *err;
    size_t errlen;
} rd_t;

static size_t rd_left(const rd_t *r)
{
    return (size_t)(r->end - r->cur);
}

static bool rd_need(rd_t *r, size_t n, const char *what)
{
    if (rd_left(r) < n) {
        set_err(r->err, r->errlen, "truncated message: %s needs %zu bytes, %zu left", what, n,
                rd_left(r));
        return false;
    }
    return true;
}

static uint64_t rd_be(rd_t *r, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | r->cur[i];
    r->cur += n;
    return v;
}

/* Reads an n-byte big-endian length/count field; false if truncated. */
static bool rd_len(rd_t *r, size_t n, uint64_t *out, const char *what)
{
    if (!rd_need(r, n, what)) return false;
    *out = rd_be(r, n);
    return true;
}

static json_t *unpack_value(rd_t *r, int depth);

static json_t *make_string(rd_t *r, uint64_t n, const char *what)
{
    json_t *s;
    if (!rd_need(r, n, what)) return NULL;
    s = json_stringn((const char *)r->cur, (size_t)n);
    if (!s) {
        set_err(r->err, r->errlen, "%s is not valid UTF-8", what);
        return NULL;
    }
    r->cur += n;
    return s;
}

static json_t *unpack_array(rd_t *r, uint64_t n, int depth)
{
    json_t *a;
    if (n > rd_left(r)) { /* each element takes at least one byte */
        set_err(r->err, r->errlen, "array of %llu elements in %zu bytes", (unsigned long long)n,
                rd_left(r));
        return NULL;
    }
    a = json_array();
    if (!a) goto fail_nomem;
    for (uint64_t i = 0; i < n; i++) {
        json_t *v = unpack_value(r, depth + 1);
        if (!v) goto fail_array;
        if (json_array_append_new(a, v) < 0) goto fail_nomem_array;
    }
    return a;

fail_nomem_array:
    set_err(r->err, r->errlen, "out of memory");
fail_array:
    json_decref(a);
    return NULL;
fail_nomem:
    set_err(r->err, r->errlen, "out of memory");
    return NULL;
}

static json_t *unpack_map(rd_t *r, uint64_t n, int depth)
{
    json_t *o;
    if (n > rd_left(r) / 2) { /* each entry takes at least two bytes */
        set_err(r->err, r->errlen, "map of %llu entries in %zu bytes", (unsigned long long)n,
                rd_left(r));
        return NULL;
    }
    o = json_object();
    if (!o) {
        set_err(r->err, r->errlen, "out of memory");
        return NULL;
    }
    for (uint64_t i = 0; i < n; i++) {
        json_t *k, *v;
        if (!rd_need(r, 1, "map key")) goto fail_object;
        k = unpack_value(r, depth + 1);
        if (!k) goto fail_object;
        if (!json_is_string(k) || memchr(json_string_value(k), 0, json_string_length(k))) {
            set_err(r->err, r->errlen, "map key is not a string");
            json_decref(k);
            goto fail_object;
        }
        v = unpack_value(r, depth + 1);
        if (!v) {
            json_decref(k);
            goto fail_object;
        }
        if (json_object_set_new(o, json_string_value(k), v) < 0) {
            set_err(r->err, r->errlen, "cannot store map key");
            json_decref(k);
            goto fail_object;
        }
        json_decref(k);
    }
    return o;

fail_object:
    json_decref(o);
    return NULL;
}

static json_t *make_int(rd_t *r, long long v)
{
    json_t *j = json_integer((json_int_t)v);
    if (!j) set_err(r->err, r->errlen, "out of memory");
    return j;
}

static json_t *make_real(rd_t *r, double d)
{
    json_t *j;
    if (!isfinite(d)) {
        set_err(r->err, r->errlen, "non-finite real");
        return NULL;
    }
    j = json_real(d);
    if (!j) set_err(r->err, r->errlen, "out of memory");
    return j;
}

static json_t *skip_ext(rd_t *r, uint64_t n)
{
    if (!rd_need(r, 1 + n, "ext payload")) return NULL;
    r->cur += 1 + n; /* type byte + data */
    return json_null();
}

static json_t *unpack_value(rd_t *r, int depth)
{
    unsigned char b;
    uint64_t n;

    if (depth > WIRE_DEPTH_MAX) {
        set_err(r->err, r->errlen, "nesting deeper than %d levels", WIRE_DEPTH_MAX);
        return NULL;
    }
    if (!rd_need(r, 1, "value")) return NULL;
    b = *r->cur++;

    if (b <= 0x7f) return make_int(r, b);
    if (b >= 0xe0) return make_int(r, (long long)b - 256);
    if (b >= 0x80 && b <= 0x8f) return unpack_map(r, b & 0x0f, depth);
    if (b >= 0x90 && b <= 0x9f) return unpack_array(r, b & 0x0f, depth);
    if (b >= 0xa0 && b <= 0xbf) return make_string(r, b & 0x1f, "string");

    switch (b) {
    case 0xc0:
        return json_null();
    case 0xc2:
        return json_false();
    case 0xc3:
        return json_true();
    case 0xc4:
        return rd_len(r, 1, &n, "bin8") ? make_string(r, n, "bin") : NULL;
    case 0xc5:
        return rd_len(r, 2, &n, "bin16") ? make_string(r, n, "bin") : NULL;
    case 0xc6:
        return rd_len(r, 4, &n, "bin32") ? make_string(r, n, "bin") : NULL;
    case 0xc7:
        return rd_len(r, 1, &n, "ext8") ? skip_ext(r, n) : NULL;
    case 0xc8:
        return rd_len(r, 2, &n, "ext16") ? skip_ext(r, n) : NULL;
    case 0xc9:
        return rd_len(r, 4, &n, "ext32") ? skip_ext(r, n) : NULL;
    case 0xca: {
        uint32_t u;
        float f;
        if (!rd_len(r, 4, &n, "float32")) return NULL;
        u = (uint32_t)n;
        memcpy(&f, &u, sizeof f);
        return make_real(r, (double)f);
    }
    case 0xcb: {
        double d;
        if (!rd_len(r, 8, &n, "float64")) return NULL;
        memcpy(&d, &n, sizeof d);
        return make_real(r, d);
    }
    case 0xcc:
        return rd_len(r, 1, &n, "uint8") ? make_int(r, (long long)n) : NULL;
    case 0xcd:
        return rd_len(r, 2, &n, "uint16") ? make_int(r, (long long)n) : NULL;
    case 0xce:
        return rd_len(r, 4, &n, "uint32") ? make_int(r, (long long)n) : NULL;
    case 0xcf:
        if (!rd_len(r, 8, &n, "uint64")) return NULL;
        if (n > (uint64_t)LLONG_MAX) {
            set_err(r->err, r->errlen, "integer %llu out of range", (unsigned long long)n);
            return NULL;
        }
        return make_int(r, (long long)n);
    case 0xd0:
        return rd_len(r, 1, &n, "int8") ? make_int(r, (int8_t)(uint8_t)n) : NULL;
    case 0xd1:
        return rd_len(r, 2, &n, "int16") ? make_int(r, (int16_t)(uint16_t)n) : NULL;
    case 0xd2:
        return rd_len(r, 4, &n, "int32") ? make_int(r, (int32_t)(uint32_t)n) : NULL;
    case 0xd3:
        return rd_len(r, 8, &n, "int64") ? make_int(r, (long long)(int64_t)n) : NULL;
    case 0xd4:
        return skip_ext(r, 1);
    case 0xd5:
        return skip_ext(r, 2);
    case 0xd6:
        return skip_ext(r, 4);
    case 0xd7:
        return skip_ext(r, 8);
    case 0xd8:
        return skip_ext(r, 16);
    case 0xd9:
        return rd_len(r, 1, &n, "str8") ? make_string(r, n, "string") : NULL;
    case 0xda:
        return rd_len(r, 2, &n, "str16") ? make_string(r, n, "string") : NULL;
    case 0xdb:
        return rd_len(r, 4, &n, "str32") ? make_string(r, n, "string") : NULL;
    case 0xdc:
        return rd_len(r, 2, &n, "array16") ? unpack_array(r, n, depth) : NULL;
    case 0xdd:
        return rd_len(r, 4, &n, "array32") ? unpack_array(r, n, depth) : NULL;
    case 0xde:
        return rd_len(r, 2, &n, "map16") ? unpack_map(r, n, depth) : NULL;
    case 0xdf:
        return rd_len(r, 4, &n, "map32") ? unpack_map(r, n, depth) : NULL;
    default:
        break;
    }
    set_err(r->err, r->errlen, "invalid msgpack type byte 0x%02x", b);
    return NULL;
}

json_t *tpa_wire_unpack(const void *buf, size_t len, char *err, size_t errlen)
{
    rd_t r;
    json_t *v;

    set_err(err, errlen, "%s", "");
    if (!buf || len == 0) {
        set_err(err, errlen, "empty message");
        return NULL;
    }
    r.cur = buf;
    r.end = r.cur + len;
    r.err = err;
    r.errlen = errlen;
    v = unpack_value(&r, 1);
    if (!v) return NULL;
    if (r.cur != r.end) {
        set_err(err, errlen, "%zu trailing bytes after the message", rd_left(&r));
        json_decref(v);
        return NULL;
    }
    return v;
}

/* ---- typed messages --------------------------------------------------- */

const char *tpa_wire_type(const json_t *msg, char *err, size_t errlen)
{
    const json_t *v, *t;
    const char *type;

    if (!json_is_object(msg)) {
        set_err(err, errlen, "message is not a map");
        return NULL;
    }
    v = json_object_get(msg, "v");
    if (!json_is_integer(v)) {
        set_err(err, errlen, "message has no integer \"v\"");
        return NULL;
    }
    if (json_integer_value(v) != TPA_WIRE_VERSION) {
        set_err(err, errlen, "unsupported message version %" JSON_INTEGER_FORMAT,
                json_integer_value(v));
        return NULL;
    }
    t = json_object_get(msg, "type");
    if (!json_is_string(t)) {
        set_err(err, errlen, "message has no string \"type\"");
        return NULL;
    }
    type = json_string_value(t);
    if (strcmp(type, "job") && strcmp(type, "flow_batch") && strcmp(type, "rca")) {
        set_err(err, errlen, "unknown message type \"%.32s\"", type);
        return NULL;
    }
    return type;
}

/* Copies optional/required string field `key` into out[outlen]. */
static int get_str(const json_t *msg, const char *key, bool required, char *out, size_t outlen,
                   char *err, size_t errlen)
{
    const json_t *v = json_object_get(msg, key);
    size_t n;

    out[0] = '\0';
    if (!v || json_is_null(v)) {
        if (required) {
            set_err(err, errlen, "missing \"%s\"", key);
            return TPA_ERR_FORMAT;
        }
        return 0;
    }
    if (!json_is_string(v)) {
        set_err(err, errlen, "\"%s\" is not a string", key);
        return TPA_ERR_FORMAT;
    }
    n = json_string_length(v);
    if (n >= outlen) {
        set_err(err, errlen, "\"%s\" longer than %zu bytes", key, outlen - 1);
        return TPA_ERR_FORMAT;
    }
    if (memchr(json_string_value(v), 0, n)) {
        set_err(err, errlen, "\"%s\" contains a NUL byte", key);
        return TPA_ERR_FORMAT;
    }
    memcpy(out, json_string_value(v), n + 1);
    return 0;
}

static bool sha256_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0) return true;
    if (n != 64) return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F')))
            return false;
    }
    return true;
}

json_t *tpa_wire_job_build(const tpa_wire_job_t *j)
{
    json_t *m;

    if (!j || !tpa_job_id_valid(j->job) || (j->capture[0] && !tpa_job_id_valid(j->capture)))
        return NULL;
    if (j->size > (uint64_t)LLONG_MAX || !sha256_ok(j->sha256)) return NULL;
    if (!j->path[0] && !j->url[0]) return NULL;
    if (j->options && !json_is_object(j->options)) return NULL;
    m = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "v", TPA_WIRE_VERSION, "type", "job",
                  "job", j->job, "capture", j->capture, "path", j->path, "url", j->url, "size",
                  (json_int_t)j->size, "sha256", j->sha256);
    if (!m) return NULL;
    if (json_object_set_new(m, "options", j->options ? json_deep_copy(j->options) : json_object()) <
        0) {
        json_decref(m);
        return NULL;
    }
    return m;
}

int tpa_wire_job_parse(const json_t *msg, tpa_wire_job_t *out, char *err, size_t errlen)
{
    const char *type;
    const json_t *v;
    int rc;

    if (!out) return TPA_ERR_INVALID;
    memset(out, 0, sizeof *out);
    type = tpa_wire_type(msg, err, errlen);
    if (!type) return TPA_ERR_FORMAT;
    if (strcmp(type, "job")) {
        set_err(err, errlen, "expected a job message, got \"%s\"", type);
        return TPA_ERR_FORMAT;
    }
    if ((rc = get_str(msg, "job", true, out->job, sizeof out->job, err, errlen)) < 0 ||
        (rc = get_str(msg, "capture", false, out->capture, sizeof out->capture, err, errlen)) < 0 ||
        (rc = get_str(msg, "path", false, out->path, sizeof out->path, err, errlen)) < 0 ||
        (rc = get_str(msg, "url", false, out->url, sizeof out->url, err, errlen)) < 0 ||
        (rc = get_str(msg, "sha256", false, out->sha256, sizeof out->sha256, err, errlen)) < 0)
        goto fail;
    if (!tpa_job_id_valid(out->job)) {
        set_err(err, errlen, "invalid job id");
        goto fail;
    }
    if (out->capture[0] && !tpa_job_id_valid(out->capture)) {
        set_err(err, errlen, "invalid capture id");
        goto fail;
    }
    if (!out->path[0] && !out->url[0]) {
        set_err(err, errlen, "job has neither \"path\" nor \"url\"");
        goto fail;
    }
    if (!sha256_ok(out->sha256)) {
        set_err(err, errlen, "\"sha256\" is not 64 hex digits");
        goto fail;
    }
    v = json_object_get(msg, "size");
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
        set_err(err, errlen, "\"size\" missing or not a non-negative integer");
        goto fail;
    }
    out->size = (uint64_t)json_integer_value(v);
    v = json_object_get(msg, "options");
    if (v && !json_is_null(v)) {
        if (!json_is_object(v)) {
            set_err(err, errlen, "\"options\" is not a map");
            goto fail;
        }
        out->options = json_incref((json_t *)v);
    }
    return 0;

fail:
    memset(out, 0, sizeof *out);
    return TPA_ERR_FORMAT;
}

#define TPA_WIRE_TASKS_MAX 100000

json_t *tpa_wire_task_build(const tpa_wire_task_t *t)
{
    json_t *m;

    if (!t || (strcmp(t->type, "flow_batch") && strcmp(t->type, "rca"))) return NULL;
    if (!tpa_job_id_valid(t->job) || t->tasks < 1 || t->tasks > TPA_WIRE_TASKS_MAX || t->task < 0 ||
        t->task >= t->tasks || !json_is_object(t->digest))
        return NULL;
    m = json_pack("{s:i, s:s, s:s, s:i, s:i}", "v", TPA_WIRE_VERSION, "type", t->type, "job",
                  t->job, "task", t->task, "tasks", t->tasks);
    if (!m) return NULL;
    if (json_object_set_new(m, "digest", json_deep_copy(t->digest)) < 0) {
        json_decref(m);
        return NULL;
    }
    return m;
}

int tpa_wire_task_parse(const json_t *msg, tpa_wire_task_t *out, char *err, size_t errlen)
{
    const char *type;
    const json_t *task, *tasks, *digest;

    if (!out) return TPA_ERR_INVALID;
    memset(out, 0, sizeof *out);
    type = tpa_wire_type(msg, err, errlen);
    if (!type) return TPA_ERR_FORMAT;
    if (strcmp(type, "flow_batch") && strcmp(type, "rca")) {
        set_err(err, errlen, "expected a task message, got \"%s\"", type);
        return TPA_ERR_FORMAT;
    }
    snprintf(out->type, sizeof out->type, "%s", type);
    if (get_str(msg, "job", true, out->job, sizeof out->job, err, errlen) < 0) goto fail;
    if (!tpa_job_id_valid(out->job)) {
        set_err(err, errlen, "invalid job id");
        goto fail;
    }
    task = json_object_get(msg, "task");
    tasks = json_object_get(msg, "tasks");
    if (!json_is_integer(tasks) || json_integer_value(tasks) < 1 ||
        json_integer_value(tasks) > TPA_WIRE_TASKS_MAX) {
        set_err(err, errlen, "\"tasks\" missing or not an integer from 1 to %d",
                TPA_WIRE_TASKS_MAX);
        goto fail;
    }
    if (!json_is_integer(task) || json_integer_value(task) < 0 ||
        json_integer_value(task) >= json_integer_value(tasks)) {
        set_err(err, errlen, "\"task\" missing or not an index below \"tasks\"");
        goto fail;
    }
    digest = json_object_get(msg, "digest");
    if (!json_is_object(digest)) {
        set_err(err, errlen, "\"digest\" missing or not a map");
        goto fail;
    }
    out->task = (int)json_integer_value(task);
    out->tasks = (int)json_integer_value(tasks);
    out->digest = json_incref((json_t *)digest);
    return 0;

fail:
    memset(out, 0, sizeof *out);
    return TPA_ERR_FORMAT;
}
