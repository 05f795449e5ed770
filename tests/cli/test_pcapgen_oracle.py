#!/usr/bin/env python3
"""pcapgen_oracle: tpa-pcapgen's summary is the ground truth of the other tests, so
check it against an independent reader: tshark must see the same packets, bytes and
flows (per direction), with valid IP/TCP/UDP checksums, in every format variant."""
import argparse
import collections
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import tpa_testlib as T  # noqa: E402

VARIANTS = [
    ("pcap", []),
    ("pcapng", ["--format", "pcapng"]),
    ("nano-swap-pcapng", ["--format", "pcapng", "--nano", "--swap"]),
    ("swap-pcap", ["--swap"]),
    ("gzip-vlan", ["--gzip", "--vlan"]),
    ("two-interfaces", ["--format", "pcapng", "--interfaces", "2", "--linktype2", "raw"]),
    ("sll", ["--linktype", "sll"]),
    ("snaplen", ["--snaplen", "200"]),
    ("telecom", ["--mix", "telecom"]),
    ("telecom-ng-nano", ["--mix", "telecom", "--format", "pcapng", "--nano", "--vlan"]),
]

FIELDS = ["frame.len", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport",
          "udp.srcport", "udp.dstport", "gtp.teid", "dns.flags.response", "pfcp.msg_type",
          "gtpv2.message_type", "sip.Method", "sip.Status-Code", "_ws.expert.message"]


def tshark_flows(path):
    """Packets, bytes, flows (at every encapsulation level) and messages as tshark sees them."""
    r = subprocess.run(["tshark", "-n", "-r", path, "-o", "tcp.check_checksum:TRUE",
                        "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
                        "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"]
                       + sum([["-e", f] for f in FIELDS], []),
                       capture_output=True, timeout=120)
    if r.returncode != 0:
        raise T.TestFailure("tshark failed on %s: %s" % (path, r.stderr.decode(errors="replace")))
    packets, nbytes = 0, 0
    flows = collections.defaultdict(lambda: {"packets": 0, "bytes": 0, "dirs": collections.Counter()})
    messages = collections.Counter()
    problems = []

    def count(proto, src, sp, dst, dp, length):
        key = T.flow_key(proto, src, sp, dst, dp)
        flows[key]["packets"] += 1
        flows[key]["bytes"] += length
        flows[key]["dirs"][(src, int(sp))] += 1

    for line in r.stdout.decode().splitlines():
        c = [v.split(",") if v else [] for v in (line.split("\t") + [""] * len(FIELDS))[:len(FIELDS)]]
        length = int(c[0][0])
        ip_s, ip_d, ip6_s, ip6_d, tsp, tdp, usp, udp_, teid = c[1:10]
        dns_r, pfcp, gtpv2, sip_m, sip_s, expert = c[10:16]
        packets += 1
        nbytes += length
        for e in expert:
            if "checksum" in e.lower() or "malformed" in e.lower() or "extraneous" in e.lower():
                problems.append("packet %d: %s" % (packets, e))
        if teid:  # GTP-U: outer IPv4/UDP flow, then the inner flow
            count("udp", ip_s[0], usp[0], ip_d[0], udp_[0], length)
            ip_s, ip_d, usp, udp_ = (ip6_s or ip_s[1:]), (ip6_d or ip_d[1:]), usp[1:], udp_[1:]
        else:
            ip_s, ip_d = ip_s or ip6_s, ip_d or ip6_d
        if tsp:
            count("tcp", ip_s[0], tsp[0], ip_d[0], tdp[0], length)
        elif usp:
            count("udp", ip_s[0], usp[0], ip_d[0], udp_[0], length)
        for v in dns_r:
            messages[("dns", "response" if v in ("1", "True") else "query")] += 1
        for v in pfcp:
            messages[("pfcp", v)] += 1
        for v in gtpv2:
            messages[("gtpv2", v)] += 1
        for v in sip_m:
            messages[("sip", v)] += 1
        for v in sip_s:
            messages[("sip", v)] += 1
    return packets, nbytes, flows, messages, problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--src-dir")
    ap.add_argument("--work-dir", required=True)
    a = ap.parse_args()
    if not shutil.which("tshark"):
        T.log("SKIP: tshark not installed (deploy/install-deps --test installs it)")
        return T.SKIP
    work = T.make_workdir(a.work_dir, "pcapgen-")
    T.atexit.register(shutil.rmtree, work, True)
    failures = []
    for name, args in VARIANTS:
        path = os.path.join(work, name + ".cap")
        exp = T.pcapgen(a.bin_dir, path, "--seed", "11", "--flows", "24", *args)
        packets, nbytes, flows, messages, problems = tshark_flows(path)
        diffs = ["%s: %s" % (name, p) for p in problems[:5]]
        if (packets, nbytes) != (exp["packets"], exp["bytes"]):
            diffs.append("%s: tshark %d packets %d bytes, summary %d packets %d bytes"
                         % (name, packets, nbytes, exp["packets"], exp["bytes"]))
        want = {T.flow_key(f["proto"], f["src"], f["sport"], f["dst"], f["dport"]): f for f in exp["flows"]}
        if set(want) != set(flows):
            diffs.append("%s: flows differ: only in summary %s, only in tshark %s"
                         % (name, sorted(set(want) - set(flows))[:3], sorted(set(flows) - set(want))[:3]))
        for k, f in want.items():
            t = flows.get(k)
            if t and (t["packets"], t["bytes"], t["dirs"][(f["src"], f["sport"])]) != (
                    f["packets"], f["bytes"], f["a_to_b"]["packets"]):
                diffs.append("%s: flow %s tshark %s, summary %s" % (name, k, dict(t), f))
        want_msgs = {(m["protocol"], m["code"]): m["count"] for m in exp["messages"]}
        if want_msgs != dict(messages):
            diffs.append("%s: messages: tshark %s, summary %s" % (name, dict(messages), want_msgs))
        T.log("%-18s %s (%d packets, %d flows)" % (name, "FAIL" if diffs else "ok", packets, len(flows)))
        failures += diffs
    # Determinism: same seed, same bytes; another seed, other bytes.
    p1, p2, p3 = (os.path.join(work, n) for n in ("d1.pcap", "d2.pcap", "d3.pcap"))
    T.pcapgen(a.bin_dir, p1, "--seed", "5")
    T.pcapgen(a.bin_dir, p2, "--seed", "5")
    T.pcapgen(a.bin_dir, p3, "--seed", "6")
    same = open(p1, "rb").read() == open(p2, "rb").read()
    other = open(p1, "rb").read() != open(p3, "rb").read()
    if not (same and other):
        failures.append("determinism: same seed identical=%s, other seed different=%s" % (same, other))
    for f in failures:
        T.log("FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    T.run_main(main)
