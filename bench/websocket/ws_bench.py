#!/usr/bin/python3
"""message_post round trips over WebSocket and over REST, with the same asyncio client.

Starts its own redis-server and zaqard on free loopback ports (tests/integration's
harness), then for each transport runs, for a fixed time each:
  - 1 connection, one request at a time (latency),
  - N connections, one request at a time each (throughput),
and prints a table (and --json). The client is Python: it, not zaqard, is the limit, so
read the numbers as REST vs WebSocket under the same client, not as zaqard's ceiling.

  bench/websocket/ws_bench.py --zaqard build-rel/zaqard [--seconds 5] [--connections 32]
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))

import zaqard_harness as harness  # noqa: E402
from rawclients import HttpConnection, WsConnection  # noqa: E402

BODY = {"event": "bench", "payload": "x" * 64}


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    k = min(len(sorted_values) - 1, int(round(p / 100.0 * (len(sorted_values) - 1))))
    return sorted_values[k]


async def ws_worker(port, project, queue, deadline, latencies):
    conn = await WsConnection.open("127.0.0.1", port)
    frame = json.dumps({"action": "message_post",
                        "headers": {"Client-ID": str(uuid.uuid4()), "X-Project-ID": project},
                        "body": {"queue_name": queue, "messages": [{"body": BODY}]}})
    while time.monotonic() < deadline:
        t0 = time.perf_counter()
        conn.send_text(frame)
        reply = await conn.recv()
        latencies.append(time.perf_counter() - t0)
        if b'"status": 201' not in reply and b'"status":201' not in reply:
            raise RuntimeError(reply[:300])
    conn.close()


async def rest_worker(port, project, queue, deadline, latencies):
    conn = await HttpConnection.open("127.0.0.1", port)
    headers = {"Client-ID": str(uuid.uuid4()), "X-Project-ID": project,
               "Content-Type": "application/json"}
    body = json.dumps({"messages": [{"body": BODY}]}).encode()
    path = f"/v2/queues/{queue}/messages"
    while time.monotonic() < deadline:
        t0 = time.perf_counter()
        conn.send("POST", path, headers, body)
        status, reply = await conn.response()
        latencies.append(time.perf_counter() - t0)
        if status != 201:
            raise RuntimeError(f"{status} {reply[:300]!r}")
    conn.close()


async def run(worker, port, connections, seconds):
    project = "bench-" + uuid.uuid4().hex[:8]
    latencies = []
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    await asyncio.gather(*[worker(port, project, f"q{i % 8}", deadline, latencies)
                           for i in range(connections)])
    elapsed = time.monotonic() - started
    lat = sorted(latencies)
    return {"requests": len(lat), "seconds": round(elapsed, 2),
            "req_per_s": round(len(lat) / elapsed, 1),
            "p50_ms": round(percentile(lat, 50) * 1000, 3),
            "p99_ms": round(percentile(lat, 99) * 1000, 3),
            "mean_ms": round(statistics.fmean(lat) * 1000, 3) if lat else 0.0}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--zaqard", default=os.environ.get("ZAQARD_BIN"))
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--shards", type=int, default=2)
    ap.add_argument("--json", help="write the results here too")
    args = ap.parse_args()
    if not args.zaqard:
        sys.exit("--zaqard (or ZAQARD_BIN) is required")
    os.environ["ZAQARD_BIN"] = os.path.abspath(args.zaqard)

    work = tempfile.mkdtemp(prefix="zaqard-ws-bench-")
    stack = harness.Stack(work, extra_config={"zaqard": {"shards": args.shards},
                                              "DEFAULT": {"admin_mode": "false"}})
    stack.start()
    results = {}
    try:
        for name, worker, port in (("websocket", ws_worker, stack.zaqard.ws_port),
                                   ("rest", rest_worker, stack.zaqard.port)):
            asyncio.run(run(worker, port, 4, 1.0))  # warm-up
            results[f"{name} x1"] = asyncio.run(run(worker, port, 1, args.seconds))
            results[f"{name} x{args.connections}"] = asyncio.run(
                run(worker, port, args.connections, args.seconds))
    finally:
        problems = stack.stop()
        if problems:
            print("\n".join(problems), file=sys.stderr)

    print(f"{'scenario':<18}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for name, r in results.items():
        print(f"{name:<18}{r['requests']:>10}{r['req_per_s']:>10}{r['p50_ms']:>10}"
              f"{r['p99_ms']:>10}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
