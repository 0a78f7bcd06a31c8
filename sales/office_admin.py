"""The organizer's office in the admin: staff accounts, shifts and payments, a dashboard
per performance, exports. Loaded by sales.admin; every write is a call to a service."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from rest_framework.authtoken.models import TokenProxy

from events.admin import (
    VENUE_TIME,
    TabularInline,
    VenueClockMixin,
    as_money,
    on_office_clock,
    on_venue_clock,
    staff_as_text,
    staff_name,
    user_fields,
)
from events.models import Event, Performance

from .errors import SalesError
from .exports import KINDS, ExportFilter, csv_chunks, export_rows, xlsx_file
from .formatting import money, number, payment_note, performance_label, when, zone_place
from .models import Payment, PerformanceDashboard, PlaceState, Shift, StaffMember
from .policy import ROLE_LABELS, ROLES
from .reports import MONEY_MOVED, cash_as_handed, cash_rounding, on_sale_now, performance_dashboard, takings_today
from .settlement import event_settlement, settlement_csv, settlement_pdf
from .shifts import METHODS as SHIFT_METHODS
from .shifts import shift_differences, shift_expected
from .staff_accounts import (
    grantable_roles,
    managed_by,
    may_manage,
    staff_create,
    staff_set_active,
    staff_set_password,
    staff_update,
)

# --- the admin's own name ---------------------------------------------------------------

admin.site.site_header = gettext_lazy("Box office")
admin.site.site_title = gettext_lazy("Box office")
admin.site.index_title = gettext_lazy("Organizer's office")

# Django's own tables here (its groups and users, the API's tokens) name their add button
# and add page with the article, as ours do (events.admin, add_label): « Ajouter un groupe »,
# not Django's « Ajouter groupe »; and those a chooser links to, its links (« Ajouter un autre
# utilisateur », not « Ajouter un autre objet utilisateur »). Their admins are otherwise
# theirs, as registered.
_THEIR_LABELS = {
    Group: {"add_label": gettext_lazy("Add a group"), "add_another_label": gettext_lazy("Add another group"),
            "change_selected_label": gettext_lazy("Change selected group"),
            "view_selected_label": gettext_lazy("View selected group"),
            "delete_selected_label": gettext_lazy("Delete selected group")},
    User: {"add_label": gettext_lazy("Add a user"), "add_another_label": gettext_lazy("Add another user"),
           "change_selected_label": gettext_lazy("Change selected user"),
           "view_selected_label": gettext_lazy("View selected user"),
           "delete_selected_label": gettext_lazy("Delete selected user")},
    TokenProxy: {"add_label": gettext_lazy("Add a token")},
}
for _model, _labels in _THEIR_LABELS.items():
    _theirs = type(admin.site.get_model_admin(_model))
    admin.site.unregister(_model)
    admin.site.register(_model, type(_theirs.__name__, (_theirs,), _labels))
# The admin is served by the staff pool; "View site" opens the shop, on the public address.
admin.site.site_url = settings.SITE_URL.rstrip("/") + "/"


# --- staff accounts ------------------------------------------------------------------------

def _role_choices(actor):
    return [(role, ROLE_LABELS[role]) for role in grantable_roles(actor)]


class StaffRoleFilter(admin.SimpleListFilter):
    """The roles the signed-in user gives, named as the Roles column names them; the groups
    behind them are named in English for the code, and list roles no one here has."""

    title = gettext_lazy("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return _role_choices(request.user)

    def queryset(self, request, queryset):
        if self.value() in dict(_role_choices(request.user)):
            return queryset.filter(groups__name=self.value())
        return queryset


class _PasswordPair(forms.Form):
    password1 = forms.CharField(label=gettext_lazy("Password"), strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=gettext_lazy("Password again"), strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))

    def clean_password2(self):
        one, two = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if one and two and one != two:
            raise forms.ValidationError(_("The two passwords differ."))
        if two:
            password_validation.validate_password(two, getattr(self, "instance", None))
        return two


class StaffAddForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(label=gettext_lazy("Roles"), widget=forms.CheckboxSelectMultiple)
    password1 = _PasswordPair.base_fields["password1"]
    password2 = _PasswordPair.base_fields["password2"]
    clean_password2 = _PasswordPair.clean_password2

    class Meta:
        model = StaffMember
        fields = ("username", "first_name", "last_name", "email")


class StaffChangeForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(label=gettext_lazy("Roles"), widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = StaffMember
        fields = ("first_name", "last_name", "email", "is_active")


class PasswordForm(_PasswordPair):
    pass


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    """Counter clerks, phone operators and door staff, managed by an organizer; a superuser
    also manages organizers here. Superusers themselves are not listed."""

    add_label = gettext_lazy("Add a staff account")
    list_display = ("username", "full_name", "role_list", "is_active", "last_signed_in")
    list_filter = ("is_active", StaffRoleFilter)
    search_fields = ("username", "first_name", "last_name", "email")
    actions = ["disable", "enable"]
    readonly_fields = ("password_link", "last_login", "date_joined")
    last_signed_in = on_office_clock("last_login", gettext_lazy("last login"))

    def get_queryset(self, request):
        return managed_by(request.user, super().get_queryset(request)).prefetch_related("groups")

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_manage(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return False  # disabled, not deleted: their sales and shifts stay recorded with them

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("username", "first_name", "last_name", "email", "roles", "password1", "password2")
        return ("username", "first_name", "last_name", "email", "roles", "is_active", "password_link",
                "last_login", "date_joined")

    def get_readonly_fields(self, request, obj=None):
        return ("username", *self.readonly_fields) if obj is not None else ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = StaffChangeForm if obj is not None else StaffAddForm
        choices = _role_choices(request.user)
        initial = [g.name for g in obj.groups.all() if g.name in ROLES] if obj is not None else []

        class Form(base):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                self.fields["roles"].choices = choices
                if obj is not None and not self.is_bound:
                    self.initial["roles"] = initial

        kwargs["form"] = Form
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if change:
                staff_update(actor=request.user, user=obj, roles=data["roles"], email=data["email"],
                             first_name=data["first_name"], last_name=data["last_name"],
                             is_active=data["is_active"])
            else:
                made = staff_create(actor=request.user, username=data["username"], password=data["password1"],
                                    roles=data["roles"], email=data["email"], first_name=data["first_name"],
                                    last_name=data["last_name"])
                obj.pk, obj._state.adding = made.pk, False
        except SalesError as exc:
            raise PermissionDenied(exc.message) from None

    def save_related(self, request, form, formsets, change):
        pass  # the roles are the service's to set

    @admin.display(description=gettext_lazy("Name"))
    def full_name(self, obj):
        return obj.get_full_name()

    @admin.display(description=gettext_lazy("Roles"))
    def role_list(self, obj):
        return ", ".join(str(ROLE_LABELS[g.name]) for g in obj.groups.all() if g.name in ROLES)

    @admin.display(description=gettext_lazy("Password"))
    def password_link(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        return format_html('<a class="button" href="{}">{}</a>',
                           reverse("admin:sales_staffmember_password", args=[obj.pk]), _("Set a new password"))

    def get_urls(self):
        return [path("<int:pk>/password/", self.admin_site.admin_view(self.set_password),
                     name="sales_staffmember_password")] + super().get_urls()

    def set_password(self, request, pk):
        user = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        form = PasswordForm(request.POST or None)
        form.instance = user
        if request.method == "POST" and form.is_valid():
            try:
                staff_set_password(actor=request.user, user=user, password=form.cleaned_data["password1"])
            except SalesError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, _("%(user)s has a new password.") % {"user": user.username},
                                  messages.SUCCESS)
                return redirect(reverse("admin:sales_staffmember_change", args=[user.pk]))
        return render(request, "admin/sales/staffmember/password.html", {
            **self.admin_site.each_context(request), "form": form, "member": user, "opts": self.model._meta,
            "title": _("New password for %(user)s") % {"user": user.username}})

    def _set_active(self, request, queryset, active: bool):
        done = 0
        for user in queryset:
            try:
                staff_set_active(actor=request.user, user=user, active=active)
                done += 1
            except SalesError as exc:
                self.message_user(request, f"{user.username}: {exc.message}", messages.ERROR)
        if done:
            self.message_user(request, (_("Disabled: %(n)d") if not active else _("Enabled: %(n)d")) % {"n": done},
                              messages.SUCCESS)

    @admin.action(description=gettext_lazy("Disable (no more sign-in)"), permissions=["change"])
    def disable(self, request, queryset):
        self._set_active(request, queryset, False)

    @admin.action(description=gettext_lazy("Enable"), permissions=["change"])
    def enable(self, request, queryset):
        self._set_active(request, queryset, True)


# --- money: shifts and payments, read-only ------------------------------------------------

class ShiftPaymentInline(TabularInline):
    model = Payment
    fk_name = "shift"
    extra = 0
    can_delete = False
    fields = ("paid_at", "order", "method", "amount_as_money", "status", "tendered_as_money", "reference", "by")
    readonly_fields = fields
    by = staff_name("created_by", gettext_lazy("created by"))
    amount_as_money = as_money("amount", Payment._meta.get_field("amount").verbose_name, "order.currency")
    tendered_as_money = as_money("tendered", Payment._meta.get_field("tendered").verbose_name, "order.currency")

    @admin.display(description=Payment._meta.get_field("created_at").verbose_name)
    def paid_at(self, obj):
        """On the clock of its venue, as its order and the shift report show it, naming
        that clock when it is not the box office's (on which the shift's own times are)."""
        local = obj.order.performance.local(obj.created_at)
        shown = when(local, VENUE_TIME)
        own = timezone.localtime(obj.created_at, zoneinfo.ZoneInfo(settings.TIME_ZONE))
        return f"{shown} {local.tzname()}" if local.utcoffset() != own.utcoffset() else shown

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order__performance__venue")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DatesInReach:
    """A list by dates (date_hierarchy) asked for a year no calendar reaches (?..__year=9999:
    its end is in the year 10000) says the filter is wrong, as for any other bad filter,
    instead of failing."""

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except (ValueError, OverflowError) as exc:
            raise IncorrectLookupParameters(exc) from exc


class DaysOnVenueClock:
    """A list by dates (date_hierarchy) whose days, and the days it drills down to, are on
    the clock of its rows' venue (found by the lookup `venue_time_zone`), as the rows'
    times are: when every row listed is of one clock (the list narrowed by one of
    `narrowed_by`'s filters, a parameter and the lookup it narrows, or every venue on one
    clock). Rows of venues on several clocks are listed by the box office's days."""

    venue_time_zone = "performance__venue__time_zone"
    narrowed_by: dict[str, str] = {}

    def list_zone(self, request) -> zoneinfo.ZoneInfo | None:
        rows = self.model._default_manager.all()
        for parameter, lookup in self.narrowed_by.items():
            value = request.GET.get(parameter, "")
            if value.isascii() and value.isdecimal():
                rows = rows.filter(**{lookup: int(value)})
        names = list(rows.order_by().values_list(self.venue_time_zone, flat=True).distinct()[:2])
        return zoneinfo.ZoneInfo(names[0]) if len(names) == 1 and names[0] else None

    def listed(self, request, response):
        """What the list adds to its page before it is rendered, on the list's clock."""
        return response

    def changelist_view(self, request, extra_context=None):
        zone = self.list_zone(request)
        if zone is None:
            return self.listed(request, super().changelist_view(request, extra_context))
        note = _("Times on the clock of the venue (%(zone)s)") % {"zone": zone.key}
        with timezone.override(zone):
            response = self.listed(request, super().changelist_view(
                request, {**(extra_context or {}), "subtitle": note}))
            if hasattr(response, "render"):  # rendered here, on the venue's clock, not after
                response.render()
            return response


class ShiftStateFilter(admin.SimpleListFilter):
    """A shift as the organizer looks for it: open, closed, or closed with a difference in
    one of its methods (a drawer surplus does not hide a card shortfall)."""

    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", pgettext("shifts", "Open")), ("closed", pgettext("shifts", "Closed")),
                ("off", pgettext("shifts", "Closed with a difference"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(closed_at__isnull=True)
        if self.value() == "closed":
            return queryset.filter(closed_at__isnull=False)
        if self.value() == "off":
            closed = queryset.filter(closed_at__isnull=False).only("expected", "counted")
            return queryset.filter(pk__in=[s.pk for s in closed if any(shift_differences(s).values())])
        return queryset


@admin.register(Shift)
class ShiftAdmin(DatesInReach, admin.ModelAdmin):
    """A clerk's shift as the organizer checks it: the float, what the payments say the
    drawer and the terminal should hold, what the clerk counted, and the difference per
    method (a drawer surplus must not hide a card shortfall)."""

    # The difference first, where a laptop's screen shows it without scrolling. The float is
    # counted in the cash expected, and shown on the shift's page.
    list_display = ("clerk", "opened", "closed", "flagged_difference", "expected_cash", "counted_cash",
                    "expected_card", "counted_card")
    list_filter = (("clerk", admin.RelatedOnlyFieldListFilter), ShiftStateFilter)
    date_hierarchy = "opened_at"
    list_select_related = ("clerk",)
    fields = ("clerk_name", "opened_at", "closed_at", "float_amount", "by_method", "difference_amount")
    readonly_fields = fields
    clerk_name = staff_name("clerk", gettext_lazy("clerk"))
    opened = on_office_clock("opened_at", gettext_lazy("opened at"))
    closed = on_office_clock("closed_at", gettext_lazy("closed at"))
    inlines = [ShiftPaymentInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @staticmethod
    def _amounts(obj) -> tuple[dict, dict]:
        """Expected and counted per method: as stored at closing, or so far for an open shift."""
        if obj.closed_at is None:
            return {k: Decimal(v) for k, v in shift_expected(obj).items()}, {}
        return ({m: Decimal(str(obj.expected.get(m, 0))) for m in SHIFT_METHODS},
                {m: Decimal(str(obj.counted.get(m, 0))) for m in SHIFT_METHODS})

    @admin.display(description=gettext_lazy("cash float"), ordering="cash_float")
    def float_amount(self, obj):
        return money(obj.cash_float)

    @admin.display(description=gettext_lazy("Expected cash"))
    def expected_cash(self, obj):
        return money(self._amounts(obj)[0].get("cash"))

    @admin.display(description=gettext_lazy("Counted cash"))
    def counted_cash(self, obj):
        return money(self._amounts(obj)[1].get("cash")) or "-"

    @admin.display(description=gettext_lazy("Expected on cards"))
    def expected_card(self, obj):
        return money(self._amounts(obj)[0].get("card_terminal"))

    @admin.display(description=gettext_lazy("Counted on cards"))
    def counted_card(self, obj):
        return money(self._amounts(obj)[1].get("card_terminal")) or "-"

    @admin.display(description=gettext_lazy("Difference"))
    def flagged_difference(self, obj):
        if obj.closed_at is None:
            return _("open")
        off = {m: d for m, d in shift_differences(obj).items() if d}
        if not off:
            return format_html('<span class="money-ok">{}</span>', money(0))
        return format_html('<strong class="money-off" style="color:#b91c1c">{}</strong>',
                           ", ".join(f"{Payment.Method(m).label} {signed(d)}" for m, d in off.items()))

    @admin.display(description=Shift._meta.get_field("difference").verbose_name)
    def difference_amount(self, obj):
        """The difference stored at closing, with its sign: a surplus reads "+$5.00"."""
        return self.get_empty_value_display() if obj.difference is None else signed(obj.difference)

    @admin.display(description=gettext_lazy("Per method"))
    def by_method(self, obj):
        expected, counted = self._amounts(obj)
        rows = []
        for method in SHIFT_METHODS:
            diff = counted[method] - expected[method] if counted else None
            style = "color:#b91c1c;font-weight:700" if diff else ""
            rows.append((Payment.Method(method).label, money(expected[method]), money(counted.get(method)) or "-",
                         style, signed(diff) if diff is not None else "-"))
        return format_html(
            "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
            _("Method"), _("Expected"), _("Counted"), _("Difference"),
            format_html_join("", '<tr><td>{}</td><td>{}</td><td>{}</td><td style="{}">{}</td></tr>', rows))


def signed(amount) -> str:
    """A difference as money with its sign: +$5.00, −$5.00, $0.00."""
    return f"+{money(amount)}" if amount > 0 else money(amount)


class PaymentKindFilter(admin.SimpleListFilter):
    title = gettext_lazy("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [("payment", _("Payments")), ("refund", _("Refunds"))]

    def queryset(self, request, queryset):
        if self.value() == "payment":
            return queryset.filter(amount__gte=0)
        if self.value() == "refund":
            return queryset.filter(amount__lt=0)
        return queryset


@admin.register(Payment)
class PaymentAdmin(DatesInReach, DaysOnVenueClock, VenueClockMixin, admin.ModelAdmin):
    """Every payment and refund (a refund is a row of its own, with a negative amount),
    filterable by method, channel, date and performance; the total of what is listed is
    shown under the list."""

    venue_time_zone = "order__performance__venue__time_zone"
    narrowed_by = {"order__performance__id__exact": "order__performance_id"}
    # What came in, for which order, how and by whom, in a laptop's width. The method says the
    # channel (cash and the terminal at the counter, a card by phone or online), which is a
    # filter; the shift's page lists its payments, and the payment's page names both.
    list_display = ("when", "order_code", "order_performance", "method", "amount_money", "status", "created_by")
    when = on_venue_clock("created_at", gettext_lazy("When"), "order.performance")
    amount_money = as_money("amount", gettext_lazy("amount"), "order.currency")
    tendered_money = as_money("tendered", gettext_lazy("tendered"), "order.currency")
    cash_money = as_money("cash", gettext_lazy("cash handed over"), "order.currency")
    # A payment's page writes its amounts as its list does, as money, and its note in the
    # reader's language.
    as_read = {"amount": "amount_money", "tendered": "tendered_money", "cash": "cash_money", "message": "note"}
    list_filter = (PaymentKindFilter, "method", "order__channel", "status", "order__performance")
    date_hierarchy = "created_at"
    search_fields = ("order__code", "reference")
    list_select_related = ("order__performance__event", "order__performance__venue", "created_by", "shift__clerk")
    change_list_template = "admin/sales/payment/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return staff_as_text(self.model, [self.as_read.get(f.name, f.name) for f in self.model._meta.fields
                                          if f.name != "card_fingerprint"])

    def get_exclude(self, request, obj=None):
        return ("card_fingerprint", *self.as_read, *user_fields(self.model))

    @admin.display(description=gettext_lazy("Order"), ordering="order__code")
    def order_code(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:sales_order_change", args=[obj.order_id]),
                           obj.order.code)

    # Not named `performance`: the admin would show the payment's own field of that name,
    # which only a refund row fills, and every payment would read "-".
    @admin.display(description=gettext_lazy("Performance"))
    def order_performance(self, obj):
        return obj.order.performance

    @admin.display(description=gettext_lazy("Channel"), ordering="order__channel")
    def channel(self, obj):
        return obj.order.get_channel_display()

    @admin.display(description=gettext_lazy("message"))
    def note(self, obj):
        return payment_note(obj)  # kept in English, read in the organizer's language

    def listed(self, request, response):
        cl = getattr(response, "context_data", {}).get("cl") if hasattr(response, "context_data") else None
        if cl is not None:
            # What moved: payments taken, refunds paid out (a charge paid straight back
            # because its sale failed is one row, refunded, with a positive amount: nothing).
            # The cash among them as it changed hands, to the coin: what the drawers took.
            totals = cl.queryset.aggregate(
                paid=Sum("amount", filter=Q(status=Payment.Status.APPROVED, amount__gt=0)),
                refunded=Sum("amount", filter=Q(status=Payment.Status.REFUNDED, amount__lt=0)),
                cash=Sum(cash_as_handed(), filter=MONEY_MOVED & Q(method=Payment.Method.CASH)))
            rounding = cl.queryset.filter(MONEY_MOVED).aggregate(**cash_rounding())
            response.context_data["today"] = [(v.name, taken, refunded, taken + refunded)
                                              for v, taken, refunded in takings_today()]
            response.context_data["money"] = {"paid": totals["paid"] or Decimal("0"),
                                              "refunded": totals["refunded"] or Decimal("0"),
                                              "net": (totals["paid"] or 0) + (totals["refunded"] or 0),
                                              "rounding": rounding["rounding_taken"] + rounding["rounding_refunded"],
                                              "cash": totals["cash"] or Decimal("0")}
        return response


# --- a dashboard per performance, and exports --------------------------------------------

# What each export reads, as the admin's permissions name it: one that names its buyers
# (their names and email addresses) is for whoever may read the customers too.
EXPORT_READS = {"orders": ("sales.view_order", "sales.view_customer"),
                "tickets": ("sales.view_ticket", "sales.view_customer"),
                "payments": ("sales.view_payment",), "customers": ("sales.view_customer",)}


def exports_of(user) -> list[str]:
    """The kinds of export `user` may download (KINDS, in order)."""
    return [kind for kind in KINDS if user.has_perms(EXPORT_READS[kind])]


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What"), choices=[
        ("orders", gettext_lazy("Orders")), ("tickets", gettext_lazy("Tickets (attendees)")),
        ("payments", gettext_lazy("Payments and refunds")), ("customers", gettext_lazy("Customers"))])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Offered, and taken, only what the user may read: a link to another is the form's error.
        readable = exports_of(user)
        self.fields["kind"].choices = [(kind, label) for kind, label in self.fields["kind"].choices
                                       if kind in readable]
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=[("csv", "CSV"), ("xlsx", "XLSX (Excel)")])
    performance = forms.ModelChoiceField(label=gettext_lazy("Performance"), required=False,
                                         queryset=Performance.objects.select_related("event", "venue"),
                                         empty_label=gettext_lazy("All performances"))
    date_from = forms.DateField(label=gettext_lazy("From (day)"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}),
                                help_text=gettext_lazy("Days on the clock of each performance's venue, as the file "
                                                       "writes its times (customers of a performance chosen above: "
                                                       "its venue's; of every performance: the box office's clock, "
                                                       "as customers belong to no venue)."))
    date_to = forms.DateField(label=gettext_lazy("To (day, included)"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:  # an empty file would say nothing was sold
            self.add_error("date_to", _("The last day cannot come before the first."))
        return data


def export_response(kind: str, fmt: str, where: ExportFilter):
    header, rows = export_rows(kind, where)
    stem = f"{kind}-{where.performance.pk}" if where.performance else kind
    if fmt == "xlsx":
        return FileResponse(xlsx_file(header, rows, title=kind), as_attachment=True, filename=f"{stem}.xlsx",
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response = StreamingHttpResponse(csv_chunks(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    return response


@admin.register(PerformanceDashboard)
class PerformanceDashboardAdmin(DatesInReach, DaysOnVenueClock, admin.ModelAdmin):
    """Each performance's sales at a glance; its page is the dashboard (places by zone,
    takings by day, channel and method, refunds, comps, sales over time), with its exports."""

    list_display = ("performance", "venue", "sold", "available", "dashboard_link")
    list_filter = ("venue", "event")
    list_select_related = ("event", "venue")
    date_hierarchy = "starts_at"
    venue_time_zone = "venue__time_zone"
    narrowed_by = {"venue__id__exact": "venue_id", "event__id__exact": "event_id"}

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        now = timezone.now()
        return super().get_queryset(request).annotate(
            sold_n=Count("places", filter=Q(places__state=PlaceState.SOLD)),
            available_n=Count("places", filter=Q(places__state=PlaceState.AVAILABLE)
                              | Q(places__state=PlaceState.HELD, places__hold_expires_at__lte=now)))

    # Each row is a performance; headed by the model's name, the column said "Performance
    # dashboard".
    @admin.display(description=gettext_lazy("Performance"), ordering="starts_at")
    def performance(self, obj):
        return str(obj)

    @admin.display(description=pgettext_lazy("places", "Sold"), ordering="sold_n")
    def sold(self, obj):
        return number(obj.sold_n)

    @admin.display(description=pgettext_lazy("places", "Available"), ordering="available_n")
    def available(self, obj):
        return number(obj.available_n)

    @admin.display(description=gettext_lazy("Dashboard"))
    def dashboard_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:sales_performancedashboard_change", args=[obj.pk]),
                           _("Open"))

    def get_urls(self):
        return [path("exports/", self.admin_site.admin_view(self.exports), name="sales_exports"),
                path("settlement/<int:event_id>.<str:fmt>", self.admin_site.admin_view(self.settlement),
                     name="sales_settlement"),
                path("event/<int:event_id>/", self.admin_site.admin_view(self.event_board),
                     name="sales_event_dashboard")] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if not (object_id.isascii() and object_id.isdecimal()):
            raise Http404
        performance = get_object_or_404(Performance.objects.select_related("event", "venue"), pk=int(object_id))
        if request.GET.get("live"):  # the page's figures of the moment, every few seconds
            return JsonResponse(on_sale_now(performance))
        board = performance_dashboard(performance)
        # The money (takings, refunds, fees, taxes, the settlement and exports) is for whoever
        # may read the payments, as the exports and the event's board are; the counts are not.
        takings = request.user.has_perm("sales.view_payment")
        # The days as the by-day table beside it writes them (on the venue's clock, as
        # performance_dashboard counts them), in the reader's language.
        chart = {"labels": [when(d, "D j M Y") for d, *_rest in board.days],
                 "tickets": [n for *_rest, n, _so_far in board.days],
                 "so_far": [so_far for *_rest, so_far in board.days],
                 "names": {"tickets": _("Tickets sold that day"), "so_far": _("Tickets sold so far"),
                           "taken": _("Net takings that day")}}
        today = None
        if takings:
            chart["taken"] = [str(taken + refunded) for _d, taken, refunded, *_rest in board.days]
            (_venue, today_taken, today_refunded), = takings_today(venue=performance.venue)
            today = {"taken": today_taken, "refunded": today_refunded, "net": today_taken + today_refunded}
        return render(request, "admin/sales/performancedashboard/dashboard.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "board": board,
            "performance": performance, "chart": chart, "label": performance_label(performance),
            "title": _("Dashboard: %(p)s") % {"p": performance_label(performance)},
            "place": zone_place(performance.venue.time_zone),
            "live": on_sale_now(performance), "takings": takings, "today": today,
            "exports": [(kind, fmt) for kind in exports_of(request.user) for fmt in ("csv", "xlsx")] if takings else [],
        })

    def payments_refused(self, request):
        """Exports, the settlement and the event's board all carry amounts of money: staff
        who may open the dashboards but not read the payments are told so on the admin's
        own page (its header and ways back), not handed a file."""
        return render(request, "admin/sales/performancedashboard/refused.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "title": _("Not your page")},
            status=403)

    def event_board(self, request, event_id: int):
        """The event at a glance: each performance's tickets, fees, taxes and takings, and
        the takings by payment method (the settlement's figures, on a page)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if not request.user.has_perm("sales.view_payment"):
            return self.payments_refused(request)
        event = get_object_or_404(Event, pk=event_id)
        return render(request, "admin/sales/performancedashboard/event.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "event": event,
            "s": event_settlement(event), "title": _("Dashboard: %(p)s") % {"p": event.title}})

    def settlement(self, request, event_id: int, fmt: str):
        """An event's settlement, every performance of it, as CSV or PDF."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if not request.user.has_perm("sales.view_payment"):
            return self.payments_refused(request)
        if fmt not in ("csv", "pdf"):
            raise Http404
        settlement = event_settlement(get_object_or_404(Event, pk=event_id))
        if fmt == "pdf":
            response = HttpResponse(settlement_pdf(settlement), content_type="application/pdf")
        else:
            response = HttpResponse(settlement_csv(settlement), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="settlement-{event_id}.{fmt}"'
        return response

    def exports(self, request):
        """A download: GET with the form's fields (a link from a dashboard names the performance)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if not request.user.has_perm("sales.view_payment"):
            return self.payments_refused(request)
        form = ExportForm(request.GET or None, user=request.user)
        if request.GET and form.is_valid():
            data = form.cleaned_data
            return export_response(data["kind"], data["format"], ExportFilter(
                performance=data["performance"], date_from=data["date_from"], date_to=data["date_to"]))
        # Laid out as the admin's own forms are: each label with its colon, each help under its box.
        fields = helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {})
        return render(request, "admin/sales/performancedashboard/exports.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "form": form, "adminform": fields,
            "title": _("Exports")})
