/* tpa_gw_capture.c - internal capture download (see tpa_gw_capture.h). */
#include "tpa_gw_capture.h"
#include "tpa_err.h"
#include "tpa_gw.h"
#include "tpa_gw_http.h"
#include "tpa_job.h"
#include "tpa_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PREFIX "/internal/captures/"
#define READ_CHUNK (64 * 1024)

static const char *const exts[] = {"pcap", "pcapng", "gz"};

int tpa_gw_capture_find(const char *captures_dir, const char *id, char *path, size_t pathlen)
{
    for (size_t i = 0; i < sizeof exts / sizeof *exts; i++) {
        struct stat st;
        snprintf(path, pathlen, "%s/%s.%s", captures_dir, id, exts[i]);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) return 0;
    }
    path[0] = '\0';
    return TPA_ERR_NOTFOUND;
}

int tpa_gw_capture_handler(struct mg_connection *c, void *cbdata)
{
    tpa_gw_t *gw = cbdata;
    const struct mg_request_info *ri = mg_get_request_info(c);
    bool head = !strcmp(ri->request_method, "HEAD");
    const char *id, *token, *ext;
    char path[TPA_PATH_MAX + 128];
    struct stat st;
    char *buf;
    int fd;

    if (strcmp(ri->request_method, "GET") && !head)
        return tpa_gw_reply_error(c, 405, "method_not_allowed", "use GET");
    if (gw->cfg.cluster_token[0]) {
        token = mg_get_header(c, "X-TPA-Token");
        if (!token)
            return tpa_gw_reply_error(c, 401, "unauthorized", "X-TPA-Token header required");
        if (!tpa_gw_token_equal(token, gw->cfg.cluster_token)) {
            tpa_warn(NULL, "internal capture request from %s with a wrong token", ri->remote_addr);
            return tpa_gw_reply_error(c, 403, "forbidden", "wrong cluster token");
        }
    } else if (strcmp(ri->remote_addr, "127.0.0.1")) {
        return tpa_gw_reply_error(c, 403, "forbidden",
                                  "no cluster token configured: only local requests allowed");
    }
    if (strncmp(ri->local_uri, PREFIX, strlen(PREFIX)))
        return tpa_gw_reply_error(c, 404, "not_found", "no such endpoint");
    id = ri->local_uri + strlen(PREFIX);
    if (!tpa_job_id_valid(id))
        return tpa_gw_reply_error(c, 400, "invalid_id", "invalid capture id");
    if (tpa_gw_capture_find(gw->captures_dir, id, path, sizeof path) < 0)
        return tpa_gw_reply_error(c, 404, "not_found", "no capture %s", id);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0) {
        if (fd >= 0) close(fd);
        return tpa_gw_reply_error(c, 404, "not_found", "no capture %s", id);
    }
    ext = strrchr(path, '.') + 1;
    mg_printf(c,
              "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
              "Content-Length: %lld\r\nX-TPA-Capture-Format: %s\r\n"
              "Content-Disposition: attachment; filename=\"%s.%s\"\r\n"
              "Cache-Control: no-store\r\n\r\n",
              (long long)st.st_size, ext, id, ext);
    if (head) {
        close(fd);
        return 200;
    }
    tpa_info(id, "serving capture (%lld bytes) to %s", (long long)st.st_size, ri->remote_addr);
    buf = malloc(READ_CHUNK);
    if (buf) {
        off_t left = st.st_size;
        while (left > 0) {
            ssize_t n = read(fd, buf, READ_CHUNK);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0 || mg_write(c, buf, (size_t)n) <= 0) break;
            left -= n;
        }
    }
    free(buf);
    close(fd);
    return 200;
}
