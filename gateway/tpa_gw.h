/* tpa_gw.h - the gateway process: shared state of every handler and thread.
 *
 * tpa_gw_new starts, in order: the Redis pool, the jobs PUSH socket, the task
 * forwarder, the WebSocket relay, the HTTP server (civetweb) and the reaper.
 * tpa_gw_destroy stops them in reverse order. TLS is not terminated here: the
 * Debian civetweb cannot start HTTPS under OpenSSL 3 (and has no IPv6), so put a
 * reverse proxy (nginx, Caddy, ...) in front for TLS/IPv6; it must pass WebSocket
 * upgrades for /ws/.
 */
#ifndef TPA_GW_H
#define TPA_GW_H

#include <stddef.h>

#include "tpa_config.h"
#include "tpa_gw_metrics.h"

struct mg_context;
typedef struct tpa_gw_pool tpa_gw_pool_t;
typedef struct tpa_gw_dispatch tpa_gw_dispatch_t;
typedef struct tpa_gw_forwarder tpa_gw_forwarder_t;
typedef struct tpa_gw_ws tpa_gw_ws_t;
typedef struct tpa_gw_reaper tpa_gw_reaper_t;

typedef struct tpa_gw {
    tpa_config_t cfg;
    char data_dir[TPA_PATH_MAX];     /* absolute */
    char captures_dir[TPA_PATH_MAX]; /* <data_dir>/captures: <id>.<pcap|pcapng|gz> */
    char incoming_dir[TPA_PATH_MAX]; /* <captures_dir>/.incoming: uploads in progress */
    char web_dir[TPA_PATH_MAX];      /* static UI files (may not exist) */
    tpa_gw_metrics_t metrics;
    tpa_gw_pool_t *pool;
    tpa_gw_dispatch_t *dispatch;
    tpa_gw_forwarder_t *forwarder;
    tpa_gw_ws_t *ws;
    tpa_gw_reaper_t *reaper;
    struct mg_context *http;
} tpa_gw_t;

/* Starts the gateway with cfg (copied). exe is argv[0] or /proc/self/exe, used to
 * find the default web dir <exe dir>/../share/tpa/web. Returns NULL with a message
 * in err on failure (nothing is left running). */
tpa_gw_t *tpa_gw_new(const tpa_config_t *cfg, const char *exe, char *err, size_t errlen);

/* Stops every thread and server, closes sockets, frees; nulls *gw. */
void tpa_gw_destroy(tpa_gw_t **gw);

#endif
