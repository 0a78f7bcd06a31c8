"""The waiting-room pages. These views touch Redis only: no database query, no session
(the visitor id is a signed cookie), so joining and polling cost almost nothing."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from sales import waiting_room

VISITOR_COOKIE = "wr_visitor"
VISITOR_SALT = "sales.waiting_room.visitor"
PASS_COOKIE = "wr_pass_{}"


def queue(request, pk: int):
    visitor = request.get_signed_cookie(VISITOR_COOKIE, default=None, salt=VISITOR_SALT)
    fresh = visitor is None
    if fresh:
        if waiting_room.rate_limited("join", waiting_room.client_ip(request), limit=60):
            return HttpResponse("Too many attempts from your network; wait a minute.", status=429)
        visitor = waiting_room.new_visitor()
    place = waiting_room.status(pk, visitor)
    shop_url = reverse("shop:performance", args=[pk])
    if place.state == "admitted":
        response = redirect(shop_url)
        if request.htmx:
            response = HttpResponse(status=204, headers={"HX-Redirect": shop_url})
        response.set_cookie(PASS_COOKIE.format(pk), waiting_room.issue_pass(pk, visitor),
                            httponly=True, samesite="Lax", max_age=waiting_room.config(pk).ttl
                            if waiting_room.config(pk) else None)
    else:
        template = "shop/queue.html#status" if request.htmx else "shop/queue.html"
        response = render(request, template, {"place": place, "pk": pk, "percent": round(place.progress * 100)})
    if fresh:
        response.set_signed_cookie(VISITOR_COOKIE, visitor, salt=VISITOR_SALT, httponly=True,
                                   samesite="Lax", max_age=7 * 24 * 3600)
    return response


def pass_ok(request, pk: int, binding: str) -> bool:
    return waiting_room.check_pass(pk, request.COOKIES.get(PASS_COOKIE.format(pk)), binding)
