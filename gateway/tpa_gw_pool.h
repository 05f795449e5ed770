/* tpa_gw_pool.h - a small pool of blocking hiredis connections shared by the
 * civetweb worker threads (hiredis contexts are not thread-safe: one thread uses
 * a context at a time, between _get and _put).
 */
#ifndef TPA_GW_POOL_H
#define TPA_GW_POOL_H

#include <hiredis/hiredis.h>
#include <stddef.h>

#include "tpa_config.h"

typedef struct tpa_gw_pool tpa_gw_pool_t;

/* Creates an empty pool that keeps at most max_idle idle connections. cfg is
 * copied. Returns NULL on allocation failure. Connects lazily. */
tpa_gw_pool_t *tpa_gw_pool_new(const tpa_config_t *cfg, int max_idle);

/* Frees every idle connection and the pool; nulls *p. All borrowed contexts must
 * have been returned. */
void tpa_gw_pool_destroy(tpa_gw_pool_t **p);

/* Borrows a connected context (an idle one, checked for a peer close, or a new
 * connection). Returns NULL with a message in err when Redis is unreachable; after
 * a failed connect, further calls fail fast for 1 s. Give it back with _put. */
redisContext *tpa_gw_pool_get(tpa_gw_pool_t *p, char *err, size_t errlen);

/* Returns a context borrowed with _get. A context with c->err set (broken) is freed,
 * as are contexts beyond max_idle. c may be NULL. */
void tpa_gw_pool_put(tpa_gw_pool_t *p, redisContext *c);

#endif
