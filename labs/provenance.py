"""What labs declares about the videos it produces, for the provenance app's content credentials."""

from __future__ import annotations

from labs.backends.base import VideoBackend
from provenance.api import GenerationFacts, prompt_digest


def generation_facts(
    *, backend: VideoBackend, prompt: str, tier: str = "draft", lab_slug: str = "", lab_title: str = ""
) -> GenerationFacts:
    return GenerationFacts(
        backend=backend.alias,
        backend_label=str(backend.label),
        model=str(getattr(backend, "model", "") or backend.options.get("model", "") or ""),
        prompt_sha256=prompt_digest(prompt),
        lab=lab_slug,
        lab_title=lab_title,
        tier=tier,
        simulation=bool(backend.is_simulation),
    )
