"""401 before routing under auth_strategy = keystone (docs/security.md): as with
keystonemiddleware in front of Zaqar, a client without a valid token gets 401 for every
path but `/`, `/metrics` and `/console/...` (src/auth/rest_gate.h publicWithoutToken) and
signed-URL requests -- also for paths that do not route (404 before), wrong methods (405),
unacceptable Accept headers (406) and the OpenAPI document; an OPTIONS answers an empty
200 without the Allow list. With a valid token the same requests get their usual answers.
The Keystone here is keystone_stub.py (tokens issued on demand; the real Keystone's tests
are in test_keystone.py)."""

import pytest

import zaqard_harness as harness
from keystone_stub import KeystoneStub

UNAUTHORIZED = {"error": {"code": 401, "title": "Unauthorized",
                          "message": "The request you have made requires authentication."}}


@pytest.fixture(scope="module")
def stub():
    s = KeystoneStub().start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, stub):
    workdir = str(tmp_path_factory.mktemp("authfirst"))
    st = harness.Stack(workdir, extra_config={
        "DEFAULT": {"auth_strategy": "keystone"},
        "keystone_authtoken": {"www_authenticate_uri": "http://keystone.example:5000",
                               "auth_url": stub.url, "username": "zaqar",
                               "password": "secret", "project_name": "service"},
        "signed_url": {"secret_key": "k"},
        "zaqard": {"shards": "1"}})
    st.redis.start()
    st.zaqard = harness.ZaqardProcess(workdir, st.redis.port, st.extra_config)
    st.zaqard.start(any_status=True)
    yield st
    problems = st.stop()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def anonymous(stack):
    return stack.client(project="p-anon")


def with_token(stack, stub):
    c = stack.client(project="ignored")
    c.extra_headers["X-Auth-Token"] = stub.issue(project_id="p-routing")
    return c


SHAPES = [
    ("GET", "/v2/no-such-thing", None, 404),
    ("GET", "/nothing/at/all", None, 404),
    ("GET", "/v2/openapi.json", None, 200),
    ("DELETE", "/v2/queues", None, 405),
    ("PATCH", "/v2/ping", None, 405),
    ("GET", "/v2/queues", {"Accept": "text/html"}, 406),
    ("POST", "/v2/queues/q/messages", {"Content-Type": "application/x-www-form-urlencoded"}, 400),
    ("GET", "/v2/queues", None, 200),
]


@pytest.mark.parametrize("method,path,extra,authenticated", SHAPES,
                         ids=[f"{m} {p} {e or ''}" for m, p, e, _ in SHAPES])
def test_without_a_token_every_shape_is_401(stack, stub, method, path, extra, authenticated):
    raw = b"a=1" if extra and "x-www-form-urlencoded" in extra.get("Content-Type", "") else None
    r = anonymous(stack).request(method, path, headers=extra, raw=raw)
    assert r.status == 401, r
    assert r.json == UNAUTHORIZED
    assert r.header("WWW-Authenticate") == 'Keystone uri="http://keystone.example:5000"'
    # The same request with a valid token gets what it got before.
    r = with_token(stack, stub).request(method, path, headers=extra, raw=raw)
    assert r.status == authenticated, r


def test_options_without_a_token_lists_nothing(stack, stub):
    r = anonymous(stack).options("/v2/queues")
    assert r.status == 200 and r.header("Allow") is None, r
    r = with_token(stack, stub).options("/v2/queues")
    assert r.status == 200 and "GET" in r.header("Allow"), r


def test_public_paths_and_signed_requests_pass(stack):
    c = anonymous(stack)
    assert c.get("/", default_headers=False).status in (200, 300)
    assert c.get("/metrics", default_headers=False).status == 200
    # No console in this build or no such file: not a 401 either way.
    assert c.get("/console/", default_headers=False).status != 401
    r = c.get("/v2/queues/q/messages", headers={
        "URL-Signature": "0" * 64, "URL-Expires": "2099-01-01T00:00:00",
        "URL-Methods": "GET", "URL-Paths": "/v2/queues/q/messages"})
    assert r.status == 404, r  # the api checked the signature: the usual 404, not a 401
