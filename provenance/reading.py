"""Reading the content credentials of any file, for people who are not experts.

:func:`read_credentials` turns c2pa-python's report into plain answers: who
signed, when, with which tool, whether the file declares itself AI-generated,
whether it changed since it was signed, whether the signature is valid and
whether its certificate chains to a root this installation trusts.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import c2pa

from provenance.conf import provenance_settings
from provenance.signing import GENERATION_ASSERTION, TRAINED_ALGORITHMIC_MEDIA

_AI_SOURCE_TYPES = frozenset(
    {
        TRAINED_ALGORITHMIC_MEDIA,
        "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia",
        "http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicMedia",
    }
)
_EDIT_ACTIONS = frozenset(
    {"c2pa.edited", "c2pa.color_adjustments", "c2pa.cropped", "c2pa.filtered", "c2pa.resized", "c2pa.transcoded"}
)


class UnreadableFile(Exception):
    """The bytes are not an image or video format content credentials can live in."""


@dataclass(frozen=True)
class Credentials:
    present: bool
    signer: str = ""  # organisation or common name of the signing certificate
    issuer: str = ""
    signed_at: datetime | None = None  # time-stamped, else declared by the signer
    time_stamped: bool = False
    claim_generator: str = ""
    tool: str = ""  # software agent of the creating action (backend, model)
    ai_generated: bool = False
    edit_actions: tuple[str, ...] = ()  # edits the manifest itself declares
    modified_since_signing: bool = False
    signature_valid: bool = False
    trusted: bool = False
    generation: dict[str, Any] = field(default_factory=dict)
    problems: tuple[str, ...] = ()  # validation failure codes


def _context() -> c2pa.Context:
    anchors = provenance_settings().trust_anchors
    if anchors is None or not anchors.is_file():
        return c2pa.Context()
    settings = c2pa.Settings.from_dict(
        {"verify": {"verify_trust": True}, "trust": {"trust_anchors": anchors.read_text()}}
    )
    return c2pa.Context(settings=settings)


def read_credentials(data: bytes, mime_type: str) -> Credentials:
    """The credentials of a file's bytes; ``Credentials(present=False)`` when it carries none."""
    try:
        reader = c2pa.Reader(mime_type, io.BytesIO(data), context=_context())
    except c2pa.C2paError as exc:
        if "ManifestNotFound" in type(exc).__name__ or "JUMBF" in str(exc):
            return Credentials(present=False)
        raise UnreadableFile(str(exc)) from exc
    with reader:
        manifest = reader.get_active_manifest() or {}
        state = reader.get_validation_state() or ""
        results = reader.get_validation_results() or {}
    failures = tuple(item.get("code", "") for item in (results.get("activeManifest") or {}).get("failure", []))
    return _describe(manifest, state, failures)


def _describe(manifest: dict[str, Any], state: str, failures: tuple[str, ...]) -> Credentials:
    signature = manifest.get("signature_info") or {}
    created_when, tool, ai_generated, edits, generation = "", "", False, [], {}
    for assertion in manifest.get("assertions") or []:
        label, data = assertion.get("label", ""), assertion.get("data") or {}
        if label.startswith("c2pa.actions"):
            for action in data.get("actions") or []:
                name = action.get("action", "")
                if name == "c2pa.created":
                    ai_generated = ai_generated or action.get("digitalSourceType") in _AI_SOURCE_TYPES
                    agent = action.get("softwareAgent") or {}
                    if isinstance(agent, dict):
                        tool = " ".join(part for part in (agent.get("name"), agent.get("version")) if part)
                    elif isinstance(agent, str):
                        tool = agent
                    created_when = action.get("when", created_when)
                elif name in _EDIT_ACTIONS:
                    edits.append(name)
        elif label == GENERATION_ASSERTION and isinstance(data, dict):
            generation = data
    generators = manifest.get("claim_generator_info") or []
    generator = generators[0].get("name", "") if generators and isinstance(generators[0], dict) else ""
    return Credentials(
        present=True,
        signer=signature.get("issuer") or signature.get("common_name") or "",
        issuer=signature.get("common_name") or "",
        signed_at=_datetime(signature.get("time") or created_when),
        time_stamped=bool(signature.get("time")),
        claim_generator=generator or str(manifest.get("claim_generator") or ""),
        tool=tool,
        ai_generated=ai_generated,
        edit_actions=tuple(edits),
        modified_since_signing=any(code.endswith(".mismatch") for code in failures),
        signature_valid=state in ("Valid", "Trusted"),
        trusted=state == "Trusted",
        generation=generation,
        problems=failures,
    )


def _datetime(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
