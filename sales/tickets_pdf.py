"""The tickets of an order as a PDF: one ticket per page, with its QR code."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A6, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from .formatting import at_venue
from .models import Order
from .tickets import ticket_qr


def order_pdf(order: Order, tickets=None) -> bytes:
    """`tickets`: the order's valid tickets with their places, when the caller has them."""
    buf = BytesIO()
    width, height = landscape(A6)
    pdf = canvas.Canvas(buf, pagesize=(width, height))
    pdf.setTitle(_("Tickets %(code)s") % {"code": order.code})
    perf = order.performance
    when = at_venue(perf.starts_at, perf).strftime("%Y-%m-%d %H:%M")
    if tickets is None:
        tickets = order.tickets.select_related("place__seat", "place__section").filter(status="valid")
    for ticket in tickets:
        pdf.setFont("Helvetica-Bold", 14)
        pdf.drawString(10 * mm, height - 14 * mm, perf.event.title[:48])
        pdf.setFont("Helvetica", 10)
        pdf.drawString(10 * mm, height - 21 * mm, f"{perf.venue.name} — {when}")
        pdf.setFont("Helvetica-Bold", 12)
        pdf.drawString(10 * mm, height - 32 * mm, str(ticket.place))
        pdf.setFont("Helvetica", 10)
        pdf.drawString(10 * mm, height - 39 * mm, f"{ticket.price_zone_name} — {ticket.price} {order.currency}")
        pdf.drawString(10 * mm, height - 46 * mm,
                       _("Order %(code)s — %(name)s") % {"code": order.code, "name": order.customer.name})
        pdf.setFont("Courier", 7)
        pdf.drawString(10 * mm, 10 * mm, ticket.code)
        size = 55 * mm
        _draw_qr(pdf, ticket.code, width - size - 6 * mm, (height - size) / 2, size)
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def _draw_qr(pdf: canvas.Canvas, data: str, x: float, y: float, size: float) -> None:
    """The QR code (segno, as on the order page) as one filled path: a rectangle per run
    of dark modules in a row, with the quiet zone around it."""
    matrix = ticket_qr(data).matrix
    border = 4
    module = size / (len(matrix) + 2 * border)
    path = pdf.beginPath()
    for r, row in enumerate(matrix):
        top = y + size - (r + border + 1) * module
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                path.rect(x + (start + border) * module, top, (c - start) * module, module)
            else:
                c += 1
    pdf.drawPath(path, stroke=0, fill=1)
