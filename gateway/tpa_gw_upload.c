/* tpa_gw_upload.c - streaming multipart upload (see tpa_gw_upload.h). */
#include "tpa_gw_upload.h"
#include "tpa_capture_check.h"
#include "tpa_err.h"
#include "tpa_gw_dispatch.h"
#include "tpa_gw_http.h"
#include "tpa_gw_pool.h"
#include "tpa_job.h"
#include "tpa_log.h"
#include "tpa_sha256.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILES 32
#define SLACK_BYTES (1024 * 1024) /* multipart framing allowed beyond the limit */
#define WBUF_SIZE (128 * 1024)
#define SNIFF_LEN 24
#define NAME_CAP 200

/* What field_get returns once a field is refused: stop reading the request.
 * civetweb then stops parsing; the unread rest of the body is not drained
 * (the reply says Connection: close). */
#define REFUSE MG_FORM_FIELD_HANDLE_ABORT

typedef struct up_file {
    char tmp[TPA_PATH_MAX + 16];
    char name[TPA_GW_FILENAME_MAX];
    uint64_t size;
    char sha256[TPA_SHA256_HEX];
    tpa_capfmt_t sniffed; /* PCAP, PCAPNG or GZIP */
    tpa_capfmt_t content; /* PCAP or PCAPNG (inside the gzip for GZIP) */
    char id[TPA_ID_MAX];  /* job id once committed */
    char path[TPA_PATH_MAX + 80];
} up_file_t;

typedef struct upload {
    tpa_gw_t *gw;
    uint64_t limit, total;
    up_file_t *files; /* MAX_FILES */
    int nfiles;       /* files fully received */

    /* the file being received: files[nfiles] */
    bool open;
    int fd;
    tpa_sha256_t sha;
    uint8_t head[SNIFF_LEN];
    size_t headlen;
    bool sniffed;
    char *wbuf;
    size_t wlen;

    /* the first error */
    int status;
    char code[32];
    char msg[320];
} upload_t;

/* ---- file names ------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (1-4), 0 if invalid (RFC 3629 table). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned lo = 0x80, hi = 0xbf;

    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4;
    else
        return 0;
    if (n < len) return 0;
    if (c == 0xe0)
        lo = 0xa0; /* no overlongs */
    else if (c == 0xed)
        hi = 0x9f; /* no surrogates */
    else if (c == 0xf0)
        lo = 0x90;
    else if (c == 0xf4)
        hi = 0x8f; /* <= U+10FFFF */
    if (s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf) return 0;
    return len;
}

void tpa_gw_sanitize_filename(const char *in, char *out, size_t outlen)
{
    const unsigned char *s;
    size_t n, o = 0, cap = outlen - 1 < NAME_CAP ? outlen - 1 : NAME_CAP;
    size_t start = 0;

    if (!in) in = "";
    for (const char *p = in; *p; p++)
        if (*p == '/' || *p == '\\') in = p + 1;
    s = (const unsigned char *)in;
    n = strlen(in);
    while (start < n && (s[start] == '.' || s[start] == ' '))
        start++;
    for (size_t i = start; i < n;) {
        size_t len = 1;
        if (s[i] >= 0x80) {
            len = utf8_len(s + i, n - i);
            if (len == 0) {
                if (o + 1 > cap) break;
                out[o++] = '_';
                i++;
                continue;
            }
            if (o + len > cap) break;
            memcpy(out + o, s + i, len);
            o += len;
            i += len;
            continue;
        }
        if (o + 1 > cap) break;
        out[o++] = (s[i] < 0x20 || s[i] == 0x7f || strchr(":*?\"<>|", s[i])) ? '_' : (char)s[i];
        i++;
    }
    while (o > 0 && (out[o - 1] == '.' || out[o - 1] == ' '))
        o--;
    out[o] = '\0';
    if (o == 0) snprintf(out, outlen, "capture");
}

int tpa_gw_upload_clean_incoming(const char *incoming_dir)
{
    DIR *d = opendir(incoming_dir);
    struct dirent *e;
    int n = 0;

    if (!d) return 0;
    while ((e = readdir(d))) {
        char path[TPA_PATH_MAX + 256];
        if (strncmp(e->d_name, "up-", 3)) continue;
        snprintf(path, sizeof path, "%s/%s", incoming_dir, e->d_name);
        if (unlink(path) == 0) n++;
    }
    closedir(d);
    return n;
}

/* ---- errors and clean-up ------------------------------------------------------ */

static void fail(upload_t *u, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Records the first error and drops the file being received. */
static void fail(upload_t *u, int status, const char *code, const char *fmt, ...)
{
    va_list ap;

    if (!u->status) {
        u->status = status;
        snprintf(u->code, sizeof u->code, "%s", code);
        va_start(ap, fmt);
        vsnprintf(u->msg, sizeof u->msg, fmt, ap);
        va_end(ap);
    }
    if (u->open) {
        close(u->fd);
        unlink(u->files[u->nfiles].tmp);
        u->open = false;
    }
}

/* Removes every stored file of the request (temp or renamed). */
static void remove_files(upload_t *u)
{
    for (int i = 0; i < u->nfiles; i++) {
        up_file_t *f = &u->files[i];
        if (f->path[0])
            unlink(f->path);
        else if (f->tmp[0])
            unlink(f->tmp);
    }
}

static void fail_storage(upload_t *u, const char *what)
{
    int e = errno;
    if (e == ENOSPC || e == EDQUOT)
        fail(u, 507, "storage_full", "cannot store the upload: %s", strerror(e));
    else
        fail(u, 500, "storage_error", "cannot store the upload (%s): %s", what, strerror(e));
}

/* ---- streaming ------------------------------------------------------------------ */

static bool flush_wbuf(upload_t *u)
{
    size_t off = 0;

    while (off < u->wlen) {
        ssize_t n = write(u->fd, u->wbuf + off, u->wlen - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            fail_storage(u, "write");
            return false;
        }
        off += (size_t)n;
    }
    u->wlen = 0;
    return true;
}

static bool is_capture(tpa_capfmt_t f)
{
    return f == TPA_CAPFMT_PCAP || f == TPA_CAPFMT_PCAPNG || f == TPA_CAPFMT_GZIP;
}

/* Classifies the head once SNIFF_LEN bytes (or the whole short file) arrived.
 * Returns false (and fails the upload) for a non-capture. */
static bool sniff_head(upload_t *u)
{
    up_file_t *f = &u->files[u->nfiles];
    tpa_capfmt_t fmt = tpa_capture_sniff(u->head, u->headlen);

    u->sniffed = true;
    if (fmt == TPA_CAPFMT_SHORT) {
        fail(u, 415, "not_a_capture", "file \"%s\" (%zu bytes) is too short to be a capture",
             f->name, u->headlen);
        return false;
    }
    if (!is_capture(fmt)) {
        fail(u, 415, "not_a_capture", "file \"%s\" is not a capture: expected pcap, pcapng or gzip",
             f->name);
        return false;
    }
    f->sniffed = fmt;
    return true;
}

/* Ends the file being received: flush, checks, close. */
static void finish_file(upload_t *u)
{
    up_file_t *f = &u->files[u->nfiles];

    if (!u->open) return;
    if (!flush_wbuf(u)) return;
    if (f->size == 0) {
        fail(u, 400, "empty_file", "file \"%s\" is empty", f->name);
        return;
    }
    if (!u->sniffed && !sniff_head(u)) return;
    if (close(u->fd) < 0) {
        u->open = false;
        unlink(f->tmp);
        fail_storage(u, "close");
        return;
    }
    u->open = false;
    u->nfiles++; /* from here on remove_files owns the temp file */
    tpa_sha256_final_hex(&u->sha, f->sha256);
    f->content = f->sniffed;
    if (f->sniffed == TPA_CAPFMT_GZIP) {
        char err[256] = "";
        int compressed = 0;
        tpa_capfmt_t inner = tpa_capture_sniff_file_ex(f->tmp, &compressed, err, sizeof err);
        if (inner != TPA_CAPFMT_PCAP && inner != TPA_CAPFMT_PCAPNG) {
            fail(u, 415, "not_a_capture", "file \"%s\" is gzip but not a compressed capture: %s",
                 f->name, err[0] ? err : "unknown content");
            return;
        }
        f->content = inner;
    }
}

static int field_found(const char *key, const char *filename, char *path, size_t pathlen,
                       void *user_data)
{
    upload_t *u = user_data;
    up_file_t *f;

    (void)path;
    (void)pathlen;
    finish_file(u);
    if (u->status) return MG_FORM_FIELD_STORAGE_ABORT;
    if (strcmp(key, "file")) return MG_FORM_FIELD_STORAGE_SKIP;
    if (u->nfiles >= MAX_FILES) {
        fail(u, 400, "too_many_files", "at most %d files per request", MAX_FILES);
        return MG_FORM_FIELD_STORAGE_ABORT;
    }
    f = &u->files[u->nfiles];
    memset(f, 0, sizeof *f);
    tpa_gw_sanitize_filename(filename, f->name, sizeof f->name);
    snprintf(f->tmp, sizeof f->tmp, "%s/up-XXXXXX", u->gw->incoming_dir);
    u->fd = mkstemp(f->tmp);
    if (u->fd >= 0) {
        fcntl(u->fd, F_SETFD, FD_CLOEXEC);
        fchmod(u->fd, 0640); /* mkstemp's 0600 would lock out a parser in the group */
    }
    if (u->fd < 0) {
        f->tmp[0] = '\0';
        fail_storage(u, "create");
        return MG_FORM_FIELD_STORAGE_ABORT;
    }
    u->open = true;
    u->headlen = 0;
    u->sniffed = false;
    u->wlen = 0;
    tpa_sha256_init(&u->sha);
    return MG_FORM_FIELD_STORAGE_GET;
}

static int field_get(const char *key, const char *value, size_t len, void *user_data)
{
    upload_t *u = user_data;
    up_file_t *f;

    (void)key;
    if (u->status)
        return REFUSE; /* value is not looked at: civetweb may pass junk after an abort */
    if (!u->open) return MG_FORM_FIELD_HANDLE_GET; /* a skipped field */
    f = &u->files[u->nfiles];
    if (u->headlen < SNIFF_LEN && len > 0) {
        size_t take = SNIFF_LEN - u->headlen < len ? SNIFF_LEN - u->headlen : len;
        memcpy(u->head + u->headlen, value, take);
        u->headlen += take;
        if (u->headlen == SNIFF_LEN && !sniff_head(u)) return REFUSE;
    }
    u->total += len;
    f->size += len;
    if (u->total > u->limit) {
        fail(u, 413, "too_large", "upload exceeds the limit of %ld MiB", u->gw->cfg.max_upload_mb);
        return REFUSE;
    }
    tpa_sha256_update(&u->sha, value, len);
    while (len > 0) {
        size_t take = WBUF_SIZE - u->wlen < len ? WBUF_SIZE - u->wlen : len;
        memcpy(u->wbuf + u->wlen, value, take);
        u->wlen += take;
        value += take;
        len -= take;
        if (u->wlen == WBUF_SIZE && !flush_wbuf(u)) return REFUSE;
    }
    return MG_FORM_FIELD_HANDLE_GET;
}

/* ---- commit --------------------------------------------------------------------- */

static const char *ext_of(tpa_capfmt_t sniffed)
{
    return sniffed == TPA_CAPFMT_GZIP ? "gz" : sniffed == TPA_CAPFMT_PCAPNG ? "pcapng" : "pcap";
}

/* Creates the jobs in Redis. On failure, jobs created so far are deleted again. */
static int commit(upload_t *u, redisContext *r)
{
    tpa_gw_t *gw = u->gw;

    for (int i = 0; i < u->nfiles; i++) {
        up_file_t *f = &u->files[i];
        json_t *fields;
        int rc;

        tpa_job_new_id(f->id);
        snprintf(f->path, sizeof f->path, "%s/%s.%s", gw->captures_dir, f->id, ext_of(f->sniffed));
        if (rename(f->tmp, f->path) < 0) {
            f->path[0] = '\0';
            fail_storage(u, "rename");
            goto rollback;
        }
        fields = json_pack("{s:s,s:I,s:s,s:s,s:s,s:b,s:I}", "file", f->name, "size",
                           (json_int_t)f->size, "sha256", f->sha256, "path", f->path, "format",
                           tpa_capfmt_name(f->content), "compressed", f->sniffed == TPA_CAPFMT_GZIP,
                           "pushed", (json_int_t)tpa_now_ms());
        rc = fields ? tpa_job_create(r, f->id, fields) : TPA_ERR_NOMEM;
        json_decref(fields);
        if (rc < 0) {
            if (rc == TPA_ERR_CONN || r->err)
                fail(u, 503, "redis_unavailable", "cannot create the job: Redis is unavailable");
            else
                fail(u, 500, "internal", "cannot create the job: %s", tpa_strerror(rc));
            /* the job of file i does not exist: only earlier ones are rolled back */
            unlink(f->path);
            f->path[0] = '\0';
            f->tmp[0] = '\0';
            f->id[0] = '\0';
            goto rollback;
        }
    }
    return 0;

rollback:
    for (int i = 0; i < u->nfiles; i++)
        if (u->files[i].id[0] && u->files[i].path[0] && !r->err) tpa_job_delete(r, u->files[i].id);
    return -1;
}

static void dispatch_all(upload_t *u)
{
    tpa_gw_t *gw = u->gw;

    for (int i = 0; i < u->nfiles; i++) {
        up_file_t *f = &u->files[i];
        tpa_wire_job_t j;
        int rc;

        tpa_gw_dispatch_fill(&gw->cfg, f->id, f->path, f->size, f->sha256, &j);
        rc = tpa_gw_dispatch_job(gw->dispatch, &j);
        if (rc < 0) {
            tpa_warn(f->id, "no parser took the job now (%s); it stays queued for the reaper",
                     tpa_strerror(rc));
            break; /* the rest would time out the same way */
        }
        atomic_fetch_add(&gw->metrics.jobs_dispatched, 1);
        tpa_info(f->id, "job dispatched to the parser queue");
    }
}

static int reply_jobs(struct mg_connection *c, upload_t *u)
{
    json_t *jobs = json_array(), *doc;
    int rc;

    for (int i = 0; jobs && i < u->nfiles; i++) {
        up_file_t *f = &u->files[i];
        json_array_append_new(jobs, json_pack("{s:s,s:s,s:s,s:I,s:s}", "id", f->id, "state",
                                              TPA_JOB_QUEUED, "file", f->name, "size",
                                              (json_int_t)f->size, "sha256", f->sha256));
    }
    doc = json_pack("{s:o*}", "jobs", jobs);
    if (!doc) return tpa_gw_reply_error(c, 500, "internal", "out of memory");
    rc = tpa_gw_reply_json(c, 202, doc);
    json_decref(doc);
    return rc;
}

int tpa_gw_upload_handle(struct mg_connection *c, tpa_gw_t *gw)
{
    const struct mg_request_info *ri = mg_get_request_info(c);
    const char *ctype = mg_get_header(c, "Content-Type"), *expect;
    uint64_t limit = (uint64_t)gw->cfg.max_upload_mb * 1024 * 1024;
    struct mg_form_data_handler fdh = {0};
    upload_t *u = NULL;
    redisContext *r = NULL;
    char err[256];
    int n, status;

    if (!ctype || strncasecmp(ctype, "multipart/form-data", 19)) {
        atomic_fetch_add(&gw->metrics.uploads_rejected, 1);
        return tpa_gw_reply_error_close(c, 400, "not_multipart",
                                        "send the captures as multipart/form-data `file` fields");
    }
    if (ri->content_length < 0) {
        atomic_fetch_add(&gw->metrics.uploads_rejected, 1);
        return tpa_gw_reply_error_close(c, 411, "length_required",
                                        "a Content-Length header is required");
    }
    if ((uint64_t)ri->content_length > limit + SLACK_BYTES) {
        atomic_fetch_add(&gw->metrics.uploads_rejected, 1);
        tpa_info(NULL, "upload refused: Content-Length %lld over the %ld MiB limit",
                 ri->content_length, gw->cfg.max_upload_mb);
        return tpa_gw_reply_error_close(c, 413, "too_large",
                                        "upload of %lld bytes exceeds the limit of %ld MiB",
                                        ri->content_length, gw->cfg.max_upload_mb);
    }

    /* Refuse before reading the body when the job store is down. */
    r = tpa_gw_pool_get(gw->pool, err, sizeof err);
    if (!r) {
        atomic_fetch_add(&gw->metrics.uploads_rejected, 1);
        return tpa_gw_reply_error_close(c, 503, "redis_unavailable", "job store unavailable: %s",
                                        err);
    }
    tpa_gw_pool_put(gw->pool, r);
    r = NULL;

    /* RFC 9110 10.1.1: the client waits for 100 (Continue) before sending the body;
     * civetweb does not send it for request handlers. */
    expect = mg_get_header(c, "Expect");
    if (expect && !strcasecmp(expect, "100-continue"))
        mg_printf(c, "HTTP/1.1 100 Continue\r\n\r\n");

    u = calloc(1, sizeof *u);
    if (u) {
        u->files = calloc(MAX_FILES, sizeof *u->files);
        u->wbuf = malloc(WBUF_SIZE);
    }
    if (!u || !u->files || !u->wbuf) {
        status = tpa_gw_reply_error_close(c, 500, "internal", "out of memory");
        goto done;
    }
    u->gw = gw;
    u->limit = limit;
    u->fd = -1;

    fdh.field_found = field_found;
    fdh.field_get = field_get;
    fdh.user_data = u;
    n = mg_handle_form_request(c, &fdh);
    finish_file(u);
    if (!u->status && n < 0)
        fail(u, 400, "bad_multipart", "malformed or incomplete multipart body");
    if (!u->status && u->nfiles == 0) fail(u, 400, "no_file", "no `file` field in the form");
    if (u->status) goto refuse;

    r = tpa_gw_pool_get(gw->pool, err, sizeof err);
    if (!r) {
        fail(u, 503, "redis_unavailable", "job store unavailable: %s", err);
        goto refuse;
    }
    if (commit(u, r) < 0) goto refuse;
    tpa_gw_pool_put(gw->pool, r);
    r = NULL;

    for (int i = 0; i < u->nfiles; i++) {
        up_file_t *f = &u->files[i];
        atomic_fetch_add(&gw->metrics.uploads, 1);
        atomic_fetch_add(&gw->metrics.upload_bytes, f->size);
        tpa_info(f->id, "upload stored: \"%s\" %" PRIu64 " bytes %s%s sha256=%s from %s", f->name,
                 f->size, tpa_capfmt_name(f->content),
                 f->sniffed == TPA_CAPFMT_GZIP ? " (gzip)" : "", f->sha256, ri->remote_addr);
    }
    dispatch_all(u);
    status = reply_jobs(c, u);
    goto done;

refuse:
    tpa_gw_pool_put(gw->pool, r);
    if (u->open) fail(u, u->status, u->code, "%s", u->msg); /* drops the open temp file */
    remove_files(u);
    atomic_fetch_add(&gw->metrics.uploads_rejected, 1);
    tpa_info(NULL, "upload refused (%d %s): %s", u->status, u->code, u->msg);
    status = tpa_gw_reply_error_close(c, u->status, u->code, "%s", u->msg);
done:
    if (u) {
        free(u->wbuf);
        free(u->files);
    }
    free(u);
    return status;
}
