"""Weight-free analysis of any MP4/WebM video: metrics for grading, poster, contact sheet, web copy.

Public surface of the video side of grading. Decoding is streamed with PyAV and only about
``max_samples`` small frames (short side 180 px, sampled at about 8 fps) are kept, so a long or large
file never sits in memory. Sharpness is the median Laplacian variance of the sampled frames resized to
a 360 px short side (upscaled when smaller), so values compare across resolutions.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from .video import metrics
from .video.errors import VideoAnalysisError
from .video.frames import sample_frames
from .video.images import make_contact_sheet, make_poster
from .video.rendition import make_web_rendition
from .video.source import VideoInfo, header_info, open_video, probe_video

__all__ = [
    "VideoAnalysisError",
    "VideoInfo",
    "VideoMetrics",
    "analyse_video",
    "make_contact_sheet",
    "make_poster",
    "make_web_rendition",
    "probe_video",
]

# Exposure heuristics from the research notes (section 2), on 0-255 luma.
EXPOSURE_MIN_MEAN = 40 / 255
EXPOSURE_MAX_MEAN = 220 / 255
EXPOSURE_MAX_CLIPPED = 0.25
EXPOSURE_MIN_CONTRAST = 0.08


@dataclass(frozen=True)
class VideoMetrics:
    duration_s: float
    fps: float
    frame_count: int  # frames actually decoded
    width: int
    height: int
    codec: str
    decode_errors: int  # frames lost: undecodable packets, or frames indexed by the container but missing
    sampled_frames: int
    dynamic_degree: float  # share of sampled pairs judged moving (0..1)
    is_moving: bool  # VBench rule on Farneback flow, see metrics.motion_stats
    motion_magnitude: float  # mean flow magnitude / frame diagonal
    flicker: float | None  # VBench temporal flickering; None when the clip moves (motion reads as flicker)
    smoothness: float | None  # flow-midpoint proxy of AMT smoothness; None under 3 sampled frames
    scene_cuts: int
    cut_times_s: tuple[float, ...]
    brightness: float  # mean luma / 255
    contrast: float  # RMS contrast, std(Y / 255)
    clipped_fraction: float  # share of pixels with Y <= 5 or Y >= 250
    sharpness: float  # median Laplacian variance at a 360 px short side
    dominant_colours: tuple[str, ...]  # colour keys (labs.grading.colours), most prominent first
    colour_fractions: dict[str, float]  # key -> median area fraction over sampled frames
    frozen: bool  # every consecutive sampled-frame MAE < 0.5

    @property
    def exposure_ok(self) -> bool:
        return (
            EXPOSURE_MIN_MEAN <= self.brightness <= EXPOSURE_MAX_MEAN
            and self.clipped_fraction < EXPOSURE_MAX_CLIPPED
            and self.contrast >= EXPOSURE_MIN_CONTRAST
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable copy with rounded floats, plus ``exposure_ok``."""
        data = {key: _rounded(value) for key, value in asdict(self).items()}
        data["exposure_ok"] = self.exposure_ok
        return data


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4) if math.isfinite(value) else None
    if isinstance(value, tuple | list):
        return [_rounded(item) for item in value]
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    return value


def analyse_video(
    path: str | Path, *, sample_fps: float = 8.0, max_samples: int = 96, max_bytes: int | None = None
) -> VideoMetrics:
    """Decode ``path`` once and compute every metric. Raises VideoAnalysisError for bad input.

    ``max_bytes`` defaults to the LABS_VIDEO_MAX_BYTES setting (500 MB).
    """
    if sample_fps <= 0 or max_samples < 2:
        raise ValueError("sample_fps must be positive and max_samples at least 2")
    with open_video(path, max_bytes=max_bytes) as (container, stream):
        info = header_info(container, stream)
        decoded = sample_frames(container, stream, info, sample_fps=sample_fps, max_samples=max_samples)
    if not decoded.frames:
        raise VideoAnalysisError("corrupt", detail=f"{decoded.decode_errors} decode errors, no frame")

    frames = [sample.bgr for sample in decoded.frames]
    greys = [cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) for frame in frames]
    hsv_frames = [cv2.cvtColor(frame, cv2.COLOR_BGR2HSV) for frame in frames]
    maes = metrics.consecutive_mae(frames)
    motion = metrics.motion_stats(greys)
    light = metrics.exposure(greys)
    fractions = metrics.colour_fractions(hsv_frames)
    fps = info.fps or _measured_fps(decoded.frame_count, decoded.first_time_s, decoded.last_time_s)

    return VideoMetrics(
        duration_s=_decoded_duration(decoded.frame_count, decoded.first_time_s, decoded.last_time_s, fps),
        fps=fps,
        frame_count=decoded.frame_count,
        width=info.width,
        height=info.height,
        codec=info.codec,
        decode_errors=decoded.decode_errors,
        sampled_frames=len(frames),
        dynamic_degree=motion.dynamic_degree,
        is_moving=motion.is_moving,
        motion_magnitude=motion.motion_magnitude,
        flicker=None if motion.is_moving else metrics.temporal_flicker(maes),
        smoothness=metrics.motion_smoothness(frames, greys),
        scene_cuts=len(decoded.cut_times_s),
        cut_times_s=tuple(time_s - decoded.first_time_s for time_s in decoded.cut_times_s),
        brightness=light.brightness,
        contrast=light.contrast,
        clipped_fraction=light.clipped_fraction,
        sharpness=float(np.median([sample.sharpness for sample in decoded.frames])),
        dominant_colours=metrics.dominant_colours(fractions),
        colour_fractions=fractions,
        frozen=metrics.is_frozen(maes),
    )


def _measured_fps(frame_count: int, first: float, last: float) -> float:
    return (frame_count - 1) / (last - first) if frame_count > 1 and last > first else 0.0


def _decoded_duration(frame_count: int, first: float, last: float, fps: float) -> float:
    """Span of what actually decoded (a truncated file is shorter than its header claims)."""
    return (last - first) + (1.0 / fps if fps else 0.0) if frame_count else 0.0
