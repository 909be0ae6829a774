"""[cors] over plain HTTP: oslo.middleware's CORS filter as Zaqar installs it in front of
the whole REST app (auth-and-config.md §5.7, oslo_middleware/cors.py), one test per rule
and option; and the WebSocket handshake's Origin check tied to [cors] allowed_origin
(docs/api.md "CORS"). test_cors_browser.py does the same from a real browser."""

import os
import socket
import uuid

import pytest

import zaqard_harness as harness

A = "http://a.example"
B = "http://b.example:8080"
ZAQAR_EXPOSE = "X-Auth-Token,X-Subject-Token,X-Service-Token,X-OpenStack-Request-ID"
CORS_HEADERS = ("Access-Control-Allow-Origin", "Access-Control-Allow-Credentials",
                "Access-Control-Max-Age", "Access-Control-Allow-Methods",
                "Access-Control-Allow-Headers", "Access-Control-Expose-Headers")


def stack_with(tmp_path_factory, name, cors):
    extra = {"cors": cors} if cors is not None else {}
    yield from harness.running_stack(str(tmp_path_factory.mktemp(name)), extra_config=extra)


@pytest.fixture(scope="module")
def listed(tmp_path_factory):
    """Two listed origins, the project headers allowed, max_age 600, other defaults."""
    yield from stack_with(tmp_path_factory, "listed", {
        "allowed_origin": f"{A}, {B}",
        "allow_headers": "Client-ID,X-Project-ID,X-Auth-Token",
        "max_age": "600"})


@pytest.fixture(scope="module")
def wildcard(tmp_path_factory):
    """"*" with credentials off, no max age, nothing exposed, only GET and POST, and
    Zaqar's default allow_headers."""
    yield from stack_with(tmp_path_factory, "wildcard", {
        "allowed_origin": f"*,{A}", "allow_credentials": "false", "max_age": "0",
        "expose_headers": "", "allow_methods": "GET,POST"})


@pytest.fixture(scope="module")
def off(tmp_path_factory):
    yield from stack_with(tmp_path_factory, "off", None)


def client(stack):
    return stack.client(project="p-" + uuid.uuid4().hex)


def preflight(stack, origin, method="POST", headers="client-id,content-type,x-project-id",
              path="/v2/queues/q/messages"):
    h = {"Client-ID": None, "X-Project-ID": None}
    if origin is not None:
        h["Origin"] = origin
    if method is not None:
        h["Access-Control-Request-Method"] = method
    if headers is not None:
        h["Access-Control-Request-Headers"] = headers
    return client(stack).options(path, headers=h)


def cors_headers(r):
    return {name: r.header(name) for name in CORS_HEADERS if r.header(name) is not None}


def assert_no_cors(r):
    assert cors_headers(r) == {}, r
    assert r.header("Vary") is None, r


# --- preflight (OPTIONS) -----------------------------------------------------------------

def test_preflight_from_listed_origin(listed):
    r = preflight(listed, A)
    assert r.status == 200, r
    assert r.body == b""
    assert cors_headers(r) == {
        "Access-Control-Allow-Origin": A,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Max-Age": "600",
        "Access-Control-Allow-Methods": "POST",
        "Access-Control-Allow-Headers": "client-id,content-type,x-project-id",
    }, r
    assert r.header("Vary") == "Origin"
    assert "POST" in r.header("Allow")  # the route's answer is kept


def test_preflight_second_listed_origin(listed):
    r = preflight(listed, B, method="DELETE", headers=None)
    assert r.status == 200, r
    assert r.header("Access-Control-Allow-Origin") == B
    assert r.header("Access-Control-Allow-Methods") == "DELETE"
    assert r.header("Access-Control-Allow-Headers") is None  # none requested


def test_preflight_origin_not_listed(listed):
    for origin in ("http://evil.example", "http://A.EXAMPLE", A + "/", "null", ""):
        r = preflight(listed, origin)
        assert r.status == 200, r
        assert_no_cors(r)


def test_preflight_needs_origin_and_request_method(listed):
    assert_no_cors(preflight(listed, None))
    assert_no_cors(preflight(listed, A, method=None))


def test_preflight_method_must_be_in_allow_methods(listed):
    # Zaqar's default list: GET, PUT, POST, DELETE, PATCH, HEAD (case-sensitive, as oslo)
    for method in ("GET", "PUT", "PATCH", "HEAD"):
        assert preflight(listed, A, method=method).header(
            "Access-Control-Allow-Methods") == method
    for method in ("TRACE", "OPTIONS", "post"):
        assert_no_cors(preflight(listed, A, method=method))


def test_preflight_headers_checked_against_allow_headers_and_simple_headers(listed):
    r = preflight(listed, A, headers="X-PROJECT-ID, Accept-Language,Content-Type , pragma")
    assert r.header("Access-Control-Allow-Headers") == \
        "X-PROJECT-ID,Accept-Language,Content-Type,pragma"
    assert_no_cors(preflight(listed, A, headers="client-id,x-roles"))  # X-Roles not allowed


def test_preflight_answers_200_before_routing(listed, off):
    r = preflight(listed, A, path="/no/such/path")
    assert r.status == 200, r
    assert r.header("Access-Control-Allow-Origin") == A
    assert r.header("Allow") is None
    # oslo's filter wraps Zaqar even without [cors]: every OPTIONS is a 200
    r = preflight(off, A, path="/no/such/path")
    assert r.status == 200, r
    assert_no_cors(r)


def test_default_allow_headers_are_zaqars(wildcard):
    # Zaqar's allow_headers include Client-id and X-Auth-Token but not X-Project-ID
    r = preflight(wildcard, A, method="GET", headers="client-id,x-auth-token,x-roles")
    assert r.header("Access-Control-Allow-Headers") == "client-id,x-auth-token,x-roles"
    assert_no_cors(preflight(wildcard, A, method="GET", headers="client-id,x-project-id"))


def test_wildcard_and_the_options_that_turn_headers_off(wildcard):
    r = preflight(wildcard, "http://anyone.example", method="GET", headers="client-id")
    assert cors_headers(r) == {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "GET",
        "Access-Control-Allow-Headers": "client-id",
    }, r  # no credentials (allow_credentials = false), no Max-Age (max_age = 0)
    # a listed origin is echoed even when "*" is there too
    assert preflight(wildcard, A, method="GET", headers=None).header(
        "Access-Control-Allow-Origin") == A
    # allow_methods = GET,POST
    assert_no_cors(preflight(wildcard, A, method="PUT", headers=None))


def test_cors_off_preflight_has_no_headers(off):
    r = preflight(off, A)
    assert r.status == 200, r
    assert_no_cors(r)


# --- actual requests -----------------------------------------------------------------------

def test_actual_request_from_listed_origin(listed):
    api = client(listed)
    r = api.post("/v2/queues/cq/messages", body={"messages": [{"body": 1, "ttl": 60}]},
                 headers={"Origin": A})
    assert r.status == 201, r
    assert cors_headers(r) == {
        "Access-Control-Allow-Origin": A,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": ZAQAR_EXPOSE,
    }, r
    assert r.header("Vary") == "Origin"
    r = api.get("/v2/queues/cq/messages?echo=true", headers={"Origin": B})
    assert r.status == 200, r
    assert r.header("Access-Control-Allow-Origin") == B
    assert [m["body"] for m in r.json["messages"]] == [1]


def test_actual_request_origin_not_listed_or_absent(listed):
    api = client(listed)
    for h in ({"Origin": "http://evil.example"}, {}):
        r = api.get("/v2/queues", headers=h)
        assert r.status == 200, r  # answered as usual: the browser withholds it
        assert_no_cors(r)


def test_error_answers_carry_the_headers(listed):
    api = client(listed)
    r = api.get("/v2/queues", headers={"Origin": A, "Client-ID": None})
    assert r.status == 400, r
    assert r.header("Access-Control-Allow-Origin") == A
    r = api.get("/v2/nothing/here", headers={"Origin": A})
    assert r.status == 404, r
    assert r.header("Access-Control-Allow-Origin") == A


def test_vary_is_appended(listed):
    r = client(listed).get("/v2/queues", headers={"Origin": A, "Accept": "text/plain"})
    assert r.status == 406, r
    assert r.header("Vary") == "Accept,Origin"
    assert r.header("Access-Control-Allow-Origin") == A


def test_actual_request_wildcard(wildcard):
    r = client(wildcard).get("/v2/queues", headers={"Origin": "http://anyone.example"})
    assert r.status == 200, r
    assert cors_headers(r) == {"Access-Control-Allow-Origin": "*"}, r
    assert r.header("Vary") == "Origin"


def test_cors_off_actual_request_has_no_headers(off):
    assert_no_cors(client(off).get("/v2/queues", headers={"Origin": A}))


# --- Keystone: the preflight is answered before authentication ---------------------------

@pytest.fixture(scope="module")
def keystone_stack(tmp_path_factory, real_keystone):
    """zaqard with auth_strategy = keystone against the session's real Keystone."""
    workdir = str(tmp_path_factory.mktemp("keystone"))
    st = harness.Stack(workdir)
    st.redis.start()
    try:
        st.zaqard = harness.ZaqardProcess(workdir, st.redis.port, {
            "DEFAULT": {"auth_strategy": "keystone"},
            "keystone_authtoken": real_keystone.authtoken_config(real_keystone.url),
            "cors": {"allowed_origin": A, "allow_headers": "X-Auth-Token,Client-ID"}})
        st.zaqard.start(any_status=True)
        yield st, real_keystone
    finally:
        problems = st.stop()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_keystone_preflight_needs_no_token_and_401s_carry_headers(keystone_stack):
    st, keystone = keystone_stack
    r = preflight(st, A, method="GET", headers="x-auth-token,client-id", path="/v2/queues")
    assert r.status == 200, r
    assert r.header("Access-Control-Allow-Origin") == A
    assert r.header("Access-Control-Allow-Headers") == "x-auth-token,client-id"
    api = st.client()
    r = api.get("/v2/queues", headers={"Origin": A})
    assert r.status == 401, r
    assert r.header("Access-Control-Allow-Origin") == A
    assert r.header("WWW-Authenticate") == f'Keystone uri="{keystone.url}"'
    token = keystone.token(keystone.new_project())
    r = api.get("/v2/queues", headers={"Origin": A, "X-Auth-Token": token})
    assert r.status == 200, r
    assert r.header("Access-Control-Allow-Origin") == A


def test_keystone_authenticates_before_routing(keystone_stack):
    # Zaqar's auth middleware wraps its router: an unknown path without a token is a 401
    # (Zaqar's own test_auth.test_non_authenticated), a 404 only with a valid token.
    st, keystone = keystone_stack
    api = st.client()
    r = api.get("/v2/480924/queues/")
    assert r.status == 401, r
    assert r.header("WWW-Authenticate") is not None
    r = api.get("/v2/480924/queues/", headers={"X-Auth-Token": keystone.token()})
    assert r.status == 404, r


# --- WebSocket handshake -----------------------------------------------------------------

def ws_handshake(stack, origin, host=None):
    """Sends an upgrade request; returns the status code of the answer."""
    port = stack.zaqard.ws_port
    lines = [f"GET / HTTP/1.1", f"Host: {host or f'127.0.0.1:{port}'}", "Upgrade: websocket",
             "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
             "Sec-WebSocket-Version: 13"]
    if origin is not None:
        lines.append(f"Origin: {origin}")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    assert data, f"no answer to the handshake from origin {origin!r}"
    return int(data.split(b" ")[1])


def test_websocket_origin_check(listed, off):
    port = listed.zaqard.ws_port
    assert ws_handshake(listed, A) == 101
    assert ws_handshake(listed, B) == 101
    assert ws_handshake(listed, None) == 101  # not a browser
    assert ws_handshake(listed, f"http://127.0.0.1:{port}") == 101  # same origin
    assert ws_handshake(listed, "http://evil.example") == 403
    assert ws_handshake(listed, f"http://127.0.0.1:{port}", host="localhost:1") == 403
    # without [cors] only same-origin pages and non-browser clients get in
    assert ws_handshake(off, None) == 101
    assert ws_handshake(off, f"http://127.0.0.1:{off.zaqard.ws_port}") == 101
    assert ws_handshake(off, A) == 403


def test_websocket_wildcard_allows_any_origin(wildcard):
    assert ws_handshake(wildcard, "http://anyone.example") == 101


if __name__ == "__main__":
    raise SystemExit(pytest.main([os.path.abspath(__file__), "-q"]))
