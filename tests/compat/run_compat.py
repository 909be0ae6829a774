#!/usr/bin/python3
"""Runs Zaqar 15's own v2 WSGI API tests (Debian python3-zaqar), unmodified, over real
HTTP against a live zaqard.

How: the test modules are imported as they are. At run time the WSGI test base
(zaqar/tests/unit/transport/wsgi/base.py) gets a different setUp: instead of
bootstrapping Zaqar in-process, `self.app` becomes a WSGI callable that forwards the
environ Falcon's test helpers build (so `simulate_request` & co. and direct
`self.app(env, srmock)` calls keep working) to a zaqard over HTTP and hands the real
status, headers and body back. zaqard's config is derived from the test's own oslo.config
(the limits of Zaqar's test config files, tests/compat/etc/, plus any `set_override` the
test makes), one zaqard per distinct config, all on one private redis-server that is
flushed before every test (Zaqar's teardowns drop their Mongo databases).
"Faulty driver" classes get a zaqard whose Redis port has nobody listening.

Tests are skipped only with a written reason (SKIPS below). Exit 0 iff nothing failed.
Prints the counts and a final line `N passed, M failed`.
"""

import http.client
import os
import socket
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import compat_common as common  # noqa: E402

V2 = "zaqar.tests.unit.transport.wsgi.v2_0."
MODULES = [
    "test_auth", "test_claims", "test_default_limits", "test_flavors_new", "test_health",
    "test_home", "test_media_type", "test_messages", "test_ping", "test_pools_new",
    "test_purge", "test_queue_lifecycle", "test_subscriptions", "test_topic_lifecycle",
    "test_urls", "test_validation",
]

# (fnmatch pattern on the test id, reason). First match wins.
SKIPS = [
    (V2 + "test_auth.TestAuth.test_auth_install",
     "reaches into Zaqar internals: asserts the WSGI app wraps keystonemiddleware's "
     "AuthProtocol"),
    (V2 + "test_pools_new.*.test_put_capabilities_mismatch_pool",
     "mixes a MongoDB and a Redis pool in one flavor; every zaqard pool is Redis, so "
     "capabilities never differ"),
    (V2 + "test_subscriptions.*.test_create_and_send_notification",
     "reaches into Zaqar internals: mocks NotifierDriver.post and counts its calls"),
    (V2 + "test_subscriptions.*.test_recreate*",
     "reaches into Zaqar internals: counts calls of a mocked send_confirm_notification"),
    (V2 + "test_subscriptions.*.test_create_with_trust",
     "reaches into Zaqar internals: mocks Keystone trust creation (trust+ not supported yet)"),
    (V2 + "test_subscriptions.*.test_list_returns_503_on_nopoolfound_exception",
     "reaches into Zaqar internals: mocks the subscription controller's list"),
    (V2 + "test_topic_lifecycle.TestTopicLifecycleMongoDB.test_list_returns_503_on_nopoolfound_exception",
     "reaches into Zaqar internals: mocks self.boot.storage.topic_controller.list"),
    (V2 + "test_health.TestHealthMongoDB.test_message_volume",
     "reaches into Zaqar internals: mocks mongo DataDriver._health"),
    (V2 + "test_health.TestHealthMongoDB.test_operation_status",
     "reaches into Zaqar internals: mocks mongo MessageController.delete"),
    (V2 + "test_queue_lifecycle.TestQueueLifecycleMongoDB.test_list_returns_503_on_nopoolfound_exception",
     "reaches into Zaqar internals: mocks self.boot.storage.queue_controller.list"),
    (V2 + "test_messages.TestMessagesFaultyDriver.test_simple",
     "reaches into Zaqar internals: expects the 500 that Zaqar's faulty test driver's "
     "NotImplementedError produces on post; with storage down the contract is 503"),
]

class RemoteApp:
    """A WSGI app that is really zaqard over HTTP."""

    def __init__(self, test):
        self.test = test

    def __call__(self, env, start_response):
        z = common.SERVERS.get(common.zaqard_key(self.test))
        method = env["REQUEST_METHOD"]
        # PATH_INFO is decoded text (latin-1 code points of UTF-8 bytes per PEP 3333)
        raw_path = env.get("PATH_INFO", "/").encode("latin-1")
        path = urllib.parse.quote(raw_path, safe="/:@!$&'()*+,;=-._~")
        query = env.get("QUERY_STRING", "")
        if query:
            path += "?" + urllib.parse.quote(query, safe="/:@!$&'()*+,;=-._~?%")
        headers = {}
        for k, v in env.items():
            if k.startswith("HTTP_") and k not in ("HTTP_HOST",):
                headers[k[5:].replace("_", "-").title()] = v
        if env.get("CONTENT_TYPE"):
            headers["Content-Type"] = env["CONTENT_TYPE"]
        body = None
        length = env.get("CONTENT_LENGTH")
        if length:
            body = env["wsgi.input"].read(int(length))
        data_out = [f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{z.port}\r\n"
                    "Connection: close\r\n"]
        for k, v in headers.items():
            data_out.append(f"{k}: {v}\r\n")
        if body is not None:
            data_out.append(f"Content-Length: {len(body)}\r\n")
        raw = "".join(data_out).encode("latin-1") + b"\r\n" + (body or b"")
        sock = socket.create_connection(("127.0.0.1", z.port), timeout=60)
        try:
            try:
                sock.sendall(raw)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered early (e.g. body too large): read that answer
            resp = http.client.HTTPResponse(sock, method=method)
            resp.begin()
            data = resp.read()
            status = f"{resp.status} {resp.reason}"
            try:
                import falcon
                status = falcon.code_to_http_status(resp.status)
            except Exception:
                pass
            start_response(status, [(k.lower(), v) for k, v in resp.getheaders()])
            return [data] if data else []
        finally:
            sock.close()


def install():
    """Replaces the in-process bootstrap of the WSGI test base with zaqard."""
    from falcon import testing as ftest
    from oslo_utils import uuidutils

    from zaqar.conf import drivers_transport_wsgi
    from zaqar.tests.unit.transport.wsgi import base

    def setUp(self):
        self.wsgi_cfg = common.begin_test_setup(self, SKIPS, drivers_transport_wsgi)
        # The pool tests register pools at mongodb_url + "/<something>" (not through
        # ZAQAR_TEST_MONGODB_URL: that rewrites the test's config file to a temporary one).
        self.mongodb_url = common.SERVERS.redis_url()
        if self.conf.pooling:
            # Pooled tests register a pool at the management store's URI (Zaqar's bootstrap
            # registered that group): here, the shared Redis.
            from zaqar.conf import drivers_management_store_mongodb as management
            self.conf.register_opts(management.ALL_OPTS, group=management.GROUP_NAME)
            self.conf.set_override("uri", self.mongodb_url, group=management.GROUP_NAME)
        self.boot = common.FakeBoot(self.conf)
        self.app = RemoteApp(self)
        self.srmock = ftest.StartResponseMock()
        self.headers = {
            "Client-ID": uuidutils.generate_uuid(),
            "X-ROLES": "admin",
            "X-USER-ID": "a12d157c7d0d41999096639078fd11fc",
            "X-TENANT-ID": "abb69142168841fcaa2785791b92467f",
        }
        common.SERVERS.flush()

    base.TestBase.setUp = setUp


def main():
    install()
    return common.run("zaqar v2 compat suite against zaqard", [V2 + m for m in MODULES],
                      sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
