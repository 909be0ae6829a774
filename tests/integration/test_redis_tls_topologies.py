"""rediss:// beyond one server (docs/security.md "Redis over TLS"): zaqard on a Sentinel
group and on a Redis Cluster where every redis-server speaks TLS only (`--port 0
--tls-port N`, certificates made with the openssl CLI at test time by test_tls.certs), so
no plain connection is even possible.

1. Sentinel: master + replica (`tls-replication yes`) + 3 sentinels, all TLS; zaqard given
   `rediss://S1,S2,S3?master=NAME&ssl_ca_certs=CA`: REST and WebSocket post/list, then a
   manual failover (SENTINEL FAILOVER) that zaqard follows (its `+switch-master` watch
   and the new master's connection are TLS too) without losing an acknowledged message.
2. Cluster: three masters with `tls-cluster yes` (CLUSTER SLOTS announces the TLS ports),
   zaqard given ONE seed: the two other masters are learnt from CLUSTER SLOTS and reached
   over TLS; queues on all three masters serve post/list/claim/delete, and a WebSocket
   list.
"""

import os
import shutil
import socket
import ssl
import tempfile
import time

import pytest

from redis_nodes import Node, _read_reply, read_all_ids, wait_for
from test_tls import certs, openssl  # noqa: F401  (certs: the module-scoped CA fixture)
from ws_client import WsClient
from zaqard_harness import Client, ZaqardProcess, free_port

REDIS = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")
MASTER_NAME = "tlsgrp"
PROJECT = "tlstopo"


def tls_call(certs, port, *args, timeout=3.0):
    """One RESP command over TLS, verified against the test CA; the reply parsed."""
    ctx = ssl.create_default_context(cafile=certs("ca.crt"))
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        a = str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
            s.sendall(b"".join(parts))
            with s.makefile("rb") as f:
                return _read_reply(f)


def node_cert(certs):
    """node.crt: server AND client certificate (a node is a TLS client of the others on
    the replication link and the cluster bus, and the cluster bus always asks for a client
    certificate, whatever tls-auth-clients says)."""
    d = os.path.dirname(certs("ca.crt"))
    if not os.path.exists(os.path.join(d, "node.crt")):
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "node.key", "-out", "node.csr", "-subj", "/CN=redis node", cwd=d)
        with open(os.path.join(d, "node.ext"), "w") as f:
            f.write("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n")
        openssl("x509", "-req", "-in", "node.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                "-set_serial", "5005", "-days", "2", "-out", "node.crt", "-extfile", "node.ext",
                cwd=d)
    return os.path.join(d, "node.crt"), os.path.join(d, "node.key")


def tls_args(certs, port):
    cert, key = node_cert(certs)
    return ["--port", "0", "--tls-port", str(port), "--bind", "127.0.0.1",
            "--tls-cert-file", cert, "--tls-key-file", key,
            "--tls-ca-cert-file", certs("ca.crt"), "--tls-auth-clients", "no",
            "--tls-replication", "yes", "--protected-mode", "no"]


def data_node(certs, workdir, name, replica_of=None, cluster=False):
    port = free_port()
    bus = free_port() if cluster else None

    def args(d):
        a = [REDIS, *tls_args(certs, port), "--save", "", "--appendonly", "no", "--dir", d,
             "--repl-diskless-sync-delay", "0"]
        if replica_of:
            a += ["--replicaof", "127.0.0.1", str(replica_of)]
        if cluster:
            a += ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                  "--cluster-node-timeout", "2000", "--cluster-port", str(bus),
                  "--tls-cluster", "yes"]
        return a

    node = Node(workdir, name, args, port)
    node.bus = bus
    return node


def sentinel_node(certs, workdir, name, master_port):
    port = free_port()

    def args(d):
        conf = os.path.join(d, "sentinel.conf")
        with open(conf, "w") as f:
            f.write(f"port 0\ntls-port {port}\nbind 127.0.0.1\nprotected-mode no\ndir {d}\n"
                    f"tls-cert-file {node_cert(certs)[0]}\ntls-key-file {node_cert(certs)[1]}\n"
                    f"tls-ca-cert-file {certs('ca.crt')}\ntls-auth-clients no\n"
                    "tls-replication yes\n"
                    f"sentinel monitor {MASTER_NAME} 127.0.0.1 {master_port} 2\n"
                    f"sentinel down-after-milliseconds {MASTER_NAME} 1000\n"
                    f"sentinel failover-timeout {MASTER_NAME} 3000\n")
        return [REDIS, conf, "--sentinel"]

    return Node(workdir, name, args, port)


def rediss(certs, hosts, query):
    q = dict(query, ssl_ca_certs=certs("ca.crt"))
    return f"rediss://{hosts}?" + "&".join(f"{k}={v}" for k, v in q.items())


def stop_all(zaqard, nodes, workdir):
    problems = []
    if zaqard:
        zaqard.stop()
        problems = zaqard.problems()
    for node in reversed(nodes):
        node.stop()
    shutil.rmtree(workdir, ignore_errors=True)
    assert not problems, "\n".join(problems)


def post_until_accepted(client, queue, body, timeout=30.0):
    """Posts one message until it is acknowledged (503 while a failover is under way)."""
    deadline = time.monotonic() + timeout
    while True:
        r = client.post(f"/v2/queues/{queue}/messages",
                        body={"messages": [{"ttl": 3600, "body": body}]})
        if r.status == 201:
            return r.json["resources"][0].rsplit("/", 1)[1]
        assert r.status == 503 and time.monotonic() < deadline, r
        time.sleep(0.1)


# ---- Sentinel ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sentinel_group(certs):  # noqa: F811
    workdir = tempfile.mkdtemp(prefix="zaqard-tls-sentinel-")
    nodes, zaqard = [], None
    try:
        master = data_node(certs, workdir, "redis-a")
        nodes.append(master)
        replica = data_node(certs, workdir, "redis-b", replica_of=master.port)
        nodes.append(replica)

        def replica_online():
            info = tls_call(certs, master.port, "INFO", "replication")
            return "state=online" in info

        wait_for("the replica over TLS", replica_online, 20)
        sentinels = [sentinel_node(certs, workdir, f"sentinel-{i}", master.port)
                     for i in range(3)]
        nodes.extend(sentinels)

        def sentinels_ready():
            return all(
                len(tls_call(certs, s.port, "SENTINEL", "replicas", MASTER_NAME)) == 1 and
                len(tls_call(certs, s.port, "SENTINEL", "sentinels", MASTER_NAME)) == 2
                for s in sentinels)

        wait_for("sentinels that know the replica and each other (TLS)", sentinels_ready, 30)
        hosts = ",".join(f"127.0.0.1:{s.port}" for s in sentinels)
        uri = rediss(certs, hosts, {"master": MASTER_NAME})
        zaqard = ZaqardProcess(workdir, 0, {
            "drivers:message_store:redis": {"uri": uri},
            "drivers:management_store:redis": {"uri": uri},
            "zaqard": {"redis_timeout": "1.0", "redis_wait_replicas": "1",
                       "redis_wait_timeout": "1.0"},
        })
        zaqard.start()
        yield {"zaqard": zaqard, "a": master, "b": replica, "sentinels": sentinels}
    finally:
        stop_all(zaqard, nodes, workdir)


def sentinel_master_port(certs, sentinels):
    ports = set()
    for s in sentinels:
        addr = tls_call(certs, s.port, "SENTINEL", "get-master-addr-by-name", MASTER_NAME)
        ports.add(int(addr[1]) if isinstance(addr, list) else None)
    return ports.pop() if len(ports) == 1 else None


def test_sentinel_over_tls_serves_rest_and_websocket_and_follows_a_failover(
        certs, sentinel_group):  # noqa: F811
    g = sentinel_group
    z = g["zaqard"]
    client = Client(z.base_url, project=PROJECT)
    assert client.create_queue("sq").status == 201
    acked = {post_until_accepted(client, "sq", {"n": n}) for n in range(5)}
    ws = WsClient(z.ws_url, project=PROJECT)
    try:
        status, body = ws.status_body("message_list", {"queue_name": "sq", "echo": True})
        assert status == 200 and {m["id"] for m in body["messages"]} == acked
    finally:
        ws.close()

    assert sentinel_master_port(certs, g["sentinels"]) == g["a"].port
    assert tls_call(certs, g["sentinels"][0].port, "SENTINEL", "FAILOVER", MASTER_NAME) == "OK"
    wait_for("the sentinels to name the replica",
             lambda: sentinel_master_port(certs, g["sentinels"]) == g["b"].port, 30)
    # zaqard follows (the new master reached over TLS): posts are acknowledged again and
    # land on the new master, and nothing acknowledged is lost. (A 503 during the switch
    # may still have stored its message -- WAIT found no replica yet -- so the acknowledged
    # ones are a subset of what is read back, as in test_sentinel.py.)
    for n in range(5, 10):
        acked.add(post_until_accepted(client, "sq", {"n": n}))
    assert acked <= read_all_ids(client, "sq")
    info = tls_call(certs, g["b"].port, "INFO", "replication")
    assert "role:master" in info
    assert int(tls_call(certs, g["b"].port, "DBSIZE")) > 0


# ---- Cluster -----------------------------------------------------------------------------

def queue_slot(queue):
    from test_redis_cluster import key_slot
    return key_slot("{" + f"{PROJECT}/{queue}" + "}")


@pytest.fixture(scope="module")
def tls_cluster(certs):  # noqa: F811
    workdir = tempfile.mkdtemp(prefix="zaqard-tls-cluster-")
    nodes, zaqard = [], None
    try:
        nodes = [data_node(certs, workdir, f"node-{i}", cluster=True) for i in range(3)]
        # Built by hand over TLS (three slot ranges, then MEET on the TLS bus).
        bounds = [(0, 5460), (5461, 10922), (10923, 16383)]
        for node, (first, last) in zip(nodes, bounds):
            assert tls_call(certs, node.port, "CLUSTER", "ADDSLOTSRANGE", first, last) == "OK"
        for node in nodes[1:]:
            assert tls_call(certs, nodes[0].port, "CLUSTER", "MEET", "127.0.0.1", node.port,
                            node.bus) == "OK"
        wait_for("cluster_state:ok on every node (TLS)", lambda: all(
            "cluster_state:ok" in tls_call(certs, n.port, "CLUSTER", "INFO") for n in nodes), 30)
        # tls-cluster yes: CLUSTER SLOTS names the TLS ports (the only ones there are).
        announced = {int(r[2][1]) for r in tls_call(certs, nodes[0].port, "CLUSTER", "SLOTS")}
        assert announced == {n.port for n in nodes}
        uri = rediss(certs, f"127.0.0.1:{nodes[0].port}", {"cluster": "true"})
        zaqard = ZaqardProcess(workdir, 0, {
            "drivers:message_store:redis": {"uri": uri},
            "drivers:management_store:redis": {"uri": uri},
        })
        zaqard.start()
        yield {"zaqard": zaqard, "nodes": nodes}
    finally:
        stop_all(zaqard, nodes, workdir)


def test_cluster_over_tls_reaches_every_master_from_one_seed(certs, tls_cluster):  # noqa: F811
    z, nodes = tls_cluster["zaqard"], tls_cluster["nodes"]
    client = Client(z.base_url, project=PROJECT)
    queues = [f"tq-{i}" for i in range(12)]

    def owner(slot):
        for r in tls_call(certs, nodes[0].port, "CLUSTER", "SLOTS"):
            if r[0] <= slot <= r[1]:
                return int(r[2][1])

    assert {owner(queue_slot(q)) for q in queues} == {n.port for n in nodes}
    for q in queues:
        assert client.create_queue(q).status == 201
        ids = client.post_messages(q, [{"ttl": 600, "body": {"q": q, "n": n}} for n in range(2)])
        assert len(ids) == 2
        listed = client.list_messages(q, echo=True)
        assert {m["id"] for m in listed["messages"]} == set(ids)
        claim = client.claim(q, limit=1)
        assert claim.status == 201, claim
        claim_id = claim.header("Location").rsplit("/", 1)[1]
        m = claim.json["messages"][0]
        r = client.delete(f"/v2/queues/{q}/messages/{m['id']}", params={"claim_id": claim_id})
        assert r.status == 204, r
    # Every master holds some of the data (written over TLS).
    for node in nodes:
        assert int(tls_call(certs, node.port, "DBSIZE")) > 0
    ws = WsClient(z.ws_url, project=PROJECT)
    try:
        for q in queues:
            status, body = ws.status_body("message_list", {"queue_name": q, "echo": True})
            assert status == 200 and len(body["messages"]) == 1, (q, body)
    finally:
        ws.close()


def test_cluster_over_tls_follows_a_moved_slot(certs, tls_cluster):  # noqa: F811
    """An empty slot handed to another master after zaqard learnt the map: the next call
    gets MOVED from the old owner and follows it to the new one, over TLS."""
    z, nodes = tls_cluster["zaqard"], tls_cluster["nodes"]
    client = Client(z.base_url, project=PROJECT)

    def owner(slot):
        for r in tls_call(certs, nodes[0].port, "CLUSTER", "SLOTS"):
            if r[0] <= slot <= r[1]:
                return int(r[2][1])

    # zaqard learnt the slot map at start-up; the slot of a fresh queue then moves from its
    # owner to the next master.
    queue = next(f"moved-{i}" for i in range(1000)
                 if owner(queue_slot(f"moved-{i}")) == nodes[0].port)
    slot = queue_slot(queue)
    source, target = nodes[0], nodes[1]
    target_id = tls_call(certs, target.port, "CLUSTER", "MYID")
    assert int(tls_call(certs, source.port, "CLUSTER", "COUNTKEYSINSLOT", slot)) == 0
    for node in (target, source, nodes[2]):
        assert tls_call(certs, node.port, "CLUSTER", "SETSLOT", slot, "NODE", target_id) == "OK"

    def moved_everywhere():
        return all(any(r[0] <= slot <= r[1] and int(r[2][1]) == target.port
                       for r in tls_call(certs, n.port, "CLUSTER", "SLOTS")) for n in nodes)

    wait_for("every node to see the moved slot", moved_everywhere, 20)
    assert client.create_queue(queue).status == 201
    ids = client.post_messages(queue, [{"ttl": 600, "body": {"moved": True}}])
    assert len(ids) == 1
    listed = client.list_messages(queue, echo=True)
    assert [m["id"] for m in listed["messages"]] == ids
    assert int(tls_call(certs, target.port, "CLUSTER", "COUNTKEYSINSLOT", slot)) > 0
    assert int(tls_call(certs, source.port, "CLUSTER", "COUNTKEYSINSLOT", slot)) == 0
