"""Sample media for the provenance tests (the signing fixtures are in tests/conftest.py)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image


def write_video(path: Path, *, frames: int = 12, size: tuple[int, int] = (160, 90), colour=(40, 90, 160)) -> Path:
    import av

    width, height = size
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=12)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(frames):
            pixels = np.full((height, width, 3), colour, dtype=np.uint8)
            pixels[10:30, index * 4 : index * 4 + 20] = 240
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def photo_bytes() -> bytes:
    """A JPEG "photo" (a gradient) with no credentials."""
    y, x = np.mgrid[0:120, 0:160]
    pixels = np.stack([x * 255 // 160, y * 255 // 120, np.full_like(x, 128)], axis=-1).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG")
    return buffer.getvalue()
