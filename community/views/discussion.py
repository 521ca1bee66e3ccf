"""The discussion of a lesson or lab step: threads, replies, edits, deletion, reports, answers, moderation.

The discussion is a full page and a named partial (``#discussion``) that the
step page loads lazily and that htmx forms swap in place; without JavaScript
every form posts normally and comes back to the page. A refused message
(rate limit, empty, too long) comes back in its form, as typed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from academy.htmx import wants_partial
from community import selectors
from community.errors import Refused
from community.forms import PostForm, PostRemoveForm, ReportForm
from community.services import discussion as services
from community.views.access import Place, local_url, step_place, visible_post
from courses import api as courses


def _discussion_url(step, anchor: str = "") -> str:
    url = reverse("community:discussion", args=[step.pk])
    return f"{url}#{anchor}" if anchor else url


def _page_number(request: HttpRequest) -> int:
    try:
        return max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        return 1


def _context(
    request: HttpRequest,
    step,
    place: Place,
    *,
    form: PostForm | None = None,
    reply_to: int | None = None,
    reply_form: PostForm | None = None,
) -> dict[str, Any]:
    trainers = courses.course_trainers(place.course)
    page = _page_number(request)
    threads, has_more = selectors.step_threads(step, page=page)
    return {
        "step": step,
        "course": place.course,
        "place": place,
        "trainers": trainers,
        "trainer_ids": {trainer.pk for trainer in trainers},
        "threads": threads,
        "page_number": page,
        "has_more": has_more,
        "form": form or PostForm(trainers=trainers, auto_id="id_new_%s"),
        "reply_to": reply_to,
        "reply_form": reply_form,
        "reported": selectors.my_reported_post_ids(request.user, step),
    }


def _answer(request: HttpRequest, step, place: Place, *, status: int = 200, **forms) -> HttpResponse:
    """The discussion again: the partial for htmx (always 200, as htmx swaps no error response), else the page."""
    if wants_partial(request):
        return render(request, "community/discussion.html#discussion", _context(request, step, place, **forms))
    return render(request, "community/discussion.html", _context(request, step, place, **forms), status=status)


@login_required
@require_http_methods(["GET", "POST"])
def discussion(request: HttpRequest, step_id: int) -> HttpResponse:
    """GET: the discussion; POST: a new thread."""
    step, place = step_place(request, step_id)
    if request.method == "GET":
        return _answer(request, step, place)
    trainers = courses.course_trainers(place.course)
    form = PostForm(request.POST, trainers=trainers, auto_id="id_new_%s")
    if form.is_valid():
        try:
            post = services.post_create(
                author=request.user,
                step=step,
                body=form.cleaned_data["body"],
                mentions=form.cleaned_data["mentions"],
            )
        except Refused as refused:
            form.add_error("body", refused.message)
        else:
            if wants_partial(request):
                return _answer(request, step, place)
            messages.success(request, _("Message publié."))
            return redirect(_discussion_url(step, f"post-{post.pk}"))
    return _answer(request, step, place, status=400, form=form)


@login_required
@require_POST
def post_reply(request: HttpRequest, pk: int) -> HttpResponse:
    parent, place = visible_post(request, pk)
    step = parent.step
    trainers = courses.course_trainers(place.course)
    form = PostForm(request.POST, trainers=trainers, auto_id=f"id_reply{parent.pk}_%s")
    if form.is_valid():
        try:
            post = services.post_create(
                author=request.user,
                step=step,
                body=form.cleaned_data["body"],
                mentions=form.cleaned_data["mentions"],
                parent=parent,
            )
        except Refused as refused:
            form.add_error("body", refused.message)
        else:
            if wants_partial(request):
                return _answer(request, step, place)
            messages.success(request, _("Réponse publiée."))
            return redirect(_discussion_url(step, f"post-{post.pk}"))
    return _answer(request, step, place, status=400, reply_to=parent.pk, reply_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post, place = visible_post(request, pk)
    if post.author_id != request.user.pk or post.is_gone:
        raise Http404
    trainers = courses.course_trainers(place.course)
    initial = {"body": post.body, "mentions": list(post.mentions.all())}
    form = PostForm(request.POST or None, initial=initial, trainers=trainers)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_edit(
                post=post, editor=request.user, body=form.cleaned_data["body"], mentions=form.cleaned_data["mentions"]
            )
        except Refused as refused:
            form.add_error("body", refused.message)
        else:
            messages.success(request, _("Message modifié."))
            return redirect(_discussion_url(post.step, f"post-{post.pk}"))
    context = {"post": post, "form": form, "step": post.step, "course": place.course}
    return render(request, "community/post_edit.html", context, status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def post_delete(request: HttpRequest, pk: int) -> HttpResponse:
    post, place = visible_post(request, pk)
    if post.author_id != request.user.pk or post.is_gone:
        raise Http404
    if request.method == "POST":
        services.post_delete(post=post, author=request.user)
        messages.success(request, _("Message supprimé."))
        return redirect(_discussion_url(post.step, "discussion"))
    return render(request, "community/post_delete.html", {"post": post, "step": post.step, "course": place.course})


@login_required
@require_http_methods(["GET", "POST"])
def post_report(request: HttpRequest, pk: int) -> HttpResponse:
    post, place = visible_post(request, pk)
    if post.author_id == request.user.pk or post.is_gone:
        raise Http404
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_report(
                post=post,
                reporter=request.user,
                reason=form.cleaned_data["reason"],
                comment=form.cleaned_data["comment"],
            )
        except Refused as refused:
            messages.info(request, refused.message)
        else:
            messages.success(request, _("Merci : un formateur va relire ce message."))
        return redirect(_discussion_url(post.step, f"post-{post.pk}"))
    context = {"post": post, "form": form, "step": post.step, "course": place.course}
    return render(request, "community/post_report.html", context, status=400 if form.is_bound else 200)


@login_required
@require_POST
def post_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """A trainer marks the thread answered: by this reply, or (on the first message) as a whole."""
    post, place = visible_post(request, pk)
    if not place.moderator:
        raise Http404
    thread = post if post.parent_id is None else post.thread
    try:
        services.thread_mark_answered(thread=thread, moderator=request.user, answer=None if post is thread else post)
    except Refused as refused:
        messages.error(request, refused.message)
    if wants_partial(request):
        return _answer(request, post.step, place)
    return redirect(_discussion_url(post.step, f"post-{thread.pk}"))


@login_required
@require_POST
def post_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    post, place = visible_post(request, pk)
    if not place.moderator or post.parent_id is not None:
        raise Http404
    services.thread_reopen(thread=post)
    if wants_partial(request):
        return _answer(request, post.step, place)
    return redirect(_discussion_url(post.step, f"post-{post.pk}"))


@login_required
@require_http_methods(["GET", "POST"])
def post_remove(request: HttpRequest, pk: int) -> HttpResponse:
    post, place = visible_post(request, pk)
    if not place.moderator or post.is_gone:
        raise Http404
    form = PostRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_remove(post=post, moderator=request.user, reason=form.cleaned_data["reason"])
        except Refused as refused:
            form.add_error("reason", refused.message)
        else:
            messages.success(request, _("Message retiré. Son auteur voit la raison."))
            return redirect(
                local_url(request, request.POST.get("next", "")) or _discussion_url(post.step, f"post-{post.pk}")
            )
    context = {
        "post": post,
        "form": form,
        "step": post.step,
        "course": place.course,
        "next": request.GET.get("next", ""),
    }
    return render(request, "community/post_remove.html", context, status=400 if form.is_bound else 200)
