/* tpa_gw_ws.c - WebSocket relay of job events (see tpa_gw_ws.h). */
#include "tpa_gw_ws.h"
#include "tpa_err.h"
#include "tpa_job.h"
#include "tpa_log.h"
#include "tpa_gw_stop.h"
#include "tpa_redis.h"
#include "tpa_wire.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WS_PREFIX "/ws/jobs/"
#define EVENTS_PREFIX "tpa:events:"
#define BACKOFF_MIN_MS 500
#define BACKOFF_MAX_MS 5000
#define POLL_MS 500

/* RFC 6455 7.4.1 status codes used here. */
#define WS_CLOSE_NORMAL 1000
#define WS_CLOSE_POLICY 1008
#define WS_CLOSE_ERROR 1011

typedef struct ws_conn {
    struct mg_connection *conn;
    char job[TPA_ID_MAX];
    bool registered;    /* in the registry */
    bool terminal_sent; /* a completed/failed/cancelled event went out */
    bool close_sent;    /* we sent a close frame */
    long long last_seq; /* seq of the newest event sent (tpa_job.h) */
    struct ws_conn *prev, *next;
} ws_conn_t;

struct tpa_gw_ws {
    tpa_config_t cfg;
    tpa_gw_pool_t *pool;
    tpa_gw_metrics_t *metrics;

    pthread_mutex_t lock; /* registry and every write to a registered connection */
    ws_conn_t *head;

    tpa_gw_stop_t stop; /* raised to end the subscriber thread */
    bool running;
    pthread_t thread;
};

static bool is_terminal(const char *state)
{
    return state && (!strcmp(state, TPA_JOB_COMPLETED) || !strcmp(state, TPA_JOB_FAILED) ||
                     !strcmp(state, TPA_JOB_CANCELLED));
}

/* ---- sending ------------------------------------------------------------- */

static void send_text(ws_conn_t *wc, const char *text, size_t len)
{
    if (!wc->close_sent) mg_websocket_write(wc->conn, MG_WEBSOCKET_OPCODE_TEXT, text, len);
}

static void send_close(ws_conn_t *wc, int code, const char *reason)
{
    char payload[125];
    size_t n = strlen(reason);

    if (wc->close_sent) return;
    if (n > sizeof payload - 2) n = sizeof payload - 2;
    payload[0] = (char)((code >> 8) & 0xff);
    payload[1] = (char)(code & 0xff);
    memcpy(payload + 2, reason, n);
    mg_websocket_write(wc->conn, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, payload, n + 2);
    wc->close_sent = true;
}

static void send_error_and_close(ws_conn_t *wc, int close_code, const char *code,
                                 const char *message)
{
    json_t *doc = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message);
    char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

    if (text) send_text(wc, text, strlen(text));
    free(text);
    json_decref(doc);
    send_close(wc, close_code, code);
}

/* Sends an event (JSON text) to wc, applying the terminal-state rule.
 * Caller holds ws->lock. */
static void deliver(ws_conn_t *wc, const char *text, size_t len, const char *state,
                    long long seq)
{
    bool terminal = is_terminal(state);

    if (wc->terminal_sent && !terminal) return;
    /* An event published before the snapshot this client got can still be in flight
     * from the subscriber: never send anything older than what was already sent. */
    if (seq > 0 && seq <= wc->last_seq) return;
    if (seq > wc->last_seq) wc->last_seq = seq;
    send_text(wc, text, len);
    if (terminal) wc->terminal_sent = true;
}

/* Sends the job's current state to wc. Returns 0, TPA_ERR_NOTFOUND for an unknown
 * job, TPA_ERR_CONN when Redis failed. Caller holds ws->lock. */
static int send_snapshot(ws_conn_t *wc, redisContext *r)
{
    json_t *ev = tpa_job_event(r, wc->job);
    char *text;

    if (!ev) return r->err ? TPA_ERR_CONN : TPA_ERR_NOTFOUND;
    text = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text)
        deliver(wc, text, strlen(text), json_string_value(json_object_get(ev, "state")),
                (long long)json_integer_value(json_object_get(ev, "seq")));
    free(text);
    json_decref(ev);
    return 0;
}

/* ---- civetweb handlers --------------------------------------------------- */

static int on_connect(const struct mg_connection *conn, void *cbdata)
{
    (void)conn;
    (void)cbdata;
    return 0; /* accept; the id is checked once the handshake is done */
}

static void on_ready(struct mg_connection *conn, void *cbdata)
{
    tpa_gw_ws_t *ws = cbdata;
    const struct mg_request_info *ri = mg_get_request_info(conn);
    const char *uri = ri && ri->local_uri ? ri->local_uri : "";
    ws_conn_t *wc = calloc(1, sizeof *wc);
    char err[256];
    redisContext *r;
    int rc;

    if (!wc) {
        mg_websocket_write(conn, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, "\x03\xf3", 2);
        return;
    }
    wc->conn = conn;
    mg_set_user_connection_data(conn, wc);
    atomic_fetch_add(&ws->metrics->ws_clients, 1);

    if (strncmp(uri, WS_PREFIX, strlen(WS_PREFIX)) ||
        strlen(uri + strlen(WS_PREFIX)) >= sizeof wc->job ||
        !tpa_job_id_valid(uri + strlen(WS_PREFIX))) {
        send_error_and_close(wc, WS_CLOSE_POLICY, "invalid_id",
                             "the URL must be /ws/jobs/<job id> with a valid job id");
        return;
    }
    snprintf(wc->job, sizeof wc->job, "%s", uri + strlen(WS_PREFIX));

    r = tpa_gw_pool_get(ws->pool, err, sizeof err);
    if (!r) {
        send_error_and_close(wc, WS_CLOSE_ERROR, "redis_unavailable", err);
        return;
    }
    /* Register and send the snapshot under the lock: events the subscriber receives
     * from now on are written after the snapshot. */
    pthread_mutex_lock(&ws->lock);
    rc = send_snapshot(wc, r);
    if (rc == 0) {
        wc->next = ws->head;
        if (ws->head) ws->head->prev = wc;
        ws->head = wc;
        wc->registered = true;
    }
    pthread_mutex_unlock(&ws->lock);
    tpa_gw_pool_put(ws->pool, r);

    if (rc == TPA_ERR_NOTFOUND) {
        send_error_and_close(wc, WS_CLOSE_NORMAL, "not_found", "no such job");
    } else if (rc < 0) {
        send_error_and_close(wc, WS_CLOSE_ERROR, "redis_unavailable",
                             "cannot read the job state from Redis");
    } else {
        tpa_debug(wc->job, "websocket client connected from %s", ri->remote_addr);
    }
}

static int on_data(struct mg_connection *conn, int bits, char *data, size_t len, void *cbdata)
{
    tpa_gw_ws_t *ws = cbdata;
    ws_conn_t *wc = mg_get_user_connection_data(conn);
    int opcode = bits & 0x0f;

    if (opcode == MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE) {
        /* RFC 6455 5.5.1: answer a close with a close (echoing the status code), or
         * browsers report 1006. Only if we did not start the closing handshake. */
        if (wc) {
            pthread_mutex_lock(&ws->lock);
            if (!wc->close_sent) {
                mg_websocket_write(conn, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, data,
                                   len >= 2 ? 2 : 0);
                wc->close_sent = true;
            }
            pthread_mutex_unlock(&ws->lock);
        } else {
            mg_websocket_write(conn, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, data, len >= 2 ? 2 : 0);
        }
        return 0;
    }
    if (wc && wc->close_sent) return 0;
    return 1; /* text/binary from the client and pings/pongs are ignored */
}

static void on_close(const struct mg_connection *conn, void *cbdata)
{
    tpa_gw_ws_t *ws = cbdata;
    ws_conn_t *wc = mg_get_user_connection_data(conn);

    if (!wc) return;
    pthread_mutex_lock(&ws->lock);
    if (wc->registered) {
        if (wc->prev)
            wc->prev->next = wc->next;
        else
            ws->head = wc->next;
        if (wc->next) wc->next->prev = wc->prev;
    }
    pthread_mutex_unlock(&ws->lock);
    mg_set_user_connection_data(conn, NULL);
    atomic_fetch_sub(&ws->metrics->ws_clients, 1);
    if (wc->job[0]) tpa_debug(wc->job, "websocket client disconnected");
    free(wc);
}

/* ---- subscriber thread ---------------------------------------------------- */

/* Handles one pub/sub reply: ["pmessage", pattern, channel, payload]. */
static void dispatch(tpa_gw_ws_t *ws, const redisReply *rep)
{
    const redisReply *chan, *payload;
    const char *job;
    char state[32] = "";
    long long seq = 0;
    json_t *ev;

    if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 4 ||
        rep->element[0]->type != REDIS_REPLY_STRING || strcmp(rep->element[0]->str, "pmessage"))
        return;
    chan = rep->element[2];
    payload = rep->element[3];
    if (chan->type != REDIS_REPLY_STRING || payload->type != REDIS_REPLY_STRING ||
        chan->len <= strlen(EVENTS_PREFIX))
        return;
    job = chan->str + strlen(EVENTS_PREFIX);
    ev = json_loadb(payload->str, payload->len, 0, NULL);
    if (ev) {
        const char *s = json_string_value(json_object_get(ev, "state"));
        snprintf(state, sizeof state, "%s", s ? s : "");
        seq = (long long)json_integer_value(json_object_get(ev, "seq"));
        json_decref(ev);
    }
    pthread_mutex_lock(&ws->lock);
    for (ws_conn_t *wc = ws->head; wc; wc = wc->next)
        if (!strcmp(wc->job, job)) deliver(wc, payload->str, payload->len, state, seq);
    pthread_mutex_unlock(&ws->lock);
}

/* After (re)subscribing: every client gets its job's current state again. */
static void resync(tpa_gw_ws_t *ws)
{
    char err[256];
    redisContext *r = tpa_gw_pool_get(ws->pool, err, sizeof err);

    if (!r) return;
    pthread_mutex_lock(&ws->lock);
    for (ws_conn_t *wc = ws->head; wc && !r->err; wc = wc->next)
        send_snapshot(wc, r);
    pthread_mutex_unlock(&ws->lock);
    tpa_gw_pool_put(ws->pool, r);
}

/* Runs one subscription until Redis drops or stop. */
static void subscribe_loop(tpa_gw_ws_t *ws, redisContext *c)
{
    redisReply *rep = redisCommand(c, "PSUBSCRIBE " EVENTS_PREFIX "*");

    if (!rep) return;
    freeReplyObject(rep);
    atomic_store(&ws->metrics->redis_up, 1);
    tpa_info(NULL, "subscribed to job events on Redis %s:%d", ws->cfg.redis_host,
             ws->cfg.redis_port);
    resync(ws);

    while (!tpa_gw_stop_raised(&ws->stop)) {
        void *vp = NULL;
        struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
        int n;

        if (redisGetReplyFromReader(c, &vp) != REDIS_OK) break;
        if (vp) {
            dispatch(ws, vp);
            freeReplyObject(vp);
            continue;
        }
        n = poll(&pfd, 1, POLL_MS);
        if (n < 0 && errno != EINTR) break;
        if (n <= 0) continue;
        if (redisBufferRead(c) != REDIS_OK) break;
    }
    atomic_store(&ws->metrics->redis_up, 0);
}

static void *subscriber(void *arg)
{
    tpa_gw_ws_t *ws = arg;
    int backoff = BACKOFF_MIN_MS;
    bool warned = false;

    while (!tpa_gw_stop_raised(&ws->stop)) {
        char err[256];
        redisContext *c = tpa_redis_connect(&ws->cfg, err, sizeof err);

        if (!c) {
            if (!warned) tpa_warn(NULL, "event subscriber: %s; retrying", err);
            warned = true;
            if (tpa_gw_stop_wait(&ws->stop, backoff)) break;
            backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
            continue;
        }
        warned = false;
        backoff = BACKOFF_MIN_MS;
        subscribe_loop(ws, c);
        if (!tpa_gw_stop_raised(&ws->stop))
            tpa_warn(NULL, "event subscriber lost Redis: %s; reconnecting",
                     c->err ? c->errstr : "connection closed");
        redisFree(c);
        if (tpa_gw_stop_wait(&ws->stop, BACKOFF_MIN_MS)) break;
    }
    return NULL;
}

/* ---- lifecycle ------------------------------------------------------------- */

tpa_gw_ws_t *tpa_gw_ws_new(const tpa_config_t *cfg, tpa_gw_pool_t *pool, tpa_gw_metrics_t *metrics)
{
    tpa_gw_ws_t *ws = calloc(1, sizeof *ws);

    if (!ws) return NULL;
    ws->cfg = *cfg;
    ws->pool = pool;
    ws->metrics = metrics;
    pthread_mutex_init(&ws->lock, NULL);
    tpa_gw_stop_init(&ws->stop);
    return ws;
}

void tpa_gw_ws_attach(tpa_gw_ws_t *ws, struct mg_context *ctx)
{
    mg_set_websocket_handler(ctx, "/ws/jobs", on_connect, on_ready, on_data, on_close, ws);
}

int tpa_gw_ws_start(tpa_gw_ws_t *ws)
{
    if (ws->running) return 0;
    tpa_gw_stop_clear(&ws->stop);
    if (pthread_create(&ws->thread, NULL, subscriber, ws) != 0) return TPA_ERR_NOMEM;
    ws->running = true;
    return 0;
}

void tpa_gw_ws_stop(tpa_gw_ws_t *ws)
{
    if (!ws) return;
    if (ws->running) {
        tpa_gw_stop_raise(&ws->stop);
        pthread_join(ws->thread, NULL);
        ws->running = false;
    }
    /* RFC 6455 7.4.1 1001 "going away": clients get a clean close, not 1006. */
    pthread_mutex_lock(&ws->lock);
    for (ws_conn_t *wc = ws->head; wc; wc = wc->next)
        send_close(wc, 1001, "server shutdown");
    pthread_mutex_unlock(&ws->lock);
}

void tpa_gw_ws_destroy(tpa_gw_ws_t **wsp)
{
    tpa_gw_ws_t *ws = wsp ? *wsp : NULL;

    if (!ws) return;
    tpa_gw_ws_stop(ws);
    /* mg_stop has closed every connection, whose close handlers emptied the list;
     * free anything left defensively. */
    while (ws->head) {
        ws_conn_t *wc = ws->head;
        ws->head = wc->next;
        free(wc);
    }
    tpa_gw_stop_destroy(&ws->stop);
    pthread_mutex_destroy(&ws->lock);
    free(ws);
    *wsp = NULL;
}
