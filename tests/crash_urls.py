"""The project's URLs plus a few that fail on purpose, for the tests of what a failure
shows: a shop page and API views that raise, and plain views under the API that refuse
without saying why, or answer Django's empty 405."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET
from rest_framework.views import APIView

from boxoffice.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401
from sales.api.views import ApiView


def crash(request):
    raise RuntimeError("a bug")


def forbidden(request):
    raise PermissionDenied


@require_GET
def read_only(request):
    return HttpResponse("read")


class ApiCrash(ApiView):
    def get(self, request):
        raise RuntimeError("a bug")


class PlainApiCrash(APIView):
    def get(self, request):
        raise RuntimeError("a bug")


urlpatterns = [path("crash/", crash), path("api/v1/crash/", ApiCrash.as_view()),
               path("api/v1/crash-plain/", PlainApiCrash.as_view()),
               path("api/v1/forbidden/", forbidden), path("api/v1/read-only/", read_only), *urlpatterns]
