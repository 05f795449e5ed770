/* tpa_daemon.c - signals and Redis waiting for the worker daemons; see tpa_daemon.h. */
#include "tpa_daemon.h"

#include <czmq.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tpa_err.h"
#include "tpa_log.h"
#include "tpa_redis.h"
#include "tpa_zmq.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

int tpa_daemon_signals(void)
{
    zsys_handler_set(NULL); /* our own handlers below, not czmq's */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a blocking poll returns so the loop sees the flag. */
    if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL)) return TPA_ERR_IO;
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

int tpa_daemon_start(const char *prog, const char *usage, tpa_config_t *cfg, int argc, char **argv)
{
    int nrest = 0;
    tpa_config_init(cfg);
    int rc = tpa_config_parse_args(cfg, argc, argv, usage, &nrest);
    if (rc == 1) return 0;
    if (rc < 0) return 2;
    if (nrest > 1) {
        fprintf(stderr, "%s: unexpected argument '%s' (see --help)\n", prog, argv[1]);
        return 2;
    }
    tpa_log_init(prog, cfg->log_level);
    if (tpa_daemon_signals()) {
        tpa_error(NULL, "cannot install signal handlers: %s", strerror(errno));
        return 1;
    }
    return -1;
}

bool tpa_daemon_stopping(void)
{
    return stop_flag != 0;
}

int tpa_daemon_redis_ready(redisContext **r, const tpa_config_t *cfg, const char *job)
{
    for (int i = 0; i < TPA_DAEMON_REDIS_WAIT_S && !stop_flag; i++) {
        char err[256] = "connection lost";
        if (!*r) {
            *r = tpa_redis_connect(cfg, err, sizeof err);
            if (*r) return 0;
        } else if (tpa_redis_ensure(*r) == 0) {
            return 0;
        }
        if (i == 0)
            tpa_warn(job, "redis %s:%d: %s; retrying for up to %d s", cfg->redis_host,
                     cfg->redis_port, err, TPA_DAEMON_REDIS_WAIT_S);
        sleep(1);
    }
    return TPA_ERR_CONN;
}

void tpa_daemon_serve(zsock_t *pull, tpa_daemon_handler_fn fn, void *arg)
{
    while (!stop_flag) {
        char err[256] = "";
        json_t *msg = tpa_zmq_recv(pull, TPA_DAEMON_RECV_MS, err, sizeof err);
        if (!msg) {
            if (err[0]) tpa_warn(NULL, "dropping undecodable message: %s", err);
            continue;
        }
        fn(arg, msg);
        json_decref(msg);
    }
}
