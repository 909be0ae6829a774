"""Dead-letter redrive and notification dead letters (docs/api.md; beyond Zaqar), over
real sockets: a real redis-server and zaqard (with the notification pipeline on), HTTP
and WebSocket, and a webhook subscriber pointing at a closed loopback port.

Redrive: POST /v2/queues/{q}/redrive (WebSocket queue_redrive) moves messages of q's
_dead_letter_queue back to q: all, by ids, at most `limit`, paced at `rate`.
Notification dead letters: GET/DELETE /v2/queues/{q}/subscriptions/dead_letters.
"""

import time
import uuid

import pytest

import zaqard_harness as harness
from zaqard_harness import claim_id_of, message_ids
from ws_client import WsClient

FAST = {"retries_with_no_delay": 1, "minimum_delay_retries": 0, "maximum_delay_retries": 0,
        "minimum_delay": 0, "maximum_delay": 10, "retry_backoff_function": "geometric"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    yield from harness.running_stack(
        str(tmp_path_factory.mktemp("redrive")),
        extra_config={"storage": {"message_pipeline": "zaqar.notification.notifier"},
                      "zaqard": {"notification_poll_interval": "0.2",
                                 "notification_claim_idle": "2"}})


def qname():
    return "rd-" + uuid.uuid4().hex[:8]


def dead_letter_all(api, queue, count):
    """Claims and releases every message once: with _max_claim_count 1 each one then goes
    to the dead-letter queue."""
    r = api.claim(queue, limit=count)
    assert r.status == 201, r
    assert len(r.json["messages"]) == count
    assert api.delete(f"/v2/queues/{queue}/claims/{claim_id_of(r)}").status == 204
    assert api.claim(queue).status == 204


def setup_queue(api, count, dlq_ttl=None):
    src, dlq = qname(), qname()
    meta = {"_max_claim_count": 1, "_dead_letter_queue": dlq}
    if dlq_ttl:
        meta["_dead_letter_queue_messages_ttl"] = dlq_ttl
    api.create_queue(src, meta)
    ids = api.post_messages(src, [{"body": {"n": i}, "ttl": 3600} for i in range(count)])
    dead_letter_all(api, src, count)
    assert message_ids(api.list_messages(dlq, limit=20, echo=True)["messages"]) == ids
    return src, dlq, ids


def redrive(api, queue, body=None):
    return api.post(f"/v2/queues/{queue}/redrive", body=body)


def pop_all(api, queue):
    r = api.delete(f"/v2/queues/{queue}/messages", params={"pop": 20})
    assert r.status == 200, r
    return r.json["messages"]


# --- redrive ---------------------------------------------------------------------------

def test_redrive_all_and_again(api):
    src, dlq, ids = setup_queue(api, 3)
    r = redrive(api, src)
    assert r.status == 200, r
    assert r.json == {"moved": 3, "ids": ids}
    assert api.list_messages(dlq, echo=True)["messages"] == []
    back = api.list_messages(src, echo=True)["messages"]
    assert message_ids(back) == ids
    assert [m["body"] for m in back] == [{"n": 0}, {"n": 1}, {"n": 2}]
    # A fresh claim count: one more claim is allowed before dead-lettering again...
    r = api.claim(src, limit=10)
    assert message_ids(r.json["messages"]) == ids
    api.delete(f"/v2/queues/{src}/claims/{claim_id_of(r)}")
    # ...and the messages can go back to the DLQ (and return) within the day.
    assert message_ids(api.list_messages(dlq, echo=True)["messages"]) == ids
    r = redrive(api, src, {})
    assert r.json == {"moved": 3, "ids": ids}
    assert [m["claim_count"] for m in pop_all(api, src)] == [0, 0, 0]
    assert redrive(api, src).json == {"moved": 0, "ids": []}


def test_redrive_by_ids_and_limit(api):
    src, dlq, ids = setup_queue(api, 5)
    r = redrive(api, src, {"ids": [ids[3], str(uuid.uuid4()), ids[1]]})
    assert r.status == 200, r
    assert r.json == {"moved": 2, "ids": [ids[3], ids[1]]}
    # In the source they keep their dead-letter queue's order.
    assert message_ids(api.list_messages(src, echo=True)["messages"]) == [ids[1], ids[3]]
    assert message_ids(api.list_messages(dlq, echo=True)["messages"]) == [ids[0], ids[2], ids[4]]
    r = redrive(api, src, {"limit": 2})
    assert r.json == {"moved": 2, "ids": [ids[0], ids[2]]}
    r = redrive(api, src, {"ids": [ids[4], ids[0]], "limit": 1})
    assert r.json == {"moved": 1, "ids": [ids[4]]}


def test_claimed_dead_letters_stay(api):
    src, dlq, ids = setup_queue(api, 2)
    r = api.claim(dlq, limit=1)
    assert message_ids(r.json["messages"]) == [ids[0]]
    assert redrive(api, src).json == {"moved": 1, "ids": [ids[1]]}
    assert redrive(api, src, {"ids": [ids[0]]}).json == {"moved": 0, "ids": []}
    assert message_ids(api.list_messages(dlq, include_claimed=True, echo=True)["messages"]) == [ids[0]]


def test_redrive_keeps_body_created_and_ttl_left(api):
    src, dlq, ids = setup_queue(api, 1, dlq_ttl=200)
    before = api.get(f"/v2/queues/{dlq}/stats").json["messages"]["oldest"]["created"]
    time.sleep(1.1)
    assert redrive(api, src).json["moved"] == 1
    (m,) = api.list_messages(src, echo=True)["messages"]
    # The TTL it had left in the DLQ (200 s there), never more.
    assert 195 <= m["ttl"] <= 200, m
    assert m["age"] >= 1 and m["body"] == {"n": 0}
    assert api.get(f"/v2/queues/{src}/stats").json["messages"]["oldest"]["created"] == before


def test_redrive_with_a_rate_is_paced(api):
    src, dlq, ids = setup_queue(api, 6)
    start = time.monotonic()
    r = redrive(api, src, {"rate": 5})
    elapsed = time.monotonic() - start
    assert r.json == {"moved": 6, "ids": ids}
    # One message per batch at 5/s: five pauses of 200 ms between the six batches.
    assert elapsed >= 0.9, elapsed
    assert message_ids(api.list_messages(src, echo=True)["messages"]) == ids
    # A high rate: one batch, no wait.
    dead_letter_all(api, src, 6)
    start = time.monotonic()
    assert redrive(api, src, {"rate": 1000, "limit": 4}).json == {"moved": 4, "ids": ids[:4]}
    assert time.monotonic() - start < 0.9


def test_redrive_keeps_fifo_groups(api):
    src, dlq = qname(), qname()
    api.create_queue(src, {"_max_claim_count": 1, "_dead_letter_queue": dlq})
    g = api.post_messages(src, [{"body": i, "group": "rg"} for i in range(2)])
    r = api.claim(src)
    assert message_ids(r.json["messages"]) == [g[0]]
    api.delete(f"/v2/queues/{src}/claims/{claim_id_of(r)}")  # g0 to the DLQ, g1 is next
    assert [m["group"] for m in api.list_messages(dlq, echo=True)["messages"]] == ["rg"]
    assert redrive(api, src).json["ids"] == [g[0]]
    # Back at the end of its group's line: behind g1, which stays the head.
    r = api.claim(src)
    assert message_ids(r.json["messages"]) == [g[1]]
    cid = claim_id_of(r)
    assert api.delete(f"/v2/queues/{src}/messages/{g[1]}", params={"claim_id": cid}).status == 204
    r = api.claim(src)
    assert [(m["id"], m["group"]) for m in r.json["messages"]] == [(g[0], "rg")]


def test_redrive_errors(api):
    plain = qname()
    api.create_queue(plain)
    r = redrive(api, plain)
    assert r.status == 400, r
    assert r.json == {"title": "Invalid API request", "description": (
        f"Queue {plain} has no dead-letter queue to redrive from (its \"_dead_letter_queue\" "
        "metadata must name another queue).")}
    missing = qname()
    r = redrive(api, missing)
    assert r.status == 404, r
    assert r.json["description"] == f"Queue {missing} does not exist for project {api.project}"
    api.create_queue("self-" + missing, {"_dead_letter_queue": "self-" + missing})
    assert redrive(api, "self-" + missing).status == 400
    src, _, _ = setup_queue(api, 1)
    for body, text in [({"ids": []}, '"ids" must be a list of 1 to 1000 message ids.'),
                       ({"ids": "x"}, '"ids" must be a list of 1 to 1000 message ids.'),
                       ({"ids": [1]}, '"ids" must be a list of 1 to 1000 message ids.'),
                       ({"limit": 0}, '"limit" must be an integer of at least 1.'),
                       ({"limit": "5"}, '"limit" must be an integer of at least 1.'),
                       ({"rate": 0}, '"rate" must be an integer from 1 to 10000 (messages per '
                                     'second).'),
                       ({"rate": 1.5}, '"rate" must be an integer from 1 to 10000 (messages '
                                       'per second).')]:
        r = redrive(api, src, body)
        assert r.status == 400, (body, r)
        assert r.json == {"title": "Invalid API request", "description": text}, body
    r = redrive(api, src, [1])
    assert (r.status, r.json["description"]) == (400, "Document type not supported.")
    r = api.post(f"/v2/queues/{src}/redrive", raw=b"{nope",
                 headers={"Content-Type": "application/json"})
    assert r.status == 400
    assert redrive(api, src).json["moved"] == 1  # nothing was moved by the refusals


def test_redrive_over_websocket(stack, api):
    src, dlq, ids = setup_queue(api, 2)
    ws = WsClient(stack.zaqard.ws_url, project=api.project)
    try:
        status, body = ws.status_body("queue_redrive", {"queue_name": src, "ids": [ids[1]]})
        assert (status, body) == (200, {"moved": 1, "ids": [ids[1]]})
        status, body = ws.status_body("queue_redrive", {"queue_name": src, "rate": 100})
        assert (status, body) == (200, {"moved": 1, "ids": [ids[0]]})
        status, body = ws.status_body("queue_redrive", {"queue_name": dlq})
        assert status == 400 and "has no dead-letter queue" in body["exception"]
        assert ws.status_body("queue_redrive", {"queue_name": src, "rate": "x"})[1] == \
            {"error": "Schema validation failed."}
    finally:
        ws.close()


# --- notification dead letters ---------------------------------------------------------

def make_dead_letters(api, count):
    q = qname()
    port = harness.free_port()  # nothing listens there
    r = api.post(f"/v2/queues/{q}/subscriptions",
                 body={"subscriber": f"http://127.0.0.1:{port}/gone", "ttl": 3600,
                       "options": {"_retry_policy": FAST}})
    assert r.status == 201, r
    sid = r.json["subscription_id"]
    ids = api.post_messages(q, [{"body": {"k": i}, "ttl": 300} for i in range(count)])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        r = api.get(f"/v2/queues/{q}/subscriptions/dead_letters", params={"limit": 20})
        assert r.status == 200, r
        if len(r.json["dead_letters"]) == count:
            return q, sid, ids, r.json["dead_letters"]
        time.sleep(0.1)
    raise AssertionError(f"expected {count} dead letters, got {r.json}")


def test_notification_dead_letters_listed_and_dropped(api):
    q, sid, ids, entries = make_dead_letters(api, 3)
    assert sorted(e["message_id"] for e in entries) == sorted(ids)
    for e in entries:
        assert set(e) == {"id", "created", "subscription_id", "subscriber", "kind",
                          "message_id", "attempts", "reason", "body"}, e
        assert e["subscription_id"] == sid and e["kind"] == "notification"
        assert e["subscriber"].endswith("/gone") and e["attempts"] == 2 and e["reason"]
    assert sorted(e["body"]["k"] for e in entries) == [0, 1, 2]
    # Pages: marker = the last id seen; the last page has no next link.
    base = f"/v2/queues/{q}/subscriptions/dead_letters"
    page = api.get(base, params={"limit": 2}).json
    assert [e["id"] for e in page["dead_letters"]] == [e["id"] for e in entries[:2]]
    (link,) = page["links"]
    assert link["rel"] == "next" and f"marker={entries[1]['id']}" in link["href"]
    page = api.get(link["href"]).json
    assert [e["id"] for e in page["dead_letters"]] == [entries[2]["id"]]
    page = api.get(page["links"][0]["href"]).json
    assert page == {"dead_letters": [], "links": []}
    assert api.get(base, params={"marker": "garbage"}).json == {"dead_letters": [], "links": []}
    # Drop by ids (unknown and malformed ids are ignored), then all.
    r = api.delete(base, params={"ids": f"{entries[0]['id']},1-1,nope"})
    assert r.status == 204 and r.body == b""
    left = api.get(base).json["dead_letters"]
    assert [e["id"] for e in left] == [e["id"] for e in entries[1:]]
    assert api.delete(base).status == 204
    assert api.get(base).json["dead_letters"] == []
    # The subscription itself is untouched.
    assert api.get(f"/v2/queues/{q}/subscriptions/{sid}").status == 200


def test_notification_dead_letter_errors(api):
    q = qname()
    base = f"/v2/queues/{q}/subscriptions/dead_letters"
    assert api.get(base).json == {"dead_letters": [], "links": []}  # unknown queue: empty
    r = api.get(base, params={"limit": 0})
    assert r.status == 400 and r.json["title"] == "Invalid API request"
    r = api.delete(base, params={"ids": ",".join(f"{i}-0" for i in range(1001))})
    assert r.status == 400 and r.json["description"] == \
        '"ids" must name 1 to 1000 dead letters (omit it to drop them all).'
    # Other methods on the literal path: 405 (it is not a subscription id).
    r = api.patch(base, body={})
    assert r.status == 405 and r.header("Allow") == "DELETE, GET, OPTIONS"


def test_notification_dead_letters_over_websocket(stack, api):
    q, _, _, entries = make_dead_letters(api, 2)
    ws = WsClient(stack.zaqard.ws_url, project=api.project)
    try:
        status, body = ws.status_body("subscription_dead_letter_list",
                                      {"queue_name": q, "limit": 1})
        assert status == 200 and [e["id"] for e in body["dead_letters"]] == [entries[0]["id"]]
        status, body = ws.status_body("subscription_dead_letter_list",
                                      {"queue_name": q, "marker": entries[0]["id"]})
        assert [e["id"] for e in body["dead_letters"]] == [entries[1]["id"]]
        assert ws.status_body("subscription_dead_letter_delete",
                              {"queue_name": q, "ids": [entries[1]["id"]]}) == (204, {})
        status, body = ws.status_body("subscription_dead_letter_list", {"queue_name": q})
        assert [e["id"] for e in body["dead_letters"]] == [entries[0]["id"]]
        # An empty list names nothing (it never means "all").
        status, body = ws.status_body("subscription_dead_letter_delete",
                                      {"queue_name": q, "ids": []})
        assert status == 400 and body["exception"].startswith('"ids" must name 1 to 1000')
        assert ws.status_body("subscription_dead_letter_delete", {"queue_name": q}) == (204, {})
        assert ws.status_body("subscription_dead_letter_list", {"queue_name": q}) == \
            (200, {"dead_letters": []})
    finally:
        ws.close()
