"""Every WebSocket action's error cases over a real connection: status and exact body, as
Zaqar 15's v2 endpoints answer them (zaqar/api/v2/endpoints.py with
common/api/utils.error_response; websocket-v2.md §1.3), plus the limits both transports
share and the frame-size limit of the WebSocket transport itself.

Audit of every error body, action by action: "Z:" is Zaqar 15's body, "was:" zaqard's
before this change, "now:" after it ("same" when it already matched). Zaqar's endpoints
answer in four shapes:
  error_response(req, ex, headers)          {"exception": str(ex), "error": null}
  error_response(req, ex, headers, error)   {"exception": str(ex), "error": "<summary>"}
  Response(req, body, headers)              the body as is (409 sentence, 404 stats)
  on_exception_sends_500                    500 {"exception": str(ex), "error": "Unexpected error."}
Frame-level errors (decode, not an object, unknown action, schema, auth gate) are
{"error": text} from protocol.py/handler.py and already matched. {exc, X} below stands for
{"exception": <text>, "error": X}; "503" rows are a storage failure (Redis away).

queue_list      limit range     Z: 400 {exc, null}                                  same
                503             Z: 503 {exc, "Queues could not be listed."}
                                was: {exc, "Service temporarily unavailable"}      now: Z
queue_create    name/project/reserved metadata  Z: 400 {exc, null}                  same
                metadata size   Z: 400 {exc, null}, measured len(str(metadata))
                                was: measured as json.dumps (non-ASCII counted 6x)  now: Z
                503             Z: {exc, "Queue q could not be created."}    was: title, now: Z
queue_get       503             Z: {exc, "Cannot retrieve queue q."}         was: title, now: Z
queue_delete    503             Z: {exc, "Queue q could not be deleted."}    was: title, now: Z
queue_get_stats unknown queue   Z: 404 {"messages": zero counts}                    same
                503             Z: {exc, "Cannot retrieve queue q stats."}   was: title, now: Z
queue_purge     503             Z: {exc, null}                               was: title, now: Z
message_list    limit/Client-ID Z: 400 {exc, null}                                  same
                503             Z: 500 {exc, "Unexpected error."}
                                was: 503 {exc, title}; now: 503 {exc, "Unexpected error."}
                                (503 kept on purpose: Redis is away, the client should retry)
message_get     unknown message/queue  Z: 404 {exc, null}                           same
message_get_many  too many ids  Z: 400 {exc, null}                                  same
                message_ids []  Z: 400 {"Limit must be at least 1 ...", null}
                                was: 200, a plain listing of the queue
                                now: Z (fixed on main meanwhile: idsParam in messages.cpp)
message_post    size            Z: 400 {exc, null}, measured len(str(messages)), also
                                against the queue's _max_messages_post_size
                                was: measured as compact JSON (8,000 small messages,
                                ~280 KB for Zaqar, passed with 201)                 now: Z
                [] / ttl range / Client-ID   Z: 400 {exc, null}                     same
                missing body / ttl type  Z: 400 {"Bad request. ...", null}          same
                non-object item Z: 500 Unexpected error (TypeError)
                                was: 400 {"Bad request. Document type not supported.", null}
                                now: 400 {"Document type not supported.", null} (the str()
                                of Zaqar's DocumentTypeNotSupported, which has no prefix)
                503 / conflict  Z: 500 {exc, "No messages could be enqueued."}
                                was: 503 {exc, title}     now: 503 {exc, Zaqar's summary}
message_delete  claimed, wrong claim     Z: 403 {exc, "This message is claimed; ..."}  same
                unknown claim / not claimed  Z: 400 {exc, <Zaqar's summary>}        same
                503             Z: 500 Unexpected error   was: title  now: "Unexpected error."
message_delete_many  neither/both/pop/ids range  Z: 400 {exc, null}                 same
                message_ids []  Z: 400 {"ids parameter should have at least 1 ...", null}
                                was: 400 'either "ids" or "pop"' text
                                now: Z (idsParam, as above)
claim_create    ttl/grace/limit range    Z: 400 {exc, null}                         same
                503             Z: 500 Unexpected error   was: title  now: "Unexpected error."
claim_get/_update  unknown      Z: 404 {exc, "Claim c does not exist."}             same
claim_update    ttl range       Z: 400 {exc, null}                                  same
subscription_create  duplicate  Z: 409 "Subscription q not created." (a bare string)
                                was: 409 {"exception": "Subscription q not created.",
                                "error": null}                                      now: Z
                scheme/ttl      Z: 400 {exc, null} (unknown scheme: Z15 500, rest-v2.md
                                recommends the 400)                                 same
                503             Z: {exc, "Subscription q could not be created."}
                                was: title                                          now: Z
subscription_list  limit range  Z: 400 {exc, null}                                  same
                503             Z: {exc, "Subscriptions could not be listed."}
                                was: title                                          now: Z
subscription_get  unknown       Z: 404 {exc, "Subscription s for queue q does not exist."} same
                503             Z: {exc, "Cannot retrieve subscription s."}
                                was: title                                          now: Z
subscription_delete  503        Z: {exc, "Subscription s for queue q could not be deleted."}
                                was: title                                          now: Z
(any frame)     > [zaqard] max_body_size   Z: no limit (autobahn's default)
                                was: 400 {"error": "Can't decode request. Frame larger ..."}
                                now: "Can't decode text (JSON) request. ..." or "... binary
                                (MessagePack) request. ...", as any undecodable frame; the
                                connection stays open and in order
(zaqard only)   RBAC denial 403 {exc, null}; check_node_health without admin_mode 403
                {exc, "Not available."}; message_delete_many whose ids are not held by
                claim_ids 403 {exc, null} (Z: 500 Unexpected error)                 same
"""

import json
import os
import sys
import uuid

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import zaqard_harness as harness  # noqa: E402
from ws_client import WsClient  # noqa: E402

MAX_FRAME = 1048576  # [zaqard] max_body_size here (the default is 8 MiB)
POST_LIMIT = 262144  # [transport] max_messages_post_size default
CLAIMED = "This message is claimed; it cannot be deleted without a valid claim ID."
NO_CLAIM = "The specified claim does not exist or has expired."
NOT_CLAIMED = "A claim was specified, but the message is not currently claimed."
LIMIT_20 = "Limit must be at least 1 and may not be greater than 20."
SCHEMA = {"error": "Schema validation failed."}


def E(exception, error=None):
    return {"exception": exception, "error": error}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    yield from harness.running_stack(str(tmp_path_factory.mktemp("wserr")),
                                     extra_config={"zaqard": {"max_body_size": MAX_FRAME}})


class World:
    """One connection and the state the error cases refer to: queue `q` holds a message
    claimed by `claim`, a free one, and one held by a second claim `claim2`; queue `small`
    has _max_messages_post_size = 100; `sub` is a subscription on `q`."""

    def __init__(self, stack):
        self.ws = WsClient(stack.zaqard.ws_url)
        self.project = self.ws.project
        self.q = "q" + uuid.uuid4().hex[:8]
        self.small = "s" + uuid.uuid4().hex[:8]
        self.unknown = str(uuid.uuid4())
        ok = self.ws.status_body
        assert ok("queue_create", {"queue_name": self.small,
                                   "metadata": {"_max_messages_post_size": 100}})[0] == 201
        status, body = ok("message_post", {"queue_name": self.q, "messages": [
            {"body": "claimed"}, {"body": "other"}]})
        assert status == 201, body
        self.claimed, other = body["message_ids"]
        status, body = ok("claim_create", {"queue_name": self.q, "limit": 1})
        assert status == 201 and body["messages"][0]["id"] == self.claimed, body
        self.claim = body["claim_id"]
        status, body = ok("claim_create", {"queue_name": self.q, "limit": 1})
        assert status == 201 and body["messages"][0]["id"] == other, body
        self.claim2 = body["claim_id"]
        status, body = ok("message_post", {"queue_name": self.q, "messages": [{"body": "free"}]})
        self.free = body["message_ids"][0]
        self.hook = "http://127.0.0.1:9/hook"
        status, body = ok("subscription_create", {"queue_name": self.q, "subscriber": self.hook})
        assert status == 201, body


@pytest.fixture(scope="module")
def world(stack):
    w = World(stack)
    yield w
    w.ws.close()


def bad_client(w):
    return w.ws.headers(**{"Client-ID": "not-a-uuid"})


# (name, frame as (action, body[, headers]), expected status, expected body); every
# value may be a function of the World.
CASES = [
    # queues
    ("queue_list limit 0", lambda w: ("queue_list", {"limit": 0}), 400,
     E("Limit must be at least 1 and no greater than 20.")),
    ("queue_list limit 21", lambda w: ("queue_list", {"limit": 21}), 400,
     E("Limit must be at least 1 and no greater than 20.")),
    ("queue_create bad name", lambda w: ("queue_create", {"queue_name": "bad name"}), 400,
     E("Queue names may only contain ASCII letters, digits, underscores, and dashes.")),
    ("queue_create long name", lambda w: ("queue_create", {"queue_name": "x" * 65}), 400,
     E("Queue names may not be more than 64 characters long.")),
    ("queue_create long project",
     lambda w: ("queue_create", {"queue_name": "ok"}, w.ws.headers(**{"X-Project-ID": "p" * 257})),
     400, E("Project ids may not be more than 256 characters long.")),
    ("queue_create metadata too large",
     lambda w: ("queue_create", {"queue_name": "big", "metadata": {"k": "x" * 65536}}), 400,
     E("Queue metadata is too large. Max size: 65536")),
    ("queue_get_stats unknown queue", lambda w: ("queue_get_stats", {"queue_name": "nowhere"}),
     404, {"messages": {"claimed": 0, "free": 0, "total": 0}}),
    # messages
    ("message_list limit 0", lambda w: ("message_list", {"queue_name": w.q, "limit": 0}), 400,
     E(LIMIT_20)),
    ("message_list limit 21", lambda w: ("message_list", {"queue_name": w.q, "limit": 21}), 400,
     E(LIMIT_20)),
    ("message_list bad Client-ID",
     lambda w: ("message_list", {"queue_name": w.q}, bad_client(w)), 400,
     E("badly formed hexadecimal UUID string")),
    ("message_list limit as string", lambda w: ("message_list", {"queue_name": w.q, "limit": "5"}),
     400, SCHEMA),
    ("message_get unknown message",
     lambda w: ("message_get", {"queue_name": w.q, "message_id": w.unknown}), 404,
     lambda w: E(f"Message {w.unknown} does not exist in queue {w.q} for project {w.project}")),
    ("message_get unknown queue",
     lambda w: ("message_get", {"queue_name": "nowhere", "message_id": w.unknown}), 404,
     lambda w: E(f"Queue nowhere does not exist for project {w.project}")),
    ("message_get_many 21 ids",
     lambda w: ("message_get_many", {"queue_name": w.q, "message_ids": [w.unknown] * 21}), 400,
     E(LIMIT_20)),
    ("message_get_many no ids",
     lambda w: ("message_get_many", {"queue_name": w.q, "message_ids": []}), 400, E(LIMIT_20)),
    ("message_post no messages", lambda w: ("message_post", {"queue_name": w.q, "messages": []}),
     400, E("No messages to enqueu.")),
    ("message_post missing body",
     lambda w: ("message_post", {"queue_name": w.q, "messages": [{"ttl": 60}]}), 400,
     E('Bad request. Missing "body" field.')),
    ("message_post ttl not an int",
     lambda w: ("message_post", {"queue_name": w.q, "messages": [{"body": 1, "ttl": "x"}]}),
     400, E('Bad request. The value of the "ttl" field must be a int.')),
    ("message_post ttl out of range",
     lambda w: ("message_post", {"queue_name": w.q, "messages": [{"body": 1, "ttl": 1}]}), 400,
     E("The TTL for a message may not exceed 1209600 seconds, and must be at least 60 seconds "
       "long.")),
    ("message_post item not an object",
     lambda w: ("message_post", {"queue_name": w.q, "messages": [1]}), 400,
     E("Document type not supported.")),
    ("message_post bad Client-ID",
     lambda w: ("message_post", {"queue_name": w.q, "messages": [{"body": 1}]}, bad_client(w)),
     400, E("badly formed hexadecimal UUID string")),
    ("message_post missing messages", lambda w: ("message_post", {"queue_name": w.q}), 400,
     SCHEMA),
    ("message_delete claimed without claim",
     lambda w: ("message_delete", {"queue_name": w.q, "message_id": w.claimed}), 403,
     lambda w: E(f"Message {w.claimed} is claimed", CLAIMED)),
    ("message_delete claimed with another claim",
     lambda w: ("message_delete", {"queue_name": w.q, "message_id": w.claimed,
                                   "claim_id": w.claim2}), 403,
     lambda w: E(f"Message {w.claimed} is not claimed by {w.claim2}", CLAIMED)),
    ("message_delete claimed with unknown claim",
     lambda w: ("message_delete", {"queue_name": w.q, "message_id": w.claimed,
                                   "claim_id": w.unknown}), 400,
     lambda w: E(f"Claim {w.unknown} does not exist in queue {w.q} for project {w.project}",
                 NO_CLAIM)),
    ("message_delete free with a claim",
     lambda w: ("message_delete", {"queue_name": w.q, "message_id": w.free,
                                   "claim_id": w.claim}), 400,
     lambda w: E(f"Message {w.free} is no longer claimed", NOT_CLAIMED)),
    ("message_delete malformed claim id",
     lambda w: ("message_delete", {"queue_name": w.q, "message_id": w.free,
                                   "claim_id": "bad"}), 400,
     lambda w: E(f"Claim bad does not exist in queue {w.q} for project {w.project}", NO_CLAIM)),
    ("message_delete_many neither ids nor pop",
     lambda w: ("message_delete_many", {"queue_name": w.q}), 400,
     E('The request should have either "ids" or "pop" parameter in the request, to be able to '
       'delete.')),
    ("message_delete_many ids and pop",
     lambda w: ("message_delete_many", {"queue_name": w.q, "message_ids": [w.free], "pop": 1}),
     400, E("pop and id params cannot be present together in the delete request.")),
    ("message_delete_many pop 0", lambda w: ("message_delete_many", {"queue_name": w.q, "pop": 0}),
     400, E("Pop value must be at least 1 and may not be greater than 20.")),
    ("message_delete_many pop 21",
     lambda w: ("message_delete_many", {"queue_name": w.q, "pop": 21}), 400,
     E("Pop value must be at least 1 and may not be greater than 20.")),
    ("message_delete_many 21 ids",
     lambda w: ("message_delete_many", {"queue_name": w.q, "message_ids": [w.unknown] * 21}),
     400, E("ids parameter should have at least 1 and not greater than 20 values.")),
    ("message_delete_many no ids",
     lambda w: ("message_delete_many", {"queue_name": w.q, "message_ids": []}), 400,
     E("ids parameter should have at least 1 and not greater than 20 values.")),
    # claims
    ("claim_create ttl", lambda w: ("claim_create", {"queue_name": w.q, "ttl": 1}), 400,
     E("The TTL for a claim may not exceed 43200 seconds, and must be at least 60 seconds "
       "long.")),
    ("claim_create grace", lambda w: ("claim_create", {"queue_name": w.q, "grace": 1}), 400,
     E("The grace for a claim may not exceed 43200 seconds, and must be at least 60 seconds "
       "long.")),
    ("claim_create limit 0", lambda w: ("claim_create", {"queue_name": w.q, "limit": 0}), 400,
     E(LIMIT_20)),
    ("claim_create limit 21", lambda w: ("claim_create", {"queue_name": w.q, "limit": 21}), 400,
     E(LIMIT_20)),
    ("claim_create ttl as string", lambda w: ("claim_create", {"queue_name": w.q, "ttl": "60"}),
     400, SCHEMA),
    ("claim_get unknown", lambda w: ("claim_get", {"queue_name": w.q, "claim_id": w.unknown}),
     404, lambda w: E(f"Claim {w.unknown} does not exist in queue {w.q} for project {w.project}",
                      f"Claim {w.unknown} does not exist.")),
    ("claim_update unknown",
     lambda w: ("claim_update", {"queue_name": w.q, "claim_id": w.unknown, "ttl": 60}), 404,
     lambda w: E(f"Claim {w.unknown} does not exist in queue {w.q} for project {w.project}",
                 f"Claim {w.unknown} does not exist.")),
    ("claim_update ttl", lambda w: ("claim_update", {"queue_name": w.q, "claim_id": w.claim,
                                                     "ttl": 1}), 400,
     E("The TTL for a claim may not exceed 43200 seconds, and must be at least 60 seconds "
       "long.")),
    # subscriptions
    ("subscription_create duplicate",
     lambda w: ("subscription_create", {"queue_name": w.q, "subscriber": w.hook}), 409,
     lambda w: f"Subscription {w.q} not created."),
    ("subscription_create unknown scheme",
     lambda w: ("subscription_create", {"queue_name": w.q, "subscriber": "ftp://x"}), 400,
     E("The subscriber type of subscription must be supported in the list ['http', 'https', "
       "'mailto', 'trust+http', 'trust+https'].")),
    ("subscription_create ttl",
     lambda w: ("subscription_create", {"queue_name": w.q, "subscriber": "http://x/t",
                                        "ttl": 1}), 400,
     E("The TTL for a subscription must be at least 60 seconds long.")),
    ("subscription_create options not an object",
     lambda w: ("subscription_create", {"queue_name": w.q, "subscriber": "http://x/o",
                                        "options": []}), 400, SCHEMA),
    ("subscription_list limit 0",
     lambda w: ("subscription_list", {"queue_name": w.q, "limit": 0}), 400, E(LIMIT_20)),
    ("subscription_list limit 21",
     lambda w: ("subscription_list", {"queue_name": w.q, "limit": 21}), 400, E(LIMIT_20)),
    ("subscription_get unknown",
     lambda w: ("subscription_get", {"queue_name": w.q, "subscription_id": w.unknown}), 404,
     lambda w: E(f"Subscription {w.unknown} does not exist",
                 f"Subscription {w.unknown} for queue {w.q} does not exist.")),
    # frames
    ("unknown action", lambda w: ("nope", {}), 400, {"error": "nope is not a valid action"}),
    ("missing queue_name", lambda w: ("queue_get", {}), 400, SCHEMA),
]


def _value(v, w):
    return v(w) if callable(v) else v


@pytest.mark.parametrize("name,frame,status,body", CASES, ids=[c[0] for c in CASES])
def test_error_case(world, name, frame, status, body):
    action, payload, *headers = frame(world)
    got = world.ws.status_body(action, payload, headers=headers[0] if headers else None)
    assert got == (status, _value(body, world))


# ---------------------------------------------------------------- limits measured as Zaqar does

def test_message_post_size_is_measured_as_zaqar_measures_it(world):
    """8,000 small messages: ~240 KB as compact JSON but len(str(messages)) ~280 KB, over
    max_messages_post_size; Zaqar (and REST, by Content-Length) refuse it."""
    messages = [{"body": {"n": i}, "ttl": 300} for i in range(8000)]
    assert len(json.dumps(messages, separators=(",", ":"))) < POST_LIMIT < len(str(messages))
    q = "big" + uuid.uuid4().hex[:8]
    assert world.ws.status_body("message_post", {"queue_name": q, "messages": messages}) == \
        (400, E(f"Message collection size is too large. Max size {POST_LIMIT}"))
    # Zaqar created the queue before measuring; nothing was posted.
    assert world.ws.status_body("queue_get_stats", {"queue_name": q}) == \
        (200, {"messages": {"claimed": 0, "free": 0, "total": 0}})
    # Just under the limit is accepted.
    fits = [{"body": "x" * (POST_LIMIT - 40)}]
    assert len(str(fits)) <= POST_LIMIT
    assert world.ws.status_body("message_post", {"queue_name": q, "messages": fits})[0] == 201


def test_queue_post_size_limit_is_measured_the_same_way(world):
    # Compact JSON of the frame's messages fits in 100 bytes, str(messages) does not.
    messages = [{"body": list(range(13))} for _ in range(2)]
    assert len(json.dumps({"messages": messages}, separators=(",", ":"))) <= 100 < \
        len(str(messages))
    assert world.ws.status_body("message_post", {"queue_name": world.small,
                                                 "messages": messages}) == \
        (400, E("Message collection size is too large. The max size for current queue is 100. "
                "It is calculated by max size = min(max_messages_post_size_config: "
                f"{POST_LIMIT}, max_messages_post_size_queue: 100)."))
    assert world.ws.status_body("message_post", {"queue_name": world.small,
                                                 "messages": [{"body": 1}]})[0] == 201


def test_queue_metadata_size_counts_characters_as_python_does(world):
    """len(str(metadata)) counts "é" once; JSON would spell it \\u00e9 (6 characters)."""
    fits = {"k": "é" * 60000}
    assert len(str(fits)) <= 65536 < len(json.dumps(fits))
    q = "meta" + uuid.uuid4().hex[:8]
    assert world.ws.status_body("queue_create", {"queue_name": q, "metadata": fits}) == \
        (201, f"Queue {q} created.")
    over = {"k": "x" * (65536 - 8)}  # "{'k': '" + ... + "'}" is 65537 characters
    assert len(str(over)) == 65537
    assert world.ws.status_body("queue_create", {"queue_name": q + "x", "metadata": over}) == \
        (400, E("Queue metadata is too large. Max size: 65536"))


# ---------------------------------------------------------------- frame size

def test_frames_over_max_body_size_get_a_decode_error(world):
    ws = world.ws
    null_echo = {"action": None, "body": {}, "headers": {}, "api": "v2"}
    frame = ws.frame("message_post", {"queue_name": world.q,
                                      "messages": [{"body": "x" * MAX_FRAME}]})
    for binary, kind in ((False, "text (JSON)"), (True, "binary (MessagePack)")):
        ws.send(frame, binary=binary)
        r, was_binary = ws.recv()
        assert was_binary == binary
        assert r == {"request": null_echo, "headers": {"status": 400}, "body": {
            "error": f"Can't decode {kind} request. Frame larger than {MAX_FRAME} bytes."}}
    # The connection goes on, in order.
    assert ws.status_body("queue_get_stats", {"queue_name": "nowhere"})[0] == 404


# ---------------------------------------------------------------- storage failures

def test_storage_failure_summaries(tmp_path):
    """With Redis gone every action answers at once with 503 (Zaqar: its own summary where
    the endpoint catches storage errors, on_exception_sends_500's "Unexpected error." where
    it catches none; zaqard keeps 503 so clients retry)."""
    st = harness.Stack(str(tmp_path)).start()
    try:
        ws = WsClient(st.zaqard.ws_url)
        sid = str(uuid.uuid4())
        st.redis.stop()
        cases = [
            ("queue_list", {}, "Queues could not be listed.", "Queues could not be listed."),
            ("queue_create", {"queue_name": "k"}, "Queue could not be created.",
             "Queue k could not be created."),
            ("queue_get", {"queue_name": "k"}, "Queue metadata could not be retrieved.",
             "Cannot retrieve queue k."),
            ("queue_delete", {"queue_name": "k"}, "Queue could not be deleted.",
             "Queue k could not be deleted."),
            ("queue_get_stats", {"queue_name": "k"}, "Queue stats could not be read.",
             "Cannot retrieve queue k stats."),
            ("queue_purge", {"queue_name": "k"}, "Queue could not be purged.", None),
            ("message_post", {"queue_name": "k", "messages": [{"body": 1}]},
             "Messages could not be enqueued.", "No messages could be enqueued."),
            ("message_list", {"queue_name": "k"}, "Messages could not be listed.",
             "Unexpected error."),
            ("claim_create", {"queue_name": "k"}, "Claim could not be created.",
             "Unexpected error."),
            ("subscription_list", {"queue_name": "k"}, "Subscriptions could not be listed.",
             "Subscriptions could not be listed."),
            ("subscription_create", {"queue_name": "k", "subscriber": "http://x/y"},
             "Subscription could not be created.", "Subscription k could not be created."),
            ("subscription_get", {"queue_name": "k", "subscription_id": sid},
             "Subscription could not be retrieved.", f"Cannot retrieve subscription {sid}."),
            ("subscription_delete", {"queue_name": "k", "subscription_id": sid},
             "Subscription could not be deleted.",
             f"Subscription {sid} for queue k could not be deleted."),
        ]
        for action, body, sentence, summary in cases:
            assert ws.status_body(action, body) == \
                (503, E(sentence + " Please try again in a few seconds.", summary)), action
        ws.close()
    finally:
        problems = st.stop()
    assert problems == []
