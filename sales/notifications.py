"""The order confirmation email, sent once per order by the Celery worker.

The paid orders whose confirmation_sent_at is empty are the outbox: one task
(sales.tasks.send_confirmations) sends every confirmation due when it runs. A sale asks
for it (`confirmations_due`) and beat runs it every CONFIRMATION_SWEEP_SECONDS, so a
message lost with a broker hiccup, or a send that failed, is caught up without anyone
resending it by hand."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, transaction
from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import enqueue, rows
from .models import (
    NOT_YET_TAKEN,
    REFUND_REFUSED,
    REFUND_SENDING,
    REFUND_SETTLED,
    Order,
    OrderEvent,
    Payment,
    address_as_sent,
)
from .order_receipt import receipt_email, receipt_text
from .tickets_pdf import order_pdf

logger = logging.getLogger(__name__)
# Confirmations are sent for orders paid this recently (older ones are resent by staff).
PENDING_FOR = timedelta(days=1)
# In a rush, a web process asks for the task at most twice per this many seconds: at once,
# and once after the window for the sales made in it (publishing one task per sale cost a
# sale more CPU than its own statements).
ASK_EVERY = 0.5


def buyer_email(*, subject: str, template: str, context: dict, to: str, headers: dict) -> EmailMultiAlternatives:
    """A buyer's email, in the active language, in two parts: the text of `template`.txt,
    and the same said in HTML from `template`.html for the mail apps that show it (the
    text stays for those that do not). Every email a buyer is sent is made here."""
    message = EmailMultiAlternatives(subject=subject, body=render_to_string(f"{template}.txt", context),
                                     to=[to], headers=headers)
    message.attach_alternative(render_to_string(f"{template}.html", {**context, "subject": subject}), "text/html")
    return message


def order_link(order: Order) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/orders/{order.code}/{order.access_token}/"


# A claim on an order's confirmation is the sender's for this long; past it, the sender is
# taken for dead (a worker killed, a connection dropped mid-send) and the outbox sweep
# takes the order over. Longer than any send can take: the mail backend's own timeout
# (EMAIL_TIMEOUT) is well below it.
def claim_timeout() -> timedelta:
    return timedelta(seconds=settings.CONFIRMATION_CLAIM_SECONDS)


# The claim: one statement whose every condition is on the order's own row, so that
# PostgreSQL re-checks all of them on the row it updates when two senders race (a
# condition inside `id IN (SELECT ...)` is not re-checked, and both senders would win).
_CLAIM = """
    UPDATE sales_order SET confirmation_claimed_at = %(now)s
    WHERE id = %(order)s AND status IN (%(paid)s, %(refunded)s) AND confirmation_sent_at IS NULL
      AND (confirmation_claimed_at IS NULL OR confirmation_claimed_at < %(stale)s)
      AND NOT EXISTS (SELECT FROM sales_customer WHERE sales_customer.id = sales_order.customer_id
                                                    AND email LIKE '%%.invalid')
    RETURNING id"""


def message_id(order: Order) -> str:
    """The same for every attempt at the same confirmation, so that one sent again after
    a crash between sending and recording it is recognisable as the same message (and a
    mail drop that keys on it keeps one); a resend asked for by staff is the next one."""
    return f"<confirmation.{order.code}.{order.confirmation_number}@{mail_domain()}>"


def mail_domain() -> str:
    """The domain our Message-IDs are made at: the sender's address's."""
    return settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "localhost"


def send_confirmation(order_id: int) -> bool:
    """Send the confirmation if it is due and nobody else is sending it. Returns False if
    it was sent already or another sender holds it.

    Claim, send, then mark: the claim is a compare-and-set on the order's row; the mark
    records the send only if the claim is still ours. A sender that dies after claiming
    leaves the claim to lapse (claim_timeout); one that fails gives it back at once."""
    now = timezone.now()
    claimed = rows.fetch(_CLAIM, {"now": now, "order": order_id, "paid": Order.Status.PAID,
                                  "refunded": Order.Status.REFUNDED, "stale": now - claim_timeout()})
    if not claimed:
        return False
    try:
        order = (Order.objects.select_related("customer", "performance__event", "performance__venue")
                 .get(pk=order_id))
        tickets = list(order.tickets.select_related("place__seat", "place__section").filter(status="valid"))
        # The receipt goes in the body and on the PDF's last page: made once.
        receipt = receipt_text(order, tickets)
        refunded = order.status == Order.Status.REFUNDED  # its notice: what was paid back, no tickets
        if _refund_being_asked(order, now):
            # Its request is asking the provider now: told once it answers (refund_answered),
            # or, its request dead, once the answer is overdue (the sweep), or when the
            # reconciliation sends the refund again (an order paid days ago). The notice of a
            # whole refund, and the confirmation sent again after some tickets were refunded
            # or exchanged (its receipt lists the payback) alike.
            Order.objects.filter(pk=order_id, confirmation_claimed_at=now).update(confirmation_claimed_at=None)
            return False
        cancelled = order.performance.cancelled_at is not None  # no tickets either: a notice
        refused = set()
        if refunded:
            receipt = receipt_text(order)
            refused = set(order.payments.filter(status=Payment.Status.REFUNDED, message__in=(
                REFUND_REFUSED, REFUND_SETTLED, *NOT_YET_TAKEN)).values_list("message", flat=True))
        receipt_html = receipt_email(order, None if refunded else tickets)  # as the text's, in HTML
        context = {"order": order, "tickets": tickets, "link": order_link(order), "receipt": receipt,
                   # The tickets' column names what it shows: the zone, and a price type if any has one.
                   "typed": any(t.price_type_name for t in tickets),
                   "receipt_html": receipt_html, "cancelled": cancelled,
                   # Sent again after some tickets were refunded or exchanged: it says so.
                   "changed": _changed_since_last_sent(order),
                   # A card refund the provider refused: still owed, or paid back by other means since.
                   "still_owed": REFUND_REFUSED in refused, "settled": REFUND_SETTLED in refused,
                   # A card refund recorded that the provider has not taken yet (it did not
                   # answer, or was not asked): on its way, not back on the card.
                   "on_its_way": bool(refused & set(NOT_YET_TAKEN)),
                   # Paid (in part) in cash or on the terminal: paid back at the counter, not by us.
                   "at_counter": cancelled and order.payments.filter(
                       status=Payment.Status.APPROVED, method__in=Payment.AT_COUNTER).exists()}
        # Refunded before its performance was cancelled, paid at the counter: the fees it kept
        # are paid back there (sales.orders.cancellation.fees_kept).
        context["owed_at_counter"] = refunded and context["at_counter"] and (order.payments.filter(
            Q(status=Payment.Status.APPROVED) | Q(status=Payment.Status.REFUNDED, amount__lt=0))
            .aggregate(s=Sum("amount"))["s"] or 0) > 0
        with translation.override(order.language):
            if refunded:
                subject, body = _("Your refund for %(event)s — order %(code)s"), "sales/email/refund"
            elif cancelled:
                subject, body = _("Cancelled: %(event)s — order %(code)s"), "sales/email/cancelled"
            else:
                subject, body = _("Your tickets for %(event)s — order %(code)s"), "sales/email/confirmation"
            message = buyer_email(
                subject=subject % subject_names(order), template=body, context=context,
                to=order.customer.email,
                headers={"Message-ID": message_id(order), "Content-Language": order.language or "en"},
            )
            if not refunded and not cancelled:
                message.attach(f"tickets-{order.code}.pdf", order_pdf(order, tickets, receipt=receipt),
                               "application/pdf")
        message.send()
    except Exception:
        with contextlib.suppress(DatabaseError):  # unreachable: the claim lapses instead
            Order.objects.filter(pk=order_id, confirmation_claimed_at=now).update(confirmation_claimed_at=None)
        raise
    with transaction.atomic():
        marked = Order.objects.filter(pk=order_id, confirmation_claimed_at=now).update(
            confirmation_sent_at=timezone.now(), confirmation_claimed_at=None)
        if marked:
            OrderEvent.objects.create(order=order, action="refund notice sent" if refunded else
                                      "cancellation notice sent" if cancelled else "confirmation sent",
                                      detail=order.customer.email)
    if not marked:  # the send outlasted its claim and another sender took it over
        logger.warning("confirmation of order %s took longer than its claim; it may be sent twice "
                       "(same Message-ID)", order.code)
    return bool(marked)


def _refund_being_asked(order: Order, now) -> bool:
    """Whether a card refund of `order` is being sent to the provider by a request that may
    still be waiting for its answer (its timeout and retries, and a margin). Its email (the
    refund's notice, or the confirmation whose receipt lists the payback) then waits:
    written now, it would tell a refund the provider takes a moment later as not taken yet."""
    asking = timedelta(seconds=settings.STRIPE_TIMEOUT_SECONDS * (settings.STRIPE_NETWORK_RETRIES + 1) + 30)
    return order.payments.filter(status=Payment.Status.REFUNDED, message=REFUND_SENDING,
                                 created_at__gt=now - asking).exists()


def refund_answered(order: Order) -> None:
    """The provider answered a refund of `order` its request was waiting for: the notice
    that waited for it (_refund_being_asked) is sent now, not at the next sweep."""
    transaction.on_commit(lambda: enqueue.send_order_confirmation(order.pk), robust=True)


def pending_confirmations(now=None):
    """Paid orders whose confirmation is still to send (walk-ins have no address)."""
    now = now or timezone.now()
    return _unclaimed(Order.objects.filter(status=Order.Status.PAID, confirmation_sent_at__isnull=True,
                                           paid_at__gte=now - PENDING_FOR), now)


def pending_refund_notices(now=None):
    """Refunded orders whose notice is still to send: by when they were refunded (often
    days after the sale), each kind of email read through its own small index."""
    now = now or timezone.now()
    return _unclaimed(Order.objects.filter(status=Order.Status.REFUNDED, confirmation_sent_at__isnull=True,
                                           refunded_at__gte=now - PENDING_FOR), now)


def pending_cancellation_notices(now=None):
    """Orders of a performance cancelled lately whose notice is still to send: the paid ones
    paid back at the counter (the others get their refund's notice), and those refunded
    before the cancellation whose kept fees are paid back there (refunded days before, they
    are not among the refund notices the sweep finds)."""
    now = now or timezone.now()
    return _unclaimed(Order.objects.filter(status__in=(Order.Status.PAID, Order.Status.REFUNDED),
                                           confirmation_sent_at__isnull=True,
                                           performance__cancelled_at__gte=now - PENDING_FOR), now)


def _unclaimed(orders, now):
    unclaimed = Q(confirmation_claimed_at__isnull=True) | Q(confirmation_claimed_at__lt=now - claim_timeout())
    return orders.filter(unclaimed).exclude(customer__email__endswith=".invalid")


# Orders whose send failed in this worker process: monotonic time before which it is not
# tried again (30 s, doubling up to an hour), so that a bad address is not rendered and
# refused at every run of a rush.
_failed: dict[int, tuple[float, float]] = {}


def send_pending_confirmations(*, batch: int = 50) -> int:
    """Send every confirmation due, oldest first; returns how many were sent. An order
    whose send fails keeps its place in the outbox, tried again after a back-off; the
    others go."""
    def due(resting):
        return [*pending_confirmations().exclude(pk__in=resting).order_by("paid_at")
                .values_list("pk", flat=True)[:batch],
                *pending_refund_notices().exclude(pk__in=resting).order_by("refunded_at")
                .values_list("pk", flat=True)[:batch],
                *pending_cancellation_notices().exclude(pk__in=resting).order_by("pk")
                .values_list("pk", flat=True)[:batch]]

    return send_each_due(due, send_confirmation, _failed, "confirmation of order %s was not sent")


def send_each_due(due, send, failed: dict[int, tuple[float, float]], not_sent: str) -> int:
    """An outbox's sweep: `send(pk)` for each row `due(resting)` gives (a page at a time,
    until none is left), returning how many sends were made. `send` returns False for a
    row it did not send (another sender has it, or nothing is to be said): not again in
    this run. One that raises stays due, rested in `failed` (this process's back-off: 30 s,
    doubling up to an hour) and logged as `not_sent` % its key; the others go."""
    sent, now = 0, time.monotonic()
    resting = [pk for pk, (until, _wait) in failed.items() if until > now]
    while True:
        page = due(resting)
        if not page:
            return sent
        for pk in page:
            try:
                if send(pk):
                    sent += 1
                else:
                    resting.append(pk)
                failed.pop(pk, None)
            except Exception:
                wait = min(failed.get(pk, (0, 15))[1] * 2, 3600)
                failed[pk] = (time.monotonic() + wait, wait)
                logger.exception(not_sent + "; tried again in %d s", pk, wait)
                resting.append(pk)


class AskSoon:
    """Ask the worker for a task that sends every email of its kind due, soon after a
    commit made one due: at most twice per ASK_EVERY per process (see there)."""

    def __init__(self, ask):
        self._ask, self._lock = ask, threading.Lock()
        self.free_at = self.trailing_at = 0.0

    def __call__(self) -> None:
        now = time.monotonic()
        with self._lock:
            if now >= self.free_at:
                self.free_at, countdown = now + ASK_EVERY, 0.0
            elif self.trailing_at > now:
                return  # a task asked for already starts after this commit
            else:
                self.trailing_at = self.free_at
                countdown = self.free_at - now + 0.1  # a margin for the worker's clock
        try:
            self._ask(countdown=countdown or None)
        except Exception:
            # Not asked after all. With the broker away, asking at every commit would cost
            # each the broker's timeout: ask again after a pause (beat's sweep catches up).
            with self._lock:
                self.free_at, self.trailing_at = time.monotonic() + BROKER_PAUSE, 0.0
            raise

    def forget(self) -> None:
        with self._lock:
            self.free_at = self.trailing_at = 0.0


BROKER_PAUSE = 5.0
_confirmations = AskSoon(enqueue.send_confirmations)
_ballot_notices = AskSoon(enqueue.send_ballot_notices)


def confirmations_due() -> None:
    """A sale was committed: have its confirmation sent soon (see ASK_EVERY)."""
    _confirmations()


def ballot_notices_due() -> None:
    """An application, a draw or a lapse was committed: have its emails sent soon (sales.lottery)."""
    _ballot_notices()


def forget_asking() -> None:
    """Forget when this process last asked for the tasks, so the next commit asks at once."""
    _confirmations.forget()
    _ballot_notices.forget()


def _changed_since_last_sent(order: Order) -> str | None:
    """The last change to the order's tickets (refunded some, exchanged) since its last
    confirmation was sent, if any: the email sent now says it."""
    last_sent = (order.events.filter(action="confirmation sent").order_by("-at", "-pk")
                 .values_list("at", flat=True).first())
    changes = order.events.filter(action__in=("tickets refunded", "exchanged"))
    if last_sent is not None:
        changes = changes.filter(at__gt=last_sent)
    return changes.order_by("-at", "-pk").values_list("action", flat=True).first()


def resend_confirmation(order: Order) -> None:
    """Staff (or an exchange) asked to send it again: the next confirmation is due, whoever
    may be sending the last one (their mark will not count), and is queued like the first.
    Only a paid order has one: any other is refused, and nothing is marked due."""
    from .errors import IllegalTransition

    if not Order.objects.filter(pk=order.pk, status=Order.Status.PAID).update(
            confirmation_sent_at=None, confirmation_claimed_at=None,
            confirmation_number=F("confirmation_number") + 1):
        order.refresh_from_db(fields=["status"])
        raise IllegalTransition(_("order %(code)s is %(status)s; only a paid order has a confirmation to send") % {
            "code": order.code, "status": order.get_status_display().lower()})
    transaction.on_commit(lambda: enqueue.send_order_confirmation(order.pk), robust=True)


def performance_moved(performance_id: int) -> tuple[int, int]:
    """A performance's time or place changed: every paid order's buyer is sent their tickets
    again (the email and the PDF say the new time), as a staff resend is. Returns how many
    are, and how many paid orders have no address to send them to (a walk-in's at the
    counter): those buyers are for staff to tell."""
    paid = Order.objects.filter(performance_id=performance_id, status=Order.Status.PAID)
    due = list(paid.exclude(customer__email__endswith=".invalid").values_list("pk", flat=True))
    _send_again(due)
    return len(due), paid.filter(customer__email__endswith=".invalid").count()


def performance_cancelled_notice(order_ids) -> None:
    """The performance of these paid orders was cancelled and they are paid back at the
    counter (cash, the card terminal): each buyer is told so, through the outbox (a paid
    order of a cancelled performance gets the cancellation's email, not tickets)."""
    _send_again(list(Order.objects.filter(pk__in=order_ids).exclude(customer__email__endswith=".invalid")
                     .values_list("pk", flat=True)))


def _send_again(due: list[int]) -> None:
    """The next email of each of these orders is due now, whatever it is."""
    Order.objects.filter(pk__in=due).update(confirmation_sent_at=None, confirmation_claimed_at=None,
                                            confirmation_number=F("confirmation_number") + 1)

    def ask():
        for order_id in due:
            enqueue.send_order_confirmation(order_id)

    transaction.on_commit(ask, robust=True)


def refund_notice(order: Order) -> None:
    """The order was refunded (in the caller's transaction): the buyer's notice of it is
    due, sent as a confirmation is (claimed, sent, marked; the sweep catches it up), the
    first email's number moved on so that it is a message of its own."""
    Order.objects.filter(pk=order.pk).update(confirmation_sent_at=None, confirmation_claimed_at=None,
                                             confirmation_number=F("confirmation_number") + 1,
                                             refunded_at=timezone.now())
    transaction.on_commit(lambda: enqueue.send_order_confirmation(order.pk), robust=True)


def payback_changed(order: Order) -> None:
    """What the buyer was told of a payback changed (in the caller's transaction): the card
    provider refused it, or it was paid back by other means since. Their last email (the
    confirmation, or the refund's notice) is sent again, its receipt as it now stands."""
    if Order.objects.filter(pk=order.pk, status__in=(Order.Status.PAID, Order.Status.REFUNDED)).update(
            confirmation_sent_at=None, confirmation_claimed_at=None,
            confirmation_number=F("confirmation_number") + 1):
        transaction.on_commit(lambda: enqueue.send_order_confirmation(order.pk), robust=True)


def payment_link(order: Order) -> str:
    """Where the customer pays their reservation themselves (the order's private token)."""
    return f"{order_link(order)}pay/"


def subject_names(order: Order) -> dict[str, str]:
    """The show and the order as a subject names them: the title on one line whatever it
    holds (a header refuses a line break)."""
    return {"event": " ".join(order.performance.event.title.split()), "code": order.code}


def send_payment_link(order: Order, *, actor=None) -> None:
    """Email the customer the link to pay their reservation, in the order's language.
    Sent at once (an operator is waiting to tell the caller it went); a failure is raised."""
    order = Order.objects.select_related("customer", "performance__event", "performance__venue").get(pk=order.pk)
    with translation.override(order.language):
        buyer_email(
            subject=_("Pay for your reservation: %(event)s — order %(code)s") % subject_names(order),
            template="sales/email/payment_link", context={"order": order, "link": payment_link(order)},
            to=order.customer.email,
            headers={"Content-Language": order.language or "en"},
        ).send()
    OrderEvent.objects.create(order=order, action="payment link sent", detail=order.customer.email,
                              actor=actor if actor is not None and actor.is_authenticated else None)


def send_reservation_cancelled(order_id: int) -> bool:
    """Tell the caller whose reservation the performance's cancellation ended (nothing was
    charged), once, in the order's language. Returns False if already told or no address."""
    order = Order.objects.select_related("customer", "performance__event", "performance__venue").get(pk=order_id)
    if order.customer.email.endswith(".invalid") or order.events.filter(action="cancellation notice sent").exists():
        return False
    with translation.override(order.language):
        buyer_email(
            subject=_("Cancelled: %(event)s — order %(code)s") % subject_names(order),
            template="sales/email/reservation_cancelled", context={"order": order},
            to=order.customer.email,
            headers={"Content-Language": order.language or "en"},
        ).send()
    OrderEvent.objects.create(order=order, action="cancellation notice sent", detail=order.customer.email)
    return True


def send_reservation_reminders(*, within_hours: int = 24) -> int:
    """Remind each reservation once, `within_hours` before its deadline."""
    from datetime import timedelta

    now = timezone.now()
    due = Order.objects.filter(status=Order.Status.RESERVED, reminder_sent_at__isnull=True,
                               payment_deadline__gt=now,
                               payment_deadline__lte=now + timedelta(hours=within_hours))
    sent = 0
    for order in due.select_related("customer", "performance__event"):
        if not Order.objects.filter(pk=order.pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now):
            continue  # another worker has it
        try:
            with translation.override(order.language):
                buyer_email(
                    subject=_("Reminder: pay for your reservation: %(event)s — order %(code)s")
                    % subject_names(order),
                    template="sales/email/reminder", context={"order": order, "link": payment_link(order)},
                    to=order.customer.email,
                    headers={"Content-Language": order.language or "en"},
                ).send()
        except Exception:
            Order.objects.filter(pk=order.pk, reminder_sent_at=now).update(reminder_sent_at=None)
            raise
        OrderEvent.objects.create(order=order, action="reminder sent", detail=order.customer.email)
        sent += 1
    return sent


def site_link(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def send_orders_found(email: str) -> int:
    """Email `email` the private link of each order bought with it (paid, or reserved to pay),
    in the language of the request; the same email says so when there is none, so that
    whoever asked learns nothing from the page about which addresses have bought."""
    # Customers are kept under their address as it is sent (models.address_as_sent):
    # jdoe@ｇｍａｉｌ.com typed here finds jdoe@gmail.com's orders.
    # Case aside, by the Upper(email) index; lowered too, for UPPER() writes letters of other
    # alphabets as Latin ones (a dotless ı as I): jdoe@gmaıl.com, a domain anyone may
    # register, must not be sent jdoe@gmail.com's links.
    sent = address_as_sent(email.strip())
    orders = list(Order.objects.alias(lowered=Lower("customer__email"))
                  .filter(Q(customer__email__iexact=email, lowered=Lower(Value(email)))
                          | Q(customer__email__iexact=sent, lowered=Lower(Value(sent))),
                          status__in=(Order.Status.PAID, Order.Status.RESERVED))
                  .select_related("performance__event", "performance__venue").order_by("-created_at")[:20])
    for order in orders:
        order.link = order_link(order)
    # Only the address's owner sees the subject: it may say there is none (the page may not).
    subject = _("Your tickets") if orders else _("No tickets bought with this address")
    buyer_email(subject=subject, to=email, template="sales/email/orders_found", context={"orders": orders},
                headers={"Content-Language": translation.get_language() or settings.LANGUAGE_CODE}).send()
    return len(orders)
