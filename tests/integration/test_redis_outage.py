"""Redis outages: requests fail fast with Zaqar's 503 body, zaqard reconnects by itself and
acknowledged data survives (design.md principle 2; rest-v2.md §1.7). Redis runs with AOF
(appendfsync always) here so a SIGKILL loses nothing that was acknowledged."""

import os
import signal
import time

import pytest

import zaqard_harness as harness

TRY_AGAIN = " Please try again in a few seconds."


@pytest.fixture
def aof_stack(tmp_path):
    yield from harness.running_stack(str(tmp_path), appendonly=True)


def assert_503(r, sentence):
    assert r.status == 503, r
    assert r.json == {"title": "Service temporarily unavailable",
                      "description": sentence + TRY_AGAIN}, r


def timed(fn, *args, **kw):
    start = time.monotonic()
    r = fn(*args, **kw)
    return r, time.monotonic() - start


def wait_serving(api, timeout=20):
    """Every shard has its own Redis connection and reconnects on its own backoff: wait
    until a run of consecutive requests (spread over shards by the kernel) succeeds."""
    deadline = time.monotonic() + timeout
    streak = 0
    while time.monotonic() < deadline and streak < 12:
        try:
            ok = api.get("/v2/queues/keep", timeout=5).status == 200
        except OSError:
            ok = False
        streak = streak + 1 if ok else 0
        if not ok:
            time.sleep(0.2)
    assert streak >= 12, "zaqard did not serve again within %ss" % timeout


def outage_checks(api):
    """Every kind of call answers 503 quickly while Redis is away."""
    calls = [
        (lambda: api.get("/v2/queues"), "Queues could not be listed."),
        (lambda: api.get("/v2/queues/keep"), "Queue metadata could not be retrieved."),
        (lambda: api.put("/v2/queues/newq"), "Queue could not be created."),
        (lambda: api.get("/v2/queues/keep/stats"), "Queue stats could not be read."),
        (lambda: api.post("/v2/queues/keep/messages", body={"messages": [{"body": 1}]}),
         "Messages could not be enqueued."),
        (lambda: api.get("/v2/queues/keep/messages", params={"echo": "true"}),
         "Messages could not be listed."),
        (lambda: api.post("/v2/queues/keep/claims", body={"ttl": 60}),
         "Claim could not be created."),
        (lambda: api.delete("/v2/queues/keep/messages", params={"pop": 1}),
         "Messages could not be popped."),
    ]
    for call, sentence in calls:
        r, elapsed = timed(call)
        assert_503(r, sentence)
        assert elapsed < 5, (sentence, elapsed)
    r, elapsed = timed(api.get, "/v2/ping")
    assert r.status == 503 and r.body == b"", r
    assert elapsed < 5


def seed(api):
    api.create_queue("keep", {"color": "green"})
    ids = api.post_messages("keep", [{"body": i} for i in range(5)])
    return ids


def check_seeded(api, ids):
    assert api.get("/v2/queues/keep").json["color"] == "green"
    got = api.get("/v2/queues/keep/messages", params={"ids": ",".join(ids)}).json
    assert [m["id"] for m in got["messages"]] == ids
    r = api.claim("keep", limit=2)
    assert r.status == 201
    assert [m["id"] for m in r.json["messages"]] == ids[:2]


def test_redis_killed_and_restarted(aof_stack):
    api = aof_stack.client()
    ids = seed(api)
    aof_stack.redis.kill()
    outage_checks(api)
    assert aof_stack.zaqard.proc.poll() is None, "zaqard must survive a Redis crash"
    # same port, same data dir, AOF on
    aof_stack.redis.start()
    wait_serving(api)
    check_seeded(api, ids)
    api.post_messages("keep", [{"body": "after"}])


def test_redis_hangs(aof_stack):
    """A stopped (not dead) Redis: no TCP error, only the zaqard-side timeout helps."""
    api = aof_stack.client()
    ids = seed(api)
    pid = aof_stack.redis.proc.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        r, elapsed = timed(api.get, "/v2/queues")
        assert_503(r, "Queues could not be listed.")
        assert elapsed < 5, elapsed
        r, elapsed = timed(api.post, "/v2/queues/keep/messages",
                           body={"messages": [{"body": 1}]})
        assert r.status == 503, r
        assert elapsed < 5, elapsed
    finally:
        os.kill(pid, signal.SIGCONT)
    wait_serving(api)
    check_seeded(api, ids)
