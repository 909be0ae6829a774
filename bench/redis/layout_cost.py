#!/usr/bin/python3
"""Redis work per message call, two versions of the script library side by side.

Usage: bench/redis/layout_cost.py [--before REV] [--rounds N] [--calls N] [--aof]

Composes the function library as storage/redis/script_runner.cpp does, once from the
scripts of git revision REV (default: main) and once from the working tree, loads both
into its own redis-server (loopback, a free port, no persistence; stopped by its PID at
the end) and, interleaved round by round so that a busy machine slows both alike, runs
each call shape against a queue of each version:

  post x1, post x10, list 10 (from the head, echo), claim 10, delete 10 (remove_many)

For every shape it resets INFO commandstats, sends `calls` FCALLs pipelined and reads
cmdstat_fcall usec_per_call: time spent inside Redis per call, not round trips. The two
versions alternate every 50 calls; the median over those chunks is reported. It then
posts 20 000 messages of 100 bytes into a fresh queue of each version and reports
MEMORY USAGE of the queue's keys per message. Prints medians over the rounds and the
ratio after/before. Bounded: rounds x shapes x calls FCALLs.
"""
import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = "storage/redis/scripts"
KEY_PREFIXES = ["z:q:", "z:e:", "z:b:", "z:all:", "z:av:", "z:cl:", "z:dl:", "z:x:", "z:k:",
                "z:kx:", "z:out:"]
BODY = '{"event":"' + "x" * 86 + '"}'  # 100 bytes of JSON text
CLIENT = str(uuid.UUID(int=7))


def scripts_at(rev):
    """{name: text} of the scripts at a git revision (None: the working tree)."""
    out = {}
    if rev is None:
        folder = os.path.join(ROOT, SCRIPTS)
        for name in sorted(os.listdir(folder)):
            if name.endswith(".lua"):
                with open(os.path.join(folder, name)) as f:
                    out[name[:-4]] = f.read()
        return out
    names = subprocess.run(["git", "-C", ROOT, "ls-tree", "--name-only", rev, SCRIPTS + "/"],
                           check=True, capture_output=True, text=True).stdout.split()
    for path in names:
        if path.endswith(".lua"):
            out[os.path.basename(path)[:-4]] = subprocess.run(
                ["git", "-C", ROOT, "show", f"{rev}:{path}"], check=True, capture_output=True,
                text=True).stdout
    return out


def compose(name, scripts):
    """The library text as script_runner.cpp's compose() builds it."""
    after = lambda text: text.split("\n", 1)[1] if "\n" in text else ""
    source = f"#!lua name={name}\n" + after(scripts["_lib"]) + "\n"
    for script, text in scripts.items():
        if script.startswith("_"):
            continue
        source += (f"redis.register_function('{name}_{script}', function(KEYS, ARGV)\n"
                   f"begin_call(KEYS)\n{after(text)}\nend)\n")
    return source


class Redis:
    """A minimal RESP client: pipelined commands, replies parsed."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.buf = b""

    def send(self, commands):
        out = []
        for args in commands:
            out.append(b"*%d\r\n" % len(args))
            for a in args:
                a = a if isinstance(a, bytes) else str(a).encode()
                out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        return [self.read() for _ in commands]

    def call(self, *args):
        reply = self.send([args])[0]
        if isinstance(reply, Exception):
            raise reply
        return reply

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise EOFError("redis closed the connection")
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n", 1)
        return head

    def read(self):
        head = self.line()
        kind, rest = head[:1], head[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self.buf += self.sock.recv(1 << 20)
            value, self.buf = self.buf[:n], self.buf[n + 2:]
            return value
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise RuntimeError(f"unexpected reply {head!r}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def keys(tag):
    return [p + "{" + tag + "}" for p in KEY_PREFIXES]


def fcall(lib, script, tag, *argv):
    k = keys(tag)
    return ["FCALL", f"{lib}_{script}", len(k), *k, *argv]


def post_call(lib, tag, n, ttl=3600):
    argv = [CLIENT, str(len(BODY) * n), "3600", "900", str(n)]
    for _ in range(n):
        argv += [str(uuid.uuid4()), str(ttl), "", BODY]
    argv += ["0", ""]
    return fcall(lib, "post", tag, *argv)


def usec_per_call(r, commands, inner=None):
    """Runs the commands pipelined; answers FCALL usec_per_call inside Redis. With a dict
    `inner`, adds the calls of each command the functions ran (commandstats counts them)."""
    r.call("CONFIG", "RESETSTAT")
    for reply in r.send(commands):
        if isinstance(reply, Exception):
            raise reply
    usec = None
    for line in r.call("INFO", "commandstats").decode().splitlines():
        if not line.startswith("cmdstat_"):
            continue
        name, rest = line[len("cmdstat_"):].split(":", 1)
        fields = dict(kv.split("=") for kv in rest.split(","))
        if name == "fcall":
            usec = float(fields["usec_per_call"])
        elif inner is not None and not name.startswith(("config", "info")):
            inner[name] = inner.get(name, 0) + int(fields["calls"])
    if usec is None:
        raise RuntimeError("no cmdstat_fcall")
    return usec


def ids_of(r, tag, count):
    return [x.decode() for x in r.call("ZRANGE", "z:all:{" + tag + "}", 0, count - 1)]


SHAPES = ["post x1", "post x10", "list 10", "claim 10", "delete 10"]


def shape_calls(r, shape, lib, tag, calls):
    """The FCALLs of one shape against queue `tag` (prepared by prepare)."""
    if shape == "post x1":
        return [post_call(lib, tag + "-1", 1) for _ in range(calls)]
    if shape == "post x10":
        return [post_call(lib, tag + "-10", 10) for _ in range(calls)]
    if shape == "list 10":
        return [fcall(lib, "list", tag, "", "10", "1", CLIENT, "0", "0") for _ in range(calls)]
    if shape == "claim 10":
        return [fcall(lib, "claim_create", tag, str(uuid.uuid4()), "300", "60", "10")
                for _ in range(calls)]
    ids = ids_of(r, tag, calls * 10)  # the claimed ones, at the head
    return [fcall(lib, "remove_many", tag, "10", *ids[i * 10:(i + 1) * 10]) for i in range(calls)]


def one_round(r, libs, rnd, calls, chunk=50):
    """Each shape on a fresh queue per version, the two versions alternating every
    `chunk` calls (a busy machine then slows both alike): {version: {shape: [usec]}}."""
    out = {w: {s: [] for s in SHAPES} for w in libs}
    out_inner = {w: {s: {} for s in SHAPES} for w in libs}
    tags = {w: f"bench/{w}-{rnd}" for w in libs}
    for w, lib in libs.items():  # enough messages for the claims and deletes
        r.send([post_call(lib, tags[w], 10) for _ in range(calls * 2)])
    for shape in SHAPES:
        todo = {w: shape_calls(r, shape, lib, tags[w], calls) for w, lib in libs.items()}
        for i in range(0, calls, chunk):
            order = list(libs) if (i // chunk) % 2 == 0 else list(libs)[::-1]
            for w in order:
                out[w][shape].append(usec_per_call(r, todo[w][i:i + chunk],
                                                   out_inner[w][shape]))
    return out, out_inner


def bytes_per_message(r, lib, tag, count=20000):
    for i in range(0, count, 100):
        r.send([post_call(lib, tag, 10) for _ in range(10)])
    total = 0
    for key in keys(tag):
        used = r.call("MEMORY", "USAGE", key, "SAMPLES", "0")
        total += used or 0
    return total / count, {k.split(":")[1]: (r.call("MEMORY", "USAGE", k, "SAMPLES", "0") or 0) / count
                           for k in keys(tag) if r.call("EXISTS", k)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="main")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--aof", action="store_true",
                        help="appendonly yes, appendfsync everysec (as production runs)")
    args = parser.parse_args()
    libs = {"before": compose("zqbefore", scripts_at(args.before)),
            "after": compose("zqafter", scripts_at(None))}
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="layout_cost.")
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                               "--save", "", "--appendonly", "yes" if args.aof else "no",
                               "--appendfsync", "everysec", "--dir", workdir],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                r = Redis(port)
                r.call("PING")
                break
            except OSError:
                time.sleep(0.05)
        else:
            sys.exit("redis-server did not start")
        lib_names = {"before": "zqbefore", "after": "zqafter"}
        for which, source in libs.items():
            r.call("FUNCTION", "LOAD", "REPLACE", source)
        results = {w: {s: [] for s in SHAPES} for w in libs}
        inner = {w: {s: {} for s in SHAPES} for w in libs}
        for rnd in range(args.rounds):
            times, counts = one_round(r, lib_names, rnd, args.calls)
            for w, shapes in times.items():
                for shape, values in shapes.items():
                    results[w][shape] += values
                    for name, n in counts[w][shape].items():
                        inner[w][shape][name] = inner[w][shape].get(name, 0) + n
            r.call("FLUSHALL")
        print(f"usec_per_call inside Redis, median over chunks of 50 calls, {args.rounds} rounds"
              f" x {args.calls} calls per shape, AOF {'everysec' if args.aof else 'off'}"
              f" (before = {args.before}, after = working tree)")
        print(f"{'shape':<10} {'before':>8} {'after':>8} {'after/before':>13}")
        for shape in results["before"]:
            b = statistics.median(results["before"][shape])
            a = statistics.median(results["after"][shape])
            print(f"{shape:<10} {b:8.1f} {a:8.1f} {a / b:13.2f}")
        print("Redis commands run inside one call (per FCALL; deterministic)")
        per = args.rounds * args.calls
        for shape in SHAPES:
            for w in ("before", "after"):
                counts = inner[w][shape]
                detail = " ".join(f"{k}={v / per:g}" for k, v in sorted(counts.items()))
                print(f"{shape:<10} {w:<6} {sum(counts.values()) / per:5.1f}  {detail}")
        print("bytes per message (MEMORY USAGE of the queue's keys, 20 000 posts of 100 bytes)")
        for which in ("before", "after"):
            total, per_key = bytes_per_message(r, lib_names[which], f"mem/{which}")
            detail = ", ".join(f"{k} {v:.0f}" for k, v in per_key.items() if v >= 1)
            print(f"{which:<7} {total:6.0f}  ({detail})")
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
