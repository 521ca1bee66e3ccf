"""The lab pipeline: states, idempotency, retries, the sweeper and failures that never cost an attempt."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from courses.models import Step, StepProgress
from labs.backends.base import BackendError, JobState, JobStatus, PolicyRejected, TransientBackendError
from labs.backends.simulator import SimulatorBackend
from labs.models import Criterion, Lab, Submission
from labs.services.pipeline import run_grading
from labs.services.submissions import SubmissionRefused, submit_attempt
from labs.services.transitions import MAX_ENQUEUES
from labs.tasks import MAX_RETRIES, grade_submission, sweep_stuck_submissions
from tests.factories import EnrolmentFactory, StepFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD_PROMPT = (
    "Gros plan sur un flacon de parfum en verre ambré posé sur une table en marbre, à l'heure dorée. "
    "Une main saisit le flacon, le tourne lentement, puis le repose. Travelling avant lent. "
    "Lumière douce venant de la fenêtre à gauche. Palette : ambre, crème."
)


class AlwaysBusyBackend(SimulatorBackend):
    calls = 0

    def start(self, request):
        type(self).calls += 1
        raise TransientBackendError("429 from provider", code="rate_limited", retry_after=1)


class BusyOnceBackend(SimulatorBackend):
    calls = 0

    def start(self, request):
        type(self).calls += 1
        if type(self).calls == 1:
            raise TransientBackendError("503", code="server_error")
        return super().start(request)


class ModeratedBackend(SimulatorBackend):
    def start(self, request):
        raise PolicyRejected("blocked by provider moderation", code="moderation_blocked")


class BrokenBackend(SimulatorBackend):
    def start(self, request):
        raise BackendError("invalid API key", code="auth")


class TextFileBackend(SimulatorBackend):
    """Returns a text file named .mp4, as a misbehaving provider might."""

    def start(self, request):
        return "text-job"

    def poll(self, job_ref):
        return JobStatus(JobState.SUCCEEDED, 100)

    def fetch(self, job_ref, destination: Path) -> Path:
        destination.write_text("this is not a video")
        return destination


@pytest.fixture
def backends(settings):
    settings.VIDEO_BACKENDS = {
        "default": {"BACKEND": "labs.backends.simulator.SimulatorBackend", "OPTIONS": {}},
        **{
            alias: {"BACKEND": f"tests.labs.test_pipeline.{name}", "OPTIONS": {}}
            for alias, name in [
                ("busy", "AlwaysBusyBackend"),
                ("busy_once", "BusyOnceBackend"),
                ("moderated", "ModeratedBackend"),
                ("broken", "BrokenBackend"),
                ("text", "TextFileBackend"),
            ]
        },
    }
    AlwaysBusyBackend.calls = BusyOnceBackend.calls = 0
    return settings.VIDEO_BACKENDS


@pytest.fixture
def lab(backends, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    step = StepFactory(kind=Step.Kind.LAB, title="Teaser produit")
    lab = Lab.objects.create(
        step=step, slug="teaser", brief="Un teaser.", duration_s=Decimal("1"), pass_mark=50, max_attempts=3
    )
    Criterion.objects.bulk_create(
        [
            Criterion(lab=lab, kind="anatomy", element="subject", weight=20),
            Criterion(lab=lab, kind="anatomy", element="camera_movement", weight=20),
            Criterion(lab=lab, kind="must_mention", label="le flacon", terms=["flacon", "bottle"], weight=20),
            Criterion(lab=lab, kind="video", video_check="duration", weight=20),
            Criterion(lab=lab, kind="policy", weight=20),
        ]
    )
    return lab


@pytest.fixture
def learner(lab):
    user = UserFactory()
    EnrolmentFactory(user=user, course=lab.step.module.course)
    return user


def submit(learner, lab, prompt=GOOD_PROMPT, token=None, capture=None):
    return submit_attempt(learner=learner, lab=lab, prompt=prompt, client_token=token or uuid.uuid4().hex)


def grade(submission, tmp_path) -> Submission | None:
    return run_grading(submission.pk, str(submission.task_token), workdir=tmp_path)


def test_submit_saves_a_queued_attempt_and_enqueues_grading_on_commit(lab, learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submission = submit(learner, lab)
    assert submission.state == Submission.State.QUEUED
    assert submission.counts_as_attempt is True
    assert len(callbacks) == 1


def test_a_double_click_creates_one_submission(lab, learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = submit(learner, lab, token="same-token")
        second = submit(learner, lab, token="same-token")
    assert first.pk == second.pk
    assert Submission.objects.count() == 1


def test_a_second_attempt_waits_for_the_first(lab, learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        submit(learner, lab)
        with pytest.raises(SubmissionRefused) as refused:
            submit(learner, lab)
    assert refused.value.code == "in_flight"


def test_refused_prompts_keep_the_draft(lab, learner):
    long_prompt = "x" * 4001
    with pytest.raises(SubmissionRefused) as refused:
        submit(learner, lab, prompt=long_prompt)
    assert refused.value.code == "prompt_too_long"
    assert lab.drafts.get(learner=learner).prompt == long_prompt


@pytest.mark.parametrize(
    ("prompt", "code"),
    [("   ", "empty_prompt"), ("un flacon\x07 qui tourne", "control_character"), ("a\u202eb", "control_character")],
)
def test_bad_prompts_are_refused_with_a_clear_code(lab, learner, prompt, code):
    with pytest.raises(SubmissionRefused) as refused:
        submit(learner, lab, prompt=prompt)
    assert refused.value.code == code
    assert refused.value.messages[0]


def test_a_policy_violation_is_blocked_at_once_and_counts_as_an_attempt(
    lab, learner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submission = submit(
            learner, lab, prompt="Achraf Hakimi tient notre flacon de parfum dans un stade, plan large."
        )
    assert submission.state == Submission.State.BLOCKED
    assert submission.counts_as_attempt is True
    assert submission.result["policy"]["findings"][0]["category"] == "real_person"
    assert callbacks == []  # nothing is generated


def test_grading_moves_to_graded_stores_the_media_and_completes_the_step(
    lab, learner, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        submission = submit(learner, lab)
    graded = grade(submission, tmp_path)
    assert graded.state == Submission.State.GRADED
    assert graded.progress == 100
    assert graded.video.name and graded.poster.name and graded.contact_sheet.name
    assert graded.result["metrics"]["duration_s"] == pytest.approx(1.0, abs=0.1)
    assert {c["kind"] for c in graded.result["criteria"]} == {"anatomy", "must_mention", "video", "policy"}
    assert graded.passed is True
    assert StepProgress.objects.get(user=learner, step=lab.step).completed_at is not None


def test_a_redelivered_task_changes_nothing(lab, learner, tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        submission = submit(learner, lab)
    graded = grade(submission, tmp_path)
    # when the broker delivers the same task again
    again = run_grading(submission.pk, str(submission.task_token), workdir=tmp_path)
    # then it returns at once and the result is unchanged
    assert again is None
    reloaded = Submission.objects.get(pk=submission.pk)
    assert (reloaded.finished_at, reloaded.score, reloaded.video.name) == (
        graded.finished_at,
        graded.score,
        graded.video.name,
    )


def test_a_task_with_a_stale_token_is_ignored(lab, learner, tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        submission = submit(learner, lab)
    assert run_grading(submission.pk, str(uuid.uuid4()), workdir=tmp_path) is None
    assert Submission.objects.get(pk=submission.pk).state == Submission.State.QUEUED


def _submit_on(lab, learner, alias, django_capture_on_commit_callbacks):
    lab.backend_alias = alias
    lab.save()
    with django_capture_on_commit_callbacks(execute=False):
        return submit(learner, lab)


def test_transient_errors_are_retried_then_fail_without_using_an_attempt(
    lab, learner, django_capture_on_commit_callbacks
):
    submission = _submit_on(lab, learner, "busy", django_capture_on_commit_callbacks)
    grade_submission.apply(args=[submission.pk, str(submission.task_token)])
    submission.refresh_from_db()
    assert AlwaysBusyBackend.calls == MAX_RETRIES + 1
    assert submission.state == Submission.State.FAILED
    assert submission.counts_as_attempt is False
    assert submission.error_code == "rate_limited"
    assert "n'est pas décomptée" in submission.error_message


def test_a_transient_error_then_success_ends_graded(lab, learner, django_capture_on_commit_callbacks):
    submission = _submit_on(lab, learner, "busy_once", django_capture_on_commit_callbacks)
    grade_submission.apply(args=[submission.pk, str(submission.task_token)])
    submission.refresh_from_db()
    assert BusyOnceBackend.calls == 2
    assert submission.state == Submission.State.GRADED
    assert submission.retries == 1


def test_provider_moderation_blocks_the_attempt(lab, learner, django_capture_on_commit_callbacks):
    submission = _submit_on(lab, learner, "moderated", django_capture_on_commit_callbacks)
    grade_submission.apply(args=[submission.pk, str(submission.task_token)])
    submission.refresh_from_db()
    assert submission.state == Submission.State.BLOCKED
    assert submission.counts_as_attempt is True
    assert submission.result["policy"]["moderation_categories"] == ["moderation_blocked"]


@pytest.mark.parametrize(("alias", "code"), [("broken", "auth"), ("text", "video_not_a_video")])
def test_terminal_infrastructure_failures_do_not_use_up_an_attempt(
    lab, learner, alias, code, django_capture_on_commit_callbacks
):
    submission = _submit_on(lab, learner, alias, django_capture_on_commit_callbacks)
    grade_submission.apply(args=[submission.pk, str(submission.task_token)])
    submission.refresh_from_db()
    assert submission.state == Submission.State.FAILED
    assert submission.error_code == code
    assert submission.counts_as_attempt is False
    # and the learner may submit again
    lab.backend_alias = "default"
    lab.save()
    with django_capture_on_commit_callbacks(execute=False):
        assert submit(learner, lab).state == Submission.State.QUEUED


def test_the_attempts_cap_counts_graded_and_blocked_but_not_failed(
    lab, learner, tmp_path, django_capture_on_commit_callbacks
):
    lab.max_attempts = 2
    lab.save()
    failed = _submit_on(lab, learner, "broken", django_capture_on_commit_callbacks)
    grade_submission.apply(args=[failed.pk, str(failed.task_token)])
    lab.backend_alias = "default"
    lab.save()
    with django_capture_on_commit_callbacks(execute=False):
        submit(learner, lab, prompt="Mickey Mouse danse sur une plage au coucher du soleil, plan large, travelling.")
        grade(submit(learner, lab), tmp_path)
        with pytest.raises(SubmissionRefused) as refused:
            submit(learner, lab)
    assert refused.value.code == "attempts_exhausted"


def test_the_generation_budget_is_enforced(lab, learner, tmp_path, django_capture_on_commit_callbacks):
    lab.budget_generations_per_learner = 1
    lab.max_attempts = 0
    lab.save()
    with django_capture_on_commit_callbacks(execute=False):
        grade(submit(learner, lab), tmp_path)
        with pytest.raises(SubmissionRefused) as refused:
            submit(learner, lab)
    assert refused.value.code == "budget_exhausted"


def test_the_sweeper_requeues_a_stuck_attempt_with_a_new_token(lab, learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        submission = submit(learner, lab)
    Submission.objects.filter(pk=submission.pk).update(
        state=Submission.State.GENERATING, deadline_at=timezone.now() - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outcome = sweep_stuck_submissions.apply().get()
    swept = Submission.objects.get(pk=submission.pk)
    assert outcome == {"requeued": 1, "failed": 0}
    assert swept.state == Submission.State.QUEUED
    assert swept.task_token != submission.task_token
    assert swept.enqueue_count == 1
    assert len(callbacks) == 1
    # the old task, if it was still running, is now stale
    assert run_grading(submission.pk, str(submission.task_token), workdir=Path("/nonexistent")) is None


def test_the_sweeper_sends_a_lost_queued_attempt_again_with_the_same_token(
    lab, learner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        submission = submit(learner, lab)
    Submission.objects.filter(pk=submission.pk).update(deadline_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert sweep_stuck_submissions.apply().get() == {"requeued": 1, "failed": 0}
    swept = Submission.objects.get(pk=submission.pk)
    assert swept.state == Submission.State.QUEUED
    assert swept.task_token == submission.task_token
    assert swept.deadline_at > timezone.now()
    assert len(callbacks) == 1


def test_the_sweeper_fails_an_attempt_rescued_too_often_without_counting_it(
    lab, learner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        submission = submit(learner, lab)
    Submission.objects.filter(pk=submission.pk).update(
        state=Submission.State.ANALYSING, enqueue_count=MAX_ENQUEUES, deadline_at=timezone.now() - timedelta(seconds=1)
    )
    assert sweep_stuck_submissions.apply().get() == {"requeued": 0, "failed": 1}
    swept = Submission.objects.get(pk=submission.pk)
    assert swept.state == Submission.State.FAILED
    assert swept.counts_as_attempt is False


def test_the_sweeper_leaves_attempts_within_their_deadline_alone(lab, learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        submit(learner, lab)
    assert sweep_stuck_submissions.apply().get() == {"requeued": 0, "failed": 0}


def test_attempts_on_a_gpu_backend_go_to_its_queue(settings):
    from labs.services.dispatch import grading_queue

    settings.VIDEO_BACKENDS = {
        "default": {"BACKEND": "labs.backends.simulator.SimulatorBackend", "OPTIONS": {}},
        "diffusers": {"BACKEND": "labs.backends.diffusers_backend.DiffusersBackend", "OPTIONS": {"queue": "gpu"}},
    }
    assert grading_queue("default") == "default"
    assert grading_queue("diffusers") == "gpu"
    assert grading_queue("no-such-backend") == "default"
