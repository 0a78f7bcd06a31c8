import zoneinfo
from contextlib import nullcontext

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Event, OnSaleWindow, Performance, PriceZone, Seat, Section, Venue
from .seating import SeatingPlanError, decode_upload, seating_plan_import


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ("name", "kind", "capacity", "rank")
    show_change_link = True


class SeatingPlanForm(forms.Form):
    plan = forms.FileField(help_text="CSV (section,kind,row,number,x,y,flags,capacity) or JSON")


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ("name", "address", "time_zone", "section_count")
    search_fields = ("name",)
    inlines = [SectionInline]
    change_form_template = "admin/events/venue/change_form.html"

    @admin.display(description="Sections")
    def section_count(self, obj):
        return obj.sections.count()

    def get_urls(self):
        return [path("<int:pk>/import/", self.admin_site.admin_view(self.import_plan),
                     name="events_venue_import")] + super().get_urls()

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
                self.message_user(request, f"Imported {len(sections)} sections and {seats} seats.",
                                  messages.SUCCESS)
                return redirect(reverse("admin:events_venue_change", args=[venue.pk]))
        return render(request, "admin/events/venue/import.html", {
            **self.admin_site.each_context(request), "venue": venue, "form": form,
            "opts": self.model._meta, "title": f"Import a seating plan into {venue}",
        })


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("name", "venue", "kind", "capacity", "rank")
    list_filter = ("venue", "kind")


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = ("__str__", "row", "number", "x", "y", "wheelchair", "restricted_view")
    list_filter = ("section__venue", "section", "wheelchair", "restricted_view")
    search_fields = ("row", "number", "section__name")
    list_select_related = ("section__venue",)


class PerformanceInline(admin.TabularInline):
    model = Performance
    extra = 0
    fields = ("starts_at", "doors_open_at", "venue", "ticket_limit")
    show_change_link = True


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title",)
    search_fields = ("title",)
    inlines = [PerformanceInline]


class OnSaleWindowInline(admin.TabularInline):
    model = OnSaleWindow
    extra = 0


class PriceZoneInline(admin.StackedInline):
    model = PriceZone
    extra = 0
    filter_horizontal = ("sections",)
    raw_id_fields = ("seats",)
    fields = (("name", "price", "currency", "color"), "sections", "seats")


@admin.register(Performance)
class PerformanceAdmin(admin.ModelAdmin):
    """A performance's times are shown and typed on its venue's clock (Venue.time_zone)."""

    list_display = ("event", "local_start", "venue", "ticket_limit")
    list_filter = ("venue", "event")
    list_select_related = ("event", "venue")
    inlines = [OnSaleWindowInline, PriceZoneInline]

    @admin.display(description=gettext_lazy("Starts (venue time)"), ordering="starts_at")
    def local_start(self, obj):
        return f"{obj.local():%a %d %b %Y %H:%M} ({obj.venue.time_zone})"

    @staticmethod
    def venue_zone(request, object_id) -> zoneinfo.ZoneInfo | None:
        """The clock of the venue being chosen (a form sent) or of the performance's venue."""
        venue_id = request.POST.get("venue") if request.method == "POST" else None
        if venue_id and venue_id.isascii() and venue_id.isdecimal():
            name = Venue.objects.filter(pk=venue_id).values_list("time_zone", flat=True).first()
        elif object_id and str(object_id).isascii() and str(object_id).isdecimal():
            name = Performance.objects.filter(pk=object_id).values_list("venue__time_zone", flat=True).first()
        else:
            name = None
        return zoneinfo.ZoneInfo(name) if name else None

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        zone = self.venue_zone(request, object_id)
        if zone is not None:
            extra_context = {**(extra_context or {}),
                             "subtitle": _("Times on the clock of the venue (%(zone)s)") % {"zone": zone.key}}
        with timezone.override(zone) if zone is not None else nullcontext():
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):  # rendered here, on the venue's clock, not after
                response.render()
            return response
    # Putting on sale and the sales summary are added by sales.admin (sales knows events,
    # not the reverse).
