from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission

from sales import rows
from sales.policy import ORGANIZER, ROLES, ROLES_CACHE, roles_of


class TokenWithRoles(TokenAuthentication):
    """DRF's token login, with the user's staff roles read in the same fixed query: every
    staff API call checks them, and this saves it a round trip and the ORM's compiling."""

    def authenticate_credentials(self, key):
        found = rows.fetch(f"""SELECT {rows.columns(User)},
                                      ARRAY(SELECT g.name FROM auth_group g
                                            JOIN auth_user_groups ug ON ug.group_id = g.id
                                            WHERE ug.user_id = auth_user.id AND g.name = ANY(%s))
                               FROM auth_user JOIN authtoken_token token ON token.user_id = auth_user.id
                               WHERE token.key = %s""", [list(ROLES), key])
        if not found:
            raise AuthenticationFailed(_("Invalid token."))
        user = rows.instance(User, found[0])
        if not user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        setattr(user, ROLES_CACHE, frozenset(found[0][-1]))
        return user, Token(key=key, user=user)


class IsStaffRole(BasePermission):
    """Organizer, counter clerk or phone operator."""

    message = "staff only"

    def has_permission(self, request, view):
        return bool(roles_of(request.user))


class IsOrganizer(BasePermission):
    message = "organizers only"

    def has_permission(self, request, view):
        return ORGANIZER in roles_of(request.user)
