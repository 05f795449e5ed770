/* tpa_redis.c - Redis connection helpers over hiredis 0.14 (blocking API). */
#include "tpa_redis.h"
#include "tpa_err.h"

#include <stdio.h>
#include <sys/time.h>

#define TPA_REDIS_TIMEOUT_S 5

redisContext *tpa_redis_connect(const tpa_config_t *cfg, char *err, size_t errlen)
{
    struct timeval tv = {TPA_REDIS_TIMEOUT_S, 0};
    redisContext *c;

    if (err && errlen) err[0] = '\0';
    if (!cfg) {
        if (err && errlen) snprintf(err, errlen, "no configuration");
        return NULL;
    }
    c = redisConnectWithTimeout(cfg->redis_host, cfg->redis_port, tv);
    if (!c) {
        if (err && errlen) snprintf(err, errlen, "cannot allocate Redis context");
        return NULL;
    }
    if (c->err) {
        if (err && errlen)
            snprintf(err, errlen, "cannot connect to Redis at %s:%d: %s", cfg->redis_host,
                     cfg->redis_port, c->errstr);
        redisFree(c);
        return NULL;
    }
    if (redisSetTimeout(c, tv) != REDIS_OK) {
        if (err && errlen) snprintf(err, errlen, "cannot set Redis command timeout: %s", c->errstr);
        redisFree(c);
        return NULL;
    }
    return c;
}

int tpa_redis_ensure(redisContext *c)
{
    struct timeval tv = {TPA_REDIS_TIMEOUT_S, 0};
    redisReply *r;

    if (!c) return TPA_ERR_CONN;
    if (!c->err) {
        r = redisCommand(c, "PING");
        if (r) {
            freeReplyObject(r);
            return 0;
        }
    }
    if (redisReconnect(c) != REDIS_OK || c->err) return TPA_ERR_CONN;
    if (redisSetTimeout(c, tv) != REDIS_OK) return TPA_ERR_CONN;
    return 0;
}
