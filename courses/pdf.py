"""The certificate of completion as a one-page A4 landscape PDF (ReportLab).

Written in the certificate's language, with a QR code that leads to the
public verification page.
"""

from __future__ import annotations

from io import BytesIO

import qrcode
from django.utils import translation
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from academy.pdf_fonts import pdf_fonts
from courses.formatting import hours_label
from courses.models import Certificate

BRAND = colors.HexColor("#1b2550")
ACCENT = colors.HexColor("#a63c16")
SOFT = colors.HexColor("#55534e")


def _qr_image(url: str) -> ImageReader:
    code = qrcode.QRCode(border=1, box_size=8, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    code.make(fit=True)
    buffer = BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    buffer.seek(0)
    return ImageReader(buffer)


def _fit(pdf: canvas.Canvas, text: str, font: str, size: float, max_width: float) -> float:
    """Shrink the font until a long name or title fits the line."""
    while size > 12 and pdf.stringWidth(text, font, size) > max_width:
        size -= 1
    return size


def certificate_pdf_bytes(certificate: Certificate, *, verify_url: str) -> bytes:
    with translation.override(certificate.language or "fr"):
        return _draw(certificate, verify_url)


def _draw(certificate: Certificate, verify_url: str) -> bytes:
    FONTS = pdf_fonts()  # noqa: N806 (reads like the constant it is)
    buffer = BytesIO()
    width, height = landscape(A4)
    # Uncompressed pages keep the code searchable in the file (and in tests).
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=0)
    title = _("Attestation de réussite")
    pdf.setTitle(f"{title} — {certificate.course_title} — {certificate.code}")
    pdf.setAuthor("Academy")
    pdf.setSubject(certificate.code)

    pdf.setStrokeColor(BRAND)
    pdf.setLineWidth(3)
    pdf.rect(1.2 * cm, 1.2 * cm, width - 2.4 * cm, height - 2.4 * cm)
    pdf.setStrokeColor(ACCENT)
    pdf.setLineWidth(1)
    pdf.rect(1.5 * cm, 1.5 * cm, width - 3 * cm, height - 3 * cm)

    center = width / 2
    max_text = width - 6 * cm
    pdf.setFillColor(BRAND)
    pdf.setFont(FONTS.bold, 14)
    pdf.drawCentredString(center, height - 3.2 * cm, "ACADEMY")
    pdf.setFont(FONTS.bold, 30)
    pdf.drawCentredString(center, height - 5 * cm, title)

    pdf.setFillColor(SOFT)
    pdf.setFont(FONTS.regular, 14)
    pdf.drawCentredString(center, height - 6.8 * cm, _("Nous attestons que"))
    pdf.setFillColor(colors.black)
    size = _fit(pdf, certificate.learner_name, FONTS.bold, 26, max_text)
    pdf.setFont(FONTS.bold, size)
    pdf.drawCentredString(center, height - 8.2 * cm, certificate.learner_name)
    pdf.setFillColor(SOFT)
    pdf.setFont(FONTS.regular, 14)
    pdf.drawCentredString(center, height - 9.5 * cm, _("a suivi avec succès la formation"))
    pdf.setFillColor(ACCENT)
    size = _fit(pdf, certificate.course_title, FONTS.bold, 22, max_text)
    pdf.setFont(FONTS.bold, size)
    pdf.drawCentredString(center, height - 10.9 * cm, certificate.course_title)

    hours = hours_label(certificate.hours)
    issued = date_format(localtime(certificate.issued_at), "DATE_FORMAT")
    pdf.setFillColor(colors.black)
    pdf.setFont(FONTS.regular, 13)
    pdf.drawCentredString(
        center,
        height - 12.4 * cm,
        _("Durée : %(hours)s — délivrée le %(date)s") % {"hours": hours, "date": issued},
    )

    qr_size = 3.6 * cm
    pdf.drawImage(_qr_image(verify_url), width - 2.2 * cm - qr_size, 2.2 * cm, qr_size, qr_size)
    pdf.setFont(FONTS.regular, 10)
    pdf.setFillColor(SOFT)
    pdf.drawString(2.4 * cm, 3.6 * cm, _("Code de vérification : %(code)s") % {"code": certificate.code})
    pdf.drawString(2.4 * cm, 3.0 * cm, _("Vérifier cette attestation :"))
    pdf.setFillColor(BRAND)
    pdf.drawString(2.4 * cm, 2.5 * cm, verify_url)
    pdf.linkURL(verify_url, (2.4 * cm, 2.3 * cm, 2.4 * cm + pdf.stringWidth(verify_url, FONTS.regular, 10), 2.9 * cm))

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
