"""Training the eye, in Chromium: two learners of the demo course share graded attempts and review each
other (rubric, timeline marks, a suggestion), the author rates a review, and a learner of another course
cannot reach any of it.

The attempts are graded by the real pipeline (simulator render, analysis, rubric) before the journey, so
the videos, posters and their durations are real; everything else happens through the pages.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    DEMO_PASSWORD,
    PRODUCT_LAB,
    blocking_violations,
    graded_submission,
    log_in,
    seed_demo,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}


def _new_page(browser, live_server, **options) -> Page:
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport=options.get("viewport", {"width": 1280, "height": 900})
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def _share_from_the_attempt_page(page: Page, attempt) -> None:
    page.goto(attempt.get_absolute_url())
    section = page.locator("#section-gallery")
    section.scroll_into_view_if_needed()
    expect(section.get_by_role("button", name="Partager dans la galerie")).to_be_visible()
    section.get_by_role("button", name="Partager dans la galerie").click()
    expect(page.locator("#messages .flash-success")).to_contain_text("Votre essai est dans la galerie de la promotion.")


def _review(page: Page, *, levels: list[int], mark_note: str, suggestion: str, mark_with_keyboard: bool) -> None:
    """Fill the review form: a level and a comment per criterion, one timeline mark, one suggestion."""
    for index, fieldset in enumerate(page.locator("fieldset.rubric-criterion").all()):
        fieldset.locator(f"label.scale-level:has(input[value='{levels[index % len(levels)]}'])").click()
        fieldset.locator("textarea").fill(f"Critère {index + 1} : ce que j'ai vu, et pourquoi ce niveau.")
    if mark_with_keyboard:
        # pause on 1 s, then « Marquer ce moment » with the keyboard: the note field gets the focus
        page.wait_for_function("() => document.querySelector('#review-video').readyState >= 1")
        page.evaluate("() => { const v = document.querySelector('#review-video'); v.currentTime = 1.0; }")
        page.wait_for_function("() => Math.abs(document.querySelector('#review-video').currentTime - 1.0) < 0.05")
        button = page.get_by_role("button", name="Marquer ce moment")
        button.focus()
        page.keyboard.press("Enter")
        expect(page.locator("#mark-at-1")).to_have_value("0:01")
        expect(page.locator("#mark-note-1")).to_be_focused()
        page.keyboard.type(mark_note)
    else:
        page.locator("#mark-at-1").fill("0:02")
        page.locator("#mark-note-1").fill(mark_note)
    page.get_by_label("Une modification du prompt que vous proposez").fill(suggestion)
    page.get_by_role("button", name="Envoyer ma relecture").click()
    expect(page.locator("#messages .flash-success")).to_contain_text("votre relecture est envoyée")


def test_two_learners_review_each_other_and_a_learner_of_another_course_sees_nothing(
    page, browser, live_server, tmp_path, screenshot
):
    from academy.models import User
    from community.models import GalleryItem, Review, ReviewAssignment
    from courses.api import enrol
    from labs.models import Lab

    # given: the demo course; the trainer's grid comes from the page; two learners with a graded attempt
    seed_demo()
    lab = Lab.objects.select_related("step__module__course").get(slug=PRODUCT_LAB)
    youssef = User.objects.get(email="apprenant@demo.academy")
    ines = User.objects.create_user(
        email="ines@demo.academy", password=DEMO_PASSWORD, first_name="Inès", last_name="Alaoui"
    )
    enrol(user=ines, course=lab.course)
    attempts = {
        youssef.pk: graded_submission(learner=youssef, lab=lab, prompt=lab.reference_prompt.strip(), workdir=tmp_path),
        ines.pk: graded_submission(
            learner=ines,
            lab=lab,
            prompt="Plan large d'un sérum en flacon ambré sur une étagère en bois, lumière naturelle douce.",
            workdir=tmp_path / "ines",
        ),
    }

    # the demo lab has its grid (five criteria); the trainer asks for one review per attempt
    log_in(page, "formatrice@demo.academy")
    page.goto(f"/communaute/formateur/labos/{PRODUCT_LAB}/relecture/")
    expect(page.locator("#rubric table tbody tr")).to_have_count(5)
    page.get_by_label("relectures par essai").fill("1")
    page.get_by_role("button", name="Enregistrer les réglages").click()
    expect(page.locator("#messages .flash-success")).to_contain_text("Réglages de relecture enregistrés.")
    screenshot(page, "trainer-review-setup")

    # when Youssef shares his attempt and asks for reviews (no peer yet: it waits)
    page = _new_page(browser, live_server)
    log_in(page, youssef.email)
    _share_from_the_attempt_page(page, attempts[youssef.pk])
    page.get_by_role("button", name="Demander 1 relecture").click()
    expect(page.locator("#messages .flash-info")).to_contain_text("personne n'est encore disponible")

    # and Inès shares hers: she becomes his reviewer; she asks too, and he becomes hers
    ines_page = _new_page(browser, live_server)
    log_in(ines_page, ines.email)
    _share_from_the_attempt_page(ines_page, attempts[ines.pk])
    ines_page.get_by_role("button", name="Demander 1 relecture").click()
    expect(ines_page.locator("#messages .flash-success")).to_contain_text("vos relecteurs ont été prévenus")
    assert set(ReviewAssignment.objects.values_list("author_id", "reviewer_id")) == {
        (youssef.pk, ines.pk),
        (ines.pk, youssef.pk),
    }

    # the gallery shows both cards with poster, prompt and score
    ines_page.goto(f"/communaute/cours/{lab.course.slug}/galerie/")
    cards = ines_page.locator(".gallery-card")
    expect(cards).to_have_count(2)
    ines_page.wait_for_function(
        "() => [...document.querySelectorAll('.gallery-card img')].every(i => i.complete && i.naturalWidth > 0)"
    )
    expect(ines_page.locator(".gallery-grid")).to_contain_text(attempts[youssef.pk].prompt[:40])
    assert blocking_violations(ines_page, "gallery") == []
    screenshot(ines_page, "gallery")

    # Inès reviews Youssef: rubric, a timeline mark placed with the keyboard, one suggestion
    ines_page.goto("/communaute/relectures/")
    ines_page.get_by_role("link", name="l'essai de Youssef Amrani").click()
    assert blocking_violations(ines_page, "review form") == []
    _review(
        ines_page,
        levels=[3, 4, 2],
        mark_note="Le flacon se déforme ici",
        suggestion="Ajoutez « reflets dorés sur le verre » après le sujet.",
        mark_with_keyboard=True,
    )
    screenshot(ines_page, "review-handed-in")

    # Youssef reviews Inès, typing the moment by hand
    page.goto("/communaute/relectures/")
    page.get_by_role("link", name="l'essai de Inès Alaoui").click()
    _review(
        page,
        levels=[2, 3],
        mark_note="Coupure de lumière",
        suggestion="Précisez « travelling avant lent ».",
        mark_with_keyboard=False,
    )

    # then Youssef is notified (count in the header) and opens the review from the notification
    item = GalleryItem.objects.get(author=youssef)
    page.goto("/notifications/")
    expect(page.locator(".notifications-link .count-badge")).to_be_visible()
    page.get_by_role("button", name=re.compile("1 nouvelle relecture de votre essai")).click()
    expect(page).to_have_url(re.compile(rf"{item.get_absolute_url()}#review-\d+$"))
    # he reads it: anonymous, the mark seeks the video; he rates it
    review = page.locator("article.review")
    expect(review).to_contain_text("Ajoutez « reflets dorés sur le verre » après le sujet.")
    expect(review).not_to_contain_text("Inès")
    page.wait_for_function("() => document.querySelector('#item-video').readyState >= 1")
    review.get_by_role("button", name="Aller à 0:01 dans la vidéo").click()
    page.wait_for_function("() => Math.abs(document.querySelector('#item-video').currentTime - 1.0) < 0.05")
    expect(page.locator("#item-video")).to_be_focused()
    review.get_by_label("5 — énormément").check()
    review.get_by_label("Un mot au relecteur (facultatif)").fill("Merci, je corrige le verre.")
    review.get_by_role("button", name="Envoyer mon avis").click()
    expect(review.locator(".rating")).to_contain_text("Utilité selon l'auteur : 5/5")
    assert Review.objects.get(assignment__author=youssef).usefulness == 5
    assert blocking_violations(page, "shared attempt with its review") == []
    screenshot(page, "author-rated-the-review")

    # and on a phone the review page fits the screen
    phone = _new_page(browser, live_server, viewport=PHONE)
    log_in(phone, youssef.email)
    phone.goto(item.get_absolute_url())
    wide = phone.evaluate(
        "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391)"
        ".slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"
    )
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"], wide
    screenshot(phone, "phone-shared-attempt")

    # and Emma, a learner of the English course, reaches none of it
    emma = _new_page(browser, live_server)
    log_in(emma, "learner@demo.academy")
    assignment = ReviewAssignment.objects.get(reviewer=ines)
    for url in (
        f"/communaute/cours/{lab.course.slug}/galerie/",
        item.get_absolute_url(),
        f"/communaute/galerie/{item.pk}/poster/",
        f"/communaute/galerie/{item.pk}/video/",
        f"/communaute/relectures/{assignment.pk}/",
        f"/communaute/labos/etape/{lab.step_id}/",
        f"/communaute/discussion/etape/{lab.step_id}/",
    ):
        response = emma.goto(url)
        assert response.status == 404, url
    emma.goto("/communaute/")
    expect(emma.locator("main")).not_to_contain_text(lab.course.title)
    expect(emma.locator("main")).not_to_contain_text("Youssef")


def test_a_lesson_discussion_sanitises_messages_rate_limits_them_and_trainers_mark_answers(
    page, browser, live_server, settings, screenshot
):
    from community.models import Post
    from courses.models import Step
    from labs.models import Lab

    # given the demo course, two messages a minute per person
    seed_demo()
    settings.COMMUNITY_POST_RATE = (2, 60)
    course = Lab.objects.select_related("step__module__course").get(slug=PRODUCT_LAB).course
    lesson = (
        Step.objects.filter(module__course=course, kind=Step.Kind.LESSON)
        .order_by("module__position", "position")
        .first()
    )

    # when the learner opens the lesson: the discussion loads when it scrolls into view
    log_in(page, "apprenant@demo.academy")
    page.goto(lesson.get_absolute_url())
    section = page.locator("#section-discussion")
    section.scroll_into_view_if_needed()
    form = section.locator("form.new-post")
    expect(form).to_be_visible()
    # and posts Markdown with a script and a mention of the trainer (htmx swaps the discussion in place)
    form.get_by_label("Votre message").fill("Comment écrire un **travelling** ? <script>alert(1)</script>")
    form.get_by_label("@Salma El Idrissi").check()
    form.get_by_role("button", name="Publier").click()
    post = section.locator("article.post").first
    expect(post.locator("strong", has_text="travelling")).to_be_visible()
    expect(post).to_contain_text("@Salma El Idrissi")
    assert page.evaluate("() => document.querySelectorAll('#discussion script').length") == 0
    assert page.url.endswith(lesson.get_absolute_url())  # still on the lesson
    # then a third message within the minute is refused, and its text stays in the form
    form = section.locator("form.new-post")
    form.get_by_label("Votre message").fill("Deuxième message")
    form.get_by_role("button", name="Publier").click()
    expect(section.locator("article.post")).to_have_count(2)
    form = section.locator("form.new-post")
    form.get_by_label("Votre message").fill("Troisième, trop tôt")
    form.get_by_role("button", name="Publier").click()
    expect(section.locator("form.new-post .error")).to_contain_text("attendez")
    expect(section.locator("form.new-post textarea")).to_have_value("Troisième, trop tôt")
    assert Post.objects.count() == 2
    assert blocking_violations(page, "lesson with its discussion") == []
    screenshot(page, "lesson-discussion-rate-limited")

    # and the trainer marks the question answered; the learner sees it
    trainer = _new_page(browser, live_server)
    log_in(trainer, "formatrice@demo.academy")
    trainer.goto(f"/communaute/discussion/etape/{lesson.pk}/")
    question = trainer.locator("article.post", has_text="travelling")
    question.get_by_role("button", name="Marquer comme répondu").click()
    expect(trainer.locator("article.post", has_text="travelling").locator(".badge-ok")).to_have_text("Répondu")
    page.goto(f"/communaute/discussion/etape/{lesson.pk}/")
    expect(page.locator("article.post", has_text="travelling")).to_contain_text("Répondu")
    screenshot(page, "discussion-answered")
