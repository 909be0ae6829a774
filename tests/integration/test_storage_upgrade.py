"""Messages stored by the previous Redis layout (layout 1: envelope JSON in z:e, body in
z:b, every message in z:x) are served by this zaqard and upgraded message by message
(storage/redis/README.md, "Upgrading from layout 1")."""

import json
import uuid

from zaqard_harness import claim_id_of


def redis_value(stack, *args):
    """One command; the reply's first bulk string or integer, as text."""
    reply = stack.redis.command(*args)
    if reply.startswith(b":"):
        return int(reply[1:].split(b"\r\n")[0])
    if reply.startswith(b"$-1"):
        return None
    assert reply.startswith(b"$"), reply
    return reply.split(b"\r\n", 2)[1]


def redis_now_ms(stack):
    reply = stack.redis.command("TIME").split(b"\r\n")
    return int(reply[2]) * 1000 + int(reply[4]) // 1000


def old_envelope(rank, created, ttl, client, claim="", claim_expires=0, count=0):
    """An envelope exactly as layout 1's post.lua / encode_env wrote it."""
    return ('{"c":%d,"u":"%s","k":"%s","ke":%d,"n":%d,"r":%d,"t":%d,"x":%d,"d":0}'
            % (created, client, claim, claim_expires, count, rank, ttl, created + ttl * 1000))


def write_layout_1_queue(stack, project, queue, client):
    """Four messages as the layout-1 scripts left them: m1 (ttl 300) and m2 (ttl 600)
    available, m3 under a live claim, m4 expired but not yet swept. Answers the ids,
    bodies and the claim id."""
    tag = "{" + project + "/" + queue + "}"
    now = redis_now_ms(stack)
    ids = [str(uuid.uuid4()) for _ in range(4)]
    bodies = [json.dumps({"n": i, "text": "layout 1"}) for i in range(4)]
    claim = str(uuid.uuid4())
    claim_expires = now + 120000
    created = now - 10000
    envs = [old_envelope(1, created, 300, client),
            old_envelope(2, created, 600, client),
            old_envelope(3, created, 300, client, claim, claim_expires, 1),
            old_envelope(4, created - 60000, 60, client)]  # expired 10 s ago
    expiries = [json.loads(e)["x"] for e in envs]
    c = stack.redis.command
    assert c("HSET", "z:q:" + tag, "c", created, "r", 4, "m", "{}",
             "due", min(expiries) + 5000).startswith(b":")
    for i in range(4):
        c("HSET", "z:e:" + tag, ids[i], envs[i])
        c("HSET", "z:b:" + tag, ids[i], bodies[i])
        c("ZADD", "z:all:" + tag, i + 1, ids[i])
        c("ZADD", "z:x:" + tag, expiries[i], ids[i])
    for i in (0, 1, 3):
        c("ZADD", "z:av:" + tag, i + 1, ids[i])
    c("ZADD", "z:cl:" + tag, claim_expires, ids[2])
    c("HSET", "z:k:" + tag, claim, json.dumps(
        {"t": 120, "g": 60, "x": claim_expires, "u": created, "ids": [ids[2]]}))
    c("ZADD", "z:kx:" + tag, claim_expires, claim)
    # The queue is indexed as layout 1's queue creation left it.
    c("ZADD", "z:queues:{" + project + "}", 0, queue)
    return tag, ids, bodies, claim


def stats(api, queue):
    r = api.get(f"/v2/queues/{queue}/stats")
    assert r.status == 200, r
    return r.json["messages"]


def test_layout_1_messages_are_served_and_upgraded(stack, api):
    client = api.client_id
    tag, ids, bodies, old_claim = write_layout_1_queue(stack, api.project, "old", client)

    # Reads see the three live messages with their bodies; the expired one is gone.
    s = stats(api, "old")
    assert (s["total"], s["claimed"], s["free"]) == (3, 1, 2), s
    assert s["oldest"]["href"].endswith(ids[0]) and s["newest"]["href"].endswith(ids[2]), s
    r = api.get("/v2/queues/old/messages", params={"echo": "true", "include_claimed": "true"})
    assert r.status == 200, r
    assert [m["id"] for m in r.json["messages"]] == ids[:3]
    assert [m["body"] for m in r.json["messages"]] == [json.loads(b) for b in bodies[:3]]
    r = api.get(f"/v2/queues/old/messages/{ids[1]}")
    assert r.status == 200 and r.json["body"] == json.loads(bodies[1]), r
    assert api.get(f"/v2/queues/old/messages/{ids[3]}").status == 404

    # New posts join the old queue: one below the old messages' expiry (into z:x), one
    # above (the in-order run, not in z:x).
    new = api.post_messages("old", [{"body": {"new": 1}, "ttl": 120}])
    new += api.post_messages("old", [{"body": {"new": 2}, "ttl": 3600}])
    assert redis_value(stack, "ZSCORE", "z:x:" + tag, new[0]) is not None
    assert redis_value(stack, "ZSCORE", "z:x:" + tag, new[1]) is None
    assert redis_value(stack, "HEXISTS", "z:b:" + tag, new[0]) == 0
    assert stats(api, "old")["total"] == 5

    # A claim takes the old available messages first (FIFO), then the new ones; the
    # claimed old messages are rewritten in layout 2 (their bodies leave z:b).
    r = api.claim("old", ttl=60, grace=60, limit=10)
    assert r.status == 201, r
    claimed = [m["id"] for m in r.json["messages"]]
    assert claimed == [ids[0], ids[1]] + new
    assert [m["body"] for m in r.json["messages"][:2]] == [json.loads(b) for b in bodies[:2]]
    new_claim = claim_id_of(r)
    for i in (0, 1):
        assert redis_value(stack, "HEXISTS", "z:b:" + tag, ids[i]) == 0
        assert not redis_value(stack, "HGET", "z:e:" + tag, ids[i]).startswith(b"{")
    assert redis_value(stack, "HEXISTS", "z:b:" + tag, ids[2]) == 1  # not rewritten yet
    s = stats(api, "old")
    assert (s["total"], s["claimed"]) == (5, 5), s

    # The old claim still holds m3: deleting needs it, and it works.
    r = api.delete(f"/v2/queues/old/messages/{ids[2]}")
    assert r.status == 403, r
    r = api.delete(f"/v2/queues/old/messages/{ids[2]}", params={"claim_id": old_claim})
    assert r.status == 204, r
    r = api.get(f"/v2/queues/old/claims/{old_claim}")
    assert r.status == 200 and r.json["messages"] == [], r
    # Deleting an upgraded message and releasing the new claim.
    r = api.delete(f"/v2/queues/old/messages/{ids[0]}", params={"claim_id": new_claim})
    assert r.status == 204, r
    assert api.delete(f"/v2/queues/old/claims/{new_claim}").status == 204
    s = stats(api, "old")
    assert (s["total"], s["claimed"], s["free"]) == (3, 0, 3), s
    r = api.get("/v2/queues/old/messages", params={"echo": "true"})
    assert [m["id"] for m in r.json["messages"]] == [ids[1]] + new
    assert [m["body"] for m in r.json["messages"]] == [json.loads(bodies[1]), {"new": 1},
                                                         {"new": 2}]

    # Nothing of layout 1 is left but the expired m4, which housekeeping drops.
    assert redis_value(stack, "HLEN", "z:b:" + tag) <= 1
    r = api.delete("/v2/queues/old/messages", params={"ids": ",".join([ids[1]] + new)})
    assert r.status == 204, r
    s = stats(api, "old")
    assert s["total"] == 0, s
    assert redis_value(stack, "HLEN", "z:b:" + tag) == 0
    assert redis_value(stack, "ZCARD", "z:all:" + tag) == 0


def test_purge_and_queue_delete_remove_layout_1_keys(stack, api):
    tag, ids, _, _ = write_layout_1_queue(stack, api.project, "oldp", api.client_id)
    r = api.delete("/v2/queues/oldp/messages", params={"ids": ids[0]})
    assert r.status == 204, r
    assert redis_value(stack, "HEXISTS", "z:b:" + tag, ids[0]) == 0
    assert api.delete("/v2/queues/oldp").status == 204
    for prefix in ("z:e:", "z:b:", "z:all:", "z:av:", "z:x:", "z:cl:", "z:k:"):
        assert redis_value(stack, "EXISTS", prefix + tag) == 0, prefix
