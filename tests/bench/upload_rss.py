#!/usr/bin/env python3
"""upload_rss - benchmark (not a test): does the gateway's memory grow with the upload?

Starts redis-server + the stack, generates a large capture with tpa-pcapgen
(--size-mb, default 200), uploads it with curl (-F file=@..., streamed from disk)
while sampling the gateway's VmRSS and VmHWM from /proc every 10 ms, then waits for
the job to complete. Prints the figures; exits non-zero only if something broke.

  tests/bench/upload_rss.py [--bin-dir build/bin] [--size-mb 200] [--keep]
DESIGN.md target: "Upload streams to disk; gateway memory does not grow with upload size."
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "lib"))
import tpa_testlib as T  # noqa: E402


def mem_kb(pid):
    """(VmRSS, VmHWM) in kB."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                k, v = line.split(":", 1)
                out[k] = int(v.split()[0])
    return out.get("VmRSS", 0), out.get("VmHWM", 0)


def main():
    repo = os.path.abspath(os.path.join(here, "..", ".."))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin-dir", default=os.path.join(repo, "build", "bin"))
    ap.add_argument("--work-dir", default=os.path.join(repo, "build", "bench-work"))
    ap.add_argument("--size-mb", type=int, default=200)
    ap.add_argument("--parsers", type=int, default=2)
    ap.add_argument("--keep", action="store_true", help="keep the capture and logs")
    a = ap.parse_args()
    work = T.make_workdir(a.work_dir, "upload-rss-")
    if not a.keep:
        WORKDIRS.append(work)
    cap = os.path.join(work, "big.pcap")
    t = time.time()
    exp = T.pcapgen(a.bin_dir, cap, "--size-mb", a.size_mb, "--seed", "7")
    size = os.path.getsize(cap)
    T.log("generated %s: %.1f MB, %d packets, %d flows in %.1f s"
          % (cap, size / 1e6, exp["packets"], len(exp["flows"]), time.time() - t))

    redis = T.start_redis(work)
    st = T.start_stack(a.bin_dir, work, redis, parsers=a.parsers, llms=1,
                       env={"TPA_MAX_UPLOAD_MB": max(500, a.size_mb * 2)})
    STACKS.append(st)
    gw = st.gateway.pid
    time.sleep(0.5)
    rss0, hwm0 = mem_kb(gw)
    peak = [rss0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            try:
                peak[0] = max(peak[0], mem_kb(gw)[0])
            except OSError:
                return
            time.sleep(0.01)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    t0 = time.time()
    r = subprocess.run(["curl", "-sS", "-o", "-", "-w", "\n%{http_code}", "-F",
                        "file=@%s;type=application/octet-stream" % cap, st.url + "/api/v1/jobs"],
                       capture_output=True, timeout=600)
    t_up = time.time() - t0
    done.set()
    th.join()
    rss1, hwm1 = mem_kb(gw)
    body, _, code = r.stdout.decode(errors="replace").rpartition("\n")
    T.check(code == "202", "upload answered %s: %s %s" % (code, body[:300], r.stderr.decode(errors="replace")))
    job = json.loads(body)["jobs"][0]["id"]
    T.log("upload: %.1f MB in %.2f s (%.0f MB/s), job %s" % (size / 1e6, t_up, size / 1e6 / t_up, job))
    T.log("gateway VmRSS: before %.1f MB, peak while uploading %.1f MB, after %.1f MB"
          % (rss0 / 1024, peak[0] / 1024, rss1 / 1024))
    T.log("gateway VmHWM: before %.1f MB, after %.1f MB (growth %.1f MB for a %.0f MB upload)"
          % (hwm0 / 1024, hwm1 / 1024, (hwm1 - hwm0) / 1024, size / 1e6))

    deadline = time.time() + 600
    state = None
    while time.time() < deadline:
        status, doc, _ = T.http_json(st.http_port, "GET", "/api/v1/jobs/" + job)
        state = doc.get("state") if isinstance(doc, dict) else None
        if state in ("completed", "failed", "cancelled"):
            break
        time.sleep(0.05)
    t_done = time.time() - t0
    T.check(state == "completed", "job ended %r: %r" % (state, doc))
    status, res, _ = T.http_json(st.http_port, "GET", "/api/v1/jobs/%s/result" % job)
    pk = res.get("capture", {}).get("packets") if isinstance(res, dict) else None
    T.log("upload -> completed: %.2f s (%.0f MB/s end to end); result packets %s, written %d"
          % (t_done, size / 1e6 / t_done, pk, exp["packets"]))
    peak_parsers = []
    for p in st.parsers:
        try:
            peak_parsers.append(mem_kb(p.pid)[1] / 1024)
        except OSError:
            pass
    T.log("parser VmHWM: %s MB" % ", ".join("%.1f" % v for v in peak_parsers))
    T.log("gateway VmHWM at the end: %.1f MB" % (mem_kb(gw)[1] / 1024))
    return 0


STACKS = []
WORKDIRS = []

if __name__ == "__main__":
    T.run_main(main, stacks=STACKS, workdirs=WORKDIRS)
