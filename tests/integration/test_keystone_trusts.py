"""trust+http subscriptions against a real Keystone (docs/security.md "Trust
subscriptions"): at create, a trust from the caller to the [trustee] user; at delivery, a
trust-scoped token as X-Auth-Token (checked here with Keystone by the receiver, as the
receiving OpenStack service would); a deleted trust dead-letters the delivery with the
reason; the same for a subscription created over WebSocket. Also two projects' tokens
over WebSocket (REST isolation: test_keystone.py)."""

import json
import threading
import time
import uuid

import pytest

import keystone_server
import zaqard_harness as harness
from test_keystone import client, keystone_stack, ws_authenticate
from ws_client import WsClient

TRUSTEE = "zaqar-trustee"
TRUSTEE_PASSWORD = "trustee-" + uuid.uuid4().hex[:8]
FAST = {"retries_with_no_delay": 1, "minimum_delay_retries": 0, "maximum_delay_retries": 0,
        "minimum_delay": 0, "maximum_delay": 10, "retry_backoff_function": "geometric"}


@pytest.fixture(scope="module")
def keystone(real_keystone):
    if "user:" + TRUSTEE not in real_keystone.ids:
        real_keystone.ids["user:" + TRUSTEE] = real_keystone._create_user(TRUSTEE,
                                                                           TRUSTEE_PASSWORD)
    return real_keystone


@pytest.fixture(scope="module")
def stack(tmp_path_factory, keystone):
    yield from keystone_stack(str(tmp_path_factory.mktemp("trusts")), extra_config={
        "DEFAULT": {"auth_strategy": "keystone"},
        "keystone_authtoken": keystone.authtoken_config(keystone.url),
        "trustee": {"auth_url": keystone.url, "auth_type": "password", "username": TRUSTEE,
                    "password": TRUSTEE_PASSWORD, "user_domain_name": "Default"},
        "storage": {"message_pipeline": "zaqar.notification.notifier"},
        # One shard: the trust-token cache is per shard, and the test counts logins.
        "zaqard": {"notification_poll_interval": "0.2", "shards": "1"},
    })


class KeystoneCheckingReceiver:
    """A webhook receiver that validates each X-Auth-Token with Keystone (as admin) and
    answers 401 to a token Keystone does not accept; records the validated documents."""

    def __init__(self, keystone):
        self.keystone = keystone
        self.deliveries = []  # (payload, token, token document)
        self.refused = 0
        self.cond = threading.Condition()
        receiver = self

        class Handler(harness.QuietHttpHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                token = self.headers.get("X-Auth-Token")
                doc = None
                if token:
                    try:
                        doc = receiver.keystone.call(
                            "GET", "/auth/tokens", token=receiver.keystone.admin_token(),
                            headers={"X-Subject-Token": token})[2]["token"]
                    except keystone_server.KeystoneError:
                        doc = None
                with receiver.cond:
                    if doc is None:
                        receiver.refused += 1
                    else:
                        receiver.deliveries.append((json.loads(body), token, doc))
                    receiver.cond.notify_all()
                self.send_response(200 if doc else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = harness.serve_http_in_thread(0, Handler)
        self.port = self.server.server_address[1]

    def url(self, path="/hook"):
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_for(self, count, timeout=20.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.deliveries) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"{len(self.deliveries)} deliveries, {self.refused} refused"
                self.cond.wait(left)
            return list(self.deliveries)

    def stop(self):
        harness.stop_http_server(self.server)


def dead_letter_entries(stack, project, queue):
    return stack.redis.command("XRANGE", "z:nd:{" + project + "/" + queue + "}", "-", "+")


def test_trust_subscription_delivers_a_trust_scoped_token_until_the_trust_is_deleted(
        stack, keystone):
    receiver = KeystoneCheckingReceiver(keystone)
    try:
        project = keystone.new_project()
        token = keystone.token(project)
        c = client(stack, token)
        r = c.post("/v2/queues/tq/subscriptions", body={
            "subscriber": "trust+" + receiver.url(), "ttl": 3600,
            "options": {"_retry_policy": FAST, "trust_id": "forged"}})
        assert r.status == 201, r
        sid = r.json["subscription_id"]
        r = c.get(f"/v2/queues/tq/subscriptions/{sid}")
        trust_id = r.json["options"]["trust_id"]
        assert trust_id != "forged"  # a client's trust_id is never used
        trust = keystone.admin("GET", f"/OS-TRUST/trusts/{trust_id}")["trust"]
        assert trust["trustor_user_id"] == keystone.ids["user:demo-member"]
        assert trust["trustee_user_id"] == keystone.ids["user:" + TRUSTEE]
        assert trust["project_id"] == project and trust["impersonation"] is True

        r = c.post("/v2/queues/tq/messages", body={"messages": [{"body": {"n": 1}, "ttl": 300}]})
        assert r.status == 201, r
        payload, sent, doc = receiver.wait_for(1)[0]
        assert payload["body"] == {"n": 1}
        assert sent != token
        assert doc["OS-TRUST:trust"]["id"] == trust_id
        assert doc["project"]["id"] == project
        assert doc["user"]["id"] == keystone.ids["user:demo-member"]  # impersonation

        # Cached: a second message reuses the token (no new trust-scoped login).
        logins = keystone.requests("POST", "/v3/auth/tokens")
        c.post("/v2/queues/tq/messages", body={"messages": [{"body": {"n": 2}, "ttl": 300}]})
        assert receiver.wait_for(2)[1][1] == sent
        assert keystone.requests("POST", "/v3/auth/tokens") == logins

        # The trustor deletes the trust: its tokens are revoked, a new one is refused.
        keystone.call("DELETE", f"/OS-TRUST/trusts/{trust_id}", token=token)
        c.post("/v2/queues/tq/messages", body={"messages": [{"body": {"n": 3}, "ttl": 300}]})
        deadline = time.monotonic() + 20
        while b"trust" not in dead_letter_entries(stack, project, "tq"):
            assert time.monotonic() < deadline, stack.zaqard.stderr_text()[-2000:]
            time.sleep(0.2)
        entries = dead_letter_entries(stack, project, "tq")
        assert f"Keystone refused a token for trust {trust_id}".encode() in entries
        assert len(receiver.deliveries) == 2
    finally:
        receiver.stop()


def test_trust_subscription_created_over_websocket_is_delivered_with_a_trust_token(
        stack, keystone):
    """The WebSocket frames carry no token (it went once, in `authenticate`): zaqard uses
    the connection's validated token to create the trust (it answered 503 before)."""
    receiver = KeystoneCheckingReceiver(keystone)
    project = keystone.new_project()
    token = keystone.token(project)
    ws = WsClient(stack.zaqard.ws_url, project=project)
    try:
        assert ws_authenticate(ws, token, project)["headers"]["status"] == 200
        # A token sent in the frame itself is not the one used (never validated).
        frame_headers = ws.headers(**{"X-Auth-Token": "not-a-token"})
        status, body = ws.status_body("subscription_create", {
            "queue_name": "wsq", "subscriber": "trust+" + receiver.url(), "ttl": 3600,
            "options": {"_retry_policy": FAST}}, headers=frame_headers)
        assert status == 201, body
        sid = body["subscription_id"]
        status, body = ws.status_body("subscription_get",
                                      {"queue_name": "wsq", "subscription_id": sid})
        assert status == 200, body
        trust_id = body["options"]["trust_id"]
        trust = keystone.admin("GET", f"/OS-TRUST/trusts/{trust_id}")["trust"]
        assert trust["trustor_user_id"] == keystone.ids["user:demo-member"]
        assert trust["trustee_user_id"] == keystone.ids["user:" + TRUSTEE]
        assert trust["project_id"] == project and trust["impersonation"] is True

        status, _ = ws.status_body("message_post", {
            "queue_name": "wsq", "messages": [{"body": {"over": "ws"}, "ttl": 300}]})
        assert status == 201
        payload, sent, doc = receiver.wait_for(1)[0]
        assert payload["body"] == {"over": "ws"}
        assert sent != token
        assert doc["OS-TRUST:trust"]["id"] == trust_id
        assert doc["project"]["id"] == project
        assert doc["user"]["id"] == keystone.ids["user:demo-member"]
    finally:
        ws.close()
        receiver.stop()


def test_plain_webhooks_get_no_token(stack, keystone):
    from notify_helpers import WebhookReceiver
    receiver = WebhookReceiver().start()
    try:
        c = client(stack, keystone.token(keystone.new_project()))
        assert c.post("/v2/queues/pq/subscriptions",
                      body={"subscriber": receiver.url(), "ttl": 600}).status == 201
        c.post("/v2/queues/pq/messages", body={"messages": [{"body": 1, "ttl": 60}]})
        got = receiver.wait_for(1)[0]
        assert "X-Auth-Token" not in got["headers"]
    finally:
        receiver.stop()


def test_two_projects_never_see_each_other_over_websocket(stack, keystone):
    a, b = keystone.new_project(), keystone.new_project()
    wa = WsClient(stack.zaqard.ws_url, project=a)
    wb = WsClient(stack.zaqard.ws_url, project=b)
    try:
        ws_authenticate(wa, keystone.token(a), a)
        # b authenticates but claims a's project in its frames: the token's project wins.
        ws_authenticate(wb, keystone.token(b), b)
        assert wa.status_body("queue_create", {"queue_name": "shared"})[0] == 201
        status, _ = wa.status_body("message_post", {
            "queue_name": "shared", "messages": [{"body": "for a only", "ttl": 60}]})
        assert status == 201
        frame = wb.frame("message_list", {"queue_name": "shared", "echo": True},
                         headers=wb.headers(**{"X-Project-ID": a}))
        wb.send(frame)
        reply, _ = wb.recv()
        assert (reply["headers"]["status"], reply["body"]) == (403, {"error": "Not authenticated."})
        status, body = wb.status_body("message_list", {"queue_name": "shared", "echo": True})
        assert status == 200 and body["messages"] == []
        status, body = wb.status_body("queue_list", {})
        assert status == 200 and body["queues"] == []
        status, body = wa.status_body("message_list", {"queue_name": "shared", "echo": True})
        assert [m["body"] for m in body["messages"]] == ["for a only"]
    finally:
        wa.close()
        wb.close()
