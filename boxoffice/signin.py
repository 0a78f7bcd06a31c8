"""Staff and admin sign-in throttling, on django-axes.

Failed sign-ins are counted per account and address pair and per address. A pair is
locked out after AXES_FAILURE_LIMIT failures, an address (whatever accounts it tries)
after AXES_ADDRESS_FAILURE_LIMIT, each for AXES_COOLOFF_TIME. No lockout is per account
alone: an attacker elsewhere cannot lock the clerk at the counter out. A locked-out
attempt is refused before any password is hashed, so guessing does not cost the staff
pool's workers either. Every failure and lockout is recorded (axes' access attempts and
failure log, in the admin) and logged.

Staff sessions (StaffSessionMiddleware): a sign-in of a member of staff, on a computer
the counter or the door shares, lasts until the browser closes, a working day at most
(STAFF_SESSION_MAX_AGE) and until it sits unused for STAFF_SESSION_IDLE: a page polling
the server by itself (POLL_HEADER) is no use of it."""

import time

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.dispatch import receiver
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject

from sales import reads
from sales.policy import ROLES, ROLES_CACHE, roles_of

# In a staff session: when its member of staff signed in, and when it was last used (epoch
# seconds). A shopper's session has neither.
SIGNED_IN_AT = "staff_signed_in_at"
SEEN_AT = "staff_seen_at"
# The last use is written at most this often: not a session write at every request.
SEEN_EVERY = 60
# Sent by the requests a staff page makes by itself on a timer (a seat map's states, the
# door's counts, the dashboard's live figures): nobody is at the terminal for them, so they
# do not count as its use, and a page left open signs out once idle like any other.
POLL_HEADER = "X-Poll"


@receiver(user_logged_in, dispatch_uid="boxoffice.signin.staff_session")
def staff_session(sender, request, user, **kwargs):
    """A member of staff's sign-in: its cookie lasts until the browser closes, and the
    session is stamped for StaffSessionMiddleware's limits."""
    if request is None or not hasattr(request, "session"):
        return
    if not (roles_of(user) or user.is_staff or user.is_superuser):
        return
    now = int(time.time())
    request.session.set_expiry(0)
    request.session[SIGNED_IN_AT] = now
    request.session[SEEN_AT] = now


class StaffSessionMiddleware:
    """Ends a staff session a working day after its sign-in or once unused for the idle
    limit: the request goes on signed out (a staff page then asks to sign in). Only a
    request that brings a session cookie and asks who its user is is looked at: a
    shopper's poll of the waiting room reads no session, and costs no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            user = request.user  # AuthenticationMiddleware's, still lazy
            request.user = SimpleLazyObject(lambda: self.checked(request, user))
        return self.get_response(request)

    @classmethod
    def checked(cls, request, user):
        request.user = user  # what logout() signs out
        cls.check(request)
        return request.user

    @staticmethod
    def check(request) -> None:
        signed_in_at = request.session.get(SIGNED_IN_AT)
        if signed_in_at is None:
            return
        now = time.time()
        seen_at = request.session.get(SEEN_AT, signed_in_at)
        if (now - signed_in_at > settings.STAFF_SESSION_MAX_AGE.total_seconds()
                or now - seen_at > settings.STAFF_SESSION_IDLE.total_seconds()):
            logout(request)
            return
        if now - seen_at >= SEEN_EVERY and POLL_HEADER not in request.headers:
            request.session[SEEN_AT] = seen_at = int(now)
        # When it ends unless used again (epoch seconds): the door's page kept on its device
        # for the network's outages is not shown past it (sales.channels.door).
        request.staff_session_ends = int(min(signed_in_at + settings.STAFF_SESSION_MAX_AGE.total_seconds(),
                                             seen_at + settings.STAFF_SESSION_IDLE.total_seconds()))


class SignInHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        """The failures that count towards a lockout, in units of the pair's limit: the
        address's own count weighs limit / address limit each, so either reaching its
        limit locks out."""
        counts = [qs.aggregate(n=Sum("failures_since_start"))["n"] or 0
                  for qs in self.get_user_attempts(request, credentials)]
        pair, address = (counts + [0, 0])[:2]
        return max(pair, address * settings.AXES_FAILURE_LIMIT // settings.AXES_ADDRESS_FAILURE_LIMIT)


def locked_out(request, response=None, credentials=None):
    """The page a locked-out sign-in gets (429), in the visitor's language."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


class StaffBackend(ModelBackend):
    """Django's model backend, whose user for a signed-in session comes with the user's
    staff roles in one fixed query (sales.reads.user_by_id): every staff page checks them,
    and this saves each a round trip and the ORM's compiling. A sign-in that fails here
    fails for good (PermissionDenied): the backends after this one are listed only to
    read the sessions they signed in, never to hash a password a second time."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and password is not None:
            raise PermissionDenied
        return user

    async def aauthenticate(self, request, username=None, password=None, **kwargs):
        user = await super().aauthenticate(request, username=username, password=password, **kwargs)
        if user is None and password is not None:
            raise PermissionDenied
        return user

    def get_user(self, user_id):
        found = reads.user_by_id(user_id, list(ROLES))
        if found is None:
            return None
        user, roles = found
        setattr(user, ROLES_CACHE, roles)
        return user if self.user_can_authenticate(user) else None
