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
    ("snaplen", ["--snaplen", "80"]),
]

FIELDS = ["frame.len", "ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "tcp.srcport", "tcp.dstport",
          "udp.srcport", "udp.dstport", "_ws.expert.message"]


def tshark_flows(path):
    r = subprocess.run(["tshark", "-n", "-r", path, "-o", "tcp.check_checksum:TRUE",
                        "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
                        "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"]
                       + sum([["-e", f] for f in FIELDS], []),
                       capture_output=True, timeout=120)
    if r.returncode != 0:
        raise T.TestFailure("tshark failed on %s: %s" % (path, r.stderr.decode(errors="replace")))
    packets, nbytes = 0, 0
    flows = collections.defaultdict(lambda: {"packets": 0, "bytes": 0, "dirs": collections.Counter()})
    problems = []
    for line in r.stdout.decode().splitlines():
        c = (line.split("\t") + [""] * len(FIELDS))[:len(FIELDS)]
        length, s4, s6, d4, d6, ts, td, us, ud, expert = c
        packets += 1
        nbytes += int(length)
        if "checksum" in expert.lower() or "malformed" in expert.lower():
            problems.append("packet %d: %s" % (packets, expert))
        src, dst = s4 or s6, d4 or d6
        proto, sp, dp = ("tcp", ts, td) if ts else ("udp", us, ud)
        key = T.flow_key(proto, src, sp, dst, dp)
        flows[key]["packets"] += 1
        flows[key]["bytes"] += int(length)
        flows[key]["dirs"][(src, int(sp))] += 1
    return packets, nbytes, flows, problems


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
        packets, nbytes, flows, problems = tshark_flows(path)
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
