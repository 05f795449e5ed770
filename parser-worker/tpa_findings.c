/* tpa_findings.c - the findings rules (see tpa_findings.h). */
#include "tpa_findings.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tpa_err.h"

/* ---- wording ---- */

static const char *proto_label(const char *p)
{
    static const char *const map[][2] = {
        {"pfcp", "PFCP"}, {"gtpv2", "GTPv2-C"},   {"gtp", "GTP"},         {"ngap", "NGAP"},
        {"s1ap", "S1AP"}, {"nas-5gs", "NAS-5GS"}, {"nas-eps", "NAS-EPS"}, {"diameter", "Diameter"},
        {"sip", "SIP"},   {"dns", "DNS"},         {"http2", "HTTP/2"},    {"gtp-c", "GTPv1-C"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(p, map[i][0]) == 0) return map[i][1];
    return p;
}

static const char *family_label(const char *f)
{
    static const char *const map[][2] = {
        {"5gmm", "5GMM cause"},  {"5gsm", "5GSM cause"},
        {"emm", "EMM cause"},    {"esm", "ESM cause"},
        {"ngap", "NGAP cause"},  {"s1ap", "S1AP cause"},
        {"pfcp", "PFCP cause"},  {"gtpv2", "GTPv2 cause"},
        {"gtp", "GTP cause"},    {"diameter", "Diameter result code"},
        {"sip", "SIP status"},   {"dns", "DNS rcode"},
        {"http", "HTTP status"}, {"http2", "HTTP status"},
    };
    if (!f) return "cause";
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(f, map[i][0]) == 0) return map[i][1];
    return "cause";
}

/* Protocols whose failures are answers with an error status rather than rejects. */
static bool status_protocol(const char *p)
{
    return strcmp(p, "diameter") == 0 || strcmp(p, "sip") == 0 || strcmp(p, "dns") == 0 ||
           strcmp(p, "http2") == 0;
}

static double pct(uint64_t a, uint64_t b)
{
    return b ? 100.0 * (double)a / (double)b : 0.0;
}

/* ---- evidence ---- */

typedef struct ev {
    json_t *frames, *flows, *txns;
} ev_t;

static int ev_init(ev_t *e)
{
    e->frames = json_array();
    e->flows = json_array();
    e->txns = json_array();
    if (e->frames && e->flows && e->txns) return 0;
    json_decref(e->frames);
    json_decref(e->flows);
    json_decref(e->txns);
    return TPA_ERR_NOMEM;
}

static void ev_frame(ev_t *e, uint64_t f)
{
    if (f && json_array_size(e->frames) < TPA_FINDINGS_EV_FRAMES)
        json_array_append_new(e->frames, json_integer((json_int_t)f));
}

static void ev_flow(ev_t *e, uint32_t id)
{
    if (!id || json_array_size(e->flows) >= TPA_FINDINGS_EV_FLOWS) return;
    size_t i;
    json_t *v;
    json_array_foreach(e->flows, i, v)
    {
        if (json_integer_value(v) == id) return;
    }
    json_array_append_new(e->flows, json_integer(id));
}

static void ev_txn(ev_t *e, uint64_t id)
{
    char b[32];
    if (id && json_array_size(e->txns) < TPA_FINDINGS_EV_TXNS)
        json_array_append_new(e->txns, json_string(tpa_txn_id_str(id, b, sizeof b)));
}

static void ev_add(ev_t *e, const tpa_kpi_evidence_t *k)
{
    for (uint32_t i = 0; i < k->nframes; i++)
        ev_frame(e, k->frames[i]);
    for (uint32_t i = 0; i < k->nflows; i++)
        ev_flow(e, k->flows[i]);
    for (uint32_t i = 0; i < k->ntxns; i++)
        ev_txn(e, k->txns[i]);
}

/* Appends a finding made of the parts (takes the evidence arrays). */
static int emit(json_t *list, const char *rule, const char *sev, const char *title,
                const char *detail, ev_t *e)
{
    json_t *f = json_pack("{s:s,s:s,s:s,s:s,s:s,s:{s:o,s:o,s:o}}", "id", "", "rule", rule,
                          "severity", sev, "title", title, "detail", detail, "evidence", "frames",
                          e->frames, "flows", e->flows, "transactions", e->txns);
    e->frames = e->flows = e->txns = NULL;
    if (!f) return TPA_ERR_NOMEM;
    return json_array_append_new(list, f) < 0 ? TPA_ERR_NOMEM : 0;
}

/* ---- KPI rules ---- */

/* Whether word (lower case) occurs in s, ignoring case. */
static bool contains_ci(const char *s, const char *word)
{
    size_t n = strlen(word);
    for (; *s; s++)
        if (strncasecmp(s, word, n) == 0) return true;
    return false;
}

static bool is_echo(const char *procedure, bool *heartbeat)
{
    *heartbeat = contains_ci(procedure, "heartbeat");
    return *heartbeat || contains_ci(procedure, "echo");
}

static int rule_echo(json_t *list, const tpa_kpi_entry_t *e, bool heartbeat)
{
    uint64_t bad = e->unanswered + e->failures;
    if (!bad) return 0;
    char rule[96], title[192], detail[512];
    const char *pl = proto_label(e->protocol);
    snprintf(rule, sizeof rule, "%s.%s", e->protocol,
             heartbeat ? "heartbeat_failures" : "echo_failures");
    snprintf(title, sizeof title, "%s %s failures", pl, e->procedure);
    snprintf(detail, sizeof detail,
             "%" PRIu64 " of %" PRIu64 " %s %s requests went unanswered and %" PRIu64
             " failed (success rate %.1f%%, %" PRIu64 " retransmissions)%s",
             e->unanswered, e->attempts, pl, e->procedure, e->failures,
             pct(e->successes, e->attempts), e->retransmissions,
             e->successes ? "; the path to the peer is unreliable."
                          : "; the peer looks down or unreachable.");
    ev_t ev;
    if (ev_init(&ev) < 0) return TPA_ERR_NOMEM;
    ev_add(&ev, &e->ev_unanswered);
    ev_add(&ev, &e->ev_nocause);
    for (uint32_t i = 0; i < e->ncauses; i++)
        ev_add(&ev, &e->causes[i].ev);
    return emit(list, rule, e->successes ? "warning" : "critical", title, detail, &ev);
}

static int rule_unanswered(json_t *list, const tpa_kpi_entry_t *e)
{
    if (!e->unanswered) return 0;
    char rule[96], title[192], detail[512];
    const char *pl = proto_label(e->protocol);
    double share = (double)e->unanswered / (double)e->attempts;
    const char *sev = share >= 0.5 && e->unanswered >= 3   ? "critical"
                      : e->unanswered >= 2 || share >= 0.1 ? "warning"
                                                           : "info";
    snprintf(rule, sizeof rule, "%s.unanswered", e->protocol);
    snprintf(title, sizeof title, "%s %s requests unanswered", pl, e->procedure);
    snprintf(detail, sizeof detail,
             "%" PRIu64 " of %" PRIu64 " %s %s attempts (%.1f%%) got no response by the end "
             "of the capture (%" PRIu64 " retransmissions in all).",
             e->unanswered, e->attempts, pl, e->procedure, 100.0 * share, e->retransmissions);
    ev_t ev;
    if (ev_init(&ev) < 0) return TPA_ERR_NOMEM;
    ev_add(&ev, &e->ev_unanswered);
    return emit(list, rule, sev, title, detail, &ev);
}

static int rule_rejects(json_t *list, const tpa_kpi_entry_t *e)
{
    char rule[96], title[256], detail[512];
    const char *pl = proto_label(e->protocol);
    bool status = status_protocol(e->protocol);
    snprintf(rule, sizeof rule, "%s.%s", e->protocol, status ? "failures" : "rejects");
    const char *verb = status ? "failed" : "rejected";
    for (uint32_t i = 0; i < e->ncauses; i++) {
        const tpa_kpi_cause_t *c = &e->causes[i];
        double share = (double)c->count / (double)e->attempts;
        bool challenge = strcmp(e->protocol, "sip") == 0 && (c->code == 401 || c->code == 407);
        const char *sev = challenge || share < 0.01       ? "info"
                          : share >= 0.5 && c->count >= 2 ? "critical"
                                                          : "warning";
        char cause[160];
        if (c->name)
            snprintf(cause, sizeof cause, "%s (%s %" PRId64 ")", c->name, family_label(c->family),
                     c->code);
        else
            snprintf(cause, sizeof cause, "%s %" PRId64, family_label(c->family), c->code);
        snprintf(title, sizeof title, "%s %s %s: %s", pl, e->procedure, verb,
                 c->name ? c->name : cause);
        snprintf(detail, sizeof detail,
                 "%" PRIu64 " of %" PRIu64 " %s %s attempts (%.1f%%) were %s with %s%s", c->count,
                 e->attempts, pl, e->procedure, 100.0 * share, verb, cause,
                 challenge ? "; an authentication challenge is part of a normal exchange." : ".");
        ev_t ev;
        if (ev_init(&ev) < 0) return TPA_ERR_NOMEM;
        ev_add(&ev, &c->ev);
        if (emit(list, rule, sev, title, detail, &ev) < 0) return TPA_ERR_NOMEM;
    }
    if (e->failures_nocause) {
        double share = (double)e->failures_nocause / (double)e->attempts;
        snprintf(title, sizeof title, "%s %s %s", pl, e->procedure, verb);
        snprintf(detail, sizeof detail,
                 "%" PRIu64 " of %" PRIu64 " %s %s attempts (%.1f%%) were %s without a cause "
                 "value.",
                 e->failures_nocause, e->attempts, pl, e->procedure, 100.0 * share, verb);
        ev_t ev;
        if (ev_init(&ev) < 0) return TPA_ERR_NOMEM;
        ev_add(&ev, &e->ev_nocause);
        const char *sev = share >= 0.5 && e->failures_nocause >= 2 ? "critical"
                          : share < 0.01                           ? "info"
                                                                   : "warning";
        if (emit(list, rule, sev, title, detail, &ev) < 0) return TPA_ERR_NOMEM;
    }
    return 0;
}

static int rule_failing(json_t *list, const tpa_kpi_entry_t *e)
{
    if (e->attempts < 5) return 0;
    double rate = (double)e->successes / (double)e->attempts;
    int kinds =
        (int)e->ncauses + (e->failures_nocause > 0) + (e->unanswered > 0) + (e->causes_other > 0);
    if (rate >= 0.8 || kinds < 2) return 0;
    char rule[96], title[192], detail[512];
    const char *pl = proto_label(e->protocol);
    snprintf(rule, sizeof rule, "%s.procedure_failing", e->protocol);
    snprintf(title, sizeof title, "%s %s succeeds %.1f%% of the time", pl, e->procedure,
             100.0 * rate);
    snprintf(detail, sizeof detail,
             "%s %s: %" PRIu64 " attempts, %" PRIu64 " successes, %" PRIu64 " failures (%u "
             "distinct causes), %" PRIu64 " unanswered.",
             pl, e->procedure, e->attempts, e->successes, e->failures, e->ncauses, e->unanswered);
    ev_t ev;
    if (ev_init(&ev) < 0) return TPA_ERR_NOMEM;
    for (uint32_t i = 0; i < e->ncauses; i++)
        ev_add(&ev, &e->causes[i].ev);
    ev_add(&ev, &e->ev_nocause);
    ev_add(&ev, &e->ev_unanswered);
    return emit(list, rule, rate < 0.5 ? "critical" : "warning", title, detail, &ev);
}

static int rule_latency(json_t *list, const tpa_kpi_entry_t *e, const tpa_txn_t *txn)
{
    if (e->nlat < TPA_FINDINGS_LATENCY_MIN_SAMPLES || e->p50_us < 0) return 0;
    int64_t thr = 3 * e->p50_us;
    if (thr < e->p50_us + 1000000) thr = e->p50_us + 1000000;
    uint64_t n = tpa_kpi_above(e, thr);
    if (!n) return 0;
    char rule[96], title[192], detail[512];
    const char *pl = proto_label(e->protocol);
    double share = (double)n / (double)e->nlat;
    snprintf(rule, sizeof rule, "%s.latency_outliers", e->protocol);
    snprintf(title, sizeof title, "Slow %s %s responses", pl, e->procedure);
    snprintf(detail, sizeof detail,
             "%" PRIu64 " of %" PRIu64 " answered %s %s requests (%.1f%%) took longer than "
             "%.3f ms (median %.3f ms); the slowest took %.3f ms.",
             n, e->nlat, pl, e->procedure, 100.0 * share, (double)thr / 1000.0,
             (double)e->p50_us / 1000.0, (double)e->lat_max_us / 1000.0);
    ev_t ev;
    if (ev_init(&ev) < 0) return TPA_ERR_NOMEM;
    size_t nk = tpa_txn_kept_count(txn);
    for (size_t i = 0; i < nk && json_array_size(ev.txns) < TPA_FINDINGS_EV_TXNS; i++) {
        const tpa_txn_rec_t *r = tpa_txn_kept_at(txn, i);
        if (r->outcome != TPA_TXN_SUCCESS && r->outcome != TPA_TXN_FAILURE) continue;
        if (r->response_us - r->request_us <= thr) continue;
        if (strcmp(r->protocol, e->protocol) != 0 || strcmp(r->procedure, e->procedure) != 0)
            continue;
        ev_txn(&ev, r->id);
        ev_frame(&ev, r->response_frame);
        ev_flow(&ev, r->flow);
    }
    return emit(list, rule, share >= 0.05 ? "warning" : "info", title, detail, &ev);
}

static int rule_orphans(json_t *list, const tpa_kpi_entry_t *e)
{
    if (!e->orphans) return 0;
    char rule[96], title[192], detail[512];
    const char *pl = proto_label(e->protocol);
    snprintf(rule, sizeof rule, "%s.orphan_responses", e->protocol);
    snprintf(title, sizeof title, "%s %s responses without a request", pl, e->procedure);
    snprintf(detail, sizeof detail,
             "%" PRIu64 " %s %s responses answered no request seen in the capture (it may "
             "have started after the requests, or they took another path).",
             e->orphans, pl, e->procedure);
    ev_t ev;
    if (ev_init(&ev) < 0) return TPA_ERR_NOMEM;
    ev_add(&ev, &e->ev_orphans);
    return emit(list, rule, "info", title, detail, &ev);
}

static int rule_indication(json_t *list, const tpa_kpi_ind_t *g)
{
    char rule[96], title[256], detail[512], cause[160] = "";
    bool gtpu = strcmp(g->protocol, "gtp") == 0 && strcmp(g->code, "26") == 0;
    const char *pl = proto_label(g->protocol);
    const char *name = g->name ? g->name : g->code;
    if (g->has_cause) {
        if (g->cause_name)
            snprintf(cause, sizeof cause, " with %s (%s %" PRId64 ")", g->cause_name,
                     family_label(g->cause_family), g->cause);
        else
            snprintf(cause, sizeof cause, " with %s %" PRId64, family_label(g->cause_family),
                     g->cause);
    }
    if (gtpu) {
        snprintf(rule, sizeof rule, "gtpu.error_indication");
        snprintf(title, sizeof title, "GTP-U Error Indication");
        snprintf(detail, sizeof detail,
                 "%" PRIu64 " GTP-U Error Indication messages%s: a peer received user-plane "
                 "packets for a tunnel (TEID) it does not know and dropped them.",
                 g->count, cause);
    } else {
        snprintf(rule, sizeof rule, "%s.failure_indication", g->protocol);
        snprintf(title, sizeof title, "%s %s%s%s", pl, name, g->has_cause ? ": " : "",
                 g->has_cause ? (g->cause_name ? g->cause_name : family_label(g->cause_family))
                              : "");
        snprintf(detail, sizeof detail,
                 "%" PRIu64 " %s %s messages%s reported a failure outside any request seen.",
                 g->count, pl, name, cause);
    }
    ev_t ev;
    if (ev_init(&ev) < 0) return TPA_ERR_NOMEM;
    ev_add(&ev, &g->ev);
    return emit(list, rule, gtpu && g->count >= 10 ? "critical" : "warning", title, detail, &ev);
}

/* ---- flow rules ---- */

static bool ran_app(const char *app)
{
    return app && (strcmp(app, "ngap") == 0 || strcmp(app, "s1ap") == 0);
}

static int rule_sctp_abort(json_t *list, const tpa_findings_flow_t *flows, size_t n)
{
    uint64_t chunks = 0, assocs = 0;
    bool ran = false;
    ev_t ev;
    if (ev_init(&ev) < 0) return TPA_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (!flows[i].sctp_aborts) continue;
        chunks += flows[i].sctp_aborts;
        assocs++;
        ran = ran || ran_app(flows[i].app);
        ev_flow(&ev, flows[i].id);
    }
    if (!assocs) {
        json_decref(ev.frames);
        json_decref(ev.flows);
        json_decref(ev.txns);
        return 0;
    }
    char detail[512];
    snprintf(detail, sizeof detail,
             "%" PRIu64 " ABORT chunks on %" PRIu64 " SCTP association%s%s; an ABORT tears "
             "the association down at once, with every procedure and UE context on it.",
             chunks, assocs, assocs == 1 ? "" : "s", ran ? " (NGAP/S1AP among them)" : "");
    return emit(list, "sctp.abort", ran ? "critical" : "warning", "SCTP associations aborted",
                detail, &ev);
}

typedef struct retx {
    const tpa_findings_flow_t *f;
    double share;
} retx_t;

static int cmp_retx(const void *a, const void *b)
{
    const retx_t *x = a, *y = b;
    if (x->share != y->share) return x->share < y->share ? 1 : -1;
    return (x->f->id > y->f->id) - (x->f->id < y->f->id);
}

static int rule_tcp_retx(json_t *list, const tpa_findings_flow_t *flows, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (flows[i].tcp && flows[i].packets >= TPA_FINDINGS_TCP_MIN_PACKETS &&
            flows[i].tcp_retransmissions * 20ULL >= flows[i].packets)
            m++;
    if (!m) return 0;
    retx_t *v = malloc(m * sizeof *v);
    if (!v) return TPA_ERR_NOMEM;
    m = 0;
    for (size_t i = 0; i < n; i++)
        if (flows[i].tcp && flows[i].packets >= TPA_FINDINGS_TCP_MIN_PACKETS &&
            flows[i].tcp_retransmissions * 20ULL >= flows[i].packets)
            v[m++] = (retx_t){&flows[i],
                              (double)flows[i].tcp_retransmissions / (double)flows[i].packets};
    qsort(v, m, sizeof *v, cmp_retx);
    ev_t ev;
    if (ev_init(&ev) < 0) {
        free(v);
        return TPA_ERR_NOMEM;
    }
    for (size_t i = 0; i < m; i++)
        ev_flow(&ev, v[i].f->id);
    char detail[512];
    snprintf(detail, sizeof detail,
             "%zu TCP flow%s retransmit at least 5%% of their packets; worst: flow %" PRIu32
             " (%s), %" PRIu32 " retransmissions in %" PRIu64 " packets (%.1f%%).",
             m, m == 1 ? "" : "s", v[0].f->id, v[0].f->app ? v[0].f->app : "no app detected",
             v[0].f->tcp_retransmissions, v[0].f->packets, 100.0 * v[0].share);
    const char *sev = v[0].share >= 0.2 ? "critical" : "warning";
    free(v);
    return emit(list, "tcp.retransmissions", sev, "TCP retransmission storm", detail, &ev);
}

int tpa_findings_add(json_t *list, const tpa_kpi_t *kpi, const tpa_txn_t *txn,
                     const tpa_findings_flow_t *flows, size_t nflows)
{
    if (!list) return TPA_ERR_INVALID;
    size_t n = tpa_kpi_count(kpi);
    for (size_t i = 0; i < n; i++) {
        const tpa_kpi_entry_t *e = tpa_kpi_at(kpi, i);
        bool hb;
        if (is_echo(e->procedure, &hb)) {
            if (rule_echo(list, e, hb) < 0) return TPA_ERR_NOMEM;
            continue;
        }
        if (rule_unanswered(list, e) < 0 || rule_rejects(list, e) < 0 ||
            rule_failing(list, e) < 0 || rule_latency(list, e, txn) < 0 ||
            rule_orphans(list, e) < 0)
            return TPA_ERR_NOMEM;
    }
    size_t ni = tpa_kpi_ind_count(kpi);
    for (size_t i = 0; i < ni; i++)
        if (rule_indication(list, tpa_kpi_ind_at(kpi, i)) < 0) return TPA_ERR_NOMEM;
    if (flows &&
        (rule_sctp_abort(list, flows, nflows) < 0 || rule_tcp_retx(list, flows, nflows) < 0))
        return TPA_ERR_NOMEM;
    return 0;
}

/* ---- numbering ---- */

typedef struct ranked {
    json_t *f;
    int rank;
    size_t pos;
} ranked_t;

static int severity_rank(const json_t *f)
{
    const char *s = json_string_value(json_object_get(f, "severity"));
    if (s && strcmp(s, "critical") == 0) return 0;
    if (s && strcmp(s, "warning") == 0) return 1;
    return 2;
}

static int cmp_ranked(const void *a, const void *b)
{
    const ranked_t *x = a, *y = b;
    if (x->rank != y->rank) return x->rank - y->rank;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

int tpa_findings_number(json_t *list)
{
    if (!json_is_array(list)) return TPA_ERR_INVALID;
    size_t n = json_array_size(list);
    if (!n) return 0;
    ranked_t *v = malloc(n * sizeof *v);
    if (!v) return TPA_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        v[i].f = json_incref(json_array_get(list, i));
        v[i].rank = severity_rank(v[i].f);
        v[i].pos = i;
    }
    qsort(v, n, sizeof *v, cmp_ranked);
    json_array_clear(list);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *f = v[i].f;
        json_t *old = json_object_get(f, "id");
        if (!json_object_get(f, "rule"))
            json_object_set_new(
                f, "rule", json_string(json_is_string(old) ? json_string_value(old) : "unknown"));
        char id[32];
        snprintf(id, sizeof id, "F%zu", i + 1);
        json_object_set_new(f, "id", json_string(id));
        if (json_array_append_new(list, f) < 0) rc = TPA_ERR_NOMEM;
    }
    free(v);
    return rc;
}
