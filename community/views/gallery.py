"""The cohort gallery: a course's shared attempts, one attempt's page, its poster and video, sharing and votes.

Thin views: access from community.views.access, reads from community.selectors,
writes through community.services. Every htmx control has a plain form or link behind it.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from academy.htmx import wants_partial
from community import selectors
from community.errors import Refused
from community.forms import ReasonForm, ShareForm
from community.models import RubricCriterion
from community.services import gallery as services
from community.services.reviews import request_reviews
from community.views.access import Place, course_place, lab_place, local_url, visible_item
from courses import api as courses
from labs import api as labs

ITEMS_PER_PAGE = 24


# --- the course's gallery ---------------------------------------------------------------


@login_required
@require_GET
def gallery(request: HttpRequest, slug: str) -> HttpResponse:
    place = course_place(request, slug)
    course_labs = list(labs.labs_of_course(place.course))
    lab_slug = request.GET.get("labo", "")
    lab = next((candidate for candidate in course_labs if candidate.slug == lab_slug), None)
    order = selectors.ORDER_USEFUL if request.GET.get("tri") == selectors.ORDER_USEFUL else selectors.ORDER_RECENT
    items = selectors.course_gallery(
        viewer=request.user, course=place.course, moderator=place.moderator, lab=lab, order=order
    )
    page = Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    readable = (
        {candidate.pk for candidate in course_labs}
        if place.moderator
        else selectors.labs_with_own_graded_attempt(request.user, [candidate.pk for candidate in course_labs])
    )
    context = {
        "course": place.course,
        "place": place,
        "labs": course_labs,
        "lab": lab,
        "order": order,
        "page": page,
        "readable_labs": readable,
    }
    template = "community/gallery.html#cards" if wants_partial(request) else "community/gallery.html"
    return render(request, template, context)


# --- one lab's panel: share, ask for reviews, what is waiting -----------------------------


def _panel_context(request: HttpRequest, lab, place: Place, *, share_form: ShareForm | None = None) -> dict[str, Any]:
    user = request.user
    enrolled = courses.is_enrolled(user, lab.course)
    shared = selectors.shared_item_of(learner=user, lab=lab) if enrolled else None
    context: dict[str, Any] = {
        "lab": lab,
        "course": lab.course,
        "place": place,
        "enrolled": enrolled,
        "shared": shared,
        "settings": selectors.review_settings_for(lab),
        "has_rubric": RubricCriterion.objects.filter(lab=lab).exists(),
        "calibration": selectors.calibration_for(user, lab),
        "to_do": [a for a in selectors.my_reviews(user).to_do if a.lab_id == lab.pk],
    }
    if shared is not None:
        context["counts"] = selectors.item_assignment_counts(shared)
    elif enrolled:
        attempts = selectors.shareable_attempts(learner=user, lab=lab)
        if share_form is None and attempts:
            wanted = request.GET.get("essai", "")
            initial = next((a.pk for a in attempts if str(a.pk) == wanted), attempts[0].pk)
            share_form = ShareForm(
                initial={"submission": initial},
                attempts=attempts,
                numbers=labs.attempt_numbers(learner=user, lab=lab),
            )
        context.update(attempts=attempts, share_form=share_form)
    return context


@login_required
@require_GET
def lab_panel(request: HttpRequest, step_id: int) -> HttpResponse:
    lab, place = lab_place(request, step_id=step_id)
    context = _panel_context(request, lab, place)
    template = "community/lab_panel.html#panel" if wants_partial(request) else "community/lab_panel.html"
    return render(request, template, context)


@login_required
@require_POST
def share(request: HttpRequest, step_id: int) -> HttpResponse:
    lab, place = lab_place(request, step_id=step_id)
    attempts = selectors.shareable_attempts(learner=request.user, lab=lab)
    numbers = labs.attempt_numbers(learner=request.user, lab=lab)
    form = ShareForm(request.POST, attempts=attempts, numbers=numbers)
    if form.is_valid():
        try:
            item = services.share_attempt(learner=request.user, submission=form.cleaned_data["submission"])
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Votre essai est dans la galerie de la promotion."))
            return redirect(item)
    context = _panel_context(request, lab, place, share_form=form)
    return render(request, "community/lab_panel.html", context, status=400)


# --- one shared attempt ---------------------------------------------------------------------


@login_required
@require_GET
def item_page(request: HttpRequest, pk: int) -> HttpResponse:
    item, place = visible_item(request, pk)
    user = request.user
    is_author = item.author_id == user.pk
    shows_reviews = is_author or place.moderator
    context = {
        "item": item,
        "lab": item.lab,
        "course": item.lab.course,
        "place": place,
        "is_author": is_author,
        "voted": selectors.has_voted(user, item),
        "prompt_readable": is_author
        or place.moderator
        or bool(selectors.labs_with_own_graded_attempt(user, [item.lab_id])),
        "reviews": selectors.item_reviews(item, include_removed=place.moderator) if shows_reviews else [],
        "criteria": selectors.rubric(item.lab) if shows_reviews else [],
        "counts": selectors.item_assignment_counts(item) if shows_reviews else {},
        "settings": selectors.review_settings_for(item.lab),
        "duration": (item.submission.result or {}).get("metrics", {}).get("duration_s") or item.lab.duration_s,
    }
    return render(request, "community/item.html", context)


_MEDIA_FIELDS = {"poster": "poster", "video": "video"}


@login_required
@require_GET
def item_media(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The shared attempt's poster or video, to the people who may see the item (never a public URL)."""
    if kind not in _MEDIA_FIELDS:
        raise Http404
    item, _place = visible_item(request, pk)
    fieldfile = getattr(item.submission, _MEDIA_FIELDS[kind])
    if not fieldfile:
        raise Http404
    default = "video/mp4" if kind == "video" else "image/jpeg"
    return labs.ranged_file_response(request, fieldfile, mimetypes.guess_type(fieldfile.name)[0] or default)


@login_required
@require_POST
def item_vote(request: HttpRequest, pk: int) -> HttpResponse:
    item, _place = visible_item(request, pk)
    try:
        voted = services.vote_toggle(voter=request.user, item=item)
    except Refused as refused:
        messages.error(request, refused.message)
        return redirect(item)
    if wants_partial(request):
        useful = item.votes.count()
        return render(request, "community/_vote.html", {"item": item, "voted": voted, "useful": useful})
    return redirect(local_url(request, request.POST.get("next", "")) or item.get_absolute_url())


@login_required
@require_POST
def item_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    item, _place = visible_item(request, pk)
    try:
        services.withdraw_item(learner=request.user, item=item)
    except Refused as refused:
        messages.error(request, refused.message)
        return redirect(item)
    messages.success(
        request, _("Votre essai n'est plus dans la galerie. Vous pouvez le partager de nouveau quand vous voulez.")
    )
    return redirect(reverse("community:lab_panel", args=[item.lab.step_id]))


@login_required
@require_POST
def item_request_reviews(request: HttpRequest, pk: int) -> HttpResponse:
    item, _place = visible_item(request, pk)
    try:
        request_reviews(author=request.user, item=item)
    except Refused as refused:
        messages.error(request, refused.message)
        return redirect(item)
    settings = selectors.review_settings_for(item.lab)
    counts = selectors.item_assignment_counts(item)
    given = sum(counts.get(state, 0) for state in ("assigned", "submitted"))
    if given >= settings.reviews_per_attempt:
        messages.success(request, _("Relectures demandées : vos relecteurs ont été prévenus."))
    elif given == 0:
        messages.info(
            request,
            _(
                "Relectures demandées : personne n'est encore disponible ; vos relecteurs seront choisis "
                "dès que d'autres apprenants partageront un essai dans ce labo."
            ),
        )
    else:
        messages.info(
            request,
            ngettext(
                "Relectures demandées : %(given)d relecteur sur %(wanted)d pour l'instant ; "
                "les autres seront choisis dès que d'autres apprenants partageront un essai.",
                "Relectures demandées : %(given)d relecteurs sur %(wanted)d pour l'instant ; "
                "les autres seront choisis dès que d'autres apprenants partageront un essai.",
                given,
            )
            % {"given": given, "wanted": settings.reviews_per_attempt},
        )
    return redirect(item)


@login_required
@require_http_methods(["GET", "POST"])
def item_hide(request: HttpRequest, pk: int) -> HttpResponse:
    item, place = visible_item(request, pk)
    if not place.moderator:
        raise Http404
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.hide_item(moderator=request.user, item=item, reason=form.cleaned_data["reason"])
        except Refused as refused:
            form.add_error("reason", refused.message)
        else:
            messages.success(request, _("L'essai est masqué. Son auteur voit la raison."))
            return redirect(item)
    status = 400 if form.is_bound else 200
    return render(
        request, "community/item_hide.html", {"item": item, "form": form, "course": item.lab.course}, status=status
    )


@login_required
@require_POST
def item_unhide(request: HttpRequest, pk: int) -> HttpResponse:
    item, place = visible_item(request, pk)
    if not place.moderator:
        raise Http404
    services.unhide_item(item=item)
    messages.success(request, _("L'essai est de nouveau visible par la promotion."))
    return redirect(item)
