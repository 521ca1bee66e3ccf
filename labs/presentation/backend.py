"""What a lab's video backend declares, as the trainer's lab settings page shows it."""

from __future__ import annotations

from typing import Any

from labs.backends import UnknownBackend, get_backend
from labs.forms.trainer import backend_problems
from labs.models import Lab
from labs.services.pipeline import generation_request


def backend_summary(lab: Lab) -> dict[str, Any]:
    """The chosen backend for this lab: label, cost per generation, frame size, what it cannot do."""
    try:
        backend = get_backend(lab.backend_alias)
    except UnknownBackend:
        return {"missing": True, "alias": lab.backend_alias, "problems": [], "cost": None}
    request = generation_request(lab=lab, prompt="x", seed=0, language="fr")
    return {
        "missing": False,
        "alias": lab.backend_alias,
        "label": backend.label,
        "is_simulation": backend.is_simulation,
        "cost": backend.cost(request),
        "size": request.size,
        "problems": [
            message
            for _field, message in backend_problems(
                alias=lab.backend_alias, duration_s=lab.duration_s, aspect_ratio=lab.aspect_ratio
            )
        ],
    }
