"""Black-box harness: starts redis-server and zaqard on free loopback ports, talks HTTP.

Shared by the pytest suites (conftest.py) and the Zaqar compat runner, so it uses only the
standard library. Every process it starts is stopped by PID; zaqard's stderr is kept in a
file and checked for sanitizer reports, because a leak or UB that does not crash would
otherwise go unnoticed.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port, proc, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited early with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout}s")


def _stop_pid(proc, timeout=20.0):
    """SIGTERM, then SIGKILL if it does not go; returns the exit code."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


class RedisProcess:
    """A private redis-server; `appendonly` makes restarts keep acknowledged data."""

    def __init__(self, workdir, port=None, appendonly=False):
        self.binary = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")
        self.workdir = workdir
        self.port = port or free_port()
        self.appendonly = appendonly
        self.proc = None
        os.makedirs(workdir, exist_ok=True)

    def start(self):
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "yes" if self.appendonly else "no",
                "--dir", self.workdir, "--protected-mode", "no"]
        if self.appendonly:
            args += ["--appendfsync", "always"]
        log = open(os.path.join(self.workdir, "redis.log"), "ab")
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        _wait_port(self.port, self.proc, 10, "redis-server")
        return self

    def kill(self):
        """SIGKILL: simulates a crash (no shutdown save)."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self):
        if self.proc:
            _stop_pid(self.proc)

    def command(self, *args):
        """Sends one command with the RESP protocol; returns the raw reply bytes."""
        parts = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"".join(parts))
            return s.recv(65536)


def write_config(path, http_port, redis_port, extra=None, ws_port=0):
    """A zaqar.conf in Zaqar's own section/option names; `extra` = {section: {opt: val}}.
    ws_port 0: zaqard picks a free WebSocket port (never the shared default 9000)."""
    sections = {
        "DEFAULT": {"admin_mode": "true"},
        "drivers": {"transport": "wsgi", "message_store": "redis",
                    "management_store": "redis"},
        "drivers:transport:wsgi": {"bind": "127.0.0.1", "port": str(http_port)},
        "drivers:transport:websocket": {"bind": "127.0.0.1", "port": str(ws_port)},
        "drivers:message_store:redis": {"uri": f"redis://127.0.0.1:{redis_port}"},
        "drivers:management_store:redis": {"uri": f"redis://127.0.0.1:{redis_port}"},
        "zaqard": {"shards": "2"},
    }
    for section, opts in (extra or {}).items():
        sections.setdefault(section, {}).update({k: str(v) for k, v in opts.items()})
    with open(path, "w") as f:
        for section, opts in sections.items():
            f.write(f"[{section}]\n")
            for k, v in opts.items():
                f.write(f"{k} = {v}\n")
            f.write("\n")


def redis_commands(port, *commands, db=0):
    """Runs the commands on one connection (after SELECT db); returns the raw replies."""
    parts = []
    for args in (("SELECT", db),) + commands:
        parts.append(b"*%d\r\n" % len(args))
        for a in args:
            a = str(a).encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"".join(parts))
        data = b""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            data += s.recv(65536)
            if data.endswith(b"\r\n") and data.count(b"\r\n") >= 2:
                break
        return data


def queue_keys(port, db=0):
    """Names of the queues whose z:q:{project/queue} hash is on that server/db."""
    reply = redis_commands(port, ("KEYS", "z:q:*"), db=db).decode()
    return {line.split("/", 1)[1].rstrip("}") for line in reply.split("\r\n")
            if line.startswith("z:q:{")}


class ZaqardProcess:
    def __init__(self, workdir, redis_port, extra_config=None, name="zaqard"):
        self.binary = os.environ.get("ZAQARD_BIN")
        if not self.binary:
            raise RuntimeError("ZAQARD_BIN is not set (path of the zaqard executable)")
        self.workdir = workdir
        self.port = free_port()
        self.ws_port = free_port()
        self.config_path = os.path.join(workdir, f"{name}.conf")
        self.stderr_path = os.path.join(workdir, f"{name}.stderr")
        self.stdout_path = os.path.join(workdir, f"{name}.stdout")
        write_config(self.config_path, self.port, redis_port, extra_config, self.ws_port)
        self.proc = None

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self):
        return f"ws://127.0.0.1:{self.ws_port}/"

    def start(self, timeout=30.0, any_status=False):
        """any_status: ready as soon as HTTP answers (for a zaqard without a Redis)."""
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
        env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
        with open(self.stdout_path, "ab") as out, open(self.stderr_path, "ab") as err:
            self.proc = subprocess.Popen([self.binary, "--config", self.config_path],
                                         stdout=out, stderr=err, env=env)
        self.wait_ready(timeout, any_status)
        return self

    def wait_ready(self, timeout, any_status=False):
        """Ready = GET /v2/ping answers at all (204, or 503 while Redis is still coming)."""
        deadline = time.monotonic() + timeout
        probe = Client(self.base_url, project="harness-probe")
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"zaqard exited early with {self.proc.returncode}:\n"
                                   + self.stderr_text()[-4000:])
            try:
                r = probe.get("/v2/ping", timeout=1)
                if r.status == 204 or any_status:
                    return
                last = r.status
            except OSError as e:
                last = e
            time.sleep(0.05)
        raise RuntimeError(f"zaqard not ready within {timeout}s (last: {last}):\n"
                           + self.stderr_text()[-4000:])

    def stderr_text(self):
        try:
            with open(self.stderr_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def sanitizer_report(self):
        text = self.stderr_text()
        for marker in SANITIZER_MARKERS:
            i = text.find(marker)
            if i >= 0:
                return text[max(0, i - 200):i + 4000]
        return None

    def stop(self, timeout=20.0):
        """Graceful stop; returns the exit code (None if never started)."""
        if not self.proc:
            return None
        return _stop_pid(self.proc, timeout)

    def problems(self):
        """What is wrong with how zaqard ended: [] when it exited 0 and stderr is clean."""
        out = []
        if self.proc and self.proc.returncode not in (0, None):
            out.append(f"zaqard exited with {self.proc.returncode}")
        report = self.sanitizer_report()
        if report:
            out.append("sanitizer report on zaqard's stderr:\n" + report)
        if out:
            out.append("stderr tail:\n" + self.stderr_text()[-3000:])
        return out


class Response:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers  # http.client.HTTPMessage: case-insensitive .get()
        self.body = body
        self._json = None
        self._parsed = False

    @property
    def json(self):
        if not self._parsed:
            self._parsed = True
            self._json = json.loads(self.body.decode("utf-8")) if self.body else None
        return self._json

    def header(self, name):
        return self.headers.get(name)

    def __repr__(self):
        return f"<{self.status} {self.headers.items()} {self.body[:500]!r}>"


class Client:
    """Minimal Zaqar v2 client. Sends Client-ID/X-Project-ID unless set to None."""

    def __init__(self, base_url, project=None, client_id=None, extra_headers=None):
        u = urllib.parse.urlsplit(base_url)
        self.host, self.port = u.hostname, u.port
        self.base_url = base_url
        self.project = project if project is not None else str(uuid.uuid4())
        self.client_id = client_id or str(uuid.uuid4())
        self.extra_headers = dict(extra_headers or {})

    def other_client(self, client_id=None):
        """Same project, another Client-ID (for echo tests)."""
        return Client(self.base_url, self.project, client_id or str(uuid.uuid4()),
                      self.extra_headers)

    def other_project(self, project=None):
        return Client(self.base_url, project or str(uuid.uuid4()), self.client_id,
                      self.extra_headers)

    def request(self, method, path, body=None, headers=None, params=None, raw=None,
                timeout=30, default_headers=True):
        """body: JSON-serialised; raw: bytes sent as is. headers with value None are
        removed (to test missing headers)."""
        h = {}
        if default_headers:
            h["Client-ID"] = self.client_id
            h["X-Project-ID"] = self.project
            h.update(self.extra_headers)
        for k, v in (headers or {}).items():
            for existing in [e for e in h if e.lower() == k.lower()]:
                del h[existing]
            if v is not None:
                h[k] = v
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            if not any(k.lower() == "content-type" for k in h):
                h["Content-Type"] = "application/json"
        if params:
            query = urllib.parse.urlencode(params, doseq=True)
            path = path + ("&" if "?" in path else "?") + query
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            for k, v in h.items():
                conn.putheader(k, v)
            if data is not None:
                conn.putheader("Content-Length", str(len(data)))
            try:
                conn.endheaders(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered before reading everything: read that answer
            resp = conn.getresponse()
            body_bytes = resp.read()
            return Response(resp.status, resp.reason, resp.headers, body_bytes)
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def head(self, path, **kw):
        return self.request("HEAD", path, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body=body, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def options(self, path, **kw):
        return self.request("OPTIONS", path, **kw)

    # Conveniences for the common calls; they assert the success status so a test's
    # setup failing is reported at the line that failed.
    def create_queue(self, name, metadata=None):
        r = self.put(f"/v2/queues/{name}", body=metadata)
        assert r.status in (201, 204), r
        return r

    def post_messages(self, queue, messages):
        r = self.post(f"/v2/queues/{queue}/messages", body={"messages": messages})
        assert r.status == 201, r
        return [href.rsplit("/", 1)[1] for href in r.json["resources"]]

    def list_messages(self, queue, **params):
        params = {k: (str(v).lower() if isinstance(v, bool) else v) for k, v in params.items()}
        r = self.get(f"/v2/queues/{queue}/messages", params=params)
        assert r.status == 200, r
        return r.json

    def claim(self, queue, ttl=60, grace=60, limit=None):
        params = {"limit": limit} if limit is not None else None
        return self.post(f"/v2/queues/{queue}/claims", body={"ttl": ttl, "grace": grace},
                         params=params)


def rejected_connections(st):
    """A running stack's non-zero zaqard_connections_rejected_total samples, by reason."""
    text = st.client().get("/metrics", headers={"Accept": "text/plain"}).body.decode()
    out = {}
    for line in text.splitlines():
        if line.startswith("zaqard_connections_rejected_total{"):
            reason = line.split('reason="')[1].split('"')[0]
            value = int(float(line.rsplit(" ", 1)[1]))
            if value:
                out[reason] = value
    return out


def claim_id_of(claim_response):
    """The claim id from a 201 claim's Location, as python-zaqarclient would get it."""
    return claim_response.header("Location").rsplit("/", 1)[1]


def message_ids(messages):
    return [m["id"] for m in messages]


class Stack:
    """redis-server + zaqard started together; `stop()` returns the list of problems."""

    def __init__(self, workdir, extra_config=None, appendonly=False):
        self.workdir = workdir
        self.redis = RedisProcess(os.path.join(workdir, "redis"), appendonly=appendonly)
        self.zaqard = None
        self.extra_config = extra_config

    def start(self):
        self.redis.start()
        try:
            self.zaqard = ZaqardProcess(self.workdir, self.redis.port, self.extra_config)
            self.zaqard.start()
        except BaseException:
            if self.zaqard and self.zaqard.proc:
                self.zaqard.stop()
            self.redis.stop()
            raise
        return self

    @property
    def base_url(self):
        return self.zaqard.base_url

    def client(self, **kw):
        return Client(self.base_url, **kw)

    def stop(self):
        problems = []
        if self.zaqard:
            self.zaqard.stop()
            problems = self.zaqard.problems()
        self.redis.stop()
        return problems


def running_stack(workdir, **kwargs):
    """For pytest fixtures (`yield from running_stack(...)`): starts a Stack, yields it,
    and at teardown fails the test when zaqard exited badly or reported a sanitizer error."""
    import pytest  # only fixtures need it; the compat runner imports this module too
    st = Stack(workdir, **kwargs)
    st.start()
    yield st
    problems = st.stop()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


class QuietHttpHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler base for the tests' own servers; no access log."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass


def serve_http_in_thread(port, handler_class):
    """A ThreadingHTTPServer for `handler_class` on 127.0.0.1:`port` (0: a free one),
    serving from a daemon thread; stop it with stop_http_server()."""
    server = ThreadingHTTPServer(("127.0.0.1", port), handler_class)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def stop_http_server(server):
    server.shutdown()
    server.server_close()
