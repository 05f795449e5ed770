#!/usr/bin/env python3
"""stack_launcher: deploy/local/tpa-stack up|status|down|run.

DESIGN.md, Local stack: "`up` returns once GET /healthz answers; `run` stays in the
foreground until Ctrl-C and then stops everything it started." Also checked: two
stacks with different ports and data directories run side by side; a Redis port
already taken is refused with a clear message; `down` stops only the processes it
started (a recorded pid that now belongs to another program is left alone)."""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import tpa_testlib as T  # noqa: E402
from tpa_testlib import check  # noqa: E402


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is not alive
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def recorded_pids(data_dir):
    run = os.path.join(data_dir, "run")
    out = {}
    for name in sorted(os.listdir(run)) if os.path.isdir(run) else []:
        if name.endswith(".pid"):
            with open(os.path.join(run, name)) as f:
                out[name[:-4]] = int(f.read().strip())
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--src-dir", required=True)
    ap.add_argument("--work-dir", required=True)
    a = ap.parse_args()
    if not shutil.which("redis-server"):
        T.log("SKIP: redis-server not installed")
        return T.SKIP
    script = os.path.join(a.src_dir, "deploy", "local", "tpa-stack")
    work = T.make_workdir(a.work_dir, "stack-")
    WORKDIRS.append(work)

    def stack_env(name, workers=1):
        return T.clean_env({
            "TPA_BIN_DIR": a.bin_dir, "TPA_DATA_DIR": os.path.join(work, name),
            "TPA_HTTP_PORT": T.free_port(), "TPA_REDIS_PORT": T.free_port(),
            "TPA_ZMQ_PORT": T.free_port_range(3), "TPA_PARSER_WORKERS": workers, "TPA_LLM_WORKERS": 1})

    def ts(cmd, env, timeout=60):
        r = subprocess.run([script, cmd], env=env, capture_output=True, timeout=timeout)
        return r.returncode, r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")

    r = subprocess.run([script, "--help"], capture_output=True, timeout=10)
    check(r.returncode == 0 and b"usage" in r.stdout, "tpa-stack --help: exit %d" % r.returncode)

    A, B = stack_env("a", workers=2), stack_env("b")
    STOP.extend([(script, A), (script, B)])
    t0 = time.time()
    rc, out = ts("up", A)
    check(rc == 0, "tpa-stack up (A) exited %d:\n%s" % (rc, out))
    status, _, _ = T.http_request(int(A["TPA_HTTP_PORT"]), "GET", "/healthz")
    check(status == 200, "after up, /healthz answered %d" % status)
    T.log("ok  up A in %.1f s: %s" % (time.time() - t0, out.strip().splitlines()[-1]))
    pids_a = recorded_pids(A["TPA_DATA_DIR"])
    check(set(pids_a) == {"redis", "gateway", "parser-1", "parser-2", "llm-1"},
          "run/*.pid of A: %s" % sorted(pids_a))
    check(all(alive(p) for p in pids_a.values()), "a recorded process of A is not running: %s" % pids_a)

    rc, out = ts("up", B)
    check(rc == 0, "tpa-stack up (B, beside A) exited %d:\n%s" % (rc, out))
    status, _, _ = T.http_request(int(B["TPA_HTTP_PORT"]), "GET", "/healthz")
    check(status == 200, "stack B /healthz answered %d" % status)
    rc, out = ts("status", A)
    check(rc == 0 and out.count("alive") == 5 and ("127.0.0.1:%s" % A["TPA_HTTP_PORT"]) in out,
          "status of A (exit %d):\n%s" % (rc, out))
    T.log("ok  B up beside A; status lists A's five processes and its URL")

    # A third stack whose Redis port is A's: refused, clearly, and nothing left running.
    C = stack_env("c")
    C["TPA_REDIS_PORT"] = A["TPA_REDIS_PORT"]
    rc, out = ts("up", C)
    check(rc != 0 and "TPA_REDIS_PORT" in out and "in use" in out,
          "up with a Redis port in use: exit %d, message:\n%s" % (rc, out))
    check(not [p for p in recorded_pids(C["TPA_DATA_DIR"]).values() if alive(p)],
          "the refused stack left processes running")
    T.log("ok  Redis port in use: refused with '%s'" % out.strip().splitlines()[0][:100])

    # down stops exactly what was recorded, and not a recycled pid.
    decoy = subprocess.Popen(["sleep", "60"])
    try:
        with open(os.path.join(A["TPA_DATA_DIR"], "run", "llm-9.pid"), "w") as f:
            f.write("%d\n" % decoy.pid)
        rc, out = ts("down", A)
        check(rc == 0, "down (A) exited %d:\n%s" % (rc, out))
        check(not [n for n, p in pids_a.items() if alive(p)],
              "after down, still running: %s" % [n for n, p in pids_a.items() if alive(p)])
        check(decoy.poll() is None, "down killed a pid that is not one of its programs")
    finally:
        decoy.kill()
        decoy.wait()
    status, _, _ = T.http_request(int(B["TPA_HTTP_PORT"]), "GET", "/healthz")
    check(status == 200, "stopping A disturbed B (/healthz %d)" % status)
    rc, out = ts("down", B)
    check(rc == 0, "down (B) exited %d:\n%s" % (rc, out))
    T.log("ok  down stops A's processes only (decoy pid and stack B untouched)")

    # run: foreground until SIGINT (what Ctrl-C sends), then everything stops.
    R = stack_env("r")
    p = subprocess.Popen([script, "run"], env=R, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + 40
    healthy = False
    while time.time() < deadline and p.poll() is None and not healthy:
        try:
            healthy = T.http_request(int(R["TPA_HTTP_PORT"]), "GET", "/healthz", timeout=1)[0] == 200
        except OSError:
            time.sleep(0.2)
    pids_r = recorded_pids(R["TPA_DATA_DIR"])
    p.send_signal(signal.SIGINT)
    out = p.communicate(timeout=60)[0].decode(errors="replace")
    check(healthy, "tpa-stack run never became healthy:\n%s" % out)
    check(not [n for n, q in pids_r.items() if alive(q)], "after Ctrl-C, still running: %s\n%s"
          % ([n for n, q in pids_r.items() if alive(q)], out))
    T.log("ok  run: healthy, Ctrl-C stopped all %d processes" % len(pids_r))
    return 0


WORKDIRS = []
STOP = []


def cleanup():
    for script, env in STOP:
        subprocess.run([script, "down"], env=env, capture_output=True, timeout=60)


def guarded():
    try:
        return main()
    finally:  # before run_main removes the data directories
        cleanup()


if __name__ == "__main__":
    T.run_main(guarded, workdirs=WORKDIRS)
