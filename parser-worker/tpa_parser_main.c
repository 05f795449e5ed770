/* tpa_parser_main.c - tpa-parser, the parser worker daemon.
 *
 * PULL-connects to the gateway's jobs endpoint (TPA_EP_JOBS, at most one job
 * prefetched), claims each job in Redis with a lease, analyses the capture with
 * tpa_analyze_file (fetching it from the gateway when the path is not local), stores the
 * result document, moves the job to enriching and PUSHes one `rca` task carrying the
 * digest, plus up to FLOW_BATCHES `flow_batch` tasks with the next busiest flows (many
 * flows to a request), to the gateway's forwarder (TPA_EP_TASKS_IN). Failures move the job to failed
 * with the engine's error line. SIGINT/SIGTERM abandon the current job (its lease is
 * released so the gateway's reaper requeues it at once) and exit.
 */
#include <czmq.h>
#include <curl/curl.h>
#include <errno.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tpa_analysis.h"
#include "tpa_config.h"
#include "tpa_err.h"
#include "tpa_job.h"
#include "tpa_json_out.h"
#include "tpa_log.h"
#include "tpa_parser_fetch.h"
#include "tpa_daemon.h"
#include "tpa_redis.h"
#include "tpa_wire.h"
#include "tpa_zmq.h"

static const char usage[] =
    "usage: tpa-parser [--setting VALUE ...]\n"
    "\n"
    "Parser worker: takes capture jobs from the gateway (ZeroMQ), analyses them, stores\n"
    "the result in Redis and queues the root-cause task for an LLM worker. Reads the\n"
    "capture from its local path, or fetches it from the gateway (X-TPA-Token =\n"
    "TPA_CLUSTER_TOKEN). Runs until SIGINT/SIGTERM.\n";

#define DIGEST_BUDGET (48 * 1024)
#define FLOW_BATCH_SIZE 40 /* flows per flow_batch task */
#define FLOW_BATCHES 3     /* flow_batch tasks per job at most */
#define PUBLISH_MIN_MS 500  /* progress: publish on a 1% step, or at least this often */
#define CHECK_EVERY_MS 1000 /* lease renewal and cancel check */
#define PARSE_PROGRESS_MAX 90

typedef struct worker {
    tpa_config_t cfg;
    char id[300]; /* "<host>:<pid>" */
    redisContext *r;
    zsock_t *pull;
    zsock_t *push;
    char tmpdir[TPA_PATH_MAX];
    long jobs_done, jobs_failed;
} worker_t;

/* Why a job run stopped early. */
enum { RUN_OK = 0, RUN_STOPPING, RUN_CANCELLED, RUN_LOST };

/* State of one job run, shared with the progress callbacks. */
typedef struct run {
    worker_t *w;
    const char *job;
    int64_t lease_ms;
    uint64_t size; /* expected capture size (from the job), for progress when unknown */
    int last_progress;
    int64_t last_publish_ms;
    int64_t last_check_ms;
    int why; /* RUN_* */
    const char *stage;
} run_t;

/* Renews the lease; notes a cancel or a lost lease in run->why. A Redis hiccup is not a
 * reason to stop: it reconnects and carries on. Returns false if the run must stop. */
static bool run_check(run_t *run, int64_t now)
{
    run->last_check_ms = now;
    int rc = tpa_job_renew(run->w->r, run->job, run->w->id, run->lease_ms);
    if (rc == 0) return true;
    if (rc != TPA_ERR_CANCELLED) {
        tpa_warn(run->job, "lease renewal failed: %s; reconnecting to redis", tpa_strerror(rc));
        tpa_redis_ensure(run->w->r);
        return true;
    }
    /* Lost: was the job cancelled (or deleted), or did another worker take it? */
    redisReply *rep = redisCommand(run->w->r, "HGET tpa:job:%s state", run->job);
    if (!rep || rep->type != REDIS_REPLY_STRING || !strcmp(rep->str, TPA_JOB_CANCELLED))
        run->why = RUN_CANCELLED;
    else
        run->why = RUN_LOST;
    if (rep) freeReplyObject(rep);
    return false;
}

/* Publishes throttled progress and checks the lease. Returns false to stop the run. */
static bool run_progress(run_t *run, uint64_t done, uint64_t total, int progress, const char *verb)
{
    if (tpa_daemon_stopping()) {
        run->why = RUN_STOPPING;
        return false;
    }
    int64_t now = tpa_now_ms();
    if (now - run->last_check_ms >= CHECK_EVERY_MS && !run_check(run, now)) return false;
    if (progress > run->last_progress || now - run->last_publish_ms >= PUBLISH_MIN_MS) {
        char msg[128];
        if (total)
            snprintf(msg, sizeof msg, "%s %.1f of %.1f MB", verb, (double)done / 1e6,
                     (double)total / 1e6);
        else
            snprintf(msg, sizeof msg, "%s %.1f MB", verb, (double)done / 1e6);
        int rc = tpa_job_update(run->w->r, run->job, NULL, progress, run->stage, msg);
        if (rc && rc != TPA_ERR_NOTFOUND) tpa_redis_ensure(run->w->r);
        run->last_progress = progress;
        run->last_publish_ms = now;
    }
    return true;
}

/* tpa_progress_fn for the engine: bytes read map to progress 0-90. */
static bool on_parse_progress(void *ud, uint64_t done, uint64_t total)
{
    run_t *run = ud;
    if (!total) total = run->size;
    int p = total ? (int)((double)done * PARSE_PROGRESS_MAX / (double)total) : 0;
    if (p > PARSE_PROGRESS_MAX) p = PARSE_PROGRESS_MAX;
    return run_progress(run, done, total, p, "read");
}

/* tpa_fetch_progress_fn: a download keeps progress at 0 but renews the lease. */
static bool on_fetch_progress(void *ud, uint64_t done, uint64_t total)
{
    run_t *run = ud;
    return run_progress(run, done, total ? total : run->size, 0, "fetched");
}

/* Moves the job to failed with err as message and error field. */
static void fail_job(worker_t *w, const char *id, const char *err)
{
    json_t *f = json_pack("{s:s}", "error", err);
    if (f && tpa_job_set_fields(w->r, id, f)) tpa_warn(id, "cannot store the error field");
    json_decref(f);
    int rc = tpa_job_update(w->r, id, TPA_JOB_FAILED, -1, "failed", err);
    if (rc) tpa_error(id, "cannot mark the job failed: %s", tpa_strerror(rc));
    w->jobs_failed++;
}

/* Fails the job unless it is no longer ours (cancelled meanwhile, lease lost). */
static void fail_run(run_t *run, const char *err)
{
    if (run_check(run, tpa_now_ms()))
        fail_job(run->w, run->job, err);
    else
        tpa_info(run->job, "not marking the job failed: it was %s meanwhile",
                 run->why == RUN_CANCELLED ? "cancelled" : "taken over");
}

/* Gives the job back: an expired lease lets the gateway's reaper requeue it at once. */
static void give_back(run_t *run, const char *why)
{
    char msg[600];
    snprintf(msg, sizeof msg, "%s; the job will be requeued", why);
    tpa_job_update(run->w->r, run->job, NULL, -1, NULL, msg);
    tpa_job_renew(run->w->r, run->job, run->w->id, 1);
}

/* Deletes answers left by an earlier attempt, so the LLM workers count afresh. */
static void clear_old_tasks(worker_t *w, const char *id, int tasks)
{
    for (int n = 0; n < tasks; n++) {
        redisReply *rep = redisCommand(w->r, "DEL tpa:job:%s:task:%d", id, n);
        if (rep) freeReplyObject(rep);
    }
}

/* Stores the result, moves the job to enriching and queues the rca task. */
static int publish_result(worker_t *w, run_t *run, const json_t *doc, char *err, size_t errlen)
{
    const char *id = run->job;
    int rc = TPA_ERR_NOMEM;
    char *text = NULL;
    json_t *fields = NULL, *digest = NULL, *msg = NULL, *batches = NULL;
    const json_t *cap = json_object_get(doc, "capture");
    int tasks;

    /* One line, as `tpa analyze --compact` writes it (tpa_json_out.h). */
    text = tpa_json_out_dumps(doc, 0, NULL);
    if (!text) goto done;
    /* Still ours? A cancel during the last stretch of parsing must win. */
    if (!run_check(run, tpa_now_ms())) {
        rc = TPA_ERR_CANCELLED;
        goto done;
    }
    rc = tpa_job_set_result(w->r, id, text);
    if (rc) goto done;
    digest = tpa_digest_build(doc, DIGEST_BUDGET);
    batches = digest ? tpa_digest_flow_batches(
                           doc, json_array_size(json_object_get(digest, "top_flows")),
                           FLOW_BATCH_SIZE, FLOW_BATCHES)
                     : NULL;
    if (!digest || !batches) {
        rc = TPA_ERR_NOMEM;
        goto done;
    }
    tasks = 1 + (int)json_array_size(batches);
    fields = json_pack("{s:I, s:I, s:I, s:i, s:i}", "packets",
                       (json_int_t)json_integer_value(json_object_get(cap, "packets")), "bytes",
                       (json_int_t)json_integer_value(json_object_get(cap, "bytes")), "flows",
                       (json_int_t)json_array_size(json_object_get(doc, "flows")), "tasks", tasks,
                       "tasks_done", 0);
    if (!fields) {
        rc = TPA_ERR_NOMEM;
        goto done;
    }
    clear_old_tasks(w, id, 1 + FLOW_BATCHES);
    rc = tpa_job_set_fields(w->r, id, fields);
    if (rc) goto done;
    tpa_wire_task_t t = {.type = "rca", .task = 0, .tasks = tasks, .digest = digest};
    snprintf(t.job, sizeof t.job, "%s", id);
    msg = tpa_wire_task_build(&t);
    if (!msg) {
        rc = TPA_ERR_NOMEM;
        goto done;
    }
    /* Enriching before the task leaves, so the LLM worker finds the job ready; a fresh
     * lease gives the LLM step a full lease period. */
    tpa_job_renew(w->r, id, w->id, run->lease_ms);
    rc = tpa_job_update(w->r, id, TPA_JOB_ENRICHING, PARSE_PROGRESS_MAX, "enriching",
                        "parsed; queued for analysis");
    if (rc) goto done;
    rc = tpa_zmq_send(w->push, msg);
    for (int n = 1; !rc && n < tasks; n++) {
        tpa_wire_task_t b = {.type = "flow_batch", .task = n, .tasks = tasks,
                             .digest = json_array_get(batches, (size_t)n - 1)};
        snprintf(b.job, sizeof b.job, "%s", id);
        json_decref(msg);
        msg = tpa_wire_task_build(&b);
        rc = msg ? tpa_zmq_send(w->push, msg) : TPA_ERR_NOMEM;
    }
    if (rc) snprintf(err, errlen, "queueing the analysis tasks failed: %s", tpa_strerror(rc));
done:
    if (rc && !err[0]) snprintf(err, errlen, "storing the result failed: %s", tpa_strerror(rc));
    json_decref(msg);
    json_decref(batches);
    json_decref(digest);
    json_decref(fields);
    free(text);
    return rc;
}

/* The suffix to keep on a fetched copy (.pcap, .pcapng, .gz, ...), from the job's path. */
static const char *path_suffix(const char *path)
{
    const char *base = strrchr(path, '/');
    const char *dot = strrchr(base ? base : path, '.');
    return dot && strlen(dot) <= 8 ? dot : "";
}

static void run_job(worker_t *w, const tpa_wire_job_t *j)
{
    const char *id = j->job;
    int64_t t0 = tpa_now_ms();
    char err[TPA_PATH_MAX + 512] = "", tmp[TPA_PATH_MAX + 64] = "", display[256] = "";
    json_t *doc = NULL;
    run_t run = {.w = w,
                 .job = id,
                 .lease_ms = (int64_t)w->cfg.lease_s * 1000,
                 .size = j->size,
                 .last_progress = -1,
                 .stage = "parsing"};

    if (tpa_daemon_redis_ready(&w->r, &w->cfg, id)) {
        tpa_error(id, "skipping job: redis unavailable (the reaper will requeue it)");
        return;
    }
    int rc = tpa_job_claim(w->r, id, w->id, TPA_JOB_PARSING, run.lease_ms);
    if (rc == TPA_ERR_CANCELLED) {
        tpa_info(id, "skipping job: cancelled, finished or held by another worker");
        return;
    }
    if (rc == TPA_ERR_NOTFOUND) {
        tpa_info(id, "skipping job: it no longer exists");
        return;
    }
    if (rc) {
        tpa_error(id, "skipping job: claim failed: %s", tpa_strerror(rc));
        return;
    }
    run.last_check_ms = tpa_now_ms();
    json_t *job = tpa_job_get(w->r, id);
    const char *file = json_string_value(json_object_get(job, "file"));
    if (file && *file) snprintf(display, sizeof display, "%s", file);
    tpa_info(id, "claimed: attempt %lld, %s (%llu bytes)",
             (long long)json_integer_value(json_object_get(job, "attempts")),
             display[0] ? display : j->path, (unsigned long long)j->size);
    json_decref(job);
    tpa_job_update(w->r, id, NULL, 0, "parsing", "opening the capture");

    const char *path = j->path;
    if (!j->path[0] || access(j->path, R_OK) != 0) {
        if (!j->url[0]) {
            snprintf(err, sizeof err, "capture not readable at %s and the job has no URL",
                     j->path[0] ? j->path : "(no path)");
            tpa_error(id, "%s", err);
            fail_run(&run, err);
            return;
        }
        tpa_job_update(w->r, id, NULL, 0, "parsing", "fetching the capture from the gateway");
        tpa_fetch_opts_t fo = {.token = w->cfg.cluster_token,
                               .dir = w->tmpdir,
                               .suffix = path_suffix(j->path),
                               .expect_size = j->size,
                               .progress = on_fetch_progress,
                               .ud = &run};
        int64_t f0 = tpa_now_ms();
        rc = tpa_parser_fetch(j->url, &fo, tmp, sizeof tmp, err, sizeof err);
        if (rc == TPA_ERR_CANCELLED) goto stopped;
        if (rc == TPA_ERR_CONN) {
            /* The gateway may be restarting, or this worker misconfigured: let the reaper
             * requeue the job (up to its retry limit) instead of failing it here. */
            tpa_error(id, "%s; giving the job back", err);
            give_back(&run, err);
            return;
        }
        if (rc) {
            tpa_error(id, "%s", err);
            fail_run(&run, err);
            return;
        }
        tpa_info(id, "fetched %llu bytes from the gateway in %lld ms into %s",
                 (unsigned long long)j->size, (long long)(tpa_now_ms() - f0), tmp);
        path = tmp;
    } else if (j->size) {
        struct stat st;
        if (stat(path, &st) == 0 && (uint64_t)st.st_size != j->size)
            tpa_warn(id, "capture at %s has %lld bytes, the job says %llu", path,
                     (long long)st.st_size, (unsigned long long)j->size);
    }

    tpa_analysis_opts_t opts = {
        .progress = on_parse_progress, .ud = &run, .display_name = display[0] ? display : NULL};
    int64_t a0 = tpa_now_ms();
    rc = tpa_analyze_file(path, &opts, &doc, err, sizeof err);
    int64_t parse_ms = tpa_now_ms() - a0;
    if (tmp[0]) unlink(tmp);
    if (rc == TPA_ERR_CANCELLED) goto stopped;
    if (rc) {
        if (!err[0]) snprintf(err, sizeof err, "analysis failed: %s", tpa_strerror(rc));
        tpa_error(id, "analysis failed after %lld ms: %s", (long long)parse_ms, err);
        fail_run(&run, err);
        return;
    }

    err[0] = '\0';
    rc = publish_result(w, &run, doc, err, sizeof err);
    if (rc == TPA_ERR_CANCELLED && run.why != RUN_OK) {
        json_decref(doc);
        goto stopped;
    }
    if (rc) {
        tpa_error(id, "%s", err);
        fail_run(&run, err);
    } else {
        const json_t *cap = json_object_get(doc, "capture");
        double packets = (double)json_integer_value(json_object_get(cap, "packets"));
        double bytes = (double)json_integer_value(json_object_get(cap, "bytes"));
        double secs = parse_ms > 0 ? (double)parse_ms / 1000.0 : 0.001;
        w->jobs_done++;
        tpa_info(id,
                 "parsed %.0f packets, %zu flows, %zu findings in %lld ms (%.0f packets/s, "
                 "%.1f MB/s); total %lld ms; analysis tasks queued",
                 packets, json_array_size(json_object_get(doc, "flows")),
                 json_array_size(json_object_get(doc, "findings")), (long long)parse_ms,
                 packets / secs, bytes / 1e6 / secs, (long long)(tpa_now_ms() - t0));
    }
    json_decref(doc);
    return;

stopped:
    if (tmp[0]) unlink(tmp);
    switch (run.why) {
    case RUN_STOPPING:
        give_back(&run, "parser stopped");
        tpa_info(id, "abandoned after %lld ms: parser stopping", (long long)(tpa_now_ms() - t0));
        break;
    case RUN_CANCELLED:
        tpa_info(id, "cancelled after %lld ms", (long long)(tpa_now_ms() - t0));
        break;
    case RUN_LOST:
        tpa_warn(id, "lease lost after %lld ms; another worker owns the job now",
                 (long long)(tpa_now_ms() - t0));
        break;
    default:
        tpa_warn(id, "stopped after %lld ms", (long long)(tpa_now_ms() - t0));
        break;
    }
}

/* tpa_daemon_handler_fn: arg is the worker. */
static void handle_message(void *arg, const json_t *msg)
{
    worker_t *w = arg;
    char err[256] = "";
    tpa_wire_job_t j;
    memset(&j, 0, sizeof j);
    const char *type = tpa_wire_type(msg, err, sizeof err);
    if (!type) {
        tpa_warn(NULL, "dropping message: %s", err);
        return;
    }
    if (strcmp(type, "job")) {
        tpa_warn(NULL, "dropping message of type %s: not a job", type);
        return;
    }
    if (tpa_wire_job_parse(msg, &j, err, sizeof err)) {
        tpa_warn(NULL, "dropping job message: %s", err);
        return;
    }
    run_job(w, &j);
    json_decref(j.options);
}

int main(int argc, char **argv)
{
    worker_t w;
    int status = 1;
    bool curl_ok = false;
    memset(&w, 0, sizeof w);
    int rc = tpa_daemon_start("tpa-parser", usage, &w.cfg, argc, argv);
    if (rc >= 0) return rc;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        tpa_error(NULL, "cannot initialise libcurl");
        return 1;
    }
    curl_ok = true;
    char host[256] = "localhost";
    if (gethostname(host, sizeof host) != 0) snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    snprintf(w.id, sizeof w.id, "%s:%ld", host, (long)getpid());
    tpa_parser_tmpdir(w.cfg.data_dir, w.tmpdir, sizeof w.tmpdir);

    char jobs_ep[256], tasks_ep[256];
    tpa_config_endpoint(&w.cfg, TPA_EP_JOBS, false, jobs_ep, sizeof jobs_ep);
    tpa_config_endpoint(&w.cfg, TPA_EP_TASKS_IN, false, tasks_ep, sizeof tasks_ep);
    w.pull = zsock_new(ZMQ_PULL);
    w.push = zsock_new(ZMQ_PUSH);
    if (!w.pull || !w.push) {
        tpa_error(NULL, "cannot create ZeroMQ sockets");
        goto out;
    }
    zsock_set_rcvhwm(w.pull, 1); /* at most one job prefetched */
    zsock_set_linger(w.pull, 0);
    zsock_set_sndtimeo(w.push, 10000);
    zsock_set_linger(w.push, 2000); /* let the last task leave on shutdown */
    if (zsock_connect(w.pull, "%s", jobs_ep) != 0 || zsock_connect(w.push, "%s", tasks_ep) != 0) {
        tpa_error(NULL, "cannot connect to %s / %s", jobs_ep, tasks_ep);
        goto out;
    }
    tpa_info(NULL, "started worker=%s jobs=%s tasks=%s redis=%s:%d tmp=%s lease=%ds", w.id, jobs_ep,
             tasks_ep, w.cfg.redis_host, w.cfg.redis_port, w.tmpdir, w.cfg.lease_s);
    if (tpa_daemon_redis_ready(&w.r, &w.cfg, NULL) == 0)
        tpa_info(NULL, "redis %s:%d connected", w.cfg.redis_host, w.cfg.redis_port);

    tpa_daemon_serve(w.pull, handle_message, &w);
    tpa_info(NULL, "stopping: %ld jobs parsed, %ld failed", w.jobs_done, w.jobs_failed);
    status = 0;
out:
    zsock_destroy(&w.pull);
    zsock_destroy(&w.push);
    if (w.r) redisFree(w.r);
    if (curl_ok) curl_global_cleanup();
    return status;
}
