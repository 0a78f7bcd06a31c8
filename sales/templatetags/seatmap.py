from django import template
from django.utils.safestring import mark_safe

from sales.seatmap import section_svg, sections_of, venue_box

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
    wanted = query.get("section") if query is not None else None
    open_section = next((s for s in sections if str(s.id) == wanted), None)
    if open_section is None and len(sections) == 1:
        open_section = sections[0]
    links = []
    for section in sections:
        href = ""
        if query is not None:
            query["section"] = section.id
            href = "?" + query.urlencode()
        links.append({"section": section, "href": href})
    svg = None
    if open_section is not None and not context.get("section_url"):
        svg = mark_safe(section_svg(open_section, context.get("zone_colors") or {}, context.get("zone_prices")))  # noqa: S308 - built with escape()
    return {"sections": links, "open": open_section, "svg": svg, "box": box}
