"""The Redis work of one claim_create call (storage/redis/README.md, "claim cost"): the
library composed from storage/redis/scripts as script_runner.cpp composes it (the
compose() of bench/redis/layout_cost.py), loaded into a private redis-server, called
with FCALL; INFO commandstats counts the commands each call runs inside Redis."""

import os
import sys
import uuid

import pytest

from zaqard_harness import RedisProcess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench", "redis"))
import layout_cost  # noqa: E402  (compose, a RESP client, the post call)

LIB = "zqtest"


@pytest.fixture()
def r(tmp_path):
    server = RedisProcess(str(tmp_path / "redis")).start()
    try:
        client = layout_cost.Redis(server.port)
        client.call("FUNCTION", "LOAD", "REPLACE",
                    layout_cost.compose(LIB, layout_cost.scripts_at(None)))
        yield client
    finally:
        server.stop()


def post(r, tag, n):
    reply = r.call(*layout_cost.post_call(LIB, tag, n))
    assert not isinstance(reply, Exception), reply


def claim(r, tag, limit, ttl=300):
    """(reply, {command: calls}) of one claim_create."""
    r.call("CONFIG", "RESETSTAT")
    reply = r.call(*layout_cost.fcall(LIB, "claim_create", tag, str(uuid.uuid4()), str(ttl),
                                      "60", str(limit)))
    stats = {}
    for line in r.call("INFO", "commandstats").decode().splitlines():
        if line.startswith("cmdstat_") and not line.startswith(("cmdstat_config",
                                                                  "cmdstat_fcall")):
            name, rest = line[len("cmdstat_"):].split(":", 1)
            stats[name] = int(dict(kv.split("=") for kv in rest.split(","))["calls"])
    return reply, stats


def test_claim_of_ten_runs_nine_commands_and_reads_ten_ids(r):
    post(r, "t/a", 10)
    post(r, "t/a", 10)
    claim(r, "t/a", 1)  # the first call of a queue may run housekeeping (due hint unknown)
    reply, stats = claim(r, "t/a", 10)
    assert len(reply) == 2 + 10
    assert stats == {"time": 1, "hmget": 2, "zrangebyscore": 1, "hset": 2, "zrem": 1,
                     "zadd": 2}, stats
    # The range read asks for the ten it wants, not a margin (ids it reads cost).
    assert r.call("ZCARD", "z:av:{t/a}") == 20 - 11


def test_claim_of_a_short_queue_reads_av_once(r):
    post(r, "t/b", 3)
    claim(r, "t/b", 1)
    reply, stats = claim(r, "t/b", 10)
    assert [m[0] for m in reply[2:]] and len(reply) == 2 + 2
    assert stats["zrangebyscore"] == 1, stats  # a short round ends the walk
    reply, stats = claim(r, "t/b", 10)
    assert len(reply) == 2 and stats["zrangebyscore"] == 1, stats


def test_claim_scores_are_the_claim_expiry(r):
    post(r, "t/c", 5)
    reply, _ = claim(r, "t/c", 5, ttl=300)
    now = int(reply[0])
    cid = reply[2][4].decode()
    for m in reply[2:]:
        assert m[4].decode() == cid
        assert r.call("ZSCORE", "z:cl:{t/c}", m[0]) == str(now + 300000).encode()
    assert r.call("ZSCORE", "z:kx:{t/c}", cid) == str(now + 300000).encode()


def test_claim_skips_gone_entries_and_reads_on(r):
    """av entries whose message is gone are dropped and the walk reads another round,
    so the claim still takes as many as the limit."""
    post(r, "t/d", 10)
    post(r, "t/d", 10)
    claim(r, "t/d", 1)
    head = [x.decode() for x in r.call("ZRANGE", "z:av:{t/d}", 0, 2)]
    r.call("HDEL", "z:e:{t/d}", *head)
    reply, stats = claim(r, "t/d", 10)
    ids = [m[0].decode() for m in reply[2:]]
    assert len(ids) == 10 and not set(ids) & set(head)
    assert stats["zrangebyscore"] == 2, stats
    assert r.call("ZCARD", "z:av:{t/d}") == 19 - 3 - 10
    # Values are byte-identical to a pack followed by the body (decoded by C++ too).
    raw = r.call("HGET", "z:e:{t/d}", ids[0])
    assert raw.endswith(layout_cost.BODY.encode()) and raw[0] == 2
