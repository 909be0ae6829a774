"""Limits on the WebSocket listener (docs/security.md "Limits"): [zaqard] max_connections
and max_connections_per_client count this listener's connections (apart from REST's) and
close one over them at accept, counted in zaqard_connections_rejected_total{reason};
[zaqard] max_header_size is libwebsockets' handshake buffer. Loopback only; loops bounded."""

import base64
import os
import socket
import time

import pytest

import zaqard_harness as harness
from ws_client import WsClient


def start(tmp_path, **zaqard):
    options = dict({"shards": "1"}, **{k: str(v) for k, v in zaqard.items()})
    return harness.Stack(str(tmp_path), extra_config={"zaqard": options}).start()


@pytest.fixture
def stack_with(tmp_path):
    stacks = []

    def make(**zaqard):
        st = start(tmp_path / f"s{len(stacks)}", **zaqard)
        stacks.append(st)
        return st
    yield make
    for st in stacks:
        problems = st.stop()
        assert not problems, problems


def upgrade(extra=""):
    key = base64.b64encode(os.urandom(16)).decode()
    return (f"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\n{extra}\r\n").encode("latin-1")


def handshake(port, source="127.0.0.1", extra=""):
    """(socket, what the server answered up to the end of its head or its close)."""
    s = socket.socket()
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    data = b""
    deadline = time.monotonic() + 5
    try:
        s.sendall(upgrade(extra))
        while b"\r\n\r\n" not in data and time.monotonic() < deadline:
            s.settimeout(max(0.05, deadline - time.monotonic()))
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, BrokenPipeError, socket.timeout):
        pass
    return s, data


def switched(data):
    return data.startswith(b"HTTP/1.1 101")


def test_max_connections_and_per_client_on_the_websocket_listener(stack_with):
    st = stack_with(max_connections=5, max_connections_per_client=3)
    port = st.zaqard.ws_port
    held = [WsClient(st.zaqard.ws_url) for _ in range(3)]
    extra, data = handshake(port)
    assert not switched(data), data[:200]
    extra.close()
    # The connections within the limit stay usable.
    for c in held:
        assert c.status_body("queue_list")[0] == 200
    # Other addresses are not affected, up to max_connections in all.
    others = []
    for source in ("127.0.0.2", "127.0.0.2"):
        s, data = handshake(port, source)
        assert switched(data), data[:200]
        others.append(s)
    one_more, data = handshake(port, "127.0.0.3")
    assert not switched(data), data[:200]
    one_more.close()
    # The REST listener counts its own connections (per listener): still served.
    assert st.client().get("/v2/queues").status == 200
    assert harness.rejected_connections(st) == {"max_connections": 1, "max_connections_per_client": 1}
    for c in held:
        c.close()
    for s in others:
        s.close()
    # Closed connections no longer count (bounded wait for the server to see the closes).
    deadline = time.monotonic() + 5
    again = []
    while len(again) < 3 and time.monotonic() < deadline:
        s, data = handshake(port)
        if switched(data):
            again.append(s)
        else:
            s.close()
            time.sleep(0.1)
    assert len(again) == 3
    for s in again:
        s.close()


def test_max_header_size_bounds_the_websocket_handshake(stack_with):
    # Above lws' own 4 KiB buffer: the option, not lws' default, decides.
    st = stack_with(max_header_size=8192)
    port = st.zaqard.ws_port
    under, data = handshake(port, extra="Cookie: " + "a" * (8192 - 400) + "\r\n")
    assert switched(data), data[:200]
    under.close()
    over, data = handshake(port, extra="Cookie: " + "a" * (8192 + 100) + "\r\n")
    assert not switched(data), data[:200]
    over.close()
    c = WsClient(st.zaqard.ws_url)
    assert c.status_body("queue_list")[0] == 200
    c.close()
