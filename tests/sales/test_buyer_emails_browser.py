"""The confirmation email as a phone's mail app shows it: the HTML part drawn by a browser
375 px wide, as wide as the screen at most."""

import pytest
from django.core import mail

from sales import notifications
from tests.sales.test_buyer_emails_html import two_parts
from tests.sales.test_order_receipts import family_order

pytestmark = [pytest.mark.django_db, pytest.mark.browser]

# Each element drawn past the right edge of the screen: what it is, and by how much.
PAST_THE_EDGE = """() => [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
    .map(e => `${e.tagName} "${e.textContent.trim().slice(0, 40)}" by ${Math.round(
        e.getBoundingClientRect().right - document.documentElement.clientWidth)}px`)"""


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_confirmation_fits_a_phones_screen(browser, language):
    family_order(language=language)
    assert notifications.send_pending_confirmations() == 1
    _text, html = two_parts(mail.outbox[0])
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.set_content(html)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert (overflow, page.evaluate(PAST_THE_EDGE)) == (0, [])
    context.close()
