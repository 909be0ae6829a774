#!/usr/bin/python3
"""A/B of two zaqard binaries' REST server (docs/benchmarks.md "HTTP server (A/B)").

For each round and scenario the two binaries run back to back (interleaved, so a busy
machine slows both alike), each a fresh zaqard (shards = 1) on one shared redis-server:
a 1 s unmeasured run, then a measured one. Per run: requests/s (loadgen JSON) and
zaqard's CPU per request (utime + stime from /proc/PID/stat over the measured run).
Then one run per binary and scenario under `strace -c -f`: syscalls per request.

usage: http_ab.py A_BINARY B_BINARY [--rounds N] [--seconds S]
       [--loadgen build-bench/bench/zaqard-loadgen] [--json FILE]
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import tempfile
import time

SCENARIOS = {
    "HEAD /v2/ping, 64 conn": ["--scenario", "ping-head", "--connections", "64"],
    "post 1 msg, 64 conn": ["--scenario", "producer", "--connections", "64"],
    "HEAD /v2/ping, 64 conn, pipeline 16": ["--scenario", "ping-head", "--connections", "64",
                                            "--pipeline", "16"],
    "post 1 msg, 64 conn, pipeline 8": ["--scenario", "producer", "--connections", "64",
                                        "--pipeline", "8"],
}
SYSCALLS = ("epoll_ctl", "writev", "readv", "ioctl", "epoll_wait")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port):
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_zaqard(binary, redis_port, workdir):
    port = free_port()
    conf = os.path.join(workdir, "zaqard.conf")
    with open(conf, "w") as f:
        f.write(f"""[drivers]
transport = wsgi
message_store = redis
management_store = redis
[drivers:transport:wsgi]
bind = 127.0.0.1
port = {port}
[drivers:transport:websocket]
bind = 127.0.0.1
port = 0
[drivers:message_store:redis]
uri = redis://127.0.0.1:{redis_port}
[drivers:management_store:redis]
uri = redis://127.0.0.1:{redis_port}
[zaqard]
shards = 1
max_connections_per_client = 0
""")
    proc = subprocess.Popen([binary, "--config", conf], stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(workdir, "zaqard.err"), "w"))
    wait_port(port)
    return proc, port


def run(args, binary, redis_port, workdir, scenario, strace=False):
    proc, port = start_zaqard(binary, redis_port, workdir)
    base = [args.loadgen, "--url", f"http://127.0.0.1:{port}", "--warmup", "0", "--quiet",
            "--project", "ab"] + scenario
    try:
        subprocess.run(base + ["--duration", "1"], check=True)
        tracer = None
        trace_out = os.path.join(workdir, "strace.txt")
        if strace:
            tracer = subprocess.Popen(["strace", "-c", "-f", "-p", str(proc.pid), "-o",
                                       trace_out], stderr=subprocess.DEVNULL)
            time.sleep(1.0)
        before = cpu_seconds(proc.pid)
        out = os.path.join(workdir, "run.json")
        subprocess.run(base + ["--duration", str(args.seconds), "--json", out], check=True)
        cpu = cpu_seconds(proc.pid) - before
        if tracer:
            tracer.send_signal(2)
            tracer.wait(timeout=30)
        doc = json.load(open(out))
        result = {"rate": doc["requests"] / doc["measured_s"], "errors": doc["errors"],
                  "cpu_us": cpu * 1e6 / max(1, doc["requests"])}
        if strace:
            counts = {}
            for line in open(trace_out):
                parts = line.split()
                if len(parts) >= 5 and parts[-1].isidentifier():
                    calls = parts[3] if parts[3].isdigit() else parts[4]
                    if calls.isdigit():
                        counts[parts[-1]] = int(calls)
            result["syscalls"] = {k: v / max(1, doc["requests"]) for k, v in counts.items()}
        return result
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--loadgen", default="build-bench/bench/zaqard-loadgen")
    parser.add_argument("--json")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="http_ab.")
    redis_port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    results = {name: {"A": [], "B": []} for name in SCENARIOS}
    try:
        wait_port(redis_port)
        for _ in range(args.rounds):
            for name, scenario in SCENARIOS.items():
                for side, binary in (("A", args.a), ("B", args.b)):
                    r = run(args, binary, redis_port, workdir, scenario)
                    results[name][side].append(r)
                    print(f"{name:40s} {side} {r['rate']:8.0f} req/s {r['cpu_us']:6.1f} us/req "
                          f"errors {r['errors']}", flush=True)
        for name, scenario in SCENARIOS.items():
            for side, binary in (("A", args.a), ("B", args.b)):
                r = run(args, binary, redis_port, workdir, scenario, strace=True)
                results[name][side + "_strace"] = r["syscalls"]
    finally:
        redis.terminate()
        redis.wait(timeout=30)
    print("\n| scenario | req/s A | req/s B | B/A | CPU µs/req A | B | B/A | syscalls/req A | B |"
          " epoll_ctl/req A | B |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, sides in results.items():
        rate = {s: statistics.mean(r["rate"] for r in sides[s]) for s in "AB"}
        cpu = {s: statistics.mean(r["cpu_us"] for r in sides[s]) for s in "AB"}
        sys_total = {s: sum(sides[s + "_strace"].get(k, 0) for k in sides[s + "_strace"]
                            if k != "total") for s in "AB"}
        ctl = {s: sides[s + "_strace"].get("epoll_ctl", 0) for s in "AB"}
        print(f"| {name} | {rate['A']:.0f} | {rate['B']:.0f} | {rate['B'] / rate['A']:.2f} | "
              f"{cpu['A']:.1f} | {cpu['B']:.1f} | {cpu['B'] / cpu['A']:.2f} | "
              f"{sys_total['A']:.2f} | {sys_total['B']:.2f} | {ctl['A']:.2f} | {ctl['B']:.3f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
