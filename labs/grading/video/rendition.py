"""A copy of any accepted video that every browser plays: H.264 yuv420p + AAC in a fast-start MP4."""

from __future__ import annotations

import shutil
import struct
from fractions import Fraction
from pathlib import Path

import av
import av.error
from av.audio.stream import AudioStream
from av.container import InputContainer, OutputContainer
from av.video.stream import VideoStream

from .errors import VideoAnalysisError
from .output import atomic_destination
from .source import open_video

X264_OPTIONS = {"crf": "23", "preset": "veryfast"}
AAC_BITRATE = 128_000
_FALLBACK_RATE = Fraction(24)


def rendition_size(width: int, height: int, max_width: int) -> tuple[int, int]:
    """Fit within ``max_width`` keeping the aspect ratio; both sides even, as yuv420p requires."""
    target_width = min(width, max_width)
    target_height = height * target_width / width
    return max(2, int(target_width) // 2 * 2), max(2, round(target_height / 2) * 2)


def make_web_rendition(path: str | Path, destination: Path, *, max_width: int = 1280) -> Path:
    """Transcode to H.264 (libx264, yuv420p, even size, at most ``max_width`` wide) with the moov atom first.

    Frames are re-timed at a constant rate (the source's average rate), which also repairs odd timestamps;
    the first audio track, if any, is re-encoded to AAC. Undecodable packets are skipped.
    """
    destination = Path(destination)
    with open_video(path) as (source, video_in), atomic_destination(destination) as temporary:
        audio_in = source.streams.audio[0] if source.streams.audio else None
        if _already_web_ready(Path(path), source, video_in, audio_in, max_width):
            # Our own renders already are: copying saves a decode and an encode per attempt.
            shutil.copyfile(path, temporary)
            return destination
        with av.open(str(temporary), mode="w", format="mp4", options={"movflags": "+faststart"}) as target:
            written = _transcode(source, video_in, audio_in, target, max_width)
        if not written:
            raise VideoAnalysisError("corrupt", detail="no frame decoded for the web rendition")
    return destination


def _already_web_ready(
    path: Path, source: InputContainer, video_in: VideoStream, audio_in: AudioStream | None, max_width: int
) -> bool:
    context = video_in.codec_context
    return (
        "mp4" in source.format.name
        and context.name == "h264"
        and context.pix_fmt == "yuv420p"
        and context.width <= max_width
        and context.width % 2 == 0
        and context.height % 2 == 0
        and (audio_in is None or audio_in.codec_context.name == "aac")
        and _moov_before_mdat(path)
    )


def _moov_before_mdat(path: Path) -> bool:
    """True when the MP4's index (moov) comes before its data (mdat): playback starts before the download ends."""
    with path.open("rb") as handle:
        while header := handle.read(8):
            if len(header) < 8:
                return False
            size, kind = struct.unpack(">I4s", header)
            if kind == b"moov":
                return True
            if kind == b"mdat":
                return False
            if size == 1:  # 64-bit size follows
                size = struct.unpack(">Q", handle.read(8))[0] - 8
            if size < 8:
                return False
            handle.seek(size - 8, 1)
    return False


def _transcode(
    source: InputContainer,
    video_in: VideoStream,
    audio_in: AudioStream | None,
    target: OutputContainer,
    max_width: int,
) -> int:
    rate = Fraction(video_in.average_rate or video_in.guessed_rate or _FALLBACK_RATE).limit_denominator(1001)
    width, height = rendition_size(video_in.codec_context.width, video_in.codec_context.height, max_width)
    video_out = target.add_stream("libx264", rate=rate, options=dict(X264_OPTIONS))
    video_out.width, video_out.height, video_out.pix_fmt = width, height, "yuv420p"
    video_out.codec_context.time_base = 1 / rate
    audio_out = None
    if audio_in is not None and audio_in.codec_context.sample_rate:
        audio_out = target.add_stream("aac", rate=audio_in.codec_context.sample_rate)
        audio_out.layout = "stereo" if audio_in.codec_context.channels > 1 else "mono"
        audio_out.bit_rate = AAC_BITRATE

    video_in.thread_type = "AUTO"
    streams = [video_in] if audio_out is None else [video_in, audio_in]
    written = 0
    packets = source.demux(streams)
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            break
        except (av.error.FFmpegError, ValueError):
            break  # broken container structure: keep what decoded so far
        try:
            frames = packet.decode()
        except (av.error.FFmpegError, ValueError):
            continue
        for frame in frames:
            if packet.stream is video_in:
                picture = frame.reformat(width=width, height=height, format="yuv420p", interpolation="AREA")
                picture.pts, picture.time_base = written, video_out.codec_context.time_base
                target.mux(video_out.encode(picture))
                written += 1
            elif audio_out is not None:
                frame.pts = None  # let the encoder's resampler number samples continuously
                target.mux(audio_out.encode(frame))
    target.mux(video_out.encode(None))
    if audio_out is not None:
        target.mux(audio_out.encode(None))
    return written
