"""Trainer pages of the community: a lab's peer-review settings, grid and calibration videos (with the
reference reviews), every review of a lab with removal of abusive ones, and a course's reported messages.

Only the course's trainers and admins (community.permissions.is_moderator); anyone else gets a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community import selectors
from community.errors import Refused
from community.forms import CalibrationAddForm, ReasonForm, ReviewSettingsForm, RubricCriterionForm, RubricForm
from community.models import RubricCriterion
from community.permissions import is_moderator
from community.services import discussion as discussion_services
from community.services import reviews as services
from community.views.access import calibration_video, course_place, moderated_lab


def _setup_url(lab) -> str:
    return reverse("community:review_setup", args=[lab.slug])


def _setup_context(request: HttpRequest, lab, **forms) -> dict:
    candidates = selectors.calibration_candidates(lab, request.user)
    context = {
        "lab": lab,
        "course": lab.course,
        "settings_form": ReviewSettingsForm(instance=selectors.review_settings_for(lab)),
        "criterion_form": RubricCriterionForm(),
        "criteria": selectors.rubric(lab),
        "calibration": selectors.calibration_for(request.user, lab),
        "calibration_form": CalibrationAddForm(candidates=candidates) if candidates else None,
    }
    context.update(forms)
    return context


@login_required
@require_http_methods(["GET", "POST"])
def review_setup(request: HttpRequest, slug: str) -> HttpResponse:
    lab = moderated_lab(request, slug)
    if request.method == "POST":
        form = ReviewSettingsForm(request.POST, instance=selectors.review_settings_for(lab))
        if form.is_valid():
            services.review_settings_save(
                lab=lab,
                reviews_per_attempt=form.cleaned_data["reviews_per_attempt"],
                deadline_hours=form.cleaned_data["deadline_hours"],
                instructions=form.cleaned_data["instructions"],
            )
            messages.success(request, _("Réglages de relecture enregistrés."))
            return redirect(_setup_url(lab))
        return render(
            request, "community/trainer/review_setup.html", _setup_context(request, lab, settings_form=form), status=400
        )
    return render(request, "community/trainer/review_setup.html", _setup_context(request, lab))


@login_required
@require_POST
def criterion_add(request: HttpRequest, slug: str) -> HttpResponse:
    lab = moderated_lab(request, slug)
    form = RubricCriterionForm(request.POST)
    if form.is_valid():
        services.criterion_create(lab=lab, **form.cleaned_data)
        messages.success(request, _("Critère ajouté."))
        return redirect(f"{_setup_url(lab)}#rubric")
    context = _setup_context(request, lab, criterion_form=form)
    return render(request, "community/trainer/review_setup.html", context, status=400)


@login_required
@require_POST
def rubric_template(request: HttpRequest, slug: str) -> HttpResponse:
    lab = moderated_lab(request, slug)
    try:
        services.rubric_from_template(lab=lab)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Grille type ajoutée : adaptez les critères à votre labo."))
    return redirect(f"{_setup_url(lab)}#rubric")


def _moderated_criterion(request: HttpRequest, pk: int) -> RubricCriterion:
    criterion = RubricCriterion.objects.select_related("lab__step__module__course").filter(pk=pk).first()
    if criterion is None or not is_moderator(request.user, criterion.lab.course):
        raise Http404
    return criterion


@login_required
@require_http_methods(["GET", "POST"])
def criterion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = _moderated_criterion(request, pk)
    form = RubricCriterionForm(request.POST or None, instance=criterion)
    if request.method == "POST" and form.is_valid():
        try:
            services.criterion_update(criterion=RubricCriterion.objects.get(pk=criterion.pk), **form.cleaned_data)
        except Refused as refused:
            form.add_error("scale_max", refused.message)
        else:
            messages.success(request, _("Critère enregistré."))
            return redirect(f"{_setup_url(criterion.lab)}#rubric")
    context = {"criterion": criterion, "form": form, "lab": criterion.lab, "course": criterion.lab.course}
    return render(request, "community/trainer/criterion_edit.html", context, status=400 if form.is_bound else 200)


@login_required
@require_POST
def criterion_delete(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = _moderated_criterion(request, pk)
    try:
        services.criterion_delete(criterion=criterion)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Critère supprimé."))
    return redirect(f"{_setup_url(criterion.lab)}#rubric")


@login_required
@require_POST
def criterion_move(request: HttpRequest, pk: int, direction: str) -> HttpResponse:
    criterion = _moderated_criterion(request, pk)
    if direction not in ("up", "down"):
        raise Http404
    services.criterion_move(criterion=criterion, direction=direction)
    return redirect(f"{_setup_url(criterion.lab)}#rubric")


# --- calibration videos and their reference reviews ---------------------------------------


@login_required
@require_POST
def calibration_add(request: HttpRequest, slug: str) -> HttpResponse:
    lab = moderated_lab(request, slug)
    form = CalibrationAddForm(request.POST, candidates=selectors.calibration_candidates(lab, request.user))
    if form.is_valid():
        try:
            video = services.calibration_video_add(
                lab=lab, submission=form.cleaned_data["submission"], trainer=request.user
            )
        except Refused as refused:
            form.add_error("submission", refused.message)
        else:
            messages.success(request, _("Vidéo ajoutée : écrivez maintenant votre relecture de référence."))
            return redirect("community:reference_review", pk=video.pk)
    context = _setup_context(request, lab, calibration_form=form)
    return render(request, "community/trainer/review_setup.html", context, status=400)


def _moderated_video(request: HttpRequest, pk: int):
    video, place = calibration_video(request, pk)
    if not place.moderator:
        raise Http404
    return video


@login_required
@require_POST
def calibration_remove(request: HttpRequest, pk: int) -> HttpResponse:
    video = _moderated_video(request, pk)
    lab = video.lab
    services.calibration_video_remove(video=video)
    messages.success(request, _("Vidéo de calibration retirée."))
    return redirect(f"{_setup_url(lab)}#calibration")


@login_required
@require_http_methods(["GET", "POST"])
def reference_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The trainer's reference review of a calibration video: levels, comments (shown to learners afterwards), marks."""
    video = _moderated_video(request, pk)
    criteria = selectors.rubric(video.lab)
    reference = selectors.reference_review(video)
    initial = {}
    if reference is not None:
        for score in reference.scores.all():
            initial[f"level_{score.criterion_id}"] = score.value
            initial[f"comment_{score.criterion_id}"] = score.comment
        initial["comment"] = reference.comment
    form = RubricForm(
        request.POST or None, initial=initial, criteria=criteria, marks=True, suggestion=False, comment=True
    )
    if request.method == "GET" and reference is not None:
        form.mark_rows = [{"at": m.at_seconds, "note": m.note, "error": ""} for m in reference.marks.all()]
    if request.method == "POST" and form.is_valid():
        try:
            services.reference_review_save(
                video=video,
                trainer=request.user,
                scores=form.scores(),
                marks=form.marks(),
                comment=form.cleaned_data.get("comment", ""),
            )
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Relecture de référence enregistrée : les apprenants peuvent se calibrer."))
            return redirect(f"{_setup_url(video.lab)}#calibration")
    context = {
        "video": video,
        "lab": video.lab,
        "course": video.lab.course,
        "form": form,
        "criteria": criteria,
        "duration": float((video.submission.result or {}).get("metrics", {}).get("duration_s") or video.lab.duration_s),
    }
    return render(request, "community/trainer/reference_review.html", context, status=400 if form.is_bound else 200)


# --- every review of a lab, and removing abusive ones ------------------------------------


@login_required
@require_GET
def lab_reviews(request: HttpRequest, slug: str) -> HttpResponse:
    lab = moderated_lab(request, slug)
    assignments = selectors.lab_assignments(lab)
    scores = selectors.calibration_scores(lab, {a.reviewer_id for a in assignments})
    for assignment in assignments:
        assignment.calibration_score = scores.get(assignment.reviewer_id)
    context = {"lab": lab, "course": lab.course, "assignments": assignments}
    return render(request, "community/trainer/lab_reviews.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def review_remove(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_for_page(pk)
    if review is None or review.assignment is None or not is_moderator(request.user, review.assignment.item.lab.course):
        raise Http404
    lab = review.assignment.item.lab
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_remove(review=review, moderator=request.user, reason=form.cleaned_data["reason"])
        except Refused as refused:
            form.add_error("reason", refused.message)
        else:
            messages.success(request, _("Relecture retirée ; un autre pair est sollicité à sa place."))
            return redirect("community:lab_reviews", slug=lab.slug)
    reviews = selectors.item_reviews(review.assignment.item, include_removed=True)
    shown = next((candidate for candidate in reviews if candidate.pk == review.pk), review)
    context = {"review": shown, "form": form, "lab": lab, "course": lab.course, "criteria": selectors.rubric(lab)}
    return render(request, "community/trainer/review_remove.html", context, status=400 if form.is_bound else 200)


# --- reported messages ---------------------------------------------------------------------


@login_required
@require_GET
def reports(request: HttpRequest, slug: str) -> HttpResponse:
    place = course_place(request, slug)
    if not place.moderator:
        raise Http404
    context = {"course": place.course, "reports": selectors.open_reports(place.course)}
    return render(request, "community/trainer/reports.html", context)


@login_required
@require_POST
def report_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_for_page(pk)
    if report is None or not is_moderator(request.user, report.post.step.module.course):
        raise Http404
    discussion_services.report_dismiss(report=report, moderator=request.user)
    messages.success(request, _("Signalement classé : le message reste en ligne."))
    return redirect("community:reports", slug=report.post.step.module.course.slug)
