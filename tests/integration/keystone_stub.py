"""A small Keystone v3 token service, ONLY for faults a real Keystone cannot produce on
cue: answering 500, or answering slower than zaqard's http_connect_timeout. Everything
else is tested against a real Keystone (keystone_server.py).

stdlib http.server on 127.0.0.1 and a free port, run in a thread of the test process:
  POST /v3/auth/tokens  password login of the service user, project scope
                        -> 201, X-Subject-Token, {"token": {...}}
  GET  /v3/auth/tokens  X-Auth-Token = a service token (else 401),
                        X-Subject-Token = a user token -> 200 {"token": ...}, 404 if unknown
                        or expired
Tests issue user tokens (project, roles, lifetime), count requests per kind, and can make
the service slow (`delay`) or fail (`fail_status`, e.g. 500) to test outages.
"""

import datetime
import json
import threading
import time
import uuid

from zaqard_harness import QuietHttpHandler, serve_http_in_thread, stop_http_server


def _iso(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ")


class KeystoneStub:
    def __init__(self, username="zaqar", password="secret", project="service",
                 service_token_ttl=3600, port=0):
        self.username = username
        self.password = password
        self.service_project = project
        self.service_token_ttl = service_token_ttl
        self.port = port  # 0: a free one
        self.tokens = {}        # user token id -> token document body
        self.service_tokens = {}  # service token id -> expires (epoch)
        self.counts = {"login": 0, "validate": 0}
        self.validated = []     # subject tokens asked about, in order
        self.delay = 0.0        # seconds before answering
        self.fail_status = None  # e.g. 500: every request answers that
        self.lock = threading.Lock()
        self.server = None

    # -- control -------------------------------------------------------------------
    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        stub = self

        class Handler(QuietHttpHandler):
            def do_POST(self):
                stub._handle(self, "POST")

            def do_GET(self):
                stub._handle(self, "GET")

        self.server = serve_http_in_thread(self.port, Handler)
        return self

    def stop(self):
        if self.server:
            stop_http_server(self.server)

    def issue(self, project_id="proj-" + "a", roles=("member",), ttl=3600, user_id=None,
              project_name=None):
        """A user token scoped to `project_id`; returns its id."""
        token = "tok-" + uuid.uuid4().hex
        doc = {"token": {
            "methods": ["password"],
            "expires_at": _iso(time.time() + ttl),
            "issued_at": _iso(time.time()),
            "project": {"id": project_id, "name": project_name or project_id + "-name",
                        "domain": {"id": "default", "name": "Default"}},
            "user": {"id": user_id or "user-" + uuid.uuid4().hex[:8], "name": "alice",
                     "domain": {"id": "default", "name": "Default"}},
            "roles": [{"id": "r-" + r, "name": r} for r in roles],
            "is_domain": False,
        }}
        with self.lock:
            self.tokens[token] = doc
        return token

    def count(self, kind):
        with self.lock:
            return self.counts[kind]

    # -- protocol ------------------------------------------------------------------
    def _send(self, handler, status, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else b""
        handler.send_response(status)
        for k, v in (headers or {}).items():
            handler.send_header(k, v)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _handle(self, handler, method):
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        path = handler.path.split("?")[0]
        if self.delay:
            time.sleep(self.delay)
        if path != "/v3/auth/tokens":
            return self._send(handler, 404, {"error": {"code": 404, "title": "Not Found"}})
        kind = "login" if method == "POST" else "validate"
        with self.lock:
            self.counts[kind] += 1
            fail = self.fail_status
        if fail:
            return self._send(handler, fail, {"error": {"code": fail, "title": "Failure"}})
        if method == "POST":
            return self._login(handler, raw)
        return self._validate(handler)

    def _login(self, handler, raw):
        try:
            auth = json.loads(raw)["auth"]
            user = auth["identity"]["password"]["user"]
            project = auth["scope"]["project"]["name"]
        except (ValueError, KeyError, TypeError):
            return self._send(handler, 400, {"error": {"code": 400, "title": "Bad Request"}})
        if (user.get("name"), user.get("password")) != (self.username, self.password) or \
                project != self.service_project:
            return self._send(handler, 401, {"error": {"code": 401, "title": "Unauthorized"}})
        token = "svc-" + uuid.uuid4().hex
        expires = time.time() + self.service_token_ttl
        with self.lock:
            self.service_tokens[token] = expires
        body = {"token": {"expires_at": _iso(expires), "methods": ["password"],
                          "project": {"id": "svc-project", "name": project,
                                      "domain": {"id": "default", "name": "Default"}},
                          "user": {"id": "svc-user", "name": self.username,
                                   "domain": {"id": "default", "name": "Default"}},
                          "roles": [{"id": "r-service", "name": "service"}]}}
        self._send(handler, 201, body, {"X-Subject-Token": token})

    def _validate(self, handler):
        service = handler.headers.get("X-Auth-Token")
        subject = handler.headers.get("X-Subject-Token")
        with self.lock:
            expires = self.service_tokens.get(service)
            if expires is None or expires <= time.time():
                ok = False
            else:
                ok = True
                self.validated.append(subject)
            doc = self.tokens.get(subject)
        if not ok:
            return self._send(handler, 401, {"error": {"code": 401, "title": "Unauthorized"}})
        if doc is None:
            return self._send(handler, 404, {"error": {"code": 404, "title": "Not Found"}})
        expires_at = datetime.datetime.strptime(
            doc["token"]["expires_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
                tzinfo=datetime.timezone.utc).timestamp()
        if expires_at <= time.time():
            return self._send(handler, 404, {"error": {"code": 404, "title": "Not Found"}})
        self._send(handler, 200, doc, {"X-Subject-Token": subject})


if __name__ == "__main__":
    stub = KeystoneStub().start()
    print(stub.url, stub.issue("demo", ("admin",)), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        stub.stop()
