/* tpa_job.c - the job model in Redis (keys documented in tpa_job.h).
 *
 * Every operation that reads and then writes a job runs as one Lua script
 * (EVAL), so it is atomic with respect to other workers, the gateway and the
 * reaper. Scripts that change state/progress/stage/message also PUBLISH the
 * event on tpa:events:<id> from inside the script, so subscribers see events
 * in the order the changes happened.
 */
#include "tpa_job.h"
#include "tpa_err.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#define KEY_MAX 128
#define JOBS_ZSET "tpa:jobs"
#define TASKS_MAX 100000

/* Fields returned as JSON integers by tpa_job_get. */
static const char *const int_fields[] = {"progress", "size",       "created", "updated",
                                         "attempts", "packets",    "bytes",   "flows",
                                         "tasks",    "tasks_done", "lease",
                                         "seq"};

/* Lua helper shared by scripts: the event JSON for job key k / id. */
#define LUA_EVENT                                                                                  \
    "local function ev(k, id)\n"                                                                   \
    "  local n = redis.call('HINCRBY', k, 'seq', 1)\n"                                              \
    "  local h = redis.call('HMGET', k, 'state', 'progress', 'stage', 'message')\n"                \
    "  return cjson.encode({job = id, state = h[1] or '', progress = tonumber(h[2]) or 0,\n"       \
    "                       stage = h[3] or '', message = h[4] or '', seq = n})\n"                 \
    "end\n"

/* ---- ids and time ----------------------------------------------------- */

void tpa_job_new_id(char *buf)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char rnd[16];
    size_t got = 0;

    while (got < sizeof rnd) {
        ssize_t n = getrandom(rnd + got, sizeof rnd - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    if (got < sizeof rnd) { /* old kernel: fall back to /dev/urandom */
        int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            while (got < sizeof rnd) {
                ssize_t n = read(fd, rnd + got, sizeof rnd - got);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) break;
                got += (size_t)n;
            }
            close(fd);
        }
    }
    if (got < sizeof rnd) { /* last resort: time and pid, still unique enough per host */
        uint64_t t = (uint64_t)tpa_now_ms() ^ ((uint64_t)getpid() << 40);
        static unsigned counter;
        for (size_t i = got; i < sizeof rnd; i++)
            rnd[i] = (unsigned char)((t >> ((i % 8) * 8)) ^ (counter++ * 131u));
    }
    for (size_t i = 0; i < sizeof rnd; i++) {
        buf[2 * i] = hex[rnd[i] >> 4];
        buf[2 * i + 1] = hex[rnd[i] & 15];
    }
    buf[2 * sizeof rnd] = '\0';
}

bool tpa_job_id_valid(const char *id)
{
    size_t n = 0;
    if (!id) return false;
    for (; id[n]; n++) {
        char ch = id[n];
        if (n >= 63) return false;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-'))
            return false;
    }
    return n > 0;
}

int64_t tpa_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void job_key(char *buf, const char *id)
{
    snprintf(buf, KEY_MAX, "tpa:job:%s", id);
}

static bool state_valid(const char *s)
{
    return !strcmp(s, TPA_JOB_QUEUED) || !strcmp(s, TPA_JOB_PARSING) ||
           !strcmp(s, TPA_JOB_ENRICHING) || !strcmp(s, TPA_JOB_COMPLETED) ||
           !strcmp(s, TPA_JOB_FAILED) || !strcmp(s, TPA_JOB_CANCELLED);
}

/* ---- argument vectors -------------------------------------------------- */

/* A growable argv for redisCommandArgv. Strings are copied (owned). */
typedef struct argv_s {
    char **v;
    size_t *len;
    size_t n, cap;
    bool failed;
} argv_t;

static void av_add(argv_t *a, const char *s, size_t len)
{
    if (a->failed) return;
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 16;
        char **v = realloc(a->v, cap * sizeof *v);
        size_t *l;
        if (!v) {
            a->failed = true;
            return;
        }
        a->v = v;
        l = realloc(a->len, cap * sizeof *l);
        if (!l) {
            a->failed = true;
            return;
        }
        a->len = l;
        a->cap = cap;
    }
    a->v[a->n] = malloc(len + 1);
    if (!a->v[a->n]) {
        a->failed = true;
        return;
    }
    memcpy(a->v[a->n], s, len);
    a->v[a->n][len] = '\0';
    a->len[a->n] = len;
    a->n++;
}

static void av_str(argv_t *a, const char *s)
{
    av_add(a, s, strlen(s));
}

static void av_int(argv_t *a, long long v)
{
    char b[32];
    snprintf(b, sizeof b, "%lld", v);
    av_str(a, b);
}

/* Adds s, with bytes that are not valid UTF-8 replaced by '?', so the JSON event built
 * from it by the Lua script stays valid JSON. */
static void av_utf8(argv_t *a, const char *s)
{
    json_t *j = json_string(s);
    char *copy;
    size_t n;

    if (j) {
        json_decref(j);
        av_str(a, s);
        return;
    }
    n = strlen(s);
    copy = malloc(n + 1);
    if (!copy) {
        a->failed = true;
        return;
    }
    for (size_t i = 0; i <= n; i++)
        copy[i] = ((unsigned char)s[i] < 0x80) ? s[i] : '?';
    av_str(a, copy);
    free(copy);
}

static void av_free(argv_t *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    free(a->len);
    memset(a, 0, sizeof *a);
}

/* Appends the field/value pairs of a JSON object (strings, integers, booleans).
 * Returns 0 or TPA_ERR_INVALID for another value type or a bad key. */
static int av_fields(argv_t *a, const json_t *fields)
{
    const char *key;
    json_t *val;

    if (!fields) return 0;
    if (!json_is_object(fields)) return TPA_ERR_INVALID;
    json_object_foreach((json_t *)fields, key, val)
    {
        if (!*key) return TPA_ERR_INVALID;
        if (json_is_string(val)) {
            av_str(a, key);
            av_add(a, json_string_value(val), json_string_length(val));
        } else if (json_is_integer(val)) {
            av_str(a, key);
            av_int(a, json_integer_value(val));
        } else if (json_is_boolean(val)) {
            av_str(a, key);
            av_str(a, json_is_true(val) ? "1" : "0");
        } else {
            return TPA_ERR_INVALID;
        }
    }
    return 0;
}

/* Runs the command in a. Returns the reply (caller frees) or NULL with *rc set. */
static redisReply *av_run(redisContext *r, argv_t *a, int *rc)
{
    redisReply *rep;

    if (a->failed) {
        *rc = TPA_ERR_NOMEM;
        return NULL;
    }
    rep = redisCommandArgv(r, (int)a->n, (const char **)a->v, a->len);
    if (!rep) {
        *rc = TPA_ERR_CONN;
        return NULL;
    }
    if (rep->type == REDIS_REPLY_ERROR) {
        freeReplyObject(rep);
        *rc = TPA_ERR_PROTO;
        return NULL;
    }
    *rc = 0;
    return rep;
}

/* Runs an EVAL whose script returns an integer; returns it through *out. */
static int eval_int(redisContext *r, argv_t *a, long long *out)
{
    int rc;
    redisReply *rep = av_run(r, a, &rc);
    if (!rep) return rc;
    if (rep->type != REDIS_REPLY_INTEGER) {
        freeReplyObject(rep);
        return TPA_ERR_PROTO;
    }
    *out = rep->integer;
    freeReplyObject(rep);
    return 0;
}

/* ---- create / update / fields ----------------------------------------- */

static const char create_lua[] = "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end\n"
                                 "local f = {}\n"
                                 "for i = 3, #ARGV do f[#f + 1] = ARGV[i] end\n"
                                 "redis.call('HSET', KEYS[1], unpack(f))\n"
                                 "redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])\n"
                                 "return 1\n";

int tpa_job_create(redisContext *r, const char *id, const json_t *fields)
{
    argv_t a = {0};
    char key[KEY_MAX];
    int64_t now = tpa_now_ms();
    long long res = 0;
    int rc;

    if (!r || !tpa_job_id_valid(id)) return TPA_ERR_INVALID;
    job_key(key, id);
    av_str(&a, "EVAL");
    av_str(&a, create_lua);
    av_str(&a, "2");
    av_str(&a, key);
    av_str(&a, JOBS_ZSET);
    av_str(&a, id);
    av_int(&a, now);
    /* Extra fields first: the core fields after them win. */
    rc = av_fields(&a, fields);
    if (rc < 0) goto done;
    av_str(&a, "id"), av_str(&a, id);
    av_str(&a, "state"), av_str(&a, TPA_JOB_QUEUED);
    av_str(&a, "progress"), av_str(&a, "0");
    av_str(&a, "stage"), av_str(&a, TPA_JOB_QUEUED);
    av_str(&a, "message"), av_str(&a, "");
    av_str(&a, "created"), av_int(&a, now);
    av_str(&a, "updated"), av_int(&a, now);
    av_str(&a, "attempts"), av_str(&a, "0");
    rc = eval_int(r, &a, &res);
    if (rc == 0 && res != 1) rc = TPA_ERR_INVALID; /* already exists */
done:
    av_free(&a);
    return rc;
}

static const char update_lua[] =
    LUA_EVENT "if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end\n"
              "local f = {}\n"
              "for i = 2, #ARGV do f[#f + 1] = ARGV[i] end\n"
              "redis.call('HSET', KEYS[1], unpack(f))\n"
              "redis.call('PUBLISH', KEYS[2], ev(KEYS[1], ARGV[1]))\n"
              "return 1\n";

int tpa_job_update(redisContext *r, const char *id, const char *state, int progress,
                   const char *stage, const char *message)
{
    argv_t a = {0};
    char key[KEY_MAX], chan[KEY_MAX];
    long long res = 0;
    int rc;

    if (!r || !tpa_job_id_valid(id) || (state && !state_valid(state))) return TPA_ERR_INVALID;
    if (progress > 100) progress = 100;
    job_key(key, id);
    snprintf(chan, sizeof chan, "tpa:events:%s", id);
    av_str(&a, "EVAL");
    av_str(&a, update_lua);
    av_str(&a, "2");
    av_str(&a, key);
    av_str(&a, chan);
    av_str(&a, id);
    if (state) av_str(&a, "state"), av_str(&a, state);
    if (progress >= 0) av_str(&a, "progress"), av_int(&a, progress);
    if (stage) av_str(&a, "stage"), av_utf8(&a, stage);
    if (message) av_str(&a, "message"), av_utf8(&a, message);
    av_str(&a, "updated"), av_int(&a, tpa_now_ms());
    rc = eval_int(r, &a, &res);
    if (rc == 0 && res != 1) rc = TPA_ERR_NOTFOUND;
    av_free(&a);
    return rc;
}

static const char fields_lua[] = "if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end\n"
                                 "if #ARGV > 0 then redis.call('HSET', KEYS[1], unpack(ARGV)) end\n"
                                 "return 1\n";

int tpa_job_set_fields(redisContext *r, const char *id, const json_t *fields)
{
    argv_t a = {0};
    char key[KEY_MAX];
    long long res = 0;
    int rc;

    if (!r || !tpa_job_id_valid(id) || !json_is_object(fields)) return TPA_ERR_INVALID;
    job_key(key, id);
    av_str(&a, "EVAL");
    av_str(&a, fields_lua);
    av_str(&a, "1");
    av_str(&a, key);
    rc = av_fields(&a, fields);
    if (rc == 0) rc = eval_int(r, &a, &res);
    if (rc == 0 && res != 1) rc = TPA_ERR_NOTFOUND;
    av_free(&a);
    return rc;
}

/* ---- reading ------------------------------------------------------------ */

/* A JSON string from Redis bytes; invalid UTF-8 bytes become '?'. */
static json_t *jstr(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    char *copy;
    if (j) return j;
    copy = malloc(n + 1);
    if (!copy) return NULL;
    for (size_t i = 0; i < n; i++)
        copy[i] = ((unsigned char)s[i] < 0x80 && s[i] != '\0') ? s[i] : '?';
    j = json_stringn(copy, n);
    free(copy);
    return j;
}

static bool is_int_field(const char *k)
{
    for (size_t i = 0; i < sizeof int_fields / sizeof int_fields[0]; i++)
        if (!strcmp(k, int_fields[i])) return true;
    return false;
}

static bool parse_ll(const char *s, long long *out)
{
    char *end;
    errno = 0;
    *out = strtoll(s, &end, 10);
    return *s && !*end && !errno;
}

/* Converts an HGETALL reply to a job object; NULL if empty. */
static json_t *job_from_hash(const redisReply *rep)
{
    json_t *o;

    if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements == 0 || rep->elements % 2)
        return NULL;
    o = json_object();
    if (!o) return NULL;
    for (size_t i = 0; i + 1 < rep->elements; i += 2) {
        const redisReply *k = rep->element[i], *v = rep->element[i + 1];
        json_t *jv;
        long long iv;
        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) continue;
        if (memchr(k->str, 0, k->len)) continue;
        if (is_int_field(k->str) && parse_ll(v->str, &iv))
            jv = json_integer(iv);
        else
            jv = jstr(v->str, v->len);
        if (!jv || json_object_set_new(o, k->str, jv) < 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

json_t *tpa_job_get(redisContext *r, const char *id)
{
    redisReply *rep;
    json_t *o;

    if (!r || !tpa_job_id_valid(id)) return NULL;
    rep = redisCommand(r, "HGETALL tpa:job:%s", id);
    if (!rep) return NULL;
    o = job_from_hash(rep);
    freeReplyObject(rep);
    return o;
}

json_t *tpa_job_event(redisContext *r, const char *id)
{
    redisReply *rep;
    json_t *ev = NULL;
    long long progress = 0;

    if (!r || !tpa_job_id_valid(id)) return NULL;
    rep = redisCommand(r, "HMGET tpa:job:%s state progress stage message seq", id);
    if (!rep) return NULL;
    if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 5 &&
        rep->element[0]->type == REDIS_REPLY_STRING) {
        redisReply **e = rep->element;
        long long seq = 0;
        if (e[1]->type == REDIS_REPLY_STRING && !parse_ll(e[1]->str, &progress)) progress = 0;
        if (e[4]->type == REDIS_REPLY_STRING && !parse_ll(e[4]->str, &seq)) seq = 0;
        ev = json_object();
        if (ev && (json_object_set_new(ev, "job", json_string(id)) < 0 ||
                   json_object_set_new(ev, "state", jstr(e[0]->str, e[0]->len)) < 0 ||
                   json_object_set_new(ev, "progress", json_integer(progress)) < 0 ||
                   json_object_set_new(ev, "stage",
                                       e[2]->type == REDIS_REPLY_STRING ? jstr(e[2]->str, e[2]->len)
                                                                        : json_string("")) < 0 ||
                   json_object_set_new(ev, "message",
                                       e[3]->type == REDIS_REPLY_STRING ? jstr(e[3]->str, e[3]->len)
                                                                        : json_string("")) < 0 ||
                   json_object_set_new(ev, "seq", json_integer(seq)) < 0)) {
            json_decref(ev);
            ev = NULL;
        }
    }
    freeReplyObject(rep);
    return ev;
}

/* ---- result ------------------------------------------------------------- */

static const char result_lua[] = "if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end\n"
                                 "redis.call('SET', KEYS[2], ARGV[1])\n"
                                 "return 1\n";

int tpa_job_set_result(redisContext *r, const char *id, const char *json_text)
{
    argv_t a = {0};
    char key[KEY_MAX], rkey[KEY_MAX];
    long long res = 0;
    int rc;

    if (!r || !tpa_job_id_valid(id) || !json_text) return TPA_ERR_INVALID;
    job_key(key, id);
    snprintf(rkey, sizeof rkey, "tpa:job:%s:result", id);
    av_str(&a, "EVAL");
    av_str(&a, result_lua);
    av_str(&a, "2");
    av_str(&a, key);
    av_str(&a, rkey);
    av_str(&a, json_text);
    rc = eval_int(r, &a, &res);
    if (rc == 0 && res != 1) rc = TPA_ERR_NOTFOUND;
    av_free(&a);
    return rc;
}

char *tpa_job_get_result(redisContext *r, const char *id)
{
    redisReply *rep;
    char *out = NULL;

    if (!r || !tpa_job_id_valid(id)) return NULL;
    rep = redisCommand(r, "GET tpa:job:%s:result", id);
    if (!rep) return NULL;
    if (rep->type == REDIS_REPLY_STRING) {
        out = malloc(rep->len + 1);
        if (out) {
            memcpy(out, rep->str, rep->len);
            out[rep->len] = '\0';
        }
    }
    freeReplyObject(rep);
    return out;
}

/* ---- list ---------------------------------------------------------------- */

/* Fetches the hashes of ids[0..n-1] with one pipelined round trip and appends the
 * jobs that still exist (and match state, if given) to arr, skipping the first
 * *skip matches and stopping after *room. Returns 0 or a negative TPA_ERR_*. */
static int fetch_jobs(redisContext *r, redisReply **ids, size_t n, const char *state, json_t *arr,
                      long long *skip, long long *room, long long *matched)
{
    int rc = 0;
    size_t sent = 0;

    for (size_t i = 0; i < n; i++) {
        if (ids[i]->type != REDIS_REPLY_STRING) continue;
        if (redisAppendCommand(r, "HGETALL tpa:job:%b", ids[i]->str, ids[i]->len) != REDIS_OK)
            return TPA_ERR_NOMEM;
        sent++;
    }
    for (size_t i = 0; i < sent; i++) {
        void *vp = NULL;
        redisReply *rep;
        json_t *job;
        if (redisGetReply(r, &vp) != REDIS_OK || !vp)
            return TPA_ERR_CONN; /* context is unusable now; the caller frees it */
        rep = vp;
        job = rc == 0 ? job_from_hash(rep) : NULL;
        freeReplyObject(rep);
        if (!job) continue;
        const char *js = json_string_value(json_object_get(job, "state"));
        if (state && (!js || strcmp(js, state))) {
            json_decref(job);
            continue;
        }
        (*matched)++;
        if (*skip > 0) {
            (*skip)--;
            json_decref(job);
            continue;
        }
        if (*room <= 0) {
            json_decref(job);
            continue;
        }
        if (json_array_append_new(arr, job) < 0) rc = TPA_ERR_NOMEM;
        (*room)--;
    }
    return rc;
}

json_t *tpa_job_list(redisContext *r, const char *state, int offset, int limit, int *total)
{
    json_t *arr;
    redisReply *rep = NULL;
    long long skip, room, matched = 0;
    int rc;

    if (total) *total = 0;
    if (!r) return NULL;
    if (offset < 0) offset = 0;
    if (limit < 0) limit = 0;
    arr = json_array();
    if (!arr) return NULL;

    if (!state) {
        /* O(log N + limit): page straight from the sorted set. */
        rep = redisCommand(r, "ZCARD " JOBS_ZSET);
        if (!rep || rep->type != REDIS_REPLY_INTEGER) goto fail;
        if (total) *total = rep->integer > INT32_MAX ? INT32_MAX : (int)rep->integer;
        freeReplyObject(rep);
        rep = NULL;
        if (limit == 0) return arr;
        rep = redisCommand(r, "ZREVRANGE " JOBS_ZSET " %lld %lld", (long long)offset,
                           (long long)offset + limit - 1);
        if (!rep || rep->type != REDIS_REPLY_ARRAY) goto fail;
        skip = 0;
        room = limit;
        rc = fetch_jobs(r, rep->element, rep->elements, NULL, arr, &skip, &room, &matched);
        if (rc < 0) goto fail;
        freeReplyObject(rep);
        return arr;
    }

    /* O(N) in all jobs: scan every id, newest first, in pipelined chunks. */
    rep = redisCommand(r, "ZREVRANGE " JOBS_ZSET " 0 -1");
    if (!rep || rep->type != REDIS_REPLY_ARRAY) goto fail;
    skip = offset;
    room = limit;
    for (size_t i = 0; i < rep->elements; i += 256) {
        size_t n = rep->elements - i < 256 ? rep->elements - i : 256;
        rc = fetch_jobs(r, rep->element + i, n, state, arr, &skip, &room, &matched);
        if (rc < 0) goto fail;
    }
    freeReplyObject(rep);
    if (total) *total = matched > INT32_MAX ? INT32_MAX : (int)matched;
    return arr;

fail:
    if (rep) freeReplyObject(rep);
    json_decref(arr);
    return NULL;
}

/* ---- delete ------------------------------------------------------------- */

static const char delete_lua[] =
    "local n = tonumber(redis.call('HGET', KEYS[1], 'tasks') or '0') or 0\n"
    "if n > tonumber(ARGV[2]) then n = tonumber(ARGV[2]) end\n"
    "for i = 0, n - 1 do redis.call('DEL', KEYS[1] .. ':task:' .. i) end\n"
    "local found = redis.call('DEL', KEYS[1])\n"
    "redis.call('DEL', KEYS[1] .. ':result')\n"
    "found = found + redis.call('ZREM', KEYS[2], ARGV[1])\n"
    "return found\n";

int tpa_job_delete(redisContext *r, const char *id)
{
    argv_t a = {0};
    char key[KEY_MAX];
    long long res = 0;
    int rc;

    if (!r || !tpa_job_id_valid(id)) return TPA_ERR_INVALID;
    job_key(key, id);
    av_str(&a, "EVAL");
    av_str(&a, delete_lua);
    av_str(&a, "2");
    av_str(&a, key);
    av_str(&a, JOBS_ZSET);
    av_str(&a, id);
    av_int(&a, TASKS_MAX);
    rc = eval_int(r, &a, &res);
    if (rc == 0 && res == 0) rc = TPA_ERR_NOTFOUND;
    av_free(&a);
    return rc;
}

/* ---- claim / renew ------------------------------------------------------- */

/* ARGV: id, worker, target state, now, lease until.
 * Returns 1 claimed, 0 refused, -1 absent. */
static const char claim_lua[] =
    LUA_EVENT "local s = redis.call('HGET', KEYS[1], 'state')\n"
              "if not s then return -1 end\n"
              "local ok = false\n"
              "if s == 'queued' then ok = true\n"
              "elseif s == 'parsing' or s == 'enriching' then\n"
              "  local lease = tonumber(redis.call('HGET', KEYS[1], 'lease') or '0') or 0\n"
              "  ok = lease < tonumber(ARGV[4])\n"
              "end\n"
              "if not ok then return 0 end\n"
              "redis.call('HSET', KEYS[1], 'state', ARGV[3], 'worker', ARGV[2], 'lease', ARGV[5],\n"
              "           'updated', ARGV[4])\n"
              "redis.call('HINCRBY', KEYS[1], 'attempts', 1)\n"
              "redis.call('PUBLISH', KEYS[2], ev(KEYS[1], ARGV[1]))\n"
              "return 1\n";

int tpa_job_claim(redisContext *r, const char *id, const char *worker, const char *state,
                  int64_t lease_ms)
{
    argv_t a = {0};
    char key[KEY_MAX], chan[KEY_MAX];
    int64_t now = tpa_now_ms();
    long long res = 0;
    int rc;

    if (!r || !tpa_job_id_valid(id) || !worker || !*worker || !state ||
        (strcmp(state, TPA_JOB_PARSING) && strcmp(state, TPA_JOB_ENRICHING)) || lease_ms <= 0)
        return TPA_ERR_INVALID;
    job_key(key, id);
    snprintf(chan, sizeof chan, "tpa:events:%s", id);
    av_str(&a, "EVAL");
    av_str(&a, claim_lua);
    av_str(&a, "2");
    av_str(&a, key);
    av_str(&a, chan);
    av_str(&a, id);
    av_str(&a, worker);
    av_str(&a, state);
    av_int(&a, now);
    av_int(&a, now + lease_ms);
    rc = eval_int(r, &a, &res);
    av_free(&a);
    if (rc < 0) return rc;
    if (res == 1) return 0;
    return res < 0 ? TPA_ERR_NOTFOUND : TPA_ERR_CANCELLED;
}

static const char renew_lua[] = "local h = redis.call('HMGET', KEYS[1], 'state', 'worker')\n"
                                "if h[2] ~= ARGV[1] then return 0 end\n"
                                "if h[1] ~= 'parsing' and h[1] ~= 'enriching' then return 0 end\n"
                                "redis.call('HSET', KEYS[1], 'lease', ARGV[2])\n"
                                "return 1\n";

int tpa_job_renew(redisContext *r, const char *id, const char *worker, int64_t lease_ms)
{
    argv_t a = {0};
    char key[KEY_MAX];
    long long res = 0;
    int rc;

    if (!r || !tpa_job_id_valid(id) || !worker || !*worker || lease_ms <= 0) return TPA_ERR_INVALID;
    job_key(key, id);
    av_str(&a, "EVAL");
    av_str(&a, renew_lua);
    av_str(&a, "1");
    av_str(&a, key);
    av_str(&a, worker);
    av_int(&a, tpa_now_ms() + lease_ms);
    rc = eval_int(r, &a, &res);
    av_free(&a);
    if (rc < 0) return rc;
    return res == 1 ? 0 : TPA_ERR_CANCELLED;
}
