"""Streaming decode: keep only a bounded, evenly spaced set of small frames.

Every packet of the stream is decoded (inter-frame codecs need it), but only the sampled frames are
converted to numpy, already downscaled by swscale, so memory stays bounded whatever the file length.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import av
import av.error
import cv2
import numpy as np
from av.container import InputContainer
from av.video.frame import VideoFrame
from av.video.reformatter import VideoReformatter
from av.video.stream import VideoStream

from .metrics import ContentCutDetector
from .source import VideoInfo

ANALYSIS_SHORT_SIDE = 128
# Laplacian variance depends on scale, so sharpness is always measured at this short side
# (small videos are upscaled, which rightly lowers their score).
SHARPNESS_SHORT_SIDE = 360
# PySceneDetect downscales to about this width before detecting cuts; the score is a mean, so size barely matters.
CUT_DETECTION_WIDTH = 256
# Longest decode gap bridged by decoding forward instead of seeking, when extracting stills.
_SEEK_GAP_S = 3.0


@dataclass
class SampledFrame:
    time_s: float
    bgr: np.ndarray  # uint8, analysis size
    sharpness: float  # Laplacian variance at SHARPNESS_SHORT_SIDE


@dataclass
class DecodedSamples:
    frames: list[SampledFrame] = field(default_factory=list)
    frame_count: int = 0  # frames actually decoded
    # Undecodable packets, or frames the container index lists but that never came if that is more.
    decode_errors: int = 0
    first_time_s: float = 0.0
    last_time_s: float = 0.0
    cut_times_s: list[float] = field(default_factory=list)


def scaled_size(width: int, height: int, short_side: int, *, upscale: bool = False) -> tuple[int, int]:
    """(width, height) with the short side set to ``short_side``, both even, aspect kept."""
    current = min(width, height)
    scale = short_side / current
    if scale > 1 and not upscale:
        scale = 1.0
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def laplacian_variance(grey: np.ndarray) -> float:
    _, std = cv2.meanStdDev(cv2.Laplacian(grey, cv2.CV_64F))
    return float(std[0, 0] ** 2)


def _frame_time(frame: VideoFrame, index: int, fps: float) -> float:
    if frame.time is not None:
        return float(frame.time)
    return index / fps if fps else float(index)


def iter_decoded(container: InputContainer, stream: VideoStream, errors: list[int]) -> Iterator[VideoFrame]:
    """Yield decodable frames; count undecodable packets in ``errors[0]`` instead of raising."""
    packets = container.demux(stream)
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            return
        except (av.error.FFmpegError, ValueError):
            # The demuxer cannot resync after a broken container structure: keep what we have.
            errors[0] += 1
            return
        try:
            decoded = packet.decode()
        except (av.error.FFmpegError, ValueError):
            errors[0] += 1
            continue
        yield from decoded


def sample_frames(
    container: InputContainer,
    stream: VideoStream,
    info: VideoInfo,
    *,
    sample_fps: float,
    max_samples: int,
    threaded: bool = True,
) -> DecodedSamples:
    if threaded:
        stream.thread_type = "AUTO"
    fps = info.fps or sample_fps
    step = max(1, round(fps / sample_fps))
    if info.frame_count:
        step = max(step, math.ceil(info.frame_count / max_samples))
    analysis_size = scaled_size(info.width, info.height, ANALYSIS_SHORT_SIDE)
    sharp_size = scaled_size(info.width, info.height, SHARPNESS_SHORT_SIDE, upscale=True)
    cut_width = min(info.width, CUT_DETECTION_WIDTH)
    cut_size = (cut_width, max(2, round(info.height * cut_width / info.width)))
    cuts = ContentCutDetector()
    # One reformatter per output size: each keeps its swscale context, which frame.to_ndarray(width=...)
    # would rebuild on every call (about 50x slower).
    scalers = _Scalers(VideoReformatter(), VideoReformatter(), VideoReformatter())

    result = DecodedSamples()
    errors = [0]
    index = 0
    for frame in iter_decoded(container, stream, errors):
        time_s = _frame_time(frame, index, fps)
        if index == 0:
            result.first_time_s = time_s
        result.last_time_s = time_s
        try:
            small = scalers.cuts.reformat(frame, width=cut_size[0], height=cut_size[1], format="bgr24")
            cuts.push(small.to_ndarray(), time_s)
        except (av.error.FFmpegError, ValueError):
            errors[0] += 1
        if index % step == 0:
            try:
                result.frames.append(_sample(frame, time_s, scalers, analysis_size, sharp_size))
            except (av.error.FFmpegError, ValueError):
                errors[0] += 1
            if len(result.frames) > max_samples:
                # Header frame counts can be missing or wrong (WebM): halve the sampling rate on the fly.
                # Kept samples stay aligned because the list always starts at frame 0.
                result.frames = result.frames[::2]
                step *= 2
        index += 1
    result.frame_count = index
    # MP4 indexes list every frame (WebM reports 0): a truncated file decodes fewer than announced.
    # A packet that fails to decode is one of those missing frames, hence max and not sum.
    result.decode_errors = max(errors[0], stream.frames - index)
    result.cut_times_s = cuts.cut_times_s
    return result


@dataclass(frozen=True)
class _Scalers:
    cuts: VideoReformatter
    analysis: VideoReformatter
    sharpness: VideoReformatter


def _sample(
    frame: VideoFrame,
    time_s: float,
    scalers: _Scalers,
    analysis_size: tuple[int, int],
    sharp_size: tuple[int, int],
) -> SampledFrame:
    (width, height), (sharp_width, sharp_height) = analysis_size, sharp_size
    bgr = scalers.analysis.reformat(frame, width=width, height=height, format="bgr24", interpolation="AREA")
    grey = scalers.sharpness.reformat(
        frame, width=sharp_width, height=sharp_height, format="gray", interpolation="AREA"
    )
    return SampledFrame(time_s=time_s, bgr=bgr.to_ndarray(), sharpness=laplacian_variance(grey.to_ndarray()))


def frames_at(
    container: InputContainer, stream: VideoStream, times: Iterable[float], fps: float
) -> Iterator[tuple[float, VideoFrame]]:
    """Yield (target time, first frame at or after it) for increasing target times.

    Seeks (to the keyframe before the target) only across long gaps; otherwise decodes forward, so
    clips with a single keyframe do not get decoded from the start once per still.
    """
    errors = [0]
    half_frame = 0.5 / fps if fps else 0.0
    decoded: Iterator[VideoFrame] = iter_decoded(container, stream, errors)
    current_time = -math.inf
    last: VideoFrame | None = None
    index = 0
    for target in times:
        if stream.time_base and target - current_time > _SEEK_GAP_S:
            container.seek(int(target / stream.time_base), stream=stream, backward=True)
            decoded = iter_decoded(container, stream, errors)
        for frame in decoded:
            last = frame
            current_time = _frame_time(frame, index, fps)
            index += 1
            if current_time >= target - half_frame:
                break
        if last is None:
            return
        yield target, last
