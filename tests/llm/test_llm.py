#!/usr/bin/env python3
"""llm_provider: tpa-llm against a local OpenAI-compatible server (tests/llm/fake_openai.py).

redis-server (free port) + tpa-gateway + tpa-parser + tpa-llm with TPA_LLM_BASE_URL pointing
at the fake server, which checks the Authorization header, the model and the body shape and
records every request body. The capture is written by the test (tests/llm/gtpv2_capture.py):
GTPv2-C Create Session Requests carrying an IMSI, MSISDN and MEI, never answered, and two
exported NAS messages naming other subscribers by a 5G-GUTI and an EPS GUTI.

Issue 5 clauses checked, one scenario each:
- a valid answer is used: rca.source = "llm", insights carry source "llm", and the job's
  "llm" record counts requests and tokens (provider = the server's host, model);
- "reasoning content beside the answer: use the answer";
- "retries with backoff on 429 honouring Retry-After": 2 x 429 then success (3 requests,
  at least 2 s spent waiting, answer from the llm);
- "an invalid answer gets one repair attempt, then the built-in analyst's result with the
  reason recorded": malformed twice -> exactly 2 requests, the 2nd sends the error back,
  rca.source builtin, fallback_reason says so; malformed once -> the repair is used;
- "evidence ids must exist in the digest: drop or flag": dropped_evidence lists them;
- timeout -> fallback quickly (well before the slow answer would come);
- "a Redis cache keyed by model and prompt hash": the same capture again -> no request,
  cache_hits 1;
- circuit breaker: 500s until "circuit open" is the fallback reason, and that job sends
  no request at all;
- "tpa-llm must renew the job's lease while a slow LLM call runs": a second stack with a
  1 s lease and a 1 s LLM timeout (the reaper allows lease + timeout) answers after about
  9 s of 429s with Retry-After 3; the job completes from the LLM on its first attempt,
  never requeued by the gateway's reaper (which runs every 5 s);
- privacy: no IMSI, MSISDN, MEI, GUTI or TMSI digits in any request body the server
  received, while the stored result shows the real identities (UEs, and the LLM's summary
  mapped back).
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
import tpa_testlib as T  # noqa: E402
from tpa_testlib import check  # noqa: E402
import fake_openai  # noqa: E402
import gtpv2_capture as G  # noqa: E402

STACKS, WORKDIRS = [], []
KEY, MODEL = "sk-test-0123456789", "test-model"
TIMEOUT_S = 2


def run_job(st, capture, timeout=60.0):
    status, doc = T.upload(st.http_port, [("file", "gtpv2.pcapng", capture)])[:2]
    check(status == 202, "upload answered %d: %r" % (status, doc))
    job_id = doc["jobs"][0]["id"]
    t0 = time.time()
    deadline = t0 + timeout
    while True:
        status, job, raw = T.http_json(st.http_port, "GET", "/api/v1/jobs/" + job_id)
        check(status == 200, "GET job answered %d" % status)
        if job.get("state") in ("completed", "failed", "cancelled"):
            break
        check(time.time() < deadline, "job %s not finished in %.0f s (state %r)"
              % (job_id, timeout, job.get("state")))
        time.sleep(0.1)
    check(job["state"] == "completed", "job %s ended %s: %r" % (job_id, job["state"], job.get("message")))
    status, res, raw = T.http_json(st.http_port, "GET", "/api/v1/jobs/%s/result" % job_id)
    check(status == 200 and isinstance(res, dict), "GET result answered %d" % status)
    res["_job"] = job_id
    return res, time.time() - t0


def flush_cache(redis):
    keys = redis.cmd("KEYS", "tpa:llmcache:*")
    if keys:
        redis.cmd("DEL", *keys)


def scenario(st, fake, redis, capture, mode, flush=True):
    if flush:
        flush_cache(redis)
    fake.set_mode(mode)
    before = len(fake.bodies())
    res, secs = run_job(st, capture)
    new = fake.bodies()[before:]
    llm = res.get("llm")
    check(isinstance(llm, dict), "%s: result has no llm record: %r" % (mode, sorted(res)))
    T.log("  %-15s %5.2f s  requests=%d (server saw %d) cache_hits=%s fallback=%r"
          % (mode, secs, llm.get("requests", -1), len(new), llm.get("cache_hits"),
             llm.get("fallback_reason")))
    check(llm.get("requests") == len(new),
          "%s: llm.requests %r but the server saw %d" % (mode, llm.get("requests"), len(new)))
    return res, new, secs


def assert_llm(res, mode):
    rca = res.get("rca") or {}
    check(rca.get("source") == "llm", "%s: rca.source %r, want llm (%r)"
          % (mode, rca.get("source"), res["llm"].get("fallback_reason")))
    check(res["llm"]["fallback_reason"] is None, "%s: fallback_reason %r" % (mode, res["llm"]["fallback_reason"]))
    check(res["insights"] and all(i.get("source") == "llm" for i in res["insights"]),
          "%s: insights %r" % (mode, res["insights"]))
    check(rca["root_causes"][0]["title"] == "Fake root cause", "%s: rca %r" % (mode, rca))


def assert_builtin(res, mode, reason_part):
    rca = res.get("rca") or {}
    check(rca.get("source") == "builtin", "%s: rca.source %r, want builtin" % (mode, rca.get("source")))
    fr = res["llm"].get("fallback_reason") or ""
    check(reason_part in fr, "%s: fallback_reason %r, want it to mention %r" % (mode, fr, reason_part))
    check(all(i.get("source") == "builtin" for i in res.get("insights", [])),
          "%s: insights not builtin: %r" % (mode, res.get("insights")))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--src-dir")
    ap.add_argument("--work-dir", required=True)
    a = ap.parse_args()
    if not os.access(os.path.join(a.bin_dir, "tpa-llm"), os.X_OK):
        T.log("tpa-llm not built: skip")
        return T.SKIP
    os.makedirs(a.work_dir, exist_ok=True)
    wd = T.make_workdir(a.work_dir, "llm-")
    WORKDIRS.append(wd)
    capture = os.path.join(wd, "gtpv2.pcapng")
    G.write(capture)

    fake = fake_openai.FakeOpenAI(key=KEY, model=MODEL).start()
    redis = T.start_redis(wd)
    st = T.start_stack(a.bin_dir, wd, redis, parsers=1, llms=1, env={
        "TPA_LLM_BASE_URL": fake.url, "TPA_LLM_API_KEY": KEY, "TPA_LLM_MODEL": MODEL,
        "TPA_LLM_TIMEOUT": TIMEOUT_S, "TPA_LLM_CONCURRENCY": 2})
    STACKS.append(st)

    # valid answer, with privacy on (the default)
    res, bodies, _ = scenario(st, fake, redis, capture, "ok")
    assert_llm(res, "ok")
    check(len(bodies) == 1, "ok: %d requests, want 1" % len(bodies))
    llm = res["llm"]
    check(llm["provider"] == "127.0.0.1:%d" % fake.port and llm["model"] == MODEL,
          "ok: provider/model %r" % llm)
    check(llm["tokens_in"] == 100 and llm["tokens_out"] == 20 and llm["cache_hits"] == 0,
          "ok: tokens/cache %r" % llm)
    check(isinstance(llm.get("latency_ms"), int), "ok: latency_ms %r" % llm)
    check(not fake.rejects, "the server refused requests: %r" % fake.rejects)
    b = bodies[0]
    check(b["messages"][0]["role"] == "system" and b["messages"][1]["role"] == "user"
          and b["response_format"] == {"type": "json_object"} and b["temperature"] <= 0.5,
          "request body shape %r" % {k: b[k] for k in b if k != "messages"})
    # privacy: the summary named the pseudonyms it saw; the result shows real identities
    summary = res["rca"]["summary"]
    for ident in (G.IMSI, G.MSISDN, G.GUTI5G, G.TMSI5G, G.GUTI4G):
        check(ident in summary, "privacy: %s not mapped back in the summary: %r" % (ident, summary))
    for kind in ("IMSI-", "MSISDN-", "GUTI-", "TMSI-"):
        check(kind not in summary, "privacy: %s tokens left in the summary: %r" % (kind, summary))
    ue_ids = json.dumps(res.get("ues"))
    for ident in (G.IMSI, G.MSISDN, G.GUTI5G, G.TMSI5G, G.GUTI4G):
        check(ident in ue_ids, "privacy: result UEs lack %s" % ident)

    # the same capture again: answered from the cache, no request
    res, bodies, _ = scenario(st, fake, redis, capture, "ok", flush=False)
    assert_llm(res, "cache")
    check(not bodies and res["llm"]["cache_hits"] == 1,
          "cache: %d requests, cache_hits %r" % (len(bodies), res["llm"]["cache_hits"]))

    res, bodies, _ = scenario(st, fake, redis, capture, "reasoning")
    assert_llm(res, "reasoning")

    res, bodies, secs = scenario(st, fake, redis, capture, "retry429:2")
    assert_llm(res, "retry429")
    check(len(bodies) == 3, "retry429: %d requests, want 3" % len(bodies))
    check(res["llm"]["latency_ms"] >= 1900, "retry429: Retry-After 1 not honoured: %r" % res["llm"])

    res, bodies, _ = scenario(st, fake, redis, capture, "malformed")
    assert_builtin(res, "malformed", "invalid answer")
    check(len(bodies) == 2, "malformed: %d requests, want 2 (one repair)" % len(bodies))
    rep = bodies[1]["messages"]
    check(len(rep) == 4 and rep[2]["role"] == "assistant" and rep[3]["role"] == "user"
          and ("not valid JSON" in rep[3]["content"] or "not a JSON object" in rep[3]["content"]),
          "malformed: the repair request does not send the error back: %r" % rep[2:])

    res, bodies, _ = scenario(st, fake, redis, capture, "malformed_once")
    assert_llm(res, "malformed_once")
    check(len(bodies) == 2, "malformed_once: %d requests, want 2" % len(bodies))

    res, bodies, _ = scenario(st, fake, redis, capture, "unknown_ids")
    assert_llm(res, "unknown_ids")
    dropped = res["rca"].get("dropped_evidence")
    check(dropped == ["F999", "flow:424242"], "unknown_ids: dropped_evidence %r" % dropped)
    for c in res["rca"]["root_causes"]:
        check(not set(c["evidence"]) & {"F999", "flow:424242"}, "unknown ids kept: %r" % c)

    res, bodies, secs = scenario(st, fake, redis, capture, "slow:8")
    assert_builtin(res, "slow", "imeout")
    check(len(bodies) == 1, "slow: %d requests, want 1 (timeouts are not retried)" % len(bodies))
    check(secs < 7, "slow: the job took %.1f s; the %d s timeout did not cut the call" % (secs, TIMEOUT_S))

    # circuit breaker: 500s (each retried) until the circuit opens
    opened = None
    for i in range(5):
        res, bodies, _ = scenario(st, fake, redis, capture, "fail500")
        if res["llm"]["fallback_reason"] == "circuit open":
            opened = (i, bodies)
            break
        assert_builtin(res, "fail500", "HTTP 500")
        check(len(bodies) == 4, "fail500: %d requests, want 4 (3 retries)" % len(bodies))
    check(opened is not None, "the circuit never opened after 5 failing jobs")
    check(opened[1] == [], "circuit open: the job still sent %d requests" % len(opened[1]))
    assert_builtin(res, "circuit", "circuit open")

    # privacy over every request the server ever received
    allb = json.dumps(fake.bodies())
    for name, ident in (("IMSI", G.IMSI), ("MSISDN", G.MSISDN), ("MEI", G.MEI),
                        ("5G-GUTI", G.GUTI5G), ("EPS GUTI", G.GUTI4G), ("5G-S-TMSI", G.TMSI5G),
                        ("5G-TMSI", G.TMSI_HEX[0]), ("M-TMSI", G.TMSI_HEX[1])):
        check(ident not in allb, "privacy: the %s %s left the host" % (name, ident))
    for kind in ("IMSI-", "MSISDN-", "GUTI-", "TMSI-"):
        check(kind in allb, "privacy: no %s pseudonyms in the prompts" % kind)
    # and the key file was created 0600
    kf = os.path.join(wd, "data", "privacy.key")
    check(os.path.exists(kf) and (os.stat(kf).st_mode & 0o777) == 0o600,
          "privacy key file %s missing or not 0600" % kf)
    for p in st.llms:
        check(KEY not in p.log_text(), "the API key appears in the tpa-llm log")
    lease_test(a, wd, capture)
    fake.stop()
    return 0


def lease_test(a, wd, capture):
    fake = fake_openai.FakeOpenAI(key=None, model=MODEL).start()
    wd2 = os.path.join(wd, "lease")
    os.makedirs(wd2)
    redis = T.start_redis(wd2)
    st = T.start_stack(a.bin_dir, wd2, redis, parsers=1, llms=1, env={
        "TPA_LLM_BASE_URL": fake.url, "TPA_LLM_MODEL": MODEL, "TPA_LLM_TIMEOUT": 1,
        "TPA_LEASE_SECONDS": 1})
    STACKS.append(st)
    fake.set_mode("retry429:3:3")
    res, secs = run_job(st, capture)
    T.log("  lease           %5.2f s  requests=%d fallback=%r"
          % (secs, res["llm"]["requests"], res["llm"]["fallback_reason"]))
    assert_llm(res, "lease")
    check(secs >= 8, "lease: the slow call took only %.1f s" % secs)
    attempts = redis.cmd("HGET", "tpa:job:" + res["_job"], "attempts")
    check(attempts in (b"1", "1", 1), "lease: job attempts %r, want 1 (requeued while the LLM "
          "was answering)" % attempts)
    check(len(fake.bodies()) == 4, "lease: %d requests, want 4" % len(fake.bodies()))
    fake.stop()


if __name__ == "__main__":
    T.run_main(main, stacks=STACKS, workdirs=WORKDIRS)
