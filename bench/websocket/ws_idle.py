#!/usr/bin/python3
"""Holds many idle WebSocket connections on one zaqard while a burst of messages is
posted, and reports zaqard's memory per connection.

Raises its own open-file limit (and so zaqard's, which inherits it) to the hard limit,
starts a private redis-server and zaqard on free loopback ports, reads zaqard's RSS,
opens --connections WebSocket connections (each completes the upgrade and then sits
idle), reads RSS again, posts --burst messages over REST from --producers connections
while the idle ones are held, checks a sample of the idle connections still answers,
and stops everything it started (by PID).

  bench/websocket/ws_idle.py --zaqard build-rel/zaqard [--connections 10000] [--burst 20000]
"""

import argparse
import asyncio
import json
import os
import random
import resource
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))

import zaqard_harness as harness  # noqa: E402
from rawclients import HttpConnection, WsConnection  # noqa: E402


def raise_fd_limit(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, needed)
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if target < needed:
        sys.exit(f"open-file hard limit {hard} is below the {needed} this run needs")
    return target


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def open_idle(port, count, batch=500):
    conns = []
    for start in range(0, count, batch):
        n = min(batch, count - start)
        conns += await asyncio.gather(*[WsConnection.open("127.0.0.1", port) for _ in range(n)])
    return conns


async def burst(port, project, total, producers):
    per = total // producers
    body = json.dumps({"messages": [{"body": {"n": i}} for i in range(10)]}).encode()

    async def producer(k):
        conn = await HttpConnection.open("127.0.0.1", port)
        headers = {"Client-ID": str(uuid.uuid4()), "X-Project-ID": project,
                   "Content-Type": "application/json"}
        for _ in range(per // 10):
            conn.send("POST", f"/v2/queues/burst{k % 4}/messages", headers, body)
            status, reply = await conn.response()
            if status != 201:
                raise RuntimeError(f"{status} {reply[:200]!r}")
        conn.close()

    t0 = time.monotonic()
    await asyncio.gather(*[producer(k) for k in range(producers)])
    return time.monotonic() - t0, per // 10 * 10 * producers


async def sample_alive(conns, n):
    ok = 0
    for conn in random.sample(conns, min(n, len(conns))):
        reply = await conn.call({"action": "ping_node", "headers": {}})
        ok += reply["headers"]["status"] == 204
    return ok


async def scenario(stack, args):
    pid = stack.zaqard.proc.pid
    project = "idle-" + uuid.uuid4().hex[:8]
    before = rss_kib(pid)
    t0 = time.monotonic()
    conns = await open_idle(stack.zaqard.ws_port, args.connections)
    opened = time.monotonic() - t0
    await asyncio.sleep(1.0)
    held = rss_kib(pid)
    seconds, posted = await burst(stack.zaqard.port, project, args.burst, args.producers)
    after_burst = rss_kib(pid)
    alive = await sample_alive(conns, 200)
    for conn in conns:
        conn.close()
    await asyncio.sleep(0.5)
    return {
        "connections": len(conns),
        "connect_seconds": round(opened, 2),
        "rss_before_kib": before,
        "rss_with_connections_kib": held,
        "bytes_per_connection": round((held - before) * 1024 / max(1, len(conns))),
        "burst_messages": posted,
        "burst_seconds": round(seconds, 2),
        "burst_messages_per_s": round(posted / seconds, 1),
        "rss_after_burst_kib": after_burst,
        "sampled_idle_alive": f"{alive}/{min(200, len(conns))}",
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--zaqard", default=os.environ.get("ZAQARD_BIN"))
    ap.add_argument("--connections", type=int, default=10000)
    ap.add_argument("--burst", type=int, default=20000, help="messages to post")
    ap.add_argument("--producers", type=int, default=8)
    ap.add_argument("--shards", type=int, default=2)
    ap.add_argument("--json")
    args = ap.parse_args()
    if not args.zaqard:
        sys.exit("--zaqard (or ZAQARD_BIN) is required")
    os.environ["ZAQARD_BIN"] = os.path.abspath(args.zaqard)
    limit = raise_fd_limit(args.connections + 200)
    print(f"open-file limit {limit}")

    work = tempfile.mkdtemp(prefix="zaqard-ws-idle-")
    stack = harness.Stack(work, extra_config={"zaqard": {"shards": args.shards},
                                              "DEFAULT": {"admin_mode": "false"}})
    stack.start()
    try:
        result = asyncio.run(scenario(stack, args))
    finally:
        problems = stack.stop()
        if problems:
            print("\n".join(problems), file=sys.stderr)
    for k, v in result.items():
        print(f"{k:<28}{v}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
