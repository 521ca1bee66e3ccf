"""C2PA manifests for generated media, signed with the school's key (c2pa-python).

The manifest says what a viewer needs to know and nothing private:

- ``c2pa.actions.v2``: one ``c2pa.created`` action with the IPTC digital source
  type ``trainedAlgorithmicMedia`` (made by a generative model), the backend
  and model as its software agent, and when;
- ``org.academy.generation``: the backend alias, the model, the lab, the
  quality tier, whether it is a simulation, and the SHA-256 of the prompt —
  the prompt itself stays private, but its author can prove it matches;
- the school is the claim generator.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import c2pa

from provenance.conf import ProvenanceSettings, provenance_settings

TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
GENERATION_ASSERTION = "org.academy.generation"
_ALGORITHMS = {
    "es256": c2pa.C2paSigningAlg.ES256,
    "es384": c2pa.C2paSigningAlg.ES384,
    "es512": c2pa.C2paSigningAlg.ES512,
    "ps256": c2pa.C2paSigningAlg.PS256,
    "ed25519": c2pa.C2paSigningAlg.ED25519,
}
MIME_TYPES = {".mp4": "video/mp4", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


class SigningError(Exception):
    """The key, the certificate or the file could not be used to sign."""


class SigningNotConfigured(SigningError):
    """No signing certificate and key are configured."""


def prompt_digest(prompt: str) -> str:
    """SHA-256 of the prompt as typed (NFC-normalised), in hex."""
    return hashlib.sha256(unicodedata.normalize("NFC", prompt).encode()).hexdigest()


@dataclass(frozen=True)
class GenerationFacts:
    """What is declared about one generated video."""

    backend: str  # alias in VIDEO_BACKENDS
    backend_label: str
    model: str
    prompt_sha256: str
    lab: str = ""  # lab slug and title, when the video comes from a lab
    lab_title: str = ""
    tier: str = "draft"
    simulation: bool = False
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def assertion(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "backend_label": self.backend_label,
            "model": self.model,
            "lab": self.lab,
            "lab_title": self.lab_title,
            "tier": self.tier,
            "simulation": self.simulation,
            "prompt_sha256": self.prompt_sha256,
        }


def build_manifest(facts: GenerationFacts, *, title: str, school_name: str) -> dict[str, Any]:
    agent = {"name": facts.backend_label or facts.backend}
    if facts.model:
        agent["version"] = facts.model
    return {
        "claim_generator_info": [{"name": school_name, "version": "Academy"}],
        "title": title,
        "assertions": [
            {
                "label": "c2pa.actions.v2",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": TRAINED_ALGORITHMIC_MEDIA,
                            "softwareAgent": agent,
                            "when": facts.generated_at.isoformat(timespec="seconds"),
                        }
                    ]
                },
            },
            {"label": GENERATION_ASSERTION, "data": facts.assertion()},
        ],
    }


def _signer(config: ProvenanceSettings) -> c2pa.Signer:
    if not config.can_sign:
        raise SigningNotConfigured("PROVENANCE signing certificate and key are not configured")
    algorithm = _ALGORITHMS.get(config.signing_algorithm)
    if algorithm is None:
        raise SigningError(f"unsupported signing algorithm {config.signing_algorithm!r}")
    info = c2pa.C2paSignerInfo(
        alg=config.signing_algorithm.encode(),
        sign_cert=config.signing_cert.read_bytes(),
        private_key=config.signing_key.read_bytes(),
        ta_url=config.tsa_url.encode() or None,
    )
    try:
        return c2pa.Signer.from_info(info)
    except c2pa.C2paError as exc:
        raise SigningError(f"cannot load the signing key or certificate: {exc}") from exc


def sign_file(
    source: Path, destination: Path, facts: GenerationFacts, *, config: ProvenanceSettings | None = None
) -> Path:
    """Write ``source`` with an embedded, signed manifest to ``destination`` (may be the same path)."""
    config = config or provenance_settings()
    mime = MIME_TYPES.get(Path(source).suffix.lower())
    if mime is None:
        raise SigningError(f"cannot sign {Path(source).suffix} files")
    manifest = build_manifest(facts, title=Path(destination).name, school_name=config.school_name)
    signer = _signer(config)
    output = io.BytesIO()
    try:
        with signer, c2pa.Builder(manifest) as builder, Path(source).open("rb") as stream:
            builder.sign(signer, mime, stream, output)
    except c2pa.C2paError as exc:
        raise SigningError(f"signing failed: {exc}") from exc
    partial = Path(destination).with_name(f".{Path(destination).name}.signing")
    partial.write_bytes(output.getvalue())
    shutil.move(partial, destination)
    return Path(destination)
