"""The benchmarks' plain HTTP/1.1 client reads answers as servers send them: a wrong read
would count a sale that did not happen, or an error that was not one."""

import asyncio
import contextlib
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from tooling import http1


def run(coroutine) -> None:
    """The scenario on an event loop of its own thread: the browser tests' Playwright keeps
    a loop running on this one."""
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, coroutine).result()


@contextlib.asynccontextmanager
async def connected(serve):
    """A local server answering with `serve(reader, writer)` per connection, and a client
    connection to it; both closed at the end."""
    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    connection = http1.Connection(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", timeout=5)
    try:
        yield connection
    finally:
        await connection.close()
        server.close()


def answering(answer: bytes, *, close: bool, served: list | None = None):
    """A server that reads one request on each connection and sends `answer`."""
    async def serve(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        if served is not None:
            served.append(1)
        writer.write(answer)
        await writer.drain()
        if close:
            writer.close()
    return serve


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

        async with connected(serve) as connection:
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
        assert requests[0] == (b"POST /api/v1/holds/ HTTP/1.1", json.dumps({"zone": 3}).encode())

    run(scenario())



def test_a_connection_dropped_mid_answer_is_an_error_not_a_result():
    async def scenario():
        cut = b"HTTP/1.1 201 Created\r\nContent-Length: 100\r\n\r\n{\"tick"
        async with connected(answering(cut, close=True)) as connection:
            with pytest.raises(asyncio.IncompleteReadError):  # not a whole answer
                await connection.request("POST", "/api/v1/orders/", json={})
            assert connection.writer is None  # closed: the next request connects again

    run(scenario())


def test_a_kept_alive_connection_the_server_let_go_is_opened_again():
    """A server closes idle kept-alive connections: the next request must not be lost on one."""
    async def scenario():
        served = []
        # idle after its answer, the server lets the connection go without saying so in it
        ok = answering(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", close=True, served=served)
        async with connected(ok) as connection:
            assert (await connection.request("GET", "/queue/"))[0] == 200
            await asyncio.sleep(0.1)  # the server's close arrives
            assert (await connection.request("GET", "/queue/"))[0] == 200
            assert len(served) == 2

    run(scenario())


def test_an_answer_that_is_not_http_is_a_value_error():
    async def scenario():
        async with connected(answering(b"SSH-2.0-OpenSSH\r\n\r\n", close=False)) as connection:
            with pytest.raises(ValueError, match="not an HTTP/1.1 status line"):
                await connection.request("GET", "/healthz")
            assert connection.writer is None

    run(scenario())


@pytest.mark.django_db(transaction=True)
def test_the_crowds_counter_clerks_pay_cash_whatever_coin_the_total_rounds_to(live_server):
    """The crowd's counter terminals sell as a clerk does, paying in cash. Cash is paid to
    the coin (CASH_ROUNDING): a total of 10.03 is 10.05 in cash, and the exact total
    tendered is refused as short. Each sale goes through: no error is counted."""
    from collections import Counter, defaultdict

    from sales.models import Place
    from tests.support import make_performance
    from tooling import terminals

    perf = make_performance(rows=1, per_row=4, price="10.03")
    staff = terminals.accounts(counters=1, phones=0)
    errors, sales, latencies = Counter(), Counter(), defaultdict(list)
    run(terminals.staff_at_work(live_server.url, staff, None, [], lambda: False, latencies, errors, sales,
                                pause=0, deadline=""))  # signed in, a shift open
    run(terminals.staff_at_work(live_server.url, staff, perf.pk, [perf.price_zones.get().pk], lambda: False,
                                latencies, errors, sales, pause=0, deadline=""))
    assert errors == Counter() and sales["counter"] >= 2
    assert Place.objects.filter(performance=perf, state="sold").count() == 4
