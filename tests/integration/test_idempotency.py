"""Idempotent publish (docs/api.md "Idempotent publish"): the Idempotency-Key header (REST)
and header field (WebSocket), per-message `idempotency_key` in a batch, the per-queue
window `_idempotency_window`, key validation, and a repeated post after zaqard was killed
with SIGKILL around its first answer (Redis with AOF, so nothing acknowledged is lost)."""

import json
import os
import socket
import time
import uuid

import pytest

import zaqard_harness as harness
from ws_client import WsClient


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    yield from harness.running_stack(str(tmp_path_factory.mktemp("idem")))


@pytest.fixture
def api(stack):
    return stack.client(project="p-" + uuid.uuid4().hex)


def post(api, queue, messages, key=None):
    headers = {"Idempotency-Key": key} if key is not None else None
    return api.post(f"/v2/queues/{queue}/messages", body={"messages": messages},
                    headers=headers)


def ids_of(response):
    assert response.status == 201, response
    return [r.rsplit("/", 1)[1] for r in response.json["resources"]]


def total(api, queue):
    r = api.get(f"/v2/queues/{queue}/stats")
    assert r.status == 200, r
    return r.json["messages"]["total"]


def test_repeated_key_answers_the_same_resources_and_stores_nothing(api):
    first = post(api, "iq", [{"body": {"n": 1}, "ttl": 300}, {"body": {"n": 2}, "ttl": 300}],
                 key="order-17")
    again = post(api, "iq", [{"body": {"n": 1}, "ttl": 300}, {"body": {"n": 2}, "ttl": 300}],
                 key="order-17")
    assert again.status == 201
    assert again.json == first.json  # same resources, same order
    assert total(api, "iq") == 2
    # A different key, or none, stores again.
    assert ids_of(post(api, "iq", [{"body": {"n": 1}}], key="order-18")) != ids_of(first)[:1]
    post(api, "iq", [{"body": {"n": 1}}])
    assert total(api, "iq") == 4


def test_same_key_with_another_body_answers_the_original(api):
    first = ids_of(post(api, "bq", [{"body": "original"}], key="k"))
    assert ids_of(post(api, "bq", [{"body": "changed"}, {"body": "more"}], key="k")) == first
    listed = api.list_messages("bq", echo=True)
    assert [m["body"] for m in listed["messages"]] == ["original"]


def test_keys_are_per_queue_and_per_project(api):
    a = ids_of(post(api, "qa", [{"body": 1}], key="same"))
    b = ids_of(post(api, "qb", [{"body": 1}], key="same"))
    c = ids_of(post(api.other_project(), "qa", [{"body": 1}], key="same"))
    assert len({a[0], b[0], c[0]}) == 3


def test_window_expiry(api):
    r = api.put("/v2/queues/wq", body={"_idempotency_window": 1})
    assert r.status == 201, r
    first = ids_of(post(api, "wq", [{"body": 1}], key="w"))
    assert ids_of(post(api, "wq", [{"body": 1}], key="w")) == first
    time.sleep(1.3)
    assert ids_of(post(api, "wq", [{"body": 1}], key="w")) != first
    assert total(api, "wq") == 2
    # Metadata shows it as set (no default is filled in: it is not a Zaqar key).
    assert api.get("/v2/queues/wq").json["_idempotency_window"] == 1


@pytest.mark.parametrize("value, reason", [
    (0, "_idempotency_window can not exceed 86400 seconds, and must be at least 1 second long."),
    (86401,
     "_idempotency_window can not exceed 86400 seconds, and must be at least 1 second long."),
    ("60", "_idempotency_window must be integer."),
    (1.5, "_idempotency_window must be integer."),
])
def test_window_is_validated(api, value, reason):
    r = api.put("/v2/queues/vq", body={"_idempotency_window": value})
    assert r.status == 400, r
    assert r.json == {"title": "Invalid API request", "description": reason}


def test_default_queue_metadata_is_unchanged(api):
    api.put("/v2/queues/plain", body={})
    assert "_idempotency_window" not in api.get("/v2/queues/plain").json


def test_deleted_and_recreated_queue_forgets_keys(api):
    first = ids_of(post(api, "dq", [{"body": 1}], key="d"))
    assert api.delete("/v2/queues/dq").status == 204
    time.sleep(0.01)  # a new creation time
    assert ids_of(post(api, "dq", [{"body": 1}], key="d")) != first
    assert total(api, "dq") == 1


def test_batch_with_per_message_keys(api):
    first = ids_of(post(api, "mq", [{"body": "a", "idempotency_key": "ka"},
                                    {"body": "b"},
                                    {"body": "c", "idempotency_key": "kc"}]))
    again = ids_of(post(api, "mq", [{"body": "a2", "idempotency_key": "ka"},
                                    {"body": "d"},
                                    {"body": "c", "idempotency_key": "kc"},
                                    {"body": "e", "idempotency_key": "ka"},
                                    {"body": "f", "idempotency_key": "kf"},
                                    {"body": "g", "idempotency_key": "kf"}]))
    assert again[0] == first[0] and again[2] == first[2] and again[3] == first[0]
    assert again[1] not in first and again[4] not in first and again[5] == again[4]
    assert total(api, "mq") == 3 + 2  # b, a, c, then d and f
    bodies = sorted(m["body"] for m in api.list_messages("mq", echo=True)["messages"])
    assert bodies == ["a", "b", "c", "d", "f"]
    # A message key and a request key together: the request key answers the whole post.
    r1 = ids_of(post(api, "mq", [{"body": "h", "idempotency_key": "kh"}, {"body": "i"}],
                     key="req"))
    assert ids_of(post(api, "mq", [{"body": "x"}], key="req")) == r1
    assert total(api, "mq") == 7


@pytest.mark.parametrize("key", ["", "has space", "x" * 129, "caf\u00e9"])
def test_invalid_header_key_is_refused(api, key):
    r = api.post("/v2/queues/kq/messages", body={"messages": [{"body": 1}]},
                 headers={"Idempotency-Key": key.encode("utf-8").decode("latin-1")})
    assert r.status == 400, r
    assert r.json == {"title": "Invalid API request", "description":
                      "Idempotency-Key must be 1 to 128 printable ASCII characters without "
                      "spaces."}


@pytest.mark.parametrize("key", ["", 5, "a b", "y" * 129, ["k"]])
def test_invalid_message_key_is_refused(api, key):
    r = post(api, "kq", [{"body": 1, "idempotency_key": key}])
    assert r.status == 400, r
    assert r.json == {"title": "Invalid API request", "description":
                      "idempotency_key must be a string of 1 to 128 printable ASCII characters "
                      "without spaces."}


def test_longest_key_is_accepted(api):
    key = "!" + "~" * 127
    assert ids_of(post(api, "lq", [{"body": 1}], key=key)) == \
        ids_of(post(api, "lq", [{"body": 2}], key=key))


def test_websocket_header_field(stack, api):
    ws = WsClient(stack.zaqard.ws_url, project=api.project)
    try:
        body = {"queue_name": "wsq", "messages": [{"body": {"w": 1}, "ttl": 300}]}
        headers = ws.headers(**{"Idempotency-Key": "ws-1"})
        status, first = ws.status_body("message_post", body, headers=headers)
        assert status == 201, first
        status, again = ws.status_body("message_post", body, headers=headers)
        assert status == 201 and again == first
        # The same key over REST answers the same id (one record per queue).
        assert ids_of(post(api, "wsq", [{"body": {"w": 1}}], key="ws-1")) == \
            first["message_ids"]
        status, bad = ws.status_body("message_post", body,
                                     headers=ws.headers(**{"Idempotency-Key": "a b"}))
        assert status == 400, bad
        assert total(api, "wsq") == 1
    finally:
        ws.close()


def raw_post(port, project, queue, key, body):
    """Sends a post and returns the socket without reading the answer."""
    data = json.dumps({"messages": [{"body": body, "ttl": 300}]}).encode()
    request = (f"POST /v2/queues/{queue}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               f"Client-ID: {uuid.uuid4()}\r\nX-Project-ID: {project}\r\n"
               f"Content-Type: application/json\r\nIdempotency-Key: {key}\r\n"
               f"Content-Length: {len(data)}\r\n\r\n").encode() + data
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(request)
    return s


def test_repeat_after_kill_9(tmp_path):
    st = harness.Stack(str(tmp_path), appendonly=True)
    st.start()
    try:
        api = st.client(project="p-kill")
        # 1. The answer is lost: zaqard dies right after the request was sent (the post
        #    may or may not have run); the client repeats it after a restart.
        for attempt in range(3):
            s = raw_post(st.zaqard.port, api.project, "kq", f"lost-{attempt}", {"a": attempt})
            time.sleep(0.002 * attempt)  # before, around and after the script ran
            os.kill(st.zaqard.proc.pid, 9)
            st.zaqard.proc.wait()
            s.close()
            st.zaqard.start()
            first = ids_of(post(api, "kq", [{"body": {"a": attempt}, "ttl": 300}],
                                key=f"lost-{attempt}"))
            assert ids_of(post(api, "kq", [{"body": {"a": attempt}, "ttl": 300}],
                               key=f"lost-{attempt}")) == first
            assert total(api, "kq") == attempt + 1
        # 2. The answer arrived, then zaqard died: the repeat answers the same ids.
        first = ids_of(post(api, "kq", [{"body": "x", "ttl": 300}], key="answered"))
        os.kill(st.zaqard.proc.pid, 9)
        st.zaqard.proc.wait()
        st.zaqard.start()
        assert ids_of(post(api, "kq", [{"body": "x", "ttl": 300}], key="answered")) == first
        assert total(api, "kq") == 4
        # 3. Redis itself restarted (AOF): the records survive with the messages.
        st.redis.stop()
        st.redis.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            r = post(api, "kq", [{"body": "x", "ttl": 300}], key="answered")
            if r.status == 201:
                break
            time.sleep(0.1)
        assert ids_of(r) == first
        assert total(api, "kq") == 4
    finally:
        problems = st.stop()
    sanitizer = [p for p in problems if "sanitizer" in p]
    assert not sanitizer, sanitizer
