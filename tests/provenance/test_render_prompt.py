"""``render_prompt "…" -o out.mp4`` writes a marked video whose signed manifest c2pa-python validates,
for the simulator and for a hosted backend's output (through the fake fal server)."""

from __future__ import annotations

import io
import json

import av
import c2pa
import numpy as np
from django.core.management import call_command

from provenance.signing import TRAINED_ALGORITHMIC_MEDIA, prompt_digest
from tests.fakes.video_apis import FakeVideoAPI, tiny_mp4

PROMPT = "Gros plan sur une théière en argent, lumière de fin d'après-midi, travelling latéral lent"


def manifest_of(path) -> tuple[str, dict]:
    with c2pa.Reader("video/mp4", io.BytesIO(path.read_bytes())) as reader:
        return reader.get_validation_state(), reader.get_active_manifest()


def test_a_simulated_render_is_signed_and_declares_ai(signing, settings, tmp_path):
    settings.VIDEO_BACKENDS = {
        "default": {"BACKEND": "labs.backends.simulator.SimulatorBackend", "OPTIONS": {"work_dir": str(tmp_path)}}
    }
    output = tmp_path / "out.mp4"

    call_command("render_prompt", PROMPT, "--seconds", "1", "--size", "320x180", "-o", str(output))

    state, manifest = manifest_of(output)
    report = json.dumps(manifest, ensure_ascii=False)
    assert state in ("Valid", "Trusted")
    assert TRAINED_ALGORITHMIC_MEDIA in report
    assert prompt_digest(PROMPT) in report and "théière" not in report
    assert '"simulation": true' in report


def test_a_hosted_backend_output_gets_the_same_mark_and_manifest(signing, settings, tmp_path):
    with FakeVideoAPI(polls_to_complete=2) as fake:
        settings.VIDEO_BACKENDS = {
            "fal": {"BACKEND": "labs.backends.fal.FalBackend", "OPTIONS": fake.options(base_url=fake.fal_base_url)}
        }
        output = tmp_path / "fal.mp4"

        call_command("render_prompt", PROMPT, "--backend", "fal", "--size", "1280x720", "-o", str(output))

    state, manifest = manifest_of(output)
    assert state in ("Valid", "Trusted")
    assert "fal-ai/kling-video/v2.1/standard/text-to-video" in json.dumps(manifest)
    with av.open(str(output)) as marked, av.open(io.BytesIO(tiny_mp4())) as raw:
        marked_frame = next(marked.decode(video=0)).to_ndarray(format="rgb24").astype(int)
        raw_frame = next(raw.decode(video=0)).to_ndarray(format="rgb24").astype(int)
    corner = (slice(18, 36), slice(32, 64))
    assert np.abs(marked_frame[corner] - raw_frame[corner]).mean() > 8, "the mark is burnt into the corner"
