"""zaqard on a real Redis Sentinel group: master + 1 replica + 3 sentinels (redis-server
--sentinel, generated configs, free loopback ports, down-after 1000 ms), zaqard given the
Sentinel URI and `redis_wait_replicas = 1`.

1. A manual failover (SENTINEL FAILOVER) while a producer posts: every answer is 201 or
   503, posts succeed again on the new master, and every acknowledged message is read back.
2. kill -9 of the master while producers post: the sentinels promote the replica, zaqard
   follows, and not one acknowledged message is lost.
Plus the start-up refusal of a Redis Cluster URI that names a database.
"""

import os
import tempfile
import threading
import time

import pytest

from redis_nodes import Node, read_all_ids, redis_call, wait_for
from zaqard_harness import Client, ZaqardProcess, free_port

MASTER_NAME = "grp"
REDIS = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")


def data_node(workdir, name, replica_of=None):
    port = free_port()

    def args(d):
        a = [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", d, "--protected-mode", "no",
             # a replica's (re)sync starts at once, not after 5 s
             "--repl-diskless-sync-delay", "0"]
        if replica_of:
            a += ["--replicaof", "127.0.0.1", str(replica_of)]
        return a

    return Node(workdir, name, args, port)


def sentinel_node(workdir, name, master_port):
    port = free_port()

    def args(d):
        conf = os.path.join(d, "sentinel.conf")
        with open(conf, "w") as f:
            f.write(f"port {port}\nbind 127.0.0.1\nprotected-mode no\ndir {d}\n"
                    f"sentinel monitor {MASTER_NAME} 127.0.0.1 {master_port} 2\n"
                    f"sentinel down-after-milliseconds {MASTER_NAME} 1000\n"
                    f"sentinel failover-timeout {MASTER_NAME} 3000\n")
        return [REDIS, conf, "--sentinel"]

    return Node(workdir, name, args, port)


def link_up(node):
    info = redis_call(node.port, "INFO", "replication")
    return isinstance(info, str) and "master_link_status:up" in info


def replica_online(master):
    """The master counts the replica for WAIT (after its first REPLCONF ACK)."""
    info = redis_call(master.port, "INFO", "replication")
    return isinstance(info, str) and "state=online" in info


def master_port(sentinels):
    """The master the sentinels agree on (every live one)."""
    ports = set()
    for s in sentinels:
        if s.proc.poll() is not None:
            continue
        addr = redis_call(s.port, "SENTINEL", "get-master-addr-by-name", MASTER_NAME)
        ports.add(int(addr[1]) if isinstance(addr, list) else None)
    return ports.pop() if len(ports) == 1 else None


class Producer(threading.Thread):
    """Posts one message at a time until stopped; records every answer."""

    def __init__(self, base_url, queue, tag, limit=3000):
        super().__init__(daemon=True)
        self.client = Client(base_url, project="sentinel-test")
        self.queue, self.tag, self.limit = queue, tag, limit
        self.stop_flag = threading.Event()
        self.acked = {}          # message id -> body counter
        self.statuses = []       # (monotonic time, status)

    def run(self):
        for n in range(self.limit):  # bounded
            if self.stop_flag.is_set():
                return
            try:
                r = self.client.post(f"/v2/queues/{self.queue}/messages", body={
                    "messages": [{"ttl": 3600, "body": {"p": self.tag, "n": n}}]})
            except OSError:
                self.statuses.append((time.monotonic(), "conn"))
                continue
            self.statuses.append((time.monotonic(), r.status))
            if r.status == 201:
                for href in r.json["resources"]:
                    self.acked[href.rsplit("/", 1)[1]] = n
            else:
                time.sleep(0.02)

    def finish(self):
        self.stop_flag.set()
        self.join(timeout=30)

    def successes_after(self, t):
        return sum(1 for when, status in self.statuses if when > t and status == 201)


@pytest.fixture(scope="module")
def group():
    workdir = tempfile.mkdtemp(prefix="zaqard-sentinel-")
    nodes = []
    zaqard = None
    try:
        master = data_node(workdir, "redis-a")
        nodes.append(master)
        replica = data_node(workdir, "redis-b", replica_of=master.port)
        nodes.append(replica)
        wait_for("the replica's link", lambda: link_up(replica) and replica_online(master), 15)
        sentinels = [sentinel_node(workdir, f"sentinel-{i}", master.port) for i in range(3)]
        nodes.extend(sentinels)

        def sentinels_ready():
            for s in sentinels:
                if len(redis_call(s.port, "SENTINEL", "replicas", MASTER_NAME)) != 1:
                    return False
                if len(redis_call(s.port, "SENTINEL", "sentinels", MASTER_NAME)) != 2:
                    return False
            return True

        wait_for("sentinels that know the replica and each other", sentinels_ready, 20)
        hosts = ",".join(f"127.0.0.1:{s.port}" for s in sentinels)
        zaqard = ZaqardProcess(workdir, 0, {
            "drivers:message_store:redis": {"uri": f"redis://{hosts}?master={MASTER_NAME}"},
            "drivers:management_store:redis": {"uri": f"redis://{hosts}?master={MASTER_NAME}"},
            "zaqard": {"redis_timeout": "1.0", "redis_wait_replicas": "1",
                       "redis_wait_timeout": "1.0"},
        })
        zaqard.start()
        yield {"zaqard": zaqard, "a": master, "b": replica, "sentinels": sentinels}
    finally:
        problems = []
        if zaqard:
            zaqard.stop()
            problems = zaqard.problems()
        for node in reversed(nodes):
            node.stop()
        assert not problems, "\n".join(problems)


def test_manual_failover_keeps_every_acknowledged_message(group):
    zaqard, sentinels = group["zaqard"], group["sentinels"]
    client = Client(zaqard.base_url, project="sentinel-test")
    assert master_port(sentinels) == group["a"].port
    acked = set(client.post_messages("failover", [{"ttl": 3600, "body": i} for i in range(10)]))

    producer = Producer(zaqard.base_url, "failover", "manual")
    producer.start()
    time.sleep(0.5)

    def failover():
        reply = redis_call(sentinels[0].port, "SENTINEL", "FAILOVER", MASTER_NAME)
        return reply == "OK"

    wait_for("SENTINEL FAILOVER to be accepted", failover, 15)
    wait_for("the sentinels to name the replica",
             lambda: master_port(sentinels) == group["b"].port, 20)
    switched = time.monotonic()
    # The old master rejoins as a replica, so WAIT 1 is satisfied again.
    wait_for("posts to succeed on the new master",
             lambda: producer.successes_after(switched + 0.5) >= 5, 30)
    producer.finish()

    statuses = {status for _, status in producer.statuses}
    assert statuses <= {201, 503}, statuses
    assert producer.acked, "no post succeeded"
    acked.update(producer.acked)
    read = read_all_ids(client, "failover")
    missing = acked - read
    assert not missing, f"{len(missing)} acknowledged messages lost"
    assert client.get("/v2/ping").status == 204


def test_master_crash_loses_no_acknowledged_message(group):
    zaqard, sentinels = group["zaqard"], group["sentinels"]
    client = Client(zaqard.base_url, project="sentinel-test")
    current = master_port(sentinels)
    crashed = group["b"] if current == group["b"].port else group["a"]
    survivor = group["a"] if crashed is group["b"] else group["b"]
    wait_for("the survivor to replicate the master", lambda: link_up(survivor), 20)
    wait_for("posts to succeed", lambda: client.post(
        "/v2/queues/crash/messages",
        body={"messages": [{"ttl": 3600, "body": "warm-up"}]}).status == 201, 20)

    producers = [Producer(zaqard.base_url, "crash", f"p{i}") for i in range(2)]
    for p in producers:
        p.start()
    wait_for("acknowledged posts before the crash",
             lambda: all(len(p.acked) >= 5 for p in producers), 20)
    crashed.kill()
    wait_for("the sentinels to promote the survivor",
             lambda: master_port(sentinels) == survivor.port, 30)
    # zaqard follows: reads answer from the new master.
    wait_for("zaqard on the new master",
             lambda: client.get("/v2/queues/crash/stats").status == 200, 20)
    time.sleep(0.5)
    for p in producers:
        p.finish()

    acked = {}
    for p in producers:
        statuses = {status for _, status in p.statuses}
        assert statuses <= {201, 503}, statuses
        acked.update(p.acked)
    read = read_all_ids(client, "crash")
    missing = set(acked) - read
    assert not missing, f"{len(missing)} of {len(acked)} acknowledged messages lost"


def test_cluster_uri_with_a_database_is_refused_at_start_up(tmp_path):
    # Cluster URIs are served (test_redis_cluster.py); a cluster has database 0 only.
    cluster = "redis://127.0.0.1:7000,127.0.0.1:7001?cluster=true&dbid=3"
    zaqard = ZaqardProcess(str(tmp_path), free_port(), {
        "drivers:message_store:redis": {"uri": cluster},
        "drivers:management_store:redis": {"uri": cluster},
    })
    with pytest.raises(RuntimeError):
        zaqard.start(timeout=10)
    assert zaqard.proc.wait(timeout=10) != 0
    text = zaqard.stderr_text()
    assert "database 0 only" in text, text
    assert not zaqard.sanitizer_report()
