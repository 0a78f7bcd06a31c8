"""The venue's staff on the night, for the crowd benchmark: counter clerks and phone
operators, each signed in with their own account and session, selling through their own
door's pages as they use them (the form posts and the pages they land on, redirects
followed one request at a time, so each is timed as the person waits for it).

- a counter terminal: sale of 1-2 best seats in a zone (the home page's quick-sale form),
  the sale page, cash tendered, the order page ("Sold. Change due");
- a phone operator: a new caller, the caller's page, 1-2 best seats in a zone, the sale
  page, a reservation to pay later (no card number: the console's card form is the
  payment provider's), the order page.

A zone that holds nothing more for them ("Nothing held") is dropped; a terminal stops
when none is left or when `until()` says so. Any other answer than the page expected is
an error, counted by channel and step.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

ATTEMPT = re.compile(r'name="attempt" value="([^"]*)"')
# The sale's total, as its page gives it.
TOTAL = re.compile(r'id="total" data-amount="([0-9.]+)"')
PASSWORD = "crowd-staff-only"


def tendered(total: str) -> str:
    """Cash for a sale of `total`: the next whole amount, as a customer hands notes and
    coins. The total itself may be short: cash is paid to the coin (CASH_ROUNDING), 10.03
    is 10.05 (and far more would be refused as mistyped)."""
    return str(Decimal(total).to_integral_value(rounding=ROUND_CEILING))


@dataclass
class Account:
    channel: str  # "counter" or "phone"
    username: str
    cookies: dict = field(default_factory=dict)  # the signed-in session, kept between phases


def accounts(counters: int, phones: int) -> list[Account]:
    """The staff accounts (made or reset here), one per terminal."""
    from django.contrib.auth.models import Group, User

    from sales.roles import ensure_roles

    ensure_roles()
    out = []
    for channel, group, n in (("counter", "counter clerk", counters), ("phone", "phone operator", phones)):
        for i in range(n):
            user, made = User.objects.get_or_create(username=f"crowd-{channel}-{i + 1}")
            if made or not user.check_password(PASSWORD):
                user.set_password(PASSWORD)
                user.save()
            user.groups.add(Group.objects.get(name=group))
            out.append(Account(channel, user.username))
    return out


class Refused(Exception):
    pass


class Terminal:
    def __init__(self, base: str, account: Account, session, lat: dict, errors: Counter, measuring,
                 by_step: dict | None = None):
        self.base, self.account, self.s = base, account, session
        self.lat, self.errors, self.measuring, self.by_step = lat, errors, measuring, by_step

    def csrf(self) -> str:
        for cookie in self.s.cookie_jar:
            if cookie.key == "csrftoken":
                return cookie.value
        return ""

    async def go(self, method: str, path: str, data: dict | None = None, expect=(200,), step: str = ""):
        headers = {"X-CSRFToken": self.csrf(), "Referer": self.base + "/"} if method == "POST" else {}
        t0 = time.perf_counter()
        async with self.s.request(method, self.base + path, data=data, headers=headers,
                                  allow_redirects=False) as r:
            body = await r.text()
        if self.measuring():
            ms = (time.perf_counter() - t0) * 1000
            self.lat[self.account.channel].append(ms)
            if self.by_step is not None:
                self.by_step.setdefault(f"{self.account.channel} {step}", []).append(ms)
        if r.status not in expect:
            self.errors[f"{self.account.channel} {step} {r.status}"] += 1
            raise Refused(step)
        return r.headers.get("Location", ""), body

    async def sign_in(self) -> None:
        await self.go("GET", "/login/", step="login page")
        await self.go("POST", "/login/", {"username": self.account.username, "password": PASSWORD,
                                          "csrfmiddlewaretoken": self.csrf()}, expect=(302,), step="sign in")
        if self.account.channel == "counter":
            await self.go("POST", "/counter/shift/open/", {"cash_float": "200.00"}, expect=(302,), step="shift")
        self.account.cookies = {c.key: c.value for c in self.s.cookie_jar}


async def _counter_sale(t: Terminal, perf_id: int, zone: int, qty: int, pause) -> bool:
    where, _ = await t.go("POST", "/counter/sale/", {"performance": perf_id, "zone": zone, "quantity": qty},
                          expect=(302,), step="hold")
    if "/counter/sale/" not in where:
        return False  # "Nothing held": back to the home page
    await pause()
    _, page = await t.go("GET", where, step="sale page")
    await pause()
    order, _ = await t.go("POST", where, {"attempt": ATTEMPT.search(page)[1],
                                          "tendered": tendered(TOTAL.search(page)[1])}, expect=(302,), step="pay")
    await t.go("GET", order, step="order page")
    return True


async def _phone_call(t: Terminal, perf_id: int, zones: list[int], qty: int, deadline: str, pause, n: int) -> bool:
    who = f"{t.account.username}-{time.time_ns()}-{n}"
    caller, _ = await t.go("POST", "/phone/customers/new/", {"name": f"Caller {who}", "email": f"{who}@example.org",
                                                             "phone": "418-555-0199"}, expect=(302,), step="caller")
    await t.go("GET", caller, step="caller page")
    while zones:
        await pause()
        where, _ = await t.go("POST", f"{caller}sale/", {"performance": perf_id, "zone": zones[0], "quantity": qty},
                              expect=(302,), step="hold")
        if "/sale/" in where:
            break
        await t.go("GET", where, step="caller page")
        zones.pop(0)
    else:
        return False
    _, page = await t.go("GET", where, step="sale page")
    await pause()
    order, _ = await t.go("POST", where, {"action": "reserve", "deadline": deadline,
                                          "attempt": ATTEMPT.search(page)[1]}, expect=(302,), step="reserve")
    if "/phone/orders/" not in order:
        t.errors["phone reserve refused"] += 1
        raise Refused("reserve")
    await t.go("GET", order, step="order page")
    return True


async def staff_at_work(base: str, staff: list[Account], perf_id: int | None, zone_ids: list[int], until, lat: dict,
                        errors: Counter, sales: Counter, *, pause: float, deadline: str, measuring=lambda: True,
                        seed: int = 11, by_step: dict | None = None) -> None:
    """Every terminal at once, each with its own session, until `until()` or nothing is
    left to sell to them. `perf_id` None: only sign in (and keep the sessions' cookies).
    `by_step`, if given, also gets each latency under "channel step"."""
    import aiohttp

    async def one(i: int, account: Account):
        rng = random.Random(seed * 1000 + i)

        async def think():  # the clerk reads the screen, the caller answers
            await asyncio.sleep(rng.uniform(0.5, 1.5) * pause)

        jar = aiohttp.CookieJar(unsafe=True)  # the staff address is an IP
        async with aiohttp.ClientSession(cookie_jar=jar, cookies=account.cookies or None,
                                         timeout=aiohttp.ClientTimeout(total=30)) as session:
            t = Terminal(base, account, session, lat, errors, measuring, by_step)
            if perf_id is None:
                await t.sign_in()
                return
            zones = rng.sample(zone_ids, len(zone_ids))
            n = 0
            while zones and not until():
                n += 1
                try:
                    if account.channel == "counter":
                        if await _counter_sale(t, perf_id, zones[0], rng.randint(1, 2), think):
                            sales[account.channel] += 1
                        else:
                            zones.pop(0)
                    elif await _phone_call(t, perf_id, zones, rng.randint(1, 2), deadline, think, n):
                        sales[account.channel] += 1
                except Refused:
                    await asyncio.sleep(0.5)
                except (TimeoutError, aiohttp.ClientError) as exc:
                    errors[f"{account.channel} {type(exc).__name__}"] += 1
                    await asyncio.sleep(0.5)
                await think()

    await asyncio.gather(*(one(i, a) for i, a in enumerate(staff)))
