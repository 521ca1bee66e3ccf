"""From prompt anatomy to a scene description the simulator can draw.

This module is pure: the same anatomy, seed and frame format always give the
same :class:`Scene`. It decides *what* the previsualisation shows (sky, set,
light, subject, motion, camera, particles, filters); ``simulator_render``
decides *how* to draw it. Every prompt element a learner leaves out falls back
to a visibly neutral default (flat grey, static camera, a "subject?" figure) so
the video shows what a vague prompt leaves to chance.

Concept ids come from ``labs.grading.anatomy`` ("<group>.<name>"). The
vocabulary grows over time, so unknown names map to their group's default or
are ignored, never an error.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from labs.grading.anatomy import ELEMENT_KEYS, PromptAnatomy
from labs.grading.colours import colour_key

RGB = tuple[int, int, int]

MARK_TEXT = _("généré par IA — simulation")
PLACEHOLDER_LABEL = _("sujet ?")

NEUTRAL_GREY: RGB = (128, 128, 128)
LABEL_MAX_CHARS = 32

# Colours a learner can name, keyed like labs.grading.colours so the video
# analysis finds the colour the prompt asked for.
PALETTE_RGB: dict[str, RGB] = {
    "black": (24, 24, 28),
    "white": (240, 240, 236),
    "grey": (140, 140, 140),
    "cream": (250, 236, 200),
    "pink": (245, 160, 190),
    "brown": (130, 80, 40),
    "red": (210, 35, 40),
    "orange": (245, 120, 20),
    "amber": (255, 185, 10),
    "yellow": (245, 220, 40),
    "green": (50, 160, 70),
    "cyan": (30, 190, 200),
    "blue": (40, 90, 210),
    "purple": (130, 60, 180),
}
# Named shades the colour bands group together; the simulator shows the shade itself.
SHADE_RGB: dict[str, RGB] = {
    "burgundy": (128, 20, 40),
    "mustard": (215, 170, 40),
    "saffron": (244, 160, 30),
    "olive": (110, 120, 40),
    "mint": (150, 230, 190),
    "emerald": (20, 150, 90),
    "teal": (20, 128, 128),
    "turquoise": (40, 200, 200),
    "navy": (20, 34, 90),
    "majorelle_blue": (40, 70, 200),
    "indigo": (60, 40, 140),
    "lavender": (180, 160, 220),
    "fuchsia": (220, 40, 160),
    "charcoal": (54, 56, 60),
    "off_white": (240, 236, 226),
    "ivory": (250, 246, 230),
    "silver": (190, 192, 196),
    "gold": (230, 180, 40),
    "copper": (184, 108, 60),
    "walnut": (100, 68, 44),
    "caramel": (196, 130, 60),
    "beige": (230, 214, 180),
    "sand": (220, 196, 150),
    "terracotta": (200, 100, 70),
    "ochre": (204, 140, 40),
    "rust": (170, 70, 30),
}

# (top of the sky, sky at the horizon)
SKY_BY_TIME: dict[str, tuple[RGB, RGB]] = {
    "golden_hour": ((250, 130, 40), (255, 200, 115)),
    "sunset": ((200, 80, 70), (255, 170, 80)),
    "night": ((6, 10, 32), (28, 40, 86)),
    "dawn": ((120, 128, 190), (250, 188, 165)),
    "sunrise": ((120, 128, 190), (250, 188, 165)),
    "morning": ((120, 175, 235), (220, 232, 246)),
    "day": ((90, 155, 228), (196, 222, 246)),
    "afternoon": ((90, 150, 220), (214, 222, 236)),
    "evening": ((62, 46, 112), (236, 128, 82)),
    "dusk": ((62, 46, 112), (236, 128, 82)),
    "blue_hour": ((18, 36, 104), (72, 100, 168)),
}
DEFAULT_TIME_SKY = SKY_BY_TIME["day"]
DAYLIGHT_TIMES = frozenset({"morning", "day", "afternoon", "golden_hour", "sunrise", "dawn"})

# Per-channel gain the time of day adds to the whole image.
TINT_BY_TIME: dict[str, tuple[float, float, float]] = {
    "golden_hour": (1.08, 0.98, 0.80),
    "sunset": (1.08, 0.95, 0.85),
    "night": (0.85, 0.92, 1.12),
    "dawn": (1.04, 0.98, 1.0),
    "sunrise": (1.04, 0.98, 1.0),
    "dusk": (1.05, 0.93, 1.0),
    "evening": (1.05, 0.93, 1.0),
    "blue_hour": (0.9, 0.95, 1.1),
}

SETTING_ALIASES = {
    "city": "city_street",
    "street": "city_street",
    "road": "city_street",
    "station": "city_street",
    "sea": "beach",
    "harbour": "beach",
    "water": "beach",
    "shop": "market",
    "medina": "market",
    "countryside": "forest",
    "garden": "forest",
    "cafe": "kitchen",
    "home": "office",
    "interior": "office",
    "factory": "office",
}
INDOOR_SETTINGS = frozenset({"studio", "office", "kitchen", "classroom"})
# Specific places first; the generic ones ("sable", "ville") often qualify another place.
SETTING_PRIORITY = (
    "stadium",
    "studio",
    "kitchen",
    "classroom",
    "office",
    "market",
    "beach",
    "forest",
    "mountain",
    "city_street",
    "desert",
)

SUBJECT_KINDS = ("person", "product", "animal", "vehicle")
SUBJECT_ALIASES = {"character": "person", "food": "product"}
# How each kind of subject the anatomy types (labs.grading.language.scene) is drawn.
SUBJECT_KIND_OF = {
    "person": "person",
    "character": "person",
    "group": "person",
    "product": "product",
    "food": "product",
    "object": "object",
    "plant": "object",
    "animal": "animal",
    "vehicle": "vehicle",
}
SUBJECT_COLOURS: dict[str, RGB] = {
    "person": (64, 92, 140),
    "product": (196, 164, 112),
    "animal": (150, 108, 66),
    "vehicle": (184, 42, 42),
    "object": (118, 128, 142),
    "placeholder": (168, 168, 168),
}

# Figure height and foot line (fractions of the frame height) per framing; a foot line below 1 is out of frame.
FRAMINGS: dict[str, tuple[float, float]] = {
    "extreme_close_up": (1.35, 1.45),
    "close_up": (1.05, 1.22),
    "medium_close_up": (0.9, 1.12),
    "medium": (0.74, 1.04),
    "full": (0.8, 0.92),
    "wide": (0.28, 0.84),
    "establishing": (0.22, 0.8),
}

# Camera ids by the words their names contain, for names the table does not know.
CAMERA_KINDS = (
    "pan",
    "tilt",
    "zoom_in",
    "zoom_out",
    "dolly_in",
    "dolly_out",
    "orbit",
    "handheld",
    "tracking",
    "static",
)
CAMERA_NAME_HINTS: tuple[tuple[str, str], ...] = (
    ("zoom_out", "zoom_out"),
    ("zoom", "zoom_in"),
    ("dolly_out", "dolly_out"),
    ("pull", "dolly_out"),
    ("dolly", "dolly_in"),
    ("push", "dolly_in"),
    ("orbit", "orbit"),
    ("arc", "orbit"),
    ("track", "tracking"),
    ("follow", "tracking"),
    ("crane", "tilt"),
    ("tilt", "tilt"),
    ("pan", "pan"),
    ("hand", "handheld"),
    ("shak", "handheld"),
)

# Hand actions (pour, hold, open...) and any action not listed get a small bounce.
ACTION_MOTIONS = {
    "walk": "walk",
    "move": "walk",
    "fly": "walk",
    "drive": "run",
    "ride": "run",
    "run": "run",
    "turn": "turn",
    "rotate": "turn",
    "beats": "stop_and_go",
}


@dataclass(frozen=True)
class Keyframe:
    """Subject pose at normalised time ``t`` (0..1) of the clip.

    ``x`` and ``y`` are fractions of the frame (the sprite's foot point);
    ``scale_x`` may be negative: the figure is mirrored (seen from the back).
    """

    t: float
    x: float
    y: float
    scale_x: float = 1.0
    scale_y: float = 1.0


@dataclass(frozen=True)
class SubjectSpec:
    kind: str  # person, product, animal, vehicle, object or placeholder
    label: str
    colour: RGB
    height: float  # fraction of the frame height


@dataclass(frozen=True)
class CameraSpec:
    kind: str = "static"  # one of CAMERA_KINDS
    speed: float = 1.0
    handheld: bool = False  # shake added on top of the main movement


@dataclass(frozen=True)
class LightSpec:
    direction: str = "none"  # none, left, right, back
    contrast: float = 1.0
    brightness: float = 0.0  # added to 0..255 values
    gain: tuple[float, float, float] = (1.0, 1.0, 1.0)
    neon: bool = False
    rim: bool = False
    candle: bool = False


@dataclass(frozen=True)
class FilterSpec:
    saturation: float = 1.0  # 0 = black and white
    sepia: bool = False
    grain: float = 0.0  # standard deviation on 0..255
    vignette: float = 0.0  # darkening at the corners, 0..1
    fade: float = 0.0  # lifted blacks, 0..1
    posterize: int = 0  # levels per channel, 0 = off
    background_blur: float = 0.0  # fraction of frame width (depth of field)
    letterbox: bool = False
    contrast: float = 1.0


@dataclass(frozen=True)
class Scene:
    width: int
    height: int
    fps: int
    frame_count: int
    seed: int
    sky: tuple[RGB, RGB]
    setting: str  # "none", a SETTING_PRIORITY name, or "ground" for unknown ones
    night: bool
    clouds: bool
    horizon: float  # fraction of the frame height
    palette: tuple[RGB, ...]
    light: LightSpec
    subject: SubjectSpec
    motion: str
    keyframes: tuple[Keyframe, ...]
    bob: float  # vertical bounce of the figure while it moves, fraction of frame height
    camera: CameraSpec
    particles: str  # none, rain, snow or dust
    pace: float  # speed factor from pacing: below 1 in slow motion, above 1 in time-lapse
    fog: float  # 0..1 opacity of the fog layer
    filters: FilterSpec
    mark_text: str
    notes: tuple[str, ...] = ()  # concept ids the scene used, for debugging and tests

    @property
    def duration_s(self) -> float:
        return self.frame_count / self.fps


def build_scene(
    anatomy: PromptAnatomy,
    *,
    width: int,
    height: int,
    fps: int,
    duration_s: float,
    seed: int,
    language: str = "fr",
    negative: PromptAnatomy | None = None,
) -> Scene:
    """Describe the previsualisation of ``anatomy``; concepts named in ``negative`` are left out."""
    excluded = set(_all_concepts(negative)) if negative is not None else set()
    concepts = [c for c in _all_concepts(anatomy) if c not in excluded]
    by_group = _group(concepts)
    rng = random.Random(seed)
    pace = _pace(by_group.get("pacing", []))

    palette = tuple(rgb for name in by_group.get("colour", []) if (rgb := _palette_rgb(name)) is not None)
    time = _first_known(by_group.get("time", []), SKY_BY_TIME, default_if_any="day")
    weather = set(by_group.get("weather", []))
    setting = _setting(by_group.get("setting", []))
    shot = _shot(by_group.get("shot", []), by_group.get("lens", []), by_group.get("camera", []))
    subject = _subject(anatomy, by_group.get("subject", []), palette, shot["height"], language)
    motion = _motion(
        by_group.get("action", []), has_subject=subject.kind != "placeholder", pacing=by_group.get("pacing", [])
    )
    camera = _camera(by_group.get("camera", []), pace)

    keyframes = _keyframes(motion, pace, base_x=0.5 + rng.uniform(-0.03, 0.03), base_y=shot["foot"])
    if camera.kind == "orbit":
        # Orbiting shows the figure from all sides: it turns as the background slides.
        keyframes = tuple(
            Keyframe(k.t, k.x, k.y, k.scale_x * math.copysign(max(0.3, abs(c)), c), k.scale_y)
            for k in _resample(keyframes, 24)
            for c in (math.cos(math.pi * k.t),)
        )

    sky = SKY_BY_TIME.get(time, DEFAULT_TIME_SKY) if time else (NEUTRAL_GREY, NEUTRAL_GREY)
    overcast = {"rain": 0.55, "storm": 0.7, "snow": 0.55, "fog": 0.55, "cloudy": 0.35}
    if cover := max((overcast[w] for w in weather if w in overcast), default=0.0):
        sky = (_mix(sky[0], (150, 155, 162), cover), _mix(sky[1], (190, 192, 196), cover))

    return Scene(
        width=width,
        height=height,
        fps=fps,
        frame_count=max(1, round(duration_s * fps)),
        seed=seed,
        sky=sky,
        setting=setting,
        night=time == "night",
        clouds=time in DAYLIGHT_TIMES or "cloudy" in weather,
        horizon=shot["horizon"],
        palette=palette,
        light=_light(by_group.get("light", []), time, weather, palette),
        subject=subject,
        motion=motion,
        keyframes=keyframes,
        bob={"walk": 0.012, "run": 0.025}.get(motion, 0.0),
        camera=camera,
        particles=_particles(weather),
        pace=pace,
        fog=0.45 if "fog" in weather else 0.3 if "sandstorm" in weather else 0.0,
        filters=_filters(by_group.get("style", []), by_group.get("lens", [])),
        mark_text=_translated(MARK_TEXT, language),
        notes=tuple(concepts),
    )


def _all_concepts(anatomy: PromptAnatomy | None) -> list[str]:
    if anatomy is None:
        return []
    seen: dict[str, None] = {}
    for key in ELEMENT_KEYS:
        for concept in anatomy.concepts(key):
            seen.setdefault(concept, None)
    return list(seen)


def _group(concepts: Iterable[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for concept in concepts:
        group, _sep, name = concept.partition(".")
        if name:
            grouped.setdefault(group, []).append(name)
    return grouped


def _first_known(names: list[str], table: dict, *, default_if_any: str | None = None) -> str | None:
    for name in names:
        if name in table:
            return name
    return default_if_any if names else None


def _palette_rgb(name: str) -> RGB | None:
    if name in PALETTE_RGB or name in SHADE_RGB:
        return PALETTE_RGB.get(name) or SHADE_RGB[name]
    key = colour_key(name.replace("_", " "))
    return PALETTE_RGB.get(key) if key else None


def _mix(a: RGB, b: RGB, amount: float) -> RGB:
    return tuple(round(x * (1 - amount) + y * amount) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _translated(text: str, language: str) -> str:
    with translation.override(language):
        return str(text)


def _setting(names: list[str]) -> str:
    """The most specific set the prompt names: "le sable d'une plage" is a beach, not a desert."""
    found = {SETTING_ALIASES.get(name, name) for name in names}
    for setting in SETTING_PRIORITY:
        if setting in found:
            return setting
    return "ground" if names else "none"


def _shot(shots: list[str], lenses: list[str], cameras: list[str]) -> dict[str, float]:
    """Figure height and foot line (fractions of the frame) and the horizon for the framing."""
    height, foot, horizon = 0.5, 0.88, 0.62
    for name in shots:
        if name in FRAMINGS:
            height, foot = FRAMINGS[name]
    for name in shots:
        if name == "low_angle":
            horizon, height = 0.82, height * 1.15
        elif name in ("high_angle", "overhead"):
            horizon, height = 0.36, height * 0.85
    if "aerial" in shots or "drone" in cameras:
        horizon, height, foot = 0.12, min(height, 0.22), 0.7
    if "macro" in lenses:
        height, foot = max(height, 1.05), max(foot, 1.15)
    elif "wide_angle" in lenses or "fisheye" in lenses:
        height *= 0.85
    return {"height": height, "foot": foot, "horizon": horizon}


def _subject(
    anatomy: PromptAnatomy,
    names: list[str],
    palette: tuple[RGB, ...],
    height: float,
    language: str,
) -> SubjectSpec:
    kinds = [name for name in names if name != "detailed" and name in SUBJECT_KIND_OF]
    main = anatomy.subject
    if main is not None and main.kind in SUBJECT_KIND_OF:
        # The main subject the parse found (« supportrice »), not the first subject word (« sportif »).
        kind = SUBJECT_KIND_OF[main.kind]
        label = " ".join(main.text.split())
        if len(label) > LABEL_MAX_CHARS:
            label = label[: LABEL_MAX_CHARS - 1].rstrip() + "…"
        return SubjectSpec(kind, label, palette[0] if palette else SUBJECT_COLOURS[kind], height)
    if not kinds:
        return SubjectSpec(
            "placeholder", _translated(PLACEHOLDER_LABEL, language), SUBJECT_COLOURS["placeholder"], height
        )
    canonical = SUBJECT_ALIASES.get(kinds[0], kinds[0])
    kind = canonical if canonical in SUBJECT_KINDS else "object"
    label = ""
    for match in anatomy.matches_for("subject"):
        if match.concept == f"subject.{kinds[0]}":
            label = " ".join(match.text.split())
            break
    if len(label) > LABEL_MAX_CHARS:
        label = label[: LABEL_MAX_CHARS - 1].rstrip() + "…"
    colour = palette[0] if palette else SUBJECT_COLOURS[kind]
    return SubjectSpec(kind, label or kinds[0].replace("_", " "), colour, height)


def _pace(pacing: list[str]) -> float:
    if "slow_motion" in pacing:
        return 0.45
    if "time_lapse" in pacing:
        return 2.2
    if "slow" in pacing:
        return 0.7
    if "fast" in pacing:
        return 1.6
    return 1.0


def _motion(actions: list[str], *, has_subject: bool, pacing: list[str]) -> str:
    if "beats" in pacing or "beats" in actions:
        return "stop_and_go"
    if not actions or not has_subject:
        return "static"
    for name in actions:
        if name in ACTION_MOTIONS:
            return ACTION_MOTIONS[name]
    # Hand actions (pour, hold, open...) and any action the table does not know yet.
    return "bounce"


def _camera(names: list[str], pace: float) -> CameraSpec:
    handheld = "handheld" in names
    kind = "static"
    for name in names:
        candidate = name if name in CAMERA_KINDS else _camera_from_hint(name)
        if candidate not in ("static", "handheld"):
            kind = candidate
            break
    if handheld and kind == "static":
        kind = "handheld"
    return CameraSpec(kind=kind, speed=min(pace, 1.4), handheld=handheld)


def _camera_from_hint(name: str) -> str:
    for hint, kind in CAMERA_NAME_HINTS:
        if hint in name:
            return kind
    return "static"


WARM = (1.08, 0.98, 0.84)
COOL = (0.92, 0.98, 1.1)


def _light(names: list[str], time: str | None, weather: set[str], palette: tuple[RGB, ...]) -> LightSpec:
    direction, contrast, brightness = "none", 1.0, 0.0
    gain = TINT_BY_TIME.get(time or "", (1.0, 1.0, 1.0))
    neon = rim = candle = False

    def tinted(by: tuple[float, float, float]) -> tuple[float, float, float]:
        return (gain[0] * by[0], gain[1] * by[1], gain[2] * by[2])

    for name in names:
        if name in ("from_left", "window"):
            direction = "left"
        elif name == "from_right":
            direction = "right"
        elif name == "backlight":
            direction, rim = "back", True
        elif name == "rim":
            rim = True
        elif name in ("soft", "studio"):
            contrast, brightness = 0.8, brightness + 8
        elif name in ("hard", "chiaroscuro", "shadows"):
            contrast = 1.5 if name == "chiaroscuro" else 1.35
            brightness -= 12 if name == "chiaroscuro" else 0
            direction = "left" if direction == "none" else direction
        elif name == "neon":
            neon, contrast = True, max(contrast, 1.15)
        elif name == "candle":
            candle, brightness, gain = True, brightness - 30, tinted((1.1, 0.95, 0.75))
        elif name in ("warm", "lamp"):
            gain = tinted(WARM)
        elif name == "cool":
            gain = tinted(COOL)
        elif name == "dim":
            brightness -= 28
        elif name == "bright":
            brightness += 22
    if "window" in names:
        gain, contrast = tinted((0.97, 1.0, 1.04)), min(contrast, 0.9)
    if weather & {"rain", "fog", "storm", "cloudy"}:
        contrast *= 0.9
        gain = tinted((0.96, 0.98, 1.03))
    if weather & {"heat", "sandstorm"}:
        gain = tinted(WARM)
    if palette:
        # The named colours tint the whole image, not only the objects that wear them.
        mean = [sum(c[i] for c in palette) / len(palette) for i in range(3)]
        centre = sum(mean) / 3
        gain = tinted(tuple(1 + 0.3 * (m - centre) / 255 for m in mean))  # type: ignore[arg-type]
    return LightSpec(direction, contrast, brightness, gain, neon, rim, candle)


def _particles(weather: set[str]) -> str:
    if weather & {"rain", "storm"}:
        return "rain"
    if "snow" in weather:
        return "snow"
    if weather & {"wind", "sandstorm"}:
        return "dust"
    return "none"


def _filters(styles: list[str], lenses: list[str]) -> FilterSpec:
    values: dict[str, float | bool | int] = {}

    def at_least(name: str, value: float) -> None:
        values[name] = max(float(values.get(name, 0.0)), value)

    for name in styles:
        if name in ("black_and_white", "monochrome"):
            values["saturation"] = 0.0
        elif name == "film_noir":
            values.update(saturation=0.0, contrast=1.3)
            at_least("vignette", 0.4)
        elif name == "sepia":
            values.update(saturation=0.0, sepia=True)
        elif name in ("film_grain", "film", "film_16mm", "film_35mm"):
            at_least("grain", 16.0 if name == "film_16mm" else 12.0)
        elif name in ("vintage", "super8"):
            values.update(fade=0.35)
            at_least("vignette", 0.55)
            at_least("grain", 8.0)
        elif name in ("animation", "illustration", "stop_motion"):
            values["posterize"] = 5
        elif name == "documentary":
            values.setdefault("saturation", 0.75)
        elif name == "desaturated":
            values.setdefault("saturation", 0.45)
        elif name == "saturated":
            values.setdefault("saturation", 1.35)
        elif name == "pastel":
            values.update(fade=0.4)
            values.setdefault("saturation", 0.8)
        elif name == "high_contrast":
            values["contrast"] = 1.3
    blur = 0.0
    if "shallow_dof" in lenses:
        blur = 0.012
    if "macro" in lenses:
        blur = 0.02
    elif "telephoto" in lenses:
        blur = max(blur, 0.006)
    if "wide_angle" in lenses:
        at_least("vignette", 0.25)
    if "fisheye" in lenses:
        at_least("vignette", 0.6)
    if "anamorphic" in lenses:
        values["letterbox"] = True
    return FilterSpec(background_blur=blur, **values)  # type: ignore[arg-type]


def _keyframes(motion: str, pace: float, *, base_x: float, base_y: float) -> tuple[Keyframe, ...]:
    if motion == "walk":
        span = min(0.5 * pace, 0.7)
        return (Keyframe(0.0, base_x - span / 2, base_y), Keyframe(1.0, base_x + span / 2, base_y))
    if motion == "run":
        span = min(0.85 * pace, 0.9)
        return (Keyframe(0.0, base_x - span / 2, base_y), Keyframe(1.0, base_x + span / 2, base_y))
    if motion == "turn":
        # One full turn per clip (two at time-lapse speed): the width shrinks, flips, comes back.
        turns = max(1, round(pace))
        return tuple(
            Keyframe(t, base_x, base_y, math.copysign(max(0.18, abs(c)), c), 1.0 + 0.04 * (1 - abs(c)))
            for t in (i / 48 for i in range(49))
            for c in (math.cos(2 * math.pi * turns * t),)
        )
    if motion == "bounce":
        hops = max(2, round(6 * pace))
        return tuple(
            Keyframe(t, base_x, base_y - 0.03 * abs(math.sin(math.pi * hops * t))) for t in (i / 60 for i in range(61))
        )
    if motion == "stop_and_go":
        # Moves on the beat, holds between beats: four steps left to right.
        steps, span = 4, 0.5
        keys: list[Keyframe] = []
        for step in range(steps):
            start, move_end = step / steps, step / steps + 0.35 / steps
            x0 = base_x - span / 2 + span * step / steps
            keys += [Keyframe(start, x0, base_y), Keyframe(move_end, x0 + span / steps, base_y)]
        keys.append(Keyframe(1.0, base_x + span / 2, base_y))
        return tuple(keys)
    return (Keyframe(0.0, base_x, base_y), Keyframe(1.0, base_x, base_y))


def _resample(keyframes: tuple[Keyframe, ...], count: int) -> tuple[Keyframe, ...]:
    """Keyframes at ``count + 1`` evenly spaced times, so a pose change can be laid over them."""
    return tuple(interpolate(keyframes, i / count) for i in range(count + 1))


def interpolate(keyframes: tuple[Keyframe, ...], t: float) -> Keyframe:
    """Linear interpolation of the subject pose at normalised time ``t``."""
    if t <= keyframes[0].t:
        return keyframes[0]
    for before, after in zip(keyframes, keyframes[1:], strict=False):
        if before.t <= t <= after.t:
            span = after.t - before.t
            a = (t - before.t) / span if span else 0.0
            return Keyframe(
                t,
                before.x + (after.x - before.x) * a,
                before.y + (after.y - before.y) * a,
                before.scale_x + (after.scale_x - before.scale_x) * a,
                before.scale_y + (after.scale_y - before.scale_y) * a,
            )
    return keyframes[-1]
