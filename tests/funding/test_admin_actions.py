"""The Django admin writes training actions through the funding services, and never edits state dates.

Same validation as the site's action form (dates, place, scheme of the right
type), the rate snapshot taken by the service, days generated like on the
site; filing and reimbursement dates (and what goes with them) are read-only.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from funding.models import FundingScheme, TrainingAction
from tests.factories import UserFactory, build_course
from tests.form_pages import admin_errors, admin_form_data
from tests.funding.factories import CompanyFactory, ParticipantFactory, TrainingActionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return UserFactory(admin=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def planned_scheme():
    return FundingScheme.objects.create(
        name="Plan de formation", action_type="planned", rate_percent=Decimal("70"), valid_from="2026-01-01"
    )


def _change_url(action: TrainingAction) -> str:
    return reverse("admin:funding_trainingaction_change", args=[action.pk])


def _add_data(admin_client, **changes) -> dict:
    data = admin_form_data(admin_client, reverse("admin:funding_trainingaction_add"))
    data.update(
        course=build_course(modules=1, steps_per_module=1).pk,
        company=CompanyFactory().pk,
        title="Atelier prompts vidéo",
        action_type="planned",
        plan_year="2026",
        start_date="2026-05-04",
        end_date="2026-05-08",
        location="Rabat, salle B",
        cost_excl_tax="10000.00",
        cost_incl_tax="12000.00",
    )
    data.update(changes)
    return data


def test_an_end_before_the_start_is_refused_with_the_sites_message(admin_client):
    response = admin_client.post(
        reverse("admin:funding_trainingaction_add"), _add_data(admin_client, end_date="2026-05-01")
    )
    assert response.status_code == 200
    assert "La date de fin précède la date de début." in admin_errors(response)
    assert not TrainingAction.objects.exists()


def test_an_on_site_action_needs_a_location(admin_client):
    action = TrainingActionFactory()
    data = admin_form_data(admin_client, _change_url(action))
    data["location"] = ""
    response = admin_client.post(_change_url(action), data)
    assert response.status_code == 200
    assert "Indiquez le lieu de la formation" in admin_errors(response)
    action.refresh_from_db()
    assert action.location == "Casablanca, salle A"


def test_a_scheme_of_another_action_type_is_refused(admin_client):
    other_type = FundingScheme.objects.create(
        name="Alphabétisation", action_type="literacy", rate_percent=Decimal("100"), valid_from="2026-01-01"
    )
    action = TrainingActionFactory()
    data = admin_form_data(admin_client, _change_url(action))
    data["scheme"] = other_type.pk
    response = admin_client.post(_change_url(action), data)
    assert response.status_code == 200
    assert "Ce barème s'applique aux actions de type" in admin_errors(response).replace("&#x27;", "'")


def test_an_action_added_in_the_admin_is_created_by_the_service(admin_client, superuser, planned_scheme):
    # given no scheme picked (automatic, as on the site)
    response = admin_client.post(reverse("admin:funding_trainingaction_add"), _add_data(admin_client))
    assert response.status_code == 302, admin_errors(response)
    action = TrainingAction.objects.get()
    # then the configured scheme and its rate are snapshotted, the days generated, the author recorded
    assert (action.scheme, action.rate_applied, action.created_by) == (planned_scheme, Decimal("70.00"), superuser)
    assert action.days.count() == 5
    assert action.expected_reimbursement == Decimal("0.00")  # no participant yet


def test_editing_the_scheme_later_does_not_rewrite_the_snapshot_taken_by_the_service(admin_client, planned_scheme):
    action = TrainingActionFactory(scheme=planned_scheme, rate_applied=Decimal("70.00"))
    planned_scheme.rate_percent = Decimal("50")
    planned_scheme.save()
    data = admin_form_data(admin_client, _change_url(action))
    data["title"] = "Titre corrigé"
    response = admin_client.post(_change_url(action), data)
    assert response.status_code == 302, admin_errors(response)
    action.refresh_from_db()
    assert (action.title, action.rate_applied) == ("Titre corrigé", Decimal("70.00"))


def test_new_dates_that_make_a_participant_overlap_are_refused(admin_client):
    participant = ParticipantFactory()
    elsewhere = TrainingActionFactory(start_date=datetime.date(2026, 3, 9), end_date=datetime.date(2026, 3, 13))
    ParticipantFactory(action=elsewhere, learner=participant.learner)
    data = admin_form_data(admin_client, _change_url(participant.action))
    data["end_date"] = "2026-03-10"
    response = admin_client.post(_change_url(participant.action), data)
    assert response.status_code == 200
    assert "chevauchent" in admin_errors(response)


def test_state_dates_are_read_only_in_the_admin(admin_client):
    action = TrainingActionFactory()
    page = admin_client.get(_change_url(action)).content.decode()
    for field in ("filed_on", "reimbursed_on", "received_reimbursement", "filing_override_reason"):
        assert f'name="{field}"' not in page
    data = admin_form_data(admin_client, _change_url(action))
    data.update(filed_on="2026-04-01", reimbursed_on="2026-06-01", received_reimbursement="5000")
    response = admin_client.post(_change_url(action), data)
    assert response.status_code == 302, admin_errors(response)
    action.refresh_from_db()
    assert (action.filed_on, action.reimbursed_on, action.received_reimbursement) == (None, None, None)


def test_a_place_cannot_be_filed_by_hand_in_the_admin_before_its_action(admin_client):
    participant = ParticipantFactory()
    url = reverse("admin:funding_participant_change", args=[participant.pk])
    data = admin_form_data(admin_client, url)
    data["funding_status"] = "filed"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "n&#x27;est pas déposé" in admin_errors(response)
    participant.refresh_from_db()
    assert participant.funding_status == "eligible"


def test_a_new_place_cannot_start_filed_or_reimbursed_in_the_admin(admin_client):
    action = TrainingActionFactory()
    learner = UserFactory()
    data = admin_form_data(admin_client, reverse("admin:funding_participant_add"))
    data.update(action=action.pk, learner=learner.pk, cin="AB12345", cnss_number="", funding_status="reimbursed")
    response = admin_client.post(reverse("admin:funding_participant_add"), data)
    assert response.status_code == 200
    assert "Une nouvelle place commence" in admin_errors(response)
    assert not action.participants.exists()
