"""Checks a :class:`GenerationRequest` against a backend's :class:`Capabilities`.

Validation is strict: a backend never silently changes the duration or size
a lab asked for, because the grader then measures a different video than
the one the learner was promised. Lab authors pick supported values, helped
by :func:`nearest_supported`, which proposes the closest request a backend
can serve.

Decisions worth knowing:

- A non-empty negative prompt sent to a backend without negative prompts is
  rejected, not dropped: dropping it would silently discard text the learner
  wrote. Forms should hide the field when ``supports_negative_prompt`` is
  false; :func:`nearest_supported` removes it.
- A seed sent to a backend without seeds is ignored: it is a reproducibility
  hint, not content, and the backend simply cannot honour it.
- Line breaks from HTML forms arrive as CRLF, so "\\r" is accepted when it is
  followed by "\\n"; any other control character is rejected, as are the
  Unicode bidirectional embedding/override/isolate controls (U+202A-U+202E,
  U+2066-U+2069) that can make a prompt read differently from what the
  provider receives. The directional marks LRM/RLM/ALM and the zero-width
  joiners stay allowed: Arabic and emoji text needs them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from academy.validators import find_control_character
from labs.backends.base import Capabilities, GenerationRequest, UnsupportedRequest

#: The app-wide prompt limit, whatever a provider would accept.
APP_MAX_PROMPT_CHARS = 4000

_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_DURATION_TOLERANCE_S = 0.01


def _interpolate(message: Any, params: dict[str, Any]) -> str:
    return str(message) % params


# Formats in the language active when the message is displayed, not when raised.
_lazy_interpolate: Callable[..., str] = lazy(_interpolate, str)


def _problem(code: str, message: Any, **params: Any) -> UnsupportedRequest:
    return UnsupportedRequest(_lazy_interpolate(message, params) if params else message, code=code)


def _seconds(value: float) -> str:
    return f"{value:g}"


def _allowed_list(values: Any) -> str:
    return ", ".join(values)


def find_forbidden_character(text: str) -> str | None:
    """The first control (academy.validators' rule), bidi-override or lone carriage return in ``text``, or None."""
    for index, char in enumerate(text):
        if char in _BIDI_CONTROLS or (char == "\r" and text[index + 1 : index + 2] != "\n"):
            return char
        if find_control_character(char) is not None:
            return char
    return None


def check_request(request: GenerationRequest, capabilities: Capabilities) -> list[UnsupportedRequest]:
    """Every reason ``capabilities`` cannot serve ``request`` (empty when it can)."""
    problems: list[UnsupportedRequest] = []
    problems.extend(_check_prompt(request, capabilities))
    problems.extend(_check_duration(request, capabilities))
    problems.extend(_check_size(request, capabilities))
    if request.fps not in capabilities.fps:
        problems.append(
            _problem(
                "fps",
                _("Cadence de %(fps)s images/s non prise en charge. Cadences possibles : %(allowed)s."),
                fps=request.fps,
                allowed=_allowed_list(str(fps) for fps in capabilities.fps),
            )
        )
    if request.negative_prompt.strip() and not capabilities.supports_negative_prompt:
        problems.append(
            _problem(
                "negative_prompt",
                _(
                    "Ce moteur ne prend pas en charge le prompt négatif. Retirez-le ou décrivez ce que vous voulez voir."
                ),
            )
        )
    if request.tier not in capabilities.tiers:
        problems.append(
            _problem(
                "tier",
                _("Niveau de qualité « %(tier)s » non proposé. Niveaux possibles : %(allowed)s."),
                tier=request.tier,
                allowed=_allowed_list(capabilities.tiers),
            )
        )
    return problems


def validate_request(request: GenerationRequest, capabilities: Capabilities) -> None:
    """Raise :class:`UnsupportedRequest` for the first thing ``capabilities`` cannot serve."""
    problems = check_request(request, capabilities)
    if problems:
        raise problems[0]


def _check_prompt(request: GenerationRequest, capabilities: Capabilities) -> list[UnsupportedRequest]:
    prompt = request.prompt
    if not prompt.strip():
        return [_problem("prompt_empty", _("Le prompt est vide. Décrivez la scène à générer."))]
    problems = []
    limit = min(capabilities.max_prompt_chars, APP_MAX_PROMPT_CHARS)
    if len(prompt) > limit:
        problems.append(
            _problem(
                "prompt_too_long",
                _("Le prompt fait %(length)s caractères ; ce moteur en accepte au plus %(limit)s."),
                length=len(prompt),
                limit=limit,
            )
        )
    forbidden = find_forbidden_character(prompt) or find_forbidden_character(request.negative_prompt)
    if forbidden is not None:
        problems.append(
            _problem(
                "prompt_control_characters",
                _(
                    "Le prompt contient un caractère de contrôle invisible (U+%(codepoint)s). "
                    "Seuls le texte, les retours à la ligne et les tabulations sont acceptés."
                ),
                codepoint=f"{ord(forbidden):04X}",
            )
        )
    return problems


def _check_duration(request: GenerationRequest, capabilities: Capabilities) -> list[UnsupportedRequest]:
    duration = request.duration_s
    if capabilities.durations is not None:
        if any(math.isclose(duration, d, abs_tol=_DURATION_TOLERANCE_S) for d in capabilities.durations):
            return []
        return [
            _problem(
                "duration",
                _("Durée de %(duration)s s non prise en charge. Durées possibles : %(allowed)s s."),
                duration=_seconds(duration),
                allowed=_allowed_list(_seconds(d) for d in capabilities.durations),
            )
        ]
    if capabilities.min_duration_s <= duration <= capabilities.max_duration_s:
        return []
    return [
        _problem(
            "duration",
            _("Durée de %(duration)s s non prise en charge. Durée possible : de %(min)s à %(max)s s."),
            duration=_seconds(duration),
            min=_seconds(capabilities.min_duration_s),
            max=_seconds(capabilities.max_duration_s),
        )
    ]


def _check_size(request: GenerationRequest, capabilities: Capabilities) -> list[UnsupportedRequest]:
    width, height = request.width, request.height
    if capabilities.sizes is not None:
        if (width, height) in capabilities.sizes:
            return []
        return [
            _problem(
                "size",
                _("Format %(size)s non pris en charge. Formats possibles : %(allowed)s."),
                size=request.size,
                allowed=_allowed_list(f"{w}x{h}" for w, h in capabilities.sizes),
            )
        ]
    if width <= 0 or height <= 0:
        return [_problem("size", _("Format %(size)s invalide."), size=request.size)]
    if width * height > capabilities.max_pixels:
        return [
            _problem(
                "size",
                _("Format %(size)s trop grand : au plus %(max_pixels)s pixels par image."),
                size=request.size,
                max_pixels=capabilities.max_pixels,
            )
        ]
    return []


def nearest_supported(request: GenerationRequest, capabilities: Capabilities) -> GenerationRequest:
    """The closest request ``capabilities`` can serve, for a lab form to suggest.

    Keeps the prompt untouched (only its author can shorten it), keeps the
    aspect ratio as far as possible and then the pixel count.
    """
    width, height = _nearest_size(request.width, request.height, capabilities)
    return dataclasses.replace(
        request,
        duration_s=_nearest_duration(request.duration_s, capabilities),
        width=width,
        height=height,
        fps=min(capabilities.fps, key=lambda fps: (abs(fps - request.fps), fps)),
        negative_prompt=request.negative_prompt if capabilities.supports_negative_prompt else "",
        seed=request.seed if capabilities.supports_seed else None,
        tier=request.tier if request.tier in capabilities.tiers else capabilities.tiers[0],
    )


def _nearest_duration(duration: float, capabilities: Capabilities) -> float:
    if capabilities.durations is not None:
        return min(capabilities.durations, key=lambda d: (abs(d - duration), d))
    return min(max(duration, capabilities.min_duration_s), capabilities.max_duration_s)


def _nearest_size(width: int, height: int, capabilities: Capabilities) -> tuple[int, int]:
    width, height = max(width, 1), max(height, 1)
    if capabilities.sizes is not None:
        ratio, pixels = math.log(width / height), width * height

        def distance(size: tuple[int, int]) -> tuple[float, float]:
            w, h = size
            return (round(abs(math.log(w / h) - ratio), 3), abs(math.log(w * h / pixels)))

        return min(capabilities.sizes, key=distance)
    if width * height <= capabilities.max_pixels:
        return width, height
    # Scale down keeping the aspect ratio; codecs want even dimensions.
    scale = math.sqrt(capabilities.max_pixels / (width * height))
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)
