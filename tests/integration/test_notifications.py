"""Notification delivery with real endpoints (notifications.md, docs/notifications.md):
webhooks (payload, template, headers, Standard Webhooks signature), broadcast, task
distribution and point-to-point, retries, dead letters, confirmation flow (messages
posted while unconfirmed skipped, or held with the zaqard option), e-mail through a real
SMTP sink, WebSocket subscribers, a SIGKILLed zaqard and two zaqard processes sharing
one Redis."""

import base64
import hashlib
import hmac
import json
import os
import time
import uuid

import pytest

import zaqard_harness as harness
from notify_helpers import SmtpSink, WebhookReceiver
from ws_client import WsClient

FAST = {"retries_with_no_delay": 3, "minimum_delay_retries": 0, "maximum_delay_retries": 0,
        "minimum_delay": 0, "maximum_delay": 10, "retry_backoff_function": "geometric"}


def fast(retries):
    return dict(FAST, retries_with_no_delay=retries)


def notify_config(**notification):
    cfg = {"storage": {"message_pipeline": "zaqar.notification.notifier"},
           "zaqard": {"notification_poll_interval": "0.2", "notification_claim_idle": "2"}}
    if notification:
        cfg["notification"] = notification
    return cfg


@pytest.fixture(scope="module")
def smtp():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, smtp):
    yield from harness.running_stack(
        str(tmp_path_factory.mktemp("notify")),
        extra_config=notify_config(smtp_mode="self_local", smtp_host="127.0.0.1",
                                   smtp_port=smtp.port, smtp_starttls="off"))


@pytest.fixture
def api(stack):
    return stack.client(project="p-" + uuid.uuid4().hex)


@pytest.fixture
def receiver():
    r = WebhookReceiver().start()
    yield r
    r.stop()


def subscribe(api, queue, subscriber, **body):
    r = api.post(f"/v2/queues/{queue}/subscriptions", body=dict(body, subscriber=subscriber))
    assert r.status == 201, r
    return r.json["subscription_id"]


def redis_int(stack, *args):
    reply = stack.redis.command(*args)
    assert reply.startswith(b":"), reply
    return int(reply[1:].strip())


def test_webhook_payload(api, receiver):
    subscribe(api, "nq", receiver.url())
    api.post_messages("nq", [{"body": {"event": "e1"}, "ttl": 300},
                             {"body": {"event": "e2"}, "ttl": 400}])
    got = receiver.wait_for(2)
    payloads = sorted((r["json"] for r in got), key=lambda p: p["ttl"])
    assert payloads == [
        {"ttl": 300, "body": {"event": "e1"}, "Message_Type": "Notification", "queue_name": "nq"},
        {"ttl": 400, "body": {"event": "e2"}, "Message_Type": "Notification", "queue_name": "nq"}]
    for r in got:
        assert r["body"].startswith(b'{"ttl": ')  # Zaqar's key order and separators
        assert r["headers"]["Content-Type"] == "application/json"
        assert r["path"] == "/hook"


def test_post_data_and_headers(api, receiver):
    subscribe(api, "tq", receiver.url("/tpl"), options={
        "post_data": '{"wrapped": "$zaqar_message$", "k": 1}',
        "post_headers": {"X-Custom": "yes"}})
    api.post_messages("tq", [{"body": 7, "ttl": 120}])
    r = receiver.wait_for(1)[0]
    assert r["json"] == {"wrapped": {"ttl": 120, "body": 7, "Message_Type": "Notification",
                                     "queue_name": "tq"}, "k": 1}
    assert r["headers"]["X-Custom"] == "yes"


def test_signing_secret(api, receiver):
    secret = "whsec_" + base64.b64encode(b"0123456789abcdef").decode()
    subscribe(api, "sigq", receiver.url(), options={"signing_secret": secret})
    api.post_messages("sigq", [{"body": "signed", "ttl": 120}])
    r = receiver.wait_for(1)[0]
    h = {k.lower(): v for k, v in r["headers"].items()}
    signed = f"{h['webhook-id']}.{h['webhook-timestamp']}.".encode() + r["body"]
    expected = base64.b64encode(hmac.new(b"0123456789abcdef", signed, hashlib.sha256).digest())
    assert h["webhook-signature"] == "v1," + expected.decode()
    assert abs(int(h["webhook-timestamp"]) - time.time()) < 60


def test_broadcast(api, receiver):
    for i in range(10):
        subscribe(api, "bq", receiver.url(f"/s{i}"))
    api.post_messages("bq", [{"body": {"news": 1}, "ttl": 120}])
    got = receiver.wait_for(10)
    assert sorted(r["path"] for r in got) == sorted(f"/s{i}" for i in range(10))
    time.sleep(0.5)
    assert len(receiver.requests) == 10  # one delivery per subscriber


def test_point_to_point(api, receiver):
    subscribe(api, "p2p-a", receiver.url("/a"))
    subscribe(api, "p2p-b", receiver.url("/b"))
    api.post_messages("p2p-a", [{"body": "for a", "ttl": 120}])
    api.post_messages("unsubscribed", [{"body": "nobody", "ttl": 120}])
    got = receiver.wait_for(1)
    time.sleep(0.6)
    assert [r["path"] for r in receiver.requests] == ["/a"]
    assert got[0]["json"]["body"] == "for a"


def test_task_distribution_with_claims(api, receiver):
    """Workers are notified, then claim: each task goes to exactly one worker."""
    subscribe(api, "tasks", receiver.url("/wake"))
    api.post_messages("tasks", [{"body": {"task": i}, "ttl": 300} for i in range(6)])
    receiver.wait_for(6)
    w1, w2 = api.other_client(), api.other_client()
    done = {"w1": [], "w2": []}
    for _ in range(6):
        for name, worker in (("w1", w1), ("w2", w2)):
            r = worker.claim("tasks", limit=1)
            if r.status == 201:
                m = r.json["messages"][0]
                done[name].append(m["body"]["task"])
                cid = harness.claim_id_of(r)
                assert worker.delete(m["href"].split("?")[0], params={"claim_id": cid}).status == 204
    assert sorted(done["w1"] + done["w2"]) == list(range(6))
    assert done["w1"] and done["w2"]


def test_retry_then_success(api):
    receiver = WebhookReceiver(fail_first=2, fail_status=503).start()
    try:
        subscribe(api, "rq", receiver.url(), options={"_retry_policy": fast(3)})
        api.post_messages("rq", [{"body": "again", "ttl": 120}])
        receiver.wait_for(1)
        assert len(receiver.attempts) == 3
    finally:
        receiver.stop()


def test_queue_retry_policy_applies(api):
    receiver = WebhookReceiver(fail_first=1, fail_status=500).start()
    try:
        api.create_queue("qpol", {"_retry_policy": fast(1)})
        subscribe(api, "qpol", receiver.url())
        api.post_messages("qpol", [{"body": "x", "ttl": 120}])
        receiver.wait_for(1)
        assert len(receiver.attempts) == 2
    finally:
        receiver.stop()


def dead_letters(stack, api, queue):
    return redis_int(stack, "XLEN", "z:nd:{" + api.project + "/" + queue + "}")


def wait_until(predicate, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_dead_letter_when_down_for_good(stack, api):
    port = harness.free_port()  # nothing listens there
    subscribe(api, "deadq", f"http://127.0.0.1:{port}/gone", options={"_retry_policy": fast(2)})
    api.post_messages("deadq", [{"body": i, "ttl": 120} for i in range(3)])
    wait_until(lambda: dead_letters(stack, api, "deadq") == 3, what="3 dead letters")
    entries = stack.redis.command("XRANGE", "z:nd:{" + api.project + "/deadq}", "-", "+")
    assert b"subscription_id" in entries and b"attempts" in entries and b"\r\n3\r\n" in entries
    assert "gave up on a notification of queue deadq" in stack.zaqard.stderr_text()
    # Nothing is left pending: the jobs were acknowledged once dead-lettered.
    assert redis_int(stack, "XLEN", "z:n:{" + api.project + "/deadq}") == 0


def test_client_error_gives_up_at_once(stack, api):
    receiver = WebhookReceiver(fail_first=100, fail_status=404).start()
    try:
        subscribe(api, "g4q", receiver.url(), options={"_retry_policy": fast(3)})
        api.post_messages("g4q", [{"body": 1, "ttl": 120}])
        wait_until(lambda: dead_letters(stack, api, "g4q") == 1, what="dead letter")
        assert len(receiver.attempts) == 1
    finally:
        receiver.stop()


def test_mailto(api, smtp):
    before = len(smtp.messages)
    subscribe(api, "mq", "mailto:ops@example.com",
              options={"from": "zaqar@example.com", "subject": "Opt subject"})
    api.post_messages("mq", [{"body": {"a": 1}, "ttl": 300}])
    mail = smtp.wait_for(before + 1)[before]
    assert mail["to"] == ["ops@example.com"]
    assert "subject: Opt subject" in mail["data"]
    body = mail["data"].replace("\r\n", "\n").split("\n\n", 1)[1].strip()
    assert json.loads(body) == {"ttl": 300, "body": {"a": 1}, "Message_Type": "Notification",
                                "queue_name": "mq"}


def test_websocket_subscriber(stack, api):
    ws = WsClient(stack.zaqard.ws_url, project=api.project)
    try:
        r = ws.call("subscription_create", {"queue_name": "wsn", "ttl": 600})
        assert r["headers"]["status"] == 201, r
        api.post_messages("wsn", [{"body": {"n": 1}, "ttl": 300}])
        frame, binary = ws.recv()
        assert not binary
        assert frame == {"ttl": 300, "body": {"n": 1}, "Message_Type": "Notification",
                         "queue_name": "wsn"}
    finally:
        ws.close()


def test_confirmation_flow(tmp_path):
    receiver = WebhookReceiver().start()
    st = harness.Stack(str(tmp_path), extra_config=dict(
        notify_config(require_confirmation="true"), signed_url={"secret_key": "s3cret"}))
    st.start()
    try:
        api = st.client(project="proj-a")
        sid = subscribe(api, "cfq", receiver.url())
        conf = receiver.wait_for(1)[0]["json"]
        path = f"/v2/queues/cfq/subscriptions/{sid}/confirm"
        assert conf["Message_Type"] == "SubscriptionConfirmation"
        assert conf["Message"] == "You have chosen to subscribe to the queue: cfq"
        assert conf["URL-Paths"] == path and conf["URL-Methods"] == "PUT"
        assert conf["X-Project-ID"] == "proj-a" and conf["queue_name"] == "cfq"
        assert conf["SubscribeBody"] == {"confirmed": True}
        assert len(conf["URL-Signature"]) == 64
        # Unconfirmed: messages are skipped, as in Zaqar and SNS (never sent, not even
        # after the confirmation).
        api.post_messages("cfq", [{"body": {"early": i}, "ttl": 300} for i in range(2)])
        time.sleep(1.0)
        assert len(receiver.requests) == 1
        # A duplicate POST re-sends the confirmation and answers the same id.
        assert subscribe(api, "cfq", receiver.url()) == sid
        receiver.wait_for(2)
        signed = {"URL-Signature": conf["URL-Signature"], "URL-Methods": "PUT",
                  "URL-Paths": path, "URL-Expires": conf["URL-Expires"]}
        r = api.put(path, body=conf["SubscribeBody"], headers=signed)
        assert r.status == 204, r
        api.post_messages("cfq", [{"body": {"live": 1}, "ttl": 300}])
        receiver.wait_for(1, predicate=is_notification)
        time.sleep(1.0)
        assert notification_bodies(receiver) == [{"live": 1}]
        # Confirming again (already confirmed) loses nothing posted meanwhile.
        api.post_messages("cfq", [{"body": {"live": 2}, "ttl": 300}])
        assert api.put(path, body={"confirmed": True}).status == 204
        receiver.wait_for(2, predicate=is_notification)
        assert sorted(b["live"] for b in notification_bodies(receiver)) == [1, 2]
        # Unsubscribing sends an UnsubscribeConfirmation.
        assert api.put(path, body={"confirmed": False}).status == 204
        unsub = receiver.wait_for(
            1, predicate=lambda r: r["json"].get("Message_Type") == "UnsubscribeConfirmation")
        assert unsub[0]["json"]["UnsubscribeBody"] == {"confirmed": False}
        assert api.post(f"/v2/queues/cfq/subscriptions",
                        body={"subscriber": receiver.url()}).status == 201
    finally:
        problems = st.stop()
        receiver.stop()
    assert not problems, problems


def is_notification(request):
    return request["json"].get("Message_Type") == "Notification"


def notification_bodies(receiver):
    return [p["body"] for p in receiver.payloads() if p.get("Message_Type") == "Notification"]


def test_hold_until_confirmed_option(tmp_path):
    """Beyond Zaqar: options._zaqard_hold_until_confirmed delivers what was posted while
    unconfirmed once the subscription is confirmed; it must be a boolean."""
    receiver = WebhookReceiver().start()
    st = harness.Stack(str(tmp_path), extra_config=dict(
        notify_config(require_confirmation="true"), signed_url={"secret_key": "s3cret"}))
    st.start()
    try:
        api = st.client(project="proj-h")
        r = api.post("/v2/queues/hq/subscriptions", body={
            "subscriber": receiver.url(), "options": {"_zaqard_hold_until_confirmed": "yes"}})
        assert r.status == 400, r
        assert r.json["description"] == "_zaqard_hold_until_confirmed must be a boolean.", r
        sid = subscribe(api, "hq", receiver.url(),
                        options={"_zaqard_hold_until_confirmed": True})
        receiver.wait_for(1)  # the SubscriptionConfirmation
        r = api.patch(f"/v2/queues/hq/subscriptions/{sid}",
                      body={"options": {"_zaqard_hold_until_confirmed": 1}})
        assert r.status == 400, r
        api.post_messages("hq", [{"body": {"early": 1}, "ttl": 300}])
        time.sleep(1.0)
        assert notification_bodies(receiver) == []
        assert redis_int(st, "ZCARD", "z:nh:{proj-h/hq}") == 1
        assert api.put(f"/v2/queues/hq/subscriptions/{sid}/confirm",
                       body={"confirmed": True}).status == 204
        api.post_messages("hq", [{"body": {"live": 2}, "ttl": 300}])
        receiver.wait_for(2, predicate=is_notification)
        time.sleep(0.5)
        assert sorted(notification_bodies(receiver), key=json.dumps) == [{"early": 1},
                                                                        {"live": 2}]
    finally:
        problems = st.stop()
        receiver.stop()
    assert not problems, problems


def start_zaqard(workdir, redis_port, name, claim_idle="2"):
    config = notify_config()
    config["zaqard"]["notification_claim_idle"] = claim_idle
    z = harness.ZaqardProcess(workdir, redis_port, config, name=name)
    z.start()
    return z


def test_sigkill_with_pending_retries_and_jobs(tmp_path):
    """zaqard dies (SIGKILL) with retries scheduled and jobs mid-delivery; a new process
    delivers every notification."""
    redis = harness.RedisProcess(str(tmp_path / "redis")).start()
    receiver = None
    slow = WebhookReceiver(hang_first=3, hang_seconds=4).start()
    first = start_zaqard(str(tmp_path), redis.port, "first")
    second = None
    try:
        api = harness.Client(first.base_url, project="kill-" + uuid.uuid4().hex)
        down_port = harness.free_port()
        # Retries every second, for a while: the endpoint is down at first.
        policy = {"retries_with_no_delay": 0, "minimum_delay_retries": 50, "minimum_delay": 1,
                  "maximum_delay": 11, "maximum_delay_retries": 0}
        subscribe(api, "kq", f"http://127.0.0.1:{down_port}/late", options={"_retry_policy": policy})
        subscribe(api, "kq2", slow.url("/slow"))
        api.post_messages("kq", [{"body": {"n": i}, "ttl": 300} for i in range(5)])
        api.post_messages("kq2", [{"body": {"n": i}, "ttl": 300} for i in range(3)])
        wait_until(lambda: len(slow.attempts) == 3, what="slow deliveries in flight")
        tag = "{" + api.project + "/kq}"
        wait_until(lambda: redis_int_raw(redis, "ZCARD", "z:nr:" + tag) == 5, what="5 retries")
        first.proc.kill()
        first.proc.wait()
        receiver = WebhookReceiver(port=down_port).start()
        second = start_zaqard(str(tmp_path), redis.port, "second")
        got = receiver.wait_for(5, timeout=30)
        assert sorted(r["json"]["body"]["n"] for r in got) == list(range(5))
        # The jobs the dead process held are taken over after the idle time.
        again = slow.wait_for(3, timeout=30, predicate=lambda r: r["path"] == "/slow")
        assert sorted({r["json"]["body"]["n"] for r in again}) == [0, 1, 2]
        wait_until(lambda: redis_int_raw(redis, "ZCARD", "z:nr:" + tag) == 0, what="no retries")
    finally:
        if second:
            second.stop()
        slow.stop()
        if receiver:
            receiver.stop()
        redis.stop()
    assert not second.problems(), second.problems()


def redis_int_raw(redis, *args):
    reply = redis.command(*args)
    assert reply.startswith(b":"), reply
    return int(reply[1:].strip())


def test_two_processes_share_the_work(tmp_path):
    redis = harness.RedisProcess(str(tmp_path / "redis")).start()
    receiver = WebhookReceiver().start()
    # A long claim idle time: no job is taken over from a live process, so the count of
    # deliveries is exact even on a loaded machine.
    a = start_zaqard(str(tmp_path), redis.port, "a", claim_idle="60")
    b = start_zaqard(str(tmp_path), redis.port, "b", claim_idle="60")
    try:
        project = "two-" + uuid.uuid4().hex
        ca = harness.Client(a.base_url, project=project)
        cb = harness.Client(b.base_url, project=project)
        for i in range(4):
            subscribe(ca, f"q{i}", receiver.url(f"/q{i}"))
        sent = []
        for n in range(40):
            client = ca if n % 2 else cb
            client.post_messages(f"q{n % 4}", [{"body": {"n": n}, "ttl": 300}])
            sent.append(n)
        got = receiver.wait_for(40, timeout=30)
        assert sorted(r["json"]["body"]["n"] for r in got) == sent
        time.sleep(0.5)
        assert len(receiver.requests) == 40  # no duplicates in the normal case
    finally:
        a.stop()
        b.stop()
        receiver.stop()
        redis.stop()
    assert not a.problems() and not b.problems(), a.problems() + b.problems()
    assert os.path.exists(a.stderr_path)


def test_delay_in_payload_when_the_queue_has_delays(api, receiver):
    """notifications.md §2: `delay` only with a truthy _default_message_delay; delivered
    at once anyway (Zaqar's timing)."""
    api.create_queue("dlq", {"_default_message_delay": 30})
    subscribe(api, "dlq", receiver.url())
    api.post_messages("dlq", [{"body": "later", "ttl": 120}, {"body": "x", "ttl": 120, "delay": 5}])
    got = sorted((r["json"] for r in receiver.wait_for(2)), key=lambda p: p["delay"])
    assert got[0] == {"ttl": 120, "body": "x", "delay": 5, "Message_Type": "Notification",
                      "queue_name": "dlq"}
    assert got[1]["delay"] == 30
    assert list(got[1]) == ["ttl", "body", "delay", "Message_Type", "queue_name"]


def test_mailto_confirmation_email(tmp_path, smtp):
    st = harness.Stack(str(tmp_path), extra_config=dict(
        notify_config(require_confirmation="true", smtp_mode="self_local",
                      smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_starttls="off",
                      external_confirmation_url="https://confirm.example/page"),
        signed_url={"secret_key": "s3cret"}))
    st.start()
    try:
        before = len(smtp.messages)
        api = st.client(project="proj-mail")
        sid = subscribe(api, "mcq", "mailto:someone@example.com")
        mail = smtp.wait_for(before + 1)[before]
        text = mail["data"].replace("\r\n", "\n")
        assert "subject: Zaqar Notification - Subscription Confirmation" in text
        assert "https://confirm.example/page?Signature=" in text
        assert f"subscriptions%2F{sid}%2Fconfirm" in text or f"subscriptions/{sid}/confirm" in text
        # Unconfirmed: no notification e-mail, then or later.
        api.post_messages("mcq", [{"body": {"m": 1}, "ttl": 300}])
        time.sleep(1.0)
        assert len(smtp.messages) == before + 1
        assert api.put(f"/v2/queues/mcq/subscriptions/{sid}/confirm",
                       body={"confirmed": True}).status == 204
        api.post_messages("mcq", [{"body": {"m": 2}, "ttl": 300}])
        mail = smtp.wait_for(before + 2)[before + 1]
        assert '"Message_Type": "Notification"' in mail["data"]
        assert '"m": 2' in mail["data"]
        time.sleep(1.0)
        assert len(smtp.messages) == before + 2
    finally:
        problems = st.stop()
    assert not problems, problems


def test_redis_crash_and_restart_loses_nothing(tmp_path):
    """Retries scheduled before a Redis crash (AOF, fsync always) are delivered after it
    restarts; zaqard survives the outage and keeps notifying."""
    st = harness.Stack(str(tmp_path), extra_config=notify_config(), appendonly=True)
    st.start()
    receiver = None
    try:
        api = st.client(project="outage-" + uuid.uuid4().hex)
        port = harness.free_port()
        policy = {"retries_with_no_delay": 0, "minimum_delay_retries": 50, "minimum_delay": 1,
                  "maximum_delay": 11, "maximum_delay_retries": 0}
        subscribe(api, "oq", f"http://127.0.0.1:{port}/h", options={"_retry_policy": policy})
        api.post_messages("oq", [{"body": {"n": i}, "ttl": 300} for i in range(3)])
        tag = "{" + api.project + "/oq}"
        wait_until(lambda: redis_int(st, "ZCARD", "z:nr:" + tag) == 3, what="3 retries")
        st.redis.kill()
        time.sleep(1.0)
        assert st.zaqard.proc.poll() is None
        st.redis.start()
        receiver = WebhookReceiver(port=port).start()
        got = receiver.wait_for(3, timeout=30)
        assert sorted(r["json"]["body"]["n"] for r in got) == [0, 1, 2]
        api.post_messages("oq", [{"body": {"n": 3}, "ttl": 300}])
        receiver.wait_for(4, timeout=30)
    finally:
        problems = st.stop()
        if receiver:
            receiver.stop()
    assert not problems, problems
