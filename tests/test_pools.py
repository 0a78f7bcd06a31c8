import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_public_pool_never_serves_staff_pages(settings, clerk):
    settings.BOXOFFICE_POOL = "public"
    c = Client()
    c.force_login(clerk)
    assert c.get("/counter/").status_code == 404
    assert c.get("/admin/").status_code == 404
    assert c.get("/").status_code == 200


def test_the_staff_pool_serves_only_staff(settings, clerk):
    settings.BOXOFFICE_POOL = "staff"
    c = Client()
    c.force_login(clerk)
    assert c.get("/counter/").status_code == 200
    assert c.get("/").status_code == 404
    assert c.get("/healthz").status_code == 200
