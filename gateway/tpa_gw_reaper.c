/* tpa_gw_reaper.c - lease expiry and lost-job recovery (see tpa_gw_reaper.h). */
#include "tpa_gw_reaper.h"
#include "tpa_err.h"
#include "tpa_gw_dispatch.h"
#include "tpa_gw_pool.h"
#include "tpa_gw_stop.h"
#include "tpa_job.h"
#include "tpa_log.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 512
#define FIRST_PASS_MS 1000

struct tpa_gw_reaper {
    tpa_gw_t *gw;
    int64_t started_ms;
    pthread_t thread;
    tpa_gw_stop_t stop;
    bool blocked; /* the last pass could not push (reported once per change) */
};

/* Compare-and-set transition. KEYS: job hash, event channel.
 * ARGV: id, expected state, expected lease ('' = absent), now, new state, message.
 * Publishes the event in the shape of tpa_job.h. Returns 1 done, 0 changed meanwhile. */
static const char cas_lua[] =
    "local h = redis.call('HMGET', KEYS[1], 'state', 'lease')\n"
    "if h[1] ~= ARGV[2] or (h[2] or '') ~= ARGV[3] then return 0 end\n"
    "local f = {'state', ARGV[5], 'stage', ARGV[5], 'message', ARGV[6], 'updated', ARGV[4]}\n"
    "if ARGV[5] == 'queued' then\n"
    "  f[#f + 1] = 'progress'; f[#f + 1] = '0'; f[#f + 1] = 'pushed'; f[#f + 1] = ARGV[4]\n"
    "end\n"
    "redis.call('HSET', KEYS[1], unpack(f))\n"
    "local e = redis.call('HMGET', KEYS[1], 'state', 'progress', 'stage', 'message')\n"
    "redis.call('PUBLISH', KEYS[2], cjson.encode({job = ARGV[1], state = e[1],\n"
    "  progress = tonumber(e[2]) or 0, stage = e[3] or '', message = e[4] or ''}))\n"
    "return 1\n";

static int cas(redisContext *r, const char *id, const char *state, const char *lease, int64_t now,
               const char *to, const char *message)
{
    char key[128], chan[128], nowbuf[32];
    redisReply *rep;
    int rc;

    snprintf(key, sizeof key, "tpa:job:%s", id);
    snprintf(chan, sizeof chan, "tpa:events:%s", id);
    snprintf(nowbuf, sizeof nowbuf, "%" PRId64, now);
    rep = redisCommand(r, "EVAL %s 2 %s %s %s %s %s %s %s %s", cas_lua, key, chan, id, state, lease,
                       nowbuf, to, message);
    if (!rep) return TPA_ERR_CONN;
    rc = rep->type == REDIS_REPLY_INTEGER ? (int)rep->integer : TPA_ERR_PROTO;
    freeReplyObject(rep);
    return rc;
}

static int64_t field_ll(const redisReply *v, int64_t def)
{
    char *end;
    long long x;

    if (!v || v->type != REDIS_REPLY_STRING || v->len == 0) return def;
    errno = 0;
    x = strtoll(v->str, &end, 10);
    return (errno || *end) ? def : (int64_t)x;
}

static const char *field_str(const redisReply *v)
{
    return v && v->type == REDIS_REPLY_STRING ? v->str : "";
}

/* Pushes the job message again. After one send timed out (no parser ready), the
 * rest of the pass skips pushing: each attempt would wait the send timeout. */
static void repush(tpa_gw_t *gw, redisContext *r, const char *id, redisReply **f, int64_t now,
                   const char *why, tpa_gw_reaper_stats_t *st)
{
    tpa_wire_job_t j;
    json_t *fields;
    int rc;

    if (st->blocked) return;
    /* f: state created pushed lease attempts path size sha256 */
    tpa_gw_dispatch_fill(&gw->cfg, id, field_str(f[5]), (uint64_t)field_ll(f[6], 0),
                         field_str(f[7]), &j);
    rc = tpa_gw_dispatch_job(gw->dispatch, &j);
    if (rc < 0) {
        tpa_debug(id, "re-push: no parser ready (%s)", tpa_strerror(rc));
        st->blocked = true;
        return;
    }
    st->repushed++;
    tpa_info(id, "job message pushed again (%s)", why);
    atomic_fetch_add(&gw->metrics.jobs_dispatched, 1);
    fields = json_pack("{s:I}", "pushed", (json_int_t)now);
    if (fields) tpa_job_set_fields(r, id, fields);
    json_decref(fields);
}

/* Handles one job; f = HMGET reply elements. */
static void reap_one(tpa_gw_t *gw, redisContext *r, const char *id, redisReply **f, int64_t now,
                     int64_t started, tpa_gw_reaper_stats_t *st)
{
    const char *state = field_str(f[0]);
    int idx = tpa_gw_state_index(state);
    int64_t created = field_ll(f[1], 0), pushed = field_ll(f[2], created);
    int64_t attempts = field_ll(f[4], 0);
    char msg[160];

    if (idx < 0) return;
    st->states[idx]++;
    if (!strcmp(state, TPA_JOB_QUEUED)) {
        if (attempts >= gw->cfg.job_retries) {
            snprintf(msg, sizeof msg, "gave up after %" PRId64 " attempts", attempts);
            if (cas(r, id, state, field_str(f[3]), now, TPA_JOB_FAILED, msg) == 1) {
                st->failed++;
                st->states[idx]--;
                st->states[tpa_gw_state_index(TPA_JOB_FAILED)]++;
                atomic_fetch_add(&gw->metrics.jobs_reaped, 1);
                tpa_warn(id, "job failed: %s", msg);
            }
            return;
        }
        if (now - pushed >= TPA_GW_REAPER_UNCLAIMED_MS || pushed < started) {
            repush(gw, r, id, f, now,
                   pushed < started ? "queued before this gateway started" : "still unclaimed", st);
        }
        return;
    }
    if (strcmp(state, TPA_JOB_PARSING) && strcmp(state, TPA_JOB_ENRICHING)) return;
    {
        int64_t lease = field_ll(f[3], -1);
        /* Enriching: the LLM worker does not renew the lease the parser left, and its
         * call may legitimately take up to cfg.llm_timeout_s; allow for that. */
        if (lease >= 0 && !strcmp(state, TPA_JOB_ENRICHING))
            lease += (int64_t)gw->cfg.llm_timeout_s * 1000;
        if (lease < 0 || lease >= now)
            return; /* no lease (not claimed through tpa_job_claim) or still valid */
    }
    if (attempts < gw->cfg.job_retries) {
        if (cas(r, id, state, field_str(f[3]), now, TPA_JOB_QUEUED,
                "requeued after lease expiry") == 1) {
            st->requeued++;
            st->states[idx]--;
            st->states[tpa_gw_state_index(TPA_JOB_QUEUED)]++;
            atomic_fetch_add(&gw->metrics.jobs_requeued, 1);
            tpa_warn(id, "worker lease expired while %s (attempt %" PRId64 " of %d): requeued",
                     state, attempts, gw->cfg.job_retries);
            repush(gw, r, id, f, now, "lease expired", st);
        }
    } else {
        snprintf(msg, sizeof msg, "gave up after %" PRId64 " attempts: worker lease expired",
                 attempts);
        if (cas(r, id, state, field_str(f[3]), now, TPA_JOB_FAILED, msg) == 1) {
            st->failed++;
            st->states[idx]--;
            st->states[tpa_gw_state_index(TPA_JOB_FAILED)]++;
            atomic_fetch_add(&gw->metrics.jobs_reaped, 1);
            tpa_warn(id, "job failed: %s", msg);
        }
    }
}

int tpa_gw_reaper_pass(tpa_gw_t *gw, redisContext *r, int64_t now_ms, int64_t started_ms,
                       tpa_gw_reaper_stats_t *st)
{
    redisReply *ids = redisCommand(r, "ZRANGE tpa:jobs 0 -1");
    int rc = 0;

    memset(st, 0, sizeof *st);
    if (!ids) return TPA_ERR_CONN;
    if (ids->type != REDIS_REPLY_ARRAY) {
        freeReplyObject(ids);
        return TPA_ERR_PROTO;
    }
    for (size_t base = 0; base < ids->elements && rc == 0; base += BATCH) {
        size_t n = ids->elements - base < BATCH ? ids->elements - base : BATCH;
        redisReply **replies = calloc(n, sizeof *replies);
        if (!replies) {
            rc = TPA_ERR_NOMEM;
            break;
        }
        for (size_t i = 0; i < n; i++) {
            redisReply *id = ids->element[base + i];
            if (id->type != REDIS_REPLY_STRING) continue;
            redisAppendCommand(r,
                               "HMGET tpa:job:%b state created pushed lease attempts path size "
                               "sha256",
                               id->str, id->len);
        }
        for (size_t i = 0; i < n; i++) {
            void *vp = NULL;
            if (ids->element[base + i]->type != REDIS_REPLY_STRING) continue;
            if (redisGetReply(r, &vp) != REDIS_OK) {
                rc = TPA_ERR_CONN;
                break;
            }
            replies[i] = vp;
        }
        for (size_t i = 0; i < n && rc == 0; i++) {
            redisReply *rep = replies[i];
            const char *id = ids->element[base + i]->str;
            if (rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 8 && tpa_job_id_valid(id))
                reap_one(gw, r, id, rep->element, now_ms, started_ms, st);
            if (r->err) rc = TPA_ERR_CONN;
        }
        for (size_t i = 0; i < n; i++)
            if (replies[i]) freeReplyObject(replies[i]);
        free(replies);
    }
    freeReplyObject(ids);
    return rc;
}

static void *reaper_main(void *arg)
{
    tpa_gw_reaper_t *rp = arg;
    tpa_gw_t *gw = rp->gw;
    int delay = FIRST_PASS_MS;

    while (!tpa_gw_stop_wait(&rp->stop, delay)) {
        tpa_gw_reaper_stats_t st;
        char err[256];
        redisContext *r = tpa_gw_pool_get(gw->pool, err, sizeof err);
        int rc;

        delay = TPA_GW_REAPER_PERIOD_MS;
        if (!r) {
            tpa_debug(NULL, "reaper: %s", err);
            continue;
        }
        rc = tpa_gw_reaper_pass(gw, r, tpa_now_ms(), rp->started_ms, &st);
        tpa_gw_pool_put(gw->pool, r);
        if (rc < 0) {
            tpa_warn(NULL, "reaper pass failed: %s", tpa_strerror(rc));
            continue;
        }
        tpa_gw_metrics_set_jobs(&gw->metrics, st.states);
        if (st.repushed || st.requeued || st.failed)
            tpa_info(NULL, "reaper: %d pushed again, %d requeued, %d failed", st.repushed,
                     st.requeued, st.failed);
        if (st.blocked != rp->blocked)
            tpa_log(st.blocked ? TPA_LOG_WARN : TPA_LOG_INFO, NULL, "%s",
                    st.blocked ? "reaper: no parser is taking jobs; they stay queued in Redis"
                               : "reaper: parsers are taking jobs again");
        rp->blocked = st.blocked;
    }
    return NULL;
}

tpa_gw_reaper_t *tpa_gw_reaper_new(tpa_gw_t *gw)
{
    tpa_gw_reaper_t *rp = calloc(1, sizeof *rp);

    if (!rp) return NULL;
    rp->gw = gw;
    rp->started_ms = tpa_now_ms();
    tpa_gw_stop_init(&rp->stop);
    if (pthread_create(&rp->thread, NULL, reaper_main, rp) != 0) {
        tpa_gw_stop_destroy(&rp->stop);
        free(rp);
        return NULL;
    }
    return rp;
}

void tpa_gw_reaper_destroy(tpa_gw_reaper_t **rpp)
{
    tpa_gw_reaper_t *rp = rpp ? *rpp : NULL;

    if (!rp) return;
    tpa_gw_stop_raise(&rp->stop);
    pthread_join(rp->thread, NULL);
    tpa_gw_stop_destroy(&rp->stop);
    free(rp);
    *rpp = NULL;
}
