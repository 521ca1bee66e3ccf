"""Discussion on lessons and labs: threads, Markdown through the lessons' sanitiser, trainer mentions,
answers marked by trainers, own posts edited and deleted, reports, moderation, and a rate limit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community.errors import Refused
from community.models import Post, PostReport
from community.services.discussion import (
    post_create,
    post_delete,
    post_edit,
    post_remove,
    post_report,
    thread_mark_answered,
)
from tests.factories import TrainerFactory
from tests.security.test_xss import PAYLOAD, dangerous_markup


def _url(cohort, step=None):
    return reverse("community:discussion", args=[(step or cohort.lesson_step).pk])


def test_a_learner_opens_a_thread_and_a_peer_replies(cohort):
    asker, helper = cohort.learners[:2]
    response = cohort.client(asker).post(_url(cohort), {"body": "Comment **décrire** un travelling ?"})
    assert response.status_code == 302
    thread = Post.objects.get()
    reply = cohort.client(helper).post(
        reverse("community:post_reply", args=[thread.pk]), {"body": "Avec « travelling avant lent »."}
    )
    assert reply.status_code == 302
    page = cohort.client(asker).get(_url(cohort)).content.decode()
    assert "<strong>décrire</strong>" in page and "travelling avant lent" in page
    assert Post.objects.get(parent=thread).thread_id == thread.pk


def test_labs_have_their_discussion_too(cohort):
    response = cohort.client(cohort.learners[0]).post(_url(cohort, cohort.lab.step), {"body": "Quel cadrage ?"})
    assert response.status_code == 302
    assert Post.objects.get().step_id == cohort.lab.step_id


def test_posts_are_sanitised_like_lessons(cohort):
    cohort.client(cohort.learners[0]).post(_url(cohort), {"body": PAYLOAD})
    page = cohort.client(cohort.learners[1]).get(_url(cohort)).content.decode()
    assert "Zorro" in page
    assert dangerous_markup(page) == []


def test_posting_is_rate_limited_and_the_refused_text_stays_in_the_form(cohort, settings):
    settings.COMMUNITY_POST_RATE = (2, 60)
    client = cohort.client(cohort.learners[0])
    for n in range(2):
        assert client.post(_url(cohort), {"body": f"Message {n}"}).status_code == 302
    refused = client.post(_url(cohort), {"body": "Le troisième, trop vite"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "attendez" in page and "Le troisième, trop vite</textarea>" in page
    assert Post.objects.count() == 2
    # the limit is per person: a peer still posts
    assert cohort.client(cohort.learners[1]).post(_url(cohort), {"body": "Moi aussi"}).status_code == 302


def test_the_rate_limit_holds_for_replies_through_htmx(cohort, settings):
    settings.COMMUNITY_POST_RATE = (1, 60)
    thread = post_create(author=cohort.learners[1], step=cohort.lesson_step, body="Question ?")
    client = cohort.client(cohort.learners[0])
    url = reverse("community:post_reply", args=[thread.pk])
    assert client.post(url, {"body": "Une réponse"}, HTTP_HX_REQUEST="true").status_code == 200
    refused = client.post(url, {"body": "Une deuxième réponse"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200  # htmx swaps only successful responses: the form comes back with its error
    assert "attendez" in refused.content.decode()
    assert "Une deuxième réponse</textarea>" in refused.content.decode()


def test_only_trainers_of_the_course_can_be_mentioned(cohort):
    stranger = TrainerFactory()
    post = post_create(
        author=cohort.learners[0], step=cohort.lesson_step, body="@Salma ?", mentions=[cohort.trainer, stranger]
    )
    assert list(post.mentions.all()) == [cohort.trainer]


def test_trainers_mark_a_thread_answered_learners_cannot(cohort):
    thread = post_create(author=cohort.learners[0], step=cohort.lesson_step, body="Question ?")
    answer = post_create(author=cohort.learners[1], step=cohort.lesson_step, body="Réponse.", parent=thread)
    url = reverse("community:post_answer", args=[answer.pk])
    assert cohort.client(cohort.learners[0]).post(url).status_code == 404
    assert cohort.client(cohort.trainer).post(url).status_code == 302
    thread.refresh_from_db()
    assert (thread.answer_id, thread.answered_by) == (answer.pk, cohort.trainer)
    page = cohort.client(cohort.learners[0]).get(_url(cohort)).content.decode()
    assert "Répondu" in page and "Réponse retenue par un formateur" in page


def test_a_reply_of_another_thread_is_not_its_answer(cohort):
    first = post_create(author=cohort.learners[0], step=cohort.lesson_step, body="Un")
    second = post_create(author=cohort.learners[0], step=cohort.lesson_step, body="Deux")
    stray = post_create(author=cohort.learners[1], step=cohort.lesson_step, body="Réponse à deux", parent=second)
    with pytest.raises(Refused):
        thread_mark_answered(thread=first, moderator=cohort.trainer, answer=stray)


def test_authors_edit_and_delete_their_own_posts_only(cohort):
    author, other = cohort.learners[:2]
    post = post_create(author=author, step=cohort.lesson_step, body="Premier jet")
    with pytest.raises(Refused):
        post_edit(post=post, editor=other, body="Piraté")
    assert cohort.client(other).get(reverse("community:post_edit", args=[post.pk])).status_code == 404
    post_edit(post=post, editor=author, body="Version corrigée")
    post.refresh_from_db()
    assert post.body == "Version corrigée" and post.edited_at is not None
    with pytest.raises(Refused):
        post_delete(post=post, author=other)
    post_delete(post=post, author=author)
    assert not Post.objects.exists()


def test_a_deleted_post_with_replies_stays_as_a_placeholder(cohort):
    author, other = cohort.learners[:2]
    post = post_create(author=author, step=cohort.lesson_step, body="Texte à effacer")
    post_create(author=other, step=cohort.lesson_step, body="Une réponse qui reste", parent=post)
    cohort.client(author).post(reverse("community:post_delete", args=[post.pk]))
    page = cohort.client(other).get(_url(cohort)).content.decode()
    assert "Texte à effacer" not in page and "Une réponse qui reste" in page
    assert "Son auteur a supprimé ce message." in page


def test_replies_nest_two_levels_deep_at_most(cohort):
    a, b = cohort.learners[:2]
    thread = post_create(author=a, step=cohort.lesson_step, body="0")
    one = post_create(author=b, step=cohort.lesson_step, body="1", parent=thread)
    two = post_create(author=a, step=cohort.lesson_step, body="2", parent=one)
    three = post_create(author=b, step=cohort.lesson_step, body="3", parent=two)
    assert (one.depth, two.depth, three.depth) == (1, 2, 2)
    assert three.parent_id == one.pk and three.thread_id == thread.pk


def test_reports_reach_the_trainers_who_remove_or_dismiss(cohort):
    author, reporter = cohort.learners[:2]
    post = post_create(author=author, step=cohort.lesson_step, body="Propos déplacés")
    response = cohort.client(reporter).post(
        reverse("community:post_report", args=[post.pk]), {"reason": "abuse", "comment": "Insultant"}
    )
    assert response.status_code == 302
    with pytest.raises(Refused, match="déjà signalé"):
        post_report(post=post, reporter=reporter, reason="abuse")
    with pytest.raises(Refused):
        post_report(post=post, reporter=author, reason="spam")
    reports_url = reverse("community:reports", args=[cohort.course.slug])
    assert cohort.client(reporter).get(reports_url).status_code == 404
    page = cohort.client(cohort.trainer).get(reports_url).content.decode()
    assert "Propos déplacés" in page and "Insultant" in page
    post_remove(post=post, moderator=cohort.trainer, reason="Irrespectueux.")
    report = PostReport.objects.get()
    assert report.outcome == PostReport.Outcome.REMOVED and report.resolved_by == cohort.trainer
    page = cohort.client(reporter).get(_url(cohort)).content.decode()
    assert "Propos déplacés" not in page and "Irrespectueux." in page


def test_a_learner_cannot_remove_a_post(cohort):
    post = post_create(author=cohort.learners[0], step=cohort.lesson_step, body="Texte")
    assert (
        cohort.client(cohort.learners[1])
        .post(reverse("community:post_remove", args=[post.pk]), {"reason": "x"})
        .status_code
        == 404
    )


def test_an_empty_or_too_long_message_is_refused_with_a_message(cohort):
    client = cohort.client(cohort.learners[0])
    assert "Le message est vide." in client.post(_url(cohort), {"body": "   "}).content.decode()
    too_long = client.post(_url(cohort), {"body": "x" * 5001})
    assert too_long.status_code == 400
    assert not Post.objects.exists()


def test_the_lesson_page_offers_the_discussion_without_running_its_queries(cohort):
    page = cohort.client(cohort.learners[0]).get(cohort.lesson_step.get_absolute_url()).content.decode()
    assert f'hx-get="{_url(cohort)}"' in page and f'href="{_url(cohort)}"' in page
