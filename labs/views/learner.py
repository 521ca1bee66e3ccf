"""Learner pages of a prompt lab: the lab page with its live coach, submitting, the attempt page, comparison, media.

Views stay thin: permissions from courses.permissions, reads from labs.selectors,
writes through labs.services.submissions. Every page works without JavaScript:
htmx only swaps partials of the same templates (``"labs/x.html#part"``).
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from difflib import SequenceMatcher
from itertools import pairwise
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from academy.htmx import wants_partial
from courses import permissions
from courses.markdown import render_markdown
from courses.selectors.learning import course_outline_for, step_state_in
from labs import selectors
from labs.backends import get_backend
from labs.backends.base import BackendError
from labs.forms.learner import CompareForm, PromptForm, new_client_token
from labs.grading.anatomy import ELEMENT_HINTS, ELEMENT_KEYS, ELEMENT_LABELS, parse_prompt
from labs.grading.rubric import video_check_label
from labs.media import ranged_file_response
from labs.models import Criterion, Lab, PolicyRule, Submission
from labs.presentation import CriterionRow, criterion_rows
from labs.services.submissions import MAX_PROMPT_CHARS, SubmissionRefused, draft_save, submit_attempt

# Polling of the attempt page: every 2 s for the first minute, then every 5 s.
FAST_POLL_SECONDS = 60
QUEUE_BUSY_AFTER = timedelta(seconds=30)

_FINDING_LABELS = {
    "vague": gettext_lazy("Mot vague"),
    "negative_only": gettext_lazy("Formulation négative"),
    "parameter_in_prompt": gettext_lazy("Paramètre dans le prompt"),
    "multiple_camera_moves": gettext_lazy("Plusieurs mouvements de caméra"),
    "too_short": gettext_lazy("Prompt trop court"),
    "too_long": gettext_lazy("Prompt trop long"),
}

# --- highlighting and diff (escaped text, our own tags only) -----------------


@dataclass(frozen=True)
class Span:
    """A stretch of the prompt to mark: ``css`` names its element (or problem), ``title`` explains it."""

    start: int
    end: int
    css: str
    title: str
    finding: bool = False


def highlight(text: str, spans: Iterable[Span]) -> SafeString:
    """The text, HTML-escaped, with <mark> around the spans.

    Spans may overlap (a detailed subject contains a colour): the text is cut at
    every span boundary and each piece takes the class of the innermost element
    covering it, plus ``has-finding`` when a problem covers it too.
    """
    spans = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    bounds = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    pieces: list[tuple[str, str, str]] = []  # (css, title, text)
    for start, end in pairwise(bounds):
        covering = [s for s in spans if s.start <= start and end <= s.end]
        elements = [s for s in covering if not s.finding]
        css_classes = []
        if elements:
            css_classes.append(min(elements, key=lambda s: s.end - s.start).css)
        if any(s.finding for s in covering):
            css_classes.append("has-finding")
        title = " · ".join(dict.fromkeys(str(s.title) for s in covering))
        css = " ".join(css_classes)
        if pieces and pieces[-1][:2] == (css, title):
            pieces[-1] = (css, title, pieces[-1][2] + text[start:end])
        else:
            pieces.append((css, title, text[start:end]))
    html = []
    for css, title, piece in pieces:
        if css:
            html.append(f'<mark class="{escape(css)}" title="{escape(title)}">{escape(piece)}</mark>')
        else:
            html.append(str(escape(piece)))
    return mark_safe("".join(html))  # noqa: S308 - every piece of user text above is escaped


_DIFF_TOKENS = re.compile(r"\s+|[^\W_]+(?:['’\-][^\W_]+)*|.", re.S)


def word_diff(before: str, after: str) -> SafeString:
    """A word-level diff of two prompts: removed words in <del>, added ones in <ins>, all text escaped."""
    old, new = _DIFF_TOKENS.findall(before), _DIFF_TOKENS.findall(after)
    chunks: list[list[str]] = []  # [removed, added] for a change, [same] for equal text
    for op, i1, i2, j1, j2 in SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        removed, added = "".join(old[i1:i2]), "".join(new[j1:j2])
        if op == "equal":
            chunks.append([removed])
        elif len(chunks) >= 2 and len(chunks[-2]) == 2 and len(chunks[-1]) == 1 and not chunks[-1][0].strip():
            # Two changes separated by a space read as one: "<del>plan fixe</del>", not two fragments.
            space = chunks.pop()[0]
            chunks[-1][0] += space + removed
            chunks[-1][1] += space + added
        else:
            chunks.append([removed, added])
    html: list[str] = []
    for chunk in chunks:
        if len(chunk) == 1:
            html.append(str(escape(chunk[0])))
            continue
        if chunk[0]:
            html.append(f"<del>{escape(chunk[0])}</del>")
        if chunk[1]:
            html.append(f"<ins>{escape(chunk[1])}</ins>")
    return mark_safe("".join(html))  # noqa: S308 - both prompts are escaped piece by piece


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
    lab = selectors.lab_for_page(slug)
    if lab is None or not permissions.can_view_course(request.user, lab.course):
        raise Http404
    enrolled = permissions.is_enrolled(request.user, lab.course)
    editor = permissions.can_edit_course(request.user, lab.course)
    if not (enrolled or editor):
        messages.info(request, _("Inscrivez-vous pour suivre ce cours."))
        return redirect(lab.course)
    if not editor:
        state = step_state_in(course_outline_for(request.user, lab.course), lab.step_id)
        if state is not None and state.locked:
            return _forbidden(
                request,
                lab=lab,
                title=_("Étape verrouillée"),
                message=str(state.locked_reason) or _("Ce labo s'ouvrira quand l'étape précédente sera terminée."),
                link=state.previous.get_absolute_url() if state.previous else "",
            )
    return LabAccess(lab=lab, enrolled=enrolled, editor=editor)


def _can_see_submission(user, submission: Submission) -> bool:
    return submission.learner_id == user.pk or permissions.can_edit_course(user, submission.lab.course)


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


# --- the coach (prompt anatomy) ----------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    found: bool
    hint: str
    texts: tuple[str, ...] = ()


@dataclass
class Coach:
    prompt: str
    highlighted: SafeString
    checklist: list[ChecklistItem] = field(default_factory=list)
    findings: list[dict[str, str]] = field(default_factory=list)

    @property
    def found_count(self) -> int:
        return sum(item.found for item in self.checklist)

    @property
    def chars(self) -> int:
        return len(self.prompt)

    @property
    def too_long(self) -> bool:
        return self.chars > MAX_PROMPT_CHARS


def build_coach(prompt: str) -> Coach:
    """What the live coach shows for a prompt: highlighted elements, the 11-element checklist, the problems."""
    # Far past the limit the text is refused anyway; analysing megabytes would only cost CPU.
    prompt = prompt[: MAX_PROMPT_CHARS * 2]
    anatomy = parse_prompt(prompt)
    spans = [Span(m.start, m.end, f"el el-{m.key}", str(ELEMENT_LABELS[m.key])) for m in anatomy.matches]
    spans += [
        Span(f.start, f.end, "", str(_FINDING_LABELS.get(f.kind, f.kind)), finding=True) for f in anatomy.findings
    ]
    checklist = [
        ChecklistItem(
            key=key,
            label=str(ELEMENT_LABELS[key]),
            found=anatomy.has(key),
            hint=str(ELEMENT_HINTS[key]),
            texts=tuple(dict.fromkeys(m.text for m in anatomy.matches_for(key)))[:3],
        )
        for key in ELEMENT_KEYS
    ]
    findings = [
        {"kind": f.kind, "label": str(_FINDING_LABELS.get(f.kind, f.kind)), "text": f.text, "message": str(f.message)}
        for f in anatomy.findings
    ]
    return Coach(prompt=prompt, highlighted=highlight(prompt, spans), checklist=checklist, findings=findings)


# --- the lab page ------------------------------------------------------------


def _attempt_numbers(submissions: Sequence[Submission]) -> dict[int, int]:
    """Attempt n° 1 is the oldest."""
    ordered = sorted(submissions, key=lambda s: (s.created_at, s.pk))
    return {s.pk: number for number, s in enumerate(ordered, start=1)}


def criterion_label(criterion: Criterion) -> str:
    if criterion.label:
        return criterion.label
    if criterion.kind == Criterion.Kind.ANATOMY and criterion.element in ELEMENT_LABELS:
        return str(ELEMENT_LABELS[criterion.element])
    if criterion.kind == Criterion.Kind.VIDEO:
        return video_check_label(criterion.video_check, criterion.params)
    return str(criterion.get_kind_display())


def _rubric(lab: Lab) -> tuple[list[Criterion], int]:
    """Visible criteria and the number of hidden ones (hidden labels never reach the page)."""
    criteria = list(lab.criteria.all())
    for criterion in criteria:
        criterion.display_label = criterion_label(criterion)
    return [c for c in criteria if not c.hidden], sum(c.hidden for c in criteria)


def _numbered(submissions: list[Submission]) -> list[Submission]:
    numbers = _attempt_numbers(submissions)
    for submission in submissions:
        submission.attempt_number = numbers[submission.pk]
    return submissions


def _lab_context(request: HttpRequest, access: LabAccess, *, form: PromptForm, refusal: str = "") -> dict[str, Any]:
    lab, user = access.lab, request.user
    history = _numbered(list(selectors.learner_submissions(learner=user, lab=lab)))
    visible_criteria, hidden_count = _rubric(lab)
    prompt = form.prompt_text()
    return {
        "lab": lab,
        "course": lab.course,
        "step": lab.step,
        "access": access,
        "brief_html": render_markdown(lab.brief),
        "is_simulation": _is_simulation(lab),
        "criteria": visible_criteria,
        "hidden_count": hidden_count,
        "allowance": selectors.lab_allowance(learner=user, lab=lab),
        "grade": selectors.grade_that_counts(learner=user, lab=lab),
        "history": history,
        "graded_count": sum(s.state == Submission.State.GRADED for s in history),
        "form": form,
        "prompt": prompt,
        "client_token": new_client_token(),
        "refusal": refusal,
        "coach": build_coach(prompt),
        "max_chars": MAX_PROMPT_CHARS,
    }


@login_required
@require_GET
def lab_for_step(request: HttpRequest, step_id: int) -> HttpResponse:
    lab = selectors.lab_for_step(step_id)
    if lab is None or not permissions.can_view_course(request.user, lab.course):
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
    form = PromptForm(initial={"prompt": draft})
    return render(request, "labs/lab.html", _lab_context(request, access, form=form))


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
        context = {"coach": build_coach(prompt), "max_chars": MAX_PROMPT_CHARS, "lab": access.lab}
        return render(request, "labs/lab.html#coach", context)
    return redirect(f"{access.lab.get_absolute_url()}#coach")


@login_required
@require_POST
def lab_submit(request: HttpRequest, slug: str) -> HttpResponse:
    access = _lab_access(request, slug)
    if isinstance(access, HttpResponse):
        return access
    form = PromptForm(request.POST)
    try:
        submission = submit_attempt(
            learner=request.user,
            lab=access.lab,
            prompt=form.prompt_text(),
            client_token=form.token(),
            language=(get_language() or "fr")[:2],
        )
    except SubmissionRefused as refused:
        context = _lab_context(request, access, form=form, refusal=refused.messages[0])
        return render(request, "labs/lab.html", context, status=400)
    return redirect(submission)


# --- the attempt page ----------------------------------------------------------


def _evidence_spans(submission: Submission, rows: Sequence[CriterionRow]) -> list[Span]:
    shown = {row.key: row for row in rows if not row.hidden}
    spans = []
    for item in (submission.result or {}).get("criteria", []):
        row = shown.get(item.get("key", ""))
        missed = float(item.get("score", 0)) <= 0 and item.get("kind") != Criterion.Kind.MUST_NOT_MENTION
        if row is None or missed:
            continue
        spans += [Span(int(start), int(end), row.css, row.label) for start, end in item.get("spans", [])]
    return spans


def _reveals_hidden(user, submission: Submission) -> bool:
    """Hidden criteria are revealed to trainers, and to the learner once the attempt that counts has passed."""
    if permissions.can_edit_course(user, submission.lab.course):
        return True
    grade = selectors.grade_that_counts(learner=submission.learner, lab=submission.lab)
    return grade is not None and grade.passed


@dataclass(frozen=True)
class PolicyReason:
    category: str
    label: str
    text: str
    explanation: str


def _policy_reasons(submission: Submission) -> list[PolicyReason]:
    policy = (submission.result or {}).get("policy", {})
    labels = dict(PolicyRule.Category.choices)
    reasons = [
        PolicyReason(
            category=f.get("category", ""),
            label=str(labels.get(f.get("category", ""), f.get("category", ""))),
            text=f.get("text", ""),
            explanation=f.get("explanation", ""),
        )
        for f in policy.get("findings", [])
    ]
    for category in policy.get("moderation_categories", []):
        if not any(r.category == category for r in reasons):
            reasons.append(PolicyReason(category, str(labels.get(category, category)), "", ""))
    return reasons


def _poll_trigger(submission: Submission) -> str:
    """The server decides how often the page polls, and stops it by rendering no trigger at all."""
    if submission.is_terminal:
        return ""
    age = (timezone.now() - submission.created_at).total_seconds()
    return "every 2s" if age < FAST_POLL_SECONDS else "every 5s"


def _status_message(submission: Submission) -> str:
    if submission.state == Submission.State.QUEUED:
        return _("Votre essai est enregistré et attend un moteur de génération.")
    if submission.state == Submission.State.GENERATING:
        return _("Le moteur génère la vidéo de votre prompt (%(progress)d %%).") % {"progress": submission.progress}
    if submission.state == Submission.State.ANALYSING:
        return _("Vidéo générée : analyse de l'image et notation des critères.")
    return ""


def _submission_context(request: HttpRequest, submission: Submission) -> dict[str, Any]:
    lab = submission.lab
    is_owner = submission.learner_id == request.user.pk
    context: dict[str, Any] = {
        "submission": submission,
        "lab": lab,
        "course": lab.course,
        "step": lab.step,
        "is_owner": is_owner,
        "is_simulation": (submission.result or {}).get("backend", {}).get("simulation", _is_simulation(lab)),
        "poll_trigger": _poll_trigger(submission),
        "queue_busy": submission.state == Submission.State.QUEUED
        and timezone.now() - submission.created_at > QUEUE_BUSY_AFTER,
        "status_message": _status_message(submission),
        "number": _attempt_numbers(list(selectors.learner_submissions(learner=submission.learner, lab=lab))).get(
            submission.pk
        ),
    }
    if submission.state == Submission.State.GRADED:
        reveal = _reveals_hidden(request.user, submission)
        rows = criterion_rows(submission, reveal_hidden=reveal)
        context.update(
            rows=rows,
            highlighted_prompt=highlight(submission.prompt, _evidence_spans(submission, rows)),
            next_steps=(submission.result or {}).get("next_steps", []),
            show_reference=reveal and bool(lab.reference_prompt),
            pass_mark=lab.pass_mark,
        )
    elif submission.state == Submission.State.BLOCKED:
        reasons = _policy_reasons(submission)
        ethics = selectors.ethics_lesson_step(lab.course)
        spans = [
            Span(f["start"], f["end"], "policy-term", str(r.label))
            for f, r in zip((submission.result or {}).get("policy", {}).get("findings", []), reasons, strict=False)
            if "start" in f and "end" in f
        ]
        context.update(
            reasons=reasons,
            highlighted_prompt=highlight(submission.prompt, spans),
            ethics_url=ethics.get_absolute_url() if ethics else f"{lab.course.get_absolute_url()}#programme",
            ethics_title=ethics.title if ethics else _("Programme du cours"),
        )
    return context


@login_required
@require_GET
@never_cache
def submission_page(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _visible_submission(request, pk)
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
    messages.info(request, _("Le prompt de l'essai est dans l'éditeur : relisez-le, puis envoyez-le."))
    return redirect(f"{submission.lab.get_absolute_url()}#editor")


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


@dataclass(frozen=True)
class ComparedCriterion:
    label: str
    a: CriterionRow | None
    b: CriterionRow | None
    hidden: bool

    @property
    def delta(self) -> int | None:
        """Change of the criterion's score from A to B, in percentage points."""
        if self.hidden or self.a is None or self.b is None or self.a.percent is None or self.b.percent is None:
            return None
        return self.b.percent - self.a.percent


def compare_criteria(a: Sequence[CriterionRow], b: Sequence[CriterionRow]) -> list[ComparedCriterion]:
    by_key_b = {row.key: row for row in b}
    keys = list(dict.fromkeys([row.key for row in a] + [row.key for row in b]))
    by_key_a = {row.key: row for row in a}
    compared = []
    for key in keys:
        row_a, row_b = by_key_a.get(key), by_key_b.get(key)
        hidden = any(row is not None and row.hidden for row in (row_a, row_b))
        label = next((row.label for row in (row_a, row_b) if row is not None and row.label), "")
        compared.append(ComparedCriterion(label=label, a=row_a, b=row_b, hidden=hidden))
    return compared


@login_required
@require_GET
def compare(request: HttpRequest, slug: str) -> HttpResponse:
    access = _lab_access(request, slug)
    if isinstance(access, HttpResponse):
        return access
    lab, user = access.lab, request.user
    attempts = selectors.graded_submissions(learner=user, lab=lab)
    numbers = _attempt_numbers(list(selectors.learner_submissions(learner=user, lab=lab)))
    # Both picked: compare. Otherwise preselect what is given (``?b=`` from an attempt page) or the last two.
    bound = "a" in request.GET and "b" in request.GET
    latest = list(attempts.values_list("pk", flat=True)[:2])
    initial = {
        "b": request.GET.get("b") or (latest[0] if latest else None),
        "a": latest[1] if len(latest) > 1 else None,
    }
    if initial["a"] is not None and str(initial["a"]) == str(initial["b"]):
        initial["a"] = latest[0]
    form = CompareForm(request.GET if bound else None, initial=initial, attempts=attempts, numbers=numbers)
    context: dict[str, Any] = {"lab": lab, "course": lab.course, "step": lab.step, "form": form}
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
