"""Peer review, learner side: my reviews, writing one (rubric, timeline marks, a suggestion), rating one,
and calibration against the trainer's reference reviews."""

from __future__ import annotations

import mimetypes
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from academy.htmx import wants_partial
from community import selectors
from community.errors import Refused
from community.forms import RateForm, RubricForm
from community.models import Review, ReviewAssignment
from community.services import reviews as services
from community.views.access import calibration_video, lab_place, own_assignment
from labs import api as labs


def _duration(submission) -> float:
    return float((submission.result or {}).get("metrics", {}).get("duration_s") or submission.lab.duration_s)


@login_required
@require_GET
def my_reviews(request: HttpRequest) -> HttpResponse:
    return render(request, "community/my_reviews.html", {"mine": selectors.my_reviews(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def review_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The review of one shared attempt assigned to the user: the form while it is open, the review once handed in."""
    assignment = own_assignment(request, pk)
    item = assignment.item
    criteria = selectors.rubric(item.lab)
    review = selectors.review_of(assignment)
    open_for_review = assignment.state == ReviewAssignment.State.ASSIGNED or (
        assignment.state == ReviewAssignment.State.EXPIRED and services.reviews_still_needed(item) > 0
    )
    form = None
    if review is None and open_for_review:
        form = RubricForm(request.POST or None, criteria=criteria, marks=True, suggestion=True, comment=True)
        if request.method == "POST" and form.is_valid():
            try:
                services.review_submit(
                    assignment=assignment,
                    reviewer=request.user,
                    scores=form.scores(),
                    marks=form.marks(),
                    suggestion=form.cleaned_data["suggestion"],
                    comment=form.cleaned_data.get("comment", ""),
                )
            except Refused as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("Merci : votre relecture est envoyée à son auteur."))
                return redirect(assignment.get_absolute_url())
    elif request.method == "POST":
        return redirect(assignment.get_absolute_url())
    context: dict[str, Any] = {
        "assignment": assignment,
        "item": item,
        "lab": item.lab,
        "course": item.lab.course,
        "criteria": criteria,
        "form": form,
        "review": review,
        "video_visible": item.is_visible,
        "settings": selectors.review_settings_for(item.lab),
        "duration": _duration(item.submission),
        "calibration": selectors.calibration_for(request.user, item.lab),
    }
    status = 400 if form is not None and form.is_bound else 200
    return render(request, "community/review.html", context, status=status)


@login_required
@require_POST
def review_rate(request: HttpRequest, pk: int) -> HttpResponse:
    """The author of the reviewed attempt rates how useful the review was."""
    review = selectors.review_for_page(pk)
    if review is None or review.kind != Review.Kind.PEER or review.assignment.author_id != request.user.pk:
        raise Http404
    item = review.assignment.item
    form = RateForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            review = services.review_rate(
                review=review,
                author=request.user,
                usefulness=form.cleaned_data["usefulness"],
                comment=form.cleaned_data["comment"],
            )
        except Refused as refused:
            error = refused.message
    else:
        error = next(iter(form.errors.values()))[0]
    if wants_partial(request):
        context = {"review": review, "rate_form": form, "rate_error": error, "is_author": True}
        return render(request, "community/_rating.html", context)  # htmx swaps no error response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Merci : le relecteur verra votre avis."))
    return redirect(f"{item.get_absolute_url()}#review-{review.pk}")


# --- calibration -------------------------------------------------------------------------


@login_required
@require_GET
def calibration(request: HttpRequest, slug: str) -> HttpResponse:
    lab, place = lab_place(request, slug=slug)
    context = {
        "lab": lab,
        "course": lab.course,
        "place": place,
        "calibration": selectors.calibration_for(request.user, lab),
    }
    return render(request, "community/calibration.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def calibration_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Judge one calibration video with the lab's grid; once handed in, see how it compares with the trainer's."""
    video, place = calibration_video(request, pk)
    lab = video.lab
    state = selectors.calibration_for(request.user, lab)
    row = next((candidate for candidate in state.rows if candidate.video.pk == video.pk), None)
    if row is None or not row.reference_ready:
        raise Http404
    criteria = selectors.rubric(lab)
    form = None
    if row.mine is None:
        form = RubricForm(request.POST or None, criteria=criteria, marks=False, suggestion=False, comment=False)
        if request.method == "POST" and form.is_valid():
            try:
                services.calibration_review_submit(video=video, reviewer=request.user, scores=form.scores())
            except Refused as refused:
                form.add_error(None, refused.message)
            else:
                return redirect("community:calibration_review", pk=video.pk)
    context = {
        "video": video,
        "lab": lab,
        "course": lab.course,
        "place": place,
        "row": row,
        "form": form,
        "criteria": criteria,
        "calibration": state,
        "reference": selectors.reference_review(video) if row.mine is not None else None,
        "duration": _duration(video.submission),
    }
    status = 400 if form is not None and form.is_bound else 200
    return render(request, "community/calibration_review.html", context, status=status)


@login_required
@require_GET
def calibration_media(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in ("poster", "video"):
        raise Http404
    video, _place = calibration_video(request, pk)
    fieldfile = getattr(video.submission, kind)
    if not fieldfile:
        raise Http404
    default = "video/mp4" if kind == "video" else "image/jpeg"
    return labs.ranged_file_response(request, fieldfile, mimetypes.guess_type(fieldfile.name)[0] or default)
