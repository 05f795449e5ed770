/* tpa_parser_fetch.c - see tpa_parser_fetch.h. */
#include "tpa_parser_fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tpa_err.h"

typedef struct sink {
    int fd;
    uint64_t written;
    int write_errno;
    const tpa_fetch_opts_t *opts;
    bool aborted;
} sink_t;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
    sink_t *s = ud;
    size_t n = size * nmemb, off = 0;
    while (off < n) {
        ssize_t w = write(s->fd, ptr + off, n - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            s->write_errno = errno;
            return 0; /* libcurl aborts with CURLE_WRITE_ERROR */
        }
        off += (size_t)w;
    }
    s->written += n;
    return n;
}

static int on_xfer(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                   curl_off_t ulnow)
{
    (void)ultotal;
    (void)ulnow;
    sink_t *s = ud;
    if (!s->opts->progress) return 0;
    uint64_t total = dltotal > 0 ? (uint64_t)dltotal : s->opts->expect_size;
    if (!s->opts->progress(s->opts->ud, dlnow > 0 ? (uint64_t)dlnow : 0, total)) {
        s->aborted = true;
        return 1;
    }
    return 0;
}

void tpa_parser_tmpdir(const char *data_dir, char *buf, size_t len)
{
    struct stat st;
    if (data_dir && *data_dir && stat(data_dir, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(buf, len, "%s/tmp", data_dir);
        if ((mkdir(buf, 0700) == 0 || errno == EEXIST) && access(buf, W_OK) == 0) return;
    }
    const char *t = getenv("TMPDIR");
    snprintf(buf, len, "%s", t && *t ? t : "/tmp");
}

int tpa_parser_fetch(const char *url, const tpa_fetch_opts_t *opts, char *path, size_t pathlen,
                     char *err, size_t errlen)
{
    int rc = TPA_ERR_CONN;
    CURL *h = NULL;
    struct curl_slist *hdrs = NULL;
    sink_t s = {.fd = -1, .opts = opts};
    char curl_err[CURL_ERROR_SIZE] = "";
    const char *suffix = opts->suffix ? opts->suffix : "";

    if (snprintf(path, pathlen, "%s/tpa-fetch-XXXXXX%s", opts->dir, suffix) >= (int)pathlen) {
        snprintf(err, errlen, "temporary path too long");
        return TPA_ERR_INVALID;
    }
    s.fd = mkstemps(path, (int)strlen(suffix));
    if (s.fd < 0) {
        snprintf(err, errlen, "cannot create a temporary file in %s: %s", opts->dir,
                 strerror(errno));
        path[0] = '\0';
        return TPA_ERR_IO;
    }
    h = curl_easy_init();
    if (!h) {
        snprintf(err, errlen, "cannot start an HTTP transfer");
        rc = TPA_ERR_NOMEM;
        goto fail;
    }
    if (opts->token && *opts->token) {
        char hdr[256];
        snprintf(hdr, sizeof hdr, "X-TPA-Token: %s", opts->token);
        struct curl_slist *n = curl_slist_append(hdrs, hdr);
        if (!n) {
            snprintf(err, errlen, "out of memory");
            rc = TPA_ERR_NOMEM;
            goto fail;
        }
        hdrs = n;
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L); /* a stalled peer: 30 s without a byte */
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 30L);
    if (opts->timeout_s > 0) curl_easy_setopt(h, CURLOPT_TIMEOUT, opts->timeout_s);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_xfer);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &s);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "tpa-parser/" TPA_VERSION);

    CURLcode cc = curl_easy_perform(h);
    if (cc != CURLE_OK) {
        if (s.aborted) {
            snprintf(err, errlen, "download cancelled");
            rc = TPA_ERR_CANCELLED;
        } else if (s.write_errno) {
            snprintf(err, errlen, "writing %s: %s", path, strerror(s.write_errno));
            rc = TPA_ERR_IO;
        } else {
            long status = 0;
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
            if (status == 404 || status == 410) {
                snprintf(err, errlen, "the gateway no longer has the capture (HTTP %ld)", status);
                rc = TPA_ERR_NOTFOUND;
                goto fail;
            }
            if (status == 401 || status == 403)
                snprintf(
                    err, errlen,
                    "fetching the capture from the gateway: HTTP %ld (check TPA_CLUSTER_TOKEN)",
                    status);
            else if (status >= 400)
                snprintf(err, errlen, "fetching the capture from the gateway: HTTP %ld", status);
            else
                snprintf(err, errlen, "fetching the capture from the gateway: %s",
                         curl_err[0] ? curl_err : curl_easy_strerror(cc));
            rc = TPA_ERR_CONN;
        }
        goto fail;
    }
    if (opts->expect_size && s.written != opts->expect_size) {
        snprintf(err, errlen, "fetched capture has %llu bytes, expected %llu",
                 (unsigned long long)s.written, (unsigned long long)opts->expect_size);
        rc = TPA_ERR_FORMAT;
        goto fail;
    }
    if (close(s.fd) != 0) {
        s.fd = -1;
        snprintf(err, errlen, "writing %s: %s", path, strerror(errno));
        rc = TPA_ERR_IO;
        goto fail;
    }
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    return 0;
fail:
    if (s.fd >= 0) close(s.fd);
    unlink(path);
    path[0] = '\0';
    curl_slist_free_all(hdrs);
    if (h) curl_easy_cleanup(h);
    return rc;
}
