"""fake_openai - a local OpenAI-compatible chat-completions server for tpa-llm's tests.

Standard library only. Start it in-process:

    srv = FakeOpenAI(key="k", model="m"); srv.start(); srv.url  -> "http://127.0.0.1:PORT/v1"
    srv.set_mode("ok")          # or over HTTP: POST /control {"mode": "...", ...}
    srv.requests                # every request body received (parsed JSON), in order

Every POST /v1/chat/completions is checked: "Authorization: Bearer <key>" exactly when a
key is expected and no Authorization header otherwise (401), the model (400), the body
shape - messages with a system and a user message, response_format json_object (400).
Modes (what the next answers are):
  ok              a valid answer citing the digest's first finding, first flow and, in
                  the summary, every pseudonymised identity token found in the prompt
  reasoning       like ok, with a reasoning_content beside the content (must be ignored)
  retry429:N[:S]  N answers 429 with Retry-After: S (default 1), then ok
  fail500         always 500 (Retry-After: 0, so retries are quick)
  malformed       always content that is not JSON
  malformed_once  not JSON the first time, then (the repair) ok
  unknown_ids     ok, plus evidence ids that are not in the digest
  slow:S          sleep S seconds before answering ok
Run standalone: python3 fake_openai.py --port 8099 --key k --model m
"""
import argparse
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN_RE = re.compile(r"\b(?:IMSI|SUPI|SUCI|MSISDN|GPSI|IMEI|PEI|GUTI|TMSI|SIP|UEIP)-[0-9a-f]{6,}\b")


def digest_of(body):
    """The digest JSON inside the user message (after 'Digest:\\n')."""
    for m in body.get("messages", []):
        if m.get("role") == "user" and "Digest:\n" in m.get("content", ""):
            try:
                return json.loads(m["content"].split("Digest:\n", 1)[1])
            except ValueError:
                return {}
    return {}


def good_answer(body, extra_ids=()):
    d = digest_of(body)
    findings = d.get("findings") or []
    flows = d.get("top_flows") or []
    ev = []
    if findings:
        ev.append(findings[0]["id"])
    if flows:
        ev.append("flow:%d" % flows[0]["id"])
    ev.extend(extra_ids)
    prompt = json.dumps(d)
    tokens = sorted(set(TOKEN_RE.findall(prompt)))
    summary = "Fake model summary."
    if tokens:
        summary += " Subscribers involved: " + ", ".join(tokens) + "."
    insights = []
    if findings:
        insights.append({"target": findings[0]["id"], "text": "Fake insight on the finding."})
    if flows:
        insights.append({"target": "flow:%d" % flows[0]["id"], "text": "Fake flow insight."})
    return {
        "insights": insights,
        "rca": {"summary": summary,
                "root_causes": [{"title": "Fake root cause", "confidence": 0.8,
                                 "explanation": "Because the fake server says so.",
                                 "evidence": ev, "recommendation": "Check the fake."}],
                "next_steps": ["Run the real model."]},
    }


class FakeOpenAI:
    def __init__(self, key=None, model="test-model", port=0):
        self.key, self.model = key, model
        self.lock = threading.Lock()
        self.requests = []      # parsed request bodies, in order
        self.rejects = []       # (status, reason) of requests refused by the checks
        self.mode, self.count = "ok", 0
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d/v1" % self.port
        self.thread = None

    def start(self):
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def set_mode(self, mode):
        with self.lock:
            self.mode, self.count = mode, 0

    def bodies(self):
        with self.lock:
            return list(self.requests)

    def _handler(self):
        fake = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def reply(self, status, obj, headers=None):
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(data)
                except OSError:
                    pass

            def do_GET(self):
                if self.path == "/requests":
                    self.reply(200, fake.bodies())
                else:
                    self.reply(404, {"error": "not found"})

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path == "/control":
                    fake.set_mode(json.loads(raw)["mode"])
                    return self.reply(200, {"mode": fake.mode})
                if self.path != "/v1/chat/completions":
                    return self.reply(404, {"error": "not found"})
                try:
                    body = json.loads(raw)
                except ValueError:
                    return self.refuse(400, "body is not JSON")
                with fake.lock:
                    fake.requests.append(body)
                    fake.count += 1
                    n, mode = fake.count, fake.mode
                auth = self.headers.get("Authorization")
                if fake.key and auth != "Bearer " + fake.key:
                    return self.refuse(401, "bad Authorization %r" % (auth and auth[:7]))
                if not fake.key and auth is not None:
                    return self.refuse(401, "unexpected Authorization header")
                if body.get("model") != fake.model:
                    return self.refuse(400, "model %r" % body.get("model"))
                roles = [m.get("role") for m in body.get("messages", [])]
                if roles[:2] != ["system", "user"] or \
                        body.get("response_format") != {"type": "json_object"}:
                    return self.refuse(400, "body shape: roles %r" % roles)
                self.answer(mode, n, body)

            def refuse(self, status, why):
                with fake.lock:
                    fake.rejects.append((status, why))
                self.reply(status, {"error": {"message": why}})

            def completion(self, content, reasoning=None):
                msg = {"role": "assistant", "content": content}
                if reasoning is not None:
                    msg["reasoning_content"] = reasoning
                self.reply(200, {"id": "chatcmpl-fake", "object": "chat.completion",
                                 "model": fake.model,
                                 "choices": [{"index": 0, "message": msg,
                                              "finish_reason": "stop"}],
                                 "usage": {"prompt_tokens": 100, "completion_tokens": 20,
                                           "total_tokens": 120}})

            def answer(self, mode, n, body):
                name, _, arg = mode.partition(":")
                if name == "retry429":
                    count, _, after = arg.partition(":")
                    if n <= int(count or 1):
                        return self.reply(429, {"error": {"message": "slow down"}},
                                          {"Retry-After": after or "1"})
                if name == "fail500":
                    return self.reply(500, {"error": {"message": "boom"}}, {"Retry-After": "0"})
                if name == "malformed" or (name == "malformed_once" and n == 1):
                    return self.completion("this is {not json at all")
                if name == "slow":
                    time.sleep(float(arg or 10))
                extra = ["F999", "flow:424242"] if name == "unknown_ids" else []
                content = json.dumps(good_answer(body, extra))
                if name == "reasoning":
                    return self.completion(content, reasoning='{"rca": "thinking, not the answer"')
                self.completion(content)

        return H


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8099)
    ap.add_argument("--key")
    ap.add_argument("--model", default="test-model")
    a = ap.parse_args()
    s = FakeOpenAI(a.key, a.model, a.port)
    print("listening on", s.url, flush=True)
    s.server.serve_forever()
