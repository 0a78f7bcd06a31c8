"""Staff accounts an organizer manages: clerks, operators and door staff; never a
superuser, never the organizer role, never an organizer's or their own account."""

import re
from html import unescape

import pytest
from django.contrib.auth.models import User
from django.test import Client

from sales.errors import InvalidRequest, NotPermitted
from sales.policy import COUNTER_CLERK, DOOR_STAFF, ORGANIZER, PHONE_OPERATOR, roles_of
from sales.staff_accounts import staff_create, staff_set_active, staff_set_password, staff_update
from tests.support import make_user, signed_in

pytestmark = pytest.mark.django_db
GOOD = "a-long-door-password"


def signs_in(username: str, password: str) -> bool:
    return Client().post("/login/", {"username": username, "password": password}).status_code == 302


def test_an_organizer_creates_a_door_account_that_signs_in(organizer):
    door = staff_create(actor=organizer, username="gate1", password=GOOD, roles=[DOOR_STAFF], first_name="Ana")
    door = User.objects.get(pk=door.pk)
    assert roles_of(door) == {DOOR_STAFF} and not door.is_staff and not door.is_superuser
    client = Client()
    response = client.post("/login/", {"username": "gate1", "password": GOOD})
    assert client.get(response["Location"])["Location"] == "/door/"


def test_an_organizer_cannot_make_superusers_or_organizers(organizer):
    with pytest.raises(NotPermitted, match="organizer"):
        staff_create(actor=organizer, username="boss2", password=GOOD, roles=[ORGANIZER])
    clerk = staff_create(actor=organizer, username="c1", password=GOOD, roles=[COUNTER_CLERK])
    with pytest.raises(NotPermitted):
        staff_update(actor=organizer, user=clerk, roles=[COUNTER_CLERK, ORGANIZER], email="", first_name="",
                     last_name="", is_active=True)
    assert not User.objects.filter(is_superuser=True).exists()
    assert not User.objects.filter(username="boss2").exists()
    assert roles_of(User.objects.get(pk=clerk.pk)) == {COUNTER_CLERK}


def test_an_organizer_cannot_touch_organizers_superusers_or_themselves(organizer):
    other = make_user("organizer2", ORGANIZER, is_staff=True)
    root = make_user("root", is_superuser=True, is_staff=True)
    for user in (other, root, organizer):
        with pytest.raises(NotPermitted):
            staff_set_password(actor=organizer, user=user, password=GOOD)
        with pytest.raises(NotPermitted):
            staff_set_active(actor=organizer, user=user, active=False)
    assert User.objects.filter(is_active=False).count() == 0


def test_a_clerk_manages_nobody(clerk, operator):
    with pytest.raises(NotPermitted):
        staff_create(actor=clerk, username="x", password=GOOD, roles=[COUNTER_CLERK])
    with pytest.raises(NotPermitted):
        staff_set_password(actor=clerk, user=operator, password=GOOD)


def test_a_superuser_may_make_an_organizer_but_never_a_superuser():
    root = make_user("root", is_superuser=True, is_staff=True)
    boss = staff_create(actor=root, username="boss", password=GOOD, roles=[ORGANIZER])
    assert boss.is_staff and not boss.is_superuser


def test_disable_and_new_password(organizer):
    operator = staff_create(actor=organizer, username="op", password=GOOD, roles=[PHONE_OPERATOR])
    session = signed_in(User.objects.get(pk=operator.pk))
    assert session.get("/phone/").status_code == 200
    staff_set_active(actor=organizer, user=operator, active=False)
    assert session.get("/phone/").status_code == 302  # signed out at the next request
    assert not signs_in("op", GOOD)
    with pytest.raises(InvalidRequest):
        staff_set_password(actor=organizer, user=operator, password="short")
    staff_set_active(actor=organizer, user=operator, active=True)
    staff_set_password(actor=organizer, user=operator, password="another-long-password")
    assert signs_in("op", "another-long-password")


def test_a_new_password_revokes_the_api_token_wherever_it_is_set(organizer):
    from rest_framework.authtoken.models import Token

    from tests.support import client_for

    door = staff_create(actor=organizer, username="gate", password=GOOD, roles=[DOOR_STAFF])
    token = Token.objects.create(user=door)
    api = client_for()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/tickets/nonexistent/").status_code == 404  # signed in, no such ticket
    staff_set_password(actor=organizer, user=door, password="another-long-password")
    assert api.get("/api/v1/tickets/nonexistent/").status_code == 401
    token = Token.objects.create(user=door)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    door.first_name = "Gate"
    door.save()  # saved, the password untouched: the token stays
    assert api.get("/api/v1/tickets/nonexistent/").status_code == 404
    door.set_password("third-long-password")  # as the admin's password form and a reset do
    door.save()
    assert api.get("/api/v1/tickets/nonexistent/").status_code == 401
    assert not Token.objects.filter(user=door).exists()


def test_the_admin_offers_only_the_roles_an_organizer_may_give(organizer):
    admin = signed_in(organizer)
    page = admin.get("/admin/sales/staffmember/add/").content.decode()
    assert 'value="door staff"' in page and 'value="organizer"' not in page
    response = admin.post("/admin/sales/staffmember/add/", {
        "username": "gate2", "first_name": "", "last_name": "", "email": "", "roles": [DOOR_STAFF, ORGANIZER],
        "password1": GOOD, "password2": GOOD})
    assert response.status_code == 200 and not User.objects.filter(username="gate2").exists()
    response = admin.post("/admin/sales/staffmember/add/", {
        "username": "gate2", "first_name": "", "last_name": "", "email": "", "roles": [DOOR_STAFF],
        "password1": GOOD, "password2": GOOD})
    assert response.status_code == 302, response.content.decode()[:3000]
    gate = User.objects.get(username="gate2")
    assert roles_of(gate) == {DOOR_STAFF} and gate.check_password(GOOD)
    listing = admin.get("/admin/sales/staffmember/").content.decode()
    assert f"/admin/sales/staffmember/{gate.pk}/change/" in listing
    assert f"/admin/sales/staffmember/{organizer.pk}/change/" not in listing
    root = make_user("root", is_superuser=True, is_staff=True)
    assert admin.get(f"/admin/sales/staffmember/{root.pk}/change/").status_code == 302  # not listed: not found
    from rest_framework.authtoken.models import Token

    Token.objects.create(user=gate)
    response = admin.post(f"/admin/sales/staffmember/{gate.pk}/password/",
                          {"password1": "third-long-password", "password2": "third-long-password"})
    assert response.status_code == 302
    gate.refresh_from_db()
    assert gate.check_password("third-long-password")
    assert not Token.objects.filter(user=gate).exists()  # the page's new password revokes the API token
    admin.post("/admin/sales/staffmember/", {"action": "disable", "_selected_action": [gate.pk]})
    gate.refresh_from_db()
    assert not gate.is_active


def test_the_admin_is_branded_and_views_the_shop(organizer, settings):
    page = signed_in(organizer).get("/admin/").content.decode()
    assert "Django administration" not in page and "Box office" in page
    assert f'href="{settings.SITE_URL.rstrip("/")}/"' in page


def test_an_account_disabled_then_enabled_again_signs_in_afresh(organizer):
    """Disabling ends the account's sessions and revokes its API token: enabling it again
    brings back neither (a lost phone, a clerk who left and came back)."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    clerk = staff_create(actor=organizer, username="till", password=GOOD, roles=[PHONE_OPERATOR])
    other = staff_create(actor=organizer, username="till2", password=GOOD, roles=[PHONE_OPERATOR])
    old, kept = signed_in(User.objects.get(pk=clerk.pk)), signed_in(User.objects.get(pk=other.pk))
    token = Token.objects.create(user=clerk).key
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    assert old.get("/phone/").status_code == api.get("/api/v1/performances/").status_code == 200
    staff_set_active(actor=organizer, user=clerk, active=False)
    staff_set_active(actor=organizer, user=clerk, active=True)
    assert old.get("/phone/").status_code == 302
    assert api.get("/api/v1/performances/").status_code == 401
    assert kept.get("/phone/").status_code == 200  # another account's session is its own
    # The same through the account's form.
    kept_user = User.objects.get(pk=other.pk)
    staff_update(actor=organizer, user=kept_user, roles=[PHONE_OPERATOR], email="", first_name="", last_name="",
                 is_active=False)
    staff_update(actor=organizer, user=kept_user, roles=[PHONE_OPERATOR], email="", first_name="", last_name="",
                 is_active=True)
    assert kept.get("/phone/").status_code == 302


def test_an_account_is_refused_a_password_like_its_name_or_a_name_another_has_in_other_letters(organizer):
    """A clerk's password is money: not the username again, not digits alone; and "Admin"
    beside "admin" would be told apart by nobody reading a sales record."""
    for password, said in (("guichet2", "too similar to the username"), ("1234567890", "entirely numeric")):
        with pytest.raises(InvalidRequest, match=said):
            staff_create(actor=organizer, username="guichet2", password=password, roles=[COUNTER_CLERK])
    staff_create(actor=organizer, username="guichet2", password=GOOD, roles=[COUNTER_CLERK])
    with pytest.raises(InvalidRequest, match="this username is taken"):
        staff_create(actor=organizer, username="GUICHET2", password=GOOD, roles=[COUNTER_CLERK])


def test_an_organizer_manages_staff_accounts_only_not_a_buyers_or_one_given_more(organizer):
    """An organizer's new password on an account is that account's to use: only accounts
    whose every role is one an organizer gives, with no permission of their own, are theirs.
    A buyer's account, or one a superuser gave permissions directly (which could reach the
    user admin, and from there a superuser), is neither listed nor changed."""
    from django.contrib.auth.models import Permission

    buyer = make_user("a-buyer")
    powered = make_user("powered")
    powered.is_staff = True
    powered.save()
    powered.user_permissions.add(Permission.objects.get(codename="change_user"))
    clerk = make_user("plain-clerk", COUNTER_CLERK)
    admin = signed_in(organizer)
    listed = admin.get("/admin/sales/staffmember/").content.decode()
    assert "plain-clerk" in listed and "a-buyer" not in listed and "powered" not in listed
    for user in (buyer, powered):
        page = admin.post(f"/admin/sales/staffmember/{user.pk}/password/",
                          {"password1": "Taken-0ver-now", "password2": "Taken-0ver-now"})
        assert page.status_code in (403, 404), page.status_code
        assert not signs_in(user.username, "Taken-0ver-now")
        with pytest.raises(NotPermitted):
            staff_set_password(actor=organizer, user=user, password="Taken-0ver-now")
        with pytest.raises(NotPermitted):
            staff_update(actor=organizer, user=user, roles=[DOOR_STAFF], email="", first_name="", last_name="",
                         is_active=True)
    staff_set_password(actor=organizer, user=clerk, password="Clerk-new-pass-1")
    assert signs_in("plain-clerk", "Clerk-new-pass-1")


def test_the_staff_list_is_filtered_by_role_named_in_the_admins_language(organizer):
    """The list filters by the roles an organizer gives, named as the Roles column names
    them, in French too; never by the raw group names behind them."""
    make_user("till-1", COUNTER_CLERK)
    make_user("gate-1", DOOR_STAFF)
    admin = signed_in(organizer)
    page = unescape(admin.get("/admin/sales/staffmember/", HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    filters = page[page.index('id="changelist-filter"'):]
    for label in ("Guichetier", "Téléphoniste", "Contrôle à l’entrée"):
        assert label in filters, label
    for raw in ("counter clerk", "door staff", "phone operator", "organizer"):
        assert raw not in filters, raw
    choice = re.search(r'href="(\?[^"]*)"[^>]*>Contrôle à l’entrée<', filters)
    assert choice is not None
    listed = admin.get("/admin/sales/staffmember/" + choice[1].replace("&amp;", "&")).content.decode()
    assert "gate-1" in listed and "till-1" not in listed


def test_an_organizers_new_password_signs_the_account_out_everywhere(organizer):
    """A clerk's password reset because the account was taken: every session signed in
    with the old one ends (Django's session auth hash), and the API token is revoked; the
    organizer who reset it stays signed in, and the new password signs in."""
    from rest_framework.authtoken.models import Token

    from tests.support import client_for

    clerk = staff_create(actor=organizer, username="till3", password=GOOD, roles=[COUNTER_CLERK])
    counter, phone_in_a_pocket = signed_in(User.objects.get(pk=clerk.pk)), signed_in(User.objects.get(pk=clerk.pk))
    api = client_for(clerk)
    assert counter.get("/counter/").status_code == phone_in_a_pocket.get("/counter/").status_code == 200
    assert api.get("/api/v1/performances/").status_code == 200
    admin = signed_in(organizer)
    response = admin.post(f"/admin/sales/staffmember/{clerk.pk}/password/",
                          {"password1": "fourth-long-password", "password2": "fourth-long-password"})
    assert response.status_code == 302
    for client in (counter, phone_in_a_pocket):
        response = client.get("/counter/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert api.get("/api/v1/performances/").status_code == 401
    assert not Token.objects.filter(user=clerk).exists()
    assert admin.get("/admin/sales/staffmember/").status_code == 200
    assert signs_in("till3", "fourth-long-password")


@pytest.mark.parametrize("form", [
    {"usable_password": "true", "password1": "fifth-long-password", "password2": "fifth-long-password"},
    {"usable_password": "false", "unset-password": "1"},  # password sign-in turned off
], ids=["new password", "no password"])
def test_the_admins_user_password_form_revokes_the_api_token(organizer, form):
    """Django's own user pages (a superuser's): a new password, or none usable, ends the
    account's sessions and revokes its API token alike."""
    from rest_framework.authtoken.models import Token

    from tests.support import client_for

    root = make_user("root2", is_superuser=True, is_staff=True)
    door = staff_create(actor=organizer, username="gate5", password=GOOD, roles=[DOOR_STAFF])
    session, api = signed_in(User.objects.get(pk=door.pk)), client_for(door)
    assert api.get("/api/v1/tickets/nonexistent/").status_code == 404  # signed in, no such ticket
    response = signed_in(root).post(f"/admin/auth/user/{door.pk}/password/", form)
    assert response["Location"] == f"/admin/auth/user/{door.pk}/change/"
    assert session.get("/door/").status_code == 302
    assert api.get("/api/v1/tickets/nonexistent/").status_code == 401
    assert not Token.objects.filter(user=door).exists()
