#!/usr/bin/env python3
"""cli_bad_input: DESIGN.md, Offline analysis: "an unreadable or non-capture file
gives one clear line on stderr and a non-zero exit". Nothing goes to stdout then.
A valid capture with no packets is not an error."""
import argparse
import gzip
import json
import os
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import tpa_testlib as T  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--src-dir")
    ap.add_argument("--work-dir", required=True)
    a = ap.parse_args()
    tpa = os.path.join(a.bin_dir, "tpa")
    if not os.access(tpa, os.X_OK):
        raise T.TestFailure("%s is not built" % tpa)
    work = T.make_workdir(a.work_dir, "badinput-")

    def write(name, data):
        p = os.path.join(work, name)
        with open(p, "wb") as f:
            f.write(data)
        return p

    pcap_header = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
    bad = [
        ("text file", write("notes.txt", b"this is not a capture\nat all\n" * 20)),
        ("empty file", write("empty.pcap", b"")),
        ("missing file", os.path.join(work, "does-not-exist.pcap")),
        ("directory", work),
        ("random bytes", write("random.bin", bytes((i * 131 + 7) % 256 for i in range(4096)))),
        ("short pcap header", write("short.pcap", pcap_header[:10])),
        ("gzip of text", write("text.gz", gzip.compress(b"hello world\n" * 100))),
        ("bad gzip", write("bad.gz", b"\x1f\x8b\x08\x00garbage-not-deflate" * 4)),
    ]
    failures = []
    for what, path in bad:
        r = subprocess.run([tpa, "analyze", path], capture_output=True, timeout=60)
        lines = [ln for ln in r.stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
        problems = []
        if r.returncode == 0:
            problems.append("exit status 0")
        if r.returncode < 0:
            problems.append("killed by signal %d" % -r.returncode)
        if len(lines) != 1:
            problems.append("%d lines on stderr: %r" % (len(lines), lines[:5]))
        if r.stdout.strip():
            problems.append("output on stdout: %r" % r.stdout[:100])
        T.log("%-18s %s  [%s]" % (what, "FAIL: " + "; ".join(problems) if problems else "ok",
                                  lines[0] if lines else ""))
        if problems:
            failures.append(what)

    # Usage errors: no file, unknown command.
    for argv in (["analyze"], ["no-such-command"]):
        r = subprocess.run([tpa] + argv, capture_output=True, timeout=30)
        ok = r.returncode > 0 and r.stderr.strip()
        T.log("tpa %-14s %s" % (" ".join(argv), "ok" if ok else "FAIL: exit %d, stderr %r"
                                % (r.returncode, r.stderr[:100])))
        if not ok:
            failures.append("tpa " + " ".join(argv))
    r = subprocess.run([tpa, "--help"], capture_output=True, timeout=30)
    if r.returncode != 0 or not r.stdout.strip():
        failures.append("tpa --help: exit %d" % r.returncode)
        T.log("tpa --help         FAIL: exit %d" % r.returncode)

    # A header-only capture is valid: zero packets, exit 0.
    r = subprocess.run([tpa, "analyze", write("zero.pcap", pcap_header)], capture_output=True, timeout=30)
    try:
        pk = json.loads(r.stdout)["capture"]["packets"] if r.returncode == 0 else None
    except (ValueError, KeyError, TypeError):
        pk = "no JSON"
    T.log("%-18s %s" % ("header-only pcap", "ok" if pk == 0 else "FAIL: exit %d, packets %r, %s"
                        % (r.returncode, pk, r.stderr.decode(errors="replace").strip()[:200])))
    if pk != 0:
        failures.append("header-only pcap")

    if failures:
        T.log("FAIL: %s" % ", ".join(failures))
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    T.run_main(main)
