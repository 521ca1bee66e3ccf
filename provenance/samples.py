"""Three sample files for the ethics module's hands-on step, made offline when the demo is seeded.

- ``video-signee.mp4``: a short generated clip with the visible mark and signed content credentials;
- ``video-reencodee.mp4``: the same clip re-encoded, as a messaging app or a re-upload would: the
  mark is still in the picture, the credentials are gone;
- ``image-sans-credentials.jpg``: a still image that carries no credentials, like most photos.

They are signed with the school's key when one is configured; otherwise with a sample-only
demonstration CA kept beside them, which the verify page reports as valid but not trusted.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import av
import numpy as np
from django.conf import settings
from PIL import Image

from provenance.api import protect_video
from provenance.conf import provenance_settings
from provenance.demo_ca import create_demo_ca
from provenance.signing import GenerationFacts, prompt_digest

SIGNED_VIDEO = "video-signee.mp4"
REENCODED_VIDEO = "video-reencodee.mp4"
STILL_IMAGE = "image-sans-credentials.jpg"
SAMPLE_NAMES = (SIGNED_VIDEO, REENCODED_VIDEO, STILL_IMAGE)
SAMPLE_PROMPT = "Plan large de dunes au coucher du soleil, le soleil descend lentement, travelling latéral"
_SIZE = (480, 270)
_FRAMES = 48
_FPS = 24


def samples_dir() -> Path:
    return Path(settings.VAR_DIR) / "provenance" / "samples"


def _dunes(index: int) -> np.ndarray:
    width, height = _SIZE
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    sky = np.stack([250 - y * 0.3, 150 - y * 0.2, 90 + y * 0.2], axis=-1)
    sun_x, sun_y = width * 0.3 + index * 2.0, height * 0.25 + index * 1.2
    sun = ((x - sun_x) ** 2 + (y - sun_y) ** 2) < 22**2
    sky[sun] = (255, 230, 160)
    ridge = height * 0.62 + 18 * np.sin((x + index * 3) / 45.0)
    sand = y > ridge
    sky[sand] = np.stack([200 - (y - ridge) * 0.4, 140 - (y - ridge) * 0.3, 80 + 0 * y], axis=-1)[sand]
    return np.clip(sky, 0, 255).astype(np.uint8)


def _write_clip(path: Path) -> Path:
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=_FPS)
        stream.width, stream.height, stream.pix_fmt = *_SIZE, "yuv420p"
        for index in range(_FRAMES):
            container.mux(stream.encode(av.VideoFrame.from_ndarray(_dunes(index), format="rgb24")))
        container.mux(stream.encode(None))
    return path


def _reencode(source: Path, destination: Path) -> Path:
    """Decode and encode again, as a re-upload does: pictures survive, metadata boxes do not."""
    with av.open(str(source)) as container, av.open(str(destination), mode="w", format="mp4") as target:
        stream = target.add_stream("libx264", rate=_FPS, options={"crf": "28"})
        stream.width, stream.height, stream.pix_fmt = *_SIZE, "yuv420p"
        for frame in container.decode(video=0):
            picture = frame.reformat(format="yuv420p")
            picture.pts = None
            target.mux(stream.encode(picture))
        target.mux(stream.encode(None))
    return destination


def _still(path: Path) -> Path:
    width, height = 640, 427
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    pixels = np.stack([120 + 80 * np.sin(x / 90.0), 140 + 60 * np.cos(y / 70.0), 110 + 40 * np.sin((x + y) / 120)], -1)
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(path, "JPEG", quality=90)
    return path


def write_samples(directory: Path | None = None) -> dict[str, Path]:
    """Create the three samples in ``directory`` (default: under VAR_DIR) and return their paths."""
    directory = directory or samples_dir()
    directory.mkdir(parents=True, exist_ok=True)
    config = provenance_settings()
    if not config.can_sign:
        ca = create_demo_ca(directory / "ca", school_name=config.school_name)
        config = dataclasses.replace(config, signing_cert=ca.signing_chain, signing_key=ca.signing_key)
    facts = GenerationFacts(
        backend="exemple",
        backend_label="Academy — exemple de l'atelier provenance",
        model="",
        prompt_sha256=prompt_digest(SAMPLE_PROMPT),
        lab_title="Atelier : vérifier l'origine d'une vidéo",
    )
    with tempfile.TemporaryDirectory(prefix="provenance-samples-") as workdir:
        work = Path(workdir)
        protected = protect_video(
            _write_clip(work / "clip.mp4"), facts=facts, workdir=work, config=config, require_signature=True
        )
        protected.video.replace(directory / SIGNED_VIDEO)
    _reencode(directory / SIGNED_VIDEO, directory / REENCODED_VIDEO)
    _still(directory / STILL_IMAGE)
    return {name: directory / name for name in SAMPLE_NAMES}
