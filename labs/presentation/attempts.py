"""How an attempt is presented while it runs: its number, how often the page polls, what the status line says."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from labs.models import Submission

# Polling of the attempt page: every 2 s for the first minute, then every 5 s.
FAST_POLL_SECONDS = 60
QUEUE_BUSY_AFTER = timedelta(seconds=30)


def attempt_numbers(submissions: Sequence[Submission]) -> dict[int, int]:
    """Attempt n° 1 is the oldest."""
    ordered = sorted(submissions, key=lambda s: (s.created_at, s.pk))
    return {s.pk: number for number, s in enumerate(ordered, start=1)}


def numbered(submissions: list[Submission]) -> list[Submission]:
    """The attempts, each with its ``attempt_number``."""
    numbers = attempt_numbers(submissions)
    for submission in submissions:
        submission.attempt_number = numbers[submission.pk]
    return submissions


def poll_trigger(submission: Submission) -> str:
    """The server decides how often the page polls, and stops it by rendering no trigger at all."""
    if submission.is_terminal:
        return ""
    age = (timezone.now() - submission.created_at).total_seconds()
    return "every 2s" if age < FAST_POLL_SECONDS else "every 5s"


def queue_busy(submission: Submission) -> bool:
    """Still queued after a while: the page says the queue is busy (and that the attempt is safe)."""
    return submission.state == Submission.State.QUEUED and timezone.now() - submission.created_at > QUEUE_BUSY_AFTER


def status_message(submission: Submission) -> str:
    if submission.state == Submission.State.QUEUED:
        return _("Votre essai est enregistré et attend un moteur de génération.")
    if submission.state == Submission.State.GENERATING:
        return _("Le moteur génère la vidéo de votre prompt (%(progress)d %%).") % {"progress": submission.progress}
    if submission.state == Submission.State.ANALYSING:
        return _("Vidéo générée : analyse de l'image et notation des critères.")
    return ""
