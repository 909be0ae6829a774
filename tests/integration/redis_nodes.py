"""Real redis-server processes for the integration tests that build their own Redis
topology (Sentinel group, Redis Cluster): a node started and stopped by PID, a few parsed
RESP calls, a bounded wait, and reading a queue back through the API."""

import os
import signal
import socket
import subprocess
import time

from zaqard_harness import _wait_port


# --- a few RESP calls, parsed (the harness' RedisProcess.command answers raw bytes) -------

def _read_reply(f):
    line = f.readline()
    kind, rest = line[:1], line[1:-2]
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
        data = f.read(n + 2)[:-2]
        return data.decode(errors="replace")
    if kind == b"*":
        n = int(rest)
        return None if n < 0 else [_read_reply(f) for _ in range(n)]
    raise RuntimeError(f"bad RESP reply {line!r}")


def redis_call(port, *args, timeout=2.0):
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        a = str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(b"".join(parts))
        with s.makefile("rb") as f:
            return _read_reply(f)


def wait_for(what, condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Node:
    """One redis-server (data node or sentinel) started by this test, stopped by PID."""

    def __init__(self, workdir, name, args, port):
        self.port = port
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        log = open(os.path.join(self.dir, "log"), "ab")
        self.proc = subprocess.Popen(args(self.dir), stdout=log, stderr=subprocess.STDOUT)
        log.close()
        _wait_port(self.port, self.proc, 10, name)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def read_all_ids(client, queue):
    """Every message id of the queue, following the list links (bounded)."""
    ids = set()
    params = {"limit": 20, "echo": "true", "include_claimed": "true"}
    for _ in range(2000):
        r = client.get(f"/v2/queues/{queue}/messages", params=params)
        assert r.status in (200, 204), r
        if r.status == 204:
            break
        body = r.json
        if not body["messages"]:
            break
        ids.update(m["id"] for m in body["messages"])
        nxt = [link["href"] for link in body["links"] if link["rel"] == "next"]
        if not nxt:
            break
        marker = nxt[0].split("marker=")[1].split("&")[0]
        params["marker"] = marker
    return ids
