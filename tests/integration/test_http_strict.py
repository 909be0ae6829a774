"""Strict HTTP/1.1 framing on the REST listener (docs/security.md "HTTP strictness";
transports/http/request_parser.h), over raw sockets: each request smuggling / desync shape
is refused with 400 (505 for versions, 405 for methods) with Zaqar's JSON error body, and
the connection is closed. Before llhttp, evhttp answered several of these 200
or 201 (two Content-Lengths, "+N", a space in a header name, HTTP/1.2) and others with
its own HTML pages."""

import json
import socket
import time
import uuid

import pytest

import zaqard_harness as harness

CLIENT_ID = "3e9b6b3c-5c4b-4b8e-8c51-8f3e1c2a9d10"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    yield from harness.running_stack(str(tmp_path_factory.mktemp("strict")),
                                     extra_config={"zaqard": {"shards": "1",
                                                              "max_body_size": "65536"}})


@pytest.fixture
def port(stack):
    return stack.zaqard.port


def headers(project):
    return f"Host: x\r\nClient-ID: {CLIENT_ID}\r\nX-Project-ID: {project}\r\n"


def read_response(sock, deadline):
    """One response from `sock`: (status, {lower name: value}, body, rest) or None when the
    connection closed first."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = recv(sock, deadline)
        if not chunk:
            return None
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    hdrs = {}
    for line in lines[1:]:
        name, value = line.split(":", 1)
        hdrs[name.strip().lower()] = value.strip()
    length = int(hdrs.get("content-length", "0"))
    while len(rest) < length:
        chunk = recv(sock, deadline)
        if not chunk:
            break
        rest += chunk
    return status, hdrs, rest[:length], rest[length:]


def recv(sock, deadline):
    sock.settimeout(max(0.05, deadline - time.monotonic()))
    try:
        return sock.recv(65536)
    except socket.timeout:
        raise AssertionError("no answer in time")


def closed_after(sock, deadline, rest=b""):
    """True when the server closes the connection (after `rest`, nothing more comes)."""
    assert rest == b"", rest
    while time.monotonic() < deadline:
        try:
            chunk = recv(sock, deadline)
        except ConnectionResetError:
            return True
        if not chunk:
            return True
        raise AssertionError(f"unexpected bytes after the answer: {chunk[:200]!r}")
    return False


def exchange(port, data, timeout=5.0):
    """Sends `data` on a new connection: (status, headers, body, closed)."""
    deadline = time.monotonic() + timeout
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        first = read_response(s, deadline)
        assert first is not None, "closed without an answer"
        status, hdrs, body, rest = first
        return status, hdrs, body, closed_after(s, deadline, rest)


def assert_refused(port, data, status, title=None, description_has=None):
    got, hdrs, body, closed = exchange(port, data)
    assert got == status, (got, body)
    assert hdrs.get("content-type") == "application/json; charset=UTF-8" or \
        hdrs.get("content-type", "").startswith("application/json"), hdrs
    doc = json.loads(body)
    if title:
        assert doc["title"] == title, doc
    if description_has:
        assert description_has in doc.get("description", ""), doc
    assert hdrs.get("connection") == "close", hdrs
    assert closed, "connection left open"
    return doc


def post(project, extra, body):
    return (f"POST /v2/queues/q1/messages HTTP/1.1\r\n{headers(project)}"
            f"Content-Type: application/json\r\n{extra}\r\n").encode() + body


BODY = b'{"messages": [{"body": 1}]}'
N = len(BODY)


def project():
    return "p-" + uuid.uuid4().hex


def test_two_different_content_lengths(port):
    assert_refused(port, post(project(), f"Content-Length: {N}\r\nContent-Length: {N + 5}\r\n",
                              BODY), 400, description_has="Content-Length")


def test_two_equal_content_lengths(port):
    assert_refused(port, post(project(), f"Content-Length: {N}\r\nContent-Length: {N}\r\n",
                              BODY), 400, description_has="Content-Length")


@pytest.mark.parametrize("value", [f"+{N}", f"-{N}", "0x10", f"{N},{N}", "", "1e3"])
def test_signed_or_non_numeric_content_length(port, value):
    assert_refused(port, post(project(), f"Content-Length: {value}\r\n", BODY), 400)


def test_transfer_encoding_with_content_length(port):
    chunked = f"{N:x}\r\n".encode() + BODY + b"\r\n0\r\n\r\n"
    assert_refused(port, post(project(), f"Content-Length: {N}\r\nTransfer-Encoding: chunked\r\n",
                              chunked), 400, description_has="Transfer-Encoding")


@pytest.mark.parametrize("value", ["gzip, chunked", "identity", "chunked, chunked"])
def test_transfer_encoding_other_than_chunked(port, value):
    chunked = f"{N:x}\r\n".encode() + BODY + b"\r\n0\r\n\r\n"
    assert_refused(port, post(project(), f"Transfer-Encoding: {value}\r\n", chunked), 400)


@pytest.mark.parametrize("line", ["Foo Bar: 1", ": 1", "Content-Length : 5",
                                  "X-Project-ID\t: p"])
def test_bad_header_names(port, line):
    data = f"GET /v2/queues HTTP/1.1\r\n{headers(project())}{line}\r\n\r\n".encode()
    doc = assert_refused(port, data, 400)
    assert doc["title"] in ("Invalid header name", "Malformed request"), doc


def test_whitespace_before_colon_hides_no_body(port):
    # evhttp used to take "Content-Length : N" as another header: no body, then the body
    # bytes as the next request (201 + 400). Now: one 400, nothing else.
    assert_refused(port, post(project(), f"Content-Length : {N}\r\n", BODY), 400)


def test_folded_header_line_is_unfolded(port):
    # RFC 9112 §5.2: a server may replace obs-fold with spaces (llhttp does); the request
    # stays one request and the connection stays usable.
    deadline = time.monotonic() + 5
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        p = project()
        s.sendall(f"GET /v2/queues HTTP/1.1\r\n{headers(p)}X-Foo: a\r\n  b\r\n\r\n".encode())
        status, hdrs, body, rest = read_response(s, deadline)
        assert status == 200 and "connection" not in hdrs and rest == b"", body
        s.sendall(f"GET /v2/queues HTTP/1.1\r\n{headers(p)}\r\n".encode())
        status, _, body, _ = read_response(s, deadline)
        assert status == 200, body


@pytest.mark.parametrize("version", ["HTTP/1.2", "HTTP/2.0", "HTTP/0.9", "HTTP/3.0", "HTTP/9.9"])
def test_unknown_http_versions(port, version):
    data = f"GET /v2/queues {version}\r\n{headers(project())}\r\n".encode()
    doc = assert_refused(port, data, 505)
    assert doc["title"] == "HTTP Version Not Supported"


def test_connect_gets_an_answer(port):
    doc = assert_refused(port, b"CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n",
                         405)
    assert doc == {"title": "405 Method Not Allowed"}


@pytest.mark.parametrize("method", ["FOO", "PROPFIND", "BREW"])
def test_unknown_method_gets_zaqars_405(port, method):
    got, hdrs, body, closed = exchange(
        port, f"{method} /v2/queues HTTP/1.1\r\n{headers(project())}\r\n".encode())
    assert got == 405 and json.loads(body) == {"title": "405 Method Not Allowed"}, body
    assert "GET" in hdrs["allow"] and closed


def test_head_and_trace_with_a_body(port):
    for method in ("HEAD", "TRACE"):
        data = f"{method} /v2/queues HTTP/1.1\r\n{headers(project())}Content-Length: 5\r\n\r\nGET /"
        assert_refused(port, data.encode(), 400)


def test_garbage_after_a_valid_request_on_a_kept_alive_connection(port):
    data = (f"GET /v2/queues HTTP/1.1\r\n{headers(project())}\r\n").encode() + \
        b"\x01\x02garbage\r\n\r\n"
    got, hdrs, body, closed = exchange(port, data)
    assert got == 200, body
    assert hdrs.get("connection") == "close", hdrs
    assert closed


def test_garbage_after_the_reply(port):
    """Garbage sent once the first answer is read: answered 400 and closed."""
    deadline = time.monotonic() + 5
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(f"GET /v2/queues HTTP/1.1\r\n{headers(project())}\r\n".encode())
        status, hdrs, _, rest = read_response(s, deadline)
        assert status == 200 and hdrs.get("connection") != "close" and rest == b""
        s.sendall(b"\x01\x02garbage\r\n\r\n")
        status, hdrs, body, rest = read_response(s, deadline)
        assert status == 400 and hdrs["connection"] == "close", body
        assert closed_after(s, deadline, rest)


def test_body_over_the_limit_is_413_before_the_body_is_sent(port):
    # Headers only: the answer must come without the body (max_body_size = 65536 here).
    data = post(project(), "Content-Length: 10000000\r\n", b"")
    doc = assert_refused(port, data, 413, title="Request body too large")
    assert "65536" in doc["description"]


def test_chunked_body_over_the_limit_is_413(port):
    chunk = b"x" * 40000
    data = post(project(), "Transfer-Encoding: chunked\r\n",
                (f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n") * 2 + b"0\r\n\r\n")
    assert_refused(port, data, 413)


def test_valid_requests_keep_the_connection(port):
    """Chunked and sized posts, a pipelined pair and Expect: 100-continue all work on one
    kept-alive connection, answered in order."""
    p = project()
    deadline = time.monotonic() + 10
    chunked = b"%x\r\n" % (N - 5) + BODY[:N - 5] + b"\r\n5\r\n" + BODY[N - 5:] + b"\r\n0\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(post(p, "Transfer-Encoding: chunked\r\n", chunked))
        status, hdrs, body, rest = read_response(s, deadline)
        assert status == 201 and "connection" not in hdrs, body
        # Two pipelined requests in one write: two answers, in order.
        s.sendall(post(p, f"Content-Length: {N}\r\n", BODY) +
                  f"GET /v2/queues/q1/stats HTTP/1.1\r\n{headers(p)}\r\n".encode())
        status, _, body, rest = read_response(s, deadline)
        assert status == 201, body
        if not rest:
            status, _, body, rest = read_response(s, deadline)
        else:  # both answers arrived together
            s2 = rest
            head, tail = s2.split(b"\r\n\r\n", 1)
            status = int(head.split(b" ")[1])
            length = int([h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")][0]
                         .split(b":")[1])
            body = tail[:length]
        assert status == 200 and json.loads(body)["messages"]["total"] == 2, body
        # Expect: 100-continue: the interim answer first, then the body is sent.
        s.sendall(post(p, f"Content-Length: {N}\r\nExpect: 100-continue\r\n", b""))
        interim = recv(s, deadline)
        assert interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"), interim
        s.sendall(BODY)
        status, _, body, _ = read_response(s, deadline)
        assert status == 201, body


def test_leading_empty_line_is_ignored(port):
    data = f"\r\nGET /v2/queues HTTP/1.1\r\n{headers(project())}Connection: close\r\n\r\n".encode()
    got, _, body, closed = exchange(port, data)
    assert got == 200 and closed, body


def test_http_1_0_is_served(port):
    deadline = time.monotonic() + 5
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(f"GET /v2/queues HTTP/1.0\r\n{headers(project())}\r\n".encode())
        data = b""
        while True:  # HTTP/1.0 without keep-alive: the body ends with the connection
            chunk = recv(s, deadline)
            if not chunk:
                break
            data += chunk
    assert data.startswith(b"HTTP/1.0 200 ") or data.startswith(b"HTTP/1.1 200 "), data
    assert data.endswith(b'{"queues":[],"links":[]}'), data
