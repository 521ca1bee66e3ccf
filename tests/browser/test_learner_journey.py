"""A learner's journey in a real browser: sign up, enrol, learn, practise in a lab, get the certificate."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    FRENCH_COURSE,
    PRODUCT_LAB,
    answer_quiz_correctly,
    confirmation_link,
    play_video,
    seed_demo,
    video_duration,
    wait_until_graded,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_learner_signs_up_learns_practises_and_downloads_the_certificate(page, celery_worker, screenshot):
    from academy.models import User
    from courses.models import Certificate, Course, Enrolment, Step, StepProgress
    from courses.services.learning import step_complete
    from labs.models import Lab, Submission

    # given: the demo course, its labs and a worker rendering with the simulator
    seed_demo()
    course = Course.objects.get(slug=FRENCH_COURSE)
    steps = list(Step.objects.filter(module__course=course).order_by("module__position", "position"))
    lesson = next(s for s in steps if s.kind == Step.Kind.LESSON)
    quiz = next(s for s in steps if s.kind == Step.Kind.QUIZ)
    lab = Lab.objects.get(slug=PRODUCT_LAB)

    # when: a visitor signs up through the form
    page.goto("/compte/inscription/")
    screenshot(page, "signup")
    page.locator("#id_first_name").fill("Imane")
    page.locator("#id_last_name").fill("Tazi")
    page.locator("#id_email").fill("imane.tazi@example.ma")
    page.locator("#id_organisation").fill("Riad Dar Zitoun")
    page.locator("#id_password1").fill("Argan-Essaouira-2026")
    page.locator("#id_password2").fill("Argan-Essaouira-2026")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", name="Vérifiez votre boîte mail")).to_be_visible()
    screenshot(page, "signup-sent")
    # and follows the link the worker mailed to confirm the address
    link = confirmation_link(to="imane.tazi@example.ma")
    page.goto(link)
    screenshot(page, "signup-confirm")
    page.get_by_role("button", name="Activer mon compte").click()
    expect(page.get_by_text("Bienvenue ! Votre compte est créé.")).to_be_visible()
    learner = User.objects.get(email="imane.tazi@example.ma")
    screenshot(page, "catalogue-after-signup")

    # and enrols in the French course
    page.goto(course.get_absolute_url())
    page.get_by_role("button", name="S'inscrire à ce cours").click()
    # (enrolling opens the first step)
    expect(page).to_have_url(re.compile(rf"/cours/{FRENCH_COURSE}/etapes/{steps[0].pk}/$"))
    assert Enrolment.objects.filter(user=learner, course=course, status=Enrolment.Status.ACTIVE).exists()
    screenshot(page, "course-enrolled")

    # and reads a lesson, then marks it complete (an htmx swap)
    page.goto(lesson.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(lesson.title)
    page.get_by_role("button", name="Marquer comme terminée").click()
    expect(page.locator("#step-complete")).to_contain_text("Leçon terminée")
    screenshot(page, "lesson-complete")

    # and passes the quiz
    page.goto(quiz.get_absolute_url())
    screenshot(page, "quiz")
    answer_quiz_correctly(page, user=learner, step=quiz)
    expect(page.locator("#result-title")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Score : 100 %")
    screenshot(page, "quiz-passed")

    # and writes a strong prompt in the lab, submits it and waits for the worker's grade
    page.goto(lab.get_absolute_url())
    page.locator("#id_prompt").fill(lab.reference_prompt.strip())
    expect(page.locator("#coach .coach-summary")).not_to_contain_text("0 /")
    screenshot(page, "lab-prompt")
    page.get_by_role("button", name="Générer et noter").click()
    expect(page).to_have_url(re.compile(r"/labos/tentatives/\d+/$"))
    assert Submission.objects.filter(learner=learner, lab=lab).count() == 1
    wait_until_graded(page)
    expect(page.locator(".result-head")).to_contain_text("Réussi")

    # then the generated video plays in the page
    assert video_duration(page, ".lab-video video") > 0
    assert play_video(page, ".lab-video video") > 0
    screenshot(page, "lab-graded-video-playing")

    # and once the other required steps are done, the certificate downloads from the dashboard
    for step in steps:
        if (
            step.required
            and not StepProgress.objects.filter(user=learner, step=step, completed_at__isnull=False).exists()
        ):
            step_complete(user=learner, step=step)
    assert Certificate.objects.filter(user=learner, course=course).exists()
    page.goto("/cours/mes-cours/")
    link = page.get_by_role("link", name="Attestation (PDF)")
    expect(link).to_be_visible()
    screenshot(page, "dashboard-certificate")
    response = page.request.get(link.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
