/* tpa_analyst.c - the built-in analyst (see tpa_analyst.h).
 *
 * How it reasons, in order:
 *  1. Findings of severity warning/critical are grouped by title; each group is a
 *     candidate root cause. A keyword rule table (most specific first) classifies the
 *     group and supplies the recommendation and a next step.
 *  2. Failing KPIs are attached to the group whose text names the procedure (raising
 *     its confidence); a KPI no finding explains becomes a cause of its own.
 *  3. Capture quality (truncated file, malformed packets) becomes a cause when no
 *     finding already covers it.
 *  4. Causes are ranked by severity, then confidence, then first appearance.
 * Info findings never become causes; they only get insights.
 */
#include "tpa_analyst.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_GROUPS 32
#define MAX_CAUSES 6
#define MAX_EVIDENCE 12
#define MAX_FINDING_INSIGHTS 12
#define MAX_FLOW_INSIGHTS 8
#define MAX_BATCH_INSIGHTS 64
#define MAX_NEXT_STEPS 6
#define MAX_FRAMES 10

enum { SEV_NONE = 0, SEV_INFO = 1, SEV_WARNING = 2, SEV_CRITICAL = 3 };

/* ---- JSON readers: absent or mistyped keys read as 0 / NULL / false ---- */

static double jnum(const json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : 0.0;
}

static int64_t jint(const json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (json_is_integer(v)) return (int64_t)json_integer_value(v);
    if (json_is_real(v)) return (int64_t)json_real_value(v);
    return 0;
}

static const char *jstr(const json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool jtrue(const json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_true(v) || (json_is_integer(v) && json_integer_value(v) != 0);
}

/* Text form of an id that may be a string or an integer; NULL if neither. */
static const char *id_text(const json_t *v, char *buf, size_t len)
{
    if (json_is_string(v) && json_string_length(v) > 0) return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return buf;
    }
    return NULL;
}

static int severity_rank(const char *s)
{
    if (!s) return SEV_NONE;
    if (!strcmp(s, "critical")) return SEV_CRITICAL;
    if (!strcmp(s, "warning")) return SEV_WARNING;
    if (!strcmp(s, "info")) return SEV_INFO;
    return SEV_NONE;
}

static const char *severity_word(int rank)
{
    switch (rank) {
    case SEV_CRITICAL:
        return "Critical";
    case SEV_WARNING:
        return "Warning";
    default:
        return "Info";
    }
}

/* Lower-cases src into dst (always terminated). */
static void lower_copy(char *dst, size_t len, const char *src)
{
    size_t i = 0;
    for (; src && src[i] && i + 1 < len; i++)
        dst[i] = (char)tolower((unsigned char)src[i]);
    dst[i] = '\0';
}

/* Appends printf text to buf, truncating quietly. */
static void appendf(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void appendf(char *buf, size_t len, const char *fmt, ...)
{
    size_t used = strlen(buf);
    if (used + 1 >= len) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

/* Appends s to buf as a sentence: a space before, a full stop after unless it has one. */
static void append_sentence(char *buf, size_t len, const char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\n'))
        n--;
    if (!n) return;
    bool stop = s[n - 1] == '.' || s[n - 1] == '!' || s[n - 1] == '?';
    appendf(buf, len, "%s%.*s%s", buf[0] ? " " : "", (int)n, s, stop ? "" : ".");
}

/* "1.2 MB" style sizes (decimal units). */
static void fmt_bytes(char *buf, size_t len, double b)
{
    if (b >= 1e9)
        snprintf(buf, len, "%.1f GB", b / 1e9);
    else if (b >= 1e6)
        snprintf(buf, len, "%.1f MB", b / 1e6);
    else if (b >= 1e3)
        snprintf(buf, len, "%.1f kB", b / 1e3);
    else
        snprintf(buf, len, "%.0f bytes", b);
}

/* "12.5 s", "3.2 min", "5.0 h", "212 days". */
static void fmt_duration(char *buf, size_t len, double s)
{
    if (s < 120.0)
        snprintf(buf, len, "%.1f s", s);
    else if (s < 7200.0)
        snprintf(buf, len, "%.1f min", s / 60.0);
    else if (s < 172800.0)
        snprintf(buf, len, "%.1f h", s / 3600.0);
    else
        snprintf(buf, len, "%.0f days", s / 86400.0);
}

static double round2(double x)
{
    if (x < 0.0) x = 0.0;
    if (x > 1.0) x = 1.0;
    return (double)(int)(x * 100.0 + 0.5) / 100.0;
}

/* ---- the rule table: classifies a finding by keywords in its id, title, detail ---- */

typedef struct rule {
    const char *keys[7]; /* lower-case substrings; any one matches */
    const char *recommendation;
    const char *next_step;
} rule_t;

enum { RULE_TRUNCATED = 0, RULE_MALFORMED = 1, RULE_PFCP_SESSION = 2, RULE_CREATE_SESSION = 3 };

static const rule_t rules[] = {
    [RULE_TRUNCATED] =
        {{"truncat", "cut short", "ends mid"},
         "Treat the results as partial: copy or re-capture the file again (check disk space, "
         "file rotation and that the capture was stopped cleanly).",
         "Obtain a complete copy of the capture and analyse it again."},
    [RULE_MALFORMED] =
        {{"malformed", "invalid length", "length_invalid", "bad length"},
         "Check the capture point: a short snap length, NIC checksum/segmentation offload or a "
         "protocol version the peer does not share all produce malformed packets; re-capture "
         "with snaplen 0 if frames are cut.",
         "Open the malformed frames in Wireshark to see which layer breaks and on which node."},
    [RULE_PFCP_SESSION] =
        {{"pfcp session establishment"},
         "Check the UPF first: is its PFCP (N4) endpoint up and reachable from the SMF on UDP "
         "8805, is the PFCP association established (Association Setup answered), and does the "
         "UPF have resources for new sessions? Then compare the SMF's N4 request timer and "
         "retry count with the UPF's load.",
         "Check the UPF's N4 (PFCP) listener, its logs and its reachability from the SMF at "
         "the time of the unanswered requests."},
    [RULE_CREATE_SESSION] =
        {{"create session"},
         "Check the SGW-C/PGW-C (or SMF+PGW-C) that receives Create Session: is it reachable on "
         "UDP 2123 from the MME/SGW, is it overloaded, and does it reach its own peers (PCRF/PCF, "
         "UPF) in time?",
         "Check the GTPv2-C peer that does not answer Create Session: reachability, load and "
         "its logs."},
    {{"retransmi", "zero window", "duplicate ack", "dup ack", "out of order", "out-of-order",
      "lost segment"},
     "Look for packet loss or congestion on the path: interface errors and drops, queue "
     "overflow, MTU/MSS mismatch, a saturated link or an overloaded receiver.",
     "Check interface counters and drops on the hops between the two endpoints."},
    {{"abort", "sctp", "association", "heartbeat"},
     "Check the SCTP association: configured ports and multihoming addresses, heartbeat "
     "and retransmission timers, and the peer's logs at the time of the ABORT/shutdown.",
     "Compare both ends' SCTP configuration and logs around the time of the event."},
    {{"timeout", "timed out", "unanswered", "no response", "without answer", "no answer", "silent"},
     "Check reachability and load of the node that does not answer (routing, firewall, "
     "overload) and compare the request timers on both sides.",
     "Verify the silent peer is reachable from the requester and not overloaded."},
    {{"reset", "refused", "unreachable", "icmp"},
     "Find which side closes or refuses the connection and why: a closed port, a "
     "firewall, an idle timer or an application crash.",
     "Check the refusing endpoint's listener, firewall rules and application logs."},
    {{"dns", "nxdomain", "servfail", "resolution"},
     "Check the DNS (or NRF) records and the resolver the network functions use.",
     "Query the failing names against the configured resolver."},
    {{"reject", "unsuccessful", "failure", "failed", "error", "cause"},
     "Look up the cause value in the protocol specification and check the configuration "
     "it points to on the rejecting node (subscription, PLMN/TAC, slice/DNN/APN, security "
     "or capacity limits).",
     "Check the rejecting node's configuration and logs for the cause value reported."},
    {{"latency", "slow", "delay", "jitter"},
     "Correlate the latency with the responding node's load and compare the p95/p99 with "
     "the timers configured on the requesting side.",
     "Check CPU and queue load on the responding node at the time of the slow answers."},
    {{"gtp", "teid", "tunnel", "pfcp"},
     "Check tunnel setup: TEIDs/F-TEIDs exchanged in PFCP or GTPv2 sessions and the user "
     "plane path (N3/S1-U/N9).",
     "Compare the TEIDs signalled in the session messages with the tunnels seen on the user "
     "plane."},
};
#define NRULES (sizeof rules / sizeof rules[0])

static const char *default_recommendation =
    "Open the evidence frames and flows in Wireshark and check the node that produced them.";

static int classify(const char *lower_text)
{
    for (size_t r = 0; r < NRULES; r++)
        for (size_t k = 0; k < 7 && rules[r].keys[k]; k++)
            if (strstr(lower_text, rules[r].keys[k])) return (int)r;
    return -1;
}

/* ---- context built once from the digest ---- */

typedef struct cause {
    char title[200];
    char explanation[1200];
    int rule; /* index into rules, -1 for none */
    int severity;
    int count; /* findings grouped here */
    int order; /* first appearance, for a stable sort */
    double confidence;
    json_t *evidence; /* array of strings, owned */
    json_t *frames;   /* array of frame numbers, owned */
} cause_t;

typedef struct ctx {
    const json_t *digest;
    const json_t *capture;
    const json_t *flows;    /* top_flows array or NULL */
    const json_t *findings; /* array or NULL */
    const json_t *kpis;     /* array or NULL */
    int64_t packets, bytes, flows_total, malformed;
    double duration;
    bool truncated;
    cause_t causes[MAX_GROUPS];
    int ncauses;
    int nfind[4]; /* findings by severity rank */
} ctx_t;

static bool flow_in_digest(const ctx_t *c, json_int_t id)
{
    size_t i;
    json_t *f;
    json_array_foreach(c->flows, i, f)
    {
        json_t *v = json_object_get(f, "id");
        if (json_is_integer(v) && json_integer_value(v) == id) return true;
    }
    return false;
}

/* Adds id to arr (an array of strings) unless present or arr is full. */
static void add_unique(json_t *arr, const char *id, size_t cap)
{
    size_t i;
    json_t *v;
    if (json_array_size(arr) >= cap) return;
    json_array_foreach(arr, i, v) if (!strcmp(json_string_value(v), id)) return;
    json_array_append_new(arr, json_string(id));
}

/* A label for a flow's application: its app, else proto/port. */
static void flow_label(const json_t *f, char *buf, size_t len)
{
    const char *app = jstr(f, "app");
    if (app && *app) {
        snprintf(buf, len, "%s", app);
        return;
    }
    const char *proto = jstr(f, "proto");
    int64_t sp = jint(f, "sport"), dp = jint(f, "dport");
    int64_t port = (sp && (sp < dp || !dp)) ? sp : dp;
    if (port)
        snprintf(buf, len, "%s/%" PRId64, proto ? proto : "ip", port);
    else
        snprintf(buf, len, "%s", proto ? proto : "ip");
}

static void flow_text(const json_t *f, char *buf, size_t len)
{
    const char *proto = jstr(f, "proto"), *src = jstr(f, "src"), *dst = jstr(f, "dst");
    char label[64];
    flow_label(f, label, sizeof label);
    snprintf(buf, len, "%s %s:%" PRId64 " -> %s:%" PRId64 " (%s)", proto ? proto : "ip",
             src ? src : "?", jint(f, "sport"), dst ? dst : "?", jint(f, "dport"), label);
}

static cause_t *cause_add(ctx_t *c, const char *title, int rule, int severity)
{
    if (c->ncauses >= MAX_GROUPS) return NULL;
    cause_t *k = &c->causes[c->ncauses];
    memset(k, 0, sizeof *k);
    snprintf(k->title, sizeof k->title, "%s", title);
    k->rule = rule;
    k->severity = severity;
    k->order = c->ncauses;
    k->evidence = json_array();
    k->frames = json_array();
    if (!k->evidence || !k->frames) {
        json_decref(k->evidence);
        json_decref(k->frames);
        return NULL;
    }
    c->ncauses++;
    return k;
}

static cause_t *cause_find_title(ctx_t *c, const char *title)
{
    for (int i = 0; i < c->ncauses; i++)
        if (!strcmp(c->causes[i].title, title)) return &c->causes[i];
    return NULL;
}

static cause_t *cause_find_rule(ctx_t *c, int rule)
{
    for (int i = 0; i < c->ncauses; i++)
        if (c->causes[i].rule == rule) return &c->causes[i];
    return NULL;
}

/* Adds a finding's flows (those in the digest) and frames to a cause. */
static void cause_add_finding_evidence(ctx_t *c, cause_t *k, const json_t *finding)
{
    const json_t *ev = json_object_get(finding, "evidence");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(ev, "flows"), i, v)
    {
        if (!json_is_integer(v) || !flow_in_digest(c, json_integer_value(v))) continue;
        char id[48];
        snprintf(id, sizeof id, "flow:%" JSON_INTEGER_FORMAT, json_integer_value(v));
        add_unique(k->evidence, id, MAX_EVIDENCE);
    }
    json_array_foreach(json_object_get(ev, "frames"), i,
                       v) if (json_is_integer(v) && json_array_size(k->frames) < MAX_FRAMES)
        json_array_append(k->frames, v);
}

/* Counts the UEs of the digest whose story has a step naming `procedure` that did not
 * succeed (unanswered, failure, rejected). */
static int ues_failing(const ctx_t *c, const char *procedure)
{
    int n = 0;
    size_t i, j;
    json_t *u, *st;
    json_array_foreach(json_object_get(c->digest, "ues"), i, u)
    {
        json_array_foreach(json_object_get(u, "ladder"), j, st)
        {
            const char *name = jstr(st, "name"), *outcome = jstr(st, "outcome");
            if (name && strstr(name, procedure) && outcome && strcmp(outcome, "success")) {
                n++;
                break;
            }
        }
    }
    return n;
}

/* Step 1b: session set-up procedures that fail explain failed sessions. A PDU session
 * (TS 23.502 4.3.2) cannot complete unless the SMF creates its session in the UPF over N4
 * (PFCP Session Establishment, TS 29.244 7.5.2); a PDN connection (TS 23.401 5.10.2)
 * needs GTPv2 Create Session answered (TS 29.274 7.2.1). Such a cause becomes the most
 * likely root cause, named after the sessions that fail. */
static void session_setup(ctx_t *c)
{
    for (int n = 0; n < c->ncauses; n++) {
        cause_t *k = &c->causes[n];
        if (k->rule != RULE_PFCP_SESSION && k->rule != RULE_CREATE_SESSION) continue;
        char lower[sizeof k->title + sizeof k->explanation];
        snprintf(lower, sizeof lower, "%s %s", k->title, k->explanation);
        lower_copy(lower, sizeof lower, lower);
        if (!strstr(lower, "unanswered") && !strstr(lower, "no response") &&
            !strstr(lower, "fail") && !strstr(lower, "reject") && !strstr(lower, "timeout"))
            continue;
        bool pfcp = k->rule == RULE_PFCP_SESSION;
        bool silent =
            strstr(lower, "unanswered") || strstr(lower, "no response") || strstr(lower, "timeout");
        char expl[sizeof k->explanation];
        snprintf(expl, sizeof expl, "%s", k->explanation);
        snprintf(k->title, sizeof k->title, "%s fail: %s",
                 pfcp ? "PDU sessions" : "PDN connections",
                 pfcp ? (silent ? "the UPF does not answer PFCP Session Establishment"
                                : "the UPF rejects PFCP Session Establishment")
                      : (silent ? "the gateway does not answer GTPv2 Create Session"
                                : "the gateway rejects GTPv2 Create Session"));
        snprintf(k->explanation, sizeof k->explanation, "%s %.900s",
                 pfcp ? "A PDU session can only be established once the SMF has created its "
                        "session in the UPF over N4 (PFCP Session Establishment, TS 29.244 "
                        "7.5.2)."
                      : "A PDN connection (attach or additional PDN) can only be established "
                        "once Create Session is answered (TS 29.274 7.2.1).",
                 expl);
        int ues = ues_failing(c, pfcp ? "Session Establishment" : "Create Session");
        if (ues > 0)
            appendf(k->explanation, sizeof k->explanation, " %d UE%s in this capture %s affected.",
                    ues, ues == 1 ? "" : "s", ues == 1 ? "is" : "are");
        k->severity = SEV_CRITICAL;
        k->confidence = 0.92; /* above every other critical cause; a KPI adds 0.05 */
    }
}

/* Step 1: group warning/critical findings by title. */
static void group_findings(ctx_t *c)
{
    size_t i;
    json_t *f;
    json_array_foreach(c->findings, i, f)
    {
        int sev = severity_rank(jstr(f, "severity"));
        c->nfind[sev]++;
        if (sev < SEV_WARNING) continue;
        char idbuf[32], lower[1024];
        const char *id = id_text(json_object_get(f, "id"), idbuf, sizeof idbuf);
        const char *title = jstr(f, "title");
        const char *detail = jstr(f, "detail");
        if (!title || !*title) title = id ? id : "Unnamed finding";
        char text[1024];
        snprintf(text, sizeof text, "%s %s %s", id ? id : "", title, detail ? detail : "");
        lower_copy(lower, sizeof lower, text);

        cause_t *k = cause_find_title(c, title);
        if (!k) {
            k = cause_add(c, title, classify(lower), sev);
            if (!k) continue;
            append_sentence(k->explanation, sizeof k->explanation,
                            detail && *detail ? detail : title);
        }
        if (sev > k->severity) k->severity = sev;
        k->count++;
        if (id) add_unique(k->evidence, id, MAX_EVIDENCE);
        cause_add_finding_evidence(c, k, f);
    }
    for (int n = 0; n < c->ncauses; n++) {
        cause_t *k = &c->causes[n];
        int extra = k->count > 3 ? 2 : k->count - 1;
        if (k->count > 1)
            appendf(k->explanation, sizeof k->explanation, " Seen in %d findings.", k->count);
        k->confidence = (k->severity == SEV_CRITICAL ? 0.80 : 0.55) + 0.05 * extra;
        /* With critical causes present, warnings may well be their symptoms. */
        if (k->severity == SEV_WARNING && c->nfind[SEV_CRITICAL] > 0) k->confidence -= 0.10;
    }
}

/* ---- KPIs: field names are read defensively (procedure/name, failures as a number,
 * a {cause:count} object or an array of {cause,count}) ---- */

typedef struct kpi {
    const char *name;
    const char *protocol;
    int64_t attempts, failures, unanswered;
    char top_cause[96];
} kpi_t;

static void kpi_read(const json_t *k, kpi_t *out)
{
    memset(out, 0, sizeof *out);
    out->name = jstr(k, "procedure");
    if (!out->name) out->name = jstr(k, "name");
    if (!out->name) out->name = jstr(k, "kpi");
    out->protocol = jstr(k, "protocol");
    out->attempts = jint(k, "attempts");
    out->unanswered = jint(k, "unanswered");
    json_t *fl = json_object_get(k, "failures");
    if (!fl) fl = json_object_get(k, "failures_by_cause");
    int64_t best = 0;
    if (json_is_number(fl)) {
        out->failures = jint(k, "failures");
    } else if (json_is_object(fl)) {
        const char *cause;
        json_t *v;
        json_object_foreach(fl, cause, v)
        {
            int64_t n = json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
            out->failures += n;
            if (n > best) {
                best = n;
                snprintf(out->top_cause, sizeof out->top_cause, "%s", cause);
            }
        }
    } else if (json_is_array(fl)) {
        size_t i;
        json_t *v;
        json_array_foreach(fl, i, v)
        {
            int64_t n = jint(v, "count");
            const char *cause = jstr(v, "cause");
            char cbuf[32];
            if (!cause) cause = id_text(json_object_get(v, "cause"), cbuf, sizeof cbuf);
            out->failures += n;
            if (n > best && cause) {
                best = n;
                snprintf(out->top_cause, sizeof out->top_cause, "%s", cause);
            }
        }
    }
    if (!out->failures && json_object_get(k, "successes") && out->attempts)
        out->failures = out->attempts - jint(k, "successes") - out->unanswered;
    if (out->failures < 0) out->failures = 0;
}

static void kpi_text(const kpi_t *k, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s: ", k->protocol ? k->protocol : "", k->protocol ? " " : "", k->name);
    if (k->attempts)
        appendf(buf, len, "%" PRId64 " of %" PRId64 " attempts failed", k->failures, k->attempts);
    else
        appendf(buf, len, "%" PRId64 " failures", k->failures);
    if (k->top_cause[0]) appendf(buf, len, " (most common cause: %s)", k->top_cause);
    if (k->unanswered) appendf(buf, len, ", %" PRId64 " unanswered", k->unanswered);
}

/* Step 2: attach failing KPIs to the cause that names them, or add a cause. */
static void attach_kpis(ctx_t *c)
{
    size_t i;
    json_t *kj;
    json_array_foreach(c->kpis, i, kj)
    {
        kpi_t k;
        kpi_read(kj, &k);
        if (!k.name || (!k.failures && !k.unanswered)) continue;
        char text[300], lname[96];
        kpi_text(&k, text, sizeof text);
        lower_copy(lname, sizeof lname, k.name);
        cause_t *hit = NULL;
        for (int n = 0; n < c->ncauses && strlen(lname) >= 3; n++) {
            char lt[1400];
            snprintf(lt, sizeof lt, "%s %s", c->causes[n].title, c->causes[n].explanation);
            lower_copy(lt, sizeof lt, lt);
            if (strstr(lt, lname)) {
                hit = &c->causes[n];
                break;
            }
        }
        if (hit) {
            appendf(hit->explanation, sizeof hit->explanation, " KPI: %s.", text);
            hit->confidence += 0.05;
            continue;
        }
        double ratio = k.attempts ? (double)(k.failures + k.unanswered) / (double)k.attempts : 1.0;
        char title[200];
        snprintf(title, sizeof title, "%s%s%s procedure failures", k.protocol ? k.protocol : "",
                 k.protocol ? " " : "", k.name);
        char lower[400];
        snprintf(lower, sizeof lower, "%s %s", text,
                 k.unanswered && !k.failures ? "unanswered" : "failure");
        lower_copy(lower, sizeof lower, lower);
        cause_t *nc =
            cause_add(c, title, classify(lower), ratio >= 0.5 ? SEV_CRITICAL : SEV_WARNING);
        if (!nc) continue;
        snprintf(nc->explanation, sizeof nc->explanation, "%s.", text);
        nc->count = 1;
        nc->confidence = 0.45 + 0.35 * (ratio > 1.0 ? 1.0 : ratio);
        /* Evidence: the biggest digest flows of the KPI's protocol. */
        size_t j;
        json_t *f;
        int added = 0;
        json_array_foreach(c->flows, j, f)
        {
            const char *app = jstr(f, "app");
            json_t *id = json_object_get(f, "id");
            if (added >= 3 || !k.protocol || !app || strcasecmp(app, k.protocol) ||
                !json_is_integer(id))
                continue;
            char eid[48];
            snprintf(eid, sizeof eid, "flow:%" JSON_INTEGER_FORMAT, json_integer_value(id));
            add_unique(nc->evidence, eid, MAX_EVIDENCE);
            added++;
        }
    }
}

/* Cites, in a synthesized cause, every finding (of any severity) its rule matches. */
static void cite_rule_findings(ctx_t *c, cause_t *k)
{
    size_t i;
    json_t *f;
    json_array_foreach(c->findings, i, f)
    {
        char idbuf[32], text[1024], lower[1024];
        const char *id = id_text(json_object_get(f, "id"), idbuf, sizeof idbuf);
        const char *title = jstr(f, "title"), *detail = jstr(f, "detail");
        if (!id) continue;
        snprintf(text, sizeof text, "%s %s %s", id, title ? title : "", detail ? detail : "");
        lower_copy(lower, sizeof lower, text);
        if (classify(lower) != k->rule) continue;
        add_unique(k->evidence, id, MAX_EVIDENCE);
        cause_add_finding_evidence(c, k, f);
    }
}

/* Step 3: capture quality. Causes built from findings keep the finding's wording; the
 * analyst adds what the reader should conclude from it. */
static void capture_quality(ctx_t *c)
{
    char b1[32], counted[64];
    fmt_bytes(b1, sizeof b1, (double)c->bytes);
    if (c->truncated) {
        cause_t *k = cause_find_rule(c, RULE_TRUNCATED);
        if (!k && (k = cause_add(c, "Capture file is truncated", RULE_TRUNCATED, SEV_WARNING))) {
            k->count = 1;
            snprintf(k->explanation, sizeof k->explanation,
                     "The file ends in the middle of a packet record; only the %" PRId64
                     " packets (%s) before the cut were analysed.",
                     c->packets, b1);
            cite_rule_findings(c, k);
        }
        snprintf(counted, sizeof counted, "%" PRId64, c->packets);
        if (k && !strstr(k->explanation, counted))
            appendf(k->explanation, sizeof k->explanation,
                    " Only the %" PRId64 " packets (%s) before the cut were analysed.", c->packets,
                    b1);
        if (k) {
            appendf(k->explanation, sizeof k->explanation,
                    " Procedures still in progress at the cut look unanswered: do not read "
                    "them as failures.");
            k->confidence = 0.90;
        }
    }
    /* A few malformed packets (under 1%) are noise unless a warning finding says
     * otherwise; the summary still mentions them. */
    double ratio = c->packets ? (double)c->malformed / (double)c->packets : 1.0;
    cause_t *k = cause_find_rule(c, RULE_MALFORMED);
    if (c->malformed > 0 && !k && ratio >= 0.01 &&
        (k = cause_add(c, "Malformed packets", RULE_MALFORMED, SEV_WARNING))) {
        k->count = 1;
        k->confidence = 0.45 + (ratio * 3 > 0.35 ? 0.35 : ratio * 3);
        cite_rule_findings(c, k);
    }
    snprintf(counted, sizeof counted, "%" PRId64 " of %" PRId64, c->malformed, c->packets);
    if (k && c->malformed > 0 && !strstr(k->explanation, counted))
        appendf(k->explanation, sizeof k->explanation, " %s packets (%.2f%%) are malformed.",
                counted, 100.0 * ratio);
}

static int cause_cmp(const void *a, const void *b)
{
    const cause_t *x = a, *y = b;
    if (x->severity != y->severity) return y->severity - x->severity;
    if (x->confidence != y->confidence) return x->confidence < y->confidence ? 1 : -1;
    return x->order - y->order;
}

/* ---- output ---- */

static void dominant_app(const ctx_t *c, char *buf, size_t len)
{
    /* By bytes among the top flows; flow counts from "apps" when it names the label. */
    char best[64] = "", label[64];
    double best_bytes = -1;
    size_t i, j;
    json_t *f, *g;
    json_array_foreach(c->flows, i, f)
    {
        flow_label(f, label, sizeof label);
        double sum = 0;
        bool seen = false;
        json_array_foreach(c->flows, j, g)
        {
            char l2[64];
            flow_label(g, l2, sizeof l2);
            if (!strcmp(label, l2)) {
                if (j < i) {
                    seen = true;
                    break;
                }
                sum += jnum(g, "bytes");
            }
        }
        if (!seen && sum > best_bytes) {
            best_bytes = sum;
            snprintf(best, sizeof best, "%s", label);
        }
    }
    if (!best[0]) {
        /* No flows in the digest: fall back to the app with the most flows. */
        const char *app;
        json_t *v;
        int64_t most = 0;
        json_object_foreach(json_object_get(c->digest, "apps"), app, v)
        {
            if (json_is_integer(v) && json_integer_value(v) > most) {
                most = json_integer_value(v);
                snprintf(best, sizeof best, "%s", app);
            }
        }
        if (!best[0]) {
            buf[0] = '\0';
            return;
        }
        snprintf(buf, len, "traffic is dominated by %s (%" PRId64 " of %" PRId64 " flows)", best,
                 most, c->flows_total);
        return;
    }
    double share = c->bytes > 0 ? 100.0 * best_bytes / (double)c->bytes : 100.0;
    json_t *apps_n = json_object_get(json_object_get(c->digest, "apps"), best);
    bool most_flows = json_is_integer(apps_n) && c->flows_total > 0 &&
                      2 * json_integer_value(apps_n) > c->flows_total;
    if (share >= 50.0 || most_flows)
        snprintf(buf, len, "traffic is dominated by %s", best);
    else
        snprintf(buf, len, "the largest share of traffic is %s", best);
    json_t *nf = json_object_get(json_object_get(c->digest, "apps"), best);
    bool paren = false;
    if (json_is_integer(nf) && c->flows_total > 0) {
        appendf(buf, len, " (%" JSON_INTEGER_FORMAT " of %" PRId64 " flows", json_integer_value(nf),
                c->flows_total);
        paren = true;
    }
    if (c->bytes > 0 && best_bytes > 0) {
        if (share >= 99.5)
            appendf(buf, len, "%sall of the bytes", paren ? ", " : " (");
        else
            appendf(buf, len, "%sat least %.0f%% of the bytes", paren ? ", " : " (", share);
        paren = true;
    }
    if (paren) appendf(buf, len, ")");
    /* Tunnels carry the bytes of the flows inside them: also name the app most flows use. */
    const char *app, *many = NULL;
    json_t *v;
    json_int_t most = 0;
    json_object_foreach(json_object_get(c->digest, "apps"), app, v)
    {
        if (json_is_integer(v) && json_integer_value(v) > most) {
            most = json_integer_value(v);
            many = app;
        }
    }
    if (many && strcmp(many, best) && c->flows_total > 0 && 4 * most >= c->flows_total)
        appendf(buf, len, "; most flows are %s (%" JSON_INTEGER_FORMAT " of %" PRId64 ")", many,
                most, c->flows_total);
}

static void malformed_note(const ctx_t *c, int ncauses, char *buf, size_t len)
{
    if (c->malformed <= 0) return;
    for (int i = 0; i < ncauses; i++)
        if (c->causes[i].rule == RULE_MALFORMED) return;
    appendf(buf, len, " %" PRId64 " malformed packet%s (%.3f%%) could not be fully decoded.",
            c->malformed, c->malformed == 1 ? "" : "s",
            c->packets ? 100.0 * (double)c->malformed / (double)c->packets : 100.0);
}

static void summary_text(const ctx_t *c, const cause_t *top, int ncauses, char *buf, size_t len)
{
    char dom[200];
    dominant_app(c, dom, sizeof dom);
    if (c->packets == 0) {
        snprintf(buf, len, "The capture contains no packets, so there is nothing to analyse.");
        if (c->truncated)
            appendf(buf, len, " The file is truncated before its first complete packet.");
        return;
    }
    char scope[160];
    char dur[32];
    fmt_duration(dur, sizeof dur, c->duration);
    snprintf(scope, sizeof scope, "%" PRId64 " packet%s / %" PRId64 " flow%s over %s", c->packets,
             c->packets == 1 ? "" : "s", c->flows_total, c->flows_total == 1 ? "" : "s", dur);
    if (!top) {
        snprintf(buf, len, "No failures found in %s", scope);
        if (dom[0]) appendf(buf, len, "; %s", dom);
        appendf(buf, len, ".");
        if (c->nfind[SEV_INFO])
            appendf(buf, len, " %d informational finding%s, none pointing at a fault.",
                    c->nfind[SEV_INFO], c->nfind[SEV_INFO] == 1 ? "" : "s");
        malformed_note(c, ncauses, buf, len);
        return;
    }
    int crit = c->nfind[SEV_CRITICAL], warn = c->nfind[SEV_WARNING];
    if (crit || warn) {
        snprintf(buf, len, "Found ");
        if (crit) appendf(buf, len, "%d critical", crit);
        if (crit && warn) appendf(buf, len, " and ");
        if (warn) appendf(buf, len, "%d warning", warn);
        appendf(buf, len, " finding%s in %s.", crit + warn == 1 ? "" : "s", scope);
    } else {
        snprintf(buf, len, "Analysed %s.", scope);
    }
    appendf(buf, len, " Most likely root cause: %s (confidence %.0f%%).", top->title,
            100.0 * round2(top->confidence));
    if (c->truncated && top->rule != RULE_TRUNCATED)
        appendf(buf, len,
                " The capture is truncated, so only the packets before the cut were analysed.");
    for (int i = 1; i < ncauses && i < 3; i++)
        appendf(buf, len, "%s%s", i == 1 ? " Also: " : "; ", c->causes[i].title);
    if (ncauses > 1) appendf(buf, len, ".");
    malformed_note(c, ncauses, buf, len);
}

static void add_step(json_t *steps, const char *s)
{
    size_t i;
    json_t *v;
    if (json_array_size(steps) >= MAX_NEXT_STEPS) return;
    json_array_foreach(steps, i, v) if (!strcmp(json_string_value(v), s)) return;
    json_array_append_new(steps, json_string(s));
}

static json_t *build_rca(ctx_t *c)
{
    qsort(c->causes, (size_t)c->ncauses, sizeof c->causes[0], cause_cmp);
    int ncauses = c->ncauses < MAX_CAUSES ? c->ncauses : MAX_CAUSES;
    const cause_t *top = ncauses ? &c->causes[0] : NULL;

    json_t *rca, *causes = json_array(), *steps = json_array();
    if (!causes || !steps) goto fail;
    char summary[1200];
    summary_text(c, top, ncauses, summary, sizeof summary);
    json_t *frames = json_array();
    if (!frames) goto fail;
    for (int i = 0; i < ncauses; i++) {
        cause_t *k = &c->causes[i];
        json_t *o = json_pack(
            "{s:s, s:f, s:s, s:O, s:s}", "title", k->title, "confidence", round2(k->confidence),
            "explanation", k->explanation, "evidence", k->evidence, "recommendation",
            k->rule >= 0 ? rules[k->rule].recommendation : default_recommendation);
        if (!o || json_array_append_new(causes, o)) goto fail_frames;
        if (k->rule >= 0) add_step(steps, rules[k->rule].next_step);
        size_t j;
        json_t *fr;
        json_array_foreach(k->frames, j, fr) if (json_array_size(frames) < MAX_FRAMES)
            json_array_append(frames, fr);
    }
    if (json_array_size(frames) > 0) {
        char s[400], filt[200] = "frame.number in {";
        snprintf(s, sizeof s, "Open frame%s ", json_array_size(frames) == 1 ? "" : "s");
        size_t j;
        json_t *fr;
        json_array_foreach(frames, j, fr)
        {
            appendf(s, sizeof s, "%s%" JSON_INTEGER_FORMAT, j ? ", " : "", json_integer_value(fr));
            appendf(filt, sizeof filt, "%s%" JSON_INTEGER_FORMAT, j ? " " : "",
                    json_integer_value(fr));
        }
        appendf(s, sizeof s, " in Wireshark (display filter: %s}).", filt);
        add_step(steps, s);
    }
    json_decref(frames);
    if (top && json_array_size(steps) == 0)
        add_step(steps, "Look at the findings above in the web UI or Wireshark and check the node "
                        "that produced them at that time.");
    if (!top) {
        add_step(steps, "Nothing to fix in this capture. If a problem was reported, check that the "
                        "capture covers the right interface and time window.");
    }
    /* "o" steals causes and steps, also on failure. */
    rca = json_pack("{s:s, s:o, s:o, s:s}", "summary", summary, "root_causes", causes, "next_steps",
                    steps, "source", "builtin");
    return rca;
fail_frames:
    json_decref(frames);
fail:
    json_decref(causes);
    json_decref(steps);
    return NULL;
}

static int add_insight(json_t *insights, const char *target, const char *text)
{
    json_t *o = json_pack("{s:s, s:s, s:s}", "target", target, "text", text, "source", "builtin");
    return o ? json_array_append_new(insights, o) : -1;
}

static int finding_insights(const ctx_t *c, json_t *insights)
{
    int done = 0;
    for (int sev = SEV_CRITICAL; sev >= SEV_INFO; sev--) {
        size_t i;
        json_t *f;
        json_array_foreach(c->findings, i, f)
        {
            if (done >= MAX_FINDING_INSIGHTS || severity_rank(jstr(f, "severity")) != sev) continue;
            char idbuf[32], target[96], text[1200], lower[1024];
            const char *id = id_text(json_object_get(f, "id"), idbuf, sizeof idbuf);
            if (!id) continue;
            const char *title = jstr(f, "title"), *detail = jstr(f, "detail");
            snprintf(target, sizeof target, "finding:%s", id);
            snprintf(text, sizeof text, "%s:", severity_word(sev));
            append_sentence(text, sizeof text, title ? title : id);
            if (detail && *detail) append_sentence(text, sizeof text, detail);
            const json_t *ev = json_object_get(f, "evidence");
            size_t nfr = json_array_size(json_object_get(ev, "frames"));
            size_t nfl = json_array_size(json_object_get(ev, "flows"));
            if (nfr || nfl)
                appendf(text, sizeof text, " Evidence: %zu frame%s, %zu flow%s.", nfr,
                        nfr == 1 ? "" : "s", nfl, nfl == 1 ? "" : "s");
            if (sev >= SEV_WARNING) {
                char all[1024];
                snprintf(all, sizeof all, "%s %s %s", id, title ? title : "", detail ? detail : "");
                lower_copy(lower, sizeof lower, all);
                int r = classify(lower);
                appendf(text, sizeof text, " %s",
                        r >= 0 ? rules[r].recommendation : default_recommendation);
            }
            if (add_insight(insights, target, text)) return -1;
            done++;
        }
    }
    return 0;
}

/* "id (severity), ..." of the findings that cite flow id, into buf. */
static void findings_for_flow(const ctx_t *c, json_int_t id, char *buf, size_t len)
{
    size_t i, j;
    json_t *f, *v;
    buf[0] = '\0';
    json_array_foreach(c->findings, i, f)
    {
        json_array_foreach(json_object_get(json_object_get(f, "evidence"), "flows"), j, v)
        {
            if (!json_is_integer(v) || json_integer_value(v) != id) continue;
            char idbuf[32];
            const char *fid = id_text(json_object_get(f, "id"), idbuf, sizeof idbuf);
            int sev = severity_rank(jstr(f, "severity"));
            if (fid)
                appendf(buf, len, "%s%s (%s)", buf[0] ? ", " : "", fid,
                        sev >= SEV_INFO ? jstr(f, "severity") : "unrated");
            break;
        }
    }
}

static int flow_insights(const ctx_t *c, json_t *insights, size_t cap)
{
    size_t i;
    json_t *f;
    json_array_foreach(c->flows, i, f)
    {
        json_t *idv = json_object_get(f, "id");
        if (i >= cap) break;
        if (!json_is_integer(idv)) continue;
        json_int_t id = json_integer_value(idv);
        char target[48], text[800], desc[300], b[32], refs[400];
        snprintf(target, sizeof target, "flow:%" JSON_INTEGER_FORMAT, id);
        flow_text(f, desc, sizeof desc);
        fmt_bytes(b, sizeof b, jnum(f, "bytes"));
        snprintf(text, sizeof text, "%s%s: %" PRId64 " packets, %s", i == 0 ? "Largest flow, " : "",
                 desc, jint(f, "packets"), b);
        if (c->bytes > 0)
            appendf(text, sizeof text, " (%.1f%% of the capture's bytes)",
                    100.0 * jnum(f, "bytes") / (double)c->bytes);
        appendf(text, sizeof text, ".");
        findings_for_flow(c, id, refs, sizeof refs);
        if (refs[0])
            appendf(text, sizeof text, " Cited by finding%s %s.", strchr(refs, ',') ? "s" : "",
                    refs);
        else
            appendf(text, sizeof text, " No finding involves this flow.");
        if (add_insight(insights, target, text)) return -1;
    }
    return 0;
}

json_t *tpa_analyst_run(const json_t *digest, int mode)
{
    ctx_t *c = calloc(1, sizeof *c);
    json_t *out = NULL, *insights = NULL, *rca = NULL;
    if (!c) return NULL;
    c->digest = digest;
    c->capture = json_object_get(digest, "capture");
    c->flows = json_is_array(json_object_get(digest, "top_flows"))
                   ? json_object_get(digest, "top_flows")
                   : json_object_get(digest, "flows");
    if (!json_is_array(c->flows)) c->flows = NULL;
    c->findings = json_is_array(json_object_get(digest, "findings"))
                      ? json_object_get(digest, "findings")
                      : NULL;
    c->kpis =
        json_is_array(json_object_get(digest, "kpis")) ? json_object_get(digest, "kpis") : NULL;
    c->packets = jint(c->capture, "packets");
    c->bytes = jint(c->capture, "bytes");
    c->duration = jnum(c->capture, "duration_s");
    c->truncated = jtrue(c->capture, "truncated");
    c->malformed = jint(c->capture, "malformed");
    c->flows_total = jint(digest, "flows_total");
    if (!c->flows_total) c->flows_total = (int64_t)json_array_size(c->flows);

    insights = json_array();
    if (!insights) goto done;
    if (mode == TPA_ANALYST_FLOWS) {
        if (flow_insights(c, insights, MAX_BATCH_INSIGHTS)) goto done;
        rca = json_null();
    } else {
        group_findings(c);
        session_setup(c);
        attach_kpis(c);
        capture_quality(c);
        if (finding_insights(c, insights) || flow_insights(c, insights, MAX_FLOW_INSIGHTS))
            goto done;
        rca = build_rca(c);
        if (!rca) goto done;
    }
    out = json_pack("{s:o, s:o}", "insights", insights, "rca", rca);
    insights = rca = NULL; /* json_pack "o" steals the references, even on failure */
done:
    json_decref(insights);
    json_decref(rca);
    for (int i = 0; i < c->ncauses; i++) {
        json_decref(c->causes[i].evidence);
        json_decref(c->causes[i].frames);
    }
    free(c);
    return out;
}
