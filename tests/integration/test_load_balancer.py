"""Two zaqard processes behind a real load balancer (Debian haproxy), sharing one Redis or
pools: REST calls spread over both processes see one store, a WebSocket subscriber
connected through the balancer receives messages posted through either process, the
balancer keeps serving when one process stops, and a pool change made through one
process steers queue placement on both (catalog caches invalidated across processes;
docs/scaling.md, "Many zaqard processes")."""

import os
import subprocess
import time
import uuid

import pytest

import zaqard_harness as harness
from ws_client import WsClient

HAPROXY = "/usr/sbin/haproxy"
# Subscriptions deliver only with Zaqar's notifier in the message pipeline.
NOTIFY = {"storage": {"message_pipeline": "zaqar.notification.notifier"},
          "zaqard": {"notification_poll_interval": "0.2", "notification_claim_idle": "2"}}


class Haproxy:
    """haproxy in the foreground on loopback: one HTTP and one WebSocket frontend, each
    round-robin over the zaqard processes, with health checks so a stopped backend leaves
    the rotation; `X-Served-By` names the backend that answered."""

    def __init__(self, workdir, zaqards):
        self.http_port = harness.free_port()
        self.ws_port = harness.free_port()
        self.config = os.path.join(workdir, "haproxy.cfg")
        http_servers = "\n".join(
            f"    server z{i} 127.0.0.1:{z.port} check inter 200ms fall 2 rise 2"
            for i, z in enumerate(zaqards))
        ws_servers = "\n".join(
            f"    server z{i} 127.0.0.1:{z.ws_port} check inter 200ms fall 2 rise 2"
            for i, z in enumerate(zaqards))
        with open(self.config, "w") as f:
            f.write(f"""global
    maxconn 256

defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout tunnel 60s
    retries 3
    option redispatch

frontend rest
    bind 127.0.0.1:{self.http_port}
    default_backend zaqard_rest

backend zaqard_rest
    balance roundrobin
    option httpchk HEAD /v2/ping
    http-check send hdr Client-ID 3f0b8e1c-9d1e-4c7b-9a43-3c0d6f8a1b2e hdr X-Project-ID lb
    http-response set-header X-Served-By %s
{http_servers}

frontend ws
    bind 127.0.0.1:{self.ws_port}
    default_backend zaqard_ws

backend zaqard_ws
    balance roundrobin
{ws_servers}
""")
        self.log = os.path.join(workdir, "haproxy.log")
        self.proc = None

    def start(self):
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([HAPROXY, "-db", "-f", self.config],
                                         stdout=log, stderr=subprocess.STDOUT)
        harness._wait_port(self.http_port, self.proc, 10, "haproxy")
        return self

    def stop(self):
        if self.proc:
            harness._stop_pid(self.proc)


def balanced_stack(workdir, config, pool_names=()):
    """Redis (the management store, and the only store without pools), the pools' Redis
    servers, two zaqard processes and haproxy; yields (haproxy, zaqards, pool servers)."""
    redis = harness.RedisProcess(os.path.join(workdir, "redis")).start()
    pools = {name: harness.RedisProcess(os.path.join(workdir, name)).start()
             for name in pool_names}
    zaqards = [harness.ZaqardProcess(workdir, redis.port, config, name=f"zaqard{i}").start()
               for i in range(2)]
    lb = Haproxy(workdir, zaqards).start()
    try:
        wait_until_both_serve(lb)
        yield lb, zaqards, pools
    finally:
        lb.stop()
        problems = []
        for z in zaqards:
            z.stop()
            problems += z.problems()
        for r in [redis, *pools.values()]:
            r.stop()
        assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def balanced(tmp_path_factory):
    for lb, zaqards, _ in balanced_stack(str(tmp_path_factory.mktemp("lb")), NOTIFY):
        yield lb, zaqards


@pytest.fixture(scope="module")
def balanced_pools(tmp_path_factory):
    config = {"DEFAULT": {"admin_mode": "true", "pooling": "true"}}
    yield from balanced_stack(str(tmp_path_factory.mktemp("lbpools")), config, ("a", "b"))


def create_queues(api, names):
    """PUTs each queue through the balancer; the backends that served them."""
    servers = set()
    for name in names:
        r = api.put(f"/v2/queues/{name}")
        assert r.status == 201, r
        servers.add(r.header("X-Served-By"))
    return servers


def served_by(lb, client, path="/v2/ping"):
    r = harness.Client(f"http://127.0.0.1:{lb.http_port}", project=client.project).get(path)
    return r.status, r.header("X-Served-By")


def wait_until_both_serve(lb, timeout=15.0):
    """Health checks mark both backends up a few intervals after start."""
    probe = harness.Client(f"http://127.0.0.1:{lb.http_port}", project="lb-probe")
    deadline = time.monotonic() + timeout
    seen = set()
    while time.monotonic() < deadline and len(seen) < 2:
        r = probe.get("/v2/ping")
        if r.status == 204:
            seen.add(r.header("X-Served-By"))
        time.sleep(0.05)
    assert seen == {"z0", "z1"}, seen


def test_rest_calls_spread_over_both_processes_share_one_store(balanced):
    lb, _ = balanced
    api = harness.Client(f"http://127.0.0.1:{lb.http_port}", project="p-" + uuid.uuid4().hex)
    servers = set()
    posted = []
    for i in range(20):
        r = api.post("/v2/queues/lbq/messages", body={"messages": [{"ttl": 300, "body": i}]})
        assert r.status == 201, r
        servers.add(r.header("X-Served-By"))
        posted += [h.rsplit("/", 1)[1] for h in r.json["resources"]]
    assert servers == {"z0", "z1"}
    # Every process sees every message, whichever took the post.
    for _ in range(4):
        r = api.get("/v2/queues/lbq/messages", params={"echo": "true", "limit": 20})
        assert r.status == 200
        assert sorted(m["id"] for m in r.json["messages"]) == sorted(posted)
    r = api.get("/v2/queues/lbq/stats")
    assert r.json["messages"]["free"] == 20
    # A claim taken through one process is honoured by the other: no double delivery.
    claimed = []
    for _ in range(4):
        r = api.post("/v2/queues/lbq/claims", body={"ttl": 60, "grace": 60},
                     params={"limit": 5})
        assert r.status == 201, r
        claimed += [m["id"] for m in r.json["messages"]]
    assert sorted(claimed) == sorted(posted)
    r = api.post("/v2/queues/lbq/claims", body={"ttl": 60, "grace": 60})
    assert r.status == 204


def test_websocket_subscriber_behind_the_balancer_gets_posts_from_either_process(balanced):
    lb, _ = balanced
    project = "p-" + uuid.uuid4().hex
    ws = WsClient(f"ws://127.0.0.1:{lb.ws_port}/", project=project)
    try:
        status, _ = ws.status_body("queue_create", {"queue_name": "lbpush"})
        assert status in (201, 204)
        status, body = ws.status_body("subscription_create",
                                      {"queue_name": "lbpush", "ttl": 600})
        assert status == 201, body
        api = harness.Client(f"http://127.0.0.1:{lb.http_port}", project=project)
        servers = set()
        for i in range(6):
            r = api.post("/v2/queues/lbpush/messages",
                         body={"messages": [{"ttl": 300, "body": {"n": i}}]})
            assert r.status == 201
            servers.add(r.header("X-Served-By"))
        assert servers == {"z0", "z1"}
        received = set()
        deadline = time.monotonic() + 15
        while len(received) < 6 and time.monotonic() < deadline:
            frame, _ = ws.recv()
            if isinstance(frame, dict) and frame.get("Message_Type") == "Notification":
                received.add(frame["body"]["n"])
        assert received == set(range(6))
    finally:
        ws.close()


def test_balancer_keeps_serving_when_one_process_stops(balanced):
    lb, zaqards = balanced
    api = harness.Client(f"http://127.0.0.1:{lb.http_port}", project="p-" + uuid.uuid4().hex)
    zaqards[1].stop()
    # Health checks take the stopped process out after two failed probes (~400 ms);
    # `retries` + `redispatch` send a refused connection to the other one meanwhile.
    statuses = []
    for i in range(30):
        r = api.post("/v2/queues/lbstop/messages", body={"messages": [{"body": i}]})
        statuses.append((r.status, r.header("X-Served-By")))
    assert all(s == 201 for s, _ in statuses), statuses
    assert {who for _, who in statuses} == {"z0"}
    r = api.get("/v2/queues/lbstop/stats")
    assert r.json["messages"]["total"] == 30


def test_pool_change_through_one_process_steers_placement_on_both(balanced_pools):
    lb, _, pools = balanced_pools
    admin = harness.Client(f"http://127.0.0.1:{lb.http_port}", project="p-" + uuid.uuid4().hex,
                           extra_headers={"X-Roles": "admin"})
    uri = {name: f"redis://127.0.0.1:{server.port}" for name, server in pools.items()}
    r = admin.put("/v2/pools/a", body={"uri": uri["a"], "weight": 100})
    assert r.status == 201, r
    first = {f"first{i}" for i in range(8)}
    assert create_queues(admin, sorted(first)) == {"z0", "z1"}
    assert first <= harness.queue_keys(pools["a"].port)
    # Pool b takes every new queue from now on; the change reaches the process that did
    # not make it through the catalog invalidation channel.
    r = admin.put("/v2/pools/b", body={"uri": uri["b"], "weight": 100})
    assert r.status == 201, r
    r = admin.patch("/v2/pools/a", body={"weight": 0})
    assert r.status == 200, r
    second = {f"second{i}" for i in range(8)}
    assert create_queues(admin, sorted(second)) == {"z0", "z1"}
    on_b = harness.queue_keys(pools["b"].port)
    assert second <= on_b
    assert not first & on_b
    # Queues placed before the change still live on a, whichever process serves them.
    for i in range(8):
        r = admin.post(f"/v2/queues/first{i}/messages", body={"messages": [{"body": i}]})
        assert r.status == 201, r
        r = admin.get(f"/v2/queues/first{i}/stats")
        assert r.json["messages"]["total"] == 1
