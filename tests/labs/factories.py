"""factory_boy factories for labs: labs with their step, criteria, drafts and attempts.

Users and courses come from tests/factories.py. ``graded_result`` builds a
grading result shaped like the pipeline's (DESIGN.md "Grading result") without
rendering a video, for page tests that do not need one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from courses.models import Step
from labs.models import Criterion, Lab, LabDraft, Submission
from tests.factories import StepFactory, UserFactory


class LabFactory(factory.django.DjangoModelFactory):
    """A small lab (1 s, 16:9 draft) on a lab step of a published course."""

    class Meta:
        model = Lab

    step = factory.SubFactory(StepFactory, kind=Step.Kind.LAB, title=factory.Sequence(lambda n: f"Labo {n}"))
    slug = factory.Sequence(lambda n: f"labo-{n}")
    brief = "Filmez un **flacon de parfum** posé sur une table, à l'heure dorée."
    duration_s = 1
    aspect_ratio = Lab.AspectRatio.LANDSCAPE
    backend_alias = "default"
    pass_mark = 60
    max_attempts = 5
    reference_prompt = "Gros plan sur un flacon de parfum ambré, travelling avant lent, lumière dorée."


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    lab = factory.SubFactory(LabFactory)
    kind = Criterion.Kind.ANATOMY
    element = "subject"
    weight = 10
    position = factory.Sequence(lambda n: n)


class LabDraftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LabDraft

    lab = factory.SubFactory(LabFactory)
    learner = factory.SubFactory(UserFactory)
    prompt = "Un flacon de parfum sur une table."


class SubmissionFactory(factory.django.DjangoModelFactory):
    """An attempt in any state, written directly (no service, no task)."""

    class Meta:
        model = Submission

    lab = factory.SubFactory(LabFactory)
    learner = factory.SubFactory(UserFactory)
    prompt = "Gros plan sur un flacon de parfum ambré posé sur une table en marbre."
    client_token = factory.Sequence(lambda n: f"token-{n}")
    backend_alias = "default"

    class Params:
        graded = factory.Trait(
            state=Submission.State.GRADED,
            progress=100,
            score=80,
            passed=True,
            finished_at=factory.LazyFunction(timezone.now),
        )
        failed = factory.Trait(
            state=Submission.State.FAILED,
            counts_as_attempt=False,
            error_code="auth",
            error_message="Le moteur vidéo a refusé la connexion.",
            finished_at=factory.LazyFunction(timezone.now),
        )


def criterion_item(
    criterion: Criterion, *, score: float, feedback: str = "", spans: Sequence[tuple[int, int]] = ()
) -> dict[str, Any]:
    """One entry of ``result["criteria"]`` for ``criterion``, keyed like the pipeline keys it."""
    return {
        "key": f"{criterion.kind}-{criterion.pk}",
        "kind": criterion.kind,
        "label": criterion.label or criterion.element,
        "weight": criterion.weight,
        "score": score,
        "feedback": feedback,
        "evidence": "",
        "spans": [list(span) for span in spans],
        "hint": "",
        "hidden": criterion.hidden,
    }


def graded_result(*, score: int, passed: bool, items: Sequence[dict[str, Any]], next_steps: Sequence[str] = ()) -> dict:
    return {
        "version": 1,
        "score": score,
        "max_score": 100,
        "passed": passed,
        "criteria": list(items),
        "next_steps": list(next_steps),
        "findings": [],
        "metrics": {},
        "policy": {"allowed": True, "findings": [], "moderation_categories": []},
        "backend": {"alias": "default", "seconds": 0.5, "cost": None, "simulation": True},
    }


def attach_media(
    submission: Submission, *, video: bytes = b"\x00" * 1000, image: bytes = b"\xff\xd8fake-jpeg"
) -> Submission:
    """Store small stand-in files as the attempt's video, poster and contact sheet."""
    submission.video.save(f"{submission.pk}-video.mp4", ContentFile(video), save=False)
    submission.poster.save(f"{submission.pk}-poster.jpg", ContentFile(image), save=False)
    submission.contact_sheet.save(f"{submission.pk}-sheet.jpg", ContentFile(image), save=False)
    submission.save(update_fields=["video", "poster", "contact_sheet"])
    return submission
