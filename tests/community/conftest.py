"""A cohort for the community tests: a course with a lesson and a lab, its trainer, learners with graded
attempts (small stand-in media files), and a learner of another course."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.test import Client

from academy.models import User
from community.models import RubricCriterion
from community.services.reviews import criterion_create
from courses.models import Course, Step
from labs.models import Lab, Submission
from tests.factories import EnrolmentFactory, StepFactory, TrainerFactory, UserFactory, build_course
from tests.labs.factories import LabFactory, SubmissionFactory, attach_media, graded_result


@dataclass
class Cohort:
    course: Course
    trainer: User
    lab: Lab
    lesson_step: Step
    learners: list[User]
    attempts: dict[int, Submission]  # learner id → their graded attempt
    outsider: User  # a learner of another course
    other_course: Course
    criteria: list[RubricCriterion] = field(default_factory=list)

    def client(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client


def graded_attempt(lab: Lab, learner: User, *, score: int = 80, prompt: str = "") -> Submission:
    result = graded_result(score=score, passed=score >= lab.pass_mark, items=[])
    result["metrics"] = {"duration_s": 4.0}
    submission = SubmissionFactory(
        lab=lab,
        learner=learner,
        graded=True,
        score=score,
        passed=score >= lab.pass_mark,
        result=result,
        prompt=prompt or f"Gros plan sur un flacon, travelling avant lent ({learner.first_name}).",
    )
    return attach_media(submission)


def make_cohort(learner_count: int = 4, *, rubric: bool = True) -> Cohort:
    trainer = TrainerFactory(first_name="Salma", last_name="Formatrice")
    course = build_course(modules=1, steps_per_module=1, owner=trainer, slug="cours-communaute")
    lesson_step = course.modules.get().steps.get()
    lab_step = StepFactory(module=lesson_step.module, kind=Step.Kind.LAB, position=5, title="Labo du parfum")
    lab = LabFactory(step=lab_step, slug="labo-parfum")
    learners = [UserFactory(first_name=f"Apprenant{i}", last_name="Cohorte") for i in range(learner_count)]
    attempts = {}
    for learner in learners:
        EnrolmentFactory(user=learner, course=course)
        attempts[learner.pk] = graded_attempt(lab, learner)
    other_course = build_course(modules=1, steps_per_module=1, slug="autre-cours")
    outsider = UserFactory(first_name="Autre", last_name="Cours")
    EnrolmentFactory(user=outsider, course=other_course)
    cohort = Cohort(
        course=course,
        trainer=trainer,
        lab=lab,
        lesson_step=lesson_step,
        learners=learners,
        attempts=attempts,
        outsider=outsider,
        other_course=other_course,
    )
    if rubric:
        cohort.criteria = [
            criterion_create(lab=lab, label="Cadrage", scale_max=4),
            criterion_create(lab=lab, label="Lumière", scale_max=4),
            criterion_create(lab=lab, label="Artefacts", scale_max=5),
        ]
    return cohort


@pytest.fixture
def cohort(db, settings, tmp_path) -> Cohort:
    settings.MEDIA_ROOT = tmp_path / "media"
    return make_cohort()
