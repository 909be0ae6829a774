"""Coalesced Redis calls (issue #12) with the real zaqard and redis-server: concurrent
posts to one queue from many connections go to Redis as fewer FCALLs than posts, every
client still gets its own answer (its own ids, its own 400), a WebSocket connection's
pipelined posts keep their order, and [zaqard] redis_coalesce = false sends one FCALL per
post."""

import json
import re
import socket
import time
import uuid

import pytest

import zaqard_harness as harness
from ws_client import WsClient

CONNECTIONS = 64


def start_stack(tmp_path_factory, name, coalesce):
    workdir = str(tmp_path_factory.mktemp(name))
    # No background sweep: its FCALLs would blur the counts.
    st = harness.Stack(workdir, extra_config={
        "zaqard": {"shards": "2", "sweep_interval": "3600",
                   "redis_coalesce": "true" if coalesce else "false"}})
    return st.start()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    st = start_stack(tmp_path_factory, "coalesce-on", True)
    yield st
    problems = st.stop()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture(scope="module")
def stack_off(tmp_path_factory):
    st = start_stack(tmp_path_factory, "coalesce-off", False)
    yield st
    problems = st.stop()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def fcall_count(st):
    info = st.redis.command("INFO", "commandstats").decode()
    m = re.search(r"cmdstat_fcall:calls=(\d+)", info)
    return int(m.group(1)) if m else 0


def coalesced_metric(st):
    text = st.client().get("/metrics").body.decode()
    m = re.search(r"^zaqard_redis_coalesced_calls_total (\d+)", text, re.M)
    assert m, text[:2000]
    return int(m.group(1))


def concurrent_posts(st, project, queue, bodies):
    """One POST per body, each on its own connection, released together: every request
    but its last byte goes first, then the last bytes in one tight loop, so the server
    reads many of them in one loop turn. Returns [(status, json body)] in input order."""
    socks, requests = [], []
    for body in bodies:
        payload = json.dumps({"messages": [{"ttl": 300, "body": body}]}).encode()
        head = (f"POST /v2/queues/{queue}/messages HTTP/1.1\r\nHost: x\r\n"
                f"Client-ID: {uuid.uuid4()}\r\nX-Project-ID: {project}\r\n"
                "Content-Type: application/json\r\nConnection: close\r\n"
                f"Content-Length: {len(payload)}\r\n\r\n").encode()
        requests.append(head + payload)
        socks.append(socket.create_connection(("127.0.0.1", st.zaqard.port), timeout=15))
    time.sleep(0.2)  # every connection accepted
    for s, r in zip(socks, requests):
        s.sendall(r[:-1])
    time.sleep(0.2)
    for s, r in zip(socks, requests):
        s.sendall(r[-1:])
    answers = []
    for s in socks:
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        head, _, body = data.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        answers.append((status, json.loads(body) if body else None))
    return answers


def fresh_queue(st, metadata=None):
    api = st.client()
    name = "q" + uuid.uuid4().hex[:8]
    assert api.put(f"/v2/queues/{name}", metadata or {}).status == 201
    time.sleep(0.2)  # the queue's index step (not awaited) is done
    st.redis.command("CONFIG", "RESETSTAT")
    return api, name


def listed(api, name):
    """[(id, body)] of the queue in list (FIFO) order."""
    out, path = [], f"/v2/queues/{name}/messages?echo=true&limit=20"
    for _ in range(50):
        r = api.get(path)
        if r.status == 204:
            break
        page = r.json
        if not page["messages"]:
            break
        out += [(m["id"], m["body"]) for m in page["messages"]]
        path = next(link["href"] for link in page["links"] if link["rel"] == "next")
    return out


def listed_ids(api, name):
    return [i for i, _ in listed(api, name)]


def test_concurrent_posts_share_fcalls_and_each_gets_its_ids(stack):
    api, name = fresh_queue(stack)
    before = coalesced_metric(stack)
    answers = concurrent_posts(stack, api.project, name,
                               [{"n": i} for i in range(CONNECTIONS)])
    assert [s for s, _ in answers] == [201] * CONNECTIONS, answers
    ids = [b["resources"][0].rsplit("/", 1)[1] for _, b in answers]
    assert len(set(ids)) == CONNECTIONS
    calls = fcall_count(stack)
    assert calls < CONNECTIONS, f"{calls} FCALLs for {CONNECTIONS} posts: nothing coalesced"
    assert coalesced_metric(stack) - before >= CONNECTIONS - calls
    # Each id holds the body its own client posted.
    assert {i: b for i, b in listed(api, name)} == {ids[i]: {"n": i} for i in range(CONNECTIONS)}


def test_a_refused_post_in_a_batch_is_refused_alone(stack):
    api, name = fresh_queue(stack, {"_max_messages_post_size": 256})
    bodies = [("x" * 400 if i % 5 == 2 else {"n": i}) for i in range(CONNECTIONS)]
    answers = concurrent_posts(stack, api.project, name, bodies)
    for i, (status, body) in enumerate(answers):
        if i % 5 == 2:
            assert status == 400, (i, status, body)
            assert "256" in body["description"], body
        else:
            assert status == 201, (i, status, body)
    assert fcall_count(stack) < CONNECTIONS
    assert len(listed_ids(api, name)) == CONNECTIONS - len(range(2, CONNECTIONS, 5))


def test_websocket_pipelined_posts_keep_their_order(stack):
    api, name = fresh_queue(stack)
    ws = WsClient(stack.zaqard.ws_url, project=api.project)
    try:
        count = 40
        for i in range(count):
            ws.send(ws.frame("message_post", {"queue_name": name,
                                              "messages": [{"ttl": 300, "body": {"n": i}}]}))
        ids = []
        for i in range(count):
            reply, _ = ws.recv()
            assert reply["headers"]["status"] == 201, reply
            ids.append(reply["body"]["message_ids"][0])
    finally:
        ws.close()
    # FIFO order is the order they were sent in, each id with its own body.
    assert listed(api, name) == [(ids[i], {"n": i}) for i in range(count)]


def test_redis_coalesce_false_sends_one_fcall_per_post(stack_off):
    api, name = fresh_queue(stack_off)
    answers = concurrent_posts(stack_off, api.project, name,
                               [{"n": i} for i in range(CONNECTIONS)])
    assert [s for s, _ in answers] == [201] * CONNECTIONS
    assert fcall_count(stack_off) == CONNECTIONS
    assert coalesced_metric(stack_off) == 0
