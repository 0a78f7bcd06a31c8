"""A draw's public page (no sign-in): its commitment, then its seed, its entry list and
each entry's rank by reference; and the two files anyone can check it from."""

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from sales import draws
from sales.models import Draw

SUBJECTS = {"opening": ("waiting_room__performance_id", "shop:draw"),
            "ballot": ("ballot_id", "shop:ballot-draw")}


def _draw(subject: str, pk: int, *, files: bool = False) -> Draw:
    lookup, _name = SUBJECTS[subject]
    found = Draw.objects.select_related("waiting_room__performance__event", "ballot__performance__event",
                                        "waiting_room__performance__venue", "ballot__performance__venue",
                                        "ballot__zone")
    found = found.defer("ranked") if files else found.defer("entries", "ranked")
    draw = found.filter(**{lookup: pk}).first()
    if draw is None:
        raise Http404(_("There is no draw here."))
    return draw


def _lookup(draw: Draw, typed: str) -> dict:
    """What the page says about the reference someone typed."""
    reference = draws.normalize_reference(typed)
    if reference is None:
        return {"error": _("This is not an entry reference: it has 12 letters and digits, such as 7K2M-Q9XD-4HWA.")}
    hashed = draws.hashed_reference(reference)
    found = {"reference": draws.format_reference(reference), "hashed": hashed}
    if draw.drawn_at is not None:
        found["rank"] = draws.rank_of(draw, hashed)
        found["listed"] = found["rank"] is not None
    elif draw.frozen_at is not None:
        found["listed"] = draws.is_listed(draw, hashed)
    return found


def page(request, pk: int, subject: str):
    draw = _draw(subject, pk)
    typed = request.GET.get("reference", "").strip()
    found = _lookup(draw, typed) if typed else None
    name = SUBJECTS[subject][1]
    performance = (draw.waiting_room or draw.ballot).performance
    context = {"draw": draw, "subject": subject, "performance": performance, "ballot": draw.ballot,
               "found": found, "typed": typed, "algorithm": draws.ALGORITHM,
               "data_url": reverse(f"{name}-data", args=[pk]), "entries_url": reverse(f"{name}-entries", args=[pk]),
               "verifier_text": _verifier_text()}
    return render(request, "shop/draw.html", context, status=400 if found and "error" in found else 200)


def data(request, pk: int, subject: str):
    response = JsonResponse(draws.published(_draw(subject, pk)))
    response["Access-Control-Allow-Origin"] = "*"  # anyone's checker may read what is public
    return response


def entries(request, pk: int, subject: str):
    draw = _draw(subject, pk, files=True)
    if draw.frozen_at is None:
        raise Http404(_("The entries are not frozen yet."))
    response = HttpResponse(draws.published_listing(draw), content_type="text/plain; charset=us-ascii")
    response["Content-Disposition"] = f'inline; filename="draw-{draw.pk}-entries.txt"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _verifier_text() -> dict:
    """The browser check's sentences, in the page's language ({…} filled in by the script)."""
    return {
        "working": _("Checking in your browser…"),
        "seed_ok": _("The revealed seed matches the commitment published before the draw."),
        "seed_bad": _("The revealed seed does NOT match its commitment."),
        "list_ok": _("The entry list matches the hash and count published when the entries froze ({count} entries)."),
        "list_bad": _("The entry list does NOT match its published hash or count."),
        "rank": _("Your browser ranks {reference} at {rank} of {count}."),
        "absent": _("{reference} is not in this entry list."),
        "bad_reference": _("This is not an entry reference."),
        "unsupported": _("This browser cannot compute SHA-256 here (it needs a secure connection)."),
        "failed": _("The draw's files could not be read."),
    }
