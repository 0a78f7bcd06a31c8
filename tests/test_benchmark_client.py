"""The benchmarks' plain HTTP/1.1 client reads answers as servers send them: a wrong read
would count a sale that did not happen, or an error that was not one."""

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

from tooling import http1


def run(coroutine) -> None:
    """The scenario on an event loop of its own thread: the browser tests' Playwright keeps
    a loop running on this one."""
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, coroutine).result()

ANSWERS = [
    # Content-Length, two cookies
    b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 11\r\n"
    b"Set-Cookie: wr_visitor=abc; Path=/; HttpOnly\r\nSet-Cookie: wr_pass_7=xyz; Path=/\r\n\r\n"
    b'{"ok":true}',
    # chunked, with a trailer
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=1\r\n world\r\n0\r\nX-T: 1\r\n\r\n",
    # a redirect with no body
    b"HTTP/1.1 204 No Content\r\nHX-Redirect: /basket/\r\n\r\n",
    # closed by the server after its answer
    b"HTTP/1.1 409 Conflict\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}",
]


def test_answers_are_read_whole_on_one_kept_alive_connection():
    async def scenario():
        requests, connections = [], []
        answers = iter(ANSWERS)

        async def serve(reader, writer):
            connections.append(writer)
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(next((line.split(b":")[1] for line in head.split(b"\r\n")
                                   if line.lower().startswith(b"content-length")), b"0"))
                requests.append((head.split(b"\r\n")[0], await reader.readexactly(length)))
                answer = next(answers, None)
                if answer is None:
                    break
                writer.write(answer)
                await writer.drain()
                if b"Connection: close" in answer:
                    break
            writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        connection = http1.Connection(f"http://127.0.0.1:{port}", timeout=5)
        try:
            status, headers, body = await connection.request("POST", "/api/v1/holds/", json={"zone": 3})
            assert status == 201 and json.loads(body) == {"ok": True}
            assert http1.cookies(headers) == {"wr_visitor": "abc", "wr_pass_7": "xyz"}
            assert await connection.request("GET", "/chunked") == (200, {"transfer-encoding": "chunked"},
                                                                   b"hello world")
            status, headers, body = await connection.request("GET", "/queue/")
            assert (status, headers["hx-redirect"], body) == (204, "/basket/", b"")
            assert (await connection.json("POST", "/api/v1/orders/", json={}))[0] == 409
            assert len(connections) == 1  # one connection kept alive for all four
            assert connection.writer is None  # the server said it closes: so do we
        finally:
            await connection.close()
            server.close()
        assert requests[0] == (b"POST /api/v1/holds/ HTTP/1.1", json.dumps({"zone": 3}).encode())

    run(scenario())


def test_a_connection_dropped_mid_answer_is_an_error_not_a_result():
    async def scenario():
        async def serve(reader, writer):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 201 Created\r\nContent-Length: 100\r\n\r\n{\"tick")
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        connection = http1.Connection(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", timeout=5)
        try:
            try:
                await connection.request("POST", "/api/v1/orders/", json={})
            except asyncio.IncompleteReadError:
                pass
            else:
                raise AssertionError("a cut answer was taken for a whole one")
            assert connection.writer is None  # closed: the next request connects again
        finally:
            server.close()

    run(scenario())


def test_a_kept_alive_connection_the_server_let_go_is_opened_again():
    """A server closes idle kept-alive connections: the next request must not be lost on one."""
    async def scenario():
        served = []

        async def serve(reader, writer):
            await reader.readuntil(b"\r\n\r\n")
            served.append(1)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()
            writer.close()  # idle from here: let go, without saying so in the answer

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        connection = http1.Connection(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", timeout=5)
        try:
            assert (await connection.request("GET", "/queue/"))[0] == 200
            await asyncio.sleep(0.1)  # the server's close arrives
            assert (await connection.request("GET", "/queue/"))[0] == 200
            assert len(served) == 2
        finally:
            await connection.close()
            server.close()

    run(scenario())


def test_an_answer_that_is_not_http_is_a_value_error():
    async def scenario():
        async def serve(reader, writer):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"SSH-2.0-OpenSSH\r\n\r\n")
            await writer.drain()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        connection = http1.Connection(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", timeout=5)
        try:
            await connection.request("GET", "/healthz")
        except ValueError:
            assert connection.writer is None
        else:
            raise AssertionError("a garbled answer was read as HTTP")
        finally:
            server.close()

    run(scenario())
