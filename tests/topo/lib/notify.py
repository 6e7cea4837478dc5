# SPDX-License-Identifier: ISC
"""A stand-in for systemd's notification socket: records what a service sends with sd_notify().

The program gets NOTIFY_SOCKET=<path>; each datagram it sends ("READY=1\\nSTATUS=running") is kept
as a Notification with its arrival time, in order.
"""

import os
import socket
import threading
import time
from dataclasses import dataclass, field

from .wait import Timeout


@dataclass
class Notification:
    """One sd_notify datagram: its fields and the monotonic time it arrived."""
    fields: dict
    received: float = field(default_factory=time.monotonic)

    def has(self, key, value=None):
        """True when the datagram carries KEY (with VALUE, when given)."""
        return key in self.fields and (value is None or self.fields[key] == value)


def parse(datagram):
    """"A=1\\nB=x" -> {"A": "1", "B": "x"}."""
    out = {}
    for line in datagram.decode("utf-8", "replace").split("\n"):
        if "=" in line:
            key, value = line.split("=", 1)
            out[key] = value
    return out


class NotifyListener:
    """A bound unix datagram socket and a thread that collects what arrives on it."""

    def __init__(self, path):
        self.path = str(path)
        self.messages = []
        self._cond = threading.Condition()
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.bind(self.path)
        self._sock.settimeout(0.2)
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name=f"notify {self.path}",
                                        daemon=True)
        self._thread.start()

    def _loop(self):
        while not self._closed:
            try:
                data = self._sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            with self._cond:
                self.messages.append(Notification(parse(data)))
                self._cond.notify_all()

    def count(self):
        """How many datagrams arrived so far (a mark for wait(..., after=mark))."""
        with self._cond:
            return len(self.messages)

    def find(self, key, value=None, after=0):
        """The datagrams from index `after` on that carry KEY(=VALUE)."""
        with self._cond:
            return [m for m in self.messages[after:] if m.has(key, value)]

    def wait(self, key, value=None, after=0, timeout=5.0):
        """Wait for a datagram (index >= after) with KEY(=VALUE); return its index."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for i in range(after, len(self.messages)):
                    if self.messages[i].has(key, value):
                        return i
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [m.fields for m in self.messages[after:]]
                    raise Timeout(f"no {key}{'=' + value if value else ''} notification after "
                                  f"{timeout} s; received: {seen}")
                self._cond.wait(left)

    def close(self):
        self._closed = True
        self._thread.join(timeout=2)
        self._sock.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
