"""A small world for the security suite: one course of each kind of step, its people, their records.

Roles, as the permission matrix names them:
- ``anonymous``;
- ``learner``: L1, enrolled in the course, owner of the graded attempt, the certificate, the quiz attempt;
- ``other_learner``: L2, a learner of another course, owns nothing in this one;
- ``trainer``: T1, owner of the course, trainer of the funding action;
- ``other_trainer``: T2, a trainer with no link to the course;
- ``admin``: staff.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from academy.models import User
from community.models import CalibrationVideo, GalleryItem, Post, PostReport, Review, ReviewAssignment, RubricCriterion
from courses.models import Certificate, Course, DailyActivity, LessonImage, Question, QuizAttempt, Step
from funding.models import DossierDocument, Participant, RequiredDocument, TrainingAction
from labs.models import Criterion, Lab, PolicyRule, Submission
from tests.factories import (
    AdminFactory,
    EnrolmentFactory,
    QuestionFactory,
    QuizFactory,
    StepFactory,
    TrainerFactory,
    UserFactory,
    build_course,
    complete,
)
from tests.funding.factories import CompanyFactory, ParticipantFactory, TrainingActionFactory
from tests.labs.factories import (
    CriterionFactory,
    LabDraftFactory,
    LabFactory,
    SubmissionFactory,
    attach_media,
    criterion_item,
    graded_result,
)

ROLES = ("anonymous", "learner", "other_learner", "trainer", "other_trainer", "admin")
PASSWORD = "motdepasse-solide-42"
KNOWN_CIN = "BK654321"
KNOWN_CNSS = "987654321"


def png_bytes(size: tuple[int, int] = (8, 8), colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


@dataclass
class World:
    learner: User
    other_learner: User
    trainer: User
    other_trainer: User
    admin: User
    course: Course
    draft_course: Course
    lesson_step: Step
    quiz_step: Step
    lab_step: Step
    lab: Lab
    criterion: Criterion
    question: Question
    image: LessonImage
    submission: Submission
    other_submission: Submission
    certificate: Certificate
    policy_rule: PolicyRule
    action: TrainingAction
    participant: Participant
    document: DossierDocument
    # community: L1 and a peer (P) share their attempts; L1 reviews P's, P reviewed L1's
    peer: User
    other_course: Course
    gallery_item: GalleryItem
    peer_item: GalleryItem
    assignment: ReviewAssignment
    peer_review: Review
    peer_criterion: RubricCriterion
    calibration: CalibrationVideo
    post: Post
    own_post: Post
    report: PostReport

    def user(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)

    def client(self, role: str, **client_kwargs) -> Client:
        client = Client(**client_kwargs)
        user = self.user(role)
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client


def build_world() -> World:
    trainer = TrainerFactory(email="t1@example.com", first_name="Tarik", last_name="Formateur")
    other_trainer = TrainerFactory(email="t2@example.com")
    learner = UserFactory(email="l1@example.com", first_name="Leila", last_name="Apprenante")
    other_learner = UserFactory(email="l2@example.com")
    admin = AdminFactory(email="admin@example.com")

    course = build_course(modules=1, steps_per_module=1, owner=trainer, slug="cours-securite", title="Cours sécurité")
    module = course.modules.get()
    lesson_step = module.steps.get()
    lesson = lesson_step.lesson
    lesson.video.save("exemple.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200), save=True)
    question = QuestionFactory(course=course, key="q-camera")
    quiz_step = StepFactory(module=module, kind=Step.Kind.QUIZ, position=1, title="Quiz sécurité")
    quiz = QuizFactory(step=quiz_step, draw_count=1)
    lab_step = StepFactory(module=module, kind=Step.Kind.LAB, position=2, title="Labo sécurité")
    lab = LabFactory(step=lab_step, slug="labo-securite")
    criterion = CriterionFactory(lab=lab, kind=Criterion.Kind.ANATOMY, element="subject", label="Sujet")
    image = LessonImage(course=course, alt_text="Plan large", width=8, height=8, uploaded_by=trainer)
    image.image.save("plan.png", ContentFile(png_bytes()), save=True)

    draft_course = build_course(modules=1, steps_per_module=1, owner=trainer, slug="cours-brouillon", draft=True)

    EnrolmentFactory(user=learner, course=course)
    complete(learner, lesson_step)
    DailyActivity.objects.create(user=learner, course=course, day=timezone.localdate(), seconds=600)
    QuizAttempt.objects.create(
        quiz=quiz,
        user=learner,
        question_order=[question.pk],
        choice_order={str(question.pk): list(question.choices.values_list("pk", flat=True))},
        answers={str(question.pk): [question.choices.first().pk]},
        score=100,
        passed=True,
        submitted_at=timezone.now(),
    )
    submission = SubmissionFactory(
        lab=lab,
        learner=learner,
        graded=True,
        result=graded_result(
            score=80, passed=True, items=[criterion_item(criterion, score=1.0, feedback="Sujet clair.")]
        ),
    )
    attach_media(submission)
    LabDraftFactory(lab=lab, learner=learner, prompt="Brouillon de Leila")
    other_submission = SubmissionFactory(
        lab=lab, learner=other_learner, graded=True, prompt="Prompt de quelqu'un d'autre"
    )
    certificate = Certificate.objects.create(
        user=learner, course=course, learner_name="Leila Apprenante", course_title=course.title, hours=1
    )
    policy_rule = PolicyRule.objects.create(
        category=PolicyRule.Category.VIOLENCE, terms=["massacre"], explanation="Non."
    )

    action = TrainingActionFactory(course=course, company=CompanyFactory(legal_name="Atlas Média SARL"))
    action.trainers.add(trainer)
    participant = ParticipantFactory(action=action, learner=learner, cin=KNOWN_CIN, cnss_number=KNOWN_CNSS)
    required, _ = RequiredDocument.objects.get_or_create(code="convention", defaults={"label": "Convention"})
    document = DossierDocument(action=action, required=required, status=DossierDocument.Status.PREPARED)
    document.file.save("convention.pdf", ContentFile(b"%PDF-1.4\n%test\n"), save=True)

    community = _build_community(
        trainer=trainer, learner=learner, other_learner=other_learner, course=course, lab=lab, submission=submission
    )
    return World(
        **community,
        learner=learner,
        other_learner=other_learner,
        trainer=trainer,
        other_trainer=other_trainer,
        admin=admin,
        course=course,
        draft_course=draft_course,
        lesson_step=lesson_step,
        quiz_step=quiz_step,
        lab_step=lab_step,
        lab=lab,
        criterion=criterion,
        question=question,
        image=image,
        submission=submission,
        other_submission=other_submission,
        certificate=certificate,
        policy_rule=policy_rule,
        action=action,
        participant=participant,
        document=document,
    )


def _build_community(*, trainer, learner, other_learner, course, lab, submission) -> dict:
    from community.services.discussion import post_create, post_report
    from community.services.gallery import share_attempt
    from community.services.reviews import (
        ScoreInput,
        calibration_video_add,
        criterion_create,
        reference_review_save,
        request_reviews,
        review_settings_save,
        review_submit,
    )

    other_course = build_course(modules=1, steps_per_module=1, slug="cours-d-a-cote", title="Cours d'à côté")
    EnrolmentFactory(user=other_learner, course=other_course)
    peer = UserFactory(email="p1@example.com", first_name="Paul", last_name="Pair")
    EnrolmentFactory(user=peer, course=course)
    peer_attempt = attach_media(SubmissionFactory(lab=lab, learner=peer, graded=True, prompt="Prompt de Paul"))
    criterion = criterion_create(lab=lab, label="Cadrage", scale_max=4)
    criterion_create(lab=lab, label="Lumière", scale_max=4)
    review_settings_save(lab=lab, reviews_per_attempt=1, deadline_hours=72, instructions="")
    gallery_item = share_attempt(learner=learner, submission=submission)
    peer_item = share_attempt(learner=peer, submission=peer_attempt)
    request_reviews(author=peer, item=peer_item)
    request_reviews(author=learner, item=gallery_item)
    assignment = ReviewAssignment.objects.get(reviewer=learner)
    scores = [ScoreInput(criterion_id=c.pk, value=2, comment="Vu.") for c in lab.peer_criteria.all()]
    peer_review = review_submit(
        assignment=ReviewAssignment.objects.get(reviewer=peer),
        reviewer=peer,
        scores=scores,
        marks=[],
        suggestion="Zoom.",
    )
    trainer_attempt = attach_media(SubmissionFactory(lab=lab, learner=trainer, graded=True, prompt="Prompt de Tarik"))
    calibration = calibration_video_add(lab=lab, submission=trainer_attempt, trainer=trainer)
    reference_review_save(video=calibration, trainer=trainer, scores=scores, marks=[])
    lesson_step = course.modules.get().steps.get(kind=Step.Kind.LESSON)
    post = post_create(author=peer, step=lesson_step, body="Une question de Paul")
    own_post = post_create(author=learner, step=lesson_step, body="Une question de Leila")
    report = post_report(post=post, reporter=learner, reason="spam")
    return {
        "peer": peer,
        "other_course": other_course,
        "gallery_item": gallery_item,
        "peer_item": peer_item,
        "assignment": assignment,
        "peer_review": peer_review,
        "peer_criterion": criterion,
        "calibration": calibration,
        "post": post,
        "own_post": own_post,
        "report": report,
    }


@pytest.fixture
def world(db, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world()
