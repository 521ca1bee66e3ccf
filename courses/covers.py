"""Course covers: the image a trainer uploads, checked like lesson images, or one generated from the title.

An uploaded cover goes through courses.images (size, format read from the
content, pixel bomb, re-encoding without metadata) and must be large enough to
fill a catalogue card. Without one, the cover is an SVG drawn from the title:
the same title always gives the same colours and shapes, no external asset.
"""

from __future__ import annotations

import hashlib
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from courses.images import validate_and_clean_image

MIN_COVER_WIDTH = 480
MIN_COVER_HEIGHT = 270


def validate_cover(uploaded_file: IO[bytes]) -> ContentFile:
    """A clean copy of an uploaded cover, or ValidationError with a message saying what to change."""
    cleaned, width, height, _format = validate_and_clean_image(uploaded_file)
    if width < MIN_COVER_WIDTH or height < MIN_COVER_HEIGHT:
        raise ValidationError(
            _(
                "Image trop petite (%(width)s × %(height)s pixels) : une couverture fait au moins "
                "%(min_width)s × %(min_height)s pixels, idéalement au format 16:9."
            ),
            code="cover_too_small",
            params={"width": width, "height": height, "min_width": MIN_COVER_WIDTH, "min_height": MIN_COVER_HEIGHT},
        )
    return cleaned


def _monogram(title: str) -> str:
    words = [word for word in title.split() if word[:1].isalnum()]
    return "".join(word[0] for word in words[:2]).upper() or "A"


def generated_cover_svg(title: str) -> str:
    """A 16:9 SVG cover for ``title``: a two-colour gradient, film frames and the title's initials."""
    digest = hashlib.sha256(title.strip().lower().encode()).digest()
    hue = digest[0] * 360 // 256
    second = (hue + 40 + digest[1] % 80) % 360
    circle_x, circle_y, radius = 360 + digest[2] % 240, 40 + digest[3] % 200, 90 + digest[4] % 110
    frames = "".join(
        f'<rect x="{24 + i * 64}" y="{(12, 324)[row]}" width="40" height="24" rx="4" fill="#fff" opacity=".18"/>'
        for row in (0, 1)
        for i in range(10)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 360" width="640" height="360" role="img">'
        '<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">'
        f'<stop offset="0" stop-color="hsl({hue},55%,30%)"/>'
        f'<stop offset="1" stop-color="hsl({second},60%,45%)"/>'
        "</linearGradient></defs>"
        '<rect width="640" height="360" fill="url(#g)"/>'
        f'<circle cx="{circle_x}" cy="{circle_y}" r="{radius}" fill="#fff" opacity=".12"/>'
        f"{frames}"
        '<path d="M520 150 L568 180 L520 210 Z" fill="#fff" opacity=".55"/>'
        '<text x="48" y="228" font-family="system-ui, sans-serif" font-size="120" font-weight="700" '
        f'fill="#fff" opacity=".9">{escape(_monogram(title))}</text>'
        "</svg>"
    )
