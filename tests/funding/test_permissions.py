"""Every funding page is for administrators: anonymous → login, learners and trainers → 403.

The one exception (trainers of an action on its attendance grid) is tested in test_attendance.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from funding.models import RequiredDocument
from funding.services.dossier import document_update
from tests.factories import AdminFactory, TrainerFactory, UserFactory
from tests.funding.factories import CompanyFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

# (url name, object the URL points at, method)
PAGES = [
    ("company_list", None, "get"),
    ("company_create", None, "get"),
    ("company_edit", "company", "get"),
    ("action_list", None, "get"),
    ("action_create", None, "get"),
    ("action_detail", "action", "get"),
    ("action_edit", "action", "get"),
    ("action_days", "action", "get"),
    ("action_day_add", "action", "post"),
    ("action_days_generate", "action", "post"),
    ("participant_add", "action", "get"),
    ("participant_edit", "participant", "get"),
    ("participant_status", "participant", "post"),
    ("attendance_grid", "action", "get"),
    ("attendance_derive", "action", "post"),
    ("dossier", "action", "get"),
    ("document_upload", "action", "post"),
    ("document_file", "document", "get"),
    ("pdf_attendance_sheet", "action", "get"),
    ("pdf_evaluation_sheet", "participant", "get"),
    ("pdf_attestation", "participant", "get"),
    ("action_mark_filed", "action", "post"),
    ("action_mark_reimbursed", "action", "post"),
]


@pytest.fixture
def objects(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    participant = ParticipantFactory()
    document = document_update(
        action=participant.action,
        required=RequiredDocument.objects.get(code="invoice"),
        upload=SimpleUploadedFile("f.pdf", b"%PDF-1.4\n%%EOF\n"),
        by=None,
    )
    return {"company": CompanyFactory(), "action": participant.action, "participant": participant, "document": document}


def _url(name, target, objects):
    return reverse(f"funding:{name}", args=[objects[target].pk] if target else [])


@pytest.mark.parametrize(("name", "target", "method"), PAGES)
def test_anonymous_is_sent_to_login(client, objects, name, target, method):
    response = getattr(client, method)(_url(name, target, objects))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("make_user", [UserFactory, TrainerFactory], ids=["learner", "trainer"])
@pytest.mark.parametrize(("name", "target", "method"), PAGES)
def test_non_admins_are_refused(client, objects, name, target, method, make_user):
    client.force_login(make_user())
    assert getattr(client, method)(_url(name, target, objects)).status_code == 403


@pytest.mark.parametrize(("name", "target", "method"), [page for page in PAGES if page[2] == "get"])
def test_admins_see_every_page(client, objects, name, target, method):
    client.force_login(AdminFactory())
    assert client.get(_url(name, target, objects)).status_code == 200


def test_a_participant_of_an_action_cannot_open_its_grid(client, objects):
    client.force_login(objects["participant"].learner)
    assert client.get(_url("attendance_grid", "action", objects)).status_code == 403
