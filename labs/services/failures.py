"""What a learner reads when an attempt cannot be graded: one message per kind of failure.

Every failure of an attempt ends here, whoever noticed it (the grading run,
its retry policy, the sweeper, the learner cancelling it): ``describe_failure``
turns the error into the stored code and the learner-facing message, in the
active language (labs.services.transitions activates the attempt's).
None of these failures uses up an attempt, and each message says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils.translation import gettext as _

from labs.backends.base import BackendError, TransientBackendError
from labs.grading.video_analysis import VideoAnalysisError


class RetriesExhausted(Exception):
    """The backend kept failing with transient errors after every retry."""

    def __init__(self, error: TransientBackendError):
        super().__init__(error.code)
        self.error = error


class RunLost(Exception):
    """The attempt's run was lost (its worker died) more times than the sweeper rescues."""


class CancelledByLearner(Exception):
    """The learner cancelled an attempt that had stopped moving."""


@dataclass(frozen=True)
class Failure:
    code: str
    message: str


def describe_failure(error: BaseException) -> Failure:
    """The stored code and the learner's message for ``error``."""
    if isinstance(error, RetriesExhausted):
        return Failure(
            error.error.code or "transient",
            _(
                "Le service de génération reste indisponible après plusieurs essais. "
                "Cette tentative n'est pas décomptée : relancez-la dans quelques minutes."
            ),
        )
    if isinstance(error, SoftTimeLimitExceeded):
        return Failure(
            "timeout",
            _(
                "La génération a dépassé le temps maximum (%(minutes)d minutes). "
                "Cette tentative n'est pas décomptée ; un prompt plus simple ou une durée plus courte peut aider."
            )
            % {"minutes": settings.CELERY_TASK_SOFT_TIME_LIMIT // 60},
        )
    if isinstance(error, VideoAnalysisError):
        return Failure(
            f"video_{error.code}",
            _("La vidéo produite n'a pas pu être analysée (%(reason)s). Cette tentative n'est pas décomptée.")
            % {"reason": error.message},
        )
    if isinstance(error, BackendError):
        return Failure(
            error.code or "backend_error",
            _("Le service de génération a renvoyé une erreur : %(message)s. Cette tentative n'est pas décomptée.")
            % {"message": error.message or error.code},
        )
    if isinstance(error, CancelledByLearner):
        return Failure(
            "cancelled",
            _("Vous avez annulé cet essai, qui n'avançait plus. Il n'est pas décompté : vous pouvez le relancer."),
        )
    if isinstance(error, RunLost):
        return Failure(
            "stuck",
            _(
                "La notation n'a pas pu aboutir malgré plusieurs relances. Cette tentative n'est pas décomptée : relancez-la."
            ),
        )
    return Failure(
        "internal_error",
        _(
            "Une erreur interne a interrompu la notation. Cette tentative n'est pas décomptée ; "
            "l'équipe technique est prévenue."
        ),
    )
