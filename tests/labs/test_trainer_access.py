"""Who may open the trainer pages of a lab: its course's trainers and admins; 404 for everyone else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from labs.models import RegradeRun
from tests.factories import AdminFactory, CourseFactory, EnrolmentFactory, TrainerFactory, UserFactory
from tests.labs.factories import CriterionFactory, LabFactory, SubmissionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab():
    lab = LabFactory()
    lab.course.co_trainers.add(TrainerFactory(email="co@example.com"))
    return lab


def page_urls(lab) -> dict[str, str]:
    criterion = CriterionFactory(lab=lab)
    submission = SubmissionFactory(lab=lab, graded=True)
    return {
        "step": reverse("labs:authoring_lab_for_step", args=[lab.step_id]),
        "settings": reverse("labs:authoring_lab", args=[lab.slug]),
        "criterion": reverse("labs:authoring_criterion_edit", args=[criterion.pk]),
        "submissions": reverse("labs:trainer_submissions", args=[lab.slug]),
        "regrade_status": reverse("labs:trainer_regrade_status", args=[lab.slug]),
        "submission": reverse("labs:trainer_submission", args=[submission.pk]),
        "analytics": reverse("labs:trainer_analytics", args=[lab.slug]),
    }


def user_for(who: str, lab):
    if who == "learner":
        learner = UserFactory()
        EnrolmentFactory(user=learner, course=lab.course)
        return learner
    return {
        "other_trainer": lambda: CourseFactory().owner,
        "owner": lambda: lab.course.owner,
        "co_trainer": lambda: lab.course.co_trainers.get(),
        "admin": AdminFactory,
    }[who]()


def test_anonymous_visitor_is_sent_to_login_from_every_page(client, lab):
    for name, url in page_urls(lab).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


@pytest.mark.parametrize(
    ("who", "status"), [("learner", 404), ("other_trainer", 404), ("owner", 200), ("co_trainer", 200), ("admin", 200)]
)
def test_every_page_answers_by_role(client, lab, who, status):
    urls = page_urls(lab)
    client.force_login(user_for(who, lab))

    statuses = {name: client.get(url, follow=name == "step").status_code for name, url in urls.items()}

    assert statuses == dict.fromkeys(urls, status)


@pytest.mark.parametrize("who", ["learner", "other_trainer"])
def test_writes_are_refused_to_outsiders(client, lab, who, django_capture_on_commit_callbacks):
    criterion = CriterionFactory(lab=lab, weight=10)
    submission = SubmissionFactory(lab=lab, graded=True)
    client.force_login(user_for(who, lab))

    with django_capture_on_commit_callbacks(execute=False):
        responses = [
            client.post(reverse("labs:authoring_lab", args=[lab.slug]), {"slug": "vole"}),
            client.post(
                reverse("labs:authoring_criterion_add", args=[lab.slug]), {"new-kind": "policy", "new-weight": "5"}
            ),
            client.post(reverse("labs:authoring_criterion_move", args=[criterion.pk, "up"])),
            client.post(reverse("labs:authoring_rubric_try", args=[lab.slug]), {"prompt": "Un chat."}),
            client.post(reverse("labs:trainer_regrade", args=[lab.slug])),
            client.post(
                reverse("labs:trainer_submission_override", args=[submission.pk]), {"score": "99", "comment": "x"}
            ),
        ]

    assert [r.status_code for r in responses] == [404] * len(responses)
    submission.refresh_from_db()
    assert submission.override_score is None
    assert lab.criteria.count() == 1
    assert not RegradeRun.objects.exists()


@pytest.mark.parametrize("model", ["lab", "criterion", "policyrule", "submission", "labdraft", "regraderun"])
def test_admin_lists_every_labs_model(client, lab, model):
    SubmissionFactory(lab=lab, graded=True)
    client.force_login(AdminFactory(is_superuser=True))

    assert client.get(reverse(f"admin:labs_{model}_changelist"), {"q": "labo"}).status_code == 200


def test_admin_shows_the_grading_result_read_only(client, lab):
    submission = SubmissionFactory(lab=lab, graded=True, result={"score": 80, "criteria": []})
    client.force_login(AdminFactory(is_superuser=True))

    html = client.get(reverse("admin:labs_submission_change", args=[submission.pk])).content.decode()

    assert "&quot;score&quot;: 80" in html
    assert 'name="result"' not in html
