/* tpa_result.c - the result document from a finished decoder (see tpa_result.h). */
#include "tpa_result.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "tpa_dissect.h"

#ifndef TPA_VERSION
#define TPA_VERSION "0.0.0"
#endif

#define MAX_FINDING_FRAMES 50

json_t *tpa_result_ts(int64_t us)
{
    return json_real((double)us / 1e6);
}

static const char *proto_name(uint8_t proto, char *buf, size_t len)
{
    switch (proto) {
    case 6:
        return "tcp";
    case 17:
        return "udp";
    case 132:
        return "sctp";
    case 1:
        return "icmp";
    case 58:
        return "icmpv6";
    case 47:
        return "gre";
    case 50:
        return "esp";
    case 2:
        return "igmp";
    case 89:
        return "ospf";
    case 103:
        return "pim";
    case 112:
        return "vrrp";
    default:
        snprintf(buf, len, "ip-%u", proto);
        return buf;
    }
}

static json_t *addr_json(const tpa_flow_key_t *k, int side)
{
    char s[INET6_ADDRSTRLEN];
    if (!inet_ntop(k->family == 6 ? AF_INET6 : AF_INET, k->addr[side], s, sizeof s)) s[0] = '\0';
    return json_string(s);
}

static const char *tunnel_kind(uint16_t k)
{
    switch (k) {
    case 1:
        return "gtp-u";
    case 2:
        return "gre";
    case 3:
        return "vxlan";
    default:
        return "other";
    }
}

static json_t *dir_json(uint64_t pkts, uint64_t bytes)
{
    return json_pack("{s:I,s:I}", "packets", (json_int_t)pkts, "bytes", (json_int_t)bytes);
}

static json_t *flow_json(const tpa_flow_t *f)
{
    int s = f->src_side, t = !s;
    char pb[16];
    const char *app = tpa_dissect_app_name(f->app);
    json_t *o = json_object();
    if (!o) return NULL;
    json_object_set_new(o, "id", json_integer(f->id));
    json_object_set_new(o, "proto", json_string(proto_name(f->key.proto, pb, sizeof pb)));
    json_object_set_new(o, "src", addr_json(&f->key, s));
    json_object_set_new(o, "sport", json_integer(f->key.port[s]));
    json_object_set_new(o, "dst", addr_json(&f->key, t));
    json_object_set_new(o, "dport", json_integer(f->key.port[t]));
    json_object_set_new(o, "packets", json_integer((json_int_t)(f->pkts[0] + f->pkts[1])));
    json_object_set_new(o, "bytes", json_integer((json_int_t)(f->bytes[0] + f->bytes[1])));
    json_object_set_new(o, "first_ts", tpa_result_ts(f->first_us));
    json_object_set_new(o, "last_ts", tpa_result_ts(f->last_us));
    json_object_set_new(o, "a_to_b", dir_json(f->pkts[s], f->bytes[s]));
    json_object_set_new(o, "b_to_a", dir_json(f->pkts[t], f->bytes[t]));
    json_object_set_new(o, "app", app ? json_string(app) : json_null());
    if (f->has_tunnel) {
        json_t *tn = json_object();
        json_object_set_new(tn, "type", json_string(tunnel_kind(f->tunnel_kind)));
        json_object_set_new(tn, "outer_flow", json_integer(f->outer_flow));
        json_object_set_new(tn,
                            f->tunnel_kind == 3 ? "vni" : (f->tunnel_kind == 2 ? "key" : "teid"),
                            json_integer(f->teid));
        if (f->teid_rev && f->tunnel_kind == 1)
            json_object_set_new(tn, "teid_reverse", json_integer(f->teid_rev));
        if (f->has_qfi) json_object_set_new(tn, "qfi", json_integer(f->qfi));
        json_object_set_new(o, "tunnel", tn);
    }
    if (f->key.proto == 6) {
        json_object_set_new(o, "tcp",
                            json_pack("{s:b,s:b,s:b}", "syn", (f->tcp_flags & TPA_TCP_SYN) != 0,
                                      "fin", (f->tcp_flags & TPA_TCP_FIN) != 0, "rst",
                                      (f->tcp_flags & TPA_TCP_RST) != 0));
    } else if (f->key.proto == 132) {
        json_object_set_new(o, "sctp",
                            json_pack("{s:I,s:I}", "data_chunks", (json_int_t)f->sctp_data_chunks,
                                      "ppid", (json_int_t)f->sctp_ppid));
    }
    return o;
}

static json_t *finding(const char *id, const char *sev, const char *title, const char *detail,
                       json_t *frames, json_t *flows)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:{s:o,s:o,s:[]}}", "id", id, "severity", sev, "title",
                     title, "detail", detail, "evidence", "frames", frames ? frames : json_array(),
                     "flows", flows ? flows : json_array(), "transactions");
}

static void add_findings(json_t *list, const tpa_decode_stats_t *st, const tpa_reasm_stats_t *rs,
                         const tpa_result_capture_t *cap)
{
    char detail[512];
    if (cap->truncated) {
        snprintf(detail, sizeof detail,
                 "The capture ends in the middle of a record after %llu complete packets; "
                 "analysis covers those packets only (%s).",
                 (unsigned long long)st->packets,
                 cap->error && cap->error[0] ? cap->error : "read error");
        json_t *fr = json_array();
        json_array_append_new(fr, json_integer((json_int_t)st->packets + 1));
        json_array_append_new(
            list, finding("capture.truncated", "warning", "Capture truncated", detail, fr, NULL));
    }
    if (st->malformed) {
        int top = -1;
        for (int i = 0; i < TPA_MAL_COUNT; i++)
            if (st->reasons[i] && (top < 0 || st->reasons[i] > st->reasons[top])) top = i;
        snprintf(detail, sizeof detail,
                 "%llu of %llu packets are malformed (most frequent: %s, %llu times).",
                 (unsigned long long)st->malformed, (unsigned long long)st->packets,
                 tpa_malformed_name(top), (unsigned long long)(top >= 0 ? st->reasons[top] : 0));
        json_t *fr = json_array();
        for (size_t i = 0; i < st->nevidence && i < MAX_FINDING_FRAMES; i++)
            json_array_append_new(fr, json_integer((json_int_t)st->evidence[i]));
        double share = st->packets ? (double)st->malformed / (double)st->packets : 0;
        json_array_append_new(list, finding("capture.malformed", share > 0.05 ? "warning" : "info",
                                            "Malformed packets", detail, fr, NULL));
    }
    if (rs->dropped_frames) {
        snprintf(detail, sizeof detail,
                 "%llu IP fragment frames (%llu datagrams) were never reassembled (missing "
                 "fragments, timeout or limits); they belong to no flow.",
                 (unsigned long long)rs->dropped_frames, (unsigned long long)rs->dropped);
        json_array_append_new(list, finding("ip.fragments_incomplete", "info",
                                            "Incomplete IP fragments", detail, NULL, NULL));
    }
    if (st->unsupported_link) {
        snprintf(detail, sizeof detail,
                 "%llu frames use a link type the analyzer does not decode; they are counted "
                 "in the capture totals only.",
                 (unsigned long long)st->unsupported_link);
        json_array_append_new(list, finding("capture.unsupported_link_type", "info",
                                            "Unsupported link type", detail, NULL, NULL));
    }
}

static json_t *capture_json(const tpa_decode_stats_t *st, const tpa_reasm_stats_t *rs,
                            const tpa_result_capture_t *cap)
{
    json_t *c = json_object();
    if (!c) return NULL;
    json_object_set_new(c, "file", json_string(cap->file ? cap->file : ""));
    json_object_set_new(c, "format", json_string(cap->format ? cap->format : "pcap"));
    json_object_set_new(c, "compressed", json_boolean(cap->compressed));
    json_t *lt = json_array();
    for (int i = 0; i < cap->nlink_types; i++)
        json_array_append_new(lt, json_string(cap->link_types[i]));
    json_object_set_new(c, "link_types", lt);
    json_object_set_new(c, "packets", json_integer((json_int_t)st->packets));
    json_object_set_new(c, "bytes", json_integer((json_int_t)st->bytes));
    if (st->packets) {
        json_object_set_new(c, "first_ts", tpa_result_ts(st->first_us));
        json_object_set_new(c, "last_ts", tpa_result_ts(st->last_us));
        json_object_set_new(c, "duration_s", json_real((double)(st->last_us - st->first_us) / 1e6));
    } else {
        json_object_set_new(c, "first_ts", json_null());
        json_object_set_new(c, "last_ts", json_null());
        json_object_set_new(c, "duration_s", json_real(0));
    }
    json_object_set_new(c, "truncated", json_boolean(cap->truncated));
    json_object_set_new(c, "malformed", json_integer((json_int_t)st->malformed));
    json_t *mr = json_object();
    for (int i = 0; i < TPA_MAL_COUNT; i++)
        if (st->reasons[i])
            json_object_set_new(mr, tpa_malformed_name(i),
                                json_integer((json_int_t)st->reasons[i]));
    json_object_set_new(c, "malformed_reasons", mr);
    json_object_set_new(c, "snaplen_cut", json_integer((json_int_t)st->snap_cut));
    json_object_set_new(c, "non_ip", json_integer((json_int_t)st->non_ip));
    json_object_set_new(c, "ip_fragments",
                        json_pack("{s:I,s:I,s:I,s:I}", "frames", (json_int_t)st->fragments,
                                  "reassembled", (json_int_t)rs->reassembled,
                                  "unreassembled_frames", (json_int_t)rs->dropped_frames,
                                  "unreassembled_bytes", (json_int_t)rs->dropped_bytes));
    return c;
}

json_t *tpa_result_build(tpa_decoder_t *d, const tpa_result_capture_t *cap)
{
    const tpa_decode_stats_t *st = tpa_decode_stats(d);
    tpa_reasm_stats_t rs;
    tpa_decode_reasm_stats(d, &rs);
    json_t *doc = json_object();
    json_t *flows = json_array();
    json_t *findings = json_array();
    if (!doc || !flows || !findings) goto fail;
    json_object_set_new(doc, "version", json_integer(1));
    json_object_set_new(doc, "tool", json_string("tpa " TPA_VERSION));
    json_object_set_new(doc, "capture", capture_json(st, &rs, cap));
    size_t n = 0;
    tpa_flow_t *const *all = tpa_flow_table_finish(tpa_decode_flows(d), &n);
    for (size_t i = 0; i < n; i++) {
        if (all[i] && json_array_append_new(flows, flow_json(all[i])) < 0) goto fail;
    }
    json_object_set_new(doc, "flows", flows);
    flows = NULL;
    json_object_set_new(doc, "messages", json_array());
    json_object_set_new(doc, "transactions", json_array());
    json_object_set_new(doc, "kpis", json_array());
    json_object_set_new(doc, "ues", json_array());
    add_findings(findings, st, &rs, cap);
    json_object_set_new(doc, "findings", findings);
    findings = NULL;
    json_object_set_new(doc, "insights", json_array());
    json_object_set_new(doc, "rca", json_null());
    return doc;
fail:
    json_decref(findings);
    json_decref(flows);
    json_decref(doc);
    return NULL;
}
