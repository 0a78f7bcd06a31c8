"""The demo box office: an outdoor amphitheatre (3,500 numbered seats in five sections
and a standing lawn of 5,500), one event with two performances on sale on every channel,
each with its price types (adult, child, senior, guests), a promo code, and one user
per role."""

from __future__ import annotations

import json
import math
import os
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from events.models import Channel, Event, OnSaleWindow, Performance, Price, PriceType, PriceZone, Venue
from events.seating import seating_plan_import

from . import inventory
from .models import Organizer, PromoCode, TaxRate
from .policy import COUNTER_CLERK, DOOR_STAFF, ORGANIZER, PHONE_OPERATOR
from .roles import ensure_roles

VENUE = "Amphithéâtre du Lac"
HALL = "Salle du Quai"
# The parterre's three sections side by side in front of the stage, the tiers' two behind
# them, across the same arc. A row's seats are SEAT_PITCH apart at the front of a section
# and never further apart than its rows are (ROW_PITCH): on the map a row reads as a row,
# and no two seats overlap (tests/shop/test_seatmap.py checks it from this data).
PARTERRE = ("Parterre gauche", "Parterre centre", "Parterre droit")
TIERS = ("Gradins ouest", "Gradins est")
SEAT_PITCH = 10  # plan units between neighbouring seats of a row, at least
ROW_PITCH = 14
AISLE = 40  # between the parterre's last row and the tiers' first
GAP = math.radians(4)  # between two sections of a tier
STAGE = (600, 80)  # the plan's point the arcs turn around
LAWN = ("Pelouse", 5500)
# name, share of the zone's price (None: complimentary), at most per order, note, and the
# name and note in French
PRICE_TYPES = [
    ("Adult", Decimal("1"), None, "", "Adulte", ""),
    ("Child (under 12)", Decimal("0.6"), 4, "Ages 2 to 11; under 2, free on a lap", "Enfant (moins de 12 ans)",
     "De 2 à 11 ans\u00a0; moins de 2 ans, gratuit sur les genoux"),
    ("Senior (65+)", Decimal("0.85"), None, "Show ID at the door", "Aîné (65 ans et plus)",
     "Pièce d’identité à la porte"),
    ("Guest", None, None, "", "Invité", ""),
]
PROMO_CODE = "ETE10"

USERS = [
    # username, password env var, default password, group, is_staff, is_superuser
    ("admin", "DEMO_ADMIN_PASSWORD", "admin-demo", None, True, True),
    ("organizer", "DEMO_ORGANIZER_PASSWORD", "organizer-demo", ORGANIZER, True, False),
    ("clerk", "DEMO_CLERK_PASSWORD", "clerk-demo", COUNTER_CLERK, False, False),
    ("operator", "DEMO_OPERATOR_PASSWORD", "operator-demo", PHONE_OPERATOR, False, False),
    ("door", "DEMO_DOOR_PASSWORD", "door-demo", DOOR_STAFF, False, False),
]


def amphitheatre_plan(rows: int = 20, per_row: int = 35) -> dict:
    """The demo's plan: five sections of `rows` × `per_row` seats (3,500 by default; the
    tiers' sections have half as many rows, twice as long, when `rows` is even) and the lawn."""
    # The parterre starts far enough from the stage that its back row's seats are no
    # further apart than its rows.
    seat = SEAT_PITCH + 0.2  # see _step
    front = max(500.0, seat * (rows - 1) * ROW_PITCH / (ROW_PITCH - seat))
    wedge = (per_row - 1) * _step(front)
    arc = 3 * wedge + 2 * GAP
    tiers_front = front + (rows - 1) * ROW_PITCH + AISLE
    tier_rows, tier_seats = (rows // 2, per_row * 2) if rows % 2 == 0 else (rows, per_row)
    # The tiers span the parterre's arc, unless their rows would then be too tight.
    tier_wedge = max((arc - GAP) / 2, (tier_seats - 1) * _step(tiers_front))
    start = math.radians(270) - arc / 2
    layout = [(name, start + i * (wedge + GAP), wedge, front, rows, per_row) for i, name in enumerate(PARTERRE)]
    start = math.radians(270) - (2 * tier_wedge + GAP) / 2
    layout += [(name, start + i * (tier_wedge + GAP), tier_wedge, tiers_front, tier_rows, tier_seats)
               for i, name in enumerate(TIERS)]
    sections = []
    for name, a0, span, radius0, n_rows, n_seats in layout:
        plan_rows = []
        for r in range(n_rows):
            radius = radius0 + r * ROW_PITCH
            seats = []
            for n in range(n_seats):
                angle = a0 + span * n / max(1, n_seats - 1)
                seats.append({
                    "number": str(n + 1),
                    "x": round(STAGE[0] + radius * math.cos(angle), 1),
                    "y": round(STAGE[1] - radius * math.sin(angle), 1),
                    "wheelchair": r == n_rows - 1 and n < 4 and name in PARTERRE,
                    "companion": r == n_rows - 1 and n in (4, 5) and name in PARTERRE,
                    "restricted_view": name in TIERS and n in (0, n_seats - 1),
                })
            plan_rows.append({"row": _row_label(r), "seats": seats})
        sections.append({"name": name, "kind": "seated", "rows": plan_rows})
    sections.append({"name": LAWN[0], "kind": "standing", "capacity": LAWN[1]})
    return {"sections": sections}


def _step(radius: float) -> float:
    # The angle between two seats SEAT_PITCH apart on this arc, with room for the plan's
    # coordinates being rounded to a tenth.
    return 2 * math.asin((SEAT_PITCH + 0.2) / (2 * radius))


def _row_label(i: int) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return letters[i] if i < len(letters) else letters[i // len(letters) - 1] + letters[i % len(letters)]


def ensure_users() -> list[tuple[str, str]]:
    ensure_roles()
    User = get_user_model()
    logins = []
    for username, env, default, group, is_staff, is_superuser in USERS:
        password = os.environ.get(env, default)
        user, created = User.objects.get_or_create(username=username, defaults={
            "is_staff": is_staff, "is_superuser": is_superuser, "email": f"{username}@example.org"})
        if created:
            user.set_password(password)
            user.save()
        if group:
            user.groups.add(Group.objects.get(name=group))
        logins.append((username, password))
    return logins


@transaction.atomic
def load_demo() -> str:
    ensure_users()
    if Venue.objects.filter(name=VENUE).exists():
        return "demo already loaded"
    venue = Venue.objects.create(name=VENUE, address="1 chemin du Lac, Québec", language="fr")
    # Who sells, on every receipt: the demo's presenter, unless the organizer was named already.
    Organizer.objects.filter(name=Organizer._meta.get_field("name").default).update(
        name="Productions du Lac", address="1 chemin du Lac, Québec (Québec)")
    quebec_taxes(Organizer.load())
    seating_plan_import(venue=venue, text=json.dumps(amphitheatre_plan()), filename="demo.json")
    sections = {s.name: s for s in venue.sections.all()}
    event = Event.objects.create(
        title="Les Étoiles — tournée d’été",
        description="Two summer nights under the stars at the lake: the orchestra and choir of "
                    "Les Étoiles play their summer tour on the open-air stage. Seats in the parterre "
                    "and the tiers, standing places on the lawn. Bring a warm layer for the evening.",
        description_fr="Deux soirs d’été sous les étoiles, au bord du lac\u00a0: l’orchestre et le chœur des "
                       "Étoiles jouent leur tournée d’été sur la scène en plein air. Places assises au parterre "
                       "et dans les gradins, places debout sur la pelouse. Apportez une petite laine pour la soirée.",
        image_url="/static/demo/poster.svg")
    now = timezone.now()
    first = timezone.localtime(now).replace(hour=20, minute=0, second=0, microsecond=0)
    performances = []
    for days in (30, 31):
        perf = Performance.objects.create(event=event, venue=venue, ticket_limit=8,
                                          starts_at=first + timedelta(days=days),
                                          doors_open_at=first + timedelta(days=days, hours=-1))
        for channel in Channel.values:
            OnSaleWindow.objects.create(performance=perf, channel=channel,
                                        opens_at=now - timedelta(days=1), closes_at=perf.starts_at)
        zones = [
            ("Premium", "89.00", "#b91c1c", ["Parterre centre"]),
            ("Parterre", "69.00", "#2563eb", ["Parterre gauche", "Parterre droit"]),
            ("Gradins", "49.00", "#059669", ["Gradins ouest", "Gradins est"]),
            ("Pelouse", "35.00", "#ca8a04", ["Pelouse"]),
        ]
        for name, price, color, names in zones:
            zone = PriceZone.objects.create(performance=perf, name=name, price=Decimal(price),
                                            color=color)
            zone.sections.set([sections[n] for n in names])
        price_types(perf)
        inventory.put_on_sale(performance=perf)
        performances.append(perf)
    # For the demo's performances only: a real box office loaded with the demo keeps no
    # code valid on its own shows.
    # Its description is the organizer's note, of one language: the demo's organizer's, as
    # its venues, sections and zones are named.
    promo, _created = PromoCode.objects.get_or_create(code=PROMO_CODE, defaults={
        "percent_off": Decimal("10"), "description": "10\u00a0% de rabais, infolettre de la tournée d’été"})
    promo.performances.set(performances)
    rehearsal = _open_rehearsal(now)
    return f"demo loaded: {venue}, {event}, 2 performances; {rehearsal.event} at {rehearsal.venue} tonight"


def _open_rehearsal(now) -> Performance:
    """A small show two hours after the demo is loaded, in a hall of 60 seats: something
    to sell tonight at the counter and to scan at the door, which takes a performance's
    tickets on its day only."""
    hall = Venue.objects.create(name=HALL, address="12 quai du Lac, Québec", language="fr")
    seating_plan_import(venue=hall, filename="hall.json", text=json.dumps({"sections": [
        {"name": "Salle", "kind": "seated", "rows": [
            {"row": _row_label(r), "seats": [{"number": str(n + 1), "x": 40.0 + 30 * n, "y": 60.0 + 32 * r}
                                            for n in range(10)]} for r in range(6)]}]}))
    event = Event.objects.create(title="Répétition publique des Étoiles",
                                 description="The orchestra's open rehearsal, the evening before the tour.",
                                 description_fr="La répétition publique de l’orchestre, à la veille de la tournée.")
    starts = (now + timedelta(hours=2)).replace(second=0, microsecond=0)
    # Its doors open as the demo is loaded: its tickets can be scanned at once, at any hour.
    perf = Performance.objects.create(event=event, venue=hall, ticket_limit=8, starts_at=starts,
                                      doors_open_at=now.replace(second=0, microsecond=0))
    for channel in Channel.values:
        OnSaleWindow.objects.create(performance=perf, channel=channel, opens_at=now - timedelta(days=1),
                                    closes_at=starts)
    zone = PriceZone.objects.create(performance=perf, name="Salle", price=Decimal("25.00"), color="#7c3aed")
    zone.sections.set(hall.sections.all())
    inventory.put_on_sale(performance=perf)
    return perf


def quebec_taxes(organizer: Organizer) -> None:
    """As a Québec venue charges them, on top of the prices and on fees: the federal GST
    (TPS) and Québec's QST (TVQ), each under both its names, as bilingual receipts print
    them. The registration numbers are made up, in the agencies' formats."""
    if organizer.tax_rates.exists():
        return
    TaxRate.objects.create(organizer=organizer, name="TPS/GST", percent=Decimal("5"),
                           registration="123456789 RT0001", rank=1)
    TaxRate.objects.create(organizer=organizer, name="TVQ/QST", percent=Decimal("9.975"),
                           registration="1234567890 TQ0001", rank=2)


def price_types(perf: Performance) -> None:
    """The performance's price types (PRICE_TYPES), each priced in every zone."""
    for rank, (name, share, limit, note, name_fr, note_fr) in enumerate(PRICE_TYPES):
        kind = PriceType.objects.create(performance=perf, name=name, rank=rank, order_limit=limit, note=note,
                                        complimentary=share is None, name_fr=name_fr, note_fr=note_fr)
        if share is not None:
            Price.objects.bulk_create(Price(price_type=kind, zone=zone, amount=(zone.price * share).quantize(
                Decimal("1"))) for zone in perf.price_zones.all())
