"""The organizer's pricing set-up in the admin: who sells (name, address, whether prices
include taxes) with the sales taxes and each channel's booking fee; promo codes; presales
with their codes, generated in bulk and exported as CSV. Price types and their prices per
zone are events' (events.admin). A bad set-up is refused saying what is wrong in the
organizer's words, before the database's constraints would."""

from __future__ import annotations

import secrets
import zoneinfo
from contextvars import ContextVar
from datetime import datetime

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Sum
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy, ngettext

from events.admin import (
    AMOUNTS_AS_TYPED,
    TIMES_AS_TYPED,
    VENUE_TIME,
    TabularInline,
    VenueClockMixin,
    labelled,
    on_venue_clock,
    with_performance,
)
from events.models import Channel, OnSaleWindow, Performance, PriceType, PriceZone, Venue

from . import shop_mode, waiting_room
from .exports import csv_chunks
from .formatting import money, when
from .models import ALPHABET, FeeRule, Folded, Organizer, Presale, PresaleCode, PromoCode, TaxRate, WaitingRoom, fold


def _forms(formset):
    """The forms of `formset` that are kept and filled in."""
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if data and not data.get("DELETE"):
            yield form, data


def _night(performance) -> str:
    """A performance's start on its venue's clock, as a date sorts: 2031-01-17 20:00 (Fri)."""
    local = performance.local()
    return f"{when(local, 'Y-m-d H:i')} ({when(local, 'D')})"


def performance_picked(performance) -> str:
    """A performance as a picker offers it. The admin's two boxes of choices are of a fixed
    width and cut a choice at their edge (their script also sorts choices by their text):
    the night's start first, then the show's whole name, which may be long."""
    return f"{_night(performance)} — {performance.event}"


def part_picked(obj) -> str:
    """A zone or price type as a picker offers it: its night and its name (a price type's
    in the reader's language), then its show."""
    return f"{_night(obj.performance)} · {getattr(obj, 'shown_name', obj.name)} — {obj.performance.event}"


def _outside(chosen, performances) -> list[str]:
    """The zones or price types of `chosen` that belong to none of `performances`."""
    allowed = {p.pk for p in performances}
    return [with_performance(x) for x in chosen or [] if x.performance_id not in allowed]


# --- the organizer: taxes and fees ---------------------------------------------------------

class TaxRateForm(forms.ModelForm):
    class Meta:
        model = TaxRate
        fields = ("name", "percent", "registration", "on_fees", "rank", "active")
        labels = {"percent": gettext_lazy("Rate (%)")}
        help_texts = {"percent": gettext_lazy("5 for 5 %, 9.975 for 9.975 %."),
                      "registration": gettext_lazy("Printed on receipts beside the tax.")}

    def clean_percent(self):
        percent = self.cleaned_data["percent"]
        if percent is not None and not 0 <= percent <= 100:
            raise forms.ValidationError(gettext("A tax rate is a percentage between 0 and 100, e.g. 9.975."))
        return percent


class FeeRuleForm(forms.ModelForm):
    class Meta:
        model = FeeRule
        fields = ("channel", "per_ticket", "per_order", "refundable")

    def clean_channel(self):
        channel = self.cleaned_data["channel"]
        if FeeRule.objects.filter(channel=channel).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(gettext("%(channel)s has a booking fee already; change that one.")
                                        % {"channel": Channel(channel).label})
        return channel


class FeeRuleFormSet(BaseInlineFormSet):
    def clean(self):
        seen = set()
        for form, data in _forms(self):
            channel = data.get("channel")
            if not channel:  # not one (its row says so): nothing to compare
                continue
            if channel in seen:
                form.add_error("channel", gettext(
                    "%(channel)s has two booking fees; keep one (per ticket and per order go on the same line).")
                    % {"channel": Channel(channel).label})
            seen.add(channel)
        super().clean()


class TaxRateInline(TabularInline):
    add_another_label = gettext_lazy("Add another sales tax")
    model = TaxRate
    formfield_overrides = AMOUNTS_AS_TYPED
    form = TaxRateForm
    extra = 0
    verbose_name = gettext_lazy("sales tax")
    verbose_name_plural = gettext_lazy(
        "sales taxes (each rounded to the cent once per order, then shared out over its tickets)")


class FeeRuleInline(TabularInline):
    add_another_label = gettext_lazy("Add another booking fee")
    model = FeeRule
    formfield_overrides = AMOUNTS_AS_TYPED
    form = FeeRuleForm
    formset = FeeRuleFormSet
    extra = 0
    verbose_name = gettext_lazy("booking fee")
    verbose_name_plural = gettext_lazy("booking fees (per channel; complimentary tickets pay none)")


def _switch_words(what: str) -> str:
    """A line of the shop mode's history (shop_mode.switches) in the reader's words."""
    kind, _sep, rest = what.partition(" ")
    if kind == "forced":
        return {shop_mode.AUTO: gettext("the organizer chose automatic"),
                shop_mode.NORMAL: gettext("the organizer chose normal"),
                shop_mode.LIGHT: gettext("the organizer chose light")}.get(rest, what)
    if kind == "light":
        return f"{gettext('light')} ({rest})" if rest else gettext("light")
    return gettext("normal") if kind == "normal" else what


class OrganizerForm(forms.ModelForm):
    class Meta:
        model = Organizer
        fields = ("name", "address", "prices_include_tax", "shop_mode")
        help_texts = {"name": gettext_lazy(
            "Left as “Box office”, it is shown in the buyer's language (“Billetterie” in French); "
            "a name you type is shown as typed.")}


@admin.register(Organizer)
class OrganizerAdmin(admin.ModelAdmin):
    """One row (Organizer.load): the list opens it."""

    form = OrganizerForm
    fields = ("name", "address", "prices_include_tax", "shop_mode", "shop_mode_now")
    readonly_fields = ("shop_mode_now",)
    inlines = [TaxRateInline, FeeRuleInline]

    @admin.display(description=gettext_lazy("the shop now"))
    def shop_mode_now(self, obj):
        try:
            mode = shop_mode.current()
            changes = shop_mode.switches()[-5:]
        except Exception:  # noqa: BLE001 - Redis away: say so rather than fail the page
            return gettext("unknown (the waiting room's Redis does not answer)")
        zone = timezone.get_current_timezone()
        lines = [gettext("light") if mode.light else gettext("normal")]
        if mode.why:
            lines[0] += f" ({mode.why})"
        lines += [f"{when(datetime.fromtimestamp(at, zone), 'H:i:s')} {_switch_words(what)}" for at, what in changes]
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))  # noqa: S308 - constant

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "shop_mode" in form.changed_data or not change:  # a save of the taxes is no choice of mode
            transaction.on_commit(lambda: shop_mode.force(obj.shop_mode), robust=True)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return redirect(reverse("admin:sales_organizer_change", args=[Organizer.load().pk]))


# --- promo codes ---------------------------------------------------------------------------
# A code's times are typed and shown on the clock of the venues it is for, so that "valid
# until 31 December 23:59" for a show in Paris ends at midnight in Paris, whatever the box
# office's own clock: the venues of the performances it names, else of the zones or price
# types it names, else every venue. When those venues are on several clocks, one moment
# cannot be 23:59 on each: the code's times are then on the box office's clock (TIME_ZONE),
# and its form says so. The moment is stored as such; only its reading depends on the clock.


def code_clock(performances=(), zones=(), price_types=()) -> tuple[zoneinfo.ZoneInfo, bool]:
    """The clock a code limited to these (ids) is on, and whether it is its venues' own
    (False: its venues are on several clocks, and it is on the box office's)."""
    venues = Venue.objects.all()
    if performances:
        venues = venues.filter(performances__in=performances)
    elif zones or price_types:
        venues = venues.filter(Q(performances__price_zones__in=zones) | Q(performances__price_types__in=price_types))
    clocks = set(venues.values_list("time_zone", flat=True).distinct()[:2])
    if len(clocks) == 1:
        return zoneinfo.ZoneInfo(clocks.pop()), True
    return zoneinfo.ZoneInfo(settings.TIME_ZONE), not clocks


# The clock of a code limited to none (every venue's), read once for the list of codes
# (PromoCodeAdmin.changelist_view) rather than for each such code and each time it shows.
_EVERY_VENUE_CLOCK: ContextVar[dict | None] = ContextVar("promo_code_every_venue_clock", default=None)


def clock_of_code(code: PromoCode) -> tuple[zoneinfo.ZoneInfo, bool]:
    """code_clock for a saved code, from its limits with their venues as fetched
    (prefetched by the list: no query, and one for the list's codes limited to none)."""
    performances = list(code.performances.all()) or [part.performance for part in (*code.zones.all(),
                                                                                     *code.price_types.all())]
    if not performances:
        read = _EVERY_VENUE_CLOCK.get()
        if read is None:
            return code_clock()
        if "clock" not in read:
            read["clock"] = code_clock()
        return read["clock"]
    clocks = {perf.venue.time_zone for perf in performances}
    if len(clocks) == 1:
        return zoneinfo.ZoneInfo(clocks.pop()), True
    return zoneinfo.ZoneInfo(settings.TIME_ZONE), False


class PromoCodeForm(forms.ModelForm):
    # The clock the form is read and shown on, and whether its venues' own (code_clock):
    # set by PromoCodeAdmin for the request.
    clock: tuple[zoneinfo.ZoneInfo, bool] | None = None

    channels = forms.MultipleChoiceField(
        choices=Channel.choices, required=False, widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Channels"),
        help_text=gettext_lazy("Where the code may be used; none ticked: every channel."))

    class Meta:
        model = PromoCode
        fields = ("code", "description", "active", "percent_off", "amount_off", "currency", "per_order", "max_uses",
                  "max_uses_per_customer", "valid_from", "valid_until", "channels", "performances", "zones",
                  "price_types")
        help_texts = {"percent_off": gettext_lazy("A percentage: 10 for 10 percent off; or give an amount off "
                                                  "instead."),
                      "amount_off": gettext_lazy("Off each ticket, or off the order with “once per order”, in the "
                                                 "currency below."),
                      "currency": gettext_lazy("The amount off is taken off prices in this currency only: the code "
                                               "is refused for tickets priced in another. A percentage off applies "
                                               "in any currency.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["channels"] = self.instance.channel_list()
        # The form is read and shown on this clock (PromoCodeAdmin.changeform_view): said here.
        zone, venues_own = self.clock or (timezone.get_current_timezone(), True)
        if venues_own:
            said = gettext("On the clock of the venues it is for (%(zone)s).") % {"zone": zone.key}
        elif not self.instance.pk and not self.is_bound:
            # A new code is read on the clock of the venues it is sent for (changeform_view).
            said = gettext("On the clock of the venues it is for; on the box office's (%(zone)s) if they are on "
                           "several clocks.") % {"zone": zone.key}
        else:
            said = gettext("On the box office's clock (%(zone)s): the venues it is for are on several clocks.") % {
                "zone": zone.key}
        for field in ("valid_from", "valid_until"):
            if field in self.fields:
                self.fields[field].help_text = said

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code:
            raise forms.ValidationError(gettext("Give the code buyers will type."))
        taken = PromoCode.objects.typed(code).exclude(pk=self.instance.pk).first()
        if taken is not None:
            raise forms.ValidationError(gettext(
                "There is already a promo code %(code)s (accents and case do not matter).") % {
                "code": taken.code})
        return code

    def clean_channels(self):
        return ",".join(self.cleaned_data["channels"])

    def clean(self):
        data = super().clean()
        percent, amount = data.get("percent_off"), data.get("amount_off")
        if percent is not None and amount is not None:
            self.add_error("amount_off", gettext("Give a percentage off or an amount off, not both."))
        elif percent is None and amount is None and not {"percent_off", "amount_off"} & set(self.errors):
            self.add_error("percent_off", gettext("Give a percentage off or an amount off."))
        # Each on its own field, both given or not: a field in error is not checked again by
        # the table's constraints, whose names would otherwise be the message.
        if percent is not None and not 0 < percent <= 100:
            self.add_error("percent_off", gettext("A percentage off is more than 0 and at most 100."))
        if amount is not None and amount <= 0:
            self.add_error("amount_off", gettext("An amount off is more than 0."))
        for limit in ("max_uses", "max_uses_per_customer"):
            if data.get(limit) == 0:
                self.add_error(limit, gettext(
                    "At most 0 uses: the code would never take anything off. Leave it empty for no limit."))
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end <= start:
            self.add_error("valid_until", gettext("The code must stop being valid after it starts."))
        elif end and end <= timezone.now() and self.instance.pk is None:
            # A code ended already would never take anything off. (An existing code's end may
            # be set in the past: that is how it is stopped.)
            self.add_error("valid_until", gettext(
                "%(end)s has passed: the code would never be valid. Give an end to come, or none.") % {
                "end": when(timezone.localtime(end), VENUE_TIME)})
        performances = data.get("performances")
        currency = data.get("currency")
        if amount is not None and currency:
            elsewhere = [str(zone) for zone in data.get("zones") or [] if zone.currency != currency]
            elsewhere += [str(perf) for perf in performances or []
                          if perf.price_zones.exclude(currency=currency).exists()]
            if elsewhere:
                self.add_error("currency", gettext(
                    "Priced in another currency, where this amount off would never apply: %(items)s.") % {
                    "items": "; ".join(elsewhere)})
        if performances:
            for field in ("zones", "price_types"):
                outside = _outside(data.get(field), performances)
                if outside:
                    self.add_error(field, gettext("Not a performance this code is valid for: %(items)s.") % {
                        "items": "; ".join(outside)})
        return data


PERFORMANCES_SHOWN = 2  # in a code's row; more are counted, the code's page lists them all


class ForPerformance(admin.SimpleListFilter):
    """The codes a buyer of one performance may use: those naming it and those limited to
    no performance (valid for every one)."""

    title = gettext_lazy("performance")
    parameter_name = "performance"

    def lookups(self, request, model_admin):
        # Codes are looked up for the performances to come: those first, the soonest on
        # top; the past ones after, the latest first, to look back at what a code was for.
        now = timezone.now()
        performances = Performance.objects.select_related("event", "venue")
        to_come = performances.filter(starts_at__gte=now).order_by("starts_at", "pk")
        past = performances.filter(starts_at__lt=now).order_by("-starts_at", "-pk")
        return [(p.pk, str(p)) for p in (*to_come, *past)]

    def queryset(self, request, queryset):
        if not (self.value() or "").isdecimal():
            return queryset
        perf = int(self.value())

        def limited(through, to_perf: str):
            """No such limit, or one to this performance's zones (price types)."""
            mine = through.objects.filter(promocode_id=OuterRef("pk"))
            return ~Exists(mine) | Exists(mine.filter(**{to_perf: perf}))

        return queryset.filter(Q(performances=perf) | (
            Q(performances__isnull=True) & limited(PromoCode.zones.through, "pricezone__performance_id")
            & limited(PromoCode.price_types.through, "pricetype__performance_id"))).distinct()


@admin.register(PromoCode)
class PromoCodeAdmin(admin.ModelAdmin):
    add_label = gettext_lazy("Add a promo code")
    formfield_overrides = {**AMOUNTS_AS_TYPED, **TIMES_AS_TYPED}
    form = PromoCodeForm
    list_display = ("code", "description", "discount", "applies_to", "uses_so_far", "valid_from_shown",
                    "valid_until_shown", "active")
    list_filter = ("active", ForPerformance)
    search_fields = ("code", "description")
    readonly_fields = ("uses",)
    filter_horizontal = ("performances", "zones", "price_types")
    fieldsets = (
        (None, {"fields": ("code", "description", "active")}),
        (gettext_lazy("Discount"), {"fields": ("percent_off", "amount_off", "currency", "per_order")}),
        (gettext_lazy("Limits"), {"fields": ("max_uses", "max_uses_per_customer", "uses", "valid_from",
                                             "valid_until")}),
        (gettext_lazy("Where it applies"), {"fields": ("channels", "performances", "zones", "price_types"),
                                            "description": gettext_lazy("Leave a list empty for no restriction.")}),
    )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "zones":
            return labelled(field, PriceZone.objects.all(), part_picked)
        if db_field.name == "price_types":
            return labelled(field, PriceType.objects.all(), part_picked)
        if db_field.name == "performances" and field is not None:
            field.queryset = field.queryset.select_related("event", "venue")
            field.label_from_instance = performance_picked
        return field

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Shown on the code's clock (code_clock), and a saved code's form sent read on the
        clock it was shown on: limits changed to venues on another clock keep the moments
        typed, which the page then shows on the new clock. A new code's is read on the clock
        of the venues it is sent for."""
        if object_id and str(object_id).isascii() and str(object_id).isdecimal() and (
                code := PromoCode.objects.filter(pk=object_id).first()):
            clock = clock_of_code(code)
        elif request.method == "POST":
            # A new code: no moment stored yet, so the times typed are for the venues it is
            # sent for, read on their clock (the blank form is on every venue's).
            clock = code_clock(**{name: [pk for pk in request.POST.getlist(name) if pk.isascii() and pk.isdecimal()]
                                  for name in ("performances", "zones", "price_types")})
        else:
            clock = code_clock()
        request.promo_code_clock = clock
        with timezone.override(clock[0]):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):  # rendered here, on the code's clock, not after
                response.render()
            return response

    def changelist_view(self, request, extra_context=None):
        """Rendered here, with the clock of the codes limited to none read once for them
        all (clock_of_code)."""
        token = _EVERY_VENUE_CLOCK.set({})
        try:
            response = super().changelist_view(request, extra_context)
            if hasattr(response, "render"):
                response.render()
            return response
        finally:
            _EVERY_VENUE_CLOCK.reset(token)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        clock = getattr(request, "promo_code_clock", None)
        return type(form.__name__, (form,), {"clock": clock}) if clock is not None else form

    def _on_its_clock(self, obj, field: str) -> str:
        value = getattr(obj, field)
        if value is None:
            return self.get_empty_value_display()
        zone, _venues_own = clock_of_code(obj)
        local = timezone.localtime(value, zone)
        written = when(local, VENUE_TIME)
        return f"{written} {local.tzname()}" if local.utcoffset() != timezone.localtime(value).utcoffset() else written

    @admin.display(description=gettext_lazy("valid from"), ordering="valid_from")
    def valid_from_shown(self, obj):
        return self._on_its_clock(obj, "valid_from")

    @admin.display(description=gettext_lazy("valid until"), ordering="valid_until")
    def valid_until_shown(self, obj):
        return self._on_its_clock(obj, "valid_until")

    @admin.display(description=gettext_lazy("Discount"))
    def discount(self, obj):
        off = (f"{obj.percent_off.normalize():f}\u00a0%" if obj.percent_off is not None
               else money(obj.amount_off, obj.currency))
        if obj.per_order:
            return gettext("%(off)s off the order") % {"off": off}
        return gettext("%(off)s off each ticket") % {"off": off}

    def get_queryset(self, request):
        # The list's column reads each code's limits: fetched for the page at once.
        return super().get_queryset(request).prefetch_related(
            Prefetch("performances", Performance.objects.select_related("event", "venue").order_by("starts_at")),
            Prefetch("zones", PriceZone.objects.select_related("performance__event", "performance__venue")),
            Prefetch("price_types", PriceType.objects.select_related("performance__event", "performance__venue")))

    @admin.display(description=gettext_lazy("Applies to"))
    def applies_to(self, obj):
        """The performances it is limited to, the first few named, and whether only some of
        their zones or price types: "All performances" when it names none."""
        performances = list(obj.performances.all())
        if not performances:  # every one, unless its zones or price types are some performances'
            performances = sorted({part.performance for part in (*obj.zones.all(), *obj.price_types.all())},
                                  key=lambda p: (p.starts_at, p.pk))
        if not performances:
            said = gettext("All performances")
        else:
            said = "; ".join(str(p) for p in performances[:PERFORMANCES_SHOWN])
            if len(performances) > PERFORMANCES_SHOWN:
                more = len(performances) - PERFORMANCES_SHOWN
                said = ngettext("%(shown)s and %(n)d more", "%(shown)s and %(n)d more", more) % {
                    "shown": said, "n": more}
        zones, types = len(obj.zones.all()), len(obj.price_types.all())
        if zones:
            said += " · " + ngettext("%(n)d zone only", "%(n)d zones only", zones) % {"n": zones}
        if types:
            said += " · " + ngettext("%(n)d price type only", "%(n)d price types only", types) % {"n": types}
        return said

    @admin.display(description=gettext_lazy("Uses"))
    def uses_so_far(self, obj):
        if obj.max_uses is None:
            return str(obj.uses)
        return gettext("%(used)d of %(most)d") % {"used": obj.uses, "most": obj.max_uses}


# --- presales and their codes --------------------------------------------------------------

PRESALE_CODE_LENGTH = 10  # 32 ** 10, about 10 ** 15 codes: not guessed by trying


def presale_codes_generate(*, presale: Presale, count: int) -> list[PresaleCode]:
    """`count` new single-use codes for `presale`, random from the order codes' alphabet
    (no 0/O or 1/I to misread when a code is typed), none equal to an existing code
    whatever its case."""
    made: list[PresaleCode] = []
    with transaction.atomic():
        while len(made) < count:
            wanted = {"".join(secrets.choice(ALPHABET) for _ in range(PRESALE_CODE_LENGTH))
                      for _ in range(count - len(made))}
            taken = set(PresaleCode.objects.annotate(folded=Folded("code")).filter(folded__in=wanted)
                        .values_list("folded", flat=True))
            made += PresaleCode.objects.bulk_create(
                [PresaleCode(presale=presale, code=code, max_uses=1) for code in sorted(wanted - taken)])
    return made


class PresaleCodeForm(forms.ModelForm):
    class Meta:
        model = PresaleCode
        fields = ("code", "max_uses")
        # Beside the count of uses so far, also "uses" by its field's name: the limit is said as
        # the codes' export says it.
        labels = {"max_uses": gettext_lazy("max uses")}

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if PresaleCode.objects.typed(code).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(gettext("The code %(code)s is already used (accents and case do not matter).")
                                        % {"code": code})
        return code


class PresaleCodeFormSet(BaseInlineFormSet):
    def clean(self):
        seen = set()
        for form, data in _forms(self):
            code = fold(data.get("code") or "")
            if not code:  # none typed, or refused (its row says so): nothing to compare
                continue
            if code in seen:
                form.add_error("code", gettext("The code %(code)s is twice in this list.") % {"code": data["code"]})
            seen.add(code)
        super().clean()


class PresaleCodeInline(TabularInline):
    add_another_label = gettext_lazy("Add another presale code")
    model = PresaleCode
    form = PresaleCodeForm
    formset = PresaleCodeFormSet
    extra = 0
    fields = ("code", "max_uses", "uses")
    readonly_fields = ("uses",)


class PresaleForm(forms.ModelForm):
    class Meta:
        model = Presale
        fields = ("performance", "name", "opens_at", "closes_at", "zones", "price_types")
        help_texts = {"zones": gettext_lazy("The zones it opens; none chosen: all."),
                      "price_types": gettext_lazy("The price types it sells; none chosen: all.")}

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", gettext("A presale closes after it opens."))
        performance = data.get("performance")
        if performance is not None and opens and {"performance", "opens_at"} & set(self.changed_data):
            # Its codes are asked for in the online shop only while the online sale is not yet
            # open (sales.holds.presale_opening): one opening later, or with no online sale,
            # would never sell a ticket. Closing after the on-sale is fine: it ends there.
            # Checked when set, not on each later change (its codes added after the on-sale).
            online = OnSaleWindow.objects.filter(performance=performance, channel=Channel.ONLINE).first()
            if online is None:
                self.add_error("performance", gettext(
                    "This performance is not sold online: presale codes are typed in the online shop. "
                    "Add its online on-sale window first."))
            elif opens >= online.opens_at:
                self.add_error("opens_at", gettext(
                    "The online sale opens %(opens)s: a presale opens before it (its codes are asked for only "
                    "until then).") % {"opens": when(performance.local(online.opens_at))})
        if performance is not None:
            for field in ("zones", "price_types"):
                outside = _outside(data.get(field), [performance])
                if outside:
                    self.add_error(field, gettext("Not of %(performance)s: %(outside)s.") % {
                        "performance": performance, "outside": "; ".join(outside)})
        return data


def publish_presale_queues(performance_id: int) -> None:
    """A queued performance's presales each have a queue of their own (waiting_room):
    published again whenever a presale changes."""
    room = WaitingRoom.objects.filter(performance_id=performance_id).first()
    if room is not None:
        waiting_room.publish_presales(room, Presale.objects.filter(performance_id=performance_id))


class GenerateCodesForm(forms.Form):
    count = forms.IntegerField(label=gettext_lazy("How many codes"), min_value=1, max_value=10000, initial=100,
                               help_text=gettext_lazy("Each is used once (one order), and is 10 characters long."))


@admin.register(Presale)
class PresaleAdmin(VenueClockMixin, admin.ModelAdmin):
    add_label = gettext_lazy("Add a presale")
    form = PresaleForm
    formfield_overrides = TIMES_AS_TYPED
    list_display = ("name", "performance", "opens", "closes", "code_count", "code_uses")
    list_filter = ("performance__event",)
    list_select_related = ("performance__event", "performance__venue")
    opens = on_venue_clock("opens_at", gettext_lazy("Opens"))
    closes = on_venue_clock("closes_at", gettext_lazy("Closes"))
    search_fields = ("name", "codes__code")
    filter_horizontal = ("zones", "price_types")
    inlines = [PresaleCodeInline]
    actions = ["generate_codes", "export_codes"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_codes=Count("codes"), n_uses=Sum("codes__uses"))

    def save_model(self, request, obj, form, change):
        before = Presale.objects.filter(pk=obj.pk).values_list("performance_id", flat=True).first()
        super().save_model(request, obj, form, change)
        for performance_id in {before, obj.performance_id} - {None}:
            publish_presale_queues(performance_id)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        publish_presale_queues(obj.performance_id)

    def delete_queryset(self, request, queryset):
        performances = set(queryset.values_list("performance_id", flat=True))
        super().delete_queryset(request, queryset)
        for performance_id in performances:
            publish_presale_queues(performance_id)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        for name, model in (("zones", PriceZone), ("price_types", PriceType)):
            choices = model.objects.filter(performance=obj.performance) if obj is not None else model.objects.all()
            labelled(form.base_fields.get(name), choices, part_picked)
        return form

    @admin.display(description=gettext_lazy("Codes"), ordering="n_codes")
    def code_count(self, obj):
        return obj.n_codes

    @admin.display(description=gettext_lazy("Orders with a code"))
    def code_uses(self, obj):
        return obj.n_uses or 0

    @admin.action(description=gettext_lazy("Generate single-use codes…"), permissions=["change"])
    def generate_codes(self, request, queryset):
        form = GenerateCodesForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            count = form.cleaned_data["count"]
            for presale in queryset:
                presale_codes_generate(presale=presale, count=count)
                self.message_user(request, ngettext(
                    "%(presale)s: %(count)d single-use code generated. Export it as CSV to send it out.",
                    "%(presale)s: %(count)d single-use codes generated. Export them as CSV to send them out.",
                    count) % {"presale": presale, "count": count}, messages.SUCCESS)
            return None
        return render(request, "admin/sales/presale/generate_codes.html", {
            **self.admin_site.each_context(request), "form": form, "presales": queryset,
            "opts": self.model._meta, "title": gettext("Generate single-use presale codes"),
        })

    @admin.action(description=gettext_lazy("Export the codes as CSV"), permissions=["view"])
    def export_codes(self, request, queryset):
        presales = list(queryset)
        name = slugify(presales[0].name) if len(presales) == 1 else "presales"
        # As every export writes it (csv_chunks): UTF-8 with its mark (a code may be typed
        # with accents), cells separated as the organizer's spreadsheet reads them, and a
        # code typed as a formula ("=HYPERLINK(...)") given as text. Its header in the
        # organizer's language.
        codes = PresaleCode.objects.filter(presale__in=presales).order_by("presale", "code")
        header = [gettext("code"), gettext("uses"), gettext("max uses")]
        response = HttpResponse(csv_chunks(header, codes.values_list("code", "uses", "max_uses")),
                                content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="codes-{name or "presale"}.csv"'
        return response
