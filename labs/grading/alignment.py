"""Optional prompt–video alignment with a CLIP-family model, on the worker that has it.

When ``settings.ALIGNMENT_MODEL_PATH`` points at a model saved with
``save_pretrained`` (CLIP, SigLIP: anything ``AutoModel`` loads with
``get_text_features``/``get_image_features``, plus its tokenizer and image
processor), :func:`measure_alignment` samples frames of the video and
compares them with the prompt and with its main elements. Nothing is
downloaded: the model loads with ``local_files_only`` once per process.
torch and transformers come with the GPU extra (requirements-gpu.txt); without
them, or without the setting, alignment is simply not measured.

CLIP's cosine similarities are small numbers (a matching caption scores about
0.25–0.35, an unrelated one about 0.10–0.15); :func:`similarity_to_score`
maps that band onto 0–1 so the rubric can use it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
from django.conf import settings

logger = logging.getLogger(__name__)

SAMPLED_FRAMES = 8
UNRELATED_COSINE = 0.15
MATCHING_COSINE = 0.32


@dataclass(frozen=True)
class Alignment:
    score: float  # 0..1, the prompt against the sampled frames
    cosine: float  # the raw mean cosine similarity
    elements: dict[str, float]  # element text -> 0..1, best frame
    model: str
    frames: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 3),
            "cosine": round(self.cosine, 4),
            "elements": {text: round(value, 3) for text, value in self.elements.items()},
            "model": self.model,
            "frames": self.frames,
        }


def similarity_to_score(cosine: float) -> float:
    return float(min(1.0, max(0.0, (cosine - UNRELATED_COSINE) / (MATCHING_COSINE - UNRELATED_COSINE))))


def model_path() -> Path | None:
    value = getattr(settings, "ALIGNMENT_MODEL_PATH", "")
    return Path(value) if value else None


@functools.lru_cache(maxsize=2)
def _load(path: str) -> tuple[Any, Any, Any]:
    from transformers import AutoImageProcessor, AutoModel, AutoTokenizer

    model = AutoModel.from_pretrained(path, local_files_only=True)
    model.eval()
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    processor = AutoImageProcessor.from_pretrained(path, local_files_only=True)
    return model, tokenizer, processor


def clear_model_cache() -> None:
    _load.cache_clear()


def sample_frames(video: Path, count: int = SAMPLED_FRAMES) -> list[np.ndarray]:
    """``count`` RGB frames spread evenly over the video."""
    with av.open(str(video)) as container:
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    if not frames:
        return []
    picks = np.linspace(0, len(frames) - 1, num=min(count, len(frames))).round().astype(int)
    return [frames[index] for index in picks]


def _features(output: Any) -> Any:
    # transformers 5 returns a model output whose pooler_output holds the projected embedding.
    return getattr(output, "pooler_output", output)


def measure_alignment(video: Path, prompt: str, elements: Sequence[str] = ()) -> Alignment | None:
    """How well sampled frames match ``prompt`` and each of ``elements``; None when no model is configured."""
    path = model_path()
    if path is None:
        return None
    try:
        import torch
    except ImportError:
        logger.warning("ALIGNMENT_MODEL_PATH is set but torch is not installed (requirements-gpu.txt)")
        return None
    model, tokenizer, processor = _load(str(path))
    frames = sample_frames(video)
    if not frames:
        return None
    texts = [prompt, *[element for element in elements if element.strip()]]
    limit = getattr(tokenizer, "model_max_length", 77)
    limit = limit if isinstance(limit, int) and 0 < limit < 10_000 else 77
    with torch.no_grad():
        text_inputs = tokenizer(texts, padding=True, truncation=True, max_length=limit, return_tensors="pt")
        text = _features(model.get_text_features(**text_inputs))
        image = _features(model.get_image_features(**processor(images=frames, return_tensors="pt")))
    text = torch.nn.functional.normalize(text.float(), dim=-1)
    image = torch.nn.functional.normalize(image.float(), dim=-1)
    cosines = text @ image.T  # texts × frames
    prompt_cosine = float(cosines[0].mean())
    element_scores = {
        element: similarity_to_score(float(cosines[index].max())) for index, element in enumerate(texts[1:], start=1)
    }
    return Alignment(
        score=similarity_to_score(prompt_cosine),
        cosine=prompt_cosine,
        elements=element_scores,
        model=path.name,
        frames=len(frames),
    )
