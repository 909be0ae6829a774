"""TLS on both listeners and to Redis (docs/security.md "TLS"), over real sockets: a CA,
server and client certificates made with the openssl CLI at test time; HTTPS with
Python's ssl verifying that CA, WSS with websocket-client, a redis-server started with
--tls-port for rediss:// URIs."""

import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import time
import uuid

import pytest

import zaqard_harness as harness
from ws_client import WsClient

OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
HOST = "127.0.0.1"


def openssl(*args, cwd):
    subprocess.run([OPENSSL, *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_cert(d, name, serial, ca="ca", client=False):
    """name.key / name.crt signed by `ca`, valid for 127.0.0.1 and localhost."""
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=d)
    ext = os.path.join(d, f"{name}.ext")
    with open(ext, "w") as f:
        f.write("extendedKeyUsage=clientAuth\n" if client else
                "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.crt", "-CAkey", f"{ca}.key",
            "-set_serial", str(serial), "-days", "2", "-out", f"{name}.crt", "-extfile", ext,
            cwd=d)


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("certs"))
    for ca in ("ca", "rogue-ca"):
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", f"{ca}.key", "-out", f"{ca}.crt", "-days", "2",
                "-subj", f"/CN=zaqard test {ca}", cwd=d)
    make_cert(d, "server", 1001)
    make_cert(d, "server2", 2002)
    make_cert(d, "client", 3003, client=True)
    make_cert(d, "rogue-client", 4004, ca="rogue-ca", client=True)
    return lambda name: os.path.join(d, name)


def tls_options(certs, workdir, ca=False, ssl_port=True, wss_port=True):
    """[zaqard] TLS options with copies of the server files (the reload test replaces them)."""
    cert, key = os.path.join(workdir, "live.crt"), os.path.join(workdir, "live.key")
    shutil.copy(certs("server.crt"), cert)
    shutil.copy(certs("server.key"), key)
    opts = {"ssl_cert_file": cert, "ssl_key_file": key}
    if ssl_port:
        opts["ssl_port"] = harness.free_port()
    if wss_port:
        opts["ssl_websocket_port"] = harness.free_port()
    if ca:
        opts["ssl_ca_file"] = certs("ca.crt")
    return opts


def client_context(certs, client_cert=None, ca="ca.crt"):
    ctx = ssl.create_default_context(cafile=certs(ca))
    if client_cert:
        ctx.load_cert_chain(certs(client_cert + ".crt"), certs(client_cert + ".key"))
    return ctx


class Https:
    """One kept-alive HTTPS connection speaking Zaqar."""

    def __init__(self, port, ctx, project=None):
        self.conn = http.client.HTTPSConnection(HOST, port, context=ctx, timeout=10)
        self.headers = {"Client-ID": str(uuid.uuid4()),
                        "X-Project-ID": project or "p-" + uuid.uuid4().hex,
                        "Content-Type": "application/json"}

    def request(self, method, path, body=None):
        self.conn.request(method, path, body=None if body is None else json.dumps(body),
                          headers=self.headers)
        r = self.conn.getresponse()
        data = r.read()
        return r.status, (json.loads(data) if data else None)

    def serial(self):
        return int(self.conn.sock.getpeercert()["serialNumber"], 16)

    def close(self):
        self.conn.close()


@pytest.fixture
def redis(tmp_path):
    r = harness.RedisProcess(str(tmp_path / "redis")).start()
    yield r
    r.stop()


def start_zaqard(tmp_path, redis_port, extra, any_status=False):
    z = harness.ZaqardProcess(str(tmp_path), redis_port, extra, name="z-" + uuid.uuid4().hex[:6])
    z.start(any_status=any_status)
    return z


def stop_clean(z):
    z.stop()
    assert not z.problems(), z.problems()


def run_refused(tmp_path, redis_port, zaqard_opts):
    """zaqard with these [zaqard] options must not start; returns its stderr."""
    z = harness.ZaqardProcess(str(tmp_path), redis_port, {"zaqard": zaqard_opts},
                              name="z-" + uuid.uuid4().hex[:6])
    proc = subprocess.run([z.binary, "--config", z.config_path], capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode != 0, proc.stderr
    return proc.stderr


def test_https_and_plain_side_by_side(certs, redis, tmp_path):
    opts = tls_options(certs, str(tmp_path))
    z = start_zaqard(tmp_path, redis.port, {"zaqard": opts})
    try:
        assert f"https://127.0.0.1:{opts['ssl_port']}" in z.stderr_text()
        api = Https(opts["ssl_port"], client_context(certs))
        assert api.request("PUT", "/v2/queues/tlsq")[0] == 201
        status, body = api.request("POST", "/v2/queues/tlsq/messages",
                                   {"messages": [{"body": {"over": "tls"}, "ttl": 300}]})
        assert status == 201, body
        # The plain listener serves the same data beside it.
        plain = harness.Client(z.base_url, project=api.headers["X-Project-ID"])
        r = plain.get("/v2/queues/tlsq/messages", params={"echo": "true"})
        assert r.status == 200 and r.json["messages"][0]["body"] == {"over": "tls"}
        status, body = api.request("GET", "/v2/queues/tlsq/messages?echo=true")
        assert status == 200 and body["messages"][0]["body"] == {"over": "tls"}
        assert api.serial() == 1001
        assert api.conn.sock.version() in ("TLSv1.2", "TLSv1.3")
        api.close()
        # Plain HTTP on the TLS port is not served.
        with socket.create_connection((HOST, opts["ssl_port"]), timeout=5) as s:
            s.sendall(b"GET /v2/ping HTTP/1.1\r\nHost: x\r\n\r\n")
            reply = s.recv(4096)
            assert b"HTTP/1.1 204" not in reply
    finally:
        stop_clean(z)


def test_wss_post_and_list(certs, redis, tmp_path):
    opts = tls_options(certs, str(tmp_path))
    z = start_zaqard(tmp_path, redis.port, {"zaqard": opts})
    try:
        ws = WsClient(f"wss://localhost:{opts['ssl_websocket_port']}/",
                      sslopt={"ca_certs": certs("ca.crt")})
        assert ws.status_body("queue_create", {"queue_name": "wssq"})[0] == 201
        status, body = ws.status_body("message_post", {
            "queue_name": "wssq", "messages": [{"body": "secure", "ttl": 300}]})
        assert status == 201, body
        status, body = ws.status_body("message_list", {"queue_name": "wssq", "echo": True})
        assert status == 200 and body["messages"][0]["body"] == "secure"
        ws.close()
        # The plain WebSocket listener still answers beside it.
        plain = WsClient(z.ws_url, project=ws.project)
        status, body = plain.status_body("message_list", {"queue_name": "wssq", "echo": True})
        assert status == 200 and len(body["messages"]) == 1
        plain.close()
    finally:
        stop_clean(z)


def test_old_protocols_and_weak_ciphers_refused(certs, redis, tmp_path):
    opts = tls_options(certs, str(tmp_path))
    z = start_zaqard(tmp_path, redis.port, {"zaqard": opts})
    try:
        for port in (opts["ssl_port"], opts["ssl_websocket_port"]):
            # TLS 1.1 (the client allows it explicitly): the server answers protocol_version.
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.load_verify_locations(certs("ca.crt"))
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
            ctx.minimum_version = ssl.TLSVersion.TLSv1_1
            ctx.maximum_version = ssl.TLSVersion.TLSv1_1
            with pytest.raises(ssl.SSLError, match="PROTOCOL_VERSION|protocol version"):
                with socket.create_connection((HOST, port), timeout=5) as s:
                    ctx.wrap_socket(s, server_hostname="localhost")
            # TLS 1.2 without ECDHE+AEAD (RSA key exchange, CBC): no shared cipher.
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.load_verify_locations(certs("ca.crt"))
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
            ctx.set_ciphers("ECDHE-ECDSA-AES128-SHA256:AES128-SHA:DHE-RSA-AES128-SHA")
            with pytest.raises(ssl.SSLError, match="HANDSHAKE_FAILURE|handshake failure"):
                with socket.create_connection((HOST, port), timeout=5) as s:
                    ctx.wrap_socket(s, server_hostname="localhost")
            # TLS 1.2 with ECDHE-GCM is served.
            ctx = client_context(certs)
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
            with socket.create_connection((HOST, port), timeout=5) as s:
                with ctx.wrap_socket(s, server_hostname="localhost") as t:
                    assert t.version() == "TLSv1.2"
                    assert t.cipher()[0].startswith("ECDHE-")
    finally:
        stop_clean(z)


def test_session_resumption(certs, redis, tmp_path):
    opts = tls_options(certs, str(tmp_path))
    z = start_zaqard(tmp_path, redis.port, {"zaqard": opts})
    try:
        for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            ctx = client_context(certs)
            ctx.maximum_version = version
            ctx.minimum_version = version
            first = Https(opts["ssl_port"], ctx)
            assert first.request("GET", "/v2/ping")[0] == 204
            session = first.conn.sock.session
            first.close()
            with socket.create_connection((HOST, opts["ssl_port"]), timeout=5) as s:
                with ctx.wrap_socket(s, server_hostname="localhost", session=session) as t:
                    t.sendall(b"GET /v2/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                              b"Client-ID: 9ad8c3a2-1f0e-4c39-bb8a-3b0a7c1b2e11\r\n"
                              b"X-Project-ID: p\r\n\r\n")
                    assert t.recv(4096).startswith(b"HTTP/1.1 204")
                    assert t.session_reused, version
    finally:
        stop_clean(z)


def refused_without_cert(port, ctx, wss=False):
    """A handshake without an acceptable client certificate fails (TLS 1.3 reports it at
    the first read)."""
    with pytest.raises((ssl.SSLError, ConnectionError, http.client.HTTPException, OSError)):
        if wss:
            WsClient(f"wss://localhost:{port}/", sslopt={"context": ctx}, timeout=5)
        else:
            api = Https(port, ctx)
            api.request("GET", "/v2/ping")


def test_client_certificate_required(certs, redis, tmp_path):
    opts = tls_options(certs, str(tmp_path), ca=True)
    z = start_zaqard(tmp_path, redis.port, {"zaqard": opts})
    try:
        assert "client certificates required" in z.stderr_text()
        for client in (None, "rogue-client"):
            refused_without_cert(opts["ssl_port"], client_context(certs, client))
            refused_without_cert(opts["ssl_websocket_port"], client_context(certs, client),
                                 wss=True)
        api = Https(opts["ssl_port"], client_context(certs, "client"))
        assert api.request("PUT", "/v2/queues/mtls")[0] == 201
        assert api.request("GET", "/v2/queues/mtls/stats")[0] == 200
        api.close()
        ws = WsClient(f"wss://localhost:{opts['ssl_websocket_port']}/",
                      sslopt={"context": client_context(certs, "client")})
        assert ws.status_body("queue_list", {})[0] == 200
        ws.close()
        # The plain listener is not affected (it is the operator's to bind to loopback).
        assert harness.Client(z.base_url).get("/v2/ping").status == 204
    finally:
        stop_clean(z)


def wait_for(predicate, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_sighup_reloads_certificate_without_dropping_connections(certs, redis, tmp_path):
    opts = tls_options(certs, str(tmp_path))
    z = start_zaqard(tmp_path, redis.port, {"zaqard": opts})
    try:
        before = Https(opts["ssl_port"], client_context(certs))
        assert before.request("PUT", "/v2/queues/reload")[0] == 201
        assert before.serial() == 1001
        ws_before = WsClient(f"wss://localhost:{opts['ssl_websocket_port']}/",
                             sslopt={"ca_certs": certs("ca.crt")})
        assert ws_before.status_body("queue_list", {})[0] == 200

        # A broken pair is refused and the current certificate stays.
        shutil.copy(certs("server2.crt"), opts["ssl_cert_file"])
        z.proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: "TLS certificate not reloaded" in z.stderr_text())
        assert "does not match" in z.stderr_text()
        probe = Https(opts["ssl_port"], client_context(certs))
        assert probe.request("GET", "/v2/ping")[0] == 204 and probe.serial() == 1001
        probe.close()

        shutil.copy(certs("server2.key"), opts["ssl_key_file"])
        z.proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: "TLS certificate and key reloaded" in z.stderr_text())
        after = Https(opts["ssl_port"], client_context(certs))
        assert after.request("GET", "/v2/ping")[0] == 204
        assert after.serial() == 2002
        with socket.create_connection((HOST, opts["ssl_websocket_port"]), timeout=5) as s:
            with client_context(certs).wrap_socket(s, server_hostname="localhost") as t:
                assert int(t.getpeercert()["serialNumber"], 16) == 2002
        # Connections opened before the reload go on with their certificate.
        status, body = before.request("POST", "/v2/queues/reload/messages",
                                      {"messages": [{"body": 1, "ttl": 300}]})
        assert status == 201, body
        assert before.serial() == 1001
        assert ws_before.status_body("queue_list", {})[0] == 200
        before.close()
        after.close()
        ws_before.close()
    finally:
        stop_clean(z)


@pytest.mark.parametrize("case", ["cert_without_key", "key_without_cert", "unreadable_cert",
                                  "key_mismatch", "not_pem", "port_without_cert",
                                  "ca_without_cert", "cert_without_port", "bad_ca"])
def test_half_configured_tls_is_a_start_up_error(certs, redis, tmp_path, case):
    garbage = str(tmp_path / "garbage.pem")
    with open(garbage, "w") as f:
        f.write("not a certificate\n")
    port = harness.free_port()
    cert, key = certs("server.crt"), certs("server.key")
    cases = {
        "cert_without_key": ({"ssl_cert_file": cert, "ssl_port": port}, "[zaqard] ssl_key_file"),
        "key_without_cert": ({"ssl_key_file": key, "ssl_port": port}, "[zaqard] ssl_cert_file"),
        "unreadable_cert": ({"ssl_cert_file": str(tmp_path / "missing.crt"),
                             "ssl_key_file": key, "ssl_port": port}, "[zaqard] ssl_cert_file"),
        "key_mismatch": ({"ssl_cert_file": cert, "ssl_key_file": certs("server2.key"),
                          "ssl_port": port}, "[zaqard] ssl_key_file"),
        "not_pem": ({"ssl_cert_file": garbage, "ssl_key_file": key, "ssl_port": port},
                    "[zaqard] ssl_cert_file"),
        "port_without_cert": ({"ssl_port": port}, "[zaqard] ssl_port"),
        "ca_without_cert": ({"ssl_ca_file": certs("ca.crt")}, "[zaqard] ssl_ca_file"),
        "cert_without_port": ({"ssl_cert_file": cert, "ssl_key_file": key},
                              "[zaqard] ssl_cert_file"),
        "bad_ca": ({"ssl_cert_file": cert, "ssl_key_file": key, "ssl_port": port,
                    "ssl_ca_file": garbage}, "[zaqard] ssl_ca_file"),
    }
    opts, named = cases[case]
    stderr = run_refused(tmp_path, redis.port, opts)
    assert named in stderr, stderr
    assert "AddressSanitizer" not in stderr and "runtime error" not in stderr, stderr


class TlsRedis:
    """redis-server speaking TLS only (--port 0 --tls-port N)."""

    def __init__(self, workdir, certs, auth_clients="no"):
        self.workdir = workdir
        os.makedirs(workdir, exist_ok=True)
        self.port = harness.free_port()
        args = ["/usr/bin/redis-server", "--port", "0", "--tls-port", str(self.port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", workdir, "--protected-mode", "no",
                "--tls-cert-file", certs("server.crt"), "--tls-key-file", certs("server.key"),
                "--tls-ca-cert-file", certs("ca.crt"), "--tls-auth-clients", auth_clients]
        log = open(os.path.join(workdir, "redis.log"), "ab")
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        harness._wait_port(self.port, self.proc, 10, "redis-server (TLS)")

    def stop(self):
        harness._stop_pid(self.proc)


def rediss_uri(port, certs, client=True, **extra):
    q = {"ssl_ca_certs": certs("ca.crt")}
    if client:
        q.update(ssl_certfile=certs("client.crt"), ssl_keyfile=certs("client.key"))
    q.update(extra)
    return f"rediss://127.0.0.1:{port}?" + "&".join(f"{k}={v}" for k, v in q.items())


def redis_uri_config(uri):
    return {"drivers:message_store:redis": {"uri": uri},
            "drivers:management_store:redis": {"uri": uri}}


@pytest.mark.parametrize("auth_clients", ["no", "yes"])
def test_rediss_post_and_list(certs, tmp_path, auth_clients):
    redis = TlsRedis(str(tmp_path / "redis"), certs, auth_clients)
    try:
        z = start_zaqard(tmp_path, 0, redis_uri_config(
            rediss_uri(redis.port, certs, client=auth_clients == "yes")))
        try:
            assert f"rediss://127.0.0.1:{redis.port}" in z.stderr_text()
            api = harness.Client(z.base_url)
            assert api.create_queue("overtls").status == 201
            assert len(api.post_messages("overtls",
                                         [{"body": {"n": i}, "ttl": 300} for i in range(3)])) == 3
            r = api.get("/v2/queues/overtls/messages", params={"echo": "true"})
            assert r.status == 200 and sorted(m["body"]["n"] for m in r.json["messages"]) == \
                [0, 1, 2]
            # The websocket transport (a second connection kind: the push channel's
            # subscriber) works through the same TLS.
            ws = WsClient(z.ws_url, project=api.project)
            status, body = ws.status_body("message_list", {"queue_name": "overtls",
                                                           "echo": True})
            assert status == 200 and len(body["messages"]) == 3
            ws.close()
        finally:
            stop_clean(z)
    finally:
        redis.stop()


def test_rediss_refuses_an_unverified_server(certs, tmp_path):
    """The server's certificate must chain to ssl_ca_certs and name the host: a wrong CA
    or a wrong name makes every call 503, never a plain-text fallback."""
    redis = TlsRedis(str(tmp_path / "redis"), certs)
    try:
        for uri in (rediss_uri(redis.port, certs, ssl_ca_certs=certs("rogue-ca.crt")),
                    rediss_uri(redis.port, certs, ssl_server_hostname="redis.example")):
            z = start_zaqard(tmp_path, 0, {**redis_uri_config(uri),
                                           "zaqard": {"redis_timeout": "0.5"}}, any_status=True)
            try:
                r = harness.Client(z.base_url).put("/v2/queues/nope")
                assert r.status == 503, r
                assert wait_for(lambda: "certificate verify failed" in z.stderr_text())
            finally:
                stop_clean(z)
        # Verified again with the right name given explicitly.
        z = start_zaqard(tmp_path, 0, redis_uri_config(
            rediss_uri(redis.port, certs, ssl_server_hostname="localhost")))
        try:
            assert harness.Client(z.base_url).put("/v2/queues/yes").status == 201
        finally:
            stop_clean(z)
    finally:
        redis.stop()


@pytest.mark.parametrize("uri,named", [
    ("rediss://127.0.0.1:6379?ssl_ca_certs=/nonexistent/ca.pem", "ssl_ca_certs"),
    ("rediss://127.0.0.1:6379?ssl_certfile=/nonexistent/c.pem&ssl_keyfile=/nonexistent/k.pem",
     "ssl_certfile"),
    ("rediss://127.0.0.1:6379?ssl_certfile=/etc/hostname", "ssl_keyfile"),
    ("redis://127.0.0.1:6379?ssl_ca_certs=/etc/hostname", "rediss://"),
    ("rediss://127.0.0.1:6379?ssl_cert_reqs=maybe", "ssl_cert_reqs"),
    ("rediss:/tmp/redis.sock", "unix socket"),
])
def test_bad_rediss_uri_is_a_start_up_error(tmp_path, uri, named):
    z = harness.ZaqardProcess(str(tmp_path), 0, redis_uri_config(uri),
                              name="z-" + uuid.uuid4().hex[:6])
    proc = subprocess.run([z.binary, "--config", z.config_path], capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode != 0, proc.stderr
    assert "[drivers:message_store:redis] uri" in proc.stderr, proc.stderr
    assert named in proc.stderr, proc.stderr
