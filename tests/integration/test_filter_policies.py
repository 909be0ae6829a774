"""Subscription filter policies (docs/api.md "Filter policies"): subscriptions with and
without `options.filter_policy` on one queue, real webhook receivers and a WebSocket
subscriber; which message reaches which subscriber; invalid policies refused with 400 and
the reason (create and update); filtered notifications counted in /metrics."""

import json
import re
import time
import uuid

import pytest

import zaqard_harness as harness
from notify_helpers import WebhookReceiver
from ws_client import WsClient


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    yield from harness.running_stack(
        str(tmp_path_factory.mktemp("filters")),
        extra_config={"storage": {"message_pipeline": "zaqar.notification.notifier"},
                      "zaqard": {"notification_poll_interval": "0.2",
                                 "notification_claim_idle": "2"}})


@pytest.fixture
def api(stack):
    return stack.client(project="p-" + uuid.uuid4().hex)


@pytest.fixture
def receivers():
    started = []

    def make():
        r = WebhookReceiver().start()
        started.append(r)
        return r

    yield make
    for r in started:
        r.stop()


def subscribe(api, queue, subscriber, policy=None):
    body = {"subscriber": subscriber, "ttl": 3600}
    if policy is not None:
        body["options"] = {"filter_policy": policy}
    r = api.post(f"/v2/queues/{queue}/subscriptions", body=body)
    assert r.status == 201, r
    return r.json["subscription_id"]


def bodies(receiver):
    return [p["body"] for p in receiver.payloads()]


def filtered_total(stack):
    text = harness.Client(stack.base_url).get("/metrics").body.decode()
    total = 0
    for m in re.finditer(r'^zaqard_notifications_filtered_total\{kind="(\w+)"\} (\d+)$', text,
                         re.M):
        total += int(m.group(2))
    return total


def test_webhooks_get_only_what_their_policy_matches(stack, api, receivers):
    everything, colors, ranged, absent = receivers(), receivers(), receivers(), receivers()
    subscribe(api, "fq", everything.url())
    subscribe(api, "fq", colors.url(), {"color": ["red", "blue"], "kind": [{"prefix": "ord"}]})
    subscribe(api, "fq", ranged.url(),
              {"price": [{"numeric": [">", 0, "<=", 100]}], "state": [{"anything-but": ["void"]}]})
    subscribe(api, "fq", absent.url(), {"debug": [{"exists": False}]})
    before = filtered_total(stack)
    messages = [
        {"color": "red", "kind": "order", "price": 50, "state": "new"},     # all four
        {"color": "green", "kind": "order", "price": 150, "state": "new"},  # everything, absent
        {"color": "blue", "kind": "refund", "debug": 1},                    # everything
        {"color": "blue", "kind": "ordinary", "price": 100, "state": "void", "debug": True},
        "not an object",                                                     # everything, absent
        {"price": 0.5, "state": "paid"},                                     # everything, ranged, absent
    ]
    api.post_messages("fq", [{"body": m, "ttl": 300} for m in messages])
    everything.wait_for(6)
    colors.wait_for(2)
    ranged.wait_for(2)
    absent.wait_for(4)
    time.sleep(1.0)  # nothing else arrives
    assert sorted(map(str, bodies(everything))) == sorted(map(str, messages))
    assert sorted(map(str, bodies(colors))) == sorted(map(str, [messages[0], messages[3]]))
    assert sorted(map(str, bodies(ranged))) == sorted(map(str, [messages[0], messages[5]]))
    assert sorted(map(str, bodies(absent))) == sorted(
        map(str, [messages[0], messages[1], messages[4], messages[5]]))
    # 4 + 4 + 2 not delivered, counted once each.
    deadline = time.monotonic() + 5
    while filtered_total(stack) - before < 10 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert filtered_total(stack) - before == 10


def test_update_sets_and_removes_a_policy(api, receivers):
    hook = receivers()
    sid = subscribe(api, "uq", hook.url())
    path = f"/v2/queues/uq/subscriptions/{sid}"
    r = api.patch(path, body={"options": {"filter_policy": {"level": ["error"]}}})
    assert r.status == 204, r
    assert api.get(path).json["options"] == {"filter_policy": {"level": ["error"]}}
    api.post_messages("uq", [{"body": {"level": "info", "n": 1}, "ttl": 300},
                             {"body": {"level": "error", "n": 2}, "ttl": 300}])
    hook.wait_for(1)
    time.sleep(0.8)
    assert bodies(hook) == [{"level": "error", "n": 2}]
    r = api.patch(path, body={"options": {}})
    assert r.status == 204, r
    api.post_messages("uq", [{"body": {"level": "info", "n": 3}, "ttl": 300}])
    hook.wait_for(2)
    assert bodies(hook)[1] == {"level": "info", "n": 3}


@pytest.mark.parametrize("policy, reason", [
    (["a"], "filter_policy must be an object."),
    ({"k": "red"}, "filter_policy: key 'k': the value must be a non-empty list of conditions."),
    ({"k": [{"suffix": "x"}]},
     "filter_policy: key 'k': unknown operator 'suffix' (prefix, numeric, exists and "
     "anything-but are supported)."),
    ({"k": [{"numeric": ["<", 0, ">", 9]}]},
     "filter_policy: key 'k': a numeric range is a lower bound (> or >=) then an upper bound "
     "(< or <=)."),
    ({"k": [{"exists": "yes"}]}, "filter_policy: key 'k': exists must be true or false."),
    ({"a": [1], "b": [1], "c": [1], "d": [1], "e": [1], "f": [1]},
     "filter_policy: at most 5 keys are allowed, got 6."),
])
def test_invalid_policies_are_refused_on_create_and_update(api, policy, reason):
    r = api.post("/v2/queues/bad/subscriptions",
                 body={"subscriber": "http://127.0.0.1:1/x", "options": {"filter_policy": policy}})
    assert r.status == 400, r
    assert r.json == {"title": "Invalid API request", "description": reason}
    sid = subscribe(api, "bad", "http://127.0.0.1:1/y")
    r = api.patch(f"/v2/queues/bad/subscriptions/{sid}",
                  body={"options": {"filter_policy": policy}})
    assert r.status == 400, r
    assert r.json == {"title": "Invalid API request", "description": reason}


def test_null_policy_is_no_policy(api, receivers):
    hook = receivers()
    r = api.post("/v2/queues/nq/subscriptions",
                 body={"subscriber": hook.url(), "options": {"filter_policy": None}})
    assert r.status == 201, r
    api.post_messages("nq", [{"body": {"any": 1}, "ttl": 300}])
    hook.wait_for(1)


def test_websocket_subscriber_with_policy(stack, api, receivers):
    ws = WsClient(stack.zaqard.ws_url, project=api.project)
    try:
        r = ws.call("subscription_create", {"queue_name": "wsf", "ttl": 600,
                                            "options": {"filter_policy": {"n": [2]}}})
        assert r["headers"]["status"] == 201, r
        r = ws.call("subscription_create", {"queue_name": "wsf", "ttl": 600,
                                            "options": {"filter_policy": {"n": "x"}}})
        assert r["headers"]["status"] == 400, r
        assert "must be a non-empty list of conditions" in json.dumps(r["body"]), r
        api.post_messages("wsf", [{"body": {"n": 1}, "ttl": 300},
                                  {"body": {"n": 2}, "ttl": 300}])
        frame, _ = ws.recv()
        assert frame["body"] == {"n": 2}
        ws.ws.settimeout(1.0)
        with pytest.raises(Exception):
            ws.recv()  # {"n": 1} never comes
    finally:
        ws.close()
