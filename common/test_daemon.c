/* test_daemon.c - tpa_daemon: a daemon's start (--help, a stray argument, a normal
 * start), SIGPIPE does not kill, SIGTERM / SIGINT set the stop flag (the handlers are
 * installed once per process, so the normal start and SIGINT are checked in a child),
 * and the Redis wait gives up at once when stopping, without touching the caller's
 * context. */
#include "tpa_daemon.h"
#include "tpa_err.h"
#include "tpa_test.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void test_start_usage(void)
{
    tpa_config_t cfg;
    char *help[] = {"tpa-test", "--help", NULL};
    char *stray[] = {"tpa-test", "stray", NULL};
    CHECK(tpa_daemon_start("tpa-test", "Usage: tpa-test\n", &cfg, 2, help) == 0);
    CHECK(tpa_daemon_start("tpa-test", "Usage: tpa-test\n", &cfg, 2, stray) == 2);
}

static void test_start_and_sigint_in_child(void)
{
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        tpa_config_t cfg;
        char *argv[] = {"tpa-test", NULL};
        if (tpa_daemon_start("tpa-test", "Usage: tpa-test\n", &cfg, 1, argv) != -1) _exit(2);
        if (tpa_daemon_stopping()) _exit(4);
        raise(SIGINT);
        _exit(tpa_daemon_stopping() ? 0 : 3);
    }
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid);
    CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);
}

int main(void)
{
    test_start_usage();
    test_start_and_sigint_in_child();

    CHECK(tpa_daemon_signals() == 0);
    CHECK(!tpa_daemon_stopping());
    raise(SIGPIPE); /* ignored: still running */
    CHECK(!tpa_daemon_stopping());
    raise(SIGTERM);
    CHECK(tpa_daemon_stopping());

    tpa_config_t cfg;
    tpa_config_init(&cfg);
    cfg.redis_port = 1; /* nothing listens there */
    redisContext *r = NULL;
    time_t t0 = time(NULL);
    CHECK(tpa_daemon_redis_ready(&r, &cfg, NULL) == TPA_ERR_CONN);
    CHECK(r == NULL);
    CHECK(time(NULL) - t0 <= 1); /* no retrying once stopping */
    return TEST_DONE();
}
