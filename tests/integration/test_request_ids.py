"""Request ids below the api: a slow Redis call is logged with the id of the request that
sent it ([zaqard] redis_slow_call_ms), over a real Redis kept busy by a script."""
import subprocess
import threading
import time
import uuid

import pytest

import zaqard_harness as harness


def slow_redis(stack, seconds):
    """Blocks the test's Redis for `seconds` from a thread with a busy script (Redis 7
    refuses DEBUG SLEEP by default), as a long-running script would; returns the thread."""
    script = ("local function us() local t = redis.call('TIME') return t[1] * 1000000 + t[2] end "
              "local s = us() local n = 0 "
              "while us() - s < tonumber(ARGV[1]) and n < 100000000 do n = n + 1 end return n")

    def sleep():
        subprocess.run(["redis-cli", "-p", str(stack.redis.port), "EVAL", script, "0",
                        str(int(seconds * 1e6))], check=True, capture_output=True, timeout=30)
    t = threading.Thread(target=sleep)
    t.start()
    time.sleep(0.1)  # the DEBUG SLEEP is running before the request is sent
    return t


def run_stack(tmp_path, slow_ms):
    st = harness.Stack(str(tmp_path), extra_config={
        "zaqard": {"redis_slow_call_ms": str(slow_ms), "redis_timeout": "5"}})
    st.start()
    return st


@pytest.mark.parametrize("slow_ms", [200, 0])
def test_slow_redis_call_is_logged_with_its_request_id(tmp_path, slow_ms):
    st = run_stack(tmp_path, slow_ms)
    try:
        api = st.client(project="p-" + uuid.uuid4().hex)
        api.create_queue("q")
        request_id = "req-" + str(uuid.uuid4())
        sleeper = slow_redis(st, 0.6)
        r = api.post("/v2/queues/q/messages", body={"messages": [{"body": 1, "ttl": 60}]},
                     headers={"X-Openstack-Request-ID": request_id})
        sleeper.join()
        assert r.status == 201, r
        # A fast call after it is not reported.
        quick = "req-" + str(uuid.uuid4())
        assert api.get("/v2/queues/q/stats", headers={"X-Openstack-Request-ID": quick}).status == 200
        time.sleep(0.2)
        log = st.zaqard.stderr_text()
        slow_lines = [line for line in log.splitlines() if "redis: slow call" in line]
        if slow_ms:
            mine = [line for line in slow_lines if f"[{request_id}]" in line]
            assert mine, log[-3000:]
            assert "WARNING" in mine[0] and "FCALL" in mine[0] and " ms" in mine[0]
            assert not any(quick in line for line in slow_lines)
        else:
            assert slow_lines == []
    finally:
        problems = st.stop()
    assert not problems, problems


def test_webhook_delivery_names_the_posting_request(tmp_path):
    """X-Request-ID on a webhook delivery is the id of the request that posted the message
    (its X-Openstack-Request-ID, or the generated one the access log shows); a retry keeps
    it; post_headers may set another."""
    from notify_helpers import WebhookReceiver
    st = harness.Stack(str(tmp_path), extra_config={
        "storage": {"message_pipeline": "zaqar.notification.notifier"},
        "zaqard": {"notification_poll_interval": "0.2"}})
    st.start()
    receiver = WebhookReceiver(fail_first=1).start()
    try:
        api = st.client(project="p-" + uuid.uuid4().hex)
        assert api.post("/v2/queues/q/subscriptions", body={
            "subscriber": receiver.url(), "ttl": 3600,
            "options": {"_retry_policy": {
                "retries_with_no_delay": 1, "minimum_delay_retries": 0,
                "maximum_delay_retries": 0, "minimum_delay": 0, "maximum_delay": 10,
                "retry_backoff_function": "geometric"}}}).status == 201
        mine = "req-" + str(uuid.uuid4())
        r = api.post("/v2/queues/q/messages", body={"messages": [{"body": {"n": 1}, "ttl": 60}]},
                     headers={"X-Openstack-Request-ID": mine})
        assert r.status == 201, r
        # Without a client-chosen id the generated one is used (the access log's).
        api.post_messages("q", [{"body": {"n": 2}, "ttl": 60}])
        got = receiver.wait_for(2)
        by_body = {d["json"]["body"]["n"]: d for d in got}
        assert by_body[1]["headers"].get("X-Request-ID") == mine  # after one failed attempt
        generated = by_body[2]["headers"].get("X-Request-ID", "")
        assert generated.startswith("req-") and generated != mine
        # The access line of that post (access lines are buffered up to 100 ms per shard).
        deadline = time.monotonic() + 5
        while generated not in st.zaqard.stderr_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert generated in st.zaqard.stderr_text()
    finally:
        receiver.stop()
        problems = st.stop()
    assert not problems, problems
