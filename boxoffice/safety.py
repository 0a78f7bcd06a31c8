"""What is refused before any view runs, and what a failure may show to whom.

- RefuseHostileInputMiddleware: a body over the limit (413, before it is read), and NUL
  bytes in the path, the query string, a header or a form field (400): PostgreSQL
  cannot store or compare text holding NUL, so each would otherwise reach the database
  as an error. Each refusal is in the door's own shape (sales.views.refusal).
- LoopbackDebugMiddleware: with DEBUG on, Django's debug pages (every URL pattern, the
  settings, tracebacks with local variables) go to loopback clients only; anyone else
  gets the pages production shows.
- ApiSlashMiddleware: an API address sent without its final slash is a JSON 404 naming
  the address with it, not CommonMiddleware's redirect (an empty page, a POST's body lost);
  the docs page, typed by a person, is redirected to.
- MethodNotAllowedPageMiddleware: a page's address opened with a method it does not take
  (405) gets a readable page, not Django's empty answer.
- ContentSecurityPolicyMiddleware: the pages' Content-Security-Policy (django-csp's),
  built once rather than at every response.
- whole_bodies: a body sent in chunks, without a length, read whole for Django.
"""

from __future__ import annotations

import functools
import io
import ipaddress
import logging

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import Resolver404, is_valid_path, resolve, reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.debug import ExceptionReporter

from sales import views as errors
from sales.policy import roles_of
from sales.waiting_room import client_ip

FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
PAGES_UNDER_API = frozenset({"api-docs"})  # pages for people among the API's addresses
logger = logging.getLogger("django.request")


def _has_nul(request) -> bool:
    if "\x00" in request.path_info:
        return True
    query = request.META.get("QUERY_STRING", "")
    if "%00" in query or "\x00" in query:
        return True
    if any("\x00" in value for key, value in request.META.items()
           if key.startswith("HTTP_") and isinstance(value, str)):
        return True
    if request.method == "POST" and request.content_type in FORMS:
        return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.POST.lists())
    return False


class RefuseHostileInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refused = self.refused(request)
        return self.get_response(request) if refused is None else refused

    def refused(self, request):
        """The refusal of a hostile request, in the visitor's language (this runs before the
        locale middleware), or None."""
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = None
        limit = (settings.UPLOAD_MAX_BYTES if request.META.get("CONTENT_TYPE", "").startswith("multipart/")
                 else settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        nul = length is not None and length <= limit and _has_nul(request)
        if length is not None and length <= limit and not nul:
            return None
        language = translation.get_language_from_request(request)
        with translation.override(language):
            response = self._refusal(request, length, limit)
        response["Content-Language"] = language
        patch_vary_headers(response, ("Accept-Language", "Cookie"))  # as the locale middleware's answers
        return response

    def _refusal(self, request, length, limit):
        if length is None:
            return errors.refusal(request, 400, "bad_request", _("The request's length is not a number."))
        limit = (settings.UPLOAD_MAX_BYTES if request.META.get("CONTENT_TYPE", "").startswith("multipart/")
                 else settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        if length > limit:
            return errors.refusal(request, 413, "too_large",
                                  _("The request is too large (at most %(size)s bytes).") % {"size": limit})
        return errors.refusal(request, 400, "bad_request", _("The request holds a NUL character."),
                              title=_("Bad request"))


def is_loopback(request) -> bool:
    try:
        return ipaddress.ip_address(client_ip(request)).is_loopback
    except ValueError:
        return False


class PlainErrorReporter(ExceptionReporter):
    """What Django's debug page becomes for a client that is not on this machine: the
    production page, no traceback, no settings."""

    def _page(self) -> str:
        if self.exc_type is not None and issubclass(self.exc_type, SuspiciousOperation):
            return errors.page_text(400, _("Bad request"), _("The request was refused."))
        return errors.page_text(500, _("Server error"), _("Something went wrong on our side. Please try again."))

    def get_traceback_html(self) -> str:
        return self._page()

    def get_traceback_text(self) -> str:
        return self._page()


class LoopbackDebugMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.DEBUG and not is_loopback(request):
            request.exception_reporter_class = PlainErrorReporter
            request.plain_errors = True
            if self._unknown(request):
                return errors.not_found(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not getattr(request, "plain_errors", False):
            return None
        if isinstance(exception, Http404):
            return errors.not_found(request, exception)
        logger.error("Internal Server Error: %s", request.path, exc_info=exception)
        return errors.server_error(request)

    @staticmethod
    def _unknown(request) -> bool:
        """No URL pattern matches (Django's debug 404 page would list them all). A path
        that only lacks its slash is left to CommonMiddleware's redirect."""
        urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
        for path in (request.path_info, request.path_info + "/"):
            try:
                resolve(path, urlconf)
                return False
            except Resolver404:
                if not settings.APPEND_SLASH or request.path_info.endswith("/"):
                    return True
        return True


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware without its cost where it adds nothing (it built the policy
    from the settings for every response, about a tenth of a millisecond): none is built
    for the paths the policy excludes (the JSON API), and the site's own policy, the same
    for every page that neither uses a nonce nor changes it, is built once per process.
    Pages with a nonce or their own policy go through django-csp unchanged."""

    def process_response(self, request, response):
        if getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None) or not _csp_policy():
            return super().process_response(request, response)
        if request.path_info.startswith(_csp_excluded()):
            return response
        if (getattr(request, "_csp_nonce", None) is None and HEADER not in response
                and not any(getattr(response, name, None) for name in _CSP_PER_RESPONSE)
                and not (settings.DEBUG and response.status_code in (404, 500))):
            response[HEADER] = _csp_policy()
            # As django-csp does once the header is written: a nonce asked for now would not be in it.
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
            return response
        return super().process_response(request, response)


_CSP_PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt",
                     "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro")


@functools.cache
def _csp_excluded() -> tuple[str, ...]:
    return tuple((settings.CONTENT_SECURITY_POLICY or {}).get("EXCLUDE_URL_PREFIXES") or ())


@functools.cache
def _csp_policy() -> str:
    return build_policy()


@receiver(setting_changed)
def _csp_settings_changed(*, setting, **kwargs):
    if setting in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY"):
        _csp_excluded.cache_clear()
        _csp_policy.cache_clear()


class ApiSlashMiddleware:
    """Under /api/, an address that only lacks its final slash. CommonMiddleware would
    redirect it (301, an empty HTML page; a POST's body lost on the way, and with DEBUG on
    an error page instead): it is the API's JSON 404, naming the address to use. The docs
    page is for people, who type /api/docs: a GET of it is redirected to it. It runs after
    the locale middleware (the message in the request's language), before
    CommonMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if errors.is_api(request) and not path.endswith("/"):
            urlconf = getattr(request, "urlconf", None)
            if not is_valid_path(path, urlconf) and is_valid_path(path + "/", urlconf):
                if request.method in ("GET", "HEAD") and self._page_for_people(path + "/", urlconf):
                    return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
                return errors.refusal(request, 404, "not_found",
                                      _("no such resource; this address ends with a slash: %(address)s")
                                      % {"address": request.path + "/"})
        return self.get_response(request)

    @staticmethod
    def _page_for_people(path: str, urlconf) -> bool:
        """The docs page, which a person types into a browser's address bar: sent on to it,
        as CommonMiddleware would (a GET has no body to lose)."""
        return resolve(path, urlconf).url_name in PAGES_UNDER_API


class MethodNotAllowedPageMiddleware:
    """A page reached with a method it does not take (the checkout's or a slip's address
    typed or reloaded, where only its button may go) answered Django's empty 405, a blank
    page: it is the door's own refusal instead, saying where to go on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.streaming or response.content:
            return response
        user = getattr(request, "user", None)
        staff = user is not None and user.is_authenticated and bool(roles_of(user))
        links = [(reverse("staff-home"), _("Back to your staff home"))] if staff else [("/", _("Back to the shop"))]
        return errors.refusal(
            request, 405, "method_not_allowed",
            _("This address opens from a button on its page, not typed in or reloaded.") if not errors.is_api(request)
            else _("method %(method)s not allowed here") % {"method": request.method[:20]},
            title=_("Not from here"), links=links, Allow=response.get("Allow", ""))


def whole_bodies(app):
    """WSGI: a request body sent in chunks (Transfer-Encoding: chunked, no Content-Length)
    reaches Django whole. Django reads as many bytes as Content-Length says, so it saw an
    empty body ("this field is required"); the server hands the chunks on as one stream
    that ends with the body (wsgi.input_terminated). At most one byte over the largest
    body taken is read: a longer one is refused for its length (413), as any other."""

    def application(environ, start_response):
        if (not environ.get("CONTENT_LENGTH") and environ.get("wsgi.input_terminated")
                and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()):
            limit = max(settings.DATA_UPLOAD_MAX_MEMORY_SIZE, settings.UPLOAD_MAX_BYTES)
            body = environ["wsgi.input"].read(limit + 1)
            environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        return app(environ, start_response)

    return application
