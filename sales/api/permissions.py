from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission

from sales import reads
from sales.policy import ORGANIZER, RESERVATION_ROLES, ROLES, ROLES_CACHE, SELLING_ROLES, buys, roles_of


class TokenWithRoles(TokenAuthentication):
    """DRF's token login, with the user's staff roles read in the same fixed query: every
    staff API call checks them, and this saves it a round trip and the ORM's compiling."""

    def authenticate(self, request):
        """A token sent as a bearer token is refused with how to send it, rather than taken
        for an anonymous buyer. Other schemes (a proxy's Basic) are left to the session."""
        header = get_authorization_header(request)
        # Only printable ASCII: a token behind a non-breaking space would otherwise not be read
        # as one at all, and its request served as an anonymous buyer's.
        if not all(32 <= byte < 127 or byte == 9 for byte in header):
            raise AuthenticationFailed(_("the Authorization header holds a character that is not plain ASCII"))
        scheme = header.split()[:1]
        if scheme and scheme[0].lower() == b"bearer":
            raise AuthenticationFailed(_("send the API token as Authorization: Token <key>"))
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        found = reads.user_by_token(key, list(ROLES))
        if found is None:
            raise AuthenticationFailed(_("Invalid token."))
        user, roles = found
        if not user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        setattr(user, ROLES_CACHE, roles)
        return user, Token(key=key, user=user)


class IsBuyerOrSeller(BasePermission):
    """Holds and orders: a buyer (no token, or an account without a staff role), a counter
    clerk or a phone operator (policy.buys). A door staff's or an organizer's token,
    whose roles sell through no channel, is refused: it does what its role is for."""

    message = _("holds and orders are made by buyers, counter clerks and phone operators; this account's role "
                "does not sell")

    def has_permission(self, request, view):
        return buys(request.user)


class IsStaffRole(BasePermission):
    """Organizer, counter clerk or phone operator."""

    message = _("staff only")

    def has_permission(self, request, view):
        return not roles_of(request.user).isdisjoint(SELLING_ROLES)


class IsReservationRole(BasePermission):
    """Phone operator or organizer: cancelling an unpaid order and emailing a reservation's
    payment link are the phone console's actions, not the counter's (policy.RESERVATION_ROLES)."""

    message = _("only a phone operator or an organizer cancels an order or emails its payment link")

    def has_permission(self, request, view):
        return not roles_of(request.user).isdisjoint(RESERVATION_ROLES)


class IsDoorRole(BasePermission):
    """Any staff role: door staff scan tickets, and so may the others."""

    message = _("staff only")

    def has_permission(self, request, view):
        return bool(roles_of(request.user))


class IsOrganizer(BasePermission):
    message = _("organizers only")

    def has_permission(self, request, view):
        return ORGANIZER in roles_of(request.user)
