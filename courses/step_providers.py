"""The small interface a course outline needs from steps that live in other apps.

Courses never imports labs. A lab is a Step of kind "lab"; the labs app
registers a provider for that kind when it starts (labs.apps), telling the
outline where the step's page is. Completion is pushed the other way: when
a learner passes a lab, labs calls ``courses.services.step_complete``.
"""

from __future__ import annotations

from typing import Protocol

from courses.models import Step


class StepProvider(Protocol):
    def url_for(self, step: Step) -> str:
        """The URL of the step's page for a learner."""

    def authoring_url_for(self, step: Step) -> str:
        """The URL where a trainer edits what the step holds."""


_providers: dict[str, StepProvider] = {}


def register(kind: str, provider: StepProvider) -> None:
    _providers[kind] = provider


def get(kind: str) -> StepProvider | None:
    return _providers.get(kind)
