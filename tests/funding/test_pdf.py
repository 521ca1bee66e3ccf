"""Generated dossier PDFs: valid files, with the expected content (pages left uncompressed)."""

import datetime
from decimal import Decimal

import pytest

from funding import pdf
from funding.models import ActionDay
from tests.factories import UserFactory
from tests.funding.factories import ParticipantFactory, TrainingActionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant():
    learner = UserFactory(first_name="Zineb", last_name="Alaoui")
    return ParticipantFactory(learner=learner, cin="BE987654", cnss_number="123456789")


def _is_pdf(content: bytes) -> bool:
    return content.startswith(b"%PDF") and len(content) > 1024


def test_attendance_sheet_lists_participants_without_their_cin(participant):
    content = pdf.attendance_sheet_pdf(participant.action, compress=False)
    assert _is_pdf(content)
    assert b"ALAOUI Zineb" in content
    assert b"BE987654" not in content  # the sheet circulates in the room: no identifiers


def test_attendance_sheet_splits_long_actions_across_tables(participant):
    # 4 weeks = 20 days = 40 half-day columns → 4 tables of 10 columns
    action = TrainingActionFactory(start_date=datetime.date(2026, 3, 2), end_date=datetime.date(2026, 3, 27))
    ParticipantFactory(action=action, learner=participant.learner)
    content = pdf.attendance_sheet_pdf(action, compress=False)
    assert _is_pdf(content)
    assert content.count(b"ALAOUI Zineb") == 4


def test_attendance_sheet_compressed_by_default(participant):
    assert _is_pdf(pdf.attendance_sheet_pdf(participant.action))


def test_evaluation_sheet_carries_the_f4_identifiers(participant):
    content = pdf.evaluation_sheet_pdf(participant, compress=False)
    assert _is_pdf(content)
    assert b"ALAOUI Zineb" in content
    assert b"BE987654" in content and b"123456789" in content


def test_attestation_states_the_hours(participant):
    ActionDay.objects.filter(action=participant.action).update(morning_hours=Decimal("3.5"))
    content = pdf.attestation_pdf(
        participant, hours_attended=Decimal("31.5"), hours_scheduled=Decimal("35"), compress=False
    )
    assert _is_pdf(content)
    assert b"ALAOUI Zineb" in content
    assert b"31,5" in content and b"35,0" in content
    assert b"BE987654" not in content
