"""The organizer's side of sales: put on sale, block and allocate seats, read orders with
their audit trail. Every write here is a call to a service; nothing edits seat state."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext

from events.admin import (
    TIMES_AS_TYPED,
    PerformanceAdmin,
    TabularInline,
    VenueClockMixin,
    as_money,
    labelled,
    on_office_clock,
    on_venue_clock,
    staff_as_text,
    staff_name,
    user_fields,
)
from events.models import Channel, Performance, PriceZone, one_line

from . import admission, draws, inventory, waiting_room
from .availability import availability_changed
from .errors import SalesError
from .formatting import WALK_IN_EMAIL, buyer_name, customer_name, money, number, payment_note
from .models import (
    Ballot,
    BallotEntry,
    Customer,
    Draw,
    Hold,
    Order,
    OrderEvent,
    Payment,
    Place,
    PlaceEvent,
    Presale,
    Ticket,
    WaitingRoom,
)
from .order_receipt import receipt_html
from .orders import (
    REFUND_OWED,
    REFUND_REFUSED,
    order_refund,
    refund_amounts,
    refund_refusal,
    refunds_refused,
    refunds_settle,
    refuse_card_number,
    refused_words,
)
from .policy import erases_personal_data, refunds_at_all
from .privacy import customer_erase, erasure_plan
from .reports import zone_states
from .templatetags.boxoffice import audit_line
from .tickets import price_type_names


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return staff_as_text(self.model, [f.name for f in self.model._meta.fields])

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or ()), *user_fields(self.model)]


def _run(modeladmin, request, what: str, fn) -> None:
    try:
        n = fn()
    except SalesError as exc:
        modeladmin.message_user(request, gettext("Nothing changed: %(reason)s") % {"reason": exc.message},
                                messages.ERROR)
    else:
        modeladmin.message_user(request, gettext("%(what)s: %(n)s") % {"what": what, "n": n}, messages.SUCCESS)


def _confirmation(modeladmin, request, queryset, template: str, **context):
    """An action's page asking to confirm it, which posts its selection again."""
    return render(request, template, {
        **modeladmin.admin_site.each_context(request), "opts": modeladmin.model._meta, "queryset": queryset,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME, **context})


def _each(modeladmin, request, items, name, act) -> tuple[int, int]:
    """`act` on each of `items`, a refusal said under the item's `name`: what the acts
    returned, summed, and how many were refused."""
    done = refused = 0
    for item in items:
        try:
            done += act(item)
        except SalesError as exc:
            refused += 1
            modeladmin.message_user(request, gettext("%(item)s: %(reason)s") % {
                "item": name(item), "reason": exc.message}, messages.ERROR)
    return done, refused


# --- performances ---------------------------------------------------------------------

admin.site.unregister(Performance)


@admin.register(Performance)
class SalesPerformanceAdmin(PerformanceAdmin):
    actions = ["put_on_sale"]
    readonly_fields = ("sales_by_channel",)
    list_display = (*PerformanceAdmin.list_display, "on_sale")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            has_places=Exists(Place.objects.filter(performance=OuterRef("pk"))))

    # Which performances the action below has not put on sale yet: a new one sells nothing
    # until it is run, whatever its on-sale windows say.
    @admin.display(description=gettext_lazy("On sale"), boolean=True, ordering="has_places")
    def on_sale(self, obj):
        return obj.has_places

    # Each action that changes something says so (permissions): Django offers an action
    # that says nothing to whoever may read the list.
    @admin.action(description=gettext_lazy("Put on sale (create the inventory)"), permissions=["change"])
    def put_on_sale(self, request, queryset):
        for performance in queryset:
            _run(self, request, gettext("%(performance)s: places created") % {"performance": performance},
                 lambda p=performance: inventory.put_on_sale(performance=p))
            availability_changed(performance.pk)  # the pages' counts were of no places
            # On sale, but a channel sells only within its window: with none, nobody can buy.
            if not performance.on_sale_windows.exists() and Place.objects.filter(performance=performance).exists():
                self.message_user(request, gettext(
                    "%(performance)s: no channel sells it yet, it has no on-sale window. Add one on its page for "
                    "each channel that sells it.") % {"performance": performance}, messages.WARNING)

    def get_urls(self):
        return [path("<int:pk>/put-on-sale/", self.admin_site.admin_view(self.put_on_sale_view),
                     name="events_performance_put_on_sale"), *super().get_urls()]

    def put_on_sale_view(self, request, pk):
        """The action above for the one performance whose page this is, from a button there
        (a form that posts: following the address changes nothing)."""
        performance = get_object_or_404(Performance, pk=pk)
        back = redirect(reverse("admin:events_performance_change", args=[performance.pk]))
        if request.method != "POST":
            return back
        if not self.has_change_permission(request, performance):
            raise PermissionDenied
        self.put_on_sale(request, Performance.objects.filter(pk=performance.pk))
        return back

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        may = (obj is not None and obj.cancelled_at is None and self.has_change_permission(request, obj)
               and not Place.objects.filter(performance=obj).exists())
        return super().change_view(request, object_id, form_url, {"may_put_on_sale": may, **(extra_context or {})})

    @admin.display(description=gettext_lazy("Sold by channel"))
    def sales_by_channel(self, obj):
        if not obj.pk:
            return "-"
        # Comps are given, not sold: counted on their own, never as revenue.
        comp = Q(complimentary=True)
        rows = (Ticket.objects.filter(order__performance=obj, status=Ticket.Status.VALID)
                .values("order__channel").annotate(n=Count("pk", filter=~comp), comps=Count("pk", filter=comp),
                                                   revenue=Sum("price", filter=~comp, default=0))
                .order_by("order__channel"))
        lines = [(Channel(r["order__channel"]).label, number(r["n"]), money(r["revenue"]), number(r["comps"]))
                 for r in rows]
        zones = [(z.name, *map(number, (z.sold, z.held, z.reserved, z.available, z.blocked))) for z in zone_states(obj)]

        def head(*labels):
            return format_html_join("", "<th>{}</th>", ((label,) for label in labels))

        return format_html(
            "{}<table><tr>{}</tr>{}</table><p>{} <a href=\"{}\">{}</a></p>",
            format_html("<table><tr>{}</tr>{}</table>",
                        head(gettext("Channel"), gettext("Tickets sold"), gettext("Ticket sales"), gettext("Comps")),
                        format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", lines))
            if lines else gettext("Nothing sold yet."),
            head(gettext("Zone"), pgettext("places", "Sold"), pgettext("places", "Held"),
                 pgettext("places", "Reserved"), pgettext("places", "Available"), pgettext("places", "Blocked")),
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", zones)
            if zones else format_html(
                "<tr><td colspan=\"6\">{}</td></tr>",
                # Its page says how to put it on sale, to whoever may (change_view).
                gettext("Cancelled before it was put on sale.") if obj.cancelled_at else gettext("Not on sale yet.")),
            # Why its total is not the dashboard's net takings.
            gettext("Ticket sales are the valid tickets' prices, their fees and taxes included; the fees per order "
                    "and the fees refunds kept are in the dashboard's net takings."),
            reverse("admin:sales_performancedashboard_change", args=[obj.pk]), gettext("Open the dashboard"))


# --- places ---------------------------------------------------------------------------

class AllocateForm(forms.Form):
    channel = forms.ChoiceField(choices=[("", gettext_lazy("Every channel"))] + list(Channel.choices),
                                required=False)


class PlaceEventInline(TabularInline):
    model = PlaceEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "from_state", "to_state", "channel", "by", "order")
    readonly_fields = fields
    by = staff_name("actor", gettext_lazy("actor"))

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Place)
class PlaceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("__str__", "performance", "price_zone", "state", "allocation", "hold_lapses")
    list_filter = ("state", "allocation", "performance", "section")
    search_fields = ("seat__row", "seat__number", "section__name")
    list_select_related = ("section", "seat", "performance__event", "performance__venue", "price_zone")
    hold_lapses = on_venue_clock("hold_expires_at", gettext_lazy("Hold lapses"))
    list_per_page = 200
    inlines = [PlaceEventInline]
    actions = ["block", "unblock", "allocate"]

    def has_change_permission(self, request, obj=None):
        # Needed for the actions; the fields themselves stay read-only.
        return request.user.has_perm("sales.change_place")

    def _by_performance(self, request, queryset, fn):
        total = 0
        for perf_id in queryset.values_list("performance_id", flat=True).distinct():
            ids = list(queryset.filter(performance_id=perf_id).values_list("pk", flat=True))
            total += len(fn(Performance.objects.get(pk=perf_id), ids))
            # The counts shown to buyers follow at once, not after the cache's timeout.
            transaction.on_commit(lambda perf_id=perf_id: availability_changed(perf_id), robust=True)
        return total

    @admin.action(description=gettext_lazy("Block (take off sale)"), permissions=["change"])
    def block(self, request, queryset):
        _run(self, request, gettext("Blocked"), lambda: self._by_performance(
            request, queryset, lambda p, ids: inventory.block(
                performance=p, place_ids=ids, now=timezone.now(), actor=request.user)))

    @admin.action(description=gettext_lazy("Unblock (put back on sale)"), permissions=["change"])
    def unblock(self, request, queryset):
        _run(self, request, gettext("Unblocked"), lambda: self._by_performance(
            request, queryset, lambda p, ids: inventory.unblock(
                performance=p, place_ids=ids, now=timezone.now(), actor=request.user)))

    @admin.action(description=gettext_lazy("Allocate to a channel…"), permissions=["change"])
    def allocate(self, request, queryset):
        form = AllocateForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            channel = form.cleaned_data["channel"]
            to = Channel(channel).label if channel else gettext("every channel")
            _run(self, request, gettext("Allocated to %(channel)s") % {"channel": to},
                 lambda: self._by_performance(request, queryset, lambda p, ids: inventory.allocate(
                     performance=p, place_ids=ids, channel=channel, now=timezone.now(),
                     actor=request.user)))
            return None
        return render(request, "admin/sales/place/allocate.html", {
            **self.admin_site.each_context(request), "form": form, "places": queryset,
            "opts": self.model._meta, "title": gettext("Allocate places to a channel"),
        })


# A place's moves as the audit trail records them (sales.inventory.rules), in the reader's words.
PLACE_ACTIONS = {"hold": gettext_lazy("held"), "release": gettext_lazy("released"),
                 "expire": gettext_lazy("hold lapsed"), "sell": gettext_lazy("sold"),
                 "return": gettext_lazy("back on sale"), "withdraw": gettext_lazy("withdrawn (cancelled)"),
                 "block": gettext_lazy("blocked"), "unblock": gettext_lazy("unblocked"),
                 "allocate": gettext_lazy("allocated")}


@admin.register(PlaceEvent)
class PlaceEventAdmin(ReadOnlyMixin, VenueClockMixin, admin.ModelAdmin):
    venue_time_zone = "place__performance__venue__time_zone"
    list_display = ("when", "place", "move", "from_state", "to_state", "sold_by", "actor", "order")
    list_filter = ("action", "channel", "place__performance")
    search_fields = ("order__code", "actor__username", "place__seat__row", "place__seat__number")
    list_select_related = ("place__seat", "place__section", "place__performance__venue", "actor", "order")
    when = on_venue_clock("at", gettext_lazy("When"), "place.performance")

    @admin.display(description=gettext_lazy("action"), ordering="action")
    def move(self, obj):
        return PLACE_ACTIONS.get(obj.action, obj.action)

    @admin.display(description=gettext_lazy("channel"), ordering="channel")
    def sold_by(self, obj):
        return Channel(obj.channel).label if obj.channel in Channel.values else obj.channel


@admin.register(Hold)
class HoldAdmin(ReadOnlyMixin, VenueClockMixin, admin.ModelAdmin):
    list_display = ("pk", "performance", "channel", "user", "status", "expires", "created")
    list_filter = ("status", "channel")
    list_select_related = ("performance__event", "performance__venue", "user")
    expires = on_venue_clock("expires_at", gettext_lazy("Expires"))
    created = on_venue_clock("created_at", gettext_lazy("Created"))


# --- orders ---------------------------------------------------------------------------

class TicketInline(TabularInline):
    model = Ticket
    extra = 0
    can_delete = False
    fields = ("place", "price_zone_name", "price_type", "complimentary", "price", "code", "status",
              "checked_in_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("price type name"))
    def price_type(self, obj):
        """The ticket's price type in the reader's language (it keeps the name its buyer's
        language gave it); the names are read once per performance for the page."""
        names = self.__dict__.setdefault("_type_names", {})
        performance = obj.place.performance_id
        if performance not in names:
            names[performance] = price_type_names(performance)
        return names[performance].get(obj.price_type_name, obj.price_type_name)


class PaymentInline(TicketInline):
    model = Payment
    fields = ("created_at", "method", "amount_money", "status", "reference", "note", "by")
    readonly_fields = fields
    by = staff_name("created_by", gettext_lazy("created by"))
    amount_money = as_money("amount", gettext_lazy("amount"), "order.currency")

    @admin.display(description=gettext_lazy("message"))
    def note(self, obj):
        return payment_note(obj)  # kept in English, read in the organizer's language


class OrderEventInline(TicketInline):
    model = OrderEvent
    fields = ("at", "said", "by")
    readonly_fields = fields
    # Its line as kept (in English, "placed 2 tickets, 57.49 CAD") would title each row
    # above what the row says in the reader's language.
    row_titles = False
    by = staff_name("actor", gettext_lazy("actor"))

    @admin.display(description=gettext_lazy("What happened"))
    def said(self, obj):
        return audit_line(obj)  # kept in English, read in the organizer's language


class RefundsToSettle(admin.SimpleListFilter):
    """Refunds recorded that the provider has not made: refused (a person pays them back
    by other means) or not yet taken (the reconciliation asks again)."""

    title = gettext_lazy("refunds to settle")
    parameter_name = "refunds"

    def lookups(self, request, model_admin):
        return [("refused", gettext_lazy("Refused by the payment provider")),
                ("owed", gettext_lazy("Waiting for the payment provider"))]

    def queryset(self, request, queryset):
        message = {"refused": REFUND_REFUSED, "owed": REFUND_OWED}.get(self.value())
        if message is None:
            return queryset
        return queryset.filter(payments__status=Payment.Status.REFUNDED, payments__message=message).distinct()


@admin.register(Order)
class OrderAdmin(ReadOnlyMixin, VenueClockMixin, admin.ModelAdmin):
    # What an organizer looks an order up for, in a laptop's width: who bought what, for how
    # much, where it stands, and whether the tickets went out. The channel is a filter, and
    # on the order's page.
    list_display = ("code", "performance", "buyer", "status", "total_money", "created", "confirmation_sent")
    list_filter = ("status", "channel", RefundsToSettle, "performance")
    search_fields = ("code", "customer__email", "buyer_name__unaccent", "customer__name__unaccent")
    list_select_related = ("customer", "performance__event", "performance__venue")
    created = on_venue_clock("created_at", gettext_lazy("Created"))
    total_money = as_money("total", gettext_lazy("total"))
    inlines = [TicketInline, PaymentInline, OrderEventInline]
    actions = ["refund", "settle_refused"]
    exclude = ("access_token", "idempotency_key", "receipt")

    def get_readonly_fields(self, request, obj=None):
        # The total as money in the order's currency, where the bare number was.
        return [("total_money" if f == "total" else f) for f in super().get_readonly_fields(request, obj)
                if f not in self.exclude] + ["printed_receipt"]

    def get_exclude(self, request, obj=None):
        return [*super().get_exclude(request, obj), "total"]  # shown as total_money

    def get_fieldsets(self, request, obj=None):
        # What the order was charged, and why comps were given, together and in sight.
        priced = ["comp_reason", "promo_code", "printed_receipt"]
        return [(None, {"fields": [f for f in self.get_fields(request, obj) if f not in priced]}),
                (gettext_lazy("Price"), {"fields": priced})]

    @admin.display(description=gettext_lazy("customer"), ordering="customer")  # as the customers sort
    def buyer(self, obj):
        if obj.customer.email == WALK_IN_EMAIL:  # nobody in particular: named in the reader's language
            return buyer_name(obj)
        # The name typed for this order, and the address under it: an address is one long
        # word, which a laptop's list breaks where it must (templates/admin/base_site.html).
        mailbox, _at, domain = obj.customer.email.rpartition("@")
        return format_html('{}<br><span class="email">{}<wbr>@{}</span>', obj.buyer, mailbox, domain)

    # Whether the buyer was sent their tickets, at a glance; when is on the order's page.
    @admin.display(description=gettext_lazy("Confirmation sent"), boolean=True, ordering="confirmation_sent_at")
    def confirmation_sent(self, obj):
        return obj.confirmation_sent_at is not None

    @admin.display(description=gettext_lazy("Receipt"))
    def printed_receipt(self, obj):
        return receipt_html(obj) or "-"

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("sales.change_order")

    @admin.action(description=gettext_lazy("Refund (places back on sale; fees not refundable kept)"),
                  permissions=["change"])
    def refund(self, request, queryset):
        """Money moves: first a page of what each order would pay back, then, confirmed, the refunds."""
        if request.POST.get("confirmed") != "yes":
            plan = []
            for order in queryset.select_related("customer", "performance__event", "performance__venue"):
                row = {"order": order, "buyer": buyer_name(order)}
                refusal = refund_refusal(order, request.user)  # cash needs the counter's drawer, say
                if refusal:
                    row["refusal"] = refusal[:1].upper() + refusal[1:]
                else:
                    _plan, row["back"], row["kept"] = refund_amounts(order)
                plan.append(row)
            return _confirmation(self, request, queryset, "admin/sales/order/refund_confirmation.html", plan=plan,
                                 refundable=sum(1 for row in plan if "refusal" not in row))
        done = 0
        for order in queryset:
            last = order.payments.order_by("-pk").values_list("pk", flat=True).first() or 0
            try:
                order_refund(order=order, actor=request.user)
                done += 1
            except SalesError as exc:
                self.message_user(request, f"{order.code}: {exc.message}", messages.ERROR)
            else:
                if refused := refunds_refused(order, after=last):
                    self.message_user(request, refused_words(order, refused), messages.WARNING)
        if done:
            self.message_user(request, ngettext("Refunded %(n)d order.", "Refunded %(n)d orders.", done) % {"n": done},
                              messages.SUCCESS)


    @admin.action(description=gettext_lazy("Settle refunds the provider refused (paid back by other means)"),
                  permissions=["change"])
    def settle_refused(self, request, queryset):
        """A refund the provider refused, paid back by a person (a cheque, a transfer): first
        a page of what each order is owed, asking how it was paid back; then, confirmed,
        each marked settled on the order's record."""
        if not refunds_at_all(request.user):
            self.message_user(request, gettext("Your role does not refund orders; ask a supervisor."), messages.ERROR)
            return None
        form = SettleRefusedForm(request.POST if request.POST.get("confirmed") == "yes" else None)
        if not form.is_valid():
            owed = [{"order": order, "buyer": buyer_name(order), "owed": refunds_refused(order)}
                    for order in queryset.select_related("customer", "performance__event", "performance__venue")]
            return _confirmation(self, request, queryset, "admin/sales/order/settle_confirmation.html", owed=owed,
                                 settling=sum(1 for row in owed if row["owed"]), form=form)
        done, refused = _each(self, request, queryset, lambda order: order.code, lambda order: bool(
            refunds_settle(order, how=form.cleaned_data["how"], actor=request.user)))
        if done:
            self.message_user(request, ngettext("Settled the refused refunds of %(n)d order.",
                                                "Settled the refused refunds of %(n)d orders.", done) % {"n": done},
                              messages.SUCCESS)
        elif not refused:
            self.message_user(request, gettext("None of these orders has a refund the provider refused."),
                              messages.WARNING)
        return None


class SettleRefusedForm(forms.Form):
    how = forms.CharField(label=gettext_lazy("How it was paid back"), max_length=200, validators=[one_line],
                          help_text=gettext_lazy("A cheque and its number, a bank transfer and its reference: "
                                                 "kept on each order's record."))

    def clean_how(self):
        """Refused beside the field, before any order is settled, as the service refuses it."""
        how = self.cleaned_data["how"]
        try:
            refuse_card_number(how, field="how")
        except SalesError as exc:
            raise forms.ValidationError(exc.message) from None
        return how


SHORT_CODE = 8  # a ticket code's characters a list shows


@admin.register(Ticket)
class TicketAdmin(ReadOnlyMixin, VenueClockMixin, admin.ModelAdmin):
    venue_time_zone = "place__performance__venue__time_zone"
    list_display = ("short_code", "order", "place", "price_zone_name", "price_money", "status", "checked_in",
                    "checked_in_door")
    search_fields = ("code", "order__code")
    list_filter = ("status",)
    list_select_related = ("order", "place__seat", "place__section", "place__performance__venue")
    checked_in = on_venue_clock("checked_in_at", gettext_lazy("Checked in"), "place.performance")
    price_money = as_money("price", gettext_lazy("price"), "order.currency")

    # A ticket's code is 32 characters of one word, a column as wide as three: its first
    # characters tell a ticket from the others in a list, the whole code is in their title
    # and on the ticket's page, and the search finds a ticket by its whole code.
    @admin.display(description=gettext_lazy("code"), ordering="code")
    def short_code(self, obj):
        return format_html('<abbr title="{}">{}…</abbr>', obj.code, obj.code[:SHORT_CODE])


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    add_label = gettext_lazy("Add a customer")
    list_display = ("shown_name", "email", "phone", "created")
    # A customer is no venue's: their record is on the box office's clock.
    created = on_office_clock("created_at", gettext_lazy("created at"))
    search_fields = ("name__unaccent", "email", "phone")
    actions = ["erase_personal_data"]

    @admin.display(description=gettext_lazy("name"), ordering="name")
    def shown_name(self, obj):
        """The counter's walk-in and an erased person in the reader's language."""
        return customer_name(obj)

    def has_erase_permission(self, request):
        return erases_personal_data(request.user)

    @admin.action(description=gettext_lazy("Erase personal data (on the person's request)"), permissions=["erase"])
    def erase_personal_data(self, request, queryset):
        """First a page of what would be erased for each person (or why not yet), then,
        confirmed, the erasure: one per address (its mailbox's other records with it)."""
        emails = list(dict.fromkeys(queryset.order_by("pk").values_list("email", flat=True)))
        if request.POST.get("confirmed") != "yes":
            plans = [{"plan": plan, "summary": _erasure_summary(plan)}
                     for plan in (erasure_plan(email=email) for email in emails)]
            erasable = {email for email, row in zip(emails, plans, strict=True)
                        if row["plan"].anything and not row["plan"].refusals}
            # Confirmed, the page posts only those its button counts: the others were told why not.
            return _confirmation(self, request, [c for c in queryset.order_by("pk") if c.email in erasable],
                                 "admin/sales/customer/erase_confirmation.html", plans=plans, erasable=len(erasable))
        # Named within a sentence: the admin capitalises a message's first letter, not an address's.
        done, refused = _each(self, request, emails, lambda email: gettext(
            "Personal data of %(email)s not erased") % {"email": email}, lambda email: len(
            customer_erase(email=email, actor=request.user).customers))
        if done:
            self.message_user(request, ngettext("Erased the personal data of %(n)d customer.",
                                                "Erased the personal data of %(n)d customers.", done) % {"n": done},
                              messages.SUCCESS)
        elif not refused:
            self.message_user(request, gettext("Nothing to erase: their personal data is already erased."),
                              messages.WARNING)
        return None


def _erasure_summary(plan) -> str:
    """What an erasure takes out, counted: "2 orders, 0 ballot entries, 1 note"."""
    return ", ".join([
        ngettext("%(n)d order", "%(n)d orders", len(plan.orders)) % {"n": len(plan.orders)},
        ngettext("%(n)d ballot entry", "%(n)d ballot entries", len(plan.ballot_entries)) % {
            "n": len(plan.ballot_entries)},
        ngettext("%(n)d note", "%(n)d notes", plan.notes) % {"n": plan.notes}])



@admin.register(WaitingRoom)
class WaitingRoomAdmin(VenueClockMixin, admin.ModelAdmin):
    """Queue settings; saving publishes them to Redis at once (the rate changes live)."""

    add_label = gettext_lazy("Add a waiting room")
    formfield_overrides = TIMES_AS_TYPED
    list_display = ("performance", "enabled", "opens", "admit_per_minute", "in_queue", "admitted", "sold", "halted")
    readonly_fields = ("live", "opening_draw")
    list_select_related = ("performance__event", "performance__venue")
    opens = on_venue_clock("opens_at", gettext_lazy("Opens"))
    fields = ("performance", "enabled", "opens_at", "admit_per_minute", "automatic", "min_per_minute",
              "max_per_minute", "holds_target", "pass_minutes", "customer_limit", "live", "opening_draw")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        draws.draw_commit(waiting_room=obj)  # its seed committed to before anyone queues
        admission.publish(obj)  # sales.waiting_room.publish, with automatic admission's settings
        waiting_room.publish_presales(obj, Presale.objects.filter(performance_id=obj.performance_id))

    @admin.display(description=gettext_lazy("Opening draw"))
    def opening_draw(self, obj):
        draw = Draw.objects.filter(waiting_room=obj).first() if obj.pk else None
        return _draw_links(draw, reverse("shop:draw", args=[obj.performance_id]) if draw else "")

    def get_deleted_objects(self, objs, request):
        """A room goes with its opening draw while the draw is not made (the draws' own
        page deletes nothing, so the organizer was told they may not delete a "draw"). A
        draw made is public, for anyone to check: its room stays, and the page says why."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(Draw._meta.verbose_name)
        for draw in Draw.objects.filter(waiting_room__in=objs, drawn_at__isnull=False):
            protected.append(gettext("%(draw)s: made and published, kept for anyone to check (untick Enabled to "
                                     "turn the room off)") % {"draw": draw})
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        waiting_room.withdraw(obj.performance_id)
        admission.withdraw(obj.performance_id)
        waiting_room.withdraw_presales(obj.performance_id)

    def delete_queryset(self, request, queryset):
        performances = list(queryset.values_list("performance_id", flat=True))
        super().delete_queryset(request, queryset)
        for perf_id in performances:
            waiting_room.withdraw(perf_id)
            admission.withdraw(perf_id)
            waiting_room.withdraw_presales(perf_id)

    @admin.display(description=gettext_lazy("In queue"))
    def in_queue(self, obj):
        return waiting_room.stats(obj.performance_id)["waiting"]

    @admin.display(description=gettext_lazy("Admitted from the queue"))
    def admitted(self, obj):
        return waiting_room.stats(obj.performance_id)["admitted"]

    @admin.display(description=gettext_lazy("Tickets sold"))
    def sold(self, obj):
        return Ticket.objects.filter(order__performance_id=obj.performance_id, status="valid").count()

    @admin.display(description=gettext_lazy("Nothing free"))
    def halted(self, obj):
        if obj.performance.cancelled_at is not None:  # its places are blocked: not sold out
            return gettext("Cancelled")
        return self._halted(waiting_room.stats(obj.performance_id))

    @staticmethod
    def _halted(s: dict) -> str:
        if s["paused"]:
            return gettext("Paused: every place left is in a basket")
        return gettext("Sold out") if s["sold_out"] else ""

    @admin.display(description=gettext_lazy("Now"))
    def live(self, obj):
        if not obj.pk:
            return "-"
        s = waiting_room.stats(obj.performance_id)
        line = gettext("In the queue: %(queued)s; admitted: %(admitted)s; passes issued: %(passes)s; tickets sold: "
                       "%(sold)s; admitting %(rate)s a minute") % {
            "queued": s["waiting"], "admitted": s["admitted"], "passes": s["passes"], "sold": self.sold(obj),
            "rate": s["rate_per_minute"]}
        if halted := self._halted(s):
            line = f"{line}. {halted}"
        automatic = admission.explain(obj.performance_id) if obj.automatic else None
        return format_html("{}<br>{}", line, automatic) if automatic else line


def _draw_links(draw: Draw | None, public_url: str):
    if draw is None:
        return "-"
    return format_html('<a href="{}">{}</a> · <a href="{}">{}</a>',
                       reverse("admin:sales_draw_change", args=[draw.pk]), gettext("public value, commitment"),
                       public_url, gettext("public page"))


class DrawForm(forms.ModelForm):
    class Meta:
        model = Draw
        fields = ("public_value_source", "public_value")

    def clean(self):
        data = super().clean()
        try:
            # A field shown read-only is not in the form: it keeps its value.
            draws.draw_public_value_check(
                draw=self.instance, source=data.get("public_value_source", self.instance.public_value_source),
                value=data.get("public_value", self.instance.public_value))
        except SalesError as exc:
            raise forms.ValidationError(exc.message) from None
        return data


def _drawn_for(draw):
    """The performance a draw is for: its waiting room's or its ballot's."""
    return (draw.waiting_room or draw.ballot).performance


@admin.register(Draw)
class DrawAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """A draw's record. The organizer may announce a public value's source until the
    entries freeze and enter the value (docs/draws.md); the rest is the box office's, and
    the seed stays hidden until it is public."""

    form = DrawForm
    list_display = ("__str__", "committed", "entry_count", "drawn")
    fields = ("subject", "seed_commitment", "committed_at", "public_value_source", "public_value", "entry_count",
              "entries_hash", "frozen_at", "drawn_at", "revealed_seed")
    list_select_related = ("waiting_room__performance__venue", "ballot__performance__venue")
    committed = on_venue_clock("committed_at", gettext_lazy("committed at"), _drawn_for)
    drawn = on_venue_clock("drawn_at", gettext_lazy("drawn at"), _drawn_for)

    def get_readonly_fields(self, request, obj=None):
        editable = set()
        if obj is not None and obj.drawn_at is None:
            editable = {"public_value"} if obj.frozen_at is None or obj.public_value_source else set()
            if obj.frozen_at is None:
                editable.add("public_value_source")
        return [f for f in self.fields if f not in editable]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("entries", "ranked")

    def save_model(self, request, obj, form, change):
        try:  # checked again under the row's lock: the entries may have frozen meanwhile
            draws.draw_set_public_value(draw=obj, source=obj.public_value_source, value=obj.public_value)
        except SalesError as exc:
            self.message_user(request, gettext("Nothing changed: %(reason)s") % {"reason": exc.message}, messages.ERROR)

    @admin.display(description=gettext_lazy("Draw of"))
    def subject(self, obj):
        return obj.waiting_room or obj.ballot

    @admin.display(description=gettext_lazy("Seed"))
    def revealed_seed(self, obj):
        return obj.seed if obj.drawn_at else "(revealed after the draw)"


class BallotEntryInline(TabularInline):
    model = BallotEntry
    extra = 0
    can_delete = False
    fields = ("rank", "reference", "name", "email", "quantity", "status", "order")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ballot)
class BallotAdmin(VenueClockMixin, admin.ModelAdmin):
    add_label = gettext_lazy("Add a ballot")
    formfield_overrides = TIMES_AS_TYPED
    list_display = ("performance", "zone", "opens", "closes", "drawn", "confirmed", "unconfirmed")
    list_select_related = ("performance__event", "performance__venue", "zone")
    opens = on_venue_clock("opens_at", gettext_lazy("Opens"))
    closes = on_venue_clock("closes_at", gettext_lazy("Closes"))
    drawn = on_venue_clock("drawn_at", gettext_lazy("Drawn"))
    readonly_fields = ("drawn_at", "confirmed", "unconfirmed", "the_draw")

    def get_queryset(self, request):
        # An application is in the draw once its address is confirmed (sales.lottery).
        unconfirmed = BallotEntry.Status.UNCONFIRMED
        confirmed = [status for status in BallotEntry.Status.values if status != unconfirmed]
        return super().get_queryset(request).annotate(
            confirmed_count=Count("entries", filter=Q(entries__status__in=confirmed)),
            unconfirmed_count=Count("entries", filter=Q(entries__status=unconfirmed)))

    @admin.display(description=gettext_lazy("Confirmed applications"))
    def confirmed(self, obj):
        return number(getattr(obj, "confirmed_count", 0))

    @admin.display(description=gettext_lazy("Applications not confirmed (not in the draw)"))
    def unconfirmed(self, obj):
        return number(getattr(obj, "unconfirmed_count", 0))
    inlines = [BallotEntryInline]
    actions = ["draw"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        # Each zone named with its performance: "Zone A" is in every date of a run.
        form = super().get_form(request, obj, change=change, **kwargs)
        zones = PriceZone.objects.filter(performance=obj.performance) if obj is not None else PriceZone.objects.all()
        labelled(form.base_fields.get("zone"), zones.order_by("performance__starts_at", "name"))
        return form

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        draws.draw_commit(ballot=obj)  # its seed committed to before anyone applies

    @admin.display(description=gettext_lazy("Draw"))
    def the_draw(self, obj):
        draw = Draw.objects.filter(ballot=obj).first() if obj.pk else None
        return _draw_links(draw, reverse("shop:ballot-draw", args=[obj.pk]) if draw else "")

    @admin.action(description=gettext_lazy("Draw now (the window must be closed)"), permissions=["change"])
    def draw(self, request, queryset):
        from . import lottery

        for ballot in queryset:
            _run(self, request, f"{ballot}: drawn", lambda b=ballot: lottery.ballot_draw(ballot=b)["won"])


from . import office_admin  # noqa: E402, F401, I001 - the organizer's office: staff, money, dashboards, exports
from . import pricing_admin  # noqa: E402, F401, I001 - taxes, fees, promo codes, presales
