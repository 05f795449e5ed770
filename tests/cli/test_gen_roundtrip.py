#!/usr/bin/env python3
"""gen_roundtrip: `tpa analyze` must report exactly what tpa-pcapgen wrote.

DESIGN.md, Offline analysis: "tpa analyze CAPTURE prints the result document (JSON)
on stdout, exit 0 ... A truncated capture is analysed up to the cut and says so in
the document." Result document: capture.packets/bytes (frame wire length), one flow
per L4 conversation with src = the side that sent the first packet, packets, bytes,
per-direction counts; tunnel context (outer flow, TEID, QFI) for flows carried in
GTP-U; messages counted per protocol and code (dns "query"/"response", pfcp and
gtpv2 the message type, sip the method or status code).

Every case is run and reported; the test fails if any case differs. --part
messages (ctest gen_messages) checks messages[] alone, so that flows and messages
are reported as separate results."""
import argparse
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import tpa_testlib as T  # noqa: E402

# (name, generator arguments, expected capture.format)
CASES = [
    ("pcap", ["--flows", "12"], "pcap"),
    ("pcapng", ["--format", "pcapng", "--flows", "12"], "pcapng"),
    ("pcap-nano", ["--nano"], "pcap"),
    ("pcap-swapped", ["--swap"], "pcap"),
    ("pcapng-swapped-nano", ["--format", "pcapng", "--swap", "--nano"], "pcapng"),
    ("pcap-gzip", ["--gzip"], "pcap"),
    ("pcapng-gzip", ["--format", "pcapng", "--gzip"], "pcapng"),
    ("vlan", ["--vlan", "--flows", "12"], "pcap"),
    ("linux-sll", ["--linktype", "sll"], "pcap"),
    ("raw-ip", ["--linktype", "raw"], "pcap"),
    ("snaplen-96", ["--snaplen", "96"], "pcap"),
    ("pcapng-two-linktypes", ["--format", "pcapng", "--interfaces", "2", "--flows", "12"], "pcapng"),
    ("many-flows", ["--flows", "300", "--packets", "6000", "--seed", "42"], "pcap"),
    ("telecom", ["--mix", "telecom", "--flows", "30"], "pcap"),
    ("telecom-pcapng-gzip-vlan", ["--mix", "telecom", "--format", "pcapng", "--gzip", "--vlan"], "pcapng"),
    ("truncated-pcap", ["--truncate"], "pcap"),
    ("truncated-pcapng", ["--format", "pcapng", "--truncate"], "pcapng"),
    ("truncated-gzip", ["--gzip", "--truncate"], "pcap"),
]


def analyze(tpa, path):
    r = subprocess.run([tpa, "analyze", path], capture_output=True, timeout=120)
    return r.returncode, r.stdout, r.stderr.decode("utf-8", "replace")


def run_case(bin_dir, work, name, args, fmt, part):
    path = os.path.join(work, name + (".pcapng" if fmt == "pcapng" else ".pcap")
                        + (".gz" if "--gzip" in args else ""))
    exp = T.pcapgen(bin_dir, path, "--seed", "3", *args)
    rc, out, err = analyze(os.path.join(bin_dir, "tpa"), path)
    if rc != 0:
        return ["%s: tpa analyze exited %d: %s" % (name, rc, err.strip()[:300])]
    try:
        doc = json.loads(out)
    except ValueError as e:
        return ["%s: stdout is not JSON (%s): %r" % (name, e, out[:200])]
    if part == "messages":
        return T.compare_messages(exp, doc, name)
    diffs = T.compare_result(exp, doc, name)
    cap = doc.get("capture", {})
    if cap.get("format") != fmt:
        diffs.append("%s: capture.format = %r, want %r" % (name, cap.get("format"), fmt))
    if cap.get("compressed") is not exp["compressed"]:
        diffs.append("%s: capture.compressed = %r, want %r" % (name, cap.get("compressed"), exp["compressed"]))
    if cap.get("truncated") is not exp["truncated"]:
        diffs.append("%s: capture.truncated = %r, want %r" % (name, cap.get("truncated"), exp["truncated"]))
    lts = cap.get("link_types")
    if not isinstance(lts, list) or sorted(lts) != sorted(exp["link_types"]):
        diffs.append("%s: capture.link_types = %r, want %r" % (name, lts, exp["link_types"]))
    for k in ("first_ts", "last_ts"):
        v = cap.get(k)
        if not isinstance(v, (int, float)) or abs(v - exp[k]) > 2e-6:
            diffs.append("%s: capture.%s = %r, want %r (microseconds)" % (name, k, v, exp[k]))
    if not isinstance(cap.get("file"), str) or cap.get("file") != os.path.basename(path):
        diffs.append("%s: capture.file = %r, want %r" % (name, cap.get("file"), os.path.basename(path)))
    if doc.get("version") != 1:
        diffs.append("%s: version = %r, want 1" % (name, doc.get("version")))
    return diffs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--src-dir")
    ap.add_argument("--work-dir", required=True)
    ap.add_argument("--only", help="run one case")
    ap.add_argument("--part", choices=["capture", "messages"], default="capture",
                    help="capture: capture object, flows, tunnels (ctest gen_roundtrip); "
                         "messages: messages[] counts (ctest gen_messages)")
    a = ap.parse_args()
    tpa = os.path.join(a.bin_dir, "tpa")
    if not os.access(tpa, os.X_OK):
        raise T.TestFailure("%s is not built" % tpa)
    work = T.make_workdir(a.work_dir, "roundtrip-")
    failures = []
    for name, args, fmt in CASES:
        if a.only and name != a.only:
            continue
        diffs = run_case(a.bin_dir, work, name, args, fmt, a.part)
        T.log("%-22s %s" % (name, "FAIL (%d differences)" % len(diffs) if diffs else "ok"))
        for d in diffs[:8]:
            T.log("    " + d)
        if len(diffs) > 8:
            T.log("    ... %d more" % (len(diffs) - 8))
        if diffs:
            failures.append(name)
    if failures:
        T.log("FAIL: %d of %d cases: %s" % (len(failures), len(CASES), ", ".join(failures)))
        T.log("captures kept in %s" % work)
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    T.run_main(main)
