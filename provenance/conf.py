"""The provenance settings, read once per call from django.conf.settings.

``PROVENANCE`` in settings (see academy/settings.py and the README):

- ``SCHOOL_NAME``: the claim generator named in every manifest;
- ``SIGNING_CERT`` / ``SIGNING_KEY``: PEM files, the certificate chain (signer
  first, then intermediates) and its private key;
- ``SIGNING_ALGORITHM``: ``es256`` (EC P-256) by default, or es384/es512/ps256/ed25519;
- ``TSA_URL``: an RFC 3161 time-stamp authority (optional; without one the
  signing time is the one the school declares);
- ``TRUST_ANCHORS``: PEM file of root certificates the verify page trusts;
- ``MARK_TEXT``, ``MARK_POSITION`` (top-left, top-right, bottom-left,
  bottom-right), ``MARK_OPACITY`` (0.2–1): the visible mark.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

POSITIONS = ("top-left", "top-right", "bottom-left", "bottom-right")


@dataclass(frozen=True)
class ProvenanceSettings:
    school_name: str
    signing_cert: Path | None
    signing_key: Path | None
    signing_algorithm: str
    tsa_url: str
    trust_anchors: Path | None
    mark_text: str
    mark_position: str
    mark_opacity: float

    @property
    def can_sign(self) -> bool:
        return bool(
            self.signing_cert and self.signing_key and self.signing_cert.is_file() and self.signing_key.is_file()
        )


def _path(value: object) -> Path | None:
    return Path(str(value)) if value else None


def provenance_settings() -> ProvenanceSettings:
    raw = dict(getattr(settings, "PROVENANCE", {}) or {})
    position = str(raw.get("MARK_POSITION") or "bottom-right")
    opacity = float(raw.get("MARK_OPACITY") or 0.75)
    return ProvenanceSettings(
        school_name=str(raw.get("SCHOOL_NAME") or "Academy"),
        signing_cert=_path(raw.get("SIGNING_CERT")),
        signing_key=_path(raw.get("SIGNING_KEY")),
        signing_algorithm=str(raw.get("SIGNING_ALGORITHM") or "es256").lower(),
        tsa_url=str(raw.get("TSA_URL") or ""),
        trust_anchors=_path(raw.get("TRUST_ANCHORS")),
        mark_text=str(raw.get("MARK_TEXT") or "Généré par IA"),
        mark_position=position if position in POSITIONS else "bottom-right",
        mark_opacity=min(max(opacity, 0.2), 1.0),
    )
