"""Real notification endpoints for the tests: a webhook receiver (http.server on a
loopback thread) that can fail its first N requests or hang, an SMTP sink (aiosmtpd in
a thread), and an SMTP relay with STARTTLS/AUTH (aiosmtpd in its own process). All record
what they received so tests can wait for it."""

import json
import os
import subprocess
import threading
import time

from zaqard_harness import QuietHttpHandler, free_port, serve_http_in_thread, stop_http_server


class WebhookReceiver:
    """Records every POST as {"path", "headers", "body", "json"}.

    fail_first: answer `fail_status` to that many requests before succeeding.
    hang_first: hold that many requests for `hang_seconds` before answering 200; they are
    not counted as deliveries (the sender may be gone by then).
    """

    def __init__(self, fail_first=0, fail_status=500, hang_first=0, hang_seconds=30.0,
                 port=None):
        self.port = port or free_port()
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.hang_first = hang_first
        self.hang_seconds = hang_seconds
        self.requests = []  # successful deliveries
        self.attempts = []  # every request, failed ones included
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.server = None

    def url(self, path="/hook"):
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self):
        receiver = self

        class Handler(QuietHttpHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                try:
                    parsed = json.loads(body.decode("utf-8"))
                except ValueError:
                    parsed = None
                record = {"path": self.path, "headers": dict(self.headers.items()),
                          "body": body, "json": parsed, "time": time.monotonic()}
                with receiver.cond:
                    receiver.attempts.append(record)
                    n = len(receiver.attempts)
                hang = n <= receiver.hang_first
                fail = not hang and n - receiver.hang_first <= receiver.fail_first
                if hang:
                    time.sleep(receiver.hang_seconds)
                status = receiver.fail_status if fail else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                if not fail and not hang:
                    with receiver.cond:
                        receiver.requests.append(record)
                        receiver.cond.notify_all()

        self.server = serve_http_in_thread(self.port, Handler)
        return self

    def stop(self):
        if self.server:
            stop_http_server(self.server)
            self.server = None

    def wait_for(self, count, timeout=15.0, predicate=None):
        """Waits until `count` successful deliveries (matching `predicate`) arrived."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                got = [r for r in self.requests if predicate is None or predicate(r)]
                if len(got) >= count:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} deliveries, got {len(got)}: "
                        f"{[r['json'] for r in got][:10]}")
                self.cond.wait(left)

    def payloads(self, path=None):
        with self.lock:
            return [r["json"] for r in self.requests if path is None or r["path"] == path]


class SmtpSink:
    """A local SMTP server (aiosmtpd) that keeps every message it accepts."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        sink = self
        self.messages = []
        self.cond = threading.Condition()

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                with sink.cond:
                    sink.messages.append({"from": envelope.mail_from,
                                          "to": list(envelope.rcpt_tos),
                                          "data": envelope.content.decode("utf-8", "replace")})
                    sink.cond.notify_all()
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    def wait_for(self, count, timeout=20.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} e-mails, got {len(self.messages)}")
                self.cond.wait(left)
            return list(self.messages)


class SmtpRelayProcess:
    """aiosmtpd in its own process: the unit tests' helpers/smtp_sink.py, stopped by PID.

    tls: (cert_file, key_file) offers STARTTLS and requires it before MAIL.
    auth: (user, password) requires a login (after STARTTLS when tls is set).
    messages(): {"mail_from", "rcpt_tos", "data", "auth" (bool), "tls", "tls_version"}.
    A relay of its own answers as fast as a real one. The TLS 1.3 hang in libesmtp
    showed with it, and not with SmtpSink, which runs in a pytest thread.
    """

    SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "unit", "helpers",
                          "smtp_sink.py")

    def __init__(self, workdir, tls=None, auth=None):
        self.record = os.path.join(workdir, "smtp-relay.jsonl")
        self.args = ["/usr/bin/python3", self.SCRIPT, self.record]
        if tls:
            self.args += ["--tls", *tls]
        if auth:
            self.args += ["--auth", ":".join(auth)]
        self.proc = None
        self.port = None

    def start(self):
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE)
        line = self.proc.stdout.readline()  # the port; empty if the relay died
        if not line.strip():
            self.stop()
            raise RuntimeError("the SMTP relay did not start")
        self.port = int(line)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.proc.stdout.close()

    def messages(self):
        try:
            with open(self.record) as f:
                return [json.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            return []

    def wait_for(self, count, timeout=20.0):
        deadline = time.monotonic() + timeout
        while True:
            messages = self.messages()
            if len(messages) >= count:
                return messages
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} e-mails, got {len(messages)}")
            time.sleep(0.05)
