/* tpa_llm_openai.c - chat completions client (see tpa_llm_openai.h). */
#include "tpa_llm_openai.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "tpa_err.h"
#include "tpa_job.h"

#define BACKOFF_BASE_MS 500
#define RETRY_AFTER_MAX_S 60
#define MAX_ANSWER (8 * 1024 * 1024)
#define TICK_MS 500

struct tpa_llm_openai {
    char url[600];
    char host[256];
    char model[128];
    char auth[300]; /* "Authorization: Bearer <key>" or empty; never logged */
    int concurrency;
    long timeout_s;
    int failures;       /* consecutive failed requests */
    int64_t open_until; /* circuit open until this time (ms), 0 = closed */
    unsigned seed;
};

enum { ST_WAIT, ST_RUN, ST_DONE };

typedef struct slot {
    tpa_llm_req_t *req;
    int state;
    int attempt;
    int64_t start_at;
    CURL *easy;
    struct curl_slist *hdrs;
    char *body;
    char *buf;
    size_t len, cap;
    long retry_after; /* seconds, -1 if absent */
} slot_t;

static void url_host(const char *url, char *buf, size_t len)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    const char *at = strchr(p, '@');
    const char *slash = strchr(p, '/');
    if (at && (!slash || at < slash)) p = at + 1;
    size_t n = strcspn(p, "/?#");
    if (n >= len) n = len - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
}

tpa_llm_openai_t *tpa_llm_openai_new(const tpa_config_t *cfg)
{
    static int curl_ready;
    if (!curl_ready) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT)) return NULL;
        curl_ready = 1;
    }
    tpa_llm_openai_t *o = calloc(1, sizeof *o);
    if (!o) return NULL;
    size_t bl = strlen(cfg->llm_base_url);
    while (bl && cfg->llm_base_url[bl - 1] == '/')
        bl--;
    snprintf(o->url, sizeof o->url, "%.*s/chat/completions", (int)bl, cfg->llm_base_url);
    url_host(cfg->llm_base_url, o->host, sizeof o->host);
    snprintf(o->model, sizeof o->model, "%s", cfg->llm_model);
    if (cfg->llm_api_key[0])
        snprintf(o->auth, sizeof o->auth, "Authorization: Bearer %s", cfg->llm_api_key);
    o->concurrency = cfg->llm_concurrency > 0 ? cfg->llm_concurrency : 1;
    o->timeout_s = cfg->llm_timeout_s > 0 ? cfg->llm_timeout_s : 60;
    o->seed = (unsigned)tpa_now_ms() ^ (unsigned)(uintptr_t)o;
    return o;
}

void tpa_llm_openai_destroy(tpa_llm_openai_t **o)
{
    if (!o || !*o) return;
    memset((*o)->auth, 0, sizeof(*o)->auth);
    free(*o);
    *o = NULL;
}

const char *tpa_llm_openai_host(const tpa_llm_openai_t *o)
{
    return o->host;
}

bool tpa_llm_openai_circuit_open(const tpa_llm_openai_t *o)
{
    return o->open_until && tpa_now_ms() < o->open_until;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    slot_t *s = arg;
    size_t n = size * nmemb;
    if (s->len + n + 1 > MAX_ANSWER) return 0; /* aborts the transfer */
    if (s->len + n + 1 > s->cap) {
        size_t cap = 2 * (s->len + n + 1);
        char *b = realloc(s->buf, cap);
        if (!b) return 0;
        s->buf = b;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    s->buf[s->len] = '\0';
    return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
    slot_t *s = arg;
    size_t n = size * nmemb;
    if (n > 12 && !strncasecmp(data, "retry-after:", 12)) {
        char tmp[32];
        size_t m = n - 12 < sizeof tmp - 1 ? n - 12 : sizeof tmp - 1;
        memcpy(tmp, data + 12, m);
        tmp[m] = '\0';
        char *end;
        long v = strtol(tmp, &end, 10);
        if (end != tmp && v >= 0) s->retry_after = v > RETRY_AFTER_MAX_S ? RETRY_AFTER_MAX_S : v;
    }
    return n;
}

static char *build_body(const tpa_llm_openai_t *o, const tpa_llm_req_t *r)
{
    json_t *msgs = json_array();
    for (size_t i = 0; i < r->nmsg; i++)
        json_array_append_new(msgs, json_pack("{s:s,s:s}", "role", r->roles[i], "content",
                                              r->contents[i] ? r->contents[i] : ""));
    json_t *b =
        json_pack("{s:s,s:o,s:{s:s},s:f,s:b}", "model", o->model, "messages", msgs,
                  "response_format", "type", "json_object", "temperature", 0.2, "stream", 0);
    char *s = b ? json_dumps(b, JSON_COMPACT) : NULL;
    json_decref(b);
    return s;
}

static void slot_reset(slot_t *s)
{
    if (s->easy) curl_easy_cleanup(s->easy);
    curl_slist_free_all(s->hdrs);
    s->easy = NULL;
    s->hdrs = NULL;
    s->len = 0;
    if (s->buf) s->buf[0] = '\0';
    s->retry_after = -1;
}

static int slot_start(tpa_llm_openai_t *o, CURLM *m, slot_t *s)
{
    slot_reset(s);
    s->easy = curl_easy_init();
    if (!s->easy) return TPA_ERR_NOMEM;
    s->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    s->hdrs = curl_slist_append(s->hdrs, "Accept: application/json");
    if (o->auth[0]) s->hdrs = curl_slist_append(s->hdrs, o->auth);
    s->hdrs = curl_slist_append(s->hdrs, "Expect:");
    curl_easy_setopt(s->easy, CURLOPT_URL, o->url);
    curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->hdrs);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, s->body);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(s->body));
    curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(s->easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(s->easy, CURLOPT_HEADERDATA, s);
    curl_easy_setopt(s->easy, CURLOPT_CONNECTTIMEOUT, o->timeout_s < 10 ? o->timeout_s : 10L);
    curl_easy_setopt(s->easy, CURLOPT_TIMEOUT, o->timeout_s);
    curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(s->easy, CURLOPT_USERAGENT, "tpa-llm");
    curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
    if (curl_multi_add_handle(m, s->easy) != CURLM_OK) return TPA_ERR_NOMEM;
    s->state = ST_RUN;
    s->attempt++;
    s->req->requests++;
    return 0;
}

static void finish(tpa_llm_openai_t *o, slot_t *s, int rc, bool endpoint_failed)
{
    s->state = ST_DONE;
    s->req->rc = rc;
    if (endpoint_failed) {
        if (++o->failures >= TPA_LLM_CIRCUIT_FAILURES)
            o->open_until = tpa_now_ms() + TPA_LLM_CIRCUIT_COOLDOWN_S * 1000LL;
    } else {
        o->failures = 0;
        o->open_until = 0;
    }
}

/* Parses a 200 answer into the request. */
static void take_answer(tpa_llm_openai_t *o, slot_t *s)
{
    tpa_llm_req_t *r = s->req;
    json_error_t je;
    json_t *v = json_loads(s->buf ? s->buf : "", 0, &je);
    json_t *msg = json_object_get(json_array_get(json_object_get(v, "choices"), 0), "message");
    const char *content = json_string_value(json_object_get(msg, "content"));
    json_t *usage = json_object_get(v, "usage");
    r->tokens_in += (long)json_integer_value(json_object_get(usage, "prompt_tokens"));
    r->tokens_out += (long)json_integer_value(json_object_get(usage, "completion_tokens"));
    if (!v) {
        snprintf(r->err, sizeof r->err, "response is not JSON (%s)", je.text);
        finish(o, s, TPA_ERR_FORMAT, false);
    } else if (!content || !content[0]) {
        snprintf(r->err, sizeof r->err, "response has no choices[0].message.content");
        finish(o, s, TPA_ERR_FORMAT, false);
    } else if (!(r->content = strdup(content))) {
        snprintf(r->err, sizeof r->err, "out of memory");
        finish(o, s, TPA_ERR_NOMEM, false);
    } else {
        finish(o, s, 0, false);
    }
    json_decref(v);
}

static void on_done(tpa_llm_openai_t *o, CURLM *m, slot_t *s, CURLcode res)
{
    tpa_llm_req_t *r = s->req;
    long status = 0;
    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_multi_remove_handle(m, s->easy);
    r->http_status = status;
    if (res != CURLE_OK) {
        snprintf(r->err, sizeof r->err, "%.120s: %.120s", o->host, curl_easy_strerror(res));
        finish(o, s, res == CURLE_OPERATION_TIMEDOUT ? TPA_ERR_TIMEOUT : TPA_ERR_CONN, true);
        return;
    }
    if (status == 200) {
        take_answer(o, s);
        return;
    }
    bool retryable = status == 429 || status >= 500;
    if (retryable && s->attempt <= TPA_LLM_MAX_RETRIES) {
        int64_t wait = (int64_t)BACKOFF_BASE_MS << (s->attempt - 1);
        wait += (int64_t)(rand_r(&o->seed) % (unsigned)(wait / 2 + 1));
        if (s->retry_after >= 0) wait = s->retry_after * 1000LL;
        s->start_at = tpa_now_ms() + wait;
        s->state = ST_WAIT;
        return;
    }
    snprintf(r->err, sizeof r->err, "%.180s answered HTTP %ld%s", o->host, status,
             retryable ? " (retries exhausted)" : "");
    finish(o, s, TPA_ERR_IO, true);
}

int tpa_llm_openai_run(tpa_llm_openai_t *o, tpa_llm_req_t *reqs, size_t n, tpa_llm_tick_fn tick,
                       void *arg)
{
    int rc = 0;
    slot_t *slots = calloc(n ? n : 1, sizeof *slots);
    CURLM *m = curl_multi_init();
    if (!slots || !m) {
        rc = TPA_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        memset(&reqs[i].rc, 0, sizeof reqs[i] - offsetof(tpa_llm_req_t, rc));
        slots[i].req = &reqs[i];
        slots[i].retry_after = -1;
        slots[i].body = build_body(o, &reqs[i]);
        if (!slots[i].body) {
            rc = TPA_ERR_NOMEM;
            goto out;
        }
    }
    int64_t next_tick = tpa_now_ms() + TICK_MS;
    for (;;) {
        int64_t now = tpa_now_ms();
        size_t running = 0, left = 0;
        for (size_t i = 0; i < n; i++) {
            running += slots[i].state == ST_RUN;
            left += slots[i].state != ST_DONE;
        }
        if (!left) break;
        for (size_t i = 0; i < n && running < (size_t)o->concurrency; i++) {
            slot_t *s = &slots[i];
            if (s->state != ST_WAIT || s->start_at > now) continue;
            if (s->attempt == 0 && tpa_llm_openai_circuit_open(o)) {
                snprintf(s->req->err, sizeof s->req->err, "circuit open");
                s->state = ST_DONE;
                s->req->rc = TPA_ERR_CONN;
                continue;
            }
            if (slot_start(o, m, s)) {
                snprintf(s->req->err, sizeof s->req->err, "out of memory");
                s->state = ST_DONE;
                s->req->rc = TPA_ERR_NOMEM;
                continue;
            }
            running++;
        }
        int still = 0;
        curl_multi_perform(m, &still);
        CURLMsg *msg;
        int q;
        while ((msg = curl_multi_info_read(m, &q))) {
            if (msg->msg != CURLMSG_DONE) continue;
            slot_t *s = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
            if (s) on_done(o, m, s, msg->data.result);
        }
        if (tick && tpa_now_ms() >= next_tick) {
            next_tick = tpa_now_ms() + TICK_MS;
            if (!tick(arg)) {
                for (size_t i = 0; i < n; i++) {
                    if (slots[i].state == ST_DONE) continue;
                    if (slots[i].state == ST_RUN) curl_multi_remove_handle(m, slots[i].easy);
                    snprintf(slots[i].req->err, sizeof slots[i].req->err, "cancelled");
                    slots[i].req->rc = TPA_ERR_CANCELLED;
                    slots[i].state = ST_DONE;
                }
                continue;
            }
        }
        curl_multi_poll(m, NULL, 0, 100, NULL);
    }
out:
    for (size_t i = 0; slots && i < n; i++) {
        slot_reset(&slots[i]);
        free(slots[i].body);
        free(slots[i].buf);
    }
    free(slots);
    if (m) curl_multi_cleanup(m);
    return rc;
}
