/* tpa_gw_main.c - tpa-gateway: HTTP API, uploads, WebSocket relay, task
 * forwarder and job reaper in one process (see tpa_gw.h). */
#include "tpa_config.h"
#include "tpa_gw.h"
#include "tpa_log.h"

#include <civetweb.h>
#include <czmq.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: tpa-gateway [--setting VALUE ...]\n"
    "\n"
    "The tpa gateway: REST API (/api/v1), capture upload, WebSocket job events\n"
    "(/ws/jobs/<id>), the web UI (/), /healthz /readyz /metrics, the jobs queue\n"
    "(ZeroMQ PUSH on TPA_ZMQ_PORT), the task forwarder (PULL TPA_ZMQ_PORT+1 ->\n"
    "PUSH TPA_ZMQ_PORT+2) and the job reaper. Needs Redis (TPA_REDIS_HOST/PORT).\n"
    "Plain HTTP on IPv4 only: put a reverse proxy in front for TLS or IPv6.\n"
    "Stops cleanly on SIGINT/SIGTERM.\n";

int main(int argc, char **argv)
{
    tpa_config_t cfg;
    sigset_t set;
    tpa_gw_t *gw;
    char err[512];
    int nrest = 0, rc, sig = 0;

    tpa_config_init(&cfg);
    rc = tpa_config_parse_args(&cfg, argc, argv, usage, &nrest);
    if (rc == 1) return 0;
    if (rc < 0) return 2;
    if (nrest > 1) {
        fprintf(stderr, "tpa-gateway: unexpected argument '%s' (see --help)\n", argv[1]);
        return 2;
    }
    tpa_log_init("tpa-gateway", cfg.log_level);
#ifdef __GLIBC__
    /* Large result documents pass through many civetweb threads; with glibc's
     * dynamic mmap threshold their memory would stay cached in per-thread arenas
     * (measured: +56 MB RSS per request on a 29 MB document). A fixed threshold
     * keeps blocks >= 1 MiB mmap'd, returned to the system on free. */
    mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
#endif

    /* Signals: czmq must not install its own handlers; every thread created from
     * here on inherits the blocked mask and main waits for SIGINT/SIGTERM. */
    zsys_handler_set(NULL);
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    mg_init_library(0);
    gw = tpa_gw_new(&cfg, argv[0], err, sizeof err);
    if (!gw) {
        tpa_error(NULL, "cannot start: %s", err);
        mg_exit_library();
        return 1;
    }
    {
        char jobs[256], tin[256], tout[256];
        tpa_config_endpoint(&cfg, TPA_EP_JOBS, true, jobs, sizeof jobs);
        tpa_config_endpoint(&cfg, TPA_EP_TASKS_IN, true, tin, sizeof tin);
        tpa_config_endpoint(&cfg, TPA_EP_TASKS_OUT, true, tout, sizeof tout);
        tpa_info(NULL,
                 "listening on http://%s:%d (data %s, web %s); jobs %s, tasks %s -> %s; "
                 "redis %s:%d; max upload %ld MiB",
                 cfg.http_bind, cfg.http_port, gw->data_dir, gw->web_dir, jobs, tin, tout,
                 cfg.redis_host, cfg.redis_port, cfg.max_upload_mb);
    }
    while (sigwait(&set, &sig) != 0)
        ;
    tpa_info(NULL, "%s received: shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
    tpa_gw_destroy(&gw);
    mg_exit_library();
    tpa_info(NULL, "stopped");
    return 0;
}
