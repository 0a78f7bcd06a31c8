from django import template
from django.utils.safestring import mark_safe

from sales.seatmap import section_svg, sections_of, stage_point, venue_box

register = template.Library()


@register.simple_tag(takes_context=True)
def seat_map(context) -> dict:
    """The overview of a performance's sections and which one is open. With a `section_url`
    in the context (the shop) the open section is fetched from it, compressed; otherwise (the
    staff screens) it is drawn into the page."""
    if context.get("overview"):  # counted by the database (the shop)
        sections, box = context["overview"]
    else:  # drawn from the seats the staff screens pass
        sections = sections_of(context.get("seats") or [])
        box = venue_box(sections) if sections else {}
    if not sections:
        return {}
    request = context.get("request")
    query = request.GET.copy() if request is not None else None
    if query is not None and context.get("section_url"):
        query.pop("picked", None)  # the shop's picks came with the page once (a language switch), not with each link
    wanted = query.get("section") if query is not None else None
    open_section = next((s for s in sections if str(s.id) == wanted), None)
    if open_section is None and len(sections) == 1:
        open_section = sections[0]
    zone_colors = context.get("zone_colors") or {}
    section_prices = context.get("section_prices") or {}
    links = []
    for section in sections:
        href = ""
        if query is not None:
            query["section"] = section.id
            href = "?" + query.urlencode()
        color = getattr(section, "color", "") or (
            zone_colors.get(section.seats[0]["price_zone_id"], "") if getattr(section, "seats", None) else "")
        # A staff map's sections priced as its door's lists price them (section_prices).
        links.append({"section": section, "href": href, "color": color or "#9ca3af",
                      "sold_out": not section.available,
                      "price_range": section_prices.get(section.id, section.price_range)})
    svg = None
    if open_section is not None and not context.get("section_url"):
        svg = mark_safe(section_svg(open_section, context.get("zone_colors") or {},  # noqa: S308 - built with escape()
                                    context.get("zone_prices"), stage_point(box)))
    return {"sections": links, "open": open_section, "svg": svg, "box": box,
            "picked_names": picked_names(sections, context.get("repick") or "")}


def picked_names(sections: list, repick: str) -> dict:
    """The seats picked before a staff map opened another section, each named as the map
    names a seat it draws ("Stalls A-3"): those of the sections not drawn on this page are
    named too. The shop's overview has no seats to name them from."""
    wanted = set(repick.split(",")) - {""}
    if not wanted:
        return {}
    return {str(s["pk"]): f'{section.name} {s["seat__row"]}-{s["seat__number"]}'
            for section in sections for s in getattr(section, "seats", None) or [] if str(s["pk"]) in wanted}
