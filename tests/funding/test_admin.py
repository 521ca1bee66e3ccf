"""Django admin of the funding app: every page loads, identifiers are masked in lists, rules still apply."""

import pytest
from django.urls import reverse

from funding.models import (
    ActionDay,
    Attendance,
    Company,
    DeadlineReminder,
    DossierDocument,
    FundingScheme,
    FundingSettings,
    FundingStatusChange,
    Participant,
    RequiredDocument,
    TrainingAction,
)
from tests.factories import UserFactory
from tests.funding.factories import ParticipantFactory, TrainingActionFactory

pytestmark = pytest.mark.django_db

CIN = "BK987654"
CNSS = "987654321"
MODELS = [
    ActionDay,
    Attendance,
    Company,
    DeadlineReminder,
    DossierDocument,
    FundingScheme,
    FundingStatusChange,
    Participant,
    RequiredDocument,
    TrainingAction,
]


@pytest.fixture
def superuser():
    return UserFactory(admin=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def participant():
    participant = ParticipantFactory(cin=CIN, cnss_number=CNSS, learner=UserFactory(last_name="Bennani"))
    Attendance.objects.create(participant=participant, day=participant.action.days.first(), half="am", present=True)
    FundingStatusChange.objects.create(
        participant=participant, from_status="", to_status="eligible", reason="Inscription"
    )
    DeadlineReminder.objects.create(action=participant.action, days_before=30)
    return participant


def _changelist(model) -> str:
    return reverse(f"admin:funding_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_changelist_loads(admin_client, participant, model):
    assert admin_client.get(_changelist(model)).status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_changelist_search_works(admin_client, participant, model):
    assert admin_client.get(_changelist(model), {"q": "Bennani"}).status_code == 200


def test_participant_list_shows_masked_identifiers_only(admin_client, participant):
    # when
    html = admin_client.get(_changelist(Participant)).content.decode()
    # then
    assert "••••••54" in html and "•••••••21" in html
    assert CIN not in html and CNSS not in html


def test_participant_search_by_name_finds_the_row(admin_client, participant):
    ParticipantFactory(learner=UserFactory(last_name="Autre"))
    response = admin_client.get(_changelist(Participant), {"q": "Bennani"})
    assert list(response.context["cl"].result_list) == [participant]


def test_change_form_shows_identifiers_in_full_to_an_admin(admin_client, participant):
    html = admin_client.get(reverse("admin:funding_participant_change", args=[participant.pk])).content.decode()
    assert f'value="{CIN}"' in html and f'value="{CNSS}"' in html


def test_action_change_form_lists_participants_masked(admin_client, participant):
    html = admin_client.get(
        reverse("admin:funding_trainingaction_change", args=[participant.action_id])
    ).content.decode()
    assert "••••••54" in html and CIN not in html


def test_status_change_in_admin_is_recorded_with_its_reason(admin_client, superuser, participant):
    # when
    response = admin_client.post(
        reverse("admin:funding_participant_change", args=[participant.pk]),
        {
            "cin": CIN,
            "cnss_number": CNSS,
            "category": participant.category,
            "funding_status": "preparing",
            "status_reason": "Pièces reçues",
            **_empty_inline(),
        },
    )
    # then
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.funding_status == "preparing"
    change = participant.status_changes.order_by("-id").first()
    assert (change.from_status, change.to_status, change.reason, change.changed_by) == (
        "eligible",
        "preparing",
        "Pièces reçues",
        superuser,
    )


def test_illegal_status_change_is_refused_in_the_form(admin_client, participant):
    Participant.objects.filter(pk=participant.pk).update(funding_status="reimbursed")
    response = admin_client.post(
        reverse("admin:funding_participant_change", args=[participant.pk]),
        {
            "cin": CIN,
            "cnss_number": CNSS,
            "category": participant.category,
            "funding_status": "eligible",
            **_empty_inline(),
        },
    )
    assert response.status_code == 200
    assert "Passage impossible" in response.content.decode()
    participant.refresh_from_db()
    assert participant.funding_status == "reimbursed"


def test_adding_a_participant_records_the_first_status(admin_client, participant):
    learner = UserFactory()
    response = admin_client.post(
        reverse("admin:funding_participant_add"),
        {
            "action": participant.action_id,
            "learner": learner.pk,
            "cin": "AB12345",
            "cnss_number": "",
            "category": "employe",
            "funding_status": "eligible",
            **_empty_inline(),
        },
    )
    assert response.status_code == 302
    added = Participant.objects.get(learner=learner)
    assert added.cin == "AB12345"
    assert list(added.status_changes.values_list("to_status", flat=True)) == ["eligible"]


def test_adding_an_overlapping_participation_is_refused(admin_client, participant):
    other = TrainingActionFactory()  # same dates as the participant's action
    response = admin_client.post(
        reverse("admin:funding_participant_add"),
        {
            "action": other.pk,
            "learner": participant.learner_id,
            "cin": "AB12345",
            "cnss_number": "",
            "category": "employe",
            "funding_status": "eligible",
            **_empty_inline(),
        },
    )
    assert response.status_code == 200
    assert "chevauchent" in response.content.decode()


def test_settings_are_a_singleton(admin_client):
    row = FundingSettings.load()
    # the list opens the single row
    response = admin_client.get(_changelist(FundingSettings))
    assert response.status_code == 302 and response.url == reverse(
        "admin:funding_fundingsettings_change", args=[row.pk]
    )
    # no second row, no deletion
    assert admin_client.get(reverse("admin:funding_fundingsettings_add")).status_code == 403
    assert admin_client.get(reverse("admin:funding_fundingsettings_delete", args=[row.pk])).status_code == 403


def test_status_history_cannot_be_edited(admin_client, participant):
    change = participant.status_changes.first()
    response = admin_client.post(
        reverse("admin:funding_fundingstatuschange_change", args=[change.pk]), {"reason": "réécrit"}
    )
    assert response.status_code == 403


def test_scheme_rate_can_be_edited(admin_client):
    scheme = FundingScheme.objects.filter(action_type="planned").first() or FundingScheme.objects.create(
        name="CSF planifiée", action_type="planned", rate_percent=70, valid_from="2026-01-01"
    )
    response = admin_client.post(
        reverse("admin:funding_fundingscheme_change", args=[scheme.pk]),
        {
            "name": scheme.name,
            "action_type": "planned",
            "rate_percent": "65",
            "valid_from": "2026-01-01",
            "source": "Réforme",
        },
    )
    assert response.status_code == 302
    scheme.refresh_from_db()
    assert scheme.rate_percent == 65


def _empty_inline() -> dict[str, str]:
    """Management form of the read-only status history inline."""
    prefix = "status_changes"
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
