#!/usr/bin/python3
"""Notification delivery bench: webhook notifications/s to a local receiver with 1, 10 and
100 subscribers per queue, and post-to-delivery latency (p50/p99).

Starts its own redis-server and zaqard (tests/integration's harness) with
`message_pipeline = zaqar.notification.notifier`, and a webhook receiver in a separate
process (asyncio, HTTP/1.1 keep-alive) that timestamps every delivery. For each
subscriber count, on a fresh queue:

  throughput  producers post single messages as fast as they can for --seconds; the rate
              is deliveries / (last delivery - first post), i.e. what the notifier
              sustained, backlog included;
  latency     producers post at a fixed, unsaturated rate (--latency-fraction of the
              measured post rate); latency = receipt time - time the POST was sent
              (same machine, same clock).

  bench/notifications/notify_bench.py --zaqard build-rel/zaqard [--seconds 5] [--json out]

The client and the receiver are Python; on a 2-core machine they compete with zaqard
and Redis for the CPU, so read the numbers as a floor.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))

import zaqard_harness as harness  # noqa: E402


def percentile(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    k = min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))
    return values[k]


# ---------------------------------------------------------------- receiver process

def receiver_main(port, control):
    records = []  # (receipt time, latency)

    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                body = await reader.readexactly(length) if length else b""
                now = time.time()
                try:
                    sent = json.loads(body)["body"]["t"]
                    records.append((now, now - sent))
                except (ValueError, KeyError, TypeError):
                    records.append((now, None))
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def serve():
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
        loop = asyncio.get_running_loop()
        control_ready = asyncio.Event()
        loop.add_reader(control.fileno(), control_ready.set)
        async with server:
            while True:
                await control_ready.wait()
                control_ready.clear()
                while control.poll():
                    command = control.recv()
                    if command == "stop":
                        return
                    if command == "reset":
                        records.clear()
                        control.send(True)
                    elif command == "stats":
                        control.send(list(records))

    asyncio.run(serve())


class Receiver:
    def __init__(self):
        self.port = harness.free_port()
        self.control, child = multiprocessing.Pipe()
        self.proc = multiprocessing.Process(target=receiver_main, args=(self.port, child),
                                            daemon=True)

    def start(self):
        self.proc.start()
        deadline = time.monotonic() + 10
        import socket
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("receiver did not start")

    def reset(self):
        self.control.send("reset")
        self.control.recv()

    def stats(self):
        self.control.send("stats")
        return self.control.recv()

    def stop(self):
        self.control.send("stop")
        self.proc.join(5)


# ---------------------------------------------------------------- producers

class Poster:
    """One keep-alive HTTP/1.1 connection posting single messages."""

    def __init__(self, port, project, queue):
        self.port, self.project, self.queue = port, project, queue
        self.client_id = str(uuid.uuid4())

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def post(self):
        body = json.dumps({"messages": [{"ttl": 300, "body": {"t": time.time()}}]}).encode()
        self.writer.write(
            (f"POST /v2/queues/{self.queue}/messages HTTP/1.1\r\nHost: x\r\n"
             f"Client-ID: {self.client_id}\r\nX-Project-ID: {self.project}\r\n"
             f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
            + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if length:
            await self.reader.readexactly(length)
        if not head.startswith(b"HTTP/1.1 201"):
            raise RuntimeError(head[:100])

    def close(self):
        self.writer.close()


async def produce(port, project, queue, connections, seconds, rate=None):
    posters = [Poster(port, project, queue) for _ in range(connections)]
    for p in posters:
        await p.open()
    count = 0
    start = time.time()
    end = start + seconds

    async def run(p, index):
        nonlocal count
        n = 0
        while True:
            if rate:
                due = start + (n * connections + index) / rate
                now = time.time()
                if due >= end:
                    return
                if due > now:
                    await asyncio.sleep(due - now)
            elif time.time() >= end:
                return
            await p.post()
            count += 1
            n += 1

    await asyncio.gather(*(run(p, i) for i, p in enumerate(posters)))
    for p in posters:
        p.close()
    return count, start, time.time()


def cpu_seconds(pid):
    """utime + stime of a process (all threads), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_deliveries(receiver, expected, timeout):
    deadline = time.monotonic() + timeout
    while True:
        records = receiver.stats()
        if len(records) >= expected or time.monotonic() > deadline:
            return records
        time.sleep(0.2)


def run_case(z, redis, receiver, subscribers, seconds, connections, latency_fraction):
    client = harness.Client(z.base_url, project="bench-" + uuid.uuid4().hex)
    queue = f"n{subscribers}"
    for i in range(subscribers):
        r = client.post(f"/v2/queues/{queue}/subscriptions",
                        body={"subscriber": f"http://127.0.0.1:{receiver.port}/s{i}"})
        assert r.status == 201, r
    result = {"subscribers": subscribers}

    receiver.reset()
    pids = {"zaqard": z.proc.pid, "redis": redis.proc.pid, "receiver": receiver.proc.pid}
    cpu_before = {k: cpu_seconds(p) for k, p in pids.items()}
    posts, start, _ = asyncio.run(produce(z.port, client.project, queue, connections, seconds))
    records = wait_deliveries(receiver, posts * subscribers, timeout=120)
    last = max(t for t, _ in records) if records else start
    cpu = {k: cpu_seconds(p) - cpu_before[k] for k, p in pids.items()}
    result.update(posts=posts, post_rate=posts / seconds, delivered=len(records),
                  expected=posts * subscribers,
                  notifications_per_s=len(records) / max(last - start, 1e-9),
                  cpu_us_per_notification={k: 1e6 * v / max(len(records), 1)
                                           for k, v in cpu.items()})

    rate = max(1.0, result["post_rate"] * latency_fraction)
    # Keep the latency phase unsaturated for the notifier too.
    rate = min(rate, result["notifications_per_s"] * latency_fraction / subscribers)
    rate = max(rate, 1.0)
    receiver.reset()
    posts, _, _ = asyncio.run(produce(z.port, client.project, queue, connections, seconds,
                                      rate=rate))
    records = wait_deliveries(receiver, posts * subscribers, timeout=60)
    lat = [l for _, l in records if l is not None]
    result.update(latency_post_rate=rate, latency_posts=posts,
                  latency_delivered=len(records),
                  p50_ms=percentile(lat, 50) * 1000, p99_ms=percentile(lat, 99) * 1000,
                  max_ms=max(lat) * 1000 if lat else 0.0)
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--zaqard", required=True)
    ap.add_argument("--redis-server", default="/usr/bin/redis-server")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--subscribers", default="1,10,100")
    ap.add_argument("--shards", type=int, default=2)
    ap.add_argument("--latency-fraction", type=float, default=0.3)
    ap.add_argument("--json")
    args = ap.parse_args()
    os.environ["ZAQARD_BIN"] = os.path.abspath(args.zaqard)
    os.environ["REDIS_SERVER"] = args.redis_server

    work = tempfile.mkdtemp(prefix="notify-bench-")
    receiver = Receiver().start()
    redis = harness.RedisProcess(os.path.join(work, "redis")).start()
    z = harness.ZaqardProcess(work, redis.port, {
        "storage": {"message_pipeline": "zaqar.notification.notifier"},
        "zaqard": {"shards": str(args.shards)}})
    z.start()
    results = []
    try:
        for n in [int(x) for x in args.subscribers.split(",")]:
            r = run_case(z, redis, receiver, n, args.seconds, args.connections,
                         args.latency_fraction)
            results.append(r)
            print(f"{n:>4} subscriber(s): {r['notifications_per_s']:9.0f} notifications/s "
                  f"({r['posts']} posts at {r['post_rate']:.0f}/s, {r['delivered']}/"
                  f"{r['expected']} delivered) | at {r['latency_post_rate']:.0f} posts/s: "
                  f"p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, max {r['max_ms']:.1f} ms"
                  " | CPU µs/notification: " + ", ".join(
                      f"{k} {v:.0f}" for k, v in r["cpu_us_per_notification"].items()),
                  flush=True)
    finally:
        z.stop()
        redis.stop()
        receiver.stop()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"shards": args.shards, "seconds": args.seconds,
                       "connections": args.connections, "results": results}, f, indent=2)


if __name__ == "__main__":
    main()
