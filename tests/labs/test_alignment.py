"""Prompt–video alignment, run for real on the CPU with a tiny random-weight CLIP built offline.

The model is made here (a few hundred kilobytes), saved with ``save_pretrained`` and loaded back
the way a worker loads ALIGNMENT_MODEL_PATH; its weights are random, so the tests check the
plumbing and the arithmetic (frames sampled, texts compared, scores in range, deterministic),
not the quality of a real model's judgement.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

torch = pytest.importorskip("torch", reason="the GPU extra (requirements-gpu.txt) is not installed")
transformers = pytest.importorskip("transformers", reason="the GPU extra (requirements-gpu.txt) is not installed")

from tokenizers import Tokenizer, models, pre_tokenizers  # noqa: E402

from labs.grading.alignment import (  # noqa: E402
    clear_model_cache,
    measure_alignment,
    sample_frames,
    similarity_to_score,
)
from tests.provenance.conftest import write_video  # noqa: E402

PROMPT = "un chat roux sur la plage au coucher du soleil"
WORDS = PROMPT.split() + ["a", "cat", "beach", "sunset", "travelling", "lent"]


def save_tiny_clip(path: Path) -> Path:
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "</s>": 1, "<unk>": 2, "<s>": 3}
    for word in WORDS:
        vocab.setdefault(word, len(vocab))
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        pad_token="<pad>",
        eos_token="</s>",
        unk_token="<unk>",
        bos_token="<s>",
        model_max_length=16,
    )
    config = CLIPConfig(
        text_config={
            "vocab_size": len(vocab),
            "hidden_size": 32,
            "intermediate_size": 37,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "max_position_embeddings": 16,
            "eos_token_id": 1,
            "pad_token_id": 0,
            "bos_token_id": 3,
        },
        vision_config={
            "hidden_size": 32,
            "intermediate_size": 37,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "image_size": 32,
            "patch_size": 8,
        },
        projection_dim=16,
    )
    torch.manual_seed(0)
    CLIPModel(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}).save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def tiny_clip(tmp_path_factory) -> Path:
    return save_tiny_clip(tmp_path_factory.mktemp("tiny-clip"))


@pytest.fixture
def alignment_model(settings, tiny_clip):
    settings.ALIGNMENT_MODEL_PATH = str(tiny_clip)
    clear_model_cache()
    yield tiny_clip
    clear_model_cache()


def test_without_a_configured_model_alignment_is_not_measured(settings, tmp_path):
    settings.ALIGNMENT_MODEL_PATH = ""

    assert measure_alignment(write_video(tmp_path / "v.mp4"), PROMPT) is None


def test_frames_are_sampled_evenly_across_the_video(tmp_path):
    frames = sample_frames(write_video(tmp_path / "v.mp4", frames=24), count=8)

    assert len(frames) == 8
    assert frames[0].shape == (90, 160, 3)


def test_the_prompt_and_its_elements_are_scored_against_the_frames(alignment_model, tmp_path):
    video = write_video(tmp_path / "v.mp4", frames=24)

    result = measure_alignment(video, PROMPT, ["un chat roux", "la plage", "coucher du soleil"])

    assert result is not None
    assert result.frames == 8
    assert result.model == alignment_model.name
    assert 0.0 <= result.score <= 1.0
    assert -1.0 <= result.cosine <= 1.0
    assert set(result.elements) == {"un chat roux", "la plage", "coucher du soleil"}
    assert all(0.0 <= value <= 1.0 for value in result.elements.values())
    assert result.to_dict()["elements"].keys() == result.elements.keys()


def test_the_same_video_and_prompt_score_the_same_twice(alignment_model, tmp_path):
    video = write_video(tmp_path / "v.mp4")

    assert measure_alignment(video, PROMPT).cosine == measure_alignment(video, PROMPT).cosine


def test_different_pictures_give_different_similarities(alignment_model, tmp_path):
    blue = write_video(tmp_path / "blue.mp4", colour=(20, 40, 200))
    orange = write_video(tmp_path / "orange.mp4", colour=(240, 140, 20))

    assert measure_alignment(blue, PROMPT).cosine != measure_alignment(orange, PROMPT).cosine


@pytest.mark.parametrize(("cosine", "score"), [(0.05, 0.0), (0.15, 0.0), (0.235, 0.5), (0.32, 1.0), (0.6, 1.0)])
def test_clip_similarities_map_onto_zero_to_one(cosine, score):
    assert similarity_to_score(cosine) == pytest.approx(score, abs=0.01)


def test_nothing_is_downloaded_when_the_path_is_wrong(settings, tmp_path):
    settings.ALIGNMENT_MODEL_PATH = str(tmp_path / "missing-model")
    clear_model_cache()

    with pytest.raises(OSError):
        measure_alignment(write_video(tmp_path / "v.mp4"), PROMPT)


@pytest.mark.django_db
def test_the_pipeline_measures_alignment_and_scores_the_criterion(alignment_model, tmp_path):
    from labs.services.pipeline import render_and_score
    from tests.labs.factories import CriterionFactory, LabFactory

    lab = LabFactory()
    CriterionFactory(lab=lab, kind="video", element="", video_check="prompt_alignment", weight=10)

    graded = render_and_score(lab=lab, prompt=PROMPT, seed=1, language="fr", workdir=tmp_path)

    alignment = graded.result["metrics"]["alignment"]
    assert alignment["model"] == alignment_model.name and alignment["frames"] == 8
    assert any("chat" in element for element in alignment["elements"])
    (criterion,) = graded.result["criteria"]
    assert criterion["label"] == "Fidélité au prompt"
    assert criterion["weight"] == 10, "measured, so it counts"
