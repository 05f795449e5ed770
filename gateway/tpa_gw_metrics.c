/* tpa_gw_metrics.c - counters and Prometheus text format 0.0.4. */
#include "tpa_gw_metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const tpa_gw_state_names[TPA_GW_NSTATES] = {"queued",    "parsing", "enriching",
                                                        "completed", "failed",  "cancelled"};

int tpa_gw_state_index(const char *state)
{
    for (int i = 0; state && i < TPA_GW_NSTATES; i++)
        if (!strcmp(state, tpa_gw_state_names[i])) return i;
    return -1;
}

void tpa_gw_metrics_init(tpa_gw_metrics_t *m)
{
    memset(m, 0, sizeof *m);
    pthread_mutex_init(&m->lock, NULL);
}

void tpa_gw_metrics_fini(tpa_gw_metrics_t *m)
{
    pthread_mutex_destroy(&m->lock);
}

void tpa_gw_metrics_set_jobs(tpa_gw_metrics_t *m, const long long *counts)
{
    pthread_mutex_lock(&m->lock);
    memcpy(m->jobs, counts, sizeof m->jobs);
    m->jobs_valid = true;
    pthread_mutex_unlock(&m->lock);
}

typedef struct out {
    char *p;
    size_t len, cap;
    bool failed;
} out_t;

static void put(out_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(out_t *o, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (o->failed) return;
    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            o->failed = true;
            return;
        }
        if ((size_t)n < o->cap - o->len) {
            o->len += (size_t)n;
            return;
        }
        size_t cap = o->cap * 2 + (size_t)n;
        char *p = realloc(o->p, cap);
        if (!p) {
            o->failed = true;
            return;
        }
        o->p = p;
        o->cap = cap;
    }
}

static void counter(out_t *o, const char *name, const char *help, unsigned long long v)
{
    put(o, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name, v);
}

char *tpa_gw_metrics_render(tpa_gw_metrics_t *m)
{
    out_t o = {0};
    long long jobs[TPA_GW_NSTATES];
    bool valid;

    o.cap = 2048;
    o.p = malloc(o.cap);
    if (!o.p) return NULL;
    o.p[0] = '\0';

    counter(&o, "tpa_http_requests_total", "HTTP requests received.",
            atomic_load(&m->http_requests));
    counter(&o, "tpa_uploads_total", "Capture files accepted.", atomic_load(&m->uploads));
    counter(&o, "tpa_upload_bytes_total", "Bytes of accepted capture files.",
            atomic_load(&m->upload_bytes));
    counter(&o, "tpa_uploads_rejected_total", "Upload requests answered with an error.",
            atomic_load(&m->uploads_rejected));
    counter(&o, "tpa_jobs_dispatched_total", "Job messages handed to the parser queue.",
            atomic_load(&m->jobs_dispatched));
    counter(&o, "tpa_jobs_requeued_total", "Jobs re-queued by the reaper.",
            atomic_load(&m->jobs_requeued));
    counter(&o, "tpa_jobs_reaped_total", "Jobs failed by the reaper after the retry limit.",
            atomic_load(&m->jobs_reaped));
    counter(&o, "tpa_tasks_forwarded_total", "Task messages moved by the forwarder.",
            atomic_load(&m->tasks_forwarded));
    put(&o,
        "# HELP tpa_ws_clients Open WebSocket connections.\n# TYPE tpa_ws_clients gauge\n"
        "tpa_ws_clients %d\n",
        atomic_load(&m->ws_clients));
    put(&o,
        "# HELP tpa_redis_up 1 when the gateway's Redis event subscription is live.\n"
        "# TYPE tpa_redis_up gauge\ntpa_redis_up %d\n",
        atomic_load(&m->redis_up));

    pthread_mutex_lock(&m->lock);
    memcpy(jobs, m->jobs, sizeof jobs);
    valid = m->jobs_valid;
    pthread_mutex_unlock(&m->lock);
    if (valid) {
        put(&o, "# HELP tpa_jobs Jobs in Redis by state (refreshed every reaper pass).\n"
                "# TYPE tpa_jobs gauge\n");
        for (int i = 0; i < TPA_GW_NSTATES; i++)
            put(&o, "tpa_jobs{state=\"%s\"} %lld\n", tpa_gw_state_names[i], jobs[i]);
    }
    if (o.failed) {
        free(o.p);
        return NULL;
    }
    return o.p;
}
