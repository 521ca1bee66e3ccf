"""A trainer's journey in a real browser: author a course with a lesson, a quiz and a lab, publish it, override a grade."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TRAINER_PASSWORD = "Formatrice-Rabat-2026"  # noqa: S105 (a test account)
LEARNER_PASSWORD = "Apprenant-Fes-2026"  # noqa: S105 (a test account)


@pytest.fixture
def people(transactional_db):
    from academy.models import User
    from tests.factories import UserFactory

    trainer = UserFactory(email="salma@example.ma", first_name="Salma", last_name="Idrissi", role=User.Role.TRAINER)
    trainer.set_password(TRAINER_PASSWORD)
    trainer.save()
    learner = UserFactory(email="karim@example.ma", first_name="Karim", last_name="Alaoui", role=User.Role.LEARNER)
    learner.set_password(LEARNER_PASSWORD)
    learner.save()
    return trainer, learner


def test_trainer_authors_publishes_a_course_and_overrides_a_grade(page, people, screenshot):
    from courses.models import Course, Step
    from courses.services.learning import enrol
    from labs.models import Criterion, Lab
    from tests.labs.factories import SubmissionFactory, criterion_item, graded_result

    trainer, learner = people
    log_in(page, trainer.email, TRAINER_PASSWORD)

    # when: the trainer creates a course
    page.goto("/cours/formateur/")
    screenshot(page, "authoring-home")
    page.goto("/cours/formateur/nouveau/")
    page.locator("#id_title").fill("Storyboard vidéo pour l'e-commerce")
    page.locator("#id_summary").fill("Préparer un storyboard avant de générer.")
    page.locator("#id_description").fill("Un cours court sur le **storyboard**.")
    page.locator("#id_duration_hours").fill("2")
    page.locator("main form button[type=submit]:not([name=_preview])").first.click()
    expect(page.get_by_text("Cours créé.")).to_be_visible()
    course = Course.objects.get(title="Storyboard vidéo pour l'e-commerce")
    expect(page).to_have_url(re.compile(rf"/cours/formateur/cours/{course.slug}/programme/$"))

    # and a module
    page.locator("#id_title").fill("Préparer le tournage")
    page.get_by_role("button", name="Ajouter le module").click()
    expect(page.get_by_role("heading", name="Module 1 · Préparer le tournage")).to_be_visible()
    module = course.modules.get()

    # and a lesson in it
    page.get_by_role("link", name="une leçon").click()
    page.locator("#id_title").fill("Le storyboard en six cases")
    page.get_by_role("button", name="Créer l'étape").click()
    page.locator("#id_body").fill("## Six cases\n\nUne case par plan : sujet, action, cadrage.")
    page.get_by_role("button", name="Enregistrer la leçon").click()
    expect(page.locator("#messages")).to_contain_text("enregistr")
    screenshot(page, "lesson-editor")

    # and a question in the bank, then a quiz drawing it
    page.goto(f"/cours/formateur/cours/{course.slug}/questions/nouvelle/")
    page.locator("#id_text").fill("Combien de mouvements de caméra par plan ?")
    page.locator("#id_choices-0-text").fill("Un seul")
    page.locator("#id_choices-0-correct").check()
    page.locator("#id_choices-1-text").fill("Autant que possible")
    page.get_by_role("button", name="Enregistrer la question").click()
    expect(page).to_have_url(re.compile(rf"/cours/formateur/cours/{course.slug}/questions/$"))
    question = course.questions.get()
    page.goto(f"/cours/formateur/cours/{course.slug}/programme/")
    page.get_by_role("link", name="un quiz").click()
    page.locator("#id_title").fill("Quiz : le storyboard")
    page.get_by_role("button", name="Créer l'étape").click()
    page.locator(f"input[name=questions][value='{question.pk}']").check()
    page.get_by_role("button", name="Enregistrer le quiz").click()
    expect(page.locator("#messages")).to_contain_text("enregistr")
    quiz_step = Step.objects.get(module=module, kind=Step.Kind.QUIZ)
    assert list(quiz_step.quiz.questions.all()) == [question]

    # and a lab, configured in the lab authoring form with a rubric criterion
    page.goto(f"/cours/formateur/cours/{course.slug}/programme/")
    page.get_by_role("link", name="un labo").click()
    page.locator("#id_title").fill("Labo : le premier plan")
    page.get_by_role("button", name="Créer l'étape").click()
    page.locator("#id_brief").fill("Décrivez le **premier plan** du storyboard : un flacon d'huile d'argan.")
    page.locator("#id_duration_s").fill("2")
    page.get_by_role("button", name="Créer le labo").click()
    lab = Lab.objects.get(step__module=module)
    expect(page).to_have_url(re.compile(rf"/labos/formateur/labos/{lab.slug}/$"))
    page.get_by_text("Ajouter un critère").click()
    page.locator("#id_new-kind").select_option("anatomy")
    page.locator("#id_new-element").select_option("subject")
    page.locator("#id_new-weight").fill("40")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    expect(page.locator("#rubric")).to_contain_text("40")
    assert Criterion.objects.filter(lab=lab, kind="anatomy", element="subject", weight=40).exists()
    screenshot(page, "lab-authoring")

    # and publishes the course
    page.goto(f"/cours/formateur/cours/{course.slug}/programme/")
    screenshot(page, "outline")
    page.get_by_role("button", name="Publier le cours").click()
    expect(page.get_by_text("Le cours est publié.")).to_be_visible()
    course.refresh_from_db()
    assert course.is_published

    # given: a learner's graded attempt at the lab
    enrol(user=learner, course=course)
    criterion = lab.criteria.get()
    submission = SubmissionFactory(
        lab=lab,
        learner=learner,
        graded=True,
        score=40,
        passed=False,
        result=graded_result(
            score=40, passed=False, items=[criterion_item(criterion, score=0.4, feedback="Sujet flou.")]
        ),
    )

    # when: the trainer overrides the grade from the lab's attempts
    page.goto(f"/labos/formateur/labos/{lab.slug}/tentatives/")
    screenshot(page, "submissions")
    page.locator(f"a[href='/labos/formateur/tentatives/{submission.pk}/']").first.click()
    page.get_by_label("Note corrigée (sur 100)").fill("85")
    page.get_by_label("Commentaire pour l'apprenant").fill("Le flacon est bien décrit : la grille l'a mal lu.")
    page.get_by_role("button", name="Enregistrer la correction").click()
    expect(page.locator("main")).to_contain_text("Note corrigée à 85 (au lieu de 40)")
    screenshot(page, "override")
    submission.refresh_from_db()
    assert (submission.override_score, submission.override_by_id) == (85, trainer.pk)

    # then the learner sees the corrected grade and the comment
    page.context.clear_cookies()
    log_in(page, learner.email, LEARNER_PASSWORD)
    page.goto(f"/labos/tentatives/{submission.pk}/")
    override = page.locator(".override")
    expect(override).to_contain_text("Note corrigée : 85/100 (note automatique : 40/100)")
    expect(override).to_contain_text("Le flacon est bien décrit : la grille l'a mal lu.")
    expect(page.locator(".score")).to_contain_text("85")
    screenshot(page, "learner-sees-override")
