"""A small Zaqar WebSocket client for the tests: frames in Zaqar's shape over Debian's
python3-websocket (websocket-client), JSON text frames or MessagePack binary frames."""

import json
import uuid

import msgpack
import websocket


class WsClient:
    def __init__(self, url, project=None, client_id=None, timeout=15, **kw):
        self.project = project or "p-" + uuid.uuid4().hex
        self.client_id = client_id or str(uuid.uuid4())
        self.ws = websocket.create_connection(url, timeout=timeout, **kw)
        # zaqard names the connection in its upgrade response.
        self.connection_id = (self.ws.getheaders() or {}).get("x-zaqard-connection-id")

    def close(self):
        self.ws.close()

    def headers(self, **extra):
        h = {"Client-ID": self.client_id, "X-Project-ID": self.project}
        h.update(extra)
        return h

    def frame(self, action, body=None, headers=None):
        f = {"action": action, "headers": self.headers() if headers is None else headers}
        if body is not None:
            f["body"] = body
        return f

    def send(self, frame, binary=False):
        if binary:
            self.ws.send_binary(msgpack.packb(frame, use_bin_type=True))
        else:
            self.ws.send(frame if isinstance(frame, (str, bytes)) else json.dumps(frame))

    def recv(self):
        """The next frame, decoded; returns (value, was_binary)."""
        opcode, data = self.ws.recv_data()
        if opcode == websocket.ABNF.OPCODE_BINARY:
            return msgpack.unpackb(data, raw=False), True
        return json.loads(data.decode("utf-8")), False

    def call(self, action, body=None, headers=None, binary=False):
        self.send(self.frame(action, body, headers), binary=binary)
        value, was_binary = self.recv()
        assert was_binary == binary, value
        return value

    def status_body(self, action, body=None, headers=None, binary=False):
        r = self.call(action, body, headers, binary)
        return r["headers"]["status"], r["body"]
