/* tpa_gw_health.c - /healthz, /readyz, /metrics (see tpa_gw_health.h). */
#include "tpa_gw_health.h"
#include "tpa_gw.h"
#include "tpa_gw_http.h"
#include "tpa_gw_metrics.h"
#include "tpa_gw_pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tpa_gw_healthz_handler(struct mg_connection *c, void *cbdata)
{
    (void)cbdata;
    return tpa_gw_reply(c, 200, "text/plain; charset=utf-8", "ok\n", 3, false);
}

int tpa_gw_readyz_handler(struct mg_connection *c, void *cbdata)
{
    tpa_gw_t *gw = cbdata;
    char err[256], msg[320];
    redisContext *r = tpa_gw_pool_get(gw->pool, err, sizeof err);
    redisReply *rep = NULL;
    int n;

    if (r) {
        rep = redisCommand(r, "PING");
        if (!rep || rep->type == REDIS_REPLY_ERROR)
            snprintf(err, sizeof err, "%s", rep ? rep->str : r->errstr);
    }
    if (r && rep && rep->type != REDIS_REPLY_ERROR) {
        freeReplyObject(rep);
        tpa_gw_pool_put(gw->pool, r);
        return tpa_gw_reply(c, 200, "text/plain; charset=utf-8", "ready\n", 6, false);
    }
    if (rep) freeReplyObject(rep);
    tpa_gw_pool_put(gw->pool, r);
    n = snprintf(msg, sizeof msg, "redis unavailable: %s\n", err);
    return tpa_gw_reply(c, 503, "text/plain; charset=utf-8", msg,
                        n > 0 && (size_t)n < sizeof msg ? (size_t)n : strlen(msg), false);
}

int tpa_gw_metrics_handler(struct mg_connection *c, void *cbdata)
{
    tpa_gw_t *gw = cbdata;
    char *text = tpa_gw_metrics_render(&gw->metrics);
    int status;

    if (!text) return tpa_gw_reply_error(c, 500, "internal", "out of memory");
    status =
        tpa_gw_reply(c, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text), false);
    free(text);
    return status;
}
