"""What the staff channels share: the role guard, the landing page after login, and
leaving a page for another."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect

from sales.policy import COUNTER_CLERK, DOOR_STAFF, ORGANIZER, PHONE_OPERATOR, roles_of


class StaffOnly(PermissionDenied):
    """A page for another staff role (the error page names it)."""

    def __init__(self, role: str):
        super().__init__(f"this page is for the {role} role")
        self.role = role


def role_required(role: str):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if role not in roles_of(request.user):
                raise StaffOnly(role)
            return view(request, *args, **kwargs)
        return wrapper
    return decorator


def to_page(request, url: str):
    """Go to `url`; from an htmx request (the totals of a sale asked again), the whole page goes."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@login_required
def staff_home(request):
    roles = roles_of(request.user)
    if COUNTER_CLERK in roles and not request.user.is_superuser:
        return redirect("counter:home")
    if PHONE_OPERATOR in roles and not request.user.is_superuser:
        return redirect("phone:home")
    if DOOR_STAFF in roles and not request.user.is_superuser:
        return redirect("door:home")
    if ORGANIZER in roles and request.user.is_staff:
        return redirect("admin:index")
    raise PermissionDenied("no staff role")
