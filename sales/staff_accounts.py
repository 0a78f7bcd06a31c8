"""Staff accounts managed by an organizer, without the superuser: counter clerks, phone
operators and door staff are created, given roles, disabled and given a new password.
Nobody here makes a superuser, and only a superuser grants the organizer role or touches
an organizer's account, so an organizer cannot raise anyone (themselves included) above
what they have."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import InvalidRequest, NotPermitted
from .policy import COUNTER_CLERK, DOOR_STAFF, ORGANIZER, PHONE_OPERATOR, ROLES, ROLES_CACHE, roles_of
from .roles import ensure_roles

# What an organizer may hand out; a superuser may also make organizers.
MANAGED_ROLES = (COUNTER_CLERK, PHONE_OPERATOR, DOOR_STAFF)


def grantable_roles(actor) -> tuple[str, ...]:
    if actor is not None and actor.is_active and actor.is_superuser:
        return ROLES
    if ORGANIZER in roles_of(actor):
        return MANAGED_ROLES
    return ()


def may_manage(actor, user) -> bool:
    """Whether `actor` may change `user`'s account: never their own (no one lifts their own
    limits or locks themselves out here), never a superuser's, and an organizer's only as a
    superuser. An organizer manages staff accounts only (see managed_by): a new password
    set here is an account the organizer can sign in as."""
    if not grantable_roles(actor) or user.pk == actor.pk or user.is_superuser:
        return False
    return actor.is_superuser or managed_by(actor, type(user).objects.filter(pk=user.pk)).exists()


def managed_by(actor, users):
    """The accounts among `users` an organizer manages: in at least one of the roles an
    organizer gives and in no other group, with no permission of their own and no access to
    the admin. Not a buyer's account, nor one a superuser gave more (a permission on
    users reaches the superuser). A superuser manages every account but superusers."""
    users = users.filter(is_superuser=False)
    if actor.is_superuser:
        return users
    return (users.filter(is_staff=False, groups__name__in=MANAGED_ROLES)
            .exclude(groups__in=Group.objects.exclude(name__in=MANAGED_ROLES))
            .exclude(user_permissions__isnull=False).exclude(pk=actor.pk).distinct())


def _check(actor, user=None, roles=None) -> None:
    allowed = grantable_roles(actor)
    if not allowed:
        raise NotPermitted(_("only organizers manage staff accounts"))
    if user is not None and not may_manage(actor, user):
        raise NotPermitted(_("you may not change this account"))
    if roles is not None:
        refused = set(roles) - set(allowed)
        if refused:
            raise NotPermitted(_("you may not grant the role %(role)s") % {"role": ", ".join(sorted(refused))})


def _password(password: str, user) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise InvalidRequest(" ".join(exc.messages), field="password") from None


def _set_roles(user, roles) -> None:
    ensure_roles()
    groups = Group.objects.filter(name__in=ROLES)
    user.groups.remove(*groups.exclude(name__in=roles))
    user.groups.add(*groups.filter(name__in=roles))
    # The admin is the organizer's door: only organizers are staff.
    user.is_staff = ORGANIZER in roles
    user.save(update_fields=["is_staff"])
    user.__dict__.pop(ROLES_CACHE, None)


def staff_create(*, actor, username: str, password: str, roles, email: str = "", first_name: str = "",
                 last_name: str = ""):
    roles = list(roles)
    _check(actor, roles=roles)
    if not roles:
        raise InvalidRequest(_("give the account a role"), field="roles")
    User = get_user_model()
    # "Admin" beside "admin" is taken too: two accounts one letter's case apart are told
    # apart by nobody reading a sales record.
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidRequest(_("this username is taken"), field="username")
    user = User(username=username, email=email, first_name=first_name, last_name=last_name,
                is_superuser=False, is_staff=False, is_active=True)
    _password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            _set_roles(user, roles)
    except IntegrityError:
        raise InvalidRequest(_("this username is taken"), field="username") from None
    return user


def staff_update(*, actor, user, roles, email: str, first_name: str, last_name: str, is_active: bool):
    roles = list(roles)
    _check(actor, user, roles)
    if not roles:
        raise InvalidRequest(_("give the account a role"), field="roles")
    was_active = type(user).objects.filter(pk=user.pk, is_active=True).exists()
    with transaction.atomic():
        user.email, user.first_name, user.last_name, user.is_active = email, first_name, last_name, is_active
        user.save(update_fields=["email", "first_name", "last_name", "is_active"])
        _set_roles(user, roles)
    if was_active and not is_active:
        sign_out_everywhere(user)
    return user


def staff_set_active(*, actor, user, active: bool):
    """Disable an account (it can no longer sign in or use its API token; its sales stay
    recorded with it), or enable it again."""
    _check(actor, user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        sign_out_everywhere(user)
    return user


def sign_out_everywhere(user) -> int:
    """End the account's sessions and revoke its API token, so that enabling it again
    brings back neither: it signs in afresh. Sessions are found by reading each one that
    has not expired (the database's session store; a disabled account is rare)."""
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()  # first: revoked whatever the scan meets
    store = import_module(settings.SESSION_ENGINE).SessionStore
    uid, ended = str(user.pk), 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=2000):
        if session.get_decoded().get(SESSION_KEY) == uid:
            store(session.session_key).delete()
            ended += 1
    return ended


def staff_set_password(*, actor, user, password: str):
    _check(actor, user)
    _password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user
