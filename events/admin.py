import functools
import json
import re
import zoneinfo
from datetime import datetime
from operator import attrgetter

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminSplitDateTime, RelatedFieldWidgetWrapper
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.forms.utils import pretty_name
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.formats import get_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from sales.errors import SalesError
from sales.formatting import money, performance_label, when, zone_place
from sales.models import Place, PlaceState, Presale
from sales.notifications import performance_moved
from sales.orders.cancellation import also_owed, cancellation_plan, paid_orders_split, performance_cancel

from .models import (
    ZONE_COLOURS,
    Channel,
    Event,
    OnSaleWindow,
    Performance,
    Price,
    PriceType,
    PriceZone,
    Seat,
    Section,
    Venue,
    clock_change,
    grouped,
    hall_taken,
    project_language,
)
from .seating import SeatingPlanError, decode_upload, seating_plan_import
from .services import SetupError, ZonePlaces, hall_claim, performance_copy, windows_follow, zone_places_claim

# --- the admin's own titles --------------------------------------------------------------
# Django's admin builds these from a table's name ("Add %s" with "venue"), and its French
# ("Ajout de %s", "Supprimer les %(verbose_name_plural)s sélectionnés") elides and agrees
# for no name: "Ajout de événement", "les salles sélectionnés". Named here, they stay in
# our catalogue, which is read before Django's (LOCALE_PATHS), and it words them so that
# they read right whatever the name's gender or first letter ("Ajout : salle").
ADMIN_TITLES = (gettext_noop("Add %s"), gettext_noop("Change %s"), gettext_noop("View %s"),
                gettext_noop("Delete selected %(verbose_name_plural)s"))
# A table that takes new rows names its add button and its add page with the article its
# name needs, as a sentence does ("Add a venue", « Ajouter une salle », « Ajouter un
# événement »): its admin's `add_label`, read by the boxoffice tag library's add_label
# (templates/admin). Django's "Add %(name)s" has none: « Ajouter salle ».
# An inline that takes new rows names its link adding one the same way ("Add another
# section", « Ajouter une autre section »): its `add_another_label`, read by the tag
# library's inline_formset_data (templates/admin/edit_inline). Django's "Add another
# %(verbose_name)s" reads « Ajouter un objet section supplémentaire ».
# A table a chooser links to names those links the same way ("Add another venue", « Ajouter
# une autre salle », « Modifier la salle sélectionnée »): its admin's `add_another_label`,
# `change_selected_label`, `view_selected_label` and `delete_selected_label`, read by the
# tag library's chooser_link (templates/admin/widgets). Django's read « Ajouter un autre
# objet salle », « Modifier l’objet salle sélectionné ».

# --- the venue's clock ------------------------------------------------------------------
# A moment in the admin is read on the clock of the venue it happens for: a 20:00 show in
# Toronto reads 20:00 on a server in UTC, and so do its sales, payments and scans.

VENUE_TIME = "D j M Y H:i"


def on_venue_clock(field: str, description, performance="performance"):
    """A list column: the row's `field` on the clock of the venue of the performance found
    at the dotted path `performance` ("" for a performance itself), or by it if a function.
    A list of venues on several clocks is on the box office's (its days, its shifts): a time
    on another then names its clock, as the counter writes it ("14:05 PDT"); a list of one
    venue is on its clock, named above it."""
    find = performance if callable(performance) else attrgetter(performance) if performance else None

    def shown(self, obj):
        value = getattr(obj, field)
        if value is None:
            return self.get_empty_value_display()
        perf = find(obj) if find is not None else obj
        local = perf.local(value)
        written = when(local, VENUE_TIME)
        if local.utcoffset() != timezone.localtime(value).utcoffset():
            return f"{written} {local.tzname()}"
        return written

    shown.short_description = description
    shown.admin_order_field = field
    shown.__name__ = f"{field}_on_venue_clock"
    return shown


def on_office_clock(field: str, description):
    """A list column: the row's `field` on the box office's clock (TIME_ZONE), for a row of
    no venue in particular (a customer, a shift, a promo code), written as the venues' are."""

    def shown(self, obj):
        value = getattr(obj, field)
        if value is None:
            return self.get_empty_value_display()
        return when(timezone.localtime(value), VENUE_TIME)

    shown.short_description = description
    shown.admin_order_field = field
    shown.__name__ = f"{field}_on_office_clock"
    return shown


def as_money(field: str, description, currency: str = "currency"):
    """A list column: the row's amount `field` as money ("$1,250.00", "1 250,00 $"), as the
    rest of the admin writes amounts, not as a bare number, in the currency the row's
    `currency` (a dotted path: "order.currency") says."""

    def shown(self, obj):
        value = getattr(obj, field)
        code = functools.reduce(lambda o, name: getattr(o, name, None), currency.split("."), obj)
        return self.get_empty_value_display() if value is None else money(value, code)

    shown.short_description = description
    shown.admin_order_field = field
    shown.__name__ = f"{field}_as_money"
    return shown


class VenueClockMixin:
    """The change page shows and takes its times on the clock of the object's venue, found
    by the lookup `venue_time_zone` (e.g. "performance__venue__time_zone")."""

    venue_time_zone = "performance__venue__time_zone"

    def venue_zone(self, request, object_id) -> zoneinfo.ZoneInfo | None:
        """The venue of the performance chosen in a form sent, else of the object's."""
        chosen = request.POST.get("performance") if request.method == "POST" else None
        if chosen and chosen.isascii() and chosen.isdecimal():
            name = Performance.objects.filter(pk=chosen).values_list("venue__time_zone", flat=True).first()
        elif object_id and str(object_id).isascii() and str(object_id).isdecimal():
            name = (self.model._default_manager.filter(pk=object_id)
                    .values_list(self.venue_time_zone, flat=True).first())
        else:
            name = None
        return zoneinfo.ZoneInfo(name) if name else None

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        zone = self.venue_zone(request, object_id)
        if zone is None:
            if object_id is None and any(f.name == "performance" for f in self.model._meta.fields):
                # A new one's times are read on the clock of the performance chosen with them.
                extra_context = {"subtitle": _("Times on the clock of the venue of the performance chosen below."),
                                 **(extra_context or {})}
            return super().changeform_view(request, object_id, form_url, extra_context)
        note = _("Times on the clock of the venue (%(zone)s)") % {"zone": zone.key}
        # The object's name first, as the admin's own subtitle (and the browser's title) says
        # it, or as the admin's own change_view names it.
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        named = (extra_context or {}).get("subtitle") or obj
        extra_context = {**(extra_context or {}), "subtitle": f"{named} · {note}" if obj is not None else note}
        with timezone.override(zone):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):  # rendered here, on the venue's clock, not after
                response.render()
            return response


def with_performance(obj) -> str:
    return f"{obj.performance} — {obj.name}"


def staff_name(field: str, description):
    """A column or field naming the staff member in `field` as text. Django would link it
    to the user's own admin page, which is the superuser's: an organizer following it is
    refused."""

    def shown(*admin_and_obj):  # a method of the admin, or a callable among readonly_fields
        user = getattr(admin_and_obj[-1], field)
        if user is not None:
            return user.get_username()
        # The admin's blank: a change form shows a callable's None as the word None.
        return admin_and_obj[0].get_empty_value_display() if len(admin_and_obj) > 1 else admin.site.empty_value_display

    shown.short_description = description
    shown.__name__ = f"{field}_name"
    return shown


def user_fields(model) -> list[str]:
    """The fields of `model` that name a staff member."""
    return [f.name for f in model._meta.fields if f.related_model is get_user_model()]


@functools.cache
def _staff_name_of(model, field: str):
    return staff_name(field, model._meta.get_field(field).verbose_name)


def staff_as_text(model, readonly: list) -> list:
    """Read-only fields of `model` with those naming a staff member shown as text (they
    are left out of the form: get_exclude adds user_fields)."""
    named = set(user_fields(model))
    return [_staff_name_of(model, f) if f in named else f for f in readonly]


def labelled(field, queryset, label=None):
    """A zone or price type chooser whose choices say which performance each belongs to
    (`label`, of a zone or price type: with_performance unless given)."""
    if field is not None:
        field.queryset = queryset.select_related("performance__event", "performance__venue")
        field.label_from_instance = label or with_performance
    return field


# Amounts are typed as text and read in the page's language (25,20 in French; 25.20 in
# either): a browser's number field set to another language drops a comma it does not
# read, and 25,20 would be sent as 2520. A comma the language does not read is refused.
AMOUNTS_AS_TYPED = {models.DecimalField: {"localize": True,
                                          "widget": forms.TextInput(attrs={"inputmode": "decimal", "size": 10})}}


class OnTheClock(forms.SplitDateTimeField):
    """A date and time typed on the page's clock (a venue's, or the box office's): one the
    clocks jump over, or pass twice, on the day they change is refused saying which, the
    change and what to choose instead (events.models.clock_change), not as Django says it
    ("may be ambiguous or may not exist")."""

    def compress(self, data_list):
        if data_list and data_list[0] not in self.empty_values and data_list[1] not in self.empty_values:
            said = clock_change(datetime.combine(*data_list), timezone.get_current_timezone())
            if said:
                raise ValidationError(said, code="clock_change")
        return super().compress(data_list)


class TwoBoxes(AdminSplitDateTime):
    """Django's date and time boxes, which also take a moment from an add page's address:
    Django's admin fills a new object's fields from it (?starts_at=2031-05-04 20:30), as
    the text it is. One written as a moment shows as written; any other text leaves the
    boxes empty (Django's boxes would fail on it, a 500)."""

    def decompress(self, value):
        if isinstance(value, str):
            try:
                value = parse_datetime(value.strip())
            except ValueError:  # well formed, but no such day (30 February)
                value = None
        return super().decompress(value)


# Every date and time an admin page takes: typed in two boxes (Django's), on the page's clock.
TIMES_AS_TYPED = {models.DateTimeField: {"form_class": OnTheClock, "widget": TwoBoxes}}


class NamedCellsFormSet:
    """Names each box of a row after its column (TabularInline)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for name, field in form.fields.items():
            # A chooser with the admin's add and change links is drawn by the chooser it wraps
            # (whose attributes the wrapper's copy does not share).
            widget = field.widget.widget if isinstance(field.widget, RelatedFieldWidgetWrapper) else field.widget
            # A date and time in two boxes names each box itself (boxoffice.forms).
            if widget.is_hidden or isinstance(widget, forms.MultiWidget) or "aria-label" in widget.attrs:
                continue
            widget.attrs["aria-label"] = capfirst(field.label or pretty_name(name))


class TabularInline(admin.TabularInline):
    """Django's table of rows inside a form, whose boxes have no label of their own (the
    column's heading is not one): each box is named after its column, as the heading says
    it (deleting included), in the page's language, in the rows drawn and in the blank row
    the page copies to add one."""

    # Each row is titled with its object's name, above its boxes (templates/admin/edit_inline/
    # tabular.html); an inline whose columns already say what the row is turns it off.
    row_titles = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (NamedCellsFormSet, formset), {})


class SectionInline(TabularInline):
    """The venue's sections, each seated one with its number of seats: one added here by
    its name has none until a seating plan gives it its seats, which the row says."""

    add_another_label = gettext_lazy("Add another section")
    model = Section
    extra = 0
    fields = ("name", "kind", "capacity", "rank", "seat_count")
    readonly_fields = ("seat_count",)
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(seats_in=Count("seats"))

    @admin.display(description=gettext_lazy("Seats"))
    def seat_count(self, obj):
        if obj.pk is None or obj.kind != Section.Kind.SEATED:
            return self.get_empty_value_display()
        if obj.seats_in:
            return grouped(obj.seats_in)
        return format_html('<strong>{}</strong> <a href="{}">{}</a>', _("None yet:"),
                           reverse("admin:events_venue_import", args=[obj.venue_id]), _("import a seating plan"))


class SeatingPlanForm(forms.Form):
    plan = forms.FileField(label=gettext_lazy("Seating plan (CSV or JSON)"))


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    add_label = gettext_lazy("Add a venue")
    add_another_label = gettext_lazy("Add another venue")
    change_selected_label = gettext_lazy("Change selected venue")
    view_selected_label = gettext_lazy("View selected venue")
    delete_selected_label = gettext_lazy("Delete selected venue")
    list_display = ("name", "address", "time_zone", "language", "section_count")
    search_fields = ("name",)
    inlines = [SectionInline]
    change_form_template = "admin/events/venue/change_form.html"

    @admin.display(description=gettext_lazy("Sections"))
    def section_count(self, obj):
        return obj.sections.count()

    def get_changeform_initial_data(self, request):
        # A new venue speaks the admin's language, if it is one the box office writes in.
        initial = super().get_changeform_initial_data(request)
        language = project_language(translation.get_language())
        return {"language": language, **initial} if language else initial

    def get_urls(self):
        return [path("<int:pk>/import/", self.admin_site.admin_view(self.import_plan),
                     name="events_venue_import"),
                path("<int:pk>/clock/", self.admin_site.admin_view(self.clock_view),
                     name="events_venue_clock")] + super().get_urls()

    def clock_view(self, request, pk):
        """The venue's clock, for a performance's form whose chooser got the venue from the
        admin's popup (added or changed there), without the clock its options carry."""
        if not (self.has_view_or_change_permission(request) or self.has_add_permission(request)):
            return JsonResponse({"error": _("You may not see this venue.")}, status=403)
        venue = Venue.objects.filter(pk=pk).first()
        if venue is None:
            return JsonResponse({"error": _("No such venue.")}, status=404)
        return JsonResponse(venue_clock(venue))

    def import_plan(self, request, pk):
        venue = get_object_or_404(Venue, pk=pk)
        if not self.has_change_permission(request, venue):
            raise PermissionDenied
        form = SeatingPlanForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["plan"]
            try:
                sections = seating_plan_import(venue=venue, text=decode_upload(upload.read()),
                                               filename=upload.name)
            except SeatingPlanError as exc:
                for error in exc.errors[:50]:
                    form.add_error("plan", error)
            else:
                seats = sum(s.seats.count() for s in sections)
                self.message_user(request, _("Imported %(sections)s and %(seats)s.") % {
                    "sections": ngettext("%(n)d section", "%(n)d sections", len(sections)) % {"n": len(sections)},
                    "seats": ngettext("%(n)d seat", "%(n)d seats", seats) % {"n": seats}}, messages.SUCCESS)
                return redirect(reverse("admin:events_venue_change", args=[venue.pk]))
        return render(request, "admin/events/venue/import.html", {
            **self.admin_site.each_context(request), "venue": venue, "form": form,
            "opts": self.model._meta, "title": _("Import a seating plan into %(venue)s") % {"venue": venue},
        })


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    add_label = gettext_lazy("Add a section")
    add_another_label = gettext_lazy("Add another section")
    change_selected_label = gettext_lazy("Change selected section")
    view_selected_label = gettext_lazy("View selected section")
    delete_selected_label = gettext_lazy("Delete selected section")
    list_display = ("name", "venue", "kind", "capacity", "rank")
    list_filter = ("venue", "kind")


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    add_label = gettext_lazy("Add a seat")
    list_display = ("__str__", "row", "number", "x", "y", "wheelchair", "restricted_view")
    list_filter = ("section__venue", "section", "wheelchair", "restricted_view")
    search_fields = ("row", "number", "section__name")
    list_select_related = ("section__venue",)


class PerformanceInline(TabularInline):
    """The event's performances, each on its own venue's clock. They are added and changed
    on their own page, where a time is typed on the venue's clock and a moved start tells
    the buyers (a row here would take the box office's clock for every venue)."""

    model = Performance
    extra = 0
    can_delete = False
    fields = ("starts", "venue", "ticket_limit", "cancelled")
    readonly_fields = fields
    show_change_link = True
    starts = on_venue_clock("starts_at", gettext_lazy("Starts"), "")

    @admin.display(description=gettext_lazy("Cancelled"), boolean=True)
    def cancelled(self, obj):
        return obj.cancelled_at is not None

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    add_label = gettext_lazy("Add an event")
    add_another_label = gettext_lazy("Add another event")
    change_selected_label = gettext_lazy("Change selected event")
    view_selected_label = gettext_lazy("View selected event")
    delete_selected_label = gettext_lazy("Delete selected event")
    list_display = ("title",)
    search_fields = ("title",)
    inlines = [PerformanceInline]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.user.has_perm("events.add_performance") and str(object_id).isdecimal():
            extra_context = {**(extra_context or {}), "add_performance": reverse(
                "admin:events_performance_add") + f"?event={object_id}"}
        return super().change_view(request, object_id, form_url, extra_context)


class OnSaleWindowInline(TabularInline):
    add_another_label = gettext_lazy("Add another on-sale window")
    model = OnSaleWindow
    extra = 0
    formfield_overrides = TIMES_AS_TYPED


class PriceZoneFormSet(BaseInlineFormSet):
    """A zone prices places of the performance's own venue: a section or a seat of another
    venue is refused, saying which and where it is."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The blank rows drawn with the page show the colour saving would give each if left
        # as it came (_colour_new_zones); a row added in the page gets its own there
        # (zone_colours.js).
        if not self.is_bound and not self.initial_extra and self.extra:
            taken = {colour.lower() for colour in self.get_queryset().values_list("color", flat=True)}
            unused = [c for c in ZONE_COLOURS if c not in taken] + [ZONE_COLOURS[0]] * self.extra
            self.initial_extra = [{"color": colour} for colour in unused[:self.extra]]

    def clean(self):
        super().clean()
        venue_id = self.instance.venue_id
        if venue_id is None:
            return
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            for field, places in (("sections", data.get("sections") or []), ("seats", data.get("seats") or [])):
                foreign = [p for p in places if (p.venue_id if field == "sections" else p.section.venue_id) != venue_id]
                if foreign:
                    form.add_error(field, _("%(places)s: not in %(venue)s, where this performance plays.") % {
                        "places": ", ".join(str(p) for p in foreign), "venue": self.instance.venue.name})
        self._one_zone_each()
        self._colour_new_zones()

    def _one_zone_each(self) -> None:
        """A section, or a seat, in one zone of the performance: in two, putting on sale
        would price it by either, unsaid (a seat of its own zone inside a section's zone is
        how a front row is priced apart). Checked against the zones as saved, under the
        performance's lock held until this page's save commits (zone_places_claim): another
        organizer saving its zones at the same moment is checked after, against these. Only
        the places a form changes are checked: zones that overlapped before the rule keep
        their other details editable."""
        kept, dropped = [], set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data:
                continue
            if data.get("DELETE"):
                if form.instance.pk is not None:
                    dropped.add(form.instance.pk)
                continue
            new = form.instance.pk is None
            kept.append((form, ZonePlaces(zone=form.instance.pk, name=data.get("name", ""), **{
                field: list(data.get(field) or []) if new or field in form.changed_data else None
                for field in ("sections", "seats")})))
        for i, field, message in zone_places_claim(self.instance.pk, [z for _f, z in kept], dropped):
            kept[i][0].add_error(field, message)

    def _colour_new_zones(self) -> None:
        """A zone added with its colour left as it came gets one no other zone of the
        performance has: the seat map tells zones apart by colour alone."""
        kept = [f for f in self.forms if getattr(f, "cleaned_data", None) and not f.cleaned_data.get("DELETE")]
        plain = [f for f in kept if f.instance.pk is None and "color" not in f.changed_data]
        taken = {f.cleaned_data.get("color", "").lower() for f in kept if f not in plain}
        for form in plain:
            colour = form.cleaned_data.get("color", "").lower()
            if colour in taken:  # the first colour no zone has, counting those given just now
                colour = next((c for c in ZONE_COLOURS if c not in taken), colour)
            form.cleaned_data["color"] = form.instance.color = colour
            taken.add(colour)


class PriceZoneForm(forms.ModelForm):
    def has_changed(self) -> bool:
        # A zone added in the page gets its colour there (zone_colours.js): a row added and
        # left as it came but for that colour is no zone, and is saved without, as Django
        # saves without an untouched row.
        if self.instance.pk is None:
            return bool(set(self.changed_data) - {"color"})
        return super().has_changed()


class PriceZoneInline(admin.StackedInline):
    add_another_label = gettext_lazy("Add another price zone")
    model = PriceZone
    form = PriceZoneForm
    formfield_overrides = AMOUNTS_AS_TYPED
    formset = PriceZoneFormSet
    extra = 0
    filter_horizontal = ("sections",)
    raw_id_fields = ("seats",)
    fields = (("name", "price", "currency", "color"), "sections", "seats")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # A new performance's venue is the one chosen in the page: each section's venue is
        # given for the page to offer the chosen venue's alone (venue_sections.js).
        venues = None if obj is not None else json.dumps(
            {str(pk): venue for pk, venue in Section.objects.values_list("pk", "venue_id")})

        class ZoneForm(formset.form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                # A zone's places are changed when the organizer changed them on the page,
                # not when another organizer saved them since it was shown: the page sends
                # back the places it showed, and those left as shown are not written again
                # (_save_m2m), so that a page open for long undoes no one's zones.
                for name in ("sections", "seats"):
                    if name in self.fields:
                        self.fields[name].show_hidden_initial = True
                if "color" in self.fields:  # the colours a zone added in the page picks from
                    self.fields["color"].widget.attrs["data-zone-colours"] = json.dumps(ZONE_COLOURS)
                # The performance's own hall, its sections by their names: every venue's,
                # each named after its venue, cut long hall names to the same words.
                if obj is not None and "sections" in self.fields:
                    sections = self.fields["sections"]
                    sections.queryset = sections.queryset.filter(venue_id=obj.venue_id)
                    sections.label_from_instance = lambda section: section.name
                elif "sections" in self.fields:
                    sections = self.fields["sections"]
                    getattr(sections.widget, "widget", sections.widget).attrs["data-section-venues"] = venues
                    sections.help_text = _("Only the sections of the venue chosen above are offered: choose it "
                                           "first.")

            def _save_m2m(self):
                for name in ("sections", "seats"):
                    if name not in self.changed_data:  # as saved (a new zone: none)
                        self.cleaned_data.pop(name, None)
                super()._save_m2m()

            def hand_clean_DELETE(self):
                """A zone whose places are on sale is kept, said in a sentence (the admin's own
                refusal lists every one of its places)."""
                if self.cleaned_data.get("DELETE") and not self.instance._state.adding:
                    on_sale = self.instance.places.count()
                    if on_sale:
                        raise ValidationError(ngettext(
                            "%(zone)s prices %(n)d place of this performance, which is on sale: a zone is not "
                            "deleted once its places are on sale. Change its price or its name instead.",
                            "%(zone)s prices %(n)d places of this performance, which is on sale: a zone is not "
                            "deleted once its places are on sale. Change its price or its name instead.",
                            on_sale) % {"zone": self.instance.name, "n": on_sale})
                super().hand_clean_DELETE()

        formset.form = ZoneForm
        return formset


# --- price types and their prices per zone ------------------------------------------------

def zones_without_price(price_type: PriceType) -> list[str]:
    """The performance's zones where `price_type` has no price, so is not sold there (a
    complimentary type needs none: it is free everywhere)."""
    if price_type.complimentary or not price_type.pk:
        return []
    priced = {price.zone_id for price in price_type.prices.all()}
    return [zone.name for zone in price_type.performance.price_zones.all() if zone.pk not in priced]


def zone_prices_given(modeladmin, request, price_types) -> None:
    """Each of `price_types` (just added) that has no price at all costs each zone's own
    price there, as a performance with no price types sells, and the organizer is told so
    (the type's page changes any). One priced in some zones only is left as typed: its
    other zones are missing on purpose or by mistake, and warn_unpriced says so."""
    for price_type in price_types:
        if price_type.complimentary or price_type.prices.exists():
            continue
        zones = list(price_type.performance.price_zones.all())
        if not zones:
            continue
        Price.objects.bulk_create([Price(price_type=price_type, zone=zone, amount=zone.price) for zone in zones])
        modeladmin.message_user(request, _(
            "%(type)s costs each zone's own price: %(prices)s. Change it on the price type's page where it "
            "differs.") % {"type": price_type.shown_name, "prices": ", ".join(
                f"{zone.name} {money(zone.price, zone.currency)}" for zone in zones)}, messages.INFO)


def warn_unpriced(modeladmin, request, price_types) -> None:
    """Say which zones each of `price_types` (a query, read afresh) is not sold in."""
    for price_type in price_types.select_related("performance").prefetch_related("prices", "performance__price_zones"):
        missing = zones_without_price(price_type)
        if missing:
            modeladmin.message_user(request, _("%(type)s has no price in %(zones)s: it is not sold there until it "
                                               "has one.") % {"type": price_type.shown_name,
                                                              "zones": ", ".join(missing)}, messages.WARNING)


def zone_prices(price_type: PriceType) -> str:
    """A price type's price in each zone, as amounts of the reader's language:
    "Parterre 69,00 $ · Pelouse 35,00 $" in French."""
    return " · ".join(f"{p.zone.name} {money(p.amount, p.zone.currency)}" for p in price_type.prices.all())


class PriceTypeFormSet(BaseInlineFormSet):
    def clean(self):
        names = {}
        for form in self.forms:
            name = (form.cleaned_data or {}).get("name") if hasattr(form, "cleaned_data") else None
            if not name or form.cleaned_data.get("DELETE"):
                continue
            if name.casefold() in names:
                form.add_error("name", _("There are two price types called %(name)s; give each its own name.") % {
                    "name": name})
            names[name.casefold()] = form
        super().clean()


class PriceTypeInline(TabularInline):
    add_another_label = gettext_lazy("Add another price type")
    model = PriceType
    formset = PriceTypeFormSet
    extra = 0
    # A type's prices, and the link that sets them, come right after its name: after the
    # names and notes in two languages and the settings they began 2,000 px to the right,
    # beyond a laptop's width, the table scrolled sideways to reach them.
    fields = ("name", "prices_per_zone", "name_en", "name_fr", "rank", "order_limit", "note", "note_en", "note_fr",
              "complimentary")
    readonly_fields = ("prices_per_zone",)
    show_change_link = True

    @admin.display(description=gettext_lazy("Prices per zone"))
    def prices_per_zone(self, obj):
        if not obj.pk:
            return _("Save, then set its prices")
        prices = zone_prices(obj)
        missing = zones_without_price(obj)
        unpriced = format_html("<strong>{}</strong>", _("No price in %(zones)s") % {
            "zones": ", ".join(missing)}) if missing else ""
        return format_html('{} {} <a href="{}">{}</a>', prices, unpriced,
                           reverse("admin:events_pricetype_change", args=[obj.pk]), _("Set prices"))

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("prices__zone", "performance__price_zones")


class PriceForm(forms.ModelForm):
    amount = forms.DecimalField(
        max_digits=9, decimal_places=2, min_value=0, label=gettext_lazy("Price"),
        **AMOUNTS_AS_TYPED[models.DecimalField],
        error_messages={"min_value": gettext_lazy("A price cannot be negative; enter 0.00 for a free ticket.")})

    class Meta:
        model = Price
        fields = ("zone", "amount")

    def clean(self):
        data = super().clean()
        zone = data.get("zone")
        if zone is not None and self.instance.price_type_id and Price.objects.filter(
                price_type_id=self.instance.price_type_id, zone=zone).exclude(pk=self.instance.pk).exists():
            self.add_error("zone", _("%(zone)s already has a price for this type; change that one.") % {
                "zone": zone.name})
        return data


class PriceFormSet(BaseInlineFormSet):
    """A price type's prices: one per zone, each in a zone of its own performance."""

    def clean(self):
        performance = self.instance.performance if self.instance.performance_id else None
        seen = set()
        for form in self.forms:
            zone = form.cleaned_data.get("zone") if hasattr(form, "cleaned_data") else None
            if zone is None or form.cleaned_data.get("DELETE"):
                continue
            if performance is not None and zone.performance_id != performance.pk:
                form.add_error("zone", _("%(zone)s is a price zone of another performance (%(other)s); choose one "
                                         "of %(performance)s's zones.") % {
                    "zone": zone.name, "other": zone.performance, "performance": performance})
            elif zone.pk in seen:
                form.add_error("zone", _("%(zone)s has two prices here; keep one.") % {"zone": zone.name})
            seen.add(zone.pk)
        super().clean()


class PriceInline(TabularInline):
    add_another_label = gettext_lazy("Add another price")
    model = Price
    formfield_overrides = AMOUNTS_AS_TYPED
    form = PriceForm
    formset = PriceFormSet
    extra = 0

    def get_extra(self, request, obj=None, **kwargs):
        # A row for each zone still without a price, so that setting them up is typing amounts.
        if obj is None:
            return 3
        return len(zones_without_price(obj)) if not obj.complimentary else 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # The performance's own zones; before it is known (a price type added from the
        # list), every zone, named with its performance.
        performance_id = str(obj.performance_id if obj is not None else request.GET.get("performance") or "")
        field = formset.form.base_fields["zone"]
        zones = PriceZone.objects.select_related("performance__event")
        if performance_id.isdigit():
            zones = zones.filter(performance_id=performance_id)
            names = ", ".join(zones.values_list("name", flat=True)) or _("none yet")
            field.error_messages = {**field.error_messages,
                                    "invalid_choice": _("Choose one of this performance's price zones (%(zones)s).")
                                    % {"zones": names}}
            field.label_from_instance = lambda zone: zone.name
        else:
            field.label_from_instance = lambda zone: f"{zone.performance} — {zone.name}"
        field.queryset = zones
        return formset


@admin.register(PriceType)
class PriceTypeAdmin(admin.ModelAdmin):
    """A performance's price type with its price in each zone. Reached from the
    performance's price types ("Set prices"); the performance is fixed once it has one."""

    add_label = gettext_lazy("Add a price type")
    add_another_label = gettext_lazy("Add another price type")
    change_selected_label = gettext_lazy("Change selected price type")
    view_selected_label = gettext_lazy("View selected price type")
    delete_selected_label = gettext_lazy("Delete selected price type")
    list_display = ("shown_name", "performance", "rank", "order_limit", "complimentary", "prices_set", "unpriced_zones")
    list_filter = ("performance__event", "complimentary")
    list_select_related = ("performance__event",)
    search_fields = ("name", "performance__event__title")
    fields = ("performance", ("name", "name_en", "name_fr"), "rank", "order_limit", ("note", "note_en", "note_fr"),
              "complimentary", "unpriced_zones")
    inlines = [PriceInline]

    def get_readonly_fields(self, request, obj=None):
        return ("performance", "unpriced_zones") if obj is not None else ("unpriced_zones",)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, PriceInline) and obj is not None and obj.pk and not obj.complimentary:
            # The rows get_extra offers, each with its zone chosen: setting the prices is
            # typing amounts, and a row left without one is left out (it is unchanged).
            priced = {p.zone_id for p in obj.prices.all()}
            kwargs["initial"] = [{"zone": zone.pk} for zone in obj.performance.price_zones.all()
                                 if zone.pk not in priced]
        return kwargs

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("prices__zone", "performance__price_zones")

    @admin.display(description=gettext_lazy("name"), ordering="name")
    def shown_name(self, obj):
        return obj.shown_name

    @admin.display(description=gettext_lazy("Prices"))
    def prices_set(self, obj):
        return zone_prices(obj) or "-"

    @admin.display(description=gettext_lazy("Zones without a price"))
    def unpriced_zones(self, obj):
        missing = zones_without_price(obj)
        return format_html("<strong>{}</strong> {}", ", ".join(missing), _("(not sold there)")) if missing else "-"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            zone_prices_given(self, request, [form.instance])
        warn_unpriced(self, request, PriceType.objects.filter(pk=form.instance.pk))


def venue_clock(venue: Venue) -> dict:
    """The venue's time zone and its UTC offset now, in seconds (as the page's own
    data-admin-utc-offset)."""
    return {"time_zone": venue.time_zone, "utc_offset": int(datetime.now(venue.zone).utcoffset().total_seconds())}


class VenueSelect(forms.Select):
    """The venue chooser of a performance's form: each venue gives its time zone and its UTC
    offset now, which the page's "Now" and "Today" and the note under the times follow once
    it is chosen (venue_clock.js). A venue the admin's popup adds or changes is asked its
    clock at data-clock-url (its 0 the venue's id)."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-clock-url"] = reverse("admin:events_venue_clock", args=[0])
        return context

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        venue = getattr(value, "instance", None)
        if venue is not None:
            clock = venue_clock(venue)
            option["attrs"].update({"data-time-zone": clock["time_zone"], "data-utc-offset": clock["utc_offset"]})
        return option


def venue_move_refused(performance_id: int, venue_id: int) -> str | None:
    """Why a saved performance may not move from its venue (`venue_id`, as saved) to another,
    or None. Its places on sale are that hall's seats and standing places, and its zones
    price that hall's sections and seats: neither fits another hall, so a performance on
    sale (whatever is sold, held or not) or whose zones price places stays where it is.
    The performance's row is locked until the save commits: putting it on sale at the same
    moment waits, then builds its places in the hall it is saved in."""
    list(Performance.objects.select_for_update(no_key=True).filter(pk=performance_id).values_list("pk", flat=True))
    venue = Venue.objects.get(pk=venue_id)
    now = timezone.now()
    live = Q(state=PlaceState.HELD, hold_expires_at__gt=now)
    places = Place.objects.filter(performance_id=performance_id).aggregate(
        total=Count("pk"), sold=Count("pk", filter=Q(state=PlaceState.SOLD)), held=Count("pk", filter=live))
    if places["total"]:
        said = [ngettext("%(n)d ticket sold", "%(n)d tickets sold", places["sold"]) % {"n": places["sold"]}
                if places["sold"] else "",
                ngettext("%(n)d place held in a basket or a reservation",
                         "%(n)d places held in baskets or reservations", places["held"]) % {"n": places["held"]}
                if places["held"] else ""]
        return _("This performance is on sale (%(what)s) and its %(places)s places are those of its venue, "
                 "%(venue)s, so it stays there. To play at another venue, cancel it (its buyers are paid back) "
                 "and add a performance there.") % {
            "venue": venue.name, "what": ", ".join(s for s in said if s) or _("nothing sold yet"),
            "places": grouped(places["total"])}
    zones = [zone.name for zone in PriceZone.objects.filter(performance_id=performance_id)
             .filter(Q(sections__isnull=False) | Q(seats__isnull=False)).distinct().order_by("name")]
    if zones:
        return _("Its price zones (%(zones)s) price sections and seats that only its venue, %(venue)s, has: take "
                 "them out of the zones below and save first, then choose the other venue.") % {
            "zones": ", ".join(zones), "venue": venue.name}
    return None


class PerformanceForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Its times are on the clock of its venue: named once one is chosen (venue_clock.js
        # names the one chosen in the page), the venue's to be chosen until then.
        chosen = str(self["venue"].value() or "") if "venue" in self.fields else ""
        zone = (Venue.objects.filter(pk=chosen).values_list("time_zone", flat=True).first()
                if chosen.isascii() and chosen.isdecimal() else None)
        note = format_html(
            '<span data-venue-clock-none{}>{}</span><span data-venue-clock{}>{}</span>',
            " hidden" if zone else "", _("Times on the clock of the venue chosen above, its local time: choose it "
                                         "first."),
            "" if zone else " hidden", mark_safe(  # noqa: S308 - the sentence escaped, the zone's name in its span
                conditional_escape(_("Times on the clock of the venue (%(zone)s)"))
                % {"zone": format_html("<span data-venue-zone>{}</span>", zone or "")}))
        # A performance saved at a venue whose times are shown on its clock: another venue
        # on another clock reads them on its own when saved (20:00 stays 20:00, there), which
        # the notes under the venue and the start say once one is chosen (venue_clock.js).
        was = self.instance.venue.time_zone if self.instance.pk and self.instance.venue_id else None
        moved = format_html(
            ' <strong data-venue-clock-moved="{}" hidden>{}</strong>', was, mark_safe(  # noqa: S308 - as above
                conditional_escape(_("Another venue: these times will be read on its clock (%(zone)s), no longer "
                                     "on %(was)s: the same hours, at another moment. Change them if the show "
                                     "keeps its moment."))
                % {"zone": format_html("<span data-venue-zone>{}</span>", zone or ""), "was": conditional_escape(was)}),
        ) if was else ""
        if moved and "venue" in self.fields:
            # Said where the venue is chosen too, as it is chosen (a live region: a screen
            # reader in the chooser hears it), and described by it (Django ties the help).
            # (Its bound field, made above to read the venue chosen, copied the help then.)
            self["venue"].help_text = self.fields["venue"].help_text = format_html(
                '<span role="status">{}</span>', moved)
        for name in ("starts_at", "doors_open_at"):
            if name not in self.fields:
                continue
            # The box's id as its BoundField (made after this: it copies the help text) gives it.
            field = self.fields[name]
            said = self.auto_id % self.add_prefix(name) if "%s" in str(self.auto_id or "") else ""
            if not said:
                field.help_text = format_html("{}{}", note, moved if name == "starts_at" else "")
                continue
            # A date and a time in two boxes: Django ties neither to the help under them.
            field.help_text = format_html('<span id="{}_clock">{}{}</span>', said, note,
                                          moved if name == "starts_at" else "")
            for box in getattr(field.widget, "widgets", ()):
                box.attrs = {**box.attrs, "aria-describedby": f"{said}_clock"}

    def _post_clean(self):
        """After the model's own checks (a past start, the doors): a start, or a venue, set
        or changed is one the hall has free, checked under the venue's lock held until the
        save commits (hall_claim). A cancelled performance holds no seats; a start and venue
        left as they were are not checked again (a clash from before the rule does not stop
        the organizer correcting the rest)."""
        super()._post_clean()
        perf = self.instance
        if (self.has_error("starts_at") or self.has_error("venue") or perf.starts_at is None
                or perf.venue_id is None or perf.cancelled_at is not None):
            return
        if not perf._state.adding and self.initial.get("venue") not in (None, perf.venue_id):
            refused = venue_move_refused(perf.pk, self.initial["venue"])
            if refused:
                self.add_error("venue", refused)
                # Its zones below are checked against the hall it stays in, not the one refused.
                perf.venue_id = self.initial["venue"]
                return
        if not perf._state.adding:
            was = self.initial.get("starts_at")
            if (self.initial.get("venue") == perf.venue_id and was is not None
                    and was.replace(microsecond=0) == perf.starts_at.replace(microsecond=0)):
                return
        try:
            hall_claim(perf.venue_id, perf.starts_at, besides=perf.pk)
        except SetupError as exc:
            self.add_error("starts_at", exc.message)


def typed_start(line: str) -> datetime | None:
    """A date and time typed on a line: 2027-01-15 20:00 (or 2027-01-15T20:00), or as the
    admin's own date fields take them in the page's language (15/01/2027 20:00 in French,
    day first), the hour written 20h30 as well as 20:30. Minutes, no seconds."""
    text = " ".join(re.sub(r"(\d)\s*h\s*(\d\d)\b", r"\1:\2", line).split())
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", *get_format("DATETIME_INPUT_FORMATS")):
        if "%M" not in fmt or "%S" in fmt:
            continue
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


class CopyForm(forms.Form):
    starts = forms.CharField(
        label=gettext_lazy("New dates and times"), widget=forms.Textarea(attrs={"rows": 6, "cols": 40}),
        help_text=gettext_lazy("One a line, on the venue's clock, like 2027-01-15 20:00."))

    def __init__(self, *args, source, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source

    def clean_starts(self):
        lines = [line.strip() for line in self.cleaned_data["starts"].splitlines() if line.strip()]
        if len(lines) > 100:
            raise ValidationError(_("At most 100 dates at a time."))
        zone, now = self.source.venue.zone, timezone.now()
        taken = {start.replace(second=0, microsecond=0) for start in Performance.objects.filter(
            event=self.source.event_id, venue=self.source.venue_id).values_list("starts_at", flat=True)}
        starts, errors = [], []
        for line in lines:
            shown = line[:40]
            typed = typed_start(line)
            if typed is None:
                errors.append(_("“%(line)s” is not a date and time like 2027-01-15 20:00.") % {"line": shown})
                continue
            if typed.year > now.year + 10:  # and the last days of year 9999 have no UTC
                errors.append(_("The date %(line)s is more than ten years away.") % {"line": shown})
                continue
            moment = timezone.make_aware(typed, zone)
            if said := clock_change(typed, zone):  # a time the clocks skip or pass twice
                errors.append(said)
            elif moment <= now:
                errors.append(_("The date %(line)s has passed.") % {"line": shown})
            elif moment in starts:
                errors.append(_("%(line)s appears twice.") % {"line": shown})
            elif moment in taken:
                errors.append(_("The show already has a performance on %(line)s.") % {"line": shown})
            elif (clash := hall_taken(self.source.venue_id, moment)) is not None:
                errors.append(_("%(venue)s already has %(performance)s on %(line)s.") % {
                    "venue": clash.venue.name, "performance": clash, "line": shown})
            else:
                starts.append(moment)
        if errors:
            raise ValidationError(errors)
        return starts


class CancelForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What the buyers are told"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=gettext_lazy("In their email and on their order's page, e.g. why, or a date it moves to."))
    note_en = forms.CharField(
        label=gettext_lazy("In English"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=gettext_lazy("If it differs from the one above: told to buyers who read English."))
    note_fr = forms.CharField(
        label=gettext_lazy("In French"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=gettext_lazy("If it differs from the one above: told to buyers who read French."))
    confirm = forms.BooleanField(label=gettext_lazy("I understand that this cannot be undone."),
                                 error_messages={"required": gettext_lazy("Tick this to cancel the performance.")})


@admin.register(Performance)
class PerformanceAdmin(VenueClockMixin, admin.ModelAdmin):
    """A performance's times are shown and typed on its venue's clock (Venue.time_zone)."""

    add_label = gettext_lazy("Add a performance")
    add_another_label = gettext_lazy("Add another performance")
    change_selected_label = gettext_lazy("Change selected performance")
    view_selected_label = gettext_lazy("View selected performance")
    delete_selected_label = gettext_lazy("Delete selected performance")
    venue_time_zone = "venue__time_zone"

    form = PerformanceForm
    formfield_overrides = TIMES_AS_TYPED
    list_display = ("event", "local_start", "venue", "ticket_limit", "cancelled")
    list_filter = ("venue", "event")
    list_select_related = ("event", "venue")
    inlines = [OnSaleWindowInline, PriceZoneInline, PriceTypeInline]
    change_form_template = "admin/events/performance/change_form.html"

    @admin.display(description=gettext_lazy("Cancelled"), boolean=True, ordering="cancelled_at")
    def cancelled(self, obj):
        return obj.cancelled_at is not None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "venue":
            kwargs.setdefault("widget", VenueSelect)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def may_cancel(self, request, obj) -> bool:
        """Cancelling moves money: it needs the right to change orders as well."""
        return self.has_change_permission(request, obj) and request.user.has_perm("sales.change_order")

    def get_urls(self):
        return [path("<int:pk>/cancel/", self.admin_site.admin_view(self.cancel_view),
                     name="events_performance_cancel"),
                path("<int:pk>/copy/", self.admin_site.admin_view(self.copy_view),
                     name="events_performance_copy")] + super().get_urls()

    def copy_view(self, request, pk):
        """Other dates of the same show: each a copy of this one's zones, prices and windows."""
        source = get_object_or_404(Performance.objects.select_related("event", "venue"), pk=pk)
        if not (self.has_add_permission(request) and self.has_view_permission(request, source)):
            raise PermissionDenied
        form = CopyForm(request.POST or None, source=source)
        made = None
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():  # every date or none
                    made = [performance_copy(source, starts_at) for starts_at in form.cleaned_data["starts"]]
            except SetupError as exc:  # a performance saved into the hall since the form's check
                form.add_error("starts", exc.message)
        if made is not None:
            said = ngettext("Made %(n)d performance, not on sale yet:", "Made %(n)d performances, not on sale yet:",
                            len(made)) % {"n": len(made)}
            self.message_user(request, format_html(
                "{} {}", said,
                format_html_join(", ", '<a href="{}">{}</a>', (
                    (reverse("admin:events_performance_change", args=[p.pk]), when(p.local(), VENUE_TIME))
                    for p in made))), messages.SUCCESS)
            return redirect(reverse("admin:events_performance_changelist") + f"?event__id__exact={source.event_id}")
        return render(request, "admin/events/performance/copy.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "performance": source, "form": form,
            "title": _("Other dates of %(performance)s") % {"performance": performance_label(source)},
            "place": zone_place(source.venue.time_zone)})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra = {"may_cancel": obj is not None and self.may_cancel(request, obj),
                 "may_copy": self.has_add_permission(request)}
        if obj is not None and obj.cancelled_at:
            by_us, at_counter = paid_orders_split(obj)
            fees, not_taken, refused = also_owed(obj)
            cancelled = when(obj.local(obj.cancelled_at), VENUE_TIME)
            if by_us or at_counter:
                summary = _("Cancelled on %(when)s. Still to pay back: %(by_us)d by the box office (under way), "
                            "%(counter)d at the counter.") % {"when": cancelled, "by_us": by_us, "counter": at_counter}
            elif fees or not_taken or refused:  # said below
                summary = _("Cancelled on %(when)s.") % {"when": cancelled}
            else:
                summary = _("Cancelled on %(when)s. Every buyer has been paid back.") % {"when": cancelled}
            extra["cancelled_summary"] = summary
            if fees:
                extra["cancelled_summary"] += " " + ngettext(
                    "%(n)d order refunded earlier still holds fees to give back.",
                    "%(n)d orders refunded earlier still hold fees to give back.", fees) % {"n": fees}
            if not_taken:
                extra["cancelled_summary"] += " " + ngettext(
                    "%(n)d card refund is not yet taken by the payment provider: it is sent again until it answers.",
                    "%(n)d card refunds are not yet taken by the payment provider: they are sent again until it "
                    "answers.", not_taken) % {"n": not_taken}
            if refused:
                extra["cancelled_summary"] += " " + ngettext(
                    "%(n)d card refund was refused by the payment provider: owed by other means.",
                    "%(n)d card refunds were refused by the payment provider: owed by other means.",
                    refused) % {"n": refused}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def cancel_view(self, request, pk):
        performance = get_object_or_404(Performance.objects.select_related("event", "venue"), pk=pk)
        if not self.may_cancel(request, performance):
            raise PermissionDenied
        back = redirect(reverse("admin:events_performance_change", args=[performance.pk]))
        if performance.cancelled_at:
            self.message_user(request, _("This performance is already cancelled."), messages.WARNING)
            return back
        form = CancelForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                performance_cancel(performance=performance, note=form.cleaned_data["note"], actor=request.user,
                                   notes={"en": form.cleaned_data["note_en"], "fr": form.cleaned_data["note_fr"]})
            except SalesError as exc:
                field = exc.detail.get("field")  # a note refused: beside it
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                self.log_change(request, performance, _("Cancelled"))
                self.message_user(request, _("The performance is cancelled: nothing more is sold, and its buyers "
                                             "are being paid back and emailed."), messages.SUCCESS)
                return back
        # Laid out as the admin's own forms are: each label with its colon, each help under its box.
        fields = helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {})
        return render(request, "admin/events/performance/cancel.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "performance": performance,
            "form": form, "adminform": fields, "plan": cancellation_plan(performance),
            "title": _("Cancel %(performance)s?") % {"performance": performance}})

    def save_model(self, request, obj, form, change):
        was = Performance.objects.filter(pk=obj.pk).values_list("starts_at", flat=True).first() if change else None
        super().save_model(request, obj, form, change)
        if was is not None and obj.starts_at != was:
            moved_at = timezone.now()
            Performance.objects.filter(pk=obj.pk).update(moved_from=was, moved_at=moved_at)  # the buyers are told
            obj.moved_from, obj.moved_at = was, moved_at
            form.start_moved_from = was  # its windows follow once the inlines are saved (save_related)
        if change and {"starts_at", "doors_open_at", "venue"} & set(form.changed_data) and obj.cancelled_at is None:
            # Its buyers' tickets say the old time: they are sent again with the new one.
            told, untold = performance_moved(obj.pk)
            if told:
                self.message_user(request, ngettext(
                    "The buyer of %(n)d paid order is sent their tickets again, with the new time and place.",
                    "The buyers of %(n)d paid orders are sent their tickets again, with the new time and place.",
                    told) % {"n": told}, messages.WARNING)
            if untold:  # bought at the counter without an address: staff tell them
                self.message_user(request, ngettext(
                    "%(n)d paid order has no email address to send the new time to: call its buyer or tell "
                    "them at the counter.",
                    "%(n)d paid orders have no email address to send the new time to: call their buyers or "
                    "tell them at the counter.", untold) % {"n": untold}, messages.WARNING)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        zone_prices_given(self, request, [price_type for formset in formsets if formset.model is PriceType
                                          for price_type in getattr(formset, "new_objects", [])])
        warn_unpriced(self, request, PriceType.objects.filter(performance=form.instance))
        was = getattr(form, "start_moved_from", None)
        if was is not None:
            # A window whose close the organizer typed in the same form is as they typed it;
            # the others follow (a form saved for another of its fields wrote the old close).
            typed = {f.instance.pk for formset in formsets if formset.model is OnSaleWindow
                     for f in formset.forms if any(name.startswith("closes_at") for name in f.changed_data)}
            self.windows_moved(request, form.instance, was, typed)
        self.online_sale_checked(request, form.instance)

    def online_sale_checked(self, request, obj):
        """What the online sale, as saved, does not do as its windows seem to say: sell after
        the show starts (the shop stops at the start; the counter sells on), or leave a
        presale its time (its codes are asked for only until the online sale opens: a
        presale opening then or later, or with no online sale, never sells). Said, not
        refused: opening to everyone before a presale is a choice an organizer may make."""
        if obj.cancelled_at is not None:
            return
        online = OnSaleWindow.objects.filter(performance=obj, channel=Channel.ONLINE).first()
        if online is not None and online.closes_at > obj.starts_at:
            self.message_user(request, _(
                "The online sale closes %(closes)s, after the show starts (%(starts)s): the online shop stops "
                "selling at the start. The counter sells on until its own window closes.") % {
                "closes": when(obj.local(online.closes_at), VENUE_TIME),
                "starts": when(obj.local(), VENUE_TIME)}, messages.WARNING)
        late = Presale.objects.filter(performance=obj).order_by("opens_at")
        if online is not None:
            late = late.filter(opens_at__gte=online.opens_at)
        for presale in late:
            if online is None:
                said = _("The presale %(presale)s will sell nothing: this performance is not sold online, and "
                         "presale codes are typed in the online shop.") % {"presale": presale.name}
            else:
                said = _("The presale %(presale)s opens %(opens)s, once the online sale is open (%(online)s): its "
                         "codes are asked for only before then, so it will sell nothing. Open it earlier, or "
                         "delete it.") % {"presale": presale.name,
                                          "opens": when(obj.local(presale.opens_at), VENUE_TIME),
                                          "online": when(obj.local(online.opens_at), VENUE_TIME)}
            self.message_user(request, said, messages.WARNING)

    def windows_moved(self, request, obj, was, typed):
        moved, kept = windows_follow(obj, was, leave=typed)

        def listed(windows):
            return "; ".join(_("%(channel)s until %(when)s") % {
                "channel": w.get_channel_display(), "when": when(obj.local(w.closes_at), VENUE_TIME)} for w in windows)

        if moved:
            self.message_user(request, ngettext(
                "The sale window that ran until the show moved with it: %(windows)s.",
                "The sale windows that ran until the show moved with it: %(windows)s.", len(moved)) % {
                "windows": listed(moved)}, messages.INFO)
        if kept:
            self.message_user(request, ngettext(
                "Check this sale window, which did not move: %(windows)s.",
                "Check these sale windows, which did not move: %(windows)s.", len(kept)) % {
                "windows": listed(kept)}, messages.WARNING)

    @admin.display(description=gettext_lazy("Starts (venue time)"), ordering="starts_at")
    def local_start(self, obj):
        return f"{when(obj.local(), VENUE_TIME)} ({obj.venue.time_zone})"

    def venue_zone(self, request, object_id) -> zoneinfo.ZoneInfo | None:
        """The clock of the venue being chosen (a form sent) or of the performance's venue."""
        venue_id = request.POST.get("venue") if request.method == "POST" else None
        if venue_id and venue_id.isascii() and venue_id.isdecimal():
            name = Venue.objects.filter(pk=venue_id).values_list("time_zone", flat=True).first()
            return zoneinfo.ZoneInfo(name) if name else None
        return super().venue_zone(request, object_id)

    # Putting on sale and the sales summary are added by sales.admin (sales knows events,
    # not the reverse).

