"""zaqard on a real Redis Cluster: three masters on loopback (redis-server
--cluster-enabled yes, --cluster-node-timeout 2000, joined by redis-cli --cluster create),
zaqard given `redis://P1,P2,P3?cluster=true` as message and management store.

1. Queues on many hash tags (spread over the three masters): post, list, get, claim,
   delete under the claim, stats, queue listing, subscriptions.
2. `redis-cli --cluster reshard` moves 2000 slots (queues among them) WHILE producers post
   and consumers claim and delete: every API call answers without a 5xx (MOVED, ASK and
   TRYAGAIN are retried inside the call's deadline), and every acknowledged message is
   either deleted by a consumer or read back afterwards.
"""

import os
import shutil
import subprocess
import tempfile
import threading
import time

import pytest

from redis_nodes import Node, read_all_ids, redis_call, wait_for
from zaqard_harness import Client, ZaqardProcess, free_port

REDIS = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")
REDIS_CLI = os.environ.get("REDIS_CLI", "/usr/bin/redis-cli")
PROJECT = "clustertest"


def key_slot(key):
    """The cluster's hash slot (CRC16/XMODEM of the key or of its first non-empty {tag})."""
    start = key.find("{")
    if start >= 0:
        end = key.find("}", start + 1)
        if end > start + 1:
            key = key[start + 1:end]
    crc = 0
    for byte in key.encode():
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc % 16384


def queue_slot(queue):
    return key_slot("{" + f"{PROJECT}/{queue}" + "}")


def cluster_node(workdir, name):
    port = free_port()
    bus = free_port()

    def args(d):
        return [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", d, "--protected-mode", "no",
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                "--cluster-node-timeout", "2000", "--cluster-port", str(bus)]

    return Node(workdir, name, args, port)


def slot_owners(port):
    """{slot range (first, last): master port} from CLUSTER SLOTS."""
    return {(r[0], r[1]): int(r[2][1]) for r in redis_call(port, "CLUSTER", "SLOTS")}


def owner_of(port, slot):
    for (first, last), owner in slot_owners(port).items():
        if first <= slot <= last:
            return owner
    return None


@pytest.fixture(scope="module")
def cluster():
    workdir = tempfile.mkdtemp(prefix="zaqard-cluster-")
    nodes = []
    zaqard = None
    try:
        nodes = [cluster_node(workdir, f"node-{i}") for i in range(3)]
        create = subprocess.run(
            [REDIS_CLI, "--cluster", "create"]
            + [f"127.0.0.1:{n.port}" for n in nodes]
            + ["--cluster-replicas", "0", "--cluster-yes"],
            capture_output=True, timeout=60)
        assert create.returncode == 0, create.stdout.decode()[-2000:]
        wait_for("cluster_state:ok on every node", lambda: all(
            "cluster_state:ok" in redis_call(n.port, "CLUSTER", "INFO") for n in nodes), 20)
        uri = "redis://" + ",".join(f"127.0.0.1:{n.port}" for n in nodes) + "?cluster=true"
        zaqard = ZaqardProcess(workdir, 0, {
            "drivers:message_store:redis": {"uri": uri},
            "drivers:management_store:redis": {"uri": uri},
        })
        zaqard.start()
        assert "Redis cluster via 127.0.0.1:" in zaqard.stderr_text()
        yield {"zaqard": zaqard, "nodes": nodes, "workdir": workdir}
    finally:
        problems = []
        if zaqard:
            zaqard.stop()
            problems = zaqard.problems()
        for node in nodes:
            node.stop()
        assert not problems, "\n".join(problems)
        shutil.rmtree(workdir, ignore_errors=True)


def test_queues_on_every_master_serve_the_whole_api(cluster):
    client = Client(cluster["zaqard"].base_url, project=PROJECT)
    nodes = cluster["nodes"]
    queues = [f"api-{i}" for i in range(24)]
    owners = {owner_of(nodes[0].port, queue_slot(q)) for q in queues}
    assert owners == {n.port for n in nodes}, "the queues should live on all three masters"

    for q in queues:
        client.create_queue(q, {"_default_message_ttl": 3600})
        ids = client.post_messages(q, [{"ttl": 600, "body": {"q": q, "n": n}} for n in range(3)])
        assert len(ids) == 3
        listed = client.list_messages(q, echo=True)
        assert {m["id"] for m in listed["messages"]} == set(ids)
        got = client.get(f"/v2/queues/{q}/messages/{ids[0]}")
        assert got.status == 200 and got.json["body"] == {"q": q, "n": 0}, got
        claim = client.claim(q, limit=2)
        assert claim.status == 201, claim
        claim_id = claim.header("Location").rsplit("/", 1)[1]
        for m in claim.json["messages"]:
            r = client.delete(f"/v2/queues/{q}/messages/{m['id']}",
                              params={"claim_id": claim_id})
            assert r.status == 204, r
        stats = client.get(f"/v2/queues/{q}/stats")
        assert stats.status == 200 and stats.json["messages"]["total"] == 1, stats
        sub = client.post(f"/v2/queues/{q}/subscriptions",
                          body={"subscriber": "http://127.0.0.1:9/hook", "ttl": 3600})
        assert sub.status == 201, sub
        subs = client.get(f"/v2/queues/{q}/subscriptions")
        assert subs.status == 200 and len(subs.json["subscriptions"]) == 1, subs
        gone = client.delete(f"/v2/queues/{q}/subscriptions/{sub.json['subscription_id']}")
        assert gone.status == 204, gone

    listing = client.get("/v2/queues", params={"limit": 20})
    assert listing.status == 200, listing
    names = {q["name"] for q in listing.json["queues"]}
    assert len(names) == 20 and names <= set(queues), names
    for q in queues[:4]:
        assert client.delete(f"/v2/queues/{q}").status == 204
    # The health report sums message volume over the registry buckets (on every master).
    health = client.get("/v2/health", headers={"X-Roles": "admin"})
    assert health.status == 200, health
    # Every master holds data of the queues.
    for node in nodes:
        assert redis_call(node.port, "DBSIZE") > 0


class Worker(threading.Thread):
    """Posts (producer) or claims and deletes (consumer) until stopped; bounded."""

    def __init__(self, base_url, queues, role, index, limit=4000):
        super().__init__(daemon=True)
        self.client = Client(base_url, project=PROJECT)
        self.queues, self.role, self.index, self.limit = queues, role, index, limit
        self.stop_flag = threading.Event()
        self.acked = {}        # message id -> queue (producer)
        self.deleted = set()   # message ids deleted under a claim (consumer)
        self.statuses = []     # (what, status)

    def run(self):
        for n in range(self.limit):
            if self.stop_flag.is_set():
                return
            queue = self.queues[(n + self.index) % len(self.queues)]
            try:
                if self.role == "producer":
                    self.produce(queue, n)
                else:
                    self.consume(queue)
            except OSError as e:
                self.statuses.append(("connection", str(e)))

    def produce(self, queue, n):
        r = self.client.post(f"/v2/queues/{queue}/messages", body={
            "messages": [{"ttl": 3600, "body": {"w": self.index, "n": n}}]})
        self.statuses.append(("post", r.status))
        if r.status == 201:
            for href in r.json["resources"]:
                self.acked[href.rsplit("/", 1)[1]] = queue

    def consume(self, queue):
        r = self.client.claim(queue, ttl=300, grace=60, limit=5)
        self.statuses.append(("claim", r.status))
        if r.status != 201:
            return
        claim_id = r.header("Location").rsplit("/", 1)[1]
        for m in r.json["messages"]:
            d = self.client.delete(f"/v2/queues/{queue}/messages/{m['id']}",
                                   params={"claim_id": claim_id})
            self.statuses.append(("delete", d.status))
            if d.status == 204:
                self.deleted.add(m["id"])

    def finish(self):
        self.stop_flag.set()
        self.join(timeout=30)


def test_reshard_under_load_loses_nothing_and_fails_no_call(cluster):
    zaqard, nodes = cluster["zaqard"], cluster["nodes"]
    client = Client(zaqard.base_url, project=PROJECT)
    # The source is the master of slot 0: reshard takes its first 2000 slots.
    source_port = owner_of(nodes[0].port, 0)
    target_port = next(n.port for n in nodes if n.port != source_port)
    ranges = sorted(r for r, owner in slot_owners(nodes[0].port).items()
                    if owner == source_port)
    moving = []
    for first, last in ranges:
        moving.extend(range(first, last + 1))
    moving = set(moving[:2000])
    # Queues whose slots move, and queues that stay where they are.
    movers = [q for q in (f"rs-{i}" for i in range(2000)) if queue_slot(q) in moving][:8]
    stayers = [q for q in (f"st-{i}" for i in range(2000))
               if queue_slot(q) not in moving][:4]
    assert len(movers) == 8 and len(stayers) == 4
    queues = movers + stayers
    before = {q: owner_of(nodes[0].port, queue_slot(q)) for q in stayers}
    for q in queues:
        client.create_queue(q)
        client.post_messages(q, [{"ttl": 3600, "body": {"seed": q}}])

    source_id = redis_call(source_port, "CLUSTER", "MYID")
    target_id = redis_call(target_port, "CLUSTER", "MYID")
    workers = [Worker(zaqard.base_url, queues, "producer", i) for i in range(3)]
    workers += [Worker(zaqard.base_url, queues, "consumer", i) for i in range(2)]
    for w in workers:
        w.start()
    wait_for("traffic before the reshard",
             lambda: all(len(w.statuses) >= 10 for w in workers), 20)
    started = time.monotonic()
    reshard = subprocess.run(
        [REDIS_CLI, "--cluster", "reshard", f"127.0.0.1:{source_port}",
         "--cluster-from", source_id, "--cluster-to", target_id,
         "--cluster-slots", "2000", "--cluster-yes"],
        capture_output=True, timeout=75)
    took = time.monotonic() - started
    assert reshard.returncode == 0, reshard.stdout.decode()[-3000:]
    # Traffic after the reshard, on the new owners.
    counts = [len(w.statuses) for w in workers]
    wait_for("traffic after the reshard",
             lambda: all(len(w.statuses) >= c + 10 for w, c in zip(workers, counts)), 20)
    for w in workers:
        w.finish()

    for q in movers:
        assert owner_of(target_port, queue_slot(q)) == target_port, q
    for q in stayers:
        assert owner_of(target_port, queue_slot(q)) == before[q], q

    expected = {"post": {201}, "claim": {201, 204}, "delete": {204}}
    bad = [(w.role, what, status) for w in workers for what, status in w.statuses
           if what not in expected or status not in expected[what]]
    assert not bad, f"{len(bad)} calls failed during a {took:.1f}s reshard: {bad[:10]}"

    acked = {}
    deleted = set()
    for w in workers:
        acked.update(w.acked)
        deleted |= w.deleted
    assert len(acked) > 50 and deleted, (len(acked), len(deleted))
    remaining = {}
    for q in queues:
        remaining[q] = read_all_ids(client, q)
    lost = [(mid, q) for mid, q in acked.items()
            if mid not in deleted and mid not in remaining[q]]
    assert not lost, f"{len(lost)} of {len(acked)} acknowledged messages lost: {lost[:5]}"
    # Deleted messages stay deleted.
    assert not deleted & set().union(*remaining.values())
    assert client.get("/v2/ping").status == 204
