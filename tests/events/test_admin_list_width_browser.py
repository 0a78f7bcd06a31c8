"""An organizer's lists on a laptop (1366 × 768), in French, with a show and a hall named
at length as theatres name them: the long names wrap in their column, and the columns
after them (the date, the hall, the state) stay in sight without scrolling sideways."""

import pytest

from events.models import Channel
from sales.holds import hold_create
from sales.policy import ORGANIZER
from tests.browser import login, open_page, screenshot
from tests.support import make_performance, make_user, places_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

TITLE = "Le Malade imaginaire — Molière, mise en scène de Catherine Vidal (version intégrale avec entracte)"
HALL = "Théâtre du Vieux-Port — Grande salle Jean-Paul-Riopelle"
# How far the list's box scrolls sideways, and where the last column's heading ends against it.
SIDEWAYS = """() => { const box = document.querySelector('#changelist .results');
    const last = [...document.querySelectorAll('#result_list thead th')].pop();
    return {by: box.scrollWidth - box.clientWidth,
            last_out: Math.round(last.getBoundingClientRect().right - box.getBoundingClientRect().right)}; }"""


def test_a_long_show_and_hall_name_wrap_and_the_lists_columns_stay_in_sight(browser, live_server):
    perf = make_performance(rows=1, per_row=4)
    perf.event.title = TITLE
    perf.event.save()
    perf.venue.name = HALL
    perf.venue.save()
    hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places_of(perf)[0].pk])  # a row of holds
    organizer = make_user("organizer-lists", ORGANIZER, is_staff=True)
    context, page = open_page(browser, live_server, {"width": 1366, "height": 768})
    login(context, organizer, live_server)
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    for url in ("/admin/events/performance/", "/admin/sales/place/", "/admin/sales/hold/"):
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.locator("#result_list tbody tr").count() >= 1, url
        said = page.evaluate(SIDEWAYS)
        if said["by"] > 1:
            screenshot(page, "admin-list-" + url.strip("/").replace("/", "-"))
        assert said["by"] <= 1 and said["last_out"] <= 1, (url, said)
    page.goto("/admin/events/performance/")
    start = page.locator("#result_list tbody td.field-local_start").first
    assert start.is_visible() and start.bounding_box()["x"] + start.bounding_box()["width"] <= 1366
    context.close()


def test_the_seating_plan_import_names_its_file_field_and_ties_its_errors_to_it(browser, live_server):
    """The import page's one field is named to a screen reader (axe-core: no input without a
    label), in French, and a refused file's errors are read with the field."""
    from tests.browser import axe_violations
    from tests.factories import VenueFactory

    venue = VenueFactory(name=HALL)
    organizer = make_user("organizer-import", ORGANIZER, is_staff=True)
    context, page = open_page(browser, live_server, {"width": 1366, "height": 768})
    login(context, organizer, live_server)
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    page.goto(f"/admin/events/venue/{venue.pk}/import/")
    assert axe_violations(page, "#content form") == []
    field = page.get_by_label("Plan de salle (CSV ou JSON)")
    field.set_input_files(files=[{"name": "plan.csv", "mimeType": "text/csv",
                                  "buffer": b"section,kind,row,number,x,y,flags,capacity\nA,assis,1,1,0,0,,\n"}])
    page.get_by_role("button", name="Importer").click()
    error = page.locator("#content .errorlist li").first
    assert "assis" in error.inner_text()
    described = page.get_by_label("Plan de salle (CSV ou JSON)").get_attribute("aria-describedby") or ""
    assert page.locator("#content .errorlist").get_attribute("id") in described.split()
    assert axe_violations(page, "#content form") == []
    context.close()


def long_rows():
    """A row or more in every list of the organizer's admin, written at length as a box
    office's are: the show and the hall above, a zone, price types and a presale named in
    full, a buyer and a clerk with double-barrelled names and a long address, a counter
    shift closed with a difference, a ticket scanned at a named door, a promo code for
    subscribers, a waiting room and a ballot with their draws."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from sales.draws import draw_commit
    from sales.lottery import ballot_apply
    from sales.models import Ballot, Customer, Presale, PresaleCode, PromoCode, WaitingRoom
    from sales.orders import CustomerDetails, order_place
    from sales.payments import APPROVE, PaymentRequest
    from sales.policy import COUNTER_CLERK, DOOR_STAFF
    from sales.shifts import shift_close, shift_open
    from sales.tickets import ticket_check_in
    from tests.support import on_the_day, price_types

    perf = make_performance(rows=2, per_row=8)
    perf.event.title = TITLE
    perf.event.save()
    perf.venue.name = HALL
    perf.venue.save()
    zone = perf.price_zones.get()
    zone.name = "Parterre — côté jardin, rangées A à M"
    zone.save()
    price_types(perf, {"Adulte — tarif plein (billet à l’unité)": {zone.name: "1250.00"},
                       "Étudiant·e de moins de 26 ans (carte requise)": {zone.name: "890.00"}}, comp="Invitation")
    clerk = make_user("marie-eve.tremblay-beauchemin", COUNTER_CLERK, first_name="Marie-Ève",
                      last_name="Tremblay-Beauchemin", is_staff=True)
    door = make_user("jean-francois.lapointe", DOOR_STAFF, first_name="Jean-François", last_name="Lapointe")
    places = places_of(perf)
    buyer = CustomerDetails(name="Anne-Sophie Gagnon-Desrosiers", email="anne-sophie.gagnon-desrosiers@example.org",
                            phone="+1 514 555 0199")
    online = order_place(hold=hold_create(performance=perf, channel=Channel.ONLINE,
                                          place_ids=[p.pk for p in places[:2]]),
                         customer=buyer, payment=PaymentRequest(method="test_card", card_number=APPROVE))
    shift = shift_open(clerk=clerk, cash_float=Decimal("1000"))
    order_place(hold=hold_create(performance=perf, channel=Channel.COUNTER, user=clerk,
                                 place_ids=[p.pk for p in places[2:4]]),
                customer=buyer, actor=clerk, shift=shift,
                payments=[PaymentRequest(method="cash", tendered=Decimal("2600"))])
    shift_close(shift=shift, clerk=clerk, counted_cash=Decimal("3490.25"), counted_card=Decimal("0"))
    shift_open(clerk=clerk, cash_float=Decimal("1000"))
    hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[places[5].pk])
    now = timezone.now()
    promo = PromoCode.objects.create(code="ABONNES-SAISON-2026-27", percent_off=Decimal("12.5"),
                                     description="12,5\u00a0% de rabais pour les abonné·e·s de la saison 2026-2027",
                                     valid_from=now - timedelta(days=3), valid_until=now + timedelta(days=40))
    promo.performances.set([perf])
    presale = Presale.objects.create(performance=perf, name="Prévente des membres du Cercle des amis du théâtre",
                                     opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=5))
    PresaleCode.objects.create(presale=presale, code="CERCLE-AMIS-0001")
    draw_commit(waiting_room=WaitingRoom.objects.create(performance=perf, opens_at=now + timedelta(days=2),
                                                        admit_per_minute=1200))
    ballot = Ballot.objects.create(performance=perf, zone=zone, opens_at=now - timedelta(hours=1),
                                   closes_at=now + timedelta(days=3))
    ballot_apply(ballot=ballot, name=buyer.name, email=buyer.email, quantity=2, language="fr")
    draw_commit(ballot=ballot)
    Customer.objects.update(phone=buyer.phone)
    perf = on_the_day(perf)  # the door takes its tickets on its day only
    ticket_check_in(code=online.tickets.first().code, performance=perf,
                    door="Porte principale — rue Sainte-Catherine", actor=door)


def test_every_list_of_the_organizers_admin_fits_a_laptop_in_english_and_french(browser, live_server):
    """Each list the organizer reads, at 1366 × 768 in both languages (and the performances,
    the list they open most, at 1280), with rows written at length: its columns stay on the
    screen, none pushed past the list's edge or the page's."""
    from django.contrib import admin
    from django.urls import reverse

    from sales.models import Organizer

    long_rows()
    organizer = make_user("organizer-every-list", ORGANIZER, is_staff=True)
    lists = [reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
             for model in admin.site._registry if model._meta.app_label in ("events", "sales")
             and model is not Organizer]  # the one organizer's page is a form, not a list
    context, page = open_page(browser, live_server, {"width": 1366, "height": 768})
    login(context, organizer, live_server)
    wide = {}
    for language in ("en", "fr"):
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        for url in lists:
            for width in (1366, 1280) if url == "/admin/events/performance/" else (1366,):
                page.set_viewport_size({"width": width, "height": 768})
                page.goto(url)
                assert page.locator("html").get_attribute("lang") == language
                assert page.locator("#result_list tbody tr").count() >= 1, url
                said = page.evaluate(SIDEWAYS)
                said["page"] = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
                if max(said.values()) > 1:
                    wide[(language, width, url)] = said
                    screenshot(page, f"admin-list-{language}-{width}-" + url.strip("/").replace("/", "-"))
    context.close()
    assert not wide, "\n".join(f"{where}: {said}" for where, said in wide.items())
