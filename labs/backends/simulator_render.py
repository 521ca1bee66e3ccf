"""Draws a :class:`~labs.backends.simulator_scene.Scene` into RGB frames and an H.264 MP4.

Speed comes from doing the expensive work once: the world (sky, set, baked
light) is drawn at 1.5x the frame size, the subject and text are pre-rendered
sprites, particles and grain are pre-drawn tiles. Each frame then only pastes
the sprite, crops or warps the world (one ``cv2.warpAffine``), slides the
particle tiles and applies one colour lookup table. Everything random draws
from generators seeded with the scene's seed, so a scene always gives the same
frames.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import av
import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from labs.backends.simulator_scene import INDOOR_SETTINGS, RGB, Keyframe, Scene, interpolate

WORLD_MARGIN = 1.5  # world size / frame size when the camera moves
FONT_CANDIDATES = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf")
MOVING_MOTIONS = frozenset({"walk", "run", "stop_and_go"})
MIN_FONT_SIZE = 6


@dataclass(frozen=True)
class CameraPose:
    dx: float  # offset of the view centre from the home view, world pixels
    dy: float
    zoom: float
    angle: float  # degrees
    subject_scale: float = 1.0  # dolly: the subject grows faster than the background


class SceneRenderer:
    """Renders one scene; build once, then iterate or call :meth:`frame`."""

    def __init__(self, scene: Scene):
        self.scene = scene
        self.w, self.h = scene.width, scene.height
        moving = scene.camera.kind != "static" or scene.camera.handheld
        self.margin = WORLD_MARGIN if moving else 1.0
        self.world_w = _even(self.w * self.margin)
        self.world_h = _even(self.h * self.margin)
        self.origin = ((self.world_w - self.w) / 2, (self.world_h - self.h) / 2)
        self.rng = np.random.default_rng(scene.seed)
        self._margin = max(2, round(min(self.w, self.h) * 0.025))  # between the frame edge and the mark

        self.world = self._draw_world()
        self.sprite = _subject_sprite(scene, self.h)
        self._sprite_cache: dict[tuple[int, int, bool], np.ndarray] = {}
        self.shake = self.rng.uniform(0.0, 2 * math.pi, size=(3, 3)), self.rng.uniform(0.35, 1.6, size=(3, 3))
        text_room = self.w - 2 * self._margin
        self.label = _text_sprite(
            scene.subject.label,
            max(9, round(min(self.w, self.h) * 0.05)),
            max_width=text_room,
            outlined=scene.subject.kind == "placeholder",
        )
        self.mark = _text_sprite(scene.mark_text, max(9, round(min(self.w, self.h) * 0.042)), max_width=text_room)
        self.particles = self._draw_particles()
        self.fog = self._draw_fog() if scene.fog > 0 else None
        self.lut = _colour_lut(scene)
        self.vignette = _vignette(self.w, self.h, scene.filters.vignette) if scene.filters.vignette > 0 else None
        self.grain = self._draw_grain() if scene.filters.grain > 0 else None

    @property
    def mark_box(self) -> tuple[int, int, int, int]:
        """Where the simulation mark sits in every frame: (x, y, width, height)."""
        return self._margin, self._margin, self.mark.shape[1], self.mark.shape[0]

    # --- per frame ---------------------------------------------------------

    def __iter__(self) -> Iterator[np.ndarray]:
        for index in range(self.scene.frame_count):
            yield self.frame(index)

    def frame(self, index: int) -> np.ndarray:
        """The RGB frame ``index`` as a (height, width, 3) uint8 array."""
        scene = self.scene
        t = index / max(1, scene.frame_count - 1)
        seconds = index / scene.fps
        pose = interpolate(scene.keyframes, t)
        camera = self._camera(t, seconds, pose)
        if camera.zoom == 1.0 and camera.angle == 0.0:
            # Whole-pixel moves are plain crops: ten times cheaper than a warp, and easier on the encoder.
            camera = replace(camera, dx=round(camera.dx), dy=round(camera.dy))

        foot_x = self.origin[0] + pose.x * self.w
        if scene.camera.kind == "orbit":
            foot_x += camera.dx  # the camera circles the subject: it stays centred while the set slides
        bob = scene.bob * self.h * abs(math.sin(2 * math.pi * 1.8 * scene.pace * seconds))
        foot_y = self.origin[1] + pose.y * self.h - bob

        sprite = self._scaled_sprite(pose, camera.subject_scale)
        matrix = self._view_matrix(camera)
        frame = self._compose(sprite, foot_x, foot_y, matrix)

        self._add_particles(frame, index)
        frame = self._apply_filters(frame, index)
        self._place_label(frame, matrix @ np.array([foot_x, foot_y - sprite.shape[0], 1.0]))
        _blend(frame, self.mark, self._margin, self._margin)
        return frame

    def _camera(self, t: float, seconds: float, pose: Keyframe) -> CameraPose:
        camera = self.scene.camera
        eased = t * t * (3 - 2 * t)
        reach_x = (self.world_w - self.w) / 2 * 0.9
        reach_y = (self.world_h - self.h) / 2 * 0.9
        dx = dy = angle = 0.0
        zoom = subject_scale = 1.0
        kind = camera.kind
        if kind == "pan":
            dx = reach_x * min(1.0, camera.speed) * (2 * eased - 1)
        elif kind == "tilt":
            dy = reach_y * min(1.0, camera.speed) * (1 - 2 * eased)
        elif kind in ("zoom_in", "zoom_out"):
            amount = eased if kind == "zoom_in" else 1 - eased
            zoom = 1 + 0.45 * min(1.0, camera.speed) * amount
        elif kind in ("dolly_in", "dolly_out"):
            amount = eased if kind == "dolly_in" else 1 - eased
            zoom, subject_scale = 1 + 0.2 * amount, 1 + 0.35 * amount
        elif kind == "orbit":
            dx = reach_x * (2 * eased - 1)
        elif kind == "tracking":
            if self.scene.motion in MOVING_MOTIONS:
                dx = (pose.x - self.scene.keyframes[0].x) * self.w - reach_x
                dx = max(-reach_x, min(reach_x, dx))
            else:
                dx = reach_x * 0.5 * (2 * eased - 1)
        if camera.handheld or kind == "handheld":
            phases, freqs = self.shake
            wobble = np.sin(2 * math.pi * freqs * seconds + phases).sum(axis=1) / 3
            dx += wobble[0] * 0.014 * self.w
            dy += wobble[1] * 0.014 * self.h
            angle += wobble[2] * 0.7
            zoom = max(zoom, 1.04)  # hides the borders the shake would reveal
        return CameraPose(dx, dy, zoom, angle, subject_scale)

    def _view_matrix(self, camera: CameraPose) -> np.ndarray:
        """2x3 affine matrix from world pixels to frame pixels."""
        cx = self.world_w / 2 + camera.dx
        cy = self.world_h / 2 + camera.dy
        matrix = cv2.getRotationMatrix2D((cx, cy), camera.angle, camera.zoom)
        matrix[0, 2] += self.w / 2 - cx
        matrix[1, 2] += self.h / 2 - cy
        return matrix

    def _compose(self, sprite: np.ndarray, foot_x: float, foot_y: float, matrix: np.ndarray) -> np.ndarray:
        # Paste the subject into the world, take the view, then restore the world underneath.
        top, left = round(foot_y - sprite.shape[0]), round(foot_x - sprite.shape[1] / 2)
        saved = _blend(self.world, sprite, left, top, keep=True)
        is_crop = (
            matrix[0, 0] == 1.0
            and matrix[0, 1] == 0.0
            and float(matrix[0, 2]).is_integer()
            and float(matrix[1, 2]).is_integer()
        )
        if is_crop:
            x0, y0 = -int(matrix[0, 2]), -int(matrix[1, 2])
            frame = self.world[y0 : y0 + self.h, x0 : x0 + self.w].copy()
        else:
            frame = cv2.warpAffine(
                self.world, matrix, (self.w, self.h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
            )
        if saved is not None:
            region, y, x = saved
            self.world[y : y + region.shape[0], x : x + region.shape[1]] = region
        return frame

    def _scaled_sprite(self, pose: Keyframe, extra: float) -> np.ndarray:
        height, width = self.sprite.shape[:2]
        size = (max(1, round(width * abs(pose.scale_x) * extra)), max(1, round(height * pose.scale_y * extra)))
        key = (*size, pose.scale_x < 0)
        cached = self._sprite_cache.get(key)
        if cached is None:
            base = self.sprite[:, ::-1] if pose.scale_x < 0 else self.sprite
            cached = base if size == (width, height) else cv2.resize(base, size, interpolation=cv2.INTER_AREA)
            if len(self._sprite_cache) > 256:
                self._sprite_cache.clear()
            self._sprite_cache[key] = cached
        return cached

    def _add_particles(self, frame: np.ndarray, index: int) -> None:
        scene = self.scene
        if self.particles is not None:
            tile = self.particles
            seconds = index / scene.fps
            speed = scene.pace
            if scene.particles == "rain":
                shift_y, shift_x = int(1.6 * self.h * speed * seconds) % self.h, 0
            elif scene.particles == "snow":
                shift_y = int(0.18 * self.h * speed * seconds) % self.h
                shift_x = int(0.02 * self.w * (1 + math.sin(1.3 * seconds))) % self.w
            else:
                shift_y, shift_x = 0, int(0.9 * self.w * speed * seconds) % self.w
            window = tile[self.h - shift_y : 2 * self.h - shift_y, self.w - shift_x : 2 * self.w - shift_x]
            if scene.particles == "snow":
                cv2.max(frame, window, dst=frame)
            else:
                cv2.add(frame, window, dst=frame)
        if self.fog is not None:
            shift = int(0.04 * self.w * index / scene.fps) % self.w
            cv2.addWeighted(frame, 1 - scene.fog, self.fog[:, shift : shift + self.w], scene.fog, 0, dst=frame)

    def _apply_filters(self, frame: np.ndarray, index: int) -> np.ndarray:
        filters = self.scene.filters
        if filters.saturation <= 0:
            frame = cv2.cvtColor(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
        elif filters.saturation < 1:
            grey = cv2.cvtColor(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
            frame = cv2.addWeighted(frame, filters.saturation, grey, 1 - filters.saturation, 0)
        if self.lut is not None:
            frame = cv2.LUT(frame, self.lut)
        if self.vignette is not None:
            frame = cv2.multiply(frame, self.vignette, scale=1 / 255)
        if self.grain is not None:
            order, tiles = self.grain
            positive, negative = tiles[order[index % len(order)]]
            cv2.add(frame, positive, dst=frame)
            cv2.subtract(frame, negative, dst=frame)
        if filters.letterbox and self.w > self.h:
            bar = max(0, round((self.h - self.w / 2.39) / 2))
            frame[:bar] = 0
            frame[self.h - bar :] = 0
        return frame

    def _place_label(self, frame: np.ndarray, head: np.ndarray) -> None:
        label_h, label_w = self.label.shape[:2]
        gap = max(2, self.h // 60)
        x = round(head[0] - label_w / 2)
        y = round(head[1]) - label_h - gap
        # Close-ups cut the head off: the label then slides to the top, below the simulation mark.
        x = min(max(gap, x), self.w - label_w - gap)
        y = min(max(2 * gap + self.mark.shape[0], y), self.h - label_h - gap)
        _blend(frame, self.label, x, y)

    # --- precomputed layers --------------------------------------------------

    def _draw_world(self) -> np.ndarray:
        scene = self.scene
        width, height = self.world_w, self.world_h
        horizon = round(self.origin[1] + scene.horizon * self.h)
        world = _vertical_gradient(height, width, scene.sky[0], scene.sky[1], stop=max(1, horizon))
        outdoor = scene.setting not in INDOOR_SETTINGS
        if scene.night and outdoor and scene.setting != "city_street":
            _draw_stars(world, horizon, self.rng)  # the city has lit windows instead
        elif scene.clouds and outdoor:
            _paint_clouds(world, horizon, self.rng)
        draw = SETTING_PAINTERS.get(scene.setting)
        if draw is not None:
            draw(world, horizon, self.rng, scene)
        world = self._bake_light(world)
        if scene.filters.background_blur > 0:
            sigma = scene.filters.background_blur * self.w
            world = cv2.GaussianBlur(world, (0, 0), sigmaX=sigma, sigmaY=sigma)
        return np.ascontiguousarray(world)

    def _bake_light(self, world: np.ndarray) -> np.ndarray:
        light = self.scene.light
        height, width = world.shape[:2]
        gain = np.ones((height, width), np.float32)
        if light.direction in ("left", "right"):
            ramp = np.linspace(1.22, 0.72, width, dtype=np.float32)
            gain *= ramp[::-1] if light.direction == "right" else ramp
        centre = (self.origin[0] + self.w * self.scene.keyframes[0].x, self.origin[1] + self.h * 0.45)
        ys, xs = np.ogrid[:height, :width]
        distance = np.sqrt(((xs - centre[0]) / self.w) ** 2 + ((ys - centre[1]) / self.h) ** 2).astype(np.float32)
        if light.candle:
            gain *= np.clip(1.25 - 1.1 * distance, 0.3, 1.25)
        result = world.astype(np.float32) * gain[..., None]
        if light.direction == "back":
            glow = np.exp(-((distance / 0.28) ** 2))[..., None] * np.array([255, 236, 200], np.float32) * 0.85
            result += glow
        if light.neon:
            # Coloured light multiplies what it hits: a night stays dark, with magenta on one side and cyan on the other.
            across = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :, None]
            neon = (1 - across) * np.array([255, 40, 200], np.float32) + across * np.array([30, 230, 255], np.float32)
            result = result * (0.55 + 0.75 * neon / 255) + neon * 0.06
        return np.clip(result, 0, 255).astype(np.uint8)

    def _draw_particles(self) -> np.ndarray | None:
        kind = self.scene.particles
        if kind == "none":
            return None
        tile = np.zeros((self.h, self.w, 3), np.uint8)
        area = self.w * self.h
        if kind == "rain":
            length = max(4, round(self.h * 0.07))
            for x, y in zip(
                self.rng.integers(0, self.w, area // 700), self.rng.integers(0, self.h, area // 700), strict=True
            ):
                for dy in (0, -self.h):  # drawn twice so the tile wraps seamlessly
                    cv2.line(
                        tile,
                        (int(x), int(y + dy)),
                        (int(x) - length // 6, int(y + dy) + length),
                        (95, 102, 118),
                        1,
                        cv2.LINE_AA,
                    )
        elif kind == "snow":
            radius = max(1, round(min(self.w, self.h) / 220))
            for x, y in zip(
                self.rng.integers(0, self.w, area // 500), self.rng.integers(0, self.h, area // 500), strict=True
            ):
                for dx in (0, -self.w):
                    for dy in (0, -self.h):
                        cv2.circle(tile, (int(x + dx), int(y + dy)), radius, (245, 245, 250), -1, cv2.LINE_AA)
        else:
            for x, y in zip(
                self.rng.integers(0, self.w, area // 1500), self.rng.integers(0, self.h, area // 1500), strict=True
            ):
                for dx in (0, -self.w):
                    cv2.line(tile, (int(x + dx), int(y)), (int(x + dx) + 6, int(y) + 1), (70, 60, 40), 1, cv2.LINE_AA)
        return np.tile(tile, (2, 2, 1))

    def _draw_fog(self) -> np.ndarray:
        coarse = self.rng.uniform(195, 240, size=(max(2, self.h // 40), max(2, self.w // 40))).astype(np.float32)
        coarse = np.concatenate([coarse, coarse], axis=1)  # repeats so the drifting window wraps
        layer = cv2.resize(coarse, (2 * self.w, self.h), interpolation=cv2.INTER_CUBIC)
        layer = np.clip(layer, 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(layer[..., None], 3, axis=2))

    def _draw_grain(self) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
        tiles = []
        for _ in range(6):
            # Drawn at half resolution: film grain has a size, and clumps cost the encoder far less than per-pixel noise.
            coarse = self.rng.normal(0.0, self.scene.filters.grain, size=(max(1, self.h // 2), max(1, self.w // 2)))
            noise = cv2.resize(coarse.astype(np.float32), (self.w, self.h), interpolation=cv2.INTER_LINEAR)
            noise = np.repeat(noise[..., None], 3, axis=2)
            tiles.append((np.clip(noise, 0, 255).astype(np.uint8), np.clip(-noise, 0, 255).astype(np.uint8)))
        order = self.rng.integers(0, len(tiles), size=max(1, self.scene.frame_count))
        return order, tiles


# --- drawing helpers ------------------------------------------------------------


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def _vertical_gradient(height: int, width: int, top: RGB, bottom: RGB, *, stop: int) -> np.ndarray:
    """Gradient from ``top`` at row 0 to ``bottom`` at row ``stop``, flat below."""
    amount = np.clip(np.arange(height, dtype=np.float32) / stop, 0, 1)[:, None]
    column = np.array(top, np.float32) * (1 - amount) + np.array(bottom, np.float32) * amount
    return np.ascontiguousarray(np.broadcast_to(column[:, None, :], (height, width, 3)).round().astype(np.uint8))


def _fill_rows(world: np.ndarray, top: int, bottom: int, colour_top: RGB, colour_bottom: RGB) -> None:
    top, bottom = max(0, top), min(world.shape[0], bottom)
    if bottom > top:
        world[top:bottom] = _vertical_gradient(
            bottom - top, world.shape[1], colour_top, colour_bottom, stop=bottom - top
        )


def _draw_stars(world: np.ndarray, horizon: int, rng: np.random.Generator) -> None:
    count = max(6, world.shape[1] // 25)
    for x, y in zip(
        rng.integers(0, world.shape[1], count), rng.integers(0, max(1, int(horizon * 0.8)), count), strict=True
    ):
        cv2.circle(world, (int(x), int(y)), 1, (230, 230, 210), -1, cv2.LINE_AA)


def _paint_beach(world: np.ndarray, horizon: int, rng: np.random.Generator, scene: Scene) -> None:
    height, width = world.shape[:2]
    shore = horizon + round((height - horizon) * 0.35)
    dim = 0.35 if scene.night else 1.0
    _fill_rows(world, horizon, shore, _scale((38, 104, 168), dim), _scale((84, 160, 200), dim))
    for y in rng.integers(horizon + 2, max(horizon + 3, shore - 2), 8):
        x = int(rng.integers(0, width))
        cv2.line(world, (x, int(y)), (x + width // 6, int(y)), _scale((170, 210, 230), dim), 1, cv2.LINE_AA)
    _fill_rows(world, shore, height, _scale((226, 200, 150), dim), _scale((236, 214, 168), dim))
    # Parasols and rocks give a sideways camera move something to pass.
    for index, x in enumerate(range(int(rng.integers(0, width // 5)), width, width // 5)):
        base = shore + int(rng.integers(height // 40, max(height // 40 + 1, (height - shore) // 3)))
        if index % 2:
            cv2.ellipse(
                world,
                (x, base),
                (width // 40, height // 60),
                0,
                180,
                360,
                _scale((120, 110, 100), dim),
                -1,
                cv2.LINE_AA,
            )
            continue
        pole, radius = height // 7, width // 28
        cv2.line(world, (x, base), (x, base - pole), _scale((90, 80, 70), dim), max(1, width // 400), cv2.LINE_AA)
        canopy = PARASOL_COLOURS[index // 2 % len(PARASOL_COLOURS)]
        cv2.ellipse(world, (x, base - pole), (radius, radius // 2), 0, 180, 360, _scale(canopy, dim), -1, cv2.LINE_AA)


PARASOL_COLOURS: tuple[RGB, ...] = ((214, 60, 52), (250, 250, 245), (40, 120, 190))


def _paint_clouds(world: np.ndarray, horizon: int, rng: np.random.Generator) -> None:
    width = world.shape[1]
    for _ in range(max(3, width // 160)):
        x, y = int(rng.integers(0, width)), int(rng.integers(horizon // 8, max(horizon // 8 + 1, horizon * 2 // 3)))
        for dx, scale in ((0, 1.0), (width // 30, 0.8), (-width // 30, 0.7)):
            radius = max(2, round(width / 40 * scale))
            cv2.ellipse(world, (x + dx, y), (radius * 2, radius), 0, 0, 360, (244, 244, 246), -1, cv2.LINE_AA)


def _paint_city(world: np.ndarray, horizon: int, rng: np.random.Generator, scene: Scene) -> None:
    height, width = world.shape[:2]
    x = 0
    while x < width:
        w = int(rng.integers(width // 16, width // 7))
        top = horizon - int(rng.integers(height // 6, height // 2))
        shade = int(rng.integers(52, 84))
        cv2.rectangle(world, (x, top), (x + w - 2, horizon), (shade, shade + 4, shade + 16), -1)
        if scene.night:
            step = max(4, width // 90)
            for wy in range(top + step, horizon - step, step * 2):
                for wx in range(x + step, x + w - step, step * 2):
                    if rng.random() < 0.45:
                        cv2.rectangle(world, (wx, wy), (wx + step - 1, wy + step - 1), (250, 214, 120), -1)
        x += w
    _fill_rows(world, horizon, height, (92, 92, 98), (62, 62, 68))
    lane = horizon + (height - horizon) // 2
    for lx in range(0, width, width // 10):
        cv2.line(world, (lx, lane), (lx + width // 20, lane), (225, 225, 215), max(1, height // 150))


def _paint_studio(world: np.ndarray, horizon: int, rng: np.random.Generator, scene: Scene) -> None:
    backdrop = scene.palette[1] if len(scene.palette) > 1 else (210, 210, 214)
    height = world.shape[0]
    # Seamless backdrop: no horizon line, just a soft fall-off into the floor.
    world[:] = _vertical_gradient(height, world.shape[1], _scale(backdrop, 0.78), _scale(backdrop, 1.06), stop=height)


def _paint_desert(world: np.ndarray, horizon: int, rng: np.random.Generator, scene: Scene) -> None:
    height, width = world.shape[:2]
    xs = np.arange(0, width + 8, 8)
    for layer, (colour, amplitude) in enumerate((((214, 170, 112), 0.05), ((232, 192, 132), 0.08))):
        phase = rng.uniform(0, 2 * math.pi)
        base = horizon + layer * (height - horizon) // 3
        ys = base - amplitude * height * (1 + np.sin(xs / width * 2 * math.pi * (1.5 + layer) + phase)) / 2
        polygon = np.concatenate([np.stack([xs, ys], axis=1), [[width, height], [0, height]]]).astype(np.int32)
        cv2.fillPoly(world, [polygon], _scale(colour, 0.4 if scene.night else 1.0), cv2.LINE_AA)


def _paint_forest(world: np.ndarray, horizon: int, rng: np.random.Generator, scene: Scene) -> None:
    height, width = world.shape[:2]
    dim = 0.4 if scene.night else 1.0
    _fill_rows(world, horizon, height, _scale((70, 118, 58), dim), _scale((46, 86, 40), dim))
    for x in sorted(rng.integers(0, width, max(8, width // 30))):
        tree_h = int(rng.integers(height // 7, height // 3))
        half = tree_h // 4
        base = horizon + int(rng.integers(0, max(1, height // 40)))
        green = _scale((30 + int(rng.integers(0, 30)), 80 + int(rng.integers(0, 40)), 40), dim)
        cv2.rectangle(
            world, (int(x) - half // 5, base - tree_h // 6), (int(x) + half // 5, base), _scale((80, 58, 36), dim), -1
        )
        triangle = np.array(
            [[x - half, base - tree_h // 6], [x + half, base - tree_h // 6], [x, base - tree_h]], np.int32
        )
        cv2.fillPoly(world, [triangle], green, cv2.LINE_AA)


def _paint_mountain(world: np.ndarray, horizon: int, rng: np.random.Generator, scene: Scene) -> None:
    height, width = world.shape[:2]
    dim = 0.4 if scene.night else 1.0
    x = -width // 8
    while x < width:
        span = int(rng.integers(width // 4, width // 2))
        peak = horizon - int(rng.integers(height // 5, height // 2))
        body = np.array([[x, horizon], [x + span // 2, peak], [x + span, horizon]], np.int32)
        cv2.fillPoly(world, [body], _scale((108, 118, 140), dim), cv2.LINE_AA)
        cap = np.array(
            [
                [x + span // 2 - span // 10, peak + (horizon - peak) // 5],
                [x + span // 2, peak],
                [x + span // 2 + span // 10, peak + (horizon - peak) // 5],
            ],
            np.int32,
        )
        cv2.fillPoly(world, [cap], _scale((240, 242, 248), dim), cv2.LINE_AA)
        x += span * 2 // 3
    _fill_rows(world, horizon, height, _scale((110, 140, 80), dim), _scale((80, 112, 60), dim))


def _paint_indoor(world: np.ndarray, horizon: int, rng: np.random.Generator, scene: Scene) -> None:
    height, width = world.shape[:2]
    wall = {"kitchen": (232, 226, 212), "classroom": (222, 214, 186)}.get(scene.setting, (214, 208, 198))
    sky = world.copy()
    _fill_rows(world, 0, horizon, _scale(wall, 0.92), wall)
    # A window on the wall shows the sky (and so the time of day).
    wx0, wx1, wy0, wy1 = width // 10, width // 10 + width // 5, height // 8, horizon - height // 8
    world[wy0:wy1, wx0:wx1] = sky[wy0:wy1, wx0:wx1]
    cv2.rectangle(world, (wx0, wy0), (wx1, wy1), (245, 245, 245), max(2, width // 200))
    cv2.line(world, ((wx0 + wx1) // 2, wy0), ((wx0 + wx1) // 2, wy1), (245, 245, 245), max(2, width // 200))
    _fill_rows(world, horizon, height, (150, 128, 104), (122, 102, 82))
    if scene.setting == "classroom":
        cv2.rectangle(
            world,
            (width // 2 - width // 6, height // 6),
            (width // 2 + width // 4, horizon - height // 10),
            (38, 82, 60),
            -1,
        )
        cv2.rectangle(
            world,
            (width // 2 - width // 6, height // 6),
            (width // 2 + width // 4, horizon - height // 10),
            (150, 112, 70),
            max(2, width // 150),
        )
    elif scene.setting == "kitchen":
        cv2.rectangle(world, (0, horizon - height // 12), (width, horizon + height // 14), (168, 138, 98), -1)
        for cx in range(width // 2, width, width // 8):
            cv2.rectangle(world, (cx, height // 12), (cx + width // 9, height // 3), (190, 166, 128), -1)
    else:
        cv2.rectangle(
            world,
            (width // 2 + width // 8, horizon - height // 14),
            (width - width // 10, horizon + height // 16),
            (120, 86, 56),
            -1,
        )


def _paint_market(world: np.ndarray, horizon: int, rng: np.random.Generator, scene: Scene) -> None:
    height, width = world.shape[:2]
    _fill_rows(world, horizon, height, (196, 172, 138), (170, 146, 112))
    colours = list(scene.palette) or [(200, 50, 50), (240, 180, 40), (40, 120, 180)]
    stall_w = width // 6
    for index, x in enumerate(range(0, width, stall_w)):
        colour = colours[index % len(colours)]
        top = horizon - height // 4
        cv2.rectangle(world, (x + 4, top + height // 20), (x + stall_w - 4, horizon), (140, 104, 66), -1)
        for stripe, sx in enumerate(range(x, x + stall_w, max(2, stall_w // 6))):
            cv2.rectangle(
                world,
                (sx, top),
                (sx + stall_w // 6, top + height // 18),
                colour if stripe % 2 == 0 else (245, 240, 230),
                -1,
            )


def _paint_ground(world: np.ndarray, horizon: int, rng: np.random.Generator, scene: Scene) -> None:
    """A place the simulator has no set for: paved ground and a wall of blocks, so a camera move shows."""
    height, width = world.shape[:2]
    dim = 0.45 if scene.night else 1.0
    _fill_rows(world, horizon, height, _scale((150, 142, 128), dim), _scale((124, 116, 104), dim))
    step = max(8, width // 24)
    for row, y in enumerate(range(horizon, height, step)):
        offset = (step // 2) * (row % 2)
        for x in range(-offset, width, step * 2):
            shade = _scale((138, 130, 116), dim * float(rng.uniform(0.85, 1.05)))
            cv2.rectangle(world, (x, y), (x + step * 2 - 2, y + step - 2), shade, -1)
    block = max(10, width // 18)
    top = max(0, horizon - height // 5)
    for x in range(0, width, block):
        shade = _scale((176, 164, 146), dim * float(rng.uniform(0.8, 1.1)))
        cv2.rectangle(world, (x, top), (x + block - 2, horizon), shade, -1)


def _paint_stadium(world: np.ndarray, horizon: int, rng: np.random.Generator, scene: Scene) -> None:
    """Stands full of supporters in the palette's colours above a striped pitch, under floodlights."""
    height, width = world.shape[:2]
    dim = 0.55 if scene.night else 1.0
    stands_top = max(0, horizon - height // 2)
    _fill_rows(world, stands_top, horizon, _scale((70, 72, 80), dim), _scale((96, 98, 106), dim))
    colours = list(scene.palette) or [(210, 35, 40), (50, 160, 70), (240, 240, 236)]
    spacing = max(4, width // 110)
    for y in range(stands_top + spacing, horizon - spacing, spacing):
        for x in range(int(rng.integers(0, spacing)), width, spacing):
            if rng.random() < 0.8:
                colour = colours[int(rng.integers(0, len(colours)))]
                cv2.circle(world, (x, y), max(1, spacing // 3), _scale(colour, dim * float(rng.uniform(0.7, 1.0))), -1)
    for x in (width // 6, width // 2, 5 * width // 6):  # floodlights
        cv2.line(world, (x, stands_top), (x, max(0, stands_top - height // 8)), (60, 60, 66), max(1, width // 300))
        cv2.rectangle(
            world,
            (x - width // 40, max(0, stands_top - height // 8) - height // 50),
            (x + width // 40, max(0, stands_top - height // 8)),
            (250, 250, 230),
            -1,
        )
    stripe = max(6, width // 12)
    for index, x in enumerate(range(0, width, stripe)):
        green = (58, 140, 62) if index % 2 else (48, 124, 54)
        cv2.rectangle(world, (x, horizon), (x + stripe, height), _scale(green, dim), -1)
    cv2.line(
        world,
        (0, horizon + (height - horizon) // 3),
        (width, horizon + (height - horizon) // 3),
        _scale((235, 235, 230), dim),
        max(1, height // 200),
    )


SETTING_PAINTERS = {
    "beach": _paint_beach,
    "city_street": _paint_city,
    "studio": _paint_studio,
    "desert": _paint_desert,
    "forest": _paint_forest,
    "mountain": _paint_mountain,
    "office": _paint_indoor,
    "kitchen": _paint_indoor,
    "classroom": _paint_indoor,
    "market": _paint_market,
    "stadium": _paint_stadium,
    "ground": _paint_ground,
}


def _scale(colour: RGB, amount: float) -> RGB:
    return tuple(min(255, round(c * amount)) for c in colour)  # type: ignore[return-value]


def _subject_sprite(scene: Scene, frame_h: int) -> np.ndarray:
    """The subject as an RGBA sprite, shaded from the light side."""
    subject = scene.subject
    height = max(8, round(subject.height * frame_h))
    kind = subject.kind
    if kind == "animal":
        height = max(8, round(height * 0.6))
    elif kind == "vehicle":
        height = max(8, round(height * 0.55))
    width = max(6, round(height * {"animal": 1.5, "vehicle": 2.1, "object": 0.8, "product": 0.45}.get(kind, 0.42)))
    rgb = np.zeros((height, width, 3), np.uint8)
    alpha = np.zeros((height, width), np.uint8)
    for target, colour in ((rgb, subject.colour), (alpha, 255)):
        _draw_shape(target, kind, width, height, colour)
    if kind == "placeholder":
        # Darker outline so the grey figure reads against a grey background.
        contours, _hierarchy = cv2.findContours(
            (alpha > 127).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE
        )
        cv2.drawContours(rgb, contours, -1, (96, 96, 96), max(1, height // 60), cv2.LINE_AA)

    light = scene.light
    shade = np.ones(width, np.float32)
    if light.direction == "left":
        shade = np.linspace(1.2, 0.7, width, dtype=np.float32)
    elif light.direction == "right":
        shade = np.linspace(0.7, 1.2, width, dtype=np.float32)
    elif light.direction == "back":
        shade = np.full(width, 0.55, np.float32)
    shaded = np.clip(rgb.astype(np.float32) * shade[None, :, None], 0, 255).astype(np.uint8)
    if light.rim:
        ring = max(1, height // 50)
        inner = cv2.erode(alpha, np.ones((2 * ring + 1, 2 * ring + 1), np.uint8))
        shaded[(alpha > 127) & (inner < 128)] = (255, 238, 205)
    return np.dstack([shaded, alpha])


def _draw_shape(target: np.ndarray, kind: str, width: int, height: int, colour: RGB | int) -> None:
    aa = cv2.LINE_AA
    colour = colour if isinstance(colour, tuple) else (colour,)
    if kind in ("person", "placeholder"):
        head = max(2, round(width * 0.3))
        cv2.circle(target, (width // 2, head + 1), head, colour, -1, aa)
        body_top, body_w = 2 * head + max(1, height // 40), round(width * 0.46)
        _rounded_rect(target, width // 2 - body_w, body_top, width // 2 + body_w, height - 1, body_w, colour)
    elif kind == "product":
        neck_w, neck_h = max(2, width // 4), height // 4
        cv2.rectangle(target, (width // 2 - neck_w // 2, 0), (width // 2 + neck_w // 2, neck_h + 2), colour, -1, aa)
        _rounded_rect(target, 0, neck_h, width - 1, height - 1, width // 4, colour)
    elif kind == "animal":
        body_top = height // 4
        cv2.ellipse(target, (width // 2, body_top + height // 4), (width // 3, height // 4), 0, 0, 360, colour, -1, aa)
        cv2.circle(target, (width * 5 // 6, body_top), max(2, height // 6), colour, -1, aa)
        leg = max(1, width // 18)
        for x in (width // 4, width // 3 + leg * 2, width * 2 // 3 - leg * 2, width * 3 // 4):
            cv2.rectangle(target, (x - leg, body_top + height // 3), (x + leg, height - 1), colour, -1)
        cv2.line(target, (width // 6, body_top + height // 6), (2, body_top - height // 8), colour, max(1, leg), aa)
    elif kind == "vehicle":
        wheel = max(2, height // 4)
        _rounded_rect(target, 0, height // 3, width - 1, height - wheel, height // 8, colour)
        _rounded_rect(target, width // 4, 0, width * 3 // 4, height // 3 + 2, height // 8, colour)
        for x in (width // 5, width * 4 // 5):
            cv2.circle(target, (x, height - wheel - 1), wheel, (30, 30, 30) if len(colour) == 3 else colour, -1, aa)
    else:
        _rounded_rect(target, 0, height // 3, width - 1, height - 1, max(2, width // 10), colour)


def _rounded_rect(target: np.ndarray, x0: int, y0: int, x1: int, y1: int, radius: int, colour: tuple) -> None:
    radius = max(1, min(radius, (x1 - x0) // 2, (y1 - y0) // 2))
    cv2.rectangle(target, (x0 + radius, y0), (x1 - radius, y1), colour, -1)
    cv2.rectangle(target, (x0, y0 + radius), (x1, y1 - radius), colour, -1)
    for cx, cy in (
        (x0 + radius, y0 + radius),
        (x1 - radius, y0 + radius),
        (x0 + radius, y1 - radius),
        (x1 - radius, y1 - radius),
    ):
        cv2.circle(target, (cx, cy), radius, colour, -1, cv2.LINE_AA)


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in FONT_CANDIDATES:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _text_sprite(text: str, size: int, *, max_width: int, outlined: bool = False) -> np.ndarray:
    """White text on a semi-opaque dark box, as an RGBA array, shrunk to fit ``max_width`` when it can."""
    for candidate in range(size, MIN_FONT_SIZE - 1, -1):
        font = _font(candidate)
        left, top, right, bottom = font.getbbox(text)
        pad = max(2, candidate // 3)
        width, height = right - left + 2 * pad, bottom - top + 2 * pad
        if width <= max_width:
            break
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=pad, fill=(16, 16, 16, 165))
    if outlined:
        draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=pad, outline=(200, 200, 200, 220), width=1)
    draw.text((pad - left, pad - top), text, font=font, fill=(255, 255, 255, 255))
    return np.asarray(image, dtype=np.uint8).copy()


def _blend(
    target: np.ndarray, sprite: np.ndarray, left: int, top: int, *, keep: bool = False
) -> tuple[np.ndarray, int, int] | None:
    """Alpha-composite an RGBA sprite onto ``target`` in place, clipped to its bounds.

    With ``keep`` returns the pixels it covered (and where) so the caller can restore them.
    """
    height, width = target.shape[:2]
    y0, x0 = max(0, top), max(0, left)
    y1, x1 = min(height, top + sprite.shape[0]), min(width, left + sprite.shape[1])
    if y0 >= y1 or x0 >= x1:
        return None
    region = target[y0:y1, x0:x1]
    saved = (region.copy(), y0, x0) if keep else None
    patch = sprite[y0 - top : y1 - top, x0 - left : x1 - left]
    alpha = patch[..., 3:4].astype(np.uint16)
    mixed = (patch[..., :3].astype(np.uint16) * alpha + region.astype(np.uint16) * (255 - alpha) + 127) // 255
    region[...] = mixed.astype(np.uint8)
    return saved


def _colour_lut(scene: Scene) -> np.ndarray | None:
    """One per-channel lookup table for tint, contrast, brightness, sepia, fade and posterize."""
    light, filters = scene.light, scene.filters
    gain = light.gain
    if filters.saturation <= 0 and not filters.sepia:
        gain = (sum(gain) / 3,) * 3  # a tint would bring colour back into black and white
    values = np.arange(256, dtype=np.float32)
    channels = []
    for index in range(3):
        channel = (values * gain[index] - 128) * light.contrast * filters.contrast + 128 + light.brightness
        if filters.sepia:
            channel = np.clip(channel, 0, 255) * (1.0, 0.88, 0.68)[index] + (22, 10, 0)[index]
        if filters.fade:
            channel = filters.fade * 36 + channel * (1 - filters.fade * 0.28)
        if filters.posterize:
            step = 255 / (filters.posterize - 1)
            channel = np.round(np.clip(channel, 0, 255) / step) * step
        channels.append(np.clip(np.round(channel), 0, 255))
    lut = np.stack(channels, axis=1).astype(np.uint8)
    if np.array_equal(lut, np.repeat(values.astype(np.uint8)[:, None], 3, axis=1)):
        return None
    return lut.reshape(1, 256, 3)


def _vignette(width: int, height: int, strength: float) -> np.ndarray:
    ys, xs = np.ogrid[-1 : 1 : complex(0, height), -1 : 1 : complex(0, width)]
    radius = np.sqrt(xs**2 + ys**2) / math.sqrt(2)
    gain = np.clip(1 - strength * radius**2.2, 0, 1) * 255
    return np.ascontiguousarray(np.repeat(gain.astype(np.uint8)[..., None], 3, axis=2))


# --- encoding ------------------------------------------------------------------------


def write_mp4(
    frames: Iterator[np.ndarray] | SceneRenderer,
    path: Path,
    *,
    width: int,
    height: int,
    fps: int,
    threads: int = 1,
    preset: str = "superfast",
    crf: int = 23,
    comment: str = "",
) -> int:
    """Encode RGB frames as H.264 (yuv420p) in a fast-start MP4; returns the frame count.

    One encoder thread by default: x264 output then depends only on its input,
    so a seed gives byte-identical files on every machine.
    """
    count = 0
    with av.open(str(path), mode="w", format="mp4", options={"movflags": "faststart"}) as container:
        if comment:
            container.metadata["comment"] = comment
        stream = container.add_stream("libx264", rate=fps, options={"preset": preset, "crf": str(crf)})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = Fraction(1, fps)
        stream.codec_context.thread_count = threads
        for rgb in frames:
            frame = av.VideoFrame.from_ndarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420), format="yuv420p")
            frame.pts = count
            frame.time_base = Fraction(1, fps)
            for packet in stream.encode(frame):
                container.mux(packet)
            count += 1
        for packet in stream.encode(None):
            container.mux(packet)
    return count


def render_scene(scene: Scene, path: Path, *, threads: int = 1) -> int:
    """Render ``scene`` to an MP4 at ``path``; returns the number of frames written."""
    renderer = SceneRenderer(scene)
    return write_mp4(
        renderer, path, width=scene.width, height=scene.height, fps=scene.fps, threads=threads, comment=scene.mark_text
    )
