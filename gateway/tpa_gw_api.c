/* tpa_gw_api.c - REST routing and job endpoints (see tpa_gw_api.h). */
#include "tpa_gw_api.h"
#include "tpa_err.h"
#include "tpa_gw_csv.h"
#include "tpa_gw_http.h"
#include "tpa_gw_jscan.h"
#include "tpa_gw_pool.h"
#include "tpa_gw_slice.h"
#include "tpa_gw_static.h"
#include "tpa_gw_upload.h"
#include "tpa_job.h"
#include "tpa_log.h"
#include "tpa_wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LIST_LIMIT_DEFAULT 50
#define LIST_LIMIT_MAX 500
#define CSV_FLUSH (64 * 1024)
#define BIG_REPLY (4 * 1024 * 1024)

static const char *const slice_tables[] = {"flows", "transactions", "ues", "findings"};
static const char *const csv_tables[] = {"flows", "transactions", "findings"};

static bool in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, list[i])) return true;
    return false;
}

static int method_not_allowed(struct mg_connection *c, const char *allow)
{
    char msg[128];
    int n = snprintf(msg, sizeof msg,
                     "{\"error\":{\"code\":\"method_not_allowed\",\"message\":\"use %s\"}}", allow);
    mg_printf(c,
              "HTTP/1.1 405 Method Not Allowed\r\nAllow: %s\r\nContent-Type: application/json\r\n"
              "Content-Length: %d\r\nCache-Control: no-store\r\n\r\n",
              allow, n);
    mg_write(c, msg, (size_t)n);
    return 405;
}

static redisContext *redis_or_503(struct mg_connection *c, tpa_gw_t *gw)
{
    char err[256];
    redisContext *r = tpa_gw_pool_get(gw->pool, err, sizeof err);
    if (!r) tpa_gw_reply_error(c, 503, "redis_unavailable", "job store unavailable: %s", err);
    return r;
}

/* Replies 404/503 for a job that could not be read. */
static int job_missing(struct mg_connection *c, redisContext *r, const char *id)
{
    if (r->err)
        return tpa_gw_reply_error(c, 503, "redis_unavailable", "job store error: %s", r->errstr);
    return tpa_gw_reply_error(c, 404, "not_found", "no job %s", id);
}

/* ---- /jobs --------------------------------------------------------------------- */

static int list_jobs(struct mg_connection *c, tpa_gw_t *gw, const char *qs)
{
    char state[32];
    long offset, limit;
    int total = 0, n, status;
    redisContext *r;
    json_t *jobs, *doc, *job;
    size_t i;

    n = tpa_gw_query_str(qs, "state", state, sizeof state);
    if (n == -2 || (n >= 0 && tpa_gw_state_index(state) < 0))
        return tpa_gw_reply_error(c, 400, "bad_state",
                                  "state must be one of queued, parsing, enriching, completed, "
                                  "failed, cancelled");
    if (tpa_gw_query_long(qs, "offset", 0, 0, 1000000000L, &offset) < 0 ||
        tpa_gw_query_long(qs, "limit", LIST_LIMIT_DEFAULT, 1, LIST_LIMIT_MAX, &limit) < 0)
        return tpa_gw_reply_error(c, 400, "bad_paging",
                                  "offset must be >= 0 and limit between 1 and %d", LIST_LIMIT_MAX);
    r = redis_or_503(c, gw);
    if (!r) return 503;
    jobs = tpa_job_list(r, n >= 0 ? state : NULL, (int)offset, (int)limit, &total);
    if (!jobs) {
        status = tpa_gw_reply_error(c, 503, "redis_unavailable", "cannot list jobs");
        tpa_gw_pool_put(gw->pool, r);
        return status;
    }
    tpa_gw_pool_put(gw->pool, r);
    json_array_foreach(jobs, i, job) json_object_del(job, "path");
    doc = json_pack("{s:o,s:i,s:i,s:i}", "jobs", jobs, "total", total, "offset", (int)offset,
                    "limit", (int)limit);
    if (!doc) return tpa_gw_reply_error(c, 500, "internal", "out of memory");
    status = tpa_gw_reply_json(c, 200, doc);
    json_decref(doc);
    return status;
}

static int get_job(struct mg_connection *c, tpa_gw_t *gw, const char *id)
{
    redisContext *r = redis_or_503(c, gw);
    json_t *job;
    int status;

    if (!r) return 503;
    job = tpa_job_get(r, id);
    if (!job) {
        status = job_missing(c, r, id);
    } else {
        json_object_del(job, "path");
        status = tpa_gw_reply_json(c, 200, job);
        json_decref(job);
    }
    tpa_gw_pool_put(gw->pool, r);
    return status;
}

/* Unlinks the capture at path if it is one of ours: <captures_dir>/<id>.<ext>. */
static void remove_capture(tpa_gw_t *gw, const char *id, const char *path)
{
    size_t dl = strlen(gw->captures_dir), il = strlen(id);

    if (!path || strncmp(path, gw->captures_dir, dl) || path[dl] != '/' ||
        strncmp(path + dl + 1, id, il) || path[dl + 1 + il] != '.' || strchr(path + dl + 1, '/')) {
        if (path && *path) tpa_warn(id, "not deleting %s: outside the capture store", path);
        return;
    }
    if (unlink(path) < 0 && errno != ENOENT)
        tpa_warn(id, "cannot delete %s: %s", path, strerror(errno));
}

static int delete_job(struct mg_connection *c, tpa_gw_t *gw, const char *id)
{
    redisContext *r = redis_or_503(c, gw);
    json_t *job, *doc;
    int rc, status;

    if (!r) return 503;
    job = tpa_job_get(r, id);
    if (!job) {
        status = job_missing(c, r, id);
        tpa_gw_pool_put(gw->pool, r);
        return status;
    }
    /* Cancel first so workers and WebSocket clients see it, then delete. */
    rc = tpa_job_update(r, id, TPA_JOB_CANCELLED, -1, TPA_JOB_CANCELLED, "cancelled by user");
    if (rc == 0 || rc == TPA_ERR_NOTFOUND) {
        remove_capture(gw, id, json_string_value(json_object_get(job, "path")));
        rc = tpa_job_delete(r, id);
    }
    json_decref(job);
    if (rc < 0 && rc != TPA_ERR_NOTFOUND) {
        status = tpa_gw_reply_error(c, 503, "redis_unavailable", "cannot delete the job: %s",
                                    tpa_strerror(rc));
    } else {
        tpa_info(id, "job cancelled and deleted");
        doc = json_pack("{s:s,s:b}", "id", id, "deleted", 1);
        status = doc ? tpa_gw_reply_json(c, 200, doc)
                     : tpa_gw_reply_error(c, 500, "internal", "out of memory");
        json_decref(doc);
    }
    tpa_gw_pool_put(gw->pool, r);
    return status;
}

/* ---- results ------------------------------------------------------------------- */

/* Fetches the job's result document after checking the job exists. Returns the
 * hiredis reply holding the text in ->str/->len (caller freeReplyObject's: no copy
 * of a possibly large document), or NULL after replying 404/409/503 itself.
 * require_completed: 409 unless the job is completed. */
static redisReply *load_result(struct mg_connection *c, tpa_gw_t *gw, const char *id,
                               bool require_completed)
{
    redisContext *r = redis_or_503(c, gw);
    redisReply *rep = NULL;
    json_t *job;
    const char *state;

    if (!r) return NULL;
    job = tpa_job_get(r, id);
    if (!job) {
        job_missing(c, r, id);
        goto done;
    }
    state = json_string_value(json_object_get(job, "state"));
    if (require_completed && (!state || strcmp(state, TPA_JOB_COMPLETED))) {
        tpa_gw_reply_error(c, 409, "not_ready", "job %s is %s, not completed", id,
                           state ? state : "in an unknown state");
        goto done;
    }
    rep = redisCommand(r, "GET tpa:job:%s:result", id);
    if (!rep || rep->type != REDIS_REPLY_STRING) {
        if (!rep || rep->type == REDIS_REPLY_ERROR)
            tpa_gw_reply_error(c, 503, "redis_unavailable", "job store error: %s",
                               rep ? rep->str : r->errstr);
        else
            tpa_gw_reply_error(c, 409, "not_ready", "job %s has no result yet (state %s)", id,
                               state ? state : "unknown");
        if (rep) freeReplyObject(rep);
        rep = NULL;
    }
done:
    json_decref(job);
    if (rep && rep->len > BIG_REPLY) {
        redisFree(r); /* drops hiredis' read buffer, as large as the document */
    } else {
        tpa_gw_pool_put(gw->pool, r);
    }
    return rep;
}

/* Frees a result reply. (Blocks of 1 MiB and more are mmap'd - see tpa_gw_main.c - so
 * the document's memory goes back to the system here.) */
static void free_result(redisReply *rep)
{
    if (rep) freeReplyObject(rep);
}

static int get_result(struct mg_connection *c, tpa_gw_t *gw, const char *id)
{
    redisReply *rep = load_result(c, gw, id, true);
    int status;

    if (!rep) return 409;
    status = tpa_gw_reply(c, 200, "application/json", rep->str, rep->len, false);
    free_result(rep);
    return status;
}

/* Finds the array `table` in the result text: *arr and *alen get its span ("[]" when
 * the document has no such member). Replies 500 and returns -1 for a corrupt
 * document. */
static int find_table(struct mg_connection *c, const char *id, const redisReply *rep,
                      const char *table, const char **arr, size_t *alen)
{
    size_t off = 0, len = 0;
    int rc = tpa_gw_jscan_member(rep->str, rep->len, table, &off, &len);

    if (rc == TPA_ERR_NOTFOUND || (rc == 0 && len == 4 && !memcmp(rep->str + off, "null", 4))) {
        *arr = "[]";
        *alen = 2;
        return 0;
    }
    if (rc < 0) {
        tpa_error(id, "stored result document is not a JSON object");
        tpa_gw_reply_error(c, 500, "bad_result", "the stored result document is corrupt");
        return -1;
    }
    *arr = rep->str + off;
    *alen = len;
    return 0;
}

/* Reads q/sort/offset/limit into *o (q and sort point into the given buffers).
 * Replies 400 and returns -1 on a bad value. */
static int slice_params(struct mg_connection *c, const char *qs, tpa_gw_slice_opts_t *o, char *q,
                        size_t qlen, char *sort, size_t sortlen)
{
    long offset, limit;

    memset(o, 0, sizeof *o);
    if (tpa_gw_query_long(qs, "offset", 0, 0, 1000000000L, &offset) < 0 ||
        tpa_gw_query_long(qs, "limit", LIST_LIMIT_DEFAULT, 1, LIST_LIMIT_MAX, &limit) < 0) {
        tpa_gw_reply_error(c, 400, "bad_paging", "offset must be >= 0 and limit between 1 and %d",
                           LIST_LIMIT_MAX);
        return -1;
    }
    if (tpa_gw_query_str(qs, "q", q, qlen) == -2 ||
        tpa_gw_query_str(qs, "sort", sort, sortlen) == -2) {
        tpa_gw_reply_error(c, 400, "bad_query", "q or sort is too long");
        return -1;
    }
    o->q = q;
    o->sort = sort;
    o->offset = (size_t)offset;
    o->limit = (size_t)limit;
    return 0;
}

static int get_slice(struct mg_connection *c, tpa_gw_t *gw, const char *id, const char *table,
                     const char *qs)
{
    char q[256], sort[128];
    tpa_gw_slice_opts_t o;
    tpa_gw_buf_t out = {0};
    redisReply *rep;
    const char *arr;
    size_t alen, total = 0;
    int rc, status;

    if (slice_params(c, qs, &o, q, sizeof q, sort, sizeof sort) < 0) return 400;
    rep = load_result(c, gw, id, false);
    if (!rep) return 409;
    if (find_table(c, id, rep, table, &arr, &alen) < 0) {
        free_result(rep);
        return 500;
    }
    tpa_gw_buf_str(&out, "{\"items\":");
    rc = tpa_gw_slice_text(arr, alen, &o, &out, &total);
    tpa_gw_buf_printf(&out, ",\"total\":%zu,\"offset\":%zu,\"limit\":%zu}", total, o.offset,
                      o.limit);
    if (rc == TPA_ERR_FORMAT) {
        tpa_error(id, "stored result has a malformed %s array", table);
        status = tpa_gw_reply_error(c, 500, "bad_result", "the stored result document is corrupt");
    } else if (rc < 0 || out.failed) {
        status = tpa_gw_reply_error(c, 500, "internal", "out of memory");
    } else {
        status = tpa_gw_reply(c, 200, "application/json", out.data, out.len, false);
    }
    tpa_gw_buf_free(&out);
    free_result(rep);
    return status;
}

static bool flush_chunk(struct mg_connection *c, tpa_gw_buf_t *b)
{
    bool ok = b->len == 0 || mg_send_chunk(c, b->data, (unsigned)b->len) > 0;
    b->len = 0;
    return ok;
}

/* Two passes over the selected rows, one element parsed at a time: the column set
 * (union of keys), then the records. */
static int export_csv(struct mg_connection *c, tpa_gw_t *gw, const char *id, const char *qs)
{
    char table[32], q[256], sort[128], extra[256];
    tpa_gw_slice_opts_t o = {0};
    tpa_gw_csv_cols_t cols = {0};
    tpa_gw_span_t *spans = NULL;
    tpa_gw_buf_t b = {0};
    redisReply *rep;
    const char *arr;
    size_t alen, n = 0, total = 0;
    int n_q, rc, status = 200;

    n_q = tpa_gw_query_str(qs, "table", table, sizeof table);
    if (n_q == -1) snprintf(table, sizeof table, "flows");
    if (n_q == -2 || !in_list(table, csv_tables, sizeof csv_tables / sizeof *csv_tables))
        return tpa_gw_reply_error(c, 400, "bad_table",
                                  "table must be flows, transactions or findings");
    if (tpa_gw_query_str(qs, "q", q, sizeof q) == -2 ||
        tpa_gw_query_str(qs, "sort", sort, sizeof sort) == -2)
        return tpa_gw_reply_error(c, 400, "bad_query", "q or sort is too long");
    o.q = q;
    o.sort = sort;
    o.limit = (size_t)-1;
    rep = load_result(c, gw, id, false);
    if (!rep) return 409;
    if (find_table(c, id, rep, table, &arr, &alen) < 0) {
        free_result(rep);
        return 500;
    }
    rc = tpa_gw_slice_select(arr, alen, &o, &spans, &n, &total);
    if (rc == 0) rc = tpa_gw_csv_cols_init(&cols);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        json_t *it = json_loadb(spans[i].p, spans[i].n, JSON_DECODE_ANY, NULL);
        rc = it ? tpa_gw_csv_cols_add(&cols, it) : TPA_ERR_FORMAT;
        json_decref(it);
    }
    if (rc < 0) {
        status = rc == TPA_ERR_FORMAT ? tpa_gw_reply_error(c, 500, "bad_result",
                                                           "the stored result document is corrupt")
                                      : tpa_gw_reply_error(c, 500, "internal", "out of memory");
        goto done;
    }
    snprintf(extra, sizeof extra, "Content-Disposition: attachment; filename=\"%s-%s.csv\"\r\n", id,
             table);
    if (tpa_gw_reply_chunked_start(c, 200, "text/csv; charset=utf-8", extra) < 0) goto done;
    tpa_gw_csv_header(&b, cols.names);
    for (size_t i = 0; i < n && !b.failed; i++) {
        json_t *it = json_loadb(spans[i].p, spans[i].n, JSON_DECODE_ANY, NULL);
        tpa_gw_csv_row(&b, it, cols.names);
        json_decref(it);
        if (b.len >= CSV_FLUSH && !flush_chunk(c, &b)) goto done;
    }
    if (!b.failed && flush_chunk(c, &b)) mg_send_chunk(c, "", 0);
done:
    tpa_gw_buf_free(&b);
    tpa_gw_csv_cols_fini(&cols);
    free(spans);
    free_result(rep);
    return status;
}

/* ---- routing --------------------------------------------------------------------- */

int tpa_gw_api_handler(struct mg_connection *c, void *cbdata)
{
    tpa_gw_t *gw = cbdata;
    const struct mg_request_info *ri = mg_get_request_info(c);
    const char *m = ri->request_method, *qs = ri->query_string;
    const char *rest = ri->local_uri + strlen("/api/v1");
    char id[TPA_ID_MAX], sub[32];
    const char *slash;
    size_t idlen;

    if (!strcmp(rest, "/openapi.json")) {
        if (strcmp(m, "GET") && strcmp(m, "HEAD")) return method_not_allowed(c, "GET");
        return tpa_gw_static_openapi(c);
    }
    if (!strcmp(rest, "/jobs") || !strcmp(rest, "/jobs/")) {
        if (!strcmp(m, "POST")) return tpa_gw_upload_handle(c, gw);
        if (!strcmp(m, "GET")) return list_jobs(c, gw, qs);
        return method_not_allowed(c, "GET, POST");
    }
    if (strncmp(rest, "/jobs/", 6))
        return tpa_gw_reply_error(c, 404, "not_found", "no such endpoint");
    rest += 6;
    slash = strchr(rest, '/');
    idlen = slash ? (size_t)(slash - rest) : strlen(rest);
    if (idlen == 0 || idlen >= sizeof id)
        return tpa_gw_reply_error(c, 400, "invalid_id", "invalid job id");
    memcpy(id, rest, idlen);
    id[idlen] = '\0';
    if (!tpa_job_id_valid(id)) return tpa_gw_reply_error(c, 400, "invalid_id", "invalid job id");

    if (!slash || !slash[1]) {
        if (!strcmp(m, "GET")) return get_job(c, gw, id);
        if (!strcmp(m, "DELETE")) return delete_job(c, gw, id);
        return method_not_allowed(c, "GET, DELETE");
    }
    if (strlen(slash + 1) >= sizeof sub || strchr(slash + 1, '/'))
        return tpa_gw_reply_error(c, 404, "not_found", "no such endpoint");
    snprintf(sub, sizeof sub, "%s", slash + 1);
    if (strcmp(m, "GET")) return method_not_allowed(c, "GET");
    if (!strcmp(sub, "result")) return get_result(c, gw, id);
    if (!strcmp(sub, "export.csv")) return export_csv(c, gw, id, qs);
    if (in_list(sub, slice_tables, sizeof slice_tables / sizeof *slice_tables))
        return get_slice(c, gw, id, sub, qs);
    return tpa_gw_reply_error(c, 404, "not_found", "no such endpoint");
}
