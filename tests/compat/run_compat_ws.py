#!/usr/bin/python3
"""Runs Zaqar 15's own v2 WebSocket API tests (Debian python3-zaqar), unmodified, over a
real websocket against a live zaqard.

How: the test modules are imported as they are. At run time the WebSocket test base
(zaqar/tests/unit/transport/websocket/base.py) gets a different setUp: instead of
bootstrapping Zaqar in-process, `self.transport.factory()` returns a protocol stand-in
(`RemoteProtocol`). Its `onMessage(payload, isBinary)` sends the payload to zaqard over
one websocket connection (python3-websocket; a binary frame when isBinary, else text),
waits for zaqard's reply frame (bounded) and hands it to `self.sendMessage(reply,
isBinary)`, so the tests' mocks of sendMessage see zaqard's real answers. Frames zaqard
pushes meanwhile (subscription notifications) are handed to sendMessage as they arrive.
zaqard's config is derived from the test's own oslo.config as run_compat.py does (the
shared pieces are in compat_common.py), plus the signed-URL secret a test sets on
`protocol.factory._secret_key`; the connection opens at the first onMessage, so that
secret is known by then.

Tests are skipped only with a written reason (SKIPS below). Exit 0 iff nothing failed.
Prints the counts and a final line `N passed, M failed`.
"""

import json
import os
import sys
import time
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import compat_common as common  # noqa: E402

import websocket  # noqa: E402  python3-websocket (websocket-client)

WS = "zaqar.tests.unit.transport.websocket."
MODULES = [
    "test_protocol", "v2.test_auth", "v2.test_claims", "v2.test_messages",
    "v2.test_queue_lifecycle", "v2.test_subscriptions",
]

REPLY_TIMEOUT = 30.0  # seconds one onMessage waits for zaqard's reply

AUTH_MOCKED = ("reaches into Zaqar internals: mocks keystonemiddleware's AuthProtocol so "
               "the authenticate never completes, then ")
SUBSCRIPTION_STORE = ("reaches into Zaqar internals: reads or writes subscriptions through "
                      "self.boot.storage.subscription_controller")

# (fnmatch pattern on the test id, reason). First match wins.
SKIPS = [
    (WS + "test_protocol.*.test_ipv6_escaped",
     "reaches into Zaqar internals: mocks zaqar's ProtocolFactory and checks the URL "
     "Zaqar's transport builds from its bind option"),
    (WS + "v2.test_auth.AuthTest.test_post",
     AUTH_MOCKED + "drives protocol._auth_start and mocks _handler.process_request"),
    (WS + "v2.test_auth.AuthTest.test_different_project",
     AUTH_MOCKED + "expects no reply to it at all (a real Keystone answers it)"),
    (WS + "v2.test_auth.AuthTest.test_post_between_auth",
     AUTH_MOCKED + "expects no reply to it at all (a real Keystone answers it)"),
    (WS + "v2.test_auth.AuthTest.test_failed_auth",
     "reaches into Zaqar internals: calls protocol._auth_response and sets _auth_in_binary"),
    (WS + "v2.test_auth.AuthTest.test_reauth",
     AUTH_MOCKED + "calls protocol._auth_start and compares _deauth_handle"),
    (WS + "v2.test_auth.AuthTest.test_reauth_after_auth_failure",
     AUTH_MOCKED + "calls protocol._auth_response and reads _auth_app"),
    (WS + "v2.test_auth.AuthTest.test_auth_response_serialization_format*",
     AUTH_MOCKED + "reads protocol._auth_in_binary and calls _auth_response"),
    (WS + "v2.test_subscriptions.*.test_subscription_create",
     "reaches into Zaqar internals: installs a NotificationFactory on protocol._handler "
     "and reads the stored subscription through self.boot.storage"),
    (WS + "v2.test_subscriptions.*.test_subscription_create_no_queue",
     "reaches into Zaqar internals: installs a NotificationFactory on protocol._handler "
     "and reads the stored subscription through self.boot.storage"),
    (WS + "v2.test_subscriptions.*.test_subscription_create_trust",
     "reaches into Zaqar internals: mocks auth.create_trust_id and sets "
     "protocol._auth_env (trust+ not supported yet)"),
    (WS + "v2.test_subscriptions.*.test_subscription_delete", SUBSCRIPTION_STORE),
    (WS + "v2.test_subscriptions.*.test_subscription_get", SUBSCRIPTION_STORE),
    (WS + "v2.test_subscriptions.*.test_subscription_list", SUBSCRIPTION_STORE),
    (WS + "v2.test_subscriptions.*.test_subscription_sustainable_notifications_format",
     "reaches into Zaqar internals: mocks requests.post to catch the webhook Zaqar's "
     "notifier sends to its own listener and replays it through NotificationFactory"),
    (WS + "v2.test_subscriptions.*.test_list_returns_503_on_nopoolfound_exception",
     "reaches into Zaqar internals: mocks the subscription controller's list"),
    (WS + "v2.test_queue_lifecycle.*.test_list_returns_503_on_nopoolfound_exception",
     "reaches into Zaqar internals: mocks self.boot.storage.queue_controller.list"),
]


def is_notification(payload, binary):
    """A frame zaqard pushed by itself (a subscription's notification), not a reply."""
    try:
        if binary:
            import msgpack
            doc = msgpack.unpackb(payload, raw=False)
        else:
            doc = json.loads(payload)
    except Exception:
        return False
    return isinstance(doc, dict) and doc.get("Message_Type") == "Notification"


class RemoteProtocol:
    """Zaqar's MessagingProtocol as the tests use it, but zaqard answers."""

    def __init__(self, test):
        self.test = test
        # Tests set `factory._secret_key` (the signed-URL secret) before the first frame.
        self.factory = types.SimpleNamespace()
        self._ws = None

    def sendMessage(self, payload, isBinary=False):  # noqa: N802  (the tests mock it)
        pass

    def onMessage(self, payload, isBinary):  # noqa: N802
        if self._ws is None:
            secret = getattr(self.factory, "_secret_key", None)
            z = common.SERVERS.get(common.zaqard_key(self.test, secret_key=secret))
            self._ws = websocket.create_connection(z.ws_url, timeout=REPLY_TIMEOUT)
        if isBinary:
            self._ws.send_binary(payload if isinstance(payload, bytes) else payload.encode())
        else:
            self._ws.send(payload if isinstance(payload, str) else payload.decode())
        deadline = time.monotonic() + REPLY_TIMEOUT
        while True:  # bounded: every recv times out by the deadline
            self._ws.settimeout(max(0.1, deadline - time.monotonic()))
            opcode, data = self._ws.recv_data()
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                raise AssertionError(f"zaqard closed the websocket: {data!r}")
            binary = opcode == websocket.ABNF.OPCODE_BINARY
            reply = data if binary else data.decode("utf-8")
            self.sendMessage(reply, binary)
            if not is_notification(data, binary):
                return
            if time.monotonic() > deadline:
                raise AssertionError("no reply from zaqard within the timeout")

    def onClose(self, wasClean, code, reason):  # noqa: N802
        self.close()

    def close(self):
        if self._ws is not None:
            self._ws.close()
            self._ws = None


class DefaultsApi:
    """`self.api` of the tests: they only ask it for the configured resource defaults
    (claim ttl/grace, ...), which zaqard is given from the same conf."""

    def __init__(self, boot):
        self._defaults = boot.transport._defaults

    def get_defaults(self):
        return self._defaults


class RemoteTransport:
    """`self.transport` of the tests: its factory makes protocol stand-ins."""

    def __init__(self, test):
        self.test = test

    def factory(self):
        protocol = RemoteProtocol(self.test)
        self.test.addCleanup(protocol.close)
        return protocol


def install():
    """Replaces the in-process bootstrap of the WebSocket test base with zaqard."""
    from zaqar.conf import drivers_transport_websocket
    from zaqar.tests.unit.transport.websocket import base
    # test_protocol decorates with mock.patch.object(zaqar.transport.websocket.factory,
    # ...) at import time; Zaqar's own runs have imported it through bootstrap by then.
    import zaqar.transport.websocket.factory  # noqa: F401

    def setUp(self):
        self.ws_cfg = common.begin_test_setup(self, SKIPS, drivers_transport_websocket)
        self.boot = common.FakeBoot(self.conf)
        self.transport = RemoteTransport(self)
        self.api = DefaultsApi(self.boot)
        common.SERVERS.flush()

    base.TestBase.setUp = setUp


def main():
    install()
    return common.run("zaqar v2 websocket compat suite against zaqard",
                      [WS + m for m in MODULES], sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
