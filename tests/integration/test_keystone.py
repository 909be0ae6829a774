"""auth_strategy = keystone (auth-and-config.md §1.1, websocket-v2.md §4) against a small
Keystone v3 token service (keystone_stub.py): 401s, identity from the token, the token
cache, the signed-URL and `/` bypasses, Keystone outages (503, then recovery), WebSocket
authenticate / project check / 4003 at expiry, and python-zaqarclient with a token."""

import concurrent.futures
import os
import struct
import time
import uuid

import pytest
import websocket

import zaqard_harness as harness
from keystone_stub import KeystoneStub
from ws_client import WsClient

WWW_AUTH = "http://keystone.example:5000"
UNAUTHORIZED = {"error": {"code": 401, "title": "Unauthorized",
                          "message": "The request you have made requires authentication."}}
UNAVAILABLE = {"title": "Service temporarily unavailable",
               "description": "The Keystone service is temporarily unavailable. "
                              "Please try again in a few seconds."}
SHARDS = 2


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
def keystone():
    stub = KeystoneStub().start()
    yield stub
    stub.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, keystone):
    workdir = str(tmp_path_factory.mktemp("keystone"))
    with open(os.path.join(workdir, "policy.yaml"), "w") as f:
        f.write('"queues:delete": "role:admin"\n')
    yield from keystone_stack(workdir, extra_config={
        "DEFAULT": {"auth_strategy": "keystone"},
        "keystone_authtoken": {"www_authenticate_uri": WWW_AUTH, "auth_url": keystone.url,
                               "auth_type": "password", "username": "zaqar",
                               "password": "secret", "project_name": "service",
                               "user_domain_name": "Default",
                               "project_domain_name": "Default",
                               "http_connect_timeout": "1"},
        "signed_url": {"secret_key": "ks-secret"},
        "zaqard": {"shards": str(SHARDS)},
    })


@pytest.fixture(autouse=True)
def healthy(keystone):
    keystone.delay = 0
    keystone.fail_status = None
    yield
    keystone.delay = 0
    keystone.fail_status = None


def client(stack, token=None, project=None):
    """A client that sends X-Auth-Token (and, unless told, no X-Project-ID)."""
    c = stack.client(project=project or "ignored-" + uuid.uuid4().hex[:6])
    if token is not None:
        c.extra_headers["X-Auth-Token"] = token
    return c


def test_missing_token_is_401_with_www_authenticate(stack):
    c = client(stack)
    r = c.get("/v2/queues")
    assert r.status == 401, r
    assert r.json == UNAUTHORIZED
    assert r.header("WWW-Authenticate") == f'Keystone uri="{WWW_AUTH}"'
    assert r.header("Content-Type").startswith("application/json")


def test_invalid_token_is_401(stack, keystone):
    for token in ("tok-unknown", keystone.issue("pk", ttl=-5)):  # unknown, expired
        r = client(stack, token).get("/v2/queues")
        assert r.status == 401, r
        assert r.json == UNAUTHORIZED
        assert r.header("WWW-Authenticate") == f'Keystone uri="{WWW_AUTH}"'


def test_project_comes_from_the_token(stack, keystone):
    project = "proj-" + uuid.uuid4().hex[:8]
    token = keystone.issue(project)
    # The client claims another project: the token's wins.
    c = client(stack, token, project="someone-else")
    assert c.put("/v2/queues/kq").status == 201
    r = c.post("/v2/queues/kq/messages", body={"messages": [{"body": "hi", "ttl": 60}]})
    assert r.status == 201, r
    # The same project through another token sees it; another project does not.
    same = client(stack, keystone.issue(project))
    r = same.get("/v2/queues")
    assert [q["name"] for q in r.json["queues"]] == ["kq"], r
    other = client(stack, keystone.issue("proj-other-" + uuid.uuid4().hex[:6]),
                   project=project)
    assert other.get("/v2/queues").json["queues"] == []
    # No X-Project-ID at all: still the token's.
    r = client(stack, token).request("GET", "/v2/queues/kq/messages",
                                     headers={"X-Project-ID": None, "Client-ID": str(uuid.uuid4())})
    assert r.status == 200 and r.json["messages"][0]["body"] == "hi", r


def test_roles_come_from_the_token(stack, keystone):
    project = "proj-" + uuid.uuid4().hex[:8]
    member = client(stack, keystone.issue(project, roles=("member",)))
    member.create_queue("rq")
    # A client-sent X-Roles is replaced by the token's roles.
    r = member.delete("/v2/queues/rq", headers={"X-Roles": "admin"})
    assert r.status == 403, r
    admin = client(stack, keystone.issue(project, roles=("member", "admin")))
    assert admin.delete("/v2/queues/rq", headers={"X-Roles": "reader"}).status == 204


def test_cache_spares_keystone(stack, keystone):
    token = keystone.issue("proj-cache")
    c = client(stack, token)
    for _ in range(10):
        assert c.get("/v2/queues").status == 200
    # Each shard asks once at most (the cache is per shard).
    assert 1 <= keystone.validated.count(token) <= SHARDS


def test_concurrent_validations_share_one_request(stack, keystone):
    token = keystone.issue("proj-concurrent")
    keystone.delay = 0.3
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda _: client(stack, token).get("/v2/queues").status,
                                 range(16)))
    assert statuses == [200] * 16
    assert 1 <= keystone.validated.count(token) <= SHARDS


def test_version_list_bypasses_keystone(stack):
    r = client(stack).get("/", default_headers=False)
    assert r.status == 300 or r.status == 200, r
    # The home document is not exempt.
    assert client(stack).get("/v2/").status == 401


def test_signed_url_bypasses_keystone(stack, keystone):
    project = "proj-" + uuid.uuid4().hex[:8]
    owner = client(stack, keystone.issue(project))
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


def test_keystone_failure_is_503_then_recovers(stack, keystone):
    c = client(stack, keystone.issue("proj-outage"))
    keystone.fail_status = 500
    r = c.get("/v2/queues")
    assert r.status == 503, r
    assert r.json == UNAVAILABLE
    keystone.fail_status = None
    assert c.get("/v2/queues").status == 200


def test_slow_keystone_is_503_then_recovers(stack, keystone):
    c = client(stack, keystone.issue("proj-slow"))
    keystone.delay = 2  # http_connect_timeout = 1
    started = time.monotonic()
    r = c.get("/v2/queues")
    assert r.status == 503, r
    assert time.monotonic() - started < 1.9
    keystone.delay = 0
    assert c.get("/v2/queues").status == 200


def test_service_token_renewed_after_401(stack, keystone):
    logins = keystone.count("login")
    keystone.revoke_service_tokens()
    assert client(stack, keystone.issue("proj-relogin")).get("/v2/queues").status == 200
    assert keystone.count("login") > logins


def test_service_token_renewed_before_expiry(stack, keystone):
    """A service token within 30 s of its expiry is replaced before use."""
    keystone.service_token_ttl = 31
    try:
        keystone.revoke_service_tokens()
        c = client(stack, keystone.issue("proj-renew"))
        assert c.get("/v2/queues").status == 200  # 401 -> login (a 31 s token)
        logins = keystone.count("login")
        time.sleep(1.2)
        for _ in range(SHARDS * 2):  # whichever shard answers, it renews
            assert client(stack, keystone.issue("proj-renew")).get("/v2/queues").status == 200
        assert keystone.count("login") > logins
    finally:
        keystone.service_token_ttl = 3600
        keystone.revoke_service_tokens()


def ws_authenticate(ws, token, project):
    return ws.call("authenticate", headers={"X-Auth-Token": token, "X-Project-ID": project,
                                            "Client-ID": ws.client_id})


def test_websocket_authenticate(stack, keystone):
    project = "proj-" + uuid.uuid4().hex[:8]
    ws = WsClient(stack.zaqard.ws_url, project=project)
    try:
        not_authentified = (403, {"error": "Not authentified."})
        assert ws.status_body("queue_list", {}) == not_authentified
        r = ws_authenticate(ws, "tok-bad", project)
        assert r["headers"]["status"] == 401 and r["body"] == {"error": "Authentication failed."}
        assert ws.status_body("queue_list", {}) == not_authentified
        r = ws_authenticate(ws, keystone.issue(project, roles=("member",)), project)
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
        rest = client(stack, keystone.issue(project))
        assert [q["name"] for q in rest.get("/v2/queues").json["queues"]] == ["wq"]
    finally:
        ws.close()


def test_websocket_frames_wait_for_no_validation(stack, keystone):
    """While authenticate is being validated every frame (even another authenticate) is
    refused; replies still come in request order."""
    project = "proj-" + uuid.uuid4().hex[:8]
    ws = WsClient(stack.zaqard.ws_url, project=project)
    try:
        keystone.delay = 0.5
        token = keystone.issue(project)
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


def test_websocket_keystone_down(stack, keystone):
    project = "proj-" + uuid.uuid4().hex[:8]
    ws = WsClient(stack.zaqard.ws_url, project=project)
    try:
        keystone.fail_status = 500
        r = ws_authenticate(ws, keystone.issue(project), project)
        assert r["headers"]["status"] == 503 and r["body"] == {"error": "Authentication failed."}
        keystone.fail_status = None
        assert ws_authenticate(ws, keystone.issue(project), project)["headers"]["status"] == 200
    finally:
        ws.close()


def test_websocket_signed_frame_before_authentication(stack, keystone):
    project = "proj-" + uuid.uuid4().hex[:8]
    owner = client(stack, keystone.issue(project))
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
    project = "proj-" + uuid.uuid4().hex[:8]
    ws = WsClient(stack.zaqard.ws_url, project=project)
    try:
        assert ws_authenticate(ws, keystone.issue(project, ttl=2), project)["headers"][
            "status"] == 200
        assert ws.status_body("queue_list", {})[0] == 200
        started = time.monotonic()
        opcode, frame = ws.ws.recv_data_frame(True)
        assert opcode == websocket.ABNF.OPCODE_CLOSE
        code = struct.unpack("!H", frame.data[:2])[0]
        assert (code, frame.data[2:].decode()) == (4003, "Authentication expired.")
        assert time.monotonic() - started < 4
    finally:
        ws.close()


def test_websocket_reauthenticate_replaces_the_timer(stack, keystone):
    project = "proj-" + uuid.uuid4().hex[:8]
    ws = WsClient(stack.zaqard.ws_url, project=project)
    try:
        assert ws_authenticate(ws, keystone.issue(project, ttl=2), project)["headers"][
            "status"] == 200
        assert ws_authenticate(ws, keystone.issue(project, ttl=3600), project)["headers"][
            "status"] == 200
        time.sleep(3)
        assert ws.status_body("queue_list", {})[0] == 200
    finally:
        ws.close()


def test_zaqarclient_with_a_token(stack, keystone):
    from zaqarclient.queues import client as zclient
    project = "proj-" + uuid.uuid4().hex[:8]
    token = keystone.issue(project)
    conf = {"client_uuid": str(uuid.uuid4()),
            "auth_opts": {"backend": "keystone",
                          "options": {"os_auth_token": token, "os_project_id": project}}}
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


def test_keystone_down_then_up(tmp_path):
    """Nothing listens at auth_url: 503 (the service login cannot happen); once Keystone
    is there, the same zaqard recovers without a restart."""
    port = harness.free_port()
    config = {"DEFAULT": {"auth_strategy": "keystone"},
              "keystone_authtoken": {"www_authenticate_uri": WWW_AUTH,
                                     "auth_url": f"http://127.0.0.1:{port}/v3",
                                     "username": "zaqar", "password": "secret",
                                     "project_name": "service"},
              "zaqard": {"shards": "1"}}
    stub = None
    gen = keystone_stack(str(tmp_path), config)
    st = next(gen)
    try:
        c = client(st, "tok-whatever")
        r = c.get("/v2/queues")
        assert r.status == 503, r
        assert r.json == UNAVAILABLE
        stub = KeystoneStub(port=port).start()
        c = client(st, stub.issue("proj-up"))
        assert c.get("/v2/queues").status == 200
        assert stub.count("login") == 1
    finally:
        if stub:
            stub.stop()
        with pytest.raises(StopIteration):
            next(gen)


def test_zaqarclient_websocket_transport_with_a_token(stack, keystone):
    """python-zaqarclient's WebsocketTransport, as its docstring shows it: authenticate
    first with the token, then actions carrying the project."""
    import json as _json
    from zaqarclient.transport import request as zrequest
    from zaqarclient import transport as ztransport
    project = "proj-" + uuid.uuid4().hex[:8]
    conf = {"auth_opts": {"backend": "keystone",
                          "options": {"os_auth_token": keystone.issue(project),
                                      "os_project_id": project}}}
    endpoint = stack.zaqard.ws_url
    with ztransport.get_transport_for(endpoint, options=conf) as ws:
        resp = ws.send(zrequest.Request(endpoint, "queue_create",
                                        content=_json.dumps({"queue_name": "zws"})))
        assert resp.status_code == 201
        resp = ws.send(zrequest.Request(endpoint, "queue_list", content=_json.dumps({})))
        assert [q["name"] for q in _json.loads(resp.content)["queues"]] == ["zws"]


def test_websocket_roles_come_from_the_token(stack, keystone):
    project = "proj-" + uuid.uuid4().hex[:8]
    ws = WsClient(stack.zaqard.ws_url, project=project)
    try:
        assert ws_authenticate(ws, keystone.issue(project, roles=("member",)), project)[
            "headers"]["status"] == 200
        assert ws.status_body("queue_create", {"queue_name": "wr"})[0] == 201
        # queues:delete is role:admin; the frame's X-Roles is replaced by the token's.
        status, _ = ws.status_body("queue_delete", {"queue_name": "wr"},
                                   headers=ws.headers(**{"X-Roles": "admin"}))
        assert status == 403
        assert ws_authenticate(ws, keystone.issue(project, roles=("admin",)), project)[
            "headers"]["status"] == 200
        assert ws.status_body("queue_delete", {"queue_name": "wr"})[0] == 204
    finally:
        ws.close()
