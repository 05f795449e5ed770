/* tpa_daemon.c - signals and Redis waiting for the worker daemons; see tpa_daemon.h. */
#include "tpa_daemon.h"

#include <czmq.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "tpa_err.h"
#include "tpa_log.h"
#include "tpa_redis.h"

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
