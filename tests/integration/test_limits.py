"""Limits against abuse on the REST listener (docs/security.md "Limits"): every [zaqard]
option below takes effect -- max_header_size (414/431 with Zaqar's body),
http_header_timeout, http_body_timeout, http_idle_timeout, http_write_timeout,
max_connections, max_connections_per_client, max_requests_per_wakeup -- each refusal is
counted in zaqard_connections_rejected_total{reason}, a request the server is still answering is
never cut by them, and 500 slow or idle clients (slow-loris headers, trickled bodies,
never-read replies) do not slow a normal client down. Loopback only; every loop bounded."""

import json
import resource
import socket
import time
import uuid

import pytest

import zaqard_harness as harness

CLIENT_ID = "3e9b6b3c-5c4b-4b8e-8c51-8f3e1c2a9d10"

# 500 attackers + the server's own sockets: raise this process's (and zaqard's, inherited)
# soft limit to the hard one.
_soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if _soft < 4096:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(_hard, 8192), _hard))


def start(tmp_path, zaqard):
    st = harness.Stack(str(tmp_path), extra_config={"zaqard": dict({"shards": "1"}, **zaqard)})
    return st.start()


@pytest.fixture
def stack_with(tmp_path):
    stacks = []

    def make(**zaqard):
        st = start(tmp_path / f"s{len(stacks)}", {k: str(v) for k, v in zaqard.items()})
        stacks.append(st)
        return st
    yield make
    for st in stacks:
        problems = st.stop()
        assert not problems, problems


def hdrs(project="p-limits"):
    return f"Host: x\r\nClient-ID: {CLIENT_ID}\r\nX-Project-ID: {project}\r\n"


def read_until_closed(sock, timeout):
    """Everything the server sends until it closes; raises if it stays open `timeout`."""
    data = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk
    raise AssertionError(f"connection still open after {timeout}s (got {data[:200]!r})")


def status_and_body(data):
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


def test_max_header_size(stack_with):
    st = stack_with(max_header_size=2048)
    port = st.zaqard.port
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(f"GET /v2/queues HTTP/1.1\r\n{hdrs()}X-Big: {'a' * 3000}\r\n\r\n".encode())
        status, body = status_and_body(read_until_closed(s, 5))
    assert status == 431 and "2048" in json.loads(body)["description"], body
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(f"GET /v2/queues?x={'a' * 3000} HTTP/1.1\r\n{hdrs()}\r\n".encode())
        status, body = status_and_body(read_until_closed(s, 5))
    assert status == 414, body
    # Below the limit: served.
    assert st.client(project="p-h").get("/v2/queues", headers={"X-Big": "a" * 1000}).status == 200


def test_header_body_and_idle_timeouts(stack_with):
    st = stack_with(http_header_timeout=1, http_body_timeout=1, http_idle_timeout=1)
    port = st.zaqard.port
    # Slow-loris: a byte every 0.2 s keeps the connection busy, but the headers must be
    # complete 1 s after their first byte.
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        started = time.monotonic()
        closed = False
        for b in f"GET /v2/queues HTTP/1.1\r\n{hdrs()}X-Slow: {'a' * 40}".encode():
            try:
                s.send(bytes([b]))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            time.sleep(0.2)
            if time.monotonic() - started > 4:
                break
        if not closed:
            read_until_closed(s, 3)
        assert time.monotonic() - started < 4
    # A body that stops for longer than http_body_timeout.
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(f"POST /v2/queues/q/messages HTTP/1.1\r\n{hdrs()}Content-Type: application/json"
                  f"\r\nContent-Length: 100\r\n\r\n{{\"messages\"".encode())
        started = time.monotonic()
        assert read_until_closed(s, 4) == b""
        assert 0.5 < time.monotonic() - started < 3.5
    # An idle keep-alive connection.
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(f"GET /v2/queues HTTP/1.1\r\n{hdrs()}\r\n".encode())
        started = time.monotonic()
        data = read_until_closed(s, 4)
        assert data.startswith(b"HTTP/1.1 200"), data
        assert 0.5 < time.monotonic() - started < 3.5


def test_a_request_being_answered_is_never_timed_out(stack_with):
    """Redis paused for 2.5 s (CLIENT PAUSE): the request waits longer than every read
    timeout and is still answered on its connection."""
    st = stack_with(http_header_timeout=1, http_body_timeout=1, http_idle_timeout=1,
                    redis_timeout=10)
    with socket.create_connection(("127.0.0.1", st.zaqard.port), timeout=10) as s:
        harness.redis_commands(st.redis.port, ("CLIENT", "PAUSE", "2500", "ALL"))
        started = time.monotonic()
        s.sendall(f"GET /v2/queues HTTP/1.1\r\n{hdrs()}\r\n".encode())
        s.settimeout(10)
        data = s.recv(65536)
        assert data.startswith(b"HTTP/1.1 200"), data
        assert time.monotonic() - started > 1.5


def test_write_timeout_closes_a_connection_that_does_not_read(stack_with):
    st = stack_with(http_write_timeout=1, max_body_size=8388608)
    c = st.client(project="p-w")
    payload = "x" * 250000
    for _ in range(20):
        c.post_messages("big", [{"body": payload, "ttl": 300}])  # asserts 201
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", st.zaqard.port))
        s.sendall(f"GET /v2/queues/big/messages?limit=20&echo=true HTTP/1.1\r\n"
                  f"{hdrs('p-w')}\r\n".encode())
        time.sleep(3)  # never read: the server gives up after 1 s without progress
        data = read_until_closed(s, 10)
        head, _, body = data.partition(b"\r\n\r\n")
        length = int([h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")][0]
                     .split(b":")[1])
        assert len(body) < length  # cut short


def test_max_connections_and_per_client(stack_with):
    st = stack_with(max_connections=20, max_connections_per_client=5)
    port = st.zaqard.port

    def opened(source, n):
        out = []
        for _ in range(n):
            s = socket.socket()
            s.bind((source, 0))
            s.connect(("127.0.0.1", port))
            out.append(s)
        return out

    def refused(s):
        data = read_until_closed(s, 5)
        status, body = status_and_body(data)
        return status == 503 and "Too many connections" in json.loads(body)["description"]

    held = opened("127.0.0.1", 5)
    time.sleep(0.3)
    extra = opened("127.0.0.1", 1)[0]
    assert refused(extra)
    extra.close()
    # Other addresses are not affected, up to max_connections in all.
    for i in range(2, 5):
        held += opened(f"127.0.0.{i}", 5)
    time.sleep(0.3)
    one_more = opened("127.0.0.9", 1)[0]
    assert refused(one_more)
    one_more.close()
    # The held connections all work.
    for s in held[:3] + held[-2:]:
        s.sendall(f"GET /v2/queues HTTP/1.1\r\n{hdrs()}\r\n".encode())
        s.settimeout(5)
        assert s.recv(65536).startswith(b"HTTP/1.1 200")
    for s in held:
        s.close()
    time.sleep(0.3)
    # Closed connections no longer count.
    assert st.client(project="p-c").get("/v2/queues").status == 200
    assert harness.rejected_connections(st) == {"max_connections": 1, "max_connections_per_client": 1}


def test_refusals_and_timeouts_are_counted_by_reason(stack_with):
    st = stack_with(max_header_size=1024, http_header_timeout=0.5, http_body_timeout=0.5,
                    max_body_size=4096)
    port = st.zaqard.port
    assert harness.rejected_connections(st) == {}
    cases = [
        f"GET /v2/queues HTTP/1.1\r\n{hdrs()}X-Big: {'a' * 2000}\r\n\r\n".encode(),  # 431
        f"POST /v2/queues/q/messages HTTP/1.1\r\n{hdrs()}Content-Length: 99999\r\n\r\n"
        .encode(),  # 413 before the body
        b"GET /v2/queues HTTP/1.1\r\nHost: x\r\n",  # headers never finished
        f"POST /v2/queues/q/messages HTTP/1.1\r\n{hdrs()}Content-Length: 10\r\n\r\nab"
        .encode(),  # body never finished
    ]
    for data in cases:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(data)
            read_until_closed(s, 5)
    assert harness.rejected_connections(st) == {"header_too_large": 1, "body_too_large": 1, "header_timeout": 1,
                            "body_timeout": 1}


def long_poll_waiting(st):
    text = st.client().get("/metrics", headers={"Accept": "text/plain"}).body.decode()
    for line in text.splitlines():
        if line.startswith("zaqard_long_poll_waiting "):
            return int(float(line.split()[1]))
    raise AssertionError("no zaqard_long_poll_waiting in /metrics")


@pytest.mark.parametrize("budget", [1, 3])
def test_max_requests_per_wakeup_bounds_a_pipelining_connection(stack_with, budget):
    """Three pipelined long polls in one write: at most `budget` of them run at once (the
    others wait in the socket buffer), and all three are answered, in order."""
    st = stack_with(max_requests_per_wakeup=budget)
    queue = "pipe-" + uuid.uuid4().hex[:8]
    data = b"".join(
        f"GET /v2/queues/{queue}/messages?wait=1 HTTP/1.1\r\n{hdrs()}"
        f"X-Openstack-Request-ID: req-{i}\r\n\r\n".encode() for i in range(3))
    with socket.create_connection(("127.0.0.1", st.zaqard.port), timeout=10) as s:
        s.sendall(data)
        time.sleep(0.5)
        assert long_poll_waiting(st) == budget
        got = b""
        deadline = time.monotonic() + 10
        while got.count(b"HTTP/1.1 ") < 3 and time.monotonic() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
    ids = [line.split(b":")[1].strip() for line in got.split(b"\r\n")
           if line.lower().startswith(b"x-request-id:")]
    assert ids == [b"req-0", b"req-1", b"req-2"], got


def test_500_slow_clients_do_not_delay_a_normal_one(stack_with):
    st = stack_with(http_header_timeout=30, http_body_timeout=30, http_write_timeout=30,
                    max_connections_per_client=2000)
    port = st.zaqard.port
    normal = st.client(project="p-normal")
    # Replies of ~100 kB: far more than a 4 kB receive buffer and the kernel's send buffer.
    normal.post_messages("big", [{"body": "x" * 20000, "ttl": 300} for _ in range(5)])
    attackers = []
    try:
        for i in range(500):
            s = socket.socket()
            kind = i % 3
            if kind == 2:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.connect(("127.0.0.1", port))
            if kind == 0:    # slow-loris: a head that never ends
                s.sendall(f"GET /v2/queues HTTP/1.1\r\n{hdrs()}X-A: ".encode())
            elif kind == 1:  # a body trickled a few bytes at a time
                s.sendall(f"POST /v2/queues/t/messages HTTP/1.1\r\n{hdrs()}Content-Type: "
                          f"application/json\r\nContent-Length: 100000\r\n\r\n{{".encode())
            else:            # a 100 kB reply never read
                s.sendall(f"GET /v2/queues/big/messages?limit=5&echo=true HTTP/1.1\r\n"
                          f"{hdrs('p-normal')}\r\n".encode())
            attackers.append((kind, s))
        latencies = []
        deadline = time.monotonic() + 20
        for i in range(200):
            if time.monotonic() > deadline:
                break
            if i % 10 == 0:  # keep trickling
                for kind, s in attackers:
                    try:
                        s.send(b"a" if kind == 0 else b" " if kind == 1 else b"")
                    except OSError:
                        pass
            t = time.monotonic()
            if i % 2:
                r = normal.get("/v2/queues/q/messages", params={"echo": "true"})
                assert r.status == 200, r
            else:
                normal.post_messages("q", [{"body": i}])  # asserts 201
            latencies.append(time.monotonic() - t)
        assert len(latencies) == 200
        latencies.sort()
        p99 = latencies[int(len(latencies) * 0.99) - 1]
        assert p99 < 1.0, f"p99 {p99:.3f}s, max {latencies[-1]:.3f}s"
    finally:
        for _, s in attackers:
            s.close()
