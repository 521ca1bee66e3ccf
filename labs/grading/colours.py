"""Named colours shared by the video analysis and the rubric: HSV bands and FR/EN names.

Bands use OpenCV's 8-bit HSV (hue 0-179, saturation and value 0-255). Each pixel gets the *first*
band that matches, in table order, so the area fractions of one frame never sum above 1: dark and
greyish pixels are claimed by black/white/grey before any hue band, pale and dark warm tones by
cream/pink/brown before red/orange. Chromatic bands need S > 80 and V > 50 (the research notes' mask);
hues follow the notes (red 0-10 and 170-179, orange 10-25, yellow 25-35, green 35-85, blue 100-130,
purple 130-160), with orange split at 20 so amber (40-50 degrees) has its own key, and cyan 85-100.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ColourBand:
    key: str
    fr: str
    en: str
    hue: tuple[tuple[int, int], ...]  # half-open [lo, hi) ranges on 0-180
    saturation: tuple[int, int]  # inclusive [lo, hi]
    value: tuple[int, int]  # inclusive [lo, hi]
    # Other words (FR/EN, accents optional) a brief may use for this colour.
    synonyms: tuple[str, ...] = ()


_ALL_HUES = ((0, 180),)
_CHROMA = (81, 255)
_LIT = (51, 255)

COLOUR_BANDS: tuple[ColourBand, ...] = (
    ColourBand("black", "noir", "black", _ALL_HUES, (0, 255), (0, 50), ("noire", "noirs", "noires")),
    ColourBand("white", "blanc", "white", _ALL_HUES, (0, 40), (200, 255), ("blanche", "blancs", "blanches")),
    ColourBand("grey", "gris", "grey", _ALL_HUES, (0, 40), (51, 199), ("grise", "grises", "gray", "argent", "silver")),
    ColourBand("cream", "crème", "cream", ((15, 35),), (41, 80), (190, 255), ("creme", "ivoire", "ivory", "beige")),
    ColourBand("pink", "rose", "pink", ((0, 10), (145, 180)), (41, 150), (150, 255), ("roses", "fuchsia")),
    ColourBand("brown", "marron", "brown", ((5, 25),), _CHROMA, (51, 150), ("brun", "brune", "bruns", "chocolat")),
    ColourBand(
        "red", "rouge", "red", ((0, 10), (170, 180)), _CHROMA, _LIT, ("rouges", "écarlate", "ecarlate", "bordeaux")
    ),
    ColourBand("orange", "orange", "orange", ((10, 18),), _CHROMA, _LIT, ("oranges", "orangé", "orangée", "orangee")),
    ColourBand(
        "amber",
        "ambre",
        "amber",
        # Amber and gold sit between orange (~30°) and yellow (~55°); warm light pulls them down.
        ((18, 26),),
        _CHROMA,
        _LIT,
        ("ambré", "ambrée", "ambree", "doré", "dorée", "gold", "golden"),
    ),
    ColourBand("yellow", "jaune", "yellow", ((26, 35),), _CHROMA, _LIT, ("jaunes",)),
    ColourBand(
        "green", "vert", "green", ((35, 85),), _CHROMA, _LIT, ("verte", "verts", "vertes", "émeraude", "emerald")
    ),
    ColourBand("cyan", "cyan", "cyan", ((85, 100),), _CHROMA, _LIT, ("turquoise", "teal", "sarcelle")),
    ColourBand(
        "blue", "bleu", "blue", ((100, 130),), _CHROMA, _LIT, ("bleue", "bleus", "bleues", "azur", "navy", "marine")
    ),
    ColourBand(
        "purple",
        "violet",
        "purple",
        ((130, 170),),
        _CHROMA,
        _LIT,
        ("violette", "violets", "violettes", "mauve", "magenta"),
    ),
)

COLOUR_KEYS: tuple[str, ...] = tuple(band.key for band in COLOUR_BANDS)
_BY_KEY = {band.key: band for band in COLOUR_BANDS}


def _fold(word: str) -> str:
    stripped = unicodedata.normalize("NFKD", word.strip().lower())
    return "".join(ch for ch in stripped if not unicodedata.combining(ch))


_BY_WORD: dict[str, str] = {}
for _band in COLOUR_BANDS:
    for _word in (_band.key, _band.fr, _band.en, *_band.synonyms):
        _BY_WORD.setdefault(_fold(_word), _band.key)


def colour_name(key: str, language: str) -> str:
    """Display name of a colour key: ``colour_name("amber", "fr") == "ambre"``. Unknown keys raise KeyError."""
    band = _BY_KEY[key]
    return band.fr if language.lower().startswith("fr") else band.en


def colour_key(word: str) -> str | None:
    """Colour key for a French or English word (accents and case ignored), e.g. "ambrée" -> "amber"."""
    return _BY_WORD.get(_fold(word))


def colour_fractions_of(hsv: np.ndarray) -> dict[str, float]:
    """Area fraction of each colour key in one HSV image (OpenCV 8-bit ranges)."""
    hue, sat, val = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    unclaimed = np.ones(hue.shape, dtype=bool)
    total = hue.size
    fractions: dict[str, float] = {}
    for band in COLOUR_BANDS:
        mask = unclaimed & (sat >= band.saturation[0]) & (sat <= band.saturation[1])
        mask &= (val >= band.value[0]) & (val <= band.value[1])
        if band.hue != _ALL_HUES:
            in_hue = np.zeros(hue.shape, dtype=bool)
            for lo, hi in band.hue:
                in_hue |= (hue >= lo) & (hue < hi)
            mask &= in_hue
        count = int(np.count_nonzero(mask))
        fractions[band.key] = count / total
        if count:
            unclaimed &= ~mask
    return fractions
