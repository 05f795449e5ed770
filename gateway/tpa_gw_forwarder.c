/* tpa_gw_forwarder.c - PULL -> PUSH task forwarder actor (see tpa_gw_forwarder.h). */
#include "tpa_gw_forwarder.h"
#include "tpa_log.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>

#define IN_RCVHWM 1000 /* tasks buffered from parsers */
#define OUT_SNDHWM 2   /* per LLM worker: the worker itself keeps one prefetched */
#define OUT_SNDTIMEO_MS 0
#define RETRY_MS 100 /* how often a held task is offered again */

struct tpa_gw_forwarder {
    zactor_t *actor;
};

typedef struct args {
    zsock_t *in, *out;
    tpa_gw_metrics_t *metrics;
} args_t;

static void actor_fn(zsock_t *pipe, void *arg)
{
    args_t *a = arg;
    zpoller_t *poller = zpoller_new(pipe, a->in, NULL);
    zpoller_t *pipe_only = zpoller_new(pipe, NULL);
    zframe_t *held = NULL; /* a task no worker could take yet */

    zsock_signal(pipe, 0);
    if (!poller || !pipe_only) goto done;
    for (;;) {
        void *which = zpoller_wait(held ? pipe_only : poller, held ? RETRY_MS : -1);
        if (which == pipe) {
            char *cmd = zstr_recv(pipe);
            int term = !cmd || streq(cmd, "$TERM");
            zstr_free(&cmd);
            if (term) break;
            continue;
        }
        if (!which && zpoller_terminated(held ? pipe_only : poller)) break;
        if (which == a->in) {
            zmsg_t *msg = zmsg_recv(a->in);
            if (!msg) continue;
            if (zmsg_size(msg) != 1) {
                tpa_warn(NULL, "forwarder: dropped a %zu-frame message (a task is one frame)",
                         zmsg_size(msg));
                zmsg_destroy(&msg);
                continue;
            }
            held = zmsg_pop(msg);
            zmsg_destroy(&msg);
        }
        if (held) {
            if (zframe_send(&held, a->out, ZFRAME_DONTWAIT) == 0)
                atomic_fetch_add(&a->metrics->tasks_forwarded, 1);
            /* on failure (no worker ready) zframe_send keeps the frame in held */
        }
    }
done:
    zframe_destroy(&held);
    zpoller_destroy(&pipe_only);
    zpoller_destroy(&poller);
    zsock_destroy(&a->in);
    zsock_destroy(&a->out);
    free(a);
}

tpa_gw_forwarder_t *tpa_gw_forwarder_new(const tpa_config_t *cfg, tpa_gw_metrics_t *metrics,
                                         char *err, size_t errlen)
{
    tpa_gw_forwarder_t *f = calloc(1, sizeof *f);
    args_t *a = calloc(1, sizeof *a);
    char in_ep[256], out_ep[256];

    if (!f || !a) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    a->metrics = metrics;
    tpa_config_endpoint(cfg, TPA_EP_TASKS_IN, true, in_ep, sizeof in_ep);
    tpa_config_endpoint(cfg, TPA_EP_TASKS_OUT, true, out_ep, sizeof out_ep);
    a->in = zsock_new(ZMQ_PULL);
    a->out = zsock_new(ZMQ_PUSH);
    if (!a->in || !a->out) {
        snprintf(err, errlen, "cannot create ZeroMQ sockets");
        goto fail;
    }
    zsock_set_rcvhwm(a->in, IN_RCVHWM);
    zsock_set_linger(a->in, 0);
    zsock_set_sndhwm(a->out, OUT_SNDHWM);
    zsock_set_sndtimeo(a->out, OUT_SNDTIMEO_MS);
    zsock_set_linger(a->out, 0);
    if (zsock_bind(a->in, "%s", in_ep) < 0) {
        snprintf(err, errlen, "cannot bind tasks-in endpoint %s: %s", in_ep,
                 zmq_strerror(zmq_errno()));
        goto fail;
    }
    if (zsock_bind(a->out, "%s", out_ep) < 0) {
        snprintf(err, errlen, "cannot bind tasks-out endpoint %s: %s", out_ep,
                 zmq_strerror(zmq_errno()));
        goto fail;
    }
    /* The sockets move to the actor thread; zactor_new's handshake is the barrier. */
    f->actor = zactor_new(actor_fn, a);
    if (!f->actor) {
        snprintf(err, errlen, "cannot start the forwarder thread");
        goto fail;
    }
    return f;

fail:
    if (a) {
        zsock_destroy(&a->in);
        zsock_destroy(&a->out);
        free(a);
    }
    free(f);
    return NULL;
}

void tpa_gw_forwarder_destroy(tpa_gw_forwarder_t **fp)
{
    tpa_gw_forwarder_t *f = fp ? *fp : NULL;

    if (!f) return;
    zactor_destroy(&f->actor); /* sends $TERM and waits for the actor to finish */
    free(f);
    *fp = NULL;
}
