"""The lab page: who may open it, what it shows, the live coach and submitting."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from courses.models import Course
from labs.models import LabDraft, Submission
from tests.factories import CourseFactory, EnrolmentFactory, ModuleFactory, StepFactory, TrainerFactory, UserFactory
from tests.labs.factories import CriterionFactory, LabDraftFactory, LabFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

PROMPT = "Gros plan sur un flacon de parfum ambré posé sur une table en marbre, à l'heure dorée. Travelling avant lent."


@pytest.fixture
def lab():
    return LabFactory()


@pytest.fixture
def learner(lab):
    user = UserFactory()
    EnrolmentFactory(user=user, course=lab.course)
    return user


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


def lab_url(lab) -> str:
    return reverse("labs:lab", args=[lab.slug])


# --- access --------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login(client, lab):
    response = client.get(lab_url(lab))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_lab_of_a_draft_course_is_404_for_a_learner(client):
    # given a lab in a course that is not published
    lab = LabFactory(step__module__course=CourseFactory(draft=True))
    client.force_login(UserFactory())

    assert client.get(lab_url(lab)).status_code == 404


def test_learner_not_enrolled_is_redirected_to_the_course_page(client, lab):
    client.force_login(UserFactory())

    response = client.get(lab_url(lab))

    assert response.status_code == 302
    assert response["Location"] == lab.course.get_absolute_url()


def test_lab_for_step_redirects_to_the_lab_page(learner_client, lab):
    response = learner_client.get(reverse("labs:lab_for_step", args=[lab.step_id]))

    assert response.status_code == 302
    assert response["Location"] == lab_url(lab)


def test_locked_lab_of_a_sequential_course_is_refused(client):
    # given a sequential course whose first step (a lesson) is not done
    course = CourseFactory(sequential=True)
    module = ModuleFactory(course=course)
    StepFactory(module=module, position=0, title="Leçon préalable")
    lab = LabFactory(step__module=module, step__position=1)
    learner = UserFactory()
    EnrolmentFactory(user=learner, course=course)
    client.force_login(learner)

    response = client.get(lab_url(lab))

    assert response.status_code == 403
    assert "Leçon préalable" in response.content.decode()


# Once the course's content is cached: the user, the enrolment, the draft and the attempts; a
# sequential course also reads the learner's progress (to know whether the lab is open yet).
WARM_LAB_PAGE_QUERIES = 4


@pytest.mark.parametrize("sequential", [False, True])
def test_a_warm_lab_page_reads_only_the_learners_own_rows(client, sequential, django_assert_max_num_queries):
    lab = LabFactory(step__module__course=CourseFactory(sequential=sequential), step__position=0)
    learner = UserFactory()
    EnrolmentFactory(user=learner, course=lab.course)
    SubmissionFactory.create_batch(3, lab=lab, learner=learner)
    client.force_login(learner)
    assert client.get(lab_url(lab)).status_code == 200
    with django_assert_max_num_queries(WARM_LAB_PAGE_QUERIES + sequential):
        assert client.get(lab_url(lab)).status_code == 200


def test_trainer_of_the_course_previews_with_a_banner(client, lab):
    client.force_login(lab.course.owner)

    response = client.get(lab_url(lab))

    assert response.status_code == 200
    assert "Aperçu formateur" in response.content.decode()


def test_trainer_of_another_course_cannot_see_a_draft_course_lab(client):
    lab = LabFactory(step__module__course=CourseFactory(status=Course.Status.DRAFT, published_at=None))
    client.force_login(TrainerFactory())

    assert client.get(lab_url(lab)).status_code == 404


# --- what the page shows ---------------------------------------------------------------


def test_page_shows_brief_simulation_label_rubric_and_draft(learner_client, learner, lab):
    # given a visible criterion, a hidden one and a saved draft
    CriterionFactory(lab=lab, element="camera_movement", label="Mouvement de caméra", weight=15)
    CriterionFactory(lab=lab, kind="must_mention", element="", label="Secret du formateur", hidden=True)
    LabDraftFactory(lab=lab, learner=learner, prompt="Mon brouillon <b>gras</b>")

    html = learner_client.get(lab_url(lab)).content.decode()

    assert "<strong>flacon de parfum</strong>" in html  # brief rendered from Markdown
    assert "Prévisualisation simulée" in html
    assert "Mouvement de caméra" in html
    assert "1 critère caché, révélé après réussite" in html
    assert "Secret du formateur" not in html
    assert "Mon brouillon &lt;b&gt;gras&lt;/b&gt;" in html


def test_page_shows_attempts_used_history_and_counted_score(learner_client, learner, lab):
    SubmissionFactory(lab=lab, learner=learner, graded=True, score=72)
    SubmissionFactory(lab=lab, learner=learner, failed=True)

    html = learner_client.get(lab_url(lab)).content.decode()

    assert "1 / 5" in html  # the failed attempt does not count
    assert "72/100" in html
    assert "Échec technique (non compté)" in html


def test_each_render_gets_a_fresh_client_token(learner_client, lab):
    first = learner_client.get(lab_url(lab)).context["client_token"]
    second = learner_client.get(lab_url(lab)).context["client_token"]

    assert first != second and len(first) == 32


# --- the coach (anatomy endpoint) -----------------------------------------------------------


def test_anatomy_endpoint_returns_the_coach_partial_and_saves_the_draft(learner_client, learner, lab):
    response = learner_client.post(reverse("labs:check", args=[lab.slug]), {"prompt": PROMPT}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # a partial, not the page
    assert '<mark class="el el-camera_movement"' in html
    assert "Son et dialogue" in html  # missing elements are listed with their hint
    assert LabDraft.objects.get(lab=lab, learner=learner).prompt == PROMPT


def test_anatomy_endpoint_escapes_markup_in_the_prompt(learner_client, lab):
    prompt = "Gros plan <script>alert('x')</script> sur un flacon"

    html = learner_client.post(
        reverse("labs:check", args=[lab.slug]), {"prompt": prompt}, HTTP_HX_REQUEST="true"
    ).content.decode()

    assert "<script>alert" not in html
    # The escaped text may be cut by our own highlighting marks.
    assert "&lt;script&gt;alert" in re.sub(r"</?mark[^>]*>", "", html)


def test_anatomy_endpoint_reports_vague_words(learner_client, lab):
    html = learner_client.post(
        reverse("labs:check", args=[lab.slug]),
        {"prompt": "Une belle vidéo cinématique épique d'un flacon."},
        HTTP_HX_REQUEST="true",
    ).content.decode()

    assert "Mot vague" in html
    assert "has-finding" in html


def test_check_without_javascript_saves_the_draft_and_returns_to_the_page(learner_client, learner, lab):
    response = learner_client.post(reverse("labs:check", args=[lab.slug]), {"prompt": PROMPT})

    assert response.status_code == 302
    page = learner_client.get(response["Location"]).content.decode()
    assert '<mark class="el el-camera_movement"' in page  # the coach is rendered in the full page
    assert LabDraft.objects.get(lab=lab, learner=learner).prompt == PROMPT


# --- submitting ------------------------------------------------------------------------------


def test_submit_redirects_to_the_attempt_page(learner_client, learner, lab, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = learner_client.post(
            reverse("labs:submit", args=[lab.slug]), {"prompt": PROMPT, "client_token": "a" * 32}
        )

    submission = Submission.objects.get(lab=lab, learner=learner)
    assert response.status_code == 302
    assert response["Location"] == submission.get_absolute_url()
    assert submission.state == Submission.State.QUEUED


def test_double_submit_with_the_same_token_makes_one_attempt(
    learner_client, learner, lab, django_capture_on_commit_callbacks
):
    data = {"prompt": PROMPT, "client_token": "b" * 32}
    with django_capture_on_commit_callbacks(execute=False):
        first = learner_client.post(reverse("labs:submit", args=[lab.slug]), data)
        second = learner_client.post(reverse("labs:submit", args=[lab.slug]), data)

    assert Submission.objects.filter(lab=lab, learner=learner).count() == 1
    assert first["Location"] == second["Location"]


def test_refused_submit_shows_the_reason_and_keeps_the_prompt(learner_client, learner, lab):
    # given no attempt left
    lab.max_attempts = 1
    lab.save()
    SubmissionFactory(lab=lab, learner=learner, graded=True)
    prompt = "Mon nouveau prompt très travaillé, avec <em>balise</em>."

    response = learner_client.post(
        reverse("labs:submit", args=[lab.slug]), {"prompt": prompt, "client_token": "c" * 32}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in html and "Vous avez utilisé vos 1 tentatives" in html
    assert "Mon nouveau prompt très travaillé, avec &lt;em&gt;balise&lt;/em&gt;." in html
    assert LabDraft.objects.get(lab=lab, learner=learner).prompt == prompt


def test_empty_prompt_is_refused_in_place(learner_client, lab):
    response = learner_client.post(reverse("labs:submit", args=[lab.slug]), {"prompt": "   ", "client_token": "d" * 32})

    assert response.status_code == 400
    assert "Le prompt est vide" in response.content.decode()


def _browser_posted(lines: int, width: int) -> str:
    # What a browser sends from a textarea: CRLF line breaks; here with blanks after the last line.
    return "\r\n".join(["x" * width] * lines) + "  \r\n"


def test_the_counter_the_coach_and_the_limit_count_a_prompt_alike(learner_client, lab):
    # 100 lines of 39 characters and their 99 line breaks: 3,999 characters as the limit counts them
    within = _browser_posted(100, 39)
    coach = learner_client.post(reverse("labs:check", args=[lab.slug]), {"prompt": within}, HTTP_HX_REQUEST="true")
    assert "la limite est" not in coach.content.decode()
    page = learner_client.get(lab_url(lab)).content.decode()  # the draft the coach saved, counted
    assert "<span data-char-count>3999</span>" in page

    # one character more on each of two lines: 4,001, and every count on the refusal page says so
    over = within.replace("x" * 39, "x" * 40, 2)
    refused = learner_client.post(reverse("labs:submit", args=[lab.slug]), {"prompt": over, "client_token": "e" * 32})
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "Le prompt fait 4001 caractères" in html
    assert "<span data-char-count>4001</span>" in html
    assert "4001 caractères\xa0: la limite est 4000." in html  # the coach's line


def test_submit_is_refused_to_a_learner_not_enrolled(client, lab):
    client.force_login(UserFactory())

    response = client.post(reverse("labs:submit", args=[lab.slug]), {"prompt": PROMPT, "client_token": "e" * 32})

    assert response.status_code == 302
    assert not Submission.objects.exists()
