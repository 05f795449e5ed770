/* tpa_gw_metrics.h - the gateway's counters and their Prometheus text rendering.
 *
 * Counters are lock-free atomics, safe to bump from any thread. The per-state
 * job counts come from the reaper's periodic scan of Redis (so /metrics costs no
 * Redis round trip) and are guarded by a mutex.
 */
#ifndef TPA_GW_METRICS_H
#define TPA_GW_METRICS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TPA_GW_NSTATES 6

typedef struct tpa_gw_metrics {
    atomic_ullong http_requests;    /* every HTTP request, WebSocket upgrades included */
    atomic_ullong uploads;          /* capture files accepted */
    atomic_ullong upload_bytes;     /* bytes of accepted capture files */
    atomic_ullong uploads_rejected; /* upload requests answered with an error */
    atomic_ullong jobs_dispatched;  /* job messages handed to ZeroMQ */
    atomic_ullong jobs_requeued;    /* re-pushed by the reaper */
    atomic_ullong jobs_reaped;      /* failed by the reaper after the retry limit */
    atomic_ullong tasks_forwarded;  /* frames moved by the task forwarder */
    atomic_int ws_clients;          /* open WebSocket connections */
    atomic_int redis_up;            /* 1 while the event subscriber is connected */

    pthread_mutex_t lock;           /* guards the fields below */
    long long jobs[TPA_GW_NSTATES]; /* per state, order of tpa_gw_state_names */
    bool jobs_valid;                /* false until the first scan */
} tpa_gw_metrics_t;

/* Static state names in the order used by jobs[]. */
extern const char *const tpa_gw_state_names[TPA_GW_NSTATES];

/* Index of a state name in tpa_gw_state_names, -1 if unknown. */
int tpa_gw_state_index(const char *state);

void tpa_gw_metrics_init(tpa_gw_metrics_t *m);
void tpa_gw_metrics_fini(tpa_gw_metrics_t *m);

/* Replaces the per-state job counts (array of TPA_GW_NSTATES). */
void tpa_gw_metrics_set_jobs(tpa_gw_metrics_t *m, const long long *counts);

/* Renders the Prometheus text exposition into a malloc'd string (caller frees);
 * NULL on allocation failure. */
char *tpa_gw_metrics_render(tpa_gw_metrics_t *m);

#endif
