/* tpa_gw_reaper.h - re-queues lost jobs and counts jobs by state.
 *
 * Every 5 s (and once right after start-up) one pass over tpa:jobs:
 *   - queued, not handed to ZeroMQ for 30 s (field `pushed`, else `created`), or
 *     pushed before this gateway started (its queue died with the old process):
 *     the job message is pushed again;
 *   - parsing whose lease (unix ms) has passed, or enriching whose lease +
 *     cfg.llm_timeout_s has passed (the LLM step does not renew the lease the
 *     parser set when handing over, and one LLM call may take that long): with attempts <
 *     cfg.job_retries the job goes back to queued ("requeued after lease expiry",
 *     progress 0) and is pushed again; otherwise it fails ("gave up after N
 *     attempts: worker lease expired");
 *   - queued with attempts >= cfg.job_retries fails the same way.
 * State changes are compare-and-set in one Lua script on (state, lease), so a
 * worker that renews its lease meanwhile wins; each publishes the usual event.
 * Cost: O(N) in all jobs, pipelined 512 HMGETs per round trip (10k jobs: about
 * 20 round trips, a few ms of Redis time). The per-state counts feed /metrics.
 */
#ifndef TPA_GW_REAPER_H
#define TPA_GW_REAPER_H

#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stdint.h>

#include "tpa_gw.h"

#define TPA_GW_REAPER_PERIOD_MS 5000
#define TPA_GW_REAPER_UNCLAIMED_MS 30000

typedef struct tpa_gw_reaper_stats {
    long long states[TPA_GW_NSTATES]; /* jobs per state */
    int repushed;                     /* job messages pushed again */
    bool blocked;                     /* a push timed out: no parser is taking jobs */
    int requeued;                     /* lease expired -> queued */
    int failed;                       /* retry limit reached -> failed */
} tpa_gw_reaper_stats_t;

/* Starts the reaper thread for gw (borrowed; must outlive the reaper). NULL on
 * failure. */
tpa_gw_reaper_t *tpa_gw_reaper_new(tpa_gw_t *gw);

/* Stops and joins the thread (promptly), frees; nulls *rp. */
void tpa_gw_reaper_destroy(tpa_gw_reaper_t **rp);

/* One pass at time now_ms over Redis r; started_ms is the gateway's start time.
 * Fills *st. Returns 0 or a negative TPA_ERR_* (Redis failure). */
int tpa_gw_reaper_pass(tpa_gw_t *gw, redisContext *r, int64_t now_ms, int64_t started_ms,
                       tpa_gw_reaper_stats_t *st);

#endif
