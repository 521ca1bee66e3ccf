"""Participants: identifiers (validation, encryption, masking, never logged), overlaps, status history."""

import datetime
import logging

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from courses.models import Enrolment
from funding.models import FundingStatusChange, Participant
from funding.services.participants import participant_add, participant_set_status
from tests.factories import AdminFactory, UserFactory
from tests.funding.factories import ParticipantFactory, TrainingActionFactory

pytestmark = pytest.mark.django_db

Status = Participant.FundingStatus
CIN = "BE987654"
CNSS = "123456789"


@pytest.fixture
def admin():
    return AdminFactory()


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    ("cin", "cnss", "field", "message"),
    [
        ("123456", "", "cin", "BE123456"),
        ("BEE12345", "", "cin", "BE123456"),
        ("BE123456", "12345", "cnss_number", "9 chiffres"),
        ("BE123456", "12345678A", "cnss_number", "9 chiffres"),
    ],
)
def test_participant_add_refuses_bad_identifiers(admin, cin, cnss, field, message):
    action = TrainingActionFactory()
    with pytest.raises(ValidationError) as error:
        participant_add(action=action, learner=UserFactory(), cin=cin, cnss_number=cnss, by=admin)
    assert message in " ".join(error.value.message_dict[field])
    assert not Participant.objects.exists()


def test_identifiers_are_normalised(admin):
    participant = participant_add(
        action=TrainingActionFactory(), learner=UserFactory(), cin="be 987.654", cnss_number="123 456 789", by=admin
    )
    participant.refresh_from_db()
    assert (participant.cin, participant.cnss_number) == (CIN, CNSS)


def test_identifiers_are_encrypted_at_rest(admin):
    participant = participant_add(
        action=TrainingActionFactory(), learner=UserFactory(), cin=CIN, cnss_number=CNSS, by=admin
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT cin, cnss_number FROM funding_participant WHERE id = %s", [participant.pk])
        raw_cin, raw_cnss = cursor.fetchone()
    assert CIN not in raw_cin and CNSS not in raw_cnss
    assert Participant.objects.get(pk=participant.pk).cin == CIN


def test_action_page_masks_identifiers(admin_client):
    participant = ParticipantFactory(cin=CIN, cnss_number=CNSS)
    page = admin_client.get(reverse("funding:action_detail", args=[participant.action_id])).content.decode()
    assert participant.masked_cin in page  # ••••••54
    assert CIN not in page and CNSS not in page


def test_participant_page_shows_the_full_cin_to_admins(admin_client):
    participant = ParticipantFactory(cin=CIN)
    page = admin_client.get(reverse("funding:participant_edit", args=[participant.pk])).content.decode()
    assert f'value="{CIN}"' in page


def test_identifiers_are_never_logged(admin_client, caplog):
    action = TrainingActionFactory()
    learner = UserFactory()
    url = reverse("funding:participant_add", args=[action.pk])
    caplog.set_level(logging.DEBUG)
    # when: a valid save, then a validation error (bad CNSS) on another action
    admin_client.post(
        url,
        {"email": learner.email, "cin": CIN, "cnss_number": CNSS, "category": "cadre", "funding_status": "eligible"},
    )
    other = TrainingActionFactory(start_date=datetime.date(2026, 6, 1), end_date=datetime.date(2026, 6, 2))
    response = admin_client.post(
        reverse("funding:participant_add", args=[other.pk]),
        {"email": learner.email, "cin": CIN, "cnss_number": "12", "category": "cadre", "funding_status": "eligible"},
    )
    # then
    assert Participant.objects.count() == 1
    assert response.status_code == 400
    assert "funding participant added" in caplog.text  # something was logged…
    assert CIN not in caplog.text and CNSS not in caplog.text  # …but no identifier


def test_participant_add_view_enrols_in_the_course(admin_client):
    action = TrainingActionFactory()
    learner = UserFactory()
    data = {
        "email": learner.email.upper(),
        "cin": CIN,
        "cnss_number": "",
        "category": "ouvrier",
        "funding_status": "eligible",
        "enrol_in_course": "on",
    }
    response = admin_client.post(reverse("funding:participant_add", args=[action.pk]), data)
    assert response.status_code == 302
    participant = Participant.objects.get()
    assert (participant.learner, participant.category) == (learner, "ouvrier")
    assert Enrolment.objects.filter(user=learner, course=action.course, status=Enrolment.Status.ACTIVE).exists()


def test_participant_add_view_finds_accounts(admin_client):
    action = TrainingActionFactory()
    UserFactory(email="zineb.alami@atlas.ma")
    page = admin_client.get(reverse("funding:participant_add", args=[action.pk]), {"q": "alami"}).content.decode()
    assert "zineb.alami@atlas.ma" in page


def test_unknown_email_is_refused_in_place(admin_client):
    action = TrainingActionFactory()
    response = admin_client.post(
        reverse("funding:participant_add", args=[action.pk]),
        {"email": "nobody@example.com", "cin": CIN, "category": "cadre", "funding_status": "eligible"},
    )
    assert response.status_code == 400
    assert response.context["form"]["email"].errors


def test_overlapping_actions_are_refused_naming_the_other(admin, admin_client):
    # given: the learner follows an action from 2 to 6 March
    learner = UserFactory()
    first = ParticipantFactory(learner=learner, action=TrainingActionFactory(title="Storyboard IA")).action
    overlapping = TrainingActionFactory(start_date=datetime.date(2026, 3, 5), end_date=datetime.date(2026, 3, 10))
    # when
    with pytest.raises(ValidationError) as error:
        participant_add(action=overlapping, learner=learner, cin=CIN, by=admin)
    # then
    assert "Storyboard IA" in error.value.messages[0]
    response = admin_client.post(
        reverse("funding:participant_add", args=[overlapping.pk]),
        {"email": learner.email, "cin": CIN, "category": "cadre", "funding_status": "eligible"},
    )
    assert response.status_code == 400
    assert first.title in response.content.decode()
    # an action right after is fine
    later = TrainingActionFactory(start_date=datetime.date(2026, 3, 9), end_date=datetime.date(2026, 3, 10))
    assert participant_add(action=later, learner=learner, cin=CIN, by=admin).pk


def test_status_changes_are_recorded(admin):
    participant = participant_add(action=TrainingActionFactory(), learner=UserFactory(), cin=CIN, by=admin)
    participant_set_status(participant=participant, to_status=Status.PREPARING, by=admin, reason="Pièces réunies")
    participant_set_status(participant=participant, to_status=Status.NOT_ELIGIBLE, by=admin)
    history = list(
        FundingStatusChange.objects.filter(participant=participant).values_list(
            "from_status", "to_status", "changed_by", "reason"
        )
    )
    assert history == [
        ("", Status.ELIGIBLE, admin.pk, "Inscription à l'action"),
        (Status.ELIGIBLE, Status.PREPARING, admin.pk, "Pièces réunies"),
        (Status.PREPARING, Status.NOT_ELIGIBLE, admin.pk, ""),
    ]


def test_a_place_is_filed_by_hand_only_once_its_action_is(admin):
    participant = ParticipantFactory()
    with pytest.raises(ValidationError) as refused:
        participant_set_status(participant=participant, to_status=Status.FILED, by=admin)
    assert refused.value.code == "action_not_filed"
    participant.refresh_from_db()
    assert participant.funding_status == Status.ELIGIBLE


@pytest.mark.parametrize(
    ("start", "target"),
    [(Status.REIMBURSED, Status.ELIGIBLE), (Status.NOT_ELIGIBLE, Status.FILED), (Status.ELIGIBLE, Status.REIMBURSED)],
)
def test_illegal_status_transitions_are_refused(admin, start, target):
    participant = ParticipantFactory(funding_status=start)
    with pytest.raises(ValidationError) as error:
        participant_set_status(participant=participant, to_status=target, by=admin)
    assert "impossible" in error.value.messages[0]
    participant.refresh_from_db()
    assert participant.funding_status == start
    assert not participant.status_changes.exists()


def test_status_view_shows_history_and_refuses_illegal_moves(admin_client):
    participant = ParticipantFactory(funding_status=Status.ELIGIBLE)
    response = admin_client.post(
        reverse("funding:participant_status", args=[participant.pk]),
        {"to_status": "not_eligible", "reason": "Pas salarié·e"},
    )
    assert response.status_code == 302
    page = admin_client.get(reverse("funding:participant_edit", args=[participant.pk])).content.decode()
    assert "Pas salarié·e" in page and "Non éligible" in page
    response = admin_client.post(
        reverse("funding:participant_status", args=[participant.pk]), {"to_status": "reimbursed"}
    )
    assert response.status_code == 400
    participant.refresh_from_db()
    assert participant.funding_status == Status.NOT_ELIGIBLE


def test_participant_edit_updates_identifiers(admin_client):
    participant = ParticipantFactory()
    response = admin_client.post(
        reverse("funding:participant_edit", args=[participant.pk]),
        {"cin": "a1234", "cnss_number": "", "category": "cadre"},
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert (participant.cin, participant.cnss_number, participant.category) == ("A1234", "", "cadre")
