"""No page shows stale content once a trainer edits a course or a learner completes a step.

Course content (modules, steps, the course page, lesson bodies) and rendered outlines are cached
(courses.content_cache, ``{% cached_outline %}``). Each test first views the page, so that the cache
holds it, then changes something the way a trainer or a learner does, and views the page again:
it fails if an entry outlived the change.
"""

import re

import pytest
from django.urls import reverse

from courses.models import Module, Step
from courses.services import authoring
from courses.services.learning import enrol
from tests.factories import TrainerFactory, UserFactory, build_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return build_course(modules=2, steps_per_module=2, title="Cours d'origine")


@pytest.fixture
def steps(course):
    return list(Step.objects.filter(module__course=course).order_by("module__position", "position"))


@pytest.fixture
def learner(client, course):
    user = UserFactory()
    enrol(user=user, course=course)
    client.force_login(user)
    return user


def _step_url(course, step) -> str:
    return reverse("courses:step", args=[course.slug, step.pk])


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _outline_titles(html: str) -> list[str]:
    outline = html[html.index('id="outline"') :]
    outline = outline[: outline.index("</nav>")]
    return re.findall(r"Étape \d\.\d|Nouvelle étape", outline)


@pytest.mark.parametrize("page", ["course", "lesson", "home"])
def test_a_new_course_title_shows_on_every_learner_page(client, course, steps, learner, page):
    url = {
        "course": course.get_absolute_url(),
        "lesson": _step_url(course, steps[0]),
        "home": reverse("courses:dashboard"),
    }[page]
    assert "Cours d&#x27;origine" in _page(client, url)

    authoring.course_update(course=course, title="Cours renommé")

    html = _page(client, url)
    assert "Cours renommé" in html
    assert "Cours d&#x27;origine" not in html


def test_an_edited_lesson_body_shows_on_the_lesson_page(client, course, steps, learner):
    url = _step_url(course, steps[0])
    assert "Un paragraphe de" in _page(client, url)

    authoring.lesson_update(lesson=steps[0].lesson, body="Le corps **réécrit** de la leçon.")

    html = _page(client, url)
    assert "<strong>réécrit</strong>" in html
    assert "Un paragraphe de" not in html


def test_a_module_moved_up_comes_first_in_the_outline(client, course, learner):
    url = course.get_absolute_url()
    assert _outline_titles(_page(client, url)) == ["Étape 1.1", "Étape 1.2", "Étape 2.1", "Étape 2.2"]

    authoring.module_move(module=Module.objects.get(course=course, title="Module 2"), direction="up")

    assert _outline_titles(_page(client, url)) == ["Étape 2.1", "Étape 2.2", "Étape 1.1", "Étape 1.2"]


def test_steps_reordered_in_one_go_show_in_their_new_order(client, course, steps, learner):
    url = _step_url(course, steps[0])
    assert _outline_titles(_page(client, url)) == ["Étape 1.1", "Étape 1.2", "Étape 2.1", "Étape 2.2"]

    authoring.steps_reorder(module=steps[0].module, step_ids=[steps[1].pk, steps[0].pk])

    assert _outline_titles(_page(client, url)) == ["Étape 1.2", "Étape 1.1", "Étape 2.1", "Étape 2.2"]


def test_an_added_step_shows_in_the_outline(client, course, steps, learner):
    url = course.get_absolute_url()
    assert "Nouvelle étape" not in _page(client, url)

    authoring.step_create(module=steps[0].module, kind=Step.Kind.LESSON, title="Nouvelle étape")

    assert _outline_titles(_page(client, url)) == ["Étape 1.1", "Étape 1.2", "Nouvelle étape", "Étape 2.1", "Étape 2.2"]


def test_a_removed_step_leaves_the_outline_and_its_page(client, course, steps, learner):
    removed_url = _step_url(course, steps[1])
    _page(client, removed_url)
    _page(client, course.get_absolute_url())

    authoring.step_delete(step=steps[1])

    assert _outline_titles(_page(client, course.get_absolute_url())) == ["Étape 1.1", "Étape 2.1", "Étape 2.2"]
    assert client.get(removed_url).status_code == 404


def test_a_renamed_step_shows_under_its_new_title_in_the_outline(client, course, steps, learner):
    url = _step_url(course, steps[0])
    _page(client, url)

    authoring.step_update(step=steps[2], title="Étape 9.9", minutes=5, required=True)

    assert _outline_titles(_page(client, url)) == ["Étape 1.1", "Étape 1.2", "Étape 9.9", "Étape 2.2"]


def test_a_new_co_trainer_is_named_on_the_course_page(client, course, learner):
    colleague = TrainerFactory(first_name="Nadia", last_name="Alaoui")
    assert "Nadia Alaoui" not in _page(client, course.get_absolute_url())

    authoring.cotrainer_add(course=course, email=colleague.email)

    assert "Nadia Alaoui" in _page(client, course.get_absolute_url())


def test_new_tags_show_on_the_course_page(client, course, learner):
    assert "Tournage" not in _page(client, course.get_absolute_url())

    authoring.course_update(course=course, tag_names=["Tournage"])

    assert "Tournage" in _page(client, course.get_absolute_url())


def _badges(html: str) -> int:
    outline = html[html.index('id="outline"') :]
    return outline[: outline.index("</nav>")].count("badge-ok")


@pytest.mark.parametrize("page", ["course", "lesson"])
def test_a_completed_step_shows_as_done_at_once(client, course, steps, learner, page):
    url = course.get_absolute_url() if page == "course" else _step_url(course, steps[1])
    assert _badges(_page(client, url)) == 0

    response = client.post(reverse("courses:step_complete", args=[course.slug, steps[0].pk]))
    assert response.status_code == 302

    html = _page(client, url)
    assert _badges(html) == 1
    assert "Étapes terminées\xa0: 1 sur 4" in html  # French typography: a no-break space before the colon


def test_a_learner_sees_their_own_progress_not_one_cached_for_another(client, course, steps, learner):
    other = UserFactory()
    enrol(user=other, course=course)
    client.force_login(other)
    client.post(reverse("courses:step_complete", args=[course.slug, steps[0].pk]))
    assert _badges(_page(client, course.get_absolute_url())) == 1

    client.force_login(learner)

    assert _badges(_page(client, course.get_absolute_url())) == 0


def test_the_outline_is_shown_in_the_language_of_the_page(client, course, steps, learner):
    client.post(reverse("courses:step_complete", args=[course.slug, steps[0].pk]))
    assert "Terminé" in _page(client, course.get_absolute_url())

    client.cookies["django_language"] = "en"

    html = _page(client, course.get_absolute_url())
    outline = html[html.index('id="outline"') :]
    assert "Finished" in outline[: outline.index("</nav>")]


def test_the_catalogue_shows_a_renamed_course_under_its_new_title(client, course, learner):
    url = reverse("courses:catalogue")
    assert "Cours d&#x27;origine" in _page(client, url)

    authoring.course_update(course=course, title="Cours renommé")

    html = _page(client, url)
    assert "Cours renommé" in html
    assert "Cours d&#x27;origine" not in html


def test_the_catalogue_drops_an_unpublished_course_and_its_count(client, course, learner):
    url = reverse("courses:catalogue")
    assert "1 cours" in _page(client, url)

    authoring.course_unpublish(course=course)

    html = _page(client, url)
    assert "Cours d&#x27;origine" not in html
    assert "0 cours" in html


# --- copies kept by each process (courses.content_cache.ProcessCache, outlines, fragments) ------------


def test_an_edit_made_by_another_process_shows_at_once(client, course, steps, learner):
    """Another web process's edit reaches this one only through the shared version: no stale local copy."""
    from django.core.cache import cache

    from courses import content_cache
    from courses.models import Course

    url = course.get_absolute_url()
    assert "Cours d&#x27;origine" in _page(client, url)
    assert "Cours d&#x27;origine" in _page(client, reverse("courses:dashboard"))
    # What another process does: write the row and bump the shared version, with no signal here.
    Course.objects.filter(pk=course.pk).update(title="Renommé ailleurs")
    cache.incr(content_cache.VERSION_KEY)

    assert "Renommé ailleurs" in _page(client, url)
    assert "Renommé ailleurs" in _page(client, reverse("courses:dashboard"))
    assert "Renommé ailleurs" in _page(client, reverse("courses:catalogue"))


def test_the_dashboard_card_follows_the_learners_progress(client, course, steps, learner):
    url = reverse("courses:dashboard")
    assert "Commencer" in _page(client, url)

    client.post(reverse("courses:step_complete", args=[course.slug, steps[0].pk]))

    html = _page(client, url)
    assert "Reprendre" in html
    assert "Prochaine étape\xa0: Étape 1.2" in html


def test_the_layout_shows_each_role_its_own_links(client, course, learner):
    learner_html = _page(client, reverse("courses:catalogue"))
    assert reverse("courses:dashboard") in learner_html
    assert reverse("courses:authoring_home") not in learner_html

    client.force_login(TrainerFactory())
    trainer_html = _page(client, reverse("courses:catalogue"))
    assert reverse("courses:authoring_home") in trainer_html

    client.logout()
    visitor_html = _page(client, reverse("courses:catalogue"))
    assert reverse("courses:dashboard") not in visitor_html
    assert reverse("login") in visitor_html


def test_a_trainers_preview_never_lends_its_links_to_learners(client, course, steps, learner):
    """The preview rewrites links to stay inside it: on a copy, never on the learner's shared outline."""
    owner = course.owner
    client.force_login(owner)
    preview = _page(client, reverse("courses:authoring_preview", args=[course.slug]))
    assert reverse("courses:authoring_preview_step", args=[course.slug, steps[0].pk]) in preview

    client.force_login(learner)
    html = _page(client, course.get_absolute_url())
    assert reverse("courses:authoring_preview_step", args=[course.slug, steps[0].pk]) not in html
    assert _step_url(course, steps[0]) in html
