"""The cohort gallery: sharing is opt-in and withdrawable, blocked attempts stay out, trainers hide with a
reason, the cohort (and only the cohort) sees cards with poster, prompt and score, filtered and ordered."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community.errors import Refused
from community.models import GalleryItem
from community.services.gallery import hide_item, share_attempt, vote_toggle, withdraw_item
from labs.models import Submission
from tests.community.conftest import graded_attempt
from tests.labs.factories import SubmissionFactory


def test_a_learner_shares_a_graded_attempt_and_withdraws_it(cohort):
    learner = cohort.learners[0]
    attempt = cohort.attempts[learner.pk]
    # when they share it
    item = share_attempt(learner=learner, submission=attempt)
    # then it is in the gallery, once (sharing again changes nothing)
    assert share_attempt(learner=learner, submission=attempt).pk == item.pk
    assert GalleryItem.objects.filter(withdrawn_at__isnull=True).count() == 1
    # and withdrawing takes it out
    withdraw_item(learner=learner, item=item)
    item.refresh_from_db()
    assert item.withdrawn_at is not None
    page = cohort.client(cohort.learners[1]).get(reverse("community:gallery", args=[cohort.course.slug]))
    assert attempt.prompt not in page.content.decode()


def test_a_blocked_attempt_cannot_be_shared(cohort):
    learner = cohort.learners[0]
    blocked = SubmissionFactory(
        lab=cohort.lab,
        learner=learner,
        state=Submission.State.BLOCKED,
        result={"policy": {"allowed": False, "findings": [{"category": "violence"}]}},
    )
    with pytest.raises(Refused, match="charte éthique"):
        share_attempt(learner=learner, submission=blocked)
    assert not GalleryItem.objects.exists()


def test_the_share_form_offers_no_blocked_attempt_and_refuses_one_posted_anyway(cohort):
    learner = cohort.learners[0]
    blocked = SubmissionFactory(lab=cohort.lab, learner=learner, state=Submission.State.BLOCKED)
    client = cohort.client(learner)
    panel = client.get(reverse("community:lab_panel", args=[cohort.lab.step_id]))
    assert f'value="{blocked.pk}"' not in panel.content.decode()
    response = client.post(reverse("community:share", args=[cohort.lab.step_id]), {"submission": blocked.pk})
    assert response.status_code == 400
    assert not GalleryItem.objects.exists()


def test_someone_elses_attempt_cannot_be_shared(cohort):
    owner, other = cohort.learners[:2]
    with pytest.raises(Refused):
        share_attempt(learner=other, submission=cohort.attempts[owner.pk])


def test_one_shared_attempt_per_learner_and_lab(cohort):
    learner = cohort.learners[0]
    share_attempt(learner=learner, submission=cohort.attempts[learner.pk])
    second = graded_attempt(cohort.lab, learner, score=90)
    with pytest.raises(Refused, match="retirez-le"):
        share_attempt(learner=learner, submission=second)


def test_a_trainer_hides_an_item_with_a_reason_the_author_reads(cohort):
    author, peer = cohort.learners[:2]
    item = share_attempt(learner=author, submission=cohort.attempts[author.pk])
    with pytest.raises(Refused):
        hide_item(moderator=cohort.trainer, item=item, reason="  ")
    hide_item(moderator=cohort.trainer, item=item, reason="Le visage d'une vraie personne apparaît.")
    # the cohort no longer sees it, at all
    assert cohort.client(peer).get(item.get_absolute_url()).status_code == 404
    assert cohort.client(peer).get(reverse("community:item_media", args=[item.pk, "poster"])).status_code == 404
    # its author sees it with the reason; the trainer sees it, marked
    page = cohort.client(author).get(item.get_absolute_url()).content.decode()
    assert "Le visage d&#x27;une vraie personne apparaît." in page
    gallery = cohort.client(cohort.trainer).get(reverse("community:gallery", args=[cohort.course.slug]))
    assert "masqué par un formateur" in gallery.content.decode()


def test_only_trainers_of_the_course_hide_items(cohort):
    author, peer = cohort.learners[:2]
    item = share_attempt(learner=author, submission=cohort.attempts[author.pk])
    url = reverse("community:item_hide", args=[item.pk])
    assert cohort.client(peer).post(url, {"reason": "Non."}).status_code == 404
    response = cohort.client(cohort.trainer).post(url, {"reason": "Hors sujet."})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.hidden_reason, item.hidden_by) == ("Hors sujet.", cohort.trainer)


def test_cards_show_poster_prompt_and_score_to_the_cohort(cohort):
    author, peer = cohort.learners[:2]
    item = share_attempt(learner=author, submission=cohort.attempts[author.pk])
    page = cohort.client(peer).get(reverse("community:gallery", args=[cohort.course.slug])).content.decode()
    assert reverse("community:item_media", args=[item.pk, "poster"]) in page
    assert cohort.attempts[author.pk].prompt in page
    assert "80/100" in page


def test_prompts_stay_hidden_until_the_viewer_has_a_graded_attempt_of_the_lab(cohort):
    author = cohort.learners[0]
    share_attempt(learner=author, submission=cohort.attempts[author.pk])
    newcomer = cohort.learners[1]
    Submission.objects.filter(learner=newcomer).delete()
    page = cohort.client(newcomer).get(reverse("community:gallery", args=[cohort.course.slug])).content.decode()
    assert cohort.attempts[author.pk].prompt not in page
    assert "Le prompt s'affiche quand vous avez vous-même un essai noté" in page


def test_most_useful_order_follows_votes(cohort):
    first, second, third, fourth = cohort.learners
    older = share_attempt(learner=first, submission=cohort.attempts[first.pk])
    newer = share_attempt(learner=second, submission=cohort.attempts[second.pk])
    vote_toggle(voter=third, item=older)
    vote_toggle(voter=fourth, item=older)
    client = cohort.client(third)
    url = reverse("community:gallery", args=[cohort.course.slug])
    recent = client.get(url).context["page"].object_list
    useful = client.get(url, {"tri": "useful"}).context["page"].object_list
    assert [i.pk for i in recent] == [newer.pk, older.pk]
    assert [i.pk for i in useful] == [older.pk, newer.pk]
    assert useful[0].useful == 2


def test_a_vote_toggles_and_the_author_cannot_vote(cohort):
    author, peer = cohort.learners[:2]
    item = share_attempt(learner=author, submission=cohort.attempts[author.pk])
    assert vote_toggle(voter=peer, item=item) is True
    assert vote_toggle(voter=peer, item=item) is False
    with pytest.raises(Refused):
        vote_toggle(voter=author, item=item)


def test_the_gallery_filters_by_lab(cohort):
    from courses.models import Step
    from tests.factories import StepFactory
    from tests.labs.factories import LabFactory

    other_lab = LabFactory(
        step=StepFactory(module=cohort.lab.step.module, kind=Step.Kind.LAB, position=9), slug="labo-deux"
    )
    a, b = cohort.learners[:2]
    share_attempt(learner=a, submission=cohort.attempts[a.pk])
    other = share_attempt(learner=b, submission=graded_attempt(other_lab, b))
    page = cohort.client(a).get(reverse("community:gallery", args=[cohort.course.slug]), {"labo": "labo-deux"})
    assert [i.pk for i in page.context["page"].object_list] == [other.pk]


def test_posters_and_videos_go_through_the_permission_checked_view(cohort):
    author, peer = cohort.learners[:2]
    item = share_attempt(learner=author, submission=cohort.attempts[author.pk])
    for kind in ("poster", "video"):
        url = reverse("community:item_media", args=[item.pk, kind])
        ok = cohort.client(peer).get(url)
        assert ok.status_code == 200 and "private" in ok["Cache-Control"]
        assert cohort.client(cohort.outsider).get(url).status_code == 404
        assert cohort.client(None).get(url).status_code == 302


def test_a_learner_who_left_the_course_leaves_the_gallery(cohort):
    from courses.models import Enrolment

    author, peer = cohort.learners[:2]
    item = share_attempt(learner=author, submission=cohort.attempts[author.pk])
    Enrolment.objects.filter(user=author).update(status=Enrolment.Status.UNENROLLED)
    assert cohort.client(peer).get(item.get_absolute_url()).status_code == 404
    gallery = cohort.client(peer).get(reverse("community:gallery", args=[cohort.course.slug]))
    assert list(gallery.context["page"].object_list) == []


def test_sharing_through_the_page_then_the_item_page(cohort):
    learner = cohort.learners[0]
    attempt = cohort.attempts[learner.pk]
    client = cohort.client(learner)
    response = client.post(reverse("community:share", args=[cohort.lab.step_id]), {"submission": attempt.pk})
    item = GalleryItem.objects.get()
    assert response["Location"] == item.get_absolute_url()
    page = client.get(item.get_absolute_url()).content.decode()
    assert "Retirer de la galerie" in page and "Demander 2 relectures" in page
