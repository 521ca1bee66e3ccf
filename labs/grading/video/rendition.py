"""A copy of any accepted video that every browser plays: H.264 yuv420p + AAC in a fast-start MP4."""

from __future__ import annotations

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
        with av.open(str(temporary), mode="w", format="mp4", options={"movflags": "+faststart"}) as target:
            written = _transcode(source, video_in, audio_in, target, max_width)
        if not written:
            raise VideoAnalysisError("corrupt", detail="no frame decoded for the web rendition")
    return destination


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
