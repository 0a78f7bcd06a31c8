"""A buyer who has just paid in the shop, on a phone, in French: what the confirmation page
says to do next, and each of those next steps within reach of a thumb."""

import time

import pytest
from django.core import mail

from events.models import Event, Venue
from sales.models import Order
from tests.browser import axe_violations, screenshot, type_card
from tests.support import make_performance, places_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_french_buyer_on_a_phone_finds_what_to_do_after_paying(browser, live_server, celery_worker):
    perf = make_performance(rows=2, per_row=6)
    Event.objects.filter(pk=perf.event_id).update(
        title="Les Misérables — la grande tournée d'adieu du Théâtre du Nouveau Monde, version intégrale")
    Venue.objects.filter(pk=perf.venue_id).update(name="Amphithéâtre du Lac", address="1 chemin du Lac, Québec")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}, locale="fr-CA",
                                  has_touch=True, is_mobile=True, bypass_csp=True,
                                  extra_http_headers={"Accept-Language": "fr-CA,fr;q=0.9"})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"/performances/{perf.pk}/")
    for place in places_of(perf)[:2]:
        page.locator(f'#seatmap a.seat[data-id="{place.pk}"]').click()
    page.locator("#hold-picked").click()
    page.wait_for_url("**/basket/")
    page.get_by_label("Nom complet").fill("Marie-Ève Bélanger")
    page.get_by_label("Courriel").fill("marie@example.org")
    type_card(page, "4242424242424242")
    page.locator("#pay").click()
    page.wait_for_url("**/orders/**")
    order = Order.objects.get()
    assert order.status == "paid" and order.language == "fr"
    main = page.locator("main")
    # What to do at the door, said where the tickets are.
    assert "À l’entrée, présentez le code QR de chaque billet" in main.inner_text()
    # Each next step is a link a thumb reaches, none wider than the phone's screen.
    for name in ("Télécharger les billets (PDF)", "Ajouter à l’agenda", "Itinéraire"):
        link = main.get_by_role("link", name=name)
        assert link.count() == 1, name
        box = link.bounding_box()
        assert box["height"] >= 40 and box["x"] >= 0 and box["x"] + box["width"] <= 390, (name, box)
    directions = main.get_by_role("link", name="Itinéraire").get_attribute("href")
    assert directions.startswith("https://www.openstreetmap.org/search?query=")
    assert "1%20chemin%20du%20Lac%2C%20Qu%C3%A9bec" in directions
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    with page.expect_download() as download:
        main.get_by_role("link", name="Ajouter à l’agenda").click()
    assert download.value.suggested_filename == f"{order.code}.ics"
    assert axe_violations(page, "main") == []
    screenshot(page, "after-paying-fr-phone")
    deadline = time.monotonic() + 30
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.2)
    [message] = mail.outbox
    assert message.subject.startswith("Vos billets pour Les Misérables")
    assert "vos billets à imprimer ou à présenter à l’entrée" in message.body
    context.close()
