from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse

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
    list_display = ("name", "address", "section_count")
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
    list_display = ("event", "starts_at", "doors_open_at", "venue", "ticket_limit")
    list_filter = ("venue", "event")
    inlines = [OnSaleWindowInline, PriceZoneInline]
    # Putting on sale and the sales summary are added by sales.admin (sales knows events,
    # not the reverse).
