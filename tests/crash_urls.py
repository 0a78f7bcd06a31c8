"""The project's URLs plus two that fail on purpose, for the tests of what a failure
shows: a shop page and an API view that raise."""

from django.urls import path
from rest_framework.views import APIView

from boxoffice.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401
from sales.api.views import ApiView


def crash(request):
    raise RuntimeError("a bug")


class ApiCrash(ApiView):
    def get(self, request):
        raise RuntimeError("a bug")


class PlainApiCrash(APIView):
    def get(self, request):
        raise RuntimeError("a bug")


urlpatterns = [path("crash/", crash), path("api/v1/crash/", ApiCrash.as_view()),
               path("api/v1/crash-plain/", PlainApiCrash.as_view()), *urlpatterns]
