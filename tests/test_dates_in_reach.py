"""A time typed out of any box office's reach (the year 9999, say) is refused where it is
typed, in the door's own shape: moved to another zone it would no longer be a date, and
every page showing it would fail for everyone."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from events.models import Performance
from sales.models import PromoCode
from tests.sales.test_pricing_admin import form_of, page_of, saved
from tests.support import assert_error, client_for, make_performance, signed_in

pytestmark = pytest.mark.django_db

FAR = "The date 9999-12-31 23:59 is more than ten years away."


def test_a_start_in_the_year_9999_is_refused_in_the_admin_and_every_page_still_opens(organizer):
    perf = make_performance(rows=1, per_row=4)
    was = perf.starts_at
    admin = signed_in(organizer)
    url = f"/admin/events/performance/{perf.pk}/change/"
    data = form_of(admin.get(url))
    answer = admin.post(url, {**data, "starts_at_0": ["9999-12-31"], "starts_at_1": ["23:59"]})
    assert not saved(answer) and FAR in page_of(answer)
    perf.refresh_from_db()
    assert perf.starts_at == was
    for page in ("/", f"/performances/{perf.pk}/", "/admin/events/performance/", url):
        assert admin.get(page).status_code == 200, page


def test_a_promo_code_valid_from_the_year_9999_is_refused(organizer):
    admin = signed_in(organizer)
    add = "/admin/sales/promocode/add/"
    data = form_of(admin.get(add))
    answer = admin.post(add, {**data, "code": ["LATE"], "amount_off": ["5"], "valid_from_0": ["9999-12-31"],
                              "valid_from_1": ["23:59"]})
    assert not saved(answer) and FAR in page_of(answer)
    assert not PromoCode.objects.exists() and admin.get("/admin/sales/promocode/").status_code == 200


def test_the_api_refuses_a_performance_or_a_window_out_of_reach(organizer):
    from tests.factories import EventFactory, VenueFactory

    venue, event = VenueFactory(), EventFactory()
    api = client_for(organizer)
    body = {"event": event.pk, "venue": venue.pk, "starts_at": "2030-06-01T20:00:00Z", "zones": [],
            "windows": [{"channel": "online", "opens_at": "2026-01-01T00:00:00Z", "closes_at": "2030-06-01T20:00:00Z"}]}
    far = assert_error(api.post("/api/v1/performances/", {**body, "starts_at": "9999-06-01T20:00:00Z"},
                                format="json"), 400, "invalid")
    assert "The date 9999-06-01 16:00 is more than ten years away" in far["message"]  # the box office clock
    assert list(far["fields"]) == ["starts_at"]
    window = {"channel": "online", "opens_at": "2026-01-01T00:00:00Z", "closes_at": "9999-06-01T20:00:00Z"}
    assert_error(api.post("/api/v1/performances/", {**body, "windows": [window]}, format="json"), 400, "invalid")
    assert not Performance.objects.exists()


def test_before_the_year_2000_is_refused_too():
    from events.models import in_reach

    with pytest.raises(ValidationError, match="before the year 2000"):
        in_reach(datetime(1, 1, 1, 8, 0, tzinfo=ZoneInfo("Asia/Tokyo")))  # the year 0 in UTC
    in_reach(datetime(2026, 12, 5, 20, 0, tzinfo=ZoneInfo("America/Toronto")))


@pytest.mark.parametrize("url", ["/admin/sales/performancedashboard/?starts_at__year=9999",
                                 "/admin/sales/shift/?opened_at__year=9999",
                                 "/admin/sales/payment/?created_at__year=9999&created_at__month=12"])
def test_a_list_by_dates_asked_for_the_year_9999_says_the_filter_is_wrong(organizer, url):
    admin: Client = signed_in(organizer)
    answer = admin.get(url)
    assert answer.status_code == 302 and answer["Location"].endswith("?e=1")


def test_a_zone_colour_is_a_colour_not_css():
    """The colour goes into the seat map's style: "#" and six hexadecimal digits only."""
    from events.models import PriceZone

    perf = make_performance(rows=1, per_row=2)
    zone = PriceZone(performance=perf, name="Pit", price="10.00", color="red; x")
    with pytest.raises(ValidationError, match="six hexadecimal digits"):
        zone.full_clean()
    zone.color = "#3B82F6"
    zone.full_clean()
