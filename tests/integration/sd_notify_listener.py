"""The service manager's side of sd_notify(3): a unix datagram socket whose path goes into
zaqard's NOTIFY_SOCKET, as systemd sets it for a Type=notify service. Each datagram is a
list of VAR=value lines (READY=1, STATUS=..., STOPPING=1)."""

import os
import socket
import tempfile
import time


class NotifyListener:
    def __init__(self):
        # A short path: sun_path holds 108 bytes, pytest's tmp_path can be longer.
        self.dir = tempfile.mkdtemp(prefix="zq-notify-", dir="/tmp")
        self.path = os.path.join(self.dir, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.messages = []  # every datagram received, as {VAR: value}

    def _receive(self, timeout):
        self.sock.settimeout(max(timeout, 0.001))
        try:
            data = self.sock.recv(4096)
        except socket.timeout:
            return None
        fields = dict(line.split("=", 1) for line in data.decode().splitlines() if "=" in line)
        self.messages.append(fields)
        return fields

    def wait_for(self, var, value, timeout):
        """The first datagram with var=value within `timeout` s, else None."""
        for fields in self.messages:
            if fields.get(var) == value:
                return fields
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            fields = self._receive(deadline - time.monotonic())
            if fields is not None and fields.get(var) == value:
                return fields
        return None

    def drain(self, timeout):
        """Every datagram arriving within `timeout` s."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._receive(deadline - time.monotonic())
        return list(self.messages)

    def close(self):
        self.sock.close()
        try:
            os.unlink(self.path)
            os.rmdir(self.dir)
        except OSError:
            pass
