"""Opening a video file safely: size and resolution guards, container sniffing, header probe."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

import av
import av.error
from av.container import InputContainer
from av.video.stream import VideoStream

from .errors import VideoAnalysisError

DEFAULT_MAX_BYTES = 500 * 1024 * 1024
MAX_DIMENSION = 4096
# FFmpeg demuxer names we accept: MP4/MOV family and Matroska/WebM. Anything else FFmpeg can open
# (a PNG, an SRT file, raw text probed as some exotic format) is not a video a learner should submit.
ACCEPTED_FORMATS = frozenset({"mov", "mp4", "m4a", "3gp", "3g2", "mj2", "matroska", "webm"})
# Box types that may open an ISO-BMFF file, and the EBML magic of Matroska/WebM: a file starting
# with one of them *is* a video container, so failing to open it means damage, not a wrong file type.
_ISO_BMFF_BOXES = frozenset({b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot"})
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"


class VideoInfo(NamedTuple):
    """What the container header says, before decoding anything."""

    duration_s: float
    fps: float
    frame_count: int
    width: int
    height: int
    codec: str


def configured_max_bytes() -> int:
    """``LABS_VIDEO_MAX_BYTES`` from Django settings when available, else 500 MB."""
    from django.conf import settings

    if settings.configured:
        return int(getattr(settings, "LABS_VIDEO_MAX_BYTES", DEFAULT_MAX_BYTES))
    return DEFAULT_MAX_BYTES


def looks_like_video_container(head: bytes) -> bool:
    return head[4:8] in _ISO_BMFF_BOXES or head.startswith(_EBML_MAGIC)


def _accepted_format(container: InputContainer) -> bool:
    return bool(set(container.format.name.split(",")) & ACCEPTED_FORMATS)


@contextmanager
def open_video(path: str | Path, *, max_bytes: int | None = None) -> Iterator[tuple[InputContainer, VideoStream]]:
    """Open ``path`` and yield its container and first video stream, or raise VideoAnalysisError.

    A missing file raises FileNotFoundError: that is an infrastructure fault, not a learner's bad input.
    """
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise VideoAnalysisError("empty_file")
    limit = configured_max_bytes() if max_bytes is None else max_bytes
    if size > limit:
        raise VideoAnalysisError("too_large", detail=f"{size} bytes > {limit}")
    with path.open("rb") as handle:
        head = handle.read(16)

    try:
        container = av.open(str(path), mode="r", metadata_errors="ignore")
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        code = "corrupt" if looks_like_video_container(head) else "not_a_video"
        raise VideoAnalysisError(code, detail=str(exc)) from exc

    try:
        if not _accepted_format(container):
            raise VideoAnalysisError("not_a_video", detail=f"container format {container.format.name}")
        if not container.streams.video:
            # An audio-only MP4/M4A is a real media file with the wrong content; anything else is not media.
            code = "no_video_stream" if container.streams.audio else "not_a_video"
            raise VideoAnalysisError(code)
        stream = container.streams.video[0]
        width, height = stream.codec_context.width, stream.codec_context.height
        if width <= 0 or height <= 0:
            raise VideoAnalysisError("corrupt", detail="video stream without dimensions")
        if width > MAX_DIMENSION or height > MAX_DIMENSION:
            raise VideoAnalysisError("too_large", detail=f"{width}x{height}")
        yield container, stream
    finally:
        container.close()


def stream_fps(stream: VideoStream) -> float:
    rate: Fraction | None = stream.average_rate or stream.guessed_rate or stream.base_rate
    return float(rate) if rate else 0.0


def header_info(container: InputContainer, stream: VideoStream) -> VideoInfo:
    fps = stream_fps(stream)
    if stream.duration and stream.time_base:
        duration = float(stream.duration * stream.time_base)
    elif container.duration:
        duration = container.duration / av.time_base
    else:
        duration = 0.0
    frames = stream.frames or (round(duration * fps) if fps else 0)
    return VideoInfo(
        duration_s=duration,
        fps=fps,
        frame_count=int(frames),
        width=stream.codec_context.width,
        height=stream.codec_context.height,
        codec=stream.codec_context.name,
    )


def probe_video(path: str | Path, *, max_bytes: int | None = None) -> VideoInfo:
    """Header-only facts (cheap: nothing is decoded). Raises VideoAnalysisError for bad input."""
    with open_video(path, max_bytes=max_bytes) as (container, stream):
        return header_info(container, stream)
