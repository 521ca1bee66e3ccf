"""Lab authoring: creating a lab for a step, its settings, the rubric editor and trying the rubric."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from courses.models import Step
from labs.models import RESERVED_LAB_SLUGS, Criterion, Lab
from tests.factories import CourseFactory, ModuleFactory, StepFactory
from tests.labs.factories import CriterionFactory, LabFactory

pytestmark = pytest.mark.django_db

PROMPT = "Gros plan sur un flacon de parfum ambré posé sur une table en marbre, à l'heure dorée. Travelling avant lent."


@pytest.fixture
def course():
    return CourseFactory()


@pytest.fixture
def trainer_client(client, course):
    client.force_login(course.owner)
    return client


@pytest.fixture
def lab(course):
    return LabFactory(step__module__course=course)


def lab_step(course, title: str = "Publicité de parfum") -> Step:
    return StepFactory(module=ModuleFactory(course=course), kind=Step.Kind.LAB, title=title)


def lab_data(**overrides) -> dict:
    data = {
        "slug": "publicite-parfum",
        "brief": "Filmez un **flacon de parfum**.",
        "duration_s": "4",
        "aspect_ratio": "9:16",
        "backend_alias": "default",
        "pass_mark": "65",
        "max_attempts": "3",
        "grading": "best",
        "reference_prompt": "",
        "budget_generations_per_learner": "10",
        "budget_cost_per_learner": "",
        "budget_cost_cohort": "50",
    }
    data.update(overrides)
    return data


def authoring_url(lab: Lab) -> str:
    return reverse("labs:authoring_lab", args=[lab.slug])


# --- creating the lab of a step --------------------------------------------------------


def test_step_without_lab_shows_the_creation_form_with_a_slug_from_its_title(trainer_client, course):
    step = lab_step(course)

    response = trainer_client.get(reverse("labs:authoring_lab_for_step", args=[step.pk]))

    assert response.status_code == 200
    assert 'value="publicite-de-parfum"' in response.content.decode()


def test_posting_the_creation_form_creates_the_lab_and_opens_its_authoring_page(trainer_client, course):
    step = lab_step(course)

    response = trainer_client.post(reverse("labs:authoring_lab_for_step", args=[step.pk]), lab_data())

    lab = Lab.objects.get(step=step)
    assert response.status_code == 302
    assert response["Location"] == authoring_url(lab)
    assert (lab.slug, lab.aspect_ratio, lab.pass_mark, lab.budget_cost_cohort) == (
        "publicite-parfum",
        "9:16",
        65,
        Decimal("50"),
    )


def test_step_with_a_lab_redirects_to_its_authoring_page(trainer_client, lab):
    response = trainer_client.get(reverse("labs:authoring_lab_for_step", args=[lab.step_id]))

    assert response.status_code == 302
    assert response["Location"] == authoring_url(lab)


def test_a_lesson_step_has_no_lab_authoring_page(trainer_client, course):
    step = StepFactory(module=ModuleFactory(course=course), kind=Step.Kind.LESSON)

    assert trainer_client.get(reverse("labs:authoring_lab_for_step", args=[step.pk])).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"pass_mark": "150"}, "pass_mark", "100"),
        ({"duration_s": "30"}, "duration_s", "Durée de 30 s non prise en charge"),
        ({"slug": "formateur"}, "slug", "réservé"),
        ({"backend_alias": "nope"}, "backend_alias", "nope"),
    ],
)
def test_invalid_settings_are_refused_with_the_error_next_to_the_field(
    trainer_client, course, overrides, field, message
):
    step = lab_step(course)

    response = trainer_client.post(reverse("labs:authoring_lab_for_step", args=[step.pk]), lab_data(**overrides))

    assert response.status_code == 400
    assert message in " ".join(str(e) for e in response.context["form"].errors[field])
    assert not Lab.objects.filter(step=step).exists()


@pytest.mark.parametrize("slug", sorted(RESERVED_LAB_SLUGS))
def test_every_reserved_url_segment_is_refused_as_a_lab_slug(trainer_client, course, slug):
    # given a slug the lab URLs use for other pages (a lab there could never be opened)
    step = lab_step(course)
    # when a trainer picks it
    response = trainer_client.post(reverse("labs:authoring_lab_for_step", args=[step.pk]), lab_data(slug=slug))
    # then the form refuses it
    assert response.status_code == 400
    assert "réservé" in " ".join(str(e) for e in response.context["form"].errors["slug"])


def test_the_suggested_slug_steps_around_a_reserved_url_segment(trainer_client, course):
    step = lab_step(course, title="Étape")

    response = trainer_client.get(reverse("labs:authoring_lab_for_step", args=[step.pk]))

    assert 'value="etape-2"' in response.content.decode()


def test_a_slug_already_taken_by_another_lab_is_refused(trainer_client, course, lab):
    step = lab_step(course)

    response = trainer_client.post(reverse("labs:authoring_lab_for_step", args=[step.pk]), lab_data(slug=lab.slug))

    assert response.status_code == 400
    assert "slug" in response.context["form"].errors


# --- settings ------------------------------------------------------------------------------


def test_saving_the_settings_updates_the_lab(trainer_client, lab):
    response = trainer_client.post(authoring_url(lab), lab_data(slug=lab.slug, pass_mark="80", grading="last"))

    lab.refresh_from_db()
    assert response.status_code == 302
    assert (lab.pass_mark, lab.grading) == (80, "last")


def test_the_trainer_links_the_lab_to_one_of_the_courses_lessons_for_refused_prompts(trainer_client, course, lab):
    # given two lessons of the course, and a lesson of another course
    module = ModuleFactory(course=course, title="Éthique")
    chosen = StepFactory(module=module, kind=Step.Kind.LESSON, title="Deepfakes et consentement")
    StepFactory(module=module, kind=Step.Kind.LESSON, title="Droits d'auteur")
    elsewhere = StepFactory(kind=Step.Kind.LESSON, title="Leçon d'un autre cours")
    page = trainer_client.get(authoring_url(lab)).content.decode()
    # the select offers this course's lessons only, named with their module
    assert "Éthique — Deepfakes et consentement" in page
    assert "Leçon d'un autre cours" not in page
    # when the trainer picks one, it is saved
    trainer_client.post(authoring_url(lab), lab_data(slug=lab.slug, ethics_step=str(chosen.pk)))
    lab.refresh_from_db()
    assert lab.ethics_step == chosen
    # and a lesson of another course is refused next to the field
    response = trainer_client.post(authoring_url(lab), lab_data(slug=lab.slug, ethics_step=str(elsewhere.pk)))
    assert response.status_code == 400
    assert "ethics_step" in response.context["form"].errors


def test_the_service_refuses_an_ethics_step_that_is_not_a_lesson_of_the_course(lab):
    from django.core.exceptions import ValidationError

    from labs.services.authoring import lab_update

    quiz = StepFactory(module=lab.step.module, kind=Step.Kind.QUIZ, title="Quiz")
    with pytest.raises(ValidationError) as refused:
        lab_update(lab=lab, ethics_step=quiz)
    assert "ethics_step" in refused.value.message_dict


def test_preview_renders_the_brief_without_saving(trainer_client, lab):
    response = trainer_client.post(
        authoring_url(lab), lab_data(slug=lab.slug, brief="Un **nouveau** brief", _preview="1")
    )

    lab.refresh_from_db()
    assert response.status_code == 200
    assert "<strong>nouveau</strong>" in response.content.decode()
    assert "nouveau" not in lab.brief


def test_page_shows_the_backend_cost_per_generation_and_its_links(trainer_client, lab):
    html = trainer_client.get(authoring_url(lab)).content.decode()

    assert "Coût déclaré par génération" in html
    assert "<strong>0</strong>" in html  # the simulator declares a zero cost
    for name in ("labs:trainer_submissions", "labs:trainer_analytics"):
        assert reverse(name, args=[lab.slug]) in html
    assert reverse("labs:trainer_policy_rules") in html
    assert reverse("labs:lab", args=[lab.slug]) in html


def test_page_warns_when_the_backend_cannot_render_the_lab_duration(trainer_client, lab):
    # given a lab saved before the backend's limits were known
    Lab.objects.filter(pk=lab.pk).update(duration_s=Decimal("30"))

    html = trainer_client.get(authoring_url(lab)).content.decode()

    assert "Ce moteur ne peut pas produire cette vidéo" in html
    assert "Durée de 30 s non prise en charge" in html


# --- rubric ---------------------------------------------------------------------------------


def add_url(lab: Lab) -> str:
    return reverse("labs:authoring_criterion_add", args=[lab.slug])


def criterion_data(**fields) -> dict:
    data = {"kind": "anatomy", "element": "", "video_check": "", "colour": "", "label": "", "terms": "", "weight": "10"}
    data.update(fields)
    return {f"new-{name}": value for name, value in data.items()}


def test_adding_an_anatomy_criterion_appends_it_to_the_rubric(trainer_client, lab):
    CriterionFactory(lab=lab, position=0)

    response = trainer_client.post(add_url(lab), criterion_data(element="lighting", weight="20"))

    assert response.status_code == 302
    added = lab.criteria.last()
    assert (added.kind, added.element, added.weight, added.position) == ("anatomy", "lighting", 20, 1)


def test_must_mention_terms_are_split_on_lines_and_commas(trainer_client, lab):
    data = criterion_data(kind="must_mention", label="Le produit", terms="parfum, flacon\nperfume\nbottle, parfum")

    trainer_client.post(add_url(lab), data)

    assert lab.criteria.get().terms == ["parfum", "flacon", "perfume", "bottle"]


def test_colour_check_keeps_its_colour_and_drops_unused_fields(trainer_client, lab):
    data = criterion_data(kind="video", video_check="colour_present", colour="amber", element="subject", terms="x")

    trainer_client.post(add_url(lab), data)

    criterion = lab.criteria.get()
    assert (criterion.video_check, criterion.params, criterion.element, criterion.terms) == (
        "colour_present",
        {"colour": "amber"},
        "",
        [],
    )


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"kind": "anatomy"}, "element"),
        ({"kind": "must_mention", "label": "Produit"}, "terms"),
        ({"kind": "must_not_mention", "terms": "logo"}, "label"),
        ({"kind": "video"}, "video_check"),
        ({"kind": "video", "video_check": "colour_present"}, "colour"),
        ({"kind": "policy", "weight": "0"}, "weight"),
    ],
)
def test_incomplete_criterion_is_refused_in_place(trainer_client, lab, fields, error_field):
    response = trainer_client.post(add_url(lab), criterion_data(**fields))

    assert response.status_code == 400
    assert error_field in response.context["criterion_form"].errors
    assert not lab.criteria.exists()


def test_rubric_table_shows_total_weight_and_each_share(trainer_client, lab):
    CriterionFactory(lab=lab, element="subject", weight=30, position=0)
    CriterionFactory(lab=lab, element="lighting", weight=10, hidden=True, position=1)

    response = trainer_client.get(authoring_url(lab))

    rows = response.context["criterion_rows"]
    assert [row["share"] for row in rows] == [75, 25]
    assert response.context["total_weight"] == 40
    assert "caché" in response.content.decode()


def test_editing_a_criterion_saves_it(trainer_client, lab):
    criterion = CriterionFactory(lab=lab, element="subject")
    prefix = f"criterion-{criterion.pk}-"
    data = {
        f"{prefix}kind": "anatomy",
        f"{prefix}element": "camera_movement",
        f"{prefix}weight": "25",
        f"{prefix}hidden": "on",
    }

    response = trainer_client.post(reverse("labs:authoring_criterion_edit", args=[criterion.pk]), data)

    criterion.refresh_from_db()
    assert response.status_code == 302
    assert (criterion.element, criterion.weight, criterion.hidden) == ("camera_movement", 25, True)


def test_moving_a_criterion_swaps_it_with_its_neighbour(trainer_client, lab):
    first, second, third = (CriterionFactory(lab=lab, position=i) for i in range(3))

    trainer_client.post(reverse("labs:authoring_criterion_move", args=[third.pk, "up"]))

    assert list(lab.criteria.values_list("pk", flat=True)) == [first.pk, third.pk, second.pk]


def test_deleting_a_criterion_renumbers_the_others(trainer_client, lab):
    first, second, third = (CriterionFactory(lab=lab, position=i) for i in range(3))

    trainer_client.post(reverse("labs:authoring_criterion_delete", args=[second.pk]))

    assert list(lab.criteria.values_list("pk", "position")) == [(first.pk, 0), (third.pk, 1)]


def test_criterion_of_another_trainers_lab_cannot_be_deleted(client, lab):
    criterion = CriterionFactory(lab=lab)
    client.force_login(CourseFactory().owner)

    assert client.post(reverse("labs:authoring_criterion_delete", args=[criterion.pk])).status_code == 404
    assert Criterion.objects.filter(pk=criterion.pk).exists()


# --- trying the rubric ----------------------------------------------------------------------


def test_trying_the_rubric_with_htmx_returns_only_the_scores(trainer_client, lab):
    CriterionFactory(lab=lab, element="subject", weight=10, position=0)
    CriterionFactory(lab=lab, element="audio", label="Son", weight=10, position=1)

    response = trainer_client.post(
        reverse("labs:authoring_rubric_try", args=[lab.slug]), {"prompt": PROMPT}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert "<html" not in html
    assert 'id="rubric-try-result"' in html
    # subject found with details (1.0), no audio (0): half the prompt-side score
    assert "Côté prompt : 50 / 100" in html
    assert "Son" in html


def test_trying_the_rubric_without_javascript_returns_the_whole_page(trainer_client, lab):
    CriterionFactory(lab=lab, kind="video", element="", video_check="motion_present", position=0)

    response = trainer_client.post(reverse("labs:authoring_rubric_try", args=[lab.slug]), {"prompt": PROMPT})

    html = response.content.decode()
    assert "<html" in html
    assert "non analysé" in html
    assert "Mouvement visible" in html  # the check is named, not shown as its key
    assert response.context["try_result"].prompt_score is None
