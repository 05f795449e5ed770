/* tpa_cli_http.c - the CLI's REST client over libcurl. */
#include "tpa_cli_http.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_err.h"

static int inited;

void tpa_http_global_init(void)
{
    if (!inited && curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK) inited = 1;
}

void tpa_http_global_cleanup(void)
{
    if (inited) curl_global_cleanup();
    inited = 0;
}

void tpa_http_resp_clear(tpa_http_resp_t *r)
{
    if (!r) return;
    free(r->body);
    memset(r, 0, sizeof *r);
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
    tpa_http_resp_t *r = ud;
    size_t n = size * nmemb;
    char *b = realloc(r->body, r->len + n + 1);
    if (!b) return 0; /* makes curl fail with CURLE_WRITE_ERROR */
    memcpy(b + r->len, ptr, n);
    r->len += n;
    b[r->len] = '\0';
    r->body = b;
    return n;
}

/* Reports a transport failure: into err if given, else as a line on stderr. */
static void report(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void report(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && errlen) {
        vsnprintf(err, errlen, fmt, ap);
    } else {
        fputs("tpa: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
    }
    va_end(ap);
}

static int perform(const tpa_cli_t *cli, CURL *c, const char *url, tpa_http_resp_t *resp, char *err,
                   size_t errlen)
{
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "tpa/" TPA_VERSION);
    /* A stalled transfer (under 1 byte/s for 60 s) is an error; a large upload or
     * result that keeps moving is not. */
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);

    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        switch (rc) {
        case CURLE_COULDNT_CONNECT:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
            report(err, errlen,
                   "cannot reach the gateway at %s (is the stack running? "
                   "deploy/local/tpa-stack up)",
                   cli->api);
            return TPA_ERR_CONN;
        case CURLE_OPERATION_TIMEDOUT:
            report(err, errlen, "%s: the gateway did not answer in time", url);
            return TPA_ERR_TIMEOUT;
        case CURLE_READ_ERROR:
            report(err, errlen, "%s: cannot read the file to upload: %s", url,
                   errbuf[0] ? errbuf : curl_easy_strerror(rc));
            return TPA_ERR_IO;
        default:
            report(err, errlen, "%s: %s", url, errbuf[0] ? errbuf : curl_easy_strerror(rc));
            return rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL ? TPA_ERR_INVALID
                                                                                 : TPA_ERR_CONN;
        }
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
    return 0;
}

static int make_url(const tpa_cli_t *cli, const char *path, char *url, size_t len)
{
    if (snprintf(url, len, "%s%s", cli->api, path) >= (int)len) {
        tpa_cli_fail("URL too long: %s%s", cli->api, path);
        return TPA_ERR_INVALID;
    }
    return 0;
}

int tpa_http_request(const tpa_cli_t *cli, const char *method, const char *path,
                     tpa_http_resp_t *resp)
{
    return tpa_http_request_ex(cli, method, path, resp, NULL, 0);
}

int tpa_http_request_ex(const tpa_cli_t *cli, const char *method, const char *path,
                        tpa_http_resp_t *resp, char *err, size_t errlen)
{
    char url[1024];
    int rc = make_url(cli, path, url, sizeof url);
    if (rc < 0) return rc;
    memset(resp, 0, sizeof *resp);
    CURL *c = curl_easy_init();
    if (!c) {
        tpa_cli_fail("cannot initialise libcurl");
        return TPA_ERR_NOMEM;
    }
    if (strcmp(method, "GET") != 0) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    struct curl_slist *hdr = curl_slist_append(NULL, "Accept: application/json");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 600L);
    rc = perform(cli, c, url, resp, err, errlen);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(c);
    if (rc < 0) tpa_http_resp_clear(resp);
    return rc;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s && s[1] ? s + 1 : p;
}

int tpa_http_post_files(const tpa_cli_t *cli, const char *path, const char *const *paths, size_t n,
                        tpa_http_resp_t *resp)
{
    char url[1024];
    int rc = make_url(cli, path, url, sizeof url);
    if (rc < 0) return rc;
    memset(resp, 0, sizeof *resp);
    CURL *c = curl_easy_init();
    if (!c) {
        tpa_cli_fail("cannot initialise libcurl");
        return TPA_ERR_NOMEM;
    }
    curl_mime *mime = curl_mime_init(c);
    struct curl_slist *hdr = NULL;
    if (!mime) {
        rc = TPA_ERR_NOMEM;
        goto out_curl;
    }
    for (size_t i = 0; i < n; i++) {
        curl_mimepart *part = curl_mime_addpart(mime);
        if (!part || curl_mime_name(part, "file") != CURLE_OK) {
            rc = TPA_ERR_NOMEM;
            goto out_mime;
        }
        /* curl_mime_filedata streams the file while sending. */
        if (curl_mime_filedata(part, paths[i]) != CURLE_OK ||
            curl_mime_filename(part, base_name(paths[i])) != CURLE_OK ||
            curl_mime_type(part, "application/octet-stream") != CURLE_OK) {
            tpa_cli_fail("%s: cannot attach the file", paths[i]);
            rc = TPA_ERR_IO;
            goto out_mime;
        }
    }
    curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
    /* No "Expect: 100-continue" round trip. */
    hdr = curl_slist_append(NULL, "Expect:");
    hdr = curl_slist_append(hdr, "Accept: application/json");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    rc = perform(cli, c, url, resp, NULL, 0);
    curl_slist_free_all(hdr);
out_mime:
    curl_mime_free(mime);
out_curl:
    curl_easy_cleanup(c);
    if (rc == TPA_ERR_NOMEM) tpa_cli_fail("out of memory");
    if (rc < 0) tpa_http_resp_clear(resp);
    return rc;
}

json_t *tpa_http_json(const tpa_http_resp_t *resp, const char *what)
{
    json_error_t jerr;
    json_t *j = resp->body ? json_loadb(resp->body, resp->len, 0, &jerr) : NULL;

    if (resp->status >= 200 && resp->status < 300) {
        if (!j)
            tpa_cli_fail("%s: the gateway sent an answer that is not JSON (HTTP %ld)", what,
                         resp->status);
        return j;
    }
    const char *msg = NULL, *code = NULL;
    char codebuf[32];
    json_t *e = json_object_get(j, "error");
    if (json_is_object(e)) {
        json_t *jc = json_object_get(e, "code");
        msg = json_string_value(json_object_get(e, "message"));
        code = json_string_value(jc);
        if (json_is_integer(jc)) {
            snprintf(codebuf, sizeof codebuf, "%" JSON_INTEGER_FORMAT, json_integer_value(jc));
            code = codebuf;
        }
    } else if (json_is_string(e)) {
        msg = json_string_value(e);
    }
    if (!msg) {
        switch (resp->status) {
        case 404:
            msg = "not found";
            break;
        case 413:
            msg = "file too large";
            break;
        case 415:
            msg = "not a capture file";
            break;
        default:
            msg = "request failed";
            break;
        }
    }
    if (code)
        tpa_cli_fail("%s: %s (HTTP %ld %s)", what, msg, resp->status, code);
    else
        tpa_cli_fail("%s: %s (HTTP %ld)", what, msg, resp->status);
    json_decref(j);
    return NULL;
}

json_t *tpa_http_get_json(const tpa_cli_t *cli, const char *path, const char *what)
{
    tpa_http_resp_t r;
    if (tpa_http_request(cli, "GET", path, &r) < 0) return NULL;
    json_t *j = tpa_http_json(&r, what);
    tpa_http_resp_clear(&r);
    return j;
}
