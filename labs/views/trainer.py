"""Trainer pages of labs: authoring, rubric, attempts and their review, regrades, statistics, ethics rules.

Who may act: the trainers who can edit the lab's course, and admins
(courses.api.can_edit_course); anyone else gets a 404, as for
courses. The ethics rules are shared by all labs: any trainer or admin.
Views stay thin: reads from labs.selectors, writes through labs.services.
"""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from academy.htmx import wants_partial
from academy.permissions import trainer_required
from courses.api import Step, can_edit_course, step_for_authoring
from labs import selectors
from labs.analytics import lab_analytics
from labs.forms.trainer import (
    CriterionForm,
    LabForm,
    OverrideForm,
    PolicyRuleForm,
    PromptTryForm,
    SubmissionFilterForm,
)
from labs.grading.policy import check_prompt
from labs.media import ranged_file_response
from labs.models import Criterion, Lab, PolicyRule, Submission
from labs.presentation.backend import backend_summary
from labs.presentation.criteria import authoring_rubric_rows
from labs.presentation.measurements import measurement_rows
from labs.presentation.policy import policy_rule_groups, policy_test_result
from labs.review_queue import IDLE_DAYS, REVIEW_WINDOW_DAYS, STUCK_FAILED_ATTEMPTS, review_queue
from labs.services import authoring
from labs.services.policy_rules import policy_rule_deactivate, policy_rule_save
from labs.services.regrade import regrade_start
from labs.services.submissions import submission_mark_reviewed, submission_override

SUBMISSIONS_PER_PAGE = 25
MEDIA_TYPES = {"video": "video/mp4", "poster": "image/jpeg", "sheet": "image/jpeg"}
MEDIA_FIELDS = {"video": "video", "poster": "poster", "sheet": "contact_sheet"}


# --- helpers -----------------------------------------------------------------


def _editable_lab(request: HttpRequest, slug: str) -> Lab:
    lab = selectors.lab_for_page(slug)
    if lab is None or not can_edit_course(request.user, lab.course):
        raise Http404
    return lab


def _editable_criterion(request: HttpRequest, pk: int) -> Criterion:
    criterion = get_object_or_404(Criterion.objects.select_related("lab__step__module__course"), pk=pk)
    if not can_edit_course(request.user, criterion.lab.course):
        raise Http404
    return criterion


def _reviewable_submission(request: HttpRequest, pk: int) -> Submission:
    submission = selectors.submission_for_page(pk)
    if submission is None or not can_edit_course(request.user, submission.lab.course):
        raise Http404
    return submission


# --- the trainer's dashboard ------------------------------------------------------


@trainer_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Where a trainer lands: attempts to review, corrected grades, learners stuck or idle."""
    context = {
        "queue": review_queue(request.user),
        "window_days": REVIEW_WINDOW_DAYS,
        "stuck_attempts": STUCK_FAILED_ATTEMPTS,
        "idle_days": IDLE_DAYS,
    }
    return render(request, "labs/trainer/dashboard.html", context)


# --- lab settings --------------------------------------------------------------


def _authoring_context(request: HttpRequest, lab: Lab, **extra: Any) -> dict[str, Any]:
    rows, total_weight = authoring_rubric_rows(list(lab.criteria.all()))
    context = {
        "lab": lab,
        "course": lab.course,
        "form": LabForm(instance=lab),
        "criterion_rows": rows,
        "total_weight": total_weight,
        "criterion_form": CriterionForm(prefix="new"),
        "try_form": PromptTryForm(),
        "try_result": None,
        "backend": backend_summary(lab),
    }
    context.update(extra)
    return context


@login_required
@require_http_methods(["GET", "POST"])
def lab_for_step(request: HttpRequest, step_id: int) -> HttpResponse:
    """The authoring page of a lab step: create its lab the first time."""
    step = step_for_authoring(step_id, kind=Step.Kind.LAB)
    if step is None or not can_edit_course(request.user, step.module.course):
        raise Http404
    existing = selectors.lab_for_step(step.pk)
    if existing is not None:
        return redirect("labs:authoring_lab", slug=existing.slug)
    form = LabForm(
        request.POST or None, instance=Lab(step=step), initial={"slug": authoring.unique_lab_slug(step.title)}
    )
    if request.method == "POST" and "_preview" not in request.POST and form.is_valid():
        lab = authoring.lab_create(step=step, **{name: form.cleaned_data[name] for name in form.Meta.fields})
        messages.success(request, _("Labo créé. Ajoutez maintenant les critères de la grille."))
        return redirect("labs:authoring_lab", slug=lab.slug)
    context = {"form": form, "step": step, "course": step.module.course}
    return render(request, "labs/trainer/lab_create.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def lab_edit(request: HttpRequest, slug: str) -> HttpResponse:
    lab = _editable_lab(request, slug)
    if request.method == "GET":
        return render(request, "labs/trainer/lab.html", _authoring_context(request, lab))
    # The form edits a copy: the page keeps the saved values (title, links) while errors are shown.
    form = LabForm(request.POST, instance=copy.copy(lab))
    if "_preview" not in request.POST and form.is_valid():
        lab = authoring.lab_update(lab=form.instance, **{name: form.cleaned_data[name] for name in form.Meta.fields})
        messages.success(request, _("Réglages du labo enregistrés."))
        return redirect("labs:authoring_lab", slug=lab.slug)
    return render(
        request,
        "labs/trainer/lab.html",
        _authoring_context(request, lab, form=form),
        status=400 if form.errors else 200,
    )


# --- rubric --------------------------------------------------------------------


@login_required
@require_POST
def criterion_add(request: HttpRequest, slug: str) -> HttpResponse:
    lab = _editable_lab(request, slug)
    form = CriterionForm(request.POST, prefix="new")
    if form.is_valid():
        authoring.criterion_add(lab=lab, **form.criterion_fields())
        messages.success(request, _("Critère ajouté."))
        return redirect(reverse("labs:authoring_lab", args=[lab.slug]) + "#rubric")
    context = _authoring_context(request, lab, criterion_form=form)
    return render(request, "labs/trainer/lab.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def criterion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = _editable_criterion(request, pk)
    form = CriterionForm.for_criterion(criterion, request.POST or None)
    if request.method == "POST" and form.is_valid():
        authoring.criterion_update(criterion=criterion, **form.criterion_fields())
        messages.success(request, _("Critère enregistré."))
        return redirect(reverse("labs:authoring_lab", args=[criterion.lab.slug]) + "#rubric")
    context = {"criterion": criterion, "lab": criterion.lab, "course": criterion.lab.course, "form": form}
    return render(request, "labs/trainer/criterion_form.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def criterion_delete(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = _editable_criterion(request, pk)
    slug = criterion.lab.slug
    authoring.criterion_delete(criterion=criterion)
    messages.success(request, _("Critère supprimé."))
    return redirect(reverse("labs:authoring_lab", args=[slug]) + "#rubric")


@login_required
@require_POST
def criterion_move(request: HttpRequest, pk: int, direction: str) -> HttpResponse:
    if direction not in ("up", "down"):
        raise Http404
    criterion = _editable_criterion(request, pk)
    authoring.criterion_move(criterion=criterion, direction="up" if direction == "up" else "down")
    return redirect(reverse("labs:authoring_lab", args=[criterion.lab.slug]) + "#rubric")


@login_required
@require_POST
def rubric_try(request: HttpRequest, slug: str) -> HttpResponse:
    """Score a sample prompt with the lab's rubric: htmx swaps the result in, without JS the page comes back."""
    lab = _editable_lab(request, slug)
    form = PromptTryForm(request.POST)
    result = None
    if form.is_valid():
        result = authoring.rubric_try(lab=lab, prompt=form.cleaned_data["prompt"], language=get_language() or "fr")
    context = _authoring_context(request, lab, try_form=form, try_result=result)
    template = "labs/trainer/lab.html#rubric_try_result" if wants_partial(request) else "labs/trainer/lab.html"
    return render(request, template, context)


# --- attempts --------------------------------------------------------------------


@login_required
@require_GET
def submissions(request: HttpRequest, slug: str) -> HttpResponse:
    lab = _editable_lab(request, slug)
    form = SubmissionFilterForm(request.GET or None)
    rows = selectors.trainer_lab_submissions(lab=lab, **form.filters())
    page = Paginator(rows, SUBMISSIONS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "lab": lab,
        "course": lab.course,
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "regrade": selectors.latest_regrade(lab),
    }
    template = "labs/trainer/submissions.html#results" if wants_partial(request) else "labs/trainer/submissions.html"
    return render(request, template, context)


@login_required
@require_POST
def regrade(request: HttpRequest, slug: str) -> HttpResponse:
    lab = _editable_lab(request, slug)
    run = regrade_start(lab=lab, requested_by=request.user)
    if wants_partial(request):
        return render(request, "labs/trainer/submissions.html#regrade", {"lab": lab, "regrade": run})
    messages.success(request, _("Nouvelle correction lancée : les notes se mettent à jour en arrière-plan."))
    return redirect("labs:trainer_submissions", slug=lab.slug)


@login_required
@require_GET
def regrade_status(request: HttpRequest, slug: str) -> HttpResponse:
    lab = _editable_lab(request, slug)
    return render(
        request, "labs/trainer/submissions.html#regrade", {"lab": lab, "regrade": selectors.latest_regrade(lab)}
    )


def _submission_context(submission: Submission, **extra: Any) -> dict[str, Any]:
    previous, following = selectors.submission_neighbours(submission)
    result = submission.result or {}
    return {
        "submission": submission,
        "lab": submission.lab,
        "course": submission.lab.course,
        "result": result,
        "criteria": result.get("criteria", []),
        "measurements": measurement_rows(result.get("metrics")),
        "policy": result.get("policy") or {},
        "backend": result.get("backend") or {},
        "previous": previous,
        "following": following,
        "override_form": OverrideForm(
            initial={"score": submission.final_score, "comment": submission.override_comment}
        ),
        **extra,
    }


@login_required
@require_GET
def submission_review(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _reviewable_submission(request, pk)
    return render(request, "labs/trainer/submission.html", _submission_context(submission))


@login_required
@require_POST
def submission_override_view(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _reviewable_submission(request, pk)
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            submission_override(
                submission=submission,
                trainer=request.user,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, problems in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("Note corrigée : l'apprenant voit la nouvelle note et votre commentaire."))
            return redirect("labs:trainer_submission", pk=submission.pk)
    return render(
        request, "labs/trainer/submission.html", _submission_context(submission, override_form=form), status=400
    )


@login_required
@require_POST
def submission_reviewed_view(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _reviewable_submission(request, pk)
    try:
        submission_mark_reviewed(submission=submission, trainer=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("labs:trainer_submission", pk=submission.pk)
    messages.success(request, _("Tentative marquée comme relue : elle quitte votre file « À relire »."))
    return redirect("labs:trainer_dashboard")


@login_required
@require_GET
def submission_media(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    submission = _reviewable_submission(request, pk)
    if kind not in MEDIA_FIELDS:
        raise Http404
    fieldfile = getattr(submission, MEDIA_FIELDS[kind])
    if not fieldfile:
        raise Http404
    return ranged_file_response(request, fieldfile, MEDIA_TYPES[kind])


# --- statistics ------------------------------------------------------------------


@login_required
@require_GET
def analytics(request: HttpRequest, slug: str) -> HttpResponse:
    lab = _editable_lab(request, slug)
    stats = lab_analytics(selectors.lab_analytics_rows(lab), lab=lab)
    return render(request, "labs/trainer/analytics.html", {"lab": lab, "course": lab.course, "stats": stats})


# --- ethics rules ----------------------------------------------------------------


def _policy_context(**extra: Any) -> dict[str, Any]:
    context = {
        "groups": policy_rule_groups(selectors.policy_rules_for_trainers()),
        "rule_form": PolicyRuleForm(),
        "test_form": PromptTryForm(),
        "test_result": None,
    }
    context.update(extra)
    return context


@trainer_required
@require_http_methods(["GET", "POST"])
def policy_rules(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PolicyRuleForm(request.POST)
        if form.is_valid():
            policy_rule_save(**form.cleaned_data, user=request.user)
            messages.success(request, _("Règle ajoutée : elle s'applique dès le prochain essai."))
            return redirect("labs:trainer_policy_rules")
        return render(request, "labs/trainer/policy_rules.html", _policy_context(rule_form=form), status=400)
    return render(request, "labs/trainer/policy_rules.html", _policy_context())


@trainer_required
@require_http_methods(["GET", "POST"])
def policy_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(PolicyRule, pk=pk)
    form = PolicyRuleForm.for_rule(rule, request.POST or None)
    if request.method == "POST" and form.is_valid():
        policy_rule_save(rule=rule, **form.cleaned_data)
        messages.success(request, _("Règle enregistrée."))
        return redirect("labs:trainer_policy_rules")
    return render(
        request, "labs/trainer/policy_rule_form.html", {"rule": rule, "form": form}, status=400 if form.errors else 200
    )


@trainer_required
@require_POST
def policy_rule_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(PolicyRule, pk=pk)
    policy_rule_deactivate(rule=rule)
    messages.success(request, _("Règle désactivée."))
    return redirect("labs:trainer_policy_rules")


@trainer_required
@require_POST
def policy_test(request: HttpRequest) -> HttpResponse:
    """Run the ethics gate on a sample prompt, with the rules in force."""
    form = PromptTryForm(request.POST)
    result = None
    if form.is_valid():
        result = policy_test_result(check_prompt(form.cleaned_data["prompt"], selectors.lab_policy_rules()))
    context = _policy_context(test_form=form, test_result=result)
    template = (
        "labs/trainer/policy_rules.html#policy_test_result"
        if wants_partial(request)
        else "labs/trainer/policy_rules.html"
    )
    return render(request, template, context)
