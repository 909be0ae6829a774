"""Malformed WebSocket upgrade requests on the WebSocket listener (docs/security.md
"WebSocket handshake"). The handshake is parsed by libwebsockets, not by the REST
listener's request gate: each shape here must get a clean refusal (an HTTP error status,
or the connection closed) within a bounded time -- never a 101, a crash or a hang -- and
the listener keeps serving a normal client afterwards (ASan/UBSan reports fail the run)."""

import base64
import os
import socket
import time

import pytest

import zaqard_harness as harness
from ws_client import WsClient

KEY = base64.b64encode(os.urandom(16)).decode()


def upgrade(extra="", method="GET", target="/", version="HTTP/1.1", key=KEY, ws_version="13"):
    head = f"{method} {target} {version}\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n" \
           "Connection: Upgrade\r\n"
    if key is not None:
        head += f"Sec-WebSocket-Key: {key}\r\n"
    if ws_version is not None:
        head += f"Sec-WebSocket-Version: {ws_version}\r\n"
    return (head + extra + "\r\n").encode("latin-1")


# (name, bytes to send): refused, with an HTTP error or a close. lws refuses the first
# four and the colon-less header itself; zaqard's upgrade_rules.h the RFC 6455 checks
# (400) and ws_server.cpp the CONNECT (which lws would keep open as a raw socket).
REFUSED = [
    ("header over 64 KiB", upgrade("Cookie: " + "a" * 65536 + "\r\n")),
    ("4000 headers", upgrade("".join(f"X-H{i}: v\r\n" for i in range(4000)))),
    ("request target over 64 KiB", upgrade(target="/" + "a" * 65536)),
    ("not HTTP", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(200)
     + b"\r\n\r\n"),
    ("no Sec-WebSocket-Key", upgrade(key=None)),
    ("Sec-WebSocket-Key not 16 bytes", upgrade(key="c2hvcnQ=")),
    ("Sec-WebSocket-Version 8", upgrade(ws_version="8")),
    ("no Sec-WebSocket-Version", upgrade(ws_version=None)),
    ("POST upgrade with a body", upgrade("Content-Length: 5\r\n", method="POST") + b"hello"),
    ("two Content-Lengths", upgrade("Content-Length: 0\r\nContent-Length: 7\r\n")),
    ("chunked upgrade", upgrade("Transfer-Encoding: chunked\r\n") + b"5\r\nhello\r\n0\r\n\r\n"),
    ("header without a colon", upgrade("NoColonHere\r\n")),
    ("CONNECT", upgrade(method="CONNECT", target="127.0.0.1:80")),
]

# Accepted by lws as a WebSocket upgrade (what it leaves unchecked and zaqard cannot see
# through its API: docs/security.md). After the 101 only WebSocket frames are read, so
# none of these lets bytes be read as another HTTP request; they must simply not crash.
TOLERATED = [
    ("NUL byte in an unknown header", upgrade("X-Bad: a\x00b\r\n")),
    ("HTTP/1.2", upgrade(version="HTTP/1.2")),
    ("a version word that is not HTTP", upgrade(version="HTTQ/1.1")),
    ("space before the colon of an extra header", upgrade("Upgrade : websocket\r\n")),
    ("bare LF line ends", upgrade().replace(b"\r\n", b"\n")),
]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    yield from harness.running_stack(str(tmp_path_factory.mktemp("wshs")),
                                     extra_config={"zaqard": {"shards": "1"}})


def outcome(port, data, timeout=15.0):
    """('status', code) for an HTTP answer, ('closed', seconds) when the server closed
    without one; the connection is read until it closes or `timeout` passes."""
    start = time.monotonic()
    deadline = start + timeout
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            return ("closed", time.monotonic() - start)
        received = b""
        while time.monotonic() < deadline:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                break
            received += chunk
            if b"\r\n\r\n" in received:
                break
        elapsed = time.monotonic() - start
        if received.startswith(b"HTTP/"):
            return ("status", int(received.split(b" ", 2)[1]), received.split(b"\r\n", 1)[0])
        if time.monotonic() >= deadline:
            return ("hang", elapsed, received[:80])
        return ("closed", elapsed, received[:80])


def still_serving(stack):
    ws = WsClient(stack.zaqard.ws_url)
    try:
        return ws.status_body("queue_list", {})[0] == 200
    finally:
        ws.close()


@pytest.mark.parametrize("name,data", REFUSED, ids=[m[0] for m in REFUSED])
def test_malformed_upgrade_is_refused_cleanly(stack, name, data):
    result = outcome(stack.zaqard.ws_port, data)
    print(name, "->", result)
    assert result[0] in ("status", "closed"), result
    if result[0] == "status":
        assert 400 <= result[1] < 500, result
    assert still_serving(stack)


@pytest.mark.parametrize("name,data", TOLERATED, ids=[m[0] for m in TOLERATED])
def test_tolerated_upgrade_shapes_do_no_harm(stack, name, data):
    result = outcome(stack.zaqard.ws_port, data, timeout=5.0)
    print(name, "->", result)
    assert result[0] in ("status", "closed"), result
    assert result[0] == "closed" or result[1] in (101, 400, 403), result
    assert still_serving(stack)


def test_incomplete_handshake_is_closed_by_the_timeout(stack):
    """Slow-loris on the upgrade: a handshake never finished is dropped by lws's
    handshake timeout, not held open."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", stack.zaqard.ws_port), timeout=30) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        for _ in range(300):  # bounded: a byte a second would otherwise last forever
            try:
                s.sendall(b"X")
            except (BrokenPipeError, ConnectionResetError):
                break
            s.settimeout(1.0)
            try:
                if s.recv(1024) == b"":
                    break
            except socket.timeout:
                continue
            except ConnectionResetError:
                break
    elapsed = time.monotonic() - start
    print("incomplete handshake closed after", elapsed)
    assert elapsed < 30
    assert still_serving(stack)
