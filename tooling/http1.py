"""A plain HTTP/1.1 client over asyncio streams, for the benchmarks' simulated clients.

On this machine a benchmark's clients share the two cores with the servers they measure.
A full HTTP client library (aiohttp) spent about 1.5 ms of CPU per API request, a quarter of
what the box office itself spends on one, so the figure measured the client as much as
the servers; a real crowd's clients are elsewhere. This one keeps a connection alive and
sends one request at a time on it, reading a Content-Length or chunked answer. It is for
talking to our own servers in a benchmark, nothing else.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
from urllib.parse import urlsplit


class Connection:
    """One keep-alive connection to `base` (http://host:port)."""

    def __init__(self, base: str, timeout: float = 30.0):
        url = urlsplit(base)
        self.host, self.port, self.timeout = url.hostname, url.port or 80, timeout
        self.netloc = url.netloc
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None

    async def request(self, method: str, path: str, *, json=None, headers: dict | None = None,
                      ) -> tuple[int, dict[str, str], bytes]:
        """Send one request; returns the status, the headers (names lower-cased; several
        Set-Cookie joined by newlines, see `cookies`) and the body. A broken connection is
        closed and its error raised (a POST is not sent twice)."""
        try:
            return await asyncio.wait_for(self._exchange(method, path, json, headers or {}), self.timeout)
        except BaseException:
            await self.close()
            raise

    async def json(self, method: str, path: str, **kw) -> tuple[int, object]:
        """A request whose answer is JSON: the status and the decoded body (None if empty)."""
        status, _headers, body = await self.request(method, path, **kw)
        return status, jsonlib.loads(body) if body else None

    async def _exchange(self, method, path, json, headers) -> tuple[int, dict[str, str], bytes]:
        if self.writer is not None and self.reader.at_eof():  # the server let an idle one go
            await self.close()
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        body = b"" if json is None else jsonlib.dumps(json).encode()
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.netloc}", f"Content-Length: {len(body)}"]
        if json is not None:
            head.append("Content-Type: application/json")
        head.extend(f"{name}: {value}" for name, value in headers.items())
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        reader = self.reader
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionResetError("the server closed the connection")
        parts = status_line.split()
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
            raise ValueError(f"not an HTTP/1.1 status line: {status_line[:80]!r}")
        status = int(parts[1])
        got: dict[str, str] = {}
        while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            got[name] = f"{got[name]}\n{value}" if name == "set-cookie" and name in got else value
        if "content-length" in got:
            data = await reader.readexactly(int(got["content-length"]))
        elif got.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while size := int((await reader.readline()).split(b";")[0], 16):
                parts.append(await reader.readexactly(size))
                await reader.readline()
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):  # trailers
                pass
            data = b"".join(parts)
        elif status in (204, 304) or 100 <= status < 200:
            data = b""
        else:
            data = await reader.read()
            got["connection"] = "close"
        if got.get("connection", "").lower() == "close":
            await self.close()
        return status, got, data


def cookies(headers: dict[str, str]) -> dict[str, str]:
    """The cookies an answer sets: name to value."""
    out = {}
    for line in headers.get("set-cookie", "").split("\n"):
        name, sep, value = line.split(";", 1)[0].partition("=")
        if sep:
            out[name.strip()] = value.strip()
    return out


class Pool:
    """Up to `size` keep-alive connections to `base`, shared by many simulated browsers
    (a connection serves one request at a time). The one used last is used next, so
    connections a quiet moment leaves idle are the ones that age out."""

    def __init__(self, base: str, size: int, timeout: float = 30.0):
        self.base, self.timeout = base, timeout
        self.free: asyncio.LifoQueue[Connection] = asyncio.LifoQueue()
        for _ in range(size):
            self.free.put_nowait(Connection(base, timeout))

    async def request(self, method: str, path: str, **kw) -> tuple[int, dict[str, str], bytes]:
        connection = await self.free.get()
        try:
            return await connection.request(method, path, **kw)
        finally:
            self.free.put_nowait(connection)

    async def json(self, method: str, path: str, **kw) -> tuple[int, object]:
        status, _headers, body = await self.request(method, path, **kw)
        return status, jsonlib.loads(body) if body else None

    async def close(self) -> None:
        while not self.free.empty():
            await self.free.get_nowait().close()
