"""An invoice as a PDF (reportlab): seller, buyer, number and date, lines, total."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .models import Invoice


def invoice_pdf(invoice: Invoice) -> bytes:
    styles = getSampleStyleSheet()
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Invoice {invoice.display_number}",
        author=settings.INVOICE_SELLER.splitlines()[0],
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
    )

    def text(value: str, style: str = "Normal") -> Paragraph:
        return Paragraph(escape(value).replace("\n", "<br/>"), styles[style])

    def money(value) -> str:
        return f"{Decimal(str(value)):,.2f} {invoice.currency}"

    rows = [["Description", "Quantity", "Unit price", "Amount"]]
    for line in invoice.lines:
        rows.append(
            [
                text(str(line["description"])),
                str(line["quantity"]),
                money(line["unit_amount"]),
                money(line["amount"]),
            ]
        )
    rows.append(["", "", "Total", money(invoice.total)])
    table = Table(rows, colWidths=[85 * mm, 20 * mm, 30 * mm, 35 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    paid = invoice.transaction
    provider = paid.get_provider_display().split(" (")[0]
    story = [
        text(f"Invoice {invoice.display_number}", "Title"),
        text(settings.INVOICE_SELLER),
        Spacer(1, 6 * mm),
        text(f"Billed to: {invoice.billing_name}\n{invoice.billing_email}"),
        text(f"Issued: {invoice.issued_at:%d %B %Y}"),
        text(f"Paid with {provider}, reference {paid.provider_payment_id or paid.pk}"),
        Spacer(1, 8 * mm),
        table,
    ]
    document.build(story)
    return buffer.getvalue()
