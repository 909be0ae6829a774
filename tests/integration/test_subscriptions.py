"""Subscription API (rest-v2.md §7, websocket-v2.md §3.4): create, list, get, update,
delete, confirm, purge; Zaqar's validation texts, statuses and duplicate handling."""

import uuid

import pytest

from ws_client import WsClient
from zaqard_harness import free_port

HOOK = "http://127.0.0.1:9/hook"
TYPES = "['http', 'https', 'mailto', 'trust+http', 'trust+https']"


def subscribe(api, queue, subscriber=HOOK, ttl=None, options=None):
    body = {"subscriber": subscriber}
    if ttl is not None:
        body["ttl"] = ttl
    if options is not None:
        body["options"] = options
    return api.post(f"/v2/queues/{queue}/subscriptions", body=body)


def assert_bad(r, description, title="Invalid API request"):
    assert r.status == 400, r
    assert r.json == {"title": title, "description": description}, r.json


def test_create_get_shape(api):
    r = subscribe(api, "sq1", ttl=600, options={"post_headers": {"X-Custom": "yes"}})
    assert r.status == 201, r
    assert r.header("Location") == "/v2/queues/sq1/subscriptions"
    sid = r.json["subscription_id"]
    uuid.UUID(sid)
    g = api.get(f"/v2/queues/sq1/subscriptions/{sid}")
    assert g.status == 200, g
    assert list(g.json) == ["id", "source", "subscriber", "ttl", "age", "options", "confirmed"]
    assert g.json["id"] == sid
    assert g.json["source"] == "sq1"
    assert g.json["subscriber"] == HOOK
    assert g.json["ttl"] == 600
    assert 0 <= g.json["age"] <= 2
    assert g.json["options"] == {"post_headers": {"X-Custom": "yes"}}
    assert g.json["confirmed"] is False


def test_default_ttl_and_lazy_queue(api):
    sid = subscribe(api, "lazyq").json["subscription_id"]
    assert api.get(f"/v2/queues/lazyq/subscriptions/{sid}").json["ttl"] == 3600
    names = [q["name"] for q in api.get("/v2/queues").json["queues"]]
    assert "lazyq" in names


def test_queue_created_even_when_validation_fails(api):
    r = api.post("/v2/queues/badsubq/subscriptions", body={"ttl": 100})
    assert_bad(r, "Missing parameter subscriber in body.")
    names = [q["name"] for q in api.get("/v2/queues").json["queues"]]
    assert "badsubq" in names


@pytest.mark.parametrize("body,description", [
    ({}, "Missing parameter subscriber in body."),
    ({"subscriber": "ftp://x/y"}, f"The subscriber type of subscription must be supported in the list {TYPES}."),
    ({"subscriber": "nourl"}, f"The subscriber type of subscription must be supported in the list {TYPES}."),
    ({"subscriber": HOOK, "options": "x"}, "Options must be a dict."),
    ({"subscriber": HOOK, "ttl": "100"}, "TTL must be an integer."),
    ({"subscriber": HOOK, "ttl": 59}, "The TTL for a subscription must be at least 60 seconds long."),
    ({"subscriber": HOOK, "ttl": 0}, "The TTL for a subscription must be at least 60 seconds long."),
    ({"subscriber": HOOK, "ttl": 10 ** 13},
     "The TTL seconds for a subscription plus current time must be less than 9999-12-31 23:59:59.999999."),
    ({"subscriber": HOOK, "options": {"_retry_policy": "x"}}, "retry_policy must be a dict."),
    ({"subscriber": HOOK, "options": {"_retry_policy": {"minimum_delay": 5, "maximum_delay": 10}}},
     "invalid minimum_delay and maximum_delay."),
    ({"subscriber": HOOK, "options": {"_retry_policy": {"retries_with_no_delay": "a"}}},
     "Retry policy: retries_with_no_delay must be a integer."),
])
def test_create_validation(api, body, description):
    assert_bad(api.post("/v2/queues/vq/subscriptions", body=body), description)


def test_create_without_body(api):
    assert_bad(api.post("/v2/queues/vq/subscriptions"), "Missing parameter subscriber in body.")


def test_all_schemes_accepted(api):
    for sub in ("http://h/a", "https://h/a", "mailto:a@example.com", "trust+http://h/a",
                "trust+https://h/a", "HTTP://h/upper"):
        assert subscribe(api, "schemes", sub).status == 201, sub


def test_duplicate_unconfirmed_answers_existing_id(api):
    sid = subscribe(api, "dupq").json["subscription_id"]
    again = subscribe(api, "dupq", ttl=900)
    assert again.status == 201
    assert again.json == {"subscription_id": sid}


def test_duplicate_confirmed_conflicts(api):
    sid = subscribe(api, "dupc").json["subscription_id"]
    r = api.put(f"/v2/queues/dupc/subscriptions/{sid}/confirm", body={"confirmed": True})
    assert r.status == 204, r
    assert r.header("Location") == f"/v2/queues/dupc/subscriptions/{sid}/confirm"
    assert api.get(f"/v2/queues/dupc/subscriptions/{sid}").json["confirmed"] is True
    again = subscribe(api, "dupc")
    assert again.status == 409, again
    assert again.json == {
        "title": "Resource conflict",
        "description": "Such subscription already exists.Subscriptions are unique by project "
                       "+ queue + subscriber URI."}
    assert again.header("Location") == "/v2/queues/dupc/subscriptions"


def test_same_subscriber_other_queue_or_project(api):
    a = subscribe(api, "uq1").json["subscription_id"]
    b = subscribe(api, "uq2").json["subscription_id"]
    c = subscribe(api.other_project(), "uq1").json["subscription_id"]
    assert len({a, b, c}) == 3


def test_get_unknown_and_other_queue(api):
    r = api.get("/v2/queues/gq/subscriptions/nope")
    assert r.status == 404
    assert r.json == {"title": "Not found", "description": "Subscription nope does not exist"}
    sid = subscribe(api, "gq").json["subscription_id"]
    r = api.get(f"/v2/queues/otherq/subscriptions/{sid}")
    assert r.status == 404
    r = api.other_project().get(f"/v2/queues/gq/subscriptions/{sid}")
    assert r.status == 404


def test_list_paging(api):
    ids = sorted(subscribe(api, "lq", f"http://127.0.0.1:9/{i}").json["subscription_id"]
                 for i in range(5))
    r = api.get("/v2/queues/lq/subscriptions", params={"limit": 2})
    assert r.status == 200
    page = r.json
    assert [s["id"] for s in page["subscriptions"]] == ids[:2]
    assert page["links"] == [{"rel": "next",
                              "href": f"/v2/queues/lq/subscriptions?limit=2&marker={ids[1]}"}]
    seen = []
    href = "/v2/queues/lq/subscriptions?limit=2"
    while True:
        page = api.get(href).json
        if not page["subscriptions"]:
            assert page["links"] == []
            break
        seen += [s["id"] for s in page["subscriptions"]]
        href = page["links"][0]["href"]
    assert seen == ids
    assert api.get("/v2/queues/lq/subscriptions").json["subscriptions"][0]["source"] == "lq"


def test_list_unknown_queue_and_limit(api):
    r = api.get("/v2/queues/nothere/subscriptions")
    assert r.status == 200
    assert r.json == {"subscriptions": [], "links": []}
    for bad in (0, 21):
        assert_bad(api.get("/v2/queues/nothere/subscriptions", params={"limit": bad}),
                   "Limit must be at least 1 and may not be greater than 20.")


def test_update(api):
    sid = subscribe(api, "upq", ttl=600, options={"a": 1}).json["subscription_id"]
    path = f"/v2/queues/upq/subscriptions/{sid}"
    r = api.patch(path, body={"ttl": 1200, "options": {"b": 2}, "subscriber": "http://h/new"})
    assert r.status == 204, r
    assert r.header("Location") == path
    g = api.get(path).json
    assert g["ttl"] == 1200
    assert g["options"] == {"b": 2}
    assert g["subscriber"] == "http://h/new"
    # The old URI is free again, the new one is taken.
    assert subscribe(api, "upq").json["subscription_id"] != sid
    assert subscribe(api, "upq", "http://h/new").json["subscription_id"] == sid


def test_update_errors(api):
    sid = subscribe(api, "ueq").json["subscription_id"]
    other = subscribe(api, "ueq", "http://h/other").json["subscription_id"]
    path = f"/v2/queues/ueq/subscriptions/{sid}"
    assert_bad(api.patch(path, body={}), "No subscription to create.")
    assert_bad(api.patch(path), "No subscription to create.")
    assert_bad(api.patch(path, body={"ttl": 5}),
               "The TTL for a subscription must be at least 60 seconds long.")
    assert_bad(api.patch(path, body={"subscriber": "gopher://x"}),
               f"The subscriber type of subscription must be supported in the list {TYPES}.")
    r = api.patch(path, body={"color": "red"})
    assert r.status == 400
    assert r.json == {"title": "Unable to update subscription",
                      "description": f"Subscription {sid} could not be updated."}
    r = api.patch("/v2/queues/ueq/subscriptions/unknown", body={"ttl": 100})
    assert r.status == 404
    r = api.patch(path, body={"subscriber": "http://h/other"})
    assert r.status == 409
    assert r.json["description"] == ("Such subscription already exists. Subscriptions are "
                                     "unique by project + queue + subscriber URI.")
    assert other


def test_delete(api):
    sid = subscribe(api, "dq").json["subscription_id"]
    assert api.delete(f"/v2/queues/dq/subscriptions/{sid}").status == 204
    assert api.get(f"/v2/queues/dq/subscriptions/{sid}").status == 404
    assert api.delete(f"/v2/queues/dq/subscriptions/{sid}").status == 204
    assert api.delete("/v2/queues/neverq/subscriptions/x").status == 204
    # The subscriber may subscribe again.
    assert subscribe(api, "dq").json["subscription_id"] != sid


def test_confirm_errors(api):
    sid = subscribe(api, "cq").json["subscription_id"]
    path = f"/v2/queues/cq/subscriptions/{sid}/confirm"
    for body in ({}, {"confirmed": "yes"}, {"confirmed": 1}):
        assert_bad(api.put(path, body=body), "The 'confirmed' should be boolean.")
    r = api.put("/v2/queues/cq/subscriptions/nope/confirm", body={"confirmed": True})
    assert r.status == 404
    assert r.json["description"] == "Subscription nope does not exist"
    assert api.put(path, body={"confirmed": True}).status == 204
    assert api.put(path, body={"confirmed": False}).status == 204
    assert api.get(f"/v2/queues/cq/subscriptions/{sid}").json["confirmed"] is False


def test_purge_subscriptions(api):
    for i in range(3):
        subscribe(api, "pq", f"http://h/{i}")
    api.post_messages("pq", [{"body": 1, "ttl": 300}])
    r = api.post("/v2/queues/pq/purge", body={"resource_types": ["subscriptions"]})
    assert r.status == 204
    assert api.get("/v2/queues/pq/subscriptions").json["subscriptions"] == []
    assert api.get("/v2/queues/pq/stats").json["messages"]["total"] == 1
    subscribe(api, "pq")
    assert api.post("/v2/queues/pq/purge").status == 204
    assert api.get("/v2/queues/pq/subscriptions").json["subscriptions"] == []
    subscribe(api, "pq")
    api.post("/v2/queues/pq/purge", body={"resource_types": ["messages"]})
    assert len(api.get("/v2/queues/pq/subscriptions").json["subscriptions"]) == 1


def test_expiry(stack, api):
    """Subscriptions vanish after their TTL (the expiry index is moved to the past here
    rather than waiting the 60 s minimum)."""
    sid = subscribe(api, "xq", ttl=60).json["subscription_id"]
    key = "z:sx:{" + api.project + "/xq}"
    assert stack.redis.command("ZADD", key, "1", sid).startswith(b":")
    assert api.get(f"/v2/queues/xq/subscriptions/{sid}").status == 404
    assert api.get("/v2/queues/xq/subscriptions").json["subscriptions"] == []
    assert subscribe(api, "xq").json["subscription_id"] != sid


def test_subscriptions_survive_queue_delete(api):
    sid = subscribe(api, "qdel").json["subscription_id"]
    assert api.delete("/v2/queues/qdel").status == 204
    assert api.get(f"/v2/queues/qdel/subscriptions/{sid}").status == 200


def test_websocket_subscriptions(stack):
    ws = WsClient(stack.zaqard.ws_url)
    try:
        r = ws.call("subscription_create", {"queue_name": "wsq", "subscriber": HOOK, "ttl": 600})
        assert r["headers"]["status"] == 201, r
        sid = r["body"]["subscription_id"]
        assert r["body"]["message"] == "Subscription wsq created."
        r = ws.call("subscription_create", {"queue_name": "wsq", "subscriber": HOOK})
        assert r["headers"]["status"] == 409, r
        assert r["body"] == "Subscription wsq not created." or \
            r["body"].get("exception") == "Subscription wsq not created.", r
        r = ws.call("subscription_get", {"queue_name": "wsq", "subscription_id": sid})
        assert r["headers"]["status"] == 200
        assert r["body"]["subscriber"] == HOOK
        r = ws.call("subscription_list", {"queue_name": "wsq"})
        assert [s["id"] for s in r["body"]["subscriptions"]] == [sid]
        assert "links" not in r["body"]
        r = ws.call("subscription_get", {"queue_name": "wsq", "subscription_id": "nope"})
        assert r["headers"]["status"] == 404
        assert r["body"] == {"exception": "Subscription nope does not exist",
                             "error": "Subscription nope for queue wsq does not exist."}
        r = ws.call("subscription_delete", {"queue_name": "wsq", "subscription_id": sid})
        assert r["headers"]["status"] == 204
        assert r["body"] == f"Subscription {sid} removed."
        # Without a subscriber the connection itself subscribes.
        r = ws.call("subscription_create", {"queue_name": "wsq2"})
        assert r["headers"]["status"] == 201, r
        sid = r["body"]["subscription_id"]
        r = ws.call("subscription_get", {"queue_name": "wsq2", "subscription_id": sid})
        assert r["body"]["subscriber"].startswith("http://")
        assert r["body"]["subscriber"].endswith("/" + ws.connection_id)
    finally:
        ws.close()
    assert free_port()


def test_nothing_delivered_without_the_notifier_pipeline(api):
    """Zaqar delivers only with [storage] message_pipeline = zaqar.notification.notifier
    (this module's zaqard runs without it); no job is even recorded."""
    import time

    from notify_helpers import WebhookReceiver

    receiver = WebhookReceiver().start()
    try:
        subscribe(api, "offq", receiver.url())
        api.post_messages("offq", [{"body": 1, "ttl": 300}])
        time.sleep(1.0)
        assert receiver.attempts == []
    finally:
        receiver.stop()
