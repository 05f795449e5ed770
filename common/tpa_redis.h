/* tpa_redis.h - Redis connection helpers (hiredis 0.14).
 * Replies from hiredis are owned by the caller (freeReplyObject).
 */
#ifndef TPA_REDIS_H
#define TPA_REDIS_H

#include <hiredis/hiredis.h>
#include "tpa_config.h"

/* Connects to cfg's Redis with a 5 s connect and command timeout (a command that gets
 * no answer in 5 s returns NULL and the context's err is set). Returns a context (caller redisFree's)
 * or NULL, writing a message to err. */
redisContext *tpa_redis_connect(const tpa_config_t *cfg, char *err, size_t errlen);

/* Reconnects c in place if its connection broke (checks with a PING, one round trip),
 * keeping the 5 s command timeout. Not for a context in SUBSCRIBE mode.
 * Returns 0 or TPA_ERR_CONN. */
int tpa_redis_ensure(redisContext *c);

#endif
