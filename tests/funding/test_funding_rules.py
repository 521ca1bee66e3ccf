"""Funding rules that hold on every path: a complete dossier to file, attendance for eligibility.

- Filing needs every required piece at least prepared, or an admin's
  explicit override with a reason, which is recorded.
- Once an action is over, a place below the attendance threshold is not
  eligible, is not filed and is not counted in the expected reimbursement;
  correcting the attendance brings it back.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from funding.models import (
    DossierDocument,
    FundingScheme,
    FundingSettings,
    FundingStatusChange,
    Participant,
    RequiredDocument,
    TrainingAction,
)
from funding.services.attendance import attendance_save
from funding.services.dossier import document_update
from funding.services.filing import action_mark_filed
from funding.services.participants import participant_set_status
from funding.services.reimbursement import action_recompute_reimbursement
from tests.factories import AdminFactory, TrainerFactory
from tests.funding.factories import ParticipantFactory, TrainingActionFactory

pytestmark = pytest.mark.django_db

Status = Participant.FundingStatus
FILED_ON = datetime.date(2026, 4, 15)


@pytest.fixture
def admin():
    return AdminFactory()


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _all_present(action: TrainingAction, participants, *, absent: tuple = ()) -> dict:
    """Every half-day present, except the (participant, date, half) listed in ``absent``."""
    marks = {(p.pk, day.date, half): True for p in participants for day in action.days.all() for half in ("am", "pm")}
    for key in absent:
        marks[key] = False
    return marks


def _complete_dossier(action: TrainingAction, by) -> None:
    for required in RequiredDocument.objects.filter(active=True):
        people = list(action.participants.all()) if required.per_participant else [None]
        for participant in people:
            document_update(action=action, required=required, participant=participant, status="prepared", by=by)


def _action_with_attendance(admin, *, participants: int = 2) -> tuple[TrainingAction, list[Participant]]:
    action = TrainingActionFactory()
    people = ParticipantFactory.create_batch(participants, action=action)
    attendance_save(action=action, marks=_all_present(action, people), by=admin)
    return action, people


# --- filing needs a complete checklist, or a recorded override ------------------------------------


def test_an_incomplete_dossier_cannot_be_filed(admin):
    # given an action whose dossier has 1 of its pieces ready
    action, _people = _action_with_attendance(admin)
    invoice = RequiredDocument.objects.get(code="invoice")
    document_update(action=action, required=invoice, status="signed", by=admin)
    # when it is marked as filed
    with pytest.raises(ValidationError) as refused:
        action_mark_filed(action=action, filed_on=FILED_ON, by=admin)
    # then it is refused with what is missing, and nothing changes
    assert refused.value.code == "incomplete"
    assert "pièces sur" in refused.value.messages[0]
    action.refresh_from_db()
    assert action.filed_on is None
    assert not action.participants.filter(funding_status=Status.FILED).exists()


def test_a_complete_dossier_is_filed(admin):
    action, people = _action_with_attendance(admin)
    _complete_dossier(action, admin)
    action_mark_filed(action=action, filed_on=FILED_ON, by=admin)
    action.refresh_from_db()
    assert (action.filed_on, action.filed_by, action.filing_override_reason, action.filing_missing) == (
        FILED_ON,
        admin,
        "",
        [],
    )
    assert set(action.participants.values_list("funding_status", flat=True)) == {Status.FILED}


def test_an_admin_may_file_an_incomplete_dossier_with_a_reason_which_is_recorded(admin):
    action, _people = _action_with_attendance(admin)
    action_mark_filed(action=action, filed_on=FILED_ON, by=admin, override_reason="Pièces envoyées à part par la CSF")
    action.refresh_from_db()
    assert action.filed_on == FILED_ON and action.filed_by == admin
    assert action.filing_override_reason == "Pièces envoyées à part par la CSF"
    expected = RequiredDocument.objects.filter(active=True).count()
    assert len(action.filing_missing) >= expected  # every missing piece is named in the record
    change = FundingStatusChange.objects.filter(to_status=Status.FILED).first()
    assert "incomplet" in change.reason and "Pièces envoyées à part par la CSF" in change.reason


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_override_needs_a_reason(admin, reason: str):
    action, _people = _action_with_attendance(admin)
    with pytest.raises(ValidationError):
        action_mark_filed(action=action, filed_on=FILED_ON, by=admin, override_reason=reason)
    action.refresh_from_db()
    assert action.filed_on is None


def test_only_an_admin_may_override(admin):
    action, _people = _action_with_attendance(admin)
    with pytest.raises(ValidationError) as refused:
        action_mark_filed(action=action, filed_on=FILED_ON, by=TrainerFactory(), override_reason="Urgent")
    assert refused.value.code == "override_not_allowed"


def test_the_filing_form_refuses_an_incomplete_dossier_and_keeps_what_was_typed(admin_client, admin):
    action, _people = _action_with_attendance(admin)
    document_update(action=action, required=RequiredDocument.objects.get(code="invoice"), status="signed", by=admin)
    page = admin_client.get(reverse("funding:action_detail", args=[action.pk])).content.decode()
    assert "manque" in page  # the filing card warns before anyone tries
    response = admin_client.post(reverse("funding:action_mark_filed", args=[action.pk]), {"filed_on": "2026-04-15"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "pièces sur" in body and 'value="2026-04-15"' in body
    # and with a reason, an admin files it anyway; the page says it was filed incomplete, and why
    response = admin_client.post(
        reverse("funding:action_mark_filed", args=[action.pk]),
        {"filed_on": "2026-04-15", "override_reason": "Convention signée en retard, transmise à part"},
    )
    assert response.status_code == 302
    page = admin_client.get(reverse("funding:action_detail", args=[action.pk])).content.decode()
    assert "Convention signée en retard, transmise à part" in page


# --- eligibility follows the attendance threshold ----------------------------------------------------


def _missing_three_half_days(action: TrainingAction, participant: Participant) -> tuple:
    first, second = list(action.days.order_by("date"))[:2]
    return (participant.pk, first.date, "am"), (participant.pk, first.date, "pm"), (participant.pk, second.date, "am")


def test_a_place_below_the_threshold_is_not_eligible_and_the_reason_is_recorded(admin):
    # given an action that is over (2–6 March 2026: 10 half-days), threshold 80 %
    assert FundingSettings.load().attendance_threshold_percent == 80
    action = TrainingActionFactory()
    steady, absent = ParticipantFactory.create_batch(2, action=action)
    # when the grid shows one of them at 70 % (3 half-days missed)
    marks = _all_present(action, [steady, absent], absent=_missing_three_half_days(action, absent))
    attendance_save(action=action, marks=marks, by=admin)
    # then that place is not eligible, with the reason recorded; the other one is untouched
    absent.refresh_from_db()
    steady.refresh_from_db()
    assert (absent.funding_status, steady.funding_status) == (Status.NOT_ELIGIBLE, Status.ELIGIBLE)
    change = absent.status_changes.order_by("-id").first()
    assert "70 %" in change.reason and "80 %" in change.reason
    assert change.cause == FundingStatusChange.Cause.ATTENDANCE and change.changed_by == admin


def test_a_place_at_75_percent_is_not_counted_in_the_expected_reimbursement(admin):
    # given a scheme with a ceiling per participant (5,000 DH), so the number of funded places decides the amount
    scheme = FundingScheme.objects.create(
        name="PFE", action_type="planned", rate_percent=70, ceiling_per_participant=5000, valid_from="2026-01-01"
    )
    action = TrainingActionFactory(scheme=scheme)
    first, second = ParticipantFactory.create_batch(2, action=action)
    two_days = list(action.days.order_by("date"))[:2]
    action.days.exclude(pk__in=[d.pk for d in two_days]).delete()
    action_recompute_reimbursement(action=action)
    action.refresh_from_db()
    assert action.expected_reimbursement == Decimal("10000.00")
    # when one of them misses 1 half-day of 4 (75 %)
    marks = _all_present(action, [first, second], absent=((second.pk, two_days[1].date, "pm"),))
    attendance_save(action=action, marks=marks, by=admin)
    # then that place is not eligible, and the expected amount counts one place
    second.refresh_from_db()
    action.refresh_from_db()
    assert second.funding_status == Status.NOT_ELIGIBLE
    assert action.expected_reimbursement == Decimal("5000.00")


def test_correcting_the_attendance_brings_the_place_back(admin):
    action = TrainingActionFactory()
    participant = ParticipantFactory(action=action)
    marks = _all_present(action, [participant], absent=_missing_three_half_days(action, participant))
    attendance_save(action=action, marks=marks, by=admin)
    participant.refresh_from_db()
    assert participant.funding_status == Status.NOT_ELIGIBLE
    # when the trainer corrects the grid (the absences were a mistake)
    attendance_save(action=action, marks=_all_present(action, [participant]), by=admin)
    # then the place is eligible again, and the history says both
    participant.refresh_from_db()
    assert participant.funding_status == Status.ELIGIBLE
    assert list(participant.status_changes.values_list("to_status", flat=True)) == [
        Status.NOT_ELIGIBLE,
        Status.ELIGIBLE,
    ]


def test_a_place_an_admin_excluded_is_not_brought_back_by_attendance(admin):
    action = TrainingActionFactory()
    participant = ParticipantFactory(action=action)
    participant_set_status(participant=participant, to_status=Status.NOT_ELIGIBLE, by=admin, reason="Démission")
    attendance_save(action=action, marks=_all_present(action, [participant]), by=admin)
    participant.refresh_from_db()
    assert participant.funding_status == Status.NOT_ELIGIBLE


def test_a_place_below_the_threshold_cannot_be_made_eligible_by_hand(admin):
    action = TrainingActionFactory()
    participant = ParticipantFactory(action=action)
    marks = _all_present(action, [participant], absent=_missing_three_half_days(action, participant))
    attendance_save(action=action, marks=marks, by=admin)
    with pytest.raises(ValidationError) as refused:
        participant_set_status(participant=participant, to_status=Status.ELIGIBLE, by=admin, reason="Oubli")
    assert refused.value.code == "below_attendance_threshold"


def test_an_action_still_running_leaves_statuses_alone(admin):
    today = datetime.date(2026, 3, 3)  # the action runs from 2 to 6 March
    action = TrainingActionFactory()
    participant = ParticipantFactory(action=action)
    day = action.days.order_by("date").first()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.timezone.localdate", lambda *a, **k: today)
        attendance_save(action=action, marks={(participant.pk, day.date, "am"): False}, by=admin)
    participant.refresh_from_db()
    assert participant.funding_status == Status.ELIGIBLE


def test_filing_leaves_out_places_below_the_threshold(admin):
    # given a participant whose attendance was never recorded (0 %) on a complete dossier
    action, people = _action_with_attendance(admin)
    late = ParticipantFactory(action=action)
    _complete_dossier(action, admin)
    # when the dossier is filed
    action_mark_filed(action=action, filed_on=FILED_ON, by=admin)
    # then that place is not filed, and says why
    late.refresh_from_db()
    assert late.funding_status == Status.NOT_ELIGIBLE
    assert {p.funding_status for p in Participant.objects.filter(pk__in=[p.pk for p in people])} == {Status.FILED}
    assert DossierDocument.objects.filter(action=action, status=DossierDocument.Status.FILED).exists()
