"""The visible « Généré par IA » mark, burnt into every frame of a video and into images.

The badge (white text on a dark rounded plate) is drawn once per size with
Pillow and alpha-blended with numpy; the video is encoded again as H.264
yuv420p in a fast-start MP4 (the web rendition's format) and an audio track is
re-encoded to AAC. Video frames are blended in YUV, on the badge's rectangle
only: converting whole frames to RGB and back cost four times the encode.
"""

from __future__ import annotations

import functools
import os
import tempfile
from fractions import Fraction
from pathlib import Path

import av
import av.error
import numpy as np
from PIL import Image, ImageDraw, ImageFont

_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
X264_OPTIONS = {"crf": "23", "preset": "veryfast"}


class MarkError(Exception):
    """The video could not be decoded or written while marking it."""


@functools.lru_cache(maxsize=16)
def badge(text: str, short_side: int) -> np.ndarray:
    """RGBA pixels of the mark for a frame whose short side is ``short_side`` (text 5 % of it: legible from 240p)."""
    size = max(10, round(short_side * 0.05))
    try:
        font = ImageFont.truetype(str(_FONT), size)
    except OSError:
        font = ImageFont.load_default(size)
    left, top, right, bottom = font.getbbox(text)
    pad_x, pad_y = round(size * 0.6), round(size * 0.35)
    width, height = right - left + 2 * pad_x, bottom - top + 2 * pad_y
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=round(size * 0.4), fill=(17, 24, 39, 200))
    draw.text((pad_x - left, pad_y - top), text, font=font, fill=(255, 255, 255, 255))
    return np.asarray(image)


def _origin(frame_w: int, frame_h: int, mark_w: int, mark_h: int, position: str) -> tuple[int, int]:
    margin = max(4, round(min(frame_w, frame_h) * 0.03))
    x = margin if position.endswith("left") else frame_w - mark_w - margin
    y = margin if position.startswith("top") else frame_h - mark_h - margin
    return max(0, x), max(0, y)


def stamp(pixels: np.ndarray, *, text: str, position: str, opacity: float) -> np.ndarray:
    """Blend the mark into an RGB frame (H×W×3 uint8) in place and return it."""
    frame_h, frame_w = pixels.shape[:2]
    mark = badge(text, min(frame_h, frame_w))
    mark = mark[:frame_h, :frame_w]
    mark_h, mark_w = mark.shape[:2]
    x, y = _origin(frame_w, frame_h, mark_w, mark_h, position)
    alpha = mark[..., 3:4].astype(np.float32) * (opacity / 255.0)
    region = pixels[y : y + mark_h, x : x + mark_w].astype(np.float32)
    blended = region * (1.0 - alpha) + mark[..., :3].astype(np.float32) * alpha
    pixels[y : y + mark_h, x : x + mark_w] = blended.round().astype(np.uint8)
    return pixels


@functools.lru_cache(maxsize=16)
def yuv_badge(text: str, short_side: int) -> tuple[np.ndarray, ...]:
    """The badge as BT.601 limited-range Y, U, V planes with its alpha, full and half resolution (4:2:0)."""
    rgba = badge(text, short_side).astype(np.float32)
    h, w = rgba.shape[:2]
    rgba = np.pad(rgba, ((0, h % 2), (0, w % 2), (0, 0)))  # even sides, for the half-resolution planes
    r, g, b, alpha = (rgba[..., i] for i in range(4))
    y = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255
    u = 128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255
    v = 128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255
    alpha = alpha / 255

    def half(plane: np.ndarray) -> np.ndarray:
        return plane.reshape(plane.shape[0] // 2, 2, plane.shape[1] // 2, 2).mean(axis=(1, 3))

    # Chroma of a half-transparent edge is weighted by its alpha, as the full-resolution blend would be.
    alpha_half = half(alpha)
    safe = np.where(alpha_half > 0, alpha_half, 1)
    return y, alpha, half(u * alpha) / safe, half(v * alpha) / safe, alpha_half


def _planes(frame: av.VideoFrame) -> list[np.ndarray]:
    return [
        np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)[:, : plane.width]
        for plane in frame.planes
    ]


def stamp_yuv420(frame: av.VideoFrame, *, text: str, position: str, opacity: float) -> av.VideoFrame:
    """A new yuv420p frame: ``frame`` (same size, even sides) with the mark blended in."""
    width, height = frame.width, frame.height
    marked = av.VideoFrame(width, height, "yuv420p")
    luma, u_plane, v_plane = _planes(marked)
    for target, source in zip((luma, u_plane, v_plane), _planes(frame), strict=True):
        target[...] = source
    y, alpha, u, v, alpha_half = yuv_badge(text, min(width, height))
    mark_h, mark_w = min(y.shape[0], height) // 2 * 2, min(y.shape[1], width) // 2 * 2
    x0, y0 = _origin(width, height, mark_w, mark_h, position)
    x0, y0 = x0 // 2 * 2, y0 // 2 * 2
    for plane, values, weight, scale in ((luma, y, alpha, 1), (u_plane, u, alpha_half, 2), (v_plane, v, alpha_half, 2)):
        rows, cols = slice(y0 // scale, (y0 + mark_h) // scale), slice(x0 // scale, (x0 + mark_w) // scale)
        region = plane[rows, cols].astype(np.float32)
        a = weight[: region.shape[0], : region.shape[1]] * opacity
        blended = region * (1 - a) + values[: region.shape[0], : region.shape[1]] * a
        plane[rows, cols] = blended.round().clip(0, 255).astype(np.uint8)
    return marked


def mark_image(source: Path, destination: Path, *, text: str, position: str, opacity: float) -> Path:
    """Write ``source`` (any Pillow image) with the mark as a JPEG at ``destination``."""
    with Image.open(source) as image:
        pixels = np.array(image.convert("RGB"))
    stamp(pixels, text=text, position=position, opacity=opacity)
    _atomic_save(lambda path: Image.fromarray(pixels).save(path, "JPEG", quality=88), destination)
    return destination


def mark_video(source: Path, destination: Path, *, text: str, position: str, opacity: float) -> Path:
    """Re-encode ``source`` with the mark on every frame (H.264 yuv420p + AAC, fast start)."""

    def write(path: Path) -> None:
        try:
            _transcode(source, path, text=text, position=position, opacity=opacity)
        except (av.error.FFmpegError, ValueError) as exc:
            raise MarkError(f"cannot mark the video: {exc}") from exc

    _atomic_save(write, destination)
    return destination


def _transcode(source: Path, target_path: Path, *, text: str, position: str, opacity: float) -> None:
    with av.open(str(source)) as container:
        if not container.streams.video:
            raise MarkError("no video stream")
        video_in = container.streams.video[0]
        audio_in = container.streams.audio[0] if container.streams.audio else None
        rate = Fraction(video_in.average_rate or video_in.guessed_rate or 24).limit_denominator(1001)
        width = video_in.codec_context.width // 2 * 2
        height = video_in.codec_context.height // 2 * 2
        with av.open(str(target_path), mode="w", format="mp4", options={"movflags": "+faststart"}) as target:
            video_out = target.add_stream("libx264", rate=rate, options=dict(X264_OPTIONS))
            video_out.width, video_out.height, video_out.pix_fmt = width, height, "yuv420p"
            video_out.codec_context.time_base = 1 / rate
            audio_out = None
            if audio_in is not None and audio_in.codec_context.sample_rate:
                audio_out = target.add_stream("aac", rate=audio_in.codec_context.sample_rate)
                audio_out.layout = "stereo" if audio_in.codec_context.channels > 1 else "mono"
            streams = [video_in] if audio_out is None else [video_in, audio_in]
            written = 0
            for packet in container.demux(streams):
                for frame in packet.decode():
                    if packet.stream is video_in:
                        if frame.format.name != "yuv420p" or (frame.width, frame.height) != (width, height):
                            frame = frame.reformat(width=width, height=height, format="yuv420p")
                        picture = stamp_yuv420(frame, text=text, position=position, opacity=opacity)
                        picture.pts, picture.time_base = written, video_out.codec_context.time_base
                        target.mux(video_out.encode(picture))
                        written += 1
                    elif audio_out is not None:
                        frame.pts = None
                        target.mux(audio_out.encode(frame))
            target.mux(video_out.encode(None))
            if audio_out is not None:
                target.mux(audio_out.encode(None))
    if not written:
        raise MarkError("no frame decoded")


def _atomic_save(write, destination: Path) -> None:
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.stem}-", suffix=destination.suffix)
    os.close(handle)
    try:
        write(Path(name))
        os.replace(name, destination)
    finally:
        Path(name).unlink(missing_ok=True)
