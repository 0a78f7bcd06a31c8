"""The tickets of an order as a PDF: one ticket per page, with its QR code."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A6, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from .models import Order


def order_pdf(order: Order) -> bytes:
    buf = BytesIO()
    width, height = landscape(A6)
    pdf = canvas.Canvas(buf, pagesize=(width, height))
    pdf.setTitle(f"Tickets {order.code}")
    perf = order.performance
    when = timezone.localtime(perf.starts_at).strftime("%Y-%m-%d %H:%M")
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
        pdf.drawString(10 * mm, height - 46 * mm, f"Order {order.code} — {order.customer.name}")
        pdf.setFont("Courier", 7)
        pdf.drawString(10 * mm, 10 * mm, ticket.code)
        qr = QrCodeWidget(ticket.code)
        x0, y0, x1, y1 = qr.getBounds()
        size = 55 * mm
        drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
        drawing.add(qr)
        renderPDF.draw(drawing, pdf, width - size - 6 * mm, (height - size) / 2)
        pdf.showPage()
    pdf.save()
    return buf.getvalue()
