#!/usr/bin/env python3
"""integration: the whole pipeline with real processes.

redis-server (free port) + tpa-gateway + 2 tpa-parser + 1 tpa-llm. Captures come
from tpa-pcapgen, whose summary says exactly what the result must contain.

Contract clauses checked (DESIGN.md, REST API and Job lifecycle):
- "POST /api/v1/jobs - multipart, one or more file fields -> 202 {"jobs":[{"id",
  "state":"queued",...}]}; 413 over the size limit, 415 for a file that is not a
  capture, 400 for a bad request; each with {"error": {"code", "message"}}."
- "WebSocket /ws/jobs/{id} -> JSON events {"job","state","progress","stage",
  "message"}; the first event on connect is the current state."
- "States: queued -> parsing -> enriching -> completed."
- "GET /api/v1/jobs/{id} (state, progress 0-100, ...)", ".../result - the result
  document"; "When the LLM is ... down, the job still completes with the built-in
  analyst's RCA and says so" (rca.source = "builtin" with no LLM configured).
Figures (upload -> completed) are printed, not asserted.
"""
import argparse
import os
import shutil
import signal
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import tpa_testlib as T  # noqa: E402
from tpa_testlib import check  # noqa: E402

STATE_ORDER = {"queued": 0, "parsing": 1, "enriching": 2, "completed": 3}
TERMINAL = ("completed", "failed", "cancelled")


def accepted_jobs(status, doc, raw, n, what):
    check(status == 202, "%s: POST /api/v1/jobs answered %d, want 202: %r" % (what, status, raw[:300]))
    check(isinstance(doc, dict) and isinstance(doc.get("jobs"), list) and len(doc["jobs"]) == n,
          "%s: want {\"jobs\":[%d jobs]}, got %r" % (what, n, raw[:300]))
    for j in doc["jobs"]:
        check(isinstance(j.get("id"), str) and j["id"], "%s: job without id: %r" % (what, j))
        check(j.get("state") == "queued", "%s: new job state %r, want queued" % (what, j.get("state")))
    return [j["id"] for j in doc["jobs"]]


def follow(ws, job_id, timeout=60.0):
    """Events until a terminal state; returns the list. Checks each event's shape."""
    events = []
    deadline = time.time() + timeout
    while True:
        left = deadline - time.time()
        check(left > 0, "job %s: no terminal state within %.0f s; events %r" % (job_id, timeout, events[-5:]))
        try:
            ev = ws.recv_json(timeout=left)
        except T.WebSocketClosed as e:
            raise T.TestFailure("job %s: WebSocket closed before a terminal state (%s); events %r"
                                % (job_id, e, events[-5:]))
        check(isinstance(ev, dict) and ev.get("job") == job_id and "state" in ev and "progress" in ev,
              "job %s: bad event %r" % (job_id, ev))
        events.append(ev)
        if ev["state"] in TERMINAL:
            return events


def check_progression(job_id, events):
    last_p, last_s = -1, -1
    for ev in events:
        p, s = ev.get("progress"), STATE_ORDER.get(ev["state"], 99)
        check(isinstance(p, int) and 0 <= p <= 100, "job %s: progress %r not an integer 0-100" % (job_id, p))
        check(p >= last_p, "job %s: progress went back from %d to %d: %r" % (job_id, last_p, p, events))
        check(s >= last_s, "job %s: state went back to %s: %r" % (job_id, ev["state"], events))
        last_p, last_s = p, s
    check(events[-1]["state"] == "completed",
          "job %s ended %s: %r" % (job_id, events[-1]["state"], events[-1].get("message")))
    check(events[-1]["progress"] == 100, "job %s completed with progress %r" % (job_id, events[-1]["progress"]))


def wait_job(port, job_id, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        status, doc, raw = T.http_json(port, "GET", "/api/v1/jobs/" + job_id)
        check(status == 200, "GET /api/v1/jobs/%s answered %d: %r" % (job_id, status, raw[:200]))
        if doc.get("state") in TERMINAL:
            return doc
        time.sleep(0.1)
    raise T.TestFailure("job %s not finished within %.0f s (last state %r)" % (job_id, timeout, doc.get("state")))


def check_result(port, job_id, expected, what):
    status, job, raw = T.http_json(port, "GET", "/api/v1/jobs/" + job_id)
    check(status == 200 and isinstance(job, dict), "%s: GET job answered %d: %r" % (what, status, raw[:200]))
    check(job.get("state") == "completed" and job.get("progress") == 100,
          "%s: job state %r progress %r (message %r), want completed 100"
          % (what, job.get("state"), job.get("progress"), job.get("message")))
    status, doc, raw = T.http_json(port, "GET", "/api/v1/jobs/%s/result" % job_id)
    check(status == 200 and isinstance(doc, dict), "%s: GET result answered %d: %r" % (what, status, raw[:200]))
    diffs = T.compare_result(expected, doc, what)
    check(not diffs, "result differs from what was uploaded:\n  " + "\n  ".join(diffs[:30]))
    rca = doc.get("rca")
    check(isinstance(rca, dict), "%s: result has no rca object: %r" % (what, rca))
    check(rca.get("source") == "builtin", "%s: rca.source = %r, want builtin (no LLM configured)"
          % (what, rca.get("source")))
    check(isinstance(rca.get("summary"), str) and rca["summary"], "%s: rca.summary missing" % what)
    check(isinstance(doc.get("insights"), list), "%s: insights is not a list" % what)
    return doc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--src-dir")
    ap.add_argument("--work-dir", required=True)
    a = ap.parse_args()
    if not shutil.which("redis-server") and not os.path.exists("/usr/bin/redis-server"):
        T.log("SKIP: redis-server not installed (deploy/install-deps installs it)")
        return T.SKIP
    for prog in ("tpa-gateway", "tpa-parser", "tpa-llm", "tpa-pcapgen"):
        check(os.access(os.path.join(a.bin_dir, prog), os.X_OK), "%s is not built in %s" % (prog, a.bin_dir))
    work = T.make_workdir(a.work_dir, "pipeline-")
    WORKDIRS.append(work)
    caps = os.path.join(work, "captures")
    os.makedirs(caps)

    def gen(name, *args):
        path = os.path.join(caps, name)
        return path, T.pcapgen(a.bin_dir, path, *args)

    redis = T.start_redis(work)
    st = T.start_stack(a.bin_dir, work, redis, parsers=2, llms=1)
    STACKS.append(st)
    port = st.http_port
    T.log("stack up: gateway %s, redis %d, zmq %d, data %s" % (st.url, redis.port, st.zmq_port, work))

    # --- service endpoints
    status, _, body = T.http_request(port, "GET", "/healthz")
    check(status == 200, "/healthz answered %d" % status)
    for _ in range(100):
        status, _, body = T.http_request(port, "GET", "/readyz")
        if status == 200:
            break
        time.sleep(0.1)
    check(status == 200, "/readyz answered %d: %r" % (status, body[:200]))
    status, hdrs, body = T.http_request(port, "GET", "/metrics")
    check(status == 200 and body.strip(), "/metrics answered %d (%d bytes)" % (status, len(body)))
    status, doc, body = T.http_json(port, "GET", "/api/v1/openapi.json")
    check(status == 200 and isinstance(doc, dict) and "paths" in doc,
          "/api/v1/openapi.json answered %d, not an OpenAPI document: %r" % (status, body[:100]))
    T.log("ok  healthz, readyz, metrics, openapi.json")

    # --- one job followed over WebSocket from queued to completed. The parsers are
    # paused (SIGSTOP) while the job is submitted, so the socket is open before any
    # work starts and every state change must reach it.
    path1, exp1 = gen("flows.pcap", "--seed", "21", "--flows", "40", "--packets", "4000")
    for p in st.parsers:
        p.signal(signal.SIGSTOP)
    try:
        status, doc, raw = T.upload(port, [("file", "flows.pcap", path1)])
        (job1,) = accepted_jobs(status, doc, raw, 1, "pcap upload")
        ws = T.WebSocket(port, "/ws/jobs/" + job1)
        first = ws.recv_json(timeout=10)
        check(first.get("job") == job1 and first.get("state") == "queued",
              "first WebSocket event should be the current state (queued): %r" % first)
    finally:
        for p in st.parsers:
            p.signal(signal.SIGCONT)
    events = [first] + follow(ws, job1)
    ws.close()
    check_progression(job1, events)
    states = [e["state"] for e in events]
    check("parsing" in states and "enriching" in states,
          "job %s: WebSocket never showed parsing and enriching: %r" % (job1, states))
    check_result(port, job1, exp1, "pcap job")
    T.log("ok  pcap job over WebSocket: %d events, states %s" % (len(events), " -> ".join(dict.fromkeys(states))))

    # --- late WebSocket: the first event is the final state
    ws = T.WebSocket(port, "/ws/jobs/" + job1)
    ev = ws.recv_json(timeout=10)
    ws.close()
    check(ev.get("job") == job1 and ev.get("state") == "completed" and ev.get("progress") == 100,
          "late WebSocket: first event %r, want completed 100" % ev)
    T.log("ok  late WebSocket connect gets the completed state first")

    # --- timed: upload -> completed with the pipeline running freely
    path2, exp2 = gen("timed.pcap", "--seed", "22", "--size-mb", "20")
    t0 = time.time()
    status, doc, raw = T.upload(port, [("file", "timed.pcap", path2)])
    t_up = time.time()
    (job2,) = accepted_jobs(status, doc, raw, 1, "timed upload")
    ws = T.WebSocket(port, "/ws/jobs/" + job2)
    events = follow(ws, job2)
    t_done = time.time()
    ws.close()
    check_progression(job2, events)
    check_result(port, job2, exp2, "20 MB job")
    T.log("figure: %.1f MB pcap (%d packets, %d flows): upload %.2f s, upload->completed %.2f s, "
          "total %.2f s" % (os.path.getsize(path2) / 1e6, exp2["packets"], len(exp2["flows"]),
                           t_up - t0, t_done - t0, t_done - t0))

    # --- several files in one POST: pcapng, gzip-compressed pcap, pcap
    files = [gen("ng.pcapng", "--seed", "23", "--format", "pcapng", "--flows", "15"),
             gen("zipped.pcap.gz", "--seed", "24", "--gzip", "--flows", "15"),
             gen("plain.pcap", "--seed", "25", "--flows", "9", "--vlan")]
    status, doc, raw = T.upload(port, [("file", os.path.basename(p), p) for p, _ in files])
    ids = accepted_jobs(status, doc, raw, 3, "three files in one POST")
    check(len(set(ids)) == 3, "three files got ids %r" % ids)
    for jid, (p, exp) in zip(ids, files):
        wait_job(port, jid)
        check_result(port, jid, exp, os.path.basename(p))
    T.log("ok  three files in one POST (pcapng, pcap.gz, pcap): three jobs, all completed and exact")

    status, doc, raw = T.http_json(port, "GET", "/api/v1/jobs")
    check(status == 200 and isinstance(doc, dict) and isinstance(doc.get("jobs"), list),
          "GET /api/v1/jobs answered %d: %r" % (status, raw[:200]))
    listed = {j.get("id") for j in doc["jobs"]}
    check({job1, job2, *ids} <= listed, "GET /api/v1/jobs does not list every job: %r" % sorted(listed))
    status, doc, raw = T.http_json(port, "GET", "/api/v1/jobs?state=queued")
    check(status == 200 and isinstance(doc, dict) and not ({job1, job2, *ids} & {j.get("id") for j in doc.get("jobs", [])}),
          "GET /api/v1/jobs?state=queued lists completed jobs: %r" % raw[:300])
    T.log("ok  GET /api/v1/jobs lists the jobs; ?state=queued filters them out")

    # --- bad requests
    text = os.path.join(caps, "notes.txt")
    with open(text, "w") as f:
        f.write("this is not a capture\n" * 50)
    status, doc, raw = T.upload(port, [("file", "notes.txt", text)])
    check(status == 415, "text file upload answered %d, want 415: %r" % (status, raw[:200]))
    T.check_error_doc(doc, raw, "415 for a text file")
    status, doc, raw = T.upload(port, [("file", "empty.pcap", b"")])
    check(400 <= status < 500, "empty file upload answered %d, want 4xx: %r" % (status, raw[:200]))
    T.check_error_doc(doc, raw, "empty file")
    status, doc, raw = T.upload(port, [], fields={"comment": "no file here"})
    check(status == 400, "POST without a file field answered %d, want 400: %r" % (status, raw[:200]))
    T.check_error_doc(doc, raw, "no file field")
    status, doc, raw = T.http_json(port, "POST", "/api/v1/jobs", body=b'{"file":"x"}',
                                   headers={"Content-Type": "application/json"})
    check(status in (400, 415), "JSON body to POST /api/v1/jobs answered %d, want 400/415" % status)
    T.check_error_doc(doc, raw, "non-multipart POST")
    unknown = uuid.uuid4().hex
    for path in ("/api/v1/jobs/" + unknown, "/api/v1/jobs/%s/result" % unknown):
        status, doc, raw = T.http_json(port, "GET", path)
        check(status == 404, "GET %s answered %d, want 404" % (path, status))
        T.check_error_doc(doc, raw, "404 for " + path)
    for bad in ("bad%21id", "x" * 200, "..%2F..%2Fetc"):
        status, doc, raw = T.http_json(port, "GET", "/api/v1/jobs/" + bad)
        check(status in (400, 404), "GET /api/v1/jobs/%s answered %d, want 400 or 404" % (bad[:20], status))
        T.check_error_doc(doc, raw, "invalid id")
    T.log("ok  415 text, 4xx empty, 400 no file, 400/415 JSON body, 404 unknown id, 400/404 invalid ids")

    # --- DELETE
    status, _, raw = T.http_request(port, "DELETE", "/api/v1/jobs/" + ids[2])
    check(200 <= status < 300, "DELETE job answered %d: %r" % (status, raw[:200]))
    status, doc, raw = T.http_json(port, "GET", "/api/v1/jobs/" + ids[2])
    check(status == 404, "GET after DELETE answered %d, want 404" % status)
    T.log("ok  DELETE job, then 404")

    # --- size limit: a second gateway (own redis) with TPA_MAX_UPLOAD_MB=1
    work2 = os.path.join(work, "limited")
    redis2 = T.start_redis(work2)
    st2 = T.start_stack(a.bin_dir, work2, redis2, parsers=0, llms=0, env={"TPA_MAX_UPLOAD_MB": 1})
    STACKS.append(st2)
    big, _ = gen("two-mb.pcap", "--seed", "26", "--size-mb", "2")
    status, doc, raw = T.upload(st2.http_port, [("file", "two-mb.pcap", big)])
    check(status == 413, "2 MB upload with TPA_MAX_UPLOAD_MB=1 answered %d, want 413: %r" % (status, raw[:200]))
    T.check_error_doc(doc, raw, "413")
    status, doc, raw = T.upload(st2.http_port, [("file", "two-mb.pcap", big)], chunked=True)
    check(status in (411, 413), "2 MB chunked upload (no Content-Length) over the limit answered %d, "
          "want 411 or 413: %r" % (status, raw[:200]))
    T.check_error_doc(doc, raw, "chunked upload over the limit")
    status, _, _ = T.http_request(st2.http_port, "GET", "/healthz")
    check(status == 200, "gateway unhealthy after a 413 (%d)" % status)
    small, _ = gen("small.pcap", "--seed", "27", "--flows", "5")
    status, doc, raw = T.upload(st2.http_port, [("file", "small.pcap", small)])
    accepted_jobs(status, doc, raw, 1, "small upload after a 413")
    stored = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(os.path.join(work2, "data"))
                 for f in fs)
    check(stored < os.path.getsize(small) + 512 * 1024,
          "the refused 2 MB upload left data behind: %d bytes under the data dir" % stored)
    T.log("ok  413 over TPA_MAX_UPLOAD_MB=1, nothing kept, gateway still serves")
    return 0


STACKS = []
WORKDIRS = []

if __name__ == "__main__":
    T.run_main(main, stacks=STACKS, workdirs=WORKDIRS)
