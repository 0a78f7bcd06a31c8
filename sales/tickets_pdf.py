"""The tickets of an order as a PDF: one ticket per page, with its QR code, then the
order's receipt, all in the buyer's language."""

from __future__ import annotations

from io import BytesIO

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A6, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from events.models import IN_FULL

from .formatting import at_venue, buyer_name, money, paid_with, when
from .models import Order
from .order_receipt import receipt_text
from .tickets import price_type_notes, ticket_qr


def order_pdf(order: Order, tickets=None, *, receipt: str | None = None) -> bytes:
    """`tickets`: the order's valid tickets with their places, and `receipt`: its
    receipt_text, when the caller has them."""
    with translation.override(order.language or None):
        return _order_pdf(order, tickets, receipt)


def _order_pdf(order: Order, tickets, receipt: str | None) -> bytes:
    buf = BytesIO()
    width, height = landscape(A6)
    pdf = canvas.Canvas(buf, pagesize=(width, height))
    pdf.setTitle(_("Tickets %(code)s") % {"code": order.code})
    perf = order.performance
    starts = when(at_venue(perf.starts_at, perf), IN_FULL).translate(_PRINTABLE)  # as the shop's pages
    # Where to go and when the doors open, as the door and the buyer's map need them.
    where = ", ".join(filter(None, (perf.venue.name, perf.venue.address))).translate(_PRINTABLE)
    doors = f'{_("Doors open")} {when(at_venue(perf.doors_open_at, perf), "H:i")}' if perf.doors_open_at else ""
    size = 55 * mm  # the QR code's, on the right; the text keeps to the left of it
    column = width - size - 6 * mm - 14 * mm
    if tickets is None:
        tickets = order.tickets.select_related("place__seat", "place__section").filter(status="valid")
    notes = price_type_notes(perf.pk)
    # The show's title across the page, whole: wrapped, in a smaller size if it takes more
    # than three lines; what is under it moves down by the lines it took, the QR code too.
    title = perf.event.title.translate(_PRINTABLE)
    title_size = next((s for s in TITLE_SIZES if len(simpleSplit(title, "Helvetica-Bold", s, width - 20 * mm))
                       <= _title_lines(s)), TITLE_SIZES[-1])
    for ticket in tickets:
        below = height - 14 * mm - _lines(pdf, title, "Helvetica-Bold", title_size, height - 14 * mm,
                                          width - 20 * mm, _title_lines(title_size))
        pdf.setFont("Helvetica", 10)
        pdf.drawString(10 * mm, height - 21 * mm - below, " — ".join(filter(None, (starts, doors))))
        pdf.setFont("Helvetica", 8)
        for i, line in enumerate(simpleSplit(where, "Helvetica", 8, column)[:2]):
            pdf.drawString(10 * mm, height - (26 + 4 * i) * mm - below, line)
        # Beside the QR code, each line kept to the column left of it (a long name wraps).
        y = _lines(pdf, str(ticket.place), "Helvetica-Bold", 12, height - 40 * mm - below, column, 2)
        # The price type too (Child, Senior): the door checks who may use it.
        price = " ".join(filter(None, (money(ticket.price, order.currency), paid_with(ticket))))
        kind = " — ".join(filter(None, (ticket.price_zone_name, ticket.price_type_name, price)))
        y = _lines(pdf, kind.translate(_PRINTABLE), "Helvetica", 10, y - 7 * mm, column, 2)
        if notes.get(ticket.price_type_name):  # what the door will ask to see
            y = _lines(pdf, notes[ticket.price_type_name].translate(_PRINTABLE), "Helvetica-Oblique", 9,
                       y - 5 * mm, column, 2)
        _lines(pdf, _("Order %(code)s — %(name)s") % {"code": order.code, "name": buyer_name(order)},
               "Helvetica", 10, y - 7 * mm, column, 3)
        pdf.setFont("Courier", 7)
        pdf.drawString(10 * mm, 10 * mm, ticket.code)
        _draw_qr(pdf, ticket.code, width - size - 6 * mm, (height - size) / 2 - below, size)
        pdf.showPage()
    _draw_receipt(pdf, receipt_text(order, tickets) if receipt is None else receipt, width, height)
    pdf.save()
    return buf.getvalue()


# The sizes a show's title is printed in, the largest its lines fit in (_title_lines): the
# 200 characters a title may have fit in the smallest. Below them, every line moves down by
# at most two lines of the largest size (12 mm), which the ticket keeps free at its foot.
TITLE_SIZES = (14, 12, 10, 9)


def _title_lines(size: float) -> int:
    return int(1 + 2 * 14 / size)


# The PDF's standard fonts know the Windows-1252 characters only: the narrow no-break
# space of French amounts becomes a no-break space (printed as a space, never broken
# across lines), the minus sign a hyphen.
_PRINTABLE = str.maketrans({"\u202f": "\u00a0", "\u2212": "-"})


def _lines(pdf: canvas.Canvas, text: str, font: str, size: float, y: float, width: float, most: int) -> float:
    """`text` from the left margin down from `y`, wrapped to `width`, in at most `most`
    lines (the last cut short with an ellipsis); the baseline of the last line drawn."""
    parts = []
    for part in simpleSplit(text, font, size, width) or [""]:
        while pdf.stringWidth(part, font, size) > width:  # a word wider than the column: cut it
            cut = next(i for i in range(len(part), 0, -1) if pdf.stringWidth(part[:i], font, size) <= width)
            parts.append(part[:cut])
            part = part[cut:]
        parts.append(part)
    if len(parts) > most:
        parts = parts[:most]
        while parts[-1] and pdf.stringWidth(parts[-1] + "…", font, size) > width:
            parts[-1] = parts[-1][:-1]
        parts[-1] += "…"
    pdf.setFont(font, size)
    step = size * 1.25
    for i, part in enumerate(parts):
        pdf.drawString(10 * mm, y - i * step, part)
    return y - (len(parts) - 1) * step


def _draw_receipt(pdf: canvas.Canvas, text: str, width: float, height: float) -> None:
    """The receipt's lines (its `text` partial), its first line as the title, on as many
    pages as they take; an indented line is drawn indented, and a line too long for the
    page goes on below, indented."""
    if not text:
        return
    title, *lines = text.translate(_PRINTABLE).splitlines()
    margin, step, size, indent = 10 * mm, 4.4 * mm, 9, 6 * mm
    y = height - 14 * mm
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawString(margin, y, title)
    y -= 2 * step
    for line in lines:
        x = margin + (indent if line[:1].isspace() else 0)
        for i, part in enumerate(simpleSplit(line.strip(), "Helvetica", size, width - margin - x - indent)):
            if y < margin:
                pdf.showPage()
                y = height - 14 * mm
            pdf.setFont("Helvetica", size)
            pdf.drawString(x + (indent if i else 0), y, part)
            y -= step
    pdf.showPage()


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
