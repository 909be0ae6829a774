"""GET /metrics: real traffic (REST posts, a 404, a WebSocket connection, a webhook
notification) moves the Prometheus counters by the right amounts; the exposition passes
`promtool check metrics`; and the real Debian Prometheus server, scraping zaqard on
loopback, reads the same values back through its HTTP query API."""

import json
import os
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
import uuid

import pytest

import zaqard_harness as harness
from notify_helpers import WebhookReceiver
from ws_client import WsClient

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    yield from harness.running_stack(
        str(tmp_path_factory.mktemp("metrics")),
        extra_config={"storage": {"message_pipeline": "zaqar.notification.notifier"},
                      "zaqard": {"notification_poll_interval": "0.2"}})


def scrape_text(stack, headers=None):
    r = harness.Client(stack.base_url).get("/metrics", headers=headers)
    assert r.status == 200, r
    assert r.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8"
    return r.body.decode("utf-8")


def parse(text):
    """{(name, frozenset(labels)): value} of every sample."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, f"not a sample line: {line!r}"
        labels = frozenset(LABEL.findall(m.group(2) or ""))
        samples[(m.group(1), labels)] = float(m.group(3))
    return samples


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0.0)


def wait_until(what, predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        got = predicate()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_metrics_needs_no_project_headers_and_is_not_json(stack):
    anonymous = harness.Client(stack.base_url)
    r = anonymous.request("GET", "/metrics", headers={"Client-ID": None, "X-Project-ID": None})
    assert r.status == 200, r
    assert b"# TYPE zaqard_requests_total counter" in r.body
    # Prometheus asks for text/plain;version=0.0.4 among others; JSON-only clients get 406.
    assert anonymous.get("/metrics", headers={"Accept": "text/plain"}).status == 200
    assert anonymous.get("/metrics", headers={"Accept": "application/json"}).status == 406
    assert anonymous.post("/metrics", body={}).status == 405


def test_traffic_moves_the_counters(stack, api):
    before = parse(scrape_text(stack))
    receiver = WebhookReceiver().start()
    try:
        assert api.post("/v2/queues/mq/subscriptions",
                        body={"subscriber": receiver.url(), "ttl": 3600}).status == 201
        for i in range(3):
            api.post_messages("mq", [{"body": i, "ttl": 300}])
        assert api.get("/v2/no/such/path").status == 404
        assert api.get("/v2/queues/mq/messages/" + "a" * 24).status == 404
        ws = WsClient(stack.zaqard.ws_url, project=api.project)
        try:
            status, _ = ws.status_body("queue_list")
            assert status == 200
            during = parse(scrape_text(stack))
            assert value(during, "zaqard_connections_open", transport="websocket") == \
                value(before, "zaqard_connections_open", transport="websocket") + 1
        finally:
            ws.close()
        receiver.wait_for(3)
    finally:
        receiver.stop()

    def delivered():
        now = parse(scrape_text(stack))
        kind = {"kind": "webhook"}
        return now if value(now, "zaqard_notification_deliveries_total", outcome="delivered",
                            **kind) >= value(before, "zaqard_notification_deliveries_total",
                                             outcome="delivered", **kind) + 3 else None
    after = wait_until("3 webhook deliveries counted", delivered)
    after = wait_until("the WebSocket connection counted closed", lambda: (
        lambda s: s if value(s, "zaqard_connections_open", transport="websocket") ==
        value(before, "zaqard_connections_open", transport="websocket") else None)(
            parse(scrape_text(stack))))

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    rest = {"transport": "rest"}
    assert delta("zaqard_requests_total", action="message_post", status_class="2xx", **rest) == 3
    assert delta("zaqard_request_duration_seconds_count", action="message_post", **rest) == 3
    assert delta("zaqard_request_duration_seconds_bucket", action="message_post", le="+Inf",
                 **rest) == 3
    assert delta("zaqard_requests_total", action="subscription_create", status_class="2xx",
                 **rest) == 1
    assert delta("zaqard_requests_total", action="unrouted", status_class="4xx", **rest) == 1
    assert delta("zaqard_requests_total", action="message_get", status_class="4xx", **rest) == 1
    assert delta("zaqard_requests_total", transport="websocket", action="queue_list",
                 status_class="2xx") == 1
    assert delta("zaqard_connections_total", transport="websocket") == 1
    assert delta("zaqard_connections_total", transport="rest") >= 1
    assert delta("zaqard_notification_deliveries_total", kind="webhook", outcome="delivered") == 3
    assert delta("zaqard_notification_deliveries_total", kind="webhook", outcome="retried") == 0
    assert delta("zaqard_notification_delivery_lag_seconds_count", kind="webhook") == 3
    node = f"127.0.0.1:{stack.redis.port}"
    # Every post is one FCALL at least; the notifier reads and acknowledges its stream.
    assert delta("zaqard_redis_command_duration_seconds_count", store="message", node=node) >= 6
    assert value(after, "zaqard_redis_command_errors_total", store="message", node=node,
                 kind="unavailable") == 0
    # The scrape itself is in flight while it renders.
    assert value(after, "zaqard_requests_in_flight") == 1
    assert value(after, "process_resident_memory_bytes") > 1e6
    assert value(after, "process_cpu_seconds_total") > 0
    assert value(after, "process_open_fds") > 5
    assert value(after, "process_start_time_seconds") > time.time() - 3600
    turns = [v for (name, labels), v in after.items() if name == "zaqard_loop_turns_total"]
    assert len(turns) == 2 and all(v > 0 for v in turns)  # two shards


def test_promtool_accepts_the_exposition(stack, api):
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: scripts/install-deps.sh installs prometheus"
    api.post_messages("pq", [{"body": 1, "ttl": 60}])
    text = scrape_text(stack)
    r = subprocess.run([promtool, "check", "metrics"], input=text.encode(),
                       capture_output=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip() == b"" and r.stderr.strip() == b"", r.stdout + r.stderr


def prometheus_query(port, query):
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": query})
    with urllib.request.urlopen(url, timeout=5) as reply:
        body = json.loads(reply.read().decode())
    assert body["status"] == "success", body
    return body["data"]["result"]


def test_prometheus_server_scrapes_zaqard(stack, api, tmp_path):
    binary = shutil.which("prometheus")
    assert binary, "prometheus is missing: scripts/install-deps.sh installs it"
    queue = "prom-" + uuid.uuid4().hex[:8]
    for i in range(5):
        api.post_messages(queue, [{"body": i, "ttl": 60}])
    expected = value(parse(scrape_text(stack)), "zaqard_requests_total", transport="rest",
                     action="message_post", status_class="2xx")
    assert expected >= 5

    port = harness.free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
        "scrape_configs:\n  - job_name: zaqard\n    metrics_path: /metrics\n"
        f"    static_configs:\n      - targets: ['127.0.0.1:{stack.zaqard.port}']\n")
    log = open(tmp_path / "prometheus.log", "wb")
    proc = subprocess.Popen(
        [binary, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'data'}",
         f"--web.listen-address=127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT)
    log.close()
    try:
        def target_up():
            assert proc.poll() is None, (tmp_path / "prometheus.log").read_text()[-3000:]
            try:
                result = prometheus_query(port, 'up{job="zaqard"}')
            except OSError:
                return None
            return result if result and result[0]["value"][1] == "1" else None
        wait_until("Prometheus scraping zaqard (up == 1)", target_up, timeout=60)

        query = ('sum(zaqard_requests_total{job="zaqard",transport="rest",'
                 'action="message_post",status_class="2xx"})')

        def posts_seen():
            result = prometheus_query(port, query)
            return result if result and float(result[0]["value"][1]) >= expected else None
        result = wait_until("Prometheus reading the post counter", posts_seen, timeout=60)
        # Nothing else posts meanwhile: the scraped counter is exactly what zaqard said.
        assert float(result[0]["value"][1]) == expected

        # A histogram and a process metric, through PromQL.
        count = prometheus_query(
            port, 'sum(zaqard_request_duration_seconds_count{action="message_post"})')
        assert float(count[0]["value"][1]) == expected
        rss = prometheus_query(port, 'process_resident_memory_bytes{job="zaqard"}')
        assert float(rss[0]["value"][1]) > 1e6
        shards = prometheus_query(port, 'count(zaqard_loop_turns_total{job="zaqard"})')
        assert shards[0]["value"][1] == "2"
    finally:
        harness._stop_pid(proc)


def queue_gauges(samples, project):
    """{(queue, state): value} of zaqard_queue_messages for `project`, plus
    {(queue, "oldest"): age} from zaqard_queue_oldest_message_age_seconds."""
    out = {}
    for (name, labels), v in samples.items():
        labels = dict(labels)
        if labels.get("project") != project:
            continue
        if name == "zaqard_queue_messages":
            out[(labels["queue"], labels["state"])] = v
        elif name == "zaqard_queue_oldest_message_age_seconds":
            out[(labels["queue"], "oldest")] = v
    return out


def test_busiest_queues_get_gauges(stack, api):
    for queue, posts in (("hot", 4), ("warm", 2)):
        for i in range(posts):
            api.post_messages(queue, [{"body": i, "ttl": 300}, {"body": -i, "ttl": 300}])
    r = api.post("/v2/queues/hot/claims", body={"ttl": 60, "grace": 60}, params={"limit": 3})
    assert r.status == 201, r
    time.sleep(1.1)  # the oldest message is a whole second old
    gauges = queue_gauges(parse(scrape_text(stack)), api.project)
    assert gauges[("hot", "free")] == 5 and gauges[("hot", "claimed")] == 3
    assert gauges[("warm", "free")] == 4 and gauges[("warm", "claimed")] == 0
    assert gauges[("hot", "oldest")] >= 1 and gauges[("warm", "oldest")] >= 1
    # A queue emptied and deleted leaves the gauges (its stats read as empty or unknown).
    assert api.delete("/v2/queues/warm").status == 204
    gauges = queue_gauges(parse(scrape_text(stack)), api.project)
    assert gauges.get(("warm", "free"), 0) == 0 and ("warm", "oldest") not in gauges


@pytest.mark.parametrize("top", [2, 0])
def test_metrics_top_queues_caps_the_gauges(tmp_path, top):
    st = harness.Stack(str(tmp_path), extra_config={"zaqard": {"metrics_top_queues": str(top)}})
    st.start()
    try:
        client = st.client(project="p-" + uuid.uuid4().hex)
        for queue, posts in (("a", 5), ("b", 3), ("c", 1)):
            for i in range(posts):
                client.post_messages(queue, [{"body": i, "ttl": 300}])
        text = scrape_text(st)
        assert "# TYPE zaqard_queue_messages gauge" in text
        gauges = queue_gauges(parse(text), client.project)
        shown = sorted({queue for queue, _ in gauges})
        assert shown == (["a", "b"] if top == 2 else [])
        if top:
            assert gauges[("a", "free")] == 5 and gauges[("b", "free")] == 3
    finally:
        problems = st.stop()
    assert not problems, problems
