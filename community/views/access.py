"""Looking up what a community page is about, and refusing with a 404 whoever is not in the course.

Anyone outside the course's community (community.permissions.takes_part)
gets a 404, never a 403: a learner of another course cannot tell whether a
gallery item, a review or a message exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest

from community import selectors
from community.models import CalibrationVideo, GalleryItem, Post, ReviewAssignment
from community.permissions import is_moderator, takes_part
from courses import api as courses
from labs import api as labs


@dataclass
class Place:
    """What a page is about, and the viewer's role in its course."""

    course: Any
    moderator: bool


def course_place(request: HttpRequest, slug: str) -> Place:
    course = courses.Course.objects.filter(slug=slug).first()
    if course is None or not takes_part(request.user, course):
        raise Http404
    return Place(course=course, moderator=is_moderator(request.user, course))


def lab_place(request: HttpRequest, *, slug: str | None = None, step_id: int | None = None):
    lab = labs.lab_for_page(slug) if slug is not None else labs.lab_for_step(step_id)
    if lab is None or not takes_part(request.user, lab.course):
        raise Http404
    return lab, Place(course=lab.course, moderator=is_moderator(request.user, lab.course))


def moderated_lab(request: HttpRequest, slug: str):
    lab, place = lab_place(request, slug=slug)
    if not place.moderator:
        raise Http404
    return lab


def step_place(request: HttpRequest, step_id: int):
    step = courses.Step.objects.select_related("module__course").filter(pk=step_id).first()
    if step is None or step.kind not in (courses.Step.Kind.LESSON, courses.Step.Kind.LAB):
        raise Http404
    course = step.module.course
    if not takes_part(request.user, course):
        raise Http404
    return step, Place(course=course, moderator=is_moderator(request.user, course))


def visible_item(request: HttpRequest, pk: int) -> tuple[GalleryItem, Place]:
    """A shared attempt: its author always; the cohort while it is shared and not hidden; moderators unless withdrawn."""
    item = selectors.item_for_page(pk)
    if item is None or not takes_part(request.user, item.lab.course):
        raise Http404
    place = Place(course=item.lab.course, moderator=is_moderator(request.user, item.lab.course))
    if item.author_id == request.user.pk:
        return item, place
    if item.withdrawn_at is not None or (item.hidden_at is not None and not place.moderator):
        raise Http404
    if not courses.is_enrolled(item.author, item.lab.course):
        raise Http404  # its author left the course: their work leaves the gallery with them
    return item, place


def own_assignment(request: HttpRequest, pk: int) -> ReviewAssignment:
    assignment = selectors.assignment_for_page(pk)
    if assignment is None or assignment.reviewer_id != request.user.pk:
        raise Http404
    if not takes_part(request.user, assignment.item.lab.course):
        raise Http404
    return assignment


def calibration_video(request: HttpRequest, pk: int) -> tuple[CalibrationVideo, Place]:
    video = selectors.calibration_video_for_page(pk)
    if video is None or not takes_part(request.user, video.lab.course):
        raise Http404
    return video, Place(course=video.lab.course, moderator=is_moderator(request.user, video.lab.course))


def visible_post(request: HttpRequest, pk: int) -> tuple[Post, Place]:
    post = selectors.post_for_page(pk)
    if post is None:
        raise Http404
    course = post.step.module.course
    if not takes_part(request.user, course):
        raise Http404
    return post, Place(course=course, moderator=is_moderator(request.user, course))


def local_url(request: HttpRequest, url: str) -> str:
    """``url`` when it leads back into this site (a ``next`` field), else an empty string."""
    from django.utils.http import url_has_allowed_host_and_scheme

    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""
