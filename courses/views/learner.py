"""Learner pages: catalogue, course page, enrolment, steps, quiz, dashboard, certificates.

Views stay thin: permissions from courses.permissions, reads from
courses.selectors.learning, writes through courses.services.learning.
"""

from __future__ import annotations

import logging
import re
from io import BytesIO

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from academy.htmx import wants_partial
from courses import covers, images, permissions, step_sections, videos
from courses.forms.learner import AdminEnrolForm, CatalogueFilterForm, EnrolmentRemoveForm, QuizAttemptForm
from courses.markdown import render_markdown
from courses.models import Certificate, Choice, Course, Enrolment, LessonImage, Question, QuizAttempt, Step
from courses.pdf import certificate_pdf_bytes
from courses.selectors import learning as selectors
from courses.services import learning as services

logger = logging.getLogger(__name__)

# --- helpers -----------------------------------------------------------------


def _visible_course(request: HttpRequest, slug: str) -> Course:
    course = selectors.cached_course(slug)
    if course is None or not permissions.can_view_course(request.user, course):
        raise Http404
    return course


def _forbidden(
    request: HttpRequest, *, title: str, message: str, course: Course | None = None, link: str = ""
) -> HttpResponse:
    context = {"title": title, "message": message, "course": course, "link": link}
    return render(request, "courses/forbidden.html", context, status=403)


# --- catalogue and course page -----------------------------------------------


CATALOGUE_PAGE_SIZE = 12


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    form = CatalogueFilterForm(request.GET or None)
    chosen = form.filters()
    page = selectors.catalogue_page(
        per_page=CATALOGUE_PAGE_SIZE,
        page=request.GET.get("page"),
        visitor_language=get_language() or "",
        **chosen,
    )
    filters = request.GET.copy()
    filters.pop("page", None)
    context = {
        "form": form,
        "courses": page.object_list,
        "page": page,
        "filters_query": filters.urlencode(),
        "filtered": any(chosen.values()),
        # The form and the cards are the same for every visitor: rendered once per content version,
        # except for searches (too varied to be asked twice).
        "cacheable": not chosen.get("q"),
    }
    template = "courses/catalogue.html#results" if wants_partial(request) else "courses/catalogue.html"
    return render(request, template, context)


@require_GET
def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    course = _visible_course(request, slug)
    user = request.user
    enrolment = selectors.active_enrolment(user, course)
    outline = selectors.course_outline_for(user, course)
    context = {
        "course": course,
        "outline": outline,
        "enrolment": enrolment,
        "can_follow": enrolment is not None or permissions.can_edit_course(user, course),
        "can_manage": permissions.can_manage_enrolments(user, course),
        "progress": selectors.outline_progress(outline),
        "resume": selectors.outline_resume(outline),
        "certificate": selectors.valid_certificate(user, course),
        "translations": selectors.course_translations(course),
        "trainers": selectors.course_trainers(course),
        "description_html": render_markdown(course.description),
        "prerequisites_html": render_markdown(course.prerequisites),
    }
    return render(request, "courses/detail.html", context)


@require_GET
def course_outline(request: HttpRequest, slug: str) -> HttpResponse:
    course = _visible_course(request, slug)
    return redirect(f"{course.get_absolute_url()}#programme")


# --- enrolment ---------------------------------------------------------------


@login_required
@require_POST
def course_enrol(request: HttpRequest, slug: str) -> HttpResponse:
    course = _visible_course(request, slug)
    try:
        services.enrol(user=request.user, course=course)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(course)
    messages.success(request, _("Vous êtes inscrit·e à « %(title)s ».") % {"title": course.title})
    resume = selectors.first_incomplete_step(request.user, course)
    return redirect(resume.url if resume and resume.url else course.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def course_unenrol(request: HttpRequest, slug: str) -> HttpResponse:
    course = _visible_course(request, slug)
    if not permissions.is_enrolled(request.user, course):
        return redirect(course)
    if request.method == "POST":
        services.unenrol(user=request.user, course=course)
        messages.success(request, _("Vous êtes désinscrit·e. Votre progression est conservée si vous revenez."))
        return redirect(course)
    return render(request, "courses/unenrol_confirm.html", {"course": course})


@login_required
@require_http_methods(["GET", "POST"])
def course_enrolments_admin(request: HttpRequest, slug: str) -> HttpResponse:
    course = _visible_course(request, slug)
    if not permissions.can_manage_enrolments(request.user, course):
        return _forbidden(
            request,
            title=_("Réservé aux administrateurs"),
            message=_("Seul un administrateur peut gérer les inscriptions à ce cours."),
            course=course,
        )
    removing = request.method == "POST" and request.POST.get("action") == "remove"
    form = AdminEnrolForm(request.POST if request.method == "POST" and not removing else None)
    refused = False
    if removing:
        remove_form = EnrolmentRemoveForm(request.POST, course=course)
        if remove_form.is_valid():
            learner = remove_form.cleaned_data["user_id"]
            services.unenrol(user=learner, course=course)
            messages.success(request, _("%(name)s est désinscrit·e.") % {"name": learner})
            return redirect("courses:enrolments_admin", slug=course.slug)
        messages.error(request, remove_form.errors["user_id"][0])
        refused = True
    elif request.method == "POST" and form.is_valid():
        for learner in form.cleaned_data["users"]:
            services.enrol(user=learner, course=course, enrolled_by=request.user)
        count = len(form.cleaned_data["users"])
        messages.success(
            request,
            ngettext("%(count)s inscription enregistrée.", "%(count)s inscriptions enregistrées.", count)
            % {"count": count},
        )
        return redirect("courses:enrolments_admin", slug=course.slug)
    enrolments = (
        Enrolment.objects.filter(course=course, status=Enrolment.Status.ACTIVE)
        .select_related("user", "enrolled_by")
        .order_by("user__email")
    )
    known_emails = (
        get_user_model().objects.filter(is_active=True).order_by("email").values_list("email", flat=True)[:500]
    )
    context = {"course": course, "form": form, "enrolments": enrolments, "known_emails": known_emails}
    return render(request, "courses/enrolments_admin.html", context, status=400 if form.errors or refused else 200)


# --- steps -------------------------------------------------------------------


class _StepAccess:
    """What a step page needs once access is granted."""

    def __init__(self, course: Course, step: Step, outline, state, enrolled: bool):
        self.course, self.step, self.outline, self.state, self.enrolled = course, step, outline, state, enrolled


def _step_access(request: HttpRequest, slug: str, step_id: int) -> _StepAccess | HttpResponse:
    course = selectors.cached_course(slug)
    if course is None or not permissions.can_view_course(request.user, course):
        raise Http404
    outline = selectors.course_outline_for(request.user, course)
    state = selectors.step_state_in(outline, step_id)
    if state is None:
        raise Http404
    step = state.step
    enrolled = permissions.is_enrolled(request.user, course)
    editor = not enrolled and permissions.can_edit_course(request.user, course)
    if not (enrolled or editor):
        messages.info(request, _("Inscrivez-vous pour suivre ce cours."))
        return redirect(course)
    if state.locked and not editor:
        return _forbidden(
            request,
            title=_("Étape verrouillée"),
            message=str(state.locked_reason) or _("Cette étape s'ouvrira quand la précédente sera terminée."),
            course=course,
            link=resume.url if (resume := selectors.outline_resume(outline)) and resume.url else "",
        )
    return _StepAccess(course, step, outline, state, enrolled)


def _neighbours(access: _StepAccess) -> tuple[selectors.StepState | None, selectors.StepState | None]:
    states = selectors.flatten(access.outline)
    index = next(i for i, s in enumerate(states) if s.step.pk == access.step.pk)
    previous = states[index - 1] if index > 0 else None
    following = states[index + 1] if index + 1 < len(states) else None
    return previous, following


def _step_context(access: _StepAccess, **extra) -> dict:
    previous, following = _neighbours(access)
    return {
        "course": access.course,
        "step": access.step,
        "state": access.state,
        "outline": access.outline,
        "enrolled": access.enrolled,
        "previous": previous,
        "next": following,
        "progress": selectors.outline_progress(access.outline),
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def step_page(request: HttpRequest, slug: str, step_id: int) -> HttpResponse:
    access = _step_access(request, slug, step_id)
    if isinstance(access, HttpResponse):
        return access
    kind = access.step.kind
    if kind == Step.Kind.LAB:
        if access.state is None or access.state.url is None:
            return _forbidden(
                request,
                title=_("Labo indisponible"),
                message=_("Ce labo n'est pas disponible pour le moment."),
                course=access.course,
            )
        return redirect(access.state.url)
    if kind == Step.Kind.QUIZ:
        return _quiz_page(request, access)
    if request.method != "GET":
        return HttpResponse(status=405)
    return _lesson_page(request, access)


def _lesson_page(request: HttpRequest, access: _StepAccess) -> HttpResponse:
    lesson, body_html = selectors.lesson_content(access.step)
    if access.enrolled:
        services.step_visit(user=request.user, step=access.step)
    context = _step_context(
        access,
        lesson=lesson,
        body_html=mark_safe(body_html),  # noqa: S308 (rendered and sanitised by courses.markdown)
        sections=step_sections.sections_for(request.user, access.step),
    )
    return render(request, "courses/lesson.html", context)


@login_required
@require_POST
def step_mark_complete(request: HttpRequest, slug: str, step_id: int) -> HttpResponse:
    access = _step_access(request, slug, step_id)
    if isinstance(access, HttpResponse):
        return access
    if access.step.kind != Step.Kind.LESSON or not access.enrolled:
        return _forbidden(
            request,
            title=_("Action impossible"),
            message=_("Seule une leçon d'un cours suivi peut être marquée comme terminée ici."),
            course=access.course,
        )
    services.step_complete(user=request.user, step=access.step)
    access.outline = selectors.course_outline_for(request.user, access.course)
    access.state = selectors.step_state_in(access.outline, access.step.pk)
    certificate = selectors.valid_certificate(request.user, access.course)
    if wants_partial(request):
        context = _step_context(access, certificate=certificate, just_completed=True)
        return render(request, "courses/lesson.html#complete", context)
    messages.success(request, _("Étape terminée."))
    _previous, following = _neighbours(access)
    if following is not None and following.reachable:
        return redirect(following.url)
    return redirect(access.step.get_absolute_url())


@login_required
@require_POST
def step_heartbeat(request: HttpRequest, slug: str, step_id: int) -> HttpResponse:
    course = Course.objects.filter(slug=slug).first()
    if course is None or not permissions.is_enrolled(request.user, course):
        raise Http404
    step = get_object_or_404(Step.objects.select_related("module"), pk=step_id, module__course=course)
    credited = services.record_heartbeat(user=request.user, step=step)
    return JsonResponse({"credited": credited})


# --- quiz --------------------------------------------------------------------


def _attempt_material(attempt: QuizAttempt) -> tuple[dict[int, Question], dict[int, Choice]]:
    questions = {q.pk: q for q in Question.objects.filter(pk__in=attempt.question_order)}
    choices = {c.pk: c for c in Choice.objects.filter(question_id__in=attempt.question_order)}
    return questions, choices


def _attempt_review(attempt: QuizAttempt, questions: dict[int, Question], choices: dict[int, Choice]) -> list[dict]:
    """Each question with the learner's answers, the right ones and the explanation."""
    review = []
    for qid in attempt.question_order:
        question = questions.get(qid)
        if question is None:
            continue
        picked = set(attempt.answers.get(str(qid), []))
        shown = [choices[cid] for cid in attempt.choice_order.get(str(qid), []) if cid in choices]
        correct = {c.pk for c in shown if c.correct}
        review.append(
            {
                "question": question,
                "right": picked == correct,
                "choices": [{"choice": c, "picked": c.pk in picked, "correct": c.correct} for c in shown],
            }
        )
    return review


def _quiz_page(request: HttpRequest, access: _StepAccess) -> HttpResponse:
    quiz = getattr(access.step, "quiz", None)
    if quiz is None:
        raise Http404
    user = request.user
    if not access.enrolled:
        # Trainers previewing see the settings, never create attempts.
        return render(request, "courses/quiz.html", _step_context(access, quiz=quiz, preview=True))
    attempts = list(QuizAttempt.objects.filter(quiz=quiz, user=user))
    open_attempt = next((a for a in attempts if a.submitted_at is None), None)
    submitted = [a for a in attempts if a.submitted_at is not None]
    attempts_left = None if quiz.max_attempts == 0 else max(quiz.max_attempts - len(submitted), 0)
    if open_attempt is None and not submitted and attempts_left != 0:
        try:
            open_attempt = services.quiz_attempt_start(user=user, quiz=quiz)
        except services.QuizHasNoQuestions:
            return render(request, "courses/quiz.html", _step_context(access, quiz=quiz, empty=True))

    form = None
    status = 200
    if open_attempt is not None:
        questions, choices = _attempt_material(open_attempt)
        data = request.POST if request.method == "POST" else None
        form = QuizAttemptForm(data, attempt=open_attempt, questions=questions, choices=choices)
        if request.method == "POST":
            if str(open_attempt.pk) != request.POST.get("attempt"):
                messages.warning(request, _("Cette tentative a déjà été envoyée."))
                return redirect(access.step.get_absolute_url())
            if form.is_valid():
                graded = services.quiz_attempt_submit(user=user, attempt=open_attempt, answers=form.answers())
                if graded.passed:
                    messages.success(request, _("Quiz réussi : %(score)s %%.") % {"score": graded.score})
                else:
                    messages.warning(request, _("Quiz non réussi : %(score)s %%.") % {"score": graded.score})
                return redirect(access.step.get_absolute_url())
            status = 400
    elif request.method == "POST":
        return redirect(access.step.get_absolute_url())

    last = submitted[0] if submitted else None
    review = None
    if last is not None and form is None:
        review = _attempt_review(last, *_attempt_material(last))
    context = _step_context(
        access,
        quiz=quiz,
        form=form,
        attempt=open_attempt,
        last=last,
        review=review,
        attempts_left=attempts_left,
        best_score=access.state.score if access.state else None,
        certificate=selectors.valid_certificate(user, access.course),
    )
    return render(request, "courses/quiz.html", context, status=status)


@login_required
@require_POST
def quiz_retry(request: HttpRequest, slug: str, step_id: int) -> HttpResponse:
    access = _step_access(request, slug, step_id)
    if isinstance(access, HttpResponse):
        return access
    quiz = getattr(access.step, "quiz", None)
    if quiz is None or not access.enrolled:
        raise Http404
    try:
        services.quiz_attempt_start(user=request.user, quiz=quiz)
    except services.AttemptLimitReached:
        messages.error(request, _("Vous avez utilisé toutes les tentatives de ce quiz."))
    except services.QuizHasNoQuestions:
        messages.error(request, _("Ce quiz n'a pas encore de questions."))
    return redirect(access.step.get_absolute_url())


# --- private media -----------------------------------------------------------

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class _BoundedFile:
    """Reads at most ``length`` bytes of an open file from its current position."""

    def __init__(self, file, length: int):
        self.file, self.remaining = file, length

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        size = self.remaining if size < 0 else min(size, self.remaining)
        data = self.file.read(size)
        self.remaining -= len(data)
        return data

    def close(self) -> None:
        self.file.close()


def _file_response(request: HttpRequest, field_file, *, content_type: str) -> HttpResponse:
    """Stream a stored file, answering a single byte Range (video seeking) with 206."""
    try:
        size = field_file.size
        handle = field_file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    header = request.headers.get("Range", "")
    match = _RANGE.match(header.strip())
    if not match or not any(match.groups()):
        response = FileResponse(handle, content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        response["Content-Length"] = str(size)
        return response
    first, last = match.groups()
    if first:
        start, end = int(first), min(int(last) if last else size - 1, size - 1)
    else:  # suffix range: the last N bytes
        start, end = max(size - int(last), 0), size - 1
    if start >= size or start > end:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    handle.seek(start)
    response = FileResponse(_BoundedFile(handle, end - start + 1), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    return response


@login_required
@require_GET
def lesson_video(request: HttpRequest, step_id: int) -> HttpResponse:
    step = get_object_or_404(Step.objects.select_related("module__course", "lesson"), pk=step_id, kind=Step.Kind.LESSON)
    course = step.module.course
    if not permissions.can_view_course(request.user, course) or not permissions.can_follow_course(request.user, course):
        raise Http404
    lesson = getattr(step, "lesson", None)
    if lesson is None or not lesson.video:
        raise Http404
    content_type = videos.served_content_type(lesson.video.name)
    if content_type is None:
        logger.warning("lesson video of step %s has no checked type (%s): not served", step.pk, lesson.video.name)
        raise Http404
    response = _file_response(request, lesson.video, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
def lesson_image(request: HttpRequest, pk: int) -> HttpResponse:
    image = get_object_or_404(LessonImage.objects.select_related("course"), pk=pk)
    if not permissions.can_view_course(request.user, image.course):
        raise Http404
    content_type = images.served_content_type(image.image.name)
    if content_type is None:
        logger.warning("lesson image %s has no checked type (%s): not served", image.pk, image.image.name)
        raise Http404
    response = _file_response(request, image.image, content_type=content_type)
    response["Cache-Control"] = "private, max-age=86400"
    return response


@require_GET
def course_cover(request: HttpRequest, slug: str) -> HttpResponse:
    """The course's cover: the trainer's image, else one drawn from its title (SVG)."""
    course = Course.objects.filter(slug=slug).first()
    if course is None or not permissions.can_view_course(request.user, course):
        raise Http404
    if course.cover:
        content_type = images.served_content_type(course.cover.name)
        if content_type is None:
            raise Http404
        response = _file_response(request, course.cover, content_type=content_type)
    else:
        response = HttpResponse(covers.generated_cover_svg(course.title), content_type="image/svg+xml")
    # Pages link to it with ?v=<last change>: a new cover or title is a new URL.
    response["Cache-Control"] = "private, max-age=604800"
    return response


# --- dashboard and certificates ----------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "courses/dashboard.html", {"entries": selectors.dashboard_for(request.user)})


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, code: str) -> HttpResponse:
    certificate = Certificate.objects.filter(code=code.upper()).first()
    if certificate is None or not permissions.can_download_certificate(request.user, certificate):
        raise Http404
    verify_url = request.build_absolute_uri(certificate.get_verify_url())
    pdf = certificate_pdf_bytes(certificate, verify_url=verify_url)
    response = FileResponse(
        BytesIO(pdf), content_type="application/pdf", filename=f"attestation-{certificate.code}.pdf"
    )
    response["Cache-Control"] = "private, max-age=3600"  # it carries the learner's name: no shared cache
    return response


@never_cache
@require_GET
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    certificate = Certificate.objects.filter(code=code.strip().upper()).first()
    status = 404 if certificate is None else 200
    return render(request, "courses/certificate_verify.html", {"certificate": certificate, "code": code}, status=status)
