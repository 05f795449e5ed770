/* tpa_sig.c - the engine's side of tpa_sig.h: tpa_sig_report() places a message (frame,
 * time, flow, endpoint pair, node names) and feeds the decoder's signalling state,
 * created on the first report so that a capture without signalling costs nothing;
 * tpa_sig_result() puts that state into the document (tpa_sigstate.h). */
#include "tpa_sig.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_decode_int.h"
#include "tpa_err.h"
#include "tpa_findings.h"
#include "tpa_fmt.h"
#include "tpa_intern.h"
#include "tpa_sctp.h"
#include "tpa_sigstate.h"
#include "tpa_tcp.h"

#define NODE_MAX (INET6_ADDRSTRLEN + 8)

/* "ip:port" ("[ip]:port" for IPv6): the name of a node that shares its address with
 * the flow's other end (nodes on one host, told apart by port). */
static void node_name_port(const tpa_flow_key_t *k, int side, char *buf, size_t len)
{
    tpa_fmt_t f;
    tpa_fmt_init(&f, buf, len);
    if (k->family == 6) tpa_fmt_c(&f, '[');
    tpa_fmt_addr(&f, k->family, k->addr[side]); /* as inet_ntop writes it */
    if (k->family == 6) tpa_fmt_c(&f, ']');
    tpa_fmt_c(&f, ':');
    tpa_fmt_u(&f, k->port[side]);
}

void tpa_sig_report(tpa_dissect_ctx_t *c, const tpa_sig_t *m)
{
    if (!c || !m) return;
    tpa_dissect_message(c, m->protocol, m->code, m->name);
    if (c->quoted) return; /* quoted in an ICMP error: no attempt, no retransmission */
    tpa_decoder_t *d = c->dec;
    if (!d || !c->flow) return;
    if (!d->sig) {
        d->sig = tpa_sigstate_new(NULL);
        if (!d->sig) return;
    }
    tpa_sig_flow_memo_t *memo = tpa_sigstate_flow_memo(d->sig, c->flow_id);
    if (!memo) return;
    const tpa_flow_key_t *k = &c->flow->key;
    if (memo->flow != c->flow_id || memo->key != k) { /* key NULL: empty or unnamed */
        bool same = memcmp(k->addr[0], k->addr[1], sizeof k->addr[0]) == 0;
        char name[NODE_MAX];
        for (int side = 0; side < 2; side++) {
            if (same) {
                node_name_port(k, side, name, sizeof name);
                memo->node[side] = tpa_sigstate_intern(d->sig, name);
            } else { /* the address alone, as other flows named it */
                memo->node[side] = tpa_sigstate_addr_name(d->sig, k->family, k->addr[side]);
            }
        }
        /* the canonical key is the unordered endpoint pair (with protocol and tunnel) */
        uint64_t scope = tpa_hash_bytes(0x7470615f73636f70ULL, k, sizeof *k);
        memo->scope = scope ? scope : 1;
        memo->flow = c->flow_id;
        memo->key = memo->node[0] && memo->node[1] ? k : NULL; /* out of memory: again */
    }
    int s = c->side & 1;
    tpa_sig_where_t w = {c->frame,      c->ts_us,       c->flow_id, memo->scope,
                         memo->node[s], memo->node[!s], true};
    tpa_sigstate_feed(d->sig, &w, m);
}

void tpa_sig_finish(tpa_decoder_t *d)
{
    if (d && d->sig) tpa_sigstate_finish(d->sig);
}

tpa_sigstate_t *tpa_sig_defer_arrays(tpa_decoder_t *d)
{
    if (!d || !d->sig) return NULL;
    tpa_sigstate_defer_arrays(d->sig);
    return d->sig;
}

int tpa_sig_result(tpa_decoder_t *d, json_t *doc, tpa_flow_t *const *flows, size_t nflows,
                   json_t *findings)
{
    tpa_sigstate_t *s = d ? d->sig : NULL;
    int rc = tpa_sigstate_json(s, doc);
    if (rc < 0) return rc;
    tpa_findings_flow_t *facts = NULL;
    size_t n = 0;
    if (nflows) {
        facts = calloc(nflows, sizeof *facts);
        if (!facts) return TPA_ERR_NOMEM;
        for (size_t i = 0; i < nflows; i++) {
            const tpa_flow_t *f = flows[i];
            if (!f) continue;
            tpa_findings_flow_t *x = &facts[n++];
            x->id = f->id;
            x->app = tpa_dissect_app_name(f->app);
            x->packets = f->pkts[0] + f->pkts[1];
            const tpa_tcp_stats_t *ts = tpa_tcp_stats(f);
            if (ts) {
                x->tcp = true;
                x->tcp_retransmissions = ts->retransmissions;
            }
            const tpa_sctp_stats_t *ss = tpa_sctp_stats(f);
            if (ss) x->sctp_aborts = ss->abort;
        }
    }
    if (findings) {
        rc = tpa_findings_add(findings, tpa_sigstate_kpi(s), tpa_sigstate_txn(s), facts, n);
        if (rc == 0) rc = tpa_findings_number(findings);
    }
    free(facts);
    return rc;
}
