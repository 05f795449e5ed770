/* tpa_gw.c - start-up and shutdown of the gateway (see tpa_gw.h). */
#include "tpa_gw.h"
#include "tpa_gw_api.h"
#include "tpa_gw_capture.h"
#include "tpa_gw_dispatch.h"
#include "tpa_gw_forwarder.h"
#include "tpa_gw_health.h"
#include "tpa_gw_pool.h"
#include "tpa_gw_reaper.h"
#include "tpa_gw_static.h"
#include "tpa_gw_upload.h"
#include "tpa_gw_ws.h"
#include "tpa_log.h"

#include <civetweb.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define POOL_IDLE 16
/* civetweb worker threads: each open WebSocket holds one for its lifetime. */
#define HTTP_THREADS "64"

/* mkdir -p with mode for the last component. */
static int mkdirs(const char *path, mode_t mode)
{
    char tmp[TPA_PATH_MAX];
    size_t n = strlen(path);

    if (n == 0 || n >= sizeof tmp) return -1;
    memcpy(tmp, path, n + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(tmp, 0755) < 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(tmp, mode) < 0 && errno != EEXIST) return -1;
    return 0;
}

static int setup_dirs(tpa_gw_t *gw, char *err, size_t errlen)
{
    char real[PATH_MAX];

    if (mkdirs(gw->cfg.data_dir, 0755) < 0 || !realpath(gw->cfg.data_dir, real)) {
        snprintf(err, errlen, "cannot create data dir %s: %s", gw->cfg.data_dir, strerror(errno));
        return -1;
    }
    /* room for <data>/captures/<64-char id>.pcapng in every path buffer */
    if (strlen(real) > 900) {
        snprintf(err, errlen, "data dir path too long: %s", real);
        return -1;
    }
    snprintf(gw->data_dir, sizeof gw->data_dir, "%.900s", real);
    snprintf(gw->captures_dir, sizeof gw->captures_dir, "%.900s/captures", real);
    snprintf(gw->incoming_dir, sizeof gw->incoming_dir, "%.900s/captures/.incoming", real);
    if (mkdirs(gw->captures_dir, 0755) < 0 || mkdirs(gw->incoming_dir, 0700) < 0) {
        snprintf(err, errlen, "cannot create %s: %s", gw->incoming_dir, strerror(errno));
        return -1;
    }
    return 0;
}

static int begin_request(struct mg_connection *c)
{
    tpa_gw_t *gw = mg_get_user_data(mg_get_context(c));
    const struct mg_request_info *ri = mg_get_request_info(c);

    atomic_fetch_add(&gw->metrics.http_requests, 1);
    tpa_debug(NULL, "%s %s from %s", ri->request_method, ri->local_uri, ri->remote_addr);
    return 0; /* let civetweb route it */
}

static int log_message(const struct mg_connection *c, const char *message)
{
    (void)c;
    tpa_warn(NULL, "http: %s", message);
    return 1;
}

tpa_gw_t *tpa_gw_new(const tpa_config_t *cfg, const char *exe, char *err, size_t errlen)
{
    tpa_gw_t *gw = calloc(1, sizeof *gw);
    struct mg_callbacks cb;
    char listen[128];
    int removed;

    if (!gw) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    gw->cfg = *cfg;
    tpa_gw_metrics_init(&gw->metrics);
    if (setup_dirs(gw, err, errlen) < 0) goto fail;
    removed = tpa_gw_upload_clean_incoming(gw->incoming_dir);
    if (removed > 0)
        tpa_info(NULL, "removed %d unfinished upload(s) from %s", removed, gw->incoming_dir);
    tpa_gw_static_web_dir(cfg, exe, gw->web_dir, sizeof gw->web_dir);

    gw->pool = tpa_gw_pool_new(cfg, POOL_IDLE);
    if (!gw->pool) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    gw->dispatch = tpa_gw_dispatch_new(cfg, err, errlen);
    if (!gw->dispatch) goto fail;
    gw->forwarder = tpa_gw_forwarder_new(cfg, &gw->metrics, err, errlen);
    if (!gw->forwarder) goto fail;
    gw->ws = tpa_gw_ws_new(cfg, gw->pool, &gw->metrics);
    if (!gw->ws) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }

    snprintf(listen, sizeof listen, "%s:%d", cfg->http_bind, cfg->http_port);
    {
        /* No document_root: static files are served by tpa_gw_static (no listing). */
        const char *options[] = {"listening_ports",
                                 listen,
                                 "num_threads",
                                 HTTP_THREADS,
                                 "tcp_nodelay",
                                 "1",
                                 "enable_keep_alive",
                                 "yes",
                                 "keep_alive_timeout_ms",
                                 "15000",
                                 "request_timeout_ms",
                                 "60000",
                                 "websocket_timeout_ms",
                                 "30000",
                                 "enable_websocket_ping_pong",
                                 "yes",
                                 NULL};
        memset(&cb, 0, sizeof cb);
        cb.begin_request = begin_request;
        cb.log_message = log_message;
        gw->http = mg_start(&cb, gw, options);
    }
    if (!gw->http) {
        snprintf(err, errlen, "cannot listen on %s (address in use or not local?)", listen);
        goto fail;
    }
    mg_set_request_handler(gw->http, "/api/v1", tpa_gw_api_handler, gw);
    mg_set_request_handler(gw->http, "/internal/captures", tpa_gw_capture_handler, gw);
    mg_set_request_handler(gw->http, "/healthz", tpa_gw_healthz_handler, gw);
    mg_set_request_handler(gw->http, "/readyz", tpa_gw_readyz_handler, gw);
    mg_set_request_handler(gw->http, "/metrics", tpa_gw_metrics_handler, gw);
    mg_set_request_handler(gw->http, "/", tpa_gw_static_handler, gw);
    tpa_gw_ws_attach(gw->ws, gw->http);
    if (tpa_gw_ws_start(gw->ws) < 0) {
        snprintf(err, errlen, "cannot start the event subscriber thread");
        goto fail;
    }
    gw->reaper = tpa_gw_reaper_new(gw);
    if (!gw->reaper) {
        snprintf(err, errlen, "cannot start the reaper thread");
        goto fail;
    }
    return gw;

fail:
    tpa_gw_destroy(&gw);
    return NULL;
}

void tpa_gw_destroy(tpa_gw_t **gwp)
{
    tpa_gw_t *gw = gwp ? *gwp : NULL;

    if (!gw) return;
    tpa_gw_reaper_destroy(&gw->reaper);
    if (gw->ws) tpa_gw_ws_stop(gw->ws);
    if (gw->http)
        mg_stop(gw->http); /* waits for handlers; closes WebSockets (close handlers run) */
    gw->http = NULL;
    tpa_gw_ws_destroy(&gw->ws);
    tpa_gw_forwarder_destroy(&gw->forwarder);
    tpa_gw_dispatch_destroy(&gw->dispatch);
    tpa_gw_pool_destroy(&gw->pool);
    tpa_gw_metrics_fini(&gw->metrics);
    free(gw);
    *gwp = NULL;
}
