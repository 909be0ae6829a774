"""Real notification endpoints for the tests: a webhook receiver (http.server on a
loopback thread) that can fail its first N requests or hang, and an SMTP sink
(aiosmtpd). Both record what they received so tests can wait for it."""

import json
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
