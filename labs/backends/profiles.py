"""What the aggregator backends (fal, Replicate, Luma) need to know about one model's input.

These providers take an ``aspect_ratio`` and a named ``resolution`` rather
than pixels, a duration from a short list, and — for the aggregators — an
input schema that differs per model. A :class:`ModelProfile` records that
for one family of models; OPTIONS may override the lists for any other.

A resolution names the short side: 720p is 1280x720 in landscape, 720x1280
in portrait and 720x720 square.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from labs.backends.base import Capabilities, GenerationRequest
from labs.backends.http import HostedBackend

_RATIOS = {
    "16:9": (16, 9),
    "9:16": (9, 16),
    "1:1": (1, 1),
    "4:3": (4, 3),
    "3:4": (3, 4),
    "21:9": (21, 9),
    "9:21": (9, 21),
}


def frame_size(aspect_ratio: str, short_side: int) -> tuple[int, int]:
    """Pixels for ``aspect_ratio`` at a resolution whose short side is ``short_side``; both sides even."""
    w, h = _RATIOS[aspect_ratio]
    if w >= h:
        return _even(short_side * w / h), short_side
    return short_side, _even(short_side * h / w)


def _even(value: float) -> int:
    return int(round(value / 2) * 2)


def sizes_for(aspect_ratios: Iterable[str], short_sides: Iterable[int]) -> dict[tuple[int, int], tuple[str, int]]:
    """``{(width, height): (aspect_ratio, short_side)}`` for every combination, for Capabilities.sizes."""
    sides = tuple(short_sides)
    return {frame_size(ratio, side): (ratio, side) for ratio in aspect_ratios for side in sides}


@dataclass(frozen=True)
class ModelProfile:
    """How one family of hosted video models takes its input."""

    durations: tuple[int, ...]
    aspect_ratios: tuple[str, ...] = ("16:9", "9:16", "1:1")
    resolutions: tuple[int, ...] = (720,)  # short sides the model renders (720 = 720p)
    #: How the duration is sent: "{seconds}" (a string "5"), "{seconds}s" ("8s"), "int" (5), "" (not sent).
    duration_format: str = "{seconds}"
    send_aspect_ratio: bool = True
    send_resolution: bool = False
    supports_seed: bool = False
    supports_negative_prompt: bool = False
    price_per_second: str | None = None  # USD list price noted when this was written; override per deployment

    @property
    def sizes(self) -> dict[tuple[int, int], tuple[str, int]]:
        return sizes_for(self.aspect_ratios, self.resolutions)

    def duration_value(self, seconds: float) -> Any:
        if self.duration_format == "int":
            return round(seconds)
        return self.duration_format.format(seconds=round(seconds))

    def input_for(
        self, *, prompt: str, width: int, height: int, duration_s: float, seed: int | None, negative_prompt: str
    ) -> dict[str, Any]:
        """The model input for a request already validated against :meth:`capabilities`."""
        aspect_ratio, short_side = self.sizes[(width, height)]
        body: dict[str, Any] = {"prompt": prompt}
        if self.send_aspect_ratio:
            body["aspect_ratio"] = aspect_ratio
        if self.duration_format:
            body["duration"] = self.duration_value(duration_s)
        if self.send_resolution:
            body["resolution"] = f"{short_side}p"
        if seed is not None and self.supports_seed:
            body["seed"] = seed
        if negative_prompt.strip():
            body["negative_prompt"] = negative_prompt
        return body


def _int_list(value: Any) -> tuple[int, ...]:
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    return tuple(int(part) for part in value)


def _str_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    return tuple(str(part).strip() for part in value if str(part).strip())


def profile_for(
    model: str, profiles: Mapping[str, ModelProfile], default: ModelProfile, options: Mapping[str, Any]
) -> ModelProfile:
    """The profile of the longest matching model prefix, with OPTIONS ``durations``/``aspect_ratios``/``resolutions``."""
    matches = [prefix for prefix in profiles if model.startswith(prefix)]
    profile = profiles[max(matches, key=len)] if matches else default
    overrides: dict[str, Any] = {}
    if options.get("durations"):
        overrides["durations"] = _int_list(options["durations"])
    if options.get("aspect_ratios"):
        overrides["aspect_ratios"] = tuple(r for r in _str_list(options["aspect_ratios"]) if r in _RATIOS)
    if options.get("resolutions"):
        overrides["resolutions"] = _int_list(str(options["resolutions"]).replace("p", ""))
    return dataclasses.replace(profile, **overrides) if overrides else profile


def profile_price(profile: ModelProfile, options: Mapping[str, Any]) -> Decimal | None:
    configured = options.get("price_per_second")
    if configured not in (None, ""):
        return Decimal(str(configured))
    return Decimal(profile.price_per_second) if profile.price_per_second else None


class ProfiledBackend(HostedBackend):
    """A hosted backend whose capabilities and price come from the profile of its configured model."""

    profiles: Mapping[str, ModelProfile] = {}
    default_profile = ModelProfile(durations=(5,))

    @property
    def profile(self) -> ModelProfile:
        return profile_for(self.model, self.profiles, self.default_profile, self.options)

    @property
    def capabilities(self) -> Capabilities:
        profile = self.profile
        return Capabilities(
            durations=tuple(float(seconds) for seconds in profile.durations),
            min_duration_s=float(min(profile.durations)),
            max_duration_s=float(max(profile.durations)),
            sizes=tuple(profile.sizes),
            fps=(24,),
            supports_seed=profile.supports_seed,
            supports_negative_prompt=profile.supports_negative_prompt,
        )

    def price_per_second(self) -> Decimal | None:
        return profile_price(self.profile, self.options)

    def model_input(self, request: GenerationRequest) -> dict[str, Any]:
        self.validate(request)
        return self.profile.input_for(
            prompt=request.prompt,
            width=request.width,
            height=request.height,
            duration_s=request.duration_s,
            seed=request.seed,
            negative_prompt=request.negative_prompt,
        )
