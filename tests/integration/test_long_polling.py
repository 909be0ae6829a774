"""Long polling (beyond Zaqar; docs/api.md "Long polling"): `wait` on claim and list, over
real sockets, with wake-ups from posts on this or another zaqard process sharing the
Redis, from delays and claims that end, client disconnects and arrival-order fairness.

One shard per zaqard, so that two waiters of a queue are on one shard (fairness is per
shard); [zaqard] max_wait_seconds = 90 so that a waiter can outlast a 60 s claim."""

import os
import re
import signal
import socket
import threading
import time
import uuid

import pytest

import zaqard_harness as harness
from ws_client import WsClient

MAX_WAIT = 90


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    yield from harness.running_stack(
        str(tmp_path_factory.mktemp("longpoll")),
        extra_config={"zaqard": {"shards": "1", "max_wait_seconds": str(MAX_WAIT)}})


def qname():
    return "lp-" + uuid.uuid4().hex[:12]


class Waiter(threading.Thread):
    """One blocking request on its own connection; records when its answer came."""

    def __init__(self, client, method, path, params, body=None, timeout=120):
        super().__init__(daemon=True)
        self.client, self.method, self.path = client, method, path
        self.params, self.body, self.timeout = params, body, timeout
        self.response = None
        self.error = None
        self.answered_at = None

    def run(self):
        try:
            self.response = self.client.request(self.method, self.path, body=self.body,
                                                params=self.params, timeout=self.timeout)
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.error = e
        self.answered_at = time.monotonic()

    def result(self, timeout):
        self.join(timeout)
        assert not self.is_alive(), "the waiting request was not answered"
        assert self.error is None, self.error
        return self.response


def claim_waiter(client, queue, wait, limit=None):
    params = {"wait": wait}
    if limit is not None:
        params["limit"] = limit
    w = Waiter(client, "POST", f"/v2/queues/{queue}/claims", params, body={"ttl": 60, "grace": 60})
    w.start()
    return w


def gauge(client):
    text = client.get("/metrics").body.decode()
    m = re.search(r"^zaqard_long_poll_waiting (\d+)", text, re.M)
    assert m, text[:2000]
    return int(m.group(1))


def wait_for_gauge(client, value, timeout=5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if gauge(client) == value:
            return True
        time.sleep(0.05)
    return gauge(client) == value


def test_claim_with_wait_is_answered_by_a_post_from_another_connection(stack):
    api = stack.client()
    producer = api.other_client()
    q = qname()
    api.create_queue(q)
    w = claim_waiter(api, q, 10)
    assert wait_for_gauge(api, 1)
    time.sleep(0.3)
    posted_at = time.monotonic()
    [mid] = producer.post_messages(q, [{"body": {"n": 1}, "ttl": 300}])
    r = w.result(10)
    assert r.status == 201, r
    assert w.answered_at - posted_at < 2.0
    assert [m["id"] for m in r.json["messages"]] == [mid]
    assert r.header("Location").startswith(f"/v2/queues/{q}/claims/")
    assert wait_for_gauge(api, 0)


def test_list_with_wait_is_answered_by_a_post(stack):
    api = stack.client()
    producer = api.other_client()
    q = qname()
    w = Waiter(api, "GET", f"/v2/queues/{q}/messages", {"wait": 10})
    w.start()
    time.sleep(0.5)
    assert w.is_alive()
    posted_at = time.monotonic()
    [mid] = producer.post_messages(q, [{"body": "hello", "ttl": 300}])
    r = w.result(10)
    assert r.status == 200, r
    assert w.answered_at - posted_at < 2.0
    assert [m["id"] for m in r.json["messages"]] == [mid]
    # The next page's link keeps waiting.
    assert "wait=10" in r.json["links"][0]["href"]


def test_a_queue_created_by_put_while_a_request_waits_on_it_wakes_it(stack):
    # The wait mark predates the queue hash: creating the queue carries it over (the
    # hash's wu, _lib.lua wake_waiters), so the post after the PUT wakes the waiter.
    api = stack.client()
    producer = api.other_client()
    q = qname()
    w = Waiter(api, "GET", f"/v2/queues/{q}/messages", {"wait": 10})
    w.start()
    time.sleep(0.5)
    assert producer.put(f"/v2/queues/{q}").status == 201
    time.sleep(0.2)
    assert w.is_alive()
    posted_at = time.monotonic()
    [mid] = producer.post_messages(q, [{"body": "after put", "ttl": 300}])
    r = w.result(10)
    assert r.status == 200, r
    assert w.answered_at - posted_at < 2.0
    assert [m["id"] for m in r.json["messages"]] == [mid]


def test_list_wait_ignores_own_messages_unless_echo(stack):
    api = stack.client()
    q = qname()
    w = Waiter(api, "GET", f"/v2/queues/{q}/messages", {"wait": 2})
    w.start()
    time.sleep(0.3)
    api.post_messages(q, [{"body": 1, "ttl": 300}])  # its own: echo=false hides it
    r = w.result(5)
    assert r.status == 200 and r.json == {"messages": [], "links": []}, r


def test_deadline_answers_the_usual_empty_answers(stack):
    api = stack.client()
    q = qname()
    api.create_queue(q)
    started = time.monotonic()
    r = api.post(f"/v2/queues/{q}/claims", body={"ttl": 60}, params={"wait": 2})
    took = time.monotonic() - started
    assert r.status == 204 and r.body == b"", r
    assert 1.9 <= took < 3.0, took
    # Byte for byte the answer without wait (a queue that does not exist too).
    plain = api.post(f"/v2/queues/{q}/claims", body={"ttl": 60})
    assert (plain.status, plain.body) == (r.status, r.body)
    started = time.monotonic()
    r = api.get(f"/v2/queues/{qname()}/messages", params={"wait": 1})
    assert 0.9 <= time.monotonic() - started < 2.0
    plain = api.get(f"/v2/queues/{qname()}/messages")
    assert (r.status, r.body) == (plain.status, plain.body) == (200, plain.body)
    assert r.json == {"messages": [], "links": []}


def test_messages_already_there_are_answered_at_once(stack):
    api = stack.client()
    q = qname()
    [mid] = api.post_messages(q, [{"body": 1, "ttl": 300}])
    started = time.monotonic()
    r = api.post(f"/v2/queues/{q}/claims", body={"ttl": 60}, params={"wait": 20})
    assert r.status == 201 and time.monotonic() - started < 1.0
    assert [m["id"] for m in r.json["messages"]] == [mid]


@pytest.mark.parametrize("wait", [MAX_WAIT + 1, -1])
def test_wait_out_of_range_is_400(stack, wait):
    api = stack.client()
    q = qname()
    for r in (api.post(f"/v2/queues/{q}/claims", body={"ttl": 60}, params={"wait": wait}),
              api.get(f"/v2/queues/{q}/messages", params={"wait": wait})):
        assert r.status == 400, r
        assert r.json == {
            "title": "Invalid API request",
            "description": "The value of the wait parameter must be at least 0 and may not be "
                           f"greater than {MAX_WAIT} seconds."}, r.json


def test_wait_not_an_integer_is_zaqars_invalid_parameter(stack):
    api = stack.client()
    r = api.post(f"/v2/queues/{qname()}/claims", body={"ttl": 60}, params={"wait": "soon"})
    assert r.status == 400, r
    assert r.json["title"] == "Invalid parameter", r.json
    assert "wait" in r.json["description"]


def test_websocket_claim_create_with_wait(stack):
    ws = WsClient(stack.zaqard.ws_url)
    try:
        q = qname()
        producer = harness.Client(stack.base_url, project=ws.project)
        producer.create_queue(q)
        posted = {}

        def post_later():
            time.sleep(1.0)
            posted["at"] = time.monotonic()
            posted["ids"] = producer.post_messages(q, [{"body": "ws", "ttl": 300}])

        t = threading.Thread(target=post_later, daemon=True)
        t.start()
        status, body = ws.status_body("claim_create",
                                      {"queue_name": q, "wait": 10, "ttl": 60})
        received = time.monotonic()
        t.join(5)
        assert status == 201, body
        assert received - posted["at"] < 2.0
        assert [m["id"] for m in body["messages"]] == posted["ids"]
        # message_list takes the field too; a deadline gives the usual 200 and no message.
        status, body = ws.status_body("message_list", {"queue_name": qname(), "wait": 1})
        assert (status, body) == (200, {"messages": []})
        # A wrong type fails the frame schema, as Zaqar's fields do.
        status, body = ws.status_body("claim_create", {"queue_name": q, "wait": "x"})
        assert status == 400 and body == {"error": "Schema validation failed."}
    finally:
        ws.close()


def test_waiter_on_one_process_is_woken_by_a_post_on_another(stack, tmp_path):
    other = harness.ZaqardProcess(str(tmp_path), stack.redis.port,
                                  {"zaqard": {"shards": "1", "max_wait_seconds": "30"}},
                                  name="zaqard-b")
    other.start()
    try:
        api = stack.client()
        q = qname()
        api.create_queue(q)
        w = claim_waiter(api, q, 10)
        assert wait_for_gauge(api, 1)
        time.sleep(0.3)
        producer = harness.Client(other.base_url, project=api.project)
        posted_at = time.monotonic()
        [mid] = producer.post_messages(q, [{"body": "from b", "ttl": 300}])
        r = w.result(10)
        assert r.status == 201, r
        assert w.answered_at - posted_at < 2.0
        assert [m["id"] for m in r.json["messages"]] == [mid]
    finally:
        other.stop()
        assert other.problems() == []


def test_delayed_message_wakes_the_waiter_when_its_delay_ends(stack):
    api = stack.client()
    producer = api.other_client()
    q = qname()
    api.create_queue(q, {"_default_message_delay": 1})
    w = claim_waiter(api, q, 15)
    time.sleep(0.3)
    posted_at = time.monotonic()
    [mid] = producer.post_messages(q, [{"body": "later", "ttl": 300, "delay": 3}])
    r = w.result(15)
    assert r.status == 201, r
    took = w.answered_at - posted_at
    assert 2.5 <= took < 5.0, took
    assert [m["id"] for m in r.json["messages"]] == [mid]


@pytest.mark.slow
def test_claim_expiry_wakes_a_waiting_claimer(stack):
    api = stack.client()
    q = qname()
    [mid] = api.post_messages(q, [{"body": "once", "ttl": 600}])
    first = api.post(f"/v2/queues/{q}/claims", body={"ttl": 60, "grace": 60})
    assert first.status == 201
    claimed_at = time.monotonic()
    w = claim_waiter(api.other_client(), q, 75)
    r = w.result(80)
    assert r.status == 201, r
    took = w.answered_at - claimed_at
    assert 59.0 <= took < 63.0, took
    assert [m["id"] for m in r.json["messages"]] == [mid]


def test_released_claim_wakes_a_waiting_claimer(stack):
    api = stack.client()
    q = qname()
    [mid] = api.post_messages(q, [{"body": "again", "ttl": 600}])
    first = api.post(f"/v2/queues/{q}/claims", body={"ttl": 60})
    assert first.status == 201
    w = claim_waiter(api.other_client(), q, 10)
    time.sleep(0.5)
    released_at = time.monotonic()
    assert api.delete(first.header("Location")).status == 204
    r = w.result(10)
    assert r.status == 201 and w.answered_at - released_at < 2.0, r
    assert [m["id"] for m in r.json["messages"]] == [mid]


def test_client_disconnect_frees_the_waiter_at_once(stack):
    api = stack.client()
    q = qname()
    api.create_queue(q)
    s = socket.create_connection(("127.0.0.1", stack.zaqard.port), timeout=5)
    body = b'{"ttl": 60}'
    s.sendall((f"POST /v2/queues/{q}/claims?wait=30 HTTP/1.1\r\nHost: x\r\n"
               f"Client-ID: {api.client_id}\r\nX-Project-ID: {api.project}\r\n"
               f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
              + body)
    assert wait_for_gauge(api, 1)
    s.close()
    assert wait_for_gauge(api, 0, timeout=2)
    # The server is fine, and the waiter that left took nothing.
    [mid] = api.other_client().post_messages(q, [{"body": 1, "ttl": 300}])
    r = api.claim(q)
    assert r.status == 201 and [m["id"] for m in r.json["messages"]] == [mid], r
    assert api.get("/v2/ping").status == 204


def test_websocket_close_frees_its_waiters(stack):
    ws = WsClient(stack.zaqard.ws_url)
    api = harness.Client(stack.base_url, project=ws.project)
    ws.send(ws.frame("claim_create", {"queue_name": qname(), "wait": 30}))
    assert wait_for_gauge(api, 1)
    ws.close()
    assert wait_for_gauge(api, 0, timeout=2)


def test_waiters_are_served_in_arrival_order(stack):
    api = stack.client()
    producer = api.other_client()
    q = qname()
    api.create_queue(q)
    first = claim_waiter(api, q, 20, limit=1)
    assert wait_for_gauge(api, 1)
    second = claim_waiter(api.other_client(), q, 20, limit=1)
    assert wait_for_gauge(api, 2)
    [m1] = producer.post_messages(q, [{"body": 1, "ttl": 300}])
    r1 = first.result(5)
    assert r1.status == 201 and [m["id"] for m in r1.json["messages"]] == [m1], r1
    time.sleep(0.3)
    assert second.is_alive(), "the second waiter must still wait"
    [m2] = producer.post_messages(q, [{"body": 2, "ttl": 300}])
    r2 = second.result(5)
    assert r2.status == 201 and [m["id"] for m in r2.json["messages"]] == [m2], r2


def test_max_wait_seconds_takes_effect(tmp_path):
    """[zaqard] max_wait_seconds (conf/zaqar.conf): the largest wait accepted."""
    st = harness.Stack(str(tmp_path), extra_config={"zaqard": {"max_wait_seconds": "3"}})
    st.start()
    try:
        api = st.client()
        q = qname()
        r = api.post(f"/v2/queues/{q}/claims", body={"ttl": 60}, params={"wait": 4})
        assert r.status == 400 and "greater than 3 seconds" in r.json["description"], r
        started = time.monotonic()
        r = api.post(f"/v2/queues/{q}/claims", body={"ttl": 60}, params={"wait": 3})
        assert r.status == 204 and 2.9 <= time.monotonic() - started < 4.0, r
    finally:
        problems = st.stop()
    assert problems == []


def test_graceful_stop_answers_waiters_at_once(tmp_path):
    st = harness.Stack(str(tmp_path), extra_config={"zaqard": {"shards": "1"}})
    st.start()
    try:
        api = st.client()
        w = claim_waiter(api, qname(), 20)
        assert wait_for_gauge(api, 1)
        stopping = time.monotonic()
        st.zaqard.proc.send_signal(signal.SIGTERM)  # graceful stop
        r = w.result(5)
        assert r.status == 204, r
        assert time.monotonic() - stopping < 3.0
    finally:
        problems = st.stop()
    assert problems == []
