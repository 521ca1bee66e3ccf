"""axe-core on every main page, as each role sees it: no serious or critical violation."""

from __future__ import annotations

import pytest

from tests.browser.helpers import FRENCH_COURSE, PRODUCT_LAB, blocking_violations, graded_submission, log_in, seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _audit(page, pages: list[tuple[str, str]]) -> list[str]:
    problems: list[str] = []
    for label, url in pages:
        response = page.goto(url)
        assert response is not None and response.ok, f"{label}: {url} answered {response and response.status}"
        problems += blocking_violations(page, label)
    return problems


def _report(problems: list[str]) -> str:
    return "serious or critical accessibility violations:\n" + "\n".join(problems)


def test_public_and_learner_pages_have_no_serious_violations(page, tmp_path):
    from academy.models import User
    from courses.models import Certificate, Course, Step
    from courses.services.learning import step_complete
    from labs.models import Lab

    # given: the demo course, a graded attempt and a certificate for the demo learner
    seed_demo()
    learner = User.objects.get(email="apprenant@demo.academy")
    course = Course.objects.get(slug=FRENCH_COURSE)
    lab = Lab.objects.get(slug=PRODUCT_LAB)
    steps = Step.objects.filter(module__course=course).order_by("module__position", "position")
    lesson = steps.filter(kind=Step.Kind.LESSON).first()
    quiz = steps.filter(kind=Step.Kind.QUIZ).first()
    submission = graded_submission(learner=learner, lab=lab, prompt=lab.reference_prompt.strip(), workdir=tmp_path)
    for step in steps.filter(required=True):
        step_complete(user=learner, step=step)
    certificate = Certificate.objects.get(user=learner, course=course)

    # when: a visitor, then the learner, opens the main pages
    problems = _audit(
        page,
        [
            ("home", "/"),
            ("login", "/compte/connexion/"),
            ("signup", "/compte/inscription/"),
            ("signup sent", "/compte/inscription/envoye/"),
            ("catalogue", "/cours/catalogue/"),
            ("course page (visitor)", course.get_absolute_url()),
            ("certificate verification", certificate.get_verify_url()),
        ],
    )
    assert page.goto("/compte/inscription/confirmer/expired-token/").status == 400
    problems += blocking_violations(page, "signup link no longer valid")
    page.goto("/compte/inscription/")
    page.get_by_role("button", name="Créer mon compte").click()
    page.locator(".field-error").first.wait_for()
    problems += blocking_violations(page, "signup with errors")
    log_in(page, learner.email)
    problems += _audit(
        page,
        [
            ("dashboard", "/cours/mes-cours/"),
            ("course page (enrolled)", course.get_absolute_url()),
            ("lesson", lesson.get_absolute_url()),
            ("quiz", quiz.get_absolute_url()),
            ("graded attempt", submission.get_absolute_url()),
            ("lab", lab.get_absolute_url()),
        ],
    )
    # (the lab page once the coach has highlighted a prompt)
    page.locator("#id_prompt").fill(lab.reference_prompt.strip())
    page.locator("#coach .prompt-view").wait_for()
    problems += blocking_violations(page, "lab with coach")

    # then
    assert not problems, _report(problems)


def test_trainer_pages_have_no_serious_violations(page, tmp_path):
    from academy.models import User
    from courses.models import Course, Step
    from labs.models import Lab

    # given: the demo course and a graded attempt to review
    seed_demo()
    course = Course.objects.get(slug=FRENCH_COURSE)
    lab = Lab.objects.get(slug=PRODUCT_LAB)
    lesson = Step.objects.filter(module__course=course, kind=Step.Kind.LESSON).first()
    quiz = Step.objects.filter(module__course=course, kind=Step.Kind.QUIZ).first()
    learner = User.objects.get(email="apprenant@demo.academy")
    submission = graded_submission(learner=learner, lab=lab, prompt=lab.reference_prompt.strip(), workdir=tmp_path)

    # when: the demo trainer opens the authoring pages
    log_in(page, "formatrice@demo.academy")
    problems = _audit(
        page,
        [
            ("trainer dashboard", "/labos/formateur/"),
            ("authoring home", "/cours/formateur/"),
            ("new course", "/cours/formateur/nouveau/"),
            ("course settings", f"/cours/formateur/cours/{course.slug}/"),
            ("outline", f"/cours/formateur/cours/{course.slug}/programme/"),
            ("question bank", f"/cours/formateur/cours/{course.slug}/questions/"),
            ("lesson editor", f"/cours/formateur/etapes/{lesson.pk}/lecon/"),
            ("quiz editor", f"/cours/formateur/etapes/{quiz.pk}/quiz/"),
            ("lab authoring", f"/labos/formateur/labos/{lab.slug}/"),
            ("lab submissions", f"/labos/formateur/labos/{lab.slug}/tentatives/"),
            ("submission review", f"/labos/formateur/tentatives/{submission.pk}/"),
        ],
    )

    # then
    assert not problems, _report(problems)


def test_funding_pages_have_no_serious_violations(page):
    from academy.models import User
    from courses.models import Course
    from tests.funding.factories import CompanyFactory, ParticipantFactory, TrainingActionFactory

    # given: an OFPPT action of the demo course with two participants
    seed_demo()
    course = Course.objects.get(slug=FRENCH_COURSE)
    action = TrainingActionFactory(course=course, company=CompanyFactory(legal_name="Atlas Argan Cosmétiques SARL"))
    for email in ("apprenant@demo.academy", "learner@demo.academy"):
        ParticipantFactory(action=action, learner=User.objects.get(email=email))

    # when: the demo admin opens the funding pages
    log_in(page, "admin@demo.academy")
    problems = _audit(
        page,
        [
            ("funding dashboard", "/financement/"),
            ("companies", "/financement/entreprises/"),
            ("new company", "/financement/entreprises/nouvelle/"),
            ("actions", "/financement/actions/"),
            ("new action", "/financement/actions/nouvelle/"),
            ("action", f"/financement/actions/{action.pk}/"),
            ("action days", f"/financement/actions/{action.pk}/journees/"),
            ("attendance grid", f"/financement/actions/{action.pk}/presences/"),
            ("dossier", f"/financement/actions/{action.pk}/dossier/"),
            ("add participant", f"/financement/actions/{action.pk}/participants/ajouter/"),
            ("exports", "/financement/exports/"),
        ],
    )

    # then
    assert not problems, _report(problems)
