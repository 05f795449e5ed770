/* tpa_gw_dispatch.c - jobs PUSH socket (see tpa_gw_dispatch.h). */
#include "tpa_gw_dispatch.h"
#include "tpa_err.h"
#include "tpa_zmq.h"

#include <czmq.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Messages queued per connected parser before sends time out. Parsers set
 * RCVHWM 1 (one job prefetched); a small SNDHWM keeps the rest in Redis, where
 * the reaper sees them, rather than in socket buffers. */
#define JOBS_SNDHWM 4
#define JOBS_SNDTIMEO_MS 100

struct tpa_gw_dispatch {
    pthread_mutex_t lock;
    zsock_t *push;
};

tpa_gw_dispatch_t *tpa_gw_dispatch_new(const tpa_config_t *cfg, char *err, size_t errlen)
{
    tpa_gw_dispatch_t *d = calloc(1, sizeof *d);
    char ep[256];

    if (!d) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    tpa_config_endpoint(cfg, TPA_EP_JOBS, true, ep, sizeof ep);
    d->push = zsock_new(ZMQ_PUSH);
    if (!d->push) {
        snprintf(err, errlen, "cannot create ZeroMQ PUSH socket");
        goto fail_alloc;
    }
    zsock_set_sndhwm(d->push, JOBS_SNDHWM);
    zsock_set_sndtimeo(d->push, JOBS_SNDTIMEO_MS);
    zsock_set_linger(d->push, 0);
    if (zsock_bind(d->push, "%s", ep) < 0) {
        snprintf(err, errlen, "cannot bind jobs endpoint %s: %s", ep, zmq_strerror(zmq_errno()));
        goto fail_sock;
    }
    pthread_mutex_init(&d->lock, NULL);
    return d;

fail_sock:
    zsock_destroy(&d->push);
fail_alloc:
    free(d);
    return NULL;
}

void tpa_gw_dispatch_destroy(tpa_gw_dispatch_t **dp)
{
    tpa_gw_dispatch_t *d = dp ? *dp : NULL;

    if (!d) return;
    zsock_destroy(&d->push);
    pthread_mutex_destroy(&d->lock);
    free(d);
    *dp = NULL;
}

void tpa_gw_dispatch_fill(const tpa_config_t *cfg, const char *id, const char *path, uint64_t size,
                          const char *sha256, tpa_wire_job_t *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->job, sizeof out->job, "%s", id);
    snprintf(out->capture, sizeof out->capture, "%s", id);
    snprintf(out->path, sizeof out->path, "%s", path ? path : "");
    snprintf(out->url, sizeof out->url, "http://%s:%d/internal/captures/%s", cfg->gateway_host,
             cfg->http_port, id);
    out->size = size;
    snprintf(out->sha256, sizeof out->sha256, "%s", sha256 ? sha256 : "");
    out->options = NULL;
}

int tpa_gw_dispatch_job(tpa_gw_dispatch_t *d, const tpa_wire_job_t *job)
{
    json_t *msg = tpa_wire_job_build(job);
    int rc;

    if (!msg) return TPA_ERR_NOMEM;
    pthread_mutex_lock(&d->lock);
    rc = tpa_zmq_send(d->push, msg);
    pthread_mutex_unlock(&d->lock);
    json_decref(msg);
    return rc;
}
