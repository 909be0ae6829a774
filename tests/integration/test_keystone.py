"""auth_strategy = keystone (auth-and-config.md §1.1, websocket-v2.md §4) against a REAL
Keystone (Debian's keystone under uwsgi, keystone_server.py, built once per session):
401s, identity and roles from the token, expired and revoked tokens, the token cache and
its expiry, the signed-URL and `/` bypasses, the service token (renewed after a 401 and
before it expires), Keystone not listening then back, WebSocket authenticate / project
check / 4003 at expiry, python-zaqarclient with a token and with a password login.

keystone_stub.py plays Keystone ONLY where a real one cannot be made to misbehave on cue:
a Keystone that answers 500, and a Keystone slower than http_connect_timeout (or slow
enough that requests are in flight together). Those tests are marked "stub:" below.

What zaqard asked Keystone is read from uwsgi's request log (KeystoneServer.requests)."""

import concurrent.futures
import os
import struct
import time
import uuid

import pytest
import websocket

import zaqard_harness as harness
from keystone_server import SERVICE_PASSWORD, SERVICE_USER, USER_PASSWORD
from keystone_stub import KeystoneStub
from ws_client import WsClient

UNAUTHORIZED = {"error": {"code": 401, "title": "Unauthorized",
                          "message": "The request you have made requires authentication."}}
UNAVAILABLE = {"title": "Service temporarily unavailable",
               "description": "The Keystone service is temporarily unavailable. "
                              "Please try again in a few seconds."}
SHARDS = 2
VALIDATE = ("GET", "/v3/auth/tokens")
LOGIN = ("POST", "/v3/auth/tokens")


def keystone_stack(workdir, extra_config):
    """harness.running_stack, except that readiness is "HTTP answers": /v2/ping needs a
    token now."""
    st = harness.Stack(workdir, extra_config=extra_config)
    st.redis.start()
    try:
        st.zaqard = harness.ZaqardProcess(workdir, st.redis.port, extra_config)
        st.zaqard.start(any_status=True)
    except BaseException:
        if st.zaqard and st.zaqard.proc:
            st.zaqard.stop()
        st.redis.stop()
        raise
    yield st
    problems = st.stop()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture(scope="module")
def keystone(real_keystone):
    return real_keystone


@pytest.fixture(scope="module")
def stack(tmp_path_factory, keystone):
    workdir = str(tmp_path_factory.mktemp("keystone"))
    with open(os.path.join(workdir, "policy.yaml"), "w") as f:
        f.write('"queues:delete": "role:admin"\n')
    yield from keystone_stack(workdir, extra_config={
        "DEFAULT": {"auth_strategy": "keystone"},
        "keystone_authtoken": keystone.authtoken_config(keystone.url,
                                                        http_connect_timeout=5),
        "signed_url": {"secret_key": "ks-secret"},
        "zaqard": {"shards": str(SHARDS)},
    })


def client(stack, token=None, project=None):
    """A client that sends X-Auth-Token (and, unless told, no X-Project-ID)."""
    c = stack.client(project=project or "ignored-" + uuid.uuid4().hex[:6])
    if token is not None:
        c.extra_headers["X-Auth-Token"] = token
    return c


def assert_unauthorized(r, keystone):
    assert r.status == 401, r
    assert r.json == UNAUTHORIZED
    assert r.header("WWW-Authenticate") == f'Keystone uri="{keystone.url}"'
    assert r.header("Content-Type").startswith("application/json")


def wait_until_expired(deadline_epoch):
    time.sleep(max(0.0, deadline_epoch - time.time()))


def test_missing_token_is_401_with_www_authenticate(stack, keystone):
    assert_unauthorized(client(stack).get("/v2/queues"), keystone)


def test_invalid_expired_and_revoked_tokens_are_401(stack, keystone):
    project = keystone.new_project()
    expiring = keystone.short_token(project, 2)
    expires = time.time() + 2
    revoked = keystone.token(project)
    keystone.revoke(revoked)
    garbage = "gAAAAAB" + "x" * 180  # fernet-shaped, not a token
    for token in ("tok-unknown", garbage, revoked):
        assert_unauthorized(client(stack, token).get("/v2/queues"), keystone)
    wait_until_expired(expires)
    assert_unauthorized(client(stack, expiring).get("/v2/queues"), keystone)


def test_project_comes_from_the_token(stack, keystone):
    project = keystone.new_project()
    token = keystone.token(project)
    # The client claims another project: the token's wins.
    c = client(stack, token, project="someone-else")
    assert c.put("/v2/queues/kq").status == 201
    r = c.post("/v2/queues/kq/messages", body={"messages": [{"body": "hi", "ttl": 60}]})
    assert r.status == 201, r
    # The same project through another token sees it; another project does not.
    same = client(stack, keystone.token(project))
    r = same.get("/v2/queues")
    assert [q["name"] for q in r.json["queues"]] == ["kq"], r
    other = client(stack, keystone.token(keystone.new_project()), project=project)
    assert other.get("/v2/queues").json["queues"] == []
    # No X-Project-ID at all: still the token's.
    r = client(stack, token).request("GET", "/v2/queues/kq/messages",
                                     headers={"X-Project-ID": None, "Client-ID": str(uuid.uuid4())})
    assert r.status == 200 and r.json["messages"][0]["body"] == "hi", r


def test_roles_come_from_the_token(stack, keystone):
    project = keystone.new_project(users=("demo-member", "demo-reader", "demo-admin"))
    member = client(stack, keystone.token(project, "demo-member"))
    member.create_queue("rq")
    # A client-sent X-Roles is replaced by the token's roles (member, reader).
    r = member.delete("/v2/queues/rq", headers={"X-Roles": "admin"})
    assert r.status == 403, r
    reader = client(stack, keystone.token(project, "demo-reader"))
    assert reader.delete("/v2/queues/rq", headers={"X-Roles": "admin"}).status == 403
    admin = client(stack, keystone.token(project, "demo-admin"))
    assert admin.delete("/v2/queues/rq", headers={"X-Roles": "reader"}).status == 204


def test_cache_spares_keystone(stack, keystone):
    token = keystone.token(keystone.new_project())
    before = keystone.requests(*VALIDATE)
    c = client(stack, token)
    for _ in range(10):
        assert c.get("/v2/queues").status == 200
    # Each shard asks once at most (the cache is per shard).
    assert 1 <= keystone.requests(*VALIDATE) - before <= SHARDS


@pytest.fixture(scope="module")
def one_shard(tmp_path_factory, keystone):
    """One shard (one cache) and token_cache_time = 2."""
    yield from keystone_stack(str(tmp_path_factory.mktemp("one-shard")), extra_config={
        "DEFAULT": {"auth_strategy": "keystone"},
        "keystone_authtoken": keystone.authtoken_config(keystone.url, token_cache_time=2),
        "zaqard": {"shards": "1"}})


def test_revoked_token_works_until_the_cache_entry_expires(one_shard, keystone):
    token = keystone.token(keystone.new_project())
    c = client(one_shard, token)
    assert c.get("/v2/queues").status == 200
    cached_at = time.monotonic()
    keystone.revoke(token)
    before = keystone.requests(*VALIDATE)
    # Within token_cache_time the cached answer stands: Keystone is not asked.
    assert c.get("/v2/queues").status == 200
    assert time.monotonic() - cached_at < 2, "too slow to observe the cache"
    assert keystone.requests(*VALIDATE) == before
    time.sleep(2.2 - (time.monotonic() - cached_at))
    assert_unauthorized(c.get("/v2/queues"), keystone)
    assert keystone.requests(*VALIDATE) == before + 1


def test_version_list_bypasses_keystone(stack):
    r = client(stack).get("/", default_headers=False)
    assert r.status == 300 or r.status == 200, r
    # The home document is not exempt.
    assert client(stack).get("/v2/").status == 401


def test_openapi_document_needs_a_token(stack, keystone):
    # The API's shape is for authenticated clients only (test_auth_before_routing.py).
    assert client(stack).get("/v2/openapi.json", default_headers=False).status == 401
    r = client(stack, keystone.token(keystone.new_project())).get("/v2/openapi.json")
    assert r.status == 200 and r.json["openapi"].startswith("3.1."), r


def test_signed_url_bypasses_keystone(stack, keystone):
    project = keystone.new_project()
    owner = client(stack, keystone.token(project))
    owner.create_queue("sq")
    r = owner.post("/v2/queues/sq/share", body={"methods": ["GET", "POST"]})
    assert r.status == 200, r
    doc = r.json
    assert doc["project"] == project
    anonymous = stack.client(project=doc["project"])  # no X-Auth-Token
    h = {"URL-Signature": doc["signature"], "URL-Expires": doc["expires"],
         "URL-Methods": ",".join(doc["methods"]), "URL-Paths": ",".join(doc["paths"])}
    r = anonymous.post("/v2/queues/sq/messages", body={"messages": [{"body": 1}]}, headers=h)
    assert r.status == 201, r
    assert anonymous.get("/v2/queues/sq/messages", headers=h, params={"echo": "true"}).status == 200
    # A bad signature is the signed-URL 404, not a Keystone 401.
    bad = dict(h, **{"URL-Signature": "0" * 64})
    assert anonymous.get("/v2/queues/sq/messages", headers=bad).status == 404
    # Without the signature the request needs a token again.
    assert anonymous.get("/v2/queues/sq/messages").status == 401


def test_service_token_renewed_after_401(stack, keystone):
    """Keystone revokes zaqard's service token (setting the service user's password
    revokes its tokens): the validation gets 401, zaqard logs in again and retries."""
    keystone.revoke_user_tokens(SERVICE_USER)
    # Keystone revokes tokens issued up to the revocation's second: wait for the next.
    time.sleep(1.1)
    tokens = [keystone.token(keystone.new_project()) for _ in range(SHARDS * 2)]
    logins = keystone.requests(*LOGIN)
    refused = keystone.requests(*VALIDATE, status=401)
    for token in tokens:  # whichever shard answers, its service token was revoked
        assert client(stack, token).get("/v2/queues").status == 200
    assert keystone.requests(*VALIDATE, status=401) > refused
    assert keystone.requests(*LOGIN) > logins


def ws_authenticate(ws, token, project):
    return ws.call("authenticate", headers={"X-Auth-Token": token, "X-Project-ID": project,
                                            "Client-ID": ws.client_id})


def test_websocket_authenticate(stack, keystone):
    project = keystone.new_project()
    ws = WsClient(stack.zaqard.ws_url, project=project)
    try:
        not_authentified = (403, {"error": "Not authentified."})
        assert ws.status_body("queue_list", {}) == not_authentified
        r = ws_authenticate(ws, "tok-bad", project)
        assert r["headers"]["status"] == 401 and r["body"] == {"error": "Authentication failed."}
        assert ws.status_body("queue_list", {}) == not_authentified
        r = ws_authenticate(ws, keystone.token(project), project)
        assert r == {"request": {"action": "authenticate", "body": {}, "headers": {},
                                 "api": "v2"},
                     "body": {"message": "Authentified."}, "headers": {"status": 200}}
        assert ws.status_body("queue_create", {"queue_name": "wq"})[0] == 201
        status, body = ws.status_body("queue_list", {})
        assert status == 200 and [q["name"] for q in body["queues"]] == ["wq"]
        # Debian's check: every frame names the token's project.
        other = ws.headers(**{"X-Project-ID": "another"})
        assert ws.status_body("queue_list", {}, headers=other) == \
            (403, {"error": "Not authenticated."})
        # The REST view of the same project sees the queue.
        rest = client(stack, keystone.token(project))
        assert [q["name"] for q in rest.get("/v2/queues").json["queues"]] == ["wq"]
    finally:
        ws.close()


def test_websocket_signed_frame_before_authentication(stack, keystone):
    project = keystone.new_project()
    owner = client(stack, keystone.token(project))
    owner.create_queue("wsq")
    doc = owner.post("/v2/queues/wsq/share", body={"methods": ["GET", "POST"]}).json
    ws = WsClient(stack.zaqard.ws_url, project=project)
    try:
        h = ws.headers(**{"URL-Signature": doc["signature"], "URL-Expires": doc["expires"],
                          "URL-Methods": doc["methods"], "URL-Paths": doc["paths"]})
        status, body = ws.status_body("message_post", {"queue_name": "wsq",
                                      "messages": [{"body": "signed", "ttl": 60}]}, headers=h)
        assert status == 201, body
        bad = dict(h, **{"URL-Signature": "0" * 64})
        assert ws.status_body("message_list", {"queue_name": "wsq"}, headers=bad) == \
            (403, {"error": "Not authentified."})
    finally:
        ws.close()


def test_websocket_closes_4003_at_expiry(stack, keystone):
    project = keystone.new_project()
    # Keystone keeps whole seconds of the credential's expiry: 2 to 3 s from now.
    token = keystone.short_token(project, 3)
    ws = WsClient(stack.zaqard.ws_url, project=project)
    try:
        assert ws_authenticate(ws, token, project)["headers"]["status"] == 200
        assert ws.status_body("queue_list", {})[0] == 200
        started = time.monotonic()
        opcode, frame = ws.ws.recv_data_frame(True)
        assert opcode == websocket.ABNF.OPCODE_CLOSE
        code = struct.unpack("!H", frame.data[:2])[0]
        assert (code, frame.data[2:].decode()) == (4003, "Authentication expired.")
        assert time.monotonic() - started < 5
    finally:
        ws.close()


def test_websocket_reauthenticate_replaces_the_timer(stack, keystone):
    project = keystone.new_project()
    short = keystone.short_token(project, 3)
    ws = WsClient(stack.zaqard.ws_url, project=project)
    try:
        assert ws_authenticate(ws, short, project)["headers"]["status"] == 200
        assert ws_authenticate(ws, keystone.token(project), project)["headers"][
            "status"] == 200
        time.sleep(3.5)
        assert ws.status_body("queue_list", {})[0] == 200
    finally:
        ws.close()


def test_websocket_roles_come_from_the_token(stack, keystone):
    project = keystone.new_project(users=("demo-member", "demo-admin"))
    ws = WsClient(stack.zaqard.ws_url, project=project)
    try:
        assert ws_authenticate(ws, keystone.token(project), project)[
            "headers"]["status"] == 200
        assert ws.status_body("queue_create", {"queue_name": "wr"})[0] == 201
        # queues:delete is role:admin; the frame's X-Roles is replaced by the token's.
        status, _ = ws.status_body("queue_delete", {"queue_name": "wr"},
                                   headers=ws.headers(**{"X-Roles": "admin"}))
        assert status == 403
        assert ws_authenticate(ws, keystone.token(project, "demo-admin"), project)[
            "headers"]["status"] == 200
        assert ws.status_body("queue_delete", {"queue_name": "wr"})[0] == 204
    finally:
        ws.close()


def test_zaqarclient_with_a_token(stack, keystone):
    from zaqarclient.queues import client as zclient
    project = keystone.new_project()
    conf = {"client_uuid": str(uuid.uuid4()),
            "auth_opts": {"backend": "keystone",
                          "options": {"os_auth_token": keystone.token(project),
                                      "os_project_id": project}}}
    cli = zclient.Client(stack.base_url, version=2, conf=conf)
    q = cli.queue("zq")
    q.post([{"body": {"n": i}, "ttl": 60} for i in range(3)])
    assert sorted(m.body["n"] for m in q.messages(echo=True)) == [0, 1, 2]
    queues, _ = cli.queues()
    assert [x.name for x in queues] == ["zq"]
    bad = zclient.Client(stack.base_url, version=2, conf={
        "client_uuid": str(uuid.uuid4()),
        "auth_opts": {"backend": "keystone",
                      "options": {"os_auth_token": "tok-nope", "os_project_id": project}}})
    with pytest.raises(Exception) as raised:
        list(bad.queues()[0])
    assert "401" in str(raised.value) or "Unauthorized" in type(raised.value).__name__


def test_zaqarclient_logs_in_to_keystone(stack, keystone):
    """python-zaqarclient's keystone backend with a user name and password: it gets the
    token from Keystone itself (keystoneauth1), zaqard validates it."""
    from zaqarclient.queues import client as zclient
    project = keystone.new_project()
    conf = {"client_uuid": str(uuid.uuid4()),
            "auth_opts": {"backend": "keystone", "options": {
                "os_auth_url": keystone.auth_url, "os_username": "demo-member",
                "os_password": USER_PASSWORD, "os_project_id": project,
                "os_user_domain_name": "Default", "os_project_domain_name": "Default"}}}
    cli = zclient.Client(stack.base_url, version=2, conf=conf)
    cli.queue("zl").post([{"body": "logged in", "ttl": 60}])
    # The queue is in the token's project.
    rest = client(stack, keystone.token(project))
    assert [q["name"] for q in rest.get("/v2/queues").json["queues"]] == ["zl"]


def test_zaqarclient_websocket_transport_with_a_token(stack, keystone):
    """python-zaqarclient's WebsocketTransport, as its docstring shows it: authenticate
    first with the token, then actions carrying the project."""
    import json as _json
    from zaqarclient.transport import request as zrequest
    from zaqarclient import transport as ztransport
    project = keystone.new_project()
    conf = {"auth_opts": {"backend": "keystone",
                          "options": {"os_auth_token": keystone.token(project),
                                      "os_project_id": project}}}
    endpoint = stack.zaqard.ws_url
    with ztransport.get_transport_for(endpoint, options=conf) as ws:
        resp = ws.send(zrequest.Request(endpoint, "queue_create",
                                        content=_json.dumps({"queue_name": "zws"})))
        assert resp.status_code == 201
        resp = ws.send(zrequest.Request(endpoint, "queue_list", content=_json.dumps({})))
        assert [q["name"] for q in _json.loads(resp.content)["queues"]] == ["zws"]


def test_missing_service_credentials_stop_startup(tmp_path):
    redis = harness.RedisProcess(str(tmp_path / "redis")).start()
    try:
        z = harness.ZaqardProcess(str(tmp_path), redis.port, {
            "DEFAULT": {"auth_strategy": "keystone"},
            "keystone_authtoken": {"auth_url": "http://127.0.0.1:1", "username": "zaqar"}})
        with pytest.raises(RuntimeError) as raised:
            z.start(timeout=10, any_status=True)
        assert "password is required" in str(raised.value), raised.value
    finally:
        redis.stop()


def test_wrong_service_password_is_503(tmp_path, keystone):
    """Keystone refuses zaqard's own login: no user token can be checked."""
    config = {"DEFAULT": {"auth_strategy": "keystone"},
              "keystone_authtoken": dict(keystone.authtoken_config(keystone.url),
                                         password="not-" + SERVICE_PASSWORD),
              "zaqard": {"shards": "1"}}
    gen = keystone_stack(str(tmp_path), config)
    st = next(gen)
    try:
        r = client(st, keystone.token()).get("/v2/queues")
        assert r.status == 503, r
        assert r.json == UNAVAILABLE
    finally:
        with pytest.raises(StopIteration):
            next(gen)


def test_keystone_down_then_up_and_service_token_renewal(tmp_path, keystone):
    """Nothing listens at auth_url: 503 (the service login cannot happen). Then a
    Keystone (the same data, another uwsgi) comes up there: the same zaqard recovers
    without a restart. That Keystone issues 31 s tokens, so zaqard's service token is
    within 30 s of its expiry and is renewed before its next use. Stopped again: 503."""
    port = harness.free_port()
    config = {"DEFAULT": {"auth_strategy": "keystone"},
              "keystone_authtoken": dict(keystone.authtoken_config(keystone.url),
                                         auth_url=f"http://127.0.0.1:{port}/v3"),
              "zaqard": {"shards": "1"}}
    tokens = [keystone.token() for _ in range(4)]  # from the session's Keystone
    gen = keystone_stack(str(tmp_path), config)
    st = next(gen)
    second = keystone.clone(port, token_expiration=31)
    try:
        r = client(st, tokens[0]).get("/v2/queues")
        assert r.status == 503, r
        assert r.json == UNAVAILABLE
        second.start()
        assert client(st, tokens[1]).get("/v2/queues").status == 200
        assert second.requests(*LOGIN) == 1
        time.sleep(1.2)
        assert client(st, tokens[2]).get("/v2/queues").status == 200
        assert second.requests(*LOGIN) == 2  # renewed before expiry
        assert second.requests(*VALIDATE) == 2
        second.stop()
        r = client(st, tokens[3]).get("/v2/queues")
        assert r.status == 503, r
        assert r.json == UNAVAILABLE
    finally:
        second.stop()
        with pytest.raises(StopIteration):
            next(gen)


# --- stub: faults a real Keystone cannot produce on cue -----------------------------------

@pytest.fixture(scope="module")
def stub():
    s = KeystoneStub().start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def stub_stack(tmp_path_factory, stub):
    yield from keystone_stack(str(tmp_path_factory.mktemp("stub")), extra_config={
        "DEFAULT": {"auth_strategy": "keystone"},
        "keystone_authtoken": {"www_authenticate_uri": "http://keystone.example:5000",
                               "auth_url": stub.url, "username": "zaqar",
                               "password": "secret", "project_name": "service",
                               "http_connect_timeout": "1"},
        "zaqard": {"shards": str(SHARDS)}})


@pytest.fixture
def healthy(stub):
    stub.delay = 0
    stub.fail_status = None
    yield
    stub.delay = 0
    stub.fail_status = None


def test_stub_keystone_failure_is_503_then_recovers(stub_stack, stub, healthy):
    """stub: Keystone answering 500."""
    c = client(stub_stack, stub.issue("proj-outage"))
    stub.fail_status = 500
    r = c.get("/v2/queues")
    assert r.status == 503, r
    assert r.json == UNAVAILABLE
    stub.fail_status = None
    assert c.get("/v2/queues").status == 200


def test_stub_slow_keystone_is_503_then_recovers(stub_stack, stub, healthy):
    """stub: Keystone slower than http_connect_timeout."""
    c = client(stub_stack, stub.issue("proj-slow"))
    stub.delay = 2  # http_connect_timeout = 1
    started = time.monotonic()
    r = c.get("/v2/queues")
    assert r.status == 503, r
    assert time.monotonic() - started < 1.9
    stub.delay = 0
    assert c.get("/v2/queues").status == 200


def test_stub_concurrent_validations_share_one_request(stub_stack, stub, healthy):
    """stub: a Keystone slow enough (0.3 s) that 16 requests are in flight together."""
    token = stub.issue("proj-concurrent")
    stub.delay = 0.3
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda _: client(stub_stack, token).get("/v2/queues").status,
                                 range(16)))
    assert statuses == [200] * 16
    assert 1 <= stub.validated.count(token) <= SHARDS


def test_stub_websocket_frames_wait_for_no_validation(stub_stack, stub, healthy):
    """stub: a validation kept in flight (0.5 s). While authenticate is being validated
    every frame (even another authenticate) is refused; replies come in request order."""
    project = "proj-" + uuid.uuid4().hex[:8]
    ws = WsClient(stub_stack.zaqard.ws_url, project=project)
    try:
        stub.delay = 0.5
        token = stub.issue(project)
        headers = {"X-Auth-Token": token, "X-Project-ID": project}
        ws.send(ws.frame("authenticate", headers=headers))
        ws.send(ws.frame("queue_list", {}))
        ws.send(ws.frame("authenticate", headers=headers))
        replies = [ws.recv()[0] for _ in range(3)]
        assert replies[0]["body"] == {"message": "Authentified."}
        assert replies[1]["body"] == {"error": "Not authentified."}
        assert replies[2]["body"] == {"error": "Not authentified."}
        assert ws.status_body("queue_list", {})[0] == 200
    finally:
        ws.close()


def test_stub_websocket_keystone_failure(stub_stack, stub, healthy):
    """stub: Keystone answering 500 to authenticate's validation."""
    project = "proj-" + uuid.uuid4().hex[:8]
    ws = WsClient(stub_stack.zaqard.ws_url, project=project)
    try:
        stub.fail_status = 500
        r = ws_authenticate(ws, stub.issue(project), project)
        assert r["headers"]["status"] == 503 and r["body"] == {"error": "Authentication failed."}
        stub.fail_status = None
        assert ws_authenticate(ws, stub.issue(project), project)["headers"]["status"] == 200
    finally:
        ws.close()
