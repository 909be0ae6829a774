"""zaqard's sd_notify readiness (src/runtime/service_notify.cpp), as systemd's Type=notify
sees it: NOTIFY_SOCKET names a unix datagram socket this test listens on. READY=1 comes
only once every shard listens and Redis answered; STOPPING=1 when SIGTERM arrives.
The build-tree binary; tests/integration/test_package.py does the same with the .deb's."""

import os
import signal
import subprocess

import pytest

import zaqard_harness as harness
from sd_notify_listener import NotifyListener


@pytest.fixture
def listener():
    n = NotifyListener()
    yield n
    n.close()


def start_zaqard(workdir, redis_port, notify_path):
    proc_dir = str(workdir)
    zaqard = harness.ZaqardProcess(proc_dir, redis_port)
    env = dict(os.environ, NOTIFY_SOCKET=notify_path)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
    with open(zaqard.stdout_path, "ab") as out, open(zaqard.stderr_path, "ab") as err:
        zaqard.proc = subprocess.Popen([zaqard.binary, "--config", zaqard.config_path],
                                       stdout=out, stderr=err, env=env)
    return zaqard


def test_ready_only_after_redis_answers_then_stopping(tmp_path, listener):
    redis = harness.RedisProcess(str(tmp_path / "redis"))  # its port, not started yet
    zaqard = start_zaqard(tmp_path, redis.port, listener.path)
    try:
        # Listening (ping answers 503: no Redis) but not ready.
        zaqard.wait_ready(30, any_status=True)
        r = harness.Client(zaqard.base_url).get("/v2/ping")
        assert r.status == 503, r
        assert listener.wait_for("READY", "1", 1.5) is None, listener.messages

        redis.start()
        ready = listener.wait_for("READY", "1", 15)
        assert ready is not None, (listener.messages, zaqard.stderr_text()[-2000:])
        assert ready["STATUS"].startswith(f"listening on http://127.0.0.1:{zaqard.port} "), ready
        # Ready means it serves: no retry needed.
        api = harness.Client(zaqard.base_url)
        assert api.get("/v2/ping").status == 204
        api.create_queue("ready")
        api.post_messages("ready", [{"ttl": 60, "body": {"n": 1}}])
        assert [m["body"] for m in api.list_messages("ready", echo=True)["messages"]] == [{"n": 1}]

        zaqard.proc.send_signal(signal.SIGTERM)
        assert zaqard.proc.wait(timeout=20) == 0
        assert listener.wait_for("STOPPING", "1", 2) is not None, listener.messages
        # READY once, STOPPING once.
        received = listener.drain(0.2)
        assert [m.get("READY") for m in received].count("1") == 1, received
        assert [m.get("STOPPING") for m in received].count("1") == 1, received
        assert zaqard.problems() == []
    finally:
        zaqard.stop()
        redis.stop()


def test_a_stop_before_redis_answers_sends_no_ready(tmp_path, listener):
    zaqard = start_zaqard(tmp_path, harness.free_port(), listener.path)
    try:
        zaqard.wait_ready(30, any_status=True)
        zaqard.proc.send_signal(signal.SIGTERM)
        assert zaqard.proc.wait(timeout=20) == 0
        received = listener.drain(0.3)
        assert [m for m in received if m.get("READY")] == [], received
        assert [m for m in received if m.get("STOPPING") == "1"], received
        assert zaqard.problems() == []
    finally:
        zaqard.stop()
