"""Trainer authoring pages: courses, outline, lessons, quizzes, question bank, media, publishing.

Every view requires a trainer (anonymous → login, learner → 403) and, for a
course's pages, that the trainer edits that course (else 404). Views stay
thin: reads from courses.selectors.authoring, writes via courses.services.authoring.
"""

from __future__ import annotations

import copy
import csv
import dataclasses
import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from academy.htmx import wants_partial
from academy.permissions import trainer_required
from academy.spreadsheets import neutralise_formula
from courses import permissions, step_providers
from courses.forms.authoring import (
    MARKDOWN_PREVIEW_FIELD,
    MAX_MARKDOWN_PREVIEW_CHARS,
    CoTrainerForm,
    CoTrainerRemoveForm,
    CourseCoverForm,
    CourseForm,
    ImageUploadForm,
    LessonForm,
    ModuleForm,
    QuestionForm,
    QuizForm,
    StepForm,
    VideoUploadForm,
    choice_formset,
)
from courses.markdown import render_markdown
from courses.models import Course, Lesson, Module, Question, Quiz, Step
from courses.selectors import authoring as selectors
from courses.selectors import learning as learner_selectors
from courses.services import authoring as services
from courses.services.learning import quiz_question_pool

# --- access --------------------------------------------------------------------


def _course(request: HttpRequest, slug: str) -> Course:
    course = selectors.editable_course(request.user, slug)
    if course is None:
        raise Http404
    return course


def _editable(request: HttpRequest, course: Course) -> Course:
    if not permissions.can_edit_course(request.user, course):
        raise Http404
    return course


def _step(request: HttpRequest, step_id: int, *, kind: str | None = None) -> Step:
    filters = {"pk": step_id} if kind is None else {"pk": step_id, "kind": kind}
    step = get_object_or_404(Step.objects.select_related("module__course__owner"), **filters)
    _editable(request, step.module.course)
    return step


def _module(request: HttpRequest, module_id: int) -> Module:
    module = get_object_or_404(Module.objects.select_related("course__owner"), pk=module_id)
    _editable(request, module.course)
    return module


def _question(request: HttpRequest, question_id: int) -> Question:
    question = get_object_or_404(Question.objects.select_related("course__owner"), pk=question_id)
    _editable(request, question.course)
    return question


def _wants_preview(request: HttpRequest) -> bool:
    return request.method == "POST" and "_preview" in request.POST


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _all_valid(*forms) -> bool:
    """Validate every form (so each shows its errors), not just up to the first invalid one."""
    results = [form.is_valid() for form in forms]
    return all(results)


def _add_errors(form, error: ValidationError, field: str | None = None) -> None:
    for message in error.messages:
        form.add_error(field, message)


# --- course list, create, edit -----------------------------------------------------


@trainer_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    courses = selectors.authoring_course_list(request.user)
    return render(request, "courses/authoring/home.html", {"courses": courses})


@trainer_required
@require_http_methods(["GET", "POST"])
def course_create(request: HttpRequest) -> HttpResponse:
    candidates = selectors.editable_courses(request.user)
    form = CourseForm(request.POST or None, translation_candidates=candidates)
    if request.method == "POST" and not _wants_preview(request) and form.is_valid():
        course = services.course_create(owner=request.user, **form.service_kwargs())
        messages.success(request, _("Cours créé. Ajoutez maintenant ses modules et ses étapes."))
        return redirect("courses:authoring_outline", slug=course.slug)
    status = 400 if form.errors else 200
    return render(request, "courses/authoring/course_form.html", {"form": form, "course": None}, status=status)


@trainer_required
@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course(request, slug)
    candidates = selectors.editable_courses(request.user)
    # The form works on a copy: the page's title and links keep the saved values while errors are shown.
    form = CourseForm(request.POST or None, instance=copy.copy(course), translation_candidates=candidates)
    if request.method == "POST" and not _wants_preview(request) and form.is_valid():
        course = services.course_update(course=form.instance, **form.service_kwargs())
        messages.success(request, _("Modifications enregistrées."))
        return redirect("courses:authoring_course_edit", slug=course.slug)
    status = 400 if form.errors else 200
    context = {"form": form, "course": course, "cover_form": CourseCoverForm()}
    return render(request, "courses/authoring/course_form.html", context, status=status)


@trainer_required
@require_POST
def course_cover(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload a new cover, or go back to the generated one (``remove``)."""
    course = _course(request, slug)
    if request.POST.get("remove"):
        services.course_cover_remove(course=course)
        messages.success(request, _("Image de couverture retirée : le cours reprend sa couverture générée."))
        return redirect("courses:authoring_course_edit", slug=course.slug)
    cover_form = CourseCoverForm(request.POST, request.FILES)
    if cover_form.is_valid():
        try:
            services.course_cover_set(course=course, uploaded_file=cover_form.cleaned_data["cover"])
        except ValidationError as error:
            _add_errors(cover_form, error, "cover")
        else:
            messages.success(request, _("Image de couverture enregistrée."))
            return redirect("courses:authoring_course_edit", slug=course.slug)
    candidates = selectors.editable_courses(request.user)
    form = CourseForm(instance=copy.copy(course), translation_candidates=candidates)
    context = {"form": form, "course": course, "cover_form": cover_form}
    return render(request, "courses/authoring/course_form.html", context, status=400)


@trainer_required
@require_POST
def markdown_preview(request: HttpRequest) -> HttpResponse:
    field = request.POST.get(MARKDOWN_PREVIEW_FIELD, "")
    text = request.POST.get(field, "")[:MAX_MARKDOWN_PREVIEW_CHARS]
    return render(request, "courses/authoring/_markdown_preview.html", {"html": render_markdown(text)})


# --- outline -------------------------------------------------------------------


def _outline_context(request: HttpRequest, course: Course, **extra: Any) -> dict[str, Any]:
    return {
        "course": course,
        "outline": selectors.authoring_outline(course),
        "publish_problems": services.course_publish_problems(course),
        "lab_provider": step_providers.get(Step.Kind.LAB) is not None,
        "module_form": ModuleForm(),
        "is_manager": selectors.is_course_manager(request.user, course),
        **extra,
    }


def _outline_response(request: HttpRequest, course: Course) -> HttpResponse:
    if wants_partial(request):
        return render(request, "courses/authoring/outline.html#outline", _outline_context(request, course))
    return redirect("courses:authoring_outline", slug=course.slug)


@trainer_required
@require_GET
def outline(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course(request, slug)
    return render(request, "courses/authoring/outline.html", _outline_context(request, course))


@trainer_required
@require_http_methods(["GET", "POST"])
def module_create(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course(request, slug)
    form = ModuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.module_create(course=course, **form.cleaned_data)
        messages.success(request, _("Module ajouté."))
        return redirect("courses:authoring_outline", slug=course.slug)
    context = {"form": form, "course": course, "module": None}
    return render(request, "courses/authoring/module_form.html", context, status=400 if form.errors else 200)


@trainer_required
@require_http_methods(["GET", "POST"])
def module_edit(request: HttpRequest, module_id: int) -> HttpResponse:
    module = _module(request, module_id)
    form = ModuleForm(request.POST or None, instance=module)
    if request.method == "POST" and form.is_valid():
        services.module_update(module=module, **form.cleaned_data)
        messages.success(request, _("Module enregistré."))
        return redirect("courses:authoring_outline", slug=module.course.slug)
    context = {"form": form, "course": module.course, "module": module}
    return render(request, "courses/authoring/module_form.html", context, status=400 if form.errors else 200)


@trainer_required
@require_http_methods(["GET", "POST"])
def module_delete(request: HttpRequest, module_id: int) -> HttpResponse:
    module = _module(request, module_id)
    course = module.course
    if request.method == "POST":
        services.module_delete(module=module)
        messages.success(request, _("Module « %(title)s » supprimé.") % {"title": module.title})
        return redirect("courses:authoring_outline", slug=course.slug)
    context = {
        "course": course,
        "object": module,
        "steps": module.steps.order_by("position", "id"),
        "cancel_url": reverse("courses:authoring_outline", args=[course.slug]),
    }
    return render(request, "courses/authoring/confirm_delete.html", context)


@trainer_required
@require_POST
def module_move(request: HttpRequest, module_id: int, direction: str) -> HttpResponse:
    module = _module(request, module_id)
    services.module_move(module=module, direction=direction)
    return _outline_response(request, module.course)


@trainer_required
@require_http_methods(["GET", "POST"])
def step_create(request: HttpRequest, module_id: int, kind: str) -> HttpResponse:
    module = _module(request, module_id)
    if kind not in Step.Kind.values:
        raise Http404
    form = StepForm(request.POST or None, initial={"title": _("Nouveau labo") if kind == Step.Kind.LAB else ""})
    if request.method == "POST" and form.is_valid():
        step = services.step_create(module=module, kind=kind, **form.cleaned_data)
        return redirect(_step_edit_url(step))
    context = {
        "form": form,
        "course": module.course,
        "module": module,
        "kind": kind,
        "kind_label": Step.Kind(kind).label,
    }
    return render(request, "courses/authoring/step_create.html", context, status=400 if form.errors else 200)


def _step_edit_url(step: Step) -> str:
    if step.kind == Step.Kind.LESSON:
        return reverse("courses:authoring_lesson_edit", args=[step.pk])
    if step.kind == Step.Kind.QUIZ:
        return reverse("courses:authoring_quiz_edit", args=[step.pk])
    provider = step_providers.get(Step.Kind.LAB)
    if provider is not None:
        return provider.authoring_url_for(step)
    return reverse("courses:authoring_outline", args=[step.module.course.slug])


@trainer_required
@require_http_methods(["GET", "POST"])
def step_delete(request: HttpRequest, step_id: int) -> HttpResponse:
    step = _step(request, step_id)
    course = step.module.course
    if request.method == "POST":
        services.step_delete(step=step)
        messages.success(request, _("Étape « %(title)s » supprimée.") % {"title": step.title})
        return redirect("courses:authoring_outline", slug=course.slug)
    context = {"course": course, "object": step, "cancel_url": reverse("courses:authoring_outline", args=[course.slug])}
    return render(request, "courses/authoring/confirm_delete.html", context)


@trainer_required
@require_POST
def step_move(request: HttpRequest, step_id: int, direction: str) -> HttpResponse:
    step = _step(request, step_id)
    services.step_move(step=step, direction=direction)
    return _outline_response(request, step.module.course)


def _ids(values: Any) -> list[int]:
    if isinstance(values, str):
        values = [v for v in values.split(",") if v.strip()]
    if not isinstance(values, list):
        raise ValueError("not a list")
    return [int(v) for v in values]


@trainer_required
@require_POST
def reorder(request: HttpRequest, slug: str) -> HttpResponse:
    """New order from the drag-and-drop script: {"module": id, "steps": [ids]} or {"modules": [ids]}."""
    course = _course(request, slug)
    try:
        payload = json.loads(request.body) if request.content_type == "application/json" else request.POST.dict()
        if "modules" in payload:
            services.modules_reorder(course=course, module_ids=_ids(payload["modules"]))
        else:
            module = get_object_or_404(Module, pk=int(payload["module"]), course=course)
            services.steps_reorder(module=module, step_ids=_ids(payload["steps"]))
    except (ValueError, KeyError, TypeError, json.JSONDecodeError):
        return HttpResponseBadRequest(_("Ordre illisible."))
    except ValidationError as error:
        return JsonResponse({"ok": False, "errors": error.messages}, status=409)
    if wants_partial(request) or request.content_type == "application/json":
        return JsonResponse({"ok": True})
    return redirect("courses:authoring_outline", slug=course.slug)


@trainer_required
@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course(request, slug)
    if request.POST.get("action") == "unpublish":
        services.course_unpublish(course=course)
        messages.success(request, _("Le cours est repassé en brouillon : les apprenants ne le voient plus."))
    else:
        try:
            services.course_publish(course=course)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Le cours est publié."))
    return redirect("courses:authoring_outline", slug=course.slug)


# --- lessons and media -------------------------------------------------------------


def _lesson_context(step: Step, lesson: Lesson, step_form: StepForm, lesson_form: LessonForm, **extra: Any) -> dict:
    course = step.module.course
    return {
        "course": course,
        "step": step,
        "lesson": lesson,
        "step_form": step_form,
        "form": lesson_form,
        "video_form": extra.pop("video_form", VideoUploadForm()),
        "image_form": ImageUploadForm(),
        "images": selectors.course_images(course)[:24],
        **extra,
    }


@trainer_required
@require_http_methods(["GET", "POST"])
def lesson_edit(request: HttpRequest, step_id: int) -> HttpResponse:
    step = _step(request, step_id, kind=Step.Kind.LESSON)
    lesson = services.lesson_for_step(step=step)
    data = request.POST or None
    step_form = StepForm(data, instance=step)
    lesson_form = LessonForm(data, instance=lesson)
    if request.method == "POST" and not _wants_preview(request) and _all_valid(step_form, lesson_form):
        services.step_update(step=step, **step_form.cleaned_data)
        services.lesson_update(lesson=lesson, **lesson_form.cleaned_data)
        messages.success(request, _("Leçon enregistrée."))
        return redirect("courses:authoring_lesson_edit", step_id=step.pk)
    status = 400 if step_form.errors or lesson_form.errors else 200
    context = _lesson_context(step, lesson, step_form, lesson_form)
    return render(request, "courses/authoring/lesson_form.html", context, status=status)


def _video_panel(
    request: HttpRequest, step: Step, lesson: Lesson, video_form: VideoUploadForm, **extra: Any
) -> HttpResponse:
    context = {"course": step.module.course, "step": step, "lesson": lesson, "video_form": video_form, **extra}
    return render(request, "courses/authoring/_video_panel.html", context)


@trainer_required
@require_POST
def lesson_video(request: HttpRequest, step_id: int) -> HttpResponse:
    """Upload or remove the lesson's video; htmx swaps only the video panel so unsaved lesson text stays."""
    step = _step(request, step_id, kind=Step.Kind.LESSON)
    lesson = services.lesson_for_step(step=step)
    if request.POST.get("action") == "remove":
        services.lesson_video_remove(lesson=lesson)
        if wants_partial(request):
            return _video_panel(request, step, lesson, VideoUploadForm())
        messages.success(request, _("Vidéo retirée."))
        return redirect("courses:authoring_lesson_edit", step_id=step.pk)
    video_form = VideoUploadForm(request.POST, request.FILES)
    if video_form.is_valid():
        try:
            services.lesson_video_set(lesson=lesson, uploaded_file=video_form.cleaned_data["video"])
        except ValidationError as error:
            _add_errors(video_form, error, "video")
        else:
            if wants_partial(request):
                return _video_panel(request, step, lesson, VideoUploadForm(), video_saved=True)
            messages.success(request, _("Vidéo enregistrée."))
            return redirect("courses:authoring_lesson_edit", step_id=step.pk)
    if wants_partial(request):  # htmx swaps 2xx responses only: the errors come back with 200
        return _video_panel(request, step, lesson, video_form)
    context = _lesson_context(step, lesson, StepForm(instance=step), LessonForm(instance=lesson), video_form=video_form)
    return render(request, "courses/authoring/lesson_form.html", context, status=400)


@trainer_required
@require_http_methods(["GET", "POST"])
def image_upload(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course(request, slug)
    form = ImageUploadForm(request.POST or None, request.FILES or None)
    next_url = _safe_next(request, reverse("courses:authoring_image_upload", args=[course.slug]))
    snippet = ""
    if request.method == "POST" and form.is_valid():
        try:
            image = services.lesson_image_create(
                course=course,
                uploaded_file=form.cleaned_data["image"],
                alt_text=form.cleaned_data["alt_text"],
                uploaded_by=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error, "image")
        else:
            snippet = f"![{image.alt_text}]({image.get_absolute_url()})"
            if not wants_partial(request):
                message = _("Image ajoutée. Collez ce code dans la leçon : %(snippet)s") % {"snippet": snippet}
                messages.success(request, message)
                return redirect(next_url)
    images = selectors.course_images(course)
    if wants_partial(request):
        # The lesson page's image panel, swapped alone so the lesson text being typed stays.
        panel = {"course": course, "image_form": ImageUploadForm() if snippet else form, "images": images[:24]}
        return render(
            request, "courses/authoring/_image_panel.html", {**panel, "snippet": snippet, "next_url": next_url}
        )
    context = {"course": course, "form": form, "images": images, "next": next_url}
    return render(request, "courses/authoring/images.html", context, status=400 if form.errors else 200)


# --- quizzes and the question bank ---------------------------------------------------


@trainer_required
@require_http_methods(["GET", "POST"])
def quiz_edit(request: HttpRequest, step_id: int) -> HttpResponse:
    step = _step(request, step_id, kind=Step.Kind.QUIZ)
    course = step.module.course
    quiz = services.quiz_for_step(step=step)
    data = request.POST or None
    step_form = StepForm(data, instance=step)
    quiz_form = QuizForm(data, instance=quiz, course=course)
    if request.method == "POST" and _all_valid(step_form, quiz_form):
        services.step_update(step=step, **step_form.cleaned_data)
        services.quiz_update(quiz=quiz, **quiz_form.service_kwargs())
        messages.success(request, _("Quiz enregistré."))
        return redirect("courses:authoring_quiz_edit", step_id=step.pk)
    pool = quiz_question_pool(quiz)
    context = {
        "course": course,
        "step": step,
        "quiz": quiz,
        "step_form": step_form,
        "form": quiz_form,
        "pool_size": len(pool),
        "bank_tags": selectors.bank_tags(course),
    }
    return render(
        request,
        "courses/authoring/quiz_form.html",
        context,
        status=400 if quiz_form.errors or step_form.errors else 200,
    )


@trainer_required
@require_GET
def questions(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course(request, slug)
    return render(
        request, "courses/authoring/questions.html", {"course": course, "questions": selectors.question_bank(course)}
    )


def _question_form_page(request: HttpRequest, course: Course, question: Question | None) -> HttpResponse:
    data = request.POST or None
    form = QuestionForm(data, instance=question, course=course)
    formset = choice_formset(question, data)
    if request.method == "POST":
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and formset_ok:
            try:
                services.question_save(
                    course=course, question=question, choices=formset.choices(), **form.service_kwargs()
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Question enregistrée."))
                return redirect("courses:authoring_questions", slug=course.slug)
    status = 400 if form.errors or formset.total_error_count() else 200
    context = {"course": course, "question": question, "form": form, "formset": formset}
    return render(request, "courses/authoring/question_form.html", context, status=status)


@trainer_required
@require_http_methods(["GET", "POST"])
def question_create(request: HttpRequest, slug: str) -> HttpResponse:
    return _question_form_page(request, _course(request, slug), None)


@trainer_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, question_id: int) -> HttpResponse:
    question = _question(request, question_id)
    return _question_form_page(request, question.course, question)


@trainer_required
@require_http_methods(["GET", "POST"])
def question_delete(request: HttpRequest, question_id: int) -> HttpResponse:
    question = _question(request, question_id)
    course = question.course
    if request.method == "POST":
        services.question_delete(question=question)
        messages.success(request, _("Question supprimée."))
        return redirect("courses:authoring_questions", slug=course.slug)
    context = {
        "course": course,
        "object": question,
        "cancel_url": reverse("courses:authoring_questions", args=[course.slug]),
    }
    return render(request, "courses/authoring/confirm_delete.html", context)


# --- preview as a learner -----------------------------------------------------------


def _preview_outline(request: HttpRequest, course: Course):
    """The learner's outline, with links kept inside the preview and nothing locked."""
    learner_outline = learner_selectors.course_outline_for(request.user, course)
    # A copy: the learner's outline is shared, and its cache key names the learner's links. The
    # preview's has no key, so its fragment is rendered every time and never cached.
    outline = learner_selectors.Outline()
    for module in learner_outline:
        steps = []
        for state in module.steps:
            changes = {}
            if state.step.kind != Step.Kind.LAB or state.url is not None:
                changes["url"] = reverse("courses:authoring_preview_step", args=[course.slug, state.step.pk])
            if state.state == learner_selectors.LOCKED:
                changes["state"] = learner_selectors.OPEN
            steps.append(dataclasses.replace(state, **changes))
        outline.append(learner_selectors.ModuleOutline(module=module.module, steps=steps))
    return outline


@trainer_required
@require_GET
def preview(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course(request, slug)
    outline = _preview_outline(request, course)
    context = {
        "course": course,
        "outline": outline,
        "enrolment": None,
        "can_follow": True,
        "can_manage": False,
        "progress": learner_selectors.outline_progress(outline),
        "resume": None,
        "certificate": None,
        "translations": learner_selectors.course_translations(course),
        "trainers": [course.owner, *course.co_trainers.all()],
        "description_html": render_markdown(course.description),
        "prerequisites_html": render_markdown(course.prerequisites),
        "preview": True,
    }
    return render(request, "courses/authoring/preview_course.html", context)


@trainer_required
@require_GET
def preview_step(request: HttpRequest, slug: str, step_id: int) -> HttpResponse:
    course = _course(request, slug)
    step = get_object_or_404(Step.objects.select_related("module"), pk=step_id, module__course=course)
    outline = _preview_outline(request, course)
    states = learner_selectors.flatten(outline)
    index = next(i for i, s in enumerate(states) if s.step.pk == step.pk)
    context: dict[str, Any] = {
        "course": course,
        "step": states[index].step,
        "state": states[index],
        "outline": outline,
        "enrolled": False,
        "previous": states[index - 1] if index > 0 else None,
        "next": states[index + 1] if index + 1 < len(states) else None,
        "progress": learner_selectors.outline_progress(outline),
        "preview": True,
    }
    if step.kind == Step.Kind.LESSON:
        lesson = Lesson.objects.filter(step=step).first()
        context.update(lesson=lesson, body_html=render_markdown(lesson.body if lesson else ""))
        return render(request, "courses/authoring/preview_lesson.html", context)
    if step.kind == Step.Kind.QUIZ:
        quiz = Quiz.objects.filter(step=step).first()
        pool = quiz_question_pool(quiz) if quiz else []
        context.update(quiz=quiz, questions=pool[: quiz.draw_count] if quiz else [], pool_size=len(pool))
        return render(request, "courses/authoring/preview_quiz.html", context)
    provider = step_providers.get(Step.Kind.LAB)
    context.update(lab_url=provider.url_for(step) if provider else None)
    return render(request, "courses/authoring/preview_lab.html", context)


# --- co-trainers and learners ---------------------------------------------------------


@trainer_required
@require_http_methods(["GET", "POST"])
def cotrainers(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course(request, slug)
    is_manager = selectors.is_course_manager(request.user, course)
    adding = request.method == "POST" and request.POST.get("action") != "remove"
    form = CoTrainerForm(request.POST if adding else None)
    refused = False
    if request.method == "POST":
        if not is_manager:
            raise PermissionDenied(_("Seul le formateur responsable ou un administrateur gère les co-formateurs."))
        if request.POST.get("action") == "remove":
            remove_form = CoTrainerRemoveForm(request.POST, course=course)
            if remove_form.is_valid():
                user = remove_form.cleaned_data["user_id"]
                services.cotrainer_remove(course=course, user=user)
                messages.success(request, _("%(name)s n'est plus co-formateur·rice.") % {"name": user})
                return redirect("courses:authoring_cotrainers", slug=course.slug)
            messages.error(request, remove_form.errors["user_id"][0])
            refused = True
        elif form.is_valid():
            try:
                user = services.cotrainer_add(course=course, email=form.cleaned_data["email"])
            except ValidationError as error:
                _add_errors(form, error, "email")
            else:
                messages.success(request, _("%(name)s est maintenant co-formateur·rice.") % {"name": user})
                return redirect("courses:authoring_cotrainers", slug=course.slug)
    context = {
        "course": course,
        "form": form,
        "is_manager": is_manager,
        "cotrainers": course.co_trainers.order_by("email"),
    }
    return render(request, "courses/authoring/cotrainers.html", context, status=400 if form.errors or refused else 200)


@trainer_required
@require_GET
def learners(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course(request, slug)
    table = selectors.learner_progress_table(course)
    return render(request, "courses/authoring/learners.html", {"course": course, "table": table})


@trainer_required
@require_GET
def learners_csv(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course(request, slug)
    table = selectors.learner_progress_table(course)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="progression-{course.slug}.csv"'
    response.write("\ufeff")  # lets spreadsheet software detect UTF-8
    writer = csv.writer(response, delimiter=";")

    def write(values) -> None:
        # Every cell, header included: step titles are typed by trainers.
        writer.writerow([neutralise_formula(str(value)) for value in values])

    write(
        [_("Apprenant·e"), _("E-mail"), _("Progression (%)"), _("Dernière activité"), *[s.title for s in table.steps]]
    )
    for row in table:
        cells = [("" if not c.done else (c.score if c.score is not None else "✓")) for c in row.cells]
        last = row.last_activity.isoformat(timespec="minutes") if row.last_activity else ""
        write([row.user.get_full_name(), row.user.email, row.percent, last, *cells])
    return response
