"""Fonts for the PDFs the platform generates (certificates, dossier documents).

DejaVu Sans when the system has it (accents, Arabic-script names' Latin
transliterations, "•", "☐"), else ReportLab's built-in Helvetica. The
Docker image and CI install fonts-dejavu-core.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str


@cache
def pdf_fonts() -> Fonts:
    regular, bold = DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
        # So that <b> inside a Paragraph picks the bold face.
        pdfmetrics.registerFontFamily(
            "DejaVuSans", normal="DejaVuSans", bold="DejaVuSans-Bold", italic="DejaVuSans", boldItalic="DejaVuSans-Bold"
        )
        return Fonts("DejaVuSans", "DejaVuSans-Bold")
    return Fonts("Helvetica", "Helvetica-Bold")
