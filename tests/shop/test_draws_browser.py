"""A ballot's draw page in a real browser: its script redoes the draw from the published
files and agrees with the box office, in English and French; without JavaScript the
page still answers a rank."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from sales import draws, lottery
from sales.models import Ballot, BallotEntry
from tests.browser import screenshot
from tests.support import apply_confirmed, make_performance

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_the_draw_page_checks_the_draw_in_the_browser_and_answers_without_javascript(browser, live_server, capsys):
    perf = make_performance(rows=1, per_row=4)
    now = timezone.now()
    ballot = Ballot.objects.create(performance=perf, zone=perf.price_zones.get(), max_per_application=2,
                                   opens_at=now - timedelta(days=1), closes_at=now + timedelta(hours=1))
    for i in range(40):
        apply_confirmed(ballot=ballot, name=f"Fan {i}", email=f"fan{i}@example.org", quantity=1)
    Ballot.objects.filter(pk=ballot.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    ballot.refresh_from_db()
    lottery.ballot_draw(ballot=ballot)
    ranked = list(ballot.entries.order_by("rank").values_list("reference", flat=True))
    seventh = draws.format_reference(ranked[6])
    url = f"/lottery/{ballot.pk}/draw/"

    context = browser.new_context(base_url=live_server.url, locale="en-CA")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(url)
    page.get_by_label("Entry reference to rank").fill(seventh.lower())
    page.get_by_role("button", name="Check in this browser").click()
    result = page.locator("#verifier-result")
    expect(result).to_contain_text(f"Your browser ranks {seventh} at 7 of 40.")
    expect(result).to_contain_text("The revealed seed matches the commitment")
    expect(result).to_contain_text("The entry list matches the hash and count")
    assert result.locator(".refuted").count() == 0
    # The whole order, as the script computes it with WebCrypto, is the box office's.
    order = page.evaluate("""() => drawVerifier.verify(document.getElementById("verifier").dataset.dataUrl,
                                                      document.getElementById("verifier").dataset.entriesUrl)
                                   .then(r => r.order)""")
    assert order == [draws.hashed_reference(r) for r in ranked]
    screenshot(page, "draw-verified")

    # In French, the page and the script's sentences.
    page.get_by_role("button", name="FR").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tirage au sort")
    page.get_by_label("Référence de participation à classer").fill(seventh)
    page.get_by_role("button", name="Vérifier dans ce navigateur").click()
    expect(result).to_contain_text(f"Votre navigateur classe {seventh} au rang 7 sur 40.")
    context.close()

    # Without JavaScript: no browser check on offer, and the page itself answers a rank.
    plain = browser.new_context(base_url=live_server.url, locale="fr-CA", java_script_enabled=False)
    page = plain.new_page()
    page.goto(url)
    expect(page.locator("#verifier")).to_be_hidden()
    page.get_by_label("Référence de participation", exact=True).fill(seventh)
    page.get_by_role("button", name="Trouver son rang").click()
    expect(page.locator("#lookup-result")).to_contain_text(f"{seventh} a été tiré au rang 7 sur 40.")
    plain.close()

    # The command reads the same two files from the page's address, and agrees.
    call_command("verify_draw", url=live_server.url + url, reference=[seventh])
    output = capsys.readouterr().out
    assert "matches its commitment" in output and "matches its hash" in output and f"{seventh}: 7\n" in output


def test_the_browser_check_writes_its_counts_as_the_page_does(browser, live_server):
    """1,200 entries: the script's sentences group the count and the rank as the page's own
    (the |number filter) do, a narrow no-break space in French, not "1200"."""
    perf = make_performance(rows=1, per_row=4)
    now = timezone.now()
    ballot = Ballot.objects.create(performance=perf, zone=perf.price_zones.get(), max_per_application=2,
                                   opens_at=now - timedelta(days=1), closes_at=now + timedelta(hours=1))
    draws.draw_commit(ballot=ballot)
    BallotEntry.objects.bulk_create(BallotEntry(ballot=ballot, name=f"Fan {i}", email=f"fan{i}@example.org",
                                                mailbox=f"fan{i}@example.org", quantity=1) for i in range(1200))
    Ballot.objects.filter(pk=ballot.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    ballot.refresh_from_db()
    lottery.ballot_draw(ballot=ballot)
    last = ballot.entries.order_by("-rank").values_list("reference", flat=True).first()
    shown = draws.format_reference(last)

    context = browser.new_context(base_url=live_server.url, locale="fr-CA")
    context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"/lottery/{ballot.pk}/draw/?reference={shown}")
    expect(page.locator("#lookup-result")).to_contain_text("au rang 1\u202f200 sur 1\u202f200.")
    page.get_by_label("Référence de participation à classer").fill(shown)
    page.get_by_role("button", name="Vérifier dans ce navigateur").click()
    result = page.locator("#verifier-result")
    expect(result).to_contain_text(f"Votre navigateur classe {shown} au rang 1\u202f200 sur 1\u202f200.")
    expect(result).to_contain_text("(1\u202f200 participations)")
    assert result.locator(".refuted").count() == 0
    context.close()
