/* tpa_llm_main.c - tpa-llm, the LLM worker daemon.
 *
 * PULL-connects to the gateway's task forwarder (TPA_EP_TASKS_OUT), answers each task
 * (`rca` or `flow_batch`) through the provider (tpa_llm_provider.h: an OpenAI-compatible
 * server, or the built-in analyst), holding and renewing the job's lease while an LLM
 * call runs, stores the answer at tpa:job:<id>:task:<n> and counts it in tasks_done.
 * The worker that stores a job's last answer merges all answers into the result
 * document and moves the job to completed.
 */
#include <czmq.h>
#include <errno.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tpa_analyst.h"
#include "tpa_config.h"
#include "tpa_err.h"
#include "tpa_job.h"
#include "tpa_json_out.h"
#include "tpa_llm_merge.h"
#include "tpa_llm_provider.h"
#include "tpa_log.h"
#include "tpa_daemon.h"
#include "tpa_redis.h"
#include "tpa_wire.h"
#include "tpa_zmq.h"

static const char usage[] =
    "usage: tpa-llm [--setting VALUE ...]\n"
    "\n"
    "LLM worker: takes analysis tasks from the gateway's forwarder (ZeroMQ), writes\n"
    "insights and a root-cause analysis for each job into Redis and completes the job.\n"
    "With TPA_LLM_BASE_URL (or an API key: Moonshot) it asks an OpenAI-compatible server,\n"
    "pseudonymising subscriber identities first (TPA_LLM_PRIVACY); without it, or when the\n"
    "LLM fails, the built-in analyst answers. Runs until SIGINT/SIGTERM.\n";

/* Stores a task answer and counts it, atomically and only while the job is enriching.
 * KEYS[1] job hash, KEYS[2] task key, ARGV[1] answer JSON.
 * Returns tasks_done after the increment, -1 job gone, -2 job not enriching,
 * -3 answer already stored (a redelivered task: stored again, not counted twice). */
static const char store_script[] = "local st = redis.call('HGET', KEYS[1], 'state')\n"
                                   "if not st then return -1 end\n"
                                   "if st ~= 'enriching' then return -2 end\n"
                                   "local dup = redis.call('EXISTS', KEYS[2])\n"
                                   "redis.call('SET', KEYS[2], ARGV[1])\n"
                                   "if dup == 1 then return -3 end\n"
                                   "return redis.call('HINCRBY', KEYS[1], 'tasks_done', 1)\n";

/* Takes over the job's lease for this LLM worker while the job is enriching, so that a
 * slow LLM call renews it (tpa_job_renew) and the gateway's reaper leaves the job alone.
 * KEYS[1] job hash; ARGV[1] worker id, ARGV[2] lease until (ms). Returns 1 or 0. */
static const char lease_script[] =
    "if redis.call('HGET', KEYS[1], 'state') ~= 'enriching' then\n"
    "  return 0 end\n"
    "redis.call('HSET', KEYS[1], 'worker', ARGV[1], 'lease', ARGV[2])\n"
    "return 1\n";

/* As tpa analyze writes it: 16 significant digits keep microsecond timestamps without
 * binary noise (0.9, not 0.90000000000000002). */
#define TPA_RESULT_DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(16))

typedef struct worker {
    tpa_config_t cfg;
    redisContext *r;
    tpa_llm_provider_t *provider;
    zsock_t *pull;
    long tasks_done;
    char id[96]; /* worker id for leases: llm-<host>-<pid> */
} worker_t;

/* The job whose task is being answered, for the lease renewal tick. */
typedef struct lease_ctx {
    worker_t *w;
    const char *job;
    int64_t next_renew;
    bool held;
} lease_ctx_t;

/* tpa_llm_tick_fn: renews the lease every third of its length. False (abort the LLM call)
 * only when the job was cancelled or taken over meanwhile. */
static bool lease_tick(void *arg)
{
    lease_ctx_t *c = arg;
    if (tpa_daemon_stopping()) return false;
    if (!c->held || tpa_now_ms() < c->next_renew) return true;
    int64_t lease_ms = (int64_t)c->w->cfg.lease_s * 1000;
    c->next_renew = tpa_now_ms() + lease_ms / 3;
    int rc = tpa_job_renew(c->w->r, c->job, c->w->id, lease_ms);
    if (rc == TPA_ERR_CANCELLED) {
        tpa_info(c->job, "job cancelled or taken over while the LLM was answering");
        return false;
    }
    return true;
}

static char *get_string(redisContext *r, const char *key)
{
    redisReply *rep = redisCommand(r, "GET %s", key);
    char *s = NULL;
    if (rep && rep->type == REDIS_REPLY_STRING) s = strdup(rep->str);
    if (rep) freeReplyObject(rep);
    return s;
}

static bool job_state_is(redisContext *r, const char *id, const char *state)
{
    redisReply *rep = redisCommand(r, "HGET tpa:job:%s state", id);
    bool yes = rep && rep->type == REDIS_REPLY_STRING && !strcmp(rep->str, state);
    if (rep) freeReplyObject(rep);
    return yes;
}

/* Merges every task answer into the result and completes the job. */
static int finish_job(worker_t *w, const char *id, int tasks)
{
    int rc = TPA_ERR_NOMEM;
    json_t **answers = calloc((size_t)tasks, sizeof *answers);
    json_t *doc = NULL;
    char *text = NULL, *out = NULL;
    if (!answers) return TPA_ERR_NOMEM;

    text = tpa_job_get_result(w->r, id);
    if (!text) {
        tpa_warn(id, "result document missing; cannot merge the analysis");
        rc = TPA_ERR_NOTFOUND;
        goto done;
    }
    json_error_t jerr;
    doc = json_loads(text, 0, &jerr);
    if (!json_is_object(doc)) {
        tpa_error(id, "result document is not a JSON object (%s); cannot merge", jerr.text);
        rc = TPA_ERR_FORMAT;
        goto done;
    }
    for (int n = 0; n < tasks; n++) {
        char key[128];
        snprintf(key, sizeof key, "tpa:job:%s:task:%d", id, n);
        char *a = get_string(w->r, key);
        if (!a) {
            tpa_warn(id, "task %d answer missing; merging without it", n);
            continue;
        }
        answers[n] = json_loads(a, 0, &jerr);
        free(a);
        if (!answers[n])
            tpa_warn(id, "task %d answer unreadable (%s); merging without it", n, jerr.text);
    }
    rc = tpa_llm_merge(doc, answers, (size_t)tasks);
    if (rc) goto done;
    out = tpa_json_out_dumps(doc, 0, NULL);
    if (!out) {
        rc = TPA_ERR_NOMEM;
        goto done;
    }
    if (!job_state_is(w->r, id, TPA_JOB_ENRICHING)) {
        tpa_info(id, "job left enriching while merging; dropping the analysis");
        rc = TPA_ERR_CANCELLED;
        goto done;
    }
    rc = tpa_job_set_result(w->r, id, out);
    if (!rc)
        rc = tpa_job_update(w->r, id, TPA_JOB_COMPLETED, 100, "completed", "analysis complete");
done:
    free(out);
    free(text);
    json_decref(doc);
    for (int n = 0; n < tasks; n++)
        json_decref(answers[n]);
    free(answers);
    return rc;
}

/* Counts root causes and insights of an answer, for the log. */
static void answer_counts(const json_t *a, size_t *causes, size_t *insights)
{
    *causes = json_array_size(json_object_get(json_object_get(a, "rca"), "root_causes"));
    *insights = json_array_size(json_object_get(a, "insights"));
}

/* tpa_daemon_handler_fn: arg is the worker. */
static void handle_task(void *arg, const json_t *msg)
{
    worker_t *w = arg;
    char err[256] = "";
    tpa_wire_task_t t;
    json_t *answer = NULL;
    char *text = NULL;
    memset(&t, 0, sizeof t);

    const char *type = tpa_wire_type(msg, err, sizeof err);
    if (!type) {
        tpa_warn(NULL, "dropping message: %s", err);
        return;
    }
    if (strcmp(type, "rca") && strcmp(type, "flow_batch")) {
        tpa_warn(NULL, "dropping message of type %s: not a task", type);
        return;
    }
    if (tpa_wire_task_parse(msg, &t, err, sizeof err)) {
        tpa_warn(NULL, "dropping %s task: %s", type, err);
        return;
    }
    const char *id = t.job;
    if (t.tasks < 1 || t.task < 0 || t.task >= t.tasks) {
        tpa_warn(id, "dropping task %d of %d: index out of range", t.task, t.tasks);
        goto done;
    }
    int64_t t0 = tpa_now_ms();
    if (tpa_daemon_redis_ready(&w->r, &w->cfg, id)) {
        tpa_error(id, "dropping task %d/%d: redis unavailable", t.task, t.tasks);
        goto done;
    }
    json_t *job = tpa_job_get(w->r, id);
    if (!job) {
        tpa_info(id, "job no longer exists; dropping task %d/%d", t.task, t.tasks);
        goto done;
    }
    const char *state = json_string_value(json_object_get(job, "state"));
    bool enriching = state && !strcmp(state, TPA_JOB_ENRICHING);
    json_t *tj = json_object_get(job, "tasks");
    int tasks =
        json_is_integer(tj) && json_integer_value(tj) > 0 ? (int)json_integer_value(tj) : t.tasks;
    if (!enriching)
        tpa_info(id, "job is %s; dropping task %d/%d", state ? state : "?", t.task, t.tasks);
    json_decref(job);
    if (!enriching) goto done;

    lease_ctx_t lease = {.w = w, .job = id};
    {
        int64_t lease_ms = (int64_t)w->cfg.lease_s * 1000;
        char jk[128], until[32];
        snprintf(jk, sizeof jk, "tpa:job:%s", id);
        snprintf(until, sizeof until, "%lld", (long long)(tpa_now_ms() + lease_ms));
        redisReply *lr = redisCommand(w->r, "EVAL %s 1 %s %s %s", lease_script, jk, w->id, until);
        lease.held = lr && lr->type == REDIS_REPLY_INTEGER && lr->integer == 1;
        lease.next_renew = tpa_now_ms() + lease_ms / 3;
        if (lr) freeReplyObject(lr);
    }
    int rc = tpa_llm_provider_answer(w->provider, w->r, &t, lease_tick, &lease, &answer, err,
                                     sizeof err);
    if (rc) {
        tpa_warn(id, "task %d/%d: provider failed (%s); using the built-in analyst", t.task,
                 t.tasks, err);
        answer = tpa_analyst_run(t.digest, strcmp(t.type, "flow_batch") ? TPA_ANALYST_RCA
                                                                        : TPA_ANALYST_FLOWS);
        if (!answer) {
            tpa_error(id, "task %d/%d: out of memory", t.task, t.tasks);
            goto done;
        }
    }
    text = json_dumps(answer, TPA_RESULT_DUMP_FLAGS);
    if (!text) {
        tpa_error(id, "task %d/%d: cannot serialise the answer", t.task, t.tasks);
        goto done;
    }

    char jobkey[128], taskkey[128];
    snprintf(jobkey, sizeof jobkey, "tpa:job:%s", id);
    snprintf(taskkey, sizeof taskkey, "tpa:job:%s:task:%d", id, t.task);
    redisReply *rep = redisCommand(w->r, "EVAL %s 2 %s %s %s", store_script, jobkey, taskkey, text);
    if (!rep || rep->type != REDIS_REPLY_INTEGER) {
        tpa_error(id, "task %d/%d: storing the answer failed: %s", t.task, t.tasks,
                  rep && rep->type == REDIS_REPLY_ERROR ? rep->str : w->r->errstr);
        if (rep) freeReplyObject(rep);
        goto done;
    }
    long long done = rep->integer;
    freeReplyObject(rep);
    if (done == -1 || done == -2) {
        tpa_info(id, "job was %s meanwhile; dropping task %d/%d",
                 done == -1 ? "deleted" : "cancelled or finished", t.task, t.tasks);
        goto done;
    }
    if (done == -3) {
        tpa_info(id, "task %d/%d was answered before (redelivered); stored again, not counted",
                 t.task, t.tasks);
        goto done;
    }
    size_t ncauses, ninsights;
    answer_counts(answer, &ncauses, &ninsights);
    w->tasks_done++;
    if (done >= tasks) {
        if (done > tasks) tpa_warn(id, "tasks_done %lld exceeds tasks %d", done, tasks);
        rc = done == tasks ? finish_job(w, id, tasks) : 0;
        if (rc == 0 && done == tasks)
            tpa_info(
                id,
                "task %d/%d (%s) answered: %zu root causes, %zu insights; job completed in %lld ms",
                t.task, tasks, t.type, ncauses, ninsights, (long long)(tpa_now_ms() - t0));
        else if (rc)
            tpa_error(id, "task %d/%d: completing the job failed: %s", t.task, tasks,
                      tpa_strerror(rc));
    } else {
        char message[96];
        snprintf(message, sizeof message, "enriching: %lld/%d tasks", done, tasks);
        rc = tpa_job_update(w->r, id, NULL, 90 + (int)(10 * done / tasks), "enriching", message);
        if (rc) tpa_warn(id, "progress update failed: %s", tpa_strerror(rc));
        tpa_info(id, "task %d/%d (%s) answered: %zu root causes, %zu insights in %lld ms", t.task,
                 tasks, t.type, ncauses, ninsights, (long long)(tpa_now_ms() - t0));
    }
done:
    free(text);
    json_decref(answer);
    json_decref(t.digest);
}

int main(int argc, char **argv)
{
    worker_t w;
    int status = 1;
    memset(&w, 0, sizeof w);
    int rc = tpa_daemon_start("tpa-llm", usage, &w.cfg, argc, argv);
    if (rc >= 0) return rc;

    char ep[256];
    tpa_config_endpoint(&w.cfg, TPA_EP_TASKS_OUT, false, ep, sizeof ep);
    {
        char host[64] = "host";
        gethostname(host, sizeof host - 1);
        snprintf(w.id, sizeof w.id, "llm-%s-%ld", host, (long)getpid());
    }
    char perr[256] = "";
    w.provider = tpa_llm_provider_new(&w.cfg, perr, sizeof perr);
    if (!w.provider) {
        tpa_error(NULL, "cannot start the LLM provider: %s", perr);
        goto out;
    }
    w.pull = zsock_new(ZMQ_PULL);
    if (!w.pull) {
        tpa_error(NULL, "cannot create a ZeroMQ socket");
        goto out;
    }
    zsock_set_rcvhwm(w.pull, 2);
    zsock_set_linger(w.pull, 0);
    if (zsock_connect(w.pull, "%s", ep) != 0) {
        tpa_error(NULL, "cannot connect to %s", ep);
        goto out;
    }
    tpa_info(NULL, "started %s tasks=%s redis=%s:%d", tpa_llm_provider_describe(w.provider), ep,
             w.cfg.redis_host, w.cfg.redis_port);
    if (tpa_daemon_redis_ready(&w.r, &w.cfg, NULL) == 0)
        tpa_info(NULL, "redis %s:%d connected", w.cfg.redis_host, w.cfg.redis_port);

    tpa_daemon_serve(w.pull, handle_task, &w);
    tpa_info(NULL, "stopping after %ld tasks", w.tasks_done);
    status = 0;
out:
    zsock_destroy(&w.pull);
    if (w.r) redisFree(w.r);
    tpa_llm_provider_destroy(&w.provider);
    return status;
}
