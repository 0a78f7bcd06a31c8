"""What a buyer finds after paying: the PDF tickets whole however long the show's title."""


import pytest
from django.utils import timezone

from events.models import Channel, Event
from sales.holds import hold_create
from sales.models import Order
from sales.orders import CustomerDetails, order_place
from sales.payments import APPROVE, PaymentRequest
from sales.tickets_pdf import order_pdf
from tests.sales.test_order_receipts import pdf_text
from tests.support import make_performance, places_of

pytestmark = pytest.mark.django_db

CARD = PaymentRequest(method="test_card", card_number=APPROVE)
BUYER = CustomerDetails(name="Marie-Ève Bélanger", email="marie@example.org")


def paid(perf, count: int = 1, *, language: str = "en") -> Order:
    hold = hold_create(performance=perf, channel=Channel.ONLINE, place_ids=[p.pk for p in places_of(perf)[:count]])
    order = order_place(hold=hold, customer=BUYER, payment=CARD)
    Order.objects.filter(pk=order.pk).update(language=language)
    order.refresh_from_db()
    return order


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("title", [
    "Les Misérables — la grande tournée d'adieu du Théâtre du Nouveau Monde, version intégrale",
    ("Le Festival international de musique baroque et contemporaine de Lanaudière présente : "
     "les quatre saisons de Vivaldi revisitées par l'Orchestre symphonique de Trois-Rivières, "
     "avec chœur et solistes invités")[:200],
])
def test_a_long_show_title_is_printed_whole_on_each_ticket(title):
    """The title a buyer checks first on a ticket: wrapped, never cut in the middle of a
    word, every line within the page, and the date and places still printed under it."""
    perf = make_performance(rows=1, per_row=2)
    Event.objects.filter(pk=perf.event_id).update(title=title)
    order = paid(perf, 2, language="fr")
    lines = pdf_text(order_pdf(order))
    year = str(timezone.localtime(perf.starts_at).year)
    for ticket in order.tickets.all():
        start = next(i for i, line in enumerate(lines) if title.startswith(line) and line)
        end = next(i for i in range(start, len(lines)) if year in lines[i])  # the date's line
        shown = lines[start:end]
        assert words(" ".join(shown)) == words(title), shown
        assert str(ticket.place) in lines[end:]
        lines = lines[end + 1:]
