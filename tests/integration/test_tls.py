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


def start_zaqard(tmp_path, redis_port, extra):
    z = harness.ZaqardProcess(str(tmp_path), redis_port, extra, name="z-" + uuid.uuid4().hex[:6])
    z.start()
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
