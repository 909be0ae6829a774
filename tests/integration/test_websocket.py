"""The WebSocket API (websocket-v2.md) over real sockets with websocket-client: every
action with Zaqar's frame shapes, bad frames, ordering, MessagePack, concurrency, REST and
WebSocket on one store, the slow-reader cap and the Redis pub/sub push path."""

import json
import os
import socket
import sys
import threading
import time
import uuid

import msgpack
import pytest
import websocket

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import zaqard_harness as harness  # noqa: E402
from ws_client import WsClient  # noqa: E402

OUTPUT_CAP = 262144
MAX_FRAME = 65536  # [zaqard] max_body_size: the cap must be at least twice it


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    yield from harness.running_stack(
        str(tmp_path_factory.mktemp("ws")),
        extra_config={"zaqard": {"websocket_max_output_bytes": OUTPUT_CAP,
                                 "max_body_size": MAX_FRAME}})


@pytest.fixture
def ws(stack):
    c = WsClient(stack.zaqard.ws_url)
    yield c
    c.close()


def qname():
    return "q" + uuid.uuid4().hex[:12]


# ---------------------------------------------------------------- envelope and queues

def test_response_echoes_the_request(ws):
    q = qname()
    r = ws.call("queue_create", {"queue_name": q})
    assert r == {
        "request": {"action": "queue_create", "body": {"queue_name": q},
                    "headers": ws.headers(), "api": "v2"},
        "body": f"Queue {q} created.",
        "headers": {"status": 201},
    }


def test_echo_and_bodies_are_the_frame_as_written(ws):
    """A text frame's reply echoes the request from its own text and the api body is
    spliced from it (issue #12: no second dump): whitespace, escapes, a repeated key (the
    last counts, as when parsed) and escaped keys must all read as the frame means."""
    q = qname()
    h = json.dumps(ws.headers())
    frame = ('{ "action" : "message_post" , "body" : {"messages": 1},\n'
             f' "headers" : {h},\n'
             f' "body" : {{ "queue_name" : "{q}", "messages" : [\n'
             '   {"body": {"k\\u00e9y": "v\\"\\u2603", "a": [1, 2.50, null]}, "ttl": 120},\n'
             '   {"body": "\\ud83d\\ude00", "ttl" : 60} ] } }')
    ws.send(frame)
    r, _ = ws.recv()
    assert r["headers"]["status"] == 201, r
    assert r["request"] == {**{k: v for k, v in json.loads(frame).items()}, "api": "v2"}
    ids = r["body"]["message_ids"]
    status, body = ws.status_body("message_get_many", {"queue_name": q, "message_ids": ids})
    assert status == 200
    assert [m["body"] for m in body["messages"]] == [
        {"k\u00e9y": "v\"\u2603", "a": [1, 2.5, None]}, "\U0001F600"]
    # Escaped top-level keys: read from the parsed frame, echoed the same.
    frame = ('{"\\u0061ction": "queue_get", '
             f'"headers": {h}, "body": {{"queue_name": "{q}"}}}}')
    ws.send(frame)
    r, _ = ws.recv()
    assert r["headers"]["status"] == 200, r
    assert r["request"] == {**json.loads(frame), "api": "v2"}


def test_queue_actions(ws):
    q = qname()
    assert ws.status_body("queue_create", {"queue_name": q, "metadata": {"a": 1}}) == \
        (201, f"Queue {q} created.")
    # Existing queue: 204, same sentence, metadata unchanged.
    assert ws.status_body("queue_create", {"queue_name": q, "metadata": {"b": 2}}) == \
        (204, f"Queue {q} created.")
    # Raw stored metadata, no reserved defaults.
    assert ws.status_body("queue_get", {"queue_name": q}) == (200, {"a": 1})
    assert ws.status_body("queue_get", {"queue_name": qname()}) == (200, {})

    status, body = ws.status_body("queue_list", {})
    assert status == 200 and body == {"queues": [{"name": q}]}
    status, body = ws.status_body("queue_list", {"detailed": True})
    assert body == {"queues": [{"name": q, "metadata": {"a": 1}}]}
    # The body itself is optional for queue_list.
    assert ws.status_body("queue_list")[0] == 200

    assert ws.status_body("queue_get_stats", {"queue_name": q}) == \
        (200, {"messages": {"claimed": 0, "free": 0, "total": 0}})
    assert ws.status_body("queue_get_stats", {"queue_name": qname()}) == \
        (404, {"messages": {"claimed": 0, "free": 0, "total": 0}})

    ws.call("message_post", {"queue_name": q, "messages": [{"body": 1}, {"body": 2}]})
    status, body = ws.status_body("queue_get_stats", {"queue_name": q})
    assert status == 200
    stats = body["messages"]
    assert (stats["claimed"], stats["free"], stats["total"]) == (0, 2, 2)
    assert set(stats["oldest"]) == {"id", "age", "created"}
    assert set(stats["newest"]) == {"id", "age", "created"}

    assert ws.status_body("queue_purge", {"queue_name": q}) == (204, {})
    assert ws.status_body("queue_get_stats", {"queue_name": q})[1]["messages"]["total"] == 0
    # Unknown resource types are ignored, not refused.
    assert ws.status_body("queue_purge", {"queue_name": q, "resource_types": ["x"]}) == \
        (204, {})
    assert ws.status_body("queue_delete", {"queue_name": q}) == (204, f"Queue {q} removed.")
    assert ws.status_body("queue_list", {})[1] == {"queues": []}


def test_queue_errors(ws):
    assert ws.status_body("queue_list", {"limit": 1000}) == \
        (400, {"exception": "Limit must be at least 1 and no greater than 20.", "error": None})
    assert ws.status_body("queue_create", {"queue_name": "bad name"}) == \
        (400, {"exception": "Queue names may only contain ASCII letters, digits, "
                            "underscores, and dashes.", "error": None})
    assert ws.status_body("queue_create", {"queue_name": "x" * 65}) == \
        (400, {"exception": "Queue names may not be more than 64 characters long.",
               "error": None})
    status, body = ws.status_body("queue_create",
                                  {"queue_name": qname(), "metadata": {"_default_message_ttl": 1}})
    assert status == 400 and body["error"] is None and "_default_message_ttl" in body["exception"]


# ---------------------------------------------------------------- messages

def test_message_actions(ws):
    q = qname()
    status, body = ws.status_body("message_post", {"queue_name": q, "messages": [
        {"body": {"n": 1}, "ttl": 300}, {"body": "two"}]})
    assert status == 201 and list(body) == ["message_ids"] and len(body["message_ids"]) == 2
    ids = body["message_ids"]

    # Own messages are hidden unless echo.
    assert ws.status_body("message_list", {"queue_name": q}) == (200, {"messages": []})
    status, body = ws.status_body("message_list", {"queue_name": q, "echo": True})
    assert status == 200 and [m["id"] for m in body["messages"]] == ids
    first = body["messages"][0]
    assert set(first) == {"id", "claim_id", "ttl", "age", "body"}
    assert first["claim_id"] is None and first["body"] == {"n": 1} and first["ttl"] == 300

    status, body = ws.status_body("message_list", {"queue_name": q, "echo": True, "limit": 1})
    assert len(body["messages"]) == 1

    status, body = ws.status_body("message_get", {"queue_name": q, "message_id": ids[1]})
    assert status == 200 and body["messages"]["id"] == ids[1] and body["messages"]["body"] == "two"

    missing = str(uuid.uuid4())
    assert ws.status_body("message_get", {"queue_name": q, "message_id": missing}) == \
        (404, {"exception": f"Message {missing} does not exist in queue {q} for project "
                            f"{ws.project}", "error": None})

    status, body = ws.status_body("message_get_many", {"queue_name": q, "message_ids": ids})
    assert status == 200 and sorted(m["id"] for m in body["messages"]) == sorted(ids)
    assert ws.status_body("message_get_many", {"queue_name": q, "message_ids": [missing]}) == \
        (200, {"messages": []})
    status, body = ws.status_body("message_get_many",
                                  {"queue_name": q, "message_ids": [missing] * 21})
    assert status == 400 and body["error"] is None

    assert ws.status_body("message_delete", {"queue_name": q, "message_id": ids[0]}) == (204, {})
    assert ws.status_body("message_delete_many", {"queue_name": q, "message_ids": [ids[1]]}) == \
        (204, {})
    assert ws.status_body("message_list", {"queue_name": q, "echo": True})[1] == {"messages": []}

    ws.call("message_post", {"queue_name": q, "messages": [{"body": i} for i in range(3)]})
    status, body = ws.status_body("message_delete_many", {"queue_name": q, "pop": 2})
    assert status == 200 and len(body["messages"]) == 2
    assert set(body["messages"][0]) == {"id", "age", "ttl", "body", "claim_id", "claim_count"}
    status, body = ws.status_body("message_delete_many", {"queue_name": q})
    assert status == 400 and body["error"] is None


def test_message_list_unknown_queue_is_empty(ws):
    assert ws.status_body("message_list", {"queue_name": qname()}) == (200, {"messages": []})


def test_message_post_errors(ws):
    q = qname()
    assert ws.status_body("message_post", {"queue_name": q, "messages": [{"ttl": 60}]}) == \
        (400, {"exception": 'Bad request. Missing "body" field.', "error": None})
    assert ws.status_body("message_post", {"queue_name": q,
                                           "messages": [{"body": 1, "ttl": "x"}]}) == \
        (400, {"exception": 'Bad request. The value of the "ttl" field must be a int.',
               "error": None})
    status, body = ws.status_body("message_post", {"queue_name": q,
                                                   "messages": [{"body": 1, "ttl": 1}]})
    assert status == 400 and body["exception"].startswith("The TTL for a message")
    # The Client-ID format only matters to message_post and message_list.
    bad = ws.headers(**{"Client-ID": "not-a-uuid"})
    assert ws.status_body("message_post", {"queue_name": q, "messages": [{"body": 1}]},
                          headers=bad) == \
        (400, {"exception": "badly formed hexadecimal UUID string", "error": None})
    assert ws.status_body("message_list", {"queue_name": q}, headers=bad)[0] == 400
    assert ws.status_body("queue_get_stats", {"queue_name": q}, headers=bad)[0] == 200


# ---------------------------------------------------------------- claims

def test_claim_actions(ws):
    q = qname()
    assert ws.status_body("claim_create", {"queue_name": q}) == (204, {"claim_id": None})
    ids = ws.call("message_post", {"queue_name": q, "messages": [
        {"body": i} for i in range(3)]})["body"]["message_ids"]

    status, body = ws.status_body("claim_create",
                                  {"queue_name": q, "ttl": 120, "grace": 60, "limit": 2})
    assert status == 201 and set(body) == {"claim_id", "messages"}
    cid = body["claim_id"]
    assert [m["id"] for m in body["messages"]] == ids[:2]
    assert all(m["claim_id"] == cid for m in body["messages"])

    status, body = ws.status_body("claim_get", {"queue_name": q, "claim_id": cid})
    assert status == 200 and set(body) == {"age", "ttl", "messages"} and body["ttl"] == 120
    assert body["messages"][0]["claim_id"] == cid

    assert ws.status_body("claim_update", {"queue_name": q, "claim_id": cid, "ttl": 200}) == \
        (204, f"Claim {cid} updated.")
    assert ws.status_body("claim_get", {"queue_name": q, "claim_id": cid})[1]["ttl"] == 200

    # Claimed message: deleting without the claim is refused.
    status, body = ws.status_body("message_delete", {"queue_name": q, "message_id": ids[0]})
    assert (status, body) == (403, {
        "exception": f"Message {ids[0]} is claimed",
        "error": "This message is claimed; it cannot be deleted without a valid claim ID."})
    assert ws.status_body("message_delete", {"queue_name": q, "message_id": ids[0],
                                             "claim_id": cid}) == (204, {})
    status, body = ws.status_body("message_delete", {"queue_name": q, "message_id": ids[2],
                                                     "claim_id": cid})
    assert status == 400
    assert body["error"] == "A claim was specified, but the message is not currently claimed."

    assert ws.status_body("claim_delete", {"queue_name": q, "claim_id": cid}) == \
        (204, f"Claim {cid} deleted.")
    missing = str(uuid.uuid4())
    assert ws.status_body("claim_get", {"queue_name": q, "claim_id": missing}) == \
        (404, {"exception": f"Claim {missing} does not exist in queue {q} for project "
                            f"{ws.project}", "error": f"Claim {missing} does not exist."})
    assert ws.status_body("claim_update", {"queue_name": q, "claim_id": missing})[0] == 404
    status, body = ws.status_body("claim_create", {"queue_name": q, "ttl": 1})
    assert status == 400 and body["exception"].startswith("The TTL for a claim")
    assert ws.status_body("claim_create", {"queue_name": q, "ttl": "60"}) [1] == \
        {"error": "Schema validation failed."}


# ---------------------------------------------------------------- service, auth, subs

def test_service_actions(ws):
    assert ws.call("ping_node", headers={})["headers"]["status"] == 204
    status, body = ws.status_body("get_home_doc", headers={})
    assert status == 200 and "resources" in body
    status, body = ws.status_body("check_node_health", headers={"X-Roles": "admin"})
    assert status == 200 and body["storage_reachable"] is True
    assert ws.status_body("check_node_health", headers={})[0] == 403
    assert ws.status_body("authenticate", headers={}) == (200, {"message": "Authentified."})


def test_subscription_list_of_an_unknown_queue(ws):
    # Subscriptions themselves are tested in test_subscriptions.py / test_notifications.py.
    status, body = ws.status_body("subscription_list", {"queue_name": qname()})
    assert status == 200 and body == {"subscriptions": []}


# ---------------------------------------------------------------- bad frames

def test_bad_frames_and_the_connection_stays_usable(ws, stack):
    null_echo = {"action": None, "body": {}, "headers": {}, "api": "v2"}
    ws.send("{not json")
    r, _ = ws.recv()
    assert r["headers"]["status"] == 400 and r["request"] == null_echo
    assert r["body"]["error"].startswith("Can't decode text (JSON) request. ")

    ws.send("[1, 2]")
    r, _ = ws.recv()
    assert r["body"] == {"error": "Unexpected body type. Expected dict or dict like."}

    assert ws.call("nope", {})["body"] == {"error": "nope is not a valid action"}
    ws.send(json.dumps({"headers": {}}))
    assert ws.recv()[0]["body"] == {"error": "None is not a valid action"}

    schema = {"error": "Schema validation failed."}
    q = qname()
    ws.send(json.dumps({"action": "queue_get", "body": {"queue_name": q}}))
    assert ws.recv()[0]["body"] == schema  # no headers
    assert ws.call("queue_get", {"queue_name": q},
                   headers={"client-id": ws.client_id, "X-Project-ID": ws.project})["body"] == \
        schema  # header keys are case-sensitive
    assert ws.call("queue_get", {"queue_name": 5})["body"] == schema
    assert ws.call("queue_get", {})["body"] == schema
    assert ws.call("queue_get")["body"] == schema  # body required
    assert ws.call("message_list", {"queue_name": q, "limit": "5"})["body"] == schema
    assert ws.call("message_post", {"queue_name": q})["body"] == schema
    assert ws.call("queue_get", {"queue_name": q},
                   headers=ws.headers(**{"X-Project-ID": 7}))["body"] == schema

    # A frame over max_body_size: an error, not a disconnect.
    ws.send(json.dumps({"action": "message_post", "headers": ws.headers(),
                        "body": {"queue_name": q, "messages": [{"body": "x" * MAX_FRAME}]}}))
    r, _ = ws.recv()
    assert r["headers"]["status"] == 400 and r["body"]["error"].startswith("Can't decode")

    ws.ws.send_binary(b"\xc1")
    r, binary = ws.recv()
    assert binary and r["body"]["error"].startswith("Can't decode binary (MessagePack) request.")

    assert ws.call("ping_node", headers={})["headers"]["status"] == 204


# ---------------------------------------------------------------- ordering, msgpack

def test_pipelined_requests_are_answered_in_order(ws):
    q = qname()
    for i in range(50):
        ws.send(ws.frame("message_post", {"queue_name": q, "messages": [{"body": i}]}))
    for i in range(50):
        r, _ = ws.recv()
        assert r["headers"]["status"] == 201
        assert r["request"]["body"]["messages"] == [{"body": i}]
    # Mixed actions keep their order too.
    for i in range(20):
        if i % 2:
            ws.send(ws.frame("queue_get_stats", {"queue_name": q}))
        else:
            ws.send(ws.frame("ping_node", headers={}))
    for i in range(20):
        r, _ = ws.recv()
        assert r["request"]["action"] == ("queue_get_stats" if i % 2 else "ping_node")


def test_msgpack_frames_are_answered_in_binary(ws):
    q = qname()
    status, body = ws.status_body("message_post", {"queue_name": q, "messages": [
        {"body": {"bin": "é", "n": [1, 2.5, None, True]}}]}, binary=True)
    assert status == 201
    r = ws.call("message_list", {"queue_name": q, "echo": True}, binary=True)
    assert r["request"]["action"] == "message_list"
    assert r["body"]["messages"][0]["body"] == {"bin": "é", "n": [1, 2.5, None, True]}
    # The next text frame gets a text answer.
    assert ws.call("queue_get_stats", {"queue_name": q})["headers"]["status"] == 200


# ---------------------------------------------------------------- concurrency, REST

def test_many_concurrent_connections(stack):
    q = qname()
    project = "p-" + uuid.uuid4().hex
    errors = []

    def worker(n):
        try:
            c = WsClient(stack.zaqard.ws_url, project=project)
            for i in range(10):
                r = c.call("message_post", {"queue_name": q,
                                            "messages": [{"body": {"w": n, "i": i}}]})
                assert r["headers"]["status"] == 201, r
            c.close()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    c = WsClient(stack.zaqard.ws_url, project=project)
    assert c.status_body("queue_get_stats", {"queue_name": q})[1]["messages"]["total"] == 400
    c.close()


def test_rest_posted_message_is_listed_over_websocket(stack, ws):
    q = qname()
    rest = stack.client(project=ws.project)
    ids = rest.post_messages(q, [{"body": {"via": "rest"}, "ttl": 120}])
    status, body = ws.status_body("message_list", {"queue_name": q})
    assert status == 200
    assert [(m["id"], m["body"]) for m in body["messages"]] == [(ids[0], {"via": "rest"})]
    # And the other way round.
    posted = ws.call("message_post", {"queue_name": q, "messages": [{"body": "ws"}]})
    got = rest.get(f"/v2/queues/{q}/messages/{posted['body']['message_ids'][0]}")
    assert got.status == 200 and got.json["body"] == "ws"


def test_rest_cannot_name_a_websocket_connection(stack):
    # The connection header is the WebSocket transport's; over REST it is ignored.
    rest = stack.client()
    r = rest.get("/v2/queues", headers={"X-Zaqard-Connection-ID": "x.y"})
    assert r.status == 200


# ---------------------------------------------------------------- slow reader

def test_slow_reader_is_closed_with_1008(stack):
    c = WsClient(stack.zaqard.ws_url,
                 sockopt=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)])
    frame = json.dumps(c.frame("get_home_doc", headers={}))
    # Ask for far more than the cap plus what the kernel buffers hold, reading nothing.
    sent = 0
    try:
        for _ in range(6000):
            c.ws.send(frame)
            sent += 1
    except (BrokenPipeError, ConnectionResetError, websocket.WebSocketException):
        pass
    time.sleep(1.0)
    close_code = None
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            opcode, frm = c.ws.recv_data_frame(control_frame=True)
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                close_code = int.from_bytes(frm.data[:2], "big")
                break
    except (websocket.WebSocketException, ConnectionResetError, OSError):
        pass
    c.ws.shutdown()
    assert close_code == 1008, (close_code, sent)
    # The server is fine afterwards.
    other = WsClient(stack.zaqard.ws_url)
    assert other.call("ping_node", headers={})["headers"]["status"] == 204
    other.close()


# ---------------------------------------------------------------- push over Redis pub/sub

def _publish(stack, channel, payload):
    reply = stack.redis.command("PUBLISH", channel, payload)
    return int(reply.strip()[1:])


def test_push_through_redis_reaches_the_connection(stack, ws):
    cid = ws.connection_id
    assert cid and "." in cid
    channel = "zaqard:ws:" + cid.split(".")[0]
    note = {"ttl": 3600, "body": {"n": 1}, "Message_Type": "Notification", "queue_name": "wsq"}
    deadline = time.monotonic() + 10
    while _publish(stack, channel, "nobody {}") == 0:  # the listener subscribes at start-up
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert _publish(stack, channel, cid + " " + json.dumps(note)) == 1
    value, binary = ws.recv()
    assert value == note and not binary
    # Pushes interleave with responses without disturbing them.
    assert ws.call("ping_node", headers={})["headers"]["status"] == 204


def test_each_connection_gets_its_own_id(stack):
    a, b = WsClient(stack.zaqard.ws_url), WsClient(stack.zaqard.ws_url)
    assert a.connection_id and b.connection_id and a.connection_id != b.connection_id
    a.close()
    b.close()


# ---------------------------------------------------------------- connection subscribers

NOTIFY = {"storage": {"message_pipeline": "zaqar.notification.notifier"},
          "zaqard": {"notification_poll_interval": "0.2", "notification_claim_idle": "2"}}


def test_connection_subscriber_across_processes(tmp_path):
    """A connection on zaqard A subscribes itself (in MessagePack); a message posted
    through zaqard B reaches it as a binary frame; closing the connection removes the
    subscription."""
    redis = harness.RedisProcess(str(tmp_path / "redis")).start()
    a = harness.ZaqardProcess(str(tmp_path), redis.port, NOTIFY, name="a").start()
    b = harness.ZaqardProcess(str(tmp_path), redis.port, NOTIFY, name="b").start()
    problems = []
    try:
        ws = WsClient(a.ws_url)
        status, body = ws.status_body("subscription_create", {"queue_name": "wsq", "ttl": 600},
                                      binary=True)
        assert status == 201, body
        rest = harness.Client(b.base_url, project=ws.project)
        rest.post_messages("wsq", [{"body": {"n": 1}, "ttl": 300}])
        frame, binary = ws.recv()
        assert binary
        assert frame == {"ttl": 300, "body": {"n": 1}, "Message_Type": "Notification",
                         "queue_name": "wsq"}
        listed = rest.get("/v2/queues/wsq/subscriptions").json["subscriptions"]
        assert len(listed) == 1 and listed[0]["subscriber"].endswith("/" + ws.connection_id)
        ws.close()
        deadline = time.monotonic() + 10
        while rest.get("/v2/queues/wsq/subscriptions").json["subscriptions"]:
            assert time.monotonic() < deadline, "subscription outlived its connection"
            time.sleep(0.1)
    finally:
        for z in (a, b):
            z.stop()
            problems += z.problems()
        redis.stop()
    assert not problems, problems
