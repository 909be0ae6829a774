"""Pre-signed URLs verified on incoming requests (auth-and-config.md §3.3,
websocket-v2.md §4.1): a share document created by zaqard, used with only its headers, and
every way a request can fall outside what was signed."""

import datetime
import hashlib
import hmac

import pytest

import zaqard_harness as harness
from ws_client import WsClient

SECRET = "test-signing-key"
NOT_FOUND = {"title": "404 Not Found"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    yield from harness.running_stack(str(tmp_path_factory.mktemp("signed")),
                                     extra_config={"signed_url": {"secret_key": SECRET}})


@pytest.fixture
def owner(stack):
    return stack.client(project="share-owner")


def share(owner, queue, **document):
    owner.create_queue(queue)
    r = owner.post(f"/v2/queues/{queue}/share", body=document)
    assert r.status == 200, r
    return r.json


def signed_headers(doc, **overrides):
    h = {"URL-Signature": doc["signature"], "URL-Expires": doc["expires"],
         "URL-Methods": ",".join(doc["methods"]), "URL-Paths": ",".join(doc["paths"]),
         "X-Project-ID": doc["project"]}
    h.update(overrides)
    return h


def sign(paths, methods, project, expires, key=SECRET):
    message = "\\n".join([",".join(sorted(paths)), ",".join(sorted(methods)), project, expires])
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def anonymous(stack):
    """A client that has nothing but the share document: its own Client-ID, no roles."""
    return stack.client(project="ignored")


def assert_refused(r):
    assert r.status == 404, r
    assert r.json == NOT_FOUND


def test_share_document_grants_post_and_list(stack, owner):
    doc = share(owner, "shq", methods=["GET", "POST"])
    assert doc["paths"] == ["/v2/queues/shq/messages"]
    c = anonymous(stack)
    h = signed_headers(doc)
    r = c.post("/v2/queues/shq/messages", body={"messages": [{"body": "hi", "ttl": 60}]},
               headers=h)
    assert r.status == 201, r
    mid = r.json["resources"][0].rsplit("/", 1)[1]
    r = c.get("/v2/queues/shq/messages", headers=h, params={"echo": "true"})
    assert r.status == 200, r
    assert [m["body"] for m in r.json["messages"]] == ["hi"]
    # Sub-resources of a signed path: one message, and ?ids=.
    assert c.get(f"/v2/queues/shq/messages/{mid}", headers=h).status == 200
    assert c.get("/v2/queues/shq/messages", headers=h, params={"ids": mid}).status == 200
    # The owner sees it in its own project.
    assert owner.get(f"/v2/queues/shq/messages/{mid}").status == 200


def test_signature_with_zaqar_algorithm_is_accepted(stack, owner):
    owner.create_queue("algo")
    expires = "2099-01-01T00:00:00"
    paths = ["/v2/queues/algo/messages", "/v2/queues/algo/claims"]
    sig = sign(paths, ["POST", "GET"], "share-owner", expires)
    h = {"URL-Signature": sig, "URL-Expires": expires, "URL-Methods": "POST,GET",
         "URL-Paths": ",".join(paths), "X-Project-ID": "share-owner"}
    c = anonymous(stack)
    assert c.post("/v2/queues/algo/messages", body={"messages": [{"body": 1}]},
                  headers=h).status == 201
    r = c.post("/v2/queues/algo/claims", body={"ttl": 60}, headers=h)
    assert r.status == 201, r
    # An expiry with a zone is normalised before signing, as Zaqar does.
    h2 = dict(h, **{"URL-Expires": "2099-01-01T00:00:00Z"})
    assert c.get("/v2/queues/algo/messages", headers=h2).status == 200


def test_refusals(stack, owner):
    doc = share(owner, "q", methods=["GET"])
    owner.create_queue("q2")
    owner.create_queue("qx")
    c = anonymous(stack)
    h = signed_headers(doc)
    assert c.get("/v2/queues/q/messages", headers=h).status == 200
    # Wrong method.
    assert_refused(c.post("/v2/queues/q/messages", body={"messages": [{"body": 1}]}, headers=h))
    assert_refused(c.delete("/v2/queues/q/messages", headers=h, params={"ids": "x"}))
    # Another path of the same queue, and the queue itself.
    assert_refused(c.get("/v2/queues/q/claims/abc", headers=h))
    assert_refused(c.get("/v2/queues/q", headers=h))
    assert_refused(c.get("/v2/queues", headers=h))
    # Another queue whose name starts with the signed one (Zaqar's unanchored regex
    # granted these).
    assert_refused(c.get("/v2/queues/q2/messages", headers=h))
    assert_refused(c.get("/v2/queues/qx/messages", headers=h))
    assert_refused(c.get("/v2/queues/q/messagesx", headers=h))
    # Tampered signature, and each signed value changed.
    bad = ("0" if doc["signature"][0] != "0" else "1") + doc["signature"][1:]
    assert_refused(c.get("/v2/queues/q/messages", headers=dict(h, **{"URL-Signature": bad})))
    assert_refused(c.get("/v2/queues/q/messages",
                         headers=dict(h, **{"URL-Signature": doc["signature"].upper()})))
    assert_refused(c.get("/v2/queues/q/messages",
                         headers=dict(h, **{"URL-Methods": "GET,POST"})))
    assert_refused(c.get("/v2/queues/q/messages",
                         headers=dict(h, **{"URL-Paths": "/v2/queues/q/messages,/v2/queues/q/claims"})))
    assert_refused(c.get("/v2/queues/q/messages",
                         headers=dict(h, **{"URL-Expires": "2099-01-01T00:00:00"})))
    # Other project: the signature covers the project.
    assert_refused(c.get("/v2/queues/q/messages",
                         headers=dict(h, **{"X-Project-ID": "someone-else"})))
    # Empty and missing pieces.
    assert_refused(c.get("/v2/queues/q/messages", headers=dict(h, **{"URL-Signature": ""})))
    assert_refused(c.get("/v2/queues/q/messages", headers=dict(h, **{"URL-Expires": None})))
    assert_refused(c.get("/v2/queues/q/messages", headers=dict(h, **{"URL-Paths": None})))
    assert_refused(c.get("/v2/queues/q/messages", headers=dict(h, **{"URL-Methods": None})))
    assert_refused(c.get("/v2/queues/q/messages", headers=dict(h, **{"URL-Expires": "4102444800"})))
    assert_refused(c.get("/v2/queues/q/messages", headers=dict(h, **{"URL-Expires": "garbage"})))
    # An empty URL-Signature is verified (and fails) even with nothing else.
    assert_refused(c.get("/v2/queues/q/messages", headers={"URL-Signature": ""}))
    assert_refused(c.get("/", headers={"URL-Signature": ""}))


def test_expired_signature_is_refused(stack, owner):
    owner.create_queue("exq")
    past = (datetime.datetime.utcnow() - datetime.timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%S")
    paths = ["/v2/queues/exq/messages"]
    h = {"URL-Signature": sign(paths, ["GET"], "share-owner", past), "URL-Expires": past,
         "URL-Methods": "GET", "URL-Paths": paths[0], "X-Project-ID": "share-owner"}
    assert_refused(anonymous(stack).get("/v2/queues/exq/messages", headers=h))
    # The same request signed until later passes.
    future = (datetime.datetime.utcnow() + datetime.timedelta(seconds=60)).strftime("%Y-%m-%dT%H:%M:%S")
    h.update({"URL-Signature": sign(paths, ["GET"], "share-owner", future), "URL-Expires": future})
    assert anonymous(stack).get("/v2/queues/exq/messages", headers=h).status == 200


def test_header_checks_still_apply_after_a_valid_signature(stack, owner):
    doc = share(owner, "hdr", methods=["GET"])
    c = anonymous(stack)
    r = c.get("/v2/queues/hdr/messages", headers=signed_headers(doc, **{"Client-ID": None}))
    assert r.status == 400, r


def test_signed_url_needs_a_secret_key(tmp_path):
    # Without [signed_url] secret_key nothing verifies (Zaqar: ValueError -> 404).
    with_key = harness.Stack(str(tmp_path))
    with_key.start()
    try:
        c = with_key.client(project="p")
        c.create_queue("nokey")
        paths = ["/v2/queues/nokey/messages"]
        h = {"URL-Signature": sign(paths, ["GET"], "p", "2099-01-01T00:00:00", key=""),
             "URL-Expires": "2099-01-01T00:00:00", "URL-Methods": "GET", "URL-Paths": paths[0]}
        assert_refused(c.get("/v2/queues/nokey/messages", headers=h))
    finally:
        assert with_key.stop() == []


def test_websocket_signed_frames(stack, owner):
    doc = share(owner, "wsq", methods=["GET", "POST"])
    owner.create_queue("wsq2")
    ws = WsClient(stack.zaqard.ws_url, project="share-owner")
    try:
        h = ws.headers(**{"URL-Signature": doc["signature"], "URL-Expires": doc["expires"],
                          "URL-Methods": doc["methods"], "URL-Paths": doc["paths"]})
        status, body = ws.status_body("message_post", {"queue_name": "wsq",
                                      "messages": [{"body": "over ws", "ttl": 60}]}, headers=h)
        assert status == 201, body
        status, body = ws.status_body("message_list", {"queue_name": "wsq", "echo": True},
                                      headers=h)
        assert status == 200 and [m["body"] for m in body["messages"]] == ["over ws"]
        refused = (403, {"error": "Not authentified."})
        # Another queue (Z15 did not check), a method not signed, an action with no
        # method, a tampered signature, the REST comma form.
        assert ws.status_body("message_list", {"queue_name": "wsq2"}, headers=h) == refused
        assert ws.status_body("message_delete", {"queue_name": "wsq", "message_id": "x"},
                              headers=h) == refused
        assert ws.status_body("queue_list", {}, headers=h) == refused
        tampered = dict(h, **{"URL-Signature": "0" * 64})
        assert ws.status_body("message_list", {"queue_name": "wsq"}, headers=tampered) == refused
        commas = dict(h, **{"URL-Methods": "GET,POST", "URL-Paths": doc["paths"][0]})
        assert ws.status_body("message_list", {"queue_name": "wsq"}, headers=commas) == refused
        # Without signature headers the frame is processed as sent (noauth).
        status, _ = ws.status_body("message_list", {"queue_name": "wsq2"})
        assert status == 200
    finally:
        ws.close()


def test_zaqarclient_signed_url_backend(stack, owner):
    from zaqarclient.queues.v2 import client as zclient
    doc = share(owner, "zcq", methods=["GET", "POST"])
    cli = zclient.Client(stack.base_url, conf={"auth_opts": {
        "backend": "signed-url",
        "options": {"signature": doc["signature"], "expires": doc["expires"],
                    "methods": doc["methods"], "paths": doc["paths"],
                    "os_project_id": doc["project"]}}})
    q = cli.queue("zcq", auto_create=False)
    q.post([{"body": {"via": "zaqarclient"}, "ttl": 60}])
    bodies = [m.body for m in q.messages(echo=True)]
    assert bodies == [{"via": "zaqarclient"}]
    # A queue the document does not cover is refused.
    owner.create_queue("zcq2")
    other = cli.queue("zcq2", auto_create=False)
    with pytest.raises(Exception):
        list(other.messages(echo=True))
