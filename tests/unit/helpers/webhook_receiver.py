"""A webhook receiver for the notifier tests.

Usage: webhook_receiver.py RECORD_FILE
Listens on a free loopback port, prints it on the first stdout line, and appends one
JSON line per request to RECORD_FILE: {"method", "path", "headers": [[name, value]...],
"body"}. The path chooses the answer:
  /status/<code>      answer <code>
  /flaky/<n>/<name>   answer 503 to the first <n> requests of that path, then 200
  /hang               never answer (until the client gives up)
  /redirect           302 to /status/200
  anything else       200
"""
import http.server
import json
import sys
import threading
import time

RECORD = sys.argv[1]
lock = threading.Lock()
counts = {}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("utf-8", "replace")
        with lock:
            with open(RECORD, "a") as f:
                f.write(json.dumps({"method": self.command, "path": self.path,
                                    "headers": list(self.headers.items()),
                                    "body": body}) + "\n")
            counts[self.path] = counts.get(self.path, 0) + 1
            seen = counts[self.path]
        parts = self.path.strip("/").split("/")
        status, extra = 200, {}
        if parts[0] == "status":
            status = int(parts[1])
        elif parts[0] == "flaky":
            status = 503 if seen <= int(parts[1]) else 200
        elif parts[0] == "hang":
            time.sleep(60)
            return
        elif parts[0] == "redirect":
            status, extra = 302, {"Location": "/status/200"}
        self.send_response(status)
        for k, v in extra.items():
            self.send_header(k, v)
        body = b"" if status in (204, 304) else b"ok"
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
