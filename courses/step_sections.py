"""Sections that apps above courses add to a step's page (a discussion, a cohort gallery).

Courses never imports those apps. An app registers a provider when it
starts; the lesson page (and the lab page, through courses.api) asks every
provider for its sections and renders them with ``courses/_step_sections.html``:
a titled card whose body is loaded by htmx when it scrolls into view, with a
real link to the section's own page as the fallback.

Providers must not query the database: they are called on every step page,
whose query count is bounded; the lazy body does the work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from courses.models import Step


@dataclass(frozen=True)
class StepSection:
    key: str  # a stable identifier, used in element ids ("discussion")
    title: str
    url: str  # the section's own page (the link without JavaScript)
    lazy_url: str = ""  # its body as an htmx partial; empty: only the link is shown
    link_label: str = ""


class StepSectionProvider(Protocol):
    def sections_for(self, user, step: Step, context: Mapping[str, Any]) -> list[StepSection]:
        """The sections to show on ``step``'s page to ``user``; ``context`` holds what the page offers.

        Pages offer: ``{"attempt": <attempt id>}`` on a lab attempt's page, nothing elsewhere.
        """


_providers: list[StepSectionProvider] = []


def register(provider: StepSectionProvider) -> None:
    """Add a provider once (registering an equal provider again is a no-op, as ``ready()`` may run twice)."""
    if not any(type(existing) is type(provider) for existing in _providers):
        _providers.append(provider)


def sections_for(user, step: Step, context: Mapping[str, Any] | None = None) -> list[StepSection]:
    context = context or {}
    return [section for provider in _providers for section in provider.sections_for(user, step, context)]
