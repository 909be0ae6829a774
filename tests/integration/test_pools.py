"""Pools, flavors and the catalog (rest-v2.md §9, docs/scaling.md "Pools and flavors"),
with several real redis-server pools on loopback and real zaqard processes: the admin API
and its errors, weighted placement, flavors keeping their queues on their pools, every
queue operation and a webhook notification on a pooled queue, a dead pool failing only its
queues, the pool-delete refusals, and two zaqard processes sharing the management store."""

import os
import time
import uuid

import pytest

import zaqard_harness as harness
from notify_helpers import WebhookReceiver

POOLING = {"DEFAULT": {"admin_mode": "true", "pooling": "true"},
           "storage": {"message_pipeline": "zaqar.notification.notifier"},
           "zaqard": {"notification_poll_interval": "0.2", "redis_timeout": "1"}}


class Servers:
    def __init__(self, workdir):
        self.workdir = workdir
        self.management = harness.RedisProcess(os.path.join(workdir, "mgmt")).start()
        self.pools = {name: harness.RedisProcess(os.path.join(workdir, name)).start()
                      for name in ("a", "b", "c")}
        self.zaqards = []

    def zaqard(self, name, extra=None):
        config = {k: dict(v) for k, v in POOLING.items()}
        for section, opts in (extra or {}).items():
            config.setdefault(section, {}).update(opts)
        z = harness.ZaqardProcess(self.workdir, self.management.port, config, name=name)
        z.start()
        self.zaqards.append(z)
        return z

    def uri(self, name, db=0):
        return f"redis://127.0.0.1:{self.pools[name].port}?dbid={db}"

    def stop(self):
        problems = []
        for z in self.zaqards:
            z.stop()
            problems += z.problems()
        for r in list(self.pools.values()) + [self.management]:
            r.stop()
        return problems


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    s = Servers(str(tmp_path_factory.mktemp("pools")))
    yield s
    problems = s.stop()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture(scope="module")
def zaqard(servers):
    return servers.zaqard("zaqard-1")


@pytest.fixture
def api(zaqard):
    return admin(zaqard.base_url, "p-" + uuid.uuid4().hex)


def admin(base_url, project):
    """A client with the admin role (pools:* and health need it; noauth trusts X-Roles)."""
    return harness.Client(base_url, project=project, extra_headers={"X-Roles": "admin"})


def post_msgs(api, queue, messages):
    return api.post(f"/v2/queues/{queue}/messages", body={"messages": messages})


def unique(prefix):
    return prefix + "-" + uuid.uuid4().hex[:8]


def put_pool(api, name, uri, weight=1, flavor=None, status=201):
    body = {"uri": uri, "weight": weight}
    if flavor is not None:
        body["flavor"] = flavor
    r = api.put(f"/v2/pools/{name}", body=body)
    assert r.status == status, r
    return r


def put_flavor(api, name, pools):
    r = api.put(f"/v2/flavors/{name}", body={"pool_list": pools})
    assert r.status == 201, r


def test_no_pool_and_no_virtual_pool_answers_503(servers, tmp_path):
    # Its own process and management store: no pool is registered there.
    mgmt = harness.RedisProcess(str(tmp_path / "empty")).start()
    try:
        config = {k: dict(v) for k, v in POOLING.items()}
        config["transport"] = {"max_pools_per_page": "3", "max_flavors_per_page": "4"}
        z = harness.ZaqardProcess(str(tmp_path), mgmt.port, config, name="empty")
        z.start()
        api = admin(z.base_url, "p-empty")
        r = api.put("/v2/queues/q1")
        assert r.status == 503, r
        assert r.json["title"] == "Service temporarily unavailable"
        # [transport] max_pools_per_page / max_flavors_per_page bound the listings.
        r = api.get("/v2/pools", params={"limit": 4})
        assert r.json["description"] == "Limit must be at least 1 and no greater than 3."
        assert api.get("/v2/pools", params={"limit": 3}).status == 200
        r = api.get("/v2/flavors", params={"limit": 5})
        assert r.json["description"] == "Limit must be at least 1 and no greater than 4."
        assert api.get("/v2/flavors", params={"limit": 4}).status == 200
        z.stop()
        assert z.problems() == []
    finally:
        mgmt.stop()


def test_virtual_pool_takes_queues_without_pool(servers, tmp_path):
    # enable_virtual_pool: the message store holds queues no pool takes.
    store = harness.RedisProcess(str(tmp_path / "store")).start()
    mgmt = harness.RedisProcess(str(tmp_path / "mgmt")).start()
    try:
        config = {k: dict(v) for k, v in POOLING.items()}
        config["pooling:catalog"] = {"enable_virtual_pool": "true"}
        config["drivers:message_store:redis"] = {"uri": f"redis://127.0.0.1:{store.port}"}
        z = harness.ZaqardProcess(str(tmp_path), mgmt.port, config, name="virtual")
        z.start()
        api = admin(z.base_url, "p-virtual")
        assert api.put("/v2/queues/vq").status == 201
        assert post_msgs(api, "vq", [{"body": 1}]).status == 201
        assert harness.queue_keys(store.port) == {"vq"}
        assert harness.queue_keys(mgmt.port) == set()
        r = api.get("/v2/health")
        assert r.status == 200, r
        assert r.json["virtual_pool"]["storage_reachable"] is True
        assert r.json["message_volume"]["total"] == 1
        z.stop()
        assert z.problems() == []
    finally:
        store.stop()
        mgmt.stop()


def test_pool_crud_and_errors(servers, api):
    name = unique("crud")
    uri = servers.uri("c", 9)
    r = put_pool(api, name, uri, weight=10)
    assert r.header("Location") == f"/v2/pools/{name}"
    r = api.get(f"/v2/pools/{name}")
    assert r.status == 200
    assert r.json == {"name": name, "uri": uri, "weight": 10, "flavor": None,
                      "href": f"/v2/pools/{name}"}
    r = api.get(f"/v2/pools/{name}", params={"detailed": "true"})
    assert r.json["options"] == {}
    # PUT again replaces it.
    put_pool(api, name, uri, weight=20)
    assert api.get(f"/v2/pools/{name}").json["weight"] == 20
    # Another pool on the same URI: 409.
    r = put_pool(api, unique("dup"), uri, status=409)
    assert r.json == {"title": "Resource conflict",
                      "description": "The database URI is in use by another pool."}
    # Unreachable URI: 400.
    dead = f"redis://127.0.0.1:{harness.free_port()}"
    r = put_pool(api, unique("dead"), dead, status=400)
    assert r.json == {"title": "Invalid request body",
                      "description": f"cannot connect to {dead}"}
    # Schema errors.
    r = api.put(f"/v2/pools/{name}", body={"weight": 1})
    assert r.status == 400
    assert r.json["description"] == "'uri' is a required property"
    r = api.put(f"/v2/pools/{name}", body={"uri": uri, "weight": -1})
    assert r.json["description"] == "-1 is less than the minimum of 0"
    r = api.put(f"/v2/pools/{name}", body={"uri": uri, "weight": 1, "x": 1})
    assert r.json["description"] == "Additional properties are not allowed ('x' was unexpected)"
    r = api.put(f"/v2/pools/{name}", raw=b"{nope", headers={"Content-Type": "application/json"})
    assert r.status == 400 and r.json["description"] == "JSON could not be parsed."
    # PATCH.
    r = api.patch(f"/v2/pools/{name}", body={})
    assert r.status == 400
    assert r.json["description"] == \
        "One of `uri`, `weight`, `flavor`, or `options` needs to be specified"
    r = api.patch(f"/v2/pools/{name}", body={"weight": 5, "options": {"k": 1}})
    assert r.status == 200, r
    assert r.json["weight"] == 5 and "options" not in r.json
    assert api.get(f"/v2/pools/{name}?detailed=true").json["options"] == {"k": 1}
    r = api.patch("/v2/pools/nope", body={"weight": 1})
    assert r.status == 404 and r.json["description"] == "Pool nope does not exist"
    # Listing with paging.
    r = api.get("/v2/pools", params={"limit": "1000"})
    assert r.status == 400
    assert r.json["description"] == "Limit must be at least 1 and no greater than 20."
    r = api.get("/v2/pools", params={"marker": name[:-1], "limit": 1})
    assert r.status == 200
    assert [p["name"] for p in r.json["pools"]] == [name]
    assert r.header("Content-Location").startswith("/v2/pools?")
    assert r.json["links"][0]["rel"] == "next"
    # Delete, then 404; deleting an unknown pool is 204.
    assert api.delete(f"/v2/pools/{name}").status == 204
    r = api.get(f"/v2/pools/{name}")
    assert r.status == 404 and r.json["description"] == f"Pool {name} does not exist"
    assert api.delete(f"/v2/pools/{name}").status == 204


def test_flavor_crud_and_errors(servers, api):
    p1, p2 = unique("fp"), unique("fp")
    put_pool(api, p1, servers.uri("c", 10))
    put_pool(api, p2, servers.uri("c", 11))
    flavor = unique("fl")
    r = api.put(f"/v2/flavors/{flavor}", body={"pool_list": []})
    assert r.status == 400 and r.json == {"title": "Unable to create", "description": "Bad Request"}
    r = api.put(f"/v2/flavors/{flavor}", body={"pool_list": ["ghost"]})
    assert r.status == 400
    assert r.json == {"title": "Unable to create", "description":
                      f"Flavor {flavor} could not be created, error:Pool ghost does not exist"}
    r = api.put(f"/v2/flavors/{flavor}", body={})
    assert r.status == 400 and r.json["description"] == "'pool_list' is a required property"
    put_flavor(api, flavor, [p1])
    r = api.get(f"/v2/flavors/{flavor}")
    assert r.status == 200
    assert r.json == {"name": flavor, "pool_list": [p1], "href": f"/v2/flavors/{flavor}",
                      "capabilities": ["FIFO", "CLAIMS", "DURABILITY", "AOD", "HIGH_THROUGHPUT"]}
    assert api.get(f"/v2/pools/{p1}").json["flavor"] == flavor
    # Flavors are the project's own.
    assert api.other_project().get(f"/v2/flavors/{flavor}").status == 404
    r = api.get("/v2/flavors", params={"detailed": "true"})
    assert r.status == 200
    assert [f["name"] for f in r.json["flavors"]] == [flavor]
    assert r.json["flavors"][0]["pool_list"] == [p1]
    # PATCH swaps the pools.
    r = api.patch(f"/v2/flavors/{flavor}", body={"weight": 1})
    assert r.status == 400 and r.json["description"] == "`pool_list` needs to be specified"
    r = api.patch(f"/v2/flavors/{flavor}", body={"pool_list": ["ghost"]})
    assert r.status == 400 and r.json["title"] == "updatefail"
    r = api.patch(f"/v2/flavors/{flavor}", body={"pool_list": [p2]})
    assert r.status == 200, r
    assert r.json["pool_list"] == [p2]
    assert api.get(f"/v2/pools/{p1}").json["flavor"] is None
    # The last pool of a flavor cannot go.
    r = api.delete(f"/v2/pools/{p2}")
    assert r.status == 403
    assert r.json == {"title": "Unable to delete", "description":
                      f"This pool is used by flavors {flavor}; It cannot be deleted."}
    assert api.delete(f"/v2/flavors/{flavor}").status == 204
    assert api.get(f"/v2/flavors/{flavor}").status == 404
    assert api.get(f"/v2/pools/{p2}").json["flavor"] is None
    assert api.delete(f"/v2/pools/{p2}").status == 204
    assert api.delete(f"/v2/pools/{p1}").status == 204


def test_weights_are_honoured(servers, api):
    flavor = unique("w")
    light, heavy, never = unique("light"), unique("heavy"), unique("never")
    put_pool(api, light, servers.uri("a", 1), weight=1)
    put_pool(api, heavy, servers.uri("b", 1), weight=3)
    put_pool(api, never, servers.uri("c", 1), weight=0)
    put_flavor(api, flavor, [light, heavy, never])
    for i in range(200):
        r = api.put(f"/v2/queues/w{i}", body={"_flavor": flavor})
        assert r.status == 201, r
    on_light = harness.queue_keys(servers.pools["a"].port, db=1)
    on_heavy = harness.queue_keys(servers.pools["b"].port, db=1)
    assert len(on_light) + len(on_heavy) == 200
    assert harness.queue_keys(servers.pools["c"].port, db=1) == set()
    # Expected 50 (sd ~6): a loose bound.
    assert 20 <= len(on_light) <= 85, (len(on_light), len(on_heavy))
    # Listing merges the pools' lists.
    r = api.get("/v2/queues", params={"limit": 20})
    names = [q["name"] for q in r.json["queues"]]
    assert names == sorted(f"w{i}" for i in range(200))[:20]
    # Pools that hold queues cannot be deleted.
    r = api.delete(f"/v2/pools/{heavy}")
    assert r.status == 403 and r.json["title"] == "Unable to delete"
    assert "still holds" in r.json["description"]
    for i in range(200):
        assert api.delete(f"/v2/queues/w{i}").status == 204
    api.delete(f"/v2/flavors/{flavor}")
    for pool in (light, heavy, never):
        assert api.delete(f"/v2/pools/{pool}").status == 204


def test_flavor_queues_stay_on_its_pools_and_everything_works(servers, api):
    flavor = unique("only")
    pool = unique("pa")
    put_pool(api, pool, servers.uri("a", 2), weight=5)
    put_flavor(api, flavor, [pool])
    q = unique("fq")
    assert api.put(f"/v2/queues/{q}", body={"_flavor": flavor}).status == 201
    assert q in harness.queue_keys(servers.pools["a"].port, db=2)
    for other in ("b", "c"):
        assert q not in harness.queue_keys(servers.pools[other].port, db=2)
    # Messages, claims, stats, subscriptions on the pooled queue.
    r = post_msgs(api, q, [{"body": {"n": i}, "ttl": 300} for i in range(3)])
    assert r.status == 201, r
    r = api.claim(q, limit=2)
    assert r.status == 201, r
    claim = harness.claim_id_of(r)
    r = api.get(f"/v2/queues/{q}/stats")
    assert r.json["messages"]["claimed"] == 2 and r.json["messages"]["total"] == 3
    r = api.list_messages(q, echo="true", include_claimed="true")
    assert len(r["messages"]) == 3
    assert api.delete(f"/v2/queues/{q}/claims/{claim}").status == 204
    r = api.post(f"/v2/queues/{q}/subscriptions",
                 body={"subscriber": "http://127.0.0.1:1/x", "ttl": 300})
    assert r.status == 201, r
    sid = r.json["subscription_id"]
    assert api.get(f"/v2/queues/{q}/subscriptions/{sid}").status == 200
    assert api.delete(f"/v2/queues/{q}/subscriptions/{sid}").status == 204
    # A flavor of another project is unknown here.
    r = api.other_project().put(f"/v2/queues/{unique('x')}", body={"_flavor": flavor})
    assert r.status == 400 and r.json["description"] == f"Flavor {flavor} does not exist"
    assert api.delete(f"/v2/queues/{q}").status == 204
    assert q not in harness.queue_keys(servers.pools["a"].port, db=2)
    api.delete(f"/v2/flavors/{flavor}")
    assert api.delete(f"/v2/pools/{pool}").status == 204


def test_webhook_notification_on_pooled_queue(servers, api):
    flavor, pool = unique("nf"), unique("np")
    put_pool(api, pool, servers.uri("b", 3))
    put_flavor(api, flavor, [pool])
    q = unique("nq")
    assert api.put(f"/v2/queues/{q}", body={"_flavor": flavor}).status == 201
    receiver = WebhookReceiver().start()
    try:
        r = api.post(f"/v2/queues/{q}/subscriptions",
                     body={"subscriber": receiver.url(), "ttl": 300})
        assert r.status == 201, r
        assert post_msgs(api, q, [{"body": {"hello": "pool"}}]).status == 201
        got = receiver.wait_for(1)
        assert got[0]["json"]["body"] == {"hello": "pool"}
        assert got[0]["json"]["queue_name"] == q
    finally:
        receiver.stop()
    assert api.delete(f"/v2/queues/{q}").status == 204
    api.delete(f"/v2/flavors/{flavor}")
    api.delete(f"/v2/pools/{pool}")


def test_dead_pool_fails_only_its_queues(servers, api, tmp_path):
    doomed = harness.RedisProcess(str(tmp_path / "doomed"), appendonly=True).start()
    try:
        f_dead, f_live = unique("fd"), unique("fl")
        p_dead, p_live = unique("pd"), unique("pl")
        put_pool(api, p_dead, f"redis://127.0.0.1:{doomed.port}")
        put_pool(api, p_live, servers.uri("a", 4))
        put_flavor(api, f_dead, [p_dead])
        put_flavor(api, f_live, [p_live])
        qd, ql = unique("qd"), unique("ql")
        assert api.put(f"/v2/queues/{qd}", body={"_flavor": f_dead}).status == 201
        assert api.put(f"/v2/queues/{ql}", body={"_flavor": f_live}).status == 201
        assert post_msgs(api, qd, [{"body": 1}]).status == 201
        doomed.kill()
        assert post_msgs(api, qd, [{"body": 2}]).status == 503
        assert api.get(f"/v2/queues/{qd}/stats").status == 503
        assert post_msgs(api, ql, [{"body": 3}]).status == 201
        assert api.get(f"/v2/queues/{ql}/stats").status == 200
        r = api.get("/v2/health")
        assert r.status == 200
        assert r.json["pools"][p_dead]["storage_reachable"] is False
        assert r.json["pools"][p_live]["storage_reachable"] is True
        # Back: its queue answers again, with what it had.
        doomed.start()
        deadline = time.monotonic() + 10
        status = None
        while time.monotonic() < deadline:
            status = post_msgs(api, qd, [{"body": 4}]).status
            if status == 201:
                break
            time.sleep(0.2)
        assert status == 201
        assert api.get(f"/v2/queues/{qd}/stats").json["messages"]["total"] == 2
        for q in (qd, ql):
            assert api.delete(f"/v2/queues/{q}").status == 204
        for f in (f_dead, f_live):
            api.delete(f"/v2/flavors/{f}")
        for p in (p_dead, p_live):
            assert api.delete(f"/v2/pools/{p}").status == 204
    finally:
        doomed.stop()


def test_second_process_sees_pool_changes(servers, zaqard, api):
    other = servers.zaqard("zaqard-2")
    api2 = admin(other.base_url, api.project)
    fx, fy = unique("fx"), unique("fy")
    px, py = unique("px"), unique("py")
    # Made through process 1, used through process 2.
    put_pool(api, px, servers.uri("b", 5))
    put_pool(api, py, servers.uri("c", 5))
    put_flavor(api, fx, [px])
    put_flavor(api, fy, [py])
    q = unique("moving")
    assert api2.put(f"/v2/queues/{q}", body={"_flavor": fx}).status == 201
    assert q in harness.queue_keys(servers.pools["b"].port, db=5)
    # Process 2 caches the placement (both shards).
    for _ in range(6):
        assert post_msgs(api2, q, [{"body": "x"}]).status == 201
    # Through process 1: the queue goes and comes back on the other flavor's pool.
    assert api.delete(f"/v2/queues/{q}").status == 204
    assert api.put(f"/v2/queues/{q}", body={"_flavor": fy}).status == 201
    assert q in harness.queue_keys(servers.pools["c"].port, db=5)
    time.sleep(0.3)  # pub/sub delivery
    for _ in range(6):
        assert post_msgs(api2, q, [{"body": "y"}]).status == 201
    assert q not in harness.queue_keys(servers.pools["b"].port, db=5)
    r = api2.get(f"/v2/queues/{q}/stats")
    assert r.json["messages"]["total"] == 6
    # A pool registered through process 2 is used by process 1.
    fz, pz = unique("fz"), unique("pz")
    put_pool(api2, pz, servers.uri("a", 6))
    put_flavor(api2, fz, [pz])
    q2 = unique("q2")
    assert api.put(f"/v2/queues/{q2}", body={"_flavor": fz}).status == 201
    assert q2 in harness.queue_keys(servers.pools["a"].port, db=6)
    for name in (q, q2):
        assert api.delete(f"/v2/queues/{name}").status == 204
    for f in (fx, fy, fz):
        api.delete(f"/v2/flavors/{f}")
    for p in (px, py, pz):
        assert api.delete(f"/v2/pools/{p}").status == 204


def test_admin_api_needs_pooling(servers, tmp_path):
    mgmt = harness.RedisProcess(str(tmp_path / "plain")).start()
    try:
        z = harness.ZaqardProcess(str(tmp_path), mgmt.port, {}, name="plain")
        z.start()
        api = admin(z.base_url, "p")
        assert api.get("/v2/pools").status == 404
        assert api.get("/v2/flavors").status == 404
        z.stop()
        assert z.problems() == []
    finally:
        mgmt.stop()
