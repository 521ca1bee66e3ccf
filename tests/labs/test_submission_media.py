"""Private media of an attempt: only its owner and the course's trainers, with byte ranges for video seeking."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import AdminFactory, EnrolmentFactory, TrainerFactory, UserFactory
from tests.labs.factories import LabFactory, SubmissionFactory, attach_media

pytestmark = pytest.mark.django_db

VIDEO = bytes(range(256)) * 4  # 1024 distinct-enough bytes


@pytest.fixture
def submission():
    lab = LabFactory()
    learner = UserFactory()
    EnrolmentFactory(user=learner, course=lab.course)
    return attach_media(SubmissionFactory(lab=lab, learner=learner, graded=True), video=VIDEO)


def media(submission, kind: str) -> str:
    return reverse("labs:submission_media", args=[submission.pk, kind])


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_owner_gets_the_whole_video_with_private_headers(client, submission):
    client.force_login(submission.learner)

    response = client.get(media(submission, "video"))

    assert response.status_code == 200
    assert body(response) == VIDEO
    assert response["Content-Type"] == "video/mp4"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Cache-Control"].startswith("private")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_range_request_gets_206_with_the_slice(client, submission):
    client.force_login(submission.learner)

    response = client.get(media(submission, "video"), HTTP_RANGE="bytes=100-199")

    assert response.status_code == 206
    assert response["Content-Range"] == "bytes 100-199/1024"
    assert response["Content-Length"] == "100"
    assert body(response) == VIDEO[100:200]


def test_open_and_suffix_ranges(client, submission):
    client.force_login(submission.learner)

    open_ended = client.get(media(submission, "video"), HTTP_RANGE="bytes=1000-")
    suffix = client.get(media(submission, "video"), HTTP_RANGE="bytes=-24")

    assert body(open_ended) == VIDEO[1000:]
    assert suffix["Content-Range"] == "bytes 1000-1023/1024" and body(suffix) == VIDEO[-24:]


def test_unsatisfiable_range_gets_416(client, submission):
    client.force_login(submission.learner)

    response = client.get(media(submission, "video"), HTTP_RANGE="bytes=5000-6000")

    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */1024"


def test_poster_and_contact_sheet_are_served_as_images(client, submission):
    client.force_login(submission.learner)

    assert client.get(media(submission, "poster"))["Content-Type"] == "image/jpeg"
    assert client.get(media(submission, "sheet")).status_code == 200


@pytest.mark.parametrize("kind", ["video", "poster", "sheet"])
def test_another_learner_gets_404_for_every_media(client, submission, kind):
    intruder = UserFactory()
    EnrolmentFactory(user=intruder, course=submission.lab.course)
    client.force_login(intruder)

    assert client.get(media(submission, kind)).status_code == 404


def test_trainer_of_another_course_gets_404(client, submission):
    client.force_login(TrainerFactory())

    assert client.get(media(submission, "video")).status_code == 404


@pytest.mark.parametrize("viewer", ["owner_trainer", "admin"])
def test_course_trainer_and_admin_get_the_video(client, submission, viewer):
    client.force_login(submission.lab.course.owner if viewer == "owner_trainer" else AdminFactory())

    assert client.get(media(submission, "video")).status_code == 200


def test_unknown_media_kind_and_missing_file_are_404(client):
    submission = SubmissionFactory(graded=True)
    client.force_login(submission.learner)

    assert client.get(media(submission, "prompt")).status_code == 404
    assert client.get(media(submission, "video")).status_code == 404


def test_anonymous_visitor_is_sent_to_login(client, submission):
    response = client.get(media(submission, "video"))

    assert response.status_code == 302
