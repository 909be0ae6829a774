"""Topics (rest-v2.md §8): a separate namespace with the queue behaviour, messages fanned
out to the topic's subscribers by the notification engine; the topic_* WebSocket actions
(zaqard's extension, docs/api.md); the topics:* policy rules."""

import json
import os
import uuid

import pytest

import zaqard_harness as harness
from notify_helpers import WebhookReceiver
from test_notifications import notify_config
from ws_client import WsClient

PATCH = "application/openstack-messaging-v2.0-json-patch"
TOPIC_DEFAULTS = {"_max_messages_post_size": 262144, "_default_message_ttl": 3600,
                  "_default_message_delay": 0}
ZERO_STATS = {"messages": {"claimed": 0, "free": 0, "total": 0}}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    yield from harness.running_stack(str(tmp_path_factory.mktemp("topics")),
                                     extra_config=notify_config())


@pytest.fixture
def api(stack):
    return stack.client(project="p-" + uuid.uuid4().hex)


@pytest.fixture
def receivers():
    rs = [WebhookReceiver().start(), WebhookReceiver().start()]
    yield rs
    for r in rs:
        r.stop()


def post(api, topic, messages):
    r = api.post(f"/v2/topics/{topic}/messages", body={"messages": messages})
    assert r.status == 201, r
    return [href.rsplit("/", 1)[1] for href in r.json["resources"]]


def test_crud(api):
    assert api.get("/v2/topics/t1").json == TOPIC_DEFAULTS  # never created: defaults
    r = api.put("/v2/topics/t1", body={"color": "red"})
    assert r.status == 201 and r.header("Location") == "/v2/topics/t1" and r.body == b""
    r = api.put("/v2/topics/t1", body={"color": "blue"})
    assert r.status == 204  # exists: metadata unchanged
    assert api.get("/v2/topics/t1").json == dict(TOPIC_DEFAULTS, color="red")
    assert api.delete("/v2/topics/t1").status == 204
    assert api.get("/v2/topics/t1").json == TOPIC_DEFAULTS
    assert api.delete("/v2/topics/never").status == 204


def test_list_with_paging_and_filters(api):
    for name in ("a1", "a2", "a3", "b1"):
        assert api.put(f"/v2/topics/{name}", body={"n": name}).status == 201
    api.create_queue("a0")  # a queue is not listed with the topics
    r = api.get("/v2/topics", params={"limit": 2})
    assert r.status == 200
    assert [t["name"] for t in r.json["topics"]] == ["a1", "a2"]
    assert r.json["topics"][0] == {"name": "a1", "href": "/v2/topics/a1"}
    assert r.json["links"] == [{"rel": "next", "href": "/v2/topics?limit=2&marker=a2"}]
    r = api.get(r.json["links"][0]["href"])
    assert [t["name"] for t in r.json["topics"]] == ["a3", "b1"]
    r = api.get(r.json["links"][0]["href"])
    assert r.json == {"topics": [], "links": []}
    r = api.get("/v2/topics", params={"detailed": "true", "name": "b"})
    assert r.json["topics"] == [{"name": "b1", "href": "/v2/topics/b1",
                                 "metadata": dict(TOPIC_DEFAULTS, n="b1")}]
    assert [t["name"] for t in api.get("/v2/topics?n=a2").json["topics"]] == ["a2"]
    # No with_count on topics: Zaqar's topic listing reads it as a metadata filter.
    r = api.get("/v2/topics", params={"with_count": "true"})
    assert r.json == {"topics": [], "links": []}
    r = api.get("/v2/topics", params={"limit": 21})
    assert r.status == 400
    assert r.json["description"] == "Limit must be at least 1 and no greater than 20."
    assert [q["name"] for q in api.get("/v2/queues").json["queues"]] == ["a0"]


def test_patch_metadata(api):
    h = {"Content-Type": PATCH}
    ops = [{"op": "add", "path": "/metadata/k", "value": 1}]
    r = api.patch("/v2/topics/pt", body=ops, headers=h)
    assert r.status == 404
    assert r.json["description"] == f"Topic pt does not exist for project {api.project}"
    api.put("/v2/topics/pt")
    r = api.patch("/v2/topics/pt", body=ops, headers=h)
    assert r.status == 200 and r.json == dict(TOPIC_DEFAULTS, k=1)
    # The three defaulted reserved keys are tolerated when unset; queue-only ones are not.
    r = api.patch("/v2/topics/pt", body=[{"op": "remove", "path": "/metadata/_default_message_ttl"}],
                  headers=h)
    assert r.status == 200
    r = api.patch("/v2/topics/pt", body=[{"op": "remove", "path": "/metadata/_max_claim_count"}],
                  headers=h)
    assert r.status == 409
    assert r.json["description"] == "Can't remove non-existent object _max_claim_count."
    r = api.patch("/v2/topics/pt",
                  body=[{"op": "replace", "path": "/metadata/_default_message_ttl",
                         "value": 120}], headers=h)
    assert r.status == 200 and r.json["_default_message_ttl"] == 120
    r = api.patch("/v2/topics/pt", body=ops, headers={"Content-Type": "application/json"})
    assert r.status == 415


def test_stats_and_purge(api):
    assert api.get("/v2/topics/st/stats").json == ZERO_STATS
    api.put("/v2/topics/st")
    assert api.get("/v2/topics/st/stats").json == ZERO_STATS
    ids = post(api, "st", [{"body": i, "ttl": 300} for i in range(3)])
    stats = api.get("/v2/topics/st/stats").json["messages"]
    assert set(stats) == {"total", "oldest", "newest"} and stats["total"] == 3
    assert stats["oldest"]["href"] == f"/v2/topics/st/messages/{ids[0]}"
    assert stats["newest"]["href"] == f"/v2/topics/st/messages/{ids[2]}"
    r = api.post("/v2/topics/st/purge", body={"resource_types": ["bogus"]})
    assert r.status == 400
    r = api.post("/v2/topics/st/purge", body={"resource_types": ["messages"]})
    assert r.status == 204
    assert api.get("/v2/topics/st/stats").json == ZERO_STATS
    assert api.get("/v2/topics/st").json == TOPIC_DEFAULTS  # the topic stays


def test_messages(api):
    ids = post(api, "mt", [{"body": {"n": 1}, "ttl": 120}, {"body": {"n": 2}}])
    r = api.post("/v2/topics/mt/messages", body={"messages": [{"body": 3}]})
    assert r.json["resources"][0].startswith("/v2/topics/mt/messages/")
    listed = api.get("/v2/topics/mt/messages", params={"echo": "true", "limit": 2}).json
    assert [m["id"] for m in listed["messages"]] == ids
    assert listed["messages"][0]["href"] == f"/v2/topics/mt/messages/{ids[0]}"
    assert listed["messages"][0]["ttl"] == 120 and listed["messages"][1]["ttl"] == 3600
    assert listed["links"][0]["href"].startswith("/v2/topics/mt/messages?")
    m = api.get(f"/v2/topics/mt/messages/{ids[0]}")
    assert m.status == 200 and m.json["body"] == {"n": 1}
    assert m.json["href"] == f"/v2/topics/mt/messages/{ids[0]}"
    many = api.get("/v2/topics/mt/messages", params={"ids": ",".join(ids)})
    assert [x["id"] for x in many.json["messages"]] == ids
    assert api.delete(f"/v2/topics/mt/messages/{ids[0]}").status == 204
    r = api.get(f"/v2/topics/mt/messages/{ids[0]}")
    assert r.status == 404
    assert r.json["description"] == (
        f"Message {ids[0]} does not exist in topic mt for project {api.project}")
    assert api.delete("/v2/topics/mt/messages", params={"ids": ids[1]}).status == 204
    r = api.delete("/v2/topics/mt/messages", params={"pop": 5})
    assert r.status == 200 and [x["body"] for x in r.json["messages"]] == [3]
    r = api.get("/v2/topics/gone/messages/" + ids[0])
    assert r.status == 404
    assert r.json["description"] == f"Topic gone does not exist for project {api.project}"
    # A post lazily creates the topic, listed with the topics and not the queues.
    assert [t["name"] for t in api.get("/v2/topics").json["topics"]] == ["mt"]
    assert api.get("/v2/queues").json["queues"] == []
    # No claims on topics.
    assert api.post("/v2/topics/mt/claims", body={}).status == 404


def test_topic_and_queue_of_the_same_name_are_independent(api):
    api.put("/v2/topics/same", body={"kind": "topic"})
    api.create_queue("same", {"kind": "queue"})
    t_ids = post(api, "same", [{"body": "to the topic"}])
    q_ids = api.post_messages("same", [{"body": "to the queue"}, {"body": "again"}])
    assert api.get("/v2/topics/same").json["kind"] == "topic"
    assert api.get("/v2/queues/same").json["kind"] == "queue"
    assert api.get("/v2/topics/same/stats").json["messages"]["total"] == 1
    assert api.get("/v2/queues/same/stats").json["messages"]["total"] == 2
    assert api.get(f"/v2/queues/same/messages/{t_ids[0]}").status == 404
    assert api.get(f"/v2/topics/same/messages/{q_ids[0]}").status == 404
    assert api.delete("/v2/topics/same").status == 204
    assert api.get("/v2/queues/same/stats").json["messages"]["total"] == 2
    assert api.get("/v2/queues/same").json["kind"] == "queue"


def test_subscribers_receive_the_posted_messages(api, receivers):
    a, b = receivers
    sids = []
    for r in receivers:
        resp = api.post("/v2/topics/news/subscriptions",
                        body={"subscriber": r.url(), "ttl": 600})
        assert resp.status == 201, resp
        sids.append(resp.json["subscription_id"])
    # A queue of the same name and its subscriber are not involved.
    api.post_messages("news", [{"body": "queue only"}])
    listed = api.get("/v2/topics/news/subscriptions").json["subscriptions"]
    assert sorted(s["id"] for s in listed) == sorted(sids)
    assert all(s["source"] == "news" for s in listed)
    post(api, "news", [{"body": {"headline": 1}, "ttl": 300}, {"body": {"headline": 2}}])
    for r in receivers:
        got = r.wait_for(2)
        payloads = sorted((g["json"] for g in got), key=lambda p: p["body"]["headline"])
        assert payloads == [
            {"ttl": 300, "body": {"headline": 1}, "Message_Type": "Notification",
             "topic_name": "news"},
            {"ttl": 3600, "body": {"headline": 2}, "Message_Type": "Notification",
             "topic_name": "news"}]
    sub = api.get(f"/v2/topics/news/subscriptions/{sids[0]}")
    assert sub.status == 200 and sub.json["subscriber"] == a.url()
    assert api.get(f"/v2/queues/news/subscriptions/{sids[0]}").status == 404
    r = api.patch(f"/v2/topics/news/subscriptions/{sids[0]}", body={"ttl": 900})
    assert r.status == 204
    r = api.put(f"/v2/topics/news/subscriptions/{sids[0]}/confirm", body={"confirmed": True})
    assert r.status == 204
    assert api.get(f"/v2/topics/news/subscriptions/{sids[0]}").json["confirmed"] is True
    assert api.delete(f"/v2/topics/news/subscriptions/{sids[1]}").status == 204
    post(api, "news", [{"body": {"headline": 3}}])
    a.wait_for(3)
    assert len(b.payloads()) == 2
    # Purging the topic's subscriptions stops the deliveries.
    assert api.post("/v2/topics/news/purge",
                    body={"resource_types": ["subscriptions"]}).status == 204
    assert api.get("/v2/topics/news/subscriptions").json["subscriptions"] == []


def test_error_texts(api):
    r = api.put("/v2/topics/bad@name")
    assert r.status == 400
    assert r.json == {"title": "Invalid topic identification",
                      "description": "The format of the submitted topic name or project id "
                                     "is not valid."}
    assert api.get("/v2/topics/" + "x" * 65 + "/messages").status == 400
    long_project = api.other_project("p" * 257)
    assert long_project.put("/v2/topics/ok").json["title"] == "Invalid topic identification"
    # A 405 on a topic path validates the name first.
    r = api.post("/v2/topics/bad@name")
    assert r.status == 400 and r.json["title"] == "Invalid topic identification"
    r = api.post("/v2/topics/fine")
    assert r.status == 405 and r.header("Allow") == "DELETE, GET, PATCH, PUT, OPTIONS"
    r = api.put("/v2/topics/t", raw=b"[]", headers={"Content-Type": "application/json"})
    assert r.status == 400 and r.json["description"] == "Document type not supported."
    r = api.post("/v2/topics/t/messages", body={"messages": [{"body": 1, "ttl": 5}]})
    assert r.status == 400
    r = api.post("/v2/topics/t/subscriptions", body={"subscriber": "gopher://x"})
    assert r.status == 400


def test_storage_down_says_topic(tmp_path):
    dead = harness.ZaqardProcess(str(tmp_path), harness.free_port(),
                                 {"zaqard": {"redis_timeout": "1"}})
    dead.start(any_status=True)
    try:
        c = harness.Client(dead.base_url)
        expected = {
            ("GET", "/v2/topics"): "Topics could not be listed.",
            ("PUT", "/v2/topics/t"): "Topic could not be created.",
            ("GET", "/v2/topics/t"): "Topic metadata could not be retrieved.",
            ("DELETE", "/v2/topics/t"): "Topic could not be deleted.",
            ("GET", "/v2/topics/t/stats"): "Topic stats could not be read.",
            ("POST", "/v2/topics/t/purge"): "Topic could not be purged.",
        }
        for (method, path), sentence in expected.items():
            r = c.request(method, path)
            assert r.status == 503, (path, r)
            assert r.json["description"] == sentence + " Please try again in a few seconds."
    finally:
        dead.stop()
    assert dead.problems() == []


def test_websocket_topic_actions(stack):
    ws = WsClient(stack.zaqard.ws_url)
    try:
        assert ws.status_body("topic_create", {"topic_name": "wt", "metadata": {"a": 1}}) == (
            201, "Topic wt created.")
        status, body = ws.status_body("topic_list", {"detailed": True})
        assert status == 200 and body == {"topics": [{"name": "wt", "metadata": {"a": 1}}]}
        assert ws.status_body("topic_get", {"topic_name": "wt"}) == (200, {"a": 1})
        status, body = ws.status_body(
            "topic_message_post", {"topic_name": "wt", "messages": [{"body": "hi"}]})
        assert status == 201, body
        mid = body["message_ids"][0]
        status, body = ws.status_body("topic_message_get", {"topic_name": "wt", "message_id": mid})
        assert status == 200 and body["messages"]["body"] == "hi"
        status, body = ws.status_body("topic_message_list", {"topic_name": "wt", "echo": True})
        assert status == 200 and [m["id"] for m in body["messages"]] == [mid]
        status, body = ws.status_body("topic_get_stats", {"topic_name": "wt"})
        assert status == 200 and body["messages"]["total"] == 1
        status, body = ws.status_body("topic_message_get_many",
                                      {"topic_name": "wt", "message_ids": [mid]})
        assert status == 200 and len(body["messages"]) == 1
        assert ws.status_body("topic_message_delete",
                              {"topic_name": "wt", "message_id": mid})[0] == 204
        status, body = ws.status_body("topic_subscription_create",
                                      {"topic_name": "wt", "subscriber": "http://127.0.0.1:9/h"})
        assert status == 201, body
        sid = body["subscription_id"]
        status, body = ws.status_body("topic_subscription_list", {"topic_name": "wt"})
        assert status == 200 and [s["id"] for s in body["subscriptions"]] == [sid]
        assert ws.status_body("topic_subscription_get",
                              {"topic_name": "wt", "subscription_id": sid})[0] == 200
        assert ws.status_body("topic_subscription_delete",
                              {"topic_name": "wt", "subscription_id": sid})[0] == 204
        assert ws.status_body("topic_purge", {"topic_name": "wt"})[0] == 204
        status, body = ws.status_body("topic_create", {"topic_name": "bad@"})
        assert status == 400
        assert body["exception"] == ("Topic names may only contain ASCII letters, digits, "
                                     "underscores, and dashes.")
        assert ws.status_body("topic_delete", {"topic_name": "wt"}) == (204, "Topic wt removed.")
        # The queue namespace did not see any of it.
        assert ws.status_body("queue_list", {}) == (200, {"queues": []})
    finally:
        ws.close()


@pytest.fixture(scope="module")
def policy_stack(tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("topic-policy"))
    with open(os.path.join(workdir, "policy.yaml"), "w") as f:
        f.write('"topics:create": "role:publisher"\n"topics:purge": "!"\n')
    yield from harness.running_stack(workdir)


def test_policy_rules(policy_stack):
    c = policy_stack.client(project="pol-" + uuid.uuid4().hex)
    r = c.put("/v2/topics/pt")
    assert r.status == 403
    assert r.json == {"title": "Not authorized",
                      "description": "You are not authorized to complete this action."}
    assert c.put("/v2/topics/pt", headers={"X-Roles": "publisher"}).status == 201
    assert c.post("/v2/topics/pt/purge", headers={"X-Roles": "admin"}).status == 403
    # The queue rules are not the topic ones.
    assert c.put("/v2/queues/pt").status == 201
    assert c.post("/v2/queues/pt/purge").status == 204
    ws = WsClient(policy_stack.zaqard.ws_url)
    try:
        assert ws.status_body("topic_create", {"topic_name": "wsp"})[0] == 403
    finally:
        ws.close()
    assert json.loads(c.get("/v2/topics").body)["topics"] == [{"name": "pt",
                                                               "href": "/v2/topics/pt"}]
