"""The emails of a reservation (its payment link, its reminder, its end by the performance's
cancellation) name the show and the order in their subject, on one line, and say their
language, in the customer's language as the order confirmation does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from sales import notifications
from sales.holds import hold_create
from sales.orders import CustomerDetails, order_reserve
from sales.policy import PHONE_OPERATOR
from tests.support import make_performance, make_user, places_of

pytestmark = pytest.mark.django_db


def reservation(language: str):
    perf = make_performance(rows=1, per_row=2)
    perf.event.title = "Soirée\nLumière  &  Ombre"  # a title typed with a line break
    perf.event.save()
    operator = make_user(f"operator-{language}", PHONE_OPERATOR)
    hold = hold_create(performance=perf, channel="phone", user=operator, place_ids=[places_of(perf)[0].pk])
    with translation.override(language):
        return order_reserve(hold=hold, customer=CustomerDetails(name="Élise Roy", email="elise@example.org"),
                             deadline=timezone.now() + timedelta(hours=20), actor=operator)


def test_the_payment_link_names_the_show_and_the_order_in_the_customers_language():
    order = reservation("fr")
    notifications.send_payment_link(order)
    (email,) = mail.outbox
    assert email.subject == f"Payez votre réservation\u00a0: Soirée Lumière & Ombre — commande {order.code}"
    assert email.extra_headers["Content-Language"] == "fr"


def test_the_reminder_names_the_show_and_the_order_in_the_customers_language():
    order = reservation("fr")
    assert notifications.send_reservation_reminders() == 1
    (email,) = mail.outbox
    assert email.subject == (f"Rappel\u00a0: payez votre réservation\u00a0: Soirée Lumière & Ombre — "
                             f"commande {order.code}")
    assert email.extra_headers["Content-Language"] == "fr"


def test_in_english_the_same_emails_are_in_english():
    order = reservation("en")
    notifications.send_payment_link(order)
    assert notifications.send_reservation_reminders() == 1
    link, reminder = mail.outbox
    assert link.subject == f"Pay for your reservation: Soirée Lumière & Ombre — order {order.code}"
    assert reminder.subject == f"Reminder: pay for your reservation: Soirée Lumière & Ombre — order {order.code}"
    assert link.extra_headers["Content-Language"] == reminder.extra_headers["Content-Language"] == "en"


def test_the_notice_of_a_reservation_ended_by_a_cancellation_says_its_language_too():
    order = reservation("fr")
    assert notifications.send_reservation_cancelled(order.pk)
    (email,) = mail.outbox
    assert email.subject == f"Annulé\u00a0: Soirée Lumière & Ombre — commande {order.code}"
    assert email.extra_headers["Content-Language"] == "fr"
