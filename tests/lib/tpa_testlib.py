"""tpa_testlib - helpers for tpa's Python tests (standard library only).

Processes: every process started here runs in its own process group, gets
SIGTERM if the test process dies (PR_SET_PDEATHSIG), writes its stdout/stderr
to a log file, and is stopped (SIGTERM, then SIGKILL) by stop_all(), which is
registered with atexit and also runs on SIGTERM/SIGINT/SIGHUP.

    redis = start_redis(workdir)                  # real redis-server, free port
    stack = start_stack(bin_dir, workdir, redis, parsers=2, llms=1)
    status, hdrs, body = http_request(stack.http_port, "GET", "/healthz")
    status, doc = upload(stack.http_port, [("file", "a.pcap", "/path/a.pcap")])
    ws = WebSocket(stack.http_port, "/ws/jobs/" + job_id); ws.recv_json(timeout=5)

Exit code SKIP (77) tells ctest a test was skipped (SKIP_RETURN_CODE).
"""
import atexit
import base64
import ctypes
import hashlib
import http.client
import json
import os
import random
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import uuid

SKIP = 77

_procs = []  # every Proc started and not yet stopped, in start order


# ---------------------------------------------------------------- utilities

def log(*a):
    print(*a, flush=True)


class TestFailure(Exception):
    pass


def check(cond, what):
    """Raises TestFailure(what) unless cond."""
    if not cond:
        raise TestFailure(what)


_handed_out = set()  # ports returned already: never hand one out twice
_rnd = random.Random(os.getpid() ^ int(time.time() * 1e6))


def free_port():
    """A TCP port on 127.0.0.1 that nobody listens on right now (and that this
    process has not handed out before)."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port
    raise RuntimeError("no free port found")


def free_port_range(n):
    """A base port such that base..base+n-1 are all free (ZeroMQ uses base..base+2)."""
    for _ in range(200):
        base = _rnd.randrange(20000, 30000 - n)  # below the kernel's ephemeral range
        ports = range(base, base + n)
        if _handed_out.intersection(ports):
            continue
        socks = []
        try:
            for p in ports:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                socks.append(s)
                s.bind(("127.0.0.1", p))
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
        _handed_out.update(ports)
        return base
    raise RuntimeError("no range of %d free ports found" % n)


def port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def make_workdir(base=None, prefix="tpa-test-"):
    if base:
        os.makedirs(base, exist_ok=True)
    return tempfile.mkdtemp(prefix=prefix, dir=base)


# ---------------------------------------------------------------- processes

def _pdeathsig():
    """preexec_fn: the child gets SIGTERM when the test process dies."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # not Linux: atexit and signal handlers still stop children
        pass


class Proc:
    """A process in its own process group, output to log_path."""

    def __init__(self, name, argv, env, log_path, cwd=None):
        self.name, self.argv, self.log_path = name, argv, log_path
        self.expected_exit = False
        os.makedirs(os.path.dirname(log_path), exist_ok=True)
        self._log = open(log_path, "ab")
        self.p = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                  stdout=self._log, stderr=subprocess.STDOUT,
                                  start_new_session=True, preexec_fn=_pdeathsig)
        self.pid = self.p.pid
        self.returncode = None
        _procs.append(self)

    def alive(self):
        return self.p.poll() is None

    def signal(self, sig):
        if self.alive():
            try:
                os.killpg(self.pid, sig)
            except ProcessLookupError:
                pass

    def stop(self, timeout=10.0):
        """SIGTERM the process group, SIGKILL after timeout. Returns the exit code
        (negative = killed by that signal)."""
        if self.alive():
            self.signal(signal.SIGCONT)
            self.signal(signal.SIGTERM)
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                log("%s (pid %d) ignored SIGTERM for %.0f s: SIGKILL" % (self.name, self.pid, timeout))
                self.signal(signal.SIGKILL)
                self.p.wait()
        # anything left in the group (helpers it forked)
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.returncode = self.p.returncode
        if not self._log.closed:
            self._log.close()
        if self in _procs:
            _procs.remove(self)
        return self.returncode

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def tail(self, n=40):
        return "\n".join(self.log_text().splitlines()[-n:])

    def sanitizer_report(self):
        """First line of an ASan/UBSan/LSan report in the log, or None."""
        for line in self.log_text().splitlines():
            if ("ERROR: AddressSanitizer" in line or "ERROR: LeakSanitizer" in line
                    or "runtime error:" in line or "ERROR: UndefinedBehaviorSanitizer" in line):
                return line.strip()
        return None


def stop_all():
    for p in reversed(list(_procs)):
        try:
            p.stop(timeout=5.0)
        except Exception as e:  # keep stopping the others
            log("stopping %s: %s" % (p.name, e))


def _on_signal(signum, frame):
    stop_all()
    sys.exit(128 + signum)


atexit.register(stop_all)
for _s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(_s, _on_signal)


def clean_env(extra=None):
    """The current environment without TPA_* settings or LLM keys (so the built-in
    analyst is used), plus extra."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TPA_") and k not in ("KIMI_API_KEY", "MOONSHOT_API_KEY",
                                                       "OPENAI_API_KEY")}
    env.update({k: str(v) for k, v in (extra or {}).items()})
    return env


# ---------------------------------------------------------------- redis

def redis_command(port, *args, host="127.0.0.1", timeout=5.0):
    """Sends one command (RESP) and returns the reply: str/int/list/None; raises on -ERR."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        req = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            req += b"$%d\r\n%s\r\n" % (len(a), a)
        s.sendall(req)
        f = s.makefile("rb")
        return _resp_read(f)


def _resp_read(f):
    line = f.readline()
    if not line:
        raise ConnectionError("redis closed the connection")
    kind, rest = line[:1], line[1:].rstrip(b"\r\n")
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        raise RuntimeError("redis: " + rest.decode())
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)[:n]
        return data.decode("utf-8", "replace")
    if kind == b"*":
        n = int(rest)
        return None if n < 0 else [_resp_read(f) for _ in range(n)]
    raise RuntimeError("redis: unexpected reply %r" % line)


class Redis:
    def __init__(self, proc, port, workdir):
        self.proc, self.port, self.dir = proc, port, workdir

    def cmd(self, *args):
        return redis_command(self.port, *args)

    def stop(self):
        return self.proc.stop()


def start_redis(workdir, port=None, timeout=15.0):
    """Starts a private redis-server (no persistence) on a free port; returns a Redis
    handle once it answers PING. Raises FileNotFoundError if redis-server is absent."""
    exe = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.path.exists(exe):
        raise FileNotFoundError("redis-server not found (install the Debian package redis-server)")
    rdir = os.path.join(workdir, "redis")
    os.makedirs(rdir, exist_ok=True)
    port = port or free_port()
    proc = Proc("redis", [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                          "--appendonly", "no", "--dir", rdir, "--daemonize", "no"],
                os.environ.copy(), os.path.join(workdir, "log", "redis.log"))
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not proc.alive():
            raise RuntimeError("redis-server exited: " + proc.tail())
        try:
            if redis_command(port, "PING", timeout=1.0) == "PONG":
                return Redis(proc, port, rdir)
        except (OSError, RuntimeError, ConnectionError):
            pass
        time.sleep(0.05)
    proc.stop()
    raise RuntimeError("redis-server did not answer PING within %.0f s" % timeout)


# ---------------------------------------------------------------- HTTP

def http_request(port, method, path, body=None, headers=None, host="127.0.0.1", timeout=30.0):
    """One request with http.client. Returns (status, headers dict lower-case, body bytes)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    finally:
        conn.close()


def http_json(port, method, path, **kw):
    """Like http_request; returns (status, parsed JSON or None, body bytes)."""
    status, hdrs, data = http_request(port, method, path, **kw)
    try:
        doc = json.loads(data.decode("utf-8")) if data else None
    except ValueError:
        doc = None
    return status, doc, data


def check_error_doc(doc, raw, what):
    """Asserts the body is {"error":{"code":...,"message":...}}."""
    check(isinstance(doc, dict) and isinstance(doc.get("error"), dict)
          and "code" in doc["error"] and isinstance(doc["error"].get("message"), str)
          and doc["error"]["message"],
          '%s: body is not {"error":{"code","message"}}: %r' % (what, raw[:300]))


def _multipart_parts(files, fields, boundary):
    """Yields (bytes or path) pieces of a multipart/form-data body."""
    parts = []
    for name, value in (fields or {}).items():
        parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
                      % (boundary, name, value)).encode())
    for field, filename, src in files:
        parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                      "Content-Type: application/octet-stream\r\n\r\n"
                      % (boundary, field, filename)).encode())
        parts.append(src)  # bytes, or a path to stream
        parts.append(b"\r\n")
    parts.append(("--%s--\r\n" % boundary).encode())
    return parts


def upload(port, files, fields=None, path="/api/v1/jobs", host="127.0.0.1", timeout=120.0,
           chunk=256 * 1024, chunked=False):
    """POSTs multipart/form-data with one part per (field, filename, bytes-or-path).

    The body is streamed from disk, with a Content-Length, or with chunked transfer
    encoding and no length (chunked=True). If the server answers before the body is
    sent (413 on a Content-Length over the limit, for instance), sending stops and
    that answer is returned. Returns (status, parsed JSON or None, raw body bytes)."""
    boundary = "tpa-" + uuid.uuid4().hex
    parts = _multipart_parts(files, fields, boundary)
    length = sum(os.path.getsize(p) if isinstance(p, str) else len(p) for p in parts)
    head = ("POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: multipart/form-data; boundary=%s\r\n"
            "%s\r\nConnection: close\r\n\r\n"
            % (path, host, port, boundary,
               "Transfer-Encoding: chunked" if chunked else "Content-Length: %d" % length))
    s = socket.create_connection((host, port), timeout=timeout)
    try:
        answered = False

        def send(data, raw=False):
            nonlocal answered
            if chunked and not raw:
                if not data:
                    return
                data = b"%x\r\n" % len(data) + bytes(data) + b"\r\n"
            view = memoryview(data)
            while view and not answered:
                r, w, _ = select.select([s], [s], [], timeout)
                if r:
                    answered = True  # the server spoke first: stop sending
                    return
                if w:
                    try:
                        n = s.send(view[:65536])
                    except (BrokenPipeError, ConnectionResetError):
                        answered = True
                        return
                    view = view[n:]

        send(head.encode(), raw=True)
        for p in parts:
            if answered:
                break
            if isinstance(p, str):
                with open(p, "rb") as f:
                    while not answered:
                        data = f.read(chunk)
                        if not data:
                            break
                        send(data)
            else:
                send(p)
        if chunked and not answered:
            send(b"0\r\n\r\n", raw=True)
        return _read_response(s, timeout)
    finally:
        s.close()


def _read_response(s, timeout):
    s.settimeout(timeout)
    buf = b""
    try:
        while True:
            data = s.recv(65536)
            if not data:
                break
            buf += data
            status, hdrs, body, complete = _parse_response(buf)
            if complete:
                break
    except ConnectionResetError:
        if not buf:
            raise
    status, hdrs, body, _ = _parse_response(buf)
    if status is None:
        raise ConnectionError("no HTTP response (got %r)" % buf[:200])
    try:
        doc = json.loads(body.decode("utf-8")) if body else None
    except ValueError:
        doc = None
    return status, doc, body


def _parse_response(buf):
    """(status, headers, body, complete) from the bytes received so far."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None, {}, b"", False
    lines = buf[:end].decode("latin-1").split("\r\n")
    try:
        status = int(lines[0].split()[1])
    except (IndexError, ValueError):
        return None, {}, b"", False
    hdrs = {}
    for ln in lines[1:]:
        if ":" in ln:
            k, v = ln.split(":", 1)
            hdrs[k.strip().lower()] = v.strip()
    body = buf[end + 4:]
    if "chunked" in hdrs.get("transfer-encoding", "").lower():
        out, pos = b"", 0
        while True:
            nl = body.find(b"\r\n", pos)
            if nl < 0:
                return status, hdrs, out, False
            size = int(body[pos:nl].split(b";")[0] or b"0", 16)
            if size == 0:
                return status, hdrs, out, True
            if len(body) < nl + 2 + size + 2:
                return status, hdrs, out, False
            out += body[nl + 2:nl + 2 + size]
            pos = nl + 2 + size + 2
    if "content-length" in hdrs:
        n = int(hdrs["content-length"])
        return status, hdrs, body[:n], len(body) >= n
    return status, hdrs, body, False


# ---------------------------------------------------------------- WebSocket (RFC 6455)

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class WebSocketClosed(Exception):
    pass


class WebSocket:
    """A minimal RFC 6455 client: client handshake (4.1), masked frames (5.3),
    text/binary messages with continuation frames (5.4), ping -> pong, close."""

    def __init__(self, port, path, host="127.0.0.1", timeout=10.0):
        self.s = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall(("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                        "Sec-WebSocket-Version: 13\r\n\r\n" % (path, host, port, key)).encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            data = self.s.recv(4096)
            if not data:
                raise ConnectionError("WebSocket handshake: connection closed: %r" % self.buf[:200])
            self.buf += data
        end = self.buf.index(b"\r\n\r\n")
        head, self.buf = self.buf[:end].decode("latin-1"), self.buf[end + 4:]
        lines = head.split("\r\n")
        self.status = int(lines[0].split()[1])
        hdrs = {}
        for ln in lines[1:]:
            if ":" in ln:
                k, v = ln.split(":", 1)
                hdrs[k.strip().lower()] = v.strip()
        if self.status != 101:
            self.s.close()
            raise ConnectionError("WebSocket handshake refused: %s" % lines[0])
        want = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        if hdrs.get("sec-websocket-accept") != want:
            self.s.close()
            raise ConnectionError("WebSocket handshake: bad Sec-WebSocket-Accept %r"
                                  % hdrs.get("sec-websocket-accept"))
        self.closed = False

    def _recv_exact(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError("WebSocket: no message within the timeout")
            self.s.settimeout(left)
            try:
                data = self.s.recv(65536)
            except socket.timeout:
                raise TimeoutError("WebSocket: no message within the timeout")
            if not data:
                self.closed = True
                raise WebSocketClosed("connection closed by the server")
            self.buf += data
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send_frame(self, opcode, payload=b"", fin=True):
        mask = os.urandom(4)
        n = len(payload)
        hdr = bytes([(0x80 if fin else 0) | opcode])
        if n < 126:
            hdr += bytes([0x80 | n])
        elif n < 65536:
            hdr += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            hdr += bytes([0x80 | 127]) + struct.pack("!Q", n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.s.sendall(hdr + mask + masked)

    def send_text(self, text):
        self.send_frame(0x1, text.encode())

    def recv(self, timeout=10.0):
        """Next text/binary message (str or bytes). Answers pings; raises
        WebSocketClosed on a close frame, TimeoutError after timeout."""
        deadline = time.time() + timeout
        msg, msg_op = b"", None
        while True:
            b0, b1 = self._recv_exact(2, deadline)
            fin, op, n = b0 & 0x80, b0 & 0x0F, b1 & 0x7F
            if b1 & 0x80:
                raise ConnectionError("WebSocket: server frame is masked (RFC 6455 5.1)")
            if n == 126:
                n = struct.unpack("!H", self._recv_exact(2, deadline))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._recv_exact(8, deadline))[0]
            payload = self._recv_exact(n, deadline)
            if op == 0x8:  # close: answer and report
                try:
                    self.send_frame(0x8, payload[:2])
                except OSError:
                    pass
                self.closed = True
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                raise WebSocketClosed("close frame, code %s" % code)
            if op == 0x9:
                self.send_frame(0xA, payload)
                continue
            if op == 0xA:
                continue
            if op in (0x1, 0x2):
                msg, msg_op = payload, op
            elif op == 0x0:
                msg += payload
            else:
                raise ConnectionError("WebSocket: unknown opcode %d" % op)
            if fin:
                return msg.decode("utf-8") if msg_op == 0x1 else msg

    def recv_json(self, timeout=10.0):
        return json.loads(self.recv(timeout))

    def close(self):
        if not self.closed:
            try:
                self.send_frame(0x8, struct.pack("!H", 1000))
            except OSError:
                pass
            self.closed = True
        self.s.close()


# ---------------------------------------------------------------- the stack

class Stack:
    """tpa-gateway + parsers + LLM workers started by start_stack()."""

    def __init__(self, bin_dir, workdir, redis, env, http_port, zmq_port):
        self.bin_dir, self.dir, self.redis, self.env = bin_dir, workdir, redis, env
        self.http_port, self.zmq_port = http_port, zmq_port
        self.url = "http://127.0.0.1:%d" % http_port
        self.gateway, self.parsers, self.llms = None, [], []

    def procs(self):
        return [p for p in [self.gateway] + self.parsers + self.llms if p]

    def start_proc(self, prog, name):
        exe = os.path.join(self.bin_dir, prog)
        if not os.access(exe, os.X_OK):
            raise FileNotFoundError("%s not built (%s)" % (prog, exe))
        return Proc(name, [exe], self.env, os.path.join(self.dir, "log", name + ".log"))

    def add_parser(self):
        p = self.start_proc("tpa-parser", "tpa-parser-%d" % (len(self.parsers) + 1))
        self.parsers.append(p)
        return p

    def add_llm(self):
        p = self.start_proc("tpa-llm", "tpa-llm-%d" % (len(self.llms) + 1))
        self.llms.append(p)
        return p

    def wait_healthy(self, timeout=30.0):
        deadline = time.time() + timeout
        last = "no answer"
        while time.time() < deadline:
            for p in self.procs():
                if not p.alive():
                    raise TestFailure("%s exited early (code %s):\n%s"
                                      % (p.name, p.p.returncode, p.tail()))
            try:
                status, _, body = http_request(self.http_port, "GET", "/healthz", timeout=2.0)
                if status == 200:
                    return
                last = "status %d %r" % (status, body[:100])
            except OSError as e:
                last = str(e)
            time.sleep(0.1)
        raise TestFailure("GET /healthz did not answer 200 within %.0f s (%s)" % (timeout, last))

    def dump_logs(self, n=60, out=sys.stderr):
        for p in self.procs() + ([self.redis.proc] if self.redis else []):
            out.write("----- %s (pid %d) log %s, last %d lines -----\n%s\n"
                      % (p.name, p.pid, p.log_path, n, p.tail(n)))
        out.flush()

    def stop(self):
        """Stops the workers then the gateway. Returns a list of problems: a process
        that died before we stopped it, exited with an error on SIGTERM, or whose log
        holds a sanitizer report."""
        problems = []
        for p in self.llms + self.parsers + ([self.gateway] if self.gateway else []):
            died_before = not p.alive()
            rc = p.stop()
            if died_before and not p.expected_exit:
                problems.append("%s died during the test (exit %s)" % (p.name, rc))
            elif rc not in (0, -signal.SIGTERM):
                problems.append("%s exited with %s on SIGTERM" % (p.name, rc))
            rep = p.sanitizer_report()
            if rep:
                problems.append("%s: %s" % (p.name, rep))
        return problems


def start_stack(bin_dir, workdir, redis, parsers=2, llms=1, env=None, http_port=None,
                zmq_port=None, wait=True, timeout=30.0):
    """Starts tpa-gateway, `parsers` tpa-parser and `llms` tpa-llm with TPA_* pointing
    at redis and at free HTTP/ZeroMQ ports, and waits for GET /healthz = 200.
    env: extra TPA_* settings (e.g. {"TPA_MAX_UPLOAD_MB": 1})."""
    http_port = http_port or free_port()
    zmq_port = zmq_port or free_port_range(3)
    data_dir = os.path.join(workdir, "data")
    os.makedirs(data_dir, exist_ok=True)
    settings = {
        "TPA_HTTP_PORT": http_port, "TPA_HTTP_BIND": "127.0.0.1", "TPA_DATA_DIR": data_dir,
        "TPA_REDIS_HOST": "127.0.0.1", "TPA_REDIS_PORT": redis.port,
        "TPA_GATEWAY_HOST": "127.0.0.1", "TPA_ZMQ_BIND": "127.0.0.1", "TPA_ZMQ_PORT": zmq_port,
        "TPA_CLUSTER_TOKEN": uuid.uuid4().hex, "TPA_LOG_LEVEL": "info",
    }
    settings.update(env or {})
    st = Stack(bin_dir, workdir, redis, clean_env(settings), http_port, zmq_port)
    st.gateway = st.start_proc("tpa-gateway", "tpa-gateway")
    if wait:
        st.wait_healthy(timeout)
    for _ in range(parsers):
        st.add_parser()
    for _ in range(llms):
        st.add_llm()
    time.sleep(0.2)
    for p in st.procs():
        if not p.alive():
            raise TestFailure("%s exited at start (code %s):\n%s" % (p.name, p.p.returncode, p.tail()))
    return st


# ---------------------------------------------------------------- generator and CLI

def pcapgen(bin_dir, out, *args):
    """Runs tpa-pcapgen -o out args...; returns its JSON summary."""
    exe = os.path.join(bin_dir, "tpa-pcapgen")
    r = subprocess.run([exe, "-o", out] + [str(a) for a in args], capture_output=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError("tpa-pcapgen %s failed: %s" % (" ".join(map(str, args)),
                                                          r.stderr.decode(errors="replace")))
    return json.loads(r.stdout)


def flow_key(proto, a, ap, b, bp):
    """Direction-independent key of a flow."""
    x, y = sorted([(str(a), int(ap)), (str(b), int(bp))])
    return (str(proto).lower(), x, y)


def compare_result(expected, doc, what, check_dirs=True):
    """Compares a result document with a tpa-pcapgen summary: capture packets and
    bytes, the set of TCP/UDP flows, and each flow's orientation, packets, bytes
    (and per-direction counts when present). Returns a list of differences."""
    diffs = []
    cap = doc.get("capture") if isinstance(doc, dict) else None
    if not isinstance(cap, dict):
        return ["%s: result has no capture object" % what]
    for k in ("packets", "bytes"):
        if cap.get(k) != expected[k]:
            diffs.append("%s: capture.%s = %r, wrote %r" % (what, k, cap.get(k), expected[k]))
    ours = {}
    for f in doc.get("flows") or []:
        if str(f.get("proto", "")).lower() not in ("tcp", "udp"):
            continue
        try:
            key = flow_key(f["proto"], f["src"], f["sport"], f["dst"], f["dport"])
        except (KeyError, TypeError, ValueError):
            diffs.append("%s: flow without proto/src/sport/dst/dport: %r" % (what, f))
            continue
        if key in ours:
            diffs.append("%s: flow %s reported twice" % (what, key))
        ours[key] = f
    want = {flow_key(f["proto"], f["src"], f["sport"], f["dst"], f["dport"]): f
            for f in expected["flows"]}
    for key, w in want.items():
        f = ours.get(key)
        if f is None:
            diffs.append("%s: missing flow %s %s:%s -> %s:%s" % (what, w["proto"], w["src"], w["sport"],
                                                              w["dst"], w["dport"]))
            continue
        name = "%s flow %s %s:%s -> %s:%s" % (what, w["proto"], w["src"], w["sport"], w["dst"], w["dport"])
        if (str(f["src"]), int(f["sport"])) != (w["src"], w["sport"]):
            diffs.append("%s: src is %s:%s, but the first packet came from %s:%s"
                         % (name, f["src"], f["sport"], w["src"], w["sport"]))
        for k in ("packets", "bytes"):
            if f.get(k) != w[k]:
                diffs.append("%s: %s = %r, wrote %r" % (name, k, f.get(k), w[k]))
        if "tunnel" in w:
            diffs += _compare_tunnel(name, w["tunnel"], f.get("tunnel"), doc)
        if check_dirs:
            for d in ("a_to_b", "b_to_a"):
                if isinstance(f.get(d), dict):
                    for k in ("packets", "bytes"):
                        if f[d].get(k) != w[d][k]:
                            diffs.append("%s: %s.%s = %r, wrote %r" % (name, d, k, f[d].get(k), w[d][k]))
    for key in ours:
        if key not in want:
            diffs.append("%s: unexpected flow %s" % (what, key))
    return diffs


def _compare_tunnel(name, want, got, doc):
    """GTP-U context of an inner flow: teid (first packet), teid_reverse, qfi, and
    outer_flow naming the flow between the tunnel endpoints."""
    if not isinstance(got, dict):
        return ["%s: no tunnel object (carried in GTP-U %s -> %s)" % (name, want["outer"]["src"], want["outer"]["dst"])]
    diffs = []
    for k in ("teid", "teid_reverse", "qfi"):
        if k in want and got.get(k) != want[k]:
            diffs.append("%s: tunnel.%s = %r, wrote %r" % (name, k, got.get(k), want[k]))
    outer = [f for f in doc.get("flows") or [] if f.get("id") == got.get("outer_flow")]
    ends = {want["outer"]["src"], want["outer"]["dst"]}
    if len(outer) != 1 or {str(outer[0].get("src")), str(outer[0].get("dst"))} != ends:
        diffs.append("%s: tunnel.outer_flow = %r is not the flow %s <-> %s"
                     % (name, got.get("outer_flow"), want["outer"]["src"], want["outer"]["dst"]))
    return diffs


def compare_messages(expected, doc, what):
    """messages[] counts against the generator's, for every (protocol, code) it wrote
    and every code reported for those protocols."""
    diffs = []
    want = {(m["protocol"], str(m["code"])): m["count"] for m in expected.get("messages", [])}
    protos = {p for p, _ in want}
    got = {}
    for m in doc.get("messages") or []:
        k = (str(m.get("protocol", "")).lower(), str(m.get("code")))
        if k[0] in protos:
            got[k] = got.get(k, 0) + int(m.get("count", 0))
    for k in sorted(set(want) | set(got)):
        if got.get(k, 0) != want.get(k, 0):
            diffs.append("%s: messages %s %s = %s, wrote %s" % (what, k[0], k[1], got.get(k, 0), want.get(k, 0)))
    return diffs


# ---------------------------------------------------------------- test runner

def run_main(main, stacks=None, workdirs=None):
    """Runs main(); prints the traceback and the processes' logs on failure; stops
    every process. stacks and workdirs are lists main() may append to: the stacks are
    stopped (and checked, see Stack.stop), the directories removed after a success and
    kept after a failure. Exits 0 on success, 1 on failure, SKIP when main returns SKIP."""
    stacks = stacks if stacks is not None else []
    rc = 1
    try:
        rc = main() or 0
    except TestFailure as e:
        log("FAIL: %s" % e)
    except Exception:
        traceback.print_exc()
    if rc not in (0, SKIP):
        for st in stacks:
            st.dump_logs()
    for st in stacks:
        problems = st.stop()
        for pr in problems:
            log("FAIL: %s" % pr)
        if problems and rc == 0:
            for p in st.procs():
                if p.sanitizer_report() or (p.returncode not in (0, -signal.SIGTERM)):
                    sys.stderr.write("----- %s log -----\n%s\n" % (p.name, p.tail(80)))
            rc = 1
    stop_all()
    for d in workdirs or []:
        if rc in (0, SKIP):
            shutil.rmtree(d, ignore_errors=True)
        else:
            log("test files kept in %s" % d)
    sys.exit(rc)
