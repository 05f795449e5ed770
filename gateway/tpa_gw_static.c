/* tpa_gw_static.c - static files and embedded documents (see tpa_gw_static.h). */
#include "tpa_gw_static.h"
#include "tpa_gw.h"
#include "tpa_gw_assets.h"
#include "tpa_gw_http.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK (64 * 1024)

void tpa_gw_static_web_dir(const tpa_config_t *cfg, const char *exe, char *out, size_t outlen)
{
    char self[PATH_MAX];
    ssize_t n;
    char *slash;

    if (cfg->web_dir[0]) {
        snprintf(out, outlen, "%s", cfg->web_dir);
        return;
    }
    n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
    } else if (exe && realpath(exe, self)) {
        /* resolved */
    } else {
        snprintf(self, sizeof self, "%s", exe ? exe : "./tpa-gateway");
    }
    slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(self, sizeof self, ".");
    snprintf(out, outlen, "%s/../share/tpa/web", self);
}

const char *tpa_gw_static_mime(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(name, '.');

    if (dot && !strchr(dot, '/'))
        for (size_t i = 0; i < sizeof types / sizeof *types; i++)
            if (!strcasecmp(dot, types[i].ext)) return types[i].type;
    return "application/octet-stream";
}

/* A safe relative path: no empty, "." or ".." segment, no dot-file, no backslash. */
static bool safe_path(const char *rel)
{
    const char *seg = rel;

    if (!*rel || strchr(rel, '\\')) return false;
    for (;;) {
        const char *end = strchr(seg, '/');
        size_t n = end ? (size_t)(end - seg) : strlen(seg);
        if (n == 0 || seg[0] == '.') return false;
        if (!end) return true;
        seg = end + 1;
    }
}

static int send_embedded(struct mg_connection *c, const char *ctype, const unsigned char *p,
                         size_t n, bool head)
{
    return tpa_gw_reply(c, 200, ctype, p, head ? 0 : n, false);
}

int tpa_gw_static_openapi(struct mg_connection *c)
{
    const struct mg_request_info *ri = mg_get_request_info(c);
    bool head = !strcmp(ri->request_method, "HEAD");

    if (head) {
        mg_printf(c,
                  "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                  "Cache-Control: no-store\r\n\r\n",
                  tpa_gw_openapi_json_len);
        return 200;
    }
    return send_embedded(c, "application/json", tpa_gw_openapi_json, tpa_gw_openapi_json_len,
                         false);
}

/* Streams an open file (fd is closed). */
static int send_file(struct mg_connection *c, int fd, off_t size, const char *ctype, bool head)
{
    char *buf;

    mg_printf(c,
              "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %lld\r\n"
              "Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n\r\n",
              ctype, (long long)size);
    if (head) {
        close(fd);
        return 200;
    }
    buf = malloc(READ_CHUNK);
    if (buf) {
        for (;;) {
            ssize_t n = read(fd, buf, READ_CHUNK);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0 || mg_write(c, buf, (size_t)n) <= 0) break;
        }
    }
    free(buf);
    close(fd);
    return 200;
}

int tpa_gw_static_handler(struct mg_connection *c, void *cbdata)
{
    tpa_gw_t *gw = cbdata;
    const struct mg_request_info *ri = mg_get_request_info(c);
    const char *uri = ri->local_uri;
    bool head = !strcmp(ri->request_method, "HEAD");
    char path[TPA_PATH_MAX + 512];
    const char *rel;
    struct stat st;
    int fd;

    if (strcmp(ri->request_method, "GET") && !head)
        return tpa_gw_reply_error(c, 405, "method_not_allowed", "use GET");
    if (!uri || uri[0] != '/') return tpa_gw_reply_error(c, 400, "bad_request", "bad path");
    rel = !strcmp(uri, "/") ? "index.html" : uri + 1;
    if (!safe_path(rel)) return tpa_gw_reply_error(c, 404, "not_found", "no such file");
    snprintf(path, sizeof path, "%s/%s", gw->web_dir, rel);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        fd = -1;
    }
    if (fd < 0) {
        if (!strcmp(rel, "index.html"))
            return send_embedded(c, "text/html; charset=utf-8", tpa_gw_index_html,
                                 tpa_gw_index_html_len, head);
        return tpa_gw_reply_error(c, 404, "not_found", "no such file");
    }
    return send_file(c, fd, st.st_size, tpa_gw_static_mime(rel), head);
}
