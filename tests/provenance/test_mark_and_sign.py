"""The visible mark and the signed C2PA manifest of generated media, read back by c2pa-python's Reader."""

from __future__ import annotations

import io
import json

import av
import c2pa
import numpy as np
import pytest

from provenance.api import GenerationFacts, SigningNotConfigured, prompt_digest, protect_video, read_credentials
from provenance.mark import mark_video
from provenance.signing import TRAINED_ALGORITHMIC_MEDIA
from tests.provenance.conftest import photo_bytes, write_video

PROMPT = "Gros plan sur un flacon d'huile d'argan, lumière dorée, travelling avant lent"
FACTS = GenerationFacts(
    backend="fal",
    backend_label="fal (file d'attente, modèle au choix)",
    model="fal-ai/kling-video/v2.1/standard/text-to-video",
    prompt_sha256=prompt_digest(PROMPT),
    lab="teaser-produit",
    lab_title="Teaser produit",
)


def frames(path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def corner_difference(before: np.ndarray, after: np.ndarray, corner: str) -> float:
    h, w = before.shape[:2]
    rows = slice(0, h // 4) if corner.startswith("top") else slice(h - h // 4, h)
    cols = slice(0, w // 2) if corner.endswith("left") else slice(w - w // 2, w)
    return float(np.abs(before[rows, cols].astype(int) - after[rows, cols].astype(int)).mean())


@pytest.mark.parametrize(("position", "other"), [("bottom-right", "top-left"), ("top-left", "bottom-right")])
def test_the_mark_is_burnt_into_every_frame_where_configured(tmp_path, position, other):
    source = write_video(tmp_path / "raw.mp4")

    marked = mark_video(source, tmp_path / "marked.mp4", text="Généré par IA", position=position, opacity=0.9)

    before, after = frames(source), frames(marked)
    assert len(after) == len(before) == 12
    assert all(corner_difference(b, a, position) > 8 for b, a in zip(before, after, strict=True))
    assert corner_difference(before[0], after[0], other) < 2


def test_opacity_changes_how_strongly_the_mark_shows(tmp_path):
    source = write_video(tmp_path / "raw.mp4")
    faint = mark_video(source, tmp_path / "faint.mp4", text="Généré par IA", position="bottom-right", opacity=0.2)
    strong = mark_video(source, tmp_path / "strong.mp4", text="Généré par IA", position="bottom-right", opacity=1.0)

    original = frames(source)[0]
    assert corner_difference(original, frames(faint)[0], "bottom-right") < corner_difference(
        original, frames(strong)[0], "bottom-right"
    )


def test_a_protected_video_and_poster_carry_a_valid_manifest_declaring_ai(signing, tmp_path):
    source = write_video(tmp_path / "raw.mp4")
    poster = tmp_path / "poster.jpg"
    poster.write_bytes(photo_bytes())

    protected = protect_video(source, facts=FACTS, workdir=tmp_path, poster=poster)

    assert protected.signed
    for path, mime in ((protected.video, "video/mp4"), (protected.poster, "image/jpeg")):
        with c2pa.Reader(mime, io.BytesIO(path.read_bytes())) as reader:
            assert reader.get_validation_state() in ("Valid", "Trusted")
            manifest = reader.get_active_manifest()
        report = json.dumps(manifest, ensure_ascii=False)
        assert TRAINED_ALGORITHMIC_MEDIA in report
        assert '"c2pa.created"' in report
        assert "fal-ai/kling-video" in report and "teaser-produit" in report
        assert prompt_digest(PROMPT) in report
        assert "argan" not in report, "the prompt itself stays private"
        assert manifest["claim_generator_info"][0]["name"] == "École de démonstration"
    assert len(frames(protected.video)) == 12, "the signed MP4 still plays"


def test_credentials_read_back_in_plain_terms_and_trusted_with_the_school_root(signing, tmp_path):
    protected = protect_video(write_video(tmp_path / "raw.mp4"), facts=FACTS, workdir=tmp_path)

    credentials = read_credentials(protected.video.read_bytes(), "video/mp4")

    assert credentials.present and credentials.ai_generated
    assert credentials.signature_valid and credentials.trusted
    assert not credentials.modified_since_signing
    assert credentials.signer == "École de démonstration"
    assert credentials.claim_generator == "École de démonstration"
    assert "fal-ai/kling-video" in credentials.tool
    assert credentials.generation["lab_title"] == "Teaser produit"


def test_a_file_changed_after_signing_is_reported_as_modified(signing, tmp_path):
    protected = protect_video(write_video(tmp_path / "raw.mp4"), facts=FACTS, workdir=tmp_path)
    data = bytearray(protected.video.read_bytes())
    data[data.rfind(b"mdat") + 64] ^= 0xFF

    credentials = read_credentials(bytes(data), "video/mp4")

    assert credentials.present
    assert credentials.modified_since_signing
    assert not credentials.signature_valid


def test_a_file_without_credentials_reads_as_absent(tmp_path):
    assert not read_credentials(write_video(tmp_path / "raw.mp4").read_bytes(), "video/mp4").present
    assert not read_credentials(photo_bytes(), "image/jpeg").present


def test_without_a_key_the_video_is_marked_but_not_signed(no_signing, tmp_path):
    protected = protect_video(write_video(tmp_path / "raw.mp4"), facts=FACTS, workdir=tmp_path)

    assert not protected.signed
    assert not read_credentials(protected.video.read_bytes(), "video/mp4").present
    with pytest.raises(SigningNotConfigured):
        protect_video(write_video(tmp_path / "raw2.mp4"), facts=FACTS, workdir=tmp_path, require_signature=True)
