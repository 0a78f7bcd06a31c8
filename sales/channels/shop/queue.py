"""The waiting-room page. It touches Redis only: no database query, no session (the
visitor id is a signed cookie), so joining and polling cost almost nothing. What the page
says of the performance is written into Redis with the room's config.

`answer` is the page, whoever serves it: the Django view below (development, tests), or
`fast_path`, a WSGI layer in front of Django that serves the queue URL with none of the
framework's request handling (what a flash crowd hits hardest, every few seconds, from
every visitor). Both return the same bytes and cookies.
"""

from __future__ import annotations

import math
import random
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from http.cookies import SimpleCookie
from types import SimpleNamespace

from django.conf import settings
from django.core import signing
from django.http import HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from sales import admission, draws, waiting_room
from sales.errors import too_many
from sales.formatting import number

VISITOR_COOKIE = "wr_visitor"
VISITOR_SALT = "sales.waiting_room.visitor"
PASS_COOKIE = "wr_pass_{}"
# The presale whose queue this visitor joined with a valid code (signed presale id), and
# the pass that presale's queue gave them.
PRESALE_COOKIE = "wr_presale_{}"
PRESALE_SALT = "sales.waiting_room.presale"
PRESALE_PASS_COOKIE = "wr_presale_pass_{}"
# Set with a pass, for the shop's next page to say it is the visitor's turn (then dropped).
TURN_COOKIE = "wr_turn_{}"
TURN_SECONDS = 120
VISITOR_MAX_AGE = 7 * 24 * 3600
ALLOWED = frozenset(CSRF_ALLOWED_CHARS)
# Headers the security and clickjacking middleware would have added.
SAFE_HEADERS = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"),
                ("X-Frame-Options", "DENY"), ("Cache-Control", "no-store")]


@dataclass
class Answer:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    cookies: list[tuple[str, str, int | None]] = field(default_factory=list)  # name, value, max-age


def _visitor_signer():
    return signing.get_cookie_signer(salt=VISITOR_COOKIE + VISITOR_SALT)


def _presale_signer():
    return signing.get_cookie_signer(salt=PRESALE_COOKIE + PRESALE_SALT)


def presale_cookie(pk: int, presale_id: int) -> str:
    """What the presale cookie of performance `pk` holds once a code of `presale_id` was accepted."""
    return _presale_signer().sign(f"{pk}:{presale_id}")


def _presale_of(pk: int, cookie: str | None) -> int | None:
    if not cookie:
        return None
    try:
        perf, presale = _presale_signer().unsign(cookie).split(":")
    except (signing.BadSignature, ValueError):
        return None
    return int(presale) if perf == str(pk) and presale.isdigit() else None


def answer(pk: int, *, visitor_cookie: str | None, htmx: bool, ip: str, cookies_in: dict | None = None) -> Answer:
    """The queue page for this visitor: join or poll; admitted visitors get their pass
    and go to the shop. A visitor who typed a valid presale code waits in that presale's
    queue instead, while it is open; while a presale is open, the page asks the others
    for their code (`cookies_in`: the request's cookies, for these and the CSRF cookie)."""
    cookies_in = cookies_in or {}
    visitor = None
    if visitor_cookie:
        try:
            visitor = _visitor_signer().unsign(visitor_cookie)
        except signing.BadSignature:
            visitor = None
    cookies = []
    if visitor is None:
        # Only where a queue runs: elsewhere this address just sends visitors on to the shop.
        limit = settings.QUEUE_NEW_VISITORS_PER_NETWORK  # 0: none
        if limit and (wait := waiting_room.rate_limited("join", ip, limit=limit)) and waiting_room.gated(pk):
            return Answer(429, _too_many(wait),
                          [("Content-Type", "text/html; charset=utf-8"), ("Retry-After", str(wait))])
        visitor = waiting_room.new_visitor()
        cookies.append((VISITOR_COOKIE, _visitor_signer().sign(visitor), VISITOR_MAX_AGE))
    shop_url = _urls(pk)[0]
    presale_id = _presale_of(pk, cookies_in.get(PRESALE_COOKIE.format(pk)))
    place = waiting_room.presale_status(pk, presale_id, visitor) if presale_id is not None else None
    if place is not None:
        if place.state == "admitted":
            cookies.append((PRESALE_PASS_COOKIE.format(pk),
                            waiting_room.issue_presale_pass(pk, presale_id, visitor, place.ttl), place.ttl or None))
            cookies.append((TURN_COOKIE.format(pk), "1", TURN_SECONDS))
            if htmx:
                return Answer(204, headers=[("HX-Redirect", shop_url)], cookies=cookies)
            return Answer(302, headers=[("Location", shop_url)], cookies=cookies)
        return _page(pk, place, visitor, htmx=htmx, cookies=cookies, presale=True,
                 csrf=None if htmx else _csrf_token(cookies_in.get(settings.CSRF_COOKIE_NAME), cookies))
    place = waiting_room.status(pk, visitor)
    if place.state == "none":  # no queue here: on to the shop, without a pass, nothing kept
        if htmx:
            return Answer(204, headers=[("HX-Redirect", shop_url)], cookies=cookies)
        return Answer(302, headers=[("Location", shop_url)], cookies=cookies)
    if place.state != "before":
        admission.tick(pk)  # an automatic room's rate follows the buyers, decided by who admits
    if place.state == "admitted":
        cookies.append((PASS_COOKIE.format(pk), waiting_room.issue_pass(pk, visitor, place.admitted_at),
                        place.ttl or None))
        cookies.append((TURN_COOKIE.format(pk), "1", TURN_SECONDS))
        if htmx:
            return Answer(204, headers=[("HX-Redirect", shop_url)], cookies=cookies)
        return Answer(302, headers=[("Location", shop_url)], cookies=cookies)
    code_form = not htmx and place.state in ("before", "queued", "stopped") and waiting_room.presale_open(pk)
    return _page(pk, place, visitor, htmx=htmx, cookies=cookies, code_form=code_form,
                 csrf=None if htmx else _csrf_token(cookies_in.get(settings.CSRF_COOKIE_NAME), cookies))


def _page(pk: int, place: waiting_room.Place, visitor: str, *, htmx: bool, cookies: list, presale: bool = False,
          csrf: str | None = None, code_form: bool = False) -> Answer:
    """The page (or, for htmx, its status part). A whole page carries the language switch
    and, while a presale is open, the code's form: both need the CSRF token."""
    template = get_template("shop/queue.html#status" if htmx else "shop/queue.html")
    poll_ms = poll_interval_ms(place)
    # The verifiable opening draw is the general queue's; a presale queue's is not published.
    draw = {} if presale or place.state == "ended" else _in_the_draw(pk, visitor, place)
    # The whole page says which performance this is (one Redis read); its polls do not.
    heading = None if htmx else waiting_room.heading(pk, translation.get_language() or settings.LANGUAGE_CODE)
    if heading and (presale or place.state != "before"):  # not this queue's opening, or already past
        heading["opens"] = ""
    body = template.render({"place": place, "pk": pk, "queue_url": _urls(pk)[1], "percent": round(place.progress * 100),
                            "heading": heading, "wait_minutes": math.ceil(place.wait_seconds / 60),
                            "wait_hours": math.ceil(place.wait_seconds / 3600),
                            "wait_days": math.ceil(place.wait_seconds / 86400),
                            "poll_ms": poll_ms, "refresh_seconds": max(1, round(poll_ms / 1000)),
                            "back_minutes": max(1, math.ceil((place.back - time.time()) / 60)) if place.back else None,
                            "presale": presale, "csrf_token": csrf, "code_form": code_form, "code_url": _code_url(pk),
                            "refreshed": htmx, "setlang_url": _setlang_url(), "tab": _tab_title(place),
                            "basket_url": _basket_url(),
                            **draw})
    return Answer(200, body.encode(), [("Content-Type", "text/html; charset=utf-8")], cookies)


def _tab_title(place: waiting_room.Place) -> str:
    """The browser tab's title, before the performance's name: how many are ahead, for a
    visitor who keeps the page in a background tab ("(1,234) Waiting room")."""
    if place.state in ("queued", "paused", "stopped") and place.ahead:
        return _("(%(ahead)s) Waiting room") % {"ahead": number(place.ahead)}
    return _("Waiting room")


def _csrf_token(secret: str | None, cookies: list) -> str:
    """The form token for the page's forms (language, presale code), as Django's CSRF protection checks it
    against its cookie: from the visitor's CSRF cookie, or a new one set here (this page
    is answered without Django's middleware)."""
    known = bool(secret) and len(secret) == CSRF_SECRET_LENGTH and set(secret) <= ALLOWED
    meta = {"CSRF_COOKIE": secret} if known else {}
    token = get_token(SimpleNamespace(META=meta))  # a new secret goes into meta
    if not known:
        cookies.append((settings.CSRF_COOKIE_NAME, meta["CSRF_COOKIE"], settings.CSRF_COOKIE_AGE))
    return token


def poll_interval_ms(place: waiting_room.Place) -> int:
    """How soon this visitor's page asks again: often when their turn (or the opening) is
    near, rarely from far back, so that a crowd polls at a rate the machine can serve.
    Jittered so that pages loaded together do not poll together."""
    if place.state == "before":
        seconds = min(15.0, max(1.0, place.wait_seconds / 2))
    elif place.state == "soldout":  # over, unless a reservation is cancelled: no need to ask often
        seconds = 30.0
    elif place.state == "stopped":  # nothing moves until the organizer raises the rate again
        seconds = random.uniform(15.0, 30.0)
    elif place.state == "paused":  # nothing moves before the first basket lapses; spread, not all at that moment
        seconds = min(30.0, max(15.0, place.back - time.time() + random.uniform(0, 10)))
    else:
        seconds = min(30.0, max(3.0, place.wait_seconds / 5))
    return int(seconds * 1000 * random.uniform(0.85, 1.15))


def _in_the_draw(pk: int, visitor: str, place: waiting_room.Place) -> dict:
    """The visitor's entry reference in the opening draw, while they wait for it or once
    they were drawn (later arrivals were not in it)."""
    if place.state == "before":
        drawn_at = None
    else:
        count = waiting_room.drawn_count(pk)
        if not count or not 0 < place.position <= count:
            return {}
        drawn_at = place.position
    return {"reference": draws.format_reference(draws.queue_reference(pk, visitor)), "drawn_at": drawn_at,
            "draw_url": _draw_url(pk)}


def _too_many(seconds: int) -> bytes:
    """A page in the visitor's language, as the queue's own is (no template: it is what a
    crowd is refused with): when to come back, in the `seconds` its Retry-After gives."""
    title = escape(_("Waiting room"))
    text = escape(too_many(_("Too many new visitors from your network in the last minute"), seconds))
    then = escape(_("Then reload this page: your place is kept from then on."))
    return (f'<!doctype html><html lang="{translation.get_language()}"><head><meta charset="utf-8"><title>{title}'
            f'</title></head><body><main><h1>{title}</h1><p>{text}</p><p>{then}</p></main></body></html>').encode()


@lru_cache(maxsize=256)
def _urls(pk: int) -> tuple[str, str]:
    return reverse("shop:performance", args=[pk]), reverse("shop:queue", args=[pk])


@lru_cache(maxsize=256)
def _draw_url(pk: int) -> str:
    return reverse("shop:draw", args=[pk])


@lru_cache(maxsize=1)
def _setlang_url() -> str:
    return reverse("set_language")


@lru_cache(maxsize=1)
def _basket_url() -> str:
    return reverse("shop:basket")


@lru_cache(maxsize=256)
def _code_url(pk: int) -> str:
    return reverse("shop:presale-code", args=[pk])


def queue(request, pk: int):
    result = answer(pk, visitor_cookie=request.COOKIES.get(VISITOR_COOKIE), htmx=bool(request.htmx),
                    ip=waiting_room.client_network(request), cookies_in=request.COOKIES)
    response = HttpResponse(result.body, status=result.status)
    for name, value in result.headers:
        response[name] = value
    for name, value, max_age in result.cookies:
        response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="Lax")
    return response


def pass_ok(request, pk: int, binding: str) -> bool:
    """A pass from the general queue, or from the queue of a presale open now."""
    return (waiting_room.check_pass(pk, request.COOKIES.get(PASS_COOKIE.format(pk)), binding)
            or waiting_room.check_presale_pass(pk, request.COOKIES.get(PRESALE_PASS_COOKIE.format(pk)), binding))


def pass_holder(request, pk: int, binding: str) -> str | None:
    """Whom the per-address limits count for this request (waiting_room.pass_holder): its
    valid general pass for the performance, else its valid presale pass; None: its address."""
    return (waiting_room.pass_holder(pk, request.COOKIES.get(PASS_COOKIE.format(pk)), binding)
            or waiting_room.pass_holder(pk, request.COOKIES.get(PRESALE_PASS_COOKIE.format(pk)), binding))


def passes_of(request, pk: int, binding: str) -> list[str]:
    """The valid waiting-room passes this request came with for the performance (a pass
    copied from another visitor's browser is not theirs: check_pass binds it)."""
    general, presale = (request.COOKIES.get(PASS_COOKIE.format(pk)),
                        request.COOKIES.get(PRESALE_PASS_COOKIE.format(pk)))
    return ([general] if general and waiting_room.check_pass(pk, general, binding) else []) + (
        [presale] if presale and waiting_room.check_presale_pass(pk, presale, binding) else [])


# --- the WSGI fast path ---------------------------------------------------------------

QUEUE_PATH = re.compile(r"^/performances/(\d{1,12})/queue/$")
REASONS = {200: "OK", 204: "No Content", 302: "Found", 429: "Too Many Requests"}


def fast_path(app):
    """Serve GET /performances/<pk>/queue/ in front of Django; everything else goes on to
    `app`. The staff pool does not serve it (its Django answers 404, as for any public page)."""
    if settings.BOXOFFICE_POOL == "staff":
        return app

    def application(environ, start_response):
        match = QUEUE_PATH.match(environ.get("PATH_INFO", ""))
        method = environ.get("REQUEST_METHOD")
        if match is None or method not in ("GET", "HEAD"):
            return app(environ, start_response)
        if method == "HEAD":  # a check that the page answers (a monitor, a link checker): nobody joins
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), *SAFE_HEADERS])
            return []
        jar = SimpleCookie()
        try:
            jar.load(environ.get("HTTP_COOKIE", ""))
        except Exception:  # noqa: BLE001 - an unreadable cookie header is no cookie
            jar = SimpleCookie()
        cookies = {k: m.value for k, m in jar.items()}
        request = SimpleNamespace(COOKIES=cookies, META=environ)
        with translation.override(translation.get_language_from_request(request)):
            result = answer(int(match[1]), visitor_cookie=cookies.get(VISITOR_COOKIE),
                            htmx=environ.get("HTTP_HX_REQUEST") == "true", ip=waiting_room.client_network(request),
                            cookies_in=cookies)
            headers = [*result.headers, *SAFE_HEADERS, ("Vary", "Cookie, Accept-Language"),
                       ("Content-Language", translation.get_language())]
        for name, value, max_age in result.cookies:
            out = SimpleCookie()
            out[name] = value
            morsel = out[name]
            morsel["path"], morsel["httponly"], morsel["samesite"] = "/", True, "Lax"
            if max_age:
                morsel["max-age"] = max_age
            headers.append(("Set-Cookie", morsel.OutputString()))
        headers.append(("Content-Length", str(len(result.body))))
        start_response(f"{result.status} {REASONS.get(result.status, '')}", headers)
        return [result.body]

    return application
