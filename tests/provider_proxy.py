"""A real TCP proxy between the box office and the local payment provider (localstripe),
which misbehaves on the requests a test names: the provider does the work, and its answer
is lost on the way back (`cut`: the connection is closed; `stall`: it never comes), as a
network that fails after the request was sent does. Nothing stands in for the provider:
every request reaches the real one, or none does."""

from __future__ import annotations

import re
import socket
import threading
from urllib.parse import urlsplit


class ProviderProxy:
    def __init__(self, upstream: str):
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname, parts.port)
        self.server = socket.create_server(("127.0.0.1", 0))  # a free port the system gives
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.faults: list[tuple] = []
        self.seen: list[str] = []  # "METHOD /path" of every request passed on, in order
        self.connections = 0  # opened to the proxy by the box office
        self.stalled: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def fault(self, method: str, path: str, action: str, times: int = 1, then=None) -> None:
        """The next `times` requests `method` whose path matches `path` (a regular
        expression) reach the provider, and then: `cut`, the connection is closed without
        its answer; `stall`, the answer is kept and the connection held open; `pass`, it is
        answered. `then()`, if given, runs once the provider has answered, before the
        answer goes (or is lost): what happens elsewhere meanwhile (the provider's webhook)."""
        with self.lock:
            self.faults.append((method, re.compile(path), action, [times], then))

    def count(self, method: str, path: str) -> int:
        return sum(1 for seen in self.seen if re.fullmatch(f"{method} {path}", seen))

    def close(self) -> None:
        self.server.close()
        for sock in self.stalled:
            sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _action(self, method: str, path: str) -> tuple:
        with self.lock:
            for wanted, pattern, action, left, then in self.faults:
                if wanted == method and pattern.fullmatch(path) and left[0] > 0:
                    left[0] -= 1
                    return action, then
        return "pass", None

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self.server.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        buffer = b""
        try:
            while True:
                request, buffer = _read_message(client, buffer)
                if request is None:
                    return
                method, path = request.split(b" ", 2)[:2]
                method, path = method.decode(), path.decode().split("?")[0]
                self.seen.append(f"{method} {path}")
                answer = _exchange(self.upstream, request)
                action, then = self._action(method, path)
                if then is not None:
                    then()
                if action == "cut":
                    return
                if action == "stall":
                    self.stalled.append(client)
                    client = None
                    return
                client.sendall(answer)
        except OSError:
            return
        finally:
            if client is not None:
                client.close()


def _read_message(sock: socket.socket, buffer: bytes) -> tuple[bytes | None, bytes]:
    """One HTTP request (its head and a Content-Length body) from `sock`."""
    while b"\r\n\r\n" not in buffer:
        data = sock.recv(65536)
        if not data:
            return None, b""
        buffer += data
    head, rest = buffer.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _sep, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        data = sock.recv(65536)
        if not data:
            return None, b""
        rest += data
    return head + b"\r\n\r\n" + rest[:length], rest[length:]


def _exchange(upstream: tuple, request: bytes) -> bytes:
    """Send `request` to the provider on a connection of its own and read its whole answer
    (the provider is asked to close the connection after it), to be handed back on the box
    office's connection, which stays open: the answer's own `Connection: close` is left out."""
    head, body = request.split(b"\r\n\r\n", 1)
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    with socket.create_connection(upstream, timeout=30) as sock:
        sock.sendall(b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body)
        chunks = []
        while data := sock.recv(65536):
            chunks.append(data)
    head, body = b"".join(chunks).split(b"\r\n\r\n", 1)
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body
