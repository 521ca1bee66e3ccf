"""The public surface of the provenance app: what labs and commands may call.

:func:`protect_video` marks and signs what the platform publishes;
:func:`read_credentials` reads any file's credentials.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from provenance.conf import ProvenanceSettings, provenance_settings
from provenance.mark import MarkError, mark_image, mark_video
from provenance.reading import Credentials, UnreadableFile, read_credentials
from provenance.signing import GenerationFacts, SigningError, SigningNotConfigured, prompt_digest, sign_file

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProtectedMedia:
    video: Path
    poster: Path | None
    signed: bool


def signing_configured() -> bool:
    return provenance_settings().can_sign


def protect_video(
    video: Path,
    *,
    facts: GenerationFacts,
    workdir: Path,
    poster: Path | None = None,
    require_signature: bool = False,
    config: ProvenanceSettings | None = None,
) -> ProtectedMedia:
    """Burn the visible mark into ``video`` (and ``poster``), then embed a signed C2PA manifest in each.

    Without a configured key the files are marked but not signed (logged), unless
    ``require_signature``, which raises :class:`SigningNotConfigured`.
    """
    config = config or provenance_settings()
    style = {"text": config.mark_text, "position": config.mark_position, "opacity": config.mark_opacity}
    marked_video = mark_video(video, workdir / "marked.mp4", **style)
    marked_poster = mark_image(poster, workdir / "marked-poster.jpg", **style) if poster else None
    if not config.can_sign:
        if require_signature:
            raise SigningNotConfigured("no signing certificate and key are configured (PROVENANCE settings)")
        logger.warning("provenance: no signing key configured; %s is marked but carries no content credentials", video)
        return ProtectedMedia(video=marked_video, poster=marked_poster, signed=False)
    signed_video = sign_file(marked_video, workdir / "signed.mp4", facts, config=config)
    signed_poster = (
        sign_file(marked_poster, workdir / "signed-poster.jpg", facts, config=config) if marked_poster else None
    )
    return ProtectedMedia(video=signed_video, poster=signed_poster, signed=True)


__all__ = [
    "Credentials",
    "GenerationFacts",
    "MarkError",
    "ProtectedMedia",
    "SigningError",
    "SigningNotConfigured",
    "UnreadableFile",
    "prompt_digest",
    "protect_video",
    "read_credentials",
    "signing_configured",
]
