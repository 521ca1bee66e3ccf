"""A signing CA made for each test session (EC keys: milliseconds), and sample media."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from provenance.demo_ca import create_demo_ca


@pytest.fixture(scope="session")
def demo_ca(tmp_path_factory):
    return create_demo_ca(tmp_path_factory.mktemp("provenance-ca"), school_name="École de démonstration")


@pytest.fixture
def signing(settings, demo_ca):
    """Settings with a signing key, and the demo root as the verify page's trust anchor."""
    settings.PROVENANCE = {
        **settings.PROVENANCE,
        "SCHOOL_NAME": "École de démonstration",
        "SIGNING_CERT": str(demo_ca.signing_chain),
        "SIGNING_KEY": str(demo_ca.signing_key),
        "TRUST_ANCHORS": str(demo_ca.root_cert),
    }
    return demo_ca


@pytest.fixture
def no_signing(settings, tmp_path):
    settings.PROVENANCE = {
        **settings.PROVENANCE,
        "SIGNING_CERT": str(tmp_path / "missing.pem"),
        "SIGNING_KEY": str(tmp_path / "missing-key.pem"),
        "TRUST_ANCHORS": "",
    }


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
