"""Graceful stop: SIGTERM while requests are in flight lets them complete, then zaqard
exits 0 (http brief: stop accepting, drain, bounded by 10 s). Redis is paused with
SIGSTOP so the requests are provably still waiting for storage when SIGTERM arrives."""

import os
import signal
import threading
import time

import pytest

import zaqard_harness as harness


@pytest.fixture
def stack(tmp_path):
    yield from harness.running_stack(str(tmp_path))


def test_sigterm_drains_in_flight_requests(stack):
    api = stack.client()
    api.create_queue("drain")
    results = [None] * 8
    redis_pid = stack.redis.proc.pid

    def post(i):
        try:
            r = api.post("/v2/queues/drain/messages", body={"messages": [{"body": i}]},
                         timeout=15)
            results[i] = r.status
        except Exception as e:  # the assertion below reports it
            results[i] = repr(e)

    os.kill(redis_pid, signal.SIGSTOP)
    try:
        threads = [threading.Thread(target=post, args=(i,)) for i in range(len(results))]
        for t in threads:
            t.start()
        time.sleep(0.4)  # all requests are now parked inside zaqard
        stack.zaqard.proc.send_signal(signal.SIGTERM)
        time.sleep(0.4)
        assert stack.zaqard.proc.poll() is None, "zaqard exited with requests in flight"
    finally:
        os.kill(redis_pid, signal.SIGCONT)
    for t in threads:
        t.join(20)
    assert results == [201] * len(results), results
    code = stack.zaqard.proc.wait(timeout=15)
    assert code == 0, stack.zaqard.stderr_text()[-3000:]
    # acknowledged posts are stored: a new zaqard on the same Redis sees them all
    again = harness.ZaqardProcess(stack.workdir, stack.redis.port, name="zaqard2").start()
    try:
        c = harness.Client(again.base_url, project=api.project)
        bodies = sorted(m["body"] for m in c.list_messages("drain", echo=True, limit=20)["messages"])
        assert bodies == list(range(len(results)))
    finally:
        again.stop()
        assert again.problems() == []


def test_sigterm_idle_exits_zero_and_stops_listening(stack):
    api = stack.client()
    assert api.get("/v2/ping").status == 204
    start = time.monotonic()
    stack.zaqard.proc.send_signal(signal.SIGTERM)
    code = stack.zaqard.proc.wait(timeout=15)
    assert code == 0
    assert time.monotonic() - start < 5, "an idle server must stop promptly"
    with pytest.raises(OSError):
        api.get("/v2/ping", timeout=2)


def test_sigint_exits_zero(stack):
    stack.zaqard.proc.send_signal(signal.SIGINT)
    assert stack.zaqard.proc.wait(timeout=15) == 0
