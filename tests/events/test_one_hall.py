"""A hall's seats are one set: two performances starting together in one venue would
sell each seat twice over. The organizer is told which performance is there already."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Performance
from tests.factories import EventFactory, PerformanceFactory
from tests.sales.test_pricing_admin import form_of, page_of, saved
from tests.support import make_performance

pytestmark = pytest.mark.django_db


def typed(moment, zone) -> dict:
    local = timezone.localtime(moment, zone)
    return {"starts_at_0": [local.strftime("%Y-%m-%d")], "starts_at_1": [local.strftime("%H:%M")]}


def test_a_second_performance_starting_with_another_in_the_same_hall_is_refused(client, organizer):
    on = make_performance(rows=1, per_row=4)
    on.venue.time_zone = "America/Vancouver"
    on.venue.save()
    on.starts_at = on.starts_at.replace(second=0, microsecond=0)
    on.save()
    other = EventFactory(title="Marées")
    client.force_login(organizer)
    add = "/admin/events/performance/add/"
    data = {**form_of(client.get(add)), "event": [str(other.pk)], "venue": [str(on.venue_id)],
            **typed(on.starts_at, on.venue.zone)}
    refused = client.post(add, data)
    assert not saved(refused)
    assert f"{on.venue.name} already has {on} at this time: one hall sells its seats once." in page_of(refused)
    assert not Performance.objects.filter(event=other).exists()

    # Later the same evening, or once the other is cancelled, the hall is free.
    assert saved(client.post(add, {**data, **typed(on.starts_at + timedelta(hours=3), on.venue.zone)}))
    Performance.objects.filter(pk=on.pk).update(cancelled_at=timezone.now())
    assert saved(client.post(add, data))
    assert Performance.objects.filter(event=other).count() == 2


def test_moving_a_performance_onto_anothers_start_in_the_same_hall_is_refused(client, organizer):
    on = make_performance(rows=1, per_row=4)
    moved = PerformanceFactory(venue=on.venue, starts_at=on.starts_at + timedelta(days=1))
    client.force_login(organizer)
    url = f"/admin/events/performance/{moved.pk}/change/"
    refused = client.post(url, {**form_of(client.get(url)), **typed(on.starts_at, on.venue.zone)})
    assert not saved(refused) and "at this time: one hall sells its seats once." in page_of(refused)
    moved.refresh_from_db()
    assert moved.starts_at == on.starts_at + timedelta(days=1)


def test_other_dates_of_a_show_are_not_copied_onto_another_shows_performance_in_the_hall(client, organizer):
    on = make_performance(rows=1, per_row=4)
    source = PerformanceFactory(venue=on.venue, starts_at=on.starts_at + timedelta(days=1))
    client.force_login(organizer)
    line = timezone.localtime(on.starts_at, on.venue.zone).strftime("%Y-%m-%d %H:%M")
    page = page_of(client.post(f"/admin/events/performance/{source.pk}/copy/", {"starts": line}))
    assert f"{on.venue.name} already has {on} on {line}." in page
    assert Performance.objects.filter(venue=on.venue).count() == 2


def test_a_cancelled_performance_stays_editable_once_another_takes_its_hall(client, organizer):
    """A cancelled performance holds no seats: the show put on at its time in its place does
    not stop the organizer correcting the cancelled one's other details."""
    cancelled = make_performance(rows=1, per_row=4)
    Performance.objects.filter(pk=cancelled.pk).update(cancelled_at=timezone.now())
    PerformanceFactory(venue=cancelled.venue, starts_at=cancelled.starts_at)  # its replacement
    client.force_login(organizer)
    url = f"/admin/events/performance/{cancelled.pk}/change/"
    answer = client.post(url, {**form_of(client.get(url)), "ticket_limit": ["6"]})
    assert saved(answer), page_of(answer)
    assert Performance.objects.get(pk=cancelled.pk).ticket_limit == 6


def test_the_api_refuses_a_performance_starting_with_another_in_the_same_hall(organizer):
    """The API's door to a new performance keeps the rule the admin keeps."""
    from events.models import Event
    from tests.support import client_for

    on = make_performance(rows=1, per_row=4)
    api = client_for(organizer)
    body = {"event": Event.objects.create(title="Marées").pk, "venue": on.venue_id,
            "starts_at": on.starts_at.isoformat(), "ticket_limit": 4, "zones": [], "windows": []}
    refused = api.post("/api/v1/performances/", body, format="json")
    assert refused.status_code == 400, refused.content
    assert refused.json()["error"]["message"] == (f"{on.venue.name} already has {on} at this time: one hall sells "
                                                  "its seats once.")
    assert Performance.objects.filter(venue=on.venue).count() == 1
    later = api.post("/api/v1/performances/", {**body, "starts_at": (on.starts_at + timedelta(hours=3)).isoformat()},
                     format="json")
    assert later.status_code == 201, later.content


def test_performances_that_clashed_before_the_rule_stay_editable_until_one_moves_onto_a_clash(client, organizer):
    """Two performances a hall held at one minute before the rule: correcting one's other
    details is saved; its start is only refused where it would still clash."""
    on = make_performance(rows=1, per_row=4)
    # Seconds in its start, so that the start typed to the minute below is a change (a start
    # on the minute by chance, one run in sixty, would be the same and not checked at all).
    on.starts_at = on.starts_at.replace(second=30, microsecond=0)
    on.save()
    twin = PerformanceFactory(venue=on.venue, starts_at=on.starts_at)  # from before the rule
    third = PerformanceFactory(venue=on.venue, starts_at=on.starts_at + timedelta(days=2))
    client.force_login(organizer)
    url = f"/admin/events/performance/{twin.pk}/change/"
    answer = client.post(url, {**form_of(client.get(url)), "ticket_limit": ["6"]})
    assert saved(answer), page_of(answer)
    assert Performance.objects.get(pk=twin.pk).ticket_limit == 6

    # Its start typed again to the minute (the seconds dropped): still with the other one.
    answer = client.post(url, {**form_of(client.get(url)), **typed(on.starts_at.replace(second=0), on.venue.zone)})
    assert not saved(answer) and f"already has {on} at this time: one hall sells its seats once." in page_of(answer)
    # Moved onto a third performance: refused as well.
    answer = client.post(url, {**form_of(client.get(url)), **typed(third.starts_at, on.venue.zone)})
    assert not saved(answer) and f"already has {third} at this time" in page_of(answer)
    assert Performance.objects.get(pk=twin.pk).starts_at == on.starts_at.replace(microsecond=0)  # as the form sent it
    # Moved to a free evening: saved, and the hall is one performance a minute again.
    answer = client.post(url, {**form_of(client.get(url)), **typed(on.starts_at + timedelta(days=1), on.venue.zone)})
    assert saved(answer), page_of(answer)


def test_a_zones_section_picker_lists_the_performances_own_hall_by_section_name(client, organizer):
    """Every venue's sections, each named after its venue, made a list whose long hall
    names cut every option to the same words: the picker lists the performance's own
    venue's sections, by their own names."""
    import re

    perf = make_performance(rows=2, per_row=2, on_sale=False)
    elsewhere = make_performance(rows=2, per_row=2, on_sale=False)
    client.force_login(organizer)
    page = page_of(client.get(f"/admin/events/performance/{perf.pk}/change/"))
    picker = re.search(r'<select[^>]*name="[^"]*-0-sections"[^>]*>(.*?)</select>', page, re.S)
    assert picker, re.findall(r'name="([^"]*sections[^"]*)"', page)
    options = re.findall(r"<option[^>]*>([^<]*)</option>", picker[1])
    assert options == ["Stalls"], options
    assert str(elsewhere.venue) not in picker[1]


def test_a_new_performances_zone_section_picker_says_which_venue_each_section_is_in(client, organizer):
    """Before the performance is saved its venue is the one chosen in the page: the picker
    gives each section's venue, for the page to offer the chosen venue's alone, and says so;
    a section of another venue is still refused on saving."""
    import json
    import re
    from html import unescape

    perf = make_performance(rows=2, per_row=2, on_sale=False)
    elsewhere = make_performance(rows=2, per_row=2, on_sale=False)
    client.force_login(organizer)
    response = client.get("/admin/events/performance/add/")
    page = response.content.decode()
    picker = re.search(r'<select[^>]*name="price_zones-__prefix__-sections"[^>]*>', page)
    assert picker, re.findall(r'name="([^"]*sections[^"]*)"', page)
    venues = json.loads(unescape(re.search(r'data-section-venues="([^"]*)"', picker[0])[1]))
    assert venues == {str(s.pk): s.venue_id for p in (perf, elsewhere) for s in p.venue.sections.all()}
    assert "Only the sections of the venue chosen above are offered: choose it first." in page_of(response)
