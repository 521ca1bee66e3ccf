"""Learner pages of a prompt lab: the lab page with its live coach, submitting, the attempt page, comparison, media.

Views stay thin: permissions from courses.api, reads from labs.selectors,
writes through labs.services, and what is computed for display in labs.presentation. Every page works without JavaScript:
htmx only swaps partials of the same templates (``"labs/x.html#part"``).
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from academy.htmx import wants_partial
from academy.notifications.api import mark_present
from courses import api as courses
from labs import selectors
from labs.backends import describe_backend, get_backend
from labs.backends.base import BackendError
from labs.forms.learner import CompareForm, new_client_token
from labs.media import ranged_file_response
from labs.models import Lab, Submission
from labs.notifications import submission_topic
from labs.presentation.attempts import attempt_numbers, numbered, poll_trigger, queue_busy, status_message
from labs.presentation.coach import build_coach
from labs.presentation.compare import compare_criteria, previous_pair
from labs.presentation.criteria import criterion_rows, learner_rubric
from labs.presentation.diff import word_diff
from labs.presentation.highlighting import evidence_spans, highlight, policy_spans
from labs.presentation.policy import policy_reasons
from labs.services import transitions
from labs.services.finals import final_render_refusal, request_final_render
from labs.services.submissions import (
    MAX_PROMPT_CHARS,
    SubmissionRefused,
    draft_save,
    prompt_length,
    submit_attempt,
)

# --- access ------------------------------------------------------------------


@dataclass
class LabAccess:
    lab: Lab
    enrolled: bool
    editor: bool

    @property
    def course(self):
        return self.lab.course

    @property
    def preview(self) -> bool:
        """A trainer or admin looking at a lab of a course they are not following."""
        return self.editor and not self.enrolled


def _forbidden(request: HttpRequest, *, lab: Lab, title: str, message: str, link: str = "") -> HttpResponse:
    context = {"title": title, "message": message, "course": lab.course, "link": link}
    return render(request, "courses/forbidden.html", context, status=403)


def _lab_access(request: HttpRequest, slug: str) -> LabAccess | HttpResponse:
    """The lab if the user may work on it: 404 when they may not see the course, a redirect or 403 otherwise."""
    lab = selectors.lab_for_learner_page(slug)
    if lab is None or not courses.can_view_course(request.user, lab.course):
        raise Http404
    enrolled = courses.is_enrolled(request.user, lab.course)
    editor = courses.can_edit_course(request.user, lab.course)
    if not (enrolled or editor):
        messages.info(request, _("Inscrivez-vous pour suivre ce cours."))
        return redirect(lab.course)
    if not editor:
        state = courses.locked_step_state(request.user, lab.course, lab.step_id)
        if state is not None:
            return _forbidden(
                request,
                lab=lab,
                title=_("Étape verrouillée"),
                message=str(state.locked_reason) or _("Ce labo s'ouvrira quand l'étape précédente sera terminée."),
                link=state.previous.get_absolute_url() if state.previous else "",
            )
    return LabAccess(lab=lab, enrolled=enrolled, editor=editor)


def _can_see_submission(user, submission: Submission) -> bool:
    return submission.learner_id == user.pk or courses.can_edit_course(user, submission.lab.course)


def _visible_submission(request: HttpRequest, pk: int) -> Submission:
    """The attempt if it is the user's own or belongs to a course they teach; 404 otherwise (no existence leak)."""
    submission = selectors.submission_for_page(pk)
    if submission is None or not _can_see_submission(request.user, submission):
        raise Http404
    return submission


def _is_simulation(lab: Lab) -> bool:
    try:
        return get_backend(lab.backend_alias).is_simulation
    except BackendError:  # a misconfigured alias must not break the page; submitting will say so
        return False


# --- the lab page ------------------------------------------------------------


def _lab_context(request: HttpRequest, access: LabAccess, *, prompt: str, refusal: str = "") -> dict[str, Any]:
    lab, user = access.lab, request.user
    attempts = selectors.learner_attempts(learner=user, lab=lab)
    for attempt in attempts:
        attempt.lab = lab  # no lazy query from the grade or the history
    history = numbered(attempts)
    visible_criteria, hidden_count = learner_rubric(lab)
    return {
        "lab": lab,
        "course": lab.course,
        "step": lab.step,
        "access": access,
        "brief_html": courses.render_markdown(lab.brief),
        "is_simulation": _is_simulation(lab),
        "criteria": visible_criteria,
        "hidden_count": hidden_count,
        # Counted over the attempts fetched once, as lab_allowance and grade_that_counts would count them.
        "allowance": selectors.allowance_from(attempts, lab=lab),
        "grade": selectors.counted_grade(attempts, lab=lab),
        "history": history,
        "graded_count": sum(s.state == Submission.State.GRADED for s in history),
        "prompt": prompt,
        "prompt_chars": prompt_length(prompt),
        "client_token": new_client_token(),
        "refusal": refusal,
        # Read only when the coach's fragment is not cached for this prompt yet.
        "coach": SimpleLazyObject(lambda: build_coach(prompt)),
        "max_chars": MAX_PROMPT_CHARS,
        "sections": courses.step_sections(user, lab.step),
    }


@login_required
@require_GET
def lab_for_step(request: HttpRequest, step_id: int) -> HttpResponse:
    lab = selectors.lab_for_step(step_id)
    if lab is None or not courses.can_view_course(request.user, lab.course):
        raise Http404
    return redirect(lab)


@login_required
@require_GET
@never_cache
def lab_page(request: HttpRequest, slug: str) -> HttpResponse:
    access = _lab_access(request, slug)
    if isinstance(access, HttpResponse):
        return access
    draft = selectors.learner_draft_prompt(learner=request.user, lab=access.lab)
    return render(request, "labs/lab.html", _lab_context(request, access, prompt=draft))


@login_required
@require_POST
def lab_check(request: HttpRequest, slug: str) -> HttpResponse:
    """The anatomy endpoint: saves the draft, then returns the coach panel (htmx) or goes back to the page."""
    access = _lab_access(request, slug)
    if isinstance(access, HttpResponse):
        return access
    prompt = request.POST.get("prompt", "")
    draft_save(learner=request.user, lab=access.lab, prompt=prompt)
    if wants_partial(request):
        context = {
            "coach": SimpleLazyObject(lambda: build_coach(prompt)),
            "prompt": prompt,
            "max_chars": MAX_PROMPT_CHARS,
            "lab": access.lab,
        }
        return render(request, "labs/lab.html#coach", context)
    return redirect(f"{access.lab.get_absolute_url()}#coach")


@login_required
@require_POST
def lab_submit(request: HttpRequest, slug: str) -> HttpResponse:
    access = _lab_access(request, slug)
    if isinstance(access, HttpResponse):
        return access
    prompt = request.POST.get("prompt", "")
    try:
        submission = submit_attempt(
            learner=request.user,
            lab=access.lab,
            prompt=prompt,
            client_token=request.POST.get("client_token", ""),
            language=(get_language() or "fr")[:2],
        )
    except SubmissionRefused as refused:
        context = _lab_context(request, access, prompt=prompt, refusal=refused.messages[0])
        return render(request, "labs/lab.html", context, status=400)
    return redirect(submission)


# --- the attempt page ----------------------------------------------------------


def _reveals_hidden(user, submission: Submission) -> bool:
    """Hidden criteria are revealed to trainers, and to the learner once the attempt that counts has passed."""
    if courses.can_edit_course(user, submission.lab.course):
        return True
    grade = selectors.grade_that_counts(learner=submission.learner, lab=submission.lab)
    return grade is not None and grade.passed


def _submission_context(request: HttpRequest, submission: Submission) -> dict[str, Any]:
    lab = submission.lab
    is_owner = submission.learner_id == request.user.pk
    attempts = list(selectors.learner_submissions(learner=submission.learner, lab=lab))
    context: dict[str, Any] = {
        "submission": submission,
        "lab": lab,
        "course": lab.course,
        "step": lab.step,
        "is_owner": is_owner,
        "is_simulation": (submission.result or {}).get("backend", {}).get("simulation", _is_simulation(lab)),
        "poll_trigger": poll_trigger(submission),
        "can_cancel": is_owner and transitions.cancellable(submission),
        "queue_busy": queue_busy(submission),
        "status_message": status_message(submission),
        "number": attempt_numbers(attempts).get(submission.draft_id or submission.pk),
        "can_compare": sum(s.state == Submission.State.GRADED for s in attempts) >= 2,
        "sections": courses.step_sections(request.user, lab.step, {"attempt": submission.pk}),
    }
    if submission.tier == Submission.Tier.FINAL:
        context["draft"] = submission.draft
    elif submission.state == Submission.State.GRADED:
        final = selectors.final_of(submission)
        context.update(
            final=final,
            can_ask_final=is_owner and (final is None or final.state in Submission.NOT_GENERATED_STATES),
            final_refusal=final_render_refusal(learner=request.user, draft=submission) if is_owner else "",
            final_allowance=selectors.final_allowance(learner=submission.learner, lab=lab),
            final_engine=describe_backend(lab.final_alias),
            final_size="×".join(str(side) for side in lab.frame_size("final")),
        )
    if submission.state == Submission.State.GRADED:
        reveal = _reveals_hidden(request.user, submission)
        rows = criterion_rows(submission, reveal_hidden=reveal)
        context.update(
            rows=rows,
            highlighted_prompt=highlight(submission.prompt, evidence_spans(submission, rows)),
            next_steps=(submission.result or {}).get("next_steps", []),
            show_reference=reveal and bool(lab.reference_prompt),
            pass_mark=lab.pass_mark,
        )
    elif submission.state == Submission.State.BLOCKED:
        reasons = policy_reasons(submission.result)
        ethics = lab.ethics_step
        context.update(
            reasons=reasons,
            highlighted_prompt=highlight(submission.prompt, policy_spans(submission, reasons)),
            ethics_url=ethics.get_absolute_url() if ethics else f"{lab.course.get_absolute_url()}#programme",
            ethics_title=ethics.title if ethics else _("Programme du cours"),
        )
    return context


@login_required
@require_GET
@never_cache
def submission_page(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _visible_submission(request, pk)
    if submission.learner_id == request.user.pk and not submission.is_terminal:
        # Watching it live: no notification when it is graded.
        mark_present(user_id=request.user.pk, topic=submission_topic(submission.pk))
    context = _submission_context(request, submission)
    template = "labs/submission.html#status" if wants_partial(request) else "labs/submission.html"
    return render(request, template, context)


@login_required
@require_POST
def submission_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Put the prompt of a failed (or any own) attempt back into the editor, then open the lab page."""
    submission = _visible_submission(request, pk)
    if submission.learner_id != request.user.pk:
        raise Http404
    draft_save(learner=request.user, lab=submission.lab, prompt=submission.prompt)
    messages.info(request, _("Le prompt de l'essai est dans l'éditeur : relisez-le, puis envoyez-le."))
    return redirect(f"{submission.lab.get_absolute_url()}#editor")


@login_required
@require_POST
def submission_final(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for the final render of one of the learner's graded attempts; open its page."""
    submission = _visible_submission(request, pk)
    if submission.learner_id != request.user.pk:
        raise Http404
    try:
        final = request_final_render(learner=request.user, draft=submission)
    except SubmissionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect(submission.get_absolute_url())
    return redirect(final.get_absolute_url())


@login_required
@require_GET
def submission_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The published video (marked, with its signed content credentials) as a file to keep."""
    submission = _visible_submission(request, pk)
    if not submission.video:
        raise Http404
    response = ranged_file_response(request, submission.video, "video/mp4")
    tier = "rendu-final" if submission.tier == Submission.Tier.FINAL else "essai"
    response["Content-Disposition"] = f'attachment; filename="{submission.lab.slug}-{tier}-{submission.pk}.mp4"'
    return response


@login_required
@require_POST
def submission_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The learner cancels their own attempt that stopped moving; it does not count as an attempt."""
    submission = _visible_submission(request, pk)
    if submission.learner_id != request.user.pk:
        raise Http404
    refusal = ""
    try:
        submission = transitions.submission_cancel(submission_id=submission.pk, learner=request.user)
    except transitions.NotCancellable as error:
        refusal = error.messages[0]
        submission.refresh_from_db()
    if wants_partial(request):
        context = {**_submission_context(request, submission), "cancel_refusal": refusal}
        return render(request, "labs/submission.html#status", context)
    if refusal:
        messages.info(request, refusal)
    else:
        messages.success(request, _("Essai annulé : il ne compte pas comme une tentative."))
    return redirect(submission)


_MEDIA_FIELDS = {"video": "video", "poster": "poster", "sheet": "contact_sheet"}


@login_required
@require_GET
def submission_media(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The attempt's video, poster or contact sheet, to its owner and the course's trainers only."""
    if kind not in _MEDIA_FIELDS:
        raise Http404
    submission = _visible_submission(request, pk)
    fieldfile = getattr(submission, _MEDIA_FIELDS[kind])
    if not fieldfile:
        raise Http404
    default_type = "video/mp4" if kind == "video" else "image/jpeg"
    content_type = mimetypes.guess_type(fieldfile.name)[0] or default_type
    return ranged_file_response(request, fieldfile, content_type)


# --- comparison ------------------------------------------------------------------


@login_required
@require_GET
def compare(request: HttpRequest, slug: str) -> HttpResponse:
    access = _lab_access(request, slug)
    if isinstance(access, HttpResponse):
        return access
    lab, user = access.lab, request.user
    attempts = selectors.graded_submissions(learner=user, lab=lab)
    graded = list(attempts.values_list("pk", flat=True))
    numbers = attempt_numbers(list(selectors.learner_submissions(learner=user, lab=lab)))
    if "a" in request.GET and "b" in request.GET:
        form = CompareForm(request.GET, attempts=attempts, numbers=numbers)
    else:
        # No extra click: B is the attempt given (« Comparer » on an attempt page) or the latest,
        # A the graded attempt just before it (or just after, for the first one).
        initial = previous_pair(graded, request.GET.get("b"))
        data = initial if initial["a"] is not None else None
        form = CompareForm(data, initial=initial, attempts=attempts, numbers=numbers)
    context: dict[str, Any] = {
        "lab": lab,
        "course": lab.course,
        "step": lab.step,
        "form": form,
        "enough_attempts": len(graded) >= 2,
    }
    if form.is_valid():
        a, b = form.cleaned_data["a"], form.cleaned_data["b"]
        for letter, attempt in (("A", a), ("B", b)):
            attempt.letter, attempt.attempt_number = letter, numbers.get(attempt.pk)
        reveal = _reveals_hidden(user, a)
        context.update(
            a=a,
            b=b,
            pair=(a, b),
            diff=word_diff(a.prompt, b.prompt),
            criteria=compare_criteria(criterion_rows(a, reveal_hidden=reveal), criterion_rows(b, reveal_hidden=reveal)),
            score_delta=(b.final_score or 0) - (a.final_score or 0),
        )
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "labs/compare.html", context, status=status)
