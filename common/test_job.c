/* test_job.c - the job model against a real redis-server on a free port.
 *
 * Starts `redis-server --port P --save "" --appendonly no --dir <tmp>` (must be on
 * PATH: deploy/install-deps --test installs it; a missing server fails the test),
 * and stops it at exit. The server also dies with this process (PR_SET_PDEATHSIG),
 * so a crash or sanitizer abort does not leave it running.
 */
#include "tpa_config.h"
#include "tpa_err.h"
#include "tpa_job.h"
#include "tpa_redis.h"
#include "tpa_test.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t server_pid;
static char server_dir[64];

static void stop_server(void)
{
    if (server_pid > 0) {
        kill(server_pid, SIGTERM);
        waitpid(server_pid, NULL, 0);
        server_pid = 0;
    }
    if (server_dir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", server_dir);
        if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", server_dir);
        server_dir[0] = '\0';
    }
}

static void on_signal(int sig)
{
    if (server_pid > 0) kill(server_pid, SIGTERM);
    signal(sig, SIG_DFL);
    raise(sig);
}

static int free_port(void)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &alen) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0) close(fd);
    return port;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Starts redis-server; returns a connected context or NULL. */
static redisContext *start_server(tpa_config_t *cfg)
{
    char portstr[16];
    int port = free_port();
    pid_t parent = getpid();

    if (port <= 0) return NULL;
    snprintf(server_dir, sizeof server_dir, "/tmp/tpa-test-redis-XXXXXX");
    if (!mkdtemp(server_dir)) {
        server_dir[0] = '\0';
        return NULL;
    }
    snprintf(portstr, sizeof portstr, "%d", port);
    atexit(stop_server);
    signal(SIGSEGV, on_signal);
    signal(SIGABRT, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    server_pid = fork();
    if (server_pid < 0) return NULL;
    if (server_pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(1);
        if (!freopen("/dev/null", "w", stdout)) _exit(1);
        execlp("redis-server", "redis-server", "--port", portstr, "--bind", "127.0.0.1", "--save",
               "", "--appendonly", "no", "--dir", server_dir, "--loglevel", "warning",
               (char *)NULL);
        fprintf(stderr, "cannot run redis-server (install it with deploy/install-deps --test)\n");
        _exit(127);
    }
    tpa_config_init(cfg);
    tpa_config_set(cfg, "redis-port", portstr);
    tpa_config_set(cfg, "redis-host", "127.0.0.1");
    for (int i = 0; i < 100; i++) {
        char err[256];
        int status;
        redisContext *c;
        if (waitpid(server_pid, &status, WNOHANG) == server_pid) {
            server_pid = 0;
            fprintf(stderr, "redis-server exited early\n");
            return NULL;
        }
        c = tpa_redis_connect(cfg, err, sizeof err);
        if (c) {
            redisReply *r = redisCommand(c, "PING");
            bool ok = r && r->type == REDIS_REPLY_STATUS && !strcmp(r->str, "PONG");
            if (r) freeReplyObject(r);
            if (ok) return c;
            redisFree(c);
        }
        sleep_ms(50);
    }
    return NULL;
}

static long long jint(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? json_integer_value(v) : -999;
}

static const char *jstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "(none)";
}

static bool key_exists(redisContext *r, const char *key)
{
    redisReply *rep = redisCommand(r, "EXISTS %s", key);
    bool e = rep && rep->type == REDIS_REPLY_INTEGER && rep->integer == 1;
    if (rep) freeReplyObject(rep);
    return e;
}

static void test_ids(void)
{
    char a[33], b[33];
    tpa_job_new_id(a);
    tpa_job_new_id(b);
    CHECK(strlen(a) == 32 && strspn(a, "0123456789abcdef") == 32);
    CHECK(strcmp(a, b) != 0);
    CHECK(tpa_job_id_valid(a));
    CHECK(tpa_job_id_valid("A-b_9"));
    CHECK(!tpa_job_id_valid(""));
    CHECK(!tpa_job_id_valid(NULL));
    CHECK(!tpa_job_id_valid("a b"));
    CHECK(!tpa_job_id_valid("a:b"));
    CHECK(!tpa_job_id_valid("../x"));
    {
        static const char id64[] =
            "0123456789012345678901234567890123456789012345678901234567890123";
        CHECK(tpa_job_id_valid(&id64[1])); /* 63 chars: fits TPA_ID_MAX */
        CHECK(!tpa_job_id_valid(id64));    /* 64 chars */
    }
    CHECK(tpa_now_ms() > 1600000000000LL);
}

static void test_lifecycle(redisContext *r, const tpa_config_t *cfg)
{
    long long last_seq = 0;
    const char *id = "job-life";
    json_t *fields =
        json_pack("{s:s, s:I, s:s, s:s}", "file", "a \xc3\xa9.pcap", "size",
                  (json_int_t)123456789012LL, "path", "/data/x.pcap", "state", "hacked");
    json_t *job, *ev;
    redisContext *sub;
    redisReply *rep;
    char err[256];

    CHECK(tpa_job_create(r, id, fields) == 0);
    CHECK(tpa_job_create(r, id, fields) == TPA_ERR_INVALID); /* exists */
    CHECK(tpa_job_create(r, "bad id", fields) == TPA_ERR_INVALID);
    {
        json_t *badf = json_pack("{s:[]}", "x");
        CHECK(tpa_job_create(r, "job-badf", badf) == TPA_ERR_INVALID);
        CHECK(!key_exists(r, "tpa:job:job-badf"));
        json_decref(badf);
    }
    json_decref(fields);

    job = tpa_job_get(r, id);
    CHECK(job != NULL);
    CHECK(!strcmp(jstr(job, "id"), id));
    CHECK(!strcmp(jstr(job, "state"), "queued")); /* core fields win over extra ones */
    CHECK(jint(job, "progress") == 0);
    CHECK(jint(job, "size") == 123456789012LL);
    CHECK(!strcmp(jstr(job, "file"), "a \xc3\xa9.pcap"));
    CHECK(jint(job, "created") > 0 && jint(job, "created") == jint(job, "updated"));
    CHECK(jint(job, "attempts") == 0);
    json_decref(job);
    CHECK(tpa_job_get(r, "nope") == NULL);

    /* Events: subscribe on a second connection, update, read the published event. */
    sub = tpa_redis_connect(cfg, err, sizeof err);
    CHECK(sub != NULL);
    if (!sub) return;
    rep = redisCommand(sub, "SUBSCRIBE tpa:events:%s", id);
    CHECK(rep && rep->type == REDIS_REPLY_ARRAY);
    if (rep) freeReplyObject(rep);
    CHECK(tpa_job_update(r, id, TPA_JOB_PARSING, 42, "decode", "read \"42%\"\n\xe2\x9c\x93") == 0);
    {
        void *vp = NULL;
        CHECK(redisGetReply(sub, &vp) == REDIS_OK && vp);
        rep = vp;
        if (rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 3) {
            json_error_t je;
            json_t *e = json_loadb(rep->element[2]->str, rep->element[2]->len, 0, &je);
            CHECK(!strcmp(rep->element[0]->str, "message"));
            CHECK(e && !strcmp(jstr(e, "job"), id) && !strcmp(jstr(e, "state"), "parsing") &&
                  jint(e, "progress") == 42 && !strcmp(jstr(e, "stage"), "decode") &&
                  !strcmp(jstr(e, "message"), "read \"42%\"\n\xe2\x9c\x93"));
            CHECK(json_object_size(e) == 6 && jint(e, "seq") >= 1);
            last_seq = jint(e, "seq");
            json_decref(e);
        } else {
            CHECK(!"event reply shape");
        }
        if (rep) freeReplyObject(rep);
    }
    /* Partial update: only progress; the event carries the whole current state. */
    CHECK(tpa_job_update(r, id, NULL, 55, NULL, NULL) == 0);
    {
        void *vp = NULL;
        CHECK(redisGetReply(sub, &vp) == REDIS_OK && vp);
        rep = vp;
        if (rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 3) {
            json_t *e = json_loadb(rep->element[2]->str, rep->element[2]->len, 0, NULL);
            CHECK(e && jint(e, "progress") == 55 && !strcmp(jstr(e, "stage"), "decode") &&
                  !strcmp(jstr(e, "state"), "parsing"));
            json_decref(e);
        }
        if (rep) freeReplyObject(rep);
    }

    /* A message that is not valid UTF-8 still yields a valid JSON event. */
    CHECK(tpa_job_update(r, id, NULL, -1, NULL, "bad \xff\xfe file") == 0);
    {
        void *vp = NULL;
        CHECK(redisGetReply(sub, &vp) == REDIS_OK && vp);
        rep = vp;
        if (rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 3) {
            json_t *e = json_loadb(rep->element[2]->str, rep->element[2]->len, 0, NULL);
            CHECK(e && !strcmp(jstr(e, "message"), "bad ?? file"));
            json_decref(e);
        }
        if (rep) freeReplyObject(rep);
    }
    redisFree(sub);

    CHECK(tpa_job_update(r, id, "weird", 1, NULL, NULL) == TPA_ERR_INVALID);
    CHECK(tpa_job_update(r, "missing", NULL, 1, NULL, NULL) == TPA_ERR_NOTFOUND);
    CHECK(!key_exists(r, "tpa:job:missing"));

    ev = tpa_job_event(r, id);
    CHECK(ev && !strcmp(jstr(ev, "job"), id) && !strcmp(jstr(ev, "state"), "parsing") &&
          jint(ev, "progress") == 55 && !strcmp(jstr(ev, "stage"), "decode") &&
          json_object_size(ev) == 6);
    /* the snapshot carries the seq of the newest published event: later than any seen */
    CHECK(ev && jint(ev, "seq") > last_seq);
    json_decref(ev);
    CHECK(tpa_job_event(r, "missing") == NULL);

    /* Fields. */
    fields = json_pack("{s:i, s:i, s:i, s:b}", "packets", 10, "bytes", 1500, "flows", 2, "flag", 1);
    CHECK(tpa_job_set_fields(r, id, fields) == 0);
    CHECK(tpa_job_set_fields(r, "missing", fields) == TPA_ERR_NOTFOUND);
    CHECK(!key_exists(r, "tpa:job:missing"));
    json_decref(fields);
    job = tpa_job_get(r, id);
    CHECK(jint(job, "packets") == 10 && jint(job, "bytes") == 1500 && jint(job, "flows") == 2);
    CHECK(!strcmp(jstr(job, "flag"), "1"));
    CHECK(jint(job, "updated") >= jint(job, "created"));
    json_decref(job);

    /* Result. */
    CHECK(tpa_job_get_result(r, id) == NULL);
    CHECK(tpa_job_set_result(r, id, "{\"version\":1,\"flows\":[]}") == 0);
    {
        char *res = tpa_job_get_result(r, id);
        CHECK(res && !strcmp(res, "{\"version\":1,\"flows\":[]}"));
        free(res);
    }
    CHECK(tpa_job_set_result(r, "missing", "{}") == TPA_ERR_NOTFOUND);
    CHECK(!key_exists(r, "tpa:job:missing:result"));

    /* Delete removes hash, result, task outputs and the index entry. */
    {
        json_t *f = json_pack("{s:i}", "tasks", 3);
        CHECK(tpa_job_set_fields(r, id, f) == 0);
        json_decref(f);
        for (int i = 0; i < 3; i++) {
            rep = redisCommand(r, "SET tpa:job:%s:task:%d {}", id, i);
            freeReplyObject(rep);
        }
        CHECK(key_exists(r, "tpa:job:job-life:task:2"));
        CHECK(tpa_job_delete(r, id) == 0);
        CHECK(!key_exists(r, "tpa:job:job-life"));
        CHECK(!key_exists(r, "tpa:job:job-life:result"));
        for (int i = 0; i < 3; i++) {
            char k[64];
            snprintf(k, sizeof k, "tpa:job:%s:task:%d", id, i);
            CHECK(!key_exists(r, k));
        }
        rep = redisCommand(r, "ZSCORE tpa:jobs %s", id);
        CHECK(rep && rep->type == REDIS_REPLY_NIL);
        freeReplyObject(rep);
        CHECK(tpa_job_delete(r, id) == TPA_ERR_NOTFOUND);
    }
}

static void test_list(redisContext *r)
{
    char id[32];
    json_t *list;
    int total = -1;

    for (int i = 0; i < 25; i++) {
        snprintf(id, sizeof id, "list-%02d", i);
        CHECK(tpa_job_create(r, id, NULL) == 0);
        if (i % 5 == 0) CHECK(tpa_job_update(r, id, TPA_JOB_FAILED, -1, NULL, "boom") == 0);
        sleep_ms(2); /* distinct creation times */
    }
    list = tpa_job_list(r, NULL, 0, 10, &total);
    CHECK(list && json_array_size(list) == 10 && total == 25);
    CHECK(!strcmp(jstr(json_array_get(list, 0), "id"), "list-24")); /* newest first */
    CHECK(!strcmp(jstr(json_array_get(list, 9), "id"), "list-15"));
    CHECK(jint(json_array_get(list, 0), "progress") == 0);
    json_decref(list);
    list = tpa_job_list(r, NULL, 20, 10, &total);
    CHECK(list && json_array_size(list) == 5 && total == 25);
    CHECK(!strcmp(jstr(json_array_get(list, 4), "id"), "list-00"));
    json_decref(list);
    list = tpa_job_list(r, NULL, 100, 10, &total);
    CHECK(list && json_array_size(list) == 0 && total == 25);
    json_decref(list);

    list = tpa_job_list(r, TPA_JOB_FAILED, 0, 3, &total);
    CHECK(list && json_array_size(list) == 3 && total == 5);
    CHECK(!strcmp(jstr(json_array_get(list, 0), "id"), "list-20"));
    CHECK(!strcmp(jstr(json_array_get(list, 0), "message"), "boom"));
    json_decref(list);
    list = tpa_job_list(r, TPA_JOB_FAILED, 3, 3, &total);
    CHECK(list && json_array_size(list) == 2 && total == 5);
    CHECK(!strcmp(jstr(json_array_get(list, 1), "id"), "list-00"));
    json_decref(list);
    list = tpa_job_list(r, TPA_JOB_QUEUED, 0, 100, &total);
    CHECK(list && json_array_size(list) == 20 && total == 20);
    json_decref(list);
    list = tpa_job_list(r, TPA_JOB_COMPLETED, 0, 100, &total);
    CHECK(list && json_array_size(list) == 0 && total == 0);
    json_decref(list);

    /* A stale index entry (hash gone) is skipped, not returned as an empty job. */
    {
        redisReply *rep = redisCommand(r, "DEL tpa:job:list-24");
        freeReplyObject(rep);
        list = tpa_job_list(r, NULL, 0, 1, &total);
        CHECK(list && json_array_size(list) == 0);
        json_decref(list);
    }
    for (int i = 0; i < 25; i++) {
        snprintf(id, sizeof id, "list-%02d", i);
        tpa_job_delete(r, id);
    }
}

static void test_claim(redisContext *r)
{
    json_t *job;

    CHECK(tpa_job_create(r, "claim-1", NULL) == 0);
    CHECK(tpa_job_claim(r, "claim-1", "w1", TPA_JOB_PARSING, 10000) == 0);
    CHECK(tpa_job_claim(r, "claim-1", "w2", TPA_JOB_PARSING, 10000) == TPA_ERR_CANCELLED);
    CHECK(tpa_job_claim(r, "claim-1", "w1", TPA_JOB_PARSING, 10000) == TPA_ERR_CANCELLED);
    job = tpa_job_get(r, "claim-1");
    CHECK(!strcmp(jstr(job, "state"), "parsing") && !strcmp(jstr(job, "worker"), "w1"));
    CHECK(jint(job, "attempts") == 1);
    CHECK(jint(job, "lease") >= tpa_now_ms() + 9000);
    json_decref(job);
    CHECK(tpa_job_renew(r, "claim-1", "w1", 20000) == 0);
    CHECK(tpa_job_renew(r, "claim-1", "w2", 20000) == TPA_ERR_CANCELLED);
    job = tpa_job_get(r, "claim-1");
    CHECK(jint(job, "lease") >= tpa_now_ms() + 19000);
    json_decref(job);

    /* Lease expiry: another worker may take the job over; the old one loses it. */
    CHECK(tpa_job_create(r, "claim-2", NULL) == 0);
    CHECK(tpa_job_claim(r, "claim-2", "w1", TPA_JOB_PARSING, 50) == 0);
    CHECK(tpa_job_claim(r, "claim-2", "w2", TPA_JOB_PARSING, 10000) == TPA_ERR_CANCELLED);
    sleep_ms(120);
    CHECK(tpa_job_claim(r, "claim-2", "w2", TPA_JOB_PARSING, 10000) == 0);
    CHECK(tpa_job_renew(r, "claim-2", "w1", 10000) == TPA_ERR_CANCELLED);
    CHECK(tpa_job_renew(r, "claim-2", "w2", 10000) == 0);
    job = tpa_job_get(r, "claim-2");
    CHECK(!strcmp(jstr(job, "worker"), "w2") && jint(job, "attempts") == 2);
    json_decref(job);

    /* Enriching with a live lease is held; terminal states are refused. */
    CHECK(tpa_job_claim(r, "claim-2", "w3", TPA_JOB_ENRICHING, 1000) == TPA_ERR_CANCELLED);
    CHECK(tpa_job_update(r, "claim-2", TPA_JOB_CANCELLED, -1, NULL, "by user") == 0);
    CHECK(tpa_job_renew(r, "claim-2", "w2", 10000) == TPA_ERR_CANCELLED);
    CHECK(tpa_job_create(r, "claim-3", NULL) == 0);
    CHECK(tpa_job_update(r, "claim-3", TPA_JOB_CANCELLED, -1, NULL, NULL) == 0);
    CHECK(tpa_job_claim(r, "claim-3", "w1", TPA_JOB_PARSING, 1000) == TPA_ERR_CANCELLED);
    CHECK(tpa_job_update(r, "claim-3", TPA_JOB_COMPLETED, 100, NULL, NULL) == 0);
    CHECK(tpa_job_claim(r, "claim-3", "w1", TPA_JOB_PARSING, 1000) == TPA_ERR_CANCELLED);
    CHECK(tpa_job_update(r, "claim-3", TPA_JOB_FAILED, 100, NULL, NULL) == 0);
    CHECK(tpa_job_claim(r, "claim-3", "w1", TPA_JOB_PARSING, 1000) == TPA_ERR_CANCELLED);
    CHECK(tpa_job_claim(r, "claim-none", "w1", TPA_JOB_PARSING, 1000) == TPA_ERR_NOTFOUND);
    CHECK(tpa_job_renew(r, "claim-none", "w1", 1000) == TPA_ERR_CANCELLED);
    CHECK(tpa_job_claim(r, "claim-3", "w1", TPA_JOB_COMPLETED, 1000) == TPA_ERR_INVALID);
    CHECK(tpa_job_claim(r, "claim-3", "", TPA_JOB_PARSING, 1000) == TPA_ERR_INVALID);

    /* A re-queued job (state queued again) can be claimed. */
    CHECK(tpa_job_update(r, "claim-3", TPA_JOB_QUEUED, 0, NULL, NULL) == 0);
    CHECK(tpa_job_claim(r, "claim-3", "w9", TPA_JOB_PARSING, 1000) == 0);
    tpa_job_delete(r, "claim-1");
    tpa_job_delete(r, "claim-2");
    tpa_job_delete(r, "claim-3");
}

static void test_connection(redisContext *r, const tpa_config_t *cfg)
{
    redisReply *rep;
    long long myid;
    char err[256];
    tpa_config_t bad = *cfg;
    redisContext *other;

    CHECK(tpa_redis_ensure(r) == 0);
    rep = redisCommand(r, "CLIENT ID");
    CHECK(rep && rep->type == REDIS_REPLY_INTEGER);
    myid = rep ? rep->integer : 0;
    freeReplyObject(rep);
    other = tpa_redis_connect(cfg, err, sizeof err);
    CHECK(other != NULL);
    if (other) {
        rep = redisCommand(other, "CLIENT KILL ID %lld", myid);
        CHECK(rep && rep->type == REDIS_REPLY_INTEGER && rep->integer == 1);
        freeReplyObject(rep);
        redisFree(other);
    }
    CHECK(tpa_redis_ensure(r) == 0); /* reconnected in place */
    rep = redisCommand(r, "PING");
    CHECK(rep && rep->type == REDIS_REPLY_STATUS);
    if (rep) freeReplyObject(rep);

    bad.redis_port = free_port();
    other = tpa_redis_connect(&bad, err, sizeof err);
    CHECK(other == NULL && strstr(err, "cannot connect"));
}

int main(void)
{
    tpa_config_t cfg;
    redisContext *r;

    test_ids();
    r = start_server(&cfg);
    CHECKF(r != NULL, "no redis-server: it is required (deploy/install-deps --test)");
    if (r) {
        test_lifecycle(r, &cfg);
        test_list(r);
        test_claim(r);
        test_connection(r, &cfg);
        redisFree(r);
    }
    stop_server();
    return TEST_DONE();
}
