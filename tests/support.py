"""What many test modules use: building a performance and its users, racing threads,
signed-in clients, the API's buyer and card. The model factories these build on are in
factories.py, fixtures in conftest.py."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from boxoffice.celery import app as celery_app
from events.models import Channel, Performance
from sales import availability, inventory, notifications, shop_mode, waiting_room
from sales.errors import SalesError
from sales.payments import APPROVE
from tests.factories import (
    PerformanceFactory,
    PriceZoneFactory,
    SectionFactory,
    StandingSectionFactory,
    UserFactory,
    VenueFactory,
)

# The databases of the stack's Redis a test run uses for its broker, cache and waiting
# room. `make test` runs the browser tests alongside the others, with databases of their
# own (BOXOFFICE_TEST_REDIS_DBS), as it gives them a test database of their own.
BROKER_DB, CACHE_DB, WAITING_ROOM_DB = (
    int(n) for n in os.environ.get("BOXOFFICE_TEST_REDIS_DBS", "2,3,5").split(","))

# An API buyer and card, as a request body carries them.
BUYER = {"name": "Marie Côté", "email": "marie@example.org"}
CARD = {"method": "test_card", "card_number": APPROVE}


def plan_csv(rows: int, per_row: int, standing: int = 0, section: str = "Stalls", wheelchair: bool = False) -> str:
    lines = ["section,kind,row,number,x,y,flags,capacity"]
    for r in range(rows):
        for n in range(per_row):
            flags = "wheelchair" if wheelchair and (r, n) == (rows - 1, 0) else ""
            lines.append(f"{section},seated,{chr(65 + r)},{n + 1},{n * 10},{r * 10},{flags},")
    if standing:
        lines.append(f"Lawn,standing,,,,,,{standing}")
    return "\n".join(lines)


def make_performance(*, rows: int = 10, per_row: int = 10, standing: int = 0,
                     ticket_limit: int = 10, price: str = "50.00",
                     channels=tuple(Channel.values), on_sale: bool = True, wheelchair: bool = False) -> Performance:
    """A performance ten days from now in a hall of its own: `rows` rows of `per_row` seats
    in Stalls (plan_csv's layout) priced `price`, a Lawn of `standing` places at 20.00 if
    asked, every channel in `channels` selling since yesterday, and on sale unless told;
    with `wheelchair`, the back row's first seat is a wheelchair space."""
    venue = VenueFactory()
    seated = [SectionFactory(venue=venue, name="Stalls", rows=rows, per_row=per_row,
                                 wheelchair=wheelchair)] if rows and per_row else []
    lawn = [StandingSectionFactory(venue=venue, name="Lawn", capacity=standing)] if standing else []
    perf = PerformanceFactory(venue=venue, ticket_limit=ticket_limit, channels=channels)
    PriceZoneFactory(performance=perf, name="Stalls", price=Decimal(price), sections=seated)
    if standing:
        PriceZoneFactory(performance=perf, name="Lawn", price=Decimal("20.00"), sections=lawn)
    if on_sale:
        inventory.put_on_sale(performance=perf)
    return perf


def clock_of(moment, language: str) -> str:
    """Django's format for the time of day of `moment` as `language` writes it: "H:i" in
    English; French typography's "20 h 30" in French, a whole hour without its minutes
    ("20 h")."""
    if language != "fr":
        return "H:i"
    return "G\u00a0\\h\u00a0i" if moment.minute else "G\u00a0\\h"


def on_the_day(performance: Performance, starts_at=None) -> Performance:
    """The performance moved to start `starts_at`, now unless told: its door lets its
    tickets in (make_performance's is days ahead, for its tickets to be on sale)."""
    Performance.objects.filter(pk=performance.pk).update(starts_at=starts_at or timezone.now())
    performance.refresh_from_db()
    return performance


def make_user(username: str, role: str | None = None, **extra) -> User:
    """A user whose password is pw-<username>, in the staff role `role` if given."""
    return UserFactory(username=username, role=role, **extra)


def places_of(performance, **filters):
    from sales.models import Place

    return list(Place.objects.filter(performance=performance, **filters)
                .select_related("seat").order_by("seat__row_index", "seat__position", "pk"))


def process_env(**extra) -> dict:
    """The environment for a process of the test's own (a sender, a request) that works on
    the test database, so that the test can kill it for real."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST'].replace('/', '%2F')}:{db['PORT']}/{db['NAME']}"
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": url, **extra}


def race(n: int, fn, workers: int | None = None) -> list:
    """Run fn(i) for i in range(n) on `workers` threads released together."""
    workers = workers or n
    barrier = threading.Barrier(workers)
    started = threading.local()

    def run(i):
        try:
            if not getattr(started, "done", False):
                started.done = True
                barrier.wait(timeout=30)
            return fn(i)
        except SalesError as exc:
            return exc
        finally:
            connection.close()  # each buyer is its own client with its own connection

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, range(n)))


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"]["code"] == code and body["error"]["message"], body
    return body["error"]


def statements(queries) -> list[str]:
    """The statements sent, without the savepoints a test's own transaction adds (in
    production a sale, and a hold of one seat, send none)."""
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]


def forget_process_caches() -> None:
    """Forget what this process keeps between requests: its Redis clients, its broker
    connections, when it last asked for the confirmations task, its pictures of zones'
    free seats. The next use connects as
    the settings name things now."""
    availability.forget_client()
    inventory.forget_pictures()
    waiting_room.forget_clients()
    notifications.forget_asking()
    shop_mode.forget()
    # Celery keeps its broker connections on the app; the next publish makes new ones.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def price_types(perf, prices: dict[str, dict[str, str]], *, comp: str | None = None, **limits) -> dict:
    """Price types for `perf`, in this order: {"Adult": {"Stalls": "60.00"}, ...} gives each
    a price per zone (by the zone's name); `comp` names a complimentary type; `limits`
    caps a type per order (Child=2). Returns {name: PriceType}."""
    from events.models import Price, PriceType

    zones = {z.name: z for z in perf.price_zones.all()}
    made = {}
    for rank, (name, amounts) in enumerate(prices.items()):
        made[name] = PriceType.objects.create(performance=perf, name=name, rank=rank, order_limit=limits.get(name))
        for zone, amount in amounts.items():
            Price.objects.create(price_type=made[name], zone=zones[zone], amount=Decimal(amount))
    if comp:
        made[comp] = PriceType.objects.create(performance=perf, name=comp, rank=99, complimentary=True)
    return made


def quebec_taxes(*, included: bool = False) -> None:
    """GST 5% and QST 9.975%, on prices and fees, as Québec charges them."""
    from sales.models import Organizer, TaxRate

    organizer = Organizer.load()
    organizer.prices_include_tax = included
    organizer.save()
    TaxRate.objects.create(organizer=organizer, name="GST", percent=Decimal("5"), registration="123456789 RT0001",
                           rank=1)
    TaxRate.objects.create(organizer=organizer, name="QST", percent=Decimal("9.975"), registration="1234567890 TQ0001",
                           rank=2)


def booking_fee(channel: str, per_ticket: str = "0", per_order: str = "0", refundable: bool = False):
    from sales.models import FeeRule, Organizer

    return FeeRule.objects.create(organizer=Organizer.load(), channel=channel, per_ticket=Decimal(per_ticket),
                                  per_order=Decimal(per_order), refundable=refundable)


def drawer(clerk):
    """The clerk's open shift, opened with a 100.00 float if need be: the counter's cash
    goes into a drawer that is counted."""
    from sales.shifts import shift_current, shift_open

    return shift_current(clerk) or shift_open(clerk=clerk, cash_float=Decimal("100"))


def stripe_signature(payload: bytes, secret: str | None = None) -> str:
    """The Stripe-Signature header the provider sends its webhook's `payload` with, signed
    with `secret` (the box office's own webhook secret unless another is named)."""
    import hashlib
    import hmac
    import time

    from django.conf import settings

    key = (secret if secret is not None else settings.STRIPE_WEBHOOK_SECRET).encode()
    at = int(time.time())
    return f"t={at},v1={hmac.new(key, f'{at}.'.encode() + payload, hashlib.sha256).hexdigest()}"


def card_token(number: str = "4242424242424242") -> str:
    """A card typed into the provider's own field: the browser sends it to the provider
    (here the local stack's localstripe, as its Stripe.js stand-in does) and gets a token;
    only the token reaches the box office."""
    import requests
    from django.conf import settings

    answer = requests.post(f"{settings.STRIPE_API_BASE}/v1/tokens", timeout=5, data={
        "card[number]": number, "card[exp_month]": "12", "card[exp_year]": "2031", "card[cvc]": "123",
        "key": settings.STRIPE_PUBLISHABLE_KEY})
    answer.raise_for_status()
    return answer.json()["id"]


def provider():
    """The box office's Stripe client, to look at what the provider holds."""
    from sales.payments import PROVIDERS

    return PROVIDERS["card"].client()


def intent_mark() -> str:
    """A payment intent made at the local provider now, never paid, to list only those made
    after it (intents_of): localstripe lists payment intents oldest first and builds every
    page from all it keeps, so listing a suite's thousand and more took seconds a call."""
    return provider().v1.payment_intents.create({"amount": 100, "currency": "cad",
                                                 "metadata": {"mark": "tests"}}).id


def intents_of(order_code: str, after: str) -> list:
    """The provider's payment intents made for an order (their metadata names it) since the
    intent `after` was made, as the provider has them now."""
    listed = provider().v1.payment_intents.list({"limit": 100, "starting_after": after}).auto_paging_iter()
    return [i for i in listed if (i.to_dict().get("metadata") or {}).get("order") == order_code]


def one_place(perf, zone) -> None:
    """One standing place in `zone`: a performance put on sale, which the staff pages list,
    without a seating plan."""
    from events.models import Section
    from sales.models import Place

    lawn, _new = Section.objects.get_or_create(venue=perf.venue, name="Lawn",
                                               defaults={"kind": Section.Kind.STANDING, "capacity": 1})
    Place.objects.create(performance=perf, section=lawn, standing_index=0, price_zone=zone)


def table_rows(page: str, start: str) -> list[list[str]]:
    """The rows of the first table of `page` after `start` (its id, say), each as the text
    of its cells."""
    import re
    from html import unescape

    table = page[page.index(start):]
    table = table[:table.index("</table>")]
    return [[unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)]


def apply_confirmed(**application):
    """A ballot application whose address is confirmed (its emailed link followed): in the draw."""
    from sales import lottery

    entry = lottery.ballot_apply(**application)
    return lottery.ballot_confirm(token=entry.confirm_token, now=application.get("now"))
