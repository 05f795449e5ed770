/* tpa_gw_health.h - operational endpoints (cbdata = tpa_gw_t *):
 *   GET /healthz  200 "ok" while the process serves HTTP (liveness)
 *   GET /readyz   200 "ready" when Redis answers PING, else 503 "redis unavailable: ..."
 *   GET /metrics  Prometheus text format 0.0.4 (tpa_gw_metrics.h)
 */
#ifndef TPA_GW_HEALTH_H
#define TPA_GW_HEALTH_H

#include <civetweb.h>

int tpa_gw_healthz_handler(struct mg_connection *c, void *cbdata);
int tpa_gw_readyz_handler(struct mg_connection *c, void *cbdata);
int tpa_gw_metrics_handler(struct mg_connection *c, void *cbdata);

#endif
