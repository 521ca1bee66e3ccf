"""How the video measurements of an attempt read on the trainer's review page.

``MEASUREMENTS`` is the one place mapping each key of ``result["metrics"]`` (see
``labs.grading.video_analysis.VideoMetrics.to_dict``) to a translated label and a formatter that adds
the unit. A key missing from the table still shows: its name humanised, its value formatted by type.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.template.defaultfilters import floatformat
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from labs.grading.colours import COLOUR_KEYS, colour_name

# Display colour of each analysis colour key: a typical pixel of its band.
SWATCH_HEX: dict[str, str] = {
    "black": "#111111",
    "white": "#f5f5f5",
    "grey": "#8a8a8a",
    "cream": "#f3e5c0",
    "pink": "#f4a6c0",
    "brown": "#7b4a24",
    "red": "#d32f2f",
    "orange": "#f57c00",
    "amber": "#ffb300",
    "yellow": "#fdd835",
    "green": "#388e3c",
    "cyan": "#00acc1",
    "blue": "#1e60c8",
    "purple": "#8e24aa",
}
# Colours under this share of the image are left out of the « Couleurs mesurées » row.
MIN_SHOWN_FRACTION = 0.005
EMPTY = "—"


@dataclass(frozen=True)
class Swatch:
    name: str
    hex: str
    share: str = ""


@dataclass(frozen=True)
class MeasurementRow:
    key: str
    label: str
    text: str
    swatches: tuple[Swatch, ...] = ()


Formatter = Callable[[Any], "str | tuple[Swatch, ...]"]


def number(value: Any, digits: int = 2) -> str:
    """Localised, at most ``digits`` decimals, no trailing zeros (« 24 », « 23,98 »)."""
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return yes_no(value)
    try:
        return floatformat(float(value), f"-{digits}g" if digits else "0g")
    except (TypeError, ValueError):
        return str(value)


def integer(value: Any) -> str:
    if value is None:
        return EMPTY
    try:
        return number(int(value), 0)
    except (TypeError, ValueError):
        return str(value)


def with_unit(unit: str, digits: int = 2) -> Formatter:
    def format_value(value: Any) -> str:
        if value is None:
            return EMPTY
        # Translators: a measured value and its unit, e.g. "2,5 s"; keep the non-breaking space.
        return _("%(value)s %(unit)s") % {"value": number(value, digits), "unit": unit}

    return format_value


def percent(value: Any, digits: int = 1) -> str:
    """A 0..1 share as a percentage."""
    if value is None:
        return EMPTY
    try:
        share = 100 * float(value)
    except (TypeError, ValueError):
        return str(value)
    return _("%(value)s %%") % {"value": number(share, digits)}


def yes_no(value: Any) -> str:
    if value is None:
        return EMPTY
    return _("Oui") if value else _("Non")


def seconds_list(value: Any) -> str:
    if not value:
        return EMPTY
    seconds = with_unit("s", 1)
    return ", ".join(seconds(item) for item in value)


def _colour_label(key: str) -> str:
    if key in COLOUR_KEYS:
        return colour_name(key, get_language() or "fr")
    return humanise(key)


def swatch(key: str, share: str = "") -> Swatch:
    return Swatch(name=_colour_label(key), hex=SWATCH_HEX.get(key, ""), share=share)


def dominant_colours(value: Any) -> tuple[Swatch, ...] | str:
    if not value:
        return EMPTY
    return tuple(swatch(str(key)) for key in value)


def colour_fractions(value: Any) -> tuple[Swatch, ...] | str:
    if not isinstance(value, Mapping):
        return generic(value)
    shown = sorted(
        ((str(key), float(share)) for key, share in value.items() if _is_number(share) and share >= MIN_SHOWN_FRACTION),
        key=lambda item: -item[1],
    )
    if not shown:
        return EMPTY
    return tuple(swatch(key, percent(share, 0)) for key, share in shown)


def alignment(value: Any) -> str:
    """Prompt-video alignment: its score, then how each visible element of the prompt matched."""
    if not isinstance(value, Mapping):
        return generic(value)
    text = percent(value.get("score"), 0)
    elements = value.get("elements")
    if isinstance(elements, Mapping) and elements:
        # Translators: one element of the prompt and how well the video matches it, e.g. « un phare : 80 % ».
        parts = [_("%(label)s : %(value)s") % {"label": e, "value": percent(s, 0)} for e, s in elements.items()]
        text = f"{text} ({', '.join(parts)})"
    return text


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def generic(value: Any) -> str:
    """Any value a formatter does not know: readable, never a Python repr."""
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return yes_no(value)
    if _is_number(value):
        return number(value, 3)
    if isinstance(value, Mapping):
        if not value:
            return EMPTY
        return ", ".join(
            _("%(label)s : %(value)s") % {"label": humanise(str(key)), "value": generic(item)}
            for key, item in value.items()
        )
    if isinstance(value, list | tuple):
        return ", ".join(generic(item) for item in value) or EMPTY
    return str(value)


def humanise(key: str) -> str:
    return capfirst(key.replace("_", " ").strip())


@dataclass(frozen=True)
class Measurement:
    label: str
    format: Formatter


# In display order. Labels are lazy: the table is built once, read in the request's language.
MEASUREMENTS: dict[str, Measurement] = {
    "duration_s": Measurement(gettext_lazy("Durée"), with_unit("s", 2)),
    "fps": Measurement(gettext_lazy("Images/s"), with_unit("fps", 2)),
    "width": Measurement(gettext_lazy("Largeur"), with_unit("px", 0)),
    "height": Measurement(gettext_lazy("Hauteur"), with_unit("px", 0)),
    "codec": Measurement(gettext_lazy("Codec"), generic),
    "frame_count": Measurement(gettext_lazy("Images décodées"), integer),
    "sampled_frames": Measurement(gettext_lazy("Images analysées"), integer),
    "decode_errors": Measurement(gettext_lazy("Erreurs de décodage"), integer),
    "is_moving": Measurement(gettext_lazy("En mouvement"), yes_no),
    "dynamic_degree": Measurement(gettext_lazy("Part des paires en mouvement"), percent),
    "motion_magnitude": Measurement(gettext_lazy("Amplitude du mouvement"), lambda value: percent(value, 2)),
    "frozen": Measurement(gettext_lazy("Image figée"), yes_no),
    "flicker": Measurement(gettext_lazy("Scintillement (plans fixes)"), lambda value: number(value, 3)),
    "smoothness": Measurement(gettext_lazy("Fluidité"), lambda value: number(value, 3)),
    "scene_cuts": Measurement(gettext_lazy("Coupes"), integer),
    "cut_times_s": Measurement(gettext_lazy("Instants des coupes"), seconds_list),
    "brightness": Measurement(gettext_lazy("Luminosité"), percent),
    "contrast": Measurement(gettext_lazy("Contraste"), lambda value: number(value, 3)),
    "clipped_fraction": Measurement(gettext_lazy("Pixels écrêtés"), percent),
    "exposure_ok": Measurement(gettext_lazy("Exposition correcte"), yes_no),
    "sharpness": Measurement(gettext_lazy("Netteté"), lambda value: number(value, 1)),
    "dominant_colours": Measurement(gettext_lazy("Couleurs dominantes"), dominant_colours),
    "colour_fractions": Measurement(gettext_lazy("Couleurs mesurées"), colour_fractions),
    "alignment": Measurement(gettext_lazy("Fidélité au prompt"), alignment),
}


def measurement_rows(metrics: Mapping[str, Any] | None) -> list[MeasurementRow]:
    """The rows of the « Mesures de la vidéo » card: known keys in table order, then the others by name."""
    if not metrics:
        return []
    known = [key for key in MEASUREMENTS if key in metrics]
    others = sorted(key for key in metrics if key not in MEASUREMENTS)
    rows = []
    for key in known + others:
        measurement = MEASUREMENTS.get(key)
        label = str(measurement.label) if measurement else humanise(key)
        formatted = measurement.format(metrics[key]) if measurement else generic(metrics[key])
        if isinstance(formatted, tuple):
            rows.append(MeasurementRow(key=key, label=label, text="", swatches=formatted))
        else:
            rows.append(MeasurementRow(key=key, label=label, text=formatted))
    return rows
