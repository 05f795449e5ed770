/* tpa_gw_pool.c - Redis connection pool (see tpa_gw_pool.h). */
#include "tpa_gw_pool.h"
#include "tpa_job.h"
#include "tpa_redis.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define FAIL_FAST_MS 1000

struct tpa_gw_pool {
    tpa_config_t cfg;
    pthread_mutex_t lock;
    redisContext **idle;
    int nidle, max_idle;
    int64_t failed_at; /* unix ms of the last failed connect, 0 if none */
    char failed_msg[256];
};

tpa_gw_pool_t *tpa_gw_pool_new(const tpa_config_t *cfg, int max_idle)
{
    tpa_gw_pool_t *p = calloc(1, sizeof *p);

    if (!p) return NULL;
    p->cfg = *cfg;
    p->max_idle = max_idle > 0 ? max_idle : 1;
    p->idle = calloc((size_t)p->max_idle, sizeof *p->idle);
    if (!p->idle) {
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    return p;
}

void tpa_gw_pool_destroy(tpa_gw_pool_t **pp)
{
    tpa_gw_pool_t *p = pp ? *pp : NULL;

    if (!p) return;
    for (int i = 0; i < p->nidle; i++)
        redisFree(p->idle[i]);
    free(p->idle);
    pthread_mutex_destroy(&p->lock);
    free(p);
    *pp = NULL;
}

/* An idle connection whose socket is readable has been closed by the server
 * (or holds unsolicited data): either way it is not safe to reuse. */
static int stale(redisContext *c)
{
    struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
    return c->err || poll(&pfd, 1, 0) != 0;
}

redisContext *tpa_gw_pool_get(tpa_gw_pool_t *p, char *err, size_t errlen)
{
    redisContext *c = NULL;
    int64_t now;

    pthread_mutex_lock(&p->lock);
    while (p->nidle > 0 && !c) {
        c = p->idle[--p->nidle];
        if (stale(c)) {
            redisFree(c);
            c = NULL;
        }
    }
    now = tpa_now_ms();
    if (!c && p->failed_at && now - p->failed_at < FAIL_FAST_MS) {
        snprintf(err, errlen, "%s", p->failed_msg);
        pthread_mutex_unlock(&p->lock);
        return NULL;
    }
    pthread_mutex_unlock(&p->lock);
    if (c) return c;

    c = tpa_redis_connect(&p->cfg, err, errlen);
    pthread_mutex_lock(&p->lock);
    if (c) {
        p->failed_at = 0;
    } else {
        p->failed_at = tpa_now_ms();
        snprintf(p->failed_msg, sizeof p->failed_msg, "%s", err);
    }
    pthread_mutex_unlock(&p->lock);
    return c;
}

void tpa_gw_pool_put(tpa_gw_pool_t *p, redisContext *c)
{
    if (!c) return;
    if (c->err) {
        redisFree(c);
        return;
    }
    pthread_mutex_lock(&p->lock);
    if (p->nidle < p->max_idle) {
        p->idle[p->nidle++] = c;
        c = NULL;
    }
    pthread_mutex_unlock(&p->lock);
    if (c) redisFree(c);
}
