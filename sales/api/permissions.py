from rest_framework.permissions import BasePermission

from sales.channels.policy import ORGANIZER, roles_of


class IsStaffRole(BasePermission):
    """Organizer, counter clerk or phone operator."""

    message = "staff only"

    def has_permission(self, request, view):
        return bool(roles_of(request.user))


class IsOrganizer(BasePermission):
    message = "organizers only"

    def has_permission(self, request, view):
        return ORGANIZER in roles_of(request.user)
