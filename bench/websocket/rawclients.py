"""Minimal asyncio clients on raw sockets for the WebSocket benches: a WebSocket client
(RFC 6455 handshake, masked text frames) and an HTTP/1.1 keep-alive client, so REST and
WebSocket are measured with the same Python machinery (which is the bottleneck: compare
the two side by side, not with a C load generator)."""

import asyncio
import base64
import json
import os
import struct


class WsConnection:
    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer
        self.connection_id = None

    @classmethod
    async def open(cls, host, port, path="/"):
        reader, writer = await asyncio.open_connection(host, port)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                      f"Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            raise RuntimeError(f"handshake refused: {head[:200]!r}")
        conn = cls(reader, writer)
        for line in head.decode("latin-1").split("\r\n"):
            if line.lower().startswith("x-zaqard-connection-id:"):
                conn.connection_id = line.split(":", 1)[1].strip()
        return conn

    def send_text(self, text):
        payload = text.encode() if isinstance(text, str) else text
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            header = struct.pack("!BB", 0x81, 0x80 | n)
        elif n < 65536:
            header = struct.pack("!BBH", 0x81, 0x80 | 126, n)
        else:
            header = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
        # XOR with the mask as one big integer: much faster than a per-byte loop.
        m = (mask * (n // 4 + 1))[:n]
        masked = (int.from_bytes(payload, "big") ^ int.from_bytes(m, "big")).to_bytes(n, "big")
        self.writer.write(header + mask + masked)

    async def recv(self):
        """The next data frame's payload (bytes); answers pings, raises on close."""
        while True:
            b1, b2 = await self.reader.readexactly(2)
            n = b2 & 0x7F
            if n == 126:
                n = struct.unpack("!H", await self.reader.readexactly(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", await self.reader.readexactly(8))[0]
            data = await self.reader.readexactly(n)
            opcode = b1 & 0x0F
            if opcode == 0x8:
                raise ConnectionError(f"closed by server: {data[:2].hex()}")
            if opcode == 0x9:
                continue
            return data

    async def call(self, frame):
        self.send_text(json.dumps(frame))
        return json.loads(await self.recv())

    def close(self):
        self.writer.close()


class HttpConnection:
    def __init__(self, reader, writer, host, port):
        self.reader, self.writer, self.host, self.port = reader, writer, host, port

    @classmethod
    async def open(cls, host, port):
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer, host, port)

    def send(self, method, path, headers, body=b""):
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)

    async def response(self):
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        body = await self.reader.readexactly(length) if length else b""
        return status, body

    def close(self):
        self.writer.close()
