"""What the runners of Zaqar's own v2 tests against zaqard share (run_compat.py: the
WSGI tests over HTTP, run_compat_ws.py: the WebSocket tests over a real websocket).

- the environment Zaqar's test bases read (configs from tests/compat/etc, the
  requires_mongodb decorator satisfied);
- `Servers`: one private redis-server (flushed before every test) and one zaqard per
  distinct config, started lazily and kept for the whole run;
- `zaqard_key`: the zaqard config a test needs, derived from the test's own oslo.config;
- `FakeBoot`: what the tests' teardowns touch of Zaqar's bootstrap;
- `run`: loads the modules, applies the SKIPS (every skip has a written reason), runs
  them and prints the counts and a final line `N passed, M failed`.
"""

import fnmatch
import importlib
import io
import os
import shutil
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
os.environ.setdefault("ZAQAR_TEST_MONGODB", "1")  # the tests are decorated requires_mongodb
os.environ["ZAQAR_TESTS_CONFIGS_DIR"] = os.path.join(HERE, "etc")

import zaqard_harness as harness  # noqa: E402


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

# Test config files whose zaqard gets a Redis port nobody listens on ("faulty storage").
FAULTY_CONFIGS = ("wsgi_faulty.conf",)

SERVERS = None  # the run's Servers, set by run()


def skip_reason(test_id, skips):
    """skips: [(fnmatch pattern on the test id, reason)]; first match wins."""
    for pattern, reason in skips:
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

    def redis_url(self):
        """The shared Redis as a pool URI (what the pool tests get as mongodb_url)."""
        return f"redis://127.0.0.1:{self.shared_redis().port}"

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


def zaqard_key(test, secret_key=None):
    """The zaqard config (hashable) for `test`: its transport limits, signed-URL secret
    (`secret_key` overrides the conf's), checksum and auth options."""
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
    if secret_key is None:
        try:
            secret_key = conf["signed_url"]["secret_key"]
        except Exception:
            secret_key = None
    if secret_key:
        options.append((("signed_url", "secret_key"), secret_key))
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
    faulty = os.path.basename(test.config_file or "") in FAULTY_CONFIGS
    return (faulty, tuple(sorted(options)))


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
        topics_database = "topics"  # test_topic_lifecycle's teardown drops it

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


def run(title, module_names, argv):
    """Runs the tests of `module_names` (the test bases already replaced) against zaqard.
    argv: substrings selecting test ids; `-q` hides the per-test lines. Returns the exit
    code: 0 iff nothing failed."""
    global SERVERS
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    for name in module_names:
        module = importlib.import_module(name)
        suite.addTests(loader.loadTestsFromModule(module))
    only = [a for a in argv if not a.startswith("-")]
    if only:
        suite = unittest.TestSuite(t for t in iter_tests(suite)
                                   if any(fnmatch.fnmatchcase(t.id(), "*" + o + "*")
                                          for o in only))

    workdir = tempfile.mkdtemp(prefix="zaqard-compat-")
    SERVERS = Servers(workdir)
    stream = io.StringIO() if "-q" in argv else sys.stdout
    runner = unittest.TextTestRunner(stream=stream, verbosity=2, resultclass=CountingResult)
    try:
        result = runner.run(suite)
    finally:
        problems = SERVERS.stop()

    failed = [(t.id(), tb) for t, tb in result.failures + result.errors]
    failed += [(t.id(), "unexpected success") for t in result.unexpectedSuccesses]
    skipped = result.skipped
    print(f"\n==== {title} ====")
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


def begin_test_setup(test, skips, driver_opts):
    """What the setUp of Zaqar's WSGI and WebSocket test bases both do before they
    bootstrap: skip by reason, the plain TestBase setUp, the options they register
    (`driver_opts`: zaqar.conf.drivers_transport_wsgi or ..._websocket), and the
    unreliable/admin_mode overrides. Returns the transport driver's option group."""
    from zaqar import tests as testing
    from zaqar.conf import default
    from zaqar.conf import transport

    reason = skip_reason(test.id(), skips)
    if reason:
        test.skipTest(reason)
    testing.TestBase.setUp(test)
    if not test.config_file:
        test.skipTest("No config specified")
    test.conf.register_opts(default.ALL_OPTS)
    test.conf.register_opts(transport.ALL_OPTS, group=transport.GROUP_NAME)
    test.transport_cfg = test.conf[transport.GROUP_NAME]
    test.conf.register_opts(driver_opts.ALL_OPTS, group=driver_opts.GROUP_NAME)
    test.conf.unreliable = True
    test.conf.admin_mode = True  # zaqard's test configs set admin_mode too
    return test.conf[driver_opts.GROUP_NAME]
