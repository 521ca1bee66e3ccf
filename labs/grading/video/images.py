"""Still images of a video: a poster frame and a timestamped contact sheet (JPEG, Pillow)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .errors import VideoAnalysisError
from .frames import frames_at
from .output import atomic_destination
from .source import header_info, open_video

POSTER_MAX_WIDTH = 1280
JPEG_QUALITY = 85
_LABEL_HEIGHT = 22
_GAP = 4
_BACKGROUND = (24, 24, 27)
_TEXT = (235, 235, 235)


def _timestamp(seconds: float) -> str:
    minutes, rest = divmod(max(0.0, seconds), 60)
    return f"{int(minutes)}:{rest:04.1f}"


def _target_times(duration: float, fps: float, fractions: list[float]) -> list[float]:
    # The last frame starts one frame before the end: never aim past it.
    last = max(0.0, duration - (1.0 / fps if fps else 0.0))
    return [min(last, max(0.0, fraction) * duration) for fraction in fractions]


def _extract(path: str | Path, fractions: list[float]) -> list[tuple[float, Image.Image]]:
    with open_video(path) as (container, stream):
        info = header_info(container, stream)
        times = _target_times(info.duration_s, info.fps, fractions)
        stills = [
            (target if frame.time is None else float(frame.time), frame.to_image())
            for target, frame in frames_at(container, stream, times, info.fps)
        ]
    if not stills:
        raise VideoAnalysisError("corrupt", detail="no frame decoded for stills")
    return stills


def make_poster(path: str | Path, destination: Path, *, at: float = 0.5) -> Path:
    """JPEG of the frame at ``at`` (0..1) of the duration, at most POSTER_MAX_WIDTH wide."""
    destination = Path(destination)
    (_, image), *_ = _extract(path, [min(1.0, at)])
    if image.width > POSTER_MAX_WIDTH:
        image = image.resize((POSTER_MAX_WIDTH, round(image.height * POSTER_MAX_WIDTH / image.width)), Image.LANCZOS)
    with atomic_destination(destination) as temporary:
        image.save(temporary, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return destination


def make_contact_sheet(
    path: str | Path, destination: Path, *, columns: int = 4, rows: int = 3, tile_width: int = 240
) -> Path:
    """JPEG grid of ``columns`` x ``rows`` evenly spaced frames, each with its timestamp underneath."""
    if columns < 1 or rows < 1 or tile_width < 16:
        raise ValueError("columns and rows must be at least 1 and tile_width at least 16")
    destination = Path(destination)
    count = columns * rows
    stills = _extract(path, [(i + 0.5) / count for i in range(count)])
    first = stills[0][1]
    tile_height = max(1, round(tile_width * first.height / first.width))
    sheet = Image.new(
        "RGB",
        (columns * tile_width + (columns + 1) * _GAP, rows * (tile_height + _LABEL_HEIGHT) + (rows + 1) * _GAP),
        _BACKGROUND,
    )
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=14)
    for index, (time_s, image) in enumerate(stills):
        column, row = index % columns, index // columns
        left = _GAP + column * (tile_width + _GAP)
        top = _GAP + row * (tile_height + _LABEL_HEIGHT + _GAP)
        sheet.paste(image.resize((tile_width, tile_height), Image.LANCZOS), (left, top))
        draw.text(
            (left + tile_width / 2, top + tile_height + _LABEL_HEIGHT / 2),
            _timestamp(time_s),
            fill=_TEXT,
            font=font,
            anchor="mm",
        )
    with atomic_destination(destination) as temporary:
        sheet.save(temporary, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return destination
